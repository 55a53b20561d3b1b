/* shugoNode: the node scalars (identity, boot count, sequence, lease, counters). */
#include "agent.h"
#include "mibutil.h"
#include "notify.h"
#include "shugo_oids.h"
#include "procs.h"
#include "register.h"
#include "remote.h"

static const oid group_oid[] = {OID_NODE};

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	struct agent *a = agent_get();
	/* supervised processes and the programs run for other servers */
	uint32_t managed = procs_managed(a) + remote_running(a);

	(void)row;
	switch (col) {
	case NODE_NAME: mib_set_str(v, a->cfg->node_name); break;
	case NODE_BOOT: mib_set_uns(v, ASN_UNSIGNED, a->boot); break;
	case NODE_UPTIME: mib_set_uns(v, ASN_TIMETICKS, (unsigned long)((agent_now_ms() - a->start_ms) / 10)); break;
	case NODE_VERSION: mib_set_str(v, SHUGO_VERSION); break;
	case NODE_NOTIF_SEQ: mib_set_uns(v, ASN_UNSIGNED, nlog_last_seq(a->nlog)); break;
	/* Leases and epochs come with the failover work; until then no manager holds one. */
	case NODE_EPOCH: mib_set_uns(v, ASN_UNSIGNED, 0); break;
	case NODE_LEASE_STATE: mib_set_int(v, 1); break;
	case NODE_LEASE_REMAINING: mib_set_uns(v, ASN_UNSIGNED, 0); break;
	case NODE_LEASE_DURATION: mib_set_uns(v, ASN_UNSIGNED, 0); break;
	case NODE_MANAGED_PROCS: mib_set_uns(v, ASN_GAUGE, managed); break;
	case NODE_MAX_PROCS: mib_set_uns(v, ASN_UNSIGNED, a->cfg->max_procs); break;
	case NODE_ACCEPTING_EXEC: mib_set_int(v, managed < a->cfg->max_procs ? 1 : 2); break;
	case NODE_NOTIF_PENDING: mib_set_uns(v, ASN_GAUGE, notify_pending()); break;
	case NODE_NOTIF_DROPPED: mib_set_uns(v, ASN_COUNTER, notify_dropped()); break;
	case NODE_CONFIG_LOADS: mib_set_uns(v, ASN_COUNTER, a->config_loads); break;
	case NODE_CONFIG_ERRORS: mib_set_uns(v, ASN_COUNTER, a->config_errors); break;
	case NODE_CONFIG_STATUS: mib_set_str(v, a->config_status); break;
	case NODE_AGENTX_RECONNECTS: mib_set_uns(v, ASN_COUNTER, a->agentx_reconnects); break;
	default: return false;
	}
	return true;
}

static struct mib_table scalars = {
	.name = "shugoNode",
	.entry = group_oid,
	.entry_len = OID_LENGTH(group_oid),
	.min_col = NODE_NAME,
	.max_col = NODE_LAST,
	.find = mib_scalar_find,
	.get = get,
};

int mib_register_shugoNode(void)
{
	return mib_table_register(&scalars);
}
