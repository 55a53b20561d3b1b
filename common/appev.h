/* The application event protocol, pure: what an application (through
 * shugo-event or libshugoevent) sends the agent over its event socket, one
 * message per event, and the checks the agent applies before anything is
 * raised. A message is "key=value" lines:
 *
 *   action=raise            raise | clear
 *   name=db-replication     [A-Za-z0-9._:-], 1..64
 *   severity=major          info | warning | minor | major | critical (raise)
 *   state=lagging           1..32 printable characters (default: raised / cleared)
 *   detail=replica 3 ...    up to 255 bytes, the rest of the line
 *   batch=yes               low urgency: may wait for the next batch
 *
 * The agent answers one line: "ok" or "error: <why>". */
#ifndef SHUGO_APPEV_H
#define SHUGO_APPEV_H

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

#define APPEV_MSG_MAX 2048 /* bytes of one message */
#define APPEV_NAME_MAX 64

enum appev_action { APPEV_RAISE = 1, APPEV_CLEAR };

struct appev_msg {
	enum appev_action action;
	char name[APPEV_NAME_MAX + 1];
	enum shugo_severity sev; /* SEV_CLEAR for a clear */
	char state[EV_STATE_MAX + 1];
	char detail[EV_DETAIL_MAX + 1];
	bool batch;
};

/* Parse and check msg (len bytes, not NUL-terminated). NULL and *out filled,
 * or what is wrong (a static string). */
const char *appev_parse(const char *msg, size_t len, struct appev_msg *out);
/* Write m as a message into buf; its length, or 0 if it does not fit. */
size_t appev_format(const struct appev_msg *m, char *buf, size_t size);

#endif
