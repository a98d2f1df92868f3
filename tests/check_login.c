/* SPDX-License-Identifier: MIT */
/*
 * The login as `serve` runs it, endpoint functions called directly:
 * the client address behind trusted proxies (http/client.c), policies at
 * the ACS with that address and the page of a denial, RequestedAuthnContext
 * from MFA policies and acr_values, per-client require_pkce and
 * allowed_connections, code_ttl and access_token_ttl, and a code redeemed
 * twice revoking the access token it bought. Configurations are
 * fixtures/saml/bridge.json with top-level members replaced (login_fx.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"
#include "login_fx.h"

/* ---- http/client: the client address ------------------------------------- */

static const struct {
	const char	*trusted;	/* comma-separated, or NULL */
	const char	*peer, *xff;
	const char	*want;
	bool		 via_proxy;
} addr_cases[] = {
	/* no trusted proxies: the header is the client's own say-so */
	{ NULL, "192.0.2.7", "10.9.9.9", "192.0.2.7", false },
	/* a peer that is not trusted: ignored just the same */
	{ "10.0.0.0/8", "192.0.2.7", "10.9.9.9", "192.0.2.7", false },
	/* trusted peer, one hop */
	{ "10.0.0.0/8", "10.0.0.1", "203.0.113.5", "203.0.113.5", true },
	/* the client prepends a lie: the right-most untrusted wins */
	{ "10.0.0.0/8", "10.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5",
	    true },
	/* two proxies of ours */
	{ "10.0.0.0/8", "10.0.0.1", "198.51.100.9,203.0.113.5, 10.1.1.1",
	    "203.0.113.5", true },
	/* all trusted: the left-most */
	{ "10.0.0.0/8", "10.0.0.1", "10.2.2.2, 10.1.1.1", "10.2.2.2", true },
	/* garbage stops the walk at the hop before it */
	{ "10.0.0.0/8", "10.0.0.1", "203.0.113.5, unknown", "10.0.0.1", true },
	{ "10.0.0.0/8", "10.0.0.1", "1.2.3.4:80, 10.1.1.1", "10.1.1.1", true },
	/* no header from a trusted peer: the peer */
	{ "10.0.0.0/8", "10.0.0.1", NULL, "10.0.0.1", true },
	{ "10.0.0.0/8", "10.0.0.1", ",,", "10.0.0.1", true },
	/* IPv6, and an IPv4 client through an IPv6 proxy */
	{ "::1/128,fd00::/8", "::1", "2001:db8::7", "2001:db8::7", true },
	{ "::1,fd00::/8", "::1", "203.0.113.5 ,fd00::2", "203.0.113.5", true },
	{ "::1", "::1", "203.0.113.5 ,fd00::2", "fd00::2", true },
};

START_TEST(test_client_address)
{
	struct s2o_policy_ipset	*set = NULL;
	struct s2o_err		 err;
	char			 out[S2O_HTTP_MAX_ADDR], list[64], *p, *save;

	s2o_err_clear(&err);
	if (addr_cases[_i].trusted != NULL) {
		ck_assert_ptr_nonnull(set = s2o_policy_ipset_new(&err));
		snprintf(list, sizeof(list), "%s", addr_cases[_i].trusted);
		for (p = strtok_r(list, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save))
			ck_assert_int_eq(s2o_policy_ipset_add(set, p, &err), 0);
	}
	ck_assert_int_eq(s2o_http_client_address(set, addr_cases[_i].peer,
	    addr_cases[_i].xff, out, sizeof(out)), addr_cases[_i].via_proxy);
	ck_assert_str_eq(out, addr_cases[_i].want);
	s2o_policy_ipset_free(set);
}
END_TEST

START_TEST(test_forwarded_last)
{
	char	out[32];

	ck_assert_str_eq(s2o_http_forwarded_last("http, https", out,
	    sizeof(out)), "https");
	ck_assert_str_eq(s2o_http_forwarded_last(" login.example.test ", out,
	    sizeof(out)), "login.example.test");
	ck_assert_str_eq(s2o_http_forwarded_last("a,[::1]:8443", out,
	    sizeof(out)), "[::1]:8443");
	ck_assert_ptr_null(s2o_http_forwarded_last(NULL, out, sizeof(out)));
	ck_assert_ptr_null(s2o_http_forwarded_last("a, ", out, sizeof(out)));
	ck_assert_ptr_null(s2o_http_forwarded_last("evil\"host", out,
	    sizeof(out)));
	ck_assert_ptr_null(s2o_http_forwarded_last("a b", out, sizeof(out)));
	ck_assert_ptr_null(s2o_http_forwarded_last(
	    "a-host-name-longer-than-the-buffer.example", out, sizeof(out)));
}
END_TEST

/* ---- configuration -------------------------------------------------------- */

static const struct {
	const char	*patch;
	const char	*error;		/* "" when it loads */
} cfg_cases[] = {
	{ "{\"trusted_proxies\": [\"10.0.0.0/8\", \"::1\"]}", "" },
	{ "{\"trusted_proxies\": [\"10.1.0.0/8\"]}", "trusted_proxies[0]: "
	    "\"10.1.0.0/8\" is not a CIDR range: address bits are set past the "
	    "/8 prefix" },
	{ "{\"trusted_proxies\": \"10.0.0.0/8\"}", "trusted_proxies: " },
	{ "{\"code_ttl\": 0}", "code_ttl: expected an integer from 1 to 600, "
	    "found 0" },
	{ "{\"code_ttl\": 601}", "code_ttl: expected an integer from 1 to 600, "
	    "found 601" },
	{ "{\"access_token_ttl\": \"300\"}", "access_token_ttl: expected an "
	    "integer from 1 to 86400, found \"300\"" },
	{ "{\"session_ttl\": 0}", "session_ttl: expected an integer from 1 to "
	    "604800, found 0" },
	{ "{\"rate_limits\": {\"acs\": {\"requests\": 30, \"per_seconds\": 60},"
	    " \"token\": {\"requests\": 5, \"per_seconds\": 1}}}", "" },
	{ "{\"rate_limits\": {\"acs\": {\"requests\": 0, \"per_seconds\": 60}}}",
	    "rate_limits.acs.requests: expected an integer from 1 to 1000000, "
	    "found 0" },
	{ "{\"rate_limits\": {\"acs\": {\"requests\": 3}}}",
	    "rate_limits.acs: missing required key \"per_seconds\"" },
	{ "{\"rate_limits\": {\"authorize\": {\"requests\": 3, "
	    "\"per_seconds\": 1}}}", "rate_limits.authorize: unknown key" },
	{ "{\"clients\": [{\"client_id\": \"spa\", \"redirect_uris\": [\"" CB
	    "\"], \"require_pkce\": false}, {\"client_id\": \"demo-app\", "
	    "\"redirect_uris\": [\"" CB "\"]}]}", "clients[0].require_pkce: false "
	    "is allowed only for a client with a client_secret (a public client "
	    "always uses PKCE)" },
	{ "{\"clients\": [{\"client_id\": \"demo-app\", \"client_secret\": \""
	    SECRET "\", \"redirect_uris\": [\"" CB "\"], \"require_pkce\": "
	    "false, \"initiate_login_uri\": \"http://127.0.0.1:3000/login\"}]}",
	    "" },
	{ "{\"clients\": [{\"client_id\": \"demo-app\", \"client_secret\": \""
	    SECRET "\", \"redirect_uris\": [\"" CB "\"], \"initiate_login_uri\": "
	    "\"http://127.0.0.1:3000/login\", \"allowed_connections\": "
	    "[\"corp\", \"crop\"]}]}", "clients[0].allowed_connections[1]: no "
	    "connection \"crop\" is configured" },
	{ "{\"clients\": [{\"client_id\": \"demo-app\", \"client_secret\": \""
	    SECRET "\", \"redirect_uris\": [\"" CB "\"], \"initiate_login_uri\": "
	    "\"http://127.0.0.1:3000/login\", \"allowed_connections\": []}]}",
	    "clients[0].allowed_connections: expected at least one entry" },
	{ "{\"clients\": [{\"client_id\": \"demo-app\", \"client_secret\": \""
	    SECRET "\", \"redirect_uris\": [\"" CB "\"], \"initiate_login_uri\": "
	    "\"/login\"}]}", "clients[0].initiate_login_uri: expected an "
	    "absolute http(s) URL without a fragment, found \"/login\"" },
};

START_TEST(test_config_serve_keys)
{
	char	got[512], *p;

	load_error(cfg_cases[_i].patch, got, sizeof(got));
	if (cfg_cases[_i].error[0] == '\0') {
		ck_assert_msg(got[0] == '\0', "case %d: %s", _i, got);
		return;
	}
	/* skip "LINE:COL: " */
	p = strchr(got, ' ');
	ck_assert_msg(p != NULL && strncmp(p + 1, cfg_cases[_i].error,
	    strlen(cfg_cases[_i].error)) == 0, "case %d: %s", _i, got);
}
END_TEST

/* Defaults: code 60 s, access tokens as ID tokens, sessions 8 h, no
 * rate limits, PKCE required, every connection allowed. */
START_TEST(test_config_defaults)
{
	struct fx	fx;

	fx_open(&fx, NULL, 1700000000);
	ck_assert_int_eq(fx.cfg->code_ttl, 60);
	ck_assert_int_eq(fx.cfg->access_token_ttl, 300);
	ck_assert_int_eq(fx.cfg->session_ttl, 28800);
	ck_assert_uint_eq(fx.cfg->rate_acs.requests, 0);
	ck_assert_uint_eq(fx.cfg->rate_token.requests, 0);
	ck_assert_uint_eq(fx.cfg->ntrusted_proxies, 0);
	ck_assert(fx.cfg->clients[0].require_pkce);
	ck_assert_ptr_null(fx.cfg->clients[0].allowed_connections);
	ck_assert_str_eq(fx.cfg->clients[0].initiate_login_uri,
	    "http://127.0.0.1:3000/login");
	fx_close(&fx);
}
END_TEST

/* ---- policies at the ACS, with the client's address ---------------------- */

/* demo-app with the given extra members (JSON text without braces). */
#define DEMO_APP(extra) "{\"clients\": [{\"client_id\": \"demo-app\", " \
	"\"client_secret\": \"" SECRET "\", \"redirect_uris\": [\"" CB "\"], " \
	"\"initiate_login_uri\": \"http://127.0.0.1:3000/login\"" extra "}]}"


START_TEST(test_acs_policy_client_ip)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 code[64];

	fx_open(&fx, DEMO_APP(", \"policies\": {\"allow_ip_ranges\": "
	    "[\"203.0.113.0/24\"]}"), OKTA_NOW);
	s2o_oidc_response_init(&resp);
	/* inside the range: a code */
	pending(&fx, "r1", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r1", "203.0.113.9", &resp), 302);
	code_of(&resp, code);
	/* outside (the replay cache is not reached: a new store) */
	s2o_store_free(fx.env.store);
	ck_assert_ptr_nonnull(fx.env.store = s2o_store_memory_new(&fx.clock,
	    &fx.err));
	pending(&fx, "r2", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r2", "192.0.2.1", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_POLICY_DENIED);
	ck_assert_ptr_null(resp.location);
	ck_assert_ptr_nonnull(strstr(resp.body, "<p>Reason: <code>"
	    "policy_denied</code></p>\n<p>Rule: <code>allow_ip_ranges</code>"
	    "</p>\n"));
	/* the address is never shown */
	ck_assert_ptr_null(strstr(resp.body, "192.0.2.1"));
	/* no code was stored: nothing but the login's own entries */
	/* unknown address: an allow list fails closed */
	s2o_store_free(fx.env.store);
	ck_assert_ptr_nonnull(fx.env.store = s2o_store_memory_new(&fx.clock,
	    &fx.err));
	pending(&fx, "r3", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r3", NULL, &resp), 403);
	ck_assert_ptr_nonnull(strstr(resp.body, "allow_ip_ranges"));
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

START_TEST(test_acs_policy_mfa_denied)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;

	fx_open(&fx, DEMO_APP(", \"policies\": {\"require_mfa\": true}"),
	    OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", CHALLENGE);
	/* the okta fixture says PasswordProtectedTransport */
	ck_assert_int_eq(acs(&fx, "r1", "203.0.113.9", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_POLICY_DENIED);
	ck_assert_ptr_nonnull(strstr(resp.body, "Rule: <code>require_mfa"
	    "</code>"));
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* ---- RequestedAuthnContext ------------------------------------------------ */

static const struct {
	const char	*client_extra;
	const char	*acr_values;
	const char	*want[8];	/* NULL-terminated; {NULL}: none */
} ctx_cases[] = {
	{ "", NULL, { NULL } },
	{ "", PPT, { PPT, NULL } },
	{ "", "urn:a  urn:b", { "urn:a", "urn:b", NULL } },
	/* MFA with its own classes */
	{ ", \"policies\": {\"require_mfa\": true, \"mfa_classes\": [\"" MFA_ADFS
	    "\", \"https://refeds.org/profile/mfa\"]}", NULL,
	    { MFA_ADFS, "https://refeds.org/profile/mfa", NULL } },
	/* acr_values narrows them to those the policy accepts */
	{ ", \"policies\": {\"require_mfa\": true, \"mfa_classes\": [\"" MFA_ADFS
	    "\", \"https://refeds.org/profile/mfa\"]}",
	    PPT " https://refeds.org/profile/mfa",
	    { "https://refeds.org/profile/mfa", NULL } },
	/* none accepted: the policy's classes, never a weaker one */
	{ ", \"policies\": {\"require_mfa\": true, \"mfa_classes\": [\"" MFA_ADFS
	    "\"]}", PPT, { MFA_ADFS, NULL } },
};

START_TEST(test_authn_contexts)
{
	struct fx	  fx;
	char		  text[1024], **v;
	size_t		  i;

	snprintf(text, sizeof(text), DEMO_APP("%s"), ctx_cases[_i].client_extra);
	fx_open(&fx, text, 1700000000);
	ck_assert_int_eq(s2o_oidc_authn_contexts(fx.cfg,
	    s2o_config_connection(fx.cfg, "corp"), &fx.cfg->clients[0],
	    ctx_cases[_i].acr_values, &v, &fx.err), 0);
	for (i = 0; ctx_cases[_i].want[i] != NULL; i++) {
		ck_assert_ptr_nonnull(v);
		ck_assert_ptr_nonnull(v[i]);
		ck_assert_str_eq(v[i], ctx_cases[_i].want[i]);
	}
	ck_assert(i == 0 ? v == NULL : v[i] == NULL);
	s2o_oidc_authn_contexts_free(v);
	fx_close(&fx);
}
END_TEST

/* The AuthnRequest itself (HTTP-POST binding: base64 of the XML). */
START_TEST(test_authorize_requested_context)
{
	struct fx		 fx;
	struct s2o_oidc_param	 v[16];
	struct s2o_oidc_request	 req;
	struct s2o_oidc_response resp;
	const char		*p;
	unsigned char		*xml;
	size_t			 n;
	char			 b64[16384];
	const char *const	 q[] = { "client_id", "demo-app", "redirect_uri",
	    CB, "response_type", "code", "scope", "openid", "state", "st",
	    "nonce", "nc", "code_challenge", CHALLENGE,
	    "code_challenge_method", "S256", "connection", "corp-ec",
	    "acr_values", PPT, NULL };

	fx_open(&fx, DEMO_APP(", \"policies\": {\"require_mfa\": true, "
	    "\"mfa_classes\": [\"" MFA_ADFS "\"]}"), 1700000000);
	s2o_oidc_response_init(&resp);
	req = request("GET", v, params(v, 16, q));
	ck_assert_int_eq(s2o_oidc_authorize(&fx.env, &req, &resp, &fx.err), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(p = strstr(resp.body, "name=\"SAMLRequest\" "
	    "value=\""));
	p += strlen("name=\"SAMLRequest\" value=\"");
	n = strcspn(p, "\"");
	ck_assert_uint_lt(n, sizeof(b64));
	memcpy(b64, p, n);
	b64[n] = '\0';
	ck_assert_ptr_nonnull(xml = s2o_b64_decode(b64, n, 65536, &n,
	    &fx.err));
	xml = realloc(xml, n + 1);
	xml[n] = '\0';
	ck_assert_msg(strstr((char *)xml, "RequestedAuthnContext "
	    "Comparison=\"exact\"") != NULL, "%s", xml);
	ck_assert_ptr_nonnull(strstr((char *)xml, MFA_ADFS
	    "</saml:AuthnContextClassRef>"));
	ck_assert_ptr_null(strstr((char *)xml, PPT));
	free(xml);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* ---- /authorize: require_pkce, allowed_connections, acr_values ------------ */

static const struct {
	const char	*client_extra;
	const char	*kv[24];
	const char	*error;		/* NULL: accepted */
	const char	*detail;
	const char	*conn;		/* the connection chosen */
} az_cases[] = {
#define AZ "client_id", "other-app", "redirect_uri", CB, "response_type", \
	"code", "scope", "openid", "state", "st", "nonce", "nc"
#define PK "code_challenge", CHALLENGE, "code_challenge_method", "S256"
	{ ", \"require_pkce\": false", { AZ, "connection", "corp", NULL },
	    NULL, NULL, "corp" },
	{ "", { AZ, "connection", "corp", NULL }, "invalid_request",
	    "code_challenge: missing (PKCE S256 is required)", NULL },
	/* opting out of PKCE does not open plain */
	{ ", \"require_pkce\": false", { AZ, "connection", "corp",
	    "code_challenge", CHALLENGE, "code_challenge_method", "plain",
	    NULL }, "invalid_request", "plain: only S256", NULL },
	{ ", \"require_pkce\": false", { AZ, "connection", "corp",
	    "code_challenge_method", "S256", NULL }, "invalid_request",
	    "code_challenge: missing", NULL },
	{ ", \"allowed_connections\": [\"okta\"]", { AZ, PK, NULL }, NULL,
	    NULL, "okta" },
	{ ", \"allowed_connections\": [\"okta\"]", { AZ, PK, "connection",
	    "corp", NULL }, "invalid_request", "connection: corp is not in the "
	    "client's allowed_connections", NULL },
	{ ", \"allowed_connections\": [\"okta\", \"corp\"]", { AZ, PK, NULL },
	    "invalid_request", "connection: missing, and there is more than "
	    "one", NULL },
	{ ", \"allowed_connections\": [\"okta\", \"corp\"]", { AZ, PK,
	    "connection", "corp", "acr_values", PPT " urn:x", NULL }, NULL,
	    NULL, "corp" },
	{ "", { AZ, PK, "connection", "corp", "acr_values", "not-a-uri",
	    NULL }, "invalid_request", "acr_values: at most 8 space-separated "
	    "absolute URIs", NULL },
	{ "", { AZ, PK, "connection", "corp", "acr_values",
	    "urn:1 urn:2 urn:3 urn:4 urn:5 urn:6 urn:7 urn:8 urn:9", NULL },
	    "invalid_request", "acr_values: at most 8", NULL },
	{ "", { AZ, PK, "connection", "corp", "acr_values", "urn:<x>",
	    NULL }, "invalid_request", "acr_values", NULL },
#undef AZ
#undef PK
};

START_TEST(test_authorize_client_rules)
{
	struct fx		 fx;
	struct s2o_oidc_param	 v[24];
	struct s2o_oidc_request	 req;
	struct s2o_oidc_authz	 a;
	char			 text[1024];
	int			 rc;

	/* other-app: demo-app stays the default client of corp-unsolicited,
	 * which takes IdP-initiated logins */
	snprintf(text, sizeof(text), "{\"clients\": [{\"client_id\": "
	    "\"demo-app\", \"redirect_uris\": [\"" CB "\"], "
	    "\"initiate_login_uri\": \"http://127.0.0.1:3000/login\"}, "
	    "{\"client_id\": \"other-app\", \"client_secret\": \"" SECRET
	    "\", \"redirect_uris\": [\"" CB "\"]%s}]}",
	    az_cases[_i].client_extra);
	fx_open(&fx, text, 1700000000);
	req = request("GET", v, params(v, 24, az_cases[_i].kv));
	rc = s2o_oidc_authorize_check(fx.cfg, &req, &a, &fx.err);
	if (az_cases[_i].error == NULL) {
		ck_assert_msg(rc == 0, "case %d: %s", _i, fx.err.detail);
		ck_assert_str_eq(a.conn->name, az_cases[_i].conn);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(a.error, az_cases[_i].error);
		ck_assert_s2o_err(&fx.err, S2O_R_MALFORMED,
		    az_cases[_i].detail);
		ck_assert_ptr_nonnull(a.redirect_uri);
	}
	fx_close(&fx);
}
END_TEST


/* ---- /token: code_ttl, access_token_ttl, PKCE optional, reuse ------------- */

/* The payload of a JWT, parsed. Caller decrefs. */
static json_t *
jwt_payload(const char *jwt)
{
	const char	*a = strchr(jwt, '.'), *b;
	unsigned char	*d;
	size_t		 n;
	struct s2o_err	 err;
	json_t		*o;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b = strchr(a + 1, '.'));
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(d = s2o_b64url_decode(a + 1, (size_t)(b - a - 1),
	    1u << 16, &n, &err));
	o = json_loadb((const char *)d, n, 0, NULL);
	free(d);
	ck_assert_ptr_nonnull(o);
	return o;
}

/*
 * Each mapped claim reaches the destinations its "to" names through the
 * server as through consume: the ID token, the access token from /token,
 * and /userinfo (stored under the token's id for its lifetime).
 */
START_TEST(test_mapped_destinations)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 text[2560], crt[1024], map[1024];
	char			 code[64], body[512], *at;
	json_t			*o, *p;

	s2o_strlcpy(crt, fx_path("keys/idp-rsa.crt"), sizeof(crt));
	s2o_strlcpy(map, fx_path("mappings/serve/split.json"), sizeof(map));
	snprintf(text, sizeof(text), "{\"connections\": [{\"name\": "
	    "\"okta\", \"idp_entity_id\": "
	    "\"http://www.okta.com/exk1a2b3c4d5E6f7g8h9\", "
	    "\"idp_certificates\": [\"%s\"], \"mappings_file\": \"%s\", "
	    "\"default_client\": \"demo-app\"}]}", crt, map);
	fx_open(&fx, text, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r1", "203.0.113.9", &resp), 302);
	code_of(&resp, code);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	ck_assert_ptr_nonnull(at = strdup(jget(o, "access_token")));
	/* the ID token: email only (given_name is userinfo's, groups the
	 * access token's) */
	p = jwt_payload(jget(o, "id_token"));
	ck_assert_str_eq(jget(p, "email"), "alice@example.test");
	ck_assert_ptr_null(json_object_get(p, "given_name"));
	ck_assert_ptr_null(json_object_get(p, "groups"));
	json_decref(p);
	json_decref(o);
	/* the access token: groups, not email */
	p = jwt_payload(at);
	ck_assert_uint_eq(json_array_size(json_object_get(p, "groups")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p,
	    "groups"), 1)), "demo-app-admins");
	ck_assert_ptr_null(json_object_get(p, "email"));
	ck_assert_ptr_null(json_object_get(p, "given_name"));
	json_decref(p);
	/* userinfo: the token's sub, email and given_name */
	ck_assert_int_eq(userinfo(&fx, at, body, sizeof(body)), 200);
	ck_assert_str_eq(body, "{\"sub\":\"okta|alice@example.test\","
	    "\"email\":\"alice@example.test\",\"given_name\":\"Alice\"}");
	free(at);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

START_TEST(test_code_reuse_revokes)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 code[64], body[512], *at;
	json_t			*o;

	fx_open(&fx, "{\"access_token_ttl\": 900}", OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r1", "203.0.113.9", &resp), 302);
	code_of(&resp, code);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "expires_in")),
	    900);
	ck_assert_ptr_nonnull(at = strdup(jget(o, "access_token")));
	json_decref(o);
	/* the token's sub, then what the mappings send to userinfo */
	ck_assert_int_eq(userinfo(&fx, at, body, sizeof(body)), 200);
	ck_assert_str_eq(body, "{\"sub\":\"okta|alice@example.test\","
	    "\"email\":\"alice@example.test\",\"family_name\":\"Martin\","
	    "\"given_name\":\"Alice\",\"groups\":[\"Engineering\","
	    "\"demo-app-admins\"],\"name\":\"Alice Martin\","
	    "\"preferred_username\":\"alice@example.test\"}");
	/* the same code again: refused, and the token it bought revoked */
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 400);
	ck_assert_str_eq(jget(o, "error"), "invalid_grant");
	ck_assert_str_eq(jget(o, "error_description"), "code already used: "
	    "the tokens it issued are revoked");
	json_decref(o);
	ck_assert_int_eq(userinfo(&fx, at, body, sizeof(body)), 401);
	ck_assert_str_eq(body, "{\"error\":\"invalid_token\","
	    "\"error_description\":\"revoked\"}");
	/* a third time: nothing left to revoke, still refused */
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 400);
	ck_assert_str_eq(jget(o, "error_description"), "unknown, used or "
	    "expired code");
	json_decref(o);
	/* the revocation lasts as long as the token: still refused just
	 * before its exp, and at exp the token is expired anyway */
	s2o_clock_init_fixed(&fx.clock, OKTA_NOW + 899);
	ck_assert_int_eq(userinfo(&fx, at, body, sizeof(body)), 401);
	ck_assert_str_eq(body, "{\"error\":\"invalid_token\","
	    "\"error_description\":\"revoked\"}");
	free(at);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* A failed first redemption spends the code but issues nothing: the
 * second is a plain invalid_grant. */
START_TEST(test_code_failed_then_reused)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 code[64];
	json_t			*o;

	fx_open(&fx, NULL, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r1", NULL, &resp), 302);
	code_of(&resp, code);
	ck_assert_int_eq(token(&fx, code, VERIFIER "x", &o), 400);
	ck_assert_str_eq(jget(o, "error_description"), "code_verifier does "
	    "not match the code_challenge (S256)");
	json_decref(o);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 400);
	ck_assert_str_eq(jget(o, "error_description"), "unknown, used or "
	    "expired code");
	json_decref(o);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

START_TEST(test_code_ttl)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 code[64];
	json_t			*o;

	fx_open(&fx, "{\"code_ttl\": 30}", OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r1", NULL, &resp), 302);
	code_of(&resp, code);
	/* at issue + 30 s the code is gone */
	s2o_clock_init_fixed(&fx.clock, OKTA_NOW + 30);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 400);
	ck_assert_str_eq(jget(o, "error"), "invalid_grant");
	ck_assert_str_eq(jget(o, "error_description"), "unknown, used or "
	    "expired code");
	json_decref(o);
	/* one second earlier it is good */
	s2o_store_free(fx.env.store);
	s2o_clock_init_fixed(&fx.clock, OKTA_NOW);
	ck_assert_ptr_nonnull(fx.env.store = s2o_store_memory_new(&fx.clock,
	    &fx.err));
	pending(&fx, "r2", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r2", NULL, &resp), 302);
	code_of(&resp, code);
	s2o_clock_init_fixed(&fx.clock, OKTA_NOW + 29);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	json_decref(o);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* require_pkce false: a code without a challenge is redeemed without a
 * verifier, and a verifier then is refused. */
START_TEST(test_token_without_pkce)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 code[64];
	json_t			*o;

	fx_open(&fx, DEMO_APP(", \"require_pkce\": false"), OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", NULL);
	ck_assert_int_eq(acs(&fx, "r1", NULL, &resp), 302);
	code_of(&resp, code);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 400);
	ck_assert_str_eq(jget(o, "error_description"), "a code_verifier "
	    "without a code_challenge in the authorization request");
	json_decref(o);
	s2o_store_free(fx.env.store);
	ck_assert_ptr_nonnull(fx.env.store = s2o_store_memory_new(&fx.clock,
	    &fx.err));
	pending(&fx, "r2", NULL);
	ck_assert_int_eq(acs(&fx, "r2", NULL, &resp), 302);
	code_of(&resp, code);
	ck_assert_int_eq(token(&fx, code, NULL, &o), 200);
	ck_assert_str_eq(jget(o, "token_type"), "Bearer");
	json_decref(o);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

static Suite *
login_suite(void)
{
	Suite	*s = suite_create("login");
	TCase	*tc;

	tc = tcase_create("http/client_address");
	tcase_add_loop_test(tc, test_client_address, 0,
	    (int)(sizeof(addr_cases) / sizeof(addr_cases[0])));
	tcase_add_test(tc, test_forwarded_last);
	suite_add_tcase(s, tc);
	tc = tcase_create("config/serve");
	tcase_add_loop_test(tc, test_config_serve_keys, 0,
	    (int)(sizeof(cfg_cases) / sizeof(cfg_cases[0])));
	tcase_add_test(tc, test_config_defaults);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/acs_policy");
	tcase_add_test(tc, test_acs_policy_client_ip);
	tcase_add_test(tc, test_acs_policy_mfa_denied);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/authn_context");
	tcase_add_loop_test(tc, test_authn_contexts, 0,
	    (int)(sizeof(ctx_cases) / sizeof(ctx_cases[0])));
	tcase_add_test(tc, test_authorize_requested_context);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/authorize_client");
	tcase_add_loop_test(tc, test_authorize_client_rules, 0,
	    (int)(sizeof(az_cases) / sizeof(az_cases[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/code");
	tcase_add_test(tc, test_code_reuse_revokes);
	tcase_add_test(tc, test_mapped_destinations);
	tcase_add_test(tc, test_code_failed_then_reused);
	tcase_add_test(tc, test_code_ttl);
	tcase_add_test(tc, test_token_without_pkce);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(login_suite());
}
