/* SPDX-License-Identifier: MIT */
/*
 * The token endpoint (RFC 6749 §4.1.3, OIDC Core §3.1.3): an
 * authorization code, redeemed once by the client it was issued to, with
 * its PKCE verifier, becomes an ID token and an access token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "oidc/oidc_int.h"

bool
s2o_oidc_pkce_s256_ok(const char *verifier, const char *challenge)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	struct s2o_err	 err;
	char		*enc;
	size_t		 n = strlen(verifier), i;
	bool		 ok;

	/* RFC 7636 §4.1: 43 to 128 unreserved characters */
	if (n < 43 || n > 128)
		return false;
	for (i = 0; i < n; i++)
		if (!((verifier[i] >= 'A' && verifier[i] <= 'Z') ||
		    (verifier[i] >= 'a' && verifier[i] <= 'z') ||
		    (verifier[i] >= '0' && verifier[i] <= '9') ||
		    strchr("-._~", verifier[i]) != NULL))
			return false;
	if (EVP_Digest(verifier, n, md, &mdlen, EVP_sha256(), NULL) != 1)
		return false;
	s2o_err_clear(&err);
	if ((enc = s2o_b64url_encode(md, mdlen, &err)) == NULL)
		return false;
	ok = s2o_str_equal_ct(enc, challenge);
	free(enc);
	return ok;
}

/* An OAuth error (RFC 6749 §5.2). 0, or -1 on OOM. */
static int
oauth_error(struct s2o_oidc_response *resp, int status, const char *error,
    const char *description, enum s2o_reason reason)
{
	json_t	*o;

	s2o_oidc_response_cleanup(resp);
	o = json_pack("{s:s, s:s}", "error", error, "error_description",
	    description);
	if (o != NULL)
		resp->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (resp->body == NULL)
		return -1;
	resp->len = strlen(resp->body);
	resp->status = status;
	resp->content_type = S2O_OIDC_JSON;
	resp->reason = reason;
	return 0;
}

/* The form parameter name; -1 when repeated. */
static int
fparam(const struct s2o_oidc_request *req, const char *name,
    const char **value)
{
	size_t	i;

	*value = NULL;
	for (i = 0; i < req->nform; i++) {
		if (strcmp(req->form[i].name, name) != 0)
			continue;
		if (*value != NULL ||
		    strlen(req->form[i].value) != req->form[i].len)
			return -1;
		*value = req->form[i].value;
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded decoding in place (RFC 6749 §2.3.1
 * encodes client_id and secret so before base64). false on a bad escape
 * or a NUL. */
static bool
form_decode(char *s)
{
	char	*w = s;
	int	 h, l;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*w++ = ' ';
		else if (*s == '%') {
			if ((h = hexval(s[1])) < 0 || (l = hexval(s[2])) < 0 ||
			    (h == 0 && l == 0))
				return false;
			*w++ = (char)(h * 16 + l);
			s += 2;
		} else
			*w++ = *s;
	}
	*w = '\0';
	return true;
}

/* "Basic xxx" into id and secret (owned by *buf). 0, or -1 if malformed. */
static int
basic_auth(const char *h, char **buf, const char **id, const char **secret)
{
	struct s2o_err	 err;
	unsigned char	*d;
	size_t		 n;
	char		*colon;

	*buf = NULL;
	if (strncasecmp(h, "Basic ", 6) != 0)
		return -1;
	h += 6;
	while (*h == ' ')
		h++;
	s2o_err_clear(&err);
	if ((d = s2o_b64_decode(h, strlen(h), 1024, &n, &err)) == NULL)
		return -1;
	if (memchr(d, '\0', n) != NULL ||
	    (colon = memchr(d, ':', n)) == NULL) {
		free(d);
		return -1;
	}
	*buf = realloc(d, n + 1);
	if (*buf == NULL) {
		free(d);
		return -1;
	}
	(*buf)[n] = '\0';
	colon = strchr(*buf, ':');
	*colon = '\0';
	if (!form_decode(*buf) || !form_decode(colon + 1)) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	*id = *buf;
	*secret = colon + 1;
	return 0;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The tokens for a redeemed code; fills resp (200). -1 with err. */
static int
mint(const struct s2o_oidc_env *env, json_t *code, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const struct s2o_config	*cfg = s2o_oidc_provider_config(env->op);
	const struct s2o_keyset	*ks = s2o_oidc_provider_keyset(env->op);
	struct s2o_token_access_req	 ar;
	struct s2o_token_id_req		 ir;
	char	*aud = NULL, *at = NULL, *it = NULL, *ui = NULL;
	json_t	*o, *v;
	size_t	 n;
	int	 rc = -1;

	/* the access token is for the requested API, else for our own
	 * userinfo endpoint */
	if (jstr(code, "audience") != NULL &&
	    (aud = strdup(jstr(code, "audience"))) == NULL)
		return s2o_err_oom(err);
	n = strlen(cfg->issuer);
	if (n > 0 && cfg->issuer[n - 1] == '/')
		n--;
	if (aud == NULL) {
		if ((aud = malloc(n + sizeof("/userinfo"))) == NULL)
			return s2o_err_oom(err);
		memcpy(aud, cfg->issuer, n);
		memcpy(aud + n, "/userinfo", sizeof("/userinfo"));
	}
	memset(&ar, 0, sizeof(ar));
	ar.issuer = cfg->issuer;
	ar.sub = jstr(code, "sub");
	ar.aud = aud;
	ar.client_id = jstr(code, "client_id");
	ar.scope = jstr(code, "scope");
	ar.clock = env->clock;
	ar.ttl = cfg->access_token_ttl;
	ar.jti = jstr(code, "tid");	/* revoked by it on a code reuse */
	/* the organization and RBAC claims the ACS granted, when any, and
	 * the claims the mappings send to the access token: the code
	 * record's objects as read from the store, borrowed */
	ar.bridge_claims = json_object_get(code, "access_claims");
	if ((v = json_object_get(code, "access_token")) != NULL &&
	    json_object_size(v) > 0)
		ar.extra_claims = v;
	if ((at = s2o_token_access_mint(ks, &ar, err)) == NULL)
		goto out;
	/*
	 * The claims the mappings send to userinfo wait in the store under
	 * the token's id for its lifetime: /userinfo answers them (with a
	 * shared store, at any instance). Fails closed: no token whose
	 * userinfo would come back short.
	 */
	if ((v = json_object_get(code, "userinfo")) != NULL &&
	    json_object_size(v) > 0 && ar.jti != NULL) {
		if ((ui = json_dumps(v, JSON_COMPACT |
		    JSON_PRESERVE_ORDER)) == NULL) {
			s2o_err_oom(err);
			goto out;
		}
		if (s2o_store_put(env->store, S2O_OIDC_NS_USERINFO, ar.jti, ui,
		    s2o_clock_now(env->clock) + cfg->access_token_ttl,
		    err) == -1)
			goto out;
	}
	if (json_object_get(code, "id_token") == NULL) {
		s2o_err_set(err, S2O_R_INTERNAL, "code without claims");
		goto out;
	}
	memset(&ir, 0, sizeof(ir));
	ir.issuer = cfg->issuer;
	ir.sub = jstr(code, "sub");
	ir.aud = jstr(code, "client_id");
	ir.clock = env->clock;
	ir.ttl = cfg->id_token_ttl;
	ir.auth_time = (time_t)json_integer_value(json_object_get(code,
	    "auth_time"));
	ir.nonce = jstr(code, "nonce");
	ir.authn_context = jstr(code, "acr");
	ir.sid = jstr(code, "sid");
	ir.access_token = at;
	ir.bridge_claims = json_object_get(code, "access_claims") != NULL ?
	    json_object_get(code, "id_claims") : NULL;
	ir.extra_claims = json_object_get(code, "id_token");
	if ((it = s2o_token_id_mint(ks, &ir, err)) == NULL)
		goto out;
	o = json_pack("{s:s, s:s, s:s, s:I}", "id_token", it, "access_token",
	    at, "token_type", "Bearer", "expires_in",
	    (json_int_t)cfg->access_token_ttl);
	if (o != NULL)
		resp->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (resp->body == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	resp->len = strlen(resp->body);
	resp->status = 200;
	resp->content_type = S2O_OIDC_JSON;
	resp->cache_control = NULL;	/* no-store (RFC 6749 §5.1) */
	rc = 0;
out:
	free(aud);
	free(at);
	free(it);
	free(ui);
	return rc;
}

/*
 * A code that is not in the store. When it was redeemed (its spent mark
 * is there, taken once), RFC 6749 §4.1.2: "the authorization server ...
 * SHOULD revoke (when possible) all tokens previously issued based on
 * that authorization code": its access token's id goes on the revoked
 * list for the token's lifetime. Either way invalid_grant.
 */
static int
code_reused(const struct s2o_oidc_env *env, const char *codev,
    struct s2o_oidc_response *resp, struct s2o_err *err)
{
	const struct s2o_config	*cfg = s2o_oidc_provider_config(env->op);
	char			*tid = NULL;
	int			 t;

	if ((t = s2o_store_take(env->store, S2O_OIDC_NS_SPENT, codev, &tid,
	    err)) == -1)
		return -1;
	if (t == 1)
		return oauth_error(resp, 400, "invalid_grant", "unknown, used "
		    "or expired code", S2O_R_REPLAYED);
	t = s2o_store_put(env->store, S2O_OIDC_NS_REVOKED, tid, "code reused",
	    s2o_clock_now(env->clock) + cfg->access_token_ttl, err);
	free(tid);
	if (t == -1)
		return -1;
	s2o_log(S2O_LOG_WARN, "token", "an authorization code was redeemed "
	    "twice: the access token it issued is revoked");
	return oauth_error(resp, 400, "invalid_grant", "code already used: "
	    "the tokens it issued are revoked", S2O_R_REPLAYED);
}

int
s2o_oidc_token(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const struct s2o_config	*cfg = s2o_oidc_provider_config(env->op);
	const struct s2o_client	*client;
	const char	*grant, *codev, *redirect_uri, *verifier;
	const char	*fid, *fsecret, *bid = NULL, *bsecret = NULL;
	const char	*id, *secret, *challenge;
	char		*basic = NULL, *code_text = NULL;
	json_t		*code = NULL;
	int		 rc = -1, t;

	s2o_oidc_response_cleanup(resp);
	if (req->method == NULL || strcmp(req->method, "POST") != 0)
		return oauth_error(resp, 400, "invalid_request", "the token "
		    "endpoint takes POST", S2O_R_MALFORMED);
	if (fparam(req, "grant_type", &grant) == -1 ||
	    fparam(req, "code", &codev) == -1 ||
	    fparam(req, "redirect_uri", &redirect_uri) == -1 ||
	    fparam(req, "code_verifier", &verifier) == -1 ||
	    fparam(req, "client_id", &fid) == -1 ||
	    fparam(req, "client_secret", &fsecret) == -1)
		return oauth_error(resp, 400, "invalid_request", "a parameter "
		    "is given more than once", S2O_R_MALFORMED);
	/* ---- the client ---- */
	if (req->authorization != NULL &&
	    basic_auth(req->authorization, &basic, &bid, &bsecret) == -1)
		return oauth_error(resp, 400, "invalid_request", "malformed "
		    "Authorization header (client_secret_basic)",
		    S2O_R_MALFORMED);
	if (basic != NULL && fsecret != NULL) {
		rc = oauth_error(resp, 400, "invalid_request", "more than one "
		    "client authentication method", S2O_R_MALFORMED);
		goto out;
	}
	id = basic != NULL ? bid : fid;
	secret = basic != NULL ? bsecret : fsecret;
	if (basic != NULL && fid != NULL && strcmp(fid, bid) != 0) {
		rc = oauth_error(resp, 400, "invalid_request", "client_id "
		    "differs from the Authorization header's", S2O_R_MALFORMED);
		goto out;
	}
	client = id != NULL ? s2o_config_client(cfg, id) : NULL;
	if (client == NULL ||
	    (client->client_secret != NULL && (secret == NULL ||
	    !s2o_str_equal_ct(secret, client->client_secret))) ||
	    (client->client_secret == NULL && secret != NULL)) {
		rc = oauth_error(resp, 401, "invalid_client", "client "
		    "authentication failed", S2O_R_MALFORMED);
		if (rc == 0 && basic != NULL)
			resp->www_authenticate = "Basic realm=\"saml2oidc\"";
		goto out;
	}
	/* ---- the grant ---- */
	if (grant == NULL || codev == NULL || redirect_uri == NULL) {
		rc = oauth_error(resp, 400, "invalid_request", "grant_type, "
		    "code and redirect_uri are required", S2O_R_MALFORMED);
		goto out;
	}
	if (strcmp(grant, "authorization_code") != 0) {
		rc = oauth_error(resp, 400, "unsupported_grant_type", "only "
		    "authorization_code", S2O_R_MALFORMED);
		goto out;
	}
	/* taken before any other check: a code is spent by its first use */
	if ((t = s2o_store_take(env->store, S2O_OIDC_NS_CODE, codev,
	    &code_text, err)) == -1)
		goto out;
	if (t == 1) {
		rc = code_reused(env, codev, resp, err);
		goto out;
	}
	if ((code = json_loads(code_text, 0, NULL)) == NULL) {
		s2o_err_set(err, S2O_R_INTERNAL, "stored code is not JSON");
		goto out;
	}
	if (jstr(code, "client_id") == NULL ||
	    strcmp(jstr(code, "client_id"), client->client_id) != 0 ||
	    jstr(code, "redirect_uri") == NULL ||
	    strcmp(jstr(code, "redirect_uri"), redirect_uri) != 0) {
		rc = oauth_error(resp, 400, "invalid_grant", "the code was "
		    "issued to another client or redirect_uri",
		    S2O_R_MALFORMED);
		goto out;
	}
	challenge = jstr(code, "code_challenge");
	if (challenge == NULL || challenge[0] == '\0') {
		/* no PKCE (a confidential client with require_pkce false):
		 * a verifier now means the two halves disagree */
		if (verifier != NULL) {
			rc = oauth_error(resp, 400, "invalid_grant", "a "
			    "code_verifier without a code_challenge in the "
			    "authorization request", S2O_R_MALFORMED);
			goto out;
		}
	} else if (verifier == NULL ||
	    !s2o_oidc_pkce_s256_ok(verifier, challenge)) {
		rc = oauth_error(resp, 400, "invalid_grant", "code_verifier "
		    "does not match the code_challenge (S256)",
		    S2O_R_MALFORMED);
		goto out;
	}
	if ((rc = mint(env, code, resp, err)) == 0)
		resp->metric_client = client->client_id;
	if (rc == 0 &&
	    jstr(code, "tid") != NULL &&
	    s2o_store_put(env->store, S2O_OIDC_NS_SPENT, codev,
	    jstr(code, "tid"), s2o_clock_now(env->clock) +
	    cfg->access_token_ttl, err) == -1) {
		/* fail closed: tokens a reuse could not revoke are not
		 * handed out */
		s2o_oidc_response_cleanup(resp);
		rc = -1;
	}
out:
	if (rc == -1 && !s2o_err_is_set(err))
		s2o_err_oom(err);
	json_decref(code);
	free(code_text);
	free(basic);
	return rc;
}
