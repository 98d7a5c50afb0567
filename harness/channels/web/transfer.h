/*
 * One HTTP exchange on a customer's libcurl handle, driven by the runner's
 * multi loop: tw_transfer_start readies the handle (the runner adds it to
 * its multi handle), and when libcurl reports the transfer done,
 * tw_transfer_done reads what happened into the response.
 *
 * A customer's cookie jar is a libcurl share handle (tw_transfer_jar_new)
 * that lives for the whole performance. One easy handle serves every
 * transfer of a worker's slot, customer after customer: tw_transfer_start
 * resets it (curl_easy_reset: every option back to libcurl's default) and
 * attaches the customer's jar; tw_transfer_cleanup detaches it when the
 * customer ends. Connections and DNS are pooled by the multi handle: with
 * the jar, a browser's session.
 *
 * libcurl 7.88 and the cookie engine, as measured (tests/unit/
 * test_transfer.c under valgrind): attaching a share with cookies points
 * the handle at the jar, but no cookie is sent or kept until the handle's
 * cookie engine is on, and only a cookie file (CURLOPT_COOKIEFILE "")
 * switches it on; once on, it stays on through curl_easy_reset and
 * COOKIEFILE NULL (a state of the handle, not an option). The file list
 * COOKIEFILE queues is not consumed by the transfer: it stays with the
 * handle's options, curl_easy_cleanup frees it, and curl_easy_reset drops
 * it unfreed (one list lost per reset: the leak that made techweek use a
 * fresh handle per transfer before issue 15). So COOKIEFILE "" is given
 * once per handle, and COOKIEFILE NULL frees the list before each reset.
 */
#ifndef TW_WEB_TRANSFER_H
#define TW_WEB_TRANSFER_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>

#include "channels/web/request.h"
#include "channels/web/response.h"
#include "techweek/run.h"

/* Body header lines a transfer can drop on a redirect (Fetch names four). */
#define TW_BODY_LINES 4

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

/* issue 15: the header lines every request of a run sends unless the
 * script gives its own, "User-Agent: ..." and "Accept-Encoding: ...", as
 * nodes linked at the tail of each request's list and never freed with it.
 * As CURLOPT_USERAGENT and CURLOPT_ACCEPT_ENCODING "" they cost about 6 %
 * of a request's instructions: libcurl formats them anew for every request
 * with its own printf, and works out its list of encodings at each setopt.
 * Read-only once made: shared by a run's threads. */
typedef struct tw_transfer_common {
	struct curl_slist both;    /* User-Agent, then Accept-Encoding */
	struct curl_slist agent;   /* User-Agent alone */
	struct curl_slist encoding; /* Accept-Encoding alone */
	char *agent_line;          /* owned: "User-Agent: ..." */
	char *encoding_line;       /* owned: "Accept-Encoding: ..." */
	const char *encodings;     /* into encoding_line: the list alone */
} tw_transfer_common;

/* The User-Agent a run sends: --user-agent, or techweek/VERSION. */
const char *tw_transfer_user_agent(const tw_run_options *opts);

/* Makes c's lines for user_agent and the encodings this libcurl decodes.
 * TW_OK or TW_ENOMEM (in err). */
int tw_transfer_common_init(tw_transfer_common *c, const char *user_agent, tw_error *err);
void tw_transfer_common_free(tw_transfer_common *c);

/* issue 15: whom libcurl tells of each socket it opens for a connection,
 * and who closes them (runner/watch.h). */
typedef struct tw_transfer_sockets {
	curl_sockopt_callback opened;
	curl_closesocket_callback closed;
	void *data;
} tw_transfer_sockets;

/* issue 15: what a plain request set on the handle beyond its URL, jar
 * and header lines (tw_transfer_start). */
typedef struct tw_transfer_shape {
	bool plain; /* a GET without body, parts, cookies or transport lines */
	bool follow;
	bool certinfo;
	long left;
	long timeout_ms;
	const tw_run_options *opts;
	void *private;
} tw_transfer_shape;

typedef struct tw_transfer {
	CURL *easy;                 /* owned: the slot's handle, reset and
				       reused by each tw_transfer_start; its
				       jar stays attached after a transfer so
				       its cookies can be read (tw_response.easy)
				       until tw_transfer_cleanup */
	bool cookie_engine;         /* easy's cookie engine is on (see above) */
	bool posted;                /* CURLOPT_POSTFIELDS points into a request */
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
	char *referrer_origin;           /* owned: its origin, once asked */
	int referrer_policy;             /* tw_referrer_policy */
	struct curl_slist *cookie_guard; /* "Cookie:" where the script's
					    Cookie must not go, else "" */
	char *origin;                    /* owned: the first request's origin */
	struct curl_slist *origin_line;  /* "Origin: ..." or "Origin:" (none) */
	const char *page_origin;         /* borrowed: the Origin the request has */
	char *last_origin;               /* owned: the previous request's origin */
	bool tainted;                    /* Fetch's redirect-tainted origin */
	/* The script's or the form's lines about its body (Content-Type and
	 * the like, the first TW_BODY_LINES of them), emptied when a
	 * redirect makes the request a GET. Lines of headers. */
	struct curl_slist *body_lines[TW_BODY_LINES];
	size_t body_line_count;
	char errbuf[CURL_ERROR_SIZE];
	/* transport (issue 12, capability 11): borrowed, the run's; kept
	 * from one transfer to the next; NULL: certificates are read from
	 * the handshake only */
	tw_transfer_certs *certs;
	/* issue 15: borrowed, the loop's; kept from one transfer to the
	 * next; NULL: libcurl opens and closes its sockets unwatched */
	const tw_transfer_sockets *sockets;
	/* issue 15: borrowed, the run's; kept from one transfer to the next;
	 * NULL: libcurl's own User-Agent and Accept-Encoding */
	const tw_transfer_common *common;
	struct curl_slist *common_after; /* the request's own line the common
					    tail is linked after, or NULL */
	tw_transfer_shape shape;         /* what the handle's options are set
					    for; plain false: unknown */
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

/* t starts zeroed and is reused for every transfer, of one customer and of
 * the next ones in its slot. Resets t->easy (made on first use; it must not
 * be in a multi handle) and attaches jar (borrowed; the handle holds it until
 * tw_transfer_cleanup or the next start), set up for req; resp is reset and
 * filled as the transfer runs. req is borrowed and must stay unchanged until the
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

/* The customer's end of t: frees what the transfer holds for its request
 * (headers, parts) and detaches the handle from its jar (CURLOPT_SHARE
 * NULL), after which the handle holds nothing of the customer's that
 * curl_easy_reset does not clear and the jar may be freed or reused. The
 * handle stays for the next tw_transfer_start. Call it before
 * curl_share_cleanup of the jar. Safe to call twice. */
void tw_transfer_cleanup(tw_transfer *t);

/* Frees everything, the easy handle too (detached first). */
void tw_transfer_free(tw_transfer *t);

#endif
