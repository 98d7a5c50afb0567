/*
 * The checked form of a rehearsal script: what the parser builds and the
 * runner executes. Every node keeps its place in the script (tw_loc) so a
 * failure at run time points back at the line that asked for it.
 *
 * Ownership: everything reachable from a tw_script lives in script->arena
 * and is released by tw_script_free. Strings marked "template" may contain
 * {{...}} and are expanded per performance (core/template.h).
 */
#ifndef TW_LANGUAGE_AST_H
#define TW_LANGUAGE_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "language/steps.h"
#include "techweek/script.h"

typedef struct tw_loc {
	const char *file; /* the script's path, owned by the script */
	int line;         /* 1-based */
	int col;          /* 1-based, in bytes */
} tw_loc;

/* A NAME = VALUE pair: cast entries, headers, query/form fields, parts. */
typedef struct tw_pair {
	tw_loc loc;
	char *name;  /* header names and cast names are plain; others template */
	char *value; /* template; NULL for a cast entry given at run time */
	bool is_file; /* multipart part whose value is a file path */
	char *content_type; /* file part: `type "image/png"` (template); NULL:
			       libcurl's guess from the file name */
	char *filename;     /* file part: `as "me.png"` (template); NULL: the
			       file's base name */
} tw_pair;

typedef struct tw_pairs {
	tw_pair *items;
	size_t count;
} tw_pairs;

/* ---- expectations ---- */

typedef enum tw_subject {
	TW_SUBJ_STATUS, /* HTTP status code */
	TW_SUBJ_HEADER, /* arg = header name (case-insensitive) */
	TW_SUBJ_TEXT,   /* the page's visible text (HTML) or the body */
	TW_SUBJ_BODY,   /* the raw body */
	TW_SUBJ_XPATH,  /* arg = XPath 1.0 expression (template) */
	TW_SUBJ_JSON,   /* arg = JSONPath-style query (template) */
	TW_SUBJ_TITLE,  /* the HTML <title> text */
	TW_SUBJ_URL,    /* the final URL, after redirects */
	TW_SUBJ_COOKIE, /* arg = cookie name, in the customer's jar */
	TW_SUBJ_TIME,   /* the step's total time */
	/* ivr scenes: the call, not the last response */
	TW_SUBJ_PROMPT,    /* `hear`: a prompt heard since the last hear */
	TW_SUBJ_TRANSFER,  /* where the call was transferred (Dial, Enqueue,
			      <transfer>): "+1555...", "client:x", "queue:x",
			      "sip:..."; absent when not transferred */
	TW_SUBJ_RECORDING, /* the IVR recorded the caller ("recording") */
	TW_SUBJ_REJECTED,  /* the call was rejected: the reason */
	TW_SUBJ_HANGUP,    /* the IVR hung up ("hangup") */
	/* issue 12, capability 6 (preds) */
	TW_SUBJ_VAR,       /* arg = a variable's name: its value, as text */
	/* capability 9 (filters stream): the body as bytes */
	TW_SUBJ_BYTES,  /* the body's bytes, after decompression */
	TW_SUBJ_SHA256, /* SHA-256 of the body, lowercase hex */
	TW_SUBJ_MD5,    /* MD5 of the body, lowercase hex */
	/* issue 12, redirects: the request chain of the last step */
	TW_SUBJ_REDIRECTS, /* how many redirects were followed */
	TW_SUBJ_HOP,       /* hop N url|status: hop (1 = the request as
			      sent), hop_status */
	/* transport (issue 12, capabilities 8 and 11) */
	TW_SUBJ_SET_COOKIE,  /* arg = cookie name: the response's own
				Set-Cookie, not the jar */
	TW_SUBJ_VERSION,     /* the HTTP version answered: "1.0", "1.1", "2", "3" */
	TW_SUBJ_CERTIFICATE, /* arg = subject, issuer, expires or serial: the
				server's certificate */
	/* issue 14, MATCH */
	TW_SUBJ_REPROMPTS, /* the call's re-prompt turns so far (a number) */
} tw_subject;

typedef enum tw_op {
	TW_OP_EQ,         /* == */
	TW_OP_NE,         /* != */
	TW_OP_LT,         /* <  */
	TW_OP_LE,         /* <= */
	TW_OP_GT,         /* >  */
	TW_OP_GE,         /* >= */
	TW_OP_CONTAINS,   /* contains */
	TW_OP_MATCHES,    /* ~ /regex/ */
	TW_OP_EXISTS,     /* exists */
	TW_OP_NOT_EXISTS, /* not exists */
	/* issue 12, capability 3 (preds) */
	TW_OP_STARTS_WITH, /* starts with */
	TW_OP_ENDS_WITH,   /* ends with */
	TW_OP_IN,          /* in [1, 2, "a"]: equals one of the list's values */
	TW_OP_IS,          /* is string|integer|...: the subject's type */
} tw_op;

typedef enum tw_value_kind {
	TW_VAL_NONE,     /* exists / not exists take no value */
	TW_VAL_STRING,   /* "quoted" or bare word; template */
	TW_VAL_NUMBER,   /* 200, 8.5, -1 */
	TW_VAL_BOOL,     /* true, false */
	TW_VAL_NULL,     /* null */
	TW_VAL_DURATION, /* 800ms, 2s, 1.5s, 1m: in milliseconds in number */
	TW_VAL_REGEX,    /* /pattern/flags; pattern is a template whose
			    substituted values match literally */
	/* issue 12, capability 3 (preds) */
	TW_VAL_TEMPLATE, /* an unquoted word with {{...}}: at run time, the
			    type its expanded text reads as (a number,
			    true/false, null, else a string) */
	TW_VAL_LIST,     /* `in [...]`: items (no LIST or TYPE among them) */
	TW_VAL_TYPE,     /* `is NAME`: text is the type's name */
} tw_value_kind;

typedef struct tw_value {
	tw_value_kind kind;
	tw_loc loc;
	char *text;     /* STRING, REGEX (pattern); the source text for others */
	double number;  /* NUMBER, DURATION (ms) */
	bool boolean;   /* BOOL */
	char *flags;    /* REGEX: any of "imsx"; "" when none */
	struct tw_value *items; /* LIST */
	size_t item_count;
} tw_value;

/* Filters between a subject and its predicate (expectations/filter.c says
 * what each does), applied left to right: `json $.ids count`,
 * `header Set-Cookie nth 2 regex /sid=(\w+)/`. */
typedef enum tw_filter_kind {
	TW_FILTER_COUNT,
	TW_FILTER_NTH,            /* n: 1-based */
	TW_FILTER_FIRST,
	TW_FILTER_LAST,
	TW_FILTER_TO_INT,
	TW_FILTER_TO_FLOAT,
	TW_FILTER_SPLIT,          /* arg: the separator */
	TW_FILTER_REPLACE,        /* arg: STRING or REGEX; arg2: the replacement */
	TW_FILTER_REGEX,          /* arg: REGEX or STRING (a pattern) */
	TW_FILTER_BASE64_DECODE,
	TW_FILTER_BASE64_ENCODE,
	TW_FILTER_URL_DECODE,
	TW_FILTER_URL_ENCODE,
	TW_FILTER_HTML_UNESCAPE,
	TW_FILTER_JSONPATH,       /* arg: the query */
	TW_FILTER_URL_QUERY_PARAM, /* arg: the parameter's name */
	TW_FILTER_TO_DATE,        /* arg: a strptime format, or NONE: ISO 8601 */
	TW_FILTER_DAYS_AFTER_NOW,
	TW_FILTER_DAYS_BEFORE_NOW,
	TW_FILTER_SHA256,
	TW_FILTER_MD5,
	TW_FILTER_TO_HEX,         /* bytes or text as lowercase hex (Hurl's toHex) */
} tw_filter_kind;

typedef struct tw_filter {
	tw_filter_kind kind;
	tw_loc loc;    /* its name */
	const char *name; /* as written in scripts ("toInt"); static */
	long n;        /* NTH */
	tw_value arg;  /* the first argument: STRING (template) or REGEX; NONE */
	tw_value arg2; /* REPLACE: the replacement (template); NONE */
} tw_filter;

/* An expectation's regex, XPath and JSON query compiled once
 * (expectations/compiled.h). */
typedef struct tw_expect_code tw_expect_code;

typedef struct tw_expect {
	tw_subject subject;
	char *arg;      /* header/cookie name, XPath, JSON query; else NULL */
	tw_loc arg_loc; /* where arg is written (its opening quote if quoted) */
	bool count;     /* the last filter is `count`: the value is a number
			   of items */
	tw_filter *filters; /* in the order written; NULL when none */
	size_t filter_count;
	tw_op op;
	bool negate;    /* `not` before the predicate (other than `not exists`,
			   which is its own operator) */
	tw_value value;
	char *capture;  /* `as NAME`: the variable to set, or NULL */
	tw_expect_code *code; /* set by tw_script_compile, owned by the
				 script; NULL: compiled per evaluation */
	/* issue 12, redirects: TW_SUBJ_HOP's N and part */
	int hop;          /* 1-based: 1 is the request as sent */
	bool hop_status;  /* the hop's status; false: its URL */
	/* transport (issue 12, capability 8) */
	const char *attr; /* cookie and set-cookie: the attribute read (path,
			     domain, secure, httponly, expires, max-age,
			     samesite); NULL: the value */
	/* issue 14, MATCH */
	double fuzzy;     /* hear `fuzzy [T]`: the least similarity (0..1]
			     of the words to the best stretch of a prompt
			     (expectations/fuzzy.h); 0: matched as written */
	bool maybe;       /* `maybe hear`: passes when not heard, moving
			     nothing */
	const char *hangup_by; /* `expect hangup by ivr|end|caller` (static);
				  NULL: ivr or end, as before */
} tw_expect;

/* ---- requests ---- */

typedef enum tw_body_kind {
	TW_BODY_NONE,
	TW_BODY_JSON,      /* body: JSON text (template); sets Content-Type */
	TW_BODY_RAW,       /* body: raw text (template) */
	TW_BODY_FORM,      /* form pairs, application/x-www-form-urlencoded */
	TW_BODY_MULTIPART, /* parts, multipart/form-data */
} tw_body_kind;

typedef struct tw_request {
	char *method;    /* "GET", "POST", ... ; visit is GET */
	char *url;       /* template; relative URLs resolve against the page */
	tw_pairs headers;
	tw_pairs query;  /* appended to the URL's query string */
	tw_body_kind body_kind;
	char *body;      /* JSON and RAW */
	tw_loc body_loc; /* the `json` or `body` line's keyword */
	tw_pairs form;   /* FORM */
	tw_pairs parts;  /* MULTIPART */
	long timeout_ms; /* `timeout 5s` modifier; 0 = the run's default */
	/* Issue 12: bodies from files, basic auth. */
	char *body_file; /* JSON and RAW: `body file PATH` (template), relative
			    to the rehearsal's folder, sent as its bytes;
			    NULL: body holds the text */
	int fence_line;  /* a fenced body: the line of its first line (1-based);
			    0: the body is on the keyword's line */
	int fence_indent; /* the closing fence's indentation, taken off each line */
	char *auth;      /* `auth USER:PASS` (template); NULL: none */
	tw_loc auth_loc; /* its keyword */
	/* issue 12, redirects and polling */
	int follow;      /* `follow redirects on|off`: 1 / -1; 0: the run's
			    choice (--no-follow) */
	int retry;       /* `retry N every D`: sent again up to N more times
			    until the expectations right after it hold */
	long retry_every_ms; /* ... D apart */
	tw_loc retry_loc;    /* the `retry` line's keyword */
	/* transport (issue 12, capability 11) */
	int http_version; /* `http 1.1`: 10, 11, 20, 30; 0 = libcurl's choice */
	bool insecure;    /* `insecure`: the server's certificate unchecked */
	bool raw_body;    /* `decompress off`: the body as it came on the
			     wire, Content-Encoding not undone */
	char *cert;       /* `cert "c.pem" key "k.pem"`: the client certificate
			     and its key (templates, relative to the script's
			     folder); NULL: none */
	char *key;
	tw_loc cert_loc;  /* the `cert` line's keyword */
} tw_request;

/* ---- steps ---- */

/* `call URL [from NUMBER] [to NUMBER]` and its modifier lines. */
typedef struct tw_call_spec {
	char *url;       /* template */
	char *from;      /* template; NULL: TW_CALL_DEFAULT_FROM */
	char *to;        /* template; NULL: TW_CALL_DEFAULT_TO */
	tw_loc from_loc, to_loc; /* where the numbers are written */
	char *method;    /* `method GET`; NULL: POST, as carriers default */
	char *token;     /* `signed with VALUE`: the auth token (template,
			    usually {{secret ...}}) to sign webhooks with
			    X-Twilio-Signature; NULL: unsigned */
	tw_loc token_loc; /* the `signed` line's keyword */
} tw_call_spec;

#define TW_CALL_DEFAULT_FROM "+15550100001"
#define TW_CALL_DEFAULT_TO "+15550100000"
#define TW_SAY_DEFAULT_CONFIDENCE 0.9

typedef struct tw_step {
	tw_step_kind kind;
	tw_loc loc;       /* the step's keyword */
	char *source;     /* the step's line as written (for reports) */
	char *target;     /* template: link text, field, button, option */
	char *value;      /* template: fill text; for CHOOSE the option */
	tw_loc value_loc; /* PRESS: where the keys are written */
	long ms;          /* PAUSE */
	tw_request req;   /* VISIT and REQUEST */
	tw_expect expect; /* EXPECT, HEAR */
	tw_call_spec call; /* CALL */
	double confidence; /* SAY: 0..1 */
	long apdex_ms;     /* `apdex 300ms` modifier: this step's Apdex T;
			      0 = the scene's, the rehearsal's, then the
			      channel default (readiness/score.h) */
	/* issue 12, web (capability 13): CLICK `click "X" 2`: the 2nd link
	 * so called (0: the one); `click "X" in "Row"`: within, the words of
	 * the row, list item or section holding it (template; NULL:
	 * anywhere). CLICK and SUBMIT take header lines in req.headers. */
	long nth;
	char *within;
	tw_loc within_loc;
	/* issue 14, MATCH: WHEN `when hear ~ /re/ press $1`: expect is the
	 * hear it waits for, when_action the action (PRESS, SAY or SILENCE)
	 * with value (template; $1..$9 the regex's groups) and confidence */
	tw_step_kind when_action;
	int when_groups; /* the highest $N value uses (checked against the
			    regex's groups) */
} tw_step;

/* issue 13, USE: a `use "FILE"` statement and what it brought: the used
 * file's scenes go in the script's scenes in place (each tw_loc of theirs
 * names the used file), its cast becomes what the use binds when its first
 * scene starts. Lives in the script's arena. */
typedef struct tw_use {
	tw_loc loc;          /* the `use` keyword, in the using file */
	tw_loc path_loc;     /* the path's opening quote */
	char *path;          /* as written */
	char *file;          /* the file read (the path resolved against the
				using file's folder): the tw_loc.file of
				everything in it, compared by pointer */
	char **lines;        /* its lines, for carets */
	size_t line_count;
	tw_pairs with;       /* `with NAME = VALUE`: VALUE a template in the
				using file's variables */
	tw_pairs params;     /* the used file's cast: value NULL is a parameter
				the use must give, else a default (template) */
	const struct tw_use *parent; /* the use that read the using file; NULL:
					the rehearsal's own use */
	int ordinal;         /* 1: the file's first use in the script, 2 ...:
				its scenes are named "NAME (2)" */
	int depth;           /* 1 for a use in the rehearsal itself */
	size_t first_scene;  /* its first scene (nested uses' included) in
				script->scenes: the bindings are set when that
				scene starts */
	const char *key;     /* the file's identity (its real path, else file):
				two uses of one file, however their paths are
				written, have equal keys */
} tw_use;

typedef struct tw_scene {
	tw_loc loc;
	char *name;
	tw_loc name_loc;    /* its opening quote */
	tw_channel channel;
	tw_loc channel_loc; /* the word after `on`; col 0 when none is written */
	bool backstage;  /* checks the customer never sees */
	long apdex_ms;   /* `apdex 1s` before the scene's first step; 0 = inherit */
	tw_step *steps;
	size_t step_count;
	/* issue 13, FLOW: `repeat N` and `when [not] {{NAME}}` on the scene
	 * line (language/parse_flow.c). The parser unrolls a repeated scene
	 * into its passes, one scene each ("NAME (k of N)"), sharing nothing
	 * but the strings of their steps. */
	int repeat;         /* N (1..100); 0: not repeated */
	int pass;           /* this scene's pass, 1..repeat; 0: not repeated */
	tw_loc repeat_loc;  /* where N is written */
	char *when;         /* NAME: the scene runs only when NAME is set and
			       not empty (when_not: only when it is not); NULL:
			       it always runs */
	bool when_not;
	tw_loc when_loc;    /* where {{NAME}} is written */
	/* issue 13, USE: the use whose file holds this scene; NULL: the
	 * rehearsal's own */
	const tw_use *use;
} tw_scene;

/* issue 13, DATA: which row of a `cast from` file a performance takes. */
typedef enum tw_data_order {
	TW_DATA_NEXT,   /* performance k takes row ((k-1) mod rows) + 1 */
	TW_DATA_RANDOM, /* a row drawn from the performance's generator */
	TW_DATA_ONCE,   /* each row exactly once */
} tw_data_order;

struct tw_script {
	tw_arena arena;
	char *path;          /* as given */
	char *text;          /* the whole source, NUL-terminated */
	char **lines;        /* lines[i] is line i+1 without its newline */
	size_t line_count;

	char *name;          /* rehearsal "..."; default: file name */
	tw_loc name_loc;
	char *outcome;       /* outcome "..."; NULL when absent */
	long budget_ms;      /* budget 90s, 10 steps: 0 = none */
	long budget_steps;   /* 0 = none */
	long apdex_ms;       /* header `apdex 800ms`; 0 = the channel default */
	double require;      /* header `require 99.5%`: the outcome rate, 0 < x
				<= 1, a journey must reach; 0 = the project's */
	bool minor;          /* header `minor`: a less critical journey */
	char **tags;
	size_t tag_count;

	tw_pairs cast;       /* name = value (template) in order */
	tw_pairs headers;    /* header `header NAME: VALUE` lines: added to every
			        request and page (name and value templates) */
	tw_scene *scenes;
	size_t scene_count;
	/* issue 13, USE: every use, nested ones too, in the order read */
	tw_use **uses;
	size_t use_count;
	/* issue 13, DATA: `cast from "FILE" [next|random|once] [secret A, B]`
	 * on the cast line: each performance takes a row of FILE (relative to
	 * the script's folder), whose columns are variables. data_path NULL:
	 * no data. */
	char *data_path;
	tw_loc data_loc;            /* the file's opening quote */
	tw_data_order data_order;
	char **data_secrets;        /* columns whose values are secrets */
	tw_loc *data_secret_locs;
	size_t data_secret_count;
	/* issue 13, GEN: a cast value makes a generated value ({{seq}},
	 * {{uuid}}, ...), so each performance expands some of the cast at its
	 * first step; set by tw_script_compile (false: nothing to expand) */
	bool cast_generated;
};

/* The steps only a caller takes: call, hear, press, say, silence, hang up,
 * and the expectations about the call (transfer, recording, ...). */
bool tw_step_is_phone(const tw_step *st);

/* An operator as written in scripts ("==", "contains", "not exists"). */
const char *tw_op_str(tw_op op);

/* Compiles once what the script's expectations can have compiled before a
 * performance (and, issue 13, notes cast_generated) (their regexes, XPaths and JSON queries without templates:
 * expectations/compiled.h), for every performance and every worker
 * thread to use until tw_script_free. The run calls it when it takes the
 * script. Returns TW_OK or TW_ENOMEM. */
int tw_script_compile(tw_script *script, tw_error *err);

/* The text of a script line (1-based), for carets; "" when out of range. */
const char *tw_script_line(const tw_script *script, int line);

/* issue 13, USE: the line of the file a tw_loc names (the script's own, or
 * a used file's: file as in tw_loc.file; NULL is the script's own); ""
 * when out of range. */
const char *tw_script_line_of(const tw_script *script, const char *file, int line);

#endif
