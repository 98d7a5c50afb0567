/*
 * The step kinds and what each is, from language/steps.def, without the
 * AST: what the plan (runner/plan.h), the reports and the score need to
 * name a touchpoint's kind and know its facts.
 */
#ifndef TW_LANGUAGE_STEPS_H
#define TW_LANGUAGE_STEPS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum tw_channel {
	TW_CHANNEL_WEB,
	TW_CHANNEL_IVR, /* a simulated caller: channels/ivr */
} tw_channel;

/* The step kinds, from language/steps.def: its rows say each kind's
 * keywords and facts. */
typedef enum tw_step_kind {
#define TW_STEP_KIND(name, ...) TW_STEP_##name,
#include "language/steps.def"
#undef TW_STEP_KIND
} tw_step_kind;

enum {
	TW_STEP_KIND_COUNT = 0
#define TW_STEP_KIND(...) +1
#include "language/steps.def"
#undef TW_STEP_KIND
};

/* Who takes a step (steps.def's CHANNEL). */
typedef enum tw_step_channel {
	TW_STEP_ON_ANY,
	TW_STEP_ON_WEB, /* only a browser */
	TW_STEP_ON_IVR, /* only a caller */
} tw_step_channel;

/* A timed step's default Apdex T (steps.def's APDEX; readiness/score.c). */
typedef enum tw_step_apdex {
	TW_STEP_APDEX_NONE, /* not timed */
	TW_STEP_APDEX_PAGE,
	TW_STEP_APDEX_API,
	TW_STEP_APDEX_IVR,
} tw_step_apdex;

/* A step kind's row of steps.def. */
typedef struct tw_step_facts {
	const char *json;          /* the stable word in the JSON report */
	const char *written;       /* its name in messages ("hang up") */
	const char *const *words;  /* the keywords that start it */
	size_t word_count;
	tw_step_channel channel;
	tw_step_apdex apdex;
	bool action;               /* counted by the step budget */
} tw_step_facts;

/* The row of kind; never NULL (an unknown kind gets a row of "step"s). */
const tw_step_facts *tw_step_facts_of(tw_step_kind kind);

/* The kind a keyword starts; false when it starts no step. */
bool tw_step_kind_of_word(const char *word, tw_step_kind *kind);

/* The steps whose time the customer spends waiting for the service (a
 * request, a webhook): the ones that take `apdex` and that Apdex counts. */
bool tw_step_is_timed(tw_step_kind kind);

#endif
