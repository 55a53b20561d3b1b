#!/bin/bash
# shugo-manager against three nodes on loopback (each its own snmpd and
# shugo-agent), with no AgentX master of its own: every node comes up; with no
# trapd at all a killed process's notifications reach the central log by gap
# repair; a node whose snmpd stops is down once and restored once; an orderly
# agent stop is a stop, not a down; an agent gone from behind its snmpd is a
# down; after kill -9 the manager comes back in a new epoch with nothing
# missing and nothing twice; SIGHUP takes a whole new file (SNMPv3 reading, a
# node removed) or none of it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool sqlite3 sqlite3
MANAGER_BIN="$top_builddir/manager/shugo-manager"
SHUGO_TRAPD_BIN="$top_builddir/trapd/shugo-trapd"
[ -x "$MANAGER_BIN" ] || fail "$MANAGER_BIN is not built"
[ -x "$SHUGO_TRAPD_BIN" ] || fail "$SHUGO_TRAPD_BIN is not built"

NODES=(alpha beta gamma)
STORE="$T/store.db"
# Where shugo-trapd listens from part 3 on.
TRAPD_PORT=$(free_udp_port)
# poll settings: a down is due 2 s after the last answer
INTERVAL_S=0.5
DOWN_AFTER_S=$((2 * SLOW))

q() { # <sql>: one query on the store, read-only
	sqlite3 -readonly "$STORE" "$1"
}

# count_ev <type_name> <node>: the manager's records of that event for node
count_ev() {
	q "SELECT count(*) FROM log WHERE origin = 3 AND type_name = '$1' AND node = '$2'"
}

ev_at_least() { # <type_name> <node> <n>
	[ "$(count_ev "$1" "$2")" -ge "$3" ]
}

node_state() { # <node>: its state in the nodes table (2 = up, 4 = down, 5 = stopped)
	q "SELECT state FROM nodes WHERE name = '$1'"
}

state_is() { # <node> <state>
	[ "$(node_state "$1")" = "$2" ]
}

q_is() { # <expected> <sql>: for wait_for, which must run the query each time
	[ "$(q "$2")" = "$1" ]
}

seq_gt() { # <node> <n>: the agent's last sequence is above n
	[ "$(node_sval "$1" SHUGO-MIB::shugoNodeNotifSeq.0)" -gt "$2" ]
}

# quiet_for <seconds>: an absence can only be checked by letting the time pass
# in which it would have shown up.
quiet_for() {
	sleep "$1"
}

for n in "${NODES[@]}"; do
	node_snmpd_start "$n"
done

# agent_yaml <node> [trapd]: the node's configuration; with "trapd", its
# notifications go to shugo-trapd as INFORMs.
agent_yaml() {
	nodes_cluster_yaml
	node_agent_config "$1"
	if [ "${2:-}" = trapd ]; then
		trapd_notify_yaml
	fi
	cat <<EOF
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 200ms
EOF
	resources_off_yaml
}

# No notification target at first: nothing is sent anywhere, the central
# log is filled only by what the manager reads back.
for n in "${NODES[@]}"; do
	agent_yaml "$n" >"$T/$n.yaml"
	node_agent_start "$n"
done

# The manager runs on alpha, with trapd; its AgentX socket has no snmpd
# behind it, and it must poll all the same. manager_yaml [v3 USER]: read the
# agents with SNMPv3 as USER (one of snmp.users) instead of v2c.
manager_yaml() {
	nodes_cluster_yaml
	cat <<EOF
agent:
  agentx_ping: 1s
snmp:
  users:
    - name: $SNMP_USER
      auth: SHA-256
      auth_password: "$SNMP_AUTH_PASS"
      priv: AES
      priv_password: "$SNMP_PRIV_PASS"
    - name: intruder
      auth: SHA-256
      auth_password: "not-the-password"
      priv: AES
      priv_password: "not-the-password"
trapd:
  listen: [udp:127.0.0.1:$TRAPD_PORT]
  communities: [$SNMP_COMMUNITY]
manager:
  store: $STORE
  agentx_socket: $T/manager-agentx.sock
  event_socket: $T/manager.sock
  poll:
    interval: 500ms
    timeout: $(ms 200)
    retries: 1
    down_after: ${DOWN_AFTER_S}s
EOF
	if [ "${1:-}" = v3 ]; then
		printf '  snmp:\n    version: 3\n    user: %s\n' "$2"
	else
		printf '  snmp:\n    version: 2c\n    community: %s\n' "$SNMP_COMMUNITY"
	fi
}
manager_yaml >"$T/manager.yaml"

out=$("$MANAGER_BIN" -n -c "$T/manager.yaml" -N alpha 2>&1) || fail "manager -n refused the configuration: $out"
ok "manager -n: $out"

start_manager() {
	start_manager_daemon "$T/manager.yaml" alpha
}

# --- 1. every node comes up -------------------------------------------------

start_manager
[ -S "$T/manager.sock" ] || fail "no event socket at $T/manager.sock"
assert_eq "$(stat -c %a "$T/manager.sock")" 600 "event socket mode"
for n in "${NODES[@]}"; do
	wait_for 10 ev_at_least shugoMgrNodeStarted "$n" 1
	wait_for 5 state_is "$n" 2
done
assert_eq "$(q "SELECT value FROM meta WHERE key = 'epoch'")" 1 "first epoch"
assert_eq "$(q "SELECT sev || ' ' || object || ' ' || state FROM log WHERE origin = 3 AND node = 'beta'
	AND type_name = 'shugoMgrNodeStarted'")" "2 node:beta up" "the started record"
# the polled tables are in the store
wait_for 5 q_is "1 1 0" "SELECT state || ' ' || instances || ' ' || stale FROM procs WHERE node = 'gamma'
	AND name = 'web'"
ok "all three nodes came up (one shugoMgrNodeStarted each), their processes are in the store"

# --- 2. gap repair with no trapd at all --------------------------------------

# every notification beta's log holds reaches the central log, with its seq
all_repaired() { # <node>
	local last
	last=$(node_sval "$1" SHUGO-MIB::shugoNodeNotifSeq.0) || return 1
	[ "$last" -gt 0 ] || return 1
	[ "$(q "SELECT count(DISTINCT seq) FROM log WHERE node = '$1' AND seq BETWEEN 1 AND $last")" = "$last" ]
}
wait_for 15 all_repaired beta

before=$(node_sval beta SHUGO-MIB::shugoNodeNotifSeq.0)
pid=$(node_swalk beta -On "$(oid 'SHUGO-MIB::shugoProcInstPpid."web"')" |
	sed -n 's/.*\.\([0-9][0-9]*\) = .*/\1/p' | head -n1)
[ -n "$pid" ] || fail "no instance of web on beta"
kill -KILL "$pid"
# the agent notices the exit and restarts it: its sequence moves on
wait_for 10 seq_gt beta "$before"
wait_for 15 all_repaired beta
# the exit as the agent logged it, and as the central log holds it
exit_seq=$(node_swalk beta -On "$(oid SHUGO-MIB::shugoNotifLogType)" |
	grep -F "= OID: $(oid SHUGO-MIB::shugoProcExited)" | sed -n 's/.*\.\([0-9][0-9]*\) = .*/\1/p' | tail -n1)
[ -n "$exit_seq" ] || fail "beta's notification log has no shugoProcExited"
[ "$exit_seq" -gt "$before" ] || fail "the exit (seq $exit_seq) is not newer than $before"
got=$(q "SELECT origin || ' ' || type_name || ' ' || object FROM log WHERE node = 'beta' AND seq = $exit_seq")
assert_eq "$got" "4 shugoProcExited proc:web" "the exit in the central log (replayed)"
# every new one replayed (the agent may have sent one more since: the web
# process it restarted settles), and none twice
replayed_all() {
	local last
	last=$(node_sval beta SHUGO-MIB::shugoNodeNotifSeq.0) || return 1
	[ "$(q "SELECT count(*) FROM log WHERE origin = 4 AND node = 'beta' AND seq > $before")" = "$((last - before))" ]
}
wait_for 15 replayed_all
assert_eq "$(q "SELECT count(*) - count(DISTINCT seq) FROM log WHERE node = 'beta' AND seq > $before")" 0 \
	"every new notification replayed once"
ok "with no trapd, beta's notifications ($((before + 1))..) reached the central log by gap repair"
# web runs again and has said so: beta has nothing more to tell for now
wait_for 10 q_is "1 1 0" "SELECT state || ' ' || instances || ' ' || stale FROM procs WHERE node = 'beta'
	AND name = 'web'"
wait_for 5 all_repaired beta

# --- 3. trapd joins: what the agents still owe arrives, nothing twice --------

"$SHUGO_TRAPD_BIN" -f -c "$T/manager.yaml" -N alpha </dev/null >>"$T/shugo-trapd.log" 2>&1 &
TRAPD_PID=$!
track_pid "$TRAPD_PID" shugo-trapd
_wait_up "$TRAPD_PID" 10 grep -q ' started as node alpha' "$T/shugo-trapd.log" ||
	fail "shugo-trapd did not start"
# the agents send to it from now on; each says so with a notification
for n in "${NODES[@]}"; do
	agent_yaml "$n" trapd >"$T/$n.yaml"
	kill -HUP "${NODE_AGENT_PID[$n]}"
done
for n in "${NODES[@]}"; do
	wait_for 10 q_is 1 "SELECT count(*) FROM log WHERE origin = 1 AND node = '$n'
		AND type_name = 'shugoConfigReloaded'"
done
ok "shugo-trapd started; the agents' INFORMs reach the central log through it"

# --- 4. beta's snmpd stops: one down, then one restore ------------------------

t0=$(_now_ms)
node_snmpd_stop beta
wait_for $((DOWN_AFTER_S + 2)) ev_at_least shugoMgrNodeDown beta 1
elapsed=$(($(_now_ms) - t0))
# down_after after the last answer, which came at most one interval before
# the stop; judged at every poll, so up to one more interval late
[ "$elapsed" -le $((DOWN_AFTER_S * 1000 + 2 * 500 + 300)) ] || fail "down reported after $elapsed ms"
assert_eq "$(q "SELECT sev || ' ' || state FROM log WHERE origin = 3 AND node = 'beta'
	AND type_name = 'shugoMgrNodeDown'")" "6 down" "the down record"
assert_eq "$(node_state beta)" 4 "beta's row"
assert_eq "$(q "SELECT count(*) FROM procs WHERE node = 'beta' AND stale = 0")" 0 "beta's processes are stale"
quiet_for $DOWN_AFTER_S
assert_eq "$(count_ev shugoMgrNodeDown beta)" 1 "down records for beta"
ok "beta down $elapsed ms after its snmpd stopped, once"

node_snmpd_start beta
wait_for 15 ev_at_least shugoMgrNodeRestored beta 1
quiet_for $INTERVAL_S
assert_eq "$(count_ev shugoMgrNodeRestored beta)" 1 "restore records for beta"
assert_eq "$(count_ev shugoMgrNodeDown beta)" 1 "down records for beta"
wait_for 5 state_is beta 2
ok "beta restored once its snmpd was back"

# --- 5. an orderly agent stop is not a down -----------------------------------

node_agent_stop gamma TERM
wait_for 5 ev_at_least shugoMgrNodeStopped gamma 1
quiet_for $((DOWN_AFTER_S + 1))
assert_eq "$(count_ev shugoMgrNodeDown gamma)" 0 "down records for gamma after an orderly stop"
assert_eq "$(node_state gamma)" 5 "gamma's row"
ok "gamma's orderly stop is a stop, not a down"

node_agent_start gamma
wait_for 10 ev_at_least shugoMgrNodeStarted gamma 2
wait_for 5 state_is gamma 2
ok "gamma started again"

# an agent that dies behind a running snmpd: snmpd answers, the MIB is gone
node_agent_stop gamma KILL
wait_for $((DOWN_AFTER_S + 2)) ev_at_least shugoMgrNodeDown gamma 1
assert_match "$(q "SELECT detail FROM log WHERE origin = 3 AND node = 'gamma' AND type_name = 'shugoMgrNodeDown'")" \
	"snmpd answers, agent absent" "why gamma is down"
node_agent_start gamma
wait_for 10 ev_at_least shugoMgrNodeRestored gamma 1
ok "gamma killed -9: down (snmpd answers, agent absent), then restored"

# --- 6. the manager is killed and restarted ------------------------------------

for n in "${NODES[@]}"; do
	wait_for 15 all_repaired "$n"
done
events_before=$(q "SELECT count(*) FROM log WHERE origin = 3")
stop_pid "$MANAGER_PID" KILL
start_manager
assert_eq "$(q "SELECT value FROM meta WHERE key = 'epoch'")" 2 "epoch after a restart"
# every node answers again: its polled state is current, not stale
for n in "${NODES[@]}"; do
	wait_for 10 q_is 1 "SELECT count(*) FROM procs WHERE node = '$n' AND stale = 0"
	assert_eq "$(node_state "$n")" 2 "$n after the manager's restart"
done
for n in "${NODES[@]}"; do
	wait_for 15 all_repaired "$n"
done
quiet_for 1
assert_eq "$(q "SELECT count(*) FROM log WHERE origin = 3")" "$events_before" \
	"no node event for nodes that stayed up while the manager was away"
assert_eq "$(q "SELECT count(*) FROM (SELECT node, seq FROM log WHERE seq > 0 GROUP BY node, seq
	HAVING count(*) > 1)")" 0 "sequences stored twice"
ok "after kill -9 the manager is back in epoch 2, nodes up, the log complete and without duplicates"

# --- 7. SIGHUP: all of a new file or none of it ------------------------------------

_reloads() {
	[ "$(grep -c "$1" "$T/manager.log")" -ge "$2" ]
}
cp "$T/manager.yaml" "$T/manager.yaml.good"
printf 'manager:\n  poll: {interval: 1ms}\n' >>"$T/manager.yaml"
kill -HUP "$MANAGER_PID"
wait_for 5 _reloads "reload rejected, configuration unchanged" 1
quiet_for 1
for n in "${NODES[@]}"; do
	state_is "$n" 2 || fail "$n is no longer up after a rejected reload"
done
ok "a broken file is rejected as a whole; polling goes on"

# SNMPv3 with keys the agents do not know: nobody answers
declare -A downs=()
for n in "${NODES[@]}"; do
	downs[$n]=$(count_ev shugoMgrNodeDown "$n")
done
manager_yaml v3 intruder >"$T/manager.yaml"
kill -HUP "$MANAGER_PID"
wait_for 5 _reloads "configuration reloaded" 1
for n in "${NODES[@]}"; do
	wait_for $((DOWN_AFTER_S + 3)) ev_at_least shugoMgrNodeDown "$n" $((downs[$n] + 1))
done
# with the right ones (SNMPv3 authPriv, the engine discovered per node) all answer
manager_yaml v3 "$SNMP_USER" >"$T/manager.yaml"
kill -HUP "$MANAGER_PID"
wait_for 5 _reloads "configuration reloaded" 2
for n in "${NODES[@]}"; do
	wait_for 10 state_is "$n" 2
done
ok "reloaded to SNMPv3: wrong keys take every node down, the right ones bring them back"

# gamma leaves the cluster: its row and polled state go, its log stays
NODES=(alpha beta)
manager_yaml v3 "$SNMP_USER" >"$T/manager.yaml"
kill -HUP "$MANAGER_PID"
wait_for 5 _reloads "configuration reloaded" 3
wait_for 5 q_is 0 "SELECT count(*) FROM nodes WHERE name = 'gamma'"
assert_eq "$(q "SELECT count(*) FROM procs WHERE node = 'gamma'")" 0 "gamma's processes"
[ "$(q "SELECT count(*) FROM log WHERE node = 'gamma'")" -gt 0 ] || fail "gamma's log records went too"
ok "a node removed from the file is forgotten, its log kept"

# --- 8. a clean stop ------------------------------------------------------------

stop_pid "$MANAGER_PID" TERM
assert_eq "$STOP_STATUS" 0 "manager exit status after SIGTERM"
[ ! -e "$T/manager.sock" ] || fail "the event socket was left behind"
! grep -E "Sanitizer|runtime error" "$T/manager.log" || fail "the sanitizers reported on the manager"
ok "SIGTERM: clean exit"
