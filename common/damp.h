/* Damping: "at most N events within W milliseconds". Used for restarts of a
 * supervised process (N restarts within W seconds -> failed + alarm) and, later,
 * for failovers. Pure: the caller passes the time. */
#ifndef SHUGO_DAMP_H
#define SHUGO_DAMP_H

#include <stdbool.h>
#include <stdint.h>

#define DAMP_MAX 64 /* largest N the config accepts */

struct damp {
	uint64_t t[DAMP_MAX]; /* ring of event times, ms */
	unsigned head, n;
};

void damp_init(struct damp *d);
/* Ask to do one more event at now_ms. Events older than window_ms are forgotten.
 * If fewer than limit events remain in the window, the event is recorded and
 * true is returned; otherwise nothing is recorded and false is returned.
 * limit 0 means "no damping": always true (and nothing is kept). */
bool damp_allow(struct damp *d, unsigned limit, uint64_t window_ms, uint64_t now_ms);
/* Events still inside the window at now_ms. */
unsigned damp_count(const struct damp *d, uint64_t window_ms, uint64_t now_ms);

#endif
