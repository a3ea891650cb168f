#!/bin/sh
# Installs FlashKV's build and test dependencies from Debian 12's packages
# (only those missing; Debian's nodejs and npm only when there is no node or
# npm at all), then the npm packages of the Node.js client tests
# (tests/e2e/node: `npm ci`, only when node_modules is missing or differs
# from package-lock.json).  Uses sudo when not run as root.
set -eu
cd "$(dirname "$0")/.."
PKGS="gcc meson ninja-build pkg-config python3 liburcu-dev libck-dev
libcriterion-dev liblzf-dev redis-server redis-tools gnuplot-nox iproute2"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update
	# shellcheck disable=SC2086
	$SUDO apt-get install -y $missing
fi

# Not fatal: without these packages the client tests fail (and say why),
# the rest still runs.
if ! python3 tests/e2e/test_node.py --check-deps >/dev/null 2>&1; then
	echo "install-deps: npm ci in tests/e2e/node" >&2
	(cd tests/e2e/node && npm ci --no-audit --no-fund --fetch-timeout=60000) ||
		echo "install-deps: npm ci failed: the Node.js client tests (e2e_ioredis, e2e_node_redis, e2e_node_redis5) will fail" >&2
fi
exit 0
