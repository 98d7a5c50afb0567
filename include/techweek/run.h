/*
 * A run: rehearsals performed against real endpoints, and what was measured.
 *
 * Its lifecycle, in this order:
 *
 *   tw_run_new                        options checked
 *   tw_run_add_script / _add_broken   each rehearsal, at least one
 *   tw_run_execute                    once
 *   the readers (techweek/result.h), tw_score_new, the reports
 *   tw_run_free
 *
 * A call out of order is refused with TW_EUSAGE and changes nothing:
 * tw_run_execute without a rehearsal or a second time, a rehearsal added
 * after it, a score or a report of a run never executed. (tw_run_load_parts
 * makes a run already past execute.) The readers work at any time: before
 * tw_run_execute they give the scripts' shape with every figure 0.
 *
 * A run that performed nothing is never READY: tw_run_verdict of a run
 * never executed, or of a shard left with no rehearsal (its share was
 * empty), is TW_VERDICT_UNREACHABLE ("the run could not be carried
 * out").
 */
#ifndef TECHWEEK_RUN_H
#define TECHWEEK_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "script.h"
#include "vars.h"

/* How a run is going, for a progress display. */
typedef struct tw_progress {
	double elapsed_ms;
	unsigned long long done;      /* performances finished */
	unsigned long long planned;   /* 0 when arrivals go on for a duration */
	unsigned long long failed;    /* finished and not achieved */
	unsigned long long in_flight;
	unsigned long long dropped;   /* arrivals that found no free customer */
	double duration_ms;           /* open model: how long arrivals last */
	int stopping;                 /* no more performances will start */
} tw_progress;

/* The version of tw_run_options this header declares. A program sets it
 * (tw_run_options_init or TW_RUN_OPTIONS_INIT). A new version only adds
 * fields at the end (and bumps this): tw_run_new reads the fields of the
 * version the caller declared, no byte past its last one, and gives every
 * later field its default, so a program built against an older header
 * keeps working; it refuses 0 and a version above its own (TW_EUSAGE). */
#define TW_RUN_OPTIONS_VERSION 4

/* tw_run_new (and tw_run_execute, for changes made through
 * tw_run_options_of) refuse a value outside the range given here with
 * TW_EUSAGE, naming the field and the value: nothing is quietly replaced. */
typedef struct tw_run_options {
	unsigned version;        /* TW_RUN_OPTIONS_VERSION: always first */
	const tw_vars *vars;     /* --var / --vars-file; borrowed, may be NULL */
	long connect_timeout_ms; /* per step; default 10000; >= 1 */
	long timeout_ms;         /* per step, whole transfer; default 30000; >= 1 */
	long max_redirects;      /* per step; default 10; >= 0 */
	size_t max_body;         /* bytes kept per response; default 8 MiB; from 1
				    to TW_MAX_BODY_LIMIT */
	bool insecure;           /* do not verify TLS peers */
	const char *cacert;      /* CA bundle to verify against; borrowed */
	const char *user_agent;  /* default "techweek/VERSION" */
	/* The phone: every loop an IVR can make is bounded. */
	int call_max_fetches;    /* documents fetched between two caller
				    actions (Redirect loops); default 20; >= 1 */
	double call_max_seconds; /* call clock per call; default 3600; > 0 */
	int call_max_loops;      /* plays of a Say/Play that loops; default 3; >= 1 */

	/* The schedule (docs/cli.md). Closed model: every rehearsal
	 * `performances` times, at most `customers` at once. Open model
	 * (rate > 0): performances start at `rate` a second (rising from 0
	 * over ramp_ms) for duration_ms, at most `customers` at once
	 * (arrivals beyond are dropped and counted). */
	unsigned long performances; /* default 1; >= 1 (closed model) */
	unsigned long customers;    /* default 1 (closed), 1000 (open); >= 1 */
	double rate;                /* per second; 0: closed model; finite, >= 0 */
	long duration_ms;           /* > 0 with a rate, else >= 0 (unused) */
	long ramp_ms;               /* >= 0 */
	unsigned jobs;              /* worker threads, each its own loop; default 1; >= 1 */
	double think_scale;         /* pause steps last this times as long; default 1; >= 0 */
	unsigned long max_failures; /* stop starting performances after this
				       many failed; 0: never */
	unsigned retries;           /* a visit, raw HTTP or call step whose
				       transfer failed is tried again this often */
	/* Called about every progress_ms from the thread running
	 * tw_run_execute while performances run; NULL: none. */
	void (*progress)(const tw_progress *p, void *ctx);
	void *progress_ctx;
	long progress_ms;           /* default 1000; >= 0 */

	/* Sharding (docs/sharding.md): this run is shard shard_index of
	 * shard_count (1-based: 1 <= shard_index <= shard_count; a 0-based
	 * index, as Kubernetes' JOB_COMPLETION_INDEX, is refused); 0/0: not
	 * sharded. With at least shard_count
	 * runnable rehearsals, the shard performs those whose index (in the
	 * order added, broken ones not counted) % shard_count ==
	 * shard_index - 1 and drops the others from the run; with fewer, it
	 * performs every rehearsal with its share of the performances
	 * (closed model) or of the rate (open model). Broken scripts are
	 * reported by shard 1 only. A shard whose share is empty (fewer
	 * performances than shards, or every script broken) keeps no
	 * rehearsal and performs nothing: its verdict is
	 * TW_VERDICT_UNREACHABLE, never READY, and the merge counts it as
	 * a shard that lost nothing. */
	unsigned shard_index;
	unsigned shard_count;

	/* Version 2 (issue 12, redirects): --no-follow: a request follows
	 * no redirect (the 3xx is the response) unless its script says
	 * `follow redirects on`; max_redirects still bounds those that do. */
	bool no_follow;
	/* Version 2 too: cookies (issue 12, capability 8): every customer's jar
	 * starts with the cookies of this Netscape cookie file (--cookies;
	 * borrowed; NULL: an empty jar; its values are masked in every report
	 * as secrets), and with keep_cookies the jar of the
	 * run's first performance is kept as it ends, whatever its outcome,
	 * for tw_run_write_cookies (--cookie-jar). */
	const char *cookies;
	bool keep_cookies;
	/* Version 2 too: --header: "Name: value" lines every request and page carries
	 * unless the step or the rehearsal sets that header (borrowed, may
	 * be NULL). A line that is not one (tw_header_line_name) is
	 * TW_EUSAGE. The value of one that carries credentials
	 * (Authorization, Proxy-Authorization, Cookie, or a name with token,
	 * key, secret, auth, pass or session in it) is masked in every
	 * report, as a {{secret}} is. */
	const char *const *headers;
	size_t header_count;
	/* Version 3 (issue 13, GEN): --seed. With seed_set, every
	 * performance's random values ({{uuid}}, {{random ...}}) come from
	 * seed (0 to 2^53 - 1), so a run is reproduced by giving the seed
	 * another run recorded (the JSON result's settings.seed); without it
	 * tw_run_execute draws one. */
	bool seed_set;
	unsigned long long seed;
	/* Version 3 (issue 13, DATA): --data: every rehearsal without its own
	 * `cast from` takes its performances' rows from this file, one
	 * cursor for the whole run (borrowed, may be NULL; tw_data_load). */
	const tw_data *data;
	/* Version 3 too: performances was chosen (--performances): a rehearsal
	 * whose `cast from ... once` would otherwise perform each row once
	 * performs that many (at most its rows). */
	bool performances_set;
	/* Version 4 (issue 14, CLOCK): the caller's pace on the call clock
	 * (docs/phone.md "The call clock"). speaking_rate: words a minute
	 * the IVR's speech takes, default 150, from 60 to 400; key_time_s:
	 * seconds a caller takes to key one digit, default 0.3, from 0 to
	 * 10. */
	double speaking_rate;
	double key_time_s;
	/* Version 4 too (issue 14, F2): the CPU time a call's ECMAScript may
	 * take in all (--call-script-time), default 1, from 0.01 to 60 s. */
	double script_time_s;
} tw_run_options;

/* The most tw_run_options.max_body may be: 4 GiB, as --max-body. A body
 * is kept in memory whole, and a buffer's size must leave room to grow. */
#define TW_MAX_BODY_LIMIT (4ULL << 30)

/* The run's verdict: the one answer to "does the curtain go up?", which
 * every report shows and the CLI exits with (the values are the exit
 * statuses, docs/cli.md). Computed once per run by tw_readiness_verdict
 * (harness/readiness/score.c). Every value but READY reads NOT READY. */
typedef enum tw_verdict {
	TW_VERDICT_READY = 0,        /* every journey met its bar, and the gate held */
	TW_VERDICT_NOT_READY = 1,    /* a journey fell short, or the gate or a minimum did not hold */
	TW_VERDICT_BROKEN = 2,       /* a script could not run as written */
	TW_VERDICT_UNREACHABLE = 3,  /* the run could not be carried out */
	TW_VERDICT_LIMITED = 5,      /* every journey that techweek could
					rehearse met its bar, but some of it
					reached techweek's own limits (an
					unsupported VoiceXML element, ...):
					not the service's fault, still no
					READY */
	TW_VERDICT_INTERRUPTED = 130, /* stopped (Ctrl-C) before it performed everything */
} tw_verdict;

/* "READY" or "NOT READY": the verdict's word, the same in every report. */
TW_EXTERN(const char *) tw_verdict_word(tw_verdict v);
/* The word with why: "READY: curtain up", "NOT READY",
 * "NOT READY: a script could not run", ... */
TW_EXTERN(const char *) tw_verdict_title(tw_verdict v);
/* The JSON result's "verdict": "passed", "failed", "script_error",
 * "unreachable", "limited", "interrupted". */
TW_EXTERN(const char *) tw_verdict_key(tw_verdict v);

/* The options with every default, as tw_run_options_init sets them:
 *   tw_run_options opts = TW_RUN_OPTIONS_INIT; */
#define TW_RUN_OPTIONS_INIT                                                            \
	{                                                                              \
		.version = TW_RUN_OPTIONS_VERSION, .connect_timeout_ms = 10000,        \
		.timeout_ms = 30000, .max_redirects = 10, .max_body = (size_t)8 << 20, \
		.call_max_fetches = 20, .call_max_seconds = 3600, .call_max_loops = 3, \
		.performances = 1, .customers = 1, .jobs = 1, .think_scale = 1,        \
		.progress_ms = 1000, .speaking_rate = 150, .key_time_s = 0.3,          \
		.script_time_s = 1,                                                    \
	}

/* True when s[0..n) is an HTTP token (RFC 9110): what a header name and
 * a cookie name are made of (letters, digits and !#$%&'*+-.^_`|~). */
TW_EXTERN(bool) tw_http_token(const char *s, size_t n);
/* The length of the name of a "Name: value" header line (the headers
 * option's), or 0 when line is not one: no token before its ':', or a CR
 * or LF in it. The techweek command checks --header with it. */
TW_EXTERN(size_t) tw_header_line_name(const char *line);

/* Sets *opts to TW_RUN_OPTIONS_INIT as of version (pass
 * TW_RUN_OPTIONS_VERSION): that version and its fields' defaults, nothing
 * past its last field, as libgit2's _options_init. TW_OK; TW_EUSAGE for
 * NULL, 0 or a version above this library's (*opts untouched). */
TW_EXTERN(int) tw_run_options_init(tw_run_options *opts, unsigned version);

typedef struct tw_run tw_run;

/* opts is copied, as its version (pointers in it are borrowed and must
 * outlive the run); NULL: the defaults. TW_OK; TW_EUSAGE when
 * opts->version is not one this library knows (0: not initialised, or
 * above its own: from a newer header) or a field is
 * out of its range (tw_run_options; err names the field and the value);
 * TW_ENOMEM; TW_EINTERNAL when libcurl could not be set up. *out is NULL
 * on failure. */
TW_EXTERN(int) tw_run_new(tw_run **out, const tw_run_options *opts, tw_error *err);
TW_EXTERN(void) tw_run_free(tw_run *run);

/* Adds a parsed script, before tw_run_execute; the run takes ownership of
 * script, also when it refuses it (it is freed then). The script is
 * checked (tw_script_check with opts.vars) whether or not the caller did:
 * one with problems is recorded as tw_run_add_broken records it (the
 * verdict is TW_VERDICT_BROKEN and the reports show the first problem)
 * and TW_ECHECK is returned with that problem in err. TW_OK; TW_ECHECK;
 * TW_EUSAGE (run or script NULL, or the run already executed); TW_ENOMEM
 * (nothing added). */
TW_EXTERN(int) tw_run_add_script(tw_run *run, tw_script *script, tw_error *err);

/* Records a script that could not be loaded or checked, so that reports
 * show it as an error and the verdict is TW_VERDICT_BROKEN. path and
 * problem are copied. TW_OK; TW_EUSAGE (an argument NULL, or the run
 * already executed); TW_ENOMEM (nothing added). */
TW_EXTERN(int) tw_run_add_broken(tw_run *run, const char *path, const tw_error *problem);

/*
 * Reads the JSON results of every shard of one sharded run (techweek run
 * --shard I/N; docs/sharding.md) and builds the run one machine would have
 * measured: each rehearsal's plan rebuilt from the facts the parts carry
 * (no script is read: parts merge on another checkout or machine), every
 * figure summed, histograms merged bucket by bucket, the shown performance
 * the first that failed (in shard order), else the first. On a bad part
 * (not JSON, truncated, another format or version, another plan, a shard
 * missing or repeated, any value missing, of another type, out of range or
 * at odds with the plan) returns TW_EUSAGE with an error naming the file
 * and the JSON path at fault; nothing is written. *out is NULL on failure;
 * else free it with tw_run_free.
 */
TW_EXTERN(int) tw_run_load_parts(tw_run **out, const char *const *paths, size_t n,
				 tw_error *err);

/* Performs every added rehearsal, once per run. Returns TW_OK when the run
 * could be carried out (even if rehearsals failed); the outcome is in the
 * results. TW_EUSAGE, with the run left as it was, when no rehearsal was
 * added, when it was executed already (or loaded from parts), or when an
 * option changed through tw_run_options_of is out of range. Another code
 * (TW_ENOMEM, ...) after it started: what was performed is in the results,
 * and the verdict is TW_VERDICT_UNREACHABLE. */
TW_EXTERN(int) tw_run_execute(tw_run *run, tw_error *err);

/* issue 15: makes sure the process may hold open the files the run's
 * customers need (about two each, plus some): raises the soft
 * RLIMIT_NOFILE up to the hard limit when it is lower. TW_OK;
 * TW_EUSAGE, with a message naming the limit and `ulimit -n`, when the
 * hard limit is too low (or the soft one cannot be raised): the run
 * should not start. tw_run_execute calls it first (returning TW_EUSAGE,
 * the run left as it was); a caller that wants to tell this apart from
 * the run's own outcome calls it before. */
TW_EXTERN(int) tw_run_reserve_fds(tw_run *run, tw_error *err);

/* With keep_cookies: writes the jar of the run's first performance (the
 * first started) as it ended, whatever its outcome, to path (atomically)
 * in Netscape cookie file format: libcurl's lines, one cookie a line,
 * after the format's header line. TW_OK; TW_EUSAGE when no such jar was
 * kept (keep_cookies off, or no performance ended); TW_EIO naming path;
 * TW_ENOMEM. */
TW_EXTERN(int) tw_run_write_cookies(const tw_run *run, const char *path, tw_error *err);

/* The run's verdict without a gate (tw_readiness_verdict with no score):
 * what a caller without a project file gets. The CLI and the reports use
 * the score's, which a gate can only lower. TW_VERDICT_UNREACHABLE for a
 * run never executed, and for NULL. */
TW_EXTERN(tw_verdict) tw_run_verdict(const tw_run *run);


/* Asks a running tw_run_execute to start no more performances and to let
 * those under way finish (each step within its timeout). Async-signal-safe:
 * a SIGINT handler may call it. A second call aborts the transfers under
 * way (they fail as interrupted). */
TW_EXTERN(void) tw_run_stop(tw_run *run);

/* The run's options, to change before tw_run_execute (a progress display
 * set up once the run exists); tw_run_execute checks them again. NULL for
 * NULL. */
TW_EXTERN(tw_run_options *) tw_run_options_of(tw_run *run);

/* True when tw_run_stop ended the run early (0 for NULL). */
TW_EXTERN(int) tw_run_interrupted(const tw_run *run);

#endif
