/*
 * The rehearsal language: the input is a script. It is parsed; a parse
 * error is rendered as the user sees it (the caret under the source line);
 * a script that parses is checked twice, with no variables given and with
 * some, as `techweek check` and `techweek run` do.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "language/parser.h"
#include "techweek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tw_script *script = NULL;
	tw_error err = {0};
	/* issue 13, USE: a `use` would read files: refused */
	const tw_parse_opts no_files = {.refuse_use = true};
	if (tw_parse_with(&script, "fuzz.rehearsal", (const char *)data, size, &no_files, &err) !=
	    TW_OK) {
		free(tw_error_format(&err));
		tw_error_clear(&err);
		return 0;
	}
	tw_errors problems = {0};
	tw_script_check(script, NULL, &problems);
	for (size_t i = 0; i < problems.count; i++)
		free(tw_error_format(&problems.items[i]));
	tw_errors_clear(&problems);

	tw_vars *given = tw_vars_new();
	if (!given)
		abort();
	if (tw_vars_set(given, "stage", "http://127.0.0.1:8080", false) != TW_OK ||
	    tw_vars_set(given, "password", "lovelace", true) != TW_OK)
		abort();
	tw_script_check(script, given, &problems);
	tw_errors_clear(&problems);
	tw_vars_free(given);

	(void)tw_script_name(script);
	tw_script_free(script);
	return 0;
}
