/* Plain decimals: see number.h. */
#include "core/number.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool tw_decimal(const char *s, double *v, char **end)
{
	if (!s || !v)
		return false;
	size_t n = strspn(s, "0123456789."), points = 0;
	for (size_t i = 0; i < n; i++)
		points += s[i] == '.';
	if (n == 0 || points > 1)
		return false;
	/* end is optional, as strtod's is; the check needs it all the same. */
	char *stop = NULL;
	errno = 0;
	*v = strtod(s, &stop);
	if (end)
		*end = stop;
	return !errno && stop == s + n && isfinite(*v);
}

/* s without the blanks around it, in buf; false when too long to be a
 * number. */
static bool trimmed(const char *s, size_t len, char *buf, size_t n)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len >= n)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

/* How many digits from p. */
static size_t digits(const char **p)
{
	size_t n = 0;
	while (isdigit((unsigned char)**p)) {
		(*p)++;
		n++;
	}
	return n;
}

bool tw_number_text(const char *s, size_t len, double *v)
{
	char buf[64];
	if (!s || !trimmed(s, len, buf, sizeof(buf)))
		return false;
	const char *p = buf;
	if (*p == '+' || *p == '-')
		p++;
	size_t n = digits(&p);
	if (*p == '.') {
		p++;
		n += digits(&p);
	}
	if (n == 0)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digits(&p))
			return false;
	}
	if (*p)
		return false;
	double d = strtod(buf, NULL);
	if (!isfinite(d))
		return false;
	*v = d;
	return true;
}

bool tw_integer_text(const char *s, size_t len, long long *v)
{
	char buf[64];
	if (!s || !trimmed(s, len, buf, sizeof(buf)))
		return false;
	const char *p = buf;
	if (*p == '+' || *p == '-')
		p++;
	if (!digits(&p) || *p)
		return false;
	errno = 0;
	long long n = strtoll(buf, NULL, 10);
	if (errno)
		return false;
	*v = n;
	return true;
}
