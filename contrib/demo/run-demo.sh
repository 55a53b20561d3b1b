#!/bin/bash
# The demo cluster: a private snmpd (AgentX master) and snmptrapd on loopback,
# and shugo-agent supervising a few sample processes. Everything lives in one
# directory and stops with Ctrl-C. Usage: run-demo.sh <builddir> [demo-dir]
set -euo pipefail

builddir=$(cd "${1:?usage: run-demo.sh <builddir> [demo-dir]}" && pwd)
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${2:-$builddir/demo}
rm -rf "$DIR"
mkdir -p "$DIR"
chmod 700 "$DIR"

free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
SNMPD_PORT=$(free_port)
TRAPD_PORT=$(free_port)
WEB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MIBDIRS="$srcdir/mibs:$(ls -d /usr/lib/erlang/lib/snmp-*/mibs | head -n1)"
export MIBDIRS MIBS=SNMPv2-MIB:SHUGO-MIB

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

cat >"$DIR/snmpd.conf" <<CONF
master agentx
agentXSocket $DIR/agentx.sock
agentXPerms 0600 0700
rocommunity shugodemo 127.0.0.1
CONF
cat >"$DIR/snmptrapd.conf" <<CONF
authCommunity log shugodemo
format2 %V\n%v\n\n
CONF
sed -e "s|@DIR@|$DIR|g" -e "s|@SNMPD_PORT@|$SNMPD_PORT|g" -e "s|@TRAPD_PORT@|$TRAPD_PORT|g" \
	-e "s|@WEB_PORT@|$WEB_PORT|g" "$srcdir/contrib/demo/demo.yaml.in" >"$DIR/shugo.yaml"

"$builddir/agent/shugo-agent" -n -c "$DIR/shugo.yaml" -N demo1

SNMP_PERSISTENT_DIR=$DIR/snmpd-state MIBS= /usr/sbin/snmpd -f -Lf "$DIR/snmpd.log" -C -c "$DIR/snmpd.conf" \
	udp:127.0.0.1:$SNMPD_PORT &
pids+=($!)
SNMP_PERSISTENT_DIR=$DIR/trapd-state /usr/sbin/snmptrapd -f -Lf "$DIR/traps.log" -C -c "$DIR/snmptrapd.conf" \
	-m SNMPv2-MIB:SHUGO-MIB -M "$MIBDIRS" udp:127.0.0.1:$TRAPD_PORT &
pids+=($!)
for w in 1 2; do
	bash -c 'exec -a shugo-demo-worker sleep 86400' &
	pids+=($!)
done
"$builddir/agent/shugo-agent" -f -c "$DIR/shugo.yaml" -N demo1 2>"$DIR/agent.log" &
pids+=($!)

q="snmpwalk -v2c -c shugodemo 127.0.0.1:$SNMPD_PORT"
for _ in $(seq 1 100); do
	$q shugoNodeName >/dev/null 2>&1 && break
	sleep 0.1
done
cat <<TXT

Shugo demo is running in $DIR
  snmpd (AgentX master)  udp:127.0.0.1:$SNMPD_PORT   community shugodemo (read-only)
  snmptrapd              udp:127.0.0.1:$TRAPD_PORT   log: $DIR/traps.log
  shugo-agent            log: $DIR/agent.log

In another terminal, with the same MIB environment:
  export MIBDIRS=$MIBDIRS MIBS=$MIBS

  $q shugoProcTable            # definitions and states
  $q shugoProcInstTable        # every running instance
  $q shugoResTable             # cpu, memory, swap, load, fs:/
  $q shugoAlarmTable           # current alarms
  $q shugoNotifLogTable        # the notification log

Things to try:
  kill -9 \$(pgrep -f 'http.server $WEB_PORT')
      -> shugoProcAlarm (backoff) then shugoProcClear (running) below, restarts counted
  pkill -f shugo-demo-worker
      -> shugoProcAlarm tooFew for "workers" (2 expected)
  'flaky' exits 3 every 2 s: after 3 restarts within 60 s it is failed (critical alarm)

Notifications as snmptrapd receives them (Ctrl-C stops the demo):
TXT
tail -n +1 -F "$DIR/traps.log" &
pids+=($!)
wait "${pids[@]}" 2>/dev/null || true
