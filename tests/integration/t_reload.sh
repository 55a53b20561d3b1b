#!/bin/bash
# SIGHUP reloads the configuration, all of it or none of it: a good file adds
# a process, changes a threshold (and resets one changed by SET), keeps what
# stays running as it is, and is announced by shugoConfigReloaded; a broken
# file is counted, shown as file:line in shugoNodeConfigStatus, announced by
# shugoConfigRejected, and changes nothing.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd
start_trapd

# write_config <extra process: yes/no> <fs warning> [broken line]
write_config() {
	{
		agent_config inform:2c
		cat <<EOF
processes:
  - name: web
    command: [/bin/sleep, "300"]
    start_grace: 1s
EOF
		[ "$1" = no ] || cat <<EOF
  - name: extra
    # Deaf to SIGTERM: stopping it takes the SIGKILL after stop_timeout.
    command: [/bin/sh, -c, "trap '' TERM; exec /bin/sleep 301"]
    start_grace: 1s
    stop_timeout: 500ms
  - name: extra2
    command: [/bin/sleep, "302"]
EOF
		cat <<EOF
resources:
  cpu: {warning: 85, critical: 95, hysteresis: 5}
  load: {warning: 4, critical: 8}
  filesystems:
    - path: /
      warning: $2
      critical: 95
EOF
		[ -z "${3:-}" ] || echo "$3"
	} >"$T/shugo.yaml.new"
	mv "$T/shugo.yaml.new" "$T/shugo.yaml"
}

write_config no 85
start_agent n1

sec="sec=$SNMP_COMMUNITY"
state() { # <name> <shugoProcState>
	[ "$(snum "SHUGO-MIB::shugoProcState.\"$1\"" 2>/dev/null)" = "$2" ]
}
node() { snum "SHUGO-MIB::shugoNode$1.0"; }
wait_for 10 state web 1
web=$(inst_pids web)
assert_eq "$(node ConfigLoads)" 1 "shugoNodeConfigLoads at start"
assert_eq "$(node ConfigErrors)" 0 "shugoNodeConfigErrors at start"
assert_eq "$(sval SHUGO-MIB::shugoNodeConfigStatus.0)" ok "shugoNodeConfigStatus at start"
out=$(sget 'SHUGO-MIB::shugoProcState."extra"')
assert_match "$out" "No Such Instance" "shugoProcState.extra before the reload"
sset 'SHUGO-MIB::shugoResWarning."load"' u 500 >/dev/null || fail "SET shugoResWarning.load refused"
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."load"')" 500 "shugoResWarning.load after the SET"

# --- a good file ---------------------------------------------------------------

write_config yes 90
kill -HUP "$AGENT_PID"
loads() { [ "$(node ConfigLoads)" = "$1" ]; }
wait_for 5 loads 2
re="^type=shugoConfigReloaded $sec .* object=agent state=reloaded "
trapd_wait_event 5 "$re"
ev=$(trapd_event "$re")
assert_eq "$(ev_get "$ev" sev)" 2 "shugoConfigReloaded severity, info(2)"
assert_match "$(ev_get "$ev" detail)" "$T/shugo.yaml" "shugoConfigReloaded detail"
wait_for 5 state extra 1
wait_for 5 state extra2 1
extra=$(inst_pids extra)
assert_match "$extra" '^[0-9]+$' "instance of extra"
# Stopped by the clean-up too, should the agent leave it behind.
track_pid "$extra" extra
assert_eq "$(ppid_of "$extra")" "$AGENT_PID" "parent of extra's pid $extra"
assert_eq "$(sval "SHUGO-MIB::shugoProcInstCmdline.\"extra\".$extra")" "/bin/sleep 301" "extra's cmdline"
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."fs:/"')" 9000 "shugoResWarning.fs:/ from the new file"
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."load"')" 400 "shugoResWarning.load, SET value reset by the reload"
assert_eq "$(inst_pids web)" "$web" "web's pid across the reload"
assert_eq "$(snum 'SHUGO-MIB::shugoProcRestarts."web"')" 0 "shugoProcRestarts.web"
assert_eq "$(node ConfigErrors)" 0 "shugoNodeConfigErrors"
assert_eq "$(sval SHUGO-MIB::shugoNodeConfigStatus.0)" ok "shugoNodeConfigStatus"
assert_eq "$(node ManagedProcs)" 3 "shugoNodeManagedProcs"
ok "good file: extra runs as pid $extra, fs:/ warning 9000, load warning back to 400, web untouched"

# --- a broken file -------------------------------------------------------------

write_config yes 50 "bogus_section: 1"
line=$(grep -n '^bogus_section:' "$T/shugo.yaml" | cut -d: -f1)
seq0=$(node NotifSeq)
kill -HUP "$AGENT_PID"
errors() { [ "$(node ConfigErrors)" = "$1" ]; }
wait_for 5 errors 1
status=$(sval SHUGO-MIB::shugoNodeConfigStatus.0)
case $status in
"$T/shugo.yaml:$line: "*) ;;
*) fail "shugoNodeConfigStatus is '$status', expected $T/shugo.yaml:$line: ..." ;;
esac
assert_match "$status" "bogus_section" "shugoNodeConfigStatus"
re="^type=shugoConfigRejected $sec .* object=agent state=rejected "
trapd_wait_event 5 "$re"
ev=$(trapd_event "$re")
assert_eq "$(ev_get "$ev" sev)" 3 "shugoConfigRejected severity, warning(3)"
assert_eq "$(ev_get "$ev" detail)" "$status" "shugoConfigRejected detail"
[ "$(ev_get "$ev" seq)" -gt "$seq0" ] || fail "shugoConfigRejected reused a sequence number"
ok "broken file: shugoNodeConfigErrors 1, status '$status', shugoConfigRejected"

assert_eq "$(node ConfigLoads)" 2 "shugoNodeConfigLoads after the rejected file"
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."fs:/"')" 9000 "shugoResWarning.fs:/ after the rejected file"
assert_eq "$(inst_pids extra)" "$extra" "extra's pid after the rejected file"
assert_eq "$(inst_pids web)" "$web" "web's pid after the rejected file"
assert_eq "$(snum 'SHUGO-MIB::shugoProcState."extra"')" 1 "shugoProcState.extra"
pid_alive "$extra" || fail "extra's pid $extra is gone"
ok "and nothing changed: extra still pid $extra, web pid $web, fs:/ warning 9000"

# --- a good file again, without extra and extra2 ---------------------------------

extra2=$(inst_pids extra2)
assert_match "$extra2" '^[0-9]+$' "instance of extra2"
track_pid "$extra2" extra2
write_config no 90
kill -HUP "$AGENT_PID"
wait_for 5 loads 3
assert_eq "$(sval SHUGO-MIB::shugoNodeConfigStatus.0)" ok "shugoNodeConfigStatus after a good file"
assert_eq "$(node ConfigErrors)" 1 "shugoNodeConfigErrors after a good file"
for p in extra extra2; do
	out=$(sget "SHUGO-MIB::shugoProcState.\"$p\"")
	assert_match "$out" "No Such Instance" "shugoProcState.$p after its removal"
done
assert_eq "$(inst_pids web)" "$web" "web's pid"
# Removed processes are stopped like any other stop (SIGTERM, then SIGKILL
# after stop_timeout) and their end is reported. Both are checked before
# either fails the test.
bad=
gone() { ! pid_alive "$1"; }
wait_for 4 gone "$extra2"
untrack_pid "$extra2"
if _wait_up "$AGENT_PID" 4 gone "$extra"; then
	untrack_pid "$extra"
else
	bad="$bad
  extra (pid $extra, deaf to SIGTERM, stop_timeout 500ms) still runs 4 s after its removal"
fi
_wait_up "$AGENT_PID" 3 trapd_has "^type=shugoProcExited $sec .* object=proc:extra2 state=normal " || bad="$bad
  no shugoProcExited for extra2 (pid $extra2 ended by SIGTERM on its removal)"
[ -z "$bad" ] || fail "processes removed by a reload:$bad"
# A removed process counts as managed until it is gone.
managed_is() { [ "$(node ManagedProcs)" = "$1" ]; }
wait_for 3 managed_is 1
ok "extra and extra2 removed from the file: stopped, reported, rows removed; status ok again"
