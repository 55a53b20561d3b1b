/* trapd's store writer: group commit of central log records on a thread of
 * its own (a transaction and its fsync never stop the receiving), INFORM
 * acknowledgements released only by the commit that made their record
 * durable, a bounded backlog while the store cannot be written, and the
 * wake-up datagram to the manager after each commit. Also trapd's counters.
 *
 * Threads: writer_slot, writer_ack_space, writer_push, writer_run,
 * writer_configure and writer_counters belong to the receiving thread; the
 * writer's own thread is the only user of the store until writer_close. */
#ifndef SHUGO_TRAPD_WRITER_H
#define SHUGO_TRAPD_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "logrec.h"
#include "store.h"

/* What trapd counts; written to the store (component "trapd") every second. */
struct trapd_counters {
	uint64_t received;      /* datagrams read */
	uint64_t stored;        /* records committed to the central log */
	uint64_t duplicates;    /* agent notifications seen before (window or store) */
	uint64_t malformed;     /* not a trap/inform we can read */
	uint64_t rate_limited;  /* turned away by a source's rate limit */
	uint64_t kernel_drops;  /* lost in the socket buffer before trapd read them */
	uint64_t informs_acked; /* Responses sent, each after its record was durable */
	uint64_t auth_failures; /* unknown community, USM user, digest, ... */
	uint64_t queue_dropped; /* refused while the backlog was full (store failing) */
};

#define TRAPD_N_COUNTERS 9
/* The counters' names in the store, and their values in the same order. */
extern const char *const trapd_counter_names[TRAPD_N_COUNTERS];
void trapd_counters_values(const struct trapd_counters *c, uint64_t *out);

struct writer_conf {
	uint32_t batch;       /* records per transaction at most */
	uint32_t delay_ms;    /* longest a record waits before its transaction starts */
	size_t max_queue;     /* records kept while the store fails (0 = 100,000) */
};

struct writer;

/* Starts the writer's thread (block the signals the process handles first:
 * the thread inherits the mask). st: borrowed, open read-write, used only by
 * that thread from now until writer_close. event_socket: the manager's
 * wake-up socket path (NULL or "" = none). NULL with errno. */
struct writer *writer_new(struct store *st, const char *event_socket, const struct writer_conf *conf);
/* Commit what is queued (one try if the store fails) and stop the thread.
 * Returns the records that could not be stored (they were never
 * acknowledged). The store is the caller's again afterwards. */
size_t writer_close(struct writer *w);
/* Stops the thread first if writer_close was not called. */
void writer_free(struct writer *w);
/* New batch size, delay and bound (a reload): for the batches to come. */
void writer_configure(struct writer *w, const struct writer_conf *conf);

/* The slot for the next record (zeroed), or NULL when the backlog is full.
 * It is only queued by writer_push(rec = true). Call it before
 * writer_ack_space even for an acknowledgement without a record. */
struct log_rec *writer_slot(struct writer *w);
/* Room for an acknowledgement of up to cap bytes, or NULL when the memory for
 * pending acknowledgements is used up. Only queued by writer_push. */
uint8_t *writer_ack_space(struct writer *w, size_t cap);
/* Queue the record written into writer_slot (rec) and/or the acknowledgement
 * written into writer_ack_space (ack_len > 0), to be sent from fd to `to`
 * once every record queued so far, this one included, is committed. An
 * acknowledgement without a record (a duplicate) thus never overtakes the
 * original it stands for. now_ms: monotonic. */
void writer_push(struct writer *w, bool rec, int fd, const struct sockaddr *to, socklen_t tolen,
		 size_t ack_len, int64_t now_ms);

/* Hand the batch being filled to the writer's thread when it is due (full,
 * or its first record waited delay_ms). Returns when it will be due
 * (monotonic ms), INT64_MAX when nothing waits. */
int64_t writer_run(struct writer *w, int64_t now_ms);

/* c plus what the writer's thread counted (stored, duplicates the store
 * found, informs_acked), into out. */
void writer_counters(struct writer *w, const struct trapd_counters *c, struct trapd_counters *out);
/* Have the writer's thread write these counters to the store (between two
 * transactions; a newer call replaces one not yet written). */
void writer_put_counters(struct writer *w, const struct trapd_counters *c, int64_t wall_ms);
/* The store refused the last transaction: records wait in memory. */
bool writer_failing(struct writer *w);

#endif
