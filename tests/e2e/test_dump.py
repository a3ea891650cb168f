#!/usr/bin/env python3
"""DUMP and RESTORE between FlashKV and Debian's redis-server (TAP).

For every type and encoding, small and big (listpack and hashtable
hashes; intset, small and hashtable sets; listpack and skiplist sorted
sets; one-node, multi-node and compressed lists; int, embstr, raw and
LZF strings; binary keys and values; TTLs):
  - FlashKV's DUMP restores on redis-server with the same contents;
  - redis-server's DUMP restores on FlashKV with the same contents and
    the same OBJECT ENCODING as redis-server's own value;
  - where the layout is deterministic (no hash table order), FlashKV's
    DUMP is byte for byte redis-server's.
Then a whole RDB image written with rdb_put_* (tests/store/persist/
rdb_image.h, by the tool named in $RDB_IMAGE) is loaded by redis-server
and its contents checked.  RESTORE's options and errors are diffed by
test_diff.py (diff_cases_dump.txt).

usage: test_dump.py [SUBSTRING...]   (only the cases so named)
Needs $FLASHKV_SERVER and redis-server (skipped without it).
"""
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402


# Replies as Python values, and what a user sees of a key: fkv's.
parse, call, contents = fkv.parse, fkv.call, fkv.contents


# ---- the cases -----------------------------------------------------------------

rnd = random.Random(13)
BIN = bytes(range(256))
NOISE = bytes(rnd.randrange(256) for _ in range(300))
BIG_NOISE = bytes(rnd.randrange(256) for _ in range(20000))   # 32-bit length


def many(fmt, n):
    return [fmt % i for i in range(n)]


def flat(pairs):
    return [x for p in pairs for x in p]


# name, config (CONFIG SET pairs on both servers), commands (key "k"),
# deterministic: FlashKV's DUMP must equal redis-server's (no hash table
# order inside; big lists included: the quicklist splits nodes where
# redis-server 7.0.15 does, by its size estimate)
CASES = [
    ("str int", [], [("SET", "k", "12345")], True),
    ("str int8 negative", [], [("SET", "k", "-100")], True),
    ("str int32", [], [("SET", "k", "2147483647")], True),
    ("str int64", [], [("SET", "k", "9223372036854775807")], True),
    ("str embstr", [], [("SET", "k", "hello world")], True),
    ("str empty", [], [("SET", "k", "")], True),
    ("str non-canonical int", [], [("SET", "k", "0123")], True),
    ("str float", [], [("SET", "k", "1.5"), ("INCRBYFLOAT", "k", "3.5")], True),
    ("str raw lzf", [], [("SET", "k", "abc" * 40)], True),
    ("str raw noise", [], [("SET", "k", NOISE)], True),
    ("str append", [], [("SET", "k", "x"), ("APPEND", "k", "y" * 60)], True),
    ("str binary", [], [("SET", "k", BIN)], True),
    ("str 20 bytes", [], [("SET", "k", "a" * 20)], True),
    ("str 21 bytes", [], [("SET", "k", "a" * 21)], True),
    ("str 16k", [], [("SET", "k", NOISE * 60)], True),
    ("str 20k noise", [], [("SET", "k", BIG_NOISE)], True),
    ("hash listpack", [], [("HSET", "k", "f1", "v1", "f2", "2", "f3", BIN[:40])], True),
    ("hash hashtable big", [], [("HSET", "k", *flat(zip(many("f%d", 600), many("v%d", 600))))], False),
    ("hash hashtable long value", [], [("HSET", "k", "f", "v" * 100, "g", "1")], False),
    ("hash hashtable one field", [("hash-max-listpack-entries", "0")],
     [("HSET", "k", "field", "value")], True),
    ("set intset", [], [("SADD", "k", "1", "2", "-5", "100000", "5000000000")], True),
    ("set small strings", [], [("SADD", "k", "a", "b", "c")], False),
    ("set one member", [], [("SADD", "k", "only")], True),
    ("set hashtable big", [], [("SADD", "k", *many("m%d", 600))], False),
    ("set intset to hashtable", [], [("SADD", "k", *many("%d", 600))], False),
    ("zset listpack", [], [("ZADD", "k", "1", "a", "2.5", "b", "-inf", "c", "1e300", "d")], True),
    ("zset skiplist big", [], [("ZADD", "k", *flat((str(i * 0.25 - 7), "m%d" % i) for i in range(300)))], True),
    ("zset skiplist long member", [], [("ZADD", "k", "1", "x" * 100, "2", "y")], True),
    ("zset skiplist infinities", [("zset-max-listpack-entries", "0")],
     [("ZADD", "k", "-inf", "a", "+inf", "b", "0", "c", "1e-300", "d", "3.14159", "e")], True),
    ("list one node", [], [("RPUSH", "k", "a", "b", "1", "2", "-3")], True),
    ("list lpush", [], [("LPUSH", "k", *many("e%d", 50))], True),
    ("list multi node", [], [("RPUSH", "k", *many("element-%d", 3000))], True),
    ("list fill 4", [("list-max-listpack-size", "4")], [("RPUSH", "k", *many("%d", 10))], True),
    ("list compressed", [("list-max-listpack-size", "16"), ("list-compress-depth", "1")],
     [("RPUSH", "k", *many("element-%d-padding-padding", 200))], True),
    ("list compressed depth 2", [("list-compress-depth", "2")],
     [("RPUSH", "k", *many("element-%d-padding-padding", 3000))], True),
    ("list big element", [], [("RPUSH", "k", "a", NOISE * 40, "b")], True),
    ("list edited", [("list-max-listpack-size", "8")],
     [("RPUSH", "k", *many("e%d", 40)), ("LINSERT", "k", "BEFORE", "e12", "new"),
      ("LINSERT", "k", "AFTER", "e7", "x" * 30), ("LSET", "k", "20", "set"),
      ("LREM", "k", "0", "e30"), ("LPUSH", "k", "head"), ("LTRIM", "k", "1", "-3")], True),
]
DEFAULTS = [("list-max-listpack-size", "-2"), ("list-compress-depth", "0"),
            ("hash-max-listpack-entries", "512"), ("zset-max-listpack-entries", "128")]


def configure(c, pairs):
    for k, v in DEFAULTS:
        call(c, "CONFIG", "SET", k, v)
    for k, v in pairs:
        r = call(c, "CONFIG", "SET", k, v)
        assert r == b"OK", (k, v, r)


def setup(c, cfg, cmds, key):
    call(c, "FLUSHALL")
    configure(c, cfg)
    for cmd in cmds:
        cmd = tuple(key if a == "k" else a for a in cmd)
        r = call(c, *cmd)
        assert not isinstance(r, Exception), (cmd[:3], r)


KEYS = [b"k", b"bin\x00key\xff\r\n"]


def run_case(t, fk, rd, case, only):
    name, cfg, cmds, det = case
    for key in KEYS:
        label = "%s (key %r)" % (name, key)
        if only and not any(o in label for o in only):
            continue

        def there():
            setup(fk, cfg, cmds, key)
            setup(rd, cfg, cmds, key)
            want = contents(rd, key)
            payload = call(fk, "DUMP", key)
            call(rd, "DEL", key)
            r = call(rd, "RESTORE", key, 0, payload)
            got = contents(rd, key)
            return (r == b"OK" and got == want,
                    "RESTORE %r, got %s, want %s" % (r, fkv.show(repr(got).encode()),
                                                   fkv.show(repr(want).encode())))

        def back():
            setup(rd, cfg, cmds, key)
            setup(fk, cfg, [], key)
            want = contents(rd, key)
            payload = call(rd, "DUMP", key)
            # The encoding redis-server gives the value it restores (an
            # embstr "5" comes back as an int there too).
            call(rd, "RESTORE", key + b":r", 0, payload)
            want_enc = call(rd, "OBJECT", "ENCODING", key + b":r")
            r = call(fk, "RESTORE", key, 0, payload)
            got = contents(fk, key)
            got_enc = call(fk, "OBJECT", "ENCODING", key)
            return (r == b"OK" and got == want and got_enc == want_enc,
                    "RESTORE %r, encoding %r want %r, got %s, want %s" % (
                        r, got_enc, want_enc, fkv.show(repr(got).encode()),
                        fkv.show(repr(want).encode())))

        def same_bytes():
            setup(fk, cfg, cmds, key)
            setup(rd, cfg, cmds, key)
            a, b = call(fk, "DUMP", key), call(rd, "DUMP", key)
            return a == b, "flashkv %s\nredis   %s" % (fkv.show(a), fkv.show(b))

        t.run("flashkv -> redis: " + label, there)
        t.run("redis -> flashkv: " + label, back)
        if det:
            t.run("same DUMP bytes: " + label, same_bytes)


def run_ttl(t, fk, rd):
    def ttl():
        setup(fk, [], [("SET", "k", "v", "PX", "100000")], b"k")
        payload = call(fk, "DUMP", "k")
        call(rd, "FLUSHALL")
        r1 = call(rd, "RESTORE", "k", 50000, payload)
        r2 = call(rd, "RESTORE", "k2", 4102444800000, payload, "ABSTTL")
        p1, p2 = call(rd, "PTTL", "k"), call(rd, "PEXPIRETIME", "k2")
        return (r1 == r2 == b"OK" and 40000 < p1 <= 50000 and p2 == 4102444800000,
                "%r %r %r %r" % (r1, r2, p1, p2))
    t.run("ttl through RESTORE", ttl)


def run_blocked(t, fk):
    """RESTORE of a list serves a client blocked on that key, as Redis's
    dbAdd signals it."""
    def served():
        setup(fk, [], [("RPUSH", "src", "a", "b")], b"k")
        payload = call(fk, "DUMP", "src")
        waiter = fkv.Client(fk.sock.getpeername()[1], timeout=10)
        try:
            waiter.send(fkv.enc("BLPOP", "dst", 10))
            end = time.monotonic() + 10
            while b"flags=b " not in call(fk, "CLIENT", "LIST"):
                if time.monotonic() > end:
                    return False, "BLPOP never blocked"
                time.sleep(0.01)
            r = call(fk, "RESTORE", "dst", 0, payload)
            got = parse(waiter.reply())
            rest = call(fk, "LRANGE", "dst", 0, -1)
            return (r == b"OK" and got == [b"dst", b"a"] and rest == [b"b"],
                    "%r %r %r" % (r, got, rest))
        finally:
            waiter.close()
    t.run("RESTORE serves a blocked BLPOP", served)


# ---- the whole image -------------------------------------------------------------

def image_expected():
    """rdb_image.h's formulas: {db: {key: contents}}."""
    lzf = b"ab" * 50
    db0 = {
        b"str:int": (b"string", b"12345"),
        b"str:emb": (b"string", b"hello world"),
        b"str:lzf": (b"string", lzf),
        b"str:bin": (b"string", BIN),
        b"str:ttl": (b"string", b"v"),
        b"hash:ht": (b"hash", sorted((b"f%d" % i, b"v%d" % i) for i in range(600))),
        b"set:ht": (b"set", sorted(b"m%d" % i for i in range(600))),
        b"set:lp": (b"set", [b"a", b"b", b"c"]),
        b"set:is": (b"set", sorted(b"%d" % (i * 3) for i in range(100))),
        b"zset:zs": (b"zset", flat((b"m%d" % i, fmt_score(i * 0.5 - 10))
                                   for i in range(300))),
        b"list:lp": (b"list", [b"a", b"b", b"c"]),
        b"list:ql": (b"list", [b"e%d" % i for i in range(1000)]),
        b"list:qlc": (b"list", [b"elem-%d-padding-padding" % i for i in range(1000)]),
    }
    return {0: db0, 1: {b"k1": (b"string", b"v1"), b"12345": (b"string", b"int key"),
                        b"long:" + b"x" * 40: (b"string", b"lzf key")}}


def fmt_score(d):
    s = repr(float(d))
    if s.endswith(".0"):
        s = s[:-2]
    return s.encode()


def run_image(t):
    tool = os.environ.get("RDB_IMAGE")
    if not tool:
        t.skip("redis-server loads rdb_put_* image", "RDB_IMAGE not set")
        return
    d = tempfile.mkdtemp(prefix="fkv-rdb-")
    path = os.path.join(d, "image.rdb")

    def load():
        subprocess.run([tool, path], check=True)
        with fkv.RedisServer(["--dir", d, "--dbfilename", "image.rdb"]) as rd:
            c = rd.client()
            bad = []
            for db, keys in image_expected().items():
                call(c, "SELECT", db)
                n = call(c, "DBSIZE")
                if n != len(keys):
                    bad.append("db %d has %r keys, want %d" % (db, n, len(keys)))
                for k, want in keys.items():
                    got = contents(c, k)
                    if k == b"zset:zs" and got[0] == b"zset":
                        got = (got[0], [fmt_score(float(x)) if i % 2 else x
                                        for i, x in enumerate(got[1])])
                    if got != want:
                        bad.append("%r: %s" % (k, fkv.show(repr(got).encode())))
            call(c, "SELECT", 0)
            if call(c, "PEXPIRETIME", "str:ttl") != 4102444800000:
                bad.append("str:ttl lost its expiry")
            c.close()
            return not bad, "\n".join(bad)
    try:
        t.run("redis-server loads rdb_put_* image", load)
    finally:
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)


def main():
    only = sys.argv[1:]
    t = fkv.Tap()
    if not fkv.have_redis_server():
        t.skip("dump/restore against redis-server", "redis-server not installed")
        return t.done()
    with fkv.Server() as fs, fkv.RedisServer() as rs:
        fk, rd = fs.client(timeout=30), rs.client(timeout=30)
        for case in CASES:
            run_case(t, fk, rd, case, only)
        if not only:
            run_ttl(t, fk, rd)
            run_blocked(t, fk)
        fk.close()
        rd.close()
        # Under the sanitizers a report makes the exit status non-zero.
        rc = fs.stop()
        t.ok(rc == 0, "flashkv-server exits 0 on SIGTERM",
             "exit %r\n%s" % (rc, fs.log_text()[-3000:]))
    if not only or any("image" in o for o in only):
        run_image(t)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
