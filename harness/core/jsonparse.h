/*
 * Reading JSON someone sent: a response body, or JSON carried in a string
 * (an echoed body, a token's payload) for the jsonpath filter. One reader,
 * so that both read numbers the same way.
 */
#ifndef TW_CORE_JSONPARSE_H
#define TW_CORE_JSONPARSE_H

#include <jansson.h>
#include <stddef.h>

/* Any JSON value (not only objects and arrays), NUL bytes in strings
 * allowed; an integer too big for 64 bits is read as a number instead of
 * refused. NULL with *err set when text is not JSON. */
json_t *tw_json_parse(const char *text, size_t len, json_error_t *err);

#endif
