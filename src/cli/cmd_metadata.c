/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc metadata`: print the bridge's SAML SP metadata, the document
 * an admin hands to each IdP (and that /saml/metadata serves); and
 * `saml2oidc metadata import`: read an IdP's metadata and print the
 * connection entry to paste into the configuration, writing the IdP's
 * signing certificates beside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/core.h"
#include "saml/saml.h"

void
s2o_cli_metadata_help(void)
{
	printf("usage: saml2oidc metadata --config CONFIG [--signed]\n"
	    "       saml2oidc metadata import [--entity ENTITY_ID] [--name NAME]\n"
	    "                 [--cert-dir DIR] [--now TIME] FILE|URL\n\n"
	    "Prints the bridge's SAML service provider metadata: entity ID,\n"
	    "assertion consumer service, signing and encryption certificates\n"
	    "and NameID formats. --signed signs it with sp.signing_key_file.\n\n"
	    "import reads an IdP's metadata from a file or an https URL (an\n"
	    "EntityDescriptor, or one IdP of an aggregate named by --entity),\n"
	    "writes each signing certificate\n"
	    "to DIR/NAME-signing-N.pem (never overwriting) and prints the\n"
	    "connection entry for the configuration. The metadata's signature\n"
	    "is not checked: import only files you obtained safely.\n"
	    "Exit 0, 1 when the metadata is refused, 2 for a usage error.\n");
}

/* Writes text to dir/name, refusing to replace an existing file. */
static int
write_new(const char *dir, const char *name, const char *text, char *path,
    size_t size)
{
	int	fd;
	size_t	len = strlen(text);

	snprintf(path, size, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) ==
	    -1) {
		fprintf(stderr, "saml2oidc: metadata import: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len || close(fd) != 0) {
		fprintf(stderr, "saml2oidc: metadata import: %s: %s\n", path,
		    strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

static int
print_connection(const struct s2o_idp_metadata *m, const char *name,
    const char *dir)
{
	json_t	*c, *certs;
	char	 file[256], path[4096], *s;
	size_t	 i;
	int	 rc = S2O_EXIT_USAGE;

	c = json_object();
	certs = json_array();
	for (i = 0; i < m->ncertificates; i++) {
		snprintf(file, sizeof(file), "%s-signing-%zu.pem", name, i + 1);
		if (write_new(dir, file, m->certificates[i], path,
		    sizeof(path)) == -1)
			goto out;
		json_array_append_new(certs, json_string(path));
	}
	json_object_set_new(c, "name", json_string(name));
	json_object_set_new(c, "idp_entity_id", json_string(m->entity_id));
	json_object_set(c, "idp_certificates", certs);
	if (m->sso_redirect != NULL || m->sso_post != NULL) {
		json_object_set_new(c, "sso_url", json_string(m->sso_redirect ?
		    m->sso_redirect : m->sso_post));
		json_object_set_new(c, "sso_binding", json_string(
		    m->sso_redirect ? "redirect" : "post"));
	}
	if (m->want_authn_requests_signed)
		json_object_set_new(c, "sign_requests", json_true());
	if (m->nname_id_formats > 0)
		json_object_set_new(c, "name_id_format",
		    json_string(m->name_id_formats[0]));
	json_object_set_new(c, "mappings_file",
	    json_string("mappings/auth0-default.json"));
	if ((s = json_dumps(c, JSON_INDENT(2))) != NULL) {
		printf("%s\n", s);
		free(s);
		rc = S2O_EXIT_OK;
	}
out:
	json_decref(certs);
	json_decref(c);
	return rc;
}

static int
metadata_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "entity", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "cert-dir", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct s2o_idp_metadata	*m = NULL;
	struct s2o_buf		 in;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	const char		*entity = NULL, *name = "idp", *dir = ".";
	time_t			 now;
	int			 ch, rc = S2O_EXIT_USAGE;

	s2o_err_clear(&err);
	s2o_clock_init_system(&clock);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'e': entity = optarg; break;
		case 'n': name = optarg; break;
		case 'd': dir = optarg; break;
		case 't':
			if (s2o_time_parse_cli(optarg, &now, &err) == -1) {
				fprintf(stderr, "saml2oidc: metadata import: "
				    "%s\n", err.detail);
				return S2O_EXIT_USAGE;
			}
			s2o_clock_init_fixed(&clock, now);
			break;
		default:
			fprintf(stderr, "saml2oidc: metadata import: unknown or "
			    "incomplete option %s\n", argv[optind - 1]);
			return S2O_EXIT_USAGE;
		}
	if (optind + 1 != argc || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name)) {
		fprintf(stderr, "saml2oidc: metadata import: usage: saml2oidc "
		    "metadata import [--entity ID] [--name NAME] [--cert-dir "
		    "DIR] [--now TIME] FILE|URL\n");
		return S2O_EXIT_USAGE;
	}
	s2o_buf_init(&in, S2O_INPUT_MAX_FILE);
	if (s2o_saml_init(&err) == -1)
		;
	else if (strncmp(argv[optind], "https://", 8) == 0 ||
	    strncmp(argv[optind], "http://", 7) == 0)
		/* https, or http from a loopback host: the same fetch as a
		 * connection's metadata_url */
		in.data = s2o_saml_metadata_fetch(argv[optind], &in.len, NULL,
		    &err);
	else
		s2o_buf_read_file(&in, argv[optind], &err);
	if (err.reason != S2O_R_OK ||
	    (m = s2o_saml_idp_metadata_parse(in.data, in.len, entity, &clock,
	    &err)) == NULL) {
		fprintf(stderr, "saml2oidc: rejected: %s: %s\n",
		    s2o_reason_token(err.reason), err.detail);
		rc = err.reason == S2O_R_USAGE || err.reason == S2O_R_IO ?
		    S2O_EXIT_USAGE : S2O_EXIT_REJECTED;
	} else
		rc = print_connection(m, name, dir);
	s2o_idp_metadata_free(m);
	s2o_buf_cleanup(&in);
	return rc;
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

	if (argc > 1 && strcmp(argv[1], "import") == 0)
		return metadata_import(argc - 1, argv + 1);
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
