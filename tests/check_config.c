/* SPDX-License-Identifier: MIT */
/*
 * config/: good configurations load to the expected values; each bad one
 * yields exactly the diagnostics an admin would read, verbatim, all of
 * them in one run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "helpers.h"

struct bad_case {
	const char	*file;
	const char	*lines[6];	/* after "<path>", NULL-terminated */
};

static const struct bad_case bad_cases[] = {
	{ "typo.json", {
	    ":3:3: clock_skw: unknown key (did you mean \"clock_skew\"?)",
	    NULL } },
	{ "several.json", {
	    ":3:19: id_token_ttl: expected an integer from 1 to 86400, found "
	    "a string",
	    ":4:70: signing_keys[0].private_key_file: ES256 needs an EC P-256 "
	    "key, bridge-rs256.pem holds an RSA 2048-bit key",
	    ":8:41: connections[0].idp_certificates[0]: cannot read "
	    "idp/cert.pem: No such file or directory",
	    ":8:57: connections[0].idp_certificates[1]: idp-rsa.key is not a "
	    "PEM X.509 certificate",
	    ":10:38: connections[0].default_client: no client \"demo-ap\" is "
	    "configured (did you mean \"demo-app\"?)",
	    NULL } },
	{ "missing.json", {
	    ": missing required key \"issuer\"",
	    ":2:19: signing_keys: expected at least one entry",
	    ":3:9: sp: missing required key \"entity_id\"",
	    ":3:21: sp.acs_url: expected an absolute http(s) URL, found "
	    "\"/saml/acs\"",
	    NULL } },
	{ "syntax.json", {
	    ":5:0: '}' expected near end of file",
	    NULL } },
	{ "weak-signing-key.json", {
	    ":3:70: signing_keys[0].private_key_file: RS256 needs an RSA key of "
	    "2048 bits or more, idp-rsa1024.key holds an RSA 1024-bit key",
	    NULL } },
};
#define NBAD	(sizeof(bad_cases) / sizeof(bad_cases[0]))

START_TEST(test_config_bad)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[1024], want[1200];
	size_t			 n, i;

	snprintf(path, sizeof(path), "%s/%s", fx_path("config/bad"), c->file);
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(path, &d, &err);
	ck_assert_ptr_null(cfg);
	/* errors only: a git checkout leaves key files 0644, which adds a
	 * permission warning that test_config_key_mode checks on its own */
	for (n = 0, i = 0; c->lines[n] != NULL; n++, i++) {
		while (i < d.n && d.v[i].severity == S2O_DIAG_WARNING)
			i++;
		snprintf(want, sizeof(want), "%s%s", path, c->lines[n]);
		ck_assert_msg(i < d.n, "%s: missing line %s", c->file, want);
		ck_assert_str_eq(d.v[i].text, want);
	}
	ck_assert_uint_eq(d.nerrors, n);
	/* the error value carries the first problem */
	ck_assert_int_eq(err.reason, S2O_R_CONFIG_INVALID);
	snprintf(want, sizeof(want), "%s%s", path, c->lines[0]);
	ck_assert_str_eq(err.detail, want);
	s2o_diags_cleanup(&d);
}
END_TEST

START_TEST(test_config_good)
{
	struct s2o_config		*cfg;
	const struct s2o_connection	*k;
	struct s2o_diags		 d;
	struct s2o_err			 err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(fx_path("config/good/minimal.json"), &d, &err);
	ck_assert_msg(cfg != NULL, "%s", err.detail);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_str_eq(cfg->issuer, "https://bridge.example.test");
	ck_assert_str_eq(cfg->listen, "127.0.0.1:8080");
	ck_assert_int_eq(cfg->id_token_ttl, 300);
	ck_assert_int_eq(cfg->clock_skew, 120);
	ck_assert_uint_eq(cfg->max_response_bytes, 1048576);
	ck_assert_uint_eq(cfg->nsigning_keys, 1);
	ck_assert_str_eq(cfg->signing_keys[0].alg, "RS256");
	ck_assert(cfg->signing_keys[0].active);
	ck_assert_ptr_nonnull(strstr(cfg->signing_keys[0].private_key.data,
	    "PRIVATE KEY"));
	ck_assert_ptr_null(cfg->sp.decryption_key.data);
	k = s2o_config_connection_by_issuer(cfg, "https://idp.example.test/");
	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_eq(k, s2o_config_connection(cfg, "corp"));
	ck_assert_uint_eq(k->nidp_certificates, 2);
	ck_assert_ptr_nonnull(strstr(k->idp_certificates[1].path,
	    "keys/idp-rsa-next.crt"));
	ck_assert(!k->allow_sha1 && !k->allow_idp_initiated);
	ck_assert_str_eq(k->default_client, "demo-app");
	ck_assert_ptr_nonnull(s2o_config_client(cfg, "demo-app"));
	ck_assert_ptr_null(s2o_config_client(cfg, "other"));
	ck_assert_ptr_null(s2o_config_client(cfg, "demo-app")->client_secret);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

START_TEST(test_config_warning_only)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 want[1200];
	size_t			 i;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(fx_path("saml/bridge.json"), &d, &err);
	ck_assert_msg(cfg != NULL, "%s", err.detail);
	/* a 1024-bit IdP certificate loads, with a warning saying why its
	 * Responses will be refused */
	ck_assert_uint_eq(d.nerrors, 0);
	snprintf(want, sizeof(want), "%s:52:9: warning: connections[3]."
	    "idp_certificates[0]: idp-rsa1024.crt holds an RSA 1024-bit key: "
	    "Responses it signs are rejected as weak_algorithm unless the "
	    "connection sets allow_rsa_1024", fx_path("saml/bridge.json"));
	for (i = 0; i < d.n && strcmp(d.v[i].text, want) != 0; i++)
		;
	ck_assert_msg(i < d.n, "no diagnostic \"%s\"", want);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

/* A private key readable by others loads, with a warning that says how
 * to fix it; a 0600 one loads silently. */
START_TEST(test_config_key_mode)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 dir[] = "/tmp/s2o-cfg-XXXXXX", path[256];
	char			 cmd[4096], want[512];
	const char		*mode[2] = { "644", "600" };
	char			 key[512], crt[512];
	int			 k;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* fx_path() answers in one static buffer: copy before the next call */
	s2o_strlcpy(key, fx_path("keys/bridge-rs256.pem"), sizeof(key));
	s2o_strlcpy(crt, fx_path("keys/idp-rsa.crt"), sizeof(crt));
	for (k = 0; k < 2; k++) {
		ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "cp '%s' %s/key.pem && chmod %s "
		    "%s/key.pem && printf '{\"issuer\": \"https://b.test\", "
		    "\"signing_keys\": [{\"kid\": \"k\", "
		    "\"private_key_file\": \"key.pem\"}], \"sp\": "
		    "{\"entity_id\": \"sp\", \"acs_url\": "
		    "\"https://b.test/acs\"}, \"connections\": [{\"name\": "
		    "\"c\", \"idp_entity_id\": \"idp\", "
		    "\"idp_certificates\": [\"%s\"], \"mappings_file\": "
		    "\"key.pem\"}]}' > %s/b.json",
		    key, dir, mode[k], dir, crt, dir), (int)sizeof(cmd));
		ck_assert_int_eq(system(cmd), 0);
		snprintf(path, sizeof(path), "%s/b.json", dir);
		s2o_err_clear(&err);
		s2o_diags_init(&d);
		cfg = s2o_config_load(path, &d, &err);
		ck_assert_msg(cfg != NULL, "%s", err.detail);
		if (k == 0) {
			ck_assert_uint_eq(d.n, 1);
			snprintf(want, sizeof(want), "%s:1:80: warning: "
			    "signing_keys[0].private_key_file: key.pem is "
			    "readable by group or others (mode 0644); chmod 600 "
			    "it", path);
			ck_assert_str_eq(d.v[0].text, want);
		} else
			ck_assert_uint_eq(d.n, 0);
		s2o_config_free(cfg);
		s2o_diags_cleanup(&d);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_config_unreadable)
{
	struct s2o_diags	d;
	struct s2o_err		err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	ck_assert_ptr_null(s2o_config_load(fx_path("config/none.json"), &d,
	    &err));
	ck_assert_s2o_err(&err, S2O_R_IO, "none.json: No such file or "
	    "directory");
	s2o_diags_cleanup(&d);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("load");

	tcase_add_loop_test(tc, test_config_bad, 0, (int)NBAD);
	tcase_add_test(tc, test_config_good);
	tcase_add_test(tc, test_config_warning_only);
	tcase_add_test(tc, test_config_unreadable);
	tcase_add_test(tc, test_config_key_mode);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
