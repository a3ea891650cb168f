#!/usr/bin/env python3
"""Pipelined reads over a keyspace big enough for the server to prefetch
the keys of the commands ahead (net/prefetch.c): every reply must still be
exactly right, whatever the pipeline holds (keys with RESP-looking bytes,
commands cut at any byte across writes, inline commands, keyless and
multi-key commands, errors, a SELECT in the middle), and the server must
stay up.  Run also against the ASan+UBSan build, where reading past the
buffer would be caught."""
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

NKEYS = 70000  # above prefetch.c's BIG_KEYSPACE


def load(c):
    for start in range(0, NKEYS, 1000):
        args = []
        for i in range(start, min(start + 1000, NKEYS)):
            args += ["k:%d" % i, "v:%d" % i]
        r = c.cmd("MSET", *args)
        if r != b"+OK\r\n":
            raise RuntimeError("MSET: %r" % r)
    # keys that look like protocol to a careless scanner
    c.cmd("SET", "*2\r\n$3\r\nGET", "tricky")
    c.cmd("SET", "\r\n$", "crlf")


def expected_for(cmd):
    name = cmd[0].upper()
    if name == "GET":
        k = cmd[1]
        if k == "*2\r\n$3\r\nGET":
            return b"$6\r\ntricky\r\n"
        if k == "\r\n$":
            return b"$4\r\ncrlf\r\n"
        if k.startswith("k:") and int(k[2:]) < NKEYS:
            v = "v:%s" % k[2:]
            return b"$%d\r\n%s\r\n" % (len(v), v.encode())
        return b"$-1\r\n"
    if name == "EXISTS":
        return b":%d\r\n" % sum(1 for k in cmd[1:]
                                if k.startswith("k:") and int(k[2:]) < NKEYS)
    if name == "PING":
        return b"+PONG\r\n"
    if name == "ECHO":
        return b"$%d\r\n%s\r\n" % (len(cmd[1]), cmd[1].encode())
    raise ValueError(name)


def random_command(rnd):
    r = rnd.random()
    if r < 0.7:
        return ("GET", "k:%d" % rnd.randrange(NKEYS + 1000))
    if r < 0.8:
        return ("EXISTS",) + tuple("k:%d" % rnd.randrange(NKEYS + 100)
                                   for _ in range(rnd.randrange(1, 4)))
    if r < 0.85:
        return ("GET", rnd.choice(["*2\r\n$3\r\nGET", "\r\n$"]))
    if r < 0.9:
        return ("PING",)
    return ("ECHO", "e%d" % rnd.randrange(100))


def pipelines(port, seed, rounds=200):
    rnd = random.Random(seed)
    s = socket.create_connection((fkv.HOST, port))
    s.settimeout(30)
    reader = fkv.Reader(s)
    try:
        for _ in range(rounds):
            cmds = [random_command(rnd) for _ in range(rnd.randrange(1, 120))]
            data = b"".join(fkv.enc(*c) for c in cmds)
            if rnd.random() < 0.2:  # an inline command in the middle
                at = rnd.randrange(len(cmds) + 1)
                cmds.insert(at, ("PING",))
                pre = b"".join(fkv.enc(*c) for c in cmds[:at])
                data = pre + b"PING\r\n" + data[len(pre):]
            # cut anywhere: the look-ahead meets partial commands
            cuts = sorted(rnd.sample(range(1, len(data)), min(3, len(data) - 1))) \
                if len(data) > 1 else []
            last = 0
            for cut in cuts + [len(data)]:
                s.sendall(data[last:cut])
                last = cut
                time.sleep(0.0005 if rnd.random() < 0.1 else 0)
            for c in cmds:
                got, want = reader.reply(), expected_for(c)
                if got != want:
                    return False, "%r: got %s want %s" % (
                        c, fkv.show(got), fkv.show(want))
        return True, None
    finally:
        s.close()


def select_midway(port):
    """A SELECT inside a pipeline: the look-ahead guessed the old database;
    the replies must follow the new one."""
    with fkv.Client(port) as c:
        cmds = [("GET", "k:1"), ("SELECT", "1"), ("GET", "k:1"),
                ("SET", "k:1", "db1"), ("GET", "k:1"), ("SELECT", "0"),
                ("GET", "k:1")]
        got = c.pipeline(cmds)
        c.cmd("SELECT", "1")
        c.cmd("DEL", "k:1")
    want = [b"$3\r\nv:1\r\n", b"+OK\r\n", b"$-1\r\n", b"+OK\r\n",
            b"$3\r\ndb1\r\n", b"+OK\r\n", b"$3\r\nv:1\r\n"]
    return got == want, "got %r" % got


def main():
    tap = fkv.Tap()
    tap.plan(6)
    with fkv.Server(threads=1) as srv:
        with srv.client(timeout=60) as c:
            load(c)
            n = c.cmd("DBSIZE")
        tap.ok(n == b":%d\r\n" % (NKEYS + 2), "loaded %d keys" % NKEYS, n)
        for seed in (1, 2, 3):
            tap.run("random pipelines, cut anywhere (seed %d)" % seed,
                    lambda seed=seed: pipelines(srv.port, seed))
        tap.run("SELECT in the middle of a pipeline", lambda: select_midway(srv.port))
        rc = srv.stop()
        tap.ok(rc == 0, "server exits 0", srv.log_text()[-1500:])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
