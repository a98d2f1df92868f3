/* SPDX-License-Identifier: MIT */
/*
 * IdP-initiated logins and the bridge session they establish.
 *
 * An unsolicited Response (an IdP's app tile) carries no request of ours,
 * so it proves who the user is but not that this browser asked to log in
 * anywhere: turning it straight into a code for a client would let anyone
 * log a victim's browser into the attacker's account (login CSRF). So it
 * only establishes a session at the bridge, and the browser is sent to the
 * connection's default client's initiate_login_uri (OIDC Core 1.0 §4),
 * which starts an ordinary code flow with PKCE and its own state and
 * nonce; /authorize answers that flow from the session without another
 * trip to the IdP. The session lives in the store under a 128-bit random
 * handle; the browser holds only the handle, in a cookie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "oidc/oidc_int.h"

#define HANDLE_BYTES	16	/* 128 bits */
#define HANDLE_CHARS	22	/* base64url of HANDLE_BYTES */

const char *
s2o_oidc_session_cookie(const struct s2o_oidc_provider *op)
{
	/* __Host- (RFC 6265bis §4.1.3.2) needs Secure, which a browser
	 * refuses to store from a plain-http origin: on a loopback http
	 * issuer (a demo on one machine) the cookie drops the prefix and
	 * Secure, keeping HttpOnly, SameSite=Lax and Path=/ */
	return strncasecmp(op->cfg->issuer, "https://", 8) == 0 ?
	    S2O_OIDC_SESSION_COOKIE : S2O_OIDC_SESSION_COOKIE_HTTP;
}

/* "scheme://authority" of an http(s) URL: its length, 0 when not one. */
static size_t
origin_len(const char *url)
{
	const char	*p;

	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return 0;
	p += strcspn(p, "/?#");
	return (size_t)(p - url);
}

/* True when url is on the origin of one of the client's redirect_uris. */
static bool
same_origin(const struct s2o_client *client, const char *url)
{
	size_t	i, n;

	if (url == NULL || origin_len(url) == 0 || strchr(url, '#') != NULL)
		return false;
	for (i = 0; i < client->nredirect_uris; i++) {
		n = origin_len(client->redirect_uris[i]);
		if (n > 0 && n == origin_len(url) &&
		    strncasecmp(client->redirect_uris[i], url, n) == 0)
			return true;
	}
	return false;
}

/*
 * The initiate_login_uri with iss, login_hint and target_link_uri (OIDC
 * Core §4). target_link_uri is the IdP's RelayState when that is a URL on
 * the origin of one of the client's redirect_uris (IdPs put the deep link
 * there), else the origin of its first redirect_uri: never a URL the
 * client did not register (the client must check it too, §4).
 */
static char *
initiate_url(const struct s2o_config *cfg, const struct s2o_client *client,
    const char *login_hint, const char *relay, struct s2o_err *err)
{
	struct s2o_buf	 b;
	char		*target = NULL, *url;
	size_t		 n;

	if (same_origin(client, relay))
		target = s2o_strdup(relay, err);
	else if (client->nredirect_uris > 0 &&
	    (n = origin_len(client->redirect_uris[0])) > 0 &&
	    (target = malloc(n + 2)) != NULL) {
		memcpy(target, client->redirect_uris[0], n);
		memcpy(target + n, "/", 2);
	} else
		s2o_err_oom(err);
	if (target == NULL)
		return NULL;
	s2o_buf_init(&b, 1u << 16);
	if (s2o_buf_adds(&b, client->initiate_login_uri, err) == -1 ||
	    s2o_buf_adds(&b, strchr(client->initiate_login_uri, '?') ?
	    "&iss=" : "?iss=", err) == -1 ||
	    s2o_oidc_url_encode(&b, cfg->issuer, err) == -1 ||
	    s2o_buf_adds(&b, "&login_hint=", err) == -1 ||
	    s2o_oidc_url_encode(&b, login_hint, err) == -1 ||
	    s2o_buf_adds(&b, "&target_link_uri=", err) == -1 ||
	    s2o_oidc_url_encode(&b, target, err) == -1) {
		s2o_buf_cleanup(&b);
		free(target);
		return NULL;
	}
	free(target);
	url = s2o_buf_take(&b, NULL);
	return url;
}

/* The session's state: who, and the profile the policies look at. */
static char *
session_json(const struct oidc_verified *v, struct s2o_err *err)
{
	json_t	*o;
	char	*s = NULL;

	/* the mapped objects by reference: written out once, here */
	o = json_pack("{s:s, s:O, s:I, s:s?, s:s?, s:s, s:O}", "sub",
	    v->who.sub, "id_token", v->who.claims, "auth_time",
	    v->who.auth_time, "acr", v->who.acr, "sid", v->who.sid,
	    "connection", v->who.connection, "profile", v->mr.profile);
	if (o != NULL && (json_object_set(o, "access_token",
	    v->who.access_claims) == -1 || json_object_set(o, "userinfo",
	    v->who.userinfo) == -1)) {
		json_decref(o);
		o = NULL;
	}
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		s2o_err_oom(err);
	return s;
}

int
oidc_idp_initiated(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, const char *saml,
    const char *acs_url, const char *relay, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const struct s2o_config	*cfg = s2o_oidc_provider_config(env->op);
	const struct s2o_client	*client = NULL;
	struct oidc_verified	 v;
	struct oidc_admission	 ad;
	struct s2o_err		 why;
	unsigned char		 rnd[HANDLE_BYTES];
	char			*handle = NULL, *state = NULL, *cookie = NULL;
	char			*location = NULL;
	const char		*hint;
	size_t			 n;
	int			 rc = -1;

	s2o_err_clear(&why);
	if (oidc_verify(env, saml, req->connection, acs_url, NULL, true, &v,
	    &why) == -1)
		goto refused;
	/* provider.c checked these at load; a reload may not have */
	if (v.conn->default_client == NULL || (client = s2o_config_client(cfg,
	    v.conn->default_client)) == NULL ||
	    client->initiate_login_uri == NULL ||
	    !s2o_oidc_client_allows(client, v.conn))
		s2o_err_set(&why, S2O_R_CONFIG_INVALID, "connection %s: its "
		    "default_client must exist, allow it and have an "
		    "initiate_login_uri", v.conn->name);
	/* the policies of the client the browser is sent to, before any
	 * session exists; /authorize applies each client's again, with its
	 * organization and audience */
	memset(&ad, 0, sizeof(ad));
	ad.conn = v.conn;
	ad.client = client;
	ad.client_ip = req->client_ip;
	ad.profile = v.mr.profile;
	ad.acr = v.a->authn_context;
	if (client == NULL || why.reason != S2O_R_OK ||
	    oidc_admit(env, &ad, NULL, &why) == -1) {
		oidc_verified_cleanup(&v);
		goto refused;
	}
	hint = json_string_value(json_object_get(v.who.claims, "email"));
	if (hint == NULL)
		hint = v.who.sub;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		s2o_err_set(err, S2O_R_INTERNAL, "RAND_bytes failed");
		goto out;
	}
	if ((handle = s2o_b64url_encode(rnd, sizeof(rnd), err)) == NULL ||
	    (state = session_json(&v, err)) == NULL ||
	    s2o_store_put(env->store, S2O_OIDC_NS_SESSION, handle, state,
	    s2o_clock_now(env->clock) + cfg->session_ttl, err) == -1 ||
	    (location = initiate_url(cfg, client, hint, relay, err)) == NULL)
		goto out;
	n = strlen(handle) + 160;
	if ((cookie = malloc(n)) == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	snprintf(cookie, n, "%s=%s; Path=/;%s HttpOnly; SameSite=Lax; "
	    "Max-Age=%ld", s2o_oidc_session_cookie(env->op), handle,
	    strncasecmp(cfg->issuer, "https://", 8) == 0 ? " Secure;" : "",
	    cfg->session_ttl);
	s2o_log(S2O_LOG_INFO, "acs", "request_id=%s IdP-initiated login "
	    "through connection %s: bridge session established, browser sent "
	    "to client %s", req->request_id ? req->request_id : "-",
	    v.conn->name, client->client_id);
	s2o_oidc_response_cleanup(resp);
	resp->status = 302;
	resp->location = location;
	resp->set_cookie = cookie;
	resp->metric_connection = v.conn->name;
	location = cookie = NULL;
	rc = 0;
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	oidc_verified_cleanup(&v);
	free(handle);
	free(state);
	free(cookie);
	free(location);
	return rc;
refused:
	if (why.reason == S2O_R_STORE_UNAVAILABLE ||
	    why.reason == S2O_R_INTERNAL) {
		*err = why;
		return -1;
	}
	rc = oidc_rejected(resp, req, "acs", &why, err);
	resp->metric_connection = v.conn != NULL ? v.conn->name : NULL;
	return rc;
}

int
oidc_session_get(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, json_t **session,
    struct s2o_err *err)
{
	char	*text = NULL;
	int	 t;

	*session = NULL;
	/* only what we hand out: anything else is not looked up at all */
	if (req->session == NULL || strlen(req->session) != HANDLE_CHARS ||
	    strspn(req->session, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_") != HANDLE_CHARS)
		return 0;
	if ((t = s2o_store_get(env->store, S2O_OIDC_NS_SESSION, req->session,
	    &text, err)) == -1)
		return -1;
	if (t == 0) {
		*session = json_loads(text, 0, NULL);
		free(text);
		if (*session == NULL)
			return s2o_err_set(err, S2O_R_INTERNAL, "session is "
			    "not JSON");
	}
	return 0;
}

int
oidc_session_answer(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, const struct s2o_oidc_authz *a,
    json_t *session, struct s2o_oidc_response *resp, struct s2o_err *err)
{
	struct oidc_grant	 g;
	struct oidc_who		 w;
	struct oidc_admission	 ad;
	struct s2o_policy_grant	 pg;
	struct s2o_err		 why;
	json_t			*profile;
	int			 rc;

	if (a->conn == NULL ||
	    strcmp(a->conn->name, oidc_jstr(session, "connection")) != 0)
		return 1;
	/* this client's policies, with the address the browser has now,
	 * and its organization and audience; the stored profile as it was
	 * read from the store */
	if ((profile = json_object_get(session, "profile")) == NULL)
		return s2o_err_set(err, S2O_R_INTERNAL, "session without a "
		    "profile");
	s2o_err_clear(&why);
	s2o_policy_grant_init(&pg);
	memset(&ad, 0, sizeof(ad));
	ad.conn = a->conn;
	ad.client = a->client;
	ad.client_ip = req->client_ip;
	ad.profile = profile;
	ad.acr = json_string_value(json_object_get(session, "acr"));
	ad.organization = a->organization;
	ad.audience = a->audience;
	ad.scope = a->scope;
	rc = oidc_admit(env, &ad, &pg, &why);
	if (rc == -1) {
		s2o_policy_grant_cleanup(&pg);
		if (why.reason != S2O_R_POLICY_DENIED) {
			*err = why;
			return -1;
		}
		/* the IdP may do better (MFA): a new login, not a denial */
		s2o_log(S2O_LOG_INFO, "authorize", "request_id=%s the bridge "
		    "session does not pass client %s's policies (%s): asking "
		    "the IdP", req->request_id ? req->request_id : "-",
		    a->client->client_id, why.detail);
		return 1;
	}
	memset(&g, 0, sizeof(g));
	g.client_id = a->client->client_id;
	g.scope = a->scope;
	g.redirect_uri = a->redirect_uri;
	g.code_challenge = a->code_challenge;
	g.nonce = a->nonce;
	g.state = a->state;
	g.form_post = a->form_post;
	memset(&w, 0, sizeof(w));
	w.sub = oidc_jstr(session, "sub");
	w.claims = json_object_get(session, "id_token");
	w.access_claims = json_object_get(session, "access_token");
	w.userinfo = json_object_get(session, "userinfo");
	w.auth_time = json_integer_value(json_object_get(session,
	    "auth_time"));
	w.acr = json_string_value(json_object_get(session, "acr"));
	w.sid = json_string_value(json_object_get(session, "sid"));
	w.connection = a->conn->name;
	if (w.claims == NULL) {
		s2o_policy_grant_cleanup(&pg);
		return s2o_err_set(err, S2O_R_INTERNAL, "session without "
		    "claims");
	}
	rc = oidc_code_answer(env, &g, &w, &pg, resp, err);
	s2o_policy_grant_cleanup(&pg);
	if (rc == -1)
		return -1;
	s2o_log(S2O_LOG_INFO, "authorize", "request_id=%s answered from the "
	    "bridge session (connection %s) for client %s",
	    req->request_id ? req->request_id : "-", a->conn->name,
	    a->client->client_id);
	return 0;
}
