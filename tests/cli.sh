#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The saml2oidc command line as a user sees it: exit codes (0 success,
# 1 input rejected, 2 usage or configuration error) and the lines printed.
#
# To add a case, run a command with expect_exit, then check what it
# printed with expect_out / expect_no_out:
#
#   expect_exit 2 "$bin" check-config
#   expect_out "usage: saml2oidc check-config --config FILE"
#
# The expect_* functions and paths come from tests/expect.sh.

name=cli
. "${S2O_SRCDIR:-.}/tests/expect.sh"

# ---- global options ----------------------------------------------------
expect_exit 0 "$bin" --version
expect_line "saml2oidc 0.1.0"
expect_exit 0 "$bin" -V
expect_line "saml2oidc 0.1.0"
expect_exit 0 "$bin" --help
expect_out "usage: saml2oidc"
expect_out "check-config"
expect_out "exit status: 0 success, 1 input rejected, 2 usage or configuration error"
expect_exit 2 "$bin"
expect_out "usage: saml2oidc"
expect_exit 2 "$bin" --no-such-option
expect_out "unknown option --no-such-option"
expect_exit 2 "$bin" --log-format xml check-config
expect_out "--log-format: expected text or json, got \"xml\""

# ---- unknown commands: a suggestion only for a plausible typo ----------
expect_exit 2 "$bin" chek-config
expect_line "saml2oidc: unknown command \"chek-config\" (did you mean \"check-config\"?)"
expect_exit 2 "$bin" frobnicate
expect_line "saml2oidc: unknown command \"frobnicate\""
expect_no_out "did you mean"

# ---- check-config --------------------------------------------------------
expect_exit 0 "$bin" check-config --help
expect_out "usage: saml2oidc check-config --config FILE"
expect_exit 2 "$bin" check-config
expect_out "usage: saml2oidc check-config --config FILE"
expect_exit 2 "$bin" check-config --config
expect_exit 2 "$bin" check-config --config a.json extra-argument
expect_exit 2 "$bin" check-config --config /nonexistent/bridge.json
expect_out "/nonexistent/bridge.json"

if [ -f "$fixtures/saml/bridge.json" ]; then
	expect_exit 0 "$bin" check-config --config "$fixtures/saml/bridge.json"
	expect_line "ok"
	expect_exit 0 "$bin" --log-format json check-config --config \
	    "$fixtures/saml/bridge.json"
	expect_line "ok"
else
	echo "cli: $fixtures/saml/bridge.json absent: its check-config case skipped"
fi

# check-config lints every connection's mappings file and warns where two
# connections give a bare user_id as sub
cm=$fixtures/cli/check-mappings
expect_exit 2 "$bin" check-config --config "$cm/bridge.json"
expect_out "typo.json:3:3: emial: unknown claim (did you mean \"email\"?)"
expect_out "bridge.json: warning: connections[1].mappings_file: connections \"one\" and \"two\" both use the bare user_id as sub"
expect_no_out "ok"

# consume --explain says how each claim was mapped, values only on request
adfs=$fixtures/saml/adfs/response.xml
expect_exit 0 "$bin" consume --config "$fixtures/saml/bridge.json" \
    --now 2026-11-28T12:01:00Z --explain "$adfs"
expect_out 'from "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": 1 value, used'
expect_no_out "alice.martin@corp.example.test"
expect_exit 0 "$bin" consume --config "$fixtures/saml/bridge.json" \
    --now 2026-11-28T12:01:00Z --explain=values "$adfs"
expect_out 'claims/upn": ["alice.martin@corp.example.test"], used'
expect_exit 2 "$bin" consume --config "$fixtures/saml/bridge.json" \
    --explain=all "$adfs"
expect_out "--explain=all: expected --explain or --explain=values"
expect_exit 2 "$bin" consume --config "$fixtures/saml/bridge.json" \
    --format xml "$adfs"
expect_out '--format: expected jwt, claims or assertion, got "xml"'

# consume --client-ip and the central policies (docs/policies.md): the
# top level denies 203.0.113.0/24, connections and clients add their own
pol=$fixtures/policy/bridge.json
now=2026-11-28T12:01:00Z
okta=$fixtures/saml/okta/response.xml
corp=$fixtures/saml/signed-response/response.xml
pd="saml2oidc: rejected: policy_denied:"
expect_exit 0 "$bin" check-config --config "$pol"
expect_line "ok"
expect_exit 0 "$bin" consume --config "$pol" --now $now \
    --client-ip 198.51.100.7 "$adfs"
expect_exit 0 "$bin" consume --config "$pol" --now $now "$adfs"
expect_exit 1 "$bin" consume --config "$pol" --now $now \
    --client-ip 203.0.113.7 "$adfs"
expect_line "$pd deny_ip_ranges: 203.0.113.7 is in 203.0.113.0/24 (policies of the top level)"
expect_exit 1 "$bin" consume --config "$pol" --now $now \
    --client-ip ::ffff:203.0.113.7 "$adfs"
expect_line "$pd deny_ip_ranges: ::ffff:203.0.113.7 is in 203.0.113.0/24 (policies of the top level)"
expect_exit 1 "$bin" consume --config "$pol" --now $now \
    --client-ip 2001:db8:bad::1 "$adfs"
expect_line "$pd deny_ip_ranges: 2001:db8:bad::1 is in 2001:db8:bad::/48 (policies of the top level)"
expect_exit 0 "$bin" consume --config "$pol" --now $now --client office-app \
    --client-ip 10.1.2.3 "$adfs"
expect_exit 0 "$bin" consume --config "$pol" --now $now --client office-app \
    --client-ip 2001:db8:1::5 "$adfs"
expect_exit 1 "$bin" consume --config "$pol" --now $now --client office-app \
    --client-ip 192.0.2.1 "$adfs"
expect_line "$pd allow_ip_ranges: 192.0.2.1 is in none of the allowed ranges (policies of client \"office-app\")"
expect_exit 1 "$bin" consume --config "$pol" --now $now --client office-app \
    "$adfs"
expect_line "$pd allow_ip_ranges: the client address is unknown (policies of client \"office-app\")"
expect_exit 0 "$bin" consume --config "$pol" --now $now \
    --client verified-app "$okta"
expect_exit 1 "$bin" consume --config "$pol" --now $now \
    --client verified-app "$adfs"
expect_line "$pd require_email_verified: email_verified is absent (policies of client \"verified-app\")"
expect_exit 0 "$bin" consume --config "$pol" --now $now --client admins-app \
    "$okta"
expect_exit 1 "$bin" consume --config "$pol" --now $now --client sales-app \
    "$adfs"
expect_line "$pd allowed_groups: none of the user's groups is allowed (policies of client \"sales-app\")"
expect_exit 1 "$bin" consume --config "$pol" --now $now "$corp"
expect_line "$pd allowed_groups: none of the user's groups is allowed (policies of connection \"corp\")"
expect_exit 1 "$bin" consume --config "$pol" --now $now --client mfa-app \
    "$adfs"
expect_line "$pd require_mfa: AuthnContextClassRef \"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport\" is not a multi-factor class (policies of client \"mfa-app\")"
expect_exit 0 "$bin" consume --config "$pol" --now $now --client kiosk-app \
    "$adfs"
expect_exit 2 "$bin" consume --config "$pol" --client-ip 203.0.113.0/24 \
    "$adfs"
expect_line "saml2oidc: consume: --client-ip: expected an IPv4 or IPv6 address, got \"203.0.113.0/24\""
expect_exit 2 "$bin" check-config --config "$fixtures/policy/bad.json"
expect_out "bad.json:6:35: policies.deny_ip_ranges[0]: \"203.0.113.0/33\" is not a CIDR range: the prefix length must be a number from 0 to 32"
expect_out "bad.json:6:54: policies.requre_mfa: unknown key (did you mean \"require_mfa\"?)"
expect_out "bad.json:10:53: connections[0].policies.allow_ip_ranges[0]: \"10.1.0.0/8\" is not a CIDR range: address bits are set past the /8 prefix"

# check-config: a mapped claim an organization's metadata sets too, mapped
# roles that are no configured role, an organization_claim never mapped
expect_exit 0 "$bin" check-config --config "$fixtures/orgs/check-warnings.json"
expect_out 'check-warnings.json: warning: connections[0].mappings_file: claim "https://acme.example.test/tier" comes from the metadata of organization org_acme: the mappings may not set it too'
expect_out 'check-warnings.json: warning: connections[0].mappings_file: roles maps to "auditor", which is no configured role: it grants no permission'
expect_out 'check-warnings.json: warning: connections[0].mappings_file: roles maps to "billing-admn", which is no configured role (did you mean "billing-admin"?): it grants no permission'
expect_out 'check-warnings.json: warning: connections[1].organization_claim: the mappings file of connection "tenants" maps no claim "https://bridge.example.test/org": every login through it is refused'
expect_line "ok"
# consume and organizations, roles and APIs (docs/organizations.md): the
# same user email at two organizations' IdPs, roles from groups and from
# default_roles, permission unions, scope reduction, each rule
org=$fixtures/orgs/bridge.json
onelogin=$fixtures/saml/onelogin/response.xml
entra=$fixtures/saml/entra-id/response.xml
google=$fixtures/saml/google-workspace/response.xml
acme_api=https://api.acme.example.test/
reports=https://reports.example.test/
partner=https://partner.acme.example.test/
want_scope="openid read:invoices write:invoices read:reports"
expect_exit 0 "$bin" check-config --config "$org"
expect_line "ok"
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims "$okta"
expect_out '"sub":"okta|alice@example.test"'
expect_out '"azp":"demo-app","org_id":"org_acme","org_name":"acme","https://acme.example.test/tier":"gold","https://acme.example.test/region":"eu","https://acme.example.test/roles":["analyst","billing-admin","invoice-viewer"],"email":"alice@example.test"'
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    "$onelogin"
expect_out '"sub":"onelogin|alice@example.test"'
expect_out '"azp":"demo-app","org_id":"org_globex","https://globex.example.test/tier":"silver","email":"alice@example.test"'
expect_no_out "org_name"
expect_no_out "acme"
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims "$adfs"
expect_no_out "org_id"
# the organization from a mapped attribute, matched by name
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    "$entra"
expect_out '"azp":"demo-app","org_id":"org_contoso","email"'
expect_exit 1 "$bin" consume --config "$org" --now $now "$google"
expect_line "$pd organization: \"Engineering\" (claim \"https://bridge.example.test/org\") is not a configured organization"
# access tokens: permissions are the union over the roles, scope is reduced
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    --token access --audience $acme_api --scope "$want_scope" "$okta"
expect_out '"aud":"https://api.acme.example.test/"'
expect_out '"client_id":"demo-app","scope":"openid read:invoices write:invoices read:reports","org_id":"org_acme","org_name":"acme","https://acme.example.test/tier":"gold","https://acme.example.test/region":"eu","https://acme.example.test/roles":["analyst","billing-admin","invoice-viewer"],"permissions":["read:invoices","write:invoices","delete:invoices","read:reports"]}'
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    --token access --audience $acme_api --scope "$want_scope" "$onelogin"
expect_out '"client_id":"demo-app","scope":"openid read:invoices read:reports","org_id":"org_globex","https://globex.example.test/tier":"silver","permissions":["read:invoices","read:reports"]}'
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    --token access --audience $acme_api --scope "$want_scope" "$entra"
expect_out '"scope":"openid read:invoices write:invoices read:reports","org_id":"org_contoso","permissions":["read:invoices","write:invoices","delete:invoices","read:reports"]'
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    --token access --audience $acme_api --scope "$want_scope" "$adfs"
expect_out '"client_id":"demo-app","scope":"openid","permissions":[]}'
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    --token access "$okta"
expect_out '"aud":"https://bridge.example.test/userinfo"'
expect_out '"scope":"openid profile email","org_id":"org_acme"'
expect_no_out "permissions"
# an API without rbac keeps the scopes it defines
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    --token access --audience $reports --scope "openid read:reports export:reports" "$onelogin"
expect_out '"scope":"openid read:reports export:reports","org_id":"org_globex"'
expect_no_out "permissions"
# audience_for_organization: the top level's, then the API's own list
expect_exit 1 "$bin" consume --config "$org" --now $now --token access \
    --audience $reports "$entra"
expect_line "$pd audience_for_organization: tokens for \"https://reports.example.test/\" are for members of org_acme, org_globex; the user's is org_contoso (policies of the top level)"
expect_exit 1 "$bin" consume --config "$org" --now $now --audience $reports \
    "$adfs"
expect_line "$pd audience_for_organization: tokens for \"https://reports.example.test/\" are for members of org_acme, org_globex; the user's is no organization (policies of the top level)"
expect_exit 0 "$bin" consume --config "$org" --now $now --format claims \
    --token access --audience $partner --scope "openid read:orders" "$okta"
expect_out '"scope":"openid read:orders","org_id":"org_acme"'
expect_no_out "permissions"
expect_exit 1 "$bin" consume --config "$org" --now $now --audience $partner \
    "$onelogin"
expect_line "$pd audience_for_organization: tokens for \"https://partner.acme.example.test/\" are for members of org_acme; the user's is org_globex (allowed_organizations of the API)"
# an API's own policies apply to logins that ask for it
expect_exit 1 "$bin" consume --config "$org" --now $now --audience https://payroll.example.test/ "$okta"
expect_line "$pd require_mfa: AuthnContextClassRef \"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport\" is not a multi-factor class (policies of API \"https://payroll.example.test/\")"
# a login for an organization (/authorize?organization=), pinned clients
expect_exit 0 "$bin" consume --config "$org" --now $now --organization org_acme "$okta"
expect_exit 0 "$bin" consume --config "$org" --now $now --organization acme "$okta"
expect_exit 1 "$bin" consume --config "$org" --now $now --organization org_acme \
    "$onelogin"
expect_line "$pd organization: the login is for organization org_acme; the user authenticated through connection \"onelogin\" of org_globex"
expect_exit 1 "$bin" consume --config "$org" --now $now --organization org_acme \
    "$adfs"
expect_line "$pd organization: the login is for organization org_acme; the user authenticated through connection \"adfs\" of no organization"
expect_exit 1 "$bin" consume --config "$org" --now $now --organization org_nope \
    "$okta"
expect_line "$pd organization: no organization \"org_nope\" is configured"
expect_exit 0 "$bin" consume --config "$org" --now $now --client acme-portal "$okta"
expect_exit 1 "$bin" consume --config "$org" --now $now --client acme-portal \
    "$onelogin"
expect_line "$pd organization: client \"acme-portal\" is for members of org_acme; the user authenticated through connection \"onelogin\" of org_globex"
expect_exit 0 "$bin" consume --config "$org" --now $now --client members-app "$onelogin"
expect_exit 1 "$bin" consume --config "$org" --now $now --client members-app "$adfs"
expect_line "$pd organization: client \"members-app\" requires an organization; connection \"adfs\" belongs to none"
# requested scopes are checked against the audience
expect_exit 2 "$bin" consume --config "$org" --now $now --audience $acme_api \
    --scope "openid read:nothing" "$okta"
expect_line "saml2oidc: consume: --scope: scope: \"read:nothing\" is not a permission of API \"https://api.acme.example.test/\""
expect_exit 2 "$bin" consume --config "$org" --now $now \
    --scope "openid read:invoices" "$okta"
expect_line "saml2oidc: consume: --scope: scope: \"read:invoices\" is not an OpenID Connect scope; an API's permission needs its audience"
expect_exit 2 "$bin" consume --config "$org" --now $now --audience https://nope.example.test/ "$okta"
expect_line "saml2oidc: usage: --audience: no API \"https://nope.example.test/\" is configured"
expect_exit 2 "$bin" consume --config "$org" --token refresh "$okta"
expect_line "saml2oidc: consume: --token: expected id or access, got \"refresh\""

# metadata: the SP metadata an admin hands to an IdP
expect_exit 0 "$bin" metadata --config "$fixtures/saml/bridge.json"
expect_out '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://bridge.example.test/saml">'
expect_exit 0 "$bin" metadata --config "$fixtures/saml/bridge.json" --signed
expect_out '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
expect_exit 0 "$bin" metadata --help
expect_out "usage: saml2oidc metadata --config CONFIG [--signed]"
expect_exit 2 "$bin" metadata
expect_out "usage: saml2oidc metadata --config CONFIG [--signed]"

# metadata import: an IdP's metadata to a connection entry and its
# certificates (byte-identical to the ones the metadata was made from)
md=$fixtures/metadata
imp=$(mktemp -d)
expect_exit 0 "$bin" metadata import --now 2026-11-28T12:00:00Z \
    --name adfs --cert-dir "$imp" "$md/adfs.xml"
expect_out '"idp_entity_id": "http://adfs.corp.example.test/adfs/services/trust"'
expect_out '"sso_url": "https://adfs.corp.example.test/adfs/ls/"'
expect_out '"sso_binding": "redirect"'
expect_out "\"$imp/adfs-signing-2.pem\""
expect_no_out "adfs-signing-3.pem"	# the WS-Federation role's is not SAML's
cmp -s "$imp/adfs-signing-1.pem" "$fixtures/keys/idp-rsa.crt" ||
    fail "adfs-signing-1.pem differs from idp-rsa.crt"
cmp -s "$imp/adfs-signing-2.pem" "$fixtures/keys/idp-rsa-next.crt" ||
    fail "adfs-signing-2.pem differs from idp-rsa-next.crt"
expect_exit 2 "$bin" metadata import --name adfs --cert-dir "$imp" \
    "$md/adfs.xml"
expect_out "adfs-signing-1.pem: File exists"
expect_exit 0 "$bin" metadata import --name okta --cert-dir "$imp" \
    "$md/okta.xml"
expect_out '"sign_requests": true'
expect_out '"sso_binding": "post"'
expect_exit 2 "$bin" metadata import --cert-dir "$imp" "$md/aggregate.xml"
expect_line "saml2oidc: rejected: usage: the aggregate describes 2 identity providers: name one with its entityID"
expect_exit 0 "$bin" metadata import --name uni --cert-dir "$imp" \
    --entity https://idp.university.example.test/idp/shibboleth \
    "$md/aggregate.xml"
expect_out '"idp_entity_id": "https://idp.university.example.test/idp/shibboleth"'
expect_exit 1 "$bin" metadata import --name x --cert-dir "$imp" \
    --entity https://nobody.example.test/ "$md/aggregate.xml"
expect_line "saml2oidc: rejected: issuer_mismatch: no identity provider \"https://nobody.example.test/\" in the aggregate (2 described)"
expect_exit 1 "$bin" metadata import --now 2026-11-28T12:00:00Z \
    --cert-dir "$imp" "$md/expired.xml"
expect_line "saml2oidc: rejected: expired: the metadata's validUntil 2026-01-01T00:00:00Z has passed: it may no longer be trusted"
printf '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' \
    >"$imp/xxe.xml"
expect_exit 1 "$bin" metadata import --cert-dir "$imp" "$imp/xxe.xml"
expect_line "saml2oidc: rejected: malformed: a DOCTYPE is not allowed in a SAML message"
rm -rf "$imp"

# check-config with IdP metadata, and certificates about to expire (every
# fixture certificate ends 2045-01-01T00:00:00Z)
mdc=$fixtures/metadata/conf
expect_exit 0 "$bin" check-config --config "$mdc/base.json"
expect_line "ok"
expect_no_out "expires at"
expect_exit 0 "$bin" check-config --config "$mdc/base.json" --now 2044-12-20T00:00:00Z
expect_line "ok"
expect_line "$mdc/base.json: warning: connections[0].metadata[1]: the certificate metadata #2 expires at 2045-01-01T00:00:00Z, in 12 days: roll it over"
expect_line "$mdc/base.json: warning: sp.signing_certificate_file: the certificate $mdc/../../keys/sp-sign.crt expires at 2045-01-01T00:00:00Z, in 12 days: roll it over"
expect_exit 2 "$bin" check-config --config "$mdc/mismatch.json"
expect_line "$mdc/mismatch.json:19:24: connections[0].metadata_file: idp_entity_id \"https://adfs.other.example.test/\" is not the metadata's entityID \"http://adfs.corp.example.test/adfs/services/trust\""
expect_exit 2 "$bin" check-config --config "$mdc/tampered.json"
expect_line "$mdc/tampered.json:19:24: connections[0].metadata_file: $mdc/../tampered.xml: signature_invalid: the digest of the signed EntityDescriptor does not match: it was changed after signing"

# consume through a connection whose keys come from metadata: idp.xml
# names idp-rsa, which signed the Response; idp-next.xml does not
expect_exit 0 "$bin" consume --config "$mdc/consume.json" \
    --now 2026-11-28T12:01:00Z --format claims \
    "$fixtures/saml/signed-response/response.xml"
expect_out '"sub":"corp|alice@example.test"'
expect_exit 1 "$bin" consume --config "$mdc/consume-next.json" \
    --now 2026-11-28T12:01:00Z "$fixtures/saml/signed-response/response.xml"
expect_out "saml2oidc: rejected: untrusted_key: the samlp:Response is signed by a certificate not among the connection's metadata's signing certificates: \"/O=saml2oidc test fixtures/CN=idp.example.test\""

expect_done
