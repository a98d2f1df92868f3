# SPDX-License-Identifier: MIT
"""Verifies ID tokens printed by `saml2oidc consume` with PyJWT, an
implementation independent of ours, against nothing but the JWK Set that
`saml2oidc jwks` prints, and compares their claims with the expected ones.

usage: consume_verify.py JWKS_FILE ISSUER (NAME TOKEN_FILE CLAIMS_FILE)...
Prints one line per token; exits 1 on the first mismatch."""
import json
import sys

import jwt

jwks = json.load(open(sys.argv[1]))
issuer = sys.argv[2]
keys = {k["kid"]: k for k in jwks["keys"]}
args = sys.argv[3:]
for i in range(0, len(args), 3):
    name, token_file, claims_file = args[i:i + 3]
    token = open(token_file).read().strip()
    header = jwt.get_unverified_header(token)
    key = jwt.PyJWK(keys[header["kid"]]).key
    want = json.load(open(claims_file))
    got = jwt.decode(token, key, algorithms=[header["alg"]],
                     audience=want["aud"], issuer=issuer,
                     options={"verify_exp": False, "verify_iat": False})
    if got != want:
        print("consume_verify: %s: claims differ\n got  %s\n want %s"
              % (name, json.dumps(got, sort_keys=True),
                 json.dumps(want, sort_keys=True)))
        sys.exit(1)
    print("consume_verify: %s: %s signature and claims verified"
          % (name, header["alg"]))
