/* SPDX-License-Identifier: MIT */
/*
 * The OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) and the
 * JWK Set endpoint. Both documents are computed once per provider; a
 * request only copies them.
 *
 * What the metadata promises is what the bridge does: the authorization
 * code flow only (OAuth 2.1 drops the implicit and hybrid flows), PKCE
 * with S256 only (RFC 7636 §4.2: "plain" adds nothing over no PKCE),
 * public subject identifiers, and the token signing algorithms of the
 * configured keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "oidc/oidc_int.h"

/* The claims a token may carry: the protocol claims the bridge sets, then
 * the profile fields of the default mapping (docs/mappings.md). A mappings
 * file can add others; Discovery §3 allows the list to be partial. */
static const char *const claims[] = {
	"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr",
	"amr", "sid", "azp", "at_hash", "name", "given_name", "family_name",
	"email", "groups", NULL
};

static json_t *
string_array(const char *const *v)
{
	json_t	*a;

	if ((a = json_array()) == NULL)
		return NULL;
	for (; *v != NULL; v++)
		if (json_array_append_new(a, json_string(*v)) == -1) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The algs of the configured keys, the active (signing) one first. */
static json_t *
signing_algs(const struct s2o_oidc_provider *op)
{
	const struct s2o_config	*cfg = op->cfg;
	const char		*alg;
	json_t			*a, *v;
	size_t			 i, j;
	bool			 seen;

	if ((a = json_array()) == NULL)
		return NULL;
	alg = s2o_token_keyset_active_alg(op->ks);
	if (alg != NULL && json_array_append_new(a, json_string(alg)) == -1)
		goto fail;
	for (i = 0; i < cfg->nsigning_keys; i++) {
		if ((alg = cfg->signing_keys[i].alg) == NULL)
			continue;
		seen = false;
		json_array_foreach(a, j, v)
			if (strcmp(json_string_value(v), alg) == 0)
				seen = true;
		if (!seen && json_array_append_new(a, json_string(alg)) == -1)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* issuer (without a trailing '/') + path, into a new JSON string. */
static json_t *
endpoint(const char *issuer, const char *path)
{
	size_t	 ilen = strlen(issuer), n;
	char	*s;
	json_t	*v;

	while (ilen > 0 && issuer[ilen - 1] == '/')
		ilen--;
	n = ilen + strlen(path) + 1;
	if ((s = malloc(n)) == NULL)
		return NULL;
	snprintf(s, n, "%.*s%s", (int)ilen, issuer, path);
	v = json_string(s);
	free(s);
	return v;
}

int
oidc_discovery_build(struct s2o_oidc_provider *op, struct s2o_err *err)
{
	static const char *const scopes[] = { "openid", "profile", "email",
	    NULL };
	static const char *const response_types[] = { "code", NULL };
	static const char *const response_modes[] = { "query", "form_post",
	    NULL };
	static const char *const grant_types[] = { "authorization_code",
	    NULL };
	static const char *const subject_types[] = { "public", NULL };
	static const char *const auth_methods[] = { "client_secret_basic",
	    "client_secret_post", "none", NULL };
	static const char *const pkce_methods[] = { "S256", NULL };
	const char	*iss = op->cfg->issuer;
	json_t		*o;

	/* json_pack's "o" steals each value and fails on a NULL one, so an
	 * allocation failure anywhere ends in o == NULL without a leak */
	o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	    " s:o, s:o, s:o, s:o}",
	    "issuer", iss,
	    "authorization_endpoint", endpoint(iss, "/authorize"),
	    "token_endpoint", endpoint(iss, "/token"),
	    "userinfo_endpoint", endpoint(iss, "/userinfo"),
	    "jwks_uri", endpoint(iss, "/.well-known/jwks.json"),
	    "scopes_supported", string_array(scopes),
	    "response_types_supported", string_array(response_types),
	    "response_modes_supported", string_array(response_modes),
	    "grant_types_supported", string_array(grant_types),
	    "subject_types_supported", string_array(subject_types),
	    "id_token_signing_alg_values_supported", signing_algs(op),
	    "token_endpoint_auth_methods_supported",
	    string_array(auth_methods),
	    "claims_supported", string_array(claims),
	    "code_challenge_methods_supported", string_array(pkce_methods));
	if (o != NULL)
		op->discovery = json_dumps(o, JSON_COMPACT |
		    JSON_PRESERVE_ORDER);
	json_decref(o);
	if (op->discovery == NULL)
		return s2o_err_oom(err);
	op->discovery_len = strlen(op->discovery);
	return 0;
}

const char *
s2o_oidc_discovery_json(const struct s2o_oidc_provider *op)
{
	return op->discovery;
}

int
s2o_oidc_discovery(const struct s2o_oidc_provider *op,
    const struct s2o_oidc_request *req, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	(void)req;
	return oidc_response_static(resp, op->discovery, op->discovery_len,
	    S2O_OIDC_JSON, S2O_OIDC_CACHE_PUBLIC, true, err);
}

int
s2o_oidc_jwks(const struct s2o_oidc_provider *op,
    const struct s2o_oidc_request *req, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	(void)req;
	return oidc_response_static(resp, op->jwks, op->jwks_len,
	    S2O_OIDC_JSON, S2O_OIDC_CACHE_PUBLIC, true, err);
}
