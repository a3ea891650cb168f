#!/usr/bin/env python3
"""Soak (issue 18): a long mixed load on one server, watching for drift.

--conns connections (default 10,000) spread over --procs load processes
run a mix of every data type's commands for --minutes (default 10):
strings with and without TTLs, lists, hashes, sets, sorted sets, cross-
shard MSET/MGET/SINTERSTORE, MULTI/EXEC, short BLPOPs fed by LPUSHes,
pipelined bursts, and clients that vanish and reconnect.  A probe
connection sends PING every 10 ms and records its latency.

Every minute: commands per second, probe p50/p99/max, the server's RSS
and open file descriptors.  At the end: FLUSHALL, every load connection
closed, 10 s of idle, then RSS and descriptors again.  The exit status
says whether the run met issue 18's bar: no error replies (the mix
provokes none on purpose), no broken connections, descriptors back to
the start, RSS back within 10% of the start (measured before the first
connection).

usage: soak.py --server build/net/flashkv-server [--minutes 10]
       [--conns 10000] [--procs 4] [--markdown FILE]
   or: soak.py --port 6379 (a server already running; RSS/fds need its pid:
       --pid N)
"""
import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


async def read_reply(r):
    """One RESP2 reply; returns (is_error, value)."""
    line = await r.readline()
    if not line:
        raise ConnectionError("closed")
    t, body = line[:1], line[1:-2]
    if t == b"+":
        return False, body
    if t == b"-":
        return True, body
    if t == b":":
        return False, int(body)
    if t == b"$":
        n = int(body)
        if n < 0:
            return False, None
        data = await r.readexactly(n + 2)
        return False, data[:-2]
    if t == b"*":
        n = int(body)
        out, err = [], False
        for _ in range(max(n, 0)):
            e, v = await read_reply(r)
            err |= e
            out.append(v)
        return err, out
    raise ValueError("bad reply %r" % line[:40])


def pick(rnd, cid):
    """One step of the mix: a list of commands sent together."""
    k = rnd.randrange(20000)
    x = rnd.random()
    if x < 0.20:
        return [resp("GET", "s:%d" % k)]
    if x < 0.30:
        return [resp("SET", "s:%d" % k, "v" * rnd.randint(1, 200))]
    if x < 0.35:
        return [resp("SET", "t:%d" % k, "x", "EX", rnd.randint(1, 5))]
    if x < 0.40:
        return [resp("INCR", "n:%d" % (k % 1000))]
    if x < 0.46:
        return [resp("LPUSH", "l:%d" % (k % 2000), "item%d" % k),
                resp("LTRIM", "l:%d" % (k % 2000), 0, 99)]
    if x < 0.50:
        return [resp("LRANGE", "l:%d" % (k % 2000), 0, 9)]
    if x < 0.56:
        return [resp("HSET", "h:%d" % (k % 3000), "f%d" % (k % 50), k)]
    if x < 0.60:
        return [resp("HGETALL", "h:%d" % (k % 3000))]
    if x < 0.65:
        return [resp("SADD", "set:%d" % (k % 1000), k % 300),
                resp("SREM", "set:%d" % (k % 1000), (k + 7) % 300)]
    if x < 0.67:
        return [resp("SINTERSTORE", "set:dst:%d" % (k % 10),
                     "set:%d" % (k % 1000), "set:%d" % ((k + 1) % 1000))]
    if x < 0.73:
        return [resp("ZADD", "z:%d" % (k % 500), rnd.random() * 1000, "m%d" % (k % 400)),
                resp("ZREMRANGEBYRANK", "z:%d" % (k % 500), 0, -201)]
    if x < 0.76:
        return [resp("ZRANGE", "z:%d" % (k % 500), 0, 9, "WITHSCORES")]
    if x < 0.80:
        return [resp("MSET", "s:%d" % k, "a", "s:%d" % (k + 1), "b",
                     "s:%d" % (k + 2), "c"),
                resp("MGET", "s:%d" % k, "s:%d" % (k + 1), "s:%d" % (k + 2))]
    if x < 0.84:
        return [resp("MULTI"), resp("INCR", "n:%d" % (k % 1000)),
                resp("LPUSH", "l:%d" % (k % 2000), "m"), resp("EXEC")]
    if x < 0.88:
        q = "q:%d" % (k % 100)
        return [resp("LPUSH", q, "job"), resp("BLPOP", q, "0.05")]
    if x < 0.94:
        return [resp("GET", "s:%d" % rnd.randrange(20000)) for _ in range(16)]
    if x < 0.97:
        return [resp("EXPIRE", "h:%d" % (k % 3000), rnd.randint(1, 30))]
    return [resp("DEL", "s:%d" % k)]


async def client(port, cid, stop_at, stats, seed):
    rnd = random.Random(seed)
    while time.time() < stop_at:
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            stats["connect_fail"] += 1
            await asyncio.sleep(0.5)
            continue
        try:
            # Most connections idle most of the time: 10,000 of them,
            # the load comes from a share at any moment.
            life = rnd.randint(200, 5000)
            for _ in range(life):
                if time.time() >= stop_at:
                    break
                cmds = pick(rnd, cid)
                w.write(b"".join(cmds))
                await w.drain()
                for _ in cmds:
                    err, v = await read_reply(r)
                    if err:
                        stats["errors"] += 1
                        if len(stats["samples"]) < 5:
                            stats["samples"].append(repr(v)[:120])
                stats["cmds"] += len(cmds)
                await asyncio.sleep(rnd.random() * 0.5)
            stats["vanished"] += 1  # closes without QUIT, as a crash would
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            stats["conn_errors"] += 1
            if len(stats["samples"]) < 5:
                stats["samples"].append(repr(e)[:120])
        finally:
            w.transport.abort()


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def load_proc(port, nconns, stop_at, seed, q):
    raise_nofile()
    stats = {"cmds": 0, "errors": 0, "conn_errors": 0, "connect_fail": 0,
             "vanished": 0, "samples": []}

    async def main():
        async def report():
            while time.time() < stop_at:
                await asyncio.sleep(5)
                q.put(("cmds", stats["cmds"]))
                stats["cmds"] = 0
        tasks = [asyncio.create_task(client(port, i, stop_at, stats, seed * 100000 + i))
                 for i in range(nconns)]
        rep = asyncio.create_task(report())
        await asyncio.gather(*tasks)
        rep.cancel()
    asyncio.run(main())
    q.put(("cmds", stats["cmds"]))
    stats["cmds"] = 0
    q.put(("final", stats))


def probe(port, stop_at, q):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while time.time() < stop_at:
        t0 = time.perf_counter()
        s.sendall(b"PING\r\n")
        buf = b""
        while not buf.endswith(b"\r\n"):
            buf += s.recv(64)
        q.put(("lat", time.perf_counter() - t0))
        time.sleep(0.01)
    s.close()


def rss(pid):
    with open("/proc/%d/statm" % pid) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server")
    ap.add_argument("--port", type=int)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--conns", type=int, default=10000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--markdown")
    a = ap.parse_args()
    raise_nofile()
    proc = None
    if a.server:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        workdir = tempfile.mkdtemp(prefix="soak-")
        proc = subprocess.Popen([a.server, "--port", str(port), "--save", "",
                                 "--maxclients", str(a.conns + 1000)],
                                cwd=workdir, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        pid = proc.pid
        time.sleep(0.5)
    else:
        port, pid = a.port, a.pid
    base_fds, base_rss = fds(pid), rss(pid)
    q = multiprocessing.Queue()
    start = time.time()
    stop_at = start + a.minutes * 60
    per = a.conns // a.procs
    ps = [multiprocessing.Process(target=load_proc, args=(port, per, stop_at, i, q))
          for i in range(a.procs)]
    ps.append(multiprocessing.Process(target=probe, args=(port, stop_at, q)))
    for p in ps:
        p.start()
    rows, finals = [], []
    minute, cmds, lats = 0, 0, []
    peak = 0
    while any(p.is_alive() for p in ps) or not q.empty():
        try:
            kind, v = q.get(timeout=1)
        except Exception:
            kind = None
        if kind == "cmds":
            cmds += v
        elif kind == "lat":
            lats.append(v)
        elif kind == "final":
            finals.append(v)
        now = time.time()
        if now - start >= (minute + 1) * 60 or (kind is None and now >= stop_at and
                                                 not any(p.is_alive() for p in ps)):
            r = rss(pid)
            peak = max(peak, r)
            span = max(1.0, min(60.0, now - (start + minute * 60)))
            rows.append((minute + 1, cmds / span, pct(lats, 0.5) * 1e3,
                         pct(lats, 0.99) * 1e3, max(lats) * 1e3 if lats else 0,
                         r / 2**20, fds(pid)))
            print("minute %d: %.0f cmd/s, probe p50 %.2f ms p99 %.2f ms max "
                  "%.1f ms, RSS %.1f MB, fds %d" % rows[-1], file=sys.stderr)
            minute += 1
            cmds, lats = 0, []
            if now >= stop_at and not any(p.is_alive() for p in ps):
                break
    for p in ps:
        p.join()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"FLUSHALL\r\n")
        s.recv(64)
    time.sleep(10)
    end_rss, end_fds = rss(pid), fds(pid)
    errors = sum(f["errors"] for f in finals)
    conn_errors = sum(f["conn_errors"] for f in finals)
    samples = [x for f in finals for x in f["samples"]][:5]
    lines = ["| minute | cmd/s | probe p50 ms | p99 ms | max ms | RSS MB | fds |",
             "|---|---|---|---|---|---|---|"]
    lines += ["| %d | %.0f | %.2f | %.2f | %.1f | %.1f | %d |" % r for r in rows]
    lines.append("")
    lines.append("RSS at start (connections not yet open) %.1f MB, peak %.1f MB, "
                 "after FLUSHALL + 10 s idle %.1f MB; fds at start %d, at the "
                 "end %d; error replies %d, connection errors %d%s" % (
                     base_rss / 2**20, peak / 2**20, end_rss / 2**20, base_fds,
                     end_fds, errors, conn_errors,
                     (" (e.g. %s)" % "; ".join(samples)) if samples else ""))
    text = "\n".join(lines) + "\n"
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    ok = (errors == 0 and conn_errors == 0 and end_fds <= base_fds and
          end_rss <= base_rss * 1.10)
    if proc:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
