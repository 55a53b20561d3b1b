#!/bin/bash
# SHUGO-MIB is clean under libsmi's strictest level and net-snmp resolves its
# names to the registered OIDs; and the harness itself works: snmpd answers
# v2c reads and v3 SETs, snmptrapd logs v2c TRAPs, v3 TRAPs and v3 INFORMs.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool smilint smitools
require_tool snmptranslate snmp

mib="$top_srcdir/mibs/SHUGO-MIB.txt"
[ -f "$mib" ] || fail "$mib is missing"

# --- the MIB file -----------------------------------------------------------

out=$(smilint -l 6 "$mib" 2>&1) || fail "smilint exited with status $?: $out"
[ -z "$out" ] || fail "smilint -l 6 reports problems:
$out"
ok "smilint -l 6 is silent"

# Every name resolves, and loading the modules prints no parser warning.
while read -r name want; do
	got=$(snmptranslate -On "SHUGO-MIB::$name" 2>&1) || fail "snmptranslate $name: $got"
	assert_eq "$got" "$want" "OID of $name"
	back=$(snmptranslate "$want" 2>&1)
	assert_eq "$back" "SHUGO-MIB::$name" "name of $want"
done <<'EOF'
shugoMIB .1.3.6.1.4.1.32473.7
shugoNotifications .1.3.6.1.4.1.32473.7.0
shugoNodeName .1.3.6.1.4.1.32473.7.1.1.1
shugoProcInstCpu .1.3.6.1.4.1.32473.7.1.2.2.1.4
shugoNotifSeq .1.3.6.1.4.1.32473.7.1.10.3
shugoProcAlarm .1.3.6.1.4.1.32473.7.0.1
EOF
ok "snmptranslate resolves SHUGO-MIB names both ways"

# --- snmpd through the harness ----------------------------------------------

start_snmpd
up=$(sval SNMPv2-MIB::sysUpTime.0) || fail "sysUpTime.0 unanswered"
assert_match "$up" '^[0-9]' "sysUpTime.0"
ok "snmpd answers sysUpTime.0 on 127.0.0.1:$SNMPD_PORT"

[ -S "$AGENTX_SOCKET" ] || fail "no AgentX socket at $AGENTX_SOCKET"
perms=$(stat -c %a "$AGENTX_SOCKET")
assert_eq "$perms" 600 "AgentX socket mode"
[ -d "$SNMP_PERSISTENT_DIR" ] || fail "snmpd did not use $SNMP_PERSISTENT_DIR"
ok "AgentX socket is private; persistent state stays in the test dir"

sset SNMPv2-MIB::sysContact.0 s "shugo test contact" >/dev/null || fail "v3 SET refused"
assert_eq "$(sval SNMPv2-MIB::sysContact.0)" "shugo test contact" "sysContact after v3 SET"
# shellcheck disable=SC2086
if snmpset -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "127.0.0.1:$SNMPD_PORT" \
	SNMPv2-MIB::sysContact.0 s nope >"$T/v2set.out" 2>&1; then
	fail "the v2c community could SET"
fi
ok "SETs need the v3 user; the community is read-only"

old_pid=$SNMPD_PID
old_port=$SNMPD_PORT
restart_snmpd
[ "$SNMPD_PID" != "$old_pid" ] || fail "restart_snmpd did not start a new snmpd"
pid_alive "$old_pid" && fail "the old snmpd ($old_pid) is still running"
assert_eq "$SNMPD_PORT" "$old_port" "port after restart"
# With -C snmpd reads snmpd.conf alone, not its persistent file: a restart
# starts from a clean configuration.
[ "$(sval SNMPv2-MIB::sysContact.0)" != "shugo test contact" ] || fail "a SET survived -C"
[ -S "$AGENTX_SOCKET" ] || fail "no AgentX socket after restart"
ok "restart_snmpd keeps port $SNMPD_PORT and the AgentX socket"

# --- snmptrapd through the harness ------------------------------------------

start_trapd
alarm=$(oid SHUGO-MIB::shugoProcAlarm)
clear=$(oid SHUGO-MIB::shugoProcClear)
seq=$(oid SHUGO-MIB::shugoNotifSeq.0)
object=$(oid SHUGO-MIB::shugoNotifObject.0)
trapoid='\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID:'

strap SHUGO-MIB::shugoProcAlarm SHUGO-MIB::shugoNotifSeq.0 u 42 \
	SHUGO-MIB::shugoNotifObject.0 s "proc:web"
trapd_wait 5 "^VB $trapoid $alarm\$"
trapd_wait 5 "^VB $seq = Gauge32: 42\$"
trapd_wait 5 "^VB $object = STRING: \"?proc:web\"?\$"
ok "a v2c TRAP reaches snmptrapd, one varbind per line"

sinform SHUGO-MIB::shugoProcClear SHUGO-MIB::shugoNotifSeq.0 u 43 >/dev/null ||
	fail "the v3 INFORM was not acknowledged"
trapd_wait 5 "^VB $seq = Gauge32: 43\$"
# shellcheck disable=SC2046
snmptrap $(_v3_auth) -e "$TEST_ENGINEID" "127.0.0.1:$TRAPD_PORT" '' \
	SHUGO-MIB::shugoProcClear SHUGO-MIB::shugoNotifSeq.0 u 44
trapd_wait 5 "^VB $seq = Gauge32: 44\$"
assert_eq "$(trapd_count "^NOTIF sec=$SNMP_USER ")" 2 "v3 notifications logged"
assert_eq "$(trapd_count "^VB $trapoid $clear\$")" 2 "shugoProcClear notifications logged"
ok "v3 INFORMs and v3 TRAPs (engine $TEST_ENGINEID) are accepted"

# A wrong community is dropped: once a later TRAP is logged, the earlier one
# has been dealt with.
snmptrap -v2c -c not-the-community "127.0.0.1:$TRAPD_PORT" '' \
	SHUGO-MIB::shugoProcAlarm SHUGO-MIB::shugoNotifSeq.0 u 666
strap SHUGO-MIB::shugoProcAlarm SHUGO-MIB::shugoNotifSeq.0 u 45
trapd_wait 5 "^VB $seq = Gauge32: 45\$"
assert_eq "$(trapd_count "Gauge32: 666")" 0 "TRAPs with a wrong community"
ok "TRAPs with a wrong community are not logged"
