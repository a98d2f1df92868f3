#!/bin/sh
# SPDX-License-Identifier: MIT
#
# `saml2oidc keygen` and `saml2oidc jwks` as a user sees them: exit codes
# (0 success, 2 usage or configuration error), the lines printed, the key
# file's mode and format, and that keygen never overwrites a file.
#
# The expect_* functions and paths come from tests/expect.sh.

name=keys_cli
. "${S2O_SRCDIR:-.}/tests/expect.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# ---- listed and helped -------------------------------------------------
expect_exit 0 "$bin" --help
expect_out "  keygen "
expect_out "  jwks "
expect_exit 0 "$bin" keygen --help
expect_out "usage: saml2oidc keygen --alg ALG --out FILE [--bits BITS]"
expect_exit 0 "$bin" jwks --help
expect_out "usage: saml2oidc jwks --config CONFIG"

# ---- keygen --------------------------------------------------------------
usage="saml2oidc: keygen: usage: saml2oidc keygen --alg RS256|RS384|RS512|ES256|ES384 --out FILE [--bits 2048|3072|4096]"
expect_exit 2 "$bin" keygen
expect_line "$usage"
expect_exit 2 "$bin" keygen --alg ES256
expect_line "$usage"
expect_exit 2 "$bin" keygen --alg ES256 --out "$tmp/x.pem" extra
expect_line "$usage"
expect_exit 2 "$bin" keygen --alg HS256 --out "$tmp/x.pem"
expect_line "saml2oidc: keygen: usage: unsupported algorithm \"HS256\" (RS256, RS384, RS512, ES256 or ES384)"
expect_exit 2 "$bin" keygen --alg RS256 --bits 1024 --out "$tmp/x.pem"
expect_line "saml2oidc: keygen: usage: RSA keys of 1024 bits are not offered: 2048, 3072 or 4096"
expect_exit 2 "$bin" keygen --alg RS256 --bits 2k --out "$tmp/x.pem"
expect_line "saml2oidc: keygen: --bits: expected 2048, 3072 or 4096, got \"2k\""
expect_exit 2 "$bin" keygen --alg ES384 --bits 3072 --out "$tmp/x.pem"
expect_line "saml2oidc: keygen: usage: ES384 keys have a fixed size (EC P-384); no bits"
[ -e "$tmp/x.pem" ] && fail "a refused keygen left $tmp/x.pem behind"

expect_exit 0 "$bin" keygen --alg ES256 --out "$tmp/es256.pem"
printf '%s\n' "$out" | grep -Eqx '\{"kid": "[A-Za-z0-9_-]{43}", "alg": "ES256", "private_key_file": "'"$tmp"'/es256.pem"\}' ||
    fail "no signing_keys entry printed"
kid=$(printf '%s\n' "$out" | sed -n 's/^{"kid": "\([^"]*\)".*/\1/p')
[ "$(stat -c %a "$tmp/es256.pem")" = 600 ] ||
    fail "mode $(stat -c %a "$tmp/es256.pem"), expected 600"
[ "$(head -n 1 "$tmp/es256.pem")" = "-----BEGIN PRIVATE KEY-----" ] ||
    fail "not PKCS#8 PEM"
cp "$tmp/es256.pem" "$tmp/before"
expect_exit 2 "$bin" keygen --alg ES256 --out "$tmp/es256.pem"
expect_line "saml2oidc: keygen: io: $tmp/es256.pem: File exists; refusing to overwrite it"
cmp -s "$tmp/before" "$tmp/es256.pem" || fail "the existing key was changed"
expect_exit 0 "$bin" keygen --alg RS384 --bits 3072 --out "$tmp/rs384.pem"
expect_out '"alg": "RS384"'
(umask 0; "$bin" keygen --alg ES384 --out "$tmp/es384.pem" >/dev/null)
[ "$(stat -c %a "$tmp/es384.pem")" = 600 ] ||
    fail "with umask 0: mode $(stat -c %a "$tmp/es384.pem"), expected 600"

# ---- jwks ----------------------------------------------------------------
expect_exit 2 "$bin" jwks
expect_line "saml2oidc: jwks: usage: saml2oidc jwks --config CONFIG"
expect_exit 2 "$bin" jwks --config /nonexistent/bridge.json
expect_out "/nonexistent/bridge.json"

# The committed fixture key, exactly: n and e by Python's cryptography.
cat >"$tmp/fixture.json" <<EOF
{ "issuer": "https://bridge.example.test",
  "signing_keys": [{"kid": "fx-rs256", "private_key_file": "$fixtures/keys/bridge-rs256.pem"}],
  "sp": {"entity_id": "https://bridge.example.test/saml",
         "acs_url": "https://bridge.example.test/saml/acs"},
  "connections": [{"name": "corp", "idp_entity_id": "https://idp.example.test/",
                   "idp_certificates": ["$fixtures/keys/idp-rsa.crt"],
                   "mappings_file": "$srcdir/mappings/auth0-default.json"}]
}
EOF
expect_exit 0 "$bin" jwks --config "$tmp/fixture.json"
expect_line '{"keys":[{"kty":"RSA","kid":"fx-rs256","use":"sig","alg":"RS256","n":"rPm2rNXrXxWPnVue6IG0qMmUqVLP10sb6KHnyTi6TyfJkykjBF4LTAu4LhFVO1naPEI2vEb5IcZvNxRLcnll0fsILr2anZ9Cr2bFB9-7yL1_-DgircpsNNK6RyPrLqanMDStAr2zP4fX_UGYPuER_fM1ndOQwt4mBHoK6ineHlmHWVfhPc9VjsL4vTd0TZMaCoujX6YSGShJ44OwGM2Ic5Io8vbV5edazi3CSuVVBXh6wBqdHw-OkZk9_y-hO24OyQImiy0N11d8ZBVbTPFgJ0fe5Cuh6zAoiX5MU49ZYi_4d4g5z62BJ9El_aNcCLH6rXZKfg1rpWWP10ALqr2jPw","e":"AQAB"}]}'

# Rotation: the generated keys are published, the active one first.
cat >"$tmp/bridge.json" <<EOF
{ "issuer": "https://bridge.example.test",
  "signing_keys": [
    {"kid": "old", "alg": "RS384", "private_key_file": "$tmp/rs384.pem"},
    {"kid": "$kid", "alg": "ES256", "private_key_file": "$tmp/es256.pem", "active": true}
  ],
  "sp": {"entity_id": "https://bridge.example.test/saml",
         "acs_url": "https://bridge.example.test/saml/acs"},
  "connections": [{"name": "corp", "idp_entity_id": "https://idp.example.test/",
                   "idp_certificates": ["$fixtures/keys/idp-rsa.crt"],
                   "mappings_file": "$srcdir/mappings/auth0-default.json"}]
}
EOF
expect_exit 0 "$bin" jwks --config "$tmp/bridge.json"
expect_out "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"$kid\",\"use\":\"sig\",\"alg\":\"ES256\",\"crv\":\"P-256\",\"x\":\""
expect_out "},{\"kty\":\"RSA\",\"kid\":\"old\",\"use\":\"sig\",\"alg\":\"RS384\",\"n\":\""
# A key whose type does not fit its alg is a configuration error.
sed 's/"alg": "RS384"/"alg": "ES384"/' "$tmp/bridge.json" >"$tmp/bad.json"
expect_exit 2 "$bin" jwks --config "$tmp/bad.json"
expect_out "ES384 needs an EC P-384 key"

expect_done
