# SPDX-License-Identifier: MIT
#
# Verifies tokens minted by tests/mint_token with PyJWT (Debian's
# python3-jwt), an implementation that shares no code with ours, using
# only the public keys that `saml2oidc jwks` printed. Run by
# tests/jwt_verify.sh, which generates the keys and configurations.
#
#   jwt_verify.py MINT_TOKEN CONFIG JWKS_FILE KID ALG NKEYS
#
# Exit 0 when every check passes; otherwise each failure is printed.
import base64
import hashlib
import json
import subprocess
import sys

import jwt

NOW = 1795867200  # 2026-11-28T12:00:00Z
ISS = "https://bridge.example.test"
PPT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
AT = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
EXTRA = {
    "name": "Zo\u00eb \u65e5\u672c\u8a9e",
    "email_verified": True,
    "n": 42,
    "f": 1.5,
    "groups": ["admins", "users"],
    "nil": None,
    "https://example.test/org": {"id": "acme", "level": 3},
}
HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
PRIVATE = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def mint(tool, config, kind, *args):
    cmd = [tool, "--config", config, "--kind", kind, "--now", str(NOW)]
    cmd += list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                             r.stderr.strip()))
        return None
    return r.stdout.strip()


def tampered(tok):
    """The same signature over a payload whose sub changed."""
    h, p, s = tok.split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    claims["sub"] = "admin"
    p2 = b64url(json.dumps(claims, separators=(",", ":")).encode())
    return ".".join((h, p2, s))


def verify(tok, keys, kid, alg, typ, aud, want, label):
    hdr = jwt.get_unverified_header(tok)
    check(hdr == {"alg": alg, "kid": kid, "typ": typ},
          "%s: header %r" % (label, hdr))
    jwk = [k for k in keys if k["kid"] == hdr.get("kid")]
    check(len(jwk) == 1, "%s: kid %r not once in the JWKS" % (label, kid))
    if len(jwk) != 1:
        return None
    key = jwt.PyJWK(jwk[0]).key
    try:
        got = jwt.decode(tok, key, algorithms=[alg], audience=aud,
                         issuer=ISS, options={
                             "verify_exp": False,  # minted at a fixed NOW
                             "require": ["exp", "iat", "iss", "sub", "aud"]})
    except jwt.PyJWTError as e:
        failures.append("%s: PyJWT refused it: %r" % (label, e))
        return None
    for bad in (tampered(tok), tok[:-4] + ("AAAA" if tok[-4:] != "AAAA"
                                           else "BBBB")):
        try:
            jwt.decode(bad, key, algorithms=[alg], audience=aud,
                       options={"verify_exp": False})
            failures.append("%s: a tampered token verified" % label)
        except jwt.InvalidSignatureError:
            pass
        except jwt.DecodeError:
            pass
    if want is not None:
        check(got == want, "%s: claims\n  got  %r\n  want %r"
              % (label, got, want))
    return got


def main():
    tool, config, jwks_file, kid, alg, nkeys = sys.argv[1:7]
    with open(jwks_file, encoding="utf-8") as f:
        jwks = json.load(f)
    keys = jwks.get("keys", [])
    check(list(jwks) == ["keys"], "JWKS members %r" % list(jwks))
    check(len(keys) == int(nkeys), "JWKS has %d keys, expected %s"
          % (len(keys), nkeys))
    check(keys and keys[0]["kid"] == kid, "the active key %s is not first"
          % kid)
    for k in keys:
        check(k.get("use") == "sig", "%s: use %r" % (k.get("kid"),
                                                      k.get("use")))
        check(not any(p in k for p in PRIVATE),
              "%s: private members in the JWKS" % k.get("kid"))
        want = (["kty", "kid", "use", "alg", "n", "e"] if k["kty"] == "RSA"
                else ["kty", "kid", "use", "alg", "crv", "x", "y"])
        check(list(k) == want, "%s: members %r" % (k.get("kid"), list(k)))

    label = "%s (%s) ID token" % (kid, alg)
    tok = mint(tool, config, "id", "--auth-time", str(NOW - 60),
               "--nonce", "n-0S6_WzA2Mj", "--acr", PPT, "--sid", "_sess-42",
               "--access-token", AT, "--claims",
               json.dumps(EXTRA, ensure_ascii=False))
    digest = HASHES[alg[2:]](AT.encode()).digest()
    want = {"iss": ISS, "sub": "user-1", "aud": "demo-app",
            "exp": NOW + 300, "iat": NOW, "auth_time": NOW - 60,
            "nonce": "n-0S6_WzA2Mj", "acr": PPT, "amr": ["pwd"],
            "sid": "_sess-42", "azp": "demo-app",
            "at_hash": b64url(digest[:len(digest) // 2])}
    want.update(EXTRA)
    if tok is not None:
        verify(tok, keys, kid, alg, "JWT", "demo-app", want, label)

    label = "%s (%s) access token" % (kid, alg)
    tok = mint(tool, config, "access", "--scope", "openid profile",
               "--ttl", "600", "--claims", '{"permissions":["read:reports"]}')
    if tok is not None:
        got = verify(tok, keys, kid, alg, "at+jwt",
                     "https://api.example.test", None, label)
        if got is not None:
            jti = got.pop("jti", "")
            check(len(jti) == 22 and
                  len(base64.urlsafe_b64decode(jti + "==")) == 16,
                  "%s: jti %r is not 128 bits of base64url" % (label, jti))
            want = {"iss": ISS, "sub": "user-1",
                    "aud": "https://api.example.test", "exp": NOW + 600,
                    "iat": NOW, "client_id": "demo-app",
                    "scope": "openid profile",
                    "permissions": ["read:reports"]}
            check(got == want, "%s: claims\n  got  %r\n  want %r"
                  % (label, got, want))

    for f in failures:
        print("jwt_verify: FAIL: " + f)
    if not failures:
        print("jwt_verify: %s (%s): ID and access tokens verified by PyJWT %s"
              % (kid, alg, jwt.__version__))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
