/*
 * The runner: worker threads (--jobs), each one event loop on libcurl's
 * multi interface. Each customer is a state machine (customer.c); a loop
 * starts the performances its schedule allows, starts the transfers its
 * customers ask for, hands finished transfers back to them, and wakes
 * paused ones. No transfer ever blocks a loop, so many customers share one.
 *
 * issue 15, LOOP: the loop is event driven, so that a wake costs what
 * happened, not what is under way: libcurl tells it which sockets to
 * watch (curl_multi_socket_action) and it sleeps in epoll_wait until one
 * is ready, libcurl's own timer, the next paused customer's wake-up (a
 * timer heap, runner/loop.h) or the next arrival is due, or its eventfd
 * is signalled (an operation off the loop ended, or a stop is relayed).
 * A customer is handed back to the loop only when its state changed, and
 * then by that state: its transfer added, its pause put in the heap, its
 * end queued to be retired; a start takes a free slot from a stack.
 *
 * Performances are handed out by shared atomic counters (closed model:
 * tickets 0..planned-1; open model: each worker's share of the arrival
 * rate), so workers never wait on each other. A finished performance is
 * folded into its worker's figures (metrics/metrics.h) and freed, unless
 * it becomes the one reports show in detail: memory stays flat however
 * many performances run. The thread that called tw_run_execute reports
 * progress and relays tw_run_stop.
 *
 * A tech run (the defaults) performs each rehearsal once, one customer at
 * a time, so its timings are not disturbed by its own traffic.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/generate.h"
#include "core/template.h"
#include "language/parser.h" /* issue 13, USE: tw_use_chain_append */
#include "metrics/histogram.h"
#include "runner/customer.h"
#include "runner/loop.h" /* issue 15, LOOP */
#include "runner/watch.h" /* issue 15 */
#include "runner/rows.h"
#include "runner/run.h"

static void iso_time(char out[32], time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm); /* says its zone: UTC */
}

static void iso_now(char out[32])
{
	iso_time(out, time(NULL));
}

typedef struct scan_ctx {
	tw_run *run;
	const char *line;
	size_t bad_offset;
	char missing[128];
	tw_ref_kind missing_kind;
} scan_ctx;

/* scan_ref's answer for a variable not set: apart from every tw_code
 * (TW_ENOMEM is 1), so out of memory never reads as a missing variable. */
#define SCAN_MISSING (-1)

static int scan_ref(const tw_ref *ref, void *ud)
{
	scan_ctx *s = ud;
	if (ref->kind == TW_REF_VAR || ref->kind == TW_REF_GEN) /* GEN: issue 13 */
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
		return SCAN_MISSING;
	}
	if (ref->kind == TW_REF_SECRET && tw_redact_add(&s->run->redact, value) != TW_OK)
		return TW_ENOMEM;
	return 0;
}

/* Every secret must be known before the first request, so that nothing
 * can print one before it is registered; and every environment variable a
 * script reads must be set, so nothing is sent for a performance that
 * cannot finish. Every template is on some line of the script, so scanning
 * the lines finds them all. TW_ENOMEM when a secret could not be
 * registered: the run cannot go on without it. */
/* issue 13, USE: the lines of one file: the script's own or a used one */
static int scan_lines(tw_run *run, tw_rehearsal_result *r, const char *file, char **lines,
		      size_t line_count)
{
	const tw_script *s = r->plan->script;
	for (size_t i = 0; i < line_count; i++) {
		const char *line = lines[i];
		const char *p = line + strspn(line, " \t");
		if (*p == '#')
			continue;
		scan_ctx ctx = {.run = run, .line = line};
		tw_error e = {0};
		int rc = tw_template_scan(line, scan_ref, &ctx, NULL, &e);
		tw_error_clear(&e);
		if (rc == TW_ENOMEM)
			return rc;
		if (rc == SCAN_MISSING) {
			r->status = TW_STATUS_BROKEN;
			tw_error_set_at(&r->problem, TW_ECHECK, file, (int)i + 1,
					(int)ctx.bad_offset + 1, line,
					"environment variable %s is not set (needed by {{%s %s}})",
					ctx.missing, ctx.missing_kind == TW_REF_SECRET ? "secret" : "env",
					ctx.missing);
			tw_use_chain_append(s, file, &r->problem);
			return SCAN_MISSING;
		}
	}
	return TW_OK;
}

static int collect_secrets(tw_run *run, tw_rehearsal_result *r)
{
	const tw_script *s = r->plan->script;
	int rc = scan_lines(run, r, s->path, s->lines, s->line_count);
	for (size_t i = 0; rc == TW_OK && i < s->use_count; i++)
		rc = scan_lines(run, r, s->uses[i]->file, s->uses[i]->lines,
				s->uses[i]->line_count);
	return rc == SCAN_MISSING ? TW_OK : rc;
}

/* ---- the schedule, shared by the workers ---- */

typedef struct schedule {
	tw_run *run;
	size_t *runnable;       /* indexes of rehearsals that can be performed */
	size_t runnable_count;
	double t0_ms;
	bool open;              /* arrivals at a rate, for a duration */
	_Atomic unsigned long long next_ticket;
	_Atomic unsigned long long done, failed, in_flight, dropped;
	_Atomic int closing;    /* no more performances start */
	pthread_mutex_t shown_lock; /* run->rehearsals[i], the shown ones */
	pthread_mutex_t idle_lock;
	pthread_cond_t idle;    /* a worker finished */
	size_t workers_left;
	/* issue 13, GEN: each rehearsal's place in the lineup (the unsharded
	 * run's order), which seeds its random values beside the run's seed
	 * and seq; aligned with run->rehearsals; owned */
	uint64_t *streams;
	/* issue 13, DATA: the closed model's tickets, with a count per
	 * runnable rehearsal (indexes into runnable); every rehearsal's
	 * tickets as unsharded (indexes before sharding: --data's cursor);
	 * and this shard's place, for the unsharded numbering. */
	tw_tickets tickets;
	tw_tickets unsharded;
	bool by_performance;
	unsigned shard_n, shard_me;
} schedule;

typedef struct slot {
	tw_customer c;
	tw_rehearsal_result result; /* this performance's */
	size_t rehearsal;
	bool busy;
	bool retiring; /* issue 15, LOOP: DONE, on the worker's retire list */
	tw_vars *row_vars; /* issue 13, DATA: the row's variables the
			      customer reads through to; owned */
} slot;

typedef struct worker {
	schedule *sched;
	tw_run *run;
	CURLM *multi;
	slot *slots;
	size_t slot_count;
	size_t busy;
	tw_rehearsal_metrics *metrics; /* one per rehearsal, merged at the end */
	double rate;                   /* open model: this worker's share */
	unsigned long long arrivals;   /* open model: arrivals so far */
	bool aborted;                  /* in-flight transfers were cut */
	int rc;
	tw_error err;
	pthread_t thread;
	size_t first_customer;         /* issue 13, GEN: slots[0]'s number, from 0 */
	tw_offload_gate gate;          /* issue 14, F5: scripting turns at once */
	/* issue 15, LOOP: the event loop's own */
	int epfd;                      /* owned: epoll of libcurl's sockets and wake.fd */
	tw_wake wake;                  /* owned: signalled from other threads */
	tw_watch watch;                /* owned: which sockets epfd watches */
	tw_transfer_sockets sockets;   /* the customers' handles tell watch */
	double curl_due_ms;            /* libcurl's timer; < 0: none */
	bool no_pwait2;                /* epoll_pwait2 is not there: epoll_wait */
	tw_slot_stack free_slots;      /* owned */
	tw_timer_heap paused;          /* owned: the PAUSED customers' wake-ups */
	size_t *retire;                /* owned: slots DONE, to retire */
	size_t retire_count;
	tw_histogram *start_lag;       /* owned: open model, each start's lateness */
} worker;

/* The slot whose customer is c. */
static slot *slot_of(tw_customer *c)
{
	return (slot *)(void *)((char *)c - offsetof(slot, c));
}

/* issue 15, LOOP: hands customer c back to the loop after its state
 * changed (it was started, advanced, or a transfer or operation of its
 * ended): a transfer to add, a pause to time, an end to retire; a
 * SCRIPTING one waits for its operation's wake. */
static void hand_to_loop(worker *w, tw_customer *c)
{
	slot *sl = slot_of(c);
	size_t i = (size_t)(sl - w->slots);
	if (c->state != TW_CUSTOMER_PAUSED)
		tw_timer_heap_remove(&w->paused, i);
	switch (c->state) {
	case TW_CUSTOMER_WAITING:
		curl_multi_add_handle(w->multi, c->xfer.easy);
		break;
	case TW_CUSTOMER_PAUSED:
		tw_timer_heap_set(&w->paused, i, c->wake_at_ms);
		break;
	case TW_CUSTOMER_DONE:
		if (!sl->retiring && w->retire_count < w->slot_count) {
			sl->retiring = true;
			w->retire[w->retire_count++] = i;
		}
		break;
	default:
		break;
	}
}

/* The time of the k-th arrival (from 0) since the start, for a rate that
 * rises linearly from 0 over ramp_ms, then stays: the inverse of the
 * arrivals-so-far curve. */
static double arrival_ms(double k, double rate_per_ms, double ramp_ms)
{
	if (ramp_ms <= 0)
		return k / rate_per_ms;
	double ramp_arrivals = rate_per_ms * ramp_ms / 2;
	if (k < ramp_arrivals)
		return sqrt(2 * ramp_ms * k / rate_per_ms);
	return ramp_ms + (k - ramp_arrivals) / rate_per_ms;
}

/* Makes a finished performance the shown result, keeping the shown one's
 * name and path: the two swap, so nothing is copied and the slot gets
 * the old shown result's memory back to lay its next performance in
 * (tw_rehearsal_result_reuse empties it). */
static void adopt(tw_rehearsal_result *shown, tw_rehearsal_result *perf)
{
	tw_rehearsal_result old = *shown;
	*shown = *perf;
	shown->path = old.path;
	shown->name = old.name;
	shown->plan = old.plan;
	old.path = perf->path;
	old.name = perf->name;
	old.plan = perf->plan;
	*perf = old;
}

/* Techweek's limit is not the service's failure: it does not count
 * towards --max-failures. */
static bool is_failure(tw_status s)
{
	return s != TW_STATUS_PASSED && s != TW_STATUS_LIMITED;
}

/* Which performance reports show: the first that failed, else the first
 * that ended at techweek's limit, else the first; one cut off by the
 * run's end only when no other ended. */
static int show_rank(const tw_rehearsal_result *r)
{
	return r->interrupted                     ? 0
	       : is_failure(r->status)            ? 3
	       : r->status == TW_STATUS_LIMITED   ? 2
						  : 1;
}

/* A performance ended: its figures, then the shown result (the first that
 * failed, else the first), then its memory back. */
static int performance_done(worker *w, slot *sl)
{
	schedule *sc = w->sched;
	tw_rehearsal_result *r = &sl->result;
	int rc = tw_rehearsal_metrics_add(&w->metrics[sl->rehearsal], r);
	bool failed = is_failure(r->status) && !r->interrupted;
	atomic_fetch_add(&sc->done, 1);
	atomic_fetch_sub(&sc->in_flight, 1);
	if (failed) {
		unsigned long long f = atomic_fetch_add(&sc->failed, 1) + 1;
		unsigned long max = w->run->opts.max_failures;
		if (max && f >= max && !atomic_exchange(&sc->closing, 1))
			w->run->stop_reason = TW_STOP_MAX_FAILURES;
	}
	/* --cookie-jar: the first performance's jar, whatever its outcome;
	 * one performance has ticket 1, so one worker writes it. */
	if (w->run->opts.keep_cookies && sl->c.performance == 1 && sl->c.jar &&
	    !(w->run->cookies = tw_transfer_jar_text(sl->c.jar)) && rc == TW_OK)
		rc = TW_ENOMEM;
	pthread_mutex_lock(&sc->shown_lock);
	tw_rehearsal_result *shown = &w->run->rehearsals[sl->rehearsal];
	if (!shown->scenes || show_rank(r) > show_rank(shown))
		adopt(shown, r);
	pthread_mutex_unlock(&sc->shown_lock);
	/* issue 15, LIFE: the slot keeps its handle, jar and result memory
	 * for its next customer, emptied */
	tw_customer_end(&sl->c);
	tw_vars_free(sl->row_vars); /* after the customer reading through to it */
	sl->row_vars = NULL;
	sl->busy = false;
	w->busy--;
	return rc;
}

/* issue 13, DATA: performance `round` (from 0, in this run) of rehearsal
 * ri: its number as unsharded, and the row of its data it takes into
 * sl->row_vars (NULL without data). */
static int take_row(worker *w, slot *sl, size_t ri, unsigned long long ticket,
		    unsigned long round)
{
	schedule *sc = w->sched;
	tw_run *run = w->run;
	unsigned long long seq = sc->by_performance
					 ? (unsigned long long)round * sc->shard_n + sc->shard_me + 1
					 : (unsigned long long)round + 1;
	sl->result.seq = seq;
	sl->row_vars = NULL;
	const tw_data_use *u = run->data ? run->data[ri] : NULL;
	if (!u)
		return TW_OK;
	uint64_t all = sc->open ? (sc->by_performance ? ticket * sc->shard_n + sc->shard_me : ticket)
				: tw_tickets_of(&sc->unsharded, u->index, (unsigned long)(seq - 1));
	size_t row = tw_rows_pick(run, ri, seq, all);
	sl->result.data_row = u->file->lines[row];
	sl->result.data_file = strdup(u->name);
	tw_error e = {0};
	int rc = sl->result.data_file ? tw_rows_vars(&sl->row_vars, run, ri, row, &e) : TW_ENOMEM;
	if (rc != TW_OK) {
		/* The pre-flight expanded the cast with a row: only memory can
		 * fail here. */
		tw_vars_free(sl->row_vars);
		sl->row_vars = NULL;
		if (e.code)
			tw_error_move(&w->err, &e);
		else
			tw_error_set(&w->err, TW_ENOMEM, "out of memory");
		return rc;
	}
	return TW_OK;
}

/* Starts one performance of rehearsal index ri in a free slot. */
static int start_performance(worker *w, size_t ri, unsigned long long ticket,
			     unsigned long round)
{
	size_t free_slot; /* issue 15, LOOP */
	if (!tw_slot_stack_pop(&w->free_slots, &free_slot))
		return tw_error_set(&w->err, TW_EINTERNAL, "no free customer for a performance");
	slot *sl = &w->slots[free_slot];
	tw_run *run = w->run;
	/* issue 15, LIFE: laid out in the memory the slot's last performance
	 * used; freed at the run's end */
	if (tw_rehearsal_result_reuse(&sl->result, run->rehearsals[ri].plan) != TW_OK)
		return tw_error_set(&w->err, TW_ENOMEM, "out of memory");
	sl->rehearsal = ri;
	/* A second's text is written once, however many start in it. */
	time_t now_s = time(NULL);
	if (now_s != sl->result.started_s || !sl->result.started_at[0]) {
		iso_time(sl->result.started_at, now_s);
		sl->result.started_s = now_s;
	}
	int taken = take_row(w, sl, ri, ticket, round); /* issue 13, DATA */
	if (taken != TW_OK)
		return taken;
	tw_error e = {0};
	if (tw_customer_init(&sl->c, run, &sl->result,
			     sl->row_vars ? sl->row_vars : run->casts[ri], &e) != TW_OK) {
		/* The pre-flight performed the same setup: only memory can
		 * fail here. */
		tw_customer_end(&sl->c);
		tw_vars_free(sl->row_vars);
		sl->row_vars = NULL;
		int rc = e.code;
		tw_error_move(&w->err, &e);
		return rc ? rc : TW_ENOMEM;
	}
	sl->c.performance = ticket + 1;
	sl->c.wake = &w->wake; /* issue 14, F1: woken by operations off the loop */
	sl->c.xfer.sockets = &w->sockets; /* issue 15 */
	sl->c.offload.gate = &w->gate; /* issue 14, F5 */
	/* issue 13, GEN: {{seq}}, {{customer}} and the random values */
	schedule *sc = w->sched;
	tw_customer_generate(&sl->c, run->seed, sc->streams ? sc->streams[ri] : ri,
			     sl->result.seq,
			     w->first_customer + (size_t)(sl - w->slots) + 1);
	sl->busy = true;
	w->busy++;
	atomic_fetch_add(&w->sched->in_flight, 1);
	sl->c.state = TW_CUSTOMER_READY;
	tw_customer_advance(&sl->c, tw_clock_ms());
	hand_to_loop(w, &sl->c);
	return TW_OK;
}

/* Starts what the schedule allows now. Returns false when it will start
 * nothing more. *next_ms: when an arrival is next due (open model). */
static bool schedule_more(worker *w, double now, double *next_ms)
{
	schedule *sc = w->sched;
	tw_run *run = w->run;
	if (atomic_load(&sc->closing) || run->stop)
		return false;
	if (!sc->open) {
		while (w->busy < w->slot_count) {
			unsigned long long t = atomic_fetch_add(&sc->next_ticket, 1);
			if (t >= run->planned)
				return false;
			size_t k;
			unsigned long round;
			tw_tickets_at(&sc->tickets, t, &k, &round); /* issue 13, DATA */
			w->rc = start_performance(w, sc->runnable[k], t, round);
			if (w->rc)
				return false;
		}
		return true;
	}
	double since = now - sc->t0_ms, rate_ms = w->rate / 1000.0;
	double ramp = (double)run->opts.ramp_ms;
	for (;;) {
		double due = arrival_ms((double)w->arrivals, rate_ms, ramp);
		if (due >= (double)run->opts.duration_ms)
			return false;
		if (due > since) {
			*next_ms = sc->t0_ms + due;
			return true;
		}
		w->arrivals++;
		if (w->busy >= w->slot_count) {
			atomic_fetch_add(&sc->dropped, 1);
			continue;
		}
		unsigned long long t = atomic_fetch_add(&sc->next_ticket, 1);
		/* issue 15, LOOP: how late this start is */
		double lag = tw_clock_ms() - (sc->t0_ms + due);
		tw_histogram_record(w->start_lag, lag > 0 ? lag : 0);
		w->rc = start_performance(w, sc->runnable[t % sc->runnable_count], t,
					  (unsigned long)(t / sc->runnable_count));
		if (w->rc)
			return false;
	}
}

/* issue 15, LOOP: takes the ended operations off the wake's list and
 * carries on with their customers. A listed operation may have been
 * joined since (an interrupt): its customer is no longer SCRIPTING. */
static void offloads_ended(worker *w, double now)
{
	tw_offload *o = tw_wake_take_ended(&w->wake);
	while (o) {
		/* each tw_offload is a customer's, in one of this worker's slots */
		tw_customer *c = (tw_customer *)(void *)((char *)o - offsetof(tw_customer, offload));
		o = tw_offload_next_ended(o);
		if (c->state == TW_CUSTOMER_SCRIPTING && tw_offload_done(&c->offload)) {
			tw_customer_offload_done(c, now);
			hand_to_loop(w, c);
		}
	}
}

/* A second tw_run_stop: the transfers under way are cut. Once per run:
 * the only walk over every slot while the loop runs. */
static void abort_in_flight(worker *w, double now)
{
	w->aborted = true;
	for (size_t i = 0; i < w->slot_count; i++) {
		tw_customer *c = &w->slots[i].c;
		if (!w->slots[i].busy)
			continue;
		if (c->state == TW_CUSTOMER_WAITING)
			curl_multi_remove_handle(w->multi, c->xfer.easy);
		tw_customer_interrupt(c, now);
		hand_to_loop(w, c);
	}
	/* Every operation was joined: none is left on the wake's list when
	 * its customer is retired (a slot reused must not be listed). */
	offloads_ended(w, now);
}

/* Wakes the paused customers that are due; a stopping run cuts think
 * time short, so then every one is. */
static void wake_paused(worker *w, double now)
{
	bool stopping = w->run->stop != 0;
	size_t i;
	while (tw_timer_heap_pop_due(&w->paused, stopping ? INFINITY : now, &i)) {
		tw_customer *c = &w->slots[i].c;
		if (c->wake_at_ms > now)
			c->wake_at_ms = now; /* only when stopping */
		tw_customer_advance(c, now);
		hand_to_loop(w, c);
	}
}

/* Retires the performances that ended; their slots are free again. */
static void retire_done(worker *w)
{
	for (size_t k = 0; k < w->retire_count; k++) {
		size_t i = w->retire[k];
		slot *sl = &w->slots[i];
		sl->retiring = false;
		if (!sl->busy)
			continue;
		if (performance_done(w, sl) != TW_OK && w->rc == TW_OK)
			w->rc = tw_error_set(&w->err, TW_ENOMEM, "out of memory");
		tw_slot_stack_push(&w->free_slots, i);
	}
	w->retire_count = 0;
}

static void transfers_done(worker *w)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(w->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode result = msg->data.result;
		tw_customer *c = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
		curl_multi_remove_handle(w->multi, easy);
		tw_customer_transfer_done(c, result, tw_clock_ms());
		hand_to_loop(w, c);
	}
}

/* libcurl's CURLMOPT_SOCKETFUNCTION: watch s for what it asks. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)easy;
	(void)socketp;
	tw_watch_socket(&((worker *)userp)->watch, s, what);
	return 0;
}

/* libcurl's CURLMOPT_TIMERFUNCTION: when it wants to be called with
 * CURL_SOCKET_TIMEOUT (never from here: the loop does it). */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	worker *w = userp;
	w->curl_due_ms = timeout_ms < 0 ? -1 : tw_clock_ms() + (double)timeout_ms;
	return 0;
}

#define LOOP_EVENTS 256

/* Sleeps in epoll for wait_ms at most, to the microsecond where the
 * kernel can (epoll_pwait2, Linux 5.11): epoll_wait's whole milliseconds
 * would start each arrival of an open model up to a millisecond late. */
static int loop_wait(worker *w, struct epoll_event *evs, double wait_ms)
{
	if (wait_ms <= 0)
		return epoll_wait(w->epfd, evs, LOOP_EVENTS, 0);
	if (!w->no_pwait2) {
		double whole = floor(wait_ms / 1000);
		struct timespec ts = {.tv_sec = (time_t)whole,
				      .tv_nsec = (long)((wait_ms - whole * 1000) * 1e6)};
		int n = epoll_pwait2(w->epfd, evs, LOOP_EVENTS, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		w->no_pwait2 = true; /* an older kernel, or valgrind */
	}
	return epoll_wait(w->epfd, evs, LOOP_EVENTS, (int)ceil(wait_ms));
}

static void *work(void *arg)
{
	worker *w = arg;
	schedule *sc = w->sched;
	bool more = true;
	int running = 0;
	struct epoll_event evs[LOOP_EVENTS];
	while (w->rc == TW_OK) {
		double now = tw_clock_ms(), next_arrival = 0;
		if (more)
			more = schedule_more(w, now, &next_arrival);
		if (w->rc)
			break;
		retire_done(w); /* a start that ended at once */
		if (!more && w->busy == 0)
			break;
		if (atomic_load(&w->run->cut) && !w->aborted) {
			abort_in_flight(w, now);
			retire_done(w);
			continue;
		}

		/* How long the loop may sleep: until libcurl's timer, the next
		 * paused customer's wake-up or the next arrival; a second at
		 * most, as a backstop (every change is signalled). */
		double wait_ms = 1000;
		if (more && sc->open && next_arrival > 0)
			wait_ms = fmin(wait_ms, next_arrival - now);
		if (w->curl_due_ms >= 0)
			wait_ms = fmin(wait_ms, w->curl_due_ms - now);
		size_t top;
		double top_due;
		if (tw_timer_heap_peek(&w->paused, &top, &top_due))
			wait_ms = w->run->stop ? 0 : fmin(wait_ms, top_due - now);
		int n = loop_wait(w, evs, wait_ms);
		for (int k = 0; k < n; k++) {
			int fd = evs[k].data.fd;
			if (fd == w->wake.fd) {
				tw_wake_clear(&w->wake);
				continue;
			}
			if (!tw_watch_event(&w->watch, fd))
				continue; /* a kept-alive connection no transfer uses */
			uint32_t e = evs[k].events;
			int flags = (e & EPOLLIN ? CURL_CSELECT_IN : 0) |
				    (e & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
				    (e & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
			curl_multi_socket_action(w->multi, fd, flags, &running);
		}
		now = tw_clock_ms();
		if (w->curl_due_ms >= 0 && now >= w->curl_due_ms) {
			w->curl_due_ms = -1; /* libcurl sets it again if it must */
			curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		}
		transfers_done(w);
		/* issue 14, F1/F6: ended operations first, so that a turn that
		 * ends in a pause is timed below */
		offloads_ended(w, now);
		wake_paused(w, tw_clock_ms());
		retire_done(w);
	}
	pthread_mutex_lock(&sc->idle_lock);
	sc->workers_left--;
	pthread_cond_signal(&sc->idle);
	pthread_mutex_unlock(&sc->idle_lock);
	return NULL;
}

/* issue 15, LOOP: sets worker w's loop up: its epoll, its wake, and
 * libcurl's callbacks into them. TW_OK; TW_EINTERNAL (in err) when the
 * kernel gives no descriptor for them. */
static int loop_init(worker *w, tw_error *err)
{
	w->curl_due_ms = -1;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0 || tw_wake_init(&w->wake) != TW_OK)
		return tw_error_set(err, TW_EINTERNAL, "cannot set up a worker's event loop: %s",
				    strerror(errno));
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = w->wake.fd};
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake.fd, &ev) != 0)
		return tw_error_set(err, TW_EINTERNAL, "cannot set up a worker's event loop: %s",
				    strerror(errno));
	tw_watch_init(&w->watch, w->epfd);
	w->sockets = (tw_transfer_sockets){tw_watch_opened, tw_watch_closed, &w->watch};
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	return TW_OK;
}

/* ---- setting up ---- */

/* Every secret must be known before the first request, every environment
 * variable set, and every cast entry given: checked once here by expanding
 * the cast every customer will share. A rehearsal that fails this is
 * broken and not scheduled. */
static int preflight(tw_run *run, size_t i, tw_error *err)
{
	tw_rehearsal_result *r = &run->rehearsals[i];
	if (!r->plan || r->status == TW_STATUS_BROKEN)
		return TW_OK;
	/* issue 13, DATA: a rehearsal that takes rows (runner/rows.c) */
	if (r->plan->script->data_path || run->opts.data)
		return tw_rows_prepare(run, i, &run->casts[i], err);
	tw_error e = {0};
	int rc = tw_customer_cast(&run->casts[i], run, r, &e);
	if (rc == TW_ENOMEM) {
		tw_error_clear(&e);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	if (rc != TW_OK) {
		r->status = TW_STATUS_BROKEN;
		tw_error_move(&r->problem, &e);
	}
	return TW_OK;
}

static void redact_problem(tw_run *run, tw_error *p)
{
	char *m = tw_run_redact(run, p->message), *l = tw_run_redact(run, p->source_line);
	free(p->message);
	free(p->source_line);
	p->message = m;
	p->source_line = l;
}

static void progress_now(tw_run *run, schedule *sc, bool stopping)
{
	if (!run->opts.progress)
		return;
	tw_progress p = {
		.elapsed_ms = tw_clock_ms() - sc->t0_ms,
		.done = atomic_load(&sc->done),
		.planned = sc->open ? 0 : run->planned,
		.failed = atomic_load(&sc->failed),
		.in_flight = atomic_load(&sc->in_flight),
		.dropped = atomic_load(&sc->dropped),
		.duration_ms = sc->open ? (double)run->opts.duration_ms : 0,
		.stopping = stopping,
	};
	run->opts.progress(&p, run->opts.progress_ctx);
}

void tw_run_stop(tw_run *run)
{
	if (!run)
		return;
	int s = run->stop;
	run->stop = s < 2 ? s + 1 : 2;
}

static int run_workers(tw_run *run, schedule *sc, worker *ws, unsigned jobs, tw_error *err)
{
	unsigned started = 0;
	int rc = TW_OK;
	for (; started < jobs; started++) {
		pthread_mutex_lock(&sc->idle_lock);
		sc->workers_left++;
		pthread_mutex_unlock(&sc->idle_lock);
		if (pthread_create(&ws[started].thread, NULL, work, &ws[started]) != 0) {
			pthread_mutex_lock(&sc->idle_lock);
			sc->workers_left--;
			pthread_mutex_unlock(&sc->idle_lock);
			rc = tw_error_set(err, TW_EINTERNAL, "cannot start worker thread %u", started + 1);
			atomic_store(&sc->closing, 1);
			break;
		}
	}
	/* Progress, and stop requests relayed to the loops, until every
	 * worker is done. A stop that is not heeded within the step timeout
	 * turns into an abort. */
	long tick = run->opts.progress_ms > 0 ? run->opts.progress_ms : 1000;
	if (tick > 100)
		tick = 100; /* how soon a stop request is relayed */
	double next_progress = tw_clock_ms() + (double)run->opts.progress_ms;
	int seen_stop = 0;
	double stop_at = 0;
	bool shown = false; /* a run too short for progress gets none at the end */
	pthread_mutex_lock(&sc->idle_lock);
	while (sc->workers_left > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += tick * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&sc->idle, &sc->idle_lock, &ts);
		pthread_mutex_unlock(&sc->idle_lock);
		double now = tw_clock_ms();
		int stop = run->stop;
		if (stop && !seen_stop) {
			stop_at = now;
			if (run->stop_reason == TW_STOP_NONE)
				run->stop_reason = TW_STOP_INTERRUPTED;
		}
		if (stop == 1 && stop_at && now - stop_at > (double)run->opts.timeout_ms)
			tw_run_stop(run), stop = run->stop;
		/* An open model ends within its duration plus the step timeout,
		 * whatever the service does. */
		bool overdue = sc->open && now - sc->t0_ms >
			(double)run->opts.duration_ms + (double)run->opts.timeout_ms;
		/* the transfers under way are cut, and the calls' stop request
		 * (caller.c run_cut) says so to a document or script */
		if ((stop > 1 || overdue) && !atomic_exchange(&run->cut, 1))
			for (unsigned i = 0; i < started; i++)
				tw_wake_signal(&ws[i].wake);
		if (stop != seen_stop) {
			atomic_store(&sc->closing, 1);
			for (unsigned i = 0; i < started; i++)
				tw_wake_signal(&ws[i].wake);
			seen_stop = stop;
			progress_now(run, sc, true);
			shown = true;
		}
		if (now >= next_progress) {
			progress_now(run, sc, atomic_load(&sc->closing) != 0);
			shown = true;
			next_progress = now + (double)run->opts.progress_ms;
		}
		pthread_mutex_lock(&sc->idle_lock);
	}
	pthread_mutex_unlock(&sc->idle_lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].thread, NULL);
	if (shown)
		progress_now(run, sc, false);
	return rc;
}

static bool performable(const tw_rehearsal_result *r)
{
	return r->plan && r->status != TW_STATUS_BROKEN;
}

/*
 * Keeps this shard's share of the run (docs/sharding.md). With at least N
 * performable rehearsals, the k-th of them (from 0, in the order added)
 * belongs to shard k % N + 1 and the others are dropped from the run, so
 * no report shows them; the open model's rate shrinks with the share of
 * the rehearsals kept, so each rehearsal sees the arrivals it would have
 * seen unsharded. With fewer, every shard keeps every rehearsal and
 * performs its share of the performances (the first shards take the
 * remainder) or of the rate; a shard whose share is no performance (one
 * performance, two shards) keeps none of them. Broken scripts stay with
 * shard 1 only, so a merge reports each once. A shard left holding
 * nothing had nothing to do: its verdict is never READY (score.c), and
 * the merge counts it as a shard that lost nothing (json_read.c).
 */
static void keep_shard(tw_run *run, unsigned long *counts, double *rate)
{
	unsigned n = run->opts.shard_count;
	unsigned me = run->opts.shard_index - 1;
	size_t k = 0;
	for (size_t i = 0; i < run->count; i++)
		k += performable(&run->rehearsals[i]);
	bool by_rehearsal = k >= n;
	run->shard_mode = by_rehearsal ? TW_SHARD_REHEARSALS : TW_SHARD_PERFORMANCES;
	size_t kept = 0, ordinal = 0, mine = 0;
	for (size_t i = 0; i < run->count; i++) {
		tw_rehearsal_result *r = &run->rehearsals[i];
		bool broken = !performable(r);
		bool keep = tw_shard_holds(broken, ordinal, by_rehearsal, *rate > 0, counts[i],
					   n, me);
		if (!broken) {
			ordinal++;
			mine += keep;
		}
		if (!keep) {
			tw_rehearsal_result_free(r);
			tw_script_free(run->scripts[i]);
			tw_plan_free(run->plans[i]);
			tw_vars_free(run->casts[i]);
			if (run->data) /* issue 13, DATA */
				tw_data_use_free(run->data[i]);
			continue;
		}
		if (kept != i) {
			run->rehearsals[kept] = *r;
			run->scripts[kept] = run->scripts[i];
			run->plans[kept] = run->plans[i];
			run->casts[kept] = run->casts[i];
			if (run->data) /* issue 13, DATA */
				run->data[kept] = run->data[i];
		}
		/* issue 13, DATA: each its own count; shared by performances,
		 * this shard's are the numbers me+1, me+1+n, ... */
		counts[kept] = by_rehearsal ? counts[i] : tw_shard_share(counts[i], n, me);
		kept++;
	}
	run->count = kept;
	if (by_rehearsal) {
		if (k)
			*rate = *rate * (double)mine / (double)k;
	} else {
		*rate /= n;
	}
}

/* issue 13, GEN: each rehearsal's place in the lineup (the unsharded
 * run's order), which seeds its random values beside the run's seed and
 * its performance's number. */
static void gen_streams(tw_run *run, schedule *sc)
{
	/* A shard keeps the lineup's order: one walk finds each place. */
	sc->streams = calloc(run->count ? run->count : 1, sizeof(*sc->streams));
	for (size_t i = 0, j = 0; sc->streams && i < run->count; i++) {
		const char *path = run->rehearsals[i].path ? run->rehearsals[i].path : "";
		while (j < run->lineup_count && strcmp(run->lineup[j].path, path) != 0)
			j++;
		sc->streams[i] = j < run->lineup_count ? j++ : i;
	}
}

/* issue 15, LOOP: what a run of `customers` customers may hold open at
 * once: a connection and a little (a call's sandbox, a resolver's
 * socket) per customer, plus techweek's own (reports, epolls, eventfds,
 * the stage of a test) */
#define FDS_PER_CUSTOMER 2
#define FDS_SLACK 64

int tw_run_reserve_fds(tw_run *run, tw_error *err)
{
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "no run");
	unsigned long customers = run->opts.customers ? run->opts.customers : 1;
	rlim_t need = (rlim_t)customers * FDS_PER_CUSTOMER + FDS_SLACK;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= need)
		return TW_OK;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		return tw_error_set(err, TW_EUSAGE,
				    "--customers %lu needs about %llu open files, but the hard "
				    "limit on them (RLIMIT_NOFILE) is %llu: raise it (ulimit -n %llu, "
				    "or ulimit -Hn as root) or run fewer customers",
				    customers, (unsigned long long)need,
				    (unsigned long long)rl.rlim_max, (unsigned long long)need);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return tw_error_set(err, TW_EUSAGE,
				    "--customers %lu needs about %llu open files, and the limit on "
				    "them (RLIMIT_NOFILE) could not be raised: %s (ulimit -n %llu)",
				    customers, (unsigned long long)need, strerror(errno),
				    (unsigned long long)need);
	return TW_OK;
}

int tw_run_execute(tw_run *run, tw_error *err)
{
	/* issue 15, LOOP: descriptors for every customer, before anything
	 * is sent (the run left as it was when there cannot be enough) */
	if (run && !run->executed && tw_run_reserve_fds(run, err) != TW_OK)
		return TW_EUSAGE;
	int begun = tw_run_execute_begin(run, err);
	if (begun != TW_OK)
		return begun;
	iso_now(run->started_at);
	double t0 = tw_clock_ms();
	const tw_run_options *o = &run->opts;
	int rc = TW_OK;
	/* issue 13, GEN and DATA: the seed of every random value and
	 * `random` data row: --seed, else drawn. */
	run->seed = run->opts.seed_set ? run->opts.seed : tw_seed_draw();
	for (size_t i = 0; rc == TW_OK && i < run->count; i++)
		if (run->rehearsals[i].plan && run->rehearsals[i].status != TW_STATUS_BROKEN &&
		    collect_secrets(run, &run->rehearsals[i]) != TW_OK)
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	run->casts = calloc(run->count ? run->count : 1, sizeof(*run->casts));
	if (!run->casts)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	for (size_t i = 0; rc == TW_OK && i < run->count; i++)
		rc = preflight(run, i, err);
	/* Messages from setup are redacted now that every secret is known. */
	for (size_t i = 0; i < run->count; i++)
		redact_problem(run, &run->rehearsals[i].problem);

	/* The plan, then this shard's share of it. */
	unsigned long performances = o->performances ? o->performances : 1;
	double rate = o->rate;
	if (rc == TW_OK && tw_run_record_lineup(run) != TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	/* issue 13, DATA: each rehearsal's own count of performances (a
	 * `once` file's rows), as unsharded, then this shard's. */
	schedule sc = {.run = run, .open = rate > 0};
	unsigned long *counts = calloc(run->count ? run->count : 1, sizeof(*counts));
	if (rc == TW_OK && !counts)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	for (size_t i = 0; rc == TW_OK && i < run->count; i++) {
		counts[i] = performable(&run->rehearsals[i])
				    ? tw_rows_performances(run, i, performances)
				    : 0;
		if (!sc.open && counts[i] != performances && i < run->lineup_count)
			run->lineup[i].performances = counts[i]; /* merge checks shards by it */
	}
	if (rc == TW_OK && tw_tickets_init(&sc.unsharded, counts, run->count) != TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	if (rc == TW_OK && o->shard_count > 0 && o->shard_index >= 1 &&
	    o->shard_index <= o->shard_count) {
		keep_shard(run, counts, &rate);
		sc.by_performance = run->shard_mode == TW_SHARD_PERFORMANCES;
		sc.shard_n = o->shard_count;
		sc.shard_me = o->shard_index - 1;
	}

	run->metrics = calloc(run->count ? run->count : 1, sizeof(*run->metrics));
	gen_streams(run, &sc); /* issue 13, GEN */
	sc.runnable = calloc(run->count ? run->count : 1, sizeof(*sc.runnable));
	if (rc == TW_OK && (!run->metrics || !sc.runnable))
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	/* Every rehearsal gets its figures, even when setup failed (out of
	 * memory): the reports of what was performed read them. */
	for (size_t i = 0; run->metrics && i < run->count; i++) {
		tw_rehearsal_result *r = &run->rehearsals[i];
		if (tw_rehearsal_metrics_init(&run->metrics[i], r->plan) != TW_OK) {
			if (rc == TW_OK)
				rc = tw_error_set(err, TW_ENOMEM, "out of memory");
		} else if (!r->plan || r->status == TW_STATUS_BROKEN) {
			run->metrics[i].broken = 1;
		} else if (rc == TW_OK) {
			sc.runnable[sc.runnable_count++] = i;
		}
	}
	unsigned jobs = o->jobs ? o->jobs : 1;
	unsigned long customers = o->customers ? o->customers : 1;
	/* issue 13, DATA: the tickets, a count per runnable rehearsal */
	for (size_t k = 0; rc == TW_OK && counts && k < sc.runnable_count; k++)
		counts[k] = counts[sc.runnable[k]];
	if (rc == TW_OK && tw_tickets_init(&sc.tickets, counts, sc.runnable_count) != TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	free(counts);
	if (!sc.open)
		run->planned = sc.tickets.total;
	if (jobs > customers)
		jobs = (unsigned)customers;
	worker *ws = calloc(jobs, sizeof(*ws));
	tw_histogram *start_lag = tw_histogram_new(); /* issue 15, LOOP */
	if (rc == TW_OK && (!ws || !start_lag))
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");

	pthread_mutex_init(&sc.shown_lock, NULL);
	pthread_mutex_init(&sc.idle_lock, NULL);
	pthread_cond_init(&sc.idle, NULL);
	sc.t0_ms = tw_clock_ms();
	for (unsigned i = 0; rc == TW_OK && i < jobs; i++) {
		worker *w = &ws[i];
		w->sched = &sc;
		w->run = run;
		w->slot_count = customers / jobs + (i < customers % jobs);
		w->first_customer = i ? ws[i - 1].first_customer + ws[i - 1].slot_count : 0;
		w->rate = rate / jobs;
		w->epfd = w->wake.fd = -1; /* issue 15, LOOP: none yet */
		w->multi = curl_multi_init();
		w->gate.max = tw_offload_gate_cap(); /* issue 14, F5 */
		w->slots = calloc(w->slot_count, sizeof(*w->slots));
		w->metrics = calloc(run->count ? run->count : 1, sizeof(*w->metrics));
		w->retire = calloc(w->slot_count, sizeof(*w->retire));
		w->start_lag = tw_histogram_new();
		if (!w->multi || !w->slots || !w->metrics || !w->retire || !w->start_lag ||
		    tw_slot_stack_init(&w->free_slots, w->slot_count) != TW_OK ||
		    tw_timer_heap_init(&w->paused, w->slot_count) != TW_OK)
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
		if (rc == TW_OK)
			rc = loop_init(w, err);
		for (size_t r = 0; rc == TW_OK && r < run->count; r++)
			if (tw_rehearsal_metrics_init(&w->metrics[r], run->rehearsals[r].plan))
				rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	if (rc == TW_OK && sc.runnable_count > 0)
		rc = run_workers(run, &sc, ws, jobs, err);

	for (unsigned i = 0; ws && i < jobs; i++) {
		worker *w = &ws[i];
		if (rc == TW_OK && w->rc != TW_OK) {
			rc = w->rc;
			tw_error_move(err, &w->err);
		}
		tw_error_clear(&w->err);
		/* issue 15, LIFE: an idle slot keeps memory too */
		for (size_t s = 0; w->slots && s < w->slot_count; s++) {
			if (w->slots[s].busy && w->slots[s].c.xfer.easy)
				curl_multi_remove_handle(w->multi, w->slots[s].c.xfer.easy);
			tw_customer_free(&w->slots[s].c);
			tw_vars_free(w->slots[s].row_vars);
			tw_rehearsal_result_free(&w->slots[s].result);
		}
		for (size_t r = 0; w->metrics && r < run->count; r++) {
			if (rc == TW_OK && run->metrics &&
			    tw_rehearsal_metrics_merge(&run->metrics[r], &w->metrics[r]) != TW_OK)
				rc = tw_error_set(err, TW_ENOMEM, "out of memory");
			tw_rehearsal_metrics_free(&w->metrics[r]);
		}
		free(w->metrics);
		free(w->slots);
		if (w->multi)
			curl_multi_cleanup(w->multi);
		/* issue 15, LOOP: after every operation that may signal the
		 * wake was joined (tw_customer_free) and libcurl let go of its
		 * sockets (curl_multi_cleanup) */
		if (w->epfd >= 0)
			close(w->epfd);
		tw_watch_free(&w->watch);
		tw_wake_free(&w->wake);
		free(w->retire);
		tw_slot_stack_free(&w->free_slots);
		tw_timer_heap_free(&w->paused);
		if (w->start_lag && start_lag)
			tw_histogram_merge(start_lag, w->start_lag);
		tw_histogram_free(w->start_lag);
	}
	free(ws);
	/* issue 15, LOOP: the open model's lateness of its starts */
	if (sc.open && start_lag && tw_histogram_count(start_lag) > 0) {
		run->start_lag.set = true;
		run->start_lag.exact = true;
		run->start_lag.p50_ms = tw_histogram_percentile(start_lag, 50);
		run->start_lag.p99_ms = tw_histogram_percentile(start_lag, 99);
		run->start_lag.max_ms = tw_histogram_max(start_lag);
	}
	tw_histogram_free(start_lag);
	/* A worker takes a ticket before it knows the plan is done: the
	 * closed model never starts more than it planned, none if none. */
	run->started = atomic_load(&sc.next_ticket);
	if (!sc.open && run->started > run->planned)
		run->started = run->planned;
	run->dropped = atomic_load(&sc.dropped);
	pthread_cond_destroy(&sc.idle);
	pthread_mutex_destroy(&sc.idle_lock);
	pthread_mutex_destroy(&sc.shown_lock);
	free(sc.runnable);
	free(sc.streams); /* issue 13, GEN */
	tw_tickets_free(&sc.tickets);
	tw_tickets_free(&sc.unsharded);
	run->elapsed_ms = tw_clock_ms() - t0;
	run->incomplete = rc != TW_OK;
	return rc;
}
