#define _GNU_SOURCE
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"

/* issue 13, F2 */
int tw_open_regular(const char *path, struct stat *st, const char **why)
{
	/* O_NONBLOCK: open(2) of a FIFO for reading otherwise waits for a
	 * writer, and the S_ISREG test after it would never run. */
	int fd;
	do
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	*why = NULL;
	if (fd < 0)
		return -1;
	int flags, e = 0;
	if (fstat(fd, st) != 0)
		e = errno;
	else if (S_ISDIR(st->st_mode))
		*why = "is a folder, not a file";
	else if (!S_ISREG(st->st_mode))
		*why = "is not a regular file (a pipe, a device or a socket)";
	else if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		e = errno;
	if (e || *why) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int tw_read_file(const char *path, size_t max, char **out, size_t *len, tw_error *err)
{
	*out = NULL;
	*len = 0;
	struct stat st;
	const char *why = NULL;
	int fd = tw_open_regular(path, &st, &why);
	if (fd < 0)
		return why ? tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "%s", why)
			   : tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "cannot open: %s",
					     strerror(errno));
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int rc = TW_OK;
	while (buf) {
		if (n + 1 >= cap) {
			if (cap > max + 1) {
				rc = tw_error_set_at(err, TW_ELIMIT, path, 0, 0, NULL,
						     "file is larger than %zu bytes", max);
				break;
			}
			if (tw_array_grow(&buf, &cap, cap + 1, 1)) {
				rc = tw_error_set(err, TW_ENOMEM, "out of memory reading %s", path);
				break;
			}
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "read error: %s",
					     strerror(errno));
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			rc = tw_error_set_at(err, TW_ELIMIT, path, 0, 0, NULL,
					     "file is larger than %zu bytes", max);
			break;
		}
	}
	close(fd);
	if (!buf)
		return tw_error_set(err, TW_ENOMEM, "out of memory reading %s", path);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return TW_OK;
}

/* issue 13, F2 */
char *tw_path_beside(const char *base_file, const char *path)
{
	const char *slash = base_file ? strrchr(base_file, '/') : NULL;
	if (path[0] == '/' || !slash)
		return strdup(path);
	char *full = NULL;
	if (asprintf(&full, "%.*s/%s", (int)(slash - base_file), base_file, path) < 0)
		return NULL;
	return full;
}

static int make_parents(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

/* The file a rename must replace: path itself or, through its symlinks,
 * the file they lead to (which may not exist yet): replacing a link would
 * turn it into a plain file. NULL with errno set. */
static char *link_target(const char *path)
{
	char *cur = strdup(path);
	for (int hops = 0; cur; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		char link[PATH_MAX];
		ssize_t n = hops < 40 ? readlink(cur, link, sizeof(link) - 1) : -1;
		if (n < 0) {
			int e = hops < 40 ? errno : ELOOP;
			free(cur);
			errno = e;
			return NULL;
		}
		link[n] = '\0';
		const char *slash = strrchr(cur, '/');
		char *next = NULL;
		if (link[0] == '/' || !slash)
			next = strdup(link);
		else if (asprintf(&next, "%.*s/%s", (int)(slash - cur), cur, link) < 0)
			next = NULL;
		free(cur);
		cur = next;
	}
	errno = ENOMEM;
	return NULL;
}

/* 0 or the errno of the failed write. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

typedef struct staged {
	bool stream;  /* not a regular file: written straight through */
	char *target; /* where the temporary file goes (symlinks followed) */
	char *tmp;    /* written and fsync'd, waiting for the rename */
} staged;

static int fail(tw_error *err, const char *path, int e)
{
	if (e == ENOMEM)
		return tw_error_set(err, TW_ENOMEM, "out of memory writing %s", path);
	return tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "cannot write: %s", strerror(e));
}

static int stage(const tw_file_data *f, staged *s, tw_error *err)
{
	s->target = link_target(f->path);
	if (!s->target)
		return fail(err, f->path, errno);
	if (make_parents(s->target) != 0)
		return tw_error_set_at(err, TW_EIO, f->path, 0, 0, NULL,
				       "cannot create its folder: %s", strerror(errno));
	if (asprintf(&s->tmp, "%s.tmp-XXXXXX", s->target) < 0) {
		s->tmp = NULL;
		return fail(err, f->path, ENOMEM);
	}
	int fd = mkstemp(s->tmp);
	if (fd < 0) {
		int e = errno;
		free(s->tmp);
		s->tmp = NULL;
		return fail(err, f->path, e);
	}
	int e = write_all(fd, f->data, f->len);
	if (!e && fchmod(fd, 0644) != 0)
		e = errno;
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	return e ? fail(err, f->path, e) : TW_OK;
}

static int stream(const tw_file_data *f, tw_error *err)
{
	int fd;
	/* A FIFO blocks here until a reader comes; a signal must not end
	 * the wait with a lost report. */
	do
		fd = open(f->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return fail(err, f->path, errno);
	int e = write_all(fd, f->data, f->len);
	if (close(fd) != 0 && !e && errno != EINTR)
		e = errno;
	return e ? fail(err, f->path, e) : TW_OK;
}

int tw_write_files_atomic(const tw_file_data *files, size_t n, tw_error *err)
{
	staged *s = calloc(n ? n : 1, sizeof(*s));
	if (!s)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		if (stat(files[i].path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = tw_error_set_at(err, TW_EIO, files[i].path, 0, 0, NULL,
					     "cannot write: is a folder, not a file");
		s[i].stream = !S_ISREG(st.st_mode);
	}
	/* Temporary files first: they can still be taken back when a stream
	 * fails, a stream cannot. */
	for (size_t i = 0; i < n && !rc; i++)
		if (!s[i].stream)
			rc = stage(&files[i], &s[i], err);
	for (size_t i = 0; i < n && !rc; i++)
		if (s[i].stream)
			rc = stream(&files[i], err);
	/* The commit: every file was written. A rename in the folder of the
	 * temporary file it made fails only when the folder changed under
	 * the run; the files renamed before then stay new. */
	for (size_t i = 0; i < n && !rc; i++) {
		if (!s[i].tmp)
			continue;
		if (rename(s[i].tmp, s[i].target) != 0) {
			rc = fail(err, files[i].path, errno);
		} else {
			free(s[i].tmp);
			s[i].tmp = NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i].tmp)
			unlink(s[i].tmp);
		free(s[i].tmp);
		free(s[i].target);
	}
	free(s);
	return rc;
}

int tw_write_file_atomic(const char *path, const void *data, size_t len, tw_error *err)
{
	tw_file_data f = {.path = path, .data = data, .len = len};
	return tw_write_files_atomic(&f, 1, err);
}
