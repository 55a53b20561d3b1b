/* Warning/critical thresholds with hysteresis. Values are in hundredths
 * (8150 = 81.50 % or a load of 81.50), higher is worse. Pure. */
#ifndef SHUGO_THRESHOLD_H
#define SHUGO_THRESHOLD_H

#include <stdbool.h>
#include <stdint.h>

/* Values are shugoResState's. */
enum thr_state {
	THR_OK = 1,
	THR_WARNING = 2,
	THR_CRITICAL = 3,
	THR_UNKNOWN = 4,
};

struct thr {
	uint32_t warning;    /* enter WARNING at value >= warning */
	uint32_t critical;   /* enter CRITICAL at value >= critical */
	uint32_t hysteresis; /* leave a state only below its threshold - hysteresis */
};

/* New state from the current one and a fresh value. valid=false -> THR_UNKNOWN.
 * Escalation is immediate; de-escalation needs the value to drop below the
 * threshold of the current state minus the hysteresis, and then lands on the
 * state the value reaches with every threshold lowered by the hysteresis. */
enum thr_state thr_eval(const struct thr *t, enum thr_state cur, uint32_t value, bool valid);
/* NULL if consistent, else what is wrong ("warning above critical"). */
const char *thr_check(const struct thr *t);
const char *thr_state_name(enum thr_state s);

#endif
