/* One JSON reader for what a server sent: see jsonparse.h. */
#include "core/jsonparse.h"

#include <math.h>

/* After a parse with JSON_DECODE_INT_AS_REAL: every whole number that fits
 * 53 bits back to an integer, so that only the integers too big for 64
 * bits stay reals. (A body's 2.0 then reads as 2 too: same value.) */
static void ints_back(json_t *v, int depth)
{
	if (depth > 2048)
		return; /* deeper than jansson's own limit allows */
	size_t i;
	const char *k;
	json_t *e;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			if (json_is_real(e) && fabs(json_real_value(e)) <= 9007199254740992.0 &&
			    json_real_value(e) == trunc(json_real_value(e)))
				json_array_set_new(v, i, json_integer((json_int_t)json_real_value(e)));
			else
				ints_back(e, depth + 1);
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, e)
		{
			if (json_is_real(e) && fabs(json_real_value(e)) <= 9007199254740992.0 &&
			    json_real_value(e) == trunc(json_real_value(e)))
				json_object_set_new(v, k, json_integer((json_int_t)json_real_value(e)));
			else
				ints_back(e, depth + 1);
		}
	}
}

json_t *tw_json_parse(const char *text, size_t len, json_error_t *err)
{
	size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	/* jansson leaves the error's code unset when memory runs out. */
	*err = (json_error_t){0};
	json_t *j = json_loadb(text, len, flags, err);
	/* An integer beyond 64 bits (ids, ledgers) is a number all the
	 * same: read as a double, the rest of the body as usual. */
	if (!j && json_error_code(err) == json_error_numeric_overflow) {
		j = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, err);
		if (j) {
			json_t *wrap = json_pack("[O]", j);
			if (wrap) {
				ints_back(wrap, 0);
				json_decref(j);
				j = json_incref(json_array_get(wrap, 0));
				json_decref(wrap);
			}
		}
	}
	return j;
}
