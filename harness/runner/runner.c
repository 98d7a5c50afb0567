/*
 * The runner: one event loop on libcurl's multi interface. Each customer is
 * a state machine (customer.c); the loop starts transfers the customers
 * ask for, hands finished transfers back to them, and wakes paused ones. No
 * transfer ever blocks the loop, so many customers can share it.
 *
 * A tech run performs each rehearsal once, one customer at a time, so its
 * timings are not disturbed by its own traffic.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/template.h"
#include "runner/customer.h"
#include "runner/result.h"

#define MAX_ACTIVE 1

static void iso_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
}

typedef struct scan_ctx {
	tw_run *run;
	const char *line;
	size_t bad_offset;
	char missing[128];
	tw_ref_kind missing_kind;
} scan_ctx;

static int scan_ref(const tw_ref *ref, void *ud)
{
	scan_ctx *s = ud;
	if (ref->kind == TW_REF_VAR)
		return 0;
	char name[128];
	size_t n = ref->name_len < sizeof(name) - 1 ? ref->name_len : sizeof(name) - 1;
	memcpy(name, ref->name, n);
	name[n] = '\0';
	const char *value = getenv(name);
	if (!value) {
		memcpy(s->missing, name, n + 1);
		s->missing_kind = ref->kind;
		s->bad_offset = ref->offset;
		return 1;
	}
	if (ref->kind == TW_REF_SECRET && tw_redact_add(&s->run->redact, value) != TW_OK)
		return TW_ENOMEM;
	return 0;
}

/* Every secret must be known before the first request, so that nothing
 * can print one before it is registered; and every environment variable a
 * script reads must be set, so nothing is sent for a performance that
 * cannot finish. Every template is on some line of the script, so scanning
 * the lines finds them all. */
static void collect_secrets(tw_run *run, tw_rehearsal_result *r)
{
	const tw_script *s = r->script;
	for (size_t i = 0; i < s->line_count; i++) {
		const char *line = s->lines[i];
		const char *p = line + strspn(line, " \t");
		if (*p == '#')
			continue;
		scan_ctx ctx = {.run = run, .line = line};
		tw_error e = {0};
		int rc = tw_template_scan(line, scan_ref, &ctx, NULL, &e);
		tw_error_clear(&e);
		if (rc == 1) {
			r->status = TW_STATUS_BROKEN;
			tw_error_set_at(&r->problem, TW_ECHECK, s->path, (int)i + 1,
					(int)ctx.bad_offset + 1, line,
					"environment variable %s is not set (needed by {{%s %s}})",
					ctx.missing, ctx.missing_kind == TW_REF_SECRET ? "secret" : "env",
					ctx.missing);
			return;
		}
	}
}

int tw_run_execute(tw_run *run, tw_error *err)
{
	iso_now(run->started_at);
	double t0 = tw_clock_ms();
	for (size_t i = 0; i < run->count; i++)
		if (run->rehearsals[i].script && run->rehearsals[i].status != TW_STATUS_BROKEN)
			collect_secrets(run, &run->rehearsals[i]);
	/* Messages from setup are redacted now that every secret is known. */
	for (size_t i = 0; i < run->count; i++) {
		tw_error *p = &run->rehearsals[i].problem;
		char *m = tw_run_redact(run, p->message), *l = tw_run_redact(run, p->source_line);
		free(p->message);
		free(p->source_line);
		p->message = m;
		p->source_line = l;
	}

	CURLM *multi = curl_multi_init();
	tw_customer *customers = calloc(run->count ? run->count : 1, sizeof(*customers));
	if (!multi || !customers) {
		curl_multi_cleanup(multi);
		free(customers);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}

	size_t next = 0, active = 0;
	int rc = TW_OK;
	for (;;) {
		/* Let new customers in while there is room. */
		while (active < MAX_ACTIVE && next < run->count) {
			tw_rehearsal_result *r = &run->rehearsals[next];
			tw_customer *c = &customers[next++];
			if (!r->script || r->status == TW_STATUS_BROKEN)
				continue;
			iso_now(r->started_at);
			tw_error e = {0};
			if (tw_customer_init(c, run, r, &e) != TW_OK) {
				if (e.code == TW_ENOMEM) {
					rc = tw_error_set(err, TW_ENOMEM, "out of memory");
					tw_error_clear(&e);
					goto out;
				}
				r->status = TW_STATUS_BROKEN;
				tw_error_move(&r->problem, &e);
				char *m = tw_run_redact(run, r->problem.message);
				free(r->problem.message);
				r->problem.message = m;
				tw_customer_free(c);
				continue;
			}
			active++;
			c->state = TW_CUSTOMER_READY;
			tw_customer_advance(c, tw_clock_ms());
			if (c->state == TW_CUSTOMER_WAITING)
				curl_multi_add_handle(multi, c->xfer.easy);
		}
		if (active == 0 && next >= run->count)
			break;

		int running = 0;
		curl_multi_perform(multi, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURL *easy = msg->easy_handle;
			CURLcode result = msg->data.result;
			tw_customer *c = NULL;
			curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
			curl_multi_remove_handle(multi, easy);
			tw_customer_transfer_done(c, result, tw_clock_ms());
			if (c->state == TW_CUSTOMER_WAITING)
				curl_multi_add_handle(multi, c->xfer.easy);
		}

		/* Wake paused customers; find how long the loop may sleep. */
		double now = tw_clock_ms();
		long wait_ms = 1000;
		for (size_t i = 0; i < next; i++) {
			tw_customer *c = &customers[i];
			if (c->state == TW_CUSTOMER_PAUSED && c->jar) {
				if (now >= c->wake_at_ms) {
					tw_customer_advance(c, now);
					if (c->state == TW_CUSTOMER_WAITING)
						curl_multi_add_handle(multi, c->xfer.easy);
				} else if (c->wake_at_ms - now < (double)wait_ms) {
					wait_ms = (long)(c->wake_at_ms - now) + 1;
				}
			}
			if (c->state == TW_CUSTOMER_DONE && c->jar) {
				tw_customer_free(c);
				active--;
				wait_ms = 0;
			}
		}
		if (wait_ms > 0)
			curl_multi_poll(multi, NULL, 0, (int)wait_ms, NULL);
	}
out:
	for (size_t i = 0; i < run->count; i++)
		if (customers[i].jar) {
			if (customers[i].xfer.easy)
				curl_multi_remove_handle(multi, customers[i].xfer.easy);
			tw_customer_free(&customers[i]);
		}
	free(customers);
	curl_multi_cleanup(multi);
	run->elapsed_ms = tw_clock_ms() - t0;
	return rc;
}
