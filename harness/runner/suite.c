/*
 * issue 13, SUITE: which rehearsals a run performs (--tag, --skip-tag,
 * --name) and in which environment (--env): the decisions, the words
 * every report uses for them, and the run's copy of them (techweek/
 * suite.h, runner/suite.h). The environments of the project file are
 * readiness/project.c's (they are the file's keys).
 */
#define _GNU_SOURCE
#include "runner/suite.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/datafile.h"
#include "language/ast.h"
#include "language/check.h" /* issue 13, F4 */
#include "runner/rows.h"
#include "runner/run.h"

#define MESSAGE_MAX ((size_t)1 << 20)

/* ---- lists of strings ---- */

static int list_push(tw_str_list *l, const char *s, size_t n)
{
	if (tw_array_grow(&l->items, &l->cap, l->count + 1, sizeof(*l->items)))
		return TW_ENOMEM;
	char *copy = strndup(s, n);
	if (!copy)
		return TW_ENOMEM;
	l->items[l->count++] = copy;
	return TW_OK;
}

static bool list_has(const tw_str_list *l, const char *s)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

static void list_free(tw_str_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int list_copy(tw_str_list *dst, const tw_str_list *src)
{
	for (size_t i = 0; i < src->count; i++)
		if (list_push(dst, src->items[i], strlen(src->items[i])))
			return TW_ENOMEM;
	return TW_OK;
}

/* Keeps seen sorted and each tag once: the message lists them so. */
static int list_insert_sorted(tw_str_list *l, const char *s)
{
	size_t at = 0;
	while (at < l->count && strcmp(l->items[at], s) < 0)
		at++;
	if (at < l->count && strcmp(l->items[at], s) == 0)
		return TW_OK;
	if (list_push(l, s, strlen(s)))
		return TW_ENOMEM;
	char *last = l->items[l->count - 1];
	memmove(l->items + at + 1, l->items + at, (l->count - 1 - at) * sizeof(*l->items));
	l->items[at] = last;
	return TW_OK;
}

/* ---- the selection ---- */

int tw_selection_new(tw_selection **out, tw_error *err)
{
	if (!out)
		return tw_error_set(err, TW_EUSAGE, "tw_selection_new: out is NULL");
	*out = calloc(1, sizeof(**out));
	return *out ? TW_OK : tw_error_set(err, TW_ENOMEM, "out of memory");
}

void tw_selection_free(tw_selection *sel)
{
	if (!sel)
		return;
	list_free(&sel->tags);
	list_free(&sel->skip_tags);
	list_free(&sel->names);
	list_free(&sel->seen);
	list_free(&sel->seen_names); /* issue 13, F4 */
	for (size_t i = 0; i < sel->left_count; i++) {
		free(sel->left[i].path);
		free(sel->left[i].name);
		free(sel->left[i].why);
		list_free(&sel->left[i].tags);
	}
	free(sel->left);
	free(sel);
}

static const char *option_of(tw_select_kind kind)
{
	return kind == TW_SELECT_TAG ? "--tag" : kind == TW_SELECT_SKIP_TAG ? "--skip-tag" : "--name";
}

int tw_selection_add(tw_selection *sel, tw_select_kind kind, const char *value, tw_error *err)
{
	if (!sel || !value)
		return tw_error_set(err, TW_EUSAGE, "tw_selection_add: %s is NULL",
				    sel ? "value" : "sel");
	if (kind == TW_SELECT_NAME) {
		if (!*value)
			return tw_error_set(err, TW_EUSAGE,
					    "--name: expected a pattern, such as 'Order*'");
		return list_push(&sel->names, value, strlen(value))
			       ? tw_error_set(err, TW_ENOMEM, "out of memory")
			       : TW_OK;
	}
	tw_str_list *l = kind == TW_SELECT_TAG ? &sel->tags : &sel->skip_tags;
	/* "smoke,api" is two tags, as two options would be; the whole value
	 * is looked at before any tag of it is taken. */
	for (int pass = 0; pass < 2; pass++) {
		for (const char *p = value;;) {
			const char *comma = strchr(p, ',');
			const char *end = comma ? comma : p + strlen(p);
			const char *a = p, *b = end;
			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			if (a == b)
				return tw_error_set(err, TW_EUSAGE,
						    "%s: '%s' has an empty tag (give tags as smoke or smoke,api)",
						    option_of(kind), value);
			if (pass == 0) {
				if (!comma)
					break;
				p = comma + 1;
				continue;
			}
			char *tag = strndup(a, (size_t)(b - a));
			if (!tag)
				return tw_error_set(err, TW_ENOMEM, "out of memory");
			int rc = list_has(l, tag) ? TW_OK : list_push(l, tag, strlen(tag));
			free(tag);
			if (rc)
				return tw_error_set(err, TW_ENOMEM, "out of memory");
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	return TW_OK;
}

bool tw_selection_active(const tw_selection *sel)
{
	return sel && (sel->tags.count || sel->skip_tags.count || sel->names.count);
}

static bool has_tag(const char *const *tags, size_t n, const char *tag)
{
	for (size_t i = 0; i < n; i++)
		if (tags[i] && strcmp(tags[i], tag) == 0)
			return true;
	return false;
}

/* "smoke", "smoke or api", "'a*' or 'b*'" */
static void put_alternatives(tw_buf *b, const tw_str_list *l, bool quoted)
{
	for (size_t i = 0; i < l->count; i++)
		tw_buf_printf(b, quoted ? "%s'%s'" : "%s%s", i ? " or " : "", l->items[i]);
}

bool tw_selection_keeps(const tw_selection *sel, const char *name, const char *const *tags,
			size_t tag_count, char *why, size_t why_size)
{
	if (why && why_size)
		why[0] = '\0';
	if (!tw_selection_active(sel))
		return true;
	tw_buf b;
	tw_buf_init(&b, 4096);
	bool keep = true;
	if (sel->tags.count) {
		bool any = false;
		for (size_t i = 0; i < sel->tags.count && !any; i++)
			any = has_tag(tags, tag_count, sel->tags.items[i]);
		if (!any) {
			keep = false;
			tw_buf_puts(&b, "without tag ");
			put_alternatives(&b, &sel->tags, false);
		}
	}
	for (size_t i = 0; keep && i < sel->skip_tags.count; i++)
		if (has_tag(tags, tag_count, sel->skip_tags.items[i])) {
			keep = false;
			tw_buf_printf(&b, "with tag %s", sel->skip_tags.items[i]);
		}
	if (keep && sel->names.count) {
		bool any = false;
		for (size_t i = 0; i < sel->names.count && !any; i++)
			any = name && fnmatch(sel->names.items[i], name, FNM_CASEFOLD) == 0;
		if (!any) {
			keep = false;
			tw_buf_puts(&b, "not matching --name ");
			put_alternatives(&b, &sel->names, true);
		}
	}
	if (!keep && why && why_size && !tw_buf_failed(&b))
		snprintf(why, why_size, "%s", tw_buf_str(&b));
	tw_buf_free(&b);
	return keep;
}

#define WHY_SIZE 1024

int tw_selection_consider(tw_selection *sel, const char *path, const tw_script *script,
			  bool *keep, tw_error *err)
{
	if (!sel || !path || !keep)
		return tw_error_set(err, TW_EUSAGE, "tw_selection_consider: an argument is NULL");
	*keep = true;
	sel->considered++;
	if (!script) {
		/* Its tags cannot be read: kept, and reported broken. */
		sel->selected++;
		return TW_OK;
	}
	for (size_t i = 0; i < script->tag_count; i++)
		if (list_insert_sorted(&sel->seen, script->tags[i]))
			return tw_error_set(err, TW_ENOMEM, "out of memory");
	char why[WHY_SIZE];
	const char *name = tw_script_name(script);
	if (name && list_insert_sorted(&sel->seen_names, name)) /* issue 13, F4 */
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (tw_selection_keeps(sel, name, (const char *const *)script->tags, script->tag_count, why,
			       sizeof(why))) {
		sel->selected++;
		return TW_OK;
	}
	*keep = false;
	if (tw_array_grow(&sel->left, &sel->left_cap, sel->left_count + 1, sizeof(*sel->left)))
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	tw_left_out l = {strdup(path), strdup(name ? name : path), strdup(why), {0}};
	sel->left[sel->left_count++] = l; /* freed with sel, whole or not */
	if (!l.path || !l.name || !l.why)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	for (size_t i = 0; i < script->tag_count; i++)
		if (list_push(&sel->left[sel->left_count - 1].tags, script->tags[i],
			      strlen(script->tags[i])))
			return tw_error_set(err, TW_ENOMEM, "out of memory");
	return TW_OK;
}

size_t tw_selection_considered(const tw_selection *sel)
{
	return sel ? sel->considered : 0;
}

size_t tw_selection_selected(const tw_selection *sel)
{
	return sel ? sel->selected : 0;
}

bool tw_selection_left_out(const tw_selection *sel, size_t i, const char **path,
			   const char **name, const char **why)
{
	if (!sel || i >= sel->left_count)
		return false;
	if (path)
		*path = sel->left[i].path;
	if (name)
		*name = sel->left[i].name;
	if (why)
		*why = sel->left[i].why;
	return true;
}

static void put_joined(tw_buf *b, const tw_str_list *l, const char *sep)
{
	for (size_t i = 0; i < l->count; i++)
		tw_buf_printf(b, "%s%s", i ? sep : "", l->items[i]);
}

char *tw_selection_describe(const tw_selection *sel)
{
	tw_buf b;
	tw_buf_init(&b, MESSAGE_MAX);
	tw_buf_puts(&b, "");
	if (sel && sel->tags.count) {
		tw_buf_puts(&b, "--tag ");
		put_joined(&b, &sel->tags, ",");
	}
	if (sel && sel->skip_tags.count) {
		tw_buf_puts(&b, b.len ? " --skip-tag " : "--skip-tag ");
		put_joined(&b, &sel->skip_tags, ",");
	}
	for (size_t i = 0; sel && i < sel->names.count; i++)
		tw_buf_printf(&b, "%s--name '%s'", b.len ? " " : "", sel->names.items[i]);
	return tw_buf_steal(&b);
}

char *tw_selection_summary(const tw_selection *sel)
{
	tw_buf b;
	tw_buf_init(&b, MESSAGE_MAX);
	size_t considered = sel ? sel->considered : 0, selected = sel ? sel->selected : 0;
	tw_buf_printf(&b, "selected %zu of %zu rehearsal%s", selected, considered,
		      considered == 1 ? "" : "s");
	/* Each reason once, counted, in the order first met. */
	bool first = true;
	for (size_t i = 0; sel && i < sel->left_count; i++) {
		bool before = false;
		for (size_t k = 0; k < i && !before; k++)
			before = strcmp(sel->left[k].why, sel->left[i].why) == 0;
		if (before)
			continue;
		size_t n = 0;
		for (size_t k = i; k < sel->left_count; k++)
			n += strcmp(sel->left[k].why, sel->left[i].why) == 0;
		tw_buf_printf(&b, "%s%zu %s", first ? ": " : ", ", n, sel->left[i].why);
		first = false;
	}
	return tw_buf_steal(&b);
}

/* issue 13, F4: how many rehearsal names "no rehearsal selected" shows */
#define NAMES_SHOWN 5

char *tw_selection_nothing(const tw_selection *sel)
{
	char *options = tw_selection_describe(sel);
	if (!options)
		return NULL;
	tw_buf b;
	tw_buf_init(&b, MESSAGE_MAX);
	tw_buf_printf(&b, "no rehearsal selected by %s (", options);
	free(options);
	/* issue 13, F4: the tags for --tag/--skip-tag, the names (a few)
	 * for --name: what the mistyped option could have said */
	bool by_tag = !sel || sel->tags.count || sel->skip_tags.count;
	if (by_tag && sel && sel->seen.count) {
		tw_buf_puts(&b, "tags in these files: ");
		put_joined(&b, &sel->seen, ", ");
	} else if (by_tag) {
		tw_buf_puts(&b, "no tags in these files");
	}
	if (sel && sel->names.count) {
		tw_buf_puts(&b, by_tag ? "; " : "");
		if (!sel->seen_names.count)
			tw_buf_puts(&b, "no rehearsal names in these files");
		else
			tw_buf_puts(&b, "rehearsals in these files: ");
		for (size_t i = 0; i < sel->seen_names.count && i < NAMES_SHOWN; i++)
			tw_buf_printf(&b, "%s'%s'", i ? ", " : "", sel->seen_names.items[i]);
		if (sel->seen_names.count > NAMES_SHOWN)
			tw_buf_puts(&b, ", ...");
	}
	tw_buf_puts(&b, ")");
	return tw_buf_steal(&b);
}

tw_selection *tw_selection_copy(const tw_selection *sel)
{
	tw_selection *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->considered = sel->considered;
	c->selected = sel->selected;
	bool ok = !list_copy(&c->tags, &sel->tags) && !list_copy(&c->skip_tags, &sel->skip_tags) &&
		  !list_copy(&c->names, &sel->names) && !list_copy(&c->seen, &sel->seen) &&
		  !list_copy(&c->seen_names, &sel->seen_names) && /* issue 13, F4 */
		  (sel->left_count == 0 ||
		   !tw_array_grow(&c->left, &c->left_cap, sel->left_count, sizeof(*c->left)));
	for (size_t i = 0; ok && i < sel->left_count; i++) {
		tw_left_out l = {strdup(sel->left[i].path), strdup(sel->left[i].name),
				 strdup(sel->left[i].why), {0}};
		c->left[c->left_count++] = l;
		ok = l.path && l.name && l.why &&
		     !list_copy(&c->left[c->left_count - 1].tags, &sel->left[i].tags);
	}
	if (!ok) {
		tw_selection_free(c);
		return NULL;
	}
	return c;
}

int tw_run_set_selection(tw_run *run, const tw_selection *sel, tw_error *err)
{
	if (!run || !sel)
		return tw_error_set(err, TW_EUSAGE, "tw_run_set_selection: %s is NULL",
				    run ? "sel" : "run");
	if (run->executed)
		return tw_error_set(err, TW_EUSAGE, "tw_run_set_selection: the run was executed");
	tw_selection *c = tw_selection_copy(sel);
	if (!c)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	tw_selection_free(run->selection);
	run->selection = c;
	return TW_OK;
}

int tw_run_set_environment(tw_run *run, const char *name, tw_error *err)
{
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "tw_run_set_environment: run is NULL");
	if (run->executed)
		return tw_error_set(err, TW_EUSAGE, "tw_run_set_environment: the run was executed");
	char *c = name ? strdup(name) : NULL;
	if (name && !c)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	free(run->environment);
	run->environment = c;
	return TW_OK;
}

/* ---- what no one gives ---- */

/* issue 13, F4: the names in the order first met; for each, its places
 * (the checker says what is missing: tw_script_missing_each) */
typedef struct missing_list {
	tw_str_list names;
	tw_buf *places;
	size_t places_cap;
} missing_list;

static int add_missing(void *ctx, const char *name, const char *file, int line, int col)
{
	missing_list *m = ctx;
	size_t at = 0;
	while (at < m->names.count && strcmp(m->names.items[at], name) != 0)
		at++;
	if (at == m->names.count) {
		if (tw_array_grow(&m->places, &m->places_cap, m->names.count + 1,
				  sizeof(*m->places)) ||
		    list_push(&m->names, name, strlen(name)))
			return TW_ENOMEM;
		tw_buf_init(&m->places[at], MESSAGE_MAX);
	}
	tw_buf_printf(&m->places[at], "%s%s:%d:%d", m->places[at].len ? ", " : "", file, line,
		      col);
	return TW_OK;
}

int tw_scripts_missing(char **message, const tw_script *const *scripts, size_t n,
		       const tw_vars *given, const tw_data *data, const char *environment,
		       tw_error *err)
{
	if (!message)
		return tw_error_set(err, TW_EUSAGE, "tw_scripts_missing: message is NULL");
	*message = NULL;
	missing_list m = {0};
	int rc = TW_OK;
	for (size_t i = 0; i < n && !rc; i++)
		if (scripts[i])
			rc = tw_script_missing_each(scripts[i], given, data, add_missing, &m);
	tw_str_list names = m.names;
	tw_buf *places = m.places;
	if (!rc && names.count) {
		tw_buf b;
		tw_buf_init(&b, MESSAGE_MAX);
		tw_buf_printf(&b, "environment '%s' does not give: ", environment ? environment : "");
		for (size_t i = 0; i < names.count; i++) {
			if (tw_buf_failed(&places[i]))
				tw_buf_fail(&b, TW_ENOMEM);
			tw_buf_printf(&b, "%s%s (%s)", i ? ", " : "", names.items[i],
				      tw_buf_str(&places[i]));
		}
		*message = tw_buf_steal(&b);
		if (!*message)
			rc = TW_ENOMEM;
	}
	for (size_t i = 0; i < names.count; i++)
		tw_buf_free(&places[i]);
	free(places);
	list_free(&names);
	return rc ? tw_error_set(err, rc, "out of memory") : TW_OK;
}

/* ---- the reports ---- */

static json_t *strings(const tw_str_list *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->count; i++)
		if (json_array_append_new(a, json_string(l->items[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *tw_suite_selection_json(const tw_run *run)
{
	const tw_selection *sel = run->selection;
	if (!tw_selection_active(sel))
		return json_null();
	json_t *left = json_array();
	for (size_t i = 0; left && i < sel->left_count; i++) {
		json_t *o = json_pack("{s:s,s:s,s:s}", "path", sel->left[i].path, "name",
				      sel->left[i].name, "why", sel->left[i].why);
		if (!o || json_array_append_new(left, o)) {
			json_decref(left);
			left = NULL;
		}
	}
	json_t *tags = strings(&sel->tags), *skip = strings(&sel->skip_tags),
	       *names = strings(&sel->names);
	if (!left || !tags || !skip || !names) {
		json_decref(left);
		json_decref(tags);
		json_decref(skip);
		json_decref(names);
		return NULL;
	}
	return json_pack("{s:o,s:o,s:o,s:I,s:I,s:o}", "tags", tags, "skip_tags", skip, "names", names,
			 "considered", (json_int_t)sel->considered, "selected",
			 (json_int_t)sel->selected, "left_out", left);
}

static int read_strings(tw_str_list *l, json_t *a)
{
	size_t i;
	json_t *v;
	if (!json_is_array(a))
		return TW_EUSAGE;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return TW_EUSAGE;
		if (list_push(l, json_string_value(v), json_string_length(v)))
			return TW_ENOMEM;
	}
	return TW_OK;
}

int tw_suite_read_json(tw_run *run, json_t *doc, const char *file, tw_error *err)
{
	json_t *env = json_object_get(doc, "environment");
	if (env && !json_is_null(env) && !json_is_string(env))
		return tw_error_set(err, TW_EUSAGE, "%s: environment: expected a string or null",
				    file);
	if (json_is_string(env) && tw_run_set_environment(run, json_string_value(env), err))
		return TW_ENOMEM;
	json_t *s = json_object_get(doc, "selection");
	if (!s || json_is_null(s))
		return TW_OK;
	tw_selection *sel = calloc(1, sizeof(*sel));
	if (!sel)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	json_t *left = json_object_get(s, "left_out");
	json_t *considered = json_object_get(s, "considered"), *selected = json_object_get(s, "selected");
	if (!json_is_object(s) || !json_is_integer(considered) || !json_is_integer(selected) ||
	    json_integer_value(considered) < 0 || json_integer_value(selected) < 0 ||
	    !json_is_array(left))
		rc = TW_EUSAGE;
	if (!rc)
		rc = read_strings(&sel->tags, json_object_get(s, "tags"));
	if (!rc)
		rc = read_strings(&sel->skip_tags, json_object_get(s, "skip_tags"));
	if (!rc)
		rc = read_strings(&sel->names, json_object_get(s, "names"));
	if (!rc) {
		sel->considered = (size_t)json_integer_value(considered);
		sel->selected = (size_t)json_integer_value(selected);
	}
	size_t i;
	json_t *o;
	json_array_foreach(left, i, o) {
		if (rc)
			break;
		const char *p = json_string_value(json_object_get(o, "path"));
		const char *n = json_string_value(json_object_get(o, "name"));
		const char *w = json_string_value(json_object_get(o, "why"));
		if (!p || !n || !w) {
			rc = TW_EUSAGE;
			break;
		}
		if (tw_array_grow(&sel->left, &sel->left_cap, sel->left_count + 1,
				  sizeof(*sel->left))) {
			rc = TW_ENOMEM;
			break;
		}
		tw_left_out l = {strdup(p), strdup(n), strdup(w), {0}};
		sel->left[sel->left_count++] = l;
		if (!l.path || !l.name || !l.why)
			rc = TW_ENOMEM;
	}
	if (rc) {
		tw_selection_free(sel);
		return rc == TW_ENOMEM ? tw_error_set(err, rc, "out of memory")
				       : tw_error_set(err, rc,
						      "%s: selection: expected {\"tags\": [...], "
						      "\"skip_tags\": [...], \"names\": [...], "
						      "\"considered\": N, \"selected\": N, "
						      "\"left_out\": [{\"path\", \"name\", \"why\"}]}",
						      file);
	}
	tw_selection_free(run->selection);
	run->selection = sel;
	return TW_OK;
}

bool tw_suite_left_out_matches(const tw_run *run, const char *name, const char *tag)
{
	const tw_selection *sel = run ? run->selection : NULL;
	for (size_t i = 0; sel && i < sel->left_count; i++)
		if ((name && strcmp(sel->left[i].name, name) == 0) ||
		    (tag && list_has(&sel->left[i].tags, tag)))
			return true;
	return false;
}

void tw_suite_summary_lines(FILE *out, const tw_run *run, bool verbose)
{
	if (run->environment)
		fprintf(out, "  environment %s\n", run->environment);
	const tw_selection *sel = run->selection;
	if (!tw_selection_active(sel))
		return;
	char *line = tw_selection_summary(sel);
	if (line)
		fprintf(out, "  %s\n", line);
	free(line);
	for (size_t i = 0; verbose && i < sel->left_count; i++)
		fprintf(out, "    - left out %s (%s): %s\n", sel->left[i].name, sel->left[i].path,
			sel->left[i].why);
}

char *tw_suite_selection_options(const tw_run *run)
{
	return tw_selection_active(run->selection) ? tw_selection_describe(run->selection) : NULL;
}

char *tw_suite_selection_line(const tw_run *run)
{
	return tw_selection_active(run->selection) ? tw_selection_summary(run->selection) : NULL;
}
