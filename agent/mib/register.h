/* Registration of every MIB table and scalar group the agent serves. */
#ifndef SHUGO_MIB_REGISTER_H
#define SHUGO_MIB_REGISTER_H

#include "agent.h"

int mib_register_all(void);

int mib_register_shugoNode(void);
int mib_register_shugoProcTable(void);
int mib_register_shugoProcInstTable(void);
int mib_register_shugoResTable(void);
int mib_register_shugoNicTable(void);
int mib_register_shugoLogWatchTable(void);
int mib_register_shugoAppEventTable(void);
int mib_register_shugoExecTable(void);
int mib_register_shugoAlarmTable(void);
int mib_register_shugoNotifLogTable(void);

/* enum set_check -> SNMP error */
int mib_set_error(enum set_check c);

#endif
