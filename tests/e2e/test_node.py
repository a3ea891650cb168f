#!/usr/bin/env python3
"""Real Node.js clients against FlashKV and redis-server (TAP).

    test_node.py SCRIPT.js     run tests/e2e/node/SCRIPT.js against both
    test_node.py --check-deps  exit 0 if tests/e2e/node/node_modules holds
                               exactly the versions of package-lock.json

For each server (FlashKV, then Debian's redis-server as the oracle: every
check must pass against it too), starts it on a free loopback port, runs the
script with node (FKV_HOST, FKV_PORT) and relays its TAP, each test named
"[flashkv] ..." or "[redis-server] ...", plus one check per server that the
script ran every planned test, its exit code agrees, and the server is still
up and exits 0 on SIGTERM at the end.

The script asks for "# control: stop" / "# control: start" on stdout (to
test reconnection); this launcher stops the server, or starts it again on
the same port, and answers "stop ok" / "start ok" on its stdin.

Bounded: the script has per-test timeouts and a total one; the launcher kills
it after NODE_TIMEOUT seconds.  Every server and node process started here is
stopped on the way out, also on an exception or SIGTERM (meson's timeout).
A missing node or missing npm packages fail (scripts/install-deps.sh
installs both); they never pass silently.
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fkv  # noqa: E402

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
NODE_TIMEOUT = 170.0        # seconds for one run of a script
TOTAL_TIMEOUT_MS = 150000   # the script's own bound (tap.js)


def deps_problem():
    """None if node_modules matches package-lock.json, else what is wrong."""
    try:
        with open(os.path.join(NODE_DIR, "package-lock.json")) as f:
            lock = json.load(f)
        with open(os.path.join(NODE_DIR, "package.json")) as f:
            pkg = json.load(f)
    except (OSError, ValueError) as e:
        return "cannot read package.json / package-lock.json: %s" % e
    packages = lock.get("packages", {})
    if packages.get("", {}).get("dependencies") != pkg.get("dependencies"):
        return "package-lock.json does not match package.json's dependencies"
    for path, meta in sorted(packages.items()):
        if not path:
            continue
        try:
            with open(os.path.join(NODE_DIR, path, "package.json")) as f:
                have = json.load(f).get("version")
        except (OSError, ValueError):
            if meta.get("optional"):
                continue
            return "%s is not installed" % path
        if have != meta.get("version"):
            return "%s is %s, the lock says %s" % (path, have,
                                                   meta.get("version"))
    return None


def run_script(tap, label, srv, node, script):
    """Runs one script against the started server srv; relays its TAP."""
    env = dict(os.environ, FKV_HOST=fkv.HOST, FKV_PORT=str(srv.port),
               FKV_CONTROL="1", FKV_TOTAL_TIMEOUT_MS=str(TOTAL_TIMEOUT_MS))
    proc = subprocess.Popen([node, script], cwd=NODE_DIR, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    lines = queue.Queue()

    def reader():
        for raw in proc.stdout:
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    plan, seen, failed, problems = None, 0, 0, []
    deadline = time.monotonic() + NODE_TIMEOUT
    try:
        while True:
            left = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                problems.append("node did not finish in %d s" % NODE_TIMEOUT)
                break
            if line is None:
                break
            if line.startswith("1.."):
                plan = int(line[3:])
            elif line.startswith("ok ") or line.startswith("not ok "):
                seen += 1
                good = line.startswith("ok ")
                name = line.split(" - ", 1)[1] if " - " in line else line
                if good and " # SKIP " in name:
                    name, why = name.split(" # SKIP ", 1)
                    tap.skip("[%s] %s" % (label, name), why)
                else:
                    failed += not good
                    tap.ok(good, "[%s] %s" % (label, name.replace("\\#", "#")))
            elif line.startswith("# control: "):
                answer = control(srv, line[len("# control: "):])
                proc.stdin.write(answer.encode() + b"\n")
                proc.stdin.flush()
            elif line.startswith("# "):
                tap.diag(line[2:])
            elif line.startswith("Bail out!"):
                problems.append(line)
            elif line:
                tap.diag(line)
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(10)
        for p in (proc.stdin, proc.stdout):
            try:
                p.close()
            except OSError:
                pass
    rc = proc.returncode
    if plan is None or seen != plan:
        problems.append("planned %s tests, %d ran" % (plan, seen))
    if (rc == 0) != (failed == 0):
        problems.append("node exited %s with %d failed" % (rc, failed))
    return problems


def control(srv, what):
    try:
        if what == "stop":
            rc = srv.stop()
            return "stop ok" if rc == 0 else "stop: server exit code %s" % rc
        if what == "start":
            srv.start_again()
            return "start ok"
        return "unknown control %r" % what
    except Exception as e:  # tell the script; it fails its test
        return "%s: %r" % (what, e)


def main():
    if sys.argv[1:] == ["--check-deps"]:
        p = deps_problem()
        if p:
            print(p)
        return 1 if p else 0
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    script = os.path.join(NODE_DIR, sys.argv[1])
    # meson's timeout sends SIGTERM: unwind so the finally blocks stop the
    # servers and node.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    tap = fkv.Tap()
    node = shutil.which("node")
    if not tap.ok(node is not None, "node is installed",
                  "no node in PATH: scripts/install-deps.sh installs "
                  "Debian's nodejs and npm"):
        return tap.done()
    problem = deps_problem()
    if not tap.ok(problem is None, "npm packages installed as locked",
                  "%s: run scripts/install-deps.sh (npm ci in %s)" % (
                      problem, NODE_DIR)):
        return tap.done()
    servers = [("flashkv", fkv.Server)]
    if fkv.have_redis_server():
        servers.append(("redis-server", fkv.RedisServer))
    else:
        tap.skip("[redis-server] %s" % sys.argv[1],
                 "redis-server not installed")
    for label, cls in servers:
        srv = cls()
        try:
            srv.start()
            problems = run_script(tap, label, srv, node, script)
            if not srv.alive():
                problems.append("the server is not running at the end; "
                                "log tail:\n" + srv.log_text()[-1500:])
            else:
                rc = srv.stop()
                if rc != 0:
                    problems.append("the server exited %s on SIGTERM; log "
                                    "tail:\n%s" % (rc, srv.log_text()[-1500:]))
            tap.ok(not problems, "[%s] %s ran every test, server fine at "
                   "the end" % (label, sys.argv[1]), "\n".join(problems))
        except Exception as e:
            tap.ok(False, "[%s] %s" % (label, sys.argv[1]),
                   "exception: %r\n%s" % (e, srv.log_text()[-1500:]))
        finally:
            srv.cleanup()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
