/* SPDX-License-Identifier: MIT */
/*
 * Compiling each level's `policies` and checking one login against them.
 * Levels are independent: each is checked on its own and every one must
 * pass, so a connection or a client can only narrow what the top level
 * allows, never widen it (docs/policies.md). The profile is the mapped
 * JSON object of map/; jansson stays inside this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"

#define SCOPE_MAX	96	/* bytes of a level's name in details */
#define SHOWN_MAX	80	/* bytes of a value quoted in a detail */

const char *const s2o_policy_mfa_classes[] = {
	/* ADFS and Entra ID */
	"http://schemas.microsoft.com/claims/multipleauthn",
	/* SAML 2.0 Authentication Context (saml-authn-context-2.0-os §3.4) */
	"urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
	"urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
	"urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
	"urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
	/* REFEDS MFA Profile */
	"https://refeds.org/profile/mfa",
	NULL
};

struct level {
	char			 scope[SCOPE_MAX];
	struct s2o_policy_ipset	*deny, *allow;	/* NULL when absent */
	bool			 require_email_verified;
	const char *const	*groups;	/* borrowed from the config */
	size_t			 ngroups;
	bool			 require_mfa;
	const char *const	*mfa;		/* NULL-terminated */
	size_t			 nmfa;
	bool			 borrowed;	/* ipsets owned by a book */
};

struct s2o_policy_set {
	struct level	*v;
	size_t		 n;
};

struct s2o_policy_set *
s2o_policy_set_new(struct s2o_err *err)
{
	struct s2o_policy_set	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		s2o_err_oom(err);
	return set;
}

void
s2o_policy_set_free(struct s2o_policy_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		if (set->v[i].borrowed)
			continue;
		s2o_policy_ipset_free(set->v[i].deny);
		s2o_policy_ipset_free(set->v[i].allow);
	}
	free(set->v);
	free(set);
}

static struct s2o_policy_ipset *
ipset_compile(char *const *ranges, size_t n, const char *rule,
    const char *scope, struct s2o_err *err)
{
	struct s2o_policy_ipset	*ip;
	struct s2o_err		 e;
	size_t			 i;

	if ((ip = s2o_policy_ipset_new(err)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s2o_err_clear(&e);
		if (s2o_policy_ipset_add(ip, ranges[i], &e) == -1) {
			s2o_err_set(err, e.reason, "%s: %s (policies of %s)",
			    rule, e.detail, scope);
			s2o_policy_ipset_free(ip);
			return NULL;
		}
	}
	return ip;
}

int
s2o_policy_set_add(struct s2o_policy_set *set,
    const struct s2o_config_policies *p, const char *scope,
    struct s2o_err *err)
{
	struct level	*nv, *lv;

	if (p == NULL || !p->present)
		return 0;
	if ((nv = reallocarray(set->v, set->n + 1, sizeof(*nv))) == NULL)
		return s2o_err_oom(err);
	set->v = nv;
	lv = &set->v[set->n];
	memset(lv, 0, sizeof(*lv));
	s2o_str_excerpt(lv->scope, sizeof(lv->scope), scope, SCOPE_MAX - 8);
	if (p->deny_ip_ranges != NULL && (lv->deny = ipset_compile(
	    p->deny_ip_ranges, p->ndeny_ip_ranges, "deny_ip_ranges",
	    lv->scope, err)) == NULL)
		return -1;
	if (p->allow_ip_ranges != NULL && (lv->allow = ipset_compile(
	    p->allow_ip_ranges, p->nallow_ip_ranges, "allow_ip_ranges",
	    lv->scope, err)) == NULL) {
		s2o_policy_ipset_free(lv->deny);
		return -1;
	}
	lv->require_email_verified = p->require_email_verified;
	lv->groups = (const char *const *)p->allowed_groups;
	lv->ngroups = p->allowed_groups != NULL ? p->nallowed_groups : 0;
	if (p->allowed_groups != NULL && lv->ngroups == 0)
		lv->groups = NULL;
	lv->require_mfa = p->require_mfa;
	if (p->mfa_classes != NULL) {
		lv->mfa = (const char *const *)p->mfa_classes;
		lv->nmfa = p->nmfa_classes;
	} else {
		lv->mfa = s2o_policy_mfa_classes;
		for (lv->nmfa = 0; s2o_policy_mfa_classes[lv->nmfa] != NULL;
		    lv->nmfa++)
			;
	}
	set->n++;
	return 0;
}

struct s2o_policy_set *
s2o_policy_set_for(const struct s2o_config *cfg,
    const struct s2o_connection *conn, const struct s2o_client *client,
    struct s2o_err *err)
{
	struct s2o_policy_set	*set;
	char			 scope[SCOPE_MAX];

	if ((set = s2o_policy_set_new(err)) == NULL)
		return NULL;
	if (s2o_policy_set_add(set, &cfg->policies, "the top level", err) ==
	    -1)
		goto fail;
	if (conn != NULL) {
		snprintf(scope, sizeof(scope), "connection \"%s\"", conn->name);
		if (s2o_policy_set_add(set, &conn->policies, scope, err) == -1)
			goto fail;
	}
	if (client != NULL) {
		snprintf(scope, sizeof(scope), "client \"%s\"",
		    client->client_id);
		if (s2o_policy_set_add(set, &client->policies, scope, err) ==
		    -1)
			goto fail;
	}
	return set;
fail:
	s2o_policy_set_free(set);
	return NULL;
}

/* ---- books: every level of one configuration, compiled once ---------- */

struct s2o_policy_book {
	const struct s2o_config	*cfg;		/* borrowed */
	struct s2o_policy_set	*top;
	struct s2o_policy_set	**conns;	/* per connection */
	struct s2o_policy_set	**clients;	/* per client */
	struct s2o_policy_set	**apis;		/* per API */
};

void
s2o_policy_book_free(struct s2o_policy_book *b)
{
	size_t	i;

	if (b == NULL)
		return;
	s2o_policy_set_free(b->top);
	for (i = 0; b->conns != NULL && i < b->cfg->nconnections; i++)
		s2o_policy_set_free(b->conns[i]);
	for (i = 0; b->clients != NULL && i < b->cfg->nclients; i++)
		s2o_policy_set_free(b->clients[i]);
	for (i = 0; b->apis != NULL && i < b->cfg->napis; i++)
		s2o_policy_set_free(b->apis[i]);
	free(b->conns);
	free(b->clients);
	free(b->apis);
	free(b);
}

/* One level alone in a new set; NULL with err. */
static struct s2o_policy_set *
level_compile(const struct s2o_config_policies *p, const char *scope,
    struct s2o_err *err)
{
	struct s2o_policy_set	*set;

	if ((set = s2o_policy_set_new(err)) == NULL)
		return NULL;
	if (s2o_policy_set_add(set, p, scope, err) == -1) {
		s2o_policy_set_free(set);
		return NULL;
	}
	return set;
}

static struct s2o_policy_set **
levels_new(size_t n, struct s2o_err *err)
{
	struct s2o_policy_set	**v;

	if ((v = calloc(n > 0 ? n : 1, sizeof(*v))) == NULL)
		s2o_err_oom(err);
	return v;
}

struct s2o_policy_book *
s2o_policy_book_new(const struct s2o_config *cfg, struct s2o_err *err)
{
	struct s2o_policy_book	*b;
	char			 scope[SCOPE_MAX];
	size_t			 i;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	b->cfg = cfg;
	if ((b->conns = levels_new(cfg->nconnections, err)) == NULL ||
	    (b->clients = levels_new(cfg->nclients, err)) == NULL ||
	    (b->apis = levels_new(cfg->napis, err)) == NULL ||
	    (b->top = level_compile(&cfg->policies, "the top level",
	    err)) == NULL)
		goto fail;
	for (i = 0; i < cfg->nconnections; i++) {
		snprintf(scope, sizeof(scope), "connection \"%s\"",
		    cfg->connections[i].name);
		if ((b->conns[i] = level_compile(&cfg->connections[i].policies,
		    scope, err)) == NULL)
			goto fail;
	}
	for (i = 0; i < cfg->nclients; i++) {
		snprintf(scope, sizeof(scope), "client \"%s\"",
		    cfg->clients[i].client_id);
		if ((b->clients[i] = level_compile(&cfg->clients[i].policies,
		    scope, err)) == NULL)
			goto fail;
	}
	for (i = 0; i < cfg->napis; i++) {
		/* as the ACS and /authorize named it: 160 bytes, then cut */
		char	api_scope[160];

		snprintf(api_scope, sizeof(api_scope), "API \"%s\"",
		    cfg->apis[i].identifier);
		if ((b->apis[i] = level_compile(&cfg->apis[i].policies,
		    api_scope, err)) == NULL)
			goto fail;
	}
	return b;
fail:
	s2o_policy_book_free(b);
	return NULL;
}

/* Appends src's levels to dst, borrowing their ranges. */
static int
set_borrow(struct s2o_policy_set *dst, const struct s2o_policy_set *src,
    struct s2o_err *err)
{
	struct level	*nv;
	size_t		 i;

	if (src->n == 0)
		return 0;
	if ((nv = reallocarray(dst->v, dst->n + src->n, sizeof(*nv))) == NULL)
		return s2o_err_oom(err);
	dst->v = nv;
	for (i = 0; i < src->n; i++) {
		dst->v[dst->n] = src->v[i];
		dst->v[dst->n].borrowed = true;
		dst->n++;
	}
	return 0;
}

/* The index of elem in the array base[n], or n when it is not one of
 * them (a caller's own copy). */
#define BOOK_INDEX(base, n, elem) \
	((elem) >= (base) && (elem) < (base) + (n) ? \
	(size_t)((elem) - (base)) : (n))

struct s2o_policy_set *
s2o_policy_book_set(const struct s2o_policy_book *b,
    const struct s2o_connection *conn, const struct s2o_client *client,
    const struct s2o_config_api *api, struct s2o_err *err)
{
	const struct s2o_config	*cfg = b->cfg;
	struct s2o_policy_set	*set;
	size_t			 i;
	char			 scope[160];

	if ((set = s2o_policy_set_new(err)) == NULL)
		return NULL;
	if (set_borrow(set, b->top, err) == -1)
		goto fail;
	if (conn != NULL) {
		i = BOOK_INDEX(cfg->connections, cfg->nconnections, conn);
		if ((i < cfg->nconnections ? set_borrow(set, b->conns[i], err) :
		    (snprintf(scope, sizeof(scope), "connection \"%s\"",
		    conn->name), s2o_policy_set_add(set, &conn->policies,
		    scope, err))) == -1)
			goto fail;
	}
	if (client != NULL) {
		i = BOOK_INDEX(cfg->clients, cfg->nclients, client);
		if ((i < cfg->nclients ? set_borrow(set, b->clients[i], err) :
		    (snprintf(scope, sizeof(scope), "client \"%s\"",
		    client->client_id), s2o_policy_set_add(set,
		    &client->policies, scope, err))) == -1)
			goto fail;
	}
	if (api != NULL) {
		i = BOOK_INDEX(cfg->apis, cfg->napis, api);
		if ((i < cfg->napis ? set_borrow(set, b->apis[i], err) :
		    (snprintf(scope, sizeof(scope), "API \"%s\"",
		    api->identifier), s2o_policy_set_add(set, &api->policies,
		    scope, err))) == -1)
			goto fail;
	}
	return set;
fail:
	s2o_policy_set_free(set);
	return NULL;
}

static int
deny(struct s2o_err *err, const struct level *lv, const char *rule,
    const char *why)
{
	return s2o_err_set(err, S2O_R_POLICY_DENIED, "%s: %s (policies of %s)",
	    rule, why, lv->scope);
}

static int
check_ip(const struct level *lv, const char *ip, char *why, size_t size,
    struct s2o_err *err)
{
	const char	*hit;
	char		 shown[SHOWN_MAX + 8];

	/* an unknown address matches no deny range: there is nothing to
	 * deny by; it can never satisfy an allow list (fail closed) */
	if (lv->deny != NULL && ip != NULL &&
	    (hit = s2o_policy_ipset_match(lv->deny, ip)) != NULL) {
		snprintf(why, size, "%s is in %s", s2o_str_excerpt(shown,
		    sizeof(shown), ip, SHOWN_MAX), hit);
		return deny(err, lv, "deny_ip_ranges", why);
	}
	if (lv->allow == NULL)
		return 0;
	if (ip == NULL)
		return deny(err, lv, "allow_ip_ranges", "the client address "
		    "is unknown");
	if (!s2o_policy_ipset_contains(lv->allow, ip)) {
		snprintf(why, size, "%s is in none of the allowed ranges",
		    s2o_str_excerpt(shown, sizeof(shown), ip, SHOWN_MAX));
		return deny(err, lv, "allow_ip_ranges", why);
	}
	return 0;
}

static int
check_email_verified(const struct level *lv, const json_t *profile, char *why,
    size_t size, struct s2o_err *err)
{
	json_t	*v = json_object_get(profile, "email_verified");
	char	 shown[SHOWN_MAX + 8];

	if (!lv->require_email_verified || json_is_true(v))
		return 0;
	/* some IdPs send the attribute as the string "true" */
	if (json_is_string(v) && strcmp(json_string_value(v), "true") == 0)
		return 0;
	if (v == NULL)
		s2o_strlcpy(why, "email_verified is absent", size);
	else if (json_is_false(v))
		s2o_strlcpy(why, "email_verified is false", size);
	else if (json_is_string(v))
		snprintf(why, size, "email_verified is \"%s\", not true",
		    s2o_str_excerpt(shown, sizeof(shown),
		    json_string_value(v), SHOWN_MAX));
	else
		s2o_strlcpy(why, "email_verified is not true", size);
	return deny(err, lv, "require_email_verified", why);
}

static bool
group_allowed(const struct level *lv, const char *g)
{
	size_t	i;

	for (i = 0; i < lv->ngroups; i++)
		if (strcmp(lv->groups[i], g) == 0)
			return true;
	return false;
}

static int
check_groups(const struct level *lv, const json_t *profile,
    struct s2o_err *err)
{
	json_t	*v = json_object_get(profile, "groups"), *g;
	size_t	 i;

	if (lv->groups == NULL)
		return 0;
	if (json_is_string(v) && group_allowed(lv, json_string_value(v)))
		return 0;
	json_array_foreach(v, i, g)
		if (json_is_string(g) && group_allowed(lv, json_string_value(g)))
			return 0;
	if (json_array_size(v) == 0 && !json_is_string(v))
		return deny(err, lv, "allowed_groups", "the user has no groups");
	return deny(err, lv, "allowed_groups", "none of the user's groups is "
	    "allowed");
}

static int
check_mfa(const struct level *lv, const char *ac, char *why, size_t size,
    struct s2o_err *err)
{
	char	shown[SHOWN_MAX + 8];
	size_t	i;

	if (!lv->require_mfa)
		return 0;
	if (ac == NULL)
		return deny(err, lv, "require_mfa", "the assertion has no "
		    "AuthnContextClassRef");
	for (i = 0; i < lv->nmfa; i++)
		if (strcmp(lv->mfa[i], ac) == 0)
			return 0;
	snprintf(why, size, "AuthnContextClassRef \"%s\" is not a "
	    "multi-factor class", s2o_str_excerpt(shown, sizeof(shown), ac,
	    SHOWN_MAX));
	return deny(err, lv, "require_mfa", why);
}

int
s2o_policy_check(const struct s2o_policy_set *set, const char *client_ip,
    const json_t *profile, const char *authn_context, struct s2o_err *err)
{
	char		 why[S2O_ERR_MAX_DETAIL];
	size_t		 i;
	int		 rc = 0;

	if (set == NULL || set->n == 0)
		return 0;
	/* NULL reads as an empty profile: json_object_get() finds
	 * nothing in it */
	if (profile != NULL && !json_is_object(profile))
		return s2o_err_set(err, S2O_R_MALFORMED, "the mapped profile "
		    "is not a JSON object");
	for (i = 0; rc == 0 && i < set->n; i++) {
		const struct level *lv = &set->v[i];

		if (check_ip(lv, client_ip, why, sizeof(why), err) == -1 ||
		    check_email_verified(lv, profile, why, sizeof(why),
		    err) == -1 || check_groups(lv, profile, err) == -1 ||
		    check_mfa(lv, authn_context, why, sizeof(why), err) == -1)
			rc = -1;
	}
	return rc;
}

/* True when lv accepts class c as multi-factor. */
static bool
mfa_accepts(const struct level *lv, const char *c)
{
	size_t	i;

	for (i = 0; i < lv->nmfa; i++)
		if (strcmp(lv->mfa[i], c) == 0)
			return true;
	return false;
}

int
s2o_policy_set_mfa_classes(const struct s2o_policy_set *set,
    const char ***classes, struct s2o_err *err)
{
	const struct level	*first = NULL;
	const char		**out;
	size_t			  i, j, n = 0;

	*classes = NULL;
	for (i = 0; i < set->n && first == NULL; i++)
		if (set->v[i].require_mfa)
			first = &set->v[i];
	if (first == NULL)
		return 0;
	if ((out = calloc(first->nmfa + 1, sizeof(*out))) == NULL)
		return s2o_err_oom(err);
	for (i = 0; i < first->nmfa; i++) {
		for (j = 0; j < set->n; j++)
			if (set->v[j].require_mfa &&
			    !mfa_accepts(&set->v[j], first->mfa[i]))
				break;
		if (j == set->n)
			out[n++] = first->mfa[i];
	}
	if (n == 0) {
		free(out);
		return 0;
	}
	*classes = out;
	return 0;
}
