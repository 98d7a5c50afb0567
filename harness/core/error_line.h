/*
 * A line added under an error's message, for what led to it: the uses
 * that led into a used file ("  used by a.rehearsal:12:1"), the rehearsal
 * that reads a data file ("  read by a.rehearsal:2:11"). Not installed:
 * the public error API stays techweek/error.h.
 */
#ifndef TW_CORE_ERROR_LINE_H
#define TW_CORE_ERROR_LINE_H

#include "techweek/error.h"

/* Appends "\n" and the formatted text to err's message. TW_OK (also when
 * err or its message is NULL: nothing to add to); TW_ENOMEM, the message
 * left as it was. */
int tw_error_add_line(tw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
