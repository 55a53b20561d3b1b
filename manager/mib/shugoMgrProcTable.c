/* shugoMgrProcTable: every node's process definitions as last polled, by
 * (node, process name); a node that stopped answering keeps them, stale. */
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"

static const oid entry_oid[] = {OID_MGR_PROC_ENTRY};

static size_t count(const struct mgr_node *n) { return n->n_procs; }
static void *row(struct mgr_node *n, size_t i) { return &n->procs[i]; }

static size_t key(const struct mgr_node *n, size_t i, oid *out)
{
	return mib_idx_name(n->procs[i].name, out);
}

static const struct mgrmib_sub sub = {.count = count, .key = key, .row = row};

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	return mgrmib_sub_find(&sub, idx, idx_len, next, out, out_len);
}

static bool get(void *r, unsigned col, netsnmp_variable_list *v)
{
	const struct store_proc *p = r;

	switch (col) {
	case MGR_PROC_COL_KIND: mib_set_int(v, p->kind); break;
	case MGR_PROC_COL_STATE: mib_set_int(v, p->state); break;
	case MGR_PROC_COL_INSTANCES: mib_set_uns(v, ASN_GAUGE, p->instances); break;
	case MGR_PROC_COL_RESTARTS: mib_set_uns(v, ASN_COUNTER, p->restarts); break;
	case MGR_PROC_COL_CPU: mib_set_uns(v, ASN_GAUGE, p->cpu); break;
	/* Gauge32 latches at its maximum (RFC 2578 7.1.7) */
	case MGR_PROC_COL_RSS: mib_set_uns(v, ASN_GAUGE, p->rss_kb > 0xffffffffu ? 0xffffffffu : p->rss_kb); break;
	case MGR_PROC_COL_LAST_CHANGE: mib_set_date(v, p->last_change); break;
	case MGR_PROC_COL_UPDATED: mgrmib_set_date_ms(v, p->updated_ms); break;
	case MGR_PROC_COL_STALE: mgrmib_set_bool(v, p->stale); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoMgrProcTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = MGR_PROC_COL_KIND,
	.max_col = MGR_PROC_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoMgrProcTable(void)
{
	return mib_table_register(&table);
}
