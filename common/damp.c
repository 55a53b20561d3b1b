/* Damping ("at most N events within W ms"): a ring of the times of the events
 * allowed so far. An event stays in the window while it is younger than W, so
 * one that happened exactly W ms ago no longer counts. Pure. */
#include <string.h>
#include "damp.h"

void damp_init(struct damp *d)
{
	memset(d, 0, sizeof(*d));
}

static bool damp_inside(uint64_t t, uint64_t window_ms, uint64_t now_ms)
{
	/* A time after now (a clock that stepped back) counts as inside: better to
	 * damp once too often than to let a crash loop through. */
	return t > now_ms || now_ms - t < window_ms;
}

unsigned damp_count(const struct damp *d, uint64_t window_ms, uint64_t now_ms)
{
	unsigned c = 0;

	for (unsigned i = 0; i < d->n; i++)
		if (damp_inside(d->t[(d->head + i) % DAMP_MAX], window_ms, now_ms))
			c++;
	return c;
}

bool damp_allow(struct damp *d, unsigned limit, uint64_t window_ms, uint64_t now_ms)
{
	unsigned kept = 0;

	if (limit == 0)
		return true;
	if (limit > DAMP_MAX)
		limit = DAMP_MAX;
	/* Drop what left the window, keeping order. Every entry is examined, not
	 * just the oldest, so that a clock step cannot strand stale entries. */
	for (unsigned i = 0; i < d->n; i++) {
		uint64_t t = d->t[(d->head + i) % DAMP_MAX];
		if (damp_inside(t, window_ms, now_ms))
			d->t[(d->head + kept++) % DAMP_MAX] = t;
	}
	d->n = kept;
	/* The limit may have been lowered by a reload below what is held. */
	if (d->n >= limit)
		return false;
	d->t[(d->head + d->n) % DAMP_MAX] = now_ms;
	d->n++;
	return true;
}
