/* harness/runner/watch.c - see watch.h. */
#include "runner/watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* A descriptor's state: zero is unknown (not opened through libcurl's
 * callback, or closed since). */
enum {
	CONN = 1u,   /* a connection's socket, opened and closed through us */
	REG = 2u,    /* in the epoll, for the events below (maybe none) */
	IN = 4u,     /* ... for reading */
	OUT = 8u,    /* ... for writing */
	PARKED = 16u /* in the epoll for reading, but no transfer wants it */
};

void tw_watch_init(tw_watch *w, int epfd)
{
	memset(w, 0, sizeof(*w));
	w->epfd = epfd;
}

void tw_watch_free(tw_watch *w)
{
	free(w->state);
	w->state = NULL;
	w->cap = 0;
}

static uint8_t *state_of(tw_watch *w, int fd)
{
	return fd >= 0 && (size_t)fd < w->cap ? &w->state[fd] : NULL;
}

/* Puts fd in the epoll for events; op is the likelier call, the other is
 * tried when the kernel says fd was (not) there. */
static void ctl(tw_watch *w, int fd, uint8_t events, int op)
{
	struct epoll_event ev = {
		.events = (events & IN ? EPOLLIN : 0u) | (events & OUT ? EPOLLOUT : 0u),
		.data.fd = fd,
	};
	if (epoll_ctl(w->epfd, op, fd, &ev) == 0)
		return;
	if (errno == ENOENT)
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
	else if (errno == EEXIST)
		epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void tw_watch_socket(tw_watch *w, int fd, int what)
{
	uint8_t *st = state_of(w, fd);
	if (st && !(*st & CONN))
		st = NULL;
	if (what == CURL_POLL_REMOVE) {
		/* Writable is always true: a socket watched for writing
		 * cannot wait parked. */
		if (st && (*st & (REG | IN | OUT)) == (REG | IN)) {
			*st |= PARKED;
			return;
		}
		if (!st || (*st & REG))
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
		if (st)
			*st = CONN;
		return;
	}
	uint8_t want = (uint8_t)((what & CURL_POLL_IN ? IN : 0u) | (what & CURL_POLL_OUT ? OUT : 0u));
	if (!st) {
		ctl(w, fd, want, EPOLL_CTL_ADD);
		return;
	}
	if ((*st & REG) && (*st & (IN | OUT)) == want) {
		*st &= (uint8_t)~PARKED;
		return;
	}
	ctl(w, fd, want, *st & REG ? EPOLL_CTL_MOD : EPOLL_CTL_ADD);
	*st = (uint8_t)(CONN | REG | want);
}

bool tw_watch_event(tw_watch *w, int fd)
{
	uint8_t *st = state_of(w, fd);
	if (!st || !(*st & PARKED))
		return true;
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
	*st = CONN;
	return false;
}

int tw_watch_opened(void *data, curl_socket_t fd, curlsocktype purpose)
{
	tw_watch *w = data;
	if (purpose != CURLSOCKTYPE_IPCXN || fd < 0)
		return CURL_SOCKOPT_OK;
	if ((size_t)fd >= w->cap) {
		size_t cap = w->cap ? w->cap : 64;
		while (cap <= (size_t)fd)
			cap *= 2;
		uint8_t *grown = realloc(w->state, cap);
		if (!grown)
			return CURL_SOCKOPT_OK;
		memset(grown + w->cap, 0, cap - w->cap);
		w->state = grown;
		w->cap = cap;
	}
	/* New: whatever its number was before, closing it left the epoll. */
	w->state[fd] = CONN;
	return CURL_SOCKOPT_OK;
}

int tw_watch_closed(void *data, curl_socket_t fd)
{
	tw_watch *w = data;
	uint8_t *st = state_of(w, fd);
	if (st) {
		if (*st & REG)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
		*st = 0;
	}
	return close(fd) == 0 ? 0 : 1;
}
