/* The manager's in-memory view of the cluster (see model.h): looking nodes up
 * by name and keeping the ring of the newest central log records. The nodes
 * are sorted in the order of their MIB index (a ShugoName index is its length,
 * then its octets: shorter names first, then byte order), so one binary search
 * serves both model_node and the SHUGO-MANAGER-MIB's GETNEXT. */
#include <string.h>
#include "cluster.h"
#include "model.h"

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
