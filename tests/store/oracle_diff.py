#!/usr/bin/env python3
"""Compare FlashKV's command replies with redis-server's, byte for byte.

Runs each script line (a command, shell-quoted) against a redis-server on
127.0.0.1:PORT (start one: redis-server --port 7611 --save '') and against
exec_stdio (the store's executor on stdin/stdout), and prints every
difference. Lines starting with '#' are comments. A line prefixed with
'~ ' is compared only by reply type (for replies that depend on hash order
or the clock); with '= ' the reply must be an array whose elements are
compared as a multiset (KEYS: hash order differs). HELLO's reply is not
compared. Not run by `meson test`: it needs a Redis 7.0 server.

usage: oracle_diff.py EXEC_STDIO [PORT] < script
"""
import shlex
import socket
import subprocess
import sys


def enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode("latin-1")
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Reader:
    def __init__(self, recv):
        self.recv, self.buf = recv, b""

    def _more(self):
        d = self.recv()
        if not d:
            raise EOFError
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._more()
        i = self.buf.index(b"\r\n")
        line, self.buf = self.buf[:i + 2], self.buf[i + 2:]
        return line

    def reply(self):
        line = self._line()
        t = line[:1]
        if t in b"$=!":
            n = int(line[1:-2])
            if n < 0:
                return line
            while len(self.buf) < n + 2:
                self._more()
            body, self.buf = self.buf[:n + 2], self.buf[n + 2:]
            return line + body
        if t in b"*~%>":
            n = int(line[1:-2]) * (2 if t == b"%" else 1)
            return line + b"".join(self.reply() for _ in range(max(n, 0)))
        return line


def elements(reply):
    """Sorted top-level elements of an array reply (or the reply itself)."""
    if reply[:1] != b"*" or reply.startswith(b"*-1"):
        return [reply]
    r = Reader(lambda: b"")
    r.buf = reply
    n = int(r._line()[1:-2])
    return sorted(r.reply() for _ in range(n))


def main():
    exe = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 7611
    sock = socket.create_connection(("127.0.0.1", port))
    redis = Reader(lambda: sock.recv(1 << 20))
    proc = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    ours = Reader(lambda: proc.stdout.read1(1 << 20))
    diffs = total = 0
    for line in sys.stdin.read().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        loose = line.startswith("~ ")
        unordered = line.startswith("= ")
        args = shlex.split(line[2:] if loose or unordered else line)
        args = [a.encode().decode("unicode_escape") for a in args]
        sock.sendall(enc(args))
        proc.stdin.write(enc(args))
        proc.stdin.flush()
        a = redis.reply()
        try:
            b = ours.reply()
        except EOFError:
            print("exec_stdio died (status %s) at: %s" % (proc.wait(), line))
            return 2
        total += 1
        if args[0].lower() == "hello":
            same = True     # exec_stdio answers +OK, Redis its server map
        elif loose:
            same = a[:1] == b[:1]
        elif unordered:
            same = elements(a) == elements(b)
        else:
            same = a == b
        if not same:
            diffs += 1
            print("DIFF %s\n  redis: %r\n  ours : %r" % (line, a[:300], b[:300]))
    proc.stdin.close()
    proc.wait()
    print("%d passed, %d failed" % (total - diffs, diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
