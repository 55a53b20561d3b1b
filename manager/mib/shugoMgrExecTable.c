/* shugoMgrExecTable: the remote execution requests the manager placed, one
 * row per (request id, node) tried, from the model's sorted array. */
#include <string.h>
#include "mibutil.h"
#include "register.h"
#include "shugo_mgr_oids.h"
#include "shugo_oids.h"

static const oid entry_oid[] = {OID_MGR_EXEC_ENTRY};

#define EXEC_ID_MAX 64

/* The index of row e: both strings, length first (the model keeps only rows
 * whose index fits); 0 if it cannot be served. */
static size_t row_idx(const struct mgr_exec_row *e, oid *out)
{
	size_t li = strlen(e->run.request), ln = strlen(e->run.node), k = 0;

	if (li < 1 || li > EXEC_ID_MAX || ln < 1 || ln > MGR_INDEX_NODE_MAX)
		return 0;
	out[k++] = li;
	for (size_t i = 0; i < li; i++)
		out[k++] = (unsigned char)e->run.request[i];
	out[k++] = ln;
	for (size_t i = 0; i < ln; i++)
		out[k++] = (unsigned char)e->run.node[i];
	return k;
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	const struct mgr_model *m = mgr_model;
	size_t lo = 0, hi;

	if (!m)
		return NULL;
	/* the first row whose index is >= idx (> idx for next): the rows are
	 * sorted in index order */
	hi = m->n_execs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, n = row_idx(&m->execs[mid], out);
		int c = snmp_oid_compare(out, n, idx, idx_len);
		if (c < 0 || (next && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->n_execs; lo++) {
		size_t n = row_idx(&m->execs[lo], out);
		if (!n)
			continue; /* an index too long for an OID: not served */
		if (!next && snmp_oid_compare(out, n, idx, idx_len) != 0)
			return NULL;
		*out_len = n;
		return &m->execs[lo];
	}
	return NULL;
}

/* The MIB's numbers of the states the store keeps as words; 0 unknown. */
static int word_num(const char *s, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, words[i]))
			return i + 1;
	return 0;
}

static bool get(void *r, unsigned col, netsnmp_variable_list *v)
{
	static const char *const req_states[] = {"queued", "placing", "running", "done", "failed"};
	static const char *const run_states[] = {"skipped", "asking", "refused", "timeout", "failed",
						 "running", "exited", "killed", "lost", "unused"};
	const struct mgr_exec_row *e = r;
	const struct store_exec_run *u = &e->run;
	bool exited = !strcmp(u->state, "exited"), killed = !strcmp(u->state, "killed");

	switch (col) {
	case MGR_EXEC_COL_PROGRAM: mib_set_str(v, e->program); break;
	case MGR_EXEC_COL_PLACEMENT: mib_set_int(v, e->place); break;
	case MGR_EXEC_COL_REQUEST_STATE: mib_set_int(v, word_num(e->req_state, req_states, 5)); break;
	case MGR_EXEC_COL_REQUESTED_BY: mib_set_str(v, e->requested_by); break;
	case MGR_EXEC_COL_ATTEMPT: mib_set_uns(v, ASN_UNSIGNED, (unsigned long)u->attempt); break;
	case MGR_EXEC_COL_STATE: mib_set_int(v, word_num(u->state, run_states, 10)); break;
	case MGR_EXEC_COL_PID: mib_set_uns(v, ASN_UNSIGNED, u->pid); break;
	case MGR_EXEC_COL_EXIT_CODE: mib_set_int(v, exited ? u->exit_code : -1); break;
	case MGR_EXEC_COL_EXIT_SIGNAL: mib_set_int(v, killed ? u->exit_signal : 0); break;
	/* none(1), normal(2), abnormal(3) */
	case MGR_EXEC_COL_END: mib_set_int(v, u->normal == 1 ? 2 : u->normal == 0 ? 3 : 1); break;
	case MGR_EXEC_COL_START_TIME: mgrmib_set_date_ms(v, u->started_ms); break;
	case MGR_EXEC_COL_END_TIME: mgrmib_set_date_ms(v, u->ended_ms); break;
	case MGR_EXEC_COL_DETAIL: mib_set_str(v, u->detail); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoMgrExecTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = MGR_EXEC_COL_PROGRAM,
	.max_col = MGR_EXEC_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoMgrExecTable(void)
{
	return mib_table_register(&table);
}
