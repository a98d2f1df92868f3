/* SPDX-License-Identifier: MIT */
/*
 * Private to oidc/: the provider's fields and the builders that fill them.
 */
#ifndef S2O_OIDC_INT_H
#define S2O_OIDC_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>

#include "map/map.h"
#include "oidc/oidc.h"
#include "policy/policy.h"
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
	/* every level's policies, compiled once */
	struct s2o_policy_book	*policies;
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

/* ---- acs.c: what a login is, whichever way it started --------------- */

/* The client's side of a code: its authorization request. Borrowed. */
struct oidc_grant {
	const char	*client_id, *scope, *redirect_uri;
	const char	*code_challenge;	/* NULL or "": no PKCE */
	const char	*nonce, *state;
	bool		 form_post;
};

/* The user's side: who logged in, through which connection. Borrowed. */
struct oidc_who {
	const char	*sub;
	json_t		*claims;	/* the mapped ID token claims */
	json_t		*access_claims;	/* mapped to the access token */
	json_t		*userinfo;	/* mapped to userinfo */
	json_int_t	 auth_time;
	const char	*acr, *sid;	/* or NULL */
	const char	*connection;
};

/* A Response verified and mapped (oidc_verify). */
struct oidc_verified {
	const struct s2o_connection	*conn;
	struct s2o_assertion		*a;
	struct s2o_map_result		 mr;	/* its claim objects go on by
						   reference, never as text */
	struct oidc_who			 who;	/* points into the above */
};

/*
 * The SAML pipeline for one posted Response: parse, its connection by
 * issuer (which must be want_conn when given), verify and validate
 * against acs_url (Destination, Recipient) with InResponseTo
 * in_response_to (NULL with idp_initiated: no request pending, the
 * connection must allow IdP-initiated logins and any InResponseTo is
 * refused), the replay cache, then the connection's mappings. 0 with v
 * filled (oidc_verified_cleanup()), or -1 with why (a rejection, or
 * S2O_R_INTERNAL / S2O_R_STORE_UNAVAILABLE for the server's failure).
 */
int		 oidc_verify(const struct s2o_oidc_env *env, const char *saml,
		    const char *want_conn, const char *acs_url,
		    const char *in_response_to, bool idp_initiated,
		    struct oidc_verified *v, struct s2o_err *why);
/* Frees what v owns; v->conn (borrowed) is kept. */
void		 oidc_verified_cleanup(struct oidc_verified *v);
/* What decides whether a login is let through, and what it is granted. */
struct oidc_admission {
	const struct s2o_connection	*conn;
	const struct s2o_client		*client;
	const char	*client_ip;	/* or NULL */
	const json_t	*profile;	/* the mapped profile (an object),
					   borrowed, only read */
	const char	*acr;		/* or NULL */
	const char	*organization, *audience, *scope;	/* or NULL */
};

/*
 * The policies of the top level, in->conn, in->client and the audience's
 * API, with the client's address; then, when out is not NULL, the
 * organization and RBAC grant (policy/, docs/organizations.md) into out
 * (s2o_policy_grant_init() first). 0, or -1 with why
 * (S2O_R_POLICY_DENIED naming the rule, S2O_R_INTERNAL).
 */
int		 oidc_admit(const struct s2o_oidc_env *env,
		    const struct oidc_admission *in,
		    struct s2o_policy_grant *out, struct s2o_err *why);
/*
 * Stores a one-time code for g, w and the grant pg (its scope replaces
 * g's; its audience and claims go to the tokens) for code_ttl and fills
 * resp with the
 * answer to the client: 302 to redirect_uri?code=...&state=... or the
 * form_post page. 0, or -1 with err.
 */
int		 oidc_code_answer(const struct s2o_oidc_env *env,
		    const struct oidc_grant *g, const struct oidc_who *w,
		    const struct s2o_policy_grant *pg,
		    struct s2o_oidc_response *resp, struct s2o_err *err);
/* The refusal page (reason, the rule of a policy denial, correlation
 * id), the detail logged under the event where. 0, or -1 on OOM. */
int		 oidc_rejected(struct s2o_oidc_response *resp,
		    const struct s2o_oidc_request *req, const char *where,
		    const struct s2o_err *why, struct s2o_err *err);
/* A string member of o; "" when absent. Borrowed. */
const char	*oidc_jstr(json_t *o, const char *k);

/* ---- session.c: IdP-initiated logins and the bridge session ---------- */

/*
 * An unsolicited Response posted to acs_url (relay: the IdP's RelayState,
 * a hint at most): verified, mapped and checked against the policies of
 * the connection's default client, it establishes a bridge session
 * (cookie, state in the store for session_ttl) and sends the browser to
 * that client's initiate_login_uri (OIDC Core §4). Never a code. 0 with
 * resp (302, or the refusal page), -1 with err for the server's failure.
 */
int		 oidc_idp_initiated(const struct s2o_oidc_env *env,
		    const struct s2o_oidc_request *req, const char *saml,
		    const char *acs_url, const char *relay,
		    struct s2o_oidc_response *resp, struct s2o_err *err);
/* The bridge session of req's cookie: 0 with *session (caller decrefs)
 * or NULL when there is none (no cookie, unknown, expired); -1 with err
 * when the store cannot answer. */
int		 oidc_session_get(const struct s2o_oidc_env *env,
		    const struct s2o_oidc_request *req, json_t **session,
		    struct s2o_err *err);
/*
 * Answers a checked authorization request from a bridge session: when
 * the session's connection is a->conn and the policies of a->client pass
 * for it (with the client's address now), a code as the ACS would issue
 * it. 0 answered, 1 not answered (the caller goes to the IdP), -1 err.
 */
int		 oidc_session_answer(const struct s2o_oidc_env *env,
		    const struct s2o_oidc_request *req,
		    const struct s2o_oidc_authz *a, json_t *session,
		    struct s2o_oidc_response *resp, struct s2o_err *err);

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
