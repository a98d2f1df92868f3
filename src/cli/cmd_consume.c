/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc consume`: run one SAML Response through the pipeline without
 * HTTP: verify, map, mint. How admins try a configuration against a real
 * assertion, and how fixture-driven tests drive the whole pipeline.
 * stdout carries only the result; a rejection is one line on stderr
 * ("saml2oidc: rejected: <reason>: <detail>") and exit 1; a problem with
 * the configuration, its keys or its mappings is exit 2.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/core.h"
#include "map/map.h"
#include "policy/policy.h"
#include "saml/saml.h"
#include "store/store.h"
#include "token/token.h"

enum consume_format { FMT_JWT, FMT_CLAIMS, FMT_ASSERTION };

struct consume_opts {
	const char		*config;
	const char		*connection;
	const char		*client;
	const char		*nonce;
	const char		*now;
	const char		*in_response_to;
	const char		*replay_cache;
	const char		*client_ip;	/* NULL: unknown */
	const char		*audience;	/* an API, or NULL */
	const char		*organization;	/* required, or NULL */
	const char		*scope;		/* requested scopes */
	bool			 access;	/* print the access token */
	const char		*input;
	enum consume_format	 format;
	bool			 explain;
	bool			 explain_values;
};

/* Everything one run holds, freed in one place. */
struct consume_run {
	struct s2o_config		*cfg;
	struct s2o_diags		 diags;
	struct s2o_keyset		*keys;
	struct s2o_mapping		*mapping;
	struct s2o_saml_response	*resp;
	struct s2o_saml_trust		*trust;
	struct s2o_store		*store;
	struct s2o_assertion		*assertion;
	struct s2o_map_result		 mapped;
	struct s2o_policy_grant		 grant;
	struct s2o_buf			 in;
	struct s2o_clock		 clock;
	char				*token;
};

void
s2o_cli_consume_help(void)
{
	printf("usage: saml2oidc consume --config CONFIG [--connection NAME]\n"
	    "         [--client CLIENT_ID] [--nonce NONCE] [--now TIME]\n"
	    "         [--in-response-to ID] [--format jwt|claims|assertion]\n"
	    "         [--explain[=values]] [--replay-cache FILE]\n"
	    "         [--client-ip ADDR] [--audience API] [--scope SCOPE]\n"
	    "         [--organization ORG] [--token id|access] [FILE|-]\n\n"
	    "Verifies and validates one SAML Response (raw XML, or the base64\n"
	    "SAMLResponse form value) read from FILE or standard input, maps\n"
	    "its attributes with the connection's mappings file and mints the\n"
	    "ID token an application would receive.\n\n"
	    "  --connection NAME   default: the connection whose idp_entity_id\n"
	    "                      is the Response's Issuer, else the only one\n"
	    "  --client CLIENT_ID  the ID token's audience; default: the\n"
	    "                      connection's default_client\n"
	    "  --nonce NONCE       the nonce claim\n"
	    "  --now TIME          RFC 3339 or epoch seconds; default: now\n"
	    "  --in-response-to ID the pending AuthnRequest's ID; without it a\n"
	    "                      present InResponseTo is not checked\n"
	    "  --format jwt        the compact ID token (default)\n"
	    "  --format claims     the ID token's claims as JSON\n"
	    "  --format assertion  the verified assertion as JSON\n"
	    "  --explain           on stderr, how each claim was mapped: which\n"
	    "                      source won, which were absent, each transform\n"
	    "  --explain=values    the same with the attribute values (personal\n"
	    "                      data: keep it out of logs and tickets)\n"
	    "  --replay-cache FILE remember assertion IDs across runs in FILE;\n"
	    "                      default: the configuration's store (a Redis\n"
	    "                      store is shared with servers and other runs)\n"
	    "  --client-ip ADDR    the user's address for the policies' IP\n"
	    "                      rules; default: unknown\n"
	    "  --audience API      the access token's audience, a configured\n"
	    "                      API; default: the issuer's /userinfo\n"
	    "  --scope SCOPE       the requested scopes; default: \"openid\n"
	    "                      profile email\"\n"
	    "  --organization ORG  the login requires this organization (as\n"
	    "                      /authorize?organization=)\n"
	    "  --token access      print the access token instead of the ID\n"
	    "                      token\n\n"
	    "Exit 0 accepted, 1 rejected (\"saml2oidc: rejected: REASON: "
	    "DETAIL\"),\n2 usage or configuration error.\n");
}

static int
parse_format(const char *s, enum consume_format *out)
{
	if (strcmp(s, "jwt") == 0)
		*out = FMT_JWT;
	else if (strcmp(s, "claims") == 0)
		*out = FMT_CLAIMS;
	else if (strcmp(s, "assertion") == 0)
		*out = FMT_ASSERTION;
	else
		return -1;
	return 0;
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
		{ "explain", optional_argument, NULL, 'e' },
		{ "replay-cache", required_argument, NULL, 'r' },
		{ "client-ip", required_argument, NULL, 'a' },
		{ "audience", required_argument, NULL, 'u' },
		{ "scope", required_argument, NULL, 's' },
		{ "organization", required_argument, NULL, 'o' },
		{ "token", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	memset(o, 0, sizeof(*o));
	o->format = FMT_JWT;
	o->scope = "openid profile email";
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
		case 'e':
			o->explain = true;
			if (optarg != NULL && strcmp(optarg, "values") == 0)
				o->explain_values = true;
			else if (optarg != NULL) {
				fprintf(stderr, "saml2oidc: consume: --explain="
				    "%s: expected --explain or --explain=values\n",
				    optarg);
				return -1;
			}
			break;
		case 'r': o->replay_cache = optarg; break;
		case 'u': o->audience = optarg; break;
		case 's': o->scope = optarg; break;
		case 'o': o->organization = optarg; break;
		case 'k':
			if (strcmp(optarg, "id") == 0 ||
			    strcmp(optarg, "access") == 0) {
				o->access = optarg[0] == 'a';
				break;
			}
			fprintf(stderr, "saml2oidc: consume: --token: expected id "
			    "or access, got \"%s\"\n", optarg);
			return -1;
		case 'a':
			if (s2o_policy_ip_valid(optarg)) {
				o->client_ip = optarg;
				break;
			}
			fprintf(stderr, "saml2oidc: consume: --client-ip: expected "
			    "an IPv4 or IPv6 address, got \"%s\"\n", optarg);
			return -1;
		case 'f':
			if (parse_format(optarg, &o->format) == 0)
				break;
			fprintf(stderr, "saml2oidc: consume: --format: expected "
			    "jwt, claims or assertion, got \"%s\"\n", optarg);
			return -1;
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
	return 0;
}

static int
replay_mark(void *ctx, const char *id, time_t expires, struct s2o_err *err)
{
	return s2o_store_claim(ctx, "assertion", id, expires,
	    "this assertion ID", err);
}

/* Prints err the way its reason asks; returns the exit code. */
static int
reject(const struct s2o_err *err)
{
	switch (err->reason) {
	case S2O_R_CONFIG_INVALID:
	case S2O_R_KEY_UNUSABLE:
	case S2O_R_USAGE:
	case S2O_R_IO:
	case S2O_R_MAPPING_INVALID:
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

/* The client the ID token is for: --client, else the default client. */
static const char *
pick_client(const struct s2o_config *cfg, const struct s2o_connection *conn,
    const struct consume_opts *o, struct s2o_err *err)
{
	const char	*id = o->client ? o->client : conn->default_client;

	if (id == NULL) {
		s2o_err_set(err, S2O_R_USAGE, "connection \"%s\" has no "
		    "default_client; name the audience with --client",
		    conn->name);
		return NULL;
	}
	if (s2o_config_client(cfg, id) == NULL) {
		s2o_err_set(err, S2O_R_USAGE, "--client: no client \"%s\" is "
		    "configured", id);
		return NULL;
	}
	return id;
}

/* Prints the payload of a compact JWS as indented JSON. */
static int
print_claims(const char *jws, struct s2o_err *err)
{
	const char	*p = strchr(jws, '.'), *q;
	unsigned char	*json;
	size_t		 len;

	if (p == NULL || (q = strchr(p + 1, '.')) == NULL)
		return s2o_err_set(err, S2O_R_INTERNAL, "minted token is not "
		    "a compact JWS");
	if ((json = s2o_b64url_decode(p + 1, (size_t)(q - p - 1),
	    S2O_TOKEN_MAX_LIMIT, &len, err)) == NULL)
		return -1;
	printf("%s\n", (char *)json);
	free(json);
	return 0;
}

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

/* The access token of the grant: for the API, else the issuer's
 * /userinfo. Returns an exit code. */
static int
mint_access(struct consume_run *run, const struct consume_opts *o,
    const char *client, struct s2o_err *err)
{
	struct s2o_token_access_req	 req;
	struct s2o_buf			 aud;
	size_t				 n = strlen(run->cfg->issuer);

	s2o_buf_init(&aud, 4096);
	if (run->grant.api == NULL) {
		if (n > 0 && run->cfg->issuer[n - 1] == '/')
			n--;
		if (s2o_buf_add(&aud, run->cfg->issuer, n, err) == -1 ||
		    s2o_buf_adds(&aud, "/userinfo", err) == -1)
			return reject(err);
	} else if (s2o_buf_adds(&aud, run->grant.api->identifier, err) == -1)
		return reject(err);
	memset(&req, 0, sizeof(req));
	req.issuer = run->cfg->issuer;
	req.sub = run->mapped.sub;
	req.aud = aud.data;
	req.client_id = client;
	req.scope = run->grant.scope;
	req.clock = &run->clock;
	req.ttl = run->cfg->id_token_ttl;
	req.bridge_claims = run->grant.access_claims;
	req.extra_claims = run->mapped.access_token;
	run->token = s2o_token_access_mint(run->keys, &req, err);
	s2o_buf_cleanup(&aud);
	if (run->token == NULL)
		return reject(err);
	if (o->format == FMT_CLAIMS)
		return print_claims(run->token, err) == 0 ? S2O_EXIT_OK :
		    reject(err);
	printf("%s\n", run->token);
	return S2O_EXIT_OK;
}

/*
 * The part after verification: map the assertion and mint the ID token.
 * Returns an exit code.
 */
static int
map_and_mint(struct consume_run *run, const struct consume_opts *o,
    const struct s2o_connection *conn, struct s2o_err *err)
{
	struct s2o_token_id_req	 req;
	struct s2o_policy_set	*policies;
	struct s2o_policy_login	 login;
	const struct s2o_config_api *api = NULL;
	char			 api_scope[160];
	const char		*client;
	unsigned int		 flags = (o->explain ? S2O_MAP_EXPLAIN : 0) |
				    (o->explain_values ? S2O_MAP_EXPLAIN_VALUES : 0);
	int			 rc;

	rc = s2o_map_apply(run->mapping, run->assertion, conn->name, flags,
	    &run->mapped, err);
	if (o->explain && run->mapped.explain != NULL)
		fprintf(stderr, "%s", run->mapped.explain);
	if (rc == -1)
		return reject(err);
	if ((client = pick_client(run->cfg, conn, o, err)) == NULL)
		return reject(err);
	if (o->audience != NULL && (api = s2o_config_api(run->cfg,
	    o->audience)) == NULL) {
		s2o_err_set(err, S2O_R_USAGE, "--audience: no API \"%s\" is "
		    "configured", o->audience);
		return reject(err);
	}
	if (s2o_policy_scope_check(api, o->scope, err) == -1) {
		fprintf(stderr, "saml2oidc: consume: --scope: %s\n",
		    err->detail);
		return S2O_EXIT_USAGE;
	}
	if (api != NULL)
		snprintf(api_scope, sizeof(api_scope), "API \"%s\"",
		    api->identifier);
	/* the central policies, after mapping and before any token */
	if ((policies = s2o_policy_set_for(run->cfg, conn,
	    s2o_config_client(run->cfg, client), err)) == NULL ||
	    (api != NULL && s2o_policy_set_add(policies, &api->policies,
	    api_scope, err) == -1)) {
		s2o_policy_set_free(policies);
		return reject(err);
	}
	rc = s2o_policy_check(policies, o->client_ip, run->mapped.profile,
	    run->assertion->authn_context, err);
	s2o_policy_set_free(policies);
	if (rc == -1)
		return reject(err);
	/* organizations, the audience's rules and the roles */
	memset(&login, 0, sizeof(login));
	login.cfg = run->cfg;
	login.conn = conn;
	login.client = s2o_config_client(run->cfg, client);
	login.profile = run->mapped.profile;
	login.roles_claim = s2o_map_roles_claim(run->mapping);
	login.organization = o->organization;
	login.audience = o->audience;
	login.scope = o->scope;
	if (s2o_policy_grant(&login, &run->grant, err) == -1)
		return reject(err);
	if (o->access)
		return mint_access(run, o, client, err);
	memset(&req, 0, sizeof(req));
	req.issuer = run->cfg->issuer;
	req.sub = run->mapped.sub;
	req.aud = client;
	req.clock = &run->clock;
	req.ttl = run->cfg->id_token_ttl;
	req.auth_time = run->assertion->authn_instant;
	req.nonce = o->nonce;
	req.authn_context = run->assertion->authn_context;
	req.sid = run->assertion->session_index;
	req.bridge_claims = run->grant.id_claims;
	req.extra_claims = run->mapped.id_token;
	if ((run->token = s2o_token_id_mint(run->keys, &req, err)) == NULL)
		return reject(err);
	if (o->format == FMT_CLAIMS)
		return print_claims(run->token, err) == 0 ? S2O_EXIT_OK :
		    reject(err);
	printf("%s\n", run->token);
	return S2O_EXIT_OK;
}

/* Loads what the run needs before any input is read. Exit code or -1. */
static int
prepare(struct consume_run *run, const struct consume_opts *o,
    struct s2o_err *err)
{
	time_t	now;

	s2o_clock_init_system(&run->clock);
	if (o->now != NULL) {
		if (s2o_time_parse_cli(o->now, &now, err) == -1) {
			fprintf(stderr, "saml2oidc: consume: %s\n", err->detail);
			return S2O_EXIT_USAGE;
		}
		s2o_clock_init_fixed(&run->clock, now);
	}
	if ((run->cfg = s2o_config_load(o->config, &run->diags, err)) ==
	    NULL) {
		s2o_diags_print(&run->diags, stderr);
		return run->diags.n == 0 ? reject(err) : S2O_EXIT_USAGE;
	}
	/* keys are parsed once, before any input: a broken key is a
	 * configuration error, not a rejected Response */
	if (o->format != FMT_ASSERTION &&
	    (run->keys = s2o_token_keyset_new(run->cfg, err)) == NULL)
		return reject(err);
	if (s2o_saml_init(err) == -1)
		return reject(err);
	/* connections configured by IdP metadata (docs/metadata.md) */
	if (s2o_saml_config_metadata(run->cfg, true, &run->clock,
	    &run->diags, err) == -1) {
		s2o_diags_print(&run->diags, stderr);
		return S2O_EXIT_USAGE;
	}
	return -1;
}

static void
run_cleanup(struct consume_run *run)
{
	free(run->token);
	s2o_policy_grant_cleanup(&run->grant);
	s2o_map_result_cleanup(&run->mapped);
	s2o_assertion_free(run->assertion);
	s2o_store_free(run->store);
	s2o_saml_trust_free(run->trust);
	s2o_saml_response_free(run->resp);
	s2o_map_free(run->mapping);
	s2o_token_keyset_free(run->keys);
	s2o_buf_cleanup(&run->in);
	s2o_config_free(run->cfg);
	s2o_diags_cleanup(&run->diags);
}

int
s2o_cli_consume(int argc, char **argv)
{
	struct consume_opts		 o;
	struct consume_run		 run;
	struct s2o_err			 err;
	struct s2o_saml_replay		 replay;
	struct s2o_saml_expect		 exp;
	int				 rc;

	if (parse_opts(argc, argv, &o) == -1)
		return S2O_EXIT_USAGE;
	memset(&run, 0, sizeof(run));
	s2o_err_clear(&err);
	s2o_diags_init(&run.diags);
	s2o_map_result_init(&run.mapped);
	s2o_policy_grant_init(&run.grant);
	s2o_buf_init(&run.in, S2O_INPUT_MAX_FILE);
	if ((rc = prepare(&run, &o, &err)) != -1)
		goto out;
	if ((o.input == NULL || strcmp(o.input, "-") == 0 ?
	    s2o_buf_read_stream(&run.in, stdin, "standard input", &err) :
	    s2o_buf_read_file(&run.in, o.input, &err)) == -1) {
		rc = reject(&err);
		goto out;
	}
	run.resp = s2o_saml_response_parse(run.in.data, run.in.len,
	    run.cfg->max_response_bytes, &err);
	if (run.resp == NULL) {
		rc = reject(&err);
		goto out;
	}
	memset(&exp, 0, sizeof(exp));
	exp.sp = &run.cfg->sp;
	if ((exp.conn = pick_connection(run.cfg, &o,
	    s2o_saml_response_issuer(run.resp), &err)) == NULL ||
	    (run.trust = s2o_saml_trust_new(&run.cfg->sp, exp.conn, &err)) ==
	    NULL) {
		rc = reject(&err);
		goto out;
	}
	/* the mappings file is the connection's: a broken one is exit 2 */
	if (o.format != FMT_ASSERTION && (run.mapping = s2o_map_load(
	    exp.conn->mappings_file, &run.diags, &err)) == NULL) {
		s2o_diags_print(&run.diags, stderr);
		rc = run.diags.n == 0 ? reject(&err) : S2O_EXIT_USAGE;
		goto out;
	}
	/* a Redis server that hangs up mid-command must not end the run */
	if (o.replay_cache == NULL && run.cfg->store.kind != S2O_STORE_MEMORY)
		signal(SIGPIPE, SIG_IGN);
	run.store = o.replay_cache ? s2o_store_file_new(o.replay_cache,
	    &run.clock, &err) : s2o_store_new(&run.cfg->store, &run.clock,
	    &err);
	if (run.store == NULL) {
		rc = reject(&err);
		goto out;
	}
	replay.mark = replay_mark;
	replay.ctx = run.store;
	exp.trust = run.trust;
	exp.clock = &run.clock;
	exp.clock_skew = run.cfg->clock_skew;
	exp.in_response_to = o.in_response_to;
	exp.replay = &replay;
	if ((run.assertion = s2o_saml_response_consume(run.resp, &exp,
	    &err)) == NULL) {
		rc = reject(&err);
		goto out;
	}
	if (o.format == FMT_ASSERTION)
		rc = print_assertion(run.assertion, &err) == 0 ? S2O_EXIT_OK :
		    reject(&err);
	else
		rc = map_and_mint(&run, &o, exp.conn, &err);
out:
	run_cleanup(&run);
	return rc;
}
