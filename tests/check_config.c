/* SPDX-License-Identifier: MIT */
/*
 * config/: every good configuration under fixtures/config/good loads to
 * the expected values, and every bad one under fixtures/config/bad yields
 * exactly the diagnostics an admin would read, verbatim and all of them in
 * one run, with the first error in err.
 *
 * The suite runs on a private copy of fixtures/config: git keeps no file
 * modes beyond the executable bit, so a checkout leaves the test keys
 * 0644 (or 0600 under umask 077), and the loader warns about the former.
 * The copy gets known modes: every private key 0600 except keys/open.key,
 * which the permission tests set themselves. Expected lines say FILE where
 * the path given to s2o_config_load() appears.
 */
#include <errno.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "helpers.h"

static char	fxdir[256];	/* the private copy of fixtures/config */

/* ---- helpers ---------------------------------------------------------- */

static void
sh(const char *fmt, ...) S2O_PRINTF(1, 2);

static void
sh(const char *fmt, ...)
{
	char	cmd[4096];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) || system(cmd) != 0) {
		fprintf(stderr, "check_config: failed: %s\n", cmd);
		exit(EXIT_FAILURE);
	}
}

/* path of rel inside the copy, in out (1024 bytes) */
static const char *
cp_path(char *out, const char *rel)
{
	snprintf(out, 1024, "%s/%s", fxdir, rel);
	return out;
}

/* pattern with every "FILE" replaced by file, into out */
static const char *
expand(char *out, size_t size, const char *pattern, const char *file)
{
	const char	*p, *f;
	size_t		 n = 0;

	for (p = pattern; *p != '\0' && n + 1 < size; ) {
		if (strncmp(p, "FILE", 4) == 0) {
			for (f = file; *f != '\0' && n + 1 < size; f++)
				out[n++] = *f;
			p += 4;
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
	return out;
}

/* The diagnostics are exactly lines (NULL-terminated), in order. */
static void
assert_diags(const struct s2o_diags *d, const char *file,
    const char *const *lines)
{
	char	want[2048], all[8192];
	size_t	i, n, len = 0;

	all[0] = '\0';
	for (i = 0; i < d->n && len < sizeof(all); i++)
		len += (size_t)snprintf(all + len, sizeof(all) - len, "\n  %s",
		    d->v[i].text);
	for (n = 0; lines[n] != NULL; n++) {
		expand(want, sizeof(want), lines[n], file);
		ck_assert_msg(n < d->n, "missing line %zu \"%s\"; got:%s", n,
		    want, all);
		ck_assert_msg(strcmp(d->v[n].text, want) == 0,
		    "line %zu:\n  want %s\n  got  %s\nall:%s", n, want,
		    d->v[n].text, all);
	}
	ck_assert_msg(d->n == n, "%zu lines expected, %zu found:%s", n, d->n,
	    all);
}

/* ---- good configurations ---------------------------------------------- */

static void
assert_path(const char *got, const char *rel)
{
	char	want[1024];

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, cp_path(want, rel));
}

static void
assert_pem(const struct s2o_pem *pem, const char *rel, const char *has)
{
	assert_path(pem->path, rel);
	ck_assert_ptr_nonnull(pem->data);
	ck_assert_uint_eq(strlen(pem->data), pem->len);
	ck_assert_ptr_nonnull(strstr(pem->data, has));
}

static void
check_minimal(const struct s2o_config *c)
{
	const struct s2o_connection	*k = &c->connections[0];

	ck_assert_str_eq(c->issuer, "https://bridge.example.test");
	ck_assert_str_eq(c->listen, "127.0.0.1:8080");
	ck_assert_int_eq(c->id_token_ttl, 300);
	ck_assert_int_eq(c->clock_skew, 120);
	ck_assert_uint_eq(c->max_response_bytes, 1048576);
	ck_assert_uint_eq(c->max_token_bytes, 16384);
	ck_assert_uint_eq(c->nsigning_keys, 1);
	ck_assert_str_eq(c->signing_keys[0].kid, "k1");
	ck_assert_str_eq(c->signing_keys[0].alg, "RS256");
	ck_assert(c->signing_keys[0].active);
	assert_pem(&c->signing_keys[0].private_key, "good/../keys/signing.key",
	    "-----BEGIN PRIVATE KEY-----");
	ck_assert_str_eq(c->sp.entity_id, "https://bridge.example.test/saml");
	ck_assert_str_eq(c->sp.acs_url, "https://bridge.example.test/saml/acs");
	ck_assert_ptr_null(c->sp.decryption_key.data);
	ck_assert_ptr_null(c->sp.decryption_key.path);
	ck_assert_uint_eq(c->nconnections, 1);
	ck_assert_str_eq(k->name, "corp");
	ck_assert_str_eq(k->idp_entity_id, "https://idp.example.test/");
	ck_assert_uint_eq(k->nidp_certificates, 1);
	assert_pem(&k->idp_certificates[0], "good/../keys/idp.crt",
	    "-----BEGIN CERTIFICATE-----");
	assert_path(k->mappings_file, "good/../mappings.json");
	ck_assert_ptr_null(k->default_client);
	ck_assert(!k->allow_sha1 && !k->allow_rsa_1024 &&
	    !k->allow_idp_initiated);
	ck_assert_uint_eq(c->nclients, 0);
}

static void
check_full(const struct s2o_config *c)
{
	static const char *const kids[] = { "old", "new", "p384", "rs512" };
	static const char *const algs[] = { "RS256", "ES256", "ES384", "RS512" };
	const struct s2o_connection	*k;
	const struct s2o_client		*cl;
	size_t				 i;

	ck_assert_str_eq(c->issuer, "https://bridge.example.test/tenant-1");
	ck_assert_str_eq(c->listen, "[::1]:9443");
	ck_assert_int_eq(c->id_token_ttl, 600);
	ck_assert_int_eq(c->clock_skew, 0);
	ck_assert_uint_eq(c->max_response_bytes, 2097152);
	ck_assert_uint_eq(c->max_token_bytes, 8192);
	ck_assert_uint_eq(c->namr_rules, 2);
	ck_assert_str_eq(c->amr_rules[0].class_ref,
	    "urn:example:ac:hardware-token");
	ck_assert_uint_eq(c->amr_rules[0].namr, 2);
	ck_assert_str_eq(c->amr_rules[0].amr[0], "hwk");
	ck_assert_str_eq(c->amr_rules[0].amr[1], "mfa");
	ck_assert_uint_eq(c->amr_rules[1].namr, 0);
	ck_assert_uint_eq(c->nsigning_keys, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_str_eq(c->signing_keys[i].kid, kids[i]);
		ck_assert_str_eq(c->signing_keys[i].alg, algs[i]);
		/* the key marked active signs, not the first */
		ck_assert(c->signing_keys[i].active == (i == 1));
	}
	assert_pem(&c->signing_keys[1].private_key, "good/../keys/ec-p256.key",
	    "PRIVATE KEY");
	ck_assert_str_eq(c->sp.entity_id, "urn:bridge:sp");
	ck_assert_str_eq(c->sp.acs_url, "http://127.0.0.1:8080/saml/acs");
	assert_pem(&c->sp.decryption_key, "good/../keys/sp-enc.key",
	    "PRIVATE KEY");

	ck_assert_uint_eq(c->nconnections, 2);
	k = s2o_config_connection(c, "corp");
	ck_assert_ptr_eq(k, &c->connections[0]);
	ck_assert_ptr_eq(k, s2o_config_connection_by_issuer(c,
	    "https://idp.example.test/"));
	ck_assert_uint_eq(k->nidp_certificates, 2);
	assert_pem(&k->idp_certificates[0], "good/../keys/idp.crt",
	    "CERTIFICATE");
	assert_pem(&k->idp_certificates[1], "good/../keys/idp-next.crt",
	    "CERTIFICATE");
	assert_path(k->mappings_file, "good/../mappings.json");
	ck_assert_str_eq(k->default_client, "demo-app");
	ck_assert(!k->allow_sha1 && !k->allow_rsa_1024 &&
	    k->allow_idp_initiated);
	k = s2o_config_connection_by_issuer(c, "urn:legacy");
	ck_assert_ptr_eq(k, &c->connections[1]);
	ck_assert_str_eq(k->name, "Legacy_IdP-2.0");
	assert_pem(&k->idp_certificates[0], "good/../keys/idp-ec.crt",
	    "CERTIFICATE");
	ck_assert_ptr_null(k->default_client);
	ck_assert(k->allow_sha1 && !k->allow_rsa_1024 &&
	    !k->allow_idp_initiated);
	ck_assert_ptr_null(s2o_config_connection(c, "Corp"));
	ck_assert_ptr_null(s2o_config_connection_by_issuer(c,
	    "https://idp.example.test"));

	ck_assert_uint_eq(c->nclients, 2);
	cl = s2o_config_client(c, "demo-app");
	ck_assert_ptr_eq(cl, &c->clients[0]);
	ck_assert_str_eq(cl->client_secret, "0123456789abcdef");
	ck_assert_uint_eq(cl->nredirect_uris, 2);
	ck_assert_str_eq(cl->redirect_uris[0], "http://127.0.0.1:3000/cb");
	ck_assert_str_eq(cl->redirect_uris[1],
	    "https://app.example.test/callback?x=1");
	cl = s2o_config_client(c, "native");
	ck_assert_ptr_eq(cl, &c->clients[1]);
	ck_assert_ptr_null(cl->client_secret);
	ck_assert_uint_eq(cl->nredirect_uris, 1);
	ck_assert_str_eq(cl->redirect_uris[0], "com.example.app:/oauth2redirect");
	ck_assert_ptr_null(s2o_config_client(c, "demo"));
	ck_assert_ptr_null(s2o_config_client(c, NULL));
}

static void
check_rsa1024_allowed(const struct s2o_config *c)
{
	ck_assert_uint_eq(c->nconnections, 1);
	ck_assert(c->connections[0].allow_rsa_1024);
	ck_assert_uint_eq(c->connections[0].nidp_certificates, 1);
	assert_pem(&c->connections[0].idp_certificates[0],
	    "good/../keys/idp-rsa1024.crt", "CERTIFICATE");
	ck_assert_uint_eq(c->nclients, 0);	/* "clients": [] */
}

static void
check_key_mode(const struct s2o_config *c)
{
	assert_pem(&c->signing_keys[0].private_key, "good/../keys/open.key",
	    "PRIVATE KEY");
	assert_pem(&c->sp.decryption_key, "good/../keys/sp-enc.key",
	    "PRIVATE KEY");
}

static void
check_orgs(const struct s2o_config *c)
{
	const struct s2o_config_org	*g;
	const struct s2o_config_api	*a;
	const struct s2o_config_role	*r;

	ck_assert_uint_eq(c->norgs, 2);
	g = s2o_config_org(c, "org_acme", false);
	ck_assert_ptr_eq(g, &c->orgs[0]);
	ck_assert_ptr_eq(s2o_config_org(c, "acme", true), g);
	ck_assert_ptr_null(s2o_config_org(c, "acme", false));
	ck_assert_str_eq(g->name, "acme");
	ck_assert_str_eq(g->display_name, "Acme Corp");
	ck_assert_uint_eq(g->nmetadata, 1);
	ck_assert_str_eq(g->metadata[0].key, "tier");
	ck_assert_str_eq(g->metadata[0].value, "gold");
	ck_assert_uint_eq(g->nclaims_from_metadata, 1);
	ck_assert_str_eq(g->claims_from_metadata[0].key,
	    "https://acme.example.test/tier");
	ck_assert_str_eq(g->claims_from_metadata[0].value, "tier");
	ck_assert_uint_eq(g->ndefault_roles, 1);
	ck_assert_str_eq(g->default_roles[0], "viewer");
	ck_assert(g->include_org_name);
	g = &c->orgs[1];
	ck_assert_str_eq(g->id, "org_globex");
	ck_assert_ptr_null(g->display_name);
	ck_assert_uint_eq(g->nmetadata + g->ndefault_roles, 0);
	ck_assert(!g->include_org_name);

	ck_assert_uint_eq(c->napis, 2);
	a = s2o_config_api(c, "https://api.example.test/");
	ck_assert_ptr_eq(a, &c->apis[0]);
	ck_assert_uint_eq(a->npermissions, 2);
	ck_assert_str_eq(a->permissions[1], "write:invoices");
	ck_assert(a->rbac && a->add_permissions_in_token);
	ck_assert_uint_eq(a->nallowed_organizations, 2);
	a = s2o_config_api(c, "urn:example:reports");
	ck_assert(!a->rbac && !a->add_permissions_in_token);
	ck_assert_uint_eq(a->npermissions + a->nallowed_organizations, 0);
	ck_assert_ptr_null(s2o_config_api(c, "https://api.example.test"));

	ck_assert_uint_eq(c->nroles, 2);
	r = s2o_config_role(c, "viewer");
	ck_assert_uint_eq(r->npermissions, 1);
	ck_assert_str_eq(r->permissions[0].api, "https://api.example.test/");
	ck_assert_str_eq(r->permissions[0].permission, "read:invoices");
	ck_assert_uint_eq(s2o_config_role(c, "nobody")->npermissions, 0);

	ck_assert_str_eq(c->connections[0].organization, "org_acme");
	ck_assert_ptr_null(c->connections[0].organization_claim);
	ck_assert_ptr_null(c->connections[1].organization);
	ck_assert_str_eq(c->connections[1].organization_claim,
	    "https://bridge.example.test/org");
	ck_assert_uint_eq(c->clients[0].norganizations, 2);
	ck_assert_str_eq(c->clients[0].organizations[0], "org_globex");
	ck_assert(c->clients[0].require_organization);
	ck_assert_uint_eq(c->policies.naud_orgs, 1);
	ck_assert_str_eq(c->policies.aud_orgs[0].audience,
	    "https://api.example.test/");
	ck_assert_str_eq(c->policies.aud_orgs[0].orgs[0], "org_acme");
}

struct good_case {
	const char	*file;
	void		(*check)(const struct s2o_config *);
	const char	*lines[4];	/* warnings, NULL-terminated */
};

static const struct good_case good_cases[] = {
	{ "minimal.json", check_minimal, { NULL } },
	{ "full.json", check_full, { NULL } },
	{ "rsa1024-allowed.json", check_rsa1024_allowed, { NULL } },
	{ "orgs.json", check_orgs, { NULL } },
	/* keys/open.key is 0644 here (set by the test) */
	{ "key-mode.json", check_key_mode, {
	    "FILE:3:54: warning: signing_keys[0].private_key_file: "
	    "../keys/open.key is readable by group or others (mode 0644); "
	    "chmod 600 it",
	    NULL } },
};
#define NGOOD	(sizeof(good_cases) / sizeof(good_cases[0]))

START_TEST(test_config_good)
{
	const struct good_case	*g = &good_cases[_i];
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[1024], rel[256], key[1024];

	ck_assert_int_eq(chmod(cp_path(key, "keys/open.key"), 0644), 0);
	snprintf(rel, sizeof(rel), "good/%s", g->file);
	cp_path(path, rel);
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(path, &d, &err);
	ck_assert_s2o_ok(&err);
	ck_assert_msg(cfg != NULL, "%s: %s", g->file, d.n ? d.v[0].text : "");
	ck_assert_uint_eq(d.nerrors, 0);
	assert_diags(&d, path, g->lines);
	ck_assert_str_eq(cfg->path, path);
	assert_path(cfg->dir, "good");
	g->check(cfg);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

/* ---- bad configurations ----------------------------------------------- */

struct bad_case {
	const char	*file;		/* under bad/ */
	enum s2o_reason	 want;
	const char	*lines[32];	/* NULL-terminated */
};

static const struct bad_case bad_cases[] = {
	/* the configuration file itself */
	{ "absent.json", S2O_R_IO, {
	    "cannot read FILE: No such file or directory",
	    NULL } },
	{ "syntax.json", S2O_R_CONFIG_INVALID, {
	    "FILE:5:0: '}' expected near end of file",
	    NULL } },
	{ "duplicate-key.json", S2O_R_CONFIG_INVALID, {
	    "FILE:4:14: duplicate object key near '\"clock_skew\"'",
	    NULL } },
	{ "not-object.json", S2O_R_CONFIG_INVALID, {
	    "FILE:1:1: expected a JSON object, found an array",
	    NULL } },
	{ "too-deep.json", S2O_R_TOO_LARGE, {
	    "FILE:3:74: JSON nested deeper than 64 levels",
	    NULL } },
	/* keys, types and values */
	{ "empty.json", S2O_R_CONFIG_INVALID, {
	    "FILE:1:1: missing required key \"issuer\"",
	    "FILE:1:1: missing required key \"signing_keys\"",
	    "FILE:1:1: missing required key \"sp\"",
	    "FILE:1:1: missing required key \"connections\"",
	    NULL } },
	{ "typo.json", S2O_R_CONFIG_INVALID, {
	    "FILE:3:3: clock_skw: unknown key (did you mean \"clock_skew\"?)",
	    "FILE:4:3: colour: unknown key",
	    "FILE:5:20: signing_keys[0]: missing required key "
	    "\"private_key_file\"",
	    "FILE:5:34: signing_keys[0].private_key_fle: unknown key (did you "
	    "mean \"private_key_file\"?)",
	    "FILE:6:9: sp: missing required key \"acs_url\"",
	    "FILE:7:10: sp.acs_ur: unknown key (did you mean \"acs_url\"?)",
	    "FILE:8:19: connections[0]: missing required key "
	    "\"idp_certificates\"",
	    "FILE:9:20: connections[0][\"idp certificates\"]: unknown key (did "
	    "you mean \"idp_certificates\"?)",
	    "FILE:11:20: connections[0].allow_idp_initated: unknown key (did "
	    "you mean \"allow_idp_initiated\"?)",
	    "FILE:12:15: clients[0]: missing required key \"redirect_uris\"",
	    "FILE:12:41: clients[0].redirect_uri: unknown key (did you mean "
	    "\"redirect_uris\"?)",
	    NULL } },
	{ "types.json", S2O_R_CONFIG_INVALID, {
	    "FILE:2:13: issuer: expected a string, found 42",
	    "FILE:3:13: listen: expected a string, found 8080",
	    "FILE:4:19: id_token_ttl: expected a positive integer, found "
	    "\"300\"",
	    "FILE:5:17: clock_skew: expected an integer from 0 to 3600, found "
	    "1.5",
	    "FILE:6:25: max_response_bytes: expected an integer from 1024 to "
	    "67108864, found null",
	    "FILE:7:28: signing_keys[0].kid: expected a string, found an "
	    "object",
	    "FILE:7:95: signing_keys[0].active: expected true or false, found "
	    "\"yes\"",
	    "FILE:7:103: signing_keys[1]: expected an object, found \"k2\"",
	    "FILE:8:9: sp: expected an object, found an array",
	    "FILE:10:40: connections[0].idp_certificates: expected an array, "
	    "found \"../keys/idp.crt\"",
	    "FILE:12:34: connections[0].allow_sha1: expected true or false, "
	    "found 1",
	    "FILE:12:55: connections[0].default_client: expected a string, "
	    "found false",
	    /* a secret's value is never shown, even when mistyped */
	    "FILE:13:58: clients[0].client_secret: expected a string, found a "
	    "number",
	    "FILE:14:33: clients[0].redirect_uris: expected an array, found "
	    "\"http://127.0.0.1:3000/cb\"",
	    "FILE:14:62: clients[1]: expected an object, found \"demo\"",
	    NULL } },
	{ "sso.json", S2O_R_CONFIG_INVALID, {
	    "FILE:7:38: sp.signing_certificate_file: ../keys/idp.crt is not "
	    "the certificate of ../keys/signing.key",
	    "FILE:11:17: connections[0].sso_url: expected an absolute http(s) "
	    "URL, found \"idp-one.example.test/sso\"",
	    "FILE:11:60: connections[0].sso_binding: expected \"redirect\" or "
	    "\"post\", found \"artifact\"",
	    NULL } },
	{ "sso-nokey.json", S2O_R_CONFIG_INVALID, {
	    "FILE:6:30: sp.signing_key_file: sp.signing_key_file and "
	    "sp.signing_certificate_file go together: set both",
	    "FILE:10:23: connections[0].sign_requests: signed requests need "
	    "sp.signing_key_file and sp.signing_certificate_file",
	    NULL } },
	{ "ranges.json", S2O_R_CONFIG_INVALID, {
	    "FILE:3:13: listen: expected \"host:port\" with a port from 1 to "
	    "65535, found \"localhost\"",
	    "FILE:4:19: id_token_ttl: expected at most 86400, found 90000",
	    "FILE:5:17: clock_skew: expected an integer from 0 to 3600, found "
	    "3601",
	    "FILE:6:25: max_response_bytes: expected an integer from 1024 to "
	    "67108864, found 100000000",
	    "FILE:7:22: max_token_bytes: expected an integer from 1024 to "
	    "65536, found 100",
	    NULL } },
	{ "missing.json", S2O_R_CONFIG_INVALID, {
	    "FILE:1:1: missing required key \"issuer\"",
	    "FILE:2:19: signing_keys: expected at least one entry, found []",
	    "FILE:3:9: sp: missing required key \"entity_id\"",
	    "FILE:4:19: connections[0]: missing required key \"name\"",
	    "FILE:4:19: connections[0]: missing required key \"idp_entity_id\"",
	    "FILE:4:19: connections[0]: missing required key "
	    "\"idp_certificates\"",
	    "FILE:4:19: connections[0]: missing required key \"mappings_file\"",
	    "FILE:4:38: connections[0].default_client: no client \"demo-app\" "
	    "is configured",
	    "FILE:5:15: clients[0]: missing required key \"client_id\"",
	    "FILE:5:70: clients[0].redirect_uris: expected at least one entry, "
	    "found []",
	    NULL } },
	{ "values.json", S2O_R_CONFIG_INVALID, {
	    "FILE:2:13: issuer: expected an absolute http(s) URL without query "
	    "or fragment, found \"bridge.example.test\"",
	    "FILE:3:19: id_token_ttl: expected a positive integer, found -5",
	    "FILE:5:23: sp.entity_id: must not be empty",
	    "FILE:6:21: sp.acs_url: expected an absolute http(s) URL, found "
	    "\"/saml/acs\"",
	    "FILE:7:28: connections[0].name: use only letters, digits, '.', '_' "
	    "and '-'",
	    "FILE:10:58: clients[0].client_secret: too short: use at least 16 "
	    "characters",
	    "FILE:11:34: clients[0].redirect_uris[0]: expected an absolute URL "
	    "without a fragment, found \"http://127.0.0.1:3000/cb#top\"",
	    "FILE:11:66: clients[0].redirect_uris[1]: expected an absolute URL "
	    "without a fragment, found \"/cb\"",
	    "FILE:11:73: clients[0].redirect_uris[2]: expected an absolute URL "
	    "without a fragment, found \"https:///cb\"",
	    "FILE:11:88: clients[0].redirect_uris[3]: expected a string, found "
	    "7",
	    /* an escape sequence in a key never reaches the terminal */
	    "FILE:12:3: [\"?[2J\"]: unknown key",
	    NULL } },
	{ "duplicates.json", S2O_R_CONFIG_INVALID, {
	    "FILE:4:28: signing_keys[1].kid: \"k1\" is already the kid of "
	    "signing_keys[0]",
	    "FILE:4:103: signing_keys[1].active: signing_keys[0] is already "
	    "active; only one key signs",
	    "FILE:10:28: connections[1].name: \"corp\" is already the name of "
	    "connections[0]",
	    "FILE:10:53: connections[1].idp_entity_id: "
	    "\"https://idp.example.test/\" is already the idp_entity_id of "
	    "connections[0]",
	    "FILE:14:29: clients[1].client_id: \"demo-app\" is already the "
	    "client_id of clients[0]",
	    NULL } },
	{ "default-client.json", S2O_R_CONFIG_INVALID, {
	    "FILE:9:38: connections[0].default_client: no client \"demo-ap\" is "
	    "configured (did you mean \"demo-app\"?)",
	    "FILE:13:38: connections[1].default_client: no client \"payroll\" "
	    "is configured",
	    NULL } },
	/* files, keys and certificates */
	{ "files.json", S2O_R_CONFIG_INVALID, {
	    "FILE:3:54: signing_keys[0].private_key_file: cannot read "
	    "keys/signing.pem: No such file or directory",
	    "FILE:6:33: sp.decryption_key_file: cannot read "
	    "/nonexistent/sp-enc.pem: No such file or directory",
	    "FILE:8:41: connections[0].idp_certificates[0]: cannot read "
	    "idp/cert.pem: No such file or directory",
	    "FILE:8:57: connections[0].idp_certificates[1]: cannot read "
	    "../keys: Is a directory",
	    "FILE:9:37: connections[0].mappings_file: cannot read "
	    "mappings/corp.json: No such file or directory",
	    NULL } },
	{ "not-certificate.json", S2O_R_CONFIG_INVALID, {
	    "FILE:3:54: signing_keys[0].private_key_file: ../keys/idp.crt "
	    "holds no PEM private key",
	    "FILE:4:54: signing_keys[1].private_key_file: "
	    "../keys/encrypted.key holds an encrypted private key; store it "
	    "unencrypted, readable by the bridge only",
	    "FILE:8:41: connections[0].idp_certificates[0]: ../keys/idp.pub is "
	    "not a PEM X.509 certificate",
	    "FILE:8:60: connections[0].idp_certificates[1]: ../keys/signing.key "
	    "is not a PEM X.509 certificate",
	    "FILE:9:41: connections[0].idp_certificates[2]: ../mappings.json is "
	    "not a PEM X.509 certificate",
	    "FILE:9:61: connections[0].idp_certificates[3]: "
	    "../keys/two-certs.crt holds 2 certificates; list each in its own "
	    "file",
	    NULL } },
	{ "idp-keys.json", S2O_R_CONFIG_INVALID, {
	    "FILE:7:41: warning: connections[0].idp_certificates[0]: "
	    "../keys/idp-rsa1024.crt holds an RSA 1024-bit key: Responses it "
	    "signs are rejected as weak_algorithm unless the connection sets "
	    "allow_rsa_1024",
	    "FILE:10:41: connections[1].idp_certificates[0]: "
	    "../keys/idp-rsa512.crt holds an RSA 512-bit key; 1024 bits or "
	    "more are required",
	    "FILE:14:41: connections[2].idp_certificates[0]: "
	    "../keys/idp-ed25519.crt holds an ED25519 key; RSA or EC keys are "
	    "supported",
	    "FILE:14:68: connections[2].idp_certificates[1]: "
	    "../keys/idp-secp256k1.crt holds an EC key on secp256k1; P-256, "
	    "P-384 or P-521 are supported",
	    NULL } },
	{ "signing-rsa1024.json", S2O_R_CONFIG_INVALID, {
	    "FILE:3:41: signing_keys[0].alg: RS256 needs an RSA key of 2048 "
	    "bits or more, private_key_file holds an RSA 1024-bit key",
	    NULL } },
	{ "alg-mismatch.json", S2O_R_CONFIG_INVALID, {
	    "FILE:4:25: signing_keys[0].alg: ES256 needs an EC P-256 key, "
	    "private_key_file holds an RSA 2048-bit key",
	    "FILE:5:25: signing_keys[1].alg: ES384 needs an EC P-384 key, "
	    "private_key_file holds an EC P-256 key",
	    "FILE:6:25: signing_keys[2].alg: RS384 needs an RSA key of 2048 "
	    "bits or more, private_key_file holds an EC P-384 key",
	    "FILE:7:5: signing_keys[3]: RS256 (the default alg) needs an RSA "
	    "key of 2048 bits or more, private_key_file holds an EC P-256 key",
	    "FILE:8:25: signing_keys[4].alg: ES256 needs an EC P-256 key, "
	    "private_key_file holds an ED25519 key",
	    "FILE:9:25: signing_keys[5].alg: unsupported algorithm \"HS256\" "
	    "(use RS256, RS384, RS512, ES256 or ES384)",
	    "FILE:13:33: sp.decryption_key_file: ../keys/ec-p256.key holds an "
	    "EC P-256 key; the SP decryption key must be an RSA key of 2048 "
	    "bits or more",
	    NULL } },
	/* organizations, apis and roles: every reference is checked */
	{ "orgs.json", S2O_R_CONFIG_INVALID, {
	    "FILE:6:46: policies.audience_for_organization[\"https://api."
	    "example.tst/\"]: no API \"https://api.example.tst/\" is "
	    "configured (did you mean \"https://api.example.test/\"?)",
	    "FILE:7:76: policies.audience_for_organization[\"https://api."
	    "example.test/\"][0]: no organization \"org_acne\" is configured "
	    "(did you mean \"org_acme\"?)",
	    "FILE:9:32: organizations[0].name: use only lower-case letters, "
	    "digits, '_' and '-'",
	    "FILE:9:77: organizations[0].metadata.size: expected a string, "
	    "found 3",
	    "FILE:10:31: organizations[0].claims_from_metadata.tier: a custom "
	    "claim needs a collision-resistant name, a URL such as "
	    "\"https://example.com/tier\"",
	    "FILE:10:81: organizations[0].claims_from_metadata[\"https://acme."
	    "example.test/tier\"]: the organization's metadata has no key "
	    "\"teir\" (did you mean \"tier\"?)",
	    "FILE:11:24: organizations[0].default_roles[0]: no role "
	    "\"billing-admn\" is configured (did you mean \"billing-admin\"?)",
	    "FILE:11:41: organizations[0].include_org_nam: unknown key (did "
	    "you mean \"include_org_name\"?)",
	    "FILE:12:12: organizations[1].id: \"org_acme\" is already the id "
	    "of organizations[0]",
	    "FILE:13:5: organizations[2]: missing required key \"name\"",
	    "FILE:13:12: organizations[2].id: use only letters, digits, '.', "
	    "'_' and '-'",
	    "FILE:16:82: apis[0].permissions[1]: \"read invoices\" cannot be a "
	    "scope: no spaces, quotes, backslashes or control characters (RFC "
	    "6749 section 3.3)",
	    "FILE:16:99: apis[0].permissions[2]: \"openid\" is an OpenID "
	    "Connect scope, not an API permission",
	    "FILE:16:109: apis[0].permissions[3]: \"read:invoices\" is listed "
	    "twice",
	    "FILE:17:34: apis[0].add_permissions_in_token: permissions come "
	    "from roles: set \"rbac\": true too",
	    "FILE:17:66: apis[0].allowed_organizations[0]: no organization "
	    "\"org_globx\" is configured",
	    "FILE:18:20: apis[1].identifier: expected an absolute URI such as "
	    "\"https://api.example.com/\", found \"api\"",
	    "FILE:21:55: roles[0].permissions[0].api: no API "
	    "\"https://api.example.test\" is configured (did you mean "
	    "\"https://api.example.test/\"?)",
	    "FILE:22:98: roles[0].permissions[1].permission: API "
	    "\"https://api.example.test/\" has no permission \"read:invoice\" "
	    "(did you mean \"read:invoices\"?)",
	    "FILE:23:47: roles[0].permissions[2]: missing required key "
	    "\"permission\"",
	    "FILE:23:84: roles[0].permissions[2].permision: unknown key (did "
	    "you mean \"permission\"?)",
	    "FILE:28:36: connections[0].organization: no organization "
	    "\"org_acem\" is configured (did you mean \"org_acme\"?)",
	    "FILE:28:70: connections[0].organization_claim: a connection takes "
	    "its organization from \"organization\" or from "
	    "\"organization_claim\", not both",
	    "FILE:30:46: clients[0].organizations[1]: no organization "
	    "\"nobody\" is configured",
	    "FILE:30:57: clients[0].require_organizaton: unknown key (did you "
	    "mean \"require_organization\"?)",
	    NULL } },
	/* problems of every kind, reported together, top to bottom */
	{ "several.json", S2O_R_CONFIG_INVALID, {
	    "FILE:3:3: clock_skw: unknown key (did you mean \"clock_skew\"?)",
	    "FILE:4:19: id_token_ttl: expected a positive integer, found "
	    "\"300\"",
	    "FILE:5:41: signing_keys[0].alg: ES256 needs an EC P-256 key, "
	    "private_key_file holds an RSA 2048-bit key",
	    "FILE:9:41: connections[0].idp_certificates[0]: cannot read "
	    "idp/cert.pem: No such file or directory",
	    "FILE:9:57: warning: connections[0].idp_certificates[1]: "
	    "../keys/idp-rsa1024.crt holds an RSA 1024-bit key: Responses it "
	    "signs are rejected as weak_algorithm unless the connection sets "
	    "allow_rsa_1024",
	    "FILE:11:38: connections[0].default_client: no client \"demo-ap\" "
	    "is configured (did you mean \"demo-app\"?)",
	    NULL } },
};
#define NBAD	(sizeof(bad_cases) / sizeof(bad_cases[0]))

START_TEST(test_config_bad)
{
	const struct bad_case	*b = &bad_cases[_i];
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[1024], rel[256], want[S2O_ERR_MAX_DETAIL];
	size_t			 i;

	snprintf(rel, sizeof(rel), "bad/%s", b->file);
	cp_path(path, rel);
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(path, &d, &err);
	ck_assert_ptr_null(cfg);
	assert_diags(&d, path, b->lines);
	/* every line is an error, but for the one warning a sub-2048-bit
	 * IdP certificate gives */
	ck_assert_uint_ge(d.nerrors + 1, d.n);
	/* err carries the first problem: its reason, text and position */
	ck_assert_msg(err.reason == b->want, "reason %s, want %s",
	    s2o_reason_token(err.reason), s2o_reason_token(b->want));
	/* ... the first error, past any warning */
	for (i = 0; d.v[i].severity == S2O_DIAG_WARNING; i++)
		;
	ck_assert_uint_eq(d.v[i].reason, b->want);
	expand(want, sizeof(want), b->lines[i], path);
	ck_assert_str_eq(err.detail, want);
	ck_assert_uint_eq(err.line, d.v[i].line);
	ck_assert_uint_eq(err.column, d.v[i].column);
	s2o_diags_cleanup(&d);
}
END_TEST

/* Every fixture file is in a table, so none is skipped silently. */
static size_t
count_json(const char *rel)
{
	char		 dir[1024];
	DIR		*dp;
	struct dirent	*de;
	size_t		 n = 0, len;

	dp = opendir(cp_path(dir, rel));
	ck_assert_msg(dp != NULL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(dp)) != NULL)
		if ((len = strlen(de->d_name)) > 5 &&
		    strcmp(de->d_name + len - 5, ".json") == 0)
			n++;
	closedir(dp);
	return n;
}

START_TEST(test_config_fixture_count)
{
	ck_assert_uint_eq(count_json("good"), NGOOD);
	/* absent.json is the one bad case without a file */
	ck_assert_uint_eq(count_json("bad"), NBAD - 1);
}
END_TEST

/* ---- permissions, paths, lookups -------------------------------------- */

static const struct {
	mode_t		 mode;
	const char	*line;		/* NULL: no warning */
} modes[] = {
	{ 0600, NULL },
	{ 0400, NULL },
	{ 0640, "FILE:3:54: warning: signing_keys[0].private_key_file: "
	    "../keys/open.key is readable by group or others (mode 0640); "
	    "chmod 600 it" },
	{ 0604, "FILE:3:54: warning: signing_keys[0].private_key_file: "
	    "../keys/open.key is readable by group or others (mode 0604); "
	    "chmod 600 it" },
	{ 0620, "FILE:3:54: warning: signing_keys[0].private_key_file: "
	    "../keys/open.key is writable by group or others (mode 0620); "
	    "chmod 600 it" },
	{ 0610, "FILE:3:54: warning: signing_keys[0].private_key_file: "
	    "../keys/open.key is accessible by group or others (mode 0610); "
	    "chmod 600 it" },
};
#define NMODES	(sizeof(modes) / sizeof(modes[0]))

START_TEST(test_config_key_mode)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	const char		*lines[2] = { modes[_i].line, NULL };
	char			 path[1024], key[1024];

	ck_assert_int_eq(chmod(cp_path(key, "keys/open.key"), modes[_i].mode),
	    0);
	cp_path(path, "good/key-mode.json");
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(path, &d, &err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_s2o_ok(&err);
	assert_diags(&d, path, lines);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
	ck_assert_int_eq(chmod(key, 0644), 0);
}
END_TEST

/* A relative configuration path: messages show it as given, and the
 * files it names resolve against its folder, "." included. */
START_TEST(test_config_relative)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 dir[1024];

	ck_assert_int_eq(chdir(cp_path(dir, "good")), 0);
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load("minimal.json", &d, &err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->path, "minimal.json");
	ck_assert_str_eq(cfg->dir, ".");
	ck_assert_str_eq(cfg->signing_keys[0].private_key.path,
	    "./../keys/signing.key");
	s2o_config_free(cfg);

	ck_assert_int_eq(chdir(".."), 0);
	cfg = s2o_config_load("bad/several.json", &d, &err);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(d.v[0].text, "bad/several.json:3:3: clock_skw: "
	    "unknown key (did you mean \"clock_skew\"?)");
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "bad/several.json:3:3: ");
	s2o_diags_cleanup(&d);
}
END_TEST

/* Diagnostics already in the list stay first; err names this load's
 * first error, not an earlier entry. */
START_TEST(test_config_diags_appended)
{
	struct s2o_diags	d;
	struct s2o_err		err;
	char			path[1024], want[1200];

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	ck_assert_int_eq(s2o_diags_add(&d, S2O_DIAG_ERROR, S2O_R_MALFORMED,
	    "other.json", 99, 1, NULL, &err, "earlier"), 0);
	cp_path(path, "bad/signing-rsa1024.json");
	ck_assert_ptr_null(s2o_config_load(path, &d, &err));
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.v[0].text, "other.json:99:1: earlier");
	snprintf(want, sizeof(want), "%s:3:41: signing_keys[0].alg: RS256",
	    path);
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, want);
	s2o_diags_cleanup(&d);
}
END_TEST

START_TEST(test_config_null)
{
	s2o_config_free(NULL);
	ck_assert_ptr_null(s2o_config_connection(NULL, "corp"));
	ck_assert_ptr_null(s2o_config_connection_by_issuer(NULL, "x"));
	ck_assert_ptr_null(s2o_config_client(NULL, "demo-app"));
}
END_TEST

/* ---- the store -------------------------------------------------------- */

/*
 * "store" and its companions, each case written at line 2 of a copy of
 * good/minimal.json: what loads (kind, the parts of the URL, defaults)
 * or the first problem, with the password never in any message.
 */
static const struct store_case {
	const char	*members;	/* JSON members for line 2 */
	const char	*env;		/* "NAME=VALUE" set first, or NULL */
	const char	*want;		/* first line; NULL: loads */
	enum s2o_store_kind kind;
	const char	*shown, *host;
	unsigned int	 port, db;
	const char	*user, *password, *prefix;
	unsigned int	 timeout_ms;
} store_cases[] = {
	{ "\"clock_skew\": 120", NULL, NULL, S2O_STORE_MEMORY, "memory",
	    NULL, 0, 0, NULL, NULL, NULL, 1000 },
	{ "\"store\": \"memory\"", NULL, NULL, S2O_STORE_MEMORY, "memory",
	    NULL, 0, 0, NULL, NULL, NULL, 1000 },
	{ "\"store\": \"redis://cache.internal:6380/2\"", NULL, NULL,
	    S2O_STORE_REDIS, "redis://cache.internal:6380/2", "cache.internal",
	    6380, 2, NULL, NULL, "saml2oidc:", 1000 },
	{ "\"store\": \"redis://bridge:s%40cret@10.0.0.5\", \"store_prefix\": "
	    "\"sso:\", \"store_timeout_ms\": 250", NULL, NULL, S2O_STORE_REDIS,
	    "redis://10.0.0.5:6379/0", "10.0.0.5", 6379, 0, "bridge", "s@cret",
	    "sso:", 250 },
	{ "\"store\": \"redis://[::1]:7000\"", NULL, NULL, S2O_STORE_REDIS,
	    "redis://[::1]:7000/0", "::1", 7000, 0, NULL, NULL, "saml2oidc:",
	    1000 },
	{ "\"store\": \"redis://r\", \"store_password_env\": \"S2O_T_PW\", "
	    "\"store_username_env\": \"S2O_T_USER\"",
	    "S2O_T_PW=pw-from-env", NULL, S2O_STORE_REDIS, "redis://r:6379/0",
	    "r", 6379, 0, "bridge", "pw-from-env", "saml2oidc:", 1000 },
	/* problems */
	{ .members = "\"store\": \"rediss://u:hunter2@r:6380\"",
	    .want = "FILE:2:12: store: \"rediss://u:****@r:6380\": TLS to "
	    "Redis is not available in this build (hiredis 0.14 has no TLS); "
	    "use redis:// to a local TLS tunnel such as stunnel "
	    "(docs/deployment.md)" },
	{ .members = "\"store\": \"memcached://u:hunter2@x\"",
	    .want = "FILE:2:12: store: expected \"memory\" or "
	    "\"redis://[user:password@]host:port/db\", found "
	    "\"memcached://u:****@x\"" },
	{ .members = "\"store\": \"redis://u:hunter2@r:0\"",
	    .want = "FILE:2:12: store: \"redis://u:****@r:0\": expected a "
	    "port from 1 to 65535" },
	{ .members = "\"store\": \"redis://r/x\"",
	    .want = "FILE:2:12: store: \"redis://r/x\": expected a database "
	    "number from 0 to 65535 after /" },
	{ .members = "\"store\": \"redis://r?db=1\"",
	    .want = "FILE:2:12: store: \"redis://r?db=1\": expected no "
	    "query, fragment or white space" },
	{ .members = "\"store\": \"redis://:hunter2%zz@r\"",
	    .want = "FILE:2:12: store: \"redis://:****@r\": expected a "
	    "password with valid %-escapes" },
	{ .members = "\"store\": \"redis://\"",
	    .want = "FILE:2:12: store: \"redis://\": expected a host" },
	{ .members = "\"store\": 5",
	    .want = "FILE:2:12: store: expected a string, found a number" },
	{ .members = "\"store\": \"redis://r\", \"store_password_env\": "
	    "\"S2O_T_UNSET\"",
	    .want = "FILE:2:47: store_password_env: the environment variable "
	    "S2O_T_UNSET is not set or empty (it holds the Redis password)" },
	{ .members = "\"store\": \"redis://:hunter2@r\", \"store_password_env\": "
	    "\"S2O_T_PW\"",
	    .env = "S2O_T_PW=x",
	    .want = "FILE:2:56: store_password_env: the store URL already "
	    "has a password; give it in one place" },
	{ .members = "\"store\": \"redis://r\", \"store_timeout_ms\": 5",
	    .want = "FILE:2:45: store_timeout_ms: expected an integer from "
	    "10 to 60000 (milliseconds), found 5" },
	{ .members = "\"store\": \"redis://r\", \"store_prefix\": \"a b\"",
	    .want = "FILE:2:41: store_prefix: expected at most 64 bytes "
	    "without white space" },
	{ .members = "\"store_prefix\": \"sso:\"",
	    .want = "FILE:2:19: warning: store_prefix: ignored: the store is "
	    "memory (it applies to a Redis store)" },
};
#define NSTORE	(sizeof(store_cases) / sizeof(store_cases[0]))

static void
assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		ck_assert_ptr_null(got);
	else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
	}
}

START_TEST(test_config_store)
{
	const struct store_case	*c = &store_cases[_i];
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[1024], want[1024], *text, *eq, env[128];
	FILE			*fp;
	size_t			 i;

	setenv("S2O_T_USER", "bridge", 1);
	if (c->env != NULL) {
		s2o_strlcpy(env, c->env, sizeof(env));
		eq = strchr(env, '=');
		*eq = '\0';
		setenv(env, eq + 1, 1);
	}
	text = fx_read(cp_path(path, "good/minimal.json"), NULL);
	snprintf(path, sizeof(path), "%s/store/case-%d.json", fxdir, _i);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	/* line 2 is the case; the rest is minimal.json's, line for line
	 * after its "{" (which becomes line 1 again) */
	fprintf(fp, "{\n  %s,\n%s", c->members, strchr(text, '\n') + 1);
	fclose(fp);
	free(text);
	/* a relative path from store/ reads like one from good/ */
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(path, &d, &err);
	for (i = 0; i < d.n; i++)
		ck_assert_msg(strstr(d.v[i].text, "hunter2") == NULL,
		    "a password shown: %s", d.v[i].text);
	ck_assert_msg(strstr(err.detail, "hunter2") == NULL, "%s", err.detail);
	if (c->want != NULL) {
		ck_assert_uint_ge(d.n, 1);
		expand(want, sizeof(want), c->want, path);
		ck_assert_str_eq(d.v[0].text, want);
		if (strstr(c->want, ": warning: ") == NULL) {
			ck_assert_ptr_null(cfg);
			ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "store");
		}
		s2o_config_free(cfg);
		s2o_diags_cleanup(&d);
		return;
	}
	ck_assert_msg(cfg != NULL, "%s", d.n ? d.v[0].text : "");
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(cfg->store.kind, c->kind);
	ck_assert_str_eq(cfg->store.shown, c->shown);
	assert_str_or_null(cfg->store.host, c->host);
	ck_assert_uint_eq(cfg->store.port, c->port);
	ck_assert_uint_eq(cfg->store.db, c->db);
	assert_str_or_null(cfg->store.username, c->user);
	assert_str_or_null(cfg->store.password, c->password);
	assert_str_or_null(cfg->store.prefix, c->prefix);
	ck_assert_uint_eq(cfg->store.timeout_ms, c->timeout_ms);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

/* ---- the private copy ------------------------------------------------- */

static void
make_copy(void)
{
	char	tmpl[] = "/tmp/s2o-check-config-XXXXXX", p[1024];

	if (mkdtemp(tmpl) == NULL) {
		perror("check_config: mkdtemp");
		exit(EXIT_FAILURE);
	}
	s2o_strlcpy(fxdir, tmpl, sizeof(fxdir));
	sh("cp -R '%s/.' '%s'", fx_path("config"), fxdir);
	sh("chmod 0600 '%s'/keys/*.key && chmod 0644 '%s'/keys/*.crt "
	    "'%s'/keys/*.pub", fxdir, fxdir, fxdir);
	sh("mkdir '%s/store'", fxdir);	/* test_config_store's files */
	/* bad/absent.json stands for a configuration that does not exist */
	if (access(cp_path(p, "bad/absent.json"), F_OK) == 0) {
		fprintf(stderr, "check_config: %s must not exist\n", p);
		exit(EXIT_FAILURE);
	}
}

int
main(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc;
	int	 rc;

	make_copy();
	tc = tcase_create("good");
	tcase_add_loop_test(tc, test_config_good, 0, (int)NGOOD);
	tcase_add_loop_test(tc, test_config_key_mode, 0, (int)NMODES);
	suite_add_tcase(s, tc);
	tc = tcase_create("bad");
	tcase_add_loop_test(tc, test_config_bad, 0, (int)NBAD);
	tcase_add_test(tc, test_config_fixture_count);
	suite_add_tcase(s, tc);
	tc = tcase_create("api");
	tcase_add_test(tc, test_config_relative);
	tcase_add_test(tc, test_config_diags_appended);
	tcase_add_test(tc, test_config_null);
	suite_add_tcase(s, tc);
	tc = tcase_create("store");
	tcase_add_loop_test(tc, test_config_store, 0, (int)NSTORE);
	suite_add_tcase(s, tc);
	rc = run_suite(s);
	sh("rm -rf '%s'", fxdir);
	return rc;
}
