/* Notification routing decisions, pure: which routes take a central log
 * record, whether a route lets it through (the same event already delivered
 * within the window, a flapping source held back), and how delivery falls
 * back from one destination group to the next (JP10247911 Fig. 4 and Fig. 7).
 * The caller passes the time; nothing here does I/O. */
#ifndef SHUGO_ROUTE_H
#define SHUGO_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "logrec.h"

#define ROUTE_GROUP_MAX 64 /* destinations in one group (the config's limit) */

/* Whether r's fields satisfy m (severity aside: see route_gate_match). */
bool route_match_fields(const struct cfg_route_match *m, const struct log_rec *r);

/* A route's memory: the events it delivered within its dedup window, the
 * alarms it delivered that are not cleared yet, and per source (node,
 * object) the damping window. Bounded; free with route_gate_free. */
struct route_gate;
struct route_gate *route_gate_new(void);
void route_gate_free(struct route_gate *g);

/* Whether route rt takes r: its fields match and its severity is at least
 * the route's, or r clears an alarm this route delivered (a clear follows
 * the alarm it clears even below the route's severity). */
bool route_gate_match(struct route_gate *g, const struct cfg_route *rt, const struct log_rec *r);

enum route_verdict {
	RV_DELIVER = 1, /* hand it on */
	RV_DUPLICATE,   /* the same event was delivered within the dedup window */
	RV_DAMPED,      /* its source is flapping: held back, counted */
};
/* The verdict for a record route rt takes, at now_ms; a delivered record is
 * remembered (dedup window, damping window, open alarms). The clear of an
 * alarm the route delivered is never a duplicate. *held is set to
 * how many records of the same source were held back before this one and
 * are told with it (0 normally). */
enum route_verdict route_gate_check(struct route_gate *g, const struct cfg_route *rt, const struct log_rec *r,
				    int64_t now_ms, uint32_t *held);

/* A source whose damping window has passed with records held back: the
 * newest of them is to be delivered now, telling how many were held, so the
 * destination ends up with the source's latest state. Returns true and fills
 * *log_id and *held for one such source (call again for the next), false
 * when there is none. */
bool route_gate_release(struct route_gate *g, const struct cfg_route *rt, int64_t now_ms, int64_t *log_id,
			uint32_t *held);

/* Delivery of one record along one route: the groups in priority order, the
 * current group's destinations each skipped, pending, acknowledged or
 * failed. */
enum rjob_dest { RJD_IDLE = 0, RJD_SKIPPED, RJD_PENDING, RJD_OK, RJD_FAILED };

struct rjob {
	const struct cfg_route *rt;
	size_t group; /* current group, index into rt->groups */
	uint8_t st[ROUTE_GROUP_MAX]; /* enum rjob_dest, per destination of the group */
	unsigned pending, ok, failed;
	uint32_t skipped; /* bit g: group g was passed over, every destination unavailable */
};

enum rjob_next {
	RJ_WAIT = 1,  /* attempts of the current group are still pending */
	RJ_ATTEMPT,   /* start every RJD_PENDING destination of the current group */
	RJ_DELIVERED, /* the current group acknowledged: done */
	RJ_FAILED,    /* every group failed or was skipped: done */
};

/* Whether destination dest (index into routing.dests) can be tried now: its
 * node is not down or stopped. */
typedef bool (*rjob_avail_fn)(size_t dest, void *arg);

/* Begin at group `first` (0 normally; a later one to resume): groups whose
 * destinations are all unavailable are skipped (S7-3). */
enum rjob_next rjob_start(struct rjob *j, const struct cfg_route *rt, size_t first, rjob_avail_fn avail, void *arg);
/* The outcome of the attempt on destination k (index within the current
 * group). When the group is judged and failed, the next group is begun. */
enum rjob_next rjob_result(struct rjob *j, size_t k, bool ok, rjob_avail_fn avail, void *arg);

/* Whether a failed delivery of r raises a "notification failed" event: not
 * when r is itself one (that would never end: S7-12). */
bool route_failure_raises(const struct log_rec *r);

#endif
