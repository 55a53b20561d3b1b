/* The application event protocol: parsing and checking a message, and
 * writing one (for the library and the command). */
#include <stdio.h>
#include <string.h>
#include "appev.h"

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > APPEV_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == ':' || c == '-'))
			return false;
	}
	return true;
}

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool is(const char *k, size_t klen, const char *word)
{
	return strlen(word) == klen && memcmp(k, word, klen) == 0;
}

const char *appev_parse(const char *msg, size_t len, struct appev_msg *out)
{
	bool have_name = false, have_sev = false, have_state = false;

	memset(out, 0, sizeof *out);
	if (len > APPEV_MSG_MAX)
		return "message too long";
	while (len) {
		const char *nl = memchr(msg, '\n', len);
		size_t llen = nl ? (size_t)(nl - msg) : len;
		const char *eq = memchr(msg, '=', llen);
		size_t klen, vlen;
		const char *v;

		if (llen == 0)
			goto next;
		if (!eq)
			return "a line without '='";
		klen = (size_t)(eq - msg);
		v = eq + 1;
		vlen = llen - klen - 1;
		if (is(msg, klen, "action")) {
			if (is(v, vlen, "raise"))
				out->action = APPEV_RAISE;
			else if (is(v, vlen, "clear"))
				out->action = APPEV_CLEAR;
			else
				return "action must be raise or clear";
		} else if (is(msg, klen, "name")) {
			if (!name_ok(v, vlen))
				return "name must be 1..64 of A-Z a-z 0-9 . _ : -";
			memcpy(out->name, v, vlen);
			have_name = true;
		} else if (is(msg, klen, "severity")) {
			char w[16];
			if (vlen >= sizeof w)
				return "unknown severity";
			memcpy(w, v, vlen);
			w[vlen] = '\0';
			out->sev = ev_sev_parse(w);
			if (!out->sev || out->sev == SEV_CLEAR)
				return "severity must be info, warning, minor, major or critical";
			have_sev = true;
		} else if (is(msg, klen, "state")) {
			if (vlen == 0 || vlen > EV_STATE_MAX || !printable(v, vlen))
				return "state must be 1..32 printable characters";
			memcpy(out->state, v, vlen);
			have_state = true;
		} else if (is(msg, klen, "detail")) {
			if (!printable(v, vlen))
				return "detail must be printable";
			/* longer details are cut, as every notification's */
			memcpy(out->detail, v, vlen > EV_DETAIL_MAX ? EV_DETAIL_MAX : vlen);
		} else if (is(msg, klen, "batch")) {
			if (is(v, vlen, "yes"))
				out->batch = true;
			else if (!is(v, vlen, "no"))
				return "batch must be yes or no";
		} else {
			return "unknown key";
		}
	next:
		if (!nl)
			break;
		len -= llen + 1;
		msg = nl + 1;
	}
	if (!out->action)
		return "action is missing";
	if (!have_name)
		return "name is missing";
	if (out->action == APPEV_RAISE && !have_sev)
		return "severity is missing";
	if (out->action == APPEV_CLEAR) {
		if (have_sev)
			return "a clear has no severity";
		out->sev = SEV_CLEAR;
	}
	if (!have_state)
		strcpy(out->state, out->action == APPEV_RAISE ? "raised" : "cleared");
	return NULL;
}

size_t appev_format(const struct appev_msg *m, char *buf, size_t size)
{
	int n = snprintf(buf, size, "action=%s\nname=%s\n", m->action == APPEV_CLEAR ? "clear" : "raise", m->name);
	size_t o;

	if (n < 0 || (size_t)n >= size)
		return 0;
	o = (size_t)n;
	if (m->action == APPEV_RAISE)
		n = snprintf(buf + o, size - o, "severity=%s\n", ev_sev_name(m->sev));
	else
		n = 0;
	if (n < 0 || (size_t)n >= size - o)
		return 0;
	o += (size_t)n;
	n = snprintf(buf + o, size - o, "%s%s%sdetail=%s\nbatch=%s\n", m->state[0] ? "state=" : "", m->state,
		     m->state[0] ? "\n" : "", m->detail, m->batch ? "yes" : "no");
	if (n < 0 || (size_t)n >= size - o)
		return 0;
	return o + (size_t)n;
}
