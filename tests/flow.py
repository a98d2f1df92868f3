# SPDX-License-Identifier: MIT
#
# tests/flow.sh's client and IdP: walks the login against a running
# `saml2oidc serve` and prints one line per check. Usage:
#   flow.py BASE_URL FIXTURES TMPDIR
# Responses are signed with xmlsec1 at run time (fixtures/keys/idp-rsa.key),
# never edited by hand.

import base64
import datetime
import hashlib
import http.client
import json
import os
import secrets
import subprocess
import sys
import urllib.parse
import zlib

import jwt

base, fixtures, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
host = urllib.parse.urlsplit(base).netloc
CB = "http://127.0.0.1:3000/cb"
AUTH = "Basic " + base64.b64encode(b"demo-app:fixture-client-secret").decode()


def request(method, path, body=None, headers=None, source=None):
    c = http.client.HTTPConnection(host, timeout=10, source_address=(
        (source, 0) if source else None))
    h = dict(headers or {})
    if body is not None:
        body = urllib.parse.urlencode(body)
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read().decode()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), data)
    c.close()
    return out


def pkce():
    v = secrets.token_urlsafe(48)
    ch = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest())
    return v, ch.decode().rstrip("=")


def authorize(challenge, nonce, state, extra=None):
    q = {"client_id": "demo-app", "redirect_uri": CB,
         "response_type": "code", "scope": "openid email",
         "state": state, "nonce": nonce, "connection": "corp"}
    if challenge is not None:
        q["code_challenge"] = challenge
        q["code_challenge_method"] = "S256"
    q.update(extra or {})
    return request("GET", "/authorize?" + urllib.parse.urlencode(q))


def authn_request(location):
    """The AuthnRequest's ID and the RelayState of a Redirect URL."""
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)
    xml = xml.decode()
    i = xml.index(' ID="') + 5
    return xml[i:xml.index('"', i)], q["RelayState"][0]


def t(delta):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (now + datetime.timedelta(seconds=delta)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


SIG = ('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
       '<ds:SignedInfo><ds:CanonicalizationMethod Algorithm='
       '"http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod '
       'Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
       '<ds:Reference URI="#{aid}"><ds:Transforms><ds:Transform Algorithm='
       '"http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
       '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
       '</ds:Transforms><ds:DigestMethod Algorithm='
       '"http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
       '</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo>'
       '<ds:X509Data/></ds:KeyInfo></ds:Signature>')

RESPONSE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
    'ID="{rid}" Version="2.0" IssueInstant="{now}" '
    'Destination="https://bridge.example.test/saml/acs" '
    'InResponseTo="{irt}"><saml:Issuer '
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
    'https://idp.example.test/</saml:Issuer><samlp:Status>'
    '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
    '</samlp:Status><saml:Assertion '
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{aid}" '
    'IssueInstant="{now}" Version="2.0"><saml:Issuer>'
    'https://idp.example.test/</saml:Issuer>' + SIG +
    '<saml:Subject><saml:NameID Format='
    '"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
    'alice@example.test</saml:NameID><saml:SubjectConfirmation '
    'Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
    '<saml:SubjectConfirmationData InResponseTo="{irt}" '
    'NotOnOrAfter="{later}" '
    'Recipient="https://bridge.example.test/saml/acs"/>'
    '</saml:SubjectConfirmation></saml:Subject><saml:Conditions '
    'NotBefore="{before}" NotOnOrAfter="{later}"><saml:AudienceRestriction>'
    '<saml:Audience>https://bridge.example.test/saml</saml:Audience>'
    '</saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement>'
    '<saml:Attribute Name='
    '"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" '
    'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
    '<saml:AttributeValue>alice@example.test</saml:AttributeValue>'
    '</saml:Attribute></saml:AttributeStatement><saml:AuthnStatement '
    'AuthnInstant="{before}" SessionIndex="_sidx-{aid}"><saml:AuthnContext>'
    '<saml:AuthnContextClassRef>'
    'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
    '</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
    '</saml:Assertion></samlp:Response>\n')


def signed_response(in_response_to):
    aid = "_a" + secrets.token_hex(16)
    xml = RESPONSE.format(rid="_r" + secrets.token_hex(16), aid=aid,
                          irt=in_response_to, now=t(0), before=t(-30),
                          later=t(300))
    src = os.path.join(tmp, "tmpl.xml")
    dst = os.path.join(tmp, "signed.xml")
    with open(src, "w") as f:
        f.write(xml)
    keys = os.path.join(fixtures, "keys")
    subprocess.run(["xmlsec1", "--sign", "--privkey-pem",
                    os.path.join(keys, "idp-rsa.key") + "," +
                    os.path.join(keys, "idp-rsa.crt"),
                    "--id-attr:ID",
                    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
                    "--output", dst, src], check=True,
                   stdout=subprocess.DEVNULL)
    with open(dst, "rb") as f:
        return base64.b64encode(f.read()).decode()


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
    st, h, body = authorize(challenge, nonce, state)
    assert st == 302, (st, body)
    rid, relay = authn_request(h["location"])
    saml = signed_response(rid)
    st, h, body = request("POST", "/saml/acs",
                          {"SAMLResponse": saml, "RelayState": relay})
    assert st == 302, (st, body)
    loc = urllib.parse.urlsplit(h["location"])
    assert loc._replace(query="").geturl() == CB, h["location"]
    q = urllib.parse.parse_qs(loc.query)
    assert q["state"] == [state], q
    return q["code"][0], saml, relay, rid


def redeem(code, verifier):
    return request("POST", "/token",
                   {"grant_type": "authorization_code", "code": code,
                    "redirect_uri": CB, "code_verifier": verifier},
                   {"Authorization": AUTH})


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
