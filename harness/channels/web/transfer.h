/*
 * One HTTP exchange on a customer's libcurl handle, driven by the runner's
 * multi loop: tw_transfer_start readies the handle (the runner adds it to
 * its multi handle), and when libcurl reports the transfer done,
 * tw_transfer_done reads what happened into the response.
 *
 * A customer's cookie jar is a libcurl share handle (tw_transfer_jar_new)
 * that lives for the whole performance; each transfer gets a fresh easy
 * handle attached to it. Connections are pooled by the multi handle, so they
 * are reused across steps all the same: together, a browser's session.
 * (A single easy handle with curl_easy_reset between steps would leak
 * libcurl 7.88's queued cookie-file list at every reset.)
 */
#ifndef TW_WEB_TRANSFER_H
#define TW_WEB_TRANSFER_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>

#include "channels/web/request.h"
#include "channels/web/response.h"
#include "techweek/run.h"

/* The server certificate each origin showed, for the whole run (issue 12,
 * capability 11): libcurl reports CERTINFO at the handshake only, and a
 * connection is pooled across steps and customers, so a response on a
 * reused connection reads its certificate here. Shared by every worker
 * thread, under its lock. */
typedef struct tw_transfer_cert {
	char *origin;             /* owned: "host:port" */
	struct curl_slist *lines; /* owned: CERTINFO's lines of the first
				     certificate ("Subject:...") */
} tw_transfer_cert;

typedef struct tw_transfer_certs {
	pthread_mutex_t lock;
	tw_transfer_cert *items;
	size_t count;
} tw_transfer_certs;

/* A new, empty cache; NULL on out of memory. */
tw_transfer_certs *tw_transfer_certs_new(void);
void tw_transfer_certs_free(tw_transfer_certs *certs);

typedef struct tw_transfer {
	CURL *easy;                 /* owned: the last transfer's handle, kept
				       until the next one so its cookies can
				       be read (tw_response.easy) */
	tw_response *resp;          /* borrowed: where the answer goes */
	struct curl_slist *headers; /* owned until done */
	curl_mime *mime;            /* owned until done */
	bool overflow;              /* the body passed its cap */
	bool header_overflow;       /* the headers passed TW_RESPONSE_HEADERS_MAX */
	long sent;                  /* requests put on the wire so far */
	long max_redirects;         /* the run's --max-redirs, for messages */
	/* What each request of the chain sends that depends on where it
	 * goes (issue 12 fix round), rewritten in place before libcurl
	 * builds it: lines of headers (owned by it), borrowed referrer. */
	struct curl_slist *referer_line; /* "Referer: ..." or "Referer:" (none) */
	size_t referer_room, origin_room; /* their lines' first lengths */
	const char *referrer;            /* borrowed from the request */
	int referrer_policy;             /* tw_referrer_policy */
	struct curl_slist *cookie_guard; /* "Cookie:" where the script's
					    Cookie must not go, else "" */
	char *origin;                    /* owned: the first request's origin */
	struct curl_slist *origin_line;  /* "Origin: ..." or "Origin:" (none) */
	const char *page_origin;         /* borrowed: the Origin the request has */
	char *last_origin;               /* owned: the previous request's origin */
	bool tainted;                    /* Fetch's redirect-tainted origin */
	char errbuf[CURL_ERROR_SIZE];
	/* transport (issue 12, capability 11): borrowed, the run's; kept
	 * from one transfer to the next; NULL: certificates are read from
	 * the handshake only */
	tw_transfer_certs *certs;
} tw_transfer;

/* A new cookie jar; NULL on out of memory. Free it with
 * curl_share_cleanup after tw_transfer_free of every transfer using it. */
CURLSH *tw_transfer_jar_new(void);

/* transport (issue 12, capability 8). Loads a Netscape cookie file into
 * jar (libcurl reads it; lines it cannot read are skipped). TW_OK, or
 * TW_EIO when the file cannot be read. */
int tw_transfer_jar_load(CURLSH *jar, const char *path, tw_error *err);
/* The jar as a Netscape cookie file's text (malloc'd), or NULL when out of
 * memory. */
char *tw_transfer_jar_text(CURLSH *jar);

/* t starts zeroed and is reused for every transfer of one customer. Makes
 * a new easy handle (t->easy, freeing the previous one, which must no longer
 * be in a multi handle) using jar, set up for req; resp is reset and filled
 * as the transfer runs. req is borrowed and must stay unchanged until the
 * transfer is done (its body is sent from where it is). private is stored
 * as CURLOPT_PRIVATE. On error
 * nothing needs to be sent (e.g. a part's file cannot be read). */
int tw_transfer_start(tw_transfer *t, CURLSH *jar, tw_response *resp,
		      const tw_http_request *req, const tw_run_options *opts,
		      void *private, tw_error *err);

/* Completes a transfer that libcurl finished with result. Fills status,
 * final URL, content type and timings. Returns TW_OK when a response came,
 * TW_ETRANSPORT or TW_ELIMIT with a one-line cause otherwise; *unreachable
 * tells a service that could not be reached at all (DNS, refused
 * connection, connect timeout, TLS handshake) from one that misbehaved. */
int tw_transfer_done(tw_transfer *t, CURLcode result, bool *unreachable, tw_error *err);

/* Frees what the transfer holds for its request (headers, parts); the easy
 * handle stays. Safe to call twice. */
void tw_transfer_cleanup(tw_transfer *t);

/* Frees everything, the easy handle too. */
void tw_transfer_free(tw_transfer *t);

#endif
