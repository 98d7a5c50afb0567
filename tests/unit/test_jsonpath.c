/*
 * tw_jsonpath_eval: every form of the grammar, the order of results, the
 * selectors that quietly select nothing, the syntax errors a script author
 * sees (with offsets), and the bounds on depth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "expectations/jsonpath.h"

static const char *DOC =
	"{\"status\": \"baking\", \"id\": 1001, \"total\": 8.50,"
	" \"items\": [{\"name\": \"Margherita\", \"qty\": 1},"
	"             {\"name\": \"Funghi\", \"qty\": 2, \"extras\": {\"name\": \"olives\"}},"
	"             {\"name\": \"Diavola\", \"qty\": 1}],"
	" \"odd key\": {\"it's\": true, \"say \\\"hi\\\"\": null},"
	" \"with-dash\": 3, \"caf\xc3\xa9\": \"open\", \"empty\": [], \"nothing\": null}";

static int setup(void **state)
{
	json_error_t e;
	json_t *doc = json_loads(DOC, 0, &e);
	if (!doc) {
		fprintf(stderr, "fixture does not parse: %s\n", e.text);
		return -1;
	}
	*state = doc;
	return 0;
}

static int teardown(void **state)
{
	json_decref(*state);
	return 0;
}

/* The matches of query as one compact JSON array, for easy comparison. */
static char *query(json_t *doc, const char *q)
{
	tw_json_matches m = {0};
	tw_error err = {0};
	int rc = tw_jsonpath_eval(q, doc, &m, &err);
	if (rc) {
		fprintf(stderr, "%s: %s\n", q, err.message);
		tw_error_clear(&err);
		return NULL;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < m.count; i++)
		json_array_append(arr, m.items[i]);
	char *s = json_dumps(arr, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(arr);
	tw_json_matches_free(&m);
	return s;
}

#define assert_query(doc, q, want)                \
	do {                                      \
		char *got_ = query((doc), (q));   \
		assert_non_null(got_);            \
		assert_string_equal(got_, (want)); \
		free(got_);                       \
	} while (0)

static void assert_syntax_error(const char *q, const char *message)
{
	json_t *doc = json_object();
	tw_json_matches m = {0};
	tw_error err = {0};
	assert_int_equal(tw_jsonpath_eval(q, doc, &m, &err), TW_ESYNTAX);
	assert_string_equal(err.message, message);
	assert_int_equal(m.count, 0);
	tw_error_clear(&err);
	tw_json_matches_free(&m);
	json_decref(doc);
}

static void test_root(void **state)
{
	json_t *doc = *state;
	char *s = query(doc, "$");
	assert_non_null(s);
	assert_true(strncmp(s, "[{\"status\":\"baking\"", 19) == 0);
	free(s);
	assert_query(doc, "  $  ", "[{\"status\":\"baking\",\"id\":1001,\"total\":8.5,"
				   "\"items\":[{\"name\":\"Margherita\",\"qty\":1},{\"name\":"
				   "\"Funghi\",\"qty\":2,\"extras\":{\"name\":\"olives\"}},"
				   "{\"name\":\"Diavola\",\"qty\":1}],\"odd key\":{\"it's\":true,"
				   "\"say \\\"hi\\\"\":null},\"with-dash\":3,\"caf\xc3\xa9\":"
				   "\"open\",\"empty\":[],\"nothing\":null}]");
}

static void test_members(void **state)
{
	json_t *doc = *state;
	assert_query(doc, "$.status", "[\"baking\"]");
	assert_query(doc, "$.id", "[1001]");
	assert_query(doc, "$.total", "[8.5]");
	assert_query(doc, "$.with-dash", "[3]");
	assert_query(doc, "$.caf\xc3\xa9", "[\"open\"]");
	assert_query(doc, "$.nothing", "[null]");
	assert_query(doc, "$.missing", "[]");
	assert_query(doc, "$.items[1].extras.name", "[\"olives\"]");
}

static void test_quoted_members(void **state)
{
	json_t *doc = *state;
	assert_query(doc, "$['status']", "[\"baking\"]");
	assert_query(doc, "$[\"status\"]", "[\"baking\"]");
	assert_query(doc, "$['odd key']['it\\'s']", "[true]");
	assert_query(doc, "$['odd key'][\"it's\"]", "[true]");
	assert_query(doc, "$['odd key']['say \"hi\"']", "[null]");
	assert_query(doc, "$['odd key'][\"say \\\"hi\\\"\"]", "[null]");
	assert_query(doc, "$[ 'status' ]", "[\"baking\"]");
}

static void test_indexes(void **state)
{
	json_t *doc = *state;
	assert_query(doc, "$.items[0].name", "[\"Margherita\"]");
	assert_query(doc, "$.items[2].name", "[\"Diavola\"]");
	assert_query(doc, "$.items[-1].name", "[\"Diavola\"]");
	assert_query(doc, "$.items[-3].name", "[\"Margherita\"]");
	assert_query(doc, "$.items[3]", "[]");
	assert_query(doc, "$.items[-4]", "[]");
	assert_query(doc, "$.empty[0]", "[]");
	assert_query(doc, "$.items[ 1 ].qty", "[2]");
}

static void test_wildcards(void **state)
{
	json_t *doc = *state;
	assert_query(doc, "$.items[*].name", "[\"Margherita\",\"Funghi\",\"Diavola\"]");
	assert_query(doc, "$.items.*.qty", "[1,2,1]");
	/* Members in document order. */
	assert_query(doc, "$['odd key'].*", "[true,null]");
	assert_query(doc, "$['odd key'][*]", "[true,null]");
	assert_query(doc, "$.empty[*]", "[]");
	assert_query(doc, "$.status.*", "[]");
}

static void test_descendants(void **state)
{
	json_t *doc = *state;
	/* A node before its children: Funghi's own name before its extras'. */
	assert_query(doc, "$..name", "[\"Margherita\",\"Funghi\",\"olives\",\"Diavola\"]");
	assert_query(doc, "$..qty", "[1,2,1]");
	assert_query(doc, "$.items..name", "[\"Margherita\",\"Funghi\",\"olives\",\"Diavola\"]");
	assert_query(doc, "$..extras.name", "[\"olives\"]");
	assert_query(doc, "$..['it\\'s']", "[true]");
	assert_query(doc, "$..[0].name", "[\"Margherita\"]");
	assert_query(doc, "$.items[1]..*", "[\"Funghi\",2,{\"name\":\"olives\"},\"olives\"]");
	assert_query(doc, "$..nope", "[]");
}

static void test_selectors_that_do_not_apply(void **state)
{
	json_t *doc = *state;
	assert_query(doc, "$.items.name", "[]");
	assert_query(doc, "$[0]", "[]");
	assert_query(doc, "$.status.length", "[]");
	assert_query(doc, "$.id[0]", "[]");
	assert_query(doc, "$.nothing.x", "[]");
}

static void test_scalar_root(void **state)
{
	(void)state;
	json_t *n = json_integer(42);
	assert_query(n, "$", "[42]");
	assert_query(n, "$.a", "[]");
	assert_query(n, "$..a", "[]");
	json_decref(n);
}

static void test_null_root(void **state)
{
	(void)state;
	tw_json_matches m = {0};
	tw_error err = {0};
	assert_int_equal(tw_jsonpath_eval("$.a", NULL, &m, &err), TW_OK);
	assert_int_equal(m.count, 0);
	/* Still a syntax check. */
	assert_int_equal(tw_jsonpath_eval("$.a]", NULL, &m, &err), TW_ESYNTAX);
	tw_error_clear(&err);
	tw_json_matches_free(&m);
}

static void test_appends(void **state)
{
	json_t *doc = *state;
	tw_json_matches m = {0};
	tw_error err = {0};
	assert_int_equal(tw_jsonpath_eval("$.status", doc, &m, &err), TW_OK);
	assert_int_equal(tw_jsonpath_eval("$.items[*].qty", doc, &m, &err), TW_OK);
	assert_int_equal(m.count, 4);
	assert_string_equal(json_string_value(m.items[0]), "baking");
	assert_int_equal(json_integer_value(m.items[2]), 2);
	/* Borrowed: the very nodes of the document. */
	assert_ptr_equal(m.items[0], json_object_get(doc, "status"));

	/* An error leaves what is there alone. */
	assert_int_equal(tw_jsonpath_eval("$.items[", doc, &m, &err), TW_ESYNTAX);
	assert_int_equal(m.count, 4);
	tw_error_clear(&err);
	tw_json_matches_free(&m);
	assert_null(m.items);
	tw_json_matches_free(NULL);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_syntax_error("$.a]", "unexpected ']' at offset 3 in $.a]: expected '.' or '['");
	assert_syntax_error("status",
			    "unexpected 's' at offset 0 in status: expected '$' (a query starts "
			    "at the root)");
	assert_syntax_error("", "unexpected end of query at offset 0 in : expected '$' (a query "
				"starts at the root)");
	assert_syntax_error("$.", "unexpected end of query at offset 2 in $.: expected a member "
				  "name or '*' after '.'");
	assert_syntax_error("$..", "unexpected end of query at offset 3 in $..: expected a member "
				   "name, '*' or '[' after '..'");
	assert_syntax_error("$...a", "unexpected '.' at offset 3 in $...a: expected a member "
				     "name, '*' or '[' after '..'");
	assert_syntax_error("$.a[", "unexpected end of query at offset 4 in $.a[: expected a "
				    "quoted name, an index, a slice, '*' or '?' after '['");
	assert_syntax_error("$.a[0", "unexpected end of query at offset 5 in $.a[0: expected ']'");
	assert_syntax_error("$.a[x]", "unexpected 'x' at offset 4 in $.a[x]: expected a quoted "
				      "name, an index, a slice, '*' or '?' after '['");
	assert_syntax_error("$.a[-]", "unexpected ']' at offset 5 in $.a[-]: expected a digit");
	assert_syntax_error("$['a]", "unexpected end of query at offset 5 in $['a]: expected a "
				     "closing '");
	assert_syntax_error("$.a b", "unexpected ' ' at offset 3 in $.a b: expected '.' or '['");
	assert_syntax_error("$.a.$", "unexpected '$' at offset 4 in $.a.$: expected a member "
				     "name or '*' after '.'");
	assert_syntax_error("$[1.5]", "unexpected '.' at offset 3 in $[1.5]: expected ']'");
	assert_syntax_error("$\x01", "unexpected byte \\x01 at offset 1 in $\x01: expected '.' "
				     "or '['");
	assert_syntax_error("$[99999999999999999999]",
			    "index too large at offset 2 in $[99999999999999999999]");
}

/* Issue 12: JSONPath as users write it (Jayway/Hurl and RFC 9535). */
static void test_filters(void **state)
{
	json_t *doc = *state;
	assert_query(doc, "$.items[?(@.qty == 1)].name", "[\"Margherita\",\"Diavola\"]");
	assert_query(doc, "$.items[?@.qty == 2].name", "[\"Funghi\"]");
	assert_query(doc, "$.items[?(@.name == 'Funghi')].qty", "[2]");
	assert_query(doc, "$.items[?(@.name == \"Funghi\")].qty", "[2]");
	assert_query(doc, "$.items[?(@.qty < 2 && @.name != 'Diavola')].name",
		     "[\"Margherita\"]");
	assert_query(doc, "$.items[?(@.qty > 1 || @.name == 'Diavola')].name",
		     "[\"Funghi\",\"Diavola\"]");
	assert_query(doc, "$.items[?(@.extras)].name", "[\"Funghi\"]");
	assert_query(doc, "$.items[?(!@.extras)].name", "[\"Margherita\",\"Diavola\"]");
	assert_query(doc, "$.items[?(@.qty >= 2)].name", "[\"Funghi\"]");
	assert_query(doc, "$.items[?(@.qty <= 1)].qty", "[1,1]");
	assert_query(doc, "$.items[?(@.qty == 1.0)].qty", "[1,1]");
	assert_query(doc, "$.items[?(@.qty == $.items[1].qty)].name", "[\"Funghi\"]");
	assert_query(doc, "$.items[?(@.extras.name == 'olives')].name", "[\"Funghi\"]");
	assert_query(doc, "$.items[?(@.nope == null)]", "[]");
	assert_query(doc, "$.items[?((@.qty == 1) && !(@.name == 'Diavola'))].name",
		     "[\"Margherita\"]");
	assert_query(doc, "$..[?(@.name == 'olives')]", "[{\"name\":\"olives\"}]");
	assert_query(doc, "$['odd key'][?(@ == true)]", "[true]");
	assert_query(doc, "$.status[?(@.x)]", "[]");
}

/* Integers beyond 2^53 compare digit for digit, not as doubles (review 12
 * #13): ids of 64 bits are common. */
static void test_filters_exact_integers(void **state)
{
	(void)state;
	json_t *doc = json_loads("[{\"id\": 9007199254740992}, {\"id\": 9007199254740993},"
				 " {\"id\": 1234567890123456789}, {\"id\": 2.5},"
				 " {\"id\": 9223372036854775807}]",
				 0, NULL);
	assert_non_null(doc);
	assert_query(doc, "$[?(@.id == 9007199254740993)].id", "[9007199254740993]");
	assert_query(doc, "$[?(@.id != 9007199254740992)].id",
		     "[9007199254740993,1234567890123456789,2.5,9223372036854775807]");
	assert_query(doc, "$[?(@.id > 1234567890123456788)].id",
		     "[1234567890123456789,9223372036854775807]");
	assert_query(doc, "$[?(@.id < 9007199254740993)].id", "[9007199254740992,2.5]");
	assert_query(doc, "$[?(@.id == 9007199254740992.0)].id", "[9007199254740992]");
	assert_query(doc, "$[?(@.id >= 9.3e18)].id", "[]");
	assert_query(doc, "$[?(@.id < 9.3e18 && @.id > 9.2e18)].id", "[9223372036854775807]");
	assert_query(doc, "$[?(@.id > 2.4 && @.id < 2.6)].id", "[2.5]");
	json_decref(doc);
}

static void test_slices_and_unions(void **state)
{
	json_t *doc = *state;
	assert_query(doc, "$.items[0:2].name", "[\"Margherita\",\"Funghi\"]");
	assert_query(doc, "$.items[1:].name", "[\"Funghi\",\"Diavola\"]");
	assert_query(doc, "$.items[:1].name", "[\"Margherita\"]");
	assert_query(doc, "$.items[-2:].name", "[\"Funghi\",\"Diavola\"]");
	assert_query(doc, "$.items[::2].name", "[\"Margherita\",\"Diavola\"]");
	assert_query(doc, "$.items[::-1].name", "[\"Diavola\",\"Funghi\",\"Margherita\"]");
	assert_query(doc, "$.items[5:9]", "[]");
	assert_query(doc, "$.items[0:3:0]", "[]");
	assert_query(doc, "$.items[0,2].name", "[\"Margherita\",\"Diavola\"]");
	assert_query(doc, "$.items[2, 0].name", "[\"Diavola\",\"Margherita\"]");
	assert_query(doc, "$['status','id']", "[\"baking\",1001]");
	assert_query(doc, "$[\"id\", 'nope', 'total']", "[1001,8.5]");
	assert_query(doc, "$.items[0,?(@.qty == 2)].name", "[\"Margherita\",\"Funghi\"]");
}

static void test_singular(void **state)
{
	(void)state;
	static const struct {
		const char *q;
		bool singular;
	} cases[] = {
		{"$", true},          {"$.a['b'][0][-1]", true}, {"$.a[*]", false},
		{"$..a", false},      {"$.a[0:1]", false},       {"$.a[0,1]", false},
		{"$.a[?(@.b)]", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_jsonpath *jp;
		tw_error err = {0};
		assert_int_equal(tw_jsonpath_compile(&jp, cases[i].q, &err), TW_OK);
		assert_int_equal(tw_jsonpath_singular(jp), cases[i].singular);
		tw_jsonpath_free(jp);
	}
}

static void test_filter_syntax_errors(void **state)
{
	(void)state;
	assert_syntax_error("$.a[?(@.b == )]", "unexpected ')' at offset 13 in $.a[?(@.b == )]: "
					    "expected a value: @..., $..., a number, a quoted "
					    "string, true, false or null");
	assert_syntax_error("$.a[?(@.b == 1]", "unexpected ']' at offset 14 in $.a[?(@.b == 1]: "
					   "expected ')'");
	assert_syntax_error("$.a[?(@.b = 1)]", "unexpected '=' at offset 10 in $.a[?(@.b = 1)]: "
					   "expected ')'");
	assert_syntax_error("$.a[0:x]", "unexpected 'x' at offset 6 in $.a[0:x]: expected ']'");
	assert_syntax_error("$.a[0,]", "unexpected ']' at offset 6 in $.a[0,]: expected a quoted "
				       "name, an index, a slice, '*' or '?' after '['");
}

static void test_filter_nesting_limit(void **state)
{
	(void)state;
	char q[1200] = "$[?";
	size_t n = strlen(q);
	for (int i = 0; i < 500; i++)
		q[n++] = '(';
	q[n] = '\0';
	tw_json_matches m = {0};
	tw_error err = {0};
	assert_int_equal(tw_jsonpath_eval(q, NULL, &m, &err), TW_ESYNTAX);
	assert_non_null(strstr(err.message, "nests deeper than"));
	tw_error_clear(&err);
}

/* [[[...[1]...]]] nested n deep. */
static json_t *nested(int n)
{
	json_t *v = json_integer(1);
	for (int i = 0; i < n; i++) {
		json_t *a = json_array();
		json_array_append_new(a, v);
		v = a;
	}
	return v;
}

static void test_depth_limit(void **state)
{
	(void)state;
	json_t *ok = nested(500);
	tw_json_matches m = {0};
	tw_error err = {0};
	/* Every array's first element, down to the 1 itself. */
	assert_int_equal(tw_jsonpath_eval("$..[0]", ok, &m, &err), TW_OK);
	assert_int_equal(m.count, 500);
	assert_int_equal(json_integer_value(m.items[499]), 1);
	m.count = 0;
	assert_int_equal(tw_jsonpath_eval("$..nope", ok, &m, &err), TW_OK);
	assert_int_equal(m.count, 0);
	json_decref(ok);

	json_t *deep = nested(2000);
	assert_int_equal(tw_jsonpath_eval("$..nope", deep, &m, &err), TW_ELIMIT);
	assert_string_equal(err.message, "the document nests deeper than 512 levels under '..' "
					 "at offset 1 in $..nope");
	assert_int_equal(m.count, 0);
	tw_error_clear(&err);
	/* Without `..` nothing recurses, so depth costs nothing. */
	assert_int_equal(tw_jsonpath_eval("$[0][0][0]", deep, &m, &err), TW_OK);
	assert_int_equal(m.count, 1);
	tw_json_matches_free(&m);
	json_decref(deep);
}

static void test_match_limit(void **state)
{
	(void)state;
	/* A chain of 400 objects ending in 5000 members: $..* selects
	 * every value, and the second ..* every value below each of those,
	 * about two million in all. */
	json_t *root = json_object(), *cur = root;
	for (int i = 0; i < 400; i++) {
		json_t *o = json_object();
		json_object_set_new(cur, "k", o);
		cur = o;
	}
	for (int i = 0; i < 5000; i++) {
		char k[16];
		snprintf(k, sizeof(k), "v%d", i);
		json_object_set_new(cur, k, json_integer(i));
	}
	tw_json_matches m = {0};
	tw_error err = {0};
	assert_int_equal(tw_jsonpath_eval("$..*..*", root, &m, &err), TW_ELIMIT);
	assert_non_null(strstr(err.message, "selects more than"));
	assert_int_equal(m.count, 0);
	tw_error_clear(&err);
	tw_json_matches_free(&m);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoted_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wildcards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descendants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selectors_that_do_not_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slices_and_unions, setup, teardown),
		cmocka_unit_test(test_filters_exact_integers),
		cmocka_unit_test(test_singular),
		cmocka_unit_test(test_filter_syntax_errors),
		cmocka_unit_test(test_filter_nesting_limit),
		cmocka_unit_test(test_scalar_root),
		cmocka_unit_test(test_null_root),
		cmocka_unit_test_setup_teardown(test_appends, setup, teardown),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_match_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
