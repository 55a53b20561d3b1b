/* The manager's in-memory view of the cluster (see model.h): looking nodes up
 * by name and keeping the ring of the newest central log records. The nodes
 * are sorted in the order of their MIB index (a ShugoName index is its length,
 * then its octets: shorter names first, then byte order), so one binary search
 * serves both model_node and the SHUGO-MANAGER-MIB's GETNEXT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cluster.h"
#include "model.h"
#include "shugo_mgr_oids.h"

struct mgr_model *mgr_model;

int model_name_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(a, b, la);
}

struct mgr_node *model_node(struct mgr_model *m, const char *name)
{
	size_t lo = 0, hi;

	if (!m || !name)
		return NULL;
	hi = m->n_nodes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = model_name_cmp(m->nodes[mid].name, name);
		if (c == 0)
			return &m->nodes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void model_log_push(struct mgr_model *m, const struct log_rec *r)
{
	if (!m || !m->ring || m->ring_cap == 0)
		return;
	if (m->ring_len == m->ring_cap) { /* full: the oldest makes room */
		m->ring[m->ring_head] = *r;
		m->ring_head = (m->ring_head + 1) % m->ring_cap;
		return;
	}
	m->ring[(m->ring_head + m->ring_len) % m->ring_cap] = *r;
	m->ring_len++;
}

static const struct log_rec *ring_at(const struct mgr_model *m, size_t i)
{
	return &m->ring[(m->ring_head + i) % m->ring_cap];
}

/* The ring holds records in arrival order, so their ids ascend: a binary
 * search finds the first record whose id is >= id. */
const struct log_rec *model_log_find(const struct mgr_model *m, int64_t id, bool next)
{
	size_t lo = 0, hi;

	if (!m || !m->ring || m->ring_len == 0)
		return NULL;
	hi = m->ring_len;
	if (next) {
		if (id == INT64_MAX)
			return NULL;
		id++;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ring_at(m, mid)->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m->ring_len)
		return NULL;
	if (!next && ring_at(m, lo)->id != id)
		return NULL;
	return ring_at(m, lo);
}

int model_exec_cmp(const struct mgr_exec_row *a, const struct mgr_exec_row *b)
{
	int c = model_name_cmp(a->run.request, b->run.request);

	return c ? c : model_name_cmp(a->run.node, b->run.node);
}

static int exec_qcmp(const void *x, const void *y)
{
	return model_exec_cmp(x, y);
}

static bool ended(const char *state)
{
	return !strcmp(state, "done") || !strcmp(state, "failed");
}

/* Drop the rows of the oldest ended request while more than keep are there. */
static void exec_trim(struct mgr_model *m, size_t keep)
{
	for (;;) {
		size_t n_ended = 0, k = 0;
		const struct mgr_exec_row *oldest = NULL;
		char id[sizeof oldest->run.request];

		/* rows of one request are adjacent: count each request once */
		for (size_t i = 0; i < m->n_execs; i++) {
			const struct mgr_exec_row *e = &m->execs[i];
			if (!ended(e->req_state) || (i && !strcmp(m->execs[i - 1].run.request, e->run.request)))
				continue;
			n_ended++;
			if (!oldest || e->created_ms < oldest->created_ms)
				oldest = e;
		}
		if (n_ended <= keep || !oldest)
			return;
		memcpy(id, oldest->run.request, sizeof id);
		for (size_t i = 0; i < m->n_execs; i++)
			if (strcmp(m->execs[i].run.request, id))
				m->execs[k++] = m->execs[i];
		m->n_execs = k;
	}
}

int model_exec_set(struct mgr_model *m, const struct store_exec_req *r, const struct store_exec_run *runs,
		   size_t n)
{
	size_t k = 0, add = 0;
	struct mgr_exec_row *v;

	for (size_t i = 0; i < n; i++)
		add += runs[i].attempt > 0;
	/* room first, so that a failure changes nothing */
	if (!(v = realloc(m->execs, (m->n_execs + add + 1) * sizeof *v))) {
		errno = ENOMEM;
		return -1;
	}
	m->execs = v;
	for (size_t i = 0; i < m->n_execs; i++)
		if (strcmp(v[i].run.request, r->id))
			v[k++] = v[i];
	for (size_t i = 0; i < n; i++) {
		struct mgr_exec_row *e;
		/* a row whose index would not fit an OID is not kept */
		if (runs[i].attempt <= 0 || strlen(runs[i].node) > MGR_INDEX_NODE_MAX || !runs[i].request[0])
			continue;
		e = &v[k++];
		memset(e, 0, sizeof *e);
		memcpy(e->program, r->program, sizeof e->program);
		e->place = r->place;
		memcpy(e->req_state, r->state, sizeof e->req_state);
		memcpy(e->requested_by, r->requested_by, sizeof e->requested_by);
		e->created_ms = r->created_ms;
		e->run = runs[i];
	}
	m->n_execs = k;
	qsort(m->execs, m->n_execs, sizeof *m->execs, exec_qcmp);
	exec_trim(m, MGR_EXEC_ENDED_KEEP);
	return 0;
}

void model_exec_free(struct mgr_model *m)
{
	free(m->execs);
	m->execs = NULL;
	m->n_execs = 0;
}
