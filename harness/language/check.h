/*
 * The rehearsal checker: what would stop a parsed script from running,
 * found before anything is sent.
 *
 * The parser stops at the first syntax error; the checker does the
 * opposite and reports every problem it finds, because they are
 * independent of each other (a misspelt variable on line 12 says nothing
 * about a broken regex on line 30) and CI should show them all at once.
 * The entry point is tw_script_check (techweek/script.h); this header only
 * ties the module to it.
 */
#ifndef TW_LANGUAGE_CHECK_H
#define TW_LANGUAGE_CHECK_H

#include "techweek/script.h"

#endif
