/* SPDX-License-Identifier: MIT */
/*
 * Interoperability: every SAML Response of the shared corpus (real output
 * of ADFS, Okta, OneLogin, SimpleSAMLphp, Shibboleth and attack documents,
 * from the public test suites of python3-saml and ruby-saml) is driven
 * through `saml2oidc consume`, with a connection configured from its
 * manifest entry, and must reach the verdict of tests/interop/verdicts.tsv
 * (established from the originating suite's tests; one reason per row).
 * The corpus is other projects' data, read from $S2O_INTEROP and never
 * copied here; where it is absent the test says so and checks nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core.h"
#include "helpers.h"

static json_t	*manifest;

struct verdict {
	char	*file;
	char	*verdict;
	char	*reasons;	/* "a,b,c" or "-" */
};

static struct verdict	*verdicts;
static size_t		 nverdicts;

static const char *
interop_dir(void)
{
	const char	*d = getenv("S2O_INTEROP");

	return d != NULL && *d != '\0' ? d : "../shared/interop";
}

static void
load_verdicts(void)
{
	struct s2o_buf	 b;
	struct s2o_err	 err;
	char		*text, *line, *save = NULL, *f[4];
	size_t		 i;

	/* runs in main(), before Check can report: a missing table shows as
	 * every document lacking its row */
	s2o_err_clear(&err);
	s2o_buf_init(&b, 1u << 20);
	if (s2o_buf_read_file(&b, src_path("tests/interop/verdicts.tsv"), &err)
	    == -1)
		return;
	text = s2o_buf_take(&b, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		f[0] = line;
		for (i = 1; i < 4 && f[i - 1] != NULL; i++) {
			f[i] = strchr(f[i - 1], '\t');
			if (f[i] != NULL)
				*f[i]++ = '\0';
		}
		if (f[2] == NULL)
			continue;
		verdicts = realloc(verdicts, (nverdicts + 1) *
		    sizeof(*verdicts));
		verdicts[nverdicts].file = strdup(f[0]);
		verdicts[nverdicts].verdict = strdup(f[1]);
		verdicts[nverdicts].reasons = strdup(f[2]);
		nverdicts++;
	}
	free(text);
}

static const struct verdict *
find_verdict(const char *file)
{
	size_t	i;

	for (i = 0; i < nverdicts; i++)
		if (strcmp(verdicts[i].file, file) == 0)
			return &verdicts[i];
	return NULL;
}

static bool
has(json_t *arr, const char *s)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* Writes the connection of one manifest entry as a bridge configuration. */
static void
write_config(const char *dir, json_t *e)
{
	const char	*cert = json_string_value(json_object_get(e,
			    "idp_certificate"));
	const char	*spkey = json_string_value(json_object_get(e,
			    "sp_private_key"));
	json_t		*req = json_object_get(e, "requires");
	const char	*acs;
	json_t		*cfg, *conn, *sp;
	char		 path[1024], certpath[1024];

	/* an entry without a certificate is checked against an unrelated
	 * one: none of its signatures may verify */
	snprintf(certpath, sizeof(certpath), "%s/%s", interop_dir(),
	    cert ? cert : "certs/ruby-saml.pem");
	acs = json_string_value(json_object_get(e, "acs_url"));
	/* a few documents hold a template placeholder such as "{recipient}":
	 * the connection then has an ACS URL the document cannot match */
	if (acs == NULL || strncmp(acs, "http", 4) != 0)
		acs = "https://sp.invalid/acs";
	sp = json_pack("{s:s, s:s}", "entity_id", json_string_value(
	    json_object_get(e, "sp_entity_id")) ?: "urn:none",
	    "acs_url", acs);
	if (spkey != NULL) {
		snprintf(path, sizeof(path), "%s/%s", interop_dir(), spkey);
		json_object_set_new(sp, "decryption_key_file",
		    json_string(path));
	}
	conn = json_pack("{s:s, s:s, s:[s], s:s, s:b, s:b}", "name", "interop",
	    "idp_entity_id", json_string_value(json_object_get(e,
	    "idp_entity_id")) ?: "urn:none", "idp_certificates", certpath,
	    "mappings_file", src_path("mappings/auth0-default.json"),
	    "allow_sha1", has(req, "allow_sha1"),
	    "allow_rsa_1024", has(req, "allow_rsa_1024"));
	/* a manifest entry without a pending request is IdP-initiated */
	json_object_set_new(conn, "allow_idp_initiated", json_boolean(
	    json_object_get(e, "in_response_to") == NULL ||
	    json_is_null(json_object_get(e, "in_response_to"))));
	cfg = json_pack("{s:s, s:[{s:s, s:s, s:s}], s:i, s:o, s:[o], s:[]}",
	    "issuer", "https://bridge.example.test",
	    "signing_keys", "kid", "k1", "alg", "RS256", "private_key_file",
	    fx_path("keys/bridge-rs256.pem"), "clock_skew", 0, "sp", sp,
	    "connections", conn, "clients");
	ck_assert_ptr_nonnull(cfg);
	snprintf(path, sizeof(path), "%s/bridge.json", dir);
	ck_assert_int_eq(json_dump_file(cfg, path, JSON_INDENT(1)), 0);
	json_decref(cfg);
}

/* Runs consume; returns its exit status, stderr's first line in err. */
static int
run_consume(const char *dir, json_t *e, char *errline, size_t size)
{
	const char	*irt = json_string_value(json_object_get(e,
			    "in_response_to"));
	const char	*at = json_string_value(json_object_get(e, "valid_at"));
	char		 bin[1024], cfg[1024], doc[1024], errf[1024];
	const char	*argv[14];
	int		 n = 0, status, fd;
	pid_t		 pid;
	FILE		*fp;

	snprintf(bin, sizeof(bin), "%s/src/saml2oidc",
	    getenv("S2O_BUILDDIR") ? getenv("S2O_BUILDDIR") : ".");
	snprintf(cfg, sizeof(cfg), "%s/bridge.json", dir);
	snprintf(doc, sizeof(doc), "%s/%s", interop_dir(),
	    json_string_value(json_object_get(e, "file")));
	snprintf(errf, sizeof(errf), "%s/stderr", dir);
	argv[n++] = bin;
	argv[n++] = "consume";
	/* the verdict on the SAML document; mapping is not under test */
	argv[n++] = "--format";
	argv[n++] = "assertion";
	argv[n++] = "--config";
	argv[n++] = cfg;
	argv[n++] = "--now";
	argv[n++] = at ? at : "2000-01-01T00:00:00Z";
	if (irt != NULL) {
		argv[n++] = "--in-response-to";
		argv[n++] = irt;
	}
	argv[n++] = doc;
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		close(fd);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		close(fd);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	errline[0] = '\0';
	if ((fp = fopen(errf, "r")) != NULL) {
		if (fgets(errline, (int)size, fp) == NULL)
			errline[0] = '\0';
		errline[strcspn(errline, "\n")] = '\0';
		fclose(fp);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static bool
reason_listed(const char *reasons, const char *token)
{
	char	 buf[256], *t, *save = NULL;

	s2o_strlcpy(buf, reasons, sizeof(buf));
	for (t = strtok_r(buf, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save))
		if (strcmp(t, token) == 0)
			return true;
	return false;
}

START_TEST(test_interop_document)
{
	json_t			*e = json_array_get(manifest, (size_t)_i);
	const char		*file = json_string_value(json_object_get(e,
				    "file"));
	const struct verdict	*v = find_verdict(file);
	char			 dir[] = "/tmp/s2o-interop-XXXXXX";
	char			 line[512], token[64];
	int			 rc;

	ck_assert_msg(v != NULL, "%s has no row in verdicts.tsv", file);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_config(dir, e);
	rc = run_consume(dir, e, line, sizeof(line));
	if (strcmp(v->verdict, "accept") == 0)
		ck_assert_msg(rc == 0, "%s: expected accept, got exit %d: %s",
		    file, rc, line);
	else {
		ck_assert_msg(rc == 1, "%s: expected reject (%s), got exit %d:"
		    " %s", file, v->reasons, rc, line);
		ck_assert_msg(sscanf(line, "saml2oidc: rejected: %63[a-z_]:",
		    token) == 1, "%s: unexpected stderr: %s", file, line);
		ck_assert_msg(reason_listed(v->reasons, token), "%s: rejected "
		    "as %s, expected one of %s: %s", file, token, v->reasons,
		    line);
	}
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(line), 0);
}
END_TEST

START_TEST(test_interop_table_complete)
{
	ck_assert_uint_eq(nverdicts, json_array_size(manifest));
}
END_TEST

START_TEST(test_interop_absent)
{
	printf("check_interop: %s/manifest.json not found: the interop corpus "
	    "is absent, 0 documents checked (skipped)\n", interop_dir());
}
END_TEST

int
main(void)
{
	Suite		*s = suite_create("interop");
	TCase		*tc = tcase_create("corpus");
	json_error_t	 je;
	char		 path[1024];

	snprintf(path, sizeof(path), "%s/manifest.json", interop_dir());
	tcase_set_timeout(tc, 600);
	if ((manifest = json_load_file(path, 0, &je)) == NULL)
		tcase_add_test(tc, test_interop_absent);
	else {
		load_verdicts();
		tcase_add_test(tc, test_interop_table_complete);
		tcase_add_loop_test(tc, test_interop_document, 0,
		    (int)json_array_size(manifest));
	}
	suite_add_tcase(s, tc);
	return run_suite(s);
}
