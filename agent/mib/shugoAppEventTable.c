/* shugoAppEventTable: the latest raise or clear of each event applications
 * sent the agent. Read-only: rows come from the event socket. */
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "register.h"

static const oid entry_oid[] = {OID_APPEV_ENTRY};

static size_t key(size_t i, const void *ctx, oid *out)
{
	return mib_idx_name(((const struct agent *)ctx)->appevs[i].name, out);
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	size_t i = mib_bsearch(a->n_appevs, idx, idx_len, next, key, a);

	if (i >= a->n_appevs)
		return NULL;
	*out_len = key(i, a, out);
	return &a->appevs[i];
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct appev_rt *r = row;

	switch (col) {
	case APPEV_COL_SEVERITY: mib_set_int(v, r->sev); break;
	case APPEV_COL_STATE: mib_set_str(v, r->state); break;
	case APPEV_COL_DETAIL: mib_set_str(v, r->detail); break;
	case APPEV_COL_TIME: mib_set_date(v, r->time); break;
	case APPEV_COL_COUNT: mib_set_uns(v, ASN_COUNTER, r->count); break;
	case APPEV_COL_SOURCE: mib_set_str(v, r->source); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoAppEventTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = APPEV_COL_SEVERITY,
	.max_col = APPEV_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoAppEventTable(void)
{
	return mib_table_register(&table);
}
