#!/bin/bash
# Metrics: the manager writes every poll's resources, interface traffic and
# per-process CPU/RSS to RRD files through a real rrdcached, with the values
# the agent reports; keeps polling and writes the files itself while rrdcached
# is killed or hangs (one warning per outage, one notice when it is back);
# writes with librrd alone when no daemon is configured; and shugoctl graph
# draws PNGs of the requested size, or names the unknown node or metric.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_tool python3 python3
require_tool rrdtool rrdtool
require_tool rrdcached rrdcached
CTL="$top_builddir/manager/shugoctl"
MANAGER_BIN="$top_builddir/manager/shugo-manager"
for b in "$CTL" "$MANAGER_BIN"; do
	[ -x "$b" ] || fail "$b is not built"
done

start_snmpd
DEAD_PORT=$(free_udp_port) # zz's address: nobody answers there
STORE="$T/store.db"
RRD="$T/rrd"
RRD_SOCK="$T/rrdcached.sock"
DAEMON="unix:$RRD_SOCK"
MLOG="$T/shugo-manager.log"

# write_config <rrd: mapping>
write_config() {
	{
		agent_config
		cat <<EOF
cluster:
  nodes:
    - name: alpha
      address: udp:127.0.0.1:$SNMPD_PORT
    - name: zz
      address: udp:127.0.0.1:$DEAD_PORT
manager:
  store: $STORE
  agentx_socket: $AGENTX_SOCKET
  event_socket: $T/manager.sock
  poll: {interval: 1s, timeout: $(ms 200), retries: 1, down_after: $((3 * SLOW))s}
  snmp: {version: 2c, community: $SNMP_COMMUNITY}
  rrd: $1
resources:
  filesystems: [{path: /}]
  nics: [{name: lo, stall_after: 1h}]
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
EOF
	} >"$T/shugo.yaml"
}

ctl() { # shugoctl with the test's configuration (store and rrd directory)
	# librrd has no frame pointers: LeakSanitizer's fast unwinder would lose
	# its frames in the leaks of its own that tests/lsan.supp names, so a
	# sanitizer build unwinds fully here (other builds ignore the variable).
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0" "$CTL" -c "$T/shugo.yaml" -N alpha "$@"
}

py() { # <python code> [args]: a check; its exit status is the result
	local code=$1
	shift
	python3 -c "import json, struct, socket, sys
$code" "$@"
}

start_rrdcached() {
	mkdir -p "$RRD" "$T/journal"
	chmod 0700 "$RRD"
	# -w/-f far away: updates stay in the daemon's cache, so only a flush
	# through it (lastupdate/fetch --daemon, shugoctl graph) shows them
	rrdcached -g -l "$DAEMON" -m 0600 -B -b "$RRD" -j "$T/journal" -w 3600 -f 7200 \
		-p "$T/rrdcached.pid" </dev/null >>"$T/rrdcached.log" 2>&1 &
	RRDC_PID=$!
	track_pid "$RRDC_PID" rrdcached
	wait_for 10 test -S "$RRD_SOCK"
}

start_manager() {
	"$MANAGER_BIN" -f -c "$T/shugo.yaml" -N alpha </dev/null >>"$MLOG" 2>&1 &
	MANAGER_PID=$!
	track_pid "$MANAGER_PID" shugo-manager
}

node_state() { # <node> <state>: as shugoctl status --json reports it
	ctl --json status | py '
d = json.load(sys.stdin)
sys.exit(not any(n["name"] == sys.argv[1] and n["state"] == sys.argv[2] for n in d["nodes"]))' "$1" "$2"
}

log_count() { # <extended regex>: lines of the manager's log
	grep -Ec -- "$1" "$MLOG" || true
}

log_has() {
	grep -Eq -- "$1" "$MLOG"
}

# lastupdate <file> [rrdtool options]: "<time> <values...>" of the newest update
lastupdate() {
	local f=$1
	shift
	rrdtool lastupdate "$@" "$f" | awk -F': ' 'NF == 2 { t = $1; v = $2 } END { if (t != "") print t, v }'
}

last_time() { # <file> [options]
	local l
	l=$(lastupdate "$@") || return 1
	echo "${l%% *}"
}

advanced() { # <file> <time> [options]: updated after time
	local f=$1 t0=$2 t
	shift 2
	t=$(last_time "$f" "$@") && [ -n "$t" ] && [ "$t" -gt "$t0" ]
}

daemon_updates() { # UpdatesReceived of the running rrdcached
	py '
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"STATS\n")
buf = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    buf += c
    lines = buf.decode().splitlines()
    if lines and len(lines) > int(lines[0].split()[0]):
        break
for l in lines[1:]:
    k, v = l.split(":", 1)
    if k.strip() == "UpdatesReceived":
        print(int(v))' "$RRD_SOCK"
}

daemon_updated() { # rrdcached received updates
	local n
	n=$(daemon_updates) && [ "${n:-0}" -gt 0 ]
}

# --- through rrdcached ---------------------------------------------------------

start_rrdcached
write_config "{dir: $RRD, daemon: $DAEMON}"
start_agent alpha
start_manager
wait_for 20 node_state alpha up
wait_for 20 node_state zz down
ok "the manager judged alpha up and zz down"

A="$RRD/alpha"
wait_for 20 test -f "$A/proc-web.rrd"
for f in res-cpu res-memory res-load "res-fs%3A%2F" "res-nic%3Alo" proc-web; do
	wait_for 10 test -f "$A/$f.rrd"
	assert_eq "$(stat -c %a "$A/$f.rrd")" 600 "mode of $f.rrd"
done
assert_eq "$(stat -c %a "$A")" 700 "mode of the node's directory"
[ ! -e "$RRD/zz" ] || fail "a node that never answered has metrics: $(ls -l "$RRD/zz")"
ok "one RRD file per resource, interface and process (fs:/ as res-fs%3A%2F.rrd), mode 0600 in a 0700 directory; none for zz"
assert_eq "$(log_count "metrics: updates go through rrdcached at $DAEMON\$")" 1 "the log line for rrdcached"
wait_for 10 daemon_updated
ok "updates go through rrdcached ($(daemon_updates) received)"

info=$(rrdtool info "$A/res-memory.rrd")
assert_match "$info" '^step = 1$' "step of a file polled every second"
assert_match "$info" '^ds\[value\]\.type = "GAUGE"$' "data source of a resource"
assert_match "$info" '^rra\[0\]\.rows = 86400$' "a day of 1-second rows"
info=$(rrdtool info "$A/proc-web.rrd")
assert_match "$info" '^ds\[cpu\]\.type = "GAUGE"$' "cpu data source of a process"
assert_match "$info" '^ds\[rss\]\.type = "GAUGE"$' "rss data source of a process"
info=$(rrdtool info "$A/res-nic%3Alo.rrd")
assert_match "$info" '^ds\[rx\]\.type = "DERIVE"$' "rx data source of an interface"
assert_match "$info" '^ds\[tx\]\.type = "DERIVE"$' "tx data source of an interface"
ok "files laid out as documented (step 1 s, GAUGE, a day of single steps)"

# The newest values, flushed through the daemon, against what the store holds
# from the same polls.
wait_for 15 advanced "$A/res-memory.rrd" 0 --daemon "$DAEMON"
ctl --json status alpha >"$T/status.json"
mem=$(lastupdate "$A/res-memory.rrd" --daemon "$DAEMON")
web=$(lastupdate "$A/proc-web.rrd" --daemon "$DAEMON")
py '
d = json.load(open(sys.argv[1]))["nodes"][0]
mem = float(sys.argv[2].split()[1])
cpu, rss = (float(x) for x in sys.argv[3].split()[1:3])
m = [r for r in d["resources"] if r["name"] == "memory"][0]["value"]
w = [p for p in d["processes"] if p["name"] == "web"][0]
assert abs(mem - m) <= 5, ("memory", mem, m)
assert w["rss_kb"] > 0 and abs(rss - w["rss_kb"] * 1024) <= 0.2 * w["rss_kb"] * 1024, ("rss", rss, w["rss_kb"])
assert 0 <= cpu <= 100, ("cpu", cpu)
' "$T/status.json" "$mem" "$web" || fail "RRD values differ from the store's: memory '$mem', web '$web'"
fetched=$(rrdtool fetch --daemon "$DAEMON" "$A/res-cpu.rrd" AVERAGE -s -20s -e now)
echo "$fetched" | grep -Eq '^[0-9]+: [0-9]\.[0-9]+e[+-][0-9]+$' || fail "no cpu value fetched through rrdcached: $fetched"
# lo carries the polls themselves: its counters move, so its rate is above 0
lo_moving() {
	rrdtool fetch --daemon "$DAEMON" "$A/res-nic%3Alo.rrd" AVERAGE -s -20s -e now |
		grep -Eq '^[0-9]+: [1-9]\.[0-9]+e[+-][0-9]+ [1-9]\.[0-9]+e[+-][0-9]+$'
}
wait_for 15 lo_moving
ok "lastupdate/fetch through rrdcached: memory ${mem#* }, web (cpu rss) ${web#* } match the store; lo's traffic moves"

# --- shugoctl graph -------------------------------------------------------------

png_size() { # <file>: "W H" from the IHDR of a PNG, or fail
	py '
b = open(sys.argv[1], "rb").read(24)
assert b[:8] == b"\x89PNG\r\n\x1a\n", b[:8]
assert b[12:16] == b"IHDR"
print(*struct.unpack(">II", b[16:24]))' "$1"
}

out=$(ctl --json graph alpha memory --since -10m -o "$T/mem.png" --width 640 --height 240) ||
	fail "graph memory failed: $out"
py '
d = json.loads(sys.argv[1])
assert d["file"] == sys.argv[2] and d["node"] == "alpha" and d["metric"] == "memory", d
assert d["rrd"].endswith("/alpha/res-memory.rrd"), d
assert d["until_ms"] - d["since_ms"] == 600000, d
assert d["width"] == 640 and d["height"] == 240, d' "$out" "$T/mem.png" || fail "graph --json: $out"
assert_eq "$(png_size "$T/mem.png")" "640 240" "size of the memory graph"
ctl graph alpha proc:web -o "$T/web.png" --width 500 --height 200 >"$T/graph.out" ||
	fail "graph proc:web failed: $(cat "$T/graph.out")"
assert_match "$(cat "$T/graph.out")" "^$T/web.png: alpha proc:web from .* 500x200\$" "graph text output"
assert_eq "$(png_size "$T/web.png")" "500 200" "size of the process graph"
(cd "$T" && ctl graph alpha fs:/ --since -5m >/dev/null) || fail "graph fs:/ failed"
assert_eq "$(png_size "$T/alpha-fs%3A%2F.png")" "800 300" "default name and size of a graph"
ctl graph alpha nic:lo -o "$T/lo.png" --height 150 >/dev/null || fail "graph nic:lo failed"
assert_eq "$(png_size "$T/lo.png")" "800 150" "size of the interface graph"
ok "graph writes PNGs of the requested size (memory --json, proc:web, nic:lo, fs:/ by default name)"

expect_exit() { # <status> <stderr regex> <shugoctl args...>
	local want=$1 re=$2 rc=0
	shift 2
	ctl "$@" >"$T/ctl.out" 2>"$T/ctl.err" || rc=$?
	assert_eq "$rc" "$want" "exit status of shugoctl $*"
	assert_match "$(cat "$T/ctl.err")" "$re" "message of shugoctl $*"
}
expect_exit 2 "^shugoctl: no node 'nosuch' in $STORE\$" graph nosuch memory
expect_exit 2 "^shugoctl: graph: no metric 'nosuchres' for node 'alpha'" graph alpha nosuchres
expect_exit 2 "^shugoctl: graph: no metric 'proc:nope' for node 'alpha'" graph alpha proc:nope
expect_exit 2 "^shugoctl: graph: no metric 'nic:eth9' for node 'alpha' \(no $A/res-nic%3Aeth9.rrd\)\$" graph alpha nic:eth9
expect_exit 2 "no metric 'memory' for node 'zz'" graph zz memory
expect_exit 1 "^shugoctl: graph: --since 'yesterday-ish': " graph alpha memory --since yesterday-ish
assert_match "$(cat "$T/ctl.err")" '^usage: shugoctl ' "usage after a bad time"
expect_exit 1 "range ends before it starts" graph alpha memory --since now --until -1h
expect_exit 1 "expected NODE and NAME" graph alpha
expect_exit 1 "width '10'" graph alpha memory --width 10
ok "graph: unknown node or metric exit 2 naming it; a bad time or size exits 1"

# --- rrdcached killed, and back --------------------------------------------------

stop_pid "$RRDC_PID" KILL
wait_for 15 log_has "metrics: rrdcached at $DAEMON unreachable"
t0=$(last_time "$A/res-memory.rrd")
wait_for 15 advanced "$A/res-memory.rrd" "${t0:-0}"
t1=$(last_time "$A/res-memory.rrd")
wait_for 15 advanced "$A/res-memory.rrd" "$t1"
wait_for 15 advanced "$A/proc-web.rrd" "$t1"
pid_alive "$MANAGER_PID" || fail "the manager died with rrdcached"
node_state alpha up || fail "alpha is no longer up while rrdcached is away"
assert_eq "$(log_count "metrics: rrdcached at .* unreachable")" 1 "warnings for one outage"
ok "rrdcached killed: one warning, the files are written directly, alpha stays up"

rm -f "$RRD_SOCK"
start_rrdcached
# the manager tries again 5 s after the outage began, then 10 s later
wait_for 30 log_has "metrics: rrdcached at $DAEMON reachable again after [0-9]+ s"
wait_for 10 daemon_updated
assert_eq "$(log_count "reachable again")" 1 "notices for one recovery"
assert_eq "$(log_count "metrics: rrdcached at .* unreachable")" 1 "warnings after the recovery"
t2=$(last_time "$A/res-memory.rrd" --daemon "$DAEMON")
wait_for 15 advanced "$A/res-memory.rrd" "$t2" --daemon "$DAEMON"
ok "rrdcached back: one notice, updates go through it again"

# A daemon that hangs (stopped): the update that waits for it is given up
# after its deadline, and the manager writes directly, as for a dead one.
kill -STOP "$RRDC_PID"
wait_for 20 log_has "metrics: rrdcached at $DAEMON unreachable \(no answer in time\)"
t4=$(last_time "$A/res-memory.rrd")
wait_for 15 advanced "$A/res-memory.rrd" "${t4:-0}"
t5=$(last_time "$A/res-memory.rrd")
wait_for 15 advanced "$A/res-memory.rrd" "$t5"
node_state alpha up || fail "alpha is no longer up while rrdcached hangs"
assert_eq "$(log_count "metrics: rrdcached at .* unreachable")" 2 "warnings for two outages"
kill -CONT "$RRDC_PID"
back_twice() {
	[ "$(log_count "reachable again")" -eq 2 ]
}
wait_for 30 back_twice
ok "rrdcached stopped: given up after its deadline, the files are written directly, alpha stays up; back after CONT"

stop_pid "$MANAGER_PID" TERM
assert_eq "$STOP_STATUS" 0 "the manager's exit status"

# --- without a daemon: librrd directly ------------------------------------------

RRD2="$T/rrd-direct"
write_config "{dir: $RRD2}"
start_manager
wait_for 20 test -f "$RRD2/alpha/proc-web.rrd"
wait_for 10 test -f "$RRD2/alpha/res-memory.rrd"
t3=$(last_time "$RRD2/alpha/res-memory.rrd")
wait_for 15 advanced "$RRD2/alpha/res-memory.rrd" "${t3:-0}"
wait_for 15 advanced "$RRD2/alpha/proc-web.rrd" "${t3:-0}"
assert_eq "$(stat -c %a "$RRD2")" 700 "mode of the rrd directory the manager made"
assert_eq "$(stat -c %a "$RRD2/alpha/res-cpu.rrd")" 600 "mode of a file librrd made"
log_has "metrics: RRD files in $RRD2, written directly \(no rrdcached configured\)" ||
	fail "no log line for direct writes"
ctl graph alpha cpu -o "$T/cpu.png" >/dev/null || fail "graph without a daemon failed"
assert_eq "$(png_size "$T/cpu.png")" "800 300" "size of a graph drawn without a daemon"
ok "without rrdcached the manager creates and updates the files with librrd; graph draws them"

# A reload with metrics off.
write_config "{dir: $RRD2, enabled: false}"
kill -HUP "$MANAGER_PID"
wait_for 10 log_has "metrics: off \(manager.rrd.enabled is false\)"
stop_pid "$MANAGER_PID" TERM
assert_eq "$STOP_STATUS" 0 "the manager's exit status"
if grep -E "Sanitizer|runtime error" "$MLOG"; then
	fail "a sanitizer reported an error"
fi
ok "a reload turns metrics off"
