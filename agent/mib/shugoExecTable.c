/* shugoExecTable and shugoExecRetention: remote execution requests as rows
 * that a requester creates by SET (RowStatus createAndGo, or createAndWait
 * then active) and reads the outcome from. Checked in RESERVE (each value,
 * then the row's values together), made or changed in COMMIT; the start
 * itself happens there, without blocking (fork and exec). */
#include <string.h>
#include "agent.h"
#include "exec.h"
#include "mibutil.h"
#include "register.h"
#include "remote.h"
#include "shugo_oids.h"


static const oid entry_oid[] = {OID_EXEC_ENTRY};
static const oid group_oid[] = {OID_EXEC};

static size_t key(size_t i, const void *ctx, oid *out)
{
	return mib_idx_name(((const struct agent *)ctx)->execs[i].id, out);
}

static void *find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	struct agent *a = agent_get();
	size_t i = mib_bsearch(a->n_execs, idx, idx_len, next, key, a);

	if (i >= a->n_execs)
		return NULL;
	*out_len = key(i, a, out);
	return &a->execs[i];
}

static bool get(void *row, unsigned col, netsnmp_variable_list *v)
{
	const struct exec_rt *e = row;

	switch (col) {
	case EXEC_COL_PROGRAM: mib_set_str(v, e->program); break;
	case EXEC_COL_ARGS: mib_set_str(v, e->args ? e->args : ""); break;
	case EXEC_COL_ENV: mib_set_str(v, e->env ? e->env : ""); break;
	case EXEC_COL_WAIT: mib_set_int(v, e->wait); break;
	case EXEC_COL_REQUESTER: mib_set_str(v, e->requester); break;
	case EXEC_COL_PID: mib_set_uns(v, ASN_UNSIGNED, e->state == EXS_START_FAILED ? 0 : (unsigned long)e->pid); break;
	case EXEC_COL_STATE: mib_set_int(v, e->state); break;
	case EXEC_COL_START_TIME: mib_set_date(v, e->start_time); break;
	case EXEC_COL_END_TIME: mib_set_date(v, e->end_time); break;
	case EXEC_COL_EXIT_CODE: mib_set_int(v, e->exit_code); break;
	case EXEC_COL_EXIT_SIGNAL: mib_set_int(v, e->exit_signal); break;
	case EXEC_COL_END: mib_set_int(v, e->end); break;
	case EXEC_COL_SIGNAL: mib_set_int(v, e->last_signal); break;
	case EXEC_COL_REFUSAL: mib_set_int(v, e->refusal); break;
	case EXEC_COL_REASON: mib_set_str(v, e->reason); break;
	case EXEC_COL_ROW_STATUS: mib_set_int(v, e->row_status); break;
	default: return false;
	}
	return true;
}

static int check_str(const netsnmp_variable_list *v, size_t lo, size_t hi)
{
	if (v->type != ASN_OCTET_STR)
		return SNMP_ERR_WRONGTYPE;
	if (v->val_len < lo || v->val_len > hi || memchr(v->val.string, '\0', v->val_len))
		return SNMP_ERR_WRONGLENGTH;
	return SNMP_ERR_NOERROR;
}

/* One value; row NULL = a row this PDU would create. */
static int check(void *row, unsigned col, const netsnmp_variable_list *v)
{
	const struct exec_rt *e = row;
	bool settled = e && e->row_status == RS_ACTIVE;
	int err;

	switch (col) {
	case EXEC_COL_PROGRAM:
		err = check_str(v, 1, 64);
		break;
	case EXEC_COL_ARGS:
	case EXEC_COL_ENV:
		err = check_str(v, 0, 4096);
		break;
	case EXEC_COL_WAIT:
		err = mib_check_int(v, EXW_NOWAIT, EXW_WAIT);
		break;
	case EXEC_COL_REQUESTER:
		err = check_str(v, 0, 64);
		break;
	case EXEC_COL_SIGNAL:
		if ((err = mib_check_int(v, 0, 64)) != SNMP_ERR_NOERROR)
			return err;
		return e && e->state == EXS_RUNNING ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
	case EXEC_COL_ROW_STATUS:
		if ((err = mib_check_int(v, RS_ACTIVE, RS_DESTROY)) != SNMP_ERR_NOERROR)
			return err;
		switch (*v->val.integer) {
		case RS_CREATEANDGO:
		case RS_CREATEANDWAIT:
			return e ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOERROR;
		case RS_ACTIVE:
			return e ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
		case RS_DESTROY:
			/* a row may go once its program is no longer running */
			return e && e->state == EXS_RUNNING ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOERROR;
		default: /* notInService, notReady */
			return SNMP_ERR_WRONGVALUE;
		}
	default:
		return SNMP_ERR_NOTWRITABLE;
	}
	if (err != SNMP_ERR_NOERROR)
		return err;
	/* a submitted request is what it was */
	return settled ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOERROR;
}

static const netsnmp_variable_list *value_of(unsigned col, const unsigned *cols, netsnmp_variable_list *const *vars,
					     size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (cols[i] == col)
			return vars[i];
	return NULL;
}

/* The values of an existing row together: active needs a program. */
static int check_row(void *row, const unsigned *cols, netsnmp_variable_list *const *vars, size_t n)
{
	const struct exec_rt *e = row;
	const netsnmp_variable_list *rs = value_of(EXEC_COL_ROW_STATUS, cols, vars, n);

	if (rs && *rs->val.integer == RS_ACTIVE && e->row_status != RS_ACTIVE && !e->program[0] &&
	    !value_of(EXEC_COL_PROGRAM, cols, vars, n))
		return SNMP_ERR_INCONSISTENTVALUE;
	return SNMP_ERR_NOERROR;
}

static int create_check(const oid *idx, size_t idx_len, const unsigned *cols, netsnmp_variable_list *const *vars,
			size_t n)
{
	const netsnmp_variable_list *rs = value_of(EXEC_COL_ROW_STATUS, cols, vars, n);

	/* the index is the request id: a ShugoName-like string, 1..64 octets */
	if (idx_len < 2 || idx[0] != idx_len - 1 || idx[0] > 64)
		return SNMP_ERR_NOCREATION;
	for (size_t i = 1; i < idx_len; i++)
		if (idx[i] < 0x20 || idx[i] > 0x7e)
			return SNMP_ERR_NOCREATION;
	/* RFC 2579: a row is created by its RowStatus */
	if (!rs)
		return SNMP_ERR_INCONSISTENTNAME;
	if (*rs->val.integer == RS_CREATEANDGO && !value_of(EXEC_COL_PROGRAM, cols, vars, n))
		return SNMP_ERR_INCONSISTENTVALUE;
	if (agent_get()->n_execs >= 1024)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	return SNMP_ERR_NOERROR;
}

static void copy_str(char *dst, size_t size, const netsnmp_variable_list *v)
{
	size_t n = v->val_len < size ? v->val_len : size - 1;

	memcpy(dst, v->val.string, n);
	dst[n] = '\0';
}

static char *dup_str(const netsnmp_variable_list *v)
{
	char *s = malloc(v->val_len + 1);

	if (s) {
		memcpy(s, v->val.string, v->val_len);
		s[v->val_len] = '\0';
	}
	return s;
}

static void set_value(struct exec_rt *e, unsigned col, const netsnmp_variable_list *v)
{
	struct agent *a = agent_get();

	switch (col) {
	case EXEC_COL_PROGRAM:
		copy_str(e->program, sizeof e->program, v);
		if (e->row_status == RS_NOTREADY)
			e->row_status = RS_NOTINSERVICE;
		break;
	case EXEC_COL_ARGS: free(e->args); e->args = dup_str(v); break;
	case EXEC_COL_ENV: free(e->env); e->env = dup_str(v); break;
	case EXEC_COL_WAIT: e->wait = (int)*v->val.integer; break;
	case EXEC_COL_REQUESTER: copy_str(e->requester, sizeof e->requester, v); break;
	case EXEC_COL_SIGNAL: remote_signal(e, (int)*v->val.integer); break;
	case EXEC_COL_ROW_STATUS:
		if (*v->val.integer == RS_DESTROY)
			remote_delete(a, e);
		else if (*v->val.integer == RS_ACTIVE && e->row_status != RS_ACTIVE)
			remote_submit(a, e);
		break;
	}
}

static void apply(void *row, unsigned col, const netsnmp_variable_list *v)
{
	set_value(row, col, v);
}

static void create(const oid *idx, size_t idx_len, const unsigned *cols, netsnmp_variable_list *const *vars,
		   size_t n)
{
	struct agent *a = agent_get();
	char id[65];
	struct exec_rt *e;
	const netsnmp_variable_list *rs = value_of(EXEC_COL_ROW_STATUS, cols, vars, n);

	for (size_t i = 1; i < idx_len && i <= 64; i++)
		id[i - 1] = (char)idx[i];
	id[idx_len - 1 < 64 ? idx_len - 1 : 64] = '\0';
	if (!(e = remote_add(a, id)))
		return;
	/* the values first, the RowStatus last: createAndGo submits them all */
	for (size_t i = 0; i < n; i++)
		if (cols[i] != EXEC_COL_ROW_STATUS)
			set_value(e, cols[i], vars[i]);
	if (rs && *rs->val.integer == RS_CREATEANDGO && (e = remote_find(a, id)))
		remote_submit(a, e);
}

static struct mib_table table = {
	.name = "shugoExecTable",
	.entry = entry_oid,
	.entry_len = OID_LENGTH(entry_oid),
	.min_col = EXEC_COL_PROGRAM,
	.max_col = EXEC_COL_LAST,
	.find = find,
	.get = get,
	.check = check,
	.check_row = check_row,
	.apply = apply,
	.create_check = create_check,
	.create = create,
};

static bool get_retention(void *row, unsigned col, netsnmp_variable_list *v)
{
	(void)row;
	if (col != EXEC_RETENTION)
		return false;
	mib_set_uns(v, ASN_UNSIGNED, agent_get()->cfg->exec.retention_s);
	return true;
}

static struct mib_table retention = {
	.name = "shugoExecRetention",
	.entry = group_oid,
	.entry_len = OID_LENGTH(group_oid),
	.min_col = EXEC_RETENTION,
	.max_col = EXEC_RETENTION,
	.find = mib_scalar_find,
	.get = get_retention,
};

int mib_register_shugoExecTable(void)
{
	return mib_table_register(&table) == 0 && mib_table_register(&retention) == 0 ? 0 : -1;
}
