/*
 * issue 13, SUITE: what run and check share before anything is checked or
 * sent: the files read and chosen by --tag, --skip-tag and --name (the
 * decisions are the engine's, techweek/suite.h), and --env: the project's
 * environment put into effect, and the one message naming every variable
 * no one gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void tw_cli_free_selected(tw_cli_selected *s)
{
	for (size_t i = 0; i < s->count; i++) {
		tw_script_free(s->scripts[i]);
		tw_error_clear(&s->errors[i]);
	}
	free(s->paths);
	free(s->scripts);
	free(s->errors);
	memset(s, 0, sizeof(*s));
}

int tw_cli_select(const tw_cli_opts *o, char **paths, size_t n, bool run,
		  tw_cli_selected *out)
{
	memset(out, 0, sizeof(*out));
	out->paths = calloc(n ? n : 1, sizeof(*out->paths));
	out->scripts = calloc(n ? n : 1, sizeof(*out->scripts));
	out->errors = calloc(n ? n : 1, sizeof(*out->errors));
	if (!out->paths || !out->scripts || !out->errors) {
		tw_cli_free_selected(out);
		return TW_ENOMEM;
	}
	tw_error err = {0};
	for (size_t i = 0; i < n; i++) {
		tw_script *script = NULL;
		tw_error load = {0};
		if (tw_script_load(&script, paths[i], &load) != TW_OK)
			script = NULL;
		bool keep = true;
		if (tw_selection_consider(o->selection, paths[i], script, &keep, &err) != TW_OK) {
			tw_error_clear(&err);
			tw_error_clear(&load);
			tw_script_free(script);
			tw_cli_free_selected(out);
			return TW_ENOMEM;
		}
		if (!keep) {
			tw_script_free(script);
			continue;
		}
		out->paths[out->count] = paths[i];
		out->scripts[out->count] = script;
		out->errors[out->count] = load;
		out->count++;
	}
	/* issue 13, F4: a file that did not parse is kept, its tags unread;
	 * when nothing else is, the option still selected no rehearsal: its
	 * errors are said, then that. */
	size_t unread = 0;
	for (size_t i = 0; i < out->count; i++)
		unread += out->scripts[i] == NULL;
	if (tw_selection_active(o->selection) && tw_selection_selected(o->selection) == unread) {
		for (size_t i = 0; i < out->count; i++)
			if (!out->scripts[i])
				tw_cli_print_error(&out->errors[i]);
		char *why = tw_selection_nothing(o->selection);
		fprintf(stderr, "techweek: %s\n", why ? why : "out of memory");
		free(why);
		return TW_EUSAGE;
	}
	/* Before a run, one message for all that is missing, and nothing sent;
	 * check says each at its place with every other problem. */
	if (o->env && run) {
		char *missing = NULL;
		if (tw_scripts_missing(&missing, (const tw_script *const *)out->scripts, out->count,
				       o->vars, o->data, o->env, &err) != TW_OK) {
			tw_error_clear(&err);
			return TW_ENOMEM;
		}
		if (missing) {
			fprintf(stderr,
				"techweek: %s; give them in the environment's \"vars\" in the project "
				"file, or with --var NAME=VALUE (nothing was sent)\n",
				missing);
			free(missing);
			return TW_EUSAGE;
		}
	}
	return TW_OK;
}

int tw_cli_use_env(const tw_cli_opts *o, tw_project *project)
{
	if (!o->env)
		return TW_OK;
	tw_error err = {0};
	int rc = tw_project_use_environment(project, o->env, o->vars, &err);
	if (rc != TW_OK) {
		fprintf(stderr, "techweek: %s\n", err.message ? err.message : "out of memory");
		tw_error_clear(&err);
	}
	return rc == TW_OK ? TW_OK : TW_EUSAGE;
}
