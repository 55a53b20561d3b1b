/* OIDs of SHUGO-MANAGER-MIB, served by the manager's mib/ handlers and used in the
 * notifications the manager and trapd send. mibs/SHUGO-MANAGER-MIB.txt is the source of
 * truth; tests/integration/t_mib.sh checks that every number here matches it (the
 * OID_MGR_* prefixes, and each enum name spelled from its MIB name). */
#ifndef SHUGO_MGR_OIDS_H
#define SHUGO_MGR_OIDS_H

#define SHUGO_MGR_MIB_OID 1, 3, 6, 1, 4, 1, 32473, 8
#define SHUGO_MGR_MIB_LEN 8
#define SHUGO_MGR_OBJ(...) SHUGO_MGR_MIB_OID, 1, __VA_ARGS__

/* shugoMgrNotifications: shugoManagerMIB.0.N, N = enum mgr_notif (logrec.h). */
#define OID_MGR_NOTIF_PREFIX SHUGO_MGR_MIB_OID, 0

#define OID_MGR_INFO SHUGO_MGR_OBJ(1)            /* scalars 1..10 */
#define OID_MGR_NODE_ENTRY SHUGO_MGR_OBJ(2, 1)   /* columns 2..21 */
#define OID_MGR_PROC_ENTRY SHUGO_MGR_OBJ(3, 1)   /* columns 2..10 */
#define OID_MGR_RES_ENTRY SHUGO_MGR_OBJ(4, 1)    /* columns 2..7 */
#define OID_MGR_ALARM_ENTRY SHUGO_MGR_OBJ(5, 1)  /* columns 2..7 */
#define OID_MGR_LOG_ENTRY SHUGO_MGR_OBJ(6, 1)    /* columns 2..13 */
#define OID_MGR_TRAPD SHUGO_MGR_OBJ(7)           /* scalars 1..9 */
#define OID_MGR_NOTIF_OBJ SHUGO_MGR_OBJ(8)       /* shugoMgrNotifLogId: 1 */
#define OID_MGR_EXEC_ENTRY SHUGO_MGR_OBJ(9, 1)   /* columns 3..15 */

/* shugoMgrNodeName, the first index of the node, process, resource and alarm tables, is
 * at most 50 octets (not 64) so that (node, 64-octet name) rows stay within the 128
 * sub-identifiers of an OID; a node with a longer name has no rows. */
#define MGR_INDEX_NODE_MAX 50

/* Values served as they are elsewhere in the tree: shugoMgrRole = enum mgr_role
 * (model.h), shugoMgrNodeState = enum node_state (node_fsm.h), shugoMgrLogOrigin =
 * enum lr_origin (logrec.h), severities = enum shugo_severity (event.h). */

enum {
	MGR_INFO_SELF_NAME = 1, MGR_INFO_ROLE, MGR_INFO_EPOCH, MGR_INFO_START_TIME,
	MGR_INFO_VERSION, MGR_INFO_NODE_COUNT, MGR_INFO_NODES_DOWN, MGR_INFO_LOG_RECORDS,
	MGR_INFO_LOG_LAST_ID, MGR_INFO_LOG_RING_SIZE,
	MGR_INFO_LAST = MGR_INFO_LOG_RING_SIZE,
};

/* shugoMgrNodeTable, index shugoMgrNodeName (column 1, not-accessible) */
enum {
	MGR_NODE_COL_ADDRESS = 2, MGR_NODE_COL_STATE, MGR_NODE_COL_LAST_SEEN,
	MGR_NODE_COL_LAST_CHANGE, MGR_NODE_COL_BOOT, MGR_NODE_COL_NOTIF_SEQ,
	MGR_NODE_COL_REPAIRED_SEQ, MGR_NODE_COL_POLL_INTERVAL, MGR_NODE_COL_POLL_TIMEOUT,
	MGR_NODE_COL_POLL_RETRIES, MGR_NODE_COL_POLLS, MGR_NODE_COL_POLL_FAILURES,
	MGR_NODE_COL_PROC_COUNT, MGR_NODE_COL_PROC_PROBLEMS, MGR_NODE_COL_RES_PROBLEMS,
	MGR_NODE_COL_ALARM_COUNT, MGR_NODE_COL_CRITICAL_ALARMS, MGR_NODE_COL_STALE,
	MGR_NODE_COL_DETAIL, MGR_NODE_COL_LAST_RTT,
	MGR_NODE_COL_LAST = MGR_NODE_COL_LAST_RTT,
};

/* shugoMgrProcTable, index (shugoMgrNodeName, shugoMgrProcName) */
enum {
	MGR_PROC_COL_KIND = 2, MGR_PROC_COL_STATE, MGR_PROC_COL_INSTANCES, MGR_PROC_COL_RESTARTS,
	MGR_PROC_COL_CPU, MGR_PROC_COL_RSS, MGR_PROC_COL_LAST_CHANGE, MGR_PROC_COL_UPDATED,
	MGR_PROC_COL_STALE,
	MGR_PROC_COL_LAST = MGR_PROC_COL_STALE,
};

/* shugoMgrResTable, index (shugoMgrNodeName, shugoMgrResName) */
enum {
	MGR_RES_COL_TYPE = 2, MGR_RES_COL_VALUE, MGR_RES_COL_STATE, MGR_RES_COL_DETAIL,
	MGR_RES_COL_UPDATED, MGR_RES_COL_STALE,
	MGR_RES_COL_LAST = MGR_RES_COL_STALE,
};

/* shugoMgrAlarmTable, index (shugoMgrNodeName, shugoMgrAlarmId) */
enum {
	MGR_ALARM_COL_TYPE = 2, MGR_ALARM_COL_OBJECT, MGR_ALARM_COL_SEVERITY,
	MGR_ALARM_COL_RAISED_TIME, MGR_ALARM_COL_DETAIL, MGR_ALARM_COL_STALE,
	MGR_ALARM_COL_LAST = MGR_ALARM_COL_STALE,
};

/* shugoMgrExecTable, index (shugoMgrExecRequestId, shugoMgrExecNode); the
 * enumerations as the MIB numbers them */
enum {
	MGR_EXEC_COL_NODE = 2, MGR_EXEC_COL_PROGRAM, MGR_EXEC_COL_PLACEMENT, MGR_EXEC_COL_REQUEST_STATE,
	MGR_EXEC_COL_REQUESTED_BY, MGR_EXEC_COL_ATTEMPT, MGR_EXEC_COL_STATE, MGR_EXEC_COL_PID,
	MGR_EXEC_COL_EXIT_CODE, MGR_EXEC_COL_EXIT_SIGNAL, MGR_EXEC_COL_END, MGR_EXEC_COL_START_TIME,
	MGR_EXEC_COL_END_TIME, MGR_EXEC_COL_DETAIL,
	MGR_EXEC_COL_LAST = MGR_EXEC_COL_DETAIL,
};

/* shugoMgrLogTable, index shugoMgrLogId (the store's record id, 1..2^32-1) */
enum {
	MGR_LOG_COL_TIME = 2, MGR_LOG_COL_RECEIVED, MGR_LOG_COL_NODE, MGR_LOG_COL_BOOT,
	MGR_LOG_COL_SEQ, MGR_LOG_COL_TYPE, MGR_LOG_COL_SEVERITY, MGR_LOG_COL_OBJECT,
	MGR_LOG_COL_STATE, MGR_LOG_COL_DETAIL, MGR_LOG_COL_SOURCE, MGR_LOG_COL_ORIGIN,
	MGR_LOG_COL_LAST = MGR_LOG_COL_ORIGIN,
};

/* shugoMgrTrapd scalars: Counter64 except UPDATED (DateAndTime) */
enum {
	MGR_TRAPD_RECEIVED = 1, MGR_TRAPD_STORED, MGR_TRAPD_DUPLICATES, MGR_TRAPD_MALFORMED,
	MGR_TRAPD_RATE_LIMITED, MGR_TRAPD_KERNEL_DROPS, MGR_TRAPD_INFORMS_ACKED,
	MGR_TRAPD_AUTH_FAILURES, MGR_TRAPD_UPDATED,
	MGR_TRAPD_LAST = MGR_TRAPD_UPDATED,
};

/* shugoMgrNotifObjects: sent with instance .0, after SHUGO-MIB's shugoNotifNode,
 * shugoNotifSeverity, shugoNotifObject, shugoNotifState, shugoNotifDetail and
 * shugoNotifTime (OID_NOTIF_OBJ in shugo_oids.h). */
enum {
	MGR_NOBJ_LOG_ID = 1,
};

#endif
