# SPDX-License-Identifier: MIT
#
# tests/redis.sh's browser, client and IdP against two `saml2oidc serve`
# instances A and B that share one Redis. Usage:
#   redis.py PHASE HOST_A HOST_B FIXTURES TMPDIR
# and prints one line per check:
#   shared  state crosses instances: a code issued by A is redeemed at B
#           once; a login started on A completes on B; an assertion
#           accepted by A is refused by B as replayed; codes redeemed at A
#           and B at the same moment succeed exactly once each
#   down    Redis is stopped: /readyz 503 on both, logins and redemptions
#           fail closed with store_unavailable
#   up      Redis is back: both become ready by themselves and a login
#           crosses instances again

import concurrent.futures
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samlflow as f  # noqa: E402

phase, A, B, fixtures, tmp = sys.argv[1:6]
f.setup(fixtures, tmp)
NCODES = 50


def error_of(body):
    try:
        return json.loads(body).get("error", "-")
    except ValueError:
        return "not JSON"


def reason_of(body):
    """The reason token that starts an error_description."""
    try:
        return json.loads(body).get("error_description", "-").split(":")[0]
    except ValueError:
        return "not JSON"


def ready(host):
    return f.request(host, "GET", "/readyz")


def shared():
    verifier, challenge = f.pkce()
    # a code issued by A, redeemed at B, then refused at both
    code, _, _, _ = f.login(A, challenge, "n", "s1")
    st, _, body = f.redeem(B, code, verifier)
    print("code from A redeemed at B: %d %s" % (
        st, "id_token" in json.loads(body)))
    st, _, body = f.redeem(A, code, verifier)
    print("the same code again at A: %d %s" % (st, error_of(body)))
    st, _, body = f.redeem(B, code, verifier)
    print("the same code again at B: %d %s" % (st, error_of(body)))
    # a login started on A (its pending AuthnRequest) completes on B
    code, _, _, _ = f.login(A, challenge, "n", "s2", acs_host=B)
    st, _, body = f.redeem(A, code, verifier)
    print("login started on A, completed on B, redeemed at A: %d" % st)
    # one assertion ID in two Responses, each answering its own login:
    # accepted by A, then refused by B because A recorded it
    aid = "_shared-assertion-" + os.urandom(8).hex()
    st, h, _ = f.authorize(A, challenge, "n", "s3")
    rid, relay = f.authn_request(h["location"])
    st, h, body = f.acs(A, f.signed_response(rid, aid), relay)
    print("assertion at A: %d %s" % (
        st, "code" if f.code_of(st, h, body, "s3") else f.page_reason(body)))
    st, h, _ = f.authorize(B, challenge, "n", "s4")
    rid, relay = f.authn_request(h["location"])
    st, h, body = f.acs(B, f.signed_response(rid, aid), relay)
    print("the same assertion at B: %d %s" % (st, f.page_reason(body)))
    # NCODES codes, each redeemed at A and at B at the same moment
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda i: f.login(
            A if i % 2 else B, challenge, "n", "r%d" % i)[0],
            range(NCODES)))
    wins = [0] * NCODES
    losses = [0] * NCODES
    other = []
    lock = threading.Lock()

    def racer(host, i, barrier):
        barrier.wait()
        st, _, body = f.redeem(host, codes[i], verifier)
        with lock:
            if st == 200:
                wins[i] += 1
            elif st == 400 and error_of(body) == "invalid_grant":
                losses[i] += 1
            else:
                other.append((st, body))

    for i in range(NCODES):
        barrier = threading.Barrier(4)
        ts = [threading.Thread(target=racer, args=(h, i, barrier))
              for h in (A, B, A, B)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    print("concurrent redemption: %d codes, %d redeemed exactly once, "
          "%d refusals, %d other answers" % (
              NCODES, sum(1 for w in wins if w == 1), sum(losses),
              len(other)))


def down():
    for name, host in (("A", A), ("B", B)):
        st, _, body = ready(host)
        print("readyz %s: %d %s" % (name, st, body.strip()))
    verifier, challenge = f.pkce()
    st, h, body = f.authorize(A, challenge, "n", "d1")
    print("authorize at A: %d %s %s" % (st, error_of(body), reason_of(body)))
    st, _, body = f.redeem(B, "some-code", verifier)
    print("token at B: %d %s %s" % (st, error_of(body), reason_of(body)))


def up():
    for name, host in (("A", A), ("B", B)):
        deadline = time.monotonic() + 60
        while True:
            st, _, body = ready(host)
            if st == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        print("readyz %s: %d %s" % (name, st, body.strip()))
    verifier, challenge = f.pkce()
    code, _, _, _ = f.login(B, challenge, "n", "u1", acs_host=A)
    st, _, body = f.redeem(B, code, verifier)
    print("after the restart, login across instances: %d" % st)


{"shared": shared, "down": down, "up": up}[phase]()
