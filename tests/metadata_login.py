# SPDX-License-Identifier: MIT
#
# tests/metadata.sh's browser and IdP: one login against a running
# `saml2oidc serve` through connection corp, its Response signed at run
# time with xmlsec1 and the key named (fixtures/keys/KEY.key, its
# certificate in KeyInfo as real IdPs send it). Usage:
#   metadata_login.py BASE_URL FIXTURES TMPDIR KEY
# Prints "login: code" when /saml/acs answers the client's redirect_uri
# with a code, else "login: refused STATUS REASON".

import base64
import datetime
import os
import re
import secrets
import subprocess
import sys
import urllib.parse
import zlib
import http.client

base, fixtures, tmp, key = sys.argv[1:5]
host = urllib.parse.urlsplit(base).netloc
CB = "http://127.0.0.1:3000/cb"


def request(method, path, body=None):
    c = http.client.HTTPConnection(host, timeout=10)
    h = {}
    if body is not None:
        body = urllib.parse.urlencode(body)
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()),
           r.read().decode())
    c.close()
    return out


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
A = 'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
RESPONSE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
    'ID="{rid}" Version="2.0" IssueInstant="{now}" '
    'Destination="https://bridge.example.test/saml/acs" '
    'InResponseTo="{irt}"><saml:Issuer ' + A + '>'
    'https://idp.example.test/</saml:Issuer><samlp:Status>'
    '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
    '</samlp:Status><saml:Assertion ' + A + ' ID="{aid}" '
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
    '</saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement '
    'AuthnInstant="{before}" SessionIndex="_s{aid}"><saml:AuthnContext>'
    '<saml:AuthnContextClassRef>'
    'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
    '</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
    '</saml:Assertion></samlp:Response>\n')

q = {"client_id": "demo-app", "redirect_uri": CB, "response_type": "code",
     "scope": "openid", "state": "st", "nonce": secrets.token_urlsafe(8),
     "connection": "corp", "code_challenge_method": "S256",
     "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}
st, h, body = request("GET", "/authorize?" + urllib.parse.urlencode(q))
assert st == 302, (st, body)
aq = urllib.parse.parse_qs(urllib.parse.urlsplit(h["location"]).query)
xml = zlib.decompress(base64.b64decode(aq["SAMLRequest"][0]), -15).decode()
irt = re.search(r' ID="([^"]+)"', xml).group(1)
aid = "_a" + secrets.token_hex(16)
src = os.path.join(tmp, "login.xml")
dst = os.path.join(tmp, "login-signed.xml")
with open(src, "w") as f:
    f.write(RESPONSE.format(rid="_r" + secrets.token_hex(16), aid=aid,
                            irt=irt, now=t(0), before=t(-30),
                            later=t(300)))
k = os.path.join(fixtures, "keys", key)
subprocess.run(["xmlsec1", "--sign", "--privkey-pem",
                k + ".key," + k + ".crt", "--id-attr:ID",
                "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
                "--output", dst, src], check=True, stdout=subprocess.DEVNULL)
with open(dst, "rb") as f:
    saml = base64.b64encode(f.read()).decode()
st, h, body = request("POST", "/saml/acs",
                      {"SAMLResponse": saml,
                       "RelayState": aq["RelayState"][0]})
if st == 302 and "code=" in h.get("location", ""):
    print("login: code")
else:
    m = re.search(r"Reason: <code>([a-z_]+)</code>", body)
    print("login: refused %d %s" % (st, m.group(1) if m else "?"))
