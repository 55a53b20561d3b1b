/* One record of the central log: a notification from a Shugo agent, a trap from
 * any other SNMP device, or an event that trapd or the manager raised itself.
 * trapd's decoder fills it, the store keeps it, the manager and shugoctl read it. */
#ifndef SHUGO_LOGREC_H
#define SHUGO_LOGREC_H

#include <stdint.h>
#include "event.h"

#define LR_NODE_MAX 64    /* node name (ShugoName) */
#define LR_TYPE_MAX 64    /* "shugoProcAlarm", "shugoMgrNodeDown", a MIB name or "" */
#define LR_OID_MAX 191    /* dotted numeric OID, ".1.3.6.1.4.1.32473.7.0.1" */
#define LR_SOURCE_MAX 63  /* "udp:10.0.0.1:40123", "udp6:[fd00::1]:162" */
#define LR_DETAIL_MAX 1023 /* agent detail (<= 255), or a foreign trap's varbinds as text */

enum lr_origin {
	LR_AGENT = 1,   /* a Shugo agent's notification, received as a trap/inform */
	LR_FOREIGN = 2, /* a trap from any other SNMP device */
	LR_MANAGER = 3, /* raised by the manager (node down, restored, ...) */
	LR_REPLAY = 4,  /* an agent's notification read back from its shugoNotifLogTable after a gap */
	LR_TRAPD = 5,   /* raised by trapd itself (a storm summary) */
};

/* Events the manager and trapd raise; the last arc of each notification under
 * shugoMgrNotifications (SHUGO-MANAGER-MIB). */
enum mgr_notif {
	MGR_NODE_DOWN = 1,     /* a whole window without an answer or a notification */
	MGR_NODE_RESTORED = 2, /* answers resumed after a down (restart or healed partition) */
	MGR_NODE_STOPPED = 3,  /* the agent announced an orderly shutdown: not an alarm */
	MGR_NODE_STARTED = 4,  /* first contact, or back after an orderly shutdown */
	MGR_NOTIFY_FAILED = 5, /* every destination group of a routing definition failed */
	MGR_TRAP_STORM = 6,    /* trapd rate-limited a source: summary of what it dropped */
	MGR_LOG_GAP = 7,       /* sequence numbers lost: the agent's log no longer holds them */
	MGR_NODE_REBOOTED = 8, /* the boot count changed without a down being seen */
	MGR_EXEC_DONE = 9,     /* a remote execution request ended (or started nowhere) */
	MGR_EXEC_UNREACHABLE = 10, /* a node running a program of a request went down */
	MGR_NOTIF_MAX = 10,
};

struct log_rec {
	int64_t id;                /* store row id (arrival order); 0 until stored */
	enum lr_origin origin;
	char node[LR_NODE_MAX + 1]; /* agent/manager node; "" for a foreign trap */
	uint32_t boot, seq;        /* agent boot count and sequence; 0/0 when not from an agent */
	int type;                  /* enum shugo_notif (LR_AGENT, LR_REPLAY) or enum mgr_notif
				    * (LR_MANAGER, LR_TRAPD); 0 for LR_FOREIGN */
	char type_name[LR_TYPE_MAX + 1]; /* notification name when known, else "" */
	char trap_oid[LR_OID_MAX + 1];   /* snmpTrapOID.0 as a dotted number */
	int sev;                   /* enum shugo_severity */
	char object[EV_OBJECT_MAX + 1];
	char state[EV_STATE_MAX + 1];
	char detail[LR_DETAIL_MAX + 1];
	uint32_t alarm_id;
	int64_t occurred_ms;       /* when it happened (the sender's clock; received_ms if unknown) */
	int64_t received_ms;       /* when trapd or the manager got it: the detection time */
	char source[LR_SOURCE_MAX + 1]; /* transport address it came from; "" for LR_MANAGER */
};

/* "shugoMgrNodeDown", ...; NULL if unknown. */
const char *mgr_notif_name(enum mgr_notif type);
/* "agent", "foreign", "manager", "replay", "trapd"; "unknown" otherwise. */
const char *lr_origin_name(enum lr_origin o);

#endif
