#!/bin/bash
# The agent's own master mode: no snmpd at all; the agent answers SNMP on a
# loopback port and enforces access itself. The read community from 127.0.0.1
# reads (shugoProcTable; shugoProcInstTable with 200 watched instances, every
# row in order, by GETBULK and GETNEXT) and cannot write (noAccess); a wrong
# community, or the right one from another address, gets no answer at all;
# the SNMPv3 user reads and writes at authPriv and is refused below it; over
# IPv6 (where the host has ::1) a community counts from its own source only.
# A kill -9 of a supervised process still reaches snmptrapd, and no
# notification waits for an AgentX master that is not there. A reload changes
# communities and passphrases at once; a restart keeps the engine and writes
# no USM key to the state dir.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool snmpbulkwalk snmp
require_tool snmpset snmp
start_trapd
AGENT_PORT=$(free_udp_port)
N=200

# N watched instances, children of this script; argv[0] is the tag, so the
# command line is "<tag> 300".
tag="shugo-tm$$"
watched=()
for ((i = 0; i < N; i++)); do
	bash -c "exec -a $tag sleep 300" </dev/null >/dev/null 2>&1 &
	watched+=("$!")
done
# Stopped all at once at exit (one stop_pid each would take a while); the
# code runs then, with the array as it is then.
# shellcheck disable=SC2016
at_exit 'kill -TERM "${watched[@]}" 2>/dev/null; wait "${watched[@]}" 2>/dev/null'
mapfile -t watched_sorted < <(printf '%s\n' "${watched[@]}" | sort -n)
has_tag() { grep -q "^$tag" "/proc/$1/cmdline"; }
for p in "${watched[@]}"; do
	wait_for 5 has_tag "$p"
done

# IPv6 loopback too, where the host has it: the client's address reaches
# the access check in another form there.
listen="udp:127.0.0.1:$AGENT_PORT"
v6=
if command -v python3 >/dev/null 2>&1 && python3 -c 'import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", '"$AGENT_PORT"'))' 2>/dev/null; then
	v6=1
	listen="$listen, \"udp6:[::1]:$AGENT_PORT\""
fi

cat >"$T/shugo.yaml" <<EOF
# Written by $TEST_NAME.
agent:
  mode: master
  listen: [$listen]
  state_dir: $SHUGO_STATE_DIR
  event_socket: $T/event.sock
  sample_interval: 1s
  # Not used in master mode: nothing listens there.
  agentx_socket: $T/no-snmpd.sock
  read_communities:
    - {community: $SNMP_COMMUNITY, source: 127.0.0.1/32}
    - {community: $SNMP_COMMUNITY-v6, source: "::1"}
snmp:
  users:
    - name: $SNMP_USER
      auth: SHA-256
      auth_password: "$SNMP_AUTH_PASS"
      priv: AES
      priv_password: "$SNMP_PRIV_PASS"
notify:
  targets:
    - name: inform-2c
      address: udp:127.0.0.1:$TRAPD_PORT
      version: 2c
      community: $SNMP_COMMUNITY
    - name: inform-3
      address: udp:127.0.0.1:$TRAPD_PORT
      version: 3
      user: $SNMP_USER
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 1s
    start_grace: 2s
  - name: workers
    match: {cmdline: "^$tag 300\$"}
    min: $N
EOF
check_agent_config -N m1 >/dev/null || fail "the master-mode configuration is rejected"
start_agent_master m1
[ -z "${SNMPD_PID:-}" ] || fail "an snmpd was started"
grep -q "master mode: answering SNMP on udp:127.0.0.1:$AGENT_PORT" "$T/agent.log" ||
	fail "the agent did not log its listen address"
ok "the agent answers on 127.0.0.1:$AGENT_PORT itself, no snmpd running"

# --- SNMPv2c: read-only, for the configured community from its source -------

running() { # <name>: shugoProcState is running(1)
	[ "$(snum "SHUGO-MIB::shugoProcState.\"$1\"")" = 1 ]
}
wait_for 10 running web
swalk -OQ SHUGO-MIB::shugoProcTable >"$T/proc.walk" || fail "v2c walk of shugoProcTable failed"
proc_val() { # <column> <name>
	sed -n "s/^SHUGO-MIB::$1\.\"$2\" = //p" "$T/proc.walk"
}
assert_eq "$(proc_val shugoProcKind web)" supervised "shugoProcKind.web"
assert_eq "$(proc_val shugoProcKind workers)" watched "shugoProcKind.workers"
assert_eq "$(proc_val shugoProcState web)" running "shugoProcState.web"
ok "SNMPv2c walk of shugoProcTable: web (supervised, running) and workers (watched)"

# no_answer <what> <snmpget arguments...>: the request is dropped, unanswered.
no_answer() {
	local what=$1 out
	shift
	if out=$(snmpget -t 1 -r 0 "$@" 2>&1); then
		fail "$what: answered: $out"
	fi
	printf '%s\n' "$out" | grep -q "^Timeout" || fail "$what: expected no answer, got: $out"
}
no_answer "v2c, wrong community" -v2c -c "not-$SNMP_COMMUNITY" "127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0
no_answer "v1, wrong community" -v1 -c "not-$SNMP_COMMUNITY" "127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0
no_answer "v2c, the community from 127.0.0.2" -v2c -c "$SNMP_COMMUNITY" --clientaddr=127.0.0.2 \
	"127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0
# shellcheck disable=SC2086
v1=$(snmpget -v1 -c "$SNMP_COMMUNITY" $SNMP_OPTS -Oqv "127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0) ||
	fail "v1 GET with the community failed"
assert_eq "${v1//\"/}" m1 "v1 GET of shugoNodeName.0"
ok "a wrong community, or the right one from 127.0.0.2, gets no answer; v1 with the community reads"

if [ -n "$v6" ]; then
	# shellcheck disable=SC2086
	v=$(snmpget -v2c -c "$SNMP_COMMUNITY-v6" $SNMP_OPTS -Oqv "udp6:[::1]:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0) ||
		fail "v2c GET over IPv6 with the community for ::1 failed"
	assert_eq "${v//\"/}" m1 "v2c GET over IPv6 of shugoNodeName.0"
	no_answer "v2c over IPv6, the community for 127.0.0.1" -v2c -c "$SNMP_COMMUNITY" "udp6:[::1]:$AGENT_PORT" \
		SHUGO-MIB::shugoNodeName.0
	no_answer "v2c over IPv4, the community for ::1" -v2c -c "$SNMP_COMMUNITY-v6" "127.0.0.1:$AGENT_PORT" \
		SHUGO-MIB::shugoNodeName.0
	ok "IPv6: the community for ::1 reads over udp6 only, the one for 127.0.0.1 over udp only"
else
	echo "# no IPv6 loopback here: the IPv6 checks are left out"
fi

# v2c SETs: refused object by object with noAccess, and nothing changes.
v2c_set_refused() { # <oid> <type> <value>
	local out
	# shellcheck disable=SC2086
	if out=$(snmpset -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS "127.0.0.1:$AGENT_PORT" "$@" 2>&1); then
		fail "v2c SET $* accepted: $out"
	fi
	printf '%s\n' "$out" | grep -q "^Reason: noAccess" || fail "v2c SET $*: expected noAccess, got: $out"
}
v2c_set_refused 'SHUGO-MIB::shugoProcSignal."web"' i 0
v2c_set_refused 'SHUGO-MIB::shugoResWarning."cpu"' u 8000
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."cpu"')" 8500 "shugoResWarning.cpu after the refused v2c SET"
ok "SNMPv2c SETs are refused with noAccess"

# --- SNMPv3: the configured user, authPriv only -----------------------------

v3_get() { # <level> <snmpget arguments...>
	local level=$1
	shift
	# shellcheck disable=SC2086
	snmpget -v3 -l "$level" -u "$SNMP_USER" $SNMP_OPTS "$@"
}
out=$(v3_get authPriv -a SHA-256 -A "$SNMP_AUTH_PASS" -x AES -X "$SNMP_PRIV_PASS" -Oqv \
	"127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0) || fail "v3 authPriv GET failed"
assert_eq "${out//\"/}" m1 "v3 authPriv GET of shugoNodeName.0"
sset 'SHUGO-MIB::shugoProcSignal."web"' i 0 >/dev/null || fail "v3 SET shugoProcSignal.web = 0 refused"
sset 'SHUGO-MIB::shugoResWarning."cpu"' u 8000 >/dev/null || fail "v3 SET shugoResWarning.cpu refused"
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."cpu"')" 8000 "shugoResWarning.cpu after the v3 SET"
ok "SNMPv3 authPriv: GET, SET of shugoProcSignal and of a threshold"

refused() { # <what> <expected reason> <snmpget or snmpset and arguments...>
	local what=$1 want=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$what: accepted: $out"
	fi
	printf '%s\n' "$out" | grep -q -- "$want" || fail "$what: expected '$want', got: $out"
}
refused "v3 authNoPriv GET" "authorizationError" \
	v3_get authNoPriv -a SHA-256 -A "$SNMP_AUTH_PASS" "127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0
refused "v3 noAuthNoPriv GET" "authorizationError" \
	v3_get noAuthNoPriv "127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0
# shellcheck disable=SC2086
refused "v3 authNoPriv SET" "authorizationError" snmpset -v3 -l authNoPriv -u "$SNMP_USER" -a SHA-256 \
	-A "$SNMP_AUTH_PASS" $SNMP_OPTS "127.0.0.1:$AGENT_PORT" 'SHUGO-MIB::shugoResWarning."cpu"' u 7000
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."cpu"')" 8000 "shugoResWarning.cpu after the refused SET"
refused "v3 wrong passphrase" "Authentication failure" \
	v3_get authPriv -a SHA-256 -A "wrong-$SNMP_AUTH_PASS" -x AES -X "$SNMP_PRIV_PASS" \
	"127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0
# shellcheck disable=SC2086
refused "v3 unknown user" "Unknown user name" snmpget -v3 -l authPriv -u "not-$SNMP_USER" -a SHA-256 \
	-A "$SNMP_AUTH_PASS" -x AES -X "$SNMP_PRIV_PASS" $SNMP_OPTS "127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeName.0
ok "SNMPv3 below authPriv, with a wrong passphrase or an unknown user is refused"

# --- shugoProcInstTable with N instances -------------------------------------

instances() { # <name> <n>
	[ "$(snum "SHUGO-MIB::shugoProcInstances.\"$1\"")" = "$2" ]
}
wait_for 20 instances workers "$N"
prefix=$(oid 'SHUGO-MIB::shugoProcInstPpid."workers"')
table=$(oid SHUGO-MIB::shugoProcInstTable)
for tool in snmpbulkwalk snmpwalk; do
	extra=
	[ "$tool" = snmpbulkwalk ] && extra=-Cr25
	# snmpwalk and snmpbulkwalk stop with an error on an OID that does not
	# increase, so a clean exit is the order check.
	# shellcheck disable=SC2086
	"$tool" -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS $extra -On "127.0.0.1:$AGENT_PORT" "$table" \
		>"$T/inst.$tool" 2>"$T/inst.$tool.err" || fail "$tool of shugoProcInstTable: $(cat "$T/inst.$tool.err")"
	[ ! -s "$T/inst.$tool.err" ] || fail "$tool of shugoProcInstTable: $(cat "$T/inst.$tool.err")"
	# Past the table's last row the walk must move on, not end on an
	# endOfMibView named after that row (GETBULK in master mode did once).
	! grep -q " = No more variables left" "$T/inst.$tool" ||
		fail "$tool of shugoProcInstTable: $(grep -m1 " = No more" "$T/inst.$tool")"
	mapfile -t got < <(sed -n "s/^${prefix//./\\.}\.\([0-9][0-9]*\) = .*/\1/p" "$T/inst.$tool")
	assert_eq "${#got[@]}" "$N" "rows of workers in the $tool walk"
	assert_eq "${got[*]}" "${watched_sorted[*]}" "pids of workers in the $tool walk, in order"
	# Every column has a value in every row: N workers and web.
	cols=$(sed -n "s/^${table//./\\.}\.1\.\([0-9]*\)\..*/\1/p" "$T/inst.$tool" | sort -n | uniq -c |
		awk -v want=$((N + 1)) '$1 != want { bad++ } END { print NR, bad + 0 }')
	read -r ncols bad <<<"$cols"
	[ "$ncols" -gt 1 ] || fail "$tool: only $ncols column(s) in shugoProcInstTable"
	assert_eq "$bad" 0 "columns of the $tool walk without $((N + 1)) rows"
	ok "$tool of shugoProcInstTable: $ncols columns x $((N + 1)) rows, the $N workers in pid order"
done

# A GETBULK walk of the whole MIB crosses from one registration to the next
# (scalars, tables, the notification log) without stopping early.
# shellcheck disable=SC2086
snmpbulkwalk -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS -Cr25 -On "127.0.0.1:$AGENT_PORT" "$(oid SHUGO-MIB::shugoMIB)" \
	>"$T/all.bulk" 2>"$T/all.bulk.err" || fail "bulk walk of shugoMIB: $(cat "$T/all.bulk.err")"
# The agent serves nothing after SHUGO-MIB, so the very last varbind is the
# end of the MIB view; nowhere else.
sed '$d' "$T/all.bulk" | grep -q " = No more variables left" &&
	fail "bulk walk of shugoMIB ended early: $(grep -m1 ' = No more' "$T/all.bulk")"
grep -q "^$(oid SHUGO-MIB::shugoNotifLogObject)\." "$T/all.bulk" || fail "bulk walk of shugoMIB never reached shugoNotifLogTable"
ok "a GETBULK walk of shugoMIB crosses every registration to the notification log"
# Values move between the walks (CPU, memory); the objects may not.
diff <(cut -d' ' -f1 "$T/inst.snmpbulkwalk") <(cut -d' ' -f1 "$T/inst.snmpwalk") >"$T/inst.diff" ||
	fail "the GETBULK and GETNEXT walks list different objects: $(head -n 5 "$T/inst.diff")"

# --- kill -9 of a supervised process: the trap still goes out -----------------

pid=$(inst_pids web)
assert_match "$pid" '^[0-9]+$' "the one instance of web"
assert_eq "$(ppid_of "$pid")" "$AGENT_PID" "parent of web's pid $pid"
kill -KILL "$pid"
for sec in "$SNMP_COMMUNITY" "$SNMP_USER"; do
	trapd_wait_event 10 "^type=shugoProcExited sec=$sec .* object=proc:web state=abnormal "
	ev=$(trapd_event "^type=shugoProcExited sec=$sec .* object=proc:web state=abnormal ")
	assert_match "$(ev_get "$ev" detail)" "pid $pid .*signal 9" "shugoProcExited detail ($sec)"
	assert_eq "$(ev_get "$ev" node)" m1 "shugoNotifNode ($sec)"
done
wait_for 10 running web
ok "kill -9 of web (pid $pid): shugoProcExited at snmptrapd over both targets; web runs again"

# No copy waits for an AgentX master: once the INFORMs are acknowledged, none
# is pending.
pending_none() { [ "$(snum SHUGO-MIB::shugoNodeNotifPending.0)" = 0 ]; }
wait_for 10 pending_none
assert_eq "$(snum SHUGO-MIB::shugoNodeNotifDropped.0)" 0 "shugoNodeNotifDropped.0"
assert_eq "$(snum SHUGO-MIB::shugoNodeAgentxReconnects.0)" 0 "shugoNodeAgentxReconnects.0"
ok "nothing pending or dropped: no notification waits for AgentX"

# --- reload: new communities and passphrases count at once --------------------

old_priv=$SNMP_PRIV_PASS
new_priv="$SNMP_PRIV_PASS-2"
sed -i -e "s/{community: $SNMP_COMMUNITY, source: 127.0.0.1\/32}/{community: $SNMP_COMMUNITY-2, source: 127.0.0.0\/8}/" \
	-e "s/priv_password: \"$old_priv\"/priv_password: \"$new_priv\"/" "$T/shugo.yaml"
if ! grep -q "community: $SNMP_COMMUNITY-2," "$T/shugo.yaml" ||
	! grep -q "priv_password: \"$new_priv\"" "$T/shugo.yaml"; then
	fail "could not edit $T/shugo.yaml"
fi
check_agent_config -N m1 >/dev/null || fail "the edited configuration is rejected"
loads=$(snum SHUGO-MIB::shugoNodeConfigLoads.0)
kill -HUP "$AGENT_PID"
SNMP_COMMUNITY="$SNMP_COMMUNITY-2"
reloaded() { [ "$(snum SHUGO-MIB::shugoNodeConfigLoads.0)" = $((loads + 1)) ]; }
wait_for 10 reloaded
no_answer "v2c, the community taken out" -v2c -c "${SNMP_COMMUNITY%-2}" "127.0.0.1:$AGENT_PORT" \
	SHUGO-MIB::shugoNodeName.0
# shellcheck disable=SC2086
out=$(snmpget -v2c -c "$SNMP_COMMUNITY" $SNMP_OPTS --clientaddr=127.0.0.2 -Oqv "127.0.0.1:$AGENT_PORT" \
	SHUGO-MIB::shugoNodeName.0) || fail "v2c GET with the new community from 127.0.0.2 failed"
assert_eq "${out//\"/}" m1 "v2c GET with the new community from 127.0.0.2 (its new source 127.0.0.0/8)"
# A request it cannot decrypt is not answered.
refused "v3 with the old privacy passphrase" "^Timeout" \
	v3_get authPriv -a SHA-256 -A "$SNMP_AUTH_PASS" -x AES -X "$old_priv" "127.0.0.1:$AGENT_PORT" \
	SHUGO-MIB::shugoNodeName.0
SNMP_PRIV_PASS=$new_priv
sset 'SHUGO-MIB::shugoProcSignal."web"' i 0 >/dev/null || fail "v3 SET with the new passphrase refused"
ok "reload: the old community and passphrase are refused, the new ones work, without a restart"

# --- restart: same engine, keys kept out of the state dir ---------------------

stop_agent
assert_eq "$AGENT_STATUS" 0 "exit status of the agent"
persist="$SHUGO_STATE_DIR/snmp/shugo-agent.conf"
[ -f "$persist" ] || fail "no persistent net-snmp state in $SHUGO_STATE_DIR/snmp"
if grep -Eq '^(usmUser|createUser)' "$persist"; then
	fail "USM users were written to $persist"
fi
start_agent_master m1
out=$(v3_get authPriv -a SHA-256 -A "$SNMP_AUTH_PASS" -x AES -X "$SNMP_PRIV_PASS" -Oqv \
	"127.0.0.1:$AGENT_PORT" SHUGO-MIB::shugoNodeBootCount.0) || fail "v3 GET after the restart failed"
assert_eq "$out" 2 "shugoNodeBootCount.0 after the restart"
ok "restarted: the v3 user works again, no USM key in the persistent file"

# --- the manager polls an agent in master mode ---------------------------------
# (it serves SHUGO-MIB alone: no sysUpTime, which the manager does without)
MANAGER_BIN="$top_builddir/manager/shugo-manager"
cat >"$T/manager.yaml" <<EOF2
cluster:
  nodes: [{name: m1, address: "udp:127.0.0.1:$AGENT_PORT"}]
manager:
  store: $T/store.db
  agentx_socket: $T/no-snmpd.sock
  event_socket: $T/manager.sock
  poll: {interval: 300ms, timeout: $(ms 200), retries: 1, down_after: $((2 * SLOW))s}
  snmp: {version: 2c, community: $SNMP_COMMUNITY}
EOF2
"$MANAGER_BIN" -f -c "$T/manager.yaml" -N m1 </dev/null >>"$T/shugo-manager.log" 2>&1 &
track_pid $! shugo-manager
wait_for 15 grep -q "node m1: unknown -> up" "$T/shugo-manager.log"
ok "shugo-manager polls the agent in master mode (node up without sysUpTime)"
