/* SPDX-License-Identifier: MIT */
/*
 * config/: loading and validating the bridge's JSON configuration.
 *
 * The loaded configuration is plain data, read-only after
 * s2o_config_load() returns, shared by every stage below the CLI: it is a
 * contract like struct s2o_assertion, so its fields are visible. Relative
 * paths are resolved against the configuration file's folder. Every
 * certificate and key named is read and checked at load time, and its PEM
 * text kept here, so no later stage opens a file; the stages that use a key
 * parse it once into their own library's type (xmlsec in saml/, OpenSSL in
 * token/).
 */
#ifndef S2O_CONFIG_H
#define S2O_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/core.h"

/* One PEM file, read and checked at load. */
struct s2o_pem {
	char		*path;		/* resolved path */
	char		*data;		/* PEM text, NUL-terminated */
	size_t		 len;
};

struct s2o_config_key {
	char		*kid;
	char		*alg;		/* "RS256", "ES256", ... */
	struct s2o_pem	 private_key;
	bool		 active;	/* the one that signs */
};

struct s2o_sp {
	char		*entity_id;
	char		*acs_url;
	struct s2o_pem	 decryption_key;	/* data NULL when not set */
	struct s2o_pem	 decryption_certificate; /* its certificate, or NULL */
	struct s2o_pem	 signing_key;		/* AuthnRequests; or NULL */
	struct s2o_pem	 signing_certificate;	/* its certificate (metadata) */
};

enum s2o_sso_binding { S2O_SSO_REDIRECT, S2O_SSO_POST };

/*
 * One level's `policies` object (top level, a connection, a client) as
 * written: policy/ compiles it (docs/policies.md). Ranges were checked
 * at load. A NULL list is absent; allow lists and group lists, when
 * present, hold at least one entry.
 */
struct s2o_config_policies {
	bool		 present;		/* the object was given */
	char		**deny_ip_ranges;	/* CIDR, or NULL */
	size_t		 ndeny_ip_ranges;
	char		**allow_ip_ranges;	/* CIDR, or NULL */
	size_t		 nallow_ip_ranges;
	bool		 require_email_verified;
	char		**allowed_groups;	/* or NULL */
	size_t		 nallowed_groups;
	bool		 require_mfa;
	char		**mfa_classes;		/* NULL: the built-in list */
	size_t		 nmfa_classes;
	/* audience_for_organization: an API identifier and the ids of the
	 * organizations whose members may get tokens for it */
	struct s2o_config_aud_org *aud_orgs;	/* or NULL */
	size_t		 naud_orgs;
};

struct s2o_config_aud_org {
	char		*audience;		/* an API's identifier */
	char		**orgs;			/* organization ids, >= 1 */
	size_t		 norgs;
};

/*
 * Where a connection's IdP metadata comes from (docs/metadata.md): a file,
 * or an https URL (http only on a loopback host) with a backing copy on
 * disk. config/ checks the members and reads the document that is on disk
 * at load (the file, or the cache copy when there is one); saml/ parses,
 * verifies and applies it (s2o_saml_config_metadata()). url and file are
 * never both set; present is false when neither is.
 */
struct s2o_conn_metadata {
	bool		 present;
	char		*file;			/* resolved path, or NULL */
	char		*url;			/* or NULL */
	char		*entity_id;		/* metadata_entity_id or NULL */
	struct s2o_pem	 signing_certificate;	/* data NULL: unsigned ok */
	long		 refresh_interval;	/* seconds */
	char		*cache_file;		/* resolved; url only */
	char		*document;		/* read at load, or NULL */
	size_t		 document_len;		/* bytes */
	const char	*document_from;		/* file or cache_file */
	/* where the source key sits in the configuration, for messages */
	char		*json_path;		/* "connections[0].metadata_url" */
	unsigned int	 line, column;
	/* what the applied metadata said (set by saml/) */
	time_t		 valid_until;		/* 0: unbounded */
	long		 cache_duration;	/* seconds; 0: not given */
};

struct s2o_connection {
	char		*name;
	char		*idp_entity_id;
	struct s2o_pem	*idp_certificates;	/* one or more (rollover) */
	size_t		 nidp_certificates;
	char		*mappings_file;		/* resolved path */
	char		*default_client;	/* NULL when not set */
	bool		 allow_sha1;		/* RSA-SHA1 / SHA-1 digests */
	bool		 allow_rsa_1024;	/* IdP RSA keys of 1024 bits */
	bool		 allow_idp_initiated;	/* unsolicited Responses */
	char		*sso_url;		/* the IdP's SSO endpoint or NULL */
	enum s2o_sso_binding sso_binding;	/* default redirect */
	bool		 sign_requests;		/* default: sp has a signing key */
	char		*name_id_format;	/* NameIDPolicy Format or NULL */
	struct s2o_config_policies policies;
	struct s2o_conn_metadata metadata;
	/* the organization of every user of this connection (an id), or
	 * the profile claim whose value names it; at most one is set */
	char		*organization;
	char		*organization_claim;
};

struct s2o_client {
	char		*client_id;
	char		*client_secret;		/* NULL for public clients */
	char		**redirect_uris;
	size_t		 nredirect_uris;
	bool		 require_pkce;		/* default true; false only
						   with a client_secret */
	char		**allowed_connections;	/* names, or NULL: all */
	size_t		 nallowed_connections;
	char		*initiate_login_uri;	/* OIDC Core §4, or NULL */
	struct s2o_config_policies policies;
	char		**organizations;	/* pinned: ids, or NULL */
	size_t		 norganizations;
	bool		 require_organization;	/* members only */
};

/* A key and its string value (organization metadata and the like). */
struct s2o_config_kv {
	char		*key;
	char		*value;
};

/* One of `organizations` (docs/organizations.md). */
struct s2o_config_org {
	char		*id;			/* "org_acme": org_id */
	char		*name;			/* "acme": org_name */
	char		*display_name;		/* or NULL */
	struct s2o_config_kv *metadata;		/* as written */
	size_t		 nmetadata;
	/* claim name (a URL) -> metadata key, in configuration order */
	struct s2o_config_kv *claims_from_metadata;
	size_t		 nclaims_from_metadata;
	char		**default_roles;	/* role names */
	size_t		 ndefault_roles;
	bool		 include_org_name;	/* org_name in tokens */
};

/* One of `apis`: an audience access tokens may be issued for. */
struct s2o_config_api {
	char		*identifier;		/* the aud of its tokens */
	char		**permissions;		/* scope tokens it defines */
	size_t		 npermissions;
	bool		 rbac;			/* scopes reduced by roles */
	bool		 add_permissions_in_token;
	char		**allowed_organizations;	/* ids, or NULL: any */
	size_t		 nallowed_organizations;
	struct s2o_config_policies policies;
};

/* One permission a role grants: both strings name configured things. */
struct s2o_config_grant {
	char		*api;			/* an API's identifier */
	char		*permission;		/* one of its permissions */
};

/* One of `roles`. */
struct s2o_config_role {
	char		*name;
	struct s2o_config_grant *permissions;
	size_t		 npermissions;
};

/* One endpoint's rate limit per client address: at most requests in
 * each window of per_seconds. requests 0: no limit. */
struct s2o_rate_limit {
	unsigned long	 requests;
	long		 per_seconds;
};

/* One row of the configuration's amr table (AuthnContextClassRef ->
 * RFC 8176 amr values); it comes before the built-in table of token/. */
struct s2o_amr_rule {
	char		*class_ref;
	char		**amr;		/* may be empty: acr only */
	size_t		 namr;
};

enum s2o_store_kind { S2O_STORE_MEMORY = 0, S2O_STORE_REDIS };

/*
 * The top-level "store" (docs/configuration.md): "memory", the default,
 * or a Redis server every instance shares, checked at load. The password
 * comes from the URL or from the environment variable named by
 * store_password_env; it is never shown (shown has no password).
 */
struct s2o_config_store {
	enum s2o_store_kind kind;
	char		*host;		/* redis: name or address */
	unsigned int	 port;		/* default 6379 */
	unsigned int	 db;		/* SELECT; default 0 */
	char		*username;	/* ACL user, or NULL */
	char		*password;	/* or NULL; wiped when freed */
	char		*prefix;	/* of every key; default "saml2oidc:" */
	unsigned int	 timeout_ms;	/* connect and each command; 1000 */
	char		*shown;		/* "memory" or "redis://host:port/db" */
};

struct s2o_config {
	char		*path;		/* as given */
	char		*dir;		/* folder relative paths resolve in */
	char		*issuer;
	char		*listen;
	struct s2o_config_key *signing_keys;
	size_t		 nsigning_keys;
	long		 id_token_ttl;		/* seconds, default 300 */
	long		 clock_skew;		/* seconds, default 120 */
	size_t		 max_response_bytes;	/* default S2O_SAML_MAX_RESPONSE */
	size_t		 max_token_bytes;	/* default S2O_TOKEN_MAX_DEFAULT */
	struct s2o_amr_rule *amr_rules;		/* config "amr", may be NULL */
	size_t		 namr_rules;
	struct s2o_sp	 sp;
	struct s2o_connection *connections;
	size_t		 nconnections;
	struct s2o_client *clients;
	size_t		 nclients;
	struct s2o_config_policies policies;	/* top level */
	char		**trusted_proxies;	/* CIDR ranges, or NULL */
	size_t		 ntrusted_proxies;
	long		 code_ttl;		/* seconds, default 60 */
	long		 access_token_ttl;	/* seconds, default id_token_ttl */
	long		 session_ttl;		/* seconds, default 28800 */
	struct s2o_rate_limit rate_acs;		/* POST /saml/acs */
	struct s2o_rate_limit rate_token;	/* POST /token */
	struct s2o_config_store store;
	struct s2o_config_org *orgs;		/* `organizations` */
	size_t		 norgs;
	struct s2o_config_api *apis;
	size_t		 napis;
	struct s2o_config_role *roles;
	size_t		 nroles;
};

/*
 * Loads and checks the configuration at path. Every problem found is added
 * to diags (errors and warnings, each "FILE:LINE:COL: PATH: message"), not
 * only the first. Returns the configuration, which the caller frees with
 * s2o_config_free(); or NULL when this load added at least one error to
 * diags, with err set to the first one (by position): S2O_R_CONFIG_INVALID
 * for a problem in the file, S2O_R_IO when path cannot be read,
 * S2O_R_TOO_LARGE past S2O_CONFIG_MAX_FILE or S2O_JSON_MAX_DEPTH, with
 * that problem's text as detail; S2O_R_INTERNAL when out of memory.
 * Entries already in diags are kept; warnings alone do not fail the load.
 */
struct s2o_config *s2o_config_load(const char *path, struct s2o_diags *diags,
		    struct s2o_err *err);
void		 s2o_config_free(struct s2o_config *cfg);

/* Borrowed lookups; NULL when absent. */
const struct s2o_connection *s2o_config_connection(const struct s2o_config *cfg,
		    const char *name);
const struct s2o_connection *s2o_config_connection_by_issuer(
		    const struct s2o_config *cfg, const char *idp_entity_id);
const struct s2o_client *s2o_config_client(const struct s2o_config *cfg,
		    const char *client_id);
/* An organization by id, or by name too when by_name. */
const struct s2o_config_org *s2o_config_org(const struct s2o_config *cfg,
		    const char *id, bool by_name);
const struct s2o_config_api *s2o_config_api(const struct s2o_config *cfg,
		    const char *identifier);
const struct s2o_config_role *s2o_config_role(const struct s2o_config *cfg,
		    const char *name);

/* ---- metadata.c -------------------------------------------------------- */

/* Days before a certificate's notAfter from which it is reported. */
#define S2O_CERT_EXPIRY_WARN_DAYS	30	/* days */

/*
 * The notAfter of the certificate in pem (its first one). 0, or -1 when
 * pem holds no readable certificate.
 */
int		 s2o_pem_not_after(const struct s2o_pem *pem, time_t *out);
/*
 * Adds a warning to diags for every certificate of cfg (the SP's signing
 * and encryption certificates, each connection's IdP certificates) whose
 * notAfter is before now + S2O_CERT_EXPIRY_WARN_DAYS days, or has passed.
 * Returns the number of warnings added, or -1 on OOM.
 */
int		 s2o_config_cert_warnings(const struct s2o_config *cfg,
		    time_t now, struct s2o_diags *diags);
/*
 * Replaces conn's idp_certificates by count PEM texts (copied; each named
 * "what #i" in messages). Used by saml/ when metadata is applied. 0, or
 * -1 with S2O_R_INTERNAL.
 */
int		 s2o_config_set_idp_certificates(struct s2o_connection *conn,
		    const char *what, char *const *pems, size_t count,
		    struct s2o_err *err);

#endif
