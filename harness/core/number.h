/*
 * Plain decimals, the one set of rules for numbers a person writes (the
 * parser, the project file, the CLI's options): public, in
 * techweek/number.h.
 */
#ifndef TW_CORE_NUMBER_H
#define TW_CORE_NUMBER_H

#include "techweek/number.h"

#include <stddef.h>

/* Text read as a number where a script compares or converts it (a header,
 * a JSON string, toInt, toFloat): a decimal with an optional sign,
 * fraction and exponent, blanks around it allowed ("42", " -8.50",
 * "1e3"; not "0x1A", "inf", "nan", which strtod takes). len bytes of s. */
bool tw_number_text(const char *s, size_t len, double *v);
/* The same for a whole number (sign and digits only) that fits long long,
 * read exactly. */
bool tw_integer_text(const char *s, size_t len, long long *v);

#endif
