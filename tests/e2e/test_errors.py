#!/usr/bin/env python3
"""Bad input end to end (TAP): command errors, protocol errors (exact reply,
then close), over-limit bulk / multibulk lengths refused before anything is
allocated, inline requests over 64 KB, clients that vanish mid-command or
never read their replies, maxclients.  After every case a client connected
from the start still works and the data stored before is intact.

Protocol-error replies are also checked against redis-server when it is
installed (same bytes, same close).
"""
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

MB = 1 << 20


def read_until_close(port, data, timeout=5.0, linger_rst=False):
    """Send data on a fresh connection; return (bytes received, closed)."""
    c = fkv.Client(port, timeout=timeout)
    got = bytearray()
    try:
        if isinstance(data, list):  # parts, with a pause in between
            for part in data[:-1]:
                c.send(part)
                time.sleep(0.3)
            data = data[-1]
        try:
            c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed early: what it sent before closing still counts
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                d = c.sock.recv(65536)
            except socket.timeout:
                return bytes(got), False
            except ConnectionResetError:
                return bytes(got), True
            if not d:
                return bytes(got), True
            got += d
        return bytes(got), False
    finally:
        c.close()


class Keeper:
    """A client connected before the bad input; checks data stays intact."""

    KEYS = {"keep:%d" % i: ("value-%d" % i) * (i + 1) for i in range(16)}

    def __init__(self, srv):
        self.srv = srv
        self.c = srv.client(timeout=60)
        args = []
        for k, v in self.KEYS.items():
            args += [k, v]
        assert self.c.cmd("MSET", *args) == b"+OK\r\n"
        assert self.c.cmd("SET", "keep:big", "B" * 300000) == b"+OK\r\n"

    def check(self):
        """(ok, diag): server alive, this connection and a new one answer,
        the data is intact."""
        if not self.srv.alive():
            return False, "server died (exit %s); log tail:\n%s" % (
                self.srv.proc.poll(), self.srv.log_text()[-1500:])
        try:
            names = list(self.KEYS)
            want = b"*%d\r\n" % len(names) + b"".join(
                b"$%d\r\n%s\r\n" % (len(v), v.encode()) for v in
                self.KEYS.values())
            r = self.c.cmd("MGET", *names)
            if r != want:
                return False, "keeper MGET: %s" % fkv.show(r)
            r = self.c.cmd("STRLEN", "keep:big")
            if r != b":300000\r\n":
                return False, "keeper STRLEN: %s" % fkv.show(r)
            with self.srv.client(timeout=60) as c2:
                r = c2.cmd("GET", "keep:3")
                if r != b"$28\r\nvalue-3value-3value-3value-3\r\n":
                    return False, "new client GET: %s" % fkv.show(r)
        except (OSError, EOFError) as e:
            return False, "keeper failed: %r" % e
        return True, None


# ---- command errors: reply, connection stays open ---------------------------

CMD_ERRORS = [
    ("unknown command", [("NOSUCHCMD", "a", "b")],
     b"-ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' \r\n"),
    ("unknown command, no args", [("FOO",)],
     b"-ERR unknown command 'FOO', with args beginning with: \r\n"),
    ("wrong arity GET", [("GET",)],
     b"-ERR wrong number of arguments for 'get' command\r\n"),
    ("wrong arity SET", [("set", "a")],
     b"-ERR wrong number of arguments for 'set' command\r\n"),
    ("wrong arity MSET", [("MSET", "a", "1", "b")],
     b"-ERR wrong number of arguments for 'mset' command\r\n"),
    ("not an integer", [("SET", "e:n", "abc"), ("INCR", "e:n")],
     b"-ERR value is not an integer or out of range\r\n"),
    ("integer out of range", [("INCRBY", "e:m", "99999999999999999999")],
     b"-ERR value is not an integer or out of range\r\n"),
    ("overflow", [("INCRBY", "e:o", "9223372036854775807"),
                  ("INCRBY", "e:o", "9223372036854775807")],
     b"-ERR increment or decrement would overflow\r\n"),
    ("not a float", [("INCRBYFLOAT", "e:f", "abc")],
     b"-ERR value is not a valid float\r\n"),
    ("syntax error", [("SET", "e:s", "v", "NX", "XX")],
     b"-ERR syntax error\r\n"),
    ("invalid expire", [("SET", "e:s", "v", "EX", "0")],
     b"-ERR invalid expire time in 'set' command\r\n"),
    ("no such key", [("RENAME", "e:missing", "e:x")],
     b"-ERR no such key\r\n"),
    ("DB index out of range", [("SELECT", "99")],
     b"-ERR DB index is out of range\r\n"),
]


def cmd_error_case(port, cmds, want):
    with fkv.Client(port) as c:
        got = None
        for cmd in cmds:
            got = c.cmd(*cmd)
        if got != want:
            return False, "want %s\ngot  %s" % (fkv.show(want), fkv.show(got))
        r = c.cmd("PING")
        if r != b"+PONG\r\n":
            return False, "connection unusable after the error: %s" % fkv.show(r)
    return True, None


# ---- protocol errors: exact reply, then close --------------------------------

def P(msg):
    return b"-ERR Protocol error: " + msg + b"\r\n"


PROTO_ERRORS = [
    ("multibulk length not a number", b"*abc\r\n", P(b"invalid multibulk length")),
    ("multibulk length over INT_MAX", b"*2147483648\r\n",
     P(b"invalid multibulk length")),
    ("multibulk length huge", b"*99999999999999999999\r\n",
     P(b"invalid multibulk length")),
    ("expected $", b"*1\r\nfoo\r\n*1\r\n$4\r\nPING\r\n",
     P(b"expected '$', got 'f'")),
    ("expected $ on 2nd arg", b"*2\r\n$3\r\nGET\r\n:1\r\n",
     P(b"expected '$', got ':'")),
    ("bulk length not a number", b"*1\r\n$abc\r\n", P(b"invalid bulk length")),
    ("bulk length negative", b"*1\r\n$-1\r\n", P(b"invalid bulk length")),
    ("bulk length over proto-max-bulk-len", b"*1\r\n$536870913\r\n",
     P(b"invalid bulk length")),
    ("bulk length huge", b"*2\r\n$3\r\nSET\r\n$99999999999999999\r\n",
     P(b"invalid bulk length")),
    ("mbulk count string too big", b"*" + b"1" * 70000,
     P(b"too big mbulk count string")),
    ("bulk count string too big", b"*1\r\n$" + b"1" * 70000,
     P(b"too big bulk count string")),
    ("inline request over 64 KB, no newline", b"x" * 70000,
     P(b"too big inline request")),
    # Sent in two parts: 64 KB without a newline is already too much (sent
    # in one write, Redis may read the whole line at once and accept it).
    ("inline request over 64 KB, then its newline",
     [b"SET k " + b"x" * 70000, b"\r\n"], P(b"too big inline request")),
    ("unbalanced quotes", b'SET k "abc\r\n', P(b"unbalanced quotes in request")),
    ("unbalanced single quote", b"SET k 'abc\r\n",
     P(b"unbalanced quotes in request")),
    ("closing quote not followed by space", b'SET k "a"b\r\n',
     P(b"unbalanced quotes in request")),
    ("good commands then protocol error",
     b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n",
     b"+PONG\r\n+PONG\r\n" + P(b"invalid multibulk length")),
]


def proto_case(port, data, want):
    got, closed = read_until_close(port, data)
    ok = got == want and closed
    return ok, "want %s + close\ngot  %s, closed=%s" % (
        fkv.show(want), fkv.show(got), closed)


# ---- memory: announced lengths must not be allocated up front ---------------

def rss(srv):
    return int(fkv.info_field(srv.port, "memory", "used_memory_rss"))


def no_alloc_case(srv, keeper, data, expect_reply, limit=48 * MB):
    """Send a header announcing a huge size; RSS must not jump."""
    before = rss(srv)
    c = fkv.Client(srv.port, timeout=5)
    try:
        c.send(data)
        time.sleep(0.5)
        during = rss(srv)
        ok, d = keeper.check()
        if not ok:
            return False, d
        got = b""
        if expect_reply is not None:
            got, closed = read_all(c)
            if got != expect_reply or not closed:
                return False, "want %s + close, got %s closed=%s" % (
                    fkv.show(expect_reply), fkv.show(got), closed)
        grow = during - before
        return grow < limit, "RSS grew by %.1f MB (before %.1f MB)" % (
            grow / MB, before / MB)
    finally:
        c.close()


def read_all(c, timeout=5.0):
    got = bytearray()
    c.sock.settimeout(timeout)
    try:
        while True:
            d = c.sock.recv(65536)
            if not d:
                return bytes(got), True
            got += d
    except ConnectionResetError:
        return bytes(got), True
    except socket.timeout:
        return bytes(got), False


# ---- vanishing and non-reading clients ---------------------------------------

def half_command_vanish(srv, keeper):
    parts = [b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$100\r\nabc",
             b"*3\r\n$3\r\nSET\r\n$5\r\nhalf2\r\n",
             b"*3\r\n$3\r\nSET\r\n$5\r\nhalf3\r\n$1000000\r\n" + b"z" * 400000,
             b"SET half4 abc"]  # inline without newline
    for i, p in enumerate(parts):
        s = socket.create_connection((fkv.HOST, srv.port))
        s.sendall(p)
        time.sleep(0.05)
        if i % 2:  # vanish with a reset instead of a FIN
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        s.close()
    time.sleep(0.3)
    ok, d = keeper.check()
    if not ok:
        return False, d
    r = keeper.c.cmd("EXISTS", "half", "half2", "half3", "half4")
    if r != b":0\r\n":
        return False, "EXISTS of the half-sent keys: %s" % fkv.show(r)
    return wait_clients(srv, 1)


def wait_clients(srv, want, slack=0, timeout=10.0):
    """connected_clients (which counts the INFO client itself) drops to
    want + 1 (+ slack) in time."""
    end = time.monotonic() + timeout
    n = None
    while time.monotonic() < end:
        n = int(fkv.info_field(srv.port, "clients", "connected_clients"))
        if n <= want + 1 + slack:
            return True, None
        time.sleep(0.1)
    return False, "connected_clients stays at %s (want <= %d)" % (
        n, want + 1 + slack)


def slow_reader(tap, srv, keeper):
    """Two clients (so that at least one is on a worker other than the
    value's shard) pipeline GETs of a 1 MB value and never read: the server
    must stop reading them (memory bounded, not proportional to what they
    asked for) and keep serving others.  Then they vanish (reset): their
    queued work must be dropped, not executed for nobody."""
    assert keeper.c.cmd("SET", "hog:val", "H" * MB) == b"+OK\r\n"
    req = fkv.enc("GET", "hog:val") * 50
    stop = threading.Event()
    hogs, threads, sent = [], [], [0, 0]

    def pump(i, hog):
        while not stop.is_set() and sent[i] < 800:  # 800 MB of replies
            try:
                hog.sendall(req)
                sent[i] += 50
            except socket.timeout:
                continue  # server stopped reading us: good, keep trying
            except OSError:
                return
    base = rss(srv)
    for i in range(2):
        hog = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        hog.connect((fkv.HOST, srv.port))
        hog.settimeout(0.5)
        hogs.append(hog)
        threads.append(threading.Thread(target=pump, args=(i, hog),
                                        daemon=True))
    worst_lat, fails = 0.0, []
    peak = [base]

    def sample():  # RSS every 50 ms, also while a check is blocked
        while not stop.is_set():
            try:
                peak[0] = max(peak[0], srv.rss())
            except (OSError, ValueError, TypeError):
                return
            time.sleep(0.05)
    threads.append(threading.Thread(target=sample, daemon=True))
    for t in threads:
        t.start()
    try:
        end = time.monotonic() + 4.0
        while time.monotonic() < end:
            if peak[0] - base > 1536 * MB:
                fails.append("RSS grew over 1.5 GB: aborted")
                break
            t0 = time.monotonic()
            ok, d = keeper.check()
            worst_lat = max(worst_lat, time.monotonic() - t0)
            if not ok:
                fails.append(d)
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for hog in hogs:
            hog.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           struct.pack("ii", 1, 0))
            hog.close()
        for t in threads:
            t.join(5)
    at_close = srv.rss()
    grow = peak[0] - base
    diag = ("asked for %d replies of 1 MB; RSS peak +%.1f MB (base %.1f MB); "
            "worst other-client check %.2f s" % (sum(sent), grow / MB,
                                                base / MB, worst_lat))
    if grow > 256 * MB:
        fails.append("RSS not bounded: grows with what the clients ask for")
    if worst_lat > 5.0:
        fails.append("other clients starved")
    tap.ok(not fails, "clients pipelining without reading: memory bounded, "
           "others served", "\n".join(fails + [diag]))

    # After the reset: no further growth, quick recovery.
    fails = []
    peak2, t0 = at_close, time.monotonic()
    recovered = None
    while time.monotonic() - t0 < 60:
        peak2 = max(peak2, srv.rss())
        t1 = time.monotonic()
        ok, d = keeper.check()
        lat = time.monotonic() - t1
        if ok and lat < 1.0 and srv.rss() < at_close + 64 * MB:
            recovered = time.monotonic() - t0
            if time.monotonic() - t0 > 1.0:
                break
        if not ok:
            fails.append(d)
            break
        time.sleep(0.1)
    diag = ("RSS at reset %.1f MB, peak after %.1f MB; recovered after %s s"
            % (at_close / MB, peak2 / MB,
               "%.2f" % recovered if recovered is not None else "never"))
    if peak2 > at_close + 128 * MB:
        fails.append("the reset clients' queued commands still ran "
                     "(memory kept growing after they vanished)")
    if recovered is None or recovered > 5.0:
        fails.append("server slow to recover")
    tap.ok(not fails, "non-reading clients reset: their work is dropped",
           "\n".join(fails + [diag]))
    r = keeper.c.cmd("DEL", "hog:val")
    tap.ok(r == b":1\r\n", "non-reading clients: data intact", fkv.show(r))


# ---- maxclients ---------------------------------------------------------------

def maxclients_case(tap):
    srv = fkv.Server(["--maxclients", "5"])
    try:
        srv.start()
        tap.run("maxclients 5: idle server back to one client",
                lambda: wait_clients(srv, 0))
        conns = []
        for i in range(5):
            c = srv.client()
            conns.append(c)
            assert c.cmd("SET", "mc%d" % i, "v%d" % i) == b"+OK\r\n"
        want = b"-ERR max number of clients reached\r\n"
        got, closed = read_until_close(srv.port, fkv.enc("PING"))
        tap.ok(got == want and closed, "maxclients 5: 6th client refused",
               "want %s + close, got %s closed=%s" % (
                   fkv.show(want), fkv.show(got), closed))

        def others_fine():
            for i, c in enumerate(conns):
                r = c.cmd("GET", "mc%d" % i)
                if r != b"$2\r\nv%d\r\n" % i:
                    return False, "client %d: %s" % (i, fkv.show(r))
            return True, None
        tap.run("maxclients 5: the 5 others unharmed", others_fine)
        conns.pop().close()

        def slot_frees():
            end = time.monotonic() + 10
            last = None
            while time.monotonic() < end:
                try:
                    with srv.client() as c:
                        last = c.cmd("MGET", "mc0", "mc4")
                        if last == b"*2\r\n$2\r\nv0\r\n$2\r\nv4\r\n":
                            return True, None
                except (OSError, EOFError) as e:
                    last = repr(e)
                time.sleep(0.1)
            return False, "no slot after a close: %s" % fkv.show(
                last if isinstance(last, bytes) else str(last).encode())
        tap.run("maxclients 5: a closed slot is reusable", slot_frees)
        for c in conns:
            c.close()
        rc = srv.stop()
        tap.ok(rc == 0, "maxclients server exits 0", "exit %s" % rc)
    finally:
        srv.cleanup()


# ---- main ---------------------------------------------------------------------

def main():
    tap = fkv.Tap()
    srv = fkv.Server()
    try:
        srv.start()
        keeper = Keeper(srv)
        for name, cmds, want in CMD_ERRORS:
            tap.run("command error: " + name,
                    lambda: cmd_error_case(srv.port, cmds, want))
        tap.run("command errors: data intact", keeper.check)
        tap.skip("command error: wrong type",
                 "every FlashKV value is a string: WRONGTYPE unreachable")

        for name, data, want in PROTO_ERRORS:
            tap.run("protocol error: " + name,
                    lambda: proto_case(srv.port, data, want))
            tap.run("after protocol error (%s): others fine" % name,
                    keeper.check)

        tap.run("bulk length over limit: no allocation, refused",
                lambda: no_alloc_case(srv, keeper, b"*1\r\n$600000000\r\n",
                                      P(b"invalid bulk length")))
        tap.run("multibulk length over limit: no allocation, refused",
                lambda: no_alloc_case(srv, keeper, b"*2147483648\r\n",
                                      P(b"invalid multibulk length")))
        tap.run("multibulk length 2e9 (legal): not allocated up front",
                lambda: no_alloc_case(srv, keeper,
                                      b"*2000000000\r\n$4\r\nPING\r\n", None))
        tap.run("bulk length 500 MB (legal): not allocated up front",
                lambda: no_alloc_case(srv, keeper,
                                      b"*3\r\n$3\r\nSET\r\n$1\r\nq\r\n"
                                      b"$524288000\r\nabc", None))
        tap.run("a client sends half a command and vanishes",
                lambda: half_command_vanish(srv, keeper))
        slow_reader(tap, srv, keeper)
        tap.run("all bad clients gone: connected_clients back to 2",
                lambda: wait_clients(srv, 1))
        keeper.c.close()
        rc = srv.stop()
        tap.ok(rc == 0, "server exits 0 on SIGTERM",
               "exit %s; log tail:\n%s" % (rc, srv.log_text()[-1500:]))
    finally:
        srv.cleanup()

    small = fkv.Server(["--proto-max-bulk-len", "1048576"])
    try:
        small.start()
        with small.client() as c:
            v = b"x" * MB
            r = c.cmd("SET", "atlimit", v)
            tap.ok(r == b"+OK\r\n", "proto-max-bulk-len 1mb: 1 MB value ok",
                   fkv.show(r))
            r = c.cmd("STRLEN", "atlimit")
            tap.ok(r == b":1048576\r\n", "value at the limit stored",
                   fkv.show(r))
        tap.run("proto-max-bulk-len 1mb: 1 MB + 1 refused",
                lambda: proto_case(small.port, b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n"
                                   b"$1048577\r\n", P(b"invalid bulk length")))
        with small.client() as c:
            r = c.cmd("STRLEN", "atlimit")
            tap.ok(r == b":1048576\r\n", "small limit: data intact",
                   fkv.show(r))
        tap.ok(small.stop() == 0, "small-limit server exits 0")
    finally:
        small.cleanup()

    maxclients_case(tap)

    if fkv.have_redis_server():
        red = fkv.RedisServer()
        try:
            red.start()
            for name, data, want in PROTO_ERRORS:
                got, closed = read_until_close(red.port, data)
                tap.ok(got == want and closed,
                       "oracle: redis-server agrees on " + name,
                       "redis-server sent %s closed=%s" % (fkv.show(got),
                                                           closed))
            for name, cmds, want in CMD_ERRORS:
                tap.run("oracle: redis-server agrees on " + name,
                        lambda: cmd_error_case(red.port, cmds, want))
        finally:
            red.cleanup()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
