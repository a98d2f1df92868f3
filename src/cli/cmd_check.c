/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc check-config`: load a configuration and print "ok" or every
 * problem found, one per line.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/core.h"

void
s2o_cli_check_config_help(void)
{
	printf("usage: saml2oidc check-config --config FILE\n\n"
	    "Loads the configuration, its certificates, keys and mappings\n"
	    "files, and prints \"ok\" or every problem found as\n"
	    "FILE:LINE:COL: PATH: message. Exit 0 when usable, 2 otherwise.\n");
}

int
s2o_cli_check_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_config	*cfg;
	struct s2o_diags	 diags;
	struct s2o_err		 err;
	const char		*path = NULL;
	int			 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1)
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			s2o_cli_check_config_help();
			return S2O_EXIT_OK;
		default:
			return S2O_EXIT_USAGE;
		}
	if (path == NULL || optind != argc) {
		fprintf(stderr, "saml2oidc: check-config: usage: saml2oidc "
		    "check-config --config FILE\n");
		return S2O_EXIT_USAGE;
	}
	s2o_err_clear(&err);
	s2o_diags_init(&diags);
	cfg = s2o_config_load(path, &diags, &err);
	s2o_diags_print(&diags, stderr);
	if (cfg != NULL) {
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
