#!/usr/bin/env python3
"""Print one 'N passed, N failed' line for a meson test run (or several).

Criterion binaries count their own test cases (their 'Synthesis:' line, read
from the test's captured output); every other test program counts as one.
Usage: test-summary.py BUILD_DIR [BUILD_DIR ...]
"""
import json
import re
import sys

SYNTH = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")


def count(logfile):
    passed = failed = 0
    with open(logfile) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line)
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            m = SYNTH.findall(out)
            ok = t.get("result") in ("OK", "EXPECTEDFAIL")
            if m:
                tested, passing, failing, crashing = map(int, m[-1])
                passed += passing
                failed += failing + crashing
                if not ok and failing + crashing == 0:
                    failed += 1  # crashed after its summary, or timed out
            elif t.get("result") == "SKIP":
                continue
            elif ok:
                passed += 1
            else:
                failed += 1
    return passed, failed


def main():
    p = f = 0
    for build in sys.argv[1:]:
        try:
            a, b = count(build + "/meson-logs/testlog.json")
        except FileNotFoundError:
            a, b = 0, 1
        p += a
        f += b
    print(f"{p} passed, {f} failed")
    return 0 if f == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
