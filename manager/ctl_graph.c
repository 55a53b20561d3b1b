/* shugoctl graph: a PNG of one node's resource, an interface's traffic, or a
 * process's CPU and RSS over a time range, drawn by librrd from the manager's RRD files (flushed
 * through rrdcached first when one is configured, so the newest values are in
 * the file). File names are those of common/rrd_plan.c. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rrd.h>
#include <rrd_client.h>
#include "ctl.h"
#include "rrd_plan.h"

#define DEF_WIDTH 800
#define DEF_HEIGHT 300
#define FLUSH_WAIT_S 5   /* the longest rrdcached may take to flush the file */
#define MAX_ARGS 48

static const char usage_text[] =
	"usage: shugoctl [GLOBAL OPTIONS] graph [OPTIONS] NODE NAME\n"
	"\n"
	"NAME is a resource of the node (cpu, memory, swap, load, fs:/var), an\n"
	"interface (nic:eth0: its traffic), or proc:<name> for a process (its CPU\n"
	"and RSS).\n"
	"\n"
	"Options:\n"
	"      --since T        start of the range (default -1h)\n"
	"      --until T        end of the range (default now)\n"
	"  -o, --output FILE    the PNG to write (default NODE-NAME.png, escaped as the\n"
	"                       RRD file name is, in the current directory)\n"
	"      --width W        image width in pixels, 300..4000 (default 800)\n"
	"      --height H       image height in pixels, 150..2000 (default 300)\n"
	"      --rrd-dir DIR    the RRD files (default manager.rrd.dir of the configuration;\n"
	"                       with --store, rrd next to the store)\n"
	"      --daemon ADDR    rrdcached to flush the file through first (default\n"
	"                       manager.rrd.daemon; \"none\" for none)\n"
	"      --json           print what was written as one JSON object\n"
	"  -h, --help           show this help\n"
	"\n"
	"T is \"2026-11-22T10:00:00\", \"2026-11-22 10:00\", \"10:00\" (today), \"now\",\n"
	"or relative: \"-30s\", \"-10m\", \"-2h\", \"-1d\".\n"
	"\n"
	"Exit status: 0 written, 1 usage error or failure, 2 no such node or metric.\n";

struct args {
	char *v[MAX_ARGS];
	int n;
	bool failed;
};

static void arg(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (a->n >= MAX_ARGS - 1) {
		a->failed = true;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		a->failed = true;
		return;
	}
	a->v[a->n++] = s;
}

static void args_free(struct args *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

/* A path inside a DEF: rrdtool splits the DEF at ':', so those are escaped. */
static char *def_path(const char *path)
{
	size_t n = 0;
	char *o, *q;

	for (const char *p = path; *p; p++)
		n += *p == ':' || *p == '\\' ? 2 : 1;
	if (!(o = malloc(n + 1)))
		return NULL;
	q = o;
	for (const char *p = path; *p; p++) {
		if (*p == ':' || *p == '\\')
			*q++ = '\\';
		*q++ = *p;
	}
	*q = '\0';
	return o;
}

static volatile sig_atomic_t flush_timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	flush_timed_out = 1;
}

/* The daemon writes what it holds for the file, so the graph is current. A
 * daemon that cannot be reached costs only the newest values: said, not fatal. */
static void flush(const char *daemon, const char *path)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	int rc = -1;

	/* without SA_RESTART: a daemon that does not answer is given up on */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(FLUSH_WAIT_S);
	rrd_clear_error();
	if (rrdc_connect(daemon) == 0 && rrdc_is_connected(daemon))
		rc = rrdc_flush(path);
	alarm(0);
	rrdc_disconnect();
	/* a call the alarm cut short failed, whatever librrd made of it */
	if (flush_timed_out)
		fprintf(stderr, "shugoctl: graph: rrdcached at %s: no answer within %d s; drawing what the file holds\n",
			daemon, FLUSH_WAIT_S);
	else if (rc != 0)
		fprintf(stderr, "shugoctl: graph: rrdcached at %s: %s; drawing what the file holds\n", daemon,
			rrd_test_error() ? rrd_get_error() : "no answer");
}

/* A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
static double nice_top(double v)
{
	double p;

	if (!(v > 0) || !isfinite(v))
		return 1;
	p = pow(10, floor(log10(v)));
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* The highest CPU and RSS in the range, to put RSS on a right axis of its own. */
static void proc_max(const char *path, time_t since, time_t until, double *cpu, double *rss)
{
	time_t start = since, end = until;
	unsigned long step = 1, n_ds = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;

	*cpu = *rss = 0;
	if (rrd_fetch_r(path, "MAX", &start, &end, &step, &n_ds, &names, &data) != 0)
		return;
	for (unsigned long i = 0; n_ds >= 2 && step && i < (unsigned long)(end - start) / step; i++) {
		double c = data[i * n_ds], r = data[i * n_ds + 1];
		if (isfinite(c) && c > *cpu)
			*cpu = c;
		if (isfinite(r) && r > *rss)
			*rss = r;
	}
	for (unsigned long i = 0; i < n_ds; i++)
		free(names[i]);
	free(names);
	free(data);
}

static void graph_res(struct args *a, const char *name, const char *def)
{
	const char *unit = strcmp(name, "load") == 0 ? "load" : "percent";

	arg(a, "--vertical-label=%s", unit);
	arg(a, "--lower-limit=0");
	if (strcmp(unit, "percent") == 0)
		arg(a, "--upper-limit=100");
	arg(a, "DEF:v=%s:value:AVERAGE", def);
	arg(a, "DEF:m=%s:value:MAX", def);
	arg(a, "VDEF:vlast=v,LAST");
	arg(a, "VDEF:vavg=v,AVERAGE");
	arg(a, "VDEF:mmax=m,MAXIMUM");
	arg(a, "LINE1:m#e07000:max");
	arg(a, "LINE2:v#0050c0:average");
	arg(a, "GPRINT:vlast:last %%.2lf");
	arg(a, "GPRINT:vavg:average %%.2lf");
	arg(a, "GPRINT:mmax:max %%.2lf\\l");
}

static void graph_nic(struct args *a, const char *def)
{
	arg(a, "--vertical-label=bits per second");
	arg(a, "--lower-limit=0");
	arg(a, "DEF:rxb=%s:rx:AVERAGE", def);
	arg(a, "DEF:txb=%s:tx:AVERAGE", def);
	arg(a, "CDEF:rx=rxb,8,*");
	arg(a, "CDEF:tx=txb,8,*");
	arg(a, "VDEF:rxlast=rx,LAST");
	arg(a, "VDEF:rxmax=rx,MAXIMUM");
	arg(a, "VDEF:txlast=tx,LAST");
	arg(a, "VDEF:txmax=tx,MAXIMUM");
	arg(a, "AREA:rx#40c040:in");
	arg(a, "GPRINT:rxlast:last %%.1lf%%sb/s");
	arg(a, "GPRINT:rxmax:max %%.1lf%%sb/s\\l");
	arg(a, "LINE2:tx#0050c0:out");
	arg(a, "GPRINT:txlast:last %%.1lf%%sb/s");
	arg(a, "GPRINT:txmax:max %%.1lf%%sb/s\\l");
}

static void graph_proc(struct args *a, const char *path, const char *def, time_t since, time_t until)
{
	double cpu, rss, ctop, rtop;

	proc_max(path, since, until, &cpu, &rss);
	ctop = nice_top(cpu);
	rtop = nice_top(rss / 1048576.0);
	/* CPU on the left axis, RSS in MiB on the right, scaled to share it */
	arg(a, "--vertical-label=CPU %% of one core");
	arg(a, "--right-axis-label=RSS MiB");
	arg(a, "--right-axis=%.6g:0", rtop / ctop);
	arg(a, "--lower-limit=0");
	arg(a, "--upper-limit=%.6g", ctop);
	arg(a, "--rigid");
	arg(a, "DEF:cpu=%s:cpu:AVERAGE", def);
	arg(a, "DEF:rss=%s:rss:AVERAGE", def);
	arg(a, "CDEF:rssmib=rss,1048576,/");
	arg(a, "CDEF:rssax=rssmib,%.6g,/", rtop / ctop);
	arg(a, "VDEF:clast=cpu,LAST");
	arg(a, "VDEF:cmax=cpu,MAXIMUM");
	arg(a, "VDEF:rlast=rssmib,LAST");
	arg(a, "VDEF:rmax=rssmib,MAXIMUM");
	arg(a, "LINE2:cpu#0050c0:CPU %%");
	arg(a, "GPRINT:clast:last %%.2lf");
	arg(a, "GPRINT:cmax:max %%.2lf\\l");
	arg(a, "LINE2:rssax#20a020:RSS MiB");
	arg(a, "GPRINT:rlast:last %%.1lf");
	arg(a, "GPRINT:rmax:max %%.1lf\\l");
}

static unsigned long info_cnt(const rrd_info_t *info, const char *key)
{
	for (; info; info = info->next)
		if (strcmp(info->key, key) == 0 && info->type == RD_I_CNT)
			return info->value.u_cnt;
	return 0;
}

static int size_opt(const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	if (!*v || *end || errno || *out < lo || *out > hi) {
		fprintf(stderr, "shugoctl: graph: --%s '%s': expected a number of pixels from %ld to %ld\n", opt, v,
			lo, hi);
		return -1;
	}
	return 0;
}

int ctl_graph(struct ctl *c, int argc, char **argv)
{
	enum { O_SINCE = 256, O_UNTIL, O_WIDTH, O_HEIGHT, O_DIR, O_DAEMON, O_JSON };
	static const struct option opts[] = {
		{"since", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"output", required_argument, NULL, 'o'},
		{"width", required_argument, NULL, O_WIDTH},
		{"height", required_argument, NULL, O_HEIGHT},
		{"rrd-dir", required_argument, NULL, O_DIR},
		{"daemon", required_argument, NULL, O_DAEMON},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *since_s = "-1h", *until_s = "now", *out = NULL, *dir = NULL, *daemon = NULL, *why, *node,
		   *metric, *name;
	long width = DEF_WIDTH, height = DEF_HEIGHT;
	int64_t since, until;
	enum rrdp_kind kind;
	struct store_node row;
	struct args a = {.n = 0};
	char path[4096], outbuf[2 * 256 * 3 + 8], en[256 * 3 + 1], em[256 * 3 + 1], since_iso[48], until_iso[48];
	char *def = NULL, dirbuf[4096];
	struct stat st;
	rrd_info_t *info = NULL;
	int ch, rc = CTL_ERR;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case O_SINCE: since_s = optarg; break;
		case O_UNTIL: until_s = optarg; break;
		case 'o': out = optarg; break;
		case O_WIDTH:
			if (size_opt("width", optarg, 300, 4000, &width) < 0)
				return CTL_ERR;
			break;
		case O_HEIGHT:
			if (size_opt("height", optarg, 150, 2000, &height) < 0)
				return CTL_ERR;
			break;
		case O_DIR: dir = optarg; break;
		case O_DAEMON: daemon = optarg; break;
		case O_JSON: c->json = true; break;
		case 'h': fputs(usage_text, stdout); return CTL_OK;
		default:
			return ctl_usage_error(usage_text, "graph: unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return ctl_usage_error(usage_text, "graph: expected NODE and NAME");
	node = argv[optind];
	metric = argv[optind + 1];
	if ((why = ctl_parse_time(since_s, c->now_ms, &since)))
		return ctl_usage_error(usage_text, "graph: --since '%s': %s", since_s, why);
	if ((why = ctl_parse_time(until_s, c->now_ms, &until)))
		return ctl_usage_error(usage_text, "graph: --until '%s': %s", until_s, why);
	if (until / 1000 <= since / 1000)
		return ctl_usage_error(usage_text, "graph: the range ends before it starts (--since %s, --until %s)",
				       since_s, until_s);
	if (rrdp_metric_parse(metric, &kind, &name) < 0)
		return ctl_usage_error(usage_text, "graph: '%s' names no metric (a resource, or proc:<name>)", metric);

	if (ctl_open(c) < 0)
		return CTL_ERR;
	switch (store_node_get(c->store, node, &row)) {
	case 0: break;
	case 1:
		fprintf(stderr, "shugoctl: no node '%s' in %s\n", node, c->store_path);
		return CTL_NOTFOUND;
	default:
		fprintf(stderr, "shugoctl: %s: %s\n", c->store_path, store_errmsg(c->store));
		return CTL_ERR;
	}
	if (!dir && c->rrd_dir) {
		dir = c->rrd_dir;
	} else if (!dir) {
		/* --store without a configuration: the manager's default, "rrd"
		 * next to the store */
		const char *slash = strrchr(c->store_path, '/');
		int n = slash ? (int)(slash - c->store_path) : 1;
		snprintf(dirbuf, sizeof dirbuf, "%.*s/rrd", n, slash ? c->store_path : ".");
		dir = dirbuf;
	}
	if (!daemon)
		daemon = c->rrd_daemon;
	else if (strcmp(daemon, "none") == 0)
		daemon = NULL;
	if (rrdp_path(path, sizeof path, dir, node, kind, name) < 0) {
		fprintf(stderr, "shugoctl: graph: %s on node %s: %s\n", metric, node, strerror(errno));
		return CTL_ERR;
	}
	if (stat(path, &st) != 0) {
		fprintf(stderr, "shugoctl: graph: no metric '%s' for node '%s' (no %s)\n", metric, node, path);
		return CTL_NOTFOUND;
	}
	if (!out) {
		if (rrdp_escape(node, en, sizeof en) < 0 || rrdp_escape(metric, em, sizeof em) < 0)
			return CTL_ERR;
		snprintf(outbuf, sizeof outbuf, "%s-%s.png", en, em);
		out = outbuf;
	}
	if (daemon)
		flush(daemon, path);
	/* the file has been flushed: librrd reads it itself, not through a
	 * daemon named in the environment */
	unsetenv("RRDCACHED_ADDRESS");

	if (!(def = def_path(path)))
		goto oom;
	arg(&a, "graph");
	arg(&a, "%s", out);
	arg(&a, "--start=%lld", (long long)(since / 1000));
	arg(&a, "--end=%lld", (long long)(until / 1000));
	arg(&a, "--width=%ld", width);
	arg(&a, "--height=%ld", height);
	arg(&a, "--full-size-mode");
	arg(&a, "--imgformat=PNG");
	arg(&a, "--title=%s %s", node, metric);
	if (kind == RRDP_PROC)
		graph_proc(&a, path, def, (time_t)(since / 1000), (time_t)(until / 1000));
	else if (kind == RRDP_NIC)
		graph_nic(&a, def);
	else
		graph_res(&a, name, def);
	if (a.failed)
		goto oom;
	rrd_clear_error();
	optind = 0;
	if (!(info = rrd_graph_v(a.n, a.v))) {
		fprintf(stderr, "shugoctl: graph: %s: %s\n", out, rrd_test_error() ? rrd_get_error() : "failed");
		goto done;
	}
	ctl_fmt_iso(since_iso, sizeof since_iso, since);
	ctl_fmt_iso(until_iso, sizeof until_iso, until);
	if (c->json) {
		FILE *f = stdout;
		fputc('{', f);
		json_kstr(f, "file", out);
		fputc(',', f);
		json_kstr(f, "node", node);
		fputc(',', f);
		json_kstr(f, "metric", metric);
		fputc(',', f);
		json_kstr(f, "rrd", path);
		fputc(',', f);
		json_ktime(f, "since", since);
		fputc(',', f);
		json_ktime(f, "until", until);
		fputc(',', f);
		json_kint(f, "width", (int64_t)info_cnt(info, "image_width"));
		fputc(',', f);
		json_kint(f, "height", (int64_t)info_cnt(info, "image_height"));
		fputs("}\n", f);
	} else {
		printf("%s: %s %s from %s to %s, %lux%lu\n", out, node, metric, since_iso, until_iso,
		       info_cnt(info, "image_width"), info_cnt(info, "image_height"));
	}
	rc = fflush(stdout) == 0 ? CTL_OK : CTL_ERR;
	goto done;
oom:
	fprintf(stderr, "shugoctl: graph: %s\n", strerror(ENOMEM));
done:
	rrd_info_free(info);
	args_free(&a);
	free(def);
	return rc;
}
