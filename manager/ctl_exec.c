/* shugoctl exec and requests: remote execution through the manager. exec
 * writes a request into the store, wakes the manager and follows the request
 * there; both print a request the same way (print_request). The manager does
 * the placing and the SNMP; shugoctl only queues and reads. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"
#include "exec.h"

/* A request the manager has not taken by then is given up: it is not running. */
#define TAKE_MS 10000
#define POLL_MS 200
#define TIMEOUT_MAX_MS (30LL * 86400 * 1000)

static const char exec_usage[] =
	"usage: shugoctl [GLOBAL OPTIONS] exec [OPTIONS] [--] PROGRAM [ARG...]\n"
	"\n"
	"Runs PROGRAM on a node of the cluster through shugo-manager, and waits for\n"
	"its end. PROGRAM is a name, not a path: a node runs the first program of\n"
	"that name in the search path of its exec: section, if allowed there. The\n"
	"ARGs reach it as given; no shell runs.\n"
	"\n"
	"  -n, --nodes LIST      candidate nodes, comma-separated, in priority order\n"
	"                        (may be repeated; default every node of cluster.nodes)\n"
	"      --least-loaded    try the least-loaded candidate first\n"
	"      --all             run on every candidate at once\n"
	"                        (default: the first candidate, in order, that starts it)\n"
	"  -e, --env NAME=VALUE  add to the program's environment (may be repeated)\n"
	"      --id ID           the request id: 1..64 printable characters, no blanks\n"
	"                        (default NODE-YYYYmmddTHHMMSS-PID); a node never runs\n"
	"                        an id twice\n"
	"      --no-wait         return once the request is placed\n"
	"      --timeout T       wait at most T for the end: 30s, 5m, 1h, or seconds\n"
	"                        (default 0: no limit)\n"
	"      --json            the request and its runs as one JSON object\n"
	"\n"
	"Exit status: 0 the program started (and, when waited for, ended normally\n"
	"wherever it started); 1 usage or store error, or the manager did not take\n"
	"the request within 10 s; 3 it started nowhere, or ended abnormally (or was\n"
	"lost) on some node, or with --all did not run on some node; 4 still\n"
	"running when the timeout passed.\n";

static const char requests_usage[] =
	"usage: shugoctl [GLOBAL OPTIONS] requests [--limit N] [--open] [--json] [ID]\n"
	"\n"
	"Without ID: the newest requests of remote execution, oldest first.\n"
	"With ID: that request and each node it was tried on or runs on.\n"
	"\n"
	"  -n, --limit N   the newest N (default 20; 0 = all)\n"
	"      --open      only those not ended (queued, placing, running)\n"
	"      --json      JSON Lines, one object per request (with ID: one object,\n"
	"                  with its runs)\n"
	"\n"
	"Request states: queued, placing, running, done, failed. Run states: skipped\n"
	"(node down), asking, refused, timeout, failed, running, exited, killed, lost,\n"
	"unused (least loaded: another node was chosen).\n"
	"\n"
	"Exit status: 0 fine, 1 usage or store error, 2 no such request.\n";

/* ---- a request and its runs, printed ---- */

struct runs {
	struct store_exec_run *v;
	size_t n;
};

static int runs_read(struct ctl *c, const char *id, struct runs *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
	if (store_exec_runs(c->store, id, &a->v, &a->n) < 0) {
		fprintf(stderr, "shugoctl: %s: %s\n", c->store_path, store_errmsg(c->store));
		return -1;
	}
	return 0;
}

static const char *place_name(int place)
{
	switch (place) {
	case EXEC_PLACE_PRIORITY: return "priority";
	case EXEC_PLACE_LEAST_LOADED: return "least-loaded";
	case EXEC_PLACE_ALL: return "all";
	default: return "unknown";
	}
}

static bool req_ended(const struct store_exec_req *r)
{
	return strcmp(r->state, "done") == 0 || strcmp(r->state, "failed") == 0;
}

/* exec's verdict on a request that ended: 3 when it started nowhere, or a
 * run that started ended abnormally or went out of sight, or (--all) a node
 * did not run it. */
static int req_verdict(const struct store_exec_req *r, const struct runs *a)
{
	if (strcmp(r->state, "failed") == 0)
		return CTL_ABNORMAL;
	for (size_t i = 0; i < a->n; i++) {
		const struct store_exec_run *u = &a->v[i];
		bool ended = strcmp(u->state, "exited") == 0 || strcmp(u->state, "killed") == 0;
		if (strcmp(u->state, "lost") == 0)
			return CTL_ABNORMAL;
		if (ended && u->normal != 1)
			return CTL_ABNORMAL;
		if (r->place == EXEC_PLACE_ALL && !ended)
			return CTL_ABNORMAL;
	}
	return CTL_OK;
}

static void json_knull(FILE *f, const char *key)
{
	json_str(f, key);
	fputs(":null", f);
}

static void json_run(FILE *f, const struct store_exec_run *u)
{
	fputc('{', f);
	json_kstr(f, "node", u->node);
	fputc(',', f);
	json_kint(f, "attempt", u->attempt);
	fputc(',', f);
	json_kstr(f, "state", u->state);
	fputc(',', f);
	json_kstr(f, "detail", u->detail);
	fputc(',', f);
	if (u->pid)
		json_kint(f, "pid", u->pid);
	else
		json_knull(f, "pid");
	fputc(',', f);
	/* an exit code or a signal only once there is one */
	if (strcmp(u->state, "exited") == 0)
		json_kint(f, "exit_code", u->exit_code);
	else
		json_knull(f, "exit_code");
	fputc(',', f);
	if (strcmp(u->state, "killed") == 0)
		json_kint(f, "exit_signal", u->exit_signal);
	else
		json_knull(f, "exit_signal");
	fputc(',', f);
	if (u->normal == 0 || u->normal == 1)
		json_kbool(f, "normal", u->normal == 1);
	else
		json_knull(f, "normal");
	fputc(',', f);
	json_ktime(f, "started", u->started_ms);
	fputc(',', f);
	json_ktime(f, "ended", u->ended_ms);
	fputc('}', f);
}

/* One JSON object and a newline; runs NULL leaves them out (the list). */
static void json_request(FILE *f, const struct store_exec_req *r, const struct runs *a)
{
	fputc('{', f);
	json_kstr(f, "id", r->id);
	fputc(',', f);
	json_kstr(f, "program", r->program);
	fputc(',', f);
	json_kstr(f, "args", r->args);
	fputc(',', f);
	if (r->env[0]) {
		json_kstr(f, "env", r->env);
		fputc(',', f);
	}
	json_kstr(f, "place", place_name(r->place));
	fputc(',', f);
	json_kstr(f, "nodes", r->nodes);
	fputc(',', f);
	json_kstr(f, "requested_by", r->requested_by);
	fputc(',', f);
	json_kstr(f, "state", r->state);
	fputc(',', f);
	json_kstr(f, "detail", r->detail);
	fputc(',', f);
	json_ktime(f, "created", r->created_ms);
	fputc(',', f);
	json_ktime(f, "updated", r->updated_ms);
	fputc(',', f);
	json_ktime(f, "ended", r->ended_ms);
	if (a) {
		fputs(",\"runs\":[", f);
		for (size_t i = 0; i < a->n; i++) {
			if (i)
				fputc(',', f);
			json_run(f, &a->v[i]);
		}
		fputc(']', f);
	}
	fputs("}\n", f);
}

/* A run's RESULT when the manager wrote no detail. */
static const char *run_result(char *buf, size_t size, const struct store_exec_run *u)
{
	if (u->detail[0])
		return ctl_text(buf, size, u->detail);
	if (strcmp(u->state, "exited") == 0)
		snprintf(buf, size, "exit code %d", u->exit_code);
	else if (strcmp(u->state, "killed") == 0)
		snprintf(buf, size, "signal %d", u->exit_signal);
	else
		buf[0] = '\0';
	return buf;
}

/* The request and the nodes it was tried on: a header line and a table,
 * or one JSON object. 0 / -1 (out of memory, or stdout failed). */
static int print_request(struct ctl *c, const struct store_exec_req *r, const struct runs *a)
{
	static const char *const heads[] = {"NODE", "TRIED", "STATE", "PID", "STARTED", "ENDED", "RESULT"};
	/* escaped text is at most four times as long */
	static char args[STORE_EXEC_TEXT_MAX * 4 + 1], nodes[STORE_EXEC_TEXT_MAX * 4 + 1];
	char id[STORE_EXEC_ID_MAX * 4 + 1], prog[65 * 4], state[64], detail[256 * 4];
	struct ctl_table *t;

	if (c->json) {
		json_request(stdout, r, a);
		return fflush(stdout) == 0 ? 0 : -1;
	}
	ctl_text(id, sizeof id, r->id);
	ctl_text(prog, sizeof prog, r->program);
	ctl_text(args, sizeof args, r->args);
	ctl_text(nodes, sizeof nodes, r->nodes[0] ? r->nodes : "every node");
	ctl_text(state, sizeof state, r->state);
	ctl_text(detail, sizeof detail, r->detail);
	printf("request %s: %s%s%s   (%s: %s)   %s%s%s\n", id, prog, args[0] ? " " : "", args,
	       place_name(r->place), nodes, state, detail[0] ? ": " : "", detail);
	if (a->n == 0) {
		puts("no node tried yet");
		return fflush(stdout) == 0 ? 0 : -1;
	}
	if (!(t = ctl_table_new(7, heads)))
		goto nomem;
	for (size_t i = 0; i < a->n; i++) {
		const struct store_exec_run *u = &a->v[i];
		char node[STORE_NAME_MAX * 4 + 1], tried[16], rstate[64], pid[16], started[40], ended[40], res[256 * 4];
		snprintf(tried, sizeof tried, "%d", u->attempt);
		snprintf(pid, sizeof pid, u->pid ? "%" PRIu32 : "-", u->pid);
		const char *cells[] = {ctl_text(node, sizeof node, u->node), tried,
				       ctl_text(rstate, sizeof rstate, u->state), pid,
				       ctl_fmt_time(started, sizeof started, u->started_ms),
				       ctl_fmt_time(ended, sizeof ended, u->ended_ms), run_result(res, sizeof res, u)};
		if (ctl_table_row(t, cells) < 0) {
			ctl_table_free(t);
			goto nomem;
		}
	}
	ctl_table_print(t, stdout, NULL);
	ctl_table_free(t);
	return fflush(stdout) == 0 ? 0 : -1;
nomem:
	fprintf(stderr, "shugoctl: out of memory\n");
	return -1;
}

/* ---- exec: checking and building the request ---- */

/* "30s", "5m", "1h", or seconds. */
static bool parse_timeout(const char *s, int64_t *ms)
{
	char *end;
	unsigned long long v;
	int64_t unit = 1000;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end && end[1])
		return false;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': unit = 60 * 1000; break;
	case 'h': unit = 3600 * 1000; break;
	default: return false;
	}
	if (v > (unsigned long long)(TIMEOUT_MAX_MS / unit))
		return false;
	*ms = (int64_t)v * unit;
	return true;
}

static const char *fmt_duration(char *buf, size_t size, int64_t ms)
{
	if (ms >= 3600000 && ms % 3600000 == 0)
		snprintf(buf, size, "%lld h", (long long)(ms / 3600000));
	else if (ms >= 60000 && ms % 60000 == 0)
		snprintf(buf, size, "%lld min", (long long)(ms / 60000));
	else
		snprintf(buf, size, "%lld s", (long long)(ms / 1000));
	return buf;
}

static bool printable_word(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Append the nodes of list (comma-separated) to out, checking each name:
 * not empty, no blanks or controls, not longer than a node name, not given
 * twice. NULL, or what is wrong. */
static const char *add_nodes(char *out, size_t size, const char *list)
{
	static char why[160];
	const char *p = list;

	if (!*list)
		return "empty list";
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t o = strlen(out);
		if (n == 0)
			return "an empty node name";
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f) {
				snprintf(why, sizeof why, "node name '%.*s' has a blank or a control character",
					 (int)(n > 64 ? 64 : n), p);
				return why;
			}
		if (n > STORE_NAME_MAX) {
			snprintf(why, sizeof why, "node name '%.64s...' is longer than %d characters", p,
				 STORE_NAME_MAX);
			return why;
		}
		for (const char *q = out; *q;) {
			size_t m = strcspn(q, ",");
			if (m == n && strncmp(q, p, n) == 0) {
				snprintf(why, sizeof why, "node '%.*s' is given twice", (int)n, p);
				return why;
			}
			q += m;
			if (*q)
				q++;
		}
		if (o + (o ? 1 : 0) + n >= size) {
			snprintf(why, sizeof why, "more than %zu characters of node names", size - 1);
			return why;
		}
		if (o)
			out[o++] = ',';
		memcpy(out + o, p, n);
		out[o + n] = '\0';
		p += n;
		if (!*p)
			return NULL;
		p++;
	}
}

/* Append "NAME=VALUE" to the environment lines in out. NULL, or what is wrong. */
static const char *add_env(char *out, size_t size, const char *s, size_t *count)
{
	const char *eq = strchr(s, '=');
	size_t o = strlen(out), n = strlen(s);

	if (!eq || eq == s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return "expected NAME=VALUE, NAME of letters, digits and '_', not starting with a digit";
	for (const char *p = s; p < eq; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_') || (unsigned char)*p > 0x7f)
			return "expected NAME=VALUE, NAME of letters, digits and '_', not starting with a digit";
	if (has_control(eq + 1))
		return "the value has a control character (a newline, ...)";
	if (*count >= EXEC_ENV_MAX)
		return "too many variables";
	if (o + (o ? 1 : 0) + n >= size)
		return "the environment is too long";
	if (o)
		out[o++] = '\n';
	memcpy(out + o, s, n + 1);
	(*count)++;
	return NULL;
}

/* The words, each in single quotes (a quote inside as '\''), so that a POSIX
 * shell, or the agent's splitter, reads exactly these words back. 0 / -1
 * when they do not fit size. */
static int quote_args(char *out, size_t size, char *const *words, int n)
{
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *w = words[i];
		if (o + (i ? 1 : 0) + 2 >= size)
			return -1;
		if (i)
			out[o++] = ' ';
		out[o++] = '\'';
		for (; *w; w++) {
			if (*w == '\'') {
				if (o + 4 >= size)
					return -1;
				memcpy(out + o, "'\\''", 4);
				o += 4;
			} else {
				if (o + 1 >= size)
					return -1;
				out[o++] = *w;
			}
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = '\'';
	}
	out[o] = '\0';
	return 0;
}

/* "<node>-<YYYYmmddTHHMMSS>-<pid>", the node part cut so that it fits. */
static void default_id(char *out, size_t size, const char *node, int64_t now_ms)
{
	char host[256], suffix[48], stamp[20];
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;
	size_t keep;

	if (!node) {
		if (gethostname(host, sizeof host) < 0 || !host[0])
			snprintf(host, sizeof host, "shugoctl");
		host[sizeof host - 1] = '\0';
		node = host;
	}
	if (!localtime_r(&t, &tm) || !strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm))
		snprintf(stamp, sizeof stamp, "%lld", (long long)t);
	snprintf(suffix, sizeof suffix, "-%s-%ld", stamp, (long)getpid());
	keep = size - 1 - strlen(suffix);
	snprintf(out, size, "%.*s%s", (int)keep, node, suffix);
	/* an id is one word of printable characters */
	for (char *p = out; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			*p = '-';
}

static void requester(char *out, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());
	char host[256], user[32];

	if (gethostname(host, sizeof host) < 0 || !host[0])
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	if (!pw || !pw->pw_name)
		snprintf(user, sizeof user, "%ld", (long)geteuid());
	snprintf(out, size, "%.64s@%.63s", pw && pw->pw_name ? pw->pw_name : user, host);
}

/* One datagram "exec <ID>\n" to the manager's event socket. Best effort: a
 * manager that is down or a socket we may not write to is no error, the
 * manager also looks for queued requests every second. */
static void wake_manager(const char *path, const char *id)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char msg[STORE_EXEC_ID_MAX + 8];
	int fd, len;

	if (!path || !path[0] || strlen(path) >= sizeof a.sun_path)
		return;
	memcpy(a.sun_path, path, strlen(path) + 1);
	len = snprintf(msg, sizeof msg, "exec %s\n", id);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	(void)sendto(fd, msg, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&a, sizeof a);
	close(fd);
}

static void nap(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int store_error(struct ctl *c)
{
	fprintf(stderr, "shugoctl: %s: %s\n", c->store_path, store_errmsg(c->store));
	return CTL_ERR;
}

/* Follow request r (just added) until it is placed (no_wait) or ended, or
 * timeout_ms (0 = none) passed; then print it. Returns the exit status. */
static int follow(struct ctl *c, struct store_exec_req *r, bool no_wait, int64_t timeout_ms)
{
	int64_t since = r->created_ms;
	/* a request not taken when the timeout passes is given up on as well */
	int64_t take_ms = timeout_ms && timeout_ms < TAKE_MS ? timeout_ms : TAKE_MS;
	struct runs a = {0};
	char id[STORE_EXEC_ID_MAX * 4 + 1], dur[32];
	int rc, got;

	ctl_text(id, sizeof id, r->id);
	for (;;) {
		int64_t now = ctl_now_ms();
		if ((got = store_exec_get(c->store, r->id, r)) < 0)
			return store_error(c);
		if (got == 1) {
			fprintf(stderr, "shugoctl: request %s is no longer in %s\n", id, c->store_path);
			return CTL_ERR;
		}
		if (req_ended(r) || (no_wait && strcmp(r->state, "running") == 0))
			break;
		if (strcmp(r->state, "queued") == 0 && now - since >= take_ms) {
			struct store_exec_req g = *r;
			snprintf(g.state, sizeof g.state, "failed");
			snprintf(g.detail, sizeof g.detail, "not taken by the manager within %s",
				 fmt_duration(dur, sizeof dur, take_ms));
			g.updated_ms = g.ended_ms = now;
			got = store_exec_update_if(c->store, &g, "queued");
			if (got < 0)
				return store_error(c);
			if (got == 0) {
				fprintf(stderr,
					"shugoctl: the manager did not take request %s within %s "
					"(is shugo-manager running?)\n",
					id, dur);
				return CTL_ERR;
			}
			/* the manager took it meanwhile */
			continue;
		}
		if (timeout_ms && now - since >= timeout_ms) {
			char state[64];
			if (runs_read(c, r->id, &a) < 0 || print_request(c, r, &a) < 0)
				rc = CTL_ERR;
			else
				rc = CTL_TIMEOUT;
			fprintf(stderr, "shugoctl: request %s still %s after %s; follow it with shugoctl requests %s\n",
				id, ctl_text(state, sizeof state, r->state), fmt_duration(dur, sizeof dur, timeout_ms),
				id);
			free(a.v);
			return rc;
		}
		nap(POLL_MS);
	}
	if (runs_read(c, r->id, &a) < 0) {
		free(a.v);
		return CTL_ERR;
	}
	if (print_request(c, r, &a) < 0)
		rc = CTL_ERR;
	else if (no_wait) /* placed: whether it started is all there is to say */
		rc = strcmp(r->state, "failed") == 0 ? CTL_ABNORMAL : CTL_OK;
	else
		rc = req_verdict(r, &a);
	free(a.v);
	return rc;
}

int ctl_exec(struct ctl *c, int argc, char **argv)
{
	enum { O_LEAST = 256, O_ALL, O_ID, O_NOWAIT, O_TIMEOUT, O_JSON };
	static const struct option opts[] = {
		{"nodes", required_argument, NULL, 'n'},  {"least-loaded", no_argument, NULL, O_LEAST},
		{"all", no_argument, NULL, O_ALL},        {"env", required_argument, NULL, 'e'},
		{"id", required_argument, NULL, O_ID},    {"no-wait", no_argument, NULL, O_NOWAIT},
		{"timeout", required_argument, NULL, O_TIMEOUT}, {"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	/* large: not on the stack */
	static struct store_exec_req r;
	const char *id = NULL, *why;
	bool least = false, all = false, no_wait = false;
	int64_t timeout_ms = 0;
	size_t n_env = 0;
	int ch, got;

	memset(&r, 0, sizeof r);
	opterr = 0;
	/* '+': the first word that is no option is PROGRAM; its own options follow */
	while ((ch = getopt_long(argc, argv, "+n:e:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if ((why = add_nodes(r.nodes, sizeof r.nodes, optarg)))
				return ctl_usage_error(exec_usage, "exec: --nodes '%s': %s", optarg, why);
			break;
		case O_LEAST: least = true; break;
		case O_ALL: all = true; break;
		case 'e':
			if ((why = add_env(r.env, sizeof r.env, optarg, &n_env)))
				return ctl_usage_error(exec_usage, "exec: --env '%s': %s", optarg, why);
			break;
		case O_ID:
			if (!optarg[0] || strlen(optarg) > STORE_EXEC_ID_MAX || !printable_word(optarg))
				return ctl_usage_error(exec_usage,
						       "exec: --id '%s': expected 1..%d printable characters, no blanks",
						       optarg, STORE_EXEC_ID_MAX);
			id = optarg;
			break;
		case O_NOWAIT: no_wait = true; break;
		case O_TIMEOUT:
			if (!parse_timeout(optarg, &timeout_ms))
				return ctl_usage_error(exec_usage,
						       "exec: --timeout '%s': expected a duration such as 30s, 5m or 1h "
						       "(at most 30 days)",
						       optarg);
			break;
		case O_JSON: c->json = true; break;
		case 'h': fputs(exec_usage, stdout); return CTL_OK;
		default:
			return ctl_usage_error(exec_usage, "exec: unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (least && all)
		return ctl_usage_error(exec_usage, "exec: --least-loaded and --all exclude each other");
	if (optind >= argc)
		return ctl_usage_error(exec_usage, "exec: no program given");
	const char *prog = argv[optind];
	if (!prog[0] || strlen(prog) >= sizeof r.program || strchr(prog, '/') || has_control(prog))
		return ctl_usage_error(exec_usage,
				       "exec: program '%s': expected a name of 1..%zu characters, without '/' "
				       "(a node finds the program by name in its exec: path)",
				       prog, sizeof r.program - 1);
	if (argc - optind - 1 > EXEC_ARGS_MAX)
		return ctl_usage_error(exec_usage, "exec: more than %d arguments", EXEC_ARGS_MAX);
	if (quote_args(r.args, sizeof r.args, argv + optind + 1, argc - optind - 1) < 0)
		return ctl_usage_error(exec_usage, "exec: the arguments, quoted, are longer than %d characters",
				       STORE_EXEC_TEXT_MAX);

	snprintf(r.program, sizeof r.program, "%s", prog);
	r.place = all ? EXEC_PLACE_ALL : least ? EXEC_PLACE_LEAST_LOADED : EXEC_PLACE_PRIORITY;
	requester(r.requested_by, sizeof r.requested_by);
	snprintf(r.state, sizeof r.state, "queued");
	if (ctl_open_rw(c) < 0)
		return CTL_ERR;
	r.created_ms = r.updated_ms = ctl_now_ms();
	if (id)
		snprintf(r.id, sizeof r.id, "%s", id);
	else
		default_id(r.id, sizeof r.id, c->node_name, r.created_ms);
	got = store_exec_add(c->store, &r);
	if (got < 0)
		return store_error(c);
	if (got == 1) {
		char t[STORE_EXEC_ID_MAX * 4 + 1];
		fprintf(stderr, "shugoctl: request id '%s' is taken; choose another with --id\n",
			ctl_text(t, sizeof t, r.id));
		return CTL_ERR;
	}
	wake_manager(c->event_socket, r.id);
	return follow(c, &r, no_wait, timeout_ms);
}

/* ---- signal ---- */

static const char signal_usage[] =
	"usage: shugoctl [GLOBAL OPTIONS] signal ID [SIGNAL]\n"
	"\n"
	"Sends SIGNAL (default TERM) to the program of request ID on every node where\n"
	"it runs, through shugo-manager (shugoExecSignal). SIGNAL is a name (TERM,\n"
	"SIGTERM, KILL, HUP, INT, QUIT, USR1, USR2, STOP, CONT) or a number 1..64.\n"
	"A request still being placed gets it once it starts. How the program\n"
	"ended then shows in shugoctl requests ID.\n"
	"\n"
	"Exit status: 0 the manager sent it; 1 usage or store error, or the manager\n"
	"did not send it within 10 s; 2 no such request; 3 the request has ended.\n";

/* "TERM", "SIGTERM", "15": the signal number, or 0. */
static int signal_number(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{"HUP", 1}, {"INT", 2}, {"QUIT", 3}, {"KILL", 9}, {"USR1", 10}, {"USR2", 12},
		{"TERM", 15}, {"CONT", 18}, {"STOP", 19},
	};
	char *end;
	long n;

	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].sig;
	errno = 0;
	n = strtol(s, &end, 10);
	return *s && !*end && !errno && n >= 1 && n <= 64 ? (int)n : 0;
}

int ctl_signal(struct ctl *c, int argc, char **argv)
{
	static struct store_exec_req r;
	char t[STORE_EXEC_ID_MAX * 4 + 1], state[64];
	const char *id;
	int sig = 15, got;
	int64_t since;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(signal_usage, stdout);
		return CTL_OK;
	}
	if (argc < 2 || argc > 3)
		return ctl_usage_error(signal_usage, argc < 2 ? "signal: no request id given" : "signal: too many arguments");
	id = argv[1];
	if (argc == 3 && !(sig = signal_number(argv[2])))
		return ctl_usage_error(signal_usage, "signal: '%s' is not a signal (a name such as TERM, or 1..64)",
				       argv[2]);
	if (ctl_open_rw(c) < 0)
		return CTL_ERR;
	ctl_text(t, sizeof t, id);
	if ((got = store_exec_get(c->store, id, &r)) < 0)
		return store_error(c);
	if (got == 1) {
		fprintf(stderr, "shugoctl: no request '%s' in %s\n", t, c->store_path);
		return CTL_NOTFOUND;
	}
	if ((got = store_exec_signal(c->store, id, sig)) < 0)
		return store_error(c);
	if (got == 1) {
		fprintf(stderr, "shugoctl: request %s is %s: no program of it runs\n", t,
			ctl_text(state, sizeof state, r.state));
		return CTL_ABNORMAL;
	}
	wake_manager(c->event_socket, id);
	for (since = ctl_now_ms(); ctl_now_ms() - since < TAKE_MS; nap(POLL_MS)) {
		if (store_exec_get(c->store, id, &r) < 0)
			return store_error(c);
		if (r.signal != sig) {
			printf("signal %d sent to request %s\n", sig, t);
			return CTL_OK;
		}
	}
	fprintf(stderr, "shugoctl: the manager did not send signal %d to request %s within 10 s "
			"(is shugo-manager running?)\n", sig, t);
	return CTL_ERR;
}

/* ---- requests ---- */

struct rlist {
	struct ctl *c;
	struct ctl_table *t;
	size_t skip; /* --open: the older ones beyond the limit */
};

static int count_req(const struct store_exec_req *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

static int list_req(const struct store_exec_req *r, void *arg)
{
	struct rlist *o = arg;
	char id[STORE_EXEC_ID_MAX * 4 + 1], prog[65 * 4], state[64], created[40], detail[256 * 4];

	if (o->skip) {
		o->skip--;
		return 0;
	}
	if (o->c->json) {
		json_request(stdout, r, NULL);
		return ferror(stdout) ? -1 : 0;
	}
	const char *cells[] = {ctl_text(id, sizeof id, r->id), ctl_text(prog, sizeof prog, r->program),
			       place_name(r->place), ctl_text(state, sizeof state, r->state),
			       ctl_fmt_time(created, sizeof created, r->created_ms),
			       ctl_text(detail, sizeof detail, r->detail)};
	return ctl_table_row(o->t, cells);
}

static int show_request(struct ctl *c, const char *id)
{
	static struct store_exec_req r;
	struct runs a = {0};
	char t[STORE_EXEC_ID_MAX * 4 + 1];
	int got, rc;

	if ((got = store_exec_get(c->store, id, &r)) < 0)
		return store_error(c);
	if (got == 1) {
		fprintf(stderr, "shugoctl: no request '%s' in %s\n", ctl_text(t, sizeof t, id), c->store_path);
		return CTL_NOTFOUND;
	}
	rc = runs_read(c, r.id, &a) < 0 || print_request(c, &r, &a) < 0 ? CTL_ERR : CTL_OK;
	free(a.v);
	return rc;
}

int ctl_requests(struct ctl *c, int argc, char **argv)
{
	enum { O_OPEN = 256, O_JSON };
	static const struct option opts[] = {
		{"limit", required_argument, NULL, 'n'}, {"open", no_argument, NULL, O_OPEN},
		{"json", no_argument, NULL, O_JSON},     {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const heads[] = {"ID", "PROGRAM", "PLACE", "STATE", "CREATED", "DETAIL"};
	struct rlist o = {.c = c};
	size_t limit = 20;
	bool open_only = false;
	char *end;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': {
			errno = 0;
			unsigned long long n = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-' || n > 100000000)
				return ctl_usage_error(requests_usage, "requests: --limit '%s': expected a count (0 = all)",
						       optarg);
			limit = (size_t)n;
			break;
		}
		case O_OPEN: open_only = true; break;
		case O_JSON: c->json = true; break;
		case 'h': fputs(requests_usage, stdout); return CTL_OK;
		default:
			return ctl_usage_error(requests_usage, "requests: unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return ctl_usage_error(requests_usage, "requests: unexpected argument '%s'", argv[optind + 1]);
	if (ctl_open(c) < 0)
		return CTL_ERR;
	if (optind < argc)
		return show_request(c, argv[optind]);

	/* the store lists every open request: the newest `limit` of them are shown */
	if (open_only && limit) {
		size_t n = 0;
		if (store_exec_list(c->store, true, 0, count_req, &n) < 0)
			return store_error(c);
		o.skip = n > limit ? n - limit : 0;
	}
	if (!c->json && !(o.t = ctl_table_new(6, heads))) {
		fprintf(stderr, "shugoctl: out of memory\n");
		return CTL_ERR;
	}
	rc = store_exec_list(c->store, open_only, limit, list_req, &o);
	if (rc < 0 && !ferror(stdout))
		store_error(c);
	if (o.t) {
		if (rc == 0)
			ctl_table_print(o.t, stdout, NULL);
		ctl_table_free(o.t);
	}
	if (fflush(stdout) != 0 || rc != 0)
		return CTL_ERR;
	return CTL_OK;
}
