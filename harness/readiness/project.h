/*
 * The project file, techweek.json: how a project tunes its readiness score
 * and gates (docs/readiness.md, "Setting it for your project"):
 *
 *   {"weights": {"outcome": 40, "responsiveness": 30, "consistency": 15, "effort": 15},
 *    "apdex": {"page": "1s", "api": "300ms", "ivr": "1s"},
 *    "cap_never": 20,
 *    "gate": 90,
 *    "require": "99%",
 *    "irregular_zero": "10%",
 *    "gates": [{"tag": "checkout", "minimum": 99, "require": "99.5%"},
 *              {"rehearsal": "Help page", "minor": true}],
 *    "regression": {"score": 5, "outcome": "1%", "p95": "20%", "steps": 0, "time": "10%"}}
 *
 * Every key is optional; a key that is not known is an error (a typo must
 * not silently leave the default in place), as is a duplicate key.
 * Durations are strings with a unit ("300ms", "1s", "1.5s", "1m") or
 * numbers of milliseconds; rates are percentages in strings ("99.5%").
 */
#ifndef TW_READINESS_PROJECT_H
#define TW_READINESS_PROJECT_H

#include "readiness/score.h"
#include "techweek/error.h"
#include "techweek/readiness.h"

/*
 * Reads the project file at path into c, which must be initialised
 * (tw_readiness_config_init): the keys the file sets replace c's values,
 * and its "gates" are added to c's rules. TW_OK; TW_EIO when the file
 * cannot be read; TW_EUSAGE when it is not valid JSON or a key is unknown,
 * of the wrong type or out of range. On error c is left as it was, and err
 * names the file (err->file, with the line and column of a JSON syntax
 * error) and the key in its message ("gates[1].minimum: ...").
 */
int tw_project_load(tw_readiness_config *c, const char *path, tw_error *err);

/* As tw_project_load, for the file's text already in memory (len bytes,
 * need not be NUL-terminated); path names it in errors. The fuzzer's way
 * in. */
int tw_project_parse(tw_readiness_config *c, const char *path, const char *text, size_t len,
		     tw_error *err);

/*
 * Lists cfg's rules that apply to none of run's rehearsals
 * (tw_unmatched_rule, public: techweek/readiness.h; matched as the
 * score matches them: by name, or by a tag of the script; a broken
 * rehearsal has no tags), in rule order. Call it once the scripts are
 * added, before tw_run_execute drops other shards' rehearsals. *out is
 * malloc'd (free it; NULL when *count is 0). TW_OK or TW_ENOMEM.
 */
int tw_project_unmatched(const tw_readiness_config *cfg, const tw_run *run,
			 tw_unmatched_rule **out, size_t *count, tw_error *err);

/* Reads a duration as the project file and the command line write it:
 * "300ms", "1s", "1.5s", "2m", "1h". 0 and *ms set, or -1 (no unit, not a
 * number, not above 0, over a day). */
int tw_project_duration(const char *text, double *ms);

/* issue 13, SUITE: the file's environments (techweek/suite.h's
 * tw_project_use_environment says what using one does): their number, the
 * i-th name (NULL past the end), and putting one into effect over c and
 * vars. */
size_t tw_project_env_count(const tw_readiness_config *c);
const char *tw_project_env_name(const tw_readiness_config *c, size_t i);
int tw_project_env_use(tw_readiness_config *c, const char *name, tw_vars *vars, tw_error *err);

#endif
