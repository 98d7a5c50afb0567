/* tests/bench/curl_floor.c - the least any libcurl client pays per request:
 * N keep-alive connections, one easy handle each, its options set once
 * (URL, write callback, no signals), GET URL again and again through
 * curl_multi_socket_action and epoll, the body thrown away. No script, no checks, no results. run.sh runs it beside wrk
 * and techweek, so that techweek's cost per request splits into what libcurl
 * itself costs (this floor against wrk) and what techweek adds (techweek
 * against this floor).
 *
 *   curl_floor URL CONNECTIONS REQUESTS
 *
 * Prints one line: "REQUESTS requests in SECONDS s" (wall clock, from the
 * first request to the last answer). Exit 1 on any failed transfer or
 * status other than 200. */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>

struct floor {
    CURLM *multi;
    int epfd;
    long timeout_ms; /* libcurl's timer; -1 when none */
};

static size_t discard(char *data, size_t size, size_t n, void *user)
{
    (void)data;
    (void)user;
    return size * n;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *user, void *socketp)
{
    (void)easy;
    struct floor *f = user;
    struct epoll_event ev = {.data.fd = s};
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(f->epfd, EPOLL_CTL_DEL, s, NULL);
        curl_multi_assign(f->multi, s, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (socketp) {
        epoll_ctl(f->epfd, EPOLL_CTL_MOD, s, &ev);
    } else {
        epoll_ctl(f->epfd, EPOLL_CTL_ADD, s, &ev);
        curl_multi_assign(f->multi, s, f);
    }
    return 0;
}

static int on_timer(CURLM *multi, long ms, void *user)
{
    (void)multi;
    ((struct floor *)user)->timeout_ms = ms;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: curl_floor URL CONNECTIONS REQUESTS\n");
        return 2;
    }
    const char *url = argv[1];
    int connections = atoi(argv[2]);
    long requests = atol(argv[3]);
    if (connections < 1 || requests < connections) {
        fprintf(stderr, "curl_floor: need 1 <= CONNECTIONS <= REQUESTS\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct floor f = {.multi = curl_multi_init(), .epfd = epoll_create1(EPOLL_CLOEXEC), .timeout_ms = -1};
    curl_multi_setopt(f.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(f.multi, CURLMOPT_SOCKETDATA, &f);
    curl_multi_setopt(f.multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(f.multi, CURLMOPT_TIMERDATA, &f);
    curl_multi_setopt(f.multi, CURLMOPT_MAXCONNECTS, (long)connections);

    CURL **easy = calloc((size_t)connections, sizeof *easy);
    if (!easy)
        return 1;
    long started = 0, done = 0;
    int failed = 0;
    double t0 = now_s();
    for (int i = 0; i < connections; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        /* As any threaded client, and techweek: no signal handling per call
         * (without it libcurl swaps SIGPIPE's handler three times a request). */
        curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
        curl_multi_add_handle(f.multi, easy[i]);
        started++;
    }
    int running = 0;
    curl_multi_socket_action(f.multi, CURL_SOCKET_TIMEOUT, 0, &running);
    struct epoll_event ev[64];
    while (done < requests && !failed) {
        int n = epoll_wait(f.epfd, ev, 64, (int)f.timeout_ms);
        if (n == 0) {
            curl_multi_socket_action(f.multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        for (int i = 0; i < n; i++) {
            int mask = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                       (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                       (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(f.multi, ev[i].data.fd, mask, &running);
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(f.multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *e = msg->easy_handle;
            long status = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
            if (msg->data.result != CURLE_OK || status != 200) {
                fprintf(stderr, "curl_floor: %s, status %ld\n", curl_easy_strerror(msg->data.result), status);
                failed = 1;
            }
            done++;
            curl_multi_remove_handle(f.multi, e);
            if (started < requests) {
                curl_multi_add_handle(f.multi, e);
                started++;
            }
        }
        if (started > done && n > 0 && f.timeout_ms == 0)
            curl_multi_socket_action(f.multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    double wall = now_s() - t0;
    printf("%ld requests in %.3f s\n", done, wall);
    for (int i = 0; i < connections; i++) {
        curl_multi_remove_handle(f.multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    free(easy);
    curl_multi_cleanup(f.multi);
    curl_global_cleanup();
    return failed;
}
