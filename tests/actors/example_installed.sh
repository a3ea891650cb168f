#!/bin/sh
# example_installed.sh BUILD_DIR EXAMPLE_SOURCE
#
# The actor runtime as a product: install the project into a temporary
# destdir, build examples/pingpong.c against the installed library through
# its pkg-config file alone (no source tree include paths), run it, and
# check that the shared library exports only the public act_* API.
set -eu

build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp" --no-rebuild --quiet >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log" >&2
	echo "example_installed: meson install failed" >&2
	exit 1
}

pc=$(find "$tmp" -name flashkv-actors.pc | head -n 1)
if [ -z "$pc" ]; then
	echo "example_installed: no flashkv-actors.pc installed" >&2
	exit 1
fi
pcdir=$(dirname "$pc")
for h in act.h mbox.h chan.h; do
	if [ -z "$(find "$tmp" -path "*/include/flashkv/$h")" ]; then
		echo "example_installed: header flashkv/$h not installed" >&2
		exit 1
	fi
done

# The installed .pc names paths under the real prefix: the sysroot maps
# them into the destdir.  liburcu and ck come from the system.
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_SYSROOT_DIR="$tmp"
flags=$(pkg-config --cflags --libs flashkv-actors)
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 "$src" $flags -o "$tmp/pingpong"

libdir=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=libdir flashkv-actors)
libdir="$tmp$libdir"
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/pingpong" 20000)
echo "$out"
echo "$out" | grep -q '^pingpong: 20000 round trips' || {
	echo "example_installed: unexpected output" >&2
	exit 1
}
echo "$out" | grep -q '^pingpong: ok$' || {
	echo "example_installed: did not finish" >&2
	exit 1
}

# It ran against the installed copy, not the build tree's.
LD_LIBRARY_PATH="$libdir" ldd "$tmp/pingpong" | grep -q "$libdir/libflashkv-actors" || {
	echo "example_installed: not linked against the installed library" >&2
	exit 1
}

# Small public API: nothing but act_* (no act__ internals) is exported.
lib=$(find "$libdir" -name 'libflashkv-actors.so.*' -type f | head -n 1)
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^act_[a-z]' || true)
internal=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep '^act__' || true)
if [ -n "$bad$internal" ]; then
	echo "example_installed: unexpected exported symbols: $bad $internal" >&2
	exit 1
fi
exit 0
