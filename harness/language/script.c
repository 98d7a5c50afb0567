/*
 * tw_script: the public face of the language module (techweek/script.h).
 * Reading the file and owning the memory live here; the work is done by
 * the parser (parser.c) and the checker (check.c).
 */
#include "techweek/script.h"

#include <stdlib.h>

#include "core/fsutil.h"
#include "language/ast.h"
#include "language/lexer.h"
#include "language/parser.h"

int tw_script_load(tw_script **out, const char *path, tw_error *err)
{
	*out = NULL;
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
	return tw_parse(out, name, text, len, err);
}

void tw_script_free(tw_script *script)
{
	if (!script)
		return;
	tw_arena_free(&script->arena);
	free(script);
}

const char *tw_script_name(const tw_script *script)
{
	return script->name;
}

const char *tw_script_path(const tw_script *script)
{
	return script->path;
}

const char *tw_script_line(const tw_script *script, int line)
{
	if (!script || line < 1 || (size_t)line > script->line_count)
		return "";
	return script->lines[line - 1];
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
	}
	return "?";
}

bool tw_step_is_phone(const tw_step *st)
{
	switch (st->kind) {
	case TW_STEP_CALL:
	case TW_STEP_HEAR:
	case TW_STEP_PRESS:
	case TW_STEP_SAY:
	case TW_STEP_SILENCE:
	case TW_STEP_HANGUP:
		return true;
	case TW_STEP_EXPECT:
		return st->expect.subject == TW_SUBJ_TRANSFER ||
		       st->expect.subject == TW_SUBJ_RECORDING ||
		       st->expect.subject == TW_SUBJ_REJECTED ||
		       st->expect.subject == TW_SUBJ_HANGUP;
	default:
		return false;
	}
}

bool tw_step_is_timed(tw_step_kind kind)
{
	switch (kind) {
	case TW_STEP_VISIT:
	case TW_STEP_REQUEST:
	case TW_STEP_CLICK:
	case TW_STEP_SUBMIT:
	case TW_STEP_CALL:
	case TW_STEP_PRESS:
	case TW_STEP_SAY:
	case TW_STEP_SILENCE:
		return true;
	default:
		return false;
	}
}
