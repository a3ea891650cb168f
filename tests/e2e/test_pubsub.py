#!/usr/bin/env python3
"""Pub/Sub end to end (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNs,
PUBLISH, SPUBLISH, PUBSUB).

1. Scenarios with several clients, run on FlashKV (two workers, two
   shards: channels c0.. live on shard 0, c1.. on shard 1) and on Debian's
   redis-server, in RESP2 and in RESP3 (HELLO 3 on every client); every
   reply, push and message read must be byte-identical, except the order
   of UNSUBSCRIBE without arguments and of PUBSUB CHANNELS, which Redis
   does not define (compared as sets).
2. Fan-out: subscribers spread over both workers, channels owned by both
   shards, two publishers: every subscriber gets every message of each
   publisher exactly once and in publish order; PUBLISH counts them.
3. A subscriber that stops reading is cut at client-output-buffer-limit
   pubsub while another gets everything; its subscription is gone after.
4. A bounded stress: 200 subscribers x 2,000 messages, byte-exact streams
   (also run against the ThreadSanitizer build).
"""
import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

SHARDS = 2


def name_on(shard, prefix, skip=0):
    """A name prefix<n> whose slot falls on @shard (the @skip-th one)."""
    i = 0
    while True:
        k = "%s%d" % (prefix, i)
        if fkv.slot_of(k) % SHARDS == shard:
            if skip == 0:
                return k
            skip -= 1
        i += 1


# c0/c0b on shard 0, c1/c1b on shard 1; the same for shard channels s*.
N = {"c0": name_on(0, "chan."), "c0b": name_on(0, "chan.", 1),
     "c1": name_on(1, "chan."), "c1b": name_on(1, "chan.", 1),
     "s0": name_on(0, "shard."), "s1": name_on(1, "shard.")}

# Steps: (client, "cmd", args...) sends and reads one reply; (client,
# "send", args...) sends only; (client, "read") reads one reply or push;
# (client, "reads", n) reads n replies, compared as a set (unordered
# UNSUBSCRIBE); (client, "sorted", args...) sends and reads an array reply
# compared as a set; (client, "close").  c0, c1... in arguments are the
# names above.
SCENARIOS = [
    ("subscribe, commands refused in subscribed mode, PING, unsubscribe", [
        ("A", "cmd", "SUBSCRIBE", "c0", "c1"), ("A", "read"),
        ("A", "cmd", "GET", "x"),
        ("A", "cmd", "PING"), ("A", "cmd", "PING", "hi"),
        ("A", "cmd", "SUBSCRIBE", "c0"),
        ("A", "send", "UNSUBSCRIBE"), ("A", "reads", 2),
        ("A", "cmd", "UNSUBSCRIBE"), ("A", "cmd", "GET", "x"),
        ("A", "cmd", "PING")]),
    ("patterns and shard channels: counts in the confirmations", [
        ("A", "cmd", "PSUBSCRIBE", "chan.*", "h?llo"), ("A", "read"),
        ("A", "cmd", "SUBSCRIBE", "c0"),
        ("A", "cmd", "PUNSUBSCRIBE", "nope"),
        ("A", "cmd", "SSUBSCRIBE", "s0", "s1"), ("A", "read"),
        ("A", "cmd", "SUNSUBSCRIBE", "s1"),
        ("A", "send", "PUNSUBSCRIBE"), ("A", "reads", 2),
        ("A", "cmd", "PUNSUBSCRIBE"),
        ("A", "cmd", "SUNSUBSCRIBE"), ("A", "cmd", "SUNSUBSCRIBE"),
        ("A", "cmd", "UNSUBSCRIBE", "c0", "c1"), ("A", "read"),
        ("A", "cmd", "GET", "x")]),
    ("a channel and a matching pattern: message then pmessage", [
        ("A", "cmd", "SUBSCRIBE", "c1"),
        ("A", "cmd", "PSUBSCRIBE", "chan.*"),
        ("B", "cmd", "SUBSCRIBE", "c1"),
        ("C", "cmd", "PUBLISH", "c1", "hello"),
        ("A", "read"), ("A", "read"), ("B", "read"),
        ("C", "cmd", "PUBLISH", "c0", "only-pattern"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "nobody", "x"),
        ("C", "cmd", "PUBLISH", "c1", ""), ("A", "read"), ("A", "read"),
        ("B", "read")]),
    ("glob rules: ranges, negation, escapes", [
        ("A", "cmd", "PSUBSCRIBE", "n[a-c]x", "n[^a]y", "q\\*", "z*z"),
        ("A", "read"), ("A", "read"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "nbx", "1"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "nay", "2"),
        ("C", "cmd", "PUBLISH", "nby", "3"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "q*", "4"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "qq", "5"),
        ("C", "cmd", "PUBLISH", "zz", "6"), ("A", "read")]),
    ("shard channels: SPUBLISH reaches SSUBSCRIBE only", [
        ("A", "cmd", "SSUBSCRIBE", "s0"), ("B", "cmd", "SUBSCRIBE", "s0"),
        ("B", "cmd", "PSUBSCRIBE", "*"),
        ("C", "cmd", "SPUBLISH", "s0", "sm"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "s0", "m"), ("B", "read"), ("B", "read"),
        ("C", "cmd", "PUBSUB", "SHARDNUMSUB", "s0", "s1"),
        ("C", "cmd", "PUBSUB", "NUMSUB", "s0", "s1")]),
    ("PUBSUB introspection", [
        ("A", "cmd", "SUBSCRIBE", "c0", "c1", "c1b"), ("A", "read"),
        ("A", "read"),
        ("B", "cmd", "SUBSCRIBE", "c1"), ("B", "cmd", "PSUBSCRIBE", "x*"),
        ("D", "cmd", "PSUBSCRIBE", "x*"), ("D", "cmd", "SSUBSCRIBE", "s1"),
        ("C", "sorted", "PUBSUB", "CHANNELS"),
        ("C", "sorted", "PUBSUB", "CHANNELS", "*1*"),
        ("C", "cmd", "PUBSUB", "CHANNELS", "nothing*"),
        ("C", "cmd", "PUBSUB", "NUMSUB", "c0", "c1", "zz", "c1b"),
        ("C", "cmd", "PUBSUB", "NUMSUB"),
        ("C", "cmd", "PUBSUB", "NUMPAT"),
        ("C", "cmd", "PUBSUB", "SHARDCHANNELS"),
        ("C", "cmd", "PUBSUB", "SHARDCHANNELS", "x"),
        ("C", "cmd", "PUBSUB", "SHARDNUMSUB", "s1"),
        ("B", "close"), ("D", "close"),
        ("C", "sorted", "PUBSUB", "CHANNELS"),
        ("C", "cmd", "PUBSUB", "NUMSUB", "c1"),
        ("C", "cmd", "PUBSUB", "NUMPAT"),
        ("C", "cmd", "PUBSUB", "SHARDCHANNELS")]),
    ("errors: arity, unknown subcommand, HELP", [
        ("C", "cmd", "SUBSCRIBE"), ("C", "cmd", "PSUBSCRIBE"),
        ("C", "cmd", "SSUBSCRIBE"), ("C", "cmd", "PUBLISH", "a"),
        ("C", "cmd", "PUBLISH", "a", "b", "c"), ("C", "cmd", "SPUBLISH", "a"),
        ("C", "cmd", "PUBSUB"), ("C", "cmd", "PUBSUB", "FOO"),
        ("C", "cmd", "PUBSUB", "NUMPAT", "x"),
        ("C", "cmd", "PUBSUB", "CHANNELS", "a", "b"),
        ("C", "cmd", "PUBSUB", "SHARDCHANNELS", "a", "b"),
        ("C", "cmd", "PUBSUB", "HELP"),
        ("C", "cmd", "UNSUBSCRIBE", "never"), ("C", "cmd", "GET", "x")]),
    ("RESET leaves subscribed mode silently; QUIT works", [
        ("A", "cmd", "SUBSCRIBE", "c0"), ("A", "cmd", "PSUBSCRIBE", "p*"),
        ("A", "cmd", "RESET"), ("A", "cmd", "GET", "x"),
        ("C", "cmd", "PUBLISH", "c0", "after-reset"),
        ("C", "cmd", "PUBSUB", "NUMPAT"),
        ("B", "cmd", "SUBSCRIBE", "c0"), ("B", "cmd", "QUIT"),
        ("C", "cmd", "PUBLISH", "c0", "after-quit")]),
    ("UNSUBSCRIBE, then PUBLISH: the count no longer includes it", [
        ("A", "cmd", "SUBSCRIBE", "c0"), ("A", "cmd", "SUBSCRIBE", "c1"),
        ("A", "cmd", "PSUBSCRIBE", "chan.*"),
        ("A", "cmd", "UNSUBSCRIBE", "c1"),
        ("C", "cmd", "PUBLISH", "c1", "x"), ("A", "read"),
        ("A", "cmd", "PUNSUBSCRIBE", "chan.*"),
        ("C", "cmd", "PUBLISH", "c1", "y"),
        ("C", "cmd", "PUBLISH", "c0", "z"), ("A", "read"),
        ("A", "cmd", "UNSUBSCRIBE"), ("C", "cmd", "PUBLISH", "c0", "w"),
        ("C", "cmd", "PUBSUB", "NUMSUB", "c0", "c1"),
        ("C", "cmd", "PUBSUB", "NUMPAT")]),
    ("a subscriber publishing to its own channel", [
        ("A", "cmd", "SUBSCRIBE", "c0", "c1"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "c0", "x"), ("A", "read"),
        ("C", "cmd", "PUBLISH", "c1", "y"), ("A", "read")]),
]

# RESP2 only: what subscribed mode refuses (RESP3 runs them).
SCENARIOS2 = [
    ("RESP2 subscribed mode refuses the rest, with the full command name", [
        ("A", "cmd", "SSUBSCRIBE", "s0"), ("A", "cmd", "CLIENT", "LIST"),
        ("A", "cmd", "PUBSUB", "NUMPAT"), ("A", "cmd", "MULTI"),
        ("A", "cmd", "EXEC"), ("A", "cmd", "HELLO", "3"),
        ("A", "cmd", "NOSUCH"), ("A", "cmd", "GET"),
        ("A", "cmd", "SUNSUBSCRIBE"), ("A", "cmd", "MULTI"),
        ("A", "cmd", "SUBSCRIBE", "c0"), ("A", "cmd", "EXEC")]),
    ("SUBSCRIBE and PUBLISH inside MULTI: EXEC runs them all", [
        ("A", "cmd", "MULTI"), ("A", "cmd", "SUBSCRIBE", "c0"),
        ("A", "cmd", "PUBLISH", "c0", "in-exec"), ("A", "cmd", "EXEC"),
        ("A", "read"), ("C", "cmd", "PUBLISH", "c0", "later"),
        ("A", "read"), ("C", "cmd", "MULTI"),
        ("C", "cmd", "PUBLISH", "c0", "a"), ("C", "cmd", "PUBLISH", "c1", "b"),
        ("C", "cmd", "EXEC"), ("A", "read")]),
]

# RESP3 only: ordinary commands while subscribed; a subscriber's own
# PUBLISH (the push comes before the count in Redis).
SCENARIOS3 = [
    ("RESP3: commands and pushes on one connection", [
        ("A", "cmd", "SUBSCRIBE", "c0"), ("A", "cmd", "SET", "k", "v"),
        ("A", "cmd", "GET", "k"), ("A", "cmd", "PING"),
        ("C", "cmd", "PUBLISH", "c0", "m1"), ("A", "read"),
        ("A", "cmd", "GET", "k"),
        ("A", "send", "PUBLISH", "c0", "self"), ("A", "read"), ("A", "read"),
        ("A", "cmd", "DEL", "k")]),
]


def subst(args):
    return [N.get(a, a) for a in args]


def parse3(b):
    """Elements of an array / push reply, as raw element bytes."""
    out = []
    r = fkv.Reader.__new__(fkv.Reader)
    r.sock = None
    r.buf = bytearray(b)
    r.pos = 0
    line_end = b.index(b"\r\n")
    n = int(b[1:line_end])
    r.pos = line_end + 2
    for _ in range(n):
        out.append(bytes(r.reply()))
    return out


def run_scenario(port, steps, resp3):
    clients = {}
    out = []

    def client(name):
        if name not in clients:
            c = fkv.Client(port, timeout=5.0)
            if resp3:
                c.cmd("HELLO", "3")
            clients[name] = c
        return clients[name]

    for step in steps:
        who, what = step[0], step[1]
        c = client(who)
        if what == "cmd":
            out.append((who, bytes(c.cmd(*subst(step[2:])))))
        elif what == "send":
            c.send(fkv.enc(*subst(step[2:])))
        elif what == "read":
            out.append((who, bytes(c.reply())))
        elif what == "reads":
            got = [bytes(c.reply()) for _ in range(step[2])]
            # The names in any order; the counts in order.
            names = sorted(parse3(g)[1] for g in got)
            counts = [parse3(g)[2] for g in got]
            out.append((who, ("set", names, counts)))
        elif what == "sorted":
            r = bytes(c.cmd(*subst(step[2:])))
            out.append((who, ("sorted", r[:1], sorted(parse3(r)))))
        elif what == "close":
            c.close()
            del clients[who]
            time.sleep(0.2)  # the server notices the close
    for c in clients.values():
        c.close()
    return out


def diff_scenarios(t, fk, rd):
    for resp3 in (False, True):
        tag = "RESP3" if resp3 else "RESP2"
        for name, steps in SCENARIOS + (SCENARIOS3 if resp3 else SCENARIOS2):
            def check(steps=steps, resp3=resp3):
                a = run_scenario(fk.port, steps, resp3)
                b = run_scenario(rd.port, steps, resp3)
                for i, (x, y) in enumerate(zip(a, b)):
                    if x != y:
                        return False, "step %d: flashkv %r\nredis   %r" % (
                            i, x, y)
                return len(a) == len(b), "lengths %d %d" % (len(a), len(b))
            t.run("%s: %s" % (tag, name), check)


# ---- fan-out, order, limits, stress (FlashKV only) -------------------------

def frame(kind, ch, payload):
    return fkv.enc(kind, ch, payload)


def read_exact(sock, n, timeout=60.0):
    buf = bytearray()
    end = time.monotonic() + timeout
    sock.settimeout(1.0)
    while len(buf) < n and time.monotonic() < end:
        try:
            d = sock.recv(min(1 << 20, n - len(buf)))
        except socket.timeout:
            continue
        if not d:
            break
        buf += d
    return bytes(buf)


def worker_commands(port):
    with fkv.Client(port) as c:
        text = c.cmd("INFO", "workers").decode()
    out = []
    for line in text.split("\r\n"):
        if line.startswith("worker") and "commands=" in line:
            out.append(int(line.split("commands=")[1].split(",")[0]))
    return out


def subscribe_raw(port, kind, names):
    c = fkv.Client(port, timeout=10.0)
    c.send(fkv.enc(kind, *names))
    for _ in names:
        c.reply()
    return c


def fanout(t, fk):
    chans = [N["c0"], N["c1"]]
    nsubs, nmsgs = 8, 500
    before = worker_commands(fk.port)
    subs = [subscribe_raw(fk.port, "SUBSCRIBE", chans) for _ in range(nsubs)]
    psub = subscribe_raw(fk.port, "PSUBSCRIBE", ["chan.*"])
    pubs = [fkv.Client(fk.port) for _ in range(2)]
    counts = {}

    def publish(i):
        p = pubs[i]
        cmds = [("PUBLISH", ch, "p%d-%d" % (i, k)) for k in range(nmsgs)
                for ch in chans]
        counts[i] = [int(r[1:-2]) for r in p.pipeline(cmds)]
    th = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    after = worker_commands(fk.port)
    with fk.client() as c:
        info = c.cmd("INFO", "stats").decode()
    t.ok("pubsub_channels:2\r\npubsub_patterns:1\r\n"
         "pubsubshard_channels:0\r\n" in info,
         "fan-out: INFO counts the channels and the pattern", info)
    t.ok(len(before) == 2 and all(a > b for a, b in zip(after, before)),
         "fan-out: the connections landed on both workers",
         "commands per worker %r -> %r" % (before, after))
    t.ok(all(n == nsubs + 1 for i in counts for n in counts[i]),
         "fan-out: every PUBLISH counted every subscriber and the pattern",
         repr({i: sorted(set(v)) for i, v in counts.items()}))

    def check_stream(c, total, parse_one):
        seen = {}
        ok = True
        for _ in range(total):
            ch, payload = parse_one(fkv.parse(c.reply()))
            pub, k = payload.decode().split("-")
            last = seen.get((ch, pub), -1)
            ok &= int(k) == last + 1
            seen[(ch, pub)] = int(k)
        return ok and all(v == nmsgs - 1 for v in seen.values()) \
            and len(seen) == 4
    ok = all(check_stream(c, 2 * 2 * nmsgs, lambda m: (m[1], m[2]))
             for c in subs)
    t.ok(ok, "fan-out: every subscriber got each publisher's messages once, "
         "in order")
    t.ok(check_stream(psub, 2 * 2 * nmsgs, lambda m: (m[2], m[3])),
         "fan-out: the pattern subscriber too")
    for c in subs + [psub] + pubs:
        c.close()


def slow_subscriber(t, fk):
    with fk.client() as c:
        r = c.cmd("CONFIG", "SET", "client-output-buffer-limit",
                  "pubsub 8mb 2mb 60")
    if not t.ok(r == b"+OK\r\n", "slow: CONFIG SET the pubsub limit", r):
        return
    ch = N["c1"]
    slow = subscribe_raw(fk.port, "SUBSCRIBE", [ch])
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    fast = subscribe_raw(fk.port, "SUBSCRIBE", [ch])
    pub = fkv.Client(fk.port)
    payload = "x" * 100000
    nmsgs = 300
    one = frame("message", ch, payload)
    expect = one * nmsgs
    # Publish in step with the reading subscriber (each message read before
    # the next is published), so only the one that does not read falls
    # behind, however slow the machine.
    replies, got = [], []
    for _ in range(nmsgs):
        replies.append(pub.cmd("PUBLISH", ch, payload))
        got.append(read_exact(fast.sock, len(one)))
    got = b"".join(got)
    t.ok(got == expect, "slow: the reading subscriber got everything",
         "got %d of %d bytes" % (len(got), len(expect)))
    t.ok(replies[0] == b":2\r\n" and replies[-1] == b":1\r\n",
         "slow: the publisher's count drops once the slow one is cut",
         "%r ... %r" % (replies[0], replies[-1]))
    data = read_exact(slow.sock, len(expect), timeout=20.0)
    t.ok(len(data) < len(expect), "slow: the subscriber that did not read "
         "was disconnected", "it read %d of %d bytes" % (len(data), len(expect)))
    with fk.client() as c:
        n = fkv.call(c, "PUBSUB", "NUMSUB", ch)
        lst = c.cmd("CLIENT", "LIST").decode()
        c.cmd("CONFIG", "SET", "client-output-buffer-limit",
              "pubsub 32mb 8mb 60")
    t.ok(n == [ch.encode(), 1] and lst.count("sub=1") == 1,
         "slow: its subscription and connection are gone", "%r\n%s" % (n, lst))
    for c in (slow, fast, pub):
        c.close()


def stress(t, fk, nsubs=200, nmsgs=2000):
    fkv.raise_nofile(nsubs + 64)
    chans = [N["c0"], N["c1"]]
    subs = [subscribe_raw(fk.port, "SUBSCRIBE", [chans[i % 2]])
            for i in range(nsubs)]
    expect = {ch: b"".join(frame("message", ch, "m%d" % k)
                           for k in range(nmsgs)) for ch in chans}
    results = [None] * nsubs

    def read_all(lo, hi):
        # One thread reads a slice of the subscribers, round-robin.
        want = {i: len(expect[chans[i % 2]]) for i in range(lo, hi)}
        bufs = {i: bytearray() for i in range(lo, hi)}
        socks = {subs[i].sock: i for i in range(lo, hi)}
        for s in socks:
            s.setblocking(False)
        end = time.monotonic() + 240
        while socks and time.monotonic() < end:
            ready, _, _ = select.select(list(socks), [], [], 1.0)
            for s in ready:
                i = socks[s]
                try:
                    d = s.recv(1 << 16)
                except BlockingIOError:
                    continue
                if not d:
                    del socks[s]
                    continue
                bufs[i] += d
                if len(bufs[i]) >= want[i]:
                    del socks[s]
        for i in range(lo, hi):
            results[i] = bytes(bufs[i])
    step = (nsubs + 3) // 4
    readers = [threading.Thread(target=read_all,
                                args=(lo, min(lo + step, nsubs)))
               for lo in range(0, nsubs, step)]
    for r in readers:
        r.start()
    pubs = [fkv.Client(fk.port, timeout=120) for _ in chans]
    counts = []

    def publish(i):
        ch = chans[i]
        got = []
        for lo in range(0, nmsgs, 100):
            got += pubs[i].pipeline([("PUBLISH", ch, "m%d" % k)
                                     for k in range(lo, lo + 100)])
        counts.append(set(got))
    th = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    for r in readers:
        r.join()
    bad = [i for i in range(nsubs) if results[i] != expect[chans[i % 2]]]
    t.ok(all(c == {b":%d\r\n" % (nsubs // 2)} for c in counts),
         "stress: every PUBLISH counted %d subscribers" % (nsubs // 2),
         repr(counts))
    t.ok(not bad, "stress: %d subscribers x %d messages, each received "
         "exactly once, in order" % (nsubs, nmsgs),
         "%d subscribers differ, e.g. #%d got %d bytes" % (
             len(bad), bad[0], len(results[bad[0]])) if bad else None)
    for c in subs + pubs:
        c.close()
    with fk.client() as c:
        end = time.monotonic() + 10
        while time.monotonic() < end:
            info = c.cmd("INFO", "stats").decode()
            if "pubsub_channels:0\r\n" in info:
                break
            time.sleep(0.1)
    t.ok("pubsub_channels:0\r\n" in info and "pubsub_patterns:0\r\n" in info,
         "stress: INFO shows no channel left once everybody left")


def main():
    t = fkv.Tap()
    with fkv.Server() as fk:
        if fkv.have_redis_server():
            with fkv.RedisServer() as rd:
                diff_scenarios(t, fk, rd)
        else:
            t.skip("differential scenarios", "no redis-server")
        t.run("fan-out", lambda: fanout(t, fk) or True)
        t.run("slow subscriber", lambda: slow_subscriber(t, fk) or True)
        t.run("stress", lambda: stress(t, fk) or True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
