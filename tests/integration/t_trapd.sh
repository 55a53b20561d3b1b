#!/bin/bash
# shugo-trapd end to end: SNMPv2c and SNMPv3 traps and INFORMs from net-snmp's
# tools and from a real shugo-agent land in the central log once each; a wrong
# community is refused; SIGHUP applies a good file and rejects a broken one; a
# duplicate INFORM is answered but not stored again; a storm from one source is
# rate-limited and summarised; an INFORM is not answered while the store cannot
# be written; and after kill -9 every INFORM that had been acknowledged is in
# the store, none twice.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool sqlite3 sqlite3
require_tool python3 python3
require_tool snmptrap snmp
require_tool snmpinform snmp
SHUGO_TRAPD_BIN="$top_builddir/trapd/shugo-trapd"
[ -x "$SHUGO_TRAPD_BIN" ] || fail "$SHUGO_TRAPD_BIN is not built"

# shugo-trapd takes the port lib.sh would give snmptrapd, so agent_config
# aims the agent's notification target at it.
TRAPD_PORT=$(free_udp_port)
STORE="$T/store.db"
# trapd's SNMPv3 engine ID: "shugo-trapd" as text (RFC 3411 format 4) under
# the documentation enterprise number
ENGINE=0x80007ed904$(printf %s shugo-trapd | od -An -tx1 | tr -d ' \n')
FOREIGN=.1.3.6.1.4.1.32473.99 # OIDs of traps from "other devices"
SHUGO_NOTIF=.1.3.6.1.4.1.32473.7.0
NOTIF_OBJ=.1.3.6.1.4.1.32473.7.1.10

# snmpd for the agent of part (5); its AgentX socket goes into the config
start_snmpd
{
	agent_config inform:2c
	cat <<EOF
trapd:
  listen: [udp:127.0.0.1:$TRAPD_PORT]
  communities: [public, $SNMP_COMMUNITY]
  engine_id: "$ENGINE"
  rate: 1000
  burst: 2000
  summary_interval: 1s
manager:
  store: $STORE
  event_socket: $T/manager.sock
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    backoff: 1s
EOF
} >"$T/shugo.yaml"

out=$("$SHUGO_TRAPD_BIN" -n -c "$T/shugo.yaml" -N trapnode 2>&1) || fail "config refused: $out"
assert_match "$out" "engine ID $ENGINE\\)" "trapd -n names its engine ID"
ok "trapd -n accepts the configuration: $out"

# --- helpers -----------------------------------------------------------------

_trapd_starts=0

# start_shugo_trapd: run it in the foreground and wait for its start line.
start_shugo_trapd() {
	local rc=0
	"$SHUGO_TRAPD_BIN" -f -c "$T/shugo.yaml" -N trapnode </dev/null >>"$T/shugo-trapd.log" 2>&1 &
	SHUGO_TRAPD_PID=$!
	track_pid "$SHUGO_TRAPD_PID" shugo-trapd
	_trapd_starts=$((_trapd_starts + 1))
	_wait_up "$SHUGO_TRAPD_PID" 10 _trapd_started "$_trapd_starts" || rc=$?
	[ "$rc" -eq 0 ] || fail "shugo-trapd did not start (status $rc)"
}

_trapd_started() {
	[ "$(grep -c ' started as node trapnode' "$T/shugo-trapd.log")" -ge "$1" ]
}

q() { # <sql>: one query on the store, read-only
	sqlite3 -readonly "$STORE" "$1"
}

counter() { # <name>: trapd's counter as last written to the store
	local v
	v=$(q "SELECT value FROM counters WHERE component = 'trapd' AND name = '$1'")
	echo "${v:-0}"
}

counter_is() { [ "$(counter "$1")" = "$2" ]; }
counter_ge() { [ "$(counter "$1")" -ge "$2" ]; }
count_is() { [ "$(q "SELECT count(*) FROM log WHERE $1")" = "$2" ]; }
count_ge() { [ "$(q "SELECT count(*) FROM log WHERE $1")" -ge "$2" ]; }

v3_opts="-v3 -l authPriv -u $SNMP_USER -a SHA-256 -A $SNMP_AUTH_PASS -x AES -X $SNMP_PRIV_PASS"

# notif_args <node> <boot> <seq>: the varbinds of a Shugo notification
# (shugoAppEventRaise) as snmpinform arguments, numerically.
notif_args() {
	echo "$SHUGO_NOTIF.14 $NOTIF_OBJ.1.0 s $1 $NOTIF_OBJ.2.0 u $2 $NOTIF_OBJ.3.0 u $3 $NOTIF_OBJ.4.0 i 2" \
		"$NOTIF_OBJ.5.0 s app:test $NOTIF_OBJ.6.0 s raised $NOTIF_OBJ.7.0 s from-the-test $NOTIF_OBJ.9.0 u 0"
}

start_shugo_trapd
[ "$(stat -c %a "$STORE")" = 600 ] || fail "store mode is $(stat -c %a "$STORE"), expected 600"
ok "shugo-trapd runs (pid $SHUGO_TRAPD_PID) on udp:127.0.0.1:$TRAPD_PORT"

# --- (1) a v2c TRAP --------------------------------------------------------------

snmptrap -v2c -c public "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.1" "$FOREIGN.1.1.0" s hello ||
	fail "snmptrap failed"
wait_for 5 count_is "trap_oid = '$FOREIGN.0.1'" 1
row=$(q "SELECT origin, source FROM log WHERE trap_oid = '$FOREIGN.0.1'")
assert_match "$row" "^2\|udp:127\.0\.0\.1:[0-9]+$" "origin (foreign) and source of the v2c trap"
assert_match "$(q "SELECT detail FROM log WHERE trap_oid = '$FOREIGN.0.1'")" "hello" "the trap's varbinds in detail"
ok "a v2c TRAP is stored once with its source and trap OID ($row)"

# --- (2) a v2c INFORM ----------------------------------------------------------------

snmpinform -v2c -c public -t 2 -r 1 "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.2" "$FOREIGN.1.1.0" s inform2c ||
	fail "snmpinform (v2c) was not acknowledged"
count_is "trap_oid = '$FOREIGN.0.2'" 1 || fail "acknowledged v2c INFORM not in the store"
wait_for 5 counter_ge informs_acked 1
ok "a v2c INFORM is acknowledged after it was stored"

# --- (3) SNMPv3 authPriv INFORM and TRAP -------------------------------------------

# shellcheck disable=SC2086
snmpinform $v3_opts -e "$ENGINE" -t 2 -r 2 "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.3" "$FOREIGN.1.1.0" s inform3 ||
	fail "snmpinform (v3 authPriv, engine $ENGINE) was not acknowledged"
count_is "trap_oid = '$FOREIGN.0.3'" 1 || fail "acknowledged v3 INFORM not in the store"
# without -e: the sender discovers trapd's engine ID first (a Report)
# shellcheck disable=SC2086
snmpinform $v3_opts -t 2 -r 2 "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.3" "$FOREIGN.1.1.0" s discovered ||
	fail "snmpinform (v3 authPriv, engine ID discovery) was not acknowledged"
count_is "trap_oid = '$FOREIGN.0.3'" 2 || fail "acknowledged v3 INFORM (after discovery) not in the store"
# shellcheck disable=SC2086
snmptrap $v3_opts -e "$TEST_ENGINEID" "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.4" "$FOREIGN.1.1.0" s trap3 ||
	fail "snmptrap (v3) failed"
wait_for 5 count_is "trap_oid = '$FOREIGN.0.4'" 1
ok "SNMPv3 authPriv: INFORMs to trapd's engine (given, and discovered) acknowledged and stored, a TRAP from the sender's engine stored"

# --- (4) a wrong community ---------------------------------------------------------

before=$(counter auth_failures)
snmptrap -v2c -c not-the-community "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.5" || fail "snmptrap failed"
wait_for 5 counter_is auth_failures $((before + 1))
count_is "trap_oid = '$FOREIGN.0.5'" 0 || fail "a trap with a wrong community was stored"
ok "a wrong community counts as an auth failure and is not stored"

# --- reload (SIGHUP): all of the file or none of it ------------------------------------

log_has_n() { [ "$(grep -c -- "$1" "$T/shugo-trapd.log")" -ge "$2" ]; }
cp "$T/shugo.yaml" "$T/shugo.yaml.good"
sed -i "s/communities: \[public, /communities: [public, reloaded, /" "$T/shugo.yaml"
kill -HUP "$SHUGO_TRAPD_PID"
wait_for 5 log_has_n "configuration reloaded from" 1
snmptrap -v2c -c reloaded "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.6" || fail "snmptrap failed"
wait_for 5 count_is "trap_oid = '$FOREIGN.0.6'" 1
cp "$T/shugo.yaml" "$T/shugo.yaml.reloaded"
sed -i "s/^  rate: 1000\$/  rate: lots/" "$T/shugo.yaml" # not a number: the whole file is refused
kill -HUP "$SHUGO_TRAPD_PID"
wait_for 5 log_has_n "reload rejected, configuration unchanged: $T/shugo.yaml:[0-9]*: .*rate" 1
snmptrap -v2c -c reloaded "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.6" || fail "snmptrap failed"
wait_for 5 count_is "trap_oid = '$FOREIGN.0.6'" 2
cp "$T/shugo.yaml.reloaded" "$T/shugo.yaml"
ok "SIGHUP applies a new community; a broken file is rejected and the old configuration kept"

# --- (6) a duplicate notification ----------------------------------------------------

# The same Shugo notification (node, boot, sequence) twice: the second is
# answered (its sender needs the answer) but not stored.
for i in 1 2; do
	# shellcheck disable=SC2046
	snmpinform -v2c -c public -t 2 -r 1 "127.0.0.1:$TRAPD_PORT" '' $(notif_args dupnode 3 7) ||
		fail "duplicate INFORM $i not acknowledged"
done
count_is "node = 'dupnode'" 1 || fail "duplicate stored: $(q "SELECT id, seq FROM log WHERE node = 'dupnode'")"
row=$(q "SELECT origin, boot, seq, type_name FROM log WHERE node = 'dupnode'")
assert_eq "$row" "1|3|7|shugoAppEventRaise" "the Shugo notification as stored"
wait_for 5 counter_is duplicates 1
ok "the same notification twice: both acknowledged, stored once, duplicates = 1"

# --- (5) a real agent ---------------------------------------------------------------

start_agent n1
wait_for 15 count_ge "node = 'n1' AND type_name = 'shugoAgentStart'" 1
running() { [ "$(snum 'SHUGO-MIB::shugoProcState."web"')" = 1 ]; }
wait_for 10 running
pid=$(inst_pids web)
assert_match "$pid" '^[0-9]+$' "the one instance of web"
kill -KILL "$pid"
wait_for 15 count_ge "node = 'n1' AND type_name = 'shugoProcExited' AND object = 'proc:web'" 1
row=$(q "SELECT origin, boot, seq, sev, state FROM log WHERE node = 'n1' AND type_name = 'shugoProcExited'")
assert_match "$row" '^1\|[1-9][0-9]*\|[1-9][0-9]*\|[0-9]+\|abnormal$' "shugoProcExited as stored"
agent_boot=$(snum SHUGO-MIB::shugoNodeBootCount.0)
assert_eq "$(echo "$row" | cut -d'|' -f2)" "$agent_boot" "boot count of the stored notification"
wait_for 15 count_ge "node = 'n1' AND type_name = 'shugoProcClear' AND object = 'proc:web'" 1
# every sequence number the agent used so far, each once
last=$(snum SHUGO-MIB::shugoNodeNotifSeq.0)
wait_for 10 count_is "node = 'n1' AND seq BETWEEN 1 AND $last" "$last"
assert_eq "$(q "SELECT count(DISTINCT seq) FROM log WHERE node = 'n1'")" \
	"$(q "SELECT count(*) FROM log WHERE node = 'n1'")" "agent records stored once each"
ok "the agent's notifications (seq 1..$last, boot $agent_boot) are in the store with node, boot, seq and type"
stop_agent

# --- (7) a storm from one source ---------------------------------------------------------

limited0=$(counter rate_limited)
t0=$(_now_ms)
python3 - "$TRAPD_PORT" <<'EOF' || fail "storm sender failed"
# 20,000 SNMPv2-Trap-PDUs from one socket, in bursts the socket buffer holds.
import socket, sys, time

def tlv(t, b):
    n = len(b)
    if n < 0x80:
        return bytes([t, n]) + b
    if n < 0x100:
        return bytes([t, 0x81, n]) + b
    return bytes([t, 0x82, n >> 8, n & 0xff]) + b

def integer(v):
    b = v.to_bytes(4, "big").lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return tlv(0x02, b)

def oid(s):
    a = [int(x) for x in s.strip(".").split(".")]
    out = bytearray([40 * a[0] + a[1]])
    for v in a[2:]:
        enc = [v & 0x7f]
        v >>= 7
        while v:
            enc.append(0x80 | (v & 0x7f))
            v >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, bytes(out))

def trap(reqid):
    vbs = tlv(0x30, tlv(0x30, oid("1.3.6.1.2.1.1.3.0") + tlv(0x43, b"\x01")) +
          tlv(0x30, oid("1.3.6.1.6.3.1.1.4.1.0") + oid("1.3.6.1.4.1.32473.99.0.7")))
    pdu = tlv(0xa7, integer(reqid) + integer(0) + integer(0) + vbs)
    return tlv(0x30, integer(1) + tlv(0x04, b"public") + pdu)

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = ("127.0.0.1", int(sys.argv[1]))
for i in range(20000):
    s.sendto(trap(i + 1), dst)
    if i % 100 == 99:
        time.sleep(0.005)
EOF
took=$(($(_now_ms) - t0))
wait_for 5 counter_ge rate_limited $((limited0 + 1))
storm_src=$(q "SELECT DISTINCT source FROM log WHERE trap_oid = '$FOREIGN.0.7'")
assert_match "$storm_src" '^udp:127\.0\.0\.1:[0-9]+$' "one source for the storm"
wait_for 10 count_ge "origin = 5 AND type_name = 'shugoMgrTrapStorm' AND source = '$storm_src'" 1
storm=$(q "SELECT sev, object, state, detail FROM log WHERE origin = 5 AND source = '$storm_src' LIMIT 1")
assert_match "$storm" "^3\|source:$storm_src\|rate-limited\|[0-9]+ traps from $storm_src dropped since " \
	"the storm summary"
stored=$(q "SELECT count(*) FROM log WHERE trap_oid = '$FOREIGN.0.7'")
# burst 2000 plus 1000/s while it lasted, with a second of slack
[ "$stored" -le $((2000 + 1000 * (took / 1000 + 2))) ] ||
	fail "$stored storm traps stored in $took ms: more than the rate allows"
drops=$(counter kernel_drops)
[ "$((stored + drops))" -ge 2000 ] || fail "only $stored storm traps stored ($drops lost in the kernel): less than the burst"
snmpinform -v2c -c public -t 2 -r 1 "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.8" ||
	fail "INFORM after the storm not acknowledged"
count_is "trap_oid = '$FOREIGN.0.8'" 1 || fail "INFORM after the storm not stored"
ok "storm of 20000 traps in $took ms: $stored stored, $(counter rate_limited) rate-limited, one summary per interval, INFORMs still answered"

# --- the store cannot be written: nothing is acknowledged until it can -----------------------

# Another writer holds the store's write lock for 12 s, longer than the
# store waits for it (5 s) even behind a counters update that waits too; an
# INFORM sent meanwhile is kept in memory, not answered, and stored once (its
# re-sends are answered, not stored) when the store is back.
python3 - "$STORE" "$T/locked" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(12)
db.execute("ROLLBACK")
EOF
locker=$!
track_pid "$locker" "store locker"
wait_for 10 test -e "$T/locked"
snmpinform -v2c -c public -t 1 -r 25 "127.0.0.1:$TRAPD_PORT" '' "$FOREIGN.0.9" >"$T/inform9.out" 2>&1 &
informer=$!
track_pid "$informer" snmpinform
wait_for 15 log_has_n "store: cannot write the central log" 1
pid_alive "$informer" || fail "the INFORM was answered while the store could not be written"
wait "$locker" || fail "the store locker failed"
untrack_pid "$locker"
wait_for 15 log_has_n "store: writing the central log again" 1
wait "$informer" || fail "the INFORM was not answered once the store was back: $(cat "$T/inform9.out")"
untrack_pid "$informer"
count_is "trap_oid = '$FOREIGN.0.9'" 1 || fail "INFORM stored $(q "SELECT count(*) FROM log WHERE trap_oid = '$FOREIGN.0.9'") times"
ok "store locked: the INFORM waited unanswered, then was stored once and answered"

# --- (8) kill -9 while INFORMs arrive -------------------------------------------------------

# Four senders, 60 Shugo notifications each (node crash, boot 1, distinct
# sequence numbers), each re-sent until answered; a sequence is written to
# acked-N once its INFORM was acknowledged.
sender() { # <first seq> <count> <file>
	local s
	for ((s = $1; s < $1 + $2; s++)); do
		# shellcheck disable=SC2046
		if snmpinform -v2c -c public -t 0.3 -r 25 "127.0.0.1:$TRAPD_PORT" '' $(notif_args crash 1 "$s") \
			>/dev/null 2>&1; then
			echo "$s" >>"$3"
		fi
	done
}
senders=()
for k in 0 1 2 3; do
	: >"$T/acked-$k"
	sender $((k * 1000 + 1)) 60 "$T/acked-$k" &
	senders+=($!)
	track_pid "$!" "sender $k"
done
acked_total() { cat "$T"/acked-* | wc -l; }
acked_ge() { [ "$(acked_total)" -ge "$1" ]; }
wait_for 20 acked_ge 40
{ # stderr aside: bash announces the killed job
	kill -KILL "$SHUGO_TRAPD_PID"
	acked_at_kill=$(acked_total)
	stop_pid "$SHUGO_TRAPD_PID" KILL
} 2>/dev/null
start_shugo_trapd
for p in "${senders[@]}"; do
	wait "$p" || true
	untrack_pid "$p"
done
acked=$(acked_total)
[ "$acked" -gt "$acked_at_kill" ] || fail "no INFORM acknowledged after the restart"
# comm wants both lists in the same (lexical) order
sort "$T"/acked-* >"$T/acked"
q "SELECT seq FROM log WHERE node = 'crash'" | sort >"$T/stored"
missing=$(comm -23 "$T/acked" "$T/stored" | wc -l)
[ "$missing" -eq 0 ] || fail "$missing of $acked acknowledged INFORMs are not in the store: $(comm -23 "$T/acked" "$T/stored" | tr '\n' ' ')"
assert_eq "$(q "SELECT count(*) FROM log WHERE node = 'crash'")" \
	"$(q "SELECT count(DISTINCT seq) FROM log WHERE node = 'crash'")" "records of node crash stored once each"
ok "kill -9 with $acked_at_kill of $acked acknowledged INFORMs before it: every acknowledged one is stored, none twice"

# --- orderly stop ---------------------------------------------------------------------

stop_pid "$SHUGO_TRAPD_PID" TERM
assert_eq "$STOP_STATUS" 0 "shugo-trapd exit status on SIGTERM"
assert_match "$(counter received)" '^[1-9][0-9]*$' "received counter written at exit"
ok "SIGTERM: shugo-trapd flushed and exited 0"
