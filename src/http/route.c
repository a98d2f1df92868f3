/* SPDX-License-Identifier: MIT */
/*
 * The route table and the endpoints that belong to the server itself
 * (health, readiness, metrics). OpenID Provider endpoints are oidc/
 * functions; a route only says which path, which methods, how large a
 * body and which parameters it takes, and calls them.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

static const char text_plain[] = "text/plain; charset=utf-8";
/* Prometheus text exposition format 0.0.4 */
/* RFC 7303 / SAML Metadata 2.0 §4.1.1 (IANA registration) */
static const char saml_metadata[] = "application/samlmetadata+xml";
static const char text_metrics[] = "text/plain; version=0.0.4; charset=utf-8";

static int
text(struct s2o_oidc_response *resp, int status, const char *s,
    struct s2o_err *err)
{
	if ((resp->body = s2o_strdup(s, err)) == NULL)
		return -1;
	resp->len = strlen(s);
	resp->status = status;
	resp->content_type = text_plain;
	return 0;
}

/* Liveness: the process answers. Nothing else is checked, so a
 * supervisor restarts only a server that is truly stuck. */
static int
handle_healthz(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	(void)c;
	return text(resp, 200, "ok\n", err);
}

/* Pings the store, keeps the answer for /metrics, logs a failure. */
static bool
store_check(struct s2o_http_server *srv, const char *event)
{
	struct s2o_err	e;
	bool		up;

	s2o_err_clear(&e);
	up = s2o_store_ping(srv->store, &e) == 0;
	atomic_store_explicit(&srv->metrics.store_up, up ? 1 : 0,
	    memory_order_relaxed);
	if (!up)
		s2o_log_err(S2O_LOG_WARN, event, &e);
	return up;
}

/* Readiness: a load balancer may send traffic. Not while draining, only
 * with signing keys loaded, and only while the store answers (a shared
 * store that is down would fail every login: better that the balancer
 * knows). The store's detail goes to the log, not to the caller. */
static int
handle_readyz(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	if (atomic_load(&c->r->srv->draining))
		return text(resp, 503, "not ready: shutting down\n", err);
	if (c->r->gen == NULL || c->r->gen->ks == NULL ||
	    s2o_token_keyset_active_kid(c->r->gen->ks) == NULL)
		return text(resp, 503, "not ready: no signing keys\n", err);
	if (!store_check(c->r->srv, "readyz"))
		return text(resp, 503, "not ready: store unavailable\n", err);
	return text(resp, 200, "ready\n", err);
}

static int
handle_metrics(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	struct s2o_http_server	*srv = c->r->srv;
	char			*md, *all;
	size_t			 mdlen;

	(void)store_check(srv, "metrics");	/* saml2oidc_store_up */
	resp->body = http_metrics_render(&srv->metrics,
	    atomic_load(&srv->generation), atomic_load(&srv->inflight),
	    &resp->len, err);
	if (resp->body == NULL)
		return -1;
	/* IdP metadata refreshes and certificate expiry (mdrefresh.c) */
	if ((md = http_md_metrics(srv, c->r->gen, &mdlen, err)) == NULL)
		return -1;
	if ((all = realloc(resp->body, resp->len + mdlen + 1)) == NULL) {
		free(md);
		return s2o_err_oom(err);
	}
	memcpy(all + resp->len, md, mdlen + 1);
	resp->body = all;
	resp->len += mdlen;
	free(md);
	resp->status = 200;
	resp->content_type = text_metrics;
	return 0;
}

static int
handle_discovery(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	return s2o_oidc_discovery(c->op, &c->req, resp, err);
}

static int
handle_jwks(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	return s2o_oidc_jwks(c->op, &c->req, resp, err);
}

/* The SP metadata an admin hands to each IdP, unsigned (the signed copy
 * is `saml2oidc metadata --signed`), computed once per generation. */
static int
handle_saml_metadata(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const struct http_gen	*g = c->r->gen;

	if ((resp->body = malloc(g->sp_metadata_len + 1)) == NULL)
		return s2o_err_oom(err);
	memcpy(resp->body, g->sp_metadata, g->sp_metadata_len + 1);
	resp->len = g->sp_metadata_len;
	resp->status = 200;
	resp->content_type = saml_metadata;
	resp->cache_control = S2O_OIDC_CACHE_PUBLIC;
	resp->cors_public = true;
	return 0;
}

static int
handle_authorize(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	return s2o_oidc_authorize(&c->env, &c->req, resp, err);
}

static int
handle_acs(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	return s2o_oidc_acs(&c->env, &c->req, resp, err);
}

static int
handle_token(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	return s2o_oidc_token(&c->env, &c->req, resp, err);
}

static int
handle_userinfo(struct http_call *c, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	return s2o_oidc_userinfo(&c->env, &c->req, resp, err);
}

static const struct http_route routes[] = {
	{ HTTP_ROUTE_DISCOVERY, "/.well-known/openid-configuration",
	    HTTP_M_GET, "GET, HEAD", S2O_HTTP_MAX_BODY, false, false,
	    handle_discovery },
	{ HTTP_ROUTE_JWKS, "/.well-known/jwks.json", HTTP_M_GET, "GET, HEAD",
	    S2O_HTTP_MAX_BODY, false, false, handle_jwks },
	{ HTTP_ROUTE_HEALTHZ, "/healthz", HTTP_M_GET, "GET, HEAD",
	    S2O_HTTP_MAX_BODY, false, false, handle_healthz },
	{ HTTP_ROUTE_READYZ, "/readyz", HTTP_M_GET, "GET, HEAD",
	    S2O_HTTP_MAX_BODY, false, false, handle_readyz },
	{ HTTP_ROUTE_METRICS, "/metrics", HTTP_M_GET, "GET, HEAD",
	    S2O_HTTP_MAX_BODY, false, false, handle_metrics },
	{ HTTP_ROUTE_SAML_METADATA, "/saml/metadata", HTTP_M_GET, "GET, HEAD",
	    S2O_HTTP_MAX_BODY, false, false, handle_saml_metadata },
	{ HTTP_ROUTE_AUTHORIZE, "/authorize", HTTP_M_GET | HTTP_M_POST,
	    "GET, HEAD, POST", S2O_HTTP_MAX_BODY, true, true,
	    handle_authorize },
	{ HTTP_ROUTE_ACS, "/saml/acs", HTTP_M_POST, "POST",
	    S2O_HTTP_MAX_BODY_ACS, false, true, handle_acs },
	{ HTTP_ROUTE_TOKEN, "/token", HTTP_M_POST, "POST",
	    S2O_HTTP_MAX_BODY, false, true, handle_token },
	{ HTTP_ROUTE_USERINFO, "/userinfo", HTTP_M_GET | HTTP_M_POST,
	    "GET, HEAD, POST", S2O_HTTP_MAX_BODY, false, true,
	    handle_userinfo },
};

const struct http_route *
http_route_find(const char *path)
{
	size_t	i;

	/* exact paths only: no prefix, no trailing-slash or case folding */
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, path) == 0)
			return &routes[i];
	/* but /saml/acs/{connection}, a connection's own ACS URL */
	if (http_acs_connection(path) != NULL)
		for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
			if (routes[i].id == HTTP_ROUTE_ACS)
				return &routes[i];
	return NULL;
}

const char *
http_acs_connection(const char *path)
{
	const char	*name;
	size_t		 n;

	if (strncmp(path, "/saml/acs/", 10) != 0)
		return NULL;
	name = path + 10;
	n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-");
	/* a connection name's alphabet (config/), bounded */
	if (n == 0 || n > HTTP_MAX_CONN_NAME || name[n] != '\0')
		return NULL;
	return name;
}
