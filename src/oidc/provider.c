/* SPDX-License-Identifier: MIT */
/*
 * The provider: what one loaded configuration serves. It borrows the
 * configuration and the keyset, checks what serving needs beyond what
 * config/ checks (an https issuer, or http on loopback), and computes the
 * documents that never change while it lives: the discovery document and
 * the JWK Set. Building them once keeps the request path free of key
 * encoding and JSON assembly.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oidc/oidc_int.h"

bool
s2o_oidc_url_is_loopback(const char *url)
{
	const char	*auth, *end, *close;
	char		 host[64];
	size_t		 len;
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (strncasecmp(url, "https://", 8) == 0)
		auth = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		auth = url + 7;
	else
		return false;
	end = auth + strcspn(auth, "/?#");
	/* userinfo ("http://127.0.0.1@evil.example") hides the real host */
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return false;
	if (*auth == '[') {
		close = memchr(auth, ']', (size_t)(end - auth));
		if (close == NULL)
			return false;
		len = (size_t)(close - auth - 1);
		if (len >= sizeof(host))
			return false;
		memcpy(host, auth + 1, len);
		host[len] = '\0';
		return inet_pton(AF_INET6, host, &a6) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&a6);
	}
	len = strcspn(auth, ":/?#");
	if (len >= sizeof(host) || len == 0)
		return false;
	memcpy(host, auth, len);
	host[len] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return true;
	/* inet_pton takes only the dotted quad: "127.1" is not an address */
	return inet_pton(AF_INET, host, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127;
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
	    cfg->nconnections + 1, sizeof(*op->mappings))) == NULL)
		return s2o_err_oom(err);
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
	if ((op = calloc(1, sizeof(*op))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	op->cfg = cfg;
	op->ks = ks;
	if (connections_load(op, err) == -1 ||
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
	for (i = 0; i < op->cfg->nconnections; i++) {
		if (op->trusts != NULL)
			s2o_saml_trust_free(op->trusts[i]);
		if (op->mappings != NULL)
			s2o_map_free(op->mappings[i]);
	}
	free(op->trusts);
	free(op->mappings);
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
