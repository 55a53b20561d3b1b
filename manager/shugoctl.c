/* shugoctl: the operator's command line. This file owns the front end (global
 * options, finding and opening the store) and what every command shares: time
 * parsing and formatting, terminal-safe text, JSON strings and plain tables.
 * The commands themselves are ctl_status.c, ctl_log.c, ctl_deliveries.c,
 * ctl_graph.c and ctl_exec.c. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "ctl.h"
#include "json.h"
#include "strutil.h"

static const char usage_text[] =
	"usage: shugoctl [-c CONFIG] [-N NODE] [--store PATH] [--json] COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  status [NODE]         the cluster's nodes, or one node's processes, resources and alarms\n"
	"  log [OPTIONS]         the central event log (see shugoctl log --help)\n"
	"  deliveries [OPTIONS]  what notification routing did (see shugoctl deliveries --help)\n"
	"  graph NODE NAME       a PNG of a resource, interface or process (see shugoctl graph --help)\n"
	"  exec PROGRAM [ARG...] run a program on a node through the manager (see shugoctl exec --help)\n"
	"  requests [ID]         remote execution requests and where they ran (see shugoctl requests --help)\n"
	"  signal ID [SIGNAL]    signal the program of a request wherever it runs (see shugoctl signal --help)\n"
	"\n"
	"Options:\n"
	"  -c, --config CONFIG   cluster definition to find the store, the RRD files and the\n"
	"                        manager in (manager.store, manager.rrd, manager.event_socket);\n"
	"                        default " SHUGO_SYSCONFDIR "/shugo.yaml\n"
	"  -N, --node-name NODE  this host's name in cluster.nodes (default: the host name)\n"
	"      --store PATH      use this store; no configuration is read then (exec then\n"
	"                        does not wake the manager: it finds the request within 1 s)\n"
	"      --json            machine-readable output (status, exec, requests ID: one\n"
	"                        object; log, deliveries, requests: JSON Lines)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 fine, 1 usage or store error, 2 no such node (or metric, or\n"
	"request); exec and signal have their own (see their --help).\n";

int ctl_usage_error(const char *usage, const char *fmt, ...)
{
	if (fmt) {
		va_list ap;
		fputs("shugoctl: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(usage, stderr);
	return CTL_ERR;
}

/* Read the config (unless --store was given) for where the store is, then
 * open it in mode. */
static int open_store(struct ctl *c, enum store_mode mode)
{
	char err[512];

	if (!c->store_path) {
		const char *path = c->config_path ? c->config_path : SHUGO_SYSCONFDIR "/shugo.yaml";
		struct shugo_config *cfg = cfg_load(path, c->node_name, err, sizeof err);
		if (!cfg) {
			fprintf(stderr, "shugoctl: %s\n", err);
			/* The config is checked as a whole, for one node; a workstation
			 * outside the cluster has to name a node or the store. */
			if (strstr(err, "is not in cluster.nodes"))
				fprintf(stderr, "shugoctl: name a node of the cluster with -N NODE, "
						"or the store with --store PATH\n");
			return -1;
		}
		c->store_path_owned = strdup(cfg->manager.store ? cfg->manager.store : SHUGO_STATEDIR "/store.db");
		/* where the metrics are, for graph */
		c->rrd_dir = cfg->manager.rrd.dir ? strdup(cfg->manager.rrd.dir) : NULL;
		c->rrd_daemon = cfg->manager.rrd.daemon ? strdup(cfg->manager.rrd.daemon) : NULL;
		/* where the manager is woken, for exec */
		c->event_socket = cfg->manager.event_socket ? strdup(cfg->manager.event_socket) : NULL;
		cfg_free(cfg);
		if (!c->store_path_owned) {
			fprintf(stderr, "shugoctl: out of memory\n");
			return -1;
		}
		c->store_path = c->store_path_owned;
	}
	c->store = store_open(c->store_path, mode, err, sizeof err);
	if (!c->store) {
		fprintf(stderr, "shugoctl: %s\n", err);
		return -1;
	}
	return 0;
}

int ctl_open(struct ctl *c)
{
	return open_store(c, STORE_RO);
}

int ctl_open_rw(struct ctl *c)
{
	return open_store(c, STORE_RW);
}

int64_t ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- time ---- */

/* Exactly n digits (n_max >= n >= n_min) at *p into *out. */
static bool digits(const char **p, int n_min, int n_max, int *out, int *n_read)
{
	int v = 0, n = 0;

	while (n < n_max && isdigit((unsigned char)(*p)[n])) {
		v = v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n < n_min)
		return false;
	*p += n;
	*out = v;
	if (n_read)
		*n_read = n;
	return true;
}

/* "HH:MM[:SS[.mmm]]" into tm and *msec, with an optional "Z" or "+HH:MM" /
 * "-HH:MM" (*off_min, in minutes east of UTC; *has_off) as ctl_fmt_iso
 * writes it, so a time copied from --json output reads back. */
static const char *parse_clock(const char *p, struct tm *tm, int *msec, bool *has_off, int *off_min)
{
	int h, m, s = 0, f = 0, nf = 0;

	*has_off = false;
	if (!digits(&p, 1, 2, &h, NULL) || *p++ != ':' || !digits(&p, 2, 2, &m, NULL))
		return "expected HH:MM";
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, 2, &s, NULL))
			return "expected seconds after HH:MM:";
		if (*p == '.') {
			p++;
			if (!digits(&p, 1, 3, &f, &nf))
				return "expected milliseconds after the seconds";
			for (; nf < 3; nf++)
				f *= 10;
		}
	}
	if (*p == 'Z' && !p[1]) {
		*has_off = true;
		*off_min = 0;
		p++;
	} else if ((*p == '+' || *p == '-') && p[1]) {
		int sign = *p == '-' ? -1 : 1, oh, om;
		p++;
		if (!digits(&p, 2, 2, &oh, NULL) || (*p == ':' && !*++p) || !digits(&p, 2, 2, &om, NULL) ||
		    oh > 23 || om > 59)
			return "expected a UTC offset +HH:MM";
		*has_off = true;
		*off_min = sign * (oh * 60 + om);
	}
	if (*p)
		return "unexpected text after the time";
	if (h > 23 || m > 59 || s > 59)
		return "hour, minute or second out of range";
	tm->tm_hour = h;
	tm->tm_min = m;
	tm->tm_sec = s;
	*msec = f;
	return NULL;
}

const char *ctl_parse_time(const char *s, int64_t now_ms, int64_t *ms)
{
	struct tm tm;
	time_t now = (time_t)(now_ms / 1000), t;
	int msec = 0, y, mo, d, off_min = 0;
	bool has_off = false;
	const char *p = s, *why;

	if (strcmp(s, "now") == 0) {
		*ms = now_ms;
		return NULL;
	}
	if (s[0] == '-') {
		char *end;
		errno = 0;
		long long n = strtoll(s + 1, &end, 10);
		int64_t unit;
		if (end == s + 1 || !isdigit((unsigned char)s[1]) || errno)
			return "expected a number after '-'";
		switch (*end) {
		case '\0': case 's': unit = 1000; break;
		case 'm': unit = 60 * 1000; break;
		case 'h': unit = 3600 * 1000; break;
		case 'd': unit = 86400 * 1000; break;
		default: return "unit must be s, m, h or d";
		}
		if (*end && end[1])
			return "unexpected text after the unit";
		if (n > now_ms / unit)
			return "too far in the past";
		*ms = now_ms - (int64_t)n * unit;
		return NULL;
	}
	localtime_r(&now, &tm);
	if (strlen(s) >= 10 && s[4] == '-') {
		if (!digits(&p, 4, 4, &y, NULL) || *p++ != '-' || !digits(&p, 2, 2, &mo, NULL) || *p++ != '-' ||
		    !digits(&p, 2, 2, &d, NULL))
			return "expected YYYY-MM-DD";
		if (mo < 1 || mo > 12 || d < 1 || d > 31)
			return "month or day out of range";
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		if (*p == 'T' || *p == ' ') {
			if ((why = parse_clock(p + 1, &tm, &msec, &has_off, &off_min)))
				return why;
		} else if (*p) {
			return "expected 'T' or a space between date and time";
		}
	} else if ((why = parse_clock(p, &tm, &msec, &has_off, &off_min))) {
		return why;
	}
	tm.tm_isdst = -1;
	d = tm.tm_mday;
	/* with an offset the fields are that zone's: UTC minus the offset */
	t = has_off ? timegm(&tm) - (time_t)off_min * 60 : mktime(&tm);
	/* mktime moves 2026-02-30 to March; such a date does not exist */
	if (t == (time_t)-1 || tm.tm_mday != d)
		return "no such date";
	*ms = (int64_t)t * 1000 + msec;
	return NULL;
}

const char *ctl_fmt_time(char *buf, size_t size, int64_t ms)
{
	struct tm tm;
	int msec;
	char d[32];

	if (ms == 0 || !str_localtime(ms, &tm, &msec) || !strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s.%03d", d, msec);
	return buf;
}

const char *ctl_fmt_iso(char *buf, size_t size, int64_t ms)
{
	return json_fmt_iso(buf, size, ms);
}

const char *ctl_fmt_age(char *buf, size_t size, int64_t ms, int64_t now_ms)
{
	int64_t s;

	if (ms == 0) {
		snprintf(buf, size, "never");
		return buf;
	}
	s = (now_ms - ms) / 1000;
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, size, "%llds ago", (long long)s);
	else if (s < 7200)
		snprintf(buf, size, "%lldm ago", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, size, "%lldh ago", (long long)(s / 3600));
	else
		snprintf(buf, size, "%lldd ago", (long long)(s / 86400));
	return buf;
}

/* ---- text ---- */

const char *ctl_text(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (size == 0)
		return buf;
	while (*p) {
		char esc[8];
		size_t n = json_utf8_len(p), elen;
		/* C1 controls (U+0080..U+009F) act as escapes on some terminals too */
		bool ctl = n == 0 || *p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
		if (!ctl) {
			if (o + n >= size)
				break;
			memcpy(buf + o, p, n);
			o += n;
			p += n;
			continue;
		}
		if (*p == '\n')
			elen = (size_t)snprintf(esc, sizeof esc, "\\n");
		else if (*p == '\t')
			elen = (size_t)snprintf(esc, sizeof esc, "\\t");
		else if (*p == '\r')
			elen = (size_t)snprintf(esc, sizeof esc, "\\r");
		else
			elen = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p);
		if (o + elen >= size)
			break;
		memcpy(buf + o, esc, elen);
		o += elen;
		p++; /* a C1 control: its second byte is escaped on the next turn */
	}
	buf[o] = '\0';
	return buf;
}

/* ---- tables ---- */

struct ctl_table {
	size_t ncols, nrows, cap;
	char **cells; /* (nrows + 1) * ncols: the heads first */
};

static int table_add(struct ctl_table *t, const char *const *cells)
{
	if (t->nrows + 1 >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **n = realloc(t->cells, cap * t->ncols * sizeof *n);
		if (!n)
			return -1;
		t->cells = n;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t i = 0; i < t->ncols; i++) {
		row[i] = strdup(cells[i] ? cells[i] : "");
		if (!row[i]) {
			while (i > 0)
				free(row[--i]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

struct ctl_table *ctl_table_new(size_t ncols, const char *const *heads)
{
	struct ctl_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->ncols = ncols;
	if (table_add(t, heads) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

int ctl_table_row(struct ctl_table *t, const char *const *cells)
{
	return table_add(t, cells);
}

/* Columns on a terminal: UTF-8 characters, not bytes. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void ctl_table_print(struct ctl_table *t, FILE *f, const char *indent)
{
	size_t *w = calloc(t->ncols, sizeof *w);

	if (!w)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t x = text_width(t->cells[r * t->ncols + c]);
			if (x > w[c])
				w[c] = x;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		char line[8192];
		size_t o = 0;
		/* trailing empty cells leave no trailing blanks */
		size_t last = t->ncols;
		while (last > 1 && !t->cells[r * t->ncols + last - 1][0])
			last--;
		for (size_t c = 0; c < last && o < sizeof line; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			int pad = c + 1 < last ? (int)(w[c] - text_width(cell)) + 2 : 0;
			int n = snprintf(line + o, sizeof line - o, "%s%*s", cell, pad, "");
			if (n < 0)
				break;
			o += (size_t)n;
		}
		fprintf(f, "%s%s\n", indent ? indent : "", line);
	}
	free(w);
}

void ctl_table_free(struct ctl_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/* ---- SHUGO-MIB enumerations ---- */

static const char *enum_name(const char *const *names, size_t n, int v)
{
	return v >= 1 && (size_t)v < n && names[v] ? names[v] : "unknown";
}

#define ENUM_NAME(names, v) enum_name(names, sizeof names / sizeof names[0], v)

const char *ctl_proc_kind(int kind)
{
	static const char *const names[] = {NULL, "supervised", "watched"};
	return ENUM_NAME(names, kind);
}

const char *ctl_proc_state(int state)
{
	static const char *const names[] = {NULL,      "running",  "stopped", "starting", "backoff",
					    "failed",  "stopping", "tooFew",  "tooMany"};
	return ENUM_NAME(names, state);
}

const char *ctl_res_type(int type)
{
	static const char *const names[] = {"nic", "cpu", "memory", "swap", "load", "filesystem", "nic"};
	return type == 0 ? "nic" : ENUM_NAME(names, type);
}

const char *ctl_res_state(int type, int state)
{
	static const char *const res[] = {NULL, "ok", "warning", "critical", "unknown"};
	static const char *const nic[] = {NULL, "ok", "linkDown", "stalled", "absent", "unknown"};
	return type == 0 || type == 6 ? ENUM_NAME(nic, state) : ENUM_NAME(res, state);
}

/* As SHUGO-MANAGER-MIB counts them (shugoMgrNodeProcProblems,
 * shugoMgrNodeResProblems): anything but running, anything but ok. */
bool ctl_proc_problem(int state)
{
	return state != 1;
}

bool ctl_res_problem(int type, int state)
{
	(void)type;
	return state != 1;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"node-name", required_argument, NULL, 'N'},
		{"store", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl c = {0};
	int ch, rc;

	/* A closed pipe (shugoctl log | head) shows up as a write error, which
	 * the commands treat as the reader being done. */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:N:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': c.config_path = optarg; break;
		case 'N': c.node_name = optarg; break;
		case 's': c.store_path = optarg; break;
		case 'j': c.json = true; break;
		case 'h': fputs(usage_text, stdout); return CTL_OK;
		case '?':
			if (optopt)
				return ctl_usage_error(usage_text, "option -%c: %s", optopt,
						       strchr("cN", optopt) ? "needs an argument" : "unknown option");
			return ctl_usage_error(usage_text, "unknown option or missing argument: %s",
					       argv[optind - 1]);
		default: return ctl_usage_error(usage_text, NULL);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(usage_text, "no command given");
	c.now_ms = ctl_now_ms();
	argc -= optind;
	argv += optind;
	/* each command starts its own option scan */
	optind = 0;
	if (strcmp(argv[0], "status") == 0)
		rc = ctl_status(&c, argc, argv);
	else if (strcmp(argv[0], "log") == 0)
		rc = ctl_log(&c, argc, argv);
	else if (strcmp(argv[0], "deliveries") == 0)
		rc = ctl_deliveries(&c, argc, argv);
	else if (strcmp(argv[0], "graph") == 0)
		rc = ctl_graph(&c, argc, argv);
	else if (strcmp(argv[0], "exec") == 0)
		rc = ctl_exec(&c, argc, argv);
	else if (strcmp(argv[0], "requests") == 0)
		rc = ctl_requests(&c, argc, argv);
	else if (strcmp(argv[0], "signal") == 0)
		rc = ctl_signal(&c, argc, argv);
	else if (strcmp(argv[0], "help") == 0) {
		fputs(usage_text, stdout);
		rc = CTL_OK;
	} else
		rc = ctl_usage_error(usage_text, "unknown command '%s'", argv[0]);
	store_close(c.store);
	free(c.store_path_owned);
	free(c.rrd_dir);
	free(c.rrd_daemon);
	free(c.event_socket);
	return rc;
}
