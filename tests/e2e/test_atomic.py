#!/usr/bin/env python3
"""Atomicity across shards, hammered: many clients run cross-shard MULTI/EXEC,
WATCH transactions, RENAMENX, MSETNX and SWAPDB while others read, and every
reader checks an invariant that half of one of those commands would break
(a sum of counters that never changes, tokens never lost or duplicated, one
MSETNX winner, a database never seen half swapped).  Then WATCH's rules with
two clients, replayed against Debian's redis-server and compared byte for
byte.

Each hammer runs for a bounded time on two server shapes: three workers
(holds travel as messages between threads) and one worker with five shards
(holds are taken directly).
"""
import random
import threading
import time

import fkv

SECONDS = 2.0


def keys_on_distinct_shards(prefix, n, shards):
    """n keys whose slots fall on n different shards (slot % shards)."""
    keys, seen, i = [], set(), 0
    while len(keys) < n:
        k = "%s:%d" % (prefix, i)
        i += 1
        s = fkv.slot_of(k) % shards
        if s not in seen or len(seen) == shards:
            seen.add(s)
            keys.append(k)
    return keys


def ints(reply):
    """The integers of an MGET-style array reply of bulk strings."""
    return [int(x) for x in reply.split(b"\r\n")[2::2]]


class Hammer:
    """Writers and readers in threads for SECONDS; collects failures."""

    def __init__(self, port):
        self.port = port
        self.stop = threading.Event()
        self.bad = []
        self.counts = {}

    def fail(self, msg):
        if len(self.bad) < 10:
            self.bad.append(msg)
        self.stop.set()

    def count(self, what):
        self.counts[what] = self.counts.get(what, 0) + 1

    def run(self, writers, readers):
        def guarded(fn, i):
            def go():
                try:
                    with fkv.Client(self.port, timeout=30) as c:
                        while not self.stop.is_set():
                            fn(c, i)
                except (OSError, EOFError, ValueError) as e:
                    self.fail("%s: %r" % (fn.__name__, e))
            return go
        ts = [threading.Thread(target=guarded(f, i))
              for i, f in enumerate(writers + readers)]
        for t in ts:
            t.start()
        self.stop.wait(SECONDS)
        self.stop.set()
        for t in ts:
            t.join(60)
        if any(t.is_alive() for t in ts):
            self.fail("a client thread hung")
        return not self.bad, "\n".join(self.bad) + "\ncounts: %r" % self.counts


def transfers_multi(port, shards):
    keys = keys_on_distinct_shards("acct", 6, shards)
    with fkv.Client(port) as c:
        c.cmd("MSET", *[a for k in keys for a in (k, "100")])
    h = Hammer(port)

    def writer(c, i):
        rnd = random.Random(i)
        a, b = rnd.sample(keys, 2)
        r = c.pipeline([("MULTI",), ("DECRBY", a, "7"), ("INCRBY", b, "7"),
                        ("EXEC",)])
        if r[0] != b"+OK\r\n" or r[3][:2] != b"*2":
            h.fail("transfer replies %s" % [fkv.show(x) for x in r])
        h.count("transfers")

    def reader(c, i):
        if i % 2:
            r = c.cmd("MGET", *keys)
        else:  # reads inside a transaction see a consistent state too
            r = c.pipeline([("MULTI",)] + [("GET", k) for k in keys] +
                           [("EXEC",)])[-1]
            r = b"*%d\r\n" % len(keys) + r.split(b"\r\n", 1)[1]
        if sum(ints(r)) != 600:
            h.fail("sum %d: %s" % (sum(ints(r)), fkv.show(r)))
        h.count("reads")

    ok, diag = h.run([writer] * 3, [reader] * 3)
    with fkv.Client(port) as c:
        final = sum(ints(c.cmd("MGET", *keys)))
    if final != 600:
        return False, "final sum %d\n%s" % (final, diag)
    return ok and h.counts.get("transfers", 0) > 0, diag


def transfers_watch(port, shards):
    keys = keys_on_distinct_shards("wacct", 4, shards)
    with fkv.Client(port) as c:
        c.cmd("MSET", *[a for k in keys for a in (k, "50")])
    h = Hammer(port)

    def writer(c, i):
        rnd = random.Random(100 + i)
        a, b = rnd.sample(keys, 2)
        c.cmd("WATCH", a, b)
        va, vb = ints(c.cmd("MGET", a, b))
        r = c.pipeline([("MULTI",), ("SET", a, str(va - 3)),
                        ("SET", b, str(vb + 3)), ("EXEC",)])
        if r[3] in (b"*-1\r\n",):
            h.count("aborted")
        elif r[3] == b"*2\r\n+OK\r\n+OK\r\n":
            h.count("committed")
        else:
            h.fail("WATCH transfer replies %s" % [fkv.show(x) for x in r])

    def reader(c, i):
        r = c.cmd("MGET", *keys)
        if sum(ints(r)) != 200:
            h.fail("sum %d: %s" % (sum(ints(r)), fkv.show(r)))

    ok, diag = h.run([writer] * 4, [reader] * 2)
    with fkv.Client(port) as c:
        final = sum(ints(c.cmd("MGET", *keys)))
    if final != 200:
        return False, "final sum %d (a lost update)\n%s" % (final, diag)
    return ok and h.counts.get("committed", 0) > 0, diag


def rename_tokens(port, shards):
    slots = keys_on_distinct_shards("slot", 8, shards)
    tokens = ["tok%d" % i for i in range(4)]
    with fkv.Client(port) as c:
        c.cmd("DEL", *slots)
        c.cmd("MSET", *[a for s, t in zip(slots, tokens) for a in (s, t)])
    h = Hammer(port)

    def writer(c, i):
        rnd = random.Random(200 + i)
        cmds = [("RENAMENX",) + tuple(rnd.sample(slots, 2)) for _ in range(10)]
        for r in c.pipeline(cmds):
            if r not in (b":1\r\n", b":0\r\n", b"-ERR no such key\r\n"):
                h.fail("RENAMENX reply %s" % fkv.show(r))
        h.count("renames")

    def reader(c, i):
        r = c.cmd("EXISTS", *slots)
        if r != b":4\r\n":
            h.fail("EXISTS over the slots: %s (a token lost or doubled)"
                   % fkv.show(r))

    ok, diag = h.run([writer] * 3, [reader] * 2)
    with fkv.Client(port) as c:
        got = [c.cmd("GET", s) for s in slots]
        vals = sorted(fkv.bulk_text(r).decode() for r in got
                      if r != b"$-1\r\n")
    want = sorted(tokens)
    if vals != want:
        return False, "tokens at the end: %r\n%s" % (vals, diag)
    return ok, diag


def msetnx_rounds(port, shards):
    h = Hammer(port)
    rounds = {"n": 0}
    lock = threading.Lock()

    def keys_of(n):
        return keys_on_distinct_shards("nx%d" % n, 4, shards)

    def writer(c, i):
        with lock:
            n = rounds["n"] // 4
            rounds["n"] += 1
        r = c.cmd("MSETNX", *[a for k in keys_of(n) for a in (k, str(i))])
        if r not in (b":1\r\n", b":0\r\n"):
            h.fail("MSETNX reply %s" % fkv.show(r))

    def reader(c, i):
        n = max(rounds["n"] // 4 - 1, 0)
        vals = c.cmd("MGET", *keys_of(n)).split(b"\r\n")[1:-1]
        if len(set(vals)) != (1 if vals[0] == b"$-1" else 2):
            h.fail("MSETNX seen half done: %r" % vals)

    ok, diag = h.run([writer] * 4, [reader] * 2)
    with fkv.Client(port) as c:
        for n in range(rounds["n"] // 4):
            vals = c.cmd("MGET", *keys_of(n)).split(b"\r\n")[2::2]
            if len(set(vals)) != 1 or len(vals) != 4:
                return False, "round %d: %r\n%s" % (n, vals, diag)
    return ok and rounds["n"] > 0, diag


def swapdb_readers(port, shards):
    keys = keys_on_distinct_shards("swp", 5, shards)
    with fkv.Client(port) as c:
        c.cmd("MSET", *[a for k in keys for a in (k, "1")])
        c.cmd("SELECT", "1")
        c.cmd("MSET", *[a for k in keys for a in (k, "2")])
    h = Hammer(port)

    def writer(c, i):
        r = c.cmd("SWAPDB", "0", "1")
        if r != b"+OK\r\n":
            h.fail("SWAPDB reply %s" % fkv.show(r))
        h.count("swaps")

    def reader(c, i):
        vals = set(ints(c.cmd("MGET", *keys)))
        if len(vals) != 1:
            h.fail("a database seen half swapped: %r" % vals)

    ok, diag = h.run([writer], [reader] * 3)
    with fkv.Client(port) as c:
        c.cmd("FLUSHALL")
    return ok and h.counts.get("swaps", 0) > 0, diag


def vanishing_clients(port, shards):
    """Clients send cross-shard commands (MSET, RENAMENX, WATCH, MULTI)
    and vanish at once, some with a reset, while others transfer and read:
    the invariants hold, every hold is given back (the keys stay usable)
    and the server forgets every client."""
    import socket
    keys = keys_on_distinct_shards("van", 4, shards)
    with fkv.Client(port) as c:
        c.cmd("MSET", *[a for k in keys for a in (k, "25")])
    h = Hammer(port)

    def vanisher(c, i):
        s = socket.create_connection((fkv.HOST, port))
        cmds = [("WATCH",) + tuple(keys), ("MULTI",),
                ("INCRBY", keys[0], "1"), ("DECRBY", keys[1], "1"),
                ("MGET",) + tuple(keys)]
        if i % 2:
            cmds.append(("EXEC",))
        s.sendall(b"".join(fkv.enc(*c) for c in cmds))
        if i % 3 == 0:  # reset instead of a clean close
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        h.count("vanished")

    def reader(c, i):
        r = c.cmd("MGET", *keys)
        if sum(ints(r)) != 100:
            h.fail("sum %d: %s" % (sum(ints(r)), fkv.show(r)))

    ok, diag = h.run([vanisher] * 3, [reader] * 2)
    with fkv.Client(port) as c:
        # every shard answers a command over all of them: no hold was lost
        r = c.cmd("MSET", *[a for k in keys for a in (k, "25")])
        if r != b"+OK\r\n":
            return False, "after: MSET %s\n%s" % (fkv.show(r), diag)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        n = int(fkv.info_field(port, "clients", "connected_clients"))
        if n <= 1:
            break
        time.sleep(0.2)
    if n > 1:
        return False, "connected_clients still %d\n%s" % (n, diag)
    return ok and h.counts.get("vanished", 0) > 0, diag


def shutdown_under_load(shards, args, threads):
    """SIGTERM while many clients run cross-shard commands: the server
    drains and exits 0 (holds in flight are granted and given back)."""
    srv = fkv.Server(args, threads=threads)
    srv.start()
    try:
        keys = keys_on_distinct_shards("sd", 5, shards)
        h = Hammer(srv.port)

        def writer(c, i):
            c.pipeline([("MSET",) + tuple(a for k in keys for a in (k, str(i))),
                        ("MULTI",), ("MGET",) + tuple(keys), ("EXEC",)])

        threads_ = [threading.Thread(target=lambda i=i: _quietly(
            h, writer, i)) for i in range(6)]
        for t in threads_:
            t.start()
        time.sleep(0.5)
        rc = srv.stop(timeout=30)
        h.stop.set()
        for t in threads_:
            t.join(30)
        return rc == 0, "exit code %s; log tail:\n%s" % (
            rc, srv.log_text()[-1500:])
    finally:
        srv.cleanup()


def _quietly(h, fn, i):
    """Run fn until stopped; the server going away ends it quietly."""
    try:
        with fkv.Client(h.port, timeout=30) as c:
            while not h.stop.is_set():
                fn(c, i)
    except (OSError, EOFError, ValueError):
        pass


# ---- WATCH's rules, against redis-server ---------------------------------

# Each scenario: steps (client, command...); "A"/"B" are two connections.
WATCH_SCENARIOS = [
    ("untouched", [("A", "SET", "w1", "1"), ("A", "WATCH", "w1"),
                   ("A", "MULTI"), ("A", "INCR", "w1"), ("A", "EXEC")]),
    ("touched by another client", [
        ("A", "SET", "w1", "1"), ("A", "WATCH", "w1"),
        ("B", "SET", "w1", "1"), ("A", "MULTI"), ("A", "INCR", "w1"),
        ("A", "EXEC"), ("A", "GET", "w1")]),
    ("touched on another shard than the EXEC's keys", [
        ("A", "WATCH", "w{x}"), ("B", "DEL", "w{x}"), ("B", "SET", "w{x}", "b"),
        ("A", "MULTI"), ("A", "SET", "w{y}", "a"), ("A", "EXEC"),
        ("A", "EXISTS", "w{y}")]),
    ("UNWATCH forgets", [
        ("A", "WATCH", "w2"), ("B", "SET", "w2", "x"), ("A", "UNWATCH"),
        ("A", "MULTI"), ("A", "GET", "w2"), ("A", "EXEC")]),
    ("DISCARD forgets the watch", [
        ("A", "WATCH", "w3"), ("B", "SET", "w3", "x"), ("A", "MULTI"),
        ("A", "DISCARD"), ("A", "MULTI"), ("A", "GET", "w3"), ("A", "EXEC")]),
    ("a watched key that expires aborts", [
        ("A", "SET", "w4", "v", "PX", "50"), ("A", "WATCH", "w4"),
        ("A", "SLEEP", "0.2"), ("A", "MULTI"), ("A", "GET", "w4"),
        ("A", "EXEC")]),
    ("an already expired watched key, deleted, is no change", [
        ("A", "SET", "w5", "v", "PX", "20"), ("A", "SLEEP", "0.1"),
        ("A", "WATCH", "w5"), ("B", "GET", "w5"), ("A", "MULTI"),
        ("A", "SET", "w5", "n"), ("A", "EXEC")]),
    ("FLUSHALL touches an existing watched key", [
        ("A", "SET", "w6", "v"), ("A", "WATCH", "w6"), ("B", "FLUSHALL"),
        ("A", "MULTI"), ("A", "PING"), ("A", "EXEC")]),
    ("FLUSHALL leaves a missing watched key alone", [
        ("A", "WATCH", "w7"), ("B", "FLUSHALL"), ("A", "MULTI"),
        ("A", "PING"), ("A", "EXEC")]),
    ("WATCH in another database", [
        ("A", "SELECT", "3"), ("A", "WATCH", "w8"), ("B", "SET", "w8", "db0"),
        ("A", "MULTI"), ("A", "PING"), ("A", "EXEC"), ("B", "SELECT", "3"),
        ("B", "SET", "w8", "db3"), ("A", "WATCH", "w8"), ("B", "SET", "w8", "x"),
        ("A", "MULTI"), ("A", "PING"), ("A", "EXEC")]),
    ("SWAPDB touches watched keys of both", [
        ("A", "SET", "w9", "v"), ("A", "WATCH", "w9"), ("B", "SWAPDB", "0", "1"),
        ("A", "MULTI"), ("A", "PING"), ("A", "EXEC"), ("B", "SWAPDB", "0", "1")]),
    ("MOVE touches the key", [
        ("A", "SET", "w10", "v"), ("A", "WATCH", "w10"),
        ("B", "MOVE", "w10", "2"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC"), ("B", "SELECT", "2"), ("B", "DEL", "w10")]),
    ("RENAME across shards touches both keys", [
        ("A", "SET", "wr{a}", "v"), ("A", "WATCH", "wr{b}"),
        ("B", "RENAME", "wr{a}", "wr{b}"), ("A", "MULTI"), ("A", "PING"),
        ("A", "EXEC"), ("A", "GET", "wr{b}")]),
    ("errors while queueing abort EXEC", [
        ("A", "MULTI"), ("A", "SET", "q"), ("A", "NOSUCH"), ("A", "INCR", "q"),
        ("A", "EXEC"), ("A", "EXISTS", "q")]),
    ("an unknown subcommand while queueing aborts EXEC", [
        ("A", "MULTI"), ("A", "OBJECT", "NOSUCH", "q"), ("A", "SET", "q", "1"),
        ("A", "EXEC"), ("A", "MULTI"), ("A", "CLIENT", "NOSUCH"),
        ("A", "EXEC"), ("A", "EXISTS", "q")]),
    ("a subcommand's arity while queueing aborts EXEC", [
        ("A", "MULTI"), ("A", "CLIENT", "SETNAME"), ("A", "SET", "q", "1"),
        ("A", "EXEC"), ("A", "MULTI"), ("A", "OBJECT", "ENCODING"),
        ("A", "EXEC"), ("A", "MULTI"), ("A", "CONFIG", "GET"), ("A", "EXEC"),
        ("A", "EXISTS", "q")]),
    ("containers queue with their subcommands", [
        ("A", "SET", "q", "12"), ("A", "MULTI"), ("A", "OBJECT", "ENCODING", "q"),
        ("A", "CLIENT", "GETNAME"), ("A", "COMMAND", "INFO", "get"),
        ("A", "MEMORY", "USAGE", "nosuch"), ("A", "EXEC")]),
    ("runtime errors do not abort", [
        ("A", "SET", "s", "abc"), ("A", "MULTI"), ("A", "INCR", "s"),
        ("A", "SET", "s2", "x"), ("A", "EXEC"), ("A", "GET", "s2")]),
    ("nesting and misplaced commands", [
        ("A", "EXEC"), ("A", "DISCARD"), ("A", "MULTI"), ("A", "MULTI"),
        ("A", "WATCH", "x"), ("A", "EXEC"), ("A", "UNWATCH")]),
    ("RESET leaves MULTI and the watch", [
        ("A", "WATCH", "w11"), ("A", "MULTI"), ("A", "SET", "w11", "1"),
        ("A", "RESET"), ("B", "SET", "w11", "2"), ("A", "EXEC"),
        ("A", "GET", "w11")]),
    ("SELECT inside MULTI", [
        ("A", "MULTI"), ("A", "SELECT", "4"), ("A", "SET", "sel", "4"),
        ("A", "SELECT", "0"), ("A", "GET", "sel"), ("A", "EXEC"),
        ("A", "SELECT", "4"), ("A", "GET", "sel"), ("A", "DEL", "sel")]),
    ("cross-shard commands inside MULTI", [
        ("A", "MULTI"), ("A", "MSET", "m{1}", "a", "m{2}", "b", "m{3}", "c"),
        ("A", "MGET", "m{1}", "m{2}", "m{3}"),
        ("A", "RENAME", "m{1}", "m{4}"), ("A", "COPY", "m{2}", "m{5}"),
        ("A", "MSETNX", "m{6}", "x", "m{2}", "y"), ("A", "DEL", "m{3}", "m{5}"),
        ("A", "DBSIZE"), ("A", "EXEC"), ("A", "FLUSHALL")]),
]


def replay(port, steps, proto):
    out = []
    conns = {}
    try:
        for who, *cmd in steps:
            if who not in conns:
                conns[who] = fkv.Client(port)
                if proto == 3:
                    conns[who].cmd("HELLO", "3")
            if cmd[0] == "SLEEP":
                time.sleep(float(cmd[1]))
                continue
            out.append((who, " ".join(cmd), conns[who].cmd(*cmd)))
    finally:
        for c in conns.values():
            c.close()
    return out


def watch_rules(fport, rport, steps, proto):
    got, want = replay(fport, steps, proto), replay(rport, steps, proto)
    for (who, cmd, g), (_, _, w) in zip(got, want):
        if g != w:
            return False, "%s: %s\n  flashkv: %s\n  redis:   %s" % (
                who, cmd, fkv.show(g), fkv.show(w))
    return True, None


def main():
    tap = fkv.Tap()
    hammers = [
        ("MULTI/EXEC transfers keep the sum", transfers_multi),
        ("WATCH transfers keep the sum (no lost update)", transfers_watch),
        ("RENAMENX tokens never lost or doubled", rename_tokens),
        ("MSETNX: one winner per round, never half", msetnx_rounds),
        ("SWAPDB never seen half done", swapdb_readers),
        ("clients vanishing mid-transaction", vanishing_clients),
    ]
    for shape, args, shards in (("3 workers", [], 3),
                                ("1 worker, 5 shards", ["--shards", "5"], 5)):
        threads = 3 if shape.startswith("3") else 1
        with fkv.Server(args, threads=threads) as srv:
            for name, fn in hammers:
                tap.run("%s: %s" % (shape, name),
                        lambda fn=fn: fn(srv.port, shards))
            tap.ok(srv.alive(), "%s: server alive after the hammers" % shape)
            rc = srv.stop()
            tap.ok(rc == 0, "%s: server exits 0 (sanitizer builds: no "
                   "report, no leak)" % shape, srv.log_text()[-2000:])
        tap.run("%s: SIGTERM under cross-shard load: exits 0" % shape,
                lambda: shutdown_under_load(shards, args, threads))
    if not fkv.have_redis_server():
        for name, _ in WATCH_SCENARIOS:
            tap.skip("WATCH rules: " + name, "redis-server not installed")
        return tap.done()
    with fkv.Server(threads=3) as srv, fkv.RedisServer() as red:
        for name, steps in WATCH_SCENARIOS:
            for proto in (2, 3):
                for port in (srv.port, red.port):
                    with fkv.Client(port) as c:
                        c.cmd("FLUSHALL")
                tap.run("WATCH rules (RESP%d): %s" % (proto, name),
                        lambda s=steps, p=proto: watch_rules(
                            srv.port, red.port, s, p))
        rc = srv.stop()
        tap.ok(rc == 0, "server exits 0 after the WATCH rules",
               srv.log_text()[-2000:])
    return tap.done()


if __name__ == "__main__":
    raise SystemExit(main())
