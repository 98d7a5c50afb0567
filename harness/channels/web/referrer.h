#ifndef TW_REFERRER_H
#define TW_REFERRER_H

/*
 * Referrer policy (W3C Referrer Policy, issue 12 fix round): what a
 * navigation tells the server it goes to about the page it leaves. The
 * policy comes from the page (its Referrer-Policy header, then its
 * <meta name="referrer">), or from the link (rel="noreferrer",
 * referrerpolicy="..."); the Referer of every request of a chain,
 * redirects too, is worked out from the policy, the page's URL and that
 * request's own URL, as the Fetch standard does.
 */

typedef enum tw_referrer_policy {
	TW_REFERRER_UNSET = 0, /* none given: the next source decides */
	TW_REFERRER_NO_REFERRER,
	TW_REFERRER_NO_REFERRER_WHEN_DOWNGRADE,
	TW_REFERRER_SAME_ORIGIN,
	TW_REFERRER_ORIGIN,
	TW_REFERRER_STRICT_ORIGIN,
	TW_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN,
	TW_REFERRER_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, /* browsers' default */
	TW_REFERRER_UNSAFE_URL,
} tw_referrer_policy;

/* The policy a Referrer-Policy header or a referrerpolicy attribute
 * names: a comma-separated list, the last word known wins (a server lists
 * a new policy after an old one for older browsers); legacy: also the
 * old words <meta name="referrer"> takes (never, always, default,
 * origin-when-crossorigin). TW_REFERRER_UNSET when no word is known. */
tw_referrer_policy tw_referrer_policy_parse(const char *text, int legacy);

/* The Referer value a request to url carries under policy (UNSET: the
 * default) from the page whose URL as a referrer is referrer (no
 * fragment, no credentials): referrer itself, its origin and "/", or
 * none. *out is malloc'd, NULL for none. TW_OK or TW_ENOMEM. */
int tw_referrer_value(tw_referrer_policy policy, const char *referrer, const char *url,
		      char **out);
/* The same, given the two URLs' origins (tw_url_origin; NULL: none to
 * speak of, and then no Referer): for a caller that already has them. */
int tw_referrer_value_between(tw_referrer_policy policy, const char *referrer,
			      const char *from, const char *url, const char *to, char **out);

#endif
