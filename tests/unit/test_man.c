/*
 * The man pages (docs/man, written in roff) against what they describe, so
 * they cannot drift: techweek-COMMAND(1) lists every option the option table
 * (cli/options.c) gives COMMAND, as its help writes it (short name, long
 * name, the value's name) and no other; techweek(1) names every command;
 * the EXIT STATUS sections list the statuses of docs/cli.md's table, and
 * merge's are the same wherever docs/ list them; techweek-rehearsal(5)
 * shows every step keyword of steps.def. The prose, as far as a program
 * can hold it: each command's DESCRIPTION says every sentence of the
 * command's --help and of its section of docs/cli.md, and no page says
 * what techweek once did and no longer does. That each page renders
 * without a warning is tests/integration/man.sh's.
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
#include "language/ast.h"

/* A file of the source tree, whole (the engine's own reader). */
static char *read_source(const char *path)
{
	char full[512];
	snprintf(full, sizeof(full), "%s/%s", TW_SOURCE_ROOT, path);
	char *text = NULL;
	size_t len = 0;
	tw_error err = {0};
	if (tw_read_file(full, (size_t)16 << 20, &text, &len, &err) != TW_OK)
		fail_msg("cannot read %s: %s", full, err.message ? err.message : "?");
	return text;
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

/* Text with its whitespace runs made one space, in place. */
static void squeeze(char *text)
{
	char *w = text;
	bool blank = true; /* drops leading blanks */
	for (const char *r = text; *r; r++) {
		bool b = *r == ' ' || *r == '\t' || *r == '\n';
		if (b && !blank)
			*w++ = ' ';
		else if (!b)
			*w++ = *r;
		blank = b;
	}
	if (w > text && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* Appends the arguments of a font macro line (".BR a b"), in quotes or
 * not: alternating fonts set them side by side, .B and .I with blanks. */
static void macro_args(FILE *out, const char *args, bool alternating)
{
	bool first = true;
	while (*args) {
		while (*args == ' ')
			args++;
		if (!*args)
			break;
		if (!first && !alternating)
			fputc(' ', out);
		first = false;
		if (*args == '"') {
			const char *end = strchr(args + 1, '"');
			size_t n = end ? (size_t)(end - args - 1) : strlen(args + 1);
			fwrite(args + 1, 1, n, out);
			args += n + 1 + (end != NULL);
		} else {
			size_t n = strcspn(args, " ");
			fwrite(args, 1, n, out);
			args += n;
		}
	}
}

/* The section of a man page as a reader sees it, on one line: macros
 * gone (a font macro's words kept), escapes read, blanks squeezed. */
static char *plain_roff(const char *roff)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	for (const char *line = roff; *line;) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		char *l = strndup(line, n);
		if (l[0] != '.') {
			fputs(l, out);
		} else if (l[1] && l[2] && (l[3] == ' ' || l[3] == '\0') && strchr("BIR", l[1]) &&
			   strchr("BIR", l[2])) {
			macro_args(out, l + 3, true);
		} else if ((l[1] == 'B' || l[1] == 'I') && l[2] == ' ') {
			macro_args(out, l + 3, false);
		}
		fputc('\n', out);
		free(l);
		line += n + (eol != NULL);
	}
	assert_int_equal(fclose(out), 0);
	/* Escapes: fonts dropped, \- a hyphen, \e a backslash. */
	char *w = text;
	for (const char *r = text; *r; r++) {
		if (r[0] == '\\' && r[1] == 'f' && r[2]) {
			r += 2;
		} else if (r[0] == '\\' && r[1] == '&') {
			r++;
		} else if (r[0] == '\\' && (r[1] == '-' || r[1] == 'e')) {
			*w++ = r[1] == '-' ? '-' : '\\';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	squeeze(text);
	return text;
}

/* Markdown prose as a reader sees it: code marks and emphasis gone, a
 * link its text, a link alone in brackets ("([x](y))") gone. */
static char *plain_markdown(const char *md)
{
	char *text = strdup(md);
	assert_non_null(text);
	char *w = text;
	for (const char *r = text; *r;) {
		if (strncmp(r, " ([", 3) == 0) {
			const char *end = strstr(r, "))");
			const char *mid = strstr(r, "](");
			if (end && mid && mid < end && !memchr(r + 3, ' ', (size_t)(end - r - 3))) {
				r = end + 2;
				continue;
			}
		}
		if (*r == '`' || (r[0] == '*' && r[1] == '*')) {
			r += *r == '`' ? 1 : 2;
		} else if (*r == '[' && strchr(r, ']') && strchr(r, ']')[1] == '(') {
			const char *close = strchr(r, ']');
			memmove(w, r + 1, (size_t)(close - r - 1));
			w += close - r - 1;
			r = strchr(close, ')');
			r = r ? r + 1 : close + 1;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	squeeze(text);
	return text;
}

/* Fails unless every sentence of text (ending ". " before anything but a
 * small letter or a digit, or at the end; its full stop not needed, so "X." holds in "X: more.") is
 * in page. */
static void says_every_sentence(const char *page_name, const char *page, const char *text,
				const char *source)
{
	for (const char *s = text; *s;) {
		const char *end = s;
		while (*end && !(end[0] == '.' && end[1] == ' ' && !(end[2] >= 'a' && end[2] <= 'z') &&
				 !(end[2] >= '0' && end[2] <= '9')))
			end++;
		size_t n = (size_t)(end - s);
		char *sentence = strndup(s, n && s[n - 1] == '.' ? n - 1 : n);
		if (!strstr(page, sentence))
			fail_msg("%s does not say, as %s does: \"%s\"", page_name, source, sentence);
		free(sentence);
		s = *end ? end + 2 : end;
	}
}

/* The prose that opens docs/cli.md's "## techweek COMMAND" section: its
 * paragraphs outside code blocks, up to its first table or subsection
 * (run's are options and details the page leaves to the docs). */
static char *cli_md_prose(const char *command)
{
	char *doc = read_source("docs/cli.md");
	char head[64];
	snprintf(head, sizeof(head), "\n## techweek %s\n", command);
	const char *start = strstr(doc, head);
	if (!start) {
		free(doc);
		return NULL;
	}
	start += strlen(head);
	const char *end = strstr(start, "\n## ");
	char *sec = strndup(start, end ? (size_t)(end - start) : strlen(start));
	char *prose = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&prose, &len);
	assert_non_null(out);
	bool code = false;
	for (char *line = strtok(sec, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "```", 3) == 0)
			code = !code;
		else if (!code && (line[0] == '|' || line[0] == '#'))
			break;
		else if (!code)
			fprintf(out, "%s\n", line);
	}
	assert_int_equal(fclose(out), 0);
	free(sec);
	free(doc);
	char *plain = plain_markdown(prose);
	free(prose);
	return plain;
}

/* The help's description: the paragraph after the usage line. */
static char *help_description(const char *command)
{
	char *help = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&help, &len);
	assert_non_null(out);
	tw_cli_help(out, command);
	assert_int_equal(fclose(out), 0);
	const char *start = strstr(help, "\n\n");
	assert_non_null(start);
	start += 2;
	const char *end = strstr(start, "\n\n");
	char *text = strndup(start, end ? (size_t)(end - start) : strlen(start));
	free(help);
	squeeze(text);
	return text;
}

static void test_descriptions_say_the_docs(void **state)
{
	(void)state;
	const char *command;
	for (size_t c = 0; (command = tw_cli_command_name(c, NULL)); c++) {
		char name[64];
		snprintf(name, sizeof(name), "techweek-%s.1", command);
		char *page = page_of(command);
		char *desc = section(page, "DESCRIPTION");
		char *plain = plain_roff(desc);
		char *help = help_description(command);
		says_every_sentence(name, plain, help, "its --help");
		char *prose = cli_md_prose(command);
		if (prose)
			says_every_sentence(name, plain, prose, "docs/cli.md");
		free(prose);
		free(help);
		free(plain);
		free(desc);
		free(page);
	}
}

/* What techweek once did and does no more, as pages said it. */
static void test_no_page_says_what_is_gone(void **state)
{
	(void)state;
	static const char *const pages[] = {"docs/man/techweek.1", "docs/man/techweek-run.1",
					    "docs/man/techweek-check.1", "docs/man/techweek-merge.1",
					    "docs/man/techweek-rehearsal.5"};
	/* merge read the scripts again until issue 10: it reads the parts
	 * alone. */
	static const char *const gone[] = {"same checkout", "scripts again",
					   "reads the rehearsal scripts", "cannot be read or has changed",
					   "relative to the current folder"};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char *text = read_source(pages[i]);
		char *plain = plain_roff(text);
		for (size_t k = 0; k < sizeof(gone) / sizeof(gone[0]); k++)
			if (strstr(plain, gone[k]))
				fail_msg("%s says \"%s\": no longer true", pages[i], gone[k]);
		free(plain);
		free(text);
	}
}

/* The statuses listed in the parentheses after marker in the text of
 * PATH (Markdown or roff) ("exits as ... would (0, 1, 2, 3, 4, 5 or 130)"). */
static void statuses_after(const char *path, const char *marker, unsigned char set[256])
{
	char *doc = read_source(path);
	size_t n = strlen(path);
	char *plain = n > 3 && strcmp(path + n - 3, ".md") == 0 ? plain_markdown(doc) : plain_roff(doc);
	const char *p = strstr(plain, marker);
	if (!p)
		fail_msg("%s no longer says \"%s\"", path, marker);
	p += strlen(marker);
	memset(set, 0, 256);
	for (; *p && *p != ')'; p++)
		if (*p >= '0' && *p <= '9')
			set[strtoul(p, (char **)&p, 10) & 255] = 1;
	free(plain);
	free(doc);
}

/* merge returns what tw_cli_finish does (every status of a run) or 2 or
 * 3 of its own (cli/cmd_merge.c): each place that lists them lists
 * exactly those. */
static void test_merge_exit_statuses_agree(void **state)
{
	(void)state;
	unsigned char code[256] = {0}, listed[256];
	const int statuses[] = {TW_EXIT_PASSED,	     TW_EXIT_FAILED, TW_EXIT_USAGE,
				TW_EXIT_UNREACHABLE, TW_EXIT_REPORT, TW_EXIT_LIMITED,
				TW_EXIT_INTERRUPTED};
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		code[statuses[i]] = 1;
	char *page = page_of("merge");
	statuses_of_page(page, listed);
	free(page);
	assert_memory_equal(listed, code, 256);
	statuses_of_doc(listed);
	assert_memory_equal(listed, code, 256);
	static const struct {
		const char *path, *marker;
	} docs[] = {
		{"docs/cli.md", "exits as techweek run would ("},
		{"docs/sharding.md", "exits as the unsharded run would ("},
		{"docs/man/techweek-merge.1", "exits as techweek run would ("},
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		statuses_after(docs[i].path, docs[i].marker, listed);
		for (int s = 0; s < 256; s++)
			if (listed[s] != code[s])
				fail_msg("%s: merge's exit status %d %s", docs[i].path, s,
					 code[s] ? "is missing" : "is not one merge returns");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_list_exactly_the_options),
		cmocka_unit_test(test_techweek_1_names_every_command),
		cmocka_unit_test(test_exit_statuses_are_the_docs),
		cmocka_unit_test(test_rehearsal_5_shows_every_step),
		cmocka_unit_test(test_descriptions_say_the_docs),
		cmocka_unit_test(test_no_page_says_what_is_gone),
		cmocka_unit_test(test_merge_exit_statuses_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
