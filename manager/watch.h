/* File descriptors the manager's loop watches besides net-snmp's own: each
 * with the callback that owns it. The loop asks for the sets before select
 * and hands back what select found. */
#ifndef SHUGO_MANAGER_WATCH_H
#define SHUGO_MANAGER_WATCH_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <stdbool.h>

enum { WATCH_IN = 1, WATCH_OUT = 2 };

/* cb(fd, events that are ready, arg). */
typedef void (*watch_fn)(int fd, unsigned ready, void *arg);

/* Watch fd for events (WATCH_IN | WATCH_OUT); a second call for the same fd
 * replaces its events, callback and arg. 0 / -1 (ENOMEM). */
int watch_add(int fd, unsigned events, watch_fn cb, void *arg);
/* Stop watching fd (before closing it). Safe inside a callback. */
void watch_del(int fd);
/* Add the watched fds to the sets; *nfds grows to cover them. */
void watch_fill(netsnmp_large_fd_set *rd, netsnmp_large_fd_set *wr, int *nfds);
/* Call the callbacks of the fds select marked, and clear their bits. */
void watch_dispatch(netsnmp_large_fd_set *rd, netsnmp_large_fd_set *wr);
void watch_free(void);

#endif
