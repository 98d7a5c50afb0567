/*
 * issue 15: which of libcurl's sockets a loop's epoll watches
 * (runner/watch.h), on real sockets (socketpairs) and a real epoll. The
 * watch parks a connection's socket between transfers instead of taking it
 * out of the epoll; each test checks what the kernel's epoll holds (ADD
 * answers EEXIST for a descriptor in it) and what it reports, so that
 * parking never leaves a stale or spinning entry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runner/watch.h"

typedef struct fixture {
	int epfd;
	tw_watch w;
} fixture;

static int setup(void **state)
{
	static fixture f;
	f.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f.epfd < 0)
		return -1;
	tw_watch_init(&f.w, f.epfd);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	tw_watch_free(&f->w);
	close(f->epfd);
	return 0;
}

/* Whether fd (its current file) is in the epoll: ADD of a descriptor that
 * is there answers EEXIST; one that was not is taken out again. */
static bool in_epoll(int epfd, int fd)
{
	struct epoll_event ev = {.events = 0, .data.fd = fd};
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		return false;
	}
	return errno == EEXIST;
}

/* The events epoll reports now, without waiting; *fd gets the first's. */
static int ready(int epfd, int *fd)
{
	struct epoll_event evs[8];
	int n = epoll_wait(epfd, evs, 8, 0);
	if (n > 0 && fd)
		*fd = evs[0].data.fd;
	return n;
}

/* A connected pair; sv[0] as if libcurl opened it for a connection. */
static void conn_pair(fixture *f, int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(tw_watch_opened(&f->w, sv[0], CURLSOCKTYPE_IPCXN), CURL_SOCKOPT_OK);
}

static void kept_alive_socket_stays_in_the_epoll(void **state)
{
	fixture *f = *state;
	int sv[2];
	conn_pair(f, sv);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	assert_true(in_epoll(f->epfd, sv[0]));
	/* The transfer ends: parked, not removed. */
	tw_watch_socket(&f->w, sv[0], CURL_POLL_REMOVE);
	assert_true(in_epoll(f->epfd, sv[0]));
	assert_int_equal(ready(f->epfd, NULL), 0);
	/* The next transfer on it: its answer is reported. */
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	assert_int_equal(write(sv[1], "x", 1), 1);
	int fd = -1;
	assert_int_equal(ready(f->epfd, &fd), 1);
	assert_int_equal(fd, sv[0]);
	assert_true(tw_watch_event(&f->w, sv[0]));
	assert_int_equal(tw_watch_closed(&f->w, sv[0]), 0);
	close(sv[1]);
}

static void parked_socket_that_wakes_is_dropped(void **state)
{
	fixture *f = *state;
	int sv[2];
	conn_pair(f, sv);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_REMOVE);
	/* The server closes the idle connection. */
	close(sv[1]);
	int fd = -1;
	assert_int_equal(ready(f->epfd, &fd), 1);
	assert_int_equal(fd, sv[0]);
	/* Not libcurl's: no transfer wants it. Dropped, so the level-
	 * triggered hang-up does not wake the loop again. */
	assert_false(tw_watch_event(&f->w, sv[0]));
	assert_false(in_epoll(f->epfd, sv[0]));
	assert_int_equal(ready(f->epfd, NULL), 0);
	/* A later transfer on it is watched again. */
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	assert_true(in_epoll(f->epfd, sv[0]));
	assert_true(tw_watch_event(&f->w, sv[0]));
	assert_int_equal(tw_watch_closed(&f->w, sv[0]), 0);
}

static void reused_descriptor_number_is_watched(void **state)
{
	fixture *f = *state;
	int sv[2];
	conn_pair(f, sv);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_REMOVE);
	int old = sv[0];
	assert_int_equal(tw_watch_closed(&f->w, old), 0);
	close(sv[1]);
	/* The kernel gives the lowest free number: the same one. */
	conn_pair(f, sv);
	assert_int_equal(sv[0], old);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	assert_true(in_epoll(f->epfd, sv[0]));
	assert_int_equal(write(sv[1], "y", 1), 1);
	int fd = -1;
	assert_int_equal(ready(f->epfd, &fd), 1);
	assert_true(tw_watch_event(&f->w, fd));
	assert_int_equal(tw_watch_closed(&f->w, sv[0]), 0);
	close(sv[1]);
}

static void closed_socket_leaves_the_epoll_even_when_copied(void **state)
{
	fixture *f = *state;
	int sv[2];
	conn_pair(f, sv);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_REMOVE);
	/* A forked child's copy keeps the file open after libcurl closes
	 * its descriptor: without an explicit removal the epoll would go
	 * on reporting the old connection under a number now unused. */
	int copy = dup(sv[0]);
	assert_true(copy >= 0);
	assert_int_equal(tw_watch_closed(&f->w, sv[0]), 0);
	assert_int_equal(write(sv[1], "z", 1), 1);
	assert_int_equal(ready(f->epfd, NULL), 0);
	close(copy);
	close(sv[1]);
}

static void written_or_unknown_sockets_leave_at_once(void **state)
{
	fixture *f = *state;
	int sv[2];
	conn_pair(f, sv);
	/* Writable is always true: a socket watched for writing is not
	 * parked, or the loop would spin. */
	tw_watch_socket(&f->w, sv[0], CURL_POLL_INOUT);
	assert_true(in_epoll(f->epfd, sv[0]));
	tw_watch_socket(&f->w, sv[0], CURL_POLL_REMOVE);
	assert_false(in_epoll(f->epfd, sv[0]));
	assert_int_equal(tw_watch_closed(&f->w, sv[0]), 0);
	close(sv[1]);

	/* Not opened through the callback (a resolver's): as libcurl asks. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	assert_true(in_epoll(f->epfd, sv[0]));
	tw_watch_socket(&f->w, sv[0], CURL_POLL_OUT); /* changes what */
	assert_int_equal(ready(f->epfd, NULL), 1);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_REMOVE);
	assert_false(in_epoll(f->epfd, sv[0]));
	close(sv[0]);
	close(sv[1]);
}

static void change_of_events_is_applied(void **state)
{
	fixture *f = *state;
	int sv[2];
	conn_pair(f, sv);
	tw_watch_socket(&f->w, sv[0], CURL_POLL_OUT);
	assert_int_equal(ready(f->epfd, NULL), 1); /* writable */
	tw_watch_socket(&f->w, sv[0], CURL_POLL_IN);
	assert_int_equal(ready(f->epfd, NULL), 0); /* nothing to read */
	tw_watch_socket(&f->w, sv[0], CURL_POLL_REMOVE);
	/* Parked, then wanted for writing: the parked entry is changed. */
	tw_watch_socket(&f->w, sv[0], CURL_POLL_OUT);
	int fd = -1;
	assert_int_equal(ready(f->epfd, &fd), 1);
	assert_true(tw_watch_event(&f->w, fd));
	assert_int_equal(tw_watch_closed(&f->w, sv[0]), 0);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(kept_alive_socket_stays_in_the_epoll, setup, teardown),
		cmocka_unit_test_setup_teardown(parked_socket_that_wakes_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(reused_descriptor_number_is_watched, setup, teardown),
		cmocka_unit_test_setup_teardown(closed_socket_leaves_the_epoll_even_when_copied, setup,
						teardown),
		cmocka_unit_test_setup_teardown(written_or_unknown_sockets_leave_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(change_of_events_is_applied, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
