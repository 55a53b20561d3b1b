/* Log watching. Each sampling tick looks at every watched file: a file
 * that grew is read from where reading stood, line by line; one that was
 * truncated is read again from its start; one that was replaced (rotated) is
 * read to its end through the descriptor still open, and the new file from
 * its start. Positions go to state_dir/logwatch.state after each tick that
 * moved them, once the notifications of that tick are in the notification
 * log; at start-up the saved position decides where to go on (logwatch.c),
 * the rotated file (path.1) included. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "emit.h"
#include "log.h"
#include "mon_log.h"
#include "strutil.h"

#define READ_CHUNK 65536
#define READ_MAX_TICK (4u << 20) /* bytes read per file per tick: a huge backlog is caught up over ticks */
#define STATE_FILE "logwatch.state"

static bool positions_loaded;
static struct saved {
	char name[CFG_NAME_MAX + 1];
	struct lw_pos pos;
} *saved;
static size_t n_saved;

static struct lw_file file_of(const char *path)
{
	struct stat st;
	struct lw_file f = {0};

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		f = (struct lw_file){true, (uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size};
	return f;
}

/* ---- the state file: "name dev ino offset" per line ---- */

static void load_positions(const char *dir)
{
	char path[4096], line[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/" STATE_FILE, dir);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof line, f)) {
		struct saved s = {.pos.known = true};
		struct saved *n;
		if (sscanf(line, "%64s %" SCNu64 " %" SCNu64 " %" SCNu64, s.name, &s.pos.dev, &s.pos.ino,
			   &s.pos.offset) != 4)
			continue;
		if (!(n = realloc(saved, (n_saved + 1) * sizeof *n)))
			break;
		saved = n;
		saved[n_saved++] = s;
	}
	fclose(f);
}

static struct lw_pos saved_pos(const char *name)
{
	for (size_t i = 0; i < n_saved; i++)
		if (!strcmp(saved[i].name, name))
			return saved[i].pos;
	return (struct lw_pos){0};
}

/* Written whole and renamed into place: a crash leaves the old or the new. */
static void save_positions(const struct agent *a)
{
	char path[4096], tmp[4200];
	FILE *f;
	int fd;

	snprintf(path, sizeof path, "%s/" STATE_FILE, a->cfg->state_dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 || !(f = fdopen(fd, "w"))) {
		log_err("log watch: cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	for (size_t i = 0; i < a->n_logs; i++) {
		const struct log_rt *l = &a->logs[i];
		if (l->pos.known)
			fprintf(f, "%s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", l->name, l->pos.dev, l->pos.ino,
				l->pos.offset);
	}
	if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
		log_err("log watch: cannot save the read positions in %s: %s", path, strerror(errno));
}

/* ---- matching ---- */

static void on_line(const char *s, size_t n, void *arg)
{
	struct log_rt *l = arg;
	char object[EV_OBJECT_MAX + 1];
	uint64_t now = agent_now_ms();

	(void)n;
	if (regexec(&l->cfg->re, s, 0, NULL, 0) != 0)
		return;
	l->matches++;
	l->last_match = agent_wall();
	if (!damp_allow(&l->limit, l->cfg->limit, l->cfg->window_ms, now)) {
		l->suppressed++;
		if (!l->held++)
			l->held_since = l->last_match;
		str_copy(l->held_last, s, sizeof l->held_last);
		return;
	}
	snprintf(object, sizeof object, "log:%s", l->name);
	emit_event(NOTIF_LOG_MATCH, (enum shugo_severity)l->cfg->sev, object, "matched", "%s", s);
}

/* The matches held back by the limit, as one notification once the window
 * has room again. */
static void summarize(struct log_rt *l, uint64_t now)
{
	char object[EV_OBJECT_MAX + 1], since[16];
	struct tm tm;
	time_t t = (time_t)l->held_since;

	if (!l->held || !damp_allow(&l->limit, l->cfg->limit, l->cfg->window_ms, now))
		return;
	if (!localtime_r(&t, &tm) || !strftime(since, sizeof since, "%H:%M:%S", &tm))
		snprintf(since, sizeof since, "?");
	snprintf(object, sizeof object, "log:%s", l->name);
	emit_event(NOTIF_LOG_MATCH, (enum shugo_severity)l->cfg->sev, object, "suppressed",
		   "%u more matching lines since %s were not sent (limit %u in %u s); the last: %.160s", l->held, since,
		   l->cfg->limit, l->cfg->window_ms / 1000, l->held_last);
	l->held = 0;
}

/* ---- reading ---- */

static void close_file(struct log_rt *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	lw_reset(&l->lines);
}

/* Read fd from l->pos.offset to its end (at most READ_MAX_TICK). true when
 * the position moved. */
static bool read_on(struct log_rt *l, int fd)
{
	static char buf[READ_CHUNK];
	uint64_t start = l->pos.offset;

	while (l->pos.offset - start < READ_MAX_TICK) {
		ssize_t r = pread(fd, buf, sizeof buf, (off_t)l->pos.offset);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		lw_feed(&l->lines, buf, (size_t)r, on_line, l);
		l->pos.offset += (uint64_t)r;
	}
	return l->pos.offset != start;
}

static void set_state(struct log_rt *l, int state, const char *why)
{
	if (l->state == state)
		return;
	if (state == LOGW_OK)
		log_info("log watch %s: following %s", l->name, l->cfg->path);
	else
		log_warn("log watch %s: %s: %s", l->name, l->cfg->path, why);
	l->state = state;
}

/* Open the file at the path to be read from offset (0, or its end). */
static bool open_at(struct log_rt *l, bool at_end)
{
	struct stat st;
	int fd = open(l->cfg->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		set_state(l, errno == ENOENT ? LOGW_MISSING : LOGW_UNREADABLE, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		set_state(l, LOGW_UNREADABLE, "not a regular file");
		return false;
	}
	l->fd = fd;
	l->pos = (struct lw_pos){true, (uint64_t)st.st_dev, (uint64_t)st.st_ino, at_end ? (uint64_t)st.st_size : 0};
	lw_reset(&l->lines);
	set_state(l, LOGW_OK, "");
	return true;
}

/* The first look at a watch in this run: where the last run stood. */
static bool start(struct log_rt *l)
{
	struct lw_pos was = saved_pos(l->name);
	struct lw_file cur = file_of(l->cfg->path), rot;
	char rpath[4200];

	snprintf(rpath, sizeof rpath, "%s.1", l->cfg->path);
	rot = file_of(rpath);
	switch (lw_start_at(&was, &cur, &rot, l->cfg->from_start)) {
	case LW_WAIT:
		set_state(l, LOGW_MISSING, "no such file");
		return false;
	case LW_ROTATED_REST: {
		/* the lines the old file gained after the last run read it */
		int fd = open(rpath, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			l->pos = was;
			read_on(l, fd);
			close(fd);
			lw_reset(&l->lines);
			log_info("log watch %s: read the rest of %s, rotated while the agent was away", l->name, rpath);
		}
		open_at(l, false);
		return true;
	}
	case LW_RESUME:
		if (!open_at(l, false))
			return false;
		l->pos.offset = was.offset;
		return true;
	case LW_FROM_START:
		return open_at(l, false);
	case LW_FROM_END:
		return open_at(l, true);
	}
	return false;
}

/* ---- the kernel's log, /dev/kmsg ---- */

#define KMSG_RECORD_MAX 8192 /* a record is at most about 1 KB; the kernel refuses too short a buffer */
#define KMSG_MAX_TICK 4096   /* records per watch per tick: a full ring is caught up over ticks */

static uint64_t boot_hash(void)
{
	char id[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (f) {
		if (!fgets(id, sizeof id, f))
			id[0] = '\0';
		fclose(f);
	}
	return lw_boot_hash(id);
}

/* Open /dev/kmsg where the last run left it: its saved sequence number in
 * this boot, every record of a new boot, or (first sight) only what comes. */
static bool kmsg_open(struct log_rt *l)
{
	struct lw_pos was = l->pos.known ? l->pos : saved_pos(l->name);
	uint64_t boot = boot_hash(), next;
	int fd = open(LW_KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		set_state(l, errno == ENOENT ? LOGW_MISSING : LOGW_UNREADABLE, strerror(errno));
		return false;
	}
	next = lw_kmsg_start(&was, boot, l->cfg->from_start);
	if (next == UINT64_MAX) {
		lseek(fd, 0, SEEK_END); /* from the next record the kernel logs */
		next = 0;
	}
	l->fd = fd;
	l->pos = (struct lw_pos){true, 0, boot, next};
	set_state(l, LOGW_OK, "");
	return true;
}

/* The records the kernel logged since the last tick. */
static bool follow_kmsg(struct log_rt *l)
{
	static char rec[KMSG_RECORD_MAX];
	char msg[LW_LINE_MAX + 1];
	bool moved = false;

	if (l->fd < 0 && !kmsg_open(l))
		return false;
	for (unsigned n = 0; n < KMSG_MAX_TICK; n++) {
		ssize_t r = read(l->fd, rec, sizeof rec - 1);
		uint64_t seq;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) { /* overwritten before we read them: the next is there */
				log_warn("log watch %s: the kernel overwrote records before they were read", l->name);
				continue;
			}
			if (errno != EAGAIN) {
				set_state(l, LOGW_UNREADABLE, strerror(errno));
				close_file(l);
			}
			break;
		}
		if (r == 0)
			break;
		rec[r] = '\0';
		if (!lw_kmsg_parse(rec, (size_t)r, &seq, msg, sizeof msg) || seq < l->pos.offset)
			continue; /* read by the last run already */
		l->pos.offset = seq + 1;
		moved = true;
		on_line(msg, strlen(msg), l);
	}
	return moved;
}

/* One tick of one watch; true when its position moved. */
static bool follow(struct log_rt *l)
{
	struct lw_file cur;
	struct stat st;
	bool moved = false;

	if (!strcmp(l->cfg->path, LW_KMSG_PATH))
		return follow_kmsg(l);
	if (l->fd < 0) {
		if (!l->pos.known)
			moved = start(l); /* the first look in this run */
		else if (file_of(l->cfg->path).exists)
			moved = open_at(l, false); /* it came (back): all of it is new */
		if (l->fd < 0)
			return moved;
	}
	if (fstat(l->fd, &st) < 0) {
		close_file(l);
		return moved;
	}
	cur = file_of(l->cfg->path);
	switch (lw_check(&l->pos, &cur, (uint64_t)st.st_size)) {
	case LW_TRUNCATED:
		log_notice("log watch %s: %s was truncated; reading it from its start", l->name, l->cfg->path);
		l->pos.offset = 0;
		lw_reset(&l->lines);
		moved = true;
		/* fall through */
	case LW_SAME:
		moved |= read_on(l, l->fd);
		break;
	case LW_REPLACED:
		/* Rotated: what the old file gained before it was renamed is read
		 * through the descriptor still open; then the new file, from 0. */
		if ((uint64_t)st.st_size < l->pos.offset) {
			l->pos.offset = 0;
			lw_reset(&l->lines);
		}
		read_on(l, l->fd);
		close_file(l);
		log_info("log watch %s: %s was replaced (rotated); following the new file", l->name, l->cfg->path);
		if (cur.exists && open_at(l, false))
			read_on(l, l->fd);
		else
			set_state(l, LOGW_MISSING, "no such file after the rotation");
		moved = true;
		break;
	}
	return moved;
}

void logs_sample(struct agent *a, uint64_t now_ms)
{
	bool moved = false;

	for (size_t i = 0; i < a->n_logs; i++) {
		struct log_rt *l = &a->logs[i];
		moved |= follow(l);
		summarize(l, now_ms);
	}
	if (moved)
		save_positions(a);
}

static int log_cmp(const void *x, const void *y)
{
	return agent_name_cmp(((const struct log_rt *)x)->name, ((const struct log_rt *)y)->name);
}

int logs_configure(struct agent *a, const struct shugo_config *cfg)
{
	struct log_rt *nl = calloc(cfg->n_logs ? cfg->n_logs : 1, sizeof *nl);

	if (!nl)
		return -1;
	if (!positions_loaded) {
		load_positions(cfg->state_dir);
		positions_loaded = true;
	}
	for (size_t i = 0; i < cfg->n_logs; i++) {
		const struct cfg_log *c = &cfg->logs[i];
		struct log_rt *l = &nl[i];
		l->fd = -1;
		for (size_t k = 0; k < a->n_logs; k++) {
			struct log_rt *o = &a->logs[k];
			if (!strcmp(o->name, c->name) && !strcmp(o->cfg->path, c->path)) {
				*l = *o; /* the same file: go on where it was */
				o->fd = -1;
				break;
			}
		}
		l->cfg = c;
		str_copy(l->name, c->name, sizeof l->name);
		if (!l->state) {
			l->state = LOGW_MISSING;
			damp_init(&l->limit);
		}
	}
	for (size_t k = 0; k < a->n_logs; k++)
		close_file(&a->logs[k]);
	free(a->logs);
	qsort(nl, cfg->n_logs, sizeof *nl, log_cmp);
	a->logs = nl;
	a->n_logs = cfg->n_logs;
	return 0;
}

void logs_free(struct agent *a)
{
	if (a->n_logs)
		save_positions(a);
	for (size_t i = 0; i < a->n_logs; i++)
		close_file(&a->logs[i]);
	free(a->logs);
	a->logs = NULL;
	a->n_logs = 0;
	free(saved);
	saved = NULL;
	n_saved = 0;
}
