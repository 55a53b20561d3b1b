/* Unit tests for the persistent notification log (nlog) and the state
 * directory helpers (statefile): sequence assignment, wraparound, recovery
 * across reopen and capacity changes, spoiled slots, file modes. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "nlog.h"
#include "statefile.h"

struct tdir {
	char dir[256];
	char log[300];
};

static void tdir_make(struct tdir *t)
{
	const char *base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	CU_ASSERT_FATAL((size_t)snprintf(t->dir, sizeof(t->dir), "%s/test_nlog.XXXXXX", base) <
			sizeof(t->dir) - 32);
	CU_ASSERT_FATAL(mkdtemp(t->dir) != NULL);
	snprintf(t->log, sizeof(t->log), "%s/notif.log", t->dir);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tdir_remove(struct tdir *t)
{
	nftw(t->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Every field derives from n, so a record read back proves which one it is. */
static void make_event(struct shugo_event *ev, unsigned n)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum shugo_notif)(1 + n % NOTIF_MAX);
	ev->sev = (enum shugo_severity)(1 + n % 6);
	ev->alarm_id = 1000 + n;
	ev->boot = 100 + 2 * n;
	ev->time = 1700000000LL + n;
	snprintf(ev->object, sizeof(ev->object), "proc:web%u", n);
	snprintf(ev->state, sizeof(ev->state), "state%u", n);
	snprintf(ev->detail, sizeof(ev->detail), "payload-%06u-end", n);
}

/* Append events numbered from..to (inclusive); the log assigns seq == n when
 * the numbering matches its sequence. */
static void append_range(struct nlog *l, unsigned from, unsigned to)
{
	for (unsigned n = from; n <= to; n++) {
		struct shugo_event ev;
		make_event(&ev, n);
		CU_ASSERT_EQUAL_FATAL(nlog_append(l, &ev), 0);
		CU_ASSERT_EQUAL(ev.seq, n);
	}
}

/* Record seq is held and is exactly the event numbered seq. */
static void assert_record(const struct nlog *l, uint32_t seq)
{
	struct shugo_event want;
	const struct shugo_event *got = nlog_get(l, seq);
	make_event(&want, seq);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got->seq, seq);
	CU_ASSERT_EQUAL(got->type, want.type);
	CU_ASSERT_EQUAL(got->sev, want.sev);
	CU_ASSERT_EQUAL(got->alarm_id, want.alarm_id);
	CU_ASSERT_EQUAL(got->boot, want.boot);
	CU_ASSERT_EQUAL(got->time, want.time);
	CU_ASSERT_STRING_EQUAL(got->object, want.object);
	CU_ASSERT_STRING_EQUAL(got->state, want.state);
	CU_ASSERT_STRING_EQUAL(got->detail, want.detail);
}

/* Sequence of the GETNEXT answer after seq, 0 if none. */
static uint32_t next_seq(const struct nlog *l, uint32_t seq)
{
	const struct shugo_event *ev = nlog_next(l, seq);
	return ev != NULL ? ev->seq : 0;
}

/* Exactly the records first..last are held (none before, none after). */
static void assert_holds(const struct nlog *l, uint32_t first, uint32_t last)
{
	CU_ASSERT_EQUAL(nlog_first_seq(l), first);
	CU_ASSERT_EQUAL(nlog_last_seq(l), last);
	if (first > 1)
		CU_ASSERT_PTR_NULL(nlog_get(l, first - 1));
	CU_ASSERT_PTR_NULL(nlog_get(l, last + 1));
	for (uint32_t s = first; s <= last; s++)
		assert_record(l, s);
	CU_ASSERT_EQUAL(next_seq(l, 0), first);
	CU_ASSERT_PTR_NULL(nlog_next(l, last));
}

/* The file's bytes, read whole; *size set. */
static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	CU_ASSERT_FATAL(n > 0);
	unsigned char *buf = malloc((size_t)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	rewind(f);
	CU_ASSERT_EQUAL_FATAL(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Where the record numbered n lies in the file (its unique detail text). */
static size_t find_record(const unsigned char *buf, size_t size, unsigned n)
{
	char needle[32];
	snprintf(needle, sizeof(needle), "payload-%06u-end", n);
	const unsigned char *hit = memmem(buf, size, needle, strlen(needle));
	CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
	CU_ASSERT_PTR_NULL(memmem(hit + 1, size - (size_t)(hit + 1 - buf), needle, strlen(needle)));
	return (size_t)(hit - buf);
}

static void write_at(const char *path, size_t off, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, bytes, len, (off_t)off), (ssize_t)len);
	CU_ASSERT_EQUAL(close(fd), 0);
}

/* Overwrite the bytes of the record numbered n in the file, found by its
 * unique detail text so the test does not depend on the slot layout. */
static void spoil_record(const char *path, unsigned n, const void *bytes, size_t len)
{
	size_t size;
	unsigned char *buf = slurp(path, &size);
	size_t off = find_record(buf, size, n);
	free(buf);
	write_at(path, off, bytes, len);
}

static void test_append_get_next(void)
{
	struct tdir t;
	tdir_make(&t);
	struct nlog *l = nlog_open(t.log, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(nlog_capacity(l), 8);
	CU_ASSERT_EQUAL(nlog_last_seq(l), 0);
	CU_ASSERT_EQUAL(nlog_first_seq(l), 0);
	CU_ASSERT_PTR_NULL(nlog_get(l, 0));
	CU_ASSERT_PTR_NULL(nlog_get(l, 1));
	CU_ASSERT_PTR_NULL(nlog_next(l, 0));

	append_range(l, 1, 3);
	assert_holds(l, 1, 3);
	CU_ASSERT_PTR_NULL(nlog_get(l, 0));
	for (uint32_t s = 0; s < 3; s++)
		CU_ASSERT_EQUAL(next_seq(l, s), s + 1);
	CU_ASSERT_PTR_NULL(nlog_next(l, 3));
	CU_ASSERT_PTR_NULL(nlog_next(l, UINT32_MAX));

	/* The caller's text fields may be full length: stored whole. */
	struct shugo_event ev;
	make_event(&ev, 4);
	memset(ev.detail, 'x', EV_DETAIL_MAX);
	ev.detail[EV_DETAIL_MAX] = '\0';
	CU_ASSERT_EQUAL(nlog_append(l, &ev), 0);
	nlog_close(l);
	l = nlog_open(t.log, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlog_get(l, 4));
	CU_ASSERT_EQUAL(strlen(nlog_get(l, 4)->detail), EV_DETAIL_MAX);
	nlog_close(l);
	tdir_remove(&t);
}

static void test_wraparound(void)
{
	struct tdir t;
	tdir_make(&t);
	struct nlog *l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	append_range(l, 1, 4);
	assert_holds(l, 1, 4);
	append_range(l, 5, 10);
	assert_holds(l, 7, 10);
	/* GETNEXT from before the window lands on the oldest record held. */
	CU_ASSERT_EQUAL(next_seq(l, 2), 7);
	CU_ASSERT_EQUAL(next_seq(l, 8), 9);
	nlog_close(l);
	tdir_remove(&t);
}

static void test_reopen_continues(void)
{
	struct tdir t;
	tdir_make(&t);
	struct nlog *l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	append_range(l, 1, 6);
	nlog_close(l);

	l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	assert_holds(l, 3, 6);
	append_range(l, 7, 7);
	assert_holds(l, 4, 7);
	nlog_close(l);

	l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	assert_holds(l, 4, 7);
	nlog_close(l);
	tdir_remove(&t);
}

/* Reopening with another capacity keeps the newest records, and the rewritten
 * file holds them at the new capacity. */
static void test_capacity_change(void)
{
	static const struct {
		uint32_t old_cap, appended, new_cap, first; /* last == appended */
	} cases[] = {
		{8, 6, 8, 1},
		{8, 6, 3, 4},
		{8, 20, 3, 18},
		{3, 5, 10, 3},
		{3, 5, 1, 5},
		{1, 5, 4, 5},
		{4, 4, 4, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tdir t;
		tdir_make(&t);
		struct nlog *l = nlog_open(t.log, cases[i].old_cap);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		append_range(l, 1, cases[i].appended);
		nlog_close(l);

		l = nlog_open(t.log, cases[i].new_cap);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		CU_ASSERT_EQUAL(nlog_capacity(l), cases[i].new_cap);
		assert_holds(l, cases[i].first, cases[i].appended);
		/* Fill the new capacity completely: the window slides correctly. */
		uint32_t last = cases[i].appended + cases[i].new_cap;
		append_range(l, cases[i].appended + 1, last);
		assert_holds(l, last - cases[i].new_cap + 1, last);
		nlog_close(l);

		l = nlog_open(t.log, cases[i].new_cap);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		assert_holds(l, last - cases[i].new_cap + 1, last);
		nlog_close(l);

		struct stat st;
		char tmp[320];
		snprintf(tmp, sizeof(tmp), "%s.tmp", t.log);
		CU_ASSERT_EQUAL(stat(tmp, &st), -1); /* no temp file left behind */
		tdir_remove(&t);
	}
}

/* A spoiled slot is skipped; the sequence continues past the highest one ever
 * assigned even when that record is the one spoiled. */
static void test_spoiled_slots(void)
{
	static const struct {
		const char *what;
		unsigned spoil;  /* record whose slot is damaged */
		size_t len;
		unsigned char fill;
	} cases[] = {
		{"newest slot torn", 6, 3, 'Z'},
		{"middle slot torn", 4, 1, '!'},
		{"oldest slot garbage", 3, 300, 0xff},
		{"newest slot zeroed", 6, 200, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tdir t;
		unsigned char bytes[512];
		tdir_make(&t);
		struct nlog *l = nlog_open(t.log, 4);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		append_range(l, 1, 6); /* holds 3..6 */
		nlog_close(l);

		memset(bytes, cases[i].fill, sizeof(bytes));
		spoil_record(t.log, cases[i].spoil, bytes, cases[i].len);
		l = nlog_open(t.log, 4);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		CU_ASSERT_EQUAL(nlog_last_seq(l), 6);
		CU_ASSERT_PTR_NULL(nlog_get(l, cases[i].spoil));
		for (uint32_t s = 3; s <= 6; s++)
			if (s != cases[i].spoil)
				assert_record(l, s);
		/* GETNEXT steps over the hole. */
		CU_ASSERT_EQUAL(next_seq(l, cases[i].spoil - 1),
				cases[i].spoil == 6 ? 0 : cases[i].spoil + 1);
		CU_ASSERT_EQUAL(nlog_first_seq(l), cases[i].spoil == 3 ? 4u : 3u);

		append_range(l, 7, 7);
		nlog_close(l);
		l = nlog_open(t.log, 4);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		CU_ASSERT_EQUAL(nlog_last_seq(l), 7);
		assert_record(l, 7);
		nlog_close(l);
		tdir_remove(&t);
	}
}

/* Several adjacent holes, as left by a damaged region: GETNEXT jumps them. */
static void test_hole_run(void)
{
	struct tdir t;
	unsigned char junk[16];
	tdir_make(&t);
	struct nlog *l = nlog_open(t.log, 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	append_range(l, 1, 10);
	nlog_close(l);
	memset(junk, '#', sizeof(junk));
	for (unsigned n = 3; n <= 7; n++)
		spoil_record(t.log, n, junk, sizeof(junk));
	spoil_record(t.log, 1, junk, sizeof(junk));

	l = nlog_open(t.log, 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(nlog_first_seq(l), 2);
	CU_ASSERT_EQUAL(next_seq(l, 0), 2);
	CU_ASSERT_EQUAL(next_seq(l, 2), 8);
	CU_ASSERT_EQUAL(next_seq(l, 5), 8);
	CU_ASSERT_EQUAL(next_seq(l, 8), 9);
	/* Once the window slides past the holes they no longer matter. */
	append_range(l, 11, 17);
	assert_holds(l, 8, 17);
	nlog_close(l);
	tdir_remove(&t);
}

/* White-box tests of the layout nlog.c documents: two 512-byte header copies
 * at offsets 0 and 512, then one 512-byte block per slot; append seq rewrites
 * header copy seq % 2. */
#define BLOCK 512

/* A crash while appending 6 to a one-slot log tears both the slot (which held
 * the acknowledged 5) and the header copy being written (copy 0): the other
 * copy still says 5, so 5 is never handed out again. */
static void test_torn_slot_and_header(void)
{
	struct tdir t;
	unsigned char junk[BLOCK];
	tdir_make(&t);
	struct nlog *l = nlog_open(t.log, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	append_range(l, 1, 5);
	nlog_close(l);

	memset(junk, 0x5a, sizeof(junk));
	write_at(t.log, 0, junk, 100);
	spoil_record(t.log, 5, junk, 8);
	l = nlog_open(t.log, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(nlog_last_seq(l), 5);
	CU_ASSERT_EQUAL(nlog_first_seq(l), 0);
	CU_ASSERT_PTR_NULL(nlog_get(l, 5));
	append_range(l, 6, 6);
	assert_holds(l, 6, 6);
	nlog_close(l);
	tdir_remove(&t);
}

/* A slot whose write never reached the disk still holds a sealed record from
 * an earlier lap; it is outside the window and must not be served. */
static void test_stale_slot(void)
{
	struct tdir t;
	size_t old_size, size;
	tdir_make(&t);
	struct nlog *l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	append_range(l, 1, 4);
	unsigned char *old = slurp(t.log, &old_size);
	append_range(l, 5, 8);
	nlog_close(l);

	unsigned char *cur = slurp(t.log, &size);
	size_t off = find_record(cur, size, 6);
	off -= off % BLOCK;
	CU_ASSERT_FATAL(off >= 2 * BLOCK && off + BLOCK <= old_size);
	write_at(t.log, off, old + off, BLOCK); /* the slot as it was after 1..4 */
	free(old);
	free(cur);

	l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(nlog_last_seq(l), 8);
	CU_ASSERT_EQUAL(nlog_first_seq(l), 5);
	CU_ASSERT_PTR_NULL(nlog_get(l, 2));
	CU_ASSERT_PTR_NULL(nlog_get(l, 6));
	CU_ASSERT_EQUAL(next_seq(l, 0), 5);
	CU_ASSERT_EQUAL(next_seq(l, 5), 7);
	nlog_close(l);

	/* Nor may a rewrite for another capacity carry it over. */
	l = nlog_open(t.log, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(nlog_first_seq(l), 5);
	CU_ASSERT_PTR_NULL(nlog_get(l, 2));
	nlog_close(l);
	tdir_remove(&t);
}

/* One spoiled header copy is survived through the other. */
static void test_spoiled_header_copy(void)
{
	for (size_t copy = 0; copy < 2; copy++) {
		struct tdir t;
		tdir_make(&t);
		struct nlog *l = nlog_open(t.log, 4);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		append_range(l, 1, 5);
		nlog_close(l);

		write_at(t.log, copy * BLOCK + 12, "XXXX", 4); /* its capacity field */
		l = nlog_open(t.log, 4);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		assert_holds(l, 2, 5);
		append_range(l, 6, 6);
		nlog_close(l);
		tdir_remove(&t);
	}
}

/* Decision (nlog.h): anything that is not a notification log is refused with
 * EBADMSG and left as it was; an empty file is a log never written to. */
static void test_foreign_file(void)
{
	static const char text[] = "this is somebody's configuration file\n";
	struct tdir t;
	char back[sizeof(text)];
	tdir_make(&t);

	FILE *f = fopen(t.log, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 100; i++)
		fputs(text, f);
	fclose(f);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlog_open(t.log, 4));
	CU_ASSERT_EQUAL(errno, EBADMSG);
	f = fopen(t.log, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(back, sizeof(back), f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(back, text);

	/* A real log whose magic is gone in both header copies. */
	unlink(t.log);
	struct nlog *l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	append_range(l, 1, 2);
	nlog_close(l);
	write_at(t.log, 0, "NOTALOG!", 8);
	write_at(t.log, BLOCK, "NOTALOG!", 8);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlog_open(t.log, 4));
	CU_ASSERT_EQUAL(errno, EBADMSG);

	/* Empty: a fresh log. */
	int fd = open(t.log, O_WRONLY | O_TRUNC);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(nlog_last_seq(l), 0);
	append_range(l, 1, 1);
	nlog_close(l);
	tdir_remove(&t);
}

static void test_bad_arguments_and_lock(void)
{
	struct tdir t;
	tdir_make(&t);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlog_open(t.log, 0));
	CU_ASSERT_EQUAL(errno, EINVAL);

	struct nlog *l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlog_open(t.log, 4));
	CU_ASSERT_EQUAL(errno, EWOULDBLOCK);
	nlog_close(l);
	l = nlog_open(t.log, 4);
	CU_ASSERT_PTR_NOT_NULL(l);
	nlog_close(l);
	tdir_remove(&t);
}

static void test_file_mode(void)
{
	static const mode_t masks[] = {0, 022, 077};
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct tdir t;
		struct stat st;
		tdir_make(&t);
		mode_t old = umask(masks[i]);
		struct nlog *l = nlog_open(t.log, 4);
		umask(old);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		CU_ASSERT_EQUAL(stat(t.log, &st), 0);
		CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
		append_range(l, 1, 1);
		nlog_close(l);

		/* A loose mode is tightened on open, with or without a rewrite
		 * for a new capacity. */
		for (uint32_t cap = 4; cap >= 2; cap -= 2) {
			CU_ASSERT_EQUAL(chmod(t.log, 0644), 0);
			l = nlog_open(t.log, cap);
			CU_ASSERT_PTR_NOT_NULL_FATAL(l);
			CU_ASSERT_EQUAL(stat(t.log, &st), 0);
			CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
			nlog_close(l);
		}
		tdir_remove(&t);
	}
}

static void test_bootcount(void)
{
	struct tdir t;
	struct stat st;
	char dir[320], file[320];
	tdir_make(&t);
	snprintf(dir, sizeof(dir), "%s/a/b//c/", t.dir);
	snprintf(file, sizeof(file), "%s/a/b/c/bootcount", t.dir);

	mode_t old = umask(0);
	CU_ASSERT_EQUAL(state_mkdir(dir), 0);
	umask(old);
	CU_ASSERT_EQUAL(state_mkdir(dir), 0); /* already there */
	const char *subs[] = {"a", "a/b", "a/b/c"};
	for (size_t i = 0; i < 3; i++) {
		char p[300];
		snprintf(p, sizeof(p), "%s/%s", t.dir, subs[i]);
		CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
		CU_ASSERT(S_ISDIR(st.st_mode));
		CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
	}

	for (uint32_t want = 1; want <= 3; want++)
		CU_ASSERT_EQUAL(state_bump_boot(dir), want);
	FILE *f = fopen(file, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char buf[16] = "";
	CU_ASSERT_PTR_NOT_NULL(fgets(buf, sizeof(buf), f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "3\n");

	/* A counter that is not a number is refused, never restarted at 1. */
	f = fopen(file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("banana\n", f);
	fclose(f);
	errno = 0;
	CU_ASSERT_EQUAL(state_bump_boot(dir), 0);
	CU_ASSERT_EQUAL(errno, EBADMSG);

	/* A path component that is a file. */
	snprintf(dir, sizeof(dir), "%s/a/b/c/bootcount/x", t.dir);
	errno = 0;
	CU_ASSERT_EQUAL(state_mkdir(dir), -1);
	CU_ASSERT_EQUAL(errno, ENOTDIR);
	tdir_remove(&t);
}

static CU_TestInfo tests[] = {
	{"append, get, next", test_append_get_next},
	{"wraparound past capacity", test_wraparound},
	{"reopen continues the sequence", test_reopen_continues},
	{"reopen with another capacity", test_capacity_change},
	{"spoiled slots are skipped", test_spoiled_slots},
	{"a run of holes", test_hole_run},
	{"torn slot and header copy", test_torn_slot_and_header},
	{"stale slot from an earlier lap", test_stale_slot},
	{"spoiled header copy", test_spoiled_header_copy},
	{"foreign file refused", test_foreign_file},
	{"bad arguments, second opener", test_bad_arguments_and_lock},
	{"file mode 0600", test_file_mode},
	{"bootcount", test_bootcount},
	CU_TEST_INFO_NULL,
};

CU_MAIN("nlog", tests)
