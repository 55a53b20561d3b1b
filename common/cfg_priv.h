/* Private to the configuration parser (config.c, cfg_read.c, cfg_manager.c):
 * the parse context, the value readers that turn YAML nodes into checked C
 * values with "file:line: what" errors, and the section parsers' entry points.
 * Not installed; nothing outside the parser includes it. */
#ifndef SHUGO_CFG_PRIV_H
#define SHUGO_CFG_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "config.h"

#ifndef SHUGO_STATEDIR
#define SHUGO_STATEDIR "/var/lib/shugo"
#endif

#define CFG_TEXT_MAX 4096           /* any single value, in bytes */
#define CFG_REGEX_MAX 1024          /* a regular expression, in bytes */
#define CFG_CTX_MAX 160
#define CFG_SHOW_MAX 48             /* characters of a bad value quoted in a message */
#define CFG_SHOW_BUF (CFG_SHOW_MAX + 6) /* quotes, "..." and NUL */

#define MS_S 1000ull
#define MS_M (60 * MS_S)
#define MS_H (60 * MS_M)

/* A `poll:` mapping as written: the values given and which of them were. The
 * manager's fills in the defaults; a node's is laid over the manager's. */
enum { POLL_INTERVAL = 1, POLL_TIMEOUT = 2, POLL_RETRIES = 4, POLL_DOWN_AFTER = 8 };

struct cfg_poll_set {
	struct cfg_poll v;
	unsigned given; /* POLL_* bits */
};

struct pctx {
	const char *file;
	yaml_document_t doc;
	bool have_doc;
	char *err;
	size_t errlen;
	bool failed;
	size_t visits_left; /* node visits: bounds what aliases can expand to */
	size_t bytes_left;  /* bytes copied out of the document, for the same reason */
	int cluster_line;   /* line of the `cluster:` key, for the "not in cluster.nodes" error */
	size_t n_basic_res; /* cpu/memory/swap/load entries before the filesystems */
	/* Each entry's `nodes:` list (NULL = every node), parallel to the arrays in
	 * the config; the public structs do not keep it, the filter needs it. */
	const yaml_node_t **proc_sel;
	const yaml_node_t **res_sel;
	const yaml_node_t **nic_sel;
	/* Each cluster node's own `poll:` keys, parallel to c->nodes; merged over
	 * the manager's once both are read. */
	struct cfg_poll_set *node_poll;
	struct cfg_poll_set mgr_poll;
	int mgr_poll_line;      /* of manager.poll, 0 if absent */
	int mgr_user_line;      /* of manager.snmp.user, 0 if absent */
	int *trapd_user_lines;  /* parallel to c->trapd.users */
	const yaml_node_t **log_sel; /* each log watch's `nodes:`, parallel to c->logs */
};

/* A key of a fixed-schema mapping, as found: both NULL when absent; val NULL
 * when the key is there with a null value (which means the same as absent). */
struct fld {
	const yaml_node_t *key;
	const yaml_node_t *val;
};

struct word {
	const char *word;
	int val;
};

enum name_cls {
	NC_TEXT,  /* anything but NUL */
	NC_NODE,  /* [A-Za-z0-9._-] */
	NC_PROC,  /* [A-Za-z0-9._:-] */
	NC_WORD,  /* printable ASCII, no spaces */
	NC_IFACE, /* printable ASCII, no spaces, no '/' */
	NC_ENV,   /* [A-Za-z_][A-Za-z0-9_]* */
	NC_PATH,  /* starts with '/', no control characters */
};

/* A name and where it was written, for cfg_check_unique. */
struct uniq {
	const char *name;
	int line;
	size_t idx;
};

static inline int lineof(const yaml_node_t *n)
{
	if (!n)
		return 0;
	return n->start_mark.line < (size_t)INT_MAX ? (int)n->start_mark.line + 1 : INT_MAX;
}

static inline const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static inline size_t slen(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

static inline size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static inline bool bytes_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* ---- cfg_read.c: errors, the walk, the value readers ---- */

/* Records the first problem as "file:line: ..." (line 0: "file: ..."); always -1. */
__attribute__((format(printf, 3, 4)))
int cfg_perr(struct pctx *p, int line, const char *fmt, ...);
int cfg_oom(struct pctx *p);
/* Every node the walk looks at goes through here (the alias budget). */
const yaml_node_t *cfg_node_get(struct pctx *p, int id);

bool cfg_bytes_ieq(const char *s, size_t len, const char *word);
bool cfg_is_null(const yaml_node_t *n);
const char *cfg_kind_name(const yaml_node_t *n);
/* For messages: buf holds at least CFG_SHOW_BUF bytes. */
const char *cfg_got(const yaml_node_t *n, char *buf);
const char *cfg_show_str(const char *s, size_t len, char *buf);
const char *cfg_show(const yaml_node_t *n, char *buf);
const char *cfg_fmt_dur(uint64_t ms, char *buf, size_t size);
const char *cfg_fmt_hund(uint64_t v, char *buf, size_t size);

/* Pure number parsers: NULL, or "bad", "range" ("decimals") */
const char *cfg_parse_u64(const char *s, const char **end, uint64_t *out);
const char *cfg_parse_duration(const char *s, uint64_t *ms);
const char *cfg_parse_hundredths(const char *s, uint64_t *out);
bool cfg_cls_ok(enum name_cls cls, const char *s, size_t len);
const char *cfg_cls_desc(enum name_cls cls);

/* Text copied out of the document, charged to the budget; free with free(). */
char *cfg_text_alloc(struct pctx *p, size_t size);
char *cfg_dup_bytes(struct pctx *p, const char *s, size_t len);

/* Readers of one value: ctx names the place ("processes[0] 'web'"), key the
 * key; each reports its own error and returns -1 (or NULL). */
const char *cfg_get_scalar(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, size_t *lenp);
const char *cfg_check_str(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v,
			  enum name_cls cls, size_t minlen, size_t maxlen, size_t *lenp);
/* Replaces *out (freed) with a copy of the value. */
int cfg_get_str(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		size_t minlen, size_t maxlen, char **out);
/* Into a fixed buffer of at least maxlen + 1 bytes. */
int cfg_get_name(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		 size_t maxlen, char *dst);
int cfg_get_uint(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min,
		 uint64_t max, uint64_t *out);
int cfg_get_u32(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint32_t min,
		uint32_t max, uint32_t *out);
int cfg_get_duration(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min_ms,
		     uint64_t max_ms, uint32_t *out);
int cfg_get_seconds(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min_s,
		    uint64_t max_s, uint32_t *out);
int cfg_get_hundredths(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint32_t max,
		       uint32_t *out);
bool cfg_word_bool(const yaml_node_t *v, bool *out);
int cfg_get_bool(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, bool *out);
int cfg_get_enum(struct pctx *p, const char *ctx, const char *what, const yaml_node_t *v, const struct word *words,
		 size_t n, const char *expected, int *out);
/* An SNMP engine ID in hex ("0x" optional), 5..max octets, into out. */
int cfg_get_engine_id(struct pctx *p, const char *ctx, const yaml_node_t *v, unsigned char *out, size_t max,
		      size_t *lenp);

/* Shapes: v must be a mapping or a list (ctx "" for a top-level key, key NULL
 * for a list entry). */
int cfg_expect(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, yaml_node_type_t type);
int cfg_missing(struct pctx *p, const char *ctx, const yaml_node_t *map, const char *key);
/* The keys of a fixed-schema mapping into out[n], parallel to names[n];
 * unknown and repeated keys are errors. */
int cfg_map_read(struct pctx *p, const yaml_node_t *map, const char *ctx, const char *const *names, size_t n,
		 struct fld *out);

/* Contexts: "list[i]", "list[i] 'name'"; ctx holds CFG_CTX_MAX bytes. */
void cfg_item_ctx(char *ctx, const char *list, size_t i, const char *name);
void cfg_item_ctx_peek(struct pctx *p, char *ctx, const char *list, size_t i, const yaml_node_t *m,
		       const char *name_key);
void cfg_ctx_join(char *buf, size_t size, const char *ctx, const char *what);

/* An entry's `nodes:` list, checked against cluster.nodes later. */
int cfg_get_node_list(struct pctx *p, const char *ctx, const yaml_node_t *v, const yaml_node_t **sel);
/* Sort u and find (or report) the duplicate that comes first in the file. */
const struct uniq *cfg_find_dup(struct uniq *u, size_t n, const struct uniq **first);
int cfg_check_unique(struct pctx *p, struct uniq *u, size_t n, const char *ctx, const char *what);

/* ---- config.c: readers shared with the other sections ---- */

/* A command (list, or string split on whitespace; with shell the whole
 * string) into *argvp / *argcp, which the owner frees, also after an error. */
int cfg_read_command(struct pctx *p, const char *ctx, const yaml_node_t *v, bool shell, char ***argvp,
		     size_t *argcp);
/* The keys of an SNMP receiver, as found in its mapping m. */
struct cfg_target_flds {
	const struct fld *address, *type, *version, *community, *user, *timeout, *retries, *engine;
};
int cfg_read_target_opts(struct pctx *p, const char *ctx, const yaml_node_t *m, struct cfg_target *t,
			 const struct cfg_target_flds *f);

/* An entry's `nodes:` list: every name in cluster.nodes (names sorted, n
 * of them; n 0 = no cluster.nodes, nothing to check). */
int cfg_check_node_list(struct pctx *p, const char *ctx, const yaml_node_t *sel, const char **names, size_t n);
/* Whether node is in the list sel (NULL = every node). */
int cfg_selected(struct pctx *p, const yaml_node_t *sel, const char *node, bool *out);
/* The cluster's node names, sorted (for cfg_check_node_list); free(). */
const char **cfg_node_names(struct pctx *p, const struct shugo_config *c);

/* ---- cfg_exec.c: remote execution ---- */

int cfg_parse_exec(struct pctx *p, struct shugo_config *c, const struct fld *top);
void cfg_exec_clear(struct shugo_config *c);

/* ---- cfg_logs.c: log watches ---- */

int cfg_parse_logs(struct pctx *p, struct shugo_config *c, const struct fld *top);
/* Once cluster.nodes is known: `nodes:` lists checked, then the watches of
 * other nodes dropped. */
int cfg_check_logs(struct pctx *p, struct shugo_config *c);
void cfg_logs_clear(struct shugo_config *c);

/* ---- cfg_manager.c: the manager's and trapd's sections ---- */

/* A `poll:` mapping (manager.poll or cluster.nodes[].poll) into s. */
int cfg_read_poll(struct pctx *p, const char *ctx, const yaml_node_t *v, struct cfg_poll_set *s);
/* The sections, with their defaults when absent; the agent's keys are read
 * first (manager.agentx_socket defaults to the agent's). */
int cfg_parse_manager(struct pctx *p, struct shugo_config *c, const struct fld *top);
int cfg_parse_trapd(struct pctx *p, struct shugo_config *c, const struct fld *top);
/* Once everything is read: every node's poll merged over the manager's and
 * checked, and the users named checked against snmp.users. */
int cfg_check_manager(struct pctx *p, struct shugo_config *c);
/* Frees what the two sections allocated (for cfg_free). */
void cfg_manager_clear(struct shugo_config *c);

/* ---- cfg_routing.c: notification routing ---- */

int cfg_parse_routing(struct pctx *p, struct shugo_config *c, const struct fld *top);
/* Once everything is read: destination nodes in cluster.nodes, snmp users
 * in snmp.users. */
int cfg_check_routing(struct pctx *p, struct shugo_config *c);
void cfg_routing_clear(struct shugo_config *c);

#endif
