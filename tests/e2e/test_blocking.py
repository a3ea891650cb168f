#!/usr/bin/env python3
"""Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
BZPOPMAX, BZMPOP), end to end.

1. Scenarios with several clients, run on FlashKV (two workers, four
   shards: the keys of one scenario sit on different shards) and on
   Debian's redis-server, in RESP2 and RESP3; every reply of every client
   must be byte-identical: order of service, waits on several keys, pushes
   inside MULTI, chains of BLMOVE, timeouts, CLIENT UNBLOCK, disconnects,
   type changes, RENAME/COPY/MOVE/SWAPDB feeding a waited key.
2. A hammer: many consumers blocking on random sets of keys on every
   shard while producers push unique tokens; every token pushed is
   received by exactly one consumer or still in a list at the end.
   Also run against the ThreadSanitizer build.
"""
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

SHARDS = 4


def key_on(shard, prefix):
    """A key named prefix:<n> whose slot falls on @shard."""
    i = 0
    while True:
        k = "%s:%d" % (prefix, i)
        if fkv.slot_of(k) % SHARDS == shard:
            return k
        i += 1


# Keys of the scenarios, each on its own shard (k1..k4 on shards 0..3).
K = {"k1": key_on(0, "a"), "k2": key_on(1, "b"), "k3": key_on(2, "c"),
     "k4": key_on(3, "d")}

# Steps: (client, "send", args...) sends without waiting; (client, "recv")
# reads one reply; (client, "cmd", args...) sends and reads; ("sleep", s)
# waits s seconds and then until every client with a command in flight is
# blocked or has its reply (a loaded machine may take longer than s);
# (client, "close").  "$id:X" in args is client X's CLIENT ID; k1..k4 are
# the keys above.  Every reply read is compared with redis-server's.
SCENARIOS = [
    ("FIFO: two waiters on one key, served in arrival order", [
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("B", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k1", "x", "y", "z"),
        ("A", "recv"), ("B", "recv"), ("C", "cmd", "LRANGE", "k1", "0", "-1")]),
    ("several keys on different shards: served from the key that gets data", [
        ("A", "send", "BLPOP", "k1", "k2", "k3", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k3", "v3"), ("A", "recv"),
        ("C", "cmd", "RPUSH", "k1", "v1"), ("C", "cmd", "LLEN", "k1")]),
    ("a waiter on several keys keeps its place in each key's queue", [
        ("A", "send", "BRPOP", "k1", "k2", "0"), ("sleep", 0.1),
        ("B", "send", "BRPOP", "k2", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k2", "one"), ("A", "recv"),
        ("C", "cmd", "RPUSH", "k2", "two"), ("B", "recv")]),
    ("pushes inside MULTI: served after EXEC, seeing its final state", [
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "MULTI"), ("C", "cmd", "RPUSH", "k1", "a"),
        ("C", "cmd", "RPUSH", "k1", "b"), ("C", "cmd", "LPOP", "k1"),
        ("C", "cmd", "EXEC"), ("A", "recv"), ("C", "cmd", "EXISTS", "k1")]),
    ("a blocking command inside MULTI does not block", [
        ("A", "cmd", "MULTI"), ("A", "cmd", "BLPOP", "k1", "0"),
        ("A", "cmd", "BLMOVE", "k1", "k2", "LEFT", "LEFT", "0"),
        ("A", "cmd", "BLMPOP", "0", "2", "k1", "k2", "LEFT"),
        ("A", "cmd", "EXEC")]),
    ("a chain of BLMOVE across shards", [
        ("A", "send", "BLMOVE", "k1", "k2", "LEFT", "RIGHT", "0"), ("sleep", 0.1),
        ("B", "send", "BLMOVE", "k2", "k3", "RIGHT", "LEFT", "0"), ("sleep", 0.1),
        ("D", "send", "BLPOP", "k3", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k1", "job"), ("A", "recv"), ("B", "recv"),
        ("D", "recv"), ("C", "cmd", "EXISTS", "k1", "k2", "k3")]),
    ("BRPOPLPUSH with the same source and destination", [
        ("A", "send", "BRPOPLPUSH", "k1", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k1", "a", "b"), ("A", "recv"),
        ("C", "cmd", "LRANGE", "k1", "0", "-1")]),
    ("timeouts, and the timeout's errors", [
        ("A", "cmd", "BLPOP", "k1", "0.05"),
        ("A", "cmd", "BLMOVE", "k1", "k2", "LEFT", "LEFT", "0.05"),
        ("A", "cmd", "BRPOPLPUSH", "k1", "k2", "0.05"),
        ("A", "cmd", "BLMPOP", "0.05", "1", "k1", "RIGHT", "COUNT", "3"),
        ("A", "cmd", "BLPOP", "k1", "-1"), ("A", "cmd", "BLPOP", "k1", "abc"),
        ("A", "cmd", "BLPOP", "k1", "inf"), ("A", "cmd", "BLPOP", "k1", "1e400"),
        ("A", "cmd", "BLMOVE", "k1", "k2", "UP", "LEFT", "abc"),
        ("A", "cmd", "BLMPOP", "x", "1", "k1", "LEFT"),
        ("A", "cmd", "BLMPOP", "0", "0", "k1", "LEFT"),
        ("A", "cmd", "BLPOP", "k1")]),
    ("data there already: answered at once, wrong types refused", [
        ("C", "cmd", "RPUSH", "k1", "a", "b"), ("C", "cmd", "SET", "k2", "s"),
        ("A", "cmd", "BLPOP", "k1", "0"), ("A", "cmd", "BLPOP", "k2", "k1", "0"),
        ("A", "cmd", "BLMPOP", "0", "2", "k3", "k1", "RIGHT", "COUNT", "5"),
        ("A", "cmd", "BLMOVE", "k2", "k1", "LEFT", "LEFT", "0"),
        ("C", "cmd", "RPUSH", "k3", "x"),
        ("A", "cmd", "BLMOVE", "k3", "k2", "LEFT", "LEFT", "0"),
        ("C", "cmd", "LLEN", "k3")]),
    ("a key that turns into another type keeps its waiter waiting", [
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "SET", "k1", "str"), ("sleep", 0.1), ("C", "cmd", "DEL", "k1"),
        ("C", "cmd", "SADD", "k1", "m"), ("sleep", 0.1), ("C", "cmd", "DEL", "k1"),
        ("C", "cmd", "RPUSH", "k1", "x"), ("A", "recv")]),
    ("BLMOVE whose destination has the wrong type: an error, nothing lost", [
        ("C", "cmd", "SET", "k2", "str"),
        ("A", "send", "BLMOVE", "k1", "k2", "LEFT", "LEFT", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k1", "x"), ("A", "recv"),
        ("C", "cmd", "LRANGE", "k1", "0", "-1")]),
    ("CLIENT UNBLOCK with TIMEOUT and with ERROR", [
        ("A", "cmd", "CLIENT", "UNBLOCK", "$id:A"),
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "CLIENT", "UNBLOCK", "$id:A"), ("A", "recv"),
        ("A", "send", "BLMOVE", "k1", "k2", "LEFT", "LEFT", "0"), ("sleep", 0.1),
        ("C", "cmd", "CLIENT", "UNBLOCK", "$id:A", "ERROR"), ("A", "recv"),
        ("C", "cmd", "CLIENT", "UNBLOCK", "$id:A", "maybe"),
        ("C", "cmd", "CLIENT", "UNBLOCK", "notanid")]),
    ("a waiter that disconnects takes nothing", [
        ("A", "send", "BLPOP", "k1", "0"), ("B", "send", "BLPOP", "k1", "0"),
        ("sleep", 0.1), ("A", "close"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k1", "x", "y"), ("B", "recv"),
        ("C", "cmd", "LRANGE", "k1", "0", "-1")]),
    ("fed by LMOVE, RENAME, COPY, MOVE and SWAPDB", [
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k2", "m"), ("C", "cmd", "LMOVE", "k2", "k1", "LEFT", "LEFT"),
        ("A", "recv"),
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k3", "r"), ("C", "cmd", "RENAME", "k3", "k1"), ("A", "recv"),
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k4", "c"), ("C", "cmd", "COPY", "k4", "k1"), ("A", "recv"),
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "SELECT", "1"), ("C", "cmd", "RPUSH", "k1", "mv"),
        ("C", "cmd", "MOVE", "k1", "0"), ("A", "recv"),
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k1", "sw"), ("C", "cmd", "SWAPDB", "0", "1"), ("A", "recv")]),
    ("FLUSHALL leaves waiters waiting", [
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "FLUSHALL"), ("C", "cmd", "RPUSH", "k1", "x"), ("A", "recv")]),
    ("BLMPOP with COUNT from the key that gets data", [
        ("A", "send", "BLMPOP", "0", "3", "k1", "k2", "k3", "RIGHT", "COUNT", "2"),
        ("sleep", 0.1), ("C", "cmd", "RPUSH", "k2", "1", "2", "3"), ("A", "recv"),
        ("C", "cmd", "LRANGE", "k2", "0", "-1")]),
    ("BZPOPMIN and BZPOPMAX across shards, woken by ZADD", [
        ("A", "send", "BZPOPMIN", "k1", "k2", "0"), ("sleep", 0.1),
        ("B", "send", "BZPOPMAX", "k2", "0"), ("sleep", 0.1),
        ("C", "cmd", "ZADD", "k2", "1", "a", "2.5", "b", "3", "c"), ("A", "recv"),
        ("B", "recv"), ("C", "cmd", "ZRANGE", "k2", "0", "-1", "WITHSCORES")]),
    ("BZMPOP with COUNT, woken by a ZUNIONSTORE from another shard", [
        ("C", "cmd", "ZADD", "k3", "1", "x", "2", "y", "3", "z"),
        ("A", "send", "BZMPOP", "0", "2", "k1", "k2", "MAX", "COUNT", "2"), ("sleep", 0.1),
        ("C", "cmd", "ZUNIONSTORE", "k2", "2", "k3", "k4", "WEIGHTS", "2", "1"), ("A", "recv"),
        ("C", "cmd", "ZRANGE", "k2", "0", "-1", "WITHSCORES")]),
    ("a list pushed to a key does not wake a sorted-set waiter", [
        ("A", "send", "BZPOPMIN", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "RPUSH", "k1", "x"), ("sleep", 0.1), ("C", "cmd", "DEL", "k1"),
        ("C", "cmd", "ZADD", "k1", "5", "m"), ("A", "recv"), ("C", "cmd", "EXISTS", "k1")]),
    ("sorted-set pops: at once, inside MULTI, timeouts and errors", [
        ("C", "cmd", "ZADD", "k1", "1", "a", "2", "b"), ("C", "cmd", "SET", "k2", "s"),
        ("A", "cmd", "BZPOPMAX", "k3", "k1", "0"), ("A", "cmd", "BZPOPMIN", "k2", "k1", "0"),
        ("A", "cmd", "BZMPOP", "0", "2", "k3", "k1", "MIN", "COUNT", "9"),
        ("A", "cmd", "MULTI"), ("A", "cmd", "BZPOPMIN", "k1", "0"),
        ("A", "cmd", "BZMPOP", "0", "1", "k1", "MAX"), ("A", "cmd", "EXEC"),
        ("A", "cmd", "BZPOPMIN", "k1", "0.05"), ("A", "cmd", "BZMPOP", "0.05", "1", "k1", "MAX"),
        ("A", "cmd", "BZPOPMIN", "k1", "-1"), ("A", "cmd", "BZMPOP", "x", "1", "k1", "MIN"),
        ("A", "cmd", "BZMPOP", "0", "0", "k1", "MIN"), ("A", "cmd", "BZMPOP", "0", "1", "k1", "UP"),
        ("A", "cmd", "BZMPOP", "0", "1", "k1", "MIN", "COUNT", "0"), ("A", "cmd", "BZPOPMIN", "k1")]),
    ("CLIENT UNBLOCK and a disconnect while waiting on sorted sets", [
        ("A", "send", "BZMPOP", "0", "2", "k1", "k2", "MIN"), ("sleep", 0.1),
        ("C", "cmd", "CLIENT", "UNBLOCK", "$id:A", "ERROR"), ("A", "recv"),
        ("A", "send", "BZPOPMIN", "k1", "0"), ("B", "send", "BZPOPMIN", "k1", "0"),
        ("sleep", 0.1), ("A", "close"), ("sleep", 0.1),
        ("C", "cmd", "ZADD", "k1", "1", "a", "2", "b"), ("B", "recv"),
        ("C", "cmd", "ZRANGE", "k1", "0", "-1")]),
    ("INFO blocked_clients and CLIENT LIST's b flag", [
        ("A", "send", "BLPOP", "k1", "0"), ("sleep", 0.1),
        ("C", "cmd", "CLIENT", "UNBLOCK", "$id:A"), ("A", "recv")]),
]


def subst(args, ids):
    out = []
    for a in args:
        if a in K:
            out.append(K[a])
        elif a.startswith("$id:"):
            out.append(ids[a[4:]])
        else:
            out.append(a)
    return out


def settle(port, clients, ids, in_flight, limit=10.0):
    """Wait until every client with a command in flight is either blocked
    (flag b in CLIENT LIST) or has its reply waiting, at most @limit s."""
    end = time.monotonic() + limit
    with fkv.Client(port) as ctl:
        while time.monotonic() < end:
            waiting = [n for n, k in in_flight.items() if k > 0
                       and not clients[n].readable()]
            if not waiting:
                return
            flags = dict(re.findall(rb"id=(\d+) .*? flags=(\S+)",
                                    ctl.cmd("CLIENT", "LIST")))
            if all(b"b" in flags.get(ids[n].encode(), b"") for n in waiting):
                return
            time.sleep(0.02)


def run(port, steps, proto):
    clients, ids, got = {}, {}, []
    in_flight = {}

    def cl(name):
        if name not in clients:
            c = fkv.Client(port, timeout=10)
            if proto == 3:
                c.cmd("HELLO", "3")
            clients[name] = c
            ids[name] = c.cmd("CLIENT", "ID")[1:-2].decode()
        return clients[name]
    try:
        with fkv.Client(port) as c0:
            c0.cmd("FLUSHALL")
        for name in "ABCD":
            cl(name)
        for st in steps:
            if st[0] == "sleep":
                time.sleep(st[1])
                settle(port, clients, ids, in_flight)
                continue
            name, what, args = st[0], st[1], list(st[2:])
            c = cl(name)
            if what == "close":
                c.close()
                del clients[name]
                in_flight.pop(name, None)
                continue
            if what in ("send", "cmd"):
                c.send(fkv.enc(*subst(args, ids)))
                in_flight[name] = in_flight.get(name, 0) + 1
            if what in ("recv", "cmd"):
                in_flight[name] -= 1
                got.append((name, " ".join(args) or "(reply)", c.reply()))
    finally:
        for c in clients.values():
            c.close()
    return got


def compare(fport, rport, steps, proto):
    got, want = run(fport, steps, proto), run(rport, steps, proto)
    for (n, what, g), (_, _, w) in zip(got, want):
        if g != w:
            return False, "client %s, %s:\n  flashkv: %s\n  redis:   %s" % (
                n, what, fkv.show(g), fkv.show(w))
    return len(got) == len(want), "%d vs %d replies" % (len(got), len(want))


def info_and_flags(port):
    """INFO blocked_clients and CLIENT LIST's flag while one waits."""
    with fkv.Client(port) as a, fkv.Client(port) as c:
        a.send(fkv.enc("BLPOP", K["k1"], "0"))
        end = time.monotonic() + 10
        while True:
            info = c.cmd("INFO", "clients")
            if b"blocked_clients:1\r\n" in info or time.monotonic() > end:
                break
            time.sleep(0.02)
        lst = c.cmd("CLIENT", "LIST")
        ok = b"blocked_clients:1\r\n" in info and b" flags=b " in lst
        c.cmd("RPUSH", K["k1"], "x")
        r = a.reply()
        info2 = c.cmd("INFO", "clients")
        ok = ok and r.endswith(b"$1\r\nx\r\n") and b"blocked_clients:0\r\n" in info2
        return ok, "INFO %s\nLIST %s\nreply %s" % (fkv.show(info), fkv.show(lst),
                                                     fkv.show(r))


def hammer(port, seconds=3.0):
    """Consumers BLPOP/BRPOP/BLMPOP on random keys of every shard, some
    moving with BLMOVE to a list the others also read; producers push
    unique tokens.  Every token ends with exactly one consumer or in a
    list."""
    keys = [key_on(s % SHARDS, "h%d" % s) for s in range(8)]
    stop = threading.Event()
    pushed, received, errors = [], [], []
    lock = threading.Lock()

    def consumer(i):
        rnd = random.Random(i)
        try:
            with fkv.Client(port, timeout=30) as c:
                while not stop.is_set():
                    ks = rnd.sample(keys, rnd.randrange(1, 4))
                    kind = rnd.randrange(4)
                    if kind == 0:
                        r = c.cmd("BLPOP", *ks, "0.05")
                    elif kind == 1:
                        r = c.cmd("BRPOP", *ks, "0.05")
                    elif kind == 2:
                        r = c.cmd("BLMPOP", "0.05", str(len(ks)), *ks, "LEFT",
                                  "COUNT", "2")
                    else:
                        # Moved elements stay in the game (another list).
                        r = c.cmd("BLMOVE", ks[0], rnd.choice(keys), "LEFT",
                                  "RIGHT", "0.05")
                        if r[:1] not in (b"$", b"_") and r != b"*-1\r\n":
                            errors.append("BLMOVE %s" % fkv.show(r))
                        continue
                    if r in (b"*-1\r\n", b"_\r\n"):
                        continue
                    toks = [t.decode() for t in r.split(b"\r\n")
                            if t.startswith(b"t")]
                    with lock:
                        received.extend(toks)
        except (OSError, EOFError, ValueError) as e:
            errors.append("consumer %d: %r" % (i, e))

    def producer(i):
        rnd = random.Random(1000 + i)
        n = 0
        try:
            with fkv.Client(port, timeout=30) as c:
                while not stop.is_set():
                    toks = ["t%d_%d" % (i, n + j) for j in range(rnd.randrange(1, 4))]
                    n += len(toks)
                    c.cmd(rnd.choice(["RPUSH", "LPUSH"]), rnd.choice(keys), *toks)
                    with lock:
                        pushed.extend(toks)
                    time.sleep(rnd.random() * 0.002)
        except (OSError, EOFError, ValueError) as e:
            errors.append("producer %d: %r" % (i, e))

    ts = [threading.Thread(target=consumer, args=(i,)) for i in range(12)] + \
         [threading.Thread(target=producer, args=(i,)) for i in range(3)]
    for t in ts:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in ts:
        t.join(60)
    with fkv.Client(port) as c:
        left = []
        for k in keys:
            r = c.cmd("LRANGE", k, "0", "-1")
            left += [t.decode() for t in r.split(b"\r\n") if t.startswith(b"t")]
    seen = received + left
    dup = len(seen) - len(set(seen))
    missing = set(pushed) - set(seen)
    extra = set(seen) - set(pushed)
    ok = not errors and not dup and not missing and not extra and len(received) > 0
    return ok, "pushed %d, received %d, left %d, dup %d, missing %d, extra %d; %s" % (
        len(pushed), len(received), len(left), dup, len(missing), len(extra),
        errors[:3])


def main():
    tap = fkv.Tap()
    args = ["--shards", str(SHARDS)]
    if not fkv.have_redis_server():
        for name, _ in SCENARIOS:
            tap.skip(name, "redis-server not installed")
    else:
        with fkv.Server(args, threads=2) as srv, fkv.RedisServer() as red:
            for name, steps in SCENARIOS:
                for proto in (2, 3):
                    tap.run("%s (RESP%d)" % (name, proto),
                            lambda s=steps, p=proto: compare(srv.port, red.port, s, p))
            rc = srv.stop()
            tap.ok(rc == 0, "server exits 0 after the scenarios", srv.log_text()[-1500:])
    for shape, threads in (("2 workers, 4 shards", 2), ("1 worker, 4 shards", 1)):
        with fkv.Server(args, threads=threads) as srv:
            tap.run("%s: INFO blocked_clients, CLIENT LIST flag b" % shape,
                    lambda: info_and_flags(srv.port))
            tap.run("%s: hammer: every token received once or left" % shape,
                    lambda: hammer(srv.port))
            rc = srv.stop()
            tap.ok(rc == 0, "%s: server exits 0 (sanitizer builds: no report)" % shape,
                   srv.log_text()[-1500:])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
