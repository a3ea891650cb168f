#!/usr/bin/env python3
"""CLIENT LIST, CLIENT KILL and CLIENT REPLY across workers: the server has
three workers, so connections (accepted round-robin) live on different
ones and these commands must reach every worker's connections."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402


def ids_in(listing):
    return sorted(int(m) for m in re.findall(rb"id=(\d+) ", listing))


def main():
    tap = fkv.Tap()
    tap.plan(8)
    with fkv.Server(threads=3) as srv:
        cs = [srv.client() for _ in range(6)]
        ids = [int(c.cmd("CLIENT", "ID")[1:-2]) for c in cs]

        def list_all():
            got = ids_in(cs[0].cmd("CLIENT", "LIST"))
            return got == sorted(ids), "listed %s, have %s" % (got, ids)
        tap.run("CLIENT LIST shows the connections of every worker", list_all)

        def kill_by_id():
            r = cs[0].cmd("CLIENT", "KILL", "ID", str(ids[4]))
            return (r == b":1\r\n" and cs[4].closed_by_peer(),
                    "reply %s" % fkv.show(r))
        tap.run("CLIENT KILL ID closes a client on another worker", kill_by_id)

        def kill_by_addr():
            addr = "%s:%d" % cs[5].sock.getsockname()
            r = cs[0].cmd("CLIENT", "KILL", addr)
            return (r == b"+OK\r\n" and cs[5].closed_by_peer(),
                    "reply %s" % fkv.show(r))
        tap.run("CLIENT KILL addr (old form) closes it", kill_by_addr)

        def others_fine():
            got = ids_in(cs[1].cmd("CLIENT", "LIST"))
            want = sorted(ids[:4])
            return (got == want and cs[2].cmd("PING") == b"+PONG\r\n",
                    "listed %s, want %s" % (got, want))
        tap.run("the others stay connected and listed", others_fine)

        def multi_state():
            cs[2].cmd("MULTI")
            cs[2].cmd("SET", "k", "v")
            cs[2].cmd("GET", "k")
            line = [ln for ln in cs[1].cmd("CLIENT", "LIST").split(b"\n")
                    if b"id=%d " % ids[2] in ln]
            me = cs[1].cmd("CLIENT", "INFO")
            cs[2].cmd("EXEC")
            after = [ln for ln in cs[1].cmd("CLIENT", "LIST").split(b"\n")
                     if b"id=%d " % ids[2] in ln]
            ok = (len(line) == 1 and b" flags=x " in line[0] and
                  b" multi=2 " in line[0] and b" cmd=get " in line[0] and
                  b" cmd=client|info " in me and len(after) == 1 and
                  b" flags=N " in after[0] and b" multi=-1 " in after[0] and
                  b" cmd=exec " in after[0])
            return ok, "in MULTI: %s\nafter: %s\nself: %s" % (
                line, after, fkv.show(me))
        tap.run("CLIENT LIST shows MULTI (flags=x, multi=N) and the last "
                "command", multi_state)

        def skipme():
            r = cs[1].cmd("CLIENT", "KILL", "ID", str(ids[1]))
            ok = r == b":0\r\n" and cs[1].cmd("PING") == b"+PONG\r\n"
            return ok, "reply %s" % fkv.show(r)
        tap.run("CLIENT KILL skips the caller by default", skipme)

        def self_kill():
            r = cs[3].cmd("CLIENT", "KILL", "ID", str(ids[3]), "SKIPME", "no")
            return (r == b":1\r\n" and cs[3].closed_by_peer(),
                    "reply %s" % fkv.show(r))
        tap.run("SKIPME no: the caller gets its reply, then is closed",
                self_kill)

        def reply_off():
            c = cs[2]
            c.send(fkv.enc("CLIENT", "REPLY", "OFF") +
                   fkv.enc("MSET", "a", "1", "b", "2", "c", "3") +
                   fkv.enc("MGET", "a", "b", "c") +
                   fkv.enc("CLIENT", "REPLY", "ON") +
                   fkv.enc("MGET", "c", "a"))
            r1, r2 = c.reply(), c.reply()
            ok = r1 == b"+OK\r\n" and r2 == b"*2\r\n$1\r\n3\r\n$1\r\n1\r\n"
            return ok, "replies %s %s" % (fkv.show(r1), fkv.show(r2))
        tap.run("CLIENT REPLY OFF silences fanned-out commands too", reply_off)
        for c in cs:
            c.close()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
