#!/bin/bash
# Stopping and starting the agent again: SIGTERM stops its supervised process
# (nothing is left behind) and announces shugoAgentStop; the next start with
# the same state_dir counts boot 2, numbers its notifications after the last
# one ever sent (never reusing a sequence number), and still serves the old
# notifications in shugoNotifLogTable exactly as they were.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd
start_trapd

{
	agent_config inform:2c
	cat <<'EOF'
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 100ms
    start_grace: 1s
EOF
} >"$T/shugo.yaml"
start_agent n1

sec="sec=$SNMP_COMMUNITY"
running() { [ "$(snum 'SHUGO-MIB::shugoProcState."web"')" = 1 ]; }
wait_for 10 running
# A few notifications: exited, alarm, started, clear.
kill -KILL "$(inst_pids web)"
trapd_wait_event 10 "^type=shugoProcClear $sec .* object=proc:web state=running "
wait_for 10 running
pid=$(inst_pids web)
assert_eq "$(ppid_of "$pid")" "$AGENT_PID" "parent of web's pid $pid"

max_seq() { # the highest sequence number snmptrapd has seen for this boot
	trapd_events | grep -E "^type=[A-Za-z]+ $sec .* boot=$1 " | sed 's/.* seq=\([0-9]*\) .*/\1/' | sort -n | tail -n1
}
seq_is() { [ "$(snum SHUGO-MIB::shugoNodeNotifSeq.0)" = "$(max_seq 1)" ]; }
# Everything the agent numbered has arrived (a resource may add one meanwhile).
wait_for 10 seq_is
N=$(snum SHUGO-MIB::shugoNodeNotifSeq.0)
[ "$N" -ge 6 ] || fail "shugoNodeNotifSeq is $N after start, kill and restart"
assert_eq "$(snum SHUGO-MIB::shugoNotifLogFirstSeq.0)" 1 "shugoNotifLogFirstSeq"

# log_rows <file>: the shugoNotifLogTable walk, and its sequence numbers.
log_rows() {
	swalk -OQe SHUGO-MIB::shugoNotifLogTable >"$1" || fail "walk of shugoNotifLogTable failed"
	sed -n 's/^SHUGO-MIB::shugoNotifLogBoot\.\([0-9]*\) = .*/\1/p' "$1" | tr '\n' ' '
}
# Rows up to <max> of a walk.
rows_upto() { # <file> <max>
	awk -v max="$2" '{ i = $1; sub(/ = .*/, "", i); sub(/.*\./, "", i); if (i + 0 <= max + 0) print }' "$1"
}
# (up to N: a resource crossing a threshold meanwhile adds one more)
seqs=$(log_rows "$T/log1.walk" | tr ' ' '\n' | awk -v n="$N" '$1 != "" && $1 + 0 <= n + 0' | tr '\n' ' ')
assert_eq "$seqs" "$(seq -s' ' 1 "$N") " "sequence numbers in shugoNotifLogTable"
grep '^SHUGO-MIB::shugoNotifLogBoot\.' "$T/log1.walk" | grep -qv ' = 1$' && fail "a row of boot 1 says another boot"
obj=$(sed -n 's/^SHUGO-MIB::shugoNotifLogObject\.\([0-9]*\) = proc:web$/\1/p' "$T/log1.walk" | wc -l)
[ "$obj" -ge 5 ] || fail "only $obj rows of shugoNotifLogTable are about proc:web"
ok "boot 1 numbered $N notifications, all in shugoNotifLogTable with boot 1"

# --- orderly stop ------------------------------------------------------------

stop_agent TERM
assert_eq "$AGENT_STATUS" 0 "exit status of the agent after SIGTERM"
pid_alive "$pid" && fail "web's pid $pid outlived the agent"
# Nothing the agent started is left, in its process group or elsewhere.
left=$(pgrep -g "$pid" 2>/dev/null || true)
assert_eq "$left" "" "processes left in web's process group"
trapd_wait_event 5 "^type=shugoAgentStop $sec "
stop=$(trapd_event "^type=shugoAgentStop $sec ")
assert_eq "$(ev_get "$stop" boot)" 1 "boot of shugoAgentStop"
exited=$(trapd_events | grep -E "^type=shugoProcExited $sec .* object=proc:web state=normal " | tail -n1) ||
	fail "no shugoProcExited (normal) for web at shutdown"
assert_match "$(ev_get "$exited" detail)" "pid $pid .*signal 15" "shugoProcExited at shutdown"
last=$(ev_get "$stop" seq)
[ "$(ev_get "$exited" seq)" -gt "$N" ] || fail "the shutdown's shugoProcExited reused a sequence number"
[ "$last" -gt "$(ev_get "$exited" seq)" ] || fail "shugoAgentStop ($last) is not the last notification"
assert_eq "$(max_seq 1)" "$last" "last sequence number of boot 1"
ok "SIGTERM: exit 0, pid $pid stopped (shugoProcExited normal), shugoAgentStop seq $last"

# --- the next boot -------------------------------------------------------------

start_agent n1
assert_eq "$(snum SHUGO-MIB::shugoNodeBootCount.0)" 2 "shugoNodeBootCount after the restart"
trapd_wait_event 10 "^type=shugoAgentStart $sec .* boot=2 "
first=$(trapd_events | grep -E "^type=[A-Za-z]+ $sec .* boot=2 " | sed 's/.* seq=\([0-9]*\) .*/\1/' | sort -n | head -n1)
assert_eq "$first" $((last + 1)) "first sequence number of boot 2"
dups=$(trapd_events | grep -E "^type=[A-Za-z]+ $sec " | sed 's/.* seq=\([0-9]*\) .*/\1/' | sort -n | uniq -d | tr '\n' ' ')
assert_eq "$dups" "" "sequence numbers sent twice"
start=$(trapd_event "^type=shugoAgentStart $sec .* boot=2 ")
assert_match "$(ev_get "$start" detail)" "boot 2" "shugoAgentStart detail"
wait_for 10 running
# what was sent is read first: a notification sent after it may come meanwhile
sent=$(max_seq 2)
now=$(snum SHUGO-MIB::shugoNodeNotifSeq.0)
[ "$now" -ge "$sent" ] || fail "shugoNodeNotifSeq $now is behind what was sent ($sent)"
ok "boot 2: shugoNodeBootCount 2, numbering goes on at $first, no number used twice"

seqs=$(log_rows "$T/log2.walk")
assert_match "$seqs" "^$(seq -s' ' 1 "$last") $((last + 1)) " "sequence numbers in shugoNotifLogTable after the restart"
rows_upto "$T/log1.walk" "$N" >"$T/old1"
rows_upto "$T/log2.walk" "$N" >"$T/old2"
cmp -s "$T/old1" "$T/old2" || fail "rows 1..$N of shugoNotifLogTable changed: $(diff "$T/old1" "$T/old2" | head -5)"
boot_of() { sed -n "s/^SHUGO-MIB::shugoNotifLogBoot\.$1 = //p" "$T/log2.walk"; }
assert_eq "$(boot_of "$last")" 1 "shugoNotifLogBoot.$last (shugoAgentStop)"
assert_eq "$(boot_of $((last + 1)))" 2 "shugoNotifLogBoot.$((last + 1))"
assert_eq "$(sed -n "s/^SHUGO-MIB::shugoNotifLogType\.$last = //p" "$T/log2.walk")" SHUGO-MIB::shugoAgentStop \
	"shugoNotifLogType.$last"
ok "shugoNotifLogTable keeps rows 1..$last of boot 1 unchanged, boot 2 follows"
