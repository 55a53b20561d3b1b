/* Per-source rate limiting for trapd: a token bucket per source; what it turns
 * away is counted and reported as one summary event per interval instead of a
 * flood. Pure: the caller passes the time. */
#ifndef SHUGO_RATELIMIT_H
#define SHUGO_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rl_conf {
	uint32_t rate;  /* sustained traps per second per source; 0 = no limit */
	uint32_t burst; /* bucket size */
};

struct rl_bucket {
	uint64_t milli_tokens;   /* tokens * 1000 */
	int64_t last_ms;         /* last refill */
	uint64_t suppressed;     /* turned away since the last summary */
	int64_t first_suppressed_ms;
	int64_t last_summary_ms;
};

void rl_init(struct rl_bucket *b, const struct rl_conf *c, int64_t now_ms);
/* true: let it through; false: turned away (counted). */
bool rl_admit(struct rl_bucket *b, const struct rl_conf *c, int64_t now_ms);
/* When something was turned away and interval_ms has passed since the last
 * summary (or the first suppression), returns the count and since when
 * (*since_ms), and starts a new interval; 0 otherwise. */
uint64_t rl_summary_due(struct rl_bucket *b, int64_t now_ms, int64_t interval_ms, int64_t *since_ms);

#endif
