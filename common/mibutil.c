/* Generic table handler over the local data (see mibutil.h). */
#include <string.h>
#include "mibutil.h"
#include "strutil.h"

size_t mib_idx_name(const char *name, oid *out)
{
	size_t n = strlen(name);

	if (n > MIB_IDX_MAX - 2)
		n = MIB_IDX_MAX - 2;
	out[0] = n;
	for (size_t i = 0; i < n; i++)
		out[i + 1] = (unsigned char)name[i];
	return n + 1;
}

int mib_idx_cmp(const oid *a, size_t alen, const oid *b, size_t blen)
{
	return snmp_oid_compare(a, alen, b, blen);
}

size_t mib_bsearch(size_t n, const oid *idx, size_t idx_len, bool next,
		   size_t (*key)(size_t i, const void *ctx, oid *out), const void *ctx)
{
	size_t lo = 0, hi = n;
	oid k[MIB_IDX_MAX];

	if (next && idx_len == 0)
		return 0;
	/* first row whose index is >= idx (exact) or > idx (next) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t kl = key(mid, ctx, k);
		int c = mib_idx_cmp(k, kl, idx, idx_len);
		if (c < 0 || (next && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!next && lo < n) {
		size_t kl = key(lo, ctx, k);
		if (mib_idx_cmp(k, kl, idx, idx_len) != 0)
			return n;
	}
	return lo;
}

void *mib_scalar_find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len)
{
	static int singleton;

	if (next ? idx_len != 0 : (idx_len != 1 || idx[0] != 0))
		return NULL;
	out[0] = 0;
	*out_len = 1;
	return &singleton;
}

void mib_set_int(netsnmp_variable_list *v, long x)
{
	snmp_set_var_typed_value(v, ASN_INTEGER, &x, sizeof x);
}

void mib_set_uns(netsnmp_variable_list *v, u_char type, unsigned long x)
{
	snmp_set_var_typed_value(v, type, &x, sizeof x);
}

void mib_set_c64(netsnmp_variable_list *v, uint64_t x)
{
	struct counter64 c = {.high = (u_long)(x >> 32), .low = (u_long)(x & 0xffffffffu)};

	snmp_set_var_typed_value(v, ASN_COUNTER64, &c, sizeof c);
}

void mib_set_str(netsnmp_variable_list *v, const char *s)
{
	snmp_set_var_typed_value(v, ASN_OCTET_STR, s ? s : "", s ? strlen(s) : 0);
}

void mib_set_date(netsnmp_variable_list *v, int64_t t)
{
	unsigned char buf[11];
	size_t n = str_dateandtime(buf, t);

	snmp_set_var_typed_value(v, ASN_OCTET_STR, buf, n);
}

void mib_set_oid(netsnmp_variable_list *v, const oid *o, size_t len)
{
	snmp_set_var_typed_value(v, ASN_OBJECT_ID, o, len * sizeof(oid));
}

int mib_check_int(const netsnmp_variable_list *v, long lo, long hi)
{
	if (v->type != ASN_INTEGER)
		return SNMP_ERR_WRONGTYPE;
	if (v->val_len != sizeof(long))
		return SNMP_ERR_WRONGLENGTH;
	if (*v->val.integer < lo || *v->val.integer > hi)
		return SNMP_ERR_WRONGVALUE;
	return SNMP_ERR_NOERROR;
}

int mib_check_uns(const netsnmp_variable_list *v, unsigned long lo, unsigned long hi)
{
	if (v->type != ASN_UNSIGNED && v->type != ASN_GAUGE)
		return SNMP_ERR_WRONGTYPE;
	if (v->val_len != sizeof(long))
		return SNMP_ERR_WRONGLENGTH;
	unsigned long x = (unsigned long)*v->val.integer;
	if (x < lo || x > hi)
		return SNMP_ERR_WRONGVALUE;
	return SNMP_ERR_NOERROR;
}

/* Split a requested OID into column and index relative to the entry. */
static void locate(const struct mib_table *t, const oid *name, size_t len, unsigned *col, const oid **idx,
		   size_t *idx_len)
{
	int c = snmp_oid_compare(name, len < t->entry_len ? len : t->entry_len, t->entry, t->entry_len);

	*idx = NULL;
	*idx_len = 0;
	if (c < 0 || len <= t->entry_len) {
		*col = c > 0 ? t->max_col + 1 : 0;
		return;
	}
	if (c > 0) {
		*col = t->max_col + 1;
		return;
	}
	*col = name[t->entry_len] > t->max_col ? t->max_col + 1 : (unsigned)name[t->entry_len];
	*idx = name + t->entry_len + 1;
	*idx_len = len - t->entry_len - 1;
}

static bool answer_next(const struct mib_table *t, netsnmp_variable_list *var)
{
	unsigned col;
	const oid *idx;
	size_t idx_len;
	oid out[MAX_OID_LEN], ridx[MIB_IDX_MAX];
	size_t rlen;

	locate(t, var->name, var->name_length, &col, &idx, &idx_len);
	if (col < t->min_col) {
		col = t->min_col;
		idx_len = 0;
	}
	/* Copy: var->name is rewritten below. */
	oid req[MAX_OID_LEN];
	if (idx_len > MAX_OID_LEN)
		idx_len = MAX_OID_LEN;
	if (idx_len)
		memcpy(req, idx, idx_len * sizeof(oid));
	for (; col <= t->max_col; col++, idx_len = 0) {
		void *row = t->find(req, idx_len, true, ridx, &rlen);
		while (row) {
			if (t->get(row, col, var)) {
				memcpy(out, t->entry, t->entry_len * sizeof(oid));
				out[t->entry_len] = col;
				memcpy(out + t->entry_len + 1, ridx, rlen * sizeof(oid));
				snmp_set_var_objid(var, out, t->entry_len + 1 + rlen);
				return true;
			}
			/* no value in this column for this row: try the next row */
			memcpy(req, ridx, rlen * sizeof(oid));
			idx_len = rlen;
			row = t->find(req, idx_len, true, ridx, &rlen);
		}
	}
	return false;
}

static void *row_of(const struct mib_table *t, const netsnmp_variable_list *var, unsigned *col)
{
	const oid *idx;
	size_t idx_len;
	oid ridx[MIB_IDX_MAX];
	size_t rlen;

	locate(t, var->name, var->name_length, col, &idx, &idx_len);
	if (*col < t->min_col || *col > t->max_col || idx_len == 0 || idx_len > MIB_IDX_MAX)
		return NULL;
	return t->find(idx, idx_len, false, ridx, &rlen);
}

/* The values of the SET being checked. net-snmp calls a handler once per
 * registered subtree, and each column of a table is its own subtree, so a
 * PDU that sets two columns of one row reaches us in two calls; RESERVE1 of
 * every subtree runs before any RESERVE2, so RESERVE2 sees them all here. */
#define PENDING_MAX 64
static struct {
	const struct mib_table *table;
	void *row;        /* NULL: a row this PDU creates, known by idx */
	unsigned col;
	netsnmp_variable_list *var; /* for a new row: a copy, kept until the row is made */
	oid idx[MIB_IDX_MAX];
	size_t idx_len;
	bool created;     /* the row was made in COMMIT: its other values are in */
} pending[PENDING_MAX];
static size_t n_pending;
static netsnmp_agent_session *pending_asp;
static long pending_transid;

static void pending_clear(void)
{
	for (size_t i = 0; i < n_pending; i++)
		if (!pending[i].row)
			snmp_free_var(pending[i].var);
	n_pending = 0;
}

static void pending_begin(netsnmp_agent_request_info *ri)
{
	long transid = ri->asp && ri->asp->pdu ? ri->asp->pdu->transid : 0;

	if (ri->asp != pending_asp || transid != pending_transid) {
		pending_clear();
		pending_asp = ri->asp;
		pending_transid = transid;
	}
}

static int pending_add(const struct mib_table *t, void *row, unsigned col, netsnmp_variable_list *var,
		       const oid *idx, size_t idx_len)
{
	if (n_pending == PENDING_MAX)
		return SNMP_ERR_TOOBIG;
	pending[n_pending] = (typeof(pending[0])){t, row, col, var, {0}, 0, false};
	if (!row) {
		/* the later phases may come in other PDUs (AgentX): keep the value */
		if (!(pending[n_pending].var = snmp_clone_varbind(var)))
			return SNMP_ERR_RESOURCEUNAVAILABLE;
		memcpy(pending[n_pending].idx, idx, idx_len * sizeof(oid));
		pending[n_pending].idx_len = idx_len;
	}
	n_pending++;
	return SNMP_ERR_NOERROR;
}

static bool same_idx(size_t k, const oid *idx, size_t idx_len)
{
	return pending[k].idx_len == idx_len && !memcmp(pending[k].idx, idx, idx_len * sizeof(oid));
}

/* The values this PDU sets in the new row at idx. */
static size_t new_row_values(const struct mib_table *t, const oid *idx, size_t idx_len, unsigned *cols,
			     netsnmp_variable_list **vars)
{
	size_t n = 0;

	for (size_t k = 0; k < n_pending; k++)
		if (pending[k].table == t && !pending[k].row && same_idx(k, idx, idx_len)) {
			cols[n] = pending[k].col;
			vars[n++] = pending[k].var;
		}
	return n;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg, netsnmp_agent_request_info *ri,
		   netsnmp_request_info *requests)
{
	const struct mib_table *t = h->myvoid;
	netsnmp_request_info *r;
	unsigned col;
	void *row;

	(void)reg;
	switch (ri->mode) {
	case MODE_GET:
		for (r = requests; r; r = r->next) {
			if (r->processed)
				continue;
			row = row_of(t, r->requestvb, &col);
			if (col < t->min_col || col > t->max_col)
				netsnmp_set_request_error(ri, r, SNMP_NOSUCHOBJECT);
			else if (!row || !t->get(row, col, r->requestvb))
				netsnmp_set_request_error(ri, r, SNMP_NOSUCHINSTANCE);
		}
		break;
	case MODE_GETNEXT:
		for (r = requests; r; r = r->next) {
			if (r->processed)
				continue;
			/* Past our last row the varbind is left unanswered: the agent
			 * then asks the next registration (an endOfMibView here would
			 * end a GETBULK in master mode). */
			answer_next(t, r->requestvb);
		}
		break;
#ifndef NETSNMP_NO_WRITE_SUPPORT
	case MODE_SET_RESERVE1:
		pending_begin(ri);
		for (r = requests; r; r = r->next) {
			const oid *idx;
			size_t idx_len;
			int err;
			row = row_of(t, r->requestvb, &col);
			locate(t, r->requestvb->name, r->requestvb->name_length, &col, &idx, &idx_len);
			if (col < t->min_col || col > t->max_col)
				err = SNMP_ERR_NOTWRITABLE;
			else if (!row && (!t->create || idx_len == 0 || idx_len > MIB_IDX_MAX))
				err = SNMP_ERR_NOCREATION;
			else if (!t->check)
				err = SNMP_ERR_NOTWRITABLE;
			else
				err = t->check(row, col, r->requestvb);
			if (err == SNMP_ERR_NOERROR)
				err = pending_add(t, row, col, r->requestvb, idx, idx_len);
			if (err != SNMP_ERR_NOERROR) {
				netsnmp_set_request_error(ri, r, err);
				return SNMP_ERR_NOERROR;
			}
		}
		break;
	case MODE_SET_RESERVE2:
		for (r = requests; r; r = r->next) {
			unsigned cols[PENDING_MAX];
			netsnmp_variable_list *vars[PENDING_MAX];
			void *mine = row_of(t, r->requestvb, &col);
			size_t n = 0;
			if (!mine && t->create_check) {
				const oid *idx;
				size_t idx_len;
				locate(t, r->requestvb->name, r->requestvb->name_length, &col, &idx, &idx_len);
				n = new_row_values(t, idx, idx_len, cols, vars);
				int err = t->create_check(idx, idx_len, cols, vars, n);
				if (err != SNMP_ERR_NOERROR) {
					netsnmp_set_request_error(ri, r, err);
					return SNMP_ERR_NOERROR;
				}
				continue;
			}
			if (!mine || !t->check_row)
				continue;
			/* every value this PDU sets in the row, whichever subtree carried it */
			for (size_t k = 0; k < n_pending; k++) {
				if (pending[k].table == t && pending[k].row == mine) {
					cols[n] = pending[k].col;
					vars[n++] = pending[k].var;
				}
			}
			int err = t->check_row(mine, cols, vars, n);
			if (err != SNMP_ERR_NOERROR) {
				netsnmp_set_request_error(ri, r, err);
				return SNMP_ERR_NOERROR;
			}
		}
		break;
	case MODE_SET_ACTION:
	case MODE_SET_UNDO:
	case MODE_SET_FREE:
		break;
	case MODE_SET_COMMIT:
		for (r = requests; r; r = r->next) {
			const oid *idx;
			size_t idx_len;
			bool made = false;
			row = row_of(t, r->requestvb, &col);
			locate(t, r->requestvb->name, r->requestvb->name_length, &col, &idx, &idx_len);
			/* a row this PDU creates: made once, from all of its values;
			 * the other columns' subtrees then find it made */
			for (size_t k = 0; t->create && k < n_pending; k++) {
				if (pending[k].table != t || pending[k].row || !same_idx(k, idx, idx_len))
					continue;
				if (!pending[k].created && !row && !made) {
					unsigned cols[PENDING_MAX];
					netsnmp_variable_list *vars[PENDING_MAX];
					size_t n = new_row_values(t, idx, idx_len, cols, vars);
					t->create(idx, idx_len, cols, vars, n);
				}
				pending[k].created = true;
				made = true;
			}
			if (!made && row && t->apply)
				t->apply(row, col, r->requestvb);
		}
		break;
#endif
	default:
		break;
	}
	return SNMP_ERR_NOERROR;
}

int mib_table_register(struct mib_table *t)
{
	netsnmp_mib_handler *h = netsnmp_create_handler(t->name, handler);
	netsnmp_handler_registration *reg;

	if (!h)
		return -1;
	h->myvoid = t;
	/* Register the columns min_col..max_col as one range, so a scalar group and
	 * a table can share a parent (shugoNotifLog) without overlapping. */
	oid root[MAX_OID_LEN];
	memcpy(root, t->entry, t->entry_len * sizeof(oid));
	root[t->entry_len] = t->min_col;
	reg = netsnmp_handler_registration_create(t->name, h, root, t->entry_len + 1,
						  t->check ? HANDLER_CAN_RWRITE : HANDLER_CAN_RONLY);
	if (!reg)
		return -1;
	if (t->max_col > t->min_col) {
		reg->range_subid = (int)t->entry_len + 1;
		reg->range_ubound = t->max_col;
	}
	return netsnmp_register_handler(reg) == MIB_REGISTERED_OK ? 0 : -1;
}

bool mib_parse_oid(const char *s, oid *out, size_t *len)
{
	size_t n = 0;

	if (*s == '.')
		s++;
	while (*s) {
		char *end;
		if (*s < '0' || *s > '9' || n == MAX_OID_LEN)
			return false;
		unsigned long long x = strtoull(s, &end, 10);
		if (x > 0xffffffffULL)
			return false;
		out[n++] = (oid)x;
		s = end;
		if (*s == '.')
			s++;
		else if (*s)
			return false;
	}
	*len = n;
	return n >= 2;
}
