/* The manager's judgement of one node's liveness: contact (a poll answered, a
 * notification heard, an agent start) brings it up, a whole window without
 * contact brings it down once per outage, an orderly shutdown parks it. Pure. */
#include <stdbool.h>
#include "node_fsm.h"

void node_fsm_init(struct node_fsm *f, int64_t window_ms, int64_t now_ms)
{
	f->state = NODE_UNKNOWN;
	f->window_ms = window_ms;
	/* While unknown, the window runs from the start: a node that is down when
	 * the manager starts is reported after one window, like any other. */
	f->last_heard_ms = now_ms;
	f->since_ms = now_ms;
	f->boot = 0;
}

static void enter(struct node_fsm *f, enum node_state s, int64_t now_ms)
{
	if (f->state != s) {
		f->state = s;
		f->since_ms = now_ms;
	}
}

/* Contact of any kind. Whatever the node was, it is up now; what is worth a
 * notice depends on where it came from (JP2001036552: the restore notice is
 * given only from down, so each outage has exactly one down and one restore). */
static enum node_action contact(struct node_fsm *f, uint32_t boot, int64_t now_ms)
{
	bool rebooted = boot != 0 && f->boot != 0 && boot != f->boot;
	enum node_state from = f->state;

	f->last_heard_ms = now_ms;
	if (boot != 0)
		f->boot = boot;
	enter(f, NODE_UP, now_ms);
	switch (from) {
	case NODE_UNKNOWN:
		return NODE_ACT_FIRST;
	case NODE_DOWN:
		/* A restart and a healed partition look alike here: both are a
		 * restore. The new boot count is kept all the same. */
		return NODE_ACT_RESTORED;
	case NODE_STOPPED:
		return NODE_ACT_STARTED;
	case NODE_UP:
	case NODE_SUSPECT:
		/* The agent restarted between two polls, faster than a window: no
		 * down was seen, but its processes did restart. */
		return rebooted ? NODE_ACT_REBOOTED : NODE_ACT_NONE;
	}
	return NODE_ACT_NONE;
}

/* A whole window without contact is a down; only states that still expect
 * contact are judged (a stopped node was announced, a down one is already
 * reported). */
static enum node_action judge(struct node_fsm *f, int64_t now_ms)
{
	switch (f->state) {
	case NODE_UNKNOWN:
	case NODE_UP:
	case NODE_SUSPECT:
		if (now_ms - f->last_heard_ms >= f->window_ms) {
			enter(f, NODE_DOWN, now_ms);
			return NODE_ACT_DOWN;
		}
		return NODE_ACT_NONE;
	case NODE_DOWN:
	case NODE_STOPPED:
		return NODE_ACT_NONE;
	}
	return NODE_ACT_NONE;
}

enum node_action node_fsm_step(struct node_fsm *f, enum node_input in, uint32_t boot, int64_t now_ms)
{
	switch (in) {
	case NODE_IN_ANSWER:
	case NODE_IN_HEARD:
	case NODE_IN_AGENT_START:
		return contact(f, boot, now_ms);
	case NODE_IN_MISS:
		if (f->state == NODE_UP)
			enter(f, NODE_SUSPECT, now_ms);
		return judge(f, now_ms);
	case NODE_IN_TICK:
		return judge(f, now_ms);
	case NODE_IN_AGENT_STOP:
		/* The stop notification is itself contact from the node. */
		f->last_heard_ms = now_ms;
		if (boot != 0)
			f->boot = boot;
		if (f->state == NODE_STOPPED)
			return NODE_ACT_NONE;
		enter(f, NODE_STOPPED, now_ms);
		return NODE_ACT_STOPPED;
	}
	return NODE_ACT_NONE;
}

const char *node_state_name(enum node_state s)
{
	switch (s) {
	case NODE_UNKNOWN: return "unknown";
	case NODE_UP: return "up";
	case NODE_SUSPECT: return "suspect";
	case NODE_DOWN: return "down";
	case NODE_STOPPED: return "stopped";
	}
	return "invalid";
}

const char *node_action_name(enum node_action a)
{
	switch (a) {
	case NODE_ACT_NONE: return "none";
	case NODE_ACT_FIRST: return "first";
	case NODE_ACT_DOWN: return "down";
	case NODE_ACT_RESTORED: return "restored";
	case NODE_ACT_STOPPED: return "stopped";
	case NODE_ACT_STARTED: return "started";
	case NODE_ACT_REBOOTED: return "rebooted";
	}
	return "none";
}
