/* Which sequence numbers of one node trapd has already seen, to drop duplicate
 * notifications (an INFORM re-sent because its ack was lost) before they cost a
 * store write. A sliding window above a base below which everything was seen.
 * What falls outside the window (much older, or an older boot) is not judged
 * here: the store's unique (node, boot, seq) decides. Pure. */
#ifndef SHUGO_SEQWIN_H
#define SHUGO_SEQWIN_H

#include <stdbool.h>
#include <stdint.h>

#define SEQWIN_BITS 1024

struct seqwin {
	bool used;
	uint32_t boot;
	uint32_t base;    /* the window covers base + 1 .. base + SEQWIN_BITS; what is at or
			   * below it is not remembered (UNSURE: the store decides) */
	uint64_t bits[SEQWIN_BITS / 64]; /* bit i: base + 1 + i seen */
};

enum seqwin_verdict {
	SEQWIN_NEW = 1, /* first time: recorded as seen */
	SEQWIN_DUP = 2, /* seen before */
	SEQWIN_UNSURE = 3, /* outside what the window remembers: let the store decide */
};

void seqwin_init(struct seqwin *w);
enum seqwin_verdict seqwin_check(struct seqwin *w, uint32_t boot, uint32_t seq);

#endif
