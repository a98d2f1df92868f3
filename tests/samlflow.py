# SPDX-License-Identifier: MIT
#
# The pieces of a login that the script tests share, as a browser, an
# OIDC client (demo-app of fixtures/saml/bridge.json) and the fixture IdP
# would play them against a running `saml2oidc serve`. Every function
# takes the server as "host:port", so one test may drive several
# instances. Responses are signed with xmlsec1 at run time
# (fixtures/keys/idp-rsa.key), never edited by hand.
#
#   import samlflow
#   samlflow.setup(FIXTURES, TMPDIR)

import base64
import datetime
import hashlib
import http.client
import os
import secrets
import subprocess
import tempfile
import urllib.parse
import zlib

CB = "http://127.0.0.1:3000/cb"
AUTH = "Basic " + base64.b64encode(b"demo-app:fixture-client-secret").decode()
_fixtures = None
_tmp = None


def setup(fixtures, tmp):
    global _fixtures, _tmp
    _fixtures, _tmp = fixtures, tmp


def request(host, method, path, body=None, headers=None, source=None):
    """One HTTP request: (status, headers with lower-case names, body)."""
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


def authorize(host, challenge, nonce, state, extra=None):
    q = {"client_id": "demo-app", "redirect_uri": CB,
         "response_type": "code", "scope": "openid email",
         "state": state, "nonce": nonce, "connection": "corp"}
    if challenge is not None:
        q["code_challenge"] = challenge
        q["code_challenge_method"] = "S256"
    q.update(extra or {})
    return request(host, "GET", "/authorize?" + urllib.parse.urlencode(q))


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
    'Destination="{dest}"{irt_attr}><saml:Issuer '
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
    '{idp}</saml:Issuer><samlp:Status>'
    '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
    '</samlp:Status><saml:Assertion '
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{aid}" '
    'IssueInstant="{now}" Version="2.0"><saml:Issuer>'
    '{idp}</saml:Issuer>' + SIG +
    '<saml:Subject><saml:NameID Format='
    '"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
    'alice@example.test</saml:NameID><saml:SubjectConfirmation '
    'Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
    '<saml:SubjectConfirmationData{irt_attr} '
    'NotOnOrAfter="{later}" '
    'Recipient="{dest}"/>'
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


ACS = "https://bridge.example.test/saml/acs"


def signed_response(in_response_to, aid=None, idp="https://idp.example.test/",
                    dest=ACS, key="idp-rsa"):
    """A Response to the AuthnRequest in_response_to (None: unsolicited,
    no InResponseTo), base64, from idp, to dest, signed with
    fixtures/keys/KEY.key (its certificate in KeyInfo, as real IdPs send
    it); its assertion ID is aid (a fresh one by default)."""
    aid = aid or "_a" + secrets.token_hex(16)
    irt = ' InResponseTo="%s"' % in_response_to if in_response_to else ""
    xml = RESPONSE.format(rid="_r" + secrets.token_hex(16), aid=aid,
                          irt_attr=irt, idp=idp, dest=dest, now=t(0),
                          before=t(-30), later=t(300))
    d = tempfile.mkdtemp(dir=_tmp)
    src = os.path.join(d, "tmpl.xml")
    dst = os.path.join(d, "signed.xml")
    with open(src, "w") as f:
        f.write(xml)
    keys = os.path.join(_fixtures, "keys")
    subprocess.run(["xmlsec1", "--sign", "--privkey-pem",
                    os.path.join(keys, key + ".key") + "," +
                    os.path.join(keys, key + ".crt"),
                    "--id-attr:ID",
                    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
                    "--output", dst, src], check=True,
                   stdout=subprocess.DEVNULL)
    with open(dst, "rb") as f:
        out = base64.b64encode(f.read()).decode()
    os.remove(src)
    os.remove(dst)
    os.rmdir(d)
    return out


def acs(host, saml, relay):
    """POST /saml/acs: (status, headers, body)."""
    return request(host, "POST", "/saml/acs",
                   {"SAMLResponse": saml, "RelayState": relay})


def code_of(status, headers, body, state):
    """The code of an ACS answer that redirects to the client, or None."""
    if status != 302:
        return None
    loc = urllib.parse.urlsplit(headers["location"])
    if loc._replace(query="").geturl() != CB:
        return None
    q = urllib.parse.parse_qs(loc.query)
    if q.get("state") != [state]:
        return None
    return q["code"][0]


def login(host, challenge, nonce, state, acs_host=None):
    """/authorize and the IdP on host, /saml/acs on acs_host (host by
    default): (code, the Response, RelayState, AuthnRequest ID)."""
    st, h, body = authorize(host, challenge, nonce, state)
    assert st == 302, (st, body)
    rid, relay = authn_request(h["location"])
    saml = signed_response(rid)
    st, h, body = acs(acs_host or host, saml, relay)
    code = code_of(st, h, body, state)
    assert code is not None, (st, h, body)
    return code, saml, relay, rid


def redeem(host, code, verifier):
    return request(host, "POST", "/token",
                   {"grant_type": "authorization_code", "code": code,
                    "redirect_uri": CB, "code_verifier": verifier},
                   {"Authorization": AUTH})


def page_reason(body):
    """The reason token an error page names (its first <code>)."""
    if "<code>" not in body:
        return "-"
    return body.split("<code>")[1].split("<")[0]
