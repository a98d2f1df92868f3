/* SPDX-License-Identifier: MIT */
/*
 * oidc/: the OpenID Provider's endpoints as plain functions. A request
 * struct goes in, a response struct comes out; nothing here knows about
 * sockets or libmicrohttpd, so every endpoint is tested by calling it.
 * http/ parses the wire request into struct s2o_oidc_request and writes
 * struct s2o_oidc_response back, adding the headers every page carries.
 *
 * A provider is what one loaded configuration serves: the configuration
 * and the keyset it borrows, plus the documents computed from them once
 * (the discovery document and the JWK Set never change while it lives).
 *
 * With http/, this is the only folder that reads the HTTP status and
 * OAuth error columns of core/reasons.def.
 */
#ifndef S2O_OIDC_H
#define S2O_OIDC_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/core.h"
#include "saml/saml.h"
#include "store/store.h"
#include "token/token.h"

/* One decoded query or form parameter. Borrowed for the request. */
struct s2o_oidc_param {
	const char	*name;
	const char	*value;		/* NUL-terminated, "" when empty */
	size_t		 len;		/* bytes of value (may hold a NUL) */
};

/* What an endpoint is asked. Every pointer is borrowed for the call. */
struct s2o_oidc_request {
	const char			*method;	/* "GET", "POST", ... */
	const struct s2o_oidc_param	*query;		/* URL query */
	size_t				 nquery;
	const struct s2o_oidc_param	*form;		/* urlencoded body */
	size_t				 nform;
	const char			*authorization;	/* header or NULL */
	const char			*request_id;	/* 16 hex digits */
	/* the client's address (http/: the peer, or X-Forwarded-For from
	 * a trusted proxy); NULL when unknown */
	const char			*client_ip;
	const char			*session;	/* the bridge session
							   cookie's value or NULL */
	const char			*connection;	/* /saml/acs/{connection}
							   or NULL */
};

/*
 * What an endpoint answers. content_type and cache_control point to static
 * strings; body is owned (free()) and released by
 * s2o_oidc_response_cleanup(). reason is S2O_R_OK for a success and the
 * rejection's reason otherwise (for logs and metrics).
 */
struct s2o_oidc_response {
	int		 status;
	const char	*content_type;
	const char	*cache_control;	/* NULL means "no-store" */
	bool		 cors_public;	/* any origin may read it (metadata) */
	char		*body;
	size_t		 len;
	enum s2o_reason	 reason;
	char		*location;	/* owned; the Location header or NULL */
	char		*csp;		/* owned; replaces the default
					   Content-Security-Policy, or NULL */
	const char	*www_authenticate; /* static; the header or NULL */
	char		*set_cookie;	/* owned; a Set-Cookie header or NULL */
	unsigned int	 retry_after;	/* seconds: Retry-After; 0: none */
	/* metric labels, borrowed from the configuration, or NULL: the
	 * connection of an ACS answer, the client of issued tokens */
	const char	*metric_connection;
	const char	*metric_client;
};

#define S2O_OIDC_JSON		"application/json"
#define S2O_OIDC_CACHE_PUBLIC	"public, max-age=300"	/* 5 minutes */

/* ---- response.c ------------------------------------------------------- */

/* An empty response (status 0, no body). */
void		 s2o_oidc_response_init(struct s2o_oidc_response *resp);
/* Frees the body; resp may be filled again. Idempotent. */
void		 s2o_oidc_response_cleanup(struct s2o_oidc_response *resp);

/*
 * Fills resp with the JSON error for err (which must hold a reason):
 * status s2o_reason_http_status(), body {"error": <the reason's OAuth
 * error (RFC 6749 §5.2)>, "error_description": "<reason token>: <detail>"}
 * with no-store caching. The detail never holds a secret (core/), so it is
 * safe to show the client; it is what a developer needs to fix the call.
 * The server's own faults (internal, store_unavailable) show the token
 * alone: their detail (a store's address, a library's message) is for
 * the log, which the caller writes.
 * Returns 0, or -1 when out of memory: resp is then left a bodiless 500.
 */
int		 s2o_oidc_response_error(struct s2o_oidc_response *resp,
		    const struct s2o_err *err);

/* ---- provider.c ------------------------------------------------------- */

struct s2o_oidc_provider;

/*
 * Makes the provider for one configuration and its keyset, both borrowed:
 * they must outlive it (http/ keeps the three together). Checks what
 * serving needs beyond what config/ checks: the issuer must be https, or
 * http on a loopback host (127.0.0.0/8, ::1, localhost) for local use,
 * since tokens and codes would otherwise cross the network in clear text.
 * Computes the discovery document and the JWK Set once. Caller frees with
 * s2o_oidc_provider_free(), which accepts NULL. NULL with
 * S2O_R_CONFIG_INVALID (the issuer, named) or S2O_R_INTERNAL.
 */
struct s2o_oidc_provider *s2o_oidc_provider_new(const struct s2o_config *cfg,
		    const struct s2o_keyset *ks, struct s2o_err *err);
void		 s2o_oidc_provider_free(struct s2o_oidc_provider *op);
/* The configuration and keyset it serves. Borrowed. */
const struct s2o_config *s2o_oidc_provider_config(
		    const struct s2o_oidc_provider *op);
const struct s2o_keyset *s2o_oidc_provider_keyset(
		    const struct s2o_oidc_provider *op);
/*
 * Metadata refresh (docs/metadata.md). The trust a connection's Responses
 * are verified with, as a new reference (caller frees with
 * s2o_saml_trust_free()); swapping in a new one (adopted; the old one is
 * freed when the last request using it ends), from any thread while
 * others serve; and whether a Response signed by an unknown key asked for
 * a refresh since the last call (at most once per S2O_METADATA_KICK_MIN
 * seconds per connection), which clears the ask.
 */
struct s2o_saml_trust *s2o_oidc_provider_trust(
		    const struct s2o_oidc_provider *op,
		    const struct s2o_connection *conn);
void		 s2o_oidc_provider_swap_trust(struct s2o_oidc_provider *op,
		    const struct s2o_connection *conn,
		    struct s2o_saml_trust *t);
bool		 s2o_oidc_provider_take_kick(const struct s2o_oidc_provider *op,
		    const struct s2o_connection *conn);

/*
 * True when url is http(s) and its host is a loopback address
 * (127.0.0.0/8, [::1]) or "localhost". A predicate; never fails.
 */
bool		 s2o_oidc_url_is_loopback(const char *url);

/* ---- discovery.c ------------------------------------------------------ */

/*
 * GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §3):
 * the provider metadata as compact JSON, members in a fixed order, with
 * public caching for S2O_OIDC_CACHE_PUBLIC. Endpoints are the issuer
 * (without a trailing '/') followed by /authorize, /token, /userinfo and
 * /.well-known/jwks.json. Marked cors_public: browser-based clients read
 * it from their own origin. Returns 0 with resp filled (200), or -1 with
 * S2O_R_INTERNAL on OOM.
 */
int		 s2o_oidc_discovery(const struct s2o_oidc_provider *op,
		    const struct s2o_oidc_request *req,
		    struct s2o_oidc_response *resp, struct s2o_err *err);
/* The discovery document's text (compact JSON). Borrowed from op. */
const char	*s2o_oidc_discovery_json(const struct s2o_oidc_provider *op);

/*
 * GET /.well-known/jwks.json: exactly s2o_token_jwks_json() of the keyset,
 * with public caching for S2O_OIDC_CACHE_PUBLIC (RFC 7517 §5; clients
 * refetch on an unknown kid, so a rotation is seen within 5 minutes), and
 * cors_public. Returns 0 with resp filled (200), or -1 with
 * S2O_R_INTERNAL on OOM.
 */
int		 s2o_oidc_jwks(const struct s2o_oidc_provider *op,
		    const struct s2o_oidc_request *req,
		    struct s2o_oidc_response *resp, struct s2o_err *err);

/* ---- authorize.c ---------------------------------------------------- */

/*
 * What one login needs beyond the provider: the store that outlives
 * configuration generations, the SP's signing keys and the clock. All
 * borrowed.
 */
struct s2o_oidc_env {
	const struct s2o_oidc_provider	*op;
	struct s2o_store		*store;
	const struct s2o_saml_sp_keys	*spk;
	const struct s2o_clock		*clock;
};

#define S2O_OIDC_AUTHN_TTL	600	/* seconds a pending login lives */
#define S2O_OIDC_NS_AUTHN	"authn"	/* store namespace, by RelayState */

/*
 * A checked authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1,
 * RFC 7636 §4.3). Every pointer is borrowed from the configuration or the
 * request.
 */
struct s2o_oidc_authz {
	const struct s2o_client		*client;
	const struct s2o_connection	*conn;
	const char	*redirect_uri;	/* set once verified */
	const char	*state, *nonce, *code_challenge, *login_hint;
	const char	*scope;
	const char	*acr_values;	/* space-separated classes or NULL */
	const char	*audience;	/* a configured API, or NULL */
	const char	*organization;	/* a configured organization (id or
					   name), or NULL */
	bool		 force_authn;	/* prompt=login */
	bool		 prompt_none;	/* prompt=none */
	bool		 form_post;	/* response_mode=form_post */
	const char	*error;		/* the OAuth error, when refused */
};

/*
 * Checks an authorization request's parameters (the query of a GET, the
 * form of a POST), each at most once: client_id known; redirect_uri
 * exactly one of the client's; then response_type=code, scope with
 * openid, state, nonce, code_challenge_method=S256 with a 43-character
 * code_challenge (plain is refused, for every client; optional only for
 * a client with require_pkce false), connection=NAME (one of the client's
 * allowed_connections, when it has that list) or the client's only
 * allowed connection or the only connection, acr_values (1 to
 * S2O_OIDC_MAX_ACR absolute URIs), response_mode query (the default) or
 * form_post,
 * prompt (login forces authentication; none cannot be answered without
 * a bridge login: login_required), audience (a configured API), scope
 * words beyond OpenID Connect's among the audience's permissions
 * (invalid_scope), organization (a configured organization's id or
 * name). Returns 0, or -1
 * with a->error (the OAuth error code) and err (S2O_R_MALFORMED, the
 * detail for error_description); a->redirect_uri is non-NULL exactly when
 * the error may be sent back to the client (RFC 6749 §4.1.2.1).
 */
int		 s2o_oidc_authorize_check(const struct s2o_config *cfg,
		    const struct s2o_oidc_request *req,
		    struct s2o_oidc_authz *a, struct s2o_err *err);
/*
 * The same with a bridge session through connection session_conn (NULL:
 * none): without a connection parameter, the session's connection is
 * chosen when the client allows it; prompt=none is then left to the
 * caller (a->prompt_none) instead of refused.
 */
int		 s2o_oidc_authorize_check_session(const struct s2o_config *cfg,
		    const struct s2o_oidc_request *req,
		    const char *session_conn, struct s2o_oidc_authz *a,
		    struct s2o_err *err);

/*
 * GET|POST /authorize. A bridge session (req->session, the cookie's
 * handle; session.c) answers a request for its connection at once with a
 * code, as the ACS would, when the client's policies pass for it and
 * prompt is not login; prompt=none without such a session is
 * login_required. A refused request answers an HTML error page (400)
 * until client and redirect_uri are verified, and a 302 to the
 * redirect_uri with error, error_description and state after. An accepted
 * one makes an AuthnRequest (a fresh ID, a 128-bit random RelayState
 * handle, login_hint as Subject, ForceAuthn for prompt=login), stores the
 * pending login under the handle for S2O_OIDC_AUTHN_TTL, and answers 302
 * to the IdP (HTTP-Redirect) or 200 with the self-posting form
 * (HTTP-POST; its CSP allows exactly that inline script by hash).
 * resp->reason says why a request was refused. Returns 0 with resp
 * filled, or -1 with err (S2O_R_INTERNAL, S2O_R_STORE_UNAVAILABLE,
 * S2O_R_KEY_UNUSABLE, S2O_R_CONFIG_INVALID) for the server's own failure.
 */
int		 s2o_oidc_authorize(const struct s2o_oidc_env *env,
		    const struct s2o_oidc_request *req,
		    struct s2o_oidc_response *resp, struct s2o_err *err);

/* acr_values: at most this many classes. */
#define S2O_OIDC_MAX_ACR	8

/* True when client may log in through conn (its allowed_connections,
 * when it has that list). A predicate. */
bool		 s2o_oidc_client_allows(const struct s2o_client *client,
		    const struct s2o_connection *conn);

/*
 * The AuthnContextClassRefs an AuthnRequest for client through conn asks
 * for (RequestedAuthnContext, Comparison exact): when a policy of the top
 * level, the connection or the client requires MFA, its classes (those
 * of acr_values among them, when any are); otherwise the classes of
 * acr_values (may be NULL). Returns 0 with *out NULL (ask for nothing)
 * or a NULL-terminated array; caller frees with
 * s2o_oidc_authn_contexts_free(). -1 with err (S2O_R_INTERNAL,
 * S2O_R_CONFIG_INVALID).
 */
int		 s2o_oidc_authn_contexts(const struct s2o_config *cfg,
		    const struct s2o_connection *conn,
		    const struct s2o_client *client, const char *acr_values,
		    char ***out, struct s2o_err *err);
/* As s2o_oidc_authn_contexts(), with the policies of api (the login's
 * audience, may be NULL) too: an API that requires MFA asks for it. */
int		 s2o_oidc_authn_contexts_api(const struct s2o_config *cfg,
		    const struct s2o_connection *conn,
		    const struct s2o_client *client,
		    const struct s2o_config_api *api, const char *acr_values,
		    char ***out, struct s2o_err *err);
void		 s2o_oidc_authn_contexts_free(char **v);

/* The pending login stored under a RelayState handle, as JSON:
 * {"request_id", "client_id", "scope", "response_mode", "redirect_uri",
 * "state", "nonce",
 * "code_challenge", "connection", "created", "audience" (or null),
 * "organization" (or null)}. */

/* ---- acs.c -------------------------------------------------------- */

#define S2O_OIDC_NS_CODE	"code"	/* store namespace, by code */
#define S2O_OIDC_NS_SPENT	"code_spent"	/* a redeemed code -> its
						   token id */
#define S2O_OIDC_NS_REVOKED	"revoked"	/* access token ids (jti) */
#define S2O_OIDC_NS_USERINFO	"userinfo"	/* jti -> the claims mapped
					   "to" userinfo, for the token's life */

/*
 * POST /saml/acs and /saml/acs/{connection} (req->connection, which must
 * name a connection: malformed otherwise; the Response's Destination and
 * Recipient must then be sp.acs_url + "/" + the name): SAMLResponse and
 * RelayState. Without a pending login for the RelayState (none, unknown,
 * used or expired) the Response is unsolicited: refused as
 * in_response_to_mismatch unless its connection sets allow_idp_initiated,
 * and then never a code but a bridge session and a 302 to the default
 * client's initiate_login_uri (session.c, docs/serve.md). Otherwise it
 * takes the pending login by RelayState (single use),
 * parses the Response, requires its issuer to be the login's connection,
 * verifies and validates it with InResponseTo = the stored request ID and
 * the store's replay cache, maps it, applies the policies (the client's
 * address is req->client_ip; unknown, an allow list fails closed; a
 * denial's page names the rule), then
 * stores a one-time code (256 random bits, the configuration's code_ttl)
 * holding {client_id, scope, redirect_uri, code_challenge, nonce, sub,
 * id_token (the mapped claims), auth_time, acr, sid, connection, tid (128
 * random bits: the jti of the access token it buys)} and answers 302 to
 * redirect_uri?code=...&state=... (or, for response_mode=form_post, a
 * page whose form posts code and state to redirect_uri). A refused Response: an HTML page with
 * the status of its reason, the reason token and the correlation id
 * (request_id); the detail is logged only. Returns 0 with resp, or -1
 * with err for the server's own failure (S2O_R_INTERNAL,
 * S2O_R_STORE_UNAVAILABLE).
 */
int		 s2o_oidc_acs(const struct s2o_oidc_env *env,
		    const struct s2o_oidc_request *req,
		    struct s2o_oidc_response *resp, struct s2o_err *err);

/* ---- session.c ----------------------------------------------------- */

#define S2O_OIDC_NS_SESSION	"session"	/* bridge sessions, by handle */
/* The session cookie (RFC 6265bis __Host- prefix: Secure, Path=/, no
 * Domain), and its name on a loopback http issuer, where a browser would
 * not store a Secure cookie (docs/serve.md). */
#define S2O_OIDC_SESSION_COOKIE		"__Host-s2o_session"
#define S2O_OIDC_SESSION_COOKIE_HTTP	"s2o_session"

/* The session cookie's name for op's issuer. Static. */
const char	*s2o_oidc_session_cookie(const struct s2o_oidc_provider *op);

/* ---- token_endpoint.c ------------------------------------------------ */

/*
 * POST /token (RFC 6749 §4.1.3): grant_type=authorization_code, code,
 * redirect_uri (equal to the one the code was issued for), code_verifier
 * (RFC 7636 S256), and the client: client_secret_basic or
 * client_secret_post (constant-time comparison), or none for a client
 * without a secret. The code is taken from the store at its first use,
 * whatever follows. Success: 200 {"id_token", "access_token",
 * "token_type": "Bearer", "expires_in"} with no-store; the access token's
 * audience is the issuer's /userinfo, the ID token carries nonce and
 * at_hash. Refusals: the OAuth JSON errors invalid_request,
 * invalid_client (401; WWW-Authenticate when Basic was tried),
 * unsupported_grant_type, invalid_grant. Returns 0 with resp, or -1 with
 * err for the server's own failure.
 */
int		 s2o_oidc_token(const struct s2o_oidc_env *env,
		    const struct s2o_oidc_request *req,
		    struct s2o_oidc_response *resp, struct s2o_err *err);
/* True when BASE64URL(SHA256(verifier)) is challenge and the verifier is
 * 43 to 128 unreserved characters (RFC 7636 §4.1, §4.6). */
bool		 s2o_oidc_pkce_s256_ok(const char *verifier,
		    const char *challenge);

/* ---- userinfo.c ----------------------------------------------------- */

/*
 * GET|POST /userinfo (OIDC Core §5.3) with the access token of /token as a
 * Bearer token (Authorization header, or the access_token form field of
 * a POST, RFC 6750 §2): signature by one of the configured keys (the kid
 * and alg of its header), typ at+jwt, iss the issuer, aud the issuer's
 * /userinfo, exp in the future, its jti not revoked (S2O_OIDC_NS_REVOKED).
 * Answers {"sub"} as JSON (no-store).
 * Refusals: 401 with WWW-Authenticate: Bearer (error="invalid_token" for
 * a token that does not pass, RFC 6750 §3). Returns 0 with resp, or -1
 * with err (S2O_R_INTERNAL, S2O_R_STORE_UNAVAILABLE: fail closed).
 */
int		 s2o_oidc_userinfo(const struct s2o_oidc_env *env,
		    const struct s2o_oidc_request *req,
		    struct s2o_oidc_response *resp, struct s2o_err *err);

/* ---- text helpers (authorize.c) ------------------------------------- */

/* s with & < > " ' as HTML character references. NULL on OOM. */
char		*s2o_oidc_html_escape(const char *s, struct s2o_err *err);
/* Appends s percent-encoded (all but RFC 3986 unreserved characters). */
int		 s2o_oidc_url_encode(struct s2o_buf *b, const char *s,
		    struct s2o_err *err);

#endif
