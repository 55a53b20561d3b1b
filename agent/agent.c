/* The agent instance, its clocks, and applying a configuration (first load and
 * SIGHUP reload: all of a file or none of it). */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <string.h>
#include <time.h>
#include "agent.h"
#include "emit.h"
#include "log.h"
#include "notify.h"
#include "procs.h"
#include "resources.h"
#include "strutil.h"

static struct agent the_agent;

struct agent *agent_get(void)
{
	return &the_agent;
}

uint64_t agent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t agent_wall(void)
{
	return (int64_t)time(NULL);
}

int agent_name_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(a, b, la);
}
