/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc keygen` and `saml2oidc jwks`: make a token signing key, and
 * print the public JWK Set of the configured ones. Key rotation is these
 * two plus editing signing_keys (docs/tokens.md): publish the next key,
 * switch "active" to it, retire the old one.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/core.h"
#include "token/token.h"

void
s2o_cli_keygen_help(void)
{
	printf("usage: saml2oidc keygen --alg ALG --out FILE [--bits BITS]\n\n"
	    "Generates a token signing key and writes it to FILE as PKCS#8\n"
	    "PEM, mode 0600. FILE must not exist: keygen never overwrites.\n\n"
	    "  --alg ALG    RS256, RS384, RS512 (RSA) or ES256 (EC P-256),\n"
	    "               ES384 (EC P-384)\n"
	    "  --bits BITS  RSA only: 2048 (default), 3072 or 4096\n\n"
	    "Prints a signing_keys entry for the configuration, whose kid is\n"
	    "the key's RFC 7638 thumbprint. Exit 0 written, 2 otherwise.\n");
}

void
s2o_cli_jwks_help(void)
{
	printf("usage: saml2oidc jwks --config CONFIG\n\n"
	    "Prints the public JWK Set of every signing key in CONFIG (the\n"
	    "active key first), as served at /.well-known/jwks.json.\n"
	    "Exit 0 printed, 2 usage or configuration error.\n");
}

/* Prints s as the body of a JSON string (the path in the snippet). */
static void
print_json_chars(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned int)(unsigned char)*s);
		else
			putchar(*s);
	}
}

int
s2o_cli_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alg", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "bits", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_err	 err;
	const char	*alg = NULL, *out = NULL;
	char		 thumb[64], *end;
	unsigned long	 bits = 0;
	int		 ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'a':
			alg = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'b':
			bits = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    bits > UINT_MAX) {
				fprintf(stderr, "saml2oidc: keygen: --bits: "
				    "expected 2048, 3072 or 4096, got \"%s\"\n",
				    optarg);
				return S2O_EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "saml2oidc: keygen: unknown or "
			    "incomplete option %s\n", argv[optind - 1]);
			return S2O_EXIT_USAGE;
		}
	if (alg == NULL || out == NULL || optind != argc) {
		fprintf(stderr, "saml2oidc: keygen: usage: saml2oidc keygen "
		    "--alg RS256|RS384|RS512|ES256|ES384 --out FILE "
		    "[--bits 2048|3072|4096]\n");
		return S2O_EXIT_USAGE;
	}
	s2o_err_clear(&err);
	if (s2o_token_keygen(alg, (unsigned int)bits, out, thumb,
	    sizeof(thumb), &err) == -1) {
		fprintf(stderr, "saml2oidc: keygen: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		return S2O_EXIT_USAGE;
	}
	printf("{\"kid\": \"%s\", \"alg\": \"%s\", \"private_key_file\": \"",
	    thumb, alg);
	print_json_chars(out);
	printf("\"}\n");
	return S2O_EXIT_OK;
}

int
s2o_cli_jwks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_config	*cfg = NULL;
	struct s2o_keyset	*ks = NULL;
	struct s2o_diags	 diags;
	struct s2o_err		 err;
	const char		*path = NULL;
	char			*jwks = NULL;
	int			 ch, rc = S2O_EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		default:
			fprintf(stderr, "saml2oidc: jwks: unknown or "
			    "incomplete option %s\n", argv[optind - 1]);
			return S2O_EXIT_USAGE;
		}
	if (path == NULL || optind != argc) {
		fprintf(stderr, "saml2oidc: jwks: usage: saml2oidc jwks "
		    "--config CONFIG\n");
		return S2O_EXIT_USAGE;
	}
	s2o_err_clear(&err);
	s2o_diags_init(&diags);
	cfg = s2o_config_load(path, &diags, &err);
	s2o_diags_print(&diags, stderr);
	if (cfg == NULL) {
		if (diags.n == 0)
			fprintf(stderr, "saml2oidc: %s: %s\n",
			    s2o_reason_token(err.reason), err.detail);
		goto out;
	}
	if ((ks = s2o_token_keyset_new(cfg, &err)) == NULL ||
	    (jwks = s2o_token_jwks_json(ks, &err)) == NULL) {
		fprintf(stderr, "saml2oidc: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		goto out;
	}
	printf("%s\n", jwks);
	rc = S2O_EXIT_OK;
out:
	free(jwks);
	s2o_token_keyset_free(ks);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&diags);
	return rc;
}
