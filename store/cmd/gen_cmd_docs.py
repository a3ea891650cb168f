#!/usr/bin/env python3
"""gen_cmd_docs.py - compile cmd_docs.txt into C tables (cmd_docs.h types).

usage: gen_cmd_docs.py OUTPUT.c DOCS.txt [DOCS.txt ...]
  (store/cmd/cmd_docs.txt, then one file per family of commands)

Fails (exit 1, with file:line) on anything it does not understand, so a
typo in the text breaks the build instead of the reply.
"""
import sys

TYPES = ["string", "integer", "double", "key", "pattern", "unix-time",
         "pure-token", "oneof", "block"]
ARG_FLAGS = {"optional": "DOC_ARG_OPTIONAL", "multiple": "DOC_ARG_MULTIPLE",
             "multiple_token": "DOC_ARG_MULTIPLE_TOKEN"}
TYPE_ENUM = {t: "DOC_ARG_" + t.upper().replace("-", "_") for t in TYPES}


class Error(Exception):
    pass


def c_str(s):
    if s is None:
        return "NULL"
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            raise Error("non-ASCII character %r" % ch)
    out.append('"')
    return "".join(out)


def parse(path):
    cmds, cur = [], None
    stack = []  # (indent, list of args) for nesting
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            where = "%s:%d: " % (path, no)
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                if not line.startswith(" "):
                    parts = line.split(None, 3)
                    if len(parts) < 4:
                        raise Error("want NAME SINCE GROUP COMPLEXITY")
                    cur = {"name": parts[0], "since": parts[1],
                           "group": parts[2], "complexity": parts[3],
                           "summary": None, "deprecated": None,
                           "syscmd": False, "history": [], "args": []}
                    if cur["name"] != cur["name"].lower():
                        raise Error("names are lowercase")
                    cmds.append(cur)
                    stack = [(0, cur["args"])]
                    continue
                if cur is None:
                    raise Error("indented line before any command")
                indent = len(line) - len(line.lstrip(" "))
                word, _, rest = line.strip().partition(" ")
                if word != "arg":
                    if indent != 2:
                        raise Error("command fields are indented by 2")
                    if word == "summary" and rest:
                        cur["summary"] = rest
                    elif word == "deprecated":
                        since, _, by = rest.partition(" ")
                        if not by:
                            raise Error("want deprecated SINCE REPLACED-BY")
                        cur["deprecated"] = (since, by)
                    elif word == "syscmd" and not rest:
                        cur["syscmd"] = True
                    elif word == "history":
                        ver, _, text = rest.partition(" ")
                        if not text:
                            raise Error("want history VERSION TEXT")
                        cur["history"].append((ver, text))
                    else:
                        raise Error("unknown line %r" % word)
                    continue
                parse_arg(rest.split(), indent, stack)
            except Error as e:
                raise Error(where + str(e))
    for c in cmds:
        if not c["summary"]:
            raise Error("%s: %s has no summary" % (path, c["name"]))
    names = [c["name"] for c in cmds]
    if len(set(names)) != len(names):
        raise Error("%s: a command is described twice" % path)
    return cmds


def parse_arg(words, indent, stack):
    if indent % 2 or indent < 2:
        raise Error("arguments are indented by 2 per level")
    level = indent // 2  # 1 = a command's own argument
    while stack and stack[-1][0] >= level:
        stack.pop()
    if not stack or stack[-1][0] != level - 1:
        raise Error("argument nested too deep")
    if len(words) < 2:
        raise Error("want arg NAME TYPE [ATTR...]")
    name, typ = words[0], words[1]
    if typ not in TYPES:
        raise Error("unknown type %r" % typ)
    arg = {"name": name, "type": typ, "ks": -1, "token": None,
           "since": None, "deprecated": None, "flags": [], "args": []}
    for a in words[2:]:
        key, eq, val = a.partition("=")
        if eq and key == "ks":
            arg["ks"] = int(val)
        elif eq and key in ("token", "since", "deprecated"):
            arg[key] = val
        elif not eq and a in ARG_FLAGS:
            arg["flags"].append(ARG_FLAGS[a])
        else:
            raise Error("unknown attribute %r" % a)
    if (typ == "key") != (arg["ks"] >= 0):
        raise Error("key arguments, and only they, have ks=N")
    parent = stack[-1][1]
    parent.append(arg)
    if typ in ("oneof", "block"):
        stack.append((level, arg["args"]))


def emit(cmds, out):
    lines = ["/* Generated by gen_cmd_docs.py from cmd_docs.txt: "
             "do not edit. */",
             '#include "store/cmd/cmd_docs.h"', ""]
    counter = [0]

    def arg_array(args):
        """Emits the arrays of args (children first); returns its name."""
        inits = []
        for a in args:
            sub = arg_array(a["args"]) if a["args"] else "NULL"
            flags = " | ".join(a["flags"]) or "0"
            inits.append(
                "    { %s, %s, %s, %s, %s, %d, %s, %s, %d },"
                % (c_str(a["name"]), c_str(a["token"]), c_str(a["since"]),
                   c_str(a["deprecated"]), sub, a["ks"], TYPE_ENUM[a["type"]],
                   flags, len(a["args"])))
        counter[0] += 1
        name = "args%d" % counter[0]
        lines.append("static const cmd_doc_arg_t %s[] = {" % name)
        lines.extend(inits)
        lines.append("};")
        return name

    rows = []
    for i, c in enumerate(sorted(cmds, key=lambda c: c["name"])):
        args = arg_array(c["args"]) if c["args"] else "NULL"
        hist = "NULL"
        if c["history"]:
            hist = "hist%d" % i
            lines.append("static const char *const %s[] = {" % hist)
            for ver, text in c["history"]:
                lines.append("    %s, %s," % (c_str(ver), c_str(text)))
            lines.append("};")
        dep, by = c["deprecated"] or (None, None)
        flags = []
        if c["deprecated"]:
            flags.append("DOC_DEPRECATED")
        if c["syscmd"]:
            flags.append("DOC_SYSCMD")
        rows.append("    { %s, %s,\n      %s, %s,\n      %s,\n"
                    "      %s, %s, %s, %s, %s, %d, %d },"
                    % (c_str(c["name"]), c_str(c["summary"]),
                       c_str(c["since"]), c_str(c["group"]),
                       c_str(c["complexity"]), c_str(dep), c_str(by), hist,
                       args, " | ".join(flags) or "0", len(c["history"]),
                       len(c["args"])))
    lines.append("")
    lines.append("const cmd_doc_t cmd__docs[] = {")
    lines.extend(rows)
    lines.append("};")
    lines.append("const size_t cmd__ndocs = sizeof cmd__docs / "
                 "sizeof cmd__docs[0];")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        cmds = []
        for path in sys.argv[2:]:
            cmds += parse(path)
        emit(cmds, sys.argv[1])
    except Error as e:
        sys.stderr.write("gen_cmd_docs.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
