/*
 * MuJS in a forked sandbox, one per call: see script.h for why.
 *
 * The wire, parent to child: three length-prefixed strings (uint32 length,
 * UINT32_MAX for "none", then the bytes): code, argument, file name, and
 * an int32 line. Child to parent: a status byte (0 ok, 1 script error,
 * 2 over the heap cap), the type byte, the truthy byte and a string (the
 * value, or the error's words). A socketpair rather than two pipes: one
 * descriptor per side, and send() with MSG_NOSIGNAL never raises SIGPIPE
 * in the parent when the child is gone.
 */
#define _GNU_SOURCE
#include "channels/ivr/script.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mujs.h>

#define NONE UINT32_MAX

/* The child's exit codes: how the parent tells techweek's failures from
 * the IVR's (issue 14, F2). 3-5 and 7 are techweek's. */
enum {
	EXIT_NO_STATE = 3, /* js_newstate failed */
	EXIT_NO_MEMORY = 4, /* the child's own malloc failed */
	EXIT_NO_FD = 5,     /* dup2 failed */
	EXIT_CPU = 6,       /* the script's CPU budget is spent (SIGPROF) */
	EXIT_PANIC = 7,     /* MuJS panicked outside a protected call */
	EXIT_HEAP = 8,      /* MuJS panicked after the heap cap refused */
};

struct tw_js {
	tw_js_limits limits;
	pid_t pid;     /* 0: not started */
	int fd;        /* the parent's end; -1 when none */
	char *dead;    /* why the child is gone (every later run says it) */
	int dead_code; /* and the code it fails with */
	bool script_error; /* the last run failed with the script's error */
	bool cut;          /* issue 14, F6: limits.stop ended it */
};

tw_js *tw_js_new(const tw_js_limits *limits)
{
	tw_js *js = calloc(1, sizeof(*js));
	if (!js)
		return NULL;
	if (limits)
		js->limits = *limits;
	if (js->limits.time_s <= 0)
		js->limits.time_s = TW_JS_TIME_S;
	if (js->limits.heap_bytes == 0)
		js->limits.heap_bytes = TW_JS_HEAP_BYTES;
	js->fd = -1;
	return js;
}

static void reap(tw_js *js)
{
	if (js->pid > 0) {
		kill(js->pid, SIGKILL);
		while (waitpid(js->pid, NULL, 0) < 0 && errno == EINTR)
			;
		js->pid = -1;
	}
	if (js->fd >= 0)
		close(js->fd);
	js->fd = -1;
}

void tw_js_free(tw_js *js)
{
	if (!js)
		return;
	reap(js);
	free(js->dead);
	free(js);
}

bool tw_js_started(const tw_js *js)
{
	return js && js->pid != 0;
}

bool tw_js_script_error(const tw_js *js)
{
	return js && js->script_error;
}

int tw_js_pid(const tw_js *js)
{
	return js ? (int)js->pid : 0;
}

void tw_js_value_free(tw_js_value *v)
{
	if (v) {
		free(v->text);
		v->text = NULL;
	}
}

/* ---- the child ---- */

/*
 * The child allocates only through glibc's own names for its allocator.
 * A fork copies one thread, and every lock the others held stays held in
 * the child: glibc's malloc resets its own at the fork, but a malloc that
 * replaces it may not. AddressSanitizer's (GCC 12) did not: a child that
 * forked while the worker thread was inside it waited forever in its
 * first allocation (tests/cases/offload-script-waits, about 1 run in 5
 * under ASan, before and after the allocator change). ASan leaves the
 * __libc_ names to glibc; mimalloc, when the command links it, takes
 * them too, and links no mutex a fork could leave held.
 */
extern void *__libc_malloc(size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

typedef struct heap {
	size_t used, cap;
	int over; /* an allocation was refused */
} heap;

/* Each block carries its size in front, so frees and reallocs can be
 * counted against the cap. */
static void *heap_alloc(void *ctx, void *ptr, int size)
{
	heap *h = ctx;
	size_t *old = ptr ? (size_t *)ptr - 2 : NULL;
	size_t was = old ? old[0] : 0;
	if (size <= 0) {
		if (old) {
			h->used -= was;
			__libc_free(old);
		}
		return NULL;
	}
	if (h->used - was + (size_t)size > h->cap) {
		h->over = 1;
		return NULL;
	}
	size_t *p = __libc_realloc(old, (size_t)size + 2 * sizeof(size_t));
	if (!p)
		return NULL;
	h->used = h->used - was + (size_t)size;
	p[0] = (size_t)size;
	return p + 2;
}

static void quiet(js_State *J, const char *message)
{
	(void)J;
	(void)message;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A string off the wire (the child's): __libc_malloc'd, NULL for none; -1
 * on a broken wire. */
static int read_str(int fd, char **out)
{
	uint32_t len;
	*out = NULL;
	if (read_all(fd, &len, sizeof(len)))
		return -1;
	if (len == NONE)
		return 0;
	if (len > TW_JS_MAX_TEXT + 4096 || !(*out = __libc_malloc((size_t)len + 1)))
		return -1;
	if (read_all(fd, *out, len))
		return -1;
	(*out)[len] = '\0';
	return 0;
}

static int send_str(int fd, const char *s)
{
	uint32_t len = s ? (uint32_t)strlen(s) : NONE;
	if (send_all(fd, &len, sizeof(len)))
		return -1;
	return s ? send_all(fd, s, len) : 0;
}

static int reply(int fd, int status, int type, int truthy, const char *text)
{
	/* a value too long to pass is an error, never a stand-in string the
	 * document would go on with */
	if (text && strlen(text) > TW_JS_MAX_TEXT) {
		status = status ? status : 1;
		type = truthy = 0;
		text = "the value is longer than 1 MiB";
	}
	unsigned char head[3] = {(unsigned char)status, (unsigned char)type, (unsigned char)truthy};
	if (send_all(fd, head, 3))
		return -1;
	return send_str(fd, text);
}

static int type_of(js_State *J, int idx)
{
	if (js_isundefined(J, idx))
		return TW_JS_UNDEFINED;
	if (js_isnull(J, idx))
		return TW_JS_NULL;
	if (js_isboolean(J, idx))
		return TW_JS_BOOLEAN;
	if (js_isnumber(J, idx))
		return TW_JS_NUMBER;
	if (js_isstring(J, idx))
		return TW_JS_STRING;
	return TW_JS_OBJECT;
}

/* The error on top of the stack in words: its message and the line the
 * stack trace gives first. */
static void error_words(js_State *J, char *out, size_t size)
{
	/* the trace first: converting the error to a string drops it */
	long line = 0;
	if (js_isobject(J, -1)) {
		js_getproperty(J, -1, "stackTrace");
		const char *trace = js_isstring(J, -1) ? js_tostring(J, -1) : NULL;
		const char *at = trace ? strstr(trace, "at ") : NULL;
		const char *colon = at ? strrchr(at, ':') : NULL;
		if (colon && colon[1] >= '0' && colon[1] <= '9' && strncmp(at + 3, "(eval)", 6) != 0)
			line = strtol(colon + 1, NULL, 10);
		js_pop(J, 1);
	}
	snprintf(out, size, "%s", js_trystring(J, -1, "an error"));
	if (line > 0) {
		size_t used = strlen(out);
		snprintf(out + used, size - used, " (line %ld)", line);
	}
}

static void panic(js_State *J)
{
	heap *h = js_getcontext(J);
	_exit(h && h->over ? EXIT_HEAP : EXIT_PANIC);
}

static void out_of_cpu(int sig)
{
	(void)sig;
	_exit(EXIT_CPU);
}

static void serve(int fd, size_t cap, double t)
{
	heap h = {0, cap, 0};
	js_State *J = js_newstate(heap_alloc, &h, 0);
	if (!J)
		_exit(EXIT_NO_STATE);
	/* The budget is the IVR's scripts' alone: armed once the engine is
	 * up, so techweek's own start (slow under valgrind) is not in it. */
	struct itimerval budget = {{0, 0}, {(time_t)t, (suseconds_t)((t - (double)(time_t)t) * 1e6)}};
	if (budget.it_value.tv_sec == 0 && budget.it_value.tv_usec == 0)
		budget.it_value.tv_usec = 1;
	setitimer(ITIMER_PROF, &budget, NULL);
	js_setcontext(J, &h);
	js_atpanic(J, panic);
	js_setreport(J, quiet);
	for (;;) {
		char *code = NULL, *arg = NULL, *file = NULL;
		int32_t line = 1;
		if (read_str(fd, &code) || read_str(fd, &arg) || read_str(fd, &file) ||
		    read_all(fd, &line, sizeof(line)) || !code)
			_exit(0);
		/* line numbers count from where the code sits in its document */
		size_t pad = line > 1 && line < 1000000 ? (size_t)line - 1 : 0;
		char *src = __libc_malloc(pad + strlen(code) + 1);
		if (!src)
			_exit(EXIT_NO_MEMORY);
		memset(src, '\n', pad);
		strcpy(src + pad, code);
		h.over = 0;
		if (arg)
			js_pushstring(J, arg);
		else
			js_pushundefined(J);
		/* not enumerable: the IVR's `for (k in this)` does not see it */
		js_defglobal(J, "$tw_arg", JS_DONTENUM);
		int rc = js_ploadstring(J, file ? file : "script", src);
		if (!rc) {
			js_pushundefined(J);
			rc = js_pcall(J, 0);
		}
		char words[512];
		int sent;
		if (rc) {
			error_words(J, words, sizeof(words));
			sent = reply(fd, h.over ? 2 : 1, 0, 0, words);
		} else {
			int type = type_of(J, -1);
			const char *text = type == TW_JS_UNDEFINED ? NULL : js_trystring(J, -1, "(a value)");
			sent = reply(fd, h.over ? 2 : 0, type, js_toboolean(J, -1), text);
		}
		js_pop(J, 1);
		__libc_free(src);
		__libc_free(code);
		__libc_free(arg);
		__libc_free(file);
		if (sent)
			_exit(0);
	}
}

static int start(tw_js *js, tw_error *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return tw_error_set(err, TW_EINTERNAL, "cannot start the ECMAScript sandbox: %s",
				    strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return tw_error_set(err, TW_EINTERNAL, "cannot start the ECMAScript sandbox: %s",
				    strerror(e));
	}
	if (pid == 0) {
		/* No PR_SET_PDEATHSIG: it fires when the forking *thread* ends,
		 * and calls fork from short-lived threads. An orphan ends on
		 * its socket's EOF (read_str fails), and one spinning in a
		 * script on its CPU budget (SIGPROF) or, past that, RLIMIT_CPU. */
		/* the parent's handlers are not the child's: a crash must kill
		 * it, not run (say) a test framework's recovery in it */
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		signal(SIGINT, SIG_IGN); /* the parent decides when it ends */
		signal(SIGPIPE, SIG_IGN);
		/* issue 14, F5 (review2 low): nor does a group's SIGTERM/SIGHUP/
		 * SIGQUIT (a cancelled CI job): it ends on EOF or its CPU limit */
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* only the child's end of the socket stays open */
		int fd = sv[1];
		if (fd != 3) {
			if (dup2(fd, 3) < 0)
				_exit(EXIT_NO_FD);
			fd = 3;
		}
		if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0) {
			/* kernels before 5.9: close them one by one, or the child
			 * would keep other calls' sockets open */
			struct rlimit nofile;
			long top = getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
						   nofile.rlim_cur != RLIM_INFINITY
					   ? (long)nofile.rlim_cur
					   : 65536;
			for (long f = 4; f < top && f < (1L << 20); f++)
				close((int)f);
		}
		/* The limit is the child's CPU time, so a loaded machine does
		 * not make a legitimate script "an endless loop": SIGPROF
		 * when the call's budget is spent; RLIMIT_CPU a little above
		 * it in case that signal is somehow missed. */
		signal(SIGPROF, out_of_cpu);
		double t = js->limits.time_s;
		rlim_t cpu = (rlim_t)t + 2;
		struct rlimit rl = {cpu, cpu + 1};
		setrlimit(RLIMIT_CPU, &rl);
		serve(fd, js->limits.heap_bytes, t);
		_exit(0);
	}
	close(sv[1]);
	js->pid = pid;
	js->fd = sv[0];
	return TW_OK;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* issue 14, F6: the owner's stop request says stop */
static bool stop_asked(const tw_js *js)
{
	return js->limits.stop && js->limits.stop(js->limits.stop_ctx);
}

/* issue 14, F5: the child's CPU time so far, in nanoseconds (its
 * process CPU clock); -1 when it cannot be read. Not /proc/PID/stat:
 * that counts utime + stime in clock ticks (10 ms), so a starved child
 * that ran a few ms in a backstop could read as not having run at all
 * -- only on a loaded machine, where such crumbs are all it gets. */
static long long child_cpu(pid_t pid)
{
	clockid_t clock;
	struct timespec ts;
	if (clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) != 0)
		return -1;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Reads len bytes before the deadline (monotonic seconds): 0, -1 when
 * the child is gone, -2 past the deadline, -3 when js's stop request
 * said stop (asked every TW_JS_STOP_MS of waiting). */
static int read_until(const tw_js *js, int fd, void *buf, size_t len, double deadline)
{
	char *p = buf;
	while (len) {
		double left = deadline - now_s();
		if (left <= 0)
			return -2;
		struct pollfd pfd = {fd, POLLIN, 0};
		int ms = (int)(left * 1000) + 1;
		if (js->limits.stop && ms > TW_JS_STOP_MS)
			ms = TW_JS_STOP_MS;
		int r = poll(&pfd, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			if (stop_asked(js))
				return -3;
			continue;
		}
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Ends the child for good: later runs fail with code and why. */
static int gone_as(tw_js *js, tw_error *err, int code, const char *why)
{
	reap(js);
	if (!js->dead) {
		js->dead = strdup(why);
		js->dead_code = code;
	}
	return tw_error_set(err, js->dead ? js->dead_code : code, "%s", js->dead ? js->dead : why);
}

/* The child closed its socket: it has ended or is ending. Its wait
 * status says whose fault that was (review #6): only what the IVR's
 * script did (its CPU budget, its heap, a crash in it) is the IVR's. */
static int ended(tw_js *js, tw_error *err)
{
	int status = 0;
	pid_t got = 0;
	for (int i = 0; i < 2000 && got == 0; i++) {
		got = waitpid(js->pid, &status, WNOHANG);
		if (got < 0 && errno == EINTR)
			got = 0;
		if (got == 0) {
			struct timespec ms = {0, 1000000};
			nanosleep(&ms, NULL);
		}
	}
	if (got == js->pid)
		js->pid = -1; /* reaped: reap() must not wait again */
	char why[200];
	int code = TW_EINTERNAL;
	if (got <= 0) {
		snprintf(why, sizeof(why), "the ECMAScript sandbox stopped answering");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_CPU) {
		code = TW_ESERVICE;
		snprintf(why, sizeof(why), "the IVR's script ran past %g s (an endless loop?)",
			 js->limits.time_s);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
		code = TW_ESERVICE;
		snprintf(why, sizeof(why), "the IVR's script ran past %g s (an endless loop?)",
			 js->limits.time_s);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_HEAP) {
		code = TW_ESERVICE;
		snprintf(why, sizeof(why), "the IVR's script used more than %zu MiB of memory",
			 js->limits.heap_bytes / (1024 * 1024));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_PANIC) {
		snprintf(why, sizeof(why), "techweek's ECMAScript engine (MuJS) failed (a panic)");
	} else if (WIFEXITED(status)) {
		snprintf(why, sizeof(why),
			 "techweek could not start the ECMAScript sandbox (it exited with %d)",
			 WEXITSTATUS(status));
	} else if (WIFSIGNALED(status) &&
		   (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS ||
		    WTERMSIG(status) == SIGFPE || WTERMSIG(status) == SIGILL)) {
		code = TW_ESERVICE;
		snprintf(why, sizeof(why), "the ECMAScript sandbox ended (the IVR's script crashed it)");
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		snprintf(why, sizeof(why),
			 "the ECMAScript sandbox was killed from outside (out of memory?)");
	} else {
		snprintf(why, sizeof(why), "the ECMAScript sandbox ended (signal %d)",
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	return gone_as(js, err, code, why);
}

int tw_js_run(tw_js *js, const char *code, const char *arg, const char *file, long line,
	      tw_js_value *out, tw_error *err)
{
	if (out)
		*out = (tw_js_value){TW_JS_UNDEFINED, false, NULL};
	js->script_error = false;
	if (js->dead)
		return tw_error_set(err, js->dead_code, "%s", js->dead);
	if (strlen(code) > TW_JS_MAX_TEXT || (arg && strlen(arg) > TW_JS_MAX_TEXT))
		return tw_error_set(err, TW_ELIMIT, "a script or value longer than 1 MiB");
	int rc;
	if (js->pid == 0 && stop_asked(js)) { /* issue 14, F6: no fork for a run that ends */
		js->cut = true;
		return tw_error_set(err, TW_ELIMIT, "cut off: the run was ending");
	}
	if (js->pid == 0 && (rc = start(js, err)))
		return rc;
	int32_t l = line > 0 && line < 1000000 ? (int32_t)line : 1;
	if (send_str(js->fd, code) || send_str(js->fd, arg) || send_str(js->fd, file) ||
	    send_all(js->fd, &l, sizeof(l)))
		return ended(js, err);
	unsigned char head[3];
	uint32_t len = 0;
	/* The child keeps its own CPU budget; the wall clock is only a
	 * backstop for a child that gets no CPU at all. */
	double wall = TW_JS_WALL_FACTOR * js->limits.time_s + 1;
	double deadline = now_s() + wall;
	long long cpu = child_cpu(js->pid); /* issue 14, F5 */
	int r = read_until(js, js->fd, head, 3, deadline);
	/* issue 14, F5 (review2 #1): a child starved of CPU (many sandboxes
	 * on few cores) is still working: wait on while its CPU time
	 * advances, so it reaches its own limit and is judged on it; give up
	 * when it stalled for a whole backstop, or past the hard cap. */
	double hard = deadline + (TW_JS_WALL_HARD_FACTOR - 1) * wall;
	while (r == -2 && now_s() < hard) {
		long long was = cpu;
		cpu = child_cpu(js->pid);
		if (cpu < 0 || cpu <= was)
			break;
		deadline = now_s() + wall;
		r = read_until(js, js->fd, head, 3, deadline);
	}
	if (!r)
		deadline = now_s() + wall; /* the rest of the answer follows */
	if (!r)
		r = read_until(js, js->fd, &len, sizeof(len), deadline);
	char *text = NULL;
	if (!r && len != NONE) {
		if (len > TW_JS_MAX_TEXT + 64 || !(text = malloc((size_t)len + 1)))
			return gone_as(js, err, TW_EINTERNAL, "the ECMAScript sandbox answered nonsense");
		r = read_until(js, js->fd, text, len, deadline);
		if (!r)
			text[len] = '\0';
	}
	if (r == -3) { /* issue 14, F6 */
		free(text);
		js->cut = true;
		return gone_as(js, err, TW_ELIMIT,
			       "cut off: the run was ending while the IVR's script ran");
	}
	if (r == -2) {
		free(text);
		char why[200];
		snprintf(why, sizeof(why),
			 "the ECMAScript sandbox did not answer in %g s of wall time (is techweek's "
			 "machine overloaded?)",
			 wall);
		return gone_as(js, err, TW_EINTERNAL, why);
	}
	if (r) {
		free(text);
		return ended(js, err);
	}
	if (head[0] == 2) {
		free(text);
		char why[160];
		snprintf(why, sizeof(why), "the IVR's script used more than %zu MiB of memory",
			 js->limits.heap_bytes / (1024 * 1024));
		return tw_error_set(err, TW_ESERVICE, "%s", why);
	}
	if (head[0] == 1) {
		js->script_error = true;
		rc = tw_error_set(err, TW_ESERVICE, "%s", text ? text : "a script error");
		free(text);
		return rc;
	}
	if (out)
		*out = (tw_js_value){(tw_js_type)head[1], head[2] != 0, text};
	else
		free(text);
	return TW_OK;
}

/* issue 14, F6 */
bool tw_js_cut(const tw_js *js)
{
	return js && js->cut;
}
