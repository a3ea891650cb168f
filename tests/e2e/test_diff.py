#!/usr/bin/env python3
"""Differential test: the same command scripts against FlashKV and Debian's
redis-server, replies compared byte for byte (TAP, one test per script).

Scripts come from diff_cases*.txt (format described at the top of
diff_cases.txt; one file per family of commands: diff_cases_list.txt...) and from the generators below (big values, binary data, many keys
spread over shards, long pipelines, expiry, QUIT).  Replies that are not
deterministic in Redis are compared loosely, as the script line says:
type only (TIME, INFO, RANDOMKEY, CLIENT ID/LIST), as a multiset (KEYS),
within a tolerance (TTL/PTTL), or, for COMMAND INFO of containers, with the
subcommands FlashKV lists checked against Redis's.

usage: test_diff.py [--resp3] [SUBSTRING...]
  --resp3     every script runs after HELLO 3 on both servers
  SUBSTRING   only the scripts whose name matches
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHARDS = 4  # more shards than workers: multi-key commands fan out further
PROTO = 2   # --resp3: 3


# ---- script parsing ---------------------------------------------------------

def split_args(line):
    """redis-cli style splitting; returns a list of bytes."""
    out, i, n = [], 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return out
        cur = bytearray()
        if line[i] == '"':
            i += 1
            while True:
                if i >= n:
                    raise ValueError("unbalanced quotes: %r" % line)
                c = line[i]
                if c == "\\" and i + 1 < n:
                    e = line[i + 1]
                    if e == "x" and i + 3 < n:
                        cur.append(int(line[i + 2:i + 4], 16))
                        i += 4
                        continue
                    cur += {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b",
                            "a": b"\a", "0": b"\0"}.get(e, e.encode("latin-1"))
                    i += 2
                    continue
                if c == '"':
                    i += 1
                    break
                cur += c.encode("latin-1")
                i += 1
        elif line[i] == "'":
            i += 1
            while True:
                if i >= n:
                    raise ValueError("unbalanced quotes: %r" % line)
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    cur += b"'"
                    i += 2
                    continue
                if c == "'":
                    i += 1
                    break
                cur += c.encode("latin-1")
                i += 1
        else:
            while i < n and line[i] not in " \t":
                cur += line[i].encode("latin-1")
                i += 1
        out.append(bytes(cur))


class Op:
    """One script step: kind is 'cmd', 'raw' or 'sleep'."""

    def __init__(self, kind, text, data=b"", nreplies=1, mode="exact",
                 tol=0, secs=0.0):
        self.kind, self.text, self.data = kind, text, data
        self.nreplies, self.mode, self.tol, self.secs = nreplies, mode, tol, secs


def cmd_op(args, mode="exact", tol=0, text=None):
    args = [a if isinstance(a, bytes) else str(a).encode("latin-1")
            for a in args]
    if text is None:
        text = b" ".join(args).decode("latin-1")
        if len(text) > 120:
            text = text[:120] + "..."
    return Op("cmd", text, fkv.enc(*args), 1, mode, tol)


def parse_line(line):
    text = line
    mode, tol = "exact", 0
    if line.startswith("~ "):
        mode, line = "type", line[2:]
    elif line.startswith("= "):
        mode, line = "set", line[2:]
    elif line.startswith("=2 "):
        mode, line = "pairs", line[3:]
    elif line.startswith("& "):
        mode, line = "subs", line[2:]
    elif line.startswith("%"):
        t, line = line[1:].split(" ", 1)
        mode, tol = "tol", int(t)
    if line.startswith("sleep "):
        return Op("sleep", text, secs=float(line[6:]))
    if line.startswith("inline "):
        return Op("cmd", text, unescape(line[7:]) + b"\r\n", 1, mode, tol)
    if line.startswith("raw "):
        n, rest = line[4:].split(" ", 1)
        (data,) = split_args(rest)
        return Op("raw", text, data, int(n), mode, tol)
    return cmd_op(split_args(line), mode, tol, text)


def unescape(s):
    """Inline text is sent as written, except \\r \\n \\xHH escapes outside
    of the quotes the server itself must parse."""
    return s.encode("latin-1")


def load_file(path):
    scripts, cur = [], None
    with open(path, encoding="utf-8") as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if not ln.strip() or ln.lstrip().startswith("#"):
                continue
            if ln.startswith("=== "):
                name = ln[4:].strip()
                pipe = name.endswith("[pipeline]")
                if pipe:
                    name = name[:-len("[pipeline]")].strip()
                cur = {"name": name, "pipeline": pipe, "ops": []}
                scripts.append(cur)
                continue
            cur["ops"].append(parse_line(ln))
    return scripts


# ---- generated scripts ------------------------------------------------------

def keys_on_distinct_shards(prefix, count, nshards=SHARDS):
    """count keys, cycling through the shards (slot % nshards)."""
    keys, want, i = [], 0, 0
    while len(keys) < count:
        k = "%s%d" % (prefix, i)
        i += 1
        if fkv.slot_of(k) % nshards == want % nshards:
            keys.append(k)
            want += 1
    return keys


def gen_scripts():
    rnd = random.Random(20240601)
    out = []

    def script(name, ops, pipeline=False):
        out.append({"name": name, "pipeline": pipeline, "ops": ops})

    # Big values (1 MB, 4 MB) and binary values with every byte value.
    big = bytes(rnd.getrandbits(8) for _ in range(1 << 20))
    ops = [cmd_op(["SET", "big", big], text="SET big <1MB random>"),
           cmd_op(["GET", "big"]), cmd_op(["STRLEN", "big"]),
           cmd_op(["APPEND", "big", big[:1000]], text="APPEND big <1000>"),
           cmd_op(["GETRANGE", "big", 0, 99]),
           cmd_op(["GETRANGE", "big", -100, -1]),
           cmd_op(["GETRANGE", "big", 500000, 500099]),
           cmd_op(["SETRANGE", "big", 1048570, b"xyz\x00\r\n"]),
           cmd_op(["GETRANGE", "big", 1048560, 1048600]),
           cmd_op(["SETRANGE", "big2", 2000000, b"tail"]),
           cmd_op(["STRLEN", "big2"]),
           cmd_op(["GETRANGE", "big2", 1999990, -1]),
           cmd_op(["SET", "huge", b"z" * (4 << 20)], text="SET huge <4MB>"),
           cmd_op(["STRLEN", "huge"]),
           cmd_op(["GETDEL", "huge"], text="GETDEL huge"),
           cmd_op(["EXISTS", "huge", "big", "big2"])]
    allbytes = bytes(range(256))
    ops += [cmd_op(["SET", allbytes, allbytes], text="SET <bytes 0-255> x2"),
            cmd_op(["GET", allbytes], text="GET <bytes 0-255>"),
            cmd_op(["STRLEN", allbytes], text="STRLEN <bytes 0-255>"),
            cmd_op(["GETRANGE", allbytes, 10, 20], text="GETRANGE <all>"),
            cmd_op(["APPEND", allbytes, b"\r\n\r\n"], text="APPEND <all>")]
    script("big and binary values", ops)

    # Many keys over every shard: MSET/MGET/DEL/EXISTS/KEYS/DBSIZE fan-out.
    keys = keys_on_distinct_shards("mk:", 200)
    kv = []
    for i, k in enumerate(keys):
        kv += [k, "v%d" % i]
    ops = [cmd_op(["MSET"] + kv, text="MSET <200 keys on all shards>"),
           cmd_op(["DBSIZE"]),
           cmd_op(["MGET"] + keys + ["nope1", "nope2"],
                  text="MGET <200 keys + 2 missing>"),
           cmd_op(["MGET"] + keys[::-1], text="MGET <200 keys reversed>"),
           cmd_op(["EXISTS"] + keys + keys[:10] + ["nope"],
                  text="EXISTS <210 keys + missing>"),
           Op("cmd", "= KEYS *", fkv.enc("KEYS", "*"), 1, "set"),
           Op("cmd", "= KEYS mk:1*", fkv.enc("KEYS", "mk:1*"), 1, "set"),
           Op("cmd", "= KEYS mk:?", fkv.enc("KEYS", "mk:?"), 1, "set"),
           cmd_op(["DEL"] + keys[::3] + ["nope"], text="DEL <every 3rd>"),
           cmd_op(["DBSIZE"]),
           cmd_op(["MGET"] + keys[:12]),
           cmd_op(["UNLINK"] + keys[1::3], text="UNLINK <every 3rd+1>"),
           cmd_op(["TOUCH"] + keys, text="TOUCH <all>"),
           cmd_op(["DBSIZE"]),
           Op("cmd", "= KEYS *", fkv.enc("KEYS", "*"), 1, "set"),
           cmd_op(["MSETNX"] + kv[:20], text="MSETNX <10 keys, some exist>"),
           cmd_op(["MSETNX", "fresh:a", "1"] + kv[:2]),
           cmd_op(["MSETNX"] + [x for k in keys_on_distinct_shards("nx:", 8)
                                for x in (k, "n")],
                  text="MSETNX <8 fresh keys on all shards>"),
           cmd_op(["DBSIZE"]),
           cmd_op(["FLUSHALL"]), cmd_op(["DBSIZE"]),
           cmd_op(["MGET"] + keys[:5])]
    script("multi-key fan-out over shards", ops)

    # RENAME / RENAMENX between keys on different shards, with TTLs.
    a, b, c, d = keys_on_distinct_shards("rn:", 4)
    ops = [cmd_op(["SET", a, "A"]), cmd_op(["RENAME", a, b]),
           cmd_op(["MGET", a, b]), cmd_op(["SET", c, "C"]),
           cmd_op(["RENAMENX", b, c]), cmd_op(["RENAMENX", b, d]),
           cmd_op(["MGET", a, b, c, d]),
           cmd_op(["SET", a, "ttl", "EXAT", "4102444800"]),
           cmd_op(["RENAME", a, c]), cmd_op(["EXPIRETIME", c]),
           cmd_op(["TTL", a]), cmd_op(["GET", c]),
           cmd_op(["RENAME", c, d]), cmd_op(["EXPIRETIME", d]),
           cmd_op(["RENAME", d, d]), cmd_op(["EXPIRETIME", d]),
           cmd_op(["SET", b, "big" * 10000]),
           cmd_op(["RENAME", b, a]), cmd_op(["STRLEN", a]),
           cmd_op(["RENAME", b, a]), cmd_op(["DBSIZE"])]
    for i in range(20):  # a chain of hops across shards
        x, y = ("ch%d" % i, "ch%d" % (i + 1))
        if i == 0:
            ops.append(cmd_op(["SET", x, "walker"]))
        ops.append(cmd_op(["RENAME", x, y]))
    ops += [cmd_op(["GET", "ch20"]), cmd_op(["EXISTS", "ch0", "ch10"]),
            cmd_op(["DBSIZE"])]
    script("rename across shards", ops)

    # A long pipeline of mixed commands over many keys, in one write.
    names = ["pk%d" % i for i in range(40)]
    ops = []
    for _ in range(2000):
        k = rnd.choice(names)
        r = rnd.random()
        if r < 0.2:
            args = ["SET", k, "val%d" % rnd.randrange(1000)]
        elif r < 0.35:
            args = ["GET", k]
        elif r < 0.5:
            args = ["INCR", "n" + k]
        elif r < 0.58:
            args = ["MGET"] + rnd.sample(names, 5)
        elif r < 0.64:
            args = ["DEL"] + rnd.sample(names, 3)
        elif r < 0.7:
            args = ["EXISTS"] + rnd.sample(names, 4)
        elif r < 0.76:
            args = ["APPEND", k, "x"]
        elif r < 0.8:
            kk = rnd.sample(names, 3)
            args = ["MSET", kk[0], "m", kk[1], "m", kk[2], "m"]
        elif r < 0.84:
            args = ["RENAME", k, rnd.choice(names)]
        elif r < 0.88:
            args = ["DBSIZE"]
        elif r < 0.92:
            args = ["STRLEN", k]
        elif r < 0.96:
            args = ["GETSET", k, "gs"]
        else:
            args = ["INCRBY", k, "1"]
        ops.append(cmd_op(args))
    ops.append(Op("cmd", "= KEYS *", fkv.enc("KEYS", "*"), 1, "set"))
    script("pipeline of 2000 mixed commands", ops, pipeline=True)

    # Same keys written in order by one pipelined connection: the reader
    # must see the last write (write order across shards).
    ops = []
    for i in range(300):
        ops.append(cmd_op(["SET", "ord%d" % (i % 7), "v%d" % i]))
        if i % 10 == 9:
            ops.append(cmd_op(["MGET"] + ["ord%d" % j for j in range(7)]))
    script("pipelined overwrites stay in order", ops, pipeline=True)

    # Expiry seen by commands (lazy expiry is deterministic in Redis).
    ek = keys_on_distinct_shards("ex:", 8)
    ops = [cmd_op(["SET", k, "v", "PX", "50"]) for k in ek]
    ops += [cmd_op(["SET", "keep", "v"]),
            cmd_op(["SET", "late", "v", "EX", "100"]),
            Op("sleep", "sleep 0.4", secs=0.4)]
    ops += [cmd_op(["GET", ek[0]]), cmd_op(["EXISTS"] + ek),
            cmd_op(["MGET"] + ek + ["keep"]), cmd_op(["TTL", ek[1]]),
            cmd_op(["PTTL", ek[2]]), cmd_op(["STRLEN", ek[3]]),
            cmd_op(["APPEND", ek[4], "new"]), cmd_op(["GET", ek[4]]),
            cmd_op(["TTL", ek[4]]), cmd_op(["INCR", ek[5]]),
            cmd_op(["RENAME", ek[6], "x"]), cmd_op(["SETNX", ek[7], "n"]),
            Op("cmd", "= KEYS *", fkv.enc("KEYS", "*"), 1, "set"),
            cmd_op(["DBSIZE"]), cmd_op(["TYPE", ek[1]]),
            cmd_op(["GETEX", ek[1]]), cmd_op(["PERSIST", ek[1]]),
            cmd_op(["EXPIRE", ek[1], "10"]),
            cmd_op(["SET", "neg", "v", "EXAT", "1000"]),
            cmd_op(["GET", "neg"])]
    script("expired keys", ops)

    # Many databases: keys in db 0..15, SELECT between them.
    ops = []
    for db in range(16):
        ops += [cmd_op(["SELECT", db]), cmd_op(["SET", "dbk", "in%d" % db]),
                cmd_op(["INCR", "cnt"])]
    for db in (0, 7, 15):
        ops += [cmd_op(["SELECT", db]), cmd_op(["MGET", "dbk", "cnt"]),
                cmd_op(["DBSIZE"])]
    ops += [cmd_op(["SELECT", 3]), cmd_op(["FLUSHDB"]), cmd_op(["DBSIZE"]),
            cmd_op(["SELECT", 4]), cmd_op(["DBSIZE"]), cmd_op(["FLUSHALL"]),
            cmd_op(["DBSIZE"]), cmd_op(["SELECT", 0]), cmd_op(["DBSIZE"])]
    script("sixteen databases", ops)
    return out


# ---- running and comparing --------------------------------------------------

class _Buf:
    def __init__(self, data):
        self.data = data

    def recv(self, n):
        d, self.data = self.data, b""
        return d


def elements(reply):
    """Top-level elements of an array, set (RESP3 ~) or map (RESP3 %,
    keys and values in turn) reply, or None."""
    if reply[:1] not in (b"*", b"~", b"%"):
        return None
    rd = fkv.Reader(_Buf(reply))
    head = rd._line()
    n = int(head[1:-2]) * (2 if reply[:1] == b"%" else 1)
    return [rd.reply() for _ in range(max(n, 0))]


def unordered(reply, group):
    """An aggregate reply as a sorted list of its elements taken @group at
    a time (1: members, 2: field/value pairs), with its type byte: equal
    for the same elements in any order.  None if not an aggregate."""
    e = elements(reply)
    if e is None:
        return None
    chunks = [tuple(e[i:i + group]) for i in range(0, len(e), group)]
    return reply[:1], sorted(chunks)


def same(op, exp, got):
    if op.mode == "exact":
        return exp == got
    if op.mode == "type":
        return exp[:1] == got[:1]
    if op.mode in ("set", "pairs"):
        e = unordered(exp, 2 if op.mode == "pairs" else 1)
        g = unordered(got, 2 if op.mode == "pairs" else 1)
        if e is None or g is None:
            return exp == got
        return e == g
    if op.mode == "subs":
        return same_command_info(exp, got)
    if op.mode == "tol":
        if exp[:1] == b":" and got[:1] == b":":
            return abs(int(exp[1:-2]) - int(got[1:-2])) <= op.tol
        return exp == got
    raise ValueError(op.mode)


def same_command_info(exp, got):
    """COMMAND INFO replies: entries equal byte for byte but for the list of
    subcommands (element 10), whose entries need only all be Redis's."""
    e, g = elements(exp), elements(got)
    if e is None or g is None or len(e) != len(g):
        return exp == got
    for ee, ge in zip(e, g):
        ef, gf = elements(ee), elements(ge)
        if ef is None or gf is None or len(ef) != 10 or len(gf) != 10:
            if ee != ge:
                return False
            continue
        if ef[:9] != gf[:9] or ef[9][:1] != gf[9][:1]:
            return False
        esubs, gsubs = elements(ef[9]) or [], elements(gf[9]) or []
        if not all(s in esubs for s in gsubs):
            return False
    return True


def run_script(port, sc):
    """Runs one script on one server; returns [(op, [reply bytes])], error."""
    res = []
    c = fkv.Client(port, timeout=20)
    try:
        if c.cmd("FLUSHALL") != b"+OK\r\n":
            return res, "FLUSHALL failed"
        if PROTO == 3 and not c.cmd("HELLO", "3").startswith(b"%"):
            return res, "HELLO 3 failed"
        ops = sc["ops"]
        if sc["pipeline"]:
            c.send(b"".join(op.data for op in ops))
            for op in ops:
                res.append((op, [c.reply() for _ in range(op.nreplies)]))
            return res, None
        for op in ops:
            if op.kind == "sleep":
                time.sleep(op.secs)
                continue
            c.send(op.data)
            res.append((op, [c.reply() for _ in range(op.nreplies)]))
        return res, None
    except (OSError, EOFError, ValueError) as e:
        return res, "%s after %d steps" % (e.__class__.__name__ + ": " + str(e),
                                          len(res))
    finally:
        c.close()


def run_scripts_parallel(ports, sc):
    """Both servers run the script at the same time (sleeps line up)."""
    import threading
    out = [None, None]

    def go(i):
        out[i] = run_script(ports[i], sc)
    ts = [threading.Thread(target=go, args=(i,)) for i in (0, 1)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def compare(sc, redis_res, fkv_res):
    (rres, rerr), (fres, ferr) = redis_res, fkv_res
    diags = []
    if rerr:
        diags.append("redis-server side failed: %s" % rerr)
    for i, ((op, exp), (_, got)) in enumerate(zip(rres, fres)):
        for k, (e, g) in enumerate(zip(exp, got)):
            if not same(op, e, g):
                diags.append("step %d: %s%s" % (
                    i + 1, op.text, " (reply %d)" % (k + 1) if len(exp) > 1
                    else ""))
                diags.append("  redis:   %s" % fkv.show(e, 400))
                diags.append("  flashkv: %s" % fkv.show(g, 400))
                if len(e) > 150 and op.mode == "exact":
                    at = next((j for j in range(min(len(e), len(g)))
                               if e[j] != g[j]), min(len(e), len(g)))
                    diags.append("  first difference at byte %d: redis %s"
                                 " flashkv %s" % (at, fkv.show(
                                     e[at:at + 60]), fkv.show(g[at:at + 60])))
    if ferr:
        nxt = sc["ops"][len(fres)].text if len(fres) < len(sc["ops"]) else ""
        diags.append("flashkv: %s (next step: %s)" % (ferr, nxt))
    return not diags, diags


def main():
    global PROTO
    if "--resp3" in sys.argv:
        sys.argv.remove("--resp3")
        PROTO = 3
    tap = fkv.Tap()
    scripts = []
    for name in sorted(os.listdir(HERE)):
        if name.startswith("diff_cases") and name.endswith(".txt"):
            scripts += load_file(os.path.join(HERE, name))
    scripts += gen_scripts()
    scripts.append({"name": "QUIT", "pipeline": False, "special": "quit",
                    "ops": []})
    if len(sys.argv) > 1:
        scripts = [s for s in scripts
                   if any(a in s["name"] for a in sys.argv[1:])]
    if not fkv.have_redis_server():
        tap.plan(1)
        tap.skip("differential test", "redis-server not installed")
        return 0
    tap.plan(len(scripts) + 1)
    ncmds = sum(len(s["ops"]) for s in scripts)
    tap.diag("%d scripts, %d commands" % (len(scripts), ncmds))
    red = fkv.RedisServer()
    srv = fkv.Server(["--shards", str(SHARDS)])
    try:
        red.start()
        srv.start()
        for sc in scripts:
            if not srv.alive():
                tap.diag("flashkv-server died (exit status %s); restarting it;"
                         " log tail:\n%s" % (srv.proc.poll(),
                                             srv.log_text()[-1500:]))
                srv.kill()
                srv = fkv.Server(["--shards", str(SHARDS)])
                srv.start()
            if sc.get("special") == "quit":
                tap.run(sc["name"], lambda: check_quit(red.port, srv.port))
                continue
            rres, fres = run_scripts_parallel((red.port, srv.port), sc)
            okay, diags = compare(sc, rres, fres)
            tap.ok(okay, "%s (%d cmds)" % (sc["name"], len(sc["ops"])),
                   "\n".join(diags[:30]))
        rc = srv.stop()
        tap.ok(rc == 0, "flashkv-server exits 0 on SIGTERM",
               "exit code %s; log tail:\n%s" % (rc, srv.log_text()[-1500:]))
    finally:
        srv.cleanup()
        red.cleanup()
    return tap.done()


def check_quit(rport, fport):
    outs = []
    for port in (rport, fport):
        c = fkv.Client(port)
        try:
            r = c.cmd("QUIT")
            outs.append((r, c.closed_by_peer(5)))
        finally:
            c.close()
    return outs[0] == outs[1], "redis %r, flashkv %r (reply, closed)" % (
        outs[0], outs[1])


if __name__ == "__main__":
    sys.exit(main())
