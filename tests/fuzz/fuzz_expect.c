/*
 * Expectations: the first line of the input is a step as a script writes
 * it (`expect json $.a == 1`, `hear "Welcome"`); then response header
 * lines ("HTTP/1.1 404 Not Found" sets the status, Content-Type the type)
 * up to a blank line; the rest is the body. The step is parsed and checked
 * in a web scene after a visit, or failing that in an ivr scene after a
 * call, as the runner would get it; only a step that checks is judged:
 * against the response, or, for the call's subjects (hear, transfer...),
 * against the body as the value heard (none when empty).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/redact.h"
#include "expectations/expect.h"
#include "fuzz.h"
#include "language/ast.h"
#include "language/parser.h"
#include "techweek.h"

#define PAGE_URL "http://127.0.0.1:8080/orders/1001?view=full"

static const char *const scene_of[] = {
	"scene \"s\" on web\n  visit {{stage}}/\n  ",
	"scene \"s\" on ivr\n  call {{stage}}/voice\n  ",
};

/* The step parsed and checked in a scene; NULL when it does not check. */
static tw_script *checked(fuzz_span step, const char *scene, const tw_vars *vars)
{
	char head[256];
	int h = snprintf(head, sizeof(head),
			 "rehearsal \"fuzz\"\ncast\n  stage\n  name = Ada\n\n%s", scene);
	size_t len = (size_t)h + step.n + 1;
	char *text = malloc(len);
	if (!text)
		abort();
	memcpy(text, head, (size_t)h);
	memcpy(text + h, step.p, step.n);
	text[len - 1] = '\n';
	tw_script *script = NULL;
	tw_error err = {0};
	/* issue 13, USE: a `use` would read files: refused */
	const tw_parse_opts no_files = {.refuse_use = true};
	int rc = tw_parse_with(&script, "fuzz.rehearsal", text, len, &no_files, &err);
	free(text);
	tw_error_clear(&err);
	if (rc != TW_OK)
		return NULL;
	tw_errors problems = {0};
	size_t bad = tw_script_check(script, vars, &problems);
	tw_errors_clear(&problems);
	if (bad || script->scene_count != 1 || script->scenes[0].step_count != 2) {
		tw_script_free(script);
		return NULL;
	}
	return script;
}

static void respond(tw_response *resp, fuzz_span *rest)
{
	fuzz_span line;
	resp->status = 200;
	resp->url = strdup(PAGE_URL);
	resp->method = strdup("GET");
	if (!resp->url || !resp->method)
		abort();
	while (fuzz_line(rest, &line) && line.n > 0) {
		char *h = malloc(line.n + 3);
		if (!h)
			abort();
		memcpy(h, line.p, line.n);
		memcpy(h + line.n, "\r\n", 3);
		if (strncmp(h, "HTTP/", 5) == 0) {
			const char *sp = strchr(h, ' ');
			resp->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		}
		if (strncasecmp(h, "Content-Type:", 13) == 0) {
			free(resp->content_type);
			resp->content_type = strndup(h + 13 + strspn(h + 13, " \t"),
						     strcspn(h + 13 + strspn(h + 13, " \t"), "\r"));
		}
		tw_response_header_line(resp, h, line.n + 2);
		free(h);
	}
	tw_buf_append(&resp->body, rest->p, rest->n);
	resp->timings.total_ms = 420;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_span rest = {(const char *)data, size}, step = {"", 0};
	fuzz_line(&rest, &step);
	tw_vars *vars = tw_vars_new();
	if (!vars || tw_vars_set(vars, "stage", "http://127.0.0.1:8080", false) != TW_OK ||
	    tw_vars_set(vars, "order", "1001", false) != TW_OK ||
	    tw_vars_set(vars, "name", "Ada", false) != TW_OK ||
	    tw_vars_set(vars, "password", "lovelace", true) != TW_OK)
		abort();

	/* The run masks its secrets in every quote: so does this. */
	tw_redact redact = {0};
	if (tw_redact_add(&redact, "lovelace") != TW_OK)
		abort();

	tw_script *script = NULL;
	for (size_t i = 0; !script && i < sizeof(scene_of) / sizeof(*scene_of); i++)
		script = checked(step, scene_of[i], vars);
	const tw_expect *ex = script ? &script->scenes[0].steps[1].expect : NULL;
	const tw_step_kind kind = script ? script->scenes[0].steps[1].kind : TW_STEP_PAUSE;
	if (ex && (kind == TW_STEP_EXPECT || kind == TW_STEP_HEAR)) {
		tw_expect_outcome out = {0};
		tw_response resp;
		tw_response_init(&resp, 8u << 20);
		respond(&resp, &rest);
		/* The call's subjects; those after them in the enum (bytes...)
		 * read a response. */
		if (ex->subject >= TW_SUBJ_PROMPT && ex->subject <= TW_SUBJ_HANGUP) {
			char *value = fuzz_str(rest);
			tw_expect_eval_given(ex, rest.n ? value : NULL, "it did not happen", vars,
					     &redact, &out);
			free(value);
		} else {
			tw_expect_eval(ex, &resp, vars, &redact, &out);
		}
		tw_response_free(&resp);
		tw_expect_outcome_free(&out);
	}
	tw_script_free(script);
	tw_redact_free(&redact);
	tw_vars_free(vars);
	return 0;
}
