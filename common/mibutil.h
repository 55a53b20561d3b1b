/* Serving a table from the local data: GET/GETNEXT by looking rows up by index,
 * SETs checked in RESERVE1 (each value) and RESERVE2 (a row's values together)
 * and applied in COMMIT, so nothing needs undoing. Rows are looked up again in
 * every phase: the AgentX phases arrive as separate PDUs and the local data may
 * have moved in between. */
#ifndef SHUGO_MIBUTIL_H
#define SHUGO_MIBUTIL_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdbool.h>
#include <stdint.h>

#define MIB_IDX_MAX 117 /* a (node name, name) index: (1 + 50) + (1 + 64) */

struct mib_table {
	const char *name;
	const oid *entry;
	size_t entry_len;
	unsigned min_col, max_col;
	/* The row at idx (next=false), or the first row after idx (next=true; idx_len
	 * 0 = before every row). Writes the row's index to out/out_len. */
	void *(*find)(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len);
	/* Value of column col of row; false if the column has none for this row. */
	bool (*get)(void *row, unsigned col, netsnmp_variable_list *var);
	/* Optional, for writable tables: SNMP_ERR_* for one value (RESERVE1)... */
	int (*check)(void *row, unsigned col, const netsnmp_variable_list *var);
	/* ... for the PDU's values of one row together (RESERVE2) ... */
	int (*check_row)(void *row, const unsigned *cols, netsnmp_variable_list *const *vars, size_t n);
	/* ... and applying one value (COMMIT; cannot fail). */
	void (*apply)(void *row, unsigned col, const netsnmp_variable_list *var);
	/* Optional, for tables whose rows a SET creates (RowStatus): check
	 * (RESERVE2) and create (COMMIT) a row at idx from all the values the
	 * PDU sets in it. check() is asked about each value with row NULL. */
	int (*create_check)(const oid *idx, size_t idx_len, const unsigned *cols, netsnmp_variable_list *const *vars,
			    size_t n);
	void (*create)(const oid *idx, size_t idx_len, const unsigned *cols, netsnmp_variable_list *const *vars,
		       size_t n);
};

int mib_table_register(struct mib_table *t);

/* find() for scalars: a group of scalars is served as a table whose columns are
 * the scalars and whose one row has the index 0. */
void *mib_scalar_find(const oid *idx, size_t idx_len, bool next, oid *out, size_t *out_len);

/* Index helpers. A name index (SnmpAdminString, not IMPLIED) is its length
 * followed by its octets. */
size_t mib_idx_name(const char *name, oid *out);
/* Compare the index of a row (already encoded) with a requested one. */
int mib_idx_cmp(const oid *a, size_t alen, const oid *b, size_t blen);
/* Binary search in rows sorted by index: `key(row i) -> encoded index`.
 * Returns the position of the exact match (next=false) or the first row after
 * idx (next=true); n if none. */
size_t mib_bsearch(size_t n, const oid *idx, size_t idx_len, bool next,
		   size_t (*key)(size_t i, const void *ctx, oid *out), const void *ctx);

/* Value setters. */
/* A dotted numeric OID (".1.3.6.1...", as the store keeps trap OIDs) into
 * out (MAX_OID_LEN sub-identifiers); false if it is not one of at least two
 * sub-identifiers. */
bool mib_parse_oid(const char *s, oid *out, size_t *len);

void mib_set_int(netsnmp_variable_list *v, long x);
void mib_set_uns(netsnmp_variable_list *v, u_char type, unsigned long x); /* GAUGE/COUNTER/UNSIGNED/TIMETICKS */
void mib_set_c64(netsnmp_variable_list *v, uint64_t x);
void mib_set_str(netsnmp_variable_list *v, const char *s);
void mib_set_date(netsnmp_variable_list *v, int64_t t);
void mib_set_oid(netsnmp_variable_list *v, const oid *o, size_t len);

/* Checks for a SET value: SNMP_ERR_NOERROR or the error. */
int mib_check_int(const netsnmp_variable_list *v, long lo, long hi);
int mib_check_uns(const netsnmp_variable_list *v, unsigned long lo, unsigned long hi);

#endif
