/*
 * Curtain-up readiness (docs/readiness.md): a run's score from 0 to 100,
 * its parts, what cost the most points, and the verdict every report
 * shows. A project file (techweek.json) tunes it; a baseline (an earlier
 * JSON result) can lower the verdict when a figure regressed beyond the
 * project's limits (docs/baseline.md).
 *
 *   tw_project *project = NULL;   tw_project_open(&project, "techweek.json", &err)
 *   tw_score *score = NULL;       tw_score_new(&score, run, project, &err)
 *   tw_score_verdict(score), tw_score_value(score), ...
 *   tw_score_free(score);         tw_project_free(project);
 *
 * Every object has its _free, which takes NULL. Filled structs follow the
 * readers' manners (techweek/result.h): version first, set by _INIT.
 */
#ifndef TECHWEEK_READINESS_H
#define TECHWEEK_READINESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "error.h"
#include "run.h"

/* ---- the project file ---- */

/* The project file's name, looked for in the current folder by the CLI. */
#define TW_PROJECT_FILE "techweek.json"

typedef struct tw_project tw_project;

/* The defaults (docs/readiness.md): no gate, no rules. TW_OK or TW_ENOMEM. */
TW_EXTERN(int) tw_project_new(tw_project **out, tw_error *err);
/* Reads the project file at path over the defaults. TW_OK; TW_EIO when it
 * cannot be read; TW_EUSAGE when it is not valid JSON or a key is unknown,
 * of the wrong type or out of range (err names the file and the key:
 * "gates[1].minimum: ..."); TW_ENOMEM. *out is NULL on failure. */
TW_EXTERN(int) tw_project_open(tw_project **out, const char *path, tw_error *err);
TW_EXTERN(void) tw_project_free(tw_project *project);

/* The run's minimum score, 0..100; < 0: none (or NULL). Setting it
 * replaces the file's "gate" (techweek run --gate). */
TW_EXTERN(double) tw_project_gate(const tw_project *project);
TW_EXTERN(void) tw_project_set_gate(tw_project *project, double gate);

/* The file's "gates" rules, in order: each names a rehearsal or a tag
 * (the other NULL); strings owned by the project. */
TW_EXTERN(size_t) tw_project_rule_count(const tw_project *project);
TW_EXTERN(const char *) tw_project_rule_rehearsal(const tw_project *project, size_t i);
TW_EXTERN(const char *) tw_project_rule_tag(const tw_project *project, size_t i);

/*
 * A "gates" rule that applies to no rehearsal of a run: legitimate when
 * the run is a subset of the suite, a typo otherwise, which would silently
 * leave the rehearsal it meant at the default bar (the CLI warns of each
 * and refuses a typo; docs/readiness.md).
 */
typedef struct tw_unmatched_rule {
	size_t rule;      /* its index: gates[rule] */
	const char *near; /* the closest name (or tag, for a tag rule) of the
			     run's rehearsals, 1 or 2 edits away (less than
			     half the rule's length), borrowed from the run;
			     NULL when none is that close */
	bool typo;        /* near is set and no rule names it: the rule
			     almost surely meant it, and it is left at the
			     default bar */
} tw_unmatched_rule;

/* Lists the project's rules that apply to none of run's rehearsals, in
 * rule order. Call it once the scripts are added, before tw_run_execute
 * drops other shards' rehearsals. *out is freed with
 * tw_unmatched_rules_free (NULL when *count is 0). TW_OK or TW_ENOMEM. */
TW_EXTERN(int) tw_project_unmatched_rules(tw_unmatched_rule **out, size_t *count,
					  const tw_project *project, const tw_run *run,
					  tw_error *err);
TW_EXTERN(void) tw_unmatched_rules_free(tw_unmatched_rule *list);

/* ---- the baseline ---- */

typedef struct tw_baseline tw_baseline;

/* Reads an earlier JSON result (formats 4 to 9: from 4 to the one
 * tw_report_json writes). TW_OK; TW_EUSAGE when it cannot be read, is not
 * JSON, not such a result, or a figure compared is missing or malformed
 * (err->message starts with the path and names the JSON path at fault);
 * TW_ENOMEM. */
TW_EXTERN(int) tw_baseline_load(tw_baseline **out, const char *path, tw_error *err);
/* As tw_baseline_load, for the text in memory (len bytes); name stands
 * for the file in errors. */
TW_EXTERN(int) tw_baseline_parse(tw_baseline **out, const char *name, const char *text,
				 size_t len, tw_error *err);
TW_EXTERN(void) tw_baseline_free(tw_baseline *b);
/* The rehearsals it holds. */
TW_EXTERN(size_t) tw_baseline_count(const tw_baseline *b);

/* ---- the score ---- */

/* The score of a run; the reports take it (techweek/report.h). */
typedef struct tw_run_score tw_score;

/* The four parts of a rehearsal's score. */
typedef enum tw_part {
	TW_PART_OUTCOME,        /* achieved / performances */
	TW_PART_RESPONSIVENESS, /* mean Apdex of its timed touchpoints */
	TW_PART_CONSISTENCY,    /* performances that went as the others did */
	TW_PART_EFFORT,         /* time and steps against the budget */
	TW_PART_COUNT,
} tw_part;

/* "outcome", "responsiveness", ... Static storage. */
TW_EXTERN(const char *) tw_part_str(tw_part p);

/* Scores a finished run under project (NULL: the defaults) and decides
 * its verdict. The score is of that run: every function given a run with
 * it (tw_score_compare, the reports) refuses another (TW_EUSAGE), and the
 * run must outlive it. TW_OK; TW_EUSAGE (the project's weights are unusable, or
 * the run was never executed: nothing to score); TW_ENOMEM. *out is NULL
 * on failure. */
TW_EXTERN(int) tw_score_new(tw_score **out, const tw_run *run, const tw_project *project,
			    tw_error *err);
TW_EXTERN(void) tw_score_free(tw_score *score);

/* Compares the scored run with baseline under the project's "regression"
 * limits (project NULL: none): a regression beyond a limit makes a READY
 * run NOT READY, and the reports given this score show the comparison
 * (the score keeps it: baseline may be freed after). Call it once per
 * score, with the run it scored. TW_OK; TW_EUSAGE (an argument NULL, the
 * score compared already or of another run); TW_ENOMEM (then the score
 * is as it was). */
TW_EXTERN(int) tw_score_compare(tw_score *score, const tw_run *run, const tw_baseline *baseline,
				const tw_project *project, tw_error *err);

/* The verdict: what every report shows and the CLI exits with
 * (TW_VERDICT_UNREACHABLE for NULL). */
TW_EXTERN(tw_verdict) tw_score_verdict(const tw_score *score);
/* The run's score, 0..100 in full precision: its weakest critical
 * rehearsal's; < 0 when no rehearsal counts (none performed), or NULL. */
TW_EXTERN(double) tw_score_value(const tw_score *score);
/* The weight of each part, normalised to sum 1. */
TW_EXTERN(double) tw_score_weight(const tw_score *score, tw_part p);
/* The gate and every rehearsal's minimum held (true when none applies). */
TW_EXTERN(bool) tw_score_gate_held(const tw_score *score);

/* A score as every report shows it to people (terminal, HTML, JUnit):
 * rounded down to one decimal, within the gate's tolerance, without a
 * trailing ".0": "99.7", "100", "97.9"; 0 to 100. Rounded down, a shown
 * score never seems to pass a gate (of one decimal) it failed, nor to
 * fail one it passed: "90" never fails a gate of 90, and 99.75 against
 * 99.8 reads 99.7. A score outside 0..100 is clamped ("100" for 150, "0"
 * for -5 or NaN). Writes into out (TW_SCORE_SHOWN_SIZE is enough; a
 * smaller size cuts it as snprintf does) and returns it; NULL when out is
 * NULL or size 0. */
#define TW_SCORE_SHOWN_SIZE 8
TW_EXTERN(const char *) tw_score_shown(char *out, size_t size, double score);

/* The one rounding rule of every figure a report shows (scores, outcome
 * rates, Apdex): value rounded DOWN to `decimals` decimals (0 to 6;
 * outside, the nearest), forgiving 1e-9 of arithmetic noise as the gates
 * do, without trailing zeros or point: 98.995 with 1 is "98.9", 0.5 with
 * 2 is "0.5", 99 is "99". Rounded down, a figure below a threshold never
 * reads as reaching it (98.995% never shows "99%" against 99%). NaN or
 * infinity is "0". A value too large to count exactly in its decimals'
 * units (9e15 of them) is shown with fewer decimals, and from 9e15 on
 * whole, every digit written: 1e10 with 6 is "10000000000", never "0".
 * Writes into out (TW_FLOOR_SHOWN_SIZE is enough for |value| < 1e29; a
 * smaller size cuts as snprintf does) and returns it;
 * NULL when out is NULL or size 0. tw_score_shown is this with 1 decimal,
 * clamped to 0..100. */
#define TW_FLOOR_SHOWN_SIZE 32
TW_EXTERN(const char *) tw_floor_shown(char *out, size_t size, double value, int decimals);

#define TW_REHEARSAL_SCORE_FIGURES_VERSION 1
#define TW_REHEARSAL_SCORE_FIGURES_INIT { .version = TW_REHEARSAL_SCORE_FIGURES_VERSION }

/* Rehearsal i's score (the run's order, tw_run_rehearsal_byindex). */
typedef struct tw_rehearsal_score_figures {
	unsigned version;       /* TW_REHEARSAL_SCORE_FIGURES_VERSION */
	bool counted;           /* it has a score: performed, or broken (0) */
	double score;           /* 0..100 */
	double part[TW_PART_COUNT]; /* each 0..1 */
	bool capped;            /* never achieved its outcome (or broken) */
	double minimum;         /* the minimum that applies to it; < 0: none */
	bool below_minimum;
	double required;        /* the outcome rate it must reach, 0..1 */
	bool minor;             /* its shortfall alone never decides the verdict */
	bool met;               /* achieved / performances >= required */
	uint64_t irregular;     /* failed, or achieved after a request sent again */
	double time_p90_ms;     /* p90 time to outcome; 0 when never achieved */
	double steps_mean;      /* frontstage steps per performance */
	double demand_mean;     /* failure demand per performance */
} tw_rehearsal_score_figures;

TW_EXTERN(int) tw_score_rehearsal_byindex(tw_rehearsal_score_figures *out, const tw_score *score,
					  size_t i, tw_error *err);

/* The Apdex of touchpoint t of scene s of rehearsal r (the readers'
 * indexes, techweek/result.h): (satisfied + tolerating / 2) / count, a
 * failed performance counting as frustrated, into *apdex (0..1), and the
 * T that applied into *t_ms (either may be NULL). False when the
 * touchpoint is not timed, or was never performed. */
TW_EXTERN(bool) tw_score_touchpoint_apdex(const tw_score *score, size_t r, size_t s, size_t t,
					  double *apdex, double *t_ms);

#define TW_SCORE_REASON_VERSION 1
#define TW_SCORE_REASON_INIT { .version = TW_SCORE_REASON_VERSION }

/* Points a rehearsal lost and why: the weakest rehearsal's first (they
 * add up to 100 - the run's score), then the most points first. */
typedef struct tw_score_reason {
	unsigned version;  /* TW_SCORE_REASON_VERSION */
	size_t rehearsal;  /* its index in the run */
	tw_part part;
	double points;     /* of the rehearsal's own score */
	const char *why;   /* "Order a pizza: 2 of 50 performances did not
			      achieve the outcome"; owned by the score */
	bool in_run;       /* a loss of the rehearsal whose score is the run's */
} tw_score_reason;

TW_EXTERN(size_t) tw_score_reason_count(const tw_score *score);
TW_EXTERN(int) tw_score_reason_byindex(tw_score_reason *out, const tw_score *score, size_t i,
				       tw_error *err);

/* ---- why the verdict is what it is ---- */

/*
 * The reasons for the run's verdict, a sentence each, as every report
 * prints them (the terminal under its verdict, JUnit in the verdict's
 * <failure>, HTML in the readiness card): the journeys that could not
 * run, could not be carried out, were never performed or fell short of
 * their required outcome rate (a minor one only when no critical journey
 * was performed), the gate and the minimums missed, the regressions
 * against the baseline, techweek's own limits. Each about a rehearsal
 * starts with its name and ": ". Empty when the verdict is READY.
 * Computed from the run and its score when asked, so a comparison with
 * a baseline made since is in them.
 *
 *   tw_reasons *why = NULL;   tw_verdict_reasons(&why, run, score, &err)
 *   for (i = 0; i < tw_reasons_count(why); i++) puts(tw_reasons_text(why, i));
 *   tw_reasons_free(why);
 */
typedef struct tw_reasons tw_reasons;

/* score may be NULL (no project, no gate: the scripts' required rates).
 * TW_OK; TW_EUSAGE (no run or out, a run never executed, a score of
 * another run); TW_ENOMEM. *out is NULL on failure. */
TW_EXTERN(int) tw_verdict_reasons(tw_reasons **out, const tw_run *run, const tw_score *score,
				  tw_error *err);
/* The number of reasons; 0 for NULL. */
TW_EXTERN(size_t) tw_reasons_count(const tw_reasons *reasons);
/* Reason i, owned by reasons (valid until tw_reasons_free); NULL for
 * NULL or i past the end. */
TW_EXTERN(const char *) tw_reasons_text(const tw_reasons *reasons, size_t i);
/* The rehearsal reason i is about (its index in the run); SIZE_MAX when
 * it is about the run as a whole, for NULL or i past the end. */
TW_EXTERN(size_t) tw_reasons_rehearsal(const tw_reasons *reasons, size_t i);
TW_EXTERN(void) tw_reasons_free(tw_reasons *reasons);

#endif
