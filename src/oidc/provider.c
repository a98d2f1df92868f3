/* SPDX-License-Identifier: MIT */
/*
 * The provider: what one loaded configuration serves. It borrows the
 * configuration and the keyset, checks what serving needs beyond what
 * config/ checks (an https issuer, or http on loopback), and computes the
 * documents that never change while it lives: the discovery document and
 * the JWK Set. Building them once keeps the request path free of key
 * encoding and JSON assembly.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oidc/oidc_int.h"

bool
s2o_oidc_url_is_loopback(const char *url)
{
	return s2o_url_is_loopback(url);
}

/*
 * Every connection's trust (IdP keys, SP decryption key) and compiled
 * mappings file, once per configuration: the serving path never opens a
 * file or parses a key, and a broken mappings file stops a (re)load
 * instead of failing each login.
 */
static int
connections_load(struct s2o_oidc_provider *op, struct s2o_err *err)
{
	const struct s2o_config	*cfg = op->cfg;
	struct s2o_diags	 d;
	size_t			 i;
	int			 rc = 0;

	if ((op->trusts = calloc(cfg->nconnections + 1,
	    sizeof(*op->trusts))) == NULL || (op->mappings = calloc(
	    cfg->nconnections + 1, sizeof(*op->mappings))) == NULL ||
	    (op->kicks = calloc(cfg->nconnections + 1,
	    sizeof(*op->kicks))) == NULL)
		return s2o_err_oom(err);
	for (i = 0; i < cfg->nconnections; i++) {
		atomic_init(&op->kicks[i].wanted, false);
		atomic_init(&op->kicks[i].last, 0);
	}
	s2o_diags_init(&d);
	for (i = 0; i < cfg->nconnections && rc == 0; i++) {
		const struct s2o_connection *c = &cfg->connections[i];

		if ((op->trusts[i] = s2o_saml_trust_new(&cfg->sp, c, err)) ==
		    NULL || (op->mappings[i] = s2o_map_load(c->mappings_file,
		    &d, err)) == NULL)
			rc = -1;
	}
	s2o_diags_cleanup(&d);
	return rc;
}

/*
 * A connection that takes IdP-initiated logins sends the browser to its
 * default client's initiate_login_uri (OIDC Core §4): serving it needs
 * that client, its URI, and the client allowing the connection.
 */
static int
idp_initiated_check(const struct s2o_config *cfg, struct s2o_err *err)
{
	const struct s2o_client	*k;
	size_t			 i;

	for (i = 0; i < cfg->nconnections; i++) {
		const struct s2o_connection *c = &cfg->connections[i];

		if (!c->allow_idp_initiated)
			continue;
		k = s2o_config_client(cfg, c->default_client);
		if (k == NULL || k->initiate_login_uri == NULL ||
		    !s2o_oidc_client_allows(k, c))
			return s2o_err_set(err, S2O_R_CONFIG_INVALID,
			    "connection %s allows IdP-initiated logins: its "
			    "default_client must be a client that allows it "
			    "and has an initiate_login_uri", c->name);
	}
	return 0;
}

size_t
oidc_connection_index(const struct s2o_oidc_provider *op,
    const struct s2o_connection *conn)
{
	return (size_t)(conn - op->cfg->connections);
}

struct s2o_oidc_provider *
s2o_oidc_provider_new(const struct s2o_config *cfg,
    const struct s2o_keyset *ks, struct s2o_err *err)
{
	struct s2o_oidc_provider	*op;

	if (cfg->issuer == NULL) {
		s2o_err_set(err, S2O_R_CONFIG_INVALID, "issuer: not set");
		return NULL;
	}
	/*
	 * Codes, tokens and client secrets travel between the browser, the
	 * client and this server: in clear text only where nothing leaves
	 * the machine. TLS is normally terminated by a reverse proxy, and the
	 * issuer is the public https URL it serves.
	 */
	if (strncasecmp(cfg->issuer, "https://", 8) != 0 &&
	    !s2o_oidc_url_is_loopback(cfg->issuer)) {
		s2o_err_set(err, S2O_R_CONFIG_INVALID, "issuer \"%s\": "
		    "serving needs an https issuer (TLS may end at a reverse "
		    "proxy); http is allowed only on a loopback host such as "
		    "127.0.0.1 or localhost", cfg->issuer);
		return NULL;
	}
	if (idp_initiated_check(cfg, err) == -1)
		return NULL;
	if ((op = calloc(1, sizeof(*op))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	op->cfg = cfg;
	op->ks = ks;
	pthread_mutex_init(&op->trust_lock, NULL);
	if (connections_load(op, err) == -1 ||
	    (op->policies = s2o_policy_book_new(cfg, err)) == NULL ||
	    (op->jwks = s2o_token_jwks_json(ks, err)) == NULL ||
	    oidc_discovery_build(op, err) == -1 ||
	    oidc_vkeys_load(op, err) == -1) {
		s2o_oidc_provider_free(op);
		return NULL;
	}
	op->jwks_len = strlen(op->jwks);
	return op;
}

void
s2o_oidc_provider_free(struct s2o_oidc_provider *op)
{
	size_t	i;

	if (op == NULL)
		return;
	oidc_vkeys_free(op);
	s2o_policy_book_free(op->policies);
	for (i = 0; i < op->cfg->nconnections; i++) {
		if (op->trusts != NULL)
			s2o_saml_trust_free(op->trusts[i]);
		if (op->mappings != NULL)
			s2o_map_free(op->mappings[i]);
	}
	free(op->trusts);
	free(op->mappings);
	free(op->kicks);
	pthread_mutex_destroy(&op->trust_lock);
	free(op->discovery);
	free(op->jwks);
	free(op);
}

const struct s2o_config *
s2o_oidc_provider_config(const struct s2o_oidc_provider *op)
{
	return op->cfg;
}

const struct s2o_keyset *
s2o_oidc_provider_keyset(const struct s2o_oidc_provider *op)
{
	return op->ks;
}

/*
 * A trust is read under the lock and used outside it with a reference of
 * its own: a refresh may swap it meanwhile, and the old one lives until its
 * last user lets go. The lock is held for two pointer operations.
 */
struct s2o_saml_trust *
oidc_trust_get(const struct s2o_oidc_provider *op, size_t i)
{
	struct s2o_oidc_provider	*w = (struct s2o_oidc_provider *)op;
	struct s2o_saml_trust		*t;

	pthread_mutex_lock(&w->trust_lock);
	t = s2o_saml_trust_ref(op->trusts[i]);
	pthread_mutex_unlock(&w->trust_lock);
	return t;
}

struct s2o_saml_trust *
s2o_oidc_provider_trust(const struct s2o_oidc_provider *op,
    const struct s2o_connection *conn)
{
	return oidc_trust_get(op, oidc_connection_index(op, conn));
}

void
s2o_oidc_provider_swap_trust(struct s2o_oidc_provider *op,
    const struct s2o_connection *conn, struct s2o_saml_trust *t)
{
	struct s2o_saml_trust	*old;
	size_t			 i = oidc_connection_index(op, conn);

	pthread_mutex_lock(&op->trust_lock);
	old = op->trusts[i];
	op->trusts[i] = t;
	pthread_mutex_unlock(&op->trust_lock);
	s2o_saml_trust_free(old);
}

bool
oidc_kick(const struct s2o_oidc_provider *op, size_t i, time_t now)
{
	long long	last = atomic_load(&op->kicks[i].last);

	/* of two threads seeing the same unknown key, one asks */
	if (now - last < S2O_METADATA_KICK_MIN ||
	    !atomic_compare_exchange_strong(&op->kicks[i].last, &last,
	    (long long)now))
		return false;
	atomic_store(&op->kicks[i].wanted, true);
	return true;
}

bool
s2o_oidc_provider_take_kick(const struct s2o_oidc_provider *op,
    const struct s2o_connection *conn)
{
	return atomic_exchange(&op->kicks[oidc_connection_index(op,
	    conn)].wanted, false);
}
