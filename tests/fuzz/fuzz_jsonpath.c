/*
 * JSON queries: the first line of the input is the query, the rest the
 * document. A document that is not JSON is replaced by a fixed one, so the
 * query parser is fuzzed whatever the rest holds.
 */
#include <jansson.h>
#include <stdlib.h>

#include "expectations/jsonpath.h"
#include "fuzz.h"

static const char fallback[] =
	"{\"status\":\"baking\",\"items\":[{\"name\":\"margherita\",\"size\":\"l\"},"
	"{\"name\":\"marinara\",\"extra\":{\"name\":\"cheese\"}}],\"total\":12.5,\"ok\":true,"
	"\"a b\":null,\"\":[[1,[2,[3]]]]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_span rest = {(const char *)data, size}, line = {"", 0};
	fuzz_line(&rest, &line);
	char *query = fuzz_str(line);
	json_t *root = json_loadb(rest.p, rest.n, JSON_DECODE_ANY, NULL);
	if (!root)
		root = json_loads(fallback, 0, NULL);
	if (!root)
		abort();
	tw_json_matches m = {0};
	tw_error err = {0};
	if (tw_jsonpath_eval(query, root, &m, &err) == TW_OK) {
		for (size_t i = 0; i < m.count; i++)
			free(json_dumps(m.items[i], JSON_ENCODE_ANY | JSON_COMPACT));
	}
	tw_error_clear(&err);
	tw_json_matches_free(&m);
	json_decref(root);
	free(query);
	return 0;
}
