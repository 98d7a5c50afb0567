/*
 * tw_http_request: plain data with owned strings, so a step can build one
 * without knowing anything about libcurl.
 */
#include "channels/web/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/array.h"
#include "techweek/run.h"
#include "techweek/error.h"

int tw_http_request_set(tw_http_request *req, const char *method, const char *url)
{
	char *m = strdup(method), *u = strdup(url);
	if (!m || !u) {
		free(m);
		free(u);
		return TW_ENOMEM;
	}
	for (char *p = m; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	free(req->method);
	free(req->url);
	req->method = m;
	req->url = u;
	return TW_OK;
}

int tw_http_request_add_header(tw_http_request *req, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	if (tw_array_grow(&req->headers, &req->header_cap, req->header_count + 1,
			  sizeof(*req->headers)))
		return TW_ENOMEM;
	char *line = malloc(n);
	if (!line)
		return TW_ENOMEM;
	/* "Name:" alone tells libcurl to remove a header it would add; an
	 * empty value is sent with "Name;". */
	if (*value)
		snprintf(line, n, "%s: %s", name, value);
	else
		snprintf(line, n, "%s;", name);
	req->headers[req->header_count++] = line;
	return TW_OK;
}

int tw_http_request_drop_header(tw_http_request *req, const char *name)
{
	size_t n = strlen(name) + 2;
	if (tw_array_grow(&req->headers, &req->header_cap, req->header_count + 1,
			  sizeof(*req->headers)))
		return TW_ENOMEM;
	char *line = malloc(n);
	if (!line)
		return TW_ENOMEM;
	snprintf(line, n, "%s:", name);
	req->headers[req->header_count++] = line;
	return TW_OK;
}

bool tw_http_request_has_header(const tw_http_request *req, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < req->header_count; i++)
		if (strncasecmp(req->headers[i], name, n) == 0 &&
		    (req->headers[i][n] == ':' || req->headers[i][n] == ';'))
			return true;
	return false;
}

int tw_http_request_set_body(tw_http_request *req, const char *data, size_t len)
{
	char *b = malloc(len + 1);
	if (!b)
		return TW_ENOMEM;
	memcpy(b, data, len);
	b[len] = '\0';
	free(req->body);
	req->body = b;
	req->body_len = len;
	return TW_OK;
}

static char *dup_or_null(const char *s, bool *failed)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

int tw_http_request_add_part(tw_http_request *req, const char *name, const char *value,
			     bool is_file, const char *filename, const char *content_type)
{
	if (tw_array_grow(&req->parts, &req->part_cap, req->part_count + 1, sizeof(*req->parts)))
		return TW_ENOMEM;
	bool failed = false;
	tw_http_part part = {
		.name = dup_or_null(name, &failed),
		.value = dup_or_null(value ? value : "", &failed),
		.is_file = is_file,
		.filename = dup_or_null(filename, &failed),
		.content_type = dup_or_null(content_type, &failed),
	};
	if (failed) {
		free(part.name);
		free(part.value);
		free(part.filename);
		free(part.content_type);
		return TW_ENOMEM;
	}
	req->parts[req->part_count++] = part;
	return TW_OK;
}

/* The one table of RFC 9110 token characters (issue 12 fix round):
 * header names in the script, from templates, from --header. */
bool tw_http_token(const char *s, size_t n)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	if (!s || n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(tchar, s[i]))
			return false;
	return true;
}

size_t tw_header_line_name(const char *line)
{
	const char *colon = line ? strchr(line, ':') : NULL;
	if (!colon || strpbrk(line, "\r\n") || !tw_http_token(line, (size_t)(colon - line)))
		return 0;
	return (size_t)(colon - line);
}

void tw_http_request_free(tw_http_request *req)
{
	free(req->method);
	free(req->url);
	for (size_t i = 0; i < req->header_count; i++)
		free(req->headers[i]);
	free(req->headers);
	free(req->body);
	for (size_t i = 0; i < req->part_count; i++) {
		free(req->parts[i].name);
		free(req->parts[i].value);
		free(req->parts[i].filename);
		free(req->parts[i].content_type);
	}
	free(req->parts);
	free(req->cert);
	free(req->key);
	free(req->referrer);
	memset(req, 0, sizeof(*req));
}
