/*
 * Files: whole-file reads with a size cap, and atomic writes (temporary
 * file in the same folder, fsync, rename) so a report is either the old
 * one, the new one, or absent, never half-written.
 */
#ifndef TW_CORE_FSUTIL_H
#define TW_CORE_FSUTIL_H

#include <stddef.h>

#include "techweek/error.h"

/* Reads path into a malloc'd NUL-terminated buffer (*out, *len). Files over
 * max bytes are TW_ELIMIT. */
int tw_read_file(const char *path, size_t max, char **out, size_t *len, tw_error *err);

/* Writes len bytes of data to path atomically, creating missing parent
 * folders. On failure path is untouched and no temporary file is left. */
int tw_write_file_atomic(const char *path, const void *data, size_t len, tw_error *err);

#endif
