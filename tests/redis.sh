#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The Redis store with a real redis-server (Debian's) on a free loopback
# port, in a temporary folder, without persistence and with a password
# (given to the bridge through store_password_env), stopped on exit:
#   - check_store's live cases (tests/check_store.c) against it;
#   - two `saml2oidc serve` instances A and B on two ports sharing it
#     (tests/redis.py): a code issued by A is redeemed at B exactly once;
#     a login started on A completes on B; an assertion accepted by A is
#     refused by B as replayed; 50 codes each redeemed from both at the
#     same moment succeed exactly once each;
#   - Redis stopped mid-test: /readyz 503, requests fail closed with
#     store_unavailable (a log line, saml2oidc_store_up 0 and
#     saml2oidc_store_unavailable_total in /metrics), neither instance
#     crashes; Redis
#     started again: both recover by themselves and logins work again;
#   - two `saml2oidc consume` runs against the same Redis: the second
#     copy of an assertion is refused as replayed;
#   - rate_limits counted in Redis: the limit holds across instances.
# Skips (77) without redis-server, curl, xmlsec1 or python3
# (scripts/setup-debian.sh installs them).

name=redis
. "${S2O_SRCDIR:-.}/tests/expect.sh"

require_tools redis-server curl xmlsec1 python3
tmp=$(mktemp -d) || exit 1
rpid=
apid=
bpid=
cleanup() {
	for p in $apid $bpid $rpid; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
S2O_TEST_REDIS_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
export S2O_TEST_REDIS_PASSWORD


# redis-server on $rport (chosen on the first start, kept for restarts);
# the password goes in a file, never on a command line
redis_alive() { kill -0 "$rpid" 2>/dev/null; }
redis_ping() {
	python3 - "$rport" <<'PY'
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
pw = os.environ["S2O_TEST_REDIS_PASSWORD"].encode()
s.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" %
          (len(pw), pw))
buf = b""
while buf.count(b"\r\n") < 2:
    d = s.recv(64)
    if not d:
        break
    buf += d
sys.exit(0 if buf == b"+OK\r\n+PONG\r\n" else 1)
PY
}
redis_up_or_dead() { redis_ping || ! redis_alive; }
redis_start() {
	printf 'port %s\nbind 127.0.0.1\nsave ""\nappendonly no\ndir %s\nrequirepass %s\n' \
	    "$rport" "$tmp" "$S2O_TEST_REDIS_PASSWORD" >"$tmp/redis.conf"
	redis-server "$tmp/redis.conf" >"$tmp/redis.log" 2>&1 &
	rpid=$!
	wait_for 60 redis_up_or_dead
	redis_ping
}
tries=0
while :; do
	tries=$((tries + 1))
	rport=$(random_port)
	redis_start && break
	kill -KILL "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	if [ "$tries" -ge 10 ]; then
		echo "redis: FAIL: redis-server did not start:" >&2
		sed 's/^/    | /' "$tmp/redis.log" >&2
		exit 1
	fi
done

# the Redis back end's own cases, live
expect_exit 0 env S2O_REDIS_PORT="$rport" \
    S2O_REDIS_PASSWORD="$S2O_TEST_REDIS_PASSWORD" "$builddir/tests/check_store"
expect_out "100%: Checks: "

# serve_start VAR: an instance on a free port sharing the Redis store;
# sets $VAR to its pid and ${VAR}_addr to host:port
serve_start() {
	n=0
	while :; do
		n=$((n + 1))
		port=$(random_port)
		sed -e "s|\"\\.\\./|\"$fixtures/saml/../|g" \
		    "$fixtures/saml/bridge.json" | python3 -c '
import json, sys
c = json.load(sys.stdin)
c["listen"] = sys.argv[1]
c["store"] = "redis://127.0.0.1:%s/0" % sys.argv[2]
c["store_password_env"] = "S2O_TEST_REDIS_PASSWORD"
c["store_timeout_ms"] = 500
if sys.argv[4]:
    c["rate_limits"] = {"token": {"requests": int(sys.argv[4]),
                                  "per_seconds": 3600}}
json.dump(c, open(sys.argv[3], "w"), indent=1)
' "127.0.0.1:$port" "$rport" "$tmp/$1.json" "${RATE:-}"
		: >"$tmp/$1.log"	# there before the loop below reads it
		"$bin" serve --config "$tmp/$1.json" 2>>"$tmp/$1.log" &
		p=$!
		eval "$1=$p ${1}_addr=127.0.0.1:$port"
		i=0
		while kill -0 "$p" 2>/dev/null &&
		    ! grep -qF "listening on 127.0.0.1:$port" "$tmp/$1.log" &&
		    [ "$i" -lt 3000 ]; do
			i=$((i + 1))
			sleep 0.02
		done
		kill -0 "$p" 2>/dev/null && return 0
		wait "$p"
		if ! grep -qF "Address already in use" "$tmp/$1.log" ||
		    [ "$n" -ge 10 ]; then
			echo "redis: FAIL: serve did not start:" >&2
			sed 's/^/    | /' "$tmp/$1.log" >&2
			exit 1
		fi
	done
}
serve_start apid
serve_start bpid
run() { "$S2O_PYTHON" "$srcdir/tests/redis.py" "$1" "$apid_addr" \
    "$bpid_addr" "$fixtures" "$tmp"; }
S2O_PYTHON=python3

expect_exit 0 run shared
expect_line "code from A redeemed at B: 200 True"
expect_line "the same code again at A: 400 invalid_grant"
expect_line "the same code again at B: 400 invalid_grant"
expect_line "login started on A, completed on B, redeemed at A: 200"
expect_line "assertion at A: 302 code"
expect_line "the same assertion at B: 403 replayed"
expect_line "concurrent redemption: 50 codes, 50 redeemed exactly once, 150 refusals, 0 other answers"

# Redis goes away: fail closed, visibly, without a crash
kill -TERM "$rpid"
wait "$rpid"
rpid=
expect_exit 0 run down
expect_line "readyz A: 503 not ready: store unavailable"
expect_line "readyz B: 503 not ready: store unavailable"
expect_line "authorize at A: 503 temporarily_unavailable store_unavailable"
expect_line "token at B: 503 temporarily_unavailable store_unavailable"
expect_exit 0 kill -0 "$apid" "$bpid"
expect_exit 0 curl -sf "http://$apid_addr/metrics"
expect_line "saml2oidc_store_up 0"
expect_line "saml2oidc_store_unavailable_total 1"
expect_exit 0 grep -F "unavailable: connection closed by the server; requests that need state fail" "$tmp/apid.log"
expect_exit 0 grep -F "reason=store_unavailable" "$tmp/apid.log"
expect_no_out "$S2O_TEST_REDIS_PASSWORD"
expect_exit 1 grep -rF "$S2O_TEST_REDIS_PASSWORD" "$tmp/apid.log" "$tmp/bpid.log"

# ... and comes back on the same port: no restart of the bridges
redis_start
expect_exit 0 run up
expect_line "readyz A: 200 ready"
expect_line "readyz B: 200 ready"
expect_line "after the restart, login across instances: 200"
expect_exit 0 curl -sf "http://$apid_addr/metrics"
expect_line "saml2oidc_store_up 1"
expect_exit 0 grep -F "redis 127.0.0.1:$rport/0: connected again" "$tmp/apid.log"

# two consume runs against the same Redis: the second copy is replayed
one=$fixtures/saml/signed-assertion
set -- consume --config "$tmp/apid.json" --now 2026-11-28T12:01:00Z \
    --in-response-to "$(sed -n 's/^in_response_to=//p' "$one/meta")" \
    --format assertion "$one/response.xml"
expect_exit 0 "$bin" "$@"
expect_out '"name_id"'
expect_exit 1 "$bin" "$@"
expect_line "saml2oidc: rejected: replayed: this assertion ID was already used"

# rate-limit counters are shared too: with 3 /token requests an hour per
# address, two at A and one at B use them up, and the fourth, at B, is 429
kill -TERM "$apid" "$bpid"
wait "$apid" "$bpid"
RATE=3 serve_start apid
RATE=3 serve_start bpid
token() {
	curl -s -o /dev/null -w '%{http_code}\n' -d grant_type=authorization_code \
	    -d code=nope "http://$1/token"
}
for h in "$apid_addr" "$bpid_addr" "$apid_addr" "$bpid_addr"; do
	token "$h"
done >"$tmp/codes"
expect_exit 0 cat "$tmp/codes"
expect_out "401
401
401
429"

kill -TERM "$apid" "$bpid" "$rpid"
wait "$apid" "$bpid" "$rpid"
apid=
bpid=
rpid=
expect_done
