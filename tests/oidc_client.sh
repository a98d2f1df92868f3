#!/bin/sh
# SPDX-License-Identifier: MIT
#
# A real third-party OpenID Connect client against `saml2oidc serve` on
# 127.0.0.1: the openid-client npm package (pinned below) discovers the
# provider, builds the authorization URL with PKCE, state and nonce, and,
# once tests/sign_response.py has played the IdP and the ACS has answered
# with a code, redeems it (client_secret_basic), validates the ID token
# against the JWKS with its own checks, and calls /userinfo; then a code
# redeemed twice (refused, its access token revoked) and a wrong PKCE
# verifier. The issuer is http://127.0.0.1:PORT (loopback http is allowed
# for this).
#
# The package is installed with npm into a cache outside the source tree
# ($S2O_NPM_CACHE, default $HOME/.cache/saml2oidc-npm) the first time.
# Skips (77) without node and npm (scripts/setup-debian.sh installs them),
# xmlsec1, or when the package cannot be installed (no registry).

name=oidc_client
. "${S2O_SRCDIR:-.}/tests/expect.sh"

OPENID_CLIENT_VERSION=5.7.1	# CommonJS, Node.js 12 and later
require_tools node npm curl xmlsec1 python3
cache=${S2O_NPM_CACHE:-${HOME:-/tmp}/.cache/saml2oidc-npm}
if [ ! -f "$cache/node_modules/openid-client/package.json" ] ||
    ! grep -q "\"version\": \"$OPENID_CLIENT_VERSION\"" \
    "$cache/node_modules/openid-client/package.json"; then
	mkdir -p "$cache" &&
	    npm install --prefix "$cache" --no-audit --no-fund --silent \
	    "openid-client@$OPENID_CLIENT_VERSION" >"$cache/install.log" 2>&1
	if [ ! -f "$cache/node_modules/openid-client/package.json" ]; then
		echo "oidc_client: SKIP: npm could not install" \
		    "openid-client@$OPENID_CLIENT_VERSION (see $cache/install.log)"
		exit 77
	fi
fi
serve_tmp
cfg=$tmp/bridge.json
log=$tmp/serve.log

configure() {
	sed -e "s|\"\\.\\./|\"$fixtures/saml/../|g" \
	    -e "s|\"listen\": \"127.0.0.1:8080\"|\"listen\": \"$1\"|" \
	    -e "s|\"issuer\": \"https://bridge.example.test\"|\"issuer\": \"http://$1\"|" \
	    "$fixtures/saml/bridge.json" >"$cfg"
}
serve_start configure "$cfg" "$log"

expect_exit 0 env NODE_PATH="$cache/node_modules" node \
    "$srcdir/tests/oidc_client.js" "http://$addr" "$fixtures" "$tmp" \
    python3 "$srcdir/tests/sign_response.py"
expect_line "discovery: issuer=http://$addr pkce=S256"
expect_line "id_token: sub=corp|alice@example.test aud=demo-app email=alice@example.test nonce=ok"
expect_line "userinfo: sub=corp|alice@example.test"
expect_line "code reuse: invalid_grant"
expect_line "userinfo after reuse: invalid_token"
expect_line "bad verifier: invalid_grant"
kill -TERM "$pid"
wait "$pid"
pid=
expect_done
