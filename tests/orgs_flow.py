# SPDX-License-Identifier: MIT
#
# tests/orgs_flow.sh's client and IdP: organizations and RBAC through a
# running `saml2oidc serve` (connection corp belongs to org_acme, whose
# default role grants read:invoices). Prints one line per check. Usage:
#   orgs_flow.py BASE_URL FIXTURES TMPDIR
# Responses are signed with xmlsec1 at run time by tests/samlflow.py.

import base64
import json
import os
import secrets
import sys
import urllib.parse

base, fixtures, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
host = urllib.parse.urlsplit(base).netloc
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samlflow  # noqa: E402  (tests/samlflow.py: the shared pieces)

samlflow.setup(fixtures, tmp)
API = "https://api.acme.example.test/"


def claims(jws):
    p = jws.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def login(extra):
    """/authorize with extra, the IdP, /saml/acs: (status, headers, body,
    state)."""
    verifier, challenge = samlflow.pkce()
    state = secrets.token_urlsafe(8)
    st, h, body = samlflow.authorize(host, challenge, "nc", state, extra)
    if st != 302 or not h["location"].startswith("https://idp."):
        return st, h, body, state, verifier
    rid, relay = samlflow.authn_request(h["location"])
    st, h, body = samlflow.acs(host, samlflow.signed_response(rid), relay)
    return st, h, body, state, verifier


def error_of(h):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(h["location"]).query)
    return q["error"][0] + " " + q["error_description"][0]


# a member asking for the API: org_id in both tokens, permissions from
# the organization's default role, scope reduced to what it grants
st, h, body, state, verifier = login({
    "audience": API, "organization": "org_acme",
    "scope": "openid email read:invoices write:invoices"})
code = samlflow.code_of(st, h, body, state)
st, h, body = samlflow.redeem(host, code, verifier)
t = json.loads(body)
idt, at = claims(t["id_token"]), claims(t["access_token"])
print("id_token:", idt["sub"], idt["org_id"], idt.get("org_name"))
print("access_token:", at["aud"], at["org_id"], at["scope"],
      ",".join(at["permissions"]))
# the access token is for the API, not for /userinfo
st, h, body = samlflow.request(host, "GET", "/userinfo", None,
                               {"Authorization": "Bearer " +
                                t["access_token"]})
print("userinfo with the API's token:", st)

# without an audience: /userinfo's token, org_id, no permissions
st, h, body, state, verifier = login({})
code = samlflow.code_of(st, h, body, state)
st, h, body = samlflow.redeem(host, code, verifier)
at = claims(json.loads(body)["access_token"])
print("no audience:", at["aud"], at["org_id"], "permissions" in at)

# the login is for another organization: refused at the ACS
st, h, body, state, verifier = login({"organization": "org_globex"})
print("another organization:", st, samlflow.page_reason(body))
# the API is for Globex only: refused at the ACS
st, h, body, state, verifier = login({"audience": "https://globex.example.test/api/"})
print("another organization's API:", st, samlflow.page_reason(body))

# refused at /authorize, back to the client
st, h, body, state, verifier = login({"audience": "https://nope.example.test/"})
print("unknown audience:", st, error_of(h))
st, h, body, state, verifier = login({"audience": API,
                                      "scope": "openid read:nothing"})
print("unknown permission:", st, error_of(h))
st, h, body, state, verifier = login({"organization": "org_nope"})
print("unknown organization:", st, error_of(h))
