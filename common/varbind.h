/* Values of received varbinds (the manager's polls and requests), read
 * leniently: a value of an unexpected type reads as 0 or "". */
#ifndef SHUGO_VARBIND_H
#define SHUGO_VARBIND_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* noSuchObject, noSuchInstance or endOfMibView */
bool vb_is_exception(const netsnmp_variable_list *v);
uint32_t vb_uns(const netsnmp_variable_list *v);   /* INTEGER, Gauge32, Counter32, TimeTicks */
uint64_t vb_u64(const netsnmp_variable_list *v);   /* and Counter64 */
long vb_int(const netsnmp_variable_list *v);       /* INTEGER */
void vb_str(const netsnmp_variable_list *v, char *out, size_t size); /* OCTET STRING, cut to size */
/* DateAndTime (RFC 2579, 8 or 11 octets) to milliseconds since the epoch, UTC;
 * 0 for the all-zero "no time" and for anything malformed. */
int64_t vb_date_ms(const netsnmp_variable_list *v);

#endif
