#!/usr/bin/env python3
"""redis_cmd_rows.py - draft command table rows and COMMAND DOCS stanzas
for new commands from a running redis-server 7.0 (the oracle), so the
interface facts (arity, flags, ACL categories, key specs, argument trees)
are Redis's own and only the summaries are left to write.

usage: redis_cmd_rows.py PORT rows|docs CMD [CMD ...]
  rows: ROW(...) lines for store/commands.c's macros (procs named cmd__<name>)
  docs: cmd_docs.txt stanzas with "summary TODO" and "history V TODO" for
        our own words (Redis's texts are not copied)
"""
import socket
import sys


def read_reply(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-"):
        return rest.decode()
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode()
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [read_reply(f) for _ in range(n)]
    raise ValueError(line)


def call(f, s, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(out)
    return read_reply(f)


FLAGS = {"write": "CMD_WRITE", "readonly": "CMD_READONLY", "denyoom": "CMD_DENYOOM",
         "admin": "CMD_ADMIN", "pubsub": "CMD_PUBSUB", "noscript": "CMD_NOSCRIPT",
         "blocking": "CMD_BLOCKING", "loading": "CMD_LOADING", "stale": "CMD_STALE",
         "skip_monitor": "CMD_SKIP_MONITOR", "skip_slowlog": "CMD_SKIP_SLOWLOG",
         "asking": "CMD_ASKING", "fast": "CMD_FAST", "no_auth": "CMD_NO_AUTH",
         "may_replicate": "CMD_MAY_REPLICATE", "no_mandatory_keys": "CMD_NO_MANDATORY_KEYS",
         "no_multi": "CMD_NO_MULTI", "allow_busy": "CMD_ALLOW_BUSY"}
KSF = {"RO": "KS_RO", "RW": "KS_RW", "OW": "KS_OW", "RM": "KS_RM", "access": "KS_ACCESS",
       "update": "KS_UPDATE", "insert": "KS_INSERT", "delete": "KS_DELETE",
       "not_key": "KS_NOT_KEY", "incomplete": "KS_INCOMPLETE",
       "variable_flags": "KS_VARIABLE_FLAGS"}


def pairs(lst):
    return dict(zip(lst[0::2], lst[1::2]))


def spec_c(spec):
    d = pairs(spec)
    flags = "|".join(KSF[x] for x in d["flags"]) or "0"
    b = pairs(d["begin_search"])
    fk = pairs(d["find_keys"])
    bs = pairs(b["spec"]) if b["spec"] else {}
    fs = pairs(fk["spec"]) if fk["spec"] else {}
    notes = d.get("notes")
    parts = [".flags = %s" % flags]
    if notes:
        parts.insert(0, ".notes = \"%s\"" % notes)
    if b["type"] == "index":
        parts.append(".begin = KS_BEGIN_INDEX, .pos = %d" % bs["index"])
    elif b["type"] == "keyword":
        parts.append(".begin = KS_BEGIN_KEYWORD, .keyword = \"%s\", .pos = %d"
                     % (bs["keyword"], bs["startfrom"]))
    if fk["type"] == "range":
        parts.append(".find = KS_FIND_RANGE, .a = %d, .b = %d, .c = %d"
                     % (fs["lastkey"], fs["keystep"], fs["limit"]))
    elif fk["type"] == "keynum":
        parts.append(".find = KS_FIND_KEYNUM, .a = %d, .b = %d, .c = %d"
                     % (fs["keynumidx"], fs["firstkey"], fs["keystep"]))
    return "{ " + ", ".join(parts) + " }"


def row(info):
    name, arity, flags, fk, lk, st, acl, tips, specs, subs = info
    fl = " | ".join(FLAGS[x] for x in flags if x in FLAGS) or "0"
    ac = " | ".join("ACL_" + a[1:].upper() for a in acl) or "0"
    tp = " ".join(tips)
    sp = ("SPECS(" + ",\n              ".join(spec_c(s) for s in specs) + ")") if specs else "NO_SPECS"
    proc = name.replace("|", "_").replace("-", "_")
    return ('    ROW("%s", %s, %d, %s,\n        %s, %d, %d, %d, "%s",\n        %s),'
            % (name, proc, arity, fl, ac, fk, lk, st, tp, sp))


def doc_args(args, depth, out):
    for a in args:
        d = pairs(a)
        attrs = []
        if "key_spec_index" in d:
            attrs.append("ks=%d" % d["key_spec_index"])
        if "token" in d:
            attrs.append("token=%s" % d["token"])
        if "since" in d:
            attrs.append("since=%s" % d["since"])
        if "deprecated_since" in d:
            attrs.append("deprecated=%s" % d["deprecated_since"])
        attrs += d.get("flags", [])
        out.append("  " * depth + "arg %s %s%s" % (d["name"], d["type"],
                   (" " + " ".join(attrs)) if attrs else ""))
        if "arguments" in d:
            doc_args(d["arguments"], depth + 1, out)


def docs(name, d):
    d = pairs(d)
    out = ["%s %s %s %s" % (name, d["since"], d["group"], d["complexity"]),
           "  summary TODO"]
    if "deprecated_since" in d:
        out.append("  deprecated %s %s" % (d["deprecated_since"], d.get("replaced_by", "")))
    for h in d.get("history", []):
        out.append("  history %s TODO" % h[0])
    doc_args(d.get("arguments", []), 1, out)
    return "\n".join(out) + "\n"


def main():
    port, what, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    for n in names:
        if what == "rows":
            print(row(call(f, s, "COMMAND", "INFO", n)[0]))
        else:
            r = call(f, s, "COMMAND", "DOCS", n)
            print(docs(r[0], r[1]))


if __name__ == "__main__":
    main()
