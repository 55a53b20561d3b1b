/* The manager's own requests to agents besides the polls: the SETs that act
 * on a node (and the GETs that go with them), as the SNMPv3 user of
 * manager.exec, authPriv. One session per node, engine discovery done
 * asynchronously, requests sent one at a time per node in the order given,
 * each ending in exactly one callback. */
#ifndef SHUGO_MANAGER_AGENTREQ_H
#define SHUGO_MANAGER_AGENTREQ_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdint.h>
#include "config.h"
#include "model.h"

/* resp: the agent's response (its errstat may say the request failed; it is
 * freed after the call), or NULL and why: no answer, a security error, the
 * node removed. */
typedef void (*areq_fn)(void *arg, const char *node, netsnmp_pdu *resp, const char *why);

/* (Re)configure from m's nodes and cfg (manager.exec.user, each node's poll
 * timeout and retries). A node whose address, timeouts and user did not
 * change keeps its session and its queue; a removed node's requests end with
 * "node removed". 0 / -1 (out of memory; nothing changed). */
int areq_configure(const struct mgr_model *m, const struct shugo_config *cfg);
/* Queue pdu (taken: freed whatever happens) for node; cb(arg, ...) once it is
 * answered or has failed, never from inside this call. -1 (and no callback)
 * if node is unknown or manager.exec.user is not configured. */
int areq_send(const char *node, netsnmp_pdu *pdu, areq_fn cb, void *arg);
/* Callbacks for arg are not made any more (its owner goes away). */
void areq_cancel(void *arg);
/* From the loop: send what waits, fail requests net-snmp lost track of,
 * report failures found elsewhere, close sessions whose transport died.
 * Returns when it next has something to do (monotonic ms). */
int64_t areq_run(int64_t now_ms);
void areq_free(void);

#endif
