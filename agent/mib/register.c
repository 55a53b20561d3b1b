/* Registers the agent's MIB tables with the AgentX master. */
#include "log.h"
#include "mibutil.h"
#include "register.h"

int mib_set_error(enum set_check c)
{
	switch (c) {
	case SET_OK: return SNMP_ERR_NOERROR;
	case SET_WRONG_VALUE: return SNMP_ERR_WRONGVALUE;
	case SET_INCONSISTENT: return SNMP_ERR_INCONSISTENTVALUE;
	case SET_UNAVAILABLE: return SNMP_ERR_RESOURCEUNAVAILABLE;
	}
	return SNMP_ERR_GENERR;
}

int mib_register_all(void)
{
	static const struct { const char *name; int (*fn)(void); } all[] = {
		{"shugoNode", mib_register_shugoNode},
		{"shugoProcTable", mib_register_shugoProcTable},
		{"shugoProcInstTable", mib_register_shugoProcInstTable},
		{"shugoResTable", mib_register_shugoResTable},
		{"shugoNicTable", mib_register_shugoNicTable},
		{"shugoLogWatchTable", mib_register_shugoLogWatchTable},
		{"shugoAppEventTable", mib_register_shugoAppEventTable},
		{"shugoExecTable", mib_register_shugoExecTable},
		{"shugoAlarmTable", mib_register_shugoAlarmTable},
		{"shugoNotifLogTable", mib_register_shugoNotifLogTable},
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (all[i].fn() < 0) {
			log_err("cannot register %s", all[i].name);
			rc = -1;
		}
	}
	return rc;
}
