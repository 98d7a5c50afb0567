/*
 * SRGS XML grammars (issue 14, SRGS): the input's first line is what the
 * caller keys or says, the rest a grammar. The grammar is read as fetched
 * (any other grammar it refers to is the input again) in voice and DTMF
 * mode, sized, and matched: bounded in steps, leak-free, never past a
 * buffer.
 */
#include <stdlib.h>

#include "channels/ivr/grammar_srgs.h"
#include "fuzz.h"

typedef struct served {
	const char *body;
	size_t len;
} served;

static int serve(void *ctx, const char *base, const char *ref, const char **body, size_t *len,
		 const char **type, tw_error *err)
{
	(void)base;
	(void)ref;
	(void)err;
	const served *s = ctx;
	*body = s->body;
	*len = s->len;
	*type = NULL;
	return TW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_span rest = {(const char *)data, size}, line = {"", 0};
	fuzz_line(&rest, &line);
	char *input = fuzz_str(line);
	served s = {rest.p, rest.n};
	tw_srgs_fetcher f = {serve, &s};
	for (int dtmf = 0; dtmf < 2; dtmf++) {
		tw_srgs *g = NULL;
		tw_error err = {0};
		if (tw_srgs_read_bytes(rest.p, rest.n, NULL, "http://127.0.0.1/g/a.grxml", dtmf, &f,
				       &g, &err) == TW_OK) {
			(void)tw_srgs_fixed_length(g);
			char *value = NULL;
			tw_error_clear(&err);
			(void)tw_srgs_match(g, input, "x", &value, &err);
			free(value);
		}
		tw_error_clear(&err);
		tw_srgs_free(g);
	}
	free(input);
	return 0;
}
