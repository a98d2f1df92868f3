#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what is needed (Debian 12, as root), builds, creates the demo's
# signing key on first run, checks the bundled demo configuration, runs a
# signed demo Response through the bridge, then serves the OpenID Provider
# on 127.0.0.1:8080 until interrupted.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh scripts/setup-debian.sh
[ -x configure ] || autoreconf -fi
mkdir -p _build
cd _build
[ -f Makefile ] || "$top/configure"
make -j"$(nproc 2>/dev/null || echo 2)"
cd "$top"

# demo keys are made here, never committed
mkdir -p demo/keys
if [ ! -f demo/keys/signing.pem ]; then
	umask 077
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out demo/keys/signing.pem 2>/dev/null
	echo "demo: created demo/keys/signing.pem"
fi

bin=_build/src/saml2oidc
$bin check-config --config demo/bridge.json
echo "demo: the demo IdP's signed Response, verified, mapped and minted into ID token claims:"
$bin consume --config demo/bridge.json --now 2026-11-28T12:01:00Z \
    --format claims fixtures/saml/signed-assertion/response.xml
echo "demo: the same as a signed ID token, verifiable with 'saml2oidc jwks --config demo/bridge.json':"
$bin consume --config demo/bridge.json --now 2026-11-28T12:01:00Z \
    fixtures/saml/signed-assertion/response.xml
echo "demo: serving the OpenID Provider on http://127.0.0.1:8080 (Ctrl-C stops it):"
echo "  curl http://127.0.0.1:8080/.well-known/openid-configuration"
echo "  curl http://127.0.0.1:8080/.well-known/jwks.json"
exec $bin serve --config demo/bridge.json
