/*
 * Redaction of a secret in each spelling it travels in. The encoded forms
 * are made by the code that makes them on the wire (libcurl's escaping and
 * URL API, libxml2's and jansson's escaping, OpenSSL's base64) or, for
 * techweek's own form encoder and for servers' habits, written out here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <libxml/entities.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/redact.h"
#include "techweek/error.h"

/* Every character some encoding changes: space, quotes, @ & < > ~ * \ /,
 * and a two-byte UTF-8 character. */
#define ODD "Op3n \"s@y\" <me>&~\\x2/I\xc3\x9f'*"

static tw_redact odd(void)
{
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, ODD), TW_OK);
	return r;
}

/* before + encoded + after, redacted, is before + *** + after. */
static void assert_masked(const tw_redact *r, const char *before, const char *encoded,
			  const char *after)
{
	size_t n = strlen(before) + strlen(encoded) + strlen(after) + 1;
	char *text = malloc(n), *want = malloc(n + 3);
	snprintf(text, n, "%s%s%s", before, encoded, after);
	snprintf(want, n + 3, "%s%s%s", before, TW_REDACTED, after);
	char *got = tw_redact_apply(r, text);
	if (!got || strcmp(got, want) != 0)
		fail_msg("%s\n  became %s\n  wanted %s", text, got ? got : "(null)", want);
	free(got);
	free(text);
	free(want);
}

static void as_is(void **state)
{
	(void)state;
	tw_redact r = odd();
	assert_masked(&r, "card ", ODD, " ok");
	assert_masked(&r, "", ODD, "");
	tw_redact_free(&r);
}

static char *lower_hex(const char *s)
{
	char *l = strdup(s);
	for (char *p = l; *p; p++)
		if (p[0] == '%' && p[1] && p[2]) {
			p[1] = (char)tolower((unsigned char)p[1]);
			p[2] = (char)tolower((unsigned char)p[2]);
		}
	return l;
}

/* curl_easy_escape: %20 for a space, upper-case hex; and the same in
 * lower case, as some servers echo it. */
static void percent_encoded_by_libcurl(void **state)
{
	(void)state;
	tw_redact r = odd();
	char *e = curl_easy_escape(NULL, ODD, 0);
	assert_non_null(strstr(e, "%20"));
	assert_masked(&r, "/x?q=", e, "&n=1");
	char *l = lower_hex(e);
	assert_masked(&r, "/x?q=", l, "&n=1");
	free(l);
	curl_free(e);
	tw_redact_free(&r);
}

/* A query parameter as the runner and the IVR caller append it: libcurl's
 * URL API, '+' for a space and lower-case hex. */
static void percent_encoded_in_a_query_by_the_url_api(void **state)
{
	(void)state;
	tw_redact r = odd();
	CURLU *h = curl_url();
	assert_int_equal(curl_url_set(h, CURLUPART_URL, "http://127.0.0.1/echo", 0), CURLUE_OK);
	assert_int_equal(curl_url_set(h, CURLUPART_QUERY, "q=" ODD,
				      CURLU_APPENDQUERY | CURLU_URLENCODE),
			 CURLUE_OK);
	char *url = NULL;
	assert_int_equal(curl_url_get(h, CURLUPART_URL, &url, 0), CURLUE_OK);
	assert_null(strchr(url, ' '));
	char *got = tw_redact_apply(&r, url);
	assert_string_equal(got, "http://127.0.0.1/echo?q=" TW_REDACTED);
	free(got);
	curl_free(url);
	curl_url_cleanup(h);
	tw_redact_free(&r);
}

/* application/x-www-form-urlencoded: the runner's encoder ('*' bare, '~'
 * escaped, '+' for a space) and a form's (libcurl's escaping, then '+'). */
static void form_encoded(void **state)
{
	(void)state;
	tw_redact r = odd();
	assert_masked(&r, "a=1&q=",
		      "Op3n+%22s%40y%22+%3Cme%3E%26%7E%5Cx2%2FI%C3%9F%27*", "&b=2");
	assert_masked(&r, "a=1&q=",
		      "Op3n+%22s%40y%22+%3Cme%3E%26~%5Cx2%2FI%C3%9F%27%2A", "&b=2");
	assert_masked(&r, "a=1&q=",
		      "Op3n+%22s%40y%22+%3cme%3e%26~%5cx2%2fI%c3%9f%27%2a", "&b=2");
	tw_redact_free(&r);
}

/* What the secret becomes in a page: libxml2's escaping, and the forms
 * other servers write for quotes and other characters. */
static void html_escaped(void **state)
{
	(void)state;
	tw_redact r = odd();
	xmlChar *x = xmlEncodeSpecialChars(NULL, (const xmlChar *)ODD);
	assert_non_null(strstr((char *)x, "&lt;me&gt;&amp;"));
	assert_masked(&r, "<p>", (const char *)x, "</p>");
	xmlFree(x);
	assert_masked(&r, "<p>",
		      "Op3n &#34;s@y&#34; &lt;me&gt;&amp;~\\x2/I\xc3\x9f&#39;*", "</p>");
	assert_masked(&r, "<p title=\"",
		      "Op3n &quot;s@y&quot; &lt;me&gt;&amp;~\\x2/I&#xDF;&#x27;*", "\">");
	assert_masked(&r, "<p>",
		      "Op3n &quot;s@y&quot; &lt;me&gt;&amp;~\\x2/I&#223;&apos;*", "</p>");
	tw_redact_free(&r);
}

static void assert_json_masked(const tw_redact *r, const char *secret, size_t flags)
{
	json_t *s = json_string(secret);
	char *j = json_dumps(s, JSON_ENCODE_ANY | flags);
	j[strlen(j) - 1] = '\0'; /* the string's quotes stay */
	assert_masked(r, "{\"q\":\"", j + 1, "\"}");
	free(j);
	json_decref(s);
}

/* A JSON string, as jansson writes it: \" and \\, and with the options
 * \uXXXX for non-ASCII (surrogate pairs past U+FFFF) and \/ for '/'. */
static void json_escaped(void **state)
{
	(void)state;
	tw_redact r = odd();
	assert_json_masked(&r, ODD, 0);
	assert_json_masked(&r, ODD, JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH);
	tw_redact_free(&r);

	tw_redact t = {0};
	const char *tabbed = "key\t\xf0\x9f\x98\x80value\n";
	assert_int_equal(tw_redact_add(&t, tabbed), TW_OK);
	assert_json_masked(&t, tabbed, 0);
	assert_json_masked(&t, tabbed, JSON_ENSURE_ASCII);
	tw_redact_free(&t);
}

/* Authorization: Basic base64(user:secret) for user names of every length
 * modulo 3: what is left is the user's own characters and the padding. */
static void assert_basic_masked(const tw_redact *r, const char *user, const char *secret)
{
	char creds[256], enc[400], header[420];
	int n = snprintf(creds, sizeof(creds), "%s:%s", user, secret);
	EVP_EncodeBlock((unsigned char *)enc, (const unsigned char *)creds, n);
	snprintf(header, sizeof(header), "Basic %s", enc);
	char *got = tw_redact_apply(r, header);
	/* The characters made only of the user's bits stay. */
	size_t kept = 8 * (strlen(user) + 1) / 6;
	char want[420];
	snprintf(want, sizeof(want), "Basic %.*s" TW_REDACTED "%s", (int)kept, enc,
		 enc + strcspn(enc, "="));
	if (strcmp(got, want) != 0)
		fail_msg("%s\n  became %s\n  wanted %s", header, got, want);
	free(got);
}

static void base64_of_credentials(void **state)
{
	(void)state;
	tw_redact r = odd();
	assert_int_equal(tw_redact_add(&r, "lovelace"), TW_OK);
	const char *users[] = {"", "a", "ad", "ada", "shopper", "shopper1"};
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		assert_basic_masked(&r, users[i], "lovelace");
		assert_basic_masked(&r, users[i], ODD);
	}
	tw_redact_free(&r);
}

/* Base64 of a secret under 6 bytes is too few characters of its own to
 * tell from other base64: it is left alone (the secret itself is not). */
static void base64_of_a_short_secret_is_left_alone(void **state)
{
	(void)state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, "pin12"), TW_OK);
	char *got = tw_redact_apply(&r, "Basic dTpwaW4xMg== pin12");
	assert_string_equal(got, "Basic dTpwaW4xMg== " TW_REDACTED);
	free(got);
	tw_redact_free(&r);
}

/* A secret holding what looks like an escape still masks itself. */
static void lookalike_escapes_in_a_secret(void **state)
{
	(void)state;
	tw_redact r = {0};
	const char *s = "50%41+&amp;\\n";
	assert_int_equal(tw_redact_add(&r, s), TW_OK);
	assert_masked(&r, "[", s, "]");
	assert_masked(&r, "[", "50%2541%2B%26amp%3B%5Cn", "]");
	tw_redact_free(&r);
}

/* Text that only resembles a secret's encoding is left as it is. */
static void near_misses_stay(void **state)
{
	(void)state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, "a b&c"), TW_OK);
	const char *texts[] = {"a+b&d", "a%20b%26", "a b&amp", "a&#32;b&#x26c", "a\\u0020b"};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *got = tw_redact_apply(&r, texts[i]);
		assert_string_equal(got, texts[i]);
		free(got);
	}
	tw_redact_free(&r);
}

/* tw_redact_span: the bytes of one spelling from a position, the longest
 * of several; the reach bounds them all. */
static void span_and_reach(void **state)
{
	(void)state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_span(NULL, "x", 1, 0), 0);
	assert_int_equal(tw_redact_reach(NULL), 0);
	assert_int_equal(tw_redact_add(&r, "4111"), TW_OK);
	assert_int_equal(tw_redact_add(&r, "4111-2222"), TW_OK);
	const char *t = "card 4111-2222 and %34111";
	size_t n = strlen(t);
	assert_int_equal(tw_redact_span(&r, t, n, 4), 0);
	assert_int_equal(tw_redact_span(&r, t, n, 5), 9);
	assert_int_equal(tw_redact_span(&r, t, n, 19), 6);
	assert_int_equal(tw_redact_span(&r, t, 22, 19), 0); /* cut short */
	assert_true(tw_redact_reach(&r) >= strlen("&#x0000034;") * 9);
	tw_redact_free(&r);
}

/* ---- quotes cut after masking ---- */

/* text quoted with max, as tw_redact_message shows it with r. */
static char *shown_quote(const tw_redact *r, const char *before, const char *text, size_t max)
{
	tw_buf b;
	tw_buf_init(&b, 1 << 20);
	assert_int_equal(tw_buf_puts(&b, before), TW_OK);
	assert_int_equal(tw_redact_put_quoted(&b, text, max), TW_OK);
	assert_int_equal(tw_buf_puts(&b, " after"), TW_OK);
	char *out = tw_redact_message(r, tw_buf_str(&b));
	assert_non_null(out);
	tw_buf_free(&b);
	return out;
}

static void quotes_without_secrets_read_as_tw_buf_put_quoted(void **state)
{
	(void)state;
	const char *texts[] = {"", "Home", "caf\xc3\xa9 \xe2\x80\x94 40 characters or so, cut here",
			       "\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95"};
	size_t maxes[] = {0, 1, 2, 4, 40, 200};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (size_t j = 0; j < sizeof(maxes) / sizeof(maxes[0]); j++) {
			tw_buf want;
			tw_buf_init(&want, 1 << 20);
			tw_buf_puts(&want, "link ");
			tw_buf_put_quoted(&want, texts[i], maxes[j]);
			tw_buf_puts(&want, " after");
			char *got = shown_quote(NULL, "link ", texts[i], maxes[j]);
			assert_string_equal(got, tw_buf_str(&want));
			free(got);
			tw_buf_free(&want);
		}
	/* several quotes in one message, and the one-string form */
	char *q = tw_redact_quote("Margherita", 3);
	assert_non_null(q);
	tw_buf b;
	tw_buf_init(&b, 1 << 20);
	tw_buf_printf(&b, "%s or %s", q, q);
	char *out = tw_redact_message(NULL, tw_buf_str(&b));
	assert_string_equal(out, "'Mar\xe2\x80\xa6' or 'Mar\xe2\x80\xa6'");
	free(out);
	free(q);
	tw_buf_free(&b);
	assert_null(tw_redact_message(NULL, NULL));
}

static void a_quote_is_masked_before_it_is_cut(void **state)
{
	(void)state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, "4111111111111111"), TW_OK);
	/* the cut (10) falls inside the secret: all of it is masked */
	char *out = shown_quote(&r, "", "pppzz4111111111111111 tail", 10);
	assert_string_equal(out, "'pppzz*** t\xe2\x80\xa6' after");
	free(out);
	/* and in an encoded spelling */
	out = shown_quote(&r, "", "/x?c=4111%31" "11111111111", 8);
	assert_string_equal(out, "'/x?c=***' after");
	free(out);
	/* the cut may fall inside the mask, never inside the secret */
	out = shown_quote(&r, "", "ab4111111111111111", 3);
	assert_string_equal(out, "'ab*\xe2\x80\xa6' after");
	free(out);
	tw_redact_free(&r);
}

static void marks_survive_secrets_and_text(void **state)
{
	(void)state;
	tw_redact r = {0};
	/* digits and the marks' own bytes as secrets: no mark is masked */
	assert_int_equal(tw_redact_add(&r, "4"), TW_OK);
	assert_int_equal(tw_redact_add(&r, "20"), TW_OK);
	assert_int_equal(tw_redact_add(&r, "se\x1e\x1f" "cret"), TW_OK);
	char *out = shown_quote(&r, "", "a4 b20 se\x1e\x1f" "cret and more text", 20);
	assert_string_equal(out, "'a*** b*** *** and mo\xe2\x80\xa6' after");
	free(out);
	tw_redact_free(&r);

	/* a mark's bytes in the quoted text are written as escapes */
	out = shown_quote(NULL, "", "a\x1e" "b\x1f" "c", 40);
	assert_string_equal(out, "'a%1Eb%1Fc' after");
	free(out);
	/* bytes that only look like marks are left as they are */
	out = tw_redact_message(NULL, "x\x1e\x12y\x1e z\x1f");
	assert_string_equal(out, "x\x1e\x12y\x1e z\x1f");
	free(out);
}

/* issue 13, F2 (R3, R4): a batch of many secrets masks as adding each
 * does, a secret added twice is one pattern, and a given secret under
 * TW_REDACT_MIN_GIVEN bytes is skipped. No timing: the cost is counted in
 * patterns, and the report quotes the figures. */
static void batch_and_given_secrets(void **state)
{
	(void)state;
	tw_redact one = {0}, many = {0};
	char secret[32];
	tw_redact_batch_begin(&many);
	for (int i = 0; i < 2000; i++) {
		snprintf(secret, sizeof(secret), "pw-%06d-xyz", i);
		assert_int_equal(tw_redact_add(&one, secret), TW_OK);
		assert_int_equal(tw_redact_add_given(&many, secret, strlen(secret)), TW_OK);
		/* the same value in another row: nothing new */
		assert_int_equal(tw_redact_add_given(&many, secret, strlen(secret)), TW_OK);
	}
	assert_int_equal(tw_redact_batch_end(&many), TW_OK);
	assert_int_equal(many.count, one.count);
	assert_int_equal(many.reach, one.reach);
	const char *text = "a pw-001999-xyz, cHctMDAxOTk5LXh5eg== and pw%2D000007%2Dxyz";
	char *a = tw_redact_apply(&one, text), *b = tw_redact_apply(&many, text);
	assert_string_equal(a, b);
	assert_null(strstr(b, "001999"));
	assert_null(strstr(b, "000007"));
	free(a);
	free(b);
	/* short given secrets are not masked ("1" would mask 127.0.0.1) */
	tw_redact short_ones = {0};
	assert_int_equal(tw_redact_add_given(&short_ones, "12", 2), TW_OK);
	assert_int_equal(tw_redact_add_given(&short_ones, "abcdef", 3), TW_OK);
	assert_int_equal(short_ones.count, 0);
	assert_int_equal(tw_redact_add_given(&short_ones, "1234", 4), TW_OK);
	char *c = tw_redact_apply(&short_ones, "127.0.0.1 1234");
	assert_string_equal(c, "127.0.0.1 ***");
	free(c);
	tw_redact_free(&one);
	tw_redact_free(&many);
	tw_redact_free(&short_ones);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(as_is),
		cmocka_unit_test(percent_encoded_by_libcurl),
		cmocka_unit_test(percent_encoded_in_a_query_by_the_url_api),
		cmocka_unit_test(form_encoded),
		cmocka_unit_test(html_escaped),
		cmocka_unit_test(json_escaped),
		cmocka_unit_test(base64_of_credentials),
		cmocka_unit_test(base64_of_a_short_secret_is_left_alone),
		cmocka_unit_test(lookalike_escapes_in_a_secret),
		cmocka_unit_test(near_misses_stay),
		cmocka_unit_test(span_and_reach),
		cmocka_unit_test(quotes_without_secrets_read_as_tw_buf_put_quoted),
		cmocka_unit_test(a_quote_is_masked_before_it_is_cut),
		cmocka_unit_test(marks_survive_secrets_and_text),
		cmocka_unit_test(batch_and_given_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
