"""fkv.py - shared helpers for FlashKV's end-to-end tests (standard library only).

- Server / RedisServer: start flashkv-server (path from $FLASHKV_SERVER) or
  Debian's redis-server on a free loopback port (bind port 0 to pick one,
  retry with another if the server cannot bind it), wait until it answers
  PING, stop it with a signal and return its exit code; start_again()
  restarts a stopped server on the same port.  Each server runs in
  its own process group; kill() takes the whole group down, so tests use
  try/finally (or `with`) and no server outlives its test.
- Client: a raw RESP client.  cmd() sends one command and returns the exact
  bytes of its reply; Reader.reply() reads exactly one full RESP reply
  (RESP2 and RESP3 types) and returns its bytes.
- Tap: prints TAP ("1..N", "ok N - name", "not ok N - name" + "# ..."
  diagnostics) and gives the exit status.
"""
import os
import shutil
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"


def server_path():
    p = os.environ.get("FLASHKV_SERVER")
    if p:
        return p
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    for b in ("build", "build-e2e"):
        c = os.path.join(root, b, "net", "flashkv-server")
        if os.path.exists(c):
            return c
    raise RuntimeError("set FLASHKV_SERVER to the flashkv-server binary")


def free_port():
    """A port that was free a moment ago (the kernel's pick for port 0)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def enc(*args):
    """RESP multibulk encoding of one command (str args as latin-1)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, int):
            a = str(a)
        if isinstance(a, str):
            a = a.encode("latin-1")
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Reader:
    """Reads whole RESP replies from a socket; returns their exact bytes."""

    def __init__(self, sock):
        self.sock, self.buf, self.pos = sock, bytearray(), 0

    def _more(self):
        d = self.sock.recv(1 << 16)
        if not d:
            raise EOFError("connection closed by server")
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += d

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i + 2])
                self.pos = i + 2
                return line
            self._more()

    def _exact(self, n):
        while len(self.buf) - self.pos < n:
            self._more()
        b = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return b

    def reply(self):
        line = self._line()
        t = line[:1]
        if t in (b"$", b"=", b"!"):
            n = int(line[1:-2])
            if n < 0:
                return line
            return line + self._exact(n + 2)
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = int(line[1:-2])
            if n < 0:
                return line
            if t in (b"%", b"|"):
                n *= 2
            return line + b"".join(self.reply() for _ in range(n))
        if t in (b"+", b"-", b":", b",", b"_", b"#", b"("):
            return line
        raise ValueError("not a RESP reply: %r" % line[:80])

    def pending(self):
        return len(self.buf) - self.pos


class Client:
    def __init__(self, port, timeout=10.0, host=HOST):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rd = Reader(self.sock)

    def send(self, data):
        self.sock.sendall(data)

    def reply(self):
        return self.rd.reply()

    def cmd(self, *args):
        self.sock.sendall(enc(*args))
        return self.rd.reply()

    def pipeline(self, cmds):
        """Send a list of commands (tuples or raw bytes) at once; return replies."""
        data = b"".join(c if isinstance(c, bytes) else enc(*c) for c in cmds)
        self.sock.sendall(data)
        return [self.rd.reply() for _ in cmds]

    def readable(self):
        """True if a reply (or part of one) is waiting to be read."""
        return self.rd.pending() > 0 or bool(
            select.select([self.sock], [], [], 0)[0])

    def closed_by_peer(self, timeout=5.0):
        """True if the server closes the connection (EOF/reset) in time."""
        self.sock.settimeout(timeout)
        end = time.monotonic() + timeout
        try:
            while time.monotonic() < end:
                if self.rd.pending():
                    self.rd.pos = len(self.rd.buf)
                d = self.sock.recv(1 << 16)
                if not d:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def info_field(port, section, field):
    with Client(port) as c:
        r = c.cmd("INFO", section).decode("latin-1")
    for line in r.split("\r\n"):
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]
    return None


def bulk_text(reply):
    """The payload of a bulk string reply as bytes."""
    assert reply[:1] == b"$", reply[:80]
    i = reply.index(b"\r\n")
    return reply[i + 2:-2]



# ---- replies as Python values ------------------------------------------------

def parse(b):
    """One RESP2 reply (bytes) -> bytes / int / list / None / Exception."""
    def one(i):
        t, j = b[i:i + 1], b.index(b"\r\n", i)
        line = b[i + 1:j]
        i = j + 2
        if t == b"+":
            return line, i
        if t == b"-":
            return Exception(line.decode("latin-1")), i
        if t == b":":
            return int(line), i
        if t == b"$":
            n = int(line)
            if n < 0:
                return None, i
            return b[i:i + n], i + n + 2
        if t == b"*":
            n = int(line)
            if n < 0:
                return None, i
            out = []
            for _ in range(n):
                v, i = one(i)
                out.append(v)
            return out, i
        raise ValueError("reply %r" % b[:40])
    return one(0)[0]


def call(c, *args):
    """c.cmd(*args) as a Python value (parse)."""
    return parse(c.cmd(*args))


def contents(c, key):
    """What a user sees of key: its type and its elements, order-free where
    the type has no order."""
    t = call(c, "TYPE", key)
    if t == b"string":
        v = call(c, "GET", key)
    elif t == b"list":
        v = call(c, "LRANGE", key, 0, -1)
    elif t == b"set":
        v = sorted(call(c, "SMEMBERS", key))
    elif t == b"hash":
        a = call(c, "HGETALL", key)
        v = sorted(zip(a[0::2], a[1::2]))
    elif t == b"zset":
        v = call(c, "ZRANGE", key, 0, -1, "WITHSCORES")
    else:
        v = None
    return t, v


def dataset(c, dbs=16, encodings=False):
    """Every key of every database: {(db, key): (type, elements, has_ttl,
    encoding or None)}.  Leaves c in database 0."""
    out = {}
    for db in range(dbs):
        call(c, "SELECT", db)
        for k in call(c, "KEYS", "*"):
            t, v = contents(c, k)
            ttl = call(c, "PTTL", k)
            enc = call(c, "OBJECT", "ENCODING", k) if encodings else None
            out[(db, k)] = (t, v, ttl >= 0, enc)
    call(c, "SELECT", 0)
    return out

class _Proc:
    """A server process in its own process group, on a free loopback port."""
    name = "server"

    def __init__(self, args=(), start_timeout=15.0):
        self.extra = list(args)
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.dir = tempfile.mkdtemp(prefix="fkv-e2e-")
        self.logpath = os.path.join(self.dir, "server.log")

    def argv(self, port):
        raise NotImplementedError

    def _spawn(self, port, mode="wb"):
        self.log = open(self.logpath, mode)
        self.proc = subprocess.Popen(
            self.argv(port), stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, cwd=self.dir,
            start_new_session=True)
        self.port = port

    def start(self):
        last = ""
        for _ in range(8):
            self._spawn(free_port())
            if self._wait_ready():
                return self
            last = self.log_text()
            self.kill()
        raise RuntimeError("%s did not start: %s" % (self.name, last[-2000:]))

    def start_again(self, timeout=20.0):
        """Start the stopped server again on the port it had (for clients
        that reconnect), retrying while the port is not free yet."""
        end = time.monotonic() + timeout
        while True:
            self._spawn(self.port, "ab")
            if self._wait_ready():
                return self
            self.kill()
            if time.monotonic() >= end:
                raise RuntimeError("%s did not start again on port %d: %s" % (
                    self.name, self.port, self.log_text()[-2000:]))
            time.sleep(0.2)

    def _wait_ready(self):
        end = time.monotonic() + self.start_timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False  # e.g. port taken meanwhile: retry
            try:
                with Client(self.port, timeout=2) as c:
                    if c.cmd("PING") == b"+PONG\r\n":
                        return True
            except (OSError, EOFError, ValueError):
                pass
            time.sleep(0.05)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Send sig, wait for the exit; returns the exit code (None if it had
        to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        rc = self.proc.returncode
        self._cleanup_group()
        return rc

    def _cleanup_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.log.close()
        except Exception:
            pass

    def kill(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._cleanup_group()

    def log_text(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def rss(self):
        """Resident set size in bytes, from /proc (falls back to INFO)."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return int(info_field(self.port, "memory", "used_memory_rss"))

    def client(self, timeout=10.0):
        return Client(self.port, timeout=timeout)

    def cleanup(self):
        if self.alive():
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *a):
        if self.alive():
            self.stop()
        self.cleanup()


class Server(_Proc):
    name = "flashkv-server"

    def __init__(self, args=(), threads=2, start_timeout=15.0):
        super().__init__(args, start_timeout)
        self.threads = threads

    def argv(self, port):
        # No save points, like the RedisServer below: a test that wants
        # snapshots says so (its args come after and win).
        return [server_path(), "--port", str(port), "--bind", HOST,
                "--threads", str(self.threads), "--hz", "10",
                "--save", ""] + self.extra


class RedisServer(_Proc):
    name = "redis-server"

    def argv(self, port):
        return ["redis-server", "--port", str(port), "--bind", HOST,
                "--save", "", "--appendonly", "no"] + self.extra


def have_redis_server():
    return shutil.which("redis-server") is not None


class Tap:
    """TAP output.  Call plan(n) first (or let done() print a trailing plan)."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.planned = False

    def plan(self, n):
        print("1..%d" % n, flush=True)
        self.planned = True

    def ok(self, cond, name, diag=None):
        self.n += 1
        name = name.replace("#", "\\#").replace("\n", " ")
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name), flush=True)
            if diag:
                self.diag(diag)
        return bool(cond)

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why), flush=True)

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            print("# " + line, flush=True)

    def run(self, name, fn):
        """Run fn() -> (cond, diag) or raises; one TAP test."""
        try:
            r = fn()
            if isinstance(r, tuple):
                return self.ok(r[0], name, r[1] if len(r) > 1 else None)
            return self.ok(r, name)
        except Exception as e:  # report and go on with the next test
            import traceback
            return self.ok(False, name, "exception: %r\n%s" % (
                e, traceback.format_exc()))

    def done(self):
        if not self.planned:
            print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def show(b, limit=300):
    """Printable form of reply bytes for diagnostics."""
    r = repr(bytes(b))
    return r if len(r) <= limit else r[:limit] + "...(%d bytes)" % len(b)


def raise_nofile(want):
    """Raise the soft RLIMIT_NOFILE toward want (up to the hard limit);
    returns the new soft limit.  Child processes inherit it."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def slot_of(key):
    """Redis Cluster key slot (CRC16-XMODEM of the key or its {hashtag})."""
    if isinstance(key, str):
        key = key.encode("latin-1")
    s = key.find(b"{")
    if s >= 0:
        e = key.find(b"}", s + 1)
        if e > s + 1:
            key = key[s + 1:e]
    crc = 0
    for ch in key:
        crc ^= ch << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc % 16384


if __name__ == "__main__":
    sys.exit("helper module; run the test_*.py scripts")
