# SPDX-License-Identifier: MIT
#
# tests/flow.sh's client and IdP: walks the login against a running
# `saml2oidc serve` and prints one line per check. Usage:
#   flow.py BASE_URL FIXTURES TMPDIR
# Responses are signed with xmlsec1 at run time (fixtures/keys/idp-rsa.key),
# never edited by hand; tests/samlflow.py has the pieces.

import base64
import json
import os
import secrets
import sys
import urllib.parse

import jwt

base, fixtures, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
host = urllib.parse.urlsplit(base).netloc
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samlflow  # noqa: E402  (tests/samlflow.py: the shared pieces)

samlflow.setup(fixtures, tmp)
CB = samlflow.CB
pkce = samlflow.pkce
authn_request = samlflow.authn_request
signed_response = samlflow.signed_response


def request(method, path, body=None, headers=None, source=None):
    return samlflow.request(host, method, path, body, headers, source)


def authorize(challenge, nonce, state, extra=None):
    return samlflow.authorize(host, challenge, nonce, state, extra)


def acs_from(challenge, nonce, state, headers, source):
    """A login whose ACS POST carries headers from source: (status, body)."""
    st, h, body = authorize(challenge, nonce, state)
    rid, relay = authn_request(h["location"])
    st, h, body = request("POST", "/saml/acs",
                          {"SAMLResponse": signed_response(rid),
                           "RelayState": relay}, headers, source)
    return st, body


def login(challenge, nonce, state):
    """/authorize, the IdP, /saml/acs: (code, the Response, RelayState)."""
    return samlflow.login(host, challenge, nonce, state)


def redeem(code, verifier):
    return samlflow.redeem(host, code, verifier)


# ---- the login -------------------------------------------------------------
verifier, challenge = pkce()
nonce = secrets.token_urlsafe(16)
code, saml, relay, rid = login(challenge, nonce, "st-1")
st, h, body = redeem(code, verifier)
assert st == 200, (st, body)
assert h["cache-control"] == "no-store", h
tok = json.loads(body)
assert tok["token_type"] == "Bearer" and tok["expires_in"] > 0, tok
print("login: ok")
st, h, jwks = request("GET", "/.well-known/jwks.json")
keys = jwt.PyJWKSet.from_json(jwks)
kid = jwt.get_unverified_header(tok["id_token"])["kid"]
key = [k for k in keys.keys if k.key_id == kid][0]
claims = jwt.decode(tok["id_token"], key.key, algorithms=["RS256"],
                    audience="demo-app",
                    issuer="https://bridge.example.test")
print("id_token: verified sub=%s nonce=%s" % (
    claims["sub"], "ok" if claims["nonce"] == nonce else "WRONG"))

st, h, body = request("GET", "/userinfo",
                      headers={"Authorization": "Bearer " +
                               tok["access_token"]})
print("userinfo: %d %s" % (st, json.loads(body)["sub"]))
st, h, body = request("GET", "/userinfo",
                      headers={"Authorization": "Bearer " + tok["id_token"]})
print("userinfo with the id_token: %d %s" % (st, h["www-authenticate"]))

# ---- refusals ----------------------------------------------------------------
st, h, body = redeem(code, verifier)
print("code reuse: %s" % json.loads(body)["error"])
# the same POST again: its pending login was taken
st, h, body = request("POST", "/saml/acs",
                      {"SAMLResponse": saml, "RelayState": relay})
print("response replay: %d %s" % (
    st, "in_response_to_mismatch" if "in_response_to_mismatch" in body
    else body))
# the same Response with another login's RelayState: it answers another
# AuthnRequest
st, h, body = authorize(challenge, nonce, "st-2")
rid2, relay2 = authn_request(h["location"])
st, h, body = request("POST", "/saml/acs",
                      {"SAMLResponse": saml, "RelayState": relay2})
print("response for another login: %d %s" % (
    st, body.split("<code>")[1].split("<")[0]))
st, h, body = authorize(challenge, nonce, "st-3",
                        {"redirect_uri": CB + "/other"})
print("unregistered redirect_uri: %d %s" % (
    st, "page" if "location" not in h and "text/html" in
    h["content-type"] else h))
st, h, body = authorize(None, nonce, "st-4")
q = urllib.parse.parse_qs(urllib.parse.urlsplit(h.get("location", "")).query)
print("no pkce: %d %s" % (st, q.get("error", ["-"])[0]))
# response_mode=form_post: the code comes in a self-posting form
st, h, body = authorize(challenge, nonce, "st-6",
                        {"response_mode": "form_post"})
rid6, relay6 = authn_request(h["location"])
st, h, body = request("POST", "/saml/acs",
                      {"SAMLResponse": signed_response(rid6),
                       "RelayState": relay6})
i = body.index('name="code" value="') + len('name="code" value="')
st2, _, body2 = redeem(body[i:body.index('"', i)], verifier)
print("form_post: %d %s, token %d" % (
    st, 'action="%s"' % CB in body and 'value="st-6"' in body, st2))
code, _, _, _ = login(challenge, nonce, "st-5")
st, h, body = redeem(code, pkce()[0])
print("bad verifier: %s" % json.loads(body)["error"])
# the access token of the code redeemed twice above is revoked
st, h, body = request("GET", "/userinfo",
                      headers={"Authorization": "Bearer " +
                               tok["access_token"]})
print("access token after code reuse: %d %s" % (
    st, json.loads(body).get("error_description")))
code, _, _, _ = login(challenge, nonce, "st-7")
st, h, body = request("POST", "/token",
                      {"grant_type": "authorization_code", "code": code,
                       "redirect_uri": CB, "code_verifier": verifier},
                      {"Authorization": "Basic " + base64.b64encode(
                          b"demo-app:not-the-secret").decode()})
print("wrong client secret: %d %s" % (st, json.loads(body)["error"]))
st, h, body = authorize(challenge, nonce, "st-8", {"connection": "nope"})
q = urllib.parse.parse_qs(urllib.parse.urlsplit(h.get("location", "")).query)
print("unknown connection: %d %s %s" % (
    st, q.get("error", ["-"])[0], q.get("error_description", ["-"])[0]))

# ---- client addresses ---------------------------------------------------------
st, body = acs_from(challenge, nonce, "st-9",
                    {"X-Forwarded-For": "198.51.100.6"}, "127.0.0.1")
print("X-Forwarded-For from an untrusted peer: ignored, %d" % st)
st, body = acs_from(challenge, nonce, "st-10",
                    {"X-Forwarded-For": "198.51.100.7"}, "127.0.0.2")
print("X-Forwarded-For from a trusted proxy: %d %s %s" % (
    st, body.split("<code>")[1].split("<")[0],
    body.split("<code>")[2].split("<")[0]))
st, body = acs_from(challenge, nonce, "st-11",
                    {"X-Forwarded-For": "198.51.100.8, 203.0.113.5"},
                    "127.0.0.2")
print("X-Forwarded-For, client-written left part: ignored, %d" % st)

# ---- IdP-initiated -------------------------------------------------------------
UNSOL = "https://idp-unsolicited.example.test/"
ACS = samlflow.ACS
# connection corp does not take unsolicited Responses
st, h, body = request("POST", "/saml/acs",
                      {"SAMLResponse": signed_response(None)})
print("unsolicited, not allowed: %d %s %s" % (
    st, body.split("<code>")[1].split("<")[0], "set-cookie" in h))
# corp-unsolicited does: a session and the client's initiate_login_uri
tile = signed_response(None, idp=UNSOL)
st, h, body = request("POST", "/saml/acs", {"SAMLResponse": tile})
loc = h.get("location", "")
cookie = h.get("set-cookie", "")
print("unsolicited, allowed: %d %s" % (st, loc.split("?")[0]))
q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
print("initiate_login_uri: iss=%s login_hint=%s target_link_uri=%s" % (
    q["iss"][0], q["login_hint"][0], q["target_link_uri"][0]))
print("cookie: %s" % ";".join(
    [cookie.split("=")[0], "HANDLE"] + cookie.split(";")[1:]).replace(
        " ", ""))
assert "code=" not in loc
session = cookie.split(";")[0]
# the same Response again
st, h, body = request("POST", "/saml/acs", {"SAMLResponse": tile})
print("unsolicited replay: %d %s" % (st, body.split("<code>")[1].split("<")[0]))
# the client starts its own code flow: answered from the session
v2, c2 = pkce()
n2 = secrets.token_urlsafe(16)
q = {"client_id": "demo-app", "redirect_uri": CB, "response_type": "code",
     "scope": "openid email", "state": "st-tile", "nonce": n2,
     "code_challenge": c2, "code_challenge_method": "S256"}
st, h, body = request("GET", "/authorize?" + urllib.parse.urlencode(q),
                      headers={"Cookie": session})
lq = urllib.parse.parse_qs(urllib.parse.urlsplit(h["location"]).query)
print("authorize with the session: %d state=%s code=%s" % (
    st, lq["state"][0], "yes" if "code" in lq else "no"))
st, h, body = redeem(lq["code"][0], v2)
c = jwt.decode(json.loads(body)["id_token"], key.key, algorithms=["RS256"],
               audience="demo-app", issuer="https://bridge.example.test")
print("session id_token: sub=%s nonce=%s" % (
    c["sub"], "ok" if c["nonce"] == n2 else "WRONG"))
q["prompt"] = "login"
st, h, body = request("GET", "/authorize?" + urllib.parse.urlencode(q),
                      headers={"Cookie": session})
print("prompt=login with the session: %d %s" % (
    st, h["location"].split("?")[0]))
del q["prompt"]
q["prompt"] = "none"
st, h, body = request("GET", "/authorize?" + urllib.parse.urlencode(q))
lq = urllib.parse.parse_qs(urllib.parse.urlsplit(h["location"]).query)
print("prompt=none without the session: %d %s" % (st, lq["error"][0]))
# a connection's own ACS URL: its Destination is that URL
st, h, body = request("POST", "/saml/acs/corp-unsolicited",
                      {"SAMLResponse": signed_response(
                          None, idp=UNSOL, dest=ACS + "/corp-unsolicited")})
print("/saml/acs/corp-unsolicited: %d %s" % (st, "set-cookie" in h))
st, h, body = request("POST", "/saml/acs/corp",
                      {"SAMLResponse": signed_response(
                          None, idp=UNSOL, dest=ACS + "/corp")})
print("/saml/acs/corp with another IdP's Response: %d %s" % (
    st, body.split("<code>")[1].split("<")[0]))

# ---- metrics ----------------------------------------------------------------------
st, h, body = request("GET", "/metrics")
for line in body.splitlines():
    if line.startswith(("saml2oidc_saml_rejections_total{",
                        "saml2oidc_tokens_issued_total{")):
        print("metric: " + line)
