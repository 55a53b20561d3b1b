/* A daemon's state directory and the small files in it (the boot counter).
 * Every write goes to a temp file that is synced and renamed into place, so a
 * crash leaves either the old value or the new one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"

#define BOOT_FILE "bootcount"

static int mkdir_one(const char *p)
{
	struct stat st;
	if (mkdir(p, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(p, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int state_mkdir(const char *dir)
{
	int saved;

	if (dir == NULL || dir[0] == '\0') {
		errno = EINVAL;
		return -1;
	}
	char *p = strdup(dir);
	if (p == NULL)
		return -1;
	/* Each parent in turn; existing ones keep their mode. */
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		int rc = mkdir_one(p);
		*s = '/';
		if (rc < 0)
			goto fail;
	}
	if (mkdir_one(p) < 0)
		goto fail;
	free(p);
	return 0;
fail:
	saved = errno;
	free(p);
	errno = saved;
	return -1;
}

/* The current count: 0 if the file does not exist yet. A file that does not
 * hold a plain number is refused (EBADMSG) rather than restarted at 1, since
 * a boot count that goes backwards makes old sequence numbers look new. */
static int read_count(const char *path, uint32_t *count)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return -1;
		*count = 0;
		return 0;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (buf[0] < '0' || buf[0] > '9' || errno != 0 || v > UINT32_MAX ||
	    (*end != '\0' && strcmp(end, "\n") != 0)) {
		errno = EBADMSG;
		return -1;
	}
	*count = (uint32_t)v;
	return 0;
}

static int write_count(const char *dir, const char *path, uint32_t count)
{
	char *tmp = NULL;
	char buf[16];
	int fd = -1, dfd = -1;
	int saved;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		goto fail;
	}
	int len = snprintf(buf, sizeof(buf), "%" PRIu32 "\n", count);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	errno = 0;
	if (write(fd, buf, (size_t)len) != len) {
		if (errno == 0)
			errno = EIO;
		goto fail;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	tmp = NULL;
	/* The rename itself is durable only once the directory is synced. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		goto fail;
	close(dfd);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	errno = saved;
	return -1;
}

uint32_t state_bump_boot(const char *dir)
{
	char *path = NULL;
	uint32_t count = 0;
	int saved;

	if (dir == NULL || dir[0] == '\0') {
		errno = EINVAL;
		return 0;
	}
	if (asprintf(&path, "%s/%s", dir, BOOT_FILE) < 0)
		return 0;
	if (read_count(path, &count) < 0)
		goto fail;
	if (count == UINT32_MAX) {
		errno = EOVERFLOW;
		goto fail;
	}
	count++;
	if (write_count(dir, path, count) < 0)
		goto fail;
	free(path);
	return count;
fail:
	saved = errno;
	free(path);
	errno = saved;
	return 0;
}
