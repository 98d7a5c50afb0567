/*
 * Reading pages as a customer: visible text, title, base URL, URL
 * resolution and link clicking, on real HTML parsed the way the web channel
 * parses it (libxml2's HTML parser, recovering, silent, no network).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>

#include "channels/web/html.h"
#include "channels/web/referrer.h"
#include "core/redact.h"

#define PAGE "http://stage.test:8080/pizza/margherita"

static xmlDocPtr parse(const char *html)
{
	xmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), PAGE, "UTF-8",
				       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
					       HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	assert_non_null(doc);
	return doc;
}

static void assert_text(const char *html, const char *want)
{
	xmlDocPtr doc = parse(html);
	char *text = tw_html_text(xmlDocGetRootElement(doc));
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	xmlFreeDoc(doc);
}

/* ---- visible text ---- */

static void text_leaves_out_what_is_never_shown(void **state)
{
	(void)state;
	assert_text("<!DOCTYPE html><html><head><title>Stage Pizza</title>"
		    "<style>body { color: red }</style><script>var menu = 'secret';</script></head>"
		    "<body><h1>Today's menu</h1><script>document.write('nope')</script>"
		    "<style>.x{}</style><template><p>template text</p></template>"
		    "<!-- a comment --><p hidden>not yet</p>"
		    "<input name=q value='typed value'><p>Margherita</p></body></html>",
		    "Today's menu Margherita");
}

static void text_collapses_whitespace_and_decodes_entities(void **state)
{
	(void)state;
	assert_text("<body><p>  Fish&nbsp;&amp;&nbsp;chips \n\t for &pound;5&#8202;</p>"
		    "<p>caf\xc3\xa9&nbsp;&nbsp;au&#160;lait</p></body>",
		    "Fish & chips for \xc2\xa3" "5\xe2\x80\x8a caf\xc3\xa9 au lait");
}

static void text_separates_blocks_but_not_inline_tags(void **state)
{
	(void)state;
	assert_text("<body><div>one</div><div>two</div>three<br>four"
		    "<ul><li>Mar<b>gher</b><i>ita</i></li><li>Marinara</li></ul>"
		    "<table><tr><td>Small</td><td>9.50</td></tr></table>"
		    "<h2>Total</h2><span>12</span><span>.50</span></body>",
		    "one two three four Margherita Marinara Small 9.50 Total 12.50");
}

static void text_keeps_noscript_because_no_scripts_run(void **state)
{
	(void)state;
	assert_text("<body><noscript>Please enable JavaScript</noscript><p>Menu</p></body>",
		    "Please enable JavaScript Menu");
}

static void text_of_nodes_documents_and_nothing(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<p id=p>Hello <b>there</b></p>");
	char *t = tw_html_text((xmlNodePtr)doc);
	assert_string_equal(t, "Hello there");
	free(t);
	xmlNodePtr p = xmlDocGetRootElement(doc)->children->children;
	t = tw_html_text(p->children); /* the text node "Hello " */
	assert_string_equal(t, "Hello");
	free(t);
	t = tw_html_text(NULL);
	assert_string_equal(t, "");
	free(t);
	xmlFreeDoc(doc);

	t = tw_html_collapse("  a \t b\xc2\xa0\xc2\xa0" "c  ");
	assert_string_equal(t, "a b c");
	free(t);
}

static void label_text_leaves_out_the_controls_inside(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<label id=l> Size <select name=size><option>Small</option>"
			      "<option>Large</option></select> (cm)</label>");
	xmlNodePtr label = xmlDocGetRootElement(doc)->children->children;
	char *t = tw_html_label_text(label);
	assert_string_equal(t, "Size (cm)");
	free(t);
	t = tw_html_text(label);
	assert_string_equal(t, "Size Small Large (cm)");
	free(t);
	xmlFreeDoc(doc);
}

/* ---- title and base URL ---- */

static void title_is_collapsed_or_null(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<html><head><title>\n  Margherita &mdash;\n Stage Pizza </title>"
			      "</head><body><svg><title>icon</title></svg></body></html>");
	char *t = tw_html_title(doc);
	assert_string_equal(t, "Margherita \xe2\x80\x94 Stage Pizza");
	free(t);
	xmlFreeDoc(doc);

	doc = parse("<body><svg><title>icon</title></svg><p>no title</p></body>");
	assert_null(tw_html_title(doc));
	xmlFreeDoc(doc);
	assert_null(tw_html_title(NULL));
}

static void base_url_comes_from_base_href(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<head><base href='/shop/'><base href='/ignored/'></head><p>x</p>");
	char *b = tw_html_base_url(doc, PAGE);
	assert_string_equal(b, "http://stage.test:8080/shop/");
	free(b);
	xmlFreeDoc(doc);

	doc = parse("<head><base target=_blank><base href='https://cdn.test/a/b#x'></head>");
	b = tw_html_base_url(doc, PAGE);
	assert_string_equal(b, "https://cdn.test/a/b");
	free(b);
	xmlFreeDoc(doc);

	doc = parse("<p>no base</p>");
	b = tw_html_base_url(doc, PAGE);
	assert_string_equal(b, PAGE);
	free(b);
	xmlFreeDoc(doc);

	/* an unusable base is ignored, as browsers do */
	doc = parse("<head><base href='javascript:alert(1)'></head>");
	b = tw_html_base_url(doc, PAGE);
	assert_string_equal(b, PAGE);
	free(b);
	xmlFreeDoc(doc);
}

/* issue 12: a meta refresh as the HTML standard reads its content. */
static void assert_refresh(const char *html, const char *want)
{
	xmlDocPtr doc = parse(html);
	char *url = (char *)1;
	assert_int_equal(tw_html_meta_refresh(doc, PAGE, &url), TW_OK);
	if (want)
		assert_string_equal(url, want);
	else
		assert_null(url);
	free(url);
	xmlFreeDoc(doc);
}

static void meta_refresh_names_where_the_page_moves_on(void **state)
{
	(void)state;
	assert_refresh("<head><meta http-equiv=\"refresh\" content=\"0; url=/next\"></head>",
		       "http://stage.test:8080/next");
	assert_refresh("<head><meta http-equiv=REFRESH content=\"5;URL='done?x=1'\"></head>",
		       "http://stage.test:8080/pizza/done?x=1");
	assert_refresh("<head><meta http-equiv=refresh content=\"2, https://other.test/a\"></head>",
		       "https://other.test/a");
	assert_refresh("<head><base href='/shop/'><meta http-equiv=refresh content='0;url=cart'>"
		       "</head>",
		       "http://stage.test:8080/shop/cart");
	/* A reload names no URL; no refresh; a scheme no customer follows. */
	assert_refresh("<head><meta http-equiv=refresh content=30></head>", NULL);
	assert_refresh("<head><meta name=refresh content='0; url=/x'></head>", NULL);
	assert_refresh("<head><meta http-equiv=refresh content='0; url=javascript:x()'></head>",
		       NULL);
}

/* ---- URL resolution ---- */

static void assert_resolves(const char *base, const char *ref, const char *want)
{
	char *out = NULL;
	tw_error err = {0};
	int rc = tw_url_resolve(base, ref, &out, &err);
	if (rc != TW_OK)
		fail_msg("'%s' against '%s': %s", ref, base ? base : "(null)", err.message);
	assert_string_equal(out, want);
	free(out);
}

static void assert_unresolved(const char *base, const char *ref, const char *message)
{
	char *out = (char *)"untouched";
	tw_error err = {0};
	assert_int_equal(tw_url_resolve(base, ref, &out, &err), TW_EUSAGE);
	assert_null(out);
	assert_int_equal(err.code, TW_EUSAGE);
	/* as a run shows it: its quotes cut (tw_redact_message) */
	char *shown = tw_redact_message(NULL, err.message);
	assert_string_equal(shown, message);
	free(shown);
	tw_error_clear(&err);
}

static void urls_resolve_like_a_browser(void **state)
{
	(void)state;
	const char *base = "http://stage.test:8080/pizza/margherita?size=l#top";
	assert_resolves(base, "../order", "http://stage.test:8080/order");
	assert_resolves(base, "marinara", "http://stage.test:8080/pizza/marinara");
	assert_resolves(base, "/menu?page=2#list", "http://stage.test:8080/menu?page=2");
	assert_resolves(base, "?size=s", "http://stage.test:8080/pizza/margherita?size=s");
	assert_resolves(base, "#reviews", "http://stage.test:8080/pizza/margherita?size=l");
	assert_resolves(base, "", "http://stage.test:8080/pizza/margherita?size=l");
	assert_resolves(base, "//cdn.test/x.png", "http://cdn.test/x.png");
	assert_resolves(base, "HTTPS://Pay.test/checkout", "https://Pay.test/checkout");
	assert_resolves(base, " \n /menu\t \r\n", "http://stage.test:8080/menu");
	assert_resolves(base, "/o\nr\tder", "http://stage.test:8080/order");
	assert_resolves(NULL, "http://stage.test/a#b", "http://stage.test/a");
	/* What a URL cannot hold is encoded, as in a browser's address bar;
	 * what has a meaning in it is not. */
	assert_resolves(base, "quattro formaggi?who=Ada Lovelace&x=%41",
			"http://stage.test:8080/pizza/quattro%20formaggi?who=Ada+Lovelace&x=%41");
	assert_resolves(NULL, "http://stage.test/caf\xc3\xa9 menu",
			"http://stage.test/caf%c3%a9%20menu");
}

static void urls_that_cannot_be_followed_are_errors(void **state)
{
	(void)state;
	assert_unresolved(PAGE, "mailto:orders@stage.test",
			  "'mailto:orders@stage.test' is not a web address a customer can follow "
			  "here (only http and https are)");
	assert_unresolved(PAGE, "ftp://files.stage.test/menu.pdf",
			  "'ftp://files.stage.test/menu.pdf' is not a web address a customer can "
			  "follow here (only http and https are)");
	assert_unresolved(PAGE, "http://[bad/",
			  "'http://[bad/' is not a valid URL relative to '" PAGE
			  "': Bad IPv6 address");
	assert_unresolved("not a url", "/x",
			  "'not a url' cannot be used as a base URL: Bad scheme");
	assert_unresolved(NULL, "/relative", "'/relative' is not a valid URL: Bad scheme");
	assert_unresolved(NULL, "http://127.0.0.1 x/",
			  "'http://127.0.0.1 x/' is not a valid URL: Bad hostname");
}

/* ---- clicking links ---- */

static const char *menu_page =
	"<!DOCTYPE html><html><head><title>Menu</title></head><body>"
	"<header><a href='/'><img src=logo.png alt='Stage Pizza'></a>"
	"<a href='/' title='Back home'>Home</a>"
	"<a href='/basket' aria-label='Your basket'><svg></svg></a></header>"
	"<h1>Today's menu</h1><ul>"
	"<li><a href='margherita'>  Margherita\n  </a></li>"
	"<li><a href='margherita-xl'>Margherita XL</a></li>"
	"<li><a href='marinara'>Marinara <small>(vegan)</small></a></li>"
	"<li><a href='quattro'>Quattro formaggi</a></li>"
	"</ul><template><a href='/tpl'>Secret offer</a></template>"
	"<p hidden><a href='/hidden'>Hidden offer</a></p>"
	"<map name=m><area href='/deals' alt='Weekly deals'></map>"
	"<footer><a href='mailto:orders@stage.test'>Email us</a>"
	"<a href='javascript:void(0)'>Chat</a><a href='/'>Home</a>"
	"<a href='http://[broken'>Broken</a></footer>"
	"</body></html>";

static char *click(xmlDocPtr doc, const char *text, tw_error *err)
{
	tw_http_request req = {0};
	if (tw_html_click(doc, "http://stage.test:8080/pizza/", text, 0, NULL, &req, err) != TW_OK) {
		assert_null(req.url);
		return NULL;
	}
	assert_string_equal(req.method, "GET");
	assert_true(req.navigation);
	assert_null(req.body);
	assert_int_equal(req.part_count, 0);
	char *url = strdup(req.url);
	tw_http_request_free(&req);
	return url;
}

static void assert_click(xmlDocPtr doc, const char *text, const char *want)
{
	tw_error err = {0};
	char *url = click(doc, text, &err);
	if (!url)
		fail_msg("click '%s': %s", text, err.message);
	assert_string_equal(url, want);
	free(url);
}

static void assert_click_fails_as(xmlDocPtr doc, const char *text, tw_code code,
				  const char *message)
{
	tw_error err = {0};
	char *url = click(doc, text, &err);
	if (url)
		fail_msg("click '%s' went to %s", text, url);
	assert_int_equal(err.code, code);
	/* as a run shows it: its quotes cut (tw_redact_message) */
	char *shown = tw_redact_message(NULL, err.message);
	assert_string_equal(shown, message);
	free(shown);
	tw_error_clear(&err);
}

static void assert_click_fails(xmlDocPtr doc, const char *text, const char *message)
{
	assert_click_fails_as(doc, text, TW_EUSAGE, message);
}

static void click_prefers_the_exact_text(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(menu_page);
	/* "Margherita" is also part of "Margherita XL": the exact match wins */
	assert_click(doc, "Margherita", "http://stage.test:8080/pizza/margherita");
	assert_click(doc, " Margherita  XL ", "http://stage.test:8080/pizza/margherita-xl");
	assert_click(doc, "Marinara (vegan)", "http://stage.test:8080/pizza/marinara");
	xmlFreeDoc(doc);
}

static void click_finds_icon_links_by_their_names(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(menu_page);
	assert_click(doc, "Stage Pizza", "http://stage.test:8080/");
	assert_click(doc, "Your basket", "http://stage.test:8080/basket");
	assert_click(doc, "Back home", "http://stage.test:8080/");
	assert_click(doc, "Weekly deals", "http://stage.test:8080/deals");
	xmlFreeDoc(doc);
}

static void click_falls_back_to_a_unique_substring(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(menu_page);
	assert_click(doc, "Quattro", "http://stage.test:8080/pizza/quattro");
	assert_click(doc, "vegan", "http://stage.test:8080/pizza/marinara");
	/* two "Home" links, one target: not ambiguous */
	assert_click(doc, "Hom", "http://stage.test:8080/");
	/* substring matching is case-sensitive */
	assert_click_fails(doc, "quattro",
			   "no link 'quattro' on the page; links here: 'Stage Pizza', 'Home', "
			   "'Your basket', 'Margherita', 'Margherita XL', 'Marinara (vegan)', "
			   "'Quattro formaggi', 'Weekly deals', 'Email us', 'Chat', …");
	xmlFreeDoc(doc);
}

static void click_refuses_ambiguous_text(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(menu_page);
	assert_click_fails(doc, "Mar",
			   "link 'Mar' is ambiguous: 3 links that go to different places match: "
			   "'Margherita' ('margherita'), 'Margherita XL' ('margherita-xl'), "
			   "'Marinara (vegan)' ('marinara'); use the whole text of the one you "
			   "mean, or its place among them (click 'Mar' 1 to 3)");
	xmlFreeDoc(doc);
}

static void click_explains_links_a_customer_cannot_follow(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(menu_page);
	/* no fault of the page: techweek's limit */
	assert_click_fails_as(doc, "Email us", TW_EUNSUPPORTED,
			      "techweek cannot follow links out of the web yet: link 'Email us' "
			      "goes to 'mailto:orders@stage.test'");
	assert_click_fails_as(doc, "Chat", TW_EUNSUPPORTED,
			      "techweek cannot follow links out of the web yet: link 'Chat' goes "
			      "to 'javascript:void(0)'");
	assert_click_fails(doc, "Broken",
			   "link 'Broken' goes to 'http://[broken', which is not a valid URL");
	/* never-rendered links do not exist for the customer */
	assert_click_fails(doc, "Secret offer",
			   "no link 'Secret offer' on the page; links here: 'Stage Pizza', "
			   "'Home', 'Your basket', 'Margherita', 'Margherita XL', "
			   "'Marinara (vegan)', 'Quattro formaggi', 'Weekly deals', 'Email us', "
			   "'Chat', …");
	assert_click_fails(doc, "Hidden offer",
			   "no link 'Hidden offer' on the page; links here: 'Stage Pizza', "
			   "'Home', 'Your basket', 'Margherita', 'Margherita XL', "
			   "'Marinara (vegan)', 'Quattro formaggi', 'Weekly deals', 'Email us', "
			   "'Chat', …");
	assert_click_fails(doc, "  ", "click needs the text of a link");
	xmlFreeDoc(doc);
}

static void click_lists_few_links_and_cuts_long_names(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<body><a href=/a>Home</a><a href=/b>Home</a>"
			      "<a href=/long>Our very long and winding story about how the "
			      "pizza oven came to be</a><a href=/x><img src=x.png></a>"
			      "<a name=anchor>not a link</a></body>");
	assert_click_fails(doc, "Menu",
			   "no link 'Menu' on the page; links here: 'Home', 'Our very long and "
			   "winding story about ho…', '/x'");
	xmlFreeDoc(doc);

	doc = parse("<body><p>Nothing to click here. <a>no href</a></p></body>");
	assert_click_fails(doc, "Menu", "no link 'Menu' on the page; the page has no links");
	xmlFreeDoc(doc);
}

static void click_honours_base_href(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<head><base href='http://stage.test:8080/menu/'></head>"
			      "<body><a href='margherita#top'>Margherita</a>"
			      "<a href='#reviews'>Reviews</a></body>");
	assert_click(doc, "Margherita", "http://stage.test:8080/menu/margherita");
	assert_click(doc, "Reviews", "http://stage.test:8080/menu/");
	xmlFreeDoc(doc);
}

static void click_replaces_the_request_it_is_given(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(menu_page);
	tw_http_request req = {0};
	tw_error err = {0};
	assert_int_equal(tw_http_request_set(&req, "POST", "http://old.test/"), TW_OK);
	assert_int_equal(tw_http_request_set_body(&req, "a=b", 3), TW_OK);
	assert_int_equal(tw_html_click(doc, PAGE, "Home", 0, NULL, &req, &err), TW_OK);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.url, "http://stage.test:8080/");
	assert_null(req.body);
	tw_http_request_free(&req);

	/* a failed click leaves it alone */
	assert_int_equal(tw_http_request_set(&req, "GET", "http://old.test/"), TW_OK);
	assert_int_equal(tw_html_click(doc, PAGE, "Nope", 0, NULL, &req, &err), TW_EUSAGE);
	assert_string_equal(req.url, "http://old.test/");
	tw_http_request_free(&req);
	tw_error_clear(&err);
	xmlFreeDoc(doc);

	/* no document: nothing to click */
	assert_int_equal(tw_html_click(NULL, PAGE, "Home", 0, NULL, &req, &err), TW_EUSAGE);
	char *shown = tw_redact_message(NULL, err.message);
	assert_string_equal(shown, "no link 'Home' on the page; the page has no links");
	free(shown);
	tw_error_clear(&err);
}

/* ---- secrets in messages ---- */

#define SECRET "4111111111111111"

/* n p's, then zz and the secret: a text whose secret straddles a cut at
 * any of n + 3 .. n + 17 characters. malloc'd. */
static char *padded(const char *before, size_t n)
{
	size_t k = strlen(before);
	char *s = malloc(k + n + sizeof("zz" SECRET));
	assert_non_null(s);
	memcpy(s, before, k);
	memset(s + k, 'p', n);
	strcpy(s + k + n, "zz" SECRET);
	return s;
}

/* The message as a run shows it: masked, then cut. No head of the secret
 * may be left after zz. */
static void assert_masked(const tw_redact *r, tw_error *err)
{
	assert_true(err->code == TW_EUSAGE || err->code == TW_EUNSUPPORTED);
	char *shown = tw_redact_message(r, err->message);
	assert_non_null(shown);
	if (strstr(shown, "zz4") || !strstr(shown, "zz*"))
		fail_msg("the secret was cut before it was masked: %s", shown);
	free(shown);
	tw_error_clear(err);
}

static void messages_are_cut_after_the_secrets_are_masked(void **state)
{
	(void)state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, SECRET), TW_OK);
	tw_error err = {0};
	char *text = padded("", 30), *href = padded("/", 70), *mail = padded("mailto:", 185),
	     *asked = padded("", 190);
	size_t n = strlen(text) + strlen(href) + strlen(mail) + 200;
	char *html = malloc(n);
	assert_non_null(html);
	snprintf(html, n,
		 "<body><a href=/a>%s</a><a href='%s'>Same</a><a href=/x>Same</a>"
		 "<a href='%s'>Mail</a></body>",
		 text, href, mail);
	xmlDocPtr doc = parse(html);

	/* a link's text in the list of links (40 characters) */
	assert_null(click(doc, "Nope", &err));
	assert_masked(&r, &err);
	/* an href in the list of ambiguous links (80) */
	assert_null(click(doc, "Same", &err));
	assert_masked(&r, &err);
	/* an href a customer cannot follow (200) */
	assert_null(click(doc, "Mail", &err));
	assert_masked(&r, &err);
	/* what the script asked for (200) */
	assert_null(click(doc, asked, &err));
	assert_masked(&r, &err);

	/* URLs that do not resolve: the reference and the base (200) */
	char *out = NULL, *ref = padded("javascript:", 185), *bad = padded("http://[", 185);
	assert_int_equal(tw_url_resolve(PAGE, ref, &out, &err), TW_EUSAGE);
	assert_masked(&r, &err);
	assert_int_equal(tw_url_resolve(PAGE, bad, &out, &err), TW_EUSAGE);
	assert_masked(&r, &err);
	assert_int_equal(tw_url_resolve(bad, "x", &out, &err), TW_EUSAGE);
	assert_masked(&r, &err);

	free(ref);
	free(bad);
	xmlFreeDoc(doc);
	free(html);
	free(text);
	free(href);
	free(mail);
	free(asked);
	tw_redact_free(&r);
}

/* ---- issue 12, web: what a navigation says about the page it leaves ---- */

static const char *header_of(const tw_http_request *req, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < req->header_count; i++)
		if (strncmp(req->headers[i], name, n) == 0 && req->headers[i][n] == ':')
			return req->headers[i] + n + 2;
	return NULL;
}

/* The Referer the request to `to` carries (the transfer works it out the
 * same way for every request of the chain) and its Origin. */
static void referrer_under(int policy, const char *method, const char *page, const char *to,
			   const char *referer, const char *origin)
{
	tw_http_request req = {0};
	assert_int_equal(tw_http_request_set(&req, method, to), TW_OK);
	assert_int_equal(tw_html_add_referrer(&req, page, policy), TW_OK);
	assert_null(header_of(&req, "Referer"));
	char *sent = NULL;
	assert_int_equal(tw_referrer_value(req.referrer_policy, req.referrer, to, &sent), TW_OK);
	if (referer)
		assert_string_equal(sent, referer);
	else
		assert_null(sent);
	free(sent);
	if (origin)
		assert_string_equal(header_of(&req, "Origin"), origin);
	else
		assert_null(header_of(&req, "Origin"));
	tw_http_request_free(&req);
}

static void referrer(const char *method, const char *page, const char *to, const char *referer,
		     const char *origin)
{
	referrer_under(TW_REFERRER_UNSET, method, page, to, referer, origin);
}

/* A memo of one entry, as a step's: set once, then read. */
typedef struct one_memo {
	char key[256];
	size_t len;
	char url[256];
	int gets, hits, keeps;
} one_memo;

static const char *one_get(void *ud, const char *key, size_t len)
{
	one_memo *m = ud;
	m->gets++;
	if (m->keeps && m->len == len && memcmp(m->key, key, len) == 0) {
		m->hits++;
		return m->url;
	}
	return NULL;
}

static void one_keep(void *ud, const char *key, size_t len, const char *url)
{
	one_memo *m = ud;
	if (m->keeps || len > sizeof(m->key) || strlen(url) >= sizeof(m->url))
		return;
	memcpy(m->key, key, len);
	m->len = len;
	strcpy(m->url, url);
	m->keeps++;
}

static void a_resolution_kept_answers_as_the_resolution_would(void **state)
{
	(void)state;
	one_memo m = {0};
	tw_resolve_memo memo = {one_get, one_keep, &m};
	static const struct {
		const char *base, *ref;
	} pairs[] = {
		{"http://a.test/shop/menu?x=1", "../order?y=2#top"},
		{"http://a.test/shop/menu?x=1", "../order?y=2#top"},
		{"http://a.test/shop/menu", "/order"},
		{"http://b.test/", "../order?y=2#top"},
		{NULL, "http://a.test/x"},
		{"", "http://a.test/x"},
		{"http://a.test/", "mailto:ada@a.test"},
		{"http://a.test/", "mailto:ada@a.test"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char *want = NULL, *got = NULL;
		tw_error e1 = {0}, e2 = {0};
		int rc1 = tw_url_resolve(pairs[i].base, pairs[i].ref, &want, &e1);
		int rc2 = tw_url_resolve_memo(&memo, pairs[i].base, pairs[i].ref, &got, &e2);
		assert_int_equal(rc2, rc1);
		if (rc1 == TW_OK) {
			assert_string_equal(got, want);
		} else {
			assert_null(got);
			assert_string_equal(e2.message, e1.message);
		}
		free(want);
		free(got);
		tw_error_clear(&e1);
		tw_error_clear(&e2);
	}
	/* the first pair was kept and answered the second; no other matched
	 * it */
	assert_int_equal(m.keeps, 1);
	assert_int_equal(m.hits, 1);
	assert_string_equal(m.url, "http://a.test/order?y=2");
	/* a refusal is never kept */
	one_memo m3 = {0};
	tw_resolve_memo memo3 = {one_get, one_keep, &m3};
	char *no = NULL;
	tw_error e3 = {0};
	assert_int_equal(tw_url_resolve_memo(&memo3, "http://a.test/", "mailto:ada@a.test", &no, &e3),
			 TW_EUSAGE);
	assert_null(no);
	assert_int_equal(m3.keeps, 0);
	tw_error_clear(&e3);
	/* no base is not an empty one, which is no URL to resolve against */
	one_memo m2 = {0};
	tw_resolve_memo memo2 = {one_get, one_keep, &m2};
	char *u = NULL;
	tw_error e2 = {0};
	assert_int_equal(tw_url_resolve_memo(&memo2, NULL, "http://a.test/x", &u, &e2), TW_OK);
	free(u);
	assert_int_equal(tw_url_resolve_memo(&memo2, "", "http://a.test/x", &u, &e2), TW_EUSAGE);
	assert_null(u);
	assert_int_equal(m2.hits, 0);
	tw_error_clear(&e2);
	/* no memo: tw_url_resolve itself */
	char *url = NULL;
	tw_error e = {0};
	assert_int_equal(tw_url_resolve_memo(NULL, "http://a.test/a/b", "c", &url, &e), TW_OK);
	assert_string_equal(url, "http://a.test/a/c");
	free(url);
}

/* A hint saves a URL parse and never changes the answer: for every pair of
 * these URLs, the origin of one that libcurl accepts, with the other's
 * origin as its hint, is the origin of the one alone. */
static void an_origin_hint_never_changes_the_origin(void **state)
{
	(void)state;
	static const char *const urls[] = {
		"http://127.0.0.1:8080/x",
		"http://127.0.0.1:8080",
		"http://127.0.0.1:8080?q=1",
		"http://127.0.0.1:80/x",
		"http://127.0.0.1/x",
		"http://127.0.0.1:8080@evil.test/x",
		"http://127.0.0.1:80801/x",
		"http://127.0.0.1:8080.evil.test/x",
		"HTTP://127.0.0.1:8080/x",
		"https://127.0.0.1:8080/x",
		"https://Shop.Example:443/a?b#c",
		"https://shop.example/a",
		"https://shop.example:8443/a",
		"http://ada:pw@shop.example/a",
		"http://[::1]:8080/x",
		"http://[::1]/x",
		"http://[::1]:8080/../y",
		"http://a.test/x",
		"http://a.test./x",
		"http://a.test/x y",
		"file:///etc/passwd",
		"not a url",
	};
	size_t n = sizeof(urls) / sizeof(urls[0]);
	int fast = 0;
	for (size_t i = 0; i < n; i++) {
		char *alone = tw_url_origin(urls[i]);
		for (size_t j = 0; j < n; j++) {
			char *hint = tw_url_origin(urls[j]);
			char *hinted = tw_url_origin_hint(urls[i], hint);
			if (alone) {
				assert_non_null(hinted);
				assert_string_equal(hinted, alone);
				fast += hint && strcmp(hint, alone) == 0;
			}
			free(hint);
			free(hinted);
		}
		free(alone);
	}
	assert_true(fast > 0);
	char *o = tw_url_origin_hint("http://a.test/x", NULL);
	assert_string_equal(o, "http://a.test");
	free(o);
}

static void navigations_send_referer_and_origin_as_browsers_do(void **state)
{
	(void)state;
	char *o = tw_url_origin("HTTPS://Shop.Example:443/a?b#c");
	assert_string_equal(o, "https://shop.example");
	free(o);
	o = tw_url_origin("http://127.0.0.1:8080/x");
	assert_string_equal(o, "http://127.0.0.1:8080");
	free(o);
	/* same origin: the whole page URL, without fragment or credentials */
	referrer("GET", "http://ada:pw@a.test:8080/menu?x=1#top", "http://a.test:8080/pizza",
		 "http://a.test:8080/menu?x=1", NULL);
	referrer("GET", "http://a.test:8080/menu?x=1#top", "http://a.test:8080/pizza",
		 "http://a.test:8080/menu?x=1", NULL);
	referrer("GET", "http://ada@a.test:8080/menu?to=b@c.test", "http://a.test:8080/pizza",
		 "http://a.test:8080/menu?to=b@c.test", NULL);
	referrer("GET", "http://a.test:8080/menu?x=1", "http://a.test:8080/pizza",
		 "http://a.test:8080/menu?x=1", NULL);
	/* another origin: only where the customer came from */
	referrer("GET", "https://a.test/menu", "https://b.test/", "https://a.test/", NULL);
	/* a POST says its origin too */
	referrer("POST", "https://a.test/login", "https://a.test/login", "https://a.test/login",
		 "https://a.test");
	/* from https to http: no Referer, and Origin null */
	referrer("GET", "https://a.test/menu", "http://a.test/x", NULL, NULL);
	referrer("POST", "https://a.test/menu", "http://b.test/x", NULL, "null");
	/* from http to https is no downgrade */
	referrer("GET", "http://a.test/menu", "https://a.test/x", "http://a.test/", NULL);
	/* the script's own Referer is kept */
	tw_http_request req = {0};
	assert_int_equal(tw_http_request_set(&req, "POST", "http://a.test/x"), TW_OK);
	assert_int_equal(tw_http_request_add_header(&req, "referer", "http://mine/"), TW_OK);
	assert_int_equal(tw_html_add_referrer(&req, "http://a.test/page", TW_REFERRER_UNSET), TW_OK);
	assert_int_equal(req.header_count, 2);
	assert_null(req.referrer);
	assert_string_equal(header_of(&req, "Origin"), "http://a.test");
	tw_http_request_free(&req);
}

/* issue 12 fix round (trial #11): the page's referrer policy. */
static void a_page_s_referrer_policy_is_honoured(void **state)
{
	(void)state;
	assert_int_equal(tw_referrer_policy_parse("no-referrer", 0), TW_REFERRER_NO_REFERRER);
	/* the last known word of a list wins; unknown ones change nothing */
	assert_int_equal(tw_referrer_policy_parse("unsafe-url, origin , sometimes", 0),
			 TW_REFERRER_ORIGIN);
	assert_int_equal(tw_referrer_policy_parse("sometimes", 0), TW_REFERRER_UNSET);
	assert_int_equal(tw_referrer_policy_parse(NULL, 0), TW_REFERRER_UNSET);
	/* the old words only in <meta name="referrer"> */
	assert_int_equal(tw_referrer_policy_parse("never", 0), TW_REFERRER_UNSET);
	assert_int_equal(tw_referrer_policy_parse("never", 1), TW_REFERRER_NO_REFERRER);

	const char *page = "https://a.test/menu?x=1", *same = "https://a.test/p",
		   *other = "https://b.test/", *down = "http://a.test/p";
	struct {
		int policy;
		const char *to, *referer, *origin;
	} rows[] = {
		{TW_REFERRER_NO_REFERRER, same, NULL, "null"},
		{TW_REFERRER_NO_REFERRER_WHEN_DOWNGRADE, other, page, "https://a.test"},
		{TW_REFERRER_NO_REFERRER_WHEN_DOWNGRADE, down, NULL, "null"},
		{TW_REFERRER_SAME_ORIGIN, same, page, "https://a.test"},
		{TW_REFERRER_SAME_ORIGIN, other, NULL, "null"},
		{TW_REFERRER_ORIGIN, same, "https://a.test/", "https://a.test"},
		{TW_REFERRER_ORIGIN, down, "https://a.test/", "https://a.test"},
		{TW_REFERRER_STRICT_ORIGIN, other, "https://a.test/", "https://a.test"},
		{TW_REFERRER_STRICT_ORIGIN, down, NULL, "null"},
		{TW_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN, same, page, "https://a.test"},
		{TW_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN, down, "https://a.test/", "https://a.test"},
		{TW_REFERRER_UNSAFE_URL, down, page, "https://a.test"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		referrer_under(rows[i].policy, "POST", page, rows[i].to, rows[i].referer,
			       rows[i].origin);

	/* the page: its last <meta name="referrer"> over its header */
	xmlDocPtr doc = parse("<head><meta name=referrer content=origin>"
			      "<meta name=Referrer content=never></head><p>x");
	assert_int_equal(tw_html_referrer_policy(doc, "unsafe-url"), TW_REFERRER_NO_REFERRER);
	xmlFreeDoc(doc);
	doc = parse("<head><meta name=referrer content=sometimes></head><p>x");
	assert_int_equal(tw_html_referrer_policy(doc, "same-origin"), TW_REFERRER_SAME_ORIGIN);
	xmlFreeDoc(doc);

	/* a link's rel="noreferrer" over its referrerpolicy */
	doc = parse("<a href=/a rel='nofollow NoReferrer' referrerpolicy=origin>A</a>"
		    "<a href=/b referrerpolicy=origin>B</a>");
	tw_http_request req = {0};
	tw_error err = {0};
	assert_int_equal(tw_html_click(doc, page, "A", 0, NULL, &req, &err), TW_OK);
	assert_int_equal(req.referrer_policy, TW_REFERRER_NO_REFERRER);
	assert_int_equal(tw_html_click(doc, page, "B", 0, NULL, &req, &err), TW_OK);
	assert_int_equal(req.referrer_policy, TW_REFERRER_ORIGIN);
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void assert_shown(const tw_error *err, const char *want)
{
	char *shown = tw_redact_message(NULL, err->message);
	assert_string_equal(shown, want);
	free(shown);
}

static void links_so_called_are_told_apart(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<table><tr><td>Margherita</td><td><a href=/m>Details</a></td></tr>"
			      "<tr><td>Marinara</td><td><a href=/n>Details</a></td></tr></table>"
			      "<ul><li>Quattro <a href=/q>Details</a></li></ul>"
			      "<section><h2>Hours</h2><p><a href=/h>Details</a></p></section>");
	tw_http_request req = {0};
	tw_error err = {0};
	const char *page = "http://a.test/";
	assert_int_equal(tw_html_click(doc, page, "Details", 0, NULL, &req, &err), TW_EUSAGE);
	tw_error_clear(&err);
	assert_int_equal(tw_html_click(doc, page, "Details", 2, NULL, &req, &err), TW_OK);
	assert_string_equal(req.url, "http://a.test/n");
	assert_int_equal(tw_html_click(doc, page, "Details", 4, NULL, &req, &err), TW_OK);
	assert_string_equal(req.url, "http://a.test/h");
	assert_int_equal(tw_html_click(doc, page, "Details", 5, NULL, &req, &err), TW_EUSAGE);
	assert_shown(&err, "no link 5 called 'Details': the page has 4 so called");
	tw_error_clear(&err);
	const char *rows[][2] = {{"Margherita", "/m"}, {"Marinara", "/n"}, {"Quattro", "/q"},
				 {"Hours", "/h"}};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(tw_html_click(doc, page, "Details", 0, rows[i][0], &req, &err),
				 TW_OK);
		assert_string_equal(req.url + strlen("http://a.test"), rows[i][1]);
	}
	/* words in two rows name two links */
	assert_int_equal(tw_html_click(doc, page, "Details", 0, "Mar", &req, &err), TW_EUSAGE);
	/* (trial #12) both texts are whole already: the hint says what does
	 * tell them apart */
	assert_shown(&err, "link 'Details' is ambiguous: 2 links that go to different places "
			   "match in a row, list item or section that says 'Mar': 'Details' ('/m'), "
			   "'Details' ('/n'); say which by its place among them (click 'Details' 1 "
			   "to 2, in the page's order), or write more of the words around it after "
			   "'in'");
	tw_error_clear(&err);
	assert_int_equal(tw_html_click(doc, page, "Details", 0, NULL, &req, &err), TW_EUSAGE);
	assert_shown(&err, "link 'Details' is ambiguous: 4 links that go to different places "
			   "match: 'Details' ('/m'), 'Details' ('/n'), 'Details' ('/q'), 'Details' "
			   "('/h'); say which by its place among them (click 'Details' 1 to 4, in "
			   "the page's order), or by words around it (click 'Details' in 'WORDS "
			   "FROM ITS ROW')");
	tw_error_clear(&err);
	/* words near none of them */
	assert_int_equal(tw_html_click(doc, page, "Details", 0, "Calzone", &req, &err), TW_EUSAGE);
	assert_shown(&err, "no link 'Details' in a row, list item or section that says 'Calzone' "
			   "(the page has 4 links so called)");
	tw_error_clear(&err);
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_leaves_out_what_is_never_shown),
		cmocka_unit_test(text_collapses_whitespace_and_decodes_entities),
		cmocka_unit_test(text_separates_blocks_but_not_inline_tags),
		cmocka_unit_test(text_keeps_noscript_because_no_scripts_run),
		cmocka_unit_test(text_of_nodes_documents_and_nothing),
		cmocka_unit_test(label_text_leaves_out_the_controls_inside),
		cmocka_unit_test(title_is_collapsed_or_null),
		cmocka_unit_test(base_url_comes_from_base_href),
		cmocka_unit_test(meta_refresh_names_where_the_page_moves_on),
		cmocka_unit_test(urls_resolve_like_a_browser),
		cmocka_unit_test(urls_that_cannot_be_followed_are_errors),
		cmocka_unit_test(click_prefers_the_exact_text),
		cmocka_unit_test(click_finds_icon_links_by_their_names),
		cmocka_unit_test(click_falls_back_to_a_unique_substring),
		cmocka_unit_test(click_refuses_ambiguous_text),
		cmocka_unit_test(click_explains_links_a_customer_cannot_follow),
		cmocka_unit_test(click_lists_few_links_and_cuts_long_names),
		cmocka_unit_test(click_honours_base_href),
		cmocka_unit_test(click_replaces_the_request_it_is_given),
		cmocka_unit_test(messages_are_cut_after_the_secrets_are_masked),
		cmocka_unit_test(a_page_s_referrer_policy_is_honoured),
		cmocka_unit_test(a_resolution_kept_answers_as_the_resolution_would),
		cmocka_unit_test(an_origin_hint_never_changes_the_origin),
		cmocka_unit_test(navigations_send_referer_and_origin_as_browsers_do),
		cmocka_unit_test(links_so_called_are_told_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
