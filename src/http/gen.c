/* SPDX-License-Identifier: MIT */
/*
 * Configuration generations: loading one (configuration, keyset,
 * provider) and letting go of it. Why a generation is refcounted and how
 * the server swaps it is explained in http_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

/* Logs each problem a load found, as check-config would print it. */
static void
log_diags(const struct s2o_diags *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		s2o_log(d->v[i].severity == S2O_DIAG_ERROR ? S2O_LOG_ERROR :
		    S2O_LOG_WARN, "config", "%s", d->v[i].text);
}

/* The trusted_proxies ranges, parsed once per generation. */
static struct s2o_policy_ipset *
trusted_compile(const struct s2o_config *cfg, struct s2o_err *err)
{
	struct s2o_policy_ipset	*set;
	size_t			 i;

	if ((set = s2o_policy_ipset_new(err)) == NULL)
		return NULL;
	for (i = 0; i < cfg->ntrusted_proxies; i++)
		if (s2o_policy_ipset_add(set, cfg->trusted_proxies[i], err) ==
		    -1) {
			s2o_policy_ipset_free(set);
			return NULL;
		}
	return set;
}

static void
gen_free(struct http_gen *g)
{
	free(g->sp_metadata);
	s2o_policy_ipset_free(g->trusted);
	s2o_saml_sp_keys_free(g->spk);
	s2o_oidc_provider_free(g->op);
	s2o_token_keyset_free(g->ks);	/* before cfg: it borrows from it */
	s2o_config_free(g->cfg);
	free(g);
}

struct http_gen *
http_gen_load(const char *path, unsigned long number, struct s2o_err *err)
{
	struct http_gen		*g;
	struct s2o_diags	 diags;
	struct s2o_clock	 clock;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	atomic_init(&g->refs, 1);
	g->number = number;
	s2o_diags_init(&diags);
	s2o_clock_init_system(&clock);
	g->cfg = s2o_config_load(path, &diags, err);
	/* IdP metadata: from disk, else fetched now (docs/metadata.md) */
	if (g->cfg != NULL && s2o_saml_config_metadata(g->cfg, true, &clock,
	    &diags, err) == -1) {
		s2o_config_free(g->cfg);
		g->cfg = NULL;
	}
	log_diags(&diags);
	s2o_diags_cleanup(&diags);
	if (g->cfg == NULL ||
	    (g->ks = s2o_token_keyset_new(g->cfg, err)) == NULL ||
	    (g->op = s2o_oidc_provider_new(g->cfg, g->ks, err)) == NULL ||
	    (g->spk = s2o_saml_sp_keys_new(&g->cfg->sp, err)) == NULL ||
	    (g->sp_metadata = s2o_saml_sp_metadata(g->cfg, g->spk, false,
	    err)) == NULL) {
		gen_free(g);
		return NULL;
	}
	if (g->cfg->ntrusted_proxies > 0 &&
	    (g->trusted = trusted_compile(g->cfg, err)) == NULL) {
		gen_free(g);
		return NULL;
	}
	/* the document never changes while the generation lives */
	g->sp_metadata_len = strlen(g->sp_metadata);
	return g;
}

void
http_gen_release(struct http_gen *g)
{
	if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
		gen_free(g);
}
