#define _GNU_SOURCE
/*
 * Data files (issue 13, DATA): CSV (RFC 4180) and JSON lines. See
 * datafile.h for the formats.
 *
 * Both readers walk the text once, byte by byte, keeping the line and
 * where it starts, so every problem is named at FILE:LINE:COL with the
 * line shown under it: a data file of 50 000 rows is only useful if the
 * one bad row can be found.
 */
#include "core/datafile.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/error_line.h"
#include "core/fsutil.h"
#include "techweek/vars.h"

/* The reader's state: the text, where it is, and the table it builds.
 * cells and lines grow with malloc (tw_array_grow) while reading, then
 * move into the arena's care through the tw_datafile. */
typedef struct reader {
	tw_datafile *d;
	const char *t;
	size_t len, pos;
	int line;          /* of pos, 1-based */
	size_t line_start; /* offset of that line's first byte */
	tw_error *err;

	char *field;       /* the field being read */
	size_t field_len, field_cap;
	char **row;        /* the row being read: its fields (arena strings) */
	int *row_cols;     /* where each starts */
	size_t row_len, row_cap, row_cols_cap;
	char **cells;      /* every row's, in order */
	size_t cell_count, cell_cap;
	int *lines;
	size_t lines_cap;
	/* issue 13, F2: TW_DATAFILE_HIDE_ROWS, and whether the CSV header
	 * (names, never secret) is being read */
	bool hide_rows;
	bool in_header;
} reader;

bool tw_datafile_is_jsonl(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	return (n >= 6 && strcmp(path + n - 6, ".jsonl") == 0) ||
	       (n >= 7 && strcmp(path + n - 7, ".ndjson") == 0);
}

const char *tw_datafile_base(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path ? path : "";
}

/* The text of line `line`, which starts at start, for the caret (cut at
 * 200 bytes: a line of a data file can be a megabyte). */
static char *line_text(const reader *r, size_t start)
{
	size_t end = start;
	while (end < r->len && r->t[end] != '\n' && end - start < 200)
		end++;
	if (end > start && r->t[end - 1] == '\r')
		end--;
	return tw_arena_strndup(&r->d->arena, r->t + start, end - start);
}

static int fail_at(reader *r, int line, size_t line_start, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail_at(reader *r, int line, size_t line_start, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A row may hold a secret (TW_DATAFILE_HIDE_ROWS): no quote of it. */
	bool quote = line > 0 && (!r->hide_rows || (r->in_header && line == 1));
	const char *src = quote ? line_text(r, line_start) : NULL;
	int rc = tw_error_set_at(r->err, TW_ESYNTAX, r->d->path, line, col, src, "%s", msg);
	return rc == TW_ESYNTAX ? rc : TW_ENOMEM;
}

static int col_of(const reader *r, size_t pos)
{
	return (int)(pos - r->line_start) + 1;
}

static int oom(reader *r)
{
	return tw_error_set(r->err, TW_ENOMEM, "out of memory");
}

static int field_put(reader *r, char c)
{
	if (r->field_len + 1 >= r->field_cap &&
	    tw_array_grow(&r->field, &r->field_cap, r->field_len + 2, 1))
		return oom(r);
	r->field[r->field_len++] = c;
	return TW_OK;
}

/* The field read so far ends: into the row. */
static int field_end(reader *r, int col)
{
	if (tw_array_grow(&r->row, &r->row_cap, r->row_len + 1, sizeof(*r->row)) ||
	    tw_array_grow(&r->row_cols, &r->row_cols_cap, r->row_len + 1, sizeof(*r->row_cols)))
		return oom(r);
	char *s = tw_arena_strndup(&r->d->arena, r->field ? r->field : "", r->field_len);
	if (!s)
		return oom(r);
	r->row_cols[r->row_len] = col;
	r->row[r->row_len++] = s;
	r->field_len = 0;
	return TW_OK;
}

/* The header's fields become the columns: each a variable name, once. */
static int take_header(reader *r, int line, size_t line_start)
{
	tw_datafile *d = r->d;
	for (size_t i = 0; i < r->row_len; i++) {
		const char *name = r->row[i];
		if (!name[0])
			return fail_at(r, line, line_start, r->row_cols[i],
				       "column %zu of the header has no name: the header row names a "
				       "variable for each column",
				       i + 1);
		if (!tw_vars_valid_name(name))
			return fail_at(r, line, line_start, r->row_cols[i],
				       "'%s' is not a variable name: a column's name starts with a "
				       "letter or '_' and uses letters, digits, '_', '.' and '-'",
				       name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->row[j], name) == 0)
				return fail_at(r, line, line_start, r->row_cols[i],
					       "column '%s' is in the header twice (first as column %zu)",
					       name, j + 1);
	}
	d->columns = tw_arena_alloc(&d->arena, (r->row_len ? r->row_len : 1) * sizeof(char *));
	if (!d->columns)
		return oom(r);
	memcpy(d->columns, r->row, r->row_len * sizeof(char *));
	d->column_count = r->row_len;
	r->row_len = 0;
	return TW_OK;
}

static int push_line(reader *r, int line)
{
	if (tw_array_grow(&r->lines, &r->lines_cap, r->d->row_count + 1, sizeof(*r->lines)))
		return oom(r);
	r->lines[r->d->row_count++] = line;
	return TW_OK;
}

static int take_row(reader *r, int line, size_t line_start)
{
	if (r->row_len != r->d->column_count)
		return fail_at(r, line, line_start, 0, "%zu field%s, the header has %zu", r->row_len,
			       r->row_len == 1 ? "" : "s", r->d->column_count);
	if (tw_array_grow(&r->cells, &r->cell_cap, r->cell_count + r->row_len, sizeof(char *)))
		return oom(r);
	memcpy(r->cells + r->cell_count, r->row, r->row_len * sizeof(char *));
	r->cell_count += r->row_len;
	r->row_len = 0;
	return push_line(r, line);
}

/* At a line's end (LF or CRLF; a CR alone ends the file's last line)? */
static size_t eol_len(const reader *r, size_t pos)
{
	if (pos >= r->len)
		return 0;
	if (r->t[pos] == '\n')
		return 1;
	if (r->t[pos] == '\r' && (pos + 1 == r->len || r->t[pos + 1] == '\n'))
		return pos + 1 == r->len ? 1 : 2;
	return 0;
}

static void next_line(reader *r, size_t eol)
{
	r->pos += eol;
	r->line++;
	r->line_start = r->pos;
}

/* Only line breaks from pos to the end. */
static bool only_blank_lines(const reader *r, size_t pos)
{
	for (; pos < r->len; pos++)
		if (r->t[pos] != '\n' && r->t[pos] != '\r')
			return false;
	return true;
}

static int read_quoted(reader *r)
{
	int open_line = r->line, open_col = col_of(r, r->pos);
	size_t open_start = r->line_start;
	r->pos++;
	for (;;) {
		if (r->pos >= r->len)
			return fail_at(r, open_line, open_start, open_col,
				       "a quoted field must end with '\"' before the end of the file");
		char c = r->t[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->t[r->pos + 1] == '"') {
				if (field_put(r, '"'))
					return TW_ENOMEM;
				r->pos += 2;
				continue;
			}
			r->pos++;
			break;
		}
		if (c == '\0')
			return fail_at(r, r->line, r->line_start, col_of(r, r->pos),
				       "a NUL byte: a data file is text");
		if (field_put(r, c))
			return TW_ENOMEM;
		r->pos++;
		if (c == '\n') {
			r->line++;
			r->line_start = r->pos;
		}
	}
	if (r->pos < r->len && r->t[r->pos] != ',' && !eol_len(r, r->pos)) {
		char c = r->t[r->pos];
		if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f &&
		    (!r->hide_rows || (r->in_header && r->line == 1)))
			return fail_at(r, r->line, r->line_start, col_of(r, r->pos),
				       "expected ',' or the end of the line after the closing '\"' "
				       "of a quoted field, found '%c' (a '\"' inside a quoted field "
				       "is written \"\")",
				       c);
		return fail_at(r, r->line, r->line_start, col_of(r, r->pos),
			       "expected ',' or the end of the line after the closing '\"' of a "
			       "quoted field");
	}
	return TW_OK;
}

static int read_plain(reader *r)
{
	while (r->pos < r->len && r->t[r->pos] != ',' && !eol_len(r, r->pos)) {
		char c = r->t[r->pos];
		if (c == '"')
			return fail_at(r, r->line, r->line_start, col_of(r, r->pos),
				       "a '\"' inside a field that does not start with one: quote "
				       "the whole field and write the quote twice (\"a \"\"b\"\" c\")");
		if (c == '\0')
			return fail_at(r, r->line, r->line_start, col_of(r, r->pos),
				       "a NUL byte: a data file is text");
		if (field_put(r, c))
			return TW_ENOMEM;
		r->pos++;
	}
	return TW_OK;
}

static int read_csv(reader *r)
{
	if (r->len >= 3 && memcmp(r->t, "\xEF\xBB\xBF", 3) == 0)
		r->pos = r->line_start = 3;
	if (only_blank_lines(r, r->pos))
		return fail_at(r, 0, 0, 0,
			       "the file is empty: expected a header row of variable names, then "
			       "a row of values per line");
	bool header = true;
	for (;;) {
		r->in_header = header;
		if (r->pos >= r->len)
			break;
		int row_line = r->line;
		size_t row_start = r->line_start;
		size_t blank = eol_len(r, r->pos);
		if (blank && only_blank_lines(r, r->pos))
			break; /* blank lines that end the file */
		if (blank && (header || r->d->column_count > 1))
			return fail_at(r, r->line, r->line_start, 1,
				       header ? "the first line is blank: expected the header row "
						"of variable names"
					      : "a blank line: every row has the header's fields "
						"(blank lines may only end the file)");
		for (;;) {
			int col = col_of(r, r->pos);
			int rc = r->pos < r->len && r->t[r->pos] == '"' ? read_quoted(r)
									 : read_plain(r);
			if (rc || (rc = field_end(r, col)))
				return rc;
			if (r->pos < r->len && r->t[r->pos] == ',') {
				r->pos++;
				continue;
			}
			break;
		}
		size_t eol = eol_len(r, r->pos);
		int rc = header ? take_header(r, row_line, row_start)
				: take_row(r, row_line, row_start);
		if (rc)
			return rc;
		header = false;
		if (eol)
			next_line(r, eol);
	}
	return TW_OK;
}

/* ---- JSON lines ---- */

/* The end of the JSON value that starts at s[i] (valid JSON: jansson read
 * it already), for numbers and nested values kept as written. */
static size_t value_end(const char *s, size_t n, size_t i)
{
	int depth = 0;
	bool in_str = false;
	for (; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"') {
				in_str = false;
				if (depth == 0)
					return i + 1;
			}
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (depth == 0)
				return i; /* the end of the enclosing object */
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r'))
			return i;
	}
	return n;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	return i;
}

/* A column's index, added when new. */
static long column_of(reader *r, const char *key, size_t *cap)
{
	tw_datafile *d = r->d;
	for (size_t i = 0; i < d->column_count; i++)
		if (strcmp(d->columns[i], key) == 0)
			return (long)i;
	if (tw_array_grow(&d->columns, cap, d->column_count + 1, sizeof(char *)))
		return -1;
	d->columns[d->column_count] = tw_arena_strdup(&d->arena, key);
	return d->columns[d->column_count] ? (long)d->column_count++ : -1;
}

/* One object's line into the row (column_count wide so far: rows read
 * before a new column are widened at the end). */
static int read_json_line(reader *r, const char *s, size_t n, size_t *cols_cap)
{
	json_error_t je;
	json_t *obj = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!obj) {
		/* jansson quotes the text near the fault ("invalid token near
		 * 'Sup'"): a part of a secret, when the rows hold secrets */
		char *near = r->hide_rows ? strstr(je.text, " near ") : NULL;
		if (near)
			*near = '\0';
		return fail_at(r, r->line, r->line_start, je.column > 0 ? je.column : 1,
			       "not JSON: %s", je.text);
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		return fail_at(r, r->line, r->line_start, (int)skip_ws(s, n, 0) + 1,
			       "expected a JSON object on each line ({\"user\": \"ada\", ...})");
	}
	/* Values as written: walk the text for each top-level key's value. */
	size_t i = skip_ws(s, n, 0) + 1; /* past '{' */
	int rc = TW_OK;
	while (rc == TW_OK) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == ','))
			i++;
		if (i >= n || s[i] != '"')
			break;
		size_t kend = value_end(s, n, i);
		int key_col = (int)i + 1;
		json_t *k = json_loadb(s + i, kend - i, JSON_DECODE_ANY, NULL);
		const char *key = k ? json_string_value(k) : NULL;
		i = skip_ws(s, n, kend);
		i = skip_ws(s, n, i + 1); /* past ':' */
		size_t vend = value_end(s, n, i);
		json_t *v = key ? json_object_get(obj, key) : NULL;
		if (!key || !v) {
			rc = oom(r);
		} else if (!tw_vars_valid_name(key)) {
			rc = fail_at(r, r->line, r->line_start, key_col,
				     "'%s' is not a variable name: a key starts with a letter or '_' "
				     "and uses letters, digits, '_', '.' and '-'",
				     key);
		} else {
			long c = column_of(r, key, cols_cap);
			if (c < 0)
				rc = oom(r);
			/* the row as wide as the columns met so far */
			if (rc == TW_OK && tw_array_grow(&r->row, &r->row_cap, r->d->column_count,
							 sizeof(*r->row)))
				rc = oom(r);
			while (rc == TW_OK && r->row_len < r->d->column_count)
				r->row[r->row_len++] = NULL;
			char *text = NULL;
			if (rc == TW_OK) {
				if (json_is_string(v))
					text = tw_arena_strndup(&r->d->arena, json_string_value(v),
								json_string_length(v));
				else if (json_is_null(v))
					text = tw_arena_strdup(&r->d->arena, "");
				else
					text = tw_arena_strndup(&r->d->arena, s + i, vend - i);
				if (!text)
					rc = oom(r);
				else
					r->row[c] = text;
			}
		}
		json_decref(k);
		i = vend;
	}
	json_decref(obj);
	return rc;
}

static int read_jsonl(reader *r)
{
	size_t cols_cap = 0;
	/* Rows as they come; each row_len wide when read. */
	size_t *widths = NULL, widths_cap = 0;
	int rc = TW_OK;
	while (rc == TW_OK && r->pos < r->len) {
		size_t end = r->pos;
		while (end < r->len && r->t[end] != '\n')
			end++;
		const char *s = r->t + r->pos;
		size_t n = end - r->pos;
		if (memchr(s, '\0', n))
			rc = fail_at(r, r->line, r->line_start,
				     (int)((const char *)memchr(s, '\0', n) - s) + 1,
				     "a NUL byte: a data file is text");
		else if (skip_ws(s, n, 0) < n) {
			r->row_len = 0;
			rc = read_json_line(r, s, n, &cols_cap);
			if (rc == TW_OK && tw_array_grow(&widths, &widths_cap, r->d->row_count + 1,
							 sizeof(*widths)))
				rc = oom(r);
			if (rc == TW_OK) {
				widths[r->d->row_count] = r->row_len;
				if (tw_array_grow(&r->cells, &r->cell_cap,
						  r->cell_count + r->row_len, sizeof(char *)))
					rc = oom(r);
			}
			if (rc == TW_OK) {
				if (r->row_len) /* `{}`: a row of nothing, no array yet */
					memcpy(r->cells + r->cell_count, r->row,
					       r->row_len * sizeof(char *));
				r->cell_count += r->row_len;
				rc = push_line(r, r->line);
			}
		}
		r->pos = end;
		if (r->pos < r->len)
			next_line(r, 1);
	}
	if (rc == TW_OK && r->d->row_count == 0)
		rc = fail_at(r, 0, 0, 0,
			     "no rows: expected a JSON object per line, like {\"user\": \"ada\"}");
	/* Every row column_count wide: a key first met in a later row is ""
	 * in the rows before it, as a key a row leaves out. */
	char **cells = NULL;
	if (rc == TW_OK) {
		size_t w = r->d->column_count;
		cells = tw_arena_alloc(&r->d->arena, (r->d->row_count * w > 0 ? r->d->row_count * w : 1) *
							     sizeof(char *));
		if (!cells)
			rc = oom(r);
		for (size_t row = 0, at = 0; rc == TW_OK && row < r->d->row_count; row++) {
			for (size_t c = 0; c < w; c++) {
				char *v = c < widths[row] ? r->cells[at + c] : NULL;
				cells[row * w + c] = v ? v : (char *)"";
			}
			at += widths[row];
		}
	}
	if (rc == TW_OK) {
		char **columns = tw_arena_alloc(&r->d->arena, (r->d->column_count ? r->d->column_count : 1) * sizeof(char *));
		if (!columns)
			rc = oom(r);
		else {
			if (r->d->column_count)
				memcpy(columns, r->d->columns, r->d->column_count * sizeof(char *));
			free(r->d->columns);
			r->d->columns = columns;
			free(r->cells);
			r->cells = NULL;
			r->d->cells = cells;
		}
	}
	free(widths);
	return rc;
}

void tw_datafile_free(tw_datafile *d)
{
	if (!d)
		return;
	tw_arena_free(&d->arena);
	free(d);
}

int tw_datafile_parse(tw_datafile **out, const char *path, const char *text, size_t len,
		      tw_error *err)
{
	return tw_datafile_parse_opts(out, path, text, len, 0, err);
}

int tw_datafile_parse_opts(tw_datafile **out, const char *path, const char *text, size_t len,
			   unsigned flags, tw_error *err)
{
	*out = NULL;
	tw_datafile *d = calloc(1, sizeof(*d));
	if (!d)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	reader r = {.d = d, .t = text ? text : "", .len = text ? len : 0, .line = 1, .err = err,
		    .hide_rows = flags & TW_DATAFILE_HIDE_ROWS};
	d->path = tw_arena_strdup(&d->arena, path ? path : "<data>");
	bool jsonl = tw_datafile_is_jsonl(d->path);
	int rc = !d->path ? oom(&r) : jsonl ? read_jsonl(&r) : read_csv(&r);
	if (rc == TW_OK && !jsonl && d->row_count == 0)
		rc = fail_at(&r, 0, 0, 0,
			     "no rows: the header is the only line; expected a row of values "
			     "under it");
	if (rc == TW_OK && !jsonl) {
		d->cells = tw_arena_alloc(&d->arena, (r.cell_count ? r.cell_count : 1) * sizeof(char *));
		if (!d->cells)
			rc = oom(&r);
		else if (r.cell_count)
			memcpy(d->cells, r.cells, r.cell_count * sizeof(char *));
	}
	if (rc == TW_OK) {
		d->lines = tw_arena_alloc(&d->arena, (d->row_count ? d->row_count : 1) * sizeof(int));
		if (!d->lines)
			rc = oom(&r);
		else
			memcpy(d->lines, r.lines, d->row_count * sizeof(int));
	}
	if (jsonl && rc != TW_OK && d->columns && !d->cells) {
		/* the columns array is still malloc'd while reading */
		free(d->columns);
		d->columns = NULL;
	}
	free(r.field);
	free(r.row);
	free(r.row_cols);
	free(r.cells);
	free(r.lines);
	if (rc != TW_OK) {
		tw_datafile_free(d);
		return rc;
	}
	*out = d;
	return TW_OK;
}

int tw_datafile_load(tw_datafile **out, const char *path, tw_error *err)
{
	return tw_datafile_load_opts(out, path, 0, err);
}

int tw_datafile_load_opts(tw_datafile **out, const char *path, unsigned flags, tw_error *err)
{
	*out = NULL;
	/* core/fsutil reads a regular file only, opened without waiting: a
	 * FIFO as `cast from` or --data must not hang `techweek check`, nor a
	 * device be read for ever. */
	char *text = NULL;
	size_t n = 0;
	tw_error e = {0};
	int rc = tw_read_file(path, TW_DATAFILE_MAX_BYTES, &text, &n, &e);
	if (rc == TW_ELIMIT)
		rc = tw_error_set_at(err, TW_EIO, path, 0, 0, NULL,
				     "the data file has more than a data file may have (64 MiB): "
				     "split it");
	else if (rc == TW_ENOMEM)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	else if (rc != TW_OK) {
		const char *why = e.message ? e.message : "";
		if (strncmp(why, "cannot open: ", 13) == 0)
			why += 13;
		rc = tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "cannot read the data file: %s",
				     why);
	}
	tw_error_clear(&e);
	if (rc == TW_OK)
		rc = tw_datafile_parse_opts(out, path, text, n, flags, err);
	free(text);
	return rc;
}

const char *tw_datafile_cell(const tw_datafile *d, size_t r, size_t c)
{
	if (!d || r >= d->row_count || c >= d->column_count)
		return "";
	const char *v = d->cells[r * d->column_count + c];
	return v ? v : "";
}

long tw_datafile_column(const tw_datafile *d, const char *name)
{
	for (size_t i = 0; d && name && i < d->column_count; i++)
		if (strcmp(d->columns[i], name) == 0)
			return (long)i;
	return -1;
}

/* issue 13, F2 */
int tw_datafile_read_by(tw_error *e, const char *file, int line, int col)
{
	if (!file)
		return TW_OK;
	return line > 0 ? tw_error_add_line(e, "  read by %s:%d:%d", file, line, col)
			: tw_error_add_line(e, "  read by %s", file);
}
