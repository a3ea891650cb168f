#!/usr/bin/env python3
"""RDB snapshots (issue 13): FlashKV against redis-server, same run, ratios.

Both servers get the same dataset (--keys keys, mixed types: 70% strings
of 16-100 bytes, and 7.5% each hashes of 10 fields, lists of 10
elements, sets of 10 members, sorted sets of 10 members), loaded with
redis-cli --pipe.  Then, alternating FlashKV and redis-server --rounds
times:

  save      SAVE's wall time at the client, and the server's CPU time
            for it (utime + stime from /proc);
  bgsave    BGSAVE until INFO says it is done: wall time (FlashKV's
            BGSAVE still holds every shard while it writes; redis-server
            forks, so its child's CPU is not in the parent's figure and
            only the wall time is compared);
  load      a restart on the file: the time from spawning the server to
            its first PONG (loading included);
  size      the file's bytes;
  under writes  a writer overwrites random keys of the dataset (20,000
            SETs/s in pipelined batches) while a probe sends a GET every
            2 ms: 3 s without a save, then a BGSAVE until it is done.
            Memory is the proportional set size (Pss, so pages a forked
            child shares are counted once) of the server and its children,
            sampled every 20 ms: peak during BGSAVE / before it.  Latency:
            the probe's p99 during BGSAVE / its p99 before.

Medians with the range of the rounds; ratios are redis-server / FlashKV
for times (above 1: FlashKV faster) and FlashKV / redis-server for size.

usage: persist_vs_redis.py --server build/net/flashkv-server
       [--keys 1000000] [--rounds 3] [--markdown FILE]
"""
import argparse
import glob
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_vs_redis import cpu_seconds, free_port, resp  # noqa: E402


def dataset(nkeys, seed=7):
    rnd = random.Random(seed)
    out = []
    for i in range(nkeys):
        r = rnd.random()
        if r < 0.70:
            out.append(resp("SET", f"s:{i}", "v" * rnd.randint(16, 100)))
        elif r < 0.775:
            out.append(resp("HSET", f"h:{i}", *[x for j in range(10)
                                               for x in (f"f{j}", f"value{j}")]))
        elif r < 0.85:
            out.append(resp("RPUSH", f"l:{i}", *[f"item{j}" for j in range(10)]))
        elif r < 0.925:
            out.append(resp("SADD", f"t:{i}", *[f"m{j}" for j in range(10)]))
        else:
            out.append(resp("ZADD", f"z:{i}", *[x for j in range(10)
                                              for x in (str(j * 1.5), f"m{j}")]))
    return "".join(out).encode()


class Srv:
    def __init__(self, kind, binary, workdir):
        self.kind, self.binary, self.dir = kind, binary, workdir
        self.proc = None

    def start(self):
        self.port = free_port()
        base = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--dir", self.dir]
        cmd = (["redis-server"] + base + ["--appendonly", "no"]
               if self.kind == "redis" else [self.binary] + base)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return time.monotonic() - t0
            except OSError:
                time.sleep(0.01)
            if time.monotonic() - t0 > 600:
                raise RuntimeError(f"{self.kind} did not start")

    def cmd(self, *args):
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(resp(*args).encode())
            data = b""
            while not data.endswith(b"\r\n") or data.startswith(b"$") and \
                    data.count(b"\r\n") < 2:
                d = s.recv(1 << 20)
                if not d:
                    break
                data += d
            return data

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


NKEYS = [0]


def measure(srv):
    cpu0, t0 = cpu_seconds(srv.proc.pid), time.monotonic()
    if not srv.cmd("SAVE").startswith(b"+OK"):
        raise RuntimeError("SAVE failed")
    save_s, save_cpu = time.monotonic() - t0, cpu_seconds(srv.proc.pid) - cpu0
    t0 = time.monotonic()
    srv.cmd("BGSAVE")
    while True:
        info = srv.cmd("INFO", "persistence")
        if b"rdb_bgsave_in_progress:0" in info:
            break
        time.sleep(0.005)
    bg_s = time.monotonic() - t0
    size = os.path.getsize(os.path.join(srv.dir, "dump.rdb"))
    srv.stop()
    load_s = srv.start()
    mem, lat, p99_before, p99_during = under_writes(srv, NKEYS[0])
    return {"save": save_s, "save_cpu": save_cpu, "bgsave": bg_s,
            "load": load_s, "size": size, "mem_peak": mem, "p99_ratio": lat,
            "p99_before_ms": p99_before, "p99_during_ms": p99_during}


def pss(pid):
    """Pss in bytes of pid and its children (a forked saver)."""
    total = 0
    pids = [pid]
    for f in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            pids += [int(x) for x in open(f).read().split()]
        except OSError:
            pass
    for p in pids:
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def under_writes(srv, nkeys):
    stop = threading.Event()
    lat = []

    def writer():
        rnd = random.Random(3)
        with socket.create_connection(("127.0.0.1", srv.port)) as s:
            while not stop.is_set():
                batch = b"".join(resp("SET", f"s:{rnd.randrange(nkeys)}", "w" * 40).encode()
                                 for _ in range(100))
                s.sendall(batch)
                got = 0
                while got < 100:
                    got += s.recv(1 << 16).count(b"\r\n")
                time.sleep(0.005)

    def probe():
        rnd = random.Random(4)
        with socket.create_connection(("127.0.0.1", srv.port)) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not stop.is_set():
                t0 = time.perf_counter()
                s.sendall(resp("GET", f"s:{rnd.randrange(nkeys)}").encode())
                buf = b""
                while not (buf.startswith(b"$-1\r\n") or (buf.count(b"\r\n") >= 2)):
                    buf += s.recv(4096)
                lat.append((time.monotonic(), time.perf_counter() - t0))
                time.sleep(0.002)

    th = [threading.Thread(target=writer), threading.Thread(target=probe)]
    for t in th:
        t.start()
    time.sleep(3)
    before_mem = pss(srv.proc.pid)
    t_save = time.monotonic()
    srv.cmd("BGSAVE")
    peak = before_mem
    while b"rdb_bgsave_in_progress:0" not in srv.cmd("INFO", "persistence"):
        peak = max(peak, pss(srv.proc.pid))
        time.sleep(0.02)
    t_done = time.monotonic()
    stop.set()
    for t in th:
        t.join()
    base = sorted(x for t, x in lat if t < t_save)
    during = sorted(x for t, x in lat if t_save <= t <= t_done)
    p99 = lambda xs: xs[min(len(xs) - 1, int(len(xs) * 0.99))] if xs else float("nan")
    return peak / before_mem, p99(during) / p99(base), p99(base) * 1e3, p99(during) * 1e3


def med(xs):
    return statistics.median(xs), min(xs), max(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--markdown")
    a = ap.parse_args()
    payload = dataset(a.keys)
    NKEYS[0] = a.keys
    dirs = {k: tempfile.mkdtemp(prefix=f"persist-{k}-") for k in ("flashkv", "redis")}
    srvs = {k: Srv(k, a.server, dirs[k]) for k in dirs}
    res = {k: [] for k in dirs}
    try:
        for k, s in srvs.items():
            s.start()
            subprocess.run(["redis-cli", "-p", str(s.port), "--pipe"],
                           input=payload, capture_output=True, check=True,
                           timeout=1800)
        for r in range(a.rounds):
            for k in (("flashkv", "redis") if r % 2 == 0 else ("redis", "flashkv")):
                res[k].append(measure(srvs[k]))
                print(f"round {r + 1} {k}: {res[k][-1]}", file=sys.stderr)
    finally:
        for s in srvs.values():
            if s.proc and s.proc.poll() is None:
                s.proc.kill()
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)
    rows = []
    for m, unit, scale in (("save", "s", 1), ("save_cpu", "s", 1),
                           ("bgsave", "s", 1), ("load", "s", 1),
                           ("size", "MB", 1e-6),
                           ("mem_peak", "peak / before", 1),
                           ("p99_ratio", "p99 during / before", 1),
                           ("p99_before_ms", "ms", 1), ("p99_during_ms", "ms", 1)):
        f = med([x[m] * scale for x in res["flashkv"]])
        r = med([x[m] * scale for x in res["redis"]])
        lower_is_better = m not in ("size",)
        ratio = r[0] / f[0] if lower_is_better else f[0] / r[0]
        rows.append(f"| {m} ({unit}) | {f[0]:.3f} ({f[1]:.3f}-{f[2]:.3f}) | "
                    f"{r[0]:.3f} ({r[1]:.3f}-{r[2]:.3f}) | {ratio:.2f}x |")
    text = ("| {} keys, {} rounds | FlashKV median (range) | redis-server "
            "median (range) | ratio |\n|---|---|---|---|\n".format(
                a.keys, a.rounds) + "\n".join(rows) + "\n")
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
