/* One attempt to hand a central log record to a routing destination, and the
 * methods that make it: run a program, write to a unix or TCP stream socket,
 * send an SNMP trap or inform. A method starts the attempt without blocking
 * the manager's loop and ends it exactly once through d->done (a timeout
 * included); a cancelled attempt ends without a word. One file per method. */
#ifndef SHUGO_MANAGER_DELIVER_H
#define SHUGO_MANAGER_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "logrec.h"

#define DELIVER_RESULT_MAX 256

struct delivery {
	const struct cfg_dest *dest;
	const struct shugo_config *cfg; /* the configuration dest belongs to */
	const struct log_rec *rec;      /* owned by the router's job */
	const char *route;
	unsigned group;                 /* 1 = first */
	bool snapshot;                  /* current state for a new route */
	uint32_t held;                  /* records of the source held back before it */
	char *payload;                  /* one JSON object and "\n" */
	size_t len;
	int64_t deadline_ms;            /* monotonic */
	void *impl;                     /* the method's own state */
	/* Set by the router: called once with the outcome ("exit 0",
	 * "timeout after 5 s", "ok" or the peer's answer, ...). */
	void (*done)(struct delivery *d, bool ok, const char *result);
	void *owner;
};

struct deliver_method {
	const char *name;
	/* Begin. 0 = under way (d->done follows, never from inside start);
	 * 1 = delivered at once (a trap sent; what happened in err); -1 =
	 * failed at once (why in err). d->done is not called for 1 or -1. */
	int (*start)(struct delivery *d, char *err, size_t errlen);
	/* The deadline passed: stop and end it through d->done. */
	void (*expire)(struct delivery *d);
	/* Stop without ending it (the manager stops). */
	void (*cancel)(struct delivery *d);
};

extern const struct deliver_method deliver_program;
extern const struct deliver_method deliver_socket; /* unix and tcp */
extern const struct deliver_method deliver_snmp;

const struct deliver_method *deliver_method_of(enum cfg_dest_method m);
/* The SNMP method's sessions, one per destination, are kept open between
 * deliveries. Close those of a configuration about to be freed (no delivery
 * of it is under way), or all of them at the end. */
void deliver_snmp_forget(const struct shugo_config *cfg);
void deliver_snmp_close_all(void);

#endif
