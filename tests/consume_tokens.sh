#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The whole pipeline as a user runs it: every accepted fixture through
# `saml2oidc consume` (verify, map, mint) at its fixed instant. The ID
# token's claims must equal the claims.json beside the fixture exactly,
# and PyJWT (Debian's python3-jwt, independent of our code) must verify
# the token with nothing but `saml2oidc jwks` output. --format claims must
# print the same claims. Skips (77) only without python3-jwt, which
# scripts/setup-debian.sh installs.
name=consume_tokens
. "${S2O_SRCDIR:-.}/tests/expect.sh"
fx=$fixtures
here=$srcdir/tests

find_pyjwt
if [ -z "$py" ]; then
	echo "consume_tokens: SKIP: no python3 with jwt and cryptography"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

cfg=$fx/saml/bridge.json
"$bin" jwks --config "$cfg" >"$tmp/jwks.json" 2>"$tmp/err" ||
    { echo "consume_tokens: jwks failed: $(cat "$tmp/err")"; exit 1; }
set --
n=0
fail=0
for dir in "$fx"/saml/*/; do
	dir=${dir%/}
	name=${dir##*/}
	[ -f "$dir/claims.json" ] || continue
	now=$(sed -n 's/^now=//p' "$dir/meta")
	irt=$(sed -n 's/^in_response_to=//p' "$dir/meta")
	conn=$(sed -n 's/^connection=//p' "$dir/meta")
	input=$dir/response.xml
	[ -f "$input" ] || input=$dir/response.b64
	nonce=nonce-$name
	if ! "$bin" consume --config "$cfg" --now "$now" --nonce "$nonce" \
	    ${irt:+--in-response-to "$irt"} ${conn:+--connection "$conn"} \
	    "$input" >"$tmp/$name.jwt" 2>"$tmp/err"; then
		echo "FAIL $name: $(cat "$tmp/err")"
		fail=$((fail + 1))
		continue
	fi
	"$bin" consume --config "$cfg" --now "$now" --nonce "$nonce" \
	    --format claims ${irt:+--in-response-to "$irt"} \
	    ${conn:+--connection "$conn"} "$input" >"$tmp/$name.claims" \
	    2>"$tmp/err"
	if ! "$py" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
	    "$tmp/$name.claims" "$dir/claims.json"; then
		echo "FAIL $name: --format claims differs from claims.json:"
		cat "$tmp/$name.claims"
		fail=$((fail + 1))
	fi
	set -- "$@" "$name" "$tmp/$name.jwt" "$dir/claims.json"
	n=$((n + 1))
done
# 200 long group DNs do not fit in an ID token: refused, never truncated
big=$fx/saml/groups-200
"$bin" consume --config "$cfg" --now 2026-11-28T12:01:00Z \
    --in-response-to "$(sed -n 's/^in_response_to=//p' "$big/meta")" \
    "$big/response.xml" >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 1 ] || [ -s "$tmp/out" ] ||
    ! grep -q '^saml2oidc: rejected: too_large: the ID token.s mapped claims are' "$tmp/err"; then
	echo "FAIL groups-200: expected too_large, got: $(cat "$tmp/err")"
	fail=$((fail + 1))
fi

[ "$n" -gt 0 ] || { echo "consume_tokens: no fixture has claims.json"; exit 1; }
"$py" "$here/consume_verify.py" "$tmp/jwks.json" \
    "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["issuer"])' "$cfg")" \
    "$@" || fail=$((fail + 1))
echo "consume_tokens: $n fixtures, $fail failed"
[ "$fail" -eq 0 ]
