/* SPDX-License-Identifier: MIT */
/*
 * `organizations` (docs/organizations.md): who a user acts for. Each
 * organization has an id (the org_id claim), a name, metadata some of
 * which may go into tokens, and the roles every member gets. A connection
 * belongs to one organization, or names the profile claim that says which;
 * a client may be pinned to organizations. This file also checks every
 * reference among organizations, apis and roles (rbac.c reads those two),
 * and in each level's policies.audience_for_organization, once all of
 * them are loaded: an unknown name is an error with the nearest one.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"

static const char *const org_keys[] = { "id", "name", "display_name",
    "metadata", "claims_from_metadata", "default_roles", "include_org_name",
    NULL };

#define ORG_ID_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789._-"
#define ORG_NAME_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789_-"

/* ---- shared helpers --------------------------------------------------- */

char **
cfg_name_list(struct loader *l, json_t *obj, const char *base,
    const char *key, bool nonempty, bool unique, size_t *n)
{
	json_t	*arr, *v;
	char	 p[CFG_PATH_MAX], vp[CFG_PATH_MAX], **out, *s;
	size_t	 i, j;

	*n = 0;
	if ((arr = cfg_array(l, obj, base, key, false)) == NULL)
		return NULL;
	cfg_path(p, base, key);
	if (nonempty && json_array_size(arr) == 0) {
		cfg_error(l, p, false, "expected at least one entry, found []");
		return NULL;
	}
	if ((out = calloc(json_array_size(arr) + 1, sizeof(*out))) == NULL) {
		l->oom = true;
		return NULL;
	}
	json_array_foreach(arr, i, v) {
		if ((s = cfg_string_value(l, v, cfg_index(vp, p, i))) == NULL)
			continue;
		for (j = 0; unique && j < *n; j++)
			if (strcmp(out[j], s) == 0)
				break;
		if (unique && j < *n) {
			cfg_error(l, vp, false, "\"%s\" is listed twice", s);
			free(s);
			continue;
		}
		out[(*n)++] = s;
	}
	return out;
}

void
cfg_unknown(struct loader *l, const char *path, bool at_key,
    const char *thing, const char *want, const char *const *names)
{
	const char	*near = s2o_str_nearest(want, names);

	if (near != NULL)
		cfg_error(l, path, at_key, "no %s \"%s\" is configured (did you "
		    "mean \"%s\"?)", thing, want, near);
	else
		cfg_error(l, path, at_key, "no %s \"%s\" is configured", thing,
		    want);
}

/* ---- organizations ---------------------------------------------------- */

/* An object of strings into kv pairs; false when wrong (error added). */
static void
load_kv(struct loader *l, json_t *o, const char *base, const char *key,
    struct s2o_config_kv **out, size_t *n)
{
	json_t		*obj, *v;
	const char	*k;
	char		 p[CFG_PATH_MAX], kp[CFG_PATH_MAX];

	if ((obj = cfg_member(l, o, base, key, false)) == NULL ||
	    !cfg_is_object(l, obj, cfg_path(p, base, key)))
		return;
	if ((*out = calloc(json_object_size(obj) + 1, sizeof(**out))) ==
	    NULL) {
		l->oom = true;
		return;
	}
	json_object_foreach(obj, k, v) {
		struct s2o_config_kv *e = &(*out)[*n];

		if ((e->value = cfg_string_value(l, v, cfg_path(kp, p, k))) ==
		    NULL)
			continue;
		if ((e->key = strdup(k)) == NULL) {
			free(e->value);
			e->value = NULL;
			l->oom = true;
			return;
		}
		(*n)++;
	}
}

/* claims_from_metadata: each claim a URL, each key one of metadata's. */
static void
check_metadata_claims(struct loader *l, struct s2o_config_org *g,
    const char *base)
{
	const char	**keys;
	char		  p[CFG_PATH_MAX], kp[CFG_PATH_MAX];
	size_t		  i, j;

	if ((keys = calloc(g->nmetadata + 1, sizeof(*keys))) == NULL) {
		l->oom = true;
		return;
	}
	for (i = 0; i < g->nmetadata; i++)
		keys[i] = g->metadata[i].key;
	cfg_path(p, base, "claims_from_metadata");
	for (i = 0; i < g->nclaims_from_metadata; i++) {
		const struct s2o_config_kv *e = &g->claims_from_metadata[i];

		cfg_path(kp, p, e->key);
		/* OIDC Core §5.1.2: a custom claim needs a name no other
		 * party will use; the bridge's own claims are not URLs */
		if (!cfg_is_absolute_url(e->key, true))
			cfg_error(l, kp, true, "a custom claim needs a "
			    "collision-resistant name, a URL such as "
			    "\"https://example.com/%s\"", e->key);
		for (j = 0; j < g->nmetadata; j++)
			if (strcmp(g->metadata[j].key, e->value) == 0)
				break;
		if (j < g->nmetadata)
			continue;
		if (s2o_str_nearest(e->value, keys) != NULL)
			cfg_error(l, kp, false, "the organization's metadata has "
			    "no key \"%s\" (did you mean \"%s\"?)", e->value,
			    s2o_str_nearest(e->value, keys));
		else
			cfg_error(l, kp, false, "the organization's metadata has "
			    "no key \"%s\"", e->value);
	}
	free(keys);
}

static void
load_org(struct loader *l, struct s2o_config *c, json_t *o, size_t i)
{
	struct s2o_config_org	*g = &c->orgs[i];
	char			 base[CFG_PATH_MAX], p[CFG_PATH_MAX];
	size_t			 j;

	if (!cfg_is_object(l, o, cfg_index(base, "organizations", i)))
		return;
	cfg_check_keys(l, o, base, org_keys);
	/* the id goes into tokens, logs and URLs: a safe alphabet */
	g->id = cfg_string(l, o, base, "id", true, false);
	cfg_path(p, base, "id");
	if (g->id != NULL && strspn(g->id, ORG_ID_CHARS) != strlen(g->id))
		cfg_error(l, p, false, "use only letters, digits, '.', '_' and "
		    "'-'");
	for (j = 0; g->id != NULL && j < i; j++)
		if (c->orgs[j].id != NULL && strcmp(c->orgs[j].id, g->id) == 0) {
			cfg_error(l, p, false, "\"%s\" is already the id of "
			    "organizations[%zu]", g->id, j);
			break;
		}
	g->name = cfg_string(l, o, base, "name", true, false);
	cfg_path(p, base, "name");
	if (g->name != NULL && strspn(g->name, ORG_NAME_CHARS) !=
	    strlen(g->name))
		cfg_error(l, p, false, "use only lower-case letters, digits, "
		    "'_' and '-'");
	for (j = 0; g->name != NULL && j < i; j++)
		if (c->orgs[j].name != NULL &&
		    strcmp(c->orgs[j].name, g->name) == 0) {
			cfg_error(l, p, false, "\"%s\" is already the name of "
			    "organizations[%zu]", g->name, j);
			break;
		}
	g->display_name = cfg_string(l, o, base, "display_name", false,
	    false);
	load_kv(l, o, base, "metadata", &g->metadata, &g->nmetadata);
	load_kv(l, o, base, "claims_from_metadata", &g->claims_from_metadata,
	    &g->nclaims_from_metadata);
	check_metadata_claims(l, g, base);
	g->default_roles = cfg_name_list(l, o, base, "default_roles", false,
	    true, &g->ndefault_roles);
	g->include_org_name = cfg_bool(l, o, base, "include_org_name", false);
}

static void
load_organizations(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *o;
	size_t	 i;

	if ((arr = cfg_array(l, root, "", "organizations", false)) == NULL ||
	    json_array_size(arr) == 0)
		return;
	if ((c->orgs = calloc(json_array_size(arr), sizeof(*c->orgs))) ==
	    NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(arr, i, o) {
		c->norgs++;
		load_org(l, c, o, i);
	}
}

/* ---- connections and clients ------------------------------------------ */

static void
load_members(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *o;
	char	 base[CFG_PATH_MAX], p[CFG_PATH_MAX];
	size_t	 i;

	arr = json_object_get(root, "connections");
	for (i = 0; i < c->nconnections && i < json_array_size(arr); i++) {
		struct s2o_connection *k = &c->connections[i];

		if (!json_is_object(o = json_array_get(arr, i)))
			continue;	/* connection.c said so */
		cfg_index(base, "connections", i);
		k->organization = cfg_string(l, o, base, "organization", false,
		    false);
		k->organization_claim = cfg_string(l, o, base,
		    "organization_claim", false, false);
		if (k->organization != NULL && k->organization_claim != NULL)
			cfg_error(l, cfg_path(p, base, "organization_claim"),
			    false, "a connection takes its organization from "
			    "\"organization\" or from \"organization_claim\", "
			    "not both");
	}
	arr = json_object_get(root, "clients");
	for (i = 0; i < c->nclients && i < json_array_size(arr); i++) {
		struct s2o_client *k = &c->clients[i];

		if (!json_is_object(o = json_array_get(arr, i)))
			continue;
		cfg_index(base, "clients", i);
		k->organizations = cfg_name_list(l, o, base, "organizations",
		    true, true, &k->norganizations);
		k->require_organization = cfg_bool(l, o, base,
		    "require_organization", false);
	}
}

/* ---- references ------------------------------------------------------- */

struct names {
	const char	**orgs, **apis, **roles;
};

static const char **
collect(struct loader *l, size_t n, const void *base, size_t stride,
    size_t offset)
{
	const char	**v;
	size_t		  i, k = 0;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		l->oom = true;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const char *s = *(char *const *)(const void *)
		    ((const char *)base + i * stride + offset);

		if (s != NULL)
			v[k++] = s;
	}
	return v;
}

static bool
listed(const char *const *v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* Each of list (at base.key[i]) must be an organization id. */
static void
check_org_list(struct loader *l, const struct names *nm, char **list,
    size_t n, const char *base, const char *key)
{
	char	p[CFG_PATH_MAX], vp[CFG_PATH_MAX];
	size_t	i;

	cfg_path(p, base, key);
	for (i = 0; i < n; i++)
		if (!listed(nm->orgs, list[i]))
			cfg_unknown(l, cfg_index(vp, p, i), false,
			    "organization", list[i], nm->orgs);
}

/* One level's policies.audience_for_organization, at base. */
static void
check_aud_orgs(struct loader *l, const struct names *nm,
    const struct s2o_config_policies *pol, const char *base)
{
	char	p[CFG_PATH_MAX], kp[CFG_PATH_MAX], q[CFG_PATH_MAX];
	size_t	i;

	if (pol->naud_orgs == 0)
		return;
	cfg_path(q, base, "policies");
	cfg_path(p, q, "audience_for_organization");
	for (i = 0; i < pol->naud_orgs; i++) {
		const struct s2o_config_aud_org *a = &pol->aud_orgs[i];

		cfg_path(kp, p, a->audience);
		if (!listed(nm->apis, a->audience))
			cfg_unknown(l, kp, true, "API", a->audience, nm->apis);
		check_org_list(l, nm, a->orgs, a->norgs, p, a->audience);
	}
}

static void
check_roles(struct loader *l, const struct s2o_config *c,
    const struct names *nm)
{
	const struct s2o_config_api	*api;
	char				 base[CFG_PATH_MAX], p[CFG_PATH_MAX];
	char				 r[CFG_PATH_MAX];
	size_t				 i, j;

	for (i = 0; i < c->nroles; i++)
		for (j = 0; j < c->roles[i].npermissions; j++) {
			const struct s2o_config_grant *g =
			    &c->roles[i].permissions[j];

			cfg_index(r, "roles", i);
			cfg_path(p, r, "permissions");
			cfg_index(base, p, j);
			if (g->api == NULL || g->permission == NULL)
				continue;
			if ((api = s2o_config_api(c, g->api)) == NULL) {
				cfg_unknown(l, cfg_path(p, base, "api"), false,
				    "API", g->api, nm->apis);
				continue;
			}
			if (listed((const char *const *)api->permissions,
			    g->permission))
				continue;
			cfg_path(p, base, "permission");
			if (s2o_str_nearest(g->permission, (const char *const *)
			    api->permissions) != NULL)
				cfg_error(l, p, false, "API \"%s\" has no "
				    "permission \"%s\" (did you mean \"%s\"?)",
				    g->api, g->permission, s2o_str_nearest(
				    g->permission, (const char *const *)
				    api->permissions));
			else
				cfg_error(l, p, false, "API \"%s\" has no "
				    "permission \"%s\"", g->api, g->permission);
		}
}

static void
check_references(struct loader *l, const struct s2o_config *c,
    const struct names *nm)
{
	char	base[CFG_PATH_MAX], p[CFG_PATH_MAX], vp[CFG_PATH_MAX];
	size_t	i, j;

	check_roles(l, c, nm);
	for (i = 0; i < c->norgs; i++) {
		cfg_index(base, "organizations", i);
		cfg_path(p, base, "default_roles");
		for (j = 0; j < c->orgs[i].ndefault_roles; j++)
			if (!listed(nm->roles, c->orgs[i].default_roles[j]))
				cfg_unknown(l, cfg_index(vp, p, j), false,
				    "role", c->orgs[i].default_roles[j],
				    nm->roles);
	}
	for (i = 0; i < c->napis; i++) {
		cfg_index(base, "apis", i);
		check_org_list(l, nm, c->apis[i].allowed_organizations,
		    c->apis[i].nallowed_organizations, base,
		    "allowed_organizations");
		check_aud_orgs(l, nm, &c->apis[i].policies, base);
	}
	for (i = 0; i < c->nconnections; i++) {
		cfg_index(base, "connections", i);
		if (c->connections[i].organization != NULL &&
		    !listed(nm->orgs, c->connections[i].organization))
			cfg_unknown(l, cfg_path(p, base, "organization"), false,
			    "organization", c->connections[i].organization,
			    nm->orgs);
		check_aud_orgs(l, nm, &c->connections[i].policies, base);
	}
	for (i = 0; i < c->nclients; i++) {
		cfg_index(base, "clients", i);
		check_org_list(l, nm, c->clients[i].organizations,
		    c->clients[i].norganizations, base, "organizations");
		check_aud_orgs(l, nm, &c->clients[i].policies, base);
	}
	check_aud_orgs(l, nm, &c->policies, "");
}

void
cfg_load_orgs(struct loader *l, struct s2o_config *c, json_t *root)
{
	struct names	nm;

	cfg_load_apis(l, c, root);
	cfg_load_roles(l, c, root);
	load_organizations(l, c, root);
	load_members(l, c, root);
	nm.orgs = collect(l, c->norgs, c->orgs, sizeof(*c->orgs),
	    offsetof(struct s2o_config_org, id));
	nm.apis = collect(l, c->napis, c->apis, sizeof(*c->apis),
	    offsetof(struct s2o_config_api, identifier));
	nm.roles = collect(l, c->nroles, c->roles, sizeof(*c->roles),
	    offsetof(struct s2o_config_role, name));
	if (nm.orgs != NULL && nm.apis != NULL && nm.roles != NULL)
		check_references(l, c, &nm);
	free(nm.orgs);
	free(nm.apis);
	free(nm.roles);
}

static void
kv_free(struct s2o_config_kv *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void
cfg_orgs_free(struct s2o_config *c)
{
	size_t	i;

	for (i = 0; i < c->norgs; i++) {
		struct s2o_config_org *g = &c->orgs[i];

		free(g->id);
		free(g->name);
		free(g->display_name);
		kv_free(g->metadata, g->nmetadata);
		kv_free(g->claims_from_metadata, g->nclaims_from_metadata);
		cfg_string_list_free(g->default_roles, g->ndefault_roles);
	}
	free(c->orgs);
	for (i = 0; i < c->nconnections; i++) {
		free(c->connections[i].organization);
		free(c->connections[i].organization_claim);
	}
	for (i = 0; i < c->nclients; i++)
		cfg_string_list_free(c->clients[i].organizations,
		    c->clients[i].norganizations);
	cfg_rbac_free(c);
}

const struct s2o_config_org *
s2o_config_org(const struct s2o_config *c, const char *id, bool by_name)
{
	size_t	i;

	for (i = 0; c != NULL && id != NULL && i < c->norgs; i++)
		if ((c->orgs[i].id != NULL && strcmp(c->orgs[i].id, id) == 0) ||
		    (by_name && c->orgs[i].name != NULL &&
		    strcmp(c->orgs[i].name, id) == 0))
			return &c->orgs[i];
	return NULL;
}
