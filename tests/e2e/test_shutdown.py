#!/usr/bin/env python3
"""Shutdown and expiry end to end (TAP).

- SIGTERM / SIGINT while clients are mid-pipeline: exit 0 within a few
  seconds; every client gets a prefix of correct, complete replies and then
  a close (no reply cut short before a FIN); the log ends with
  "ready to exit".
- SIGTERM with idle and half-sent clients, with a client that does not read
  its replies, and with a large dataset: exit 0, promptly.
- Active expiry: keys SET with PX 100 disappear from DBSIZE / INFO keyspace
  without being touched.  Lazy expiry: with a slow sweeper (hz 1) expired
  keys are invisible to GET/EXISTS/MGET/KEYS/TTL.
"""
import os
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

BIG = b"B" * 10000
EXIT_WITHIN = 10.0  # generous: a loaded 2-core box


class Pipeliner:
    """Keeps a pipeline full (sender thread) and checks every reply
    (reader thread): command j is GET sd:big when j % 10 == 9, else
    INCR sd:<idx>, whose replies must count 1, 2, 3..."""

    def __init__(self, port, idx):
        self.idx = idx
        self.sock = socket.create_connection((fkv.HOST, port), timeout=30)
        self.rd = fkv.Reader(self.sock)
        self.replies = 0
        self.errors = []
        self.end = None       # "eof", "reset", "timeout"
        self.truncated = 0    # bytes of an unfinished reply at the end
        self.sent = 0
        self.done = threading.Event()
        batch = []
        for j in range(100):
            batch.append(fkv.enc("GET", "sd:big") if j % 10 == 9 else
                         fkv.enc("INCR", "sd:%d" % idx))
        self.batch = b"".join(batch)
        self.ts = [threading.Thread(target=self._send, daemon=True),
                   threading.Thread(target=self._read, daemon=True)]
        for t in self.ts:
            t.start()

    def _send(self):
        while not self.done.is_set() and self.sent - self.replies < 5000:
            try:
                self.sock.sendall(self.batch)
                self.sent += 100
            except OSError:
                return
        while not self.done.is_set():  # bounded in flight: wait for replies
            time.sleep(0.01)
            if self.sent - self.replies < 2000:
                try:
                    self.sock.sendall(self.batch)
                    self.sent += 100
                except OSError:
                    return

    def _read(self):
        incr = 0
        try:
            while True:
                r = self.rd.reply()
                j = self.replies
                if j % 10 == 9:
                    want = b"$%d\r\n%s\r\n" % (len(BIG), BIG)
                else:
                    incr += 1
                    want = b":%d\r\n" % incr
                if r != want and len(self.errors) < 5:
                    self.errors.append("reply %d: want %s got %s" % (
                        j, fkv.show(want, 60), fkv.show(r, 60)))
                self.replies += 1
        except EOFError:
            self.end = "eof"
        except ConnectionResetError:
            self.end = "reset"
        except socket.timeout:
            self.end = "timeout"
        except (OSError, ValueError) as e:
            self.end = "error %r" % e
        self.truncated = self.rd.pending()
        self.done.set()

    def finish(self, timeout=30):
        self.done.wait(timeout)
        self.done.set()
        for t in self.ts:
            t.join(5)
        self.sock.close()

    def verdict(self):
        bad = list(self.errors)
        if self.end not in ("eof", "reset"):
            bad.append("connection did not close: %s" % self.end)
        if self.end == "eof" and self.truncated:
            bad.append("reply cut short (%d bytes) before the close" %
                       self.truncated)
        if self.replies == 0:
            bad.append("no reply before the signal")
        return bad


def wait_exit(srv, sig, timeout=EXIT_WITHIN):
    t0 = time.monotonic()
    srv.proc.send_signal(sig)
    try:
        rc = srv.proc.wait(timeout)
    except Exception:
        rc = None
    return rc, time.monotonic() - t0


def check_exit(tap, srv, rc, dt, what):
    tap.ok(rc == 0, "%s: exit code 0 (%.2f s)" % (what, dt),
           "exit %s after %.2f s; log tail:\n%s" % (rc, dt,
                                                   srv.log_text()[-1500:]))
    tap.ok("ready to exit" in srv.log_text(), "%s: log says ready to exit" %
           what, srv.log_text()[-800:])


def mid_pipeline(tap, sig, name):
    srv = fkv.Server()
    clients = []
    try:
        srv.start()
        with srv.client() as c:
            assert c.cmd("SET", "sd:big", BIG) == b"+OK\r\n"
        clients = [Pipeliner(srv.port, i) for i in range(8)]
        # At least a second of load, and every client under way (on a
        # loaded machine, under a sanitizer, the last ones may take longer
        # to get their first reply).
        time.sleep(1.0)
        deadline = time.monotonic() + 20
        while (any(c.replies == 0 for c in clients) and
               time.monotonic() < deadline):
            time.sleep(0.05)
        before = sum(c.replies for c in clients)
        rc, dt = wait_exit(srv, sig)
        check_exit(tap, srv, rc, dt, "%s mid-pipeline" % name)
        for c in clients:
            c.finish()
        bad = []
        for c in clients:
            bad += ["client %d: %s" % (c.idx, b) for b in c.verdict()]
        ends = {}
        for c in clients:
            ends[c.end] = ends.get(c.end, 0) + 1
        stats = "%d replies before the signal, %d in all; ends %r" % (
            before, sum(c.replies for c in clients), ends)
        tap.ok(not bad, "%s mid-pipeline: 8 clients got correct replies, "
               "then a clean close" % name, "\n".join(bad + [stats]))
        if not bad:
            tap.diag(stats)
    finally:
        for c in clients:
            c.finish(1)
        srv.cleanup()


def idle_and_partial(tap):
    srv = fkv.Server()
    socks = []
    try:
        srv.start()
        for i in range(20):
            s = socket.create_connection((fkv.HOST, srv.port), timeout=15)
            if i % 4 == 1:
                s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc")
            elif i % 4 == 2:
                s.sendall(b"SET k abc")  # inline, no newline yet
            else:
                s.sendall(fkv.enc("PING"))
                assert s.recv(100) == b"+PONG\r\n"
            socks.append(s)
        rc, dt = wait_exit(srv, signal.SIGTERM)
        check_exit(tap, srv, rc, dt, "SIGTERM with idle and half-sent clients")
        bad = 0
        for s in socks:
            try:
                if s.recv(100) != b"":
                    bad += 1
            except ConnectionResetError:
                pass
            except socket.timeout:
                bad += 1
        tap.ok(bad == 0, "idle clients see the connection closed",
               "%d of 20 not closed" % bad)
    finally:
        for s in socks:
            s.close()
        srv.cleanup()


def non_reader(tap):
    srv = fkv.Server()
    hog = None
    try:
        srv.start()
        with srv.client() as c:
            assert c.cmd("SET", "v", b"x" * 100000) == b"+OK\r\n"
        hog = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        hog.connect((fkv.HOST, srv.port))
        hog.settimeout(2)
        try:
            hog.sendall(fkv.enc("GET", "v") * 300)
        except socket.timeout:
            pass
        time.sleep(0.5)
        rc, dt = wait_exit(srv, signal.SIGTERM)
        check_exit(tap, srv, rc, dt, "SIGTERM with a client not reading")
    finally:
        if hog:
            hog.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           struct.pack("ii", 1, 0))
            hog.close()
        srv.cleanup()


def big_dataset(tap):
    srv = fkv.Server()
    try:
        srv.start()
        with srv.client(timeout=60) as c:
            cmds = []
            for b in range(200):
                args = []
                for i in range(1000):
                    args += ["bulk:%d:%d" % (b, i), "v%d" % i]
                cmds.append(("MSET",) + tuple(args))
            for i in range(0, len(cmds), 20):
                for r in c.pipeline(cmds[i:i + 20]):
                    assert r == b"+OK\r\n", r
            for i in range(0, 20000, 1000):  # some with a TTL
                c.cmd("EXPIRE", "bulk:0:%d" % (i // 20), "1000")
            r = c.cmd("DBSIZE")
        tap.ok(r == b":200000\r\n", "200000 keys loaded", fkv.show(r))
        rc, dt = wait_exit(srv, signal.SIGTERM, 30)
        check_exit(tap, srv, rc, dt, "SIGTERM with 200000 keys")
    finally:
        srv.cleanup()


def parse_keyspace(port):
    with fkv.Client(port) as c:
        txt = c.cmd("INFO", "keyspace").decode()
    for line in txt.split("\r\n"):
        if line.startswith("db0:"):
            return dict(kv.split("=") for kv in line[4:].split(","))
    return {}


def active_expiry(tap):
    srv = fkv.Server()
    try:
        srv.start()
        with srv.client() as c:
            cmds = [("SET", "ax:%d" % i, "v", "PX", "100") for i in range(3000)]
            cmds += [("SET", "keep:%d" % i, "v") for i in range(100)]
            cmds += [("SET", "later:%d" % i, "v", "EX", "1000")
                     for i in range(50)]
            for i in range(0, len(cmds), 500):
                assert all(r == b"+OK\r\n" for r in c.pipeline(cmds[i:i + 500]))
        t0 = time.monotonic()
        time.sleep(1.5)
        dbsize = None
        ks = {}
        while time.monotonic() - t0 < 8:  # lenient on a loaded box
            with srv.client() as c:
                dbsize = c.cmd("DBSIZE")
            ks = parse_keyspace(srv.port)
            if dbsize == b":150\r\n":
                break
            time.sleep(0.25)
        dt = time.monotonic() - t0
        tap.ok(dbsize == b":150\r\n",
               "active expiry: 3000 PX 100 keys gone untouched (%.1f s)" % dt,
               "DBSIZE %s after %.1f s" % (fkv.show(dbsize), dt))
        tap.ok(ks.get("keys") == "150" and ks.get("expires") == "50",
               "INFO keyspace: keys=150, expires=50", repr(ks))
        with srv.client() as c:
            r = c.cmd("EXISTS", "keep:0", "keep:99", "later:7", "ax:5")
        tap.ok(r == b":3\r\n", "the other keys are intact", fkv.show(r))
        rc = srv.stop()
        tap.ok(rc == 0, "active expiry server exits 0", "exit %s" % rc)
    finally:
        srv.cleanup()


def lazy_expiry(tap):
    # hz 1: the sweeper rarely runs, so reads must hide expired keys.
    srv = fkv.Server(["--hz", "1"])
    try:
        srv.start()
        with srv.client() as c:
            keys = ["lz:%d" % i for i in range(200)]
            assert all(r == b"+OK\r\n" for r in c.pipeline(
                [("SET", k, "v", "PX", "50") for k in keys]))
            c.cmd("SET", "lz:keep", "v")
            time.sleep(0.3)
            fails = []
            checks = [
                (c.cmd("GET", keys[0]), b"$-1\r\n"),
                (c.cmd("EXISTS", *keys[:50]), b":0\r\n"),
                (c.cmd("MGET", keys[50], "lz:keep", keys[51]),
                 b"*3\r\n$-1\r\n$1\r\nv\r\n$-1\r\n"),
                (c.cmd("TTL", keys[52]), b":-2\r\n"),
                (c.cmd("PTTL", keys[53]), b":-2\r\n"),
                (c.cmd("STRLEN", keys[54]), b":0\r\n"),
                (c.cmd("KEYS", "lz:*"), b"*1\r\n$7\r\nlz:keep\r\n"),
                (c.cmd("INCR", keys[55]), b":1\r\n"),
                (c.cmd("APPEND", keys[56], "ab"), b":2\r\n"),
                (c.cmd("SETNX", keys[57], "n"), b":1\r\n"),
                (c.cmd("GETDEL", keys[58]), b"$-1\r\n"),
                (c.cmd("PERSIST", keys[59]), b":0\r\n"),
                (c.cmd("EXPIRE", keys[60], "100"), b":0\r\n"),
                (c.cmd("RENAME", keys[61], "lz:x"), b"-ERR no such key\r\n"),
                (c.cmd("TYPE", keys[62]), b"+none\r\n"),
                (c.cmd("GETRANGE", keys[63], "0", "-1"), b"$0\r\n\r\n"),
                (c.cmd("GETSET", keys[64], "g"), b"$-1\r\n"),
            ]
            for i, (g, w) in enumerate(checks):
                if g != w:
                    fails.append("check %d: want %s got %s" % (
                        i, fkv.show(w), fkv.show(g)))
            for k in keys:
                c.cmd("GET", k)
            r = c.cmd("DBSIZE")
            if r != b":5\r\n":  # keep + INCR + APPEND + SETNX + GETSET keys
                fails.append("DBSIZE after reading all: %s" % fkv.show(r))
        tap.ok(not fails, "lazy expiry: expired keys invisible to reads",
               "\n".join(fails))
        rc = srv.stop()
        tap.ok(rc == 0, "lazy expiry server exits 0", "exit %s" % rc)
    finally:
        srv.cleanup()


def shutdown_command(tap):
    """SHUTDOWN from a client: no reply, the connection closes, another
    client's pipelined replies still arrive whole, exit 0, and the log says
    a user asked; SHUTDOWN SAVE whose save fails is refused without FORCE
    and the server goes on."""
    srv = fkv.Server()
    srv.start()
    try:
        # A directory where the snapshot goes: renaming over it fails.
        blocker = os.path.join(srv.dir, "dump.rdb")
        os.mkdir(blocker)
        with srv.client() as c:
            r = c.cmd("SHUTDOWN", "SAVE")
            tap.ok(r == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
                   and c.cmd("PING") == b"+PONG\r\n",
                   "SHUTDOWN SAVE whose save fails is refused, the server "
                   "goes on", fkv.show(r))
        os.rmdir(blocker)
        with srv.client() as c:
            c.cmd("SET", "sd:big", BIG)
        p = Pipeliner(srv.port, 0)
        time.sleep(0.3)
        t0 = time.monotonic()
        s = socket.create_connection((fkv.HOST, srv.port), timeout=10)
        s.sendall(fkv.enc("SHUTDOWN", "NOW"))
        got = b""
        try:
            while True:
                b = s.recv(4096)
                if not b:
                    break
                got += b
        except OSError:
            pass
        s.close()
        tap.ok(got == b"", "SHUTDOWN: no reply, the connection closes",
               fkv.show(got))
        try:
            rc = srv.proc.wait(EXIT_WITHIN)
        except Exception:
            rc = None
        p.finish()
        check_exit(tap, srv, rc, time.monotonic() - t0, "SHUTDOWN")
        tap.ok("User requested shutdown" in srv.log_text(),
               "SHUTDOWN: the log says a user asked", srv.log_text()[-800:])
        bad = p.verdict()
        tap.ok(not bad, "SHUTDOWN: a pipelining client got whole replies, "
               "then the close", "\n".join(bad[:5]))
    finally:
        srv.kill()
        srv.cleanup()


def main():
    tap = fkv.Tap()
    shutdown_command(tap)
    mid_pipeline(tap, signal.SIGTERM, "SIGTERM")
    mid_pipeline(tap, signal.SIGINT, "SIGINT")
    idle_and_partial(tap)
    non_reader(tap)
    big_dataset(tap)
    active_expiry(tap)
    lazy_expiry(tap)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
