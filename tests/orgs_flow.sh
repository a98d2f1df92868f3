#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Organizations and RBAC through `saml2oidc serve` on 127.0.0.1: the
# configuration is fixtures/saml/bridge.json with connection corp made a
# member of org_acme (default role invoice-viewer: read:invoices), an RBAC
# API for everyone and one for Globex only. tests/orgs_flow.py walks
# /authorize?audience=&organization=, a Response signed now with xmlsec1,
# /saml/acs and /token, and checks the claims of both tokens; then the
# refusals at the ACS (another organization, an API for another
# organization) and at /authorize (unknown audience, permission,
# organization). Skips (77) without curl, xmlsec1 or python3.

name=orgs_flow
. "${S2O_SRCDIR:-.}/tests/expect.sh"

require_tools curl xmlsec1 python3
serve_tmp
cfg=$tmp/bridge.json
log=$tmp/serve.log

configure() {
	sed -e "s|\"\\.\\./|\"$fixtures/saml/../|g" \
	    -e "s|\"listen\": \"127.0.0.1:8080\"|\"listen\": \"$1\"|" \
	    "$fixtures/saml/bridge.json" >"$cfg.in"
	python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
acme = "https://api.acme.example.test/"
globex = "https://globex.example.test/api/"
c["organizations"] = [
    {"id": "org_acme", "name": "acme", "include_org_name": True,
     "default_roles": ["invoice-viewer"]},
    {"id": "org_globex", "name": "globex"}]
c["apis"] = [
    {"identifier": acme, "permissions": ["read:invoices", "write:invoices"],
     "rbac": True, "add_permissions_in_token": True},
    {"identifier": globex, "permissions": ["read:orders"],
     "allowed_organizations": ["org_globex"]}]
c["roles"] = [{"name": "invoice-viewer", "permissions": [
    {"api": acme, "permission": "read:invoices"}]}]
for k in c["connections"]:
    if k["name"] == "corp":
        k["organization"] = "org_acme"
json.dump(c, open(sys.argv[2], "w"), indent=1)
' "$cfg.in" "$cfg"
}
serve_start configure "$cfg" "$log"

acme=https://api.acme.example.test/
expect_exit 0 python3 "$srcdir/tests/orgs_flow.py" "http://$addr" "$fixtures" "$tmp"
expect_line "id_token: corp|alice@example.test org_acme acme"
expect_line "access_token: $acme org_acme openid email read:invoices read:invoices"
expect_line "userinfo with the API's token: 401"
expect_line "no audience: https://bridge.example.test/userinfo org_acme False"
expect_line "another organization: 403 policy_denied"
expect_line "another organization's API: 403 policy_denied"
expect_line "unknown audience: 302 invalid_request audience: no API https://nope.example.test/ is configured"
expect_line "unknown permission: 302 invalid_scope scope: \"read:nothing\" is not a permission of API \"$acme\""
expect_line "unknown organization: 302 invalid_request organization: no organization org_nope is configured"
kill -TERM "$pid"
wait "$pid"
pid=
# the details are logged, never shown to the browser
expect_exit 0 grep -F "rejected reason=policy_denied detail=\"organization: the login is for organization org_globex; the user authenticated through connection " "$log"
expect_exit 0 grep -F "detail=\"audience_for_organization: tokens for " "$log"
expect_exit 0 grep -F "are for members of org_globex; the user's is org_acme (allowed_organizations of the API)" "$log"
expect_done
