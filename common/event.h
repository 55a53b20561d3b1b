/* Notification types and severities shared by the agent, trapd and manager.
 * The numbers are the last arc of each notification under shugoNotifications
 * (SHUGO-MIB), and the severities are ShugoSeverity's values. */
#ifndef SHUGO_EVENT_H
#define SHUGO_EVENT_H

#include <stdint.h>

enum shugo_severity {
	SEV_CLEAR = 1,
	SEV_INFO = 2,
	SEV_WARNING = 3,
	SEV_MINOR = 4,
	SEV_MAJOR = 5,
	SEV_CRITICAL = 6,
};

enum shugo_notif {
	NOTIF_PROC_ALARM = 1,
	NOTIF_PROC_CLEAR = 2,
	NOTIF_PROC_STARTED = 3,
	NOTIF_PROC_EXITED = 4,
	NOTIF_RES_ALARM = 5,
	NOTIF_RES_CLEAR = 6,
	NOTIF_NIC_ALARM = 7,
	NOTIF_NIC_CLEAR = 8,
	NOTIF_PKG_MODE_CHANGE = 9,
	NOTIF_PKG_ALARM = 10,
	NOTIF_PKG_CLEAR = 11,
	NOTIF_EXEC_ENDED = 12,
	NOTIF_EXEC_REFUSED = 13,
	NOTIF_APP_EVENT_RAISE = 14,
	NOTIF_APP_EVENT_CLEAR = 15,
	NOTIF_LOG_MATCH = 16,
	NOTIF_AGENT_START = 17,
	NOTIF_AGENT_STOP = 18,
	NOTIF_QUEUE_ALARM = 19,
	NOTIF_QUEUE_CLEAR = 20,
	NOTIF_LEASE_ALARM = 21,
	NOTIF_LEASE_CLEAR = 22,
	NOTIF_CONFIG_RELOADED = 23,
	NOTIF_CONFIG_REJECTED = 24,
	NOTIF_MAX = 24,
};

#define EV_OBJECT_MAX 96
#define EV_STATE_MAX 32
#define EV_DETAIL_MAX 255

/* One notification as emitted: what the notification log stores and what every
 * trap/inform carries as varbinds. */
struct shugo_event {
	enum shugo_notif type;
	enum shugo_severity sev;
	char object[EV_OBJECT_MAX + 1]; /* "proc:web", "res:cpu", "nic:eth0" */
	char state[EV_STATE_MAX + 1];   /* new state in words: "running", "failed" */
	char detail[EV_DETAIL_MAX + 1];
	uint32_t alarm_id;              /* alarm row raised or cleared, 0 = none */
	uint32_t seq;                   /* per-agent sequence, assigned by the log */
	uint32_t boot;                  /* agent boot count */
	int64_t time;                   /* wall clock, seconds since the epoch */
};

/* MIB descriptor of a notification type ("shugoProcAlarm"), or NULL if unknown. */
const char *ev_type_name(enum shugo_notif type);
/* "clear", "info", ... ; "unknown" for out-of-range values. */
const char *ev_sev_name(enum shugo_severity sev);
/* Parse a severity word as written in the config; returns 0 if unknown. */
enum shugo_severity ev_sev_parse(const char *word);
/* Fill the text fields of ev, truncating safely; type/sev/alarm_id are set by value. */
void ev_set(struct shugo_event *ev, enum shugo_notif type, enum shugo_severity sev,
	    const char *object, const char *state, const char *detail);

#endif
