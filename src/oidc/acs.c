/* SPDX-License-Identifier: MIT */
/*
 * The assertion consumer service: the IdP's Response for a pending login
 * becomes a one-time authorization code for the client that asked; an
 * unsolicited Response, where its connection allows IdP-initiated logins,
 * becomes a bridge session (session.c) and never a code.
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

#include <openssl/rand.h>

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

int
oidc_rejected(struct s2o_oidc_response *resp,
    const struct s2o_oidc_request *req, const char *where,
    const struct s2o_err *why, struct s2o_err *err)
{
	struct s2o_buf	b;
	char		rule[48] = "";
	size_t		n;

	s2o_log(S2O_LOG_WARN, where, "request_id=%s client_ip=%s rejected "
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

/* A member of the pending login, or NULL when absent or null. */
static const char *
opt(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A member of a JSON object; "" when absent. */
const char *
oidc_jstr(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

int
oidc_admit(const struct s2o_oidc_env *env, const struct oidc_admission *in,
    struct s2o_policy_grant *out, struct s2o_err *why)
{
	const struct s2o_config		*cfg = s2o_oidc_provider_config(env->op);
	const struct s2o_config_api	*api = NULL;
	struct s2o_policy_set		*ps;
	struct s2o_policy_login		 login;
	int				 rc;

	/* an unknown address fails an allow list closed; an API's own
	 * policies join for its audience; the levels were compiled with
	 * the provider */
	if (in->audience != NULL)
		api = s2o_config_api(cfg, in->audience);
	if ((ps = s2o_policy_book_set(env->op->policies, in->conn,
	    in->client, api, why)) == NULL)
		return -1;
	rc = s2o_policy_check(ps, in->client_ip, in->profile, in->acr, why);
	s2o_policy_set_free(ps);
	if (rc == -1 || out == NULL)
		return rc;
	/* organizations, the audience's rules, roles and permissions */
	memset(&login, 0, sizeof(login));
	login.cfg = cfg;
	login.conn = in->conn;
	login.client = in->client;
	login.profile = in->profile;
	login.roles_claim = s2o_map_roles_claim(env->op->mappings[
	    oidc_connection_index(env->op, in->conn)]);
	login.organization = in->organization;
	login.audience = in->audience;
	login.scope = in->scope;
	return s2o_policy_grant(&login, out, why);
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

/* A granted claim object, by reference; none is an empty object. */
static json_t *
object(json_t *granted)
{
	return granted != NULL ? json_incref(granted) : json_object();
}

int
oidc_code_answer(const struct s2o_oidc_env *env, const struct oidc_grant *g,
    const struct oidc_who *w, const struct s2o_policy_grant *pg,
    struct s2o_oidc_response *resp, struct s2o_err *err)
{
	const struct s2o_config	*cfg = s2o_oidc_provider_config(env->op);
	unsigned char		 rnd[48];	/* code, then token id */
	char			*code = NULL, *tid = NULL, *value = NULL;
	json_t			*o, *idc, *atc;
	struct s2o_buf		 b;
	time_t			 now = s2o_clock_now(env->clock);
	int			 rc = -1;

	/* 256 bits of code, 128 of token id: the id names what the code
	 * buys, so a second redemption can revoke it (RFC 6749 §4.1.2) */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return s2o_err_set(err, S2O_R_INTERNAL, "RAND_bytes failed");
	if ((code = s2o_b64url_encode(rnd, 32, err)) == NULL ||
	    (tid = s2o_b64url_encode(rnd + 32, 16, err)) == NULL)
		goto out;
	/* scope: what the grant kept of the request (docs/organizations.md)
	 */
	if ((idc = object(pg->id_claims)) == NULL ||
	    (atc = object(pg->access_claims)) == NULL) {
		json_decref(idc);
		s2o_err_oom(err);
		goto out;
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:I, s:s?, s:s?, "
	    "s:s, s:s, s:s?, s:o, s:o}", "client_id", g->client_id,
	    "scope", pg->scope != NULL ? pg->scope : g->scope,
	    "redirect_uri", g->redirect_uri, "code_challenge",
	    g->code_challenge != NULL ? g->code_challenge : "",
	    "nonce", g->nonce, "sub", w->sub, "id_token", w->claims,
	    "auth_time", w->auth_time, "acr", w->acr, "sid", w->sid,
	    "connection", w->connection, "tid", tid,
	    "audience", pg->api != NULL ? pg->api->identifier : NULL,
	    "id_claims", idc, "access_claims", atc);
	/* what the mappings send to the access token and to userinfo; the
	 * claim objects go in by reference, and this is their one dump */
	if (o != NULL && ((w->access_claims != NULL && json_object_set(o,
	    "access_token", w->access_claims) == -1) || (w->userinfo != NULL &&
	    json_object_set(o, "userinfo", w->userinfo) == -1))) {
		json_decref(o);
		o = NULL;
	}
	if (o != NULL)
		value = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (value == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	if (s2o_store_put(env->store, S2O_OIDC_NS_CODE, code, value,
	    now + cfg->code_ttl, err) == -1)
		goto out;
	s2o_oidc_response_cleanup(resp);
	if (g->form_post) {
		rc = form_post(resp, g->redirect_uri, code, g->state, err);
		goto out;
	}
	s2o_buf_init(&b, 1u << 16);
	if (s2o_buf_adds(&b, g->redirect_uri, err) == 0 &&
	    s2o_buf_adds(&b, strchr(g->redirect_uri, '?') ? "&code=" :
	    "?code=", err) == 0 &&
	    s2o_buf_adds(&b, code, err) == 0 &&
	    s2o_buf_adds(&b, "&state=", err) == 0 &&
	    s2o_oidc_url_encode(&b, g->state, err) == 0) {
		resp->location = s2o_buf_take(&b, NULL);
		resp->status = 302;
		rc = 0;
	}
	s2o_buf_cleanup(&b);
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	if (code != NULL)
		OPENSSL_cleanse(code, strlen(code));
	free(code);
	free(tid);
	free(value);
	return rc;
}

void
oidc_verified_cleanup(struct oidc_verified *v)
{
	const struct s2o_connection	*conn = v->conn;

	s2o_map_result_cleanup(&v->mr);
	s2o_assertion_free(v->a);
	memset(v, 0, sizeof(*v));
	v->conn = conn;		/* borrowed: stays known for metrics */
}

int
oidc_verify(const struct s2o_oidc_env *env, const char *saml,
    const char *want_conn, const char *acs_url, const char *in_response_to,
    bool idp_initiated, struct oidc_verified *v, struct s2o_err *why)
{
	const struct s2o_config		*cfg = s2o_oidc_provider_config(env->op);
	struct s2o_saml_response	*r;
	struct s2o_saml_replay		 replay;
	struct s2o_saml_expect		 exp;
	struct s2o_sp			 sp;
	struct s2o_saml_trust		*trust = NULL;
	const struct s2o_mapping	*m;
	char				 shown[96];
	int				 rc = -1;

	memset(v, 0, sizeof(*v));
	s2o_map_result_init(&v->mr);
	if ((r = s2o_saml_response_parse(saml, strlen(saml),
	    cfg->max_response_bytes, why)) == NULL)
		return -1;
	v->conn = s2o_config_connection_by_issuer(cfg,
	    s2o_saml_response_issuer(r));
	if (v->conn == NULL) {
		s2o_err_set(why, S2O_R_ISSUER_MISMATCH, "no connection has the "
		    "Response's issuer \"%s\" as idp_entity_id",
		    s2o_str_excerpt(shown, sizeof(shown),
		    s2o_saml_response_issuer(r) ? s2o_saml_response_issuer(r) :
		    "", 80));
		goto out;
	}
	if (want_conn != NULL && strcmp(v->conn->name, want_conn) != 0) {
		s2o_err_set(why, S2O_R_ISSUER_MISMATCH, "the Response's issuer "
		    "is connection %s, not %s, which the login was sent to",
		    v->conn->name, want_conn);
		goto out;
	}
	/* checked before any signature work: most unsolicited POSTs are
	 * refused here */
	if (idp_initiated && !v->conn->allow_idp_initiated) {
		s2o_err_set(why, S2O_R_IN_RESPONSE_TO_MISMATCH, "no pending "
		    "login for this RelayState (none, unknown, used or "
		    "expired), and connection %s does not allow IdP-initiated "
		    "logins (allow_idp_initiated)", v->conn->name);
		goto out;
	}
	/* the connection's keys and mappings, prepared with the provider;
	 * a metadata refresh may swap the trust: a reference of our own */
	trust = oidc_trust_get(env->op, oidc_connection_index(env->op,
	    v->conn));
	m = env->op->mappings[oidc_connection_index(env->op, v->conn)];
	memset(&exp, 0, sizeof(exp));
	replay.mark = replay_mark;
	replay.ctx = env->store;
	sp = cfg->sp;
	if (acs_url != NULL)
		sp.acs_url = (char *)(uintptr_t)acs_url;	/* borrowed */
	exp.sp = &sp;
	exp.conn = v->conn;
	exp.trust = trust;
	exp.clock = env->clock;
	exp.clock_skew = cfg->clock_skew;
	exp.in_response_to = in_response_to;
	exp.unsolicited = idp_initiated;
	exp.replay = &replay;
	if ((v->a = s2o_saml_response_consume(r, &exp, why)) == NULL) {
		/* signed by a key the connection does not know: perhaps the
		 * IdP rolled its certificate over; its metadata may say */
		if (v->conn->metadata.present && (why->reason ==
		    S2O_R_UNTRUSTED_KEY || why->reason ==
		    S2O_R_SIGNATURE_INVALID) && oidc_kick(env->op,
		    oidc_connection_index(env->op, v->conn),
		    s2o_clock_now(env->clock)))
			s2o_log(S2O_LOG_INFO, "metadata", "connection \"%s\": "
			    "a Response signed by an unknown key; refreshing "
			    "the metadata", v->conn->name);
		goto out;
	}
	if (s2o_map_apply(m, v->a, v->conn->name, 0, &v->mr, why) == -1)
		goto out;
	v->who.sub = v->mr.sub;
	v->who.claims = v->mr.id_token;
	v->who.access_claims = v->mr.access_token;
	v->who.userinfo = v->mr.userinfo;
	v->who.auth_time = (json_int_t)v->a->authn_instant;
	v->who.acr = v->a->authn_context;
	v->who.sid = v->a->session_index;
	v->who.connection = v->conn->name;
	rc = 0;
out:
	s2o_saml_response_free(r);
	s2o_saml_trust_free(trust);
	if (rc == -1)
		oidc_verified_cleanup(v);
	return rc;
}

/* The URL this POST arrived at: sp.acs_url, or sp.acs_url/NAME for
 * /saml/acs/NAME (SAML Core §3.2.2: Destination is where it was sent).
 * Caller frees; NULL with err. */
static char *
acs_url_of(const struct s2o_config *cfg, const char *connection,
    struct s2o_err *err)
{
	size_t	 n;
	char	*u;

	if (connection == NULL)
		return s2o_strdup(cfg->sp.acs_url, err);
	n = strlen(cfg->sp.acs_url) + strlen(connection) + 2;
	if ((u = malloc(n)) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	snprintf(u, n, "%s/%s", cfg->sp.acs_url, connection);
	return u;
}

/* A verdict that is the server's own failure, not the Response's. */
static bool
fatal(const struct s2o_err *why)
{
	return why->reason == S2O_R_STORE_UNAVAILABLE ||
	    why->reason == S2O_R_INTERNAL;
}

/* The SP-initiated login: the pending login's Response becomes a code. */
static int
solicited(const struct s2o_oidc_env *env, const struct s2o_oidc_request *req,
    const char *saml, const char *acs_url, json_t *pending,
    struct s2o_oidc_response *resp, struct s2o_err *err)
{
	const struct s2o_config	*cfg = s2o_oidc_provider_config(env->op);
	const struct s2o_client	*client;
	const struct s2o_connection *conn;
	struct oidc_verified	 v;
	struct oidc_grant	 g;
	struct oidc_admission	 ad;
	struct s2o_policy_grant	 pg;
	struct s2o_err		 why;
	int			 rc;

	s2o_err_clear(&why);
	s2o_policy_grant_init(&pg);
	if (req->connection != NULL &&
	    strcmp(req->connection, oidc_jstr(pending, "connection")) != 0) {
		s2o_err_set(&why, S2O_R_ISSUER_MISMATCH, "posted to the ACS of "
		    "connection %s; the login was sent to %s", req->connection,
		    oidc_jstr(pending, "connection"));
		return oidc_rejected(resp, req, "acs", &why, err);
	}
	if (oidc_verify(env, saml, oidc_jstr(pending, "connection"), acs_url,
	    oidc_jstr(pending, "request_id"), false, &v, &why) == -1)
		goto refused;
	client = s2o_config_client(cfg, oidc_jstr(pending, "client_id"));
	if (client == NULL)
		s2o_err_set(&why, S2O_R_CONFIG_INVALID, "client %s is no longer "
		    "configured", oidc_jstr(pending, "client_id"));
	/* after mapping, before any code */
	memset(&ad, 0, sizeof(ad));
	ad.conn = v.conn;
	ad.client = client;
	ad.client_ip = req->client_ip;
	ad.profile = v.mr.profile;
	ad.acr = v.a->authn_context;
	ad.organization = opt(pending, "organization");
	ad.audience = opt(pending, "audience");
	ad.scope = opt(pending, "scope");
	if (client == NULL || oidc_admit(env, &ad, &pg, &why) == -1) {
		oidc_verified_cleanup(&v);
		s2o_policy_grant_cleanup(&pg);
		goto refused;
	}
	memset(&g, 0, sizeof(g));
	g.client_id = client->client_id;
	g.scope = oidc_jstr(pending, "scope");
	g.redirect_uri = oidc_jstr(pending, "redirect_uri");
	g.code_challenge = oidc_jstr(pending, "code_challenge");
	g.nonce = oidc_jstr(pending, "nonce");
	g.state = oidc_jstr(pending, "state");
	g.form_post = strcmp(oidc_jstr(pending, "response_mode"),
	    "form_post") == 0;
	rc = oidc_code_answer(env, &g, &v.who, &pg, resp, err);
	resp->metric_connection = v.conn->name;
	oidc_verified_cleanup(&v);
	s2o_policy_grant_cleanup(&pg);
	return rc;
refused:
	if (fatal(&why)) {
		*err = why;
		return -1;
	}
	rc = oidc_rejected(resp, req, "acs", &why, err);
	conn = s2o_config_connection(cfg, oidc_jstr(pending, "connection"));
	resp->metric_connection = conn != NULL ? conn->name : NULL;
	return rc;
}

int
s2o_oidc_acs(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const struct s2o_config	*cfg = s2o_oidc_provider_config(env->op);
	const char		*saml, *relay;
	bool			 dup = false;
	char			*pending_text = NULL, *acs_url = NULL;
	json_t			*pending;
	struct s2o_err		 why;
	int			 rc, t = 1;

	s2o_oidc_response_cleanup(resp);
	s2o_err_clear(&why);
	saml = form_param(req, "SAMLResponse", &dup);
	relay = form_param(req, "RelayState", &dup);
	if (dup || saml == NULL || saml[0] == '\0') {
		s2o_err_set(&why, S2O_R_MALFORMED, "SAMLResponse missing, or "
		    "a form field given twice");
		return oidc_rejected(resp, req, "acs", &why, err);
	}
	if (req->connection != NULL &&
	    s2o_config_connection(cfg, req->connection) == NULL) {
		s2o_err_set(&why, S2O_R_MALFORMED, "the ACS path names "
		    "connection %s, which is not configured", req->connection);
		return oidc_rejected(resp, req, "acs", &why, err);
	}
	if ((acs_url = acs_url_of(cfg, req->connection, err)) == NULL)
		return -1;
	if (relay != NULL && relay[0] != '\0' && (t = s2o_store_take(
	    env->store, S2O_OIDC_NS_AUTHN, relay, &pending_text, err)) == -1) {
		free(acs_url);
		return -1;
	}
	if (t == 1) {
		/* no pending login: an unsolicited Response (an IdP's
		 * RelayState, if any, is only a hint: session.c) */
		rc = oidc_idp_initiated(env, req, saml, acs_url, relay, resp,
		    err);
		free(acs_url);
		return rc;
	}
	pending = json_loads(pending_text, 0, NULL);
	free(pending_text);
	if (pending == NULL) {
		free(acs_url);
		return s2o_err_set(err, S2O_R_INTERNAL, "pending login is not "
		    "JSON");
	}
	rc = solicited(env, req, saml, acs_url, pending, resp, err);
	json_decref(pending);
	free(acs_url);
	return rc;
}
