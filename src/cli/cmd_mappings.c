/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc mappings lint FILE...` and `saml2oidc mappings test`: check
 * mappings files, and try one on an assertion's JSON (as `consume --format
 * assertion` prints it) without an IdP. Problems and explanations go to
 * stderr; stdout carries only "FILE: ok" lines or the resulting claims.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "map/map.h"
#include "saml/saml.h"

void
s2o_cli_mappings_help(void)
{
	printf("usage: saml2oidc mappings lint FILE...\n"
	    "       saml2oidc mappings test --mappings FILE --assertion FILE\n"
	    "         [--connection NAME] [--explain[=values]]\n\n"
	    "lint checks mappings files and prints every problem as\n"
	    "FILE:LINE:COL: PATH: message on stderr, or \"FILE: ok\". Exit 0\n"
	    "when every file is clean, 2 when any has a problem (warnings\n"
	    "included).\n\n"
	    "test applies a mappings file to an assertion in the JSON form\n"
	    "that `consume --format assertion` prints, and prints sub and the\n"
	    "claims for the ID token, the access token and userinfo.\n\n"
	    "  --connection NAME   used in sub (\"NAME|user_id\"); default: the\n"
	    "                      mappings file's name without \".json\"\n"
	    "  --explain           on stderr, for each claim: the sources tried,\n"
	    "                      the one used, each step's number of values\n"
	    "  --explain=values    the same with the values themselves\n"
	    "                      (personal data: do not paste it in tickets)\n\n"
	    "test exits 0 with the claims, 1 when the assertion is rejected\n"
	    "(\"saml2oidc: rejected: REASON: DETAIL\"), 2 on a usage error or\n"
	    "an invalid file. See docs/mappings.md.\n");
}

static int
lint(int argc, char **argv)
{
	struct s2o_mapping	*m;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	int			 i, rc = S2O_EXIT_OK;

	if (argc < 2) {
		fprintf(stderr, "saml2oidc: mappings lint: usage: saml2oidc "
		    "mappings lint FILE...\n");
		return S2O_EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		s2o_err_clear(&err);
		s2o_diags_init(&d);
		m = s2o_map_load(argv[i], &d, &err);
		s2o_diags_print(&d, stderr);
		if (m == NULL && d.n == 0)
			fprintf(stderr, "saml2oidc: %s: %s\n",
			    s2o_reason_token(err.reason), err.detail);
		if (m == NULL || d.n > 0)
			rc = S2O_EXIT_USAGE;
		else
			printf("%s: ok\n", argv[i]);
		s2o_map_free(m);
		s2o_diags_cleanup(&d);
	}
	return rc;
}

/* "okta" for "mappings/okta.json". */
static char *
default_connection(const char *path)
{
	char	*tmp, *base, *dot, *s;

	if ((tmp = strdup(path)) == NULL)
		return NULL;
	base = basename(tmp);
	if ((dot = strrchr(base, '.')) != NULL && dot != base &&
	    strcmp(dot, ".json") == 0)
		*dot = '\0';
	s = strdup(base);
	free(tmp);
	return s;
}

static int
test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mappings", required_argument, NULL, 'm' },
		{ "assertion", required_argument, NULL, 'a' },
		{ "connection", required_argument, NULL, 'c' },
		{ "explain", optional_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*mpath = NULL, *apath = NULL, *conn = NULL;
	struct s2o_mapping	*m = NULL;
	struct s2o_assertion	*a = NULL;
	struct s2o_map_result	 res;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	struct s2o_buf		 in;
	unsigned int		 flags = 0;
	char			*dconn = NULL, *json = NULL;
	int			 ch, rc = S2O_EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'm': mpath = optarg; break;
		case 'a': apath = optarg; break;
		case 'c': conn = optarg; break;
		case 'e':
			flags |= S2O_MAP_EXPLAIN;
			if (optarg != NULL && strcmp(optarg, "values") == 0)
				flags |= S2O_MAP_EXPLAIN_VALUES;
			else if (optarg != NULL) {
				fprintf(stderr, "saml2oidc: mappings test: "
				    "--explain=%s: expected --explain or "
				    "--explain=values\n", optarg);
				return S2O_EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "saml2oidc: mappings test: unknown or "
			    "incomplete option %s\n", argv[optind - 1]);
			return S2O_EXIT_USAGE;
		}
	if (mpath == NULL || apath == NULL || optind != argc) {
		fprintf(stderr, "saml2oidc: mappings test: usage: saml2oidc "
		    "mappings test --mappings FILE --assertion FILE "
		    "[--connection NAME] [--explain[=values]]\n");
		return S2O_EXIT_USAGE;
	}
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	s2o_buf_init(&in, S2O_INPUT_MAX_FILE);
	s2o_map_result_init(&res);
	if (conn == NULL && (conn = dconn = default_connection(mpath)) ==
	    NULL) {
		fprintf(stderr, "saml2oidc: out of memory\n");
		goto out;
	}
	m = s2o_map_load(mpath, &d, &err);
	s2o_diags_print(&d, stderr);
	if (m == NULL) {
		if (d.n == 0)
			fprintf(stderr, "saml2oidc: %s: %s\n",
			    s2o_reason_token(err.reason), err.detail);
		goto out;
	}
	if (s2o_buf_read_file(&in, apath, &err) == -1 ||
	    (a = s2o_map_assertion_from_json(in.data ? in.data : "", in.len,
	    apath, &err)) == NULL) {
		fprintf(stderr, "saml2oidc: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		goto out;
	}
	if (s2o_map_apply(m, a, conn, flags, &res, &err) == -1) {
		if (res.explain != NULL)
			fputs(res.explain, stderr);
		fprintf(stderr, "saml2oidc: rejected: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		rc = err.reason == S2O_R_INTERNAL ? S2O_EXIT_USAGE :
		    S2O_EXIT_REJECTED;
		goto out;
	}
	if (res.explain != NULL)
		fputs(res.explain, stderr);
	if ((json = s2o_map_result_json(&res, true, &err)) == NULL) {
		fprintf(stderr, "saml2oidc: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		goto out;
	}
	printf("%s\n", json);
	rc = S2O_EXIT_OK;
out:
	free(json);
	free(dconn);
	s2o_map_result_cleanup(&res);
	s2o_assertion_free(a);
	s2o_map_free(m);
	s2o_buf_cleanup(&in);
	s2o_diags_cleanup(&d);
	return rc;
}

int
s2o_cli_mappings(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "lint") == 0)
		return lint(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return test(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		s2o_cli_mappings_help();
		return S2O_EXIT_OK;
	}
	fprintf(stderr, "saml2oidc: mappings: expected \"lint\" or \"test\"%s%s"
	    "\n", argc >= 2 ? ", found " : "", argc >= 2 ? argv[1] : "");
	return S2O_EXIT_USAGE;
}
