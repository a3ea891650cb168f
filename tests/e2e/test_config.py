#!/usr/bin/env python3
"""CONFIG SET end to end (TAP).

- Errors: the same CONFIG SET commands against FlashKV and Debian's
  redis-server, replies compared byte for byte, and the values CONFIG GET
  shows afterwards (units, clamping, case).
- Effects, each on a fresh pair of servers, the same script on both where
  Redis has the setting: maxclients refuses the next client with Redis's
  error, timeout closes idle clients (also those connected before), hz
  restarts active expiry, requirepass for new connections and AUTH,
  proto-max-bulk-len and client-query-buffer-limit for parsing (also on
  connections opened before), client-output-buffer-limit, loglevel, port
  and bind (the server moves), FlashKV's immutable settings.
- All or nothing: a bad value or a failing side effect in a later pair
  leaves the earlier pairs unchanged.
- Concurrent CONFIG SETs from many connections on both workers while
  clients come and go (old settings are freed while workers read them: the
  ASan build of this test catches a free too early).
- Protected mode, for real: in a private network namespace (unshare), a
  client from a non-loopback address of that namespace gets Redis's DENIED
  error, compared with redis-server's; skipped with the reason when
  namespaces are not available.

usage: test_config.py [SUBSTRING...]  (only the t_* checks whose name
matches)

Timings are generous (2-core machine shared with other jobs): waits poll up
to many seconds for what should take one.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

HAVE_REDIS = fkv.have_redis_server()
NETNS_ADDR = "10.77.0.1"  # only ever inside our own network namespace


def err_set(name, why):
    return ("-ERR CONFIG SET failed (possibly related to argument '%s') - "
            "%s\r\n" % (name, why)).encode()


def cfg_get(c, name):
    r = c.cmd("CONFIG", "GET", name)
    parts = r.split(b"\r\n")
    # *2 $n name $n value
    return parts[4].decode("latin-1") if len(parts) > 4 else None


def servers(fkv_args=(), redis_args=()):
    """A fresh FlashKV and (if installed) redis-server, both stopped on
    leaving: with servers() as (f, r): ..."""
    return Pair(fkv_args, redis_args)


class Pair:
    def __init__(self, fkv_args=(), redis_args=()):
        self.f = fkv.Server(list(fkv_args))
        self.r = fkv.RedisServer(list(redis_args)) if HAVE_REDIS else None

    def __enter__(self):
        try:
            self.f.start()
            if self.r:
                self.r.start()
        except BaseException:
            self.__exit__()
            raise
        return self.f, self.r

    def __exit__(self, *a):
        for s in (self.f, self.r):
            if s is None:
                continue
            if s.alive():
                rc = s.stop()
                if s is self.f:
                    EXITS.append(rc)
            s.cleanup()


EXITS = []  # exit codes of the FlashKV servers stopped by Pair


def on_both(pair, fn):
    """fn(server) on FlashKV and Redis; returns (flashkv result, redis
    result or None)."""
    f, r = pair
    return fn(f), (fn(r) if r else None)


def wait_until(pred, secs=15.0, step=0.05):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def refused(port):
    try:
        with fkv.Client(port, timeout=2) as c:
            c.cmd("PING")
        return False
    except (ConnectionRefusedError, OSError, EOFError):
        return True


# ---- errors and values, compared with redis-server --------------------------

ERROR_CASES = [
    ["foo", "bar"],
    ["maxclients", "abc"], ["MAXCLIENTS", "abc"], ["maxclients", "0"],
    ["maxclients", "-1"], ["maxclients", "4294967296"],
    ["maxclients", "01"], ["maxclients", " 1"],
    ["timeout", "-1"], ["timeout", "1.5"], ["timeout", ""],
    ["timeout", "10", "timeout", "20"], ["timeout", "10", "TIMEOUT", "20"],
    ["timeout", "10", "foo", "20"], ["foo", "10", "timeout", "20"],
    ["timeout", "abc", "foo", "1"], ["databases", "4"],
    ["databases", "4", "foo", "1"], ["timeout", "1", "databases", "4"],
    ["daemonize", "no"], ["tcp-backlog", "10"], ["logfile", "x"],
    ["timeout"], ["timeout", "1", "x"], [],
    ["hz", "-1"], ["hz", "abc"], ["hz", "2147483648"],
    ["loglevel", "foo"], ["loglevel", ""],
    ["protected-mode", "maybe"], ["protected-mode", "1"],
    ["appendonly", "maybe"],
    ["proto-max-bulk-len", "1000"], ["proto-max-bulk-len", "1kb"],
    ["proto-max-bulk-len", "abc"], ["proto-max-bulk-len", "-1"],
    ["proto-max-bulk-len", "1.5mb"], ["proto-max-bulk-len", "1tb"],
    ["client-query-buffer-limit", "1000"],
    ["client-query-buffer-limit", "-1"],
    ["client-output-buffer-limit", "normal 1 2"],
    ["client-output-buffer-limit", "foo 1 2 3"],
    ["client-output-buffer-limit", "master 1 2 3"],
    ["client-output-buffer-limit", "normal 1mb 2mb x"],
    ["client-output-buffer-limit", "normal 1mb 2mb -1"],
    ["client-output-buffer-limit", "normal abc 2mb 1"],
    ["client-output-buffer-limit", "normal 7 7 7 pubsub x 1 1"],
    ["save", "1 2 3"], ["save", "abc 1"], ["save", "0 1"],
    ["port", "70000"], ["port", "abc"], ["port", "-1"],
    ["bind", "a b c d e f g h i j k l m n o p q"],
    ["bind", "192.0.2.1"],  # TEST-NET: not ours, bind fails locally
    ["bind", "127.0.0.1 127.0.0.1"],
    ["maxclients", "2000000"],  # over the file limit: Redis's message
    ["maxclients", "10", "timeout", "abc"],
    ["timeout", "7", "maxclients", "2000000"],
    ["maxclients", "2000000", "port", "70000"],
    ["requirepass"],
]

# name, value set, then CONFIG GET name compared; the last value of each
# name restores the default.
VALUE_CASES = [
    ("hz", "0"), ("hz", "1000"), ("hz", "25"), ("hz", "10"),
    ("timeout", "300"), ("timeout", "0"),
    ("maxclients", "77"), ("maxclients", "10000"),
    ("proto-max-bulk-len", "2mb"), ("proto-max-bulk-len", "1GB"),
    ("proto-max-bulk-len", "1048576"), ("proto-max-bulk-len", "512mb"),
    ("client-query-buffer-limit", "1g"), ("client-query-buffer-limit", "2Mb"),
    ("client-query-buffer-limit", "1gb"),
    ("client-output-buffer-limit", "normal 1mb 2mb 10 replica 1 2 3"),
    ("client-output-buffer-limit", "NORMAL 1k 2K 3"),
    ("client-output-buffer-limit",
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
    ("protected-mode", "NO"), ("protected-mode", "yes"),
    ("loglevel", "WARNING"), ("loglevel", "verbose"), ("loglevel", "notice"),
    ("save", "100 1 200 2"), ("save", ""),
    ("appendonly", "no"),
    ("requirepass", ""),
]


def t_errors(tap):
    with servers() as pair:
        def script(s):
            out = []
            with s.client() as c:
                for case in ERROR_CASES:
                    out.append((case, c.cmd("CONFIG", "SET", *case)))
                # what the failed pairs must have left alone
                for n in ("timeout", "maxclients", "hz", "databases",
                          "client-output-buffer-limit", "save", "bind"):
                    out.append((n, c.cmd("CONFIG", "GET", n)))
            return out

        def compare():
            a, b = on_both(pair, script)
            if b is None:
                return True, None
            bad = ["%r\n  flashkv %s\n  redis   %s" % (x[0], fkv.show(x[1]),
                                                       fkv.show(y[1]))
                   for x, y in zip(a, b) if x != y]
            return not bad, "\n".join(bad[:20])
        tap.run("CONFIG SET errors identical to redis-server's (%d commands)"
                % len(ERROR_CASES), compare)

        def values(s):
            out = []
            with s.client() as c:
                for name, v in VALUE_CASES:
                    out.append((name, v, c.cmd("CONFIG", "SET", name, v),
                                c.cmd("CONFIG", "GET", name)))
                out.append(c.cmd("CONFIG", "SET", "timeout", "5", "hz", "20",
                                 "loglevel", "debug"))
                out.append(c.cmd("CONFIG", "GET", "timeout"))
                out.append(c.cmd("CONFIG", "GET", "hz"))
                out.append(c.cmd("CONFIG", "GET", "loglevel"))
                out.append(c.cmd("CONFIG", "SET", "timeout", "0", "hz", "10",
                                 "loglevel", "notice"))
            return out

        def compare_values():
            a, b = on_both(pair, values)
            if b is None:
                return all(x[2] == b"+OK\r\n" for x in a[:len(VALUE_CASES)]), None
            bad = ["%r\n  flashkv %s\n  redis   %s" % (x[:2], fkv.show(repr(x[2:]).encode()),
                                                       fkv.show(repr(y[2:]).encode()))
                   for x, y in zip(a, b) if x != y]
            return not bad, "\n".join(bad[:20])
        tap.run("CONFIG SET values as CONFIG GET shows them, as redis-server "
                "(units, case, clamping, several pairs)", compare_values)

    def flashkv_only():
        with fkv.Server() as s, s.client() as c:
            got = [c.cmd("CONFIG", "SET", n, v) for n, v in
                   (("threads", "1"), ("shards", "3"), ("pin-threads", "no"),
                    ("spin-us", "5"), ("SHARDS", "1"))]
            want = [err_set("threads", "can't set immutable config"),
                    err_set("shards", "can't set immutable config"),
                    err_set("pin-threads", "can't set immutable config"),
                    err_set("spin-us", "can't set immutable config"),
                    err_set("SHARDS", "can't set immutable config")]
            return got == want, repr(got)
    tap.run("FlashKV's own settings (threads, shards, pin-threads, spin-us) "
            "are immutable, with Redis's error", flashkv_only)


# ---- effects ----------------------------------------------------------------

def t_maxclients(tap):
    def script(s):
        out = []
        with s.client() as a:
            out.append(a.cmd("CONFIG", "SET", "maxclients", "1"))
            b = s.client()
            try:
                b.sock.settimeout(10)
                data = b""
                while True:
                    d = b.sock.recv(4096)
                    if not d:
                        break
                    data += d
                out.append(data)
            except (ConnectionResetError, socket.timeout) as e:
                out.append(repr(e))
            finally:
                b.close()
            out.append(a.cmd("CONFIG", "SET", "maxclients", "10000"))
            with s.client() as c:
                out.append(c.cmd("PING"))
            out.append(fkv.info_field(s.port, "stats", "rejected_connections"))
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, script)
        ok = a[:4] == [b"+OK\r\n", b"-ERR max number of clients reached\r\n",
                       b"+OK\r\n", b"+PONG\r\n"] and a[4] == "1"
        return ok and (b is None or a == b), "flashkv %r\nredis %r" % (a, b)
    tap.run("maxclients 1: the next client gets Redis's error and is closed; "
            "raised again, clients come in", check)


def t_timeout(tap):
    def check():
        with servers() as pair:
            def run(s):
                idle = s.client()  # connected before the CONFIG SET
                try:
                    with s.client() as a:
                        if a.cmd("CONFIG", "SET", "timeout", "1") != b"+OK\r\n":
                            return "set failed"
                    closed = idle.closed_by_peer(timeout=20)
                    with s.client() as a:  # a fresh one: not idle yet
                        if a.cmd("CONFIG", "SET", "timeout", "0") != b"+OK\r\n":
                            return "reset failed"
                    with s.client() as late:
                        time.sleep(2.5)  # > 1 s, but timeout is 0 now
                        alive = late.cmd("PING") == b"+PONG\r\n"
                    return ("closed" if closed else "open", alive)
                finally:
                    idle.close()
            a, b = on_both(pair, run)
        return a == ("closed", True) and (b is None or a == b), \
            "flashkv %r redis %r" % (a, b)
    tap.run("timeout 1 closes an idle client connected before it; timeout 0 "
            "leaves idle clients alone", check)


def t_timeout_busy(tap):
    def check():
        with fkv.Server() as s, s.client() as a:
            a.cmd("CONFIG", "SET", "timeout", "2")
            # A client that keeps talking is never idle.
            end = time.monotonic() + 4
            while time.monotonic() < end:
                if a.cmd("PING") != b"+PONG\r\n":
                    return False, "lost"
                time.sleep(0.2)
            return a.cmd("CONFIG", "SET", "timeout", "0") == b"+OK\r\n", None
    tap.run("timeout spares a client that keeps sending commands", check)


def t_hz(tap):
    def run(s):
        with s.client() as c:
            out = [c.cmd("CONFIG", "SET", "hz", "1"),
                   c.cmd("CONFIG", "SET", "hz", "50")]
            out.append(fkv.info_field(s.port, "server", "hz"))
            for i in range(30):
                c.cmd("SET", "exp:%d" % i, "v", "PX", "200")
            # Nobody touches the keys: only active expiry removes them.
            gone = wait_until(lambda: c.cmd("DBSIZE") == b":0\r\n", 20, 0.1)
            out.append(gone)
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, run)
        return a == [b"+OK\r\n", b"+OK\r\n", "50", True] and \
            (b is None or a == b), "flashkv %r redis %r" % (a, b)
    tap.run("hz: INFO shows it and active expiry runs at the new rate",
            check)


def t_requirepass(tap):
    def run(s):
        out = []
        a = s.client()
        b = c = None
        try:
            out.append(a.cmd("AUTH", "pw"))  # no password yet
            out.append(a.cmd("CONFIG", "SET", "requirepass", "pw"))
            out.append(a.cmd("PING"))  # authenticated before: stays so
            out.append(a.cmd("CONFIG", "GET", "requirepass"))
            b = s.client()
            out.append(b.cmd("PING"))
            out.append(b.cmd("AUTH", "nope"))
            out.append(b.cmd("AUTH", "default", "pw"))
            out.append(b.cmd("PING"))
            c = s.client()
            out.append(c.cmd("GET", "x"))
            out.append(a.cmd("CONFIG", "SET", "requirepass", ""))
            out.append(c.cmd("PING"))        # no password: allowed
            out.append(c.cmd("HELLO", "2")[:6])  # but never authenticated
            out.append(a.cmd("CONFIG", "SET", "requirepass", "pw2"))
            out.append(c.cmd("PING"))        # a password again: not allowed
            out.append(b.cmd("PING"))        # authenticated: still allowed
            out.append(c.cmd("AUTH", "pw"))
            out.append(c.cmd("AUTH", "pw2"))
            out.append(c.cmd("PING"))
            with s.client() as d:
                out.append(d.cmd("HELLO", "3", "AUTH", "default", "pw2")[:1])
            out.append(a.cmd("CONFIG", "SET", "requirepass", ""))
            with s.client() as e:
                out.append(e.cmd("PING"))
        finally:
            for x in (a, b, c):
                if x:
                    x.close()
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, run)
        ok = a[1] == b"+OK\r\n" and a[4].startswith(b"-NOAUTH") and \
            a[7] == b"+PONG\r\n" and a[10] == b"+PONG\r\n" and \
            a[13].startswith(b"-NOAUTH") and a[-1] == b"+PONG\r\n"
        return ok and (b is None or a == b), "flashkv %r\nredis %r" % (a, b)
    tap.run("requirepass: new connections need AUTH, connections in place "
            "keep theirs; removed, unauthenticated ones may run commands",
            check)


def t_bulk_len(tap):
    def run(s):
        out = []
        early = s.client()  # opened before the CONFIG SET
        try:
            with s.client() as a:
                out.append(a.cmd("CONFIG", "SET", "proto-max-bulk-len", "1mb"))
                time.sleep(0.2)  # let every worker hear of it
                for c in (early, s.client()):
                    try:
                        c.send(b"*2\r\n$4\r\nECHO\r\n$2000000\r\n")
                        out.append(c.reply())
                        out.append(c.closed_by_peer(timeout=10))
                    finally:
                        c.close()
                big = b"x" * (1 << 20)
                out.append(len(a.cmd("ECHO", big)))  # at the limit: fine
                out.append(a.cmd("CONFIG", "SET", "proto-max-bulk-len",
                                 "512mb"))
                with s.client() as c:
                    out.append(len(c.cmd("ECHO", b"y" * 2000000)))
                # pipelined behind the CONFIG SET on the same connection
                with s.client() as c:
                    c.send(fkv.enc("CONFIG", "SET", "proto-max-bulk-len",
                                   "1mb") +
                           b"*2\r\n$4\r\nECHO\r\n$2000000\r\n")
                    out.append(c.reply())
                    out.append(c.reply())
                out.append(a.cmd("CONFIG", "SET", "proto-max-bulk-len",
                                 "512mb"))
        finally:
            early.close()
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, run)
        err = b"-ERR Protocol error: invalid bulk length\r\n"
        ok = a[:5] == [b"+OK\r\n", err, True, err, True] and \
            a[6] == b"+OK\r\n" and a[8:] == [b"+OK\r\n", err, b"+OK\r\n"]
        return ok and (b is None or a == b), "flashkv %r\nredis %r" % (a, b)
    tap.run("proto-max-bulk-len: a longer bulk is a protocol error, also on "
            "connections opened before; raised again, it passes", check)


def t_query_limit(tap):
    def run(s):
        out = []
        early = s.client()
        try:
            with s.client() as a:
                out.append(a.cmd("CONFIG", "SET", "client-query-buffer-limit",
                                 "1mb"))
                time.sleep(0.2)
                # 1.5 MB of a 3 MB argument: more than the limit pending
                try:
                    early.send(b"*2\r\n$4\r\nECHO\r\n$3000000\r\n" +
                               b"z" * 1500000)
                except OSError:
                    pass
                out.append(early.closed_by_peer(timeout=15))
                out.append(a.cmd("CONFIG", "SET", "client-query-buffer-limit",
                                 "1gb"))
                with s.client() as c:
                    out.append(len(c.cmd("ECHO", b"z" * 3000000)))
        finally:
            early.close()
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, run)
        ok = a[:3] == [b"+OK\r\n", True, b"+OK\r\n"]
        return ok and (b is None or a == b), "flashkv %r\nredis %r" % (a, b)
    tap.run("client-query-buffer-limit: a client over it is closed; raised "
            "again, a big command passes", check)


def t_output_limit(tap):
    def run(s):
        out = []
        with s.client() as a:
            out.append(a.cmd("SET", "big", b"o" * (1 << 20)))
            out.append(a.cmd("CONFIG", "SET", "client-output-buffer-limit",
                             "normal 1mb 0 0"))
            time.sleep(0.2)
            c = s.client(timeout=10)
            try:
                c.send(b"".join(fkv.enc("GET", "big") for _ in range(60)))
                time.sleep(2)  # not reading: replies pile up
                n = 0
                try:
                    while n < 60:
                        c.reply()
                        n += 1
                except (EOFError, OSError):
                    pass
                out.append(n < 60)
            finally:
                c.close()
            out.append(a.cmd("CONFIG", "SET", "client-output-buffer-limit",
                             "normal 0 0 0"))
            c = s.client(timeout=20)
            try:
                c.send(b"".join(fkv.enc("GET", "big") for _ in range(20)))
                time.sleep(1)
                out.append(sum(1 for _ in range(20) if c.reply()))
            finally:
                c.close()
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, run)
        ok = a == [b"+OK\r\n", b"+OK\r\n", True, b"+OK\r\n", 20]
        return ok and (b is None or a == b), "flashkv %r\nredis %r" % (a, b)
    tap.run("client-output-buffer-limit normal: a client that does not read "
            "is closed at the hard limit; with none, it is not", check)


def t_loglevel(tap):
    def check():
        with fkv.Server(["--loglevel", "warning"]) as s:
            def proto_error():
                with s.client() as c:
                    c.send(b"*abc\r\n")
                    c.closed_by_peer(timeout=10)
            mark = "Protocol error"
            proto_error()
            time.sleep(0.3)
            before = s.log_text().count(mark)
            with s.client() as c:
                if c.cmd("CONFIG", "SET", "loglevel", "verbose") != b"+OK\r\n":
                    return False, "set"
            proto_error()
            logged = wait_until(lambda: s.log_text().count(mark) > before, 10)
            return before == 0 and logged, "before %d, log:\n%s" % (
                before, s.log_text()[-1500:])
    tap.run("loglevel: verbose lines appear once it is set to verbose",
            check)


def t_port_bind(tap):
    def run(s):
        out = []
        old = s.port
        new = fkv.free_port()
        with s.client() as a:
            out.append(a.cmd("CONFIG", "SET", "port", str(new)))
            out.append(cfg_get(a, "port") == str(new))
            # the connection in place lives on
            out.append(a.cmd("PING"))
        with fkv.Client(new) as c:
            out.append(c.cmd("PING"))
        out.append(wait_until(lambda: refused(old), 10))
        s.port = new  # for stop() and the next checks
        with s.client() as a:
            out.append(a.cmd("CONFIG", "SET", "bind", "127.0.0.1 -::1"))
            out.append(cfg_get(a, "bind"))
            with fkv.Client(new) as c:
                out.append(c.cmd("PING"))  # kept its socket
            out.append(a.cmd("CONFIG", "SET", "bind", "127.0.0.1"))
            out.append(a.cmd("CONFIG", "SET", "port", str(old)))
        s.port = old
        with s.client() as c:
            out.append(c.cmd("PING"))
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, run)
        ok = a == [b"+OK\r\n", True, b"+PONG\r\n", b"+PONG\r\n", True,
                   b"+OK\r\n", "127.0.0.1 -::1", b"+PONG\r\n", b"+OK\r\n",
                   b"+OK\r\n", b"+PONG\r\n"]
        return ok and (b is None or a == b), "flashkv %r\nredis %r" % (a, b)
    tap.run("port and bind: the server listens where it is told, "
            "connections in place go on", check)


def t_atomic(tap):
    def run(s):
        out = []
        # a port the other server (or a socket of ours) holds
        holder = socket.socket()
        holder.bind((fkv.HOST, 0))
        holder.listen(1)
        busy = holder.getsockname()[1]
        try:
            with s.client() as c:
                out.append(c.cmd("CONFIG", "SET", "timeout", "7",
                                 "maxclients", "abc"))
                out.append(c.cmd("CONFIG", "SET", "timeout", "7",
                                 "port", str(busy)))
                out.append(c.cmd("CONFIG", "SET", "hz", "33",
                                 "bind", "127.0.0.1 192.0.2.1"))
                newport = fkv.free_port()
                out.append(c.cmd("CONFIG", "SET", "port", str(newport),
                                 "maxclients", "2000000"))
                out.append(refused(newport))
                out.append(c.cmd("CONFIG", "SET", "requirepass", "x",
                                 "save", "1"))
                for n in ("timeout", "maxclients", "hz", "bind",
                          "requirepass", "save"):
                    out.append(c.cmd("CONFIG", "GET", n))
                out.append(cfg_get(c, "port") == str(s.port))
                out.append(c.cmd("PING"))
        finally:
            holder.close()
        return out

    def check():
        with servers() as pair:
            a, b = on_both(pair, run)
        ok = a[0].startswith(b"-ERR") and a[1] == err_set(
            "port", "Unable to listen on this port. Check server logs.") \
            and a[2] == err_set("bind", "Failed to bind to specified "
                                "addresses.") and a[4] is True
        ok = ok and a[6:] == [
            b"*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n",
            b"*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n",
            b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n",
            b"*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n",
            b"*2\r\n$11\r\nrequirepass\r\n$0\r\n\r\n",
            b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n", True, b"+PONG\r\n"]
        return ok and (b is None or a == b), "flashkv %r\nredis %r" % (a, b)
    tap.run("several pairs are all or nothing: a bad value or a failing "
            "port, bind or maxclients leaves the earlier pairs unchanged",
            check)


def t_concurrent(tap):
    def check():
        with fkv.Server(threads=2) as s:
            stop = time.monotonic() + 4
            errors = []

            def setter(k):
                try:
                    with s.client() as c:
                        i = 0
                        while time.monotonic() < stop:
                            i += 1
                            r = c.cmd("CONFIG", "SET", "timeout",
                                      str(1000 + i), "hz", str(5 + i % 50),
                                      "save", "%d %d" % (i, k),
                                      "proto-max-bulk-len", "%dmb" % (1 + i % 9),
                                      "loglevel", "notice")
                            if r != b"+OK\r\n":
                                errors.append(r)
                            c.cmd("CONFIG", "GET", "*")
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))

            def churn():
                try:
                    while time.monotonic() < stop:
                        with s.client() as c:
                            c.cmd("PING")
                            c.cmd("INFO", "server")
                            c.cmd("SET", "k", "v")
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))

            ts = [threading.Thread(target=setter, args=(k,)) for k in range(4)]
            ts += [threading.Thread(target=churn) for _ in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            with s.client() as c:
                c.cmd("CONFIG", "SET", "timeout", "0", "hz", "10")
                alive = c.cmd("PING") == b"+PONG\r\n"
            rc = s.stop()
            return not errors and alive and rc == 0, \
                "errors %r alive %r exit %r\nserver log:\n%s" % (
                    errors[:5], alive, rc, s.log_text()[-4000:])
    tap.run("concurrent CONFIG SETs from several connections on both workers "
            "while clients come and go; clean exit", check)


# ---- protected mode, in a private network namespace -------------------------

def netns_child(parent_ns, server):
    """Runs inside `unshare -n`: sets up NETNS_ADDR, runs the checks, prints
    one JSON line of results."""
    res = {"skip": None, "checks": []}
    if os.stat("/proc/self/ns/net").st_ino == int(parent_ns):
        res["skip"] = "not in a new network namespace"
        print(json.dumps(res))
        return 0
    ip = shutil.which("ip") or "/sbin/ip"
    cmds = [[ip, "link", "set", "lo", "up"],
            [ip, "addr", "add", NETNS_ADDR + "/32", "dev", "lo"]]
    for c in cmds:
        p = subprocess.run(c, capture_output=True, text=True)
        if p.returncode != 0:
            res["skip"] = "%s: %s" % (" ".join(c), p.stderr.strip())
            print(json.dumps(res))
            return 0
    os.environ["FLASHKV_SERVER"] = server

    def greet(port, host):
        """What a client from @host gets, unprompted, then after PING."""
        s = socket.create_connection((host, port), timeout=10)
        try:
            s.settimeout(1.0)
            data = b""
            try:
                while True:
                    d = s.recv(65536)
                    if not d:
                        return data + b"<closed>"
                    data += d
            except socket.timeout:
                pass
            s.settimeout(10)
            s.sendall(b"PING\r\n")
            while not data.endswith(b"\r\n") or not data:
                d = s.recv(65536)
                if not d:
                    return data + b"<closed>"
                data += d
            return data
        except ConnectionResetError:
            return b"<reset>"
        finally:
            s.close()

    def check(name, fn):
        try:
            res["checks"].append([name] + list(fn()))
        except Exception as e:  # noqa: BLE001
            res["checks"].append([name, False, "exception %r" % e])

    def scenario(srv_cls, extra):
        out = []
        with srv_cls(extra) as s:
            out.append(greet(s.port, NETNS_ADDR))
            out.append(greet(s.port, "127.0.0.1"))
            with s.client() as c:
                out.append(fkv.info_field(s.port, "stats",
                                          "rejected_connections"))
                out.append(c.cmd("CONFIG", "SET", "protected-mode", "no"))
                out.append(greet(s.port, NETNS_ADDR))
                out.append(c.cmd("CONFIG", "SET", "protected-mode", "yes",
                                 "requirepass", "pw"))
                out.append(greet(s.port, NETNS_ADDR))
                out.append(c.cmd("CONFIG", "SET", "requirepass", ""))
                out.append(greet(s.port, NETNS_ADDR))
        return [x.decode("latin-1") if isinstance(x, bytes) else x
                for x in out]

    class FkvAll(fkv.Server):
        def argv(self, port):
            return super().argv(port) + ["--bind", "* -::*"]

    class RedisAll(fkv.RedisServer):
        def argv(self, port):
            return super().argv(port) + ["--bind", "* -::*"]

    class FkvAddr(fkv.Server):
        def argv(self, port):
            return super().argv(port) + ["--bind", NETNS_ADDR + " 127.0.0.1"]

    class RedisAddr(fkv.RedisServer):
        def argv(self, port):
            return super().argv(port) + ["--bind", NETNS_ADDR + " 127.0.0.1"]

    denied_head = "-DENIED Redis is running in protected mode because"

    for label, fc, rc in (("bind * -::*", FkvAll, RedisAll),
                          ("bind %s 127.0.0.1 (given explicitly)" % NETNS_ADDR,
                           FkvAddr, RedisAddr)):
        def run(fc=fc, rc=rc):
            a = scenario(fc, [])
            want_shape = (a[0].startswith(denied_head) and
                          a[0].endswith("\r\n<closed>") and
                          a[1] == "+PONG\r\n" and a[2] == "1" and
                          a[4] == "+PONG\r\n" and
                          a[6].startswith("-NOAUTH") and
                          a[0] == a[8])
            if not fkv.have_redis_server():
                return want_shape, "flashkv %r" % a
            b = scenario(rc, [])
            return want_shape and a == b, "flashkv %r\nredis %r" % (a, b)
        check("protected mode, %s: a non-loopback client gets Redis's DENIED "
              "and is closed, not after protected-mode no or with a password"
              % label, run)

    class FkvDefault(fkv.Server):
        def argv(self, port):
            return [fkv.server_path(), "--port", str(port), "--save", ""]

    def default_bind():
        # FlashKV's default bind is loopback only: nothing to reach.
        with FkvDefault([]) as s:
            try:
                socket.create_connection((NETNS_ADDR, s.port), timeout=5).close()
                return False, "reachable"
            except OSError:
                return True, None
    check("default bind (loopback): not reachable from another address",
          default_bind)
    print(json.dumps(res))
    return 0


def t_protected(tap):
    names = ["protected mode, bind * -::*", "protected mode, explicit bind",
             "default bind not reachable"]
    if not shutil.which("unshare"):
        for n in names:
            tap.skip(n, "no unshare(1): network namespaces not available")
        return
    parent_ns = os.stat("/proc/self/ns/net").st_ino
    me = os.path.abspath(__file__)
    out, why = None, ""
    for pre in (["unshare", "-n"], ["unshare", "-rn"]):
        try:
            p = subprocess.run(pre + [sys.executable, me, "--netns-child",
                                      str(parent_ns), fkv.server_path()],
                               capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            tap.ok(False, "protected mode checks", "timed out in the namespace")
            return
        if p.returncode == 0 and p.stdout.strip():
            out = json.loads(p.stdout.strip().splitlines()[-1])
            break
        last = ((p.stderr or p.stdout).strip().splitlines() or ["?"])[-1]
        if not last.startswith("unshare:"):
            # unshare worked: the checks themselves broke
            tap.ok(False, "protected mode checks", "in the namespace:\n" +
                   (p.stdout + p.stderr)[-3000:])
            return
        why = "%s: %s" % (" ".join(pre), last)
    if out is None or out.get("skip"):
        reason = why if out is None else out["skip"]
        for n in names:
            tap.skip(n, "network namespaces not available (%s)" % reason)
        return
    for chk in out["checks"]:
        name, ok = chk[0], chk[1]
        tap.ok(ok, name, chk[2] if len(chk) > 2 else None)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "--netns-child":
        os.environ["FLASHKV_SERVER"] = sys.argv[3]
        return netns_child(sys.argv[2], sys.argv[3])
    tap = fkv.Tap()
    if not HAVE_REDIS:
        tap.diag("redis-server not installed: FlashKV checked alone")
    only = sys.argv[1:]  # substrings of the test functions' names
    for fn in (t_errors, t_maxclients, t_timeout, t_timeout_busy, t_hz,
               t_requirepass, t_bulk_len, t_query_limit, t_output_limit,
               t_loglevel, t_port_bind, t_atomic, t_concurrent, t_protected):
        if not only or any(o in fn.__name__ for o in only):
            fn(tap)
    if EXITS:
        tap.ok(all(rc == 0 for rc in EXITS), "every flashkv-server stopped "
               "exited 0 (under ASan: no leak)", "exit codes %r" % EXITS)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
