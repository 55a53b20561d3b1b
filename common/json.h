/* JSON output shared by shugoctl (--json) and the manager's routing payloads,
 * so that a destination reads a record exactly as `shugoctl log --json`
 * prints it. */
#ifndef SHUGO_JSON_H
#define SHUGO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "logrec.h"

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), 0 if the bytes there are not one. */
size_t json_utf8_len(const unsigned char *p);
/* ISO 8601 with the local offset: "2026-11-22T10:04:05.120+01:00"; "-" if
 * the time cannot be converted. */
const char *json_fmt_iso(char *buf, size_t size, int64_t ms);

/* A quoted, escaped JSON string: control characters, quotes and backslashes
 * escaped; bytes that are not valid UTF-8 become U+FFFD. */
void json_str(FILE *f, const char *s);
/* `"key":` and a value. */
void json_kstr(FILE *f, const char *key, const char *val);
void json_kint(FILE *f, const char *key, int64_t val);
void json_kbool(FILE *f, const char *key, bool val);
/* key_ms (a number, null when 0) and key (an ISO string, null when 0). */
void json_ktime(FILE *f, const char *key, int64_t ms);
/* The members of a central log record (without the braces): id, origin,
 * node, boot, seq, type, type_name, trap_oid, sev, severity, object, state,
 * detail, alarm_id, occurred(_ms), received(_ms), source. */
void json_log_rec(FILE *f, const struct log_rec *r);

#endif
