/* SPDX-License-Identifier: MIT */
/*
 * policy/: the central rules applied to a mapped profile before any code
 * or token is issued (docs/policies.md): client address ranges, a verified
 * email, group membership and multi-factor authentication. config/ keeps
 * each level's `policies` object as plain strings; this folder compiles
 * them (CIDR ranges parsed once) and checks a login against them.
 */
#ifndef S2O_POLICY_H
#define S2O_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/core.h"

/* jansson's json_t (typedef struct json_t json_t), without jansson.h */
struct json_t;

/* ---- ipset.c ---------------------------------------------------------- */

/*
 * A set of CIDR ranges, IPv4 and IPv6. IPv4 ranges and addresses are held
 * as IPv4-mapped IPv6 (::ffff:0:0/96), so an address such as
 * ::ffff:203.0.113.7 matches the range 203.0.113.0/24.
 */
struct s2o_policy_ipset;

/* An empty set. Caller frees with s2o_policy_ipset_free(). NULL with
 * S2O_R_INTERNAL. */
struct s2o_policy_ipset *s2o_policy_ipset_new(struct s2o_err *err);
void		 s2o_policy_ipset_free(struct s2o_policy_ipset *set);
/*
 * Adds cidr: "ADDR/PREFIX" or a bare address (a single host). The prefix
 * is decimal, at most 32 for IPv4 and 128 for IPv6, and no bit of the
 * address may be set past it ("10.1.0.0/8" is refused: write
 * "10.0.0.0/8"). Returns 0, or -1 with S2O_R_CONFIG_INVALID naming cidr,
 * or S2O_R_INTERNAL.
 */
int		 s2o_policy_ipset_add(struct s2o_policy_ipset *set,
		    const char *cidr, struct s2o_err *err);
/* True when addr (an IPv4 or IPv6 address) is in one of the ranges;
 * false for a string that is not an address. */
bool		 s2o_policy_ipset_contains(const struct s2o_policy_ipset *set,
		    const char *addr);
/* The range addr is in, as written when added, or NULL. Borrowed. */
const char	*s2o_policy_ipset_match(const struct s2o_policy_ipset *set,
		    const char *addr);
/* True when s is an IPv4 or IPv6 address (inet_pton). */
bool		 s2o_policy_ip_valid(const char *s);

/* ---- policy.c --------------------------------------------------------- */

/*
 * The policies that apply to one login: one compiled level per
 * configuration level that has a `policies` object (top level,
 * connection, client). Every level is checked on its own and all must
 * pass: deny lists add up, allow lists and group lists must each be
 * satisfied (docs/policies.md).
 */
struct s2o_policy_set;

/* An empty set (allows everything). Caller frees with
 * s2o_policy_set_free(). NULL with S2O_R_INTERNAL. */
struct s2o_policy_set *s2o_policy_set_new(struct s2o_err *err);
void		 s2o_policy_set_free(struct s2o_policy_set *set);
/*
 * Compiles one level's policies into set; scope names the level in
 * details ("client \"demo-app\"", "top level"). p may be NULL or not
 * present (nothing added). Returns 0, or -1 with S2O_R_CONFIG_INVALID (a
 * bad CIDR range) or S2O_R_INTERNAL.
 */
int		 s2o_policy_set_add(struct s2o_policy_set *set,
		    const struct s2o_config_policies *p, const char *scope,
		    struct s2o_err *err);
/*
 * The set for a login through connection conn (may be NULL) for the
 * client client (may be NULL): the top level's, the connection's and the
 * client's policies, in that order. Caller frees; NULL with err set as
 * s2o_policy_set_add.
 */
struct s2o_policy_set *s2o_policy_set_for(const struct s2o_config *cfg,
		    const struct s2o_connection *conn,
		    const struct s2o_client *client, struct s2o_err *err);

/*
 * Every policy level of one configuration (top level, each connection,
 * each client, each API), compiled once so that a request parses nothing:
 * made with the provider, per configuration generation.
 */
struct s2o_policy_book;

/* Compiles cfg's levels; cfg is borrowed and must outlive the book.
 * Caller frees with s2o_policy_book_free(). NULL with err set as
 * s2o_policy_set_add. */
struct s2o_policy_book *s2o_policy_book_new(const struct s2o_config *cfg,
		    struct s2o_err *err);
void		 s2o_policy_book_free(struct s2o_policy_book *b);
/*
 * The set for a login, as s2o_policy_set_for() followed by the API's
 * level (api may be NULL), with the same levels, order and details, but
 * borrowing the book's compiled levels: the set must not outlive b. A
 * connection, client or API that is not one of the book's configuration
 * is compiled on the spot. Caller frees with s2o_policy_set_free(); NULL
 * with err.
 */
struct s2o_policy_set *s2o_policy_book_set(const struct s2o_policy_book *b,
		    const struct s2o_connection *conn,
		    const struct s2o_client *client,
		    const struct s2o_config_api *api, struct s2o_err *err);

/*
 * The AuthnContextClassRefs to request when some level requires MFA: the
 * classes of the first such level that every other such level accepts
 * too, in its order. Returns 0 with *classes NULL when no level requires
 * MFA (or no class satisfies them all: asking the IdP for none is then
 * the honest request, and the check refuses what comes back), or with
 * *classes a NULL-terminated array the caller frees with free() (the
 * strings are borrowed from the set's configuration). -1 with
 * S2O_R_INTERNAL when out of memory.
 */
int		 s2o_policy_set_mfa_classes(const struct s2o_policy_set *set,
		    const char ***classes, struct s2o_err *err);

/* The built-in multi-factor AuthnContextClassRefs, NULL-terminated. */
extern const char *const s2o_policy_mfa_classes[];

/*
 * Checks one login: client_ip (NULL when unknown), profile (the mapped
 * profile: a jansson object, s2o_map_result.profile; NULL is an empty
 * one; borrowed for the call and only read) and authn_context (the
 * AuthnContextClassRef, NULL when absent). Returns 0
 * when every level allows it, or -1 with S2O_R_POLICY_DENIED and a detail
 * "RULE: why (policies of SCOPE)" for the first rule that fails; levels in
 * the order added, rules in the order deny_ip_ranges, allow_ip_ranges,
 * require_email_verified, allowed_groups, require_mfa. An unknown client
 * address never matches a deny list and always fails an allow list.
 * S2O_R_MALFORMED when profile is not a JSON object.
 */
int		 s2o_policy_check(const struct s2o_policy_set *set,
		    const char *client_ip, const struct json_t *profile,
		    const char *authn_context, struct s2o_err *err);

/* ---- org.c ------------------------------------------------------------ */

/* One login, for the organization and RBAC rules. Borrowed for the call. */
struct s2o_policy_login {
	const struct s2o_config		*cfg;
	const struct s2o_connection	*conn;
	const struct s2o_client		*client;	/* or NULL */
	const struct json_t *profile;	/* the mapped profile (an object,
					   s2o_map_result.profile; NULL is
					   empty), only read */
	const char	*roles_claim;	/* s2o_map_roles_claim(), or NULL */
	const char	*organization;	/* required organization (id or
					   name), or NULL */
	const char	*audience;	/* an API's identifier, or NULL */
	const char	*scope;		/* requested scopes, or NULL */
};

/*
 * What a login is granted. Caller-allocated: s2o_policy_grant_init /
 * s2o_policy_grant_cleanup (idempotent). The claim objects (jansson
 * objects, one reference each) and the scope are owned by the grant and
 * released by the cleanup; a caller keeps an object past it with
 * json_incref(). The two objects share their values (the roles array):
 * read them, never change them in place.
 */
struct s2o_policy_grant {
	const struct s2o_config_org	*org;	/* the membership, or NULL */
	const struct s2o_config_api	*api;	/* the audience, or NULL */
	struct json_t	*id_claims;	/* object: org_id, org_name,
					   metadata claims, the roles claim
					   (in this order) */
	struct json_t	*access_claims;	/* the same, then permissions */
	char		*scope;		/* the access token's scope, or
					   NULL */
};

void		 s2o_policy_grant_init(struct s2o_policy_grant *g);
void		 s2o_policy_grant_cleanup(struct s2o_policy_grant *g);

/*
 * Applies the organization and audience rules to one login and computes
 * its grant (docs/organizations.md). The membership is the connection's
 * organization, or the configured organization (by id or name) that the
 * connection's organization_claim names in the profile. Then, in order:
 * the required organization must be the membership; a client pinned to
 * organizations admits their members only; require_organization admits
 * members only; an audience restricted by allowed_organizations or by
 * any level's audience_for_organization admits those organizations'
 * members only. The roles are the profile's `roles` then the
 * organization's default_roles; permissions are their union at an RBAC
 * API, in the API's order; scope keeps OpenID Connect's scopes and, of
 * an API's, those the roles grant (RBAC) or the API defines. Returns 0
 * with out filled, or -1 with S2O_R_POLICY_DENIED (detail "RULE: why",
 * naming the organizations), S2O_R_MALFORMED (profile not an object) or
 * S2O_R_INTERNAL.
 */
int		 s2o_policy_grant(const struct s2o_policy_login *in,
		    struct s2o_policy_grant *out, struct s2o_err *err);

/*
 * Checks requested scopes: every word must be an OpenID Connect scope the
 * bridge answers (openid, profile, email) or a permission of api (which
 * may be NULL). phone, address and offline_access, which OpenID Connect
 * defines and the bridge does not serve, pass and are never granted.
 * Returns 0, or -1 with S2O_R_MALFORMED naming the word.
 */
int		 s2o_policy_scope_check(const struct s2o_config_api *api,
		    const char *scope, struct s2o_err *err);

#endif
