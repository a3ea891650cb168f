#!/usr/bin/env python3
"""FlashKV against redis-server, same machine, same run, as ratios.

For each workload, redis-benchmark drives one server, then the other,
alternating, `--rounds` times; the table quotes medians of requests/s and
of the server's CPU time per request (utime+stime from /proc/PID/stat).
Memory: resident bytes per key for 1 M keys with 16-byte values, and per
idle connection for 10,000 connections.

Placements:
  pinned    server on CPU 0 (FlashKV with one worker), redis-benchmark on CPU 1
  unpinned  both free to move (FlashKV with its default workers)

With --workloads collections: list, set and hash commands (pipelined and
not), and memory per element for 100,000 collections of 10 elements and
for one collection of 1,000,000, per type.

With --workloads zsets: sorted-set commands (issue 11) on preloaded sets
of 100,000 and 1,000,000 members (reads at random members), a
leaderboard's ZINCRBY, a sliding window's ZRANGEBYSCORE ... LIMIT, and
memory per member as for the collections.

usage: server_vs_redis.py --server build/net/flashkv-server [--rounds 3]
       [--placement pinned,unpinned]
       [--workloads strings|collections|zsets|all]
       [--quick] [--no-memory] [--markdown FILE]
"""
import argparse
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time

WORKLOADS = [
    # name, redis-benchmark arguments
    ("SET c50", ["-t", "set", "-c", "50"]),
    ("GET c50", ["-t", "get", "-c", "50"]),
    ("INCR c50", ["-t", "incr", "-c", "50"]),
    ("MSET10 c50", ["-t", "mset", "-c", "50"]),
    ("SET c50 P16", ["-t", "set", "-c", "50", "-P", "16"]),
    ("GET c50 P16", ["-t", "get", "-c", "50", "-P", "16"]),
    ("INCR c50 P16", ["-t", "incr", "-c", "50", "-P", "16"]),
    ("MSET10 c50 P16", ["-t", "mset", "-c", "50", "-P", "16"]),
    ("GET c1000", ["-t", "get", "-c", "1000"]),
    ("GET c1 (RTT)", ["-t", "get", "-c", "1"]),
]

# The collections (issue 10): pushes, pops, adds on the keys redis-benchmark
# uses (mylist, myset, myhash), then reads of what they left: HGET and
# SISMEMBER hit the fields and members HSET and SADD wrote, LRANGE reads
# the first 100 / 600 of a list preloaded with 600 elements.
COLLECTION_BASE = [
    ("LPUSH", ["-t", "lpush"]),
    ("RPUSH", ["-t", "rpush"]),
    ("LPOP", ["-t", "lpop"]),
    ("RPOP", ["-t", "rpop"]),
    ("SADD", ["-t", "sadd"]),
    ("SISMEMBER", ["SISMEMBER", "myset", "element:__rand_int__"]),
    ("SPOP", ["-t", "spop"]),
    ("HSET", ["-t", "hset"]),
    ("HGET", ["HGET", "myhash", "element:__rand_int__"]),
    ("LRANGE_100", ["LRANGE", "biglist", "0", "99"]),
    ("LRANGE_600", ["LRANGE", "biglist", "0", "599"]),
]
COLLECTION_WORKLOADS = (
    [(f"{n} c50", ["-c", "50"] + a) for n, a in COLLECTION_BASE] +
    [(f"{n} c50 P16", ["-c", "50", "-P", "16"] + a) for n, a in COLLECTION_BASE])

# Sorted sets (issue 11): zset100k and zset1m hold "member:<12 digits>"
# with score N (the form of redis-benchmark's __rand_int__), so the reads
# hit members; -r sets the random range to the set's size.
ZSET_BASE = [
    ("ZADD", ["-t", "zadd"]),
    ("ZPOPMIN", ["-t", "zpopmin"]),
    ("ZINCRBY", ["ZINCRBY", "board", "1", "player:__rand_int__"]),
    ("ZSCORE 100k", ["ZSCORE", "zset100k", "member:__rand_int__"]),
    ("ZRANK 100k", ["ZRANK", "zset100k", "member:__rand_int__"]),
    ("ZSCORE 1M", ["-r", "1000000", "ZSCORE", "zset1m", "member:__rand_int__"]),
    ("ZRANK 1M", ["-r", "1000000", "ZRANK", "zset1m", "member:__rand_int__"]),
    ("ZRANGE 1M 0 9 WITHSCORES", ["ZRANGE", "zset1m", "0", "9", "WITHSCORES"]),
    ("ZRANGEBYSCORE 1M LIMIT 0 10", ["-r", "1000000", "ZRANGEBYSCORE", "zset1m",
                                     "__rand_int__", "+inf", "LIMIT", "0", "10"]),
]
ZSET_WORKLOADS = (
    [(f"{n} c50", ["-c", "50"] + a) for n, a in ZSET_BASE] +
    [(f"{n} c50 P16", ["-c", "50", "-P", "16"] + a) for n, a in ZSET_BASE])

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def wait_ready(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


class Server:
    def __init__(self, kind, binary, cpus):
        self.kind = kind
        self.port = free_port()
        if kind == "redis":
            cmd = ["redis-server", "--port", str(self.port), "--save", "",
                   "--appendonly", "no", "--bind", "127.0.0.1",
                   "--maxclients", "20000"]
        else:
            cmd = [binary, "--port", str(self.port), "--maxclients", "20000",
                   "--save", ""]
            if cpus is not None:
                cmd += ["--threads", str(len(cpus.split(",")))]
        if cpus is not None:
            cmd = ["taskset", "-c", cpus] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_ready(self.port)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_benchmark(server, args, n, client_cpus):
    # A custom command (HGET myhash ...) comes last in args, after options.
    cmd = ["redis-benchmark", "-p", str(server.port), "-n", str(n), "-q",
           "-r", "100000"] + args
    if client_cpus is not None:
        cmd = ["taskset", "-c", client_cpus] + cmd
    before = cpu_seconds(server.proc.pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    used = cpu_seconds(server.proc.pid) - before
    m = re.findall(r"([\d.]+) requests per second", out)
    if not m:
        raise RuntimeError(f"redis-benchmark printed no result: {out!r}")
    requests = n * (10 if "mset" in args else 1)
    return float(m[-1]), used / n * 1e6, requests


def preload_lists(server):
    """biglist: 600 elements of 3 bytes, for the LRANGE workloads."""
    args = ["RPUSH", "biglist"] + ["xxx"] * 600
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)
    subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"],
                   input=payload.encode(), capture_output=True, check=True,
                   timeout=60)


def preload_zsets(server):
    """zset100k and zset1m for the ZSET_BASE reads (see there)."""
    out = []
    for key, n in (("zset100k", 100000), ("zset1m", 1000000)):
        for i in range(0, n, 100):
            out.append(resp("ZADD", key, *[x for j in range(i, i + 100)
                                           for x in (str(j), f"member:{j:012d}")]))
    subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"],
                   input="".join(out).encode(), capture_output=True, check=True,
                   timeout=600)


def load_keys(server, nkeys):
    """SET key:i <16 bytes> for i < nkeys, pipelined through redis-cli."""
    payload = "".join(
        f"*3\r\n$3\r\nSET\r\n${len(k)}\r\n{k}\r\n$16\r\n{i:016d}\r\n"
        for i in range(nkeys) for k in [f"key:{i}"])
    subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"],
                   input=payload.encode(), capture_output=True, check=True,
                   timeout=600)


def memory_per_key(kind, binary, nkeys):
    s = Server(kind, binary, None)
    try:
        time.sleep(0.3)
        base = rss_bytes(s.proc.pid)
        load_keys(s, nkeys)
        time.sleep(0.3)
        return (rss_bytes(s.proc.pid) - base) / nkeys
    finally:
        s.stop()


def resp(*args):
    return f"*{len(args)}\r\n" + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)


# Collections for the memory figures: 100,000 keys of 10 elements, and one
# key of 1,000,000, per type; members "member:N", hash values "value:N".
def collection_payload(kind, shape):
    out = []
    if shape == "small":
        for i in range(100000):
            els = [f"member:{j}" for j in range(10)]
            if kind == "zset":
                out.append(resp("ZADD", f"z:{i}", *[x for j in range(10)
                                for x in (str(j), f"member:{j}")]))
            elif kind == "hash":
                out.append(resp("HSET", f"h:{i}", *[x for j in range(10)
                                for x in (f"field:{j}", f"value:{j}")]))
            else:
                out.append(resp("RPUSH" if kind == "list" else "SADD",
                                f"{kind}:{i}", *els))
        return "".join(out), 1000000
    for i in range(0, 1000000, 100):
        if kind == "zset":      # 16-byte members, as issue 11 measures
            out.append(resp("ZADD", "bigzset", *[x for j in range(i, i + 100)
                            for x in (str(j), f"member:{j:09d}")]))
        elif kind == "hash":
            out.append(resp("HSET", "bighash", *[x for j in range(i, i + 100)
                            for x in (f"field:{j}", f"value:{j}")]))
        else:
            out.append(resp("RPUSH" if kind == "list" else "SADD", f"big{kind}",
                            *[f"member:{j}" for j in range(i, i + 100)]))
    return "".join(out), 1000000


def memory_per_element(kind, binary, coll, shape):
    s = Server(kind, binary, None)
    try:
        time.sleep(0.3)
        base = rss_bytes(s.proc.pid)
        payload, n = collection_payload(coll, shape)
        subprocess.run(["redis-cli", "-p", str(s.port), "--pipe"],
                       input=payload.encode(), capture_output=True, check=True,
                       timeout=600)
        time.sleep(0.3)
        return (rss_bytes(s.proc.pid) - base) / n
    finally:
        s.stop()


def allow_fds(n):
    """Raise this process's open-file limit to n + 1000 if it may; returns
    how many connections it can open (up to n)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, n + 1000)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return min(n, want - 500)


def memory_per_conn(kind, binary, nconns):
    nconns = allow_fds(nconns)
    s = Server(kind, binary, None)
    socks = []
    try:
        time.sleep(0.3)
        base = rss_bytes(s.proc.pid)
        for _ in range(nconns):
            c = socket.create_connection(("127.0.0.1", s.port))
            socks.append(c)
        # One round trip each, so the server has set every connection up.
        for c in socks:
            c.sendall(b"PING\r\n")
        for c in socks:
            c.recv(16)
        time.sleep(0.3)
        return (rss_bytes(s.proc.pid) - base) / nconns, nconns
    finally:
        for c in socks:
            c.close()
        s.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--placement", default="pinned,unpinned")
    ap.add_argument("--quick", action="store_true",
                    help="fewer requests and rounds (a smoke run)")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--workloads", default="strings",
                    help="strings, collections, zsets or all")
    ap.add_argument("--markdown")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.requests = 1, 20000
    lines = ["| placement | workload | FlashKV req/s | Redis req/s | ratio |"
             " FlashKV CPU µs/req | Redis CPU µs/req | CPU ratio |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for placement in a.placement.split(","):
        server_cpus = "0" if placement == "pinned" else None
        client_cpus = "1" if placement == "pinned" else None
        servers = {k: Server(k, a.server, server_cpus)
                   for k in ("flashkv", "redis")}
        workloads = {"strings": WORKLOADS, "collections": COLLECTION_WORKLOADS,
                     "zsets": ZSET_WORKLOADS,
                     "all": WORKLOADS + COLLECTION_WORKLOADS + ZSET_WORKLOADS
                     }[a.workloads]
        try:
            for srv in servers.values():
                if a.workloads in ("collections", "all"):
                    preload_lists(srv)
                if a.workloads in ("zsets", "all"):
                    preload_zsets(srv)
            for name, args in workloads:
                n = a.requests
                if "c1 " in name + " ":
                    n = max(2000, a.requests // 10)
                res = {"flashkv": [], "redis": []}
                for _ in range(a.rounds):
                    for k in ("flashkv", "redis"):  # alternate A, B
                        res[k].append(run_benchmark(servers[k], args, n,
                                                    client_cpus))
                fk = statistics.median(r[0] for r in res["flashkv"])
                rd = statistics.median(r[0] for r in res["redis"])
                fc = statistics.median(r[1] for r in res["flashkv"])
                rc = statistics.median(r[1] for r in res["redis"])
                line = (f"| {placement} | {name} | {fk:,.0f} | {rd:,.0f} | "
                        f"{fk / rd:.2f} | {fc:.2f} | {rc:.2f} | "
                        f"{fc / rc if rc else 0:.2f} |")
                print(line, flush=True)
                lines.append(line)
        finally:
            for s in servers.values():
                s.stop()
    if not a.no_memory and a.workloads != "strings":
        lines.append("")
        lines.append("| memory per element | FlashKV | Redis | ratio |")
        lines.append("| --- | ---: | ---: | ---: |")
        colls = {"collections": ("list", "set", "hash"), "zsets": ("zset",),
                 "all": ("list", "set", "hash", "zset")}[a.workloads]
        for coll in colls:
            for shape, label in (("small", "100,000 keys x 10"),
                                 ("big", "1 key x 1,000,000")):
                fk = memory_per_element("flashkv", a.server, coll, shape)
                rd = memory_per_element("redis", a.server, coll, shape)
                line = (f"| {coll}, {label} | {fk:.1f} | {rd:.1f} | "
                        f"{fk / rd:.2f} |")
                print(line, flush=True)
                lines.append(line)
    if not a.no_memory and a.workloads in ("strings", "all"):
        nkeys = 100000 if a.quick else 1000000
        nconns = 1000 if a.quick else 10000
        fk = memory_per_key("flashkv", a.server, nkeys)
        rd = memory_per_key("redis", a.server, nkeys)
        lines.append("")
        lines.append("| memory | FlashKV | Redis | ratio |")
        lines.append("| --- | ---: | ---: | ---: |")
        lines.append(f"| bytes per key ({nkeys:,} keys, 16 B values) | "
                     f"{fk:.1f} | {rd:.1f} | {fk / rd:.2f} |")
        fkc, n = memory_per_conn("flashkv", a.server, nconns)
        rdc, _ = memory_per_conn("redis", a.server, nconns)
        lines.append(f"| bytes per idle connection ({n:,}) | {fkc:.0f} | "
                     f"{rdc:.0f} | {fkc / rdc:.2f} |")
        print("\n".join(lines[-4:]), flush=True)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
