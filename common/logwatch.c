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
