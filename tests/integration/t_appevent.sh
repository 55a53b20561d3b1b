#!/bin/bash
# Application events with the real agent, snmpd, snmptrapd and shugo-trapd:
# shugo-event raises and clears an event (alarm row, shugoAppEventTable row,
# notification, central log record), the agent refuses a bad one with its
# reason, low-urgency raises are batched into one notification, a program
# linked with libshugoevent raises one, and without an agent shugo-event says
# so with its own exit status.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool sqlite3 sqlite3
require_tool cc gcc
EVENT_BIN="$top_builddir/agent/shugo-event"
TRAPD_BIN="$top_builddir/trapd/shugo-trapd"
for b in "$EVENT_BIN" "$TRAPD_BIN"; do
	[ -x "$b" ] || fail "$b is not built"
done
start_snmpd
start_trapd
SHUGO_TRAPD_PORT=$(free_udp_port)
STORE="$T/store.db"
{
	# shellcheck disable=SC2119
	AGENT_EXTRA="  event_batch: 2s" agent_config
	cat <<EOF
notify:
  targets:
    - {name: nms, address: "udp:127.0.0.1:$TRAPD_PORT", type: trap, version: 2c, community: $SNMP_COMMUNITY}
    - {name: central, address: "udp:127.0.0.1:$SHUGO_TRAPD_PORT", type: inform, version: 2c,
       community: $SNMP_COMMUNITY, timeout: 200ms}
cluster:
  nodes: [{name: alpha, address: "udp:127.0.0.1:$SNMPD_PORT"}]
manager:
  store: $STORE
  event_socket: $T/manager.sock
trapd:
  listen: ["udp:127.0.0.1:$SHUGO_TRAPD_PORT"]
  communities: [$SNMP_COMMUNITY]
EOF
} >"$T/shugo.yaml"
"$TRAPD_BIN" -f -c "$T/shugo.yaml" -N alpha </dev/null >>"$T/shugo-trapd.log" 2>&1 &
track_pid $! shugo-trapd
wait_for 15 grep -q "listening on udp:127.0.0.1:$SHUGO_TRAPD_PORT" "$T/shugo-trapd.log"
start_agent alpha
export SHUGO_EVENT_SOCKET="$T/event.sock"
wait_for 10 test -S "$SHUGO_EVENT_SOCKET"
assert_eq "$(stat -c %a "$SHUGO_EVENT_SOCKET")" 600 "the socket is root's alone without event_group"

DETAIL=$(oid SHUGO-MIB::shugoNotifDetail)
q() { sqlite3 -readonly "$STORE" "$1"; }
q_is() { [ "$(q "$2")" = "$1" ]; }

# --- raise -------------------------------------------------------------------------
"$EVENT_BIN" raise db.repl major lagging replica 3 is 120 s behind || fail "shugo-event raise: $?"
trapd_wait 10 "= OID: $(oid SHUGO-MIB::shugoAppEventRaise)\$"
trapd_wait 5 "^VB $DETAIL.0 = STRING: \"?replica 3 is 120 s behind\"?\$"
assert_eq "$(sval 'SHUGO-MIB::shugoAppEventSeverity."db.repl"')" "major" "table severity"
assert_eq "$(sval 'SHUGO-MIB::shugoAppEventState."db.repl"')" "lagging" "table state"
assert_eq "$(sval 'SHUGO-MIB::shugoAppEventCount."db.repl"')" 1 "table count"
assert_match "$(sval 'SHUGO-MIB::shugoAppEventSource."db.repl"')" '^pid [0-9]+ uid 0 \(shugo-event\)$' "source"
assert_match "$(swalk SHUGO-MIB::shugoAlarmObject)" 'STRING: "?app:db.repl"?' "the alarm row"
wait_for 15 q_is "alpha|major|lagging|replica 3 is 120 s behind" \
	"select node || '|' || (case sev when 5 then 'major' else sev end) || '|' || state || '|' || detail
	 from log where type_name = 'shugoAppEventRaise'"
ok "shugo-event raise: notification, alarm row, shugoAppEventTable row (source pid/uid/program), central log"

# --- refused ----------------------------------------------------------------------------
rc=0
err=$("$EVENT_BIN" raise "bad name" major 2>&1) || rc=$?
assert_eq "$rc" 1 "exit status of a refused event"
assert_match "$err" "name must be 1..64 of A-Z a-z 0-9 . _ : -" "the agent's reason"
rc=0
"$EVENT_BIN" raise x loud 2>/dev/null || rc=$?
assert_eq "$rc" 1 "a bad severity"
rc=0
"$EVENT_BIN" raise x 2>/dev/null || rc=$?
assert_eq "$rc" 2 "usage"
ok "a bad event is refused with the agent's reason (exit 1); usage errors exit 2"

# --- clear --------------------------------------------------------------------------------
"$EVENT_BIN" clear db.repl caught-up replica 3 caught up || fail "shugo-event clear"
trapd_wait 10 "= OID: $(oid SHUGO-MIB::shugoAppEventClear)\$"
assert_eq "$(sval 'SHUGO-MIB::shugoAppEventSeverity."db.repl"')" "clear" "cleared"
assert_eq "$(sval 'SHUGO-MIB::shugoAppEventCount."db.repl"')" 2 "count after the clear"
wait_for 10 bash -c "! snmpwalk -v2c -c $SNMP_COMMUNITY -On 127.0.0.1:$SNMPD_PORT $(oid SHUGO-MIB::shugoAlarmObject) | grep -q app:db.repl"
"$EVENT_BIN" clear never.raised || fail "clearing what was not raised"
ok "shugo-event clear: shugoAppEventClear, the alarm row gone; a clear of nothing is fine"

# --- batched: three low-urgency raises, one notification -----------------------------
for i in 1 2 3; do
	"$EVENT_BIN" -b raise disk.slow warning slow "fsync took ${i}00 ms" || fail "batched raise $i"
done
assert_eq "$(trapd_count "fsync took")" 0 "nothing sent before the batch interval"
trapd_wait 10 "^VB $DETAIL.0 = STRING: \"?fsync took 300 ms \\(3 raises batched\\)\"?\$"
assert_eq "$(trapd_count "fsync took")" 1 "one notification for the batch"
ok "three batched raises: one notification after the batch interval, the latest detail and the count"

# --- a program linked with libshugoevent ------------------------------------------
cat >"$T/app.c" <<'EOF'
#include <stdio.h>
#include <shugo_event.h>
int main(void)
{
	if (shugo_event_raise("app.started", "info", "up", "built with libshugoevent", 0) < 0) {
		fprintf(stderr, "raise: %s\n", shugo_event_reason());
		return 1;
	}
	if (shugo_event_raise("bad name", "info", NULL, NULL, 0) == 0 || !*shugo_event_reason()) {
		fprintf(stderr, "a bad name was taken\n");
		return 1;
	}
	printf("%s\n", shugo_event_reason());
	return 0;
}
EOF
# with the build's own sanitizer flags, if any: the library was built with them
# shellcheck disable=SC2086
cc -Wall -Werror ${SHUGO_BUILD_CFLAGS:-} -I"$top_srcdir/lib" -o "$T/app" "$T/app.c" \
	"$top_builddir/lib/libshugoevent.a" ${SHUGO_BUILD_LDFLAGS:-} ||
	fail "cannot build against libshugoevent"
out=$("$T/app") || fail "the linked program: $out"
assert_match "$out" "name must be" "the library's reason"
trapd_wait 10 "^VB $DETAIL.0 = STRING: \"?built with libshugoevent\"?\$"
ok "a C program linked with libshugoevent raises an event and reads the agent's refusal"

# --- no agent ---------------------------------------------------------------------------
stop_agent TERM
[ ! -e "$SHUGO_EVENT_SOCKET" ] || fail "the socket is left behind"
rc=0
"$EVENT_BIN" raise x major 2>/dev/null || rc=$?
assert_eq "$rc" 3 "exit status without an agent"
ok "without an agent shugo-event exits 3; the agent removed its socket"
