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
 *   pipeline       saml/'s stages, the whole of parse + consume, and the
 *                  in-process `consume`: verify, map, mint (RS256, ES256).
 *
 * For the whole pipeline the floors add one token signature to the
 * verification: crypto floor = SHA-256 + RSA verify + one raw signature;
 * library floor = parse + xmlsec verify + one JWS (jansson, base64url and
 * EVP_DigestSign with a key parsed once; libjwt 1.10 re-parses its PEM key
 * for every token, so it cannot be the floor).
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
#include "map/map.h"
#include "saml/saml.h"
#include "token/token.h"

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
static struct s2o_mapping *mapping;
static struct s2o_keyset *keys_rs, *keys_es;
static EVP_PKEY		*sign_rs, *sign_es;
static const struct s2o_keyset *mint_keys;	/* the set being measured */
static EVP_PKEY		*floor_key;		/* the key being measured */

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

/* one raw signature over a JWT-sized message: the token's crypto floor */
static void
crypto_sign(const struct fixture *f)
{
	static const char	msg[400] = "header.payload";
	unsigned char		sig[512];
	size_t			len = sizeof(sig);
	EVP_MD_CTX		*c = EVP_MD_CTX_new();

	(void)f;
	EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, floor_key);
	EVP_DigestSign(c, sig, &len, (const unsigned char *)msg, sizeof(msg));
	EVP_MD_CTX_free(c);
}

/* one JWS with the fewest library calls: jansson, base64url, sign */
static void
library_sign(const struct fixture *f)
{
	static const char hdr[] = "{\"alg\":\"RS256\",\"kid\":\"k\"}";
	struct s2o_err	 err;
	json_t		*claims;
	char		*payload, *h, *p, *msg, *sig64;
	unsigned char	 sig[512];
	size_t		 len = sizeof(sig);
	EVP_MD_CTX	*c = EVP_MD_CTX_new();

	(void)f;
	s2o_err_clear(&err);
	claims = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "iss",
	    "https://bridge.example.test", "sub", "corp|alice@example.test",
	    "aud", "demo-app", "iat", 1795867260, "exp", 1795867560, "email",
	    "alice@example.test", "name", "Alice Martin", "nonce", "n");
	payload = json_dumps(claims, JSON_COMPACT);
	h = s2o_b64url_encode(hdr, strlen(hdr), &err);
	p = s2o_b64url_encode(payload, strlen(payload), &err);
	len = strlen(h) + strlen(p) + 2;
	msg = malloc(len);
	snprintf(msg, len, "%s.%s", h, p);
	len = sizeof(sig);
	EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, floor_key);
	EVP_DigestSign(c, sig, &len, (unsigned char *)msg, strlen(msg));
	sig64 = s2o_b64url_encode(sig, len, &err);
	EVP_MD_CTX_free(c);
	free(sig64);
	free(msg);
	free(p);
	free(h);
	free(payload);
	json_decref(claims);
}

static void
stage_mint(const struct fixture *f)
{
	struct s2o_token_id_req	 req;
	struct s2o_clock	 clock;
	struct s2o_err		 err;

	(void)f;
	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1795867260);
	memset(&req, 0, sizeof(req));
	req.issuer = cfg->issuer;
	req.sub = "corp|alice@example.test";
	req.aud = "demo-app";
	req.clock = &clock;
	req.ttl = 300;
	req.nonce = "n";
	req.extra_claims = "{\"email\":\"alice@example.test\","
	    "\"name\":\"Alice Martin\"}";
	free(s2o_token_id_mint(mint_keys, &req, &err));
	if (s2o_err_is_set(&err))
		die(err.detail);
}

/* the in-process `consume`: parse, verify, validate, map, mint */
static void
whole(const struct fixture *f)
{
	struct s2o_saml_response	*r;
	struct s2o_saml_expect		 exp;
	struct s2o_assertion		*a;
	struct s2o_map_result		 m;
	struct s2o_token_id_req		 req;
	struct s2o_clock		 clock;
	struct s2o_err			 err;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1795867260);
	r = s2o_saml_response_parse(f->doc, f->len, cfg->max_response_bytes,
	    &err);
	memset(&exp, 0, sizeof(exp));
	exp.sp = &cfg->sp;
	exp.conn = conn;
	exp.trust = trust;
	exp.clock = &clock;
	exp.clock_skew = cfg->clock_skew;
	a = r ? s2o_saml_response_consume(r, &exp, &err) : NULL;
	s2o_map_result_init(&m);
	if (a != NULL && s2o_map_apply(mapping, a, conn->name, 0, &m,
	    &err) == 0) {
		memset(&req, 0, sizeof(req));
		req.issuer = cfg->issuer;
		req.sub = m.sub;
		req.aud = "demo-app";
		req.clock = &clock;
		req.ttl = cfg->id_token_ttl;
		req.auth_time = a->authn_instant;
		req.authn_context = a->authn_context;
		req.sid = a->session_index;
		req.extra_claims = m.id_token;
		free(s2o_token_id_mint(mint_keys, &req, &err));
	}
	s2o_map_result_cleanup(&m);
	s2o_assertion_free(a);
	s2o_saml_response_free(r);
	if (s2o_err_is_set(&err))
		die(err.detail);
}

static EVP_PKEY *
read_key(const char *name)
{
	char		 path[4096];
	BIO		*bio;
	EVP_PKEY	*k;

	snprintf(path, sizeof(path), "%s/keys/%s", fx_dir, name);
	bio = BIO_new_file(path, "r");
	k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (k == NULL)
		die(path);
	return k;
}

/* A keyset of the one fixture key file, signing with alg. */
static struct s2o_keyset *
keyset_of(const char *file, const char *alg)
{
	struct s2o_config_key	 key, *saved = cfg->signing_keys;
	struct s2o_keyset	*ks;
	struct s2o_err		 err;
	struct s2o_buf		 b;
	char			 path[4096];
	size_t			 n = cfg->nsigning_keys;

	s2o_err_clear(&err);
	snprintf(path, sizeof(path), "%s/keys/%s", fx_dir, file);
	s2o_buf_init(&b, 1 << 20);
	if (s2o_buf_read_file(&b, path, &err) == -1)
		die(err.detail);
	memset(&key, 0, sizeof(key));
	key.kid = (char *)"bench";
	key.alg = (char *)alg;
	key.active = true;
	key.private_key.path = path;
	key.private_key.data = b.data;
	key.private_key.len = b.len;
	cfg->signing_keys = &key;
	cfg->nsigning_keys = 1;
	ks = s2o_token_keyset_new(cfg, &err);
	cfg->signing_keys = saved;
	cfg->nsigning_keys = n;
	s2o_buf_cleanup(&b);
	if (ks == NULL)
		die(err.detail);
	return ks;
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
	sign_rs = read_key("bridge-rs256.pem");
	sign_es = read_key("bridge-es256.pem");
	keys_rs = keyset_of("bridge-rs256.pem", "RS256");
	keys_es = keyset_of("bridge-es256.pem", "ES256");
	s2o_diags_init(&d);
	if ((mapping = s2o_map_load(conn->mappings_file, &d, &err)) == NULL)
		die(err.detail);
	s2o_diags_cleanup(&d);
}

static void
report(const char *key, const char *label, double ops);

/* 1 / (1/a + 1/b): the rate of doing a and then b */
static double
serial(double a, double b)
{
	return 1.0 / (1.0 / a + 1.0 / b);
}

/* The in-process consume against its floors, for one token algorithm. */
static void
measure_whole(const struct fixture *f, const char *alg,
    const struct s2o_keyset *ks, EVP_PKEY *k, double cf_verify,
    double lf_verify)
{
	char	key[128], label[96];
	double	cs, ls, mint, all, cfloor, lfloor;

	mint_keys = ks;
	floor_key = k;
	snprintf(key, sizeof(key), "%s/crypto_sign_%s", f->name, alg);
	snprintf(label, sizeof(label), "crypto floor: one %s signature", alg);
	report(key, label, cs = rate(crypto_sign, f));
	snprintf(key, sizeof(key), "%s/library_sign_%s", f->name, alg);
	snprintf(label, sizeof(label), "library floor: one %s JWS", alg);
	report(key, label, ls = rate(library_sign, f));
	snprintf(key, sizeof(key), "%s/mint_%s", f->name, alg);
	snprintf(label, sizeof(label), "pipeline: mint one %s ID token", alg);
	report(key, label, mint = rate(stage_mint, f));
	snprintf(key, sizeof(key), "%s/consume_%s", f->name, alg);
	snprintf(label, sizeof(label), "pipeline: whole consume, %s", alg);
	report(key, label, all = rate(whole, f));
	cfloor = serial(cf_verify, cs);
	lfloor = serial(lf_verify, ls);
	printf("  consume %s / library floor %.2f, / crypto floor %.2f\n",
	    alg, all / lfloor, all / cfloor);
	snprintf(key, sizeof(key), "%s/library_floor_ratio_%s", f->name, alg);
	json_object_set_new(json_object_get(results, "ratios"), key,
	    json_real(all / lfloor));
	snprintf(key, sizeof(key), "%s/crypto_floor_ratio_%s", f->name, alg);
	json_object_set_new(json_object_get(results, "ratios"), key,
	    json_real(all / cfloor));
	if (strcmp(f->name, "signed-assertion") == 0) {
		/* the figures tracked from run to run: the 5 KB fixture */
		snprintf(key, sizeof(key), "library_floor_ratio_%s", alg);
		for (char *p = key; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		json_object_set_new(results, key, json_real(all / lfloor));
		snprintf(key, sizeof(key), "crypto_floor_ratio_%s", alg);
		for (char *p = key; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		json_object_set_new(results, key, json_real(all / cfloor));
	}
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
		snprintf(key, sizeof(key), "%s/crypto_floor", names[i]);
		report(key, "crypto floor (SHA-256 + RSA verify)",
		    cf = rate(crypto_floor, &f));
		snprintf(key, sizeof(key), "%s/library_floor", names[i]);
		report(key, "library floor (libxml2 parse + xmlsec verify)",
		    lf = rate(library_floor, &f));
		snprintf(key, sizeof(key), "%s/parse", names[i]);
		report(key, "pipeline: decode + parse + shape",
		    ps = rate(stage_parse, &f));
		snprintf(key, sizeof(key), "%s/pipeline", names[i]);
		report(key, "pipeline: parse + verify + validate + read",
		    pl = rate(pipeline, &f));
		printf("  pipeline / library floor %.2f, pipeline / crypto "
		    "floor %.2f\n", pl / lf, pl / cf);
		/* 200 long group DNs do not fit an ID token (too_large) */
		if (strcmp(names[i], "groups-200") != 0) {
			measure_whole(&f, "RS256", keys_rs, sign_rs, cf, lf);
			measure_whole(&f, "ES256", keys_es, sign_es, cf, lf);
		}
		snprintf(key, sizeof(key), "%s/library_floor_ratio", names[i]);
		json_object_set_new(json_object_get(results, "ratios"), key,
		    json_real(pl / lf));
		snprintf(key, sizeof(key), "%s/crypto_floor_ratio", names[i]);
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
	s2o_map_free(mapping);
	s2o_token_keyset_free(keys_rs);
	s2o_token_keyset_free(keys_es);
	EVP_PKEY_free(sign_rs);
	EVP_PKEY_free(sign_es);
	xmlSecKeyDestroy(idp_key);
	EVP_PKEY_free(idp_pub);
	s2o_saml_trust_free(trust);
	s2o_config_free(cfg);
	s2o_saml_shutdown();
	return 0;
}
