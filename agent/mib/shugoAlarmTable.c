/* shugoAlarmTable (current alarms, by id) and shugoAlarmCount. */
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "register.h"

static const oid entry_oid[] = {OID_ALARM_ENTRY};
static const oid alarms_oid[] = {SHUGO_OBJ(6)};

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	struct alarm *row;
	uint32_t id;

	if (idx_len == 0)
		id = 0;
	else if (idx[0] > 0xffffffffUL)
		return NULL;
	else
		id = (uint32_t)idx[0];
	if (!next && (idx_len != 1 || id == 0))
		return NULL;
	/* next: the first id above the requested one (a longer index sorts after its prefix) */
	if (next && idx_len > 0) {
		if (id == 0xffffffffU)
			return NULL;
		id++;
	}
	row = alarm_by_id(&a->alarms, id, !next);
	if (!row)
		return NULL;
	out[0] = row->id;
	*out_len = 1;
	return row;
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct alarm *al = row;
	oid type[] = {OID_NOTIF_PREFIX, (oid)al->type};

	switch (col) {
	case ALARM_COL_TYPE: mib_set_oid(v, type, OID_LENGTH(type)); break;
	case ALARM_COL_OBJECT: mib_set_str(v, al->object); break;
	case ALARM_COL_SEVERITY: mib_set_int(v, al->sev); break;
	case ALARM_COL_RAISED_TIME: mib_set_date(v, al->raised_time); break;
	case ALARM_COL_RAISED_SEQ: mib_set_uns(v, ASN_UNSIGNED, al->raised_seq); break;
	case ALARM_COL_DESCR: mib_set_str(v, al->descr); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoAlarmTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = ALARM_COL_TYPE,
	.max_col = ALARM_COL_LAST,
	.find = find,
	.get = get,
};

/* shugoAlarmCount.0: served as column 2 of shugoAlarms with the one index 0. */
static bool get_count(void *row, unsigned col, netsnmp_variable_list *v)
{
	(void)row;
	if (col != 2)
		return false;
	mib_set_uns(v, ASN_GAUGE, agent_get()->alarms.n);
	return true;
}

static struct mib_table count = {
	.name = "shugoAlarmCount",
	.entry = alarms_oid,
	.entry_len = OID_LENGTH(alarms_oid),
	.min_col = 2,
	.max_col = 2,
	.find = mib_scalar_find,
	.get = get_count,
};

int mib_register_shugoAlarmTable(void)
{
	return mib_table_register(&table) < 0 || mib_table_register(&count) < 0 ? -1 : 0;
}
