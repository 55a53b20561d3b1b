/* Where every change becomes a notification: raise or clear an alarm row, append
 * the notification to the persistent log (which numbers it), and hand it to the
 * sender. The one path from "something changed" to the wire. */
#ifndef SHUGO_EMIT_H
#define SHUGO_EMIT_H

#include "event.h"

/* Raise (or update) the alarm of object and announce it. Call it on a change
 * of state: it always notifies; the row keeps its id. */
void emit_alarm(enum shugo_notif type, enum shugo_severity sev, const char *object,
		const char *state, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Clear the alarm of object with notification type (its *_CLEAR); notifies only
 * if an alarm was up. */
void emit_clear(enum shugo_notif type, const char *object, const char *state,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A state change that raises no alarm. */
void emit_event(enum shugo_notif type, enum shugo_severity sev, const char *object,
		const char *state, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
