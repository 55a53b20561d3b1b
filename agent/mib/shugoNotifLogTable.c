/* shugoNotifLogTable and its scalars: the persistent notification log, by
 * sequence number, for replay after a gap. */
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "register.h"

static const oid entry_oid[] = {OID_NLOG_ENTRY};
static const oid group_oid[] = {OID_NLOG};

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct nlog *l = agent_get()->nlog;
	const struct shugo_event *ev;

	if (idx_len > 0 && idx[0] > 0xffffffffUL)
		return NULL;
	if (!next) {
		if (idx_len != 1)
			return NULL;
		ev = nlog_get(l, (uint32_t)idx[0]);
	} else {
		ev = nlog_next(l, idx_len ? (uint32_t)idx[0] : 0);
	}
	if (!ev)
		return NULL;
	out[0] = ev->seq;
	*out_len = 1;
	return (void *)ev;
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct shugo_event *ev = row;
	oid type[] = {OID_NOTIF_PREFIX, (oid)ev->type};

	switch (col) {
	case NLOG_COL_TIME: mib_set_date(v, ev->time); break;
	case NLOG_COL_TYPE: mib_set_oid(v, type, OID_LENGTH(type)); break;
	case NLOG_COL_BOOT: mib_set_uns(v, ASN_UNSIGNED, ev->boot); break;
	case NLOG_COL_SEVERITY: mib_set_int(v, ev->sev); break;
	case NLOG_COL_OBJECT: mib_set_str(v, ev->object); break;
	case NLOG_COL_STATE: mib_set_str(v, ev->state); break;
	case NLOG_COL_DETAIL: mib_set_str(v, ev->detail); break;
	default: return false;
	}
	return true;
}

static bool get_scalar(void *row, unsigned col, netsnmp_variable_list *v)
{
	struct nlog *l = agent_get()->nlog;

	(void)row;
	if (col == 1)
		mib_set_uns(v, ASN_UNSIGNED, nlog_capacity(l));
	else if (col == 2)
		mib_set_uns(v, ASN_UNSIGNED, nlog_first_seq(l));
	else
		return false;
	return true;
}

static struct mib_table table = {
	.name = "shugoNotifLogTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = NLOG_COL_TIME,
	.max_col = NLOG_COL_LAST,
	.find = find,
	.get = get,
};

static struct mib_table scalars = {
	.name = "shugoNotifLog",
	.entry = group_oid,
	.entry_len = OID_LENGTH(group_oid),
	.min_col = 1,
	.max_col = 2,
	.find = mib_scalar_find,
	.get = get_scalar,
};

int mib_register_shugoNotifLogTable(void)
{
	return mib_table_register(&scalars) < 0 || mib_table_register(&table) < 0 ? -1 : 0;
}
