/* The `exec:` section: remote execution on this node. Without the section
 * nothing may be started from elsewhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfg_priv.h"

#define EXEC_LIST_MAX 256

/* A list of 1..EXEC_LIST_MAX texts of class cls into *out / *n. */
static int read_list(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		     size_t max, char ***out, size_t *n)
{
	size_t cnt;

	if (cfg_expect(p, ctx, key, v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	cnt = seq_len(v);
	if (cnt == 0)
		return cfg_perr(p, lineof(v), "%s: %s: the list is empty", ctx, key);
	if (cnt > EXEC_LIST_MAX)
		return cfg_perr(p, lineof(v), "%s: %s: more than %d entries", ctx, key, EXEC_LIST_MAX);
	if (!(*out = calloc(cnt + 1, sizeof **out)))
		return cfg_oom(p);
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *e = cfg_node_get(p, v->data.sequence.items.start[i]);
		if (!e || cfg_get_str(p, ctx, key, e, cls, 1, max, &(*out)[i]) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

int cfg_parse_exec(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	enum { E_PATH, E_ALLOW, E_REQ, E_RET, E_N };
	static const char *const keys[E_N] = {"path", "allow", "requesters", "retention"};
	struct cfg_exec *e = &c->exec;
	struct fld f[E_N];

	e->retention_s = 600;
	if (!top->val)
		return 0;
	e->line = lineof(top->key);
	if (cfg_expect(p, "", "exec", top->val, YAML_MAPPING_NODE) < 0 ||
	    cfg_map_read(p, top->val, "exec", keys, E_N, f) < 0)
		return -1;
	e->enabled = true;
	if (!f[E_PATH].val)
		return cfg_missing(p, "exec", top->val, "path");
	if (read_list(p, "exec", "path", f[E_PATH].val, NC_PATH, 1024, &e->path, &e->n_path) < 0 ||
	    (f[E_ALLOW].val && read_list(p, "exec", "allow", f[E_ALLOW].val, NC_WORD, CFG_NAME_MAX, &e->allow,
					 &e->n_allow) < 0) ||
	    (f[E_REQ].val && read_list(p, "exec", "requesters", f[E_REQ].val, NC_WORD, CFG_NAME_MAX,
				       &e->requesters, &e->n_requesters) < 0) ||
	    (f[E_RET].val && cfg_get_seconds(p, "exec", "retention", f[E_RET].val, 1, 7 * 86400, &e->retention_s) < 0))
		return -1;
	return 0;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void cfg_exec_clear(struct shugo_config *c)
{
	free_list(c->exec.path, c->exec.n_path);
	free_list(c->exec.allow, c->exec.n_allow);
	free_list(c->exec.requesters, c->exec.n_requesters);
	memset(&c->exec, 0, sizeof c->exec);
}
