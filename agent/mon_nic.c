/* NIC observation: link from /sys/class/net, counters from /proc/net/dev and,
 * with libpcap, the packets that actually arrive. Decides nothing beyond the
 * NIC's own state (mon_nic_state); alarms are the caller's business. */
#include "mon_nic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

/* Per call of mon_nic_capture: enough to drain a busy ring in a few rounds,
 * bounded so one chatty NIC cannot starve the event loop. */
#define CAPTURE_BATCH 512
#define CAPTURE_ROUNDS 64
/* A host with thousands of veth devices has a long /proc/net/dev. */
#define NETDEV_MAX (8 * 1024 * 1024)

/* The name becomes a path component under /sys/class/net: refuse anything
 * the kernel would not accept as an interface name (dev_valid_name). */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
			return false;
	return true;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	do
		r = read(fd, buf, size - 1);
	while (r < 0 && errno == EINTR);
	int saved = errno;
	close(fd);
	if (r < 0) {
		errno = saved;
		return -1;
	}
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int read_attr(const char *ifname, const char *attr, char *buf, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	return read_small(path, buf, size);
}

static int read_ifindex(const char *ifname)
{
	char buf[32], *end;
	long v;

	if (!name_ok(ifname) || read_attr(ifname, "ifindex", buf, sizeof(buf)) < 0)
		return 0;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end || v <= 0 || v > INT_MAX)
		return 0;
	return (int)v;
}

/* operstate is RFC 2863's ifOperStatus. Drivers that do not report it (lo,
 * dummy, many virtual devices) say "unknown"; carrier then tells. An interface
 * set administratively down is down whatever else it says. */
static enum nic_link read_link(const char *ifname)
{
	char buf[64];

	if (read_attr(ifname, "flags", buf, sizeof(buf)) == 0) {
		unsigned long flags = strtoul(buf, NULL, 16);
		if (!(flags & IFF_UP))
			return NIC_LINK_DOWN;
	}
	if (read_attr(ifname, "operstate", buf, sizeof(buf)) == 0) {
		if (strcmp(buf, "up") == 0)
			return NIC_LINK_UP;
		if (strcmp(buf, "down") == 0 || strcmp(buf, "lowerlayerdown") == 0 ||
		    strcmp(buf, "notpresent") == 0 || strcmp(buf, "dormant") == 0)
			return NIC_LINK_DOWN;
	}
	/* carrier reads EINVAL while the interface is down: then we do not know. */
	if (read_attr(ifname, "carrier", buf, sizeof(buf)) == 0) {
		if (strcmp(buf, "1") == 0)
			return NIC_LINK_UP;
		if (strcmp(buf, "0") == 0)
			return NIC_LINK_DOWN;
	}
	return NIC_LINK_UNKNOWN;
}

static int read_counters(const char *ifname, struct pf_netdev *d)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	int fd = -1, rc = -1;

	if (!buf)
		return -1;
	fd = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	for (;;) {
		if (cap - len < 2) {
			if (cap >= NETDEV_MAX)
				break;
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	rc = pf_parse_netdev(buf, ifname, d);
fail:;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = saved;
	return rc;
}

/* libpcap's messages can outgrow pcap_error: a cut message is fine. */
static void set_error(struct nic_mon *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct nic_mon *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->pcap_error, sizeof(m->pcap_error), fmt, ap);
	va_end(ap);
}

static void capture_close(struct nic_mon *m)
{
	if (m->pcap)
		pcap_close(m->pcap);
	m->pcap = NULL;
	m->pcap_fd = -1;
}

/* Arriving packets only (PCAP_D_IN): what we send ourselves proves nothing
 * about the wire. 64 bytes of each is plenty, we only count them. */
static void capture_open(struct nic_mon *m)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	int rc, fd;

	p = pcap_create(m->name, errbuf);
	if (!p) {
		set_error(m, "%s", errbuf);
		return;
	}
	if (pcap_set_snaplen(p, 64) != 0 || pcap_set_immediate_mode(p, 1) != 0 ||
	    pcap_set_promisc(p, 0) != 0 || pcap_set_timeout(p, 100) != 0) {
		set_error(m, "%s: cannot configure capture", m->name);
		goto fail;
	}
	rc = pcap_activate(p);
	if (rc < 0) {
		const char *why = pcap_geterr(p);
		set_error(m, "%s: %s", m->name,
			 why && *why ? why : pcap_statustostr(rc));
		goto fail;
	}
	if (pcap_setdirection(p, PCAP_D_IN) < 0 || pcap_setnonblock(p, 1, errbuf) < 0) {
		set_error(m, "%s: %s", m->name, pcap_geterr(p));
		goto fail;
	}
	fd = pcap_get_selectable_fd(p);
	if (fd < 0) {
		set_error(m, "%s: no selectable descriptor", m->name);
		goto fail;
	}
	m->pcap = p;
	m->pcap_fd = fd;
	m->pcap_error[0] = '\0';
	return;
fail:
	pcap_close(p);
}

static void count_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)user;
	(void)h;
	(void)bytes;
}

void mon_nic_init(struct nic_mon *m, const char *name, uint32_t stall_after_s, bool use_pcap, uint64_t now_ms)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->stall_after_s = stall_after_s;
	m->use_pcap = use_pcap;
	m->pcap_fd = -1;
	m->link = NIC_LINK_UNKNOWN;
	m->traffic = NIC_TRAFFIC_UNKNOWN;
	/* Silence is counted from start-up: a fresh agent gives a quiet NIC the
	 * whole stall_after_s before calling it stalled. */
	m->last_rx_ms = now_ms;
	if (!name_ok(name))
		set_error(m, "invalid interface name");
	mon_nic_sample(m, now_ms);
}

void mon_nic_close(struct nic_mon *m)
{
	if (m)
		capture_close(m);
}

void mon_nic_capture(struct nic_mon *m, uint64_t now_ms)
{
	uint64_t got = 0;

	for (int round = 0; m->pcap && round < CAPTURE_ROUNDS; round++) {
		int r = pcap_dispatch(m->pcap, CAPTURE_BATCH, count_packet, NULL);
		if (r > 0) {
			got += (uint64_t)r;
			continue;
		}
		if (r == 0 || r == PCAP_ERROR_BREAK)
			break;
		/* The interface went down or away: the next sample reopens it
		 * when it is back. Counters keep judging meanwhile. */
		set_error(m, "%s: %s", m->name, pcap_geterr(m->pcap));
		capture_close(m);
	}
	if (got) {
		m->captured += got;
		m->last_rx_ms = now_ms;
	}
}

void mon_nic_sample(struct nic_mon *m, uint64_t now_ms)
{
	int prev_index = m->ifindex;
	int index = read_ifindex(m->name);
	bool was_open = m->pcap != NULL;
	struct pf_netdev d;

	if (index == 0) {
		capture_close(m);
		m->ifindex = 0;
		m->link = NIC_LINK_UNKNOWN;
		m->traffic = NIC_TRAFFIC_UNKNOWN;
		return;
	}
	/* Same name, new device: the old capture is bound to the dead one. */
	if (index != prev_index)
		capture_close(m);
	m->ifindex = index;
	m->link = read_link(m->name);
	mon_nic_capture(m, now_ms);
	/* Binding to a down interface fails (ENETDOWN): wait for the link. A
	 * capture closed during this call is reopened only by the next one: the
	 * caller spots a new descriptor by comparing pcap_fd around the call, and
	 * one closed and reopened here could come back under the same number. */
	if (m->use_pcap && !m->pcap && !was_open && m->link != NIC_LINK_DOWN)
		capture_open(m);
	if (read_counters(m->name, &d) == 0) {
		/* Counters of another device (or none yet) prove nothing. */
		if (index == prev_index && d.rx_packets != m->rx_packets)
			m->last_rx_ms = now_ms;
		m->rx_packets = d.rx_packets;
		m->tx_packets = d.tx_packets;
		m->rx_bytes = d.rx_bytes;
		m->tx_bytes = d.tx_bytes;
	}
	m->traffic = m->stall_after_s && mon_nic_silent_s(m, now_ms) >= m->stall_after_s
			     ? NIC_TRAFFIC_STALLED
			     : NIC_TRAFFIC_MOVING;
}

enum nic_state mon_nic_state(const struct nic_mon *m, uint64_t now_ms)
{
	if (m->ifindex == 0)
		return NIC_ABSENT;
	switch (m->link) {
	case NIC_LINK_DOWN:
		return NIC_LINKDOWN;
	case NIC_LINK_UP:
		break;
	default:
		return NIC_UNKNOWN;
	}
	/* stall_after_s 0 is outside the configurable range: never stalled. */
	if (m->stall_after_s && mon_nic_silent_s(m, now_ms) >= m->stall_after_s)
		return NIC_STALLED;
	return NIC_OK;
}

uint32_t mon_nic_silent_s(const struct nic_mon *m, uint64_t now_ms)
{
	if (now_ms <= m->last_rx_ms)
		return 0;
	uint64_t s = (now_ms - m->last_rx_ms) / 1000;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}
