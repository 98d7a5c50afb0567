/*
 * The option table (cli/options.c) against what users read: each
 * command's --help lists exactly the options the table gives it, and
 * docs/cli.md lists every option in the section of each command that
 * takes it and names no option the table lacks. So neither can drift from
 * the parser.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "core/fsutil.h"

static const char *const command_names[] = {"run", "check", "merge"};

static char *help_of(const char *command)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	tw_cli_help(f, command);
	assert_int_equal(fclose(f), 0);
	/* A copy: gcc takes the stream's buffer for a local once inlined. */
	char *copy = strdup(text);
	free(text);
	assert_non_null(copy);
	return copy;
}

static char *read_doc(void)
{
	char *text = NULL;
	size_t len = 0;
	tw_error err = {0};
	if (tw_read_file(TW_SOURCE_ROOT "/docs/cli.md", (size_t)16 << 20, &text, &len, &err) != TW_OK)
		fail_msg("cannot read docs/cli.md: %s", err.message ? err.message : "?");
	return text;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '-';
}

/* The help line of option i, "  -c, --name" or "      --name", ends where
 * the name does; NULL when the help lists no such line. */
static bool help_lists(const char *help, size_t i)
{
	char short_name;
	const char *name = tw_cli_option_name(i, &short_name);
	char head[80];
	if (short_name)
		snprintf(head, sizeof(head), "\n  -%c, --%s", short_name, name);
	else
		snprintf(head, sizeof(head), "\n      --%s", name);
	for (const char *p = strstr(help, head); p; p = strstr(p + 1, head))
		if (!name_char(p[strlen(head)]))
			return true;
	return false;
}

static void test_help_lists_exactly_the_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < 3; c++) {
		char *help = help_of(command_names[c]);
		assert_non_null(strstr(help, "usage: techweek "));
		size_t listed = 0;
		for (size_t i = 0; i < tw_cli_option_count(); i++) {
			bool takes = tw_cli_option_takes(i, command_names[c]);
			if (help_lists(help, i) != takes)
				fail_msg("techweek %s --help %s --%s", command_names[c],
					 takes ? "does not list" : "lists", tw_cli_option_name(i, NULL));
			listed += takes;
		}
		/* No option line the table lacks. */
		size_t lines = 0;
		for (const char *p = help; (p = strstr(p, "\n  ")); p++)
			if (strncmp(p, "\n      --", 9) == 0 || (p[3] == '-' && strncmp(p + 5, ", --", 4) == 0))
				lines++;
		assert_int_equal(lines, listed);
		free(help);
	}
}

/* The text of "## techweek COMMAND" up to the next "## ". */
static char *doc_section(const char *doc, const char *command)
{
	char head[64];
	snprintf(head, sizeof(head), "\n## techweek %s\n", command);
	const char *start = strstr(doc, head);
	if (!start)
		fail_msg("docs/cli.md has no section '## techweek %s'", command);
	const char *end = strstr(start + strlen(head), "\n## ");
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

static bool doc_names(const char *text, const char *name)
{
	char needle[80];
	snprintf(needle, sizeof(needle), "--%s", name);
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		if (!name_char(p[strlen(needle)]) && (p == text || !name_char(p[-1])))
			return true;
	return false;
}

static void test_doc_lists_every_option_where_it_is_taken(void **state)
{
	(void)state;
	char *doc = read_doc();
	for (size_t c = 0; c < 3; c++) {
		char *section = doc_section(doc, command_names[c]);
		for (size_t i = 0; i < tw_cli_option_count(); i++) {
			char short_name;
			const char *name = tw_cli_option_name(i, &short_name);
			if (!tw_cli_option_takes(i, command_names[c]))
				continue;
			if (!doc_names(section, name))
				fail_msg("docs/cli.md, techweek %s: --%s is not listed", command_names[c],
					 name);
			char both[80];
			snprintf(both, sizeof(both), "`-%c`, `--%s", short_name, name);
			if (short_name && !strstr(doc, both))
				fail_msg("docs/cli.md: no '%s'", both);
		}
		free(section);
	}
	free(doc);
}

static void test_doc_names_no_other_option(void **state)
{
	(void)state;
	char *doc = read_doc();
	for (const char *p = strstr(doc, "--"); p; p = strstr(p + 2, "--")) {
		if (p > doc && name_char(p[-1]))
			continue;
		size_t n = 0;
		while (name_char(p[2 + n]))
			n++;
		if (n == 0 || p[2] == '-')
			continue; /* a table rule, a dash */
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)n, p + 2);
		/* main's own, not the table's. */
		if (strcmp(name, "help") == 0 || strcmp(name, "version") == 0)
			continue;
		bool known = false;
		for (size_t i = 0; i < tw_cli_option_count(); i++)
			known = known || strcmp(tw_cli_option_name(i, NULL), name) == 0;
		if (!known)
			fail_msg("docs/cli.md names --%s, which no command takes", name);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_lists_exactly_the_table),
		cmocka_unit_test(test_doc_lists_every_option_where_it_is_taken),
		cmocka_unit_test(test_doc_names_no_other_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
