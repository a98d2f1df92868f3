/* SPDX-License-Identifier: MIT */
/*
 * The top-level keys only `saml2oidc serve` reads: which peers may speak
 * for a client's address (trusted_proxies), the lifetimes of codes,
 * access tokens and bridge sessions, and the rate limits per client
 * address. Also the check that relates clients to connections
 * (allowed_connections), which needs both lists loaded. The values are only checked here; http/ and
 * oidc/ apply them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"

#define DEFAULT_CODE_TTL	60	/* seconds (RFC 6749 §4.1.2: short) */
#define MAX_CODE_TTL		600	/* seconds: ten minutes at most */
#define MAX_ACCESS_TOKEN_TTL	86400	/* seconds: a day */
#define DEFAULT_SESSION_TTL	28800	/* seconds: eight hours */
#define MAX_SESSION_TTL		604800	/* seconds: a week */
#define MAX_RATE_REQUESTS	1000000	/* requests per window */
#define MAX_RATE_WINDOW		86400	/* seconds */

static const char *const rate_keys[] = { "acs", "token", NULL };
static const char *const limit_keys[] = { "requests", "per_seconds", NULL };

/* One positive integer member of a rate limit, from 1 to max. */
static long
rate_int(struct loader *l, json_t *o, const char *base, const char *key,
    long max)
{
	json_t	*v;
	char	 p[CFG_PATH_MAX], found[96];

	if ((v = cfg_member(l, o, base, key, true)) == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > max) {
		cfg_error(l, cfg_path(p, base, key), false, "expected an "
		    "integer from 1 to %ld, found %s", max,
		    cfg_found(v, found, sizeof(found)));
		return 0;
	}
	return (long)json_integer_value(v);
}

static void
load_rate(struct loader *l, json_t *rl, const char *key,
    struct s2o_rate_limit *out)
{
	json_t	*o;
	char	 p[CFG_PATH_MAX];

	memset(out, 0, sizeof(*out));
	if ((o = cfg_member(l, rl, "rate_limits", key, false)) == NULL ||
	    !cfg_is_object(l, o, cfg_path(p, "rate_limits", key)))
		return;
	cfg_check_keys(l, o, p, limit_keys);
	out->requests = (unsigned long)rate_int(l, o, p, "requests",
	    MAX_RATE_REQUESTS);
	out->per_seconds = rate_int(l, o, p, "per_seconds", MAX_RATE_WINDOW);
	if (out->per_seconds == 0)
		out->requests = 0;
}

/* Every name in a client's allowed_connections is a connection. */
static void
check_allowed(struct loader *l, const struct s2o_config *c)
{
	char	 base[CFG_PATH_MAX], p[CFG_PATH_MAX], ip[CFG_PATH_MAX];
	size_t	 i, j;

	for (i = 0; i < c->nclients; i++) {
		const struct s2o_client *k = &c->clients[i];

		cfg_index(base, "clients", i);
		cfg_path(p, base, "allowed_connections");
		for (j = 0; j < k->nallowed_connections; j++)
			if (s2o_config_connection(c,
			    k->allowed_connections[j]) == NULL)
				cfg_error(l, cfg_index(ip, p, j), false, "no "
				    "connection \"%s\" is configured",
				    k->allowed_connections[j]);
	}
}

void
cfg_load_serve(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*rl;

	/* peers whose X-Forwarded-* headers are believed (docs/serve.md) */
	c->trusted_proxies = cfg_string_list(l, root, "", "trusted_proxies",
	    false, true, &c->ntrusted_proxies);
	c->code_ttl = cfg_int(l, root, "code_ttl", DEFAULT_CODE_TTL, 1,
	    MAX_CODE_TTL, "an integer from 1 to 600");
	c->access_token_ttl = cfg_int(l, root, "access_token_ttl",
	    c->id_token_ttl, 1, MAX_ACCESS_TOKEN_TTL,
	    "an integer from 1 to 86400");
	c->session_ttl = cfg_int(l, root, "session_ttl", DEFAULT_SESSION_TTL,
	    1, MAX_SESSION_TTL, "an integer from 1 to 604800");
	if ((rl = cfg_member(l, root, "", "rate_limits", false)) != NULL &&
	    cfg_is_object(l, rl, "rate_limits")) {
		cfg_check_keys(l, rl, "rate_limits", rate_keys);
		load_rate(l, rl, "acs", &c->rate_acs);
		load_rate(l, rl, "token", &c->rate_token);
	}
	check_allowed(l, c);
}
