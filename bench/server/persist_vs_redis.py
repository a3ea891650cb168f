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
  size      the file's bytes.

Medians with the range of the rounds; ratios are redis-server / FlashKV
for times (above 1: FlashKV faster) and FlashKV / redis-server for size.

usage: persist_vs_redis.py --server build/net/flashkv-server
       [--keys 1000000] [--rounds 3] [--markdown FILE]
"""
import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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
    return {"save": save_s, "save_cpu": save_cpu, "bgsave": bg_s,
            "load": load_s, "size": size}


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
                           ("size", "MB", 1e-6)):
        f = med([x[m] * scale for x in res["flashkv"]])
        r = med([x[m] * scale for x in res["redis"]])
        ratio = f[0] / r[0] if m == "size" else r[0] / f[0]
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
