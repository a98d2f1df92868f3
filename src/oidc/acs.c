/* SPDX-License-Identifier: MIT */
/*
 * The assertion consumer service: the IdP's Response for a pending login
 * becomes a one-time authorization code for the client that asked.
 *
 * The pending login is taken (single use) by its RelayState handle, so a
 * Response can answer only the AuthnRequest it was made for, once; the
 * assertion ID is claimed in the store's replay cache besides. A refused
 * Response gets an HTML page with the reason token and the correlation
 * id; the detail goes to the log only, since it may describe the
 * assertion to whoever holds the browser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "map/map.h"
#include "oidc/oidc_int.h"
#include "policy/policy.h"

static const char text_html[] = "text/html; charset=utf-8";

/* The form parameter name, once; NULL when absent or repeated. */
static const char *
form_param(const struct s2o_oidc_request *req, const char *name, bool *dup)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < req->nform; i++) {
		if (strcmp(req->form[i].name, name) != 0)
			continue;
		if (v != NULL)
			*dup = true;
		v = req->form[i].value;
	}
	return *dup ? NULL : v;
}

/* The rejection page: status from the reason table, the reason token and
 * the correlation id; the detail is logged, not shown. */
static int
rejected(struct s2o_oidc_response *resp, const struct s2o_oidc_request *req,
    const struct s2o_err *why, struct s2o_err *err)
{
	struct s2o_buf	b;
	char		rule[48] = "";
	size_t		n;

	s2o_log(S2O_LOG_WARN, "acs", "request_id=%s client_ip=%s rejected "
	    "reason=%s detail=\"%s\"", req->request_id ? req->request_id : "-",
	    req->client_ip ? req->client_ip : "-",
	    s2o_reason_token(why->reason), why->detail);
	/* a policy denial names its rule (the detail's "RULE: why"): the
	 * user can tell "wrong network" from "no MFA"; the why, which may
	 * quote the profile, stays in the log */
	n = strspn(why->detail, "abcdefghijklmnopqrstuvwxyz_");
	if (why->reason == S2O_R_POLICY_DENIED && n > 0 && n < sizeof(rule) &&
	    why->detail[n] == ':')
		snprintf(rule, sizeof(rule), "<p>Rule: <code>%.*s</code></p>\n",
		    (int)n, why->detail);
	s2o_oidc_response_cleanup(resp);
	s2o_buf_init(&b, 1u << 16);
	/* the token, the rule and the id are [a-z_] and hex: nothing to
	 * escape */
	if (s2o_buf_printf(&b, err, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>Sign-in failed</title></head>"
	    "<body><h1>Sign-in failed</h1>\n<p>Reason: <code>%s</code></p>\n"
	    "%s<p>Correlation id: <code>%s</code> (give it to your "
	    "administrator)</p>\n</body></html>\n",
	    s2o_reason_token(why->reason), rule,
	    req->request_id ? req->request_id : "-") == -1)
		return -1;
	resp->body = s2o_buf_take(&b, &resp->len);
	resp->status = s2o_reason_http_status(why->reason);
	resp->content_type = text_html;
	resp->reason = why->reason;
	return 0;
}

static int
replay_mark(void *ctx, const char *id, time_t expires, struct s2o_err *err)
{
	return s2o_store_claim(ctx, "assertion", id, expires,
	    "this assertion ID", err);
}

/* A member of the pending login; "" when absent. */
static const char *
str(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* A JSON object's text as a value; NULL text is an empty object. */
static json_t *
object(const char *text)
{
	return text != NULL ? json_loads(text, 0, NULL) : json_object();
}

/* What the token endpoint needs to mint, bound to the client. */
static char *
code_json(json_t *pending, const struct s2o_map_result *m,
    const struct s2o_assertion *a, const char *connection, const char *tid,
    const struct s2o_policy_grant *g, struct s2o_err *err)
{
	json_t	*o, *claims, *idc = NULL, *atc = NULL;
	char	*s = NULL;

	if ((claims = json_loads(m->id_token, 0, NULL)) == NULL ||
	    (idc = object(g->id_claims)) == NULL ||
	    (atc = object(g->access_claims)) == NULL) {
		json_decref(claims);
		json_decref(idc);
		s2o_err_set(err, S2O_R_INTERNAL, "mapped claims are not JSON");
		return NULL;
	}
	/* scope: what the grant kept of the request (docs/organizations.md) */
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:s?, s:s?, "
	    "s:s, s:s, s:s?, s:o, s:o}", "client_id", str(pending, "client_id"),
	    "scope", g->scope != NULL ? g->scope : str(pending, "scope"),
	    "redirect_uri", str(pending, "redirect_uri"),
	    "code_challenge", str(pending, "code_challenge"),
	    "nonce", str(pending, "nonce"),
	    "sub", m->sub, "id_token", claims,
	    "auth_time", (json_int_t)a->authn_instant,
	    "acr", a->authn_context, "sid", a->session_index,
	    "connection", connection, "tid", tid,
	    "audience", g->api != NULL ? g->api->identifier : NULL,
	    "id_claims", idc, "access_claims", atc);
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		s2o_err_oom(err);
	return s;
}

/* A member of the pending login, or NULL when absent or null. */
static const char *
opt(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/*
 * The pipeline. Returns 0 with *code_out (the code's value, owned) or -1
 * with why (a rejection) or err (the server's failure, *fatal set).
 */
static int
consume(const struct s2o_oidc_env *env, const char *saml, json_t *pending,
    const char *client_ip, char **codev, struct s2o_err *why)
{
	const struct s2o_config		*cfg = s2o_oidc_provider_config(env->op);
	const struct s2o_connection	*conn;
	const struct s2o_client		*client;
	struct s2o_saml_response	*r = NULL;
	struct s2o_saml_trust		*trust = NULL;
	struct s2o_assertion		*a = NULL;
	const struct s2o_mapping	*m;
	struct s2o_policy_set		*ps = NULL;
	struct s2o_policy_login		 login;
	struct s2o_policy_grant		 grant;
	const struct s2o_config_api	*api = NULL;
	char				 scope[160];
	struct s2o_map_result		 mr;
	struct s2o_saml_replay		 replay;
	struct s2o_saml_expect		 exp;
	unsigned char			 rnd[32], trnd[16];
	char				*code = NULL, *value = NULL, *tid = NULL;
	time_t				 now = s2o_clock_now(env->clock);
	int				 rc = -1;

	s2o_map_result_init(&mr);
	s2o_policy_grant_init(&grant);
	if ((r = s2o_saml_response_parse(saml, strlen(saml),
	    cfg->max_response_bytes, why)) == NULL)
		goto out;
	conn = s2o_config_connection_by_issuer(cfg,
	    s2o_saml_response_issuer(r));
	if (conn == NULL || strcmp(conn->name, str(pending, "connection"))
	    != 0) {
		s2o_err_set(why, S2O_R_ISSUER_MISMATCH, "the Response's issuer "
		    "is not connection %s, which the login was sent to",
		    str(pending, "connection"));
		goto out;
	}
	/* the connection's keys and mappings, prepared with the provider */
	trust = oidc_trust_get(env->op, oidc_connection_index(env->op, conn));
	m = env->op->mappings[oidc_connection_index(env->op, conn)];
	memset(&exp, 0, sizeof(exp));
	replay.mark = replay_mark;
	replay.ctx = env->store;
	exp.sp = &cfg->sp;
	exp.conn = conn;
	exp.trust = trust;
	exp.clock = env->clock;
	exp.clock_skew = cfg->clock_skew;
	exp.in_response_to = str(pending, "request_id");
	exp.replay = &replay;
	if ((a = s2o_saml_response_consume(r, &exp, why)) == NULL) {
		/* signed by a key the connection does not know: perhaps the
		 * IdP rolled its certificate over; its metadata may say */
		if (conn->metadata.present && (why->reason ==
		    S2O_R_UNTRUSTED_KEY || why->reason ==
		    S2O_R_SIGNATURE_INVALID) && oidc_kick(env->op,
		    oidc_connection_index(env->op, conn), now))
			s2o_log(S2O_LOG_INFO, "metadata", "connection \"%s\": "
			    "a Response signed by an unknown key; refreshing "
			    "the metadata", conn->name);
		goto out;
	}
	if (s2o_map_apply(m, a, conn->name, 0, &mr, why) == -1)
		goto out;
	client = s2o_config_client(cfg, str(pending, "client_id"));
	if (client == NULL) {
		s2o_err_set(why, S2O_R_CONFIG_INVALID, "client %s is no longer "
		    "configured", str(pending, "client_id"));
		goto out;
	}
	/* after mapping, before any code: an unknown address fails an
	 * allow list closed; an API's own policies join for its audience */
	if (opt(pending, "audience") != NULL &&
	    (api = s2o_config_api(cfg, opt(pending, "audience"))) != NULL)
		snprintf(scope, sizeof(scope), "API \"%s\"", api->identifier);
	if ((ps = s2o_policy_set_for(cfg, conn, client, why)) == NULL ||
	    (api != NULL && s2o_policy_set_add(ps, &api->policies, scope,
	    why) == -1) ||
	    s2o_policy_check(ps, client_ip, mr.profile, a->authn_context,
	    why) == -1)
		goto out;
	/* organizations, the audience's rules, roles and permissions */
	memset(&login, 0, sizeof(login));
	login.cfg = cfg;
	login.conn = conn;
	login.client = client;
	login.profile = mr.profile;
	login.roles_claim = s2o_map_roles_claim(m);
	login.organization = opt(pending, "organization");
	login.audience = opt(pending, "audience");
	login.scope = opt(pending, "scope");
	if (s2o_policy_grant(&login, &grant, why) == -1)
		goto out;
	/* 256 bits of code, 128 of token id: the id names what the code
	 * buys, so a second redemption can revoke it (RFC 6749 §4.1.2) */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    RAND_bytes(trnd, sizeof(trnd)) != 1) {
		s2o_err_set(why, S2O_R_INTERNAL, "RAND_bytes failed");
		goto out;
	}
	if ((code = s2o_b64url_encode(rnd, sizeof(rnd), why)) == NULL ||
	    (tid = s2o_b64url_encode(trnd, sizeof(trnd), why)) == NULL ||
	    (value = code_json(pending, &mr, a, conn->name, tid, &grant,
	    why)) == NULL || s2o_store_put(env->store, S2O_OIDC_NS_CODE, code,
	    value, now + cfg->code_ttl, why) == -1)
		goto out;
	*codev = code;
	code = NULL;
	rc = 0;
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	free(code);
	free(tid);
	free(value);
	s2o_policy_set_free(ps);
	s2o_policy_grant_cleanup(&grant);
	s2o_map_result_cleanup(&mr);
	s2o_assertion_free(a);
	s2o_saml_response_free(r);
	s2o_saml_trust_free(trust);
	return rc;
}

/* OAuth 2.0 Form Post Response Mode: a page that posts code and state to
 * the client's redirect_uri. */
static int
form_post(struct s2o_oidc_response *resp, const char *redirect_uri,
    const char *code, const char *state, struct s2o_err *err)
{
	struct s2o_buf	 b;
	char		*u = NULL, *st = NULL;
	int		 rc = -1;

	s2o_buf_init(&b, 1u << 16);
	if ((u = s2o_oidc_html_escape(redirect_uri, err)) == NULL ||
	    (st = s2o_oidc_html_escape(state, err)) == NULL ||
	    s2o_buf_printf(&b, err, "<!DOCTYPE html>\n<html><head><meta "
	    "charset=\"utf-8\"><title>Signing in</title></head><body>\n"
	    "<form method=\"post\" action=\"%s\">\n"
	    "<input type=\"hidden\" name=\"code\" value=\"%s\">\n"
	    "<input type=\"hidden\" name=\"state\" value=\"%s\">\n"
	    "<noscript><button type=\"submit\">Continue</button></noscript>\n"
	    "</form>\n<script>%s</script>\n</body></html>\n", u, code, st,
	    s2o_saml_post_script) == -1 ||
	    (resp->csp = oidc_post_form_csp(err)) == NULL)
		goto out;
	resp->body = s2o_buf_take(&b, &resp->len);
	resp->status = 200;
	resp->content_type = text_html;
	rc = 0;
out:
	s2o_buf_cleanup(&b);
	free(u);
	free(st);
	return rc;
}

int
s2o_oidc_acs(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const char	*saml, *relay;
	bool		 dup = false;
	char		*pending_text = NULL, *code = NULL;
	json_t		*pending = NULL;
	struct s2o_err	 why;
	struct s2o_buf	 b;
	int		 rc, t;

	s2o_oidc_response_cleanup(resp);
	s2o_err_clear(&why);
	saml = form_param(req, "SAMLResponse", &dup);
	relay = form_param(req, "RelayState", &dup);
	if (dup || saml == NULL || saml[0] == '\0') {
		s2o_err_set(&why, S2O_R_MALFORMED, "SAMLResponse missing, or "
		    "a form field given twice");
		return rejected(resp, req, &why, err);
	}
	if (relay == NULL || relay[0] == '\0') {
		s2o_err_set(&why, S2O_R_IN_RESPONSE_TO_MISMATCH, "no "
		    "RelayState: unsolicited Responses are not accepted here");
		return rejected(resp, req, &why, err);
	}
	t = s2o_store_take(env->store, S2O_OIDC_NS_AUTHN, relay,
	    &pending_text, err);
	if (t == -1)
		return -1;
	if (t == 1) {
		s2o_err_set(&why, S2O_R_IN_RESPONSE_TO_MISMATCH, "no pending "
		    "login for this RelayState (unknown, used or expired)");
		return rejected(resp, req, &why, err);
	}
	if ((pending = json_loads(pending_text, 0, NULL)) == NULL) {
		free(pending_text);
		return s2o_err_set(err, S2O_R_INTERNAL, "pending login is not "
		    "JSON");
	}
	free(pending_text);
	if (consume(env, saml, pending, req->client_ip, &code, &why) == -1) {
		json_decref(pending);
		if (why.reason == S2O_R_STORE_UNAVAILABLE ||
		    why.reason == S2O_R_INTERNAL) {
			*err = why;
			return -1;
		}
		return rejected(resp, req, &why, err);
	}
	if (strcmp(str(pending, "response_mode"), "form_post") == 0) {
		rc = form_post(resp, str(pending, "redirect_uri"), code,
		    str(pending, "state"), err);
		free(code);
		json_decref(pending);
		return rc;
	}
	s2o_buf_init(&b, 1u << 16);
	rc = -1;
	if (s2o_buf_adds(&b, str(pending, "redirect_uri"), err) == 0 &&
	    s2o_buf_adds(&b, strchr(str(pending, "redirect_uri"), '?') ?
	    "&code=" : "?code=", err) == 0 &&
	    s2o_buf_adds(&b, code, err) == 0 &&
	    s2o_buf_adds(&b, "&state=", err) == 0 &&
	    s2o_oidc_url_encode(&b, str(pending, "state"), err) == 0) {
		resp->location = s2o_buf_take(&b, NULL);
		resp->status = 302;
		rc = 0;
	}
	s2o_buf_cleanup(&b);
	free(code);
	json_decref(pending);
	return rc;
}
