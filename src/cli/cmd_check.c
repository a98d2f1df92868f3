/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc check-config`: load a configuration and print "ok" or every
 * problem found, one per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/core.h"
#include "map/map.h"
#include "saml/saml.h"

void
s2o_cli_check_config_help(void)
{
	printf("usage: saml2oidc check-config --config FILE [--now TIME]\n\n"
	    "Loads the configuration, its certificates and keys, each\n"
	    "connection's IdP metadata (fetched when there is no copy on disk),\n"
	    "lints every connection's mappings file, and prints \"ok\" or every\n"
	    "problem found as FILE:LINE:COL: PATH: message. Certificates that\n"
	    "expire within %d days of TIME (default: now) are warned about.\n"
	    "Exit 0 when usable, 2 otherwise.\n", S2O_CERT_EXPIRY_WARN_DAYS);
}

#define ROLES_SHOWN	64	/* mapped role names compared per file */

/*
 * What a mappings file must give the organization and RBAC features of
 * its connection (docs/organizations.md): the claim organization_claim
 * names, and roles that are configured ones (a misspelt role in a value
 * map would grant nothing, silently). Warnings, not errors: a mapping
 * may be written before the roles it names. -1 on OOM.
 */
static int
check_org_mapping(const struct s2o_config *cfg, size_t i,
    const struct s2o_mapping *m, struct s2o_diags *diags)
{
	const struct s2o_connection	*c = &cfg->connections[i];
	const char			*out[ROLES_SHOWN], **names, *near;
	char				 p[96];
	struct s2o_err			 err;
	size_t				 n, j;
	int				 rc = 0;

	s2o_err_clear(&err);
	if (c->organization_claim != NULL &&
	    !s2o_map_has_claim(m, c->organization_claim)) {
		snprintf(p, sizeof(p), "connections[%zu].organization_claim",
		    i);
		if (s2o_diags_add(diags, S2O_DIAG_WARNING,
		    S2O_R_CONFIG_INVALID, cfg->path, 0, 0, p, &err, "the "
		    "mappings file of connection \"%s\" maps no claim \"%s\": "
		    "every login through it is refused", c->name,
		    c->organization_claim) == -1)
			return -1;
	}
	/* a claim both the organization and the mappings set would fail
	 * every token of the connection's users (mapping_invalid) */
	for (j = 0; j < cfg->norgs; j++) {
		const struct s2o_config_org *g = &cfg->orgs[j];
		size_t k;

		if (c->organization_claim == NULL && (c->organization == NULL ||
		    strcmp(c->organization, g->id) != 0))
			continue;
		for (k = 0; k < g->nclaims_from_metadata; k++) {
			if (!s2o_map_has_claim(m, g->claims_from_metadata[k].key))
				continue;
			snprintf(p, sizeof(p), "connections[%zu].mappings_file",
			    i);
			if (s2o_diags_add(diags, S2O_DIAG_WARNING,
			    S2O_R_CONFIG_INVALID, cfg->path, 0, 0, p, &err,
			    "claim \"%s\" comes from the metadata of "
			    "organization %s: the mappings may not set it too",
			    g->claims_from_metadata[k].key, g->id) == -1)
				return -1;
		}
	}
	if (cfg->nroles == 0 || (n = s2o_map_value_map_outputs(m, "roles",
	    out, ROLES_SHOWN)) == 0)
		return 0;
	if ((names = calloc(cfg->nroles + 1, sizeof(*names))) == NULL)
		return -1;
	for (j = 0; j < cfg->nroles; j++)
		names[j] = cfg->roles[j].name;
	snprintf(p, sizeof(p), "connections[%zu].mappings_file", i);
	for (j = 0; j < n && rc == 0; j++) {
		if (s2o_config_role(cfg, out[j]) != NULL)
			continue;
		near = s2o_str_nearest(out[j], names);
		rc = s2o_diags_add(diags, S2O_DIAG_WARNING,
		    S2O_R_CONFIG_INVALID, cfg->path, 0, 0, p, &err, "roles maps "
		    "to \"%s\", which is no configured role%s%s%s: it grants "
		    "no permission", out[j], near ? " (did you mean \"" : "",
		    near ? near : "", near ? "\"?)" : "");
	}
	free(names);
	return rc;
}

/*
 * Lints every connection's mappings file (each problem FILE:LINE:COL) and
 * warns where connections with a bare user_id as sub could give two users
 * of two IdPs one sub. Returns the number of files with errors.
 */
static size_t
check_mappings(const struct s2o_config *cfg, struct s2o_diags *diags)
{
	struct s2o_mapping	*m;
	struct s2o_err		 err;
	const char		*bare = NULL;
	char			 p[64];
	size_t			 i, bad = 0;

	for (i = 0; i < cfg->nconnections; i++) {
		const struct s2o_connection *c = &cfg->connections[i];

		s2o_err_clear(&err);
		if ((m = s2o_map_load(c->mappings_file, diags, &err)) == NULL) {
			bad++;
			continue;
		}
		if (check_org_mapping(cfg, i, m, diags) == -1)
			bad++;
		if (s2o_map_sub_is_bare(m)) {
			snprintf(p, sizeof(p), "connections[%zu].mappings_file",
			    i);
			/* a sub must be unique across connections (OIDC Core
			 * §2): "<connection>|<user_id>" is, a bare one may not */
			if (bare != NULL && s2o_diags_add(diags,
			    S2O_DIAG_WARNING, S2O_R_CONFIG_INVALID, cfg->path,
			    0, 0, p, &err, "connections \"%s\" and \"%s\" both "
			    "use the bare user_id as sub: one user_id at both "
			    "IdPs would be one user to every client", bare,
			    c->name) == -1)
				bad++;
			bare = c->name;
		}
		s2o_map_free(m);
	}
	return bad;
}

int
s2o_cli_check_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "now", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_config	*cfg;
	struct s2o_diags	 diags;
	struct s2o_err		 err;
	struct s2o_clock	 clock;
	const char		*path = NULL;
	time_t			 now;
	size_t			 bad;
	int			 ch, rc;

	optind = 1;
	s2o_err_clear(&err);
	s2o_clock_init_system(&clock);
	while ((ch = getopt_long(argc, argv, "c:t:h", opts, NULL)) != -1)
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			if (s2o_time_parse_cli(optarg, &now, &err) == -1) {
				fprintf(stderr, "saml2oidc: check-config: %s\n",
				    err.detail);
				return S2O_EXIT_USAGE;
			}
			s2o_clock_init_fixed(&clock, now);
			break;
		case 'h':
			s2o_cli_check_config_help();
			return S2O_EXIT_OK;
		default:
			return S2O_EXIT_USAGE;
		}
	if (path == NULL || optind != argc) {
		fprintf(stderr, "saml2oidc: check-config: usage: saml2oidc "
		    "check-config --config FILE [--now TIME]\n");
		return S2O_EXIT_USAGE;
	}
	s2o_err_clear(&err);
	s2o_diags_init(&diags);
	cfg = s2o_config_load(path, &diags, &err);
	if (cfg != NULL && (s2o_saml_init(&err) == -1 ||
	    s2o_saml_config_metadata(cfg, true, &clock, &diags, &err) == -1)) {
		s2o_config_free(cfg);
		cfg = NULL;
	}
	bad = cfg != NULL ? check_mappings(cfg, &diags) : 0;
	/* a certificate about to expire is a warning: it still works */
	if (cfg != NULL && s2o_config_cert_warnings(cfg, s2o_clock_now(&clock),
	    &diags) == -1)
		bad++;
	s2o_diags_print(&diags, stderr);
	if (cfg != NULL && bad == 0) {
		printf("ok\n");
		rc = S2O_EXIT_OK;
	} else {
		if (diags.n == 0)
			fprintf(stderr, "saml2oidc: %s: %s\n",
			    s2o_reason_token(err.reason), err.detail);
		rc = S2O_EXIT_USAGE;
	}
	s2o_config_free(cfg);
	s2o_diags_cleanup(&diags);
	return rc;
}
