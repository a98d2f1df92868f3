/* SPDX-License-Identifier: MIT */
/*
 * The relying parties on both sides: `connections` (one per upstream
 * IdP: its entity ID, the certificates trusted for it, its mappings file
 * and per-connection relaxations) and `clients` (the OIDC clients). Names
 * are checked for uniqueness and a connection's default client must exist;
 * the mappings file is only checked for readability here, as map/ owns
 * its language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"

static const char *const conn_keys[] = { "name", "idp_entity_id",
    "idp_certificates", "mappings_file", "default_client", "allow_sha1",
    "allow_rsa_1024", "allow_idp_initiated", "sso_url", "sso_binding",
    "sign_requests", "name_id_format", "policies", "metadata_file",
    "metadata_url", "metadata_entity_id", "metadata_signing_certificate",
    "refresh_interval", "metadata_cache_file", "organization",
    "organization_claim", NULL };
static const char *const client_keys[] = { "client_id", "client_secret",
    "redirect_uris", "policies", "require_pkce", "allowed_connections",
    "initiate_login_uri", "organizations", "require_organization", NULL };

#define MIN_CLIENT_SECRET	16	/* bytes */
#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789._-"

static void
load_redirect_uris(struct loader *l, struct s2o_client *k, json_t *o,
    const char *base)
{
	json_t	*uris, *v;
	char	 p[CFG_PATH_MAX], up[CFG_PATH_MAX], found[96], *s;
	size_t	 i;

	if ((uris = cfg_array(l, o, base, "redirect_uris", true)) == NULL)
		return;
	if ((k->redirect_uris = calloc(json_array_size(uris),
	    sizeof(*k->redirect_uris))) == NULL) {
		l->oom = true;
		return;
	}
	cfg_path(p, base, "redirect_uris");
	json_array_foreach(uris, i, v) {
		if ((s = cfg_string_value(l, v, cfg_index(up, p, i))) == NULL)
			continue;
		/* OAuth 2.0 (RFC 6749) §3.1.2: absolute, no fragment; OIDC
		 * Core §3.1.2.1 compares it exactly */
		if (!cfg_is_absolute_url(s, false) || strchr(s, '#') != NULL) {
			cfg_error(l, up, false, "expected an absolute URL without "
			    "a fragment, found %s", cfg_found(v, found,
			    sizeof(found)));
			free(s);
			continue;
		}
		k->redirect_uris[k->nredirect_uris++] = s;
	}
}

void
cfg_load_clients(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *o;
	char	 base[CFG_PATH_MAX], p[CFG_PATH_MAX];
	size_t	 i, j;

	if ((arr = cfg_array(l, root, "", "clients", false)) == NULL ||
	    json_array_size(arr) == 0)
		return;
	if ((c->clients = calloc(json_array_size(arr),
	    sizeof(*c->clients))) == NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(arr, i, o) {
		struct s2o_client *k = &c->clients[c->nclients++];

		if (!cfg_is_object(l, o, cfg_index(base, "clients", i)))
			continue;
		cfg_check_keys(l, o, base, client_keys);
		k->client_id = cfg_string(l, o, base, "client_id", true, false);
		for (j = 0; k->client_id != NULL && j < i; j++)
			if (c->clients[j].client_id != NULL &&
			    strcmp(c->clients[j].client_id, k->client_id) == 0) {
				cfg_error(l, cfg_path(p, base, "client_id"),
				    false, "\"%s\" is already the client_id of "
				    "clients[%zu]", k->client_id, j);
				break;
			}
		/* never shown: a secret stays out of every message */
		k->client_secret = cfg_string(l, o, base, "client_secret",
		    false, true);
		if (k->client_secret != NULL &&
		    strlen(k->client_secret) < MIN_CLIENT_SECRET)
			cfg_error(l, cfg_path(p, base, "client_secret"), false,
			    "too short: use at least %d characters",
			    MIN_CLIENT_SECRET);
		load_redirect_uris(l, k, o, base);
		cfg_load_policies(l, o, base, &k->policies);
		/* RFC 9700 §2.1.1: PKCE for every client; a confidential
		 * client may opt out, a public one never (its code would be
		 * redeemable by whoever intercepts it) */
		k->require_pkce = cfg_bool(l, o, base, "require_pkce", true);
		if (!k->require_pkce && k->client_secret == NULL &&
		    json_object_get(o, "client_secret") == NULL)
			cfg_error(l, cfg_path(p, base, "require_pkce"), false,
			    "false is allowed only for a client with a "
			    "client_secret (a public client always uses PKCE)");
		k->allowed_connections = cfg_string_list(l, o, base,
		    "allowed_connections", true, false,
		    &k->nallowed_connections);
		k->initiate_login_uri = cfg_string(l, o, base,
		    "initiate_login_uri", false, false);
		/* OIDC Core §4: https, http only for local development */
		if (k->initiate_login_uri != NULL &&
		    (!cfg_is_absolute_url(k->initiate_login_uri, true) ||
		    strchr(k->initiate_login_uri, '#') != NULL))
			cfg_error(l, cfg_path(p, base, "initiate_login_uri"),
			    false, "expected an absolute http(s) URL without a "
			    "fragment, found \"%s\"", k->initiate_login_uri);
	}
}

static void
load_certificates(struct loader *l, struct s2o_connection *k, json_t *o,
    const char *base)
{
	json_t	*certs, *v;
	char	 p[CFG_PATH_MAX], cp[CFG_PATH_MAX], *name;
	size_t	 i;

	/* with metadata, its signing certificates are the trust: one
	 * source of keys, so that a refresh can replace all of them */
	if (k->metadata.present) {
		if (json_object_get(o, "idp_certificates") != NULL)
			cfg_error(l, cfg_path(p, base, "idp_certificates"),
			    true, "the connection takes its certificates from "
			    "%s: remove idp_certificates",
			    k->metadata.url != NULL ? "metadata_url" :
			    "metadata_file");
		return;
	}
	if ((certs = cfg_array(l, o, base, "idp_certificates", true)) == NULL)
		return;
	if ((k->idp_certificates = calloc(json_array_size(certs),
	    sizeof(*k->idp_certificates))) == NULL) {
		l->oom = true;
		return;
	}
	cfg_path(p, base, "idp_certificates");
	json_array_foreach(certs, i, v) {
		struct s2o_pem *pem = &k->idp_certificates[k->nidp_certificates];

		if ((name = cfg_string_value(l, v, cfg_index(cp, p, i))) ==
		    NULL)
			continue;
		if (cfg_pem_read(l, cp, name, pem, NULL) == 0) {
			k->nidp_certificates++;
			cfg_check_certificate(l, cp, name, pem,
			    k->allow_rsa_1024);
		}
		free(name);
	}
}

/* The error for a default_client that names no client. */
static void
no_such_client(struct loader *l, const struct s2o_config *c,
    const char *path, const char *want)
{
	const char	**ids, *near = NULL;
	size_t		  i, n = 0;

	if ((ids = calloc(c->nclients + 1, sizeof(*ids))) == NULL) {
		l->oom = true;
		return;
	}
	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].client_id != NULL)
			ids[n++] = c->clients[i].client_id;
	ids[n] = NULL;
	near = s2o_str_nearest(want, ids);
	if (near != NULL)
		cfg_error(l, path, false, "no client \"%s\" is configured (did "
		    "you mean \"%s\"?)", want, near);
	else
		cfg_error(l, path, false, "no client \"%s\" is configured",
		    want);
	free(ids);
}

/* Where and how the bridge sends this IdP its AuthnRequests. */
static void
load_sso(struct loader *l, const struct s2o_config *c,
    struct s2o_connection *k, json_t *o, const char *base)
{
	char	 p[CFG_PATH_MAX], *b;

	k->sso_url = cfg_string(l, o, base, "sso_url", false, false);
	if (k->sso_url != NULL && !cfg_is_absolute_url(k->sso_url, true))
		cfg_error(l, cfg_path(p, base, "sso_url"), false, "expected an "
		    "absolute http(s) URL, found \"%s\"", k->sso_url);
	if ((b = cfg_string(l, o, base, "sso_binding", false, false)) != NULL) {
		if (strcmp(b, "redirect") == 0)
			k->sso_binding = S2O_SSO_REDIRECT;
		else if (strcmp(b, "post") == 0)
			k->sso_binding = S2O_SSO_POST;
		else
			cfg_error(l, cfg_path(p, base, "sso_binding"), false,
			    "expected \"redirect\" or \"post\", found \"%s\"",
			    b);
		free(b);
	}
	/* SAML Profiles 4.1.3.3: sign where an IdP wants it; by default
	 * whenever the SP has a key */
	k->sign_requests = cfg_bool(l, o, base, "sign_requests",
	    c->sp.signing_key.data != NULL);
	if (k->sign_requests && c->sp.signing_key.data == NULL)
		cfg_error(l, cfg_path(p, base, "sign_requests"), false, "signed "
		    "requests need sp.signing_key_file and "
		    "sp.signing_certificate_file");
	k->name_id_format = cfg_string(l, o, base, "name_id_format", false,
	    false);
}

static void
load_connection(struct loader *l, struct s2o_config *c, json_t *o,
    size_t i)
{
	struct s2o_connection	*k = &c->connections[i];
	char			 base[CFG_PATH_MAX], p[CFG_PATH_MAX], *file;
	size_t			 j;

	if (!cfg_is_object(l, o, cfg_index(base, "connections", i)))
		return;
	cfg_check_keys(l, o, base, conn_keys);
	/* the name appears in URLs and logs: keep it to a safe alphabet */
	k->name = cfg_string(l, o, base, "name", true, false);
	if (k->name != NULL && strspn(k->name, NAME_CHARS) != strlen(k->name))
		cfg_error(l, cfg_path(p, base, "name"), false, "use only "
		    "letters, digits, '.', '_' and '-'");
	for (j = 0; k->name != NULL && j < i; j++)
		if (c->connections[j].name != NULL &&
		    strcmp(c->connections[j].name, k->name) == 0) {
			cfg_error(l, cfg_path(p, base, "name"), false, "\"%s\" "
			    "is already the name of connections[%zu]", k->name,
			    j);
			break;
		}
	k->allow_rsa_1024 = cfg_bool(l, o, base, "allow_rsa_1024", false);
	cfg_load_metadata(l, k, o, base);
	/* a Response is routed to its connection by Issuer: one each (with
	 * metadata, the entityID may come from there: saml/ checks it) */
	k->idp_entity_id = cfg_string(l, o, base, "idp_entity_id",
	    !k->metadata.present, false);
	for (j = 0; k->idp_entity_id != NULL && j < i; j++)
		if (c->connections[j].idp_entity_id != NULL &&
		    strcmp(c->connections[j].idp_entity_id,
		    k->idp_entity_id) == 0) {
			cfg_error(l, cfg_path(p, base, "idp_entity_id"), false,
			    "\"%s\" is already the idp_entity_id of "
			    "connections[%zu]", k->idp_entity_id, j);
			break;
		}
	k->allow_sha1 = cfg_bool(l, o, base, "allow_sha1", false);
	k->allow_idp_initiated = cfg_bool(l, o, base, "allow_idp_initiated",
	    false);
	load_certificates(l, k, o, base);
	load_sso(l, c, k, o, base);
	if ((file = cfg_string(l, o, base, "mappings_file", true, false)) !=
	    NULL) {
		k->mappings_file = cfg_file_check(l, cfg_path(p, base,
		    "mappings_file"), file, S2O_MAP_MAX_FILE);
		free(file);
	}
	k->default_client = cfg_string(l, o, base, "default_client", false,
	    false);
	if (k->default_client != NULL &&
	    s2o_config_client(c, k->default_client) == NULL)
		no_such_client(l, c, cfg_path(p, base, "default_client"),
		    k->default_client);
	cfg_load_policies(l, o, base, &k->policies);
}

void
cfg_load_connections(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *o;
	size_t	 i;

	if ((arr = cfg_array(l, root, "", "connections", true)) == NULL)
		return;
	if ((c->connections = calloc(json_array_size(arr),
	    sizeof(*c->connections))) == NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(arr, i, o) {
		c->nconnections++;
		load_connection(l, c, o, i);
	}
}
