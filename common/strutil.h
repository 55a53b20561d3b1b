/* String helpers used across modules. */
#ifndef SHUGO_STRUTIL_H
#define SHUGO_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* strlcpy semantics: copy at most size-1 bytes, always terminate, return strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);
/* Join argv with single spaces into dst (truncated, terminated). */
void str_join(char *dst, size_t size, char *const *argv);
/* Encode t (seconds since the epoch) as an 11-octet DateAndTime in UTC
 * (RFC 2579); t == 0 gives the 8 zero octets "no time". Returns the length. */
size_t str_dateandtime(unsigned char *buf, int64_t t);

/* ms since the epoch as local broken-down time and the milliseconds within
 * the second (also for times before 1970). false if it cannot be converted. */
bool str_localtime(int64_t ms, struct tm *tm, int *msec);

#endif
