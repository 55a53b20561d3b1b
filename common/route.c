/* Routing decisions: selectors, the per-route gate (dedup window, damping of
 * flapping sources, alarms delivered and not yet cleared) and the fallback
 * from one destination group to the next. Tables are fixed-size and probed a
 * bounded number of slots, so a storm of distinct events costs the same as a
 * quiet day: the oldest entry makes room. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "damp.h"
#include "route.h"

#define KEY_SLOTS 4096  /* dedup keys and open alarms, each */
#define SRC_SLOTS 1024  /* damped sources */
#define PROBE 64        /* slots looked at per lookup */
#define CLOSED INT64_MIN /* an open-alarm slot whose alarm was cleared */

struct key_slot {
	uint64_t h;     /* 0 = empty */
	int64_t until;  /* dedup: end of the window; alarms: when it was raised */
};

struct src_slot {
	uint64_t h;     /* 0 = empty */
	int64_t last_ms;
	struct damp d;
	uint32_t held;   /* records held back since the last delivery */
	int64_t held_id; /* the newest of them */
};

struct route_gate {
	struct key_slot dedup[KEY_SLOTS];
	struct key_slot open[KEY_SLOTS];
	struct src_slot *src; /* SRC_SLOTS, allocated on the first damped route use */
};

/* ---- selectors ---- */

static bool any_match(char *const *pats, size_t n, const char *s, const char *alt)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], s, 0) == 0 || (alt && alt[0] && fnmatch(pats[i], alt, 0) == 0))
			return true;
	return false;
}

bool route_match_fields(const struct cfg_route_match *m, const struct log_rec *r)
{
	if (m->origins && !(m->origins & 1u << r->origin))
		return false;
	/* a type by its name or by its trap OID ("shugoMgr*", ".1.3.6.1.4.1.9.*") */
	return any_match(m->types, m->n_types, r->type_name, r->trap_oid) &&
	       any_match(m->nodes, m->n_nodes, r->node, NULL) && any_match(m->objects, m->n_objects, r->object, NULL) &&
	       any_match(m->states, m->n_states, r->state, NULL);
}

/* ---- keys ---- */

static uint64_t fnv(uint64_t h, const char *s)
{
	/* FNV-1a; the terminating NUL is hashed too, so ("ab","c") != ("a","bc") */
	do {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	} while (*s++);
	return h;
}

static uint64_t key_of(const char *const *parts, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = fnv(h, parts[i]);
	return h ? h : 1; /* 0 marks an empty slot */
}

static const char *type_of(const struct log_rec *r)
{
	return r->type_name[0] ? r->type_name : r->trap_oid;
}

/* The slot holding h, or NULL. */
static struct key_slot *key_find(struct key_slot *t, uint64_t h)
{
	for (size_t i = 0; i < PROBE; i++) {
		struct key_slot *s = &t[(h + i) % KEY_SLOTS];
		if (s->h == h)
			return s;
		if (s->h == 0)
			return NULL;
	}
	return NULL;
}

/* A slot for h: its own, an empty one, or the one with the oldest `until`
 * among those probed (dedup entries past their window go first). */
static struct key_slot *key_take(struct key_slot *t, uint64_t h)
{
	struct key_slot *victim = NULL;

	for (size_t i = 0; i < PROBE; i++) {
		struct key_slot *s = &t[(h + i) % KEY_SLOTS];
		if (s->h == h || s->h == 0)
			return s;
		if (!victim || s->until < victim->until)
			victim = s;
	}
	return victim;
}

static uint64_t source_key(const struct log_rec *r)
{
	const char *parts[] = {r->node, r->object[0] ? r->object : r->source};
	return key_of(parts, 2);
}

/* ---- the gate ---- */

struct route_gate *route_gate_new(void)
{
	return calloc(1, sizeof(struct route_gate));
}

void route_gate_free(struct route_gate *g)
{
	if (!g)
		return;
	free(g->src);
	free(g);
}

bool route_gate_match(struct route_gate *g, const struct cfg_route *rt, const struct log_rec *r)
{
	struct key_slot *s;

	if (!route_match_fields(&rt->match, r))
		return false;
	if (!rt->match.min_sev || r->sev >= rt->match.min_sev)
		return true;
	/* below the route's severity: only the clear of an alarm it delivered */
	return r->sev == SEV_CLEAR && (s = key_find(g->open, source_key(r))) && s->until != CLOSED;
}

static void note_open(struct route_gate *g, const struct cfg_route *rt, const struct log_rec *r, int64_t now_ms)
{
	uint64_t h = source_key(r);
	struct key_slot *s;

	(void)rt;
	if (r->sev == SEV_CLEAR) {
		if ((s = key_find(g->open, h)))
			s->until = CLOSED; /* first to be reused; not emptied, so probes go on past it */
		return;
	}
	if ((s = key_take(g->open, h))) {
		s->h = h;
		s->until = now_ms;
	}
}

static struct src_slot *src_take(struct route_gate *g, uint64_t h)
{
	struct src_slot *victim = NULL;

	for (size_t i = 0; i < PROBE; i++) {
		struct src_slot *s = &g->src[(h + i) % SRC_SLOTS];
		if (s->h == h)
			return s;
		if (s->h == 0) {
			victim = s;
			break;
		}
		/* a quiet source goes before one with records held back */
		if (!victim || (victim->held && !s->held) || (!victim->held == !s->held && s->last_ms < victim->last_ms))
			victim = s;
	}
	if (victim) {
		memset(victim, 0, sizeof *victim);
		victim->h = h;
		damp_init(&victim->d);
	}
	return victim;
}

enum route_verdict route_gate_check(struct route_gate *g, const struct cfg_route *rt, const struct log_rec *r,
				    int64_t now_ms, uint32_t *held)
{
	uint64_t dkey = 0;
	struct key_slot *ds = NULL;
	struct src_slot *src = NULL;

	*held = 0;
	if (rt->dedup_ms) {
		const char *parts[] = {type_of(r), r->object, r->state, r->detail, rt->dedup_per_node ? r->node : ""};
		dkey = key_of(parts, 5);
		/* The clear of an alarm this route delivered is never a duplicate:
		 * the same "cpu back to normal" from two nodes ends two alarms. */
		bool closes = r->sev == SEV_CLEAR && (ds = key_find(g->open, source_key(r))) && ds->until != CLOSED;
		if (!closes && (ds = key_find(g->dedup, dkey)) && ds->until > now_ms)
			return RV_DUPLICATE;
	}
	if (rt->damp_events) {
		if (!g->src && !(g->src = calloc(SRC_SLOTS, sizeof *g->src)))
			return RV_DELIVER; /* no memory for the window: deliver rather than lose */
		if ((src = src_take(g, source_key(r)))) {
			src->last_ms = now_ms;
			if (!damp_allow(&src->d, rt->damp_events, rt->damp_window_ms, (uint64_t)now_ms)) {
				src->held++;
				src->held_id = r->id;
				return RV_DAMPED;
			}
			*held = src->held;
			src->held = 0;
			src->held_id = 0;
		}
	}
	if (rt->dedup_ms && (ds = key_take(g->dedup, dkey))) {
		ds->h = dkey;
		ds->until = now_ms + rt->dedup_ms;
	}
	note_open(g, rt, r, now_ms);
	return RV_DELIVER;
}

bool route_gate_release(struct route_gate *g, const struct cfg_route *rt, int64_t now_ms, int64_t *log_id,
			uint32_t *held)
{
	if (!g->src || !rt->damp_events)
		return false;
	for (size_t i = 0; i < SRC_SLOTS; i++) {
		struct src_slot *s = &g->src[i];
		if (!s->h || !s->held ||
		    !damp_allow(&s->d, rt->damp_events, rt->damp_window_ms, (uint64_t)now_ms))
			continue;
		*log_id = s->held_id;
		*held = s->held - 1; /* the others: the newest is the one delivered */
		s->held = 0;
		s->held_id = 0;
		return true;
	}
	return false;
}

/* ---- fallback ---- */

/* Begin group j->group or the first one after it with a destination that
 * can be tried. */
static enum rjob_next begin(struct rjob *j, rjob_avail_fn avail, void *arg)
{
	for (; j->group < j->rt->n_groups; j->group++) {
		const struct cfg_route_group *grp = &j->rt->groups[j->group];
		j->pending = j->ok = j->failed = 0;
		for (size_t k = 0; k < grp->n && k < ROUTE_GROUP_MAX; k++) {
			bool up = !avail || avail(grp->dest[k], arg);
			j->st[k] = up ? RJD_PENDING : RJD_SKIPPED;
			j->pending += up;
		}
		if (j->pending)
			return RJ_ATTEMPT;
		if (j->group < 32)
			j->skipped |= 1u << j->group;
	}
	return RJ_FAILED;
}

enum rjob_next rjob_start(struct rjob *j, const struct cfg_route *rt, size_t first, rjob_avail_fn avail, void *arg)
{
	memset(j, 0, sizeof *j);
	j->rt = rt;
	j->group = first;
	return begin(j, avail, arg);
}

enum rjob_next rjob_result(struct rjob *j, size_t k, bool ok, rjob_avail_fn avail, void *arg)
{
	bool delivered;

	if (j->group >= j->rt->n_groups || k >= ROUTE_GROUP_MAX || j->st[k] != RJD_PENDING)
		return j->pending ? RJ_WAIT : RJ_FAILED; /* not an attempt of this group: ignored */
	j->st[k] = ok ? RJD_OK : RJD_FAILED;
	j->pending--;
	if (ok)
		j->ok++;
	else
		j->failed++;
	if (j->pending)
		return RJ_WAIT;
	/* the group is judged once every attempt in it has ended */
	delivered = j->rt->need_all ? j->failed == 0 : j->ok > 0;
	if (delivered)
		return RJ_DELIVERED;
	j->group++;
	return begin(j, avail, arg);
}

bool route_failure_raises(const struct log_rec *r)
{
	return !((r->origin == LR_MANAGER) && r->type == MGR_NOTIFY_FAILED);
}
