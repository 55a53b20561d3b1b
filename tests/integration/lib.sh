#!/bin/bash
# Shared harness for the integration tests (tests/integration/t_*.sh): a fresh
# temp dir per test, real snmpd / snmptrapd / shugo-agent processes on free
# loopback ports, and small helpers to query them. Source it, then call the
# start_* functions the test needs; everything started here is stopped on exit.
#
# Conventions: a helper that cannot do its job calls fail (exit 1); skip (exit
# 77) is only for a tool that is not installed at all, and names it. Processes
# are found by the pids recorded here, never by name, so a test never touches a
# daemon it did not start (such as the system's own snmpd).

# Variables set here are read by the tests that source this file (SC2034);
# daemons log with -Lf and send stray output to the same file (SC2094); the
# message below quotes shell code on purpose (SC2016).
# shellcheck disable=SC2034,SC2094,SC2016
if [ -z "${BASH_VERSION:-}" ]; then
	echo "lib.sh needs bash: start the test with" \
		'[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"' >&2
	exit 99
fi
set -eu

TEST_NAME=$(basename "$0" .sh)

# make check exports top_srcdir/top_builddir; by hand, both default to the
# repository root (this file lives in tests/integration/).
_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$_lib_dir/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir

SNMPD_BIN=${SNMPD_BIN:-/usr/sbin/snmpd}
SNMPTRAPD_BIN=${SNMPTRAPD_BIN:-/usr/sbin/snmptrapd}

# Test credentials: the v2c community is read-only, SETs need the v3 user.
SNMP_COMMUNITY=shugotest
# Under AddressSanitizer the daemons answer several times slower: tests that
# judge a node by how fast it answers scale their timeouts and windows by
# SLOW (`ms 200` is 200ms, or 800ms under the sanitizers).
case "${SHUGO_BUILD_CFLAGS:-}" in
*-fsanitize*) SLOW=4 ;;
*) SLOW=1 ;;
esac
ms() {
	echo "$(($1 * SLOW))ms"
}
SNMP_USER=shugoadmin
SNMP_AUTH_PASS=shugo-auth-secret
SNMP_PRIV_PASS=shugo-priv-secret
# Engine ID that senders of SNMPv3 TRAPs (not INFORMs) use, so snmptrapd can
# localize the user's keys for it: "shugotest" under an enterprise-format ID.
TEST_ENGINEID=0x8000a4b904736875676f74657374
SNMP_OPTS="-t 1 -r 2"

# ---------------------------------------------------------------------------
# Results

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

ok() {
	echo "ok - $*"
}

# Exit 77 (automake's SKIP). Only for a missing tool; say which one.
skip() {
	echo "SKIP: $TEST_NAME: $*" >&2
	exit 77
}

# require_tool <command> <debian-package>: skip if the command is not installed.
require_tool() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 not installed (Debian package $2)"
}

assert_eq() { # <actual> <expected> <what>
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

assert_match() { # <text> <extended-regex> <what>
	printf '%s\n' "$1" | grep -Eq -- "$2" || fail "$3: '$1' does not match /$2/"
}

# ---------------------------------------------------------------------------
# Temp dir, process bookkeeping, clean-up

T=$(mktemp -d "${TMPDIR:-/tmp}/shugo-$TEST_NAME.XXXXXX")
# The test's own stdout/stderr: an EXIT trap runs with whatever redirection is
# active at that moment (often >/dev/null inside wait_for), and its report
# must still be seen.
exec {_lib_out}>&1 {_lib_err}>&2
_pids=()
_pid_names=()
_at_exit=()

# at_exit <shell code>: run it when the test exits, after its processes are
# stopped (for what is not a process: a network interface, a mount ...).
at_exit() {
	_at_exit+=("$1")
}

# track_pid <pid> <name>: stop this process when the test exits.
track_pid() {
	_pids+=("$1")
	_pid_names+=("$2")
}

untrack_pid() {
	local i
	for i in "${!_pids[@]}"; do
		if [ "${_pids[$i]}" = "$1" ]; then
			unset '_pids[i]' '_pid_names[i]'
		fi
	done
}

# Alive and not a zombie (an exited child stays visible until reaped).
pid_alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

_now_ms() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/[.,]/}
		echo $((t / 1000))
	else
		date +%s%3N
	fi
}

# Seconds as "3" or "2.5" to milliseconds.
_secs_to_ms() {
	local i=${1%%.*} f=
	case $1 in *.*) f=${1#*.} ;; esac
	f=$(printf '%-3.3s' "$f")
	f=${f// /0}
	echo $((10#${i:-0} * 1000 + 10#$f))
}

# stop_pid <pid> [signal] [timeout]: signal a process we started, wait until it
# is gone and reap it. Sets STOP_STATUS to its exit status (128+n if killed).
stop_pid() {
	local pid=$1 sig=${2:-TERM} deadline
	deadline=$(($(_now_ms) + $(_secs_to_ms "${3:-5}")))
	STOP_STATUS=0
	kill "-$sig" "$pid" 2>/dev/null || true
	while pid_alive "$pid"; do
		if [ "$(_now_ms)" -ge "$deadline" ]; then
			echo "$TEST_NAME: pid $pid ignored SIG$sig, sending KILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			deadline=$(($(_now_ms) + 5000))
			sig=KILL
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || STOP_STATUS=$?
	untrack_pid "$pid"
}

# On exit: stop whatever is still running (and say what had died on its own);
# on success remove $T, on failure keep it and print the tail of every log.
_lib_cleanup() {
	local status=$? i f idx
	set +e
	trap - EXIT INT TERM
	exec 1>&"$_lib_out" 2>&"$_lib_err"
	# Newest first: the agent goes before the snmpd it is attached to.
	idx=("${!_pids[@]}")
	for ((i = ${#idx[@]} - 1; i >= 0; i--)); do
		f=${_pids[${idx[$i]}]}
		if pid_alive "$f"; then
			stop_pid "$f" TERM 5
		else
			wait "$f" 2>/dev/null
			echo "$TEST_NAME: ${_pid_names[${idx[$i]}]} (pid $f) had exited with status $?" >&2
		fi
	done
	for f in ${_at_exit[@]+"${_at_exit[@]}"}; do
		eval "$f"
	done
	if [ "$status" -eq 0 ] || [ "$status" -eq 77 ]; then
		rm -rf "$T"
	else
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "---- tail of $f" >&2
			tail -n 40 "$f" >&2
		done
		echo "---- $TEST_NAME failed (status $status); files kept in $T" >&2
	fi
	exit "$status"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Waiting

# wait_for <timeout-seconds> <command...>: run the command every 0.1 s until it
# succeeds; fail the test if it still does not after the timeout. The command
# must not call fail itself (it would end the test on the first try).
wait_for() {
	local timeout=$1 deadline
	shift
	deadline=$(($(_now_ms) + $(_secs_to_ms "$timeout")))
	while :; do
		if "$@" >"$T/wait_for.out" 2>&1; then
			return 0
		fi
		if [ "$(_now_ms)" -ge "$deadline" ]; then
			echo "---- last output of: $*" >&2
			tail -n 20 "$T/wait_for.out" >&2
			fail "timed out after ${timeout}s waiting for: $*"
		fi
		sleep 0.1
	done
}

# _wait_up <pid> <timeout> <command...>: like wait_for, but gives up as soon as
# the process dies. 0 = up, 1 = timed out, 2 = died.
_wait_up() {
	local pid=$1 deadline
	deadline=$(($(_now_ms) + $(_secs_to_ms "$2")))
	shift 2
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		pid_alive "$pid" || return 2
		[ "$(_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------
# MIB environment. Debian ships no IETF base MIBs (SNMPv2-SMI, SNMPv2-TC, ...);
# erlang-snmp's copies serve both net-snmp and libsmi.

ERL_MIBS=
for _d in /usr/lib/erlang/lib/snmp-*/mibs; do
	[ -d "$_d" ] && ERL_MIBS=$_d # normally exactly one version is installed
done
[ -n "$ERL_MIBS" ] || skip "IETF base MIBs not found (Debian package erlang-snmp)"
MIBDIRS="$top_srcdir/mibs:$ERL_MIBS"
MIBS="SNMPv2-MIB:SHUGO-MIB"
SMIPATH="$top_srcdir/mibs:$ERL_MIBS"
# Keep every net-snmp program away from /var/lib/snmp, /etc/snmp and ~/.snmp.
SNMP_PERSISTENT_DIR="$T/persist"
SNMPCONFPATH="$T/snmpconf"
# Made here, not by the first tool to need it: that one would announce it.
mkdir -p "$SNMP_PERSISTENT_DIR/cert_indexes" "$SNMPCONFPATH"
chmod 0700 "$SNMP_PERSISTENT_DIR" "$SNMP_PERSISTENT_DIR/cert_indexes"
export MIBDIRS MIBS SMIPATH SNMP_PERSISTENT_DIR SNMPCONFPATH

# oid <name>: the numeric OID of a MIB name, e.g. oid SHUGO-MIB::shugoNodeName.0
oid() {
	local o
	if ! o=$(snmptranslate -On "$1" 2>/dev/null) || [ -z "$o" ]; then
		fail "cannot translate $1"
	fi
	echo "$o"
}

# ---------------------------------------------------------------------------
# Ports

_ports_given=" "

_pick_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
	else
		local p
		while :; do
			p=$((20000 + RANDOM % 40000))
			[ -z "$(ss -Hlun "sport = :$p" 2>/dev/null)" ] && break
		done
		echo "$p"
	fi
}

# free_udp_port: a loopback UDP port nobody listens on, never the same twice
# in one test (two daemons started back to back must not get one port).
free_udp_port() {
	local p
	while :; do
		p=$(_pick_port) || fail "cannot pick a free UDP port"
		case $_ports_given in *" $p "*) continue ;; esac
		_ports_given="$_ports_given$p "
		echo "$p"
		return 0
	done
}

# ---------------------------------------------------------------------------
# SNMP client wrappers. Options go first and must be written attached
# (-Oqv, -Cc); the rest are OIDs (and for sset: OID TYPE VALUE triples).

_split_opts() {
	_snmp_opts=()
	_snmp_args=()
	while [ $# -gt 0 ]; do
		case $1 in
		-*) _snmp_opts+=("$1") ;;
		*) break ;;
		esac
		shift
	done
	_snmp_args=("$@")
}

_v3_auth() {
	echo "-v3 -l authPriv -u $SNMP_USER -a SHA-256 -A $SNMP_AUTH_PASS -x AES -X $SNMP_PRIV_PASS"
}

sget() {
	_split_opts "$@"
	# shellcheck disable=SC2086
	snmpget -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "${_snmp_opts[@]}" "127.0.0.1:$SNMPD_PORT" "${_snmp_args[@]}"
}

swalk() {
	_split_opts "$@"
	# shellcheck disable=SC2086
	snmpwalk -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "${_snmp_opts[@]}" "127.0.0.1:$SNMPD_PORT" "${_snmp_args[@]}"
}

sgetnext() {
	_split_opts "$@"
	# shellcheck disable=SC2086
	snmpgetnext -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "${_snmp_opts[@]}" "127.0.0.1:$SNMPD_PORT" "${_snmp_args[@]}"
}

sset() {
	_split_opts "$@"
	# shellcheck disable=SC2046,SC2086
	snmpset $(_v3_auth) $SNMP_OPTS "${_snmp_opts[@]}" "127.0.0.1:$SNMPD_PORT" "${_snmp_args[@]}"
}

# sval <oid>: just the value (quoted strings unquoted); fails on an SNMP
# exception such as noSuchObject, which snmpget reports with status 0.
sval() {
	local v
	v=$(sget -Oqv "$@") || return 1
	case $v in
	"No Such Object"* | "No Such Instance"* | "No more variables"*) return 1 ;;
	esac
	v=${v#\"}
	printf '%s\n' "${v%\"}"
}

# ---------------------------------------------------------------------------
# snmpd: the master agent the shugo-agent attaches to over AgentX.

_write_snmpd_conf() {
	cat >"$T/snmpd.conf" <<EOF
# Written by tests/integration/lib.sh for $TEST_NAME.
master agentx
agentXSocket $AGENTX_SOCKET
agentXPerms 0600 0700
agentaddress udp:127.0.0.1:$SNMPD_PORT
rocommunity $SNMP_COMMUNITY 127.0.0.1
createUser $SNMP_USER SHA-256 $SNMP_AUTH_PASS AES $SNMP_PRIV_PASS
rwuser -s usm $SNMP_USER priv
# Keep the log to what matters when a test fails.
dontLogTCPWrappersConnects yes
${SNMPD_EXTRA_CONF:-}
EOF
}

_snmpd_answers() {
	sget -t1 -r0 SNMPv2-MIB::sysUpTime.0
}

# 0 = answering; 1 = it died because the port was taken; fails otherwise.
_run_snmpd() {
	local rc=0
	: >"$T/snmpd.log"
	# The address is in snmpd.conf (agentaddress); giving it on the command
	# line as well would make snmpd bind it twice and exit.
	"$SNMPD_BIN" -f -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -p "$T/snmpd.pid" \
		</dev/null >>"$T/snmpd.log" 2>&1 &
	SNMPD_PID=$!
	track_pid "$SNMPD_PID" snmpd
	_wait_up "$SNMPD_PID" "${SNMPD_START_TIMEOUT:-10}" _snmpd_answers || rc=$?
	case $rc in
	0) return 0 ;;
	2)
		stop_pid "$SNMPD_PID"
		grep -q "Error opening specified endpoint" "$T/snmpd.log" && return 1
		fail "snmpd exited at start-up"
		;;
	*)
		fail "snmpd did not answer sysUpTime.0 on 127.0.0.1:$SNMPD_PORT"
		;;
	esac
}

# start_snmpd: snmpd on a free loopback port, AgentX master on $AGENTX_SOCKET.
# Sets SNMPD_PORT, SNMPD_PID, AGENTX_SOCKET. Lines in $SNMPD_EXTRA_CONF are
# added to its snmpd.conf (such as a trap2sink).
start_snmpd() {
	require_tool "$SNMPD_BIN" snmpd
	require_tool snmpget snmp
	AGENTX_SOCKET="$T/agentx.sock"
	# A Unix socket path must fit sun_path (108 bytes on Linux).
	[ "${#AGENTX_SOCKET}" -lt 100 ] || fail "TMPDIR is too long for an AgentX socket path: $AGENTX_SOCKET"
	local _try
	for _try in 1 2 3 4 5; do
		SNMPD_PORT=$(free_udp_port)
		_write_snmpd_conf
		_run_snmpd && return 0
		echo "$TEST_NAME: port $SNMPD_PORT was taken, picking another" >&2
	done
	fail "snmpd could not bind a loopback port in 5 tries"
}

stop_snmpd() {
	[ -n "${SNMPD_PID:-}" ] || fail "stop_snmpd: snmpd not started"
	stop_pid "$SNMPD_PID"
	SNMPD_PID=
}

# start_snmpd_again: after stop_snmpd, start it on the same port and socket.
start_snmpd_again() {
	[ -n "${SNMPD_PORT:-}" ] || fail "start_snmpd_again: start_snmpd first"
	[ -z "${SNMPD_PID:-}" ] || fail "start_snmpd_again: snmpd is running"
	_run_snmpd || fail "snmpd could not bind port $SNMPD_PORT again"
}

# restart_snmpd: stop and start again on the same port and AgentX socket.
restart_snmpd() {
	stop_snmpd
	_run_snmpd || fail "snmpd could not bind port $SNMPD_PORT again"
}

# ---------------------------------------------------------------------------
# snmptrapd: an independent receiver of the agent's notifications. It logs
# numerically (-On) so tests match exact OIDs whether or not a MIB loads: find
# them with $(oid NAME). Each notification is logged as
#   NOTIF sec=<community or v3 user> from=<transport>
#   VB <oid> = <type>: <value>        (one line per varbind)
#   END

_write_trapd_conf() {
	cat >"$T/snmptrapd.conf" <<EOF
# Written by tests/integration/lib.sh for $TEST_NAME.
snmpTrapdAddr udp:127.0.0.1:$TRAPD_PORT
authCommunity log,execute,net $SNMP_COMMUNITY
# INFORMs are sent to snmptrapd's own engine; TRAPs from the sender's, which
# must be known in advance.
createUser $SNMP_USER SHA-256 $SNMP_AUTH_PASS AES $SNMP_PRIV_PASS
createUser -e $TEST_ENGINEID $SNMP_USER SHA-256 $SNMP_AUTH_PASS AES $SNMP_PRIV_PASS
authUser log,execute,net $SNMP_USER priv
format2 NOTIF sec=%u from=%b\nVB %V\nVB %v\nEND\n
${TRAPD_EXTRA_CONF:-}
EOF
}

# start_trapd: snmptrapd on a free loopback port. Sets TRAPD_PORT, TRAPD_PID.
start_trapd() {
	require_tool "$SNMPTRAPD_BIN" snmptrapd
	require_tool snmptrap snmp
	local _try rc
	for _try in 1 2 3 4 5; do
		TRAPD_PORT=$(free_udp_port)
		_write_trapd_conf
		: >"$T/snmptrapd.log"
		# -X: do not look for an AgentX master; this receiver stands alone.
		"$SNMPTRAPD_BIN" -f -Lf "$T/snmptrapd.log" -C -c "$T/snmptrapd.conf" -n -On -X \
			-p "$T/snmptrapd.pid" </dev/null >>"$T/snmptrapd.log" 2>&1 &
		TRAPD_PID=$!
		track_pid "$TRAPD_PID" snmptrapd
		rc=0
		# It logs its version once its ports are open.
		_wait_up "$TRAPD_PID" "${TRAPD_START_TIMEOUT:-10}" \
			grep -q "^NET-SNMP version" "$T/snmptrapd.log" || rc=$?
		[ "$rc" -eq 0 ] && return 0
		[ "$rc" -eq 2 ] || fail "snmptrapd did not start on 127.0.0.1:$TRAPD_PORT"
		stop_pid "$TRAPD_PID"
		grep -q "couldn't open" "$T/snmptrapd.log" || fail "snmptrapd exited at start-up"
		echo "$TEST_NAME: port $TRAPD_PORT was taken, picking another" >&2
	done
	fail "snmptrapd could not bind a loopback port in 5 tries"
}

stop_trapd() {
	[ -n "${TRAPD_PID:-}" ] || fail "stop_trapd: snmptrapd not started"
	stop_pid "$TRAPD_PID"
	TRAPD_PID=
}

# trapd_wait <timeout> <extended-regex>: wait until a logged line matches.
trapd_wait() {
	wait_for "$1" grep -Eq -- "$2" "$T/snmptrapd.log"
}

# trapd_count <extended-regex>: how many logged lines match.
trapd_count() {
	grep -Ec -- "$1" "$T/snmptrapd.log" || true
}

# strap <trapoid> [oid type value]...: a v2c TRAP to our snmptrapd.
strap() {
	snmptrap -v2c -c "$SNMP_COMMUNITY" "127.0.0.1:$TRAPD_PORT" '' "$@"
}

# sinform <trapoid> [oid type value]...: a v3 authPriv INFORM to our snmptrapd.
sinform() {
	# shellcheck disable=SC2046,SC2086
	snmpinform $(_v3_auth) $SNMP_OPTS "127.0.0.1:$TRAPD_PORT" '' "$@"
}

# ---------------------------------------------------------------------------
# shugo-agent. The test writes $T/shugo.yaml first, using $AGENTX_SOCKET,
# $SHUGO_STATE_DIR, $TRAPD_PORT and the credentials above.

SHUGO_STATE_DIR="$T/state"
AGENT_BIN="$top_builddir/agent/shugo-agent"

_agent_answers() {
	sval SHUGO-MIB::shugoNodeName.0
}

# start_agent <node> [extra agent arguments]: run the agent in the foreground
# (in the background of this shell) and wait until snmpd serves its MIB.
start_agent() {
	local node=${1:?start_agent: node name}
	shift
	[ -x "$AGENT_BIN" ] || fail "$AGENT_BIN is not built"
	[ -f "$T/shugo.yaml" ] || fail "start_agent: write $T/shugo.yaml first"
	[ -n "${SNMPD_PID:-}" ] || fail "start_agent: start_snmpd first"
	_launch_agent shugo-agent "did not register (shugoNodeName.0 unanswered)" "$node" "$@"
}

# _launch_agent <label> <what-if-silent> <node> [args]: start the agent on
# $T/shugo.yaml and wait until shugoNodeName.0 answers at $SNMPD_PORT.
_launch_agent() {
	local label=$1 silent=$2 node=$3
	shift 3
	AGENT_NODE=$node
	"$AGENT_BIN" -f -c "$T/shugo.yaml" -N "$node" "$@" </dev/null >>"$T/agent.log" 2>&1 &
	AGENT_PID=$!
	track_pid "$AGENT_PID" shugo-agent
	local rc=0
	_wait_up "$AGENT_PID" "${AGENT_START_TIMEOUT:-15}" _agent_answers || rc=$?
	case $rc in
	0) return 0 ;;
	2)
		stop_pid "$AGENT_PID"
		fail "$label exited at start-up (status $STOP_STATUS)"
		;;
	*)
		fail "$label $silent"
		;;
	esac
}

# stop_agent [signal]: stop it and wait; AGENT_STATUS is its exit status.
stop_agent() {
	[ -n "${AGENT_PID:-}" ] || fail "stop_agent: agent not started"
	stop_pid "$AGENT_PID" "${1:-TERM}" 10
	AGENT_STATUS=$STOP_STATUS
	AGENT_PID=
}

restart_agent() {
	stop_agent TERM
	start_agent "$AGENT_NODE" "$@"
}

# check_agent_config [args]: the agent's check-only mode (-n) on $T/shugo.yaml.
check_agent_config() {
	[ -x "$AGENT_BIN" ] || fail "$AGENT_BIN is not built"
	"$AGENT_BIN" -n -c "$T/shugo.yaml" "$@"
}

# agent_config [target...]: the agent:, snmp: and notify: sections of a
# shugo.yaml for this test (its AgentX socket and state dir, the test's v3
# user), printed on stdout; the test adds processes:/resources: and writes
# the whole to $T/shugo.yaml. One notification target per argument, each aimed
# at our snmptrapd: inform:2c, inform:3 or trap:2c (a v3 TRAP would need the
# agent's engine ID in snmptrapd.conf). AGENT_PING and AGENT_SAMPLE set
# agentx_ping and sample_interval (default 1s both); AGENT_EXTRA holds more
# lines of the agent: section ("  event_batch: 2s").
agent_config() {
	local spec
	cat <<EOF
# Written by $TEST_NAME.
agent:
  agentx_socket: $AGENTX_SOCKET
  state_dir: $SHUGO_STATE_DIR
  event_socket: $T/event.sock
  agentx_ping: ${AGENT_PING:-1s}
  sample_interval: ${AGENT_SAMPLE:-1s}
${AGENT_EXTRA:-}
snmp:
  users:
    - name: $SNMP_USER
      auth: SHA-256
      auth_password: "$SNMP_AUTH_PASS"
      priv: AES
      priv_password: "$SNMP_PRIV_PASS"
EOF
	[ $# -gt 0 ] || return 0
	[ -n "${TRAPD_PORT:-}" ] || fail "agent_config: start_trapd first"
	echo "notify:"
	echo "  targets:"
	for spec in "$@"; do
		echo "    - name: ${spec/:/-}"
		echo "      address: udp:127.0.0.1:$TRAPD_PORT"
		case $spec in
		inform:2c | trap:2c)
			echo "      type: ${spec%%:*}"
			echo "      version: 2c"
			echo "      community: $SNMP_COMMUNITY"
			;;
		inform:3)
			echo "      type: inform"
			echo "      version: 3"
			echo "      user: $SNMP_USER"
			;;
		*) fail "agent_config: unknown target '$spec'" ;;
		esac
	done
}

# snum <oid>: a value as a bare number: enumerations numerically, no UNITS.
snum() {
	sval -Oe -OU "$@"
}

# sset_fails <error> <oid> <type> <value> [...]: a v3 SET that must be refused
# with this SNMP error (wrongValue, inconsistentValue, notWritable ...). The
# client checks no type or range itself (-Ir): the agent must.
sset_fails() {
	local want=$1 out
	shift
	if out=$(sset -Ir "$@" 2>&1); then
		fail "SET $* succeeded, expected $want"
	fi
	printf '%s\n' "$out" | grep -q "^Reason: $want\b" ||
		fail "SET $*: expected $want, got: $out"
}

# ---------------------------------------------------------------------------
# The agent's notifications as snmptrapd logged them, one line each, in the
# order received:
#   type=<name> sec=<community|user> seq=<n> boot=<n> node=<s> sev=<n>
#   object=<s> state=<s> alarm=<n> detail=<text to the end of the line>
# A notification logged twice (an INFORM re-sent before its answer came) is
# listed once. Match lines with an extended regex, e.g.
#   'type=shugoProcExited sec=shugotest .* object=proc:web state=abnormal '

_notif_names_file() {
	local f="$T/notif-names" i oids=()
	if [ ! -s "$f" ]; then
		for i in $(seq 1 24); do
			oids+=(".1.3.6.1.4.1.32473.7.0.$i")
		done
		# One name per OID, separated by empty lines.
		snmptranslate -Os "${oids[@]}" 2>/dev/null | grep -v '^$' >"$f.tmp" ||
			fail "cannot translate shugoNotifications"
		[ "$(wc -l <"$f.tmp")" -eq ${#oids[@]} ] || fail "cannot translate every shugoNotifications OID"
		paste -d' ' <(printf '%s\n' "${oids[@]}") "$f.tmp" >"$f" || fail "cannot list notification names"
		rm -f "$f.tmp"
	fi
	echo "$f"
}

trapd_events() {
	awk -v names="$(_notif_names_file)" '
	BEGIN {
		while ((getline l < names) > 0) { split(l, p, " "); name[p[1]] = p[2] }
		pre = ".1.3.6.1.4.1.32473.7.1.10."
	}
	function val(s) {
		sub(/^[^ =]+ = /, "", s)
		if (s ~ /^[A-Za-z0-9-]+: /) sub(/^[A-Za-z0-9-]+: /, "", s)
		else if (s ~ /^[A-Za-z0-9-]+:$/) s = ""
		if (s ~ /^".*"$/) s = substr(s, 2, length(s) - 2)
		if (s ~ /^[A-Za-z]+\(-?[0-9]+\)$/) { sub(/^[A-Za-z]+\(/, "", s); sub(/\)$/, "", s) }
		return s
	}
	/^NOTIF / {
		inb = 1; split("", v)
		sec = $2; sub(/^sec=/, "", sec)
		next
	}
	inb && /^VB / {
		line = substr($0, 4); o = line; sub(/ = .*/, "", o)
		if (o == ".1.3.6.1.6.3.1.1.4.1.0") { t = val(line); v["type"] = (t in name) ? name[t] : t }
		else if (index(o, pre) == 1) { k = substr(o, length(pre) + 1); sub(/\.0$/, "", k); v[k] = val(line) }
		next
	}
	inb && /^END$/ {
		inb = 0
		out = sprintf("type=%s sec=%s seq=%s boot=%s node=%s sev=%s object=%s state=%s alarm=%s detail=%s",
			v["type"], sec, v[3], v[2], v[1], v[4], v[5], v[6], v[9], v[7])
		if (!(out in seen)) { seen[out] = 1; print out }
	}' "$T/snmptrapd.log"
}

# trapd_has <extended-regex>: some notification line matches.
trapd_has() {
	trapd_events | grep -Eq -- "$1"
}

# trapd_event <extended-regex>: the first matching notification line (status 1
# if none).
trapd_event() {
	trapd_events | grep -E -m1 -- "$1"
}

# trapd_wait_event <timeout> <extended-regex>: wait until one has arrived.
trapd_wait_event() {
	wait_for "$1" trapd_has "$2"
}

# ev_get <line> <field>: one field of a notification line.
ev_get() {
	local head=" ${1%% detail=*}"
	case $2 in
	detail) printf '%s\n' "${1#* detail=}" ;;
	*) printf '%s\n' "$head" | sed -n "s/.* $2=\([^ ]*\).*/\1/p" ;;
	esac
}

# inst_pids <process name>: the pids of its rows in shugoProcInstTable, one a
# line, ascending (nothing if it has none).
inst_pids() {
	local prefix
	prefix=$(oid "SHUGO-MIB::shugoProcInstPpid.\"$1\"")
	# An empty subtree is answered by a GET of the prefix: "No Such Instance".
	swalk -On "$prefix" | grep -v ' = No Such ' | sed -n "s/^${prefix//./\\.}\.\([0-9][0-9]*\) = .*/\1/p"
}

# ppid_of <pid>: the parent of a process, from /proc.
ppid_of() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f2
}

# ---------------------------------------------------------------------------
# shugo-agent in master mode: it answers SNMP itself, with no snmpd in front.

# start_agent_master <node> [extra agent arguments]: the test picks
# AGENT_PORT (free_udp_port) and writes $T/shugo.yaml with mode: master,
# listen: [udp:127.0.0.1:$AGENT_PORT], a read community $SNMP_COMMUNITY from
# 127.0.0.1 and the v3 user above. Runs the agent like start_agent and waits
# until it answers shugoNodeName.0 on that port. SNMPD_PORT is pointed at the
# agent, so sget, swalk, sset, sval ... query it from then on.
start_agent_master() {
	local node=${1:?start_agent_master: node name}
	shift
	[ -x "$AGENT_BIN" ] || fail "$AGENT_BIN is not built"
	[ -f "$T/shugo.yaml" ] || fail "start_agent_master: write $T/shugo.yaml first"
	[ -n "${AGENT_PORT:-}" ] || fail "start_agent_master: set AGENT_PORT (free_udp_port) and listen on it"
	require_tool snmpget snmp
	SNMPD_PORT=$AGENT_PORT
	_launch_agent "shugo-agent (master mode)" "did not answer shugoNodeName.0 on 127.0.0.1:$AGENT_PORT" \
		"$node" "$@"
}

# ---------------------------------------------------------------------------
# Several nodes on one host: each node has its own snmpd (AgentX master on its
# own socket, its own loopback port and persistent dir) and its own shugo-agent
# (own state dir), so a test can stop one node's snmpd or agent and leave the
# others be. The test writes $T/<node>.yaml for each agent, using
# node_agent_config <node> for the agent: and snmp: sections. Files live in
# $T/n-<node>/, logs are $T/<node>-snmpd.log and $T/<node>-agent.log.

declare -A NODE_PORT=() NODE_SNMPD_PID=() NODE_AGENT_PID=() NODE_AGENT_STATUS=()

node_dir() {
	echo "$T/n-$1"
}

_node_snmpd_conf() {
	local node=$1 dir
	dir=$(node_dir "$node")
	cat >"$dir/snmpd.conf" <<EOC
# Written by tests/integration/lib.sh for $TEST_NAME, node $node.
master agentx
agentXSocket $dir/agentx.sock
agentXPerms 0600 0700
agentaddress udp:127.0.0.1:${NODE_PORT[$node]}
rocommunity $SNMP_COMMUNITY 127.0.0.1
createUser $SNMP_USER SHA-256 $SNMP_AUTH_PASS AES $SNMP_PRIV_PASS
rwuser -s usm $SNMP_USER priv
dontLogTCPWrappersConnects yes
EOC
}

# node_sget <node> [options] <oid>...: snmpget (v2c) at that node's snmpd.
node_sget() {
	local node=$1
	shift
	_split_opts "$@"
	# shellcheck disable=SC2086
	snmpget -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "${_snmp_opts[@]}" "127.0.0.1:${NODE_PORT[$node]}" \
		"${_snmp_args[@]}"
}

# node_swalk <node> [options] <oid>: snmpwalk (v2c) at that node's snmpd.
node_swalk() {
	local node=$1
	shift
	_split_opts "$@"
	# shellcheck disable=SC2086
	snmpwalk -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "${_snmp_opts[@]}" "127.0.0.1:${NODE_PORT[$node]}" \
		"${_snmp_args[@]}"
}

# node_sval <node> <oid>: the bare value, like sval.
node_sval() {
	local v
	v=$(node_sget "$1" -Oqv "$2") || return 1
	case $v in
	"No Such Object"* | "No Such Instance"* | "No more variables"*) return 1 ;;
	esac
	v=${v#\"}
	printf '%s\n' "${v%\"}"
}

# node_snmpd_start <node>: start the node's snmpd; the first start picks its
# port (NODE_PORT[<node>]), a later one (after node_snmpd_stop) reuses it.
node_snmpd_start() {
	local node=${1:?node_snmpd_start: node name} dir rc _try
	require_tool "$SNMPD_BIN" snmpd
	require_tool snmpget snmp
	dir=$(node_dir "$node")
	mkdir -p "$dir/persist" "$dir/state"
	chmod 0700 "$dir" "$dir/persist"
	[ "${#dir}" -lt 90 ] || fail "TMPDIR is too long for an AgentX socket path in $dir"
	[ -z "${NODE_SNMPD_PID[$node]:-}" ] || fail "node_snmpd_start: snmpd of $node is running"
	for _try in 1 2 3 4 5; do
		local again=${NODE_PORT[$node]:-}
		[ -n "$again" ] || NODE_PORT[$node]=$(free_udp_port)
		_node_snmpd_conf "$node"
		SNMP_PERSISTENT_DIR="$dir/persist" "$SNMPD_BIN" -f -Lf "$T/$node-snmpd.log" -C -c "$dir/snmpd.conf" \
			-p "$dir/snmpd.pid" </dev/null >>"$T/$node-snmpd.log" 2>&1 &
		NODE_SNMPD_PID[$node]=$!
		track_pid "$!" "snmpd ($node)"
		rc=0
		_wait_up "${NODE_SNMPD_PID[$node]}" "${SNMPD_START_TIMEOUT:-10}" \
			node_sget "$node" -t1 -r0 SNMPv2-MIB::sysUpTime.0 || rc=$?
		case $rc in
		0) return 0 ;;
		2)
			stop_pid "${NODE_SNMPD_PID[$node]}"
			NODE_SNMPD_PID[$node]=
			if [ -n "$again" ] || ! grep -q "Error opening specified endpoint" "$T/$node-snmpd.log"; then
				fail "snmpd of $node exited at start-up"
			fi
			echo "$TEST_NAME: port ${NODE_PORT[$node]} was taken, picking another" >&2
			NODE_PORT[$node]=
			;;
		*) fail "snmpd of $node did not answer on 127.0.0.1:${NODE_PORT[$node]}" ;;
		esac
	done
	fail "snmpd of $node could not bind a loopback port in 5 tries"
}

# node_snmpd_stop <node> [signal]
node_snmpd_stop() {
	[ -n "${NODE_SNMPD_PID[$1]:-}" ] || fail "node_snmpd_stop: snmpd of $1 is not running"
	stop_pid "${NODE_SNMPD_PID[$1]}" "${2:-TERM}"
	NODE_SNMPD_PID[$1]=
}

# node_agent_config <node>: the agent: and snmp: sections of $T/<node>.yaml;
# AGENT_EXTRA holds more lines of agent: (as for agent_config)
# (the node's AgentX socket and state dir, the test's v3 user).
node_agent_config() {
	local dir
	dir=$(node_dir "$1")
	cat <<EOC
agent:
  agentx_socket: $dir/agentx.sock
  state_dir: $dir/state
  event_socket: $dir/event.sock
  agentx_ping: ${AGENT_PING:-1s}
  sample_interval: ${AGENT_SAMPLE:-1s}
${AGENT_EXTRA:-}
snmp:
  users:
    - name: $SNMP_USER
      auth: SHA-256
      auth_password: "$SNMP_AUTH_PASS"
      priv: AES
      priv_password: "$SNMP_PRIV_PASS"
EOC
}

# node_agent_start <node> [agent arguments]: run the agent on $T/<node>.yaml
# and wait until the node's snmpd serves its shugoNodeName.0.
node_agent_start() {
	local node=${1:?node_agent_start: node name} rc=0
	shift
	[ -x "$AGENT_BIN" ] || fail "$AGENT_BIN is not built"
	[ -f "$T/$node.yaml" ] || fail "node_agent_start: write $T/$node.yaml first"
	[ -z "${NODE_AGENT_PID[$node]:-}" ] || fail "node_agent_start: the agent of $node is running"
	"$AGENT_BIN" -f -c "$T/$node.yaml" -N "$node" "$@" </dev/null >>"$T/$node-agent.log" 2>&1 &
	NODE_AGENT_PID[$node]=$!
	track_pid "$!" "shugo-agent ($node)"
	_wait_up "${NODE_AGENT_PID[$node]}" "${AGENT_START_TIMEOUT:-15}" node_sval "$node" \
		SHUGO-MIB::shugoNodeName.0 || rc=$?
	case $rc in
	0) return 0 ;;
	2)
		stop_pid "${NODE_AGENT_PID[$node]}"
		NODE_AGENT_PID[$node]=
		fail "shugo-agent of $node exited at start-up (status $STOP_STATUS)"
		;;
	*) fail "shugo-agent of $node did not register (shugoNodeName.0 unanswered)" ;;
	esac
}

# node_agent_stop <node> [signal]: NODE_AGENT_STATUS[<node>] is its exit status.
node_agent_stop() {
	[ -n "${NODE_AGENT_PID[$1]:-}" ] || fail "node_agent_stop: the agent of $1 is not running"
	stop_pid "${NODE_AGENT_PID[$1]}" "${2:-TERM}" 10
	NODE_AGENT_STATUS[$1]=$STOP_STATUS
	NODE_AGENT_PID[$1]=
}

# --- a manager and shugo-trapd over the nodes -----------------------------------
# nodes_cluster_yaml: the cluster: section for the nodes of the array NODES,
# each at its snmpd's port (node_snmpd_start first).
nodes_cluster_yaml() {
	local m
	echo "cluster:"
	echo "  nodes:"
	for m in "${NODES[@]}"; do
		echo "    - name: $m"
		echo "      address: udp:127.0.0.1:${NODE_PORT[$m]}"
	done
}

# _daemon_starts <log> <node>: how often the daemon logged its start as node
_daemon_starts() {
	grep -c " started as node $2" "$1" 2>/dev/null || true
}
_daemon_started() { # <log> <node> <n>
	[ "$(_daemon_starts "$1" "$2")" -ge "$3" ]
}

# start_manager_daemon <config> <node>: shugo-manager in the foreground with
# debug logging into $T/manager.log, until it says it started; MANAGER_PID.
start_manager_daemon() {
	local n rc=0
	[ -x "$top_builddir/manager/shugo-manager" ] || fail "shugo-manager is not built"
	n=$(_daemon_starts "$T/manager.log" "$2")
	"$top_builddir/manager/shugo-manager" -f -d -c "$1" -N "$2" </dev/null >>"$T/manager.log" 2>&1 &
	MANAGER_PID=$!
	track_pid "$MANAGER_PID" shugo-manager
	_wait_up "$MANAGER_PID" 10 _daemon_started "$T/manager.log" "$2" $((n + 1)) || rc=$?
	[ "$rc" -eq 0 ] || fail "shugo-manager did not start (status $rc)"
}

# start_shugo_trapd_daemon <config> <node>: shugo-trapd into
# $T/shugo-trapd.log, until it says it started; SHUGO_TRAPD_PID.
start_shugo_trapd_daemon() {
	local n rc=0
	[ -x "$top_builddir/trapd/shugo-trapd" ] || fail "shugo-trapd is not built"
	n=$(_daemon_starts "$T/shugo-trapd.log" "$2")
	"$top_builddir/trapd/shugo-trapd" -f -c "$1" -N "$2" </dev/null >>"$T/shugo-trapd.log" 2>&1 &
	SHUGO_TRAPD_PID=$!
	track_pid "$SHUGO_TRAPD_PID" shugo-trapd
	_wait_up "$SHUGO_TRAPD_PID" 10 _daemon_started "$T/shugo-trapd.log" "$2" $((n + 1)) || rc=$?
	[ "$rc" -eq 0 ] || fail "shugo-trapd did not start (status $rc)"
}

# trapd_notify_yaml: the notify: section that sends every notification as an
# INFORM (v2c) to shugo-trapd at 127.0.0.1:$TRAPD_PORT.
trapd_notify_yaml() {
	cat <<EOC
notify:
  targets:
    - name: trapd
      address: udp:127.0.0.1:$TRAPD_PORT
      type: inform
      version: 2c
      community: $SNMP_COMMUNITY
      timeout: 200ms
      retries: 1
EOC
}

# resources_off_yaml: a resources: section that samples nothing (the tests
# that are about something else stay quiet).
resources_off_yaml() {
	printf 'resources:\n  cpu: off\n  memory: off\n  swap: off\n  load: off\n'
}
