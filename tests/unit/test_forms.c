/*
 * Forms as a browser handles them: finding fields the way a customer names
 * them, changing the page in place, and the exact request a submit sends
 * (URL, method, headers, body, parts), on real HTML parsed the way the web
 * channel parses it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libxml/parser.h>

#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>

#include "channels/web/forms.h"
#include "core/redact.h"

#define PAGE "http://stage.test:8080/pizza/margherita"

/* The stage shop's product page. */
static const char *product_page =
	"<!DOCTYPE html><html><head><title>Margherita - Stage Pizza</title></head><body>"
	"<nav><a href='/'>Home</a></nav><h1>Margherita</h1>"
	"<form action='../order' method='post'>"
	"<input type='hidden' name='pizza' value='margherita'>"
	"<input type='hidden' name='csrf_token' value='abc'>"
	"<p><label for='customer-name'>Your name</label>"
	"<input id='customer-name' name='name' type='text' maxlength='20' autocomplete='name'></p>"
	"<p><input name='phone' type='tel' placeholder='Phone number'></p>"
	"<p><label>Size <select name='size'>"
	"<option value='s'>Small</option><option value='m'>Medium</option>"
	"<option value='l'>Large</option><option value='xl' disabled>Family</option>"
	"</select></label></p>"
	"<p><label><input type='checkbox' name='extra_cheese' value='yes'> Extra cheese</label></p>"
	"<fieldset><legend>Crust</legend>"
	"<label><input type='radio' name='crust' value='thin' checked> Thin crust</label>"
	"<label><input type='radio' name='crust' value='thick'> Thick crust</label>"
	"</fieldset>"
	"<p><label for='notes'>Notes for the kitchen</label>"
	"<textarea id='notes' name='notes'></textarea></p>"
	"<p><label>Promo code <input name='promo' value='PIZZA10' disabled></label></p>"
	"<button name='action' value='order'>Place order</button>"
	"<input type='submit' name='action' value='Save for later'>"
	"</form></body></html>";

static xmlDocPtr parse(const char *html)
{
	xmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), PAGE, "UTF-8",
				       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
					       HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	assert_non_null(doc);
	return doc;
}

static void ok(int rc, const tw_error *err)
{
	if (rc != TW_OK)
		fail_msg("step failed: %s", err->message ? err->message : "(no message)");
}

static void fill(xmlDocPtr doc, const char *field, const char *value)
{
	tw_error err = {0};
	ok(tw_form_fill(doc, field, value, NULL, &err), &err);
}

static void choose(xmlDocPtr doc, const char *field, const char *option)
{
	tw_error err = {0};
	ok(tw_form_choose(doc, field, option, NULL, &err), &err);
}

static void tick(xmlDocPtr doc, const char *field, bool on)
{
	tw_error err = {0};
	ok(tw_form_tick(doc, field, on, NULL, &err), &err);
}

static void submit(xmlDocPtr doc, const char *button, tw_http_request *req)
{
	tw_error err = {0};
	memset(req, 0, sizeof(*req));
	ok(tw_form_submit(doc, PAGE, button, NULL, req, &err), &err);
	assert_true(req->navigation);
}

/* Checks a submission: method, URL, and for a body its text and type. */
static void assert_sent(const tw_http_request *req, const char *method, const char *url,
			const char *content_type, const char *body)
{
	assert_string_equal(req->method, method);
	assert_string_equal(req->url, url);
	if (!body) {
		assert_null(req->body);
		assert_int_equal(req->header_count, 0);
		return;
	}
	assert_non_null(req->body);
	assert_string_equal(req->body, body);
	assert_int_equal(req->body_len, strlen(body));
	assert_int_equal(req->header_count, 1);
	char want[128];
	snprintf(want, sizeof(want), "Content-Type: %s", content_type);
	assert_string_equal(req->headers[0], want);
}

/* A step that must fail with exactly this message. */
typedef int (*step_fn)(xmlDocPtr doc, const char *field, const char *value, tw_error *err);

static void assert_error_as(int rc, tw_error *err, tw_code code, const char *message)
{
	assert_int_equal(rc, code);
	assert_int_equal(err->code, code);
	/* as a run shows it: its quotes cut (tw_redact_message) */
	char *shown = tw_redact_message(NULL, err->message);
	assert_string_equal(shown, message);
	free(shown);
	tw_error_clear(err);
}

static void assert_error(int rc, tw_error *err, const char *message)
{
	assert_error_as(rc, err, TW_EUSAGE, message);
}

/* ---- the journey in the brief ---- */

static void the_order_journey_sends_what_a_browser_sends(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(product_page);
	xmlNodePtr form = NULL;
	tw_error err = {0};
	ok(tw_form_fill(doc, "Your name", "Ada Lovelace", &form, &err), &err);
	assert_true(form && strcmp((const char *)form->name, "form") == 0);
	choose(doc, "Size", "Large");
	tick(doc, "Extra cheese", true);
	tw_http_request req;
	submit(doc, "Place order", &req);
	assert_sent(&req, "POST", "http://stage.test:8080/order",
		    "application/x-www-form-urlencoded",
		    "pizza=margherita&csrf_token=abc&name=Ada+Lovelace&phone=&size=l"
		    "&extra_cheese=yes&crust=thin&notes=&action=order");
	assert_int_equal(req.part_count, 0);
	tw_http_request_free(&req);

	/* the other button sends its own name=value, nothing of the first */
	submit(doc, "Save for later", &req);
	assert_sent(&req, "POST", "http://stage.test:8080/order",
		    "application/x-www-form-urlencoded",
		    "pizza=margherita&csrf_token=abc&name=Ada+Lovelace&phone=&size=l"
		    "&extra_cheese=yes&crust=thin&notes=&action=Save+for+later");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void untouched_form_sends_its_defaults(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(product_page);
	tw_http_request req;
	/* Enter: the default (first) submit button is the one pressed */
	submit(doc, NULL, &req);
	assert_sent(&req, "POST", "http://stage.test:8080/order",
		    "application/x-www-form-urlencoded",
		    "pizza=margherita&csrf_token=abc&name=&phone=&size=s&crust=thin&notes="
		    "&action=order");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void fields_are_found_by_label_name_id_placeholder(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(product_page);
	fill(doc, "customer-name", "by id");
	fill(doc, "Phone number", "+15550100"); /* placeholder */
	fill(doc, "notes", "Ring twice\nthen wait"); /* name */
	tick(doc, "Thick crust", true);
	choose(doc, "size", "m"); /* by name, option by value */
	tw_http_request req;
	submit(doc, "Place order", &req);
	assert_sent(&req, "POST", "http://stage.test:8080/order",
		    "application/x-www-form-urlencoded",
		    "pizza=margherita&csrf_token=abc&name=by+id&phone=%2B15550100&size=m"
		    "&crust=thick&notes=Ring+twice%0D%0Athen+wait&action=order");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void labels_may_carry_colons_and_stars(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action=/signup method=post>"
			      "<label for=e>Email *</label><input id=e name=email type=email>"
			      "<label>Password: <input name=pw type=password></label>"
			      "<label>Nickname <span>(optional)</span><input name=nick "
			      "aria-label='Display name'></label>"
			      "<button>Sign up</button></form>");
	fill(doc, "Email", "  ada@example.com ");
	fill(doc, "Password", "s3cret");
	fill(doc, "Display name", "Ada");
	fill(doc, "Nickname (optional)", "Countess");
	tw_http_request req;
	submit(doc, "Sign up", &req);
	/* an email field drops the spaces around its value, as browsers do */
	assert_sent(&req, "POST", "http://stage.test:8080/signup",
		    "application/x-www-form-urlencoded",
		    "email=ada%40example.com&pw=s3cret&nick=Countess");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

/* ---- fill ---- */

static void fill_explains_what_it_cannot_do(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(product_page);
	tw_error err = {0};
	xmlNodePtr form = (xmlNodePtr)doc;
	assert_error(tw_form_fill(doc, "Your nme", "Ada", &form, &err), &err,
		     "no field 'Your nme' on the page; fields here: 'Your name' (name), 'phone', "
		     "'Size' (size), 'Extra cheese' (extra_cheese), 'Thin crust' (crust=thin), "
		     "'Thick crust' (crust=thick), 'Notes for the kitchen' (notes), "
		     "'Promo code' (promo)");
	assert_null(form);
	assert_error(tw_form_fill(doc, "Size", "Large", NULL, &err), &err,
		     "field 'Size' is a drop-down list: use choose, not fill");
	assert_error(tw_form_fill(doc, "Extra cheese", "yes", NULL, &err), &err,
		     "field 'Extra cheese' is a checkbox: use tick, not fill");
	assert_error(tw_form_fill(doc, "crust", "thin", NULL, &err), &err,
		     "field 'crust' is a group of radio buttons; tick one of them: "
		     "'Thin crust' (crust=thin), 'Thick crust' (crust=thick)");
	assert_error(tw_form_fill(doc, "Promo code", "FREE", NULL, &err), &err,
		     "field 'Promo code' is disabled");
	assert_error(tw_form_fill(doc, "Your name", "Ada Augusta King, Countess of Lovelace",
				  NULL, &err),
		     &err,
		     "the value for 'Your name' is 38 characters, longer than the field's "
		     "maxlength 20: a browser would not let the customer type it all");
	assert_error(tw_form_fill(doc, NULL, "x", NULL, &err), &err,
		     "fill needs the label, name or id of a field");
	/* hidden inputs are not fields a customer can fill */
	assert_error(tw_form_fill(doc, "csrf_token", "forged", NULL, &err), &err,
		     "no field 'csrf_token' on the page; fields here: 'Your name' (name), "
		     "'phone', 'Size' (size), 'Extra cheese' (extra_cheese), "
		     "'Thin crust' (crust=thin), 'Thick crust' (crust=thick), "
		     "'Notes for the kitchen' (notes), 'Promo code' (promo)");
	xmlFreeDoc(doc);
}

static void fill_counts_characters_not_bytes(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form><input name=city maxlength=6><input name=pic maxlength=3>"
			      "<input name=ro readonly value=fixed><input type=file name=photo>"
			      "</form>");
	fill(doc, "city", "Zürich"); /* 6 characters, 7 bytes */
	tw_error err = {0};
	/* an emoji is two UTF-16 units, as maxlength counts */
	assert_error(tw_form_fill(doc, "pic", "\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95", NULL, &err),
		     &err,
		     "the value for 'pic' is 4 characters, longer than the field's maxlength 3: "
		     "a browser would not let the customer type it all");
	assert_error(tw_form_fill(doc, "ro", "changed", NULL, &err), &err,
		     "field 'ro' is read-only");
	/* a file input takes attach */
	assert_error_as(tw_form_fill(doc, "photo", "/tmp/a.png", NULL, &err), &err, TW_EUSAGE,
			"field 'photo' is a file upload: use attach, not fill");
	xmlFreeDoc(doc);
}

static void field_lists_are_short(void **state)
{
	(void)state;
	char html[4096] = "<form>";
	for (int i = 1; i <= 12; i++)
		snprintf(html + strlen(html), sizeof(html) - strlen(html),
			 "<label for=f%d>Field number %d of a form that asks far too much</label>"
			 "<input id=f%d name=f%d>",
			 i, i, i, i);
	strcat(html, "<input name=f1></form>");
	xmlDocPtr doc = parse(html);
	tw_error err = {0};
	assert_error(tw_form_fill(doc, "Field", "x", NULL, &err), &err,
		     "no field 'Field' on the page; fields here: "
		     "'Field number 1 of a form that asks far t…' (f1), "
		     "'Field number 2 of a form that asks far t…' (f2), "
		     "'Field number 3 of a form that asks far t…' (f3), "
		     "'Field number 4 of a form that asks far t…' (f4), "
		     "'Field number 5 of a form that asks far t…' (f5), "
		     "'Field number 6 of a form that asks far t…' (f6), "
		     "'Field number 7 of a form that asks far t…' (f7), "
		     "'Field number 8 of a form that asks far t…' (f8), "
		     "'Field number 9 of a form that asks far t…' (f9), "
		     "'Field number 10 of a form that asks far …' (f10), …");
	xmlFreeDoc(doc);
	doc = parse("<p>Thanks for your order.</p>");
	assert_error(tw_form_fill(doc, "Your name", "x", NULL, &err), &err,
		     "no field 'Your name' on the page; the page has no fields");
	assert_error(tw_form_tick(doc, "Extra cheese", true, NULL, &err), &err,
		     "no field 'Extra cheese' on the page; the page has no fields");
	xmlFreeDoc(doc);
}

static void fields_with_the_same_name_are_ambiguous(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action=/login method=post><label>Email "
			      "<input id=login-email name=email></label><button>Log in</button></form>"
			      "<form action=/newsletter method=post><label>Email "
			      "<input id=news-email name=email></label><button>Subscribe</button>"
			      "</form>");
	tw_error err = {0};
	assert_error(tw_form_fill(doc, "Email", "ada@example.com", NULL, &err), &err,
		     "field 'Email' matches 2 fields: 'Email' (email, id login-email), "
		     "'Email' (email, id news-email); name the one you mean by its id");
	xmlNodePtr form = NULL;
	ok(tw_form_fill(doc, "news-email", "ada@example.com", &form, &err), &err);
	/* submit without a button goes to the form last filled */
	tw_http_request req = {0};
	ok(tw_form_submit(doc, PAGE, NULL, form, &req, &err), &err);
	assert_sent(&req, "POST", "http://stage.test:8080/newsletter",
		    "application/x-www-form-urlencoded", "email=ada%40example.com");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void textarea_text_is_replaced_and_sent_with_crlf(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form method=post action=/n><textarea name=a>\nfirst\r\nsecond"
			      "</textarea><textarea name=b>keep &lt;b&gt;</textarea>"
			      "<textarea name=c>old</textarea></form>");
	fill(doc, "c", "x & <y>\r\nz\rw");
	tw_http_request req;
	submit(doc, NULL, &req);
	assert_sent(&req, "POST", "http://stage.test:8080/n", "application/x-www-form-urlencoded",
		    "a=first%0D%0Asecond&b=keep+%3Cb%3E&c=x+%26+%3Cy%3E%0D%0Az%0D%0Aw");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

/* ---- choose ---- */

static void choose_selects_one_option_or_adds_to_many(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action=/t method=post>"
			      "<label for=base>Base</label><select id=base name=base>"
			      "<option>Tomato</option><option selected>White</option></select>"
			      "<label for=top>Toppings</label><select id=top name=toppings multiple>"
			      "<optgroup label=Veg><option value=olive selected>Olives</option>"
			      "<option value=onion>Onions</option></optgroup>"
			      "<optgroup label=Meat disabled><option value=ham>Ham</option></optgroup>"
			      "<option value=basil label='Fresh basil'>basil leaves</option>"
			      "</select><select name=drink><option value=''>Pick a drink</option>"
			      "<option>Cola</option></select></form>");
	choose(doc, "Base", "Tomato");
	choose(doc, "Toppings", "Onions");
	choose(doc, "Toppings", "Fresh basil"); /* what the list shows: its label */
	choose(doc, NULL, "Cola");              /* the only list offering it */
	tw_http_request req;
	submit(doc, NULL, &req);
	assert_sent(&req, "POST", "http://stage.test:8080/t", "application/x-www-form-urlencoded",
		    "base=Tomato&toppings=olive&toppings=onion&toppings=basil&drink=Cola");
	tw_http_request_free(&req);

	tw_error err = {0};
	assert_error(tw_form_choose(doc, "Toppings", "Ham", NULL, &err), &err,
		     "option 'Ham' of 'Toppings' (toppings) is disabled");
	assert_error(tw_form_choose(doc, "Base", "Pineapple", NULL, &err), &err,
		     "no option 'Pineapple' in 'Base' (base); options: 'Tomato', 'White'");
	assert_error(tw_form_choose(doc, NULL, "Pineapple", NULL, &err), &err,
		     "no drop-down list on the page has an option 'Pineapple'; lists here: "
		     "'Base' (base), 'Toppings' (toppings), 'drink'");
	assert_error(tw_form_choose(doc, "Base", "", NULL, &err), &err,
		     "choose needs the option to choose");
	xmlFreeDoc(doc);
}

static void choose_explains_what_it_cannot_do(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(product_page);
	tw_error err = {0};
	assert_error(tw_form_choose(doc, "Size", "Huge", NULL, &err), &err,
		     "no option 'Huge' in 'Size' (size); options: 'Small', 'Medium', 'Large', "
		     "'Family'");
	assert_error(tw_form_choose(doc, "Size", "Family", NULL, &err), &err,
		     "option 'Family' of 'Size' (size) is disabled");
	assert_error(tw_form_choose(doc, "Your name", "Ada", NULL, &err), &err,
		     "field 'Your name' is a text field: use fill, not choose");
	assert_error(tw_form_choose(doc, "Thin crust", "yes", NULL, &err), &err,
		     "field 'Thin crust' is a radio button: use tick, not choose");
	xmlFreeDoc(doc);

	doc = parse("<form><select name=a><option>Same</option></select>"
		    "<select name=b><option>Same</option></select>"
		    "<select name=c disabled><option>Off</option></select></form>");
	assert_error(tw_form_choose(doc, NULL, "Same", NULL, &err), &err,
		     "option 'Same' is in 2 drop-down lists: 'a', 'b'; say which list");
	assert_error(tw_form_choose(doc, "c", "Off", NULL, &err), &err,
		     "field 'c' is disabled");
	xmlFreeDoc(doc);

	doc = parse("<p>No lists</p>");
	assert_error(tw_form_choose(doc, NULL, "Large", NULL, &err), &err,
		     "no option 'Large': the page has no drop-down lists");
	xmlFreeDoc(doc);
}

/* ---- tick ---- */

static void tick_handles_boxes_and_radio_groups(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action=/t method=post>"
			      "<label><input type=checkbox name=topping value=olives checked> Olives"
			      "</label><label><input type=checkbox name=topping value=onions> Onions"
			      "</label><input type=checkbox name=newsletter>"
			      "<input type=radio name=crust value=thin checked>"
			      "<input type=radio name=crust value=thick>"
			      "</form><form action=/u><input type=radio name=crust value=other checked>"
			      "</form>");
	tick(doc, "Olives", false);
	tick(doc, "topping=onions", true);
	tick(doc, "newsletter", true);
	xmlNodePtr form = NULL;
	tw_error err = {0};
	ok(tw_form_tick(doc, "crust=thick", true, &form, &err), &err);
	tw_http_request req = {0};
	ok(tw_form_submit(doc, PAGE, NULL, form, &req, &err), &err);
	/* the other form's crust radio is another group: it stays checked */
	assert_sent(&req, "POST", "http://stage.test:8080/t", "application/x-www-form-urlencoded",
		    "topping=onions&newsletter=on&crust=thick");
	tw_http_request_free(&req);
	memset(&req, 0, sizeof(req));
	ok(tw_form_submit(doc, PAGE, NULL, NULL, &req, &err) == TW_OK ? TW_EINTERNAL : TW_OK,
	   &err);
	assert_string_equal(err.message, "the page has 2 forms; say which button to press");
	tw_error_clear(&err);

	assert_error(tw_form_tick(doc, "crust=thin", false, NULL, &err), &err,
		     "'crust=thin' is a radio button: a customer cannot untick it, only tick "
		     "another choice of its group");
	assert_error(tw_form_tick(doc, "topping", true, NULL, &err), &err,
		     "field 'topping' matches 2 fields: 'Olives' (topping), 'Onions' (topping); "
		     "say which by its label or as name=value");
	assert_error(tw_form_tick(doc, "crust", true, NULL, &err), &err,
		     "field 'crust' matches 3 fields: 'crust=thin', 'crust=thick', "
		     "'crust=other'; say which by its label or as name=value");
	assert_error(tw_form_tick(doc, "crust=stuffed", true, NULL, &err), &err,
		     "no field 'crust=stuffed' on the page; fields here: 'Olives' (topping), "
		     "'Onions' (topping), 'newsletter', 'crust=thin', 'crust=thick', "
		     "'crust=other'");
	xmlFreeDoc(doc);

	doc = parse(product_page);
	tick(doc, "Thick crust", true);
	assert_error(tw_form_tick(doc, "crust", true, NULL, &err), &err,
		     "field 'crust' is a group of radio buttons; tick one of them: "
		     "'Thin crust' (crust=thin), 'Thick crust' (crust=thick)");
	assert_error(tw_form_tick(doc, "Your name", true, NULL, &err), &err,
		     "field 'Your name' is a text field: use fill, not tick");
	assert_error(tw_form_tick(doc, "Size", false, NULL, &err), &err,
		     "field 'Size' is a drop-down list: use choose, not untick");
	tw_http_request_free(&req);
	submit(doc, "Place order", &req);
	assert_string_equal(req.body, "pizza=margherita&csrf_token=abc&name=&phone=&size=s"
				      "&crust=thick&notes=&action=order");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

/* ---- submit: where and how ---- */

static void get_forms_put_the_entries_in_the_query(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action='/search?lang=en#results' role=search>"
			      "<input name=q type=search aria-label='Search the menu'>"
			      "<select name=sort><option value=price>Price</option></select>"
			      "<button>Search</button></form>");
	fill(doc, "Search the menu", "margherita pizza");
	tw_http_request req;
	submit(doc, "Search", &req);
	/* the entries replace the action's query; the fragment never leaves */
	assert_sent(&req, "GET", "http://stage.test:8080/search?q=margherita+pizza&sort=price",
		    NULL, NULL);
	assert_int_equal(req.part_count, 0);
	tw_http_request_free(&req);
	xmlFreeDoc(doc);

	/* no entries: the action's query is dropped all the same */
	doc = parse("<form action='/search?lang=en' method=GET><input type=submit></form>");
	submit(doc, "Submit", &req);
	assert_sent(&req, "GET", "http://stage.test:8080/search", NULL, NULL);
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void action_resolves_against_the_base_and_defaults_to_the_page(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<head><base href='http://stage.test:8080/shop/'></head>"
			      "<form action='checkout' method=post><input name=a value=1>"
			      "<button>Pay</button><button formaction=''>Stay</button>"
			      "<button formaction='../help' formmethod=get>Help</button></form>");
	tw_http_request req;
	submit(doc, "Pay", &req);
	assert_sent(&req, "POST", "http://stage.test:8080/shop/checkout",
		    "application/x-www-form-urlencoded", "a=1");
	tw_http_request_free(&req);
	/* an empty action is the page itself, not the base */
	submit(doc, "Stay", &req);
	assert_sent(&req, "POST", PAGE, "application/x-www-form-urlencoded", "a=1");
	tw_http_request_free(&req);
	submit(doc, "Help", &req);
	assert_sent(&req, "GET", "http://stage.test:8080/help?a=1", NULL, NULL);
	tw_http_request_free(&req);
	xmlFreeDoc(doc);

	doc = parse("<form method=post><input name=a value=1></form>");
	tw_error err = {0};
	memset(&req, 0, sizeof(req));
	ok(tw_form_submit(doc, PAGE "?x=1#top", NULL, NULL, &req, &err), &err);
	assert_sent(&req, "POST", PAGE "?x=1", "application/x-www-form-urlencoded", "a=1");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void multipart_forms_send_parts(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action=/upload method=post enctype='multipart/form-data'>"
			      "<input type=hidden name=token value=t1>"
			      "<label>Caption <input name=caption></label>"
			      "<input type=file name=photo>"
			      "<textarea name=story>a\nb</textarea>"
			      "<button name=go value=1>Upload</button></form>");
	fill(doc, "Caption", "Ada & pizza");
	tw_http_request req;
	submit(doc, "Upload", &req);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.url, "http://stage.test:8080/upload");
	assert_null(req.body);
	assert_int_equal(req.header_count, 0); /* libcurl writes the boundary */
	assert_int_equal(req.part_count, 5);
	const char *names[] = {"token", "caption", "photo", "story", "go"};
	const char *values[] = {"t1", "Ada & pizza", "", "a\r\nb", "1"};
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(req.parts[i].name, names[i]);
		assert_string_equal(req.parts[i].value, values[i]);
		assert_false(req.parts[i].is_file);
	}
	/* a file input with no file: an empty file with an empty name */
	assert_string_equal(req.parts[2].filename, "");
	assert_string_equal(req.parts[2].content_type, "application/octet-stream");
	assert_null(req.parts[0].filename);
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void text_plain_and_button_overrides(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action=/feedback method=post enctype=text/plain>"
			      "<input name=who value='Ada L'><textarea name=msg>hi\nthere</textarea>"
			      "<button>Send</button>"
			      "<button formenctype=multipart/form-data>Send as parts</button>"
			      "<button formenctype=application/x-www-form-urlencoded "
			      "formaction=/fb2>Send encoded</button></form>");
	tw_http_request req;
	submit(doc, "Send", &req);
	assert_sent(&req, "POST", "http://stage.test:8080/feedback", "text/plain",
		    "who=Ada L\r\nmsg=hi\r\nthere\r\n");
	tw_http_request_free(&req);
	submit(doc, "Send as parts", &req);
	assert_int_equal(req.part_count, 2);
	assert_null(req.body);
	tw_http_request_free(&req);
	submit(doc, "Send encoded", &req);
	assert_sent(&req, "POST", "http://stage.test:8080/fb2",
		    "application/x-www-form-urlencoded", "who=Ada+L&msg=hi%0D%0Athere");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void entry_list_follows_the_html_rules(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(
		"<form id=order action=/o method=post>"
		"<input type=hidden name=_charset_>"
		"<fieldset disabled><legend><input name=in_legend value=kept></legend>"
		"<input name=in_fieldset value=dropped><legend><input name=second_legend "
		"value=dropped></legend></fieldset>"
		"<input value=nameless><input name='' value=empty_name>"
		"<input type=checkbox name=agree checked><input type=checkbox name=no value=x>"
		"<select name=single><option selected>A</option><option selected>B</option>"
		"</select><select name=listbox size=3><option>X</option></select>"
		"<select name=opt><option disabled>Off</option><option>On</option></select>"
		"<input name=comment dirname=comment.dir value=hello>"
		"<template><input name=inert value=1></template>"
		"<datalist id=dl><input name=in_datalist value=1></datalist>"
		"<input name=moved form=other value=elsewhere>"
		"<input type=reset name=r><input type=button name=b value=x>"
		"<input type=image name=map alt='Go to map'>"
		"</form>"
		"<input name=outside form=order value=associated>"
		"<form id=other action=/other></form>");
	tw_http_request req;
	submit(doc, "Go to map", &req);
	assert_sent(&req, "POST", "http://stage.test:8080/o", "application/x-www-form-urlencoded",
		    "_charset_=UTF-8&in_legend=kept&agree=on&single=B&opt=On&comment=hello"
		    "&comment.dir=ltr&map.x=0&map.y=0&outside=associated");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);

	/* a nameless image button sends bare coordinates */
	doc = parse("<form action=/o method=post><input type=image alt=Go></form>");
	submit(doc, "Go", &req);
	assert_string_equal(req.body, "x=0&y=0");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void required_fields_stop_the_submit(void **state)
{
	(void)state;
	const char *page = "<form action=/o method=post %s>"
			   "<label>Name <input name=name required></label>"
			   "<label><input type=checkbox name=terms required> I agree</label>"
			   "<input type=radio name=slot value=am required>"
			   "<input type=radio name=slot value=pm>"
			   "<select name=size required><option value=''>Pick a size</option>"
			   "<option value=s>Small</option></select>"
			   "<button>Order</button><button formnovalidate>Save draft</button></form>";
	char html[1024];
	snprintf(html, sizeof(html), page, "");
	xmlDocPtr doc = parse(html);
	tw_error err = {0};
	tw_http_request req = {0};
	assert_error(tw_form_submit(doc, PAGE, "Order", NULL, &req, &err), &err,
		     "a browser would not send this form: required field 'Name' (name) is empty");
	fill(doc, "Name", "Ada");
	assert_error(tw_form_submit(doc, PAGE, "Order", NULL, &req, &err), &err,
		     "a browser would not send this form: required field 'I agree' (terms) is "
		     "not ticked");
	tick(doc, "terms", true);
	assert_error(tw_form_submit(doc, PAGE, "Order", NULL, &req, &err), &err,
		     "a browser would not send this form: required field 'slot=am' has none of "
		     "its choices ticked");
	tick(doc, "slot=pm", true);
	assert_error(tw_form_submit(doc, PAGE, "Order", NULL, &req, &err), &err,
		     "a browser would not send this form: required field 'size' has no option "
		     "chosen");
	assert_null(req.url);
	choose(doc, "size", "Small");
	submit(doc, "Order", &req);
	assert_string_equal(req.body, "name=Ada&terms=on&slot=pm&size=s");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);

	/* formnovalidate and novalidate send as is */
	doc = parse(html);
	submit(doc, "Save draft", &req);
	assert_string_equal(req.body, "name=&size=");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
	snprintf(html, sizeof(html), page, "novalidate");
	doc = parse(html);
	submit(doc, "Order", &req);
	assert_string_equal(req.body, "name=&size=");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);

	/* A required file: attach gives one, else a browser stops there. */
	doc = parse("<form action=/o method=post>"
		    "<label>Photo <input type=file name=photo required></label>"
		    "<button>Send</button></form>");
	assert_error_as(tw_form_submit(doc, PAGE, "Send", NULL, &req, &err), &err, TW_EUSAGE,
			"a browser would not send this form: required field 'Photo' (photo) has "
			"no file attached");
	assert_null(req.url);
	/* the form goes as multipart/form-data, whatever its enctype, with the
	 * file's content and only its name */
	assert_int_equal(tw_form_attach(doc, "Photo", "/tmp/dir/me.png", NULL, &err), TW_OK);
	submit(doc, "Send", &req);
	assert_int_equal(req.part_count, 1);
	assert_true(req.parts[0].is_file);
	assert_string_equal(req.parts[0].value, "/tmp/dir/me.png");
	assert_string_equal(req.parts[0].filename, "me.png");
	assert_null(req.parts[0].content_type); /* libcurl's guess */
	tw_http_request_free(&req);
	tw_form_attachments_free(doc);
	xmlFreeDoc(doc);

	/* a GET form sends the file's name only, never its path */
	doc = parse("<form action=/o><input type=file name=f><button>Go</button></form>");
	assert_int_equal(tw_form_attach(doc, "f", "/home/ada/secret/me.png", NULL, &err), TW_OK);
	submit(doc, "Go", &req);
	assert_string_equal(req.url, "http://stage.test:8080/o?f=me.png");
	tw_http_request_free(&req);
	/* attach takes a file input only */
	tw_form_attachments_free(doc);
	xmlFreeDoc(doc);
	doc = parse("<form><input name=n><input type=file name=f disabled></form>");
	assert_error(tw_form_attach(doc, "n", "/tmp/a", NULL, &err), &err,
		     "field 'n' is a text field: use fill, not attach");
	assert_error(tw_form_attach(doc, "f", "/tmp/a", NULL, &err), &err, "field 'f' is disabled");
	tw_form_attachments_free(doc);
	xmlFreeDoc(doc);

	/* (review, minor note) what file goes is the customer's word, never
	 * the page's: no attribute a page writes, in any case or parser,
	 * names a local file to upload */
	const char xml[] = "<form method='post' action='/o'><input type='file' name='f' "
			    "TW-ATTACHED='/etc/hostname' tw-attached='/etc/hostname'/>"
			    "<button>Go</button></form>";
	doc = xmlReadMemory(xml, (int)sizeof(xml) - 1, "x.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	submit(doc, "Go", &req);
	assert_int_equal(req.part_count, 0); /* no file: no multipart */
	assert_string_equal(req.body, "f=");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
}

static void deselect_unchooses_in_a_multi_select(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<form action=/o method=post>"
			      "<select name=t multiple><option selected>Ham</option>"
			      "<option value=b selected>Basil</option></select>"
			      "<select name=s><option>M</option><option>L</option></select>"
			      "<button>Send</button></form>");
	tw_error err = {0};
	tw_http_request req = {0};
	assert_int_equal(tw_form_deselect(doc, "t", "b", NULL, &err), TW_OK);
	submit(doc, "Send", &req);
	assert_string_equal(req.body, "t=Ham&s=M");
	tw_http_request_free(&req);
	assert_int_equal(tw_form_deselect(doc, "t", "Ham", NULL, &err), TW_OK);
	submit(doc, "Send", &req);
	assert_string_equal(req.body, "s=M");
	tw_http_request_free(&req);
	assert_error(tw_form_deselect(doc, "s", "M", NULL, &err), &err,
		     "field 's' is a list of one choice: a customer cannot deselect its option, "
		     "only choose another (deselect works on a list that takes several)");
	assert_error(tw_form_deselect(doc, "t", "Olives", NULL, &err), &err,
		     "no option 'Olives' in 't'; options: 'Ham', 'Basil'");
	xmlFreeDoc(doc);
}

/* ---- submit: which button ---- */

static void buttons_are_found_by_text_value_name_id(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(product_page);
	tw_error err = {0};
	tw_http_request req = {0};
	assert_error(tw_form_submit(doc, PAGE, "action", NULL, &req, &err), &err,
		     "button 'action' matches 2 buttons that do different things: "
		     "'Place order', 'Save for later'; name the one you mean by its text or id");
	xmlFreeDoc(doc);

	doc = parse("<form action=/b method=post>"
		    "<button id=pay-now name=pay value=card><span>Pay</span> <b>now</b></button>"
		    "<button name=later value=1 aria-label='Pay later'>&#x23F0;</button>"
		    "<button name=gift value=1 title='Send as a gift'>&#x1F381;</button>"
		    "<input type=image name=paypal alt='Pay with PayPal' src=pp.png>"
		    "<input type=submit name=plain></form>");
	const char *by[] = {"Pay now", "pay-now", "pay", "Pay later", "Send as a gift",
			    "Pay with PayPal", "Submit", "plain"};
	const char *sent[] = {"pay=card", "pay=card", "pay=card", "later=1",
			      "gift=1", "paypal.x=0&paypal.y=0", "plain=", "plain="};
	for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++) {
		submit(doc, by[i], &req);
		assert_string_equal(req.body, sent[i]);
		tw_http_request_free(&req);
	}
	xmlFreeDoc(doc);
}

static void submit_explains_what_it_cannot_do(void **state)
{
	(void)state;
	xmlDocPtr doc = parse(product_page);
	tw_error err = {0};
	tw_http_request req = {0};
	assert_error(tw_form_submit(doc, PAGE, "Place ordr", NULL, &req, &err), &err,
		     "no button 'Place ordr' on the page; buttons here: 'Place order', "
		     "'Save for later'");
	assert_null(req.url);
	xmlFreeDoc(doc);

	doc = parse("<form action=/o><input name=q>"
		    "<button type=reset>Clear</button><button type=button>Preview</button>"
		    "<button disabled>Buy</button><button name=go value=1 id=go-top>Go</button>"
		    "<button name=go value=1>Go</button></form>"
		    "<button>Floating</button>"
		    "<form action=/dialog method=dialog><button>Close</button></form>"
		    "<form action='mailto:orders@stage.test' method=post><button>Mail us</button>"
		    "</form>");
	assert_error(tw_form_submit(doc, PAGE, "Clear", NULL, &req, &err), &err,
		     "button 'Clear' resets the form instead of sending it");
	assert_error(tw_form_submit(doc, PAGE, "Preview", NULL, &req, &err), &err,
		     "button 'Preview' does nothing without scripts (type=button), and techweek "
		     "runs no scripts");
	assert_error(tw_form_submit(doc, PAGE, "Buy", NULL, &req, &err), &err,
		     "button 'Buy' is disabled");
	assert_error(tw_form_submit(doc, PAGE, "Floating", NULL, &req, &err), &err,
		     "button 'Floating' is in no form, so pressing it sends nothing");
	assert_error(tw_form_submit(doc, PAGE, "Close", NULL, &req, &err), &err,
		     "the form uses method=dialog, which closes a dialog on the page instead of "
		     "sending anything");
	assert_error(tw_form_submit(doc, PAGE, "Mail us", NULL, &req, &err), &err,
		     "cannot send the form: 'mailto:orders@stage.test' is not a web address a "
		     "customer can follow here (only http and https are)");
	assert_error(tw_form_submit(doc, PAGE, "", NULL, &req, &err), &err,
		     "submit needs the text, name or id of a button");
	assert_error(tw_form_submit(doc, PAGE, NULL, NULL, &req, &err), &err,
		     "the page has 3 forms; say which button to press: 'Buy', 'Go', 'Close', "
		     "'Mail us'"); /* the buttons that send a form: none outside forms */
	/* two buttons doing the same thing are one */
	ok(tw_form_submit(doc, PAGE, "Go", NULL, &req, &err), &err);
	assert_sent(&req, "GET", "http://stage.test:8080/o?q=&go=1", NULL, NULL);
	tw_http_request_free(&req);
	xmlFreeDoc(doc);

	doc = parse("<p>Just text</p>");
	assert_error(tw_form_submit(doc, PAGE, NULL, NULL, &req, &err), &err,
		     "the page has no form to submit");
	assert_error(tw_form_submit(doc, PAGE, "Go", NULL, &req, &err), &err,
		     "no button 'Go' on the page; the page has no buttons");
	xmlFreeDoc(doc);

	doc = parse("<form action=/o><input name=q><button disabled>Search</button></form>");
	assert_error(tw_form_submit(doc, PAGE, NULL, NULL, &req, &err), &err,
		     "pressing Enter does not send this form: its default button 'Search' is "
		     "disabled");
	xmlFreeDoc(doc);
}

static void same_buttons_in_different_forms(void **state)
{
	(void)state;
	xmlDocPtr doc = parse("<ul><li>Margherita<form action=/basket method=post>"
			      "<input type=hidden name=pizza value=margherita>"
			      "<input name=qty value=1 aria-label='Margherita quantity'>"
			      "<button>Add to basket</button></form></li>"
			      "<li>Marinara<form action=/basket method=post>"
			      "<input type=hidden name=pizza value=marinara>"
			      "<input name=qty value=1 aria-label='Marinara quantity'>"
			      "<button>Add to basket</button></form></li></ul>");
	tw_error err = {0};
	tw_http_request req = {0};
	assert_error(tw_form_submit(doc, PAGE, "Add to basket", NULL, &req, &err), &err,
		     "button 'Add to basket' matches 2 buttons that do different things: "
		     "'Add to basket' (form 1, action '/basket'), 'Add to basket' (form 2, "
		     "action '/basket'); fill a field of the form you mean first, or name the "
		     "button by its id");
	/* filling a field says which form the customer is in */
	xmlNodePtr form = NULL;
	ok(tw_form_fill(doc, "Marinara quantity", "2", &form, &err), &err);
	ok(tw_form_submit(doc, PAGE, "Add to basket", form, &req, &err), &err);
	assert_sent(&req, "POST", "http://stage.test:8080/basket",
		    "application/x-www-form-urlencoded", "pizza=marinara&qty=2");
	tw_http_request_free(&req);
	xmlFreeDoc(doc);
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
static void assert_masked(const tw_redact *r, int rc, tw_error *err)
{
	assert_int_equal(rc, TW_EUSAGE);
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
	tw_http_request req = {0};
	/* distinct texts, or the list of fields would show each once */
	char *label = padded("l", 29), *name = padded("n", 29), *hint = padded("h", 29),
	     *option = padded("o", 29), *button = padded("b", 29), *action = padded("/", 70),
	     *disabled = padded("d", 189), *list = padded("s", 189), *radio = padded("r", 189),
	     *reset = padded("x", 189), *missing = padded("", 191);
	size_t n = 4096;
	char *html = malloc(n);
	assert_non_null(html);
	snprintf(html, n,
		 "<body><form action='%s'>"
		 "<label for=a>%s</label><input id=a name=a>"
		 "<input name='%s'><input placeholder='%s'>"
		 "<select name=s><option>%s</option></select>"
		 "<label for=d>%s</label><input id=d disabled>"
		 "<label for=m>%s</label><select id=m></select>"
		 "<label for=b>%s</label><input id=b type=radio>"
		 "<button>%s</button><button type=reset>%s</button></form>"
		 "<form action='%s/2'><button>%s</button></form></body>",
		 action, label, name, hint, option, disabled, list, radio, button, reset, action,
		 button);
	xmlDocPtr doc = parse(html);

	/* the list of fields (40 characters each): a label, a name, a
	 * placeholder */
	assert_masked(&r, tw_form_fill(doc, "Nope", "x", NULL, &err), &err);
	/* an option (40) */
	assert_masked(&r, tw_form_choose(doc, "s", "Nope", NULL, &err), &err);
	/* buttons with the action of their form (40 and 80) */
	assert_masked(&r, tw_form_submit(doc, PAGE, button, NULL, &req, &err), &err);
	/* what the script asked for (200), quoted before a list or alone */
	assert_masked(&r, tw_form_fill(doc, missing, "x", NULL, &err), &err);
	assert_masked(&r, tw_form_choose(doc, missing, "x", NULL, &err), &err);
	assert_masked(&r, tw_form_fill(doc, disabled, "x", NULL, &err), &err);
	assert_masked(&r, tw_form_fill(doc, list, "x", NULL, &err), &err);
	assert_masked(&r, tw_form_tick(doc, radio, false, NULL, &err), &err);
	assert_masked(&r, tw_form_submit(doc, PAGE, reset, NULL, &req, &err), &err);

	char *all[] = {label, name, hint, option, button, action, disabled, list, radio, reset,
		       missing};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]);
	xmlFreeDoc(doc);
	free(html);
	tw_redact_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_order_journey_sends_what_a_browser_sends),
		cmocka_unit_test(untouched_form_sends_its_defaults),
		cmocka_unit_test(fields_are_found_by_label_name_id_placeholder),
		cmocka_unit_test(labels_may_carry_colons_and_stars),
		cmocka_unit_test(fill_explains_what_it_cannot_do),
		cmocka_unit_test(fill_counts_characters_not_bytes),
		cmocka_unit_test(field_lists_are_short),
		cmocka_unit_test(fields_with_the_same_name_are_ambiguous),
		cmocka_unit_test(textarea_text_is_replaced_and_sent_with_crlf),
		cmocka_unit_test(choose_selects_one_option_or_adds_to_many),
		cmocka_unit_test(choose_explains_what_it_cannot_do),
		cmocka_unit_test(tick_handles_boxes_and_radio_groups),
		cmocka_unit_test(get_forms_put_the_entries_in_the_query),
		cmocka_unit_test(action_resolves_against_the_base_and_defaults_to_the_page),
		cmocka_unit_test(multipart_forms_send_parts),
		cmocka_unit_test(text_plain_and_button_overrides),
		cmocka_unit_test(entry_list_follows_the_html_rules),
		cmocka_unit_test(required_fields_stop_the_submit),
		cmocka_unit_test(buttons_are_found_by_text_value_name_id),
		cmocka_unit_test(deselect_unchooses_in_a_multi_select),
		cmocka_unit_test(submit_explains_what_it_cannot_do),
		cmocka_unit_test(same_buttons_in_different_forms),
		cmocka_unit_test(messages_are_cut_after_the_secrets_are_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
