/* shugoProcInstTable: every running instance of every process definition,
 * indexed by (shugoProcName, pid). Served by binary search over the sorted
 * instance lists, so a walk of thousands of instances stays linear. */
#include <string.h>
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "register.h"

static const oid entry_oid[] = {OID_PROCINST_ENTRY};

/* First instance position with pid > after (or >= when inclusive). */
static size_t pid_search(const struct proc_rt *p, oid pid, bool inclusive)
{
	size_t lo = 0, hi = p->n_inst;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		oid x = (oid)p->inst[mid].pid;
		if (x < pid || (!inclusive && x == pid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void *hit(struct proc_rt *p, size_t k, oid *out, size_t *out_len)
{
	size_t n = mib_idx_name(p->name, out);

	out[n] = (oid)p->inst[k].pid;
	*out_len = n + 1;
	return &p->inst[k];
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	oid key[MIB_IDX_MAX];

	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_rt *p = &a->procs[i];
		size_t kl = mib_idx_name(p->name, key);
		int c = next && idx_len == 0 ? 1 : snmp_oid_compare(key, kl, idx, idx_len < kl ? idx_len : kl);
		if (c < 0)
			continue;
		if (c > 0) { /* every instance of p sorts after idx */
			if (!next)
				return NULL;
			if (p->n_inst)
				return hit(p, 0, out, out_len);
			continue;
		}
		/* idx starts with p's name */
		if (idx_len == kl) {
			if (!next)
				return NULL;
			if (p->n_inst)
				return hit(p, 0, out, out_len);
			continue;
		}
		oid pid = idx[kl];
		if (!next) {
			size_t k = pid_search(p, pid, true);
			if (idx_len == kl + 1 && k < p->n_inst && (oid)p->inst[k].pid == pid)
				return hit(p, k, out, out_len);
			return NULL;
		}
		/* next: (name, pid) > (name, pid.rest...) needs pid > requested pid */
		size_t k = pid_search(p, pid, false);
		if (k < p->n_inst)
			return hit(p, k, out, out_len);
	}
	return NULL;
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct proc_inst *in = row;
	long st;

	switch (col) {
	case INST_COL_STATE:
		switch (in->st) {
		case 'R': st = 1; break;
		case 'S': case 'I': st = 2; break;
		case 'D': st = 3; break;
		case 'T': case 't': st = 4; break;
		case 'Z': st = 5; break;
		default: st = 6; break;
		}
		mib_set_int(v, st);
		break;
	case INST_COL_START_TIME: mib_set_date(v, in->start_time); break;
	case INST_COL_CPU: mib_set_uns(v, ASN_GAUGE, in->cpu); break;
	case INST_COL_RSS: mib_set_uns(v, ASN_GAUGE, in->rss_kb); break;
	case INST_COL_CMDLINE: mib_set_str(v, in->cmdline); break;
	case INST_COL_PPID: mib_set_uns(v, ASN_UNSIGNED, (unsigned long)in->ppid); break;
	case INST_COL_RESTARTS: mib_set_uns(v, ASN_COUNTER, in->restarts); break;
	default: return false;
	}
	return true;
}

static struct mib_table table = {
	.name = "shugoProcInstTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = INST_COL_STATE,
	.max_col = INST_COL_LAST,
	.find = find,
	.get = get,
};

int mib_register_shugoProcInstTable(void)
{
	return mib_table_register(&table);
}
