#!/bin/bash
# The whole manager side at once: three nodes on loopback (each its own snmpd
# and shugo-agent) keep emitting notifications (a process that exits and is
# restarted over and over) to shugo-trapd, and shugo-manager polls them. Both
# daemons are killed with -9 while the agents go on, and started again: in the
# end the central log holds every notification of every node exactly once,
# and `shugoctl log` lists them in order of occurrence.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool sqlite3 sqlite3
require_tool python3 python3
MANAGER_BIN="$top_builddir/manager/shugo-manager"
SHUGO_TRAPD_BIN="$top_builddir/trapd/shugo-trapd"
SHUGOCTL_BIN="$top_builddir/manager/shugoctl"
for b in "$MANAGER_BIN" "$SHUGO_TRAPD_BIN" "$SHUGOCTL_BIN"; do
	[ -x "$b" ] || fail "$b is not built"
done

NODES=(alpha beta gamma)
STORE="$T/store.db"
TRAPD_PORT=$(free_udp_port)

q() { # <sql>: one query on the store, read-only
	sqlite3 -readonly "$STORE" "$1"
}

q_is() { # <expected> <sql>
	[ "$(q "$2")" = "$1" ]
}

for n in "${NODES[@]}"; do
	node_snmpd_start "$n"
done

# agent_yaml <node> [quiet]: notifications go to shugo-trapd as INFORMs; the
# process "flap" exits 300 ms after each start and is restarted at once
# (exited + started every ~0.4 s), unless "quiet".
agent_yaml() {
	nodes_cluster_yaml
	node_agent_config "$1"
	trapd_notify_yaml
	resources_off_yaml
	if [ "${2:-}" != quiet ]; then
		cat <<EOF
processes:
  - name: flap
    command: [/bin/sh, -c, "sleep 0.3; exit 1"]
    restart: always
    backoff: 100ms
    damping: off
EOF
	fi
}

cat >"$T/manager.yaml" <<EOF
$(nodes_cluster_yaml)
agent:
  agentx_ping: 1s
trapd:
  listen: [udp:127.0.0.1:$TRAPD_PORT]
  communities: [$SNMP_COMMUNITY]
  batch_delay: 10ms
manager:
  store: $STORE
  agentx_socket: $T/manager-agentx.sock
  event_socket: $T/manager.sock
  poll:
    interval: 500ms
    timeout: $(ms 200)
    retries: 1
    down_after: $((2 * SLOW))s
  snmp:
    version: 2c
    community: $SNMP_COMMUNITY
EOF

_starts() { # <log> <n>: the daemon has logged its start n times
	[ "$(grep -c ' started as node alpha' "$1")" -ge "$2" ]
}
TRAPD_STARTS=0
MANAGER_STARTS=0
start_trapd_daemon() {
	"$SHUGO_TRAPD_BIN" -f -c "$T/manager.yaml" -N alpha </dev/null >>"$T/shugo-trapd.log" 2>&1 &
	TRAPD_PID=$!
	track_pid "$TRAPD_PID" shugo-trapd
	TRAPD_STARTS=$((TRAPD_STARTS + 1))
	_wait_up "$TRAPD_PID" 10 _starts "$T/shugo-trapd.log" "$TRAPD_STARTS" || fail "shugo-trapd did not start"
}
start_manager() {
	"$MANAGER_BIN" -f -c "$T/manager.yaml" -N alpha </dev/null >>"$T/manager.log" 2>&1 &
	MANAGER_PID=$!
	track_pid "$MANAGER_PID" shugo-manager
	MANAGER_STARTS=$((MANAGER_STARTS + 1))
	_wait_up "$MANAGER_PID" 10 _starts "$T/manager.log" "$MANAGER_STARTS" || fail "shugo-manager did not start"
}

start_trapd_daemon
start_manager
for n in "${NODES[@]}"; do
	agent_yaml "$n" >"$T/$n.yaml"
	node_agent_start "$n"
done

# the agents are emitting, and it arrives through trapd
seq_of() { # <node>: the agent's last sequence number
	node_sval "$1" SHUGO-MIB::shugoNodeNotifSeq.0
}
stored_at_least() { # <node> <n>: records of node received through trapd
	[ "$(q "SELECT count(*) FROM log WHERE origin = 1 AND node = '$1'")" -ge "$2" ]
}
for n in "${NODES[@]}"; do
	wait_for 15 stored_at_least "$n" 10
done
ok "three agents emitting, their notifications stored through shugo-trapd"

# --- both daemons killed while the agents go on ---------------------------------

declare -A seq_at_kill=()
for n in "${NODES[@]}"; do
	seq_at_kill[$n]=$(seq_of "$n")
done
stop_pid "$TRAPD_PID" KILL
stop_pid "$MANAGER_PID" KILL
# the agents keep emitting with nobody listening
moved_on() { # <node>
	[ "$(seq_of "$1")" -gt $((seq_at_kill[$1] + 5)) ]
}
for n in "${NODES[@]}"; do
	wait_for 15 moved_on "$n"
done
start_trapd_daemon
start_manager
ok "shugo-trapd and shugo-manager killed with -9 and restarted while the agents kept emitting"

# --- the flapping stops; the central log must then be complete -------------------

for n in "${NODES[@]}"; do
	agent_yaml "$n" quiet >"$T/$n.yaml"
	kill -HUP "${NODE_AGENT_PID[$n]}"
done
reloaded() { # <node>
	[ "$(q "SELECT count(*) FROM log WHERE node = '$1' AND type_name = 'shugoConfigReloaded'")" -ge 1 ]
}
for n in "${NODES[@]}"; do
	wait_for 15 reloaded "$n"
done

complete() { # <node>: every sequence 1..last is in the log, once
	local last
	last=$(seq_of "$1") || return 1
	[ "$(q "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq)
		FROM log WHERE node = '$1' AND seq > 0")" = "$last $last 1 $last" ]
}
for n in "${NODES[@]}"; do
	wait_for 20 complete "$n"
done
total=0
for n in "${NODES[@]}"; do
	last=$(seq_of "$n")
	total=$((total + last))
	echo "$TEST_NAME: $n: $last notifications, $(q "SELECT count(*) FROM log WHERE node = '$n' AND origin = 1") through trapd, $(q "SELECT count(*) FROM log WHERE node = '$n' AND origin = 4") read back by the manager"
done
assert_eq "$(q "SELECT count(*) FROM (SELECT node, boot, seq FROM log WHERE seq > 0
	GROUP BY node, boot, seq HAVING count(*) > 1)")" 0 "notifications stored twice"
ok "after both restarts the central log holds all $total notifications of the three nodes, each once"

# --- in order of occurrence -------------------------------------------------------

"$SHUGOCTL_BIN" --store "$STORE" --json log -n 1000000 >"$T/log.json" || fail "shugoctl log failed"
python3 - "$T/log.json" "$total" <<'EOF' || fail "shugoctl log is not in order of occurrence"
import json, sys
recs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
agent = [r for r in recs if r.get("seq", 0) > 0]
if len(agent) != int(sys.argv[2]):
    sys.exit(f"{len(agent)} agent records listed, {sys.argv[2]} expected")
prev = None
last_seq = {}
for r in recs:
    t = r["occurred_ms"]
    if prev is not None and t < prev:
        sys.exit(f"record {r['id']} occurred at {t}, before the one listed above it ({prev})")
    prev = t
    if r.get("seq", 0) > 0:
        n = r["node"]
        if r["seq"] <= last_seq.get(n, 0):
            sys.exit(f"{n}: seq {r['seq']} listed after seq {last_seq[n]}")
        last_seq[n] = r["seq"]
EOF
ok "shugoctl log lists them in order of occurrence, each node's sequence ascending"

stop_pid "$MANAGER_PID" TERM
assert_eq "$STOP_STATUS" 0 "manager exit status"
stop_pid "$TRAPD_PID" TERM
assert_eq "$STOP_STATUS" 0 "trapd exit status"
! grep -E "Sanitizer|runtime error" "$T/manager.log" "$T/shugo-trapd.log" || fail "the sanitizers reported"
ok "both daemons stop cleanly"
