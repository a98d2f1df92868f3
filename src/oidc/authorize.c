/* SPDX-License-Identifier: MIT */
/*
 * The authorization endpoint: checking the client's request, and turning
 * an accepted one into a SAML AuthnRequest whose pending login waits in
 * the store under an opaque RelayState handle.
 *
 * Until the client and its redirect_uri are verified, nothing goes back
 * to the redirect_uri (it would make the bridge an open redirector): the
 * browser sees an error page. After, errors go back to the client per
 * RFC 6749 §4.1.2.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "oidc/oidc_int.h"
#include "policy/policy.h"

static const char text_html[] = "text/html; charset=utf-8";

char *
s2o_oidc_html_escape(const char *s, struct s2o_err *err)
{
	struct s2o_buf	b;
	const char	*rep;
	char		 c[2] = { 0, 0 };

	s2o_buf_init(&b, 1u << 16);
	if (s2o_buf_adds(&b, "", err) == -1)
		return NULL;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: c[0] = *s; rep = c; break;
		}
		if (s2o_buf_adds(&b, rep, err) == -1) {
			s2o_buf_cleanup(&b);
			return NULL;
		}
	}
	return s2o_buf_take(&b, NULL);
}

int
s2o_oidc_url_encode(struct s2o_buf *b, const char *s, struct s2o_err *err)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char	  c;
	char		  e[3];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (s2o_buf_add(b, s, 1, err) == -1)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (s2o_buf_add(b, e, 3, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The parameter name of req (the query of a GET, the form of a POST):
 * 0 with *value (NULL when absent), or -1 when it appears twice or holds
 * a NUL (RFC 6749 §3.1: parameters MUST NOT be included more than once).
 */
static int
param(const struct s2o_oidc_request *req, const char *name,
    const char **value)
{
	const struct s2o_oidc_param	*v;
	size_t				 n, i;

	if (req->method != NULL && strcmp(req->method, "POST") == 0) {
		v = req->form;
		n = req->nform;
	} else {
		v = req->query;
		n = req->nquery;
	}
	*value = NULL;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) != 0)
			continue;
		if (*value != NULL || strlen(v[i].value) != v[i].len)
			return -1;
		*value = v[i].value;
	}
	return 0;
}

/* Refuses with an OAuth error and a detail; the redirect_uri decides
 * where it goes. */
#define refuse(az, oauth_error, e, ...)				\
	((az)->error = (oauth_error), s2o_err_set((e), S2O_R_MALFORMED,	\
	    __VA_ARGS__))

/* Reads one parameter, refusing a repeated one. */
#define PARAM(name, var)						\
	do {								\
		if (param(req, (name), &(var)) == -1)			\
			return refuse(a, "invalid_request", err,	\
			    "%s: given more than once", (name));	\
	} while (0)

/* True when the space-separated list holds word. */
static bool
has_word(const char *list, const char *word)
{
	size_t	n = strlen(word);
	const char *p = list;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
		while (*p != ' ' && *p != '\0')
			p++;
	}
	return false;
}

bool
s2o_oidc_client_allows(const struct s2o_client *client,
    const struct s2o_connection *conn)
{
	size_t	i;

	if (client->allowed_connections == NULL)
		return true;
	for (i = 0; i < client->nallowed_connections; i++)
		if (strcmp(client->allowed_connections[i], conn->name) == 0)
			return true;
	return false;
}

/* OIDC Core §3.1.2.1: acr_values, space-separated; here SAML
 * AuthnContextClassRefs, so each is an absolute URI (a scheme and a
 * colon), and there are a few. */
static bool
acr_values_ok(const char *s)
{
	const char	*p = s, *w;
	int		 n = 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p != ' ' && *p != '\0') {
			if ((unsigned char)*p < 0x21 || *p == 0x7f ||
			    *p == '<' || *p == '>' || *p == '"' || *p == '&')
				return false;
			p++;
		}
		if (memchr(w, ':', (size_t)(p - w)) == NULL ||
		    !((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z')))
			return false;
		if (++n > S2O_OIDC_MAX_ACR)
			return false;
	}
	return n > 0;
}

/* RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters. */
static bool
is_s256_challenge(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return false;
	return i == 43;
}

/* The audience, the scopes it defines and the organization (docs/
 * organizations.md); whether the user may have them is the ACS's. */
static int
check_org_params(const struct s2o_config *cfg, struct s2o_oidc_authz *a,
    struct s2o_err *err)
{
	const struct s2o_config_api	*api = NULL;
	struct s2o_err			 e;

	if (a->audience != NULL &&
	    (api = s2o_config_api(cfg, a->audience)) == NULL)
		return refuse(a, "invalid_request", err, "audience: no API %s "
		    "is configured", a->audience);
	s2o_err_clear(&e);
	if (s2o_policy_scope_check(api, a->scope, &e) == -1)
		return refuse(a, "invalid_scope", err, "%s", e.detail);
	if (a->organization != NULL &&
	    s2o_config_org(cfg, a->organization, true) == NULL)
		return refuse(a, "invalid_request", err, "organization: no "
		    "organization %s is configured", a->organization);
	return 0;
}

int
s2o_oidc_authorize_check(const struct s2o_config *cfg,
    const struct s2o_oidc_request *req, struct s2o_oidc_authz *a,
    struct s2o_err *err)
{
	return s2o_oidc_authorize_check_session(cfg, req, NULL, a, err);
}

int
s2o_oidc_authorize_check_session(const struct s2o_config *cfg,
    const struct s2o_oidc_request *req, const char *session_conn,
    struct s2o_oidc_authz *a, struct s2o_err *err)
{
	const struct s2o_connection	*sc;
	const char	*client_id, *redirect_uri, *response_type, *scope;
	const char	*method, *connection, *prompt, *mode;
	size_t		 i;

	memset(a, 0, sizeof(*a));
	/* ---- before the redirect_uri is trusted: an error page ---- */
	PARAM("client_id", client_id);
	PARAM("redirect_uri", redirect_uri);
	if (client_id == NULL || client_id[0] == '\0')
		return refuse(a, "invalid_request", err, "%s: missing",
		    "client_id");
	if ((a->client = s2o_config_client(cfg, client_id)) == NULL)
		return refuse(a, "unauthorized_client", err,
		    "client_id: no client %s", client_id);
	if (redirect_uri == NULL || redirect_uri[0] == '\0')
		return refuse(a, "invalid_request", err, "%s: missing",
		    "redirect_uri");
	for (i = 0; i < a->client->nredirect_uris; i++)
		if (strcmp(a->client->redirect_uris[i], redirect_uri) == 0)
			break;
	if (i == a->client->nredirect_uris)
		return refuse(a, "invalid_request", err, "redirect_uri: %s is "
		    "not registered for this client (exact match only)",
		    redirect_uri);
	/* ---- from here errors go back to the client ---- */
	a->redirect_uri = redirect_uri;
	PARAM("state", a->state);
	PARAM("response_type", response_type);
	PARAM("scope", scope);
	a->scope = scope;
	PARAM("nonce", a->nonce);
	PARAM("code_challenge", a->code_challenge);
	PARAM("code_challenge_method", method);
	PARAM("connection", connection);
	PARAM("prompt", prompt);
	PARAM("login_hint", a->login_hint);
	PARAM("response_mode", mode);
	PARAM("acr_values", a->acr_values);
	PARAM("audience", a->audience);
	PARAM("organization", a->organization);
	if (response_type == NULL)
		return refuse(a, "invalid_request", err, "%s: missing",
		    "response_type");
	if (strcmp(response_type, "code") != 0)
		return refuse(a, "unsupported_response_type", err,
		    "response_type: %s: only code is supported", response_type);
	if (mode != NULL && strcmp(mode, "query") != 0 &&
	    strcmp(mode, "form_post") != 0)
		return refuse(a, "invalid_request", err, "response_mode: %s: "
		    "query or form_post", mode);
	a->form_post = mode != NULL && strcmp(mode, "form_post") == 0;
	if (scope == NULL || !has_word(scope, "openid"))
		return refuse(a, "invalid_scope", err, "scope: %s",
		    "must contain openid");
	if (a->state == NULL || a->state[0] == '\0')
		return refuse(a, "invalid_request", err, "%s: missing",
		    "state");
	if (a->nonce == NULL || a->nonce[0] == '\0')
		return refuse(a, "invalid_request", err, "%s: missing",
		    "nonce");
	/* a confidential client with require_pkce false may leave PKCE
	 * out; one that sends it gets it checked like everyone else */
	if (a->code_challenge == NULL && (a->client->require_pkce ||
	    method != NULL))
		return refuse(a, "invalid_request", err, "%s: missing (PKCE "
		    "S256 is required)", "code_challenge");
	if (a->code_challenge != NULL && (method == NULL ||
	    strcmp(method, "S256") != 0))
		return refuse(a, "invalid_request", err,
		    "code_challenge_method: %s: only S256 is accepted",
		    method == NULL ? "missing" : method);
	if (a->code_challenge != NULL && !is_s256_challenge(a->code_challenge))
		return refuse(a, "invalid_request", err, "%s: not 43 base64url "
		    "characters (BASE64URL(SHA256(verifier)))",
		    "code_challenge");
	if (prompt != NULL) {
		/* OIDC Core §3.1.2.1: none with any other value is an error */
		if (has_word(prompt, "none") && strcmp(prompt, "none") != 0)
			return refuse(a, "invalid_request", err, "prompt: %s",
			    "none cannot be combined with other values");
		if (has_word(prompt, "none") && session_conn == NULL)
			return refuse(a, "login_required", err, "prompt: %s",
			    "none cannot be answered without a bridge session");
		a->prompt_none = has_word(prompt, "none");
		a->force_authn = has_word(prompt, "login");
	}
	if (connection != NULL) {
		if ((a->conn = s2o_config_connection(cfg, connection)) == NULL)
			return refuse(a, "invalid_request", err,
			    "connection: no connection %s", connection);
		if (!s2o_oidc_client_allows(a->client, a->conn))
			return refuse(a, "invalid_request", err, "connection: "
			    "%s is not in the client's allowed_connections",
			    connection);
	} else if (session_conn != NULL &&
	    (sc = s2o_config_connection(cfg, session_conn)) != NULL &&
	    s2o_oidc_client_allows(a->client, sc))
		a->conn = sc;	/* the bridge session's */
	else if (a->client->nallowed_connections == 1)
		a->conn = s2o_config_connection(cfg,
		    a->client->allowed_connections[0]);
	else if (cfg->nconnections == 1 &&
	    s2o_oidc_client_allows(a->client, &cfg->connections[0]))
		a->conn = &cfg->connections[0];
	if (a->conn == NULL)
		return refuse(a, "invalid_request", err, "connection: %s",
		    "missing, and there is more than one");
	if (a->acr_values != NULL && !acr_values_ok(a->acr_values))
		return refuse(a, "invalid_request", err, "acr_values: at most "
		    "%d space-separated absolute URIs", S2O_OIDC_MAX_ACR);
	if (a->login_hint != NULL && a->login_hint[0] == '\0')
		a->login_hint = NULL;
	return check_org_params(cfg, a, err);
}

/* A small page for an error the browser's user sees. */
static int
error_page(struct s2o_oidc_response *resp, int status, const char *error,
    const char *detail, const char *request_id, struct s2o_err *err)
{
	struct s2o_buf	 b;
	char		*e = NULL, *d = NULL;
	int		 rc = -1;

	s2o_buf_init(&b, 1u << 16);
	if ((e = s2o_oidc_html_escape(error, err)) == NULL ||
	    (d = s2o_oidc_html_escape(detail, err)) == NULL ||
	    s2o_buf_printf(&b, err, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>Sign-in failed</title></head>"
	    "<body><h1>Sign-in failed</h1>\n<p>Error: <code>%s</code></p>\n"
	    "<p>%s</p>\n<p>Correlation id: <code>%s</code></p>\n"
	    "</body></html>\n", e, d, request_id ? request_id : "-") == -1)
		goto out;
	resp->body = s2o_buf_take(&b, &resp->len);
	resp->status = status;
	resp->content_type = text_html;
	rc = 0;
out:
	s2o_buf_cleanup(&b);
	free(e);
	free(d);
	return rc;
}

/* 302 to redirect_uri with error, error_description and state. */
static int
error_redirect(struct s2o_oidc_response *resp, const struct s2o_oidc_authz *a,
    const char *description, struct s2o_err *err)
{
	struct s2o_buf	b;

	s2o_buf_init(&b, 1u << 16);
	if (s2o_buf_adds(&b, a->redirect_uri, err) == -1 ||
	    s2o_buf_adds(&b, strchr(a->redirect_uri, '?') ? "&" : "?",
	    err) == -1 ||
	    s2o_buf_adds(&b, "error=", err) == -1 ||
	    s2o_oidc_url_encode(&b, a->error, err) == -1 ||
	    s2o_buf_adds(&b, "&error_description=", err) == -1 ||
	    s2o_oidc_url_encode(&b, description, err) == -1 ||
	    (a->state != NULL && (s2o_buf_adds(&b, "&state=", err) == -1 ||
	    s2o_oidc_url_encode(&b, a->state, err) == -1))) {
		s2o_buf_cleanup(&b);
		return -1;
	}
	resp->location = s2o_buf_take(&b, NULL);
	resp->status = 302;
	return 0;
}

/* The CSP of a self-posting form: its one inline script, by hash. */
char *
oidc_post_form_csp(struct s2o_err *err)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		*h, *csp;
	size_t		 n;

	if (EVP_Digest(s2o_saml_post_script, strlen(s2o_saml_post_script), md,
	    &mdlen, EVP_sha256(), NULL) != 1) {
		s2o_err_set(err, S2O_R_INTERNAL, "SHA-256 failed");
		return NULL;
	}
	if ((h = s2o_b64_encode(md, mdlen, err)) == NULL)
		return NULL;
	n = strlen(h) + 96;
	if ((csp = malloc(n)) == NULL) {
		free(h);
		s2o_err_oom(err);
		return NULL;
	}
	snprintf(csp, n, "default-src 'none'; script-src 'sha256-%s'; "
	    "frame-ancestors 'none'", h);
	free(h);
	return csp;
}

void
s2o_oidc_authn_contexts_free(char **v)
{
	size_t	i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* True when the space-separated list holds word (NULL list: false). */
static bool
list_has(const char *list, const char *word)
{
	return list != NULL && has_word(list, word);
}

int
s2o_oidc_authn_contexts(const struct s2o_config *cfg,
    const struct s2o_connection *conn, const struct s2o_client *client,
    const char *acr_values, char ***out, struct s2o_err *err)
{
	return s2o_oidc_authn_contexts_api(cfg, conn, client, NULL,
	    acr_values, out, err);
}

/* The login's policies: borrowed from book when there is one (a
 * provider's), else compiled from cfg. Caller frees; NULL with err. */
static struct s2o_policy_set *
login_policies(const struct s2o_policy_book *book,
    const struct s2o_config *cfg, const struct s2o_connection *conn,
    const struct s2o_client *client, const struct s2o_config_api *api,
    struct s2o_err *err)
{
	struct s2o_policy_set	*ps;
	char			 scope[160];

	if (book != NULL)
		return s2o_policy_book_set(book, conn, client, api, err);
	if ((ps = s2o_policy_set_for(cfg, conn, client, err)) == NULL)
		return NULL;
	/* the audience's policies join the login's, require_mfa included */
	if (api != NULL) {
		snprintf(scope, sizeof(scope), "API \"%s\"", api->identifier);
		if (s2o_policy_set_add(ps, &api->policies, scope, err) == -1) {
			s2o_policy_set_free(ps);
			return NULL;
		}
	}
	return ps;
}

static int
authn_contexts(const struct s2o_policy_book *book,
    const struct s2o_config *cfg, const struct s2o_connection *conn,
    const struct s2o_client *client, const struct s2o_config_api *api,
    const char *acr_values, char ***out, struct s2o_err *err)
{
	struct s2o_policy_set	*ps;
	const char		**mfa = NULL;
	char			**v = NULL;
	const char		*p, *w;
	size_t			  n = 0, i;
	int			  rc = -1;

	*out = NULL;
	if ((ps = login_policies(book, cfg, conn, client, api, err)) == NULL)
		return -1;
	if (s2o_policy_set_mfa_classes(ps, &mfa, err) == -1)
		goto out;
	for (i = 0; mfa != NULL && mfa[i] != NULL; i++)
		;
	if ((v = calloc(i + S2O_OIDC_MAX_ACR + 1, sizeof(*v))) == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	if (mfa != NULL) {
		/* MFA required: the requested classes the policy accepts */
		for (i = 0; mfa[i] != NULL; i++)
			if (list_has(acr_values, mfa[i]) &&
			    (v[n++] = s2o_strdup(mfa[i], err)) == NULL)
				goto out;
		/* none of them, or none asked for: every class it accepts */
		if (n == 0)
			for (i = 0; mfa[i] != NULL; i++)
				if ((v[n++] = s2o_strdup(mfa[i], err)) == NULL)
					goto out;
	}
	/* no MFA policy: what the client asked for, in its order */
	for (p = acr_values; mfa == NULL && p != NULL && *p != '\0' &&
	    n < S2O_OIDC_MAX_ACR;) {
		while (*p == ' ')
			p++;
		w = p;
		while (*p != ' ' && *p != '\0')
			p++;
		if (p > w && (v[n++] = strndup(w, (size_t)(p - w))) == NULL) {
			s2o_err_oom(err);
			goto out;
		}
	}
	if (n > 0) {
		*out = v;
		v = NULL;
	}
	rc = 0;
out:
	s2o_oidc_authn_contexts_free(v);
	free(mfa);
	s2o_policy_set_free(ps);
	return rc;
}

int
s2o_oidc_authn_contexts_api(const struct s2o_config *cfg,
    const struct s2o_connection *conn, const struct s2o_client *client,
    const struct s2o_config_api *api, const char *acr_values, char ***out,
    struct s2o_err *err)
{
	return authn_contexts(NULL, cfg, conn, client, api, acr_values, out,
	    err);
}

/* The pending login as JSON; NULL with err. */
static char *
pending_json(const struct s2o_oidc_authz *a, const char *request_id,
    time_t now, struct s2o_err *err)
{
	json_t	*o;
	char	*s = NULL;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:I, "
	    "s:s?, s:s?}",
	    "request_id", request_id, "client_id", a->client->client_id,
	    "scope", a->scope,
	    "response_mode", a->form_post ? "form_post" : "query",
	    "redirect_uri", a->redirect_uri, "state", a->state,
	    "nonce", a->nonce, "code_challenge", a->code_challenge,
	    "connection", a->conn->name, "created", (json_int_t)now,
	    "audience", a->audience, "organization", a->organization);
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		s2o_err_oom(err);
	return s;
}

int
s2o_oidc_authorize(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const struct s2o_config		*cfg = s2o_oidc_provider_config(env->op);
	struct s2o_oidc_authz		 a;
	struct s2o_saml_authn_params	 p;
	struct s2o_saml_authn_request	 ar = { NULL, NULL, NULL };
	struct s2o_err			 why;
	unsigned char			 rnd[16];
	char				*relay = NULL, *pending = NULL;
	char				**classes = NULL;
	json_t				*session = NULL;
	time_t				 now = s2o_clock_now(env->clock);
	int				 t;
	int				 rc = -1;

	s2o_oidc_response_cleanup(resp);
	s2o_err_clear(&why);
	if (oidc_session_get(env, req, &session, err) == -1)
		return -1;
	if (s2o_oidc_authorize_check_session(cfg, req, session == NULL ? NULL :
	    oidc_jstr(session, "connection"), &a, &why) == -1) {
		json_decref(session);
		resp->reason = why.reason;
		if (a.redirect_uri != NULL)
			return error_redirect(resp, &a, why.detail, err);
		return error_page(resp, 400, a.error, why.detail,
		    req->request_id, err);
	}
	/* a bridge session answers, unless prompt=login asks for a new
	 * authentication (it then gets ForceAuthn) */
	if (session != NULL && !a.force_authn) {
		t = oidc_session_answer(env, req, &a, session, resp, err);
		if (t != 1) {
			json_decref(session);
			return t;
		}
	}
	json_decref(session);
	if (a.prompt_none) {
		a.error = "login_required";
		resp->reason = S2O_R_MALFORMED;
		return error_redirect(resp, &a, "prompt: none cannot be "
		    "answered from the bridge session", err);
	}
	/* 128 bits: the handle is all that ties the IdP's answer to us */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return s2o_err_set(err, S2O_R_INTERNAL, "RAND_bytes failed");
	if ((relay = s2o_b64url_encode(rnd, sizeof(rnd), err)) == NULL)
		goto out;
	memset(&p, 0, sizeof(p));
	p.sp = &cfg->sp;
	p.conn = a.conn;
	p.keys = env->spk;
	p.clock = env->clock;
	p.relay_state = relay;
	p.login_hint = a.login_hint;
	p.force_authn = a.force_authn;
	if (authn_contexts(env->op->policies, cfg, a.conn, a.client,
	    s2o_config_api(cfg, a.audience), a.acr_values, &classes, err) ==
	    -1)
		goto out;
	p.authn_contexts = (const char *const *)classes;
	if (s2o_saml_authn_request_new(&p, &ar, err) == -1 ||
	    (pending = pending_json(&a, ar.id, now, err)) == NULL ||
	    s2o_store_put(env->store, S2O_OIDC_NS_AUTHN, relay, pending,
	    now + S2O_OIDC_AUTHN_TTL, err) == -1)
		goto out;
	if (ar.redirect_url != NULL) {
		resp->location = ar.redirect_url;
		ar.redirect_url = NULL;
		resp->status = 302;
	} else {
		if ((resp->csp = oidc_post_form_csp(err)) == NULL)
			goto out;
		resp->body = ar.post_form;
		resp->len = strlen(ar.post_form);
		ar.post_form = NULL;
		resp->status = 200;
		resp->content_type = text_html;
	}
	rc = 0;
out:
	if (rc == -1)
		s2o_oidc_response_cleanup(resp);
	s2o_saml_authn_request_cleanup(&ar);
	s2o_oidc_authn_contexts_free(classes);
	free(relay);
	free(pending);
	return rc;
}
