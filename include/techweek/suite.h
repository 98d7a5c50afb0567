/*
 * issue 13, SUITE: which rehearsals of the files given a run performs
 * (techweek run|check --tag, --skip-tag, --name) and the environment it
 * runs in (--env NAME, the project file's "environments"). The command
 * reads the files; the decisions and the words that report them are
 * here, so every report says the same and a test can call them.
 *
 *   tw_selection *sel = NULL;      tw_selection_new(&sel, &err)
 *   tw_selection_add(sel, TW_SELECT_TAG, "smoke,api", &err)   per option
 *   for each file: tw_selection_consider(sel, path, script_or_NULL, &keep, &err)
 *   tw_selection_selected(sel) == 0: tw_selection_nothing(sel) says so
 *   tw_run_set_selection(run, sel, &err)    the reports show it
 *   tw_selection_free(sel);
 */
#ifndef TECHWEEK_SUITE_H
#define TECHWEEK_SUITE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "error.h"
#include "readiness.h"
#include "run.h"
#include "script.h"
#include "vars.h"

typedef struct tw_selection tw_selection;

typedef enum tw_select_kind {
	TW_SELECT_TAG,      /* --tag: keep those with any of these tags */
	TW_SELECT_SKIP_TAG, /* --skip-tag: leave out those with any */
	TW_SELECT_NAME,     /* --name: keep those whose name matches any glob */
} tw_select_kind;

/* An empty selection: it keeps every rehearsal. TW_OK or TW_ENOMEM. */
TW_EXTERN(int) tw_selection_new(tw_selection **out, tw_error *err);
TW_EXTERN(void) tw_selection_free(tw_selection *sel);

/* Adds one option's value: a tag list ("smoke" or "smoke,api": commas
 * part tags, blanks around them are dropped) for the tag kinds, a shell
 * glob (fnmatch, case-insensitive) for a name. TW_OK; TW_EUSAGE for an
 * empty tag or pattern (err says which option); TW_ENOMEM. */
TW_EXTERN(int) tw_selection_add(tw_selection *sel, tw_select_kind kind, const char *value,
				tw_error *err);

/* True when some option was added (else every rehearsal is kept and the
 * reports show no selection). */
TW_EXTERN(bool) tw_selection_active(const tw_selection *sel);

/* Whether sel keeps a rehearsal of this name with these tags: it has one
 * of the --tag tags (or none was given), none of the --skip-tag ones, and
 * its name matches a --name glob (or none was given). When it does not,
 * why (may be NULL) gets the first reason, cut as snprintf cuts: "without
 * tag smoke", "without tag smoke or api", "with tag slow", "not matching
 * --name 'Order*'"; else "". Changes nothing. */
TW_EXTERN(bool) tw_selection_keeps(const tw_selection *sel, const char *name,
				   const char *const *tags, size_t tag_count, char *why,
				   size_t why_size);

/* Decides for one file and records it: script is the file parsed, or NULL
 * when it did not parse (kept: its tags cannot be read, and it is
 * reported broken as ever). The tags of every script considered are
 * remembered for tw_selection_nothing; what is left out for the reports.
 * *keep says whether to run it. TW_OK or TW_ENOMEM. */
TW_EXTERN(int) tw_selection_consider(tw_selection *sel, const char *path,
				     const tw_script *script, bool *keep, tw_error *err);

/* Files considered, and kept. */
TW_EXTERN(size_t) tw_selection_considered(const tw_selection *sel);
TW_EXTERN(size_t) tw_selection_selected(const tw_selection *sel);
/* The i-th file left out, in the order considered: its path, its
 * rehearsal's name and why (tw_selection_keeps), owned by sel. False past
 * the end. */
TW_EXTERN(bool) tw_selection_left_out(const tw_selection *sel, size_t i, const char **path,
				      const char **name, const char **why);

/* The options as given, one line: "--tag smoke,api --skip-tag slow --name
 * 'Order*'" (JUnit's techweek.selection property, the messages). A new
 * malloc'd string; NULL on out of memory. */
TW_EXTERN(char *) tw_selection_describe(const tw_selection *sel);
/* What the terminal says when some were left out: "selected 3 of 7
 * rehearsals: 3 without tag smoke, 1 with tag slow" (each reason once,
 * counted, in the order first met). Malloc'd; NULL on out of memory. */
TW_EXTERN(char *) tw_selection_summary(const tw_selection *sel);
/* When nothing was kept: "no rehearsal selected by --tag smokee (tags in
 * these files: checkout, smoke)" (or "(no tags in these files)"); with
 * --name, the rehearsals' names instead (with --tag too, after the tags):
 * "(rehearsals in these files: 'Basket', 'Kitchen', ...)", five at most,
 * sorted. Also when only files that did not parse were kept (a caller
 * counts those: their tags could not be read). Malloc'd; NULL on out of
 * memory. */
TW_EXTERN(char *) tw_selection_nothing(const tw_selection *sel);

/* The run keeps a copy of what sel decided, for every report (JSON
 * "selection", JUnit property techweek.selection, the HTML report, the
 * summary). Before tw_run_execute. TW_OK; TW_EUSAGE (NULL run or sel, the
 * run executed); TW_ENOMEM. */
TW_EXTERN(int) tw_run_set_selection(tw_run *run, const tw_selection *sel, tw_error *err);

/* ---- environments ---- */

/* The project file's environments, in the file's order (names owned by
 * the project); 0 and NULL past the end. */
TW_EXTERN(size_t) tw_project_environment_count(const tw_project *project);
TW_EXTERN(const char *) tw_project_environment_name(const tw_project *project, size_t i);

/*
 * Puts environment name of the project into effect: each of its "vars"
 * is set in vars unless vars holds that name already (--var and
 * --vars-file win over the environment), its {{env X}} and {{secret X}}
 * read from the process environment (a value with a {{secret}} is a
 * secret: masked in every report); its "gate" replaces the project's
 * (set --gate after this, so it wins). TW_OK; TW_EUSAGE for a project
 * without environments, an unknown name ("unknown environment 'stagin'
 * (did you mean 'staging'? techweek.json has: local, staging)"), or an
 * environment variable a value reads that is not set (naming the value
 * and the variable); TW_ENOMEM. On error vars and the gate may be
 * partly set: stop the run.
 */
TW_EXTERN(int) tw_project_use_environment(tw_project *project, const char *name, tw_vars *vars,
					  tw_error *err);

/* The run performs in environment name (copied; NULL: none): the JSON's
 * "environment", JUnit's techweek.environment, the HTML report and the
 * summary say it. Before tw_run_execute. TW_OK; TW_EUSAGE; TW_ENOMEM. */
TW_EXTERN(int) tw_run_set_environment(tw_run *run, const char *name, tw_error *err);

/*
 * With an environment, what no one gives: every cast entry without a
 * value, in scripts[0..n) (NULL ones skipped), that given does not hold
 * and no data file gives (the script's own `cast from` file's columns,
 * else data's, the run's --data; may be NULL), and every used file's
 * parameter that its use gives no `with` for and that is not set where the
 * use starts (placed at the use line). The checker decides, by the rules
 * of techweek check.
 * *message is NULL when nothing is missing, else one malloc'd line naming
 * each missing name once, in the order first met, with every place it is
 * needed: "environment 'staging' does not give: stage
 * (order-pizza.rehearsal:7:3, kitchen-api.rehearsal:6:3), token
 * (returning-customer.rehearsal:8:3)". TW_OK or TW_ENOMEM.
 */
TW_EXTERN(int) tw_scripts_missing(char **message, const tw_script *const *scripts, size_t n,
				  const tw_vars *given, const tw_data *data,
				  const char *environment, tw_error *err);

#endif
