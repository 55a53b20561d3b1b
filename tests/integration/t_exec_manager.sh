#!/bin/bash
# Remote execution through the manager (shugoctl exec) on three nodes, each
# its own snmpd and agent with its own exec search path: a request goes to
# the first node in priority order that starts the program, falling back on
# a node that is busy (availability inquiry), one that lacks the program,
# one whose snmpd does not answer, one that is down; --least-loaded starts
# on the node with the fewest managed processes; --all runs on every node
# with a result per node; the results are kept in the store, and a manager
# killed while a program runs still reports how it ended once it is back.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool sqlite3 sqlite3
MANAGER_BIN="$top_builddir/manager/shugo-manager"
CTL="$top_builddir/manager/shugoctl"
[ -x "$CTL" ] || fail "$CTL is not built"

NODES=(alpha beta gamma)
STORE="$T/store.db"
TRAPD_PORT=$(free_udp_port)

q() { # <sql>: one query on the store, read-only
	sqlite3 -readonly "$STORE" "$1"
}
q_is() { # <expected> <sql>
	[ "$(q "$2")" = "$1" ]
}
ctl() {
	"$CTL" -c "$T/manager.yaml" -N alpha "$@"
}
# runs <id>: "node:state" of each node tried, in the order tried
runs() {
	q "SELECT group_concat(node || ':' || state, ' ') FROM (SELECT node, state FROM exec_runs
		WHERE request = '$1' ORDER BY attempt)"
}
req_state() {
	q "SELECT state FROM exec_requests WHERE id = '$1'"
}
req_is() { # <id> <state>
	[ "$(req_state "$1")" = "$2" ]
}

for n in "${NODES[@]}"; do
	node_snmpd_start "$n"
done
# the manager's own snmpd, which serves SHUGO-MANAGER-MIB
MIBS="$MIBS:SHUGO-MANAGER-MIB"
export MIBS
start_snmpd

# Each node finds programs in its own directory: job exits 0 on alpha and
# gamma, 3 on beta; only alpha and gamma have it at first; sleeper is
# everywhere. At most two programs run at once on a node.
for n in "${NODES[@]}"; do
	d=$(node_dir "$n")/bin
	mkdir -p "$d"
	# shellcheck disable=SC2016 # the script's own $1
	printf '#!/bin/sh\nexec sleep "${1:-60}"\n' >"$d/sleeper"
	cat >"$d/slowjob" <<EOF
#!/bin/sh
echo "\$*" >"$T/slowjob.$n"
sleep "\$1"
exit "\$2"
EOF
	chmod 0755 "$d/sleeper" "$d/slowjob"
done
for n in alpha gamma; do
	# shellcheck disable=SC2016 # the script's own $@ and $X
	printf '#!/bin/sh\nprintf "%%s|" "$@" >"%s/job.%s"\necho "X=$X" >>"%s/job.%s"\nexit 0\n' \
		"$T" "$n" "$T" "$n" >"$(node_dir "$n")/bin/job"
	chmod 0755 "$(node_dir "$n")/bin/job"
done

agent_yaml() { # <node>
	nodes_cluster_yaml
	AGENT_EXTRA="  max_processes: 2" node_agent_config "$1"
	trapd_notify_yaml
	resources_off_yaml
	cat <<EOF
exec:
  path: [$(node_dir "$1")/bin]
  requesters: [mgr-alpha]
  retention: 10m
EOF
}
for n in "${NODES[@]}"; do
	agent_yaml "$n" >"$T/$n.yaml"
	node_agent_start "$n"
done
# node_agent_config has no max_processes: check that it arrived
assert_eq "$(node_sval alpha SHUGO-MIB::shugoNodeMaxProcs.0)" 2 "alpha's shugoNodeMaxProcs"

# The manager SETs as the test's SNMPv3 user, as requester mgr-alpha. Its
# down window is long: a node whose snmpd stops answering is tried and
# times out instead of being skipped as down.
cat >"$T/manager.yaml" <<EOF
$(nodes_cluster_yaml)
snmp:
  users:
    - name: $SNMP_USER
      auth: SHA-256
      auth_password: "$SNMP_AUTH_PASS"
      priv: AES
      priv_password: "$SNMP_PRIV_PASS"
trapd:
  listen: [udp:127.0.0.1:$TRAPD_PORT]
  communities: [$SNMP_COMMUNITY]
manager:
  store: $STORE
  agentx_socket: $AGENTX_SOCKET
  event_socket: $T/manager.sock
  poll:
    interval: 500ms
    timeout: $(ms 300)
    retries: 1
    down_after: 60s
  snmp:
    version: 2c
    community: $SNMP_COMMUNITY
  exec:
    user: $SNMP_USER
    requester: mgr-alpha
    check: 2s
EOF
out=$("$MANAGER_BIN" -n -c "$T/manager.yaml" -N alpha 2>&1) || fail "manager -n refused the configuration: $out"

start_shugo_trapd_daemon "$T/manager.yaml" alpha
start_manager_daemon "$T/manager.yaml" alpha
for n in "${NODES[@]}"; do
	wait_for 10 q_is 2 "SELECT state FROM nodes WHERE name = '$n'"
done

# --- a plain run on the first node, waited for ------------------------------------

rc=0
out=$(ctl exec --id p1 -n alpha -e 'X=a b' job one 'two words' "it's") || rc=$?
assert_eq "$rc" 0 "exit status of a normal end"
assert_eq "$(runs p1)" "alpha:exited" "runs of p1"
assert_eq "$(cat "$T/job.alpha")" "one|two words|it's|X=a b" "the words and the environment as given"
assert_eq "$(q "SELECT state || ' ' || exit_code || ' ' || normal || ' ' || (pid > 0) || ' ' ||
	(ended_ms >= started_ms AND started_ms > 0) FROM exec_runs WHERE request = 'p1'")" "exited 0 1 1 1" "p1's run"
assert_match "$out" "alpha +1 +exited" "the result table"
wait_for 10 q_is "1 info done" "SELECT count(*) || ' ' || CASE sev WHEN 2 THEN 'info' ELSE sev END || ' ' || state
	FROM log WHERE origin = 3 AND type_name = 'shugoMgrExecDone' AND object = 'exec:p1'"
ok "shugoctl exec: started on alpha as asked, words and environment intact, ended normally, shugoMgrExecDone"

# --- fallback: busy, then no such program, then it runs ------------------------------

ctl exec --no-wait --id fill1 -n alpha sleeper 120 >/dev/null || fail "fill1"
ctl exec --no-wait --id fill2 -n alpha sleeper 120 >/dev/null || fail "fill2"
wait_for 10 q_is "running running" "SELECT group_concat(state, ' ') FROM exec_runs WHERE request IN ('fill1', 'fill2')"
assert_eq "$(node_sval alpha SHUGO-MIB::shugoNodeAcceptingExec.0)" false "alpha's shugoNodeAcceptingExec when full"
rc=0
out=$(ctl exec --id f1 -n alpha,beta,gamma job) || rc=$?
assert_eq "$rc" 0 "exit status after fallback"
assert_eq "$(runs f1)" "alpha:refused beta:refused gamma:exited" "tried in priority order"
assert_match "$(q "SELECT detail FROM exec_runs WHERE request = 'f1' AND node = 'alpha'")" \
	"^not accepting: 2 of at most 2 processes" "alpha: the availability inquiry said no"
assert_match "$(q "SELECT detail FROM exec_runs WHERE request = 'f1' AND node = 'beta'")" \
	"^unknownProgram: program 'job' is not in the search path" "beta: no such program"
[ -s "$T/job.gamma" ] || fail "job did not run on gamma"
[ ! -e "$T/job.beta" ] || fail "job ran on beta"
assert_eq "$(req_state f1)" "done" "f1 done"
ok "fallback: alpha busy (inquiry), beta without the program, started on gamma"

# --- fallback on timeout: beta's snmpd does not answer ---------------------------------

kill -STOP "${NODE_SNMPD_PID[beta]}"
rc=0
out=$(ctl exec --id t1 -n beta,gamma slowjob 0 0) || rc=$?
kill -CONT "${NODE_SNMPD_PID[beta]}"
assert_eq "$rc" 0 "exit status after a timeout"
assert_eq "$(runs t1)" "beta:timeout gamma:exited" "beta timed out, gamma ran it"
[ ! -e "$T/slowjob.beta" ] || fail "slowjob ran on beta"
ok "fallback on timeout: beta's snmpd stopped, gamma ran it"

# --- started nowhere ---------------------------------------------------------------

rc=0
out=$(ctl exec --id n1 -n beta,nosuchnode nosuchprogram 2>&1) || rc=$?
assert_eq "$rc" 3 "exit status when started nowhere"
assert_eq "$(runs n1)" "beta:refused nosuchnode:failed" "runs of n1"
assert_eq "$(req_state n1)" failed "n1 failed"
assert_match "$(q "SELECT detail FROM exec_requests WHERE id = 'n1'")" "^started nowhere: 1 refused, 1 failed" \
	"n1's detail"
wait_for 10 q_is "5 failed" "SELECT sev || ' ' || state FROM log WHERE origin = 3 AND object = 'exec:n1'"
ok "started nowhere: exit 3, request failed, shugoMgrExecDone major"

# --- least loaded ------------------------------------------------------------------------

# alpha runs 2, gamma 1 (beta none): beta is the least loaded
ctl exec --no-wait --id fill3 -n gamma sleeper 120 >/dev/null || fail "fill3"
rc=0
out=$(ctl exec --least-loaded --id l1 -n alpha,gamma,beta slowjob 0 0) || rc=$?
assert_eq "$rc" 0 "exit status of least loaded"
assert_eq "$(q "SELECT node FROM exec_runs WHERE request = 'l1' AND state = 'exited'")" beta "least loaded: beta"
[ -e "$T/slowjob.beta" ] || fail "slowjob did not run on beta"
assert_eq "$(runs l1)" "alpha:refused gamma:unused beta:exited" "every candidate asked at once, beta chosen"
assert_eq "$(q "SELECT detail FROM exec_requests WHERE id = 'l1'")" "1 ended normally, 1 refused" "l1's summary"
ok "--least-loaded: beta (0 processes) before gamma (1) and alpha (2, busy)"

# --- a bulk run on every node ------------------------------------------------------------

# alpha is full: free it first, by signals sent through the manager
out=$(ctl signal fill1) || fail "shugoctl signal fill1: $out"
assert_eq "$out" "signal 15 sent to request fill1" "signal's answer"
ctl signal fill2 SIGKILL >/dev/null || fail "shugoctl signal fill2 SIGKILL"
ctl signal fill3 15 >/dev/null || fail "shugoctl signal fill3 15"
for f in fill1 fill2 fill3; do
	wait_for 15 req_is "$f" "done"
done
assert_eq "$(q "SELECT state || ' ' || exit_signal || ' ' || normal FROM exec_runs WHERE request = 'fill1'")" \
	"killed 15 0" "a program killed by TERM"
assert_eq "$(q "SELECT state || ' ' || exit_signal FROM exec_runs WHERE request = 'fill2'")" "killed 9" "by KILL"
rc=0
ctl signal fill1 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 3 "a signal to a request that has ended"
rc=0
ctl signal nosuch >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "a signal to no request"
rc=0
ctl signal fill1 SIGNOPE >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "no such signal"
ok "shugoctl signal: TERM, KILL and 15 reached the programs through the manager; errors for ended and unknown requests"
rm -f "$T"/job.*
rc=0
out=$(ctl exec --all --id b1 job) || rc=$?
assert_eq "$rc" 3 "exit status when one node failed"
assert_eq "$(q "SELECT group_concat(node || ':' || state || ':' || normal, ' ') FROM (SELECT * FROM exec_runs
	WHERE request = 'b1' ORDER BY node)")" "alpha:exited:1 beta:refused:-1 gamma:exited:1" "per-node results"
assert_match "$out" "beta +[0-9]+ +refused" "the table shows beta refused"
assert_eq "$(q "SELECT detail FROM exec_requests WHERE id = 'b1'")" "2 ended normally, 1 refused" "b1's summary"
if [ ! -s "$T/job.alpha" ] || [ ! -s "$T/job.gamma" ]; then
	fail "job did not run on alpha and gamma"
fi
json=$(ctl --json requests b1) || fail "requests --json"
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["id"]=="b1" and len(r["runs"])==3, r' "$json" ||
	fail "requests --json: $json"
ok "--all: alpha and gamma ran it, beta refused; one row per node; exit 3"

# --- the manager killed while a program runs ------------------------------------------------

ctl exec --no-wait --id k1 -n beta slowjob 3 5 >/dev/null || fail "k1"
wait_for 10 q_is running "SELECT state FROM exec_runs WHERE request = 'k1'"
stop_pid "$MANAGER_PID" KILL
untrack_pid "$MANAGER_PID"
# it ends while no manager runs: trapd stores its shugoExecEnded
wait_for 20 q_is 1 "SELECT count(*) FROM log WHERE type_name = 'shugoExecEnded' AND object = 'exec:k1'"
assert_eq "$(req_state k1)" running "nothing updated the request while the manager was away"
start_manager_daemon "$T/manager.yaml" alpha
wait_for 20 req_is k1 "done"
assert_eq "$(q "SELECT state || ' ' || exit_code || ' ' || normal FROM exec_runs WHERE request = 'k1'")" \
	"exited 5 0" "k1's end, read after the restart"
rc=0
ctl requests k1 >/dev/null || rc=$?
assert_eq "$rc" 0 "requests k1"
ok "a manager killed while slowjob ran reports after its restart that it exited 5 (abnormal)"

# --- the same through SNMP: shugoMgrExecTable ----------------------------------------------

mgr_row() { # <column> <request> <node>: the value, enumerations as numbers
	sval -Oe -OU "SHUGO-MANAGER-MIB::shugoMgrExec$1.\"$2\".\"$3\""
}
wait_for 10 bash -c "snmpget -v2c -c $SNMP_COMMUNITY -Oqv 127.0.0.1:$SNMPD_PORT SHUGO-MANAGER-MIB::shugoMgrSelfName.0 | grep -q alpha"
assert_eq "$(mgr_row State f1 alpha) $(mgr_row State f1 beta) $(mgr_row State f1 gamma)" "3 3 7" \
	"f1: refused(3), refused(3), exited(7)"
assert_eq "$(mgr_row Attempt f1 gamma) $(mgr_row ExitCode f1 gamma) $(mgr_row End f1 gamma)" "3 0 2" \
	"gamma tried third, exit code 0, normal(2)"
assert_eq "$(mgr_row RequestState f1 gamma) $(mgr_row Placement f1 gamma)" "4 1" "done(4), priority(1)"
assert_eq "$(mgr_row Program k1 beta) $(mgr_row ExitCode k1 beta) $(mgr_row End k1 beta)" "slowjob 5 3" \
	"k1 (from the store after the restart): exit code 5, abnormal(3)"
assert_eq "$(mgr_row ExitSignal fill2 alpha) $(mgr_row State fill2 alpha)" "9 8" "killed(8) by 9"
assert_eq "$(mgr_row State l1 gamma)" 10 "unused(10)"
assert_match "$(mgr_row Detail f1 beta)" "^unknownProgram" "the refusal's reason"
rows=$(swalk -Oqs -On SHUGO-MANAGER-MIB::shugoMgrExecState | sed 's/ .*//')
assert_eq "$rows" "$(printf '%s\n' "$rows" | sort -t. -V)" "shugoMgrExecTable walks in index order"
assert_eq "$(printf '%s\n' "$rows" | wc -l)" "$(q "SELECT count(*) FROM exec_runs WHERE attempt > 0")" \
	"a row for every node tried"
ok "shugoMgrExecTable: every node tried, with state, attempt, exit code or signal, reason; in index order"

# --- a node goes down while its program runs --------------------------------------------------

ctl exec --no-wait --id d1 -n gamma sleeper $((30 * SLOW)) >/dev/null || fail "d1"
wait_for 10 q_is running "SELECT state FROM exec_runs WHERE request = 'd1'"
kill -STOP "${NODE_SNMPD_PID[gamma]}"
# down_after is 60 s here: SIGHUP a copy with a short window (above the
# poll's timeout x tries, which SLOW stretches)
sed "s/down_after: 60s/down_after: $((3 * SLOW))s/" "$T/manager.yaml" >"$T/manager.yaml.new" &&
	mv "$T/manager.yaml.new" "$T/manager.yaml"
kill -HUP "$MANAGER_PID"
wait_for 10 grep -q "configuration reloaded" "$T/manager.log"
wait_for $((20 * SLOW)) q_is 1 "SELECT count(*) FROM log WHERE type_name = 'shugoMgrExecUnreachable' AND object = 'exec:d1'"
assert_eq "$(q "SELECT node || ' ' || sev || ' ' || state FROM log WHERE type_name = 'shugoMgrExecUnreachable'")" \
	"gamma 3 unreachable" "the event"
assert_eq "$(req_state d1)" running "the request stays open"
kill -CONT "${NODE_SNMPD_PID[gamma]}"
out=$(ctl signal d1 KILL) || fail "signal d1 after the node came back: $out"
wait_for 20 req_is d1 "done"
assert_eq "$(q "SELECT state || ' ' || exit_signal || ' ' || detail FROM exec_runs WHERE request = 'd1'")" \
	"killed 9 signal 9" "d1 followed to its end once gamma was back"
ok "a node down under a running program: shugoMgrExecUnreachable, the request open; followed to its end when back"

# --- a request id is never run twice ---------------------------------------------------------

rc=0
out=$(ctl exec --id p1 -n alpha job 2>&1) || rc=$?
assert_eq "$rc" 1 "a request id taken"
assert_match "$out" "request id 'p1' is taken" "the message"
ok "an id used before is refused by shugoctl"
