/* SHUGO-MANAGER-MIB as served by the manager: registration of every scalar
 * group and table, and the index helpers the tables indexed by node share. */
#ifndef SHUGO_MGR_MIB_REGISTER_H
#define SHUGO_MGR_MIB_REGISTER_H

#include <stdbool.h>
#include <stddef.h>
#include "mibutil.h"
#include "model.h"

/* Register every group and table with the AgentX master. 0 / -1 (each
 * failure logged). The handlers read mgr_model, which must be set first. */
int mgr_mib_register(void);

int mib_register_shugoMgrInfo(void);
int mib_register_shugoMgrNodeTable(void);
int mib_register_shugoMgrProcTable(void);
int mib_register_shugoMgrResTable(void);
int mib_register_shugoMgrAlarmTable(void);
int mib_register_shugoMgrLogTable(void);
int mib_register_shugoMgrTrapd(void);
int mib_register_shugoMgrExecTable(void);

/* Whether the node has rows in the node-indexed tables: shugoMgrNodeName is
 * 1..MGR_INDEX_NODE_MAX octets. */
bool mgrmib_node_served(const struct mgr_node *n);
/* The encoded shugoMgrNodeName index of n. */
size_t mgrmib_node_idx(const struct mgr_node *n, oid *out);
/* The first node whose index is >= idx (strict: > idx); n_nodes if none. */
size_t mgrmib_node_lower(const struct mgr_model *m, const oid *idx, size_t idx_len, bool strict);
/* Summaries the node table and the scalars share. */
size_t mgrmib_proc_problems(const struct mgr_node *n);
size_t mgrmib_res_problems(const struct mgr_node *n);
size_t mgrmib_critical_alarms(const struct mgr_node *n);

/* A table indexed by (shugoMgrNodeName, a per-node index): the rows of a node
 * are its array in the model, in any order. */
struct mgrmib_sub {
	size_t (*count)(const struct mgr_node *n);
	/* The per-node part of row i's index; 0 if the row cannot be served. */
	size_t (*key)(const struct mgr_node *n, size_t i, oid *out);
	void *(*row)(struct mgr_node *n, size_t i);
};

/* find() of mib_table for such a table. The rows of one node are searched
 * one by one for the smallest index above the requested one: the arrays are
 * the poller's, unsorted, and replaced at every poll. */
void *mgrmib_sub_find(const struct mgrmib_sub *s, const oid *idx, size_t idx_len, bool next, oid *out,
		      size_t *out_len);

/* DateAndTime of a time in milliseconds (0 = eight zero octets). */
void mgrmib_set_date_ms(netsnmp_variable_list *v, int64_t ms);
/* TruthValue. */
void mgrmib_set_bool(netsnmp_variable_list *v, bool b);

#endif
