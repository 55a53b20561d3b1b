/* The configuration parser's value readers: errors with "file:line: what",
 * the budgeted walk over libyaml's document, and one reader per kind of value
 * (text, names, numbers, durations, hundredths, booleans, words, engine IDs).
 * The section parsers in config.c and cfg_manager.c are built from these. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"

int cfg_perr(struct pctx *p, int line, const char *fmt, ...)
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

int cfg_oom(struct pctx *p)
{
	return cfg_perr(p, 0, "out of memory");
}

/* Every node the walk looks at goes through here, so that aliases cannot make
 * the walk longer than a few times the document. */
const yaml_node_t *cfg_node_get(struct pctx *p, int id)
{
	const yaml_node_t *n = yaml_document_get_node(&p->doc, id);

	if (!n) {
		cfg_perr(p, 0, "internal error: dangling YAML node %d", id);
		return NULL;
	}
	if (p->visits_left == 0) {
		cfg_perr(p, lineof(n), "the document expands to too many nodes (aliases referenced too often)");
		return NULL;
	}
	p->visits_left--;
	return n;
}



bool cfg_bytes_ieq(const char *s, size_t len, const char *word)
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

bool cfg_is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return slen(n) == 0 || bytes_eq(sval(n), slen(n), "~") || bytes_eq(sval(n), slen(n), "null") ||
	       bytes_eq(sval(n), slen(n), "Null") || bytes_eq(sval(n), slen(n), "NULL");
}

const char *cfg_kind_name(const yaml_node_t *n)
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

/* What was found instead, for "expected X, got Y": a kind, or the value quoted. */
const char *cfg_got(const yaml_node_t *n, char *buf)
{
	if (n->type != YAML_SCALAR_NODE)
		return cfg_kind_name(n);
	buf[0] = '\'';
	cfg_show(n, buf + 1);
	strcat(buf, "'");
	return buf;
}

/* A value quoted in a message: bounded, control and non-ASCII bytes as '?'. */
const char *cfg_show_str(const char *s, size_t len, char *buf)
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

const char *cfg_show(const yaml_node_t *n, char *buf)
{
	if (n->type != YAML_SCALAR_NODE)
		return cfg_kind_name(n);
	return cfg_show_str(sval(n), slen(n), buf);
}

const char *cfg_fmt_dur(uint64_t ms, char *buf, size_t size)
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

const char *cfg_fmt_hund(uint64_t v, char *buf, size_t size)
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
const char *cfg_parse_u64(const char *s, const char **end, uint64_t *out)
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
const char *cfg_parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {{"", MS_S}, {"ms", 1}, {"s", MS_S}, {"m", MS_M}, {"h", MS_H}};
	const char *end;
	uint64_t v;
	const char *why = cfg_parse_u64(s, &end, &v);

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
const char *cfg_parse_hundredths(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t ip, frac = 0;
	const char *why = cfg_parse_u64(s, &end, &ip);

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

bool cfg_cls_ok(enum name_cls cls, const char *s, size_t len)
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

const char *cfg_cls_desc(enum name_cls cls)
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
char *cfg_text_alloc(struct pctx *p, size_t size)
{
	char *d;

	if (size > p->bytes_left) {
		cfg_perr(p, 0, "the document expands to too much text (aliases referenced too often)");
		return NULL;
	}
	d = malloc(size);
	if (!d) {
		cfg_oom(p);
		return NULL;
	}
	p->bytes_left -= size;
	return d;
}

char *cfg_dup_bytes(struct pctx *p, const char *s, size_t len)
{
	char *d = cfg_text_alloc(p, len + 1);

	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* The scalar behind a key, or NULL (error set) if it is not one or cannot be a
 * C string. */
const char *cfg_get_scalar(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v,
			   size_t *lenp)
{
	if (v->type != YAML_SCALAR_NODE) {
		cfg_perr(p, lineof(v), "%s: %s: expected a single value, got %s", ctx, key, cfg_kind_name(v));
		return NULL;
	}
	if (memchr(sval(v), '\0', slen(v))) {
		cfg_perr(p, lineof(v), "%s: %s: the value contains a NUL character", ctx, key);
		return NULL;
	}
	if (slen(v) > CFG_TEXT_MAX) {
		cfg_perr(p, lineof(v), "%s: %s: the value is longer than %d bytes", ctx, key, CFG_TEXT_MAX);
		return NULL;
	}
	*lenp = slen(v);
	return sval(v);
}

const char *cfg_check_str(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v,
			  enum name_cls cls, size_t minlen, size_t maxlen, size_t *lenp)
{
	char b[CFG_SHOW_BUF];
	size_t len;
	const char *s = cfg_get_scalar(p, ctx, key, v, &len);

	if (!s)
		return NULL;
	if (len < minlen) {
		if (minlen == 1)
			cfg_perr(p, lineof(v), "%s: %s: must not be empty", ctx, key);
		else
			cfg_perr(p, lineof(v), "%s: %s: must be at least %zu characters", ctx, key, minlen);
		return NULL;
	}
	if (len > maxlen) {
		cfg_perr(p, lineof(v), "%s: %s: '%s' is longer than %zu characters", ctx, key, cfg_show(v, b), maxlen);
		return NULL;
	}
	if (!cfg_cls_ok(cls, s, len)) {
		if (cls == NC_PATH)
			cfg_perr(p, lineof(v), "%s: %s: '%s' must be an absolute path", ctx, key, cfg_show(v, b));
		else
			cfg_perr(p, lineof(v), "%s: %s: '%s' is not valid (expected %zu..%zu %s)", ctx, key,
				 cfg_show(v, b), minlen, maxlen, cfg_cls_desc(cls));
		return NULL;
	}
	*lenp = len;
	return s;
}

/* Replaces *out (freed) with a copy of the value. */
int cfg_get_str(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		size_t minlen, size_t maxlen, char **out)
{
	size_t len;
	const char *s = cfg_check_str(p, ctx, key, v, cls, minlen, maxlen, &len);
	char *d;

	if (!s)
		return -1;
	d = cfg_dup_bytes(p, s, len);
	if (!d)
		return -1;
	free(*out);
	*out = d;
	return 0;
}

/* Into a fixed buffer of at least maxlen + 1 bytes. */
int cfg_get_name(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		 size_t maxlen, char *dst)
{
	size_t len;
	const char *s = cfg_check_str(p, ctx, key, v, cls, 1, maxlen, &len);

	if (!s)
		return -1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int cfg_get_uint(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min,
		 uint64_t max, uint64_t *out)
{
	char b[CFG_SHOW_BUF];
	size_t len;
	const char *end, *why;
	uint64_t x = 0;
	const char *s = cfg_get_scalar(p, ctx, key, v, &len);

	if (!s)
		return -1;
	why = cfg_parse_u64(s, &end, &x);
	if (!why && *end != '\0')
		why = "bad";
	if (why && strcmp(why, "bad") == 0)
		return cfg_perr(p, lineof(v), "%s: %s: expected a whole number, got '%s'", ctx, key, cfg_show(v, b));
	if (why || x < min || x > max)
		return cfg_perr(p, lineof(v), "%s: %s: '%s' is out of range (%llu .. %llu)", ctx, key, cfg_show(v, b),
				(unsigned long long)min, (unsigned long long)max);
	*out = x;
	return 0;
}

int cfg_get_u32(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint32_t min,
		uint32_t max, uint32_t *out)
{
	uint64_t x;

	if (cfg_get_uint(p, ctx, key, v, min, max, &x) < 0)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

int cfg_get_duration(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min_ms,
		     uint64_t max_ms, uint32_t *out)
{
	char b[CFG_SHOW_BUF], lo[32], hi[32];
	size_t len;
	uint64_t ms = 0;
	const char *why;
	const char *s = cfg_get_scalar(p, ctx, key, v, &len);

	if (!s)
		return -1;
	why = cfg_parse_duration(s, &ms);
	if (why && strcmp(why, "bad") == 0)
		return cfg_perr(p, lineof(v), "%s: %s: expected a duration such as 500ms, 5s, 2m or 1h, got '%s'", ctx,
				key, cfg_show(v, b));
	if (why || ms < min_ms || ms > max_ms)
		return cfg_perr(p, lineof(v), "%s: %s: '%s' is out of range (%s .. %s)", ctx, key, cfg_show(v, b),
				cfg_fmt_dur(min_ms, lo, sizeof lo), cfg_fmt_dur(max_ms, hi, sizeof hi));
	*out = (uint32_t)ms;
	return 0;
}

int cfg_get_seconds(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint64_t min_s,
		    uint64_t max_s, uint32_t *out)
{
	char b[CFG_SHOW_BUF];
	uint32_t ms;

	if (cfg_get_duration(p, ctx, key, v, min_s * MS_S, max_s * MS_S, &ms) < 0)
		return -1;
	if (ms % MS_S != 0)
		return cfg_perr(p, lineof(v), "%s: %s: '%s' is not a whole number of seconds", ctx, key,
				cfg_show(v, b));
	*out = (uint32_t)(ms / MS_S);
	return 0;
}

int cfg_get_hundredths(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, uint32_t max,
		       uint32_t *out)
{
	char b[CFG_SHOW_BUF], hi[32];
	size_t len;
	uint64_t x = 0;
	const char *why;
	const char *s = cfg_get_scalar(p, ctx, key, v, &len);

	if (!s)
		return -1;
	why = cfg_parse_hundredths(s, &x);
	if (why && strcmp(why, "decimals") == 0)
		return cfg_perr(p, lineof(v), "%s: %s: '%s' has more than two decimals", ctx, key, cfg_show(v, b));
	if (why && strcmp(why, "bad") == 0)
		return cfg_perr(p, lineof(v), "%s: %s: expected a number such as 80 or 92.5, got '%s'", ctx, key,
				cfg_show(v, b));
	if (why || x > max)
		return cfg_perr(p, lineof(v), "%s: %s: '%s' is out of range (0 .. %s)", ctx, key, cfg_show(v, b),
				cfg_fmt_hund(max, hi, sizeof hi));
	*out = (uint32_t)x;
	return 0;
}

bool cfg_word_bool(const yaml_node_t *v, bool *out)
{
	static const struct word words[] = {
		{"true", 1}, {"yes", 1}, {"on", 1}, {"false", 0}, {"no", 0}, {"off", 0},
	};

	if (v->type != YAML_SCALAR_NODE)
		return false;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (cfg_bytes_ieq(sval(v), slen(v), words[i].word)) {
			*out = words[i].val != 0;
			return true;
		}
	}
	return false;
}

int cfg_get_bool(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, bool *out)
{
	char b[CFG_SHOW_BUF];

	if (!cfg_word_bool(v, out))
		return cfg_perr(p, lineof(v), "%s: %s: expected true or false, got '%s'", ctx, key, cfg_show(v, b));
	return 0;
}

int cfg_get_enum(struct pctx *p, const char *ctx, const char *what, const yaml_node_t *v,
		 const struct word *words, size_t n, const char *expected, int *out)
{
	char b[CFG_SHOW_BUF];

	if (v->type == YAML_SCALAR_NODE) {
		for (size_t i = 0; i < n; i++) {
			if (cfg_bytes_ieq(sval(v), slen(v), words[i].word)) {
				*out = words[i].val;
				return 0;
			}
		}
	}
	return cfg_perr(p, lineof(v), "%s: unknown %s '%s' (expected %s)", ctx, what, cfg_show(v, b), expected);
}

int cfg_expect(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, yaml_node_type_t type)
{
	const char *want = type == YAML_MAPPING_NODE ? "a mapping" : "a list";
	char b[CFG_SHOW_BUF];

	if (v->type == type)
		return 0;
	if (!*ctx)
		return cfg_perr(p, lineof(v), "expected %s for '%s', got %s", want, key, cfg_got(v, b));
	if (!key)
		return cfg_perr(p, lineof(v), "%s: expected %s, got %s", ctx, want, cfg_got(v, b));
	return cfg_perr(p, lineof(v), "%s: expected %s for '%s', got %s", ctx, want, key, cfg_got(v, b));
}

int cfg_missing(struct pctx *p, const char *ctx, const yaml_node_t *map, const char *key)
{
	return cfg_perr(p, lineof(map), "%s: missing required key '%s'", ctx, key);
}

/* Reads a mapping whose keys come from names[]: unknown and repeated keys are
 * errors (YAML leaves duplicates to the application; libyaml keeps both). */
int cfg_map_read(struct pctx *p, const yaml_node_t *map, const char *ctx, const char *const *names, size_t n,
		 struct fld *out)
{
	char b[CFG_SHOW_BUF];

	memset(out, 0, n * sizeof *out);
	for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = cfg_node_get(p, pr->key), *v;
		size_t i;

		if (!k)
			return -1;
		if (k->type != YAML_SCALAR_NODE)
			return cfg_perr(p, lineof(k), "%s%sexpected a word as key, got %s", ctx, *ctx ? ": " : "",
					cfg_kind_name(k));
		for (i = 0; i < n; i++)
			if (bytes_eq(sval(k), slen(k), names[i]))
				break;
		if (i == n) {
			if (*ctx)
				return cfg_perr(p, lineof(k), "unknown key '%s' in %s", cfg_show(k, b), ctx);
			return cfg_perr(p, lineof(k), "unknown key '%s' at the top level", cfg_show(k, b));
		}
		if (out[i].key)
			return cfg_perr(p, lineof(k), "%s%sduplicate key '%s' (first at line %d)", ctx,
					*ctx ? ": " : "", names[i], lineof(out[i].key));
		v = cfg_node_get(p, pr->value);
		if (!v)
			return -1;
		out[i].key = k;
		out[i].val = cfg_is_null(v) ? NULL : v;
	}
	return 0;
}

/* "processes[3]", or "processes[3] 'web'" once the name is known. */
void cfg_item_ctx(char *ctx, const char *list, size_t i, const char *name)
{
	char b[CFG_SHOW_BUF];

	if (name && *name)
		snprintf(ctx, CFG_CTX_MAX, "%s[%zu] '%s'", list, i, cfg_show_str(name, strlen(name), b));
	else
		snprintf(ctx, CFG_CTX_MAX, "%s[%zu]", list, i);
}

/* The context of a list entry names it ("processes[3] 'web'") from the start,
 * so that even an unknown key before `name:` is reported with the name. Looks
 * without charging the visit budget: map_read charges the same pairs next. */
void cfg_item_ctx_peek(struct pctx *p, char *ctx, const char *list, size_t i, const yaml_node_t *m,
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
	cfg_item_ctx(ctx, list, i, name);
}

/* An entry's `nodes:` list: a list of node names; whether they exist in
 * cluster.nodes is checked once the whole file is read. */
int cfg_get_node_list(struct pctx *p, const char *ctx, const yaml_node_t *v, const yaml_node_t **sel)
{
	char b[CFG_SHOW_BUF];

	if (cfg_expect(p, ctx, "nodes", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	for (const yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *n = cfg_node_get(p, *it);
		if (!n)
			return -1;
		if (n->type != YAML_SCALAR_NODE)
			return cfg_perr(p, lineof(n), "%s: nodes: expected node names, got %s", ctx, cfg_kind_name(n));
		if (slen(n) == 0 || slen(n) > CFG_NAME_MAX || !cfg_cls_ok(NC_NODE, sval(n), slen(n)))
			return cfg_perr(p, lineof(n), "%s: nodes: '%s' is not a valid node name", ctx, cfg_show(n, b));
	}
	*sel = v;
	return 0;
}

/* An SNMP engine ID in hex, "0x" optional: 5 to max octets (RFC 3411). */
int cfg_get_engine_id(struct pctx *p, const char *ctx, const yaml_node_t *v, unsigned char *out, size_t max,
		      size_t *lenp)
{
	size_t len;
	const char *s = cfg_get_scalar(p, ctx, "engine_id", v, &len);

	if (!s)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (len % 2 || len / 2 < 5 || len / 2 > max)
		return cfg_perr(p, lineof(v), "%s: engine_id: expected 5 to %zu octets in hex (e.g. 0x80001f8804...)",
				ctx, max);
	for (size_t i = 0; i < len; i += 2) {
		char pair[3] = {s[i], s[i + 1], '\0'};
		char *end;
		unsigned long octet = strtoul(pair, &end, 16);
		if (*end || !isxdigit((unsigned char)pair[0]))
			return cfg_perr(p, lineof(v), "%s: engine_id: '%s' is not hex", ctx, pair);
		out[i / 2] = (unsigned char)octet;
	}
	*lenp = len / 2;
	return 0;
}

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

/* Sorts u; the duplicate that comes first in the file, and the entry it
 * repeats, or NULL. */
const struct uniq *cfg_find_dup(struct uniq *u, size_t n, const struct uniq **first)
{
	const struct uniq *dup = NULL;
	size_t j;

	if (n < 2)
		return NULL;
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
			*first = &u[i];
		}
	}
	return dup;
}

/* Sorts u and reports the duplicate that comes first in the file. */
int cfg_check_unique(struct pctx *p, struct uniq *u, size_t n, const char *ctx, const char *what)
{
	const struct uniq *first = NULL, *dup = cfg_find_dup(u, n, &first);
	char b[CFG_SHOW_BUF];

	if (!dup)
		return 0;
	return cfg_perr(p, dup->line, "%s%sduplicate %s '%s' (first at line %d)", ctx ? ctx : "", ctx ? ": " : "", what,
			cfg_show_str(dup->name, strlen(dup->name), b), first->line);
}

/* "ctx: what" for nested messages; a context too long is cut, which only
 * shortens the message. */
void cfg_ctx_join(char *buf, size_t size, const char *ctx, const char *what)
{
	if (snprintf(buf, size, "%s: %s", ctx, what) >= (int)size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}
