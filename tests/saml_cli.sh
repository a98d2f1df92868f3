#!/bin/sh
# SPDX-License-Identifier: MIT
# Every fixture under fixtures/saml/ through the `saml2oidc consume` CLI:
# an accepted one exits 0 and prints its assertion.json; a rejected one
# exits 1, prints nothing on stdout and exactly one stderr line
# "saml2oidc: rejected: <reason>: <detail>" with the expected reason.
set -u
fx=${S2O_FIXTURES:-fixtures}
bin=${S2O_BUILDDIR:-.}/src/saml2oidc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

for dir in "$fx"/saml/*/; do
	dir=${dir%/}
	name=${dir##*/}
	[ -f "$dir/expect" ] || continue
	now=$(sed -n 's/^now=//p' "$dir/meta")
	set -- consume --config "$fx/saml/bridge.json" --format assertion --now "$now"
	irt=$(sed -n 's/^in_response_to=//p' "$dir/meta")
	conn=$(sed -n 's/^connection=//p' "$dir/meta")
	[ -n "$irt" ] && set -- "$@" --in-response-to "$irt"
	[ -n "$conn" ] && set -- "$@" --connection "$conn"
	input=$dir/response.xml
	[ -f "$input" ] || input=$dir/response.b64
	"$bin" "$@" "$input" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	read -r verdict reason detail <"$dir/expect"
	if [ "$verdict" = accept ]; then
		if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then
			pass=$((pass + 1))
		else
			echo "FAIL $name: expected accept, exit $rc: $(head -n 1 "$tmp/err")"
			fail=$((fail + 1))
		fi
		continue
	fi
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && [ "$lines" -eq 1 ] &&
	    grep -q "^saml2oidc: rejected: $reason: ." "$tmp/err" &&
	    grep -qF -- "$detail" "$tmp/err"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: expected exit 1 and 'rejected: $reason: ...$detail', exit $rc: $(cat "$tmp/err")"
		fail=$((fail + 1))
	fi
done

# a replay across runs: the same Response twice against one --replay-cache
cache=$tmp/replay
one=$fx/saml/signed-assertion
set -- consume --config "$fx/saml/bridge.json" --now 2026-11-28T12:01:00Z \
    --in-response-to "$(sed -n 's/^in_response_to=//p' "$one/meta")" \
    --replay-cache "$cache" "$one/response.xml"
if "$bin" "$@" >/dev/null 2>&1 && ! "$bin" "$@" >/dev/null 2>"$tmp/err" &&
    grep -q '^saml2oidc: rejected: replayed: ' "$tmp/err"; then
	pass=$((pass + 1))
else
	echo "FAIL replay across runs: $(cat "$tmp/err")"
	fail=$((fail + 1))
fi

# base64 input on standard input
if base64 "$one/response.xml" | "$bin" consume --config "$fx/saml/bridge.json" \
    --format assertion --now 2026-11-28T12:01:00Z - >"$tmp/out" 2>"$tmp/err" &&
    grep -q '"name_id"' "$tmp/out"; then
	pass=$((pass + 1))
else
	echo "FAIL base64 on stdin: $(cat "$tmp/err")"
	fail=$((fail + 1))
fi

echo "saml_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
