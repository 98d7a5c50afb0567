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

/* The UTF-8 of cp into out; its length, or 0 for a surrogate or a value
 * past U+10FFFF, which no well-formed text holds. */
size_t tw_utf8_encode(uint32_t cp, unsigned char out[4]);

#endif
