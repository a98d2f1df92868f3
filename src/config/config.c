/* SPDX-License-Identifier: MIT */
/*
 * Loading the bridge's JSON configuration. jansson parses (rejecting
 * duplicate keys); core's jsonpos tells where each value sits, so every
 * problem is reported as FILE:LINE:COL: PATH: message. The loader goes on
 * after a problem and reports all of them, then fails if any was an
 * error. An unknown key is always an error, with the nearest known key
 * suggested: a typo must never be silently ignored.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/config_int.h"

static const char *const top_keys[] = { "issuer", "listen", "signing_keys",
    "id_token_ttl", "clock_skew", "max_response_bytes", "sp", "connections",
    "clients", NULL };
static const char *const key_keys[] = { "kid", "alg", "private_key_file",
    "active", NULL };
static const char *const sp_keys[] = { "entity_id", "acs_url",
    "decryption_key_file", NULL };
static const char *const conn_keys[] = { "name", "idp_entity_id",
    "idp_certificates", "mappings_file", "default_client", "allow_sha1",
    "allow_rsa_1024", "allow_idp_initiated", NULL };
static const char *const client_keys[] = { "client_id", "client_secret",
    "redirect_uris", NULL };
static const char *const algs[] = { "RS256", "RS384", "RS512", "ES256",
    "ES384", NULL };

static void
cfg_vadd(struct loader *l, enum s2o_diag_severity sev, const char *path,
    bool at_key, const char *fmt, va_list ap)
{
	char		msg[768];
	unsigned int	line = 0, col = 0;
	struct s2o_err	e;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (path != NULL && *path != '\0') {
		if (at_key)
			s2o_jsonpos_key(l->jp, path, &line, &col);
		else
			s2o_jsonpos_value(l->jp, path, &line, &col);
	}
	s2o_err_clear(&e);
	if (s2o_diags_add(l->diags, sev, S2O_R_CONFIG_INVALID, l->file, line,
	    col, path, &e, "%s", msg) == -1)
		l->oom = true;
}

void
cfg_error(struct loader *l, const char *path, bool at_key, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	cfg_vadd(l, S2O_DIAG_ERROR, path, at_key, fmt, ap);
	va_end(ap);
}

void
cfg_warn(struct loader *l, const char *path, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	cfg_vadd(l, S2O_DIAG_WARNING, path, false, fmt, ap);
	va_end(ap);
}

/* "base.key" (or base["key"]) into out */
static const char *
sub(char *out, size_t size, const char *base, const char *key)
{
	struct s2o_buf	b;
	struct s2o_err	e;

	s2o_err_clear(&e);
	s2o_buf_init(&b, size - 1);
	if ((*base && s2o_buf_adds(&b, base, &e) == -1) ||
	    s2o_jsonpath_key(&b, key, &e) == -1)
		s2o_strlcpy(out, key, size);
	else
		s2o_strlcpy(out, b.data, size);
	s2o_buf_cleanup(&b);
	return out;
}

static const char *
idx(char *out, size_t size, const char *base, size_t i)
{
	if (snprintf(out, size, "%s[%zu]", base, i) >= (int)size)
		out[size - 1] = '\0';	/* paths are short; never in practice */
	return out;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static void
check_unknown(struct loader *l, json_t *obj, const char *base,
    const char *const *known)
{
	const char	*k, *near;
	json_t		*v;
	char		 p[512];
	size_t		 i;
	bool		 ok;

	json_object_foreach(obj, k, v) {
		for (ok = false, i = 0; known[i] != NULL && !ok; i++)
			ok = strcmp(known[i], k) == 0;
		if (ok)
			continue;
		near = s2o_str_nearest(k, known);
		if (near != NULL)
			cfg_error(l, sub(p, sizeof(p), base, k), true,
			    "unknown key (did you mean \"%s\"?)", near);
		else
			cfg_error(l, sub(p, sizeof(p), base, k), true,
			    "unknown key");
	}
}

/* A string member; NULL (and an error when required) if absent or wrong. */
static char *
get_str(struct loader *l, json_t *obj, const char *base, const char *key,
    bool required)
{
	json_t	*v = json_object_get(obj, key);
	char	 p[512];
	char	*s;

	sub(p, sizeof(p), base, key);
	if (v == NULL) {
		if (required)
			cfg_error(l, base, false, "missing required key \"%s\"",
			    key);
		return NULL;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		cfg_error(l, p, false, "expected a non-empty string, found %s",
		    json_is_string(v) ? "\"\"" : type_name(v));
		return NULL;
	}
	if ((s = strdup(json_string_value(v))) == NULL)
		l->oom = true;
	return s;
}

static long
get_int(struct loader *l, json_t *obj, const char *base, const char *key,
    long dflt, long min, long max)
{
	json_t	*v = json_object_get(obj, key);
	char	 p[512];

	if (v == NULL)
		return dflt;
	sub(p, sizeof(p), base, key);
	if (!json_is_integer(v)) {
		cfg_error(l, p, false, "expected an integer from %ld to %ld, "
		    "found %s", min, max, type_name(v));
		return dflt;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		cfg_error(l, p, false, "expected an integer from %ld to %ld, "
		    "found %lld", min, max, (long long)json_integer_value(v));
		return dflt;
	}
	return (long)json_integer_value(v);
}

static bool
get_bool(struct loader *l, json_t *obj, const char *base, const char *key)
{
	json_t	*v = json_object_get(obj, key);
	char	 p[512];

	if (v == NULL)
		return false;
	if (!json_is_boolean(v)) {
		cfg_error(l, sub(p, sizeof(p), base, key), false,
		    "expected true or false, found %s", type_name(v));
		return false;
	}
	return json_is_true(v);
}

/* An array member, non-empty when required; NULL when absent or wrong. */
static json_t *
get_array(struct loader *l, json_t *obj, const char *base, const char *key,
    bool required)
{
	json_t	*v = json_object_get(obj, key);
	char	 p[512];

	sub(p, sizeof(p), base, key);
	if (v == NULL) {
		if (required)
			cfg_error(l, base, false, "missing required key \"%s\"",
			    key);
		return NULL;
	}
	if (!json_is_array(v)) {
		cfg_error(l, p, false, "expected an array, found %s",
		    type_name(v));
		return NULL;
	}
	if (required && json_array_size(v) == 0) {
		cfg_error(l, p, false, "expected at least one entry");
		return NULL;
	}
	return v;
}

static bool
is_object(struct loader *l, json_t *v, const char *path)
{
	if (json_is_object(v))
		return true;
	cfg_error(l, path, false, "expected an object, found %s",
	    type_name(v));
	return false;
}

static bool
is_url(const char *s, bool https_or_http)
{
	if (https_or_http)
		return strncmp(s, "https://", 8) == 0 ||
		    strncmp(s, "http://", 7) == 0;
	return strstr(s, "://") != NULL;
}

static bool
known_alg(const char *alg)
{
	size_t	i;

	for (i = 0; algs[i] != NULL; i++)
		if (strcmp(algs[i], alg) == 0)
			return true;
	return false;
}

static void
load_keys(struct loader *l, struct s2o_config *c, json_t *arr)
{
	json_t	*k;
	char	 base[64], p[512], *file;
	size_t	 i, j, nactive = 0;

	if ((c->signing_keys = calloc(json_array_size(arr),
	    sizeof(*c->signing_keys))) == NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(arr, i, k) {
		struct s2o_config_key *key = &c->signing_keys[i];

		c->nsigning_keys++;
		idx(base, sizeof(base), "signing_keys", i);
		if (!is_object(l, k, base))
			continue;
		check_unknown(l, k, base, key_keys);
		key->kid = get_str(l, k, base, "kid", true);
		key->alg = get_str(l, k, base, "alg", false);
		if (key->alg == NULL && json_object_get(k, "alg") == NULL &&
		    (key->alg = strdup("RS256")) == NULL)
			l->oom = true;
		if (key->alg != NULL && !known_alg(key->alg))
			cfg_error(l, sub(p, sizeof(p), base, "alg"), false,
			    "unsupported algorithm \"%s\" (RS256, RS384, RS512, "
			    "ES256 or ES384)", key->alg);
		key->active = get_bool(l, k, base, "active");
		nactive += key->active;
		for (j = 0; j < i && key->kid != NULL; j++)
			if (c->signing_keys[j].kid != NULL &&
			    strcmp(c->signing_keys[j].kid, key->kid) == 0)
				cfg_error(l, sub(p, sizeof(p), base, "kid"),
				    false, "kid \"%s\" is used twice",
				    key->kid);
		sub(p, sizeof(p), base, "private_key_file");
		if ((file = get_str(l, k, base, "private_key_file", true)) !=
		    NULL && cfg_pem_read(l, p, file, &key->private_key) == 0 &&
		    key->alg != NULL)
			cfg_check_private_key(l, p, &key->private_key, key->alg,
			    false);
		free(file);
	}
	if (nactive > 1)
		cfg_error(l, "signing_keys", false, "%zu keys are marked active;"
		    " at most one signs", nactive);
	else if (nactive == 0 && c->nsigning_keys > 0)
		c->signing_keys[0].active = true;
}

static void
load_sp(struct loader *l, struct s2o_config *c, json_t *sp)
{
	char	*file, p[64];

	if (sp == NULL) {
		cfg_error(l, "", false, "missing required key \"sp\"");
		return;
	}
	if (!is_object(l, sp, "sp"))
		return;
	check_unknown(l, sp, "sp", sp_keys);
	c->sp.entity_id = get_str(l, sp, "sp", "entity_id", true);
	c->sp.acs_url = get_str(l, sp, "sp", "acs_url", true);
	if (c->sp.acs_url != NULL && !is_url(c->sp.acs_url, true))
		cfg_error(l, "sp.acs_url", false, "expected an absolute http(s) "
		    "URL, found \"%s\"", c->sp.acs_url);
	s2o_strlcpy(p, "sp.decryption_key_file", sizeof(p));
	if ((file = get_str(l, sp, "sp", "decryption_key_file", false)) !=
	    NULL && cfg_pem_read(l, p, file, &c->sp.decryption_key) == 0)
		cfg_check_private_key(l, p, &c->sp.decryption_key, "", true);
	free(file);
}

static void
load_connection(struct loader *l, struct s2o_config *c, json_t *o,
    const char *base)
{
	struct s2o_connection	*k = &c->connections[c->nconnections++];
	json_t			*certs, *v;
	char			 p[512], *file;
	size_t			 i;

	if (!is_object(l, o, base))
		return;
	check_unknown(l, o, base, conn_keys);
	k->name = get_str(l, o, base, "name", true);
	if (k->name != NULL && strspn(k->name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(k->name))
		cfg_error(l, sub(p, sizeof(p), base, "name"), false, "use only "
		    "letters, digits, '.', '_' and '-'");
	k->idp_entity_id = get_str(l, o, base, "idp_entity_id", true);
	k->default_client = get_str(l, o, base, "default_client", false);
	k->allow_sha1 = get_bool(l, o, base, "allow_sha1");
	k->allow_rsa_1024 = get_bool(l, o, base, "allow_rsa_1024");
	k->allow_idp_initiated = get_bool(l, o, base, "allow_idp_initiated");
	if ((file = get_str(l, o, base, "mappings_file", true)) != NULL) {
		struct s2o_pem	m;

		/* mappings are map/'s to parse; here only its existence */
		memset(&m, 0, sizeof(m));
		sub(p, sizeof(p), base, "mappings_file");
		if (cfg_pem_read(l, p, file, &m) == 0) {
			k->mappings_file = m.path;
			m.path = NULL;
		}
		cfg_pem_free(&m, false);
		free(file);
	}
	if ((certs = get_array(l, o, base, "idp_certificates", true)) == NULL)
		return;
	if ((k->idp_certificates = calloc(json_array_size(certs),
	    sizeof(*k->idp_certificates))) == NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(certs, i, v) {
		char	cp[512];

		idx(cp, sizeof(cp), sub(p, sizeof(p), base,
		    "idp_certificates"), i);
		if (!json_is_string(v)) {
			cfg_error(l, cp, false, "expected a file name, found %s",
			    type_name(v));
			continue;
		}
		if (cfg_pem_read(l, cp, json_string_value(v),
		    &k->idp_certificates[k->nidp_certificates]) == 0)
			cfg_check_certificate(l, cp, &k->idp_certificates[
			    k->nidp_certificates++], k->allow_rsa_1024);
	}
}

static void
load_client(struct loader *l, struct s2o_config *c, json_t *o,
    const char *base)
{
	struct s2o_client	*k = &c->clients[c->nclients++];
	json_t			*uris, *v;
	char			 p[512], up[512];
	size_t			 i;

	if (!is_object(l, o, base))
		return;
	check_unknown(l, o, base, client_keys);
	k->client_id = get_str(l, o, base, "client_id", true);
	k->client_secret = get_str(l, o, base, "client_secret", false);
	if (k->client_secret != NULL && strlen(k->client_secret) < 16)
		cfg_error(l, sub(p, sizeof(p), base, "client_secret"), false,
		    "too short: use at least 16 characters");
	if ((uris = get_array(l, o, base, "redirect_uris", true)) == NULL)
		return;
	if ((k->redirect_uris = calloc(json_array_size(uris),
	    sizeof(char *))) == NULL) {
		l->oom = true;
		return;
	}
	sub(p, sizeof(p), base, "redirect_uris");
	json_array_foreach(uris, i, v) {
		idx(up, sizeof(up), p, i);
		if (!json_is_string(v) || !is_url(json_string_value(v), false)
		    || strchr(json_string_value(v), '#') != NULL) {
			cfg_error(l, up, false, "expected an absolute URL without "
			    "a fragment");
			continue;
		}
		if ((k->redirect_uris[k->nredirect_uris++] =
		    strdup(json_string_value(v))) == NULL)
			l->oom = true;
	}
}

static void
cross_check(struct loader *l, struct s2o_config *c)
{
	const char	*names[64];
	char		 p[512], base[64];
	size_t		 i, j, n;

	for (i = 0; i < c->nconnections; i++) {
		struct s2o_connection *k = &c->connections[i];

		idx(base, sizeof(base), "connections", i);
		for (j = 0; j < i; j++) {
			if (k->name && c->connections[j].name &&
			    strcmp(k->name, c->connections[j].name) == 0)
				cfg_error(l, sub(p, sizeof(p), base, "name"),
				    false, "connection \"%s\" is defined twice",
				    k->name);
			if (k->idp_entity_id && c->connections[j].idp_entity_id
			    && strcmp(k->idp_entity_id,
			    c->connections[j].idp_entity_id) == 0)
				cfg_error(l, sub(p, sizeof(p), base,
				    "idp_entity_id"), false, "connections[%zu] "
				    "has the same idp_entity_id", j);
		}
		if (k->default_client == NULL ||
		    s2o_config_client(c, k->default_client) != NULL)
			continue;
		for (n = 0; n < c->nclients && n < 63; n++)
			names[n] = c->clients[n].client_id ?
			    c->clients[n].client_id : "";
		names[n] = NULL;
		if (s2o_str_nearest(k->default_client, names) != NULL)
			cfg_error(l, sub(p, sizeof(p), base, "default_client"),
			    false, "no client \"%s\" is configured (did you "
			    "mean \"%s\"?)", k->default_client,
			    s2o_str_nearest(k->default_client, names));
		else
			cfg_error(l, sub(p, sizeof(p), base, "default_client"),
			    false, "no client \"%s\" is configured",
			    k->default_client);
	}
	for (i = 0; i < c->nclients; i++)
		for (j = 0; j < i; j++)
			if (c->clients[i].client_id && c->clients[j].client_id
			    && strcmp(c->clients[i].client_id,
			    c->clients[j].client_id) == 0)
				cfg_error(l, sub(p, sizeof(p), idx(base,
				    sizeof(base), "clients", i), "client_id"),
				    false, "client \"%s\" is defined twice",
				    c->clients[i].client_id);
}

static void
load_root(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *v;
	char	 base[64];
	size_t	 i;

	check_unknown(l, root, "", top_keys);
	c->issuer = get_str(l, root, "", "issuer", true);
	if (c->issuer != NULL && !is_url(c->issuer, true))
		cfg_error(l, "issuer", false, "expected an absolute http(s) URL, "
		    "found \"%s\"", c->issuer);
	if ((c->listen = get_str(l, root, "", "listen", false)) == NULL &&
	    json_object_get(root, "listen") == NULL &&
	    (c->listen = strdup("127.0.0.1:8080")) == NULL)
		l->oom = true;
	c->id_token_ttl = get_int(l, root, "", "id_token_ttl", 300, 1, 86400);
	c->clock_skew = get_int(l, root, "", "clock_skew", 120, 0, 3600);
	c->max_response_bytes = (size_t)get_int(l, root, "",
	    "max_response_bytes", S2O_SAML_MAX_RESPONSE, 1024, 67108864);
	if ((arr = get_array(l, root, "", "signing_keys", true)) != NULL)
		load_keys(l, c, arr);
	load_sp(l, c, json_object_get(root, "sp"));
	if ((arr = get_array(l, root, "", "clients", false)) != NULL &&
	    (c->clients = calloc(json_array_size(arr) + 1,
	    sizeof(*c->clients))) != NULL)
		json_array_foreach(arr, i, v)
			load_client(l, c, v, idx(base, sizeof(base), "clients",
			    i));
	if ((arr = get_array(l, root, "", "connections", true)) != NULL &&
	    (c->connections = calloc(json_array_size(arr),
	    sizeof(*c->connections))) != NULL)
		json_array_foreach(arr, i, v)
			load_connection(l, c, v, idx(base, sizeof(base),
			    "connections", i));
	cross_check(l, c);
}

struct s2o_config *
s2o_config_load(const char *path, struct s2o_diags *diags,
    struct s2o_err *err)
{
	struct s2o_config	*c;
	struct loader		 l;
	struct s2o_buf		 b;
	json_error_t		 je;
	json_t			*root = NULL;
	char			*tmp;

	memset(&l, 0, sizeof(l));
	l.file = path;
	l.diags = diags;
	l.err = err;
	s2o_buf_init(&b, S2O_CONFIG_MAX_FILE);
	if (s2o_buf_read_file(&b, path, err) == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL || (tmp = strdup(path)) == NULL) {
		free(c ? c->path : NULL);
		free(c);
		s2o_buf_cleanup(&b);
		s2o_err_oom(err);
		return NULL;
	}
	c->dir = strdup(dirname(tmp));
	free(tmp);
	l.dir = c->dir ? c->dir : ".";
	root = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		s2o_diags_add(diags, S2O_DIAG_ERROR, S2O_R_CONFIG_INVALID, path,
		    (unsigned int)je.line, (unsigned int)je.column, NULL, err,
		    "%s", je.text);
	else if (!json_is_object(root))
		s2o_diags_add(diags, S2O_DIAG_ERROR, S2O_R_CONFIG_INVALID, path,
		    1, 1, NULL, err, "expected a JSON object");
	else if ((l.jp = s2o_jsonpos_new(b.data, b.len, err)) != NULL)
		load_root(&l, c, root);
	json_decref(root);
	s2o_jsonpos_free(l.jp);
	s2o_buf_cleanup(&b);
	if (l.oom)
		s2o_err_oom(err);
	if (l.oom || diags->nerrors > 0 || s2o_err_is_set(err)) {
		if (diags->nerrors > 0) {
			size_t i;

			for (i = 0; i < diags->n; i++)
				if (diags->v[i].severity == S2O_DIAG_ERROR)
					break;
			s2o_err_set(err, S2O_R_CONFIG_INVALID, "%s",
			    diags->v[i].text);
		}
		s2o_config_free(c);
		return NULL;
	}
	return c;
}

void
s2o_config_free(struct s2o_config *c)
{
	size_t	i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsigning_keys; i++) {
		free(c->signing_keys[i].kid);
		free(c->signing_keys[i].alg);
		cfg_pem_free(&c->signing_keys[i].private_key, true);
	}
	free(c->signing_keys);
	free(c->sp.entity_id);
	free(c->sp.acs_url);
	cfg_pem_free(&c->sp.decryption_key, true);
	for (i = 0; i < c->nconnections; i++) {
		struct s2o_connection *k = &c->connections[i];

		free(k->name);
		free(k->idp_entity_id);
		for (j = 0; j < k->nidp_certificates; j++)
			cfg_pem_free(&k->idp_certificates[j], false);
		free(k->idp_certificates);
		free(k->mappings_file);
		free(k->default_client);
	}
	free(c->connections);
	for (i = 0; i < c->nclients; i++) {
		free(c->clients[i].client_id);
		if (c->clients[i].client_secret != NULL)
			OPENSSL_cleanse(c->clients[i].client_secret,
			    strlen(c->clients[i].client_secret));
		free(c->clients[i].client_secret);
		for (j = 0; j < c->clients[i].nredirect_uris; j++)
			free(c->clients[i].redirect_uris[j]);
		free(c->clients[i].redirect_uris);
	}
	free(c->clients);
	free(c->issuer);
	free(c->listen);
	free(c->path);
	free(c->dir);
	free(c);
}

const struct s2o_connection *
s2o_config_connection(const struct s2o_config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nconnections; i++)
		if (c->connections[i].name != NULL &&
		    strcmp(c->connections[i].name, name) == 0)
			return &c->connections[i];
	return NULL;
}

const struct s2o_connection *
s2o_config_connection_by_issuer(const struct s2o_config *c, const char *iss)
{
	size_t	i;

	for (i = 0; i < c->nconnections; i++)
		if (c->connections[i].idp_entity_id != NULL &&
		    strcmp(c->connections[i].idp_entity_id, iss) == 0)
			return &c->connections[i];
	return NULL;
}

const struct s2o_client *
s2o_config_client(const struct s2o_config *c, const char *client_id)
{
	size_t	i;

	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].client_id != NULL &&
		    strcmp(c->clients[i].client_id, client_id) == 0)
			return &c->clients[i];
	return NULL;
}
