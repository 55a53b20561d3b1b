/* shugoNicTable: link, traffic and the combined judgement of each watched NIC. */
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "register.h"

static const oid entry_oid[] = {OID_NIC_ENTRY};

static size_t key(size_t i, const void *ctx, oid *out)
{
	return mib_idx_name(((const struct agent *)ctx)->nics[i].mon.name, out);
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	size_t i = mib_bsearch(a->n_nics, idx, idx_len, next, key, a);

	if (i >= a->n_nics)
		return NULL;
	*out_len = key(i, a, out);
	return &a->nics[i];
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct nic_rt *n = row;
	const struct nic_mon *m = &n->mon;

	switch (col) {
	case NIC_COL_IFINDEX: mib_set_int(v, m->ifindex); break;
	case NIC_COL_LINK: mib_set_int(v, m->link); break;
	case NIC_COL_TRAFFIC: mib_set_int(v, m->traffic); break;
	case NIC_COL_STATE: mib_set_int(v, n->state); break;
	case NIC_COL_RX_PACKETS: mib_set_c64(v, m->rx_packets); break;
	case NIC_COL_TX_PACKETS: mib_set_c64(v, m->tx_packets); break;
	case NIC_COL_RX_BYTES: mib_set_c64(v, m->rx_bytes); break;
	case NIC_COL_TX_BYTES: mib_set_c64(v, m->tx_bytes); break;
	case NIC_COL_CAPTURED: mib_set_c64(v, m->captured); break;
	case NIC_COL_SILENT: mib_set_uns(v, ASN_UNSIGNED, mon_nic_silent_s(m, agent_now_ms())); break;
	case NIC_COL_STALL_AFTER: mib_set_uns(v, ASN_UNSIGNED, m->stall_after_s); break;
	default: return false;
	}
	return true;
}

static int check(void *row, unsigned col, const netsnmp_variable_list *v)
{
	(void)row;
	if (col != NIC_COL_STALL_AFTER)
		return SNMP_ERR_NOTWRITABLE;
	return mib_check_uns(v, 1, 86400);
}

static void apply(void *row, unsigned col, const netsnmp_variable_list *v)
{
	struct nic_rt *n = row;

	if (col == NIC_COL_STALL_AFTER)
		n->mon.stall_after_s = (uint32_t)*v->val.integer;
}

static struct mib_table table = {
	.name = "shugoNicTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = NIC_COL_IFINDEX,
	.max_col = NIC_COL_LAST,
	.find = find,
	.get = get,
	.check = check,
	.apply = apply,
};

int mib_register_shugoNicTable(void)
{
	return mib_table_register(&table);
}
