#!/bin/bash
# Notification routing with real daemons: snmpd and the agent of node alpha,
# shugo-trapd, shugo-manager, snmptrapd as another NMS, and a node zz that
# never answers. A failing group falls back to the next (a destination on a
# node that is down is skipped), every group failing raises one
# shugoMgrNotifyFailed that is itself routed and never raised again, the
# same event from two nodes is delivered once, a flapping source is damped
# and its latest record delivered once it calms down, a route added by a
# reload is first told the current state, an SNMP destination receives the
# record as a notification, and a manager killed -9 in the middle of a
# delivery delivers it after its restart without repeating the others.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool python3 python3
require_tool sqlite3 sqlite3
TRAPD_BIN="$top_builddir/trapd/shugo-trapd"
MANAGER_BIN="$top_builddir/manager/shugo-manager"
for b in "$TRAPD_BIN" "$MANAGER_BIN"; do
	[ -x "$b" ] || fail "$b is not built"
done

start_snmpd
start_trapd # snmptrapd: the NMS the snmp destination forwards to
SHUGO_TRAPD_PORT=$(free_udp_port)
DEAD_PORT=$(free_udp_port)
STORE="$T/store.db"
SINK_SOCK="$T/sink.sock"

q() { sqlite3 -readonly "$STORE" "$1"; }
q_is() { [ "$(q "$2")" = "$1" ]; }

# --- destinations: programs and a socket receiver ---------------------------------

cat >"$T/fail.sh" <<'EOF'
#!/bin/sh
echo "pager service unreachable"
exit 3
EOF
# One line per delivery: what the environment says, then the JSON from stdin.
cat >"$T/record.sh" <<EOF
#!/bin/sh
{
	printf 'route=%s type=%s node=%s object=%s state=%s snap=%s held=%s group=%s id=%s\n' \\
		"\$SHUGO_ROUTE" "\$SHUGO_TYPE" "\$SHUGO_NODE" "\$SHUGO_OBJECT" "\$SHUGO_STATE" \\
		"\$SHUGO_SNAPSHOT" "\$SHUGO_HELD" "\$SHUGO_GROUP" "\$SHUGO_LOG_ID"
	cat
} >>"$T/recorded.log"
EOF
cat >"$T/hang.sh" <<EOF
#!/bin/sh
echo "\$SHUGO_LOG_ID" >>"$T/hang-started.log"
sleep 3
echo "\$SHUGO_LOG_ID" >>"$T/hang-done.log"
EOF
chmod 0755 "$T/fail.sh" "$T/record.sh" "$T/hang.sh"

# A stream socket receiver (unix path, or a TCP port on 127.0.0.1 that it
# picks and writes to READY): one JSON line per connection, answered "ok".
cat >"$T/sink.py" <<'EOF'
import json, os, socket, sys
where, log, ready = sys.argv[1], sys.argv[2], sys.argv[3]
if where == "tcp":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    where = str(s.getsockname()[1])
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(where)
s.listen(16)
with open(ready + ".tmp", "w") as f:
    f.write(where)
os.rename(ready + ".tmp", ready)
while True:
    c, _ = s.accept()
    buf = b""
    while not buf.endswith(b"\n"):
        d = c.recv(65536)
        if not d:
            break
        buf += d
    rec = json.loads(buf)
    with open(log, "a") as f:
        f.write(json.dumps(rec) + "\n")
    c.sendall(b"ok stored\n")
    c.close()
EOF
python3 "$T/sink.py" "$SINK_SOCK" "$T/sink.log" "$T/sink.ready" </dev/null >>"$T/sink.err" 2>&1 &
track_pid $! sink
python3 "$T/sink.py" tcp "$T/tcpsink.log" "$T/tcpsink.ready" </dev/null >>"$T/sink.err" 2>&1 &
track_pid $! tcpsink
wait_for 10 test -e "$T/sink.ready"
wait_for 10 test -e "$T/tcpsink.ready"
TCP_PORT=$(cat "$T/tcpsink.ready")

write_config() { # [extra route yaml]
	{
		# shellcheck disable=SC2119
		agent_config
		cat <<EOF
notify:
  targets:
    - {name: trapd, address: "udp:127.0.0.1:$SHUGO_TRAPD_PORT", type: inform, version: 2c,
       community: $SNMP_COMMUNITY, timeout: 200ms}
cluster:
  nodes:
    - {name: alpha, address: "udp:127.0.0.1:$SNMPD_PORT"}
    - {name: zz, address: "udp:127.0.0.1:$DEAD_PORT"}
manager:
  store: $STORE
  agentx_socket: $AGENTX_SOCKET
  event_socket: $T/manager.sock
  poll: {interval: 300ms, timeout: $(ms 100), retries: 1, down_after: ${SLOW}s}
  snmp: {version: 2c, community: $SNMP_COMMUNITY}
trapd:
  listen: ["udp:127.0.0.1:$SHUGO_TRAPD_PORT"]
  communities: [$SNMP_COMMUNITY]
  rate: 0
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 1s
    start_grace: 1s
  - name: broken
    command: [/bin/false]
    restart: always
    backoff: 200ms
    damping: {restarts: 1, window: 60s}
routing:
  events:
    - {name: "shared.*", once: 1h}
  destinations:
    - {name: pager, method: program, command: ["$T/fail.sh"]}
    - {name: deadsock, method: unix, path: "$T/nobody.sock", timeout: 1s}
    - {name: onzz, method: unix, path: "$SINK_SOCK", node: zz}
    - {name: sink, method: unix, path: "$SINK_SOCK"}
    - {name: tcpsink, method: tcp, address: "127.0.0.1:$TCP_PORT"}
    - {name: tcpsink-noack, method: tcp, address: "127.0.0.1:$TCP_PORT", ack: false}
    - {name: slow, method: program, command: [/bin/sleep, "30"], timeout: 500ms}
    - {name: recorder, method: program, command: ["$T/record.sh"]}
    - {name: hang, method: program, command: ["$T/hang.sh"], timeout: 20s}
    - {name: nms, method: snmp, address: "udp:127.0.0.1:$TRAPD_PORT", type: inform, version: 2c,
       community: $SNMP_COMMUNITY, timeout: 500ms, retries: 1}
  routes:
    - name: fallback
      match: {type: shugoProcAlarm, object: "proc:web", severity: major}
      groups: [[pager, deadsock], onzz, sink]
    - name: allfail
      match: {type: shugoProcExited, object: "proc:web"}
      groups: [slow, deadsock]
    - name: failures
      match: {type: shugoMgrNotifyFailed}
      groups: [deadsock]
    - name: failures-seen
      match: {type: shugoMgrNotifyFailed}
      groups: [recorder]
    - name: nodes
      match: {type: "shugoMgrNode*", node: zz}
      groups: [nms]
    - name: shared
      match: {object: "nic:uplink"}
      dedup: {window: 1h}
      groups: [recorder]
    - name: flap
      match: {object: "res:flap"}
      damping: {events: 2, window: 3s}
      groups: [recorder]
    - name: resume
      match: {object: "app:resume"}
      groups: [hang]
    - name: apps
      match: {type: shugoAppEventRaise, object: ["app:shared.*", "app:own.*"]}
      groups: [recorder]
    - name: tcp
      match: {object: "app:tcp"}
      groups: [[tcpsink, tcpsink-noack]]
      require: all
${1:-}
EOF
	} >"$T/shugo.yaml"
}
write_config

"$TRAPD_BIN" -f -c "$T/shugo.yaml" -N alpha </dev/null >>"$T/shugo-trapd.log" 2>&1 &
track_pid $! shugo-trapd
wait_for 15 grep -q "listening on udp:127.0.0.1:$SHUGO_TRAPD_PORT" "$T/shugo-trapd.log"

start_manager() {
	"$MANAGER_BIN" -f -c "$T/shugo.yaml" -N alpha </dev/null >>"$T/shugo-manager.log" 2>&1 &
	MANAGER_PID=$!
	track_pid "$MANAGER_PID" shugo-manager
	wait_for 15 grep -q "shugo-manager .* started" "$T/shugo-manager.log"
}
out=$("$MANAGER_BIN" -n -c "$T/shugo.yaml" -N alpha) || fail "manager -n: $out"
start_manager
wait_for 20 q_is 4 "select state from nodes where name = 'zz'"
ok "the manager runs with 10 routes; zz is down"

# --- zz's down, forwarded to another NMS as an SNMP INFORM ----------------------

MGR_NOTIF=$(oid SHUGO-MANAGER-MIB::shugoMgrNotifications)
trapd_wait 15 "VB .1.3.6.1.6.3.1.1.4.1.0 = OID: $MGR_NOTIF.1\$"
trapd_wait 5 "VB $(oid SHUGO-MIB::shugoNotifObject).0 = STRING: \"?node:zz\"?\$"
down_id=$(q "select id from log where type_name = 'shugoMgrNodeDown' and node = 'zz'")
trapd_wait 5 "VB $(oid SHUGO-MANAGER-MIB::shugoMgrNotifLogId).0 = Gauge32: $down_id\$"
wait_for 5 q_is "ok|acknowledged" "select state || '|' || result from deliveries where route = 'nodes' and log_id = $down_id"
ok "zz's shugoMgrNodeDown (log $down_id) reached the NMS as an acknowledged INFORM with its varbinds"

# --- fallback: group 1 fails, group 2 is on a node that is down, group 3 takes it ----

start_agent alpha
wait_for 20 q_is 2 "select state from nodes where name = 'alpha'"
wait_for 15 grep -q "shugoProcAlarm" <(q "select type_name from log where node = 'alpha' and object = 'proc:broken'")
wait_for 10 test -n "$(inst_pids web)"
kill -9 "$(inst_pids web)"
wait_for 15 q_is 1 "select count(*) from log where type_name = 'shugoProcAlarm' and object = 'proc:web'"
alarm_id=$(q "select id from log where type_name = 'shugoProcAlarm' and object = 'proc:web'")
wait_for 15 grep -q "\"id\": $alarm_id," "$T/sink.log"
rows=$(q "select priority || ':' || destination || ':' || state from deliveries
	where route = 'fallback' and log_id = $alarm_id order by priority, destination")
assert_eq "$(echo "$rows" | tr '\n' ' ')" "1:deadsock:failed 1:pager:failed 2:onzz:skipped 3:sink:ok " \
	"fallback rows"
assert_match "$(q "select result from deliveries where route = 'fallback' and log_id = $alarm_id and destination = 'pager'")" \
	'^exit 3: pager service unreachable$' "the program's exit and first line"
grep "\"id\": $alarm_id," "$T/sink.log" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
assert r["route"] == "fallback" and r["destination"] == "sink" and r["group"] == 3, r
assert r["type_name"] == "shugoProcAlarm" and r["node"] == "alpha" and r["object"] == "proc:web", r
assert r["snapshot"] is False and r["held"] == 0 and r["occurred_ms"] > 0, r
' || fail "the sink's record"
ok "shugoProcAlarm web: pager (exit 3) and deadsock failed, onzz skipped (zz down), the sink acknowledged group 3"

CTL="$top_builddir/manager/shugoctl"
out=$("$CTL" --store "$STORE" deliveries --route fallback --log "$alarm_id") || fail "shugoctl deliveries: $out"
assert_match "$out" "^ID +STARTED +ROUTE +LOG +GROUP +DESTINATION +STATE +RESULT" "deliveries header"
assert_match "$out" " fallback +$alarm_id +1 +pager +failed +exit 3: pager service unreachable" "pager row"
assert_match "$out" " fallback +$alarm_id +2 +onzz +skipped +node zz is down" "onzz row"
assert_match "$out" " fallback +$alarm_id +3 +sink +ok +ok stored" "sink row"
"$CTL" --store "$STORE" --json deliveries -n 0 | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) >= 5, rows
assert all(set(r) >= {"id", "log_id", "route", "group", "destination", "state", "result", "started", "ended_ms"} for r in rows)
assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
' || fail "deliveries --json"
ok "shugoctl deliveries shows each attempt (table and JSON)"

# --- every group fails: one shugoMgrNotifyFailed, routed, never raised again -------

exited_id=$(q "select id from log where type_name = 'shugoProcExited' and object = 'proc:web' order by id limit 1")
[ -n "$exited_id" ] || fail "no shugoProcExited for web"
wait_for 15 q_is 1 "select count(*) from log where type_name = 'shugoMgrNotifyFailed'"
nf=$(q "select id || '|' || object || '|' || detail from log where type_name = 'shugoMgrNotifyFailed'")
nf_id=${nf%%|*}
assert_match "$nf" "^$nf_id\\|route:allfail\\|log $exited_id \\(shugoProcExited alpha proc:web .*\\) not delivered: slow: timeout after 500 ms, killed; deadsock: connect: " \
	"the failure record"
wait_for 10 grep -q "route=failures-seen type=shugoMgrNotifyFailed .* id=$nf_id\$" "$T/recorded.log"
wait_for 10 q_is failed "select state from deliveries where route = 'failures' and log_id = $nf_id"
wait_for 10 grep -q "notification-failed record $nf_id could not be delivered either" "$T/shugo-manager.log"
# a second round cannot produce a second failure record for the first
assert_eq "$(q "select count(*) from log where type_name = 'shugoMgrNotifyFailed'")" 1 "one failure record"
ok "allfail: slow timed out (killed), deadsock refused: one shugoMgrNotifyFailed ($nf_id), delivered to recorder; its own failure raised nothing"

# --- the same event from two nodes, delivered once --------------------------------

agent_trap() { # <node> <seq> <object> <state> <detail> [type]
	snmptrap -v2c -c "$SNMP_COMMUNITY" "127.0.0.1:$SHUGO_TRAPD_PORT" '' "SHUGO-MIB::${6:-shugoNicAlarm}" \
		SHUGO-MIB::shugoNotifNode.0 s "$1" SHUGO-MIB::shugoNotifBoot.0 u 1 SHUGO-MIB::shugoNotifSeq.0 u "$2" \
		SHUGO-MIB::shugoNotifSeverity.0 i 5 SHUGO-MIB::shugoNotifObject.0 s "$3" \
		SHUGO-MIB::shugoNotifState.0 s "$4" SHUGO-MIB::shugoNotifDetail.0 s "$5"
}
agent_trap ext1 1 nic:uplink linkDown "carrier lost on the shared switch"
wait_for 10 q_is 1 "select count(*) from deliveries where route = 'shared'"
agent_trap ext2 1 nic:uplink linkDown "carrier lost on the shared switch"
agent_trap ext2 2 nic:uplink linkDown "another detail"
wait_for 10 q_is 3 "select count(*) from deliveries where route = 'shared' and state <> 'pending'"
assert_eq "$(q "select l.node || ':' || d.state from deliveries d join log l on l.id = d.log_id
	where d.route = 'shared' and d.state <> 'pending' order by d.id" | tr '\n' ' ')" \
	"ext1:ok ext2:duplicate ext2:ok " "dedup verdicts"
assert_eq "$(grep -c '^route=shared ' "$T/recorded.log")" 2 "recorder calls for shared"
ok "the same linkDown from ext1 and ext2: delivered once; another detail is another event"

agent_trap ext5 1 app:tcp raised "over TCP" shugoAppEventRaise
wait_for 10 q_is "ok:ok stored|ok:written" "select group_concat(state || ':' || result, '|') from
	(select state, result from deliveries where route = 'tcp' order by destination)"
assert_eq "$(grep -c '"object": "app:tcp"' "$T/tcpsink.log")" 2 "both TCP deliveries arrived"
ok "TCP: acknowledged with 'ok stored', and written without waiting for an answer (ack: false)"

# --- an application event defined "once": the same from two nodes, one delivery ---------
agent_trap ext6 1 app:shared.disk full "/shared at 99%" shugoAppEventRaise
wait_for 10 grep -q '^route=apps .*node=ext6 object=app:shared.disk ' "$T/recorded.log"
agent_trap ext7 1 app:shared.disk full "/shared at 99%" shugoAppEventRaise
agent_trap ext6 2 app:own.cache full "cache at 99%" shugoAppEventRaise
agent_trap ext7 2 app:own.cache full "cache at 99%" shugoAppEventRaise
wait_for 10 q_is 2 "select count(*) from deliveries where route = 'apps' and state = 'ok'
	and log_id in (select id from log where object = 'app:own.cache')"
wait_for 10 q_is "duplicate" "select state from deliveries where route = 'events:shared.*'
	and log_id = (select id from log where node = 'ext7' and object = 'app:shared.disk')"
assert_eq "$(grep -c '^route=apps .*object=app:shared.disk ' "$T/recorded.log")" 1 "shared.disk delivered once"
ok "app:shared.disk from two nodes delivered once (routing.events once); app:own.cache, not defined so, twice"

# --- damping: 2 within 3 s, the rest held; the latest delivered once it calms -------

for i in 1 2 3 4 5 6; do
	state=down
	[ $((i % 2)) -eq 0 ] && state=up
	agent_trap ext3 "$i" res:flap "$state" "flap $i" shugoResAlarm
done
wait_for 10 q_is "2|4" "select sum(state <> 'damped') || '|' || sum(state = 'damped') from deliveries where route = 'flap'"
wait_for 15 grep -q '^route=flap .*object=res:flap state=up snap=0 held=3 ' "$T/recorded.log"
last_flap=$(q "select id from log where node = 'ext3' and seq = 6")
assert_eq "$(grep '^route=flap ' "$T/recorded.log" | grep -c "id=$last_flap\$")" 1 "the sixth delivered once"
assert_eq "$(grep -c '^route=flap ' "$T/recorded.log")" 3 "three deliveries for the flapping source"
ok "a flapping source: 2 delivered, 4 held back, then the latest (seq 6) with held=3"

# --- a route added by a reload is told the current state first ----------------------

wait_for 15 q_is 1 "select count(*) from alarms where node = 'alpha' and object = 'proc:broken' and sev = 6"
write_config "    - name: late
      match: {severity: critical, object: [\"proc:*\", \"node:*\"]}
      groups: [recorder]"
kill -HUP "$MANAGER_PID"
wait_for 10 grep -q "route late: new; told the current state (2 records)" "$T/shugo-manager.log"
wait_for 10 grep -q '^route=late type=shugoProcAlarm node=alpha object=proc:broken state=failed snap=1 ' "$T/recorded.log"
wait_for 10 grep -q '^route=late type=shugoMgrNodeDown node=zz object=node:zz state=down snap=1 ' "$T/recorded.log"
ok "the new route 'late' got broken's critical alarm and zz's down as the current state"

# --- kill -9 while a delivery is under way: resumed, nothing else repeated --------------

agent_trap ext4 1 app:resume started "resume me" shugoAppEventRaise
wait_for 10 test -s "$T/hang-started.log"
resume_id=$(q "select id from log where node = 'ext4'")
before=$(wc -l <"$T/recorded.log")
kill -9 "$MANAGER_PID"
wait_for 5 bash -c "! kill -0 $MANAGER_PID 2>/dev/null"
assert_eq "$(q "select state from deliveries where route = 'resume'")" pending "pending at the kill"
start_manager
wait_for 10 grep -q "route resume: log $resume_id was being delivered when the manager stopped; again from group 1" \
	"$T/shugo-manager.log"
wait_for 20 q_is "cancelled ok" "select group_concat(state, ' ') from (select state from deliveries where route = 'resume' order by id)"
# everything else was routed before the kill: the restart, which has read
# the log since (the resumed delivery took seconds), repeats none of it
assert_eq "$(q "select count(*) from deliveries where route = 'late' and snapshot = 1")" 2 "late not told again"
assert_eq "$(wc -l <"$T/recorded.log")" "$before" "no delivery repeated after the restart"
ok "killed -9 during a delivery: resumed after the restart (cancelled, then ok); nothing else delivered twice"

stop_pid "$MANAGER_PID" TERM
ok "the manager stops cleanly"
