#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The whole login through `saml2oidc serve` on 127.0.0.1, as a client and
# an IdP would walk it: /authorize with a PKCE pair, the AuthnRequest's ID
# read from the HTTP-Redirect URL, a Response for that ID signed now with
# xmlsec1 and the fixture IdP key (times around the real clock, since the
# server uses it), POST /saml/acs, the code from the redirect, POST
# /token, and the ID token verified with PyJWT against
# /.well-known/jwks.json (signature, aud, iss, nonce, sub), /userinfo with
# the access token (and not with the ID token). Then the
# refusals: an unregistered redirect_uri (a page), no PKCE (back to the
# client), the same Response posted twice, a wrong code_verifier, a code
# redeemed twice (and the access token it bought refused afterwards), a
# wrong client secret, an unknown connection. Client addresses: 127.0.0.2
# is the configured trusted proxy and demo-app denies 198.51.100.0/24;
# X-Forwarded-For is ignored from 127.0.0.1, believed from 127.0.0.2 up
# to its right-most untrusted entry. Skips (77) without curl, xmlsec1 or PyJWT
# (scripts/setup-debian.sh installs them).

name=flow
. "${S2O_SRCDIR:-.}/tests/expect.sh"

require_tools curl xmlsec1
if ! find_pyjwt; then
	echo "flow: SKIP: no python3 with jwt and cryptography"
	exit 77
fi
serve_tmp
cfg=$tmp/bridge.json
log=$tmp/serve.log

# 127.0.0.2 is the trusted proxy (the client binds it as its source);
# demo-app refuses 198.51.100.0/24
configure() {
	sed -e "s|\"\\.\\./|\"$fixtures/saml/../|g" \
	    -e "s|\"listen\": \"127.0.0.1:8080\"|\"listen\": \"$1\"|" \
	    "$fixtures/saml/bridge.json" >"$cfg.in"
	"$py" -c '
import json, sys
c = json.load(open(sys.argv[1]))
c["trusted_proxies"] = ["127.0.0.2"]
c["clients"][0]["policies"] = {"deny_ip_ranges": ["198.51.100.0/24"]}
json.dump(c, open(sys.argv[2], "w"), indent=1)
' "$cfg.in" "$cfg"
}
serve_start configure "$cfg" "$log"

expect_exit 0 "$py" "$srcdir/tests/flow.py" "http://$addr" "$fixtures" "$tmp"
expect_line "login: ok"
expect_line "id_token: verified sub=corp|alice@example.test nonce=ok"
expect_line "userinfo: 200 corp|alice@example.test"
expect_line 'userinfo with the id_token: 401 Bearer realm="saml2oidc", error="invalid_token"'
expect_line "code reuse: invalid_grant"
expect_line "response replay: 403 in_response_to_mismatch"
expect_line "response for another login: 403 in_response_to_mismatch"
expect_line "unregistered redirect_uri: 400 page"
expect_line "no pkce: 302 invalid_request"
expect_line "form_post: 200 True, token 200"
expect_line "bad verifier: invalid_grant"
expect_line "access token after code reuse: 401 revoked"
expect_line "wrong client secret: 401 invalid_client"
expect_line "unknown connection: 302 invalid_request connection: no connection nope"
expect_line "X-Forwarded-For from an untrusted peer: ignored, 302"
expect_line "X-Forwarded-For from a trusted proxy: 403 policy_denied deny_ip_ranges"
expect_line "X-Forwarded-For, client-written left part: ignored, 302"
expect_line "unsolicited, not allowed: 403 in_response_to_mismatch False"
expect_line "unsolicited, allowed: 302 http://127.0.0.1:3000/login"
expect_line "initiate_login_uri: iss=https://bridge.example.test login_hint=alice@example.test target_link_uri=http://127.0.0.1:3000/"
expect_line "cookie: __Host-s2o_session;HANDLE;Path=/;Secure;HttpOnly;SameSite=Lax;Max-Age=28800"
expect_line "unsolicited replay: 403 replayed"
expect_line "authorize with the session: 302 state=st-tile code=yes"
expect_line "session id_token: sub=corp-unsolicited|alice@example.test nonce=ok"
expect_line "prompt=login with the session: 302 https://idp-unsolicited.example.test/sso"
expect_line "prompt=none without the session: 302 login_required"
expect_line "/saml/acs/corp-unsolicited: 302 True"
expect_line "/saml/acs/corp with another IdP's Response: 403 issuer_mismatch"
expect_line 'metric: saml2oidc_saml_rejections_total{reason="in_response_to_mismatch",connection="corp"} 3'
expect_line 'metric: saml2oidc_saml_rejections_total{reason="policy_denied",connection="corp"} 1'
expect_line 'metric: saml2oidc_saml_rejections_total{reason="replayed",connection="corp-unsolicited"} 1'
expect_line 'metric: saml2oidc_saml_rejections_total{reason="issuer_mismatch",connection="corp-unsolicited"} 1'
expect_line 'metric: saml2oidc_tokens_issued_total{client="demo-app"} 3'
kill -TERM "$pid"
wait "$pid"
pid=
expect_exit 0 grep -F "client_ip=198.51.100.7 rejected reason=policy_denied detail=\"deny_ip_ranges: " "$log"
expect_exit 0 grep -F "client_ip=203.0.113.5 method=POST path=\"/saml/acs\" status=302" "$log"
expect_exit 1 grep -F "client_ip=198.51.100.6" "$log"
expect_done
