/*
 * A form's submission: the entry list and the request that carries it.
 * See submit.h for the encodings and who owns what; forms.c decides which
 * form, which button and which entries.
 */
#include "channels/web/submit.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/web/html.h"
#include "core/array.h"
#include "core/buf.h"

void tw_submit_entries_free(entry_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].name);
		free(l->items[i].value);
	}
	free(l->items);
}

/* Every line break as CRLF, as each form encoding requires. */
static char *crlf(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += (*p == '\n' || *p == '\r') ? 2 : 1;
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (*p == '\r' || *p == '\n') {
			*o++ = '\r';
			*o++ = '\n';
			if (*p == '\r' && p[1] == '\n')
				p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

int tw_submit_add_entry(entry_list *l, const char *name, const char *value, bool file)
{
	if (tw_array_grow(&l->items, &l->cap, l->count + 1, sizeof(*l->items)))
		return TW_ENOMEM;
	entry e = {.name = crlf(name), .value = crlf(value ? value : ""), .file = file};
	if (!e.name || !e.value) {
		free(e.name);
		free(e.value);
		return TW_ENOMEM;
	}
	l->items[l->count++] = e;
	return TW_OK;
}

/* application/x-www-form-urlencoded: curl's percent-encoding, spaces as '+'. */
static int put_urlencoded(tw_buf *b, const char *s)
{
	size_t len = strlen(s);
	if (len > INT_MAX)
		return TW_ELIMIT;
	char *e = curl_easy_escape(NULL, s, (int)len);
	if (!e)
		return TW_ENOMEM;
	int rc = TW_OK;
	const char *p = e, *sp;
	while (rc == TW_OK && (sp = strstr(p, "%20"))) {
		rc = tw_buf_append(b, p, (size_t)(sp - p));
		if (rc == TW_OK)
			rc = tw_buf_append(b, "+", 1);
		p = sp + 3;
	}
	if (rc == TW_OK)
		rc = tw_buf_puts(b, p);
	curl_free(e);
	return rc;
}

/* The name of the file at path, as a browser sends it. */
static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int serialise(const entry_list *l, enum enctype type, tw_buf *b)
{
	int rc = TW_OK;
	for (size_t i = 0; i < l->count && rc == TW_OK; i++) {
		const entry *e = &l->items[i];
		if (type == TEXT_PLAIN) {
			rc = tw_buf_printf(b, "%s=%s\r\n", e->name, e->value);
			continue;
		}
		if (i)
			rc = tw_buf_append(b, "&", 1);
		if (rc == TW_OK)
			rc = put_urlencoded(b, e->name);
		if (rc == TW_OK)
			rc = tw_buf_append(b, "=", 1);
		/* a file goes by its name alone outside multipart, as in a
		 * browser: never the path on the customer's disk */
		if (rc == TW_OK)
			rc = put_urlencoded(b, e->file ? file_name(e->value) : e->value);
	}
	return rc;
}

/* formX on the button when it has it, else X on the form. */
static const char *submission_attr(xmlNodePtr form, xmlNodePtr submitter, const char *name)
{
	char formname[32] = "form";
	strncat(formname, name, sizeof(formname) - strlen(formname) - 1);
	const char *v = submitter ? tw_html_attr(submitter, formname) : NULL;
	return v ? v : tw_html_attr(form, name);
}

/* The URL the form goes to: formaction/action against the base URL, the
 * page itself when empty. */
int tw_submit_action_url(xmlDocPtr doc, const char *page_url, xmlNodePtr form,
			 xmlNodePtr submitter, const tw_resolve_memo *memo, char **out,
			 tw_error *err)
{
	const char *action = submission_attr(form, submitter, "action");
	tw_error e = {0};
	char *base = NULL;
	int rc;
	if (!action || !action[0]) {
		rc = tw_url_resolve_memo(memo, NULL, page_url ? page_url : "", out, &e);
	} else if (!(base = tw_html_base_url(doc, page_url))) {
		rc = tw_error_set(&e, TW_ENOMEM, "out of memory");
	} else {
		rc = tw_url_resolve_memo(memo, base, action, out, &e);
	}
	free(base);
	if (rc != TW_OK)
		tw_error_set(err, e.code, "cannot send the form: %s", e.message ? e.message : "");
	tw_error_clear(&e);
	return rc;
}

static int with_query(const char *url, const char *query, char **out)
{
	*out = NULL;
	CURLU *h = curl_url();
	char *full = NULL;
	int rc = TW_ENOMEM;
	if (h) {
		CURLUcode c = curl_url_set(h, CURLUPART_URL, url, 0);
		if (c == CURLUE_OK)
			c = curl_url_set(h, CURLUPART_QUERY, query[0] ? query : NULL, 0);
		if (c == CURLUE_OK)
			c = curl_url_get(h, CURLUPART_URL, &full, 0);
		if (c == CURLUE_OK)
			rc = (*out = strdup(full)) ? TW_OK : TW_ENOMEM;
		else if (c != CURLUE_OUT_OF_MEMORY)
			rc = TW_EINTERNAL;
	}
	curl_free(full);
	curl_url_cleanup(h);
	return rc;
}

int tw_submit_request(const entry_list *l, const char *method, const char *url, enum enctype type,
		      tw_http_request *req)
{
	tw_buf body;
	tw_buf_init(&body, TW_SUBMIT_BODY_MAX);
	int rc = TW_OK;
	if (strcmp(method, "GET") == 0) {
		char *full = NULL;
		rc = serialise(l, URLENCODED, &body);
		if (rc == TW_OK)
			rc = with_query(url, tw_buf_str(&body), &full);
		if (rc == TW_OK)
			rc = tw_http_request_set(req, "GET", full);
		free(full);
	} else if (type == MULTIPART) {
		rc = tw_http_request_set(req, "POST", url);
		for (size_t i = 0; i < l->count && rc == TW_OK; i++) {
			const entry *e = &l->items[i];
			if (e->file && e->value[0])
				/* Content-Type: libcurl's guess from the extension,
				 * else application/octet-stream */
				rc = tw_http_request_add_part(req, e->name, e->value, true,
							      file_name(e->value), NULL);
			else if (e->file)
				rc = tw_http_request_add_part(req, e->name, "", false, "",
							      "application/octet-stream");
			else
				rc = tw_http_request_add_part(req, e->name, e->value, false, NULL,
							      NULL);
		}
		if (rc == TW_OK && l->count == 0)
			rc = tw_http_request_set_body(req, "", 0);
	} else {
		rc = tw_http_request_set(req, "POST", url);
		if (rc == TW_OK)
			rc = serialise(l, type, &body);
		if (rc == TW_OK)
			rc = tw_http_request_add_header(req, "Content-Type",
							type == TEXT_PLAIN
								? "text/plain"
								: "application/x-www-form-urlencoded");
		if (rc == TW_OK)
			rc = tw_http_request_set_body(req, tw_buf_str(&body), body.len);
	}
	tw_buf_free(&body);
	req->navigation = true;
	return rc;
}

/* method and enctype: the button's formmethod/formenctype, else the form's. */
int tw_submit_method(xmlNodePtr form, xmlNodePtr submitter, const char **method,
		     enum enctype *type, tw_error *err)
{
	const char *m = submission_attr(form, submitter, "method");
	*method = m && strcasecmp(m, "post") == 0 ? "POST" : "GET";
	if (m && strcasecmp(m, "dialog") == 0)
		return tw_error_set(err, TW_EUSAGE,
				    "the form uses method=dialog, which closes a dialog on the page "
				    "instead of sending anything");
	const char *enc = submission_attr(form, submitter, "enctype");
	*type = URLENCODED;
	if (enc && strcasecmp(enc, "multipart/form-data") == 0)
		*type = MULTIPART;
	else if (enc && strcasecmp(enc, "text/plain") == 0)
		*type = TEXT_PLAIN;
	return TW_OK;
}
