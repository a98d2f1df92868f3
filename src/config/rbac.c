/* SPDX-License-Identifier: MIT */
/*
 * The RBAC part of the configuration (docs/organizations.md): `apis`, the
 * audiences access tokens may be issued for and the permissions each
 * defines, and `roles`, named sets of those permissions. This file reads
 * both as written and checks what each entry says on its own; orgs.c
 * checks the references between them once everything is loaded, so the
 * order of the top-level keys never matters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"

static const char *const api_keys[] = { "identifier", "permissions", "rbac",
    "add_permissions_in_token", "allowed_organizations", "policies", NULL };
static const char *const role_keys[] = { "name", "permissions", NULL };
static const char *const grant_keys[] = { "api", "permission", NULL };

/* Scopes every OpenID Provider knows: never an API's permission. */
static const char *const oidc_scopes[] = { "openid", "profile", "email",
    "offline_access", "phone", "address", NULL };

/* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
static bool
is_scope_token(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e ||
		    *s == '"' || *s == '\\')
			return false;
	return true;
}

static void
load_permissions(struct loader *l, struct s2o_config_api *a, json_t *o,
    const char *base)
{
	char	 p[CFG_PATH_MAX], vp[CFG_PATH_MAX];
	size_t	 i, j;

	a->permissions = cfg_name_list(l, o, base, "permissions", false,
	    true, &a->npermissions);
	cfg_path(p, base, "permissions");
	for (i = 0; i < a->npermissions; i++) {
		cfg_index(vp, p, i);
		if (!is_scope_token(a->permissions[i]))
			cfg_error(l, vp, false, "\"%s\" cannot be a scope: no "
			    "spaces, quotes, backslashes or control characters "
			    "(RFC 6749 section 3.3)", a->permissions[i]);
		for (j = 0; oidc_scopes[j] != NULL; j++)
			if (strcmp(a->permissions[i], oidc_scopes[j]) == 0)
				cfg_error(l, vp, false, "\"%s\" is an OpenID "
				    "Connect scope, not an API permission",
				    oidc_scopes[j]);
	}
}

static void
load_api(struct loader *l, struct s2o_config *c, json_t *o, size_t i)
{
	struct s2o_config_api	*a = &c->apis[i];
	char			 base[CFG_PATH_MAX], p[CFG_PATH_MAX];
	size_t			 j;

	if (!cfg_is_object(l, o, cfg_index(base, "apis", i)))
		return;
	cfg_check_keys(l, o, base, api_keys);
	a->identifier = cfg_string(l, o, base, "identifier", true, false);
	cfg_path(p, base, "identifier");
	/* RFC 9068 §3: the resource indicator, an absolute URI */
	if (a->identifier != NULL && !cfg_is_absolute_url(a->identifier,
	    false))
		cfg_error(l, p, false, "expected an absolute URI such as "
		    "\"https://api.example.com/\", found \"%s\"",
		    a->identifier);
	for (j = 0; a->identifier != NULL && j < i; j++)
		if (c->apis[j].identifier != NULL &&
		    strcmp(c->apis[j].identifier, a->identifier) == 0) {
			cfg_error(l, p, false, "\"%s\" is already the "
			    "identifier of apis[%zu]", a->identifier, j);
			break;
		}
	load_permissions(l, a, o, base);
	a->rbac = cfg_bool(l, o, base, "rbac", false);
	a->add_permissions_in_token = cfg_bool(l, o, base,
	    "add_permissions_in_token", false);
	if (a->add_permissions_in_token && !a->rbac)
		cfg_error(l, cfg_path(p, base, "add_permissions_in_token"),
		    false, "permissions come from roles: set \"rbac\": true "
		    "too");
	a->allowed_organizations = cfg_name_list(l, o, base,
	    "allowed_organizations", true, true, &a->nallowed_organizations);
	cfg_load_policies(l, o, base, &a->policies);
}

void
cfg_load_apis(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *o;
	size_t	 i;

	if ((arr = cfg_array(l, root, "", "apis", false)) == NULL ||
	    json_array_size(arr) == 0)
		return;
	if ((c->apis = calloc(json_array_size(arr), sizeof(*c->apis))) ==
	    NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(arr, i, o) {
		c->napis++;
		load_api(l, c, o, i);
	}
}

static void
load_grants(struct loader *l, struct s2o_config_role *r, json_t *o,
    const char *base)
{
	json_t	*arr, *g;
	char	 p[CFG_PATH_MAX], gp[CFG_PATH_MAX];
	size_t	 i;

	if ((arr = cfg_array(l, o, base, "permissions", false)) == NULL ||
	    json_array_size(arr) == 0)
		return;
	if ((r->permissions = calloc(json_array_size(arr),
	    sizeof(*r->permissions))) == NULL) {
		l->oom = true;
		return;
	}
	cfg_path(p, base, "permissions");
	json_array_foreach(arr, i, g) {
		struct s2o_config_grant *x = &r->permissions[r->npermissions++];

		if (!cfg_is_object(l, g, cfg_index(gp, p, i)))
			continue;
		cfg_check_keys(l, g, gp, grant_keys);
		x->api = cfg_string(l, g, gp, "api", true, false);
		x->permission = cfg_string(l, g, gp, "permission", true,
		    false);
	}
}

void
cfg_load_roles(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *o;
	char	 base[CFG_PATH_MAX], p[CFG_PATH_MAX];
	size_t	 i, j;

	if ((arr = cfg_array(l, root, "", "roles", false)) == NULL ||
	    json_array_size(arr) == 0)
		return;
	if ((c->roles = calloc(json_array_size(arr), sizeof(*c->roles))) ==
	    NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(arr, i, o) {
		struct s2o_config_role *r = &c->roles[c->nroles++];

		if (!cfg_is_object(l, o, cfg_index(base, "roles", i)))
			continue;
		cfg_check_keys(l, o, base, role_keys);
		r->name = cfg_string(l, o, base, "name", true, false);
		for (j = 0; r->name != NULL && j < i; j++)
			if (c->roles[j].name != NULL &&
			    strcmp(c->roles[j].name, r->name) == 0) {
				cfg_error(l, cfg_path(p, base, "name"), false,
				    "\"%s\" is already the name of roles[%zu]",
				    r->name, j);
				break;
			}
		load_grants(l, r, o, base);
	}
}

void
cfg_rbac_free(struct s2o_config *c)
{
	size_t	i, j;

	for (i = 0; i < c->napis; i++) {
		free(c->apis[i].identifier);
		cfg_string_list_free(c->apis[i].permissions, c->apis[i].npermissions);
		cfg_string_list_free(c->apis[i].allowed_organizations,
		    c->apis[i].nallowed_organizations);
		cfg_policies_free(&c->apis[i].policies);
	}
	free(c->apis);
	for (i = 0; i < c->nroles; i++) {
		free(c->roles[i].name);
		for (j = 0; j < c->roles[i].npermissions; j++) {
			free(c->roles[i].permissions[j].api);
			free(c->roles[i].permissions[j].permission);
		}
		free(c->roles[i].permissions);
	}
	free(c->roles);
}

const struct s2o_config_api *
s2o_config_api(const struct s2o_config *c, const char *identifier)
{
	size_t	i;

	for (i = 0; c != NULL && identifier != NULL && i < c->napis; i++)
		if (c->apis[i].identifier != NULL &&
		    strcmp(c->apis[i].identifier, identifier) == 0)
			return &c->apis[i];
	return NULL;
}

const struct s2o_config_role *
s2o_config_role(const struct s2o_config *c, const char *name)
{
	size_t	i;

	for (i = 0; c != NULL && name != NULL && i < c->nroles; i++)
		if (c->roles[i].name != NULL &&
		    strcmp(c->roles[i].name, name) == 0)
			return &c->roles[i];
	return NULL;
}
