/* The persistent notification log: on-disk format, recovery on open, capacity
 * changes, and the in-memory mirror that answers nlog_get/nlog_next. The file
 * is written with explicit little-endian encoding so its layout never depends
 * on the compiler's struct padding. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "nlog.h"

/* Every block is one 512-byte sector, so a torn write (power loss halfway
 * through a pwrite) can spoil the block being written but not its neighbours.
 * Two header copies follow each other; an append rewrites only the copy chosen
 * by the parity of its sequence, so one copy always survives a torn header. */
#define NLOG_BLOCK 512u
#define NLOG_HDR_COPIES 2u
#define NLOG_SLOTS_OFF ((off_t)NLOG_BLOCK * NLOG_HDR_COPIES)
#define NLOG_CRC_OFF (NLOG_BLOCK - 4u)
#define NLOG_MAGIC "SHUGONLG"
#define NLOG_MAGIC_LEN 8u
#define NLOG_VERSION 1u
/* 2^20 slots = 512 MiB on disk and about as much in memory: far beyond any
 * sensible notification history, and it keeps every offset within 32 bits. */
#define NLOG_CAP_MAX (1u << 20)

/* Header block layout. */
#define HDR_VERSION 8u
#define HDR_CAPACITY 12u
#define HDR_BLOCK 16u
#define HDR_LAST 20u

/* Slot layout: the fields of struct shugo_event at fixed offsets. */
#define SLOT_SEQ 0u
#define SLOT_BOOT 4u
#define SLOT_TIME 8u
#define SLOT_TYPE 16u
#define SLOT_SEV 20u
#define SLOT_ALARM 24u
#define SLOT_OBJECT 28u
#define SLOT_STATE (SLOT_OBJECT + EV_OBJECT_MAX + 1u)
#define SLOT_DETAIL (SLOT_STATE + EV_STATE_MAX + 1u)
#define SLOT_END (SLOT_DETAIL + EV_DETAIL_MAX + 1u)

_Static_assert(SLOT_END <= NLOG_CRC_OFF, "an event must fit in one slot");

/* A run of sequence numbers inside the window that no slot holds (spoiled or
 * lost before a restart). Only recovery creates gaps; appends never do. */
struct nlog_gap {
	uint32_t lo, hi;
};

struct nlog {
	int fd;
	char *path;
	uint32_t cap;
	uint32_t last;             /* highest sequence ever assigned */
	struct shugo_event *ring;  /* record seq at ring[(seq - 1) % cap]; seq 0 = empty */
	struct nlog_gap *gaps;     /* sorted, disjoint, maximal */
	size_t ngaps;
	size_t gap0;               /* gaps before this index have left the window */
};

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* CRC-32 (IEEE 802.3, reflected). Bitwise rather than table-driven: one block
 * per append is cheap, and it needs no shared table. */
static uint32_t nlog_crc32(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
	}
	return ~crc;
}

static void seal(unsigned char *blk)
{
	put_u32(blk + NLOG_CRC_OFF, nlog_crc32(blk, NLOG_CRC_OFF));
}

static bool sealed(const unsigned char *blk)
{
	return get_u32(blk + NLOG_CRC_OFF) == nlog_crc32(blk, NLOG_CRC_OFF);
}

static void put_str(unsigned char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	memset(dst + n, 0, size - n);
}

static void get_str(char *dst, const unsigned char *src, size_t size)
{
	memcpy(dst, src, size - 1);
	dst[size - 1] = '\0';
}

static void encode_slot(unsigned char *blk, const struct shugo_event *ev)
{
	memset(blk, 0, NLOG_BLOCK);
	put_u32(blk + SLOT_SEQ, ev->seq);
	put_u32(blk + SLOT_BOOT, ev->boot);
	put_u64(blk + SLOT_TIME, (uint64_t)ev->time);
	put_u32(blk + SLOT_TYPE, (uint32_t)ev->type);
	put_u32(blk + SLOT_SEV, (uint32_t)ev->sev);
	put_u32(blk + SLOT_ALARM, ev->alarm_id);
	put_str(blk + SLOT_OBJECT, ev->object, sizeof(ev->object));
	put_str(blk + SLOT_STATE, ev->state, sizeof(ev->state));
	put_str(blk + SLOT_DETAIL, ev->detail, sizeof(ev->detail));
	seal(blk);
}

/* 0 and ev filled if blk holds a sealed record; -1 if empty or spoiled. */
static int decode_slot(const unsigned char *blk, struct shugo_event *ev)
{
	uint32_t seq = get_u32(blk + SLOT_SEQ);
	if (seq == 0 || !sealed(blk))
		return -1;
	memset(ev, 0, sizeof(*ev));
	ev->seq = seq;
	ev->boot = get_u32(blk + SLOT_BOOT);
	ev->time = (int64_t)get_u64(blk + SLOT_TIME);
	ev->type = (enum shugo_notif)get_u32(blk + SLOT_TYPE);
	ev->sev = (enum shugo_severity)get_u32(blk + SLOT_SEV);
	ev->alarm_id = get_u32(blk + SLOT_ALARM);
	get_str(ev->object, blk + SLOT_OBJECT, sizeof(ev->object));
	get_str(ev->state, blk + SLOT_STATE, sizeof(ev->state));
	get_str(ev->detail, blk + SLOT_DETAIL, sizeof(ev->detail));
	return 0;
}

static void encode_header(unsigned char *blk, uint32_t cap, uint32_t last)
{
	memset(blk, 0, NLOG_BLOCK);
	memcpy(blk, NLOG_MAGIC, NLOG_MAGIC_LEN);
	put_u32(blk + HDR_VERSION, NLOG_VERSION);
	put_u32(blk + HDR_CAPACITY, cap);
	put_u32(blk + HDR_BLOCK, NLOG_BLOCK);
	put_u32(blk + HDR_LAST, last);
	seal(blk);
}

static off_t slot_off(uint32_t cap, uint32_t seq)
{
	return NLOG_SLOTS_OFF + (off_t)((seq - 1) % cap) * NLOG_BLOCK;
}

static int pwrite_all(int fd, const unsigned char *buf, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, buf, n, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Bytes read; fewer than n only at the end of the file. */
static ssize_t pread_all(int fd, unsigned char *buf, size_t n, off_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* A rename is durable only once the directory holding it is synced. */
static int sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (copy == NULL)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static uint32_t window_lo(uint32_t last, uint32_t cap)
{
	return last >= cap ? last - cap + 1 : 1;
}

/* Two agents writing one log would hand out the same sequence numbers. */
static int lock_fd(int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return -1;
	return 0;
}

/* Write a complete log (headers, then every record of ring) to path.tmp and
 * rename it over path, so a crash leaves either the old file or the new one,
 * never a half-made log. Returns the open, locked descriptor. */
static int write_file(const char *path, uint32_t cap, uint32_t last,
		      const struct shugo_event *ring)
{
	unsigned char blk[NLOG_BLOCK];
	char *tmp = NULL;
	int fd = -1;
	int saved;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		goto fail;
	}
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	/* The umask may only narrow 0600, but a leftover temp file keeps its mode. */
	if (fchmod(fd, 0600) < 0 || lock_fd(fd) < 0)
		goto fail;
	if (ftruncate(fd, NLOG_SLOTS_OFF + (off_t)cap * NLOG_BLOCK) < 0)
		goto fail;
	encode_header(blk, cap, last);
	for (uint32_t i = 0; i < NLOG_HDR_COPIES; i++)
		if (pwrite_all(fd, blk, NLOG_BLOCK, (off_t)i * NLOG_BLOCK) < 0)
			goto fail;
	for (uint32_t i = 0; ring != NULL && i < cap; i++) {
		if (ring[i].seq == 0)
			continue;
		encode_slot(blk, &ring[i]);
		if (pwrite_all(fd, blk, NLOG_BLOCK, slot_off(cap, ring[i].seq)) < 0)
			goto fail;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	tmp = NULL;
	if (sync_dir_of(path) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	errno = saved;
	return -1;
}

/* Read both header copies. 0 with the capacity and the highest sequence any
 * valid copy records; -1 (EBADMSG) if neither copy is a valid header. */
static int read_header(int fd, uint32_t *cap, uint32_t *last)
{
	unsigned char blk[NLOG_BLOCK];
	bool found = false;

	for (uint32_t i = 0; i < NLOG_HDR_COPIES; i++) {
		ssize_t n = pread_all(fd, blk, NLOG_BLOCK, (off_t)i * NLOG_BLOCK);
		if (n < 0)
			return -1;
		if (n < (ssize_t)NLOG_BLOCK || memcmp(blk, NLOG_MAGIC, NLOG_MAGIC_LEN) != 0 ||
		    !sealed(blk))
			continue;
		uint32_t c = get_u32(blk + HDR_CAPACITY);
		if (get_u32(blk + HDR_VERSION) != NLOG_VERSION ||
		    get_u32(blk + HDR_BLOCK) != NLOG_BLOCK || c == 0 || c > NLOG_CAP_MAX)
			continue;
		uint32_t l = get_u32(blk + HDR_LAST);
		if (!found || l > *last) {
			*cap = c;
			*last = l;
		}
		found = true;
	}
	if (!found) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* Read every slot of a log with capacity cap into a new ring indexed by slot.
 * Spoiled and misplaced slots stay empty; *last is raised to the highest
 * sequence found. */
static struct shugo_event *read_slots(int fd, const char *path, uint32_t cap, uint32_t *last)
{
	struct shugo_event *ring = calloc(cap, sizeof(*ring));
	unsigned char blk[NLOG_BLOCK];
	uint32_t spoiled = 0;

	if (ring == NULL)
		return NULL;
	for (uint32_t i = 0; i < cap; i++) {
		ssize_t n = pread_all(fd, blk, NLOG_BLOCK, NLOG_SLOTS_OFF + (off_t)i * NLOG_BLOCK);
		if (n < 0) {
			free(ring);
			return NULL;
		}
		if (n < (ssize_t)NLOG_BLOCK)
			break; /* a shortened file: the rest of the slots are empty */
		if (decode_slot(blk, &ring[i]) < 0) {
			if (get_u32(blk + SLOT_SEQ) != 0)
				spoiled++;
			memset(&ring[i], 0, sizeof(ring[i]));
			continue;
		}
		if ((ring[i].seq - 1) % cap != i) {
			spoiled++;
			memset(&ring[i], 0, sizeof(ring[i]));
			continue;
		}
		if (ring[i].seq > *last)
			*last = ring[i].seq;
	}
	if (spoiled > 0)
		log_warn("notification log %s: %u spoiled slot(s) skipped", path, spoiled);
	return ring;
}

/* Move the records of an old ring that fall in the window of the new capacity
 * into a new ring; the old ring's records outside its own window are stale
 * leftovers of failed writes and are dropped too. */
static struct shugo_event *rebuild_ring(const struct shugo_event *old, uint32_t old_cap,
					uint32_t cap, uint32_t last)
{
	struct shugo_event *ring = calloc(cap, sizeof(*ring));
	if (ring == NULL)
		return NULL;
	uint32_t lo = window_lo(last, cap);
	uint32_t old_lo = window_lo(last, old_cap);
	for (uint32_t i = 0; i < old_cap; i++) {
		uint32_t seq = old[i].seq;
		if (seq == 0 || seq < lo || seq < old_lo || seq > last)
			continue;
		ring[(seq - 1) % cap] = old[i];
	}
	return ring;
}

/* Record the runs of the window that no slot holds. */
static int find_gaps(struct nlog *l)
{
	size_t alloc = 0;
	if (l->last == 0)
		return 0;
	for (uint32_t s = window_lo(l->last, l->cap);; s++) {
		if (l->ring[(s - 1) % l->cap].seq != s) {
			if (l->ngaps > 0 && l->gaps[l->ngaps - 1].hi == s - 1) {
				l->gaps[l->ngaps - 1].hi = s;
			} else {
				if (l->ngaps == alloc) {
					size_t n = alloc ? alloc * 2 : 8;
					struct nlog_gap *g = realloc(l->gaps, n * sizeof(*g));
					if (g == NULL)
						return -1;
					l->gaps = g;
					alloc = n;
				}
				l->gaps[l->ngaps++] = (struct nlog_gap){s, s};
			}
		}
		if (s == l->last)
			break;
	}
	return 0;
}

/* Load an existing log from fd (already locked) into l, rewriting the file if
 * the capacity changed. Takes ownership of fd. */
static int load(struct nlog *l, int fd)
{
	uint32_t old_cap = 0, last = 0;
	struct shugo_event *old = NULL;
	int saved;

	if (read_header(fd, &old_cap, &last) < 0)
		goto fail;
	old = read_slots(fd, l->path, old_cap, &last);
	if (old == NULL)
		goto fail;
	l->ring = rebuild_ring(old, old_cap, l->cap, last);
	if (l->ring == NULL)
		goto fail;
	free(old);
	old = NULL;
	l->last = last;
	if (old_cap != l->cap) {
		int nfd = write_file(l->path, l->cap, last, l->ring);
		if (nfd < 0)
			goto fail;
		close(fd);
		fd = nfd;
		log_notice("notification log %s: capacity %u -> %u", l->path, old_cap, l->cap);
	}
	l->fd = fd;
	return 0;
fail:
	saved = errno;
	free(old);
	close(fd);
	errno = saved;
	return -1;
}

struct nlog *nlog_open(const char *path, uint32_t capacity)
{
	struct nlog *l = NULL;
	struct stat st;
	int fd = -1;
	int saved;

	if (path == NULL || capacity == 0 || capacity > NLOG_CAP_MAX) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->fd = -1;
	l->cap = capacity;
	l->path = strdup(path);
	if (l->path == NULL)
		goto fail;

	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		goto fail;
	if (fd >= 0 && (lock_fd(fd) < 0 || fstat(fd, &st) < 0))
		goto fail;
	if (fd >= 0 && !S_ISREG(st.st_mode)) {
		errno = EBADMSG;
		goto fail;
	}
	if (fd >= 0 && st.st_size > 0) {
		/* Notifications may name hosts and carry details: keep them private
		 * even if the file was created by hand or an older version. */
		if ((st.st_mode & 07777) != 0600)
			(void)fchmod(fd, 0600);
		int lfd = fd;
		fd = -1;
		if (load(l, lfd) < 0)
			goto fail;
	} else {
		/* Absent, or empty because it was created and nothing was ever
		 * written: nothing to lose, start a fresh log. */
		if (fd >= 0)
			close(fd);
		fd = -1;
		l->ring = calloc(capacity, sizeof(*l->ring));
		if (l->ring == NULL)
			goto fail;
		l->fd = write_file(path, capacity, 0, NULL);
		if (l->fd < 0)
			goto fail;
	}
	if (find_gaps(l) < 0)
		goto fail;
	return l;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	nlog_close(l);
	errno = saved;
	return NULL;
}

void nlog_close(struct nlog *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l->ring);
	free(l->gaps);
	free(l->path);
	free(l);
}

int nlog_append(struct nlog *l, struct shugo_event *ev)
{
	unsigned char blk[NLOG_BLOCK];

	if (l->last == UINT32_MAX) {
		/* Wrapping would hand out 1 again, which the manager has seen. */
		ev->seq = 0;
		errno = EOVERFLOW;
		return -1;
	}
	ev->seq = ++l->last;
	l->ring[(ev->seq - 1) % l->cap] = *ev;
	uint32_t lo = window_lo(l->last, l->cap);
	while (l->gap0 < l->ngaps && l->gaps[l->gap0].hi < lo)
		l->gap0++;

	/* The slot first, then the header copy of this sequence's parity: either
	 * one surviving a crash is enough to never reuse the sequence. */
	encode_slot(blk, ev);
	if (pwrite_all(l->fd, blk, NLOG_BLOCK, slot_off(l->cap, ev->seq)) < 0)
		return -1;
	encode_header(blk, l->cap, l->last);
	if (pwrite_all(l->fd, blk, NLOG_BLOCK, (off_t)(ev->seq % NLOG_HDR_COPIES) * NLOG_BLOCK) < 0)
		return -1;
	return fdatasync(l->fd);
}

uint32_t nlog_last_seq(const struct nlog *l)
{
	return l->last;
}

uint32_t nlog_capacity(const struct nlog *l)
{
	return l->cap;
}

const struct shugo_event *nlog_get(const struct nlog *l, uint32_t seq)
{
	if (seq == 0 || seq > l->last)
		return NULL;
	const struct shugo_event *ev = &l->ring[(seq - 1) % l->cap];
	return ev->seq == seq ? ev : NULL;
}

const struct shugo_event *nlog_next(const struct nlog *l, uint32_t seq)
{
	if (seq >= l->last)
		return NULL;
	uint32_t s = seq + 1;
	uint32_t lo = window_lo(l->last, l->cap);
	if (s < lo)
		s = lo;
	/* Gaps are maximal runs, so the sequence right after one is held. */
	size_t a = l->gap0, b = l->ngaps;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (l->gaps[m].hi < s)
			a = m + 1;
		else
			b = m;
	}
	if (a < l->ngaps && l->gaps[a].lo <= s) {
		if (l->gaps[a].hi >= l->last)
			return NULL;
		s = l->gaps[a].hi + 1;
	}
	return nlog_get(l, s);
}

uint32_t nlog_first_seq(const struct nlog *l)
{
	const struct shugo_event *ev = nlog_next(l, window_lo(l->last, l->cap) - 1);
	return ev != NULL ? ev->seq : 0;
}
