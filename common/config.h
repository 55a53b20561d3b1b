/* The cluster definition: one YAML file shared by every daemon. cfg_load parses
 * it into plain structs and validates them; the caller swaps the whole result in
 * or keeps the old one, never half a file. Errors read "file:line: problem". */
#ifndef SHUGO_CONFIG_H
#define SHUGO_CONFIG_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proc_fsm.h"
#include "threshold.h"

#define CFG_NAME_MAX 64
/* A cluster node name is at most 50 octets: SHUGO-MANAGER-MIB indexes rows by
 * (node name, process name), and the OID must stay within 128 sub-identifiers. */
#define CFG_NODE_NAME_MAX 50

/* How the manager polls: per node, with the manager's `poll:` as defaults. */
struct cfg_poll {
	uint32_t interval_ms; /* time between polls, default 5 s */
	uint32_t timeout_ms;  /* response wait per try, default 1 s */
	uint32_t retries;     /* re-sends after a timeout, default 1 */
	uint32_t down_after_ms; /* a whole window without an answer or a notification
				 * means down; default 3 intervals; must exceed
				 * timeout * (retries + 1) */
};

struct cfg_node {
	char name[CFG_NAME_MAX + 1];
	char *address; /* net-snmp transport of its snmpd, e.g. "udp:10.0.0.1:161" */
	struct cfg_poll poll; /* node's own `poll:` keys over the manager's */
	int line;
};

enum cfg_auth { AUTH_SHA1 = 1, AUTH_SHA256, AUTH_SHA512 };
enum cfg_priv { PRIV_AES128 = 1, PRIV_AES256 };

struct cfg_user { /* an SNMPv3 USM user (authPriv only) */
	char name[33];
	enum cfg_auth auth;
	char *auth_pass; /* >= 8 characters */
	enum cfg_priv priv;
	char *priv_pass; /* >= 8 characters */
	int line;
};

struct cfg_target { /* where notifications go */
	char name[CFG_NAME_MAX + 1];
	char *address;     /* net-snmp transport: "udp:127.0.0.1:162", "127.0.0.1:1162" */
	bool inform;       /* true: INFORM (acknowledged, retried until acked); false: TRAP */
	int version;       /* 2 (v2c) or 3 */
	char *community;   /* v2c */
	char user[33];     /* v3: a name from snmp.users */
	/* v3 INFORM: the receiver's engine ID, when configured; the agent then
	 * never has to discover it (a synchronous exchange in net-snmp) */
	unsigned char engine_id[32];
	size_t engine_id_len; /* 0 = discover at session open */
	uint32_t timeout_ms;
	unsigned retries;  /* net-snmp retries per send; unacknowledged INFORMs are re-sent after */
	int line;
};

enum cfg_match_kind { MATCH_PIDFILE = 1, MATCH_EXE, MATCH_CMDLINE };

enum cfg_proc_kind { PK_SUPERVISED = 1, PK_WATCHED = 2 };

struct cfg_proc {
	char name[CFG_NAME_MAX + 1];
	enum cfg_proc_kind kind;
	/* supervised */
	char **argv;        /* NULL-terminated; argv[0] is an absolute path, or a name run via "shell" */
	size_t argc;
	char **env;         /* "NAME=value", NULL-terminated, may be empty */
	size_t envc;
	char *user;         /* NULL = the agent's user */
	char *group;        /* NULL = the user's primary group */
	char *cwd;          /* NULL = "/" */
	bool shell;         /* run argv[0] as a /bin/sh -c script: only if the config says so */
	bool autostart;     /* desired state at start: running (default true) */
	struct proc_policy policy;
	/* watched */
	enum cfg_match_kind match_kind;
	char *match;        /* pidfile path, executable path or regex source */
	regex_t match_re;   /* compiled when match_kind == MATCH_CMDLINE */
	bool re_compiled;
	uint32_t min_count; /* expected instances (supervised: 1/1) */
	uint32_t max_count; /* 0 = no upper limit */
	int line;
};

enum cfg_res_type { RES_CPU = 1, RES_MEMORY, RES_SWAP, RES_LOAD, RES_FILESYSTEM, RES_NIC };

struct cfg_res {
	char name[CFG_NAME_MAX + 1]; /* "cpu", "memory", "swap", "load", "fs:<path>" */
	enum cfg_res_type type;
	char *path;                  /* filesystem mount point */
	struct thr thr;              /* hundredths */
	int line;
};

struct cfg_nic {
	char name[CFG_NAME_MAX + 1]; /* interface name, e.g. "eth0" */
	uint32_t stall_after_s;      /* silence with link up before "stalled" */
	bool pcap;                   /* watch arriving packets with libpcap (default true) */
	int line;
};

/* How the agent serves its MIB: as an AgentX subagent of the local snmpd, or as
 * its own SNMP agent on the `listen` addresses (then it checks access itself). */
enum cfg_agent_mode { AGENT_MODE_AGENTX = 1, AGENT_MODE_MASTER };

#define CFG_LISTEN_MAX 16 /* listen addresses */

/* Where a read community is accepted from. */
enum cfg_src_family { CFG_SRC_ANY = 1, CFG_SRC_IPV4, CFG_SRC_IPV6 };

struct cfg_community { /* master mode: SNMPv1/v2c, read-only */
	char *community;
	enum cfg_src_family family;
	uint8_t net[16];   /* network address, 4 or 16 bytes, host bits zero */
	unsigned prefix;   /* prefix length in bits */
	int line;
};

/* How the manager reads the agents: SNMPv2c with a community, or SNMPv3
 * authPriv as a user of snmp.users. */
struct cfg_reader {
	int version;     /* 2 or 3; default 2 with community "public" */
	char *community; /* v2c */
	char user[33];   /* v3 */
};

/* Metrics to RRD files (manager.rrd). */
struct cfg_rrd {
	bool enabled;          /* default true */
	char *dir;             /* default "rrd" next to the store (SHUGO_STATEDIR "/rrd") */
	char *daemon;          /* rrdcached's unix socket, "unix:/path" or "/path";
				* NULL = write the files with librrd directly */
};

/* Remote execution through the manager (manager.exec): the SNMPv3 user it
 * creates rows of the agents' shugoExecTable as, and how it follows them. */
struct cfg_mgr_exec {
	char user[33];         /* a snmp.users entry; "" = remote execution off */
	char requester[65];    /* shugoExecRequester; default the manager's node name */
	uint32_t check_ms;     /* rows of running programs read again, default 10 s */
	uint32_t keep;         /* finished requests kept in the store, default 10000 */
	int line;              /* of `exec:`, 0 if absent */
	int user_line;
};

struct cfg_manager {
	char *store;           /* SQLite file; default SHUGO_STATEDIR "/store.db" */
	char *agentx_socket;   /* its snmpd's AgentX socket; default the agent's */
	char *event_socket;    /* unix datagram socket trapd wakes it on; default
				* SHUGO_STATEDIR "/manager.sock" */
	struct cfg_poll poll;  /* defaults for every node */
	uint32_t max_in_flight; /* requests outstanding at once, default 64 */
	struct cfg_reader reader;
	uint32_t log_ring;     /* newest central log records served in the MIB, default 10000 */
	uint64_t log_keep;     /* records kept in the store, default 1000000 */
	struct cfg_rrd rrd;
	struct cfg_mgr_exec exec;
	int line;              /* of the `manager:` key, 0 if absent */
};

struct cfg_trapd {
	char **listen;         /* "udp:0.0.0.0:162", "udp6:[::]:162"; default {"udp:0.0.0.0:162"} */
	size_t n_listen;
	char **communities;    /* v1/v2c communities accepted; none = v1/v2c refused */
	size_t n_communities;
	char **users;          /* v3 users (names in snmp.users) accepted; NULL = all of them */
	size_t n_users;
	bool users_set;        /* `users:` was given (possibly empty) */
	unsigned char engine_id[32]; /* trapd's SNMPv3 engine ID (INFORMs); default
				      * derived from the node name (RFC 3411 format 4: text) */
	size_t engine_id_len;
	uint32_t rate;         /* per source, traps per second; 0 = no limit; default 1000 */
	uint32_t burst;        /* default 2 * rate */
	uint32_t summary_ms;   /* storm summary interval, default 10 s */
	uint32_t batch;        /* records per store transaction at most, default 512 */
	uint32_t batch_delay_ms; /* longest a record waits for its transaction, default 20 ms */
	uint32_t rcvbuf;       /* socket receive buffer bytes, default 8 MiB */
	bool mib_names;        /* type_name of foreign traps from net-snmp's MIBs, default false */
	int line;
};

/* Remote execution (agent): which programs other servers may start here,
 * found by name in the search path only, for which requesters. */
struct cfg_exec {
	bool enabled;           /* an `exec:` section is given */
	char **path;            /* search directories, in order; NULL-terminated */
	size_t n_path;
	char **allow;           /* program names or shell patterns; none = every program found */
	size_t n_allow;
	char **requesters;      /* shugoExecRequester values allowed (patterns); none = any */
	size_t n_requesters;
	uint32_t retention_s;   /* finished rows kept, default 600 */
	int line;
};

/* A watched log file (agent): new lines that match pattern become
 * shugoLogMatch notifications (JP10247911, F-003-2). A preset in the file
 * (kernel) expands into several of these. */
struct cfg_log {
	char name[CFG_NAME_MAX + 1];
	char *path;
	char *pattern;        /* POSIX extended regular expression */
	regex_t re;
	bool re_compiled;
	int sev;              /* enum shugo_severity of its notifications, default warning */
	bool from_start;      /* the first time the file is seen: read it from its start
			       * (default: from its end, like tail -F) */
	uint32_t limit;       /* at most this many notifications within window_ms ... */
	uint32_t window_ms;   /* ... the rest are counted and summarized (default 10 in 10 s) */
	int line;
};

/* Notification routing (manager): where central log records go. A
 * destination is one way to hand a record on; a route selects records and
 * tries its groups of destinations in priority order (JP10247911, Fig. 7). */
enum cfg_dest_method { DEST_PROGRAM = 1, DEST_UNIX, DEST_TCP, DEST_SNMP };

struct cfg_dest {
	char name[CFG_NAME_MAX + 1];
	enum cfg_dest_method method;
	char node[CFG_NAME_MAX + 1]; /* the cluster node it lives on, "" = none: while
				      * that node is down or stopped it is skipped */
	uint32_t timeout_ms;         /* for the acknowledgement (program: its exit) */
	/* program */
	char **argv;                 /* NULL-terminated; argv[0] absolute unless shell */
	size_t argc;
	bool shell;                  /* argv[0] is a /bin/sh -c script: only if the config says so */
	/* unix: a stream socket path; tcp: "host:port" */
	char *path;
	char *address;
	bool ack;                    /* unix/tcp: wait for a reply line starting "ok" (default) */
	/* snmp: a trap or inform to another NMS (address, version, user... as notify.targets) */
	struct cfg_target target;
	int line;
};

struct cfg_route_group {
	size_t *dest; /* indices into cfg_routing.dests */
	size_t n;
};

/* Which records a route takes: every list empty = any; lists are alternatives,
 * the fields must all match. Names may be shell patterns (fnmatch). */
struct cfg_route_match {
	char **types;   /* type names: "shugoProcAlarm", "shugoMgr*", or a dotted trap OID */
	size_t n_types;
	char **nodes;
	size_t n_nodes;
	char **objects; /* "proc:web", "nic:*" */
	size_t n_objects;
	char **states;
	size_t n_states;
	int min_sev;    /* enum shugo_severity; 0 = any */
	unsigned origins; /* bit (1 << enum lr_origin); 0 = any */
};

struct cfg_route {
	char name[CFG_NAME_MAX + 1];
	struct cfg_route_match match;
	struct cfg_route_group *groups; /* in priority order, at least one */
	size_t n_groups;
	bool need_all;       /* a group is delivered when all of its destinations
			      * acknowledged; default: any one of them */
	uint32_t dedup_ms;   /* the same event (type, object, state, detail) within
			      * this window is delivered once, whichever node
			      * reported it; 0 = off */
	bool dedup_per_node; /* the node is part of what makes an event the same */
	uint32_t damp_events; /* more than this many records of one source (node,
			       * object) within damp_window_ms are held back; 0 = off */
	uint32_t damp_window_ms;
	bool current_state;  /* a new route first gets the current state (default true) */
	int line;
};

/* An application event definition: events whose name matches are delivered
 * once when several nodes report the same (state and detail) within once_ms
 * (JP10247911, Fig. 4: duplicate notification not allowed). */
struct cfg_event_def {
	char name[CFG_NAME_MAX + 1]; /* event name or shell pattern ("storage.*") */
	uint32_t once_ms;
	int line;
};

struct cfg_routing {
	struct cfg_event_def *events;
	size_t n_events;
	struct cfg_dest *dests;
	size_t n_dests;
	struct cfg_route *routes;
	size_t n_routes;
	int line; /* of the `routing:` key, 0 if absent */
};

struct shugo_config {
	char *file;
	char node_name[CFG_NAME_MAX + 1]; /* the node this process runs as */
	struct cfg_node *nodes;
	size_t n_nodes;
	/* agent: */
	char *agentx_socket;       /* default "/var/agentx/master" */
	char *state_dir;           /* default SHUGO_STATEDIR */
	uint32_t sample_ms;        /* resource/process sampling interval, default 1000 */
	uint32_t nlog_capacity;    /* notification log records kept, default 10000 */
	uint32_t queue_limit;      /* per-target send queue, default 1000 */
	uint32_t max_procs;        /* admission limit for remote exec, default 128 */
	uint32_t agentx_ping_s;    /* reconnect check, default 5 */
	enum cfg_agent_mode mode;  /* default AGENT_MODE_AGENTX */
	char **listen;             /* master mode: net-snmp transports, n_listen >= 1 */
	size_t n_listen;
	struct cfg_community *communities; /* master mode; none = no SNMPv1/v2c access */
	size_t n_communities;
	char *event_socket;        /* where applications raise events; default
				    * SHUGO_RUNDIR "/event.sock" */
	char *event_group;         /* group that may write to it (mode 0660); NULL = root only (0600) */
	uint32_t event_batch_ms;   /* low-urgency events wait at most this long, default 10 s */
	/* snmp: */
	struct cfg_user *users;
	size_t n_users;
	struct cfg_target *targets;
	size_t n_targets;
	/* monitored things, already filtered to node_name: */
	struct cfg_proc *procs;
	size_t n_procs;
	struct cfg_res *res;
	size_t n_res;
	struct cfg_nic *nics;
	size_t n_nics;
	struct cfg_log *logs;
	size_t n_logs;
	struct cfg_exec exec;
	/* manager and trapd (defaults filled in when their sections are absent): */
	struct cfg_manager manager;
	struct cfg_trapd trapd;
	struct cfg_routing routing;
};

/* Parse and validate path for node node_name (NULL = this host's name, from
 * gethostname; entries with a "nodes:" list not naming it are left out).
 * Returns NULL and writes "file:line: problem" into err on any error. */
struct shugo_config *cfg_load(const char *path, const char *node_name, char *err, size_t errlen);
/* Same, from a buffer (name is used in messages); for tests and fuzzing. */
struct shugo_config *cfg_parse(const char *name, const char *text, size_t len, const char *node_name,
			       char *err, size_t errlen);
void cfg_free(struct shugo_config *c);

const struct cfg_proc *cfg_find_proc(const struct shugo_config *c, const char *name);
const struct cfg_user *cfg_find_user(const struct shugo_config *c, const char *name);
/* Whether a request from addr (4 bytes IPv4 or 16 bytes IPv6; len 0 for a
 * transport without an IP address) is within c's source. An IPv4-mapped IPv6
 * address counts as the IPv4 address it carries. */
bool cfg_source_match(const struct cfg_community *c, const uint8_t *addr, size_t len);

/* The rule for a poll setting, the same for manager.poll, a node's merged
 * `poll:` and any later change: interval 100ms..1h, timeout 10ms..60s,
 * retries 0..10, down_after up to 24h, at least interval and greater than
 * timeout * (retries + 1). NULL = fine, else what is wrong. */
const char *cfg_poll_check(const struct cfg_poll *p);
/* trapd's default SNMPv3 engine ID (RFC 3411 SnmpEngineID, format 4: text):
 * 0x80 0x00 0x7e 0xd9 (enterprise 32473 with the high bit set), 0x04, then
 * the node name's bytes, at most 27 of them. out holds 32 bytes; returns the
 * length. */
size_t cfg_trapd_default_engine_id(const char *node_name, unsigned char *out);
/* A trapd listen address, "udp:HOST:PORT", "udp6:[ADDRESS]:PORT" or
 * "HOST:PORT" (UDP over IPv4), split into family (AF_INET or AF_INET6), host
 * (a name or an IPv4 address; for udp6 an IPv6 address, without brackets) and
 * port (1..65535). NULL, or what is wrong with spec. */
const char *cfg_listen_split(const char *spec, int *family, char *host, size_t hostlen, uint16_t *port);

#endif
