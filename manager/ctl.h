/* shugoctl: the operator's command line over the global store. This header is
 * shared by the commands (ctl_status.c, ctl_log.c, ctl_deliveries.c,
 * ctl_graph.c, ctl_exec.c) and the front end
 * (shugoctl.c), which owns option parsing, time parsing and the output helpers. */
#ifndef SHUGO_CTL_H
#define SHUGO_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "json.h"
#include "store.h"

/* Exit statuses: 0 fine, 1 usage or store error, 2 no such object (node);
 * exec's and signal's own: 3 the program started nowhere or ended abnormally
 * (signal: the request has ended), 4 still running when exec's --timeout
 * passed. */
enum { CTL_OK = 0, CTL_ERR = 1, CTL_NOTFOUND = 2, CTL_ABNORMAL = 3, CTL_TIMEOUT = 4 };

struct ctl {
	const char *config_path; /* -c; NULL = SHUGO_SYSCONFDIR "/shugo.yaml" */
	const char *node_name;   /* -N: this host's name in cluster.nodes */
	const char *store_path;  /* --store, or manager.store of the config */
	char *store_path_owned;
	char *rrd_dir;           /* manager.rrd.dir of the config; NULL with --store */
	char *rrd_daemon;        /* manager.rrd.daemon of the config; NULL = none */
	char *event_socket;      /* manager.event_socket of the config; NULL with --store */
	struct store *store;
	bool json;
	int64_t now_ms;          /* wall clock when the command started */
};

/* Open the store read-only (reading the config first unless --store was
 * given). Prints the reason on stderr and returns -1 on failure. Commands
 * call it after their options parsed, so `--help` needs no store. */
int ctl_open(struct ctl *c);
/* The same, read-write: the store is created (and migrated) if need be.
 * For the commands that write a request (exec). */
int ctl_open_rw(struct ctl *c);
/* The command's usage error: prints msg (if any) and the usage on stderr. */
int ctl_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The commands: argv[0] is the command name; they parse their own options. */
int ctl_status(struct ctl *c, int argc, char **argv);
int ctl_log(struct ctl *c, int argc, char **argv);
int ctl_deliveries(struct ctl *c, int argc, char **argv);
int ctl_graph(struct ctl *c, int argc, char **argv);
int ctl_exec(struct ctl *c, int argc, char **argv);
int ctl_requests(struct ctl *c, int argc, char **argv);
int ctl_signal(struct ctl *c, int argc, char **argv);

/* Wall clock in milliseconds since the epoch. */
int64_t ctl_now_ms(void);

/* Parse a time as the operator writes it: "2026-11-22T10:00:00",
 * "2026-11-22 10:00", "2026-11-22", "10:00" or "10:00:05" (today), with
 * optional ".mmm" and "Z" or "+HH:MM" (else local time); "now"; or relative
 * "-30s", "-10m", "-2h", "-1d". Returns NULL and sets *ms, or a message
 * saying what is wrong. */
const char *ctl_parse_time(const char *s, int64_t now_ms, int64_t *ms);

/* "2026-11-22 10:04:05.120" in local time; "-" for 0. buf >= 32 bytes. */
const char *ctl_fmt_time(char *buf, size_t size, int64_t ms);
/* ISO 8601 with the local offset: "2026-11-22T10:04:05.120+01:00". */
const char *ctl_fmt_iso(char *buf, size_t size, int64_t ms);
/* Age of a past time: "3s ago", "5m ago", "2h ago", "4d ago"; "never" for 0. */
const char *ctl_fmt_age(char *buf, size_t size, int64_t ms, int64_t now_ms);

/* Text for a terminal: control characters (and DEL) become \n, \t, \xNN so
 * that a record stays on one line and a foreign trap cannot send escape
 * sequences to the operator's terminal. Returns buf. */
const char *ctl_text(char *buf, size_t size, const char *s);

/* A table printed with columns as wide as their widest cell, two spaces
 * apart; the last column is not padded. Cells are copied. */
struct ctl_table;
struct ctl_table *ctl_table_new(size_t ncols, const char *const *heads);
/* Append a row of ncols cells (NULL = ""). 0 / -1. */
int ctl_table_row(struct ctl_table *t, const char *const *cells);
void ctl_table_print(struct ctl_table *t, FILE *f, const char *indent);
void ctl_table_free(struct ctl_table *t);

/* Names of the values the store keeps as numbers (SHUGO-MIB enumerations). */
const char *ctl_proc_kind(int kind);
const char *ctl_proc_state(int state);
const char *ctl_res_type(int type);
const char *ctl_res_state(int type, int state); /* type 0: a NIC (shugoNicState) */
/* Whether a state needs the operator's attention. */
bool ctl_proc_problem(int state);
bool ctl_res_problem(int type, int state);

#endif
