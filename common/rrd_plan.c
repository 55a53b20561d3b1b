/* Metrics files without librrd (see rrd_plan.h): file names, the layout of a
 * new file, the text of an update. Pure: no I/O, no clock. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "rrd_plan.h"

#define DAY_S 86400ul
#define WEEK_S (7 * DAY_S)
#define YEAR_S (365 * DAY_S)

static int put(char *out, size_t size, size_t *o, char c)
{
	if (*o + 1 >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[(*o)++] = c;
	return 0;
}

int rrdp_escape(const char *name, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!name || !*name) {
		errno = EINVAL;
		return -1;
	}
	if (size == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-' || (c == '.' && p != (const unsigned char *)name)) {
			if (put(out, size, &o, (char)c) < 0)
				goto fail;
			continue;
		}
		if (put(out, size, &o, '%') < 0 || put(out, size, &o, hex[c >> 4]) < 0 ||
		    put(out, size, &o, hex[c & 15]) < 0)
			goto fail;
	}
	out[o] = '\0';
	return 0;
fail:
	out[0] = '\0';
	return -1;
}

int rrdp_node_dir(char *out, size_t size, const char *dir, const char *node)
{
	char n[3 * 256 + 1];
	int len;

	if (rrdp_escape(node, n, sizeof n) < 0)
		return -1;
	len = snprintf(out, size, "%s/%s", dir, n);
	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int rrdp_path(char *out, size_t size, const char *dir, const char *node, enum rrdp_kind kind, const char *name)
{
	char n[3 * 256 + 1], m[3 * 256 + 1];
	int len;

	if (rrdp_escape(node, n, sizeof n) < 0 || rrdp_escape(name, m, sizeof m) < 0)
		return -1;
	len = snprintf(out, size, "%s/%s/%s-%s.rrd", dir, n, kind == RRDP_PROC ? "proc" : "res", m);
	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int rrdp_metric_parse(const char *metric, enum rrdp_kind *kind, const char **name)
{
	if (!metric || !*metric) {
		errno = EINVAL;
		return -1;
	}
	if (strncmp(metric, "proc:", 5) == 0) {
		if (!metric[5]) {
			errno = EINVAL;
			return -1;
		}
		*kind = RRDP_PROC;
		*name = metric + 5;
		return 0;
	}
	if (strncmp(metric, "nic:", 4) == 0) {
		if (!metric[4]) {
			errno = EINVAL;
			return -1;
		}
		*kind = RRDP_NIC;
		*name = metric;
		return 0;
	}
	*kind = RRDP_RES;
	*name = metric;
	return 0;
}

/* Rows of `secs` seconds each (a whole number of steps, at least one) that
 * cover `span`. */
static void rra(struct rrdp_plan *p, const char *cf, unsigned long step, unsigned long secs, unsigned long span)
{
	unsigned long per = (secs + step - 1) / step, rows;

	if (per == 0)
		per = 1;
	rows = (span + per * step - 1) / (per * step);
	snprintf(p->args[p->n_args++], RRDP_ARG_LEN, "RRA:%s:0.5:%lu:%lu", cf, per, rows);
}

void rrdp_plan(uint32_t interval_ms, enum rrdp_kind kind, struct rrdp_plan *p)
{
	static const char *const cfs[] = {"AVERAGE", "MAX"};

	memset(p, 0, sizeof *p);
	p->step = (interval_ms + 500) / 1000;
	if (p->step < 1)
		p->step = 1;
	p->heartbeat = 3 * p->step < 10 ? 10 : 3 * p->step;
	if (kind == RRDP_PROC) {
		snprintf(p->args[p->n_args++], RRDP_ARG_LEN, "DS:cpu:GAUGE:%lu:0:U", p->heartbeat);
		snprintf(p->args[p->n_args++], RRDP_ARG_LEN, "DS:rss:GAUGE:%lu:0:U", p->heartbeat);
	} else if (kind == RRDP_NIC) {
		snprintf(p->args[p->n_args++], RRDP_ARG_LEN, "DS:rx:DERIVE:%lu:0:U", p->heartbeat);
		snprintf(p->args[p->n_args++], RRDP_ARG_LEN, "DS:tx:DERIVE:%lu:0:U", p->heartbeat);
	} else {
		snprintf(p->args[p->n_args++], RRDP_ARG_LEN, "DS:value:GAUGE:%lu:0:U", p->heartbeat);
	}
	for (size_t i = 0; i < sizeof cfs / sizeof cfs[0]; i++) {
		rra(p, cfs[i], p->step, p->step, DAY_S);
		rra(p, cfs[i], p->step, 60, WEEK_S);
		rra(p, cfs[i], p->step, 3600, YEAR_S);
	}
}

static int fits(int n, size_t size)
{
	if (n < 0 || (size_t)n >= size) {
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}

int rrdp_update_res(char *out, size_t size, int64_t t, uint32_t hundredths)
{
	return fits(snprintf(out, size, "%" PRId64 ":%" PRIu32 ".%02" PRIu32, t, hundredths / 100, hundredths % 100),
		    size);
}

int rrdp_update_nic(char *out, size_t size, int64_t t, uint64_t rx_bytes, uint64_t tx_bytes)
{
	return fits(snprintf(out, size, "%" PRId64 ":%" PRIu64 ":%" PRIu64, t, rx_bytes, tx_bytes), size);
}

int rrdp_update_proc(char *out, size_t size, int64_t t, uint32_t cpu_hundredths, uint64_t rss_kb)
{
	return fits(snprintf(out, size, "%" PRId64 ":%" PRIu32 ".%02" PRIu32 ":%" PRIu64, t, cpu_hundredths / 100,
			     cpu_hundredths % 100, rss_kb * 1024),
		    size);
}
