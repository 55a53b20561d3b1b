/* Liveness of one node as the manager sees it: polls answered or missed and
 * notifications heard, judged over a window (JP10320338 monitor process with
 * interval, response wait and retries; JP2001036552 down/restore notices with
 * the recovery-wait latch, so one notice per outage, and a healed partition is
 * a restore too; an orderly shutdown stops the judging and is not an alarm).
 * Pure: step(state, input, now) -> new state + action. */
#ifndef SHUGO_NODE_FSM_H
#define SHUGO_NODE_FSM_H

#include <stdint.h>

enum node_state {
	NODE_UNKNOWN = 1, /* never heard from since the manager started */
	NODE_UP = 2,
	NODE_SUSPECT = 3, /* a poll went unanswered; the window is running */
	NODE_DOWN = 4,    /* a whole window without an answer or a notification */
	NODE_STOPPED = 5, /* the agent announced an orderly shutdown */
};

enum node_input {
	NODE_IN_ANSWER = 1,  /* the agent answered a poll */
	NODE_IN_HEARD,       /* a notification from the node arrived */
	NODE_IN_MISS,        /* a poll went unanswered after its retries, or snmpd
			      * answered without the agent behind it */
	NODE_IN_TICK,        /* time passed: judge the window */
	NODE_IN_AGENT_STOP,  /* shugoAgentStop: orderly shutdown */
	NODE_IN_AGENT_START, /* shugoAgentStart */
};

enum node_action {
	NODE_ACT_NONE = 0,
	NODE_ACT_FIRST,    /* first contact since the manager started (unknown -> up) */
	NODE_ACT_DOWN,     /* raise node down (once per outage) */
	NODE_ACT_RESTORED, /* down -> up */
	NODE_ACT_STOPPED,  /* orderly shutdown seen */
	NODE_ACT_STARTED,  /* stopped -> up */
	NODE_ACT_REBOOTED, /* up with a new boot count and no down in between */
};

struct node_fsm {
	enum node_state state;
	int64_t window_ms;     /* down after this long without hearing from the node */
	int64_t last_heard_ms; /* last answer/notification; the start time while unknown */
	int64_t since_ms;      /* when the current state was entered */
	uint32_t boot;         /* last boot count seen; 0 = not known */
};

void node_fsm_init(struct node_fsm *f, int64_t window_ms, int64_t now_ms);
/* boot: the boot count the input carried, 0 when it carried none. */
enum node_action node_fsm_step(struct node_fsm *f, enum node_input in, uint32_t boot, int64_t now_ms);
const char *node_state_name(enum node_state s);   /* "up", ...; "invalid" */
const char *node_action_name(enum node_action a); /* "down", ...; "none" */

#endif
