/*
 * techweek run: load every rehearsal (a broken one is reported, the others
 * still run), perform them, print the summary, write the reports.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

typedef struct progress_view {
	bool tty;
	bool shown;  /* a live line is on the terminal */
} progress_view;

/* On a terminal, one line rewritten in place; otherwise a plain line each
 * time (the engine calls less often then). */
static void show_progress(const tw_progress *p, void *ctx)
{
	progress_view *v = ctx;
	double secs = p->elapsed_ms / 1000.0;
	double rate = secs > 0 ? (double)p->done / secs : 0;
	char total[64];
	if (p->planned)
		snprintf(total, sizeof(total), "%llu/%llu", p->done, p->planned);
	else
		snprintf(total, sizeof(total), "%llu (%.0f/%.0fs)", p->done, secs,
			 p->duration_ms / 1000.0);
	char line[256];
	int n = snprintf(line, sizeof(line), "%7.1fs  %s performances  %.1f/s  %llu failed  %llu under way",
			 secs, total, rate, p->failed, p->in_flight);
	if (p->dropped)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %llu dropped", p->dropped);
	if (p->stopping)
		snprintf(line + n, sizeof(line) - (size_t)n, "  (stopping)");
	if (v->tty) {
		fprintf(stderr, "\r\033[K%s", line);
		v->shown = true;
	} else {
		fprintf(stderr, "techweek: %s\n", line);
	}
	fflush(stderr);
}

/* Checks one file read by tw_cli_select (script NULL: it did not parse,
 * load says why; the run takes script); a problem is printed and recorded
 * as broken. */
static int load_one(tw_run *run, const char *path, tw_script *script, const tw_error *load,
		    const tw_vars *vars, const tw_data *data)
{
	tw_error err = {0};
	if (!script) {
		tw_cli_print_error(load);
		return tw_run_add_broken(run, path, load);
	}
	tw_errors problems = {0};
	if (tw_script_check_data(script, vars, data, &problems) > 0) {
		for (size_t i = 0; i < problems.count; i++)
			tw_cli_print_error(&problems.items[i]);
		/* none listed: out of memory before even one could be */
		tw_error oom = {.code = TW_ENOMEM};
		if (problems.lost)
			tw_cli_print_error(&oom);
		int rc = tw_run_add_broken(run, path, problems.count ? &problems.items[0] : &oom);
		tw_errors_clear(&problems);
		tw_script_free(script);
		return rc;
	}
	tw_errors_clear(&problems);
	int rc = tw_run_add_script(run, script, &err);
	if (rc)
		tw_cli_print_error(&err);
	tw_error_clear(&err);
	return rc;
}

/* issue 13, F4: a rehearsal broken by the run itself before it sent
 * anything (each row once above the rows, an unset {{env X}}, ...) is
 * said on stderr as a parse error is: -q prints no summary, and CI reads
 * stderr. said[i]: rehearsal i's problem was printed when it was loaded. */
static bool said_before(char *const *said, size_t n, const char *path)
{
	for (size_t i = 0; path && i < n; i++)
		if (said[i] && strcmp(said[i], path) == 0)
			return true;
	return false;
}

/* Prints the problem of every rehearsal that tw_run_execute found broken
 * (its pre-flight), by path: a shard keeps only some of the rehearsals,
 * so their order after the run is not the one before it. */
static void print_preflight(const tw_run *run, char *const *said, size_t said_count)
{
	for (size_t i = 0; i < tw_run_rehearsal_count(run); i++) {
		tw_rehearsal_figures f = TW_REHEARSAL_FIGURES_INIT;
		if (tw_run_rehearsal_byindex(&f, run, i, NULL) != TW_OK || !f.problem ||
		    said_before(said, said_count, f.path))
			continue;
		tw_cli_print_error(f.problem);
	}
}

int tw_cmd_run(int argc, char **argv)
{
	tw_cli_opts o;
	bool done;
	int status = tw_cli_parse(&o, "run", argc, argv, &done);
	if (status || done) {
		tw_cli_opts_free(&o);
		return status;
	}
	size_t n = 0;
	char **paths = tw_cli_collect(&o, &n);
	tw_run *run = NULL;
	tw_project *project = NULL;
	tw_cli_selected sel = {0};
	tw_error err = {0};
	if (n == 0) {
		fprintf(stderr, "techweek run: no *.rehearsal files found in the given folders\n");
		status = TW_EXIT_USAGE;
		goto out;
	}
	/* issue 13, SUITE: the project (and --env's variables, which the
	 * run registers as it is made), then the selected files, before the
	 * run exists: nothing is sent when either says no. */
	if (tw_cli_load_project(&o, &project) != TW_OK) {
		status = TW_EXIT_USAGE;
		goto out;
	}
	int selected_rc = tw_cli_select(&o, paths, n, true, &sel);
	if (selected_rc != TW_OK) {
		if (selected_rc == TW_ENOMEM)
			fprintf(stderr, "techweek: out of memory\n");
		status = selected_rc == TW_EUSAGE ? TW_EXIT_USAGE : TW_EXIT_UNREACHABLE;
		goto out;
	}
	if (tw_run_new(&run, &o.run, &err) != TW_OK) {
		tw_cli_print_error(&err);
		status = TW_EXIT_UNREACHABLE;
		goto out;
	}
	if ((tw_selection_active(o.selection) && tw_run_set_selection(run, o.selection, &err)) ||
	    (o.env && tw_run_set_environment(run, o.env, &err))) {
		tw_cli_print_error(&err);
		status = TW_EXIT_UNREACHABLE;
		goto out;
	}
	for (size_t i = 0; i < sel.count; i++) {
		tw_script *script = sel.scripts[i];
		sel.scripts[i] = NULL; /* the run takes it */
		if (load_one(run, sel.paths[i], script, &sel.errors[i], o.vars, o.data) != TW_OK) {
			fprintf(stderr, "techweek: out of memory\n");
			status = TW_EXIT_UNREACHABLE;
			goto out;
		}
	}
	/* Every rehearsal is in, this shard's and the others' alike: a rule
	 * that names none of them is told before anything is sent. */
	int checked = tw_cli_check_rules(&o, run, project);
	if (checked != TW_OK) {
		status = checked == TW_EUSAGE ? TW_EXIT_USAGE : TW_EXIT_UNREACHABLE;
		goto out;
	}
	/* issue 15: enough open files for --customers, or said before the run */
	if (tw_run_reserve_fds(run, &err) != TW_OK) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
		status = TW_EXIT_USAGE;
		goto out;
	}
	progress_view view = {.tty = isatty(STDERR_FILENO) != 0};
	if (!o.quiet && o.progress_ms >= 0) {
		tw_run_options *ro = tw_run_options_of(run);
		ro->progress = show_progress;
		ro->progress_ctx = &view;
		ro->progress_ms = view.tty ? 250 : o.progress_ms ? o.progress_ms : 10000;
	}
	/* Ctrl-C or SIGTERM stops the run; from then on until the reports
	 * are written a signal is only noted (tw_cli_finish). */
	/* issue 13, F4: which rehearsals were broken before the run (their
	 * problem is printed already) */
	size_t before_count = tw_run_rehearsal_count(run);
	char **said = calloc(before_count ? before_count : 1, sizeof(*said));
	if (!said) {
		fprintf(stderr, "techweek: out of memory\n");
		status = TW_EXIT_UNREACHABLE;
		goto out;
	}
	for (size_t i = 0; i < before_count; i++) {
		tw_rehearsal_figures f = TW_REHEARSAL_FIGURES_INIT;
		if (tw_run_rehearsal_byindex(&f, run, i, NULL) == TW_OK && f.problem && f.path)
			said[i] = strdup(f.path); /* out of memory: said again, no harm */
	}
	tw_cli_catch_signals(run);
	int rc = tw_run_execute(run, &err);
	tw_cli_catch_signals(NULL);
	if (view.shown)
		fputs("\r\033[K", stderr);
	print_preflight(run, said, before_count);
	for (size_t i = 0; i < before_count; i++)
		free(said[i]);
	free(said);
	if (rc != TW_OK) {
		/* Whatever was performed is still reported below. */
		tw_cli_print_error(&err);
		tw_error_clear(&err);
	}
	/* A run cut short by an error is marked so (it cannot be READY), and
	 * is still reported: the verdict, and so the exit status, is
	 * tw_cli_finish's. */
	status = tw_cli_finish(run, &o, project);
out:
	tw_cli_free_selected(&sel);
	tw_project_free(project);
	tw_run_free(run);
	tw_cli_free_list(paths, n);
	tw_cli_opts_free(&o);
	return status;
}
