#!/usr/bin/env bash
# vs-redis-benchmark.sh - does flashkv-bench agree with redis-benchmark?
# Runs both, alternately, on the same closed-loop workload against one
# redis-server that this script starts (and stops) on a loopback port, and
# prints per tool the median over the rounds of: throughput, mean, p50 and
# p99 latency, and requests per client CPU-second (user+sys of the client
# process, from /usr/bin/time; redis-server's CPU is not counted).
#
#   bench/flashkv-bench/vs-redis-benchmark.sh [BUILD_DIR]
#   env: PORT (7621) ROUNDS (3) CONNS (50) REQUESTS (200000) KEYS (100000)
#        TEST (get) PIPELINE (1) PIN (0; 1: server on CPU 0, clients on CPU 1)
set -euo pipefail

BUILD=${1:-build}
BENCH=$BUILD/bench/flashkv-bench/flashkv-bench
PORT=${PORT:-7621} ROUNDS=${ROUNDS:-3} CONNS=${CONNS:-50}
REQUESTS=${REQUESTS:-200000} KEYS=${KEYS:-100000} TEST=${TEST:-get}
PIPELINE=${PIPELINE:-1} PIN=${PIN:-0}
for p in "$BENCH" redis-server redis-benchmark /usr/bin/time python3; do
	command -v "$p" >/dev/null || { echo "missing: $p" >&2; exit 2; }
done

SRV=() CLI=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ]; then
	SRV=(taskset -c 0) CLI=(taskset -c 1)
fi
TMP=$(mktemp -d)
redis_pid=
cleanup() {
	[ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
"${SRV[@]}" redis-server --port "$PORT" --bind 127.0.0.1 --save '' \
	--appendonly no --daemonize no >"$TMP/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 50); do
	redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
	sleep 0.1
done
# Values for every key, so GETs hit (3 bytes, as redis-benchmark's).
"$BENCH" -p "$PORT" -t set --dist seq -r "$KEYS" -n "$KEYS" -c 8 -P 64 -q >/dev/null

for r in $(seq "$ROUNDS"); do
	/usr/bin/time -f '%U %S' -o "$TMP/rb.time.$r" "${CLI[@]}" redis-benchmark \
		-p "$PORT" -t "$TEST" -c "$CONNS" -n "$REQUESTS" -r "$KEYS" \
		-P "$PIPELINE" --csv >"$TMP/rb.csv.$r"
	/usr/bin/time -f '%U %S' -o "$TMP/fkb.time.$r" "${CLI[@]}" "$BENCH" \
		-p "$PORT" -t "$TEST" -c "$CONNS" -n "$REQUESTS" -r "$KEYS" \
		-P "$PIPELINE" -w 0 -q --json "$TMP/fkb.json.$r" >/dev/null 2>"$TMP/fkb.err"
done

python3 - "$TMP" "$ROUNDS" "$REQUESTS" <<'PY'
import csv, json, statistics as st, sys
tmp, rounds, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def cpu(path):
    u, s = open(path).read().split()[-2:]
    return float(u) + float(s)
rows = {"redis-benchmark": [], "flashkv-bench": []}
for r in range(1, rounds + 1):
    rec = list(csv.reader(open(f"{tmp}/rb.csv.{r}")))[1]
    c = cpu(f"{tmp}/rb.time.{r}")
    rows["redis-benchmark"].append((float(rec[1]), float(rec[2]), float(rec[4]),
                                    float(rec[6]), n / c if c else 0, c))
    j = json.load(open(f"{tmp}/fkb.json.{r}"))["results"][0]
    lat = j["corrected"]
    c = cpu(f"{tmp}/fkb.time.{r}")
    rows["flashkv-bench"].append((j["throughput"], lat["mean_us"] / 1e3,
                                  lat["p50_us"] / 1e3, lat["p99_us"] / 1e3,
                                  n / c if c else 0, c))
print(f"{'tool':16} {'round':>5} {'req/s':>10} {'mean ms':>8} {'p50 ms':>8} "
      f"{'p99 ms':>8} {'req/CPU-s':>10} {'CPU s':>6}")
for tool, rs in rows.items():
    for i, x in enumerate(rs, 1):
        print(f"{tool:16} {i:>5} {x[0]:10.0f} {x[1]:8.3f} {x[2]:8.3f} "
              f"{x[3]:8.3f} {x[4]:10.0f} {x[5]:6.2f}")
    m = [st.median(col) for col in zip(*rs)]
    print(f"{tool:16} {'med':>5} {m[0]:10.0f} {m[1]:8.3f} {m[2]:8.3f} "
          f"{m[3]:8.3f} {m[4]:10.0f} {m[5]:6.2f}")
PY
