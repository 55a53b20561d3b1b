/* Pure parsers of /proc text (see procfs.h). No I/O and no state: the kernel's
 * formats are documented in proc(5); hostile or truncated text is rejected with
 * EINVAL/ERANGE rather than half-read, because a wrong number here becomes a
 * wrong alarm. */
#include "procfs.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A field ends at a blank, the end of the line or the end of the text. */
static bool is_field_end(char c)
{
	return c == '\0' || c == '\n' || is_blank(c);
}

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* One decimal number at *pp (after blanks), ending at a field end. */
static int parse_u64(const char **pp, uint64_t *v)
{
	const char *p = skip_blanks(*pp);
	uint64_t n = 0;

	if (!is_digit(*p)) {
		errno = EINVAL;
		return -1;
	}
	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (n > (UINT64_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		n = n * 10 + d;
	}
	if (!is_field_end(*p)) {
		errno = EINVAL;
		return -1;
	}
	*pp = p;
	*v = n;
	return 0;
}

static int parse_u64_max(const char **pp, uint64_t max, uint64_t *v)
{
	if (parse_u64(pp, v) < 0)
		return -1;
	if (*v > max) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

/* Skip one blank-separated field on the current line (signed fields we do not
 * use, such as nice). */
static int skip_field(const char **pp)
{
	const char *p = skip_blanks(*pp);

	if (is_field_end(*p)) {
		errno = EINVAL;
		return -1;
	}
	while (!is_field_end(*p))
		p++;
	*pp = p;
	return 0;
}

/* The text after key where key starts a line, or NULL. */
static const char *find_line(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (strncmp(line, key, klen) == 0)
			return line + klen;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

int pf_parse_stat(const char *text, struct pf_stat *out)
{
	const char *p = text, *lparen, *rparen;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	if (parse_u64_max(&p, INT32_MAX, &v) < 0)
		return -1;
	out->pid = (pid_t)v;
	p = skip_blanks(p);
	if (*p != '(')
		goto bad;
	lparen = p;
	/* The name is whatever lies up to the LAST ')': the fields after it are
	 * numbers and a state letter, never a parenthesis. */
	rparen = strrchr(lparen, ')');
	if (!rparen)
		goto bad;
	size_t clen = (size_t)(rparen - lparen - 1);
	if (clen >= sizeof(out->comm))
		clen = sizeof(out->comm) - 1;
	memcpy(out->comm, lparen + 1, clen);
	out->comm[clen] = '\0';

	p = skip_blanks(rparen + 1);
	if (is_field_end(*p) || !is_field_end(p[1]))
		goto bad;
	out->state = *p++;
	/* Fields 4..24 of proc(5); the ones we keep are unsigned. */
	for (int field = 4; field <= 24; field++) {
		switch (field) {
		case 4:
			if (parse_u64_max(&p, INT32_MAX, &v) < 0)
				return -1;
			out->ppid = (pid_t)v;
			break;
		case 14:
			if (parse_u64(&p, &out->utime) < 0)
				return -1;
			break;
		case 15:
			if (parse_u64(&p, &out->stime) < 0)
				return -1;
			break;
		case 22:
			if (parse_u64(&p, &out->start_ticks) < 0)
				return -1;
			break;
		case 24:
			if (parse_u64(&p, &out->rss_pages) < 0)
				return -1;
			break;
		default:
			if (skip_field(&p) < 0)
				return -1;
			break;
		}
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int pf_parse_status(const char *text, struct pf_status *out)
{
	const char *p = find_line(text, "Uid:");
	uint64_t ids[4];

	if (!p) {
		errno = EINVAL;
		return -1;
	}
	/* uid_t is 32 bits on Linux; all four ids must be there, or the line was
	 * cut short and the one we want may be wrong. */
	for (int i = 0; i < 4; i++)
		if (parse_u64_max(&p, UINT32_MAX, &ids[i]) < 0)
			return -1;
	out->ruid = (uid_t)ids[0];
	out->euid = (uid_t)ids[1];
	out->rss_kb = 0;
	out->has_rss = false;
	p = find_line(text, "VmRSS:");
	if (p) {
		if (parse_u64(&p, &out->rss_kb) < 0)
			return -1;
		out->has_rss = true;
	}
	return 0;
}

int pf_parse_cpu(const char *text, struct pf_cpu *out)
{
	uint64_t f[8] = {0};
	const char *p;
	int n = 0;

	if (strncmp(text, "cpu ", 4) != 0) {
		errno = EINVAL;
		return -1;
	}
	p = text + 4;
	/* user nice system idle iowait irq softirq steal; guest and guest_nice
	 * (and any newer column) are already counted in user/nice or unknown to us. */
	while (n < 8) {
		p = skip_blanks(p);
		if (*p == '\0' || *p == '\n')
			break;
		if (parse_u64(&p, &f[n]) < 0)
			return -1;
		n++;
	}
	if (n < 4) {
		errno = EINVAL;
		return -1;
	}
	uint64_t total = 0;
	for (int i = 0; i < n; i++) {
		if (__builtin_add_overflow(total, f[i], &total)) {
			errno = ERANGE;
			return -1;
		}
	}
	out->total = total;
	out->busy = total - f[3] - f[4]; /* cannot wrap: both are in total */
	return 0;
}

int pf_parse_btime(const char *text, int64_t *btime)
{
	const char *p = find_line(text, "btime ");
	uint64_t v;

	if (!p) {
		errno = ENOENT;
		return -1;
	}
	if (parse_u64_max(&p, INT64_MAX, &v) < 0)
		return -1;
	*btime = (int64_t)v;
	return 0;
}

/* The value of a "Key:   123 kB" line; 0 when absent (*found false). */
static int meminfo_field(const char *text, const char *key, uint64_t *v, bool *found)
{
	const char *p = find_line(text, key);

	*v = 0;
	*found = p != NULL;
	if (!p)
		return 0;
	return parse_u64(&p, v);
}

int pf_parse_meminfo(const char *text, struct pf_meminfo *out)
{
	uint64_t free_kb, buffers_kb, cached_kb;
	bool found, have_total, have_avail;

	memset(out, 0, sizeof(*out));
	if (meminfo_field(text, "MemTotal:", &out->mem_total_kb, &have_total) < 0 ||
	    meminfo_field(text, "MemAvailable:", &out->mem_available_kb, &have_avail) < 0 ||
	    meminfo_field(text, "SwapTotal:", &out->swap_total_kb, &found) < 0 ||
	    meminfo_field(text, "SwapFree:", &out->swap_free_kb, &found) < 0)
		return -1;
	if (!have_total) {
		errno = EINVAL;
		return -1;
	}
	if (have_avail)
		return 0;
	if (meminfo_field(text, "MemFree:", &free_kb, &found) < 0)
		return -1;
	if (!found) {
		errno = EINVAL;
		return -1;
	}
	if (meminfo_field(text, "Buffers:", &buffers_kb, &found) < 0 ||
	    meminfo_field(text, "Cached:", &cached_kb, &found) < 0)
		return -1;
	if (__builtin_add_overflow(free_kb, buffers_kb, &out->mem_available_kb) ||
	    __builtin_add_overflow(out->mem_available_kb, cached_kb, &out->mem_available_kb)) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

/* "12.34" -> 1234, from the digits. */
static int parse_hundredths(const char **pp, uint32_t *v)
{
	const char *p = skip_blanks(*pp);
	uint64_t n = 0;

	if (!is_digit(*p))
		goto bad;
	for (; is_digit(*p); p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX / 100)
			goto range;
	}
	n *= 100;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			goto bad;
		unsigned scale = 10, round = 0;
		for (int i = 0; is_digit(*p); p++, i++) {
			unsigned d = (unsigned)(*p - '0');
			if (i < 2) {
				n += d * scale;
				scale /= 10;
			} else if (i == 2) {
				round = d >= 5;
			}
		}
		n += round;
	}
	if (!is_field_end(*p))
		goto bad;
	if (n > UINT32_MAX)
		goto range;
	*v = (uint32_t)n;
	*pp = p;
	return 0;
bad:
	errno = EINVAL;
	return -1;
range:
	errno = ERANGE;
	return -1;
}

int pf_parse_loadavg(const char *text, struct pf_loadavg *out)
{
	const char *p = text;

	if (parse_hundredths(&p, &out->load1) < 0 ||
	    parse_hundredths(&p, &out->load5) < 0 ||
	    parse_hundredths(&p, &out->load15) < 0)
		return -1;
	return 0;
}

int pf_parse_netdev(const char *text, const char *ifname, struct pf_netdev *out)
{
	size_t nlen = strlen(ifname);
	const char *line = text;

	if (nlen == 0 || strchr(ifname, ':') || strchr(ifname, '\n')) {
		errno = EINVAL;
		return -1;
	}
	/* Lines read "  eth0: 123 ..." ; old kernels glued a large first number to
	 * the colon ("eth0:123456"), which the parser accepts as well. */
	while (line && *line) {
		const char *p = skip_blanks(line);
		if (strncmp(p, ifname, nlen) == 0 && p[nlen] == ':') {
			uint64_t f[16];
			p += nlen + 1;
			for (int i = 0; i < 16; i++)
				if (parse_u64(&p, &f[i]) < 0)
					return -1;
			out->rx_bytes = f[0];
			out->rx_packets = f[1];
			out->rx_errs = f[2];
			out->rx_drop = f[3];
			out->tx_bytes = f[8];
			out->tx_packets = f[9];
			out->tx_errs = f[10];
			out->tx_drop = f[11];
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	errno = ENOENT;
	return -1;
}

size_t pf_cmdline_join(const char *raw, size_t len, char *out, size_t outlen)
{
	size_t end = len, n;

	while (end > 0 && raw[end - 1] == '\0')
		end--;
	if (outlen == 0)
		return 0;
	n = end < outlen - 1 ? end : outlen - 1;
	/* Forward copy: out[i] depends only on raw[i], so out == raw is safe. */
	for (size_t i = 0; i < n; i++)
		out[i] = raw[i] != '\0' ? raw[i] : ' ';
	out[n] = '\0';
	return n;
}

uint32_t pf_percent(uint64_t part, uint64_t whole)
{
	if (whole == 0)
		return 0;
	if (part > whole)
		part = whole;
	return (uint32_t)(((unsigned __int128)part * 10000 + whole / 2) / whole);
}

uint32_t pf_percent_up(uint64_t part, uint64_t whole)
{
	if (whole == 0)
		return 0;
	if (part > whole)
		part = whole;
	return (uint32_t)(((unsigned __int128)part * 10000 + whole - 1) / whole);
}

void pf_format_size(uint64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	unsigned u = 0;
	unsigned __int128 div = 1024;

	if (outlen == 0)
		return;
	if (bytes < 1024) {
		snprintf(out, outlen, "%" PRIu64 " B", bytes);
		return;
	}
	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes >= div * 1024) {
		div *= 1024;
		u++;
	}
	uint64_t tenths = (uint64_t)(((unsigned __int128)bytes * 10 + div / 2) / div);
	/* 1023.96 KiB rounds to 1024.0: say 1.0 MiB instead. */
	if (tenths >= 10240 && u + 1 < sizeof(units) / sizeof(units[0])) {
		u++;
		div *= 1024;
		tenths = (uint64_t)(((unsigned __int128)bytes * 10 + div / 2) / div);
	}
	snprintf(out, outlen, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10, tenths % 10, units[u]);
}
