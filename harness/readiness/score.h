/*
 * Curtain-up readiness: a run's figures (metrics/metrics.h) turned into a
 * score from 0 to 100 per rehearsal and for the run, its breakdown, what
 * cost the most points, and the gate's verdict. docs/readiness.md is the
 * definition; this is its implementation. Deterministic: the same figures
 * and configuration always give the same score, bit for bit.
 *
 * In brief (docs/readiness.md says why):
 *   rehearsal = 100 x (w_o O + w_r R + w_c C + w_e E) / (w_o + w_r + w_c + w_e)
 *     O  outcome rate: achieved / performances
 *     R  responsiveness: mean Apdex of its timed touchpoints
 *     C  consistency: 1 - (irregular / performances) / irregular_zero, at
 *        least 0; irregular: performances that did not achieve the
 *        outcome, and achieved ones that had to send a request again
 *     E  customer effort: mean of time (p90 time to outcome vs the time
 *        budget) and steps ((frontstage steps + failure demand) per
 *        performance vs the step budget); within budget 1, twice it 0
 *   never achieved (or broken): at most cap_never
 *   run = the lowest score among the critical (not minor) rehearsals
 *         counted (a broken one counts as 0); among all when all are minor
 *   a journey is met when achieved / performances >= its required rate
 *
 * Ownership: tw_readiness_score fills *out; tw_run_score_free frees it.
 * tw_readiness_config owns its rules and their strings
 * (tw_readiness_config_free).
 */
#ifndef TW_READINESS_SCORE_H
#define TW_READINESS_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "readiness/baseline.h"
#include "techweek/error.h"
#include "techweek/readiness.h"
#include "runner/run.h"

/* Defaults (docs/readiness.md explains each). */
#define TW_READINESS_W_OUTCOME 40.0
#define TW_READINESS_W_RESPONSIVENESS 30.0
#define TW_READINESS_W_CONSISTENCY 15.0
#define TW_READINESS_W_EFFORT 15.0
#define TW_READINESS_APDEX_PAGE_MS 1000.0
#define TW_READINESS_APDEX_API_MS 300.0
#define TW_READINESS_APDEX_IVR_MS 1000.0
#define TW_READINESS_CAP_NEVER 20.0
#define TW_READINESS_REQUIRE 0.99       /* outcome rate a journey must reach */
#define TW_READINESS_IRREGULAR_ZERO 0.10 /* share of irregular performances
					    at which consistency reaches 0 */

/* What a project sets (techweek.json, see readiness/project.h), with
 * documented defaults from tw_readiness_config_init. */
typedef struct tw_gate_rule {
	char *rehearsal; /* owned: a rehearsal's name, or NULL */
	char *tag;       /* owned: a tag, or NULL */
	double minimum;  /* 0..100; < 0: none */
	double require;  /* required outcome rate, 0 < x <= 1; <= 0: none */
	bool minor;      /* the journeys it names are minor */
} tw_gate_rule;

typedef struct tw_readiness_config {
	/* Weights of the four parts, >= 0, not all 0; they need not sum to
	 * 100 (they are normalised). */
	double w_outcome, w_responsiveness, w_consistency, w_effort;
	/* Apdex T by channel and kind of step, ms, when the script sets none. */
	double apdex_page_ms;   /* visit, click, submit */
	double apdex_api_ms;    /* raw HTTP */
	double apdex_ivr_ms;    /* call, press, say, silence (webhook answers) */
	double cap_never;       /* a rehearsal that never achieved its outcome
				   scores at most this, and so does the run */
	double gate;            /* the run's minimum; < 0: no gate */
	double require;         /* the required outcome rate when neither the
				   script nor a rule sets one, 0 < x <= 1 */
	double irregular_zero;  /* the share of irregular performances at
				   which consistency is 0, 0 < x <= 1 */
	tw_gate_rule *rules;    /* owned: per rehearsal or per tag minimums,
				   required rates, minor marks */
	size_t rule_count;
	tw_regression_limits regression; /* against --baseline; none set by default */
	/* issue 13, SUITE: the project file's "environments", checked
	 * (readiness/project.c); a jansson reference owned; NULL: none */
	struct json_t *environments;
	char *environments_file; /* owned: the file they came from, for messages */
} tw_readiness_config;

/* The defaults above; no gate, no rules. */
void tw_readiness_config_init(tw_readiness_config *c);
/* Frees the rules; c can be initialised again. */
void tw_readiness_config_free(tw_readiness_config *c);
/* Appends a rule (name or tag, the other NULL; strings copied) with a
 * minimum score and nothing else. TW_OK, TW_ENOMEM, or TW_EUSAGE (neither
 * or both, minimum outside 0..100). */
int tw_readiness_config_add_rule(tw_readiness_config *c, const char *rehearsal, const char *tag,
				 double minimum, tw_error *err);
/* Appends a copy of *rule (its strings copied): a name or a tag, and at
 * least one of a minimum (0..100), a required rate (0 < x <= 1) or minor.
 * TW_OK, TW_ENOMEM or TW_EUSAGE. */
int tw_readiness_config_add(tw_readiness_config *c, const tw_gate_rule *rule, tw_error *err);
/* Whether rule applies to r: r's name is the rule's, or r's script has the
 * rule's tag. */
bool tw_readiness_rule_applies(const tw_gate_rule *rule, const tw_rehearsal_result *r);

/* The Apdex T (ms) that applies to a touchpoint: the step's own, else its
 * scene's, else the rehearsal's (resolved once in its plan: runner/
 * plan.h), else the channel default for its kind; 0 when the step is not
 * timed (fill, expect, pause, hear, hang up...) and sets no T itself. */
double tw_readiness_apdex_t(const tw_readiness_config *cfg, const tw_touchpoint *tp);

/* Points a rehearsal lost, and why, in words for a product owner. */
typedef struct tw_loss {
	size_t rehearsal;  /* index in run->rehearsals */
	tw_part part;
	double points;     /* points of the rehearsal's own score (> 0) */
	char *why;         /* owned: "Order a pizza: 2 of 50 performances did not
			      achieve the outcome" */
	const char *cause; /* in why, after the rehearsal's name: "2 of 50 ..."
			      (NULL: why has no name in front) */
	bool in_run;       /* a loss of the rehearsal whose score is the run's:
			      these add up to 100 - the run's score */
} tw_loss;

/* A timed touchpoint's Apdex: (satisfied + tolerating / 2) / count, a
 * failed performance of it counting as frustrated. */
typedef struct tw_touchpoint_score {
	size_t scene, step;     /* indexes in the script */
	double t_ms;            /* the T that applied */
	double apdex;           /* 0..1 */
	/* Performances of it, estimated from the latency histogram (a bucket
	 * straddling T or 4T split in proportion); they sum to its count. */
	double satisfied, tolerating, frustrated;
	/* Of frustrated, the performances that failed there (the rest were
	 * answered after 4T): what the reports name as failures, not waits. */
	uint64_t failed;
} tw_touchpoint_score;

typedef struct tw_rehearsal_score {
	bool scored;            /* it has a breakdown: performed at least once */
	bool counted;           /* it has a score: performed, or broken
				   (counted as 0, capped) */
	double score;           /* 0..100 */
	double part[TW_PART_COUNT]; /* each 0..1 (all 0 when broken) */
	bool capped;            /* never achieved its outcome (or broken) */
	double minimum;         /* the gate that applies to it (< 0: none) */
	bool below_minimum;
	double required;        /* the outcome rate it must reach, 0..1 */
	bool minor;             /* less critical: beside a critical journey
				   performed, its shortfall alone never makes
				   the run NOT READY, and it is left out of the
				   run's score (all minor: they decide both) */
	bool met;               /* achieved / performances >= required (false
				   when never performed or broken) */
	tw_touchpoint_score *touchpoints; /* owned: the timed ones performed,
					     in script order */
	size_t touchpoint_count;
	/* Consistency's figures: performances that did not achieve the
	 * outcome, plus achieved ones that sent a request again. */
	uint64_t irregular;
	/* Effort's figures; a budget of 0 is none (the step budget defaults
	 * to the script's frontstage actions). */
	double time_p90_ms;     /* p90 time to outcome; 0 when never achieved */
	double steps_mean;      /* frontstage steps per performance */
	double demand_mean;     /* failure demand per performance: prompts
				   heard again + frontstage retries */
	double budget_ms, budget_steps;
	/* issue 14, F4 */
	uint64_t achieved;           /* performances that reached the outcome:
				        under 10, "9 in 10" is no figure to
				        quote (the p90 is the slowest) */
	bool budget_steps_implied;   /* no `budget` steps: the frontstage
				        actions are the budget */
} tw_rehearsal_score;

typedef struct tw_run_score {
	const struct tw_run *run;      /* the run scored (borrowed): the
					  rehearsals are indexed as its, so
					  no other run is read with it
					  (tw_score_check_run) */
	double score;                  /* 0..100: the weakest's */
	tw_rehearsal_score *rehearsals; /* owned: run->count of them */
	size_t count;
	size_t weakest;                /* the rehearsal whose score is the
					  run's: the lowest critical one
					  counted (the lowest of all when all
					  are minor); count when none */
	tw_loss *losses;               /* owned: every rehearsal's, the
					  weakest's (in_run) first, then most
					  points first; the in_run ones add up
					  to 100 - score */
	size_t loss_count;
	double weight[TW_PART_COUNT];  /* the weights used, normalised to sum 1 */
	double gate;                   /* the run's minimum (< 0: none) */
	bool capped;                   /* the weakest never achieved its outcome */
	bool gate_set;                 /* a gate or a minimum applied */
	bool gate_held;                /* the gate and every minimum held (true
					  when none applies) */
	bool below_gate;               /* the run's score missed the run's
					  gate (a minimum missed is its
					  rehearsal's below_minimum) */
	tw_verdict verdict;            /* the run's verdict (tw_readiness_verdict):
					  what every report shows and the CLI
					  exits with */
	/* Against --baseline (tw_baseline_judge); NULL and false without. */
	const struct tw_comparison *baseline; /* borrowed */
	bool regressed;                /* a figure regressed beyond its limit */
} tw_run_score;

/* Scores a finished run. TW_OK, TW_ENOMEM, or TW_EUSAGE (a weight below 0
 * or all 0). Scores keep full precision; the gate compares with a
 * tolerance of 1e-9 points. Reports show them with tw_score_shown. */
int tw_readiness_score(const tw_run *run, const tw_readiness_config *cfg, tw_run_score *out,
		       tw_error *err);
void tw_run_score_free(tw_run_score *s);
/* ---- the verdict's reasons (techweek/readiness.h, tw_verdict_reasons) ---- */

typedef struct tw_reason {
	size_t rehearsal;  /* the rehearsal it is about; SIZE_MAX: the run */
	char *why;         /* owned: "Checkout: achieved 197 of 199 performances
			      (98.9%), short of its required 99%" */
	const char *cause; /* in why, after the rehearsal's name and ": " (why
			      itself when about the run): what a writer
			      prints after a name it cuts */
} tw_reason;

struct tw_reasons {
	tw_reason *items; /* owned */
	size_t count;
};

/* The reasons for v, the verdict of run under score (NULL: none), into
 * *out (zeroed first; freed with tw_reasons_clear, also after a failure).
 * The one place they are worded: every report prints this list. TW_OK or
 * TW_ENOMEM. */
int tw_readiness_reasons(struct tw_reasons *out, const tw_run *run, const tw_run_score *score,
			 tw_verdict v);
void tw_reasons_clear(struct tw_reasons *list);
/* Why tw_readiness_reasons failed with rc, in words for who: TW_ELIMIT is
 * a reason longer than techweek keeps, not a lack of memory. Returns rc. */
int tw_reasons_failed(tw_error *err, int rc, const char *who);

/* An outcome rate (0..1) as a percentage for people, by tw_floor_shown's
 * rule: "98.9%" for 0.98995. Its decimals are the required rate's (at
 * least 1, at most 3), so against required it never reads as met when it
 * is short, nor short when it is met. TW_RATE_SHOWN_SIZE is enough. */
#define TW_RATE_SHOWN_SIZE 40
const char *tw_rate_shown(char *out, size_t size, double rate, double required);
/* A required outcome rate (0..1) as set, as a percentage: "99%",
 * "99.5%", "99.95%" (up to 3 decimals). */
const char *tw_required_shown(char *out, size_t size, double required);

/* TW_OK when score is NULL or is run's; else TW_EUSAGE naming who (the
 * public function given both): what every (run, score) taker checks first,
 * since it reads the run's rehearsals by the score's indexes. */
int tw_score_check_run(const tw_run_score *score, const struct tw_run *run, const char *who,
		       tw_error *err);

/*
 * The run's verdict, the one place it is decided (docs/readiness.md, The
 * verdict). Worst first: INTERRUPTED when a signal stopped the run; BROKEN
 * when a script could not run; UNREACHABLE when a rehearsal could not be
 * carried out, or the run itself was cut short by an error; NOT_READY when
 * a journey fell short (tw_readiness_journey_met) or was never performed;
 * LIMITED when some performance ended at techweek's own limit (judged on
 * the others; a service fault is worth more to the reader than ours);
 * else READY. A minor journey's shortfall alone never makes it NOT_READY
 * when a critical journey was performed beside it; when none was (all
 * minor), the minor ones decide, as they decide the score.
 * With a score (may be NULL: no project, no gate) the required rates and
 * minor marks are the score's, and READY or LIMITED becomes NOT_READY when
 * its gate or a minimum did not hold, or a figure regressed against the
 * baseline beyond its limit; without, they are the scripts' (else
 * TW_READINESS_REQUIRE). Rehearsals whose every performance was
 * interrupted are left out, as in the score.
 */
tw_verdict tw_readiness_verdict(const tw_run *run, const tw_run_score *score);

/* Whether a minor journey's shortfall is exempt from deciding the
 * verdict: a critical journey was performed (not cut off, not every
 * performance at techweek's limit), as only then is the run's score a
 * critical one's. When none was (every journey performed is minor), the
 * minor ones decide. score may be NULL: the scripts' minor marks. */
bool tw_readiness_minor_exempt(const tw_run *run, const tw_run_score *score);

/* Rehearsal i met its required outcome rate although some of its
 * performances failed (its shown status, the JSON's, stays "failed"):
 * JUnit passes its scenes and the terminal marks it apart. False without
 * a score, or when it was cut off by the run's end. */
bool tw_readiness_met_despite_failures(const tw_run *run, const tw_run_score *score, size_t i);

/* The bar every critical journey must clear for the run to be READY, gate
 * or not: achieved / performances >= required (0..1, with a tolerance of
 * 1e-9). The one rule. m may be NULL (a run built by hand): then the
 * rehearsal's status decides. */
bool tw_readiness_journey_met(const tw_rehearsal_result *r, const tw_rehearsal_metrics *m,
			      double required);

#endif
