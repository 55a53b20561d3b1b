/* Unit tests of the /proc parsers: real kernel samples, the awkward but legal
 * cases (a command name full of parentheses, glued counters, old kernels) and
 * hostile text (cut short, fields missing, numbers past 64 bits). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "cu_main.h"
#include "procfs.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A real stat line with the fields numbered by proc(5) as values where it
 * helps: ppid 1, utime 14, stime 15, start 22, rss 24. */
#define STAT_TAIL " S 1 3 4 0 -1 4194560 7 8 9 10 14 15 -16 -17 20 0 1 0 22 23 24 25 26\n"

static void test_stat(void)
{
	static const struct {
		const char *text;
		int rc;
		int err;
		pid_t pid, ppid;
		const char *comm;
		char state;
		uint64_t utime, stime, start, rss;
	} cases[] = {
		{"1234 (sshd)" STAT_TAIL, 0, 0, 1234, 1, "sshd", 'S', 14, 15, 22, 24},
		/* The name may hold spaces and parentheses: fields resume after the last ')'. */
		{"77 (a) b (c)" STAT_TAIL, 0, 0, 77, 1, "a) b (c", 'S', 14, 15, 22, 24},
		{"77 (a) 1 2 3 (x))" STAT_TAIL, 0, 0, 77, 1, "a) 1 2 3 (x)", 'S', 14, 15, 22, 24},
		{"5 ()" STAT_TAIL, 0, 0, 5, 1, "", 'S', 14, 15, 22, 24},
		/* A kernel thread: ppid 2, rss 0. */
		{"42 (kworker/0:1-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 3 0 0 20 0 1 0 180 0 0 "
		 "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		 0, 0, 42, 2, "kworker/0:1-events", 'I', 0, 3, 180, 0},
		/* No trailing newline is fine; more fields after 24 are ignored. */
		{"9 (x) R 8 0 0 0 0 0 0 0 0 0 18446744073709551615 1 0 0 0 0 0 0 99 0 7", 0, 0, 9, 8, "x", 'R',
		 UINT64_MAX, 1, 99, 7},
		/* A name longer than the buffer is truncated, the fields still read. */
		{"3 (aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)" STAT_TAIL,
		 0, 0, 3, 1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 'S', 14, 15, 22, 24},
		/* Hostile. */
		{.text = "", .rc = -1, .err = EINVAL},
		{.text = "1234", .rc = -1, .err = EINVAL},
		{.text = "1234 sshd S 1", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd S 1 2 3", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd)", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd) S 1 3 4 0 -1 4194560 7 8 9 10 14 15 -16 -17 20 0 1 0 22 23\n", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd) S 1 3 4 0 -1 4194560 7 8 9 10 14 15 -16 -17 20 0 1 0 22", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd) SS 1 3 4 0 -1 4194560 7 8 9 10 14 15 -16 -17 20 0 1 0 22 23 24\n", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd) S x 3 4 0 -1 4194560 7 8 9 10 14 15 -16 -17 20 0 1 0 22 23 24\n", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd) S 1 3 4 0 -1 4194560 7 8 9 10 -14 15 -16 -17 20 0 1 0 22 23 24\n", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd) S 1 3 4 0 -1 4194560 7 8 9 10 14 15 -16 -17 20 0 1 0 22x 23 24\n", .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd) S 1 3 4 0 -1 4194560 7 8 9 10 18446744073709551616 15 -16 -17 20 0 1 0 22 23 24\n", .rc = -1, .err = ERANGE},
		{.text = "99999999999 (sshd)" STAT_TAIL, .rc = -1, .err = ERANGE},
		{.text = "-5 (sshd)" STAT_TAIL, .rc = -1, .err = EINVAL},
		{.text = "1234 (sshd)\n S 1 3 4 0 -1 4194560 7 8 9 10 14 15 -16 -17 20 0 1 0 22 23 24\n", .rc = -1, .err = EINVAL},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct pf_stat st;
		errno = 0;
		int rc = pf_parse_stat(cases[i].text, &st);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc != cases[i].rc)
			fprintf(stderr, "\nstat case %zu: rc %d\n", i, rc);
		if (rc < 0) {
			CU_ASSERT_EQUAL(errno, cases[i].err);
			continue;
		}
		CU_ASSERT_EQUAL(st.pid, cases[i].pid);
		CU_ASSERT_EQUAL(st.ppid, cases[i].ppid);
		CU_ASSERT_STRING_EQUAL(st.comm, cases[i].comm);
		CU_ASSERT_EQUAL(st.state, cases[i].state);
		CU_ASSERT_EQUAL(st.utime, cases[i].utime);
		CU_ASSERT_EQUAL(st.stime, cases[i].stime);
		CU_ASSERT_EQUAL(st.start_ticks, cases[i].start);
		CU_ASSERT_EQUAL(st.rss_pages, cases[i].rss);
	}
}

static void test_status(void)
{
	static const struct {
		const char *text;
		int rc;
		int err;
		uid_t ruid, euid;
		bool has_rss;
		uint64_t rss_kb;
	} cases[] = {
		{"Name:\tsshd\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\n"
		 "Uid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmHWM:\t    2000 kB\nVmRSS:\t    1792 kB\nRssAnon:\t 5 kB\n",
		 0, 0, 1000, 0, true, 1792},
		/* A kernel thread: no Vm lines at all. */
		{"Name:\tkthreadd\nUid:\t0\t0\t0\t0\nThreads:\t1\n", 0, 0, 0, 0, false, 0},
		{"Uid:\t4294967295\t65534\t1\t2", 0, 0, 4294967295u, 65534, false, 0},
		/* "Uid:" must start a line: a Name containing it is not the Uid line. */
		{"Name:\tUid: 5 5 5 5\nUid:\t7\t8\t9\t10\n", 0, 0, 7, 8, false, 0},
		{"VmRSS:\t18446744073709551615 kB\nUid:\t1\t2\t3\t4\n", 0, 0, 1, 2, true, UINT64_MAX},
		{.text = "Name:\tUid:\t5\t5\t5\t5\n", .rc = -1, .err = EINVAL},
		{.text = "", .rc = -1, .err = EINVAL},
		{.text = "Uid:\n", .rc = -1, .err = EINVAL},
		{.text = "Uid:\t1000\t1000\n", .rc = -1, .err = EINVAL},
		{.text = "Uid:\t1000\t1000\t1000", .rc = -1, .err = EINVAL},
		{.text = "Uid:\t4294967296\t0\t0\t0\n", .rc = -1, .err = ERANGE},
		{.text = "Uid:\t-1\t0\t0\t0\n", .rc = -1, .err = EINVAL},
		{.text = "Uid:\t99999999999999999999999\t0\t0\t0\n", .rc = -1, .err = ERANGE},
		{.text = "Uid:\t0\t0\t0\t0\nVmRSS:\n", .rc = -1, .err = EINVAL},
		{.text = "Uid:\t0\t0\t0\t0\nVmRSS:\t12k kB\n", .rc = -1, .err = EINVAL},
		{.text = "Uid:\t0\t0\t0\t0\nVmRSS:\t18446744073709551616 kB\n", .rc = -1, .err = ERANGE},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct pf_status st;
		errno = 0;
		int rc = pf_parse_status(cases[i].text, &st);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc < 0) {
			CU_ASSERT_EQUAL(errno, cases[i].err);
			continue;
		}
		CU_ASSERT_EQUAL(st.ruid, cases[i].ruid);
		CU_ASSERT_EQUAL(st.euid, cases[i].euid);
		CU_ASSERT_EQUAL(st.has_rss, cases[i].has_rss);
		CU_ASSERT_EQUAL(st.rss_kb, cases[i].rss_kb);
	}
}

static void test_cpu(void)
{
	static const struct {
		const char *text;
		int rc;
		int err;
		uint64_t busy, total;
	} cases[] = {
		/* user nice system idle iowait irq softirq steal guest guest_nice */
		{"cpu  2950 0 1363 217925 413 0 67 657 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nbtime 1\n", 0, 0,
		 2950 + 1363 + 67 + 657, 2950 + 1363 + 217925 + 413 + 67 + 657},
		/* guest columns are inside user/nice already and must not count twice. */
		{"cpu  100 10 50 800 40 0 0 0 90 9\n", 0, 0, 160, 1000},
		/* Old kernels: four columns. */
		{"cpu 10 20 30 40\n", 0, 0, 60, 100},
		{"cpu 10 20 30 40 5", 0, 0, 60, 105},
		{"cpu  0 0 0 0 0 0 0 0 0 0\n", 0, 0, 0, 0},
		{"cpu 18446744073709551615 0 0 0\n", 0, 0, UINT64_MAX, UINT64_MAX},
		/* Hostile. */
		{.text = "", .rc = -1, .err = EINVAL},
		{.text = "cpu0 1 2 3 4 5\n", .rc = -1, .err = EINVAL},
		{.text = "intr 1 2 3 4\ncpu 1 2 3 4\n", .rc = -1, .err = EINVAL},
		{.text = "cpu  1 2 3\ncpu0 4 5 6 7\n", .rc = -1, .err = EINVAL},
		{.text = "cpu  1 2 x 4\n", .rc = -1, .err = EINVAL},
		{.text = "cpu  1 2 -3 4\n", .rc = -1, .err = EINVAL},
		{.text = "cpu 18446744073709551615 1 0 0\n", .rc = -1, .err = ERANGE},
		{.text = "cpu 18446744073709551616 0 0 0\n", .rc = -1, .err = ERANGE},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct pf_cpu c;
		errno = 0;
		int rc = pf_parse_cpu(cases[i].text, &c);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc < 0) {
			CU_ASSERT_EQUAL(errno, cases[i].err);
			continue;
		}
		CU_ASSERT_EQUAL(c.busy, cases[i].busy);
		CU_ASSERT_EQUAL(c.total, cases[i].total);
	}
}

static void test_btime(void)
{
	static const struct {
		const char *text;
		int rc;
		int err;
		int64_t btime;
	} cases[] = {
		{"cpu  1 2 3 4\nintr 5 6\nctxt 99\nbtime 1795306970\nprocesses 7\n", 0, 0, 1795306970},
		{"btime 0", 0, 0, 0},
		{.text = "cpu 1 2 3 4\nnobtime 5\n", .rc = -1, .err = ENOENT},
		{.text = "", .rc = -1, .err = ENOENT},
		{.text = "btime \n", .rc = -1, .err = EINVAL},
		{.text = "btime 12abc\n", .rc = -1, .err = EINVAL},
		{.text = "btime 9223372036854775808\n", .rc = -1, .err = ERANGE},
	};

	for (size_t i = 0; i < N(cases); i++) {
		int64_t b = -1;
		errno = 0;
		int rc = pf_parse_btime(cases[i].text, &b);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc < 0) {
			CU_ASSERT_EQUAL(errno, cases[i].err);
		} else {
			CU_ASSERT_EQUAL(b, cases[i].btime);
		}
	}
}

static void test_meminfo(void)
{
	static const struct {
		const char *text;
		int rc;
		int err;
		uint64_t total, avail, swap_total, swap_free;
	} cases[] = {
		{"MemTotal:       24684084 kB\nMemFree:        23418684 kB\nMemAvailable:   24347776 kB\n"
		 "Buffers:           30464 kB\nCached:          1081992 kB\nSwapCached:            0 kB\n"
		 "SwapTotal:       2097148 kB\nSwapFree:        1048574 kB\n",
		 0, 0, 24684084, 24347776, 2097148, 1048574},
		/* No swap configured at all: reads as zero. */
		{"MemTotal: 1000 kB\nMemAvailable: 250 kB\n", 0, 0, 1000, 250, 0, 0},
		/* Before 3.14: no MemAvailable, estimated from free + buffers + cached,
		 * and SwapCached must not be taken for Cached. */
		{"MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nSwapCached: 500 kB\nCached: 300 kB\n",
		 0, 0, 1000, 420, 0, 0},
		{"MemTotal:18446744073709551615 kB\nMemAvailable:1\n", 0, 0, UINT64_MAX, 1, 0, 0},
		/* Hostile. */
		{.text = "", .rc = -1, .err = EINVAL},
		{.text = "MemFree: 100 kB\nMemAvailable: 50 kB\n", .rc = -1, .err = EINVAL},
		{.text = "MemTotal: kB\nMemAvailable: 50 kB\n", .rc = -1, .err = EINVAL},
		{.text = "MemTotal: 1000 kB\nMemAvailable: 5x0 kB\n", .rc = -1, .err = EINVAL},
		{.text = "MemTotal: 1000 kB\nMemAvailable: 500 kB\nSwapTotal: -1 kB\n", .rc = -1, .err = EINVAL},
		{.text = "MemTotal: 1000 kB\n", .rc = -1, .err = EINVAL},
		{.text = "MemTotal: 99999999999999999999 kB\nMemAvailable: 5 kB\n", .rc = -1, .err = ERANGE},
		{.text = "MemTotal: 1 kB\nMemFree: 18446744073709551615 kB\nCached: 1 kB\n", .rc = -1, .err = ERANGE},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct pf_meminfo m;
		errno = 0;
		int rc = pf_parse_meminfo(cases[i].text, &m);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc < 0) {
			CU_ASSERT_EQUAL(errno, cases[i].err);
			continue;
		}
		CU_ASSERT_EQUAL(m.mem_total_kb, cases[i].total);
		CU_ASSERT_EQUAL(m.mem_available_kb, cases[i].avail);
		CU_ASSERT_EQUAL(m.swap_total_kb, cases[i].swap_total);
		CU_ASSERT_EQUAL(m.swap_free_kb, cases[i].swap_free);
	}
}

static void test_loadavg(void)
{
	static const struct {
		const char *text;
		int rc;
		int err;
		uint32_t l1, l5, l15;
	} cases[] = {
		{"0.42 0.35 0.30 1/234 5678\n", 0, 0, 42, 35, 30},
		/* Values whose float would be a hair under: integer reading is exact. */
		{"0.29 0.57 1.15 1/1 1\n", 0, 0, 29, 57, 115},
		{"12.07 120.00 0.00 3/100 42", 0, 0, 1207, 12000, 0},
		{"3 4.5 0.05", 0, 0, 300, 450, 5},
		{"0.994 0.995 9.999", 0, 0, 99, 100, 1000},
		{"42949672.95 0.00 0.00", 0, 0, 4294967295u, 0, 0},
		/* Hostile. */
		{.text = "", .rc = -1, .err = EINVAL},
		{.text = "0.42", .rc = -1, .err = EINVAL},
		{.text = "0.42 0.35\n", .rc = -1, .err = EINVAL},
		{"0.42 0.35 0.30", 0, 0, 42, 35, 30},
		{.text = "-0.42 0.35 0.30", .rc = -1, .err = EINVAL},
		{.text = ".42 0.35 0.30", .rc = -1, .err = EINVAL},
		{.text = "0. 0.35 0.30", .rc = -1, .err = EINVAL},
		{.text = "0.4a 0.35 0.30", .rc = -1, .err = EINVAL},
		{.text = "1e3 0.35 0.30", .rc = -1, .err = EINVAL},
		{.text = "42949672.96 0 0", .rc = -1, .err = ERANGE},
		{.text = "42949673 0 0", .rc = -1, .err = ERANGE},
		{.text = "99999999999999999999999999.00 0 0", .rc = -1, .err = ERANGE},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct pf_loadavg l;
		errno = 0;
		int rc = pf_parse_loadavg(cases[i].text, &l);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc < 0) {
			CU_ASSERT_EQUAL(errno, cases[i].err);
			continue;
		}
		CU_ASSERT_EQUAL(l.load1, cases[i].l1);
		CU_ASSERT_EQUAL(l.load5, cases[i].l5);
		CU_ASSERT_EQUAL(l.load15, cases[i].l15);
	}
}

static const char netdev_text[] =
	"Inter-|   Receive                                                |  Transmit\n"
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
	"    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0       0          0\n"
	"  eth0: 40494418    1529    1    2    0     0          0         0    84792    1144    3    4    0     0       0          0\n"
	"eth0.100:123456789012 5 0 0 0 0 0 0 6 7 0 0 0 0 0 0\n"
	"  eth1: 18446744073709551615 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	"  bad1: 1 2 3 4 5 6 7 8 9 10\n"
	"  bad2: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n"
	"  bad3: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";

static void test_netdev(void)
{
	static const struct {
		const char *ifname;
		int rc;
		int err;
		uint64_t rx_bytes, rx_packets, rx_errs, rx_drop, tx_bytes, tx_packets, tx_errs, tx_drop;
	} cases[] = {
		{"lo", 0, 0, 3267, 29, 0, 0, 3267, 29, 0, 0},
		{"eth0", 0, 0, 40494418, 1529, 1, 2, 84792, 1144, 3, 4},
		/* A counter glued to the colon, and a name that extends another's. */
		{"eth0.100", 0, 0, 123456789012, 5, 0, 0, 6, 7, 0, 0},
		{"eth1", 0, 0, UINT64_MAX, UINT64_MAX, 0, 0, 0, 0, 0, 0},
		{.ifname = "eth", .rc = -1, .err = ENOENT},
		{.ifname = "eth2", .rc = -1, .err = ENOENT},
		{.ifname = "face", .rc = -1, .err = ENOENT},
		{.ifname = "Inter-", .rc = -1, .err = ENOENT},
		{.ifname = "", .rc = -1, .err = EINVAL},
		{.ifname = "eth0:1", .rc = -1, .err = EINVAL},
		{.ifname = "bad1", .rc = -1, .err = EINVAL},
		{.ifname = "bad2", .rc = -1, .err = EINVAL},
		{.ifname = "bad3", .rc = -1, .err = ERANGE},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct pf_netdev d;
		errno = 0;
		int rc = pf_parse_netdev(netdev_text, cases[i].ifname, &d);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc < 0) {
			CU_ASSERT_EQUAL(errno, cases[i].err);
			continue;
		}
		CU_ASSERT_EQUAL(d.rx_bytes, cases[i].rx_bytes);
		CU_ASSERT_EQUAL(d.rx_packets, cases[i].rx_packets);
		CU_ASSERT_EQUAL(d.rx_errs, cases[i].rx_errs);
		CU_ASSERT_EQUAL(d.rx_drop, cases[i].rx_drop);
		CU_ASSERT_EQUAL(d.tx_bytes, cases[i].tx_bytes);
		CU_ASSERT_EQUAL(d.tx_packets, cases[i].tx_packets);
		CU_ASSERT_EQUAL(d.tx_errs, cases[i].tx_errs);
		CU_ASSERT_EQUAL(d.tx_drop, cases[i].tx_drop);
	}
	/* A cut-short file (no newline, the line in the middle of a number). */
	struct pf_netdev d;
	CU_ASSERT_EQUAL(pf_parse_netdev("  lo: 1 2 3", "lo", &d), -1);
	CU_ASSERT_EQUAL(pf_parse_netdev("", "lo", &d), -1);
}

static void test_cmdline(void)
{
	static const struct {
		const char *raw;
		size_t len;
		size_t outlen;
		const char *want;
	} cases[] = {
		{"/usr/bin/python3\0-u\0worker.py\0", 30, 64, "/usr/bin/python3 -u worker.py"},
		/* An empty argument keeps its place. */
		{"prog\0\0x\0", 8, 64, "prog  x"},
		/* A rewritten title: one string padded with NULs. */
		{"nginx: worker process\0\0\0\0", 25, 64, "nginx: worker process"},
		/* Not terminated (title rewritten over the whole area). */
		{"abc", 3, 64, "abc"},
		/* Kernel thread / zombie: nothing. */
		{"", 0, 64, ""},
		{"\0\0", 2, 64, ""},
		/* Truncation keeps a terminated prefix. */
		{"sleep\0" "1000\0", 11, 8, "sleep 1"},
		{"sleep\0" "1000\0", 11, 1, ""},
	};

	for (size_t i = 0; i < N(cases); i++) {
		char out[64];
		memset(out, 'Z', sizeof(out));
		size_t n = pf_cmdline_join(cases[i].raw, cases[i].len, out, cases[i].outlen);
		CU_ASSERT_EQUAL(n, strlen(cases[i].want));
		CU_ASSERT_STRING_EQUAL(out, cases[i].want);
	}

	/* In place, and outlen 0 writes nothing. */
	char buf[] = "a\0b\0c\0";
	CU_ASSERT_EQUAL(pf_cmdline_join(buf, 6, buf, sizeof(buf)), 5);
	CU_ASSERT_STRING_EQUAL(buf, "a b c");
	char z = 'Z';
	CU_ASSERT_EQUAL(pf_cmdline_join("x\0", 2, &z, 0), 0);
	CU_ASSERT_EQUAL(z, 'Z');
}

static void test_percent(void)
{
	static const struct {
		uint64_t part, whole;
		uint32_t nearest, up;
	} cases[] = {
		{0, 0, 0, 0},
		{5, 0, 0, 0},
		{0, 100, 0, 0},
		{1, 3, 3333, 3334},
		{2, 3, 6667, 6667},
		{8150, 10000, 8150, 8150},
		{1, 20000, 1, 1},
		{1, 20001, 0, 1},
		{10, 10, 10000, 10000},
		{11, 10, 10000, 10000},
		/* No overflow at the top of the range. */
		{UINT64_MAX, UINT64_MAX, 10000, 10000},
		{UINT64_MAX / 2, UINT64_MAX, 5000, 5000},
		{UINT64_MAX - 1, UINT64_MAX, 10000, 10000},
	};

	for (size_t i = 0; i < N(cases); i++) {
		CU_ASSERT_EQUAL(pf_percent(cases[i].part, cases[i].whole), cases[i].nearest);
		CU_ASSERT_EQUAL(pf_percent_up(cases[i].part, cases[i].whole), cases[i].up);
	}
}

static void test_format_size(void)
{
	static const struct {
		uint64_t bytes;
		size_t outlen;
		const char *want;
	} cases[] = {
		{0, 32, "0 B"},
		{1023, 32, "1023 B"},
		{1024, 32, "1.0 KiB"},
		{1536, 32, "1.5 KiB"},
		{1048575, 32, "1.0 MiB"},
		{24684084ull * 1024, 32, "23.5 GiB"},
		{25125355520ull, 32, "23.4 GiB"},
		{1ull << 40, 32, "1.0 TiB"},
		{UINT64_MAX, 32, "16.0 EiB"},
		{1536, 4, "1.5"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		char out[32];
		pf_format_size(cases[i].bytes, out, cases[i].outlen);
		CU_ASSERT_STRING_EQUAL(out, cases[i].want);
	}
}

static CU_TestInfo tests[] = {
	{"stat", test_stat},
	{"status", test_status},
	{"cpu", test_cpu},
	{"btime", test_btime},
	{"meminfo", test_meminfo},
	{"loadavg", test_loadavg},
	{"netdev", test_netdev},
	{"cmdline", test_cmdline},
	{"percent", test_percent},
	{"format_size", test_format_size},
	CU_TEST_INFO_NULL,
};

CU_MAIN("procfs", tests)
