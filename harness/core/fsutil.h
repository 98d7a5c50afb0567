/*
 * Files: whole-file reads with a size cap, and atomic writes of a set of
 * files: each is written to a temporary file in its target's folder and
 * fsync'd; only when every one was written are they all renamed over their
 * targets. A failure removes every temporary file, so the targets are all
 * new or all as they were, never half-written or mixed.
 *
 * A rename can only replace a file in a folder. So a symlink is followed
 * (its target is replaced, the link stays a link), and a path that is not
 * a regular file or a folder (a character device such as /dev/null, a
 * FIFO, a pipe or socket behind /dev/stdout) is written straight through:
 * such a stream cannot be undone, so it is not part of the set's all-or-
 * nothing; it is written after the temporary files, and a failed stream
 * write still removes them.
 */
#ifndef TW_CORE_FSUTIL_H
#define TW_CORE_FSUTIL_H

#include <stddef.h>

#include "techweek/error.h"

/* Reads path into a malloc'd NUL-terminated buffer (*out, *len). Files over
 * max bytes are TW_ELIMIT. Only a regular file is read (tw_open_regular):
 * a folder, a FIFO or a device is TW_EIO at once. */
int tw_read_file(const char *path, size_t max, char **out, size_t *len, tw_error *err);

/* issue 13, F2: opens path to read it whole, when it is a regular file.
 * The one place every reader of a named file (scripts, used files, data
 * files, the project file) goes through: a FIFO is opened without waiting
 * for a writer (O_NONBLOCK, then fstat), so `techweek check` never hangs
 * on one, and a device (/dev/zero) is never read for ever. Returns the
 * descriptor (O_CLOEXEC, blocking again) with *st filled; -1 with *why
 * "is a folder, not a file" or "is not a regular file (a pipe, a device
 * or a socket)", or *why NULL and errno set when it cannot be opened. */
struct stat;
int tw_open_regular(const char *path, struct stat *st, const char **why);

/* issue 13, F2: path as a file names it: relative to base_file's folder,
 * unless absolute or base_file has no folder ("a.rehearsal": the current
 * one). The one rule for `cast from`, `use`, `attach`, `part ... file`
 * and the checker's view of them. malloc'd; NULL when out of memory. */
char *tw_path_beside(const char *base_file, const char *path);

/* One file of a set: len bytes of data for path (borrowed). */
typedef struct tw_file_data {
	const char *path;
	const void *data;
	size_t len;
} tw_file_data;

/* Writes the n files as one set (see above), creating missing parent
 * folders. TW_OK; TW_EIO naming the path that failed and why (no file of
 * the set replaced, no temporary file left); TW_ENOMEM. */
int tw_write_files_atomic(const tw_file_data *files, size_t n, tw_error *err);

/* A set of one. */
int tw_write_file_atomic(const char *path, const void *data, size_t len, tw_error *err);

#endif
