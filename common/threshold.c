/* Resource verdicts: warning/critical thresholds with a hysteresis band, so a
 * value wandering around a threshold raises one alarm, not one per sample.
 * Pure. */
#include <stddef.h>
#include "threshold.h"

/* Severity order of the states; UNKNOWN sits outside it. */
static int thr_rank(enum thr_state s)
{
	switch (s) {
	case THR_OK: return 0;
	case THR_WARNING: return 1;
	case THR_CRITICAL: return 2;
	default: return -1;
	}
}

static uint32_t thr_lower(uint32_t threshold, uint32_t by)
{
	return threshold > by ? threshold - by : 0;
}

static enum thr_state thr_level(uint32_t warning, uint32_t critical, uint32_t value)
{
	if (value >= critical)
		return THR_CRITICAL;
	if (value >= warning)
		return THR_WARNING;
	return THR_OK;
}

enum thr_state thr_eval(const struct thr *t, enum thr_state cur, uint32_t value, bool valid)
{
	if (!valid)
		return THR_UNKNOWN;
	/* Both thresholds unset: the resource is shown but never alarmed. */
	if (t->warning == 0 && t->critical == 0)
		return THR_OK;

	enum thr_state raw = thr_level(t->warning, t->critical, value);
	int cur_rank = thr_rank(cur);
	if (cur_rank < 0 || thr_rank(raw) >= cur_rank)
		return raw; /* from UNKNOWN, same level, or escalation: immediate */

	uint32_t cur_thr = cur == THR_CRITICAL ? t->critical : t->warning;
	if ((uint64_t)value + t->hysteresis >= cur_thr)
		return cur; /* still inside the band below the current threshold */
	return thr_level(thr_lower(t->warning, t->hysteresis), thr_lower(t->critical, t->hysteresis),
			 value);
}

const char *thr_check(const struct thr *t)
{
	if (t->warning == 0 && t->critical == 0)
		return NULL;
	/* A zero warning with a critical set would keep the resource in warning
	 * forever; to alarm only at critical, set warning equal to critical. */
	if (t->warning == 0)
		return "warning must be set when critical is";
	if (t->warning > t->critical)
		return "warning is above critical";
	if (t->hysteresis >= t->warning)
		return "hysteresis must be below warning";
	return NULL;
}

const char *thr_state_name(enum thr_state s)
{
	switch (s) {
	case THR_OK: return "ok";
	case THR_WARNING: return "warning";
	case THR_CRITICAL: return "critical";
	case THR_UNKNOWN: return "unknown";
	}
	return "unknown";
}
