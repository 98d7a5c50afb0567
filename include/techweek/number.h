/*
 * Numbers as a person writes them in an option or a project file: plain
 * decimals. strtod alone would also take nan, inf, hex, exponents, a sign
 * and leading blanks, and nan slips through every range check. The
 * techweek command reads its option values with the very rules the engine
 * reads techweek.json with, so a tool on the library can too.
 */
#ifndef TECHWEEK_NUMBER_H
#define TECHWEEK_NUMBER_H

#include <stdbool.h>

#include "common.h"

/* A plain decimal at the start of s (digits with at most one point), finite,
 * into *v, with *end after it (a unit may follow; end may be NULL, as
 * strtod's); false when s does not start with one. */
TW_EXTERN(bool) tw_decimal(const char *s, double *v, char **end);

#endif
