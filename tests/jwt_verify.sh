#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Our tokens, checked by a second, independent JWT implementation: PyJWT
# (Debian's python3-jwt, with python3-cryptography) verifies ID tokens and
# access tokens against nothing but the JWK Set `saml2oidc jwks` prints.
#
# Keys: the two committed fixture keys (bridge-rs256.pem, bridge-es256.pem)
# and one new key per algorithm made with `saml2oidc keygen` (RS256,
# RS384 of 3072 bits, RS512, ES256, ES384). One configuration lists all
# seven; it is written once per key with that key "active", and for each
# tests/mint_token (a test tool, not part of the product) mints one ID
# token and one access token that tests/jwt_verify.py checks: header,
# exact claims (UTF-8, numbers, booleans, arrays, objects), at_hash, jti,
# active key first in the JWKS, no private members, and that a token with
# a changed claim or signature is refused.
#
# Skips (exit 77) with a notice only when no python3 with the jwt module
# is found; scripts/setup-debian.sh installs it. Paths: $S2O_BUILDDIR,
# $S2O_SRCDIR, $S2O_FIXTURES as in the other scripts.

name=jwt_verify
. "${S2O_SRCDIR:-.}/tests/expect.sh"
mint=$builddir/tests/mint_token

find_pyjwt
if [ -z "$py" ]; then
	echo "jwt_verify: SKIP: no python3 with the jwt and cryptography modules (apt-get install python3-jwt python3-cryptography, or sh scripts/setup-debian.sh)"
	exit 77
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
umask 077

fail() {
	echo "jwt_verify: FAIL: $*" >&2
	exit 1
}

# alg kid file [bits]
for spec in "RS256 gen-rs256" "RS384 gen-rs384 3072" "RS512 gen-rs512" \
    "ES256 gen-es256" "ES384 gen-es384"; do
	set -- $spec
	bits=${3:+--bits $3}
	# shellcheck disable=SC2086
	"$bin" keygen --alg "$1" --out "$tmp/$2.pem" $bits >/dev/null ||
	    fail "keygen --alg $1 failed"
done

keys="RS256:fx-rs256:$fixtures/keys/bridge-rs256.pem
ES256:fx-es256:$fixtures/keys/bridge-es256.pem
RS256:gen-rs256:$tmp/gen-rs256.pem
RS384:gen-rs384:$tmp/gen-rs384.pem
RS512:gen-rs512:$tmp/gen-rs512.pem
ES256:gen-es256:$tmp/gen-es256.pem
ES384:gen-es384:$tmp/gen-es384.pem"
nkeys=$(printf '%s\n' "$keys" | grep -c .)

# write_config ACTIVE_KID: every key, ACTIVE_KID marked active
write_config() {
	{
		echo '{ "issuer": "https://bridge.example.test", "id_token_ttl": 300,'
		echo '  "signing_keys": ['
		sep=
		printf '%s\n' "$keys" | while IFS=: read -r alg kid file; do
			act=false
			[ "$kid" = "$1" ] && act=true
			printf '%s    {"kid": "%s", "alg": "%s", "private_key_file": "%s", "active": %s}\n' \
			    "$sep" "$kid" "$alg" "$file" "$act"
			sep=,
		done
		cat <<EOF
  ],
  "sp": {"entity_id": "https://bridge.example.test/saml",
         "acs_url": "https://bridge.example.test/saml/acs"},
  "connections": [{"name": "corp", "idp_entity_id": "https://idp.example.test/",
                   "idp_certificates": ["$fixtures/keys/idp-rsa.crt"],
                   "mappings_file": "$srcdir/mappings/auth0-default.json",
                   "default_client": "demo-app"}],
  "clients": [{"client_id": "demo-app", "redirect_uris": ["http://127.0.0.1:3000/cb"]}]
}
EOF
	} >"$tmp/bridge.json"
}

status=0
n=0
while IFS=: read -r alg kid file; do
	write_config "$kid"
	if ! "$bin" jwks --config "$tmp/bridge.json" >"$tmp/jwks.json" \
	    2>"$tmp/err" </dev/null; then
		cat "$tmp/err" >&2
		fail "saml2oidc jwks --config (active $kid) failed"
	fi
	"$py" "$srcdir/tests/jwt_verify.py" "$mint" "$tmp/bridge.json" \
	    "$tmp/jwks.json" "$kid" "$alg" "$nkeys" </dev/null || status=1
	n=$((n + 1))
done <<EOF
$keys
EOF
[ "$n" -eq "$nkeys" ] || fail "ran $n of $nkeys keys"
if [ "$status" -eq 0 ]; then
	echo "jwt_verify: $((2 * n)) tokens from $n keys verified independently"
else
	echo "jwt_verify: FAILED"
fi
exit "$status"
