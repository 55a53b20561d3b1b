#!/bin/bash
# SHUGO-MIB and SHUGO-MANAGER-MIB are clean under libsmi's strictest level and
# net-snmp resolves their names to the registered OIDs and back; the numbers in
# common/shugo_mgr_oids.h are the manager MIB's; and the harness itself works:
# snmpd answers v2c reads and v3 SETs, snmptrapd logs v2c TRAPs, v3 TRAPs and
# v3 INFORMs.
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

# --- SHUGO-MANAGER-MIB -------------------------------------------------------

require_tool smidump smitools
mgr_mib="$top_srcdir/mibs/SHUGO-MANAGER-MIB.txt"
mgr_hdr="$top_srcdir/common/shugo_mgr_oids.h"
[ -s "$mgr_mib" ] || fail "$mgr_mib is missing or empty"
[ -f "$mgr_hdr" ] || fail "$mgr_hdr is missing"

out=$(smilint -l 6 "$mgr_mib" 2>&1) || fail "smilint exited with status $?: $out"
[ -z "$out" ] || fail "smilint -l 6 reports problems in SHUGO-MANAGER-MIB:
$out"
ok "smilint -l 6 is silent on SHUGO-MANAGER-MIB"

# The module, notifications, scalars, a column of every table and a row
# instance with its name-based index; loading the module prints no warning.
mgr_mibs="$MIBS:SHUGO-MANAGER-MIB"
while read -r name want; do
	got=$(MIBS=$mgr_mibs snmptranslate -On "SHUGO-MANAGER-MIB::$name" 2>&1) ||
		fail "snmptranslate $name: $got"
	assert_eq "$got" "$want" "OID of $name"
	back=$(MIBS=$mgr_mibs snmptranslate "$want" 2>&1)
	assert_eq "$back" "SHUGO-MANAGER-MIB::$name" "name of $want"
done <<'EOF'
shugoManagerMIB .1.3.6.1.4.1.32473.8
shugoMgrNotifications .1.3.6.1.4.1.32473.8.0
shugoMgrNodeDown .1.3.6.1.4.1.32473.8.0.1
shugoMgrNodeRebooted .1.3.6.1.4.1.32473.8.0.8
shugoMgrSelfName .1.3.6.1.4.1.32473.8.1.1.1
shugoMgrLogRingSize .1.3.6.1.4.1.32473.8.1.1.10
shugoMgrNodeState .1.3.6.1.4.1.32473.8.1.2.1.3
shugoMgrNodeLastRtt .1.3.6.1.4.1.32473.8.1.2.1.21
shugoMgrProcRss .1.3.6.1.4.1.32473.8.1.3.1.7
shugoMgrResState .1.3.6.1.4.1.32473.8.1.4.1.4
shugoMgrAlarmType .1.3.6.1.4.1.32473.8.1.5.1.2
shugoMgrLogDetail .1.3.6.1.4.1.32473.8.1.6.1.11
shugoMgrLogOrigin .1.3.6.1.4.1.32473.8.1.6.1.13
shugoMgrTrapdReceived .1.3.6.1.4.1.32473.8.1.7.1
shugoMgrTrapdUpdated .1.3.6.1.4.1.32473.8.1.7.9
shugoMgrNotifLogId .1.3.6.1.4.1.32473.8.1.8.1
shugoMgrCompliance .1.3.6.1.4.1.32473.8.2.1.1
shugoMgrProcState."alpha"."web" .1.3.6.1.4.1.32473.8.1.3.1.3.5.97.108.112.104.97.3.119.101.98
EOF
ok "snmptranslate resolves SHUGO-MANAGER-MIB names both ways"

# --- common/shugo_mgr_oids.h against the MIB ---------------------------------

smidump -f identifiers "$mgr_mib" >"$T/mgr.ids" 2>"$T/smidump.err" ||
	fail "smidump failed: $(cat "$T/smidump.err")"
mib_oid() { awk -v n="$1" '$1 == "SHUGO-MANAGER-MIB" && $2 == n { print $4 }' "$T/mgr.ids"; }

# Every enum constant of the given C headers, one "NAME VALUE" a line; an
# alias (X_LAST = X_STALE) gets the value of the constant it names.
c_enums() {
	cat "$@" | tr '\n\t' '  ' | sed 's:/\*[^*]*\*\+\([^/*][^*]*\*\+\)*/: :g' |
		grep -o 'enum [a-z_ ]*{[^}]*}' | sed 's/^enum[^{]*{//; s/}$//' |
		awk -F, '{
			prev = -1
			for (i = 1; i <= NF; i++) {
				f = $i; gsub(/ /, "", f)
				if (f == "") continue
				if (split(f, a, "=") == 2) { n = a[1]; v = (a[2] ~ /^[0-9]+$/) ? a[2] + 0 : val[a[2]] }
				else { n = f; v = prev + 1 }
				val[n] = v; prev = v; print n, v
			}
		}'
}

# check_mgr_header <header>: its OID prefixes and every scalar, column and
# notification number agree with the MIB. A MIB object's constant is its name
# in capitals with underscores, under its group's prefix: shugoMgrNodeLastSeen
# (column 4 of shugoMgrNodeEntry) is MGR_NODE_COL_LAST_SEEN, shugoMgrSelfName
# MGR_INFO_SELF_NAME, shugoMgrTrapdStored MGR_TRAPD_STORED, shugoMgrNotifLogId
# MGR_NOBJ_LOG_ID, and notification shugoMgrNodeDown is MGR_NODE_DOWN of enum
# mgr_notif in common/logrec.h. Each group's *_LAST (for the notifications,
# MGR_NOTIF_MAX) is its highest number. Prints what disagrees and returns 1, or
# prints "checked N".
check_mgr_header() {
	local hdr=$1 base args macro name want notif
	base=$(sed -n 's/^#define SHUGO_MGR_MIB_OID //p' "$hdr" | tr -d ' ' | tr , .)
	want=$(mib_oid shugoManagerMIB)
	[ -n "$want" ] || { echo "shugoManagerMIB is not in smidump's output"; return 1; }
	[ "$base" = "$want" ] || { echo "SHUGO_MGR_MIB_OID is '$base', the MIB says $want"; return 1; }
	[ "$(sed -n 's/^#define SHUGO_MGR_MIB_LEN //p' "$hdr")" = "$(echo "$base" | tr . '\n' | wc -l)" ] ||
		{ echo "SHUGO_MGR_MIB_LEN is not the length of SHUGO_MGR_MIB_OID"; return 1; }
	notif=$(sed -n 's/^#define OID_MGR_NOTIF_PREFIX SHUGO_MGR_MIB_OID, *\([0-9]*\).*/\1/p' "$hdr")
	[ "$base.$notif" = "$(mib_oid shugoMgrNotifications)" ] ||
		{ echo "OID_MGR_NOTIF_PREFIX is '$base.$notif'"; return 1; }
	while read -r macro name; do
		args=$(sed -n "s/^#define $macro SHUGO_MGR_OBJ(\([0-9, ]*\)).*/\1/p" "$hdr" | tr -d ' ' | tr , .)
		[ -n "$args" ] || { echo "$macro is not defined as SHUGO_MGR_OBJ(...)"; return 1; }
		want=$(mib_oid "$name")
		[ "$base.1.$args" = "$want" ] || { echo "$macro is $base.1.$args, $name is '$want'"; return 1; }
	done <<-'EOF'
		OID_MGR_INFO shugoMgrInfo
		OID_MGR_NODE_ENTRY shugoMgrNodeEntry
		OID_MGR_PROC_ENTRY shugoMgrProcEntry
		OID_MGR_RES_ENTRY shugoMgrResEntry
		OID_MGR_ALARM_ENTRY shugoMgrAlarmEntry
		OID_MGR_LOG_ENTRY shugoMgrLogEntry
		OID_MGR_TRAPD shugoMgrTrapd
		OID_MGR_NOTIF_OBJ shugoMgrNotifObjects
		OID_MGR_EXEC_ENTRY shugoMgrExecEntry
	EOF
	c_enums "$hdr" "$top_srcdir/common/logrec.h" >"$T/enums"
	# "SHUGO_MGR_NODE_LAST_SEEN column 1.3.6.1.4.1.32473.8.1.2.1.4"
	awk '$1 == "SHUGO-MANAGER-MIB" { print $2, $3, $4 }' "$T/mgr.ids" |
		sed 's/\([a-z0-9]\)\([A-Z]\)/\1_\2/g' | awk '{ print toupper($1), $2, $3 }' >"$T/mgr.objs"
	awk '
		FNR == NR { val[$1] = $2; next }
		{ sname[$3] = $1; kind[$3] = $2; order[++n] = $3 }
		END {
			for (i = 1; i <= n; i++) {
				oid = order[i]; k = kind[oid]; s = sname[oid]
				if (k != "scalar" && k != "column" && k != "notification") continue
				arc = oid; sub(/.*\./, "", arc); arc += 0
				parent = oid; sub(/\.[0-9]+$/, "", parent); p = sname[parent]
				if (k == "notification") { c = "MGR_" substr(s, 11); last = "MGR_NOTIF_MAX" }
				else if (k == "column") {
					if (arc == 1) continue # the index: not-accessible, no constant
					t = substr(p, 11, length(p) - 15) # SHUGO_MGR_NODE_ENTRY: NODE_
					c = "MGR_" t "COL_" substr(s, 11 + length(t)); last = "MGR_" t "COL_LAST"
				} else if (p == "SHUGO_MGR_INFO") { c = "MGR_INFO_" substr(s, 11); last = "MGR_INFO_LAST" }
				else if (p == "SHUGO_MGR_TRAPD") { c = "MGR_TRAPD_" substr(s, 17); last = "MGR_TRAPD_LAST" }
				else if (p == "SHUGO_MGR_NOTIF_OBJECTS") { c = "MGR_NOBJ_" substr(s, 17); last = "" }
				else { print "no rule for " s " under " p; bad = 1; continue }
				checked++
				if (!(c in val)) { print "no constant " c " for " s; bad = 1 }
				else if (val[c] != arc) { print c " is " val[c] ", the MIB says " arc; bad = 1 }
				if (last != "" && arc > max[last]) max[last] = arc
			}
			for (l in max) {
				checked++
				if (!(l in val)) { print "no constant " l; bad = 1 }
				else if (val[l] != max[l]) { print l " is " val[l] ", the highest number is " max[l]; bad = 1 }
			}
			if (!bad) print "checked " checked
			exit bad
		}' "$T/enums" "$T/mgr.objs"
}

out=$(check_mgr_header "$mgr_hdr") || fail "common/shugo_mgr_oids.h disagrees with SHUGO-MANAGER-MIB: $out"
checked=${out#checked }
[ "$checked" -ge 80 ] 2>/dev/null || fail "only '$checked' numbers were checked"
ok "common/shugo_mgr_oids.h agrees with SHUGO-MANAGER-MIB ($checked numbers)"

# The check can fail: a column off by one, a missing last column, a wrong prefix.
sed 's/MGR_PROC_COL_KIND = 2/MGR_PROC_COL_KIND = 3/' "$mgr_hdr" >"$T/bad1.h"
sed 's/MGR_LOG_COL_SOURCE, MGR_LOG_COL_ORIGIN,/MGR_LOG_COL_SOURCE,/; s/= MGR_LOG_COL_ORIGIN/= MGR_LOG_COL_SOURCE/' \
	"$mgr_hdr" >"$T/bad2.h"
sed 's/^#define OID_MGR_ALARM_ENTRY SHUGO_MGR_OBJ(5, 1)/#define OID_MGR_ALARM_ENTRY SHUGO_MGR_OBJ(5)/' \
	"$mgr_hdr" >"$T/bad3.h"
for bad in bad1 bad2 bad3; do
	! cmp -s "$mgr_hdr" "$T/$bad.h" || fail "$bad.h: the test's edit no longer applies to $mgr_hdr"
	if out=$(check_mgr_header "$T/$bad.h"); then
		fail "a broken header ($bad.h) passed the check: $out"
	fi
done
ok "the header check catches a wrong column, a missing column and a wrong prefix"

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
