#!/bin/bash
# Build-and-test steps shared by CI (.ci/run) and `./quickstart test`, so both
# run exactly the same commands. Source this file (bash), then call:
#   shugo_install_deps                 Debian packages, installed only if missing
#   shugo_bootstrap                    autoreconf -fi in the source tree
#   shugo_build <builddir> [configure args...]   out-of-tree configure + make
#   shugo_check <builddir>             make check; prints test-suite.log on failure
#   shugo_summary <builddir>...        "ci: N passed, N failed, N skipped, N xfail"
#   shugo_test_all                     the whole suite: -Werror build, then sanitizers
# Every function returns non-zero on failure and leaves the caller's shell
# options alone, so it works with and without `set -e`.

SHUGO_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHUGO_JOBS=${SHUGO_JOBS:-2}

SHUGO_DEB_PACKAGES="build-essential autoconf automake libtool pkg-config
	libsnmp-dev snmpd snmp snmptrapd libpcap-dev librrd-dev rrdtool rrdcached
	libcunit1-dev libsqlite3-dev sqlite3 libyaml-dev libssl-dev smitools erlang-snmp
	iproute2 python3 procps"

_shugo_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Install the missing packages. Services that come with them (snmpd,
# snmptrapd, rrdcached) are kept from starting during the install when nothing
# else decides that already: tests run their own daemons on their own ports,
# and a service the user runs is never stopped or reconfigured.
shugo_install_deps() {
	local p missing=() sudo=() rc=0 policy=

	command -v dpkg-query >/dev/null 2>&1 || {
		echo "ci: not a Debian system; install by hand: $SHUGO_DEB_PACKAGES" >&2
		return 1
	}
	for p in $SHUGO_DEB_PACKAGES; do
		_shugo_installed "$p" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "ci: all build and test packages are installed"
		return 0
	fi
	echo "ci: installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "ci: not root and no sudo; install: ${missing[*]}" >&2
			return 1
		}
		sudo=(sudo)
	fi
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\n# shugo ci: no service starts during package installation\nexit 101\n' |
			"${sudo[@]}" tee "$policy" >/dev/null &&
			"${sudo[@]}" chmod 0755 "$policy" || return 1
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || rc=$?
	if [ "$rc" -eq 0 ]; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=$?
	fi
	[ -z "$policy" ] || "${sudo[@]}" rm -f "$policy"
	[ "$rc" -eq 0 ] || echo "ci: package installation failed" >&2
	return "$rc"
}

shugo_bootstrap() {
	echo "ci: autoreconf -fi in $SHUGO_SRCDIR"
	(cd "$SHUGO_SRCDIR" && autoreconf -fi)
}

# shugo_build <builddir> [configure args...]: a relative builddir is taken
# from the top of the source tree.
shugo_build() {
	local dir=${1:?shugo_build: build directory}
	shift
	case $dir in /*) ;; *) dir="$SHUGO_SRCDIR/$dir" ;; esac
	if [ ! -x "$SHUGO_SRCDIR/configure" ]; then
		shugo_bootstrap || return 1
	fi
	mkdir -p "$dir" || return 1
	echo "ci: configure $* in $dir"
	(cd "$dir" && "$SHUGO_SRCDIR/configure" "$@") || return 1
	echo "ci: make -j$SHUGO_JOBS in $dir"
	make -C "$dir" -j"$SHUGO_JOBS"
}

shugo_check() {
	local dir=${1:?shugo_check: build directory}
	case $dir in /*) ;; *) dir="$SHUGO_SRCDIR/$dir" ;; esac
	echo "ci: make -j$SHUGO_JOBS check in $dir"
	if make -C "$dir" -j"$SHUGO_JOBS" check; then
		return 0
	fi
	if [ -f "$dir/test-suite.log" ]; then
		echo "---- $dir/test-suite.log"
		cat "$dir/test-suite.log"
	fi
	return 1
}

# Totals over the automake test-suite.log of each build directory given.
# XPASS and ERROR count as failures, as automake does; SKIP is never a pass.
shugo_summary() {
	local dir f key n pass=0 fail=0 skip=0 xfail=0 nolog=0
	for dir in "$@"; do
		case $dir in /*) ;; *) dir="$SHUGO_SRCDIR/$dir" ;; esac
		f="$dir/test-suite.log"
		if [ ! -f "$f" ]; then
			nolog=$((nolog + 1))
			continue
		fi
		while read -r _ key n; do
			case $key in
			PASS:) pass=$((pass + n)) ;;
			SKIP:) skip=$((skip + n)) ;;
			XFAIL:) xfail=$((xfail + n)) ;;
			FAIL: | ERROR: | XPASS:) fail=$((fail + n)) ;;
			esac
		done < <(grep -E '^# (PASS|SKIP|XFAIL|FAIL|XPASS|ERROR): +[0-9]+$' "$f")
	done
	local line="ci: $pass passed, $fail failed, $skip skipped, $xfail expected failures"
	[ "$nolog" -eq 0 ] || line="$line; $nolog build(s) produced no test-suite.log"
	echo "$line"
	[ "$fail" -eq 0 ] && [ "$nolog" -eq 0 ]
}

# The whole test suite, as `./quickstart test` and CI run it: a -Werror build
# and `make check` in build/ci, then the same under AddressSanitizer + UBSan in
# build/ci-san (SHUGO_CI_SANITIZERS=0 leaves that out), then the totals.
shugo_test_all() {
	local status=0 dirs=(build/ci)

	shugo_bootstrap || return 1
	if shugo_build build/ci --enable-werror; then
		shugo_check build/ci || status=1
	else
		echo "ci: build/ci failed to build" >&2
		status=1
	fi
	if [ "${SHUGO_CI_SANITIZERS:-1}" != 0 ]; then
		dirs+=(build/ci-san)
		(
			export ASAN_OPTIONS=detect_leaks=1
			export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
			export LSAN_OPTIONS=suppressions=$SHUGO_SRCDIR/tests/lsan.supp:print_suppressions=0
			if ! shugo_build build/ci-san --enable-werror --enable-sanitizers; then
				echo "ci: build/ci-san failed to build" >&2
				exit 1
			fi
			shugo_check build/ci-san
		) || status=1
	fi
	shugo_summary "${dirs[@]}" || status=1
	return "$status"
}
