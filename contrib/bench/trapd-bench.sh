#!/bin/bash
# One bounded benchmark run of shugo-trapd against net-snmp's snmptrapd: the
# same generator (trapgen) feeds each daemon the same paced SNMPv2c TRAPs,
# shaped like a Shugo agent's notifications, at rising rates; the script
# reports per daemon the highest rate at which nothing was lost and the CPU
# each spent per trap, shugo-trapd's store write (SQLite, synced) included;
# then the same as INFORMs: how many each answers, and how soon.
# Usage: trapd-bench.sh <builddir>; see contrib/bench/README.md.
#
# Everything runs on loopback from a fresh temp dir. Each step starts the
# daemon afresh (an empty store, an empty log file), sends, waits until what
# arrived is written, reads the daemon's CPU and stops it. Only the pids
# recorded here are ever signalled, and all of them are stopped on exit.

# Functions called only through traps or wait_until look unreachable (SC2317).
# shellcheck disable=SC2317
set -euo pipefail

# ---------------------------------------------------------------------------
# Settings (environment overrides, for a quicker or a heavier run)

RATES=${BENCH_RATES:-"2000 5000 10000 15000 20000 30000 50000 75000 100000 150000 200000"} # per second, rising
STEP_S=${BENCH_STEP_SECONDS:-3}        # each step sends rate x this many traps ...
STEP_MAX=${BENCH_STEP_MAX:-600000}     # ... but never more than this
DRAIN_S=${BENCH_DRAIN_SECONDS:-20}     # the longest wait for a daemon to write what it read
INFORM_RATES=${BENCH_INFORM_RATES:-"5000 20000"} # then INFORMs at these rates ("" for none)
INFORM_S=${BENCH_INFORM_SECONDS:-2}
MAX_RUN_S=${BENCH_MAX_SECONDS:-900}    # the whole run is stopped after this

GOAL_RATIO=5 # shugo-trapd's lossless rate / snmptrapd's

COMMUNITY=shugobench
SNMPTRAPD_BIN=${SNMPTRAPD_BIN:-/usr/sbin/snmptrapd}
# shugoNotifSeq.0 = Gauge32: one per trap in snmptrapd's log (all the
# varbinds of a trap are on one line)
SEQ_VB='\.1\.3\.6\.1\.4\.1\.32473\.7\.1\.10\.3\.0 = Gauge32:'

usage() {
	echo "usage: $0 <builddir>   (the build tree holding trapd/shugo-trapd)" >&2
	exit 2
}

[ $# -eq 1 ] || usage
[ -d "$1" ] || usage
builddir=$(cd "$1" && pwd)
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
TRAPD_BIN=$builddir/trapd/shugo-trapd

BENCH=trapd-bench
# shellcheck source=contrib/bench/lib.sh
. "$srcdir/contrib/bench/lib.sh"

[ -x "$TRAPD_BIN" ] || die "$TRAPD_BIN is not built (make trapd/shugo-trapd)"
for tool in "$SNMPTRAPD_BIN" sqlite3 python3 ss; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (Debian packages snmptrapd, sqlite3, python3, iproute2)"
done

# ---------------------------------------------------------------------------
# Temp dir, bookkeeping and clean-up (lib.sh)

DAEMON_PID=
GEN_PID=

bench_stop() {
	stop_pid "$GEN_PID" 2
	stop_pid "$DAEMON_PID" 10
}
bench_setup shugo-trapd-bench

# udp_drops <port>: datagrams the kernel dropped at the loopback socket on
# that port (the last column of /proc/net/udp), because its buffer was full.
udp_drops() {
	awk -v p="$(printf ':%04X' "$1")" 'substr($2, length($2) - 4) == p { d += $NF } END { print d + 0 }' /proc/net/udp
}

rcvbuf_of() { # <port>: the receive buffer the kernel gave the socket
	ss -Huamn "sport = :$1" 2>/dev/null | grep -o 'rb[0-9]*' | head -n 1 | tr -d rb
}

# ---------------------------------------------------------------------------
# The generator: the one the build made, or built here with the system compiler.

TRAPGEN=$builddir/contrib/bench/trapgen
if [ ! -x "$TRAPGEN" ]; then
	TRAPGEN=$T/trapgen
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$srcdir/common" \
		"$srcdir/contrib/bench/trapgen.c" -o "$TRAPGEN" || die "cannot build trapgen"
fi

# Both daemons get the same receive buffer: the most snmptrapd can ask for
# (net.core.rmem_max; shugo-trapd, as root, could have more).
RMEM_MAX=$(cat /proc/sys/net/core/rmem_max)
RCVBUF=$((RMEM_MAX < 8388608 ? RMEM_MAX : 8388608))

# ---------------------------------------------------------------------------
# The daemons. start_<daemon> <dir> sets DAEMON_PID and PORT; count_<daemon>
# <dir> prints the traps it has written so far.

start_shugo() {
	local d=$1 _try
	mkdir -p "$d/state"
	chmod 700 "$d/state"
	for _try in 1 2 3; do
		PORT=$(free_udp_port)
		cat >"$d/shugo.yaml" <<EOF
# Written by trapd-bench.sh: no rate limit, so every trap counts.
cluster:
  name: bench
  nodes:
    - {name: trapnode, address: "udp:127.0.0.1:9"}
agent:
  state_dir: $d/state
trapd:
  listen: [udp:127.0.0.1:$PORT]
  communities: [$COMMUNITY]
  rate: 0
  rcvbuf: $RCVBUF
manager:
  store: $d/store.db
  event_socket: $d/manager.sock
EOF
		"$TRAPD_BIN" -n -c "$d/shugo.yaml" -N trapnode >/dev/null || die "the generated $d/shugo.yaml is rejected"
		"$TRAPD_BIN" -f -c "$d/shugo.yaml" -N trapnode </dev/null >"$d/trapd.log" 2>&1 &
		DAEMON_PID=$!
		if wait_until 10 grep -q " started as node trapnode" "$d/trapd.log"; then
			return 0
		fi
		stop_pid "$DAEMON_PID"
		DAEMON_PID=
	done
	cp "$d/trapd.log" "$T/shugo-trapd.log"
	die "shugo-trapd did not start"
}

count_shugo() {
	sqlite3 -readonly "$1/store.db" "SELECT count(*) FROM log WHERE node = 'benchgen'" 2>/dev/null || echo 0
}

start_snmptrapd() {
	local d=$1 _try
	# disableAuthorization: log every trap without an authCommunity line;
	# serverRecvBuf: the same socket buffer as shugo-trapd.
	printf 'disableAuthorization yes\n[snmp] serverRecvBuf %s\n' "$RCVBUF" >"$d/snmptrapd.conf"
	for _try in 1 2 3; do
		PORT=$(free_udp_port)
		: >"$d/snmptrapd.log"
		# -n: no reverse lookups; -On: numeric OIDs, no MIB names;
		# -X: no AgentX subagent (no NOTIFICATION-LOG-MIB, and no contact
		# with the system's snmpd); -Lf: log to a file.
		"$SNMPTRAPD_BIN" -f -n -On -X -C -c "$d/snmptrapd.conf" -Lf "$d/snmptrapd.log" \
			"udp:127.0.0.1:$PORT" </dev/null >"$d/snmptrapd.out" 2>&1 &
		DAEMON_PID=$!
		if wait_until 10 grep -q "NET-SNMP version" "$d/snmptrapd.log"; then
			return 0
		fi
		stop_pid "$DAEMON_PID"
		DAEMON_PID=
	done
	cp "$d/snmptrapd.log" "$T/snmptrapd.log"
	die "snmptrapd did not start"
}

count_snmptrapd() {
	grep -c "$SEQ_VB" "$1/snmptrapd.log" || true
}

# ---------------------------------------------------------------------------
# One step: run_step <daemon> <rate> [inform]. Sets SENT, RECV, OFFERED (the
# rate trapgen achieved), CPU_US (per trap, ticks), CPU_NS_US (per trap,
# schedstat), KDROPS, QDROPS (shugo-trapd's backlog refusals), RB; with
# inform, ACKED and ANSWER (p50 p99 max of the delay to the answer, ms).

run_step() {
	local daemon=$1 rate=$2 mode=${3:-} d count c0 n0 c1 n1 last n stable deadline out secs=$STEP_S
	local -a opt=()
	d=$T/$daemon-$rate${mode:+-$mode}
	mkdir -p "$d"
	if [ "$mode" = inform ]; then
		secs=$INFORM_S
		opt=(-i -w 5)
	fi
	count=$((rate * secs))
	[ "$count" -le "$STEP_MAX" ] || count=$STEP_MAX
	"start_$daemon" "$d"
	RB=$(rcvbuf_of "$PORT")
	c0=$(ticks "$DAEMON_PID")
	n0=$(cpu_ns "$DAEMON_PID")
	out=$(timeout $((count * 3 / rate + 20)) "$TRAPGEN" -p "$PORT" -c "$COMMUNITY" -r "$rate" -n "$count" \
		-b "$rate" ${opt[@]+"${opt[@]}"}) || true
	echo "$out" >"$d/trapgen.out"
	SENT=$(echo "$out" | awk '/^sent/ { print $2 }')
	OFFERED=$(echo "$out" | sed -n 's/.*(\([0-9]*\)\/s,.*/\1/p')
	[ -n "$SENT" ] || die "trapgen failed: $out"
	ACKED=$(echo "$out" | awk '/^acked/ { print $2 }')
	ANSWER=$(echo "$out" | awk '/^acked/ { print $10, $12, $14 }')
	# What was read is written within moments; wait until the count stops
	# moving (or is complete), bounded.
	deadline=$(($(now_us) + DRAIN_S * 1000000))
	last=-1
	stable=0
	while :; do
		alive "$DAEMON_PID" || die "$daemon exited during the step at $rate/s"
		n=$("count_$daemon" "$d")
		[ "$n" -ge "$SENT" ] && break
		if [ "$n" = "$last" ]; then
			stable=$((stable + 1))
			[ "$stable" -ge 5 ] && break
		else
			stable=0
		fi
		last=$n
		[ "$(now_us)" -lt "$deadline" ] || break
		sleep 0.2
	done
	c1=$(ticks "$DAEMON_PID")
	n1=$(cpu_ns "$DAEMON_PID")
	KDROPS=$(udp_drops "$PORT")
	stop_pid "$DAEMON_PID" 10
	DAEMON_PID=
	# After an orderly stop everything it had read is written.
	RECV=$("count_$daemon" "$d")
	QDROPS=-
	if [ "$daemon" = shugo ]; then
		QDROPS=$(sqlite3 -readonly "$d/store.db" \
			"SELECT value FROM counters WHERE component = 'trapd' AND name = 'queue_dropped'" 2>/dev/null || echo "?")
	fi
	CPU_US=$(calc "sprintf(\"%.1f\", ($c1 - $c0) * 1e6 / $(getconf CLK_TCK) / ($RECV > 0 ? $RECV : 1))")
	CPU_NS_US=$(calc "sprintf(\"%.1f\", ($n1 - $n0) / 1000 / ($RECV > 0 ? $RECV : 1))")
	CPU_S=$(calc "sprintf(\"%.2f\", ($c1 - $c0) / $(getconf CLK_TCK))")
	# The store and the log file of a step are large and no longer needed.
	rm -f "$d/store.db" "$d/store.db-wal" "$d/store.db-shm"
	[ -n "${BENCH_KEEP:-}" ] || : >"$d/snmptrapd.log"
}

echo "trapd benchmark: $TRAPD_BIN vs $SNMPTRAPD_BIN"
echo "host: $(nproc) CPUs, $(uname -r), $("$SNMPTRAPD_BIN" --version 2>&1 | awk 'tolower($0) ~ /version/ { print "net-snmp " $NF; exit }'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generator: $TRAPGEN; $STEP_S s per step (at most $STEP_MAX traps); receive buffer $RCVBUF octets asked for each"
echo "files: $T"
echo

declare -A LOSSLESS=() FINISHED=() CPU=() CPUNS=() STEPOK=() RBS=()
LOSSLESS[shugo]=0
LOSSLESS[snmptrapd]=0
printf '%-8s %8s %-11s %7s %7s %7s %9s %7s %7s %8s %9s\n' rate/s offered daemon sent stored lost "kern.drop" "q.drop" "CPU s" "us/trap" "(sched)"
for rate in $RATES; do
	for daemon in shugo snmptrapd; do
		[ -z "${FINISHED[$daemon]:-}" ] || continue
		run_step "$daemon" "$rate"
		lost=$((SENT - RECV))
		name=$([ "$daemon" = shugo ] && echo shugo-trapd || echo snmptrapd)
		printf '%-8s %8s %-11s %7s %7s %7s %9s %7s %7s %8s %9s\n' "$rate" "$OFFERED" "$name" "$SENT" "$RECV" "$lost" \
			"$KDROPS" "$QDROPS" "$CPU_S" "$CPU_US" "$CPU_NS_US"
		CPU[$daemon.$rate]=$CPU_US
		RBS[$daemon]=$RB
		CPUNS[$daemon.$rate]=$CPU_NS_US
		if [ "$lost" -eq 0 ] && [ "$RECV" -gt 0 ]; then
			# The rate trapgen achieved, not the one asked for: on a busy
			# host it may fall short.
			LOSSLESS[$daemon]=$OFFERED
			STEPOK[$daemon.$rate]=1
		else
			# The first step with a loss ends this daemon's climb.
			FINISHED[$daemon]=1
		fi
	done
	[ -n "${FINISHED[shugo]:-}" ] && [ -n "${FINISHED[snmptrapd]:-}" ] && break
done
echo

# The CPU comparison at the highest rate both took without a loss.
COMMON=0
for rate in $RATES; do
	if [ -n "${STEPOK[shugo.$rate]:-}" ] && [ -n "${STEPOK[snmptrapd.$rate]:-}" ]; then
		COMMON=$rate
	fi
done

MAX_RATE=$(echo "$RATES" | awk '{ print $NF }')
echo "receive buffers as the kernel set them: shugo-trapd ${RBS[shugo]:-?}, snmptrapd ${RBS[snmptrapd]:-?} octets"
echo "== summary"
ours=${LOSSLESS[shugo]} theirs=${LOSSLESS[snmptrapd]}
ours_txt=$ours/s
[ -z "${FINISHED[shugo]:-}" ] && ours_txt=">= $ours/s (no loss at any step)"
theirs_txt=$theirs/s
[ -z "${FINISHED[snmptrapd]:-}" ] && theirs_txt=">= $theirs/s (no loss at any step)"
echo "highest rate without loss (as sent): shugo-trapd $ours_txt, snmptrapd $theirs_txt"
MISSED=0
if [ "$theirs" -gt 0 ]; then
	ratio=$(calc "sprintf(\"%.1f\", $ours / $theirs)")
	result=PASS
	[ "$(calc "($ours >= $GOAL_RATIO * $theirs) ? 1 : 0")" = 1 ] || { result=MISS; MISSED=1; }
	[ -z "${FINISHED[shugo]:-}" ] && [ "$result" = MISS ] && result="MISS (shugo-trapd lost nothing up to $MAX_RATE/s: raise BENCH_RATES)"
	echo "ratio: ${ratio}x (goal >= ${GOAL_RATIO}x): $result"
else
	echo "ratio: snmptrapd lost traps at the lowest rate; no ratio"
	MISSED=1
fi
if [ "$COMMON" -gt 0 ]; then
	echo "CPU per trap at $COMMON/s (both lossless): shugo-trapd ${CPU[shugo.$COMMON]} us" \
		"(schedstat ${CPUNS[shugo.$COMMON]}), snmptrapd ${CPU[snmptrapd.$COMMON]} us (schedstat ${CPUNS[snmptrapd.$COMMON]});" \
		"snmptrapd/shugo-trapd $(calc "sprintf(\"%.1f\", ${CPU[snmptrapd.$COMMON]} / (${CPU[shugo.$COMMON]} > 0 ? ${CPU[shugo.$COMMON]} : 0.1))")x"
else
	echo "CPU per trap: no rate at which both were lossless"
fi

# ===========================================================================
# INFORMs: what each daemon answers, and when. shugo-trapd answers an INFORM
# only once its record is committed (synced); snmptrapd as it reads it. No
# goal: the figures say what the durability costs.

if [ -n "$INFORM_RATES" ]; then
	echo
	echo "== INFORMs ($INFORM_S s per step; unanswered ones are not re-sent)"
	printf '%-8s %8s %-11s %7s %7s %7s %8s %8s %8s %8s\n' rate/s offered daemon sent answered stored \
		"p50 ms" "p99 ms" "max ms" "us/inf"
	for rate in $INFORM_RATES; do
		for daemon in shugo snmptrapd; do
			run_step "$daemon" "$rate" inform
			name=$([ "$daemon" = shugo ] && echo shugo-trapd || echo snmptrapd)
			read -r a50 a99 amax <<<"${ANSWER:-- - -}"
			printf '%-8s %8s %-11s %7s %7s %7s %8s %8s %8s %8s\n' "$rate" "$OFFERED" "$name" "$SENT" \
				"${ACKED:-?}" "$RECV" "$a50" "$a99" "$amax" "$CPU_US"
		done
	done
fi

[ "$MISSED" -eq 0 ] || exit 3
exit 0
