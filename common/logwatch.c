/* Following a log file: the start and change decisions, and the line cutter. */
#include <string.h>
#include "logwatch.h"

static bool same_file(const struct lw_pos *p, const struct lw_file *f)
{
	return p->known && f->exists && p->dev == f->dev && p->ino == f->ino;
}

enum lw_start lw_start_at(const struct lw_pos *saved, const struct lw_file *cur, const struct lw_file *rotated,
			  bool from_start)
{
	if (same_file(saved, cur))
		return cur->size >= saved->offset ? LW_RESUME : LW_FROM_START;
	/* Rotated while the agent was away: the lines written to the old file
	 * after the last run read them are in the rotated file. */
	if (saved->known && rotated && same_file(saved, rotated) && rotated->size >= saved->offset)
		return LW_ROTATED_REST;
	if (!cur->exists)
		return LW_WAIT;
	/* A file seen before is a new file now: all of it is new. */
	if (saved->known || from_start)
		return LW_FROM_START;
	return LW_FROM_END;
}

enum lw_change lw_check(const struct lw_pos *pos, const struct lw_file *cur, uint64_t open_size)
{
	if (!same_file(pos, cur))
		return LW_REPLACED;
	/* the open file itself is what matters: the path may lag behind */
	return open_size < pos->offset ? LW_TRUNCATED : LW_SAME;
}

void lw_feed(struct lw_lines *l, const char *data, size_t len, void (*line)(const char *s, size_t n, void *arg),
	     void *arg)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;

		if (!l->cut) {
			size_t room = LW_LINE_MAX - l->len;
			size_t copy = take < room ? take : room;
			memcpy(l->buf + l->len, data, copy);
			l->len += copy;
			if (take > room)
				l->cut = true;
		}
		if (!nl)
			return;
		l->buf[l->len] = '\0';
		line(l->buf, l->len, arg);
		l->len = 0;
		l->cut = false;
		data = nl + 1;
		len -= take + 1;
	}
}

void lw_reset(struct lw_lines *l)
{
	l->len = 0;
	l->cut = false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool lw_kmsg_parse(const char *rec, size_t n, uint64_t *seq, char *msg, size_t size)
{
	const char *p = rec, *end = rec + n, *semi = memchr(rec, ';', n);
	uint64_t v = 0;
	size_t o = 0;
	bool digits = false;

	if (!semi || size == 0)
		return false;
	/* PRIO, */
	while (p < semi && *p >= '0' && *p <= '9')
		p++;
	if (p == rec || p >= semi || *p++ != ',')
		return false;
	/* SEQ */
	for (; p < semi && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
		digits = true;
	}
	if (!digits || p >= semi || *p != ',')
		return false;
	*seq = v;
	/* the message: up to the end of its line */
	for (p = semi + 1; p < end && *p != '\n' && o + 1 < size; p++) {
		char c = *p;
		if (c == '\\' && p + 3 < end && p[1] == 'x' && hexval(p[2]) >= 0 && hexval(p[3]) >= 0) {
			c = (char)(hexval(p[2]) * 16 + hexval(p[3]));
			p += 3;
		}
		if ((unsigned char)c < 0x20 && c != '\t')
			c = '?';
		msg[o++] = c;
	}
	msg[o] = '\0';
	return true;
}

uint64_t lw_kmsg_start(const struct lw_pos *saved, uint64_t boot, bool from_start)
{
	if (saved->known && saved->dev == 0) /* a position in /dev/kmsg */
		return saved->ino == boot ? saved->offset : 0; /* another boot: all of its log is new */
	return from_start ? 0 : UINT64_MAX;
}

uint64_t lw_boot_hash(const char *boot_id)
{
	uint64_t h = 14695981039346656037ull;

	for (const unsigned char *p = (const unsigned char *)boot_id; *p && *p != '\n'; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}
