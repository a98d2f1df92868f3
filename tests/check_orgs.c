/* SPDX-License-Identifier: MIT */
/*
 * Organizations and RBAC (docs/organizations.md), with the signed
 * fixtures of fixtures/saml/ and the configuration fixtures/orgs/bridge.json:
 *
 * - orgs/grant: each case runs one Response through the consume path
 *   (verify, map, the central policies, s2o_policy_grant) and asserts the
 *   exact organization and RBAC claims of both tokens and the granted
 *   scope, or the exact policy_denied detail: members and non-members,
 *   the same email at two organizations, roles from groups and from
 *   default_roles, permission unions, scope reduction, each rule allowing
 *   and denying;
 * - orgs/mint: those claims in the minted tokens, next to distinct subs;
 * - orgs/authorize: audience, scope and organization at /authorize;
 * - orgs/server: /authorize's pending login through /saml/acs and /token
 *   to the tokens, and a refusal at the ACS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config.h"
#include "map/map.h"
#include "oidc/oidc.h"
#include "policy/policy.h"
#include "saml/saml.h"
#include "token/token.h"
#include "helpers.h"

#define NOW	1795867260	/* 2026-11-28T12:01:00Z: the fixtures' meta */
#define ACME	"https://api.acme.example.test/"
#define REPORTS	"https://reports.example.test/"
#define PARTNER	"https://partner.acme.example.test/"
#define PAYROLL	"https://payroll.example.test/"
#define ASKED	"openid read:invoices write:invoices read:reports"
#define CB	"http://127.0.0.1:3000/cb"
#define SSO	"https://acme.okta.example.test/app/sso/saml"
/* RFC 7636 appendix B: a verifier and its S256 challenge */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

/* The claims every token of a member of Acme carries. */
#define ACME_CLAIMS "\"org_id\":\"org_acme\",\"org_name\":\"acme\"," \
	"\"https://acme.example.test/tier\":\"gold\"," \
	"\"https://acme.example.test/region\":\"eu\"," \
	"\"https://acme.example.test/roles\":[\"analyst\",\"billing-admin\"," \
	"\"invoice-viewer\"]"
#define GLOBEX_CLAIMS "\"org_id\":\"org_globex\"," \
	"\"https://globex.example.test/tier\":\"silver\""

static const struct grant_case {
	const char	*fixture;	/* under fixtures/saml/ */
	const char	*client;	/* NULL: demo-app */
	const char	*organization;	/* required organization or NULL */
	const char	*audience;
	const char	*scope;
	const char	*detail;	/* policy_denied detail; NULL: granted */
	const char	*id_claims;	/* exact JSON */
	const char	*access_claims;
	const char	*granted;	/* the access token's scope or NULL */
} grant_cases[] = {
	/* membership: fixed by the connection, or none */
	{ "okta", NULL, NULL, NULL, "openid email", NULL,
	    "{" ACME_CLAIMS "}", "{" ACME_CLAIMS "}", "openid email" },
	{ "onelogin", NULL, NULL, NULL, "openid", NULL,
	    "{" GLOBEX_CLAIMS "}", "{" GLOBEX_CLAIMS "}", "openid" },
	{ "adfs", NULL, NULL, NULL, "openid", NULL, "{}", "{}", "openid" },
	/* scopes OpenID Connect defines and the bridge does not serve */
	{ "okta", NULL, NULL, NULL, "openid offline_access phone email "
	    "address", NULL, "{" ACME_CLAIMS "}", "{" ACME_CLAIMS "}",
	    "openid email" },
	/* from a mapped claim, matched by name; an unknown one is refused */
	{ "entra-id", NULL, NULL, NULL, "openid", NULL,
	    "{\"org_id\":\"org_contoso\"}", "{\"org_id\":\"org_contoso\"}",
	    "openid" },
	{ "google-workspace", NULL, NULL, NULL, "openid",
	    "organization: \"Engineering\" (claim \"https://bridge.example.test/"
	    "org\") is not a configured organization", NULL, NULL, NULL },
	/* permissions: the union over the roles; scope reduced to them */
	{ "okta", NULL, NULL, ACME, ASKED, NULL, "{" ACME_CLAIMS "}",
	    "{" ACME_CLAIMS ",\"permissions\":[\"read:invoices\","
	    "\"write:invoices\",\"delete:invoices\",\"read:reports\"]}", ASKED },
	{ "onelogin", NULL, NULL, ACME, ASKED, NULL, "{" GLOBEX_CLAIMS "}",
	    "{" GLOBEX_CLAIMS ",\"permissions\":[\"read:invoices\","
	    "\"read:reports\"]}", "openid read:invoices read:reports" },
	{ "entra-id", NULL, NULL, ACME, "openid delete:invoices", NULL,
	    "{\"org_id\":\"org_contoso\"}", "{\"org_id\":\"org_contoso\","
	    "\"permissions\":[\"read:invoices\",\"write:invoices\","
	    "\"delete:invoices\",\"read:reports\"]}",
	    "openid delete:invoices" },
	{ "adfs", NULL, NULL, ACME, ASKED, NULL, "{}",
	    "{\"permissions\":[]}", "openid" },
	/* an API without rbac keeps what it defines; no permissions */
	{ "onelogin", NULL, NULL, REPORTS, "openid read:reports "
	    "export:reports", NULL, "{" GLOBEX_CLAIMS "}",
	    "{" GLOBEX_CLAIMS "}", "openid read:reports export:reports" },
	/* audience_for_organization: the top level's, the API's own */
	{ "okta", NULL, NULL, REPORTS, "openid", NULL, "{" ACME_CLAIMS "}",
	    "{" ACME_CLAIMS "}", "openid" },
	{ "entra-id", NULL, NULL, REPORTS, "openid",
	    "audience_for_organization: tokens for \"" REPORTS "\" are for "
	    "members of org_acme, org_globex; the user's is org_contoso "
	    "(policies of the top level)", NULL, NULL, NULL },
	{ "adfs", NULL, NULL, REPORTS, "openid",
	    "audience_for_organization: tokens for \"" REPORTS "\" are for "
	    "members of org_acme, org_globex; the user's is no organization "
	    "(policies of the top level)", NULL, NULL, NULL },
	{ "okta", NULL, NULL, PARTNER, "openid read:orders", NULL,
	    "{" ACME_CLAIMS "}", "{" ACME_CLAIMS "}", "openid read:orders" },
	{ "onelogin", NULL, NULL, PARTNER, "openid read:orders",
	    "audience_for_organization: tokens for \"" PARTNER "\" are for "
	    "members of org_acme; the user's is org_globex "
	    "(allowed_organizations of the API)", NULL, NULL, NULL },
	/* a login for an organization, by id or name */
	{ "okta", NULL, "org_acme", NULL, "openid", NULL, "{" ACME_CLAIMS "}",
	    "{" ACME_CLAIMS "}", "openid" },
	{ "okta", NULL, "acme", NULL, "openid", NULL, "{" ACME_CLAIMS "}",
	    "{" ACME_CLAIMS "}", "openid" },
	{ "onelogin", NULL, "org_acme", NULL, "openid",
	    "organization: the login is for organization org_acme; the user "
	    "authenticated through connection \"onelogin\" of org_globex",
	    NULL, NULL, NULL },
	{ "adfs", NULL, "globex", NULL, "openid",
	    "organization: the login is for organization org_globex; the user "
	    "authenticated through connection \"adfs\" of no organization",
	    NULL, NULL, NULL },
	{ "okta", NULL, "org_nope", NULL, "openid",
	    "organization: no organization \"org_nope\" is configured",
	    NULL, NULL, NULL },
	/* clients pinned to organizations, or requiring one */
	{ "okta", "acme-portal", NULL, NULL, "openid", NULL,
	    "{" ACME_CLAIMS "}", "{" ACME_CLAIMS "}", "openid" },
	{ "onelogin", "acme-portal", NULL, NULL, "openid",
	    "organization: client \"acme-portal\" is for members of org_acme; "
	    "the user authenticated through connection \"onelogin\" of "
	    "org_globex", NULL, NULL, NULL },
	{ "adfs", "acme-portal", NULL, NULL, "openid",
	    "organization: client \"acme-portal\" is for members of org_acme; "
	    "the user authenticated through connection \"adfs\" of no "
	    "organization", NULL, NULL, NULL },
	{ "onelogin", "members-app", NULL, NULL, "openid", NULL,
	    "{" GLOBEX_CLAIMS "}", "{" GLOBEX_CLAIMS "}", "openid" },
	{ "adfs", "members-app", NULL, NULL, "openid",
	    "organization: client \"members-app\" requires an organization; "
	    "connection \"adfs\" belongs to none", NULL, NULL, NULL },
};
#define NGRANT	(sizeof(grant_cases) / sizeof(grant_cases[0]))

/* xmlsec once per test process, as s2o_saml_init() asks. */
static void
saml_init(void)
{
	static bool	done;
	struct s2o_err	err;

	s2o_err_clear(&err);
	if (!done)
		ck_assert_msg(s2o_saml_init(&err) == 0, "%s", err.detail);
	done = true;
}

static struct s2o_config *
load_config(void)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(fx_path("orgs/bridge.json"), &d, &err);
	ck_assert_msg(cfg != NULL, "%s", d.nerrors ? d.v[0].text : err.detail);
	s2o_diags_cleanup(&d);
	return cfg;
}

/* One login through the consume path, up to the grant. */
struct login {
	struct s2o_config		*cfg;
	struct s2o_mapping		*m;
	struct s2o_assertion		*a;
	const struct s2o_connection	*conn;
	struct s2o_map_result		 mr;
	struct s2o_policy_grant		 g;
	struct s2o_clock		 clock;
};

static int
login_run(struct login *L, const struct grant_case *c, struct s2o_err *err)
{
	struct s2o_saml_response	*r;
	struct s2o_saml_trust		*trust;
	struct s2o_saml_expect		 exp;
	struct s2o_policy_set		*ps;
	struct s2o_policy_login		 in;
	struct s2o_diags		 d;
	char				 rel[128], *xml;
	size_t				 len;
	int				 rc;

	memset(L, 0, sizeof(*L));
	s2o_map_result_init(&L->mr);
	s2o_policy_grant_init(&L->g);
	s2o_clock_init_fixed(&L->clock, NOW);
	L->cfg = load_config();
	saml_init();
	snprintf(rel, sizeof(rel), "saml/%s/response.xml", c->fixture);
	xml = fx_read(fx_path(rel), &len);
	ck_assert_ptr_nonnull(r = s2o_saml_response_parse(xml, len,
	    L->cfg->max_response_bytes, err));
	free(xml);
	ck_assert_ptr_nonnull(L->conn = s2o_config_connection_by_issuer(
	    L->cfg, s2o_saml_response_issuer(r)));
	ck_assert_ptr_nonnull(trust = s2o_saml_trust_new(&L->cfg->sp,
	    L->conn, err));
	memset(&exp, 0, sizeof(exp));
	exp.sp = &L->cfg->sp;
	exp.conn = L->conn;
	exp.trust = trust;
	exp.clock = &L->clock;
	exp.clock_skew = L->cfg->clock_skew;
	L->a = s2o_saml_response_consume(r, &exp, err);
	s2o_saml_response_free(r);
	s2o_saml_trust_free(trust);
	ck_assert_msg(L->a != NULL, "%s", err->detail);
	s2o_diags_init(&d);
	L->m = s2o_map_load(L->conn->mappings_file, &d, err);
	s2o_diags_cleanup(&d);
	ck_assert_ptr_nonnull(L->m);
	ck_assert_int_eq(s2o_map_apply(L->m, L->a, L->conn->name, 0, &L->mr,
	    err), 0);
	memset(&in, 0, sizeof(in));
	in.cfg = L->cfg;
	in.conn = L->conn;
	in.client = s2o_config_client(L->cfg, c->client ? c->client :
	    "demo-app");
	ck_assert_ptr_nonnull(in.client);
	in.profile = L->mr.profile;
	in.roles_claim = s2o_map_roles_claim(L->m);
	in.organization = c->organization;
	in.audience = c->audience;
	in.scope = c->scope;
	ck_assert_int_eq(s2o_policy_scope_check(s2o_config_api(L->cfg,
	    c->audience), c->scope, err), 0);
	/* the central policies first, as consume and the ACS do */
	ck_assert_ptr_nonnull(ps = s2o_policy_set_for(L->cfg, L->conn,
	    in.client, err));
	rc = s2o_policy_check(ps, NULL, L->mr.profile, L->a->authn_context,
	    err);
	s2o_policy_set_free(ps);
	ck_assert_int_eq(rc, 0);
	return s2o_policy_grant(&in, &L->g, err);
}

static void
login_free(struct login *L)
{
	s2o_policy_grant_cleanup(&L->g);
	s2o_map_result_cleanup(&L->mr);
	s2o_map_free(L->m);
	s2o_assertion_free(L->a);
	s2o_config_free(L->cfg);
}

START_TEST(test_grant_case)
{
	const struct grant_case	*c = &grant_cases[_i];
	struct login		 L;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	if (c->detail != NULL) {
		ck_assert_int_eq(login_run(&L, c, &err), -1);
		ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, c->detail);
		ck_assert_str_eq(err.detail, c->detail);
		ck_assert_ptr_null(L.g.id_claims);
		ck_assert_ptr_null(L.g.access_claims);
	} else {
		ck_assert_msg(login_run(&L, c, &err) == 0, "%s", err.detail);
		/* the objects, written out in their own key order */
		ck_assert_json_text(L.g.id_claims, c->id_claims);
		ck_assert_json_text(L.g.access_claims, c->access_claims);
		ck_assert_str_eq(L.g.scope, c->granted);
		ck_assert_ptr_eq(L.g.api, s2o_config_api(L.cfg, c->audience));
	}
	login_free(&L);
}
END_TEST

/* The payload of a compact JWS as JSON. */
static json_t *
payload(const char *jws)
{
	const char	*p = strchr(jws, '.'), *q;
	unsigned char	*json;
	size_t		 len;
	struct s2o_err	 err;
	json_t		*o;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q = strchr(p + 1, '.'));
	ck_assert_ptr_nonnull(json = s2o_b64url_decode(p + 1,
	    (size_t)(q - p - 1), 65536, &len, &err));
	ck_assert_ptr_nonnull(o = json_loadb((char *)json, len, 0, NULL));
	free(json);
	return o;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Mints both tokens of a granted login; returns their claims. */
static void
mint_both(struct login *L, const struct grant_case *c, json_t **id,
    json_t **at)
{
	struct s2o_keyset		*ks;
	struct s2o_token_id_req		 ir;
	struct s2o_token_access_req	 ar;
	struct s2o_err			 err;
	char				*t;

	s2o_err_clear(&err);
	ck_assert_int_eq(login_run(L, c, &err), 0);
	ck_assert_ptr_nonnull(ks = s2o_token_keyset_new(L->cfg, &err));
	memset(&ir, 0, sizeof(ir));
	ir.issuer = L->cfg->issuer;
	ir.sub = L->mr.sub;
	ir.aud = "demo-app";
	ir.clock = &L->clock;
	ir.ttl = 300;
	ir.bridge_claims = L->g.id_claims;
	ir.extra_claims = L->mr.id_token;
	ck_assert_ptr_nonnull(t = s2o_token_id_mint(ks, &ir, &err));
	*id = payload(t);
	free(t);
	memset(&ar, 0, sizeof(ar));
	ar.issuer = L->cfg->issuer;
	ar.sub = L->mr.sub;
	ar.aud = c->audience;
	ar.client_id = "demo-app";
	ar.scope = L->g.scope;
	ar.clock = &L->clock;
	ar.ttl = 300;
	ar.bridge_claims = L->g.access_claims;
	ck_assert_ptr_nonnull(t = s2o_token_access_mint(ks, &ar, &err));
	*at = payload(t);
	free(t);
	s2o_token_keyset_free(ks);
}

/* The same email at Acme and at Globex: two users, no cross-talk. */
START_TEST(test_mint_two_orgs_same_email)
{
	static const struct grant_case acme = { "okta", NULL, NULL, ACME,
	    ASKED, NULL, NULL, NULL, NULL };
	static const struct grant_case globex = { "onelogin", NULL, NULL,
	    ACME, ASKED, NULL, NULL, NULL, NULL };
	struct login	 L1, L2;
	json_t		*id1, *at1, *id2, *at2, *p;

	mint_both(&L1, &acme, &id1, &at1);
	mint_both(&L2, &globex, &id2, &at2);
	ck_assert_str_eq(jstr(id1, "email"), jstr(id2, "email"));
	ck_assert_str_eq(jstr(id1, "sub"), "okta|alice@example.test");
	ck_assert_str_eq(jstr(id2, "sub"), "onelogin|alice@example.test");
	ck_assert_str_eq(jstr(at1, "sub"), jstr(id1, "sub"));
	ck_assert_str_eq(jstr(at2, "sub"), jstr(id2, "sub"));
	/* org_id in both tokens, each its own */
	ck_assert_str_eq(jstr(id1, "org_id"), "org_acme");
	ck_assert_str_eq(jstr(at1, "org_id"), "org_acme");
	ck_assert_str_eq(jstr(id2, "org_id"), "org_globex");
	ck_assert_str_eq(jstr(at2, "org_id"), "org_globex");
	/* org_name and metadata claims only where configured */
	ck_assert_str_eq(jstr(id1, "org_name"), "acme");
	ck_assert_ptr_null(json_object_get(id2, "org_name"));
	ck_assert_str_eq(jstr(at1, "https://acme.example.test/tier"), "gold");
	ck_assert_ptr_null(json_object_get(at2,
	    "https://acme.example.test/tier"));
	ck_assert_str_eq(jstr(at2, "https://globex.example.test/tier"),
	    "silver");
	/* permissions only in the access token; the ID token keeps the
	 * mapped roles claim of its own mapping */
	ck_assert_ptr_null(json_object_get(id1, "permissions"));
	ck_assert_uint_eq(json_array_size(json_object_get(at1,
	    "permissions")), 4);
	p = json_object_get(at2, "permissions");
	ck_assert_uint_eq(json_array_size(p), 2);
	ck_assert_str_eq(json_string_value(json_array_get(p, 0)),
	    "read:invoices");
	ck_assert_str_eq(json_string_value(json_array_get(p, 1)),
	    "read:reports");
	ck_assert_str_eq(jstr(at1, "scope"), ASKED);
	ck_assert_str_eq(jstr(at2, "scope"),
	    "openid read:invoices read:reports");
	ck_assert_str_eq(jstr(at1, "aud"), ACME);
	json_decref(id1);
	json_decref(at1);
	json_decref(id2);
	json_decref(at2);
	login_free(&L1);
	login_free(&L2);
}
END_TEST

/* A mapped claim may not take the name of one the grant sets. */
START_TEST(test_mint_collision)
{
	static const struct grant_case c = { "okta", NULL, NULL, NULL,
	    "openid", NULL, NULL, NULL, NULL };
	struct login			 L;
	struct s2o_keyset		*ks;
	struct s2o_token_id_req		 ir;
	struct s2o_err			 err;
	json_t				*extra;

	s2o_err_clear(&err);
	ck_assert_int_eq(login_run(&L, &c, &err), 0);
	ck_assert_ptr_nonnull(ks = s2o_token_keyset_new(L.cfg, &err));
	memset(&ir, 0, sizeof(ir));
	ir.issuer = L.cfg->issuer;
	ir.sub = L.mr.sub;
	ir.aud = "demo-app";
	ir.clock = &L.clock;
	ir.ttl = 300;
	ir.bridge_claims = L.g.id_claims;
	ir.extra_claims = extra = s2o_test_json(
	    "{\"https://acme.example.test/tier\":\"platinum\"}");
	ck_assert_ptr_null(s2o_token_id_mint(ks, &ir, &err));
	json_decref(extra);
	ck_assert_s2o_err(&err, S2O_R_MAPPING_INVALID, "claim "
	    "\"https://acme.example.test/tier\" is set by the bridge and "
	    "cannot be mapped into the ID token");
	s2o_token_keyset_free(ks);
	login_free(&L);
}
END_TEST

/* ---- the server ------------------------------------------------------- */

struct server {
	struct s2o_config		*cfg;
	struct s2o_keyset		*ks;
	struct s2o_oidc_provider	*op;
	struct s2o_oidc_env		 env;
	struct s2o_clock		 clock;
};

static void
server_open(struct server *s)
{
	struct s2o_err	err;

	memset(s, 0, sizeof(*s));
	s2o_err_clear(&err);
	s->cfg = load_config();
	ck_assert_ptr_nonnull(s->ks = s2o_token_keyset_new(s->cfg, &err));
	ck_assert_msg((s->op = s2o_oidc_provider_new(s->cfg, s->ks, &err)) !=
	    NULL, "%s", err.detail);
	saml_init();
	s2o_clock_init_fixed(&s->clock, NOW);
	s->env.op = s->op;
	s->env.clock = &s->clock;
	ck_assert_ptr_nonnull(s->env.store = s2o_store_memory_new(&s->clock,
	    &err));
}

static void
server_close(struct server *s)
{
	s2o_store_free(s->env.store);
	s2o_oidc_provider_free(s->op);
	s2o_token_keyset_free(s->ks);
	s2o_config_free(s->cfg);
}

/* An empty request of method, with the correlation id pages show. */
static void
req_init(struct s2o_oidc_request *req, const char *method)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->request_id = "0123456789abcdef";
}

static size_t
params(struct s2o_oidc_param *v, size_t max, const char *const *kv)
{
	size_t	n = 0;

	for (; kv[0] != NULL && n < max; kv += 2, n++) {
		v[n].name = kv[0];
		v[n].value = kv[1];
		v[n].len = strlen(kv[1]);
	}
	return n;
}

static const struct {
	const char	*extra[8];	/* more parameters, NULL-terminated */
	const char	*error;		/* NULL: accepted */
	const char	*detail;
} authz_cases[] = {
	{ { "audience", ACME, "scope", ASKED, NULL }, NULL, NULL },
	{ { "audience", PARTNER, "scope", "openid read:orders",
	    "organization", "acme", NULL }, NULL, NULL },
	{ { "scope", "openid profile email", NULL }, NULL, NULL },
	{ { "scope", "openid offline_access phone address", NULL }, NULL,
	    NULL },
	{ { "audience", "https://nope.example.test/", "scope", "openid",
	    NULL }, "invalid_request",
	    "audience: no API https://nope.example.test/ is configured" },
	{ { "audience", ACME, "scope", "openid read:orders", NULL },
	    "invalid_scope", "scope: \"read:orders\" is not a permission of "
	    "API \"" ACME "\"" },
	{ { "scope", "openid read:invoices", NULL }, "invalid_scope",
	    "scope: \"read:invoices\" is not an OpenID Connect scope; an "
	    "API's permission needs its audience" },
	{ { "scope", "openid", "organization", "org_nope", NULL },
	    "invalid_request",
	    "organization: no organization org_nope is configured" },
	{ { "scope", "openid", "audience", ACME, "audience", ACME, NULL },
	    "invalid_request", "audience: given more than once" },
};
#define NAUTHZ	(sizeof(authz_cases) / sizeof(authz_cases[0]))

START_TEST(test_authorize_case)
{
	struct server		 s;
	struct s2o_oidc_param	 v[32];
	struct s2o_oidc_request	 req;
	struct s2o_oidc_response resp;
	struct s2o_oidc_authz	 a;
	struct s2o_err		 err;
	const char		*kv[40] = { "client_id", "demo-app",
	    "redirect_uri", CB, "response_type", "code", "state", "st",
	    "nonce", "nc", "code_challenge", CHALLENGE,
	    "code_challenge_method", "S256", "connection", "okta" };
	size_t			 n = 16, i;
	const char		*p;
	char			 relay[64], *text;
	json_t			*o;

	for (i = 0; authz_cases[_i].extra[i] != NULL; i++)
		kv[n++] = authz_cases[_i].extra[i];
	kv[n] = NULL;
	server_open(&s);
	req_init(&req, "GET");
	req.query = v;
	req.nquery = params(v, 32, kv);
	s2o_err_clear(&err);
	if (authz_cases[_i].error == NULL) {
		ck_assert_msg(s2o_oidc_authorize_check(s.cfg, &req, &a,
		    &err) == 0, "%s", err.detail);
		/* the pending login keeps what the ACS needs */
		s2o_oidc_response_init(&resp);
		ck_assert_msg(s2o_oidc_authorize(&s.env, &req, &resp, &err) ==
		    0, "%s", err.detail);
		ck_assert_int_eq(resp.status, 302);
		ck_assert_msg(strncmp(resp.location, SSO "?SAMLRequest=",
		    strlen(SSO "?SAMLRequest=")) == 0, "%s", resp.location);
		/* the pending login keeps the audience and organization */
		ck_assert_ptr_nonnull(p = strstr(resp.location,
		    "&RelayState="));
		s2o_strlcpy(relay, p + 12, sizeof(relay));
		relay[strcspn(relay, "&")] = '\0';
		ck_assert_int_eq(s2o_store_take(s.env.store, S2O_OIDC_NS_AUTHN,
		    relay, &text, &err), 0);
		ck_assert_ptr_nonnull(o = json_loads(text, 0, NULL));
		if (strcmp(authz_cases[_i].extra[0], "audience") != 0)
			ck_assert_ptr_null(jstr(o, "audience"));
		for (i = 0; authz_cases[_i].extra[i] != NULL; i += 2)
			if (strcmp(authz_cases[_i].extra[i], "audience") == 0 ||
			    strcmp(authz_cases[_i].extra[i], "organization") ==
			    0 || strcmp(authz_cases[_i].extra[i], "scope") == 0)
				ck_assert_str_eq(jstr(o,
				    authz_cases[_i].extra[i]),
				    authz_cases[_i].extra[i + 1]);
		json_decref(o);
		free(text);
		s2o_oidc_response_cleanup(&resp);
	} else {
		ck_assert_int_eq(s2o_oidc_authorize_check(s.cfg, &req, &a,
		    &err), -1);
		ck_assert_str_eq(a.error, authz_cases[_i].error);
		ck_assert_str_eq(err.detail, authz_cases[_i].detail);
		/* the client and its redirect_uri are verified: the error
		 * goes back to the client (RFC 6749 §4.1.2.1) */
		ck_assert_ptr_nonnull(a.redirect_uri);
		s2o_oidc_response_init(&resp);
		ck_assert_int_eq(s2o_oidc_authorize(&s.env, &req, &resp, &err),
		    0);
		ck_assert_int_eq(resp.status, 302);
		ck_assert_msg(strncmp(resp.location, CB "?error=",
		    strlen(CB "?error=")) == 0, "%s", resp.location);
		ck_assert_ptr_nonnull(strstr(resp.location,
		    authz_cases[_i].error));
		s2o_oidc_response_cleanup(&resp);
	}
	server_close(&s);
}
END_TEST

/* An API that requires MFA asks the IdP for it (RequestedAuthnContext). */
START_TEST(test_authn_contexts_api)
{
	struct server	 s;
	struct s2o_err	 err;
	char		**v;
	size_t		 i;

	server_open(&s);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_oidc_authn_contexts_api(s.cfg, &s.cfg->connections[0],
	    &s.cfg->clients[0], s2o_config_api(s.cfg, ACME), NULL, &v, &err), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(s2o_oidc_authn_contexts_api(s.cfg, &s.cfg->connections[0],
	    &s.cfg->clients[0], s2o_config_api(s.cfg, PAYROLL), NULL, &v, &err),
	    0);
	ck_assert_ptr_nonnull(v);
	for (i = 0; s2o_policy_mfa_classes[i] != NULL; i++)
		ck_assert_str_eq(v[i], s2o_policy_mfa_classes[i]);
	ck_assert_ptr_null(v[i]);
	s2o_oidc_authn_contexts_free(v);
	server_close(&s);
}
END_TEST

/* Stores the pending login /authorize would have made for fixture. */
static void
pending(struct server *s, const char *relay, const char *fixture,
    const char *conn, const char *client, const char *scope,
    const char *audience, const char *organization)
{
	struct s2o_err	 err;
	json_t		*o;
	char		*v, rid[64];

	s2o_err_clear(&err);
	snprintf(rid, sizeof(rid), "_req-%s", fixture);
	ck_assert_ptr_nonnull(o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:i, s:s?, s:s?}", "request_id", rid, "client_id",
	    client, "scope", scope, "response_mode", "query", "redirect_uri",
	    CB, "state", "st", "nonce", "nc", "code_challenge", CHALLENGE,
	    "connection", conn, "created", 0, "audience", audience,
	    "organization", organization));
	ck_assert_ptr_nonnull(v = json_dumps(o, JSON_COMPACT));
	ck_assert_int_eq(s2o_store_put(s->env.store, S2O_OIDC_NS_AUTHN, relay,
	    v, NOW + 600, &err), 0);
	free(v);
	json_decref(o);
}

/* POSTs the fixture's Response to the ACS under relay. */
static void
acs(struct server *s, const char *fixture, const char *relay,
    struct s2o_oidc_response *resp)
{
	struct s2o_oidc_param	 f[2];
	struct s2o_oidc_request	 req;
	struct s2o_err		 err;
	char			 rel[128], *xml;

	req_init(&req, "POST");
	snprintf(rel, sizeof(rel), "saml/%s/response.xml", fixture);
	xml = fx_read(fx_path(rel), NULL);
	f[0].name = "SAMLResponse";
	f[0].value = xml;
	f[0].len = strlen(xml);
	f[1].name = "RelayState";
	f[1].value = relay;
	f[1].len = strlen(relay);
	req.form = f;
	req.nform = 2;
	s2o_err_clear(&err);
	s2o_oidc_response_init(resp);
	ck_assert_msg(s2o_oidc_acs(&s->env, &req, resp, &err) == 0, "%s",
	    err.detail);
	free(xml);
}

/* Redeems the code of an ACS answer at /token; the two tokens' claims. */
static void
redeem(struct server *s, const struct s2o_oidc_response *answer,
    const char *client, json_t **id, json_t **at)
{
	struct s2o_oidc_param	 f[8];
	struct s2o_oidc_request	 req;
	struct s2o_oidc_response resp;
	struct s2o_err		 err;
	char			 code[64];
	const char		*p;
	json_t			*o;
	const char		*kv[] = { "grant_type", "authorization_code",
	    "code", code, "redirect_uri", CB, "code_verifier", VERIFIER,
	    "client_id", client, NULL };

	ck_assert_int_eq(answer->status, 302);
	p = strstr(answer->location, "?code=");
	ck_assert_ptr_nonnull(p);
	p += 6;
	ck_assert_uint_eq(strcspn(p, "&"), 43);
	memcpy(code, p, 43);
	code[43] = '\0';
	req_init(&req, "POST");
	req.form = f;
	req.nform = params(f, 8, kv);
	s2o_err_clear(&err);
	s2o_oidc_response_init(&resp);
	ck_assert_msg(s2o_oidc_token(&s->env, &req, &resp, &err) == 0, "%s",
	    err.detail);
	ck_assert_msg(resp.status == 200, "%s", resp.body);
	ck_assert_ptr_nonnull(o = json_loads(resp.body, 0, NULL));
	*id = payload(jstr(o, "id_token"));
	*at = payload(jstr(o, "access_token"));
	json_decref(o);
	s2o_oidc_response_cleanup(&resp);
}

/* Alice at Acme and at Globex through /saml/acs and /token. */
START_TEST(test_server_flow)
{
	struct server		 s;
	struct s2o_oidc_response resp;
	json_t			*id, *at;
	char			*t;

	server_open(&s);
	pending(&s, "r1", "okta", "okta", "demo-app", ASKED, ACME, "org_acme");
	acs(&s, "okta", "r1", &resp);
	redeem(&s, &resp, "demo-app", &id, &at);
	s2o_oidc_response_cleanup(&resp);
	ck_assert_str_eq(jstr(id, "sub"), "okta|alice@example.test");
	ck_assert_str_eq(jstr(id, "org_id"), "org_acme");
	ck_assert_str_eq(jstr(id, "org_name"), "acme");
	ck_assert_str_eq(jstr(at, "org_id"), "org_acme");
	ck_assert_str_eq(jstr(at, "aud"), ACME);
	ck_assert_str_eq(jstr(at, "scope"), ASKED);
	ck_assert_ptr_nonnull(t = json_dumps(json_object_get(at,
	    "permissions"), JSON_COMPACT));
	ck_assert_str_eq(t, "[\"read:invoices\",\"write:invoices\","
	    "\"delete:invoices\",\"read:reports\"]");
	free(t);
	ck_assert_ptr_nonnull(t = json_dumps(json_object_get(id,
	    "https://acme.example.test/roles"), JSON_COMPACT));
	ck_assert_str_eq(t, "[\"analyst\",\"billing-admin\","
	    "\"invoice-viewer\"]");
	free(t);
	json_decref(id);
	json_decref(at);

	pending(&s, "r2", "onelogin", "onelogin", "members-app", ASKED, ACME,
	    NULL);
	acs(&s, "onelogin", "r2", &resp);
	redeem(&s, &resp, "members-app", &id, &at);
	s2o_oidc_response_cleanup(&resp);
	ck_assert_str_eq(jstr(id, "sub"), "onelogin|alice@example.test");
	ck_assert_str_eq(jstr(id, "email"), "alice@example.test");
	ck_assert_str_eq(jstr(id, "org_id"), "org_globex");
	ck_assert_str_eq(jstr(at, "org_id"), "org_globex");
	ck_assert_ptr_null(json_object_get(id, "org_name"));
	ck_assert_str_eq(jstr(at, "scope"), "openid read:invoices read:reports");
	ck_assert_ptr_nonnull(t = json_dumps(json_object_get(at,
	    "permissions"), JSON_COMPACT));
	ck_assert_str_eq(t, "[\"read:invoices\",\"read:reports\"]");
	free(t);
	json_decref(id);
	json_decref(at);

	/* no audience: the access token is for /userinfo, no permissions */
	pending(&s, "r3", "adfs", "adfs", "demo-app", "openid email", NULL,
	    NULL);
	acs(&s, "adfs", "r3", &resp);
	redeem(&s, &resp, "demo-app", &id, &at);
	s2o_oidc_response_cleanup(&resp);
	ck_assert_ptr_null(json_object_get(id, "org_id"));
	ck_assert_str_eq(jstr(at, "aud"), "https://bridge.example.test/userinfo");
	ck_assert_ptr_null(json_object_get(at, "permissions"));
	ck_assert_str_eq(jstr(at, "scope"), "openid email");
	json_decref(id);
	json_decref(at);
	server_close(&s);
}
END_TEST

/* Refusals at the ACS: a page with policy_denied, no code. */
static const struct {
	const char	*fixture, *conn, *client, *audience, *organization;
} acs_denied[] = {
	{ "onelogin", "onelogin", "demo-app", NULL, "org_acme" },
	{ "onelogin", "onelogin", "acme-portal", NULL, NULL },
	{ "adfs", "adfs", "members-app", NULL, NULL },
	{ "onelogin", "onelogin", "demo-app", PARTNER, NULL },
	{ "entra-id", "entra", "demo-app", REPORTS, NULL },
	/* the API's own policies: require_mfa, and okta's login had none */
	{ "okta", "okta", "demo-app", PAYROLL, NULL },
	{ "google-workspace", "google", "demo-app", NULL, NULL },
};
#define NACSDENIED	(sizeof(acs_denied) / sizeof(acs_denied[0]))

START_TEST(test_server_denied)
{
	struct server		 s;
	struct s2o_oidc_response resp;

	server_open(&s);
	pending(&s, "r1", acs_denied[_i].fixture, acs_denied[_i].conn,
	    acs_denied[_i].client, "openid", acs_denied[_i].audience,
	    acs_denied[_i].organization);
	acs(&s, acs_denied[_i].fixture, "r1", &resp);
	ck_assert_msg(resp.status == 403, "%d", resp.status);
	ck_assert_int_eq(resp.reason, S2O_R_POLICY_DENIED);
	ck_assert_ptr_null(resp.location);
	ck_assert_ptr_nonnull(strstr(resp.body, "<code>policy_denied</code>"));
	s2o_oidc_response_cleanup(&resp);
	server_close(&s);
}
END_TEST

static Suite *
orgs_suite(void)
{
	Suite	*s = suite_create("orgs");
	TCase	*tc;

	tc = tcase_create("orgs/grant");
	tcase_add_loop_test(tc, test_grant_case, 0, (int)NGRANT);
	suite_add_tcase(s, tc);
	tc = tcase_create("orgs/mint");
	tcase_add_test(tc, test_mint_two_orgs_same_email);
	tcase_add_test(tc, test_mint_collision);
	suite_add_tcase(s, tc);
	tc = tcase_create("orgs/authorize");
	tcase_add_loop_test(tc, test_authorize_case, 0, (int)NAUTHZ);
	suite_add_tcase(s, tc);
	tc = tcase_create("orgs/server");
	tcase_add_test(tc, test_server_flow);
	tcase_add_test(tc, test_authn_contexts_api);
	tcase_add_loop_test(tc, test_server_denied, 0, (int)NACSDENIED);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(orgs_suite());
}
