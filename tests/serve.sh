#!/bin/sh
# SPDX-License-Identifier: MIT
#
# `saml2oidc serve` as an operator runs it, on 127.0.0.1 only: every
# endpoint with curl (status, headers, body), 404 and 405, bodies over the
# limit (413, with and without Content-Length), one JSON log line per
# request that never shows a query string, /metrics counting the requests
# just made, SIGHUP with a broken configuration (the old one keeps
# serving) and with a good one (the new one serves), and SIGTERM while a
# request is still uploading (it finishes; exit 0).
#
# The configuration is fixtures/saml/bridge.json with absolute paths and
# its listen address on a random port from 20000-49999; a port someone
# else holds is retried. Readiness is polled, never slept for. Skips (77)
# without curl or python3 (scripts/setup-debian.sh installs both).

name=serve
. "${S2O_SRCDIR:-.}/tests/expect.sh"

require_tools curl python3
serve_tmp
cfg=$tmp/bridge.json
log=$tmp/serve.log

# make_config LISTEN [ISSUER] [FILE]: bridge.json, paths anchored in
# fixtures/saml, listen (and issuer) replaced.
make_config() {
	sed -e "s|\"\\.\\./|\"$fixtures/saml/../|g" \
	    -e "s|\"listen\": \"127.0.0.1:8080\"|\"listen\": \"$1\"|" \
	    -e "s|\"issuer\": \"https://bridge.example.test\"|\"issuer\": \"${2:-https://bridge.example.test}\"|" \
	    "$fixtures/saml/bridge.json" >"${3:-$cfg}"
}

in_log() { grep -qF -e "$1" "$log"; }
# the slow request and this scrape itself
two_in_flight() {
	curl -s --max-time 1 "http://$addr/metrics" |
	    grep -qx 'saml2oidc_http_requests_in_flight 2'
}

# fetch METHOD PATH [CURL-ARGS...]: prints the status line, the headers
# (CR removed), an empty line and the body.
fetch() {
	m=$1
	p=$2
	shift 2
	curl -s -S --max-time 10 -D "$tmp/h" -o "$tmp/b" -X "$m" "$@" \
	    "http://$addr$p" || return 1
	tr -d '\r' <"$tmp/h"
	cat "$tmp/b"
}

# ---- refusals before serving ---------------------------------------------
expect_exit 0 "$bin" serve --help
expect_out "usage: saml2oidc serve --config CONFIG"
expect_exit 2 "$bin" serve
expect_out "usage: saml2oidc serve --config CONFIG"
expect_exit 2 "$bin" serve --config "$tmp/absent.json"
expect_out "absent.json"
expect_exit 2 "$bin" serve --config "$cfg" --log-format xml
expect_out "--log-format: expected text or json, got \"xml\""
make_config 127.0.0.1:8080 http://bridge.example.test
expect_exit 2 "$bin" serve --config "$cfg"
expect_line "saml2oidc: serve: config_invalid: issuer \"http://bridge.example.test\": serving needs an https issuer (TLS may end at a reverse proxy); http is allowed only on a loopback host such as 127.0.0.1 or localhost"

# ---- start -------------------------------------------------------------------
serve_start make_config "$cfg" "$log" --log-format json
nhealthz=0	# /healthz answers with 200 so far

# ---- endpoints -----------------------------------------------------------------
expect_security_headers() {
	expect_line "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'"
	expect_line "X-Frame-Options: DENY"
	expect_line "Referrer-Policy: no-referrer"
	expect_line "X-Content-Type-Options: nosniff"
	printf '%s\n' "$out" | grep -Eqx 'X-Request-Id: [0-9a-f]{16}' ||
	    fail "no X-Request-Id of 16 hex digits"
}

expect_exit 0 fetch GET /.well-known/openid-configuration
expect_line "HTTP/1.1 200 OK"
expect_line "Content-Type: application/json"
expect_line "Cache-Control: public, max-age=300"
expect_line "Access-Control-Allow-Origin: *"
expect_security_headers
expect_out '{"issuer":"https://bridge.example.test","authorization_endpoint":"https://bridge.example.test/authorize","token_endpoint":"https://bridge.example.test/token","userinfo_endpoint":"https://bridge.example.test/userinfo","jwks_uri":"https://bridge.example.test/.well-known/jwks.json",'
expect_out '"id_token_signing_alg_values_supported":["RS256"]'
expect_out '"code_challenge_methods_supported":["S256"]}'

"$bin" jwks --config "$cfg" >"$tmp/jwks.json" 2>/dev/null
expect_exit 0 fetch GET /.well-known/jwks.json
expect_line "HTTP/1.1 200 OK"
expect_line "Content-Type: application/json"
expect_line "Cache-Control: public, max-age=300"
expect_security_headers
expect_line "$(cat "$tmp/jwks.json")"

# the SP metadata: the bytes `saml2oidc metadata` prints
"$bin" metadata --config "$cfg" >"$tmp/md.xml" 2>/dev/null
expect_exit 0 fetch GET /saml/metadata
expect_line "HTTP/1.1 200 OK"
expect_line "Content-Type: application/samlmetadata+xml"
expect_line "Cache-Control: public, max-age=300"
expect_security_headers
expect_exit 0 cmp "$tmp/b" "$tmp/md.xml"
expect_exit 0 grep -q 'entityID="https://bridge.example.test/saml"' "$tmp/b"
expect_exit 0 fetch POST /saml/metadata
expect_line "HTTP/1.1 405 Method Not Allowed"

# /authorize: an unknown client gets a page, never a redirect ...
cb=http://127.0.0.1:3000/cb
chal=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM	# RFC 7636 appendix B
good="client_id=demo-app&redirect_uri=$cb&response_type=code&scope=openid&state=s1&nonce=n1&code_challenge=$chal&code_challenge_method=S256"
expect_exit 0 fetch GET "/authorize?client_id=nobody&redirect_uri=https://evil.example/"
expect_line "HTTP/1.1 400 Bad Request"
expect_line "Content-Type: text/html; charset=utf-8"
expect_security_headers
expect_no_out "Location:"
expect_out "<code>unauthorized_client</code>"
# ... a verified one gets its error back, with its state
expect_exit 0 fetch GET "/authorize?$(printf %s "$good" | sed 's/S256/plain/')&connection=corp"
expect_line "HTTP/1.1 302 Found"
expect_line "Location: $cb?error=invalid_request&error_description=code_challenge_method%3A%20plain%3A%20only%20S256%20is%20accepted&state=s1"
# accepted: HTTP-Redirect to the IdP with an opaque RelayState
expect_exit 0 fetch GET "/authorize?$good&connection=corp&login_hint=a%40example.test"
expect_line "HTTP/1.1 302 Found"
printf '%s\n' "$out" | grep -Eq '^Location: https://idp\.example\.test/sso\?SAMLRequest=[^&]+&RelayState=[A-Za-z0-9_-]{22}&SigAlg=' ||
    fail "no signed HTTP-Redirect AuthnRequest"
# the same request as a form POST, for the HTTP-POST binding: the page
# posts itself, and its CSP allows that one script by hash
expect_exit 0 fetch POST /authorize --data "$good&connection=corp-ec"
expect_line "HTTP/1.1 200 OK"
expect_line "Content-Type: text/html; charset=utf-8"
expect_line "Content-Security-Policy: default-src 'none'; script-src 'sha256-$(printf %s 'document.forms[0].submit();' | openssl dgst -sha256 -binary | base64)'; frame-ancestors 'none'"
expect_out 'action="https://idp-ec.example.test/sso"'
expect_out 'name="SAMLRequest"'

# /saml/acs: a Response for no pending login is refused with a page
# naming the reason and the correlation id; the detail is logged only
expect_exit 0 fetch POST /saml/acs --data-urlencode "SAMLResponse@$fixtures/saml/okta/response.xml" --data "RelayState=nobody"
expect_line "HTTP/1.1 403 Forbidden"
expect_line "Content-Type: text/html; charset=utf-8"
expect_security_headers
expect_out "<code>in_response_to_mismatch</code>"
acs_rid=$(sed -n 's/^X-Request-Id: //p' "$tmp/h" | tr -d '\r')
expect_out "<code>$acs_rid</code>"
expect_no_out "RelayState"
expect_exit 0 fetch GET /saml/acs
expect_line "HTTP/1.1 405 Method Not Allowed"
expect_line "Allow: POST"

# /token: OAuth JSON errors, never cached
expect_exit 0 fetch POST /token -u demo-app:wrong --data "grant_type=authorization_code&code=x&redirect_uri=$cb&code_verifier=x"
expect_line "HTTP/1.1 401 Unauthorized"
expect_line 'WWW-Authenticate: Basic realm="saml2oidc"'
expect_line "Cache-Control: no-store"
expect_out '{"error":"invalid_client",'
expect_exit 0 fetch POST /token -u demo-app:fixture-client-secret --data "grant_type=authorization_code&code=x&redirect_uri=$cb&code_verifier=x"
expect_line "HTTP/1.1 400 Bad Request"
expect_line "Content-Type: application/json"
expect_out '{"error":"invalid_grant","error_description":"unknown, used or expired code"}'

# /userinfo: a Bearer token is required
expect_exit 0 fetch GET /userinfo
expect_line "HTTP/1.1 401 Unauthorized"
expect_line 'WWW-Authenticate: Bearer realm="saml2oidc"'
expect_exit 0 fetch GET /userinfo -H "Authorization: Bearer a.b.c"
expect_line "HTTP/1.1 401 Unauthorized"
expect_line 'WWW-Authenticate: Bearer realm="saml2oidc", error="invalid_token"'
expect_out '{"error":"invalid_token","error_description":"malformed token"}'

expect_exit 0 fetch GET /healthz
expect_line "HTTP/1.1 200 OK"
expect_line "Content-Type: text/plain; charset=utf-8"
expect_line "Cache-Control: no-store"
expect_line "ok"
expect_security_headers
expect_exit 0 fetch HEAD /healthz -I
expect_line "HTTP/1.1 200 OK"
expect_no_out "ok"
# the query string may hold a code or a token: never logged
expect_exit 0 fetch GET "/healthz?code=NEVER-LOGGED-42"
expect_line "ok"
rid=$(sed -n 's/^X-Request-Id: //p' "$tmp/h" | tr -d '\r')
nhealthz=$((nhealthz + 3))

expect_exit 0 fetch GET /readyz
expect_line "HTTP/1.1 200 OK"
expect_line "ready"

expect_exit 0 fetch GET /nope
expect_line "HTTP/1.1 404 Not Found"
expect_line "Content-Type: application/json"
expect_security_headers
expect_out '{"error":"not_found","error_description":"no such endpoint"}'
expect_exit 0 fetch GET /healthz/
expect_line "HTTP/1.1 404 Not Found"

expect_exit 0 fetch POST /healthz
expect_line "HTTP/1.1 405 Method Not Allowed"
expect_line "Allow: GET, HEAD"
expect_security_headers
expect_out '{"error":"method_not_allowed",'
expect_exit 0 fetch DELETE /.well-known/jwks.json
expect_line "HTTP/1.1 405 Method Not Allowed"
expect_line "Allow: GET, HEAD"

# a declared body over 64 KiB is refused before it is read ...
head -c 70000 /dev/zero >"$tmp/big"
expect_exit 0 fetch POST /healthz --data-binary "@$tmp/big"
expect_out "HTTP/1.1 413 "
expect_line "Content-Type: application/json"
expect_security_headers
expect_out '{"error":"invalid_request","error_description":"too_large: request body: 70000 bytes; this endpoint takes at most 65536"}'
# ... and a chunked one when it passes the limit
expect_exit 0 fetch GET /healthz --data-binary "@$tmp/big" \
    -H "Transfer-Encoding: chunked"
expect_out "HTTP/1.1 413 "
expect_out '"error_description":"too_large: request body: over 65536 bytes, the most this endpoint takes"'
# a small body on a GET is read and ignored
expect_exit 0 fetch GET /healthz --data-binary "small"
expect_line "ok"
nhealthz=$((nhealthz + 1))

# ---- the log: one JSON line per request, no query, the request id ----------
expect_exit 0 grep -F "request_id=$rid client_ip=127.0.0.1 method=GET path=\\\"/healthz\\\" status=200" "$log"
expect_exit 1 grep -F "NEVER-LOGGED-42" "$log"
expect_exit 0 python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) >= {"time", "level", "event", "msg"}, line
    n += o["event"] == "http"
assert n >= 13, n
' "$log"
expect_exit 0 grep -F "request_id=$acs_rid client_ip=127.0.0.1 rejected reason=in_response_to_mismatch detail=" "$log"
expect_exit 0 grep -F 'status=413 duration_ms=' "$log"
expect_out "reason=too_large"

# ---- metrics ----------------------------------------------------------------
expect_exit 0 fetch GET /metrics
expect_line "HTTP/1.1 200 OK"
expect_line "Content-Type: text/plain; version=0.0.4; charset=utf-8"
expect_line "saml2oidc_http_requests_total{endpoint=\"/healthz\",status=\"200\"} $nhealthz"
expect_line 'saml2oidc_http_requests_total{endpoint="/healthz",status="413"} 2'
expect_line 'saml2oidc_http_requests_total{endpoint="/healthz",status="405"} 1'
expect_line 'saml2oidc_http_requests_total{endpoint="/.well-known/jwks.json",status="405"} 1'
expect_line 'saml2oidc_http_requests_total{endpoint="/.well-known/openid-configuration",status="200"} 1'
expect_line 'saml2oidc_http_requests_total{endpoint="other",status="404"} 2'
expect_line "saml2oidc_http_request_duration_seconds_count{endpoint=\"/healthz\"} $((nhealthz + 3))"
expect_line 'saml2oidc_config_generation 1'

# ---- SIGHUP -------------------------------------------------------------------
# a broken file: logged, generation 1 keeps serving
cp "$cfg" "$tmp/good.json"
printf '{"issuer": "https://bridge.example.test",\n' >"$cfg"
kill -HUP "$pid"
expect_exit 0 wait_for 10 in_log "not reloaded; generation 1 keeps serving"
expect_exit 0 fetch GET /.well-known/openid-configuration
expect_line "HTTP/1.1 200 OK"
expect_out '"issuer":"https://bridge.example.test"'
# a good one with another issuer: generation 2 serves it
make_config "$addr" "http://127.0.0.1:$port"
kill -HUP "$pid"
expect_exit 0 wait_for 10 in_log "generation 2 serving"
expect_exit 0 fetch GET /.well-known/openid-configuration
expect_out "\"issuer\":\"http://127.0.0.1:$port\",\"authorization_endpoint\":\"http://127.0.0.1:$port/authorize\""
expect_exit 0 fetch GET /metrics
expect_line 'saml2oidc_config_generation 2'
expect_line 'saml2oidc_config_reloads_total{result="ok"} 1'
expect_line 'saml2oidc_config_reloads_total{result="failed"} 1'
# a mappings file with an error: the reload fails as a whole (mappings are
# compiled with the generation, never at login), generation 2 keeps serving
printf '{"emial": "mail"}\n' >"$tmp/broken-mappings.json"
make_config "$addr" "http://127.0.0.1:$port" "$tmp/next.json"
sed "s|\"[^\"]*/mappings/auth0-default.json\"|\"$tmp/broken-mappings.json\"|" \
    "$tmp/next.json" >"$cfg"
kill -HUP "$pid"
expect_exit 0 wait_for 10 in_log "not reloaded; generation 2 keeps serving"
expect_exit 0 in_log "broken-mappings.json"
expect_exit 0 fetch GET /metrics
expect_line 'saml2oidc_config_generation 2'
expect_line 'saml2oidc_config_reloads_total{result="failed"} 2'

# ---- rate limits ------------------------------------------------------------------
# generation 3: 2 token requests and 1 ACS POST per hour per address; the
# next is 429 with Retry-After (the rest of the window its first request
# started: nearly the whole hour), before its
# body is read, and counted in /metrics
make_config "$addr" "http://127.0.0.1:$port" "$tmp/next.json"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
c["rate_limits"] = {"token": {"requests": 2, "per_seconds": 3600},
                    "acs": {"requests": 1, "per_seconds": 3600}}
json.dump(c, open(sys.argv[2], "w"))
' "$tmp/next.json" "$cfg"
kill -HUP "$pid"
expect_exit 0 wait_for 10 in_log "generation 3 serving"
expect_exit 0 fetch POST /token -d grant_type=authorization_code
expect_line "HTTP/1.1 401 Unauthorized"
expect_exit 0 fetch POST /token -d grant_type=authorization_code
expect_line "HTTP/1.1 401 Unauthorized"
expect_exit 0 fetch POST /token -d grant_type=authorization_code
expect_line "HTTP/1.1 429 Too Many Requests"
expect_out "Retry-After: "
expect_line '{"error":"temporarily_unavailable","error_description":"rate_limited: more than 2 requests in 3600 seconds from this address"}'
retry=$(sed -n 's/^Retry-After: \([0-9]*\)\r$/\1/p' "$tmp/h")
expect_exit 0 test "$retry" -ge 3500 -a "$retry" -le 3600
expect_exit 0 fetch POST /saml/acs -d SAMLResponse=x
expect_line "HTTP/1.1 400 Bad Request"
expect_exit 0 fetch POST /saml/acs -d SAMLResponse=x
expect_line "HTTP/1.1 429 Too Many Requests"
expect_exit 0 fetch GET /metrics
expect_line 'saml2oidc_rate_limited_total{endpoint="/token"} 1'
expect_line 'saml2oidc_rate_limited_total{endpoint="/saml/acs"} 1'
expect_line 'saml2oidc_http_requests_total{endpoint="/token",status="429"} 1'

# ---- SIGTERM while a request is still uploading --------------------------------
# A client sends its headers and half its body; once the server counts it
# in flight, SIGTERM. New connections must then be refused at once, and
# the request, once its body is complete, still answered.
expect_exit 0 python3 -c '
import os, signal, socket, sys, time, urllib.request
pid, port = int(sys.argv[1]), int(sys.argv[2])
def in_flight():
    t = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port).read()
    return b"saml2oidc_http_requests_in_flight 2\n" in t
def refused():
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return False
    except (ConnectionRefusedError, ConnectionResetError):
        return True  # reset: it sat in the backlog at the shutdown
def poll(f):
    for i in range(250):
        if f():
            return True
        time.sleep(0.02)
    sys.exit("timed out waiting for " + f.__name__)
s = socket.create_connection(("127.0.0.1", port), 5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Content-Length: 10\r\n\r\n12345")
poll(in_flight)
os.kill(pid, signal.SIGTERM)
poll(refused)
s.sendall(b"67890")
s.settimeout(5)
r = b""
while not r.endswith(b"ok\n"):
    b = s.recv(4096)
    if not b:
        break
    r += b
print(r.decode().replace("\r", ""))
' "$pid" "$port"
expect_line "HTTP/1.1 200 OK"
expect_line "ok"
wait "$pid"
code=$?
pid=
expect_exit 0 test "$code" -eq 0
expect_exit 0 cat "$log"
expect_out "SIGTERM: finishing in-flight requests"
expect_out '"msg":"stopped"'

expect_done
