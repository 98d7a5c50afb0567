/*
 * techweek.json, the project file: read with jansson into a
 * tw_readiness_config. The file is small and written by hand, so the rule
 * is strictness: every key must be known (with a "did you mean" for near
 * misses), every value of the right type and range, and an error names the
 * file and the key's path ("gates[1].minimum"). Nothing in c changes until
 * the whole file has been read without error.
 */
#include "readiness/project.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/generate.h" /* issue 13, F4 */
#include "core/template.h" /* issue 13, SUITE */
#include "runner/suite.h"
#include "core/fsutil.h"
#include "core/number.h"

#define PROJECT_MAX_BYTES ((size_t)1 << 20)
#define MAX_DURATION_MS 86400000.0 /* a day */

typedef struct loader {
	const char *path;
	tw_error *err;
} loader;

static int bad(const loader *l, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(const loader *l, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tw_error_set_at(l->err, TW_EUSAGE, l->path, 0, 0, NULL, "%s: %s", key, msg);
}

int tw_project_duration(const char *text, double *ms)
{
	char *end;
	double v;
	if (!tw_decimal(text, &v, &end))
		return -1;
	double scale;
	if (strcmp(end, "ms") == 0)
		scale = 1;
	else if (strcmp(end, "s") == 0)
		scale = 1000;
	else if (strcmp(end, "m") == 0)
		scale = 60000;
	else if (strcmp(end, "h") == 0)
		scale = 3600000;
	else
		return -1;
	v *= scale;
	if (!(v > 0) || v > MAX_DURATION_MS)
		return -1;
	*ms = v;
	return 0;
}

/* Edit distance, for "did you mean": keys, and the rehearsal names and
 * tags gates rules are checked against (99 past 128 bytes). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 128 || lb > 128)
		return 99;
	size_t row[129]; /* row[j]: distance from a[0..i) to b[0..j) */
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = diag + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;
			diag = row[j];
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	}
	return row[lb];
}

/* Every key of obj must be one of known (NULL-terminated). */
static int known_keys(const loader *l, json_t *obj, const char *where, const char *const *known)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			ok |= strcmp(key, known[i]) == 0;
		if (ok)
			continue;
		char path[256], list[256] = "";
		snprintf(path, sizeof(path), "%s%s%s", where, *where ? "." : "", key);
		const char *near = NULL;
		for (size_t i = 0; known[i]; i++) {
			size_t n = strlen(list);
			snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", known[i]);
			if (!near && distance(key, known[i]) <= 2)
				near = known[i];
		}
		if (near)
			return bad(l, path, "unknown key (did you mean '%s'?)", near);
		return bad(l, path, "unknown key (known: %s)", list);
	}
	return TW_OK;
}

/* A number from lo to hi. */
static int number_in(const loader *l, json_t *v, const char *key, double lo, double hi, double *out)
{
	if (!json_is_number(v))
		return bad(l, key, "must be a number from %g to %g", lo, hi);
	double x = json_number_value(v);
	if (!isfinite(x) || x < lo || x > hi)
		return bad(l, key, "must be a number from %g to %g, not %g", lo, hi, x);
	*out = x;
	return TW_OK;
}

/* "300ms", "1s", or a number of milliseconds. */
static int duration(const loader *l, json_t *v, const char *key, double *out)
{
	if (json_is_string(v)) {
		if (tw_project_duration(json_string_value(v), out) != 0)
			return bad(l, key, "'%s' is not a duration (e.g. \"300ms\" or \"1s\")",
				   json_string_value(v));
		return TW_OK;
	}
	if (json_is_number(v)) {
		double x = json_number_value(v);
		if (!(x > 0) || x > MAX_DURATION_MS)
			return bad(l, key, "must be a duration above 0 and up to a day, in ms");
		*out = x;
		return TW_OK;
	}
	return bad(l, key, "must be a duration: a string such as \"300ms\" or \"1s\", or a number of ms");
}

/* "99.5%": a percentage in quotes, above 0% (or from 0% when zero_ok: a
 * regression limit) and at most hi percent, into a share (0.995). example
 * is one that fits the key, for the error ("20%" for a growth limit). */
static int percent(const loader *l, json_t *v, const char *key, const char *example, bool zero_ok,
		   double hi, double *out)
{
	double x;
	char *end;
	if (!json_is_string(v) || !tw_decimal(json_string_value(v), &x, &end) || strcmp(end, "%") != 0)
		return bad(l, key, "must be a percentage in quotes, such as \"%s\"", example);
	if (!(zero_ok ? x >= 0 : x > 0) || x > hi)
		return bad(l, key, zero_ok ? "must be from 0%% to %g%%, not %s"
					   : "must be above 0%% and at most %g%%, not %s",
			   hi, json_string_value(v));
	*out = x / 100;
	return TW_OK;
}

static int load_weights(const loader *l, json_t *w, tw_readiness_config *c)
{
	static const char *const known[] = {"outcome", "responsiveness", "consistency", "effort", NULL};
	if (!json_is_object(w))
		return bad(l, "weights", "must be an object: {\"outcome\": 40, \"responsiveness\": 30, ...}");
	int rc = known_keys(l, w, "weights", known);
	double *slot[] = {&c->w_outcome, &c->w_responsiveness, &c->w_consistency, &c->w_effort};
	for (size_t i = 0; rc == TW_OK && known[i]; i++) {
		json_t *v = json_object_get(w, known[i]);
		char key[64];
		snprintf(key, sizeof(key), "weights.%s", known[i]);
		if (v)
			rc = number_in(l, v, key, 0, 1e6, slot[i]);
	}
	if (rc == TW_OK &&
	    !(c->w_outcome + c->w_responsiveness + c->w_consistency + c->w_effort > 0))
		return bad(l, "weights", "cannot all be 0");
	return rc;
}

static int load_apdex(const loader *l, json_t *a, tw_readiness_config *c)
{
	static const char *const known[] = {"page", "api", "ivr", NULL};
	if (!json_is_object(a))
		return bad(l, "apdex", "must be an object: {\"page\": \"1s\", \"api\": \"300ms\", \"ivr\": \"1s\"}");
	int rc = known_keys(l, a, "apdex", known);
	double *slot[] = {&c->apdex_page_ms, &c->apdex_api_ms, &c->apdex_ivr_ms};
	for (size_t i = 0; rc == TW_OK && known[i]; i++) {
		json_t *v = json_object_get(a, known[i]);
		char key[64];
		snprintf(key, sizeof(key), "apdex.%s", known[i]);
		if (v)
			rc = duration(l, v, key, slot[i]);
	}
	return rc;
}

/* A rule's name or tag: a non-empty string, or absent (NULL). */
static int rule_text(const loader *l, json_t *rule, const char *field, const char *where,
		     const char **out)
{
	json_t *v = json_object_get(rule, field);
	*out = NULL;
	if (!v)
		return TW_OK;
	char key[96];
	snprintf(key, sizeof(key), "%s.%s", where, field);
	if (!json_is_string(v) || json_string_length(v) == 0)
		return bad(l, key, "must be a non-empty string");
	*out = json_string_value(v);
	return TW_OK;
}

static int load_gates(const loader *l, json_t *g, tw_readiness_config *c)
{
	static const char *const known[] = {"rehearsal", "tag", "minimum", "require", "minor", NULL};
	if (!json_is_array(g))
		return bad(l, "gates", "must be a list: [{\"tag\": \"checkout\", \"minimum\": 99}, ...]");
	size_t i;
	json_t *rule;
	json_array_foreach(g, i, rule) {
		char where[64], key[96];
		snprintf(where, sizeof(where), "gates[%zu]", i);
		if (!json_is_object(rule))
			return bad(l, where, "must be an object: {\"tag\": \"checkout\", \"minimum\": 99}");
		int rc = known_keys(l, rule, where, known);
		if (rc != TW_OK)
			return rc;
		const char *name, *tag;
		if ((rc = rule_text(l, rule, "rehearsal", where, &name)) != TW_OK ||
		    (rc = rule_text(l, rule, "tag", where, &tag)) != TW_OK)
			return rc;
		if (!name && !tag)
			return bad(l, where, "names no \"rehearsal\" and no \"tag\": which rehearsals does it apply to?");
		if (name && tag)
			return bad(l, where, "names both a \"rehearsal\" and a \"tag\": give one rule each");
		tw_gate_rule r = {(char *)name, (char *)tag, -1, -1, false};
		json_t *v = json_object_get(rule, "minimum");
		snprintf(key, sizeof(key), "%s.minimum", where);
		if (v && (rc = number_in(l, v, key, 0, 100, &r.minimum)) != TW_OK)
			return rc;
		v = json_object_get(rule, "require");
		snprintf(key, sizeof(key), "%s.require", where);
		if (v && (rc = percent(l, v, key, "99.5%", false, 100, &r.require)) != TW_OK)
			return rc;
		v = json_object_get(rule, "minor");
		snprintf(key, sizeof(key), "%s.minor", where);
		if (v && !json_is_boolean(v))
			return bad(l, key, "must be true or false");
		r.minor = v && json_is_true(v);
		if (!json_object_get(rule, "minimum") && !json_object_get(rule, "require") && !v)
			return bad(l, where,
				   "sets no \"minimum\", \"require\" or \"minor\": what does it ask of them?");
		tw_error e = {0};
		rc = tw_readiness_config_add(c, &r, &e);
		tw_error_clear(&e);
		if (rc != TW_OK)
			return tw_error_set(l->err, rc, "out of memory");
	}
	return TW_OK;
}

/* How far a rehearsal may fall behind --baseline (readiness/baseline.h). */
static int load_regression(const loader *l, json_t *r, tw_readiness_config *c)
{
	static const char *const known[] = {"score", "outcome", "p95", "steps", "time", NULL};
	if (!json_is_object(r))
		return bad(l, "regression", "must be an object: {\"score\": 5, \"outcome\": \"1%%\", "
					    "\"p95\": \"20%%\", \"steps\": 0, \"time\": \"10%%\"}");
	int rc = known_keys(l, r, "regression", known);
	tw_regression_limits limits = c->regression;
	for (int f = 0; rc == TW_OK && f < TW_FIGURE_COUNT; f++) {
		json_t *v = json_object_get(r, tw_figure_key((tw_figure)f));
		if (!v)
			continue;
		char key[64];
		snprintf(key, sizeof(key), "regression.%s", tw_figure_key((tw_figure)f));
		double *max = &limits.max[f];
		switch ((tw_figure)f) {
		case TW_FIGURE_SCORE: rc = number_in(l, v, key, 0, 100, max); break;
		case TW_FIGURE_STEPS: rc = number_in(l, v, key, 0, 1e6, max); break;
		case TW_FIGURE_OUTCOME: rc = percent(l, v, key, "1%", true, 100, max); break;
		case TW_FIGURE_P95: rc = percent(l, v, key, "20%", true, 1e6, max); break;
		case TW_FIGURE_TIME:
		case TW_FIGURE_COUNT: rc = percent(l, v, key, "10%", true, 1e6, max); break;
		}
		limits.set[f] = true;
	}
	if (rc == TW_OK)
		c->regression = limits;
	return rc;
}

/* issue 13, SUITE */
static int load_environments(const loader *l, json_t *e, tw_readiness_config *c);

static int load(const loader *l, json_t *root, tw_readiness_config *c)
{
	static const char *const known[] = {"weights", "apdex", "cap_never", "gate", "require",
					    "irregular_zero", "gates", "regression",
					    "environments" /* issue 13, SUITE */, NULL};
	if (!json_is_object(root))
		return tw_error_set_at(l->err, TW_EUSAGE, l->path, 0, 0, NULL,
				       "the project file must hold a JSON object ({\"gate\": 90, ...})");
	int rc = known_keys(l, root, "", known);
	json_t *v;
	if (rc == TW_OK && (v = json_object_get(root, "weights")))
		rc = load_weights(l, v, c);
	if (rc == TW_OK && (v = json_object_get(root, "apdex")))
		rc = load_apdex(l, v, c);
	if (rc == TW_OK && (v = json_object_get(root, "cap_never")))
		rc = number_in(l, v, "cap_never", 0, 100, &c->cap_never);
	if (rc == TW_OK && (v = json_object_get(root, "gate"))) {
		if (json_is_null(v))
			c->gate = -1;
		else
			rc = number_in(l, v, "gate", 0, 100, &c->gate);
	}
	if (rc == TW_OK && (v = json_object_get(root, "require")))
		rc = percent(l, v, "require", "99.5%", false, 100, &c->require);
	if (rc == TW_OK && (v = json_object_get(root, "irregular_zero")))
		rc = percent(l, v, "irregular_zero", "10%", false, 100, &c->irregular_zero);
	if (rc == TW_OK && (v = json_object_get(root, "gates")))
		rc = load_gates(l, v, c);
	if (rc == TW_OK && (v = json_object_get(root, "regression")))
		rc = load_regression(l, v, c);
	if (rc == TW_OK && (v = json_object_get(root, "environments")))
		rc = load_environments(l, v, c); /* issue 13, SUITE */
	return rc;
}

int tw_project_load(tw_readiness_config *c, const char *path, tw_error *err)
{
	char *text;
	size_t len;
	int rc = tw_read_file(path, PROJECT_MAX_BYTES, &text, &len, err);
	if (rc == TW_ELIMIT)
		return tw_error_set_at(err, TW_EUSAGE, path, 0, 0, NULL,
				       "the project file is larger than %zu bytes", PROJECT_MAX_BYTES);
	if (rc != TW_OK)
		return rc;
	rc = tw_project_parse(c, path, text, len, err);
	free(text);
	return rc;
}

int tw_project_parse(tw_readiness_config *c, const char *path, const char *text, size_t len,
		     tw_error *err)
{
	int rc;
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return tw_error_set_at(err, TW_EUSAGE, path, jerr.line > 0 ? jerr.line : 0,
				       jerr.column > 0 ? jerr.column : 0, NULL,
				       "not valid JSON: %s", jerr.text);

	/* Read into a copy with no rules of its own; c changes only on success. */
	tw_readiness_config tmp = *c;
	tmp.rules = NULL;
	tmp.rule_count = 0;
	tmp.environments = NULL; /* issue 13, SUITE: the file's replace c's */
	tmp.environments_file = NULL;
	loader l = {path, err};
	rc = load(&l, root, &tmp);
	json_decref(root);
	if (rc == TW_OK && tmp.rule_count) {
		/* exactly rule_count rules: see tw_readiness_config_add */
		tw_gate_rule *rules =
			realloc(c->rules, (c->rule_count + tmp.rule_count) * sizeof(*rules));
		if (!rules) {
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
		} else {
			memcpy(rules + c->rule_count, tmp.rules, tmp.rule_count * sizeof(*rules));
			c->rules = rules;
			c->rule_count += tmp.rule_count;
			free(tmp.rules);
			tmp.rules = NULL;
			tmp.rule_count = 0;
		}
	}
	if (rc != TW_OK) {
		tw_readiness_config_free(&tmp);
		return rc;
	}
	tmp.rules = c->rules;
	tmp.rule_count = c->rule_count;
	if (!tmp.environments) { /* issue 13, SUITE */
		tmp.environments = c->environments;
		tmp.environments_file = c->environments_file;
	} else {
		json_decref(c->environments);
		free(c->environments_file);
	}
	*c = tmp;
	return TW_OK;
}

/* ---- rules against a run ---- */

/* Whether some rule of c names text as a rehearsal (by_name) or a tag. */
static bool named(const tw_readiness_config *c, bool by_name, const char *text)
{
	for (size_t i = 0; i < c->rule_count; i++) {
		const char *t = by_name ? c->rules[i].rehearsal : c->rules[i].tag;
		if (t && strcmp(t, text) == 0)
			return true;
	}
	return false;
}

/* The key's did-you-mean, but never between short words: any two 2-letter
 * tags are 2 edits apart, and "eu" is no typo for "us". */
static size_t near_by(const char *typed, const char *known)
{
	size_t d = distance(typed, known);
	return d <= 2 && 2 * d < strlen(typed) ? d : SIZE_MAX;
}

int tw_project_unmatched(const tw_readiness_config *cfg, const tw_run *run,
			 tw_unmatched_rule **out, size_t *count, tw_error *err)
{
	*out = NULL;
	*count = 0;
	tw_unmatched_rule *list = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < cfg->rule_count; i++) {
		const tw_gate_rule *rule = &cfg->rules[i];
		bool matched = false;
		for (size_t k = 0; k < run->count && !matched; k++)
			matched = tw_readiness_rule_applies(rule, &run->rehearsals[k]);
		/* issue 13, SUITE: a rule for a rehearsal --tag, --skip-tag or
		 * --name left out is for it, no typo and no surprise */
		if (matched || tw_suite_left_out_matches(run, rule->rehearsal, rule->tag))
			continue;
		bool by_name = rule->rehearsal != NULL;
		const char *typed = by_name ? rule->rehearsal : rule->tag, *near = NULL;
		size_t best = SIZE_MAX;
		for (size_t k = 0; k < run->count; k++) {
			const tw_plan *s = run->rehearsals[k].plan;
			if (!s)
				continue; /* broken: its name is only its path */
			for (size_t t = 0; t < (by_name ? 1 : s->tag_count); t++) {
				const char *known = by_name ? run->rehearsals[k].name : s->tags[t];
				size_t d = known ? near_by(typed, known) : SIZE_MAX;
				if (d < best) {
					best = d;
					near = known;
				}
			}
		}
		if (tw_array_grow(&list, &cap, n + 1, sizeof(*list))) {
			free(list);
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		}
		list[n++] = (tw_unmatched_rule){i, near, near && !named(cfg, by_name, near)};
	}
	*out = list;
	*count = n;
	return TW_OK;
}

/* ---- issue 13, SUITE: environments ---- */

/* What a value may read: the process environment, nothing else (the
 * environment stands where --var does, before any script variable). */
static int env_ref_only(const tw_ref *ref, void *ctx)
{
	/* issue 13, F4: a generated value ({{uuid}}, {{random ...}}) is
	 * refused too: the value is expanded once for the whole run, and
	 * getenv() of its text would only give a wrong cause. ctx (64 bytes)
	 * gets a refused generated reference's text, for the message. */
	if (ref->kind == TW_REF_ENV || ref->kind == TW_REF_SECRET)
		return 0;
	if (ref->kind == TW_REF_GEN)
		snprintf(ctx, 64, "%.*s", (int)ref->name_len, ref->name);
	return 1;
}

/*
 * "environments": {"NAME": {"vars": {"stage": "https://...", "token":
 * "{{secret STAGING_TOKEN}}"}, "gate": 95}, ...}: each name non-empty,
 * each environment an object of known keys, its vars strings whose only
 * references are {{env X}} and {{secret X}}, its gate a score.
 */
static int load_environments(const loader *l, json_t *e, tw_readiness_config *c)
{
	static const char *const known[] = {"vars", "gate", NULL};
	if (!json_is_object(e))
		return bad(l, "environments",
			   "must be an object: {\"staging\": {\"vars\": {\"stage\": \"https://...\"}}}");
	const char *name;
	json_t *env;
	json_object_foreach(e, name, env) {
		char where[160], key[320];
		snprintf(where, sizeof(where), "environments.%s", name);
		if (!*name)
			return bad(l, "environments", "an environment needs a name");
		if (!json_is_object(env))
			return bad(l, where, "must be an object: {\"vars\": {...}, \"gate\": 95}");
		int rc = known_keys(l, env, where, known);
		if (rc != TW_OK)
			return rc;
		json_t *g = json_object_get(env, "gate");
		double gate;
		snprintf(key, sizeof(key), "%s.gate", where);
		if (g && (rc = number_in(l, g, key, 0, 100, &gate)) != TW_OK)
			return rc;
		json_t *vars = json_object_get(env, "vars");
		snprintf(key, sizeof(key), "%s.vars", where);
		if (vars && !json_is_object(vars))
			return bad(l, key, "must be an object of NAME: \"text\"");
		const char *var;
		json_t *v;
		json_object_foreach(vars, var, v) {
			snprintf(key, sizeof(key), "%s.vars.%s", where, var);
			if (!tw_vars_valid_name(var))
				return bad(l, key, "not a variable name (letters, digits, _ . -)");
			/* issue 13, F4: {{seq}} and the like would shadow it */
			if (tw_gen_reserved(var))
				return bad(l, key, "'%s' is reserved (%s): choose another name", var,
					   tw_gen_reserved_why(var));
			if (!json_is_string(v))
				return bad(l, key, "must be text (in quotes)");
			tw_error e2 = {0};
			char generated[64] = "";
			rc = tw_template_scan(json_string_value(v), env_ref_only, generated, NULL, &e2);
			if (rc == 1 && generated[0])
				rc = bad(l, key, "only {{env NAME}} and {{secret NAME}} may stand in an "
						 "environment's value, not {{%s}}: it is read once for the "
						 "whole run; put a generated value in the rehearsal's cast",
					 generated);
			else if (rc == 1)
				rc = bad(l, key, "only {{env NAME}} and {{secret NAME}} may stand in an "
						 "environment's value");
			else if (rc != TW_OK)
				rc = bad(l, key, "%s", e2.message ? e2.message : "a malformed {{...}}");
			tw_error_clear(&e2);
			if (rc != TW_OK)
				return rc;
		}
	}
	c->environments = json_incref(e);
	c->environments_file = strdup(l->path ? l->path : TW_PROJECT_FILE);
	if (!c->environments_file)
		return tw_error_set(l->err, TW_ENOMEM, "out of memory");
	return TW_OK;
}

size_t tw_project_env_count(const tw_readiness_config *c)
{
	return c->environments ? json_object_size(c->environments) : 0;
}

const char *tw_project_env_name(const tw_readiness_config *c, size_t i)
{
	size_t k = 0;
	const char *name;
	json_t *v;
	json_object_foreach(c->environments, name, v) {
		if (k++ == i)
			return name;
	}
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "unknown environment 'stagin' (did you mean 'staging'? techweek.json
 * has: local, staging)" */
static int unknown_environment(const tw_readiness_config *c, const char *name, tw_error *err)
{
	size_t n = tw_project_env_count(c);
	const char **names = calloc(n ? n : 1, sizeof(*names));
	if (!names)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	const char *near = NULL;
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		names[i] = tw_project_env_name(c, i);
		size_t d = near_by(name, names[i]);
		if (d < best)
			best = d, near = names[i];
	}
	qsort(names, n, sizeof(*names), by_name);
	tw_buf b;
	tw_buf_init(&b, 1 << 16);
	tw_buf_printf(&b, "unknown environment '%s' (", name);
	if (near)
		tw_buf_printf(&b, "did you mean '%s'? ", near);
	tw_buf_printf(&b, "%s has: ", c->environments_file);
	for (size_t i = 0; i < n; i++)
		tw_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	tw_buf_puts(&b, ")");
	free(names);
	int rc = tw_buf_failed(&b) ? tw_error_set(err, TW_ENOMEM, "out of memory")
				   : tw_error_set(err, TW_EUSAGE, "%s", tw_buf_str(&b));
	tw_buf_free(&b);
	return rc;
}

/* The first {{env X}} or {{secret X}} whose X is not set: its name. */
typedef struct unset_ref {
	char name[256];
	bool secret;
	bool found;
} unset_ref;

static int find_unset(const tw_ref *ref, void *ctx)
{
	unset_ref *u = ctx;
	if (ref->kind == TW_REF_VAR)
		return 0;
	char name[256];
	snprintf(name, sizeof(name), "%.*s", (int)ref->name_len, ref->name);
	if (getenv(name))
		return 0;
	memcpy(u->name, name, sizeof(name));
	u->secret = ref->kind == TW_REF_SECRET;
	u->found = true;
	return 1;
}

int tw_project_env_use(tw_readiness_config *c, const char *name, tw_vars *vars, tw_error *err)
{
	if (!tw_project_env_count(c))
		return tw_error_set(err, TW_EUSAGE,
				    "--env %s: no environments: the project file (%s, or --project "
				    "FILE) has no \"environments\"; docs/readiness.md shows how to "
				    "add them",
				    name, TW_PROJECT_FILE);
	json_t *env = json_object_get(c->environments, name);
	if (!env)
		return unknown_environment(c, name, err);
	json_t *g = json_object_get(env, "gate");
	if (g)
		c->gate = json_number_value(g);
	const char *var;
	json_t *v;
	json_object_foreach(json_object_get(env, "vars"), var, v) {
		const char *text = json_string_value(v);
		unset_ref u = {0};
		tw_error e = {0};
		tw_template_scan(text, find_unset, &u, NULL, &e);
		tw_error_clear(&e);
		if (u.found)
			return tw_error_set(err, TW_EUSAGE,
					    "environment '%s': \"%s\" reads {{%s %s}}, and the "
					    "environment variable %s is not set",
					    name, var, u.secret ? "secret" : "env", u.name, u.name);
		if (tw_vars_get(vars, var, NULL))
			continue; /* --var and --vars-file win */
		tw_vars *none = tw_vars_new();
		char *out = NULL;
		bool secret = false;
		int rc = none ? tw_template_expand(text, none, TW_EXPAND_PLAIN, &out, &secret, &e)
			      : TW_ENOMEM;
		tw_vars_free(none);
		if (rc == TW_OK)
			rc = tw_vars_set(vars, var, out, secret);
		free(out);
		if (rc != TW_OK) {
			rc = e.message ? tw_error_set(err, rc, "environment '%s': \"%s\": %s", name,
						      var, e.message)
				       : tw_error_set(err, rc, "out of memory");
			tw_error_clear(&e);
			return rc;
		}
	}
	return TW_OK;
}
