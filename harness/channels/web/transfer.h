/*
 * One HTTP exchange on a customer's libcurl handle, driven by the runner's
 * multi loop: tw_transfer_start readies the handle (the runner adds it to
 * its multi handle), and when libcurl reports the transfer done,
 * tw_transfer_done reads what happened into the response.
 *
 * The customer keeps one easy handle for its whole performance: libcurl
 * keeps the cookie jar and live connections across curl_easy_reset, which
 * is exactly a browser's session.
 */
#ifndef TW_WEB_TRANSFER_H
#define TW_WEB_TRANSFER_H

#include <curl/curl.h>
#include <stdbool.h>

#include "channels/web/request.h"
#include "channels/web/response.h"
#include "techweek/run.h"

typedef struct tw_transfer {
	CURL *easy;                 /* borrowed: the customer's handle */
	tw_response *resp;          /* borrowed: where the answer goes */
	struct curl_slist *headers; /* owned until done */
	curl_mime *mime;            /* owned until done */
	bool overflow;              /* the body passed its cap */
	char errbuf[CURL_ERROR_SIZE];
} tw_transfer;

/* Resets easy and sets it up for req; resp is reset and filled as the
 * transfer runs. private is stored as CURLOPT_PRIVATE. On error nothing
 * needs to be sent (e.g. a part's file cannot be read). */
int tw_transfer_start(tw_transfer *t, CURL *easy, tw_response *resp,
		      const tw_http_request *req, const tw_run_options *opts,
		      void *private, tw_error *err);

/* Completes a transfer that libcurl finished with result. Fills status,
 * final URL, content type and timings. Returns TW_OK when a response came,
 * TW_ETRANSPORT or TW_ELIMIT with a one-line cause otherwise; *unreachable
 * tells a service that could not be reached at all (DNS, refused
 * connection, connect timeout, TLS handshake) from one that misbehaved. */
int tw_transfer_done(tw_transfer *t, CURLcode result, bool *unreachable, tw_error *err);

/* Frees what the transfer owns (safe to call twice). */
void tw_transfer_cleanup(tw_transfer *t);

#endif
