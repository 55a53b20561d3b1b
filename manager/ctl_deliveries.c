/* shugoctl deliveries: what notification routing did with the central log's
 * records, one line per attempt (or per record a route held back as a
 * duplicate or damped), newest last. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"

static const char usage_text[] =
	"usage: shugoctl [--json] deliveries [OPTIONS]\n"
	"  -r, --route NAME     only this route's\n"
	"  -l, --log ID         only those of this central log record\n"
	"  -p, --pending        only those under way\n"
	"  -n COUNT             the newest COUNT (default 50; 0 = all)\n"
	"      --json           one JSON object per delivery (JSON Lines)\n"
	"States: pending, ok, failed, skipped (its node is down), duplicate (the same\n"
	"event was delivered within the route's dedup window), damped (its source\n"
	"was flapping), cancelled (the manager stopped; sent again at its start).\n";

struct dout {
	struct ctl *c;
	struct ctl_table *t;
};

static int print_delivery(const struct store_delivery *d, void *arg)
{
	struct dout *o = arg;
	char id[24], log[24], group[12], started[40], state[32];

	if (o->c->json) {
		fputc('{', stdout);
		json_kint(stdout, "id", d->id);
		fputc(',', stdout);
		json_kint(stdout, "log_id", d->log_id);
		fputc(',', stdout);
		json_kstr(stdout, "route", d->route);
		fputc(',', stdout);
		json_kint(stdout, "group", d->priority);
		fputc(',', stdout);
		json_kstr(stdout, "destination", d->destination);
		fputc(',', stdout);
		json_kstr(stdout, "state", d->state);
		fputc(',', stdout);
		json_kstr(stdout, "result", d->result);
		fputc(',', stdout);
		json_kbool(stdout, "snapshot", d->snapshot);
		fputc(',', stdout);
		json_kint(stdout, "held", d->held);
		fputc(',', stdout);
		json_ktime(stdout, "started", d->started_ms);
		fputc(',', stdout);
		json_ktime(stdout, "ended", d->ended_ms);
		fputs("}\n", stdout);
		return ferror(stdout) ? -1 : 0;
	}
	snprintf(id, sizeof id, "%" PRId64, d->id);
	snprintf(log, sizeof log, "%" PRId64, d->log_id);
	snprintf(group, sizeof group, d->priority ? "%d" : "-", d->priority);
	snprintf(state, sizeof state, "%s%s", d->state, d->snapshot ? " (state)" : "");
	const char *cells[] = {id, ctl_fmt_time(started, sizeof started, d->started_ms), d->route, log, group,
			       d->destination[0] ? d->destination : "-", state, d->result};
	return ctl_table_row(o->t, cells);
}

int ctl_deliveries(struct ctl *c, int argc, char **argv)
{
	enum { O_JSON = 256 };
	static const struct option opts[] = {
		{"route", required_argument, NULL, 'r'}, {"log", required_argument, NULL, 'l'},
		{"pending", no_argument, NULL, 'p'},     {"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	static const char *const heads[] = {"ID", "STARTED", "ROUTE", "LOG", "GROUP", "DESTINATION", "STATE", "RESULT"};
	struct store_delivery_filter f = {.limit = 50};
	struct dout o = {.c = c};
	char *end;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "r:l:pn:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': f.route = optarg; break;
		case 'l':
			errno = 0;
			f.log_id = strtoll(optarg, &end, 10);
			if (!*optarg || *end || errno || f.log_id <= 0)
				return ctl_usage_error(usage_text, "deliveries: --log '%s': expected a record id", optarg);
			break;
		case 'p': f.pending_only = true; break;
		case 'n': {
			errno = 0;
			unsigned long long n = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-' || n > 100000000)
				return ctl_usage_error(usage_text, "deliveries: -n '%s': expected a count (0 = all)",
						       optarg);
			f.limit = (size_t)n;
			break;
		}
		case O_JSON: c->json = true; break;
		case 'h': fputs(usage_text, stdout); return CTL_OK;
		default:
			return ctl_usage_error(usage_text, "deliveries: unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return ctl_usage_error(usage_text, "deliveries: unexpected argument '%s'", argv[optind]);
	if (ctl_open(c) < 0)
		return CTL_ERR;
	if (!c->json && !(o.t = ctl_table_new(8, heads))) {
		fprintf(stderr, "shugoctl: out of memory\n");
		return CTL_ERR;
	}
	rc = store_delivery_list(c->store, &f, print_delivery, &o);
	if (rc < 0 && !ferror(stdout))
		fprintf(stderr, "shugoctl: %s: %s\n", c->store_path, store_errmsg(c->store));
	if (o.t) {
		if (rc == 0)
			ctl_table_print(o.t, stdout, NULL);
		ctl_table_free(o.t);
	}
	if (fflush(stdout) != 0 || rc != 0)
		return CTL_ERR;
	return CTL_OK;
}
