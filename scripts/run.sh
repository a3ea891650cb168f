#!/bin/sh
# Installs the dependencies, builds FlashKV and starts the server in the
# foreground (default: 127.0.0.1:6379).  Extra arguments go to the server,
# e.g. scripts/run.sh --port 7000.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
exec build/net/flashkv-server "$@"
