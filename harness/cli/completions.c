/*
 * techweek-completions bash|zsh: writes techweek's shell completion for
 * bash or zsh to stdout, made from the option table (cli/options.c) at
 * build time, so that the completions offer exactly the options the parser
 * takes, per command. A value is completed by its name in the help: FILE
 * as a file, DIR as a folder, a|b|c as one of those words; any other (N,
 * D, SIZE) is the user's to type. Built, never installed.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* What the value of an option is completed with. */
enum value { NONE, SWITCH, FILES, DIRS, WORDS };

static enum value value_of(const char *arg)
{
	if (!arg)
		return SWITCH;
	if (strcmp(arg, "FILE") == 0)
		return FILES;
	if (strcmp(arg, "DIR") == 0)
		return DIRS;
	if (strchr(arg, '|'))
		return WORDS;
	return NONE;
}

/* The words of "a|b|c", space-separated. */
static void put_words(FILE *out, const char *arg)
{
	for (const char *s = arg; *s; s++)
		fputc(*s == '|' ? ' ' : *s, out);
}

/* The operands: rehearsals and folders, or merge's JSON parts. */
static const char *operand_glob(const char *command)
{
	return strcmp(command, "merge") == 0 ? "*.json" : "*.rehearsal";
}

/* Every "cmd:--name|cmd:-c" pattern of the options whose value is v. */
static int put_bash_pattern(FILE *out, enum value v)
{
	int n = 0;
	const char *cmd;
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++)
		for (size_t i = 0; i < tw_cli_option_count(); i++) {
			char short_name;
			const char *name = tw_cli_option_name(i, &short_name);
			if (!tw_cli_option_takes(i, cmd) || value_of(tw_cli_option_arg(i)) != v)
				continue;
			fprintf(out, "%s%s:--%s", n++ ? "|" : "\t", cmd, name);
			if (short_name)
				fprintf(out, "|%s:-%c", cmd, short_name);
		}
	return n;
}

static void bash(FILE *out)
{
	const char *cmd;
	fputs("# bash completion for techweek(1). Made from techweek's option table\n"
	      "# (harness/cli/options.c) when techweek is built: do not edit.\n"
	      "\n"
	      "_techweek()\n"
	      "{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= at=0 i\n"
	      "\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\t# --name=VALUE: bash splits the word at the '='.\n"
	      "\tif [[ $cur == = ]]; then\n"
	      "\t\tcur=\n"
	      "\telif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
	      "\t\tprev=${COMP_WORDS[COMP_CWORD - 2]}\n"
	      "\tfi\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tcase ${COMP_WORDS[i]} in\n"
	      "\t\t",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++)
		fprintf(out, "%s|", cmd);
	fputs("help) cmd=${COMP_WORDS[i]} at=$i; break ;;\n"
	      "\t\tesac\n"
	      "\tdone\n"
	      "\tif [[ -z $cmd ]]; then\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -W '",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++)
		fprintf(out, "%s ", cmd);
	fputs("help --help --version' -- \"$cur\")\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tif [[ $cmd == help ]]; then\n"
	      "\t\t((COMP_CWORD == at + 1)) && mapfile -t COMPREPLY < <(compgen -W '",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++)
		fprintf(out, "%s%s", c ? " " : "", cmd);
	fputs("' -- \"$cur\")\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\t# The value of the option before.\n"
	      "\tcase $cmd:$prev in\n",
	      out);
	if (put_bash_pattern(out, FILES))
		fputs(")\n\t\tcompopt -o filenames 2>/dev/null\n"
		      "\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n\t\treturn ;;\n",
		      out);
	if (put_bash_pattern(out, DIRS))
		fputs(")\n\t\tcompopt -o filenames 2>/dev/null\n"
		      "\t\tmapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n\t\treturn ;;\n",
		      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++)
		for (size_t i = 0; i < tw_cli_option_count(); i++) {
			const char *arg = tw_cli_option_arg(i);
			if (!tw_cli_option_takes(i, cmd) || value_of(arg) != WORDS)
				continue;
			fprintf(out, "\t%s:--%s)\n\t\tmapfile -t COMPREPLY < <(compgen -W '", cmd,
				tw_cli_option_name(i, NULL));
			put_words(out, arg);
			fputs("' -- \"$cur\")\n\t\treturn ;;\n", out);
		}
	if (put_bash_pattern(out, NONE))
		fputs(")\n\t\treturn ;; # a number, a duration...: the user's to type\n", out);
	fputs("\tesac\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\tcase $cmd in\n",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++) {
		fprintf(out, "\t\t%s) mapfile -t COMPREPLY < <(compgen -W '", cmd);
		for (size_t i = 0; i < tw_cli_option_count(); i++) {
			char short_name;
			const char *name = tw_cli_option_name(i, &short_name);
			if (!tw_cli_option_takes(i, cmd))
				continue;
			fprintf(out, "--%s ", name);
			if (short_name)
				fprintf(out, "-%c ", short_name);
		}
		fputs("--help -h' -- \"$cur\") ;;\n", out);
	}
	fputs("\t\tesac\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\t# The operands: folders, and the files the command reads.\n"
	      "\tcompopt -o filenames 2>/dev/null\n"
	      "\tcase $cmd in\n",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++)
		fprintf(out,
			"\t%s) mapfile -t COMPREPLY < <(compgen -d -- \"$cur\"; compgen -f -X '!%s' -- "
			"\"$cur\") ;;\n",
			cmd, operand_glob(cmd));
	fputs("\tesac\n"
	      "}\n"
	      "complete -F _techweek techweek\n",
	      out);
}

/* Text inside a zsh '...' word, inside an _arguments [description]: the
 * help, its lines joined. */
static void put_zsh_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else if (*s == '[' || *s == ']')
			fprintf(out, "\\%c", *s);
		else
			fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void zsh_option(FILE *out, size_t i, const char *cmd)
{
	char short_name;
	const char *name = tw_cli_option_name(i, &short_name);
	const char *arg = tw_cli_option_arg(i);
	/* --var is the one option given again and again. */
	bool repeatable = strcmp(name, "var") == 0;
	fputs("\t\t\t\t", out);
	if (short_name && repeatable)
		fprintf(out, "'*'{-%c%s,--%s%s}'", short_name, arg ? "+" : "", name, arg ? "=" : "");
	else if (short_name)
		fprintf(out, "'(-%c --%s)'{-%c%s,--%s%s}'", short_name, name, short_name,
			arg ? "+" : "", name, arg ? "=" : "");
	else
		fprintf(out, "'%s--%s%s", repeatable ? "*" : "", name, arg ? "=" : "");
	fputc('[', out);
	put_zsh_text(out, tw_cli_option_help(i, cmd));
	fputc(']', out);
	switch (value_of(arg)) {
	case SWITCH:
		break;
	case FILES:
		fprintf(out, ":%s:_files", arg);
		break;
	case DIRS:
		fprintf(out, ":%s:_files -/", arg);
		break;
	case WORDS:
		fputc(':', out);
		put_zsh_text(out, name);
		fputs(":(", out);
		put_words(out, arg);
		fputc(')', out);
		break;
	case NONE:
		fputc(':', out);
		put_zsh_text(out, arg);
		fputs(": ", out);
		break;
	}
	fputs("' \\\n", out);
}

static void zsh(FILE *out)
{
	const char *cmd, *summary;
	fputs("#compdef techweek\n"
	      "# zsh completion for techweek(1). Made from techweek's option table\n"
	      "# (harness/cli/options.c) when techweek is built: do not edit.\n"
	      "\n"
	      "_techweek() {\n"
	      "\tlocal curcontext=$curcontext state line ret=1\n"
	      "\t_arguments -C \\\n"
	      "\t\t'(- *)'{-h,--help}'[show the help]' \\\n"
	      "\t\t'(- *)--version[print the version]' \\\n"
	      "\t\t'1:command:->command' \\\n"
	      "\t\t'*::argument:->argument' && ret=0\n"
	      "\tcase $state in\n"
	      "\tcommand)\n"
	      "\t\tlocal -a commands\n"
	      "\t\tcommands=(\n",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, &summary)); c++) {
		fprintf(out, "\t\t\t'%s:", cmd);
		put_zsh_text(out, summary);
		fputs("'\n", out);
	}
	fputs("\t\t\t'help:show help for a command'\n"
	      "\t\t)\n"
	      "\t\t_describe -t commands command commands && ret=0\n"
	      "\t\t;;\n"
	      "\targument)\n"
	      "\t\tcurcontext=${curcontext%:*:*}:techweek-$words[1]:\n"
	      "\t\tcase $words[1] in\n",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++) {
		fprintf(out, "\t\t%s)\n\t\t\t_arguments -s -S \\\n"
			     "\t\t\t\t'(- *)'{-h,--help}'[show the help]' \\\n",
			cmd);
		for (size_t i = 0; i < tw_cli_option_count(); i++)
			if (tw_cli_option_takes(i, cmd))
				zsh_option(out, i, cmd);
		fprintf(out, "\t\t\t\t'*:%s:_files -g \"%s(-.)\"' && ret=0\n\t\t\t;;\n",
			strcmp(cmd, "merge") == 0 ? "JSON result of a shard" : "rehearsal or folder",
			operand_glob(cmd));
	}
	fputs("\t\thelp)\n\t\t\t_arguments '1:command:(",
	      out);
	for (size_t c = 0; (cmd = tw_cli_command_name(c, NULL)); c++)
		fprintf(out, "%s%s", c ? " " : "", cmd);
	fputs(")' && ret=0\n"
	      "\t\t\t;;\n"
	      "\t\tesac\n"
	      "\t\t;;\n"
	      "\tesac\n"
	      "\treturn ret\n"
	      "}\n"
	      "\n"
	      "_techweek \"$@\"\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "bash") == 0)
		bash(stdout);
	else if (argc == 2 && strcmp(argv[1], "zsh") == 0)
		zsh(stdout);
	else {
		fputs("usage: techweek-completions bash|zsh\n", stderr);
		return 2;
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
