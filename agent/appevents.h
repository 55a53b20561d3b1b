/* Application events: the socket applications raise and clear their own
 * events on (shugo-event, libshugoevent), each event an alarm row and a
 * notification; low-urgency raises wait for the next batch, and repeated
 * ones fold into one notification (JP10247911, events of classes b and c). */
#ifndef SHUGO_APPEVENTS_H
#define SHUGO_APPEVENTS_H

#include <stdint.h>
#include "agent.h"

/* Open the socket (agent.event_socket): 0, or -1 logged (the agent runs on
 * without it). A reload with another path or group takes effect at the next
 * start. */
int appev_open(struct agent *a);
/* The listening socket is readable: take the new connections. */
void appev_accept(struct agent *a, int fd);
/* A connection is readable: its messages, each answered. */
void appev_ready(struct agent *a, int fd);
/* On the sampling timer: send the batched raises that have waited long enough. */
void appev_tick(struct agent *a, uint64_t now_ms);
/* Send what waits, close the socket and the connections. */
void appev_close(struct agent *a);

#endif
