#!/bin/bash
# shugo-agent -n checks a configuration file without starting anything: a good
# file exits 0 and says ok; a bad one exits 1 with "FILE:LINE: problem" on
# stderr, LINE pointing at the value, key or entry at fault.
# make check runs tests with $(SHELL), which may be dash: switch to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$AGENT_BIN" ] || fail "$AGENT_BIN is not built"

# check <file> [args]: run the check; sets RC, OUT (stdout) and ERR (stderr).
check() {
	local f=$1
	shift
	RC=0
	"$AGENT_BIN" -n -c "$f" -N alpha "$@" >"$T/out" 2>"$T/err" || RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# expect_error <name> <line> <message-regex>: $T/<name>.yaml is rejected at
# that line with a message matching the regex, on stderr and nothing else.
expect_error() {
	local f="$T/$1.yaml"
	check "$f"
	assert_eq "$RC" 1 "exit status for $1"
	assert_eq "$OUT" "" "stdout for $1"
	assert_eq "$(printf '%s\n' "$ERR" | wc -l)" 1 "lines on stderr for $1"
	case $ERR in
	"$f:$2: "*) ;;
	*) fail "$1: stderr does not start with '$f:$2: ': $ERR" ;;
	esac
	assert_match "${ERR#"$f:$2: "}" "$3" "message for $1"
	ok "$1: exit 1, $f:$2: ${ERR#"$f:$2: "}"
}

# --- a good file -------------------------------------------------------------

cat >"$T/good.yaml" <<EOF
cluster:
  name: test
  nodes:
    - {name: alpha, address: "udp:127.0.0.1:161"}
    - {name: beta, address: "udp:127.0.0.2:161"}
agent:
  agentx_socket: $T/agentx.sock
  state_dir: $T/never-created
  sample_interval: 500ms
snmp:
  users:
    - {name: admin, auth: SHA-256, auth_password: "auth secret", priv: AES, priv_password: "priv secret"}
notify:
  targets:
    - {name: manager, address: "udp:127.0.0.1:162", type: inform, version: 3, user: admin}
    - {name: nms, address: "udp:127.0.0.1:1162", type: trap, version: 2c, community: public}
processes:
  - name: web
    command: [/bin/sleep, "300"]
    restart: always
    damping: {restarts: 3, window: 30s}
  - name: betaonly
    nodes: [beta]
    command: /bin/sleep 300
  - name: workers
    match: {cmdline: "^worker [0-9]+$"}
    min: 2
    max: 4
resources:
  cpu: {warning: 80, critical: 90, hysteresis: 5}
  swap: off
  filesystems:
    - {path: /, warning: 85.5, critical: 95}
  nics:
    - {name: lo, stall_after: 10s}
EOF
check "$T/good.yaml"
assert_eq "$RC" 0 "exit status for the good file"
assert_eq "$ERR" "" "stderr for the good file"
case $OUT in
"$T/good.yaml: ok"*) ;;
*) fail "stdout for the good file: $OUT" ;;
esac
# This node's entries only: betaonly is for beta; swap is off.
assert_match "$OUT" "node alpha: 2 processes, 4 resources, 1 nics, 0 log watches, 2 notification targets" "summary"
[ ! -e "$T/never-created" ] || fail "the check created the state directory"
[ ! -e "$T/agentx.sock" ] || fail "the check touched the AgentX socket"
ok "a good file: exit 0, '$OUT', nothing created"

check "$T/good.yaml" -N gamma
assert_eq "$RC" 1 "exit status for a node not in cluster.nodes"
assert_match "$ERR" "^$T/good.yaml:1: node 'gamma' is not in cluster.nodes" "node not in cluster.nodes"
ok "the same file for node gamma: $ERR"

# --- bad files ---------------------------------------------------------------

cat >"$T/unknown-key.yaml" <<'EOF'
agent:
  sample_interval: 1s
  queue_limit: 100
  restrat: always
EOF
expect_error unknown-key 4 "unknown key 'restrat' in agent"

cat >"$T/bad-restart.yaml" <<'EOF'
processes:
  - name: web
    command: [/bin/sleep, "300"]
  - name: api
    command: [/bin/sleep, "300"]
    restart: sometimes
    backoff: 1s
EOF
expect_error bad-restart 6 "processes\[1\] 'api': unknown restart policy 'sometimes'"

cat >"$T/warn-above-crit.yaml" <<'EOF'
resources:
  cpu: {warning: 80, critical: 90}
  memory:
    warning: 96
    hysteresis: 2
EOF
# memory's critical stays at its default 95: the conflict is the entry's.
expect_error warn-above-crit 3 "resources\.memory: warning \(96\) is above critical \(95\)"

cat >"$T/fs-warn-above-crit.yaml" <<'EOF'
resources:
  filesystems:
    - {path: /, warning: 50, critical: 60}
    - path: /var
      warning: 70
      critical: 60.5
EOF
expect_error fs-warn-above-crit 4 "resources\.filesystems\[1\] '/var': warning \(70\) is above critical \(60\.5\)"

cat >"$T/duplicate.yaml" <<'EOF'
processes:
  - name: web
    command: [/bin/sleep, "300"]
  - name: workers
    match: {exe: /usr/bin/python3}
  - name: web
    command: [/bin/sleep, "301"]
EOF
expect_error duplicate 6 "duplicate process name 'web' \(first at line 2\)"

cat >"$T/syntax.yaml" <<'EOF'
agent:
  sample_interval: 1s
  queue_limit: 100: 200
  max_processes: 10
EOF
expect_error syntax 3 "^YAML syntax error"

printf 'agent:\n  sample_interval: 1s\n\tqueue_limit: 100\n' >"$T/tab.yaml"
expect_error tab 3 "^YAML syntax error"

cat >"$T/duplicate-key.yaml" <<'EOF'
agent:
  queue_limit: 100
  sample_interval: 1s
  queue_limit: 200
EOF
expect_error duplicate-key 4 "agent: duplicate key 'queue_limit' \(first at line 2\)"

cat >"$T/range.yaml" <<'EOF'
cluster:
  name: x
agent:
  sample_interval: 50ms
EOF
expect_error range 4 "agent: sample_interval: '50ms' is out of range"

# --- a missing file ----------------------------------------------------------

check "$T/missing.yaml"
assert_eq "$RC" 1 "exit status for a missing file"
assert_eq "$OUT" "" "stdout for a missing file"
case $ERR in
"$T/missing.yaml: "*) ;;
*) fail "stderr for a missing file: $ERR" ;;
esac
assert_match "$ERR" "No such file" "message for a missing file"
ok "a missing file: exit 1, $ERR"
