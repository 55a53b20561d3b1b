/* Parsers for the text the Linux kernel publishes under /proc. Every function
 * here is pure: it takes text the caller has already read and fills a struct,
 * so the same code runs on real files, in unit tests and under a fuzzer. */
#ifndef SHUGO_PROCFS_H
#define SHUGO_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* All parsers take a NUL-terminated string and return 0 on success or -1 with
 * errno set: EINVAL for text that does not have the expected shape (a field
 * missing, a line cut short, a letter where a number belongs), ERANGE for a
 * number too large for its field, ENOENT where a searched-for entry (an
 * interface, a "btime" line) is not there. On failure the output struct is left
 * in an unspecified state. Numbers are plain decimal digits: no sign, no
 * leading "+", no hex. */

/* /proc/<pid>/stat (proc(5)). The command name sits between parentheses and
 * may itself contain spaces and parentheses ("a) b (c"), so the fields resume
 * after the LAST ')' in the text. */
struct pf_stat {
	pid_t pid;
	char comm[64];         /* truncated if longer; the kernel limits it to 15 bytes for processes */
	char state;            /* R S D T t Z X I ... */
	pid_t ppid;
	uint64_t utime, stime; /* clock ticks */
	uint64_t start_ticks;  /* field 22: clock ticks after boot */
	uint64_t rss_pages;    /* field 24: resident set in pages */
};
int pf_parse_stat(const char *text, struct pf_stat *out);

/* /proc/<pid>/status: the "Uid:" line (real, effective, saved, filesystem),
 * required, and "VmRSS:", which kernel threads and zombies do not have. VmRSS is
 * exact where stat's rss field is a per-CPU-batched estimate (it differs by a
 * hundred KiB or so on current kernels), so prefer it when present. */
struct pf_status {
	uid_t ruid, euid;
	bool has_rss;
	uint64_t rss_kb;
};
int pf_parse_status(const char *text, struct pf_status *out);

/* /proc/stat: the first line, "cpu  user nice system idle iowait irq softirq
 * steal guest guest_nice", in clock ticks summed over all CPUs. total counts
 * user..steal (guest time is already inside user and nice); busy = total - idle
 * - iowait, as top counts it. Kernels before 2.6 print only four columns; the
 * missing ones count as 0. */
struct pf_cpu {
	uint64_t busy, total;
};
int pf_parse_cpu(const char *text, struct pf_cpu *out);
/* /proc/stat: the "btime" line, boot time in seconds since the epoch. */
int pf_parse_btime(const char *text, int64_t *btime);

/* /proc/meminfo, in KiB. MemTotal is required. A kernel older than 3.14 has no
 * MemAvailable: mem_available_kb is then estimated as MemFree + Buffers + Cached
 * (what free(1) did before). SwapTotal/SwapFree absent read as 0. */
struct pf_meminfo {
	uint64_t mem_total_kb, mem_available_kb;
	uint64_t swap_total_kb, swap_free_kb;
};
int pf_parse_meminfo(const char *text, struct pf_meminfo *out);

/* /proc/loadavg: "0.42 0.35 0.30 1/234 5678". The three averages are read in
 * hundredths with integer arithmetic straight from the digits (no float, so
 * "0.29" is 29, never 28.999...); a third decimal, if ever printed, rounds. */
struct pf_loadavg {
	uint32_t load1, load5, load15; /* hundredths */
};
int pf_parse_loadavg(const char *text, struct pf_loadavg *out);

/* /proc/net/dev: the counters of interface ifname (no ':' in it; the kernel
 * forbids that in interface names). ENOENT if the interface is not listed. */
struct pf_netdev {
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};
int pf_parse_netdev(const char *text, const char *ifname, struct pf_netdev *out);

/* /proc/<pid>/cmdline holds the arguments each followed by a NUL (a process
 * that rewrote its title may leave a single string padded with NULs). Join raw
 * (len bytes, not necessarily terminated) into out with one space per
 * separator, dropping trailing NULs; truncate to outlen - 1 bytes and always
 * terminate (when outlen > 0). out may be raw itself (in place, outlen >= len +
 * 1 to keep everything). Returns the length written. An empty result means no
 * command line: a kernel thread or a zombie. */
size_t pf_cmdline_join(const char *raw, size_t len, char *out, size_t outlen);

/* part / whole in hundredths of a percent (8150 = 81.50%), rounded to nearest,
 * or rounded up as df(1) does for its Use% column. 0 when whole is 0; 10000 at
 * most (part > whole is clamped). Exact for all 64-bit inputs. */
uint32_t pf_percent(uint64_t part, uint64_t whole);
uint32_t pf_percent_up(uint64_t part, uint64_t whole);

/* A byte count for people: "512 B", "1.5 KiB", "23.4 GiB" (binary units, one
 * decimal, integer arithmetic). Always terminates out when outlen > 0. */
void pf_format_size(uint64_t bytes, char *out, size_t outlen);

#endif
