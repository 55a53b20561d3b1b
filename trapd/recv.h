/* trapd's receiving side: the UDP listeners, batched reads, and the path of
 * one datagram from the wire to the writer's queue (decode, community or USM,
 * rate limit, record, duplicate window). Also the storm summaries. The state
 * of the whole daemon is struct trapd; main.c builds it and runs the loop. */
#ifndef SHUGO_TRAPD_RECV_H
#define SHUGO_TRAPD_RECV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "config.h"
#include "decode.h"
#include "ratelimit.h"
#include "sources.h"
#include "usm.h"
#include "writer.h"

struct recv_bufs;

struct trapd_listener {
	int fd;
	char *transport;   /* as configured */
	uint32_t drops;    /* the kernel's drop count last seen (SO_RXQ_OVFL) */
};

struct trapd {
	struct shugo_config *cfg;   /* current; communities come from here */
	struct cfg_user *users;     /* the snmp.users trapd accepts (trapd.users) */
	size_t n_users;
	struct usm *usm;
	uint8_t engine_id[32];      /* fixed at start */
	size_t engine_id_len;
	uint32_t boots;             /* snmpEngineBoots, persisted in the state dir */
	int64_t start_s;            /* monotonic start, for snmpEngineTime */

	struct rl_conf rl;
	int64_t summary_ms;
	struct src_table *src;
	struct node_table *nodes;
	struct writer *w;
	struct trapd_counters c;

	struct trapd_listener *ls;
	size_t n_ls;
	struct recv_bufs *bufs;
	struct trap_msg *msg;       /* one decode at a time: large, allocated once */

	/* trapd.mib_names: names a foreign trap's snmpTrapOID.0 into buf (""
	 * when the MIBs do not know it); NULL = off */
	void (*mib_name)(const struct trap_oid *o, char *buf, size_t size);
};

/* Parse a trapd.listen transport ("udp:HOST:PORT", "udp6:[ADDR]:PORT",
 * "HOST:PORT", or a bare port) into a socket address. NULL, or what is wrong. */
const char *recv_parse_transport(const char *transport, struct sockaddr_storage *ss, socklen_t *len);

/* Open every trapd.listen transport of td->cfg (non-blocking UDP sockets
 * with the configured receive buffer and the kernel's drop count on) and the
 * read buffers. -1 with the reason in err. */
int recv_open(struct trapd *td, char *err, size_t errlen);
void recv_close(struct trapd *td);

/* Read and handle what listener i has, in batches, up to a bounded number of
 * datagrams (the loop comes back while more wait). */
void recv_ready(struct trapd *td, size_t i);

/* One datagram as if read from listener fd (exposed for tests and
 * benchmarks). mono_ms, wall_ms: when it was read. */
void recv_handle(struct trapd *td, int fd, const uint8_t *buf, size_t len, const struct sockaddr *from,
		 socklen_t fromlen, int64_t mono_ms, int64_t wall_ms);

/* Queue a storm summary (MGR_TRAP_STORM) for every source whose rate limit
 * turned traps away and whose summary interval has passed. */
void recv_summaries(struct trapd *td, int64_t mono_ms, int64_t wall_ms);

/* Clocks, in milliseconds. */
int64_t trapd_mono_ms(void);
int64_t trapd_wall_ms(void);

#endif
