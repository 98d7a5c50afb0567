/*
 * The rehearsal checker: what would stop a parsed script from running,
 * found before anything is sent.
 *
 * The parser stops at the first syntax error; the checker does the
 * opposite and reports every problem it finds, because they are
 * independent of each other (a misspelt variable on line 12 says nothing
 * about a broken regex on line 30) and CI should show them all at once.
 * The entry point is tw_script_check (techweek/script.h); this header only
 * ties the module to it.
 */
#ifndef TW_LANGUAGE_CHECK_H
#define TW_LANGUAGE_CHECK_H

#include "techweek/script.h"

/*
 * issue 13, F4: what no one gives, the one place that decides it (the
 * check's own rules: given, the data file's columns, the script's cast,
 * what is captured or bound before a use starts). Calls each(ctx, name,
 * file, line, col) for every name script needs that is not given: a cast
 * entry without a value that given and the data (the script's own `cast
 * from` file, else run_data) do not give, at the entry; a used file's
 * parameter that its use gives no `with` for and that is not set where
 * the use starts, at the use line. file is never NULL (the script's path
 * for its own lines). A data file that cannot be read gives every name
 * (the run reports it). Stops at the first non-zero each returns and
 * returns it; TW_OK; TW_ENOMEM; TW_EUSAGE (script or each NULL).
 */
typedef int (*tw_missing_fn)(void *ctx, const char *name, const char *file, int line, int col);
int tw_script_missing_each(const tw_script *script, const tw_vars *given, const tw_data *run_data,
			   tw_missing_fn each, void *ctx);

#endif
