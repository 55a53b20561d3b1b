#!/bin/bash
# The demo cluster on loopback: two nodes (demo1, demo2), each with a private
# snmpd (AgentX master) and shugo-agent, plus shugo-trapd and shugo-manager on
# demo1 keeping the central log and the cluster view. Everything lives in one
# directory and stops with Ctrl-C. Usage: run-demo.sh <builddir> [demo-dir]
set -euo pipefail

builddir=$(cd "${1:?usage: run-demo.sh <builddir> [demo-dir]}" && pwd)
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${2:-$builddir/demo}
rm -rf "$DIR"
mkdir -p "$DIR/demo1" "$DIR/demo2"
chmod 700 "$DIR" "$DIR/demo1" "$DIR/demo2"

free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
declare -A PORT=([demo1]=$(free_port) [demo2]=$(free_port))
TRAPD_PORT=$(free_port)
WEB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MIBDIRS="$srcdir/mibs:$(ls -d /usr/lib/erlang/lib/snmp-*/mibs | head -n1)"
export MIBDIRS MIBS=SNMPv2-MIB:SHUGO-MIB:SHUGO-MANAGER-MIB

pids=()
cleanup() {
	trap - EXIT INT TERM
	echo
	echo "stopping the demo ..."
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "demo stopped; its files stay in $DIR"
}
trap cleanup EXIT INT TERM

for node in demo1 demo2; do
	cat >"$DIR/$node/snmpd.conf" <<CONF
master agentx
agentXSocket $DIR/$node/agentx.sock
agentXPerms 0600 0700
rocommunity shugodemo 127.0.0.1
createUser demoadmin SHA-256 demo-auth-secret AES demo-priv-secret
rwuser -s usm demoadmin priv
CONF
	sed -e "s|@DIR@|$DIR|g" -e "s|@NODE@|$node|g" -e "s|@SNMPD1_PORT@|${PORT[demo1]}|g" \
		-e "s|@SNMPD2_PORT@|${PORT[demo2]}|g" -e "s|@TRAPD_PORT@|$TRAPD_PORT|g" \
		-e "s|@WEB_PORT@|$WEB_PORT|g" "$srcdir/contrib/demo/demo.yaml.in" >"$DIR/$node.yaml"
	"$builddir/agent/shugo-agent" -n -c "$DIR/$node.yaml" -N "$node"
done
cat >"$DIR/page.sh" <<PAGE
#!/bin/sh
# The demo's "pager": routing runs it with the event in SHUGO_* variables.
printf '%s %-8s %-6s %-20s %-14s %s%s\n' "\$SHUGO_OCCURRED" "\$SHUGO_SEVERITY" "\$SHUGO_NODE" \
	"\$SHUGO_TYPE" "\$SHUGO_OBJECT" "\$SHUGO_STATE: \$SHUGO_DETAIL" \
	"\$([ "\$SHUGO_SNAPSHOT" = 1 ] && echo ' (current state)')" >>"$DIR/pages.txt"
PAGE
chmod 0755 "$DIR/page.sh"
# programs for shugoctl exec: one that reports where it ran, one that fails
mkdir -p "$DIR/bin"
cat >"$DIR/bin/report" <<'PROG'
#!/bin/sh
echo "report: $(hostname), args: $*"
sleep 2
PROG
printf '#!/bin/sh
echo "this job fails"
exit 4
' >"$DIR/bin/failing"
chmod 0755 "$DIR/bin/report" "$DIR/bin/failing"
: >"$DIR/pages.txt"
"$builddir/manager/shugo-manager" -n -c "$DIR/demo1.yaml" -N demo1
"$builddir/trapd/shugo-trapd" -n -c "$DIR/demo1.yaml" -N demo1

for node in demo1 demo2; do
	SNMP_PERSISTENT_DIR=$DIR/$node/snmpd-state MIBS= /usr/sbin/snmpd -f -Lf "$DIR/$node/snmpd.log" -C \
		-c "$DIR/$node/snmpd.conf" "udp:127.0.0.1:${PORT[$node]}" &
	pids+=($!)
done
"$builddir/trapd/shugo-trapd" -f -c "$DIR/demo1.yaml" -N demo1 2>"$DIR/trapd.log" &
pids+=($!)
for w in 1 2; do
	bash -c 'exec -a shugo-demo-worker sleep 86400' &
	pids+=($!)
done
for node in demo1 demo2; do
	"$builddir/agent/shugo-agent" -f -c "$DIR/$node.yaml" -N "$node" 2>"$DIR/$node/agent.log" &
	pids+=($!)
done
"$builddir/manager/shugo-manager" -f -c "$DIR/demo1.yaml" -N demo1 2>"$DIR/manager.log" &
pids+=($!)

q1="snmpwalk -v2c -c shugodemo 127.0.0.1:${PORT[demo1]}"
q2="snmpwalk -v2c -c shugodemo 127.0.0.1:${PORT[demo2]}"
ctl="$builddir/manager/shugoctl --store $DIR/store.db"
for _ in $(seq 1 100); do
	$q1 shugoMgrNodeState 2>/dev/null | grep -q 'up(2)' && break
	sleep 0.1
done
cat <<TXT

Shugo demo is running in $DIR
  demo1  snmpd udp:127.0.0.1:${PORT[demo1]} (community shugodemo, read-only): shugo-agent, shugo-manager
  demo2  snmpd udp:127.0.0.1:${PORT[demo2]}: shugo-agent
  shugo-trapd  udp:127.0.0.1:$TRAPD_PORT   central log and cluster view in $DIR/store.db
  logs: $DIR/demo1/agent.log, $DIR/demo2/agent.log, $DIR/trapd.log, $DIR/manager.log

In another terminal, with the same MIB environment:
  export MIBDIRS=$MIBDIRS MIBS=$MIBS

  $ctl status                   # the cluster: nodes, processes, alarms
  $ctl status demo1             # one node in detail
  $ctl log -n 20                # the central log, in order of occurrence
  $ctl deliveries               # what routing did with it
  tail -f $DIR/pages.txt   # what the 'oncall' route paged
  $ctl graph demo1 cpu --since -10m -o $DIR/cpu.png   # a PNG from the RRD files
  $ctl exec -n demo2,demo1 report now   # run a program on demo2 (else demo1), wait for its end
  $ctl exec --all failing       # on every node at once: one result per node, exit 3
  $ctl requests                 # what was run where, and how it ended
  $q1 shugoMgrNodeTable    # the same through SNMP (SHUGO-MANAGER-MIB)
  $q1 shugoProcTable       # an agent's own view (SHUGO-MIB)
  $q2 shugoProcInstTable

Things to try:
  kill -9 \$(pgrep -f 'http.server $WEB_PORT')
      -> shugoProcExited, shugoProcAlarm (backoff) then shugoProcClear (running) on demo1
  pkill -f shugo-demo-worker
      -> shugoProcAlarm tooFew for "workers" (2 expected)
  'flaky' exits 3 every 2 s: after 3 restarts within 60 s it is failed (critical alarm)
  kill -STOP \$(pgrep -f 'shugo-agent.*-N demo2')   (and later -CONT)
      -> shugoMgrNodeDown for demo2 after 6 s without an answer; shugoMgrNodeRestored after -CONT

The central log as it grows (Ctrl-C stops the demo):
TXT
$ctl log -n 50 -f &
pids+=($!)
wait "${pids[@]}" 2>/dev/null || true
