/* Small string helpers shared by every module: bounded copy and join, and the
 * DateAndTime encoding (RFC 2579) that notifications and MIB tables carry.
 * Pure: no clock, no locale, no allocation. */
#include <string.h>
#include <time.h>
#include "strutil.h"

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size == 0)
		return len;
	size_t n = len < size - 1 ? len : size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return len;
}

void str_join(char *dst, size_t size, char *const *argv)
{
	size_t used = 0;

	if (size == 0)
		return;
	dst[0] = '\0';
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0) {
			/* No separator unless something of the next word fits too. */
			if (used + 2 >= size)
				return;
			dst[used++] = ' ';
			dst[used] = '\0';
		}
		size_t len = str_copy(dst + used, argv[i], size - used);
		if (len >= size - used)
			return; /* truncated: dst is already terminated */
		used += len;
	}
}

/* Floor division, so that times before 1970 fall on the right day. */
static int64_t div_floor(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Proleptic Gregorian date of a day count since 1970-01-01. Works in 400-year
 * eras (146097 days each), counting years from March so that the leap day is
 * the last day of its year and the month lengths are a fixed pattern. */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t z = days + 719468; /* days from 0000-03-01 to 1970-01-01 */
	int64_t era = div_floor(z, 146097);
	int64_t doe = z - era * 146097;                                     /* 0 .. 146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0 .. 399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);              /* 0 .. 365, from March 1 */
	int64_t mp = (5 * doy + 2) / 153;                                   /* 0 = March .. 11 = February */

	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

size_t str_dateandtime(unsigned char *buf, int64_t t)
{
	int64_t days = div_floor(t, 86400);
	int64_t secs = t - days * 86400;
	int64_t year;
	unsigned month, day;

	/* RFC 2579 has no "unknown" value; the all-zero 8 octets are the usual
	 * stand-in (also used by, e.g., HOST-RESOURCES-MIB agents). */
	memset(buf, 0, 8);
	if (t == 0)
		return 8;
	civil_from_days(days, &year, &month, &day);
	if (year < 0 || year > 65535)
		return 8; /* not representable in two octets */
	buf[0] = (unsigned char)(year >> 8);
	buf[1] = (unsigned char)(year & 0xff);
	buf[2] = (unsigned char)month;
	buf[3] = (unsigned char)day;
	buf[4] = (unsigned char)(secs / 3600);
	buf[5] = (unsigned char)(secs / 60 % 60);
	buf[6] = (unsigned char)(secs % 60);
	buf[7] = 0; /* deci-seconds: t has whole seconds */
	buf[8] = '+';
	buf[9] = 0; /* UTC: +00:00 */
	buf[10] = 0;
	return 11;
}

bool str_localtime(int64_t ms, struct tm *tm, int *msec)
{
	int64_t sec = ms / 1000;
	int m = (int)(ms % 1000);

	if (m < 0) {
		m += 1000;
		sec--;
	}
	time_t t = (time_t)sec;
	*msec = m;
	return localtime_r(&t, tm) != NULL;
}
