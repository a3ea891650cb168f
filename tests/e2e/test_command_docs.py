#!/usr/bin/env python3
"""COMMAND DOCS, COUNT, LIST and LIST FILTERBY against Debian's redis-server
(TAP), in RESP2 and RESP3.

DOCS is compared structurally, one test per command and protocol: the same
reply types (maps, sets, arrays) and keys in the same order, the same
since / group / complexity / doc_flags / deprecated_since, the same
argument tree (names, types, key spec indexes, tokens, flags, since,
nested arguments) and history versions, while the summary, the history
notes and replaced_by (written in FlashKV's own words) need only be
non-empty text.  A container's subcommands must be some of Redis's, each
compared the same way (Redis's others are listed as a diagnostic).

COUNT, LIST, COMMAND and DOCS with no names must agree with each other on
the set of FlashKV's commands, that set must be within Redis's, and LIST
FILTERBY must give what Redis gives, restricted to FlashKV's commands.

usage: test_command_docs.py [SUBSTRING...]   (only the tests so named)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

FREE_TEXT = ("summary", "replaced_by")
ACL_CATEGORIES = ("keyspace read write set sortedset list hash string bitmap "
                  "hyperloglog geo stream pubsub admin fast slow blocking "
                  "dangerous connection transaction scripting").split()
PATTERNS = ("*", "get*", "*expire*", "object|*", "client|*", "command|*",
            "config|?et", "*|help", "[a-c]*", "P*", "nosuch*")


# ---- typed replies ------------------------------------------------------------

class Node:
    """One parsed reply: kind is one of the RESP type bytes ('*', '%', '~',
    '$', '+', ':', '_', ...); items holds children, value a leaf's value."""

    def __init__(self, kind, items=None, value=None):
        self.kind, self.items, self.value = kind, items, value

    def __eq__(self, o):
        return (isinstance(o, Node) and self.kind == o.kind
                and self.items == o.items and self.value == o.value)

    def __repr__(self):
        if self.items is None:
            return "%s%r" % (self.kind, self.value)
        return "%s[%s]" % (self.kind, ", ".join(map(repr, self.items)))


def parse(data):
    node, pos = _parse(data, 0)
    if pos != len(data):
        raise ValueError("trailing bytes after a reply")
    return node


def _parse(b, i):
    j = b.index(b"\r\n", i)
    kind, line, i = chr(b[i]), b[i + 1:j], j + 2
    if kind in "$=!":
        n = int(line)
        if n < 0:
            return Node("null"), i
        return Node("$" if kind == "$" else kind, value=b[i:i + n]), i + n + 2
    if kind in "*~%>|":
        n = int(line)
        if n < 0:
            return Node("null"), i
        items = []
        for _ in range(n * 2 if kind in "%|" else n):
            x, i = _parse(b, i)
            items.append(x)
        return Node(kind, items), i
    if kind == ":":
        return Node(":", value=int(line)), i
    if kind == "_":
        return Node("null"), i
    return Node(kind, value=line), i


def pairs(node):
    """Key/value pairs of a map (RESP3) or of a flat RESP2 array."""
    if node.kind not in "%*" or len(node.items) % 2:
        raise ValueError("not a map: %r" % node)
    it = node.items
    return [(it[k].value.decode(), it[k + 1]) for k in range(0, len(it), 2)]


def text(node):
    return node.kind == "$" and len(node.value.strip()) > 0


# ---- structural comparison ----------------------------------------------------

def cmp_doc(exp, got, where, errs, notes):
    if exp.kind != got.kind:
        errs.append("%s: reply type %s, redis %s" % (where, got.kind, exp.kind))
        return
    ep, gp = pairs(exp), pairs(got)
    ek, gk = [k for k, _ in ep], [k for k, _ in gp]
    if ek != gk:
        errs.append("%s: keys %s, redis %s" % (where, gk, ek))
        return
    for (k, e), (_, g) in zip(ep, gp):
        at = "%s.%s" % (where, k)
        if k in FREE_TEXT:
            if not (text(e) and text(g)):
                errs.append("%s: empty or not text" % at)
        elif k == "history":
            cmp_history(e, g, at, errs)
        elif k == "arguments":
            cmp_args(e, g, at, errs)
        elif k == "subcommands":
            cmp_subs(e, g, at, errs, notes)
        elif e != g:
            errs.append("%s: %r, redis %r" % (at, g, e))


def cmp_history(e, g, at, errs):
    if e.kind != g.kind or len(e.items) != len(g.items):
        errs.append("%s: %r, redis %r" % (at, g, e))
        return
    for n, (he, hg) in enumerate(zip(e.items, g.items)):
        ok = (he.kind == hg.kind == "*" and len(hg.items) == 2
              and he.items[0] == hg.items[0] and text(hg.items[1]))
        if not ok:
            errs.append("%s[%d]: %r, redis %r" % (at, n, hg, he))


def cmp_args(e, g, at, errs):
    if e.kind != g.kind or len(e.items) != len(g.items):
        errs.append("%s: %d arguments (%s), redis %d (%s)" % (
            at, len(g.items or []), g.kind, len(e.items or []), e.kind))
        return
    for ae, ag in zip(e.items, g.items):
        if ae.kind != ag.kind:
            errs.append("%s: reply type %s, redis %s" % (at, ag.kind, ae.kind))
            continue
        ep, gp = pairs(ae), pairs(ag)
        name = dict(ep).get("name")
        where = "%s[%s]" % (at, name.value.decode() if name else "?")
        if [k for k, _ in ep] != [k for k, _ in gp]:
            errs.append("%s: keys %s, redis %s" % (
                where, [k for k, _ in gp], [k for k, _ in ep]))
            continue
        for (k, ve), (_, vg) in zip(ep, gp):
            if k == "arguments":
                cmp_args(ve, vg, where, errs)
            elif k == "summary":
                if not text(vg):
                    errs.append("%s.summary: empty" % where)
            elif ve != vg:
                errs.append("%s.%s: %r, redis %r" % (where, k, vg, ve))


def cmp_subs(e, g, at, errs, notes):
    if e.kind != g.kind:
        errs.append("%s: reply type %s, redis %s" % (at, g.kind, e.kind))
        return
    red = dict(pairs(e))
    for name, doc in pairs(g):
        if name not in red:
            errs.append("%s: %s is not a Redis subcommand" % (at, name))
        else:
            cmp_doc(red[name], doc, name, errs, notes)
    missing = sorted(set(red) - {n for n, _ in pairs(g)})
    if missing:
        notes.append("%s: Redis also has %s" % (at, " ".join(missing)))


def compare_docs_reply(exp, got):
    """Two COMMAND DOCS replies (maps of name -> docs); (ok, diag)."""
    e, g = parse(exp), parse(got)
    errs, notes = [], []
    if e.kind != g.kind:
        return False, "reply type %s, redis %s" % (g.kind, e.kind)
    ep, gp = pairs(e), pairs(g)
    if [k for k, _ in ep] != [k for k, _ in gp]:
        return False, "names %s, redis %s" % ([k for k, _ in gp],
                                              [k for k, _ in ep])
    for (name, de), (_, dg) in zip(ep, gp):
        cmp_doc(de, dg, name, errs, notes)
    return not errs, "\n".join(errs[:40] + notes)


# ---- the command set ----------------------------------------------------------

def names(reply):
    return [x.value.decode() for x in parse(reply).items]


def subcommand_names(c, top):
    """Full names of the subcommands FlashKV's COMMAND INFO lists."""
    out = []
    for entry in parse(c.cmd("COMMAND", "INFO", *top)).items:
        for sub in entry.items[9].items:
            out.append(sub.items[0].value.decode())
    return out


def check_command_set(c):
    count = parse(c.cmd("COMMAND", "COUNT")).value
    listed = names(c.cmd("COMMAND", "LIST"))
    errs = []
    if count != len(listed) or len(set(listed)) != len(listed):
        errs.append("COUNT %d, LIST %d names (%d distinct)" % (
            count, len(listed), len(set(listed))))
    for args in (("COMMAND",), ("COMMAND", "INFO")):
        entries = parse(c.cmd(*args)).items
        got = [x.items[0].value.decode() for x in entries]
        if sorted(got) != sorted(listed):
            errs.append("%s names differ from LIST" % " ".join(args))
        for name, x in zip(got, entries):
            one = parse(c.cmd("COMMAND", "INFO", name)).items[0]
            if one != x:
                errs.append("%s: %s differs from COMMAND INFO %s" % (
                    " ".join(args), name, name))
    docs = pairs(parse(c.cmd("COMMAND", "DOCS")))
    if sorted(k for k, _ in docs) != sorted(listed):
        errs.append("DOCS names differ from LIST")
    for name, d in docs:
        one = pairs(parse(c.cmd("COMMAND", "DOCS", name)))
        if one != [(name, d)]:
            errs.append("DOCS: %s differs from COMMAND DOCS %s" % (name, name))
    return not errs, "\n".join(errs[:30])


def check_filter(rc, fc, known, kind, arg):
    exp = set(names(rc.cmd("COMMAND", "LIST", "FILTERBY", kind, arg)))
    got = names(fc.cmd("COMMAND", "LIST", "FILTERBY", kind, arg))
    want = exp & known
    ok = sorted(got) == sorted(want)
    return ok, "flashkv %s\nredis (within flashkv's) %s" % (
        sorted(got), sorted(want))


def main():
    tap = fkv.Tap()
    if not fkv.have_redis_server():
        tap.plan(1)
        tap.skip("COMMAND DOCS against redis-server",
                 "redis-server not installed")
        return 0
    only = sys.argv[1:]
    red, srv = fkv.RedisServer(), fkv.Server()
    try:
        red.start()
        srv.start()
        tests = []
        with fkv.Client(srv.port) as fc:
            top = names(fc.cmd("COMMAND", "LIST"))
            subs = subcommand_names(fc, top)
        known = set(top) | set(subs)

        for proto in (2, 3):
            def conns(proto=proto):
                cs = [fkv.Client(red.port), fkv.Client(srv.port)]
                if proto == 3:
                    for c in cs:
                        c.cmd("HELLO", "3")
                return cs

            def docs_of(args, conns=conns):
                def run():
                    rc, fc = conns()
                    try:
                        return compare_docs_reply(
                            rc.cmd("COMMAND", "DOCS", *args),
                            fc.cmd("COMMAND", "DOCS", *args))
                    finally:
                        rc.close()
                        fc.close()
                return run

            p = "RESP%d" % proto
            for name in top:
                tests.append(("%s COMMAND DOCS %s" % (p, name),
                              docs_of([name])))
            tests.append(("%s COMMAND DOCS of every subcommand" % p,
                          docs_of(subs)))
            tests.append(("%s COMMAND DOCS get nosuch SET object|help" % p,
                          docs_of(["get", "nosuch", "SET", "object|help"])))

            def command_set(conns=conns):
                rc, fc = conns()
                try:
                    ok, diag = check_command_set(fc)
                    extra = set(names(fc.cmd("COMMAND", "LIST"))) - set(
                        names(rc.cmd("COMMAND", "LIST")))
                    if extra:
                        ok, diag = False, diag + "\nnot in redis: %s" % extra
                    return ok, diag
                finally:
                    rc.close()
                    fc.close()
            tests.append(("%s COUNT, LIST, COMMAND, INFO and DOCS agree, "
                          "within Redis's commands" % p, command_set))

            def filters(conns=conns):
                rc, fc = conns()
                try:
                    errs = []
                    cases = [("ACLCAT", a) for a in ACL_CATEGORIES]
                    cases += [("ACLCAT", "READ"), ("ACLCAT", "nosuch")]
                    cases += [("PATTERN", x) for x in PATTERNS]
                    cases += [("MODULE", "nosuch")]
                    for kind, arg in cases:
                        ok, diag = check_filter(rc, fc, known, kind, arg)
                        if not ok:
                            errs.append("FILTERBY %s %s:\n%s" % (kind, arg,
                                                                 diag))
                    return not errs, "\n".join(errs[:10])
                finally:
                    rc.close()
                    fc.close()
            tests.append(("%s COMMAND LIST FILTERBY ACLCAT/PATTERN/MODULE "
                          "as Redis's within FlashKV's commands" % p, filters))

        if only:
            tests = [t for t in tests if any(s in t[0] for s in only)]
        tap.plan(len(tests) + 1)
        tap.diag("%d commands, %d subcommands" % (len(top), len(subs)))
        for name, fn in tests:
            tap.run(name, fn)
        rc = srv.stop()
        tap.ok(rc == 0, "flashkv-server exits 0 on SIGTERM",
               "exit code %s; log tail:\n%s" % (rc, srv.log_text()[-1500:]))
    finally:
        srv.cleanup()
        red.cleanup()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
