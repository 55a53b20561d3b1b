#!/bin/bash
# Remote execution through snmpd and the agent: a request is a row of
# shugoExecTable created by an SNMPv3 SET (createAndGo, or createAndWait then
# active); the program, found by name in the configured search path, runs
# without a shell with its arguments split as a shell would; its end (normal,
# abnormal, killed by shugoExecSignal) is in the row and, for wait(2), in
# shugoExecEnded; refusals (unknown program, not allowed program or
# requester, busy, a request id used before, also after an agent restart)
# are in the row and in shugoExecRefused; bad SETs get the right error and
# change nothing; finished rows go after the retention.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd
start_trapd
mkdir -p "$T/bin" "$T/elsewhere"
cat >"$T/bin/okjob" <<EOF
#!/bin/sh
for a in "\$@"; do printf '[%s]' "\$a"; done >"$T/okjob.out"
printf ' X=%s PATH=%s\n' "\$X" "\$PATH" >>"$T/okjob.out"
EOF
printf '#!/bin/sh\nexit 3\n' >"$T/bin/failjob"
printf '#!/bin/sh\nexec sleep 60\n' >"$T/bin/sleeper"
printf '#!/bin/sh\nexit 0\n' >"$T/bin/forbidden"
printf '#!/bin/sh\nexit 0\n' >"$T/elsewhere/hidden"
chmod 0755 "$T"/bin/* "$T/elsewhere/hidden"
{
	AGENT_EXTRA="  max_processes: 2" agent_config trap:2c
	cat <<EOF
exec:
  path: [$T/nowhere, $T/bin]
  allow: ["*job", sleeper]
  requesters: ["mgr*"]
  retention: 10s
EOF
} >"$T/shugo.yaml"
start_agent alpha

col() { # <column> <id>: the value, enumerations as numbers
	sval -Oe -OU "SHUGO-MIB::shugoExec$1.\"$2\""
}
col_is() { [ "$(col "$1" "$2")" = "$3" ]; }
request() { # <id> <program> <args> <wait> <requester>: createAndGo
	sset "SHUGO-MIB::shugoExecProgram.\"$1\"" s "$2" "SHUGO-MIB::shugoExecArgs.\"$1\"" s "$3" \
		"SHUGO-MIB::shugoExecEnv.\"$1\"" s "X=from the request" "SHUGO-MIB::shugoExecWait.\"$1\"" i "$4" \
		"SHUGO-MIB::shugoExecRequester.\"$1\"" s "$5" "SHUGO-MIB::shugoExecRowStatus.\"$1\"" i 4 >/dev/null
}
ENDED=$(oid SHUGO-MIB::shugoExecEnded)
REFUSED=$(oid SHUGO-MIB::shugoExecRefused)
DETAIL=$(oid SHUGO-MIB::shugoNotifDetail)
STATE=$(oid SHUGO-MIB::shugoNotifState)

assert_eq "$(sval -OU SHUGO-MIB::shugoExecRetention.0)" 10 "shugoExecRetention"

# --- a normal end, waited for ------------------------------------------------------
request r1 okjob "one 'two three' \"four \\\"five\\\"\" \$HOME" 2 mgr1 || fail "createAndGo r1"
wait_for 10 col_is State r1 3
assert_eq "$(col End r1)" 2 "normal end"
assert_eq "$(col ExitCode r1)" 0 "exit code"
assert_eq "$(col RowStatus r1)" 1 "active"
assert_match "$(col Pid r1)" '^[1-9][0-9]*$' "pid"
assert_eq "$(head -c 200 "$T/okjob.out" | head -1)" '[one][two three][four "five"][$HOME] X=from the request PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	"arguments split as a shell would, without one; the environment"
trapd_wait 10 "= OID: $ENDED\$"
trapd_wait 5 "^VB $STATE.0 = STRING: \"?normal\"?\$"
ok "okjob ran with its arguments and environment, ended normally; shugoExecEnded sent (wait)"

# --- abnormal, and killed by shugoExecSignal (noWait: no notification) ----------------
request r2 failjob "" 2 mgr1 || fail "createAndGo r2"
wait_for 10 col_is State r2 3
assert_eq "$(col End r2)" 3 "abnormal end"
assert_eq "$(col ExitCode r2)" 3 "exit code 3"
trapd_wait 10 "^VB $DETAIL.0 = STRING: \"?failjob requested by mgr1: exit code 3\"?\$"
request r3 sleeper "" 1 mgr2 || fail "createAndGo r3"
wait_for 10 col_is State r3 2
sset 'SHUGO-MIB::shugoExecSignal."r3"' i 15 >/dev/null || fail "SET shugoExecSignal"
wait_for 10 col_is State r3 4
assert_eq "$(col ExitSignal r3)" 15 "killed by 15"
assert_eq "$(col End r3)" 3 "a kill is abnormal"
assert_eq "$(col Signal r3)" 15 "the last signal sent"
assert_eq "$(trapd_count "sleeper requested by")" 0 "no shugoExecEnded for noWait"
ok "failjob exited 3 (abnormal, notified); sleeper killed by shugoExecSignal 15 (noWait: not notified)"

# --- refusals ---------------------------------------------------------------------------
refused() { # <id> <refusal> <reason-regex>
	wait_for 10 col_is State "$1" 5
	assert_eq "$(col Refusal "$1")" "$2" "refusal of $1"
	assert_match "$(sval "SHUGO-MIB::shugoExecReason.\"$1\"")" "$3" "reason of $1"
}
request x1 nosuchjob "" 1 mgr1 || fail "createAndGo x1"
refused x1 2 "is not in the search path"
request x2 "../elsewhere/hidden" "" 1 mgr1 || fail "createAndGo x2"
refused x2 2 "by its name alone"
request x3 forbidden "" 1 mgr1 || fail "createAndGo x3"
refused x3 3 "program 'forbidden' is not allowed"
request x4 okjob "" 1 bob || fail "createAndGo x4"
refused x4 3 "requester 'bob' is not allowed"
trapd_wait 10 "= OID: $REFUSED\$"
trapd_wait 5 "^VB $DETAIL.0 = STRING: \"?okjob requested by bob: requester 'bob' is not allowed\"?\$"
# busy: two sleepers fill max_processes 2
request b1 sleeper "" 1 mgr1 && request b2 sleeper "" 1 mgr1 || fail "createAndGo b1 b2"
wait_for 10 col_is State b2 2
request b3 sleeper "" 1 mgr1 || fail "createAndGo b3"
refused b3 4 "its maximum"
for b in b1 b2; do sset "SHUGO-MIB::shugoExecSignal.\"$b\"" i 9 >/dev/null; done
wait_for 10 col_is State b2 4
ok "refused with the reason in the row and shugoExecRefused: unknown program, a path, not allowed program and requester, busy"

# --- createAndWait, then active ---------------------------------------------------------------
sset 'SHUGO-MIB::shugoExecRowStatus."w1"' i 5 >/dev/null || fail "createAndWait"
assert_eq "$(col RowStatus w1)" 3 "notReady without a program"
assert_eq "$(col State w1)" 1 "pending"
sset 'SHUGO-MIB::shugoExecProgram."w1"' s okjob 'SHUGO-MIB::shugoExecRequester."w1"' s mgr1 >/dev/null ||
	fail "SET the program of w1"
assert_eq "$(col RowStatus w1)" 2 "notInService with a program"
sset 'SHUGO-MIB::shugoExecRowStatus."w1"' i 1 >/dev/null || fail "activate w1"
wait_for 10 col_is State w1 3
ok "createAndWait, then the program, then active: it runs"

# --- bad SETs: the right error, nothing changed ------------------------------------------------
sset_fails inconsistentValue 'SHUGO-MIB::shugoExecRowStatus."n1"' i 4
sset_fails inconsistentName 'SHUGO-MIB::shugoExecProgram."n2"' s okjob
# (w1 ran last: its row is surely still kept)
sset_fails wrongValue 'SHUGO-MIB::shugoExecRowStatus."w1"' i 2
sset_fails inconsistentValue 'SHUGO-MIB::shugoExecProgram."w1"' s failjob
sset_fails inconsistentValue 'SHUGO-MIB::shugoExecSignal."w1"' i 15
sset_fails wrongValue 'SHUGO-MIB::shugoExecSignal."w1"' i 65
sset_fails wrongValue 'SHUGO-MIB::shugoExecWait."w2"' i 3 'SHUGO-MIB::shugoExecRowStatus."w2"' i 5
sset_fails wrongLength 'SHUGO-MIB::shugoExecProgram."w3"' s "$(printf 'p%.0s' $(seq 1 65))" \
	'SHUGO-MIB::shugoExecRowStatus."w3"' i 5
sset_fails notWritable 'SHUGO-MIB::shugoExecState."w1"' i 1
sset_fails inconsistentValue 'SHUGO-MIB::shugoExecRowStatus."w1"' i 5
for id in n1 n2 w2 w3; do
	sval "SHUGO-MIB::shugoExecRowStatus.\"$id\"" >/dev/null 2>&1 && fail "row $id was created"
done
assert_eq "$(col Program w1)" okjob "w1 unchanged"
ok "bad SETs: inconsistentValue, inconsistentName, wrongValue, wrongLength, notWritable; no row made, none changed"

# --- retention, and an id is never run twice (also after a restart) ----------------------------
wait_for 30 bash -c "! snmpget -v2c -c $SNMP_COMMUNITY -Oqv 127.0.0.1:$SNMPD_PORT 'SHUGO-MIB::shugoExecState.\"r1\"' | grep -q '^[0-9a-z]'"
request r1 okjob "again" 2 mgr1 || fail "createAndGo r1 again"
refused r1 5 "never run twice"
stop_agent TERM
start_agent alpha
request r2 okjob "" 2 mgr1 || fail "createAndGo r2 after the restart"
refused r2 5 "never run twice"
assert_eq "$(grep -c 'again' "$T/okjob.out")" 0 "okjob did not run again"
ok "rows go after their retention; a request id used before is refused as duplicate, also after a restart"
