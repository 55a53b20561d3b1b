/* Unit tests for trapd/decode.c: datagrams captured from net-snmp's snmptrap,
 * snmpinform and snmpget and from shugo-agent, malformed messages of every
 * kind (also every truncation and single-octet damage of each capture), the
 * encoders byte for byte and read back, and the mapping onto log records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cu_main.h"
#include "decode.h"

/* Datagrams as they arrived on a UDP socket (HOST: a loopback port). */
/* snmptrap -v2c -c public HOST '' 1.3.6.1.4.1.8072.2.3.0.1 1.3.6.1.4.1.8072.2.3.2.1 i 123 */
static const uint8_t cap_v2trap[] = {
	0x30, 0x59, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa7, 0x4c, 0x02, 0x04, 0x33, 0x0b, 0xf9, 0xe7, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x3e, 0x30, 0x0f, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x03, 0x0c, 0x2f, 0x30, 0x30, 0x19,
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00,
	0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x00,
	0x01, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x02, 0x03, 0x02, 0x01, 0x02, 0x01, 0x7b,
};
/* snmpinform -v2c -c public HOST 4242 1.3.6.1.4.1.8072.2.3.0.1 1.3.6.1.4.1.8072.2.3.2.1 s 'inform test' */
static const uint8_t cap_v2inform[] = {
	0x30, 0x62, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa6, 0x55, 0x02, 0x04, 0x38, 0xa8, 0x10, 0xdd, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x47, 0x30, 0x0e, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x02, 0x10, 0x92, 0x30, 0x19, 0x06,
	0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06,
	0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x00, 0x01,
	0x30, 0x1a, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02,
	0x03, 0x02, 0x01, 0x04, 0x0b, 0x69, 0x6e, 0x66, 0x6f, 0x72, 0x6d, 0x20,
	0x74, 0x65, 0x73, 0x74,
};
/* snmptrap -v2c -c private HOST 987654 1.3.6.1.4.1.8072.2.3.0.2 with .2.3.2.1 i -2147483648,
 * .2 u 4294967295, .3 c 4294967295, .4 t 4294967295, .5 a 192.0.2.254,
 * .6 o 1.3.6.1.4.1.8072.2.3.999999999.4294967295, .7 x '00 01 FF 7F 0A', .8 n,
 * .9 i 0, .10 i -1, .11 s '', .12 i 2147483647, .13 i 128, .14 i -129 */
static const uint8_t cap_v2types[] = {
	0x30, 0x82, 0x01, 0x73, 0x02, 0x01, 0x01, 0x04, 0x07, 0x70, 0x72, 0x69,
	0x76, 0x61, 0x74, 0x65, 0xa7, 0x82, 0x01, 0x63, 0x02, 0x04, 0x39, 0x5b,
	0xf2, 0x7b, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x82, 0x01, 0x53,
	0x30, 0x0f, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00,
	0x43, 0x03, 0x0f, 0x12, 0x06, 0x30, 0x19, 0x06, 0x0a, 0x2b, 0x06, 0x01,
	0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0b, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x00, 0x02, 0x30, 0x13, 0x06, 0x0b,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x01, 0x02,
	0x04, 0x80, 0x00, 0x00, 0x00, 0x30, 0x14, 0x06, 0x0b, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x02, 0x42, 0x05, 0x00, 0xff,
	0xff, 0xff, 0xff, 0x30, 0x14, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01,
	0xbf, 0x08, 0x02, 0x03, 0x02, 0x03, 0x41, 0x05, 0x00, 0xff, 0xff, 0xff,
	0xff, 0x30, 0x14, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x02, 0x03, 0x02, 0x04, 0x43, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff, 0x30,
	0x13, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03,
	0x02, 0x05, 0x40, 0x04, 0xc0, 0x00, 0x02, 0xfe, 0x30, 0x22, 0x06, 0x0b,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x06, 0x06,
	0x13, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x83, 0xdc,
	0xeb, 0x93, 0x7f, 0x8f, 0xff, 0xff, 0xff, 0x7f, 0x30, 0x14, 0x06, 0x0b,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x07, 0x04,
	0x05, 0x00, 0x01, 0xff, 0x7f, 0x0a, 0x30, 0x0f, 0x06, 0x0b, 0x2b, 0x06,
	0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x08, 0x05, 0x00, 0x30,
	0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03,
	0x02, 0x09, 0x02, 0x01, 0x00, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x0a, 0x02, 0x01, 0xff, 0x30,
	0x0f, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03,
	0x02, 0x0b, 0x04, 0x00, 0x30, 0x13, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x0c, 0x02, 0x04, 0x7f, 0xff, 0xff,
	0xff, 0x30, 0x11, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x02, 0x03, 0x02, 0x0d, 0x02, 0x02, 0x00, 0x80, 0x30, 0x11, 0x06, 0x0b,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x0e, 0x02,
	0x02, 0xff, 0x7f,
};
/* snmptrap -v2c -c public HOST 1 1.3.6.1.4.1.8072.2.3.0.3 .2.3.2.12 C 18446744073709551615 .2.3.2.13 C 0 */
static const uint8_t cap_v2c64[] = {
	0x30, 0x71, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa7, 0x64, 0x02, 0x04, 0x00, 0xdc, 0xa7, 0xd5, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x56, 0x30, 0x0d, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x01, 0x01, 0x30, 0x19, 0x06, 0x0a,
	0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0b,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x00, 0x03, 0x30,
	0x18, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03,
	0x02, 0x0c, 0x46, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x02, 0x03, 0x02, 0x0d, 0x46, 0x01, 0x00,
};
/* snmptrap -v1 -c public HOST 1.3.6.1.4.1.8072.2.3 192.0.2.1 6 17 1234 1.3.6.1.4.1.8072.2.3.2.1 s hello */
static const uint8_t cap_v1_specific[] = {
	0x30, 0x40, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa4, 0x33, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x02, 0x03, 0x40, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x02, 0x01, 0x06, 0x02,
	0x01, 0x11, 0x43, 0x02, 0x04, 0xd2, 0x30, 0x16, 0x30, 0x14, 0x06, 0x0b,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x01, 0x04,
	0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};
/* snmptrap -v1 -c public HOST 1.3.6.1.4.1.8072.2.3 192.0.2.1 2 0 55 1.3.6.1.2.1.2.2.1.1.3 i 3 */
static const uint8_t cap_v1_linkdown[] = {
	0x30, 0x3a, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa4, 0x2d, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x02, 0x03, 0x40, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x02, 0x01, 0x02, 0x02,
	0x01, 0x00, 0x43, 0x01, 0x37, 0x30, 0x11, 0x30, 0x0f, 0x06, 0x0a, 0x2b,
	0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x03, 0x02, 0x01, 0x03,
};
/* snmptrap -v1 -c public HOST 1.3.6.1.4.1.8072 10.1.2.3 0 0 0 */
static const uint8_t cap_v1_coldstart[] = {
	0x30, 0x27, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa4, 0x1a, 0x06, 0x07, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x40, 0x04, 0x0a, 0x01, 0x02, 0x03, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
	0x43, 0x01, 0x00, 0x30, 0x00,
};
/* snmptrap -v3 -l noAuthNoPriv -u x -e 0x8000000001020304 HOST 777 1.3.6.1.4.1.8072.2.3.0.1 1.3.6.1.4.1.8072.2.3.2.1 i 123 */
static const uint8_t cap_v3trap_noauth[] = {
	0x30, 0x81, 0x97, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x58, 0xae,
	0x87, 0x5b, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x00, 0x02, 0x01,
	0x03, 0x04, 0x1b, 0x30, 0x19, 0x04, 0x08, 0x80, 0x00, 0x00, 0x00, 0x01,
	0x02, 0x03, 0x04, 0x02, 0x01, 0x01, 0x02, 0x03, 0x0c, 0x40, 0x9a, 0x04,
	0x01, 0x78, 0x04, 0x00, 0x04, 0x00, 0x30, 0x62, 0x04, 0x11, 0x80, 0x00,
	0x1f, 0x88, 0x80, 0x82, 0x1d, 0x4d, 0x3d, 0x2c, 0x50, 0x02, 0x6b, 0x00,
	0x00, 0x00, 0x00, 0x04, 0x00, 0xa7, 0x4b, 0x02, 0x04, 0x27, 0xf2, 0x25,
	0x97, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x3d, 0x30, 0x0e, 0x06,
	0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x02, 0x03,
	0x09, 0x30, 0x19, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01,
	0x04, 0x01, 0x00, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08,
	0x02, 0x03, 0x00, 0x01, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x01, 0x02, 0x01, 0x7b,
};
/* snmptrap -v3 -l noAuthNoPriv -u trapuser -e 0x80001f8880c0ffee -n ctxname HOST 777 1.3.6.1.4.1.8072.2.3.0.1 1.3.6.1.4.1.8072.2.3.2.1 s abc */
static const uint8_t cap_v3trap_ctx[] = {
	0x30, 0x81, 0xa7, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x5e, 0x70,
	0xb2, 0xed, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x00, 0x02, 0x01,
	0x03, 0x04, 0x22, 0x30, 0x20, 0x04, 0x08, 0x80, 0x00, 0x1f, 0x88, 0x80,
	0xc0, 0xff, 0xee, 0x02, 0x01, 0x01, 0x02, 0x03, 0x0c, 0x40, 0xae, 0x04,
	0x08, 0x74, 0x72, 0x61, 0x70, 0x75, 0x73, 0x65, 0x72, 0x04, 0x00, 0x04,
	0x00, 0x30, 0x6b, 0x04, 0x11, 0x80, 0x00, 0x1f, 0x88, 0x80, 0x82, 0x1d,
	0x4d, 0x3d, 0x2c, 0x50, 0x02, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x04, 0x07,
	0x63, 0x74, 0x78, 0x6e, 0x61, 0x6d, 0x65, 0xa7, 0x4d, 0x02, 0x04, 0x5a,
	0x6b, 0x37, 0x56, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x3f, 0x30,
	0x0e, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43,
	0x02, 0x03, 0x09, 0x30, 0x19, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03,
	0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01,
	0xbf, 0x08, 0x02, 0x03, 0x00, 0x01, 0x30, 0x12, 0x06, 0x0b, 0x2b, 0x06,
	0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x01, 0x04, 0x03, 0x61,
	0x62, 0x63,
};
/* snmptrap -v3 -l authNoPriv -u secure -a SHA -A authpassword -e 0x8000000001020304 HOST 777 1.3.6.1.4.1.8072.2.3.0.1 1.3.6.1.4.1.8072.2.3.2.1 i 123 */
static const uint8_t cap_v3trap_authnopriv[] = {
	0x30, 0x81, 0xa8, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x35, 0xf6,
	0x54, 0x93, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x01, 0x02, 0x01,
	0x03, 0x04, 0x2c, 0x30, 0x2a, 0x04, 0x08, 0x80, 0x00, 0x00, 0x00, 0x01,
	0x02, 0x03, 0x04, 0x02, 0x01, 0x01, 0x02, 0x03, 0x0c, 0x40, 0xee, 0x04,
	0x06, 0x73, 0x65, 0x63, 0x75, 0x72, 0x65, 0x04, 0x0c, 0x68, 0xb7, 0x50,
	0x8d, 0x5d, 0x74, 0x00, 0xbf, 0x46, 0xd6, 0xdc, 0x81, 0x04, 0x00, 0x30,
	0x62, 0x04, 0x11, 0x80, 0x00, 0x1f, 0x88, 0x80, 0x82, 0x1d, 0x4d, 0x3d,
	0x2c, 0x50, 0x02, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0xa7, 0x4b,
	0x02, 0x04, 0x11, 0xcb, 0xc3, 0xe3, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
	0x30, 0x3d, 0x30, 0x0e, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01,
	0x03, 0x00, 0x43, 0x02, 0x03, 0x09, 0x30, 0x19, 0x06, 0x0a, 0x2b, 0x06,
	0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0b, 0x2b, 0x06,
	0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x00, 0x01, 0x30, 0x10, 0x06,
	0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x01,
	0x02, 0x01, 0x7b,
};
/* the same with -l authPriv -x AES -X privpassword */
static const uint8_t cap_v3trap_authpriv[] = {
	0x30, 0x81, 0xb2, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x02, 0x62,
	0xc1, 0x60, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x03, 0x02, 0x01,
	0x03, 0x04, 0x34, 0x30, 0x32, 0x04, 0x08, 0x80, 0x00, 0x00, 0x00, 0x01,
	0x02, 0x03, 0x04, 0x02, 0x01, 0x01, 0x02, 0x03, 0x0c, 0x40, 0xd2, 0x04,
	0x06, 0x73, 0x65, 0x63, 0x75, 0x72, 0x65, 0x04, 0x0c, 0xa6, 0x42, 0x76,
	0x70, 0xae, 0x13, 0xcf, 0xe8, 0xc0, 0x51, 0x6c, 0x3d, 0x04, 0x08, 0xfd,
	0x7b, 0x69, 0x28, 0x82, 0x86, 0x84, 0xa9, 0x04, 0x64, 0x81, 0x9c, 0x56,
	0xad, 0x9e, 0x5b, 0x61, 0x95, 0xef, 0xea, 0xa6, 0x8e, 0xa2, 0x17, 0x35,
	0xb0, 0x81, 0xb5, 0x0f, 0x59, 0xb3, 0x02, 0xd0, 0xe7, 0x31, 0x33, 0xb5,
	0x27, 0x27, 0xed, 0x4e, 0xe7, 0x92, 0x4e, 0x8a, 0xf6, 0x23, 0xef, 0x73,
	0x68, 0x36, 0x96, 0xe3, 0xdb, 0xf9, 0x59, 0x9e, 0xab, 0x76, 0x28, 0x61,
	0xb0, 0xf3, 0xb2, 0xb4, 0x0b, 0x43, 0x8d, 0xa6, 0xc6, 0x0a, 0xa6, 0x39,
	0x93, 0x48, 0x51, 0xa9, 0x7d, 0x81, 0x53, 0xfc, 0xbb, 0xb5, 0xb3, 0xe1,
	0x3d, 0x32, 0x47, 0x1d, 0xed, 0x35, 0xb9, 0x7f, 0xb4, 0x9f, 0xfe, 0x76,
	0x08, 0x09, 0x06, 0xd3, 0x47, 0x86, 0x0d, 0xe4, 0xb6, 0x0a, 0x88, 0x8d,
	0xda,
};
/* snmpinform -v3 -l noAuthNoPriv -u x -e 0x8000000001020304 HOST 777 1.3.6.1.4.1.8072.2.3.0.1 1.3.6.1.4.1.8072.2.3.2.1 i 5 */
static const uint8_t cap_v3inform_noauth[] = {
	0x30, 0x81, 0x95, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x2f, 0xd6,
	0x1c, 0x1d, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01,
	0x03, 0x04, 0x19, 0x30, 0x17, 0x04, 0x08, 0x80, 0x00, 0x00, 0x00, 0x01,
	0x02, 0x03, 0x04, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x01, 0x78,
	0x04, 0x00, 0x04, 0x00, 0x30, 0x62, 0x04, 0x11, 0x80, 0x00, 0x1f, 0x88,
	0x80, 0x82, 0x1d, 0x4d, 0x3d, 0x2c, 0x50, 0x02, 0x6b, 0x00, 0x00, 0x00,
	0x00, 0x04, 0x00, 0xa6, 0x4b, 0x02, 0x04, 0x3e, 0x2a, 0x7d, 0x09, 0x02,
	0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x3d, 0x30, 0x0e, 0x06, 0x08, 0x2b,
	0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x02, 0x03, 0x09, 0x30,
	0x19, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01,
	0x00, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03,
	0x00, 0x01, 0x30, 0x10, 0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf,
	0x08, 0x02, 0x03, 0x02, 0x01, 0x02, 0x01, 0x05,
};
/* snmpinform -v3 -l authPriv -u secure ... HOST ...: the engine ID discovery probe (a Get-PDU) */
static const uint8_t cap_v3inform_discovery[] = {
	0x30, 0x4f, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x52, 0xcb, 0x04,
	0x20, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03,
	0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
	0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x30, 0x25, 0x04, 0x11, 0x80, 0x00,
	0x1f, 0x88, 0x80, 0x82, 0x1d, 0x4d, 0x3d, 0x2c, 0x50, 0x02, 0x6b, 0x00,
	0x00, 0x00, 0x00, 0x04, 0x00, 0xa0, 0x0e, 0x02, 0x04, 0x69, 0x66, 0x36,
	0x47, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
};
/* snmpget -v2c -c public HOST 1.3.6.1.2.1.1.3.0 */
static const uint8_t cap_v2get[] = {
	0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa0, 0x1c, 0x02, 0x04, 0x4c, 0xe2, 0xe8, 0xf4, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x03, 0x00, 0x05, 0x00,
};
/* snmpget -v1 -c public HOST 1.3.6.1.2.1.1.3.0 */
static const uint8_t cap_v1get[] = {
	0x30, 0x29, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69,
	0x63, 0xa0, 0x1c, 0x02, 0x04, 0x2e, 0x77, 0xdf, 0x77, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x03, 0x00, 0x05, 0x00,
};
/* shugo-agent (node alpha, trap:2c target, community shugotest): shugoProcStarted, seq 1 */
static const uint8_t cap_agent_proc_started[] = {
	0x30, 0x82, 0x01, 0x38, 0x02, 0x01, 0x01, 0x04, 0x09, 0x73, 0x68, 0x75,
	0x67, 0x6f, 0x74, 0x65, 0x73, 0x74, 0xa7, 0x82, 0x01, 0x26, 0x02, 0x04,
	0x26, 0x71, 0x15, 0xc6, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x82,
	0x01, 0x16, 0x30, 0x0d, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01,
	0x03, 0x00, 0x43, 0x01, 0x04, 0x30, 0x19, 0x06, 0x0a, 0x2b, 0x06, 0x01,
	0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0b, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x00, 0x03, 0x30, 0x16, 0x06, 0x0d,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x01,
	0x00, 0x04, 0x05, 0x61, 0x6c, 0x70, 0x68, 0x61, 0x30, 0x12, 0x06, 0x0d,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x02,
	0x00, 0x42, 0x01, 0x01, 0x30, 0x12, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x03, 0x00, 0x42, 0x01, 0x01,
	0x30, 0x12, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59,
	0x07, 0x01, 0x0a, 0x04, 0x00, 0x02, 0x01, 0x02, 0x30, 0x19, 0x06, 0x0d,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x05,
	0x00, 0x04, 0x08, 0x70, 0x72, 0x6f, 0x63, 0x3a, 0x77, 0x65, 0x62, 0x30,
	0x19, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07,
	0x01, 0x0a, 0x06, 0x00, 0x04, 0x08, 0x73, 0x74, 0x61, 0x72, 0x74, 0x69,
	0x6e, 0x67, 0x30, 0x2e, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81,
	0xfd, 0x59, 0x07, 0x01, 0x0a, 0x07, 0x00, 0x04, 0x1d, 0x70, 0x69, 0x64,
	0x20, 0x33, 0x31, 0x37, 0x30, 0x32, 0x20, 0x73, 0x74, 0x61, 0x72, 0x74,
	0x65, 0x64, 0x20, 0x28, 0x72, 0x65, 0x73, 0x74, 0x61, 0x72, 0x74, 0x20,
	0x30, 0x29, 0x30, 0x1c, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81,
	0xfd, 0x59, 0x07, 0x01, 0x0a, 0x08, 0x00, 0x04, 0x0b, 0x07, 0xea, 0x0b,
	0x16, 0x02, 0x2d, 0x2f, 0x00, 0x2b, 0x00, 0x00, 0x30, 0x12, 0x06, 0x0d,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x09,
	0x00, 0x42, 0x01, 0x00,
};
/* shugo-agent, the same run: shugoProcAlarm, seq 4, severity major */
static const uint8_t cap_agent_proc_alarm[] = {
	0x30, 0x82, 0x01, 0x59, 0x02, 0x01, 0x01, 0x04, 0x09, 0x73, 0x68, 0x75,
	0x67, 0x6f, 0x74, 0x65, 0x73, 0x74, 0xa7, 0x82, 0x01, 0x47, 0x02, 0x04,
	0x26, 0x71, 0x15, 0xc9, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x82,
	0x01, 0x37, 0x30, 0x0d, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01,
	0x03, 0x00, 0x43, 0x01, 0x06, 0x30, 0x19, 0x06, 0x0a, 0x2b, 0x06, 0x01,
	0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0b, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x00, 0x01, 0x30, 0x16, 0x06, 0x0d,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x01,
	0x00, 0x04, 0x05, 0x61, 0x6c, 0x70, 0x68, 0x61, 0x30, 0x12, 0x06, 0x0d,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x02,
	0x00, 0x42, 0x01, 0x01, 0x30, 0x12, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04,
	0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x03, 0x00, 0x42, 0x01, 0x04,
	0x30, 0x12, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59,
	0x07, 0x01, 0x0a, 0x04, 0x00, 0x02, 0x01, 0x05, 0x30, 0x19, 0x06, 0x0d,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x05,
	0x00, 0x04, 0x08, 0x70, 0x72, 0x6f, 0x63, 0x3a, 0x77, 0x65, 0x62, 0x30,
	0x18, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07,
	0x01, 0x0a, 0x06, 0x00, 0x04, 0x07, 0x62, 0x61, 0x63, 0x6b, 0x6f, 0x66,
	0x66, 0x30, 0x50, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd,
	0x59, 0x07, 0x01, 0x0a, 0x07, 0x00, 0x04, 0x3f, 0x70, 0x69, 0x64, 0x20,
	0x33, 0x31, 0x37, 0x30, 0x32, 0x20, 0x65, 0x6e, 0x64, 0x65, 0x64, 0x20,
	0x61, 0x62, 0x6e, 0x6f, 0x72, 0x6d, 0x61, 0x6c, 0x6c, 0x79, 0x20, 0x28,
	0x65, 0x78, 0x69, 0x74, 0x20, 0x63, 0x6f, 0x64, 0x65, 0x20, 0x33, 0x29,
	0x3b, 0x20, 0x72, 0x65, 0x73, 0x74, 0x61, 0x72, 0x74, 0x69, 0x6e, 0x67,
	0x20, 0x69, 0x6e, 0x20, 0x32, 0x30, 0x30, 0x30, 0x20, 0x6d, 0x73, 0x30,
	0x1c, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x07,
	0x01, 0x0a, 0x08, 0x00, 0x04, 0x0b, 0x07, 0xea, 0x0b, 0x16, 0x02, 0x2d,
	0x2f, 0x00, 0x2b, 0x00, 0x00, 0x30, 0x12, 0x06, 0x0d, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x81, 0xfd, 0x59, 0x07, 0x01, 0x0a, 0x09, 0x00, 0x42, 0x01,
	0x01,
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CAP(a) cap_##a, sizeof cap_##a

/* struct trap_msg is large: one of each, reused by every test. */
static struct trap_msg m, m2;
static struct log_rec rec;

/* ---- building messages from a readable spec ---- */

/* Bytes from hex octets, 'text', and TAG{...}: the braces hold a TLV's
 * contents, and their shortest definite length is written before them. */
static size_t spec(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0, open[32], depth = 0;

	while (*s) {
		if (*s == ' ' || *s == '\n' || *s == '\t') {
			s++;
		} else if (*s == '{') {
			if (depth == LEN(open))
				abort();
			open[depth++] = n;
			s++;
		} else if (*s == '}') {
			size_t start, len, k;

			if (depth == 0)
				abort();
			start = open[--depth];
			len = n - start;
			k = len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
			if (n + k > cap)
				abort();
			memmove(out + start + k, out + start, len);
			if (k == 1) {
				out[start] = (uint8_t)len;
			} else if (k == 2) {
				out[start] = 0x81;
				out[start + 1] = (uint8_t)len;
			} else {
				out[start] = 0x82;
				out[start + 1] = (uint8_t)(len >> 8);
				out[start + 2] = (uint8_t)len;
			}
			n += k;
			s++;
		} else if (*s == '\'') {
			for (s++; *s && *s != '\''; s++) {
				if (n == cap)
					abort();
				out[n++] = (uint8_t)*s;
			}
			if (*s)
				s++;
		} else {
			unsigned v;

			if (sscanf(s, "%2x", &v) != 1 || n == cap)
				abort();
			out[n++] = (uint8_t)v;
			s += 2;
		}
	}
	if (depth != 0)
		abort();
	return n;
}

/* Fragments of messages, written the way the ASN.1 reads. */
#define OID_UPTIME "06{2b 06 01 02 01 01 03 00}"
#define OID_TRAPOID "06{2b 06 01 06 03 01 01 04 01 00}"
#define VB(name, val) "30{06{" name "} " val "}"
#define VB_UPTIME "30{" OID_UPTIME " 43{01 00}}" /* sysUpTime.0 = 256 */
#define VB_TRAPOID(o) "30{" OID_TRAPOID " 06{" o "}}"
#define ENT "2b 06 01 04 01 bf 08 02 03" /* 1.3.6.1.4.1.8072.2.3 */
#define X1 ENT " 02 01"                  /* a varbind name: ENT.2.1 */
#define PDU(tag, vbs) tag "{02{04 d2} 02{00} 02{00} 30{" vbs "}}" /* request-id 1234 */
#define V2C(pdu) "30{02{01} 04{'public'} " pdu "}"
#define V1(pdu) "30{02{00} 04{'public'} " pdu "}"
#define TRAP2(vbs) V2C(PDU("a7", VB_UPTIME VB_TRAPOID(ENT " 00 01") vbs))
#define TRAP1(ent, gen, spc, ts, vbs) \
	V1("a4{06{" ent "} 40{c0 00 02 01} 02{" gen "} 02{" spc "} 43{" ts "} 30{" vbs "}}")
#define GD(flags) "02{01 02} 02{00 ff e3} 04{" flags "} 02{03}" /* msgID 258, max 65507 */
#define USM(eid, user) "04{" eid "} 02{01} 02{0c 40 9a} 04{" user "} 04{} 04{}"
#define EID "80 00 00 00 01 02 03 04"
#define USM_OK USM(EID, "'x'")
#define SCOPED(pdu) "30{04{" EID "} 04{} " pdu "}"
#define V3(gd, usm, data) "30{02{03} 30{" gd "} 04{30{" usm "}} " data "}"
#define V3_TRAP V3(GD("00"), USM_OK, SCOPED(PDU("a7", VB_UPTIME VB_TRAPOID(ENT " 00 01"))))
#define A16 "aaaaaaaaaaaaaaaa"
#define S33 "'" A16 A16 "a'"

/* ---- fixtures that decode ---- */

struct good_case {
	const char *name;
	const uint8_t *buf;
	size_t len;
	const char *err;  /* expected trap_decode result (NULL: accepted) */
	int version;
	bool have_pdu;
	uint8_t pdu_type;
	int32_t request_id;
	size_t n_vb;
	uint32_t uptime;
	const char *trap_oid;
	const char *community; /* v1/v2c */
};

static const struct good_case good[] = {
	{"v2c trap", CAP(v2trap), NULL, 1, true, PDU_TRAPV2, 856422887, 3, 798512,
	 ".1.3.6.1.4.1.8072.2.3.0.1", "public"},
	{"v2c inform", CAP(v2inform), NULL, 1, true, PDU_INFORM, 950538461, 3, 4242,
	 ".1.3.6.1.4.1.8072.2.3.0.1", "public"},
	{"v2c every type", CAP(v2types), NULL, 1, true, PDU_TRAPV2, 962327163, 16, 987654,
	 ".1.3.6.1.4.1.8072.2.3.0.2", "private"},
	{"v2c Counter64", CAP(v2c64), NULL, 1, true, PDU_TRAPV2, 14460885, 4, 1,
	 ".1.3.6.1.4.1.8072.2.3.0.3", "public"},
	{"v1 enterprise-specific", CAP(v1_specific), NULL, 0, true, PDU_TRAPV1, 0, 1, 1234,
	 ".1.3.6.1.4.1.8072.2.3.0.17", "public"},
	{"v1 linkDown", CAP(v1_linkdown), NULL, 0, true, PDU_TRAPV1, 0, 1, 55, ".1.3.6.1.6.3.1.1.5.3", "public"},
	{"v1 coldStart", CAP(v1_coldstart), NULL, 0, true, PDU_TRAPV1, 0, 0, 0, ".1.3.6.1.6.3.1.1.5.1", "public"},
	{"v3 noAuthNoPriv trap", CAP(v3trap_noauth), NULL, 3, true, PDU_TRAPV2, 670180759, 3, 777,
	 ".1.3.6.1.4.1.8072.2.3.0.1", NULL},
	{"v3 trap with context", CAP(v3trap_ctx), NULL, 3, true, PDU_TRAPV2, 1516975958, 3, 777,
	 ".1.3.6.1.4.1.8072.2.3.0.1", NULL},
	{"v3 authNoPriv trap", CAP(v3trap_authnopriv), NULL, 3, true, PDU_TRAPV2, 298566627, 3, 777,
	 ".1.3.6.1.4.1.8072.2.3.0.1", NULL},
	{"v3 authPriv trap (encrypted)", CAP(v3trap_authpriv), NULL, 3, false, 0, 0, 0, 0, "", NULL},
	{"v3 noAuthNoPriv inform", CAP(v3inform_noauth), NULL, 3, true, PDU_INFORM, 1042971913, 3, 777,
	 ".1.3.6.1.4.1.8072.2.3.0.1", NULL},
	{"v3 discovery probe", CAP(v3inform_discovery), "not a trap or inform PDU", 3, false, PDU_GET, 1768306247,
	 0, 0, "", NULL},
	{"v2c get", CAP(v2get), "not a trap or inform PDU", 1, false, PDU_GET, 1289939188, 1, 0, "", "public"},
	{"v1 get", CAP(v1get), "not a trap or inform PDU", 0, false, PDU_GET, 779607927, 1, 0, "", "public"},
	{"shugo-agent shugoProcStarted", CAP(agent_proc_started), NULL, 1, true, PDU_TRAPV2, 644945350, 11, 4,
	 ".1.3.6.1.4.1.32473.7.0.3", "shugotest"},
	{"shugo-agent shugoProcAlarm", CAP(agent_proc_alarm), NULL, 1, true, PDU_TRAPV2, 644945353, 11, 6,
	 ".1.3.6.1.4.1.32473.7.0.1", "shugotest"},
};

static void check_str(const uint8_t *s, size_t len, const char *want, const char *what)
{
	bool same = want && len == strlen(want) && (len == 0 || memcmp(s, want, len) == 0);

	if (!same)
		printf("\n  %s: got '%.*s', expected '%s'\n", what, (int)len, s ? (const char *)s : "",
		       want ? want : "(null)");
	CU_ASSERT(same);
}

/* Binary fields against a literal (which may hold NULs). */
#define CHECK_BYTES(s, len, lit, what) check_mem((s), (len), (const uint8_t *)(lit), sizeof(lit) - 1, (what))

static void check_mem(const uint8_t *s, size_t len, const uint8_t *want, size_t want_len, const char *what)
{
	bool same = len == want_len && (len == 0 || memcmp(s, want, len) == 0);

	if (!same)
		printf("\n  %s: %zu octets differ from the %zu expected\n", what, len, want_len);
	CU_ASSERT(same);
}

static void check_err(const char *got, const char *want, const char *name)
{
	bool same = (!got && !want) || (got && want && strcmp(got, want) == 0);

	if (!same)
		printf("\n  %s: got \"%s\", expected \"%s\"\n", name, got ? got : "(accepted)",
		       want ? want : "(accepted)");
	CU_ASSERT(same);
}

static void test_captures(void)
{
	char oid[LR_OID_MAX + 1];

	for (size_t i = 0; i < LEN(good); i++) {
		const struct good_case *c = &good[i];

		/* Whatever m held before must not matter. */
		memset(&m, 0xa5, sizeof m);
		check_err(trap_decode(c->buf, c->len, &m), c->err, c->name);
		CU_ASSERT_EQUAL(m.version, c->version);
		CU_ASSERT_EQUAL(m.have_pdu, c->have_pdu);
		CU_ASSERT_EQUAL(m.pdu_type, c->pdu_type);
		CU_ASSERT_EQUAL(m.request_id, c->request_id);
		CU_ASSERT_EQUAL(m.n_vb, c->n_vb);
		CU_ASSERT_EQUAL(m.uptime, c->uptime);
		trap_oid_format(&m.trap_oid, oid, sizeof oid);
		check_str((const uint8_t *)oid, strlen(oid), c->trap_oid, c->name);
		if (c->community)
			check_str(m.community, m.community_len, c->community, c->name);
		if (m.n_vb > 0) {
			/* The VarBindList ends the PDU, which ends the message. */
			CU_ASSERT(m.vbl >= c->buf && m.vbl + m.vbl_len <= c->buf + c->len);
			CU_ASSERT_EQUAL(m.vbl[0], 0x30);
		}
	}
}

/* Each value type as net-snmp encodes it (the v2types capture). */
static void test_value_types(void)
{
	static const struct {
		uint8_t type;
		int64_t i;
		uint64_t u;
		const char *s; /* hex of the octets */
	} want[16] = {
		{TV_TIMETICKS, 0, 987654, NULL},
		{TV_OID, 0, 0, NULL},
		{TV_INTEGER, INT32_MIN, 0, NULL},
		{TV_GAUGE32, 0, UINT32_MAX, NULL},
		{TV_COUNTER32, 0, UINT32_MAX, NULL},
		{TV_TIMETICKS, 0, UINT32_MAX, NULL},
		{TV_IPADDR, 0, 0, "c00002fe"},
		{TV_OID, 0, 0, NULL},
		{TV_OCTETS, 0, 0, "0001ff7f0a"},
		{TV_NULL, 0, 0, NULL},
		{TV_INTEGER, 0, 0, NULL},
		{TV_INTEGER, -1, 0, NULL},
		{TV_OCTETS, 0, 0, ""},
		{TV_INTEGER, INT32_MAX, 0, NULL},
		{TV_INTEGER, 128, 0, NULL},
		{TV_INTEGER, -129, 0, NULL},
	};
	char oid[LR_OID_MAX + 1];

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v2types), &m));
	CU_ASSERT_EQUAL_FATAL(m.n_vb, 16);
	for (size_t i = 0; i < 16; i++) {
		const struct trap_vb *vb = &m.vb[i];

		CU_ASSERT_EQUAL(vb->type, want[i].type);
		CU_ASSERT_EQUAL(vb->i, want[i].i);
		CU_ASSERT_EQUAL(vb->u, want[i].u);
		if (want[i].s) {
			char hex[64] = "";
			for (size_t k = 0; k < vb->slen && k < 31; k++)
				sprintf(hex + 2 * k, "%02x", vb->s[k]);
			CU_ASSERT_STRING_EQUAL(hex, want[i].s);
		}
		if (i >= 2) {
			trap_oid_format(&vb->name, oid, sizeof oid);
			char name[64];
			snprintf(name, sizeof name, ".1.3.6.1.4.1.8072.2.3.2.%zu", i - 1);
			CU_ASSERT_STRING_EQUAL(oid, name);
		}
	}
	trap_oid_format(&m.vb[7].o, oid, sizeof oid);
	CU_ASSERT_STRING_EQUAL(oid, ".1.3.6.1.4.1.8072.2.3.999999999.4294967295");

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v2c64), &m));
	CU_ASSERT_EQUAL(m.vb[2].type, TV_COUNTER64);
	CU_ASSERT_EQUAL(m.vb[2].u, UINT64_MAX);
	CU_ASSERT_EQUAL(m.vb[3].u, 0);
}

static void test_v1_fields(void)
{
	char oid[LR_OID_MAX + 1];

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v1_specific), &m));
	trap_oid_format(&m.enterprise, oid, sizeof oid);
	CU_ASSERT_STRING_EQUAL(oid, ".1.3.6.1.4.1.8072.2.3");
	CU_ASSERT_EQUAL(memcmp(m.agent_addr, "\xc0\x00\x02\x01", 4), 0);
	CU_ASSERT_EQUAL(m.generic_trap, 6);
	CU_ASSERT_EQUAL(m.specific_trap, 17);
	CU_ASSERT_EQUAL(m.vb[0].type, TV_OCTETS);
	check_str(m.vb[0].s, m.vb[0].slen, "hello", "v1 varbind");

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v1_coldstart), &m));
	CU_ASSERT_EQUAL(memcmp(m.agent_addr, "\x0a\x01\x02\x03", 4), 0);
	CU_ASSERT_EQUAL(m.generic_trap, 0);
	CU_ASSERT_EQUAL(m.vbl_len, 2); /* an empty VarBindList is still there */
}

static void test_v3_fields(void)
{
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_noauth), &m));
	CU_ASSERT_EQUAL(m.msg_id, 1487832923);
	CU_ASSERT_EQUAL(m.msg_max_size, 65507);
	CU_ASSERT_EQUAL(m.msg_flags, 0);
	CU_ASSERT_EQUAL(m.sec_model, 3);
	CHECK_BYTES(m.engine_id, m.engine_id_len, "\x80\x00\x00\x00\x01\x02\x03\x04", "engine id");
	CU_ASSERT_EQUAL(m.engine_boots, 1);
	CU_ASSERT_EQUAL(m.engine_time, 802970);
	check_str(m.user, m.user_len, "x", "user");
	CU_ASSERT_EQUAL(m.auth_params_len, 0);
	CU_ASSERT_EQUAL(m.priv_params_len, 0);
	/* The ScopedPDU TLV ends the message. */
	CU_ASSERT_EQUAL(m.scoped_len, 100);
	CU_ASSERT_PTR_EQUAL(m.scoped, cap_v3trap_noauth + sizeof cap_v3trap_noauth - 100);
	CU_ASSERT_EQUAL(m.scoped[0], 0x30);
	CU_ASSERT_EQUAL(m.ctx_engine_id_len, 17);
	CU_ASSERT_EQUAL(m.ctx_name_len, 0);

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_ctx), &m));
	check_str(m.user, m.user_len, "trapuser", "user");
	check_str(m.ctx_name, m.ctx_name_len, "ctxname", "context name");
	check_str(m.vb[2].s, m.vb[2].slen, "abc", "varbind");

	/* authPriv: the header, and the encrypted octets for USM. */
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_authpriv), &m));
	CU_ASSERT_EQUAL(m.msg_flags, TRAP_FLAG_AUTH | TRAP_FLAG_PRIV);
	check_str(m.user, m.user_len, "secure", "user");
	CU_ASSERT_EQUAL(m.auth_params_len, 12);
	CU_ASSERT_PTR_EQUAL(m.auth_params, cap_v3trap_authpriv + 57);
	CU_ASSERT_EQUAL(m.priv_params_len, 8);
	CU_ASSERT_EQUAL(m.scoped_len, 100);
	CU_ASSERT_PTR_EQUAL(m.scoped, cap_v3trap_authpriv + sizeof cap_v3trap_authpriv - 100);
	CU_ASSERT_FALSE(m.have_pdu);
	CU_ASSERT_EQUAL(m.n_vb, 0);

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_authnopriv), &m));
	CU_ASSERT_EQUAL(m.msg_flags, TRAP_FLAG_AUTH);
	CU_ASSERT_EQUAL(m.auth_params_len, 12);
	CU_ASSERT_TRUE(m.have_pdu);
}

/* A refused v3 message keeps its header, so trapd can answer discovery
 * (RFC 3414 4): msgID, reportable flag, the empty engine ID and user. */
static void test_v3_refused_keeps_header(void)
{
	uint8_t buf[512];
	size_t n;

	CU_ASSERT_STRING_EQUAL(trap_decode(CAP(v3inform_discovery), &m), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.msg_id, 1389036576);
	CU_ASSERT_EQUAL(m.msg_max_size, 65507);
	CU_ASSERT_EQUAL(m.msg_flags, TRAP_FLAG_REPORTABLE);
	CU_ASSERT_EQUAL(m.sec_model, 3);
	CU_ASSERT_EQUAL(m.engine_id_len, 0);
	CU_ASSERT_EQUAL(m.user_len, 0);
	CU_ASSERT_EQUAL(m.pdu_type, PDU_GET);
	CU_ASSERT_EQUAL(m.request_id, 1768306247);
	CU_ASSERT_FALSE(m.have_pdu);

	n = spec(V3(GD("04"), USM("", ""), SCOPED(PDU("a8", ""))), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(trap_decode(buf, n, &m), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.msg_id, 258);
	CU_ASSERT_EQUAL(m.pdu_type, PDU_REPORT);
	CU_ASSERT_EQUAL(m.request_id, 1234);

	/* Without a readable header there is nothing to answer: version stays -1. */
	n = spec(V3("02{01 02} 02{00 ff e3} 04{04} 02{02}", USM_OK, SCOPED(PDU("a0", ""))), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(trap_decode(buf, n, &m), "unsupported security model");
	CU_ASSERT_EQUAL(m.version, -1);
	n = spec(V3(GD("04"), USM(S33, ""), SCOPED(PDU("a0", ""))), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(trap_decode(buf, n, &m), "bad msgAuthoritativeEngineID");
	CU_ASSERT_EQUAL(m.version, -1);
	/* The PDU could not be read: request-id 0. */
	n = spec(V3(GD("04"), USM("", ""), "30{04{} 04{} a0{02{}}}"), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(trap_decode(buf, n, &m), "empty INTEGER");
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.request_id, 0);
}

static void test_decode_scoped(void)
{
	uint8_t buf[512];
	size_t n;

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_ctx), &m));
	memcpy(buf, m.scoped, m.scoped_len);
	n = m.scoped_len;
	m.have_pdu = false;
	m.n_vb = 99;
	CU_ASSERT_PTR_NULL(trap_decode_scoped(buf, n, &m));
	CU_ASSERT_TRUE(m.have_pdu);
	CU_ASSERT_EQUAL(m.n_vb, 3);
	CU_ASSERT_EQUAL(m.request_id, 1516975958);
	check_str(m.ctx_name, m.ctx_name_len, "ctxname", "context name");
	CU_ASSERT_PTR_EQUAL(m.ctx_name, buf + 23); /* into the caller's (decrypted) buffer */

	/* Padding after a decrypted ScopedPDU is allowed, not after a plaintext one. */
	buf[n] = 0;
	buf[n + 1] = 0;
	m.msg_flags = TRAP_FLAG_AUTH | TRAP_FLAG_PRIV;
	CU_ASSERT_PTR_NULL(trap_decode_scoped(buf, n + 2, &m));
	m.msg_flags = 0;
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped(buf, n + 2, &m), "trailing octets after the ScopedPDU");

	/* A failed decode leaves no PDU behind. */
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_ctx), &m));
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped((const uint8_t *)"\x30\x00", 2, &m), "truncated tag");
	CU_ASSERT_FALSE(m.have_pdu);
	CU_ASSERT_EQUAL(m.n_vb, 0);
	CU_ASSERT_EQUAL(m.trap_oid.len, 0);
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped(NULL, 0, &m), "empty ScopedPDU");
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped(buf, 1, &m), "truncated length");
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped((const uint8_t *)"\x04\x00", 2, &m), "ScopedPDU is not a SEQUENCE");
}

/* ---- malformed messages ---- */

struct bad_case {
	const char *name;
	const char *spec;
	const char *err;
};

static const struct bad_case bad[] = {
	/* lengths and tags */
	{"empty", "", "empty message"},
	{"not a SEQUENCE", "31 00", "not an SNMP message"},
	{"tag only", "30", "truncated length"},
	{"indefinite length", "30 80 02 01 01 00 00", "indefinite length"},
	{"length in 5 octets", "30 85 00 00 00 00 03 02 01 01", "length over 4 octets"},
	{"length in 127 octets", "30 ff 00", "length over 4 octets"},
	{"long length cut short", "30 82 00", "truncated length"},
	{"length beyond the datagram", "30 05 02 01 01", "length beyond the message"},
	{"length 2^32-1", "30 84 ff ff ff ff 02 01 01", "length beyond the message"},
	{"high tag number", "3f 01 00", "unsupported tag"},
	{"inner length beyond its SEQUENCE", TRAP2("30{06{" X1 "} 04 05 'ab'}"), "length beyond the message"},
	{"trailing octets", TRAP2("") " 00", "trailing octets after the message"},
	/* message header */
	{"version 2", "30{02{02} 04{'public'} " PDU("a7", "") "}", "unsupported SNMP version"},
	{"version -1", "30{02{ff} 04{'public'} " PDU("a7", "") "}", "unsupported SNMP version"},
	{"version over Integer32", "30{02{00 80 00 00 01} 04{'p'}}", "bad version"},
	{"version in 9 octets", "30{02{00 00 00 00 00 00 00 00 01} 04{'p'}}", "INTEGER over 8 octets"},
	{"version empty", "30{02{} 04{'p'}}", "empty INTEGER"},
	{"version missing", "30{}", "truncated tag"},
	{"version as OCTET STRING", "30{04{01}}", "bad version"},
	{"community as SEQUENCE", "30{02{01} 30{} a7{}}", "community is not an OCTET STRING"},
	{"no PDU", "30{02{01} 04{'public'}}", "truncated tag"},
	/* PDU */
	{"not a PDU tag", V2C("30{02{01} 02{00} 02{00} 30{}}"), "not a PDU"},
	{"PDU tag a9", V2C("a9{02{01} 02{00} 02{00} 30{}}"), "not a PDU"},
	{"request-id 2^31", V2C("a7{02{00 80 00 00 00} 02{00} 02{00} 30{}}"), "bad request-id"},
	{"request-id -2^31-1", V2C("a7{02{ff 7f ff ff ff} 02{00} 02{00} 30{}}"), "bad request-id"},
	{"error-status as OCTET STRING", V2C("a7{02{01} 04{00} 02{00} 30{}}"), "bad error-status"},
	{"error-index 2^31", V2C("a7{02{01} 02{00} 02{00 80 00 00 00} 30{}}"), "bad error-index"},
	{"SNMPv1 Trap-PDU in v2c", V2C("a4{06{2b 06} 40{7f 00 00 01} 02{00} 02{00} 43{00} 30{}}"),
	 "SNMPv1 Trap-PDU in an SNMPv2 message"},
	{"SNMPv2-Trap in v1", V1(PDU("a7", VB_UPTIME VB_TRAPOID(ENT " 00 01"))), "SNMPv2 PDU in an SNMPv1 message"},
	{"InformRequest in v1", V1(PDU("a6", VB_UPTIME VB_TRAPOID(ENT " 00 01"))), "SNMPv2 PDU in an SNMPv1 message"},
	{"GetRequest", V2C(PDU("a0", VB("2b 06 01 02 01 01 03 00", "05{}"))), "not a trap or inform PDU"},
	{"GetNextRequest", V2C(PDU("a1", VB("2b 06 01", "05{}"))), "not a trap or inform PDU"},
	{"Response", V2C(PDU("a2", VB_UPTIME VB_TRAPOID(ENT " 00 01"))), "not a trap or inform PDU"},
	{"SetRequest", V2C(PDU("a3", VB(X1, "02{01}"))), "not a trap or inform PDU"},
	{"GetBulkRequest", V2C(PDU("a5", VB("2b 06 01", "05{}"))), "not a trap or inform PDU"},
	{"Report", V2C(PDU("a8", "")), "not a trap or inform PDU"},
	{"octets after the VarBindList", V2C("a7{02{01} 02{00} 02{00} 30{" VB_UPTIME "} 05{}}"),
	 "trailing octets in the PDU"},
	{"octets after the PDU", "30{02{01} 04{'public'} " PDU("a7", VB_UPTIME) " 05{}}",
	 "trailing octets after the PDU"},
	/* SNMPv2 trap header varbinds */
	{"no varbinds", V2C(PDU("a7", "")), "first varbind is not sysUpTime.0"},
	{"snmpTrapOID first", V2C(PDU("a7", VB_TRAPOID(ENT " 00 01") VB_UPTIME)), "first varbind is not sysUpTime.0"},
	{"sysUpTime as INTEGER", V2C(PDU("a7", "30{" OID_UPTIME " 02{01}}" VB_TRAPOID(ENT " 00 01"))),
	 "first varbind is not sysUpTime.0"},
	{"sysUpTime.1", V2C(PDU("a7", VB("2b 06 01 02 01 01 03 01", "43{01}") VB_TRAPOID(ENT " 00 01"))),
	 "first varbind is not sysUpTime.0"},
	{"sysUpTime only", V2C(PDU("a6", VB_UPTIME)), "second varbind is not snmpTrapOID.0"},
	{"snmpTrapOID as OCTET STRING", V2C(PDU("a7", VB_UPTIME "30{" OID_TRAPOID " 04{'x'}}")),
	 "second varbind is not snmpTrapOID.0"},
	{"snmpTrapOID third", V2C(PDU("a7", VB_UPTIME VB(X1, "05{}") VB_TRAPOID(ENT " 00 01"))),
	 "second varbind is not snmpTrapOID.0"},
	/* varbinds */
	{"VarBindList as SET", V2C("a7{02{01} 02{00} 02{00} 31{}}"), "VarBindList is not a SEQUENCE"},
	{"VarBind as SET", TRAP2("31{06{2b 06} 05{}}"), "VarBind is not a SEQUENCE"},
	{"VarBind name as OCTET STRING", TRAP2("30{04{'x'} 05{}}"), "VarBind name is not an OID"},
	{"VarBind without a value", TRAP2("30{06{" X1 "}}"), "truncated tag"},
	{"VarBind with two values", TRAP2("30{06{" X1 "} 05{} 05{}}"), "trailing octets in a VarBind"},
	{"empty VarBind", TRAP2("30{}"), "truncated tag"},
	/* OBJECT IDENTIFIER */
	{"OID empty", TRAP2(VB(X1, "06{}")), "empty OID"},
	{"OID name empty", TRAP2(VB("", "05{}")), "empty OID"},
	{"OID sub-identifier 2^32", TRAP2(VB(X1, "06{2b 90 80 80 80 00}")), "OID sub-identifier over 2^32-1"},
	{"OID sub-identifier 2^35-1", TRAP2(VB(X1, "06{2b ff ff ff ff 7f}")), "OID sub-identifier over 2^32-1"},
	{"OID sub-identifier in 6 octets", TRAP2(VB(X1, "06{2b 81 80 80 80 80 00}")), "OID sub-identifier over 2^32-1"},
	{"OID first sub-identifier 2^32", TRAP2(VB(X1, "06{90 80 80 80 00}")), "OID sub-identifier over 2^32-1"},
	{"OID leading 0x80", TRAP2(VB(X1, "06{2b 80 01}")), "OID sub-identifier with a leading zero"},
	{"OID last octet continues", TRAP2(VB(X1, "06{2b 06 86}")), "truncated OID sub-identifier"},
	{"OID name last octet continues", TRAP2(VB("2b ff", "05{}")), "truncated OID sub-identifier"},
	/* other values */
	{"IpAddress of 5 octets", TRAP2(VB(X1, "40{01 02 03 04 05}")), "IpAddress not 4 octets"},
	{"IpAddress of 3 octets", TRAP2(VB(X1, "40{01 02 03}")), "IpAddress not 4 octets"},
	{"IpAddress empty", TRAP2(VB(X1, "40{}")), "IpAddress not 4 octets"},
	{"NULL with contents", TRAP2(VB(X1, "05{00}")), "NULL or exception with contents"},
	{"noSuchObject with contents", TRAP2(VB(X1, "80{00}")), "NULL or exception with contents"},
	{"noSuchInstance with contents", TRAP2(VB(X1, "81{00}")), "NULL or exception with contents"},
	{"endOfMibView with contents", TRAP2(VB(X1, "82{00}")), "NULL or exception with contents"},
	{"INTEGER in 9 octets", TRAP2(VB(X1, "02{00 ff ff ff ff ff ff ff ff}")), "INTEGER over 8 octets"},
	{"INTEGER empty", TRAP2(VB(X1, "02{}")), "empty INTEGER"},
	{"Counter32 2^32", TRAP2(VB(X1, "41{01 00 00 00 00}")), "unsigned value out of range"},
	{"Counter32 in 6 octets", TRAP2(VB(X1, "41{00 00 00 00 00 01}")), "unsigned value out of range"},
	{"Gauge32 negative", TRAP2(VB(X1, "42{ff}")), "negative unsigned value"},
	{"TimeTicks without its leading zero", TRAP2(VB(X1, "43{80 00 00 00}")), "negative unsigned value"},
	{"Counter32 empty", TRAP2(VB(X1, "41{}")), "empty unsigned value"},
	{"Counter64 2^64", TRAP2(VB(X1, "46{01 00 00 00 00 00 00 00 00}")), "unsigned value out of range"},
	{"Counter64 in 10 octets", TRAP2(VB(X1, "46{00 00 ff ff ff ff ff ff ff ff}")), "unsigned value out of range"},
	{"Counter64 negative", TRAP2(VB(X1, "46{80}")), "negative unsigned value"},
	{"UInteger32 (obsolete)", TRAP2(VB(X1, "47{01}")), "unknown value type"},
	{"NsapAddress", TRAP2(VB(X1, "45{01}")), "unknown value type"},
	{"constructed OCTET STRING", TRAP2(VB(X1, "24{04{'a'}}")), "unknown value type"},
	{"SEQUENCE as a value", TRAP2(VB(X1, "30{}")), "unknown value type"},
	/* SNMPv1 Trap-PDU */
	{"generic-trap 7", TRAP1(ENT, "07", "00", "00", ""), "bad generic-trap"},
	{"generic-trap -1", TRAP1(ENT, "ff", "00", "00", ""), "bad generic-trap"},
	{"specific-trap -1 (enterpriseSpecific)", TRAP1(ENT, "06", "ff", "00", ""), "bad specific-trap"},
	{"specific-trap 2^31", TRAP1(ENT, "06", "00 80 00 00 00", "00", ""), "bad specific-trap"},
	{"time-stamp 2^32", TRAP1(ENT, "00", "00", "01 00 00 00 00", ""), "unsigned value out of range"},
	{"time-stamp as INTEGER", V1("a4{06{" ENT "} 40{c0 00 02 01} 02{00} 02{00} 02{00} 30{}}"),
	 "time-stamp is not TimeTicks"},
	{"enterprise as OCTET STRING", V1("a4{04{'x'} 40{c0 00 02 01} 02{00} 02{00} 43{00} 30{}}"),
	 "enterprise is not an OID"},
	{"agent-addr as OCTET STRING", V1("a4{06{" ENT "} 04{c0 00 02 01} 02{00} 02{00} 43{00} 30{}}"),
	 "agent-addr is not an IpAddress"},
	{"agent-addr of 16 octets", V1("a4{06{" ENT "} 40{00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01} "
				       "02{00} 02{00} 43{00} 30{}}"), "IpAddress not 4 octets"},
	{"no varbinds", V1("a4{06{" ENT "} 40{c0 00 02 01} 02{00} 02{00} 43{00}}"), "truncated tag"},
	{"v1 octets after the VarBindList", V1("a4{06{" ENT "} 40{c0 00 02 01} 02{00} 02{00} 43{00} 30{} 05{}}"),
	 "trailing octets in the PDU"},
	/* SNMPv3 */
	{"msgGlobalData as SET", "30{02{03} 31{}}", "msgGlobalData is not a SEQUENCE"},
	{"msgID -1", V3("02{ff} 02{00 ff e3} 04{00} 02{03}", USM_OK, SCOPED("")), "bad msgID"},
	{"msgMaxSize 483", V3("02{01} 02{01 e3} 04{00} 02{03}", USM_OK, SCOPED("")), "bad msgMaxSize"},
	{"msgMaxSize 2^31", V3("02{01} 02{00 80 00 00 00} 04{00} 02{03}", USM_OK, SCOPED("")), "bad msgMaxSize"},
	{"msgFlags of 2 octets", V3(GD("00 00"), USM_OK, SCOPED("")), "msgFlags not one octet"},
	{"msgFlags empty", V3(GD(""), USM_OK, SCOPED("")), "msgFlags not one octet"},
	{"msgFlags as INTEGER", V3("02{01} 02{00 ff e3} 02{00} 02{03}", USM_OK, SCOPED("")),
	 "msgFlags is not an OCTET STRING"},
	{"privacy without authentication", V3(GD("02"), USM_OK, "04{00}"), "msgFlags: privacy without authentication"},
	{"security model 2 (v2c)", V3("02{01} 02{00 ff e3} 04{00} 02{02}", USM_OK, SCOPED("")),
	 "unsupported security model"},
	{"security model 0", V3("02{01} 02{00 ff e3} 04{00} 02{00}", USM_OK, SCOPED("")), "bad msgSecurityModel"},
	{"octets after msgSecurityModel", V3(GD("00") " 05{}", USM_OK, SCOPED("")), "trailing octets in msgGlobalData"},
	{"msgSecurityParameters as SEQUENCE", "30{02{03} 30{" GD("00") "} 30{" USM_OK "} " SCOPED("") "}",
	 "msgSecurityParameters is not an OCTET STRING"},
	{"UsmSecurityParameters as SET", "30{02{03} 30{" GD("00") "} 04{31{" USM_OK "}} " SCOPED("") "}",
	 "UsmSecurityParameters is not a SEQUENCE"},
	{"octets after UsmSecurityParameters", "30{02{03} 30{" GD("00") "} 04{30{" USM_OK "} 00} " SCOPED("") "}",
	 "trailing octets after UsmSecurityParameters"},
	{"engine ID of 33 octets", V3(GD("00"), USM(S33, "'x'"), SCOPED("")), "bad msgAuthoritativeEngineID"},
	{"user name of 33 octets", V3(GD("00"), USM(EID, S33), SCOPED("")), "bad msgUserName"},
	{"engine boots -1", V3(GD("00"), "04{" EID "} 02{ff} 02{00} 04{'x'} 04{} 04{}", SCOPED("")),
	 "bad msgAuthoritativeEngineBoots"},
	{"engine time 2^31", V3(GD("00"), "04{" EID "} 02{00} 02{00 80 00 00 00} 04{'x'} 04{} 04{}", SCOPED("")),
	 "bad msgAuthoritativeEngineTime"},
	{"auth parameters as INTEGER", V3(GD("00"), "04{" EID "} 02{00} 02{00} 04{'x'} 02{00} 04{}", SCOPED("")),
	 "bad msgAuthenticationParameters"},
	{"priv parameters as NULL", V3(GD("00"), "04{" EID "} 02{00} 02{00} 04{'x'} 04{} 05{}", SCOPED("")),
	 "bad msgPrivacyParameters"},
	{"priv parameters missing", V3(GD("00"), "04{" EID "} 02{00} 02{00} 04{'x'} 04{}", SCOPED("")),
	 "truncated tag"},
	{"octets after msgPrivacyParameters", V3(GD("00"), USM_OK " 05{}", SCOPED("")),
	 "trailing octets in UsmSecurityParameters"},
	{"no msgData", V3(GD("00"), USM_OK, ""), "truncated tag"},
	{"plaintext msgData with the privacy flag", V3(GD("03"), USM_OK, SCOPED("")),
	 "encrypted msgData is not an OCTET STRING"},
	{"encrypted msgData without the privacy flag", V3(GD("01"), USM_OK, "04{00 01 02}"), "ScopedPDU is not a SEQUENCE"},
	{"octets after msgData", V3(GD("03"), USM_OK, "04{00 01} 05{}"), "trailing octets after msgData"},
	{"octets after the ScopedPDU", V3(GD("00"), USM_OK, SCOPED("") " 05{}"), "trailing octets after msgData"},
	{"contextEngineID of 33 octets", V3(GD("00"), USM_OK, "30{04{" S33 "} 04{} " PDU("a7", "") "}"),
	 "bad contextEngineID"},
	{"contextName of 33 octets", V3(GD("00"), USM_OK, "30{04{} 04{" S33 "} " PDU("a7", "") "}"), "bad contextName"},
	{"contextName as INTEGER", V3(GD("00"), USM_OK, "30{04{} 02{00} " PDU("a7", "") "}"), "bad contextName"},
	{"ScopedPDU without a PDU", V3(GD("00"), USM_OK, "30{04{} 04{}}"), "truncated tag"},
	{"SNMPv1 Trap-PDU in v3", V3(GD("00"), USM_OK, SCOPED("a4{06{2b 06} 40{7f 00 00 01} 02{00} 02{00} 43{00} 30{}}")),
	 "SNMPv1 Trap-PDU in an SNMPv2 message"},
	{"v3 GetRequest", V3(GD("04"), USM_OK, SCOPED(PDU("a0", VB("2b 06 01", "05{}")))), "not a trap or inform PDU"},
	{"v3 trap without sysUpTime", V3(GD("00"), USM_OK, SCOPED(PDU("a7", VB_TRAPOID(ENT " 00 01")))),
	 "first varbind is not sysUpTime.0"},
};

static void test_malformed(void)
{
	static uint8_t buf[4096];

	for (size_t i = 0; i < LEN(bad); i++) {
		size_t n = spec(bad[i].spec, buf, sizeof buf);

		memset(&m, 0xa5, sizeof m);
		check_err(trap_decode(n ? buf : NULL, n, &m), bad[i].err, bad[i].name);
		CU_ASSERT_FALSE(m.have_pdu);
	}
}

/* Messages at the edges of what is accepted. */
struct edge_case {
	const char *name;
	const char *spec;
	const char *trap_oid; /* expected, or the value of the last varbind when it is an OID */
};

static const struct edge_case edges[] = {
	{"minimal v2c trap", TRAP2(""), ".1.3.6.1.4.1.8072.2.3.0.1"},
	{"long-form lengths (not the shortest)",
	 "30 84 00 00 00 41 02 81 01 01 04 82 00 06 'public' a7 31 02 02 04 d2 02 01 00 02 01 00 30 83 00 00 22 "
	 VB_UPTIME " 30 81 0f 06 0a 2b 06 01 06 03 01 01 04 01 00 06 01 2b", ".1.3"},
	{"INTEGER with a redundant leading octet", V2C("a7{02{00 00 04 d2} 02{00} 02{00} 30{" VB_UPTIME
							VB_TRAPOID("2b 06") "}}"), ".1.3.6"},
	{"OID 0.0", TRAP2(VB(X1, "06{00}")), ".0.0"},
	{"OID 1.39", TRAP2(VB(X1, "06{4f}")), ".1.39"},
	{"OID 2.999.1", TRAP2(VB(X1, "06{88 37 01}")), ".2.999.1"},
	{"OID 2.(2^32-81)", TRAP2(VB(X1, "06{8f ff ff ff 7f}")), ".2.4294967215"},
	{"trap OID 2.x", V2C(PDU("a6", VB_UPTIME VB_TRAPOID("88 37 01"))), ".2.999.1"},
	{"exceptions and NULL", TRAP2(VB(X1, "80{}") VB(X1, "81{}") VB(X1, "82{}") VB(X1, "05{}")), NULL},
	{"Opaque", TRAP2(VB(X1, "44{9f 78 04 3f 80 00 00}")), NULL},
	{"INTEGER of 8 octets", TRAP2(VB(X1, "02{80 00 00 00 00 00 00 00}")), NULL},
	{"msgMaxSize 484", V3("02{01} 02{01 e4} 04{00} 02{03}", USM_OK,
			      SCOPED(PDU("a7", VB_UPTIME VB_TRAPOID(ENT " 00 01")))), ".1.3.6.1.4.1.8072.2.3.0.1"},
	{"v3 empty engine ID and user", V3(GD("04"), USM("", ""), SCOPED(PDU("a6", VB_UPTIME VB_TRAPOID("2b 06")))),
	 ".1.3.6"},
	{"v3 reserved msgFlags bits", V3(GD("f8"), USM_OK, SCOPED(PDU("a7", VB_UPTIME VB_TRAPOID("2b 06")))), ".1.3.6"},
	{"v3 32-octet engine ID and user", V3(GD("00"), USM("'" A16 A16 "'", "'" A16 A16 "'"),
					       SCOPED(PDU("a7", VB_UPTIME VB_TRAPOID("2b 06")))), ".1.3.6"},
	{"v1 generic 6 specific 0", TRAP1(ENT, "06", "00", "00", ""), ".1.3.6.1.4.1.8072.2.3.0.0"},
	{"v1 generic 5 ignores a negative specific", TRAP1(ENT, "05", "ff", "00", ""), ".1.3.6.1.6.3.1.1.5.6"},
	{"v1 time-stamp 2^32-1", TRAP1(ENT, "04", "00", "00 ff ff ff ff", ""), ".1.3.6.1.6.3.1.1.5.5"},
};

static void test_edges(void)
{
	static uint8_t buf[4096];
	char oid[LR_OID_MAX + 1];

	for (size_t i = 0; i < LEN(edges); i++) {
		size_t n = spec(edges[i].spec, buf, sizeof buf);
		const char *err = trap_decode(buf, n, &m);

		check_err(err, NULL, edges[i].name);
		CU_ASSERT_TRUE(m.have_pdu);
		if (!edges[i].trap_oid)
			continue;
		trap_oid_format(&m.trap_oid, oid, sizeof oid);
		if (m.n_vb > 2 && m.vb[m.n_vb - 1].type == TV_OID)
			trap_oid_format(&m.vb[m.n_vb - 1].o, oid, sizeof oid);
		check_str((const uint8_t *)oid, strlen(oid), edges[i].trap_oid, edges[i].name);
	}
	CU_ASSERT_PTR_NULL(trap_decode(buf, spec(TRAP2(VB(X1, "02{80 00 00 00 00 00 00 00}")), buf, sizeof buf), &m));
	CU_ASSERT_EQUAL(m.vb[2].i, INT64_MIN);
	CU_ASSERT_PTR_NULL(trap_decode(buf, spec(TRAP2(VB(X1, "44{9f 78 04 3f 80 00 00}")), buf, sizeof buf), &m));
	CU_ASSERT_EQUAL(m.vb[2].type, TV_OPAQUE);
	CU_ASSERT_EQUAL(m.vb[2].slen, 7);
	CU_ASSERT_PTR_NULL(trap_decode(buf, spec(TRAP2(VB(X1, "80{}") VB(X1, "82{}")), buf, sizeof buf), &m));
	CU_ASSERT_EQUAL(m.vb[2].type, TV_NOSUCHOBJECT);
	CU_ASSERT_EQUAL(m.vb[3].type, TV_ENDOFMIBVIEW);
}

/* ---- limits ---- */

static char *repeat(char *out, size_t cap, const char *head, const char *unit, size_t times)
{
	size_t n = strlen(head), u = strlen(unit);

	if (n + u * times + 1 > cap)
		abort();
	memcpy(out, head, n);
	for (size_t i = 0; i < times; i++, n += u)
		memcpy(out + n, unit, u);
	out[n] = '\0';
	return out;
}

static const char *decode_spec_fmt(const char *fmt_result)
{
	static uint8_t buf[16384];

	return trap_decode(buf, spec(fmt_result, buf, sizeof buf), &m);
}

static void test_limits(void)
{
	static char part[8192], s[16384];

	/* TRAP_OID_MAX sub-identifiers: "2b" is two of them. */
	snprintf(s, sizeof s, TRAP2(VB(X1, "06{%s}")), repeat(part, sizeof part, "2b", " 01", TRAP_OID_MAX - 2));
	CU_ASSERT_PTR_NULL(decode_spec_fmt(s));
	CU_ASSERT_EQUAL(m.vb[2].o.len, TRAP_OID_MAX);
	snprintf(s, sizeof s, TRAP2(VB(X1, "06{%s}")), repeat(part, sizeof part, "2b", " 01", TRAP_OID_MAX - 1));
	CU_ASSERT_STRING_EQUAL(decode_spec_fmt(s), "OID over 128 sub-identifiers");
	snprintf(s, sizeof s, TRAP2(VB("%s", "05{}")), repeat(part, sizeof part, "2b", " 8f ff ff ff 7f", TRAP_OID_MAX - 1));
	CU_ASSERT_STRING_EQUAL(decode_spec_fmt(s), "OID over 128 sub-identifiers");

	/* TRAP_VB_MAX varbinds, the two header ones included. */
	snprintf(s, sizeof s, TRAP2("%s"), repeat(part, sizeof part, "", VB(X1, "05{}"), TRAP_VB_MAX - 2));
	CU_ASSERT_PTR_NULL(decode_spec_fmt(s));
	CU_ASSERT_EQUAL(m.n_vb, TRAP_VB_MAX);
	snprintf(s, sizeof s, TRAP2("%s"), repeat(part, sizeof part, "", VB(X1, "05{}"), TRAP_VB_MAX - 1));
	CU_ASSERT_STRING_EQUAL(decode_spec_fmt(s), "too many varbinds");
	CU_ASSERT_FALSE(m.have_pdu);

	/* A v1 enterprise whose enterprise.0.specific still fits TRAP_OID_MAX. */
	snprintf(s, sizeof s, TRAP1("%s", "06", "05", "00", ""), repeat(part, sizeof part, "2b", " 01", TRAP_OID_MAX - 4));
	CU_ASSERT_PTR_NULL(decode_spec_fmt(s));
	CU_ASSERT_EQUAL(m.trap_oid.len, TRAP_OID_MAX);
	CU_ASSERT_EQUAL(m.trap_oid.arc[TRAP_OID_MAX - 2], 0);
	CU_ASSERT_EQUAL(m.trap_oid.arc[TRAP_OID_MAX - 1], 5);
	snprintf(s, sizeof s, TRAP1("%s", "06", "05", "00", ""), repeat(part, sizeof part, "2b", " 01", TRAP_OID_MAX - 3));
	CU_ASSERT_STRING_EQUAL(decode_spec_fmt(s), "enterprise OID too long");
	/* ... but a generic trap ignores the enterprise's length. */
	snprintf(s, sizeof s, TRAP1("%s", "01", "00", "00", ""), repeat(part, sizeof part, "2b", " 01", TRAP_OID_MAX - 3));
	CU_ASSERT_PTR_NULL(decode_spec_fmt(s));
}

/* ---- every truncation, every single-octet damage ---- */

static const struct {
	const uint8_t *buf;
	size_t len;
} all_caps[] = {
	{CAP(v2trap)}, {CAP(v2inform)}, {CAP(v2types)}, {CAP(v2c64)}, {CAP(v1_specific)}, {CAP(v1_linkdown)},
	{CAP(v1_coldstart)}, {CAP(v3trap_noauth)}, {CAP(v3trap_ctx)}, {CAP(v3trap_authnopriv)},
	{CAP(v3trap_authpriv)}, {CAP(v3inform_noauth)}, {CAP(v3inform_discovery)}, {CAP(v2get)}, {CAP(v1get)},
	{CAP(agent_proc_started)}, {CAP(agent_proc_alarm)},
};

static void test_truncated(void)
{
	static uint8_t buf[1024];
	unsigned refused = 0, tried = 0;

	for (size_t i = 0; i < LEN(all_caps); i++) {
		/* A copy of exactly n octets, so ASan sees any read past it. */
		for (size_t n = 0; n < all_caps[i].len; n++) {
			uint8_t *copy = malloc(n ? n : 1);

			CU_ASSERT_FATAL(copy != NULL);
			memcpy(copy, all_caps[i].buf, n);
			tried++;
			if (trap_decode(copy, n, &m) != NULL && !m.have_pdu)
				refused++;
			free(copy);
		}
		/* The ScopedPDU of a plaintext v3 message, cut short. */
		if (trap_decode(all_caps[i].buf, all_caps[i].len, &m2) || m2.version != 3 || !m2.have_pdu)
			continue;
		memcpy(buf, m2.scoped, m2.scoped_len);
		for (size_t n = 0; n < m2.scoped_len; n++) {
			tried++;
			if (trap_decode_scoped(buf, n, &m2) != NULL && !m2.have_pdu)
				refused++;
		}
	}
	CU_ASSERT_EQUAL(refused, tried);
}

static void test_damaged(void)
{
	static uint8_t buf[1024], out[2048];
	struct log_rec r;

	for (size_t i = 0; i < LEN(all_caps); i++) {
		size_t len = all_caps[i].len;

		for (size_t pos = 0; pos < len; pos++) {
			uint8_t orig = all_caps[i].buf[pos];
			const uint8_t vals[] = {0x00, 0xff, 0x80, 0x7f, (uint8_t)(orig ^ 1), (uint8_t)(orig + 1)};

			for (size_t k = 0; k < LEN(vals); k++) {
				const char *err;

				memcpy(buf, all_caps[i].buf, len);
				buf[pos] = vals[k];
				err = trap_decode(buf, len, &m);
				/* Accepted means a PDU, except for an encrypted v3 one. */
				if (!err)
					CU_ASSERT(m.have_pdu || (m.version == 3 && (m.msg_flags & TRAP_FLAG_PRIV)));
				if (err)
					CU_ASSERT_FALSE(m.have_pdu);
				CU_ASSERT(m.n_vb <= TRAP_VB_MAX);
				trap_to_rec(&m, "udp:127.0.0.1:1", 1, &r);
				CU_ASSERT(strlen(r.detail) <= LR_DETAIL_MAX);
				if (m.have_pdu && m.pdu_type == PDU_INFORM && m.version == 1) {
					size_t n = trap_encode_response(&m, out, sizeof out);
					CU_ASSERT(n > 0);
					trap_decode(out, n, &m2);
					CU_ASSERT_EQUAL(m2.pdu_type, PDU_RESPONSE);
					CU_ASSERT_EQUAL(m2.request_id, m.request_id);
				}
			}
		}
	}
}

/* ---- encoders ---- */

/* The Response to the captured v2c INFORM, built by hand from RFC 3416 4.2.7:
 * the same version, community and request-id, error-status and error-index
 * 0, the VarBindList copied. */
static const uint8_t expect_v2_response[] = {
	0x30, 0x62,                                     /* Message */
	0x02, 0x01, 0x01,                               /* version: v2c */
	0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c',       /* community */
	0xa2, 0x55,                                     /* Response-PDU */
	0x02, 0x04, 0x38, 0xa8, 0x10, 0xdd,             /* request-id 950538461 */
	0x02, 0x01, 0x00,                               /* error-status */
	0x02, 0x01, 0x00,                               /* error-index */
	/* the inform's VarBindList */
	0x30, 0x47, 0x30, 0x0e, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01,
	0x03, 0x00, 0x43, 0x02, 0x10, 0x92, 0x30, 0x19, 0x06, 0x0a, 0x2b, 0x06,
	0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0b, 0x2b, 0x06,
	0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x00, 0x01, 0x30, 0x1a, 0x06,
	0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x02, 0x03, 0x02, 0x01,
	0x04, 0x0b, 0x69, 0x6e, 0x66, 0x6f, 0x72, 0x6d, 0x20, 0x74, 0x65, 0x73,
	0x74,
};

static void test_encode_response(void)
{
	static uint8_t out[8192], buf[8192];
	static char s[8192], part[4096];
	size_t n;

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v2inform), &m));
	n = trap_encode_response(&m, out, sizeof out);
	CU_ASSERT_EQUAL_FATAL(n, sizeof expect_v2_response);
	CU_ASSERT_EQUAL(memcmp(out, expect_v2_response, n), 0);
	/* Too small a buffer: nothing, never a partial message. */
	for (size_t cap = 0; cap < n; cap++)
		CU_ASSERT_EQUAL(trap_encode_response(&m, out, cap), 0);

	/* Read back: a Response with the same request-id and varbinds. */
	memcpy(buf, out, n);
	CU_ASSERT_STRING_EQUAL(trap_decode(buf, n, &m2), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m2.version, 1);
	CU_ASSERT_EQUAL(m2.pdu_type, PDU_RESPONSE);
	CU_ASSERT_EQUAL(m2.request_id, m.request_id);
	CU_ASSERT_EQUAL(m2.n_vb, 3);

	/* Long-form lengths: a 300-octet community and 40 varbinds. */
	snprintf(s, sizeof s, "30{02{01} 04{'%s'} a6{02{ff 00 00 01} 02{00} 02{00} 30{" VB_UPTIME
		 VB_TRAPOID(ENT " 00 01") "%s}}}", repeat(part, 400, "", "a", 300),
		 repeat(part + 400, sizeof part - 400, "", VB(X1, "04{'0123456789abcdef'}"), 38));
	n = spec(s, buf, sizeof buf);
	CU_ASSERT_PTR_NULL(trap_decode(buf, n, &m));
	CU_ASSERT_EQUAL(m.request_id, -16777215);
	n = trap_encode_response(&m, out, sizeof out);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(out[1], 0x82); /* the message's length needs two octets */
	CU_ASSERT_STRING_EQUAL(trap_decode(out, n, &m2), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m2.pdu_type, PDU_RESPONSE);
	CU_ASSERT_EQUAL(m2.request_id, -16777215);
	CU_ASSERT_EQUAL(m2.community_len, 300);
	CU_ASSERT_EQUAL(m2.n_vb, 40);
	CU_ASSERT_EQUAL(m2.vbl_len, m.vbl_len);
	CU_ASSERT_EQUAL(memcmp(m2.vbl, m.vbl, m.vbl_len), 0);

	/* Only an accepted v1/v2c INFORM gets one. */
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v2trap), &m));
	CU_ASSERT_EQUAL(trap_encode_response(&m, out, sizeof out), 0);
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3inform_noauth), &m));
	CU_ASSERT_EQUAL(trap_encode_response(&m, out, sizeof out), 0);
	CU_ASSERT_PTR_NOT_NULL(trap_decode(CAP(v2get), &m));
	CU_ASSERT_EQUAL(trap_encode_response(&m, out, sizeof out), 0);
}

/* The Response to the captured v3 INFORM differs from it in the PDU tag only
 * when the header is written back with the same values. */
static void test_encode_v3_response(void)
{
	static uint8_t scoped[1024], out[1024], expect[sizeof cap_v3inform_noauth];
	size_t k, n, auth_off = 99;

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3inform_noauth), &m));
	k = trap_encode_scoped_response(&m, scoped, sizeof scoped);
	CU_ASSERT_EQUAL_FATAL(k, m.scoped_len);
	for (size_t cap = 0; cap < k; cap++)
		CU_ASSERT_EQUAL(trap_encode_scoped_response(&m, out, cap), 0);
	n = trap_encode_v3(m.msg_id, 65507, TRAP_FLAG_REPORTABLE, m.engine_id, m.engine_id_len, 0, 0, m.user,
			   m.user_len, 0, NULL, 0, scoped, k, out, sizeof out, &auth_off);
	memcpy(expect, cap_v3inform_noauth, sizeof expect);
	CU_ASSERT_EQUAL(expect[75], PDU_INFORM);
	expect[75] = PDU_RESPONSE;
	CU_ASSERT_EQUAL_FATAL(n, sizeof expect);
	CU_ASSERT_EQUAL(memcmp(out, expect, n), 0);
	CU_ASSERT_EQUAL(auth_off, 50); /* where the empty msgAuthenticationParameters are */
	for (size_t cap = 0; cap < n; cap++)
		CU_ASSERT_EQUAL(trap_encode_v3(m.msg_id, 65507, TRAP_FLAG_REPORTABLE, m.engine_id, m.engine_id_len, 0,
					       0, m.user, m.user_len, 0, NULL, 0, scoped, k, out, cap, NULL), 0);

	/* The ScopedPDU reads back as a Response. */
	m2.msg_flags = 0;
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped(scoped, k, &m2), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m2.pdu_type, PDU_RESPONSE);
	CU_ASSERT_EQUAL(m2.request_id, 1042971913);
	CU_ASSERT_EQUAL(m2.n_vb, 3);
	CHECK_BYTES(m2.ctx_engine_id, m2.ctx_engine_id_len, "\x80\x00\x1f\x88\x80\x82\x1d\x4d\x3d\x2c\x50\x02\x6b\x00\x00\x00\x00",
		  "context engine");

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_noauth), &m));
	CU_ASSERT_EQUAL(trap_encode_scoped_response(&m, scoped, sizeof scoped), 0); /* a trap gets none */
}

/* usmStatsUnknownEngineIDs.0 = 1 for the captured discovery probe, by hand
 * from RFC 3414 4 and RFC 3412 7.1: contextEngineID trapd's engine, the
 * default context, the probe's request-id. */
static const uint8_t expect_report[] = {
	0x30, 0x2f,                                                         /* ScopedPDU */
	0x04, 0x0a, 0x80, 0x00, 0x1f, 0x88, 0x04, 's', 'h', 'u', 'g', 'o', /* contextEngineID */
	0x04, 0x00,                                                         /* contextName "" */
	0xa8, 0x1f,                                                         /* Report-PDU */
	0x02, 0x04, 0x69, 0x66, 0x36, 0x47,                                 /* request-id 1768306247 */
	0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
	0x30, 0x11, 0x30, 0x0f,
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x0f, 0x01, 0x01, 0x04, 0x00, /* usmStatsUnknownEngineIDs.0 */
	0x41, 0x01, 0x01,                                                   /* Counter32 1 */
};

static void test_encode_report(void)
{
	static const uint32_t unknown_engine[] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0};
	static const uint8_t eid[] = {0x80, 0x00, 0x1f, 0x88, 0x04, 's', 'h', 'u', 'g', 'o'};
	static const uint32_t bad1[] = {1}, bad2[] = {3, 1}, bad3[] = {1, 40}, edge[] = {2, 4294967215u, 4294967295u};
	static uint8_t rep[1024], out[1024];
	char oid[LR_OID_MAX + 1];
	size_t k, n, auth_off;

	CU_ASSERT_PTR_NOT_NULL(trap_decode(CAP(v3inform_discovery), &m));
	k = trap_encode_scoped_report(&m, unknown_engine, LEN(unknown_engine), 1, eid, sizeof eid, rep, sizeof rep);
	CU_ASSERT_EQUAL_FATAL(k, sizeof expect_report);
	CU_ASSERT_EQUAL(memcmp(rep, expect_report, k), 0);
	for (size_t cap = 0; cap < k; cap++)
		CU_ASSERT_EQUAL(trap_encode_scoped_report(&m, unknown_engine, LEN(unknown_engine), 1, eid, sizeof eid,
							  out, cap), 0);

	/* The whole unauthenticated Report message reads back. */
	n = trap_encode_v3(m.msg_id, 65507, 0, eid, sizeof eid, 1, 100, m.user, m.user_len, 0, NULL, 0, rep, k, out,
			   sizeof out, &auth_off);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_STRING_EQUAL(trap_decode(out, n, &m2), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m2.version, 3);
	CU_ASSERT_EQUAL(m2.msg_id, 1389036576);
	CU_ASSERT_EQUAL(m2.msg_flags, 0);
	CHECK_BYTES(m2.engine_id, m2.engine_id_len, "\x80\x00\x1f\x88\x04shugo", "engine id");
	CU_ASSERT_EQUAL(m2.engine_boots, 1);
	CU_ASSERT_EQUAL(m2.engine_time, 100);
	CU_ASSERT_EQUAL(m2.pdu_type, PDU_REPORT);
	CU_ASSERT_EQUAL(m2.request_id, 1768306247);
	CU_ASSERT_EQUAL_FATAL(m2.n_vb, 1);
	trap_oid_format(&m2.vb[0].name, oid, sizeof oid);
	CU_ASSERT_STRING_EQUAL(oid, ".1.3.6.1.6.3.15.1.1.4.0");
	CU_ASSERT_EQUAL(m2.vb[0].type, TV_COUNTER32);
	CU_ASSERT_EQUAL(m2.vb[0].u, 1);

	/* No PDU read (m NULL, or an encrypted one): request-id 0. Large counters. */
	k = trap_encode_scoped_report(NULL, unknown_engine, LEN(unknown_engine), UINT32_MAX, NULL, 0, rep, sizeof rep);
	CU_ASSERT_FATAL(k > 0);
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped(rep, k, &m2), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m2.request_id, 0);
	CU_ASSERT_EQUAL(m2.vb[0].u, UINT32_MAX);
	CU_ASSERT_EQUAL(m2.ctx_engine_id_len, 0);
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_authpriv), &m));
	k = trap_encode_scoped_report(&m, unknown_engine, LEN(unknown_engine), 5, NULL, 0, rep, sizeof rep);
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped(rep, k, &m2), "not a trap or inform PDU");
	CU_ASSERT_EQUAL(m2.request_id, 0);

	/* OIDs that BER cannot carry are refused; the largest arcs are not. */
	CU_ASSERT_EQUAL(trap_encode_scoped_report(&m, bad1, 1, 1, NULL, 0, rep, sizeof rep), 0);
	CU_ASSERT_EQUAL(trap_encode_scoped_report(&m, bad2, 2, 1, NULL, 0, rep, sizeof rep), 0);
	CU_ASSERT_EQUAL(trap_encode_scoped_report(&m, bad3, 2, 1, NULL, 0, rep, sizeof rep), 0);
	CU_ASSERT_EQUAL(trap_encode_scoped_report(&m, NULL, 2, 1, NULL, 0, rep, sizeof rep), 0);
	CU_ASSERT_EQUAL(trap_encode_scoped_report(&m, edge, LEN(edge), 1, NULL, 3, rep, sizeof rep), 0);
	k = trap_encode_scoped_report(&m, edge, LEN(edge), 1, NULL, 0, rep, sizeof rep);
	CU_ASSERT_STRING_EQUAL(trap_decode_scoped(rep, k, &m2), "not a trap or inform PDU");
	trap_oid_format(&m2.vb[0].name, oid, sizeof oid);
	CU_ASSERT_STRING_EQUAL(oid, ".2.4294967215.4294967295");
}

static void test_encode_v3_priv(void)
{
	static const uint8_t eid[] = {0x80, 0x00, 0x1f, 0x88, 0x04, 't', 'r', 'a', 'p', 'd'};
	static const uint8_t priv[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static uint8_t enc[300], out[1024];
	size_t n, auth_off = 0;

	for (size_t i = 0; i < sizeof enc; i++)
		enc[i] = (uint8_t)(i * 7);
	n = trap_encode_v3(INT32_MAX, 1500, TRAP_FLAG_AUTH | TRAP_FLAG_PRIV, eid, sizeof eid, 2147483647u, 12345,
			   (const uint8_t *)"shugoadmin", 10, 48, priv, sizeof priv, enc, sizeof enc, out, sizeof out,
			   &auth_off);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_PTR_NULL(trap_decode(out, n, &m));
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.msg_id, INT32_MAX);
	CU_ASSERT_EQUAL(m.msg_max_size, 1500);
	CU_ASSERT_EQUAL(m.msg_flags, TRAP_FLAG_AUTH | TRAP_FLAG_PRIV);
	CU_ASSERT_EQUAL(m.sec_model, 3);
	CHECK_BYTES(m.engine_id, m.engine_id_len, "\x80\x00\x1f\x88\x04trapd", "engine id");
	CU_ASSERT_EQUAL(m.engine_boots, 2147483647u);
	CU_ASSERT_EQUAL(m.engine_time, 12345);
	check_str(m.user, m.user_len, "shugoadmin", "user");
	CU_ASSERT_EQUAL(m.auth_params_len, 48);
	CU_ASSERT_PTR_EQUAL(m.auth_params, out + auth_off);
	for (size_t i = 0; i < 48; i++)
		CU_ASSERT_EQUAL(out[auth_off + i], 0);
	CU_ASSERT_EQUAL(m.priv_params_len, 8);
	CU_ASSERT_EQUAL(memcmp(m.priv_params, priv, 8), 0);
	CU_ASSERT_EQUAL(m.scoped_len, sizeof enc);
	CU_ASSERT_EQUAL(memcmp(m.scoped, enc, sizeof enc), 0);
	CU_ASSERT_PTR_EQUAL(m.scoped + m.scoped_len, out + n);
	CU_ASSERT_FALSE(m.have_pdu);
	n = trap_encode_v3(1, 1500, 3, eid, sizeof eid, 1, 1, (const uint8_t *)"u", 1, 48, priv, sizeof priv, enc,
			   sizeof enc, out, sizeof out, NULL);
	CU_ASSERT_FATAL(n > 0);
	for (size_t cap = 0; cap < n; cap++)
		CU_ASSERT_EQUAL(trap_encode_v3(1, 1500, 3, eid, sizeof eid, 1, 1, (const uint8_t *)"u", 1, 48, priv,
					       sizeof priv, enc, sizeof enc, out, cap, NULL), 0);
	CU_ASSERT_EQUAL(trap_encode_v3(1, 1500, 3, eid, sizeof eid, 1, 1, NULL, 0, 12, NULL, 0, NULL, 0, out,
				       sizeof out, NULL), 0);
}

/* ---- log records ---- */

#define RECEIVED INT64_C(1700000000000)
#define SN(k) "2b 06 01 04 01 81 fd 59 07 01 0a " k " 00" /* shugoNotifObjects.k.0 */
#define SNOTIF(n) "2b 06 01 04 01 81 fd 59 07 00 " n      /* shugoNotifications.n */
#define SMGR(n) "2b 06 01 04 01 81 fd 59 08 00 " n        /* shugoMgrNotifications.n */
#define NODE(v) VB(SN("01"), v)
#define BOOT(v) VB(SN("02"), v)
#define SEQ(v) VB(SN("03"), v)
#define SEV(v) VB(SN("04"), v)
#define OBJ(v) VB(SN("05"), v)
#define STATE(v) VB(SN("06"), v)
#define DETAIL(v) VB(SN("07"), v)
#define TIME(v) VB(SN("08"), v)
#define ALARM(v) VB(SN("09"), v)
#define SHUGO(to, vbs) V2C(PDU("a6", VB_UPTIME VB_TRAPOID(to) vbs))
#define T_JST "04{07 e8 01 02 09 1e 0f 05 '+' 09 00}" /* 2024-01-02 09:30:15.5 +09:00 */
#define ALL(t) NODE("04{'beta'}") BOOT("42{07}") SEQ("42{01 00}") SEV("02{05}") OBJ("04{'proc:db'}") \
	STATE("04{'failed'}") DETAIL("04{'it broke'}") TIME(t) ALARM("42{2a}")
#define MIN_VBS NODE("04{'n'}") SEQ("42{05}")

struct rec_case {
	const char *name;
	const char *spec;
	const char *err;
	enum lr_origin origin;
	const char *node;
	uint32_t boot, seq;
	int type;
	const char *type_name;
	int sev;
	const char *object, *state, *detail;
	uint32_t alarm_id;
	int64_t occurred_ms;
	const char *trap_oid;
};

#define REC_ERR(n, s, e) {.name = (n), .spec = (s), .err = (e)}

static const struct rec_case recs[] = {
	{"every object, +09:00", SHUGO(SNOTIF("05"), ALL(T_JST)), NULL, LR_AGENT, "beta", 7, 256, 5, "shugoResAlarm",
	 SEV_MAJOR, "proc:db", "failed", "it broke", 42, INT64_C(1704155415500), ".1.3.6.1.4.1.32473.7.0.5"},
	{"8-octet time is UTC", SHUGO(SNOTIF("05"), ALL("04{07 e8 01 02 00 1e 0f 05}")), NULL, LR_AGENT, "beta", 7,
	 256, 5, "shugoResAlarm", SEV_MAJOR, "proc:db", "failed", "it broke", 42, INT64_C(1704155415500),
	 ".1.3.6.1.4.1.32473.7.0.5"},
	{"-05:30", SHUGO(SNOTIF("05"), ALL("04{07 cf 0c 1f 17 3b 3b 09 '-' 05 1e}")), NULL, LR_AGENT, "beta", 7, 256,
	 5, "shugoResAlarm", SEV_MAJOR, "proc:db", "failed", "it broke", 42, INT64_C(946704599900),
	 ".1.3.6.1.4.1.32473.7.0.5"},
	{"before 1970", SHUGO(SNOTIF("05"), ALL("04{07 b1 07 14 14 11 28 00}")), NULL, LR_AGENT, "beta", 7, 256, 5,
	 "shugoResAlarm", SEV_MAJOR, "proc:db", "failed", "it broke", 42, INT64_C(-14182940000),
	 ".1.3.6.1.4.1.32473.7.0.5"},
	{"no time: 8 zero octets", SHUGO(SNOTIF("05"), ALL("04{00 00 00 00 00 00 00 00}")), NULL, LR_AGENT, "beta", 7,
	 256, 5, "shugoResAlarm", SEV_MAJOR, "proc:db", "failed", "it broke", 42, RECEIVED,
	 ".1.3.6.1.4.1.32473.7.0.5"},
	{"no time: zero date, 11 octets", SHUGO(SNOTIF("05"), ALL("04{00 00 00 00 00 00 00 00 '+' 00 00}")), NULL,
	 LR_AGENT, "beta", 7, 256, 5, "shugoResAlarm", SEV_MAJOR, "proc:db", "failed", "it broke", 42, RECEIVED,
	 ".1.3.6.1.4.1.32473.7.0.5"},
	{"node and seq only", SHUGO(SNOTIF("11"), MIN_VBS), NULL, LR_AGENT, "n", 0, 5, 17, "shugoAgentStart", SEV_INFO,
	 "", "", "", 0, RECEIVED, ".1.3.6.1.4.1.32473.7.0.17"},
	{"a notification from a newer agent", SHUGO(SNOTIF("81 00"), MIN_VBS), NULL, LR_AGENT, "n", 0, 5, 128, "",
	 SEV_INFO, "", "", "", 0, RECEIVED, ".1.3.6.1.4.1.32473.7.0.128"},
	{"any order; other varbinds ignored",
	 SHUGO(SNOTIF("18"), SEQ("42{09}") VB(X1, "02{01}") VB(SN("0a"), "02{01}") NODE("04{'z'}")
	       VB("2b 06 01 04 01 81 fd 59 07 01 0a 05 01", "04{'wrong instance'}")
	       VB("2b 06 01 04 01 81 fd 59 07 01 0a 05", "04{'no instance'}") NODE("04{'second'}")),
	 NULL, LR_AGENT, "z", 0, 9, 24, "shugoConfigRejected", SEV_INFO, "", "", "", 0, RECEIVED,
	 ".1.3.6.1.4.1.32473.7.0.24"},
	{"control characters and bad UTF-8", SHUGO(SNOTIF("01"), MIN_VBS OBJ("04{'a' 00 'b' 1b 'c' c3 a9 ff 'd' c2 85}")
	 DETAIL("04{'line1' 0a 'line2' 7f e2 82 ac}")), NULL, LR_AGENT, "n", 0, 5, 1, "shugoProcAlarm", SEV_INFO,
	 "a?b?c\xc3\xa9?d??", "", "line1?line2?\xe2\x82\xac", 0, RECEIVED, ".1.3.6.1.4.1.32473.7.0.1"},
	{"UTF-8 edge forms", SHUGO(SNOTIF("01"), MIN_VBS OBJ("04{e0 a0 80 '|' e0 80 80 '|' ed a0 80 '|' f0 90 80 80 '|' "
							   "f0 80 80 80 '|' f4 90 80 80 '|' f4 8f bf bf '|' c1 bf '|' e2 82}")),
	 NULL, LR_AGENT, "n", 0, 5, 1, "shugoProcAlarm", SEV_INFO,
	 "\xe0\xa0\x80|???|???|\xf0\x90\x80\x80|????|????|\xf4\x8f\xbf\xbf|??|??", "", "", 0, RECEIVED,
	 ".1.3.6.1.4.1.32473.7.0.1"},
	{"a cut never splits a character", SHUGO(SNOTIF("01"), MIN_VBS STATE("04{'" A16 "xxxxxxxxxxxxxxx' c3 a9}")),
	 NULL, LR_AGENT, "n", 0, 5, 1, "shugoProcAlarm", SEV_INFO, "", A16 "xxxxxxxxxxxxxxx", "", 0, RECEIVED,
	 ".1.3.6.1.4.1.32473.7.0.1"},
	{"node of 64 octets", SHUGO(SNOTIF("01"), NODE("04{'" A16 A16 A16 A16 "'}") SEQ("42{00}")), NULL, LR_AGENT,
	 A16 A16 A16 A16, 0, 0, 1, "shugoProcAlarm", SEV_INFO, "", "", "", 0, RECEIVED, ".1.3.6.1.4.1.32473.7.0.1"},
	{"as an SNMPv1 trap (snmpd's v1 trap sink)", TRAP1("2b 06 01 04 01 81 fd 59 07", "06", "11", "00", MIN_VBS),
	 NULL, LR_AGENT, "n", 0, 5, 17, "shugoAgentStart", SEV_INFO, "", "", "", 0, RECEIVED,
	 ".1.3.6.1.4.1.32473.7.0.17"},
	{"manager notification", SHUGO(SMGR("01"), NODE("04{'mgr1'}") SEQ("42{03}") SEV("02{06}")
	 OBJ("04{'node:alpha'}")), NULL, LR_MANAGER, "mgr1", 0, 3, 1, "shugoMgrNodeDown", SEV_CRITICAL, "node:alpha",
	 "", "", 0, RECEIVED, ".1.3.6.1.4.1.32473.8.0.1"},
	{"manager notification without node or seq", SHUGO(SMGR("06"), ""), NULL, LR_MANAGER, "", 0, 0, 6,
	 "shugoMgrTrapStorm", SEV_INFO, "", "", "", 0, RECEIVED, ".1.3.6.1.4.1.32473.8.0.6"},
	{"manager notification unknown here", SHUGO(SMGR("32"), ""), NULL, LR_MANAGER, "", 0, 0, 50, "", SEV_INFO, "",
	 "", "", 0, RECEIVED, ".1.3.6.1.4.1.32473.8.0.50"},
	/* under the Shugo arcs but not a notification: foreign */
	{"shugoNotifications.1.2", SHUGO(SNOTIF("01 02"), MIN_VBS), NULL, LR_FOREIGN, "", 0, 0, 0, "", SEV_INFO, "", "",
	 NULL, 0, RECEIVED, ".1.3.6.1.4.1.32473.7.0.1.2"},
	{"shugoNotifications.0", SHUGO(SNOTIF("00"), MIN_VBS), NULL, LR_FOREIGN, "", 0, 0, 0, "", SEV_INFO, "", "", NULL,
	 0, RECEIVED, ".1.3.6.1.4.1.32473.7.0.0"},
	{"shugoMIB.1.1", SHUGO("2b 06 01 04 01 81 fd 59 07 01 01", MIN_VBS), NULL, LR_FOREIGN, "", 0, 0, 0, "", SEV_INFO,
	 "", "", NULL, 0, RECEIVED, ".1.3.6.1.4.1.32473.7.1.1"},
	/* claims to be Shugo's but is not well formed */
	REC_ERR("node missing", SHUGO(SNOTIF("01"), SEQ("42{01}")), "shugoNotifNode missing"),
	REC_ERR("seq missing", SHUGO(SNOTIF("01"), NODE("04{'n'}")), "shugoNotifSeq missing"),
	REC_ERR("node empty", SHUGO(SNOTIF("01"), NODE("04{}") SEQ("42{01}")), "shugoNotifNode is not 1..64 octets"),
	REC_ERR("node of 65 octets", SHUGO(SNOTIF("01"), NODE("04{'" A16 A16 A16 A16 "a'}") SEQ("42{01}")),
	 "shugoNotifNode is not 1..64 octets"),
	REC_ERR("node as INTEGER", SHUGO(SNOTIF("01"), NODE("02{01}") SEQ("42{01}")), "shugoNotifNode has the wrong type"),
	REC_ERR("seq as Counter32", SHUGO(SNOTIF("01"), NODE("04{'n'}") SEQ("41{01}")), "shugoNotifSeq has the wrong type"),
	REC_ERR("boot as INTEGER", SHUGO(SNOTIF("01"), MIN_VBS BOOT("02{01}")), "shugoNotifBoot has the wrong type"),
	REC_ERR("severity as Gauge32", SHUGO(SNOTIF("01"), MIN_VBS SEV("42{01}")), "shugoNotifSeverity has the wrong type"),
	REC_ERR("severity 0", SHUGO(SNOTIF("01"), MIN_VBS SEV("02{00}")), "shugoNotifSeverity out of range"),
	REC_ERR("severity 7", SHUGO(SNOTIF("01"), MIN_VBS SEV("02{07}")), "shugoNotifSeverity out of range"),
	REC_ERR("object as OID", SHUGO(SNOTIF("01"), MIN_VBS OBJ("06{2b}")), "shugoNotifObject has the wrong type"),
	REC_ERR("state as NULL", SHUGO(SNOTIF("01"), MIN_VBS STATE("05{}")), "shugoNotifState has the wrong type"),
	REC_ERR("detail as Opaque", SHUGO(SNOTIF("01"), MIN_VBS DETAIL("44{00}")), "shugoNotifDetail has the wrong type"),
	REC_ERR("time as TimeTicks", SHUGO(SNOTIF("01"), MIN_VBS TIME("43{00}")), "shugoNotifTime has the wrong type"),
	REC_ERR("alarm id as INTEGER", SHUGO(SNOTIF("01"), MIN_VBS ALARM("02{01}")), "shugoNotifAlarmId has the wrong type"),
	REC_ERR("time of 9 octets", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 01 02 09 1e 0f 05 00}")),
	 "shugoNotifTime is not 8 or 11 octets"),
	REC_ERR("time empty", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{}")), "shugoNotifTime is not 8 or 11 octets"),
	REC_ERR("time month 13", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 0d 02 09 1e 0f 05}")), "shugoNotifTime out of range"),
	REC_ERR("time day 0", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 01 00 09 1e 0f 05}")), "shugoNotifTime out of range"),
	REC_ERR("time hour 24", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 01 02 18 1e 0f 05}")), "shugoNotifTime out of range"),
	REC_ERR("time deci-seconds 10", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 01 02 09 1e 0f 0a}")),
	 "shugoNotifTime out of range"),
	REC_ERR("time offset sign", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 01 02 09 1e 0f 05 '*' 09 00}")),
	 "shugoNotifTime has a bad UTC offset"),
	REC_ERR("time offset 15 hours", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 01 02 09 1e 0f 05 '+' 0f 00}")),
	 "shugoNotifTime has a bad UTC offset"),
	REC_ERR("time offset 60 minutes", SHUGO(SNOTIF("01"), MIN_VBS TIME("04{07 e8 01 02 09 1e 0f 05 '-' 00 3c}")),
	 "shugoNotifTime has a bad UTC offset"),
};

static void test_records(void)
{
	static uint8_t buf[4096];

	for (size_t i = 0; i < LEN(recs); i++) {
		const struct rec_case *c = &recs[i];
		size_t n = spec(c->spec, buf, sizeof buf);

		check_err(trap_decode(buf, n, &m), NULL, c->name);
		memset(&rec, 0x5a, sizeof rec);
		check_err(trap_to_rec(&m, "udp:192.0.2.7:162", RECEIVED, &rec), c->err, c->name);
		if (c->err)
			continue;
		if (rec.origin != c->origin || rec.type != c->type || rec.seq != c->seq || rec.occurred_ms != c->occurred_ms)
			printf("\n  %s: origin %d type %d seq %u occurred %lld\n", c->name, rec.origin, rec.type, rec.seq,
			       (long long)rec.occurred_ms);
		CU_ASSERT_EQUAL(rec.id, 0);
		CU_ASSERT_EQUAL(rec.origin, c->origin);
		CU_ASSERT_STRING_EQUAL(rec.node, c->node);
		CU_ASSERT_EQUAL(rec.boot, c->boot);
		CU_ASSERT_EQUAL(rec.seq, c->seq);
		CU_ASSERT_EQUAL(rec.type, c->type);
		CU_ASSERT_STRING_EQUAL(rec.type_name, c->type_name);
		CU_ASSERT_STRING_EQUAL(rec.trap_oid, c->trap_oid);
		CU_ASSERT_EQUAL(rec.sev, c->sev);
		CU_ASSERT_STRING_EQUAL(rec.object, c->object);
		CU_ASSERT_STRING_EQUAL(rec.state, c->state);
		if (c->detail)
			CU_ASSERT_STRING_EQUAL(rec.detail, c->detail);
		CU_ASSERT_EQUAL(rec.alarm_id, c->alarm_id);
		CU_ASSERT_EQUAL(rec.occurred_ms, c->occurred_ms);
		CU_ASSERT_EQUAL(rec.received_ms, RECEIVED);
		CU_ASSERT_STRING_EQUAL(rec.source, "udp:192.0.2.7:162");
	}
}

/* Record fields are filled to their size and no further. */
static void test_record_text_limits(void)
{
	static uint8_t buf[8192];
	static char s[16384], part[4096], want[LR_DETAIL_MAX + 1];
	size_t n;

	snprintf(s, sizeof s, SHUGO(SNOTIF("01"), MIN_VBS OBJ("04{%s}") DETAIL("04{'%s'}")),
		 repeat(part, 1024, "", " 01", 200), repeat(part + 1024, sizeof part - 1024, "", "b", 1100));
	n = spec(s, buf, sizeof buf);
	CU_ASSERT_PTR_NULL(trap_decode(buf, n, &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "", RECEIVED, &rec));
	memset(want, '?', EV_OBJECT_MAX);
	want[EV_OBJECT_MAX] = '\0';
	CU_ASSERT_STRING_EQUAL(rec.object, want);
	memset(want, 'b', LR_DETAIL_MAX);
	want[LR_DETAIL_MAX] = '\0';
	CU_ASSERT_STRING_EQUAL(rec.detail, want);
}

/* What shugo-agent really sent. */
static void test_records_from_agent(void)
{
	CU_ASSERT_PTR_NULL(trap_decode(CAP(agent_proc_started), &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "udp:127.0.0.1:45000", RECEIVED, &rec));
	CU_ASSERT_EQUAL(rec.origin, LR_AGENT);
	CU_ASSERT_STRING_EQUAL(rec.node, "alpha");
	CU_ASSERT_EQUAL(rec.boot, 1);
	CU_ASSERT_EQUAL(rec.seq, 1);
	CU_ASSERT_EQUAL(rec.type, NOTIF_PROC_STARTED);
	CU_ASSERT_STRING_EQUAL(rec.type_name, "shugoProcStarted");
	CU_ASSERT_STRING_EQUAL(rec.trap_oid, ".1.3.6.1.4.1.32473.7.0.3");
	CU_ASSERT_EQUAL(rec.sev, SEV_INFO);
	CU_ASSERT_STRING_EQUAL(rec.object, "proc:web");
	CU_ASSERT_STRING_EQUAL(rec.state, "starting");
	CU_ASSERT_STRING_EQUAL(rec.detail, "pid 31702 started (restart 0)");
	CU_ASSERT_EQUAL(rec.alarm_id, 0);
	CU_ASSERT_EQUAL(rec.occurred_ms, INT64_C(1795315547000)); /* 2026-11-22 02:45:47 +00:00 */

	CU_ASSERT_PTR_NULL(trap_decode(CAP(agent_proc_alarm), &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "udp:127.0.0.1:45000", RECEIVED, &rec));
	CU_ASSERT_EQUAL(rec.seq, 4);
	CU_ASSERT_EQUAL(rec.type, NOTIF_PROC_ALARM);
	CU_ASSERT_STRING_EQUAL(rec.type_name, "shugoProcAlarm");
	CU_ASSERT_EQUAL(rec.sev, SEV_MAJOR);
	CU_ASSERT_STRING_EQUAL(rec.state, "backoff");
	CU_ASSERT_EQUAL(rec.alarm_id, 1);
}

static void test_foreign_detail(void)
{
	static uint8_t buf[16384];
	static char s[16384], part[8192];
	size_t n;

	CU_ASSERT_PTR_NULL(trap_decode(CAP(v2types), &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "udp:127.0.0.1:1", RECEIVED, &rec));
	CU_ASSERT_EQUAL(rec.origin, LR_FOREIGN);
	CU_ASSERT_EQUAL(rec.type, 0);
	CU_ASSERT_STRING_EQUAL(rec.type_name, "");
	CU_ASSERT_STRING_EQUAL(rec.node, "");
	CU_ASSERT_EQUAL(rec.sev, SEV_INFO);
	CU_ASSERT_EQUAL(rec.occurred_ms, RECEIVED);
	CU_ASSERT_STRING_EQUAL(rec.trap_oid, ".1.3.6.1.4.1.8072.2.3.0.2");
	CU_ASSERT_STRING_EQUAL(rec.detail,
			       ".1.3.6.1.4.1.8072.2.3.2.1 = -2147483648\n"
			       ".1.3.6.1.4.1.8072.2.3.2.2 = 4294967295\n"
			       ".1.3.6.1.4.1.8072.2.3.2.3 = 4294967295\n"
			       ".1.3.6.1.4.1.8072.2.3.2.4 = 4294967295\n"
			       ".1.3.6.1.4.1.8072.2.3.2.5 = 192.0.2.254\n"
			       ".1.3.6.1.4.1.8072.2.3.2.6 = .1.3.6.1.4.1.8072.2.3.999999999.4294967295\n"
			       ".1.3.6.1.4.1.8072.2.3.2.7 = 0x0001ff7f0a\n"
			       ".1.3.6.1.4.1.8072.2.3.2.8 = NULL\n"
			       ".1.3.6.1.4.1.8072.2.3.2.9 = 0\n"
			       ".1.3.6.1.4.1.8072.2.3.2.10 = -1\n"
			       ".1.3.6.1.4.1.8072.2.3.2.11 = \"\"\n"
			       ".1.3.6.1.4.1.8072.2.3.2.12 = 2147483647\n"
			       ".1.3.6.1.4.1.8072.2.3.2.13 = 128\n"
			       ".1.3.6.1.4.1.8072.2.3.2.14 = -129");

	/* v1: the agent address and enterprise close the list (RFC 3584 3.1). */
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v1_linkdown), &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "udp:127.0.0.1:1", RECEIVED, &rec));
	CU_ASSERT_STRING_EQUAL(rec.trap_oid, ".1.3.6.1.6.3.1.1.5.3");
	CU_ASSERT_STRING_EQUAL(rec.detail, ".1.3.6.1.2.1.2.2.1.1.3 = 3\n"
					   ".1.3.6.1.6.3.18.1.3.0 = 192.0.2.1\n"
					   ".1.3.6.1.6.3.1.1.4.3.0 = .1.3.6.1.4.1.8072.2.3");

	/* Escapes, binary strings, Opaque, Counter64, exceptions. */
	n = spec(TRAP2(VB(X1, "04{'a' 22 'b' 5c 'c' 0a 'd' 09 'e' 0d c3 a9}") VB(X1, "04{'ab' 00}") VB(X1, "44{'ab'}")
		       VB(X1, "46{00 ff ff ff ff ff ff ff ff}") VB(X1, "80{}") VB(X1, "81{}") VB(X1, "82{}")
		       VB(X1, "04{c3}")), buf, sizeof buf);
	CU_ASSERT_PTR_NULL(trap_decode(buf, n, &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "", RECEIVED, &rec));
	CU_ASSERT_STRING_EQUAL(rec.detail, ".1.3.6.1.4.1.8072.2.3.2.1 = \"a\\\"b\\\\c\\nd\\te\\r\xc3\xa9\"\n"
					   ".1.3.6.1.4.1.8072.2.3.2.1 = 0x616200\n"
					   ".1.3.6.1.4.1.8072.2.3.2.1 = 0x6162\n"
					   ".1.3.6.1.4.1.8072.2.3.2.1 = 18446744073709551615\n"
					   ".1.3.6.1.4.1.8072.2.3.2.1 = noSuchObject\n"
					   ".1.3.6.1.4.1.8072.2.3.2.1 = noSuchInstance\n"
					   ".1.3.6.1.4.1.8072.2.3.2.1 = endOfMibView\n"
					   ".1.3.6.1.4.1.8072.2.3.2.1 = 0xc3");
	CU_ASSERT_STRING_EQUAL(rec.source, "");

	/* Too much for LR_DETAIL_MAX: cut, marked with "...". */
	snprintf(s, sizeof s, TRAP2("%s"), repeat(part, sizeof part, "", VB(X1, "04{'" A16 A16 A16 A16 A16 A16 "'}"), 20));
	n = spec(s, buf, sizeof buf);
	CU_ASSERT_PTR_NULL(trap_decode(buf, n, &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "", RECEIVED, &rec));
	CU_ASSERT_EQUAL(strlen(rec.detail), LR_DETAIL_MAX);
	CU_ASSERT_STRING_EQUAL(rec.detail + LR_DETAIL_MAX - 3, "...");
	CU_ASSERT_EQUAL(strncmp(rec.detail, ".1.3.6.1.4.1.8072.2.3.2.1 = \"aaaa", 33), 0);

	/* ... and the cut does not split a UTF-8 character, wherever it falls. */
	for (size_t pad = 0; pad < 3; pad++) {
		char unit[256];

		snprintf(unit, sizeof unit, VB(X1, "04{'%.*s' c3 a9 c3 a9 c3 a9 c3 a9 c3 a9 c3 a9 c3 a9 c3 a9}"), (int)pad, "xx");
		snprintf(s, sizeof s, TRAP2("%s"), repeat(part, sizeof part, "", unit, 40));
		n = spec(s, buf, sizeof buf);
		CU_ASSERT_PTR_NULL(trap_decode(buf, n, &m));
		CU_ASSERT_PTR_NULL(trap_to_rec(&m, "", RECEIVED, &rec));
		n = strlen(rec.detail);
		CU_ASSERT(n <= LR_DETAIL_MAX && n >= LR_DETAIL_MAX - 1);
		CU_ASSERT_STRING_EQUAL(rec.detail + n - 3, "...");
		/* before "...": a whole "é", or the opening quote / x of a line */
		CU_ASSERT(((uint8_t)rec.detail[n - 4] & 0xc0) != 0xc0);
		if ((uint8_t)rec.detail[n - 4] >= 0x80)
			CU_ASSERT(memcmp(rec.detail + n - 5, "\xc3\xa9", 2) == 0);
	}

	/* No PDU, no record fields. */
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v3trap_authpriv), &m));
	CU_ASSERT_STRING_EQUAL(trap_to_rec(&m, "udp:127.0.0.1:1", RECEIVED, &rec), "no PDU decoded");
	CU_ASSERT_STRING_EQUAL(rec.trap_oid, "");
}

static void test_oid_format(void)
{
	struct trap_oid o = {.arc = {1, 3, 6, 1, 4294967295u}, .len = 5};
	char b[64];
	static uint8_t buf[4096];
	static char s[8192], part[4096];
	size_t n;

	trap_oid_format(&o, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, ".1.3.6.1.4294967295");
	/* Cut after the last whole arc. */
	trap_oid_format(&o, b, 19);
	CU_ASSERT_STRING_EQUAL(b, ".1.3.6.1");
	trap_oid_format(&o, b, 5);
	CU_ASSERT_STRING_EQUAL(b, ".1.3");
	trap_oid_format(&o, b, 2);
	CU_ASSERT_STRING_EQUAL(b, "");
	b[0] = 'x';
	trap_oid_format(&o, b, 1);
	CU_ASSERT_STRING_EQUAL(b, "");
	b[0] = 'x';
	trap_oid_format(&o, b, 0); /* nothing may be written */
	CU_ASSERT_EQUAL(b[0], 'x');
	trap_oid_format(NULL, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "");
	o.len = 0;
	trap_oid_format(&o, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "");

	/* A trap OID longer than the record's field. */
	snprintf(s, sizeof s, V2C(PDU("a7", VB_UPTIME VB_TRAPOID("%s"))),
		 repeat(part, sizeof part, "2b", " 8f ff ff ff 7f", TRAP_OID_MAX - 2));
	n = spec(s, buf, sizeof buf);
	CU_ASSERT_PTR_NULL(trap_decode(buf, n, &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, "", RECEIVED, &rec));
	CU_ASSERT_EQUAL(strncmp(rec.trap_oid, ".1.3.4294967295.4294967295.", 27), 0);
	n = strlen(rec.trap_oid);
	CU_ASSERT(n <= LR_OID_MAX && n + 11 > LR_OID_MAX);
	CU_ASSERT(rec.trap_oid[n - 1] == '5');
}

static void test_source(void)
{
	char src[200];

	memset(src, 'x', sizeof src - 1);
	src[sizeof src - 1] = '\0';
	CU_ASSERT_PTR_NULL(trap_decode(CAP(v2trap), &m));
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, src, RECEIVED, &rec));
	CU_ASSERT_EQUAL(strlen(rec.source), LR_SOURCE_MAX);
	CU_ASSERT_PTR_NULL(trap_to_rec(&m, NULL, RECEIVED, &rec));
	CU_ASSERT_STRING_EQUAL(rec.source, "");
}

static CU_TestInfo tests[] = {
	{"captures", test_captures},
	{"value_types", test_value_types},
	{"v1_fields", test_v1_fields},
	{"v3_fields", test_v3_fields},
	{"v3_refused_keeps_header", test_v3_refused_keeps_header},
	{"decode_scoped", test_decode_scoped},
	{"malformed", test_malformed},
	{"edges", test_edges},
	{"limits", test_limits},
	{"truncated", test_truncated},
	{"damaged", test_damaged},
	{"encode_response", test_encode_response},
	{"encode_v3_response", test_encode_v3_response},
	{"encode_report", test_encode_report},
	{"encode_v3_priv", test_encode_v3_priv},
	{"records", test_records},
	{"record_text_limits", test_record_text_limits},
	{"records_from_agent", test_records_from_agent},
	{"foreign_detail", test_foreign_detail},
	{"oid_format", test_oid_format},
	{"source", test_source},
	CU_TEST_INFO_NULL,
};

CU_MAIN("decode", tests)
