#!/bin/bash
# One bounded benchmark run of shugo-agent against its performance goals: the
# process-instance walk next to snmpd's own hrSWRunTable (through snmpd over
# AgentX, and from the agent in master mode), the agent's CPU and memory while
# it supervises processes, and the delay from kill -9 to the trap.
# Usage: agent-bench.sh <builddir>; see contrib/bench/README.md.
#
# Everything runs on loopback from a fresh temp dir: a private snmpd (AgentX
# master), shugo-agent, sleep processes and a small UDP trap listener. Only the
# pids recorded here are ever signalled, and all of them are stopped on exit.

# Functions called only through traps or wait_until look unreachable (SC2317);
# daemons log with -Lf into the file their stray output goes to (SC2094).
# shellcheck disable=SC2317,SC2094
set -euo pipefail

# ---------------------------------------------------------------------------
# Settings (environment overrides, for a quicker or a heavier run)

WORKERS=${BENCH_WORKERS:-3000}       # watched processes for the walk
RUNS=${BENCH_RUNS:-5}                # timed walks of each kind (median)
SUPERVISED=${BENCH_SUPERVISED:-100}  # supervised processes for CPU/RSS
WARMUP_S=${BENCH_WARMUP:-10}
WINDOW_S=${BENCH_WINDOW:-30}
KILLS=${BENCH_KILLS:-20}             # kill -9 rounds
MAX_RUN_S=${BENCH_MAX_SECONDS:-600}  # the whole run is stopped after this

# The goals of the issue.
GOAL_WALK_RATIO=2.0 # ours / snmpd's, walk time
GOAL_CPU_PCT=1.0    # % of one core
GOAL_RSS_KB=10240   # 10 MB
GOAL_LAT_MS=100     # kill -9 -> trap, p95

COMMUNITY=shugobench
SNMPD_BIN=${SNMPD_BIN:-/usr/sbin/snmpd}
PROCINST_OID=.1.3.6.1.4.1.32473.7.1.2.2
HRSWRUN_OID=.1.3.6.1.2.1.25.4.2
PROC_ENTRY_OID=.1.3.6.1.4.1.32473.7.1.2.1.1
NODE_NAME_OID=.1.3.6.1.4.1.32473.7.1.1.1.0

usage() {
	echo "usage: $0 <builddir>   (the build tree holding agent/shugo-agent)" >&2
	exit 2
}

[ $# -eq 1 ] || usage
[ -d "$1" ] || usage
builddir=$(cd "$1" && pwd)
AGENT_BIN=$builddir/agent/shugo-agent

BENCH=agent-bench
# shellcheck source=contrib/bench/lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$AGENT_BIN" ] || die "$AGENT_BIN is not built (make agent/shugo-agent)"
for tool in "$SNMPD_BIN" snmpget snmpwalk snmpbulkwalk python3 timeout; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done

# ---------------------------------------------------------------------------
# Temp dir, bookkeeping and clean-up (lib.sh)

SNMPD_PID=
AGENT_PID=
AGENT_PORT= # where the agent's MIB is asked for: snmpd's port, or the agent's own
LISTENER_PID=
WORKER_PIDS=()

# The children of the agent, as "pid cmdline" lines: what to clean up should the
# agent die without stopping them.
agent_children() {
	local d st f
	for d in /proc/[0-9]*; do
		read -r st 2>/dev/null <"$d/stat" || continue
		read -r -a f <<<"${st##*) }"
		[ "${f[1]:-}" = "$AGENT_PID" ] || continue
		echo "${d#/proc/} $(tr '\0' ' ' 2>/dev/null <"$d/cmdline")"
	done
}

stop_agent() {
	local leftovers pid cmd
	[ -n "$AGENT_PID" ] || return 0
	leftovers=$(agent_children)
	# The agent stops its supervised processes itself (stop_timeout 5 s).
	stop_pid "$AGENT_PID" 15
	AGENT_PID=
	while read -r pid cmd; do
		[ -n "$pid" ] || continue
		# Only if the pid still names the same command line (no reuse).
		if [ "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" = "$cmd" ]; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done <<<"$leftovers"
	return 0
}

stop_workers() {
	[ ${#WORKER_PIDS[@]} -gt 0 ] || return 0
	kill -TERM "${WORKER_PIDS[@]}" 2>/dev/null || true
	wait "${WORKER_PIDS[@]}" 2>/dev/null || true
	WORKER_PIDS=()
}

bench_stop() {
	stop_agent
	stop_workers
	stop_pid "$LISTENER_PID" 2
	stop_pid "$SNMPD_PID" 5
}
bench_setup shugo-bench
# A Unix socket path must fit sun_path.
[ ${#T} -lt 90 ] || die "TMPDIR is too long for an AgentX socket path: $T"

# ---------------------------------------------------------------------------
# SNMP helpers: numeric OIDs only, no MIB is loaded.

snmp_base() { # the common arguments; -r 0: a timeout fails the walk, not slows it
	echo "-v2c -c $COMMUNITY -t 10 -r 0 -On -Oq"
}

sget_v() {
	# shellcheck disable=SC2046
	snmpget $(snmp_base) -Ov "127.0.0.1:$SNMPD_PORT" "$@"
}

swalk_v() {
	# shellcheck disable=SC2046
	snmpwalk $(snmp_base) -Ov "127.0.0.1:$SNMPD_PORT" "$@"
}

# name_index <name>: a ShugoName index, length then characters.
name_index() {
	local s=$1 i out=${#1}
	for ((i = 0; i < ${#s}; i++)); do
		out+=.$(printf '%d' "'${s:i:1}")
	done
	echo "$out"
}

# ---------------------------------------------------------------------------
# snmpd

start_snmpd() {
	for _ in 1 2 3; do
		SNMPD_PORT=$(free_udp_port)
		cat >"$T/snmpd.conf" <<EOF
# Written by agent-bench.sh.
master agentx
agentXSocket $T/agentx.sock
agentXPerms 0600 0700
agentaddress udp:127.0.0.1:$SNMPD_PORT
rocommunity $COMMUNITY 127.0.0.1
dontLogTCPWrappersConnects yes
EOF
		: >"$T/snmpd.log"
		"$SNMPD_BIN" -f -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -p "$T/snmpd.pid" \
			</dev/null >>"$T/snmpd.log" 2>&1 &
		SNMPD_PID=$!
		local n=100
		while [ $n -gt 0 ]; do
			sget_v -t 1 .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 && return 0
			kill -0 "$SNMPD_PID" 2>/dev/null || break
			n=$((n - 1))
			sleep 0.1
		done
		stop_pid "$SNMPD_PID"
		SNMPD_PID=
	done
	die "snmpd did not start (see $T/snmpd.log)"
}

# ---------------------------------------------------------------------------
# shugo-agent

agent_config_head() { # <state-dir>
	cat <<EOF
# Written by agent-bench.sh.
cluster:
  name: bench
  nodes:
    - name: bench1
      address: udp:127.0.0.1:$SNMPD_PORT
agent:
  agentx_socket: $T/agentx.sock
  state_dir: $1
  event_socket: $1/event.sock
  sample_interval: 1s
  max_processes: $((SUPERVISED + 28))
EOF
}

aget_v() { # a GET of the agent's MIB, wherever it is served
	# shellcheck disable=SC2046
	snmpget $(snmp_base) -Ov "127.0.0.1:$AGENT_PORT" "$@"
}

agent_answers() {
	local v
	agent_alive || return 0 # wait_until stops; start_agent says why
	v=$(aget_v -t 1 "$NODE_NAME_OID") && [ "$v" = '"bench1"' ]
}

agent_started() { # <log>
	agent_alive || return 0
	grep -q "started as node" "$1"
}

agent_alive() {
	kill -0 "$AGENT_PID" 2>/dev/null && [ "$(ps -o stat= -p "$AGENT_PID" 2>/dev/null)" != Z ]
}

# An agent that died is reported with its exit status and log.
agent_check_alive() {
	local rc=0
	agent_alive && return 0
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=
	die "shugo-agent exited (status $rc$([ "$rc" -gt 128 ] && echo ", signal $((rc - 128))"))"
}

start_agent() { # <config> <log>
	"$AGENT_BIN" -n -c "$1" -N bench1 >/dev/null || die "the generated configuration $1 is rejected"
	"$AGENT_BIN" -f -c "$1" -N bench1 </dev/null >"$2" 2>&1 &
	AGENT_PID=$!
	# No request before the agent has applied its configuration: one that
	# arrives while it still registers its objects with snmpd reaches a
	# handler with no configuration yet, and the agent crashes (found by this
	# benchmark, not fixed yet).
	wait_until 15 agent_started "$2" || true
	agent_check_alive
	wait_until 15 agent_answers || die "shugo-agent did not answer on 127.0.0.1:$AGENT_PORT"
	agent_check_alive
}

# Agent CPU ticks (utime + stime) and on-CPU nanoseconds (schedstat).
agent_ticks() {
	ticks "$AGENT_PID"
}

agent_cpu_ns() {
	cpu_ns "$AGENT_PID"
}


status_kb() { # <field>: VmRSS, VmHWM ...
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/$AGENT_PID/status"
}

# ---------------------------------------------------------------------------
# Small numeric helpers (awk, as bash has no floating point)

median() { # integers as arguments; the median, rounded to an integer
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) printf "%d\n", v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# summary_row <figure> <measured> <goal> <awk condition for PASS>
MISSED=0
summary_row() {
	local result=PASS
	if [ "$(calc "($4) ? 1 : 0")" != 1 ]; then
		result=MISS
		MISSED=$((MISSED + 1))
	fi
	printf '%-48s %-14s %-12s %s\n' "$1" "$2" "$3" "$result"
}

echo "shugo-agent benchmark: $AGENT_BIN"
echo "host: $(nproc) CPUs, $(uname -r), $("$SNMPD_BIN" -v 2>/dev/null | awk '/version/ { print "net-snmp " $NF; exit }')"
echo "files: $T"
echo

start_snmpd
AGENT_PORT=$SNMPD_PORT

# ===========================================================================
# 1. Walk of shugoProcInstTable vs snmpd's hrSWRunTable, WORKERS processes

echo "== 1. process-instance walk with $WORKERS matched processes"
# Named after this run, so that no other process (another run) matches.
WORKER_NAME=shugo-bench-w-$$
for ((i = 0; i < WORKERS; i++)); do
	(exec -a "$WORKER_NAME" sleep 600) &
	WORKER_PIDS+=($!)
done

{
	agent_config_head "$T/state1"
	cat <<EOF
processes:
  - name: workers
    match: {cmdline: "^$WORKER_NAME 600\$"}
    min: 1
EOF
} >"$T/walk.yaml"
start_agent "$T/walk.yaml" "$T/agent-walk.log"

workers_seen() {
	agent_alive || return 0
	SEEN=$(aget_v "$PROC_ENTRY_OID.7.$(name_index workers)") && [ "$SEEN" = "$WORKERS" ]
}
SEEN=
wait_until 30 workers_seen || die "the agent reports ${SEEN:-no} instances, not $WORKERS"
agent_check_alive

# walk <tool> <oid> <out> [port]: one timed walk (of snmpd's port unless told
# otherwise); WALK_US is its duration.
walk() {
	local t0 t1 rc=0 extra=
	[ "$1" = snmpbulkwalk ] && extra=-Cr25
	t0=$(now_us)
	# shellcheck disable=SC2046,SC2086
	timeout 120 "$1" $(snmp_base) $extra "127.0.0.1:${4:-$SNMPD_PORT}" "$2" >"$3" 2>"$3.err" || rc=$?
	t1=$(now_us)
	if [ "$rc" -ne 0 ] || [ -s "$3.err" ]; then
		die "$1 $2 failed (status $rc): $(head -n 3 "$3.err")"
	fi
	WALK_US=$((t1 - t0))
}

# timed_walk <key> <tool> <oid> <out> [port]: walk, and note its time and what
# it cost the agent and snmpd in CPU (schedstat, microseconds).
timed_walk() {
	local a0 s0
	a0=$(agent_cpu_ns)
	s0=$(cpu_ns "$SNMPD_PID")
	walk "$2" "$3" "$4" "${5:-}"
	TIMES[$1]+=" $WALK_US"
	ACPU[$1]+=" $((($(agent_cpu_ns) - a0) / 1000))"
	SCPU[$1]+=" $((($(cpu_ns "$SNMPD_PID") - s0) / 1000))"
}

# count <file> <column-prefix>: varbinds, and rows (varbinds of one column).
varbinds() { grep -c '^\.' "$1" || true; }
rows() { grep -c "^$2\." "$1" || true; }

declare -A TIMES ACPU SCPU VB ROWS RATIO
for tool in snmpbulkwalk snmpwalk; do
	TIMES[$tool.ours]=
	TIMES[$tool.hr]=
	# One untimed walk of each first: snmpd fills its hrSWRun cache, both
	# sides page in their code.
	walk "$tool" "$PROCINST_OID" "$T/ours.out"
	walk "$tool" "$HRSWRUN_OID" "$T/hr.out"
	for ((r = 1; r <= RUNS; r++)); do
		timed_walk "$tool.ours" "$tool" "$PROCINST_OID" "$T/ours.out"
		timed_walk "$tool.hr" "$tool" "$HRSWRUN_OID" "$T/hr.out"
	done
	VB[$tool.ours]=$(varbinds "$T/ours.out")
	ROWS[$tool.ours]=$(rows "$T/ours.out" "$PROCINST_OID.1.2")
	VB[$tool.hr]=$(varbinds "$T/hr.out")
	ROWS[$tool.hr]=$(rows "$T/hr.out" "$HRSWRUN_OID.1.1")
	[ "${ROWS[$tool.ours]}" = "$WORKERS" ] ||
		die "$tool of shugoProcInstTable returned ${ROWS[$tool.ours]} rows, not $WORKERS"
done

# The agent's own cost of watching that many, with no one asking.
t0=$(now_us)
c0=$(agent_ticks)
n0=$(agent_cpu_ns)
sleep 5
WATCH_CPU=$(calc "sprintf(\"%.2f\", ($(agent_cpu_ns) - $n0) / ($(now_us) - $t0) / 10)")
WATCH_TICKS_CPU=$(calc "sprintf(\"%.2f\", ($(agent_ticks) - $c0) * 100 / $(getconf CLK_TCK) / (($(now_us) - $t0) / 1e6))")
WATCH_RSS=$(status_kb VmRSS)

fmt_s() { calc "sprintf(\"%.3f\", $1 / 1e6)"; }
ms_list() { # microseconds -> "12 34 ..." milliseconds
	local x out=
	for x in "$@"; do out+="$((x / 1000)) "; done
	echo "${out% }"
}
printf '%-22s %22s %22s %8s %10s\n' "median of $RUNS" "shugoProcInstTable" "hrSWRunTable (snmpd)" ratio "per varbind"
for tool in snmpbulkwalk snmpwalk; do
	# shellcheck disable=SC2086
	mo=$(median ${TIMES[$tool.ours]})
	# shellcheck disable=SC2086
	mh=$(median ${TIMES[$tool.hr]})
	vo=${VB[$tool.ours]} ro=${ROWS[$tool.ours]} vh=${VB[$tool.hr]} rh=${ROWS[$tool.hr]}
	ratio=$(calc "sprintf(\"%.2f\", $mo / $mh)")
	ratio_vb=$(calc "sprintf(\"%.2f\", ($mo / $vo) / ($mh / $vh))")
	label=$([ "$tool" = snmpbulkwalk ] && echo "GETBULK -Cr25" || echo "GETNEXT (snmpwalk)")
	printf '%-22s %20s s %20s s %7sx %9sx\n' "$label" "$(fmt_s "$mo")" "$(fmt_s "$mh")" "$ratio" "$ratio_vb"
	printf '%-22s %22s %22s\n' "  rows / varbinds" "$ro / $vo" "$rh / $vh"
	# shellcheck disable=SC2086
	printf '%-22s %22s %22s\n' "  runs (ms)" "$(ms_list ${TIMES[$tool.ours]})" "$(ms_list ${TIMES[$tool.hr]})"
	# shellcheck disable=SC2086
	ca=$(median ${ACPU[$tool.ours]}) cs=$(median ${SCPU[$tool.ours]}) ch=$(median ${SCPU[$tool.hr]})
	printf '%-22s %22s %22s\n' "  CPU: agent / snmpd" "$((ca / 1000)) / $((cs / 1000)) ms" "- / $((ch / 1000)) ms"
	printf '%-22s %22s %22s\n' "  CPU per varbind" "$((ca / vo)) / $((cs / vo)) us" "- / $((ch / vh)) us"
	RATIO[$tool]=$ratio
done
echo "agent watching $WORKERS processes, idle: $WATCH_CPU % of a core (schedstat; $WATCH_TICKS_CPU % from ticks), VmRSS $WATCH_RSS kB"
echo

stop_agent

# ===========================================================================
# 1b. The same walk from the agent in master mode: it answers SNMP on its own
# port, so no request goes through snmpd and AgentX.

echo "== 1b. the same walk, the agent in master mode (no snmpd, no AgentX in between)"
AGENT_PORT=$(free_udp_port)
{
	agent_config_head "$T/state1b"
	cat <<EOF
  mode: master
  listen: [udp:127.0.0.1:$AGENT_PORT]
  read_communities:
    - {community: $COMMUNITY, source: 127.0.0.1/32}
processes:
  - name: workers
    match: {cmdline: "^$WORKER_NAME 600\$"}
    min: 1
EOF
} >"$T/walk-master.yaml"
start_agent "$T/walk-master.yaml" "$T/agent-walk-master.log"
SEEN=
wait_until 30 workers_seen || die "the agent in master mode reports ${SEEN:-no} instances, not $WORKERS"
agent_check_alive

# A GETBULK walk of the agent may end with one endOfMibView varbind named
# after the last row (see README.md); it is no row, and as one varbind more
# it changes nothing that shows.
for tool in snmpbulkwalk snmpwalk; do
	TIMES[$tool.master]=
	TIMES[$tool.hr2]=
	walk "$tool" "$PROCINST_OID" "$T/master.out" "$AGENT_PORT"
	walk "$tool" "$HRSWRUN_OID" "$T/hr.out"
	for ((r = 1; r <= RUNS; r++)); do
		timed_walk "$tool.master" "$tool" "$PROCINST_OID" "$T/master.out" "$AGENT_PORT"
		timed_walk "$tool.hr2" "$tool" "$HRSWRUN_OID" "$T/hr.out"
	done
	VB[$tool.master]=$(varbinds "$T/master.out")
	ROWS[$tool.master]=$(rows "$T/master.out" "$PROCINST_OID.1.2")
	VB[$tool.hr2]=$(varbinds "$T/hr.out")
	[ "${ROWS[$tool.master]}" = "$WORKERS" ] ||
		die "$tool of shugoProcInstTable (master mode) returned ${ROWS[$tool.master]} rows, not $WORKERS"
done

printf '%-22s %22s %22s %8s %10s\n' "median of $RUNS" "master mode (agent)" "hrSWRunTable (snmpd)" ratio "per varbind"
for tool in snmpbulkwalk snmpwalk; do
	# shellcheck disable=SC2086
	mo=$(median ${TIMES[$tool.master]})
	# shellcheck disable=SC2086
	mh=$(median ${TIMES[$tool.hr2]})
	vo=${VB[$tool.master]} ro=${ROWS[$tool.master]} vh=${VB[$tool.hr2]}
	ratio=$(calc "sprintf(\"%.2f\", $mo / $mh)")
	ratio_vb=$(calc "sprintf(\"%.2f\", ($mo / $vo) / ($mh / $vh))")
	label=$([ "$tool" = snmpbulkwalk ] && echo "GETBULK -Cr25" || echo "GETNEXT (snmpwalk)")
	printf '%-22s %20s s %20s s %7sx %9sx\n' "$label" "$(fmt_s "$mo")" "$(fmt_s "$mh")" "$ratio" "$ratio_vb"
	printf '%-22s %22s %22s\n' "  rows / varbinds" "$ro / $vo" "- / $vh"
	# shellcheck disable=SC2086
	printf '%-22s %22s %22s\n' "  runs (ms)" "$(ms_list ${TIMES[$tool.master]})" "$(ms_list ${TIMES[$tool.hr2]})"
	# shellcheck disable=SC2086
	ca=$(median ${ACPU[$tool.master]}) cs=$(median ${SCPU[$tool.master]}) ch=$(median ${SCPU[$tool.hr2]})
	printf '%-22s %22s %22s\n' "  CPU: agent / snmpd" "$((ca / 1000)) / $((cs / 1000)) ms" "- / $((ch / 1000)) ms"
	RATIO[master.$tool]=$ratio
done
echo

stop_agent
AGENT_PORT=$SNMPD_PORT
stop_workers

# ===========================================================================
# 2 + 3. SUPERVISED supervised processes: CPU and RSS, then kill -9 -> trap

echo "== 2. agent CPU and RSS with $SUPERVISED supervised processes, 1 s sampling"

# The trap listener: one line per datagram, "<CLOCK_MONOTONIC ns> <hex>",
# stamped as recv returns. It picks its own port and ends by itself.
cat >"$T/listener.py" <<'EOF'
import os, socket, sys, time
out, portfile, life = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(0.5)
with open(out, "w", buffering=1) as f:
    with open(portfile + ".tmp", "w") as p:
        p.write("%d\n" % s.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    end = time.monotonic() + life
    while time.monotonic() < end:
        try:
            data = s.recv(65535)
        except socket.timeout:
            continue
        f.write("%d %s\n" % (time.monotonic_ns(), data.hex()))
EOF
python3 "$T/listener.py" "$T/traps.txt" "$T/trap.port" "$MAX_RUN_S" 2>"$T/listener.log" &
LISTENER_PID=$!
wait_until 10 test -s "$T/trap.port" || die "the trap listener did not start"
TRAP_PORT=$(cat "$T/trap.port")

{
	agent_config_head "$T/state2"
	cat <<EOF
notify:
  targets:
    - name: bench
      address: udp:127.0.0.1:$TRAP_PORT
      type: trap
      version: 2c
      community: $COMMUNITY
processes:
EOF
	# Distinct command lines (sleep 6001, 6002, ...) tell the instances apart.
	for ((i = 1; i <= SUPERVISED; i++)); do
		printf '  - name: s%03d\n    command: [/bin/sleep, "%d"]\n    restart: always\n    backoff: 200ms\n' \
			"$i" $((6000 + i))
	done
} >"$T/supervise.yaml"
start_agent "$T/supervise.yaml" "$T/agent-supervise.log"

all_running() {
	agent_alive || return 0
	RUNNING=$(swalk_v "$PROC_ENTRY_OID.8" | grep -cx 1) && [ "$RUNNING" = "$SUPERVISED" ]
}
RUNNING=
wait_until 30 all_running || die "${RUNNING:-no} of $SUPERVISED supervised processes are running"
agent_check_alive

echo "warm-up ${WARMUP_S}s, then a ${WINDOW_S}s window (no SNMP requests in it)"
sleep "$WARMUP_S"
t0=$(now_us)
c0=$(agent_ticks)
n0=$(agent_cpu_ns)
rss_max=0
for ((s = 0; s < WINDOW_S; s++)); do
	sleep 1
	rss=$(status_kb VmRSS)
	[ "$rss" -gt "$rss_max" ] && rss_max=$rss
done
t1=$(now_us)
c1=$(agent_ticks)
n1=$(agent_cpu_ns)
HWM=$(status_kb VmHWM)
RSS_ANON=$(status_kb RssAnon)
RSS_FILE=$(status_kb RssFile)
PSS=$(awk '$1 == "Pss:" { print $2 }' "/proc/$AGENT_PID/smaps_rollup" 2>/dev/null || echo "?")
CPU_PCT=$(calc "sprintf(\"%.3f\", ($c1 - $c0) * 100 / $(getconf CLK_TCK) / (($t1 - $t0) / 1e6))")
CPU_NS_PCT=$(calc "sprintf(\"%.3f\", ($n1 - $n0) / ($t1 - $t0) / 10)")
echo "CPU: $CPU_PCT % of one core (utime+stime: $((c1 - c0)) ticks in $(fmt_s $((t1 - t0))) s; schedstat: $CPU_NS_PCT %)"
echo "RSS: VmRSS max $rss_max kB over the window, VmHWM $HWM kB"
echo "     now: RssAnon $RSS_ANON kB (the agent's own), RssFile $RSS_FILE kB (mapped libraries, shared), Pss $PSS kB"
echo

echo "== 3. kill -9 of a supervised process -> shugoProcExited trap on the wire ($KILLS rounds)"
cat >"$T/killer.py" <<'EOF'
import os, random, signal, statistics, sys, time
agent, traps, rounds, first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# snmpTrapOID value shugoProcExited = 1.3.6.1.4.1.32473.7.0.4, BER encoded.
EXITED = bytes.fromhex("060b2b0601040181fd59070004")

def instance(n):
    """pid of definition n: the agent's child running /bin/sleep <first+n-1>."""
    want = b"/bin/sleep\0%d\0" % (first + n - 1)
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                st = f.read()
            rest = st[st.rindex(b")") + 2:].split()
            if int(rest[1]) != agent or rest[0] == b"Z":
                continue
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if f.read() == want:
                    return int(d)
        except (OSError, ValueError):
            continue
    return None

def wait_instance(n, other, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pid = instance(n)
        if pid and pid != other:
            return pid
        time.sleep(0.01)
    sys.exit("definition s%03d: no running instance after %.0f s" % (n, timeout))

datagrams, pos = [], 0
def read_new():
    global pos
    with open(traps, "rb") as f:
        f.seek(pos)
        chunk = f.read()
    end = chunk.rfind(b"\n") + 1
    pos += end
    for line in chunk[:end].splitlines():
        t, h = line.split()
        datagrams.append((int(t), bytes.fromhex(h.decode())))

rng = random.Random(4711)
lat, lat_any, missed = [], [], 0
for r in range(1, rounds + 1):
    n = (r - 1) % int(sys.argv[5]) + 1
    pid = wait_instance(n, None, 15)
    # Off the agent's 1 s sampling beat, so kills land anywhere in it.
    time.sleep(rng.uniform(0.1, 0.4))
    read_new()
    seen = len(datagrams)
    tag = b"proc:s%03d" % n
    t0 = time.monotonic_ns()
    os.kill(pid, signal.SIGKILL)
    got = None
    end = time.monotonic() + 2
    while got is None and time.monotonic() < end:
        time.sleep(0.005)
        read_new()
        for t, d in datagrams[seen:]:
            if t > t0 and EXITED in d and tag in d:
                got = t
                break
    after = [t for t, _ in datagrams[seen:] if t > t0]
    if got is None:
        missed += 1
        print("round %2d: s%03d pid %d: no shugoProcExited within 2 s" % (r, n, pid))
    else:
        lat.append((got - t0) / 1e6)
        lat_any.append((min(after) - t0) / 1e6)
        print("round %2d: s%03d %7.2f ms" % (r, n, lat[-1]), end="\n" if r % 4 == 0 else "   ")
    wait_instance(n, pid, 15)  # the restart, before the next round

def p95(v):  # nearest rank
    v = sorted(v)
    return v[max(0, -(-len(v) * 95 // 100) - 1)]
if rounds % 4:
    print()
if lat:
    print("RESULT %d %d %.2f %.2f %.2f %.2f %.2f" % (len(lat), missed, min(lat), statistics.median(lat),
          p95(lat), max(lat), statistics.median(lat_any)))
else:
    print("RESULT 0 %d" % missed)
EOF
timeout 120 python3 "$T/killer.py" "$AGENT_PID" "$T/traps.txt" "$KILLS" 6001 "$SUPERVISED" >"$T/killer.out" ||
	{ cat "$T/killer.out"; die "the kill -9 rounds did not complete"; }
grep -v '^RESULT' "$T/killer.out" | sed 's/^/  /'
read -r _ LAT_N LAT_MISSED LAT_MIN LAT_MED LAT_P95 LAT_MAX LAT_ANY_MED < <(grep '^RESULT' "$T/killer.out")
[ "$LAT_N" -gt 0 ] || die "no shugoProcExited trap arrived in $KILLS rounds"
echo "latency (ms): min $LAT_MIN  median $LAT_MED  p95 $LAT_P95  max $LAT_MAX  ($LAT_N rounds, $LAT_MISSED without a trap;" \
	"median to the first datagram of any kind $LAT_ANY_MED)"
echo

stop_agent

# ===========================================================================
# Summary

echo "== summary"
printf '%-48s %-14s %-12s %s\n' figure measured goal result
summary_row "1. walk $WORKERS instances, GETBULK: ours/snmpd" "${RATIO[snmpbulkwalk]}x" "<= ${GOAL_WALK_RATIO}x" \
	"${RATIO[snmpbulkwalk]} <= $GOAL_WALK_RATIO"
summary_row "1. walk $WORKERS instances, GETNEXT: ours/snmpd" "${RATIO[snmpwalk]}x" "<= ${GOAL_WALK_RATIO}x" \
	"${RATIO[snmpwalk]} <= $GOAL_WALK_RATIO"
summary_row "1b. same walk, master mode, GETBULK: ours/snmpd" "${RATIO[master.snmpbulkwalk]}x" \
	"<= ${GOAL_WALK_RATIO}x" "${RATIO[master.snmpbulkwalk]} <= $GOAL_WALK_RATIO"
summary_row "1b. same walk, master mode, GETNEXT: ours/snmpd" "${RATIO[master.snmpwalk]}x" \
	"<= ${GOAL_WALK_RATIO}x" "${RATIO[master.snmpwalk]} <= $GOAL_WALK_RATIO"
summary_row "2. agent CPU, $SUPERVISED supervised" "$CPU_PCT %" "< $GOAL_CPU_PCT %" "$CPU_PCT < $GOAL_CPU_PCT"
summary_row "2. agent RSS, $SUPERVISED supervised (HWM $HWM kB)" "$rss_max kB" "< $GOAL_RSS_KB kB" \
	"$rss_max < $GOAL_RSS_KB && $HWM < $GOAL_RSS_KB"
summary_row "3. kill -9 -> trap, p95 of $LAT_N (max $LAT_MAX)" "$LAT_P95 ms" "< $GOAL_LAT_MS ms" \
	"$LAT_P95 < $GOAL_LAT_MS && $LAT_MISSED == 0"
[ "$MISSED" -eq 0 ] || exit 3
exit 0
