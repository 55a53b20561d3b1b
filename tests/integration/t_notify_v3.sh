#!/bin/bash
# An SNMPv3 INFORM target whose engine ID is configured needs no discovery
# exchange: the agent starts at once while the receiver is down, keeps the
# notifications, and delivers every one (authPriv) once the receiver is up.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# snmptrapd with a known engine ID: "shugotrapd" as a text engine ID under
# net-snmp's enterprise number (RFC 3411 format 4).
TRAPD_EXTRA_CONF="engineID shugotrapd"
TRAPD_ENGINEID=0x80001f8804$(printf %s shugotrapd | od -An -tx1 | tr -d ' \n')

start_snmpd
start_trapd
stop_trapd # the receiver is down when the agent starts

{
	agent_config
	cat <<EOF
notify:
  targets:
    - name: manager
      address: udp:127.0.0.1:$TRAPD_PORT
      type: inform
      version: 3
      user: $SNMP_USER
      engine_id: "$TRAPD_ENGINEID"
      timeout: 1s
      retries: 3
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 1s
EOF
} >"$T/shugo.yaml"
check_agent_config >/dev/null || fail "config refused: $(check_agent_config 2>&1)"

t0=$(_now_ms)
start_agent n1
took=$(($(_now_ms) - t0))
# With discovery, opening this session alone would wait timeout x (retries + 1)
# = 4 s for the absent receiver before the agent could serve anything.
[ "$took" -lt 3000 ] || fail "the agent took $took ms to start with its INFORM receiver down"
ok "agent up in $took ms with the v3 INFORM receiver down (no engine ID discovery)"

restarts_is() { [ "$(snum 'SHUGO-MIB::shugoProcRestarts."web"')" = "$1" ]; }
pending_is() { [ "$(snum SHUGO-MIB::shugoNodeNotifPending.0)" = "$1" ]; }

pid=$(inst_pids web)
kill -9 "$pid"
wait_for 5 restarts_is 1
pending=$(snum SHUGO-MIB::shugoNodeNotifPending.0)
[ "$pending" -ge 3 ] || fail "shugoNodeNotifPending is $pending with the receiver down, expected the queued INFORMs"
ok "$pending notifications wait for the receiver"

# The receiver comes back on the same port with the same engine ID.
"$SNMPTRAPD_BIN" -f -Lf "$T/snmptrapd.log" -C -c "$T/snmptrapd.conf" -n -On -X \
	</dev/null >>"$T/snmptrapd.log" 2>&1 &
TRAPD_PID=$!
track_pid "$TRAPD_PID" snmptrapd
# Re-sends back off up to 30 s; the first ones are due within seconds.
trapd_wait 40 "^NOTIF sec=$SNMP_USER "
wait_for 40 pending_is 0
last=$(snum SHUGO-MIB::shugoNodeNotifSeq.0)
seqs=$(trapd_events | sed -n 's/.* seq=\([0-9]*\) .*/\1/p' | sort -n | uniq | tr '\n' ' ')
want=$(seq 1 "$last" | tr '\n' ' ')
assert_eq "$seqs" "$want" "sequence numbers received over SNMPv3"
ok "every notification (seq 1..$last) arrived as an authPriv INFORM once the receiver was up"
