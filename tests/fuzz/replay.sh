#!/bin/sh
# `make check`: replay the config fuzz corpus through the harness (built as a
# plain replayer). A crash, a sanitizer report or a leak fails the test.
set -u

bin="${top_builddir:?top_builddir is not set}/tests/fuzz/fuzz_config"
corpus="${top_srcdir:?top_srcdir is not set}/tests/fuzz/corpus/config"

if [ ! -x "$bin" ]; then
	echo "replay.sh: $bin is not built" >&2
	exit 1
fi
if [ ! -d "$corpus" ]; then
	echo "replay.sh: no corpus at $corpus" >&2
	exit 1
fi
"$bin" "$corpus"
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "replay.sh: fuzz_config failed on the corpus (exit $rc)" >&2
	exit 1
fi
exit 0
