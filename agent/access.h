/* Access control of the agent's own master mode: with no snmpd in front, the
 * agent itself decides who may read (SNMPv1/v2c read communities from their
 * sources, SNMPv3 users at authPriv) and who may write (those users only), and
 * keeps net-snmp's USM users in step with the configuration. */
#ifndef SHUGO_ACCESS_H
#define SHUGO_ACCESS_H

#include "config.h"

/* Before init_agent: keep net-snmp's VACM and SMUX modules from loading.
 * Without snmpd.conf VACM would have no rule and refuse every request (the
 * checks of access_init take its place); SMUX would open TCP port 199 to
 * peers that register MIB subtrees. */
void access_preinit(void);
/* After init_snmp, before any port is open: install the checks. Until
 * access_configure, every request is refused. -1 if another access control
 * module is already installed (its rules and ours would both apply). */
int access_init(void);
/* Take cfg's read communities and SNMPv3 users (copied: cfg may go away),
 * replacing the previous ones, in the checks and in net-snmp's USM. 0, or -1
 * if a user could not be created (logged; that user is refused). */
int access_configure(const struct shugo_config *cfg);
void access_shutdown(void);

#endif
