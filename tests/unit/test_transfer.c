/*
 * tw_transfer reuses one easy handle (curl_easy_reset) for every transfer
 * of a slot, customer after customer (issue 15, decision 2). What one
 * transfer set must never reach the next: neither a jar's cookies another
 * jar's customer would send, nor a request's method, body, headers,
 * redirect rule, timeout, HTTP version or script cookies. Each test sends
 * a request that sets something, then one that does not, on the same
 * tw_transfer, to a libmicrohttpd server on loopback that answers with
 * what it received.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "channels/web/transfer.h"
#include "techweek/global.h"

/* What the server received, accumulated per request (con_cls). */
typedef struct upload {
	char body[256];
	size_t len;
} upload;

/* How many lines of a name the request had, and the first's value. */
typedef struct counted {
	const char *name;
	int n;
	const char *value;
} counted;

static enum MHD_Result count_line(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	(void)kind;
	counted *c = cls;
	if (strcasecmp(key, c->name) == 0 && c->n++ == 0)
		c->value = value;
	return MHD_YES;
}

static enum MHD_Result echo(struct MHD_Connection *c, const char *url, const char *method,
			    const char *version, const upload *up)
{
	counted agent = {"User-Agent", 0, "-"}, encoding = {"Accept-Encoding", 0, "-"};
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_line, &agent);
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_line, &encoding);
	const char *cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
	const char *custom = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Custom");
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	const char *referer = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Referer");
	const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	char text[1024];
	snprintf(text, sizeof(text),
		 "path=%s agents=%d agent=%s encodings=%d encoding=%s "
		 "method=%s version=%s cookie=%s custom=%s accept=%s referer=%s length=%s body=%.*s",
		 url, agent.n, agent.value, encoding.n, encoding.value, method, version,
		 cookie ? cookie : "-", custom ? custom : "-", accept ? accept : "-",
		 referer ? referer : "-", length ? length : "-", (int)up->len, up->body);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "text/plain");
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *size, void **con_cls)
{
	(void)cls;
	upload *up = *con_cls;
	if (!up) {
		*con_cls = up = calloc(1, sizeof(*up));
		return up ? MHD_YES : MHD_NO;
	}
	if (*size) {
		size_t n = *size < sizeof(up->body) - up->len ? *size : sizeof(up->body) - up->len;
		memcpy(up->body + up->len, data, n);
		up->len += n;
		*size = 0;
		return MHD_YES;
	}
	struct MHD_Response *r;
	enum MHD_Result rc;
	if (strcmp(url, "/set") == 0) {
		/* /set?v=X: the jar gets k=X */
		const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "v");
		char line[128];
		snprintf(line, sizeof(line), "k=%s; Path=/", v ? v : "");
		r = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Set-Cookie", line);
		rc = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return rc;
	}
	if (strcmp(url, "/redirect") == 0) {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Location", "/echo");
		rc = MHD_queue_response(c, MHD_HTTP_FOUND, r);
		MHD_destroy_response(r);
		return rc;
	}
	if (strcmp(url, "/gzip") == 0) {
		/* "unzipped text", gzip'd */
		static const unsigned char gz[] = {
			0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x2b,
			0xcd, 0xab, 0xca, 0x2c, 0x28, 0x48, 0x4d, 0x51, 0x28, 0x49, 0xad,
			0x28, 0x01, 0x00, 0x5a, 0x38, 0xa5, 0x95, 0x0d, 0x00, 0x00, 0x00};
		r = MHD_create_response_from_buffer(sizeof(gz), (void *)gz, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Encoding", "gzip");
		rc = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return rc;
	}
	if (strcmp(url, "/slow") == 0)
		usleep(300 * 1000); /* longer than the 50 ms a request allows itself */
	return echo(c, url, method, version, up);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

typedef struct world {
	struct MHD_Daemon *daemon;
	char base[64];
	tw_run_options opts;
	tw_transfer t;
	tw_transfer_common common;
	tw_response resp;
	CURLSH *jar;
} world;

static int setup(void **state)
{
	world *w = calloc(1, sizeof(*w));
	if (!w || tw_global_init() < 0)
		return -1;
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	w->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
				     0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR,
				     (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
				     completed, NULL, MHD_OPTION_END);
	if (!w->daemon)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(w->base, sizeof(w->base), "http://127.0.0.1:%u", (unsigned)info->port);
	tw_run_options o = TW_RUN_OPTIONS_INIT;
	w->opts = o;
	w->opts.connect_timeout_ms = 10000;
	w->opts.timeout_ms = 30000;
	w->opts.max_redirects = 10;
	/* As a run's customers: the common lines at the tail of the list. */
	tw_error err = {0};
	if (tw_transfer_common_init(&w->common, "techweek/test", &err) != TW_OK)
		return -1;
	w->t.common = &w->common;
	tw_response_init(&w->resp, 1 << 20);
	w->jar = tw_transfer_jar_new();
	if (!w->jar)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;
	tw_transfer_free(&w->t);
	tw_transfer_common_free(&w->common);
	tw_response_free(&w->resp);
	curl_share_cleanup(w->jar);
	MHD_stop_daemon(w->daemon);
	tw_global_cleanup();
	free(w);
	return 0;
}

/* A request to path on the test server; the caller adds to it. */
static tw_http_request request(world *w, const char *method, const char *path)
{
	tw_http_request req = {0};
	char url[256];
	snprintf(url, sizeof(url), "%s%s", w->base, path);
	assert_int_equal(tw_http_request_set(&req, method, url), TW_OK);
	return req;
}

/* Sends req on w->t with jar and frees it; the transfer's result. */
static int send_on(world *w, CURLSH *jar, tw_http_request *req)
{
	tw_error err = {0};
	assert_int_equal(tw_transfer_start(&w->t, jar, &w->resp, req, &w->opts, NULL, &err), TW_OK);
	CURLcode res = curl_easy_perform(w->t.easy);
	bool unreachable = false;
	int rc = tw_transfer_done(&w->t, res, &unreachable, &err);
	tw_error_clear(&err);
	tw_http_request_free(req);
	return rc;
}

static const char *body(world *w)
{
	return w->resp.body.data ? w->resp.body.data : "";
}

static void has(world *w, const char *part)
{
	if (!strstr(body(w), part))
		fail_msg("'%s' not in '%s'", part, body(w));
}

/* One handle, three jars in turn: a customer's jar is the only one its
 * requests read, even after the jar before it was freed. */
static void test_jars_never_mix(void **state)
{
	world *w = *state;
	CURLSH *a = tw_transfer_jar_new(), *b = tw_transfer_jar_new();
	assert_non_null(a);
	assert_non_null(b);
	tw_http_request req = request(w, "GET", "/set?v=a");
	assert_int_equal(send_on(w, a, &req), TW_OK);
	CURL *first = w->t.easy;
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, a, &req), TW_OK);
	has(w, "cookie=k=a ");
	/* customer A ends; B takes the slot */
	tw_transfer_cleanup(&w->t);
	assert_int_equal(curl_share_cleanup(a), CURLSHE_OK); /* detached: freed */
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, b, &req), TW_OK);
	has(w, "cookie=- ");
	assert_ptr_equal(w->t.easy, first); /* the same handle, reused */
	req = request(w, "GET", "/set?v=b");
	assert_int_equal(send_on(w, b, &req), TW_OK);
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, b, &req), TW_OK);
	has(w, "cookie=k=b ");
	/* and a third customer, whose jar starts empty */
	tw_transfer_cleanup(&w->t);
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "cookie=- ");
	tw_transfer_cleanup(&w->t);
	assert_int_equal(curl_share_cleanup(b), CURLSHE_OK);
}

static void test_post_then_get(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "POST", "/echo");
	assert_int_equal(tw_http_request_set_body(&req, "a=1", 3), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=POST ");
	has(w, "body=a=1");
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=GET ");
	has(w, "length=- body=");
	assert_null(strstr(body(w), "a=1"));
}

static void test_methods_do_not_stay(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "PUT", "/echo");
	assert_int_equal(tw_http_request_set_body(&req, "x", 1), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=PUT ");
	req = request(w, "HEAD", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	assert_int_equal(w->resp.body.len, 0);
	req = request(w, "DELETE", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=DELETE ");
	req = request(w, "GET", "/echo"); /* a body again after HEAD's NOBODY */
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=GET ");
	/* a multipart POST, then a POST without a body */
	req = request(w, "POST", "/echo");
	assert_int_equal(tw_http_request_add_part(&req, "f", "v", false, NULL, NULL), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "name=\"f\"");
	req = request(w, "POST", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=POST ");
	has(w, "length=0 body=");
}

static void test_headers_do_not_stay(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "GET", "/echo");
	assert_int_equal(tw_http_request_add_header(&req, "X-Custom", "one"), TW_OK);
	assert_int_equal(tw_http_request_add_header(&req, "Cookie", "script=1"), TW_OK);
	req.navigation = true;
	req.referrer = strdup("http://127.0.0.1/from");
	assert_non_null(req.referrer);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "cookie=script=1 ");
	has(w, "custom=one ");
	has(w, "accept=text/html");
	has(w, "referer=http://127.0.0.1/ "); /* cross-origin: the origin only */
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "cookie=- custom=- accept=*/* referer=- ");
}

static void test_follow_does_not_stay(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "GET", "/redirect");
	req.follow = 1;
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	assert_int_equal(w->resp.status, 200);
	req = request(w, "GET", "/redirect");
	req.follow = -1;
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	assert_int_equal(w->resp.status, 302);
	/* --no-follow's run, then a step that follows, then the run's rule */
	w->opts.no_follow = true;
	req = request(w, "GET", "/redirect");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	assert_int_equal(w->resp.status, 302);
	w->opts.no_follow = false;
	req = request(w, "GET", "/redirect");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	assert_int_equal(w->resp.status, 200);
}

static void test_version_and_timeout_do_not_stay(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "GET", "/echo");
	req.http_version = 10;
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "version=HTTP/1.0 ");
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "version=HTTP/1.1 ");
	/* A step's own timeout: the next step has the run's. */
	req = request(w, "GET", "/slow");
	req.timeout_ms = 50;
	assert_int_equal(send_on(w, w->jar, &req), TW_ETRANSPORT);
	req = request(w, "GET", "/slow");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=GET ");
}

/* A start that fails half way (a part's file cannot be read) left a body
 * and a method set on the handle: the next request has neither. */
static void test_reuse_after_failed_start(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "POST", "/echo");
	assert_int_equal(tw_http_request_add_part(&req, "f", "/nonexistent/file", true, NULL, NULL),
			 TW_OK);
	tw_error err = {0};
	assert_int_equal(tw_transfer_start(&w->t, w->jar, &w->resp, &req, &w->opts, NULL, &err),
			 TW_EIO);
	tw_error_clear(&err);
	tw_http_request_free(&req);
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "method=GET ");
	has(w, "length=- body=");
}

/* issue 15: User-Agent and Accept-Encoding are the run's common lines,
 * linked at the tail of each request's list: sent once each, replaced by
 * the script's own, never left on the list for the next request, and the
 * answer still decoded. */
static void test_common_lines(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "agents=1 agent=techweek/test encodings=1 encoding=deflate, gzip");
	req = request(w, "GET", "/echo");
	assert_int_equal(tw_http_request_add_header(&req, "X-Custom", "one"), TW_OK);
	assert_int_equal(tw_http_request_add_header(&req, "User-Agent", "mine"), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "custom=one ");
	has(w, "agents=1 agent=mine encodings=1 encoding=deflate, gzip");
	req = request(w, "GET", "/echo");
	assert_int_equal(tw_http_request_add_header(&req, "accept-encoding", "identity"), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "agents=1 agent=techweek/test encodings=1 encoding=identity method=");
	req = request(w, "GET", "/echo");
	assert_int_equal(tw_http_request_add_header(&req, "User-Agent", "mine"), TW_OK);
	assert_int_equal(tw_http_request_add_header(&req, "Accept-Encoding", "identity"), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "agents=1 agent=mine encodings=1 encoding=identity method=");
	/* After a redirect too: the list is read again for the next hop. */
	req = request(w, "GET", "/redirect");
	req.follow = 1;
	assert_int_equal(tw_http_request_add_header(&req, "X-Custom", "two"), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "custom=two ");
	has(w, "agents=1 agent=techweek/test encodings=1 encoding=deflate, gzip");
	req = request(w, "GET", "/echo");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "custom=- ");
	has(w, "agents=1 agent=techweek/test encodings=1 ");
	req = request(w, "GET", "/gzip");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	assert_string_equal(body(w), "unzipped text");
}

/* issue 15: a plain request after a plain one with the same options keeps
 * the handle's options (no reset): only the URL, the jar and the header
 * lines change, and each must change. */
static void test_plain_requests_change_what_they_must(void **state)
{
	world *w = *state;
	tw_http_request req = request(w, "GET", "/echo/1");
	assert_int_equal(tw_http_request_add_header(&req, "X-Custom", "one"), TW_OK);
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "path=/echo/1 ");
	has(w, "custom=one ");
	req = request(w, "GET", "/echo/2");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "path=/echo/2 ");
	has(w, "custom=- ");
	/* A URL given parsed (a step memo's), then as text, then parsed:
	 * each goes where it says. */
	char text[128];
	snprintf(text, sizeof(text), "%s/echo/parsed", w->base);
	CURLU *h = curl_url();
	assert_non_null(h);
	assert_int_equal(curl_url_set(h, CURLUPART_URL, text, 0), CURLUE_OK);
	char text2[128];
	snprintf(text2, sizeof(text2), "%s/echo/text", w->base);
	req = request(w, "GET", "/echo/parsed");
	req.parsed_url = h;
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "path=/echo/parsed ");
	assert_string_equal(w->resp.url, text); /* where the page is */
	req = request(w, "GET", "/echo/text");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "path=/echo/text ");
	assert_string_equal(w->resp.url, text2);
	req = request(w, "GET", "/echo/parsed");
	req.parsed_url = h;
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "path=/echo/parsed ");
	assert_string_equal(w->resp.url, text);
	/* Two parsed URLs in turn. */
	CURLU *h2 = curl_url();
	assert_non_null(h2);
	assert_int_equal(curl_url_set(h2, CURLUPART_URL, text2, 0), CURLUE_OK);
	req = request(w, "GET", "/echo/text");
	req.parsed_url = h2;
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "path=/echo/text ");
	assert_string_equal(w->resp.url, text2);
	curl_url_cleanup(h2);
	/* A jar's cookies, then another jar's: the share is set again. */
	req = request(w, "GET", "/set?v=mine");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	CURLSH *other = tw_transfer_jar_new();
	assert_non_null(other);
	req = request(w, "GET", "/echo/3");
	assert_int_equal(send_on(w, other, &req), TW_OK);
	has(w, "cookie=- ");
	req = request(w, "GET", "/echo/4");
	assert_int_equal(send_on(w, w->jar, &req), TW_OK);
	has(w, "cookie=k=mine ");
	tw_transfer_cleanup(&w->t);
	curl_share_cleanup(other);
	curl_url_cleanup(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_jars_never_mix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_then_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_methods_do_not_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_headers_do_not_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_does_not_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_and_timeout_do_not_stay, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reuse_after_failed_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_common_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_requests_change_what_they_must, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
