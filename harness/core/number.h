/*
 * Plain decimals, the one set of rules for numbers a person writes (the
 * parser, the project file, the CLI's options): public, in
 * techweek/number.h.
 */
#ifndef TW_CORE_NUMBER_H
#define TW_CORE_NUMBER_H

#include "techweek/number.h"

#endif
