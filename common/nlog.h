/* The agent's persistent notification log: every emitted notification, in
 * sequence order, bounded to a capacity, surviving restarts. It assigns the
 * per-agent sequence numbers, so the sequence continues across restarts, and it
 * is what the manager replays (shugoNotifLogTable) after a gap.
 *
 * On disk: a header and `capacity` fixed-size slots with a CRC each; record seq
 * lives in slot (seq - 1) % capacity. A torn write spoils one slot, never the
 * rest. The whole log is mirrored in memory so requests never touch the disk. */
#ifndef SHUGO_NLOG_H
#define SHUGO_NLOG_H

#include <stdint.h>
#include "event.h"

struct nlog;

/* Open or create path (mode 0600) holding capacity records. An existing log
 * with another capacity keeps its newest records. Spoiled slots are skipped and
 * the sequence still continues after the highest one ever assigned. A file that
 * is not a notification log (wrong magic or version, no valid header) is refused
 * with EBADMSG and left untouched: it may be something the configuration points
 * at by mistake. The file is locked while open; a second opener gets
 * EWOULDBLOCK, since two writers would reuse sequence numbers. NULL with errno
 * on failure. */
struct nlog *nlog_open(const char *path, uint32_t capacity);
void nlog_close(struct nlog *l);
/* Assign ev->seq = last + 1, write it, and keep it in memory. fsync'd before it
 * returns so an acknowledged sequence number is never reused. 0 / -1 (errno);
 * on failure ev->seq is still assigned and the record is kept in memory, except
 * EOVERFLOW once 2^32 - 1 is used up (ev->seq = 0, nothing kept). */
int nlog_append(struct nlog *l, struct shugo_event *ev);
uint32_t nlog_last_seq(const struct nlog *l);  /* 0 = empty */
uint32_t nlog_first_seq(const struct nlog *l); /* oldest held; 0 = empty */
uint32_t nlog_capacity(const struct nlog *l);
/* Record seq, or NULL if not held. */
const struct shugo_event *nlog_get(const struct nlog *l, uint32_t seq);
/* First record with a sequence greater than seq (GETNEXT), or NULL. */
const struct shugo_event *nlog_next(const struct nlog *l, uint32_t seq);

#endif
