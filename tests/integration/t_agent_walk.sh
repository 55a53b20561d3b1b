#!/bin/bash
# What the agent serves, read by MIB name through snmpd: the node scalars, one
# supervised and one watched process definition with their instances, the
# resources and a NIC; and the index order of name-indexed tables (length
# first, as for any non-IMPLIED string index), and noSuchInstance for a row
# that does not exist.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start_snmpd

# Three instances of a watched process, started here under a name no other
# test uses: argv[0] is the tag, so the cmdline is "<tag> 300".
tag="shugo-tw$$"
watched=()
for _ in 1 2 3; do
	bash -c "exec -a $tag sleep 300" </dev/null >/dev/null 2>&1 &
	track_pid $! "$tag"
	watched+=("$!")
done
mapfile -t watched < <(printf '%s\n' "${watched[@]}" | sort -n)
has_tag() { grep -q "^$tag" "/proc/$1/cmdline"; }
for p in "${watched[@]}"; do
	wait_for 5 has_tag "$p"
done

# "web" sorts before "a-workers" (shorter), though not in byte order.
{
	# No notification target: this test reads, it does not listen.
	# shellcheck disable=SC2119
	agent_config
	cat <<EOF
processes:
  - name: a-workers
    match: {cmdline: "^$tag "}
    min: 2
    max: 4
  - name: web
    command: [/bin/sleep, "300"]
resources:
  filesystems: [{path: /}]
  nics: [{name: lo}]
EOF
} >"$T/shugo.yaml"
start_agent walknode

# --- shugoNode ---------------------------------------------------------------

swalk SHUGO-MIB::shugoNode >"$T/node.walk" || fail "walk of shugoNode failed"
node_val() {
	sed -n "s/^SHUGO-MIB::$1\.0 = [A-Za-z0-9]*: //p" "$T/node.walk"
}
assert_eq "$(node_val shugoNodeName)" walknode "shugoNodeName"
assert_eq "$(node_val shugoNodeBootCount)" 1 "shugoNodeBootCount"
assert_match "$(node_val shugoNodeVersion)" '^[0-9]+\.[0-9]+' "shugoNodeVersion"
assert_eq "$(node_val shugoNodeConfigLoads)" 1 "shugoNodeConfigLoads"
assert_eq "$(node_val shugoNodeConfigErrors)" 0 "shugoNodeConfigErrors"
assert_eq "$(node_val shugoNodeConfigStatus)" ok "shugoNodeConfigStatus"
assert_eq "$(node_val shugoNodeManagedProcs)" 1 "shugoNodeManagedProcs"
assert_eq "$(node_val shugoNodeAgentxReconnects)" 1 "shugoNodeAgentxReconnects"
assert_match "$(node_val shugoNodeNotifSeq)" '^[1-9][0-9]*$' "shugoNodeNotifSeq"
n=$(grep -c '^SHUGO-MIB::shugoNode[A-Za-z]*\.0 = ' "$T/node.walk")
assert_eq "$n" 18 "scalars in shugoNode"
ok "shugoNode: 18 scalars, name walknode, boot 1, one managed process"

# --- shugoProcTable ----------------------------------------------------------

instances() { # <name> <n>
	[ "$(snum "SHUGO-MIB::shugoProcInstances.\"$1\"")" = "$2" ]
}
wait_for 10 instances a-workers 3
wait_for 10 instances web 1
swalk -OQ SHUGO-MIB::shugoProcTable >"$T/proc.walk" || fail "walk of shugoProcTable failed"
proc_val() { # <column> <name>
	sed -n "s/^SHUGO-MIB::$1\.\"$2\" = //p" "$T/proc.walk"
}
assert_eq "$(proc_val shugoProcKind web)" supervised "shugoProcKind.web"
assert_eq "$(proc_val shugoProcKind a-workers)" watched "shugoProcKind.a-workers"
assert_eq "$(proc_val shugoProcCommand web)" "/bin/sleep 300" "shugoProcCommand.web"
assert_eq "$(proc_val shugoProcCommand a-workers)" "cmdline ^$tag " "shugoProcCommand.a-workers"
assert_eq "$(proc_val shugoProcRestartPolicy web)" onFailure "shugoProcRestartPolicy.web"
assert_eq "$(proc_val shugoProcRestartPolicy a-workers)" notApplicable "shugoProcRestartPolicy.a-workers"
assert_eq "$(proc_val shugoProcMinCount a-workers)" "2 processes" "shugoProcMinCount.a-workers"
assert_eq "$(proc_val shugoProcMaxCount a-workers)" "4 processes" "shugoProcMaxCount.a-workers"
assert_eq "$(proc_val shugoProcState a-workers)" running "shugoProcState.a-workers"
assert_eq "$(proc_val shugoProcDesiredState web)" running "shugoProcDesiredState.web"
assert_eq "$(proc_val shugoProcLastEnd web)" none "shugoProcLastEnd.web"
assert_eq "$(proc_val shugoProcRestarts web)" 0 "shugoProcRestarts.web"
n=$(grep -c '^SHUGO-MIB::shugoProc[A-Za-z]*\."web" = ' "$T/proc.walk")
assert_eq "$n" 17 "columns of the web row"
running() { [ "$(snum 'SHUGO-MIB::shugoProcState."web"')" = 1 ]; }
wait_for 10 running
ok "shugoProcTable: web (supervised, running) and a-workers (watched, 3 instances)"

# --- shugoProcInstTable ------------------------------------------------------

mapfile -t got < <(inst_pids a-workers)
assert_eq "${got[*]}" "${watched[*]}" "instances of a-workers"
for p in "${watched[@]}"; do
	assert_eq "$(sval "SHUGO-MIB::shugoProcInstCmdline.\"a-workers\".$p")" "$tag 300" "cmdline of $p"
	assert_eq "$(snum "SHUGO-MIB::shugoProcInstPpid.\"a-workers\".$p")" "$$" "ppid of $p"
	assert_eq "$(snum "SHUGO-MIB::shugoProcInstState.\"a-workers\".$p")" 2 "state of $p, sleeping(2)"
done
ok "shugoProcInstTable lists the 3 watched instances ${watched[*]} with their cmdline"

children=$(pgrep -P "$AGENT_PID")
assert_match "$children" '^[0-9]+$' "children of the agent"
assert_eq "$(inst_pids web)" "$children" "instance of web"
assert_eq "$(snum "SHUGO-MIB::shugoProcInstPpid.\"web\".$children")" "$AGENT_PID" "shugoProcInstPpid of web"
assert_eq "$(sval "SHUGO-MIB::shugoProcInstCmdline.\"web\".$children")" "/bin/sleep 300" "cmdline of web"
rss=$(snum "SHUGO-MIB::shugoProcInstRss.\"web\".$children")
[ "$rss" -gt 0 ] || fail "shugoProcInstRss of web is $rss"
ok "web's instance is pid $children, the agent's only child"

# --- shugoResTable and shugoNicTable -----------------------------------------

# The CPU needs two samples before it has a value.
known() { [ "$(snum 'SHUGO-MIB::shugoResState."cpu"')" != 4 ]; }
wait_for 5 known
swalk -OQe SHUGO-MIB::shugoResState >"$T/res.walk" || fail "walk of shugoResState failed"
names=$(sed -n 's/^SHUGO-MIB::shugoResState\."\([^"]*\)" = .*/\1/p' "$T/res.walk" | tr '\n' ' ')
assert_eq "$names" "cpu fs:/ load swap memory " "shugoResTable rows in index order"
while read -r line; do
	assert_match "$line" ' = [123]$' "a resource state is ok(1), warning(2) or critical(3)"
done <"$T/res.walk"
assert_eq "$(snum 'SHUGO-MIB::shugoResType."fs:/"')" 5 "shugoResType.fs:/, filesystem(5)"
assert_eq "$(snum 'SHUGO-MIB::shugoResType."memory"')" 2 "shugoResType.memory"
assert_eq "$(snum 'SHUGO-MIB::shugoResWarning."cpu"')" 8500 "default cpu warning"
assert_eq "$(snum 'SHUGO-MIB::shugoResCritical."swap"')" 8000 "default swap critical"
# The root filesystem's use, in hundredths, against df's percentage.
used=$(df -P / | awk 'NR == 2 { sub(/%/, "", $5); print $5 }')
# ShugoHundredths displays as "16.64": back to hundredths.
value=$(snum 'SHUGO-MIB::shugoResValue."fs:/"')
assert_match "$value" '^[0-9]*\.[0-9][0-9]$' "shugoResValue.fs:/"
value=${value/./}
value=$((10#${value:-0}))
diff=$((value / 100 - used))
[ "${diff#-}" -le 1 ] || fail "shugoResValue.fs:/ is $value hundredths, df says $used %"
ok "shugoResTable: cpu, fs:/, load, swap, memory in index order, states valid, fs:/ at $value"

assert_eq "$(snum 'SHUGO-MIB::shugoNicIfIndex."lo"')" "$(cat /sys/class/net/lo/ifindex)" "shugoNicIfIndex.lo"
assert_eq "$(snum 'SHUGO-MIB::shugoNicIfIndex."lo"')" 1 "shugoNicIfIndex.lo"
assert_eq "$(snum 'SHUGO-MIB::shugoNicLink."lo"')" 1 "shugoNicLink.lo, up(1)"
assert_eq "$(snum 'SHUGO-MIB::shugoNicStallAfter."lo"')" 30 "shugoNicStallAfter.lo"
# Our own queries cross lo, so it is never silent.
nic_ok() { [ "$(snum 'SHUGO-MIB::shugoNicState."lo"')" = 1 ]; }
wait_for 5 nic_ok
rx=$(snum 'SHUGO-MIB::shugoNicRxPackets."lo"')
[ "$rx" -gt 0 ] || fail "shugoNicRxPackets.lo is $rx"
ok "shugoNicTable: lo is up, ifIndex 1, ok, $rx packets received"

# --- index order, missing rows -----------------------------------------------

next=$(sgetnext -On SHUGO-MIB::shugoProcKind)
assert_eq "${next%% =*}" "$(oid 'SHUGO-MIB::shugoProcKind."web"')" "GETNEXT of shugoProcKind"
next=$(sgetnext -On 'SHUGO-MIB::shugoProcKind."web"')
assert_eq "${next%% =*}" "$(oid 'SHUGO-MIB::shugoProcKind."a-workers"')" "GETNEXT after web"
next=$(sgetnext -On 'SHUGO-MIB::shugoProcKind."a-workers"')
assert_eq "${next%% =*}" "$(oid 'SHUGO-MIB::shugoProcCommand."web"')" "GETNEXT after the last row"
next=$(sgetnext -On 'SHUGO-MIB::shugoResType."fs:/"')
assert_eq "${next%% =*}" "$(oid 'SHUGO-MIB::shugoResType."load"')" "GETNEXT after fs:/"
# An index between two rows: "zz" (2) sorts before "web" (3).
next=$(sgetnext -On 'SHUGO-MIB::shugoProcKind."zz"')
assert_eq "${next%% =*}" "$(oid 'SHUGO-MIB::shugoProcKind."web"')" "GETNEXT of a missing name"
ok "GETNEXT follows the index order: shorter names first"

for o in 'SHUGO-MIB::shugoProcState."nosuch"' 'SHUGO-MIB::shugoResValue."fs:/nosuch"' \
	'SHUGO-MIB::shugoNicState."eth99"' 'SHUGO-MIB::shugoProcInstCmdline."web".1' \
	'SHUGO-MIB::shugoProcInstCmdline."nosuch".1'; do
	out=$(sget "$o") || fail "GET $o failed: $out"
	assert_match "$out" 'No Such Instance currently exists' "GET $o"
done
# The index column itself is not-accessible: no such object at all.
out=$(sget "SHUGO-MIB::shugoProcInstPid.\"web\".$children")
assert_match "$out" 'No Such Object available' "GET of not-accessible shugoProcInstPid"
ok "GET of a missing row answers noSuchInstance"
