#!/bin/bash
# Log watching with the real agent, snmpd and snmptrapd: matching lines become
# shugoLogMatch notifications (what was there before the first start is not),
# the kernel preset's rules (corrected memory error, disk error, link down, a
# failed RAID member), rotation and truncation while running, a restart with a
# rotation while the agent was away (nothing lost, nothing twice), a burst cut
# by the limit and summarized, and shugoLogWatchTable.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd
start_trapd
LOG="$T/app.log"
KERN="$T/kern.log"
{
	agent_config trap:2c
	cat <<EOF
logs:
  - name: app
    path: $LOG
    pattern: "ERROR|FATAL"
    severity: major
    limit: {matches: 5, window: 3s}
  - {preset: kernel, path: $KERN}
  - {name: gone, path: $T/missing.log, pattern: x}
EOF
} >"$T/shugo.yaml"
out=$(check_agent_config) || fail "config: $out"
assert_match "$out" "6 log watches" "the kernel preset expands into four watches"

echo "ERROR from before the agent ever ran" >"$LOG"
: >"$KERN"
start_agent alpha

MATCH=$(oid SHUGO-MIB::shugoLogMatch)
DETAIL=$(oid SHUGO-MIB::shugoNotifDetail)
OBJECT=$(oid SHUGO-MIB::shugoNotifObject)
SEVERITY=$(oid SHUGO-MIB::shugoNotifSeverity)
detail_count() { trapd_count "^VB $DETAIL.0 = STRING: \"?$1\"?\$"; }
has_detail() { [ "$(detail_count "$1")" -ge 1 ]; }
wait_detail() { wait_for 10 has_detail "$1"; }
col_is() { # <column> <watch> <value>
	[ "$(sval -OU "SHUGO-MIB::shugoLogWatch$1.\"$2\"")" = "$3" ]
}
summary_sent() { [ "$(trapd_count "more matching lines since .* were not sent")" -ge 1 ]; }

# the table is there before anything matched
wait_for 10 col_is State app ok
assert_eq "$(sval "SHUGO-MIB::shugoLogWatchState.\"gone\"")" "missing" "a missing file"
assert_eq "$(sval -OU "SHUGO-MIB::shugoLogWatchOffset.\"app\"")" "$(stat -c %s "$LOG")" "starts at the end"

printf 'ERROR one\ninfo: nothing to see\nFATAL two\n' >>"$LOG"
wait_detail "FATAL two"
assert_eq "$(detail_count "ERROR one")" 1 "ERROR one sent once"
assert_eq "$(detail_count "info: nothing to see")" 0 "a line that does not match"
assert_eq "$(detail_count "ERROR from before the agent ever ran")" 0 "history before the first start"
trapd_wait 5 "^VB $OBJECT.0 = STRING: \"?log:app\"?\$"
trapd_wait 5 "^VB $SEVERITY.0 = INTEGER: major\\(5\\)\$"
assert_eq "$(sval -OU "SHUGO-MIB::shugoLogWatchMatches.\"app\"")" 2 "matches"
wait_for 5 col_is Offset app "$(stat -c %s "$LOG")"
ok "two matching lines of three sent as shugoLogMatch (log:app, major); the old line was not"

# --- the kernel preset -------------------------------------------------------------
cat >>"$KERN" <<'EOF'
Dec  2 10:00:01 host kernel: [ 100.1] EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0
Dec  2 10:00:02 host kernel: [ 100.2] blk_update_request: I/O error, dev sdb, sector 2048 op 0x0:(READ)
Dec  2 10:00:03 host kernel: [ 100.3] e1000e 0000:00:19.0 eth1: NIC Link is Down
Dec  2 10:00:04 host kernel: [ 100.4] md/raid1:md0: Disk failure on sdb1, disabling device.
Dec  2 10:00:05 host kernel: [ 100.5] usb 1-1: new high-speed USB device number 2
EOF
for w in memory disk link redundancy; do
	trapd_wait 10 "^VB $OBJECT.0 = STRING: \"?log:kernel-$w\"?\$"
done
assert_eq "$(trapd_count "new high-speed USB device")" 0 "an ordinary kernel line"
assert_eq "$(sval "SHUGO-MIB::shugoLogWatchSeverity.\"kernel-redundancy\"")" "major" "redundancy severity"
assert_eq "$(sval "SHUGO-MIB::shugoLogWatchSeverity.\"kernel-memory\"")" "warning" "memory severity"
ok "the kernel preset: a corrected memory error, a disk error, a link down and a failed RAID member"

# --- rotation and truncation while running -------------------------------------------
printf 'ERROR r1\nERROR r2\n' >>"$LOG"
mv "$LOG" "$LOG.1"
echo "ERROR r3 in the new file" >"$LOG"
wait_detail "ERROR r3 in the new file"
for d in "ERROR r1" "ERROR r2"; do
	assert_eq "$(detail_count "$d")" 1 "$d once"
done
: >"$LOG"
wait_for 10 col_is Offset app 0
echo "ERROR t1 after the truncation" >>"$LOG"
wait_detail "ERROR t1 after the truncation"
ok "rotated (the old file read to its end, the new one from its start) and truncated: every line once"

# --- a restart with a rotation while the agent was away ------------------------------
stop_agent TERM
printf 'ERROR down1\n' >>"$LOG"
mv "$LOG" "$LOG.1"
printf 'ERROR down2 in the new file\n' >"$LOG"
start_agent alpha
wait_detail "ERROR down2 in the new file"
wait_detail "ERROR down1"
for d in "ERROR one" "FATAL two" "ERROR r1" "ERROR r2" "ERROR r3 in the new file" "ERROR t1 after the truncation" \
	"ERROR down1" "ERROR down2 in the new file"; do
	assert_eq "$(detail_count "$d")" 1 "'$d' exactly once"
done
assert_eq "$(trapd_count "^VB $DETAIL.0 = STRING: \"?log watch")" 0 "no stray detail"
ok "after a restart: the rest of the rotated file and the new file, nothing lost, nothing twice"

# --- a burst: 5 within the window, the rest summarized --------------------------------
before=$(trapd_count "= OID: $MATCH\$")
sup0=$(sval -OU "SHUGO-MIB::shugoLogWatchSuppressed.\"app\"")
for i in $(seq 1 40); do echo "ERROR burst $i"; done >>"$LOG"
wait_for 15 summary_sent
sent=$(($(trapd_count "= OID: $MATCH\$") - before))
held=$(($(sval -OU "SHUGO-MIB::shugoLogWatchSuppressed.\"app\"") - sup0))
# at most 5 within the window (the restart's matches may still be in it)
[ "$held" -ge 35 ] && [ "$held" -le 40 ] || fail "shugoLogWatchSuppressed grew by $held"
assert_eq "$(trapd_count "^VB $DETAIL.0 = STRING: \"?$held more matching lines since")" 1 "one summary of $held"
assert_eq "$sent" $((40 - held + 1)) "the lines under the limit and one summary"
assert_match "$(trapd_count "ERROR burst 40")" '^1$' "the summary names the last line"
ok "a burst of 40: $((40 - held)) sent, $held counted in shugoLogWatchSuppressed and told in one summary"

out=$(swalk SHUGO-MIB::shugoLogWatchTable)
assert_match "$out" "shugoLogWatchPath.\"app\" = STRING: \"?$LOG\"?" "path in the walk"
assert_match "$out" 'shugoLogWatchPattern."app" = STRING: "?ERROR\|FATAL"?' "pattern in the walk"
assert_match "$out" 'shugoLogWatchLastMatch."app" = STRING: 20' "last match time"
stop_agent TERM
assert_eq "$AGENT_STATUS" 0 "the agent stops cleanly"
ok "shugoLogWatchTable walks; the agent stops cleanly"
