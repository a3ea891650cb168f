#!/bin/sh
# fuzz_one.sh - one timed libFuzzer run, as a meson test of the suite
# 'fuzz' (tests/fuzz/meson.build registers one per target):
#   fuzz_one.sh FUZZER WORKDIR SECONDS DICT|- CORPUS_DIR...
# Starts from the given corpora (read only: new inputs go to
# WORKDIR/corpus, crashes to WORKDIR/artifacts), runs for SECONDS, and
# exits non-zero on any crash, sanitizer report, leak, timeout or OOM
# (libFuzzer's own exit code).  Prints the tail of libFuzzer's log and its
# final statistics (executions, coverage).
set -u
exe=$1 work=$2 secs=$3 dict=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
dirs=""
for d in "$@"; do
	[ -d "$d" ] && dirs="$dirs $d"
done
dictarg=""
[ "$dict" = - ] || dictarg="-dict=$dict"
# shellcheck disable=SC2086
"$exe" $dictarg -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	"$work/corpus" $dirs >"$work/log" 2>&1
rc=$?
tail -n 40 "$work/log"
if [ "$rc" -ne 0 ]; then
	echo "fuzz_one: $(basename "$exe") failed (exit $rc); inputs in $work/artifacts:"
	ls -l "$work/artifacts"
fi
exit "$rc"
