/* Sending notifications: TRAP or INFORM per configured target (SNMPv2c or
 * SNMPv3 authPriv), plus a copy to snmpd over AgentX for its own trap sinks.
 * INFORMs wait in a bounded per-target queue until acknowledged and are re-sent
 * with backoff; a full queue drops its oldest entry (still in the notification
 * log for replay), counts it and raises shugoQueueAlarm. Never blocks. */
#ifndef SHUGO_NOTIFY_H
#define SHUGO_NOTIFY_H

#include <stdint.h>
#include "config.h"
#include "event.h"

/* Open the sessions of cfg's targets (replacing any open ones; queued INFORMs of
 * a target that keeps its name and address are kept). 0, or -1 if a target
 * could not be set up (the others still work; the reason is logged). */
int notify_configure(const struct shugo_config *cfg);
void notify_send(const struct shugo_event *ev);
/* Re-send due INFORMs, raise/clear queue alarms. Returns the next time (ms) it
 * needs to run, 0 if nothing is waiting. */
uint64_t notify_tick(uint64_t now_ms);
/* snmpd is (again) reachable over AgentX: flush what waited for it. */
void notify_agentx_up(void);
void notify_agentx_down(void);
uint32_t notify_pending(void);
uint32_t notify_dropped(void);
void notify_shutdown(void);

#endif
