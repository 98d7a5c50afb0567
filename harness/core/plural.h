/*
 * A count's noun: "1 performance", "2 performances", "0 keys". Every
 * report and every sentence the engine writes for people picks the word
 * here, so none says "1 performances".
 */
#ifndef TW_CORE_PLURAL_H
#define TW_CORE_PLURAL_H

#include <stdint.h>

/* one when n is 1, else many (both static strings, returned as given). */
static inline const char *tw_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

#endif
