#!/usr/bin/env python3
"""RDB snapshots (issue 13), end to end, with Debian's redis-server and
redis-check-rdb as oracles (TAP).

  - SAVE, then a restart: every key of every type and encoding, in several
    databases and on both shards, comes back with its TTL and encoding;
  - redis-check-rdb accepts FlashKV's file and redis-server 7.0 loads it
    with the same contents; FlashKV loads redis-server's own dump;
  - BGSAVE, LASTSAVE, INFO persistence (the fields redis-server reports),
    save points, SIGTERM saving when there are save points, SHUTDOWN
    NOSAVE not saving;
  - the snapshot is one cut across shards: MSETs over two shards running
    during BGSAVE are in the file whole or not at all;
  - a corrupt or truncated file: the server refuses to start and its log
    names the file and the byte; a failing save: MISCONF for writes until
    a save succeeds; CONFIG SET dir / dbfilename refused as protected.

usage: test_persist.py   (needs $FLASHKV_SERVER; the redis-server parts
are skipped without it)
"""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402
from fkv import call  # noqa: E402

BIN = bytes(range(256))


def fill(c):
    """A dataset with every type and encoding, TTLs, binary keys, three
    databases (commands valid on FlashKV and redis-server alike)."""
    cmds = [
        ("SET", "s:int", "12345"), ("SET", "s:neg", "-9000000000"),
        ("SET", "s:emb", "hello"), ("SET", "s:raw", "x" * 100),
        ("SET", "s:lzf", "abc" * 400), ("SET", b"bin\x00key\xff", BIN),
        ("SET", "s:ttl", "v", "PX", "3600000"),
        ("RPUSH", "l:small", "a", "1", "-2", "b" * 70),
        ("RPUSH", "l:big") + tuple("e%05d" % i for i in range(3000)),
        ("HSET", "h:small", "f1", "v1", "f2", "2"),
        ("HSET", "h:big") + tuple(x for i in range(600)
                                  for x in ("f%d" % i, "v%d" % i)),
        ("HSET", "h:long", "f", "y" * 100),
        ("SADD", "set:int", "1", "2", "3", "-7"),
        ("SADD", "set:str", "a", "b", "c"),
        ("SADD", "set:big") + tuple("m%d" % i for i in range(700)),
        ("ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c"),
        ("ZADD", "z:big") + tuple(x for i in range(300)
                                  for x in (str(i / 7), "m%d" % i)),
        ("EXPIRE", "h:small", "7200"),
        ("SELECT", "3"), ("SET", "db3:k", "three"),
        ("LPUSH", "db3:l", "x", "y"), ("PEXPIRE", "db3:l", "9000000"),
        ("SELECT", "15"), ("ZADD", "db15:z", "5", "five"),
        ("SELECT", "0"),
    ]
    # Keys on both shards: the same names under many hash tags.
    for i in range(40):
        cmds.append(("SET", "spread:%d" % i, str(i * 3)))
    for cmd in cmds:
        r = call(c, *cmd)
        if isinstance(r, Exception):
            raise RuntimeError("%r: %s" % (cmd, r))


def same(a, b):
    """Differences between two dataset() results, as text."""
    out = []
    for k in sorted(set(a) | set(b), key=repr):
        if a.get(k) != b.get(k):
            out.append("%r: %r != %r" % (k, str(a.get(k))[:120],
                                          str(b.get(k))[:120]))
    return "\n".join(out[:10])


def wait_for(fn, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if fn():
            return True
        time.sleep(0.05)
    return False


def bgsave_done(c):
    return wait_for(lambda: fkv.info_field(c.port, "persistence",
                                           "rdb_bgsave_in_progress") == "0")


class Conn(fkv.Client):
    def __init__(self, port):
        super().__init__(port)
        self.port = port


def shutdown(srv, *args):
    """SHUTDOWN [args] from a client; waits for the exit."""
    with fkv.Client(srv.port) as c:
        c.send(fkv.enc("SHUTDOWN", *args))
        c.closed_by_peer()
    srv.proc.wait(15)


def round_trip(t):
    srv = fkv.Server()
    srv.start()
    try:
        with Conn(srv.port) as c:
            fill(c)
            before = fkv.dataset(c, encodings=True)
            t.ok(call(c, "SAVE") == b"OK", "SAVE answers OK")
        shutdown(srv, "NOSAVE")
        path = os.path.join(srv.dir, "dump.rdb")
        t.ok(os.path.exists(path), "SAVE wrote dump.rdb in the working dir")
        srv.start_again()
        with Conn(srv.port) as c:
            after = fkv.dataset(c, encodings=True)
            diff = same(before, after)
            t.ok(not diff and len(after) == len(before),
                 "restart: every key back, same contents, TTLs and "
                 "encodings (%d keys)" % len(before), diff)
            ttl = call(c, "PTTL", "s:ttl")
            t.ok(3000000 < ttl <= 3600000, "a TTL survives as an absolute "
                 "time", ttl)
            loaded = fkv.info_field(srv.port, "persistence",
                                    "rdb_last_load_keys_loaded")
            t.ok(loaded == str(len(before)), "INFO rdb_last_load_keys_loaded",
                 loaded)
        if shutil.which("redis-check-rdb"):
            p = subprocess.run(["redis-check-rdb", path], capture_output=True,
                               text=True, timeout=60)
            t.ok(p.returncode == 0 and "RDB looks OK" in p.stdout,
                 "redis-check-rdb accepts FlashKV's file", p.stdout[-600:])
        else:
            t.skip("redis-check-rdb", "not installed")
        if fkv.have_redis_server():
            rd = fkv.RedisServer()
            shutil.copy(path, os.path.join(rd.dir, "dump.rdb"))
            with rd:
                with Conn(rd.port) as c:
                    theirs = fkv.dataset(c)
            ours = {k: v[:3] + (None,) for k, v in before.items()}
            t.ok(not same(ours, theirs), "redis-server 7.0 loads FlashKV's "
                 "file with the same contents", same(ours, theirs))
        else:
            t.skip("redis-server loads FlashKV's file", "no redis-server")
    finally:
        srv.cleanup()


def from_redis(t):
    if not fkv.have_redis_server():
        t.skip("FlashKV loads redis-server's dump", "no redis-server")
        return
    with fkv.RedisServer() as rd:
        with Conn(rd.port) as c:
            fill(c)
            theirs = fkv.dataset(c, encodings=True)
            call(c, "SAVE")
        src = os.path.join(rd.dir, "dump.rdb")
        srv = fkv.Server()
        shutil.copy(src, os.path.join(srv.dir, "dump.rdb"))
        with srv:
            with Conn(srv.port) as c:
                ours = fkv.dataset(c, encodings=True)
        t.ok(not same(theirs, ours), "FlashKV loads redis-server's dump: same "
             "contents, TTLs and OBJECT ENCODING", same(theirs, ours))


def bgsave_and_info(t):
    with fkv.Server() as srv:
        with Conn(srv.port) as c:
            fill(c)
            before = call(c, "LASTSAVE")
            changes = fkv.info_field(srv.port, "persistence",
                                     "rdb_changes_since_last_save")
            t.ok(int(changes) > 0, "rdb_changes_since_last_save counts "
                 "changes", changes)
            time.sleep(1.1)  # LASTSAVE has second resolution
            r = call(c, "BGSAVE")
            t.ok(r == b"Background saving started", "BGSAVE's reply", r)
            t.ok(bgsave_done(c), "rdb_bgsave_in_progress goes back to 0")
            st = {f: fkv.info_field(srv.port, "persistence", f) for f in (
                "rdb_last_bgsave_status", "rdb_changes_since_last_save",
                "rdb_saves")}
            t.ok(st == {"rdb_last_bgsave_status": "ok",
                        "rdb_changes_since_last_save": "0",
                        "rdb_saves": "1"}, "INFO after BGSAVE", st)
            t.ok(call(c, "LASTSAVE") > before, "LASTSAVE moves on")
            r = call(c, "BGSAVE", "NOW")
            t.ok(isinstance(r, Exception) and str(r) == "ERR syntax error",
                 "BGSAVE with a bad argument: syntax error", r)
            if fkv.have_redis_server():
                with fkv.RedisServer() as rd:
                    mine = fields(srv.port)
                    theirs = fields(rd.port)
                t.ok(mine == theirs, "INFO persistence has redis-server's "
                     "fields, in its order", "%s\n%s" % (mine, theirs))
                with fkv.RedisServer() as rd:
                    with Conn(rd.port) as r2:
                        for args in (("CONFIG", "SET", "dir", "/tmp"),
                                     ("CONFIG", "SET", "dbfilename", "x.rdb"),
                                     ("CONFIG", "SET", "rdbchecksum", "no"),
                                     ("CONFIG", "GET", "dbfilename"),
                                     ("CONFIG", "GET", "rdbcompression")):
                            a, b = c.cmd(*args), r2.cmd(*args)
                            t.ok(a == b, "%s: as redis-server" % " ".join(args),
                                 "%s\n%s" % (fkv.show(a), fkv.show(b)))
            d = call(c, "CONFIG", "GET", "dir")
            t.ok(d == [b"dir", os.path.realpath(srv.dir).encode()],
                 "CONFIG GET dir: the working directory", d)


def fields(port):
    with fkv.Client(port) as c:
        text = fkv.bulk_text(c.cmd("INFO", "persistence")).decode()
    return [line.split(":")[0] for line in text.split("\r\n") if ":" in line]


def signals(t):
    srv = fkv.Server(["--save", "3600 1"])
    srv.start()
    try:
        with Conn(srv.port) as c:
            call(c, "SET", "k", "before-term")
        rc = srv.stop()
        t.ok(rc == 0, "SIGTERM with save points exits 0", rc)
        t.ok("Saving the final RDB snapshot" in srv.log_text() and
             os.path.exists(os.path.join(srv.dir, "dump.rdb")),
             "SIGTERM with save points saves", srv.log_text()[-600:])
        srv.start_again()
        with Conn(srv.port) as c:
            t.ok(call(c, "GET", "k") == b"before-term",
                 "... and the key is back after the restart")
            call(c, "SET", "k", "not-saved")
        shutdown(srv, "NOSAVE")
        srv.start_again()
        with Conn(srv.port) as c:
            t.ok(call(c, "GET", "k") == b"before-term",
                 "SHUTDOWN NOSAVE did not save")
            call(c, "SET", "k", "shutdown-save")
        shutdown(srv)
        srv.start_again()
        with Conn(srv.port) as c:
            t.ok(call(c, "GET", "k") == b"shutdown-save",
                 "SHUTDOWN with save points saves")
    finally:
        srv.cleanup()


def save_points(t):
    with fkv.Server(["--save", "1 1"]) as srv:
        with Conn(srv.port) as c:
            call(c, "SET", "sp", "1")
            ok = wait_for(lambda: fkv.info_field(
                srv.port, "persistence", "rdb_saves") not in ("0", None))
            t.ok(ok and os.path.exists(os.path.join(srv.dir, "dump.rdb")),
                 "save 1 1: a change is saved within seconds, unasked")


def consistent_cut(t):
    """MSET of two keys on different shards, over and over, while BGSAVE
    runs: in the file both have the same value."""
    a, b = "cut{a}", "cut{b}"
    if fkv.slot_of(a.encode()) % 2 == fkv.slot_of(b.encode()) % 2:
        b = "cut{c}"
    srv = fkv.Server()
    srv.start()
    try:
        stop = threading.Event()

        def writer():
            with fkv.Client(srv.port) as w:
                i = 0
                while not stop.is_set():
                    i += 1
                    w.cmd("MSET", a, str(i), b, str(i))
        th = threading.Thread(target=writer)
        th.start()
        with Conn(srv.port) as c:
            for _ in range(5):
                call(c, "BGSAVE", "SCHEDULE")
                bgsave_done(c)
        stop.set()
        th.join()
        shutdown(srv, "NOSAVE")
        srv.start_again()
        with Conn(srv.port) as c:
            va, vb = call(c, "GET", a), call(c, "GET", b)
        t.ok(va is not None and va == vb, "BGSAVE during cross-shard MSETs: "
             "both keys from the same MSET", "%r %r" % (va, vb))
    finally:
        srv.cleanup()


def changes_during_walk(t):
    """The walk is incremental and the shards keep serving: MSET k:i new
    progress i, in order, from before BGSAVE until after it.  In the file,
    every key up to the saved progress is new and every key beyond it old:
    keys changed after the cut but before the walk reached them were
    written with their old value first."""
    n = 60000
    old = "old" + "." * 200
    srv = fkv.Server()
    srv.start()
    try:
        with fkv.Client(srv.port) as c:
            for i in range(0, n, 1000):
                c.pipeline([("SET", "k:%d" % j, old) for j in range(i, i + 1000)])
        stop = threading.Event()
        done = [0]

        def writer():
            with fkv.Client(srv.port) as w:
                for i in range(0, n, 50):
                    if stop.is_set():
                        break
                    w.pipeline([("MSET", "k:%d" % j, "new%d" % j, "progress",
                                 str(j)) for j in range(i, i + 50)])
                    done[0] = i + 50
        th = threading.Thread(target=writer)
        th.start()
        wait_for(lambda: done[0] >= n // 10)
        with Conn(srv.port) as c:
            call(c, "BGSAVE")
            bgsave_done(c)
        stop.set()
        th.join()
        shutdown(srv, "NOSAVE")
        srv.start_again()
        with fkv.Client(srv.port) as c:
            p = int(call(c, "GET", "progress") or -1)
            bad = []
            for i in range(0, n, 1000):
                vals = [fkv.parse(r) for r in c.pipeline(
                    [("GET", "k:%d" % j) for j in range(i, i + 1000)])]
                for j, v in zip(range(i, i + 1000), vals):
                    want = ("new%d" % j if j <= p else old).encode()
                    if v != want:
                        bad.append("k:%d = %r (progress %d)" % (j, v, p))
        t.ok(0 < p < n - 1 and not bad, "BGSAVE while keys change: the file "
             "holds every key as it was at the cut (progress %d of %d)" % (
                 p, n), "\n".join(bad[:5]))
    finally:
        srv.cleanup()


def flushall_saves(t):
    """FLUSHALL with save points saves the emptied dataset at once, as
    Redis: a crash right after it does not bring the keys back."""
    srv = fkv.Server(["--save", "3600 1"])
    srv.start()
    try:
        with Conn(srv.port) as c:
            call(c, "SET", "a", "1")
            call(c, "SAVE")
            call(c, "FLUSHALL")
        srv.kill()  # SIGKILL: nothing more is saved
        srv.start_again()
        with Conn(srv.port) as c:
            n = call(c, "DBSIZE")
        t.ok(n == 0, "FLUSHALL with save points, then kill -9: the keys "
             "stay gone", n)
    finally:
        srv.cleanup()


def disk_full(t):
    """A full disk (a 1 MB tmpfs in a private mount namespace): BGSAVE
    fails with the reason in the log and INFO, nothing in memory is lost,
    and once there is room the next save succeeds."""
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if not shutil.which("unshare") or probe.returncode != 0:
        t.skip("disk full", "no mount namespaces here (unshare -m)")
        return
    srv = fkv.Server(["--save", ""])
    mnt = os.path.join(srv.dir, "tiny")
    os.mkdir(mnt)
    real = srv.argv

    def argv(port):
        cmd = " ".join("'%s'" % a.replace("'", "'\\''") for a in real(port))
        return ["unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=1m tmpfs '%s' && cd '%s' && exec %s"
                % (mnt, mnt, cmd)]
    srv.argv = argv
    srv.start()
    try:
        with Conn(srv.port) as c:
            for i in range(0, 3000, 500):
                c.pipeline([("SET", "big:%d" % j, os.urandom(700).hex())
                            for j in range(i, i + 500)])
            call(c, "BGSAVE")
            bgsave_done(c)
            st = fkv.info_field(srv.port, "persistence",
                                "rdb_last_bgsave_status")
            t.ok(st == "err" and "No space left on device" in srv.log_text(),
                 "disk full: BGSAVE fails, INFO and the log say why",
                 "%s\n%s" % (st, srv.log_text()[-400:]))
            t.ok(call(c, "DBSIZE") == 3000 and
                 len(call(c, "GET", "big:2999")) == 1400,
                 "... nothing in memory is lost")
            c.pipeline([("DEL", "big:%d" % j) for j in range(500, 3000)])
            call(c, "BGSAVE")
            bgsave_done(c)
            st = fkv.info_field(srv.port, "persistence",
                                "rdb_last_bgsave_status")
            t.ok(st == "ok", "... and with room again the next save "
                 "succeeds", st)
    finally:
        srv.cleanup()


def loading(t):
    """While the file loads, the port is open and commands get -LOADING
    (INFO and the other commands Redis allows answer, INFO with loading:1
    and Redis's loading_* fields); never a partial dataset."""
    n = 500000
    srv = fkv.Server()
    srv.start()
    try:
        with fkv.Client(srv.port) as c:
            for i in range(0, n, 2000):
                c.pipeline([("SET", "k:%d" % j, "v%d" % j) for j in range(i, i + 2000)])
            call(c, "SAVE")
        shutdown(srv, "NOSAVE")
        srv._spawn(srv.port, "ab")
        replies, infos = [], []
        end = time.monotonic() + 60
        c = None
        while time.monotonic() < end:
            try:
                c = c or fkv.Client(srv.port, timeout=10)
                r = c.cmd("DBSIZE")
                replies.append(r)
                if r != b"-LOADING Redis is loading the dataset in memory\r\n":
                    break
                infos.append(fkv.bulk_text(c.cmd("INFO", "persistence")))
            except OSError:
                c = None
                time.sleep(0.005)
        if c:
            c.close()
        odd = [r for r in replies if r not in (
            b"-LOADING Redis is loading the dataset in memory\r\n",
            b":%d\r\n" % n)]
        t.ok(replies and replies[-1] == b":%d\r\n" % n and not odd,
             "while loading: -LOADING, then the whole dataset, nothing in "
             "between (%d LOADING replies)" % (len(replies) - 1),
             "%r" % (odd or replies[-3:]))
        fields = (b"loading:1", b"loading_start_time:", b"loading_total_bytes:",
                  b"loading_loaded_perc:", b"loading_eta_seconds:")
        # The load may end between a DBSIZE and the INFO after it.
        during = [i for i in infos if b"loading:1" in i]
        t.ok(len(during) >= min(1, len(infos) - 1) and
             all(all(f in i for f in fields) for i in during),
             "INFO during loading: loading:1 and the loading_* fields (%d seen)"
             % len(during), "%r" % infos[:1])
    finally:
        srv.cleanup()


def corrupt(t):
    srv = fkv.Server()
    srv.start()
    try:
        with Conn(srv.port) as c:
            fill(c)
            call(c, "SAVE")
        srv.stop()
        path = os.path.join(srv.dir, "dump.rdb")
        good = open(path, "rb").read()
        for label, data in (("a flipped byte", good[:200] + bytes(
                [good[200] ^ 0x40]) + good[201:]),
                            ("a truncated file", good[:len(good) // 2])):
            with open(path, "wb") as f:
                f.write(data)
            srv._spawn(fkv.free_port(), "wb")
            try:
                rc = srv.proc.wait(20)
            except subprocess.TimeoutExpired:
                rc = None
            log = srv.log_text()
            t.ok(rc not in (0, None) and "dump.rdb" in log and "byte" in log,
                 "%s: the server refuses to start, the log names the file "
                 "and the byte" % label, "exit %r\n%s" % (rc, log[-500:]))
            srv.kill()
    finally:
        srv.cleanup()


def misconf(t):
    with fkv.Server(["--save", "3600 1"]) as srv:
        blocker = os.path.join(srv.dir, "dump.rdb")
        os.mkdir(blocker)  # renaming the snapshot over it fails
        with Conn(srv.port) as c:
            call(c, "SET", "k", "v")
            call(c, "BGSAVE")
            bgsave_done(c)
            st = fkv.info_field(srv.port, "persistence",
                                "rdb_last_bgsave_status")
            r = c.cmd("SET", "k", "w")
            t.ok(st == "err" and r.startswith(b"-MISCONF "),
                 "a failed BGSAVE: status err, writes get MISCONF",
                 "%s %s" % (st, fkv.show(r)))
            t.ok(call(c, "GET", "k") == b"v", "reads still work")
            r = c.cmd("SAVE")
            t.ok(r == b"-ERR\r\n", "SAVE that fails: Redis's bare -ERR",
                 fkv.show(r))
            os.rmdir(blocker)
            call(c, "BGSAVE")
            bgsave_done(c)
            t.ok(call(c, "SET", "k", "w") == b"OK",
                 "once a save succeeds, writes work again")


def main():
    t = fkv.Tap()
    for fn in (round_trip, from_redis, bgsave_and_info, signals, save_points,
               consistent_cut, changes_during_walk, flushall_saves,
               disk_full, loading, corrupt, misconf):
        try:
            fn(t)
        except Exception as e:
            import traceback
            t.ok(False, fn.__name__, "exception: %r\n%s" % (
                e, traceback.format_exc()))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
