/* SPDX-License-Identifier: MIT */
/*
 * Measures the SAML pipeline against the floors it cannot go below, in one
 * process and one run, and prints ratios rather than absolute times (the
 * machine's speed cancels out):
 *
 *   crypto floor   the bare OpenSSL work no verifier can avoid: SHA-256 of
 *                  the signed bytes and one RSA signature verification;
 *   library floor  the fewest library calls that do the unavoidable work:
 *                  libxml2 parse + xmlsec verification of the one signature
 *                  with a key loaded once; no validation;
 *   pipeline       saml/'s stages and the whole of parse + consume.
 *
 * Each figure is operations per second over a run of at least
 * BENCH_MIN_SECONDS. Results also go to bench/results.json (or the path in
 * $S2O_BENCH_OUT). Usage: bench [FIXTURES_DIR].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <libxml/parser.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <jansson.h>

#include "config/config.h"
#include "saml/saml.h"

#define BENCH_MIN_SECONDS	1.0	/* seconds per measurement */

struct fixture {
	const char	*name;
	char		*doc;
	size_t		 len;
};

static const char	*fx_dir = "fixtures";
static struct s2o_config *cfg;
static const struct s2o_connection *conn;
static struct s2o_saml_trust *trust;
static EVP_PKEY		*idp_pub;
static xmlSecKeyPtr	 idp_key;
static json_t		*results;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn until BENCH_MIN_SECONDS have passed; returns operations/s. */
static double
rate(void (*fn)(const struct fixture *), const struct fixture *f)
{
	double	t0, t;
	long	n = 0, batch = 1;

	fn(f);	/* warm up */
	t0 = now();
	do {
		for (long i = 0; i < batch; i++)
			fn(f);
		n += batch;
		batch *= 2;
		t = now() - t0;
	} while (t < BENCH_MIN_SECONDS);
	return (double)n / t;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp = fopen(path, "rb");
	char	*buf;
	long	 n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
		die(path);
	rewind(fp);
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, fp) != (size_t)n)
		die(path);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* ---- crypto floor ------------------------------------------------------ */

static unsigned char	sig_bytes[512];
static size_t		sig_len;

static void
crypto_floor(const struct fixture *f)
{
	unsigned char	md[32];
	EVP_MD_CTX	*c = EVP_MD_CTX_new();

	/* the digest over the signed element, then one RSA verification */
	EVP_Digest(f->doc, f->len, md, NULL, EVP_sha256(), NULL);
	EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, idp_pub);
	(void)EVP_DigestVerify(c, sig_bytes, sig_len, md, sizeof(md));
	EVP_MD_CTX_free(c);
}

/* ---- library floor ----------------------------------------------------- */

static void
library_floor(const struct fixture *f)
{
	xmlDocPtr		 doc;
	xmlNodePtr		 sig;
	xmlSecDSigCtxPtr	 ctx;
	xmlAttrPtr		 id;

	doc = xmlReadMemory(f->doc, (int)f->len, "bench.xml", NULL,
	    XML_PARSE_NONET);
	sig = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature,
	    xmlSecDSigNs);
	if (sig == NULL)
		die("library floor: no signature");
	if ((id = xmlHasProp(sig->parent, BAD_CAST "ID")) != NULL)
		xmlAddID(NULL, doc, id->children->content, id);
	ctx = xmlSecDSigCtxCreate(NULL);
	ctx->signKey = xmlSecKeyDuplicate(idp_key);
	if (xmlSecDSigCtxVerify(ctx, sig) < 0 ||
	    ctx->status != xmlSecDSigStatusSucceeded)
		die("library floor: verification failed");
	xmlSecDSigCtxDestroy(ctx);
	xmlFreeDoc(doc);
}

/* ---- pipeline ---------------------------------------------------------- */

static void
stage_parse(const struct fixture *f)
{
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_saml_response_free(s2o_saml_response_parse(f->doc, f->len,
	    cfg->max_response_bytes, &err));
	if (s2o_err_is_set(&err))
		die(err.detail);
}

static void
pipeline(const struct fixture *f)
{
	struct s2o_saml_response	*r;
	struct s2o_saml_expect		 exp;
	struct s2o_clock		 clock;
	struct s2o_err			 err;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1795867260);	/* fixtures' "now" */
	r = s2o_saml_response_parse(f->doc, f->len, cfg->max_response_bytes,
	    &err);
	memset(&exp, 0, sizeof(exp));
	exp.sp = &cfg->sp;
	exp.conn = conn;
	exp.trust = trust;
	exp.clock = &clock;
	exp.clock_skew = cfg->clock_skew;
	/* no replay cache: the same document is consumed again and again */
	s2o_assertion_free(s2o_saml_response_consume(r, &exp, &err));
	s2o_saml_response_free(r);
	if (s2o_err_is_set(&err))
		die(err.detail);
}

static void
setup(void)
{
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[4096];
	BIO			*bio;
	X509			*x;
	EVP_MD_CTX		*c;
	EVP_PKEY		*priv;
	unsigned char		 md[32];

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	snprintf(path, sizeof(path), "%s/saml/bridge.json", fx_dir);
	if (s2o_saml_init(&err) == -1 ||
	    (cfg = s2o_config_load(path, &d, &err)) == NULL)
		die(err.detail);
	s2o_diags_cleanup(&d);
	conn = s2o_config_connection(cfg, "corp");
	if (conn == NULL || (trust = s2o_saml_trust_new(&cfg->sp, conn,
	    &err)) == NULL)
		die("connection corp");
	bio = BIO_new_mem_buf(conn->idp_certificates[0].data,
	    (int)conn->idp_certificates[0].len);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	idp_pub = X509_get_pubkey(x);
	X509_free(x);
	EVP_PKEY_up_ref(idp_pub);
	idp_key = xmlSecKeyCreate();
	xmlSecKeySetValue(idp_key, xmlSecOpenSSLEvpKeyAdopt(idp_pub));
	/* a real signature for the crypto floor to verify */
	snprintf(path, sizeof(path), "%s/keys/idp-rsa.key", fx_dir);
	bio = BIO_new_file(path, "r");
	priv = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (priv == NULL)
		die(path);
	memset(md, 7, sizeof(md));
	c = EVP_MD_CTX_new();
	sig_len = sizeof(sig_bytes);
	EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, priv);
	EVP_DigestSign(c, sig_bytes, &sig_len, md, sizeof(md));
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(priv);
}

static void
report(const char *key, const char *label, double ops)
{
	printf("  %-44s %10.0f ops/s\n", label, ops);
	json_object_set_new(json_object_get(results, "rates"), key,
	    json_real(ops));
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "signed-assertion",
	    "signed-response", "attrs-fifty-values", "groups-200", NULL };
	struct fixture	 f;
	char		 path[4096], key[128], *s;
	const char	*out = getenv("S2O_BENCH_OUT");
	double		 cf, lf, pl, ps;
	size_t		 i;

	if (argc > 1)
		fx_dir = argv[1];
	setup();
	results = json_pack("{s:{}, s:{}}", "rates", "ratios");
	for (i = 0; names[i] != NULL; i++) {
		f.name = names[i];
		snprintf(path, sizeof(path), "%s/saml/%s/response.xml", fx_dir,
		    names[i]);
		f.doc = slurp(path, &f.len);
		printf("%s (%zu bytes)\n", names[i], f.len);
		snprintf(key, sizeof(key), "%s.crypto_floor", names[i]);
		report(key, "crypto floor (SHA-256 + RSA verify)",
		    cf = rate(crypto_floor, &f));
		snprintf(key, sizeof(key), "%s.library_floor", names[i]);
		report(key, "library floor (libxml2 parse + xmlsec verify)",
		    lf = rate(library_floor, &f));
		snprintf(key, sizeof(key), "%s.parse", names[i]);
		report(key, "pipeline: decode + parse + shape",
		    ps = rate(stage_parse, &f));
		snprintf(key, sizeof(key), "%s.pipeline", names[i]);
		report(key, "pipeline: parse + verify + validate + read",
		    pl = rate(pipeline, &f));
		printf("  pipeline / library floor %.2f, pipeline / crypto "
		    "floor %.2f\n", pl / lf, pl / cf);
		snprintf(key, sizeof(key), "%s.library_floor_ratio", names[i]);
		json_object_set_new(json_object_get(results, "ratios"), key,
		    json_real(pl / lf));
		snprintf(key, sizeof(key), "%s.crypto_floor_ratio", names[i]);
		json_object_set_new(json_object_get(results, "ratios"), key,
		    json_real(pl / cf));
		free(f.doc);
	}
	if ((s = json_dumps(results, JSON_INDENT(2))) != NULL) {
		FILE *fp = fopen(out ? out : "bench/results.json", "w");

		if (fp != NULL) {
			fprintf(fp, "%s\n", s);
			fclose(fp);
		}
		free(s);
	}
	json_decref(results);
	xmlSecKeyDestroy(idp_key);
	EVP_PKEY_free(idp_pub);
	s2o_saml_trust_free(trust);
	s2o_config_free(cfg);
	s2o_saml_shutdown();
	return 0;
}
