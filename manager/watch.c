/* The table of watched fds: a small array, scanned per loop turn (a manager
 * has a handful of deliveries in flight, not thousands). A callback may add
 * or remove entries, its own included: removal only marks the slot, which
 * is reused once the dispatch is over. */
#include <errno.h>
#include <stdlib.h>
#include "watch.h"

struct watch {
	int fd; /* -1 = free slot */
	unsigned events;
	watch_fn cb;
	void *arg;
};

static struct watch *w;
static size_t n_w, cap_w;

int watch_add(int fd, unsigned events, watch_fn cb, void *arg)
{
	struct watch *free_slot = NULL;

	if (fd < 0 || !cb) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < n_w; i++) {
		if (w[i].fd == fd) {
			w[i] = (struct watch){fd, events, cb, arg};
			return 0;
		}
		if (w[i].fd < 0 && !free_slot)
			free_slot = &w[i];
	}
	if (!free_slot) {
		if (n_w == cap_w) {
			size_t cap = cap_w ? 2 * cap_w : 16;
			struct watch *nw = realloc(w, cap * sizeof *nw);
			if (!nw)
				return -1;
			w = nw;
			cap_w = cap;
		}
		free_slot = &w[n_w++];
	}
	*free_slot = (struct watch){fd, events, cb, arg};
	return 0;
}

void watch_del(int fd)
{
	for (size_t i = 0; i < n_w; i++)
		if (w[i].fd == fd)
			w[i].fd = -1;
}

void watch_fill(netsnmp_large_fd_set *rd, netsnmp_large_fd_set *wr, int *nfds)
{
	for (size_t i = 0; i < n_w; i++) {
		if (w[i].fd < 0)
			continue;
		if (w[i].events & WATCH_IN)
			NETSNMP_LARGE_FD_SET(w[i].fd, rd);
		if (w[i].events & WATCH_OUT)
			NETSNMP_LARGE_FD_SET(w[i].fd, wr);
		if (w[i].fd >= *nfds)
			*nfds = w[i].fd + 1;
	}
}

void watch_dispatch(netsnmp_large_fd_set *rd, netsnmp_large_fd_set *wr)
{
	/* n_w may grow during the loop: entries added now wait for the next turn */
	size_t n = n_w;

	for (size_t i = 0; i < n; i++) {
		int fd = w[i].fd;
		unsigned ready = 0;

		if (fd < 0)
			continue;
		if ((w[i].events & WATCH_IN) && NETSNMP_LARGE_FD_ISSET(fd, rd)) {
			NETSNMP_LARGE_FD_CLR(fd, rd);
			ready |= WATCH_IN;
		}
		if ((w[i].events & WATCH_OUT) && NETSNMP_LARGE_FD_ISSET(fd, wr)) {
			NETSNMP_LARGE_FD_CLR(fd, wr);
			ready |= WATCH_OUT;
		}
		if (ready)
			w[i].cb(fd, ready, w[i].arg); /* may realloc w: index again next turn */
	}
}

void watch_free(void)
{
	free(w);
	w = NULL;
	n_w = cap_w = 0;
}
