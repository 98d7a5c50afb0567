/*
 * Referrer policy: the words (W3C Referrer Policy, section 3) and the
 * Referer each of them lets a request carry (section 8.3, "determine
 * request's referrer"). Origins are the ones html.c writes (libcurl's
 * URL parser reads the URLs).
 */
#include "channels/web/referrer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/web/html.h"
#include "techweek/error.h"

static const struct {
	const char *word;
	tw_referrer_policy policy;
	int legacy; /* only in <meta name="referrer"> */
} words[] = {
	{"no-referrer", TW_REFERRER_NO_REFERRER, 0},
	{"no-referrer-when-downgrade", TW_REFERRER_NO_REFERRER_WHEN_DOWNGRADE, 0},
	{"same-origin", TW_REFERRER_SAME_ORIGIN, 0},
	{"origin", TW_REFERRER_ORIGIN, 0},
	{"strict-origin", TW_REFERRER_STRICT_ORIGIN, 0},
	{"origin-when-cross-origin", TW_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN, 0},
	{"strict-origin-when-cross-origin", TW_REFERRER_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, 0},
	{"unsafe-url", TW_REFERRER_UNSAFE_URL, 0},
	{"never", TW_REFERRER_NO_REFERRER, 1},
	{"default", TW_REFERRER_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, 1},
	{"always", TW_REFERRER_UNSAFE_URL, 1},
	{"origin-when-crossorigin", TW_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN, 1},
};

tw_referrer_policy tw_referrer_policy_parse(const char *text, int legacy)
{
	tw_referrer_policy policy = TW_REFERRER_UNSET;
	const char *blank = " \t\r\n\f";
	for (const char *p = text; p && *p;) {
		p += strspn(p, blank);
		size_t n = strcspn(p, ",");
		size_t len = n;
		while (len > 0 && strchr(blank, p[len - 1]))
			len--;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if ((legacy || !words[i].legacy) && strlen(words[i].word) == len &&
			    strncasecmp(p, words[i].word, len) == 0)
				policy = words[i].policy;
		p += n;
		if (*p == ',')
			p++;
	}
	return policy;
}

static bool is_https(const char *url)
{
	return url && strncasecmp(url, "https:", 6) == 0;
}

int tw_referrer_value(tw_referrer_policy policy, const char *referrer, const char *url,
		      char **out)
{
	*out = NULL;
	if (!referrer || policy == TW_REFERRER_NO_REFERRER)
		return TW_OK;
	char *from = tw_url_origin(referrer), *to = tw_url_origin(url);
	int rc = tw_referrer_value_between(policy, referrer, from, url, to, out);
	free(from);
	free(to);
	return rc;
}

int tw_referrer_value_between(tw_referrer_policy policy, const char *referrer,
			      const char *from, const char *url, const char *to, char **out)
{
	*out = NULL;
	if (!referrer || policy == TW_REFERRER_NO_REFERRER)
		return TW_OK;
	if (!from || !to) /* no origin to speak of (or out of memory) */
		return TW_OK;
	bool same = strcmp(from, to) == 0;
	bool downgrade = is_https(referrer) && !is_https(url);
	enum { NONE, ORIGIN, FULL } send = FULL;
	switch (policy) {
	case TW_REFERRER_NO_REFERRER_WHEN_DOWNGRADE:
		send = downgrade ? NONE : FULL;
		break;
	case TW_REFERRER_SAME_ORIGIN:
		send = same ? FULL : NONE;
		break;
	case TW_REFERRER_ORIGIN:
		send = ORIGIN;
		break;
	case TW_REFERRER_STRICT_ORIGIN:
		send = downgrade ? NONE : ORIGIN;
		break;
	case TW_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN:
		send = same ? FULL : ORIGIN;
		break;
	case TW_REFERRER_UNSAFE_URL:
		send = FULL;
		break;
	default: /* strict-origin-when-cross-origin, and unset */
		send = same ? FULL : downgrade ? NONE : ORIGIN;
		break;
	}
	int rc = TW_OK;
	if (send == FULL) {
		*out = strdup(referrer);
	} else if (send == ORIGIN) {
		size_t n = strlen(from) + 2;
		if ((*out = malloc(n)))
			snprintf(*out, n, "%s/", from);
	}
	if (send != NONE && !*out)
		rc = TW_ENOMEM;
	return rc;
}
