/*
 * A rehearsal's plan, copied out of a checked script. See plan.h.
 */
#include "runner/plan.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/template.h"
#include "language/ast.h"
#include "techweek/error.h"

typedef struct memo_entry {
	const void *owner;
	CURLU *parsed; /* owned: a TW_MEMO_URL value parsed by libcurl, or NULL */
	size_t len;
	char *value; /* NUL-terminated, in the same block as key */
	char key[];
} memo_entry;

struct tw_step_memo {
	_Atomic(memo_entry *) entry[TW_MEMO_KINDS]; /* owned; set once */
	tw_template *url; /* owned; the request's URL, split once */
};

static void free_entry(memo_entry *e)
{
	if (e)
		curl_url_cleanup(e->parsed);
	free(e);
}

const tw_template *tw_memo_url(const tw_step_memo *memo)
{
	return memo ? memo->url : NULL;
}

const char *tw_memo_get(tw_step_memo *memo, tw_memo_kind kind, const void *key, size_t len,
			const void *owner)
{
	if (!memo)
		return NULL;
	memo_entry *e = atomic_load_explicit(&memo->entry[kind], memory_order_acquire);
	if (!e || e->owner != owner || e->len != len || memcmp(e->key, key, len) != 0)
		return NULL;
	return e->value;
}

void tw_memo_keep(tw_step_memo *memo, tw_memo_kind kind, const void *key, size_t len,
		  const void *owner, const char *value)
{
	if (!memo || atomic_load_explicit(&memo->entry[kind], memory_order_relaxed))
		return;
	size_t vlen = strlen(value);
	if (len > SIZE_MAX / 2 || vlen > SIZE_MAX / 2)
		return;
	memo_entry *e = malloc(sizeof(*e) + len + vlen + 1);
	if (!e)
		return;
	e->owner = owner;
	e->parsed = NULL;
	e->len = len;
	memcpy(e->key, key, len);
	e->value = e->key + len;
	memcpy(e->value, value, vlen + 1);
	/* The flags libcurl parses a CURLOPT_URL with (7.88, url.c). Not
	 * parsed: the URL goes as text, as before. */
	if (kind == TW_MEMO_URL && (e->parsed = curl_url()) &&
	    curl_url_set(e->parsed, CURLUPART_URL, value,
			 CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(e->parsed);
		e->parsed = NULL;
	}
	memo_entry *none = NULL;
	if (!atomic_compare_exchange_strong_explicit(&memo->entry[kind], &none, e,
						     memory_order_release, memory_order_relaxed))
		free_entry(e);
}

const CURLU *tw_memo_parsed_url(tw_step_memo *memo, const char *url)
{
	memo_entry *e = memo ? atomic_load_explicit(&memo->entry[TW_MEMO_URL], memory_order_acquire)
			     : NULL;
	return e && e->parsed && strcmp(e->value, url) == 0 ? e->parsed : NULL;
}

tw_step_memo *tw_step_memo_new(void)
{
	return calloc(1, sizeof(tw_step_memo));
}

void tw_step_memo_free(tw_step_memo *memo)
{
	if (!memo)
		return;
	for (int k = 0; k < TW_MEMO_KINDS; k++)
		free_entry(atomic_load_explicit(&memo->entry[k], memory_order_relaxed));
	tw_template_free(memo->url);
	free(memo);
}

tw_plan *tw_plan_new(const char *path, const char *name)
{
	tw_plan *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->path = tw_arena_strdup(&p->arena, path ? path : "");
	p->name = tw_arena_strdup(&p->arena, name ? name : "");
	if (!p->path || !p->name) {
		tw_plan_free(p);
		return NULL;
	}
	return p;
}

int tw_plan_set_scenes(tw_plan *plan, size_t count)
{
	plan->scenes = tw_arena_alloc(&plan->arena, (count ? count : 1) * sizeof(*plan->scenes));
	if (!plan->scenes)
		return TW_ENOMEM;
	plan->scene_count = count;
	return TW_OK;
}

int tw_plan_set_touchpoints(tw_plan *plan, size_t scene, size_t count)
{
	tw_plan_scene *sc = &plan->scenes[scene];
	sc->touchpoints = tw_arena_alloc(&plan->arena, (count ? count : 1) * sizeof(*sc->touchpoints));
	if (!sc->touchpoints)
		return TW_ENOMEM;
	sc->touchpoint_count = count;
	for (size_t j = 0; j < count; j++) {
		sc->touchpoints[j].scene = scene;
		sc->touchpoints[j].index = j;
	}
	return TW_OK;
}

/* The step's line as written, without its indentation. */
static const char *unindented(const char *s)
{
	s = s ? s : "";
	return s + strspn(s, " \t");
}

/* Step, scene, rehearsal: the first Apdex T the script gives a timed
 * step (an untimed one has only its own, which the checker refuses). */
static long script_apdex(const tw_script *s, const tw_scene *sc, const tw_step *st)
{
	if (st->apdex_ms > 0)
		return st->apdex_ms;
	if (!tw_step_is_timed(st->kind))
		return 0;
	if (sc->apdex_ms > 0)
		return sc->apdex_ms;
	return s->apdex_ms > 0 ? s->apdex_ms : 0;
}

/* issue 13, USE: the file scene i is written in: the plan's path for the
 * script's own, else a copy (shared with the scene before when it is in
 * the same file). NULL: out of memory. */
static const char *plan_file(tw_plan *p, size_t i)
{
	const tw_script *s = p->script;
	const char *file = s->scenes[i].loc.file;
	if (!file || file == s->path || strcmp(file, s->path) == 0)
		return p->path;
	if (i > 0 && s->scenes[i - 1].loc.file == file && p->scenes[i - 1].file)
		return p->scenes[i - 1].file;
	return tw_arena_strdup(&p->arena, file);
}

/* issue 13, F1: ps->used_by of the scene a use brought (see plan.h). */
static int plan_used_by(tw_plan *p, const tw_scene *sc, tw_plan_scene *ps)
{
	const char *chain = NULL;
	for (const tw_use *u = sc->use; u; u = u->parent) {
		const char *file = u->loc.file ? u->loc.file : p->path;
		chain = chain ? tw_arena_printf(&p->arena, "%s, used by %s:%d", chain, file,
						u->loc.line)
			      : tw_arena_printf(&p->arena, "%s:%d", file, u->loc.line);
		if (!chain)
			return TW_ENOMEM;
	}
	ps->used_by = chain;
	return TW_OK;
}

static int copy_scene(tw_plan *p, size_t i)
{
	const tw_script *s = p->script;
	const tw_scene *sc = &s->scenes[i];
	tw_plan_scene *ps = &p->scenes[i];
	ps->ast = sc;
	ps->name = tw_arena_strdup(&p->arena, sc->name ? sc->name : "");
	ps->file = plan_file(p, i); /* issue 13, USE */
	ps->line = sc->loc.line;
	ps->col = sc->loc.col;
	ps->channel = sc->channel;
	ps->backstage = sc->backstage;
	/* issue 13, FLOW */
	if (sc->when && !(ps->when = tw_arena_printf(&p->arena, "%s{{%s}}",
						     sc->when_not ? "not " : "", sc->when)))
		return TW_ENOMEM;
	if (plan_used_by(p, sc, ps) != TW_OK) /* issue 13, F1 */
		return TW_ENOMEM;
	if (!ps->name || !ps->file || tw_plan_set_touchpoints(p, i, sc->step_count) != TW_OK)
		return TW_ENOMEM;
	for (size_t j = 0; j < sc->step_count; j++) {
		const tw_step *st = &sc->steps[j];
		tw_touchpoint *tp = &ps->touchpoints[j];
		tp->ast = st;
		tp->kind = st->kind;
		tp->file = ps->file; /* issue 13, USE: a scene's steps share its file */
		tp->line = st->loc.line;
		tp->col = st->loc.col;
		tp->source = tw_arena_strdup(&p->arena, unindented(st->source));
		tp->apdex_ms = script_apdex(s, sc, st);
		tp->apdex = tw_step_facts_of(st->kind)->apdex;
		tp->action = tw_step_facts_of(st->kind)->action;
		/* issue 15, PLAN: the memo is malloc'd (its atomics want no
		 * arena's alignment doubts); tw_plan_free frees it */
		tp->memo = tw_step_memo_new();
		if (!tp->source || !tp->memo)
			return TW_ENOMEM;
		if (st->req.url && !(tp->memo->url = tw_template_compile(st->req.url)))
			return TW_ENOMEM;
	}
	return TW_OK;
}

int tw_plan_of_script(tw_plan **out, const tw_script *s)
{
	*out = NULL;
	tw_plan *p = tw_plan_new(s->path, s->name);
	if (!p)
		return TW_ENOMEM;
	p->script = s;
	p->outcome = tw_arena_strdup(&p->arena, s->outcome);
	p->budget_ms = s->budget_ms;
	p->budget_steps = s->budget_steps;
	p->apdex_ms = s->apdex_ms;
	p->require = s->require;
	p->minor = s->minor;
	int rc = (s->outcome && !p->outcome) ? TW_ENOMEM : TW_OK;
	char **tags = NULL;
	if (rc == TW_OK && s->tag_count) {
		tags = tw_arena_alloc(&p->arena, s->tag_count * sizeof(*tags));
		rc = tags ? TW_OK : TW_ENOMEM;
		for (size_t i = 0; rc == TW_OK && i < s->tag_count; i++)
			if (!(tags[i] = tw_arena_strdup(&p->arena, s->tags[i] ? s->tags[i] : "")))
				rc = TW_ENOMEM;
		p->tags = (const char *const *)tags;
		p->tag_count = s->tag_count;
	}
	if (rc == TW_OK)
		rc = tw_plan_set_scenes(p, s->scene_count);
	for (size_t i = 0; rc == TW_OK && i < s->scene_count; i++)
		rc = copy_scene(p, i);
	if (rc != TW_OK) {
		tw_plan_free(p);
		return rc;
	}
	*out = p;
	return TW_OK;
}

void tw_plan_free(tw_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; plan->scenes && i < plan->scene_count; i++)
		for (size_t j = 0; plan->scenes[i].touchpoints &&
				   j < plan->scenes[i].touchpoint_count;
		     j++)
			tw_step_memo_free(plan->scenes[i].touchpoints[j].memo);
	tw_arena_free(&plan->arena);
	free(plan);
}

const char *tw_touchpoint_elsewhere(const tw_plan *plan, const tw_touchpoint *tp)
{
	if (!plan || !tp || !tp->file || !*tp->file || tp->file == plan->path ||
	    (plan->path && strcmp(tp->file, plan->path) == 0))
		return NULL;
	return tp->file;
}

double tw_touchpoint_apdex_t(const tw_touchpoint *tp, double default_ms)
{
	if (tp->apdex_ms > 0)
		return (double)tp->apdex_ms;
	return tp->apdex != TW_STEP_APDEX_NONE ? default_ms : 0;
}
