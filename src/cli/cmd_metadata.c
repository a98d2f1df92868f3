/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc metadata`: print the bridge's SAML SP metadata, the document
 * an admin hands to each IdP (and that /saml/metadata serves).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/core.h"
#include "saml/saml.h"

void
s2o_cli_metadata_help(void)
{
	printf("usage: saml2oidc metadata --config CONFIG [--signed]\n\n"
	    "Prints the bridge's SAML service provider metadata: entity ID,\n"
	    "assertion consumer service, signing and encryption certificates\n"
	    "and NameID formats. --signed signs it with sp.signing_key_file.\n"
	    "Exit 0, or 2 for a usage or configuration error.\n");
}

int
s2o_cli_metadata(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "signed", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_config	*cfg = NULL;
	struct s2o_saml_sp_keys	*keys = NULL;
	struct s2o_diags	 diags;
	struct s2o_err		 err;
	const char		*path = NULL;
	char			*md = NULL;
	int			 ch, rc = S2O_EXIT_USAGE, signed_ = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'c': path = optarg; break;
		case 's': signed_ = 1; break;
		default:
			fprintf(stderr, "saml2oidc: metadata: unknown or "
			    "incomplete option %s\n", argv[optind - 1]);
			return S2O_EXIT_USAGE;
		}
	if (path == NULL || optind != argc) {
		fprintf(stderr, "saml2oidc: metadata: usage: saml2oidc metadata "
		    "--config CONFIG [--signed]\n");
		return S2O_EXIT_USAGE;
	}
	s2o_err_clear(&err);
	s2o_diags_init(&diags);
	if ((cfg = s2o_config_load(path, &diags, &err)) == NULL) {
		s2o_diags_print(&diags, stderr);
		if (diags.n == 0)
			fprintf(stderr, "saml2oidc: %s: %s\n",
			    s2o_reason_token(err.reason), err.detail);
		goto out;
	}
	if (s2o_saml_init(&err) == -1 ||
	    (keys = s2o_saml_sp_keys_new(&cfg->sp, &err)) == NULL ||
	    (md = s2o_saml_sp_metadata(cfg, keys, signed_, &err)) == NULL) {
		fprintf(stderr, "saml2oidc: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		goto out;
	}
	fputs(md, stdout);
	rc = S2O_EXIT_OK;
out:
	free(md);
	s2o_saml_sp_keys_free(keys);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&diags);
	return rc;
}
