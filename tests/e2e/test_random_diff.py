#!/usr/bin/env python3
"""Random differential test: seeded random sequences of string, key, list,
set, hash, sorted-set and bitmap commands over a few keys (so they collide across shards), some of them
grouped in MULTI/EXEC, some pipelined, sent to FlashKV (three workers, five
shards: most multi-key commands span shards) and to Debian's redis-server;
every reply must be byte-identical, in RESP2 and RESP3.  Six seeds by
default; SEED0=a SEED1=b explores seeds a..b-1 (113 seeds passed when it
was written)."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

KEYS = ["a", "b", "c", "d", "e", "{a}x", "n1", "n2"]
COMMANDS = 400


def random_command(rnd):
    k = lambda: rnd.choice(KEYS)  # noqa: E731
    v = lambda: rnd.choice(["1", "2", "10", "-3", "x", "hello", "", "3.5"])  # noqa: E731
    e = lambda: rnd.choice(["1", "2", "-3", "x", "y", "", "12345678901"])  # noqa: E731
    end = lambda: rnd.choice(["LEFT", "RIGHT"])  # noqa: E731
    idx = lambda: str(rnd.randrange(-4, 4))  # noqa: E731
    sc = lambda: rnd.choice(["1", "2", "-1.5", "0", "inf", "-inf", "3e2", "x"])  # noqa: E731
    bound = lambda: rnd.choice(["-inf", "+inf", "0", "(1", "2", "(-1.5", "x"])  # noqa: E731
    table = [
        lambda: ("SET", k(), v()),
        lambda: ("GET", k()),
        lambda: ("INCR", k()),
        lambda: ("INCRBY", k(), rnd.choice(["2", "-5", "x"])),
        lambda: ("INCRBYFLOAT", k(), rnd.choice(["1.5", "-2", "x"])),
        lambda: ("DEL", k(), k()),
        lambda: ("EXISTS", k(), k(), k()),
        lambda: ("MSET", k(), v(), k(), v()),
        lambda: ("MGET", k(), k(), k()),
        lambda: ("MSETNX", k(), v(), k(), v()),
        lambda: ("RENAME", k(), k()),
        lambda: ("RENAMENX", k(), k()),
        lambda: ("COPY", k(), k()) if rnd.random() < 0.5
        else ("COPY", k(), k(), "REPLACE"),
        lambda: ("APPEND", k(), v()),
        lambda: ("GETDEL", k()),
        lambda: ("GETSET", k(), v()),
        lambda: ("STRLEN", k()),
        lambda: ("LCS", k(), k()),
        lambda: ("SETRANGE", k(), str(rnd.randrange(4)), v()),
        lambda: ("GETRANGE", k(), "0", str(rnd.randrange(-2, 4))),
        lambda: ("SETNX", k(), v()),
        lambda: ("TYPE", k()),
        lambda: ("DBSIZE",),
        lambda: ("SELECT", rnd.choice(["0", "1"])),
        # lists: replies are deterministic whatever the encoding
        lambda: ("LPUSH", k(), e(), e()),
        lambda: ("RPUSH", k(), e()),
        lambda: ("LPOP", k()) if rnd.random() < 0.5 else ("LPOP", k(), idx()),
        lambda: ("RPOP", k()),
        lambda: ("LRANGE", k(), idx(), idx()),
        lambda: ("LLEN", k()),
        lambda: ("LINDEX", k(), idx()),
        lambda: ("LSET", k(), idx(), e()),
        lambda: ("LREM", k(), idx(), e()),
        lambda: ("LINSERT", k(), rnd.choice(["BEFORE", "AFTER"]), e(), e()),
        lambda: ("LMOVE", k(), k(), end(), end()),
        lambda: ("RPOPLPUSH", k(), k()),
        lambda: ("LMPOP", "2", k(), k(), end()),
        lambda: ("LPOS", k(), e()),
        # sets: only order-free replies (a hashtable set's order is Redis's)
        lambda: ("SADD", k(), e(), e()),
        lambda: ("SREM", k(), e()),
        lambda: ("SCARD", k()),
        lambda: ("SISMEMBER", k(), e()),
        lambda: ("SMISMEMBER", k(), e(), e()),
        lambda: ("SMOVE", k(), k(), e()),
        lambda: ("SINTERCARD", "2", k(), k()),
        lambda: (rnd.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]),
                 k(), k(), k()),
        # hashes: small ones stay listpacks in both, in insertion order
        lambda: ("HSET", k(), e(), v(), e(), v()),
        lambda: ("HGET", k(), e()),
        lambda: ("HDEL", k(), e(), e()),
        lambda: ("HLEN", k()),
        lambda: ("HINCRBY", k(), e(), rnd.choice(["1", "-7", "x"])),
        lambda: ("HMGET", k(), e(), e()),
        lambda: ("HGETALL", k()),
        lambda: ("HSETNX", k(), e(), v()),
        lambda: ("HEXISTS", k(), e()),
        lambda: ("OBJECT", "ENCODING", k()),
        # sorted sets: every reply is ordered by (score, member)
        lambda: ("ZADD", k(), sc(), e(), sc(), e()),
        lambda: ("ZADD", k(), rnd.choice(["NX", "XX", "GT", "LT", "CH", "INCR"]), sc(), e()),
        lambda: ("ZINCRBY", k(), sc(), e()),
        lambda: ("ZREM", k(), e(), e()),
        lambda: ("ZCARD", k()),
        lambda: ("ZSCORE", k(), e()),
        lambda: ("ZRANK", k(), e()) if rnd.random() < 0.5 else ("ZREVRANK", k(), e()),
        lambda: ("ZRANGE", k(), idx(), idx(), "WITHSCORES"),
        lambda: ("ZRANGE", k(), bound(), bound(), "BYSCORE", "LIMIT", "0", idx()),
        lambda: ("ZRANGE", k(), bound(), bound(), "BYSCORE", "REV"),
        lambda: ("ZCOUNT", k(), bound(), bound()),
        lambda: (rnd.choice(["ZPOPMIN", "ZPOPMAX"]), k(), str(rnd.randrange(3))),
        lambda: ("ZMPOP", "2", k(), k(), rnd.choice(["MIN", "MAX"]), "COUNT", "2"),
        lambda: ("ZREMRANGEBYRANK", k(), idx(), idx()),
        lambda: ("ZRANGESTORE", k(), k(), "0", idx()),
        lambda: (rnd.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]), k(), "2", k(), k()),
        lambda: ("ZUNIONSTORE", k(), "2", k(), k(), "WEIGHTS", sc(), sc(),
                 "AGGREGATE", rnd.choice(["SUM", "MIN", "MAX"])),
        lambda: (rnd.choice(["ZUNION", "ZINTER", "ZDIFF"]), "2", k(), k(), "WITHSCORES"),
        lambda: ("ZINTERCARD", "2", k(), k()),
        # bitmaps: strings read bit by bit, ints as their digits
        lambda: ("SETBIT", k(), str(rnd.randrange(40)), rnd.choice(["0", "1"])),
        lambda: ("GETBIT", k(), str(rnd.randrange(40))),
        lambda: ("BITCOUNT", k()) if rnd.random() < 0.3
        else ("BITCOUNT", k(), idx(), idx(), rnd.choice(["BYTE", "BIT"])),
        lambda: ("BITPOS", k(), rnd.choice(["0", "1"]), idx(),
                 str(rnd.randrange(-20, 20)), rnd.choice(["BYTE", "BIT"])),
        lambda: ("BITOP", rnd.choice(["AND", "OR", "XOR"]), k(), k(), k()),
        lambda: ("BITOP", "NOT", k(), k()),
        lambda: ("BITFIELD", k(), "OVERFLOW", rnd.choice(["WRAP", "SAT", "FAIL"]),
                 rnd.choice(["INCRBY", "SET", "GET"]) if rnd.random() < 0.8 else "GET",
                 rnd.choice(["i5", "u7", "i64", "u63", "u1"]),
                 rnd.choice(["0", "3", "#2", "17"]), v())
        if rnd.random() < 0.7 else ("BITFIELD_RO", k(), "GET", "i9", str(rnd.randrange(30))),
    ]
    return table[rnd.randrange(len(table))]()


def script(seed):
    """A list of steps: ("cmd", args) or ("pipe", [args...])."""
    rnd = random.Random(seed)
    steps, n = [], 0
    while n < COMMANDS:
        r = rnd.random()
        group = [random_command(rnd) for _ in range(rnd.randrange(1, 8))]
        n += len(group)
        if r < 0.3:
            steps.append(("pipe", [("MULTI",)] + group + [("EXEC",)]))
        elif r < 0.5:
            steps.append(("pipe", group))
        else:
            steps += [("cmd", g) for g in group]
    return steps


def run(port, steps, proto):
    out = []
    with fkv.Client(port) as c:
        c.cmd("FLUSHALL")
        if proto == 3:
            c.cmd("HELLO", "3")
        for kind, what in steps:
            if kind == "cmd":
                out.append((what, c.cmd(*what)))
            else:
                out += list(zip(what, c.pipeline(what)))
    return out


def compare(fport, rport, seed, proto):
    steps = script(seed)
    got, want = run(fport, steps, proto), run(rport, steps, proto)
    for i, ((cmd, g), (_, w)) in enumerate(zip(got, want)):
        if g != w:
            return False, "command %d %r:\n  flashkv: %s\n  redis:   %s" % (
                i, cmd, fkv.show(g), fkv.show(w))
    return len(got) == len(want), "%d vs %d replies" % (len(got), len(want))


def main():
    tap = fkv.Tap()
    seeds = range(int(os.environ.get("SEED0", "1")), int(os.environ.get("SEED1", "7")))
    if not fkv.have_redis_server():
        for s in seeds:
            tap.skip("random commands, seed %d" % s, "redis-server not installed")
        return tap.done()
    with fkv.Server(["--shards", "5"], threads=3) as srv, \
            fkv.RedisServer() as red:
        for seed in seeds:
            proto = 2 if seed % 2 else 3
            tap.run("random commands, MULTI/EXEC and pipelines, seed %d, "
                    "RESP%d" % (seed, proto),
                    lambda s=seed, p=proto: compare(srv.port, red.port, s, p))
        rc = srv.stop()
        tap.ok(rc == 0, "server exits 0", srv.log_text()[-1500:])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
