/*
 * A rehearsal script: parsed, checked, ready to run.
 */
#ifndef TECHWEEK_SCRIPT_H
#define TECHWEEK_SCRIPT_H

#include <stddef.h>

#include "error.h"
#include "vars.h"

typedef struct tw_script tw_script;

/* Reads and parses the file at path. On success *out owns a script to free
 * with tw_script_free. On failure *out is NULL and err says where and why
 * (TW_EIO for an unreadable file, TW_ESYNTAX with file:line:col, TW_EUSAGE
 * for a NULL out or path). */
TW_EXTERN(int) tw_script_load(tw_script **out, const char *path, tw_error *err);

/* Parses text (len bytes, need not be NUL-terminated); name is used as the
 * file name in messages. Same ownership as tw_script_load; TW_EUSAGE for a
 * NULL out, name or text. */
TW_EXTERN(int) tw_script_parse(tw_script **out, const char *name, const char *text,
			       size_t len, tw_error *err);

TW_EXTERN(void) tw_script_free(tw_script *script);

/* Finds what would stop the script from running, before anything is sent:
 * unknown variables (neither in the cast, in given, nor captured by an
 * earlier step), unknown or unsupported channels, duplicate scene names,
 * invalid regular expressions. given may be NULL (then variables declared
 * in the cast without a value count as known). Appends one error per
 * problem to problems; returns the number of problems found.
 *
 * Out of memory is a problem too, never fewer problems: a check it cut
 * short appends a TW_ENOMEM error ("the check is incomplete"), and a
 * problem that could not be appended is counted in problems->lost and in
 * the result. So the result is 0 only for a script checked whole and
 * clean; it is problems->count plus what problems->lost gained. A NULL
 * script or problems is one problem (TW_EUSAGE, listed when problems is
 * given). tw_run_add_script checks the script again itself. */
TW_EXTERN(size_t) tw_script_check(const tw_script *script, const tw_vars *given,
				  tw_errors *problems);

/* issue 13, DATA: a data file (`--data FILE`): CSV, or JSON lines for
 * .jsonl and .ndjson, whose columns are variables (docs/language.md,
 * "Casts from data"). tw_data_load reads and parses it: TW_OK with *out to
 * free with tw_data_free; TW_EIO (cannot be read, over 64 MiB) or
 * TW_ESYNTAX (malformed: err at FILE:LINE:COL) or TW_EUSAGE (a column
 * named like a generated value: seq, uuid, ...) with *out NULL; an error's
 * message ends with the line "  read by --data" (issue 13, F2). */
typedef struct tw_datafile tw_data;
TW_EXTERN(int) tw_data_load(tw_data **out, const char *path, tw_error *err);
TW_EXTERN(void) tw_data_free(tw_data *data);
/* tw_script_check, with the columns of data (may be NULL) known as
 * variables for a script without its own `cast from`. */
TW_EXTERN(size_t) tw_script_check_data(const tw_script *script, const tw_vars *given,
				       const tw_data *data, tw_errors *problems);

/* The rehearsal's name (its `rehearsal "..."` line, else the file name).
 * Owned by the script. */
TW_EXTERN(const char *) tw_script_name(const tw_script *script);
TW_EXTERN(const char *) tw_script_path(const tw_script *script);

#endif
