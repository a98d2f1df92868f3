/* SPDX-License-Identifier: MIT */
/*
 * oidc/: the endpoint functions called directly, no sockets. The discovery
 * document for fixtures/saml/bridge.json is compared byte for byte (member
 * order included) with the text below; the JWKS endpoint must pass
 * s2o_token_jwks_json() through unchanged; every reason's error body is
 * checked against the reason table; the issuer rule (https, or http on
 * loopback) is checked on a table of URLs and through the provider.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "oidc/oidc.h"
#include "token/token.h"
#include "helpers.h"

#define ISS	"https://bridge.example.test"

/* OpenID Connect Discovery 1.0 §3 for bridge.json: one RS256 key. */
static const char discovery_bridge[] =
    "{\"issuer\":\"" ISS "\","
    "\"authorization_endpoint\":\"" ISS "/authorize\","
    "\"token_endpoint\":\"" ISS "/token\","
    "\"userinfo_endpoint\":\"" ISS "/userinfo\","
    "\"jwks_uri\":\"" ISS "/.well-known/jwks.json\","
    "\"scopes_supported\":[\"openid\",\"profile\",\"email\"],"
    "\"response_types_supported\":[\"code\"],"
    "\"response_modes_supported\":[\"query\",\"form_post\"],"
    "\"grant_types_supported\":[\"authorization_code\"],"
    "\"subject_types_supported\":[\"public\"],"
    "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
    "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\","
    "\"client_secret_post\",\"none\"],"
    "\"claims_supported\":[\"sub\",\"iss\",\"aud\",\"exp\",\"iat\","
    "\"auth_time\",\"nonce\",\"acr\",\"amr\",\"sid\",\"azp\",\"at_hash\","
    "\"name\",\"given_name\",\"family_name\",\"email\",\"groups\"],"
    "\"code_challenge_methods_supported\":[\"S256\"]}";

/* A configuration, its keyset and the provider over both. */
struct fx {
	struct s2o_config		*cfg;
	struct s2o_keyset		*ks;
	struct s2o_oidc_provider	*op;
	struct s2o_err			 err;
};

static struct s2o_config *
load_config(const char *path)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(path, &d, &err);
	ck_assert_msg(cfg != NULL, "%s: %s", path,
	    d.nerrors ? d.v[0].text : err.detail);
	s2o_diags_cleanup(&d);
	return cfg;
}

/* Loads path; with issuer set, replaces the configuration's issuer (the
 * configuration is plain data) before the provider is made. Returns the
 * provider's result: 0, or -1 with fx->err set. */
static int
fx_open(struct fx *fx, const char *path, const char *issuer)
{
	memset(fx, 0, sizeof(*fx));
	s2o_err_clear(&fx->err);
	fx->cfg = load_config(path);
	if (issuer != NULL) {
		free(fx->cfg->issuer);
		ck_assert_ptr_nonnull(fx->cfg->issuer = strdup(issuer));
	}
	ck_assert_ptr_nonnull(fx->ks = s2o_token_keyset_new(fx->cfg,
	    &fx->err));
	fx->op = s2o_oidc_provider_new(fx->cfg, fx->ks, &fx->err);
	return fx->op != NULL ? 0 : -1;
}

static void
fx_close(struct fx *fx)
{
	s2o_oidc_provider_free(fx->op);
	s2o_token_keyset_free(fx->ks);
	s2o_config_free(fx->cfg);
}

static void
bridge_open(struct fx *fx)
{
	ck_assert_msg(fx_open(fx, fx_path("saml/bridge.json"), NULL) == 0,
	    "%s", fx->err.detail);
}

static const struct s2o_oidc_request get_req = { "GET", NULL, 0, NULL, 0,
    NULL, "0123456789abcdef", NULL, NULL, NULL };

/* ---- oidc/discovery ----------------------------------------------------- */

START_TEST(test_discovery_bridge)
{
	struct fx			fx;
	struct s2o_oidc_response	resp;
	json_t				*got, *want;

	bridge_open(&fx);
	s2o_oidc_response_init(&resp);
	ck_assert_int_eq(s2o_oidc_discovery(fx.op, &get_req, &resp, &fx.err),
	    0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_str_eq(resp.cache_control, "public, max-age=300");
	ck_assert(resp.cors_public);
	ck_assert_int_eq(resp.reason, S2O_R_OK);
	ck_assert_uint_eq(resp.len, strlen(resp.body));
	/* the same JSON, and the same bytes (member order is fixed) */
	got = json_loads(resp.body, 0, NULL);
	want = json_loads(discovery_bridge, 0, NULL);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(want);
	ck_assert_msg(json_equal(got, want), "got %s", resp.body);
	ck_assert_str_eq(resp.body, discovery_bridge);
	ck_assert_str_eq(s2o_oidc_discovery_json(fx.op), discovery_bridge);
	json_decref(got);
	json_decref(want);
	s2o_oidc_response_cleanup(&resp);
	ck_assert_ptr_null(resp.body);
	fx_close(&fx);
}
END_TEST

/* A temporary configuration with the given issuer and two signing keys,
 * RS256 first and ES256 active. */
static char	tmpdir[256];
static char	tmpcfg[512];

static void
write_config(const char *issuer)
{
	const char	*base = getenv("TMPDIR");
	char		 rs[512], es[512], crt[512], map[512];
	FILE		*fp;

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_oidc.XXXXXX",
	    base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(tmpcfg, sizeof(tmpcfg), "%s/bridge.json", tmpdir);
	snprintf(rs, sizeof(rs), "%s", fx_path("keys/bridge-rs256.pem"));
	snprintf(es, sizeof(es), "%s", fx_path("keys/bridge-es256.pem"));
	snprintf(crt, sizeof(crt), "%s", fx_path("keys/idp-rsa.crt"));
	snprintf(map, sizeof(map), "%s",
	    src_path("mappings/auth0-default.json"));
	ck_assert_ptr_nonnull(fp = fopen(tmpcfg, "w"));
	fprintf(fp, "{\"issuer\": \"%s\", \"signing_keys\": ["
	    "{\"kid\": \"a\", \"alg\": \"RS256\", "
	    "\"private_key_file\": \"%s\"},"
	    "{\"kid\": \"b\", \"alg\": \"ES256\", "
	    "\"private_key_file\": \"%s\", \"active\": true}", issuer, rs, es);
	fprintf(fp, "], \"sp\": {\"entity_id\": \"" ISS "/saml\", "
	    "\"acs_url\": \"" ISS "/saml/acs\"},"
	    "\"connections\": [{\"name\": \"corp\", \"idp_entity_id\": "
	    "\"https://idp.example.test/\", \"idp_certificates\": [\"%s\"], "
	    "\"mappings_file\": \"%s\"}]}\n", crt, map);
	fclose(fp);
}

static void
remove_config(void)
{
	unlink(tmpcfg);
	rmdir(tmpdir);
}

/*
 * id_token_signing_alg_values_supported lists the configured keys' algs
 * once each, the active (signing) key's first; endpoints are built on an
 * issuer with a path and a trailing '/' without doubling the '/'.
 */
START_TEST(test_discovery_algs_and_paths)
{
	struct fx	 fx;
	json_t		*doc, *algs;

	write_config("https://login.example.test/tenant/");
	ck_assert_int_eq(fx_open(&fx, tmpcfg, NULL), 0);
	ck_assert_ptr_nonnull(doc = json_loads(s2o_oidc_discovery_json(fx.op),
	    0, NULL));
	ck_assert_ptr_nonnull(algs = json_pack("[s, s]", "ES256", "RS256"));
	ck_assert(json_equal(json_object_get(doc,
	    "id_token_signing_alg_values_supported"), algs));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "issuer")),
	    "https://login.example.test/tenant/");
	ck_assert_str_eq(json_string_value(json_object_get(doc,
	    "authorization_endpoint")),
	    "https://login.example.test/tenant/authorize");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "jwks_uri")),
	    "https://login.example.test/tenant/.well-known/jwks.json");
	json_decref(algs);
	json_decref(doc);
	fx_close(&fx);
	remove_config();
}
END_TEST

/* ---- oidc/jwks ---------------------------------------------------------- */

START_TEST(test_jwks_passthrough)
{
	struct fx			 fx;
	struct s2o_oidc_response	 resp;
	char				*want;

	bridge_open(&fx);
	ck_assert_ptr_nonnull(want = s2o_token_jwks_json(fx.ks, &fx.err));
	s2o_oidc_response_init(&resp);
	ck_assert_int_eq(s2o_oidc_jwks(fx.op, &get_req, &resp, &fx.err), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_str_eq(resp.cache_control, "public, max-age=300");
	ck_assert(resp.cors_public);
	ck_assert_uint_eq(resp.len, strlen(want));
	ck_assert_str_eq(resp.body, want);
	ck_assert_ptr_nonnull(strstr(resp.body, "\"kid\":\"fx-rs256\""));
	/* a second request gets its own copy */
	s2o_oidc_response_cleanup(&resp);
	ck_assert_int_eq(s2o_oidc_jwks(fx.op, &get_req, &resp, &fx.err), 0);
	ck_assert_str_eq(resp.body, want);
	s2o_oidc_response_cleanup(&resp);
	free(want);
	fx_close(&fx);
}
END_TEST

/* ---- oidc/errors -------------------------------------------------------- */

/*
 * Every reason, through s2o_oidc_response_error(): the status and the
 * OAuth error come from the reason table, the description is
 * "<token>: <detail>". One loop iteration per reason.
 */
START_TEST(test_error_every_reason)
{
	enum s2o_reason			 reason = (enum s2o_reason)(_i + 1);
	struct s2o_oidc_response	 resp;
	struct s2o_err			 err;
	char				 desc[512];
	json_t				*o;

	s2o_err_clear(&err);
	s2o_err_set(&err, reason, "what to fix, for %s",
	    s2o_reason_token(reason));
	s2o_oidc_response_init(&resp);
	ck_assert_int_eq(s2o_oidc_response_error(&resp, &err), 0);
	ck_assert_int_eq(resp.status, s2o_reason_http_status(reason));
	ck_assert_int_eq(resp.reason, reason);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_ptr_null(resp.cache_control);	/* no-store */
	ck_assert(!resp.cors_public);
	ck_assert_ptr_nonnull(o = json_loads(resp.body, 0, NULL));
	ck_assert_uint_eq(json_object_size(o), 2);
	ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
	    s2o_reason_oauth_error(reason));
	if (reason == S2O_R_INTERNAL || reason == S2O_R_STORE_UNAVAILABLE)
		snprintf(desc, sizeof(desc), "%s", s2o_reason_token(reason));
	else
		snprintf(desc, sizeof(desc), "%s: what to fix, for %s",
		    s2o_reason_token(reason), s2o_reason_token(reason));
	ck_assert_str_eq(json_string_value(json_object_get(o,
	    "error_description")), desc);
	json_decref(o);
	s2o_oidc_response_cleanup(&resp);
}
END_TEST

/* The mapping a client sees, spelled out for the reasons that matter. */
START_TEST(test_error_exact)
{
	static const struct {
		enum s2o_reason	 reason;
		const char	*detail;
		const char	*body;
		int		 status;
	} cases[] = {
		{ S2O_R_TOO_LARGE, "request body: 70000 bytes",
		    "{\"error\":\"invalid_request\",\"error_description\":"
		    "\"too_large: request body: 70000 bytes\"}", 413 },
		{ S2O_R_MALFORMED, "parameter \"state\" given more than once",
		    "{\"error\":\"invalid_request\",\"error_description\":"
		    "\"malformed: parameter \\\"state\\\" given more than "
		    "once\"}", 400 },
		{ S2O_R_SIGNATURE_INVALID, "",
		    "{\"error\":\"access_denied\",\"error_description\":"
		    "\"signature_invalid\"}", 403 },
		{ S2O_R_STORE_UNAVAILABLE, "redis: connection refused",
		    "{\"error\":\"temporarily_unavailable\","
		    "\"error_description\":\"store_unavailable\"}", 503 },
		/* the server's own faults: the detail is for the log only */
		{ S2O_R_INTERNAL, "out of memory",
		    "{\"error\":\"server_error\",\"error_description\":"
		    "\"internal\"}", 500 },
	};
	struct s2o_oidc_response	resp;
	struct s2o_err			err;
	size_t				i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s2o_err_clear(&err);
		if (cases[i].detail[0] != '\0')
			s2o_err_set(&err, cases[i].reason, "%s",
			    cases[i].detail);
		else
			err.reason = cases[i].reason;
		s2o_oidc_response_init(&resp);
		ck_assert_int_eq(s2o_oidc_response_error(&resp, &err), 0);
		ck_assert_int_eq(resp.status, cases[i].status);
		ck_assert_str_eq(resp.body, cases[i].body);
		s2o_oidc_response_cleanup(&resp);
	}
}
END_TEST

/* ---- oidc/issuer -------------------------------------------------------- */

START_TEST(test_url_is_loopback)
{
	static const struct {
		const char	*url;
		bool		 loopback;
	} cases[] = {
		{ "http://127.0.0.1", true },
		{ "http://127.0.0.1:8080", true },
		{ "http://127.1.2.3:8080/x", true },
		{ "http://localhost:8080", true },
		{ "http://LOCALHOST/", true },
		{ "http://[::1]:8080/", true },
		{ "https://[::1]", true },
		{ "http://127.0.0.1?x", true },
		{ "http://128.0.0.1", false },
		{ "http://127.1", false },		/* not a dotted quad */
		{ "http://127.0.0.1.example.test", false },
		{ "http://localhost.example.test", false },
		{ "http://127.0.0.1@evil.example.test", false },
		{ "http://evil.example.test#@127.0.0.1", false },
		{ "http://[::2]", false },
		{ "http://[::1", false },
		{ "http://", false },
		{ "ftp://127.0.0.1", false },
		{ "127.0.0.1:8080", false },
		{ "http://0.0.0.0:8080", false },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(s2o_oidc_url_is_loopback(cases[i].url) ==
		    cases[i].loopback, "%s: expected %s", cases[i].url,
		    cases[i].loopback ? "loopback" : "not loopback");
}
END_TEST

START_TEST(test_provider_issuer_rule)
{
	static const struct {
		const char	*issuer;
		bool		 ok;
	} cases[] = {
		{ "https://bridge.example.test", true },
		{ "HTTPS://bridge.example.test", true },
		{ "http://127.0.0.1:8080", true },
		{ "http://localhost:8080", true },
		{ "http://[::1]:8080", true },
		{ "http://bridge.example.test", false },
		{ "http://10.0.0.1:8080", false },
	};
	struct fx	fx;
	char		want[256];
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].ok) {
			ck_assert_msg(fx_open(&fx, fx_path("saml/bridge.json"),
			    cases[i].issuer) == 0, "%s: %s", cases[i].issuer,
			    fx.err.detail);
			ck_assert_ptr_eq(s2o_oidc_provider_config(fx.op),
			    fx.cfg);
			ck_assert_ptr_eq(s2o_oidc_provider_keyset(fx.op),
			    fx.ks);
		} else {
			ck_assert_int_eq(fx_open(&fx,
			    fx_path("saml/bridge.json"), cases[i].issuer), -1);
			snprintf(want, sizeof(want), "issuer \"%s\": serving "
			    "needs an https issuer", cases[i].issuer);
			ck_assert_s2o_err(&fx.err, S2O_R_CONFIG_INVALID, want);
			ck_assert_ptr_nonnull(strstr(fx.err.detail,
			    "http is allowed only on a loopback host"));
		}
		fx_close(&fx);
	}
}
END_TEST


/* ---- oidc/authorize ------------------------------------------------------ */

#define CB	"http://127.0.0.1:3000/cb"
/* RFC 7636 appendix B: the challenge of its verifier */
#define CHAL	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"
#define CHALLENGE CHAL "M"

/* A GET /authorize with these query parameters (NULL-terminated pairs). */
static size_t
authz_query(struct s2o_oidc_param *v, size_t max, const char *const *kv)
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
	const char	*kv[32];
	const char	*error;		/* NULL: accepted */
	bool		 redirect;	/* the error goes back to the client */
	const char	*detail;	/* a part of it */
} authz_cases[] = {
#define GOOD_AFTER_CLIENT "redirect_uri", CB, "response_type", "code", \
	"scope", "openid email", "state", "st", "nonce", "nc", \
	"code_challenge", CHALLENGE, "code_challenge_method", "S256"
	{ { "client_id", "demo-app", GOOD_AFTER_CLIENT, "connection", "corp",
	    NULL }, NULL, false, NULL },
	{ { GOOD_AFTER_CLIENT, "connection", "corp", NULL },
	    "invalid_request", false, "client_id: missing" },
	{ { "client_id", "nobody", GOOD_AFTER_CLIENT, NULL },
	    "unauthorized_client", false, "client_id: no client nobody" },
	{ { "client_id", "demo-app", "client_id", "demo-app",
	    GOOD_AFTER_CLIENT, NULL },
	    "invalid_request", false, "client_id: given more than once" },
	{ { "client_id", "demo-app", "redirect_uri", "http://127.0.0.1:3000/cb/",
	    NULL }, "invalid_request", false, "not registered" },
	{ { "client_id", "demo-app", "redirect_uri", "http://127.0.0.1:3000",
	    NULL }, "invalid_request", false, "exact match only" },
	{ { "client_id", "demo-app", NULL }, "invalid_request", false,
	    "redirect_uri: missing" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "scope", "openid", NULL },
	    "invalid_request", true, "response_type: missing" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "response_type", "token", NULL },
	    "unsupported_response_type", true, "only code" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "response_type", "code", "scope", "openidx profile", NULL },
	    "invalid_scope", true, "must contain openid" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "response_type",
	    "code", "scope", "openid", NULL },
	    "invalid_request", true, "state: missing" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "response_type", "code", "scope", "openid", NULL },
	    "invalid_request", true, "nonce: missing" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "response_type", "code", "scope", "openid", "nonce", "n", NULL },
	    "invalid_request", true, "code_challenge: missing" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "response_type", "code", "scope", "openid", "nonce", "n",
	    "code_challenge", CHALLENGE, NULL },
	    "invalid_request", true, "code_challenge_method: missing" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "response_type", "code", "scope", "openid", "nonce", "n",
	    "code_challenge", CHALLENGE, "code_challenge_method", "plain",
	    NULL }, "invalid_request", true, "plain: only S256" },
	{ { "client_id", "demo-app", "redirect_uri", CB, "state", "st",
	    "response_type", "code", "scope", "openid", "nonce", "n",
	    "code_challenge", CHAL, "code_challenge_method", "S256", NULL },
	    "invalid_request", true, "not 43 base64url" },
	{ { "client_id", "demo-app", GOOD_AFTER_CLIENT, NULL },
	    "invalid_request", true, "more than one" },
	{ { "client_id", "demo-app", GOOD_AFTER_CLIENT, "connection", "nope",
	    NULL }, "invalid_request", true, "no connection nope" },
	{ { "client_id", "demo-app", GOOD_AFTER_CLIENT, "connection", "corp",
	    "prompt", "none", NULL }, "login_required", true, "prompt" },
	{ { "client_id", "demo-app", GOOD_AFTER_CLIENT, "connection", "corp",
	    "response_mode", "fragment", NULL }, "invalid_request", true,
	    "response_mode: fragment: query or form_post" },
	{ { "client_id", "demo-app", GOOD_AFTER_CLIENT, "connection", "corp",
	    "state", "again", NULL },
	    "invalid_request", true, "state: given more than once" },
};

START_TEST(test_authorize_check_table)
{
	struct fx		 fx;
	struct s2o_oidc_param	 v[32];
	struct s2o_oidc_request	 req = get_req;
	struct s2o_oidc_authz	 a;
	struct s2o_err		 err;
	int			 rc;

	bridge_open(&fx);
	req.query = v;
	req.nquery = authz_query(v, 32, authz_cases[_i].kv);
	s2o_err_clear(&err);
	rc = s2o_oidc_authorize_check(fx.cfg, &req, &a, &err);
	if (authz_cases[_i].error == NULL) {
		ck_assert_msg(rc == 0, "case %d: %s", _i, err.detail);
		ck_assert_str_eq(a.conn->name, "corp");
		ck_assert_str_eq(a.nonce, "nc");
		ck_assert(!a.force_authn);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_int_eq(err.reason, S2O_R_MALFORMED);
		ck_assert_str_eq(a.error, authz_cases[_i].error);
		ck_assert_msg(strstr(err.detail, authz_cases[_i].detail) !=
		    NULL, "case %d: %s", _i, err.detail);
		ck_assert_int_eq(a.redirect_uri != NULL,
		    authz_cases[_i].redirect);
	}
	fx_close(&fx);
}
END_TEST

/* An endpoint environment over fx's provider: a clock fixed at now and a
 * fresh memory store (the caller frees env->store). */
static void
env_open(struct s2o_oidc_env *env, const struct fx *fx,
    struct s2o_clock *clock, time_t now)
{
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(clock, now);
	memset(env, 0, sizeof(*env));
	env->op = fx->op;
	env->clock = clock;
	env->store = s2o_store_memory_new(clock, &err);
	ck_assert_msg(env->store != NULL, "%s", err.detail);
}

/* The answer for a case: the page or the redirect, never both. */
START_TEST(test_authorize_error_answers)
{
	struct fx		 fx;
	struct s2o_oidc_param	 v[32];
	struct s2o_oidc_request	 req = get_req;
	struct s2o_oidc_response resp;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	const char *const	 bad_client[] = { "client_id", "x<b>",
	    "redirect_uri", "https://evil.example/", NULL };
	const char *const	 bad_pkce[] = { "client_id", "demo-app",
	    "redirect_uri", CB, "state", "a b&c", "response_type", "code",
	    "scope", "openid", "nonce", "n", "code_challenge", CHALLENGE,
	    "code_challenge_method", "plain", NULL };

	bridge_open(&fx);
	env_open(&env, &fx, &clock, 1700000000);
	s2o_err_clear(&err);
	s2o_oidc_response_init(&resp);
	req.query = v;
	/* unverified client: a page, input escaped, no Location */
	req.nquery = authz_query(v, 32, bad_client);
	ck_assert_int_eq(s2o_oidc_authorize(&env, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 400);
	ck_assert_ptr_null(resp.location);
	ck_assert_str_eq(resp.content_type, "text/html; charset=utf-8");
	ck_assert_int_eq(resp.reason, S2O_R_MALFORMED);
	ck_assert_ptr_nonnull(strstr(resp.body, "unauthorized_client"));
	ck_assert_ptr_nonnull(strstr(resp.body, "no client x&lt;b&gt;"));
	ck_assert_ptr_nonnull(strstr(resp.body, "0123456789abcdef"));
	ck_assert_ptr_null(strstr(resp.body, "evil"));
	/* verified: back to the client with error, description, state */
	req.nquery = authz_query(v, 32, bad_pkce);
	ck_assert_int_eq(s2o_oidc_authorize(&env, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 302);
	ck_assert_ptr_null(resp.body);
	ck_assert_str_eq(resp.location, CB "?error=invalid_request"
	    "&error_description=code_challenge_method%3A%20plain%3A%20only"
	    "%20S256%20is%20accepted&state=a%20b%26c");
	s2o_oidc_response_cleanup(&resp);
	s2o_store_free(env.store);
	fx_close(&fx);
}
END_TEST

/* The RelayState of an HTTP-Redirect Location (22 base64url). */
static void
relay_of(const char *location, char out[23])
{
	const char	*p = strstr(location, "RelayState=");

	ck_assert_ptr_nonnull(p);
	p += strlen("RelayState=");
	ck_assert_uint_ge(strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_"), 22);
	memcpy(out, p, 22);
	out[22] = '\0';
}

START_TEST(test_authorize_accepts)
{
	struct fx		 fx;
	struct s2o_oidc_param	 v[32];
	struct s2o_oidc_request	 req = get_req;
	struct s2o_oidc_response resp;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	char			 relay[23], relay2[23], *pending;
	struct s2o_saml_sp_keys	*spk;
	json_t			*o;
	const char *const	 redirect[] = { "client_id", "demo-app",
	    GOOD_AFTER_CLIENT, "connection", "corp", "login_hint",
	    "a@example.test", "prompt", "login consent", NULL };
	const char *const	 post[] = { "client_id", "demo-app",
	    GOOD_AFTER_CLIENT, "connection", "corp-ec", NULL };

	bridge_open(&fx);
	env_open(&env, &fx, &clock, 1700000000);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	ck_assert_ptr_nonnull(spk = s2o_saml_sp_keys_new(&fx.cfg->sp, &err));
	env.spk = spk;
	s2o_oidc_response_init(&resp);
	req.query = v;
	req.nquery = authz_query(v, 32, redirect);
	ck_assert_msg(s2o_oidc_authorize(&env, &req, &resp, &err) == 0, "%s",
	    err.detail);
	ck_assert_int_eq(resp.status, 302);
	ck_assert_int_eq(resp.reason, S2O_R_OK);
	ck_assert_msg(strncmp(resp.location, "https://idp.example.test/sso?"
	    "SAMLRequest=", 41) == 0, "%s", resp.location);
	relay_of(resp.location, relay);
	/* the pending login, once */
	ck_assert_int_eq(s2o_store_take(env.store, S2O_OIDC_NS_AUTHN, relay,
	    &pending, &err), 0);
	ck_assert_ptr_nonnull(o = json_loads(pending, 0, NULL));
	ck_assert_str_eq(json_string_value(json_object_get(o, "client_id")),
	    "demo-app");
	ck_assert_str_eq(json_string_value(json_object_get(o,
	    "redirect_uri")), CB);
	ck_assert_str_eq(json_string_value(json_object_get(o, "nonce")), "nc");
	ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "st");
	ck_assert_str_eq(json_string_value(json_object_get(o,
	    "code_challenge")), CHALLENGE);
	ck_assert_str_eq(json_string_value(json_object_get(o, "connection")),
	    "corp");
	ck_assert_uint_ge(strlen(json_string_value(json_object_get(o,
	    "request_id"))), 20);
	json_decref(o);
	free(pending);
	ck_assert_int_eq(s2o_store_take(env.store, S2O_OIDC_NS_AUTHN, relay,
	    &pending, &err), 1);
	/* a fresh handle every time */
	ck_assert_int_eq(s2o_oidc_authorize(&env, &req, &resp, &err), 0);
	relay_of(resp.location, relay2);
	ck_assert_str_ne(relay, relay2);
	/* pending logins expire after 10 minutes */
	s2o_clock_init_fixed(&clock, 1700000000 + S2O_OIDC_AUTHN_TTL);
	ck_assert_int_eq(s2o_store_take(env.store, S2O_OIDC_NS_AUTHN, relay2,
	    &pending, &err), 1);
	/* HTTP-POST: the form, and a CSP allowing its one script by hash
	 * (sha256 of "document.forms[0].submit();") */
	req.nquery = authz_query(v, 32, post);
	ck_assert_msg(s2o_oidc_authorize(&env, &req, &resp, &err) == 0, "%s",
	    err.detail);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_null(resp.location);
	ck_assert_str_eq(resp.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(resp.body, "https://idp-ec.example.test/sso"));
	ck_assert_ptr_nonnull(strstr(resp.body, "SAMLRequest"));
	ck_assert_ptr_nonnull(resp.csp);
	ck_assert_msg(strncmp(resp.csp, "default-src 'none'; script-src "
	    "'sha256-", 39) == 0, "%s", resp.csp);
	s2o_oidc_response_cleanup(&resp);
	s2o_saml_sp_keys_free(spk);
	s2o_store_free(env.store);
	fx_close(&fx);
}
END_TEST


/* ---- oidc/acs ------------------------------------------------------------ */

#define OKTA_NOW	1795867260	/* 2026-11-28T12:01:00Z, its meta */

/* Stores a pending login as /authorize would. */
static void
acs_pending_mode(struct s2o_store *st, const char *relay,
    const char *connection, const char *mode)
{
	struct s2o_err	err;
	char		v[512];

	s2o_err_clear(&err);
	snprintf(v, sizeof(v), "{\"response_mode\":\"%s\",", mode);
	snprintf(v + strlen(v), sizeof(v) - strlen(v), "\"request_id\":"
	    "\"_req-okta\",\"client_id\":\"demo-app\",\"redirect_uri\":\""
	    CB "\",\"state\":\"s<t\",\"nonce\":\"nc\",\"code_challenge\":"
	    "\"" CHALLENGE "\",\"connection\":\"%s\",\"created\":0}",
	    connection);
	ck_assert_int_eq(s2o_store_put(st, S2O_OIDC_NS_AUTHN, relay, v,
	    OKTA_NOW + 600, &err), 0);
}

static void
acs_pending(struct s2o_store *st, const char *relay, const char *connection)
{
	struct s2o_err	err;
	char		v[512];

	s2o_err_clear(&err);
	snprintf(v, sizeof(v), "{\"request_id\":\"_req-okta\","
	    "\"client_id\":\"demo-app\",\"redirect_uri\":\"" CB "\","
	    "\"state\":\"s t\",\"nonce\":\"nc\",\"code_challenge\":\""
	    CHALLENGE "\",\"connection\":\"%s\",\"created\":0}", connection);
	ck_assert_int_eq(s2o_store_put(st, S2O_OIDC_NS_AUTHN, relay, v,
	    OKTA_NOW + 600, &err), 0);
}

/* POSTs the okta fixture with relay (or none); returns the status. */
static int
acs_post(const struct s2o_oidc_env *env, const char *saml, const char *relay,
    struct s2o_oidc_response *resp)
{
	struct s2o_oidc_param	 f[2];
	struct s2o_oidc_request	 req = get_req;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	f[0].name = "SAMLResponse";
	f[0].value = saml;
	f[0].len = strlen(saml);
	f[1].name = "RelayState";
	f[1].value = relay ? relay : "";
	f[1].len = strlen(f[1].value);
	req.method = "POST";
	req.form = f;
	req.nform = relay ? 2 : 1;
	ck_assert_msg(s2o_oidc_acs(env, &req, resp, &err) == 0, "%s",
	    err.detail);
	return resp->status;
}

START_TEST(test_acs_code_once)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	char			*saml, *code_json, code[64];
	const char		*p;
	json_t			*o;

	bridge_open(&fx);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	ck_assert_ptr_nonnull(saml = fx_read(fx_path("saml/okta/response.xml"),
	    NULL));
	env_open(&env, &fx, &clock, OKTA_NOW);
	s2o_err_clear(&err);
	s2o_oidc_response_init(&resp);

	/* no RelayState, or one nobody stored: refused before parsing */
	ck_assert_int_eq(acs_post(&env, saml, NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	ck_assert_int_eq(acs_post(&env, saml, "nobody", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	ck_assert_ptr_nonnull(strstr(resp.body, "<code>in_response_to_mismatch"
	    "</code>"));
	ck_assert_ptr_nonnull(strstr(resp.body, "0123456789abcdef"));
	ck_assert_ptr_null(resp.location);

	/* a login sent to another connection: the issuer does not fit */
	acs_pending(env.store, "r0", "corp");
	ck_assert_int_eq(acs_post(&env, saml, "r0", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_ISSUER_MISMATCH);
	/* the detail is logged, never shown */
	ck_assert_ptr_null(strstr(resp.body, "connection"));

	/* the right one: a code, back to the client with its state */
	acs_pending(env.store, "r1", "okta");
	ck_assert_int_eq(acs_post(&env, saml, "r1", &resp), 302);
	ck_assert_int_eq(resp.reason, S2O_R_OK);
	ck_assert_msg(strncmp(resp.location, CB "?code=", strlen(CB) + 6) ==
	    0, "%s", resp.location);
	p = resp.location + strlen(CB) + 6;
	ck_assert_uint_eq(strcspn(p, "&"), 43);	/* 256 bits */
	ck_assert_str_eq(p + 43, "&state=s%20t");
	memcpy(code, p, 43);
	code[43] = '\0';
	ck_assert_int_eq(s2o_store_take(env.store, S2O_OIDC_NS_CODE, code,
	    &code_json, &err), 0);
	ck_assert_ptr_nonnull(o = json_loads(code_json, 0, NULL));
	ck_assert_str_eq(json_string_value(json_object_get(o, "sub")),
	    "okta|alice@example.test");
	ck_assert_str_eq(json_string_value(json_object_get(o, "client_id")),
	    "demo-app");
	ck_assert_str_eq(json_string_value(json_object_get(o, "nonce")), "nc");
	ck_assert_str_eq(json_string_value(json_object_get(o,
	    "code_challenge")), CHALLENGE);
	ck_assert_str_eq(json_string_value(json_object_get(o, "sid")),
	    "id10520385261785874871215921");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "auth_time")),
	    1795867170);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "id_token"), "email")), "alice@example.test");
	json_decref(o);
	free(code_json);

	/* the same POST again: its pending login is gone */
	ck_assert_int_eq(acs_post(&env, saml, "r1", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	/* the same Response for another pending login of the same request
	 * ID: the replay cache refuses the assertion */
	acs_pending(env.store, "r2", "okta");
	ck_assert_int_eq(acs_post(&env, saml, "r2", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_REPLAYED);

	s2o_oidc_response_cleanup(&resp);
	s2o_store_free(env.store);
	free(saml);
	fx_close(&fx);
}
END_TEST



START_TEST(test_acs_form_post)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	char			*saml;

	bridge_open(&fx);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	ck_assert_ptr_nonnull(saml = fx_read(fx_path("saml/okta/response.xml"),
	    NULL));
	env_open(&env, &fx, &clock, OKTA_NOW);
	s2o_err_clear(&err);
	s2o_oidc_response_init(&resp);
	acs_pending_mode(env.store, "r1", "okta", "form_post");
	ck_assert_int_eq(acs_post(&env, saml, "r1", &resp), 200);
	ck_assert_ptr_null(resp.location);
	ck_assert_str_eq(resp.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(resp.body, "<form method=\"post\" "
	    "action=\"" CB "\">"));
	ck_assert_ptr_nonnull(strstr(resp.body, "name=\"code\" value=\""));
	/* the state is escaped */
	ck_assert_ptr_nonnull(strstr(resp.body, "name=\"state\" "
	    "value=\"s&lt;t\""));
	ck_assert_ptr_nonnull(resp.csp);
	ck_assert_ptr_nonnull(strstr(resp.csp, "script-src 'sha256-"));
	s2o_oidc_response_cleanup(&resp);
	s2o_store_free(env.store);
	free(saml);
	fx_close(&fx);
}
END_TEST

/* ---- oidc/token ---------------------------------------------------------- */

#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"	/* RFC 7636 B */

START_TEST(test_pkce_s256)
{
	ck_assert(s2o_oidc_pkce_s256_ok(VERIFIER, CHALLENGE));
	ck_assert(!s2o_oidc_pkce_s256_ok(VERIFIER "x", CHALLENGE));
	ck_assert(!s2o_oidc_pkce_s256_ok(CHALLENGE, CHALLENGE));
	/* too short, and a character outside the unreserved set */
	ck_assert(!s2o_oidc_pkce_s256_ok("abc", CHALLENGE));
	ck_assert(!s2o_oidc_pkce_s256_ok("dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gF"
	    "WFOEjXk", CHALLENGE));
}
END_TEST

struct tok_case {
	const char	*kv[16];
	const char	*authorization;
	int		 status;
	const char	*error;		/* NULL: tokens */
	bool		 spends;	/* the code is gone after it */
};

static const struct tok_case tok_cases[] = {
#define TOK_GOOD "grant_type", "authorization_code", "code", "C0DE", \
	"redirect_uri", CB, "code_verifier", VERIFIER
	{ { TOK_GOOD, "client_id", "demo-app", "client_secret",
	    "fixture-client-secret", NULL }, NULL, 200, NULL, true },
	/* client_secret_basic: base64("demo-app:fixture-client-secret") */
	{ { TOK_GOOD, NULL }, "Basic ZGVtby1hcHA6Zml4dHVyZS1jbGllbnQtc2VjcmV0",
	    200, NULL, true },
	{ { TOK_GOOD, "client_id", "demo-app", "client_secret", "wrong",
	    NULL }, NULL, 401, "invalid_client", false },
	{ { TOK_GOOD, NULL }, "Basic ZGVtby1hcHA6d3Jvbmc=", 401,
	    "invalid_client", false },
	{ { TOK_GOOD, "client_id", "demo-app", NULL }, NULL, 401,
	    "invalid_client", false },
	{ { TOK_GOOD, "client_id", "nobody", NULL }, NULL, 401,
	    "invalid_client", false },
	{ { "grant_type", "refresh_token", "code", "C0DE", "redirect_uri", CB,
	    "client_id", "demo-app", "client_secret", "fixture-client-secret",
	    NULL }, NULL, 400, "unsupported_grant_type", false },
	{ { "grant_type", "authorization_code", "redirect_uri", CB,
	    "client_id", "demo-app", "client_secret", "fixture-client-secret",
	    NULL }, NULL, 400, "invalid_request", false },
	{ { TOK_GOOD, "code", "again", "client_id", "demo-app",
	    "client_secret", "fixture-client-secret", NULL }, NULL, 400,
	    "invalid_request", false },
	{ { "grant_type", "authorization_code", "code", "C0DE", "redirect_uri",
	    CB "/x", "code_verifier", VERIFIER, "client_id", "demo-app",
	    "client_secret", "fixture-client-secret", NULL }, NULL, 400,
	    "invalid_grant", true },
	{ { "grant_type", "authorization_code", "code", "C0DE", "redirect_uri",
	    CB, "code_verifier", VERIFIER "x", "client_id", "demo-app",
	    "client_secret", "fixture-client-secret", NULL }, NULL, 400,
	    "invalid_grant", true },
	{ { "grant_type", "authorization_code", "code", "C0DE", "redirect_uri",
	    CB, "client_id", "demo-app", "client_secret",
	    "fixture-client-secret", NULL }, NULL, 400, "invalid_grant", true },
	{ { "grant_type", "authorization_code", "code", "other", "redirect_uri",
	    CB, "code_verifier", VERIFIER, "client_id", "demo-app",
	    "client_secret", "fixture-client-secret", NULL }, NULL, 400,
	    "invalid_grant", false },
};

START_TEST(test_token_cases)
{
	const struct tok_case	*tc = &tok_cases[_i];
	struct fx		 fx;
	struct s2o_oidc_param	 f[16];
	struct s2o_oidc_request	 req = get_req;
	struct s2o_oidc_response resp;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	char			*v;
	json_t			*o, *claims;
	const char		*it, *p, *q;
	unsigned char		*payload;
	size_t			 n;

	bridge_open(&fx);
	env_open(&env, &fx, &clock, 1700000000);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_put(env.store, S2O_OIDC_NS_CODE, "C0DE",
	    "{\"client_id\":\"demo-app\",\"scope\":\"openid\",\"redirect_uri\":"
	    "\"" CB "\",\"code_challenge\":\"" CHALLENGE "\",\"nonce\":\"nc\","
	    "\"sub\":\"corp|alice\",\"id_token\":{\"email\":\"a@example.test\"},"
	    "\"auth_time\":1699999990,\"acr\":null,\"sid\":\"s1\","
	    "\"connection\":\"corp\"}", 1700000060, &err), 0);
	req.method = "POST";
	req.form = f;
	req.nform = authz_query(f, 16, tc->kv);
	req.authorization = tc->authorization;
	s2o_oidc_response_init(&resp);
	ck_assert_msg(s2o_oidc_token(&env, &req, &resp, &err) == 0, "%s",
	    err.detail);
	ck_assert_msg(resp.status == tc->status, "case %d: %d %s", _i,
	    resp.status, resp.body);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_ptr_null(resp.cache_control);	/* no-store */
	ck_assert_ptr_nonnull(o = json_loads(resp.body, 0, NULL));
	if (tc->error != NULL) {
		ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
		    tc->error);
		ck_assert_int_eq(resp.www_authenticate != NULL,
		    tc->status == 401 && tc->authorization != NULL);
	} else {
		ck_assert_str_eq(json_string_value(json_object_get(o,
		    "token_type")), "Bearer");
		ck_assert_int_eq(json_integer_value(json_object_get(o,
		    "expires_in")), 300);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(o,
		    "access_token")));
		it = json_string_value(json_object_get(o, "id_token"));
		ck_assert_ptr_nonnull(p = strchr(it, '.'));
		ck_assert_ptr_nonnull(q = strchr(p + 1, '.'));
		ck_assert_ptr_nonnull(payload = s2o_b64url_decode(p + 1,
		    (size_t)(q - p - 1), 65536, &n, &err));
		ck_assert_ptr_nonnull(claims = json_loadb((char *)payload, n,
		    0, NULL));
		ck_assert_str_eq(json_string_value(json_object_get(claims,
		    "sub")), "corp|alice");
		ck_assert_str_eq(json_string_value(json_object_get(claims,
		    "aud")), "demo-app");
		ck_assert_str_eq(json_string_value(json_object_get(claims,
		    "nonce")), "nc");
		ck_assert_str_eq(json_string_value(json_object_get(claims,
		    "email")), "a@example.test");
		ck_assert_ptr_nonnull(json_object_get(claims, "at_hash"));
		json_decref(claims);
		free(payload);
	}
	json_decref(o);
	/* spent or not; and a second redemption of a spent code fails */
	v = NULL;
	ck_assert_int_eq(s2o_store_take(env.store, S2O_OIDC_NS_CODE, "C0DE",
	    &v, &err), tc->spends ? 1 : 0);
	free(v);
	s2o_oidc_response_cleanup(&resp);
	s2o_store_free(env.store);
	fx_close(&fx);
}
END_TEST


/* ---- oidc/userinfo --------------------------------------------------------- */

static char *
access_token(struct fx *fx, const struct s2o_clock *clock, const char *aud)
{
	struct s2o_token_access_req	 ar;
	struct s2o_err			 err;
	char				*t;

	memset(&ar, 0, sizeof(ar));
	ar.issuer = ISS;
	ar.sub = "corp|alice";
	ar.aud = aud;
	ar.client_id = "demo-app";
	ar.clock = clock;
	ar.ttl = 300;
	s2o_err_clear(&err);
	ck_assert_msg((t = s2o_token_access_mint(fx->ks, &ar, &err)) != NULL,
	    "%s", err.detail);
	return t;
}

/* GET /userinfo with "Bearer token"; returns the status. */
static int
userinfo(const struct s2o_oidc_env *env, const char *authorization,
    struct s2o_oidc_response *resp)
{
	struct s2o_oidc_request	req = get_req;
	struct s2o_err		err;

	s2o_err_clear(&err);
	req.authorization = authorization;
	ck_assert_int_eq(s2o_oidc_userinfo(env, &req, resp, &err), 0);
	return resp->status;
}

START_TEST(test_userinfo)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_token_id_req	 ir;
	struct s2o_err		 err;
	char			*good, *other, *idt, h[4096];

	bridge_open(&fx);
	s2o_clock_init_fixed(&clock, 1700000000);
	memset(&env, 0, sizeof(env));
	env.op = fx.op;
	env.clock = &clock;
	s2o_oidc_response_init(&resp);
	good = access_token(&fx, &clock, ISS "/userinfo");
	other = access_token(&fx, &clock, "https://api.example.test");
	memset(&ir, 0, sizeof(ir));
	ir.issuer = ISS;
	ir.sub = "corp|alice";
	ir.aud = ISS "/userinfo";
	ir.clock = &clock;
	ir.ttl = 300;
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(idt = s2o_token_id_mint(fx.ks, &ir, &err));

	snprintf(h, sizeof(h), "Bearer %s", good);
	ck_assert_int_eq(userinfo(&env, h, &resp), 200);
	ck_assert_str_eq(resp.body, "{\"sub\":\"corp|alice\"}");
	ck_assert_ptr_null(resp.www_authenticate);
	/* no token */
	ck_assert_int_eq(userinfo(&env, NULL, &resp), 401);
	ck_assert_str_eq(resp.www_authenticate, "Bearer realm=\"saml2oidc\"");
	/* another audience */
	snprintf(h, sizeof(h), "Bearer %s", other);
	ck_assert_int_eq(userinfo(&env, h, &resp), 401);
	ck_assert_ptr_nonnull(strstr(resp.www_authenticate,
	    "error=\"invalid_token\""));
	ck_assert_ptr_nonnull(strstr(resp.body, "wrong issuer or audience"));
	/* an ID token is not an access token */
	snprintf(h, sizeof(h), "Bearer %s", idt);
	ck_assert_int_eq(userinfo(&env, h, &resp), 401);
	/* a changed signature */
	snprintf(h, sizeof(h), "Bearer %s", good);
	h[strlen(h) - 2] = h[strlen(h) - 2] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(userinfo(&env, h, &resp), 401);
	ck_assert_ptr_nonnull(strstr(resp.body, "bad signature"));
	/* a changed payload */
	snprintf(h, sizeof(h), "Bearer %s", good);
	*strchr(h + 8, '.') = '.';
	h[strchr(h + 8, '.') - h + 5] ^= 1;
	ck_assert_int_eq(userinfo(&env, h, &resp), 401);
	/* expired: at exp itself */
	s2o_clock_init_fixed(&clock, 1700000300);
	snprintf(h, sizeof(h), "Bearer %s", good);
	ck_assert_int_eq(userinfo(&env, h, &resp), 401);
	ck_assert_ptr_nonnull(strstr(resp.body, "expired"));
	s2o_oidc_response_cleanup(&resp);
	free(good);
	free(other);
	free(idt);
	fx_close(&fx);
}
END_TEST

static Suite *
oidc_suite(void)
{
	Suite	*s = suite_create("oidc");
	TCase	*tc;

	tc = tcase_create("oidc/discovery");
	tcase_add_test(tc, test_discovery_bridge);
	tcase_add_test(tc, test_discovery_algs_and_paths);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/jwks");
	tcase_add_test(tc, test_jwks_passthrough);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/errors");
	tcase_add_loop_test(tc, test_error_every_reason, 0, S2O_R__MAX - 1);
	tcase_add_test(tc, test_error_exact);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/authorize");
	tcase_add_loop_test(tc, test_authorize_check_table, 0,
	    (int)(sizeof(authz_cases) / sizeof(authz_cases[0])));
	tcase_add_test(tc, test_authorize_error_answers);
	tcase_add_test(tc, test_authorize_accepts);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/acs");
	tcase_add_test(tc, test_acs_code_once);
	tcase_add_test(tc, test_acs_form_post);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/token");
	tcase_add_test(tc, test_pkce_s256);
	tcase_add_loop_test(tc, test_token_cases, 0,
	    (int)(sizeof(tok_cases) / sizeof(tok_cases[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/userinfo");
	tcase_add_test(tc, test_userinfo);
	suite_add_tcase(s, tc);
	tc = tcase_create("oidc/issuer");
	tcase_add_test(tc, test_url_is_loopback);
	tcase_add_test(tc, test_provider_issuer_rule);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(oidc_suite());
}
