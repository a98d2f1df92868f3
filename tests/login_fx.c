/* SPDX-License-Identifier: MIT */
/*
 * What check_login and check_session share: fixtures/saml/bridge.json with
 * top-level members replaced, a provider over it with a memory store and a
 * fixed clock, and the calls of one login (authorize, the ACS with the
 * okta or idp-initiated fixture, token, userinfo) as a test makes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "login_fx.h"

/* ---- the configuration ---------------------------------------------------- */

static char	tmpdir[256];
char		tmpcfg[600];

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
void
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

void
unpatch(void)
{
	unlink(tmpcfg);
	rmdir(tmpdir);
}

/* The configuration's first error, or "" when it loads. */
void
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


void
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

void
fx_close(struct fx *fx)
{
	s2o_store_free(fx->env.store);
	s2o_oidc_provider_free((struct s2o_oidc_provider *)fx->env.op);
	s2o_saml_sp_keys_free(fx->spk);
	s2o_token_keyset_free(fx->ks);
	s2o_config_free(fx->cfg);
}

/* Parameters from NULL-terminated name/value pairs. */
size_t
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

struct s2o_oidc_request
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

/* Stores a pending login for the okta fixture, as /authorize would. */
void
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
int
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
void
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

/* ---- /token and /userinfo ------------------------------------------------- */

/* POST /token for code with the verifier (or none); returns the status
 * and the body's JSON in *out (caller decrefs). */
int
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

const char *
jget(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "(absent)";
}

/* GET /userinfo with the access token; returns the status. */
int
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

/* ---- unsolicited Responses and /authorize with a session ---------------- */


/* POSTs fixture rel (no RelayState unless relay) to the ACS of path
 * connection conn (NULL: /saml/acs); returns the status. */
int
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
void
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
int
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
