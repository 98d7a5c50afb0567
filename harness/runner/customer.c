/*
 * The customer's state machine. advance() walks the script's steps in
 * order: page actions (fill, choose, tick) and expectations run at once on
 * the last response; navigations and raw HTTP start a transfer and return
 * to the loop; pause returns with a wake-up time.
 *
 * When an expectation fails, the expectations directly after it still run
 * on the same response (a report that lists every broken expectation of a
 * page saves a round trip); after any other failure, and after them, every
 * remaining step is skipped.
 *
 * A request step that gets an error status (400 or above) the script did
 * not declare fails itself, whatever lines follow it: see
 * tw_customer_status_unexpected.
 */
#include "runner/customer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "channels/web/forms.h"
#include "channels/web/html.h"
#include "core/buf.h"
#include "core/jsonread.h"
#include "core/datafile.h"
#include "core/fsutil.h"
#include "core/template.h"
#include "core/vars_internal.h" /* issue 15, LIFE */
#include "expectations/expect.h"
#include "runner/caller.h"
#include "runner/flow.h" /* issue 13, FLOW */

double tw_clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const tw_scene *cur_scene(const tw_customer *c)
{
	return &c->script->scenes[c->scene];
}

static tw_step_result *cur_result(tw_customer *c)
{
	return &c->result->scenes[c->scene].steps[c->step];
}

static void next_step(tw_customer *c)
{
	c->step++;
	while (c->scene < c->script->scene_count && c->step >= cur_scene(c)->step_count) {
		c->scene++;
		c->step = 0;
	}
}

/* The customer's clock: a caller lives the call clock (what was said,
 * pauses, timeouts sat through, webhooks), not the milliseconds techweek
 * took to play it; a pause lasts what the script says, however fast the
 * run goes; anything else takes the time it took. */
static double customer_ms(const tw_customer *c, const tw_step_result *sr)
{
	const tw_step *st = sr->step ? sr->step->ast : NULL;
	if (st && st->kind == TW_STEP_PAUSE)
		return (double)st->ms;
	if (st && tw_step_is_phone(st)) {
		double s = (c->call ? tw_call_clock(c->call) : 0) - c->step_clock_s;
		return s > 0 ? s * 1000 : 0;
	}
	return sr->elapsed_ms;
}

void tw_customer_finish_step(tw_customer *c, tw_step_result *sr, tw_status status, double now_ms)
{
	sr->status = status;
	sr->elapsed_ms = now_ms - c->step_start_ms;
	sr->customer_ms = customer_ms(c, sr);
	if (status == TW_STATUS_FAILED || status == TW_STATUS_UNREACHABLE) {
		c->stopped = true;
		c->stopped_by_check = sr->step->kind == TW_STEP_EXPECT;
	}
	if (status == TW_STATUS_LIMITED)
		c->stopped = c->limited = true;
}

void tw_customer_fail(tw_customer *c, tw_step_result *sr, tw_status status, double now_ms,
		 const char *expected, const char *actual, const char *fmt, ...)
{
	tw_buf b;
	tw_buf_init(&b, 1 << 16);
	va_list ap;
	va_start(ap, fmt);
	tw_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(sr->message);
	free(sr->expected);
	free(sr->actual);
	sr->service = false; /* issue 14, F2: tw_customer_fail_error says */
	/* A message cut short would read as the whole cause: say why instead. */
	int failed = tw_buf_failed(&b);
	const char *message = tw_buf_str(&b);
	if (failed)
		message = failed == TW_ELIMIT ? "the step's message passes 64 KiB"
					      : "out of memory";
	sr->message = tw_run_redact(c->run, message);
	sr->expected = tw_run_redact(c->run, expected);
	sr->actual = tw_run_redact(c->run, actual);
	tw_buf_free(&b);
	tw_customer_finish_step(c, sr, status, now_ms);
}

void tw_customer_fail_error(tw_customer *c, tw_step_result *sr, double now_ms, const tw_error *e)
{
	/* issue 14, F5 (review2 #2): techweek's own failure (TW_EINTERNAL: a
	 * call's sandbox backstop, engine panic, start-up, outside kill) is
	 * techweek's limit, as for what it does not support: not the
	 * service's failure, not an expectation's. */
	tw_customer_fail(c, sr,
			 e->code == TW_EUNSUPPORTED || e->code == TW_EINTERNAL ? TW_STATUS_LIMITED
									    : TW_STATUS_FAILED,
			 now_ms, NULL, NULL, "%s", e->message ? e->message : tw_code_str(e->code));
	sr->service = e->code == TW_ESERVICE; /* issue 14, F2 */
}

char *tw_customer_expand(tw_customer *c, tw_step_result *sr, const char *tpl, double now_ms)
{
	if (!tpl)
		return NULL;
	char *out = NULL;
	tw_error e = {0};
	if (tw_template_expand(tpl, c->vars, TW_EXPAND_PLAIN, &out, NULL, &e) != TW_OK) {
		tw_customer_fail_error(c, sr, now_ms, &e);
		tw_error_clear(&e);
		return NULL;
	}
	return out;
}

/* ---- issue 13, GEN: cast entries made of generated values ---- */

typedef struct per_performance {
	const tw_vars *deferred; /* the names of entries left to each performance */
	bool found;
} per_performance;

static int uses_generated(const tw_ref *ref, void *ud)
{
	per_performance *pp = ud;
	char name[256];
	if (ref->kind == TW_REF_GEN) {
		pp->found = true;
	} else if (ref->kind == TW_REF_VAR && ref->name_len < sizeof(name)) {
		memcpy(name, ref->name, ref->name_len);
		name[ref->name_len] = '\0';
		pp->found = tw_vars_get(pp->deferred, name, NULL) != NULL;
	}
	return pp->found;
}

bool tw_customer_value_deferred(const char *value, const tw_vars *deferred)
{
	per_performance pp = {deferred, false};
	tw_error e = {0};
	tw_template_scan(value, uses_generated, &pp, NULL, &e);
	tw_error_clear(&e);
	return pp.found;
}

/* The cast entries the shared cast left out, in cast order (one may use
 * the one above), each expanded once for this performance. A problem
 * fails the first step. */
static void performance_cast(tw_customer *c, double now_ms)
{
	c->cast_done = true;
	const tw_script *s = c->script;
	for (size_t i = 0; i < s->cast.count; i++) {
		const tw_pair *p = &s->cast.items[i];
		if (!p->value || tw_vars_get(c->vars, p->name, NULL))
			continue; /* shared, or given by --var */
		char *value = NULL;
		bool secret = false;
		tw_error e = {0};
		int rc = tw_template_expand(p->value, c->vars, TW_EXPAND_PLAIN, &value, &secret, &e);
		if (rc == TW_OK)
			rc = tw_vars_set(c->vars, p->name, value, secret);
		free(value);
		if (rc != TW_OK && c->scene < s->scene_count) {
			c->step_start_ms = now_ms;
			tw_customer_fail(c, cur_result(c), rc == TW_ENOMEM ? TW_STATUS_FAILED
									   : TW_STATUS_BROKEN,
					 now_ms, NULL, NULL, "cast '%s' (line %d): %s", p->name,
					 p->loc.line, e.message ? e.message : "out of memory");
			tw_error_clear(&e);
			return;
		}
		tw_error_clear(&e);
	}
}

void tw_customer_generate(tw_customer *c, uint64_t seed, uint64_t stream, uint64_t seq,
			  uint64_t customer)
{
	tw_gen_init(&c->gen, seed, stream, seq, customer);
	tw_vars_set_gen(c->vars, &c->gen);
}

int tw_customer_cast(tw_vars **out, tw_run *run, tw_rehearsal_result *result, tw_error *err)
{
	const tw_script *s = result->plan->script;
	int rc = tw_customer_cast_vars(out, run, s, NULL, 0, NULL, NULL, err);
	/* Out of memory is the run's problem, not the script's. */
	if (rc != TW_OK && rc != TW_ENOMEM)
		result->status = TW_STATUS_BROKEN;
	if (rc != TW_OK)
		return rc;
	rc = tw_customer_auth_secrets(run, s, *out);
	if (rc)
		return tw_error_set(err, rc, "out of memory");
	return TW_OK;
}

/* issue 13, F2: one function for the shared cast and a data row's */
int tw_customer_cast_vars(tw_vars **out, tw_run *run, const tw_script *s,
			  const tw_datafile *rows, size_t row, const bool *secret,
			  const char *rows_name, tw_error *err)
{
	/* --var and --vars-file win over the cast, so CI can point the same
	 * rehearsal at another stage. Nothing a cast entry may refer to
	 * (--var, earlier entries, the environment) changes during a run, so
	 * expanding it once gives every customer the same values. */
	const tw_vars *given = run->opts.vars;
	tw_vars *vars = *out = tw_vars_new_over(given);
	if (!vars)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	/* A data row's columns: under --var, over the cast's own values. */
	for (size_t c = 0; rows && rc == TW_OK && c < rows->column_count; c++)
		if (!tw_vars_get(given, rows->columns[c], NULL))
			rc = tw_vars_set(vars, rows->columns[c], tw_datafile_cell(rows, row, c),
					 secret && secret[c]);
	/* issue 13, GEN: the entries each performance expands */
	tw_vars *deferred = rc == TW_OK ? tw_vars_new() : NULL;
	if (!deferred)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	for (size_t i = 0; rc == TW_OK && i < s->cast.count; i++) {
		const tw_pair *p = &s->cast.items[i];
		if (tw_vars_get(given, p->name, NULL) ||
		    (rows && tw_datafile_column(rows, p->name) >= 0))
			continue;
		if (p->value && tw_customer_value_deferred(p->value, deferred)) {
			rc = tw_vars_set(deferred, p->name, "", false);
			continue;
		}
		if (!p->value) {
			tw_vars_free(deferred);
			if (rows)
				return tw_error_set_at(err, TW_ECHECK, s->path, p->loc.line, p->loc.col,
						       tw_script_line(s, p->loc.line),
						       "'%s' is given at run time, but no value was "
						       "given: use --var %s=VALUE or a column of %s",
						       p->name, p->name, rows_name ? rows_name : "the data");
			return tw_error_set_at(err, TW_ECHECK, s->path, p->loc.line, p->loc.col,
					       tw_script_line(s, p->loc.line),
					       "'%s' is given at run time, but no value was given: use --var %s=VALUE",
					       p->name, p->name);
		}
		char *value = NULL;
		bool is_secret = false;
		tw_error e = {0};
		rc = tw_template_expand(p->value, vars, TW_EXPAND_PLAIN, &value, &is_secret, &e);
		if (rc) {
			rc = tw_error_set_at(err, rc, s->path, p->loc.line, p->loc.col,
					     tw_script_line(s, p->loc.line), "%s",
					     e.message ? e.message : "");
			tw_error_clear(&e);
			tw_vars_free(deferred);
			return rc;
		}
		rc = tw_vars_set(vars, p->name, value, is_secret);
		free(value);
	}
	tw_vars_free(deferred);
	return rc ? tw_error_set(err, rc, "out of memory") : TW_OK;
}

/* issue 13, DATA: apart from tw_customer_cast, so that each data row's
 * passwords are registered too (runner/rows.c). */
int tw_customer_auth_secrets(tw_run *run, const tw_script *s, const tw_vars *vars)
{
	int rc = TW_OK;
	/* An `auth` password given by a variable is a secret: registered
	 * now, before any request, as {{secret}} values are. One written in
	 * the script is no secret; one shorter than 4 bytes would mask those
	 * letters everywhere; one made of a capture is known only mid-run,
	 * too late to register (docs/language.md says so). */
	for (size_t i = 0; rc == TW_OK && i < s->scene_count; i++)
		for (size_t j = 0; rc == TW_OK && j < s->scenes[i].step_count; j++) {
			const char *auth = s->scenes[i].steps[j].req.auth;
			const char *written = auth ? strchr(auth, ':') : NULL;
			char *cred = NULL;
			tw_error e = {0};
			if (auth && (!written || strstr(written, "{{")) &&
			    tw_template_expand(auth, vars, TW_EXPAND_PLAIN, &cred, NULL,
					       &e) == TW_OK) {
				const char *colon = strchr(cred, ':');
				if (colon) /* issue 13, F2: the one rule for given secrets */
					rc = tw_redact_add_given(&run->redact, colon + 1,
								 strlen(colon + 1));
			}
			free(cred);
			tw_error_clear(&e);
		}
	return rc;
}

/* issue 15, LIFE: what a customer's slot keeps from one performance to
 * the next is what a browser keeps when one person leaves it and the next
 * sits down on a fresh profile: the handle and its connections (the multi
 * pools them anyway), the jar's memory emptied, the buffers. Everything a
 * customer learned (cookies, captures, pages, headers, credentials) goes
 * with tw_customer_end. */
int tw_customer_init(tw_customer *c, tw_run *run, tw_rehearsal_result *result,
		     const tw_vars *cast, tw_error *err)
{
	/* All-zero or ended: every field but those kept is zero already. */
	c->run = run;
	c->result = result;
	c->script = result->plan->script;
	/* issue 13, GEN: nothing to expand per performance (tw_script_compile) */
	c->cast_done = !c->script->cast_generated;
	if (!c->reused)
		tw_response_init(&c->resp, run->opts.max_body);
	c->reused = true;
	const tw_script *s = c->script;

	if (!c->jar)
		c->jar = tw_transfer_jar_new();
	c->vars = c->vars ? tw_vars_reuse(c->vars, cast) : tw_vars_new_over(cast);
	c->xfer.certs = run->certs;
	c->xfer.common = &run->common; /* issue 15 */
	c->performance = (unsigned long long)(tw_clock_ms() * 1000.0);
	/* The runner lays result out for its plan (tw_rehearsal_result_reuse). */
	if (!result->scenes || !c->vars || !c->jar)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (run->opts.cookies) {
		int rc = tw_transfer_jar_load(c->jar, run->opts.cookies, err);
		if (rc)
			return rc;
	}
	c->state = s->scene_count ? TW_CUSTOMER_READY : TW_CUSTOMER_DONE;
	/* Skip leading empty scenes (the checker reports them, but be safe). */
	c->step = 0;
	while (c->scene < s->scene_count && cur_scene(c)->step_count == 0)
		c->scene++;
	if (c->scene >= s->scene_count)
		c->state = TW_CUSTOMER_DONE;
	return TW_OK;
}

/* Empties the jar for the slot's next customer. Its cookies are cleared
 * through the customer's handle, attached for the moment only (a kept
 * handle is detached from its jar between transfers); without a handle
 * the jar is let go and the next customer makes a new one. */
static void empty_jar(tw_customer *c)
{
	if (!c->jar)
		return;
	CURL *easy = c->xfer.easy;
	if (easy && curl_easy_setopt(easy, CURLOPT_SHARE, c->jar) == CURLE_OK &&
	    curl_easy_setopt(easy, CURLOPT_COOKIELIST, "ALL") == CURLE_OK &&
	    curl_easy_setopt(easy, CURLOPT_SHARE, NULL) == CURLE_OK)
		return;
	if (easy)
		curl_easy_setopt(easy, CURLOPT_SHARE, NULL);
	curl_share_cleanup(c->jar);
	c->jar = NULL;
}

void tw_customer_end(tw_customer *c)
{
	tw_caller_offload_free(c); /* issue 14, F1: before the call it uses */
	free(c->authorization);
	free(c->auth_origin);
	tw_http_request_free(&c->sent);
	tw_call_free(c->call);
	tw_transfer_cleanup(&c->xfer);
	if (c->reused)
		tw_response_reset(&c->resp);
	if (c->webhook_stashed) /* issue 14, AUDIO */
		tw_response_free(&c->webhook_resp);
	empty_jar(c);
	if (c->vars)
		tw_vars_reuse(c->vars, NULL);
	tw_vars_free(c->use_defaults); /* issue 13, F1 */
	free(c->handler_note); /* issue 14, MATCH */
	tw_transfer xfer = c->xfer;
	CURLSH *jar = c->jar;
	tw_vars *vars = c->vars;
	tw_response resp = c->resp;
	bool reused = c->reused;
	memset(c, 0, sizeof(*c));
	c->xfer = xfer;
	c->jar = jar;
	c->vars = vars;
	c->resp = resp;
	c->reused = reused;
}

/* An absolute URL for a step: relative ones resolve against the page. */
static char *step_url(tw_customer *c, tw_step_result *sr, const char *tpl, double now_ms)
{
	/* issue 15, PLAN: the plan split the step's URL once */
	const tw_template *split = sr->step ? tw_memo_url(sr->step->memo) : NULL;
	char *url = NULL;
	if (split && strcmp(tw_template_text(split), tpl) == 0) {
		tw_error e = {0};
		if (tw_template_expand_compiled(split, c->vars, TW_EXPAND_PLAIN, &url, NULL, &e) !=
		    TW_OK)
			tw_customer_fail_error(c, sr, now_ms, &e);
		tw_error_clear(&e);
	} else {
		url = tw_customer_expand(c, sr, tpl, now_ms);
	}
	if (!url)
		return NULL;
	bool absolute = strstr(url, "://") != NULL;
	if (!absolute && (!c->have_response || !c->resp.url)) {
		tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
		     "relative URL '%s' before any page was visited: start with a full URL such as {{stage}}/",
		     url);
		free(url);
		return NULL;
	}
	/* issue 15, PLAN: an absolute URL resolves the same every time, so a
	 * step resolves the URL its performances keep sending once */
	tw_step_memo *memo = absolute && sr->step ? sr->step->memo : NULL;
	const char *known = tw_memo_get(memo, TW_MEMO_URL, url, strlen(url), NULL);
	if (known) {
		char *copy = strdup(known);
		if (!copy)
			tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		free(url);
		return copy;
	}
	char *abs = NULL;
	tw_error e = {0};
	const char *base = absolute ? NULL : c->resp.url;
	char *page_base = NULL;
	if (!absolute && tw_response_is_html(&c->resp) && tw_response_doc(&c->resp))
		base = page_base = tw_html_base_url(tw_response_doc(&c->resp), c->resp.url);
	/* Absolute URLs too: a template value may bring a space (encoded) or a
	 * character no URL can hold, which is the script's problem, not an
	 * unreachable service. */
	int rc = tw_url_resolve(base, url, &abs, &e);
	if (rc == TW_OK)
		tw_memo_keep(memo, TW_MEMO_URL, url, strlen(url), NULL, abs);
	if (rc == TW_ENOMEM)
		tw_customer_fail_error(c, sr, now_ms, &e);
	else if (rc)
		tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL, "%s",
				 e.message ? e.message : "invalid URL");
	tw_error_clear(&e);
	free(page_base);
	free(url);
	return abs;
}

static int append_query(tw_customer *c, tw_step_result *sr, char **url, const tw_pairs *q,
			double now_ms)
{
	if (q->count == 0)
		return TW_OK;
	CURLU *h = curl_url();
	if (!h || curl_url_set(h, CURLUPART_URL, *url, 0) != CURLUE_OK) {
		curl_url_cleanup(h);
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "invalid URL '%s'", *url);
		return TW_EUSAGE;
	}
	int rc = TW_OK;
	for (size_t i = 0; rc == TW_OK && i < q->count; i++) {
		char *name = tw_customer_expand(c, sr, q->items[i].name, now_ms);
		char *value = name ? tw_customer_expand(c, sr, q->items[i].value, now_ms) : NULL;
		if (!name || !value) {
			rc = TW_ECHECK;
		} else {
			size_t n = strlen(name) + strlen(value) + 2;
			char *kv = malloc(n);
			if (!kv)
				rc = TW_ENOMEM;
			else {
				snprintf(kv, n, "%s=%s", name, value);
				curl_url_set(h, CURLUPART_QUERY, kv, CURLU_APPENDQUERY | CURLU_URLENCODE);
				free(kv);
			}
		}
		free(name);
		free(value);
	}
	char *out = NULL;
	if (rc == TW_OK && curl_url_get(h, CURLUPART_URL, &out, 0) == CURLUE_OK) {
		free(*url);
		*url = strdup(out);
		curl_free(out);
	}
	curl_url_cleanup(h);
	return rc;
}

/* application/x-www-form-urlencoded, as browsers write it ('+' for space). */
static int form_encode(tw_buf *b, const char *name, const char *value)
{
	const char *parts[2] = {name, value};
	if (b->len)
		tw_buf_puts(b, "&");
	for (int i = 0; i < 2; i++) {
		if (i)
			tw_buf_puts(b, "=");
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '*' || *p == '-' || *p == '.' ||
			    *p == '_')
				tw_buf_append(b, p, 1);
			else if (*p == ' ')
				tw_buf_puts(b, "+");
			else
				tw_buf_printf(b, "%%%02X", *p);
		}
	}
	return tw_buf_failed(b);
}

/* path as the script names it: relative to the rehearsal's folder.
 * Malloc'd; NULL when out of memory. */
static char *script_relative(const tw_customer *c, const char *path)
{
	/* issue 13, USE: a used scene's paths are relative to its own file */
	const char *base = c->scene < c->script->scene_count && cur_scene(c)->loc.file
				   ? cur_scene(c)->loc.file
				   : c->script->path;
	return tw_path_beside(base, path); /* issue 13, F2: the one rule */
}

/* A header whose name may come from a template: the name must still be
 * one (RFC 9110 token), or the script cannot be sent as written. */
static int add_header_pair(tw_customer *c, tw_step_result *sr, tw_http_request *req,
			   const tw_pair *pr, bool unless_set, double now_ms)
{
	char *n = tw_customer_expand(c, sr, pr->name, now_ms);
	char *v = n ? tw_customer_expand(c, sr, pr->value, now_ms) : NULL;
	int rc = TW_OK;
	if (!n || !v) {
		rc = TW_ECHECK;
	} else if (!tw_http_token(n, strlen(n))) {
		tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
				 "invalid header name '%s' (from '%s', line %d): expected letters, "
				 "digits and !#$%%&'*+-.^_`|~",
				 n, pr->name, pr->loc.line);
		rc = TW_ECHECK;
	} else if (!unless_set || !tw_http_request_has_header(req, n)) {
		rc = tw_http_request_add_header(req, n, v);
	}
	free(n);
	free(v);
	return rc;
}

/* What every request and page carries beside its own headers: the
 * rehearsal's `header` lines, then --header and --user-agent. The step's
 * own header wins over the rehearsal's, which wins over the run's. */
static int add_run_headers(tw_customer *c, tw_step_result *sr, tw_http_request *req,
			   double now_ms)
{
	int rc = TW_OK;
	const tw_pairs *h = &c->script->headers;
	for (size_t i = 0; rc == TW_OK && i < h->count; i++)
		rc = add_header_pair(c, sr, req, &h->items[i], true, now_ms);
	const tw_run_options *o = &c->run->opts;
	for (size_t i = 0; rc == TW_OK && i < o->header_count; i++) {
		/* "Name: value", checked by whoever set the options */
		const char *line = o->headers[i], *colon = strchr(line, ':');
		if (!colon)
			continue;
		char *name = strndup(line, (size_t)(colon - line));
		if (!name)
			return TW_ENOMEM;
		if (!tw_http_request_has_header(req, name))
			rc = tw_http_request_add_header(req, name, colon + 1 + strspn(colon + 1, " \t"));
		free(name);
	}
	return rc;
}

/* `auth USER:PASS`: basic authentication, as a header a step's own
 * Authorization replaces. */
static int add_basic_auth(tw_customer *c, tw_step_result *sr, tw_http_request *req,
			  const tw_request *r, double now_ms)
{
	if (!r->auth || tw_http_request_has_header(req, "Authorization"))
		return TW_OK;
	char *cred = tw_customer_expand(c, sr, r->auth, now_ms);
	if (!cred)
		return TW_ECHECK;
	if (!strchr(cred, ':')) {
		free(cred);
		tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
				 "auth (line %d): expected USER:PASS, the value has no ':'",
				 r->auth_loc.line);
		return TW_ECHECK;
	}
	size_t n = strlen(cred);
	char *b64 = malloc(4 * ((n + 2) / 3) + 1 + 6);
	int rc = TW_ENOMEM;
	if (b64) {
		memcpy(b64, "Basic ", 6);
		EVP_EncodeBlock((unsigned char *)b64 + 6, (const unsigned char *)cred, (int)n);
		rc = tw_http_request_add_header(req, "Authorization", b64);
	}
	free(b64);
	free(cred);
	return rc;
}

/* The request's transport lines (issue 12, capability 11). */
static int transport_options(tw_customer *c, tw_step_result *sr, const tw_request *r,
			     tw_http_request *req, double now_ms)
{
	req->http_version = r->http_version;
	req->insecure = r->insecure;
	req->raw_body = r->raw_body;
	if (!r->cert)
		return TW_OK;
	char *cert = tw_customer_expand(c, sr, r->cert, now_ms);
	char *key = cert ? tw_customer_expand(c, sr, r->key, now_ms) : NULL;
	if (cert && key) {
		req->cert = script_relative(c, cert);
		req->key = req->cert ? script_relative(c, key) : NULL;
	}
	int rc = !cert || !key ? TW_ECHECK : req->cert && req->key ? TW_OK : TW_ENOMEM;
	free(cert);
	free(key);
	return rc;
}

/* Builds the request of a visit or raw HTTP step. */
static int build_request(tw_customer *c, tw_step_result *sr, const tw_step *st,
			 tw_http_request *req, double now_ms)
{
	const tw_request *r = &st->req;
	char *url = step_url(c, sr, r->url, now_ms);
	if (!url)
		return TW_ECHECK;
	int rc = append_query(c, sr, &url, &r->query, now_ms);
	if (rc == TW_OK)
		rc = tw_http_request_set(req, r->method, url);
	free(url);
	if (rc)
		return rc;
	req->parsed_url = tw_memo_parsed_url(sr->step ? sr->step->memo : NULL, req->url); /* issue 15 */
	req->navigation = st->kind == TW_STEP_VISIT;
	req->timeout_ms = r->timeout_ms;
	req->follow = r->follow;
	if ((rc = transport_options(c, sr, r, req, now_ms)))
		return rc;
	for (size_t i = 0; rc == TW_OK && i < r->headers.count; i++)
		rc = add_header_pair(c, sr, req, &r->headers.items[i], false, now_ms);
	if (rc == TW_OK)
		rc = add_basic_auth(c, sr, req, r, now_ms);
	if (rc == TW_OK)
		rc = add_run_headers(c, sr, req, now_ms);
	if (rc)
		return rc;
	switch (r->body_kind) {
	case TW_BODY_NONE:
		break;
	case TW_BODY_JSON:
	case TW_BODY_RAW: {
		char *body = NULL;
		size_t len = 0;
		tw_error e = {0};
		if (r->body_file) {
			/* A file goes as its bytes: no templates in it. */
			char *path = tw_customer_expand(c, sr, r->body_file, now_ms);
			char *full = path ? script_relative(c, path) : NULL;
			if (!full) {
				free(path);
				return path ? TW_ENOMEM : TW_ECHECK;
			}
			rc = tw_read_file(full, c->run->opts.max_body, &body, &len, &e);
			if (rc == TW_ENOMEM) {
				free(path);
				free(full);
				tw_error_clear(&e);
				return rc;
			}
			if (rc)
				tw_customer_fail(c, sr, rc == TW_ELIMIT ? TW_STATUS_LIMITED
									: TW_STATUS_BROKEN,
						 now_ms, NULL, NULL,
						 "cannot send the %s file '%s' (line %d): %s",
						 r->body_kind == TW_BODY_JSON ? "json" : "body",
						 path, r->body_loc.line,
						 e.message ? e.message : "unreadable");
			free(path);
			free(full);
			tw_error_clear(&e);
			if (rc)
				return TW_ECHECK;
		} else if (tw_template_expand(r->body, c->vars,
					      r->body_kind == TW_BODY_JSON ? TW_EXPAND_JSON
									   : TW_EXPAND_PLAIN,
					      &body, NULL, &e) != TW_OK) {
			/* Values in JSON are escaped for it: a quote in a name
			 * must not make the body invalid JSON. */
			tw_customer_fail_error(c, sr, now_ms, &e);
			tw_error_clear(&e);
			return TW_ECHECK;
		} else {
			len = strlen(body);
			/* The parser checks JSON without templates; with them, the
			 * text around the values can still be broken, and would
			 * go out silently. */
			json_error_t je;
			json_t *j = r->body_kind == TW_BODY_JSON
					    ? tw_json_parse(body, len, JSON_DECODE_ANY, &je)
					    : NULL;
			if (r->body_kind == TW_BODY_JSON && !j) {
				free(body);
				tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
						 "the json body (line %d) is not valid JSON once its "
						 "templates are expanded: %s (line %d, column %d of "
						 "the body)",
						 r->body_loc.line, je.text, je.line, je.column);
				return TW_ECHECK;
			}
			json_decref(j);
		}
		rc = tw_http_request_set_body(req, body, len);
		free(body);
		/* A raw body goes as written: no Content-Type unless the script
		 * gives one (libcurl would say it is a form). */
		if (rc == TW_OK && !tw_http_request_has_header(req, "Content-Type"))
			rc = r->body_kind == TW_BODY_JSON
				     ? tw_http_request_add_header(req, "Content-Type", "application/json")
				     : tw_http_request_drop_header(req, "Content-Type");
		break;
	}
	case TW_BODY_FORM: {
		tw_buf b;
		tw_buf_init(&b, c->run->opts.max_body);
		for (size_t i = 0; rc == TW_OK && i < r->form.count; i++) {
			char *n = tw_customer_expand(c, sr, r->form.items[i].name, now_ms);
			char *v = n ? tw_customer_expand(c, sr, r->form.items[i].value, now_ms) : NULL;
			rc = n && v ? form_encode(&b, n, v) : TW_ECHECK;
			free(n);
			free(v);
		}
		if (rc == TW_OK)
			rc = tw_http_request_set_body(req, tw_buf_str(&b), b.len);
		else if (rc == TW_ELIMIT)
			/* The run's own cap, not the service's fault: limited,
			 * like anything else techweek cannot send. */
			tw_customer_fail(c, sr, TW_STATUS_LIMITED, now_ms, NULL, NULL,
					 "techweek cannot send this form: its body is larger "
					 "than the %zu-byte limit (--max-body)", b.max);
		tw_buf_free(&b);
		if (rc == TW_OK && !tw_http_request_has_header(req, "Content-Type"))
			rc = tw_http_request_add_header(req, "Content-Type",
							"application/x-www-form-urlencoded");
		break;
	}
	case TW_BODY_MULTIPART:
		for (size_t i = 0; rc == TW_OK && i < r->parts.count; i++) {
			const tw_pair *p = &r->parts.items[i];
			char *n = tw_customer_expand(c, sr, p->name, now_ms);
			char *v = n ? tw_customer_expand(c, sr, p->value, now_ms) : NULL;
			/* `type` and `as`: NULL when not written */
			char *type = NULL, *as = NULL;
			bool ok = n && v;
			if (ok && p->content_type)
				ok = (type = tw_customer_expand(c, sr, p->content_type, now_ms));
			if (ok && p->filename)
				ok = (as = tw_customer_expand(c, sr, p->filename, now_ms));
			if (ok && p->is_file) {
				/* Files are named relative to the script. */
				char *full = script_relative(c, v);
				free(v);
				v = full;
				ok = v != NULL;
			}
			if (ok) {
				const char *base = strrchr(v, '/');
				rc = tw_http_request_add_part(
					req, n, v, p->is_file,
					p->is_file ? (as ? as : base ? base + 1 : v) : NULL, type);
			} else {
				rc = n && v ? TW_ENOMEM : TW_ECHECK;
			}
			free(n);
			free(v);
			free(type);
			free(as);
		}
		break;
	}
	return rc;
}

/* The parsed HTML page the customer is looking at, or NULL after recording
 * why there is none. */
static xmlDocPtr current_page(tw_customer *c, tw_step_result *sr, const char *what, double now_ms)
{
	if (!c->have_response) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL,
		     "cannot %s: no page has been visited yet", what);
		return NULL;
	}
	xmlDocPtr doc = tw_response_is_html(&c->resp) ? tw_response_doc(&c->resp) : NULL;
	if (!doc) {
		char *ex = tw_excerpt(tw_buf_str(&c->resp.body), c->resp.body.len, NULL,
				      TW_EXCERPT_MAX, &c->run->redact);
		if (tw_response_is_html(&c->resp) && tw_response_doc_error(&c->resp))
			tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, "an HTML page", ex,
			     "cannot %s: the page does not parse: %s", what,
			     tw_response_doc_error(&c->resp));
		else
			tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, "an HTML page", ex,
			     "cannot %s: the last response (%s) is not an HTML page",
			     what, c->resp.content_type ? c->resp.content_type : "no Content-Type");
		free(ex);
	}
	return doc;
}

void tw_customer_start_transfer(tw_customer *c, tw_step_result *sr, tw_http_request *req,
				double now_ms)
{
	/* Kept until the next request, so that --retry can send it again
	 * even when it came from a page the failed transfer replaced. */
	if (req != &c->sent) {
		/* A new request: a poll or a retry sends c->sent again. */
		c->polls = 0;
		c->polls_ran_out = false;
		tw_http_request_free(&c->sent);
		c->sent = *req;
		memset(req, 0, sizeof(*req));
	}
	free(sr->method);
	free(sr->url);
	sr->method = strdup(c->sent.method);
	sr->url = tw_run_redact(c->run, c->sent.url);
	sr->requested = true;
	tw_error e = {0};
	if (tw_transfer_start(&c->xfer, c->jar, &c->resp, &c->sent, &c->run->opts, c, &e) != TW_OK) {
		tw_transfer_free(&c->xfer);
		c->have_response = false;
		tw_customer_fail_error(c, sr, now_ms, &e);
		tw_error_clear(&e);
		return;
	}
	c->last_form = NULL;
	c->page_changed = false;
	c->state = TW_CUSTOMER_WAITING;
}

static void run_expect(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	/* A variable needs no response. */
	if (!c->have_response && st->expect.subject != TW_SUBJ_VAR) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL,
		     "nothing to check: no request was made before this expectation");
		return;
	}
	if (tw_expect_quick(&st->expect, &c->resp)) {
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
		return;
	}
	tw_expect_outcome out = {0};
	if (tw_expect_eval_brief(&st->expect, &c->resp, c->vars, &c->run->redact, &out) != TW_OK) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		return;
	}
	if (out.passed) {
		if (st->expect.capture && out.captured &&
		    tw_vars_set(c->vars, st->expect.capture, out.captured,
					out.captured_secret) != TW_OK)
			tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		else
			tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
	} else if (c->polls_ran_out) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, out.expected, out.actual,
				 "%s (still so after %d tries: the request and %d polls)",
				 out.message ? out.message : "expectation failed", c->polls + 1,
				 c->polls);
	} else {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, out.expected, out.actual, "%s",
		     out.message ? out.message : "expectation failed");
	}
	tw_expect_outcome_free(&out);
}

/* ---- the steps: one function per row of language/steps.def ---- */

/* A browser keeps the basic credentials it was given for a site and sends
 * them with every later page of that site, never to another: an
 * Authorization header the script gives a page step is remembered for
 * its origin, and a page step there without one gets it. */
static int carry_authorization(tw_customer *c, tw_http_request *req)
{
	const char *prefix = "Authorization:";
	size_t n = strlen(prefix);
	const char *given = NULL;
	for (size_t i = 0; i < req->header_count && !given; i++)
		if (strncasecmp(req->headers[i], prefix, n) == 0)
			given = req->headers[i] + n;
	if (!given && !c->authorization)
		return TW_OK; /* nothing to keep, nothing to carry */
	char *origin = tw_url_origin(req->url);
	if (!origin)
		return TW_OK; /* no origin to speak of */
	int rc = TW_OK;
	if (given) {
		given += strspn(given, " \t");
		char *copy = strdup(given);
		if (!copy) {
			free(origin);
			return TW_ENOMEM;
		}
		free(c->authorization);
		free(c->auth_origin);
		c->authorization = copy;
		c->auth_origin = origin;
		return TW_OK;
	}
	if (c->authorization && strcmp(origin, c->auth_origin) == 0)
		rc = tw_http_request_add_header(req, "Authorization", c->authorization);
	free(origin);
	return rc;
}

/* What a click, a submit or a meta refresh sends beside what the page
 * says: the step's header lines (st NULL: none), the credentials carried
 * to this origin, and Referer and Origin as a browser sends them under
 * the page's referrer policy. */
static int navigation_headers(tw_customer *c, tw_step_result *sr, const tw_step *st,
			      tw_http_request *req, double now_ms)
{
	int rc = TW_OK;
	for (size_t i = 0; st && rc == TW_OK && i < st->req.headers.count; i++)
		rc = add_header_pair(c, sr, req, &st->req.headers.items[i], false, now_ms);
	if (rc == TW_OK)
		rc = carry_authorization(c, req);
	if (rc == TW_OK)
		rc = tw_html_add_referrer(
			req, c->resp.url,
			tw_html_referrer_policy(tw_response_doc(&c->resp),
						tw_response_header(&c->resp, "Referrer-Policy")));
	if (rc == TW_ENOMEM)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	return rc;
}

static void perform_request(tw_customer *c, tw_step_result *sr, const tw_step *st,
			    double now_ms)
{
	tw_http_request req = {0};
	int rc = build_request(c, sr, st, &req, now_ms);
	if (rc == TW_OK && st->kind == TW_STEP_VISIT &&
	    (rc = carry_authorization(c, &req)) != TW_OK)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	if (rc == TW_OK)
		tw_customer_start_transfer(c, sr, &req, now_ms);
	else if (sr->status == TW_STATUS_SKIPPED)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	tw_http_request_free(&req);
}

/* A page's request (click, submit) with the rehearsal's and the run's
 * headers. */
static void start_page_transfer(tw_customer *c, tw_step_result *sr, tw_http_request *req,
				double now_ms)
{
	int rc = add_run_headers(c, sr, req, now_ms);
	if (rc == TW_OK)
		tw_customer_start_transfer(c, sr, req, now_ms);
	else if (rc == TW_ENOMEM)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
}

static void perform_click(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	xmlDocPtr doc = current_page(c, sr, "click", now_ms);
	char *target = doc ? tw_customer_expand(c, sr, st->target, now_ms) : NULL;
	if (!target)
		return;
	tw_http_request req = {0};
	tw_error e = {0};
	char *within = NULL;
	if (st->within && !(within = tw_customer_expand(c, sr, st->within, now_ms))) {
		free(target);
		return;
	}
	if (tw_html_click(doc, c->resp.url, target, st->nth, within, &req, &e) != TW_OK)
		tw_customer_fail_error(c, sr, now_ms, &e);
	else if (navigation_headers(c, sr, st, &req, now_ms) == TW_OK)
		start_page_transfer(c, sr, &req, now_ms);
	tw_http_request_free(&req);
	tw_error_clear(&e);
	free(target);
	free(within);
}

static const char *action_get(void *ud, const char *key, size_t len)
{
	return tw_memo_get(ud, TW_MEMO_ACTION, key, len, NULL);
}

static void action_keep(void *ud, const char *key, size_t len, const char *url)
{
	tw_memo_keep(ud, TW_MEMO_ACTION, key, len, NULL, url);
}

static void perform_submit(tw_customer *c, tw_step_result *sr, const tw_step *st,
			   double now_ms)
{
	xmlDocPtr doc = current_page(c, sr, "submit", now_ms);
	if (!doc)
		return;
	char *target = NULL;
	if (st->target && !(target = tw_customer_expand(c, sr, st->target, now_ms)))
		return;
	tw_http_request req = {0};
	tw_error e = {0};
	/* issue 15: the same form on the same page goes to the same URL,
	 * performance after performance: the step resolves it once */
	tw_resolve_memo memo = {action_get, action_keep, sr->step ? sr->step->memo : NULL};
	if (tw_form_submit_memo(doc, c->resp.url, target, c->last_form, memo.ud ? &memo : NULL,
				&req, &e) != TW_OK)
		tw_customer_fail_error(c, sr, now_ms, &e);
	else if (navigation_headers(c, sr, st, &req, now_ms) == TW_OK)
		start_page_transfer(c, sr, &req, now_ms);
	tw_http_request_free(&req);
	tw_error_clear(&e);
	free(target);
}

/* What a form step does to the page, once its target and value are
 * expanded; *form: the form it wrote into. */
typedef int form_change(xmlDocPtr doc, const tw_step *st, const char *target,
			const char *value, xmlNodePtr *form, tw_error *e);

static int fill(xmlDocPtr doc, const tw_step *st, const char *target, const char *value,
		xmlNodePtr *form, tw_error *e)
{
	(void)st;
	return tw_form_fill(doc, target, value ? value : "", form, e);
}

static int choose(xmlDocPtr doc, const tw_step *st, const char *target, const char *value,
		  xmlNodePtr *form, tw_error *e)
{
	(void)st;
	return tw_form_choose(doc, target, value, form, e);
}

static int tick(xmlDocPtr doc, const tw_step *st, const char *target, const char *value,
		xmlNodePtr *form, tw_error *e)
{
	(void)value;
	return tw_form_tick(doc, target, st->kind == TW_STEP_TICK, form, e);
}

static int deselect(xmlDocPtr doc, const tw_step *st, const char *target, const char *value,
		    xmlNodePtr *form, tw_error *e)
{
	(void)st;
	return tw_form_deselect(doc, target, value, form, e);
}

/* fill, choose, tick, untick: the page changes in place, nothing is sent. */
static void change_page(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms,
			const char *what, form_change *change)
{
	char *target = NULL, *value = NULL;
	xmlDocPtr doc = current_page(c, sr, what, now_ms);
	if (!doc)
		return;
	if (st->target && !(target = tw_customer_expand(c, sr, st->target, now_ms)))
		return;
	if (st->value && !(value = tw_customer_expand(c, sr, st->value, now_ms))) {
		free(target);
		return;
	}
	xmlNodePtr form = NULL;
	tw_error e = {0};
	if (change(doc, st, target, value, &form, &e) == TW_OK) {
		c->page_changed = true;
		if (form)
			c->last_form = form;
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
	} else {
		tw_customer_fail_error(c, sr, now_ms, &e);
	}
	tw_error_clear(&e);
	free(target);
	free(value);
}

static void perform_fill(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	change_page(c, sr, st, now_ms, "fill a field", fill);
}

static void perform_choose(tw_customer *c, tw_step_result *sr, const tw_step *st,
			   double now_ms)
{
	change_page(c, sr, st, now_ms, "choose an option", choose);
}

/* tick and untick */
static void perform_tick(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	change_page(c, sr, st, now_ms, "tick a box", tick);
}

static void perform_deselect(tw_customer *c, tw_step_result *sr, const tw_step *st,
			     double now_ms)
{
	change_page(c, sr, st, now_ms, "deselect an option", deselect);
}

/* The file must be there when the customer picks it: one that is not
 * fails the step that names it. It is read when the form is sent. */
static void perform_attach(tw_customer *c, tw_step_result *sr, const tw_step *st,
			   double now_ms)
{
	xmlDocPtr doc = current_page(c, sr, "attach a file", now_ms);
	char *path = doc ? tw_customer_expand(c, sr, st->value, now_ms) : NULL;
	char *target = path ? tw_customer_expand(c, sr, st->target, now_ms) : NULL;
	if (!target) {
		free(path);
		return;
	}
	/* relative to the rehearsal, as `part NAME file PATH` */
	char *full = script_relative(c, path);
	struct stat sb;
	xmlNodePtr form = NULL;
	tw_error e = {0};
	if (!full) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	} else if (stat(full, &sb) != 0 || access(full, R_OK) != 0) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL,
				 "cannot attach '%s': %s (the path is relative to the rehearsal)",
				 path, strerror(errno));
	} else if (!S_ISREG(sb.st_mode)) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL,
				 "cannot attach '%s': not a file", path);
	} else if (tw_form_attach(doc, target, full, &form, &e) != TW_OK) {
		tw_customer_fail_error(c, sr, now_ms, &e);
	} else {
		c->page_changed = true;
		if (form)
			c->last_form = form;
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
	}
	tw_error_clear(&e);
	free(full);
	free(path);
	free(target);
}

static void perform_pause(tw_customer *c, tw_step_result *sr, const tw_step *st,
			  double now_ms)
{
	(void)sr;
	/* A run that is stopping skips think time: performances under way
	 * finish sooner. */
	c->wake_at_ms = now_ms + (c->run->stop ? 0 : (double)st->ms * c->run->opts.think_scale);
	c->state = TW_CUSTOMER_PAUSED;
}

/* An expectation about the last response, or about the call. */
static void perform_expect(tw_customer *c, tw_step_result *sr, const tw_step *st,
			   double now_ms)
{
	if (tw_step_is_phone(st))
		tw_caller_expect(c, sr, st, now_ms);
	else
		run_expect(c, sr, st, now_ms);
}

/* The function that performs each step kind: steps.def's PERFORM column. */
typedef void step_performer(tw_customer *c, tw_step_result *sr, const tw_step *st,
			    double now_ms);
static step_performer *const performers[] = {
#define TW_STEP_KIND(name, words_, json_, written_, channel_, apdex_, action_, parse_, check_, \
		     perform_)                                                                \
	[TW_STEP_##name] = perform_,
#include "language/steps.def"
#undef TW_STEP_KIND
};

/* One step that does not wait on the network, or the start of one that
 * does. */
static void perform(tw_customer *c, double now_ms)
{
	const tw_step *st = &cur_scene(c)->steps[c->step];
	tw_step_result *sr = cur_result(c);
	c->step_start_ms = now_ms;
	c->step_clock_s = c->call ? tw_call_clock(c->call) : 0;
	if ((size_t)st->kind < TW_STEP_KIND_COUNT)
		performers[st->kind](c, sr, st, now_ms);
	else
		tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
				 "a step of unknown kind %d", (int)st->kind);
	if (c->state == TW_CUSTOMER_READY)
		next_step(c);
}

static void finish(tw_customer *c, double now_ms)
{
	tw_rehearsal_result *r = c->result;
	tw_status worst = TW_STATUS_PASSED;
	tw_caller_finish(c);
	for (size_t i = 0; i < r->scene_count; i++) {
		tw_scene_result *sc = &r->scenes[i];
		bool all_skipped = sc->scene->touchpoint_count > 0, failed = false, unreachable = false;
		bool limited = false;
		sc->elapsed_ms = 0;
		for (size_t j = 0; j < sc->scene->touchpoint_count; j++) {
			tw_step_result *sr = &sc->steps[j];
			sc->elapsed_ms += sr->elapsed_ms;
			if (sr->status != TW_STATUS_SKIPPED)
				all_skipped = false;
			if (sr->status == TW_STATUS_UNREACHABLE)
				unreachable = true;
			else if (sr->status == TW_STATUS_FAILED || sr->status == TW_STATUS_BROKEN)
				failed = true;
			else if (sr->status == TW_STATUS_LIMITED)
				limited = true;
			if (!sc->scene->backstage && sr->status != TW_STATUS_SKIPPED &&
			    sr->step->action)
				r->frontstage_steps++;
			r->customer_ms += sr->customer_ms;
			if (!sc->scene->backstage)
				r->frontstage_ms += sr->customer_ms;
		}
		sc->status = unreachable ? TW_STATUS_UNREACHABLE
			     : failed    ? TW_STATUS_FAILED
			     : limited   ? TW_STATUS_LIMITED
			     : all_skipped ? TW_STATUS_SKIPPED
					   : TW_STATUS_PASSED;
		if (sc->status == TW_STATUS_UNREACHABLE)
			worst = TW_STATUS_UNREACHABLE;
		else if (sc->status == TW_STATUS_FAILED && worst != TW_STATUS_UNREACHABLE)
			worst = TW_STATUS_FAILED;
		else if (sc->status == TW_STATUS_LIMITED && worst == TW_STATUS_PASSED)
			worst = TW_STATUS_LIMITED;
	}
	r->status = worst;
	r->elapsed_ms = now_ms - c->start_ms;
	c->state = TW_CUSTOMER_DONE;
}

static void advance(tw_customer *c, double now_ms)
{
	if (c->start_ms == 0)
		c->start_ms = now_ms;
	if (!c->cast_done && c->state == TW_CUSTOMER_READY)
		performance_cast(c, now_ms); /* issue 13, GEN */
	if (c->state == TW_CUSTOMER_PAUSED && c->polling) {
		if (now_ms < c->wake_at_ms)
			return;
		/* The next poll: the same request again, in the same step. */
		c->polling = false;
		c->state = TW_CUSTOMER_READY;
		tw_customer_start_transfer(c, cur_result(c), &c->sent, now_ms);
		if (c->state == TW_CUSTOMER_WAITING)
			return;
		next_step(c);
	} else if (c->state == TW_CUSTOMER_PAUSED) {
		if (now_ms < c->wake_at_ms)
			return;
		tw_step_result *sr = cur_result(c);
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
		c->state = TW_CUSTOMER_READY;
		next_step(c);
	}
	while (c->state == TW_CUSTOMER_READY) {
		if (c->scene >= c->script->scene_count) {
			finish(c, now_ms);
			return;
		}
		if (c->stopped) {
			/* The expectations after one that failed still run on
			 * the same response; everything after them is skipped.
			 * After a request step's failure or techweek's limit
			 * nothing runs: what follows would blame the check, or
			 * judge the service on what techweek could not do. */
			const tw_step *st = &cur_scene(c)->steps[c->step];
			if (!c->stopped_by_check || st->kind != TW_STEP_EXPECT || c->step == 0 ||
			    !c->have_response) {
				finish(c, now_ms);
				return;
			}
		}
		/* issue 13, USE: a use binds as its first scene starts, before
		 * that scene's `when` is decided (which may read what it binds),
		 * and even when the `when` leaves the scene out. A failure
		 * stops the performance at the scene's first step. */
		if (c->step == 0 && c->uses_bound <= c->scene) {
			c->step_start_ms = now_ms;
			if (!tw_customer_bind_uses(c, cur_result(c), now_ms))
				continue;
		}
		/* issue 13, FLOW: a scene's `when`, decided as it starts. */
		if (c->step == 0 && !tw_flow_scene_runs(c)) {
			c->step = cur_scene(c)->step_count;
			next_step(c);
			continue;
		}
		perform(c, now_ms);
	}
}

/*
 * What a customer keeps while it waits is multiplied by the customers in
 * flight; what it derives while it runs steps (a parsed page is several
 * times its size) only by the jobs, which run one customer at a time. So a
 * customer that stops to wait keeps only what its next steps cannot derive
 * again: the body while it thinks (the document too once a form step wrote
 * into it), nothing once it is done. A customer waiting for a transfer
 * already gave its last response back when the transfer started.
 */
static void settle(tw_customer *c)
{
	if (c->state == TW_CUSTOMER_DONE)
		tw_response_reset(&c->resp);
	else if (c->state == TW_CUSTOMER_PAUSED && !c->page_changed)
		tw_response_drop_views(&c->resp);
}

void tw_customer_advance(tw_customer *c, double now_ms)
{
	advance(c, now_ms);
	settle(c);
}

/* One rule for every request step (visit, click, submit, raw HTTP, a
 * call's webhook fetch): an error status is the failure of the step that
 * received it, as the customer lived it, unless the script declares it.
 * Only a status check that holds declares it: `expect status 200` after a
 * 500 must not take the blame for the 500 (nor make the same fault count
 * differently from a script without that line). */
bool tw_customer_status_unexpected(tw_customer *c)
{
	if (c->resp.status < 400)
		return false;
	const tw_scene *sc = cur_scene(c);
	for (size_t i = c->step + 1; i < sc->step_count; i++) {
		const tw_step *st = &sc->steps[i];
		if (st->kind != TW_STEP_EXPECT)
			break;
		if (st->expect.subject != TW_SUBJ_STATUS)
			continue;
		if (tw_expect_quick(&st->expect, &c->resp))
			return false; /* it holds: the status is declared */
		tw_expect_outcome out = {0};
		bool holds = tw_expect_eval_brief(&st->expect, &c->resp, c->vars, &c->run->redact,
						  &out) == TW_OK &&
			     out.passed;
		tw_expect_outcome_free(&out);
		if (holds)
			return false;
	}
	return true;
}

/* What a failing status quotes from the page: the excerpt of its text.
 * Reading an HTML page's text parses it, most of a failing step's cost
 * (issue 15: 44% of a run of 404s), and a service answers the same error
 * page again and again: a step keeps the first page's words (by its
 * Content-Type and body, under the run's redaction) and quotes them again
 * for the same page. Pages past 64 KiB are not kept. malloc'd; NULL when
 * out of memory. */
static char *status_excerpt(tw_customer *c, tw_step_result *sr)
{
	const tw_response *r = &c->resp;
	const char *type = r->content_type ? r->content_type : "";
	size_t tlen = strlen(type), blen = r->body.len;
	tw_step_memo *memo = sr->step && blen <= ((size_t)64 << 10) ? sr->step->memo : NULL;
	char *key = memo ? malloc(tlen + 1 + blen) : NULL;
	if (key) {
		memcpy(key, type, tlen + 1);
		if (blen)
			memcpy(key + tlen + 1, r->body.data, blen);
		const char *known = tw_memo_get(memo, TW_MEMO_STATUS_TEXT, key, tlen + 1 + blen,
						&c->run->redact);
		if (known) {
			free(key);
			return strdup(known);
		}
	}
	const char *text = tw_response_text(&c->resp);
	char *ex = tw_excerpt(text, strlen(text), NULL, TW_EXCERPT_MAX, &c->run->redact);
	if (key && ex)
		tw_memo_keep(memo, TW_MEMO_STATUS_TEXT, key, tlen + 1 + blen, &c->run->redact, ex);
	free(key);
	return ex;
}

void tw_customer_fail_status(tw_customer *c, tw_step_result *sr, double now_ms, const char *after)
{
	char *ex = status_excerpt(c, sr);
	tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms,
			 "a status below 400, or one an `expect status` line right after the step allows",
			 ex, "answered %ld%s%s, which the script does not expect%s", c->resp.status,
			 c->resp.reason ? " " : "", c->resp.reason ? c->resp.reason : "",
			 after ? after : "");
	free(ex);
}

/* The transfer's chain onto the step's: each request as libcurl sent it,
 * and the answer's status. A request that never went on the wire (nothing
 * listened) is the step's request with no answer, so that every request
 * step shows what it tried. Then the step's method, URL and status are
 * its last hop's, one request's: never one hop's method beside another's
 * URL. */
static int add_hops(tw_customer *c, tw_step_result *sr)
{
	const tw_response *r = &c->resp;
	/* A chain with a request missing is not the step's: not shown. */
	if (r->hops_lost)
		return r->hops_lost;
	int rc = TW_OK;
	/* Hops a meta refresh continued from are the step's already. Each
	 * hop keeps which try sent it (the request, or poll N): a poll's
	 * chain is not led to by the one before it. */
	for (size_t i = r->chain_kept; rc == TW_OK && i < r->hop_count; i++) {
		char *url = tw_run_redact(c->run, tw_response_hop_url(r, i));
		rc = url ? tw_step_result_add_hop(sr, r->hops[i].method, url, r->hops[i].status)
			 : TW_ENOMEM;
		if (rc == TW_OK)
			sr->hops[sr->hop_count - 1].poll = c->polls;
	}
	if (rc == TW_OK && r->hop_count == r->chain_kept) {
		char *url = tw_run_redact(c->run, c->sent.url);
		rc = url ? tw_step_result_add_hop(sr, c->sent.method, url, 0) : TW_ENOMEM;
		if (rc == TW_OK)
			sr->hops[sr->hop_count - 1].poll = c->polls;
	}
	if (rc != TW_OK || sr->hop_count == 0)
		return rc;
	/* Most steps are one request, already named by the step: no copy.
	 * issue 14, CLOCK: a caller's step is named by where its input went,
	 * the chain's first request (the Gather's action), not where the
	 * redirects and <Redirect>s led. */
	const tw_step_hop *last = c->webhook ? &sr->hops[0] : &sr->hops[sr->hop_count - 1];
	if (!sr->method || strcmp(sr->method, last->method) != 0) {
		char *method = strdup(last->method);
		if (!method)
			return TW_ENOMEM;
		free(sr->method);
		sr->method = method;
	}
	if (last->url && (!sr->url || strcmp(sr->url, last->url) != 0)) {
		char *url = strdup(last->url);
		if (!url)
			return TW_ENOMEM;
		free(sr->url);
		sr->url = url;
	}
	return TW_OK;
}

/* `retry N every D` (polling): true when the expectations right after the
 * request step (up to the next step that is not one) all hold for the
 * response. Captures are not taken here: the expectations take them when
 * they run. */
static bool poll_holds(tw_customer *c)
{
	const tw_scene *sc = cur_scene(c);
	for (size_t i = c->step + 1; i < sc->step_count; i++) {
		const tw_step *st = &sc->steps[i];
		if (st->kind != TW_STEP_EXPECT)
			break;
		if (tw_step_is_phone(st))
			continue;
		if (tw_expect_quick(&st->expect, &c->resp))
			continue; /* it holds */
		tw_expect_outcome out = {0};
		bool holds = tw_expect_eval_brief(&st->expect, &c->resp, c->vars, &c->run->redact,
						  &out) == TW_OK &&
			     out.passed;
		tw_expect_outcome_free(&out);
		if (!holds)
			return false;
	}
	return true;
}

/* After a request step's response: when it polls and its expectations do
 * not hold yet, waits its interval (PAUSED, polling) to send the request
 * again, and says so. Once the polls run out, the step goes on with the
 * last response: its expectations fail with it, naming the tries. */
static bool poll_again(tw_customer *c, double now_ms)
{
	const tw_step *st = &cur_scene(c)->steps[c->step];
	if ((st->kind != TW_STEP_VISIT && st->kind != TW_STEP_REQUEST) || st->req.retry <= 0 ||
	    poll_holds(c))
		return false;
	if (c->polls >= st->req.retry || c->run->stop) {
		c->polls_ran_out = true;
		return false;
	}
	c->polls++;
	c->polling = true;
	c->wake_at_ms = now_ms + (double)st->req.retry_every_ms;
	c->state = TW_CUSTOMER_PAUSED;
	return true;
}

/* A page that moves on with <meta http-equiv="refresh" content="0;
 * url=/next"> is followed as a browser follows it (issue 12): after a
 * navigation (visit, click, submit) that follows redirects, as one more
 * hop of the step's chain, counted among its redirects and bounded by
 * --max-redirs. Not followed, with a note: a refresh to a URL the chain
 * has already been to (a page that reloads itself every few seconds is
 * no redirect), or one past --max-redirs. The delay is not waited: the
 * customer reads the page in the meantime, and a step's time should not
 * be the page's choice. True when the step goes on (WAITING), or ended
 * because the request could not start. */
static bool meta_refresh(tw_customer *c, tw_step_result *sr, double now_ms)
{
	tw_response *r = &c->resp;
	bool follow = c->sent.follow ? c->sent.follow > 0 : !c->run->opts.no_follow;
	if (!c->sent.navigation || !follow || r->status < 200 || r->status > 299 ||
	    !tw_response_is_html(r) || !tw_response_doc(r))
		return false;
	char *url = NULL;
	if (tw_html_meta_refresh(tw_response_doc(r), r->url, &url) != TW_OK || !url)
		return false;
	const char *why = NULL;
	for (size_t i = 0; !why && i < r->hop_count; i++)
		if (strcmp(tw_response_hop_url(r, i), url) == 0)
			why = "the chain has been there already";
	if (!why && r->redirects >= c->run->opts.max_redirects)
		why = "past --max-redirs";
	if (why) {
		size_t n = strlen(url) + strlen(why) + 64;
		free(r->note);
		if ((r->note = malloc(n)))
			snprintf(r->note, n, "not followed: the page's meta refresh to %s (%s)", url,
				 why);
		free(url);
		return false;
	}
	/* A page request like a click's: the same headers, credentials and
	 * Referer (the refreshing page), so that no hop of the chain is
	 * the one without them. */
	tw_http_request req = {0};
	int rc = tw_http_request_set(&req, "GET", url);
	free(url);
	if (rc != TW_OK) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	} else if (navigation_headers(c, sr, NULL, &req, now_ms) == TW_OK) {
		req.navigation = true;
		req.follow = c->sent.follow;
		r->keep_chain = true;
		start_page_transfer(c, sr, &req, now_ms);
		if (c->state == TW_CUSTOMER_WAITING) {
			tw_http_request_free(&req);
			return true;
		}
	}
	tw_http_request_free(&req);
	c->state = TW_CUSTOMER_READY;
	next_step(c);
	tw_customer_advance(c, now_ms);
	return true;
}

void tw_customer_transfer_done(tw_customer *c, CURLcode result, double now_ms)
{
	tw_step_result *sr = cur_result(c);
	bool unreachable = false;
	tw_error e = {0};
	int rc = tw_transfer_done(&c->xfer, result, &unreachable, &e);
	c->state = TW_CUSTOMER_READY;
	/* What went on the wire counts whatever came of it. A request libcurl
	 * sent again is a retry like one --retry sends, but does not use up
	 * --retry's budget. */
	sr->requests += (int)c->resp.requests;
	sr->retries += (int)c->resp.resent;
	sr->resent += (int)c->resp.resent;
	int lost = add_hops(c, sr);
	char why_lost[128] = "";
	if (lost == TW_ELIMIT)
		snprintf(why_lost, sizeof(why_lost),
			 "the step's requests are more than techweek keeps (their URLs past %zu MiB)",
			 TW_RESPONSE_HOP_URLS_MAX >> 20);
	else if (lost)
		snprintf(why_lost, sizeof(why_lost), "out of memory keeping the step's requests");
	if (rc != TW_OK && c->interrupted) {
		c->result->interrupted = true;
		tw_error_clear(&e);
		tw_error_set(&e, TW_ETRANSPORT,
			     "cut off: the run was ending (Ctrl-C, or its duration and the step "
			     "timeout had passed) before the response came");
	} else if (rc != TW_OK && !lost && sr->retries - sr->resent < (int)c->run->opts.retries &&
		   !c->run->stop) {
		/* A transport failure, tried again as the same request; the
		 * retry is counted, and a pass after one is a flakiness
		 * signal in the figures. */
		sr->retries++;
		tw_error_clear(&e);
		tw_customer_start_transfer(c, sr, &c->sent, now_ms);
		if (c->state == TW_CUSTOMER_WAITING)
			return;
		next_step(c);
		tw_customer_advance(c, now_ms);
		return;
	}
	if (rc == TW_OK && !lost && !c->webhook && meta_refresh(c, sr, now_ms)) {
		tw_error_clear(&e);
		return;
	}
	if (rc == TW_OK && !lost && !c->webhook && poll_again(c, now_ms)) {
		sr->polls = c->polls;
		tw_error_clear(&e);
		return;
	}
	if (rc == TW_OK && c->resp.note && !sr->note)
		sr->note = tw_run_redact(c->run, c->resp.note);
	sr->http_status = c->resp.status;
	sr->timings = c->resp.timings;
	sr->bytes_in += c->resp.bytes_in;
	sr->bytes_out += c->resp.bytes_out;
	c->have_response = rc == TW_OK;
	if (lost && rc == TW_OK) {
		/* A step log without its requests would not be the truth. */
		c->webhook = false;
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "%s", why_lost);
	} else if (c->webhook && rc == TW_OK) {
		tw_caller_webhook_done(c, sr, now_ms);
		if (c->state == TW_CUSTOMER_WAITING || c->state == TW_CUSTOMER_SCRIPTING)
			return; /* the IVR asked for another document; issue 14,
				   F1: or the call runs it off the loop */
	} else if (rc != TW_OK && c->webhook && !c->interrupted && !lost &&
		   tw_caller_resource_failed(c, sr, e.message, now_ms)) { /* issue 14, AUDIO */
		if (c->state == TW_CUSTOMER_WAITING ||
		    c->state == TW_CUSTOMER_SCRIPTING) { /* issue 14, F1 */
			tw_error_clear(&e);
			return;
		}
	} else if (rc != TW_OK) {
		c->webhook = false;
		sr->transport = true;
		tw_customer_fail(c, sr, unreachable ? TW_STATUS_UNREACHABLE : TW_STATUS_FAILED, now_ms, NULL,
		     NULL, "%s%s%s", e.message ? e.message : "transfer failed",
		     lost ? "; and the step's request chain is incomplete: " : "", why_lost);
	} else if (tw_customer_status_unexpected(c)) {
		char tries[96] = "";
		if (c->polls_ran_out)
			snprintf(tries, sizeof(tries),
				 " (still so after %d tries: the request and %d polls)", c->polls + 1,
				 c->polls);
		tw_customer_fail_status(c, sr, now_ms, tries[0] ? tries : NULL);
	} else {
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
	}
	tw_error_clear(&e);
	next_step(c);
	tw_customer_advance(c, now_ms);
}

void tw_customer_interrupt(tw_customer *c, double now_ms)
{
	c->interrupted = true;
	/* issue 14, F1: the operation off the loop is waited for (the call's
	 * stop request cuts its interpreter short, the sandbox's time limit
	 * bounds the rest), and then what follows it is interrupted */
	if (c->state == TW_CUSTOMER_SCRIPTING) {
		/* issue 14, F6: the join may wait; what follows is timed after */
		tw_offload_join(&c->offload);
		now_ms = tw_clock_ms();
		tw_customer_offload_done(c, now_ms);
	}
	if (c->state == TW_CUSTOMER_WAITING) {
		tw_customer_transfer_done(c, CURLE_ABORTED_BY_CALLBACK, now_ms);
	} else if (c->state == TW_CUSTOMER_PAUSED) {
		tw_step_result *sr = cur_result(c);
		c->result->interrupted = true;
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL,
				 c->polling ? "cut off: the run was ending between two polls"
					    : "cut off: the run was ending during this pause");
		c->polling = false;
		c->state = TW_CUSTOMER_READY;
		next_step(c);
		tw_customer_advance(c, now_ms);
	}
}

void tw_customer_free(tw_customer *c)
{
	tw_customer_end(c);
	/* The handle before the jar: a share in use cannot be cleaned up. */
	tw_transfer_free(&c->xfer);
	tw_response_free(&c->resp);
	if (c->jar)
		curl_share_cleanup(c->jar);
	tw_vars_free(c->vars);
	memset(c, 0, sizeof(*c));
}

/* issue 14, F1 */
void tw_customer_offload_done(tw_customer *c, double now_ms)
{
	if (c->state != TW_CUSTOMER_SCRIPTING)
		return;
	c->state = TW_CUSTOMER_READY;
	tw_caller_offload_done(c, cur_result(c), now_ms);
	if (c->state == TW_CUSTOMER_WAITING || c->state == TW_CUSTOMER_SCRIPTING)
		return;
	next_step(c);
	tw_customer_advance(c, now_ms);
}
