/* Access control of master mode (see access.h): net-snmp's ACM callbacks
 * answered from the configuration instead of snmpd's VACM, and the USM users
 * made from snmp.users with keys localized to this agent's engine. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
#include <net-snmp/library/snmpusm.h>
#include <net-snmp/library/vacm.h>
#ifdef NETSNMP_TRANSPORT_TCP_DOMAIN
#include <net-snmp/library/snmpTCPDomain.h>
#endif
#ifdef NETSNMP_TRANSPORT_UDPIPV6_DOMAIN
#include <net-snmp/library/snmpUDPIPv6Domain.h>
#endif
#ifdef NETSNMP_TRANSPORT_TCPIPV6_DOMAIN
#include <net-snmp/library/snmpTCPIPv6Domain.h>
#endif
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "access.h"
#include "log.h"

/* Whom a request is served for. */
enum who { WHO_NOBODY, WHO_READER, WHO_ADMIN };

#define USER_NAME_SIZE sizeof(((struct cfg_user *)0)->name)

static struct cfg_community *comms; /* copies; community strings owned here */
static size_t n_comms;
static char (*users)[USER_NAME_SIZE]; /* the users that exist in USM */
static size_t n_users;

static const int acm_minors[] = {SNMPD_CALLBACK_ACM_CHECK_INITIAL, SNMPD_CALLBACK_ACM_CHECK,
				 SNMPD_CALLBACK_ACM_CHECK_SUBTREE};

/* ---- who is asking ---- */

/* The transports that carry the client's IP address: UDP and TCP, over IPv4
 * and IPv6. A request over any other has no address to match a source. */
static bool ip_domain(const oid *d)
{
	if (d == netsnmpUDPDomain)
		return true;
#ifdef NETSNMP_TRANSPORT_TCP_DOMAIN
	if (d == netsnmp_snmpTCPDomain)
		return true;
#endif
#ifdef NETSNMP_TRANSPORT_UDPIPV6_DOMAIN
	if (d == netsnmp_UDPIPv6Domain)
		return true;
#endif
#ifdef NETSNMP_TRANSPORT_TCPIPV6_DOMAIN
	if (d == netsnmp_TCPIPv6Domain)
		return true;
#endif
	return false;
}

/* The client's address (4 or 16 bytes); 0 if the transport has none. The IP
 * transports keep the peer as a netsnmp_indexed_addr_pair, or (IPv6 in net-snmp
 * 5.9) as a bare sockaddr: told apart by size, and checked by family. */
static size_t source_of(const netsnmp_pdu *pdu, uint8_t *out)
{
	const void *d = pdu->transport_data;
	size_t len = pdu->transport_data_length > 0 ? (size_t)pdu->transport_data_length : 0;
	const struct sockaddr *sa;

	if (!d || !ip_domain(pdu->tDomain))
		return 0;
	if (len == sizeof(netsnmp_indexed_addr_pair))
		sa = &((const netsnmp_indexed_addr_pair *)d)->remote_addr.sa;
	else if (len == sizeof(struct sockaddr_in) || len == sizeof(struct sockaddr_in6))
		sa = d;
	else
		return 0;
	if (sa->sa_family == AF_INET && len != sizeof(struct sockaddr_in6)) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6 && len != sizeof(struct sockaddr_in)) {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 16;
	}
	return 0;
}

/* Compares every byte whatever the first difference, so the time taken
 * tells nothing about how much of a guess was right. */
static bool same_secret(const u_char *got, size_t got_len, const char *want)
{
	size_t len = strlen(want);
	unsigned char d = 0;

	if (!got || got_len != len)
		return false;
	for (size_t i = 0; i < len; i++)
		d |= (unsigned char)(got[i] ^ (unsigned char)want[i]);
	return d == 0;
}

static bool community_ok(const netsnmp_pdu *pdu)
{
	uint8_t addr[16];
	size_t alen = source_of(pdu, addr);

	for (size_t i = 0; i < n_comms; i++)
		if (same_secret(pdu->community, pdu->community_len, comms[i].community) &&
		    cfg_source_match(&comms[i], alen ? addr : NULL, alen))
			return true;
	return false;
}

static bool user_known(const char *name, size_t len)
{
	if (!name)
		return false;
	for (size_t i = 0; i < n_users; i++)
		if (strlen(users[i]) == len && memcmp(users[i], name, len) == 0)
			return true;
	return false;
}

static enum who identify(const netsnmp_pdu *pdu)
{
	switch (pdu->version) {
	case SNMP_VERSION_1:
	case SNMP_VERSION_2c:
		return community_ok(pdu) ? WHO_READER : WHO_NOBODY;
	case SNMP_VERSION_3:
		/* USM has already checked the user's keys (and refused unknown
		 * users); left to decide is whether this user at this level may
		 * act here: ours only, and only authenticated and encrypted. */
		if (pdu->securityModel != SNMP_SEC_MODEL_USM || pdu->securityLevel != SNMP_SEC_LEVEL_AUTHPRIV)
			return WHO_NOBODY;
		return user_known(pdu->securityName, pdu->securityNameLen) ? WHO_ADMIN : WHO_NOBODY;
	default:
		return WHO_NOBODY;
	}
}

/* ---- the decision ---- */

/* VACM_SUCCESS or the VACM error for this request. The whole MIB is one view:
 * the answer depends on who asks and what for, not on the object. */
static int decide(const netsnmp_pdu *pdu, int minor)
{
	enum who w = identify(pdu);

	/* SNMPv1/v2c: the request is dropped without an answer, as for an
	 * unknown community at snmpd; SNMPv3: answered authorizationError. */
	if (w == WHO_NOBODY)
		return VACM_NOSECNAME;
	/* Everything is registered in the default context. */
	if (pdu->contextNameLen > 0)
		return VACM_NOSUCHCONTEXT;
	switch (pdu->command) {
	case SNMP_MSG_GET:
	case SNMP_MSG_GETNEXT:
	case SNMP_MSG_GETBULK:
		return VACM_SUCCESS;
	case SNMP_MSG_SET:
		/* A reader's SET passes the first, object-less check so that its
		 * varbinds are refused one by one and the answer is noAccess
		 * (RFC 3416 4.2.5) rather than silence. */
		if (w == WHO_ADMIN || minor == SNMPD_CALLBACK_ACM_CHECK_INITIAL)
			return VACM_SUCCESS;
		return VACM_NOACCESS;
	default:
		return VACM_NOACCESS;
	}
}

static int acm_check(int major, int minor, void *serverarg, void *clientarg)
{
	struct view_parameters *vp = serverarg;
	int rc;

	(void)major;
	(void)clientarg;
	if (!vp || !vp->pdu)
		return 0;
	rc = decide(vp->pdu, minor);
	if (rc != VACM_SUCCESS) {
		/* errorcode starts at success; only a refusal is written */
		vp->errorcode = rc;
		if (minor == SNMPD_CALLBACK_ACM_CHECK_INITIAL && rc == VACM_NOSECNAME)
			log_debug("access: SNMP%s request refused (%s)",
				  vp->pdu->version == SNMP_VERSION_3 ? "v3" : "v1/v2c",
				  vp->pdu->version == SNMP_VERSION_3 ? "not a configured user at authPriv"
								       : "unknown community or source");
	}
	return 0;
}

void access_preinit(void)
{
	/* vacm_conf: snmpd's access control, replaced by acm_check. smux: snmpd's
	 * SMUX listener (TCP port 199), where local programs could register
	 * subtrees of their own; this agent serves its own MIB only.
	 * add_to_init_list cuts its argument up in place. */
	char skip[] = "-vacm_conf,smux";

	add_to_init_list(skip);
}

int access_init(void)
{
	size_t n = sizeof acm_minors / sizeof acm_minors[0];

	for (size_t i = 0; i < n; i++) {
		if (snmp_count_callbacks(SNMP_CALLBACK_APPLICATION, acm_minors[i]) > 0) {
			log_err("access: net-snmp already has an access control module; refusing to serve with two");
			errno = EEXIST;
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (snmp_register_callback(SNMP_CALLBACK_APPLICATION, acm_minors[i], acm_check, NULL) !=
		    SNMPERR_SUCCESS) {
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

/* ---- USM users ---- */

static void user_protocols(const struct cfg_user *cu, const oid **ap, size_t *aplen, const oid **pp, size_t *pplen)
{
	switch (cu->auth) {
	case AUTH_SHA1: *ap = usmHMACSHA1AuthProtocol; *aplen = OID_LENGTH(usmHMACSHA1AuthProtocol); break;
	case AUTH_SHA512: *ap = usmHMAC384SHA512AuthProtocol; *aplen = OID_LENGTH(usmHMAC384SHA512AuthProtocol); break;
	default: *ap = usmHMAC192SHA256AuthProtocol; *aplen = OID_LENGTH(usmHMAC192SHA256AuthProtocol); break;
	}
	if (cu->priv == PRIV_AES256) {
		*pp = usmAES256PrivProtocol;
		*pplen = OID_LENGTH(usmAES256PrivProtocol);
	} else {
		*pp = usmAESPrivProtocol;
		*pplen = OID_LENGTH(usmAESPrivProtocol);
	}
}

/* A USM user with keys localized to engine eid (RFC 3414 2.6 and A.2), made
 * the way snmpd's createUser makes one, but without a text line in between,
 * so any passphrase works. NULL on failure. */
static struct usmUser *user_make(const struct cfg_user *cu, const u_char *eid, size_t eidlen)
{
	struct usmUser *u = usm_create_user();
	const netsnmp_priv_alg_info *pai;
	const oid *ap, *pp;
	size_t aplen, pplen, kulen, size;
	u_char ku[SNMP_MAXBUF_SMALL];
	int alen, plen;

	if (!u)
		return NULL;
	user_protocols(cu, &ap, &aplen, &pp, &pplen);
	u->name = strdup(cu->name);
	u->secName = strdup(cu->name);
	u->engineID = netsnmp_memdup(eid, eidlen);
	u->engineIDLen = eidlen;
	free(u->authProtocol);
	u->authProtocol = snmp_duplicate_objid(ap, aplen);
	u->authProtocolLen = aplen;
	free(u->privProtocol);
	u->privProtocol = snmp_duplicate_objid(pp, pplen);
	u->privProtocolLen = pplen;
	if (!u->name || !u->secName || !u->engineID || !u->authProtocol || !u->privProtocol)
		goto fail;
	alen = sc_get_proper_auth_length_bytype(sc_get_authtype(ap, (u_int)aplen));
	pai = sc_get_priv_alg_byoid(pp, (u_int)pplen);
	if (alen <= 0 || !pai)
		goto fail;
	plen = pai->proper_length;

	kulen = sizeof ku;
	if (generate_Ku(ap, (u_int)aplen, (const u_char *)cu->auth_pass, strlen(cu->auth_pass), ku, &kulen) !=
	    SNMPERR_SUCCESS)
		goto fail;
	u->authKeyLen = (size_t)alen;
	if (!(u->authKey = malloc(u->authKeyLen)) ||
	    generate_kul(ap, (u_int)aplen, eid, eidlen, ku, kulen, u->authKey, &u->authKeyLen) != SNMPERR_SUCCESS)
		goto fail;

	/* The privacy key is derived with the authentication hash too; a hash
	 * shorter than the cipher's key (SHA-1 for AES-256) is extended the way
	 * net-snmp's own createUser does it, so clients of net-snmp agree. */
	kulen = sizeof ku;
	if (generate_Ku(ap, (u_int)aplen, (const u_char *)cu->priv_pass, strlen(cu->priv_pass), ku, &kulen) !=
	    SNMPERR_SUCCESS)
		goto fail;
	size = (size_t)(plen > alen ? plen : alen);
	u->privKeyLen = size;
	if (!(u->privKey = malloc(size)) ||
	    generate_kul(ap, (u_int)aplen, eid, eidlen, ku, kulen, u->privKey, &u->privKeyLen) != SNMPERR_SUCCESS)
		goto fail;
	if (u->privKeyLen < (size_t)plen && usm_extend_user_kul(u, (u_int)size) != SNMPERR_SUCCESS)
		goto fail;
	if (u->privKeyLen < (size_t)plen)
		goto fail;
	u->privKeyLen = (size_t)plen;
	/* Never written to the persistent file: the keys live in the YAML only,
	 * and a changed passphrase is not shadowed by an old stored key. */
	u->userStorageType = ST_READONLY;
	u->userStatus = RS_ACTIVE;
	explicit_bzero(ku, sizeof ku);
	return u;
fail:
	explicit_bzero(ku, sizeof ku);
	usm_free_user(u);
	return NULL;
}

/* Remove every USM user of engine eid named name: the one made at the last
 * configure, and a copy that a notification session may have made (SNMPv3
 * TRAPs are sent with this engine's ID), so that no old key stays usable. */
static void user_drop(const u_char *eid, size_t eidlen, const char *name)
{
	struct usmUser *u;

	while ((u = usm_get_user(eid, eidlen, name)) != NULL) {
		usm_remove_user(u);
		u->next = u->prev = NULL;
		usm_free_user(u);
	}
}

static void comms_free(struct cfg_community *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].community);
	free(c);
}

int access_configure(const struct shugo_config *cfg)
{
	struct cfg_community *nc = calloc(cfg->n_communities ? cfg->n_communities : 1, sizeof *nc);
	char (*nu)[USER_NAME_SIZE] = calloc(cfg->n_users ? cfg->n_users : 1, sizeof *nu);
	u_char eid[SNMP_MAXBUF_SMALL];
	size_t eidlen, k = 0;
	int rc = 0;

	if (!nc || !nu)
		goto fail;
	for (size_t i = 0; i < cfg->n_communities; i++) {
		nc[i] = cfg->communities[i];
		if (!(nc[i].community = strdup(cfg->communities[i].community))) {
			comms_free(nc, i);
			nc = NULL;
			goto fail;
		}
	}
	eidlen = snmpv3_get_engineID(eid, sizeof eid);
	if (eidlen == 0 && cfg->n_users > 0) {
		log_err("access: no local engine ID: SNMPv3 users cannot be set up");
		rc = -1;
	}
	/* Users go and come back from scratch: a changed passphrase counts at
	 * once, and a user taken out of the file is refused at once. */
	for (size_t i = 0; eidlen > 0 && i < n_users; i++)
		user_drop(eid, eidlen, users[i]);
	for (size_t i = 0; eidlen > 0 && i < cfg->n_users; i++) {
		const struct cfg_user *cu = &cfg->users[i];
		struct usmUser *u;

		user_drop(eid, eidlen, cu->name);
		if (!(u = user_make(cu, eid, eidlen))) {
			log_err("access: SNMPv3 user %s could not be set up; its requests are refused", cu->name);
			rc = -1;
			continue;
		}
		usm_add_user(u);
		memcpy(nu[k++], cu->name, USER_NAME_SIZE);
	}
	comms_free(comms, n_comms);
	free(users);
	comms = nc;
	n_comms = cfg->n_communities;
	users = nu;
	n_users = k;
	log_info("access: %zu read communit%s, %zu SNMPv3 user%s (authPriv)", n_comms, n_comms == 1 ? "y" : "ies",
		 n_users, n_users == 1 ? "" : "s");
	return rc;
fail:
	/* Out of memory: the previous rules stay, whole. */
	free(nc);
	free(nu);
	log_err("access: out of memory; the previous access rules stay");
	errno = ENOMEM;
	return -1;
}

void access_shutdown(void)
{
	u_char eid[SNMP_MAXBUF_SMALL];
	size_t eidlen = snmpv3_get_engineID(eid, sizeof eid);

	for (size_t i = 0; eidlen > 0 && i < n_users; i++)
		user_drop(eid, eidlen, users[i]);
	for (size_t i = 0; i < sizeof acm_minors / sizeof acm_minors[0]; i++)
		snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, acm_minors[i], acm_check, NULL, 1);
	comms_free(comms, n_comms);
	free(users);
	comms = NULL;
	users = NULL;
	n_comms = n_users = 0;
}
