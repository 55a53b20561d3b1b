#!/bin/bash
# The agent outlives its AgentX master: with snmpd stopped it keeps
# supervising (a process killed meanwhile is reported straight to the
# notification target and restarted), and once snmpd is back on the same
# socket the agent reconnects by itself within agentx_ping, serves its MIB
# again, and hands snmpd the notifications it kept for it.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_trapd
# snmpd forwards what the agent gives it over AgentX as v2c TRAPs with the
# community; the agent's own target is the v3 user. So sec= tells the paths
# apart: shugotest came through snmpd, shugoadmin straight from the agent.
SNMPD_EXTRA_CONF="trap2sink 127.0.0.1:$TRAPD_PORT $SNMP_COMMUNITY"
start_snmpd

{
	AGENT_PING=1s agent_config inform:3
	cat <<'EOF'
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 1s
    start_grace: 1s
EOF
} >"$T/shugo.yaml"
start_agent n1

direct="sec=$SNMP_USER"
via_snmpd="sec=$SNMP_COMMUNITY"
running() { [ "$(snum 'SHUGO-MIB::shugoProcState."web"')" = 1 ]; }
wait_for 10 running
pid=$(inst_pids web)
assert_match "$pid" '^[0-9]+$' "instance of web"
trapd_wait_event 10 "^type=shugoAgentStart $direct "
trapd_wait_event 10 "^type=shugoAgentStart $via_snmpd "
start=$(trapd_event "^type=shugoAgentStart $direct ")
assert_eq "$(trapd_event "^type=shugoAgentStart $via_snmpd ")" "${start/$direct/$via_snmpd}" \
	"shugoAgentStart through snmpd"
reconnects=$(snum SHUGO-MIB::shugoNodeAgentxReconnects.0)
assert_eq "$reconnects" 1 "shugoNodeAgentxReconnects at start"
ok "the agent's notifications reach snmptrapd directly and through snmpd"

# --- snmpd away ----------------------------------------------------------------

stop_snmpd
lost() { grep -q "agentx: lost snmpd" "$T/agent.log"; }
wait_for 5 lost
pid_alive "$AGENT_PID" || fail "the agent died with snmpd"

kill -KILL "$pid"
re="$direct .* object=proc:web"
trapd_wait_event 10 "^type=shugoProcExited $re state=abnormal .* detail=pid $pid killed by signal 9"
trapd_wait_event 10 "^type=shugoProcAlarm $re state=backoff "
# Restarted and up for its start grace, all while snmpd is away.
trapd_wait_event 10 "^type=shugoProcClear $re state=running "
new=$(pgrep -P "$AGENT_PID") || fail "web has no process after the restart"
assert_match "$new" '^[0-9]+$' "the agent's child"
[ "$new" != "$pid" ] || fail "web still has its old pid"
pid_alive "$AGENT_PID" || fail "the agent died while snmpd was away"
sval SHUGO-MIB::shugoNodeName.0 >/dev/null 2>&1 && fail "something answers on snmpd's port while it is stopped"
trapd_has "^type=shugoProcExited $via_snmpd " && fail "a notification came through a stopped snmpd"
ok "with snmpd stopped, web was killed, reported (v3 INFORM) and restarted as pid $new"

# --- snmpd back ------------------------------------------------------------------

t0=$(_now_ms)
start_snmpd_again
# agentx_ping is 1 s: the agent must be back within a few seconds. If it is
# late, the rest is still checked once it is back (net-snmp's own default is
# to retry every 15 s), and the test fails at the end.
late=
if ! _wait_up "$AGENT_PID" 5 _agent_answers; then
	wait_for 20 _agent_answers
	late="the agent took $(($(_now_ms) - t0)) ms to reconnect to snmpd, agentx_ping is 1s"
	echo "# $late" >&2
fi
echo "# the agent answered $(($(_now_ms) - t0)) ms after snmpd was started again"
n=$(snum SHUGO-MIB::shugoNodeAgentxReconnects.0)
[ "$n" -gt "$reconnects" ] || fail "shugoNodeAgentxReconnects is $n, was $reconnects"
ok "the agent reconnected by itself (shugoNodeAgentxReconnects $reconnects -> $n)"

assert_eq "$(snum 'SHUGO-MIB::shugoProcState."web"')" 1 "shugoProcState.web"
assert_eq "$(snum 'SHUGO-MIB::shugoProcRestarts."web"')" 1 "shugoProcRestarts.web"
assert_eq "$(snum 'SHUGO-MIB::shugoProcLastExitSignal."web"')" 9 "shugoProcLastExitSignal.web"
assert_eq "$(snum 'SHUGO-MIB::shugoProcLastEnd."web"')" 3 "shugoProcLastEnd.web"
assert_eq "$(inst_pids web)" "$new" "instance of web"
ok "the MIB shows the restart that happened while snmpd was away (pid $pid -> $new)"

# What snmpd missed is handed to it on reconnection, with the same numbers.
same_via_snmpd() { # <line as sent directly>: the same arrived through snmpd
	trapd_events | grep -Fxq -- "${1/ $direct / $via_snmpd }"
}
for t in shugoProcExited shugoProcAlarm shugoProcStarted shugoProcClear; do
	ev=$(trapd_events | grep -E "^type=$t $re " | tail -n1)
	wait_for 10 same_via_snmpd "$ev"
done
seqs=$(trapd_events | grep -E "^type=[A-Za-z]+ $via_snmpd .* object=proc:web " | sed 's/.* seq=\([0-9]*\) .*/\1/' | tr '\n' ' ')
assert_eq "$seqs" "$(tr ' ' '\n' <<<"$seqs" | grep . | sort -n | tr '\n' ' ')" "order of the kept notifications"
ok "snmpd received the notifications it missed, in order: seq $seqs"

[ -z "$late" ] || fail "$late"
