#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tw_read_file(const char *path, size_t max, char **out, size_t *len, tw_error *err)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "cannot open: %s",
				       strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "is a folder, not a file");
	}
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
			char *p = realloc(buf, cap * 2);
			if (!p)
				break;
			buf = p;
			cap *= 2;
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

int tw_write_file_atomic(const char *path, const void *data, size_t len, tw_error *err)
{
	if (make_parents(path) != 0)
		return tw_error_set_at(err, TW_EIO, path, 0, 0, NULL,
				       "cannot create its folder: %s", strerror(errno));
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "cannot write: %s",
				       strerror(e));
	}
	const char *p = data;
	size_t left = len;
	int e = 0;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	if (!e && fchmod(fd, 0644) != 0)
		e = errno;
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		free(tmp);
		return tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "cannot write: %s",
				       strerror(e));
	}
	free(tmp);
	return TW_OK;
}
