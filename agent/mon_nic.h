/* A NIC is judged by link state and by traffic: its counters must move, and
 * with libpcap the agent sees whether packets actually arrive. A NIC whose link
 * is up but that has received nothing for stall_after seconds is "stalled". */
#ifndef SHUGO_MON_NIC_H
#define SHUGO_MON_NIC_H

#include <stdbool.h>
#include <stdint.h>

/* Values are shugoNicLink / shugoNicTraffic / shugoNicState. */
enum nic_link { NIC_LINK_UP = 1, NIC_LINK_DOWN = 2, NIC_LINK_UNKNOWN = 3 };
enum nic_traffic { NIC_TRAFFIC_MOVING = 1, NIC_TRAFFIC_STALLED = 2, NIC_TRAFFIC_UNKNOWN = 3 };
enum nic_state { NIC_OK = 1, NIC_LINKDOWN = 2, NIC_STALLED = 3, NIC_ABSENT = 4, NIC_UNKNOWN = 5 };

struct nic_mon {
	char name[65];
	uint32_t stall_after_s;
	bool use_pcap;
	/* observed */
	int ifindex;              /* 0 = absent */
	enum nic_link link;
	enum nic_traffic traffic;
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t captured;        /* packets seen by libpcap */
	uint64_t last_rx_ms;      /* monotonic ms of the last evidence of arrival (counter move or capture) */
	void *pcap;               /* pcap_t *, NULL when not capturing */
	int pcap_fd;              /* selectable fd, -1 if none */
	char pcap_error[128];
};

/* Set up name; opens a capture when use_pcap (errors are kept in pcap_error and
 * the NIC is judged by counters alone). */
void mon_nic_init(struct nic_mon *m, const char *name, uint32_t stall_after_s, bool use_pcap, uint64_t now_ms);
void mon_nic_close(struct nic_mon *m);
/* Drain the capture fd without blocking (call when pcap_fd is readable). */
void mon_nic_capture(struct nic_mon *m, uint64_t now_ms);
/* Re-read link and counters, and judge. Reopens the capture if the NIC came back. */
void mon_nic_sample(struct nic_mon *m, uint64_t now_ms);
/* Pure judgement from the observations. */
enum nic_state mon_nic_state(const struct nic_mon *m, uint64_t now_ms);
uint32_t mon_nic_silent_s(const struct nic_mon *m, uint64_t now_ms);

#endif
