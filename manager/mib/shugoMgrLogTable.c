/* shugoMgrLogTable: the newest records of the central log (the manager's
 * ring), by record id, so a console can follow the log with GETNEXT from the
 * last id it saw. */
#include <stdlib.h>
#include <string.h>
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"
#include "shugo_oids.h"

static const oid entry_oid[] = {OID_MGR_LOG_ENTRY};

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	const struct mgr_model *m = mgr_model;
	const struct log_rec *r;

	if (!m)
		return NULL;
	if (idx_len > 0 && idx[0] > 0xffffffffUL)
		return NULL;
	if (!next) {
		if (idx_len != 1 || idx[0] == 0)
			return NULL;
		r = model_log_find(m, (int64_t)idx[0], false);
	} else {
		/* a longer index sorts after its first arc: the next id is above it */
		r = model_log_find(m, idx_len ? (int64_t)idx[0] : 0, true);
	}
	/* shugoMgrLogId is an Unsigned32: a store past 2^32 - 1 records is not served */
	if (!r || r->id <= 0 || r->id > 0xffffffffLL)
		return NULL;
	out[0] = (oid)r->id;
	*out_len = 1;
	return (void *)r;
}


static void set_type(netsnmp_variable_list *v, const struct log_rec *r)
{
	static const oid agent_prefix[] = {OID_NOTIF_PREFIX};
	static const oid mgr_prefix[] = {OID_MGR_NOTIF_PREFIX};
	oid o[MAX_OID_LEN];
	size_t len = 0;

	if (r->trap_oid[0] && mib_parse_oid(r->trap_oid, o, &len)) {
		mib_set_oid(v, o, len);
		return;
	}
	/* no OID stored: the type's own, from the module it belongs to */
	if (r->type > 0 && (r->origin == LR_AGENT || r->origin == LR_REPLAY)) {
		memcpy(o, agent_prefix, sizeof agent_prefix);
		len = OID_LENGTH(agent_prefix);
	} else if (r->type > 0 && (r->origin == LR_MANAGER || r->origin == LR_TRAPD)) {
		memcpy(o, mgr_prefix, sizeof mgr_prefix);
		len = OID_LENGTH(mgr_prefix);
	}
	if (len) {
		o[len++] = (oid)r->type;
	} else {
		o[0] = 0; /* zeroDotZero: unknown */
		o[1] = 0;
		len = 2;
	}
	mib_set_oid(v, o, len);
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct log_rec *r = row;

	switch (col) {
	case MGR_LOG_COL_TIME: mgrmib_set_date_ms(v, r->occurred_ms); break;
	case MGR_LOG_COL_RECEIVED: mgrmib_set_date_ms(v, r->received_ms); break;
	case MGR_LOG_COL_NODE: mib_set_str(v, r->node); break;
	case MGR_LOG_COL_BOOT: mib_set_uns(v, ASN_UNSIGNED, r->boot); break;
	case MGR_LOG_COL_SEQ: mib_set_uns(v, ASN_UNSIGNED, r->seq); break;
	case MGR_LOG_COL_TYPE: set_type(v, r); break;
	/* a trap from another device carries no severity: info(2) */
	case MGR_LOG_COL_SEVERITY: mib_set_int(v, r->sev >= 1 && r->sev <= 6 ? r->sev : 2); break;
	case MGR_LOG_COL_OBJECT: mib_set_str(v, r->object); break;
	case MGR_LOG_COL_STATE: mib_set_str(v, r->state); break;
	case MGR_LOG_COL_DETAIL: mib_set_str(v, r->detail); break;
	case MGR_LOG_COL_SOURCE: mib_set_str(v, r->source); break;
	case MGR_LOG_COL_ORIGIN: mib_set_int(v, r->origin); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoMgrLogTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = MGR_LOG_COL_TIME,
	.max_col = MGR_LOG_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoMgrLogTable(void)
{
	return mib_table_register(&table);
}
