/*
 * What came back for one request, and the views of it the steps need. The
 * parsed document, JSON and visible text are derived lazily and cached:
 * most steps need one view at most, and a 10 MB body should not be parsed
 * three ways for a status check.
 */
#ifndef TW_WEB_RESPONSE_H
#define TW_WEB_RESPONSE_H

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "core/buf.h"

/* libcurl's own timers for one transfer, in milliseconds from its start
 * (cumulative, as libcurl reports them: connect includes dns, etc.). */
typedef struct tw_timings {
	double dns_ms;
	double connect_ms;
	double tls_ms;        /* 0 without TLS */
	double first_byte_ms;
	double total_ms;
	double redirect_ms;   /* time spent in redirects before the final hop */
} tw_timings;

typedef struct tw_header {
	char *name;  /* as received; borrowed from tw_response.header_text */
	char *value; /* trimmed; borrowed from tw_response.header_text */
} tw_header;

/* Room for a request's method: techweek sends GET, HEAD, POST, PUT,
 * PATCH, DELETE and OPTIONS. */
#define TW_HOP_METHOD_SIZE 16

/* One request of a transfer as it went on the wire, and its answer: the
 * first, each redirect libcurl followed, and any it sent again. */
typedef struct tw_response_hop {
	char method[TW_HOP_METHOD_SIZE];
	size_t url;  /* offset of its URL in tw_response.hop_urls; SIZE_MAX
			when it could not be kept */
	long status; /* its final (not 1xx) answer's; 0 while none came */
} tw_response_hop;

typedef struct tw_response {
	long status;            /* 0 when no response came */
	char *reason;           /* the final status line's reason phrase
				   ("Internal Server Error"); owned; NULL when
				   there is none (HTTP/2 has none) */
	char *url;              /* final URL after redirects; owned */
	char *method;           /* the request's method; owned */
	char *content_type;     /* owned; NULL when absent */
	tw_header *headers;     /* the final response's headers; owned */
	size_t header_count;
	size_t header_cap;
	tw_buf header_text;     /* their names and values, NUL-terminated, one
				   after another; kept with its room from one
				   transfer to the next, so a warm customer's
				   headers allocate nothing */
	size_t header_bytes;    /* this hop's header lines so far */
	tw_buf body;            /* capped; see tw_run_options.max_body */
	bool truncated;         /* the body went past the cap */
	bool head_complete;     /* the final hop's header block ended */
	tw_timings timings;
	long redirects;
	long requests;          /* sent on the wire: every redirect hop and
				   every request libcurl sent again */
	long resent;            /* of requests, sent again by libcurl on a
				   fresh connection after a reused one died */
	double bytes_in;        /* body bytes received */
	double bytes_out;       /* request body bytes sent */
	CURL *easy;             /* borrowed: the customer's handle (cookies) */
	/* The chain: every request sent, in order (tw_response_hop_*). Kept
	 * with their room from one transfer to the next, so a customer's
	 * requests allocate nothing for it once warm. */
	tw_response_hop *hops;
	size_t hop_count;
	size_t hop_cap;
	tw_buf hop_urls;        /* NUL-terminated URLs, one after another */
	int hops_lost;          /* TW_OK, or why a request could not be kept
				   in the chain (TW_ENOMEM; TW_ELIMIT past
				   TW_RESPONSE_HOP_URLS_MAX): the chain is
				   then not the truth, and the step fails */

	/* issue 12, redirects */
	bool keep_chain;        /* set before a transfer: the next reset keeps
				   the chain (a meta refresh continues it) */
	size_t chain_kept;      /* hops of the chain from earlier transfers */
	long chain_redirects;   /* redirects those followed (meta refresh
				   included) */
	char *note;             /* owned; what the step should mention though
				   it passed ("not followed: the redirect to
				   market://..."); NULL when nothing */

	/* lazily derived views; owned */
	xmlDocPtr doc;
	bool doc_tried;
	char *doc_error; /* why doc is NULL when the body does not parse */
	json_t *json;
	bool json_tried;
	char *json_error;
	char *text;

	/* transport (issue 12, capability 11) */
	struct curl_slist *cert; /* owned: the server certificate's
				    CERTINFO lines (https); NULL: none */

	/* read (issue 12): the body converted to UTF-8 */
	char *utf8; /* the body in UTF-8 when its charset is another */
	size_t utf8_len;
	bool utf8_tried;
} tw_response;

void tw_response_init(tw_response *r, size_t max_body);
/* Frees what r holds and readies it for the next request (same cap). */
void tw_response_reset(tw_response *r);
/* Frees the derived views (document, JSON, text); the next use derives
 * them again from the body. Changes made to the document are lost. */
void tw_response_drop_views(tw_response *r);
void tw_response_free(tw_response *r);

/* The most header bytes one response may send: a browser's order of
 * magnitude (Chromium takes 256 KiB). libcurl itself refuses a header line
 * over 100 KiB. */
#define TW_RESPONSE_HEADERS_MAX ((size_t)256 * 1024)

/* Records a header line as libcurl delivers it (a status line starts a new
 * header block, so only the final hop's headers remain). TW_ELIMIT when the
 * block passes TW_RESPONSE_HEADERS_MAX. */
int tw_response_header_line(tw_response *r, const char *line, size_t len);

/* The URLs of one transfer's hops: a redirect chain of 8 KiB URLs, at
 * the --max-redirs this allows, fits many times over. */
#define TW_RESPONSE_HOP_URLS_MAX ((size_t)4 << 20)

/* A request is going on the wire: method and url (copied) start a hop.
 * TW_ENOMEM when there is no room for it, TW_ELIMIT when its URL would
 * pass TW_RESPONSE_HOP_URLS_MAX; either is kept in r->hops_lost. */
int tw_response_hop_sent(tw_response *r, const char *method, const char *url);
/* The last hop's answer ended its headers with status (1xx ones are not
 * the answer and are ignored). */
void tw_response_hop_answered(tw_response *r, long status);
/* Hop i's URL, owned by r ("" when it could not be kept). */
const char *tw_response_hop_url(const tw_response *r, size_t i);

/* First header called name (case-insensitive); owned by r; NULL if absent. */
const char *tw_response_header(const tw_response *r, const char *name);

/* Whether the body reads as HTML or as XML. A body that is XML by what it
 * says itself (tw_response_body_is_xml) is XML whatever Content-Type says;
 * otherwise Content-Type decides, and with none a body that starts as an
 * HTML page is HTML. */
bool tw_response_is_html(const tw_response *r);
bool tw_response_is_xml(const tw_response *r);
/* The body is XML by its own start: after an optional UTF-8 BOM, blanks,
 * comments, processing instructions and a doctype, its first element is
 * <Response> or <vxml>, or it began with an XML declaration and that
 * element is not <html>. */
bool tw_response_body_is_xml(const tw_response *r);
/* The name of the first element of body (len bytes), past an optional
 * UTF-8 BOM, blanks, comments, processing instructions and a doctype:
 * borrowed from body, *n bytes long; NULL when the body does not go on with
 * an element there. *declared: it began with an XML declaration. What
 * tw_response_body_is_xml and the phone channel (is this VoiceXML?) read. */
const char *tw_body_first_element(const char *body, size_t len, size_t *n, bool *declared);

/* The body parsed as HTML (HTML parser) or XML (XML types), NULL when there
 * is no body or it does not parse. Owned by r. Steps that fill forms change
 * this document in place. A page libxml2 stopped reading part way (nested
 * deeper than its limit) counts as not parsing: half a page would give
 * wrong counts and texts with no reason. */
xmlDocPtr tw_response_doc(tw_response *r);

/* After tw_response_doc returned NULL for a body that is there: why it does
 * not parse, in words ("it is nested deeper than libxml2's limit of 256
 * levels"); NULL when unknown. Owned by r. */
const char *tw_response_doc_error(const tw_response *r);

/* The body parsed as JSON; NULL with *why (owned by r) when it is not. */
json_t *tw_response_json(tw_response *r, const char **why);

/* What a person reads: for HTML the visible text (scripts and styles left
 * out, whitespace collapsed, entities decoded); otherwise the body. Owned
 * by r. */
const char *tw_response_text(tw_response *r);

/* The body as text: converted to UTF-8 from the charset its Content-Type
 * names (iconv), otherwise the bytes as they came. *len is its length (NUL
 * bytes may be inside). Owned by r. */
const char *tw_response_body_text(tw_response *r, size_t *len);

#endif
