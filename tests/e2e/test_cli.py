#!/usr/bin/env python3
"""redis-cli and redis-benchmark against FlashKV (TAP).

- redis-cli one-shot commands (raw and --no-raw output, -x, -n, -r): the
  output must equal what the same redis-cli prints against redis-server
  (when installed; else fixed expectations).
- redis-cli -3 (RESP3): maps (HELLO 3, CONFIG GET, LCS IDX), nulls, arrays,
  verbatim strings, integers, errors, each with a command argument (raw and
  --no-raw) and as a script piped to its stdin: the output must equal
  redis-server's (the client id in HELLO aside).  FlashKV has no command
  answering a RESP3 double or boolean (Redis 7.0's string and key commands
  answer neither: INCRBYFLOAT is a bulk string), so none is checked.
- redis-cli --pipe with a few thousand generated commands: the summary says
  "errors: 0, replies: N" and the data is there.
- interactive redis-cli through a pty: typed commands, expected output.
- redis-benchmark -q -n 20000 -t set,get,incr,mset -c 20 (and a pipelined
  run): completes, every test reports a rate, no error.
"""
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

# (args, stdin) run one after the other on a fresh database.
ONE_SHOT = [
    (["PING"], None),
    (["SET", "a", "1"], None),
    (["GET", "a"], None),
    (["INCR", "n"], None),
    (["INCRBY", "n", "41"], None),
    (["MSET", "k1", "v1", "k2", "v2", "{t}x", "hello world"], None),
    (["MGET", "k1", "nosuch", "k2", "{t}x"], None),
    (["--no-raw", "MGET", "k1", "nosuch", "k2"], None),
    (["--no-raw", "GET", "a"], None),
    (["--no-raw", "INCR", "n"], None),
    (["--no-raw", "GET", "nosuch"], None),
    (["--raw", "GET", "{t}x"], None),
    (["-x", "SET", "fromstdin"], b"line1\nline2\n"),
    (["GET", "fromstdin"], None),
    (["--no-raw", "GET", "fromstdin"], None),
    (["-r", "3", "INCR", "rep"], None),
    (["-n", "3", "SET", "indb3", "x"], None),
    (["-n", "3", "DBSIZE"], None),
    (["GET", "indb3"], None),
    (["DBSIZE"], None),
    (["GET"], None),
    (["NOSUCHCMD", "x"], None),
    (["SET", "k", "v", "EX", "0"], None),
    (["--no-raw", "EXISTS", "a", "k1", "nosuch"], None),
    (["--no-raw", "SET", "bin", "a\x01b"], None),
    (["--no-raw", "GET", "bin"], None),
    (["TTL", "a"], None),
    (["DEL", "a", "k1", "k2"], None),
    (["--no-raw", "KEYS", "nomatch*"], None),
    (["ECHO", "é ü"], None),
    (["--no-raw", "ECHO", "tab\there"], None),
]

# redis-cli -3: (args, stdin), run one after the other on a fresh database.
# LCS's two keys may live on different shards (held together).  No SCAN: its cursor is FlashKV's own (it names a shard).  No key
# gets a TTL: INFO's avg_ttl would then depend on the expiry cycle's timing.
RESP3 = [
    (["-3", "HELLO", "3"], None),
    (["-3", "--no-raw", "HELLO", "3"], None),
    (["-3", "--no-raw", "HELLO", "3", "SETNAME", "cli3"], None),
    (["-3", "CONFIG", "GET", "maxclients"], None),
    (["-3", "--no-raw", "CONFIG", "GET", "maxclients"], None),
    (["-3", "--no-raw", "CONFIG", "GET", "timeout"], None),
    (["-3", "--no-raw", "CONFIG", "GET", "nosuchparameter"], None),
    (["-3", "MSET", "lcs1", "ohmytext", "lcs2", "mynewtext", "a", "1"],
     None),
    (["-3", "--no-raw", "GET", "a"], None),
    (["-3", "--no-raw", "GET", "nosuch"], None),
    (["-3", "GET", "nosuch"], None),
    (["-3", "--no-raw", "MGET", "a", "nosuch", "lcs1"], None),
    (["-3", "MGET", "a", "nosuch", "lcs1"], None),
    (["-3", "--no-raw", "GETDEL", "nosuch"], None),
    (["-3", "--no-raw", "SET", "a", "2", "GET"], None),
    (["-3", "--no-raw", "SET", "a", "3", "NX", "GET"], None),
    (["-3", "--no-raw", "CLIENT", "GETNAME"], None),
    (["-3", "--no-raw", "LCS", "lcs1", "lcs2", "IDX", "MINMATCHLEN", "4",
      "WITHMATCHLEN"], None),
    (["-3", "LCS", "lcs1", "lcs2", "IDX", "MINMATCHLEN", "4",
      "WITHMATCHLEN"], None),
    (["-3", "--no-raw", "LCS", "lcs1", "lcs2"], None),
    (["-3", "--no-raw", "COMMAND", "GETKEYS", "MSET", "x", "1", "y", "2"],
     None),
    (["-3", "--no-raw", "KEYS", "nomatch*"], None),
    (["-3", "--no-raw", "INCRBYFLOAT", "f", "1.5"], None),
    (["-3", "--no-raw", "INCR", "n"], None),
    (["-3", "INFO", "keyspace"], None),
    (["-3", "--no-raw", "INFO", "keyspace"], None),
    (["-3", "--no-raw", "EXISTS", "a", "nosuch"], None),
    (["-3", "--no-raw", "TTL", "nosuch"], None),
    (["-3", "--no-raw", "NOSUCHCMD", "x"], None),
    (["-3", "GET"], None),
    (["-3", "-x", "SET", "fromstdin"], b"piped value\n"),
    (["-3", "--no-raw", "GET", "fromstdin"], None),
]

# The same kinds of replies through stdin: redis-cli -3 reads one command a
# line and prints each reply.
RESP3_SCRIPT = b"""HELLO 3
CONFIG GET maxclients
MSET lcs1 ohmytext lcs2 mynewtext a 1
GET a
GET nosuch
MGET a nosuch lcs1
SET a 2 GET
CLIENT GETNAME
LCS lcs1 lcs2 IDX MINMATCHLEN 4 WITHMATCHLEN
COMMAND GETKEYS MSET x 1 y 2
KEYS nomatch*
INCRBYFLOAT f 1.5
INCR n
INFO keyspace
NOSUCHCMD x
ECHO "two words"
"""
RESP3_PIPED = [
    (["-3"], RESP3_SCRIPT),
    (["-3", "--no-raw"], RESP3_SCRIPT),
]

# HELLO's client id differs from server to server.
HELLO_ID = re.compile(rb'(\bid"?(?: => \(integer\))? )\d+')


def resp3_one_shot(port):
    """RESP3 on a fresh database, then each piped script on a fresh one."""
    out = []
    for i, (args, stdin) in enumerate(RESP3 + RESP3_PIPED):
        if i == 0 or i >= len(RESP3):
            with fkv.Client(port) as c:
                assert c.cmd("FLUSHALL") == b"+OK\r\n"
        rc, text = cli(port, args, stdin)
        out.append((rc, HELLO_ID.sub(rb"\1<id>", text)))
    return out


def cli(port, args, stdin=None, timeout=60):
    p = subprocess.run(["redis-cli", "-h", fkv.HOST, "-p", str(port)] + args,
                       input=stdin if stdin is not None else b"",
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, start_new_session=True)
    return p.returncode, p.stdout


def one_shot(port):
    with fkv.Client(port) as c:
        assert c.cmd("FLUSHALL") == b"+OK\r\n"
    return [cli(port, a, s) for a, s in ONE_SHOT]


def pipe_commands(n):
    out = []
    for i in range(n):
        m = i % 5
        if m == 0:
            out.append(fkv.enc("SET", "pipe:%d" % i, "value-%d" % i))
        elif m == 1:
            out.append(fkv.enc("INCR", "pipe:counter"))
        elif m == 2:
            out.append(fkv.enc("MSET", "pipe:a%d" % i, "x", "pipe:b%d" % i, "y"))
        elif m == 3:
            out.append(fkv.enc("APPEND", "pipe:log", "%d," % i))
        else:
            out.append(fkv.enc("DEL", "pipe:a%d" % (i - 2)))
    return b"".join(out)


def test_pipe(srv):
    n = 5000
    with srv.client() as c:
        assert c.cmd("FLUSHALL") == b"+OK\r\n"
    p = subprocess.run(["redis-cli", "-h", fkv.HOST, "-p", str(srv.port),
                        "--pipe"], input=pipe_commands(n),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120, start_new_session=True)
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"errors: (\d+), replies: (\d+)", out)
    if p.returncode != 0 or not m or m.group(1) != "0" or \
            int(m.group(2)) != n:
        return False, "exit %d, output:\n%s" % (p.returncode, out)
    with srv.client() as c:
        checks = [
            (c.cmd("GET", "pipe:counter"), b"$4\r\n1000\r\n"),
            (c.cmd("GET", "pipe:4995"), b"$10\r\nvalue-4995\r\n"),
            (c.cmd("STRLEN", "pipe:log"),
             b":%d\r\n" % sum(len("%d," % i) for i in range(3, n, 5))),
            (c.cmd("EXISTS", "pipe:a2", "pipe:b2", "pipe:a4997"),
             b":1\r\n"),
            # 1000 SET + counter + log + 1000 b-keys (a-keys all deleted)
            (c.cmd("DBSIZE"), b":2002\r\n"),
        ]
    bad = ["got %s want %s" % (fkv.show(g), fkv.show(w))
           for g, w in checks if g != w]
    return not bad, "\n".join(bad + [out.strip()])


class Pty:
    """redis-cli in interactive mode on a pseudo-terminal."""

    def __init__(self, port):
        self.master, slave = pty.openpty()
        env = dict(os.environ, TERM="dumb", HOME=os.environ.get(
            "TMPDIR", "/tmp"))
        env["REDISCLI_HISTFILE"] = "/dev/null"
        self.proc = subprocess.Popen(
            ["redis-cli", "-h", fkv.HOST, "-p", str(port)], stdin=slave,
            stdout=slave, stderr=slave, env=env, start_new_session=True,
            close_fds=True)
        os.close(slave)
        self.out = b""

    def read_until(self, pattern, timeout=10.0):
        end = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < end:
            m = rx.search(self.out)
            if m:
                before = self.out[:m.end()]
                self.out = self.out[m.end():]
                return before
            r, _, _ = select.select([self.master], [], [], 0.2)
            if r:
                try:
                    d = os.read(self.master, 65536)
                except OSError:
                    break
                if not d:
                    break
                self.out += d
        raise TimeoutError("no %r in %r" % (pattern, self.out[-300:]))

    def type(self, line):
        os.write(self.master, line.encode() + b"\r")

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)
        os.close(self.master)


def test_interactive(port):
    prompt = rb"127\.0\.0\.1:%d(\[\d+\])?> " % port
    t = Pty(port)
    fails = []
    try:
        t.read_until(prompt)
        steps = [
            ("set a 1", rb"OK"),
            ("get a", rb'"1"'),
            ("incr counter", rb"\(integer\) 1"),
            ("mget a nosuch", rb'1\) "1"\s*\r\n2\) \(nil\)'),
            ("set b \"x y\"", rb"OK"),
            ("get b", rb'"x y"'),
            ("nosuchcmd", rb"\(error\) ERR unknown command 'nosuchcmd'"),
            ("get", rb"\(error\) ERR wrong number of arguments for 'get'"),
            ("select 2", rb"OK"),
            ("get a", rb"\(nil\)"),
        ]
        for line, want in steps:
            t.type(line)
            try:
                got = t.read_until(prompt)
            except TimeoutError as e:
                fails.append("%s: %s" % (line, e))
                break
            if not re.search(want, got):
                fails.append("%s: want /%s/ in %r" % (
                    line, want.decode(), got[-200:]))
        t.type("quit")
        end = time.monotonic() + 10
        while t.proc.poll() is None and time.monotonic() < end:
            try:
                t.read_until(rb"\n", 0.5)
            except TimeoutError:
                pass
        if t.proc.poll() != 0:
            fails.append("redis-cli did not exit 0 on quit: %s" %
                         t.proc.poll())
    finally:
        t.close()
    return not fails, "\n".join(fails)


def benchmark(port, extra):
    args = ["redis-benchmark", "-h", fkv.HOST, "-p", str(port), "-q"] + extra
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=240, start_new_session=True)
    # -q output uses \r to redraw progress; keep final lines.
    out = p.stdout.decode("utf-8", "replace").replace("\r", "\n")
    lines = [ln for ln in out.split("\n") if "requests per second" in ln]
    return p.returncode, out, lines


def test_benchmark(port, extra, tests):
    rc, out, lines = benchmark(port, extra)
    names = [ln.split(":")[0].strip().upper() for ln in lines]
    missing = [t for t in tests if not any(n.startswith(t) for n in names)]
    errs = [ln for ln in out.split("\n") if re.search(r"ERR|[Ee]rror", ln)]
    ok = rc == 0 and not missing and not errs
    return ok, "exit %d; missing %s; errors %s\n%s" % (
        rc, missing, errs[:5], "\n".join(lines))


def main():
    tap = fkv.Tap()
    if not shutil.which("redis-cli"):
        tap.skip("redis-cli", "redis-tools not installed")
        return tap.done()
    srv = fkv.Server()
    red = fkv.RedisServer() if fkv.have_redis_server() else None
    try:
        srv.start()
        got = one_shot(srv.port)
        if red:
            red.start()
            want = one_shot(red.port)
            for (args, _), w, g in zip(ONE_SHOT, want, got):
                tap.ok(w == g, "redis-cli %s" % " ".join(args),
                       "redis-server: %r\nflashkv:      %r" % (w, g))
            want3 = resp3_one_shot(red.port)
            got3 = resp3_one_shot(srv.port)
            for (args, stdin), w, g in zip(RESP3 + RESP3_PIPED, want3, got3):
                name = "redis-cli %s" % " ".join(args)
                if stdin is not None and "-x" not in args:
                    name += " <<< %d commands" % stdin.count(b"\n")
                tap.ok(w == g, name, "redis-server: %r\nflashkv:      %r" % (
                    w, g))
            red.stop()
        else:
            tap.ok(got[2] == (0, b"1\n"), "redis-cli GET a", repr(got[2]))
            tap.skip("redis-cli -3", "redis-server not installed")
        tap.run("redis-cli --pipe, 5000 commands: errors 0, replies 5000",
                lambda: test_pipe(srv))
        tap.run("redis-cli interactive (pty)",
                lambda: test_interactive(srv.port))
        tap.run("redis-benchmark -q -n 20000 -t set,get,incr,mset -c 20",
                lambda: test_benchmark(
                    srv.port, ["-n", "20000", "-t", "set,get,incr,mset",
                               "-c", "20"], ["SET", "GET", "INCR", "MSET"]))
        tap.run("redis-benchmark pipelined -P 16, random keys",
                lambda: test_benchmark(
                    srv.port, ["-n", "50000", "-t", "set,get", "-c", "10",
                               "-P", "16", "-r", "10000"], ["SET", "GET"]))
        with srv.client() as c:
            r = c.cmd("PING")
            tap.ok(r == b"+PONG\r\n", "server fine after the benchmarks",
                   fkv.show(r))
        rc = srv.stop()
        tap.ok(rc == 0, "server exits 0 on SIGTERM",
               "exit %s; log tail:\n%s" % (rc, srv.log_text()[-1500:]))
    finally:
        srv.cleanup()
        if red:
            red.cleanup()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
