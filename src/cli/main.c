/* SPDX-License-Identifier: MIT */
/*
 * saml2oidc's entry point: global options, then one subcommand. Each
 * subcommand lives in its own cmd_*.c file and owns its options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/core.h"
#include "cli/cli.h"

static const struct s2o_cli_command commands[] = {
	{ "check-config", "load a configuration and report every problem",
	    s2o_cli_check_config, s2o_cli_check_config_help },
	{ "consume", "verify one SAML Response and print what it asserts",
	    s2o_cli_consume, s2o_cli_consume_help },
	{ "jwks", "print the public JWK Set of the signing keys",
	    s2o_cli_jwks, s2o_cli_jwks_help },
	{ "keygen", "generate a token signing key (PKCS#8 PEM, mode 0600)",
	    s2o_cli_keygen, s2o_cli_keygen_help },
	{ "mappings", "lint mappings files, or try one on an assertion",
	    s2o_cli_mappings, s2o_cli_mappings_help },
	{ "serve", "serve the bridge over HTTP (OpenID Provider endpoints)",
	    s2o_cli_serve, s2o_cli_serve_help },
	{ "metadata", "print the bridge's SAML SP metadata",
	    s2o_cli_metadata, s2o_cli_metadata_help },
	{ NULL, NULL, NULL, NULL }
};

static void
usage(FILE *fp)
{
	const struct s2o_cli_command	*c;

	fprintf(fp,
	    "usage: saml2oidc [--log-format text|json] COMMAND [OPTIONS]\n"
	    "       saml2oidc --help | --version\n"
	    "       saml2oidc COMMAND --help\n\n"
	    "A SAML service provider for enterprise identity providers and an\n"
	    "OpenID Provider for applications.\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(fp, "  %-14s %s\n", c->name, c->summary);
	fprintf(fp, "\nexit status: 0 success, 1 input rejected, "
	    "2 usage or configuration error\n");
}

int
main(int argc, char **argv)
{
	const struct s2o_cli_command	*c;
	enum s2o_log_format		 fmt = S2O_LOG_TEXT;
	const char			*nearest;
	const char			*names[sizeof(commands) /
					    sizeof(commands[0])];
	int				 i = 1;
	size_t				 k;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return S2O_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("saml2oidc %s\n", PACKAGE_VERSION);
			return S2O_EXIT_OK;
		} else if (strcmp(argv[i], "--log-format") == 0 &&
		    i + 1 < argc) {
			if (s2o_log_format_parse(argv[i + 1], &fmt) == -1) {
				fprintf(stderr, "saml2oidc: --log-format: "
				    "expected text or json, got \"%s\"\n",
				    argv[i + 1]);
				return S2O_EXIT_USAGE;
			}
			i += 2;
		} else {
			fprintf(stderr, "saml2oidc: unknown option %s\n",
			    argv[i]);
			usage(stderr);
			return S2O_EXIT_USAGE;
		}
	}
	s2o_log_setup(fmt, S2O_LOG_INFO);
	if (i >= argc) {
		usage(stderr);
		return S2O_EXIT_USAGE;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[i]) == 0) {
			if (argc > i + 1 && (strcmp(argv[i + 1], "--help") == 0
			    || strcmp(argv[i + 1], "-h") == 0)) {
				c->help();
				return S2O_EXIT_OK;
			}
			return c->run(argc - i, argv + i);
		}
	for (k = 0; commands[k].name != NULL; k++)
		names[k] = commands[k].name;
	names[k] = NULL;
	nearest = s2o_str_nearest(argv[i], names);
	fprintf(stderr, "saml2oidc: unknown command \"%s\"%s%s%s\n", argv[i],
	    nearest ? " (did you mean \"" : "", nearest ? nearest : "",
	    nearest ? "\"?)" : "");
	return S2O_EXIT_USAGE;
}
