/*
 * core/datafile (issue 13, DATA): CSV as RFC 4180 reads it, JSON lines,
 * and every malformed file named at its line and column.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/datafile.h"
#include "techweek.h"

static tw_datafile *parse_ok(const char *path, const char *text)
{
	tw_datafile *d = NULL;
	tw_error err = {0};
	int rc = tw_datafile_parse(&d, path, text, strlen(text), &err);
	if (rc != TW_OK)
		fail_msg("%s: %d:%d %s", path, err.line, err.col, err.message);
	tw_error_clear(&err);
	return d;
}

/* The error's "LINE:COL: message" for a file that must be refused. */
static char *parse_err(const char *path, const char *text, size_t len)
{
	tw_datafile *d = NULL;
	tw_error err = {0};
	assert_int_equal(tw_datafile_parse(&d, path, text, len, &err), TW_ESYNTAX);
	assert_null(d);
	assert_string_equal(err.file, path);
	char *out = malloc(strlen(err.message) + 32);
	sprintf(out, "%d:%d: %s", err.line, err.col, err.message);
	tw_error_clear(&err);
	return out;
}

static void expect_err(const char *path, const char *text, const char *want)
{
	char *got = parse_err(path, text, strlen(text));
	assert_string_equal(got, want);
	free(got);
}

static void csv_plain(void **state)
{
	(void)state;
	tw_datafile *d = parse_ok("users.csv", "user,password\nada,lovelace\ngrace,hopper\n");
	assert_int_equal(d->column_count, 2);
	assert_string_equal(d->columns[0], "user");
	assert_string_equal(d->columns[1], "password");
	assert_int_equal(d->row_count, 2);
	assert_string_equal(tw_datafile_cell(d, 0, 0), "ada");
	assert_string_equal(tw_datafile_cell(d, 1, 1), "hopper");
	assert_int_equal(d->lines[0], 2);
	assert_int_equal(d->lines[1], 3);
	assert_int_equal(tw_datafile_column(d, "password"), 1);
	assert_int_equal(tw_datafile_column(d, "nope"), -1);
	assert_string_equal(tw_datafile_cell(d, 9, 9), "");
	tw_datafile_free(d);
}

/* Quotes, doubled quotes, commas and line breaks inside quotes, CRLF, a
 * BOM, empty fields, no newline at the end, trailing blank lines. */
static void csv_rfc4180(void **state)
{
	(void)state;
	tw_datafile *d = parse_ok("x.csv", "\xEF\xBB\xBFname,note\r\n"
					   "\"Ada, Countess\",\"said \"\"hi\"\"\"\r\n"
					   "\"two\nlines\",\r\n"
					   ",last");
	assert_string_equal(d->columns[0], "name");
	assert_int_equal(d->row_count, 3);
	assert_string_equal(tw_datafile_cell(d, 0, 0), "Ada, Countess");
	assert_string_equal(tw_datafile_cell(d, 0, 1), "said \"hi\"");
	assert_string_equal(tw_datafile_cell(d, 1, 0), "two\nlines");
	assert_string_equal(tw_datafile_cell(d, 1, 1), "");
	assert_string_equal(tw_datafile_cell(d, 2, 0), "");
	assert_string_equal(tw_datafile_cell(d, 2, 1), "last");
	/* each row's first line: the quoted break moves the next one on */
	assert_int_equal(d->lines[0], 2);
	assert_int_equal(d->lines[1], 3);
	assert_int_equal(d->lines[2], 5);
	tw_datafile_free(d);

	d = parse_ok("y.csv", "a\n1\n\n\r\n\n");
	assert_int_equal(d->row_count, 1);
	tw_datafile_free(d);
	/* one column: a blank line inside is an empty value */
	d = parse_ok("z.csv", "a\n1\n\n2\n");
	assert_int_equal(d->row_count, 3);
	assert_string_equal(tw_datafile_cell(d, 1, 0), "");
	tw_datafile_free(d);
}

static void csv_errors(void **state)
{
	(void)state;
	expect_err("users.csv", "user,password\nada,\"love\n",
		   "2:5: a quoted field must end with '\"' before the end of the file");
	expect_err("users.csv", "user,password\nada,x\ngrace,hopper,extra\n",
		   "3:0: 3 fields, the header has 2");
	expect_err("users.csv", "user,password\nada\n", "2:0: 1 field, the header has 2");
	expect_err("users.csv", "user,password\n\"ada\"x,1\n",
		   "2:6: expected ',' or the end of the line after the closing '\"' of a quoted "
		   "field, found 'x' (a '\"' inside a quoted field is written \"\")");
	expect_err("users.csv", "user,password\nad\"a,1\n",
		   "2:3: a '\"' inside a field that does not start with one: quote the whole "
		   "field and write the quote twice (\"a \"\"b\"\" c\")");
	expect_err("users.csv", "user,first name\nada,1\n",
		   "1:6: 'first name' is not a variable name: a column's name starts with a "
		   "letter or '_' and uses letters, digits, '_', '.' and '-'");
	expect_err("users.csv", "user,,x\n1,2,3\n",
		   "1:6: column 2 of the header has no name: the header row names a variable "
		   "for each column");
	expect_err("users.csv", "user,user\n1,2\n",
		   "1:6: column 'user' is in the header twice (first as column 1)");
	expect_err("users.csv", "user,password\n", "0:0: no rows: the header is the only line; "
						    "expected a row of values under it");
	expect_err("users.csv", "\n\n", "0:0: the file is empty: expected a header row of "
					 "variable names, then a row of values per line");
	expect_err("users.csv", "a,b\n1,2\n\n3,4\n",
		   "3:1: a blank line: every row has the header's fields (blank lines may only "
		   "end the file)");
	char *got = parse_err("users.csv", "a,b\n1,\0\n", 8);
	assert_string_equal(got, "2:3: a NUL byte: a data file is text");
	free(got);
}

/* The source line under an error, for the caret. */
static void csv_error_source(void **state)
{
	(void)state;
	tw_datafile *d = NULL;
	tw_error err = {0};
	const char *text = "user,password\nada,x\ngrace,\"hop\"per\n";
	assert_int_equal(tw_datafile_parse(&d, "u.csv", text, strlen(text), &err), TW_ESYNTAX);
	assert_string_equal(err.source_line, "grace,\"hop\"per");
	char *shown = tw_error_format(&err);
	assert_non_null(strstr(shown, "u.csv:3:12: syntax error: expected ','"));
	free(shown);
	tw_error_clear(&err);
	/* a row of the wrong width: its own line under the error */
	text = "a,b\n1,2\r\n3\r\n";
	assert_int_equal(tw_datafile_parse(&d, "u.csv", text, strlen(text), &err), TW_ESYNTAX);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.source_line, "3");
	tw_error_clear(&err);
}

static void jsonl(void **state)
{
	(void)state;
	assert_true(tw_datafile_is_jsonl("a/users.jsonl"));
	assert_true(tw_datafile_is_jsonl("users.ndjson"));
	assert_false(tw_datafile_is_jsonl("users.json"));
	tw_datafile *d = parse_ok("u.jsonl",
				  "{\"user\": \"ada\", \"age\": 36.50, \"vip\": true}\n"
				  "\n"
				  "{\"user\": \"gr\\\"ace\", \"card\": null, \"tags\": [1, {\"a\": 2}]}\n"
				  "  {\"age\":7}  \r\n");
	assert_int_equal(d->column_count, 5);
	assert_string_equal(d->columns[0], "user");
	assert_string_equal(d->columns[1], "age");
	assert_string_equal(d->columns[2], "vip");
	assert_string_equal(d->columns[3], "card");
	assert_string_equal(d->columns[4], "tags");
	assert_int_equal(d->row_count, 3);
	assert_string_equal(tw_datafile_cell(d, 0, 0), "ada");
	assert_string_equal(tw_datafile_cell(d, 0, 1), "36.50"); /* as written */
	assert_string_equal(tw_datafile_cell(d, 0, 2), "true");
	assert_string_equal(tw_datafile_cell(d, 0, 3), ""); /* not in the row */
	assert_string_equal(tw_datafile_cell(d, 1, 0), "gr\"ace");
	assert_string_equal(tw_datafile_cell(d, 1, 3), ""); /* null */
	assert_string_equal(tw_datafile_cell(d, 1, 4), "[1, {\"a\": 2}]");
	assert_string_equal(tw_datafile_cell(d, 2, 1), "7");
	assert_string_equal(tw_datafile_cell(d, 2, 0), "");
	assert_int_equal(d->lines[0], 1);
	assert_int_equal(d->lines[1], 3);
	assert_int_equal(d->lines[2], 4);
	tw_datafile_free(d);
}

static void jsonl_errors(void **state)
{
	(void)state;
	expect_err("u.jsonl", "{\"a\": 1}\n[1, 2]\n",
		   "2:1: expected a JSON object on each line ({\"user\": \"ada\", ...})");
	char *got = parse_err("u.jsonl", "{\"a\": 1}\n{\"a\": }\n", 17);
	assert_int_equal(strncmp(got, "2:7: not JSON: ", 15), 0);
	free(got);
	expect_err("u.jsonl", "{\"a b\": 1}\n",
		   "1:2: 'a b' is not a variable name: a key starts with a letter or '_' and "
		   "uses letters, digits, '_', '.' and '-'");
	expect_err("u.jsonl", "\n  \n", "0:0: no rows: expected a JSON object per line, like "
					"{\"user\": \"ada\"}");
	/* objects without a key: rows of nothing */
	tw_datafile *d = parse_ok("u.jsonl", "  {}\n{}\n");
	assert_int_equal(d->row_count, 2);
	assert_int_equal(d->column_count, 0);
	tw_datafile_free(d);
	d = parse_ok("u.jsonl", "{}\n{\"a\": 1}\n");
	assert_string_equal(tw_datafile_cell(d, 0, 0), "");
	assert_string_equal(tw_datafile_cell(d, 1, 0), "1");
	tw_datafile_free(d);
	got = parse_err("u.jsonl", "{\"a\": 1, \"a\": 2}\n", 17);
	assert_int_equal(strncmp(got, "1:", 2), 0);
	free(got);
}

static void load_files(void **state)
{
	(void)state;
	tw_datafile *d = NULL;
	tw_error err = {0};
	assert_int_equal(tw_datafile_load(&d, "/nonexistent/users.csv", &err), TW_EIO);
	assert_null(d);
	assert_string_equal(err.file, "/nonexistent/users.csv");
	assert_non_null(strstr(err.message, "No such file"));
	tw_error_clear(&err);
	assert_int_equal(tw_datafile_load(&d, "/tmp", &err), TW_EIO);
	assert_non_null(strstr(err.message, "is a folder"));
	tw_error_clear(&err);
	assert_int_equal(tw_datafile_load(&d, "/dev/null", &err), TW_EIO);
	assert_non_null(strstr(err.message, "not a regular file"));
	tw_error_clear(&err);

	char path[] = "/tmp/tw-datafile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a,b\n1,2\n", 8), 8);
	close(fd);
	assert_int_equal(tw_datafile_load(&d, path, &err), TW_OK);
	assert_int_equal(d->row_count, 1);
	assert_string_equal(d->path, path);
	tw_datafile_free(d);
	/* over the cap: refused before it is read */
	assert_int_equal(truncate(path, (off_t)TW_DATAFILE_MAX_BYTES + 1), 0);
	assert_int_equal(tw_datafile_load(&d, path, &err), TW_EIO);
	assert_non_null(strstr(err.message, "64 MiB"));
	tw_error_clear(&err);
	unlink(path);
	assert_string_equal(tw_datafile_base("a/b/users.csv"), "users.csv");
	assert_string_equal(tw_datafile_base("users.csv"), "users.csv");
}

/* issue 13, F2 (R2): with TW_DATAFILE_HIDE_ROWS an error quotes no byte
 * of a row (it may hold a secret no one registered yet), only the place
 * and the cause; the header's names are still shown. */
static void hidden_rows_are_not_quoted(void **state)
{
	(void)state;
	static const struct {
		const char *path, *text, *where;
	} cases[] = {
		{"u.csv", "user,pw\nbob,hunter2\nann,s3cretpw,x\n", "3"},
		{"u.csv", "user,pw\nann,\"s3cretpw\"x\n", "2:15"},
		{"u.csv", "user,pw\nann,s3c\"retpw\n", "2:8"},
		{"u.jsonl", "{\"pw\": \"a\"}\n{\"pw\": s3cretpw}\n", "2:8"},
		{"u.jsonl", "{\"pw\": \"s3cretpw\"\n", "1:"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_datafile *d = NULL;
		tw_error err = {0};
		const char *t = cases[i].text;
		assert_int_equal(tw_datafile_parse_opts(&d, cases[i].path, t, strlen(t),
							TW_DATAFILE_HIDE_ROWS, &err),
				 TW_ESYNTAX);
		assert_null(err.source_line);
		assert_null(strstr(err.message, "s3c"));
		char at[32];
		snprintf(at, sizeof(at), "%d:%d", err.line, err.col);
		if (strncmp(at, cases[i].where, strlen(cases[i].where)) != 0)
			fail_msg("case %zu: at %s, not %s", i, at, cases[i].where);
		tw_error_clear(&err);
		/* without the flag the row is shown, as before */
		assert_int_equal(tw_datafile_parse(&d, cases[i].path, t, strlen(t), &err),
				 TW_ESYNTAX);
		assert_true(err.source_line || strstr(err.message, "s3c"));
		tw_error_clear(&err);
	}
	/* the header is names: still quoted */
	tw_datafile *d = NULL;
	tw_error err = {0};
	assert_int_equal(tw_datafile_parse_opts(&d, "u.csv", "user,user\nx,y\n", 14,
						TW_DATAFILE_HIDE_ROWS, &err),
			 TW_ESYNTAX);
	assert_string_equal(err.source_line, "user,user");
	tw_error_clear(&err);
}

/* issue 13, F2 (R5): `cast from` or --data naming a FIFO is refused at
 * once: `techweek check` must never wait for a writer. */
static void load_fifo_refused_without_waiting(void **state)
{
	(void)state;
	char dir[] = "/tmp/tw-datafile-fifo-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char fifo[64];
	snprintf(fifo, sizeof(fifo), "%s/rows.csv", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10); /* a hang fails the test */
	tw_datafile *d = NULL;
	tw_error err = {0};
	assert_int_equal(tw_datafile_load(&d, fifo, &err), TW_EIO);
	alarm(0);
	assert_null(d);
	assert_string_equal(err.file, fifo);
	assert_non_null(strstr(err.message, "not a regular file"));
	tw_error_clear(&err);
	unlink(fifo);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_plain),        cmocka_unit_test(csv_rfc4180),
		cmocka_unit_test(csv_errors),       cmocka_unit_test(csv_error_source),
		cmocka_unit_test(jsonl),            cmocka_unit_test(jsonl_errors),
		cmocka_unit_test(load_files),
		cmocka_unit_test(load_fifo_refused_without_waiting),
		cmocka_unit_test(hidden_rows_are_not_quoted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
