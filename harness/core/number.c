/* Plain decimals: see number.h. */
#include "core/number.h"

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
