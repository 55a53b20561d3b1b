/* shugoMgrAlarmTable: every node's active alarms as last polled, by (node,
 * alarm id); a node that stopped answering keeps them, stale. */
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"
#include "shugo_oids.h"

static const oid entry_oid[] = {OID_MGR_ALARM_ENTRY};

static size_t count(const struct mgr_node *n) { return n->n_alarms; }
static void *row(struct mgr_node *n, size_t i) { return &n->alarms[i]; }

static size_t key(const struct mgr_node *n, size_t i, oid *out)
{
	/* shugoMgrAlarmId is 1..4294967295 */
	if (n->alarms[i].id == 0)
		return 0;
	out[0] = n->alarms[i].id;
	return 1;
}

static const struct mgrmib_sub sub = {.count = count, .key = key, .row = row};

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	return mgrmib_sub_find(&sub, idx, idx_len, next, out, out_len);
}

static bool get(void *r, unsigned col, netsnmp_variable_list *v)
{
	const struct store_alarm *a = r;
	/* the raising notification's OID in SHUGO-MIB, as the agent's shugoAlarmType */
	oid type[] = {OID_NOTIF_PREFIX, (oid)(a->type > 0 ? a->type : 0)};

	switch (col) {
	case MGR_ALARM_COL_TYPE: mib_set_oid(v, type, OID_LENGTH(type)); break;
	case MGR_ALARM_COL_OBJECT: mib_set_str(v, a->object); break;
	case MGR_ALARM_COL_SEVERITY: mib_set_int(v, a->sev); break;
	case MGR_ALARM_COL_RAISED_TIME: mib_set_date(v, a->raised); break;
	case MGR_ALARM_COL_DETAIL: mib_set_str(v, a->detail); break;
	case MGR_ALARM_COL_STALE: mgrmib_set_bool(v, a->stale); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoMgrAlarmTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = MGR_ALARM_COL_TYPE,
	.max_col = MGR_ALARM_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoMgrAlarmTable(void)
{
	return mib_table_register(&table);
}
