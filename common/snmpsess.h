/* net-snmp sessions from the configuration: the SNMPv3 USM keys of a
 * snmp.users entry, and a session that sends notifications to a receiver
 * configured like notify.targets (the agent's targets, the manager's SNMP
 * routing destinations). */
#ifndef SHUGO_SNMPSESS_H
#define SHUGO_SNMPSESS_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdbool.h>
#include "config.h"

/* init_snmp(app) for a daemon that must not be steered by the host's
 * net-snmp files: only its own persistent dir (engine ID, boots) is read, no
 * MIB is loaded; the environment is put back afterwards. */
void snmpsess_init_private(const char *app, const char *persist_dir);

/* Make s an authPriv session as user u (keys derived from its passwords).
 * What it allocates is released by snmpsess_clear. 0 / -1. */
int snmpsess_set_usm(netsnmp_session *s, const struct cfg_user *u);
/* Free what snmpsess_set_usm and snmpsess_open_target put into the template
 * s (snmp_open copies it). */
void snmpsess_clear(netsnmp_session *s);

/* Open a session that sends t's notifications: v2c with its community, or
 * v3 authPriv as its user (looked up in cfg). For an SNMPv3 INFORM with a
 * configured engine_id nothing is discovered; without one net-snmp
 * discovers the receiver's engine ID at open, synchronously, bounded by the
 * timeout and retries. A TRAP speaks with this engine's ID. cb/magic get
 * the INFORM responses. NULL with the reason in err. */
netsnmp_session *snmpsess_open_target(const struct shugo_config *cfg, const struct cfg_target *t,
				      netsnmp_callback cb, void *magic, char *err, size_t errlen);

/* SNMPv3 engine discovery done asynchronously by the caller (a session
 * opened with SNMP_FLAGS_DONT_PROBE, so that a dead agent never stalls the
 * loop in a synchronous probe): the RFC 3414 discovery request, an
 * unauthenticated GET with an empty user, answered by a Report carrying the
 * agent's engine ID (NULL when out of memory)... */
netsnmp_pdu *snmpsess_probe_pdu(void);
/* ...and, from that Report, the engine ID into ss and the user's keys
 * localized to it. false when the Report carried no engine ID or the user
 * could not be created. */
bool snmpsess_learn_engine(netsnmp_session *ss, const netsnmp_pdu *report);

#endif
