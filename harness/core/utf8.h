/*
 * UTF-8, strictly: what reports need to keep text that XML parsers and
 * terminals accept.
 */
#ifndef TW_CORE_UTF8_H
#define TW_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one UTF-8 sequence at s (n bytes available, n >= 1) into *cp.
 * Returns its length, or 0 when the bytes are not well-formed UTF-8:
 * overlong forms, surrogates and values past U+10FFFF are refused, as XML
 * parsers refuse them. */
size_t tw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
