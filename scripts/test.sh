#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what is needed (Debian 12, as root), builds with -Werror and
# runs the whole test suite. With --sanitizers the same suite runs in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

build=_build
flags="--enable-werror"
if [ "${1:-}" = "--sanitizers" ]; then
	build=_build-sanitizers
	flags="--enable-werror --enable-sanitizers"
fi

sh scripts/setup-debian.sh
[ -x configure ] || autoreconf -fi
mkdir -p "$build"
cd "$build"
# shellcheck disable=SC2086
[ -f Makefile ] || "$top/configure" $flags
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"
if ! make -j"$jobs" check; then
	for f in tests/*.log fuzz/*.log; do
		[ -f "$f" ] || continue
		grep -q -E "^:test-result: (FAIL|ERROR)" "${f%.log}.trs" 2>/dev/null &&
		    { echo "==== $f"; tail -n 60 "$f"; }
	done
	exit 1
fi
