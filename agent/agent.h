/* The agent's runtime model: the local data every MIB handler reads and every
 * monitor updates. One instance per process (agent_get()); single-threaded, so a
 * request reads it directly and never waits for /proc, a script or the disk. */
#ifndef SHUGO_AGENT_H
#define SHUGO_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "alarm.h"
#include "appev.h"
#include "config.h"
#include "damp.h"
#include "logwatch.h"
#include "mon_nic.h"
#include "nlog.h"
#include "proc_fsm.h"
#include "threshold.h"

/* shugoProcLastEnd */
enum proc_end { END_NONE = 1, END_NORMAL = 2, END_ABNORMAL = 3 };
/* shugoProcState adds these to enum proc_state for watched definitions */
enum { PROC_TOOFEW = 7, PROC_TOOMANY = 8 };

/* Verdict of a SET check, mapped to an SNMP error by the MIB layer. */
enum set_check { SET_OK = 0, SET_WRONG_VALUE, SET_INCONSISTENT, SET_UNAVAILABLE };

struct proc_inst {
	pid_t pid, ppid;
	char st;               /* /proc state letter */
	uint64_t start_ticks;  /* identity: a reused pid has another start time */
	int64_t start_time;
	uint64_t cpu_ticks;
	uint64_t sampled_ms;
	uint32_t cpu;          /* hundredths of a percent of one core */
	uint32_t rss_kb;
	char *cmdline;
	uint32_t restarts;
	int pidfd;             /* watched: readable when the process ends; -1 if none */
};

struct proc_rt {
	const struct cfg_proc *cfg; /* points into agent.cfg; rebound on reload */
	char name[CFG_NAME_MAX + 1];
	struct proc_fsm fsm;        /* supervised only */
	pid_t child;                /* supervised: the running child, 0 if none */
	pid_t failed_child;         /* a child that failed before exec, to reap quietly */
	bool fresh;                 /* new and autostart: start once configured */
	struct proc_inst *inst;     /* sorted by pid */
	size_t n_inst;
	int state;                  /* shugoProcState */
	uint32_t restarts;
	int last_exit_code;         /* -1 none */
	int last_exit_signal;       /* 0 none */
	int64_t last_exit_time;
	enum proc_end last_end;
	int last_signal;            /* last signal sent by SET */
	int64_t last_change;
	/* watched: instance changes since the last flush, reported as one
	 * notification per definition so a thousand deaths are not a thousand traps */
	uint32_t n_appeared, n_ended;
	char appeared[96], ended[96];
};

struct res_rt {
	char name[CFG_NAME_MAX + 1];
	enum cfg_res_type type;
	char *path;
	struct thr thr;             /* live thresholds (SET-able; a reload resets them) */
	enum thr_state state;
	uint32_t value;
	char detail[128];
	int64_t last_change;
};

struct nic_rt {
	struct nic_mon mon;
	enum nic_state state;
	int64_t last_change;
};

/* shugoExecState, shugoExecEnd, shugoExecWait */
enum { EXS_PENDING = 1, EXS_RUNNING, EXS_EXITED, EXS_KILLED, EXS_REFUSED, EXS_START_FAILED };
enum { EXE_NONE = 1, EXE_NORMAL, EXE_ABNORMAL };
enum { EXW_NOWAIT = 1, EXW_WAIT };

/* A remote execution request: a row of shugoExecTable. */
struct exec_rt {
	char id[65];
	char program[65];
	char *args, *env;           /* as set (ShugoLongString) */
	int wait;                   /* EXW_* */
	char requester[65];
	int row_status;             /* RowStatus: active(1), notInService(2), notReady(3) */
	int state;                  /* EXS_* */
	pid_t pid;
	int pidfd;                  /* -1 when not running */
	int64_t start_time, end_time; /* wall seconds; 0 = none */
	int exit_code;              /* -1 none */
	int exit_signal;
	int end;                    /* EXE_* */
	int last_signal;
	int refusal;                /* enum exec_refusal */
	char reason[128];
	uint64_t done_ms;           /* monotonic: when it ended or was refused (retention) */
};

/* shugoLogWatchState */
enum { LOGW_OK = 1, LOGW_MISSING = 2, LOGW_UNREADABLE = 3 };

struct log_rt {
	const struct cfg_log *cfg;  /* points into agent.cfg; rebound on reload */
	char name[CFG_NAME_MAX + 1];
	int fd;                     /* the file being followed, -1 if none */
	struct lw_pos pos;          /* its device, inode and the offset read up to */
	struct lw_lines lines;
	int state;                  /* LOGW_* */
	uint32_t matches, suppressed;
	int64_t last_match;         /* wall seconds; 0 = none */
	struct damp limit;          /* notifications sent within cfg->window_ms */
	uint32_t held;              /* matches not sent since the last summary */
	char held_last[EV_DETAIL_MAX + 1];
	int64_t held_since;
};

/* An application event: its latest raise or clear (shugoAppEventTable), and
 * a low-urgency raise waiting for the batch. */
struct appev_rt {
	char name[APPEV_NAME_MAX + 1];
	int sev;                    /* enum shugo_severity; clear once cleared */
	char state[EV_STATE_MAX + 1];
	char detail[EV_DETAIL_MAX + 1];
	int64_t time;               /* wall seconds */
	uint32_t count;
	char source[96];            /* "pid 1234 uid 1000 (backup)" */
	bool pending;               /* a batched raise not sent yet */
	uint32_t pending_n;         /* raises folded into it */
	uint64_t pending_since;     /* monotonic ms */
};

struct agent {
	struct shugo_config *cfg;
	const char *cfg_path;
	const char *node_override;  /* -N */
	bool foreground;
	uint32_t boot;
	int64_t start_time;
	uint64_t start_ms;
	struct nlog *nlog;
	struct alarm_table alarms;
	struct proc_rt *procs;      /* sorted in MIB index order (name length, then bytes) */
	size_t n_procs;
	struct res_rt *res;         /* MIB index order */
	size_t n_res;
	struct nic_rt *nics;        /* MIB index order */
	size_t n_nics;
	struct log_rt *logs;        /* MIB index order */
	size_t n_logs;
	struct appev_rt *appevs;    /* MIB index order */
	size_t n_appevs;
	struct exec_rt *execs;      /* MIB index order */
	size_t n_execs;
	uint32_t config_loads, config_errors, agentx_reconnects;
	char config_status[256];
	bool agentx_connected;
	uint64_t next_sample_ms;
};

struct agent *agent_get(void);
/* Monotonic and wall clocks (ms, s): the only place the adapters read time. */
uint64_t agent_now_ms(void);
int64_t agent_wall(void);
/* Compare two names in the order of an SnmpAdminString index (length first). */
int agent_name_cmp(const char *a, const char *b);

#endif
