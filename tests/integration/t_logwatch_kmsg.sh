#!/bin/bash
# Log watching on the kernel's own log, /dev/kmsg (what the kernel preset reads
# by default: it is there without rsyslog): records written into the kernel
# log match the preset's rules and a watch of one's own; the record that was
# there before the first start is not sent; a restart goes on after the last
# record read (the one logged while the agent was away is sent, once; none is
# sent twice). Writing to /dev/kmsg needs root.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "writing kernel log records to /dev/kmsg needs root"
if [ ! -w /dev/kmsg ] || [ ! -r /dev/kmsg ]; then
	skip "/dev/kmsg is not readable and writable here"
fi

# a marker of this run: the kernel log outlives the test
MARK="shugo-test-$$-$RANDOM"
kmsg() { # <text>: one record in the kernel log, priority warning
	printf '<4>%s\n' "$1" >/dev/kmsg || fail "cannot write to /dev/kmsg"
}

start_snmpd
start_trapd
{
	agent_config trap:2c
	cat <<EOF
logs:
  - {preset: kernel, name: kern}
  - {name: mine, path: /dev/kmsg, pattern: "$MARK: (oops|again)", severity: minor}
EOF
} >"$T/shugo.yaml"
out=$(check_agent_config) || fail "config: $out"

kmsg "$MARK: oops from before the agent ran"
start_agent alpha

DETAIL=$(oid SHUGO-MIB::shugoNotifDetail)
OBJECT=$(oid SHUGO-MIB::shugoNotifObject)
detail_count() { trapd_count "^VB $DETAIL.0 = STRING: \"?$1\"?\$"; }
has_detail() { [ "$(detail_count "$1")" -ge 1 ]; }
col_is() { # <column> <watch> <value>
	[ "$(sval -OU "SHUGO-MIB::shugoLogWatch$1.\"$2\"")" = "$3" ]
}
wait_for 10 col_is State kern-memory ok
wait_for 10 col_is State mine ok
assert_eq "$(sval "SHUGO-MIB::shugoLogWatchPath.\"kern-disk\"")" /dev/kmsg "the preset's default path"

kmsg "$MARK: EDAC MC0: 1 CE memory read error on DIMM_A1"
kmsg "$MARK: md/raid1:md0: Disk failure on sdb1, disabling device."
kmsg "$MARK: oops one"
wait_for 10 has_detail "$MARK: oops one"
wait_for 10 has_detail "$MARK: EDAC MC0: 1 CE memory read error on DIMM_A1"
wait_for 10 has_detail "$MARK: md/raid1:md0: Disk failure on sdb1, disabling device."
trapd_wait 5 "^VB $OBJECT.0 = STRING: \"?log:kern-memory\"?\$"
trapd_wait 5 "^VB $OBJECT.0 = STRING: \"?log:kern-redundancy\"?\$"
assert_eq "$(detail_count "$MARK: oops from before the agent ran")" 0 "a record from before the first start"
ok "kernel log records matched: the preset's memory and redundancy rules, a watch of one's own"

# --- a restart goes on after the last record read ---------------------------------------
stop_agent TERM
kmsg "$MARK: again while the agent was away"
start_agent alpha
wait_for 10 has_detail "$MARK: again while the agent was away"
kmsg "$MARK: again after the restart"
wait_for 10 has_detail "$MARK: again after the restart"
assert_eq "$(detail_count "$MARK: oops one")" 1 "oops one sent once"
assert_eq "$(detail_count "$MARK: EDAC MC0: 1 CE memory read error on DIMM_A1")" 1 "the memory error sent once"
assert_eq "$(detail_count "$MARK: again while the agent was away")" 1 "the record logged while away, once"
ok "after a restart: the record logged while the agent was away sent once, nothing sent twice"
