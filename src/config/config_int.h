/* SPDX-License-Identifier: MIT */
/*
 * Private to config/: the loader's state and the helpers its files share.
 * config.c owns the diagnostics and the typed accessors of JSON members
 * plus the top level, keys.c the signing keys and the SP, connection.c the
 * connections and clients, pem.c reading files and checking certificates
 * and keys with OpenSSL. jansson and OpenSSL types stay inside config/.
 */
#ifndef S2O_CONFIG_INT_H
#define S2O_CONFIG_INT_H

#include <sys/types.h>

#include <jansson.h>

#include "config/config.h"

/* bytes, a JSON path built by the loader (known keys and indices) */
#define CFG_PATH_MAX	256

struct loader {
	const char		*file;	/* as given, for messages */
	const char		*dir;	/* relative paths resolve here */
	struct s2o_jsonpos	*jp;
	struct s2o_diags	*diags;
	bool			 oom;	/* an allocation failed somewhere */
};

/* ---- config.c --------------------------------------------------------- */

/* Adds an error at the value at path (the key's position when at_key). */
void	 cfg_error(struct loader *l, const char *path, bool at_key,
	    const char *fmt, ...) S2O_PRINTF(4, 5);
void	 cfg_warn(struct loader *l, const char *path, const char *fmt, ...)
	    S2O_PRINTF(3, 4);

/* "base.key" (or base["key"]) and "base[i]" into out (CFG_PATH_MAX). */
const char *cfg_path(char *out, const char *base, const char *key);
const char *cfg_index(char *out, const char *base, size_t i);
/* How a value is shown after "found": "\"300\"", "12", "an object". */
const char *cfg_found(const json_t *v, char *buf, size_t size);

/* An error for every member of obj not in known (NULL-terminated). */
void	 cfg_check_keys(struct loader *l, json_t *obj, const char *base,
	    const char *const *known);
/*
 * The member key of obj. Absent: NULL, and when required an error at obj
 * (base) naming the missing key.
 */
json_t	*cfg_member(struct loader *l, json_t *obj, const char *base,
	    const char *key, bool required);
/* A copy of a non-empty string member (caller frees); NULL when absent or
 * wrong (error added). A secret's value is never shown. */
char	*cfg_string(struct loader *l, json_t *obj, const char *base,
	    const char *key, bool required, bool secret);
/* A copy of the string v at path, or NULL with an error. */
char	*cfg_string_value(struct loader *l, json_t *v, const char *path);
bool	 cfg_bool(struct loader *l, json_t *obj, const char *base,
	    const char *key, bool dflt);
/* The integer member key of obj (top level: key is its path), from min
 * to max; dflt when absent or wrong (error added, "expected WHAT"). */
long	 cfg_int(struct loader *l, json_t *obj, const char *key, long dflt,
	    long min, long max, const char *what);
/* An array member; when required it must be present and non-empty. */
json_t	*cfg_array(struct loader *l, json_t *obj, const char *base,
	    const char *key, bool required);
/* True when v is an object; otherwise an error at path. */
bool	 cfg_is_object(struct loader *l, json_t *v, const char *path);
/* An absolute URL: scheme ":" rest, "//host" for http(s), no white space
 * or control characters. */
bool	 cfg_is_absolute_url(const char *s, bool http_only);

/* ---- keys.c ----------------------------------------------------------- */

void	 cfg_load_signing_keys(struct loader *l, struct s2o_config *c,
	    json_t *root);
void	 cfg_load_sp(struct loader *l, struct s2o_config *c, json_t *root);

/* ---- connection.c ----------------------------------------------------- */

void	 cfg_load_clients(struct loader *l, struct s2o_config *c,
	    json_t *root);
void	 cfg_load_connections(struct loader *l, struct s2o_config *c,
	    json_t *root);

/* ---- metadata.c ------------------------------------------------------ */

/* The metadata_* members of connection o into k->metadata; reads the
 * document on disk (metadata_file, or the cache copy of a metadata_url). */
void	 cfg_load_metadata(struct loader *l, struct s2o_connection *k,
	    json_t *o, const char *base);
void	 cfg_metadata_free(struct s2o_conn_metadata *md);

/* ---- serve.c ------------------------------------------------------------ */

/* The top-level keys only serving reads (trusted_proxies, code_ttl,
 * access_token_ttl, session_ttl, rate_limits) and the checks between
 * clients and connections; after clients and connections are loaded. */
void	 cfg_load_serve(struct loader *l, struct s2o_config *c, json_t *root);

/* ---- policies.c ------------------------------------------------------ */

/* The "policies" member of obj (at base) into out; absent leaves it
 * empty. Every CIDR range is checked. */
void	 cfg_load_policies(struct loader *l, json_t *obj, const char *base,
	    struct s2o_config_policies *out);
void	 cfg_policies_free(struct s2o_config_policies *p);
/*
 * A list of strings member (caller frees each and the array, which has a
 * NULL after the last); NULL when absent or wrong (error added).
 * nonempty: [] is an error. cidr: each entry must be a CIDR range.
 */
char	**cfg_string_list(struct loader *l, json_t *obj, const char *base,
	    const char *key, bool nonempty, bool cidr, size_t *n);
void	 cfg_string_list_free(char **v, size_t n);

/* ---- store.c ------------------------------------------------------- */

/* The top-level "store" and its store_* companions into c->store. */
void	 cfg_load_store(struct loader *l, struct s2o_config *c, json_t *root);
void	 cfg_store_free(struct s2o_config_store *st);

/* ---- orgs.c and rbac.c ---------------------------------------------- */

/* A list of non-empty strings (member key of obj at base); NULL when
 * absent or wrong. nonempty: [] is an error. unique: a repeated entry is
 * an error. Caller frees with cfg_string_list_free(). */
char	**cfg_name_list(struct loader *l, json_t *obj, const char *base,
	    const char *key, bool nonempty, bool unique, size_t *n);
/*
 * `apis`, `roles` and `organizations`, then the organization members of
 * connections and clients, then every reference among them (and in each
 * level's policies.audience_for_organization): an unknown name is an
 * error with the nearest configured one suggested. After connections
 * and clients are loaded.
 */
void	 cfg_load_orgs(struct loader *l, struct s2o_config *c, json_t *root);
void	 cfg_orgs_free(struct s2o_config *c);
/* rbac.c: `apis` and `roles` as written (references checked by orgs.c) */
void	 cfg_load_apis(struct loader *l, struct s2o_config *c, json_t *root);
void	 cfg_load_roles(struct loader *l, struct s2o_config *c, json_t *root);
void	 cfg_rbac_free(struct s2o_config *c);
/* The error "no THING \"want\" is configured (did you mean ...?)" at
 * path; names is NULL-terminated. */
void	 cfg_unknown(struct loader *l, const char *path, bool at_key,
	    const char *thing, const char *want, const char *const *names);

/* ---- pem.c ------------------------------------------------------------ */

/*
 * Reads the regular file full (shown as shown in messages) into b, at most
 * max bytes; *mode gets its permission bits when mode is not NULL. On
 * failure returns -1 with e set: S2O_R_IO "cannot read SHOWN: reason",
 * S2O_R_TOO_LARGE or S2O_R_INTERNAL.
 */
int	 cfg_read_regular(const char *full, const char *shown, size_t max,
	    struct s2o_buf *b, mode_t *mode, struct s2o_err *e);
/*
 * Resolves name (as written in the configuration, at JSON path path)
 * against the configuration's folder. Caller frees; NULL on OOM.
 */
char	*cfg_resolve(struct loader *l, const char *name);
/*
 * Reads the file name into out (path resolved, PEM text). On failure adds
 * an error at path and returns -1. mode as in cfg_read_regular.
 */
int	 cfg_pem_read(struct loader *l, const char *path, const char *name,
	    struct s2o_pem *out, mode_t *mode);
/* Frees p's members, wiping the text first when secret. */
void	 cfg_pem_free(struct s2o_pem *p, bool secret);
/* Checks that the file can be opened for reading as a regular file of at
 * most max bytes; returns the resolved path (caller frees) or NULL with an
 * error at path. */
char	*cfg_file_check(struct loader *l, const char *path, const char *name,
	    size_t max);

/*
 * What a private key is, for checks and messages: its kind ("an RSA
 * 2048-bit key"), whether it is RSA and its size, or its EC curve.
 */
struct cfg_keyinfo {
	bool		 rsa, ec;
	int		 bits;
	const char	*curve;		/* "P-256", "P-384", ... or NULL */
	char		 kind[96];
};

/* Parses an unencrypted PEM private key; -1 with an error at path
 * naming name when pem holds none. */
int	 cfg_private_key_info(struct loader *l, const char *path,
	    const char *name, const struct s2o_pem *pem,
	    struct cfg_keyinfo *ki);
/* Checks one IdP certificate file (exactly one certificate; RSA of 2048
 * bits, or 1024 with allow_rsa_1024; or EC). */
void	 cfg_check_certificate(struct loader *l, const char *path,
	    const char *name, const struct s2o_pem *pem, bool allow_rsa_1024);
/* The permission warning for a private key file of mode mode. */
void	 cfg_check_key_mode(struct loader *l, const char *path,
	    const char *name, mode_t mode);

#endif
