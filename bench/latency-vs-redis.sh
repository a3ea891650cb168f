#!/usr/bin/env bash
# latency-vs-redis.sh - FlashKV against redis-server, measured by
# flashkv-bench --compare: the same workload against both, in alternating
# rounds, a table with ratios, and both latency-by-percentile curves in one
# plot.  Starts both servers on loopback ports and stops them on exit.
#
#   bench/latency-vs-redis.sh [BUILD_DIR]            FlashKV vs redis-server
#   bench/latency-vs-redis.sh --redis-only [BUILD]   redis-server alone:
#                       corrected vs uncorrected curves (docs/img/latency-redis.png)
#   bench/latency-vs-redis.sh --sweep [BUILD_DIR]    latency-throughput curves
#
# env: RATE (open-loop requests/s, 20000; 0 = closed loop), DURATION (10s),
#      WARMUP (2s), ROUNDS (3), CONNS (50), THREADS (1), PIPELINE (1),
#      RATIO (set:get=1:10), KEYS (100000), VALUE (100),
#      PORT_REDIS (7621), PORT_FLASHKV (7631), OUT (plot file), JSON (file)
set -euo pipefail

MODE=compare
case "${1:-}" in
--redis-only) MODE=redis; shift ;;
--sweep) MODE=sweep; shift ;;
esac
BUILD=${1:-build}
BENCH=$BUILD/bench/flashkv-bench/flashkv-bench
FLASHKV=${FLASHKV:-$BUILD/net/flashkv-server}
RATE=${RATE:-20000} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-3} CONNS=${CONNS:-50} THREADS=${THREADS:-1}
PIPELINE=${PIPELINE:-1} RATIO=${RATIO:-set:get=1:10} KEYS=${KEYS:-100000}
VALUE=${VALUE:-100} PORT_REDIS=${PORT_REDIS:-7621} PORT_FLASHKV=${PORT_FLASHKV:-7631}
HERE=$(cd "$(dirname "$0")/.." && pwd)
case $MODE in
redis) OUT=${OUT:-$HERE/docs/img/latency-redis.png} ;;
sweep) OUT=${OUT:-$HERE/docs/img/sweep-flashkv-vs-redis.png} ;;
*) OUT=${OUT:-$HERE/docs/img/latency-flashkv-vs-redis.png} ;;
esac
JSON=${JSON:-${OUT%.*}.json}

[ -x "$BENCH" ] || { echo "build flashkv-bench first: ninja -C $BUILD" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 2; }
if [ "$MODE" != redis ] && [ ! -x "$FLASHKV" ]; then
	echo "no FlashKV server at $FLASHKV (set FLASHKV=...)" >&2
	exit 2
fi

pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT

wait_port() {
	for _ in $(seq 100); do
		redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "nothing answers on port $1" >&2
	exit 1
}

redis-server --port "$PORT_REDIS" --bind 127.0.0.1 --save '' --appendonly no \
	--daemonize no >/dev/null 2>&1 &
pids+=($!)
wait_port "$PORT_REDIS"
args=(-p "$PORT_REDIS" --label "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')"
	-c "$CONNS" --threads "$THREADS" -P "$PIPELINE" --ratio "$RATIO"
	-r "$KEYS" -d "$VALUE" --fill --duration "$DURATION" -w "$WARMUP"
	--json "$JSON" --plot "$OUT")
if [ "$MODE" != redis ]; then
	"$FLASHKV" --port "$PORT_FLASHKV" --save '' >/dev/null 2>&1 &
	pids+=($!)
	wait_port "$PORT_FLASHKV"
	args+=(--compare "127.0.0.1:$PORT_FLASHKV" --compare-label FlashKV --rounds "$ROUNDS")
fi
[ "$RATE" != 0 ] && [ "$MODE" != sweep ] && args+=(--rate "$RATE")
[ "$MODE" = sweep ] && args+=(--sweep)

echo "+ flashkv-bench ${args[*]}" >&2
"$BENCH" "${args[@]}"
