/*
 * tw_script: the public face of the language module (techweek/script.h).
 * Reading the file and owning the memory live here; the work is done by
 * the parser (parser.c) and the checker (check.c).
 */
#include "techweek/script.h"

#include <stdlib.h>
#include <string.h>

#include "core/datafile.h"
#include "core/generate.h"
#include "core/template.h"
#include "core/fsutil.h"
#include "expectations/compiled.h"
#include "language/ast.h"
#include "language/lexer.h"
#include "language/parser.h"

int tw_script_load(tw_script **out, const char *path, tw_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !path)
		return tw_error_set(err, TW_EUSAGE, "tw_script_load: %s is NULL", out ? "path" : "out");
	char *text;
	size_t len;
	int rc = tw_read_file(path, TW_SCRIPT_MAX_BYTES, &text, &len, err);
	if (rc)
		return rc;
	rc = tw_parse(out, path, text, len, err);
	free(text);
	return rc;
}

int tw_script_parse(tw_script **out, const char *name, const char *text, size_t len,
		    tw_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !name || !text)
		return tw_error_set(err, TW_EUSAGE, "tw_script_parse: %s is NULL",
				    !out ? "out" : !name ? "name" : "text");
	return tw_parse(out, name, text, len, err);
}

/* The expectations: the steps that have one. */
static tw_expect *expect_of(tw_step *st)
{
	return st->kind == TW_STEP_EXPECT || st->kind == TW_STEP_HEAR ||
			       st->kind == TW_STEP_WHEN /* issue 14, MATCH */
		       ? &st->expect
		       : NULL;
}

static int finds_generated(const tw_ref *ref, void *ctx)
{
	(void)ctx;
	return ref->kind == TW_REF_GEN;
}

int tw_script_compile(tw_script *script, tw_error *err)
{
	/* issue 13, GEN: decided once, so a performance of a rehearsal
	 * whose cast makes no generated value does no per-performance cast */
	script->cast_generated = false;
	for (size_t i = 0; i < script->cast.count && !script->cast_generated; i++) {
		tw_error e = {0};
		const char *v = script->cast.items[i].value;
		script->cast_generated =
			v && tw_template_scan(v, finds_generated, NULL, NULL, &e) == 1;
		tw_error_clear(&e);
	}
	for (size_t i = 0; i < script->scene_count; i++)
		for (size_t j = 0; j < script->scenes[i].step_count; j++) {
			tw_expect *ex = expect_of(&script->scenes[i].steps[j]);
			int rc = ex ? tw_expect_compile(ex, err) : TW_OK;
			if (rc)
				return rc;
		}
	return TW_OK;
}

void tw_script_free(tw_script *script)
{
	if (!script)
		return;
	for (size_t i = 0; i < script->scene_count; i++)
		for (size_t j = 0; j < script->scenes[i].step_count; j++) {
			tw_expect *ex = expect_of(&script->scenes[i].steps[j]);
			if (ex)
				tw_expect_code_free(ex->code);
		}
	tw_arena_free(&script->arena);
	free(script);
}

/* issue 13, DATA: the public face of core/datafile.h */
int tw_data_load(tw_data **out, const char *path, tw_error *err)
{
	if (!out || !path) {
		if (out)
			*out = NULL;
		return tw_error_set(err, TW_EUSAGE, "tw_data_load: %s is NULL", out ? "path" : "out");
	}
	int rc = tw_datafile_load(out, path, err);
	/* issue 13, F2: the message says the file is the one --data gave */
	if (rc != TW_OK && rc != TW_ENOMEM && tw_datafile_read_by(err, "--data", 0, 0) != TW_OK)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (rc != TW_OK)
		return rc;
	/* issue 13, GEN: the run's data gives every rehearsal its columns as
	 * variables: none may take a generated value's name. */
	for (size_t i = 0; i < (*out)->column_count; i++) {
		const char *why = tw_gen_reserved_why((*out)->columns[i]);
		if (!why)
			continue;
		tw_error_set(err, TW_EUSAGE,
			     "%s:1: column '%s' is reserved: %s, so no column can be called so: "
			     "rename it in the file's header (like my_%s)\n  read by --data",
			     path, (*out)->columns[i], why, (*out)->columns[i]);
		tw_datafile_free(*out);
		*out = NULL;
		return TW_EUSAGE;
	}
	return TW_OK;
}

void tw_data_free(tw_data *data)
{
	tw_datafile_free(data);
}

const char *tw_script_name(const tw_script *script)
{
	return script ? script->name : NULL;
}

const char *tw_script_path(const tw_script *script)
{
	return script ? script->path : NULL;
}

const char *tw_script_line(const tw_script *script, int line)
{
	if (!script || line < 1 || (size_t)line > script->line_count)
		return "";
	return script->lines[line - 1];
}

/* issue 13, USE: a used file's line, found by its tw_loc.file. */
const char *tw_script_line_of(const tw_script *script, const char *file, int line)
{
	if (!script || !file || file == script->path)
		return tw_script_line(script, line);
	for (size_t i = 0; i < script->use_count; i++) {
		const tw_use *u = script->uses[i];
		if (u->file == file || strcmp(u->file, file) == 0)
			return line >= 1 && (size_t)line <= u->line_count ? u->lines[line - 1] : "";
	}
	return tw_script_line(script, line);
}

const char *tw_op_str(tw_op op)
{
	switch (op) {
	case TW_OP_EQ: return "==";
	case TW_OP_NE: return "!=";
	case TW_OP_LT: return "<";
	case TW_OP_LE: return "<=";
	case TW_OP_GT: return ">";
	case TW_OP_GE: return ">=";
	case TW_OP_CONTAINS: return "contains";
	case TW_OP_MATCHES: return "~";
	case TW_OP_EXISTS: return "exists";
	case TW_OP_NOT_EXISTS: return "not exists";
	case TW_OP_STARTS_WITH: return "starts with";
	case TW_OP_ENDS_WITH: return "ends with";
	case TW_OP_IN: return "in";
	case TW_OP_IS: return "is";
	}
	return "?";
}

/* ---- step kinds: the rows of steps.def ---- */

#define TW_STEP_UNPAREN(...) __VA_ARGS__

#define TW_STEP_KIND(name, words_, ...) \
	static const char *const step_words_##name[] = {TW_STEP_UNPAREN words_};
#include "language/steps.def"
#undef TW_STEP_KIND

static const tw_step_facts step_facts[] = {
#define TW_STEP_KIND(name, words_, json_, written_, channel_, apdex_, action_, parse_, check_,  \
		     perform_)                                                                 \
	[TW_STEP_##name] = {.json = json_,                                                   \
			    .written = written_,                                             \
			    .words = step_words_##name,                                      \
			    .word_count = sizeof step_words_##name / sizeof *step_words_##name, \
			    .channel = TW_STEP_ON_##channel_,                                \
			    .apdex = TW_STEP_APDEX_##apdex_,                                 \
			    .action = action_},
#include "language/steps.def"
#undef TW_STEP_KIND
};

const tw_step_facts *tw_step_facts_of(tw_step_kind kind)
{
	static const tw_step_facts unknown = {.json = "step", .written = "step"};
	return (size_t)kind < TW_STEP_KIND_COUNT ? &step_facts[kind] : &unknown;
}

bool tw_step_kind_of_word(const char *word, tw_step_kind *kind)
{
	for (size_t k = 0; k < TW_STEP_KIND_COUNT; k++)
		for (size_t i = 0; i < step_facts[k].word_count; i++)
			if (strcmp(word, step_facts[k].words[i]) == 0) {
				*kind = (tw_step_kind)k;
				return true;
			}
	return false;
}

bool tw_step_is_phone(const tw_step *st)
{
	if (st->kind == TW_STEP_EXPECT)
		return st->expect.subject == TW_SUBJ_TRANSFER ||
		       st->expect.subject == TW_SUBJ_RECORDING ||
		       st->expect.subject == TW_SUBJ_REJECTED ||
		       st->expect.subject == TW_SUBJ_HANGUP ||
		       st->expect.subject == TW_SUBJ_REPROMPTS; /* issue 14, MATCH */
	return tw_step_facts_of(st->kind)->channel == TW_STEP_ON_IVR;
}

bool tw_step_is_timed(tw_step_kind kind)
{
	return tw_step_facts_of(kind)->apdex != TW_STEP_APDEX_NONE;
}
