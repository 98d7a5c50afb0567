/*
 * Data files for casts from data (issue 13, DATA): `cast from "users.csv"`
 * and `--data FILE`. A table of rows whose columns become variables.
 *
 * Two formats, chosen by the file's name:
 *   - `.jsonl` / `.ndjson`: JSON lines, one object per non-blank line.
 *     Strings as they are, numbers and booleans as written, null as "",
 *     arrays and objects as their JSON text. The columns are every key met,
 *     in the order first met; a row without a key has "" there.
 *   - anything else: CSV as RFC 4180 says: a header row of variable names,
 *     fields separated by ',', quoted with '"' ("" for a quote inside),
 *     quoted fields may hold commas and line breaks, rows end with CRLF or
 *     LF, a UTF-8 BOM is skipped, every row has the header's field count,
 *     blank lines at the end are ignored.
 * A file without a row, over TW_DATAFILE_MAX_BYTES, or malformed is an
 * error naming FILE:LINE:COL (or FILE:LINE) and the cause.
 *
 * Ownership: a tw_datafile owns every string in it (one arena); free it
 * with tw_datafile_free. It is read-only once loaded, so the worker
 * threads of a run share one without a lock.
 */
#ifndef TW_CORE_DATAFILE_H
#define TW_CORE_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "techweek/error.h"

/* The most bytes a data file may have: it is read whole into memory. */
#define TW_DATAFILE_MAX_BYTES ((size_t)64 << 20)

typedef struct tw_datafile {
	tw_arena arena;
	char *path;             /* as given to load/parse: what messages name */
	char **columns;         /* column_count variable names */
	size_t column_count;
	char **cells;           /* row_count * column_count, row after row */
	int *lines;             /* the line each row starts on (header: 1) */
	size_t row_count;       /* at least 1 */
} tw_datafile;

/* True when path names JSON lines (.jsonl, .ndjson), false for CSV. */
bool tw_datafile_is_jsonl(const char *path);

/* Parses len bytes of text (need not be NUL-terminated) as the format
 * path's name says. TW_OK with *out owned by the caller; TW_ESYNTAX with
 * err at path:line:col (source_line set) and *out NULL; TW_ENOMEM. */
int tw_datafile_parse(tw_datafile **out, const char *path, const char *text, size_t len,
		      tw_error *err);

/* Reads and parses the file at path. TW_EIO (path and strerror) for a
 * file that cannot be read, a folder, or one over the cap; otherwise as
 * tw_datafile_parse. */
int tw_datafile_load(tw_datafile **out, const char *path, tw_error *err);

/* issue 13, F2: a file whose columns hold secrets (`cast from ... secret
 * COL`) is read before any secret of it is registered, so an error about
 * it must quote none of its rows: with TW_DATAFILE_HIDE_ROWS an error
 * names FILE:LINE:COL and the cause only (no source_line, no byte of a
 * row in the message; the header row of a CSV file, names only, is still
 * shown). */
#define TW_DATAFILE_HIDE_ROWS 1u

/* tw_datafile_parse and tw_datafile_load with flags (0: as they are). */
int tw_datafile_parse_opts(tw_datafile **out, const char *path, const char *text, size_t len,
			   unsigned flags, tw_error *err);
int tw_datafile_load_opts(tw_datafile **out, const char *path, unsigned flags, tw_error *err);

/* issue 13, F2: an error about a data file also names what reads it, as a
 * used file's error names its use: a line "  read by FILE:LINE:COL" (the
 * `cast from` line; line 0: "  read by FILE", as "--data") appended to
 * e's message. TW_OK; TW_ENOMEM (e unchanged). */
int tw_datafile_read_by(tw_error *e, const char *file, int line, int col);

/* The value of row r's column c (both from 0); never NULL. */
const char *tw_datafile_cell(const tw_datafile *d, size_t r, size_t c);

/* The index of column name, or -1. */
long tw_datafile_column(const tw_datafile *d, const char *name);

/* The file's name without its folder, for headlines ("users.csv"). */
const char *tw_datafile_base(const char *path);

void tw_datafile_free(tw_datafile *d);

#endif
