# shellcheck shell=bash
# What the benchmark scripts share (agent-bench.sh, poller-bench.sh,
# trapd-bench.sh): messages, time and arithmetic, stopping processes and
# reading their CPU, free loopback ports, and the run's frame: a private temp
# dir ($T) with net-snmp kept off the system's MIBs, configuration and state,
# a clean-up on every exit, and a watchdog that ends a run that hangs.
#
# A script sets BENCH (its name, for messages) and MAX_RUN_S, sources this
# file, defines bench_stop (stop what it started; the pids it names must be
# set, empty or not, before bench_setup), then calls bench_setup <prefix>.
# Only pids the script recorded are ever signalled.

# Functions called only through traps or wait_until look unreachable (SC2317).
# shellcheck disable=SC2317

die() {
	echo "$BENCH: $*" >&2
	exit 1
}

now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "$t"
}

calc() { # <awk expression>
	awk "BEGIN { print $1 }"
}

# stop_pid <pid> [timeout-s]: TERM, then KILL if it lingers; reap it.
stop_pid() {
	local pid=$1 n=$((${2:-5} * 20))
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null)" != Z ]; do
		n=$((n - 1))
		if [ "$n" -le 0 ]; then
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || true
}

# wait_until <timeout-s> <command...>: poll every 0.1 s; 1 on time-out.
# The command runs in this shell, so it may set variables for the caller.
wait_until() {
	local deadline=$(($(now_us) + $1 * 1000000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_us)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

free_udp_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

free_tcp_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

alive() { # <pid>
	kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z ]
}

# CPU of a whole process, every thread: utime + stime, in clock ticks.
ticks() { # <pid>
	local st rest
	st=$(cat "/proc/$1/stat")
	rest=${st##*) }
	# shellcheck disable=SC2086
	set -- $rest
	echo $((${12} + ${13}))
}

# The same in nanoseconds on CPU, summed over the threads (schedstat is per
# thread).
cpu_ns() { # <pid>
	local f a sum=0
	for f in /proc/"$1"/task/*/schedstat; do
		read -r a _ <"$f" 2>/dev/null || continue
		sum=$((sum + a))
	done
	echo "$sum"
}

# The EXIT trap: the script's processes, then the watchdog; the temp dir
# goes after a run that finished (status 0, or 3: finished below a goal),
# unless BENCH_KEEP is set; after a failure it stays, with the tails of its
# logs on stderr.
_bench_cleanup() {
	local status=$? f
	set +e
	trap - EXIT INT TERM
	bench_stop
	stop_pid "$WATCHDOG_PID" 2
	if [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; then
		if [ -n "${BENCH_KEEP:-}" ]; then
			echo "files kept in $T"
		else
			rm -rf "$T"
		fi
	else
		for f in "$T"/*.log; do
			[ -s "$f" ] || continue
			echo "---- tail of $f" >&2
			tail -n 20 "$f" | cut -c1-300 >&2
		done
		echo "$BENCH: failed (status $status); files kept in $T" >&2
	fi
	exit "$status"
}

# bench_setup <prefix>: $T, the net-snmp environment, the traps, the watchdog.
bench_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	chmod 700 "$T"
	export MIBS=
	export SNMP_PERSISTENT_DIR=$T/persist
	export SNMPCONFPATH=$T/snmpconf
	mkdir -p "$SNMP_PERSISTENT_DIR" "$SNMPCONFPATH"
	chmod 700 "$SNMP_PERSISTENT_DIR"
	WATCHDOG_PID=
	trap _bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# The run stops by itself even if something hangs between two bounded
	# steps; the watchdog takes its sleep down with it.
	(
		sleep "$MAX_RUN_S" &
		trap 'kill $! 2>/dev/null; exit 0' TERM
		wait $! || exit 0
		echo "$BENCH: still running after ${MAX_RUN_S}s, giving up" >&2
		kill -TERM $$
	) &
	WATCHDOG_PID=$!
}
