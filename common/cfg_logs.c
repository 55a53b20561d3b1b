/* The `logs:` section: files the agent watches for lines that matter, each a
 * path, a regular expression and a severity; and the kernel preset, which
 * expands into one watch per kind of preventive-maintenance event the kernel
 * reports (JP10247911, event class (d)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfg_priv.h"
#include "event.h"
#include "logwatch.h"
#include "regex_guard.h"

#define LOGS_MAX 256
#define DEF_KERNEL_LOG LW_KMSG_PATH /* the kernel's own log: there without rsyslog */

/* The kernel preset: what a corrected memory error, a disk error, a link
 * loss and the failure of one member of a redundant set (md RAID, bonding)
 * look like in the kernel log of a Debian machine. */
static const struct preset_rule {
	const char *suffix;
	int sev;
	const char *pattern;
} kernel_rules[] = {
	{"memory", SEV_WARNING,
	 "EDAC [A-Za-z0-9_]+: [0-9]+ CE |[Cc]orrected (memory )?[Ee]rror|mce: \\[Hardware Error\\]"},
	{"disk", SEV_MAJOR,
	 "I/O error|blk_update_request: .*error|Medium Error|critical medium error|"
	 "ata[0-9.]+: (exception|failed command|error:)|SCSI error|sd [0-9:]+: .*(FAILED|Sense Key)"},
	{"link", SEV_WARNING, "NIC Link is Down|Link is Down|[Ll]ink is not ready|[Ll]ink down|carrier lost"},
	{"redundancy", SEV_MAJOR,
	 "md/raid[0-9]*:.*(Disk failure|Operation continuing on [0-9]+ devices)|md: kicking non-fresh|"
	 "bond[0-9]+: .*(link status definitely down|now running without any active interface)"},
};

enum {
	L_NAME, L_NODES, L_PATH, L_PATTERN, L_SEV, L_FROM, L_LIMIT, L_PRESET, L_N
};
static const char *const log_keys[L_N] = {"name", "nodes", "path", "pattern", "severity", "from", "limit", "preset"};

static int compile(struct pctx *p, const char *ctx, struct cfg_log *e, int line)
{
	char why[128], b[CFG_SHOW_BUF];
	const char *big;
	int rc;

	if ((big = rxg_check(e->pattern)))
		return cfg_perr(p, line, "%s: pattern: '%s' %s", ctx, cfg_show_str(e->pattern, strlen(e->pattern), b),
				big);
	rc = regcomp(&e->re, e->pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &e->re, why, sizeof why);
		return cfg_perr(p, line, "%s: pattern: bad regular expression '%s': %s", ctx,
				cfg_show_str(e->pattern, strlen(e->pattern), b), why);
	}
	e->re_compiled = true;
	return 0;
}

/* The keys every watch of one entry shares: path, from, limit. */
static int parse_common(struct pctx *p, const char *ctx, const struct fld *f, struct cfg_log *e)
{
	static const struct word froms[] = {{"end", 0}, {"start", 1}};
	int v;

	e->limit = 10;
	e->window_ms = 10 * MS_S;
	if (f[L_PATH].val && cfg_get_str(p, ctx, "path", f[L_PATH].val, NC_PATH, 1, PATH_MAX - 1, &e->path) < 0)
		return -1;
	if (f[L_FROM].val) {
		if (cfg_get_enum(p, ctx, "from", f[L_FROM].val, froms, 2, "end or start", &v) < 0)
			return -1;
		e->from_start = v != 0;
	}
	if (f[L_LIMIT].val) {
		static const char *const keys[] = {"matches", "window"};
		struct fld d[2];
		char lctx[CFG_CTX_MAX];
		cfg_ctx_join(lctx, sizeof lctx, ctx, "limit");
		if (cfg_expect(p, ctx, "limit", f[L_LIMIT].val, YAML_MAPPING_NODE) < 0 ||
		    cfg_map_read(p, f[L_LIMIT].val, lctx, keys, 2, d) < 0)
			return -1;
		if ((d[0].val && cfg_get_u32(p, lctx, "matches", d[0].val, 1, 10000, &e->limit) < 0) ||
		    (d[1].val && cfg_get_duration(p, lctx, "window", d[1].val, MS_S, 24 * MS_H, &e->window_ms) < 0))
			return -1;
	}
	return 0;
}

static struct cfg_log *grow(struct pctx *p, struct shugo_config *c, size_t *cap, const yaml_node_t *sel)
{
	if (c->n_logs == LOGS_MAX) {
		cfg_perr(p, 0, "logs: more than %d log watches", LOGS_MAX);
		return NULL;
	}
	if (c->n_logs == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		struct cfg_log *n = realloc(c->logs, ncap * sizeof *n);
		const yaml_node_t **ns = realloc(p->log_sel, ncap * sizeof *ns);
		if (n)
			c->logs = n;
		if (ns)
			p->log_sel = ns;
		if (!n || !ns) {
			cfg_oom(p);
			return NULL;
		}
		*cap = ncap;
	}
	p->log_sel[c->n_logs] = sel;
	memset(&c->logs[c->n_logs], 0, sizeof c->logs[0]);
	return &c->logs[c->n_logs++];
}

static int parse_preset(struct pctx *p, struct shugo_config *c, const yaml_node_t *m, const struct fld *f,
			const char *ctx, size_t *cap, const yaml_node_t *sel)
{
	static const struct word presets[] = {{"kernel", 1}};
	char prefix[CFG_NAME_MAX + 1] = "kernel", wctx[CFG_CTX_MAX + 2 * CFG_NAME_MAX];
	int v;

	if (cfg_get_enum(p, ctx, "preset", f[L_PRESET].val, presets, 1, "kernel", &v) < 0)
		return -1;
	if (f[L_PATTERN].key || f[L_SEV].key)
		return cfg_perr(p, lineof(f[L_PATTERN].key ? f[L_PATTERN].key : f[L_SEV].key),
				"%s: a preset brings its own patterns and severities; give a watch of your own for another",
				ctx);
	if (f[L_NAME].val && cfg_get_name(p, ctx, "name", f[L_NAME].val, NC_PROC, CFG_NAME_MAX - 12, prefix) < 0)
		return -1;
	for (size_t r = 0; r < sizeof kernel_rules / sizeof kernel_rules[0]; r++) {
		struct cfg_log *e = grow(p, c, cap, sel);
		if (!e)
			return -1;
		e->line = lineof(m);
		snprintf(e->name, sizeof e->name, "%.51s-%s", prefix, kernel_rules[r].suffix);
		snprintf(wctx, sizeof wctx, "%s (%s)", ctx, e->name);
		e->sev = kernel_rules[r].sev;
		if (parse_common(p, wctx, f, e) < 0)
			return -1;
		if ((!e->path && !(e->path = strdup(DEF_KERNEL_LOG))) || !(e->pattern = strdup(kernel_rules[r].pattern)))
			return cfg_oom(p);
		if (compile(p, wctx, e, e->line) < 0)
			return -1;
	}
	return 0;
}

static int parse_log(struct pctx *p, struct shugo_config *c, const yaml_node_t *m, size_t i, size_t *cap)
{
	struct fld f[L_N];
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	const yaml_node_t *sel = NULL;
	struct cfg_log *e;

	cfg_item_ctx_peek(p, ctx, "logs", i, m, "name");
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, log_keys, L_N, f) < 0)
		return -1;
	if (f[L_NODES].val && cfg_get_node_list(p, ctx, f[L_NODES].val, &sel) < 0)
		return -1;
	if (f[L_PRESET].val)
		return parse_preset(p, c, m, f, ctx, cap, sel);
	if (!(e = grow(p, c, cap, sel)))
		return -1;
	e->line = lineof(m);
	e->sev = SEV_WARNING;
	if (!f[L_NAME].val)
		return cfg_missing(p, ctx, m, "name");
	if (cfg_get_name(p, ctx, "name", f[L_NAME].val, NC_PROC, CFG_NAME_MAX, e->name) < 0)
		return -1;
	cfg_item_ctx(ctx, "logs", i, e->name);
	if (!f[L_PATH].val)
		return cfg_missing(p, ctx, m, "path");
	if (!f[L_PATTERN].val)
		return cfg_missing(p, ctx, m, "pattern");
	if (parse_common(p, ctx, f, e) < 0 ||
	    cfg_get_str(p, ctx, "pattern", f[L_PATTERN].val, NC_TEXT, 1, CFG_REGEX_MAX, &e->pattern) < 0)
		return -1;
	if (f[L_SEV].val) {
		const char *s;
		size_t len;
		char w[16];
		if (!(s = cfg_get_scalar(p, ctx, "severity", f[L_SEV].val, &len)))
			return -1;
		snprintf(w, sizeof w, "%.*s", (int)(len < sizeof w ? len : sizeof w - 1), s);
		if (len >= sizeof w || !(e->sev = (int)ev_sev_parse(w)) || e->sev == SEV_CLEAR)
			return cfg_perr(p, lineof(f[L_SEV].val),
					"%s: severity: '%s' is not one of info, warning, minor, major, critical", ctx,
					cfg_show(f[L_SEV].val, b));
	}
	return compile(p, ctx, e, lineof(f[L_PATTERN].val));
}

int cfg_parse_logs(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	size_t n, cap = 0;

	if (!top->val)
		return 0;
	if (cfg_expect(p, "", "logs", top->val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(top->val);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, top->val->data.sequence.items.start[i]);
		if (!m || parse_log(p, c, m, i, &cap) < 0)
			return -1;
	}
	return 0;
}

static void log_clear(struct cfg_log *e)
{
	free(e->path);
	free(e->pattern);
	if (e->re_compiled)
		regfree(&e->re);
}

int cfg_check_logs(struct pctx *p, struct shugo_config *c)
{
	const char **names = NULL;
	struct uniq *u = NULL;
	char ctx[CFG_CTX_MAX];
	size_t k = 0;
	int rc = -1;

	if (!c->n_logs)
		return 0;
	if (!(names = cfg_node_names(p, c)) || !(u = calloc(c->n_logs, sizeof *u))) {
		cfg_oom(p);
		goto fail;
	}
	for (size_t i = 0; i < c->n_logs; i++) {
		snprintf(ctx, sizeof ctx, "logs '%s'", c->logs[i].name);
		if (cfg_check_node_list(p, ctx, p->log_sel[i], names, c->n_nodes) < 0)
			goto fail;
		u[i] = (struct uniq){c->logs[i].name, c->logs[i].line, i};
	}
	if (cfg_check_unique(p, u, c->n_logs, "logs", "log watch name") < 0)
		goto fail;
	/* the watches of other nodes go; regex_t may be moved (glibc keeps no
	 * pointer into it) */
	for (size_t i = 0; i < c->n_logs; i++) {
		bool keep;
		if (cfg_selected(p, p->log_sel[i], c->node_name, &keep) < 0)
			goto fail;
		if (!keep) {
			log_clear(&c->logs[i]);
			continue;
		}
		if (k != i)
			c->logs[k] = c->logs[i];
		k++;
	}
	c->n_logs = k;
	rc = 0;
fail:
	free(names);
	free(u);
	return rc;
}

void cfg_logs_clear(struct shugo_config *c)
{
	for (size_t i = 0; i < c->n_logs; i++)
		log_clear(&c->logs[i]);
	free(c->logs);
	c->logs = NULL;
	c->n_logs = 0;
}
