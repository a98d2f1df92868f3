/* SPDX-License-Identifier: MIT */
/*
 * Loading the bridge's JSON configuration: the top level, the
 * diagnostics, and the typed accessors every part of the schema uses.
 * jansson parses (rejecting duplicate keys); core's jsonpos says where each
 * value sits, so every problem reads FILE:LINE:COL: PATH: message. The
 * loader goes on after a problem and reports all of them, sorted by
 * position, then fails if any was an error. An unknown key is always an
 * error with the nearest known key suggested: a typo must never be
 * silently ignored. keys.c, connection.c and pem.c hold the rest.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/config_int.h"

static const char *const top_keys[] = { "issuer", "listen", "signing_keys",
    "id_token_ttl", "clock_skew", "max_response_bytes", "max_token_bytes",
    "amr", "sp", "connections", "clients", "policies", "trusted_proxies",
    "code_ttl", "access_token_ttl", "session_ttl", "rate_limits", "store",
    "store_password_env", "store_username_env", "store_prefix",
    "store_timeout_ms", "organizations", "apis", "roles", NULL };

#define DEFAULT_LISTEN		"127.0.0.1:8080"
#define DEFAULT_ID_TOKEN_TTL	300	/* seconds */
#define MAX_ID_TOKEN_TTL	86400	/* seconds: a day */
#define DEFAULT_CLOCK_SKEW	120	/* seconds */
#define MAX_CLOCK_SKEW		3600	/* seconds */
#define MIN_RESPONSE_BYTES	1024	/* bytes */
#define MAX_RESPONSE_BYTES	67108864	/* bytes: 64 MiB */
#define SHOWN_PATH_MAX		200	/* bytes of a JSON path shown */
#define SHOWN_VALUE_MAX		60	/* bytes of a string value shown */

/* ---- diagnostics ------------------------------------------------------ */

static void
cfg_vadd(struct loader *l, enum s2o_diag_severity sev, const char *path,
    bool at_key, const char *fmt, va_list ap)
{
	char		raw[1024], msg[1024], shown[SHOWN_PATH_MAX + 8];
	unsigned int	line = 0, col = 0;
	struct s2o_err	e;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* messages quote the admin's strings: no control character may
	 * reach a terminal or a log line */
	s2o_str_excerpt(msg, sizeof(msg), raw, sizeof(msg) - 8);
	if (at_key)
		s2o_jsonpos_key(l->jp, path, &line, &col);
	else
		s2o_jsonpos_value(l->jp, path, &line, &col);
	/* an unknown key may be long or hold control characters */
	s2o_str_excerpt(shown, sizeof(shown), path, SHOWN_PATH_MAX);
	s2o_err_clear(&e);
	if (s2o_diags_add(l->diags, sev, S2O_R_CONFIG_INVALID, l->file, line,
	    col, shown, &e, "%s", msg) == -1)
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

/*
 * Orders the problems this load added by position, those without one
 * first, keeping the loader's order among equals (insertion sort: stable,
 * and the lists are short). An admin reads the file top to bottom.
 */
static void
sort_diags(struct s2o_diags *d, size_t from)
{
	struct s2o_diag	t;
	size_t		i, j;

	for (i = from + 1; i < d->n; i++) {
		t = d->v[i];
		for (j = i; j > from && (d->v[j - 1].line > t.line ||
		    (d->v[j - 1].line == t.line &&
		    d->v[j - 1].column > t.column)); j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = t;
	}
}

/* ---- paths and values ------------------------------------------------- */

const char *
cfg_path(char *out, const char *base, const char *key)
{
	struct s2o_buf	b;
	struct s2o_err	e;

	s2o_err_clear(&e);
	s2o_buf_init(&b, CFG_PATH_MAX - 1);
	if (s2o_buf_adds(&b, base, &e) == -1 ||
	    s2o_jsonpath_key(&b, key, &e) == -1 || b.data == NULL)
		s2o_strlcpy(out, key, CFG_PATH_MAX);	/* known keys: never */
	else
		s2o_strlcpy(out, b.data, CFG_PATH_MAX);
	s2o_buf_cleanup(&b);
	return out;
}

const char *
cfg_index(char *out, const char *base, size_t i)
{
	/* a path longer than CFG_PATH_MAX is cut: only messages use it */
	if (snprintf(out, CFG_PATH_MAX, "%s[%zu]", base, i) >= CFG_PATH_MAX)
		out[CFG_PATH_MAX - 1] = '\0';
	return out;
}

const char *
cfg_found(const json_t *v, char *buf, size_t size)
{
	char	ex[SHOWN_VALUE_MAX + 8];

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		s2o_strlcpy(buf, "an object", size);
		break;
	case JSON_ARRAY:
		s2o_strlcpy(buf, json_array_size(v) ? "an array" : "[]", size);
		break;
	case JSON_STRING:
		snprintf(buf, size, "\"%s\"", s2o_str_excerpt(ex, sizeof(ex),
		    json_string_value(v), SHOWN_VALUE_MAX));
		break;
	case JSON_INTEGER:
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, size, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		s2o_strlcpy(buf, "true", size);
		break;
	case JSON_FALSE:
		s2o_strlcpy(buf, "false", size);
		break;
	default:
		s2o_strlcpy(buf, "null", size);
		break;
	}
	return buf;
}

void
cfg_check_keys(struct loader *l, json_t *obj, const char *base,
    const char *const *known)
{
	struct s2o_buf	 b;
	struct s2o_err	 e;
	const char	*k, *near;
	json_t		*v;
	size_t		 i;

	json_object_foreach(obj, k, v) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], k) == 0)
				break;
		if (known[i] != NULL)
			continue;
		/* built whole (not in a fixed buffer): its position is
		 * found by the exact path */
		s2o_err_clear(&e);
		s2o_buf_init(&b, S2O_CONFIG_MAX_FILE);
		if (s2o_buf_adds(&b, base, &e) == -1 ||
		    s2o_jsonpath_key(&b, k, &e) == -1) {
			l->oom = true;
			s2o_buf_cleanup(&b);
			continue;
		}
		if ((near = s2o_str_nearest(k, known)) != NULL)
			cfg_error(l, b.data, true, "unknown key (did you mean "
			    "\"%s\"?)", near);
		else
			cfg_error(l, b.data, true, "unknown key");
		s2o_buf_cleanup(&b);
	}
}

json_t *
cfg_member(struct loader *l, json_t *obj, const char *base, const char *key,
    bool required)
{
	json_t	*v = json_object_get(obj, key);

	if (v == NULL && required)
		cfg_error(l, base, false, "missing required key \"%s\"", key);
	return v;
}

/* The type of v, for values never shown (secrets). */
static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static char *
string_value(struct loader *l, json_t *v, const char *path, bool secret)
{
	char	 found[SHOWN_VALUE_MAX + 16];
	char	*s;

	if (!json_is_string(v)) {
		cfg_error(l, path, false, "expected a string, found %s",
		    secret ? type_name(v) : cfg_found(v, found,
		    sizeof(found)));
		return NULL;
	}
	if (json_string_length(v) == 0) {
		cfg_error(l, path, false, "must not be empty");
		return NULL;
	}
	/* jansson rejects \u0000 unless asked (JSON_ALLOW_NUL), so the
	 * C string is the whole value */
	if ((s = strdup(json_string_value(v))) == NULL)
		l->oom = true;
	return s;
}

char *
cfg_string_value(struct loader *l, json_t *v, const char *path)
{
	return string_value(l, v, path, false);
}

char *
cfg_string(struct loader *l, json_t *obj, const char *base, const char *key,
    bool required, bool secret)
{
	json_t	*v = cfg_member(l, obj, base, key, required);
	char	 p[CFG_PATH_MAX];

	if (v == NULL)
		return NULL;
	return string_value(l, v, cfg_path(p, base, key), secret);
}

bool
cfg_bool(struct loader *l, json_t *obj, const char *base, const char *key,
    bool dflt)
{
	json_t	*v = json_object_get(obj, key);
	char	 p[CFG_PATH_MAX], found[SHOWN_VALUE_MAX + 16];

	if (v == NULL)
		return dflt;
	if (!json_is_boolean(v)) {
		cfg_error(l, cfg_path(p, base, key), false, "expected true or "
		    "false, found %s", cfg_found(v, found, sizeof(found)));
		return dflt;
	}
	return json_is_true(v);
}

/*
 * An integer member from min to max; dflt when absent or wrong. what
 * describes the range in the message ("an integer from 0 to 3600", true); when
 * it names no upper bound (what_has_max false: "a positive integer"), a
 * value above max gets its own message.
 */
/*
 * "amr": {"<AuthnContextClassRef>": ["mfa", "pwd"], ...}: how this
 * deployment's IdPs name their authentication methods, ahead of the
 * built-in table (docs/tokens.md).
 */
static void
load_amr(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t		*obj, *arr, *v;
	const char	*k;
	char		 p[CFG_PATH_MAX], vp[CFG_PATH_MAX], found[96];
	size_t		 i;

	if ((obj = cfg_member(l, root, "", "amr", false)) == NULL ||
	    !cfg_is_object(l, obj, "amr"))
		return;
	if ((c->amr_rules = calloc(json_object_size(obj) + 1,
	    sizeof(*c->amr_rules))) == NULL) {
		l->oom = true;
		return;
	}
	json_object_foreach(obj, k, arr) {
		struct s2o_amr_rule *r = &c->amr_rules[c->namr_rules];

		cfg_path(p, "amr", k);
		if (!json_is_array(arr)) {
			cfg_error(l, p, false, "expected an array of amr values "
			    "(RFC 8176), found %s", cfg_found(arr, found,
			    sizeof(found)));
			continue;
		}
		if ((r->class_ref = strdup(k)) == NULL || (r->amr = calloc(
		    json_array_size(arr) + 1, sizeof(char *))) == NULL) {
			free(r->class_ref);
			r->class_ref = NULL;
			l->oom = true;
			return;
		}
		c->namr_rules++;
		json_array_foreach(arr, i, v) {
			char *s = cfg_string_value(l, v, cfg_index(vp, p, i));

			if (s != NULL)
				r->amr[r->namr++] = s;
		}
	}
}

static long
int_member(struct loader *l, json_t *obj, const char *key, long dflt,
    long min, long max, const char *what, bool what_has_max)
{
	json_t		*v = json_object_get(obj, key);
	char		 found[SHOWN_VALUE_MAX + 16];
	json_int_t	 n;

	if (v == NULL)
		return dflt;
	n = json_is_integer(v) ? json_integer_value(v) : 0;
	if (!json_is_integer(v) || n < min || (n > max &&
	    what_has_max)) {
		cfg_error(l, key, false, "expected %s, found %s", what,
		    cfg_found(v, found, sizeof(found)));
		return dflt;
	}
	if (n > max) {
		cfg_error(l, key, false, "expected at most %ld, found %"
		    JSON_INTEGER_FORMAT, max, n);
		return dflt;
	}
	return (long)n;
}

long
cfg_int(struct loader *l, json_t *obj, const char *key, long dflt, long min,
    long max, const char *what)
{
	return int_member(l, obj, key, dflt, min, max, what, true);
}

json_t *
cfg_array(struct loader *l, json_t *obj, const char *base, const char *key,
    bool required)
{
	json_t	*v = cfg_member(l, obj, base, key, required);
	char	 p[CFG_PATH_MAX], found[SHOWN_VALUE_MAX + 16];

	if (v == NULL)
		return NULL;
	cfg_path(p, base, key);
	if (!json_is_array(v)) {
		cfg_error(l, p, false, "expected an array, found %s",
		    cfg_found(v, found, sizeof(found)));
		return NULL;
	}
	if (required && json_array_size(v) == 0) {
		cfg_error(l, p, false, "expected at least one entry, found []");
		return NULL;
	}
	return v;
}

bool
cfg_is_object(struct loader *l, json_t *v, const char *path)
{
	char	found[SHOWN_VALUE_MAX + 16];

	if (json_is_object(v))
		return true;
	cfg_error(l, path, false, "expected an object, found %s",
	    cfg_found(v, found, sizeof(found)));
	return false;
}

bool
cfg_is_absolute_url(const char *s, bool http_only)
{
	const char	*p;

	/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;	/* no white space, no controls */
	p = s + strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+-.");
	if (*p != ':' || p[1] == '\0')
		return false;
	if (strncmp(s, "https:", 6) == 0 || strncmp(s, "http:", 5) == 0) {
		p++;
		/* an http(s) URL needs an authority with a host */
		return p[0] == '/' && p[1] == '/' && p[2] != '\0' &&
		    strchr("/?#:", p[2]) == NULL;
	}
	return !http_only;
}

/* ---- the top level ---------------------------------------------------- */

static void
load_listen(struct loader *l, struct s2o_config *c, json_t *root)
{
	const char	*colon;
	char		*end;
	long		 port;

	if (json_object_get(root, "listen") == NULL) {
		if ((c->listen = strdup(DEFAULT_LISTEN)) == NULL)
			l->oom = true;
		return;
	}
	if ((c->listen = cfg_string(l, root, "", "listen", false, false)) ==
	    NULL)
		return;
	colon = strrchr(c->listen, ':');
	port = colon ? strtol(colon + 1, &end, 10) : 0;
	if (colon == NULL || colon == c->listen || colon[1] < '0' ||
	    colon[1] > '9' || *end != '\0' || port < 1 || port > 65535)
		cfg_error(l, "listen", false, "expected \"host:port\" with a "
		    "port from 1 to 65535, found \"%s\"", c->listen);
}

static void
load_root(struct loader *l, struct s2o_config *c, json_t *root)
{
	cfg_check_keys(l, root, "", top_keys);
	c->issuer = cfg_string(l, root, "", "issuer", true, false);
	/* OpenID Connect Discovery §3: an https URL (http for local use)
	 * with no query or fragment, compared as a string by clients */
	if (c->issuer != NULL && (!cfg_is_absolute_url(c->issuer, true) ||
	    strpbrk(c->issuer, "?#") != NULL))
		cfg_error(l, "issuer", false, "expected an absolute http(s) URL "
		    "without query or fragment, found \"%s\"", c->issuer);
	load_listen(l, c, root);
	c->id_token_ttl = int_member(l, root, "id_token_ttl",
	    DEFAULT_ID_TOKEN_TTL, 1, MAX_ID_TOKEN_TTL, "a positive integer",
	    false);
	c->clock_skew = int_member(l, root, "clock_skew", DEFAULT_CLOCK_SKEW,
	    0, MAX_CLOCK_SKEW, "an integer from 0 to 3600", true);
	c->max_response_bytes = (size_t)int_member(l, root,
	    "max_response_bytes", S2O_SAML_MAX_RESPONSE, MIN_RESPONSE_BYTES,
	    MAX_RESPONSE_BYTES, "an integer from 1024 to 67108864", true);
	c->max_token_bytes = (size_t)int_member(l, root, "max_token_bytes",
	    S2O_TOKEN_MAX_DEFAULT, 1024, S2O_TOKEN_MAX_LIMIT,
	    "an integer from 1024 to 65536", true);
	load_amr(l, c, root);
	cfg_load_store(l, c, root);
	cfg_load_policies(l, root, "", &c->policies);
	cfg_load_signing_keys(l, c, root);
	cfg_load_sp(l, c, root);
	/* clients first: connections name their default client */
	cfg_load_clients(l, c, root);
	cfg_load_connections(l, c, root);
	cfg_load_serve(l, c, root);
	/* organizations, apis and roles: they refer to each other and are
	 * named by connections, clients and policies */
	cfg_load_orgs(l, c, root);
}

/* Adds a problem about the file as a whole (no JSON path). */
static void
file_problem(struct loader *l, enum s2o_reason reason, const char *file,
    unsigned int line, unsigned int col, const char *msg)
{
	struct s2o_err	e;

	s2o_err_clear(&e);
	if (s2o_diags_add(l->diags, S2O_DIAG_ERROR, reason, file, line, col,
	    NULL, &e, "%s", msg) == -1)
		l->oom = true;
}

static json_t *
parse(struct loader *l, const struct s2o_buf *b)
{
	json_error_t	 je;
	json_t		*root;
	struct s2o_err	 e;
	char		 found[SHOWN_VALUE_MAX + 16];

	if ((root = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES,
	    &je)) == NULL) {
		if (json_error_code(&je) == json_error_out_of_memory)
			l->oom = true;
		else
			file_problem(l, S2O_R_CONFIG_INVALID, l->file,
			    je.line > 0 ? (unsigned int)je.line : 0,
			    je.column > 0 ? (unsigned int)je.column : 0,
			    je.text);
		return NULL;
	}
	s2o_err_clear(&e);
	if ((l->jp = s2o_jsonpos_new(b->data, b->len, &e)) == NULL) {
		if (e.reason == S2O_R_INTERNAL)
			l->oom = true;
		else	/* nested deeper than jsonpos follows */
			file_problem(l, e.reason, l->file, e.line, e.column,
			    e.detail);
		json_decref(root);
		return NULL;
	}
	if (!json_is_object(root)) {
		/* "" is the root's path: its position, no path shown */
		cfg_error(l, "", false, "expected a JSON object, found %s",
		    cfg_found(root, found, sizeof(found)));
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The configuration shell: path, folder, nothing loaded yet. */
static struct s2o_config *
config_new(const char *path)
{
	struct s2o_config	*c;
	char			*tmp;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->path = strdup(path)) == NULL || (tmp = strdup(path)) == NULL) {
		s2o_config_free(c);
		return NULL;
	}
	/* dirname(3) may modify its argument and return static storage */
	c->dir = strdup(dirname(tmp));
	free(tmp);
	if (c->dir == NULL) {
		s2o_config_free(c);
		return NULL;
	}
	return c;
}

struct s2o_config *
s2o_config_load(const char *path, struct s2o_diags *diags,
    struct s2o_err *err)
{
	struct s2o_config	*c = NULL;
	struct loader		 l;
	struct s2o_buf		 b;
	struct s2o_err		 e;
	json_t			*root = NULL;
	size_t			 first = diags->n, nerrors = diags->nerrors, i;

	memset(&l, 0, sizeof(l));
	l.file = path;
	l.diags = diags;
	s2o_err_clear(&e);
	s2o_buf_init(&b, S2O_CONFIG_MAX_FILE);
	if (cfg_read_regular(path, path, S2O_CONFIG_MAX_FILE, &b, NULL,
	    &e) == -1) {
		if (e.reason == S2O_R_INTERNAL)
			l.oom = true;
		else	/* e.detail names the file */
			file_problem(&l, e.reason, NULL, 0, 0, e.detail);
	} else if ((c = config_new(path)) == NULL)
		l.oom = true;
	else if ((root = parse(&l, &b)) != NULL) {
		l.dir = c->dir;
		load_root(&l, c, root);
	}
	json_decref(root);
	s2o_jsonpos_free(l.jp);
	s2o_buf_cleanup_secret(&b);	/* the text holds client secrets */
	sort_diags(diags, first);
	if (l.oom)	/* first error wins: OOM is the deepest cause */
		s2o_err_oom(err);
	if (!l.oom && diags->nerrors == nerrors)
		return c;
	for (i = first; i < diags->n; i++)
		if (diags->v[i].severity == S2O_DIAG_ERROR) {
			s2o_err_set_at(err, diags->v[i].reason,
			    diags->v[i].line, diags->v[i].column, "%s",
			    diags->v[i].text);
			break;
		}
	s2o_config_free(c);
	return NULL;
}

/* ---- freeing and lookups ---------------------------------------------- */

static void
free_secret_string(char *s)
{
	if (s != NULL)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void
s2o_config_free(struct s2o_config *c)
{
	size_t	i, j;

	if (c == NULL)
		return;
	cfg_orgs_free(c);
	for (i = 0; i < c->nsigning_keys; i++) {
		free(c->signing_keys[i].kid);
		free(c->signing_keys[i].alg);
		cfg_pem_free(&c->signing_keys[i].private_key, true);
	}
	free(c->signing_keys);
	for (i = 0; i < c->namr_rules; i++) {
		for (j = 0; j < c->amr_rules[i].namr; j++)
			free(c->amr_rules[i].amr[j]);
		free(c->amr_rules[i].amr);
		free(c->amr_rules[i].class_ref);
	}
	free(c->amr_rules);
	free(c->sp.entity_id);
	free(c->sp.acs_url);
	cfg_pem_free(&c->sp.decryption_key, true);
	cfg_pem_free(&c->sp.signing_key, true);
	cfg_pem_free(&c->sp.decryption_certificate, false);
	cfg_pem_free(&c->sp.signing_certificate, false);
	for (i = 0; i < c->nconnections; i++) {
		struct s2o_connection *k = &c->connections[i];

		free(k->name);
		free(k->idp_entity_id);
		for (j = 0; j < k->nidp_certificates; j++)
			cfg_pem_free(&k->idp_certificates[j], false);
		free(k->idp_certificates);
		free(k->mappings_file);
		free(k->default_client);
		free(k->sso_url);
		free(k->name_id_format);
		cfg_policies_free(&k->policies);
		cfg_metadata_free(&k->metadata);
	}
	free(c->connections);
	for (i = 0; i < c->nclients; i++) {
		free(c->clients[i].client_id);
		free_secret_string(c->clients[i].client_secret);
		for (j = 0; j < c->clients[i].nredirect_uris; j++)
			free(c->clients[i].redirect_uris[j]);
		free(c->clients[i].redirect_uris);
		cfg_string_list_free(c->clients[i].allowed_connections,
		    c->clients[i].nallowed_connections);
		free(c->clients[i].initiate_login_uri);
		cfg_policies_free(&c->clients[i].policies);
	}
	free(c->clients);
	cfg_policies_free(&c->policies);
	cfg_string_list_free(c->trusted_proxies, c->ntrusted_proxies);
	cfg_store_free(&c->store);
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

	for (i = 0; c != NULL && name != NULL && i < c->nconnections; i++)
		if (c->connections[i].name != NULL &&
		    strcmp(c->connections[i].name, name) == 0)
			return &c->connections[i];
	return NULL;
}

const struct s2o_connection *
s2o_config_connection_by_issuer(const struct s2o_config *c, const char *iss)
{
	size_t	i;

	for (i = 0; c != NULL && iss != NULL && i < c->nconnections; i++)
		if (c->connections[i].idp_entity_id != NULL &&
		    strcmp(c->connections[i].idp_entity_id, iss) == 0)
			return &c->connections[i];
	return NULL;
}

const struct s2o_client *
s2o_config_client(const struct s2o_config *c, const char *client_id)
{
	size_t	i;

	for (i = 0; c != NULL && client_id != NULL && i < c->nclients; i++)
		if (c->clients[i].client_id != NULL &&
		    strcmp(c->clients[i].client_id, client_id) == 0)
			return &c->clients[i];
	return NULL;
}
