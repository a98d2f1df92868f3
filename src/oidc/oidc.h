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

#endif
