/* SPDX-License-Identifier: MIT */
/*
 * Private to oidc/: the provider's fields and the builders that fill them.
 */
#ifndef S2O_OIDC_INT_H
#define S2O_OIDC_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "map/map.h"
#include "oidc/oidc.h"
#include "saml/saml.h"

/* A public key that checks the bridge's own tokens (userinfo.c). */
struct oidc_vkey {
	const char	*kid;		/* borrowed from cfg */
	const char	*alg;
	void		*pkey;		/* EVP_PKEY */
};

struct s2o_oidc_provider {
	const struct s2o_config	*cfg;		/* borrowed */
	const struct s2o_keyset	*ks;		/* borrowed */
	char			*discovery;	/* compact JSON */
	size_t			 discovery_len;
	char			*jwks;		/* s2o_token_jwks_json() */
	size_t			 jwks_len;
	struct oidc_vkey	*vkeys;		/* one per signing key */
	size_t			 nvkeys;
	/* per connection, in configuration order: its IdP keys and its
	 * compiled mappings file, made once so no request opens a file.
	 * A metadata refresh swaps a connection's trust: read it only with
	 * oidc_trust_get(), under trust_lock */
	struct s2o_saml_trust	**trusts;
	struct s2o_mapping	**mappings;
	pthread_mutex_t		 trust_lock;	/* guards the trusts pointers */
	struct oidc_kick	*kicks;		/* per connection */
};

/* A refresh asked for by a Response signed with an unknown key. */
struct oidc_kick {
	atomic_bool		 wanted;
	atomic_llong		 last;		/* time_t of the last ask */
};

/* provider.c: a new reference to the trust of connection i (caller frees
 * with s2o_saml_trust_free()). */
struct s2o_saml_trust *oidc_trust_get(const struct s2o_oidc_provider *op,
		    size_t i);
/* Asks for a refresh of connection i's metadata, at most once per
 * S2O_METADATA_KICK_MIN seconds; true when this call asked. */
bool		 oidc_kick(const struct s2o_oidc_provider *op, size_t i,
		    time_t now);

/* provider.c: the index of conn in the configuration. */
size_t		 oidc_connection_index(const struct s2o_oidc_provider *op,
		    const struct s2o_connection *conn);

/* authorize.c: the Content-Security-Policy of a page whose form posts
 * itself with s2o_saml_post_script (allowed by its SHA-256). NULL with
 * err. */
char		*oidc_post_form_csp(struct s2o_err *err);

/* userinfo.c: parses every signing key's public half into op->vkeys. */
int		 oidc_vkeys_load(struct s2o_oidc_provider *op,
		    struct s2o_err *err);
void		 oidc_vkeys_free(struct s2o_oidc_provider *op);

/* discovery.c: fills op->discovery from op->cfg. */
int		 oidc_discovery_build(struct s2o_oidc_provider *op,
		    struct s2o_err *err);
/* response.c: a 200 response with a copy of text. */
int		 oidc_response_static(struct s2o_oidc_response *resp,
		    const char *text, size_t len, const char *content_type,
		    const char *cache_control, bool cors_public,
		    struct s2o_err *err);

#endif
