/*
 * SRGS XML grammars (channels/ivr/grammar_srgs.c): reading rules, rule
 * references, alternatives, repeats and simple tags, inline and from
 * bytes, and matching keys and words against them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "channels/ivr/grammar.h" /* issue 14, F2 */
#include "channels/ivr/grammar_srgs.h"

#define BASE "http://127.0.0.1/ivr/menu.vxml"
#define HEAD "<grammar xmlns=\"http://www.w3.org/2001/06/grammar\" version=\"1.0\" "

static tw_srgs *from_bytes(const char *body, const char *url, const tw_srgs_fetcher *f)
{
	tw_srgs *g = NULL;
	tw_error err = {0};
	int rc = tw_srgs_read_bytes(body, strlen(body), "application/srgs+xml", url, false, f, &g,
				    &err);
	if (rc)
		fail_msg("%s", err.message);
	tw_error_clear(&err);
	return g;
}

/* The message of a grammar that cannot be read; *code its code. */
static char *refused(const char *body, const char *type, const tw_srgs_fetcher *f, int *code)
{
	tw_srgs *g = NULL;
	tw_error err = {0};
	*code = tw_srgs_read_bytes(body, strlen(body), type, BASE, false, f, &g, &err);
	assert_null(g);
	assert_int_not_equal(*code, TW_OK);
	char *msg = strdup(err.message);
	tw_error_clear(&err);
	return msg;
}

/* input's interpretation, or NULL for no match. */
static char *match(const tw_srgs *g, const char *input, const char *slot)
{
	char *value = NULL;
	tw_error err = {0};
	if (tw_srgs_match(g, input, slot, &value, &err))
		fail_msg("%s", err.message);
	return value;
}

static void is_value(const tw_srgs *g, const char *input, const char *want)
{
	char *v = match(g, input, NULL);
	if (!want) {
		if (v)
			fail_msg("\"%s\" matched, giving \"%s\"", input, v);
		return;
	}
	if (!v)
		fail_msg("\"%s\" did not match", input);
	assert_string_equal(v, want);
	free(v);
}

static void contains(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("\"%s\" does not contain \"%s\"", s, want);
}

static void yes_no_with_literal_tags(void **state)
{
	(void)state;
	tw_srgs *g = from_bytes(HEAD "root=\"yn\" tag-format=\"semantics/1.0-literals\">"
				"<rule id=\"yn\" scope=\"public\"><one-of>"
				"<item>yes<tag>Yes</tag></item>"
				"<item><one-of><item>no</item><item>nope</item></one-of><tag>No</tag></item>"
				"<item>yes please</item>"
				"</one-of></rule></grammar>",
				"http://127.0.0.1/g/yesno.srgs", NULL);
	assert_false(tw_srgs_dtmf(g));
	is_value(g, "Yes.", "Yes");
	is_value(g, "NOPE", "No");
	is_value(g, "yes please", "yes please"); /* no tag: the words */
	is_value(g, "maybe", NULL);
	is_value(g, "yes yes", NULL);
	is_value(g, "", NULL);
	tw_srgs_free(g);
}

static void dtmf_digits_with_repeat(void **state)
{
	(void)state;
	tw_srgs *g = from_bytes(HEAD "mode=\"dtmf\" root=\"pin\">"
				"<rule id=\"digit\"><one-of><item>0</item><item>1</item><item>2</item>"
				"<item>3</item><item>4</item><item>5</item><item>6</item><item>7</item>"
				"<item>8</item><item>9</item></one-of></rule>"
				"<rule id=\"pin\"><item repeat=\"4-6\"><ruleref uri=\"#digit\"/></item>"
				"<item repeat=\"0-1\">#</item></rule></grammar>",
				"http://127.0.0.1/g/pin.grxml", NULL);
	assert_true(tw_srgs_dtmf(g));
	is_value(g, "1234", "1234");
	is_value(g, "123456#", "123456#");
	assert_true(tw_srgs_has_token(g, "#"));
	assert_false(tw_srgs_has_token(g, "*"));
	is_value(g, "123", NULL);
	is_value(g, "1234567", NULL);
	is_value(g, "12a4", NULL);
	assert_int_equal(tw_srgs_fixed_length(g), 0);
	tw_srgs_free(g);

	g = from_bytes(HEAD "mode=\"dtmf\" root=\"r\"><rule id=\"d\"><one-of><item>1</item>"
		       "<item>2 2<tag>out = 'x'</tag></item></one-of></rule>"
		       "<rule id=\"r\"><item repeat=\"3\"><one-of><item>1</item><item>2</item>"
		       "<item><ruleref special=\"VOID\"/>3 3</item></one-of></item></rule></grammar>",
		       "http://127.0.0.1/g/three.grxml", NULL);
	assert_int_equal(tw_srgs_fixed_length(g), 3); /* a VOID branch never counts */
	tw_srgs_free(g);

	g = from_bytes(HEAD "mode=\"dtmf\" root=\"any\">"
		       "<rule id=\"any\"><item repeat=\"1-\"><one-of><item>1</item><item>2</item>"
		       "</one-of></item><item repeat=\"2\">*</item></rule></grammar>",
		       "http://127.0.0.1/g/any.grxml", NULL);
	is_value(g, "1212121**", "1212121**");
	is_value(g, "**", NULL);
	is_value(g, "12*", NULL);
	tw_srgs_free(g);
}

static void script_tags_build_the_interpretation(void **state)
{
	(void)state;
	tw_srgs *g = from_bytes(HEAD "mode=\"dtmf\" root=\"pin\" tag-format=\"semantics/1.0\">"
				"<rule id=\"digit\"><one-of><item>1<tag>out = 'one';</tag></item>"
				"<item>2<tag>out=\"two\"</tag></item><item>3</item></one-of></rule>"
				"<rule id=\"pin\"><tag>out = '';</tag>"
				"<item repeat=\"1-3\"><ruleref uri=\"#digit\"/><tag>out += rules.digit + '-';"
				"</tag></item></rule></grammar>",
				"http://127.0.0.1/g/t.grxml", NULL);
	is_value(g, "12", "one-two-");
	is_value(g, "3", "3-");
	tw_srgs_free(g);

	/* an object: its slot when asked for, else written out */
	g = from_bytes(HEAD "root=\"order\" tag-format=\"semantics/1.0\">"
		       "<rule id=\"size\"><one-of><item>small<tag>out = 's'</tag></item>"
		       "<item>large<tag>out = 'l'</tag></item></one-of></rule>"
		       "<rule id=\"order\"><ruleref uri=\"#size\"/> coffee"
		       "<tag>out.drink = 'coffee'; out.size = rules.size; out.n = 1 + 1;</tag>"
		       "<item repeat=\"0-1\">please<tag>out.polite = true</tag></item></rule></grammar>",
		       "http://127.0.0.1/g/o.grxml", NULL);
	is_value(g, "large coffee", "{drink: \"coffee\", size: \"l\", n: 2}");
	is_value(g, "small coffee please",
		 "{drink: \"coffee\", size: \"s\", n: 2, polite: true}");
	char *v = match(g, "small coffee", "size");
	assert_string_equal(v, "s");
	free(v);
	tw_srgs_free(g);

	/* rules.latest() and meta.current().text */
	g = from_bytes(HEAD "root=\"r\">"
		       "<rule id=\"a\">alpha</rule><rule id=\"b\">beta</rule>"
		       "<rule id=\"r\"><one-of><item><ruleref uri=\"#a\"/></item>"
		       "<item><ruleref uri=\"#b\"/></item></one-of>"
		       "<tag>out = rules.latest() + '/' + meta.current().text;</tag></rule></grammar>",
		       "http://127.0.0.1/g/l.grxml", NULL);
	is_value(g, "Beta", "beta/beta");
	tw_srgs_free(g);
}

static void special_rules_and_root_by_fragment(void **state)
{
	(void)state;
	tw_srgs *g = from_bytes(HEAD "root=\"a\">"
				"<rule id=\"a\">hello <ruleref special=\"NULL\"/> world</rule>"
				"<rule id=\"b\"><one-of><item>go</item><item><ruleref special=\"VOID\"/> stop"
				"</item></one-of></rule></grammar>",
				"http://127.0.0.1/g/s.grxml#b", NULL);
	is_value(g, "go", "go");
	is_value(g, "stop", NULL);
	is_value(g, "hello world", NULL);
	tw_srgs_free(g);
}

/* A fetcher serving one other grammar, as the call's resources would. */
static int serve(void *ctx, const char *base, const char *ref, const char **body, size_t *len,
		 const char **type, tw_error *err)
{
	(void)ctx;
	if (strcmp(base, "http://127.0.0.1/g/main.grxml") == 0 && strcmp(ref, "common/digits.grxml") == 0) {
		*body = HEAD "mode=\"dtmf\" root=\"d\"><rule id=\"d\"><one-of><item>1</item>"
			"<item>2</item></one-of></rule><rule id=\"star\">*</rule></grammar>";
		*len = strlen(*body);
		*type = "application/srgs+xml";
		return TW_OK;
	}
	if (strcmp(ref, "gone.grxml") == 0)
		return tw_error_set(err, TW_ESERVICE, "GET http://127.0.0.1/g/gone.grxml: 404");
	return TW_EIO; /* not fetched */
}

static void external_rule_references(void **state)
{
	(void)state;
	tw_srgs_fetcher f = {serve, NULL};
	tw_srgs *g = from_bytes(HEAD "mode=\"dtmf\" root=\"m\">"
				"<rule id=\"m\"><item repeat=\"2\"><ruleref uri=\"common/digits.grxml\"/>"
				"</item><ruleref uri=\"common/digits.grxml#star\"/></rule></grammar>",
				"http://127.0.0.1/g/main.grxml", &f);
	is_value(g, "12*", "12*");
	is_value(g, "13*", NULL);
	tw_srgs_free(g);

	int code;
	char *msg = refused(HEAD "root=\"m\"><rule id=\"m\"><ruleref uri=\"other.grxml\"/></rule>"
			    "</grammar>", NULL, &f, &code);
	assert_int_equal(code, TW_EUNSUPPORTED);
	contains(msg, "http://127.0.0.1/ivr/other.grxml");
	free(msg);

	msg = refused(HEAD "root=\"m\"><rule id=\"m\"><ruleref uri=\"gone.grxml\"/></rule></grammar>",
		      NULL, &f, &code);
	assert_int_equal(code, TW_ESERVICE);
	contains(msg, "404");
	free(msg);
}

static void abnf_is_techweeks_limit(void **state)
{
	(void)state;
	int code;
	char *msg = refused("#ABNF 1.0 UTF-8;\nroot $yn;\n$yn = yes | no;\n", "application/srgs", NULL,
			    &code);
	assert_int_equal(code, TW_EUNSUPPORTED);
	contains(msg, "not ABNF");
	free(msg);
	/* by its text, whatever it is served as */
	msg = refused("#ABNF 1.0;\n$yn = yes | no;\n", "text/plain", NULL, &code);
	assert_int_equal(code, TW_EUNSUPPORTED);
	free(msg);

	xmlDocPtr d = xmlReadMemory("<grammar type=\"application/srgs\">$yn = yes | no;</grammar>", 58,
				    BASE, NULL, 0);
	assert_non_null(d);
	tw_srgs *g = NULL;
	xmlNodePtr at = NULL;
	tw_error err = {0};
	assert_int_equal(tw_srgs_read_node(xmlDocGetRootElement(d), BASE, false, NULL, &g, &at, &err),
			 TW_EUNSUPPORTED);
	assert_ptr_equal(at, xmlDocGetRootElement(d));
	tw_error_clear(&err);
	xmlFreeDoc(d);
}

static void wrong_grammars_are_the_services_fault(void **state)
{
	(void)state;
	static const struct {
		const char *body, *want;
		int code;
	} cases[] = {
		{HEAD "root=\"x\"><rule id=\"a\">a</rule></grammar>", "root=\"x\" names no rule", TW_ESERVICE},
		{HEAD "root=\"a\"><rule id=\"a\"><ruleref uri=\"#nope\"/></rule></grammar>",
		 "<ruleref uri=\"#nope\"> at line 1 names no rule", TW_ESERVICE},
		{HEAD "mode=\"dtmf\"><rule id=\"a\">yes</rule></grammar>", "not a key", TW_ESERVICE},
		{HEAD "><rule id=\"a\"><item repeat=\"x\">a</item></rule></grammar>", "is not a count",
		 TW_ESERVICE},
		{HEAD "><rule id=\"a\">a</rule>", "not well-formed", TW_ESERVICE},
		{HEAD "><rule id=\"a\"><one-of><ruleref uri=\"#a\"/></one-of></rule></grammar>",
		 "may hold only <item>s", TW_ESERVICE},
		{"<vxml/>", "not <grammar>", TW_ESERVICE},
		{HEAD "><rule id=\"a\">a<tag>out = rules.a.toUpperCase();</tag></rule></grammar>",
		 "semantic tags of the forms", TW_EUNSUPPORTED},
		{HEAD "><rule id=\"a\"><ruleref special=\"GARBAGE\"/></rule></grammar>", "GARBAGE",
		 TW_EUNSUPPORTED},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int code;
		char *msg = refused(cases[i].body, NULL, NULL, &code);
		contains(msg, cases[i].want);
		contains(msg, BASE);
		assert_int_equal(code, cases[i].code);
		free(msg);
	}
}

static void inline_grammar_and_its_faulty_node(void **state)
{
	(void)state;
	static const char doc[] = "<form><field name=\"x\"><grammar root=\"r\" mode=\"dtmf\">"
				  "<rule id=\"r\"><item repeat=\"2-\">9</item></rule></grammar>"
				  "<grammar><rule id=\"r\"><item repeat=\"1-0\">a</item></rule></grammar>"
				  "</field></form>";
	xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), BASE, NULL, 0);
	xmlNodePtr field = xmlDocGetRootElement(d)->children;
	xmlNodePtr first = field->children, second = first->next;
	tw_srgs *g = NULL;
	xmlNodePtr at = NULL;
	tw_error err = {0};
	assert_int_equal(tw_srgs_read_node(first, BASE, false, NULL, &g, &at, &err), TW_OK);
	assert_true(tw_srgs_dtmf(g));
	is_value(g, "999", "999");
	is_value(g, "9", NULL);
	tw_srgs_free(g);

	assert_int_equal(tw_srgs_read_node(second, BASE, false, NULL, &g, &at, &err), TW_ESERVICE);
	assert_ptr_equal(at, second->children->children); /* the <item> */
	assert_null(strstr(err.message, "line")); /* the interpreter names the line */
	tw_error_clear(&err);
	xmlFreeDoc(d);
}

static void ambiguity_is_bounded(void **state)
{
	(void)state;
	/* (a?){0-30} a{30}: exponential for a naive walk */
	tw_srgs *g = from_bytes(HEAD "root=\"r\"><rule id=\"r\"><item repeat=\"0-30\"><item "
				"repeat=\"0-1\">a</item><item repeat=\"0-1\">a</item></item>"
				"<item repeat=\"30\">a</item> b</rule></grammar>",
				"http://127.0.0.1/g/a.grxml", NULL);
	char *value = NULL;
	tw_error err = {0};
	int rc = tw_srgs_match(g, "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a "
			       "a a a a a a a a a a a a a a a a a a a c",
			       NULL, &value, &err);
	assert_int_equal(rc, TW_ELIMIT);
	assert_null(value);
	contains(err.message, "too ambiguous");
	tw_error_clear(&err);
	tw_srgs_free(g);
}

/* r0 = r1 r1, r1 = r2 r2, ... r39 = 1: 2^39 keys. Its length is found
 * once per rule, not once per path. */
static void doubling_rules_are_measured_once(void **state)
{
	(void)state;
	char *body = malloc(1 << 14);
	assert_non_null(body);
	size_t n = (size_t)sprintf(body, HEAD "mode=\"dtmf\" root=\"r0\">");
	for (int i = 0; i < 39; i++)
		n += (size_t)sprintf(body + n, "<rule id=\"r%d\"><ruleref uri=\"#r%d\"/>"
				     "<ruleref uri=\"#r%d\"/></rule>", i, i + 1, i + 1);
	sprintf(body + n, "<rule id=\"r39\">1</rule></grammar>");
	tw_srgs *g = from_bytes(body, "http://127.0.0.1/g/big.grxml", NULL);
	assert_int_equal(tw_srgs_fixed_length(g), 0);
	is_value(g, "11", NULL);
	tw_srgs_free(g);
	free(body);
}

/* issue 14, F2: could longer keys still match? Keys that match and
 * cannot go on end the input (termtimeout); otherwise the IVR waits. */
static void dtmf_longer(void **state)
{
	(void)state;
	vxml_grammar pin = {0};
	pin.builtin = B_DIGITS;
	pin.builtin_dtmf = true;
	pin.minlen = pin.maxlen = 4;
	assert_true(tw_grammar_dtmf_longer(&pin, "0"));
	assert_false(tw_grammar_dtmf_longer(&pin, "0123"));
	assert_false(tw_grammar_dtmf_longer(&pin, "*"));
	vxml_grammar number = {0};
	number.builtin = B_NUMBER;
	number.builtin_dtmf = true;
	assert_true(tw_grammar_dtmf_longer(&number, "12"));
	vxml_grammar yes = {0};
	yes.builtin = B_BOOLEAN;
	yes.builtin_dtmf = true;
	assert_false(tw_grammar_dtmf_longer(&yes, "1"));
	vxml_alt alts[2] = {{.dtmf = "11"}, {.dtmf = "12"}};
	vxml_grammar pick = {0};
	pick.alts = alts;
	pick.nalts = 2;
	assert_true(tw_grammar_dtmf_longer(&pick, "1"));
	assert_false(tw_grammar_dtmf_longer(&pick, "0"));
	assert_false(tw_grammar_dtmf_longer(&pick, "11"));
	/* by voice only: no keys go on */
	vxml_grammar voice = {0};
	voice.builtin = B_DIGITS;
	voice.builtin_voice = true;
	assert_false(tw_grammar_dtmf_longer(&voice, "1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(yes_no_with_literal_tags),
		cmocka_unit_test(dtmf_longer), /* issue 14, F2 */
		cmocka_unit_test(dtmf_digits_with_repeat),
		cmocka_unit_test(script_tags_build_the_interpretation),
		cmocka_unit_test(special_rules_and_root_by_fragment),
		cmocka_unit_test(external_rule_references),
		cmocka_unit_test(abnf_is_techweeks_limit),
		cmocka_unit_test(wrong_grammars_are_the_services_fault),
		cmocka_unit_test(inline_grammar_and_its_faulty_node),
		cmocka_unit_test(ambiguity_is_bounded),
		cmocka_unit_test(doubling_rules_are_measured_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
