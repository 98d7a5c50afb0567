/*
 * An HTTP request ready to send: absolute URL, method, headers, and a body
 * (bytes, or multipart parts). Steps build these (visit, click, submit, raw
 * HTTP); the transfer module turns one into a libcurl transfer.
 */
#ifndef TW_WEB_REQUEST_H
#define TW_WEB_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tw_http_part {
	char *name;         /* owned */
	char *value;        /* owned: the text, or the file's path */
	bool is_file;       /* value is a path whose content is sent */
	char *filename;     /* owned, may be NULL: file name sent for a file */
	char *content_type; /* owned, may be NULL */
} tw_http_part;

typedef struct tw_http_request {
	char *method;        /* owned, upper case */
	char *url;           /* owned, absolute */
	char **headers;      /* owned "Name: value" lines */
	size_t header_count, header_cap;
	char *body;          /* owned; NULL for no body */
	size_t body_len;
	tw_http_part *parts; /* owned; multipart/form-data when part_count > 0 */
	size_t part_count, part_cap;
	long timeout_ms;     /* 0: the run's default */
	bool navigation;     /* a browser navigation (visit/click/submit) */
	/* issue 12, redirects: `follow redirects on|off` on the step */
	int follow;          /* 0: as the run says (--no-follow); 1: follow
				redirects; -1: the 3xx is the response */
	/* transport (issue 12, capability 11) */
	int http_version;    /* 10, 11, 20, 30; 0: libcurl's default */
	bool insecure;       /* skip verifying the server's certificate */
	bool raw_body;       /* keep the body as sent: no Content-Encoding undone */
	char *cert, *key;    /* owned: client certificate and key files; NULL: none */
	/* issue 12 fix round: the page a navigation leaves, as a referrer
	 * (no fragment, no credentials; owned; NULL: none, as for a visit or
	 * a raw request), and the policy (tw_referrer_policy) by which each
	 * request of the chain, redirects too, gets its Referer from it */
	char *referrer;
	int referrer_policy;
	/* issue 15: url as libcurl parsed it (a step memo's); borrowed,
	 * read-only; NULL: libcurl parses url */
	const struct Curl_URL *parsed_url;
} tw_http_request;

/* All of these return TW_OK or TW_ENOMEM; strings are copied. */
int tw_http_request_set(tw_http_request *req, const char *method, const char *url);
int tw_http_request_add_header(tw_http_request *req, const char *name, const char *value);
int tw_http_request_set_body(tw_http_request *req, const char *data, size_t len);
int tw_http_request_add_part(tw_http_request *req, const char *name, const char *value,
			     bool is_file, const char *filename, const char *content_type);
/* True when a header called name (case-insensitive) was added. */
/* Tells libcurl not to send a header it would add itself ("Name:"), such
 * as the Content-Type it gives any body. TW_OK or TW_ENOMEM. */
int tw_http_request_drop_header(tw_http_request *req, const char *name);
bool tw_http_request_has_header(const tw_http_request *req, const char *name);
/* Frees everything and zeroes req. */
void tw_http_request_free(tw_http_request *req);

#endif
