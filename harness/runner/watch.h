/*
 * issue 15: which of libcurl's sockets a worker's epoll watches, kept
 * across the transfers of a kept-alive connection.
 *
 * libcurl asks to stop watching a connection's socket when its transfer
 * ends (CURL_POLL_REMOVE) and to watch it again when the next transfer
 * reuses the connection: two epoll_ctl calls per request that change
 * nothing. For the sockets libcurl opens for connections, a removed socket
 * watched for reading stays in the epoll, "parked", and watching it again
 * for reading costs no call. That is safe because libcurl tells the watch
 * of each such socket it opens (CURLOPT_SOCKOPTFUNCTION, tw_watch_opened)
 * and has it close them (CURLOPT_CLOSESOCKETFUNCTION, tw_watch_closed):
 * a descriptor number is never met again with a stale state. A parked
 * socket that turns readable (the server closed an idle connection, or
 * wrote on it) is dropped from the epoll at its first event, so it cannot
 * wake the loop again; libcurl finds the connection dead when it next
 * checks it. Other sockets (a resolver's) are added and removed as libcurl
 * asks.
 *
 * One per loop, used from its thread only: no locks.
 */
#ifndef TW_RUNNER_WATCH_H
#define TW_RUNNER_WATCH_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tw_watch {
	int epfd;       /* borrowed: the loop's epoll; the event's data.fd is
			   the socket */
	uint8_t *state; /* owned: per descriptor number, cap of them */
	size_t cap;
} tw_watch;

/* An empty watch over epfd; nothing allocated yet. */
void tw_watch_init(tw_watch *w, int epfd);
/* Frees the table; the sockets are libcurl's (curl_multi_cleanup first). */
void tw_watch_free(tw_watch *w);

/* CURLMOPT_SOCKETFUNCTION's work: watch fd for what (CURL_POLL_IN, _OUT,
 * _INOUT, _NONE) or stop (CURL_POLL_REMOVE). Errors from epoll are
 * ignored as before: a socket libcurl closed is no longer in it. */
void tw_watch_socket(tw_watch *w, int fd, int what);

/* An epoll event on fd: true when it is libcurl's to act on; false when fd
 * is parked (no transfer wants it), which drops it from the epoll. */
bool tw_watch_event(tw_watch *w, int fd);

/* CURLOPT_SOCKOPTFUNCTION with CURLOPT_SOCKOPTDATA a tw_watch: libcurl
 * opened fd for a connection. Always CURL_SOCKOPT_OK: a table that cannot
 * grow leaves fd unknown, watched as libcurl asks. */
int tw_watch_opened(void *w, curl_socket_t fd, curlsocktype purpose);

/* CURLOPT_CLOSESOCKETFUNCTION with CURLOPT_CLOSESOCKETDATA a tw_watch:
 * takes fd out of the epoll if it is in (a copy of the descriptor in a
 * forked child would otherwise keep it there) and closes it. 0, or 1 when
 * close failed. */
int tw_watch_closed(void *w, curl_socket_t fd);

#endif
