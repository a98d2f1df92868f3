#!/bin/sh
# SPDX-License-Identifier: MIT
#
# IdP metadata refresh and certificate rollover through `saml2oidc serve`
# on 127.0.0.1. A local HTTP server (python3 -m http.server) publishes the
# IdP's signed metadata (fixtures/metadata/idp*.xml, signed with
# keys/md-signer, configured as metadata_signing_certificate); connection
# corp takes its keys from metadata_url with refresh_interval 1.
#
#  0. `metadata import URL` prints the connection entry.
#  1. Logins signed with idp-rsa work; idp-rsa-next is refused.
#  2. The IdP publishes its rollover metadata (both keys): once /metrics
#     shows the new certificate, logins signed with idp-rsa-next work, and
#     idp-rsa still does. The backing copy on disk is the new document.
#  3. The metadata URL answers 404, then tampered metadata: the refreshes
#     fail (counted in /metrics, logged with the reason), logins go on.
#  4. A restart while the URL still fails starts from the backing copy.
#  5. With refresh_interval 3600, a Response signed by a key the metadata
#     does not name yet triggers a refresh at once; the next login works.
#  6. SIGTERM ends serve promptly while a fetch hangs.
#
# Polls /metrics rather than sleeping. Skips (77) without curl, xmlsec1 or
# python3.

name=metadata
. "${S2O_SRCDIR:-.}/tests/expect.sh"

require_tools curl xmlsec1 python3 openssl
tmp=$(mktemp -d) || exit 1
pid=
hpid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$hpid" ] && kill "$hpid" 2>/dev/null && wait "$hpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/www"
log=$tmp/serve.log


# the IdP's web server
publish() { cp "$fixtures/metadata/$1" "$tmp/www/idp.xml"; }
publish idp.xml
tries=0
while :; do
	tries=$((tries + 1))
	mdport=$(random_port)
	python3 -m http.server "$mdport" --bind 127.0.0.1 \
	    --directory "$tmp/www" >"$tmp/http.log" 2>&1 &
	hpid=$!
	if wait_for 5 curl -sf "http://127.0.0.1:$mdport/idp.xml"; then
		break
	fi
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	hpid=
	if [ "$tries" -ge 10 ]; then
		echo "metadata: FAIL: no local HTTP server" >&2
		exit 1
	fi
done

# corp: keys from the metadata URL, checked against md-signer
config() {	# REFRESH_INTERVAL
	python3 - "$fixtures" "$tmp" "$addr" "$mdport" "$1" <<'EOF'
import json, sys
fx, tmp, addr, mdport, iv = sys.argv[1:6]
with open(fx + "/saml/bridge.json") as f:
    c = json.load(f)
c["listen"] = addr
c["signing_keys"][0]["private_key_file"] = fx + "/keys/bridge-rs256.pem"
for k in list(c["sp"]):
    if k.endswith("_file"):
        c["sp"][k] = fx + "/saml/" + c["sp"][k]
conns = []
for k in c["connections"]:
    if k["name"] != "corp":
        continue
    del k["idp_certificates"]
    k["metadata_url"] = "http://127.0.0.1:%s/idp.xml" % mdport
    k["metadata_signing_certificate"] = fx + "/keys/md-signer.crt"
    k["metadata_cache_file"] = tmp + "/corp.metadata.xml"
    k["refresh_interval"] = int(iv)
    k["mappings_file"] = fx + "/saml/" + k["mappings_file"]
    conns.append(k)
c["connections"] = conns
with open(tmp + "/bridge.json", "w") as f:
    json.dump(c, f, indent=2)
EOF
}

configure() { config "$interval"; }
start() {	# REFRESH_INTERVAL
	interval=$1
	serve_start configure "$tmp/bridge.json" "$log"
}
stop() {	# SIGTERM: a clean exit (and, under ASan, no leak report)
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=
	ncases=$((ncases + 1))
	last="serve exits on SIGTERM"
	out=$(cat "$log")
	[ "$rc" -eq 0 ] || fail "exit $rc"
}
login() { python3 "$srcdir/tests/metadata_login.py" "http://$addr" \
    "$fixtures" "$tmp" "$1"; }
metrics() { curl -sf "http://$addr/metrics"; }
# the label /metrics gives a certificate: 16 hex digits of its SHA-256
fp() { openssl x509 -in "$fixtures/keys/$1.crt" -outform DER |
    openssl dgst -sha256 -r | cut -c1-16; }
has_cert() { metrics | grep -qF "connection=\"corp\",sha256=\"$1\""; }
lacks_cert() { ! has_cert "$1"; }
failed() { metrics | sed -n 's/^saml2oidc_metadata_refresh_total{connection="corp",result="failed"} //p'; }
failed_above() { [ "$(failed)" -gt "$1" ]; }
refreshed() { metrics | grep -q '^saml2oidc_metadata_refresh_total{connection="corp",result="ok"} [1-9]'; }
NEXT=$(fp idp-rsa-next)
OLD=$(fp idp-rsa)

# ---- 0. onboarding: metadata import from the URL ---------------------------
mkdir "$tmp/imp"
expect_exit 0 "$bin" metadata import --name corp --cert-dir "$tmp/imp" \
    "http://127.0.0.1:$mdport/idp.xml"
expect_out '"idp_entity_id": "https://idp.example.test/"'
expect_out '"sso_url": "https://idp.example.test/sso"'
expect_exit 0 cmp "$tmp/imp/corp-signing-1.pem" "$fixtures/keys/idp-rsa.crt"
expect_exit 2 "$bin" metadata import --cert-dir "$tmp/imp" \
    "http://127.0.0.1:$mdport/missing.xml"
expect_line "saml2oidc: rejected: io: http://127.0.0.1:$mdport/missing.xml: HTTP status 404 (expected 200)"
expect_exit 2 "$bin" metadata import --cert-dir "$tmp/imp" \
    "http://idp.example.test/idp.xml"
expect_line "saml2oidc: rejected: io: http://idp.example.test/idp.xml: metadata is fetched over https only (http only from a loopback host)"

# ---- 1. before the rollover ------------------------------------------------
start 1
expect_exit 0 login idp-rsa
expect_line "login: code"
expect_exit 0 login idp-rsa-next
expect_line "login: refused 403 untrusted_key"
expect_exit 0 metrics
expect_out "saml2oidc_certificate_not_after_seconds{owner=\"connection\",connection=\"corp\",sha256=\"$OLD\"} 2366841600"
expect_out "saml2oidc_certificates_expiring 0"
expect_no_out "sha256=\"$NEXT\""

# ---- 2. the IdP publishes the new certificate beside the old ----------------
publish idp-rollover.xml
ncases=$((ncases + 1))
last="the new certificate in use"
wait_for 10 has_cert "$NEXT" || fail "not in /metrics after 10 s"
expect_exit 0 login idp-rsa-next
expect_line "login: code"
expect_exit 0 login idp-rsa
expect_line "login: code"
expect_exit 0 cmp "$tmp/corp.metadata.xml" "$fixtures/metadata/idp-rollover.xml"
expect_exit 0 grep -F "connection \"corp\": new metadata: 2 signing certificates (was 1)" "$log"

# ---- 3. the metadata URL fails: the last good trust stays --------------------
before=$(failed)
rm "$tmp/www/idp.xml"
ncases=$((ncases + 1))
last="a 404 counted as a failed refresh"
wait_for 10 failed_above "$before" || fail "no failure counted"
expect_exit 0 grep -F "refresh failed: io: http://127.0.0.1:$mdport/idp.xml: HTTP status 404 (expected 200); the last good metadata (2 signing certificates) stays in use" "$log"
expect_exit 0 login idp-rsa-next
expect_line "login: code"
# tampered: the rollover document with its SSO endpoint changed
sed 's|https://idp.example.test/sso|https://evil.example.test/sso|' \
    "$fixtures/metadata/idp-rollover.xml" >"$tmp/www/idp.xml"
before=$(failed)
ncases=$((ncases + 1))
last="tampered metadata counted as a failed refresh"
wait_for 10 failed_above "$before" || fail "no failure counted"
expect_exit 0 grep -F "refresh failed: signature_invalid: the digest of the signed md:EntityDescriptor does not match: it was changed after signing" "$log"
expect_exit 0 login idp-rsa-next
expect_line "login: code"
expect_exit 0 cmp "$tmp/corp.metadata.xml" "$fixtures/metadata/idp-rollover.xml"
# signed by another key: refused the same way
cp "$fixtures/metadata/wrong-key.xml" "$tmp/www/idp.xml"
before=$(failed)
wait_for 10 failed_above "$before"
expect_exit 0 login idp-rsa-next
expect_line "login: code"

# ---- 4. a restart while the IdP is down: the backing copy ------------------
rm "$tmp/www/idp.xml"
stop
start 1
expect_exit 0 login idp-rsa-next
expect_line "login: code"
expect_exit 0 metrics
expect_out "sha256=\"$NEXT\""
stop

# ---- 5. an unknown key asks for a refresh -----------------------------------
rm -f "$tmp/corp.metadata.xml"
publish idp.xml
start 3600
# the refresh every start makes of a URL's metadata, before the IdP moves
wait_for 10 refreshed
expect_exit 0 metrics
expect_no_out "sha256=\"$NEXT\""
publish idp-next.xml
# refused, and the refresh it asked for brings the key in
expect_exit 0 login idp-rsa-next
expect_line "login: refused 403 untrusted_key"
ncases=$((ncases + 1))
last="the refresh asked by the unknown key"
wait_for 10 has_cert "$NEXT" || fail "not in /metrics after 10 s"
expect_exit 0 login idp-rsa-next
expect_line "login: code"
# the old key is gone from the metadata, so from the trust
expect_exit 0 login idp-rsa
expect_line "login: refused 403 untrusted_key"
expect_exit 0 grep -F "connection \"corp\": a Response signed by an unknown key; refreshing the metadata" "$log"
wait_for 5 lacks_cert "$OLD"
stop

# ---- 6. stopping while a fetch hangs ---------------------------------------
# an IdP that accepts the connection and never answers: the refresh at
# start hangs in the fetch, and SIGTERM still ends serve within seconds
hport=$(random_port)
python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
print("up", flush=True)
time.sleep(120)' "$hport" >"$tmp/hang.log" 2>&1 &
hang=$!
wait_for 5 grep -q up "$tmp/hang.log"
mdport=$hport
start 3600
sleep 0.5
t0=$(date +%s)
stop
t1=$(date +%s)
kill "$hang" 2>/dev/null
wait "$hang" 2>/dev/null
ncases=$((ncases + 1))
last="SIGTERM during a hanging fetch"
[ $((t1 - t0)) -le 5 ] || fail "serve took $((t1 - t0)) s to stop"

expect_done
