/* shugoProcTable: one row per configured process definition, and the SETs on
 * it (desired state, signal). */
#include <string.h>
#include "agent.h"
#include "mibutil.h"
#include "shugo_oids.h"
#include "procs.h"
#include "register.h"
#include "strutil.h"

static const oid entry_oid[] = {OID_PROC_ENTRY};

static size_t key(size_t i, const void *ctx, oid *out)
{
	const struct agent *a = ctx;

	return mib_idx_name(a->procs[i].name, out);
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	size_t i = mib_bsearch(a->n_procs, idx, idx_len, next, key, a);

	if (i >= a->n_procs)
		return NULL;
	*out_len = key(i, a, out);
	return &a->procs[i];
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	struct proc_rt *p = row;
	const struct cfg_proc *c = p->cfg;
	char buf[4097];

	switch (col) {
	case PROC_COL_KIND: mib_set_int(v, c->kind); break;
	case PROC_COL_COMMAND:
		if (c->kind == PK_SUPERVISED)
			str_join(buf, sizeof buf, c->argv);
		else
			snprintf(buf, sizeof buf, "%s %s",
				 c->match_kind == MATCH_PIDFILE ? "pidfile" : c->match_kind == MATCH_EXE ? "exe" : "cmdline",
				 c->match);
		mib_set_str(v, buf);
		break;
	case PROC_COL_RESTART_POLICY: mib_set_int(v, c->kind == PK_SUPERVISED ? (long)c->policy.restart : 4); break;
	case PROC_COL_MIN: mib_set_uns(v, ASN_UNSIGNED, c->min_count); break;
	case PROC_COL_MAX: mib_set_uns(v, ASN_UNSIGNED, c->max_count); break;
	case PROC_COL_INSTANCES: mib_set_uns(v, ASN_GAUGE, p->n_inst); break;
	case PROC_COL_STATE: mib_set_int(v, p->state ? p->state : PROC_STOPPED); break;
	case PROC_COL_DESIRED: mib_set_int(v, procs_desired(p)); break;
	case PROC_COL_SIGNAL: mib_set_int(v, p->last_signal); break;
	case PROC_COL_RESTARTS: mib_set_uns(v, ASN_COUNTER, p->restarts); break;
	case PROC_COL_LAST_EXIT_CODE: mib_set_int(v, p->last_exit_code); break;
	case PROC_COL_LAST_EXIT_SIGNAL: mib_set_int(v, p->last_exit_signal); break;
	case PROC_COL_LAST_EXIT_TIME: mib_set_date(v, p->last_exit_time); break;
	case PROC_COL_LAST_END: mib_set_int(v, p->last_end ? p->last_end : END_NONE); break;
	/* damping applies to restarts, which only supervised processes have */
	case PROC_COL_DAMP_RESTARTS:
		mib_set_uns(v, ASN_UNSIGNED, c->kind == PK_SUPERVISED ? c->policy.damp_restarts : 0);
		break;
	case PROC_COL_DAMP_WINDOW:
		mib_set_uns(v, ASN_UNSIGNED, c->kind == PK_SUPERVISED ? c->policy.damp_window_ms / 1000 : 0);
		break;
	case PROC_COL_LAST_CHANGE: mib_set_date(v, p->last_change); break;
	default: return false;
	}
	return true;
}

static int check(void *row, unsigned col, const netsnmp_variable_list *v)
{
	struct proc_rt *p = row;
	int err;

	switch (col) {
	case PROC_COL_DESIRED:
		if ((err = mib_check_int(v, 1, 3)) != SNMP_ERR_NOERROR)
			return err;
		return mib_set_error(procs_check_desired(p, *v->val.integer));
	case PROC_COL_SIGNAL:
		if ((err = mib_check_int(v, 0, 64)) != SNMP_ERR_NOERROR)
			return err;
		return mib_set_error(procs_check_signal(p, *v->val.integer));
	default:
		return SNMP_ERR_NOTWRITABLE;
	}
}

static void apply(void *row, unsigned col, const netsnmp_variable_list *v)
{
	if (col == PROC_COL_DESIRED)
		procs_apply_desired(agent_get(), row, *v->val.integer);
	else if (col == PROC_COL_SIGNAL)
		procs_apply_signal(row, *v->val.integer);
}

static struct mib_table table = {
	.name = "shugoProcTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = PROC_COL_KIND,
	.max_col = PROC_COL_LAST,
	.find = find,
	.get = get,
	.check = check,
	.apply = apply,
};

int mib_register_shugoProcTable(void)
{
	return mib_table_register(&table);
}
