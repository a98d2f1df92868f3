# SPDX-License-Identifier: MIT
#
# Sourced by the script tests (set $name first). Shared paths and the
# little language the command-line tests are written in:
#
# expect_exit CODE CMD...  runs CMD with stdin from /dev/null, keeps its
#                          stdout+stderr in $out, and fails the test unless
#                          it exits CODE.
# expect_out TEXT          the last output contains TEXT (a fixed string).
# expect_no_out TEXT       the last output does not contain TEXT.
# expect_line LINE         the last output has LINE as one whole line.
# expect_done              prints the summary line; exits 0 or 1.
# find_pyjwt               sets $py to a python3 with the jwt and
#                          cryptography modules, or returns 1.
#
# require_tools TOOL...    skips the test (exit 77) unless every TOOL is
#                          on the PATH.
#
# For the tests that run the server on 127.0.0.1:
# serve_tmp                makes $tmp and, at exit, kills the server of
#                          serve_start ($pid) and removes $tmp.
# wait_for SECONDS CMD...  polls CMD every 20 ms until it succeeds; 1 when
#                          it never did.
# random_port              a port from 20000 to 49999.
# serve_start CONF CFG LOG [OPTION...]
#                          picks $port, $addr is 127.0.0.1:$port, runs CONF
#                          (which writes the configuration CFG for $addr),
#                          starts serve with the global OPTIONs ($pid,
#                          stderr to LOG) and waits for /readyz; a port in
#                          use is retried, any other failure ends the test.
#
# Paths: $S2O_BUILDDIR/src/saml2oidc (default ./src/saml2oidc), fixtures
# from $S2O_FIXTURES (default $S2O_SRCDIR/fixtures).

srcdir=${S2O_SRCDIR:-.}
builddir=${S2O_BUILDDIR:-.}
fixtures=${S2O_FIXTURES:-$srcdir/fixtures}
bin=$builddir/src/saml2oidc

ncases=0
nfail=0
out=
last=

fail() {
	nfail=$((nfail + 1))
	echo "$name: FAIL: $last: $*" >&2
	printf '%s\n' "$out" | sed 's/^/    | /' >&2
}

expect_exit() {
	want=$1
	shift
	ncases=$((ncases + 1))
	last="$*"
	out=$("$@" </dev/null 2>&1)
	got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, expected $want"
}

expect_out() {
	case $out in
	*"$1"*) ;;
	*) fail "output lacks \"$1\"" ;;
	esac
}

expect_no_out() {
	case $out in
	*"$1"*) fail "output has \"$1\"" ;;
	esac
}

expect_line() {
	printf '%s\n' "$out" | grep -Fqx -e "$1" || fail "no line \"$1\""
}

expect_done() {
	if [ "$nfail" -eq 0 ]; then
		echo "$name: $ncases commands, all as expected"
		exit 0
	fi
	echo "$name: FAILED ($nfail of the checks on $ncases commands)"
	exit 1
}

# PyJWT may live in Debian's python3 while another python3 comes first in
# PATH, so try both.
find_pyjwt() {
	for py in python3 /usr/bin/python3; do
		"$py" -c 'import jwt, cryptography' >/dev/null 2>&1 && return 0
	done
	py=
	return 1
}

if [ ! -x "$bin" ]; then
	echo "$name: $bin not found or not executable (build it first)" >&2
	exit 1
fi

require_tools() {
	for _tool in "$@"; do
		if ! command -v "$_tool" >/dev/null 2>&1; then
			echo "$name: SKIP: $_tool not found"
			exit 77
		fi
	done
}

serve_tmp() {
	tmp=$(mktemp -d) || exit 1
	pid=
	trap serve_cleanup EXIT
}
serve_cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}

wait_for() {
	_limit=$(($1 * 50))
	shift
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -ge "$_limit" ] && return 1
		sleep 0.02
	done
	return 0
}

random_port() { echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000)); }

serve_alive() { kill -0 "$pid" 2>/dev/null; }
serve_ready() { curl -sf --max-time 1 "http://$addr/readyz" | grep -qx ready; }
serve_up_or_dead() { serve_ready || ! serve_alive; }

serve_start() {
	_conf=$1
	_cfg=$2
	_log=$3
	shift 3
	_tries=0
	while :; do
		_tries=$((_tries + 1))
		port=$(random_port)
		addr=127.0.0.1:$port
		"$_conf" "$addr"
		"$bin" "$@" serve --config "$_cfg" 2>"$_log" &
		pid=$!
		# generous: an ASan build on a loaded machine is slow to start
		wait_for 60 serve_up_or_dead
		# "listening" proves the answer came from this server
		serve_alive && grep -qF "listening on $addr" "$_log" && return 0
		if serve_alive; then
			echo "$name: FAIL: no answer on $addr" >&2
			sed 's/^/    | /' "$_log" >&2
			exit 1
		fi
		wait "$pid"
		pid=
		if ! grep -qF "Address already in use" "$_log" ||
		    [ "$_tries" -ge 10 ]; then
			echo "$name: FAIL: the server did not start:" >&2
			sed 's/^/    | /' "$_log" >&2
			exit 1
		fi
	done
}
