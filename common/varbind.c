/* Values of received varbinds, read leniently: a value of another type than
 * expected reads as 0 or "", never as garbage. */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include "varbind.h"

bool vb_is_exception(const netsnmp_variable_list *v)
{
	return v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE || v->type == SNMP_ENDOFMIBVIEW;
}

uint32_t vb_uns(const netsnmp_variable_list *v)
{
	switch (v->type) {
	case ASN_INTEGER: case ASN_GAUGE: case ASN_COUNTER: case ASN_TIMETICKS: /* ASN_UNSIGNED is ASN_GAUGE */
		return v->val.integer ? (uint32_t)(unsigned long)*v->val.integer : 0;
	default:
		return 0;
	}
}

uint64_t vb_u64(const netsnmp_variable_list *v)
{
	if (v->type == ASN_COUNTER64 && v->val.counter64)
		return (uint64_t)v->val.counter64->high << 32 | (uint32_t)v->val.counter64->low;
	return vb_uns(v);
}

long vb_int(const netsnmp_variable_list *v)
{
	return v->type == ASN_INTEGER && v->val.integer ? *v->val.integer : 0;
}

void vb_str(const netsnmp_variable_list *v, char *out, size_t size)
{
	size_t n = 0;

	if (v->type == ASN_OCTET_STR && v->val.string) {
		n = v->val_len < size - 1 ? v->val_len : size - 1;
		memcpy(out, v->val.string, n);
	}
	out[n] = '\0';
}

/* DateAndTime (RFC 2579, 8 or 11 octets) to milliseconds since the epoch, UTC;
 * 0 for the all-zero "no time" and for anything malformed. */
int64_t vb_date_ms(const netsnmp_variable_list *v)
{
	const u_char *b = v->val.string;
	struct tm tm = {0};
	time_t t;
	bool zero = true;

	if (v->type != ASN_OCTET_STR || !b || (v->val_len != 8 && v->val_len != 11))
		return 0;
	for (size_t i = 0; i < 8; i++)
		zero &= b[i] == 0;
	if (zero || b[2] < 1 || b[2] > 12 || b[3] < 1 || b[3] > 31 || b[4] > 23 || b[5] > 59 || b[6] > 60 || b[7] > 9)
		return 0;
	tm.tm_year = ((b[0] << 8) | b[1]) - 1900;
	tm.tm_mon = b[2] - 1;
	tm.tm_mday = b[3];
	tm.tm_hour = b[4];
	tm.tm_min = b[5];
	tm.tm_sec = b[6];
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	if (v->val_len == 11 && b[9] <= 13 && b[10] <= 59) {
		int64_t off = ((int64_t)b[9] * 60 + b[10]) * 60;
		if (b[8] == '+')
			t -= off;
		else if (b[8] == '-')
			t += off;
	}
	return (int64_t)t * 1000 + b[7] * 100;
}
