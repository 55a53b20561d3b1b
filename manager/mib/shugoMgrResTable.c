/* shugoMgrResTable: every node's resources and network interfaces as last
 * polled, by (node, resource name); a node that stopped answering keeps them,
 * stale. */
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"

static const oid entry_oid[] = {OID_MGR_RES_ENTRY};

static size_t count(const struct mgr_node *n) { return n->n_res; }
static void *row(struct mgr_node *n, size_t i) { return &n->res[i]; }

static size_t key(const struct mgr_node *n, size_t i, oid *out)
{
	return mib_idx_name(n->res[i].name, out);
}

static const struct mgrmib_sub sub = {.count = count, .key = key, .row = row};

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	return mgrmib_sub_find(&sub, idx, idx_len, next, out, out_len);
}

static bool get(void *r, unsigned col, netsnmp_variable_list *v)
{
	const struct store_res *res = r;

	switch (col) {
	case MGR_RES_COL_TYPE: mib_set_int(v, res->type); break;
	case MGR_RES_COL_VALUE: mib_set_uns(v, ASN_GAUGE, res->value); break;
	case MGR_RES_COL_STATE: mib_set_int(v, res->state); break;
	case MGR_RES_COL_DETAIL: mib_set_str(v, res->detail); break;
	case MGR_RES_COL_UPDATED: mgrmib_set_date_ms(v, res->updated_ms); break;
	case MGR_RES_COL_STALE: mgrmib_set_bool(v, res->stale); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoMgrResTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = MGR_RES_COL_TYPE,
	.max_col = MGR_RES_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoMgrResTable(void)
{
	return mib_table_register(&table);
}
