/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc serve`: run the bridge over HTTP. This file owns the
 * process's signals; http/ owns the server. All signals of interest are
 * blocked before any thread starts, so the worker threads inherit the
 * mask and this thread alone receives them, synchronously, with
 * sigwait(3): no handler runs in signal context.
 *
 *   SIGHUP           reload the configuration and keys (a bad file is
 *                    logged and the running configuration keeps serving)
 *   SIGTERM, SIGINT  stop accepting, let in-flight requests finish, exit 0
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "http/http.h"
#include "saml/saml.h"

void
s2o_cli_serve_help(void)
{
	printf("usage: saml2oidc serve --config CONFIG [--log-format text|json]"
	    "\n\n"
	    "Serves the bridge over HTTP on the configuration's listen\n"
	    "address (host:port). The issuer must be https (TLS ends at a\n"
	    "reverse proxy), or http on a loopback host for local use. One\n"
	    "log line per request on stderr.\n\n"
	    "  SIGHUP           reload the configuration and signing keys; a\n"
	    "                   bad configuration is logged and the running\n"
	    "                   one keeps serving\n"
	    "  SIGTERM, SIGINT  stop accepting, let requests finish, exit 0\n\n"
	    "Endpoints: /.well-known/openid-configuration,\n"
	    "/.well-known/jwks.json, /healthz, /readyz, /metrics.\n\n"
	    "Exit 0 after a clean stop, 2 when the configuration, its keys or\n"
	    "the listen address cannot be used.\n");
}

int
s2o_cli_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log-format", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_http_server	*srv = NULL;
	struct s2o_err		 err;
	enum s2o_log_format	 fmt;
	const char		*path = NULL;
	sigset_t		 set;
	int			 ch, sig, rc = S2O_EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'l':
			if (s2o_log_format_parse(optarg, &fmt) == -1) {
				fprintf(stderr, "saml2oidc: serve: "
				    "--log-format: expected text or json, "
				    "got \"%s\"\n", optarg);
				return S2O_EXIT_USAGE;
			}
			s2o_log_setup(fmt, S2O_LOG_INFO);
			break;
		default:
			fprintf(stderr, "saml2oidc: serve: unknown or "
			    "incomplete option %s\n", argv[optind - 1]);
			return S2O_EXIT_USAGE;
		}
	if (path == NULL || optind != argc) {
		fprintf(stderr, "saml2oidc: serve: usage: saml2oidc serve "
		    "--config CONFIG [--log-format text|json]\n");
		return S2O_EXIT_USAGE;
	}

	/* before any thread exists: workers inherit the blocked set */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* a client that hangs up mid-response must not end the process */
	signal(SIGPIPE, SIG_IGN);

	s2o_err_clear(&err);
	/* libxml2 and xmlsec: once, here, before the worker threads */
	if (s2o_saml_init(&err) == -1 ||
	    (srv = s2o_http_server_new(path, &err)) == NULL)
		goto fail;
	/* the socket listens from here; said before the workers start, so
	 * the line is in the log before any request can be answered */
	s2o_log(S2O_LOG_INFO, "serve", "listening on %s (generation %lu)",
	    s2o_http_server_address(srv), s2o_http_server_generation(srv));
	if (s2o_http_server_start(srv, &err) == -1)
		goto fail;
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			s2o_log(S2O_LOG_INFO, "serve", "SIGHUP: reloading");
			s2o_err_clear(&err);
			/* success and failure are both logged */
			(void)s2o_http_server_reload(srv, &err);
			continue;
		}
		s2o_log(S2O_LOG_INFO, "serve", "%s: finishing in-flight "
		    "requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	}
	s2o_http_server_shutdown(srv, S2O_HTTP_DRAIN_TIMEOUT);
	s2o_log(S2O_LOG_INFO, "serve", "stopped");
	rc = S2O_EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "saml2oidc: serve: %s: %s\n",
	    s2o_reason_token(err.reason), err.detail);
out:
	s2o_http_server_free(srv);
	return rc;
}
