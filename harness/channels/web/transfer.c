/*
 * Transfer: tw_http_request -> libcurl options, libcurl's results ->
 * tw_response. Browser-like defaults: redirects followed (up to the run's
 * limit), cookies kept, compressed bodies accepted, TLS verified.
 */
#include "channels/web/transfer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "channels/web/html.h"
#include "channels/web/referrer.h"
#include "core/plural.h"
#include "tw_version.h"

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	tw_transfer *t = ud;
	size_t len = size * n;
	tw_buf *body = &t->resp->body;
	curl_off_t declared = -1;
	if (body->cap == 0 &&
	    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared) == CURLE_OK &&
	    declared > 0 && (uint64_t)declared <= body->max) {
		/* Sized once when the length is announced: growing by doubling
		 * would hold up to twice the page while it arrives. (A
		 * compressed body may still grow past it.) */
		if (tw_buf_reserve(body, (size_t)declared) == TW_ENOMEM)
			return 0;
	}
	/* issue 14, F3: a body past the cap keeps its first max bytes (a
	 * sound file is timed from them) */
	size_t room = body->max - body->len;
	if (len > room && !tw_buf_failed(body) && room > 0 &&
	    tw_buf_append(body, data, room) == TW_OK)
		t->resp->bytes_in += (double)room;
	if (tw_buf_append(body, data, len) != TW_OK) {
		t->overflow = true;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	t->resp->bytes_in += (double)len;
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	tw_transfer *t = ud;
	size_t len = size * n;
	bool ended = t->resp->head_complete;
	int rc = tw_response_header_line(t->resp, data, len);
	if (rc == TW_ELIMIT)
		t->header_overflow = true;
	/* The end of a response's headers: its status is the hop's (libcurl
	 * has parsed it; a 1xx is not the answer). */
	if (!ended && t->resp->head_complete) {
		long status = 0;
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		tw_response_hop_answered(t->resp, status);
	}
	return rc == TW_OK ? len : 0; /* 0: libcurl stops with CURLE_WRITE_ERROR */
}

/*
 * Counts the requests a transfer puts on the wire, and starts a hop of its
 * chain for each. libcurl calls this once
 * per request, just before sending it: for the first, for every redirect
 * it follows, and for a request it sends again on a fresh connection when
 * a reused keep-alive connection died under it (libcurl does that once,
 * silently, for an answer that never started). Those re-sends are what a
 * server log counts and what a customer waits for, so they must show.
 *
 * By then libcurl has applied its redirect rules (a POST answered 301,
 * 302 or 303 becomes a GET; other methods, such as PUT, DELETE and PATCH,
 * and 307 and 308 keep theirs), so its
 * effective method and URL are this request's, as sent: the hop is read
 * from libcurl, never worked out again here.
 *
 * Why this callback: it is called per request whatever the outcome and
 * needs neither CURLOPT_VERBOSE (a debug callback counting CURLINFO_HEADER_OUT
 * is exact too, but verbose mode makes libcurl format every info line of
 * every transfer) nor libcurl's wording ("Connection died, retrying a fresh
 * connect"); CURLINFO_NUM_CONNECTS cannot tell a re-send from a first
 * request on a new connection. The cost is one indirect call per request.
 */
/* Appends a header line; the new line, or NULL when out of memory. */
static struct curl_slist *append_line(tw_transfer *t, const char *text)
{
	struct curl_slist *head = curl_slist_append(t->headers, text);
	if (!head)
		return NULL;
	t->headers = head;
	while (head->next)
		head = head->next;
	return head;
}

/* Rewrites a header line libcurl reads when it builds the next request;
 * room: the line's first length, as long as it can need (libcurl is not
 * called from its own callback; the list is ours, read for each request). */
static void rewrite_line(struct curl_slist *line, size_t room, const char *name,
			 const char *value)
{
	size_t n = strlen(name);
	/* Not enough room cannot happen (the value is never longer than
	 * the one the line was made for); sending none is the safe side. */
	if (value && n + 2 + strlen(value) <= room)
		snprintf(line->data, room + 1, "%s: %s", name, value);
	else
		snprintf(line->data, room + 1, "%s:", name); /* "Name:": not sent */
}

/* A method that sends no body (Fetch's request-body headers go with it). */
static bool get_or_head(const char *method)
{
	return method && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
}

/* Fetch's request-body-header names: what describes a body, not the
 * request. */
static bool is_body_header(const char *line)
{
	static const char *const names[] = {"Content-Type:", "Content-Encoding:",
					    "Content-Language:", "Content-Location:"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncasecmp(line, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/* What a browser's request to url says that depends on url: the Referer
 * the policy lets that origin see (a redirect's Referrer-Policy header
 * changes the policy for the requests after it), and the script's
 * cookies, which go to the first request's origin only (as libcurl's
 * rule for a Cookie header line: CURLOPT_COOKIE alone would follow a
 * redirect anywhere). */
static void hop_headers(tw_transfer *t, const char *method, const char *url)
{
	/* The page's origin is the same for every hop. */
	if (t->referer_line && t->referrer && !t->referrer_origin)
		t->referrer_origin = tw_url_origin(t->referrer);
	/* One origin a hop, for the three lines. A hop mostly stays where the
	 * one before it went, or where the page is: with that origin as the
	 * hint, it costs no URL parse. */
	const char *hint = t->last_origin     ? t->last_origin
			   : t->referrer_origin ? t->referrer_origin
						: t->origin;
	char *here = t->origin_line || t->referer_line || t->cookie_guard
			     ? tw_url_origin_hint(url, hint)
			     : NULL;
	if (t->origin_line) {
		/* Fetch: no Origin once a 303 (or a 301/302 after a POST)
		 * made the request a GET; "null" once the chain went from an
		 * origin other than the page's to another one. */
		if (t->last_origin && (!here || strcmp(here, t->last_origin) != 0) &&
		    strcmp(t->page_origin, t->last_origin) != 0)
			t->tainted = true;
		bool safe = !method || get_or_head(method);
		rewrite_line(t->origin_line, t->origin_room, "Origin",
			     safe ? NULL : t->tainted ? "null" : t->page_origin);
	}
	if (t->referer_line) {
		const char *changed = t->sent > 1 ? tw_response_header(t->resp, "Referrer-Policy") : NULL;
		int p = tw_referrer_policy_parse(changed, 0);
		if (p != TW_REFERRER_UNSET)
			t->referrer_policy = p;
		char *value = NULL;
		(void)tw_referrer_value_between(t->referrer_policy, t->referrer, t->referrer_origin,
						url, here, &value);
		rewrite_line(t->referer_line, t->referer_room, "Referer", value); /* out of memory: none */
		free(value);
	}
	if (t->cookie_guard) {
		bool other = !here || !t->origin || strcmp(here, t->origin) != 0;
		/* "Cookie:" tells libcurl a Cookie line is given (so it adds no
		 * CURLOPT_COOKIE) and is itself not sent: the jar's go alone. */
		memcpy(t->cookie_guard->data, other ? "Cookie:" : "", other ? 8 : 1);
	}
	free(t->last_origin);
	t->last_origin = here; /* the next hop's previous origin */
	/* Fetch, HTTP-redirect fetch: a redirect that makes the request a
	 * GET drops its body and the headers about it ("Name:" is not
	 * sent); libcurl drops the body, not a line it was given. */
	if (!get_or_head(method))
		return;
	for (size_t i = 0; i < t->body_line_count; i++) {
		char *colon = strchr(t->body_lines[i]->data, ':');
		if (colon)
			colon[1] = '\0';
	}
}

static int on_request(void *ud, char *remote_ip, char *local_ip, int remote_port, int local_port)
{
	(void)remote_ip;
	(void)local_ip;
	(void)remote_port;
	(void)local_port;
	tw_transfer *t = ud;
	t->sent++;
	char *method = NULL, *url = NULL;
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_METHOD, &method);
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
	/* The request goes anyway; a hop that could not be kept is recorded
	 * in the response (hops_lost) and fails the step after. */
	(void)tw_response_hop_sent(t->resp, method, url);
	hop_headers(t, method, url);
	return CURL_PREREQFUNC_OK;
}

static int setup_mime(tw_transfer *t, const tw_http_request *req, tw_error *err)
{
	t->mime = curl_mime_init(t->easy);
	if (!t->mime)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	for (size_t i = 0; i < req->part_count; i++) {
		const tw_http_part *p = &req->parts[i];
		curl_mimepart *part = curl_mime_addpart(t->mime);
		if (!part)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		curl_mime_name(part, p->name);
		if (p->is_file) {
			if (access(p->value, R_OK) != 0)
				return tw_error_set(err, TW_EIO, "part '%s': cannot read file '%s': %s",
						    p->name, p->value, strerror(errno));
			curl_mime_filedata(part, p->value);
			if (p->filename)
				curl_mime_filename(part, p->filename);
		} else {
			curl_mime_data(part, p->value, CURL_ZERO_TERMINATED);
			if (p->filename)
				curl_mime_filename(part, p->filename);
		}
		if (p->content_type)
			curl_mime_type(part, p->content_type);
	}
	curl_easy_setopt(t->easy, CURLOPT_MIMEPOST, t->mime);
	return TW_OK;
}

/* The request's own transport lines (issue 12, capability 11). libcurl
 * asked for HTTP/2 falls back to 1.1 where the server does not offer it
 * (the `version` subject tells which came); the server's certificate is
 * kept (CERTINFO) for `expect certificate`, which costs a little per new
 * TLS connection only. */
static int apply_transport(CURL *easy, const tw_http_request *req, bool follow, tw_error *err)
{
	static const struct {
		int version;
		long curl;
	} versions[] = {
		{10, CURL_HTTP_VERSION_1_0},
		{11, CURL_HTTP_VERSION_1_1},
		{20, CURL_HTTP_VERSION_2_0},
		{30, CURL_HTTP_VERSION_3},
	};
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (req->http_version == versions[i].version &&
		    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, versions[i].curl) != CURLE_OK)
			return tw_error_set(err, TW_EUNSUPPORTED,
					    "this libcurl (%s) cannot speak the HTTP version asked for",
					    curl_version_info(CURLVERSION_NOW)->version);
	/* Decoding is libcurl's default (the handle was reset). */
	if (req->raw_body)
		curl_easy_setopt(easy, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	if (req->insecure) {
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->cert) {
		/* libcurl reads them at the handshake and says only "could not
		 * load PEM client certificate": name the file first. */
		const char *files[] = {req->cert, req->key};
		for (int i = 0; i < 2; i++)
			if (files[i] && access(files[i], R_OK) != 0)
				return tw_error_set(err, TW_EIO, "cannot read the client %s '%s': %s",
						    i ? "key" : "certificate", files[i],
						    strerror(errno));
		curl_easy_setopt(easy, CURLOPT_SSLCERT, req->cert);
		if (req->key)
			curl_easy_setopt(easy, CURLOPT_SSLKEY, req->key);
	}
	/* Only where a TLS handshake can happen: an https URL, or any
	 * redirect followed (it may lead to one). */
	if (follow || strncasecmp(req->url, "https:", 6) == 0)
		curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
	return TW_OK;
}

CURLSH *tw_transfer_jar_new(void)
{
	CURLSH *jar = curl_share_init();
	if (jar && curl_share_setopt(jar, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
		curl_share_cleanup(jar);
		jar = NULL;
	}
	return jar;
}

int tw_transfer_jar_load(CURLSH *jar, const char *path, tw_error *err)
{
	/* libcurl would skip a file it cannot open without a word. */
	if (access(path, R_OK) != 0)
		return tw_error_set(err, TW_EIO, "cannot read the cookie file '%s': %s", path,
				    strerror(errno));
	CURL *easy = curl_easy_init();
	if (!easy)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	curl_easy_setopt(easy, CURLOPT_SHARE, jar);
	curl_easy_setopt(easy, CURLOPT_COOKIEFILE, path);
	curl_easy_setopt(easy, CURLOPT_COOKIELIST, "RELOAD");
	curl_easy_cleanup(easy);
	return TW_OK;
}

char *tw_transfer_jar_text(CURLSH *jar)
{
	CURL *easy = curl_easy_init();
	if (!easy)
		return NULL;
	curl_easy_setopt(easy, CURLOPT_SHARE, jar);
	curl_easy_setopt(easy, CURLOPT_COOKIEFILE, "");
	struct curl_slist *list = NULL;
	curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &list);
	tw_buf b;
	tw_buf_init(&b, SIZE_MAX);
	/* libcurl's own header line for the format */
	tw_buf_puts(&b, "# Netscape HTTP Cookie File\n");
	for (struct curl_slist *l = list; l; l = l->next)
		tw_buf_printf(&b, "%s\n", l->data);
	curl_slist_free_all(list);
	curl_easy_cleanup(easy);
	return tw_buf_steal(&b);
}

/* "Name: value", malloc'd; NULL when out of memory. */
static char *header_line(const char *name, const char *value)
{
	size_t n = strlen(name) + 2 + strlen(value) + 1;
	char *line = malloc(n);
	if (line)
		snprintf(line, n, "%s: %s", name, value);
	return line;
}

const char *tw_transfer_user_agent(const tw_run_options *opts)
{
	return opts->user_agent ? opts->user_agent : "techweek/" TW_VERSION;
}

int tw_transfer_common_init(tw_transfer_common *c, const char *user_agent, tw_error *err)
{
	memset(c, 0, sizeof(*c));
	/* libcurl's own list for CURLOPT_ACCEPT_ENCODING "" (7.88:
	 * Curl_all_content_encodings), from what it was built with. */
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	char list[64] = "";
	if (v->features & CURL_VERSION_LIBZ)
		strcat(list, "deflate, gzip");
	if (v->features & CURL_VERSION_BROTLI)
		strcat(list, *list ? ", br" : "br");
	if (v->features & CURL_VERSION_ZSTD)
		strcat(list, *list ? ", zstd" : "zstd");
	if (!*list)
		strcpy(list, "identity");
	c->agent_line = header_line("User-Agent", user_agent);
	c->encoding_line = header_line("Accept-Encoding", list);
	if (!c->agent_line || !c->encoding_line) {
		tw_transfer_common_free(c);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	c->encodings = c->encoding_line + strlen("Accept-Encoding: ");
	c->encoding = (struct curl_slist){c->encoding_line, NULL};
	c->agent = (struct curl_slist){c->agent_line, NULL};
	c->both = (struct curl_slist){c->agent_line, &c->encoding};
	return TW_OK;
}

void tw_transfer_common_free(tw_transfer_common *c)
{
	free(c->agent_line);
	free(c->encoding_line);
	memset(c, 0, sizeof(*c));
}

/* Frees what the last request held (headers, parts, origins) and readies
 * t's fields for the next one; the handle, its jar and the run's
 * certificates stay. */
static void release_request(tw_transfer *t)
{
	if (t->easy) {
		/* The handle outlives the request (its cookies are read by
		 * expectations): drop pointers to what is about to be freed. */
		if (t->headers || t->common)
			curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, NULL);
		if (t->mime)
			curl_easy_setopt(t->easy, CURLOPT_MIMEPOST, NULL);
		if (t->posted)
			curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, NULL);
	}
	if (t->common_after)
		t->common_after->next = NULL; /* the run's, not to be freed */
	curl_slist_free_all(t->headers);
	curl_mime_free(t->mime);
	free(t->origin);
	free(t->last_origin);
	free(t->referrer_origin);
	t->headers = t->common_after = NULL;
	t->mime = NULL;
	t->posted = false;
	t->referer_line = t->cookie_guard = t->origin_line = NULL;
	t->body_line_count = 0;
	t->origin = t->last_origin = t->referrer_origin = NULL;
	t->tainted = false;
}

/* The options a request sets beyond its URL, its jar and its header
 * lines, when it is a plain one: a GET without body, parts, script cookies
 * or transport lines of its own. */
static tw_transfer_shape shape_of(const tw_http_request *req, const tw_run_options *opts,
				  bool follow, long left, void *private)
{
	tw_transfer_shape s;
	s.plain = strcmp(req->method, "GET") == 0 && !req->body && req->part_count == 0 &&
		  req->http_version == 0 && !req->raw_body && !req->insecure && !req->cert &&
		  !tw_http_request_has_header(req, "Cookie");
	s.follow = follow && left > 0;
	s.left = s.follow ? left : 0;
	s.certinfo = follow || strncasecmp(req->url, "https:", 6) == 0;
	s.timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : opts->timeout_ms;
	s.opts = opts;
	s.private = private;
	return s;
}

/* Whether two plain requests set the same options. */
static bool same_shape(const tw_transfer_shape *a, const tw_transfer_shape *b)
{
	return a->plain && b->plain && a->follow == b->follow && a->certinfo == b->certinfo &&
	       a->left == b->left && a->timeout_ms == b->timeout_ms && a->opts == b->opts &&
	       a->private == b->private;
}

/* Every option but the URL, the jar and the header lines, on a handle
 * just reset (so only those that differ from libcurl's defaults). */
static int set_options(tw_transfer *t, const tw_http_request *req, const tw_run_options *opts,
		       const tw_transfer_shape *shape, bool follow, bool engine_on, tw_error *err)
{
	CURL *easy = t->easy;
	const tw_transfer_common *common = t->common;
	/* COOKIEFILE "" switches the handle's cookie engine on, once per
	 * handle (transfer.h). */
	if (!engine_on)
		curl_easy_setopt(easy, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(easy, CURLOPT_PRIVATE, shape->private);
	if (t->sockets) {
		curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, t->sockets->opened);
		curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, t->sockets->data);
		curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, t->sockets->closed);
		curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, t->sockets->data);
	}
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* Not following is libcurl's default, and its limit is read only
	 * when it follows. */
	if (shape->follow) {
		curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(easy, CURLOPT_MAXREDIRS, shape->left);
	}
	/* No AUTOREFERER: a redirect keeps the Referer the chain started
	 * with, as in a browser (hop_headers); a visit and a raw request
	 * send none. */
	/* Decoding on; the lines themselves are the common tail (see the
	 * end of tw_transfer_start). */
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, common ? common->encodings : "");
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, shape->timeout_ms);
	if (!common)
		curl_easy_setopt(easy, CURLOPT_USERAGENT, tw_transfer_user_agent(opts));
	if (opts->insecure) {
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (opts->cacert)
		curl_easy_setopt(easy, CURLOPT_CAINFO, opts->cacert);
	int trc = apply_transport(easy, req, follow, err);
	if (trc)
		return trc;
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_request);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, t);
	/* A proxy's answer to CONNECT is no hop of the chain (nor the page's
	 * headers). */
	curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);

	const char *m = req->method;
	/* A bodiless GET is what a reset handle sends. */
	bool plain_get = strcmp(m, "GET") == 0 && !req->body && req->part_count == 0;
	if (strcmp(m, "HEAD") == 0)
		curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
	else if (!plain_get && strcmp(m, "POST") != 0)
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m);

	if (req->part_count > 0)
		return setup_mime(t, req, err);
	if (req->body) {
		/* Not copied: req outlives the transfer, and a large body
		 * should not be held twice per customer. */
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body);
		t->posted = true;
		t->resp->bytes_out = (double)req->body_len;
	} else if (strcmp(m, "POST") == 0) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
		t->posted = true;
	}
	return TW_OK;
}

int tw_transfer_start(tw_transfer *t, CURLSH *jar, tw_response *resp,
		      const tw_http_request *req, const tw_run_options *opts,
		      void *private, tw_error *err)
{
	release_request(t);
	/* Under a limit of 0 libcurl would take the first 3xx for one
	 * redirect too many: a limit of 0 follows none, the 3xx is the
	 * response. */
	bool follow = req->follow ? req->follow > 0 : !opts->no_follow;
	/* A chain a meta refresh continues has used some of the limit. */
	long left = opts->max_redirects - resp->chain_redirects;
	tw_transfer_shape shape = shape_of(req, opts, follow, left, private);
	/* One handle for every transfer of the slot (decision 2). A plain
	 * request after a plain one with the same options leaves them as they
	 * are (only the URL, the jar and the header lines change); any other
	 * resets the handle, which puts every option back to libcurl's
	 * default, and sets those it needs. A reset and its options were a
	 * tenth of a one-step performance's instructions. */
	CURL *easy = t->easy;
	bool keep = easy && same_shape(&shape, &t->shape);
	tw_transfer_certs *certs = t->certs;
	const tw_transfer_sockets *sockets = t->sockets;
	const tw_transfer_common *common = t->common;
	bool engine_on = t->cookie_engine;
	memset(t, 0, sizeof(*t));
	t->certs = certs;
	t->sockets = sockets;
	t->common = common;
	t->resp = resp;
	t->max_redirects = opts->max_redirects;
	tw_response_reset(resp);
	if (easy) {
		/* The queued cookie-file list stays on the handle after its
		 * transfer: curl_easy_reset would drop it unfreed (transfer.h),
		 * and a kept handle would load it again at every transfer. The
		 * engine stays on, and the shared jar is not cleared (libcurl
		 * clears only a handle's own cookies). */
		curl_easy_setopt(easy, CURLOPT_COOKIEFILE, NULL);
		if (!keep)
			curl_easy_reset(easy);
	} else
		easy = curl_easy_init();
	t->easy = easy;
	resp->easy = easy;
	resp->method = strdup(req->method);
	if (!easy || !resp->method)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	t->cookie_engine = true;
	/* The share holds the jar (a customer's end takes it off). */
	curl_easy_setopt(easy, CURLOPT_SHARE, jar);
	/* libcurl only reads the handle (it copies it per transfer); a
	 * handle set takes precedence over the text, so a kept handle's is
	 * taken off for a URL given as text. The text is set either way:
	 * libcurl 7.88 reads a handle's URL back for CURLINFO_EFFECTIVE_URL
	 * only on a handle that has none yet, so a kept handle would report
	 * the URL before. */
	curl_easy_setopt(easy, CURLOPT_CURLU, (CURLU *)req->parsed_url);
	curl_easy_setopt(easy, CURLOPT_URL, req->url);
	if (!keep) {
		int rc = set_options(t, req, opts, &shape, follow, engine_on, err);
		if (rc)
			return rc; /* t->shape stays unset: the next one resets */
	}
	t->shape = shape;

	if (req->navigation && !tw_http_request_has_header(req, "Accept"))
		t->headers = curl_slist_append(
			t->headers, "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
	/* The script's Cookie lines join the jar's cookies in the one
	 * Cookie header a browser sends (RFC 6265 5.4): libcurl merges
	 * CURLOPT_COOKIE with the jar, but sends a Cookie line beside it. */
	tw_buf cookies;
	tw_buf_init(&cookies, SIZE_MAX);
	bool has_body = !get_or_head(req->method);
	for (size_t i = 0; i < req->header_count; i++) {
		const char *line = req->headers[i];
		if (strncasecmp(line, "Origin:", 7) == 0 && !t->origin_line) {
			t->origin_line = append_line(t, line);
			if (!t->origin_line) {
				tw_buf_free(&cookies);
				return tw_error_set(err, TW_ENOMEM, "out of memory");
			}
			t->page_origin = line + 7 + strspn(line + 7, " \t");
			t->origin_room = strlen(line);
			continue;
		}
		if (has_body && t->body_line_count < TW_BODY_LINES && is_body_header(line)) {
			struct curl_slist *l = append_line(t, line);
			if (!l) {
				tw_buf_free(&cookies);
				return tw_error_set(err, TW_ENOMEM, "out of memory");
			}
			t->body_lines[t->body_line_count++] = l;
			continue;
		}
		if (strncasecmp(line, "Cookie:", 7) == 0) {
			const char *v = line + 7 + strspn(line + 7, " \t");
			if (*v)
				tw_buf_printf(&cookies, "%s%s", cookies.len ? "; " : "", v);
			continue;
		}
		struct curl_slist *l = curl_slist_append(t->headers, line);
		if (!l) {
			tw_buf_free(&cookies);
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		}
		t->headers = l;
	}
	bool cookie_ok = tw_buf_failed(&cookies) == TW_OK;
	if (cookie_ok && cookies.len) {
		curl_easy_setopt(easy, CURLOPT_COOKIE, tw_buf_str(&cookies));
		t->origin = tw_url_origin(req->url);
		cookie_ok = (t->cookie_guard = append_line(t, "Cookie:")) != NULL;
	}
	tw_buf_free(&cookies);
	if (!cookie_ok)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (req->referrer) {
		size_t n = strlen(req->referrer) + 16;
		char *line = malloc(n);
		if (line)
			snprintf(line, n, "Referer: %s", req->referrer);
		t->referer_line = line ? append_line(t, line) : NULL;
		free(line);
		if (!t->referer_line)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		t->referer_room = strlen(t->referer_line->data);
		t->referrer = req->referrer;
		t->referrer_policy = req->referrer_policy;
	}
	/* libcurl would send "Expect: 100-continue" for large bodies and wait
	 * for the server; browsers never do. A request without a body needs
	 * no line (and, often, no list at all). */
	if (req->body || req->part_count > 0) {
		struct curl_slist *l = curl_slist_append(t->headers, "Expect:");
		if (!l)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		t->headers = l;
	}
	struct curl_slist *tail = NULL;
	if (common) {
		/* A script's own line wins, as it did over libcurl's. */
		bool agent = !tw_http_request_has_header(req, "User-Agent");
		bool encoding = !tw_http_request_has_header(req, "Accept-Encoding");
		const struct curl_slist *c = agent && encoding ? &common->both
					     : agent	      ? &common->agent
					     : encoding	      ? &common->encoding
							      : NULL;
		tail = (struct curl_slist *)c; /* libcurl only reads it */
	}
	if (t->headers && tail) {
		t->common_after = t->headers;
		while (t->common_after->next)
			t->common_after = t->common_after->next;
		t->common_after->next = tail;
	}
	if (t->headers || tail)
		curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers ? t->headers : tail);
	return TW_OK;
}

static double ms(CURL *easy, CURLINFO info)
{
	curl_off_t us = 0;
	curl_easy_getinfo(easy, info, &us);
	return (double)us / 1000.0;
}

/*
 * What a failed transfer means, in the words of a person who waited for
 * the page: the one table, keyed by libcurl's code. The reports show this
 * sentence first and libcurl's own words after it, in parentheses, as the
 * evidence ("the server closed the connection before the page was
 * complete (975 bytes missing; libcurl: transfer closed with 975 bytes
 * remaining to read)").
 */
static const struct {
	CURLcode code;
	const char *plain;
} plain_table[] = {
	{CURLE_COULDNT_RESOLVE_HOST, "the server's name could not be found (DNS)"},
	{CURLE_COULDNT_RESOLVE_PROXY, "the proxy's name could not be found (DNS)"},
	{CURLE_COULDNT_CONNECT, "could not connect: nothing answers at that address"},
	{CURLE_OPERATION_TIMEDOUT, "the server did not answer in time"},
	{CURLE_PARTIAL_FILE, "the server closed the connection before the page was complete"},
	{CURLE_GOT_NOTHING, "the server closed the connection without answering"},
	{CURLE_RECV_ERROR, "the connection broke while the answer was arriving"},
	{CURLE_SEND_ERROR, "the connection broke while the request was being sent"},
	{CURLE_SSL_CONNECT_ERROR, "the TLS handshake failed: no secure connection could be set up"},
	{CURLE_PEER_FAILED_VERIFICATION, "the server's certificate is not trusted"},
	{CURLE_SSL_CACERT_BADFILE, "the trusted certificates could not be read"},
	{CURLE_URL_MALFORMAT, "the address is not a valid URL"},
	{CURLE_UNSUPPORTED_PROTOCOL, "the address uses a protocol techweek does not speak"},
	{CURLE_WEIRD_SERVER_REPLY, "the server's answer is not valid HTTP"},
	{CURLE_BAD_CONTENT_ENCODING, "the page's compression is broken"},
	{CURLE_HTTP2, "the HTTP/2 connection failed"},
	{CURLE_HTTP2_STREAM, "the server broke off the HTTP/2 stream"},
};

static const char *plain_words(CURLcode code)
{
	for (size_t i = 0; i < sizeof(plain_table) / sizeof(plain_table[0]); i++)
		if (plain_table[i].code == code)
			return plain_table[i].plain;
	return "the request failed";
}

/* "PLAIN (EXTRA; libcurl: DETAIL)", extra "" for none: TW_ETRANSPORT. */
static int transport_error(tw_error *err, const char *plain, const char *extra,
			   const char *detail)
{
	return tw_error_set(err, TW_ETRANSPORT, "%s (%s%slibcurl: %s)", plain, extra,
			    *extra ? "; " : "", detail);
}

/* The first URL the chain comes back to (the earliest hop another one
 * repeats), NULL when every hop went somewhere new: a loop is a URL seen
 * again, a long chain of new ones is not. */
static const char *repeated_url(const tw_response *r)
{
	for (size_t i = 0; i < r->hop_count; i++)
		for (size_t j = i + 1; j < r->hop_count; j++)
			if (strcmp(tw_response_hop_url(r, i), tw_response_hop_url(r, j)) == 0)
				return tw_response_hop_url(r, i);
	return NULL;
}

/* A 3xx whose Location names a scheme other than http and https (an app
 * store's market:, itms-apps:, a custom one): libcurl refuses to follow
 * it, and the 3xx itself is the answer, as a browser shows it to the app
 * that handles the scheme. The scheme is read by libcurl's URL parser. */
static bool other_scheme_redirect(const tw_response *r)
{
	const char *location = tw_response_header(r, "Location");
	if (!r->head_complete || r->status < 300 || r->status > 399 || !location)
		return false;
	CURLU *u = curl_url();
	char *scheme = NULL;
	bool other = u && curl_url_set(u, CURLUPART_URL, location, CURLU_NON_SUPPORT_SCHEME) ==
				  CURLUE_OK &&
		     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		     strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0;
	curl_free(scheme);
	curl_url_cleanup(u);
	return other;
}

static struct curl_slist *copy_lines(const struct curl_slist *from)
{
	struct curl_slist *lines = NULL;
	for (const struct curl_slist *l = from; l; l = l->next) {
		struct curl_slist *n = curl_slist_append(lines, l->data);
		if (!n) {
			curl_slist_free_all(lines);
			return NULL;
		}
		lines = n;
	}
	return lines;
}

tw_transfer_certs *tw_transfer_certs_new(void)
{
	tw_transfer_certs *c = calloc(1, sizeof(*c));
	if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

void tw_transfer_certs_free(tw_transfer_certs *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++) {
		free(c->items[i].origin);
		curl_slist_free_all(c->items[i].lines);
	}
	free(c->items);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Remembers lines (taken) as origin's certificate; false when out of
 * memory (lines freed). Under the lock. */
static bool remember_cert(tw_transfer_certs *c, const char *origin, struct curl_slist *lines)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcmp(c->items[i].origin, origin) == 0) {
			curl_slist_free_all(c->items[i].lines);
			c->items[i].lines = lines;
			return true;
		}
	char *o = strdup(origin);
	tw_transfer_cert *grown = o ? realloc(c->items, (c->count + 1) * sizeof(*c->items)) : NULL;
	if (!grown) {
		free(o);
		curl_slist_free_all(lines);
		return false;
	}
	c->items = grown;
	c->items[c->count++] = (tw_transfer_cert){.origin = o, .lines = lines};
	return true;
}

/* The certificate the answering server showed (url: the effective URL),
 * the response's own copy: from this handshake's CERTINFO or, on a
 * reused connection, from the handshake that set it up. NULL for http,
 * or out of memory (the subject then says none was reported). */
static struct curl_slist *server_cert(tw_transfer *t, const char *url)
{
	if (strncmp(url, "https:", 6) != 0)
		return NULL;
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	char origin[512] = "";
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		snprintf(origin, sizeof(origin), "%s:%s", host, port);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	struct curl_certinfo *ci = NULL;
	curl_easy_getinfo(t->easy, CURLINFO_CERTINFO, &ci);
	bool handshake = ci && ci->num_of_certs > 0;
	struct curl_slist *mine = handshake ? copy_lines(ci->certinfo[0]) : NULL;
	if (!t->certs || !origin[0])
		return mine;
	pthread_mutex_lock(&t->certs->lock);
	if (handshake) {
		struct curl_slist *kept = mine ? copy_lines(mine) : NULL;
		if (kept)
			(void)remember_cert(t->certs, origin, kept);
	} else {
		for (size_t i = 0; i < t->certs->count && !mine; i++)
			if (strcmp(t->certs->items[i].origin, origin) == 0)
				mine = copy_lines(t->certs->items[i].lines);
	}
	pthread_mutex_unlock(&t->certs->lock);
	return mine;
}

int tw_transfer_done(tw_transfer *t, CURLcode result, bool *unreachable, tw_error *err)
{
	CURL *e = t->easy;
	tw_response *r = t->resp;
	*unreachable = false;

	char *url = NULL;
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
	free(r->url);
	r->url = url ? strdup(url) : NULL;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	/* A status line whose headers never ended (cut, or trickled past the
	 * timeout) is no response. */
	if (result != CURLE_OK && !r->head_complete)
		r->status = 0;
	if (result == CURLE_UNSUPPORTED_PROTOCOL && other_scheme_redirect(r)) {
		const char *location = tw_response_header(r, "Location");
		size_t n = strlen(location) + 96;
		free(r->note);
		if ((r->note = malloc(n)))
			snprintf(r->note, n,
				 "not followed: the redirect to %s (techweek follows http and "
				 "https only)",
				 location);
		/* The answer is this hop's: the URL libcurl may have moved to
		 * was never requested. */
		if (r->hop_count > 0) {
			free(r->url);
			r->url = strdup(tw_response_hop_url(r, r->hop_count - 1));
			url = r->url;
		}
		result = CURLE_OK;
	}
	/* A redirect libcurl followed to where it could not connect never
	 * went on the wire, so on_request never saw it; yet it is the request
	 * that failed, and its URL is the effective one. It ends the chain,
	 * with no answer: the step is reported against it, not against the
	 * redirect that did answer. */
	bool unsent = result != CURLE_OK && url && r->hop_count > 0 &&
		      strcmp(tw_response_hop_url(r, r->hop_count - 1), url) != 0;
	if (unsent) {
		char *method = NULL;
		curl_easy_getinfo(e, CURLINFO_EFFECTIVE_METHOD, &method);
		(void)tw_response_hop_sent(r, method, url); /* a failure: r->hops_lost */
		r->status = 0;
	}
	if (result == CURLE_OK && url)
		r->cert = server_cert(t, url);
	char *ct = NULL;
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
	free(r->content_type);
	r->content_type = ct ? strdup(ct) : NULL;
	long followed = 0;
	curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &followed);
	/* Each redirect followed sent one request; any beyond them and the
	 * first were sent again (a retry is not a redirect to libcurl). A
	 * transfer that failed before its first request sent none. */
	r->requests = t->sent;
	r->resent = t->sent > followed + 1 ? t->sent - followed - 1 : 0;
	r->redirects = r->chain_redirects + followed;
	r->timings.dns_ms = ms(e, CURLINFO_NAMELOOKUP_TIME_T);
	r->timings.connect_ms = ms(e, CURLINFO_CONNECT_TIME_T);
	r->timings.tls_ms = ms(e, CURLINFO_APPCONNECT_TIME_T);
	r->timings.first_byte_ms = ms(e, CURLINFO_STARTTRANSFER_TIME_T);
	r->timings.total_ms = ms(e, CURLINFO_TOTAL_TIME_T);
	r->timings.redirect_ms = ms(e, CURLINFO_REDIRECT_TIME_T);
	/* The jar stays attached: expectations read the cookies through the
	 * handle until the customer's performance ends. */
	release_request(t);

	if (result == CURLE_OK)
		return TW_OK;
	const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(result);
	switch (result) {
	case CURLE_OUT_OF_MEMORY:
		/* libcurl up to 8.5 says so of a header line over its
		 * CURL_MAX_HTTP_HEADER (100 KiB), before any body: a real lack
		 * of memory would not wait for the headers. */
		if (r->bytes_in == 0)
			return tw_error_set(err, TW_ELIMIT,
					    "a response header is larger than libcurl's limit of %d KiB "
					    "per header line (CURL_MAX_HTTP_HEADER)",
					    CURL_MAX_HTTP_HEADER / 1024);
		break;
	case CURLE_WRITE_ERROR:
		if (t->header_overflow)
			return tw_error_set(err, TW_ELIMIT,
					    "the response headers are larger than the %zu KiB limit",
					    TW_RESPONSE_HEADERS_MAX / 1024);
		/* the body's buffer remembers why it stopped taking bytes */
		if (tw_buf_failed(&r->body) == TW_ENOMEM)
			return tw_error_set(err, TW_ENOMEM,
					    "out of memory receiving the response body");
		if (t->overflow) {
			r->truncated = true;
			return tw_error_set(err, TW_ELIMIT,
					    "the response body is larger than the %zu-byte limit (--max-body)",
					    r->body.max);
		}
		break;
	case CURLE_TOO_MANY_REDIRECTS: {
		/* libcurl stops when the limit is reached: what it followed
		 * is the limit. */
		const char *again = repeated_url(r);
		if (again)
			return tw_error_set(err, TW_ELIMIT,
					    "redirect loop: the pages kept redirecting, back to %s "
					    "(%ld followed, up to --max-redirs; libcurl: %s)",
					    again, r->redirects, detail);
		return tw_error_set(err, TW_ELIMIT,
				    "more redirects than --max-redirs %ld allows (%ld followed, "
				    "each to a new URL, the last to %s; libcurl: %s)",
				    t->max_redirects, r->redirects, r->url ? r->url : "?", detail);
	}
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* A redirect to file:, ftp:...: the server misbehaved, the
		 * service itself was reached. */
		if (r->redirects > 0 || unsent || (r->status >= 300 && r->status < 400))
			return tw_error_set(err, TW_ETRANSPORT,
					    "refused to follow a redirect to %s: only http and https are followed",
					    r->url ? r->url : "?");
		*unreachable = true;
		/* Connected, then no HTTP came back (libcurl: "Received
		 * HTTP/0.9 when not allowed"): the wrong port, most likely. */
		if (r->timings.connect_ms > 0)
			return transport_error(err, "the server's answer is not HTTP", "", detail);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_URL_MALFORMAT:
	case CURLE_SSL_CONNECT_ERROR:
		*unreachable = true;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (r->status == 0 && r->timings.connect_ms == 0) {
			*unreachable = true;
			return transport_error(err, "could not connect: nothing answered in time", "",
					       detail);
		}
		/* The headers came: it answered, but not all of it in time. */
		if (r->head_complete)
			return transport_error(err, "the answer did not arrive in full in time", "",
					       detail);
		break;
	case CURLE_PARTIAL_FILE: {
		/* How much of the page never came: what the headers announced
		 * less what arrived (on the wire, before any decoding). */
		curl_off_t declared = -1, got = 0;
		char missing[64] = "";
		if (curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared) == CURLE_OK &&
		    curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &got) == CURLE_OK &&
		    declared > got)
			snprintf(missing, sizeof(missing), "%lld %s missing",
				 (long long)(declared - got),
				 tw_plural((uint64_t)(declared - got), "byte", "bytes"));
		return transport_error(err, plain_words(result), missing, detail);
	}
	default:
		break;
	}
	return transport_error(err, plain_words(result), "", detail);
}

void tw_transfer_cleanup(tw_transfer *t)
{
	release_request(t);
	/* Detached, the handle keeps nothing of the customer's: the jar may
	 * be freed (curl_share_cleanup refuses a share still attached) or
	 * handed to the slot's next customer. Its cookie pointer goes with
	 * the share (libcurl drops the jar's list from the handle). */
	if (t->easy)
		curl_easy_setopt(t->easy, CURLOPT_SHARE, NULL);
	if (t->resp && t->resp->easy == t->easy)
		t->resp->easy = NULL;
}

void tw_transfer_free(tw_transfer *t)
{
	tw_transfer_cleanup(t);
	if (t->easy)
		curl_easy_cleanup(t->easy);
	memset(t, 0, sizeof(*t));
}
