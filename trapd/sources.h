/* What trapd remembers per sender: the rate-limit bucket and log throttles of
 * each source transport address, and the sequence window of each Shugo node.
 * Both tables are bounded hash tables that forget the least recently used
 * entry when full, so a flood of spoofed addresses or node names costs a fixed
 * amount of memory. No system calls: the caller passes the time. */
#ifndef SHUGO_TRAPD_SOURCES_H
#define SHUGO_TRAPD_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "logrec.h"
#include "ratelimit.h"
#include "seqwin.h"

#define SRC_TABLE_DEFAULT 4096  /* sources remembered */
#define NODE_TABLE_DEFAULT 4096 /* Shugo nodes remembered */
#define SRC_INFORM_IDS 4        /* INFORM request-ids remembered per source */
#define SRC_INFORM_MS 300000    /* ... for this long (a sender's retries end sooner) */

/* A source transport address as a hash key: family, address, port. */
struct src_key {
	uint8_t family;   /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* IPv4 in the first 4 octets, the rest zero */
	uint16_t port;    /* host order */
};

struct src_entry {
	struct src_key key;
	char text[LR_SOURCE_MAX + 1]; /* "udp:10.0.0.1:40123", "udp6:[fd00::1]:162" */
	struct rl_bucket rl;
	char node[LR_NODE_MAX + 1];   /* the Shugo node last heard from here, "" if none */
	/* the request-ids of the last INFORMs stored from here, to know a
	 * re-sent foreign INFORM (it has no sequence number) */
	int32_t inform_id[SRC_INFORM_IDS];
	int64_t inform_ms[SRC_INFORM_IDS];
	uint8_t inform_next;
	int64_t last_auth_log_ms;     /* log throttles: once per source per minute */
	int64_t last_bad_log_ms;
	bool logged_auth, logged_bad;
};

struct src_table;

/* cap entries (0 = SRC_TABLE_DEFAULT); seed keys the hash so that a sender
 * cannot aim all its addresses at one chain. NULL with errno. */
struct src_table *src_table_new(size_t cap, uint64_t seed);
void src_table_free(struct src_table *t);

/* The key and its text for a received address (AF_INET / AF_INET6). -1
 * (EAFNOSUPPORT) for anything else. */
int src_key_from_sockaddr(const struct sockaddr *sa, struct src_key *key);
void src_key_format(const struct src_key *key, char *buf, size_t size);

/* The entry for key, created (bucket full) when new. When the table was full
 * the least recently used entry makes room: if its bucket had turned traps
 * away since its last summary, it is copied to *evicted and true is returned
 * in *had_evicted so the caller can still report it. Never NULL. */
struct src_entry *src_get(struct src_table *t, const struct src_key *key, const struct rl_conf *rc,
			  int64_t now_ms, struct src_entry *evicted, bool *had_evicted);
/* Whether an INFORM with this request-id was stored from e within
 * SRC_INFORM_MS: a re-send whose answer was lost. */
bool src_inform_seen(const struct src_entry *e, int32_t request_id, int64_t now_ms);
void src_inform_add(struct src_entry *e, int32_t request_id, int64_t now_ms);
/* Calls fn for each entry (any order). */
void src_each(struct src_table *t, void (*fn)(struct src_entry *e, void *arg), void *arg);
size_t src_count(const struct src_table *t);

/* Per-node sequence windows, by node name. */
struct node_table;

struct node_table *node_table_new(size_t cap, uint64_t seed);
void node_table_free(struct node_table *t);
/* The duplicate verdict for (node, boot, seq); a node seen for the first time
 * (or forgotten) starts with an empty window. */
enum seqwin_verdict node_check(struct node_table *t, const char *node, uint32_t boot, uint32_t seq);
size_t node_count(const struct node_table *t);

#endif
