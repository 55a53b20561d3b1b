#!/bin/bash
# One bounded benchmark run of shugo-manager's poller against
# prometheus-snmp-exporter: both read the same Shugo agents, the same OIDs
# (the node scalars by GET, the table columns the manager keeps by GETBULK),
# at the same interval, over the same wall time; the script reports the CPU
# each spent per 1,000 OIDs fetched. Then a node that never answers is added
# to both, and the script shows that the live nodes are still read on time.
# Usage: poller-bench.sh <builddir>; see contrib/bench/README.md.
#
# Everything runs on loopback from a fresh temp dir: per node a private snmpd
# (AgentX master) and shugo-agent supervising sleep processes; one more
# snmpd for the manager's own MIB (its poll counters are read there); the
# manager; the exporter; curl loops that scrape it like Prometheus would.
# Only the pids recorded here are ever signalled, and all of them are
# stopped on exit.

# Functions called only through traps or wait_until look unreachable (SC2317);
# daemons log with -Lf into the file their stray output goes to (SC2094).
# shellcheck disable=SC2317,SC2094
set -euo pipefail

# ---------------------------------------------------------------------------
# Settings (environment overrides, for a quicker or a heavier run)

NODES=${BENCH_NODES:-8}              # agents (each an snmpd and a shugo-agent)
PROCS=${BENCH_PROCS:-20}             # supervised processes per agent
INTERVAL_MS=${BENCH_INTERVAL_MS:-1000} # poll / scrape interval
TIMEOUT_MS=${BENCH_TIMEOUT_MS:-500}  # per request, both pollers
RETRIES=${BENCH_RETRIES:-1}          # both pollers
WARMUP_S=${BENCH_WARMUP:-5}
WINDOW_S=${BENCH_WINDOW:-60}         # the CPU window
DEAD_WINDOW_S=${BENCH_DEAD_WINDOW:-30} # the window with a dead node
MAX_RUN_S=${BENCH_MAX_SECONDS:-600}  # the whole run is stopped after this

GOAL_RATIO=2.0 # exporter CPU per OID / manager CPU per OID

COMMUNITY=shugobench
SNMPD_BIN=${SNMPD_BIN:-/usr/sbin/snmpd}
EXPORTER_BIN=${EXPORTER_BIN:-/usr/bin/prometheus-snmp-exporter}
SHUGO=.1.3.6.1.4.1.32473.7.1
SYSUPTIME=.1.3.6.1.2.1.1.3
MGR_NODE_ENTRY=.1.3.6.1.4.1.32473.8.1.2.1 # shugoMgrNodeEntry
MGR_POLLS_COL=12                           # shugoMgrNodePolls
MGR_FAILS_COL=13                           # shugoMgrNodePollFailures

usage() {
	echo "usage: $0 <builddir>   (the build tree holding agent/shugo-agent and manager/shugo-manager)" >&2
	exit 2
}

[ $# -eq 1 ] || usage
[ -d "$1" ] || usage
builddir=$(cd "$1" && pwd)
AGENT_BIN=$builddir/agent/shugo-agent
MANAGER_BIN=$builddir/manager/shugo-manager

BENCH=poller-bench
# shellcheck source=contrib/bench/lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$AGENT_BIN" ] || die "$AGENT_BIN is not built (make agent/shugo-agent)"
[ -x "$MANAGER_BIN" ] || die "$MANAGER_BIN is not built (make manager/shugo-manager)"
if [ ! -x "$EXPORTER_BIN" ]; then
	echo "poller-bench: $EXPORTER_BIN is not installed; the comparison needs it:" >&2
	echo "    apt-get install prometheus-snmp-exporter" >&2
	echo "(the package enables a service on port 9116; this script runs its own copy and never uses that one)" >&2
	exit 1
fi
for tool in "$SNMPD_BIN" snmpget snmpwalk sqlite3 curl python3 timeout; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done

# ---------------------------------------------------------------------------
# Temp dir, bookkeeping and clean-up (lib.sh)

declare -a SNMPD_PIDS=() AGENT_PIDS=() PORTS=()
MGR_SNMPD_PID=
MANAGER_PID=
EXPORTER_PID=
SILENT_PID=
SCRAPER_PIDS=()

stop_scrapers() {
	local p
	for p in ${SCRAPER_PIDS[@]+"${SCRAPER_PIDS[@]}"}; do
		stop_pid "$p" 2
	done
	SCRAPER_PIDS=()
}

bench_stop() {
	local i
	stop_scrapers
	stop_pid "$MANAGER_PID" 10
	stop_pid "$EXPORTER_PID" 5
	stop_pid "$SILENT_PID" 2
	# Each agent stops the processes it supervises (stop_timeout 5 s).
	for i in "${!AGENT_PIDS[@]}"; do
		stop_pid "${AGENT_PIDS[$i]}" 15
	done
	for i in "${!SNMPD_PIDS[@]}"; do
		stop_pid "${SNMPD_PIDS[$i]}" 5
	done
	stop_pid "$MGR_SNMPD_PID" 5
}
bench_setup shugo-poller-bench
# A Unix socket path must fit sun_path.
[ ${#T} -lt 80 ] || die "TMPDIR is too long for an AgentX socket path: $T"

CLK_TCK=$(getconf CLK_TCK)

# name_index <name>: a ShugoName index, length then characters.
name_index() {
	local s=$1 i out=${#1}
	for ((i = 0; i < ${#s}; i++)); do
		out+=.$(printf '%d' "'${s:i:1}")
	done
	echo "$out"
}

node_name() { # <i>
	printf 'bench%02d\n' "$1"
}

# ---------------------------------------------------------------------------
# snmpd: one per node (the agent's master) and one for the manager

# start_snmpd <dir> <log>: sets SNMPD_PID and SNMPD_PORT.
start_snmpd() {
	local d=$1 log=$2 _try n
	mkdir -p "$d/persist"
	chmod 700 "$d" "$d/persist"
	for _try in 1 2 3; do
		SNMPD_PORT=$(free_udp_port)
		cat >"$d/snmpd.conf" <<EOF
# Written by poller-bench.sh.
master agentx
agentXSocket $d/agentx.sock
agentXPerms 0600 0700
agentaddress udp:127.0.0.1:$SNMPD_PORT
rocommunity $COMMUNITY 127.0.0.1
dontLogTCPWrappersConnects yes
EOF
		: >"$log"
		SNMP_PERSISTENT_DIR=$d/persist "$SNMPD_BIN" -f -Lf "$log" -C -c "$d/snmpd.conf" -p "$d/snmpd.pid" \
			</dev/null >>"$log" 2>&1 &
		SNMPD_PID=$!
		n=100
		while [ $n -gt 0 ]; do
			snmpget -v2c -c "$COMMUNITY" -t 1 -r 0 "127.0.0.1:$SNMPD_PORT" "$SYSUPTIME.0" >/dev/null 2>&1 && return 0
			alive "$SNMPD_PID" || break
			n=$((n - 1))
			sleep 0.1
		done
		stop_pid "$SNMPD_PID"
		SNMPD_PID=
	done
	die "snmpd did not start (see $log)"
}

cluster_yaml() { # [dead-port]: every node, and the dead one when given
	local i
	echo "cluster:"
	echo "  name: bench"
	echo "  nodes:"
	for ((i = 1; i <= NODES; i++)); do
		echo "    - {name: $(node_name "$i"), address: \"udp:127.0.0.1:${PORTS[$i]}\"}"
	done
	if [ -n "${1:-}" ]; then
		echo "    - {name: dead, address: \"udp:127.0.0.1:$1\"}"
	fi
}

agent_yaml() { # <i>
	local i=$1 d=$T/n$1 p
	cluster_yaml
	cat <<EOF
agent:
  agentx_socket: $d/agentx.sock
  state_dir: $d/state
  sample_interval: 1s
  max_processes: $((PROCS + 28))
# Measured and shown, never alarmed: the tables keep their size whatever the
# load of the host.
resources:
  cpu: {warning: 0, critical: 0}
  memory: {warning: 0, critical: 0}
  swap: {warning: 0, critical: 0}
  load: {warning: 0, critical: 0}
  filesystems: [{path: /, warning: 0, critical: 0}]
processes:
  # Never found: one alarm (too few) that stays raised, a row of the alarm table.
  - name: absent
    match: {cmdline: "^shugo-bench-absent-$$\$"}
    min: 1
EOF
	for ((p = 1; p <= PROCS; p++)); do
		printf '  - name: p%03d\n    command: [/bin/sleep, "%d"]\n    restart: always\n' "$p" $((700000 + i * 1000 + p))
	done
}

agent_ready() { # <i>: every supervised process running, the alarm raised
	local i=$1 v
	alive "${AGENT_PIDS[$i]}" || return 0 # wait_until stops; the caller says why
	v=$(snmpwalk -v2c -c "$COMMUNITY" -t 1 -r 0 -On -Oqv "127.0.0.1:${PORTS[$i]}" "$SHUGO.2.1.1.8" 2>/dev/null |
		grep -cx 1) || return 1
	[ "$v" -eq "$PROCS" ] || return 1
	v=$(snmpwalk -v2c -c "$COMMUNITY" -t 1 -r 0 -On -Oqv "127.0.0.1:${PORTS[$i]}" "$SHUGO.6.1.1.3" 2>/dev/null |
		grep -c .) || return 1
	[ "$v" -ge 1 ]
}

echo "poller benchmark: $MANAGER_BIN vs $EXPORTER_BIN"
echo "host: $(nproc) CPUs, $(uname -r), $("$SNMPD_BIN" -v 2>/dev/null | awk '/version/ { print "net-snmp " $NF; exit }'), $("$EXPORTER_BIN" --version 2>&1 | awk 'NR == 1 { print $1, $3 }'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $T"
echo

# ---------------------------------------------------------------------------
# The agents

echo "starting $NODES nodes (snmpd + shugo-agent, $PROCS supervised processes each) ..."
start_snmpd "$T/mgr" "$T/mgr-snmpd.log"
MGR_SNMPD_PID=$SNMPD_PID
MGR_PORT=$SNMPD_PORT
for ((i = 1; i <= NODES; i++)); do
	start_snmpd "$T/n$i" "$T/n$i-snmpd.log"
	SNMPD_PIDS[i]=$SNMPD_PID
	PORTS[i]=$SNMPD_PORT
done
for ((i = 1; i <= NODES; i++)); do
	mkdir -p "$T/n$i/state"
	chmod 700 "$T/n$i/state"
	agent_yaml "$i" >"$T/n$i/shugo.yaml"
	"$AGENT_BIN" -n -c "$T/n$i/shugo.yaml" -N "$(node_name "$i")" >/dev/null ||
		die "the generated $T/n$i/shugo.yaml is rejected"
	"$AGENT_BIN" -f -c "$T/n$i/shugo.yaml" -N "$(node_name "$i")" </dev/null >"$T/n$i-agent.log" 2>&1 &
	AGENT_PIDS[i]=$!
done
for ((i = 1; i <= NODES; i++)); do
	wait_until 60 agent_ready "$i" || die "the agent of $(node_name "$i") is not ready (see $T/n$i-agent.log)"
	alive "${AGENT_PIDS[$i]}" || die "the agent of $(node_name "$i") exited (see $T/n$i-agent.log)"
done

# ---------------------------------------------------------------------------
# shugo-manager and the exporter, configured for the same OIDs

# The columns shugo-manager walks (manager/poller.c, tables[]), by table.
PROC_COLS="2 7 8 11 18"  # kind, instances, state, restarts, lastChange
INST_COLS="4 5"          # cpu, rss
RES_COLS="2 3 4 9"       # type, value, state, detail
NIC_COLS="3 4 5 11"      # link, traffic, state, silent
ALARM_COLS="2 3 4 5 7"   # type, object, severity, raisedTime, descr
# and the scalars it GETs: sysUpTime, shugoNodeName, BootCount, NotifSeq,
# shugoNotifLogFirstSeq
SCALARS="$SYSUPTIME.0 $SHUGO.1.1.0 $SHUGO.1.2.0 $SHUGO.1.5.0 $SHUGO.7.2.0"

manager_yaml() { # [dead-port]
	cluster_yaml "${1:-}"
	cat <<EOF
manager:
  store: $T/mgr/store.db
  agentx_socket: $T/mgr/agentx.sock
  event_socket: $T/mgr/manager.sock
  poll: {interval: ${INTERVAL_MS}ms, timeout: ${TIMEOUT_MS}ms, retries: $RETRIES}
  snmp: {version: 2c, community: $COMMUNITY}
EOF
}

# exporter_yaml: one module, "shugo", with the same GET and walks; every
# column becomes a metric so that every value fetched is one sample.
exporter_yaml() {
	local c t
	cat <<EOF
# Written by poller-bench.sh: the OIDs shugo-manager polls.
shugo:
  version: 2
  auth: {community: $COMMUNITY}
  max_repetitions: 25
  timeout: $((TIMEOUT_MS))ms
  retries: $RETRIES
  get:
EOF
	for c in $SCALARS; do echo "  - ${c#.}"; done
	echo "  walk:"
	for c in $PROC_COLS; do echo "  - ${SHUGO#.}.2.1.1.$c"; done
	for c in $INST_COLS; do echo "  - ${SHUGO#.}.2.2.1.$c"; done
	for c in $RES_COLS; do echo "  - ${SHUGO#.}.5.1.1.$c"; done
	for c in $NIC_COLS; do echo "  - ${SHUGO#.}.5.2.1.$c"; done
	for c in $ALARM_COLS; do echo "  - ${SHUGO#.}.6.1.1.$c"; done
	echo "  metrics:"
	printf '  - {name: sysUpTime, oid: %s, type: gauge}\n' "${SYSUPTIME#.}"
	printf '  - {name: shugoNodeName, oid: %s, type: DisplayString}\n' "${SHUGO#.}.1.1"
	printf '  - {name: shugoNodeBootCount, oid: %s, type: gauge}\n' "${SHUGO#.}.1.2"
	printf '  - {name: shugoNodeNotifSeq, oid: %s, type: gauge}\n' "${SHUGO#.}.1.5"
	printf '  - {name: shugoNotifLogFirstSeq, oid: %s, type: gauge}\n' "${SHUGO#.}.7.2"
	for c in $PROC_COLS; do
		t=gauge
		[ "$c" = 18 ] && t=DateAndTime
		printf '  - {name: shugoProc_%s, oid: %s, type: %s, indexes: [{labelname: shugoProcName, type: DisplayString}]}\n' \
			"$c" "${SHUGO#.}.2.1.1.$c" "$t"
	done
	for c in $INST_COLS; do
		printf '  - {name: shugoProcInst_%s, oid: %s, type: gauge, indexes: [{labelname: shugoProcName, type: DisplayString}, {labelname: shugoProcInstPid, type: gauge}]}\n' \
			"$c" "${SHUGO#.}.2.2.1.$c"
	done
	for c in $RES_COLS; do
		t=gauge
		[ "$c" = 9 ] && t=DisplayString
		printf '  - {name: shugoRes_%s, oid: %s, type: %s, indexes: [{labelname: shugoResName, type: DisplayString}]}\n' \
			"$c" "${SHUGO#.}.5.1.1.$c" "$t"
	done
	for c in $NIC_COLS; do
		printf '  - {name: shugoNic_%s, oid: %s, type: gauge, indexes: [{labelname: shugoNicName, type: DisplayString}]}\n' \
			"$c" "${SHUGO#.}.5.2.1.$c"
	done
	for c in $ALARM_COLS; do
		case $c in 2 | 3 | 7) t=DisplayString ;; 5) t=DateAndTime ;; *) t=gauge ;; esac
		printf '  - {name: shugoAlarm_%s, oid: %s, type: %s, indexes: [{labelname: shugoAlarmId, type: gauge}]}\n' \
			"$c" "${SHUGO#.}.6.1.1.$c" "$t"
	done
}

manager_yaml >"$T/manager.yaml"
"$MANAGER_BIN" -n -c "$T/manager.yaml" -N "$(node_name 1)" >/dev/null || die "the generated $T/manager.yaml is rejected"
exporter_yaml >"$T/snmp.yml"
"$EXPORTER_BIN" --config.file="$T/snmp.yml" --dry-run >"$T/exporter-check.log" 2>&1 ||
	die "the generated $T/snmp.yml is rejected: $(tail -n 3 "$T/exporter-check.log")"

"$MANAGER_BIN" -f -c "$T/manager.yaml" -N "$(node_name 1)" </dev/null >"$T/manager.log" 2>&1 &
MANAGER_PID=$!
EXPORTER_PORT=$(free_tcp_port)
"$EXPORTER_BIN" --config.file="$T/snmp.yml" --web.listen-address="127.0.0.1:$EXPORTER_PORT" --log.level=warn \
	</dev/null >"$T/exporter.log" 2>&1 &
EXPORTER_PID=$!

# mgr_counter <node> <column>: shugoMgrNodePolls (12) or PollFailures (13),
# read from the manager's own MIB.
mgr_counter() {
	snmpget -v2c -c "$COMMUNITY" -t 2 -r 1 -On -Oqv "127.0.0.1:$MGR_PORT" \
		"$MGR_NODE_ENTRY.$2.$(name_index "$1")" 2>/dev/null
}

# read_counters <node>...: every node's polls and failures in one GET, so
# that they are read at one moment: POLLS[node], FAILS[node], and CNT_US
# (the middle of the request).
# The indexes are worked out once: forks are slow on a loaded host, and
# between the two reads of a window they would lengthen it.
declare -A POLLS FAILS IDX
read_counters() {
	local n a b oid v
	local -a oids=()
	local -A which=()
	for n in "$@"; do
		[ -n "${IDX[$n]:-}" ] || IDX[$n]=$(name_index "$n")
		oids+=("$MGR_NODE_ENTRY.$MGR_POLLS_COL.${IDX[$n]}" "$MGR_NODE_ENTRY.$MGR_FAILS_COL.${IDX[$n]}")
		which[$MGR_NODE_ENTRY.$MGR_POLLS_COL.${IDX[$n]}]=P$n
		which[$MGR_NODE_ENTRY.$MGR_FAILS_COL.${IDX[$n]}]=F$n
	done
	a=$(now_us)
	out=$(snmpget -v2c -c "$COMMUNITY" -t 2 -r 1 -On -Oq "127.0.0.1:$MGR_PORT" "${oids[@]}") ||
		die "cannot read the manager's poll counters"
	b=$(now_us)
	CNT_US=$(((a + b) / 2))
	while read -r oid v; do
		n=${which[$oid]:-}
		if [ -z "$n" ] || ! [[ $v =~ ^[0-9]+$ ]]; then
			die "unexpected answer from the manager's MIB: $oid $v"
		fi
		case $n in
		P*) POLLS[${n#P}]=$v ;;
		F*) FAILS[${n#F}]=$v ;;
		esac
	done <<<"$out"
}

LIVE=()
for ((i = 1; i <= NODES; i++)); do LIVE+=("$(node_name "$i")"); done

all_polled() {
	local i v
	alive "$MANAGER_PID" || return 0
	for ((i = 1; i <= NODES; i++)); do
		v=$(mgr_counter "$(node_name "$i")" "$MGR_POLLS_COL") || return 1
		[[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ] || return 1
	done
}
exporter_up() {
	alive "$EXPORTER_PID" || return 0
	curl -sf -o /dev/null "http://127.0.0.1:$EXPORTER_PORT/metrics"
}
wait_until 30 all_polled || die "the manager does not report a poll of every node (see $T/manager.log)"
alive "$MANAGER_PID" || die "shugo-manager exited (see $T/manager.log)"
wait_until 15 exporter_up || die "the exporter does not answer (see $T/exporter.log)"
alive "$EXPORTER_PID" || die "prometheus-snmp-exporter exited (see $T/exporter.log)"

# The scraper: one thread per target, each scraping every interval as
# Prometheus does (a slow target delays only its own next scrape). One line
# per scrape: target, start (wall clock s), duration (s), samples (SNMP values:
# every metric line but the exporter's own snmp_scrape_*), HTTP status.
cat >"$T/scraper.py" <<'PY'
import sys, threading, time, urllib.request
base, interval, life, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
targets = [a.split("=", 1) for a in sys.argv[5:]]
lock = threading.Lock()
f = open(out, "w", buffering=1)
end = time.monotonic() + life
def run(name, addr):
    url = "%s/snmp?module=shugo&target=%s" % (base, addr)
    due = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= end:
            return
        if now < due:
            time.sleep(min(due - now, end - now))
            continue
        t0, w0 = time.monotonic(), time.time()
        status, n = 0, 0
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                status = r.status
                for line in r:
                    if line[:1] != b"#" and not line.startswith(b"snmp_scrape_") and line.strip():
                        n += 1
        except Exception:
            status = -1
        t1 = time.monotonic()
        with lock:
            f.write("%s %.6f %.6f %d %d\n" % (name, w0, t1 - t0, n, status))
        due += interval
        if due < t1:  # fell behind: no burst to catch up
            due = t1
threads = [threading.Thread(target=run, args=t, daemon=True) for t in targets]
for t in threads:
    t.start()
for t in threads:
    t.join()
PY

# start_scrapers <life-s> <out> <name=addr>...
start_scrapers() {
	local life=$1 out=$2
	shift 2
	python3 "$T/scraper.py" "http://127.0.0.1:$EXPORTER_PORT" "$(calc "$INTERVAL_MS / 1000")" "$life" "$out" "$@" \
		2>"$T/scraper.log" &
	SCRAPER_PIDS+=($!)
}

targets_live() {
	local i
	for ((i = 1; i <= NODES; i++)); do
		echo "$(node_name "$i")=127.0.0.1:${PORTS[$i]}"
	done
}

# scrape_stats <file> <t0> <t1> <name>: scrapes of that target started in
# [t0, t1), the fewest and most samples one returned, the longest (ms).
scrape_stats() {
	awk -v a="$2" -v b="$3" -v n="$4" '$1 == n && $2 >= a && $2 < b {
			c++; if (c == 1 || $4 < lo) lo = $4; if ($4 > hi) hi = $4; if ($3 > m) m = $3 }
		END { printf "%d %d %d %d\n", c, lo, hi, m * 1000 }' "$1"
}


# ===========================================================================
# 1. CPU per 1,000 OIDs, both polling every node every interval

echo
echo "== 1. CPU per 1,000 OIDs: $NODES nodes, every ${INTERVAL_MS} ms, ${WINDOW_S} s window"
# shellcheck disable=SC2046
start_scrapers $((WARMUP_S + WINDOW_S + 10)) "$T/scrapes1.txt" $(targets_live)
sleep "$WARMUP_S"
declare -A P0 P1
read_counters "${LIVE[@]}"
m0=$(ticks "$MANAGER_PID")
e0=$(ticks "$EXPORTER_PID")
w0=$CNT_US
for ((i = 1; i <= NODES; i++)); do P0[$i]=${POLLS[${LIVE[$i - 1]}]}; done
sleep "$WINDOW_S"
read_counters "${LIVE[@]}"
m1=$(ticks "$MANAGER_PID")
e1=$(ticks "$EXPORTER_PID")
w1=$CNT_US
for ((i = 1; i <= NODES; i++)); do P1[$i]=${POLLS[${LIVE[$i - 1]}]}; done
s0=$(calc "sprintf(\"%.6f\", $w0 / 1e6)")
s1=$(calc "sprintf(\"%.6f\", $w1 / 1e6)")
stop_scrapers
alive "$MANAGER_PID" || die "shugo-manager exited (see $T/manager.log)"
alive "$EXPORTER_PID" || die "prometheus-snmp-exporter exited (see $T/exporter.log)"
WALL=$(calc "sprintf(\"%.1f\", ($w1 - $w0) / 1e6)")

q() { sqlite3 -readonly "$T/mgr/store.db" "$1"; }

# The OIDs of one poll of a node, from the rows the last poll left in the
# store: the 5 scalars and, per row, the columns walked (nic rows are in
# res as nic:<name>; an instance row counts 2, cpu and rss).
oids_per_poll() { # <node>
	q "SELECT 5 + (SELECT 5 * count(*) + 2 * coalesce(sum(instances), 0) FROM procs WHERE node = '$1')
	         + (SELECT 4 * count(*) FROM res WHERE node = '$1')
	         + (SELECT 5 * count(*) FROM alarms WHERE node = '$1')"
}

MGR_POLLS=0
MGR_OIDS=0
EXP_SCRAPES=0
EXP_OIDS=0
printf '%-9s %14s %14s %16s %16s\n' node "manager polls" "OIDs per poll" "exporter scrapes" "samples/scrape"
for ((i = 1; i <= NODES; i++)); do
	n=$(node_name "$i")
	polls=$((P1[$i] - P0[$i]))
	per=$(oids_per_poll "$n")
	read -r sc slo shi _ < <(scrape_stats "$T/scrapes1.txt" "$s0" "$s1" "$n")
	# Each scrape's own count: a scrape that failed returns fewer.
	soids=$(awk -v a="$s0" -v b="$s1" -v n="$n" '$1 == n && $2 >= a && $2 < b { s += $4 } END { print s + 0 }' \
		"$T/scrapes1.txt")
	printf '%-9s %14s %14s %16s %16s\n' "$n" "$polls" "$per" "$sc" "$([ "$slo" = "$shi" ] && echo "$slo" || echo "$slo..$shi")"
	MGR_POLLS=$((MGR_POLLS + polls))
	MGR_OIDS=$((MGR_OIDS + polls * per))
	EXP_SCRAPES=$((EXP_SCRAPES + sc))
	EXP_OIDS=$((EXP_OIDS + soids))
done
MGR_CPU=$(calc "sprintf(\"%.2f\", ($m1 - $m0) / $CLK_TCK)")
EXP_CPU=$(calc "sprintf(\"%.2f\", ($e1 - $e0) / $CLK_TCK)")
[ "$MGR_OIDS" -gt 0 ] || die "the manager fetched nothing in the window"
[ "$EXP_OIDS" -gt 0 ] || die "the exporter returned nothing in the window (see $T/exporter.log)"
MGR_PER_K=$(calc "sprintf(\"%.4f\", $MGR_CPU / ($MGR_OIDS / 1000))")
EXP_PER_K=$(calc "sprintf(\"%.4f\", $EXP_CPU / ($EXP_OIDS / 1000))")
RATIO=$(calc "sprintf(\"%.2f\", $EXP_PER_K / ($MGR_PER_K > 0 ? $MGR_PER_K : 0.0001))")
echo
printf '%-28s %10s %12s %10s %18s\n' "over $WALL s" "CPU s" "polls" OIDs "CPU s / 1,000 OIDs"
printf '%-28s %10s %12s %10s %18s\n' "shugo-manager" "$MGR_CPU" "$MGR_POLLS" "$MGR_OIDS" "$MGR_PER_K"
printf '%-28s %10s %12s %10s %18s\n' "prometheus-snmp-exporter" "$EXP_CPU" "$EXP_SCRAPES" "$EXP_OIDS" "$EXP_PER_K"
echo "ratio exporter / manager: ${RATIO}x"

# ===========================================================================
# 2. A dead node: an address where nothing ever answers

echo
echo "== 2. a dead node added to both: ${DEAD_WINDOW_S} s window"
# A socket that is bound but never read: requests vanish as they would at a
# host that is down. (A port nobody binds answers with ICMP port unreachable,
# which both pollers notice at once.)
DEAD_PORT=$(free_udp_port)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(float(sys.argv[2]))' "$DEAD_PORT" "$MAX_RUN_S" &
SILENT_PID=$!
manager_yaml "$DEAD_PORT" >"$T/manager.yaml"
"$MANAGER_BIN" -n -c "$T/manager.yaml" -N "$(node_name 1)" >/dev/null || die "the generated $T/manager.yaml is rejected"
kill -HUP "$MANAGER_PID"
dead_failing() {
	local v
	v=$(mgr_counter dead "$MGR_FAILS_COL") && [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]
}
wait_until 15 dead_failing || die "the manager does not poll the dead node after the reload (see $T/manager.log)"
# shellcheck disable=SC2046
start_scrapers $((WARMUP_S + DEAD_WINDOW_S + 10)) "$T/scrapes2.txt" $(targets_live) "dead=127.0.0.1:$DEAD_PORT"
sleep "$WARMUP_S"
read_counters "${LIVE[@]}" dead
w0=$CNT_US
for ((i = 1; i <= NODES; i++)); do P0[$i]=${POLLS[${LIVE[$i - 1]}]}; done
F0=${FAILS[dead]}
sleep "$DEAD_WINDOW_S"
read_counters "${LIVE[@]}" dead
w1=$CNT_US
for ((i = 1; i <= NODES; i++)); do P1[$i]=${POLLS[${LIVE[$i - 1]}]}; done
F1=${FAILS[dead]}
s0=$(calc "sprintf(\"%.6f\", $w0 / 1e6)")
s1=$(calc "sprintf(\"%.6f\", $w1 / 1e6)")
stop_scrapers
alive "$MANAGER_PID" || die "shugo-manager exited (see $T/manager.log)"
alive "$EXPORTER_PID" || die "prometheus-snmp-exporter exited (see $T/exporter.log)"

DWALL=$(calc "($w1 - $w0) / 1e6")
EXPECTED=$(calc "sprintf(\"%.1f\", $DWALL * 1000 / $INTERVAL_MS)")
pmin=999999 pmax=0 smin=999999 smax=0 dmax=0
for ((i = 1; i <= NODES; i++)); do
	polls=$((P1[$i] - P0[$i]))
	[ "$polls" -lt "$pmin" ] && pmin=$polls
	[ "$polls" -gt "$pmax" ] && pmax=$polls
	read -r sc _ _ dur < <(scrape_stats "$T/scrapes2.txt" "$s0" "$s1" "$(node_name "$i")")
	[ "$sc" -lt "$smin" ] && smin=$sc
	[ "$sc" -gt "$smax" ] && smax=$sc
	[ "$dur" -gt "$dmax" ] && dmax=$dur
done
read -r dsc _ _ ddur < <(scrape_stats "$T/scrapes2.txt" "$s0" "$s1" dead)
dfails=$((F1 - F0))
echo "expected per live node in $(calc "sprintf(\"%.1f\", $DWALL)") s: $EXPECTED polls (one per ${INTERVAL_MS} ms)"
echo "shugo-manager: live nodes polled $pmin..$pmax times each; the dead node failed $dfails polls" \
	"(each one timeout window: ${TIMEOUT_MS} ms x $((RETRIES + 1)) tries)"
echo "exporter:      live targets scraped $smin..$smax times each, the longest live scrape $dmax ms;" \
	"the dead target $dsc scrapes of up to $ddur ms each"
CADENCE=PASS
[ "$(calc "($pmin >= $EXPECTED - 1 && $pmax <= $EXPECTED + 1) ? 1 : 0")" = 1 ] || CADENCE=MISS

# ===========================================================================
# Summary

echo
echo "== summary"
MISSED=0
printf '%-58s %-12s %-10s %s\n' figure measured goal result
r=PASS
[ "$(calc "($RATIO >= $GOAL_RATIO) ? 1 : 0")" = 1 ] || { r=MISS; MISSED=$((MISSED + 1)); }
printf '%-58s %-12s %-10s %s\n' "1. CPU s per 1,000 OIDs: exporter $EXP_PER_K / manager $MGR_PER_K" "${RATIO}x" \
	">= ${GOAL_RATIO}x" "$r"
[ "$CADENCE" = PASS ] || MISSED=$((MISSED + 1))
printf '%-58s %-12s %-10s %s\n' "2. live nodes' polls with a dead node (expected $EXPECTED)" "$pmin..$pmax" "+-1" "$CADENCE"
[ "$MISSED" -eq 0 ] || exit 3
exit 0
