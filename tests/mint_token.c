/* SPDX-License-Identifier: MIT */
/*
 * A test tool, never installed: prints one token minted with the active
 * key of a configuration, so tests/jwt_verify.sh can check it with an
 * independent JWT implementation against `saml2oidc jwks`. The product
 * has no command that mints a token from arbitrary claims on purpose.
 *
 *   mint_token --config FILE --kind id|access --now EPOCH [--sub S]
 *       [--aud A] [--ttl SECONDS] [--auth-time EPOCH] [--nonce N]
 *       [--acr CLASS] [--sid S] [--access-token T] [--client-id C]
 *       [--scope S] [--claims JSON]
 *
 * Exit 0 with the token on stdout, 1 with "mint_token: REASON: DETAIL".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config.h"
#include "core/core.h"
#include "token/token.h"

static long
num(const char *s)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "mint_token: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ "now", required_argument, NULL, 'n' },
		{ "sub", required_argument, NULL, 's' },
		{ "aud", required_argument, NULL, 'a' },
		{ "ttl", required_argument, NULL, 't' },
		{ "auth-time", required_argument, NULL, 'T' },
		{ "nonce", required_argument, NULL, 'N' },
		{ "acr", required_argument, NULL, 'A' },
		{ "sid", required_argument, NULL, 'S' },
		{ "access-token", required_argument, NULL, 'x' },
		{ "client-id", required_argument, NULL, 'C' },
		{ "scope", required_argument, NULL, 'o' },
		{ "claims", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_token_id_req		 id;
	struct s2o_token_access_req	 ac;
	struct s2o_config		*cfg;
	struct s2o_keyset		*ks = NULL;
	struct s2o_diags		 diags;
	struct s2o_clock		 clock;
	struct s2o_err			 err;
	const char			*config = NULL, *kind = "id";
	char				*tok = NULL;
	const char			*claims = NULL;
	json_t				*extra = NULL;
	json_error_t			 je;
	long				 now = -1, ttl = 0;
	int				 ch, rc = 1;

	memset(&id, 0, sizeof(id));
	memset(&ac, 0, sizeof(ac));
	id.sub = ac.sub = "user-1";
	id.aud = "demo-app";
	ac.aud = "https://api.example.test";
	ac.client_id = "demo-app";
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'c': config = optarg; break;
		case 'k': kind = optarg; break;
		case 'n': now = num(optarg); break;
		case 's': id.sub = ac.sub = optarg; break;
		case 'a': id.aud = ac.aud = optarg; break;
		case 't': ttl = num(optarg); break;
		case 'T': id.auth_time = (time_t)num(optarg); break;
		case 'N': id.nonce = optarg; break;
		case 'A': id.authn_context = optarg; break;
		case 'S': id.sid = optarg; break;
		case 'x': id.access_token = optarg; break;
		case 'C': ac.client_id = optarg; break;
		case 'o': ac.scope = optarg; break;
		case 'j': claims = optarg; break;
		default:
			fprintf(stderr, "mint_token: bad option\n");
			return 2;
		}
	if (config == NULL || now < 0 || optind != argc) {
		fprintf(stderr, "usage: mint_token --config FILE --kind "
		    "id|access --now EPOCH [options]\n");
		return 2;
	}
	/* the mapped claims, as map/ would hand them over: an object */
	if (claims != NULL && (extra = json_loads(claims,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je)) == NULL) {
		fprintf(stderr, "mint_token: --claims: %s\n", je.text);
		return 2;
	}
	id.extra_claims = ac.extra_claims = extra;
	s2o_err_clear(&err);
	s2o_diags_init(&diags);
	if ((cfg = s2o_config_load(config, &diags, &err)) == NULL) {
		s2o_diags_print(&diags, stderr);
		fprintf(stderr, "mint_token: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		s2o_diags_cleanup(&diags);
		json_decref(extra);
		return 2;
	}
	s2o_clock_init_fixed(&clock, (time_t)now);
	id.issuer = ac.issuer = cfg->issuer;
	id.clock = ac.clock = &clock;
	id.ttl = ac.ttl = ttl > 0 ? ttl : cfg->id_token_ttl;
	if ((ks = s2o_token_keyset_new(cfg, &err)) != NULL)
		tok = strcmp(kind, "access") == 0 ?
		    s2o_token_access_mint(ks, &ac, &err) :
		    s2o_token_id_mint(ks, &id, &err);
	if (tok != NULL) {
		printf("%s\n", tok);
		rc = 0;
	} else
		fprintf(stderr, "mint_token: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
	free(tok);
	json_decref(extra);
	s2o_token_keyset_free(ks);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&diags);
	return rc;
}
