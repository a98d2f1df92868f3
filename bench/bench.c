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
 * Each figure is operations per second, the best of BENCH_ROUNDS rounds of
 * at least BENCH_MIN_SECONDS each. Results also go to bench/results.json
 * (or the path in $S2O_BENCH_OUT), keeping the keys bench/load.sh wrote.
 * Usage: bench [FIXTURES_DIR [FIXTURE]]; bench FIXTURES_DIR FIXTURE ALG N
 * runs the whole consume (ALG RS256 or ES256) or its library floor
 * (floor-RS256, floor-ES256) of one fixture N times, for a profiler.
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
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <jansson.h>

#include "config/config.h"
#include "map/map.h"
#include "saml/saml.h"
#include "token/token.h"

#define BENCH_MIN_SECONDS	0.2	/* seconds per round */
#define BENCH_ROUNDS		5	/* rounds per measurement; the best counts */

struct fixture {
	const char	*name;
	char		*doc;
	size_t		 len;
	char		*b64;		/* the posted form value */
	size_t		 b64len;
	bool		 encrypted;	/* an EncryptedAssertion */
	const struct s2o_keyset *keys_rs, *keys_es;	/* for its size */
	struct s2o_assertion *facts;	/* consumed once, for the map stage */
	json_t		*claims;	/* its ID token's claims, for the JWS
					   floor */
	json_t		*id_token;	/* the mapped claims (an object) */
	size_t		 token_len;	/* bytes the token signature covers */
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
static struct s2o_keyset *big_rs, *big_es;	/* max_token_bytes 64 KiB */
static EVP_PKEY		*sp_priv;		/* the SP decryption key */
static xmlSecKeysMngrPtr sp_mngr;		/* holding it, made once */
static unsigned char	 oaep_block[512];	/* a wrapped AES-256 key */
static size_t		 oaep_len;

static double
now(void)
{
	struct timespec	ts;

	/* this thread's CPU time: time spent waiting for a CPU that others
	 * hold (2 cores shared by several builds) does not count */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The best of BENCH_ROUNDS runs of fn, each of at least BENCH_MIN_SECONDS;
 * returns operations/s. On a shared machine other work only ever slows a
 * run down, so the fastest round is the one closest to the code's own
 * cost, and two figures taken this way make a steadier ratio.
 */
static double
rate(void (*fn)(const struct fixture *), const struct fixture *f)
{
	double	t0, t, best = 0;
	long	n, batch;

	fn(f);	/* warm up */
	for (int r = 0; r < BENCH_ROUNDS; r++) {
		n = 0;
		batch = 1;
		t0 = now();
		do {
			for (long i = 0; i < batch; i++)
				fn(f);
			n += batch;
			batch *= 2;
			t = now() - t0;
		} while (t < BENCH_MIN_SECONDS);
		if ((double)n / t > best)
			best = (double)n / t;
	}
	return best;
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

/* An EncryptedAssertion's unavoidable work: unwrap the content key with
 * RSA-OAEP (the SP's private key) and AES-256-GCM over the document's
 * length. */
static void
crypto_decrypt(const struct fixture *f)
{
	static unsigned char	 out[1 << 17];
	unsigned char		 key[512], iv[12] = { 0 };
	size_t			 klen = sizeof(key);
	int			 n;
	EVP_PKEY_CTX		*pc = EVP_PKEY_CTX_new(sp_priv, NULL);
	EVP_CIPHER_CTX		*cc = EVP_CIPHER_CTX_new();

	EVP_PKEY_decrypt_init(pc);
	EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING);
	if (EVP_PKEY_decrypt(pc, key, &klen, oaep_block, oaep_len) != 1)
		die("crypto floor: RSA-OAEP");
	EVP_DecryptInit_ex(cc, EVP_aes_256_gcm(), NULL, key, iv);
	EVP_DecryptUpdate(cc, out, &n, (const unsigned char *)f->doc,
	    (int)(f->len < sizeof(out) ? f->len : sizeof(out)));
	EVP_CIPHER_CTX_free(cc);
	EVP_PKEY_CTX_free(pc);
}

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
	if (f->encrypted)
		crypto_decrypt(f);
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
	if (f->encrypted) {
		xmlSecEncCtxPtr	 ec = xmlSecEncCtxCreate(sp_mngr);
		xmlNodePtr	 data = xmlSecFindNode(xmlDocGetRootElement(
		    doc), xmlSecNodeEncryptedData, xmlSecEncNs);

		/* the key comes from the EncryptedKey, opened with ours */
		if (ec == NULL || data == NULL ||
		    xmlSecPtrListAdd(&ec->keyInfoReadCtx.enabledKeyData,
		    BAD_CAST xmlSecKeyDataEncryptedKeyId) < 0 ||
		    xmlSecEncCtxDecrypt(ec, data) < 0)
			die("library floor: decryption failed");
		xmlSecEncCtxDestroy(ec);
	}
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

/* the ACS's input: the base64 form value, decoded then parsed */
static void
stage_decode_parse(const struct fixture *f)
{
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_saml_response_free(s2o_saml_response_parse(f->b64, f->b64len,
	    cfg->max_response_bytes, &err));
	if (s2o_err_is_set(&err))
		die(err.detail);
}

static void
stage_map(const struct fixture *f)
{
	struct s2o_map_result	m;
	struct s2o_err		err;

	s2o_err_clear(&err);
	s2o_map_result_init(&m);
	if (s2o_map_apply(mapping, f->facts, conn->name, 0, &m, &err) == -1)
		die(err.detail);
	s2o_map_result_cleanup(&m);
}

/* The assertion of f, consumed once outside the measurements. */
static struct s2o_assertion *
facts_of(const struct fixture *f)
{
	struct s2o_saml_response	*r;
	struct s2o_saml_expect		 exp;
	struct s2o_assertion		*a;
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
	s2o_saml_response_free(r);
	if (a == NULL)
		die(err.detail);
	return a;
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
	static const char	msg[1 << 17] = "header.payload";
	unsigned char		sig[512];
	size_t			len = sizeof(sig);
	EVP_MD_CTX		*c = EVP_MD_CTX_new();

	EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, floor_key);
	EVP_DigestSign(c, sig, &len, (const unsigned char *)msg,
	    f->token_len < sizeof(msg) ? f->token_len : sizeof(msg));
	EVP_MD_CTX_free(c);
}

/* one JWS with the fewest library calls: jansson, base64url, sign; the
 * claims are the fixture's own (mapped once at setup) */
static void
library_sign(const struct fixture *f)
{
	static const char hdr[] = "{\"alg\":\"RS256\",\"kid\":\"k\"}";
	struct s2o_err	 err;
	char		*payload, *h, *p, *msg, *sig64;
	unsigned char	 sig[512];
	size_t		 len = sizeof(sig);
	EVP_MD_CTX	*c = EVP_MD_CTX_new();

	s2o_err_clear(&err);
	payload = json_dumps(f->claims, JSON_COMPACT);
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
	req.extra_claims = f->id_token;
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
	EVP_PKEY_CTX		*pc;
	xmlSecKeyPtr		 spk;
	unsigned char		 md[32];
	size_t			 n;

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
	/* 200 long group DNs make a 30 KB ID token: an admin who maps them
	 * raises max_token_bytes (the default refuses it as too_large) */
	n = cfg->max_token_bytes;
	cfg->max_token_bytes = 1u << 16;
	big_rs = keyset_of("bridge-rs256.pem", "RS256");
	big_es = keyset_of("bridge-es256.pem", "ES256");
	cfg->max_token_bytes = n;
	s2o_diags_init(&d);
	if ((mapping = s2o_map_load(conn->mappings_file, &d, &err)) == NULL)
		die(err.detail);
	s2o_diags_cleanup(&d);
	/* the SP's decryption key: for the floors of encrypted Responses */
	bio = BIO_new_mem_buf(cfg->sp.decryption_key.data,
	    (int)cfg->sp.decryption_key.len);
	sp_priv = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (sp_priv == NULL || (pc = EVP_PKEY_CTX_new(sp_priv, NULL)) == NULL)
		die("sp.decryption_key");
	oaep_len = sizeof(oaep_block);
	if (EVP_PKEY_encrypt_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_encrypt(pc, oaep_block, &oaep_len, md, sizeof(md)) != 1)
		die("RSA-OAEP");
	EVP_PKEY_CTX_free(pc);
	/* a simple keys store only: the default manager's X509 store would
	 * be searched for every EncryptedKey */
	if ((sp_mngr = xmlSecKeysMngrCreate()) == NULL ||
	    xmlSecKeysMngrAdoptKeysStore(sp_mngr,
	    xmlSecKeyStoreCreate(xmlSecSimpleKeysStoreId)) < 0 ||
	    (sp_mngr->getKey = xmlSecKeysMngrGetKey) == NULL ||
	    (spk = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)
	    cfg->sp.decryption_key.data, (xmlSecSize)cfg->sp.decryption_key.len,
	    xmlSecKeyDataFormatPem, NULL, NULL, NULL)) == NULL ||
	    xmlSecCryptoAppDefaultKeysMngrAdoptKey(sp_mngr, spk) < 0)
		die("xmlsec: the SP decryption key");
}

/* Reads a fixture and prepares what its measurements need. */
static void
fixture_open(struct fixture *f, const char *name)
{
	struct s2o_map_result	 m;
	struct s2o_err		 err;
	char			 path[4096], *tok;
	bool			 big = strncmp(name, "groups-200", 10) == 0;

	s2o_err_clear(&err);
	memset(f, 0, sizeof(*f));
	f->name = name;
	snprintf(path, sizeof(path), "%s/saml/%s/response.xml", fx_dir, name);
	f->doc = slurp(path, &f->len);
	if ((f->b64 = s2o_b64_encode(f->doc, f->len, &err)) == NULL)
		die(err.detail);
	f->b64len = strlen(f->b64);
	f->encrypted = strstr(name, "encrypted") != NULL;
	f->keys_rs = big ? big_rs : keys_rs;
	f->keys_es = big ? big_es : keys_es;
	f->facts = facts_of(f);
	s2o_map_result_init(&m);
	if (s2o_map_apply(mapping, f->facts, conn->name, 0, &m, &err) == -1)
		die(err.detail);
	f->id_token = json_incref(m.id_token);
	f->claims = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "iss",
	    cfg->issuer, "sub", m.sub, "aud", "demo-app", "iat", 1795867260,
	    "exp", 1795867560, "nonce", "n");
	json_object_update(f->claims, m.id_token);
	s2o_map_result_cleanup(&m);
	/* the length of what the token signature covers */
	mint_keys = f->keys_es;
	{
		struct s2o_token_id_req	 req;
		struct s2o_clock	 clock;

		s2o_clock_init_fixed(&clock, 1795867260);
		memset(&req, 0, sizeof(req));
		req.issuer = cfg->issuer;
		req.sub = "corp|alice@example.test";
		req.aud = "demo-app";
		req.clock = &clock;
		req.ttl = 300;
		req.nonce = "n";
		req.extra_claims = f->id_token;
		if ((tok = s2o_token_id_mint(mint_keys, &req, &err)) == NULL)
			die(err.detail);
		f->token_len = (size_t)(strrchr(tok, '.') - tok);
		free(tok);
	}
}

static void
fixture_close(struct fixture *f)
{
	free(f->doc);
	free(f->b64);
	json_decref(f->id_token);
	json_decref(f->claims);
	s2o_assertion_free(f->facts);
}

static void
report(const char *key, const char *label, double ops);

/*
 * The floors of the whole consume, run as it runs: one after the other in
 * the same loop, so that both sides of the ratio pay the same cache and
 * memory costs (rates measured apart and combined favour the floor on a
 * machine where other work evicts the caches).
 */
static void
crypto_whole(const struct fixture *f)
{
	crypto_floor(f);
	crypto_sign(f);
}

static void
library_whole(const struct fixture *f)
{
	library_floor(f);
	library_sign(f);
}

/* The in-process consume against its floors, for one token algorithm. */
static void
measure_whole(const struct fixture *f, const char *alg,
    const struct s2o_keyset *ks, EVP_PKEY *k)
{
	char	key[128], label[96];
	double	mint, all, cfloor, lfloor;

	mint_keys = ks;
	floor_key = k;
	snprintf(key, sizeof(key), "%s/crypto_sign_%s", f->name, alg);
	snprintf(label, sizeof(label), "crypto floor: one %s signature", alg);
	report(key, label, rate(crypto_sign, f));
	snprintf(key, sizeof(key), "%s/library_sign_%s", f->name, alg);
	snprintf(label, sizeof(label), "library floor: one %s JWS", alg);
	report(key, label, rate(library_sign, f));
	snprintf(key, sizeof(key), "%s/mint_%s", f->name, alg);
	snprintf(label, sizeof(label), "pipeline: mint one %s ID token", alg);
	report(key, label, mint = rate(stage_mint, f));
	snprintf(key, sizeof(key), "%s/consume_%s", f->name, alg);
	snprintf(label, sizeof(label), "pipeline: whole consume, %s", alg);
	report(key, label, all = rate(whole, f));
	snprintf(key, sizeof(key), "%s/crypto_floor_%s", f->name, alg);
	snprintf(label, sizeof(label), "crypto floor of consume, %s", alg);
	report(key, label, cfloor = rate(crypto_whole, f));
	snprintf(key, sizeof(key), "%s/library_floor_%s", f->name, alg);
	snprintf(label, sizeof(label), "library floor of consume, %s", alg);
	report(key, label, lfloor = rate(library_whole, f));
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

/* Runs the whole consume of one fixture n times and nothing else, so that
 * callgrind or perf sees only the pipeline; with alg floor-RS256 or
 * floor-ES256, the library floor (verification and one JWS) instead. */
static int
profile(const char *name, const char *alg, long n)
{
	struct fixture	f;

	fixture_open(&f, name);
	mint_keys = strstr(alg, "RS256") != NULL ? f.keys_rs : f.keys_es;
	floor_key = strstr(alg, "RS256") != NULL ? sign_rs : sign_es;
	for (long i = 0; i < n; i++) {
		if (strncmp(alg, "floor-", 6) == 0) {
			library_floor(&f);
			library_sign(&f);
		} else
			whole(&f);
	}
	fixture_close(&f);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "signed-assertion",
	    "signed-response", "encrypted-assertion-gcm", "attrs-fifty-values",
	    "groups-200", "groups-200-signed-response", "groups-200-encrypted",
	    NULL };
	struct fixture	 f;
	json_t		*all;
	char		 key[128], *s;
	const char	*out = getenv("S2O_BENCH_OUT");
	double		 cf, lf, pl, ps;

	setvbuf(stdout, NULL, _IOLBF, 0);
	size_t		 i;

	if (argc > 1)
		fx_dir = argv[1];
	setup();
	if (argc > 4)	/* FIXTURES FIXTURE ALG N: one loop, for profilers */
		return profile(argv[2], argv[3], strtol(argv[4], NULL, 10));
	results = json_pack("{s:{}, s:{}}", "rates", "ratios");
	for (i = 0; names[i] != NULL; i++) {
		if (argc == 3 && strcmp(argv[2], names[i]) != 0)
			continue;	/* FIXTURES FIXTURE: that one only */
		fixture_open(&f, names[i]);
		printf("%s (%zu bytes%s)\n", names[i], f.len,
		    f.encrypted ? ", encrypted" : "");
		snprintf(key, sizeof(key), "%s/crypto_floor", names[i]);
		report(key, f.encrypted ? "crypto floor (+ RSA-OAEP, AES-GCM)" :
		    "crypto floor (SHA-256 + RSA verify)",
		    cf = rate(crypto_floor, &f));
		snprintf(key, sizeof(key), "%s/library_floor", names[i]);
		report(key, f.encrypted ? "library floor (+ xmlsec decrypt)" :
		    "library floor (libxml2 parse + xmlsec verify)",
		    lf = rate(library_floor, &f));
		snprintf(key, sizeof(key), "%s/decode_parse", names[i]);
		report(key, "pipeline: base64 decode + parse + shape",
		    rate(stage_decode_parse, &f));
		snprintf(key, sizeof(key), "%s/parse", names[i]);
		report(key, "pipeline: parse + shape",
		    ps = rate(stage_parse, &f));
		snprintf(key, sizeof(key), "%s/pipeline", names[i]);
		report(key, f.encrypted ? "pipeline: parse + decrypt + verify + "
		    "validate + read" : "pipeline: parse + verify + validate + "
		    "read", pl = rate(pipeline, &f));
		printf("  pipeline / library floor %.2f, pipeline / crypto "
		    "floor %.2f\n", pl / lf, pl / cf);
		snprintf(key, sizeof(key), "%s/map", names[i]);
		report(key, "pipeline: map", rate(stage_map, &f));
		measure_whole(&f, "RS256", f.keys_rs, sign_rs);
		measure_whole(&f, "ES256", f.keys_es, sign_es);
		snprintf(key, sizeof(key), "%s/library_floor_ratio", names[i]);
		json_object_set_new(json_object_get(results, "ratios"), key,
		    json_real(pl / lf));
		snprintf(key, sizeof(key), "%s/crypto_floor_ratio", names[i]);
		json_object_set_new(json_object_get(results, "ratios"), key,
		    json_real(pl / cf));
		fixture_close(&f);
	}
	/* keep what bench/load.sh added (load, memory) */
	if ((all = json_load_file(out ? out : "bench/results.json", 0,
	    NULL)) != NULL && json_is_object(all)) {
		json_object_update(all, results);
		json_decref(results);
		results = all;
	} else
		json_decref(all);
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
	s2o_token_keyset_free(big_rs);
	s2o_token_keyset_free(big_es);
	xmlSecKeysMngrDestroy(sp_mngr);
	EVP_PKEY_free(sp_priv);
	EVP_PKEY_free(sign_rs);
	EVP_PKEY_free(sign_es);
	xmlSecKeyDestroy(idp_key);
	EVP_PKEY_free(idp_pub);
	s2o_saml_trust_free(trust);
	s2o_config_free(cfg);
	s2o_saml_shutdown();
	return 0;
}
