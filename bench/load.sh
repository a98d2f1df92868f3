#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Load test of `saml2oidc serve` on 127.0.0.1: starts the server on
# bench/bridge.json (a free port, the memory store, no rate limits), runs
# bench/load against it and stops it. The results are added to
# bench/results.json under "load" (and "memory").
#
#   bench/load.sh [http|memory|all]       from the build directory
#
# Parameters, all optional, so the figures can be re-run elsewhere:
#   S2O_LOAD_N=2000          requests per phase and concurrency level
#   S2O_LOAD_LEVELS=1,8,64   concurrent connections
#   S2O_LOAD_IDP=rsa         the IdP signature: rsa (corp) or ec (corp-ec)
#   S2O_LOAD_TOKEN_ALG=ES256 the bridge's token key: ES256 or RS256
#   S2O_MEMORY_N=200000      responses of the in-process memory run
#   S2O_BENCH_OUT=bench/results.json
#   S2O_SERVE_WRAP=          a command the server runs under, e.g.
#                            "valgrind --tool=callgrind" to profile it
# Set by `make bench-load`: S2O_SRCDIR (source tree), S2O_BUILDDIR.

srcdir=${S2O_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${S2O_BUILDDIR:-.}
bin=$builddir/src/saml2oidc
load=$builddir/bench/load
out=${S2O_BENCH_OUT:-$builddir/bench/results.json}
mode=${1:-http}

for f in "$bin" "$load"; do
	if [ ! -x "$f" ]; then
		echo "load.sh: $f not built (make && make bench)" >&2
		exit 1
	fi
done
tmp=$(mktemp -d) || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid"
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

case ${S2O_LOAD_TOKEN_ALG:-ES256} in
ES256) key=bridge-es256.pem ;;
RS256) key=bridge-rs256.pem ;;
*) echo "load.sh: S2O_LOAD_TOKEN_ALG is ES256 or RS256" >&2; exit 1 ;;
esac

# the configuration with absolute paths, a port and the token key
config() {
	sed -e "s|\"\\.\\./|\"$srcdir/|g" \
	    -e "s|\"listen\": \"127.0.0.1:8080\"|\"listen\": \"$1\"|" \
	    -e "s|bridge-es256.pem|$key|" \
	    -e "s|\"alg\": \"ES256\"|\"alg\": \"${S2O_LOAD_TOKEN_ALG:-ES256}\"|" \
	    "$srcdir/bench/bridge.json" >"$tmp/bridge.json"
}

if [ "$mode" = memory ] || [ "$mode" = all ]; then
	config 127.0.0.1:8080
	"$load" memory -c "$tmp/bridge.json" -f "$srcdir/fixtures" \
	    -n "${S2O_MEMORY_N:-200000}" -o "$out" || exit 1
	[ "$mode" = memory ] && exit 0
fi

ready() { curl -sf --max-time 1 "http://$addr/readyz" >/dev/null 2>&1; }
tries=0
while :; do
	tries=$((tries + 1))
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
	addr=127.0.0.1:$port
	config "$addr"
	$S2O_SERVE_WRAP "$bin" serve --config "$tmp/bridge.json" 2>"$tmp/serve.log" &
	pid=$!
	i=0
	while ! ready && kill -0 "$pid" 2>/dev/null && [ $i -lt 1500 ]; do
		sleep 0.02
		i=$((i + 1))
	done
	ready && break
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	pid=
	if ! grep -qF "Address already in use" "$tmp/serve.log" ||
	    [ "$tries" -ge 10 ]; then
		echo "load.sh: the server did not start:" >&2
		cat "$tmp/serve.log" >&2
		exit 1
	fi
done
echo "server pid $pid on $addr ($(nproc) CPUs; uptime: $(uptime))"
"$load" http -u "http://$addr" -p "$pid" -c "$tmp/bridge.json" \
    -f "$srcdir/fixtures" -n "${S2O_LOAD_N:-2000}" \
    -C "${S2O_LOAD_LEVELS:-1,8,64}" -k "${S2O_LOAD_IDP:-rsa}" -o "$out"
rc=$?
grep -c "rejected" "$tmp/serve.log" | sed 's/^/server log: rejections: /'
exit $rc
