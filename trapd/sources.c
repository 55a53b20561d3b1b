/* trapd's per-sender memory (see sources.h): two bounded hash tables over one
 * small LRU index, entries in flat arrays allocated once at start, so looking
 * up or replacing a sender never allocates. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "sources.h"

#define NIL UINT32_MAX

/* A hash index with chaining and a least-recently-used list, over entry
 * numbers 0..cap-1; the entries themselves live in the caller's array. */
struct lru {
	uint32_t cap, n, mask;
	uint32_t *bucket;  /* first entry of each chain, NIL = empty */
	uint32_t *chain;   /* next entry in the same chain */
	uint32_t *prev, *next; /* LRU list, most recent first */
	uint64_t *hash;
	uint32_t head, tail;
};

static int lru_init(struct lru *l, size_t cap)
{
	size_t nb = 1;

	if (cap == 0 || cap > (1u << 24)) {
		errno = EINVAL;
		return -1;
	}
	while (nb < cap * 2)
		nb <<= 1;
	memset(l, 0, sizeof *l);
	l->cap = (uint32_t)cap;
	l->mask = (uint32_t)nb - 1;
	l->bucket = malloc(nb * sizeof *l->bucket);
	l->chain = malloc(cap * sizeof *l->chain);
	l->prev = malloc(cap * sizeof *l->prev);
	l->next = malloc(cap * sizeof *l->next);
	l->hash = malloc(cap * sizeof *l->hash);
	if (!l->bucket || !l->chain || !l->prev || !l->next || !l->hash)
		return -1;
	for (size_t i = 0; i < nb; i++)
		l->bucket[i] = NIL;
	l->head = l->tail = NIL;
	return 0;
}

static void lru_fini(struct lru *l)
{
	free(l->bucket);
	free(l->chain);
	free(l->prev);
	free(l->next);
	free(l->hash);
}

static void lru_unlink(struct lru *l, uint32_t i)
{
	if (l->prev[i] != NIL)
		l->next[l->prev[i]] = l->next[i];
	else
		l->head = l->next[i];
	if (l->next[i] != NIL)
		l->prev[l->next[i]] = l->prev[i];
	else
		l->tail = l->prev[i];
}

static void lru_push_front(struct lru *l, uint32_t i)
{
	l->prev[i] = NIL;
	l->next[i] = l->head;
	if (l->head != NIL)
		l->prev[l->head] = i;
	l->head = i;
	if (l->tail == NIL)
		l->tail = i;
}

static void lru_touch(struct lru *l, uint32_t i)
{
	if (l->head == i)
		return;
	lru_unlink(l, i);
	lru_push_front(l, i);
}

/* First entry of h's chain; the caller walks l->chain comparing keys. */
static uint32_t lru_first(const struct lru *l, uint64_t h)
{
	return l->bucket[h & l->mask];
}

/* A slot for a new entry with hash h: a fresh one, or the least recently used
 * one taken out of its chain (*reused set). */
static uint32_t lru_insert(struct lru *l, uint64_t h, bool *reused)
{
	uint32_t i;

	*reused = false;
	if (l->n < l->cap) {
		i = l->n++;
	} else {
		i = l->tail;
		lru_unlink(l, i);
		uint32_t *pp = &l->bucket[l->hash[i] & l->mask];
		while (*pp != i)
			pp = &l->chain[*pp];
		*pp = l->chain[i];
		*reused = true;
	}
	l->hash[i] = h;
	l->chain[i] = l->bucket[h & l->mask];
	l->bucket[h & l->mask] = i;
	lru_push_front(l, i);
	return i;
}

/* A keyed FNV-1a with a final avalanche (splitmix64): cheap, and the random
 * seed keeps a sender from predicting which keys collide. */
static uint64_t hash_bytes(uint64_t seed, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* ---- sources ---- */

struct src_table {
	struct lru idx;
	uint64_t seed;
	struct src_entry *e;
};

struct src_table *src_table_new(size_t cap, uint64_t seed)
{
	struct src_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	if (cap == 0)
		cap = SRC_TABLE_DEFAULT;
	t->seed = seed;
	if (lru_init(&t->idx, cap) < 0 || !(t->e = calloc(cap, sizeof *t->e)))
		goto fail;
	return t;
fail:
	src_table_free(t);
	return NULL;
}

void src_table_free(struct src_table *t)
{
	if (!t)
		return;
	lru_fini(&t->idx);
	free(t->e);
	free(t);
}

int src_key_from_sockaddr(const struct sockaddr *sa, struct src_key *key)
{
	memset(key, 0, sizeof *key);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		key->family = AF_INET;
		memcpy(key->addr, &in->sin_addr, 4);
		key->port = ntohs(in->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		key->family = AF_INET6;
		memcpy(key->addr, &in6->sin6_addr, 16);
		key->port = ntohs(in6->sin6_port);
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

/* net-snmp's transport spelling, so an operator can paste it into a tool. */
void src_key_format(const struct src_key *key, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (key->family == AF_INET6) {
		inet_ntop(AF_INET6, key->addr, a, sizeof a);
		snprintf(buf, size, "udp6:[%s]:%u", a, key->port);
	} else {
		inet_ntop(AF_INET, key->addr, a, sizeof a);
		snprintf(buf, size, "udp:%s:%u", a, key->port);
	}
}

static bool key_eq(const struct src_key *a, const struct src_key *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

struct src_entry *src_get(struct src_table *t, const struct src_key *key, const struct rl_conf *rc,
			  int64_t now_ms, struct src_entry *evicted, bool *had_evicted)
{
	/* hash only the meaningful bytes; the struct may have padding */
	uint8_t raw[1 + 16 + 2] = {key->family};
	memcpy(raw + 1, key->addr, 16);
	raw[17] = (uint8_t)(key->port >> 8);
	raw[18] = (uint8_t)key->port;
	uint64_t h = hash_bytes(t->seed, raw, sizeof raw);
	bool reused;

	*had_evicted = false;
	for (uint32_t i = lru_first(&t->idx, h); i != NIL; i = t->idx.chain[i]) {
		if (t->idx.hash[i] == h && key_eq(&t->e[i].key, key)) {
			lru_touch(&t->idx, i);
			return &t->e[i];
		}
	}
	uint32_t i = lru_insert(&t->idx, h, &reused);
	struct src_entry *e = &t->e[i];
	if (reused && e->rl.suppressed > 0) {
		*evicted = *e;
		*had_evicted = true;
	}
	memset(e, 0, sizeof *e);
	e->key = *key;
	src_key_format(key, e->text, sizeof e->text);
	rl_init(&e->rl, rc, now_ms);
	return e;
}

bool src_inform_seen(const struct src_entry *e, int32_t request_id, int64_t now_ms)
{
	for (size_t i = 0; i < SRC_INFORM_IDS; i++)
		if (e->inform_ms[i] != 0 && e->inform_id[i] == request_id && now_ms - e->inform_ms[i] < SRC_INFORM_MS)
			return true;
	return false;
}

void src_inform_add(struct src_entry *e, int32_t request_id, int64_t now_ms)
{
	e->inform_id[e->inform_next] = request_id;
	e->inform_ms[e->inform_next] = now_ms ? now_ms : 1;
	e->inform_next = (uint8_t)((e->inform_next + 1) % SRC_INFORM_IDS);
}

void src_each(struct src_table *t, void (*fn)(struct src_entry *e, void *arg), void *arg)
{
	for (uint32_t i = 0; i < t->idx.n; i++)
		fn(&t->e[i], arg);
}

size_t src_count(const struct src_table *t)
{
	return t->idx.n;
}

/* ---- nodes ---- */

struct node_entry {
	char name[LR_NODE_MAX + 1];
	struct seqwin win;
};

struct node_table {
	struct lru idx;
	uint64_t seed;
	struct node_entry *e;
};

struct node_table *node_table_new(size_t cap, uint64_t seed)
{
	struct node_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	if (cap == 0)
		cap = NODE_TABLE_DEFAULT;
	t->seed = seed;
	if (lru_init(&t->idx, cap) < 0 || !(t->e = calloc(cap, sizeof *t->e)))
		goto fail;
	return t;
fail:
	node_table_free(t);
	return NULL;
}

void node_table_free(struct node_table *t)
{
	if (!t)
		return;
	lru_fini(&t->idx);
	free(t->e);
	free(t);
}

enum seqwin_verdict node_check(struct node_table *t, const char *node, uint32_t boot, uint32_t seq)
{
	size_t len = strnlen(node, LR_NODE_MAX);
	uint64_t h = hash_bytes(t->seed, node, len);
	struct node_entry *e = NULL;
	bool reused;

	for (uint32_t i = lru_first(&t->idx, h); i != NIL; i = t->idx.chain[i]) {
		if (t->idx.hash[i] == h && strncmp(t->e[i].name, node, LR_NODE_MAX) == 0) {
			lru_touch(&t->idx, i);
			e = &t->e[i];
			break;
		}
	}
	if (!e) {
		e = &t->e[lru_insert(&t->idx, h, &reused)];
		memset(e, 0, sizeof *e);
		memcpy(e->name, node, len);
		seqwin_init(&e->win);
	}
	return seqwin_check(&e->win, boot, seq);
}

size_t node_count(const struct node_table *t)
{
	return t->idx.n;
}
