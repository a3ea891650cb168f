#!/usr/bin/env python3
"""Blocking pops (issue 12): FlashKV against redis-server, same run, ratios.

Two measurements, each alternating FlashKV and redis-server `--rounds`
times; medians are quoted with the range of the rounds.

  wake      one client blocks in BLPOP (or BZPOPMIN) on a key, another
            pushes to it: the time from sending the push to receiving the
            popped element at the waiter, --wakes times per round (the
            waiter is given 2 ms to block first; that wait is not counted).
            Keys are spread over the shards, so on FlashKV the waiter's
            connection, the pusher's and the key's shard are often on
            different workers.  Percentiles p50, p99.
  jobs      a job queue: --workers processes loop on BLMOVE <queue>
            <processing:N> RIGHT LEFT 1 then LREM (the reliable-queue
            pattern), worker N on queue N mod 3; one producer pushes
            --jobs jobs round-robin over the 3 queues, in pipelined
            batches of 100.  Jobs per second from the first push
            to the last job done, and the server's CPU time per job
            (utime + stime from /proc).
  waiters   --waiters clients blocked in BLPOP on 1,000 keys (the cost
            of many waiters): server RSS per waiter beyond what its idle
            connection already took, and the wake latency of one more
            waiter (on other keys) meanwhile.

usage: blocking_vs_redis.py --server build/net/flashkv-server [--rounds 5]
       [--wakes 2000] [--jobs 20000] [--workers 4] [--waiters 10000]
"""
import argparse
import multiprocessing
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_vs_redis import Server, allow_fds, cpu_seconds, resp, rss_bytes  # noqa: E402


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, *args):
        self.s.sendall(resp(*args).encode())

    def reply(self):
        """One reply, read whole (enough RESP for these commands)."""
        while True:
            n = complete(self.buf, 0)
            if n:
                r, self.buf = self.buf[:n], self.buf[n:]
                return r
            d = self.s.recv(65536)
            if not d:
                raise RuntimeError("server closed the connection")
            self.buf += d

    def cmd(self, *args):
        self.send(*args)
        return self.reply()


def complete(b, i):
    """The end of the reply starting at b[i], or 0 if incomplete."""
    j = b.find(b"\r\n", i)
    if j < 0:
        return 0
    t, line = b[i:i + 1], b[i + 1:j]
    if t in b"+-:_,#":
        return j + 2
    if t == b"$":
        n = int(line)
        if n < 0:
            return j + 2
        end = j + 2 + n + 2
        return end if len(b) >= end else 0
    if t in b"*%~>":
        n = int(line) * (2 if t == b"%" else 1)
        k = j + 2
        for _ in range(max(n, 0)):
            k = complete(b, k)
            if not k:
                return 0
        return k
    raise RuntimeError(f"unexpected reply {b[i:i + 40]!r}")


def percentile(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100 * len(v)))]


def wake_latencies(port, n, zset=False, prefix="w"):
    waiter, pusher = Conn(port), Conn(port)
    out = []
    for i in range(n):
        key = f"{prefix}:{i % 64}"
        if zset:
            waiter.send("BZPOPMIN", key, "0")
        else:
            waiter.send("BLPOP", key, "0")
        time.sleep(0.002)
        t0 = time.perf_counter()
        if zset:
            pusher.send("ZADD", key, "1", "m")
        else:
            pusher.send("RPUSH", key, "x")
        waiter.reply()
        out.append((time.perf_counter() - t0) * 1e6)
        pusher.reply()
    return out


def worker(port, n, queue, stop_key):
    """Take jobs from queue until stop_key exists."""
    c = Conn(port)
    proc = f"processing:{n}"
    while True:
        r = c.cmd("BLMOVE", queue, proc, "RIGHT", "LEFT", "1")
        if r.startswith(b"$") and not r.startswith(b"$-1"):
            job = r.split(b"\r\n")[1].decode()
            c.cmd("LREM", proc, "1", job)
            c.cmd("INCR", "done")
        elif c.cmd("EXISTS", stop_key) == b":1\r\n":
            return


def job_queue(srv, jobs, workers):
    queues = ["q:a", "q:b", "q:c"]
    c = Conn(srv.port)
    c.cmd("FLUSHALL")
    procs = [multiprocessing.Process(target=worker,
                                     args=(srv.port, n, queues[n % 3], "stop"))
             for n in range(workers)]
    for p in procs:
        p.start()
    time.sleep(0.3)
    cpu0, t0 = cpu_seconds(srv.proc.pid), time.perf_counter()
    for i in range(0, jobs, 100):
        batch = "".join(resp("LPUSH", queues[j % 3], f"job:{j}")
                        for j in range(i, min(i + 100, jobs)))
        c.s.sendall(batch.encode())
        for _ in range(min(100, jobs - i)):
            c.reply()
    while int(c.cmd("GET", "done").split(b"\r\n")[1] or 0) < jobs:
        time.sleep(0.005)
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds(srv.proc.pid) - cpu0
    c.cmd("SET", "stop", "1")
    for p in procs:
        p.join(30)
    return jobs / elapsed, cpu / jobs * 1e6


def many_waiters(srv, n):
    """n connections made idle (one PING each), then each blocked in BLPOP
    on one of 1,000 keys: server RSS per waiter beyond its idle
    connection, and the wake latency of one more waiter meanwhile."""
    conns = [Conn(srv.port) for _ in range(n)]
    for c in conns:
        c.cmd("PING")
    time.sleep(0.5)
    idle = rss_bytes(srv.proc.pid)
    for i, c in enumerate(conns):
        c.send("BLPOP", f"idle:{i % 1000}", "0")
    time.sleep(1.0)
    per = (rss_bytes(srv.proc.pid) - idle) / n
    lat = wake_latencies(srv.port, 500, prefix="busy")
    for c in conns:
        c.s.close()
    return per, statistics.median(lat), percentile(lat, 99)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--wakes", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--waiters", type=int, default=10000)
    a = ap.parse_args()
    a.waiters = allow_fds(a.waiters)
    servers = {k: Server(k, a.server, None) for k in ("flashkv", "redis")}
    res = {k: {"wl": [], "wz": [], "jobs": [], "cpu": []} for k in servers}
    try:
        for _ in range(a.rounds):
            for k, srv in servers.items():      # alternate A, B
                lat = wake_latencies(srv.port, a.wakes)
                res[k]["wl"].append((statistics.median(lat), percentile(lat, 99)))
                lat = wake_latencies(srv.port, a.wakes // 2, zset=True, prefix="z")
                res[k]["wz"].append((statistics.median(lat), percentile(lat, 99)))
                rate, cpu = job_queue(srv, a.jobs, a.workers)
                res[k]["jobs"].append(rate)
                res[k]["cpu"].append(cpu)
        waiters = {k: many_waiters(srv, a.waiters) for k, srv in servers.items()}
    finally:
        for s in servers.values():
            s.stop()

    def med(v):
        return statistics.median(v), min(v), max(v)

    print(f"{a.rounds} rounds, alternating; median (min-max of the rounds)")
    print("| measure | FlashKV | Redis | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for key, label in (("wl", "BLPOP wake"), ("wz", "BZPOPMIN wake")):
        for i, p in ((0, "p50"), (1, "p99")):
            f = med([r[i] for r in res["flashkv"][key]])
            r = med([r[i] for r in res["redis"][key]])
            print(f"| {label} {p}, µs | {f[0]:.0f} ({f[1]:.0f}-{f[2]:.0f}) | "
                  f"{r[0]:.0f} ({r[1]:.0f}-{r[2]:.0f}) | {f[0] / r[0]:.2f} |")
    f, r = med(res["flashkv"]["jobs"]), med(res["redis"]["jobs"])
    print(f"| job queue ({a.workers} BLMOVE workers), jobs/s | {f[0]:,.0f} "
          f"({f[1]:,.0f}-{f[2]:,.0f}) | {r[0]:,.0f} ({r[1]:,.0f}-{r[2]:,.0f}) | "
          f"{f[0] / r[0]:.2f} |")
    f, r = med(res["flashkv"]["cpu"]), med(res["redis"]["cpu"])
    print(f"| job queue, server CPU µs/job | {f[0]:.1f} ({f[1]:.1f}-{f[2]:.1f}) | "
          f"{r[0]:.1f} ({r[1]:.1f}-{r[2]:.1f}) | {f[0] / r[0]:.2f} |")
    fw, rw = waiters["flashkv"], waiters["redis"]
    print(f"| {a.waiters:,} waiters on 1,000 keys: bytes per waiter beyond its "
          f"idle connection | {fw[0]:.0f} | {rw[0]:.0f} | {fw[0] / rw[0]:.2f} |")
    print(f"| BLPOP wake with them waiting, p50 / p99 µs | {fw[1]:.0f} / {fw[2]:.0f} | "
          f"{rw[1]:.0f} / {rw[2]:.0f} | {fw[1] / rw[1]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
