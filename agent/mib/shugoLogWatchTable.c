/* shugoLogWatchTable: each configured log watch, where reading stands and
 * what it has matched. Read-only: watches come from the configuration. */
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "register.h"

static const oid entry_oid[] = {OID_LOGWATCH_ENTRY};

static size_t key(size_t i, const void *ctx, oid *out)
{
	return mib_idx_name(((const struct agent *)ctx)->logs[i].name, out);
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	size_t i = mib_bsearch(a->n_logs, idx, idx_len, next, key, a);

	if (i >= a->n_logs)
		return NULL;
	*out_len = key(i, a, out);
	return &a->logs[i];
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct log_rt *l = row;

	switch (col) {
	case LOGW_COL_PATH: mib_set_str(v, l->cfg->path); break;
	case LOGW_COL_PATTERN: mib_set_str(v, l->cfg->pattern); break;
	case LOGW_COL_SEVERITY: mib_set_int(v, l->cfg->sev); break;
	case LOGW_COL_OFFSET: mib_set_c64(v, l->pos.offset); break;
	case LOGW_COL_MATCHES: mib_set_uns(v, ASN_COUNTER, l->matches); break;
	case LOGW_COL_SUPPRESSED: mib_set_uns(v, ASN_COUNTER, l->suppressed); break;
	case LOGW_COL_LAST_MATCH: mib_set_date(v, l->last_match); break;
	case LOGW_COL_STATE: mib_set_int(v, l->state); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoLogWatchTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = LOGW_COL_PATH,
	.max_col = LOGW_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoLogWatchTable(void)
{
	return mib_table_register(&table);
}
