#!/bin/bash
# SETs on the agent's writable objects over SNMPv3 authPriv: every bad value is
# refused with the right SNMP error and changes nothing; good ones act (a
# signal stops and continues a process, desired state stopped stops it, a
# consistent pair of thresholds is taken as one). The v2c community cannot SET.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd
start_trapd

# A watched process to point SETs at: one instance, started here.
tag="shugo-tset$$"
bash -c "exec -a $tag sleep 300" </dev/null >/dev/null 2>&1 &
track_pid $! "$tag"
wpid=$!
has_tag() { grep -q "^$tag" "/proc/$wpid/cmdline"; }
wait_for 5 has_tag

{
	agent_config inform:2c
	cat <<EOF
processes:
  - name: web
    command: [/bin/sleep, "300"]
    start_grace: 1s
  - name: idle
    command: [/bin/sleep, "300"]
    start: false
  - name: watched
    match: {cmdline: "^$tag "}
resources:
  cpu: {warning: 85, critical: 95, hysteresis: 5}
  nics: [{name: lo, stall_after: 30s}]
EOF
} >"$T/shugo.yaml"
start_agent n1

state() { # <name> <shugoProcState>
	[ "$(snum "SHUGO-MIB::shugoProcState.\"$1\"")" = "$2" ]
}
wait_for 10 state web 1
wait_for 10 state watched 1
pid=$(inst_pids web)
assert_match "$pid" '^[0-9]+$' "instance of web"

# unchanged: everything the refused SETs below could have touched.
unchanged() {
	assert_eq "$(snum 'SHUGO-MIB::shugoProcDesiredState."web"')" 1 "shugoProcDesiredState.web"
	assert_eq "$(snum 'SHUGO-MIB::shugoProcState."web"')" 1 "shugoProcState.web"
	assert_eq "$(inst_pids web)" "$pid" "instance of web"
	assert_eq "$(snum 'SHUGO-MIB::shugoProcSignal."web"')" 0 "shugoProcSignal.web"
	assert_eq "$(snum 'SHUGO-MIB::shugoProcDesiredState."watched"')" 1 "shugoProcDesiredState.watched"
	assert_eq "$(inst_pids watched)" "$wpid" "instance of watched"
	assert_eq "$(snum 'SHUGO-MIB::shugoProcState."idle"')" 2 "shugoProcState.idle"
	assert_eq "$(snum 'SHUGO-MIB::shugoProcSignal."idle"')" 0 "shugoProcSignal.idle"
	assert_eq "$(snum 'SHUGO-MIB::shugoProcInstances."web"')" 1 "shugoProcInstances.web"
	assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."cpu"')" 8500 "shugoResWarning.cpu"
	assert_eq "$(snum 'SHUGO-MIB::shugoResCritical."cpu"')" 9500 "shugoResCritical.cpu"
	assert_eq "$(snum 'SHUGO-MIB::shugoResHysteresis."cpu"')" 500 "shugoResHysteresis.cpu"
	assert_eq "$(snum 'SHUGO-MIB::shugoNicStallAfter."lo"')" 30 "shugoNicStallAfter.lo"
	pid_alive "$pid" || fail "web's pid $pid is gone"
	pid_alive "$wpid" || fail "watched pid $wpid is gone"
}
unchanged

# --- refused SETs ------------------------------------------------------------

sset_fails wrongValue 'SHUGO-MIB::shugoProcDesiredState."web"' i 7
unchanged
sset_fails wrongValue 'SHUGO-MIB::shugoProcDesiredState."web"' i 0
unchanged
ok "shugoProcDesiredState 7 or 0: wrongValue, nothing changed"

sset_fails inconsistentValue 'SHUGO-MIB::shugoProcDesiredState."watched"' i 2
unchanged
ok "shugoProcDesiredState of a watched process: inconsistentValue"

sset_fails wrongValue 'SHUGO-MIB::shugoProcSignal."web"' i 99
unchanged
sset_fails wrongValue 'SHUGO-MIB::shugoProcSignal."web"' i -1
unchanged
ok "shugoProcSignal 99 or -1: wrongValue"

sset_fails inconsistentValue 'SHUGO-MIB::shugoProcSignal."idle"' i 15
unchanged
ok "shugoProcSignal to a definition with no instance: inconsistentValue"

sset_fails inconsistentValue 'SHUGO-MIB::shugoResWarning."cpu"' u 9600
unchanged
sset_fails inconsistentValue 'SHUGO-MIB::shugoResCritical."cpu"' u 8000
unchanged
ok "shugoResWarning above shugoResCritical (or critical below warning): inconsistentValue"

# A good value beside a bad one: the whole PDU is refused.
sset_fails inconsistentValue 'SHUGO-MIB::shugoResHysteresis."cpu"' u 300 'SHUGO-MIB::shugoResWarning."cpu"' u 9900
unchanged
sset_fails wrongValue 'SHUGO-MIB::shugoNicStallAfter."lo"' u 60 'SHUGO-MIB::shugoProcSignal."web"' i 65
unchanged
ok "a PDU with one bad value changes nothing, not even its good values"

sset_fails wrongValue 'SHUGO-MIB::shugoNicStallAfter."lo"' u 0
unchanged
sset_fails wrongValue 'SHUGO-MIB::shugoNicStallAfter."lo"' u 86401
unchanged
ok "shugoNicStallAfter 0 or 86401: wrongValue"

sset_fails wrongType 'SHUGO-MIB::shugoProcDesiredState."web"' s 1
unchanged
sset_fails wrongType 'SHUGO-MIB::shugoResWarning."cpu"' i 9000
unchanged
ok "a string for an integer, an Integer32 for an Unsigned32: wrongType"

sset_fails notWritable 'SHUGO-MIB::shugoProcInstances."web"' u 2
unchanged
sset_fails notWritable 'SHUGO-MIB::shugoResValue."cpu"' u 1
unchanged
ok "shugoProcInstances and shugoResValue are read-only: notWritable"

sset_fails noCreation 'SHUGO-MIB::shugoProcDesiredState."nosuch"' i 1
unchanged
ok "a SET on a row that does not exist: noCreation"

# shellcheck disable=SC2086
if out=$(snmpset -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "127.0.0.1:$SNMPD_PORT" \
	'SHUGO-MIB::shugoProcDesiredState."web"' i 2 2>&1); then
	fail "the v2c community could SET: $out"
fi
unchanged
ok "the v2c community cannot SET ($(printf '%s\n' "$out" | sed -n 's/^Reason: \([A-Za-z]*\).*/\1/p'))"

# --- accepted SETs -----------------------------------------------------------

sset 'SHUGO-MIB::shugoNicStallAfter."lo"' u 86400 >/dev/null || fail "shugoNicStallAfter 86400 refused"
assert_eq "$(snum 'SHUGO-MIB::shugoNicStallAfter."lo"')" 86400 "shugoNicStallAfter.lo after the SET"
ok "shugoNicStallAfter 86400: accepted"

inst_state() { # <shugoProcInstState>
	[ "$(snum "SHUGO-MIB::shugoProcInstState.\"web\".$pid")" = "$1" ]
}
proc_letter() { sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1; }
sset 'SHUGO-MIB::shugoProcSignal."web"' i 19 >/dev/null || fail "SIGSTOP by SET refused"
wait_for 3 inst_state 4
assert_eq "$(proc_letter)" T "state of pid $pid in /proc"
assert_eq "$(snum 'SHUGO-MIB::shugoProcSignal."web"')" 19 "shugoProcSignal.web after SIGSTOP"
assert_eq "$(snum 'SHUGO-MIB::shugoProcState."web"')" 1 "shugoProcState.web while stopped by a signal"
sset 'SHUGO-MIB::shugoProcSignal."web"' i 18 >/dev/null || fail "SIGCONT by SET refused"
wait_for 3 inst_state 2
assert_eq "$(proc_letter)" S "state of pid $pid in /proc"
assert_eq "$(snum 'SHUGO-MIB::shugoProcSignal."web"')" 18 "shugoProcSignal.web after SIGCONT"
assert_eq "$(inst_pids web)" "$pid" "instance of web after SIGSTOP and SIGCONT"
ok "shugoProcSignal 19 then 18: instance $pid stopped(4), then sleeping(2) again"

# Signal 0 only checks that the instance exists.
sset 'SHUGO-MIB::shugoProcSignal."watched"' i 0 >/dev/null || fail "signal 0 to a watched process refused"
pid_alive "$wpid" || fail "signal 0 ended pid $wpid"

sset 'SHUGO-MIB::shugoProcDesiredState."web"' i 2 >/dev/null || fail "desired state stopped refused"
gone() { ! pid_alive "$pid"; }
wait_for 7 gone
wait_for 5 state web 2
assert_eq "$(snum 'SHUGO-MIB::shugoProcDesiredState."web"')" 2 "shugoProcDesiredState.web"
assert_eq "$(snum 'SHUGO-MIB::shugoProcInstances."web"')" 0 "shugoProcInstances.web"
assert_eq "$(snum 'SHUGO-MIB::shugoProcLastEnd."web"')" 2 "shugoProcLastEnd.web, normal(2)"
assert_eq "$(inst_pids web)" "" "instances of web"
re="sec=$SNMP_COMMUNITY .* object=proc:web"
trapd_wait_event 5 "^type=shugoProcExited $re state=normal "
ev=$(trapd_event "^type=shugoProcExited $re state=normal ")
assert_eq "$(ev_get "$ev" sev)" 2 "severity of shugoProcExited, info(2)"
# A stop asked for is no fault: no alarm, none in the table.
trapd_has "^type=shugoProcAlarm $re " && fail "an alarm was raised for web: $(trapd_event "^type=shugoProcAlarm $re ")"
swalk -OQ SHUGO-MIB::shugoAlarmObject >"$T/alarms" || fail "walk of shugoAlarmObject failed"
grep -q '= proc:web$' "$T/alarms" && fail "shugoAlarmTable has a row for proc:web: $(cat "$T/alarms")"
# It stays stopped.
sleep 1.5
assert_eq "$(snum 'SHUGO-MIB::shugoProcState."web"')" 2 "shugoProcState.web a while later"
ok "desired state stopped(2): pid $pid gone, state stopped(2), no alarm"

sset 'SHUGO-MIB::shugoProcDesiredState."web"' i 1 >/dev/null || fail "desired state running refused"
wait_for 5 state web 1
new=$(inst_pids web)
if [ -z "$new" ] || [ "$new" = "$pid" ]; then
	fail "web did not start again (instance '$new')"
fi
ok "desired state running(1): web runs again as pid $new"

# --- thresholds set together --------------------------------------------------

# A row's values are judged together, as the PDU would leave them. Both checks
# run before either fails the test: judging each column alone (each column is
# a registration of its own, so RESERVE2 may see one value) refuses the first
# PDU and accepts the second.
bad=
if out=$(sset 'SHUGO-MIB::shugoResWarning."cpu"' u 9600 'SHUGO-MIB::shugoResCritical."cpu"' u 9700 2>&1); then
	w=$(snum 'SHUGO-MIB::shugoResWarning."cpu"')
	c=$(snum 'SHUGO-MIB::shugoResCritical."cpu"')
	h=$(snum 'SHUGO-MIB::shugoResHysteresis."cpu"')
	[ "$w/$c/$h" = 9600/9700/500 ] || bad="$bad
  warning 9600 + critical 9700 read back as warning/critical/hysteresis $w/$c/$h"
else
	bad="$bad
  warning 9600 + critical 9700 in one PDU (consistent together) refused: ${out//$'\n'/ }"
fi
[ -z "$bad" ] && ok "warning 9600 and critical 9700 in one PDU: accepted and read back"
# Each value alone is within the current thresholds, together they cross.
w0=$(snum 'SHUGO-MIB::shugoResWarning."cpu"')
c0=$(snum 'SHUGO-MIB::shugoResCritical."cpu"')
d=$(((c0 - w0) / 4))
[ "$d" -ge 1 ] || fail "cpu thresholds $w0/$c0 leave no room for the test"
w=$((c0 - d))
c=$((w0 + d))
if out=$(sset 'SHUGO-MIB::shugoResWarning."cpu"' u $w 'SHUGO-MIB::shugoResCritical."cpu"' u $c 2>&1); then
	bad="$bad
  warning $w + critical $c in one PDU accepted; now warning/critical $(snum 'SHUGO-MIB::shugoResWarning."cpu"')/$(snum 'SHUGO-MIB::shugoResCritical."cpu"')"
else
	printf '%s\n' "$out" | grep -q '^Reason: inconsistentValue' || bad="$bad
  warning above critical in one PDU: expected inconsistentValue, got ${out//$'\n'/ }"
	assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."cpu"')" "$w0" "shugoResWarning.cpu"
	assert_eq "$(snum 'SHUGO-MIB::shugoResCritical."cpu"')" "$c0" "shugoResCritical.cpu"
	ok "warning $w + critical $c in one PDU (each fine alone): inconsistentValue, unchanged"
fi
[ -z "$bad" ] || fail "thresholds set in one PDU are not judged together:$bad"
