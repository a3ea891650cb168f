#!/bin/sh
# run.sh - short timed fuzzing of every target of tests/fuzz (scripts/test.sh
# runs it when clang and libFuzzer are installed):
#   tests/fuzz/run.sh SECONDS [BUILD_DIR]
# Builds the libFuzzer targets with clang, ASan and UBSan (-Dfuzz=true) in
# their own build dir (default build-fuzz), then runs each for SECONDS, two
# at a time (meson test --suite fuzz: one test per target, fuzz_one.sh),
# starting from the seed and regression corpora.  Exits non-zero on any
# crash; the results are in BUILD_DIR/meson-logs/testlog.json for
# scripts/test-summary.py.
set -u
cd "$(dirname "$0")/../.."
secs=${1:?usage: tests/fuzz/run.sh SECONDS [BUILD_DIR]}
dir=${2:-build-fuzz}
opts="-Dfuzz=true -Dfuzz_seconds=$secs -Dbuildtype=debugoptimized -Db_lundef=false"
if [ -d "$dir" ]; then
	# shellcheck disable=SC2086
	CC=clang meson setup --reconfigure "$dir" $opts >/dev/null || exit 1
else
	# shellcheck disable=SC2086
	CC=clang meson setup "$dir" $opts >/dev/null || exit 1
fi
targets=""
for t in resp config lp intset ql ht zs cmd rdb bitfield hll; do
	targets="$targets tests/fuzz/fuzz_$t"
done
# shellcheck disable=SC2086
ninja -C "$dir" $targets >/dev/null || exit 1
ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=print_stacktrace=1 \
	meson test -C "$dir" --no-rebuild --suite fuzz --num-processes 2
