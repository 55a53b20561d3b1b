/* Event loop (see loop.h). select() over net-snmp's fds plus our epoll fd, so
 * thousands of pidfds never meet FD_SETSIZE. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "appevents.h"
#include "log.h"
#include "loop.h"
#include "mon_log.h"
#include "notify.h"
#include "procs.h"
#include "remote.h"
#include "resources.h"

static int epfd = -1;
static int sigfd = -1;

int loop_watch(int fd, enum loop_kind kind)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = ((uint64_t)kind << 32) | (uint32_t)fd};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

void loop_unwatch(int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void pidfd_hook(int fd, bool add)
{
	if (add)
		loop_watch(fd, LOOP_PIDFD);
	else
		loop_unwatch(fd);
}

static void pcap_hook(int fd, bool add)
{
	if (add)
		loop_watch(fd, LOOP_PCAP);
	else
		loop_unwatch(fd);
}

int loop_init(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return -1;
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	procs_set_fd_hook(pidfd_hook);
	res_set_fd_hook(pcap_hook);
	return loop_watch(sigfd, LOOP_SIGNAL);
}

/* Returns true when the agent should stop. */
static bool on_signals(struct agent *a, void (*reload)(struct agent *a))
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			procs_reap(a);
			break;
		case SIGHUP:
			reload(a);
			break;
		case SIGTERM:
		case SIGINT:
			stop = true;
			break;
		}
	}
	return stop;
}

static bool dispatch(struct agent *a, void (*reload)(struct agent *a))
{
	struct epoll_event evs[64];
	int n = epoll_wait(epfd, evs, 64, 0);
	bool stop = false;

	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].data.u64;
		switch ((enum loop_kind)(evs[i].data.u64 >> 32)) {
		case LOOP_SIGNAL:
			stop |= on_signals(a, reload);
			break;
		case LOOP_PIDFD:
			procs_pidfd_ready(a, fd);
			break;
		case LOOP_PCAP:
			nic_capture_ready(a, fd, agent_now_ms());
			break;
		case LOOP_APPEV:
			appev_accept(a, fd);
			break;
		case LOOP_APPEV_CONN:
			appev_ready(a, fd);
			break;
		case LOOP_EXEC:
			remote_pidfd_ready(a, fd);
			break;
		}
	}
	return stop;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* One wait on net-snmp's fds (and ours, when with_epoll) for at most wait_ms.
 * Large fd sets: with thousands of pidfds open, a reconnected AgentX socket
 * easily gets a number above FD_SETSIZE. Returns select's count. */
static int wait_once(uint64_t wait_ms, bool with_epoll, bool *epoll_ready)
{
	static netsnmp_large_fd_set fds;
	static bool init;
	struct timeval tv = {.tv_sec = (time_t)(wait_ms / 1000), .tv_usec = (suseconds_t)(wait_ms % 1000) * 1000};
	int nfds = 0, block = 0, count;

	if (!init) {
		netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
		init = true;
	}
	NETSNMP_LARGE_FD_ZERO(&fds);
	/* net-snmp shortens tv for its own timeouts and alarms */
	snmp_select_info2(&nfds, &fds, &tv, &block);
	if (with_epoll) {
		NETSNMP_LARGE_FD_SET(epfd, &fds);
		if (epfd >= nfds)
			nfds = epfd + 1;
	}
	count = netsnmp_large_fd_set_select(nfds, &fds, NULL, NULL, &tv);
	*epoll_ready = false;
	if (count > 0) {
		if (with_epoll && NETSNMP_LARGE_FD_ISSET(epfd, &fds)) {
			NETSNMP_LARGE_FD_CLR(epfd, &fds);
			*epoll_ready = true;
		}
		snmp_read2(&fds);
	} else if (count == 0) {
		snmp_timeout();
	}
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	return count;
}

void loop_drain(uint64_t max_ms)
{
	uint64_t until = agent_now_ms() + max_ms;
	bool ready;

	while (notify_pending() > 0 && agent_now_ms() < until)
		wait_once(50, false, &ready);
}

int loop_run(struct agent *a, void (*reload)(struct agent *a))
{
	for (;;) {
		uint64_t now = agent_now_ms();
		uint64_t due = earliest(a->next_sample_ms, procs_next_deadline(a));
		bool ready;

		due = earliest(due, notify_tick(now));
		if (wait_once(due > now ? due - now : 0, true, &ready) < 0 && errno != EINTR) {
			log_err("select: %s", strerror(errno));
			return -1;
		}
		if (ready && dispatch(a, reload))
			return 0;
		now = agent_now_ms();
		procs_tick(a, now);
		if (now >= a->next_sample_ms) {
			procs_sample(a, now);
			res_sample(a, now);
			logs_sample(a, now);
			appev_tick(a, now);
			remote_tick(a, now);
			a->next_sample_ms += a->cfg->sample_ms;
			if (a->next_sample_ms <= now) /* fell behind: do not burst */
				a->next_sample_ms = now + a->cfg->sample_ms;
		}
		procs_flush(a);
	}
}
