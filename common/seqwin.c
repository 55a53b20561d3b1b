/* Duplicate detection for one node's sequence numbers: an exact record of the
 * SEQWIN_BITS positions above base. A verdict of DUP makes trapd drop the
 * notification without storing it, so DUP is given only for a sequence this
 * window itself saw; everything it cannot vouch for is UNSURE. Pure. */
#include <string.h>
#include "seqwin.h"

#define SEQWIN_WORDS (SEQWIN_BITS / 64)

void seqwin_init(struct seqwin *w)
{
	memset(w, 0, sizeof(*w));
}

static bool bit_get(const struct seqwin *w, uint32_t i)
{
	return (w->bits[i / 64] >> (i % 64)) & 1u;
}

static void bit_set(struct seqwin *w, uint32_t i)
{
	w->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Move the window up by n positions: bit i becomes bit i - n. */
static void slide(struct seqwin *w, uint32_t n)
{
	uint32_t words = n / 64, shift = n % 64;

	w->base += n;
	if (n >= SEQWIN_BITS) {
		memset(w->bits, 0, sizeof(w->bits));
		return;
	}
	for (uint32_t i = 0; i < SEQWIN_WORDS; i++) {
		uint64_t lo = i + words < SEQWIN_WORDS ? w->bits[i + words] : 0;
		uint64_t hi = i + words + 1 < SEQWIN_WORDS ? w->bits[i + words + 1] : 0;
		w->bits[i] = shift ? (lo >> shift) | (hi << (64 - shift)) : lo;
	}
}

/* A boot's first sequence starts the window just below it, so that what
 * arrives next (in order, or reordered upward) is judged exactly. */
static void restart(struct seqwin *w, uint32_t boot, uint32_t seq)
{
	memset(w->bits, 0, sizeof(w->bits));
	w->used = true;
	w->boot = boot;
	w->base = seq - 1;
	bit_set(w, 0);
}

enum seqwin_verdict seqwin_check(struct seqwin *w, uint32_t boot, uint32_t seq)
{
	/* Sequence 0 is "no sequence" (not from an agent's log): not judged. */
	if (seq == 0)
		return SEQWIN_UNSURE;
	if (!w->used || boot > w->boot) {
		restart(w, boot, seq);
		return SEQWIN_NEW;
	}
	/* A late notification from before the agent restarted. */
	if (boot < w->boot)
		return SEQWIN_UNSURE;

	/* Distances in modular arithmetic (RFC 1982 style), so the window keeps
	 * working across the wrap of a 32-bit sequence: up to half the space
	 * above base is ahead, the rest is behind. */
	uint32_t d = seq - w->base;
	if (d == 0 || d > UINT32_MAX / 2)
		/* At or below base: either slid out of the window or older than the
		 * first sequence seen. Seen or not, this window no longer knows, and
		 * a wrong DUP would lose the notification: the store decides. */
		return SEQWIN_UNSURE;
	if (d > SEQWIN_BITS) {
		/* Ahead of the window: slide it just enough for seq to be its last
		 * position. What slides out below is forgotten (UNSURE from now
		 * on), never assumed seen. */
		slide(w, d - SEQWIN_BITS);
		d = SEQWIN_BITS;
	}
	if (bit_get(w, d - 1))
		return SEQWIN_DUP;
	bit_set(w, d - 1);
	return SEQWIN_NEW;
}
