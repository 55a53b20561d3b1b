/* Host resources for the resource monitor: CPU busy, memory, swap, load and
 * filesystem use, read from /proc (parsed by procfs.c) and statvfs, reported in
 * hundredths as SHUGO-MIB's ShugoHundredths with a line people can read. */
#include "mon_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "procfs.h"

/* Small /proc files in one go. /proc/stat can be far longer than buf, but
 * only its first line is wanted and that comes first. */
static int read_text(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len + 1 < size) {
		ssize_t r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return 0;
}

static void set_detail(char *detail, size_t dlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_detail(char *detail, size_t dlen, const char *fmt, ...)
{
	va_list ap;

	if (!detail || dlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, dlen, fmt, ap);
	va_end(ap);
}

/* "81.50% of 23.4 GiB used" */
static void used_detail(char *detail, size_t dlen, uint32_t value, uint64_t size_bytes)
{
	char size[32];

	pf_format_size(size_bytes, size, sizeof(size));
	set_detail(detail, dlen, "%u.%02u%% of %s used", value / 100, value % 100, size);
}

bool mon_sys_cpu(struct sys_cpu_prev *prev, uint32_t *value)
{
	char buf[4096];
	struct pf_cpu cur;

	if (read_text("/proc/stat", buf, sizeof(buf)) < 0 || pf_parse_cpu(buf, &cur) < 0)
		return false;
	if (!prev->valid || cur.total < prev->total) {
		/* First call, or the counters went back (they should not): start
		 * a new interval from here. */
		prev->busy = cur.busy;
		prev->total = cur.total;
		prev->valid = true;
		return false;
	}
	if (cur.total == prev->total)
		return false; /* not one tick yet: keep the interval open */
	uint64_t dbusy = cur.busy > prev->busy ? cur.busy - prev->busy : 0;
	*value = pf_percent(dbusy, cur.total - prev->total);
	prev->busy = cur.busy;
	prev->total = cur.total;
	return true;
}

static bool read_meminfo(struct pf_meminfo *m, char *detail, size_t dlen)
{
	char buf[16384];

	if (read_text("/proc/meminfo", buf, sizeof(buf)) < 0 || pf_parse_meminfo(buf, m) < 0) {
		set_detail(detail, dlen, "cannot read meminfo: %s", strerror(errno));
		return false;
	}
	return true;
}

bool mon_sys_memory(uint32_t *value, char *detail, size_t dlen)
{
	struct pf_meminfo m;

	if (!read_meminfo(&m, detail, dlen))
		return false;
	if (m.mem_total_kb == 0) {
		set_detail(detail, dlen, "MemTotal is 0");
		return false;
	}
	uint64_t avail = m.mem_available_kb < m.mem_total_kb ? m.mem_available_kb : m.mem_total_kb;
	*value = pf_percent(m.mem_total_kb - avail, m.mem_total_kb);
	used_detail(detail, dlen, *value, m.mem_total_kb * 1024);
	return true;
}

bool mon_sys_swap(uint32_t *value, char *detail, size_t dlen)
{
	struct pf_meminfo m;

	if (!read_meminfo(&m, detail, dlen))
		return false;
	if (m.swap_total_kb == 0) {
		*value = 0;
		set_detail(detail, dlen, "no swap");
		return true;
	}
	uint64_t sfree = m.swap_free_kb < m.swap_total_kb ? m.swap_free_kb : m.swap_total_kb;
	*value = pf_percent(m.swap_total_kb - sfree, m.swap_total_kb);
	used_detail(detail, dlen, *value, m.swap_total_kb * 1024);
	return true;
}

bool mon_sys_load(uint32_t *value, char *detail, size_t dlen)
{
	char buf[256];
	struct pf_loadavg l;

	if (read_text("/proc/loadavg", buf, sizeof(buf)) < 0 || pf_parse_loadavg(buf, &l) < 0) {
		set_detail(detail, dlen, "cannot read loadavg: %s", strerror(errno));
		return false;
	}
	*value = l.load1;
	set_detail(detail, dlen, "load %u.%02u (1 min)", l.load1 / 100, l.load1 % 100);
	return true;
}

/* A configured filesystem that is not mounted would otherwise report the
 * filesystem underneath (usually /), which is the one thing we must not do. */
static int is_mount_point(const char *path)
{
#ifdef STATX_ATTR_MOUNT_ROOT
	struct statx stx;
	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) < 0)
		return -1;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
#endif
	/* Kernels before 5.8: a mount root sits on another device than its
	 * parent, or is its own parent ("/"). Bind mounts of the same filesystem
	 * escape this test. */
	struct stat self, parent;
	char up[4096];
	if (stat(path, &self) < 0)
		return -1;
	if ((size_t)snprintf(up, sizeof(up), "%s/..", path) >= sizeof(up)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(up, &parent) < 0)
		return -1;
	return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

bool mon_sys_fs(const char *path, uint32_t *value, char *detail, size_t dlen)
{
	struct statvfs vfs;
	int mp = is_mount_point(path);

	if (mp < 0) {
		set_detail(detail, dlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!mp) {
		set_detail(detail, dlen, "%s: not a mount point", path);
		return false;
	}
	if (statvfs(path, &vfs) < 0) {
		set_detail(detail, dlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (vfs.f_blocks == 0) {
		set_detail(detail, dlen, "%s: no blocks (pseudo filesystem)", path);
		return false;
	}
	/* As df(1): blocks reserved for root count neither as used nor as
	 * available, so Use% is used / (used + available for users), rounded up. */
	uint64_t used = vfs.f_bfree < vfs.f_blocks ? (uint64_t)(vfs.f_blocks - vfs.f_bfree) : 0;
	*value = pf_percent_up(used, used + (uint64_t)vfs.f_bavail);
	uint64_t frsize = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
	used_detail(detail, dlen, *value, (uint64_t)vfs.f_blocks * frsize);
	return true;
}
