#!/bin/bash
# A supervised process killed with SIGKILL is reported and restarted: each
# target (an SNMPv2c INFORM and an SNMPv3 authPriv INFORM, both to our
# snmptrapd) gets shugoProcExited, shugoProcAlarm (backoff), shugoProcStarted
# and shugoProcClear in sequence order, and the MIB shows the restart. A
# process that keeps failing is given up after its damping limit (failed, a
# critical alarm) and started again by a v3 SET of shugoProcDesiredState.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd
start_trapd

{
	agent_config inform:2c inform:3
	cat <<EOF
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 1s
    start_grace: 2s
  - name: flaky
    # Fails 0.2 s after each start until the test creates flaky-ok.
    command: [/bin/sh, -c, "test -e '$T/flaky-ok' && exec /bin/sleep 300; sleep 0.2; exit 1"]
    restart: always
    backoff: 100ms
    backoff_max: 200ms
    start_grace: 1s
    damping: {restarts: 2, window: 60s}
EOF
} >"$T/shugo.yaml"
start_agent n1

# --- kill -9 of a supervised process -----------------------------------------

running() { # <name>: shugoProcState is running(1)
	[ "$(snum "SHUGO-MIB::shugoProcState.\"$1\"")" = 1 ]
}
row_gone() { # <alarm id>: no such row in shugoAlarmTable
	! sval "SHUGO-MIB::shugoAlarmObject.$1"
}
wait_for 10 running web
pid=$(inst_pids web)
assert_match "$pid" '^[0-9]+$' "the one instance of web"
assert_eq "$(ppid_of "$pid")" "$AGENT_PID" "parent of web's pid $pid"
assert_eq "$(snum 'SHUGO-MIB::shugoProcRestarts."web"')" 0 "shugoProcRestarts before the kill"
ok "web runs as pid $pid, a child of the agent"

kill -KILL "$pid"

# The alarm row is there from the raise until web runs again (1 s backoff and
# 2 s start grace).
re="^type=shugoProcAlarm sec=$SNMP_COMMUNITY .* object=proc:web state=backoff "
trapd_wait_event 5 "$re"
id=$(ev_get "$(trapd_event "$re")" alarm)
assert_eq "$(sval "SHUGO-MIB::shugoAlarmObject.$id")" proc:web "shugoAlarmObject.$id while web is down"
assert_eq "$(sval "SHUGO-MIB::shugoAlarmType.$id")" SHUGO-MIB::shugoProcAlarm "shugoAlarmType.$id"
ok "alarm row $id (proc:web) is in shugoAlarmTable while web is down"

# Every notification about web after the kill, per target, in arrival order.
for sec in "$SNMP_COMMUNITY" "$SNMP_USER"; do
	re="sec=$sec .* object=proc:web"
	trapd_wait_event 10 "^type=shugoProcClear $re state=running "
	exited=$(trapd_event "^type=shugoProcExited $re state=abnormal ") ||
		fail "no shugoProcExited (abnormal) for $sec"
	alarm=$(trapd_event "^type=shugoProcAlarm $re state=backoff ") ||
		fail "no shugoProcAlarm (backoff) for $sec"
	started=$(trapd_events | grep -E "^type=shugoProcStarted $re " | tail -n1)
	clear=$(trapd_event "^type=shugoProcClear $re state=running ")

	assert_match "$(ev_get "$exited" detail)" "pid $pid .*signal 9" "shugoProcExited detail ($sec)"
	assert_eq "$(ev_get "$alarm" sev)" 5 "shugoProcAlarm severity, major(5) ($sec)"
	id=$(ev_get "$alarm" alarm)
	assert_match "$id" '^[1-9][0-9]*$' "shugoNotifAlarmId of shugoProcAlarm ($sec)"
	assert_eq "$(ev_get "$clear" alarm)" "$id" "alarm id of shugoProcClear ($sec)"
	assert_eq "$(ev_get "$clear" sev)" 1 "shugoProcClear severity, clear(1) ($sec)"
	prev=0
	for ev in "$exited" "$alarm" "$started" "$clear"; do
		assert_eq "$(ev_get "$ev" node)" n1 "shugoNotifNode of: $ev"
		assert_eq "$(ev_get "$ev" boot)" 1 "shugoNotifBoot of: $ev"
		seq=$(ev_get "$ev" seq)
		[ "$seq" -gt "$prev" ] || fail "shugoNotifSeq $seq does not follow $prev: $ev"
		prev=$seq
	done
	ok "$sec: shugoProcExited, shugoProcAlarm (major, backoff, id $id), shugoProcStarted, shugoProcClear in sequence"
done

# Both targets saw the same notifications with the same numbers.
for t in shugoProcExited shugoProcAlarm shugoProcClear; do
	a=$(trapd_event "^type=$t sec=$SNMP_COMMUNITY .* object=proc:web ")
	b=$(trapd_event "^type=$t sec=$SNMP_USER .* object=proc:web ")
	assert_eq "${b#* seq=}" "${a#* seq=}" "$t as sent to the two targets"
done
ok "the v2c and v3 targets received identical notifications"

wait_for 10 running web
new=$(inst_pids web)
[ "$new" != "$pid" ] || fail "web still has the killed pid $pid"
assert_eq "$(ppid_of "$new")" "$AGENT_PID" "parent of web's new pid $new"
assert_eq "$(snum 'SHUGO-MIB::shugoProcRestarts."web"')" 1 "shugoProcRestarts"
assert_eq "$(snum 'SHUGO-MIB::shugoProcLastExitSignal."web"')" 9 "shugoProcLastExitSignal"
assert_eq "$(snum 'SHUGO-MIB::shugoProcLastExitCode."web"')" -1 "shugoProcLastExitCode"
assert_eq "$(snum 'SHUGO-MIB::shugoProcLastEnd."web"')" 3 "shugoProcLastEnd, abnormal(3)"
assert_eq "$(snum "SHUGO-MIB::shugoProcInstRestarts.\"web\".$new")" 1 "shugoProcInstRestarts"
ok "web restarted as pid $new: restarts 1, last exit signal 9, last end abnormal"

# The alarm row existed while web was down and is gone since the clear. The
# raise is checked in the notification log, which holds the row's own sequence.
alarm=$(trapd_event "^type=shugoProcAlarm sec=$SNMP_COMMUNITY .* object=proc:web state=backoff ")
id=$(ev_get "$alarm" alarm)
seq=$(ev_get "$alarm" seq)
assert_eq "$(sval "SHUGO-MIB::shugoNotifLogObject.$seq")" proc:web "shugoNotifLogObject.$seq"
assert_eq "$(sval "SHUGO-MIB::shugoNotifLogState.$seq")" backoff "shugoNotifLogState.$seq"
if sval "SHUGO-MIB::shugoAlarmObject.$id" >/dev/null; then
	fail "alarm row $id is still there after shugoProcClear"
fi
ok "alarm row $id is gone after the clear"

# And while it is raised it is in the table: kill again and look during the
# 1 s backoff and 2 s start grace.
last=$(trapd_events | grep -E "^type=shugoProcClear sec=$SNMP_COMMUNITY .* object=proc:web " | tail -n1)
kill -KILL "$new"
second() { # the alarm raised after the last clear
	trapd_events | grep -E "^type=shugoProcAlarm sec=$SNMP_COMMUNITY .* object=proc:web state=backoff " |
		tail -n1 | grep -q "detail=pid $new "
}
wait_for 5 second
alarm=$(trapd_events | grep -E "^type=shugoProcAlarm sec=$SNMP_COMMUNITY .* object=proc:web state=backoff " | tail -n1)
id2=$(ev_get "$alarm" alarm)
[ "$(ev_get "$alarm" seq)" -gt "$(ev_get "$last" seq)" ] || fail "the second alarm is older than the first clear"
assert_eq "$(sval "SHUGO-MIB::shugoAlarmObject.$id2")" proc:web "shugoAlarmObject.$id2"
assert_eq "$(snum "SHUGO-MIB::shugoAlarmSeverity.$id2")" 5 "shugoAlarmSeverity.$id2"
assert_eq "$(snum "SHUGO-MIB::shugoAlarmRaisedSeq.$id2")" "$(ev_get "$alarm" seq)" "shugoAlarmRaisedSeq.$id2"
wait_for 10 row_gone "$id2"
trapd_has "^type=shugoProcClear sec=$SNMP_COMMUNITY .* object=proc:web state=running alarm=$id2 " ||
	fail "no shugoProcClear for alarm $id2"
wait_for 5 running web
assert_eq "$(snum 'SHUGO-MIB::shugoProcRestarts."web"')" 2 "shugoProcRestarts after the second kill"
ok "alarm row $id2 is in shugoAlarmTable while web is down, gone once it runs"

# --- damping: a process that keeps failing is given up ----------------------

failed() { [ "$(snum 'SHUGO-MIB::shugoProcState."flaky"')" = 5 ]; }
wait_for 15 failed
re="sec=$SNMP_USER .* object=proc:flaky"
trapd_wait_event 5 "^type=shugoProcAlarm $re state=failed "
gaveup=$(trapd_event "^type=shugoProcAlarm $re state=failed ")
assert_eq "$(ev_get "$gaveup" sev)" 6 "severity of the failed alarm, critical(6)"
assert_match "$(ev_get "$gaveup" detail)" "2 restarts within 60 s" "detail of the failed alarm"
fid=$(ev_get "$gaveup" alarm)
assert_match "$fid" '^[1-9][0-9]*$' "alarm id of the failed alarm"
assert_eq "$(snum 'SHUGO-MIB::shugoProcRestarts."flaky"')" 2 "shugoProcRestarts of flaky"
assert_eq "$(snum 'SHUGO-MIB::shugoProcLastExitCode."flaky"')" 1 "shugoProcLastExitCode of flaky"
assert_eq "$(snum 'SHUGO-MIB::shugoProcInstances."flaky"')" 0 "instances of a failed process"
assert_eq "$(snum "SHUGO-MIB::shugoAlarmSeverity.$fid")" 6 "shugoAlarmSeverity.$fid"
# It stays failed: nothing restarts it behind the operator's back.
n=$(trapd_events | grep -Ec "^type=shugoProcStarted $re ")
assert_eq "$n" 3 "starts of flaky (first start and 2 restarts)"
ok "flaky failed after 2 restarts: critical shugoProcAlarm (state failed, id $fid)"

: >"$T/flaky-ok"
sset 'SHUGO-MIB::shugoProcDesiredState."flaky"' i 1 >/dev/null || fail "SET shugoProcDesiredState.flaky = running refused"
trapd_wait_event 10 "^type=shugoProcClear $re state=running alarm=$fid "
started=$(trapd_events | grep -E "^type=shugoProcStarted $re " | tail -n1)
[ "$(ev_get "$started" seq)" -gt "$(ev_get "$gaveup" seq)" ] || fail "no shugoProcStarted after the SET: $started"
running flaky || fail "flaky is not running after the SET and its clear"
fpid=$(inst_pids flaky)
assert_eq "$(ppid_of "$fpid")" "$AGENT_PID" "parent of flaky's pid $fpid"
wait_for 2 row_gone "$fid"
ok "SET shugoProcDesiredState = running(1) started flaky again; its alarm cleared"
