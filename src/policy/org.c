/* SPDX-License-Identifier: MIT */
/*
 * Organizations and RBAC for one login (docs/organizations.md): which
 * organization the user acts for, whether the client and the audience
 * accept that, which roles the user holds, what those roles allow at the
 * requested API, and the claims all this puts into the two tokens. Every
 * refusal is policy_denied with a detail naming the rule and the
 * organizations involved; config/ has checked every reference, so names
 * here always resolve. jansson stays inside this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"

#define SHOWN_MAX	80	/* bytes of a value quoted in a detail */

/*
 * The scopes of OpenID Connect the bridge answers: never an API's to
 * grant.
 */
static const char *const oidc_scopes[] = { "openid", "profile", "email",
    NULL };

/*
 * Scopes OpenID Connect defines that the bridge understands and does not
 * serve: phone and address (OIDC Core §5.4; no mapping yields those
 * claims) and offline_access (§11: a refresh token, which the bridge
 * does not issue). Core §3.1.2.1 and §11 say such requests are ignored,
 * and common client libraries send them by default, so they pass the
 * check and are left out of every granted scope, never refused.
 */
static const char *const ignored_scopes[] = { "phone", "address",
    "offline_access", NULL };

static bool
listed(char *const *v, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool
in_list(const char *const *list, const char *w, size_t n)
{
	size_t	i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && strncmp(list[i], w, n) == 0)
			return true;
	return false;
}

static bool
is_oidc_scope(const char *w, size_t n)
{
	return in_list(oidc_scopes, w, n);
}

/* True when the API defines the permission w (n bytes). */
static bool
api_defines(const struct s2o_config_api *api, const char *w, size_t n)
{
	size_t	i;

	for (i = 0; api != NULL && i < api->npermissions; i++)
		if (strlen(api->permissions[i]) == n &&
		    strncmp(api->permissions[i], w, n) == 0)
			return true;
	return false;
}

int
s2o_policy_scope_check(const struct s2o_config_api *api, const char *scope,
    struct s2o_err *err)
{
	const char	*p = scope, *w;
	char		 word[SHOWN_MAX + 8], shown[SHOWN_MAX + 8];
	size_t		 n;

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		w = p;
		while (*p != ' ' && *p != '\0')
			p++;
		if ((n = (size_t)(p - w)) == 0 || is_oidc_scope(w, n) ||
		    in_list(ignored_scopes, w, n) || api_defines(api, w, n))
			continue;
		s2o_strlcpy(word, w, n + 1 < sizeof(word) ? n + 1 :
		    sizeof(word));
		s2o_str_excerpt(shown, sizeof(shown), word, SHOWN_MAX);
		if (api == NULL)
			return s2o_err_set(err, S2O_R_MALFORMED, "scope: \"%s\" "
			    "is not an OpenID Connect scope; an API's "
			    "permission needs its audience", shown);
		return s2o_err_set(err, S2O_R_MALFORMED, "scope: \"%s\" is "
		    "not a permission of API \"%s\"", shown, api->identifier);
	}
	return 0;
}

void
s2o_policy_grant_init(struct s2o_policy_grant *g)
{
	memset(g, 0, sizeof(*g));
}

void
s2o_policy_grant_cleanup(struct s2o_policy_grant *g)
{
	json_decref(g->id_claims);
	json_decref(g->access_claims);
	free(g->scope);
	memset(g, 0, sizeof(*g));
}

/* "org_acme" or "no organization", for details. */
static const char *
org_shown(const struct s2o_config_org *org)
{
	return org != NULL ? org->id : "no organization";
}

/* The ids of a list joined with ", " into buf. */
static const char *
ids_shown(char *buf, size_t size, char *const *v, size_t n)
{
	size_t	i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			s2o_strlcpy(buf + strlen(buf), ", ", size - strlen(buf));
		s2o_strlcpy(buf + strlen(buf), v[i], size - strlen(buf));
	}
	return buf;
}

/* The organization named by the connection's claim in the profile. */
static int
org_from_claim(const struct s2o_policy_login *in, const json_t *profile,
    const struct s2o_config_org **org, struct s2o_err *err)
{
	const char	*claim = in->conn->organization_claim;
	json_t		*v = json_object_get(profile, claim);
	char		 shown[SHOWN_MAX + 8];

	if (json_is_array(v) && json_array_size(v) == 1)
		v = json_array_get(v, 0);
	if (json_is_array(v))
		return s2o_err_set(err, S2O_R_POLICY_DENIED, "organization: "
		    "claim \"%s\" has %zu values; connection \"%s\" takes the "
		    "user's one organization from it", claim,
		    json_array_size(v), in->conn->name);
	if (!json_is_string(v))
		return s2o_err_set(err, S2O_R_POLICY_DENIED, "organization: "
		    "claim \"%s\" is absent; connection \"%s\" takes the "
		    "user's organization from it", claim, in->conn->name);
	/* never a new organization: only the configured ones */
	if ((*org = s2o_config_org(in->cfg, json_string_value(v), true)) ==
	    NULL)
		return s2o_err_set(err, S2O_R_POLICY_DENIED, "organization: "
		    "\"%s\" (claim \"%s\") is not a configured organization",
		    s2o_str_excerpt(shown, sizeof(shown), json_string_value(v),
		    SHOWN_MAX), claim);
	return 0;
}

/* The membership, then the organization rules of the login and client. */
static int
check_org(const struct s2o_policy_login *in, const json_t *profile,
    const struct s2o_config_org **org, struct s2o_err *err)
{
	const struct s2o_client		*cl = in->client;
	const struct s2o_config_org	*want;
	char				 shown[SHOWN_MAX + 8], ids[192];

	*org = NULL;
	if (in->conn->organization != NULL)
		*org = s2o_config_org(in->cfg, in->conn->organization, false);
	else if (in->conn->organization_claim != NULL &&
	    org_from_claim(in, profile, org, err) == -1)
		return -1;
	if (in->organization != NULL) {
		if ((want = s2o_config_org(in->cfg, in->organization, true)) ==
		    NULL)
			return s2o_err_set(err, S2O_R_POLICY_DENIED,
			    "organization: no organization \"%s\" is "
			    "configured", s2o_str_excerpt(shown, sizeof(shown),
			    in->organization, SHOWN_MAX));
		if (want != *org)
			return s2o_err_set(err, S2O_R_POLICY_DENIED,
			    "organization: the login is for organization %s; "
			    "the user authenticated through connection \"%s\" "
			    "of %s", want->id, in->conn->name, org_shown(*org));
	}
	if (cl != NULL && cl->norganizations > 0 && (*org == NULL ||
	    !listed(cl->organizations, cl->norganizations, (*org)->id)))
		return s2o_err_set(err, S2O_R_POLICY_DENIED, "organization: "
		    "client \"%s\" is for members of %s; the user "
		    "authenticated through connection \"%s\" of %s",
		    cl->client_id, ids_shown(ids, sizeof(ids),
		    cl->organizations, cl->norganizations), in->conn->name,
		    org_shown(*org));
	if (cl != NULL && cl->require_organization && *org == NULL)
		return s2o_err_set(err, S2O_R_POLICY_DENIED, "organization: "
		    "client \"%s\" requires an organization; connection "
		    "\"%s\" belongs to none", cl->client_id, in->conn->name);
	return 0;
}

/* One level's audience_for_organization rules for api. */
static int
check_aud_level(const struct s2o_config_policies *p, const char *scope,
    const struct s2o_config_api *api, const struct s2o_config_org *org,
    struct s2o_err *err)
{
	char	ids[192];
	size_t	i;

	for (i = 0; i < p->naud_orgs; i++) {
		const struct s2o_config_aud_org *a = &p->aud_orgs[i];

		if (strcmp(a->audience, api->identifier) != 0 ||
		    (org != NULL && listed(a->orgs, a->norgs, org->id)))
			continue;
		return s2o_err_set(err, S2O_R_POLICY_DENIED,
		    "audience_for_organization: tokens for \"%s\" are for "
		    "members of %s; the user's is %s (policies of %s)",
		    api->identifier, ids_shown(ids, sizeof(ids), a->orgs,
		    a->norgs), org_shown(org), scope);
	}
	return 0;
}

/* The API may be restricted to organizations at every level. */
static int
check_audience(const struct s2o_policy_login *in,
    const struct s2o_config_api *api, const struct s2o_config_org *org,
    struct s2o_err *err)
{
	char	ids[192], scope[160], shown[SHOWN_MAX + 8];

	if (api->nallowed_organizations > 0 && (org == NULL ||
	    !listed(api->allowed_organizations, api->nallowed_organizations,
	    org->id)))
		return s2o_err_set(err, S2O_R_POLICY_DENIED,
		    "audience_for_organization: tokens for \"%s\" are for "
		    "members of %s; the user's is %s (allowed_organizations "
		    "of the API)", api->identifier, ids_shown(ids, sizeof(ids),
		    api->allowed_organizations, api->nallowed_organizations),
		    org_shown(org));
	if (check_aud_level(&in->cfg->policies, "the top level", api, org,
	    err) == -1)
		return -1;
	snprintf(scope, sizeof(scope), "connection \"%s\"", in->conn->name);
	if (check_aud_level(&in->conn->policies, scope, api, org, err) == -1)
		return -1;
	if (in->client != NULL) {
		snprintf(scope, sizeof(scope), "client \"%s\"",
		    in->client->client_id);
		if (check_aud_level(&in->client->policies, scope, api, org,
		    err) == -1)
			return -1;
	}
	snprintf(scope, sizeof(scope), "API \"%s\"", s2o_str_excerpt(shown,
	    sizeof(shown), api->identifier, SHOWN_MAX));
	return check_aud_level(&api->policies, scope, api, org, err);
}

/* Appends s to the array unless it holds it already. */
static int
add_unique(json_t *arr, const char *s)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 0;
	return json_array_append_new(arr, json_string(s));
}

/* The mapped roles (the profile's `roles`), then the default_roles. */
static json_t *
user_roles(const json_t *profile, const struct s2o_config_org *org)
{
	json_t	*roles, *m = json_object_get(profile, "roles"), *v;
	size_t	 i;

	if ((roles = json_array()) == NULL)
		return NULL;
	if (json_is_string(m) && add_unique(roles, json_string_value(m)) ==
	    -1)
		goto oom;
	json_array_foreach(m, i, v)
		if (json_is_string(v) && add_unique(roles,
		    json_string_value(v)) == -1)
			goto oom;
	for (i = 0; org != NULL && i < org->ndefault_roles; i++)
		if (add_unique(roles, org->default_roles[i]) == -1)
			goto oom;
	return roles;
oom:
	json_decref(roles);
	return NULL;
}

/* The union of the roles' permissions at api, in the API's order. */
static json_t *
permissions(const struct s2o_config *cfg, const struct s2o_config_api *api,
    json_t *roles)
{
	const struct s2o_config_role	*r;
	json_t				*perms, *v;
	size_t				 i, j, k;
	bool				 has;

	if ((perms = json_array()) == NULL)
		return NULL;
	for (i = 0; i < api->npermissions; i++) {
		has = false;
		json_array_foreach(roles, j, v) {
			if ((r = s2o_config_role(cfg, json_string_value(v))) ==
			    NULL)
				continue;	/* a mapped name with no role */
			for (k = 0; k < r->npermissions && !has; k++)
				has = strcmp(r->permissions[k].api,
				    api->identifier) == 0 && strcmp(
				    r->permissions[k].permission,
				    api->permissions[i]) == 0;
		}
		if (has && json_array_append_new(perms,
		    json_string(api->permissions[i])) == -1) {
			json_decref(perms);
			return NULL;
		}
	}
	return perms;
}

/* The requested scopes the access token keeps: OIDC's always; an API's
 * when the roles grant it (rbac) or when the API defines it. */
static char *
reduced_scope(const char *scope, const struct s2o_config_api *api,
    json_t *perms, struct s2o_err *err)
{
	struct s2o_buf	 b;
	const char	*p = scope, *w;
	size_t		 n, i;
	json_t		*v;
	bool		 keep;

	s2o_buf_init(&b, S2O_TOKEN_MAX_LIMIT);
	if (s2o_buf_adds(&b, "", err) == -1)
		return NULL;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		w = p;
		while (*p != ' ' && *p != '\0')
			p++;
		if ((n = (size_t)(p - w)) == 0)
			continue;
		keep = is_oidc_scope(w, n);
		if (!keep && api != NULL && !api->rbac)
			keep = api_defines(api, w, n);
		json_array_foreach(perms, i, v)
			if (!keep && strlen(json_string_value(v)) == n &&
			    strncmp(json_string_value(v), w, n) == 0)
				keep = true;
		if (keep && ((b.len > 0 && s2o_buf_adds(&b, " ", err) == -1) ||
		    s2o_buf_add(&b, w, n, err) == -1))
			return NULL;
	}
	return s2o_buf_take(&b, NULL);
}

/* The organization's claims into o (both tokens alike). */
static int
org_claims(json_t *o, const struct s2o_config_org *org)
{
	size_t	i, j;

	if (org == NULL)
		return 0;
	if (json_object_set_new(o, "org_id", json_string(org->id)) == -1 ||
	    (org->include_org_name && json_object_set_new(o, "org_name",
	    json_string(org->name)) == -1))
		return -1;
	for (i = 0; i < org->nclaims_from_metadata; i++) {
		const struct s2o_config_kv *c = &org->claims_from_metadata[i];

		for (j = 0; j < org->nmetadata; j++)
			if (strcmp(org->metadata[j].key, c->value) == 0 &&
			    json_object_set_new(o, c->key,
			    json_string(org->metadata[j].value)) == -1)
				return -1;
	}
	return 0;
}

/* The claims and the scope, once every rule passed. */
static int
build(const struct s2o_policy_login *in, const struct s2o_config_org *org,
    const struct s2o_config_api *api, json_t *roles,
    struct s2o_policy_grant *out, struct s2o_err *err)
{
	json_t	*id = json_object(), *at = json_object(), *perms = NULL;
	int	 rc = -1;

	if (id == NULL || at == NULL || org_claims(id, org) == -1 ||
	    (in->roles_claim != NULL && json_array_size(roles) > 0 &&
	    json_object_set(id, in->roles_claim, roles) == -1) ||
	    json_object_update(at, id) == -1)
		goto oom;
	if (api != NULL && api->rbac && (perms = permissions(in->cfg, api,
	    roles)) == NULL)
		goto oom;
	if (api != NULL && api->add_permissions_in_token &&
	    json_object_set(at, "permissions", perms) == -1)
		goto oom;
	if (in->scope != NULL && (out->scope = reduced_scope(in->scope, api,
	    perms, err)) == NULL)
		goto out;
	/* the objects themselves: no text until the code record */
	out->id_claims = id;
	out->access_claims = at;
	id = at = NULL;
	out->org = org;
	out->api = api;
	rc = 0;
	goto out;
oom:
	s2o_err_oom(err);
out:
	json_decref(id);
	json_decref(at);
	json_decref(perms);
	return rc;
}

int
s2o_policy_grant(const struct s2o_policy_login *in,
    struct s2o_policy_grant *out, struct s2o_err *err)
{
	const struct s2o_config_org	*org;
	const struct s2o_config_api	*api = NULL;
	const json_t			*profile = in->profile;
	json_t				*roles = NULL;
	char				 shown[SHOWN_MAX + 8];
	int				 rc = -1;

	s2o_policy_grant_cleanup(out);
	/* NULL reads as an empty profile */
	if (profile != NULL && !json_is_object(profile))
		return s2o_err_set(err, S2O_R_MALFORMED, "the mapped profile "
		    "is not a JSON object");
	if (in->audience != NULL &&
	    (api = s2o_config_api(in->cfg, in->audience)) == NULL) {
		s2o_err_set(err, S2O_R_POLICY_DENIED, "audience: no API \"%s\" "
		    "is configured", s2o_str_excerpt(shown, sizeof(shown),
		    in->audience, SHOWN_MAX));
		goto out;
	}
	if (check_org(in, profile, &org, err) == -1 ||
	    (api != NULL && check_audience(in, api, org, err) == -1))
		goto out;
	if ((roles = user_roles(profile, org)) == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	rc = build(in, org, api, roles, out, err);
out:
	if (rc == -1)
		s2o_policy_grant_cleanup(out);
	json_decref(roles);
	return rc;
}
