/* shugoMgrNodeTable: one row per node of the cluster definition, with the
 * manager's judgement of its liveness and a summary of its polled rows. */
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"

static const oid entry_oid[] = {OID_MGR_NODE_ENTRY};

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct mgr_model *m = mgr_model;
	size_t i;

	if (!m)
		return NULL;
	if (!next) {
		i = mgrmib_node_lower(m, idx, idx_len, false);
		if (i >= m->n_nodes || !mgrmib_node_served(&m->nodes[i]))
			return NULL;
		*out_len = mgrmib_node_idx(&m->nodes[i], out);
		return mib_idx_cmp(out, *out_len, idx, idx_len) == 0 ? &m->nodes[i] : NULL;
	}
	i = idx_len ? mgrmib_node_lower(m, idx, idx_len, true) : 0;
	for (; i < m->n_nodes; i++) {
		if (mgrmib_node_served(&m->nodes[i])) {
			*out_len = mgrmib_node_idx(&m->nodes[i], out);
			return &m->nodes[i];
		}
	}
	return NULL;
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct mgr_node *n = row;

	switch (col) {
	case MGR_NODE_COL_ADDRESS: mib_set_str(v, n->address); break;
	case MGR_NODE_COL_STATE: mib_set_int(v, n->fsm.state ? n->fsm.state : NODE_UNKNOWN); break;
	case MGR_NODE_COL_LAST_SEEN: mgrmib_set_date_ms(v, n->last_seen_ms); break;
	case MGR_NODE_COL_LAST_CHANGE:
		/* not changed since the manager started: the start time */
		if (n->last_change_ms)
			mgrmib_set_date_ms(v, n->last_change_ms);
		else
			mib_set_date(v, mgr_model->start_time);
		break;
	case MGR_NODE_COL_BOOT: mib_set_uns(v, ASN_UNSIGNED, n->boot); break;
	case MGR_NODE_COL_NOTIF_SEQ: mib_set_uns(v, ASN_UNSIGNED, n->notif_seq); break;
	case MGR_NODE_COL_REPAIRED_SEQ: mib_set_uns(v, ASN_UNSIGNED, n->repaired_seq); break;
	case MGR_NODE_COL_POLL_INTERVAL: mib_set_uns(v, ASN_UNSIGNED, n->poll.interval_ms); break;
	case MGR_NODE_COL_POLL_TIMEOUT: mib_set_uns(v, ASN_UNSIGNED, n->poll.timeout_ms); break;
	case MGR_NODE_COL_POLL_RETRIES: mib_set_uns(v, ASN_UNSIGNED, n->poll.retries); break;
	/* Counter32 wraps (RFC 2578 7.1.6) */
	case MGR_NODE_COL_POLLS: mib_set_uns(v, ASN_COUNTER, (unsigned long)(n->polls & 0xffffffffu)); break;
	case MGR_NODE_COL_POLL_FAILURES:
		mib_set_uns(v, ASN_COUNTER, (unsigned long)(n->poll_failures & 0xffffffffu));
		break;
	case MGR_NODE_COL_PROC_COUNT: mib_set_uns(v, ASN_GAUGE, n->n_procs); break;
	case MGR_NODE_COL_PROC_PROBLEMS: mib_set_uns(v, ASN_GAUGE, mgrmib_proc_problems(n)); break;
	case MGR_NODE_COL_RES_PROBLEMS: mib_set_uns(v, ASN_GAUGE, mgrmib_res_problems(n)); break;
	case MGR_NODE_COL_ALARM_COUNT: mib_set_uns(v, ASN_GAUGE, n->n_alarms); break;
	case MGR_NODE_COL_CRITICAL_ALARMS: mib_set_uns(v, ASN_GAUGE, mgrmib_critical_alarms(n)); break;
	/* not current while the node does not answer, whether or not it ever
	 * had rows (a node never heard from has none, and nothing current) */
	case MGR_NODE_COL_STALE: mgrmib_set_bool(v, n->stale || n->fsm.state != NODE_UP); break;
	case MGR_NODE_COL_DETAIL: mib_set_str(v, n->detail); break;
	case MGR_NODE_COL_LAST_RTT: mib_set_uns(v, ASN_GAUGE, n->last_rtt_ms); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoMgrNodeTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = MGR_NODE_COL_ADDRESS,
	.max_col = MGR_NODE_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoMgrNodeTable(void)
{
	return mib_table_register(&table);
}
