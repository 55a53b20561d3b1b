/* Names of the central log's record origins and of the manager's events. */
#include <stddef.h>
#include "logrec.h"

const char *mgr_notif_name(enum mgr_notif type)
{
	static const char *const names[MGR_NOTIF_MAX + 1] = {
		[MGR_NODE_DOWN] = "shugoMgrNodeDown",
		[MGR_NODE_RESTORED] = "shugoMgrNodeRestored",
		[MGR_NODE_STOPPED] = "shugoMgrNodeStopped",
		[MGR_NODE_STARTED] = "shugoMgrNodeStarted",
		[MGR_NOTIFY_FAILED] = "shugoMgrNotifyFailed",
		[MGR_TRAP_STORM] = "shugoMgrTrapStorm",
		[MGR_LOG_GAP] = "shugoMgrLogGap",
		[MGR_NODE_REBOOTED] = "shugoMgrNodeRebooted",
		[MGR_EXEC_DONE] = "shugoMgrExecDone",
		[MGR_EXEC_UNREACHABLE] = "shugoMgrExecUnreachable",
	};

	if ((int)type < 1 || (int)type > MGR_NOTIF_MAX)
		return NULL;
	return names[type];
}

const char *lr_origin_name(enum lr_origin o)
{
	switch (o) {
	case LR_AGENT: return "agent";
	case LR_FOREIGN: return "foreign";
	case LR_MANAGER: return "manager";
	case LR_REPLAY: return "replay";
	case LR_TRAPD: return "trapd";
	}
	return "unknown";
}
