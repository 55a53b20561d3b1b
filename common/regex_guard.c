/* Guard for POSIX extended regexes from the configuration, before regcomp:
 * refuses patterns that glibc would take very long or very much memory to
 * compile (see regex_guard.h). Pure. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "regex_guard.h"

static uint64_t re_cap(uint64_t x)
{
	return x > RXG_SIZE_MAX ? RXG_SIZE_MAX + 1 : x;
}

/* Reads "{m}", "{m,}", "{m,n}" or "{,n}" at s; returns the number of copies
 * and sets *end to the '}', or returns 0 if this '{' is not an interval. */
static uint64_t re_interval(const char *s, const char **end)
{
	uint64_t m = 0, n = 0;
	bool comma = false, have_n = false;

	for (s++; (*s >= '0' && *s <= '9') || *s == ','; s++) {
		if (*s == ',') {
			if (comma)
				return 0;
			comma = true;
		} else if (comma) {
			n = re_cap(n * 10 + (uint64_t)(*s - '0'));
			have_n = true;
		} else {
			m = re_cap(m * 10 + (uint64_t)(*s - '0'));
		}
	}
	if (*s != '}')
		return 0;
	*end = s;
	/* {m} and {m,n}: n copies; {m,}: m copies and a starred one. */
	if (!comma)
		n = m;
	else if (!have_n)
		n = m + 1;
	return n ? n : 1;
}

const char *rxg_check(const char *re)
{
	/* Per open group: the size of what is complete, and of the last piece,
	 * which a following repetition operator multiplies. */
	struct {
		uint64_t sum, last;
	} st[RXG_DEPTH_MAX + 1];
	size_t d = 0;
	const char *end;
	uint64_t k;
	bool after_op = false; /* the previous token was a repetition operator */

	st[0].sum = st[0].last = 0;
	for (const char *s = re; *s; s++) {
		bool op = *s == '*' || *s == '?' || *s == '+' || (*s == '{' && re_interval(s, &end));

		if (op && after_op)
			return "has repetition operators in a row (write (x*)+ rather than x*+)";
		after_op = op;
		switch (*s) {
		case '(':
			if (d == RXG_DEPTH_MAX)
				return "groups nested too deeply";
			st[d].sum = re_cap(st[d].sum + st[d].last);
			st[d].last = 0;
			d++;
			st[d].sum = st[d].last = 0;
			continue;
		case ')':
			if (d == 0)
				break; /* an atom to us; regcomp decides */
			k = re_cap(st[d].sum + st[d].last);
			d--;
			st[d].last = k;
			continue;
		case '|':
			st[d].sum = re_cap(st[d].sum + st[d].last);
			st[d].last = 0;
			continue;
		case '*':
		case '?':
			st[d].last = re_cap(st[d].last + 1);
			continue;
		case '+':
			st[d].last = re_cap(st[d].last * 2 + 1);
			continue;
		case '{':
			k = re_interval(s, &end);
			if (!k)
				break;
			st[d].last = re_cap(st[d].last * k + k);
			s = end;
			continue;
		case '[':
			/* A bracket expression is one atom: skip to its ']', which
			 * may come first ("[]a]", "[^]a]") and may not end a class
			 * name inside it ("[[:alpha:]]"). */
			s++;
			if (*s == '^')
				s++;
			if (*s == ']')
				s++;
			while (*s && *s != ']') {
				if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
					char close = s[1];
					for (s += 2; *s && !(*s == close && s[1] == ']'); s++)
						;
					if (*s)
						s++;
				}
				if (*s)
					s++;
			}
			if (!*s)
				s--;
			break;
		case '\\':
			if (s[1])
				s++;
			break;
		default:
			break;
		}
		/* An atom. */
		st[d].sum = re_cap(st[d].sum + st[d].last);
		st[d].last = 1;
	}
	/* Unclosed groups: regcomp will refuse them, but count them anyway. */
	while (d > 0) {
		k = re_cap(st[d].sum + st[d].last);
		d--;
		st[d].last = k;
	}
	if (re_cap(st[0].sum + st[0].last) > RXG_SIZE_MAX)
		return "expands too much when compiled (nested repetitions)";
	return NULL;
}

