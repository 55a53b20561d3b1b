#!/bin/sh
# `make check`: replay each fuzz corpus through its harness (built as a plain
# replayer): tests/fuzz/corpus/config with fuzz_config, tests/fuzz/corpus/decode
# with fuzz_decode. A crash, a sanitizer report or a leak fails the test.
set -u

builddir="${top_builddir:?top_builddir is not set}/tests/fuzz"
corpora="${top_srcdir:?top_srcdir is not set}/tests/fuzz/corpus"
failed=0

# replay <harness> <corpus name>
replay() {
	bin="$builddir/$1"
	corpus="$corpora/$2"
	if [ ! -x "$bin" ]; then
		echo "replay.sh: $bin is not built (make tests/fuzz/$1)" >&2
		failed=1
		return
	fi
	if [ ! -d "$corpus" ]; then
		echo "replay.sh: no corpus at $corpus" >&2
		failed=1
		return
	fi
	echo "replay.sh: $1 on $corpus"
	"$bin" "$corpus"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "replay.sh: $1 failed on the corpus $2 (exit $rc)" >&2
		failed=1
	fi
}

replay fuzz_config config
replay fuzz_decode decode
exit "$failed"
