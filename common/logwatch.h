/* Following a log file, pure: where to start reading a file at start-up or
 * after it changed under us (rotated, truncated, replaced), and cutting what
 * was read into lines (a partial last line waits for the rest; an overlong
 * one is cut). The agent's mon_log.c does the reading (F-003-2). */
#ifndef SHUGO_LOGWATCH_H
#define SHUGO_LOGWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LW_LINE_MAX 4096 /* longer lines are cut here (the rest is skipped) */

/* A file as stat() sees it. */
struct lw_file {
	bool exists;
	uint64_t dev, ino;
	uint64_t size;
};

/* Where reading stood: the file (by device and inode) and the offset read up to. */
struct lw_pos {
	bool known;
	uint64_t dev, ino;
	uint64_t offset;
};

enum lw_start {
	LW_WAIT = 1,     /* no file: nothing to read (state missing) */
	LW_RESUME,       /* the same file, not shorter: go on at pos.offset */
	LW_FROM_START,   /* a new file, or the same one truncated: from offset 0 */
	LW_FROM_END,     /* first sight of the file, and the watch reads from its end */
	LW_ROTATED_REST, /* the file we read was renamed to the rotated name: read its
			  * rest from pos.offset first, then the new file from 0 */
};

/* At start-up: saved is where the last run stood (known = false on the
 * first run), cur the file now at the path, rotated the file at the
 * rotated name (path.1). from_start: the watch reads a new file from its
 * start. */
enum lw_start lw_start_at(const struct lw_pos *saved, const struct lw_file *cur, const struct lw_file *rotated,
			  bool from_start);

/* While following an open file (pos): what the path shows now. */
enum lw_change {
	LW_SAME = 1,   /* the same file: read on */
	LW_TRUNCATED,  /* the same file, shorter than what was read: from 0 */
	LW_REPLACED,   /* another file (or none) is at the path: drain the open one to its
			* end, then open the new one from 0 */
};
enum lw_change lw_check(const struct lw_pos *pos, const struct lw_file *cur, uint64_t open_size);

/* Lines out of a stream of bytes. */
struct lw_lines {
	char buf[LW_LINE_MAX + 1];
	size_t len;
	bool cut; /* the line in buf was too long: skip to its end */
};

/* Feed len bytes; for every complete line call line(text, length, arg)
 * (without the newline; text is NUL-terminated). */
void lw_feed(struct lw_lines *l, const char *data, size_t len, void (*line)(const char *s, size_t n, void *arg),
	     void *arg);
/* Drop a partial line (the file changed under it). */
void lw_reset(struct lw_lines *l);

/* The kernel's own log, /dev/kmsg: one record per read(),
 * "PRIO,SEQ,USEC,FLAGS[,...];MESSAGE\n" with non-printable bytes of the
 * message written as \xNN, then optional " KEY=value" lines. */
#define LW_KMSG_PATH "/dev/kmsg"
/* The record's sequence number into *seq and its message, unescaped (control
 * characters other than tab become '?'), into msg (cut at size). false for
 * something that is not a record. */
bool lw_kmsg_parse(const char *rec, size_t n, uint64_t *seq, char *msg, size_t size);
/* Where to go on in /dev/kmsg. A position there is (known, dev 0, ino = the
 * boot's hash, offset = the next sequence number to read). saved: where the
 * last run stood; boot: this boot's hash (lw_boot_hash); from_start: a watch
 * that reads a new file from its start. Returns the first sequence number to
 * take, or UINT64_MAX for "only what comes from now on". A saved position
 * from another boot is a new log: all of it is taken; a saved position in a
 * file (the watch's path changed) counts as none. */
uint64_t lw_kmsg_start(const struct lw_pos *saved, uint64_t boot, bool from_start);
/* A 64-bit hash (FNV-1a) of a boot id (/proc/sys/kernel/random/boot_id); never 0. */
uint64_t lw_boot_hash(const char *boot_id);

#endif
