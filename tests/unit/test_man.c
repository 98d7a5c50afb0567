/*
 * The man pages (docs/man, written in roff) against what they describe, so
 * they cannot drift: techweek-COMMAND(1) lists every option the option table
 * (cli/options.c) gives COMMAND, as its help writes it (short name, long
 * name, the value's name) and no other; techweek(1) names every command;
 * the EXIT STATUS sections list the statuses of docs/cli.md's table; and
 * techweek-rehearsal(5) shows every step keyword of steps.def. That each
 * page renders without a warning is tests/integration/man.sh's.
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
#include "language/ast.h"

static char *read_source(const char *path)
{
	char full[512];
	snprintf(full, sizeof(full), "%s/%s", TW_SOURCE_ROOT, path);
	FILE *f = fopen(full, "rb");
	if (!f)
		fail_msg("cannot read %s", full);
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_non_null(m);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(f);
	assert_int_equal(fclose(m), 0);
	/* A copy: gcc takes the stream's buffer for a local once inlined. */
	char *copy = strdup(text);
	free(text);
	assert_non_null(copy);
	return copy;
}

static char *page_of(const char *command)
{
	char path[128];
	snprintf(path, sizeof(path), "docs/man/techweek-%s.1", command);
	return read_source(path);
}

/* The section of a page from ".SH NAME" to the next ".SH". */
static char *section(const char *page, const char *name)
{
	char head[64];
	snprintf(head, sizeof(head), "\n.SH %s\n", name);
	const char *start = strstr(page, head);
	if (!start) {
		fail_msg("no section %s", name);
		return NULL;
	}
	const char *end = strstr(start + strlen(head), "\n.SH ");
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* An option's item as the pages write it, the same form as the help:
 * "\fB\-v\fR, \fB\-\-var\fR \fINAME=VALUE\fR". */
static void item_of(char *out, size_t size, size_t i)
{
	char short_name;
	const char *name = tw_cli_option_name(i, &short_name);
	const char *arg = tw_cli_option_arg(i);
	int n = 0;
	if (short_name)
		n = snprintf(out, size, "\\fB\\-%c\\fR, ", short_name);
	n += snprintf(out + n, size - (size_t)n, "\\fB\\-\\-%s\\fR", name);
	if (arg)
		snprintf(out + n, size - (size_t)n, " \\fI%s\\fR", arg);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = strstr(text, line); p; p = strstr(p + 1, line))
		if (p > text && p[-1] == '\n' && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static void test_pages_list_exactly_the_options(void **state)
{
	(void)state;
	const char *command;
	for (size_t c = 0; (command = tw_cli_command_name(c, NULL)); c++) {
		char *page = page_of(command);
		char *options = section(page, "OPTIONS");
		for (size_t i = 0; i < tw_cli_option_count(); i++) {
			if (!tw_cli_option_takes(i, command))
				continue;
			char item[160], tp[170];
			item_of(item, sizeof(item), i);
			snprintf(tp, sizeof(tp), ".TP\n%s", item);
			if (!has_line(options, tp))
				fail_msg("techweek-%s.1: no item '%s' (after .TP)", command, item);
		}
		/* Every option item names an option the command takes. */
		for (const char *p = strstr(options, "\n.TP\n\\fB\\-"); p;
		     p = strstr(p + 1, "\n.TP\n\\fB\\-")) {
			const char *line = p + 5;
			const char *eol = strchr(line, '\n');
			char *copy = strndup(line, eol ? (size_t)(eol - line) : strlen(line));
			bool known = strcmp(copy, "\\fB\\-h\\fR, \\fB\\-\\-help\\fR") == 0;
			for (size_t i = 0; !known && i < tw_cli_option_count(); i++) {
				char item[160];
				item_of(item, sizeof(item), i);
				known = tw_cli_option_takes(i, command) && strcmp(copy, item) == 0;
			}
			if (!known)
				fail_msg("techweek-%s.1: item '%s' is not an option of techweek %s as "
					 "its help writes it",
					 command, copy, command);
			free(copy);
		}
		free(options);
		free(page);
	}
}

static void test_techweek_1_names_every_command(void **state)
{
	(void)state;
	char *page = read_source("docs/man/techweek.1");
	char *commands = section(page, "COMMANDS");
	const char *command;
	for (size_t c = 0; (command = tw_cli_command_name(c, NULL)); c++) {
		char item[64], see[64];
		snprintf(item, sizeof(item), ".TP\n.B %s", command);
		snprintf(see, sizeof(see), ".BR techweek-%s (1)", command);
		if (!has_line(commands, item) || !strstr(page, see))
			fail_msg("techweek.1 does not name the command %s and its page", command);
	}
	free(commands);
	free(page);
}

/* The statuses an EXIT STATUS section lists (".TP\n.B N"), as a bit set
 * over 0..255; the table of docs/cli.md's "## Exit status" ("| N |"). */
static void statuses_of_page(const char *page, unsigned char set[256])
{
	char *exits = section(page, "EXIT STATUS");
	memset(set, 0, 256);
	for (const char *p = strstr(exits, "\n.TP\n.B "); p; p = strstr(p + 1, "\n.TP\n.B "))
		set[strtoul(p + 8, NULL, 10) & 255] = 1;
	free(exits);
}

static void statuses_of_doc(unsigned char set[256])
{
	char *doc = read_source("docs/cli.md");
	const char *table = strstr(doc, "\n## Exit status\n");
	assert_non_null(table);
	const char *end = strstr(table + 1, "\n## ");
	memset(set, 0, 256);
	size_t count = 0;
	for (const char *p = strstr(table, "\n| "); p && (!end || p < end); p = strstr(p + 1, "\n| "))
		if (p[3] >= '0' && p[3] <= '9') {
			set[strtoul(p + 3, NULL, 10) & 255] = 1;
			count++;
		}
	assert_true(count >= 7);
	free(doc);
}

static void test_exit_statuses_are_the_docs(void **state)
{
	(void)state;
	unsigned char doc[256], page[256];
	statuses_of_doc(doc);
	const char *const pages[] = {"docs/man/techweek.1", "docs/man/techweek-run.1",
				     "docs/man/techweek-merge.1"};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char *text = read_source(pages[i]);
		statuses_of_page(text, page);
		for (int s = 0; s < 256; s++)
			if (doc[s] != page[s])
				fail_msg("%s: exit status %d %s", pages[i], s,
					 doc[s] ? "is in docs/cli.md but not in the page"
						: "is not in docs/cli.md");
		free(text);
	}
	/* check says less: only statuses docs/cli.md knows, 0 and 2 among them. */
	char *text = read_source("docs/man/techweek-check.1");
	statuses_of_page(text, page);
	assert_true(page[0] && page[2]);
	for (int s = 0; s < 256; s++)
		if (page[s] && !doc[s])
			fail_msg("techweek-check.1: exit status %d is not in docs/cli.md", s);
	free(text);
}

static void test_rehearsal_5_shows_every_step(void **state)
{
	(void)state;
	char *page = read_source("docs/man/techweek-rehearsal.5");
	for (int k = 0; k < TW_STEP_KIND_COUNT; k++) {
		const tw_step_facts *f = tw_step_facts_of((tw_step_kind)k);
		for (size_t w = 0; w < f->word_count; w++) {
			char bold[64];
			int n = snprintf(bold, sizeof(bold), "\\fB%s", f->words[w]);
			bool found = false;
			for (const char *p = strstr(page, bold); p && !found; p = strstr(p + 1, bold))
				found = p[n] == '\\' || p[n] == ' ';
			if (!found)
				fail_msg("techweek-rehearsal.5 does not show the step '%s' (as \\fB%s)",
					 f->words[w], f->words[w]);
		}
	}
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_list_exactly_the_options),
		cmocka_unit_test(test_techweek_1_names_every_command),
		cmocka_unit_test(test_exit_statuses_are_the_docs),
		cmocka_unit_test(test_rehearsal_5_shows_every_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
