#!/bin/sh
# Installs FlashKV's build and test dependencies from Debian 12's packages
# (only those missing).  Uses sudo when not run as root.
set -eu
PKGS="gcc meson ninja-build pkg-config python3 liburcu-dev libck-dev
libcriterion-dev redis-server redis-tools gnuplot-nox iproute2"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y $missing
