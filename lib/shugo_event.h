/* libshugoevent: raise and clear your application's own events through the
 * local shugo-agent. Each event becomes an alarm in the agent's
 * shugoAlarmTable, a row of shugoAppEventTable and a notification
 * (shugoAppEventRaise / shugoAppEventClear) that reaches the cluster's
 * central log like any other.
 *
 *   #include <shugo_event.h>     link with -lshugoevent
 *
 *   if (shugo_event_raise("db.replication", "major", "lagging", "replica 3 is 120 s behind", 0) < 0)
 *           fprintf(stderr, "event not raised: %s\n", shugo_event_reason());
 *   ...
 *   shugo_event_clear("db.replication", NULL, "replica 3 caught up");
 *
 * The agent's socket is $SHUGO_EVENT_SOCKET, else SHUGO_EVENT_SOCKET_DEFAULT.
 * Each call connects, sends one message, waits up to 5 s for the agent's
 * answer and closes: safe from any thread, nothing to set up or tear down. */
#ifndef LIBSHUGOEVENT_SHUGO_EVENT_H
#define LIBSHUGOEVENT_SHUGO_EVENT_H

#ifdef __cplusplus
extern "C" {
#endif

#define SHUGO_EVENT_SOCKET_DEFAULT "/run/shugo/event.sock"

/* flags */
#define SHUGO_EVENT_BATCH 1u /* low urgency: the agent may hold it for its batch
			      * interval and fold repeats into one notification */

/* Raise the event name ([A-Za-z0-9._:-], 1..64) with severity "info",
 * "warning", "minor", "major" or "critical"; state (1..32 characters; NULL =
 * "raised") and detail (up to 255 bytes; NULL = "") in words. Returns 0 once
 * the agent has taken it, -1 otherwise with errno: ENOENT or ECONNREFUSED (no
 * agent listening), EACCES (not allowed on the socket), EINVAL (the agent
 * refused the event: shugo_event_reason() says why), ETIMEDOUT. */
int shugo_event_raise(const char *name, const char *severity, const char *state, const char *detail,
		      unsigned flags);
/* Clear the event name (its alarm goes); state NULL = "cleared". Clearing an
 * event that is not raised is not an error. Same returns. */
int shugo_event_clear(const char *name, const char *state, const char *detail);
/* Why the last call in this thread failed: the agent's words or the system's. */
const char *shugo_event_reason(void);

#ifdef __cplusplus
}
#endif

#endif
