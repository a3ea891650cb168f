#!/usr/bin/env python3
"""check_layout.py - the source tree keeps its shape.

1. Layers: a folder includes only its own headers and those of the folders
   below it (LAYERS, lowest first).  Folders on one line are peers: neither
   includes the other.  So there is no include circle between folders, and
   the protocol knows nothing of connections, the encodings nothing of
   commands, the store nothing of the server.
2. Size: no module (a .c file with the header of the same name) is past
   MAX_MODULE_LINES lines.

usage: check_layout.py [SOURCE_ROOT]   (prints one line per problem; exit 1)
"""
import os
import re
import sys

# Lowest first.  Each entry is a level; a level may hold peers.
LAYERS = [
    ["queues"],
    ["actors"],
    ["store/base"],
    ["store/enc"],
    ["store/db"],
    ["store/cmd"],
    ["store/keys", "store/types"],
    ["store/persist"],    # RDB, DUMP/RESTORE: over the types' builders
    ["store"],            # store/commands.c: the command table
    ["net/proto"],
    ["net/config"],
    ["net/core"],
    ["net/shard"],
    ["net/persist", "net/pubsub"],
    ["net/conn"],
    ["net/server"],
]
MAX_MODULE_LINES = 720
SOURCE_DIRS = ["queues", "actors", "store", "net"]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]', re.M)


def level_of(folder):
    for i, peers in enumerate(LAYERS):
        if folder in peers:
            return i
    return None


def folder_of_include(src_folder, inc, quoted, root):
    """The project folder an include names, or None (system headers)."""
    if not quoted:
        # <flashkv/act.h> and <flashkv/mbox.h> are the runtime's public
        # headers; everything else in <> is the system's.
        if inc.startswith("flashkv/"):
            for lib in ("queues", "actors"):
                if os.path.exists(os.path.join(root, lib, "include", inc)):
                    return lib
        return None
    if "/" not in inc:
        return src_folder
    return os.path.dirname(inc)


def owner(folder):
    """The layer folder a path belongs to (actors/include -> actors)."""
    while folder and level_of(folder) is None:
        folder = os.path.dirname(folder)
    return folder or None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    problems = []
    nfiles = 0
    for top in SOURCE_DIRS:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                folder = owner(os.path.dirname(rel))
                if folder is None:
                    problems.append(f"{rel}: in no layer of check_layout.py")
                    continue
                nfiles += 1
                text = open(path, encoding="utf-8", errors="replace").read()
                for quote, inc in INCLUDE.findall(text):
                    if quote == '"' and ".." in inc.split("/"):
                        problems.append(f"{rel}: includes {inc}: name it from "
                                        "the top of the tree")
                        continue
                    target = folder_of_include(os.path.dirname(rel), inc,
                                               quote == '"', root)
                    if target is None:
                        continue
                    target = owner(target) if level_of(target) is None else target
                    if target is None or target == folder:
                        continue
                    a, b = level_of(folder), level_of(target)
                    if b >= a:
                        kind = "a peer" if a == b else "a higher layer"
                        problems.append(f"{rel}: includes {inc}, {kind} ({target})")
                if name.endswith(".c"):
                    header = path[:-2] + ".h"
                    lines = text.count("\n")
                    if os.path.exists(header):
                        lines += open(header, encoding="utf-8").read().count("\n")
                    if lines > MAX_MODULE_LINES:
                        problems.append(f"{rel}: module of {lines} lines "
                                        f"(.c and .h; at most {MAX_MODULE_LINES})")
    for p in problems:
        print(p)
    print(f"check_layout: {nfiles} files, {len(problems)} problems")
    return 1 if problems or nfiles == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
