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
