#!/bin/bash
# shugoctl and SHUGO-MANAGER-MIB against a live cluster: snmpd with the agent of
# node alpha, shugo-trapd and shugo-manager sharing one store, and a node zz
# that never answers. status (text and JSON), log with every filter, --follow,
# exit statuses, and the manager's tables walked through snmpd.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool python3 python3
CTL="$top_builddir/manager/shugoctl"
TRAPD_BIN="$top_builddir/trapd/shugo-trapd"
MANAGER_BIN="$top_builddir/manager/shugo-manager"
for b in "$CTL" "$TRAPD_BIN" "$MANAGER_BIN"; do
	[ -x "$b" ] || fail "$b is not built"
done
MIBS="$MIBS:SHUGO-MANAGER-MIB"
export MIBS

start_snmpd
SHUGO_TRAPD_PORT=$(free_udp_port)
DEAD_PORT=$(free_udp_port) # zz's address: nobody answers there
STORE="$T/store.db"
{
	# (no notify targets from lib.sh: the one below is shugo-trapd)
	# shellcheck disable=SC2119
	agent_config
	cat <<EOF
notify:
  targets:
    - name: trapd
      address: udp:127.0.0.1:$SHUGO_TRAPD_PORT
      type: inform
      version: 2c
      community: $SNMP_COMMUNITY
      timeout: 200ms
cluster:
  nodes:
    - name: alpha
      address: udp:127.0.0.1:$SNMPD_PORT
    - name: zz
      address: udp:127.0.0.1:$DEAD_PORT
manager:
  store: $STORE
  agentx_socket: $AGENTX_SOCKET
  event_socket: $T/manager.sock
  poll: {interval: 300ms, timeout: $(ms 100), retries: 1, down_after: ${SLOW}s}
  snmp: {version: 2c, community: $SNMP_COMMUNITY}
trapd:
  listen: [udp:127.0.0.1:$SHUGO_TRAPD_PORT]
  communities: [$SNMP_COMMUNITY]
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 4s
    start_grace: 1s
EOF
} >"$T/shugo.yaml"

ctl() { # shugoctl on the test's store
	"$CTL" --store "$STORE" "$@"
}

# py <python code> [args]: run a check on stdin; its exit status is the result.
py() {
	local code=$1
	shift
	python3 -c "import json, sys
$code" "$@"
}

# --- the daemons ---------------------------------------------------------------

"$TRAPD_BIN" -f -c "$T/shugo.yaml" -N alpha </dev/null >>"$T/shugo-trapd.log" 2>&1 &
TRAPD_D_PID=$!
track_pid "$TRAPD_D_PID" shugo-trapd
trapd_listens() {
	grep -q "listening on udp:127.0.0.1:$SHUGO_TRAPD_PORT" "$T/shugo-trapd.log"
}
wait_for 15 trapd_listens
ok "shugo-trapd listens on 127.0.0.1:$SHUGO_TRAPD_PORT"

start_agent alpha
# The agent's shugoAgentStart reached trapd, which keeps its counters in the store.
trapd_counted() {
	ctl --json status | py 'sys.exit(not (json.load(sys.stdin)["trapd"] or {}).get("counters", {}).get("stored"))'
}
wait_for 15 trapd_counted
ok "shugo-trapd stored the agent's notifications and keeps its counters in the store"

"$MANAGER_BIN" -f -c "$T/shugo.yaml" -N alpha </dev/null >>"$T/shugo-manager.log" 2>&1 &
MANAGER_PID=$!
track_pid "$MANAGER_PID" shugo-manager

node_state() { # <node> <state>: as shugoctl status --json reports it
	ctl --json status | py '
d = json.load(sys.stdin)
sys.exit(not any(n["name"] == sys.argv[1] and n["state"] == sys.argv[2] for n in d["nodes"]))' "$1" "$2"
}
wait_for 20 node_state alpha up
wait_for 20 node_state zz down
ok "the manager judged alpha up and zz down"

# --- status --------------------------------------------------------------------

# Through the configuration this once (manager.store), then --store.
out=$("$CTL" -c "$T/shugo.yaml" -N alpha status) || fail "status with -c failed: $out"
assert_match "$out" '^NODE +STATE +LAST SEEN' "status header"
assert_match "$out" '^alpha +up +[0-9]+s ago ' "status line of alpha"
assert_match "$out" '^zz +down ' "status line of zz"
assert_match "$out" '^trapd: received [0-9]+, stored [0-9]+' "trapd counters line"
ok "status lists alpha up and zz down, with trapd's counters"

web_running() {
	ctl status alpha | grep -Eq '^  web +supervised +running +1 '
}
wait_for 15 web_running
out=$(ctl status alpha)
assert_match "$out" '^node alpha: up since ' "status alpha header"
assert_match "$out" '^  cpu +[0-9]+\.[0-9]{2}% +(ok|warning|critical) ' "cpu in status alpha"
ok "status alpha shows the supervised process web running and the resources"

out=$(ctl status zz)
assert_match "$out" '^node zz: down since ' "status zz header"
ok "status zz shows it down"

ctl --json status >"$T/status.json" || fail "status --json failed"
py '
d = json.load(open(sys.argv[1]))
assert set(d) >= {"nodes", "trapd", "now_ms", "now", "store"}, d.keys()
names = [n["name"] for n in d["nodes"]]
assert names == ["alpha", "zz"], names
a = d["nodes"][0]
for k in ("address", "state", "last_seen_ms", "last_seen", "boot", "notif_seq", "stale",
          "processes_total", "processes_problem", "resource_problems", "alarms", "alarms_critical"):
    assert k in a, k
assert a["state"] == "up" and a["stale"] is False and a["boot"] >= 1, a
assert a["processes_total"] == 1, a
assert "processes" not in a
assert d["trapd"]["counters"]["received"] >= 1, d["trapd"]
' "$T/status.json" || fail "status --json: $(cat "$T/status.json")"
ctl status alpha --json >"$T/alpha.json" || fail "status alpha --json failed"
py '
d = json.load(open(sys.argv[1]))
assert len(d["nodes"]) == 1
n = d["nodes"][0]
p = [p for p in n["processes"] if p["name"] == "web"]
assert len(p) == 1 and p[0]["kind"] == "supervised" and p[0]["state"] == "running", n["processes"]
assert p[0]["instances"] == 1 and p[0]["stale"] is False
assert any(r["name"] == "cpu" and r["type"] == "cpu" for r in n["resources"]), n["resources"]
assert isinstance(n["alarms"], list)
' "$T/alpha.json" || fail "status alpha --json: $(cat "$T/alpha.json")"
ok "status --json parses and has the nodes, processes, resources and trapd fields"

# --- the MIB through snmpd -------------------------------------------------------

mgr_answers() {
	[ "$(sget -Oqv 'SHUGO-MANAGER-MIB::shugoMgrNodeState."alpha"')" = up ]
}
wait_for 10 mgr_answers
assert_eq "$(sval SHUGO-MANAGER-MIB::shugoMgrSelfName.0)" alpha "shugoMgrSelfName.0"
assert_eq "$(snum SHUGO-MANAGER-MIB::shugoMgrNodeCount.0)" 2 "shugoMgrNodeCount.0"
assert_eq "$(snum SHUGO-MANAGER-MIB::shugoMgrNodesDown.0)" 1 "shugoMgrNodesDown.0"
assert_eq "$(snum 'SHUGO-MANAGER-MIB::shugoMgrNodeState."alpha"')" 2 "shugoMgrNodeState.\"alpha\" = up(2)"
assert_eq "$(snum 'SHUGO-MANAGER-MIB::shugoMgrNodeState."zz"')" 4 "shugoMgrNodeState.\"zz\" = down(4)"
assert_eq "$(snum 'SHUGO-MANAGER-MIB::shugoMgrNodeStale."zz"')" 1 "shugoMgrNodeStale.\"zz\" (never answered)"
assert_eq "$(snum 'SHUGO-MANAGER-MIB::shugoMgrProcState."alpha"."web"')" 1 "shugoMgrProcState.\"alpha\".\"web\""
assert_eq "$(snum 'SHUGO-MANAGER-MIB::shugoMgrProcKind."alpha"."web"')" 1 "shugoMgrProcKind.\"alpha\".\"web\""
assert_eq "$(snum 'SHUGO-MANAGER-MIB::shugoMgrResType."alpha"."cpu"')" 1 "shugoMgrResType.\"alpha\".\"cpu\""
# Index order is length first: "zz" (2 octets) before "alpha" (5).
walk=$(swalk -Oqs SHUGO-MANAGER-MIB::shugoMgrNodeState)
assert_eq "$(printf '%s\n' "$walk" | sed 's/ .*//' | tr '\n' ' ')" \
	'shugoMgrNodeState."zz" shugoMgrNodeState."alpha" ' "shugoMgrNodeTable walk order"
# The resources of alpha come back in index order too (the model keeps them unsorted).
walk=$(swalk -Oqs -On SHUGO-MANAGER-MIB::shugoMgrResState | sed 's/ .*//')
assert_eq "$walk" "$(printf '%s\n' "$walk" | sort -t. -k1,1 -V)" "shugoMgrResTable walk is in index order"
[ "$(printf '%s\n' "$walk" | wc -l)" -ge 4 ] || fail "shugoMgrResTable has fewer than 4 rows: $walk"
assert_match "$(swalk -Oqv SHUGO-MANAGER-MIB::shugoMgrLogNode)" '^"?alpha"?$' "a shugoMgrLogTable row of alpha"
[ "$(snum SHUGO-MANAGER-MIB::shugoMgrLogLastId.0)" -ge 1 ] || fail "shugoMgrLogLastId.0 is 0"
trapd_rcv=$(snum SHUGO-MANAGER-MIB::shugoMgrTrapdReceived.0)
[ "$trapd_rcv" -ge 1 ] || fail "shugoMgrTrapdReceived.0 = $trapd_rcv"
ok "SHUGO-MANAGER-MIB: info scalars, node, process and resource tables, log table, trapd counters"

# --- log -------------------------------------------------------------------------

started() {
	ctl log --type shugoMgrNodeStarted --node alpha | grep -Eq '^[0-9-]+ [0-9:.]+  alpha +info +shugoMgrNodeStarted '
}
wait_for 10 started
ok "log shows the manager's shugoMgrNodeStarted for alpha"

pid=$(inst_pids web)
assert_match "$pid" '^[0-9]+$' "the one instance of web"
kill -KILL "$pid"
exited() {
	ctl log --node alpha | grep -Eq "  alpha +[a-z]+ +shugoProcExited +proc:web +abnormal +pid $pid "
}
wait_for 10 exited
alarmed() {
	ctl log --node alpha | grep -Eq '  alpha +major +shugoProcAlarm +proc:web +backoff '
}
wait_for 10 alarmed
ok "log shows the agent's shugoProcExited and shugoProcAlarm after kill -9 of web (pid $pid)"

# The alarm is in the manager's alarm table and in status while web waits out its backoff.
alarm_row() {
	swalk -Oqv SHUGO-MANAGER-MIB::shugoMgrAlarmObject | grep -q 'proc:web'
}
wait_for 4 alarm_row
ok "shugoMgrAlarmTable has alpha's proc:web alarm"

# JSON Lines: every record parses and carries every field.
ctl --json log -n 0 >"$T/log.jsonl" || fail "log --json failed"
py '
keys = {"id", "origin", "node", "boot", "seq", "type", "type_name", "trap_oid", "sev", "severity",
        "object", "state", "detail", "alarm_id", "occurred_ms", "occurred", "received_ms", "received",
        "source"}
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) >= 4, len(recs)
for r in recs:
    assert set(r) == keys, set(r) ^ keys
occ = [(r["occurred_ms"], r["node"], r["boot"], r["seq"], r["id"]) for r in recs]
assert occ == sorted(occ), "not in order of occurrence"
e = [r for r in recs if r["type_name"] == "shugoProcExited"]
assert e and e[0]["origin"] == "agent" and e[0]["node"] == "alpha" and e[0]["seq"] >= 1, e
assert e[0]["occurred"].startswith("20") and "T" in e[0]["occurred"]
' "$T/log.jsonl" || fail "log --json: $(head -c 2000 "$T/log.jsonl")"
total=$(wc -l <"$T/log.jsonl")
ok "log --json: $total records in order of occurrence, every field present"

# Filters, each checked against the full log read above; records that
# arrived since (ids are given in order of arrival) are left out.
filtered() { # <python predicate on r> <shugoctl log options...>: the same records
	local pred=$1
	shift
	ctl --json log -n 0 "$@" >"$T/f.jsonl" || fail "log $* failed"
	py "
recs = [json.loads(l) for l in open(sys.argv[1])]
top = max(r['id'] for r in recs)
got = [r['id'] for r in map(json.loads, open(sys.argv[2])) if r['id'] <= top]
want = [r['id'] for r in recs if ($pred)]
assert got == want, (got, want)
assert got, 'no record selected'
" "$T/log.jsonl" "$T/f.jsonl" || fail "log $*: selection differs from the full log"
}
filtered 'r["node"] == "alpha"' --node alpha
filtered 'r["node"] == "zz"' --node zz
filtered 'r["sev"] >= 5' --severity major
filtered 'r["type_name"] == "shugoProcExited"' --type shugoProcExited
filtered 'r["origin"] == "manager"' --origin manager
since_ms=$(py 'print(min(json.loads(l)["occurred_ms"] for l in open(sys.argv[1]) if "shugoProcExited" in l))' \
	"$T/log.jsonl")
since=$(date -d "@$((since_ms / 1000))" '+%Y-%m-%d %H:%M:%S')
filtered "r['occurred_ms'] >= $((since_ms / 1000 * 1000))" --since "$since"
filtered "r['occurred_ms'] < $((since_ms / 1000 * 1000))" --until "$since"
filtered 'True' --since -1h --until now
filtered 'r["node"] == "alpha" and r["sev"] >= 5' --node alpha --severity major
[ -z "$(ctl log --node nosuch)" ] || fail "log --node nosuch printed records"
# (up to two seconds ago: whatever occurred before then has arrived)
until=$(date -d '-2 sec' '+%Y-%m-%d %H:%M:%S')
assert_eq "$(ctl log -n 2 --until "$until" | wc -l)" 2 "log -n 2 line count"
assert_eq "$(ctl log -n 2 --until "$until")" "$(ctl log -n 0 --until "$until" | tail -n 2)" \
	"log -n 2 = the newest two"
ok "log filters --node, --severity, --type, --origin, --since, --until, -n select the right records"

# --follow prints what arrives after it started (the first kill's record
# first, then the second's); a TERM ends it with status 0.
timeout --preserve-status 60 "$CTL" --store "$STORE" log -f -n 0 --type shugoProcExited \
	>"$T/follow.out" 2>"$T/follow.err" &
FOLLOW_PID=$!
track_pid "$FOLLOW_PID" "shugoctl log -f"
wait_for 5 grep -q "pid $pid" "$T/follow.out"
wait_for 15 web_running
pid2=$(inst_pids web)
assert_match "$pid2" '^[0-9]+$' "web's new instance"
kill -KILL "$pid2"
wait_for 10 grep -q "shugoProcExited .*pid $pid2" "$T/follow.out"
stop_pid "$FOLLOW_PID" TERM
assert_eq "$STOP_STATUS" 0 "exit status of log -f after TERM"
assert_eq "$(grep -c . "$T/follow.out")" 2 "records printed by log -f"
[ ! -s "$T/follow.err" ] || fail "log -f wrote to stderr: $(cat "$T/follow.err")"
ok "log --follow printed the record that arrived after it started, and ended on TERM"

# A trap from a foreign device: its detail is its variable bindings, one line
# each, and its text has quotes and a backslash; it stays one line of text
# and is valid JSON.
snmptrap -v2c -c "$SNMP_COMMUNITY" "127.0.0.1:$SHUGO_TRAPD_PORT" '' .1.3.6.1.4.1.99999.0.1 \
	.1.3.6.1.4.1.99999.1 s 'say "hi" \ to C:\tmp' .1.3.6.1.4.1.99999.2 x 'FF FE 1B 41' ||
	fail "snmptrap to shugo-trapd failed"
foreign() {
	[ -n "$(ctl log --origin foreign)" ]
}
wait_for 10 foreign
assert_eq "$(ctl log --origin foreign | wc -l)" 1 "text lines of one foreign trap"
assert_match "$(ctl log --origin foreign)" '  udp:127\.0\.0\.1:[0-9]+ +info +\.1\.3\.6\.1\.4\.1\.99999\.0\.1 .*\\n' \
	"foreign trap: its source, its OID and its lines joined by \\n"
if ctl log --origin foreign | grep -q $'\x1b'; then
	fail "an escape character reached the terminal"
fi
ctl --json log --origin foreign | py '
r = [json.loads(l) for l in sys.stdin]
assert len(r) == 1 and r[0]["origin"] == "foreign" and r[0]["node"] == "", r
assert r[0]["trap_oid"] == ".1.3.6.1.4.1.99999.0.1", r
d = r[0]["detail"]
assert "\n" in d and "say" in d and "\"" in d and "\\" in d, d
' || fail "log --json of a foreign trap: $(ctl --json log --origin foreign)"
ok "a foreign trap with quotes, backslashes and several lines is one text line and valid JSON"

# --- usage and exit statuses ---------------------------------------------------------

rc=0
err=$(ctl status --bogus 2>&1 >/dev/null) || rc=$?
assert_eq "$rc" 1 "exit status of status --bogus"
assert_match "$err" '^usage: shugoctl' "usage on a bad option"
rc=0
err=$(ctl log --severity loud 2>&1 >/dev/null) || rc=$?
assert_eq "$rc" 1 "exit status of log --severity loud"
rc=0
ctl frobnicate >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "exit status of an unknown command"
rc=0
err=$(ctl status nosuch 2>&1 >/dev/null) || rc=$?
assert_eq "$rc" 2 "exit status of status nosuch"
assert_match "$err" "no node 'nosuch'" "message for a missing node"
rc=0
"$CTL" --store "$T/none.db" status >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "exit status with a missing store"
"$CTL" --help | grep -q '^usage: shugoctl' || fail "shugoctl --help"
ctl status --help | grep -q 'status \[--json\] \[NODE\]' || fail "shugoctl status --help"
ok "bad option and command exit 1 with usage, a missing node exits 2, a missing store exits 1"

# --- the daemons end cleanly ---------------------------------------------------------

stop_pid "$MANAGER_PID" TERM 10
assert_eq "$STOP_STATUS" 0 "exit status of shugo-manager after SIGTERM"
stop_pid "$TRAPD_D_PID" TERM 10
assert_eq "$STOP_STATUS" 0 "exit status of shugo-trapd after SIGTERM"
if grep -E "Sanitizer|runtime error" "$T/shugo-manager.log" "$T/shugo-trapd.log"; then
	fail "a sanitizer reported an error"
fi
# With both stopped the store still answers.
# (up, or suspect if its last poll happened to time out on a loaded machine)
assert_match "$(ctl status)" '^alpha +(up|suspect) ' "status with the manager stopped"
ok "shugo-manager and shugo-trapd stopped cleanly; shugoctl still reads the store"
