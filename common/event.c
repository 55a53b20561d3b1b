/* Names of the SHUGO-MIB notifications and of ShugoSeverity, and filling the
 * text of a notification record. The tables below must follow the MIB: the
 * index is the notification's last arc, or the severity's enumeration value. */
#include <stddef.h>
#include <strings.h>
#include "event.h"
#include "strutil.h"

static const char *const ev_type_names[NOTIF_MAX + 1] = {
	[NOTIF_PROC_ALARM] = "shugoProcAlarm",
	[NOTIF_PROC_CLEAR] = "shugoProcClear",
	[NOTIF_PROC_STARTED] = "shugoProcStarted",
	[NOTIF_PROC_EXITED] = "shugoProcExited",
	[NOTIF_RES_ALARM] = "shugoResAlarm",
	[NOTIF_RES_CLEAR] = "shugoResClear",
	[NOTIF_NIC_ALARM] = "shugoNicAlarm",
	[NOTIF_NIC_CLEAR] = "shugoNicClear",
	[NOTIF_PKG_MODE_CHANGE] = "shugoPkgModeChange",
	[NOTIF_PKG_ALARM] = "shugoPkgAlarm",
	[NOTIF_PKG_CLEAR] = "shugoPkgClear",
	[NOTIF_EXEC_ENDED] = "shugoExecEnded",
	[NOTIF_EXEC_REFUSED] = "shugoExecRefused",
	[NOTIF_APP_EVENT_RAISE] = "shugoAppEventRaise",
	[NOTIF_APP_EVENT_CLEAR] = "shugoAppEventClear",
	[NOTIF_LOG_MATCH] = "shugoLogMatch",
	[NOTIF_AGENT_START] = "shugoAgentStart",
	[NOTIF_AGENT_STOP] = "shugoAgentStop",
	[NOTIF_QUEUE_ALARM] = "shugoQueueAlarm",
	[NOTIF_QUEUE_CLEAR] = "shugoQueueClear",
	[NOTIF_LEASE_ALARM] = "shugoLeaseAlarm",
	[NOTIF_LEASE_CLEAR] = "shugoLeaseClear",
	[NOTIF_CONFIG_RELOADED] = "shugoConfigReloaded",
	[NOTIF_CONFIG_REJECTED] = "shugoConfigRejected",
};

static const char *const ev_sev_names[SEV_CRITICAL + 1] = {
	[SEV_CLEAR] = "clear",
	[SEV_INFO] = "info",
	[SEV_WARNING] = "warning",
	[SEV_MINOR] = "minor",
	[SEV_MAJOR] = "major",
	[SEV_CRITICAL] = "critical",
};

const char *ev_type_name(enum shugo_notif type)
{
	if ((int)type < 1 || type > NOTIF_MAX)
		return NULL;
	return ev_type_names[type];
}

const char *ev_sev_name(enum shugo_severity sev)
{
	if ((int)sev < SEV_CLEAR || sev > SEV_CRITICAL)
		return "unknown";
	return ev_sev_names[sev];
}

enum shugo_severity ev_sev_parse(const char *word)
{
	if (word == NULL)
		return 0;
	for (int s = SEV_CLEAR; s <= SEV_CRITICAL; s++)
		if (strcasecmp(word, ev_sev_names[s]) == 0)
			return (enum shugo_severity)s;
	return 0;
}

/* str_copy, but a cut never leaves half a UTF-8 character behind: the
 * SnmpAdminString fields these end up in must be valid UTF-8 (RFC 3411). */
static void ev_copy_text(char *dst, size_t size, const char *src)
{
	size_t len = str_copy(dst, src != NULL ? src : "", size);

	if (len < size)
		return;
	size_t end = size - 1; /* bytes kept */
	size_t start = end;
	while (start > 0 && ((unsigned char)dst[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return;
	unsigned char lead = (unsigned char)dst[start - 1];
	size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	if (end - (start - 1) < need)
		dst[start - 1] = '\0';
}

void ev_set(struct shugo_event *ev, enum shugo_notif type, enum shugo_severity sev,
	    const char *object, const char *state, const char *detail)
{
	ev->type = type;
	ev->sev = sev;
	ev_copy_text(ev->object, sizeof(ev->object), object);
	ev_copy_text(ev->state, sizeof(ev->state), state);
	ev_copy_text(ev->detail, sizeof(ev->detail), detail);
}
