/* SPDX-License-Identifier: MIT */
/*
 * Design §4 steps 1 to 7 on arbitrary bytes: decode, parse, shape,
 * decrypt, verify and validate, with the fixture configuration's
 * connections (RSA, EC, SHA-1 opt-in, unsolicited), a fixed clock and a
 * fresh replay cache per input, so every run is deterministic and frees
 * everything it made. The configuration is read once, from
 * $S2O_FIXTURES/saml/bridge.json (default fixtures/saml/bridge.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "saml/saml.h"
#include "store/store.h"
#include "fuzz/fuzz.h"

static struct s2o_config	*cfg;
static struct s2o_saml_trust	**trusts;

static void
setup(void)
{
	struct s2o_diags	 d;
	struct s2o_err		 err;
	const char		*fx = getenv("S2O_FIXTURES");
	char			 path[4096];
	size_t			 i;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	snprintf(path, sizeof(path), "%s/saml/bridge.json", fx ? fx :
	    "fixtures");
	if (s2o_saml_init(&err) == -1 ||
	    (cfg = s2o_config_load(path, &d, &err)) == NULL) {
		fprintf(stderr, "fuzz_saml_response: %s: %s\n", path,
		    err.detail);
		exit(1);
	}
	s2o_diags_cleanup(&d);
	trusts = calloc(cfg->nconnections, sizeof(*trusts));
	for (i = 0; i < cfg->nconnections; i++)
		if (trusts == NULL || (trusts[i] = s2o_saml_trust_new(&cfg->sp,
		    &cfg->connections[i], &err)) == NULL) {
			fprintf(stderr, "fuzz_saml_response: %s\n", err.detail);
			exit(1);
		}
}

static int
mark(void *ctx, const char *id, time_t expires, struct s2o_err *err)
{
	return s2o_store_claim(ctx, "assertion", id, expires, "assertion ID",
	    err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2o_saml_response	*r;
	struct s2o_saml_expect		 exp;
	struct s2o_saml_replay		 replay;
	struct s2o_assertion		*a;
	struct s2o_store		*st;
	struct s2o_clock		 clock;
	struct s2o_err			 err;
	const char			*iss;
	size_t				 i;

	if (cfg == NULL)
		setup();
	s2o_err_clear(&err);
	/* 2026-11-28T12:01:00Z: inside the fixtures' validity window */
	s2o_clock_init_fixed(&clock, 1795867260);
	r = s2o_saml_response_parse((const char *)data, size,
	    cfg->max_response_bytes, &err);
	if (r == NULL)
		return 0;
	memset(&exp, 0, sizeof(exp));
	exp.sp = &cfg->sp;
	exp.conn = &cfg->connections[0];
	exp.trust = trusts[0];
	if ((iss = s2o_saml_response_issuer(r)) != NULL)
		for (i = 0; i < cfg->nconnections; i++)
			if (strcmp(cfg->connections[i].idp_entity_id, iss) == 0) {
				exp.conn = &cfg->connections[i];
				exp.trust = trusts[i];
			}
	st = s2o_store_memory_new(&clock, &err);
	replay.mark = mark;
	replay.ctx = st;
	exp.clock = &clock;
	exp.clock_skew = cfg->clock_skew;
	exp.replay = st ? &replay : NULL;
	a = s2o_saml_response_consume(r, &exp, &err);
	s2o_assertion_free(a);
	s2o_store_free(st);
	s2o_saml_response_free(r);
	return 0;
}
