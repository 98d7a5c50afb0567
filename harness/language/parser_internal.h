/*
 * What the parser's files share: parser.c reads lines and dispatches them
 * (header, cast, blocks, steps, apdex), parse_expect.c reads expectations,
 * parse_phone.c the phone steps (call, press, say), parse_modifier.c the
 * lines that attach to a request or a call. They share the parser's state,
 * its error and token helpers and the small grammars below. Not installed.
 */
#ifndef TW_LANGUAGE_PARSER_INTERNAL_H
#define TW_LANGUAGE_PARSER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strmap.h"
#include "language/ast.h"
#include "language/lexer.h"
#include "language/parser.h"

typedef enum section {
	SEC_HEADER, /* before the first block */
	SEC_CAST,
	SEC_SCENE, /* scene or backstage */
	SEC_USE,   /* issue 13, USE: right after a use: with, use or a block */
} section;

typedef struct tw_use_ctx tw_use_ctx; /* issue 13, USE: parse_use.c */

typedef struct parser {
	tw_script *s;
	tw_arena *arena;
	const char *path;
	tw_error *err;
	tw_lexer lx;
	int lineno;
	const char *line;

	section sec;
	size_t scene_cap, step_cap, cast_cap, tag_cap;
	tw_strmap cast_names; /* name -> index in s->cast, for duplicates */
	int cast_line;     /* the cast block's line; 0 before it */
	int rehearsal_line, outcome_line, budget_line, tags_line, require_line, minor_line;
	int apdex_line;       /* the header's `apdex`; 0 before it */
	int scene_apdex_line; /* the current scene's; 0 before it */
	int step_apdex_line;  /* the last step's; 0 before it */

	/* The request that modifier lines attach to. */
	bool in_request;
	size_t req_step;   /* index in the current scene's steps */
	size_t header_cap, query_cap, form_cap, part_cap;
	int body_line;     /* where the body was set; 0 when not yet */
	const char *body_what;
	int timeout_line;
	int auth_line;
	size_t script_header_cap; /* the rehearsal-wide header lines */
	size_t next_line;  /* index of the next line to read: a fenced body
			      reads past its own */
	int follow_line, retry_line; /* issue 12: redirects and polling */

	/* The call that `method` and `signed with` attach to. */
	bool in_call;
	size_t call_step;  /* index in the current scene's steps */
	int method_line, signed_line;

	/* issue 13, USE: the uses being read (shared by every file of the
	 * script), the last use that `with` lines attach to, the first use */
	tw_use_ctx *use_ctx;
	tw_use *last_use;
	size_t with_cap;
	int first_use_line;
	/* issue 14, MATCH: the hear of a `when` line ends where its action
	 * (press, say, silence) begins */
	bool hear_action;
} parser;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Errors: a TW_ESYNTAX at col of the current line, an out-of-memory. */
int tw_parse_err(parser *p, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tw_parse_oom(parser *p);
/* "duplicate 'what' (first on line N)". */
int tw_parse_already(parser *p, int col, const char *what, int first_line);

/* Tokens. */
/* A token as written, cut short for messages. */
const char *tw_parse_shown(parser *p, const tw_token *tok);
int tw_parse_next(parser *p, tw_token *tok);
int tw_parse_peek(parser *p, tw_token *tok);
bool tw_parse_is_word(const tw_token *tok, const char *w);
/* Nothing but a comment may follow. */
int tw_parse_end(parser *p, const char *after);
/* A text argument: the rest of the line, or one STRING's content. */
int tw_parse_text_arg(parser *p, char **out, int *col);
/* issue 13: a file named in double quotes after a keyword (`cast from`,
 * `use`): tok must be a STRING, not empty, without {{...}} (files are
 * read before any variable is known; why_no_template says what to do
 * instead). what names it ("the data file"), after is the keyword, example
 * shows the line. */
int tw_parse_file_name(parser *p, const tw_token *tok, const char *what, const char *after,
		       const char *example, const char *why_no_template);
/* issue 13: a comma-separated list: the rest of the line (rest, from
 * tw_lex_rest) cut into items, each passed to item with its column. what
 * names an item in messages ("tag"); between, the message for two items
 * with only blanks between them, or NULL when blanks separate items too. */
int tw_parse_list(parser *p, const tw_token *rest, const char *what, const char *between,
		  int (*item)(parser *p, const char *text, size_t len, int col, void *ctx),
		  void *ctx);

/* Small grammars. */
bool tw_parse_valid_var_name(const char *s, size_t n);
/* RFC 9110 token: what a header or cookie name may be. */
bool tw_parse_valid_token(const char *s, size_t n);
/* A token once its templates are expanded: the text around each {{...}}
 * is token characters (the expanded name is checked, or simply not found,
 * at run time). */
bool tw_parse_valid_templated_token(const char *s);
/* -?digits[.digits] */
bool tw_parse_number(const char *s, double *out);
typedef enum dur_result { DUR_OK, DUR_NOT, DUR_TOO_LONG } dur_result;
/* digits[.digits](ms|s|m), in milliseconds. */
dur_result tw_parse_duration(const char *s, double *ms);
/* A DURATION token that must be there: pause, timeout. */
int tw_parse_duration_arg(parser *p, const char *after, double *ms, int *col);

/* NAME = VALUE and Name: value (see parser.c). */
int tw_parse_pair_name(parser *p, char sep, const char *what, char **name, int *col,
		       bool *found_sep);
int tw_parse_pair_value(parser *p, char **value);
int tw_parse_missing_sep(parser *p, char sep, const char *what, const char *name);

/* The AST. */
tw_loc tw_parse_loc(parser *p, int col);
/* The scene being parsed: the last one. */
tw_scene *tw_parse_scene(parser *p);
tw_pair *tw_parse_add_pair(parser *p, tw_pairs *pairs, size_t *cap);

/* parse_expect.c: `expect SUBJECT ...` into st, and what follows the
 * subject (also for `hear`, whose subject is the caller's transcript). */
int tw_parse_expect(parser *p, const tw_token *kw, tw_step *st);
int tw_parse_expectation_rest(parser *p, tw_expect *e, const char *subject);
/* parse_filter.c: the filters after a subject and its argument, into
 * e->filters (none is fine). */
int tw_parse_filters(parser *p, tw_expect *e);

/* parse_phone.c: the rest of a call, press or say line into st. */
int tw_parse_call(parser *p, const tw_token *kw, tw_step *st);
int tw_parse_press(parser *p, const tw_token *kw, tw_step *st);
int tw_parse_say(parser *p, const tw_token *kw, tw_step *st);
/* issue 14, MATCH (parse_phone.c): `fuzzy [T]` after the words of a hear,
 * `hangup by ivr|end|caller`, and the `when hear ... ACTION` step. */
int tw_parse_fuzzy(parser *p, tw_expect *e);
int tw_parse_hangup_by(parser *p, tw_expect *e);
int tw_parse_when(parser *p, const tw_token *kw, tw_step *st);

/* parse_modifier.c: a line attached to the request (header, query, form,
 * part, json, body, timeout) or the call (method, signed with) above it. */
int tw_parse_modifier(parser *p, const tw_token *kw);
int tw_parse_call_modifier(parser *p, const tw_token *kw);

/* parse_transport.c: http, insecure and cert under a request (issue 12,
 * capability 11); tw_parse_modifier hands them over. */
bool tw_parse_transport_word(const char *w);
int tw_parse_transport_modifier(parser *p, const tw_token *kw, tw_request *req);
/* The transport subjects' words: a cookie's attribute after its name, a
 * certificate's field, and the version's value (text, in quotes). */
int tw_parse_cookie_attr(parser *p, tw_expect *e);
int tw_parse_certificate_field(parser *p, tw_expect *e);
int tw_parse_transport_value(parser *p, const tw_expect *e);

/* issue 13, FLOW (parse_flow.c): a scene line's `repeat N` or `when [not]
 * {{NAME}}` at tok into sc (*taken true; *after names it for the next
 * error), or nothing when tok is neither (*taken false). */
int tw_parse_flow_option(parser *p, const tw_token *tok, tw_scene *sc, const char **after,
			 bool *taken);
/* Once every line is read: each repeated scene becomes its passes. */
int tw_parse_unroll_repeats(parser *p);
/* issue 13, USE (parse_use.c). */
/* Parses the lines of into (into->path, lines and line_count set) into its
 * AST, in arena; parser.c's line loop, for the script and each used file. */
int tw_parse_body(tw_script *into, tw_arena *arena, tw_use_ctx *ctx, tw_error *err);
/* The context for a script's uses (in root's arena); NULL: out of memory. */
tw_use_ctx *tw_parse_use_begin(tw_script *root, const tw_parse_opts *opts);
/* Once the whole script is read: each use's first scene. */
void tw_parse_use_end(tw_use_ctx *ctx);
/* A line whose first word is kw: a use or with line, or what cannot stand
 * right after a use. *handled says the line was taken. */
int tw_parse_use_line(parser *p, const tw_token *kw, bool *handled);
/* issue 13, F1 (parse_use.c): charges n scenes and steps added by a use
 * (repeat false) or by a repeat's passes to the script-wide budget; past
 * it, a TW_ELIMIT at col of p's current line (the use or the repeat). */
int tw_parse_use_charge(parser *p, size_t n, int col, bool repeat);
/* parse_data.c (issue 13, DATA): the rest of a `cast from "FILE" ...`
 * line, the lexer standing before `from`. */
int tw_parse_cast_from(parser *p);

#endif
