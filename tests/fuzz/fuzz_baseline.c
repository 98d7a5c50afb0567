/*
 * The baseline (--baseline FILE, readiness/baseline.h): the input is an
 * earlier result.json, which may be anything a user points at.
 */
#include "fuzz.h"
#include "readiness/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tw_baseline *b = NULL;
	tw_error err = {0};
	if (tw_baseline_parse(&b, "result.json", (const char *)data, size, &err) != TW_OK)
		free(tw_error_format(&err));
	tw_error_clear(&err);
	tw_baseline_free(b);
	return 0;
}
