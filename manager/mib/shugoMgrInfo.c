/* shugoMgrInfo: the scalars that describe this manager (identity, role,
 * epoch, node counts, the central log's size). */
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"

static const oid group_oid[] = {OID_MGR_INFO};

static unsigned long clamp32(int64_t x)
{
	return x < 0 ? 0 : x > 0xffffffffLL ? 0xffffffffUL : (unsigned long)x;
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct mgr_model *m = mgr_model;
	size_t served = 0, down = 0;

	(void)row;
	if (!m)
		return false;
	for (size_t i = 0; i < m->n_nodes; i++) {
		served += mgrmib_node_served(&m->nodes[i]);
		down += m->nodes[i].fsm.state == NODE_DOWN;
	}
	switch (col) {
	case MGR_INFO_SELF_NAME: mib_set_str(v, m->node_name); break;
	case MGR_INFO_ROLE: mib_set_int(v, m->role ? m->role : MGR_ROLE_STARTING); break;
	case MGR_INFO_EPOCH: mib_set_uns(v, ASN_UNSIGNED, m->epoch); break;
	case MGR_INFO_START_TIME: mib_set_date(v, m->start_time); break;
	case MGR_INFO_VERSION: mib_set_str(v, SHUGO_VERSION); break;
	/* the rows of shugoMgrNodeTable */
	case MGR_INFO_NODE_COUNT: mib_set_uns(v, ASN_GAUGE, served); break;
	case MGR_INFO_NODES_DOWN: mib_set_uns(v, ASN_GAUGE, down); break;
	/* Gauge32 latches at its maximum (RFC 2578 7.1.7); so does the id, which
	 * shugoMgrLogTable cannot serve past 2^32 - 1 either */
	case MGR_INFO_LOG_RECORDS: mib_set_uns(v, ASN_GAUGE, clamp32(m->log_count)); break;
	case MGR_INFO_LOG_LAST_ID: mib_set_uns(v, ASN_UNSIGNED, clamp32(m->log_last_id)); break;
	case MGR_INFO_LOG_RING_SIZE: mib_set_uns(v, ASN_UNSIGNED, m->ring_cap); break;
	default: return false;
	}
	return true;
}

static struct mib_table scalars = {
	.name = "shugoMgrInfo",
	.entry = group_oid,
	.entry_len = OID_LENGTH(group_oid),
	.min_col = MGR_INFO_SELF_NAME,
	.max_col = MGR_INFO_LAST,
	.find = mib_scalar_find,
	.get = get,
};

int mib_register_shugoMgrInfo(void)
{
	return mib_table_register(&scalars);
}
