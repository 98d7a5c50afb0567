#include "core/redact.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "techweek/error.h"

int tw_redact_add(tw_redact *r, const char *secret)
{
	if (!secret || !*secret)
		return TW_OK;
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->secrets[i], secret) == 0)
			return TW_OK;
	char **p = realloc(r->secrets, (r->count + 1) * sizeof(*p));
	if (!p)
		return TW_ENOMEM;
	r->secrets = p;
	char *copy = strdup(secret);
	if (!copy)
		return TW_ENOMEM;
	size_t len = strlen(copy), i = r->count;
	while (i > 0 && strlen(r->secrets[i - 1]) < len) {
		r->secrets[i] = r->secrets[i - 1];
		i--;
	}
	r->secrets[i] = copy;
	r->count++;
	return TW_OK;
}

char *tw_redact_apply(const tw_redact *r, const char *text)
{
	if (!text)
		return NULL;
	if (!r || r->count == 0)
		return strdup(text);
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 30);
	const char *p = text;
	while (*p) {
		size_t hit = 0;
		for (size_t i = 0; i < r->count && !hit; i++) {
			size_t n = strlen(r->secrets[i]);
			if (strncmp(p, r->secrets[i], n) == 0)
				hit = n;
		}
		if (tw_buf_append(&b, hit ? TW_REDACTED : p, hit ? strlen(TW_REDACTED) : 1)) {
			tw_buf_free(&b);
			return NULL;
		}
		p += hit ? hit : 1;
	}
	return tw_buf_steal(&b);
}

void tw_redact_free(tw_redact *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->secrets[i]);
	free(r->secrets);
	r->secrets = NULL;
	r->count = 0;
}
