/* Token bucket per trap source, counted in thousandths of a token so that a
 * rate in traps per second refills exactly `rate` milli-tokens per millisecond,
 * and the summary of what it turned away. Pure: the caller passes the time. */
#include <stddef.h>
#include "ratelimit.h"

/* A bucket holds at least one token: a burst of 0 would turn everything away,
 * which is not what a configured rate means. */
static uint64_t cap_of(const struct rl_conf *c)
{
	return (uint64_t)(c->burst ? c->burst : 1) * 1000u;
}

void rl_init(struct rl_bucket *b, const struct rl_conf *c, int64_t now_ms)
{
	b->milli_tokens = cap_of(c);
	b->last_ms = now_ms;
	b->suppressed = 0;
	b->first_suppressed_ms = 0;
	b->last_summary_ms = now_ms;
}

static void refill(struct rl_bucket *b, const struct rl_conf *c, int64_t now_ms)
{
	uint64_t cap = cap_of(c);

	if (now_ms > b->last_ms) {
		uint64_t elapsed = (uint64_t)(now_ms - b->last_ms);
		/* Compare before multiplying: a long idle time times a high rate
		 * would overflow, and the bucket is full long before that. */
		if (elapsed >= cap / c->rate + 1)
			b->milli_tokens = cap;
		else
			b->milli_tokens += elapsed * c->rate;
	}
	/* A clock that stepped back refills nothing; counting restarts from now. */
	b->last_ms = now_ms;
	/* A reload may have made the bucket smaller. */
	if (b->milli_tokens > cap)
		b->milli_tokens = cap;
}

bool rl_admit(struct rl_bucket *b, const struct rl_conf *c, int64_t now_ms)
{
	if (c->rate == 0)
		return true;
	refill(b, c, now_ms);
	if (b->milli_tokens >= 1000) {
		b->milli_tokens -= 1000;
		return true;
	}
	if (b->suppressed++ == 0)
		b->first_suppressed_ms = now_ms;
	return false;
}

/* A summary covers at least one interval and summaries are at least one
 * interval apart: due once interval_ms has passed both since the last summary
 * and since the first suppression it will report. A storm thus gives one
 * summary per interval, and a lone drop after a quiet spell is reported one
 * interval later, with whatever else was dropped meanwhile. */
uint64_t rl_summary_due(struct rl_bucket *b, int64_t now_ms, int64_t interval_ms, int64_t *since_ms)
{
	int64_t from = b->first_suppressed_ms > b->last_summary_ms ? b->first_suppressed_ms
								      : b->last_summary_ms;
	uint64_t n = b->suppressed;

	if (n == 0 || now_ms - from < interval_ms)
		return 0;
	if (since_ms)
		*since_ms = b->first_suppressed_ms;
	b->suppressed = 0;
	b->first_suppressed_ms = 0;
	b->last_summary_ms = now_ms;
	return n;
}
