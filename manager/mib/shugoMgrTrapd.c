/* shugoMgrTrapd: shugo-trapd's counters as it last wrote them to the store,
 * which the manager reads into its model (no request touches the store). */
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"

static const oid group_oid[] = {OID_MGR_TRAPD};

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct mgr_model *m = mgr_model;
	const struct mgr_trapd_stats *t;

	(void)row;
	if (!m)
		return false;
	t = &m->trapd;
	switch (col) {
	case MGR_TRAPD_RECEIVED: mib_set_c64(v, t->received); break;
	case MGR_TRAPD_STORED: mib_set_c64(v, t->stored); break;
	case MGR_TRAPD_DUPLICATES: mib_set_c64(v, t->duplicates); break;
	case MGR_TRAPD_MALFORMED: mib_set_c64(v, t->malformed); break;
	case MGR_TRAPD_RATE_LIMITED: mib_set_c64(v, t->rate_limited); break;
	case MGR_TRAPD_KERNEL_DROPS: mib_set_c64(v, t->kernel_drops); break;
	case MGR_TRAPD_INFORMS_ACKED: mib_set_c64(v, t->informs_acked); break;
	case MGR_TRAPD_AUTH_FAILURES: mib_set_c64(v, t->auth_failures); break;
	case MGR_TRAPD_UPDATED: mgrmib_set_date_ms(v, t->updated_ms); break;
	default: return false;
	}
	return true;
}

static struct mib_table scalars = {
	.name = "shugoMgrTrapd",
	.entry = group_oid,
	.entry_len = OID_LENGTH(group_oid),
	.min_col = MGR_TRAPD_RECEIVED,
	.max_col = MGR_TRAPD_LAST,
	.find = mib_scalar_find,
	.get = get,
};

int mib_register_shugoMgrTrapd(void)
{
	return mib_table_register(&scalars);
}
