/* shugoResTable: CPU, memory, swap, load and filesystems with their state and
 * thresholds; the thresholds are writable (checked together per row). */
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "register.h"
#include "resources.h"

static const oid entry_oid[] = {OID_RES_ENTRY};

static size_t key(size_t i, const void *ctx, oid *out)
{
	return mib_idx_name(((const struct agent *)ctx)->res[i].name, out);
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	size_t i = mib_bsearch(a->n_res, idx, idx_len, next, key, a);

	if (i >= a->n_res)
		return NULL;
	*out_len = key(i, a, out);
	return &a->res[i];
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct res_rt *r = row;

	switch (col) {
	case RES_COL_TYPE: mib_set_int(v, r->type); break;
	case RES_COL_VALUE: mib_set_uns(v, ASN_GAUGE, r->value); break;
	case RES_COL_STATE: mib_set_int(v, r->state); break;
	case RES_COL_WARNING: mib_set_uns(v, ASN_UNSIGNED, r->thr.warning); break;
	case RES_COL_CRITICAL: mib_set_uns(v, ASN_UNSIGNED, r->thr.critical); break;
	case RES_COL_HYSTERESIS: mib_set_uns(v, ASN_UNSIGNED, r->thr.hysteresis); break;
	case RES_COL_LAST_CHANGE: mib_set_date(v, r->last_change); break;
	case RES_COL_DETAIL: mib_set_str(v, r->detail); break;
	default: return false;
	}
	return true;
}

static int check(void *row, unsigned col, const netsnmp_variable_list *v)
{
	(void)row;
	if (col < RES_COL_WARNING || col > RES_COL_HYSTERESIS)
		return SNMP_ERR_NOTWRITABLE;
	return mib_check_uns(v, 0, 0xffffffffUL);
}

/* The thresholds this PDU would leave, checked as a whole: a PDU that sets
 * warning and critical together is judged on both new values. */
static void merged(const struct res_rt *r, const unsigned *cols, netsnmp_variable_list *const *vars, size_t n,
		   struct thr *t)
{
	*t = r->thr;
	for (size_t i = 0; i < n; i++) {
		uint32_t x = (uint32_t)*vars[i]->val.integer;
		if (cols[i] == RES_COL_WARNING)
			t->warning = x;
		else if (cols[i] == RES_COL_CRITICAL)
			t->critical = x;
		else if (cols[i] == RES_COL_HYSTERESIS)
			t->hysteresis = x;
	}
}

static int check_row(void *row, const unsigned *cols, netsnmp_variable_list *const *vars, size_t n)
{
	struct thr t;

	merged(row, cols, vars, n, &t);
	return thr_check(&t) ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOERROR;
}

static void apply(void *row, unsigned col, const netsnmp_variable_list *v)
{
	struct res_rt *r = row;
	uint32_t x = (uint32_t)*v->val.integer;

	if (col == RES_COL_WARNING)
		r->thr.warning = x;
	else if (col == RES_COL_CRITICAL)
		r->thr.critical = x;
	else if (col == RES_COL_HYSTERESIS)
		r->thr.hysteresis = x;
	res_rejudge(agent_get(), r);
}

static struct mib_table table = {
	.name = "shugoResTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = RES_COL_TYPE,
	.max_col = RES_COL_LAST,
	.find = find,
	.get = get,
	.check = check,
	.check_row = check_row,
	.apply = apply,
};

int mib_register_shugoResTable(void)
{
	return mib_table_register(&table);
}
