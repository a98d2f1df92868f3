/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc consume`: run one SAML Response through the pipeline without
 * HTTP. How admins try a configuration against a real assertion, and how
 * fixture-driven tests drive the whole pipeline. stdout carries only the
 * result; a rejection is one line on stderr and exit 1.
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
#include "store/store.h"

struct consume_opts {
	const char	*config;
	const char	*connection;
	const char	*client;
	const char	*nonce;
	const char	*now;
	const char	*in_response_to;
	const char	*format;
	const char	*replay_cache;
	const char	*input;
};

void
s2o_cli_consume_help(void)
{
	printf("usage: saml2oidc consume --config CONFIG [--connection NAME]\n"
	    "         [--client CLIENT_ID] [--nonce NONCE] [--now TIME]\n"
	    "         [--in-response-to ID] [--format assertion]\n"
	    "         [--replay-cache FILE] [FILE|-]\n\n"
	    "Verifies and validates one SAML Response (raw XML, or the base64\n"
	    "SAMLResponse form value) read from FILE or standard input.\n\n"
	    "  --connection NAME   default: the connection whose idp_entity_id\n"
	    "                      is the Response's Issuer, else the only one\n"
	    "  --now TIME          RFC 3339 or epoch seconds; default: now\n"
	    "  --in-response-to ID the pending AuthnRequest's ID; without it a\n"
	    "                      present InResponseTo is not checked\n"
	    "  --format assertion  print the verified assertion as JSON\n"
	    "  --replay-cache FILE remember assertion IDs across runs\n\n"
	    "Exit 0 accepted, 1 rejected (\"saml2oidc: rejected: REASON: "
	    "DETAIL\"),\n2 usage or configuration error.\n");
}

static int
parse_opts(int argc, char **argv, struct consume_opts *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "connection", required_argument, NULL, 'C' },
		{ "client", required_argument, NULL, 'l' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 't' },
		{ "in-response-to", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "replay-cache", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	memset(o, 0, sizeof(*o));
	o->format = "assertion";
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'C': o->connection = optarg; break;
		case 'l': o->client = optarg; break;
		case 'n': o->nonce = optarg; break;
		case 't': o->now = optarg; break;
		case 'i': o->in_response_to = optarg; break;
		case 'f': o->format = optarg; break;
		case 'r': o->replay_cache = optarg; break;
		default:
			fprintf(stderr, "saml2oidc: consume: unknown or "
			    "incomplete option %s\n", argv[optind - 1]);
			return -1;
		}
	if (optind < argc)
		o->input = argv[optind++];
	if (optind != argc || o->config == NULL) {
		fprintf(stderr, "saml2oidc: consume: usage: saml2oidc consume "
		    "--config CONFIG [options] [FILE|-]\n");
		return -1;
	}
	if (strcmp(o->format, "assertion") != 0) {
		fprintf(stderr, "saml2oidc: consume: --format %s: this build "
		    "prints only the verified assertion (--format assertion)\n",
		    o->format);
		return -1;
	}
	return 0;
}

/* The verified assertion as JSON, on stdout. */
static int
print_assertion(const struct s2o_assertion *a, struct s2o_err *err)
{
	char	*s;

	if ((s = s2o_map_assertion_json(a, true, err)) == NULL)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int
replay_mark(void *ctx, const char *id, time_t expires, struct s2o_err *err)
{
	return s2o_store_claim(ctx, "assertion", id, expires,
	    "this assertion ID", err);
}

static int
reject(const struct s2o_err *err)
{
	switch (err->reason) {
	case S2O_R_CONFIG_INVALID:
	case S2O_R_KEY_UNUSABLE:
	case S2O_R_USAGE:
	case S2O_R_IO:
		fprintf(stderr, "saml2oidc: %s: %s\n",
		    s2o_reason_token(err->reason), err->detail);
		return S2O_EXIT_USAGE;
	default:
		fprintf(stderr, "saml2oidc: rejected: %s: %s\n",
		    s2o_reason_token(err->reason), err->detail);
		return S2O_EXIT_REJECTED;
	}
}

static const struct s2o_connection *
pick_connection(const struct s2o_config *cfg, const struct consume_opts *o,
    const char *issuer, struct s2o_err *err)
{
	const struct s2o_connection	*c;
	char				 shown[96];

	if (o->connection != NULL) {
		if ((c = s2o_config_connection(cfg, o->connection)) == NULL)
			s2o_err_set(err, S2O_R_USAGE, "--connection: no "
			    "connection \"%s\" is configured", o->connection);
		return c;
	}
	if (issuer != NULL &&
	    (c = s2o_config_connection_by_issuer(cfg, issuer)) != NULL)
		return c;
	if (cfg->nconnections == 1)
		return &cfg->connections[0];
	s2o_err_set(err, S2O_R_ISSUER_MISMATCH, "no connection has "
	    "idp_entity_id \"%s\"; name one with --connection",
	    issuer ? s2o_str_excerpt(shown, sizeof(shown), issuer, 80) :
	    "(the Response has no Issuer)");
	return NULL;
}

int
s2o_cli_consume(int argc, char **argv)
{
	struct consume_opts		 o;
	struct s2o_config		*cfg = NULL;
	struct s2o_diags		 diags;
	struct s2o_err			 err;
	struct s2o_clock		 clock;
	struct s2o_buf			 in;
	struct s2o_saml_response	*resp = NULL;
	struct s2o_saml_trust		*trust = NULL;
	struct s2o_store		*store = NULL;
	struct s2o_assertion		*a = NULL;
	struct s2o_saml_replay		 replay;
	struct s2o_saml_expect		 exp;
	time_t				 now;
	int				 rc = S2O_EXIT_USAGE;

	if (parse_opts(argc, argv, &o) == -1)
		return S2O_EXIT_USAGE;
	s2o_err_clear(&err);
	s2o_diags_init(&diags);
	s2o_buf_init(&in, S2O_INPUT_MAX_FILE);
	s2o_clock_init_system(&clock);
	if (o.now != NULL) {
		if (s2o_time_parse_cli(o.now, &now, &err) == -1) {
			fprintf(stderr, "saml2oidc: consume: %s\n", err.detail);
			goto out;
		}
		s2o_clock_init_fixed(&clock, now);
	}
	if ((cfg = s2o_config_load(o.config, &diags, &err)) == NULL) {
		s2o_diags_print(&diags, stderr);
		if (diags.n == 0)
			rc = reject(&err);
		goto out;
	}
	if (s2o_saml_init(&err) == -1) {
		rc = reject(&err);
		goto out;
	}
	if ((o.input == NULL || strcmp(o.input, "-") == 0 ?
	    s2o_buf_read_stream(&in, stdin, "standard input", &err) :
	    s2o_buf_read_file(&in, o.input, &err)) == -1) {
		rc = reject(&err);
		goto out;
	}
	resp = s2o_saml_response_parse(in.data, in.len,
	    cfg->max_response_bytes, &err);
	if (resp == NULL) {
		rc = reject(&err);
		goto out;
	}
	memset(&exp, 0, sizeof(exp));
	exp.sp = &cfg->sp;
	if ((exp.conn = pick_connection(cfg, &o,
	    s2o_saml_response_issuer(resp), &err)) == NULL ||
	    (trust = s2o_saml_trust_new(&cfg->sp, exp.conn, &err)) == NULL) {
		rc = reject(&err);
		goto out;
	}
	store = o.replay_cache ? s2o_store_file_new(o.replay_cache, &clock,
	    &err) : s2o_store_memory_new(&clock, &err);
	if (store == NULL) {
		rc = reject(&err);
		goto out;
	}
	replay.mark = replay_mark;
	replay.ctx = store;
	exp.trust = trust;
	exp.clock = &clock;
	exp.clock_skew = cfg->clock_skew;
	exp.in_response_to = o.in_response_to;
	exp.replay = &replay;
	if ((a = s2o_saml_response_consume(resp, &exp, &err)) == NULL) {
		rc = reject(&err);
		goto out;
	}
	rc = print_assertion(a, &err) == 0 ? S2O_EXIT_OK : reject(&err);
out:
	s2o_assertion_free(a);
	s2o_store_free(store);
	s2o_saml_trust_free(trust);
	s2o_saml_response_free(resp);
	s2o_buf_cleanup(&in);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&diags);
	return rc;
}
