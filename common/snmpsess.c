/* Sessions from the configuration, shared by the agent (notification
 * targets), the manager's poller (SNMPv3 reads) and its SNMP routing
 * destinations, so that a user's keys are set up in one place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snmpsess.h"

int snmpsess_set_usm(netsnmp_session *s, const struct cfg_user *u)
{
	const oid *ap;
	size_t aplen;

	switch (u->auth) {
	case AUTH_SHA1: ap = usmHMACSHA1AuthProtocol; aplen = OID_LENGTH(usmHMACSHA1AuthProtocol); break;
	case AUTH_SHA512: ap = usmHMAC384SHA512AuthProtocol; aplen = OID_LENGTH(usmHMAC384SHA512AuthProtocol); break;
	default: ap = usmHMAC192SHA256AuthProtocol; aplen = OID_LENGTH(usmHMAC192SHA256AuthProtocol); break;
	}
	s->version = SNMP_VERSION_3;
	s->securityModel = SNMP_SEC_MODEL_USM;
	s->securityName = strdup(u->name);
	s->securityNameLen = strlen(u->name);
	s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
	s->securityAuthProto = snmp_duplicate_objid(ap, aplen);
	s->securityAuthProtoLen = aplen;
	s->securityAuthKeyLen = USM_AUTH_KU_LEN;
	if (!s->securityName || !s->securityAuthProto ||
	    generate_Ku(ap, aplen, (const u_char *)u->auth_pass, strlen(u->auth_pass), s->securityAuthKey,
			&s->securityAuthKeyLen) != SNMPERR_SUCCESS)
		return -1;
	if (u->priv == PRIV_AES256) {
		s->securityPrivProto = snmp_duplicate_objid(usmAES256PrivProtocol, OID_LENGTH(usmAES256PrivProtocol));
		s->securityPrivProtoLen = OID_LENGTH(usmAES256PrivProtocol);
	} else {
		s->securityPrivProto = snmp_duplicate_objid(usmAESPrivProtocol, OID_LENGTH(usmAESPrivProtocol));
		s->securityPrivProtoLen = OID_LENGTH(usmAESPrivProtocol);
	}
	s->securityPrivKeyLen = USM_PRIV_KU_LEN;
	if (!s->securityPrivProto ||
	    generate_Ku(ap, aplen, (const u_char *)u->priv_pass, strlen(u->priv_pass), s->securityPrivKey,
			&s->securityPrivKeyLen) != SNMPERR_SUCCESS)
		return -1;
	return 0;
}

void snmpsess_clear(netsnmp_session *s)
{
	free(s->securityName);
	free(s->securityAuthProto);
	free(s->securityPrivProto);
	free(s->securityEngineID);
	free(s->contextEngineID);
	s->securityName = NULL;
	s->securityAuthProto = s->securityPrivProto = NULL;
	s->securityEngineID = s->contextEngineID = NULL;
}

netsnmp_session *snmpsess_open_target(const struct shugo_config *cfg, const struct cfg_target *t,
				      netsnmp_callback cb, void *magic, char *err, size_t errlen)
{
	netsnmp_session s, *ss = NULL;

	snmp_sess_init(&s);
	s.peername = t->address;
	s.timeout = (long)t->timeout_ms * 1000L;
	s.retries = (int)t->retries;
	s.callback = cb;
	s.callback_magic = magic;
	if (t->version == 3) {
		const struct cfg_user *u = cfg_find_user(cfg, t->user);
		if (!u || snmpsess_set_usm(&s, u) < 0) {
			snprintf(err, errlen, "cannot set up SNMPv3 user '%s'", t->user);
			goto out;
		}
		if (t->inform && t->engine_id_len) {
			/* The receiver's engine ID is known: no discovery exchange. */
			s.securityEngineID = netsnmp_memdup(t->engine_id, t->engine_id_len);
			s.securityEngineIDLen = t->engine_id_len;
			s.contextEngineID = netsnmp_memdup(t->engine_id, t->engine_id_len);
			s.contextEngineIDLen = t->engine_id_len;
			s.flags |= SNMP_FLAGS_DONT_PROBE;
		} else if (!t->inform) {
			/* A trap's sender is authoritative: it speaks with our engine ID. */
			u_char eid[SNMP_MAXBUF_SMALL];
			size_t eidlen = snmpv3_get_engineID(eid, sizeof eid);
			s.securityEngineID = netsnmp_memdup(eid, eidlen);
			s.securityEngineIDLen = eidlen;
		}
	} else {
		s.version = SNMP_VERSION_2c;
		s.community = (u_char *)t->community;
		s.community_len = strlen(t->community);
	}
	if (!(ss = snmp_open(&s)))
		snprintf(err, errlen, "cannot open a session to %s: %s", t->address, snmp_api_errstring(snmp_errno));
out:
	if (s.version == SNMP_VERSION_3)
		snmpsess_clear(&s);
	return ss;
}

/* init_snmp reads net-snmp's configuration files: from $SNMPCONFPATH if set,
 * else from /etc/snmp, /usr/share/snmp, ~/.snmp and the persistent dir. None
 * of them is the daemon's, and snmpd's (or an operator's snmp.conf) must not
 * change what it does: only its own persistent dir (engine ID and boots) is
 * read. It loads no MIB either (every OID here is numeric) and scans no MIB
 * directory. The environment is put back afterwards. */
void snmpsess_init_private(const char *app, const char *persist_dir)
{
	static const char *const vars[] = {"SNMPCONFPATH", "MIBS"};
	char *saved[sizeof vars / sizeof vars[0]];

	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		saved[i] = v ? strdup(v) : NULL;
	}
	setenv("SNMPCONFPATH", persist_dir, 1);
	setenv("MIBS", "", 1);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "");
	/* where net-snmp would read and write its persistent state instead of
	 * the persistent dir, whoever set it */
	unsetenv("SNMP_PERSISTENT_FILE");
	init_snmp(app);
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		if (saved[i])
			setenv(vars[i], saved[i], 1);
		else
			unsetenv(vars[i]);
		free(saved[i]);
	}
}

netsnmp_pdu *snmpsess_probe_pdu(void)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	if (!pdu)
		return NULL;
	pdu->version = SNMP_VERSION_3;
	pdu->securityName = strdup("");
	pdu->securityNameLen = 0;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	return pdu;
}

bool snmpsess_learn_engine(netsnmp_session *ss, const netsnmp_pdu *report)
{
	if (!report->securityEngineID || report->securityEngineIDLen == 0 || ss->securityEngineIDLen)
		return ss->securityEngineIDLen != 0;
	if (!(ss->securityEngineID = netsnmp_memdup(report->securityEngineID, report->securityEngineIDLen)))
		return false;
	ss->securityEngineIDLen = report->securityEngineIDLen;
	if (!ss->contextEngineIDLen) {
		free(ss->contextEngineID);
		if ((ss->contextEngineID = netsnmp_memdup(report->securityEngineID, report->securityEngineIDLen)))
			ss->contextEngineIDLen = report->securityEngineIDLen;
	}
	return usm_create_user_from_session(ss) == SNMPERR_SUCCESS;
}
