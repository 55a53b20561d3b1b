/* JSON as shugoctl prints it and the manager hands to routing destinations:
 * escaped strings (invalid UTF-8 becomes U+FFFD), keys with values, times as
 * milliseconds and as ISO 8601 with the local offset, and a central log
 * record as one object. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "event.h"
#include "json.h"
#include "strutil.h"

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), 0 if the bytes there are not one. */
size_t json_utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

const char *json_fmt_iso(char *buf, size_t size, int64_t ms)
{
	struct tm tm;
	int msec;
	char d[32];

	if (!str_localtime(ms, &tm, &msec) || !strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, size, "-");
		return buf;
	}
	long off = tm.tm_gmtoff / 60;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(buf, size, "%s.%03d%c%02ld:%02ld", d, msec, sign, off / 60, off % 60);
	return buf;
}


void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		size_t n = json_utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", f); /* not UTF-8: the replacement character */
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

void json_kstr(FILE *f, const char *key, const char *val)
{
	json_str(f, key);
	fputc(':', f);
	json_str(f, val);
}

void json_kint(FILE *f, const char *key, int64_t val)
{
	json_str(f, key);
	fprintf(f, ":%lld", (long long)val);
}

void json_kbool(FILE *f, const char *key, bool val)
{
	json_str(f, key);
	fputs(val ? ":true" : ":false", f);
}

void json_ktime(FILE *f, const char *key, int64_t ms)
{
	char k[80], iso[48];

	snprintf(k, sizeof k, "%s_ms", key);
	json_str(f, k);
	if (ms)
		fprintf(f, ":%lld,", (long long)ms);
	else
		fputs(":null,", f);
	json_str(f, key);
	fputc(':', f);
	if (ms)
		json_str(f, json_fmt_iso(iso, sizeof iso, ms));
	else
		fputs("null", f);
}

void json_log_rec(FILE *f, const struct log_rec *r)
{
	json_kint(f, "id", r->id);
	fputc(',', f);
	json_kstr(f, "origin", lr_origin_name(r->origin));
	fputc(',', f);
	json_kstr(f, "node", r->node);
	fputc(',', f);
	json_kint(f, "boot", r->boot);
	fputc(',', f);
	json_kint(f, "seq", r->seq);
	fputc(',', f);
	json_kint(f, "type", r->type);
	fputc(',', f);
	json_kstr(f, "type_name", r->type_name);
	fputc(',', f);
	json_kstr(f, "trap_oid", r->trap_oid);
	fputc(',', f);
	json_kint(f, "sev", r->sev);
	fputc(',', f);
	json_kstr(f, "severity", r->sev ? ev_sev_name(r->sev) : "");
	fputc(',', f);
	json_kstr(f, "object", r->object);
	fputc(',', f);
	json_kstr(f, "state", r->state);
	fputc(',', f);
	json_kstr(f, "detail", r->detail);
	fputc(',', f);
	json_kint(f, "alarm_id", r->alarm_id);
	fputc(',', f);
	json_ktime(f, "occurred", r->occurred_ms);
	fputc(',', f);
	json_ktime(f, "received", r->received_ms);
	fputc(',', f);
	json_kstr(f, "source", r->source);
}
