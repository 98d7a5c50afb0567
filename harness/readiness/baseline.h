/*
 * Effort against the last good run (docs/baseline.md): `techweek run
 * --baseline FILE` reads an earlier JSON result (formats 4 and 5) and
 * compares this run with it, rehearsal by rehearsal and touchpoint by
 * touchpoint: the change in score, outcome rate, p95, steps per
 * performance and time to outcome. The project file's "regression" limits
 * say how much worse a rehearsal may get; beyond one, the run is NOT READY
 * (tw_baseline_judge hands that to tw_readiness_verdict).
 *
 * Matching: a rehearsal by its path, else by its name; within it, scenes
 * by position, and a scene's touchpoints by their script line's text in
 * order (the longest common sequence), so a touchpoint keeps its match
 * when steps are added before it. What has no match is new.
 *
 * Ownership: tw_baseline_load gives a tw_baseline (tw_baseline_free);
 * tw_baseline_compare fills a tw_comparison (tw_comparison_free), which
 * copies what it needs and does not point into the baseline or the run.
 */
#ifndef TW_READINESS_BASELINE_H
#define TW_READINESS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "runner/run.h"
#include "techweek/error.h"
#include "techweek/readiness.h"

/* The figures compared, in the order reports show them. */
typedef enum tw_figure {
	TW_FIGURE_SCORE,   /* readiness score, 0..100; a touchpoint's: its Apdex x 100 */
	TW_FIGURE_OUTCOME, /* outcome rate, 0..1; a touchpoint's: the share that passed */
	TW_FIGURE_P95,     /* a touchpoint's p95 latency, ms (a rehearsal has none) */
	TW_FIGURE_STEPS,   /* frontstage steps per performance (a touchpoint has none) */
	TW_FIGURE_TIME,    /* p90 time to outcome, ms (a touchpoint has none) */
	TW_FIGURE_COUNT,
} tw_figure;

/* The figure's key in the project file and the JSON result: "score",
 * "outcome", "p95", "steps", "time". */
const char *tw_figure_key(tw_figure f);

/*
 * How much worse than the baseline a rehearsal may get (techweek.json
 * "regression"); zero-initialised: no limit. score and outcome gate the
 * rehearsal's fall (points; a share of performances, 0.01 for "1%"),
 * steps its growth (steps per performance), p95 each touchpoint's and
 * time the rehearsal's growth as a share of the baseline's (0.2: 20%).
 */
typedef struct tw_regression_limits {
	bool set[TW_FIGURE_COUNT];
	double max[TW_FIGURE_COUNT];
} tw_regression_limits;

/* A figure before (in the baseline) and after (in this run). */
typedef struct tw_change {
	bool known;     /* measured in both: before and after are set */
	double before, after;
	bool regressed; /* worse by more than the limit */
} tw_change;

typedef struct tw_touchpoint_change {
	size_t scene, step; /* in this run's script */
	bool is_new;        /* no touchpoint of the baseline matches it */
	tw_change figure[TW_FIGURE_COUNT]; /* score, outcome, p95 */
} tw_touchpoint_change;

typedef struct tw_rehearsal_change {
	bool is_new;         /* no rehearsal of the baseline matches it */
	bool by_name;        /* matched by its name, its path differing */
	size_t base;         /* the baseline's rehearsal, when not new */
	tw_change figure[TW_FIGURE_COUNT]; /* score, outcome, steps, time */
	tw_touchpoint_change *touchpoints; /* owned: those performed, in script order */
	size_t touchpoint_count;
	size_t touchpoints_gone; /* the baseline's, matched by none here */
} tw_rehearsal_change;

/* A figure worse than the baseline by more than its limit. */
typedef struct tw_regression {
	size_t rehearsal;  /* index in the run */
	size_t touchpoint; /* index in its touchpoints; SIZE_MAX: the rehearsal's figure */
	tw_figure figure;
	double before, after, limit;
	char *why; /* owned: "Order a pizza: steps per performance 4 → 6 (+2),
		      beyond the limit of +0" */
	const char *what; /* in why, after the rehearsal's name: "steps per ..." */
} tw_regression;

typedef struct tw_comparison {
	char *file;       /* owned: the baseline's path */
	char *started_at; /* owned: when the baseline ran; NULL when unknown */
	tw_regression_limits limits;
	tw_rehearsal_change *rehearsals; /* owned: one per run->rehearsals */
	size_t count;
	char **gone;      /* owned: names of the baseline's rehearsals this run lacks */
	size_t gone_count;
	tw_regression *regressions; /* owned: in rehearsal, then figure order */
	size_t regression_count;
} tw_comparison;

/* The change in words, the same in every report: "4 → 6 (+2)",
 * "100% → 97% (-3 points)", "120 ms → 180 ms (+50%)"; "not compared" when
 * one side did not measure it. Cut to size. TW_OK, or TW_ENOMEM with out
 * empty. */
int tw_change_str(char *out, size_t size, tw_figure f, const tw_change *c)
	__attribute__((warn_unused_result));

struct tw_run_score;

/* Compares run (and its score, for the rehearsals' scores; may be NULL)
 * with b under limits (NULL: none). TW_OK or TW_ENOMEM. */
int tw_baseline_compare(tw_comparison *out, const tw_baseline *b, const tw_run *run,
			const struct tw_run_score *score, const tw_regression_limits *limits,
			tw_error *err);
void tw_comparison_free(tw_comparison *c);

/* Hands the comparison to the score, which the reports read it from
 * (borrowed: c must outlive score's use), and decides the verdict again
 * (tw_readiness_verdict): a regression makes a READY run NOT READY. */
void tw_baseline_judge(struct tw_run_score *score, const tw_run *run, const tw_comparison *c);

#endif
