#!/usr/bin/env python3
"""Print one 'N passed, N failed' line for meson test runs.

Criterion binaries count their own test cases (their 'Synthesis:' line, read
from the test's captured output); TAP-speaking scripts count their 'ok' and
'not ok' lines; any other test program counts as one.  Failing tests get the
tail of their output printed first (summary lines renamed, so that the one
line printed last is the only countable one).
Usage: test-summary.py BUILD_DIR [BUILD_DIR ...]
"""
import json
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SYNTH = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")
TAP = re.compile(r"^(not ok|ok)\b", re.M)


def count_test(t):
    out = ANSI.sub("", (t.get("stdout") or "") + (t.get("stderr") or ""))
    ok = t.get("result") in ("OK", "EXPECTEDFAIL")
    synth = SYNTH.findall(out)
    if synth:
        _, passing, failing, crashing = map(int, synth[-1])
        bad = failing + crashing
        return passing, bad + (1 if not ok and bad == 0 else 0), out
    tap = TAP.findall(out)
    if tap:
        good = sum(1 for m in tap if m == "ok")
        bad = len(tap) - good
        return good, bad + (1 if not ok and bad == 0 else 0), out
    if t.get("result") == "SKIP":
        return 0, 0, out
    return (1, 0, out) if ok else (0, 1, out)


def main():
    passed = failed = 0
    for build in sys.argv[1:]:
        try:
            lines = open(build + "/meson-logs/testlog.json").read().splitlines()
        except FileNotFoundError:
            print(f"{build}: no test log (build failed?)")
            failed += 1
            continue
        for line in lines:
            if not line.strip():
                continue
            t = json.loads(line)
            p, f, out = count_test(t)
            passed += p
            failed += f
            if f:
                tail = "\n".join(out.splitlines()[-40:])
                tail = tail.replace("Synthesis:", "Criterion summary:")
                tail = re.sub(r"^(\d+) passed, (\d+) failed", r"\1 ok, \2 not ok", tail, flags=re.M)
                print(f"---- FAILED: {build} {t.get('name')} ({t.get('result')}) ----")
                print(tail)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
