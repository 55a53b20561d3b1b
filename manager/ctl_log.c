/* shugoctl log: the central event log, filtered, newest records in order of
 * occurrence, and with --follow every record that arrives afterwards (tailed
 * by id, so a notification replayed late still shows up). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ctl.h"
#include "event.h"

#define FOLLOW_POLL_MS 200

static const char usage_text[] =
	"usage: shugoctl [GLOBAL OPTIONS] log [OPTIONS]\n"
	"\n"
	"Options:\n"
	"      --since T        records that occurred at or after T\n"
	"      --until T        records that occurred before T\n"
	"      --node NODE      records of this node only\n"
	"      --severity S     at least this severity: clear, info, warning, minor, major, critical\n"
	"      --type NAME      this notification type only (shugoProcAlarm, shugoMgrNodeDown, ...)\n"
	"      --origin O       agent, foreign, manager, replay or trapd\n"
	"  -n, --count N        the newest N records (default 50; 0 = all), oldest first\n"
	"  -f, --follow         then print new records as they arrive, until interrupted\n"
	"      --json           one JSON object per record (JSON Lines)\n"
	"  -h, --help           show this help\n"
	"\n"
	"T is \"2026-11-22T10:00:00\", \"2026-11-22 10:00\", \"2026-11-22\", \"10:00\" (today),\n"
	"in local time unless it ends in \"Z\" or \"+01:00\" (as --json writes times);\n"
	"\"now\"; or relative: \"-30s\", \"-10m\", \"-2h\", \"-1d\".\n"
	"\n"
	"Each line: occurrence time, node (or the sender's address for a foreign trap),\n"
	"severity, type, object, state, detail.\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct out {
	const struct ctl *c;
	int64_t max_id;     /* highest id printed */
	bool skip;          /* the first pass leaves records above skip_above to the tail */
	int64_t skip_above;
	bool broken;        /* stdout failed: stop */
	int err;            /* and why */
};

static void print_json(const struct log_rec *r)
{
	fputc('{', stdout);
	json_log_rec(stdout, r);
	fputs("}\n", stdout);
}

static void print_text(const struct log_rec *r)
{
	char t[40], who[LR_SOURCE_MAX + LR_NODE_MAX + 8], type[LR_OID_MAX * 4 + 1];
	char obj[EV_OBJECT_MAX * 4 + 1], state[EV_STATE_MAX * 4 + 1], detail[LR_DETAIL_MAX * 4 + 1];

	/* a foreign trap has no node: who sent it is its address */
	ctl_text(who, sizeof who, r->node[0] ? r->node : r->source[0] ? r->source : "-");
	ctl_text(type, sizeof type, r->type_name[0] ? r->type_name : r->trap_oid[0] ? r->trap_oid : "-");
	ctl_text(obj, sizeof obj, r->object[0] ? r->object : "-");
	ctl_text(state, sizeof state, r->state[0] ? r->state : "-");
	ctl_text(detail, sizeof detail, r->detail);
	printf("%s  %-10s %-8s %-22s %-16s %-10s %s\n", ctl_fmt_time(t, sizeof t, r->occurred_ms), who,
	       r->sev ? ev_sev_name(r->sev) : "-", type, obj, state, detail);
}

static int print_rec(const struct log_rec *r, void *arg)
{
	struct out *o = arg;

	if (o->skip && r->id > o->skip_above)
		return 0;
	if (o->c->json)
		print_json(r);
	else
		print_text(r);
	if (r->id > o->max_id)
		o->max_id = r->id;
	if (ferror(stdout)) {
		o->err = errno;
		o->broken = true;
		return 1;
	}
	return 0;
}

static int parse_origin(const char *s)
{
	for (int o = LR_AGENT; o <= LR_TRAPD; o++)
		if (strcmp(s, lr_origin_name(o)) == 0)
			return o;
	return 0;
}

/* Wait up to ms, returning early on SIGINT/SIGTERM. */
static void nap(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	if (!stop_requested)
		nanosleep(&ts, NULL);
}

/* A bad option value: the message is enough, the whole usage would bury it. */
static int value_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int value_error(const char *fmt, ...)
{
	va_list ap;

	fputs("shugoctl: log: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see shugoctl log --help)\n", stderr);
	return CTL_ERR;
}

static int store_error(const struct ctl *c)
{
	fprintf(stderr, "shugoctl: %s: %s\n", c->store_path, store_errmsg(c->store));
	return CTL_ERR;
}

/* Flush: 0 fine, 1 the reader went away (a quiet end), -1 stdout failed. */
static int flush_out(struct out *o)
{
	if (!o->broken) {
		if (fflush(stdout) == 0 && !ferror(stdout))
			return 0;
		o->err = errno;
		o->broken = true;
	}
	if (o->err == EPIPE)
		return 1;
	fprintf(stderr, "shugoctl: stdout: %s\n", strerror(o->err));
	return -1;
}

static int follow(struct ctl *c, struct store_log_filter *f, struct out *o, int64_t last)
{
	struct sigaction sa = {.sa_handler = on_signal};
	int rc;

	/* no SA_RESTART: the signal cuts the nap short */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	f->order = STORE_ORDER_ARRIVAL;
	f->limit = 0;
	o->skip = false;
	while (!stop_requested) {
		/* Records that match no filter move the mark on too, so they are
		 * not scanned again on every turn. */
		int64_t top = store_log_last_id(c->store);
		if (top < 0)
			return store_error(c);
		f->after_id = last;
		if (store_log_query(c->store, f, print_rec, o) < 0 && !o->broken)
			return store_error(c);
		if ((rc = flush_out(o)) != 0)
			return rc > 0 ? CTL_OK : CTL_ERR;
		last = o->max_id > top ? o->max_id : top > last ? top : last;
		nap(FOLLOW_POLL_MS);
	}
	return CTL_OK;
}

int ctl_log(struct ctl *c, int argc, char **argv)
{
	enum { O_SINCE = 256, O_UNTIL, O_NODE, O_SEV, O_TYPE, O_ORIGIN, O_JSON };
	static const struct option opts[] = {
		{"since", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"node", required_argument, NULL, O_NODE},
		{"severity", required_argument, NULL, O_SEV},
		{"type", required_argument, NULL, O_TYPE},
		{"origin", required_argument, NULL, O_ORIGIN},
		{"count", required_argument, NULL, 'n'},
		{"follow", no_argument, NULL, 'f'},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct store_log_filter f = {.order = STORE_ORDER_OCCURRED, .limit = 50};
	struct out o = {.c = c};
	bool follow_mode = false;
	const char *why;
	char *end;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "n:fh", opts, NULL)) != -1) {
		switch (ch) {
		case O_SINCE:
		case O_UNTIL:
			if ((why = ctl_parse_time(optarg, c->now_ms, ch == O_SINCE ? &f.since_ms : &f.until_ms)))
				return value_error("--%s '%s': %s",
						       ch == O_SINCE ? "since" : "until", optarg, why);
			break;
		case O_NODE: f.node = optarg; break;
		case O_SEV:
			if (!(f.min_sev = ev_sev_parse(optarg)))
				return value_error("--severity '%s': not one of clear, info, warning, minor, "
						   "major, critical", optarg);
			break;
		case O_TYPE: f.type_name = optarg; break;
		case O_ORIGIN:
			if (!(f.origin = parse_origin(optarg)))
				return value_error("--origin '%s': not one of agent, foreign, manager, replay, "
						   "trapd", optarg);
			break;
		case 'n': {
			errno = 0;
			unsigned long long n = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-' || n > 100000000)
				return value_error("-n '%s': expected a count (0 = all)", optarg);
			f.limit = (size_t)n;
			break;
		}
		case 'f': follow_mode = true; break;
		case O_JSON: c->json = true; break;
		case 'h': fputs(usage_text, stdout); return CTL_OK;
		default:
			if (optopt == 'n')
				return ctl_usage_error(usage_text, "log: -n needs a count");
			return ctl_usage_error(usage_text, "log: unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return ctl_usage_error(usage_text, "log: unexpected argument '%s'", argv[optind]);
	if (ctl_open(c) < 0)
		return CTL_ERR;

	/* What is in the log now is printed by occurrence; what comes after,
	 * by arrival. The mark is taken first so nothing falls in between. */
	int64_t last = store_log_last_id(c->store);
	if (last < 0)
		return store_error(c);
	o.skip = follow_mode;
	o.skip_above = last;
	if (store_log_query(c->store, &f, print_rec, &o) < 0 && !o.broken)
		return store_error(c);
	if ((rc = flush_out(&o)) != 0)
		return rc > 0 ? CTL_OK : CTL_ERR;
	if (!follow_mode)
		return CTL_OK;
	return follow(c, &f, &o, last);
}
