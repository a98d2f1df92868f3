/* SPDX-License-Identifier: MIT */
/*
 * The login as `serve` runs it, endpoint functions called directly:
 * the client address behind trusted proxies (http/client.c), policies at
 * the ACS with that address and the page of a denial, RequestedAuthnContext
 * from MFA policies and acr_values, per-client require_pkce and
 * allowed_connections, code_ttl and access_token_ttl, and a code redeemed
 * twice revoking the access token it bought. Configurations are
 * fixtures/saml/bridge.json with top-level members replaced (patch()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "http/http.h"
#include "http/http_int.h"
#include "oidc/oidc.h"
#include "policy/policy.h"
#include "token/token.h"
#include "helpers.h"

#define ISS		"https://bridge.example.test"
#define CB		"http://127.0.0.1:3000/cb"
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define OKTA_NOW	1795867260	/* fixtures/saml/okta/meta */
#define SECRET		"fixture-client-secret"
#define MFA_ADFS	"http://schemas.microsoft.com/claims/multipleauthn"
#define PPT	"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

/* ---- the configuration ---------------------------------------------------- */

static char	tmpdir[256];
static char	tmpcfg[600];

/* Makes every "../x" path of bridge.json absolute. */
static void
absolute_paths(json_t *v)
{
	const char	*k;
	json_t		*x;
	size_t		 i;
	char		 buf[1024];

	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			if (json_is_string(x) &&
			    strncmp(json_string_value(x), "../", 3) == 0) {
				snprintf(buf, sizeof(buf), "%s/%s",
				    fx_path("saml"), json_string_value(x));
				json_object_set_new(v, k, json_string(buf));
			} else
				absolute_paths(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_string(x) &&
			    strncmp(json_string_value(x), "../", 3) == 0) {
				snprintf(buf, sizeof(buf), "%s/%s",
				    fx_path("saml"), json_string_value(x));
				json_array_set_new(v, i, json_string(buf));
			} else
				absolute_paths(x);
		}
	}
}

/* bridge.json with the top-level members of patch (JSON text) replaced,
 * written to tmpcfg. */
static void
patch(const char *text)
{
	const char	*base = getenv("TMPDIR");
	json_t		*cfg, *p;
	json_error_t	 je;

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_login.XXXXXX",
	    base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(tmpcfg, sizeof(tmpcfg), "%s/bridge.json", tmpdir);
	ck_assert_ptr_nonnull(cfg = json_load_file(fx_path("saml/bridge.json"),
	    0, &je));
	absolute_paths(cfg);
	ck_assert_msg((p = json_loads(text, 0, &je)) != NULL, "patch: %s",
	    je.text);
	ck_assert_int_eq(json_object_update(cfg, p), 0);
	ck_assert_int_eq(json_dump_file(cfg, tmpcfg, JSON_INDENT(1)), 0);
	json_decref(p);
	json_decref(cfg);
}

static void
unpatch(void)
{
	unlink(tmpcfg);
	rmdir(tmpdir);
}

/* The configuration's first error, or "" when it loads. */
static void
load_error(const char *text, char *out, size_t size)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	const char		*colon;

	patch(text);
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(tmpcfg, &d, &err);
	out[0] = '\0';
	if (cfg == NULL) {
		/* "FILE:LINE:COL: PATH: message" without the file */
		colon = strstr(err.detail, tmpcfg) ? err.detail +
		    strlen(tmpcfg) + 1 : err.detail;
		snprintf(out, size, "%s", colon);
	}
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
	unpatch();
}

/* A configuration, its keyset, provider, store and a fixed clock. */
struct fx {
	struct s2o_config	*cfg;
	struct s2o_keyset	*ks;
	struct s2o_saml_sp_keys	*spk;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
};

static void
fx_open(struct fx *fx, const char *text, time_t now)
{
	struct s2o_diags	d;
	struct s2o_oidc_provider *op;

	memset(fx, 0, sizeof(*fx));
	s2o_err_clear(&fx->err);
	ck_assert_int_eq(s2o_saml_init(&fx->err), 0);
	patch(text != NULL ? text : "{}");
	s2o_diags_init(&d);
	fx->cfg = s2o_config_load(tmpcfg, &d, &fx->err);
	ck_assert_msg(fx->cfg != NULL, "%s", fx->err.detail);
	s2o_diags_cleanup(&d);
	unpatch();
	ck_assert_ptr_nonnull(fx->ks = s2o_token_keyset_new(fx->cfg,
	    &fx->err));
	op = s2o_oidc_provider_new(fx->cfg, fx->ks, &fx->err);
	ck_assert_msg(op != NULL, "%s", fx->err.detail);
	ck_assert_ptr_nonnull(fx->spk = s2o_saml_sp_keys_new(&fx->cfg->sp,
	    &fx->err));
	s2o_clock_init_fixed(&fx->clock, now);
	fx->env.op = op;
	fx->env.spk = fx->spk;
	fx->env.clock = &fx->clock;
	ck_assert_ptr_nonnull(fx->env.store = s2o_store_memory_new(&fx->clock,
	    &fx->err));
}

static void
fx_close(struct fx *fx)
{
	s2o_store_free(fx->env.store);
	s2o_oidc_provider_free((struct s2o_oidc_provider *)fx->env.op);
	s2o_saml_sp_keys_free(fx->spk);
	s2o_token_keyset_free(fx->ks);
	s2o_config_free(fx->cfg);
}

/* Parameters from NULL-terminated name/value pairs. */
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

static struct s2o_oidc_request
request(const char *method, struct s2o_oidc_param *v, size_t n)
{
	struct s2o_oidc_request	req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	if (strcmp(method, "POST") == 0) {
		req.form = v;
		req.nform = n;
	} else {
		req.query = v;
		req.nquery = n;
	}
	req.request_id = "0123456789abcdef";
	return req;
}

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

/* Stores a pending login for the okta fixture, as /authorize would. */
static void
pending(struct fx *fx, const char *relay, const char *challenge)
{
	char	v[600];

	snprintf(v, sizeof(v), "{\"request_id\":\"_req-okta\",\"client_id\":"
	    "\"demo-app\",\"scope\":\"openid\",\"response_mode\":\"query\","
	    "\"redirect_uri\":\"" CB "\",\"state\":\"st\",\"nonce\":\"nc\","
	    "%s%s%s\"connection\":\"okta\",\"created\":0}",
	    challenge ? "\"code_challenge\":\"" : "", challenge ? challenge : "",
	    challenge ? "\"," : "");
	ck_assert_int_eq(s2o_store_put(fx->env.store, S2O_OIDC_NS_AUTHN, relay,
	    v, OKTA_NOW + 600, &fx->err), 0);
}

/* POSTs the okta fixture to the ACS from client_ip; returns the status. */
static int
acs(struct fx *fx, const char *relay, const char *client_ip,
    struct s2o_oidc_response *resp)
{
	struct s2o_oidc_param	 f[2];
	struct s2o_oidc_request	 req;
	char			*saml;

	ck_assert_ptr_nonnull(saml = fx_read(fx_path("saml/okta/response.xml"),
	    NULL));
	f[0].name = "SAMLResponse";
	f[0].value = saml;
	f[0].len = strlen(saml);
	f[1].name = "RelayState";
	f[1].value = relay;
	f[1].len = strlen(relay);
	req = request("POST", f, 2);
	req.client_ip = client_ip;
	ck_assert_msg(s2o_oidc_acs(&fx->env, &req, resp, &fx->err) == 0, "%s",
	    fx->err.detail);
	free(saml);
	return resp->status;
}

/* The code of a 302 to CB?code=...&state=st. */
static void
code_of(const struct s2o_oidc_response *resp, char out[64])
{
	const char	*p;

	ck_assert_int_eq(resp->status, 302);
	ck_assert_msg(strncmp(resp->location, CB "?code=", strlen(CB) + 6) ==
	    0, "%s", resp->location);
	p = resp->location + strlen(CB) + 6;
	ck_assert_uint_eq(strcspn(p, "&"), 43);
	memcpy(out, p, 43);
	out[43] = '\0';
}

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

/* POST /token for code with the verifier (or none); returns the status
 * and the body's JSON in *out (caller decrefs). */
static int
token(struct fx *fx, const char *code, const char *verifier, json_t **out)
{
	struct s2o_oidc_param	 f[8];
	struct s2o_oidc_request	 req;
	struct s2o_oidc_response resp;
	const char		*with[] = { "grant_type", "authorization_code",
	    "code", code, "redirect_uri", CB, "client_id", "demo-app",
	    "client_secret", SECRET, "code_verifier", verifier, NULL };
	int			 status;

	if (verifier == NULL)
		with[10] = NULL;
	req = request("POST", f, params(f, 8, with));
	s2o_oidc_response_init(&resp);
	ck_assert_msg(s2o_oidc_token(&fx->env, &req, &resp, &fx->err) == 0,
	    "%s", fx->err.detail);
	ck_assert_ptr_nonnull(*out = json_loads(resp.body, 0, NULL));
	status = resp.status;
	s2o_oidc_response_cleanup(&resp);
	return status;
}

static const char *
jget(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "(absent)";
}

/* GET /userinfo with the access token; returns the status. */
static int
userinfo(struct fx *fx, const char *at, char *body, size_t size)
{
	struct s2o_oidc_request	 req;
	struct s2o_oidc_response resp;
	char			 h[4096];
	int			 status;

	req = request("GET", NULL, 0);
	snprintf(h, sizeof(h), "Bearer %s", at);
	req.authorization = h;
	s2o_oidc_response_init(&resp);
	ck_assert_int_eq(s2o_oidc_userinfo(&fx->env, &req, &resp, &fx->err),
	    0);
	snprintf(body, size, "%s", resp.body);
	status = resp.status;
	s2o_oidc_response_cleanup(&resp);
	return status;
}

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
	ck_assert_int_eq(userinfo(&fx, at, body, sizeof(body)), 200);
	ck_assert_str_eq(body, "{\"sub\":\"okta|alice@example.test\"}");
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

/* ---- IdP-initiated logins and the bridge session ------------------------ */

#define LOGIN_URI	"http://127.0.0.1:3000/login"
#define UNSOL_SSO	"https://idp-unsolicited.example.test/sso"

/* POSTs fixture rel (no RelayState unless relay) to the ACS of path
 * connection conn (NULL: /saml/acs); returns the status. */
static int
acs_unsolicited(struct fx *fx, const char *rel, const char *conn,
    const char *relay, struct s2o_oidc_response *resp)
{
	struct s2o_oidc_param	 f[2];
	struct s2o_oidc_request	 req;
	char			*saml;

	ck_assert_ptr_nonnull(saml = fx_read(fx_path(rel), NULL));
	f[0].name = "SAMLResponse";
	f[0].value = saml;
	f[0].len = strlen(saml);
	f[1].name = "RelayState";
	f[1].value = relay ? relay : "";
	f[1].len = strlen(f[1].value);
	req = request("POST", f, relay ? 2 : 1);
	req.connection = conn;
	req.client_ip = "203.0.113.9";
	ck_assert_msg(s2o_oidc_acs(&fx->env, &req, resp, &fx->err) == 0, "%s",
	    fx->err.detail);
	free(saml);
	return resp->status;
}

/* The session handle of a Set-Cookie (22 base64url after name=). */
static void
handle_of(const struct s2o_oidc_response *resp, const char *name,
    char out[23])
{
	const char	*p;

	ck_assert_ptr_nonnull(resp->set_cookie);
	ck_assert_msg(strncmp(resp->set_cookie, name, strlen(name)) == 0 &&
	    resp->set_cookie[strlen(name)] == '=', "%s", resp->set_cookie);
	p = resp->set_cookie + strlen(name) + 1;
	ck_assert_uint_eq(strcspn(p, ";"), 22);
	memcpy(out, p, 22);
	out[22] = '\0';
}

/* GET /authorize for demo-app with the session cookie handle and extra
 * parameters; returns the status. */
static int
authorize_with(struct fx *fx, const char *handle, const char *k1,
    const char *v1, struct s2o_oidc_response *resp)
{
	struct s2o_oidc_param	 v[16];
	struct s2o_oidc_request	 req;
	const char		*q[] = { "client_id", "demo-app", "redirect_uri",
	    CB, "response_type", "code", "scope", "openid", "state", "st",
	    "nonce", "n2", "code_challenge", CHALLENGE,
	    "code_challenge_method", "S256", k1, v1, NULL };

	req = request("GET", v, params(v, 16, q));
	req.session = handle;
	req.client_ip = "203.0.113.9";
	ck_assert_msg(s2o_oidc_authorize(&fx->env, &req, resp, &fx->err) == 0,
	    "%s", fx->err.detail);
	return resp->status;
}

START_TEST(test_idp_initiated_session)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 handle[23], code[64], *p, *q;
	unsigned char		*payload;
	size_t			 n;
	json_t			*o, *claims;

	fx_open(&fx, NULL, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	/* a session and a 302 to the client's initiate_login_uri, no code */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 302);
	ck_assert_str_eq(resp.location, LOGIN_URI "?iss=https%3A%2F%2F"
	    "bridge.example.test&login_hint=alice%40example.test"
	    "&target_link_uri=http%3A%2F%2F127.0.0.1%3A3000%2F");
	handle_of(&resp, "__Host-s2o_session", handle);
	ck_assert_str_eq(resp.set_cookie + strlen("__Host-s2o_session=") + 22,
	    "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=28800");
	ck_assert_ptr_null(strstr(resp.location, "code="));
	/* the same Response again: the replay cache */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_REPLAYED);
	ck_assert_ptr_null(resp.set_cookie);
	/* the client's own code flow is answered from the session, without
	 * another trip to the IdP, with its own state and nonce */
	ck_assert_int_eq(authorize_with(&fx, handle, "prompt", "none", &resp),
	    302);
	code_of(&resp, code);
	ck_assert_str_eq(resp.location + strlen(CB) + 6 + 43, "&state=st");
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	p = strchr(jget(o, "id_token"), '.') + 1;
	q = strchr(p, '.');
	ck_assert_ptr_nonnull(payload = s2o_b64url_decode(p, (size_t)(q - p),
	    65536, &n, &fx.err));
	ck_assert_ptr_nonnull(claims = json_loadb((char *)payload, n, 0, NULL));
	ck_assert_str_eq(jget(claims, "sub"),
	    "corp-unsolicited|alice@example.test");
	ck_assert_str_eq(jget(claims, "nonce"), "n2");
	ck_assert_str_eq(jget(claims, "sid"), "_sidx-idp-initiated");
	ck_assert_int_eq(json_integer_value(json_object_get(claims,
	    "auth_time")), 1795867170);
	json_decref(claims);
	free(payload);
	json_decref(o);
	/* the session answers again (another client login), until it ends */
	ck_assert_int_eq(authorize_with(&fx, handle, "response_mode",
	    "form_post", &resp), 200);
	ck_assert_ptr_nonnull(strstr(resp.body, "name=\"code\""));
	/* prompt=login: a new AuthnRequest with ForceAuthn */
	ck_assert_int_eq(authorize_with(&fx, handle, "prompt", "login", &resp),
	    302);
	ck_assert_msg(strncmp(resp.location, UNSOL_SSO "?SAMLRequest=",
	    strlen(UNSOL_SSO "?SAMLRequest=")) == 0, "%s", resp.location);
	/* a connection the session is not for: the IdP */
	ck_assert_int_eq(authorize_with(&fx, handle, "connection", "corp",
	    &resp), 302);
	ck_assert_msg(strncmp(resp.location, "https://idp.example.test/sso?",
	    29) == 0, "%s", resp.location);
	/* a handle we never gave out: no session */
	ck_assert_int_eq(authorize_with(&fx, "AAAAAAAAAAAAAAAAAAAAAA", "prompt",
	    "none", &resp), 302);
	ck_assert_msg(strstr(resp.location, "error=login_required") != NULL,
	    "%s", resp.location);
	ck_assert_int_eq(authorize_with(&fx, "x;y", "prompt", "none", &resp),
	    302);
	ck_assert_ptr_nonnull(strstr(resp.location, "error=login_required"));
	/* session_ttl later it is gone */
	s2o_clock_init_fixed(&fx.clock, OKTA_NOW + 28800);
	ck_assert_int_eq(authorize_with(&fx, handle, "prompt", "none", &resp),
	    302);
	ck_assert_msg(strstr(resp.location, "error=login_required"
	    "&error_description=prompt%3A%20none%20cannot") != NULL, "%s",
	    resp.location);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* The policies of the client asking are applied to the session: failing
 * them sends the login to the IdP, never a code. */
START_TEST(test_session_policies_reapplied)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 handle[23];

	fx_open(&fx, "{\"clients\": [{\"client_id\": \"demo-app\", "
	    "\"client_secret\": \"" SECRET "\", \"redirect_uris\": [\"" CB "\"], "
	    "\"initiate_login_uri\": \"" LOGIN_URI "\", \"policies\": "
	    "{\"allowed_groups\": [\"staff\"]}}]}", OKTA_NOW);
	s2o_oidc_response_init(&resp);
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, LOGIN_URI "/deep?x=1", &resp), 302);
	/* the IdP's RelayState on the client's origin: target_link_uri */
	ck_assert_msg(strstr(resp.location, "&target_link_uri=http%3A%2F%2F"
	    "127.0.0.1%3A3000%2Flogin%2Fdeep%3Fx%3D1") != NULL, "%s",
	    resp.location);
	handle_of(&resp, "__Host-s2o_session", handle);
	/* now the client requires a group the user lacks (the profile in
	 * the session is checked again, against today's configuration) */
	((struct s2o_config *)fx.cfg)->clients[0].policies.allowed_groups[0][0] =
	    'S';
	ck_assert_int_eq(authorize_with(&fx, handle, NULL, NULL, &resp), 302);
	ck_assert_msg(strncmp(resp.location, UNSOL_SSO "?",
	    strlen(UNSOL_SSO "?")) == 0, "%s", resp.location);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

START_TEST(test_idp_initiated_refusals)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	struct s2o_connection	*okta, *unsol;

	fx_open(&fx, NULL, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	okta = (struct s2o_connection *)s2o_config_connection(fx.cfg, "okta");
	unsol = (struct s2o_connection *)s2o_config_connection(fx.cfg,
	    "corp-unsolicited");
	/* a foreign RelayState is no pending login: unsolicited, and the
	 * okta connection does not take those */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/okta/response.xml", NULL,
	    "https://evil.example/", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	ck_assert_ptr_null(resp.set_cookie);
	/* a solicited Response without its pending login, even where
	 * unsolicited ones are allowed: it answers a request of ours that
	 * this POST does not belong to */
	okta->allow_idp_initiated = true;	/* demo-app is its default */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/okta/response.xml", NULL,
	    NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	ck_assert_ptr_null(resp.set_cookie);
	okta->allow_idp_initiated = false;
	/* allow_idp_initiated turned off */
	unsol->allow_idp_initiated = false;
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	unsol->allow_idp_initiated = true;
	/* /saml/acs/{connection}: an unknown name; another connection's */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    "nope", NULL, &resp), 400);
	ck_assert_int_eq(resp.reason, S2O_R_MALFORMED);
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    "okta", NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_ISSUER_MISMATCH);
	/* its own: the Destination must be that URL (the fixture names
	 * /saml/acs) */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    "corp-unsolicited", NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_DESTINATION_MISMATCH);
	/* and still accepted at /saml/acs: refusals claim nothing */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 302);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* A loopback http issuer (the demo): no __Host- prefix, no Secure. */
START_TEST(test_session_cookie_loopback_http)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 handle[23], code[64];

	fx_open(&fx, "{\"issuer\": \"http://127.0.0.1:8080\", "
	    "\"session_ttl\": 600}", OKTA_NOW);
	s2o_oidc_response_init(&resp);
	ck_assert_str_eq(s2o_oidc_session_cookie(fx.env.op), "s2o_session");
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 302);
	handle_of(&resp, "s2o_session", handle);
	ck_assert_str_eq(resp.set_cookie + strlen("s2o_session=") + 22,
	    "; Path=/; HttpOnly; SameSite=Lax; Max-Age=600");
	ck_assert_msg(strncmp(resp.location, LOGIN_URI "?iss=http%3A%2F%2F"
	    "127.0.0.1%3A8080&", strlen(LOGIN_URI "?iss=http%3A%2F%2F"
	    "127.0.0.1%3A8080&")) == 0, "%s", resp.location);
	ck_assert_int_eq(authorize_with(&fx, handle, NULL, NULL, &resp), 302);
	code_of(&resp, code);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* Serving a connection that takes IdP-initiated logins needs its default
 * client to have an initiate_login_uri and allow it. */
START_TEST(test_provider_idp_initiated_rule)
{
	struct s2o_config	*cfg;
	struct s2o_keyset	*ks;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	patch("{\"clients\": [{\"client_id\": \"demo-app\", \"redirect_uris\": "
	    "[\"" CB "\"]}]}");
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	ck_assert_ptr_nonnull(cfg = s2o_config_load(tmpcfg, &d, &err));
	unpatch();
	ck_assert_ptr_nonnull(ks = s2o_token_keyset_new(cfg, &err));
	ck_assert_ptr_null(s2o_oidc_provider_new(cfg, ks, &err));
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "connection "
	    "corp-unsolicited allows IdP-initiated logins: its default_client "
	    "must be a client that allows it and has an initiate_login_uri");
	s2o_token_keyset_free(ks);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

/* ---- http/labels: counters labelled with configured names --------------- */

START_TEST(test_labelled_counters)
{
	struct http_labelled	 t;
	struct s2o_buf		 b;
	struct s2o_err		 err;
	char			 name[32], *text;
	int			 i;

	s2o_err_clear(&err);
	http_labelled_init(&t);
	http_labelled_add(&t, HTTP_SERIES_REJECTIONS, "replayed", "corp");
	http_labelled_add(&t, HTTP_SERIES_REJECTIONS, "replayed", "corp");
	http_labelled_add(&t, HTTP_SERIES_REJECTIONS, "expired", "unknown");
	http_labelled_add(&t, HTTP_SERIES_TOKENS, "demo-app", NULL);
	http_labelled_add(&t, HTTP_SERIES_TOKENS, "we\"ird\\app", NULL);
	s2o_buf_init(&b, 1u << 20);
	ck_assert_int_eq(http_labelled_render(&t, &b, &err), 0);
	ck_assert_ptr_nonnull(text = s2o_buf_take(&b, NULL));
	ck_assert_str_eq(text,
	    "# HELP saml2oidc_saml_rejections_total SAML Responses refused at "
	    "the ACS, by reason and connection.\n"
	    "# TYPE saml2oidc_saml_rejections_total counter\n"
	    "saml2oidc_saml_rejections_total{reason=\"replayed\","
	    "connection=\"corp\"} 2\n"
	    "saml2oidc_saml_rejections_total{reason=\"expired\","
	    "connection=\"unknown\"} 1\n"
	    "# HELP saml2oidc_tokens_issued_total Token responses (an ID token "
	    "and an access token), by client.\n"
	    "# TYPE saml2oidc_tokens_issued_total counter\n"
	    "saml2oidc_tokens_issued_total{client=\"demo-app\"} 1\n"
	    "saml2oidc_tokens_issued_total{client=\"we\\\"ird\\\\app\"} 1\n");
	free(text);
	/* bounded: past HTTP_MAX_SERIES series, new ones count as other */
	for (i = 0; i < HTTP_MAX_SERIES + 10; i++) {
		snprintf(name, sizeof(name), "client-%d", i);
		http_labelled_add(&t, HTTP_SERIES_TOKENS, name, NULL);
	}
	ck_assert_uint_eq(t.n, HTTP_MAX_SERIES + 1);
	s2o_buf_init(&b, 1u << 20);
	ck_assert_int_eq(http_labelled_render(&t, &b, &err), 0);
	ck_assert_ptr_nonnull(text = s2o_buf_take(&b, NULL));
	ck_assert_msg(strstr(text, "saml2oidc_tokens_issued_total{"
	    "client=\"other\"} 14\n") != NULL, "%s", strstr(text, "other"));
	free(text);
	http_labelled_cleanup(&t);
}
END_TEST

/* The labels the endpoints hand to http/: the connection of an ACS
 * answer, the client of a token response. */
START_TEST(test_metric_labels)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 code[64];
	json_t			*o;

	fx_open(&fx, NULL, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r1", NULL, &resp), 302);
	ck_assert_str_eq(resp.metric_connection, "okta");
	code_of(&resp, code);
	pending(&fx, "r2", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r2", NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_REPLAYED);
	ck_assert_str_eq(resp.metric_connection, "okta");
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/okta/response.xml", NULL,
	    NULL, &resp), 403);
	ck_assert_str_eq(resp.metric_connection, "okta");
	ck_assert_int_eq(acs(&fx, "nobody-knows", NULL, &resp), 403);
	ck_assert_str_eq(resp.metric_connection, "okta");
	s2o_oidc_response_cleanup(&resp);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	json_decref(o);
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
	tcase_add_test(tc, test_code_failed_then_reused);
	tcase_add_test(tc, test_code_ttl);
	tcase_add_test(tc, test_token_without_pkce);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/idp_initiated");
	tcase_add_test(tc, test_idp_initiated_session);
	tcase_add_test(tc, test_session_policies_reapplied);
	tcase_add_test(tc, test_idp_initiated_refusals);
	tcase_add_test(tc, test_session_cookie_loopback_http);
	tcase_add_test(tc, test_provider_idp_initiated_rule);
	suite_add_tcase(s, tc);
	tc = tcase_create("http/metrics");
	tcase_add_test(tc, test_labelled_counters);
	tcase_add_test(tc, test_metric_labels);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(login_suite());
}
