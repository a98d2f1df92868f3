# SPDX-License-Identifier: MIT
#
# tests/metadata.sh's browser and IdP: one login against a running
# `saml2oidc serve` through connection corp, its Response signed at run
# time with xmlsec1 and the key named (fixtures/keys/KEY.key, its
# certificate in KeyInfo as real IdPs send it). Usage:
#   metadata_login.py BASE_URL FIXTURES TMPDIR KEY
# Prints "login: code" when /saml/acs answers the client's redirect_uri
# with a code, else "login: refused STATUS REASON".

import os
import secrets
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samlflow  # noqa: E402

base, fixtures, tmp, key = sys.argv[1:5]
host = urllib.parse.urlsplit(base).netloc
samlflow.setup(fixtures, tmp)

verifier, challenge = samlflow.pkce()
state = secrets.token_urlsafe(8)
st, h, body = samlflow.authorize(host, challenge, secrets.token_urlsafe(8),
                                 state)
assert st == 302, (st, body)
rid, relay = samlflow.authn_request(h["location"])
st, h, body = samlflow.acs(host, samlflow.signed_response(rid, key=key),
                           relay)
if samlflow.code_of(st, h, body, state) is not None:
    print("login: code")
else:
    print("login: refused %d %s" % (st, samlflow.page_reason(body)))
