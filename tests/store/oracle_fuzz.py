#!/usr/bin/env python3
"""Random command sequences against redis-server and exec_stdio, compared.

usage: oracle_fuzz.py EXEC_STDIO [PORT] [SEED] [N] [PROTO]
Needs a scratch redis-server on 127.0.0.1:PORT (default 7611; flushed).
Keys come from a small set so commands collide; TTLs are long so nothing
expires mid-run; PTTL/PEXPIRETIME, OBJECT IDLETIME and MEMORY USAGE
replies are compared by type only and KEYS as a multiset. Commands across
databases (SELECT, COPY DB, MOVE, SWAPDB) stay within databases 0-2.
Prints each difference and a "N passed, N failed" line.
"""
import random
import socket
import subprocess
import sys

from oracle_diff import Reader, elements, enc

KEYS = ["k0", "k1", "k2", "k3", "k\x00"]
VALS = ["", "0", "1", "-1", "10", "007", "abc", "1.5", "-0", "+1", " 1", "3e2",
        "9223372036854775807", "-9223372036854775808", "x" * 50, "y" * 44,
        "12345678901234567890", "0.1", "inf", "1e400"]
NUMS = ["-1", "0", "1", "2", "5", "100", "-100", "abc", "9223372036854775807",
        "-9223372036854775808", "536870912", "3"]
TTLS = ["100000", "3000000", "200000", "0", "-5", "x"]


def rk():
    return random.choice(KEYS)


def gen():
    c = random.choice([
        "get", "set", "setnx", "setex", "psetex", "getset", "getdel", "getex",
        "mget", "mset", "msetnx", "incr", "decr", "incrby", "decrby",
        "incrbyfloat", "append", "strlen", "getrange", "setrange", "del",
        "exists", "touch", "type", "unlink", "expire", "pexpire", "ttl",
        "persist", "rename", "renamenx", "dbsize", "keys", "expiretime",
        "object", "object", "lcs", "copy", "move", "swapdb", "select", "memory"])
    v = lambda: random.choice(VALS)
    if c == "set":
        opts = []
        for _ in range(random.randint(0, 3)):
            o = random.choice(["NX", "XX", "GET", "KEEPTTL", "EX", "PX", "nx", "get"])
            opts.append(o)
            if o in ("EX", "PX"):
                opts.append(random.choice(TTLS))
        return [c, rk(), v()] + opts
    if c in ("setex", "psetex"):
        return [c, rk(), random.choice(TTLS), v()]
    if c == "getex":
        opts = []
        for _ in range(random.randint(0, 2)):
            o = random.choice(["EX", "PX", "PERSIST", "NX"])
            opts.append(o)
            if o in ("EX", "PX"):
                opts.append(random.choice(TTLS))
        return [c, rk()] + opts
    if c in ("mget", "del", "exists", "touch", "unlink"):
        return [c] + [rk() for _ in range(random.randint(1, 4))]
    if c in ("mset", "msetnx"):
        args = [c]
        for _ in range(random.randint(1, 3)):
            args += [rk(), v()]
        if random.random() < 0.1:
            args.pop()
        return args
    if c in ("incrby", "decrby"):
        return [c, rk(), random.choice(NUMS)]
    if c == "incrbyfloat":
        return [c, rk(), random.choice(VALS + NUMS)]
    if c in ("getset", "setnx", "append"):
        return [c, rk(), v()]
    if c == "getrange":
        return [c, rk(), random.choice(NUMS), random.choice(NUMS)]
    if c == "setrange":
        return [c, rk(), random.choice(["0", "1", "3", "60", "-1", "x"]), v()]
    if c in ("expire", "pexpire"):
        args = [c, rk(), random.choice(TTLS)]
        for _ in range(random.randint(0, 2)):
            args.append(random.choice(["NX", "XX", "GT", "LT", "zz"]))
        return args
    if c in ("rename", "renamenx"):
        return [c, rk(), rk()]
    if c == "dbsize":
        return [c]
    db = lambda: random.choice(["0", "1", "2", "0", "x", "16"])
    if c == "object":
        return [c, random.choice(["encoding", "refcount", "idletime", "freq", "ENCODING"]),
                rk()]
    if c == "memory":
        return [c, "usage", rk()]
    if c == "lcs":
        return [c, rk(), rk()] + random.choice(
            [[], ["len"], ["idx"], ["idx", "withmatchlen"], ["idx", "minmatchlen", "2"]])
    if c == "copy":
        args = [c, rk(), rk()]
        if random.random() < 0.5:
            args += ["db", db()]
        if random.random() < 0.5:
            args.append("replace")
        return args
    if c == "move":
        return [c, rk(), db()]
    if c in ("swapdb",):
        return [c, db(), db()]
    if c == "select":
        return [c, random.choice(["0", "1", "2"])]
    if c == "keys":
        return [c, random.choice(["*", "k?", "k[0-2]", "*1", "k\\*"])]
    return [c, rk()]


def main():
    exe = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 7611
    random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
    sock = socket.create_connection(("127.0.0.1", port))
    redis = Reader(lambda: sock.recv(1 << 20))
    proc = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    ours = Reader(lambda: proc.stdout.read1(1 << 20))

    def both(args):
        b = enc([a.encode("latin-1") for a in args])
        sock.sendall(b)
        proc.stdin.write(b)
        proc.stdin.flush()
        return redis.reply(), ours.reply()

    both(["flushall"])
    if len(sys.argv) > 5:
        both(["hello", sys.argv[5]])    # replies differ (exec_stdio: +OK)
    bad = 0
    history = []
    for _ in range(n):
        args = gen()
        a, b = both(args)
        history = (history + [(args, a)])[-30:]
        loose = (args[0] == "object" and args[1] == "idletime") or args[0] == "memory"
        if args[0] in ("pttl", "pexpiretime", "expiretime") or loose:
            same = a[:1] == b[:1]
        elif args[0] == "keys":
            same = elements(a) == elements(b)
        else:
            same = a == b
        if not same:
            bad += 1
            if bad == 1:
                for h, r in history[:-1]:
                    print("   .. %r -> %r" % (h, r[:60]))
            if bad <= 20:
                print("DIFF %r\n  redis: %r\n  ours : %r" % (args, a[:200], b[:200]))
    both(["flushall"])
    print("%d passed, %d failed" % (n - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
