/* The cluster configuration: one YAML file read with libyaml's document API into
 * the plain structs of config.h, then cross-checked, then filtered to one node.
 * Every problem is reported as "file:line: what", with the offending node's line. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "config.h"
#include "regex_guard.h"

/* <sys/socket.h> (for inet_pton) names the number of protocol families PF_MAX;
 * here PF_MAX is the `max` key of a process definition. */
#undef PF_MAX

#ifndef SHUGO_STATEDIR
#define SHUGO_STATEDIR "/var/lib/shugo"
#endif

/* Limits on the input itself. A config file is written by an operator, but a
 * typo or a hostile file must cost bounded time and memory: libyaml composes
 * documents recursively (deep nesting would exhaust the stack), resolves each
 * alias with a linear search, and an alias can be referenced many times. */
#define CFG_FILE_MAX (4u << 20)     /* bytes */
#define CFG_DEPTH_MAX 16            /* the schema itself needs 5 */
#define CFG_ANCHORS_MAX 1000
#define CFG_ALIASES_MAX 10000
#define CFG_TEXT_MAX 4096           /* any single value, in bytes */
#define CFG_ARGS_MAX 1024           /* command arguments */
#define CFG_ENV_MAX 1024            /* environment variables per process */
#define CFG_REGEX_MAX 1024          /* a cmdline regex, in bytes */
#define CFG_CTX_MAX 160
#define CFG_SHOW_MAX 48             /* characters of a bad value quoted in a message */
#define CFG_SHOW_BUF (CFG_SHOW_MAX + 6) /* quotes, "..." and NUL */

#define DEF_AGENTX_SOCKET "/var/agentx/master"
#define MS_S 1000ull
#define MS_M (60 * MS_S)
#define MS_H (60 * MS_M)

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

__attribute__((format(printf, 3, 4)))
static int perr(struct pctx *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* The first problem is the one reported: later ones may be its echoes. */
	if (p->failed)
		return -1;
	p->failed = true;
	if (!p->err || p->errlen == 0)
		return -1;
	if (line > 0)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->file);
	if (n < 0)
		n = 0;
	if ((size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int lineof(const yaml_node_t *n)
{
	if (!n)
		return 0;
	return n->start_mark.line < (size_t)INT_MAX ? (int)n->start_mark.line + 1 : INT_MAX;
}

static int oom(struct pctx *p)
{
	return perr(p, 0, "out of memory");
}

/* Every node the walk looks at goes through here, so that aliases cannot make
 * the walk longer than a few times the document. */
static const yaml_node_t *node_get(struct pctx *p, int id)
{
	const yaml_node_t *n = yaml_document_get_node(&p->doc, id);

	if (!n) {
		perr(p, 0, "internal error: dangling YAML node %d", id);
		return NULL;
	}
	if (p->visits_left == 0) {
		perr(p, lineof(n), "the document expands to too many nodes (aliases referenced too often)");
		return NULL;
	}
	p->visits_left--;
	return n;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static size_t slen(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

static bool bytes_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool bytes_ieq(const char *s, size_t len, const char *word)
{
	if (strlen(word) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)word[i];
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return slen(n) == 0 || bytes_eq(sval(n), slen(n), "~") || bytes_eq(sval(n), slen(n), "null") ||
	       bytes_eq(sval(n), slen(n), "Null") || bytes_eq(sval(n), slen(n), "NULL");
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "a value";
	}
}

static const char *show(const yaml_node_t *n, char *buf);

/* What was found instead, for "expected X, got Y": a kind, or the value quoted. */
static const char *got(const yaml_node_t *n, char *buf)
{
	if (n->type != YAML_SCALAR_NODE)
		return kind_name(n);
	buf[0] = '\'';
	show(n, buf + 1);
	strcat(buf, "'");
	return buf;
}

/* A value quoted in a message: bounded, control and non-ASCII bytes as '?'. */
static const char *show_str(const char *s, size_t len, char *buf)
{
	size_t n = len > CFG_SHOW_MAX ? CFG_SHOW_MAX : len;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (n < len) {
		memcpy(buf + n, "...", 4);
	} else {
		buf[n] = '\0';
	}
	return buf;
}

static const char *show(const yaml_node_t *n, char *buf)
{
	if (n->type != YAML_SCALAR_NODE)
		return kind_name(n);
	return show_str(sval(n), slen(n), buf);
}

static const char *fmt_dur(uint64_t ms, char *buf, size_t size)
{
	if (ms == 0)
		snprintf(buf, size, "0s");
	else if (ms % MS_H == 0)
		snprintf(buf, size, "%lluh", (unsigned long long)(ms / MS_H));
	else if (ms % MS_M == 0)
		snprintf(buf, size, "%llum", (unsigned long long)(ms / MS_M));
	else if (ms % MS_S == 0)
		snprintf(buf, size, "%llus", (unsigned long long)(ms / MS_S));
	else
		snprintf(buf, size, "%llums", (unsigned long long)ms);
	return buf;
}

static const char *fmt_hund(uint64_t v, char *buf, size_t size)
{
	if (v % 100 == 0)
		snprintf(buf, size, "%llu", (unsigned long long)(v / 100));
	else if (v % 10 == 0)
		snprintf(buf, size, "%llu.%llu", (unsigned long long)(v / 100),
			 (unsigned long long)(v % 100 / 10));
	else
		snprintf(buf, size, "%llu.%02llu", (unsigned long long)(v / 100),
			 (unsigned long long)(v % 100));
	return buf;
}

/* Number parsers: pure, NULL on success or a description of what is wrong.
 * strtoull would skip blanks and accept a sign, so the first character must be
 * a digit; everything after the number must be a known suffix. */
static const char *parse_u64(const char *s, const char **end, uint64_t *out)
{
	char *e;

	if (*s < '0' || *s > '9')
		return "bad";
	errno = 0;
	unsigned long long v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return "range";
	*out = v;
	*end = e;
	return NULL;
}

/* "500ms", "5s", "2m", "1h"; a bare integer means seconds. */
static const char *parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {{"", MS_S}, {"ms", 1}, {"s", MS_S}, {"m", MS_M}, {"h", MS_H}};
	const char *end;
	uint64_t v;
	const char *why = parse_u64(s, &end, &v);

	if (why)
		return why;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].mult)
			return "range";
		*ms = v * units[i].mult;
		return NULL;
	}
	return "bad";
}

/* "80", "92.5", "92.05" -> hundredths. More than two decimals is an error, not
 * rounded: a threshold the operator wrote is never silently changed. */
static const char *parse_hundredths(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t ip, frac = 0;
	const char *why = parse_u64(s, &end, &ip);

	if (why)
		return why;
	if (*end == '.') {
		const char *d = end + 1;
		size_t nd = 0;
		while (d[nd] >= '0' && d[nd] <= '9')
			nd++;
		if (nd == 0 || d[nd] != '\0')
			return "bad";
		if (nd > 2)
			return "decimals";
		frac = (uint64_t)(d[0] - '0') * 10 + (nd == 2 ? (uint64_t)(d[1] - '0') : 0);
	} else if (*end != '\0') {
		return "bad";
	}
	if (ip > (UINT64_MAX - frac) / 100)
		return "range";
	*out = ip * 100 + frac;
	return NULL;
}

static bool is_alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool cls_ok(enum name_cls cls, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool ok;
		switch (cls) {
		case NC_NODE:
			ok = is_alnum(ch) || ch == '.' || ch == '_' || ch == '-';
			break;
		case NC_PROC:
			ok = is_alnum(ch) || ch == '.' || ch == '_' || ch == ':' || ch == '-';
			break;
		case NC_WORD:
			ok = ch > 0x20 && ch < 0x7f;
			break;
		case NC_IFACE:
			ok = ch > 0x20 && ch < 0x7f && ch != '/';
			break;
		case NC_ENV:
			ok = ch == '_' || (i == 0 ? is_alnum(ch) && !(ch >= '0' && ch <= '9') : is_alnum(ch));
			break;
		case NC_PATH:
			ok = (i > 0 || ch == '/') && ch >= 0x20 && ch != 0x7f;
			break;
		default:
			ok = true;
			break;
		}
		if (!ok)
			return false;
	}
	if (cls == NC_IFACE && (bytes_eq(s, len, ".") || bytes_eq(s, len, "..")))
		return false;
	return true;
}

static const char *cls_desc(enum name_cls cls)
{
	switch (cls) {
	case NC_NODE:
		return "letters, digits, '.', '_' and '-'";
	case NC_PROC:
		return "letters, digits, '.', '_', ':' and '-'";
	case NC_WORD:
		return "printable characters without spaces";
	case NC_IFACE:
		return "printable characters without spaces or '/'";
	case NC_ENV:
		return "letters, digits and '_', not starting with a digit";
	default:
		return "characters";
	}
}

/* Every string copied out of the document is charged here, for the same reason
 * as node_get: an alias of a long string must not multiply it unchecked. */
static char *text_alloc(struct pctx *p, size_t size)
{
	char *d;

	if (size > p->bytes_left) {
		perr(p, 0, "the document expands to too much text (aliases referenced too often)");
		return NULL;
	}
	d = malloc(size);
	if (!d) {
		oom(p);
		return NULL;
	}
	p->bytes_left -= size;
	return d;
}

static char *dup_bytes(struct pctx *p, const char *s, size_t len)
{
	char *d = text_alloc(p, len + 1);

	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* The scalar behind a key, or NULL (error set) if it is not one or cannot be a
 * C string. */
static const char *get_scalar(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v,
			      size_t *lenp)
{
	if (v->type != YAML_SCALAR_NODE) {
		perr(p, lineof(v), "%s: %s: expected a single value, got %s", ctx, key, kind_name(v));
		return NULL;
	}
	if (memchr(sval(v), '\0', slen(v))) {
		perr(p, lineof(v), "%s: %s: the value contains a NUL character", ctx, key);
		return NULL;
	}
	if (slen(v) > CFG_TEXT_MAX) {
		perr(p, lineof(v), "%s: %s: the value is longer than %d bytes", ctx, key, CFG_TEXT_MAX);
		return NULL;
	}
	*lenp = slen(v);
	return sval(v);
}

static const char *check_str(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v,
			     enum name_cls cls, size_t minlen, size_t maxlen, size_t *lenp)
{
	char b[CFG_SHOW_BUF];
	size_t len;
	const char *s = get_scalar(p, ctx, key, v, &len);

	if (!s)
		return NULL;
	if (len < minlen) {
		if (minlen == 1)
			perr(p, lineof(v), "%s: %s: must not be empty", ctx, key);
		else
			perr(p, lineof(v), "%s: %s: must be at least %zu characters", ctx, key, minlen);
		return NULL;
	}
	if (len > maxlen) {
		perr(p, lineof(v), "%s: %s: '%s' is longer than %zu characters", ctx, key, show(v, b), maxlen);
		return NULL;
	}
	if (!cls_ok(cls, s, len)) {
		if (cls == NC_PATH)
			perr(p, lineof(v), "%s: %s: '%s' must be an absolute path", ctx, key, show(v, b));
		else
			perr(p, lineof(v), "%s: %s: '%s' is not valid (expected %zu..%zu %s)", ctx, key, show(v, b),
			     minlen, maxlen, cls_desc(cls));
		return NULL;
	}
	*lenp = len;
	return s;
}

/* Replaces *out (freed) with a copy of the value. */
static int get_str(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		   size_t minlen, size_t maxlen, char **out)
{
	size_t len;
	const char *s = check_str(p, ctx, key, v, cls, minlen, maxlen, &len);
	char *d;

	if (!s)
		return -1;
	d = dup_bytes(p, s, len);
	if (!d)
		return -1;
	free(*out);
	*out = d;
	return 0;
}

/* Into a fixed buffer of at least maxlen + 1 bytes. */
static int get_name(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		    size_t maxlen, char *dst)
{
	size_t len;
	const char *s = check_str(p, ctx, key, v, cls, 1, maxlen, &len);

	if (!s)
		return -1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static int get_uint(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min,
		    uint64_t max, uint64_t *out)
{
	char b[CFG_SHOW_BUF];
	size_t len;
	const char *end, *why;
	uint64_t x = 0;
	const char *s = get_scalar(p, ctx, key, v, &len);

	if (!s)
		return -1;
	why = parse_u64(s, &end, &x);
	if (!why && *end != '\0')
		why = "bad";
	if (why && strcmp(why, "bad") == 0)
		return perr(p, lineof(v), "%s: %s: expected a whole number, got '%s'", ctx, key, show(v, b));
	if (why || x < min || x > max)
		return perr(p, lineof(v), "%s: %s: '%s' is out of range (%llu .. %llu)", ctx, key, show(v, b),
			    (unsigned long long)min, (unsigned long long)max);
	*out = x;
	return 0;
}

static int get_u32(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint32_t min,
		   uint32_t max, uint32_t *out)
{
	uint64_t x;

	if (get_uint(p, ctx, key, v, min, max, &x) < 0)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int get_duration(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min_ms,
			uint64_t max_ms, uint32_t *out)
{
	char b[CFG_SHOW_BUF], lo[32], hi[32];
	size_t len;
	uint64_t ms = 0;
	const char *why;
	const char *s = get_scalar(p, ctx, key, v, &len);

	if (!s)
		return -1;
	why = parse_duration(s, &ms);
	if (why && strcmp(why, "bad") == 0)
		return perr(p, lineof(v), "%s: %s: expected a duration such as 500ms, 5s, 2m or 1h, got '%s'", ctx,
			    key, show(v, b));
	if (why || ms < min_ms || ms > max_ms)
		return perr(p, lineof(v), "%s: %s: '%s' is out of range (%s .. %s)", ctx, key, show(v, b),
			    fmt_dur(min_ms, lo, sizeof lo), fmt_dur(max_ms, hi, sizeof hi));
	*out = (uint32_t)ms;
	return 0;
}

static int get_seconds(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min_s,
		       uint64_t max_s, uint32_t *out)
{
	char b[CFG_SHOW_BUF];
	uint32_t ms;

	if (get_duration(p, ctx, key, v, min_s * MS_S, max_s * MS_S, &ms) < 0)
		return -1;
	if (ms % MS_S != 0)
		return perr(p, lineof(v), "%s: %s: '%s' is not a whole number of seconds", ctx, key, show(v, b));
	*out = (uint32_t)(ms / MS_S);
	return 0;
}

static int get_hundredths(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint32_t max,
			  uint32_t *out)
{
	char b[CFG_SHOW_BUF], hi[32];
	size_t len;
	uint64_t x = 0;
	const char *why;
	const char *s = get_scalar(p, ctx, key, v, &len);

	if (!s)
		return -1;
	why = parse_hundredths(s, &x);
	if (why && strcmp(why, "decimals") == 0)
		return perr(p, lineof(v), "%s: %s: '%s' has more than two decimals", ctx, key, show(v, b));
	if (why && strcmp(why, "bad") == 0)
		return perr(p, lineof(v), "%s: %s: expected a number such as 80 or 92.5, got '%s'", ctx, key,
			    show(v, b));
	if (why || x > max)
		return perr(p, lineof(v), "%s: %s: '%s' is out of range (0 .. %s)", ctx, key, show(v, b),
			    fmt_hund(max, hi, sizeof hi));
	*out = (uint32_t)x;
	return 0;
}

static bool word_bool(const yaml_node_t *v, bool *out)
{
	static const struct word words[] = {
		{"true", 1}, {"yes", 1}, {"on", 1}, {"false", 0}, {"no", 0}, {"off", 0},
	};

	if (v->type != YAML_SCALAR_NODE)
		return false;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (bytes_ieq(sval(v), slen(v), words[i].word)) {
			*out = words[i].val != 0;
			return true;
		}
	}
	return false;
}

static int get_bool(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, bool *out)
{
	char b[CFG_SHOW_BUF];

	if (!word_bool(v, out))
		return perr(p, lineof(v), "%s: %s: expected true or false, got '%s'", ctx, key, show(v, b));
	return 0;
}

static int get_enum(struct pctx *p, const char *ctx, const char *what, const yaml_node_t *v,
		    const struct word *words, size_t n, const char *expected, int *out)
{
	char b[CFG_SHOW_BUF];

	if (v->type == YAML_SCALAR_NODE) {
		for (size_t i = 0; i < n; i++) {
			if (bytes_ieq(sval(v), slen(v), words[i].word)) {
				*out = words[i].val;
				return 0;
			}
		}
	}
	return perr(p, lineof(v), "%s: unknown %s '%s' (expected %s)", ctx, what, show(v, b), expected);
}

static int expect(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, yaml_node_type_t type)
{
	const char *want = type == YAML_MAPPING_NODE ? "a mapping" : "a list";
	char b[CFG_SHOW_BUF];

	if (v->type == type)
		return 0;
	if (!*ctx)
		return perr(p, lineof(v), "expected %s for '%s', got %s", want, key, got(v, b));
	if (!key)
		return perr(p, lineof(v), "%s: expected %s, got %s", ctx, want, got(v, b));
	return perr(p, lineof(v), "%s: expected %s for '%s', got %s", ctx, want, key, got(v, b));
}

static int missing(struct pctx *p, const char *ctx, const yaml_node_t *map, const char *key)
{
	return perr(p, lineof(map), "%s: missing required key '%s'", ctx, key);
}

/* Reads a mapping whose keys come from names[]: unknown and repeated keys are
 * errors (YAML leaves duplicates to the application; libyaml keeps both). */
static int map_read(struct pctx *p, const yaml_node_t *map, const char *ctx, const char *const *names, size_t n,
		    struct fld *out)
{
	char b[CFG_SHOW_BUF];

	memset(out, 0, n * sizeof *out);
	for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = node_get(p, pr->key), *v;
		size_t i;

		if (!k)
			return -1;
		if (k->type != YAML_SCALAR_NODE)
			return perr(p, lineof(k), "%s%sexpected a word as key, got %s", ctx, *ctx ? ": " : "",
				    kind_name(k));
		for (i = 0; i < n; i++)
			if (bytes_eq(sval(k), slen(k), names[i]))
				break;
		if (i == n) {
			if (*ctx)
				return perr(p, lineof(k), "unknown key '%s' in %s", show(k, b), ctx);
			return perr(p, lineof(k), "unknown key '%s' at the top level", show(k, b));
		}
		if (out[i].key)
			return perr(p, lineof(k), "%s%sduplicate key '%s' (first at line %d)", ctx, *ctx ? ": " : "",
				    names[i], lineof(out[i].key));
		v = node_get(p, pr->value);
		if (!v)
			return -1;
		out[i].key = k;
		out[i].val = is_null(v) ? NULL : v;
	}
	return 0;
}

static size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* "processes[3]", or "processes[3] 'web'" once the name is known. */
static void item_ctx(char *ctx, const char *list, size_t i, const char *name)
{
	char b[CFG_SHOW_BUF];

	if (name && *name)
		snprintf(ctx, CFG_CTX_MAX, "%s[%zu] '%s'", list, i, show_str(name, strlen(name), b));
	else
		snprintf(ctx, CFG_CTX_MAX, "%s[%zu]", list, i);
}

/* The context of a list entry names it ("processes[3] 'web'") from the start,
 * so that even an unknown key before `name:` is reported with the name. Looks
 * without charging the visit budget: map_read charges the same pairs next. */
static void item_ctx_peek(struct pctx *p, char *ctx, const char *list, size_t i, const yaml_node_t *m,
			  const char *name_key)
{
	const char *name = NULL;
	char buf[CFG_NAME_MAX + 1];

	if (m->type == YAML_MAPPING_NODE) {
		for (const yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
			const yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
			const yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
			if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
			    bytes_eq(sval(k), slen(k), name_key) && slen(v) <= CFG_NAME_MAX) {
				memcpy(buf, sval(v), slen(v));
				buf[slen(v)] = '\0';
				name = buf;
				break;
			}
		}
	}
	item_ctx(ctx, list, i, name);
}

/* An entry's `nodes:` list: a list of node names; whether they exist in
 * cluster.nodes is checked once the whole file is read. */
static int get_node_list(struct pctx *p, const char *ctx, const yaml_node_t *v, const yaml_node_t **sel)
{
	char b[CFG_SHOW_BUF];

	if (expect(p, ctx, "nodes", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	for (const yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *n = node_get(p, *it);
		if (!n)
			return -1;
		if (n->type != YAML_SCALAR_NODE)
			return perr(p, lineof(n), "%s: nodes: expected node names, got %s", ctx, kind_name(n));
		if (slen(n) == 0 || slen(n) > CFG_NAME_MAX || !cls_ok(NC_NODE, sval(n), slen(n)))
			return perr(p, lineof(n), "%s: nodes: '%s' is not a valid node name", ctx, show(n, b));
	}
	*sel = v;
	return 0;
}

/* ---- cluster ---- */

static int parse_cluster(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	static const char *const keys[] = {"name", "nodes"};
	static const char *const nkeys[] = {"name", "address"};
	struct fld f[2], nf[2];
	char ctx[CFG_CTX_MAX];
	size_t len, n;

	p->cluster_line = lineof(top->key);
	if (!top->val)
		return 0;
	if (expect(p, "", "cluster", top->val, YAML_MAPPING_NODE) < 0 ||
	    map_read(p, top->val, "cluster", keys, 2, f) < 0)
		return -1;
	/* The cluster name is for people reading the file; nothing stores it. */
	if (f[0].val && !check_str(p, "cluster", "name", f[0].val, NC_TEXT, 1, 256, &len))
		return -1;
	if (!f[1].val)
		return 0;
	if (expect(p, "cluster", "nodes", f[1].val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(f[1].val);
	c->nodes = calloc(n ? n : 1, sizeof *c->nodes);
	if (!c->nodes)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = node_get(p, f[1].val->data.sequence.items.start[i]);
		struct cfg_node *e = &c->nodes[c->n_nodes++];

		if (!m)
			return -1;
		item_ctx_peek(p, ctx, "cluster.nodes", i, m, "name");
		if (expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || map_read(p, m, ctx, nkeys, 2, nf) < 0)
			return -1;
		e->line = lineof(m);
		if (!nf[0].val)
			return missing(p, ctx, m, "name");
		if (get_name(p, ctx, "name", nf[0].val, NC_NODE, CFG_NAME_MAX, e->name) < 0)
			return -1;
		item_ctx(ctx, "cluster.nodes", i, e->name);
		if (!nf[1].val)
			return missing(p, ctx, m, "address");
		if (get_str(p, ctx, "address", nf[1].val, NC_WORD, 1, 256, &e->address) < 0)
			return -1;
	}
	return 0;
}

/* ---- agent ---- */

/* "default", or an address with an optional prefix length: "127.0.0.1",
 * "10.0.0.0/8", "fd00::/8". Pure: NULL, or what is wrong ("bad", "bits"). */
static const char *parse_source(const char *s, size_t len, struct cfg_community *c)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned maxbits, bits;

	if (bytes_eq(s, len, "default")) {
		c->family = CFG_SRC_ANY;
		c->prefix = 0;
		return NULL;
	}
	if (alen == 0 || alen >= sizeof addr)
		return "bad";
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, c->net) == 1) {
		c->family = CFG_SRC_IPV4;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, addr, c->net) == 1) {
		c->family = CFG_SRC_IPV6;
		maxbits = 128;
	} else {
		return "bad";
	}
	bits = maxbits;
	if (slash) {
		const char *d = slash + 1, *end = s + len;
		if (d == end || end - d > 3)
			return "bad";
		bits = 0;
		for (; d < end; d++) {
			if (*d < '0' || *d > '9')
				return "bad";
			bits = bits * 10 + (unsigned)(*d - '0');
		}
		if (bits > maxbits)
			return "bad";
	}
	c->prefix = bits;
	/* A host part is a typo more often than a wish: 10.0.0.1/8 is refused
	 * rather than silently read as 10.0.0.0/8. */
	for (unsigned i = bits; i < maxbits; i++)
		if (c->net[i / 8] & (0x80u >> (i % 8)))
			return "bits";
	return NULL;
}

static int parse_community(struct pctx *p, struct cfg_community *e, const yaml_node_t *m, size_t i)
{
	enum { C_COMMUNITY, C_SOURCE, C_N };
	static const char *const keys[C_N] = {"community", "source"};
	struct fld f[C_N];
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF], net[INET6_ADDRSTRLEN];
	const char *s, *why;
	size_t len;

	/* Not named by its community: a secret has no place in a log line. */
	item_ctx(ctx, "agent.read_communities", i, NULL);
	e->line = lineof(m);
	if (expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || map_read(p, m, ctx, keys, C_N, f) < 0)
		return -1;
	if (!f[C_COMMUNITY].val)
		return missing(p, ctx, m, "community");
	if (get_str(p, ctx, "community", f[C_COMMUNITY].val, NC_TEXT, 1, 256, &e->community) < 0)
		return -1;
	/* No default source: opening a community to every address is written
	 * out as `source: default`, never implied. */
	if (!f[C_SOURCE].val)
		return missing(p, ctx, m, "source");
	if (!(s = check_str(p, ctx, "source", f[C_SOURCE].val, NC_WORD, 1, 64, &len)))
		return -1;
	why = parse_source(s, len, e);
	if (why && strcmp(why, "bits") == 0) {
		uint8_t host[16];
		memcpy(host, e->net, sizeof host);
		for (unsigned k = e->prefix; k < (e->family == CFG_SRC_IPV4 ? 32u : 128u); k++)
			host[k / 8] &= (uint8_t)~(0x80u >> (k % 8));
		inet_ntop(e->family == CFG_SRC_IPV4 ? AF_INET : AF_INET6, host, net, sizeof net);
		return perr(p, lineof(f[C_SOURCE].val),
			    "%s: source: '%s' has bits set outside its /%u prefix (the network is %s/%u)", ctx,
			    show(f[C_SOURCE].val, b), e->prefix, net, e->prefix);
	}
	if (why)
		return perr(p, lineof(f[C_SOURCE].val),
			    "%s: source: expected an IPv4 or IPv6 address with an optional /prefix (127.0.0.1/32, "
			    "10.0.0.0/8, fd00::/8) or default, got '%s'",
			    ctx, show(f[C_SOURCE].val, b));
	return 0;
}

/* listen: net-snmp transport specifiers, joined with ',' for net-snmp, which
 * also reads an entry starting with "none" as "open no port". */
static int parse_listen(struct pctx *p, struct shugo_config *c, const yaml_node_t *v)
{
	const char *ctx = "agent";
	int lines[CFG_LISTEN_MAX];
	char b[CFG_SHOW_BUF];
	size_t n;

	if (expect(p, ctx, "listen", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(v);
	if (n == 0)
		return perr(p, lineof(v), "agent: listen: the list is empty");
	if (n > CFG_LISTEN_MAX)
		return perr(p, lineof(v), "agent: listen: more than %d addresses", CFG_LISTEN_MAX);
	c->listen = calloc(n + 1, sizeof *c->listen);
	if (!c->listen)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = node_get(p, v->data.sequence.items.start[i]);
		if (!e)
			return -1;
		if (get_str(p, ctx, "listen", e, NC_WORD, 1, 256, &c->listen[i]) < 0)
			return -1;
		c->n_listen++;
		lines[i] = lineof(e);
		if (strchr(c->listen[i], ','))
			return perr(p, lines[i], "agent: listen: '%s' holds a ',': give each address as its own list entry",
				    show(e, b));
		if (strncasecmp(c->listen[i], "none", 4) == 0)
			return perr(p, lines[i], "agent: listen: '%s' would be read by net-snmp as 'none' (no port at all)",
				    show(e, b));
		/* The second bind of one address would fail at start: say so now. */
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->listen[j], c->listen[i]) == 0)
				return perr(p, lines[i], "agent: duplicate listen address '%s' (first at line %d)",
					    show(e, b), lines[j]);
	}
	return 0;
}

static int parse_agent(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	enum { A_SOCK, A_STATE, A_SAMPLE, A_NLOG, A_QUEUE, A_MAXP, A_PING, A_MODE, A_LISTEN, A_COMM, A_N };
	static const char *const keys[A_N] = {"agentx_socket", "state_dir",  "sample_interval", "notify_log_size",
					      "queue_limit",   "max_processes", "agentx_ping",   "mode",
					      "listen",        "read_communities"};
	static const struct word modes[] = {{"agentx", AGENT_MODE_AGENTX}, {"master", AGENT_MODE_MASTER}};
	struct fld f[A_N];
	char b[CFG_SHOW_BUF];
	const char *ctx = "agent";
	int v;

	if (!top->val)
		return 0;
	if (expect(p, "", "agent", top->val, YAML_MAPPING_NODE) < 0 || map_read(p, top->val, ctx, keys, A_N, f) < 0)
		return -1;
	if (f[A_SOCK].val) {
		if (get_str(p, ctx, keys[A_SOCK], f[A_SOCK].val, NC_WORD, 1, 256, &c->agentx_socket) < 0)
			return -1;
		/* net-snmp takes a unix socket path or a transport specifier. */
		if (c->agentx_socket[0] != '/' && !strchr(c->agentx_socket, ':'))
			return perr(p, lineof(f[A_SOCK].val),
				    "agent: agentx_socket: '%s' is neither a socket path nor a transport such as "
				    "tcp:localhost:705",
				    show(f[A_SOCK].val, b));
	}
	if (f[A_STATE].val &&
	    get_str(p, ctx, keys[A_STATE], f[A_STATE].val, NC_PATH, 1, PATH_MAX - 64, &c->state_dir) < 0)
		return -1;
	if (f[A_SAMPLE].val && get_duration(p, ctx, keys[A_SAMPLE], f[A_SAMPLE].val, 100, MS_H, &c->sample_ms) < 0)
		return -1;
	if (f[A_NLOG].val && get_u32(p, ctx, keys[A_NLOG], f[A_NLOG].val, 16, 1000000, &c->nlog_capacity) < 0)
		return -1;
	if (f[A_QUEUE].val && get_u32(p, ctx, keys[A_QUEUE], f[A_QUEUE].val, 1, 100000, &c->queue_limit) < 0)
		return -1;
	if (f[A_MAXP].val && get_u32(p, ctx, keys[A_MAXP], f[A_MAXP].val, 1, 100000, &c->max_procs) < 0)
		return -1;
	if (f[A_PING].val && get_seconds(p, ctx, keys[A_PING], f[A_PING].val, 1, 3600, &c->agentx_ping_s) < 0)
		return -1;
	if (f[A_MODE].val) {
		if (get_enum(p, ctx, "mode", f[A_MODE].val, modes, 2, "agentx or master", &v) < 0)
			return -1;
		c->mode = (enum cfg_agent_mode)v;
	}
	/* The master-mode keys are refused in agentx mode rather than ignored:
	 * there snmpd answers the requests and applies its own access rules. */
	if (c->mode == AGENT_MODE_AGENTX) {
		if (f[A_LISTEN].val)
			return perr(p, lineof(f[A_LISTEN].key),
				    "agent: 'listen' is only used with mode: master (in agentx mode snmpd answers "
				    "requests on its own agentaddress)");
		if (f[A_COMM].val)
			return perr(p, lineof(f[A_COMM].key),
				    "agent: 'read_communities' is only used with mode: master (in agentx mode snmpd's "
				    "own community lines apply)");
		return 0;
	}
	if (!f[A_LISTEN].val)
		return perr(p, lineof(f[A_MODE].val),
			    "agent: mode master needs 'listen', the addresses to answer on (such as "
			    "[udp:127.0.0.1:1161])");
	if (parse_listen(p, c, f[A_LISTEN].val) < 0)
		return -1;
	if (f[A_COMM].val) {
		size_t n;
		if (expect(p, ctx, "read_communities", f[A_COMM].val, YAML_SEQUENCE_NODE) < 0)
			return -1;
		n = seq_len(f[A_COMM].val);
		c->communities = calloc(n ? n : 1, sizeof *c->communities);
		if (!c->communities)
			return oom(p);
		for (size_t i = 0; i < n; i++) {
			const yaml_node_t *m = node_get(p, f[A_COMM].val->data.sequence.items.start[i]);
			if (!m || parse_community(p, &c->communities[c->n_communities++], m, i) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- snmp ---- */

static int parse_user(struct pctx *p, struct cfg_user *u, const yaml_node_t *m, size_t i)
{
	enum { U_NAME, U_AUTH, U_AUTHPW, U_PRIV, U_PRIVPW, U_N };
	static const char *const keys[U_N] = {"name", "auth", "auth_password", "priv", "priv_password"};
	static const struct word auths[] = {
		{"SHA", AUTH_SHA1}, {"SHA-1", AUTH_SHA1}, {"SHA-256", AUTH_SHA256}, {"SHA-512", AUTH_SHA512},
	};
	static const struct word privs[] = {{"AES", PRIV_AES128}, {"AES-128", PRIV_AES128}, {"AES-256", PRIV_AES256}};
	struct fld f[U_N];
	char ctx[CFG_CTX_MAX];
	int v;

	item_ctx_peek(p, ctx, "snmp.users", i, m, "name");
	u->line = lineof(m);
	u->auth = AUTH_SHA256;
	u->priv = PRIV_AES128;
	if (expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || map_read(p, m, ctx, keys, U_N, f) < 0)
		return -1;
	if (!f[U_NAME].val)
		return missing(p, ctx, m, "name");
	if (get_name(p, ctx, "name", f[U_NAME].val, NC_WORD, 32, u->name) < 0)
		return -1;
	item_ctx(ctx, "snmp.users", i, u->name);
	if (f[U_AUTH].val) {
		if (get_enum(p, ctx, "auth protocol", f[U_AUTH].val, auths, 4, "SHA, SHA-1, SHA-256 or SHA-512", &v) < 0)
			return -1;
		u->auth = (enum cfg_auth)v;
	}
	if (f[U_PRIV].val) {
		if (get_enum(p, ctx, "priv protocol", f[U_PRIV].val, privs, 3, "AES, AES-128 or AES-256", &v) < 0)
			return -1;
		u->priv = (enum cfg_priv)v;
	}
	/* USM derives keys from passphrases of at least 8 octets (RFC 3414 11.2). */
	if (!f[U_AUTHPW].val)
		return missing(p, ctx, m, "auth_password");
	if (get_str(p, ctx, "auth_password", f[U_AUTHPW].val, NC_TEXT, 8, 256, &u->auth_pass) < 0)
		return -1;
	if (!f[U_PRIVPW].val)
		return missing(p, ctx, m, "priv_password");
	if (get_str(p, ctx, "priv_password", f[U_PRIVPW].val, NC_TEXT, 8, 256, &u->priv_pass) < 0)
		return -1;
	return 0;
}

static int parse_snmp(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	static const char *const keys[] = {"users"};
	struct fld f[1];
	size_t n;

	if (!top->val)
		return 0;
	if (expect(p, "", "snmp", top->val, YAML_MAPPING_NODE) < 0 || map_read(p, top->val, "snmp", keys, 1, f) < 0)
		return -1;
	if (!f[0].val)
		return 0;
	if (expect(p, "snmp", "users", f[0].val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(f[0].val);
	c->users = calloc(n ? n : 1, sizeof *c->users);
	if (!c->users)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = node_get(p, f[0].val->data.sequence.items.start[i]);
		if (!m || parse_user(p, &c->users[c->n_users++], m, i) < 0)
			return -1;
	}
	return 0;
}

/* ---- notify ---- */

/* An SNMP engine ID in hex, "0x" optional: 5 to 32 octets (RFC 3411). */
static int get_engine_id(struct pctx *p, const char *ctx, const yaml_node_t *v, struct cfg_target *t)
{
	size_t len;
	const char *s = get_scalar(p, ctx, "engine_id", v, &len);

	if (!s)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (len % 2 || len / 2 < 5 || len / 2 > sizeof t->engine_id)
		return perr(p, lineof(v), "%s: engine_id: expected 5 to 32 octets in hex (e.g. 0x80001f8804...)", ctx);
	for (size_t i = 0; i < len; i += 2) {
		char pair[3] = {s[i], s[i + 1], '\0'};
		char *end;
		unsigned long octet = strtoul(pair, &end, 16);
		if (*end || !isxdigit((unsigned char)pair[0]))
			return perr(p, lineof(v), "%s: engine_id: '%s' is not hex", ctx, pair);
		t->engine_id[i / 2] = (unsigned char)octet;
	}
	t->engine_id_len = len / 2;
	return 0;
}

static int parse_target(struct pctx *p, struct cfg_target *t, const yaml_node_t *m, size_t i)
{
	enum { T_NAME, T_ADDR, T_TYPE, T_VERSION, T_COMMUNITY, T_USER, T_TIMEOUT, T_RETRIES, T_ENGINE, T_N };
	static const char *const keys[T_N] = {"name", "address", "type", "version", "community",
					       "user", "timeout", "retries", "engine_id"};
	static const struct word types[] = {{"inform", 1}, {"trap", 0}};
	static const struct word versions[] = {{"2c", 2}, {"3", 3}};
	struct fld f[T_N];
	char ctx[CFG_CTX_MAX];
	uint64_t retries;
	int v;

	item_ctx_peek(p, ctx, "notify.targets", i, m, "name");
	t->line = lineof(m);
	t->inform = true;
	t->version = 3;
	t->timeout_ms = 1000;
	t->retries = 3;
	if (expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || map_read(p, m, ctx, keys, T_N, f) < 0)
		return -1;
	if (!f[T_NAME].val)
		return missing(p, ctx, m, "name");
	if (get_name(p, ctx, "name", f[T_NAME].val, NC_PROC, CFG_NAME_MAX, t->name) < 0)
		return -1;
	item_ctx(ctx, "notify.targets", i, t->name);
	if (!f[T_ADDR].val)
		return missing(p, ctx, m, "address");
	if (get_str(p, ctx, "address", f[T_ADDR].val, NC_WORD, 1, 256, &t->address) < 0)
		return -1;
	if (f[T_TYPE].val) {
		if (get_enum(p, ctx, "notification type", f[T_TYPE].val, types, 2, "inform or trap", &v) < 0)
			return -1;
		t->inform = v != 0;
	}
	if (f[T_VERSION].val) {
		if (get_enum(p, ctx, "SNMP version", f[T_VERSION].val, versions, 2, "2c or 3", &v) < 0)
			return -1;
		t->version = v;
	}
	if (t->version == 2) {
		if (f[T_USER].val)
			return perr(p, lineof(f[T_USER].key), "%s: 'user' is only used with version 3", ctx);
		if (!f[T_COMMUNITY].val)
			return perr(p, lineof(m), "%s: 'community' is required with version 2c", ctx);
		if (get_str(p, ctx, "community", f[T_COMMUNITY].val, NC_TEXT, 1, 256, &t->community) < 0)
			return -1;
	} else {
		if (f[T_COMMUNITY].val)
			return perr(p, lineof(f[T_COMMUNITY].key),
				    "%s: 'community' is not allowed with version 3 (name a snmp.users entry in 'user')",
				    ctx);
		if (!f[T_USER].val)
			return perr(p, lineof(m), "%s: 'user' is required with version 3", ctx);
		if (get_name(p, ctx, "user", f[T_USER].val, NC_WORD, 32, t->user) < 0)
			return -1;
	}
	if (f[T_ENGINE].val) {
		if (t->version != 3 || !t->inform)
			return perr(p, lineof(f[T_ENGINE].key),
				    "%s: 'engine_id' is only used with version 3 INFORMs (the receiver's engine ID)", ctx);
		if (get_engine_id(p, ctx, f[T_ENGINE].val, t) < 0)
			return -1;
	}
	if (f[T_TIMEOUT].val && get_duration(p, ctx, "timeout", f[T_TIMEOUT].val, 10, 60 * MS_S, &t->timeout_ms) < 0)
		return -1;
	if (f[T_RETRIES].val) {
		if (get_uint(p, ctx, "retries", f[T_RETRIES].val, 0, 20, &retries) < 0)
			return -1;
		t->retries = (unsigned)retries;
	}
	return 0;
}

static int parse_notify(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	static const char *const keys[] = {"targets"};
	struct fld f[1];
	size_t n;

	if (!top->val)
		return 0;
	if (expect(p, "", "notify", top->val, YAML_MAPPING_NODE) < 0 ||
	    map_read(p, top->val, "notify", keys, 1, f) < 0)
		return -1;
	if (!f[0].val)
		return 0;
	if (expect(p, "notify", "targets", f[0].val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(f[0].val);
	c->targets = calloc(n ? n : 1, sizeof *c->targets);
	if (!c->targets)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = node_get(p, f[0].val->data.sequence.items.start[i]);
		if (!m || parse_target(p, &c->targets[c->n_targets++], m, i) < 0)
			return -1;
	}
	return 0;
}

/* ---- processes ---- */

enum {
	PF_NAME, PF_NODES, PF_COMMAND, PF_MATCH,
	/* supervised only: */
	PF_SHELL, PF_ENV, PF_USER, PF_GROUP, PF_CWD, PF_START, PF_RESTART, PF_BACKOFF, PF_BACKOFF_MAX,
	PF_DAMPING, PF_STOP_TIMEOUT, PF_START_GRACE,
	/* watched only: */
	PF_MIN, PF_MAX,
	PF_N
};

static const char *const proc_keys[PF_N] = {
	"name", "nodes", "command", "match", "shell", "env", "user", "group", "cwd", "start", "restart",
	"backoff", "backoff_max", "damping", "stop_timeout", "start_grace", "min", "max",
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int parse_command(struct pctx *p, struct cfg_proc *e, const char *ctx, const yaml_node_t *v)
{
	char b[CFG_SHOW_BUF];
	size_t n, len;
	const char *s;

	if (v->type == YAML_SEQUENCE_NODE) {
		if (e->shell)
			return perr(p, lineof(v), "%s: command: with shell: true, give the command as one string",
				    ctx);
		n = seq_len(v);
		if (n == 0)
			return perr(p, lineof(v), "%s: command: the list is empty", ctx);
		if (n > CFG_ARGS_MAX)
			return perr(p, lineof(v), "%s: command: more than %d arguments", ctx, CFG_ARGS_MAX);
		e->argv = calloc(n + 1, sizeof *e->argv);
		if (!e->argv)
			return oom(p);
		for (size_t i = 0; i < n; i++) {
			const yaml_node_t *a = node_get(p, v->data.sequence.items.start[i]);
			if (!a || !(s = get_scalar(p, ctx, "command", a, &len)))
				return -1;
			if (!(e->argv[i] = dup_bytes(p, s, len)))
				return -1;
			e->argc++;
		}
	} else {
		if (!(s = get_scalar(p, ctx, "command", v, &len)))
			return -1;
		if (e->shell) {
			/* The whole string is the script for /bin/sh -c. */
			n = 1;
		} else {
			/* Split on whitespace, no quoting: anything subtler belongs in a list. */
			n = 0;
			for (size_t i = 0; i < len; i++)
				if (!is_space(s[i]) && (i == 0 || is_space(s[i - 1])))
					n++;
		}
		if (n == 0 || (e->shell && strspn(s, " \t\n\r\f\v") == len))
			return perr(p, lineof(v), "%s: command: must not be empty", ctx);
		if (n > CFG_ARGS_MAX)
			return perr(p, lineof(v), "%s: command: more than %d arguments", ctx, CFG_ARGS_MAX);
		e->argv = calloc(n + 1, sizeof *e->argv);
		if (!e->argv)
			return oom(p);
		if (e->shell) {
			if (!(e->argv[0] = dup_bytes(p, s, len)))
				return -1;
			e->argc = 1;
		} else {
			for (size_t i = 0; i < len;) {
				size_t j;
				while (i < len && is_space(s[i]))
					i++;
				if (i == len)
					break;
				for (j = i; j < len && !is_space(s[j]); j++)
					;
				if (!(e->argv[e->argc] = dup_bytes(p, s + i, j - i)))
					return -1;
				e->argc++;
				i = j;
			}
		}
	}
	/* Without a shell nothing searches PATH: the agent execs exactly this file. */
	if (!e->shell && e->argv[0][0] != '/')
		return perr(p, lineof(v), "%s: command: '%s' must be an absolute path (or set shell: true)", ctx,
			    show_str(e->argv[0], strlen(e->argv[0]), b));
	return 0;
}

struct uniq {
	const char *name;
	int line;
	size_t idx;
};

static int uniq_cmp(const void *a, const void *b)
{
	const struct uniq *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts u and reports the duplicate that comes first in the file. */
static int check_unique(struct pctx *p, struct uniq *u, size_t n, const char *ctx, const char *what)
{
	const struct uniq *dup = NULL, *first = NULL;
	char b[CFG_SHOW_BUF];
	size_t j;

	if (n < 2)
		return 0;
	qsort(u, n, sizeof *u, uniq_cmp);
	for (size_t i = 0; i < n; i = j) {
		/* A run of equal names, sorted by line: its second entry is the
		 * duplicate, and the one to report is the earliest such. */
		for (j = i + 1; j < n && strcmp(u[j].name, u[i].name) == 0; j++)
			;
		if (j - i < 2)
			continue;
		if (!dup || u[i + 1].line < dup->line || (u[i + 1].line == dup->line && u[i + 1].idx < dup->idx)) {
			dup = &u[i + 1];
			first = &u[i];
		}
	}
	if (!dup)
		return 0;
	return perr(p, dup->line, "%s%sduplicate %s '%s' (first at line %d)", ctx ? ctx : "", ctx ? ": " : "", what,
		    show_str(dup->name, strlen(dup->name), b), first->line);
}

/* "ctx: what" for nested messages; a context too long is cut, which only
 * shortens the message. */
static void ctx_join(char *buf, size_t size, const char *ctx, const char *what)
{
	if (snprintf(buf, size, "%s: %s", ctx, what) >= (int)size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

static int parse_env(struct pctx *p, struct cfg_proc *e, const char *ctx, const yaml_node_t *v)
{
	struct uniq *u = NULL;
	char ectx[CFG_CTX_MAX];
	size_t n;
	int rc = -1;

	ctx_join(ectx, sizeof ectx, ctx, "env");
	if (expect(p, ctx, "env", v, YAML_MAPPING_NODE) < 0)
		return -1;
	n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	if (n > CFG_ENV_MAX)
		return perr(p, lineof(v), "%s: env: more than %d variables", ctx, CFG_ENV_MAX);
	e->env = calloc(n + 1, sizeof *e->env);
	u = calloc(n ? n : 1, sizeof *u);
	if (!e->env || !u) {
		oom(p);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_pair_t *pr = &v->data.mapping.pairs.start[i];
		const yaml_node_t *k = node_get(p, pr->key), *val;
		size_t klen, vlen = 0;
		const char *ks, *vs = "";
		char *kv;

		if (!k || !(ks = check_str(p, ctx, "env", k, NC_ENV, 1, 256, &klen)))
			goto fail;
		if (!(val = node_get(p, pr->value)))
			goto fail;
		if (!is_null(val) && !(vs = get_scalar(p, ectx, ks, val, &vlen)))
			goto fail;
		if (!(kv = text_alloc(p, klen + 1 + vlen + 1)))
			goto fail;
		memcpy(kv, ks, klen);
		kv[klen] = '=';
		memcpy(kv + klen + 1, vs, vlen);
		kv[klen + 1 + vlen] = '\0';
		e->env[e->envc++] = kv;
		u[i] = (struct uniq){.name = ks, .line = lineof(k), .idx = i};
	}
	rc = check_unique(p, u, n, ctx, "environment variable");
fail:
	free(u);
	return rc;
}

static int parse_match(struct pctx *p, struct cfg_proc *e, const char *ctx, const yaml_node_t *v)
{
	static const char *const keys[] = {"pidfile", "exe", "cmdline"};
	static const enum cfg_match_kind kinds[] = {MATCH_PIDFILE, MATCH_EXE, MATCH_CMDLINE};
	struct fld f[3];
	char mctx[CFG_CTX_MAX], b[CFG_SHOW_BUF], why[128];
	const char *why_big;
	size_t given = 0, which = 0;
	int rc;

	if (expect(p, ctx, "match", v, YAML_MAPPING_NODE) < 0)
		return -1;
	ctx_join(mctx, sizeof mctx, ctx, "match");
	if (map_read(p, v, mctx, keys, 3, f) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (f[i].val) {
			given++;
			which = i;
		}
	}
	if (given != 1)
		return perr(p, lineof(v), "%s: match: give exactly one of pidfile, exe or cmdline", ctx);
	e->match_kind = kinds[which];
	if (e->match_kind != MATCH_CMDLINE)
		return get_str(p, mctx, keys[which], f[which].val, NC_PATH, 1, PATH_MAX - 1, &e->match);
	if (get_str(p, mctx, "cmdline", f[which].val, NC_TEXT, 1, CFG_REGEX_MAX, &e->match) < 0)
		return -1;
	if ((why_big = rxg_check(e->match)))
		return perr(p, lineof(f[which].val), "%s: cmdline: '%s' %s", mctx, show(f[which].val, b), why_big);
	rc = regcomp(&e->match_re, e->match, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &e->match_re, why, sizeof why);
		return perr(p, lineof(f[which].val), "%s: cmdline: bad regular expression '%s': %s", mctx,
			    show(f[which].val, b), why);
	}
	e->re_compiled = true;
	return 0;
}

static int parse_damping(struct pctx *p, struct cfg_proc *e, const char *ctx, const yaml_node_t *v)
{
	static const char *const keys[] = {"restarts", "window"};
	struct fld f[2];
	char dctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	uint64_t n;
	bool on;

	if (v->type == YAML_SCALAR_NODE && word_bool(v, &on) && !on) {
		e->policy.damp_restarts = 0;
		return 0;
	}
	if (v->type != YAML_MAPPING_NODE)
		return perr(p, lineof(v), "%s: damping: expected {restarts: N, window: W} or off, got '%s'", ctx,
			    show(v, b));
	ctx_join(dctx, sizeof dctx, ctx, "damping");
	if (map_read(p, v, dctx, keys, 2, f) < 0)
		return -1;
	if (f[0].val) {
		if (get_uint(p, dctx, "restarts", f[0].val, 0, DAMP_MAX, &n) < 0)
			return -1;
		e->policy.damp_restarts = (unsigned)n;
	}
	if (f[1].val && get_duration(p, dctx, "window", f[1].val, MS_S, 24 * MS_H, &e->policy.damp_window_ms) < 0)
		return -1;
	return 0;
}

static int parse_proc(struct pctx *p, struct cfg_proc *e, const yaml_node_t *m, size_t i, const yaml_node_t **sel)
{
	static const struct word policies[] = {
		{"always", RESTART_ALWAYS}, {"on-failure", RESTART_ON_FAILURE}, {"never", RESTART_NEVER},
	};
	struct fld f[PF_N];
	char ctx[CFG_CTX_MAX];
	int v;

	item_ctx_peek(p, ctx, "processes", i, m, "name");
	e->line = lineof(m);
	e->autostart = true;
	e->policy = (struct proc_policy){
		.restart = RESTART_ON_FAILURE,
		.backoff_initial_ms = 1000,
		.backoff_max_ms = 30000,
		.damp_restarts = 5,
		.damp_window_ms = 60000,
		.stop_timeout_ms = 5000,
		.start_grace_ms = 2000,
	};
	e->min_count = 1;
	e->max_count = 0;
	if (expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || map_read(p, m, ctx, proc_keys, PF_N, f) < 0)
		return -1;
	if (!f[PF_NAME].val)
		return missing(p, ctx, m, "name");
	if (get_name(p, ctx, "name", f[PF_NAME].val, NC_PROC, CFG_NAME_MAX, e->name) < 0)
		return -1;
	item_ctx(ctx, "processes", i, e->name);
	if (f[PF_NODES].val && get_node_list(p, ctx, f[PF_NODES].val, sel) < 0)
		return -1;
	if (f[PF_COMMAND].val && f[PF_MATCH].val)
		return perr(p, lineof(f[PF_MATCH].key),
			    "%s: give either 'command' (supervised) or 'match' (watched), not both", ctx);
	if (!f[PF_COMMAND].val && !f[PF_MATCH].val)
		return perr(p, lineof(m), "%s: needs 'command' (supervised) or 'match' (watched)", ctx);

	if (f[PF_MATCH].val) {
		e->kind = PK_WATCHED;
		/* Nobody restarts what the agent did not start; the MIB shows notApplicable. */
		e->policy.restart = RESTART_NEVER;
		for (int k = PF_SHELL; k <= PF_START_GRACE; k++)
			if (f[k].val)
				return perr(p, lineof(f[k].key),
					    "%s: '%s' applies only to supervised processes (with 'command')", ctx,
					    proc_keys[k]);
		if (parse_match(p, e, ctx, f[PF_MATCH].val) < 0)
			return -1;
		if (f[PF_MIN].val && get_u32(p, ctx, "min", f[PF_MIN].val, 0, 100000, &e->min_count) < 0)
			return -1;
		if (f[PF_MAX].val && get_u32(p, ctx, "max", f[PF_MAX].val, 0, 100000, &e->max_count) < 0)
			return -1;
		return 0;
	}

	e->kind = PK_SUPERVISED;
	e->max_count = 1;
	for (int k = PF_MIN; k <= PF_MAX; k++)
		if (f[k].val)
			return perr(p, lineof(f[k].key), "%s: '%s' applies only to watched processes (with 'match')",
				    ctx, proc_keys[k]);
	if (f[PF_SHELL].val && get_bool(p, ctx, "shell", f[PF_SHELL].val, &e->shell) < 0)
		return -1;
	if (parse_command(p, e, ctx, f[PF_COMMAND].val) < 0)
		return -1;
	if (f[PF_ENV].val) {
		if (parse_env(p, e, ctx, f[PF_ENV].val) < 0)
			return -1;
	} else {
		e->env = calloc(1, sizeof *e->env);
		if (!e->env)
			return oom(p);
	}
	if (f[PF_USER].val && get_str(p, ctx, "user", f[PF_USER].val, NC_WORD, 1, CFG_NAME_MAX, &e->user) < 0)
		return -1;
	if (f[PF_GROUP].val && get_str(p, ctx, "group", f[PF_GROUP].val, NC_WORD, 1, CFG_NAME_MAX, &e->group) < 0)
		return -1;
	if (f[PF_CWD].val && get_str(p, ctx, "cwd", f[PF_CWD].val, NC_PATH, 1, PATH_MAX - 1, &e->cwd) < 0)
		return -1;
	if (f[PF_START].val && get_bool(p, ctx, "start", f[PF_START].val, &e->autostart) < 0)
		return -1;
	if (f[PF_RESTART].val) {
		if (get_enum(p, ctx, "restart policy", f[PF_RESTART].val, policies, 3, "always, on-failure or never",
			     &v) < 0)
			return -1;
		e->policy.restart = (enum proc_restart)v;
	}
	if (f[PF_BACKOFF].val &&
	    get_duration(p, ctx, "backoff", f[PF_BACKOFF].val, 10, MS_H, &e->policy.backoff_initial_ms) < 0)
		return -1;
	if (f[PF_BACKOFF_MAX].val) {
		if (get_duration(p, ctx, "backoff_max", f[PF_BACKOFF_MAX].val, 10, 24 * MS_H,
				 &e->policy.backoff_max_ms) < 0)
			return -1;
	} else if (e->policy.backoff_max_ms < e->policy.backoff_initial_ms) {
		/* A long backoff without a cap of its own is its own cap. */
		e->policy.backoff_max_ms = e->policy.backoff_initial_ms;
	}
	if (f[PF_DAMPING].val && parse_damping(p, e, ctx, f[PF_DAMPING].val) < 0)
		return -1;
	if (f[PF_STOP_TIMEOUT].val &&
	    get_duration(p, ctx, "stop_timeout", f[PF_STOP_TIMEOUT].val, 10, MS_H, &e->policy.stop_timeout_ms) < 0)
		return -1;
	if (f[PF_START_GRACE].val &&
	    get_duration(p, ctx, "start_grace", f[PF_START_GRACE].val, 0, MS_H, &e->policy.start_grace_ms) < 0)
		return -1;
	return 0;
}

static int parse_processes(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	size_t n;

	if (!top->val)
		return 0;
	if (expect(p, "", "processes", top->val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(top->val);
	c->procs = calloc(n ? n : 1, sizeof *c->procs);
	p->proc_sel = calloc(n ? n : 1, sizeof *p->proc_sel);
	if (!c->procs || !p->proc_sel)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = node_get(p, top->val->data.sequence.items.start[i]);
		if (!m || parse_proc(p, &c->procs[c->n_procs++], m, i, &p->proc_sel[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- resources ---- */

#define PCT_MAX 10000u     /* 100.00 % */
#define LOAD_MAX 1000000u  /* a load average of 10000.00 */

static int parse_thr(struct pctx *p, const char *ctx, const yaml_node_t *m, uint32_t max, struct thr *t,
		     struct fld *extra, const char *const *extra_keys, size_t n_extra)
{
	const char *keys[8] = {"warning", "critical", "hysteresis"};
	struct fld f[8];

	for (size_t i = 0; i < n_extra; i++)
		keys[3 + i] = extra_keys[i];
	if (map_read(p, m, ctx, keys, 3 + n_extra, f) < 0)
		return -1;
	if (f[0].val && get_hundredths(p, ctx, "warning", f[0].val, max, &t->warning) < 0)
		return -1;
	if (f[1].val && get_hundredths(p, ctx, "critical", f[1].val, max, &t->critical) < 0)
		return -1;
	if (f[2].val && get_hundredths(p, ctx, "hysteresis", f[2].val, max, &t->hysteresis) < 0)
		return -1;
	for (size_t i = 0; i < n_extra; i++)
		extra[i] = f[3 + i];
	return 0;
}

static int parse_basic_res(struct pctx *p, struct shugo_config *c, const struct fld *f, const char *name,
			   enum cfg_res_type type, struct thr def)
{
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	struct cfg_res *r;
	bool on;

	if (f->val && f->val->type == YAML_SCALAR_NODE) {
		if (!word_bool(f->val, &on))
			return perr(p, lineof(f->val),
				    "resources: %s: expected {warning, critical, hysteresis} or off, got '%s'", name,
				    show(f->val, b));
		if (!on)
			return 0;
	}
	r = &c->res[c->n_res++];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->type = type;
	r->thr = def;
	r->line = f->key ? lineof(f->key) : 0;
	if (!f->val || f->val->type == YAML_SCALAR_NODE)
		return 0;
	snprintf(ctx, sizeof ctx, "resources.%s", name);
	if (expect(p, "resources", name, f->val, YAML_MAPPING_NODE) < 0)
		return -1;
	return parse_thr(p, ctx, f->val, type == RES_LOAD ? LOAD_MAX : PCT_MAX, &r->thr, NULL, NULL, 0);
}

static int parse_fs(struct pctx *p, struct cfg_res *r, const yaml_node_t *m, size_t i, const yaml_node_t **sel)
{
	static const char *const extra_keys[] = {"path", "nodes"};
	struct fld extra[2];
	char ctx[CFG_CTX_MAX];
	const size_t path_max = CFG_NAME_MAX - 3; /* "fs:" + path must fit the name */

	item_ctx_peek(p, ctx, "resources.filesystems", i, m, "path");
	r->type = RES_FILESYSTEM;
	r->thr = (struct thr){.warning = 8500, .critical = 9500, .hysteresis = 200};
	r->line = lineof(m);
	if (expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0)
		return -1;
	if (parse_thr(p, ctx, m, PCT_MAX, &r->thr, extra, extra_keys, 2) < 0)
		return -1;
	if (!extra[0].val)
		return missing(p, ctx, m, "path");
	if (extra[0].val->type == YAML_SCALAR_NODE && slen(extra[0].val) > path_max)
		return perr(p, lineof(extra[0].val),
			    "%s: path: longer than %zu characters (the resource is named \"fs:<path>\", at most %d)",
			    ctx, path_max, CFG_NAME_MAX);
	if (get_str(p, ctx, "path", extra[0].val, NC_PATH, 1, path_max, &r->path) < 0)
		return -1;
	snprintf(r->name, sizeof r->name, "fs:%s", r->path);
	item_ctx(ctx, "resources.filesystems", i, r->path);
	if (extra[1].val && get_node_list(p, ctx, extra[1].val, sel) < 0)
		return -1;
	return 0;
}

static int parse_nic(struct pctx *p, struct cfg_nic *e, const yaml_node_t *m, size_t i, const yaml_node_t **sel)
{
	static const char *const keys[] = {"name", "stall_after", "pcap", "nodes"};
	struct fld f[4];
	char ctx[CFG_CTX_MAX];

	item_ctx_peek(p, ctx, "resources.nics", i, m, "name");
	e->line = lineof(m);
	e->stall_after_s = 30;
	e->pcap = true;
	if (expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || map_read(p, m, ctx, keys, 4, f) < 0)
		return -1;
	if (!f[0].val)
		return missing(p, ctx, m, "name");
	/* IFNAMSIZ is 16 including the terminator. */
	if (get_name(p, ctx, "name", f[0].val, NC_IFACE, 15, e->name) < 0)
		return -1;
	item_ctx(ctx, "resources.nics", i, e->name);
	if (f[1].val && get_seconds(p, ctx, "stall_after", f[1].val, 1, 86400, &e->stall_after_s) < 0)
		return -1;
	if (f[2].val && get_bool(p, ctx, "pcap", f[2].val, &e->pcap) < 0)
		return -1;
	if (f[3].val && get_node_list(p, ctx, f[3].val, sel) < 0)
		return -1;
	return 0;
}

static int parse_resources(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	enum { R_CPU, R_MEM, R_SWAP, R_LOAD, R_FS, R_NICS, R_N };
	static const char *const keys[R_N] = {"cpu", "memory", "swap", "load", "filesystems", "nics"};
	struct fld f[R_N];
	size_t n_fs = 0, n_nics = 0;

	memset(f, 0, sizeof f);
	if (top->val) {
		if (expect(p, "", "resources", top->val, YAML_MAPPING_NODE) < 0 ||
		    map_read(p, top->val, "resources", keys, R_N, f) < 0)
			return -1;
		if (f[R_FS].val) {
			if (expect(p, "resources", "filesystems", f[R_FS].val, YAML_SEQUENCE_NODE) < 0)
				return -1;
			n_fs = seq_len(f[R_FS].val);
		}
		if (f[R_NICS].val) {
			if (expect(p, "resources", "nics", f[R_NICS].val, YAML_SEQUENCE_NODE) < 0)
				return -1;
			n_nics = seq_len(f[R_NICS].val);
		}
	}
	c->res = calloc(4 + n_fs, sizeof *c->res);
	p->res_sel = calloc(4 + n_fs, sizeof *p->res_sel);
	c->nics = calloc(n_nics ? n_nics : 1, sizeof *c->nics);
	p->nic_sel = calloc(n_nics ? n_nics : 1, sizeof *p->nic_sel);
	if (!c->res || !p->res_sel || !c->nics || !p->nic_sel)
		return oom(p);
	if (parse_basic_res(p, c, &f[R_CPU], "cpu", RES_CPU, (struct thr){8500, 9500, 500}) < 0 ||
	    parse_basic_res(p, c, &f[R_MEM], "memory", RES_MEMORY, (struct thr){8500, 9500, 500}) < 0 ||
	    parse_basic_res(p, c, &f[R_SWAP], "swap", RES_SWAP, (struct thr){5000, 8000, 500}) < 0 ||
	    parse_basic_res(p, c, &f[R_LOAD], "load", RES_LOAD, (struct thr){400, 800, 50}) < 0)
		return -1;
	p->n_basic_res = c->n_res;
	for (size_t i = 0; i < n_fs; i++) {
		const yaml_node_t *m = node_get(p, f[R_FS].val->data.sequence.items.start[i]);
		size_t k = c->n_res++;
		if (!m || parse_fs(p, &c->res[k], m, i, &p->res_sel[k]) < 0)
			return -1;
	}
	for (size_t i = 0; i < n_nics; i++) {
		const yaml_node_t *m = node_get(p, f[R_NICS].val->data.sequence.items.start[i]);
		size_t k = c->n_nics++;
		if (!m || parse_nic(p, &c->nics[k], m, i, &p->nic_sel[k]) < 0)
			return -1;
	}
	return 0;
}

/* ---- cross-checks, once everything is read ---- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every name in an entry's `nodes:` list must be a cluster node, when the
 * cluster is defined at all. */
static int check_node_list(struct pctx *p, const char *ctx, const yaml_node_t *sel, const char **names,
			   size_t n_names)
{
	char b[CFG_SHOW_BUF];

	if (!sel || n_names == 0)
		return 0;
	for (const yaml_node_item_t *it = sel->data.sequence.items.start; it < sel->data.sequence.items.top; it++) {
		const yaml_node_t *n = node_get(p, *it);
		const char *key;
		if (!n)
			return -1;
		key = sval(n);
		if (!bsearch(&key, names, n_names, sizeof *names, cmp_strp))
			return perr(p, lineof(n), "%s: node '%s' is not in cluster.nodes", ctx, show(n, b));
	}
	return 0;
}

/* thr_check is the rule, shared with SNMP SETs of the thresholds; the two
 * common cases get the values in the message. */
static int check_thr(struct pctx *p, const char *ctx, const struct thr *t, int line)
{
	char a[32], b[32];
	const char *why = thr_check(t);

	if (!why)
		return 0;
	if (t->warning > t->critical)
		return perr(p, line, "%s: warning (%s) is above critical (%s)", ctx,
			    fmt_hund(t->warning, a, sizeof a), fmt_hund(t->critical, b, sizeof b));
	if (t->warning > 0 && t->hysteresis >= t->warning)
		return perr(p, line, "%s: hysteresis (%s) must be below warning (%s)", ctx,
			    fmt_hund(t->hysteresis, a, sizeof a), fmt_hund(t->warning, b, sizeof b));
	return perr(p, line, "%s: %s", ctx, why);
}

static int validate(struct pctx *p, struct shugo_config *c)
{
	const char **names = NULL, *key;
	struct uniq *u = NULL;
	size_t max = c->n_nodes, k;
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	int rc = -1;

	max = c->n_users > max ? c->n_users : max;
	max = c->n_targets > max ? c->n_targets : max;
	max = c->n_procs > max ? c->n_procs : max;
	max = c->n_res > max ? c->n_res : max;
	max = c->n_nics > max ? c->n_nics : max;
	u = calloc(max ? max : 1, sizeof *u);
	names = calloc(c->n_nodes ? c->n_nodes : 1, sizeof *names);
	if (!u || !names) {
		oom(p);
		goto fail;
	}

	for (size_t i = 0; i < c->n_nodes; i++) {
		u[i] = (struct uniq){c->nodes[i].name, c->nodes[i].line, i};
		names[i] = c->nodes[i].name;
	}
	if (check_unique(p, u, c->n_nodes, NULL, "node name") < 0)
		goto fail;
	qsort(names, c->n_nodes, sizeof *names, cmp_strp);
	key = c->node_name;
	if (c->n_nodes > 0 && !bsearch(&key, names, c->n_nodes, sizeof *names, cmp_strp)) {
		perr(p, p->cluster_line, "node '%s' is not in cluster.nodes",
		     show_str(c->node_name, strlen(c->node_name), b));
		goto fail;
	}

	for (size_t i = 0; i < c->n_users; i++)
		u[i] = (struct uniq){c->users[i].name, c->users[i].line, i};
	if (check_unique(p, u, c->n_users, NULL, "SNMP user") < 0)
		goto fail;

	for (size_t i = 0; i < c->n_targets; i++)
		u[i] = (struct uniq){c->targets[i].name, c->targets[i].line, i};
	if (check_unique(p, u, c->n_targets, NULL, "notification target") < 0)
		goto fail;
	for (size_t i = 0; i < c->n_targets; i++) {
		const struct cfg_target *t = &c->targets[i];
		if (t->version == 3 && !cfg_find_user(c, t->user)) {
			item_ctx(ctx, "notify.targets", i, t->name);
			perr(p, t->line, "%s: user '%s' is not defined in snmp.users", ctx,
			     show_str(t->user, strlen(t->user), b));
			goto fail;
		}
	}

	for (size_t i = 0; i < c->n_procs; i++)
		u[i] = (struct uniq){c->procs[i].name, c->procs[i].line, i};
	if (check_unique(p, u, c->n_procs, NULL, "process name") < 0)
		goto fail;
	for (size_t i = 0; i < c->n_procs; i++) {
		const struct cfg_proc *e = &c->procs[i];
		char x[32], y[32];
		item_ctx(ctx, "processes", i, e->name);
		if (e->policy.backoff_max_ms < e->policy.backoff_initial_ms) {
			perr(p, e->line, "%s: backoff_max (%s) is below backoff (%s)", ctx,
			     fmt_dur(e->policy.backoff_max_ms, x, sizeof x),
			     fmt_dur(e->policy.backoff_initial_ms, y, sizeof y));
			goto fail;
		}
		if (e->max_count != 0 && e->max_count < e->min_count) {
			perr(p, e->line, "%s: max (%u) is below min (%u); use max: 0 for no upper limit", ctx,
			     e->max_count, e->min_count);
			goto fail;
		}
		if (check_node_list(p, ctx, p->proc_sel[i], names, c->n_nodes) < 0)
			goto fail;
	}

	k = 0;
	for (size_t i = 0; i < c->n_res; i++) {
		const struct cfg_res *r = &c->res[i];
		if (i < p->n_basic_res)
			snprintf(ctx, sizeof ctx, "resources.%s", r->name);
		else
			item_ctx(ctx, "resources.filesystems", i - p->n_basic_res, r->path);
		if (check_thr(p, ctx, &r->thr, r->line) < 0)
			goto fail;
		if (i >= p->n_basic_res) {
			if (check_node_list(p, ctx, p->res_sel[i], names, c->n_nodes) < 0)
				goto fail;
			u[k] = (struct uniq){r->path, r->line, k};
			k++;
		}
	}
	if (check_unique(p, u, k, NULL, "filesystem") < 0)
		goto fail;

	for (size_t i = 0; i < c->n_nics; i++) {
		item_ctx(ctx, "resources.nics", i, c->nics[i].name);
		if (check_node_list(p, ctx, p->nic_sel[i], names, c->n_nodes) < 0)
			goto fail;
		u[i] = (struct uniq){c->nics[i].name, c->nics[i].line, i};
	}
	if (check_unique(p, u, c->n_nics, NULL, "network interface") < 0)
		goto fail;
	rc = 0;
fail:
	free(u);
	free(names);
	return rc;
}

/* ---- per-node filter ---- */

static int selected(struct pctx *p, const yaml_node_t *sel, const char *node, bool *out)
{
	*out = sel == NULL;
	if (!sel)
		return 0;
	for (const yaml_node_item_t *it = sel->data.sequence.items.start; it < sel->data.sequence.items.top; it++) {
		const yaml_node_t *n = node_get(p, *it);
		if (!n)
			return -1;
		if (strcmp(sval(n), node) == 0) {
			*out = true;
			break;
		}
	}
	return 0;
}

static void proc_clear(struct cfg_proc *e)
{
	if (e->argv)
		for (char **a = e->argv; *a; a++)
			free(*a);
	free(e->argv);
	if (e->env)
		for (char **a = e->env; *a; a++)
			free(*a);
	free(e->env);
	free(e->user);
	free(e->group);
	free(e->cwd);
	free(e->match);
	if (e->re_compiled)
		regfree(&e->match_re);
}

static int filter(struct pctx *p, struct shugo_config *c)
{
	size_t k = 0;
	bool keep;

	for (size_t i = 0; i < c->n_procs; i++) {
		if (selected(p, p->proc_sel[i], c->node_name, &keep) < 0)
			return -1;
		if (!keep) {
			proc_clear(&c->procs[i]);
			continue;
		}
		/* regex_t may be moved: glibc keeps no pointer into it. */
		if (k != i)
			c->procs[k] = c->procs[i];
		k++;
	}
	c->n_procs = k;
	k = 0;
	for (size_t i = 0; i < c->n_res; i++) {
		if (selected(p, p->res_sel[i], c->node_name, &keep) < 0)
			return -1;
		if (!keep) {
			free(c->res[i].path);
			continue;
		}
		if (k != i)
			c->res[k] = c->res[i];
		k++;
	}
	c->n_res = k;
	k = 0;
	for (size_t i = 0; i < c->n_nics; i++) {
		if (selected(p, p->nic_sel[i], c->node_name, &keep) < 0)
			return -1;
		if (!keep)
			continue;
		if (k != i)
			c->nics[k] = c->nics[i];
		k++;
	}
	c->n_nics = k;
	return 0;
}

/* ---- reading the YAML ---- */

static int yaml_fail(struct pctx *p, const yaml_parser_t *ps, const char *text, size_t len)
{
	const char *problem = ps->problem ? ps->problem : "unknown problem";
	const char *kind = ps->error == YAML_COMPOSER_ERROR ? "YAML error" : "YAML syntax error";
	int line = 1;

	switch (ps->error) {
	case YAML_MEMORY_ERROR:
		return oom(p);
	case YAML_READER_ERROR:
		/* The reader reports a byte offset, not a mark. */
		for (size_t i = 0; i < ps->problem_offset && i < len; i++)
			if (text[i] == '\n' && line < INT_MAX)
				line++;
		return perr(p, line, "%s: %s", kind, problem);
	default:
		line = ps->problem_mark.line < (size_t)INT_MAX ? (int)ps->problem_mark.line + 1 : INT_MAX;
		if (ps->context)
			return perr(p, line, "%s: %s at line %zu: %s", kind, ps->context, ps->context_mark.line + 1,
				    problem);
		return perr(p, line, "%s: %s", kind, problem);
	}
}

/* An event pass before composing: libyaml's composer recurses once per level and
 * would follow an alias into its own anchor, so nesting, anchors, aliases and
 * self-references are bounded here, where the parser uses no recursion. */
static int prescan(struct pctx *p, const char *text, size_t len)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	char *open[CFG_DEPTH_MAX] = {0};
	size_t depth = 0, anchors = 0, aliases = 0, docs = 0;
	int rc = -1;
	bool done = false;

	if (!yaml_parser_initialize(&ps))
		return oom(p);
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	while (!done) {
		const unsigned char *anchor = NULL;
		int line;

		if (!yaml_parser_parse(&ps, &ev)) {
			yaml_fail(p, &ps, text, len);
			goto fail;
		}
		line = ev.start_mark.line < (size_t)INT_MAX ? (int)ev.start_mark.line + 1 : INT_MAX;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				perr(p, line, "only one YAML document is allowed in the file");
				goto fail_ev;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			anchor = ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
								      : ev.data.mapping_start.anchor;
			if (depth == CFG_DEPTH_MAX) {
				perr(p, line, "nested deeper than %d levels", CFG_DEPTH_MAX);
				goto fail_ev;
			}
			if (anchor && ++anchors > CFG_ANCHORS_MAX) {
				perr(p, line, "more than %d anchors", CFG_ANCHORS_MAX);
				goto fail_ev;
			}
			if (anchor && !(open[depth] = strdup((const char *)anchor))) {
				oom(p);
				goto fail_ev;
			}
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				depth--;
				free(open[depth]);
				open[depth] = NULL;
			}
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.anchor && ++anchors > CFG_ANCHORS_MAX) {
				perr(p, line, "more than %d anchors", CFG_ANCHORS_MAX);
				goto fail_ev;
			}
			break;
		case YAML_ALIAS_EVENT:
			if (++aliases > CFG_ALIASES_MAX) {
				perr(p, line, "more than %d aliases", CFG_ALIASES_MAX);
				goto fail_ev;
			}
			for (size_t i = 0; i < depth; i++) {
				if (open[i] && strcmp(open[i], (const char *)ev.data.alias.anchor) == 0) {
					char b[CFG_SHOW_BUF];
					const char *a = (const char *)ev.data.alias.anchor;
					perr(p, line, "alias '*%s' refers to a node that contains it",
					     show_str(a, strlen(a), b));
					goto fail_ev;
				}
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
	goto fail;
fail_ev:
	yaml_event_delete(&ev);
fail:
	for (size_t i = 0; i < CFG_DEPTH_MAX; i++)
		free(open[i]);
	yaml_parser_delete(&ps);
	return rc;
}

static int load_doc(struct pctx *p, const char *text, size_t len)
{
	yaml_parser_t ps;
	int rc = -1;

	if (prescan(p, text, len) < 0)
		return -1;
	if (!yaml_parser_initialize(&ps))
		return oom(p);
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	if (!yaml_parser_load(&ps, &p->doc)) {
		yaml_fail(p, &ps, text, len);
		goto fail;
	}
	p->have_doc = true;
	rc = 0;
fail:
	yaml_parser_delete(&ps);
	return rc;
}

static int set_node_name(struct pctx *p, struct shugo_config *c, const char *node_name)
{
	char host[256], b[CFG_SHOW_BUF];
	size_t len;

	if (!node_name) {
		if (gethostname(host, sizeof host) < 0)
			return perr(p, 0, "cannot find this node's name: gethostname: %s", strerror(errno));
		host[sizeof host - 1] = '\0';
		/* Node names are short names: "alpha", not "alpha.example.net". */
		host[strcspn(host, ".")] = '\0';
		node_name = host;
	}
	len = strlen(node_name);
	if (len == 0)
		return perr(p, 0, "this node's name is empty");
	if (len > CFG_NAME_MAX)
		return perr(p, 0, "this node's name '%s' is longer than %d characters", show_str(node_name, len, b),
			    CFG_NAME_MAX);
	memcpy(c->node_name, node_name, len + 1);
	return 0;
}

struct shugo_config *cfg_parse(const char *name, const char *text, size_t len, const char *node_name, char *err,
			       size_t errlen)
{
	enum { K_CLUSTER, K_AGENT, K_SNMP, K_NOTIFY, K_PROCS, K_RES, K_N };
	static const char *const keys[K_N] = {"cluster", "agent", "snmp", "notify", "processes", "resources"};
	struct pctx p = {.file = name ? name : "config", .err = err, .errlen = errlen};
	struct shugo_config *c;
	struct fld f[K_N];
	const yaml_node_t *root;

	if (err && errlen)
		err[0] = '\0';
	c = calloc(1, sizeof *c);
	if (!c) {
		oom(&p);
		return NULL;
	}
	c->file = strdup(p.file);
	c->agentx_socket = strdup(DEF_AGENTX_SOCKET);
	c->state_dir = strdup(SHUGO_STATEDIR);
	c->sample_ms = 1000;
	c->nlog_capacity = 10000;
	c->queue_limit = 1000;
	c->max_procs = 128;
	c->agentx_ping_s = 5;
	c->mode = AGENT_MODE_AGENTX;
	if (!c->file || !c->agentx_socket || !c->state_dir) {
		oom(&p);
		goto fail;
	}
	if (set_node_name(&p, c, node_name) < 0)
		goto fail;
	if (len > CFG_FILE_MAX) {
		perr(&p, 0, "the file is larger than %u bytes", CFG_FILE_MAX);
		goto fail;
	}
	if (load_doc(&p, text ? text : "", text ? len : 0) < 0)
		goto fail;
	p.visits_left = 4 * (size_t)(p.doc.nodes.top - p.doc.nodes.start) + 10000;
	p.bytes_left = 8 * len + (1u << 20);

	memset(f, 0, sizeof f);
	root = yaml_document_get_root_node(&p.doc);
	if (root && !is_null(root)) {
		if (root->type != YAML_MAPPING_NODE) {
			char b[CFG_SHOW_BUF];
			perr(&p, lineof(root), "expected a mapping at the top level, got %s", got(root, b));
			goto fail;
		}
		if (map_read(&p, root, "", keys, K_N, f) < 0)
			goto fail;
	}
	if (parse_cluster(&p, c, &f[K_CLUSTER]) < 0 || parse_agent(&p, c, &f[K_AGENT]) < 0 ||
	    parse_snmp(&p, c, &f[K_SNMP]) < 0 || parse_notify(&p, c, &f[K_NOTIFY]) < 0 ||
	    parse_processes(&p, c, &f[K_PROCS]) < 0 || parse_resources(&p, c, &f[K_RES]) < 0)
		goto fail;
	if (validate(&p, c) < 0 || filter(&p, c) < 0)
		goto fail;
	free(p.proc_sel);
	free(p.res_sel);
	free(p.nic_sel);
	yaml_document_delete(&p.doc);
	return c;
fail:
	free(p.proc_sel);
	free(p.res_sel);
	free(p.nic_sel);
	if (p.have_doc)
		yaml_document_delete(&p.doc);
	cfg_free(c);
	return NULL;
}

struct shugo_config *cfg_load(const char *path, const char *node_name, char *err, size_t errlen)
{
	struct shugo_config *c = NULL;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;
	char dummy[1];

	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail_errno;
	if (fstat(fd, &st) < 0)
		goto fail_errno;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_size > (off_t)CFG_FILE_MAX) {
		snprintf(err, errlen, "%s: the file is larger than %u bytes", path, CFG_FILE_MAX);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail_errno;
	/* Read to EOF rather than trusting st_size: the file may be replaced while read. */
	for (;;) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail_errno;
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > (size_t)st.st_size) {
			snprintf(err, errlen, "%s: the file changed while it was read", path);
			goto fail;
		}
	}
	c = cfg_parse(path, buf, got, node_name, err, errlen);
	goto fail;
fail_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return c;
}

void cfg_free(struct shugo_config *c)
{
	if (!c)
		return;
	free(c->file);
	for (size_t i = 0; i < c->n_nodes; i++)
		free(c->nodes[i].address);
	free(c->nodes);
	free(c->agentx_socket);
	free(c->state_dir);
	for (size_t i = 0; i < c->n_listen; i++)
		free(c->listen[i]);
	free(c->listen);
	for (size_t i = 0; i < c->n_communities; i++)
		free(c->communities[i].community);
	free(c->communities);
	for (size_t i = 0; i < c->n_users; i++) {
		free(c->users[i].auth_pass);
		free(c->users[i].priv_pass);
	}
	free(c->users);
	for (size_t i = 0; i < c->n_targets; i++) {
		free(c->targets[i].address);
		free(c->targets[i].community);
	}
	free(c->targets);
	for (size_t i = 0; i < c->n_procs; i++)
		proc_clear(&c->procs[i]);
	free(c->procs);
	for (size_t i = 0; i < c->n_res; i++)
		free(c->res[i].path);
	free(c->res);
	free(c->nics);
	free(c);
}

const struct cfg_proc *cfg_find_proc(const struct shugo_config *c, const char *name)
{
	if (!c || !name)
		return NULL;
	for (size_t i = 0; i < c->n_procs; i++)
		if (strcmp(c->procs[i].name, name) == 0)
			return &c->procs[i];
	return NULL;
}

const struct cfg_user *cfg_find_user(const struct shugo_config *c, const char *name)
{
	if (!c || !name)
		return NULL;
	for (size_t i = 0; i < c->n_users; i++)
		if (strcmp(c->users[i].name, name) == 0)
			return &c->users[i];
	return NULL;
}

bool cfg_source_match(const struct cfg_community *c, const uint8_t *addr, size_t len)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned full, rest;

	if (!c)
		return false;
	if (c->family == CFG_SRC_ANY)
		return true;
	if (!addr)
		return false;
	/* A dual-stack socket shows an IPv4 client as ::ffff:a.b.c.d. */
	if (len == 16 && memcmp(addr, v4mapped, sizeof v4mapped) == 0) {
		addr += 12;
		len = 4;
	}
	if ((c->family == CFG_SRC_IPV4 && len != 4) || (c->family == CFG_SRC_IPV6 && len != 16))
		return false;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(addr, c->net, full) != 0)
		return false;
	if (rest && ((addr[full] ^ c->net[full]) & (uint8_t)(0xff00u >> rest)))
		return false;
	return true;
}
