/* The agent's one event loop: net-snmp's sockets and timers, plus one epoll fd
 * that carries signals (signalfd), watched-process pidfds and capture fds. */
#ifndef SHUGO_LOOP_H
#define SHUGO_LOOP_H

#include <stdbool.h>
#include "agent.h"

int loop_init(void);
/* Watch fd; kind tells the loop which module gets it. */
enum loop_kind { LOOP_SIGNAL = 1, LOOP_PIDFD, LOOP_PCAP, LOOP_APPEV, LOOP_APPEV_CONN, LOOP_EXEC };
int loop_watch(int fd, enum loop_kind kind);
void loop_unwatch(int fd);
/* Run until SIGTERM/SIGINT. reload() is called on SIGHUP. */
int loop_run(struct agent *a, void (*reload)(struct agent *a));
/* At shutdown: give queued notifications up to max_ms on the wire. */
void loop_drain(uint64_t max_ms);

#endif
