#!/bin/sh
# SPDX-License-Identifier: MIT
#
# docs/quickstart.md's commands, on demo/bridge.json (a fresh signing key
# and a random port instead of 8080): /authorize with PKCE, the IdP played
# by scripts/demo-idp, /token with client_secret_basic, the ID token's
# claims and /userinfo; then the refusals the page suggests (the code
# again, the IdP's answer again). Skips (77) without curl, openssl or
# xmlsec1.

name=quickstart
. "${S2O_SRCDIR:-.}/tests/expect.sh"

require_tools curl openssl xmlsec1 python3
serve_tmp
mkdir "$tmp/keys"
(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$tmp/keys/signing.pem" 2>/dev/null) || exit 1
log=$tmp/serve.log
configure() {
	sed -e "s|\"\\.\\./|\"$srcdir/|g" -e "s|127.0.0.1:8080|$1|g" \
	    "$srcdir/demo/bridge.json" >"$tmp/bridge.json"
}
serve_start configure "$tmp/bridge.json" "$log"

# the page's commands, with its address
verifier=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary |
    openssl base64 -A | tr '+/' '-_' | tr -d '=')
idp_url=$(curl -s -o /dev/null -w '%{redirect_url}' \
  "http://$addr/authorize?client_id=demo-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb&response_type=code&scope=openid%20email&state=xyz&nonce=n-0S6&code_challenge=$challenge&code_challenge_method=S256")
expect_exit 0 test "${idp_url%%\?*}" = "https://idp.example.test/sso"
expect_exit 0 python3 "$srcdir/scripts/demo-idp" "$idp_url" "http://$addr"
back=$out
expect_exit 0 expr "$back" : 'http://127\.0\.0\.1:3000/cb?code=[A-Za-z0-9_-]\{43\}&state=xyz$'
code=$(printf %s "$back" | sed 's/.*code=\([^&]*\).*/\1/')
curl -s -u demo-app:demo-secret-change-me \
  -d grant_type=authorization_code -d "code=$code" \
  -d redirect_uri=http://127.0.0.1:3000/cb -d "code_verifier=$verifier" \
  "http://$addr/token" >"$tmp/tokens.json"
expect_exit 0 python3 -c 'import json, base64, sys; t = json.load(open(sys.argv[1]))["id_token"].split(".")[1]; c = json.loads(base64.urlsafe_b64decode(t + "==")); print(c["iss"], c["sub"], c["aud"], c["nonce"], c["email"])' "$tmp/tokens.json"
expect_line "http://$addr demo-idp|alice@example.test demo-app n-0S6 alice@example.test"
at=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' "$tmp/tokens.json")
expect_exit 0 curl -s -H "Authorization: Bearer $at" "http://$addr/userinfo"
expect_line '{"sub":"demo-idp|alice@example.test","email":"alice@example.test"}'
# the refusals the page suggests
expect_exit 0 curl -s -u demo-app:demo-secret-change-me \
  -d grant_type=authorization_code -d "code=$code" \
  -d redirect_uri=http://127.0.0.1:3000/cb -d "code_verifier=$verifier" \
  "http://$addr/token"
expect_line '{"error":"invalid_grant","error_description":"code already used: the tokens it issued are revoked"}'
expect_exit 0 curl -s -H "Authorization: Bearer $at" "http://$addr/userinfo"
expect_line '{"error":"invalid_token","error_description":"revoked"}'
expect_exit 1 python3 "$srcdir/scripts/demo-idp" "$idp_url" "http://$addr"
expect_out "demo-idp: /saml/acs answered 403"
expect_out "<code>in_response_to_mismatch</code>"
kill -TERM "$pid"
wait "$pid"
pid=
expect_done
