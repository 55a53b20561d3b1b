#!/bin/bash
# Resource and NIC alarms: a filesystem above its thresholds raises
# shugoResAlarm and an alarm row; raising the thresholds by SET clears both. A
# NIC that does not exist is absent; on a veth pair made here (when the test may
# create interfaces) a NIC goes link down, stalled (link up, nothing arriving:
# what it sends itself does not count), ok once frames arrive, link down again
# and absent once deleted, with shugoNicAlarm / shugoNicClear for each.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd
start_trapd

absent="shgnone$$"
nic="shg$$a"
peer="shg$$b"
# A veth pair with nothing on it: no addresses, no IPv6 chatter.
have_veth=
if command -v ip >/dev/null 2>&1 && ip link add "$nic" type veth peer name "$peer" 2>"$T/ip.err"; then
	at_exit "ip link del '$nic' 2>/dev/null"
	for i in "$nic" "$peer"; do
		if [ -w "/proc/sys/net/ipv6/conf/$i/disable_ipv6" ]; then
			echo 1 >"/proc/sys/net/ipv6/conf/$i/disable_ipv6"
		fi
	done
	have_veth=1
fi

{
	AGENT_SAMPLE=500ms agent_config inform:2c
	cat <<EOF
resources:
  cpu: off
  memory: off
  swap: off
  load: off
  filesystems:
    - {path: /, warning: 1, critical: 2, hysteresis: 0.5}
  nics:
    - {name: $absent, stall_after: 30s}
EOF
	[ -z "$have_veth" ] || echo "    - {name: $nic, stall_after: 2s}"
} >"$T/shugo.yaml"
start_agent n1

sec="sec=$SNMP_COMMUNITY"

# --- a filesystem --------------------------------------------------------------

re="^type=shugoResAlarm $sec .* object=res:fs:/ state=critical "
trapd_wait_event 5 "$re"
ev=$(trapd_event "$re")
assert_eq "$(ev_get "$ev" sev)" 6 "shugoResAlarm severity, critical(6)"
assert_match "$(ev_get "$ev" detail)" "critical 2\.00" "shugoResAlarm detail"
id=$(ev_get "$ev" alarm)
assert_match "$id" '^[1-9][0-9]*$' "alarm id"
assert_eq "$(snum 'SHUGO-MIB::shugoResState."fs:/"')" 3 "shugoResState.fs:/, critical(3)"
assert_eq "$(sval "SHUGO-MIB::shugoAlarmObject.$id")" "res:fs:/" "shugoAlarmObject.$id"
assert_eq "$(snum "SHUGO-MIB::shugoAlarmSeverity.$id")" 6 "shugoAlarmSeverity.$id"
assert_eq "$(sval "SHUGO-MIB::shugoAlarmType.$id")" SHUGO-MIB::shugoResAlarm "shugoAlarmType.$id"
ok "fs:/ above critical 2 %: shugoResAlarm (critical, alarm $id) and its alarm row"

# Critical first: each SET must leave warning <= critical on its own.
sset 'SHUGO-MIB::shugoResCritical."fs:/"' u 9900 >/dev/null || fail "SET shugoResCritical.fs:/ 9900 refused"
re="^type=shugoResAlarm $sec .* object=res:fs:/ state=warning "
trapd_wait_event 5 "$re"
ev=$(trapd_event "$re")
assert_eq "$(ev_get "$ev" sev)" 3 "shugoResAlarm severity, warning(3)"
id=$(ev_get "$ev" alarm)
assert_eq "$(snum 'SHUGO-MIB::shugoResState."fs:/"')" 2 "shugoResState.fs:/, warning(2)"
assert_eq "$(snum "SHUGO-MIB::shugoAlarmSeverity.$id")" 3 "shugoAlarmSeverity.$id"
sset 'SHUGO-MIB::shugoResWarning."fs:/"' u 9800 >/dev/null || fail "SET shugoResWarning.fs:/ 9800 refused"
re="^type=shugoResClear $sec .* object=res:fs:/ state=ok alarm=$id "
trapd_wait_event 5 "$re"
assert_eq "$(ev_get "$(trapd_event "$re")" sev)" 1 "shugoResClear severity, clear(1)"
assert_eq "$(snum 'SHUGO-MIB::shugoResState."fs:/"')" 1 "shugoResState.fs:/, ok(1)"
sval "SHUGO-MIB::shugoAlarmObject.$id" >/dev/null && fail "alarm row $id is still there"
swalk -OQ SHUGO-MIB::shugoAlarmObject >"$T/alarms" || fail "walk of shugoAlarmObject failed"
grep -q '= res:fs:/$' "$T/alarms" && fail "an alarm row for res:fs:/ is left: $(cat "$T/alarms")"
ok "critical 9900 then warning 9800 by SET: warning, then shugoResClear; no alarm row left"

# --- a NIC that does not exist ---------------------------------------------------

re="^type=shugoNicAlarm $sec .* object=nic:$absent state=absent "
trapd_wait_event 5 "$re"
assert_eq "$(ev_get "$(trapd_event "$re")" sev)" 6 "shugoNicAlarm severity, critical(6)"
assert_eq "$(snum "SHUGO-MIB::shugoNicState.\"$absent\"")" 4 "shugoNicState, absent(4)"
assert_eq "$(snum "SHUGO-MIB::shugoNicIfIndex.\"$absent\"")" 0 "shugoNicIfIndex of an absent NIC"
ok "a NIC that does not exist: absent(4), shugoNicAlarm (critical)"

# --- a veth ------------------------------------------------------------------------

if [ -z "$have_veth" ]; then
	ok "# SKIP veth part: cannot create interfaces here ($(cat "$T/ip.err"))"
	exit 0
fi

# send <interface> <seconds>: raw Ethernet frames out of the interface, 5 a second.
send() {
	exec python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
# broadcast, a local MAC, the local experimental EtherType 0x88b5
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5" + b"shugo test".ljust(46, b"\0")
end = time.time() + float(sys.argv[2])
while time.time() < end:
    s.send(frame)
    time.sleep(0.2)
' "$1" "$2"
}
nic_state() { [ "$(snum "SHUGO-MIB::shugoNicState.\"$nic\"")" = "$1" ]; }
last_nic() { # the latest notification about the veth
	trapd_events | grep -E "^type=shugoNic[A-Za-z]+ $sec .* object=nic:$nic " | tail -n1
}

wait_for 5 nic_state 2
assert_eq "$(snum "SHUGO-MIB::shugoNicLink.\"$nic\"")" 2 "shugoNicLink, down(2)"
assert_eq "$(snum "SHUGO-MIB::shugoNicIfIndex.\"$nic\"")" "$(cat "/sys/class/net/$nic/ifindex")" "shugoNicIfIndex"
trapd_wait_event 5 "^type=shugoNicAlarm $sec .* object=nic:$nic state=linkDown "
ok "veth $nic, administratively down: linkDown(2), shugoNicAlarm"

ip link set "$peer" up
ip link set "$nic" up
wait_for 6 nic_state 3
assert_eq "$(snum "SHUGO-MIB::shugoNicLink.\"$nic\"")" 1 "shugoNicLink, up(1)"
assert_eq "$(snum "SHUGO-MIB::shugoNicTraffic.\"$nic\"")" 2 "shugoNicTraffic, stalled(2)"
trapd_wait_event 5 "^type=shugoNicAlarm $sec .* object=nic:$nic state=stalled "
ev=$(last_nic)
assert_match "$ev" "^type=shugoNicAlarm .* state=stalled " "latest notification about $nic"
assert_eq "$(ev_get "$ev" sev)" 5 "shugoNicAlarm severity, major(5)"
ok "link up, nothing arriving for 2 s: stalled(3), shugoNicAlarm (major)"

# Frames it sends are not arrivals.
(send "$nic" 2.5)
assert_eq "$(snum "SHUGO-MIB::shugoNicState.\"$nic\"")" 3 "shugoNicState while only sending"
assert_eq "$(last_nic)" "$ev" "latest notification about $nic while only sending"
ok "frames sent out of $nic leave it stalled"

send "$peer" 8 &
track_pid $! sender
sender=$!
wait_for 4 nic_state 1
trapd_wait_event 5 "^type=shugoNicClear $sec .* object=nic:$nic state=ok "
cap=$(snum "SHUGO-MIB::shugoNicCapturedPackets.\"$nic\"")
rx=$(snum "SHUGO-MIB::shugoNicRxPackets.\"$nic\"")
[ "$rx" -gt 0 ] || fail "shugoNicRxPackets is $rx"
[ "$cap" -gt 0 ] || fail "shugoNicCapturedPackets is $cap"
assert_eq "$(snum "SHUGO-MIB::shugoNicTraffic.\"$nic\"")" 1 "shugoNicTraffic, moving(1)"
ok "frames arriving from $peer: ok(1), shugoNicClear ($rx received, $cap captured)"

stop_pid "$sender"
ip link set "$peer" down
wait_for 4 nic_state 2
trapd_wait_event 5 "^type=shugoNicAlarm $sec .* object=nic:$nic state=linkDown .*detail=.*link down"
ok "peer down: linkDown(2) again"

ip link del "$nic"
wait_for 4 nic_state 4
assert_eq "$(snum "SHUGO-MIB::shugoNicIfIndex.\"$nic\"")" 0 "shugoNicIfIndex once deleted"
# linkDown and absent are both critical: the move between them must still be
# announced ("went into state linkDown, stalled or absent") and the alarm row
# must describe the NIC as it is now.
bad=
re="^type=shugoNicAlarm $sec .* object=nic:$nic state=absent "
_wait_up "$AGENT_PID" 3 trapd_has "$re" || bad="$bad
  no shugoNicAlarm with state absent for linkDown -> absent (latest: $(last_nic))"
swalk -OQ SHUGO-MIB::shugoAlarmObject >"$T/alarms" || fail "walk of shugoAlarmObject failed"
row=$(sed -n "s/^SHUGO-MIB::shugoAlarmObject\.\([0-9]*\) = nic:$nic\$/\1/p" "$T/alarms")
[ -n "$row" ] || fail "no alarm row for nic:$nic"
descr=$(sval "SHUGO-MIB::shugoAlarmDescr.$row")
printf '%s\n' "$descr" | grep -q "no such interface" || bad="$bad
  shugoAlarmDescr.$row still reads '$descr'"
[ -z "$bad" ] || fail "$nic deleted while link down: state absent(4) but$bad"
ok "deleted: absent(4), shugoNicAlarm"
