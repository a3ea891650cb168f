#!/usr/bin/env python3
"""Atomicity across shards for the collections, hammered: writers move
members between sets (SMOVE) and elements between lists (LMOVE,
RPOPLPUSH) that live on different shards, while readers check in one step
(a cross-shard SUNION, or a MULTI/EXEC of reads) that nothing was lost or
seen twice: the totals never change.

Each hammer runs for a bounded time on two server shapes: three workers
(holds travel as messages between threads) and one worker with five shards
(holds are taken directly).  Also run against the ThreadSanitizer build.
"""
import random

import fkv
from test_atomic import Hammer, keys_on_distinct_shards

MEMBERS = ["m%d" % i for i in range(40)]
TOKENS = ["t%d" % i for i in range(30)]


def array_items(reply):
    """Bulk strings of a flat array reply (RESP2), as text."""
    parts = reply.split(b"\r\n")
    return [p.decode() for p in parts[2::2] if p != b""][:int(parts[0][1:])]


def exec_ints(reply):
    """The integer replies inside an EXEC reply."""
    return [int(p[1:]) for p in reply.split(b"\r\n")[1:] if p[:1] == b":"]


def smove_members(port, shards):
    sets = keys_on_distinct_shards("set", 5, shards)
    with fkv.Client(port) as c:
        c.cmd("DEL", *sets)
        for i, m in enumerate(MEMBERS):
            c.cmd("SADD", sets[i % len(sets)], m)
    h = Hammer(port)

    def writer(c, i):
        rnd = random.Random(300 + i)
        cmds = [("SMOVE", rnd.choice(sets), rnd.choice(sets), rnd.choice(MEMBERS))
                for _ in range(20)]
        for r in c.pipeline(cmds):
            if r not in (b":1\r\n", b":0\r\n"):
                h.fail("SMOVE reply %s" % fkv.show(r))
        h.count("smoves")

    def reader(c, i):
        if i % 2:
            got = sorted(array_items(c.cmd("SUNION", *sets)))
            if got != sorted(MEMBERS):
                h.fail("SUNION saw %d members" % len(got))
        else:
            r = c.pipeline([("MULTI",)] + [("SCARD", s) for s in sets] +
                           [("EXEC",)])[-1]
            if sum(exec_ints(r)) != len(MEMBERS):
                h.fail("SCARDs inside MULTI sum to %d" % sum(exec_ints(r)))
        h.count("reads")

    ok, diag = h.run([writer] * 3, [reader] * 3)
    with fkv.Client(port) as c:
        got = sorted(array_items(c.cmd("SUNION", *sets)))
        total = sum(int(c.cmd("SCARD", s)[1:-2]) for s in sets)
    if got != sorted(MEMBERS) or total != len(MEMBERS):
        return False, "at the end: %d members, SCARD sum %d\n%s" % (
            len(got), total, diag)
    return ok and h.counts.get("smoves", 0) > 0, diag


def lmove_tokens(port, shards):
    lists = keys_on_distinct_shards("list", 5, shards)
    with fkv.Client(port) as c:
        c.cmd("DEL", *lists)
        for i, t in enumerate(TOKENS):
            c.cmd("RPUSH", lists[i % len(lists)], t)
    h = Hammer(port)
    ends = ("LEFT", "RIGHT")

    def writer(c, i):
        rnd = random.Random(400 + i)
        cmds = []
        for _ in range(20):
            a, b = rnd.choice(lists), rnd.choice(lists)  # a == b: rotation
            if rnd.random() < 0.5:
                cmds.append(("LMOVE", a, b, rnd.choice(ends), rnd.choice(ends)))
            else:
                cmds.append(("RPOPLPUSH", a, b))
        for r in c.pipeline(cmds):
            if r[:1] != b"$":
                h.fail("move reply %s" % fkv.show(r))
        h.count("moves")

    def reader(c, i):
        r = c.pipeline([("MULTI",)] + [("LRANGE", l, "0", "-1") for l in lists] +
                       [("EXEC",)])[-1]
        got = sorted(x.decode() for x in r.split(b"\r\n")
                     if x[:1] == b"t")
        if got != sorted(TOKENS):
            h.fail("lists inside MULTI hold %d tokens (%d distinct)"
                   % (len(got), len(set(got))))
        h.count("reads")

    ok, diag = h.run([writer] * 3, [reader] * 2)
    with fkv.Client(port) as c:
        got = []
        for l in lists:
            got += array_items(c.cmd("LRANGE", l, "0", "-1"))
    if sorted(got) != sorted(TOKENS):
        return False, "tokens at the end: %d (%d distinct)\n%s" % (
            len(got), len(set(got)), diag)
    return ok and h.counts.get("moves", 0) > 0, diag


def main():
    tap = fkv.Tap()
    hammers = [
        ("SMOVE between sets on different shards keeps every member once",
         smove_members),
        ("LMOVE/RPOPLPUSH between lists keep every element once",
         lmove_tokens),
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
    return tap.done()


if __name__ == "__main__":
    raise SystemExit(main())
