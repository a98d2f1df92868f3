/* SPDX-License-Identifier: MIT */
/*
 * saml/mdload and config/metadata: IdP metadata as a source of trust.
 * Every document of fixtures/metadata/ (made by scripts/mkmetadata in the
 * shapes ADFS, Entra ID, Okta and Shibboleth publish, a federation
 * aggregate, signed with keys/md-signer or not, expired, tampered, signed
 * by another key, a signature over one entity only) is read as a
 * connection would read it, with the exact reason and detail of each
 * refusal; then configurations that use metadata, with the FILE:LINE:COL
 * of each problem; the refreshed trust; and the certificate expiry
 * warnings, with an injected clock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "oidc/oidc.h"
#include "token/token.h"
#include "saml/saml_int.h"
#include "helpers.h"

#define T0	1795867200	/* 2026-11-28T12:00:00Z */

#define UNI	"https://idp.university.example.test/idp/shibboleth"
#define COLLEGE	"https://idp.college.example.test/idp/shibboleth"
#define ADFS	"http://adfs.corp.example.test/adfs/services/trust"
#define ENTRA	"https://sts.windows.net/3f2b1c4e-8a6d-4e2f-9b1a-5c7d8e9f0a1b/"

static const struct md_case {
	const char	*file;
	const char	*signer;	/* keys/NAME.crt, or NULL */
	const char	*entity;	/* metadata_entity_id, or NULL */
	enum s2o_reason	 want;
	const char	*detail;	/* rejected: a substring; else entityID */
	size_t		 ncerts;
	const char	*sso_redirect, *sso_post;
	long		 cache_duration;
	time_t		 valid_until;
} md_cases[] = {
	{ "adfs.xml", NULL, NULL, S2O_R_OK, ADFS, 2,
	    "https://adfs.corp.example.test/adfs/ls/",
	    "https://adfs.corp.example.test/adfs/ls/", 0, 0 },
	{ "adfs.xml", "md-signer", NULL, S2O_R_SIGNATURE_MISSING,
	    "the metadata is not signed, and metadata_signing_certificate "
	    "requires a signature", 0, NULL, NULL, 0, 0 },
	{ "adfs-signed.xml", "md-signer", NULL, S2O_R_OK, ADFS, 2,
	    "https://adfs.corp.example.test/adfs/ls/",
	    "https://adfs.corp.example.test/adfs/ls/", 0, 0 },
	/* without a signer configured, a signature is not required */
	{ "adfs-signed.xml", NULL, NULL, S2O_R_OK, ADFS, 2,
	    "https://adfs.corp.example.test/adfs/ls/",
	    "https://adfs.corp.example.test/adfs/ls/", 0, 0 },
	{ "wrong-key.xml", "md-signer", NULL, S2O_R_UNTRUSTED_KEY,
	    "the EntityDescriptor is "
	    "signed by a certificate not among the connection's "
	    "metadata_signing_certificate: \"/O=saml2oidc test fixtures/"
	    "CN=idp.example.test\"", 0, NULL, NULL, 0, 0 },
	{ "tampered.xml", "md-signer", NULL, S2O_R_SIGNATURE_INVALID,
	    "the digest of the signed "
	    "EntityDescriptor does not match: it was changed after signing",
	    0, NULL, NULL, 0, 0 },
	/* the KeyInfo's own certificate is never what verifies */
	{ "adfs-signed.xml", "attacker", NULL, S2O_R_UNTRUSTED_KEY,
	    "signed by a certificate not among the connection's "
	    "metadata_signing_certificate: \"/O=saml2oidc test fixtures/"
	    "CN=metadata-signer.example.test\"", 0, NULL, NULL, 0, 0 },
	{ "entra.xml", "md-signer", NULL, S2O_R_OK, ENTRA, 1,
	    "https://login.microsoftonline.com/3f2b1c4e-8a6d-4e2f-9b1a-"
	    "5c7d8e9f0a1b/saml2", "https://login.microsoftonline.com/"
	    "3f2b1c4e-8a6d-4e2f-9b1a-5c7d8e9f0a1b/saml2", 0, 0 },
	{ "shibboleth.xml", NULL, NULL, S2O_R_OK, UNI, 1,
	    "https://idp.university.example.test/idp/profile/SAML2/Redirect/"
	    "SSO", "https://idp.university.example.test/idp/profile/SAML2/"
	    "POST/SSO", 21600, 0 },
	{ "okta.xml", NULL, NULL, S2O_R_OK, "http://www.okta.com/exk1example",
	    1, NULL, "https://example.okta.test/app/exk1example/sso/saml", 0,
	    0 },
	{ "aggregate.xml", NULL, NULL, S2O_R_USAGE, "the metadata is an "
	    "aggregate (EntitiesDescriptor): name the identity provider with "
	    "metadata_entity_id", 0, NULL, NULL, 0, 0 },
	{ "aggregate.xml", NULL, COLLEGE, S2O_R_OK, COLLEGE, 1, NULL,
	    "https://idp.college.example.test/idp/profile/SAML2/POST/SSO", 0,
	    2366841600 },
	{ "aggregate-signed.xml", "md-signer", UNI, S2O_R_OK, UNI, 1,
	    "https://idp.university.example.test/idp/profile/SAML2/Redirect/"
	    "SSO", NULL, 21600, 2366841600 },
	{ "aggregate-signed.xml", "md-signer", "https://nope.example.test/",
	    S2O_R_ISSUER_MISMATCH, "no identity provider "
	    "\"https://nope.example.test/\" in the aggregate (2 described)", 0,
	    NULL, NULL, 0, 0 },
	{ "wrapping.xml", "md-signer", UNI, S2O_R_WRAPPING, "the ds:Signature "
	    "in md:EntitiesDescriptor "
	    "references \"#_uni\", not its parent's ID", 0, NULL, NULL, 0, 0 },
	{ "expired-signed.xml", "md-signer", UNI, S2O_R_EXPIRED, "the "
	    "metadata's validUntil 2026-01-01T00:00:00Z has passed: it may no "
	    "longer be trusted", 0, NULL, NULL, 0, 0 },
	{ "expired.xml", NULL, NULL, S2O_R_EXPIRED, "the metadata's "
	    "validUntil 2026-01-01T00:00:00Z has passed", 0, NULL, NULL, 0, 0 },
	{ "idp.xml", "md-signer", NULL, S2O_R_OK, "https://idp.example.test/",
	    1, "https://idp.example.test/sso", NULL, 0, 0 },
	{ "idp-rollover.xml", "md-signer", NULL, S2O_R_OK,
	    "https://idp.example.test/", 2, "https://idp.example.test/sso",
	    NULL, 0, 0 },
	{ "idp-next.xml", "md-signer", NULL, S2O_R_OK,
	    "https://idp.example.test/", 1, "https://idp.example.test/sso",
	    NULL, 0, 0 },
};
#define NMD	(sizeof(md_cases) / sizeof(md_cases[0]))

static void
conn_init(struct s2o_connection *c, const char *signer, const char *entity)
{
	char	rel[64];

	memset(c, 0, sizeof(*c));
	c->name = (char *)"md";
	c->metadata.present = true;
	c->metadata.entity_id = (char *)entity;
	if (signer != NULL) {
		snprintf(rel, sizeof(rel), "keys/%s.crt", signer);
		c->metadata.signing_certificate.path = (char *)"signer";
		c->metadata.signing_certificate.data = fx_read(fx_path(rel),
		    &c->metadata.signing_certificate.len);
	}
}

START_TEST(test_md_case)
{
	const struct md_case	*k = &md_cases[_i];
	struct s2o_connection	 c;
	struct s2o_idp_metadata	*m;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	char			 rel[64], *xml;
	size_t			 len;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	s2o_clock_init_fixed(&clock, T0);
	conn_init(&c, k->signer, k->entity);
	snprintf(rel, sizeof(rel), "metadata/%s", k->file);
	xml = fx_read(fx_path(rel), &len);
	m = s2o_saml_metadata_verified(xml, len, &c, &clock, &err);
	if (k->want != S2O_R_OK) {
		ck_assert_ptr_null(m);
		ck_assert_s2o_err(&err, k->want, k->detail);
	} else {
		ck_assert_msg(m != NULL, "%s: %s", s2o_reason_token(err.reason),
		    err.detail);
		ck_assert_str_eq(m->entity_id, k->detail);
		ck_assert_uint_eq(m->ncertificates, k->ncerts);
		if (k->sso_redirect != NULL)
			ck_assert_str_eq(m->sso_redirect, k->sso_redirect);
		else
			ck_assert_ptr_null(m->sso_redirect);
		if (k->sso_post != NULL)
			ck_assert_str_eq(m->sso_post, k->sso_post);
		else
			ck_assert_ptr_null(m->sso_post);
		ck_assert_int_eq(m->cache_duration, k->cache_duration);
		ck_assert_int_eq(m->valid_until, k->valid_until);
	}
	s2o_idp_metadata_free(m);
	free(xml);
	free(c.metadata.signing_certificate.data);
	s2o_saml_shutdown();
}
END_TEST

/* ---- configurations ---------------------------------------------------- */

static const struct conf_case {
	const char	*file;
	unsigned int	 line, column;	/* of the first problem; 0: loads */
	const char	*text;		/* its text after "FILE:L:C: " */
} conf_cases[] = {
	{ "base", 0, 0, NULL },
	{ "mismatch", 19, 24, "connections[0].metadata_file: idp_entity_id "
	    "\"https://adfs.other.example.test/\" is not the metadata's "
	    "entityID \"" ADFS "\"" },
	{ "sso", 19, 24, "connections[0].metadata_file: sso_url "
	    "\"https://elsewhere.example.test/sso\" is not among the "
	    "metadata's SingleSignOnService locations: remove it to use the "
	    "metadata's" },
	{ "both", 22, 7, "connections[0].idp_certificates: the connection "
	    "takes its certificates from metadata_file: remove "
	    "idp_certificates" },
	{ "http", 21, 23, "connections[0].metadata_url: "
	    "\"http://md.example.test/federationmetadata.xml\": metadata is "
	    "fetched over https only (http only from a loopback host such as "
	    "127.0.0.1)" },
	{ "tampered", 19, 24, "connections[0].metadata_file: " },
	{ "aggregate", 25, 24, "connections[1].metadata_file: " },
	{ "orphan", 39, 7, "connections[2].refresh_interval: needs "
	    "metadata_file or metadata_url" },
	{ "interval", 22, 27, "connections[0].refresh_interval: expected "
	    "seconds from 1 to 604800, found 0" },
	{ "duplicate", 19, 24, "connections[0].metadata_file: the metadata's "
	    "entityID \"" ADFS "\" is already the idp_entity_id of "
	    "connections[2]" },
};
#define NCONF	(sizeof(conf_cases) / sizeof(conf_cases[0]))

START_TEST(test_conf_case)
{
	const struct conf_case	*k = &conf_cases[_i];
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	const struct s2o_connection *c;
	char			 rel[64], want[512];
	const char		*path;
	int			 rc = -1;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	s2o_clock_init_fixed(&clock, T0);
	s2o_diags_init(&d);
	snprintf(rel, sizeof(rel), "metadata/conf/%s.json", k->file);
	path = fx_path(rel);
	cfg = s2o_config_load(path, &d, &err);
	if (cfg != NULL)
		rc = s2o_saml_config_metadata(cfg, false, &clock, &d, &err);
	if (k->line == 0) {
		ck_assert_msg(rc == 0, "%s", err.detail);
		c = s2o_config_connection(cfg, "adfs");
		ck_assert_str_eq(c->idp_entity_id, ADFS);
		ck_assert_uint_eq(c->nidp_certificates, 2);
		ck_assert_str_eq(c->idp_certificates[0].path, "metadata #1");
		ck_assert_str_eq(c->sso_url,
		    "https://adfs.corp.example.test/adfs/ls/");
		ck_assert_int_eq(c->sso_binding, S2O_SSO_REDIRECT);
		ck_assert_int_eq(c->metadata.refresh_interval, 3600);
		/* post asked for; the aggregate's entity has only redirect */
		c = s2o_config_connection(cfg, "uni");
		ck_assert_str_eq(c->sso_url, "https://idp.university.example."
		    "test/idp/profile/SAML2/Redirect/SSO");
		ck_assert_int_eq(c->sso_binding, S2O_SSO_REDIRECT);
		ck_assert_int_eq(c->metadata.cache_duration, 21600);
		ck_assert_int_eq(c->metadata.valid_until, 2366841600);
		ck_assert_ptr_eq(s2o_config_connection_by_issuer(cfg, ADFS),
		    s2o_config_connection(cfg, "adfs"));
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_uint_ge(d.nerrors, 1);
		snprintf(want, sizeof(want), "%s:%u:%u: %s", path, k->line,
		    k->column, k->text);
		ck_assert_msg(strncmp(err.detail, want, strlen(want)) == 0,
		    "\n got: %s\nwant: %s", err.detail, want);
	}
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
	s2o_saml_shutdown();
}
END_TEST

/* A metadata_url with no copy on disk: without fetching, and with a
 * fetch that fails (nothing listens on the discard port). */
START_TEST(test_conf_url_no_copy)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	char			 want[512];
	const char		*path = fx_path("metadata/conf/loopback.json");

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	s2o_clock_init_fixed(&clock, T0);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	ck_assert_ptr_nonnull(cfg = s2o_config_load(path, &d, &err));
	ck_assert_int_eq(s2o_saml_config_metadata(cfg, _i == 1, &clock, &d,
	    &err), -1);
	snprintf(want, sizeof(want), "%s:21:23: connections[0].metadata_url: "
	    "%s", path, _i == 0 ? "no copy of the metadata at " :
	    "io: http://127.0.0.1:9/md.xml: ");
	ck_assert_msg(strncmp(err.detail, want, strlen(want)) == 0,
	    "\n got: %s\nwant: %s", err.detail, want);
	ck_assert_ptr_nonnull(strstr(err.detail, _i == 0 ?
	    "absent/adfs.metadata.xml yet, and it may not be fetched now" :
	    "127.0.0.1 port 9"));
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
	s2o_saml_shutdown();
}
END_TEST

/* ---- trust: refresh and swap ------------------------------------------ */

START_TEST(test_trust_from_metadata)
{
	struct s2o_connection	 c;
	struct s2o_idp_metadata	*m1, *m2;
	struct s2o_saml_trust	*t1, *t2, *t3;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	const char		*fp;
	char			*xml;
	size_t			 len;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	s2o_clock_init_fixed(&clock, T0);
	conn_init(&c, "md-signer", NULL);
	xml = fx_read(fx_path("metadata/idp.xml"), &len);
	ck_assert_ptr_nonnull(m1 = s2o_saml_metadata_verified(xml, len, &c,
	    &clock, &err));
	free(xml);
	xml = fx_read(fx_path("metadata/idp-rollover.xml"), &len);
	ck_assert_ptr_nonnull(m2 = s2o_saml_metadata_verified(xml, len, &c,
	    &clock, &err));
	free(xml);
	ck_assert_int_eq(s2o_config_set_idp_certificates(&c, "metadata",
	    m1->certificates, m1->ncertificates, &err), 0);
	ck_assert_ptr_nonnull(t1 = s2o_saml_trust_new(NULL, &c, &err));
	ck_assert_ptr_nonnull(t2 = s2o_saml_trust_from_metadata(NULL,
	    &c, m2, &err));
	ck_assert_uint_eq(s2o_saml_trust_count(t1), 1);
	ck_assert_uint_eq(s2o_saml_trust_count(t2), 2);
	ck_assert(!s2o_saml_trust_same_keys(t1, t2));
	/* idp-rsa.crt: notAfter 2045-01-01 */
	ck_assert_int_eq(s2o_saml_trust_not_after(t2, 0, &fp), 2366841600);
	ck_assert_uint_eq(strlen(fp), 16);
	/* a reference outlives the first owner */
	t3 = s2o_saml_trust_ref(t2);
	s2o_saml_trust_free(t2);
	ck_assert_uint_eq(s2o_saml_trust_count(t3), 2);
	s2o_saml_trust_free(t3);
	s2o_saml_trust_free(t1);
	s2o_idp_metadata_free(m1);
	s2o_idp_metadata_free(m2);
	for (len = 0; len < c.nidp_certificates; len++) {
		free(c.idp_certificates[len].path);
		free(c.idp_certificates[len].data);
	}
	free(c.idp_certificates);
	free(c.metadata.signing_certificate.data);
	s2o_saml_shutdown();
}
END_TEST

/*
 * Readers take a connection's trust while a refresher swaps new ones in,
 * as /saml/acs workers and the refresh thread do: every reader sees a
 * whole trust of 1 or 2 keys, and (under ASan) nothing is used after it
 * is freed or leaked.
 */
struct swap_env {
	struct s2o_oidc_provider	*op;
	const struct s2o_connection	*conn;
	int				 bad;
};

static void *
reader(void *arg)
{
	struct swap_env		*e = arg;
	struct s2o_saml_trust	*t;
	size_t			 n;
	int			 i;

	for (i = 0; i < 20000; i++) {
		t = s2o_oidc_provider_trust(e->op, e->conn);
		n = s2o_saml_trust_count(t);
		if (n != 1 && n != 2)
			e->bad++;
		s2o_saml_trust_free(t);
	}
	return NULL;
}

START_TEST(test_trust_swap_threads)
{
	struct s2o_config	*cfg;
	struct s2o_keyset	*ks;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	struct s2o_clock	 clock;
	struct s2o_idp_metadata	*m[2];
	struct swap_env		 e;
	pthread_t		 th[3];
	const char		*files[2] = { "metadata/idp.xml",
				    "metadata/idp-rollover.xml" };
	char			*xml;
	size_t			 len, i;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	s2o_diags_init(&d);
	s2o_clock_init_fixed(&clock, T0);
	ck_assert_ptr_nonnull(cfg = s2o_config_load(
	    fx_path("metadata/conf/base.json"), &d, &err));
	ck_assert_int_eq(s2o_saml_config_metadata(cfg, false, &clock, &d,
	    &err), 0);
	ck_assert_ptr_nonnull(ks = s2o_token_keyset_new(cfg, &err));
	ck_assert_ptr_nonnull(e.op = s2o_oidc_provider_new(cfg, ks, &err));
	e.conn = s2o_config_connection(cfg, "uni");
	e.bad = 0;
	for (i = 0; i < 2; i++) {
		struct s2o_connection c;

		conn_init(&c, "md-signer", NULL);
		xml = fx_read(fx_path(files[i]), &len);
		ck_assert_ptr_nonnull(m[i] = s2o_saml_metadata_verified(xml,
		    len, &c, &clock, &err));
		free(xml);
		free(c.metadata.signing_certificate.data);
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, &e), 0);
	for (i = 0; i < 400; i++)
		s2o_oidc_provider_swap_trust(e.op, e.conn,
		    s2o_saml_trust_from_metadata(&cfg->sp, e.conn, m[i % 2],
		    &err));
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(e.bad, 0);
	s2o_idp_metadata_free(m[0]);
	s2o_idp_metadata_free(m[1]);
	s2o_oidc_provider_free(e.op);
	s2o_token_keyset_free(ks);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
	s2o_saml_shutdown();
}
END_TEST

/* ---- certificate expiry ------------------------------------------------ */

START_TEST(test_cert_warnings)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	struct s2o_clock	 clock;
	char			 want[512];

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	s2o_diags_init(&d);
	ck_assert_ptr_nonnull(cfg = s2o_config_load(
	    fx_path("metadata/conf/base.json"), &d, &err));
	s2o_clock_init_fixed(&clock, T0);
	ck_assert_int_eq(s2o_saml_config_metadata(cfg, false, &clock, &d,
	    &err), 0);
	/* far from 2045-01-01: nothing */
	ck_assert_int_eq(s2o_config_cert_warnings(cfg, T0, &d), 0);
	/* 2044-12-20: twelve days before every fixture certificate ends:
	 * sp signing, adfs x2 + signer, uni x1 + signer, plain x1 */
	ck_assert_int_eq(s2o_config_cert_warnings(cfg, 2365804800, &d), 7);
	snprintf(want, sizeof(want), "%s: warning: connections[2]."
	    "idp_certificates[0]: the certificate %s expires at "
	    "2045-01-01T00:00:00Z, in 12 days: roll it over", cfg->path,
	    cfg->connections[2].idp_certificates[0].path);
	ck_assert_str_eq(d.v[d.n - 1].text, want);
	/* 2045-01-02: expired */
	ck_assert_int_eq(s2o_config_cert_warnings(cfg, 2366928000, &d), 7);
	snprintf(want, sizeof(want), "%s: warning: connections[0].metadata[1]:"
	    " the certificate metadata #2 expired at 2045-01-01T00:00:00Z",
	    cfg->path);
	ck_assert_str_eq(d.v[d.n - 5].text, want);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
	s2o_saml_shutdown();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("saml/metadata");
	TCase	*tc;

	tc = tcase_create("documents");
	tcase_add_loop_test(tc, test_md_case, 0, NMD);
	tcase_add_test(tc, test_trust_from_metadata);
	tcase_add_test(tc, test_trust_swap_threads);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_loop_test(tc, test_conf_case, 0, NCONF);
	tcase_add_loop_test(tc, test_conf_url_no_copy, 0, 2);
	tcase_add_test(tc, test_cert_warnings);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
