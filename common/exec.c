/* Remote execution: argument and environment reading, and admission. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec.h"

/* Words into one block: the pointer array first, then the strings. */
static const char *pack(char *const *words, const size_t *lens, size_t n, char ***out, size_t *count)
{
	size_t bytes = (n + 1) * sizeof(char *);
	char **v, *p;

	for (size_t i = 0; i < n; i++)
		bytes += lens[i] + 1;
	if (!(v = malloc(bytes)))
		return "out of memory";
	p = (char *)(v + n + 1);
	for (size_t i = 0; i < n; i++) {
		memcpy(p, words[i], lens[i]);
		p[lens[i]] = '\0';
		v[i] = p;
		p += lens[i] + 1;
	}
	v[n] = NULL;
	*out = v;
	*count = n;
	return NULL;
}

const char *exec_split_args(const char *s, char ***argv, size_t *argc)
{
	size_t len = strlen(s), n = 0;
	char *buf = malloc(len + 1), *words[EXEC_ARGS_MAX];
	size_t lens[EXEC_ARGS_MAX];
	char *o = buf;
	const char *why = NULL;

	*argv = NULL;
	*argc = 0;
	if (!buf)
		return "out of memory";
	for (const char *p = s; *p;) {
		bool in_word = false;
		char *start;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		start = o;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			in_word = true;
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end) {
					why = "unterminated single quote";
					goto out;
				}
				memcpy(o, p + 1, (size_t)(end - p - 1));
				o += end - p - 1;
				p = end + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					*o++ = *p++;
				}
				if (*p != '"') {
					why = "unterminated double quote";
					goto out;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					why = "a backslash at the end";
					goto out;
				}
				*o++ = p[1];
				p += 2;
			} else {
				*o++ = *p++;
			}
		}
		if (in_word) {
			if (n == EXEC_ARGS_MAX) {
				why = "too many arguments";
				goto out;
			}
			words[n] = start;
			lens[n++] = (size_t)(o - start);
		}
	}
	why = pack(words, lens, n, argv, argc);
out:
	free(buf);
	return why;
}

const char *exec_parse_env(const char *s, char ***env, size_t *envc)
{
	char *words[EXEC_ENV_MAX];
	size_t lens[EXEC_ENV_MAX], n = 0;

	*env = NULL;
	*envc = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t l = nl ? (size_t)(nl - s) : strlen(s);
		const char *eq = memchr(s, '=', l);
		if (l) {
			if (!eq || eq == s)
				return "a line that is not NAME=value";
			for (const char *c = s; c < eq; c++)
				if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '_' ||
				      (c > s && *c >= '0' && *c <= '9')))
					return "a variable name not of [A-Za-z_][A-Za-z0-9_]*";
			if (n == EXEC_ENV_MAX)
				return "too many variables";
			words[n] = (char *)s;
			lens[n++] = l;
		}
		s += l + (nl ? 1 : 0);
	}
	return pack(words, lens, n, env, envc);
}

static bool any_match(char *const *pats, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], s, 0) == 0)
			return true;
	return false;
}

enum exec_refusal exec_admit(const struct cfg_exec *c, const struct exec_facts *f, char *why, size_t size)
{
	why[0] = '\0';
	/* the id first: a repeated request must not even be judged again */
	if (f->id_used) {
		snprintf(why, size, "this request id was used before: never run twice");
		return EXR_DUPLICATE;
	}
	if (!c->enabled) {
		snprintf(why, size, "remote execution is not enabled on this node (no exec: section)");
		return EXR_BUSY;
	}
	if (!f->program[0] || strchr(f->program, '/') || !strcmp(f->program, ".") || !strcmp(f->program, "..")) {
		snprintf(why, size, "a program is given by its name alone, found in the search path");
		return EXR_UNKNOWN_PROGRAM;
	}
	if (c->n_requesters && !any_match(c->requesters, c->n_requesters, f->requester)) {
		snprintf(why, size, "requester '%.64s' is not allowed", f->requester);
		return EXR_NOT_ALLOWED;
	}
	if (c->n_allow && !any_match(c->allow, c->n_allow, f->program)) {
		snprintf(why, size, "program '%.64s' is not allowed", f->program);
		return EXR_NOT_ALLOWED;
	}
	if (!f->found) {
		snprintf(why, size, "program '%.64s' is not in the search path", f->program);
		return EXR_UNKNOWN_PROGRAM;
	}
	return EXR_NONE;
}
