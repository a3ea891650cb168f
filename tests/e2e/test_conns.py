#!/usr/bin/env python3
"""Several thousand concurrent connections (TAP).

N connections (default 3000, or $FKV_E2E_CONNS) are opened at once and kept
open; each pipelines a few commands on its own key and a shared counter,
then, once all are done, reads keys written by other connections (on other
shards).  Every reply is checked; the INCR replies must be exactly 1..N.
Then all are closed and INFO clients must drop back to one client.  A churn
phase opens and closes short-lived connections in waves.
"""
import errno
import os
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

N = int(os.environ.get("FKV_E2E_CONNS", "3000"))


class _Buf:
    def __init__(self, data):
        self.data = bytes(data)

    def recv(self, n):
        d, self.data = self.data, b""
        return d


def parse_n(buf, n):
    """n complete replies from buf, or None if buf holds fewer."""
    rd = fkv.Reader(_Buf(buf))
    out = []
    try:
        for _ in range(n):
            out.append(rd.reply())
    except EOFError:
        return None
    return out


def connect_all(port, n, timeout=60.0):
    """Open n sockets with non-blocking connects; returns the list."""
    sel = selectors.DefaultSelector()
    socks, pending = [], 0
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex((fkv.HOST, port))
        if rc not in (0, errno.EINPROGRESS):
            raise OSError(rc, "connect: " + os.strerror(rc))
        socks.append(s)
        if rc == errno.EINPROGRESS:
            sel.register(s, selectors.EVENT_WRITE)
            pending += 1
    end = time.monotonic() + timeout
    while pending and time.monotonic() < end:
        for key, _ in sel.select(1.0):
            err = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, "connect: " + os.strerror(err))
            sel.unregister(key.fileobj)
            pending -= 1
    sel.close()
    if pending:
        raise TimeoutError("%d connects still pending" % pending)
    return socks


def exchange(socks, requests, counts, timeout=120.0):
    """Send requests[i] on socks[i] (all at once) and read counts[i] replies
    from each.  Returns (replies per socket, diag of failures)."""
    sel = selectors.DefaultSelector()
    out = [b""] * len(socks)
    bufs = [bytearray() for _ in socks]
    replies = [None] * len(socks)
    fails = []
    for i, s in enumerate(socks):
        out[i] = requests[i]
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, i)
    left = len(socks)
    end = time.monotonic() + timeout
    while left and time.monotonic() < end:
        for key, ev in sel.select(1.0):
            i, s = key.data, key.fileobj
            if ev & selectors.EVENT_WRITE and out[i]:
                try:
                    k = s.send(out[i])
                    out[i] = out[i][k:]
                except BlockingIOError:
                    pass
                except OSError as e:
                    fails.append("conn %d: send: %r" % (i, e))
                    sel.unregister(s)
                    left -= 1
                    continue
                if not out[i]:
                    sel.modify(s, selectors.EVENT_READ, i)
            if ev & selectors.EVENT_READ:
                try:
                    d = s.recv(65536)
                except BlockingIOError:
                    continue
                except OSError as e:
                    fails.append("conn %d: recv: %r" % (i, e))
                    sel.unregister(s)
                    left -= 1
                    continue
                if not d:
                    fails.append("conn %d: closed by server after %r" % (
                        i, bytes(bufs[i][:200])))
                    sel.unregister(s)
                    left -= 1
                    continue
                bufs[i] += d
                r = parse_n(bufs[i], counts[i])
                if r is not None:
                    replies[i] = r
                    sel.unregister(s)
                    left -= 1
    sel.close()
    if left:
        fails.append("%d connections did not get all replies in %.0f s" % (
            left, timeout))
    return replies, fails


def atomic_multikey(port, with_rename, seconds=3.0):
    """Writers pipeline MSET over keys on every shard (and RENAME a token
    between shards, and SET x then SET y in order); readers MGET them all
    the time.  No reader may see half an MSET (values differ) or half a
    RENAME (the token on neither key, or on both), nor y newer than x (one
    connection's writes become visible in order)."""
    import threading
    keys = []
    i = 0
    while len(keys) < 6:  # keys on six different slots mod 2/4/6
        k = "at:%d" % i
        i += 1
        if all(fkv.slot_of(k) % 6 != fkv.slot_of(o) % 6 for o in keys):
            keys.append(k)
    ta, tb = keys[0] + ":tok", keys[1] + ":tok"
    x, y = "ord:x", "ord:y{%s}" % keys[3]
    stop = threading.Event()
    bad, counts = [], {"w": 0, "r": 0}
    with fkv.Client(port) as c:
        c.cmd("MSET", *[a for k in keys for a in (k, "0")])
        c.cmd("SET", ta, "token")
        c.cmd("DEL", tb)
        c.cmd("MSET", x, "0", y, "0")

    def writer():
        with fkv.Client(port, timeout=30) as c:
            v = 0
            while not stop.is_set():
                cmds = []
                for _ in range(20):
                    v += 1
                    cmds.append(("MSET",) + tuple(
                        a for k in keys for a in (k, str(v))))
                    if with_rename:
                        cmds.append(("RENAME", ta, tb) if v % 2 else
                                    ("RENAME", tb, ta))
                    cmds.append(("SET", x, str(v)))
                    cmds.append(("SET", y, str(v)))
                for r in c.pipeline(cmds):
                    if r[:1] == b"-" and len(bad) < 5:
                        bad.append("writer got %s" % fkv.show(r))
                counts["w"] += 20

    def reader():
        with fkv.Client(port, timeout=30) as c:
            while not stop.is_set():
                r = c.pipeline([("MGET",) + tuple(keys),
                                ("EXISTS", ta, tb),
                                ("MGET", y, x)])
                vals = r[0].split(b"\r\n")[2::2]
                if (len(vals) != len(keys) or len(set(vals)) != 1 or
                        not vals[0].isdigit()) and len(bad) < 5:
                    bad.append("MGET saw half an MSET: %s" % fkv.show(r[0]))
                if r[1] != b":1\r\n" and len(bad) < 5:
                    bad.append("EXISTS saw half a RENAME: %s" % fkv.show(r[1]))
                yv, xv = [int(t) for t in r[2].split(b"\r\n")[2::2]]
                if yv > xv and len(bad) < 5:
                    bad.append("SET y seen before SET x: y=%d x=%d" % (yv, xv))
                counts["r"] += 1
    def guarded(fn):
        def run():
            try:
                fn()
            except (OSError, EOFError, ValueError) as e:
                bad.append("%s: %r (server alive: %s)" % (
                    fn.__name__, e, srv_alive()))
                stop.set()
        return run

    def srv_alive():
        try:
            with fkv.Client(port, timeout=2) as c:
                return c.cmd("PING") == b"+PONG\r\n"
        except (OSError, EOFError):
            return False
    ts = [threading.Thread(target=guarded(writer))] + [
        threading.Thread(target=guarded(reader)) for _ in range(3)]
    for t in ts:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in ts:
        t.join(60)
    return not bad and counts["r"] > 0 and counts["w"] > 0, "\n".join(
        bad + ["%d MSETs, %d reads" % (counts["w"], counts["r"])])


def connected_clients(port):
    return int(fkv.info_field(port, "clients", "connected_clients"))


def main():
    tap = fkv.Tap()
    lim = fkv.raise_nofile(2 * N + 500)
    n = N
    if lim < 2 * n + 200:  # we hold n sockets; the server inherits lim too
        n = max(100, (lim - 200) // 2)
        tap.diag("RLIMIT_NOFILE %d: using %d connections" % (lim, n))
    srv = fkv.Server(["--maxclients", str(max(10000, n + 100))])
    socks = []
    try:
        srv.start()
        t0 = time.monotonic()
        socks = connect_all(srv.port, n)
        tap.ok(True, "%d connections opened (%.2f s)" % (
            n, time.monotonic() - t0))

        # Round 1: own key, shared counter.
        reqs, counts = [], []
        for i in range(n):
            reqs.append(fkv.enc("SET", "c:%d" % i, "v-%d" % i) +
                        fkv.enc("INCR", "counter") +
                        fkv.enc("GET", "c:%d" % i) +
                        fkv.enc("PING") +
                        fkv.enc("MGET", "c:%d" % i, "c:none:%d" % i) +
                        fkv.enc("EXISTS", "c:%d" % i, "c:%d" % i))
            counts.append(6)
        t0 = time.monotonic()
        replies, fails = exchange(socks, reqs, counts)
        dt = time.monotonic() - t0
        bad, incrs = [], []
        for i, r in enumerate(replies):
            if r is None:
                continue
            v = b"v-%d" % i
            want = [b"+OK\r\n", None, b"$%d\r\n%s\r\n" % (len(v), v),
                    b"+PONG\r\n",
                    b"*2\r\n$%d\r\n%s\r\n$-1\r\n" % (len(v), v), b":2\r\n"]
            for k, (w, g) in enumerate(zip(want, r)):
                if w is not None and w != g:
                    bad.append("conn %d reply %d: want %s got %s" % (
                        i, k + 1, fkv.show(w), fkv.show(g)))
            if r[1][:1] == b":":
                incrs.append(int(r[1][1:-2]))
            else:
                bad.append("conn %d INCR: %s" % (i, fkv.show(r[1])))
        tap.ok(not fails and not bad,
               "round 1: %d connections x 6 commands, all replies right "
               "(%.2f s)" % (n, dt), "\n".join((fails + bad)[:20]))
        tap.ok(sorted(incrs) == list(range(1, n + 1)),
               "INCR replies are exactly 1..%d" % n,
               "got %d replies, %d distinct, min %s max %s" % (
                   len(incrs), len(set(incrs)), min(incrs, default=None),
                   max(incrs, default=None)))

        # Counted only now: connects completed client-side can wait in the
        # kernel (accept queue full, tcp-backlog) until their first data.
        def all_counted():
            end = time.monotonic() + 30
            c = None
            while time.monotonic() < end:
                c = connected_clients(srv.port)
                if c >= n + 1:
                    return True, None
                time.sleep(0.2)
            return False, "connected_clients %s, want %d" % (c, n + 1)
        tap.run("INFO clients counts all %d (after they talked)" % n,
                all_counted)

        # Round 2: read what the others wrote (keys on other shards).
        reqs, counts, wants = [], [], []
        for i in range(n):
            ks = [(i + d) % n for d in (0, 1, 7, n // 2)]
            reqs.append(fkv.enc("MGET", *["c:%d" % k for k in ks]) +
                        fkv.enc("EXISTS", *["c:%d" % k for k in ks]) +
                        fkv.enc("GET", "counter"))
            counts.append(3)
            arr = b"*4\r\n" + b"".join(
                b"$%d\r\nv-%d\r\n" % (len(b"v-%d" % k), k) for k in ks)
            wants.append([arr, b":4\r\n",
                          b"$%d\r\n%d\r\n" % (len(str(n)), n)])
        t0 = time.monotonic()
        replies, fails = exchange(socks, reqs, counts)
        dt = time.monotonic() - t0
        bad = []
        for i, r in enumerate(replies):
            if r is not None and r != wants[i]:
                bad.append("conn %d: want %s got %s" % (
                    i, fkv.show(b"".join(wants[i])), fkv.show(b"".join(r))))
        tap.ok(not fails and not bad,
               "round 2: cross-connection, cross-shard reads right (%.2f s)" %
               dt, "\n".join((fails + bad)[:20]))

        # Round 3: everyone deletes its key (fan-out DEL with a missing one).
        reqs = [fkv.enc("DEL", "c:%d" % i, "c:none:%d" % i) for i in range(n)]
        replies, fails = exchange(socks, reqs, [1] * n)
        bad = ["conn %d: %s" % (i, fkv.show(r[0])) for i, r in
               enumerate(replies) if r is not None and r[0] != b":1\r\n"]
        tap.ok(not fails and not bad, "round 3: %d DELs" % n,
               "\n".join((fails + bad)[:20]))
        with srv.client() as c:
            r = c.cmd("DBSIZE")
            tap.ok(r == b":1\r\n", "DBSIZE 1 afterwards", fkv.show(r))

        for s in socks:
            s.close()
        socks = []

        def back_to_one():
            end = time.monotonic() + 30
            c = None
            while time.monotonic() < end:
                c = connected_clients(srv.port)
                if c <= 1:
                    return True, None
                time.sleep(0.2)
            return False, "connected_clients still %s" % c
        tap.run("all closed: connected_clients back to 1", back_to_one)

        tap.run("MSET over 6 shards and writes in order, seen by "
                "concurrent readers", lambda: atomic_multikey(srv.port, False))

        # Churn: waves of short-lived connections, some reset, some
        # half-closed after sending.
        def churn():
            fails = []
            for wave in range(5):
                ss = connect_all(srv.port, 400)
                reqs = [fkv.enc("INCR", "churn") for _ in ss]
                replies, f = exchange(ss, reqs, [1] * len(ss))
                fails += f
                for j, s in enumerate(ss):
                    if j % 3 == 0:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    s.close()
            with srv.client() as c:
                r = c.cmd("GET", "churn")
            if r != b"$4\r\n2000\r\n":
                fails.append("churn counter: %s" % fkv.show(r))
            ok, d = back_to_one()
            if not ok:
                fails.append(d)
            return not fails, "\n".join(fails[:20])
        tap.run("churn: 5 waves of 400 short connections", churn)

        tap.run("with RENAME between shards in the same pipelines",
                lambda: atomic_multikey(srv.port, True))
        rc = srv.stop()
        tap.ok(rc == 0, "server exits 0 on SIGTERM",
               "exit %s; log tail:\n%s" % (rc, srv.log_text()[-1500:]))
    finally:
        for s in socks:
            s.close()
        srv.cleanup()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
