/* Registers SHUGO-MANAGER-MIB with the AgentX master, and holds what the
 * tables indexed by node share: the node index, the search over a node's
 * rows, and the summaries of a node's rows. */
#include <string.h>
#include "log.h"
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"

int mgr_mib_register(void)
{
	static const struct { const char *name; int (*fn)(void); } all[] = {
		{"shugoMgrInfo", mib_register_shugoMgrInfo},
		{"shugoMgrNodeTable", mib_register_shugoMgrNodeTable},
		{"shugoMgrProcTable", mib_register_shugoMgrProcTable},
		{"shugoMgrResTable", mib_register_shugoMgrResTable},
		{"shugoMgrAlarmTable", mib_register_shugoMgrAlarmTable},
		{"shugoMgrLogTable", mib_register_shugoMgrLogTable},
		{"shugoMgrTrapd", mib_register_shugoMgrTrapd},
		{"shugoMgrExecTable", mib_register_shugoMgrExecTable},
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (all[i].fn() < 0) {
			log_err("cannot register %s", all[i].name);
			rc = -1;
		}
	}
	return rc;
}

bool mgrmib_node_served(const struct mgr_node *n)
{
	size_t len = strlen(n->name);

	return len >= 1 && len <= MGR_INDEX_NODE_MAX;
}

size_t mgrmib_node_idx(const struct mgr_node *n, oid *out)
{
	return mib_idx_name(n->name, out);
}

size_t mgrmib_node_lower(const struct mgr_model *m, const oid *idx, size_t idx_len, bool strict)
{
	size_t lo = 0, hi = m->n_nodes;
	oid k[MIB_IDX_MAX];

	/* the nodes are kept in index order (model.h) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t kl = mgrmib_node_idx(&m->nodes[mid], k);
		int c = mib_idx_cmp(k, kl, idx, idx_len);
		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t mgrmib_proc_problems(const struct mgr_node *n)
{
	size_t k = 0;

	/* shugoMgrNodeProcProblems: every state but running(1) */
	for (size_t i = 0; i < n->n_procs; i++)
		k += n->procs[i].state != 1;
	return k;
}

size_t mgrmib_res_problems(const struct mgr_node *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n_res; i++)
		k += n->res[i].state != 1;
	return k;
}

size_t mgrmib_critical_alarms(const struct mgr_node *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n_alarms; i++)
		k += n->alarms[i].sev == 6;
	return k;
}

/* The row of node n with the smallest per-node index above sub (all rows
 * when sub is NULL), or exactly sub (exact). Writes its full index to out.
 * Rows whose whole index would not fit MIB_IDX_MAX are not served. */
static void *sub_in_node(const struct mgrmib_sub *s, struct mgr_node *n, const oid *sub, size_t sub_len,
			 bool exact, oid *out, size_t *out_len)
{
	oid k[MIB_IDX_MAX], best[MIB_IDX_MAX];
	size_t nl = mgrmib_node_idx(n, out), cnt = s->count(n), best_len = 0, best_i = cnt;

	for (size_t i = 0; i < cnt; i++) {
		size_t kl = s->key(n, i, k);
		if (kl == 0 || nl + kl > MIB_IDX_MAX)
			continue;
		int c = sub ? mib_idx_cmp(k, kl, sub, sub_len) : 1;
		if (exact) {
			if (c == 0) {
				best_i = i;
				memcpy(best, k, kl * sizeof(oid));
				best_len = kl;
				break;
			}
			continue;
		}
		if (c <= 0)
			continue;
		if (best_i == cnt || mib_idx_cmp(k, kl, best, best_len) < 0) {
			best_i = i;
			memcpy(best, k, kl * sizeof(oid));
			best_len = kl;
		}
	}
	if (best_i == cnt)
		return NULL;
	memcpy(out + nl, best, best_len * sizeof(oid));
	*out_len = nl + best_len;
	return s->row(n, best_i);
}

void *mgrmib_sub_find(const struct mgrmib_sub *s, const oid *idx, size_t idx_len, bool next, oid *out,
		      size_t *out_len)
{
	struct mgr_model *m = mgr_model;
	oid p[MIB_IDX_MAX];
	size_t lower, pl;

	if (!m || m->n_nodes == 0)
		return NULL;
	/* Every row of a node extends the node's index, and node indexes are
	 * prefix-free (length first): the node before the first one >= idx is
	 * the only one that may hold rows on both sides of idx. */
	lower = mgrmib_node_lower(m, idx, idx_len, false);
	if (lower > 0) {
		struct mgr_node *n = &m->nodes[lower - 1];
		pl = mgrmib_node_idx(n, p);
		if (mgrmib_node_served(n) && idx_len > pl && memcmp(p, idx, pl * sizeof(oid)) == 0) {
			void *row = sub_in_node(s, n, idx + pl, idx_len - pl, !next, out, out_len);
			if (row || !next)
				return row;
		}
	}
	if (!next)
		return NULL;
	/* every row of the nodes from `lower` on is above idx */
	for (size_t i = lower; i < m->n_nodes; i++) {
		if (!mgrmib_node_served(&m->nodes[i]))
			continue;
		void *row = sub_in_node(s, &m->nodes[i], NULL, 0, false, out, out_len);
		if (row)
			return row;
	}
	return NULL;
}

void mgrmib_set_date_ms(netsnmp_variable_list *v, int64_t ms)
{
	/* DateAndTime without deci-seconds: the seconds are what a console shows */
	mib_set_date(v, ms > 0 ? ms / 1000 : 0);
}

void mgrmib_set_bool(netsnmp_variable_list *v, bool b)
{
	mib_set_int(v, b ? 1 : 2);
}
