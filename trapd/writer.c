/* Group commit for trapd (see writer.h). The receiving thread fills a batch
 * (records, and the encoded acknowledgements that wait for them) without a
 * lock, and hands it over whole; the writer's thread commits batches in the
 * order they came, then sends their acknowledgements with sendmmsg and wakes
 * the manager. Batches are recycled, so steady traffic allocates nothing. A
 * commit is durable (the store syncs fully), so an acknowledged INFORM is
 * never lost, whatever happens to trapd afterwards. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "writer.h"

#define DEFAULT_MAX_QUEUE 100000
#define ACK_BYTES_MAX (64u << 20) /* encoded acknowledgements in all batches */
#define SEND_BATCH 64
#define WAKE_MAX 4096             /* one wake-up datagram */
#define WAKE_NODES 64             /* distinct nodes named per wake-up */
#define RETRY_MS 1000

const char *const trapd_counter_names[TRAPD_N_COUNTERS] = {
	"received", "stored", "duplicates", "malformed", "rate_limited",
	"kernel_drops", "informs_acked", "auth_failures", "queue_dropped",
};

void trapd_counters_values(const struct trapd_counters *c, uint64_t *out)
{
	out[0] = c->received;
	out[1] = c->stored;
	out[2] = c->duplicates;
	out[3] = c->malformed;
	out[4] = c->rate_limited;
	out[5] = c->kernel_drops;
	out[6] = c->informs_acked;
	out[7] = c->auth_failures;
	out[8] = c->queue_dropped;
}

union sockaddr_in46 {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct ack {
	size_t off;      /* of its bytes in the batch's arena */
	uint32_t len;
	int fd;
	socklen_t tolen;
	union sockaddr_in46 to;
};

/* One transaction's worth: records, and the acknowledgements sent once it
 * (and every batch before it) is committed. */
struct batch {
	struct batch *next;
	struct log_rec *recs;
	size_t cap, n;
	size_t n_dup;       /* acknowledgements without a record (duplicates) */
	int64_t t_first;    /* monotonic ms of its first entry */
	struct ack *acks;
	size_t acap, nacks;
	uint8_t *bytes;
	size_t bcap, blen;
};

struct writer {
	struct store *st;
	pthread_t th;
	bool started;

	/* receiving thread only */
	struct writer_conf conf;
	struct batch *fill;
	bool full_logged;

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *q_head, *q_tail; /* handed over, oldest first */
	struct batch *spare;           /* committed, for reuse */
	size_t queued;                 /* entries in q (and being committed): records,
					* and acknowledgements of duplicates */
	size_t ack_bytes;              /* arena bytes allocated in all batches */
	size_t max_queue;
	bool stop;
	bool put_pending;
	uint64_t put_vals[TRAPD_N_COUNTERS];
	int64_t put_ms;

	/* the writer's thread counts; read by the receiving thread */
	_Atomic uint64_t stored, store_dups, acked;
	atomic_bool failing;

	/* writer's thread only */
	int64_t last_id;
	int evfd;
	struct sockaddr_un evaddr;
	bool ev_warned;
	size_t lost;
};

static size_t max_queue_of(const struct writer_conf *c)
{
	return c->max_queue ? c->max_queue : DEFAULT_MAX_QUEUE;
}

static void batch_free(struct batch *b)
{
	if (!b)
		return;
	free(b->recs);
	free(b->acks);
	free(b->bytes);
	free(b);
}

/* ---- the writer's thread ---- */

/* Send the batch's acknowledgements, in order, one sendmmsg per run through
 * the same socket. One the socket cannot take now is dropped: its sender
 * re-sends the INFORM and gets its answer then (a duplicate is answered too). */
static void send_acks(struct writer *w, struct batch *b)
{
	struct mmsghdr mm[SEND_BATCH];
	struct iovec iov[SEND_BATCH];
	size_t i = 0;

	while (i < b->nacks) {
		int fd = b->acks[i].fd;
		unsigned k = 0;

		while (k < SEND_BATCH && i + k < b->nacks && b->acks[i + k].fd == fd) {
			struct ack *a = &b->acks[i + k];
			iov[k].iov_base = b->bytes + a->off;
			iov[k].iov_len = a->len;
			memset(&mm[k], 0, sizeof mm[k]);
			mm[k].msg_hdr.msg_name = &a->to;
			mm[k].msg_hdr.msg_namelen = a->tolen;
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
			k++;
		}
		int sent = sendmmsg(fd, mm, k, MSG_DONTWAIT);
		if (sent < 0) {
			log_debug("sending %u INFORM acknowledgements: %s", k, strerror(errno));
			sent = 0;
		} else if ((unsigned)sent < k) {
			log_debug("%u of %u INFORM acknowledgements not sent", k - (unsigned)sent, k);
		}
		atomic_fetch_add_explicit(&w->acked, (uint64_t)sent, memory_order_relaxed);
		i += k;
	}
}

/* Tell the manager there is something new: "log <last id>" and the Shugo
 * nodes this batch heard from. Never waits: a manager that is down or slow
 * reads the store when it gets to it. */
static void wake_manager(struct writer *w, const struct batch *b)
{
	struct {
		const char *node;
		uint32_t boot;
	} seen[WAKE_NODES];
	size_t n_seen = 0;
	char buf[WAKE_MAX];
	int len;

	if (w->evfd < 0 || b->n == 0)
		return;
	len = snprintf(buf, sizeof buf, "log %lld\n", (long long)w->last_id);
	for (size_t i = 0; i < b->n && n_seen < WAKE_NODES; i++) {
		const struct log_rec *r = &b->recs[i];
		size_t k;

		if (r->origin != LR_AGENT || !r->node[0])
			continue;
		for (k = 0; k < n_seen; k++)
			if (seen[k].boot == r->boot && strcmp(seen[k].node, r->node) == 0)
				break;
		if (k < n_seen)
			continue;
		int m = snprintf(buf + len, sizeof buf - (size_t)len, "heard %s %u\n", r->node, r->boot);
		if (m < 0 || (size_t)m >= sizeof buf - (size_t)len)
			break; /* the rest do not fit: the log has them */
		len += m;
		seen[n_seen].node = r->node;
		seen[n_seen].boot = r->boot;
		n_seen++;
	}
	if (sendto(w->evfd, buf, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&w->evaddr, sizeof w->evaddr) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED || errno == EAGAIN || errno == EWOULDBLOCK)
			return; /* the manager is down or busy */
		if (!w->ev_warned) {
			log_warn("waking the manager at %s: %s", w->evaddr.sun_path, strerror(errno));
			w->ev_warned = true;
		}
	}
}

static int commit(struct writer *w, struct batch *b, size_t waiting)
{
	size_t added = 0;

	if (b->n > 0 && store_log_append(w->st, b->recs, b->n, &added) < 0) {
		bool full = errno == ENOSPC;
		if (!atomic_load(&w->failing))
			log_err("store: cannot write the central log (%s%s); keeping %zu records in memory, "
				"not acknowledging them, retrying every second",
				store_errmsg(w->st), full ? ": disk full" : "", waiting);
		atomic_store(&w->failing, true);
		return -1;
	}
	if (b->n > 0 && atomic_load(&w->failing)) {
		log_notice("store: writing the central log again (%zu records were waiting)", waiting);
		atomic_store(&w->failing, false);
	}
	atomic_fetch_add_explicit(&w->stored, added, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->store_dups, b->n - added, memory_order_relaxed);
	for (size_t i = 0; i < b->n; i++)
		if (b->recs[i].id > w->last_id)
			w->last_id = b->recs[i].id;
	/* acknowledge as soon as the transaction is durable */
	send_acks(w, b);
	wake_manager(w, b);
	return 0;
}

static void put_counters(struct writer *w, const uint64_t *vals, int64_t ms)
{
	if (store_counters_put(w->st, "trapd", trapd_counter_names, vals, TRAPD_N_COUNTERS, ms) < 0)
		log_debug("counters: %s", store_errmsg(w->st));
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->q_head && !w->stop && !w->put_pending)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->q_head) {
			struct batch *b = w->q_head;
			size_t waiting = w->queued;
			bool stopping = w->stop;
			pthread_mutex_unlock(&w->mu);

			int rc = commit(w, b, waiting);

			pthread_mutex_lock(&w->mu);
			if (rc < 0) {
				if (stopping)
					break; /* the last try at shutdown */
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_sec += RETRY_MS / 1000;
				pthread_cond_timedwait(&w->cv, &w->mu, &until); /* a stop wakes it */
				continue;
			}
			w->q_head = b->next;
			if (!w->q_head)
				w->q_tail = NULL;
			w->queued -= b->n + b->n_dup;
			b->n = 0;
			b->n_dup = 0;
			b->nacks = 0;
			b->blen = 0;
			b->next = w->spare;
			w->spare = b;
		}
		/* Counters between transactions, at most one write per request
		 * (once a second), and never while the log cannot be written:
		 * the log goes first. */
		if (w->put_pending) {
			uint64_t vals[TRAPD_N_COUNTERS];
			int64_t ms = w->put_ms;
			memcpy(vals, w->put_vals, sizeof vals);
			w->put_pending = false;
			pthread_mutex_unlock(&w->mu);
			put_counters(w, vals, ms);
			pthread_mutex_lock(&w->mu);
		}
		if (w->stop && !w->q_head)
			break;
	}
	w->lost = w->queued;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- the receiving thread ---- */

struct writer *writer_new(struct store *st, const char *event_socket, const struct writer_conf *conf)
{
	struct writer *w = calloc(1, sizeof *w);
	int e;

	if (!w)
		return NULL;
	w->st = st;
	w->conf = *conf;
	if (w->conf.batch == 0)
		w->conf.batch = 1;
	w->max_queue = max_queue_of(conf);
	w->evfd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->last_id = store_log_last_id(st);
	if (w->last_id < 0)
		w->last_id = 0;
	if (event_socket && event_socket[0]) {
		if (strlen(event_socket) >= sizeof w->evaddr.sun_path) {
			log_warn("manager event socket %s: path too long; the manager will not be woken",
				 event_socket);
		} else {
			w->evaddr.sun_family = AF_UNIX;
			strcpy(w->evaddr.sun_path, event_socket);
			/* unbound: the manager needs no answer, and a bound
			 * client socket would leave a file behind */
			w->evfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (w->evfd < 0)
				goto fail;
		}
	}
	if ((e = pthread_create(&w->th, NULL, writer_main, w)) != 0) {
		errno = e;
		goto fail;
	}
	w->started = true;
	return w;
fail:
	writer_free(w);
	return NULL;
}

static void hand_over(struct writer *w)
{
	struct batch *b = w->fill;

	w->fill = NULL;
	pthread_mutex_lock(&w->mu);
	b->next = NULL;
	if (w->q_tail)
		w->q_tail->next = b;
	else
		w->q_head = b;
	w->q_tail = b;
	w->queued += b->n + b->n_dup;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* An empty batch of the configured size, recycled when possible; NULL when
 * the records waiting plus this batch would pass the bound. */
static struct batch *get_batch(struct writer *w)
{
	struct batch *b = NULL;
	size_t cap = w->conf.batch;

	pthread_mutex_lock(&w->mu);
	w->max_queue = max_queue_of(&w->conf);
	if (w->queued + cap > w->max_queue && w->queued > 0) {
		pthread_mutex_unlock(&w->mu);
		if (!w->full_logged) {
			log_err("backlog full (%zu records wait for the store): refusing new traps until half of "
				"them are written",
				w->max_queue);
			w->full_logged = true;
		}
		return NULL;
	}
	/* one line for a full backlog and one when it is half empty again,
	 * not one per batch while it hovers at the bound */
	if (w->full_logged && w->queued <= w->max_queue / 2) {
		pthread_mutex_unlock(&w->mu);
		log_notice("backlog down to %zu records: taking traps again", w->queued);
		pthread_mutex_lock(&w->mu);
		w->full_logged = false;
	}
	if (w->full_logged) {
		pthread_mutex_unlock(&w->mu);
		return NULL;
	}
	if (w->spare) {
		b = w->spare;
		w->spare = b->next;
	}
	pthread_mutex_unlock(&w->mu);
	if (b && b->cap != cap) { /* batch size changed by a reload */
		pthread_mutex_lock(&w->mu);
		w->ack_bytes -= b->bcap;
		pthread_mutex_unlock(&w->mu);
		batch_free(b);
		b = NULL;
	}
	if (!b) {
		if (!(b = calloc(1, sizeof *b)))
			return NULL;
		b->cap = cap;
		b->acap = cap;
		b->recs = malloc(cap * sizeof *b->recs);
		b->acks = malloc(b->acap * sizeof *b->acks);
		if (!b->recs || !b->acks) {
			batch_free(b);
			return NULL;
		}
	}
	b->n = b->n_dup = b->nacks = b->blen = 0;
	b->next = NULL;
	return b;
}

struct log_rec *writer_slot(struct writer *w)
{
	/* Duplicates' acknowledgements count towards a batch's size and the
	 * backlog as records do: while the store fails, senders re-send
	 * (their INFORMs go unanswered) and each re-send waits here too. */
	if (w->fill && w->fill->n + w->fill->n_dup >= w->fill->cap)
		hand_over(w);
	if (!w->fill && !(w->fill = get_batch(w)))
		return NULL;
	struct log_rec *r = &w->fill->recs[w->fill->n];
	memset(r, 0, sizeof *r);
	return r;
}

uint8_t *writer_ack_space(struct writer *w, size_t cap)
{
	struct batch *b = w->fill;

	if (!b)
		return NULL;
	if (b->nacks == b->acap) {
		struct ack *a = realloc(b->acks, b->acap * 2 * sizeof *a);
		if (!a)
			return NULL;
		b->acks = a;
		b->acap *= 2;
	}
	if (b->blen + cap > b->bcap) {
		size_t ncap = b->bcap ? b->bcap : 64u << 10;
		while (ncap < b->blen + cap)
			ncap *= 2;
		pthread_mutex_lock(&w->mu);
		bool room = w->ack_bytes - b->bcap + ncap <= ACK_BYTES_MAX;
		if (room)
			w->ack_bytes += ncap - b->bcap;
		pthread_mutex_unlock(&w->mu);
		uint8_t *nb = room ? realloc(b->bytes, ncap) : NULL;
		if (!nb) {
			if (room) {
				pthread_mutex_lock(&w->mu);
				w->ack_bytes -= ncap - b->bcap;
				pthread_mutex_unlock(&w->mu);
			}
			return NULL;
		}
		b->bytes = nb;
		b->bcap = ncap;
	}
	return b->bytes + b->blen;
}

void writer_push(struct writer *w, bool rec, int fd, const struct sockaddr *to, socklen_t tolen,
		 size_t ack_len, int64_t now_ms)
{
	struct batch *b = w->fill;

	if (!b)
		return;
	if (b->n == 0 && b->nacks == 0)
		b->t_first = now_ms;
	if (rec)
		b->n++;
	if (ack_len > 0 && tolen <= sizeof(union sockaddr_in46) && b->nacks < b->acap) {
		if (!rec)
			b->n_dup++;
		struct ack *a = &b->acks[b->nacks++];
		a->off = b->blen;
		a->len = (uint32_t)ack_len;
		a->fd = fd;
		a->tolen = tolen;
		memcpy(&a->to, to, tolen);
		b->blen += ack_len;
	}
}

int64_t writer_run(struct writer *w, int64_t now_ms)
{
	struct batch *b = w->fill;

	if (!b || (b->n == 0 && b->nacks == 0))
		return INT64_MAX;
	if (b->n + b->n_dup >= b->cap) {
		hand_over(w);
		return INT64_MAX;
	}
	/* While the store fails, a batch waits until it is full: handing
	 * over a few records at a time would only multiply batches that
	 * cannot be written yet. */
	if (atomic_load(&w->failing))
		return now_ms + RETRY_MS;
	if (now_ms - b->t_first >= w->conf.delay_ms) {
		hand_over(w);
		return INT64_MAX;
	}
	return b->t_first + w->conf.delay_ms;
}

void writer_configure(struct writer *w, const struct writer_conf *conf)
{
	w->conf = *conf;
	if (w->conf.batch == 0)
		w->conf.batch = 1;
}

void writer_counters(struct writer *w, const struct trapd_counters *c, struct trapd_counters *out)
{
	*out = *c;
	out->stored += atomic_load_explicit(&w->stored, memory_order_relaxed);
	out->duplicates += atomic_load_explicit(&w->store_dups, memory_order_relaxed);
	out->informs_acked += atomic_load_explicit(&w->acked, memory_order_relaxed);
}

void writer_put_counters(struct writer *w, const struct trapd_counters *c, int64_t wall_ms)
{
	struct trapd_counters all;

	writer_counters(w, c, &all);
	pthread_mutex_lock(&w->mu);
	trapd_counters_values(&all, w->put_vals);
	w->put_ms = wall_ms;
	w->put_pending = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

bool writer_failing(struct writer *w)
{
	return atomic_load(&w->failing);
}

size_t writer_close(struct writer *w)
{
	size_t lost;

	if (!w->started)
		return 0;
	if (w->fill && (w->fill->n > 0 || w->fill->nacks > 0))
		hand_over(w);
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	w->started = false;
	lost = w->lost;
	return lost;
}

void writer_free(struct writer *w)
{
	if (!w)
		return;
	writer_close(w);
	if (w->evfd >= 0)
		close(w->evfd);
	batch_free(w->fill);
	for (struct batch *b = w->q_head, *nx; b; b = nx) {
		nx = b->next;
		batch_free(b);
	}
	for (struct batch *b = w->spare, *nx; b; b = nx) {
		nx = b->next;
		batch_free(b);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
