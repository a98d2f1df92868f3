/* SPDX-License-Identifier: MIT */
/*
 * token/: keysets, ID tokens, access tokens, JWKS and keygen.
 *
 * Every minted token is checked without trusting the code that made it:
 * the signature is verified with OpenSSL directly (EVP_DigestVerify over
 * header.payload, ECDSA's R || S turned back into DER here), with a public
 * key rebuilt from the JWKS output, and once more with libjwt; header and
 * claims are compared exactly (json_equal, and the bytes for the member
 * order) at a fixed clock. Expected values that need a digest (at_hash,
 * the fixture keys' n/e/x/y) were computed with Python's hashlib and
 * cryptography and are written here as constants.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "config/config.h"
#include "token/token.h"
#include "helpers.h"

#define T0		1795867200	/* 2026-11-28T12:00:00Z */
#define ISS		"https://bridge.example.test"
#define PPT		"urn:oasis:names:tc:SAML:2.0:ac:classes:" \
			"PasswordProtectedTransport"
/* OIDC Core §3.1.3.6 / Appendix A.3's access token */
#define SPEC_AT		"jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"

/* ---- a configuration made in memory ------------------------------------ */

struct tcfg {
	struct s2o_config	cfg;
	struct s2o_config_key	keys[8];
};

static void
tcfg_init(struct tcfg *t)
{
	memset(t, 0, sizeof(*t));
	t->cfg.issuer = strdup(ISS);
	t->cfg.id_token_ttl = 300;
	t->cfg.signing_keys = t->keys;
}

/* Adds a key; takes pem (malloc'd). */
static void
tcfg_add(struct tcfg *t, const char *kid, const char *alg, char *pem,
    bool active)
{
	struct s2o_config_key *k = &t->keys[t->cfg.nsigning_keys++];

	ck_assert_uint_le(t->cfg.nsigning_keys, 8);
	k->kid = strdup(kid);
	k->alg = strdup(alg);
	k->private_key.data = pem;
	k->private_key.len = pem ? strlen(pem) : 0;
	k->active = active;
}

static void
tcfg_cleanup(struct tcfg *t)
{
	size_t	i;

	for (i = 0; i < t->cfg.nsigning_keys; i++) {
		free(t->keys[i].kid);
		free(t->keys[i].alg);
		free(t->keys[i].private_key.data);
	}
	free(t->cfg.issuer);
}

static char *
fixture_key(const char *name)
{
	char	rel[128];

	snprintf(rel, sizeof(rel), "keys/%s", name);
	return fx_read(fx_path(rel), NULL);
}

/* A new private key as PEM, made with OpenSSL here (not with keygen.c). */
static char *
gen_pem(const char *type, const char *group, size_t bits)
{
	EVP_PKEY	*pk;
	BIO		*bio;
	BUF_MEM		*mem;
	char		*pem;

	pk = strcmp(type, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    bits) : EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
	ck_assert_ptr_nonnull(pk);
	ck_assert_ptr_nonnull(bio = BIO_new(BIO_s_mem()));
	ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0,
	    NULL, NULL), 1);
	BIO_get_mem_ptr(bio, &mem);
	pem = strndup(mem->data, mem->length);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	return pem;
}

static struct s2o_keyset *
keyset_ok(const struct tcfg *t)
{
	struct s2o_keyset	*ks;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	ks = s2o_token_keyset_new(&t->cfg, &err);
	ck_assert_msg(ks != NULL, "keyset: %s: %s", s2o_reason_token(
	    err.reason), err.detail);
	return ks;
}

/* ---- reading a token without token/ ------------------------------------ */

static unsigned char *
b64url_dec(const char *s, size_t n, size_t *outlen)
{
	struct s2o_err	 err;
	unsigned char	*p;

	s2o_err_clear(&err);
	p = s2o_b64url_decode(s, n, 1 << 20, outlen, &err);
	ck_assert_msg(p != NULL, "base64url: %s", err.detail);
	return p;
}

/* Part idx (0 header, 1 claims) decoded: its JSON text in *raw. */
static json_t *
jws_part(const char *tok, int idx, char **raw)
{
	const char	*p = tok, *dot;
	json_t		*j;
	json_error_t	 je;
	size_t		 n;
	char		*txt;

	ck_assert_uint_eq(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789-_."), strlen(tok));
	for (; idx > 0; idx--)
		p = strchr(p, '.') + 1;
	ck_assert_ptr_nonnull(dot = strchr(p, '.'));
	txt = (char *)b64url_dec(p, (size_t)(dot - p), &n);
	ck_assert_msg((j = json_loadb(txt, n, 0, &je)) != NULL, "%s", je.text);
	if (raw != NULL)
		*raw = txt;
	else
		free(txt);
	return j;
}

/* The public key a verifier builds from one JWK (RFC 7518 §6). */
static EVP_PKEY *
jwk_pkey(const json_t *jwk)
{
	OSSL_PARAM_BLD	*bld;
	OSSL_PARAM	*params;
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pk = NULL;
	BIGNUM		*n = NULL, *e = NULL;
	unsigned char	*a, *b, pub[1 + 2 * 66];
	size_t		 alen, blen;
	const char	*kty = json_string_value(json_object_get(jwk, "kty"));
	bool		 rsa = strcmp(kty, "RSA") == 0;
	const char	*sa = json_string_value(json_object_get(jwk, rsa ? "n" :
			    "x"));
	const char	*sb = json_string_value(json_object_get(jwk, rsa ? "e" :
			    "y"));

	a = b64url_dec(sa, strlen(sa), &alen);
	b = b64url_dec(sb, strlen(sb), &blen);
	ck_assert_ptr_nonnull(bld = OSSL_PARAM_BLD_new());
	if (rsa) {
		/* RFC 7518 §6.3.1.1: no leading zero octets */
		ck_assert_uint_ne(a[0], 0);
		ck_assert_uint_ne(b[0], 0);
		n = BN_bin2bn(a, (int)alen, NULL);
		e = BN_bin2bn(b, (int)blen, NULL);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	} else {
		const char *crv = json_string_value(json_object_get(jwk,
		    "crv"));
		size_t w = strcmp(crv, "P-256") == 0 ? 32 : 48;

		/* §6.2.1.2: the full coordinate width, always */
		ck_assert_uint_eq(alen, w);
		ck_assert_uint_eq(blen, w);
		pub[0] = 0x04;
		memcpy(pub + 1, a, w);
		memcpy(pub + 1 + w, b, w);
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
		    w == 32 ? "prime256v1" : "secp384r1", 0);
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
		    pub, 1 + 2 * w);
	}
	ck_assert_ptr_nonnull(params = OSSL_PARAM_BLD_to_param(bld));
	ctx = EVP_PKEY_CTX_new_from_name(NULL, kty, NULL);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(a);
	free(b);
	return pk;
}

/* The public key of kid, from the keyset's JWKS output. */
static EVP_PKEY *
jwks_pkey(const struct s2o_keyset *ks, const char *kid)
{
	struct s2o_err	 err;
	char		*s;
	json_t		*set, *jwk;
	EVP_PKEY	*pk = NULL;
	size_t		 i;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(s = s2o_token_jwks_json(ks, &err));
	ck_assert_ptr_nonnull(set = json_loads(s, 0, NULL));
	json_array_foreach(json_object_get(set, "keys"), i, jwk)
		if (strcmp(json_string_value(json_object_get(jwk, "kid")),
		    kid) == 0)
			pk = jwk_pkey(jwk);
	ck_assert_msg(pk != NULL, "kid %s not in the JWKS", kid);
	json_decref(set);
	free(s);
	return pk;
}

/*
 * RFC 7515 §5.2 by hand: the signature over everything before the last
 * dot. An ES* signature must be exactly R || S at the curve's width
 * (RFC 7518 §3.4); it is rebuilt as DER for OpenSSL.
 */
static bool
jws_verify(const char *tok, EVP_PKEY *pk, const char *alg)
{
	const char	*dot = strrchr(tok, '.');
	unsigned char	*sig, *der = NULL;
	size_t		 siglen, w;
	int		 derlen, ok;
	EVP_MD_CTX	*ctx;
	const EVP_MD	*md;
	ECDSA_SIG	*es;

	md = strcmp(alg + 2, "256") == 0 ? EVP_sha256() :
	    strcmp(alg + 2, "384") == 0 ? EVP_sha384() : EVP_sha512();
	sig = b64url_dec(dot + 1, strlen(dot + 1), &siglen);
	if (alg[0] == 'E') {
		w = strcmp(alg, "ES256") == 0 ? 32 : 48;
		ck_assert_uint_eq(siglen, 2 * w);
		ck_assert_ptr_nonnull(es = ECDSA_SIG_new());
		ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)w, NULL),
		    BN_bin2bn(sig + w, (int)w, NULL));
		ck_assert_int_gt(derlen = i2d_ECDSA_SIG(es, &der), 0);
		ECDSA_SIG_free(es);
		free(sig);
		sig = der;
		siglen = (size_t)derlen;
	} else
		ck_assert_uint_eq(siglen, (size_t)EVP_PKEY_get_size(pk));
	ck_assert_ptr_nonnull(ctx = EVP_MD_CTX_new());
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pk) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)tok,
	    (size_t)(dot - tok)) == 1;
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	if (der != NULL)
		OPENSSL_free(der);
	else
		free(sig);
	return ok;
}

/* libjwt, a second verifier: decodes tok with pk's public PEM. */
static bool
libjwt_verify(const char *tok, EVP_PKEY *pk, const char *alg)
{
	BIO		*bio;
	BUF_MEM		*mem;
	jwt_t		*jwt = NULL;
	bool		 ok;

	ck_assert_ptr_nonnull(bio = BIO_new(BIO_s_mem()));
	ck_assert_int_eq(PEM_write_bio_PUBKEY(bio, pk), 1);
	BIO_get_mem_ptr(bio, &mem);
	ok = jwt_decode(&jwt, tok, (const unsigned char *)mem->data,
	    (int)mem->length) == 0 && jwt_get_alg(jwt) == jwt_str_alg(alg);
	jwt_free(jwt);
	BIO_free(bio);
	return ok;
}

/* ---- requests ------------------------------------------------------------ */

static struct s2o_clock clock0;

/*
 * A request's claim object, parsed once and kept for the test process
 * (reachable until it exits, so never a leak): requests borrow it.
 */
static json_t *
kept_claims(json_t **slot, const char *text)
{
	if (*slot == NULL)
		*slot = s2o_test_json(text);
	return *slot;
}

static json_t	*id_extra, *access_extra;

static struct s2o_token_id_req
id_req(void)
{
	struct s2o_token_id_req r;

	s2o_clock_init_fixed(&clock0, T0);
	memset(&r, 0, sizeof(r));
	r.issuer = ISS;
	r.sub = "user-1";
	r.aud = "demo-app";
	r.clock = &clock0;
	r.ttl = 300;
	r.auth_time = T0 - 60;
	r.nonce = "n-0S6_WzA2Mj";
	r.authn_context = PPT;
	r.sid = "_sess-42";
	r.access_token = SPEC_AT;
	r.extra_claims = kept_claims(&id_extra,
	    "{\"email\":\"user1@example.test\",\"email_verified\":true}");
	return r;
}

static struct s2o_token_access_req
access_req(void)
{
	struct s2o_token_access_req r;

	s2o_clock_init_fixed(&clock0, T0);
	memset(&r, 0, sizeof(r));
	r.issuer = ISS;
	r.sub = "user-1";
	r.aud = "https://api.example.test";
	r.client_id = "demo-app";
	r.scope = "openid profile email";
	r.clock = &clock0;
	r.ttl = 600;
	r.extra_claims = kept_claims(&access_extra,
	    "{\"https://example.test/groups\":[\"admins\"]}");
	return r;
}

/* ---- token/sign: every algorithm, verified independently ------------- */

static const struct alg_case {
	const char	*alg;
	const char	*fixture;	/* key file, or NULL: generated */
	const char	*type, *group;
	size_t		 bits;
	const char	*at_hash;	/* of SPEC_AT, by Python's hashlib */
} alg_cases[] = {
	{ "RS256", "bridge-rs256.pem", NULL, NULL, 0, "77QmUPtjPfzWtF2AnpK9RQ" },
	{ "RS384", NULL, "RSA", NULL, 2048, "jtAeDp945y1dDqU3nkIVGNZP1HjH_MFs" },
	{ "RS512", NULL, "RSA", NULL, 3072,
	    "q7nS86GgvvFaZkzALLWqJYaJIKw2wCDAVfCAsm5CrBM" },
	{ "ES256", "bridge-es256.pem", NULL, NULL, 0, "77QmUPtjPfzWtF2AnpK9RQ" },
	{ "ES384", NULL, "EC", "secp384r1", 0,
	    "jtAeDp945y1dDqU3nkIVGNZP1HjH_MFs" },
};
#define NALGS	(sizeof(alg_cases) / sizeof(alg_cases[0]))

static struct s2o_keyset *
alg_keyset(const struct alg_case *c, struct tcfg *t)
{
	char	kid[32];

	tcfg_init(t);
	snprintf(kid, sizeof(kid), "k-%s", c->alg);
	tcfg_add(t, kid, c->alg, c->fixture ? fixture_key(c->fixture) :
	    gen_pem(c->type, c->group, c->bits), false);
	return keyset_ok(t);
}

/* Header and claims exact (members in order too), signature verified. */
START_TEST(test_id_token_alg)
{
	const struct alg_case	*c = &alg_cases[_i];
	struct tcfg		 t;
	struct s2o_keyset	*ks = alg_keyset(c, &t);
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	EVP_PKEY		*pk;
	json_t			*hdr, *claims, *want;
	char			*tok, *raw, *wraw, *tampered, kid[32];

	s2o_err_clear(&err);
	ck_assert_str_eq(s2o_token_keyset_active_alg(ks), c->alg);
	tok = s2o_token_id_mint(ks, &r, &err);
	ck_assert_msg(tok != NULL, "%s: %s", c->alg, err.detail);
	snprintf(kid, sizeof(kid), "k-%s", c->alg);

	hdr = jws_part(tok, 0, &raw);
	want = json_pack("{s:s, s:s, s:s}", "alg", c->alg, "kid", kid, "typ",
	    "JWT");
	wraw = json_dumps(want, JSON_COMPACT);
	ck_assert_str_eq(raw, wraw);
	free(raw);
	free(wraw);
	json_decref(want);
	json_decref(hdr);

	claims = jws_part(tok, 1, &raw);
	want = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:[s], "
	    "s:s, s:s, s:s, s:s, s:b}",
	    "iss", ISS, "sub", "user-1", "aud", "demo-app",
	    "exp", (json_int_t)T0 + 300, "iat", (json_int_t)T0,
	    "auth_time", (json_int_t)T0 - 60, "nonce", "n-0S6_WzA2Mj",
	    "acr", PPT, "amr", "pwd", "sid", "_sess-42", "azp", "demo-app",
	    "at_hash", c->at_hash, "email", "user1@example.test",
	    "email_verified", 1);
	ck_assert_msg(json_equal(claims, want), "%s: claims %s", c->alg, raw);
	wraw = json_dumps(want, JSON_COMPACT);
	ck_assert_str_eq(raw, wraw);	/* the documented member order */
	free(raw);
	free(wraw);
	json_decref(want);
	json_decref(claims);

	pk = jwks_pkey(ks, kid);
	ck_assert_msg(jws_verify(tok, pk, c->alg), "%s: OpenSSL does not "
	    "verify the signature", c->alg);
	ck_assert_msg(libjwt_verify(tok, pk, c->alg), "%s: libjwt does not "
	    "verify the signature", c->alg);
	/* one changed claim byte and neither accepts it */
	tampered = strdup(tok);
	tampered[strchr(tok, '.') - tok + 5] ^= 0x01;
	ck_assert(!jws_verify(tampered, pk, c->alg));
	ck_assert(!libjwt_verify(tampered, pk, c->alg));
	free(tampered);
	EVP_PKEY_free(pk);
	free(tok);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

START_TEST(test_access_token_alg)
{
	const struct alg_case		*c = &alg_cases[_i];
	struct tcfg			 t;
	struct s2o_keyset		*ks = alg_keyset(c, &t);
	struct s2o_token_access_req	 r = access_req();
	struct s2o_err			 err;
	EVP_PKEY			*pk;
	json_t				*hdr, *claims, *want;
	const char			*jti;
	unsigned char			*bytes;
	size_t				 n;
	char				*tok, *tok2, kid[32];

	s2o_err_clear(&err);
	tok = s2o_token_access_mint(ks, &r, &err);
	ck_assert_msg(tok != NULL, "%s: %s", c->alg, err.detail);
	snprintf(kid, sizeof(kid), "k-%s", c->alg);
	hdr = jws_part(tok, 0, NULL);
	want = json_pack("{s:s, s:s, s:s}", "alg", c->alg, "kid", kid, "typ",
	    "at+jwt");
	ck_assert(json_equal(hdr, want));
	json_decref(want);
	json_decref(hdr);

	claims = jws_part(tok, 1, NULL);
	/* jti: 128 random bits, base64url: 22 characters */
	jti = json_string_value(json_object_get(claims, "jti"));
	ck_assert_ptr_nonnull(jti);
	ck_assert_uint_eq(strlen(jti), 22);
	bytes = b64url_dec(jti, strlen(jti), &n);
	ck_assert_uint_eq(n, 16);
	free(bytes);
	json_object_del(claims, "jti");
	want = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:[s]}",
	    "iss", ISS, "sub", "user-1", "aud", "https://api.example.test",
	    "exp", (json_int_t)T0 + 600, "iat", (json_int_t)T0,
	    "client_id", "demo-app", "scope", "openid profile email",
	    "https://example.test/groups", "admins");
	ck_assert(json_equal(claims, want));
	json_decref(want);

	pk = jwks_pkey(ks, kid);
	ck_assert(jws_verify(tok, pk, c->alg));
	/* a second token has another jti */
	tok2 = s2o_token_access_mint(ks, &r, &err);
	ck_assert_ptr_nonnull(tok2);
	json_decref(claims);
	claims = jws_part(tok2, 1, NULL);
	hdr = jws_part(tok, 1, NULL);
	ck_assert_str_ne(json_string_value(json_object_get(claims, "jti")),
	    json_string_value(json_object_get(hdr, "jti")));
	json_decref(hdr);
	json_decref(claims);
	free(tok2);
	EVP_PKEY_free(pk);
	free(tok);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* RSA PKCS #1 v1.5 is deterministic: the same claims, the same bytes. */
START_TEST(test_deterministic)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks = alg_keyset(&alg_cases[0], &t);
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	char			*a, *b;

	s2o_err_clear(&err);
	a = s2o_token_id_mint(ks, &r, &err);
	b = s2o_token_id_mint(ks, &r, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* ---- token/claims --------------------------------------------------- */

static char *
mint_rs256(struct s2o_keyset **ksp, struct tcfg *t,
    const struct s2o_token_id_req *r, struct s2o_err *err)
{
	*ksp = alg_keyset(&alg_cases[0], t);
	s2o_err_clear(err);
	return s2o_token_id_mint(*ksp, r, err);
}

/* Numbers, booleans, null, arrays, objects and UTF-8 come out as they went
 * in; non-ASCII text is written as UTF-8, not as \u escapes. */
START_TEST(test_claim_types)
{
	static const char extra[] = "{\"n\":42,\"neg\":-7,\"big\":"
	    "9007199254740993,\"f\":1.5,\"yes\":true,\"no\":false,\"nil\":null,"
	    "\"groups\":[\"a\",\"b\"],\"mixed\":[1,\"two\",false,{\"k\":[]}],"
	    "\"obj\":{\"x\":{\"y\":1}},\"name\":\"Zo\xc3\xab \xe6\x97\xa5\xe6\x9c"
	    "\xac\xe8\xaa\x9e\",\"https://example.test/org\":\"acme\"}";
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	json_t			*claims, *want;
	const char		*key;
	json_t			*v;
	char			*tok, *raw;

	r.extra_claims = want = s2o_test_json(extra);
	tok = mint_rs256(&ks, &t, &r, &err);
	ck_assert_msg(tok != NULL, "%s", err.detail);
	claims = jws_part(tok, 1, &raw);
	json_object_foreach(want, key, v)
		ck_assert_msg(json_equal(json_object_get(claims, key), v),
		    "claim %s changed: %s", key, raw);
	ck_assert(json_is_integer(json_object_get(claims, "big")));
	ck_assert(json_integer_value(json_object_get(claims, "big")) ==
	    9007199254740993LL);
	ck_assert(json_is_real(json_object_get(claims, "f")));
	ck_assert(json_is_true(json_object_get(claims, "yes")));
	ck_assert(json_is_null(json_object_get(claims, "nil")));
	ck_assert_ptr_nonnull(strstr(raw, "\"name\":\"Zo\xc3\xab \xe6\x97\xa5"
	    "\xe6\x9c\xac\xe8\xaa\x9e\""));
	ck_assert_ptr_null(strstr(raw, "\\u"));
	ck_assert_ptr_nonnull(strstr(raw, "\"big\":9007199254740993,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"f\":1.5,"));
	/* the extra claims follow the bridge's, in their own order */
	ck_assert_ptr_nonnull(strstr(raw, "\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ"
	    "\",\"n\":42,\"neg\":-7,"));
	free(raw);
	json_decref(want);
	json_decref(claims);
	free(tok);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* Without nonce, class, SessionIndex, access token, auth_time or mapped
 * claims, none of their claims appears. */
START_TEST(test_optional_absent)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	json_t			*claims, *want;
	char			*tok;

	r.auth_time = 0;
	r.nonce = NULL;
	r.authn_context = NULL;
	r.sid = NULL;
	r.access_token = NULL;
	r.extra_claims = NULL;
	tok = mint_rs256(&ks, &t, &r, &err);
	ck_assert_ptr_nonnull(tok);
	claims = jws_part(tok, 1, NULL);
	want = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", ISS, "sub",
	    "user-1", "aud", "demo-app", "exp", (json_int_t)T0 + 300, "iat",
	    (json_int_t)T0, "azp", "demo-app");
	ck_assert(json_equal(claims, want));
	json_decref(want);
	json_decref(claims);
	free(tok);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* Written out independently of mint.c's list. */
static const char *const reserved_names[] = { "iss", "sub", "aud", "exp",
    "iat", "nbf", "jti", "nonce", "azp", "at_hash", "c_hash", "auth_time",
    "acr", "amr", "sid", "client_id", "scope", "cnf" };
#define NRESERVED (sizeof(reserved_names) / sizeof(reserved_names[0]))

START_TEST(test_reserved_claim)
{
	struct tcfg			 t;
	struct s2o_keyset		*ks;
	struct s2o_token_id_req		 r = id_req();
	struct s2o_token_access_req	 ar = access_req();
	struct s2o_err			 err;
	char				 text[128], want[160];
	json_t				*extra;

	snprintf(text, sizeof(text), "{\"email\":\"a@b.test\",\"%s\":1}",
	    reserved_names[_i]);
	r.extra_claims = extra = s2o_test_json(text);
	ck_assert_ptr_null(mint_rs256(&ks, &t, &r, &err));
	snprintf(want, sizeof(want), "claim \"%s\" is set by the bridge and "
	    "cannot be mapped into the ID token", reserved_names[_i]);
	ck_assert_s2o_err(&err, S2O_R_MAPPING_INVALID, want);
	ck_assert(s2o_token_claim_reserved(reserved_names[_i]));

	ar.extra_claims = extra;
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_access_mint(ks, &ar, &err));
	snprintf(want, sizeof(want), "claim \"%s\" is set by the bridge and "
	    "cannot be mapped into the access token", reserved_names[_i]);
	ck_assert_s2o_err(&err, S2O_R_MAPPING_INVALID, want);
	json_decref(extra);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

START_TEST(test_not_reserved)
{
	ck_assert(!s2o_token_claim_reserved("email"));
	ck_assert(!s2o_token_claim_reserved("groups"));
	ck_assert(!s2o_token_claim_reserved("ISS"));
	ck_assert(!s2o_token_claim_reserved("https://example.test/iss"));
}
END_TEST

static const struct bad_extra {
	const char	*extra;
	enum s2o_reason	 want;
	const char	*detail;
} bad_extras[] = {
	{ "[1,2]", S2O_R_MAPPING_INVALID,
	    "the ID token's mapped claims are not a JSON object" },
	{ "\"x\"", S2O_R_MAPPING_INVALID,
	    "the ID token's mapped claims are not a JSON object" },
	{ "null", S2O_R_MAPPING_INVALID,
	    "the ID token's mapped claims are not a JSON object" },
	/* invalid JSON and duplicate keys cannot reach the minter: the
	 * claims come as an object, never as text */
};
#define NBADEXTRAS (sizeof(bad_extras) / sizeof(bad_extras[0]))

START_TEST(test_bad_extra)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	json_t			*extra;

	r.extra_claims = extra = s2o_test_json(bad_extras[_i].extra);
	ck_assert_ptr_null(mint_rs256(&ks, &t, &r, &err));
	ck_assert_s2o_err(&err, bad_extras[_i].want, bad_extras[_i].detail);
	json_decref(extra);
	/* the bridge's claims are checked the same way */
	r.extra_claims = NULL;
	r.bridge_claims = extra = s2o_test_json(bad_extras[_i].extra);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, bad_extras[_i].want, bad_extras[_i].detail);
	json_decref(extra);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* {"pad": "ccc..."} with n c's. */
static json_t *
pad_claims_of(size_t n, char c)
{
	char	*s = malloc(n + 1);
	json_t	*o;

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	o = json_pack("{s:s}", "pad", s);
	free(s);
	ck_assert_ptr_nonnull(o);
	return o;
}

/* {"pad": "xxx..."} with n x's: n + 10 bytes of JSON. */
static json_t *
pad_claims(size_t n)
{
	return pad_claims_of(n, 'x');
}

/*
 * The limit is max_token_bytes exactly (16384 by default, 4096 set in the
 * configuration): with the largest claim that still mints, the token is
 * the limit or one byte under it (base64url grows by 1 or 2 characters
 * per byte of JSON); one byte more is refused, never cut.
 */
static const struct { size_t config, limit; const char *has; } limits[] = {
	{ 0, 16384, "over max_token_bytes 16384" },
	{ 4096, 4096, "over max_token_bytes 4096" },
};

START_TEST(test_too_large)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	size_t			 lo = 0, hi = limits[_i].limit, mid, i;
	json_t			*extra;
	char			*tok;

	ck_assert_int_eq(S2O_TOKEN_MAX_BYTES, 16384);
	tcfg_init(&t);
	tcfg_add(&t, "k-RS256", "RS256", fixture_key("bridge-rs256.pem"),
	    false);
	t.cfg.max_token_bytes = limits[_i].config;
	ks = keyset_ok(&t);
	while (hi - lo > 1) {		/* lo mints, hi does not */
		mid = (lo + hi) / 2;
		r.extra_claims = extra = pad_claims(mid);
		s2o_err_clear(&err);
		tok = s2o_token_id_mint(ks, &r, &err);
		if (tok != NULL)
			lo = mid;
		else {
			ck_assert_s2o_err(&err, S2O_R_TOO_LARGE,
			    limits[_i].has);
			hi = mid;
		}
		free(tok);
		json_decref(extra);
	}
	r.extra_claims = extra = pad_claims(lo);
	tok = s2o_token_id_mint(ks, &r, &err);
	ck_assert_ptr_nonnull(tok);
	ck_assert_uint_le(strlen(tok), limits[_i].limit);
	ck_assert_uint_ge(strlen(tok), limits[_i].limit - 1);
	free(tok);
	json_decref(extra);
	r.extra_claims = extra = pad_claims(lo + 1);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, "the ID token would be ");
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, limits[_i].has);
	json_decref(extra);
	/* mapped claims larger than any token are refused before anything
	 * is written, their JSON size counted exactly */
	r.extra_claims = extra = pad_claims(20000);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, "the ID token's mapped claims "
	    "are 20010 bytes of JSON, ");
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, limits[_i].has);
	json_decref(extra);
	/* counted as written, escapes included: 9,000 quotes are 18,000
	 * bytes ("\""), 3,000 control characters 18,000 ("\u0001"), though
	 * either string holds fewer bytes than the default limit */
	for (i = 0; i < 2; i++) {
		r.extra_claims = extra = i == 0 ? pad_claims_of(9000, '"') :
		    pad_claims_of(3000, '\001');
		s2o_err_clear(&err);
		ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
		ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, "the ID token's "
		    "mapped claims are 18010 bytes of JSON, ");
		json_decref(extra);
	}
	/* a key is counted to its length, past a NUL byte in it: jansson
	 * writes it whole ({"\u0000" 17,999 x's ":true}, 18,014 bytes) */
	{
		char *k = malloc(18000);

		ck_assert_ptr_nonnull(k);
		memset(k, 'x', 18000);
		k[0] = '\0';
		ck_assert_ptr_nonnull(extra = json_object());
		ck_assert_int_eq(json_object_setn_new(extra, k, 18000,
		    json_true()), 0);
		free(k);
	}
	r.extra_claims = extra;
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, "the ID token's mapped claims "
	    "are 18014 bytes of JSON, ");
	json_decref(extra);
	/* and a short one is refused by name, not merged cut short as "ab" */
	ck_assert_ptr_nonnull(extra = json_object());
	ck_assert_int_eq(json_object_setn_new(extra, "ab\0cd", 5,
	    json_true()), 0);
	r.extra_claims = extra;
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_MAPPING_INVALID, "claim \"ab\" for the "
	    "ID token holds a NUL byte");
	json_decref(extra);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/*
 * The early refusal against arbitrary claims: strings of every kind jansson
 * escapes or passes through (quotes, backslashes, slashes, control
 * characters, 2-, 3- and 4-byte UTF-8), nested arrays and objects, 64-bit
 * integers, reals, literals. With max_token_bytes 4096, claims whose JSON
 * is over it must be refused before anything is written, with jansson's
 * exact size; claims within it never are. A bound that ever counted fewer
 * bytes than jansson writes lets the first kind through to a later, other
 * refusal.
 */
static uint64_t	 rnd_state = 1;

static uint64_t
rnd(uint64_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL +
	    1442695040888963407ULL;
	return (rnd_state >> 33) % n;
}

static json_t *
rnd_string(size_t max)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "\"", "\\",
	    "/", "\x01", "\x1f", "\n", "\t", "\x7f", "\xc3\xa9",
	    "\xe2\x82\xac", "\xf0\x9d\x84\x9e" };
	char	buf[4 * 400 + 1];
	size_t	n = (size_t)rnd(max + 1), i, o = 0;
	json_t	*v;

	for (i = 0; i < n; i++) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];

		memcpy(buf + o, p, strlen(p));
		o += strlen(p);
	}
	buf[o] = '\0';
	v = json_string(buf);
	ck_assert_ptr_nonnull(v);
	return v;
}

static json_t *
rnd_value(int depth)
{
	json_t		*v;
	uint64_t	 bits, sign;
	double		 d;
	size_t		 i, n;

	switch (rnd(depth > 0 ? 7 : 5)) {
	case 0:
	case 1:
		return rnd_string(300);
	case 2:			/* any 64-bit integer */
		bits = rnd(UINT64_C(1) << 31) << 32 | rnd(UINT64_C(1) << 32);
		sign = rnd(2);
		return json_integer(sign ? INT64_MIN + (json_int_t)bits :
		    (json_int_t)bits);
	case 3:			/* finite, from 1e-300 to about 1e299 */
		d = (double)rnd(UINT64_C(1) << 31) / (double)(1 + rnd(1000));
		v = json_real(rnd(2) ? d * 1e-300 : -d * 1e290);
		ck_assert_ptr_nonnull(v);
		return v;
	case 4:
		return rnd(3) == 0 ? json_null() : json_boolean(rnd(2));
	case 5:
		v = json_array();
		for (i = 0, n = (size_t)rnd(12); i < n; i++)
			json_array_append_new(v, rnd_value(depth - 1));
		return v;
	default:
		v = json_object();
		for (i = 0, n = (size_t)rnd(8); i < n; i++) {
			json_t *k = rnd_string(20);

			json_object_set_new(v, json_string_value(k),
			    rnd_value(depth - 1));
			json_decref(k);
		}
		return v;
	}
}

START_TEST(test_too_large_any_claims)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	json_t			*extra;
	char			*tok, want[96], key[16];
	size_t			 exact, i, n, over = 0, within = 0;
	int			 round;

	tcfg_init(&t);
	tcfg_add(&t, "k-ES256", "ES256", fixture_key("bridge-es256.pem"),
	    false);
	t.cfg.max_token_bytes = 4096;
	ks = keyset_ok(&t);
	for (round = 0; round < 400; round++) {
		extra = json_object();
		for (i = 0, n = 1 + (size_t)rnd(40); i < n; i++) {
			snprintf(key, sizeof(key), "x-%zu", i);
			json_object_set_new(extra, key, rnd_value(2));
		}
		if (round % 4 == 0) {	/* mostly numbers: 24 bytes a real */
			json_t *a = json_array();

			for (i = 0, n = 100 + (size_t)rnd(300); i < n; i++)
				json_array_append_new(a, json_real(-1.0 /
				    (double)(3 + rnd(1000)) * 1e-300));
			/* the longest integers */
			json_array_append_new(a, json_integer(INT64_MIN));
			json_array_append_new(a, json_integer(INT64_MAX));
			json_object_set_new(extra, "x-reals", a);
		}
		exact = json_dumpb(extra, NULL, 0, JSON_COMPACT);
		r.extra_claims = extra;
		s2o_err_clear(&err);
		tok = s2o_token_id_mint(ks, &r, &err);
		snprintf(want, sizeof(want), "the ID token's mapped claims are "
		    "%zu bytes of JSON, ", exact);
		if (exact > 4096) {
			over++;
			ck_assert_msg(tok == NULL && strstr(err.detail, want) !=
			    NULL, "round %d: %zu bytes of claims: %s", round,
			    exact, tok ? "minted" : err.detail);
		} else {
			within++;
			ck_assert_msg(tok != NULL || strstr(err.detail,
			    "mapped claims are") == NULL, "round %d: %zu bytes "
			    "of claims refused early: %s", round, exact,
			    err.detail);
		}
		free(tok);
		json_decref(extra);
	}
	/* both sides of the limit were tried, often */
	ck_assert_uint_ge(over, 50);
	ck_assert_uint_ge(within, 50);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

START_TEST(test_bad_request)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	char			 longsub[300];

	memset(longsub, 'u', 256);
	longsub[256] = '\0';
	r.sub = longsub;
	ck_assert_ptr_null(mint_rs256(&ks, &t, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_MAPPING_INVALID, "sub is 256 bytes; "
	    "OpenID Connect allows at most 255");
	longsub[255] = '\0';
	s2o_err_clear(&err);
	free(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_ok(&err);

	r = id_req();
	r.sub = "bad\xff";
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_MAPPING_INVALID, "the ID token's sub is "
	    "not valid UTF-8");

	r = id_req();
	r.aud = NULL;
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_INTERNAL, "ID token request without aud");

	r = id_req();
	r.ttl = 0;
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_id_mint(ks, &r, &err));
	ck_assert_s2o_err(&err, S2O_R_INTERNAL, "ID token lifetime 0 s is not "
	    "positive");
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* ---- token/acr: the class table, row by row --------------------------- */

static const struct acr_case {
	const char	*class_ref;
	const char	*amr;		/* JSON array, or NULL: no amr claim */
} acr_cases[] = {
	{ PPT, "[\"pwd\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", "[\"pwd\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos", "[\"wia\"]" },
	{ "urn:federation:authentication:windows", "[\"wia\"]" },
	{ "http://schemas.microsoft.com/ws/2008/06/identity/"
	    "authenticationmethod/password", "[\"pwd\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:X509", "[\"pop\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient", "[\"pop\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
	    "[\"hwk\",\"sc\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:SoftwarePKI", "[\"swk\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken", "[\"otp\"]" },
	{ "http://schemas.microsoft.com/claims/multipleauthn", "[\"mfa\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
	    "[\"mfa\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
	    "[\"mfa\"]" },
	{ "https://refeds.org/profile/mfa", "[\"mfa\"]" },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified", NULL },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:PreviousSession", NULL },
	{ "https://example.test/loa/2", NULL },
	{ "urn:oasis:names:tc:SAML:2.0:ac:classes:password", NULL },
};
#define NACR (sizeof(acr_cases) / sizeof(acr_cases[0]))

START_TEST(test_acr_amr)
{
	const struct acr_case	*c = &acr_cases[_i];
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	json_t			*claims, *want;
	char			*tok;

	r.authn_context = c->class_ref;
	tok = mint_rs256(&ks, &t, &r, &err);
	ck_assert_ptr_nonnull(tok);
	claims = jws_part(tok, 1, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(claims, "acr")),
	    c->class_ref);
	if (c->amr == NULL)
		ck_assert_ptr_null(json_object_get(claims, "amr"));
	else {
		want = json_loads(c->amr, 0, NULL);
		ck_assert_msg(json_equal(json_object_get(claims, "amr"), want),
		    "%s: amr differs", c->class_ref);
		json_decref(want);
	}
	json_decref(claims);
	free(tok);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* The configuration's "amr" table comes first: it overrides a built-in
 * row, adds classes, and an empty list gives acr alone. */
START_TEST(test_amr_configured)
{
	static char	*pwd_mfa[] = { "pwd", "mfa", NULL };
	static char	*hwk[] = { "hwk", NULL };
	static char	*none[] = { NULL };
	struct s2o_amr_rule rules[] = {
		{ PPT, pwd_mfa, 2 },
		{ "https://example.test/loa/2", hwk, 1 },
		{ "urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos", none, 0 },
	};
	static const struct { const char *class_ref, *amr; } want[] = {
		{ PPT, "[\"pwd\",\"mfa\"]" },
		{ "https://example.test/loa/2", "[\"hwk\"]" },
		{ "urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos", NULL },
		{ "http://schemas.microsoft.com/claims/multipleauthn",
		    "[\"mfa\"]" },	/* not configured: built-in row */
	};
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	json_t			*claims, *w;
	char			*tok;
	size_t			 i;

	tcfg_init(&t);
	tcfg_add(&t, "k-RS256", "RS256", fixture_key("bridge-rs256.pem"),
	    false);
	t.cfg.amr_rules = rules;
	t.cfg.namr_rules = 3;
	ks = keyset_ok(&t);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		r.authn_context = want[i].class_ref;
		s2o_err_clear(&err);
		ck_assert_ptr_nonnull(tok = s2o_token_id_mint(ks, &r, &err));
		claims = jws_part(tok, 1, NULL);
		if (want[i].amr == NULL)
			ck_assert_ptr_null(json_object_get(claims, "amr"));
		else {
			w = json_loads(want[i].amr, 0, NULL);
			ck_assert_msg(json_equal(json_object_get(claims, "amr"),
			    w), "%s: amr differs", want[i].class_ref);
			json_decref(w);
		}
		json_decref(claims);
		free(tok);
	}
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* ---- token/keys ----------------------------------------------------- */

START_TEST(test_keyset_active)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	char			*tok;
	json_t			*hdr;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;

	tcfg_init(&t);
	tcfg_add(&t, "old", "RS256", fixture_key("bridge-rs256.pem"), false);
	tcfg_add(&t, "new", "ES256", fixture_key("bridge-es256.pem"), false);
	ks = keyset_ok(&t);
	ck_assert_str_eq(s2o_token_keyset_active_kid(ks), "old");
	ck_assert_str_eq(s2o_token_keyset_active_alg(ks), "RS256");
	s2o_token_keyset_free(ks);
	t.keys[1].active = true;	/* rotation: switch to the next key */
	ks = keyset_ok(&t);
	ck_assert_str_eq(s2o_token_keyset_active_kid(ks), "new");
	s2o_err_clear(&err);
	tok = s2o_token_id_mint(ks, &r, &err);
	hdr = jws_part(tok, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(hdr, "kid")), "new");
	ck_assert_str_eq(json_string_value(json_object_get(hdr, "alg")),
	    "ES256");
	json_decref(hdr);
	free(tok);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

static const struct bad_key {
	const char	*alg;
	const char	*key;		/* fixture, "gen:rsa1024", "gen:p384"
					   or "garbage" */
	enum s2o_reason	 want;
	const char	*detail;
} bad_keys[] = {
	{ "ES256", "bridge-rs256.pem", S2O_R_KEY_UNUSABLE,
	    "signing key \"k\": ES256 needs an EC key, found RSA" },
	{ "RS256", "bridge-es256.pem", S2O_R_KEY_UNUSABLE,
	    "signing key \"k\": RS256 needs an RSA key, found EC" },
	{ "ES384", "bridge-es256.pem", S2O_R_KEY_UNUSABLE,
	    "signing key \"k\": ES384 needs an EC P-384 key, found curve "
	    "\"prime256v1\"" },
	{ "ES256", "gen:p384", S2O_R_KEY_UNUSABLE,
	    "ES256 needs an EC P-256 key, found curve \"secp384r1\"" },
	{ "RS256", "gen:rsa1024", S2O_R_KEY_UNUSABLE,
	    "RS256 needs an RSA key of 2048 bits or more, found 1024 bits" },
	{ "HS256", "bridge-rs256.pem", S2O_R_KEY_UNUSABLE,
	    "signing_keys[0] (kid \"k\"): unsupported alg \"HS256\"" },
	{ "RS256", "garbage", S2O_R_KEY_UNUSABLE,
	    "signing key \"k\": not an unencrypted PEM private key" },
	{ "RS256", "idp-rsa.crt", S2O_R_KEY_UNUSABLE,
	    "not an unencrypted PEM private key" },
};
#define NBADKEYS (sizeof(bad_keys) / sizeof(bad_keys[0]))

START_TEST(test_keyset_bad)
{
	const struct bad_key	*c = &bad_keys[_i];
	struct tcfg		 t;
	struct s2o_err		 err;
	char			*pem;

	if (strcmp(c->key, "gen:rsa1024") == 0)
		pem = gen_pem("RSA", NULL, 1024);
	else if (strcmp(c->key, "gen:p384") == 0)
		pem = gen_pem("EC", "secp384r1", 0);
	else if (strcmp(c->key, "garbage") == 0)
		pem = strdup("-----BEGIN PRIVATE KEY-----\nAAAA\n"
		    "-----END PRIVATE KEY-----\n");
	else
		pem = fixture_key(c->key);
	tcfg_init(&t);
	tcfg_add(&t, "k", c->alg, pem, true);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_keyset_new(&t.cfg, &err));
	ck_assert_s2o_err(&err, c->want, c->detail);
	tcfg_cleanup(&t);
}
END_TEST

START_TEST(test_keyset_config)
{
	struct tcfg	t;
	struct s2o_err	err;

	tcfg_init(&t);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_keyset_new(&t.cfg, &err));
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "no signing_keys are "
	    "configured");
	tcfg_add(&t, "same", "RS256", fixture_key("bridge-rs256.pem"), false);
	tcfg_add(&t, "same", "ES256", fixture_key("bridge-es256.pem"), false);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_token_keyset_new(&t.cfg, &err));
	ck_assert_s2o_err(&err, S2O_R_KEY_UNUSABLE, "signing key \"same\" is "
	    "configured twice");
	tcfg_cleanup(&t);
}
END_TEST

static char tmpdir[256];

static void
make_tmpdir(void)
{
	const char	*base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_token.XXXXXX",
	    base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
remove_tmpdir(const char *const *names)
{
	char	path[512];

	for (; *names != NULL; names++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, *names);
		unlink(path);
	}
	rmdir(tmpdir);
}

/*
 * A keyset made through the real configuration loader: two keys, the
 * second active. The keyset does not borrow the configuration.
 */
START_TEST(test_keyset_from_config_file)
{
	static const char *const files[] = { "bridge.json", NULL };
	struct s2o_config	*cfg;
	struct s2o_keyset	*ks;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[512], rs[512], es[512], crt[512];
	char			 map[512];
	FILE			*fp;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/bridge.json", tmpdir);
	snprintf(rs, sizeof(rs), "%s", fx_path("keys/bridge-rs256.pem"));
	snprintf(es, sizeof(es), "%s", fx_path("keys/bridge-es256.pem"));
	snprintf(crt, sizeof(crt), "%s", fx_path("keys/idp-rsa.crt"));
	snprintf(map, sizeof(map), "%s",
	    src_path("mappings/auth0-default.json"));
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fprintf(fp, "{\"issuer\": \"" ISS "\", \"signing_keys\": ["
	    "{\"kid\": \"fx-rs256\", \"private_key_file\": \"%s\"},"
	    "{\"kid\": \"fx-es256\", \"alg\": \"ES256\", "
	    "\"private_key_file\": \"%s\", \"active\": true}],"
	    "\"sp\": {\"entity_id\": \"" ISS "/saml\", "
	    "\"acs_url\": \"" ISS "/saml/acs\"},"
	    "\"connections\": [{\"name\": \"corp\", \"idp_entity_id\": "
	    "\"https://idp.example.test/\", \"idp_certificates\": [\"%s\"], "
	    "\"mappings_file\": \"%s\"}]}\n", rs, es, crt, map);
	fclose(fp);
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(path, &d, &err);
	ck_assert_msg(cfg != NULL, "%s", d.n ? d.v[0].text : err.detail);
	ck_assert_ptr_nonnull(ks = s2o_token_keyset_new(cfg, &err));
	s2o_config_free(cfg);
	ck_assert_str_eq(s2o_token_keyset_active_kid(ks), "fx-es256");
	ck_assert_str_eq(s2o_token_keyset_active_alg(ks), "ES256");
	s2o_token_keyset_free(ks);
	s2o_diags_cleanup(&d);
	remove_tmpdir(files);
}
END_TEST

/* ---- token/jwks ------------------------------------------------------ */

/* n, e, x, y of the fixture keys, by Python's cryptography module. */
#define FX_RS256_N "rPm2rNXrXxWPnVue6IG0qMmUqVLP10sb6KHnyTi6TyfJkykjBF4LTAu4L" \
	"hFVO1naPEI2vEb5IcZvNxRLcnll0fsILr2anZ9Cr2bFB9-7yL1_-DgircpsNNK6RyPrL" \
	"qanMDStAr2zP4fX_UGYPuER_fM1ndOQwt4mBHoK6ineHlmHWVfhPc9VjsL4vTd0TZMaC" \
	"oujX6YSGShJ44OwGM2Ic5Io8vbV5edazi3CSuVVBXh6wBqdHw-OkZk9_y-hO24OyQImi" \
	"y0N11d8ZBVbTPFgJ0fe5Cuh6zAoiX5MU49ZYi_4d4g5z62BJ9El_aNcCLH6rXZKfg1rp" \
	"WWP10ALqr2jPw"
#define FX_ES256_X "5KTJA0R8ghNCrvcCuz75RmBmQEP1MSNnHyI7zj_5T_c"
#define FX_ES256_Y "W-4EzZthATz-x2b5ap90wvL1EdEeUu_7dPNf-uxIJww"

#define JWK_RS256 "{\"kty\":\"RSA\",\"kid\":\"fx-rs256\",\"use\":\"sig\"," \
	"\"alg\":\"RS256\",\"n\":\"" FX_RS256_N "\",\"e\":\"AQAB\"}"
#define JWK_ES256 "{\"kty\":\"EC\",\"kid\":\"fx-es256\",\"use\":\"sig\"," \
	"\"alg\":\"ES256\",\"crv\":\"P-256\",\"x\":\"" FX_ES256_X "\",\"y\":\"" \
	FX_ES256_Y "\"}"

START_TEST(test_jwks_fixture)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_err		 err;
	char			*s;

	tcfg_init(&t);
	tcfg_add(&t, "fx-rs256", "RS256", fixture_key("bridge-rs256.pem"),
	    false);
	tcfg_add(&t, "fx-es256", "ES256", fixture_key("bridge-es256.pem"),
	    false);
	ks = keyset_ok(&t);
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(s = s2o_token_jwks_json(ks, &err));
	ck_assert_str_eq(s, "{\"keys\":[" JWK_RS256 "," JWK_ES256 "]}");
	free(s);
	s2o_token_keyset_free(ks);
	/* the active key comes first, the others keep config order */
	t.keys[1].active = true;
	ks = keyset_ok(&t);
	ck_assert_ptr_nonnull(s = s2o_token_jwks_json(ks, &err));
	ck_assert_str_eq(s, "{\"keys\":[" JWK_ES256 "," JWK_RS256 "]}");
	free(s);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

START_TEST(test_jwks_order)
{
	static const char *const kids[] = { "a", "b", "c", "d" };
	static const char *const want[4][4] = {
		{ "a", "b", "c", "d" }, { "b", "a", "c", "d" },
		{ "c", "a", "b", "d" }, { "d", "a", "b", "c" },
	};
	struct tcfg		 t;
	struct s2o_keyset	*ks;
	struct s2o_err		 err;
	json_t			*set;
	char			*s;
	size_t			 i;

	tcfg_init(&t);
	for (i = 0; i < 4; i++)
		tcfg_add(&t, kids[i], "ES256", fixture_key("bridge-es256.pem"),
		    i == (size_t)_i);
	ks = keyset_ok(&t);
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(s = s2o_token_jwks_json(ks, &err));
	set = json_loads(s, 0, NULL);
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(json_string_value(json_object_get(
		    json_array_get(json_object_get(set, "keys"), i), "kid")),
		    want[_i][i]);
	json_decref(set);
	free(s);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/*
 * EC coordinates keep their leading zero bytes (RFC 7518 §6.2.1.2): keys
 * are generated until one has a coordinate below 2^248 (1 in 128 do), and
 * its JWK must still carry 32 bytes and verify.
 */
START_TEST(test_jwks_ec_leading_zero)
{
	struct tcfg		 t;
	struct s2o_keyset	*ks = NULL;
	struct s2o_token_id_req	 r = id_req();
	struct s2o_err		 err;
	EVP_PKEY		*pk;
	BIGNUM			*x = NULL, *y = NULL;
	char			*pem, *tok;
	int			 tries;

	for (tries = 0; tries < 20000; tries++) {
		pem = gen_pem("EC", "prime256v1", 0);
		tcfg_init(&t);
		tcfg_add(&t, "z", "ES256", pem, true);
		ks = keyset_ok(&t);
		pk = jwks_pkey(ks, "z");	/* asserts 32-byte x and y */
		ck_assert_int_eq(EVP_PKEY_get_bn_param(pk,
		    OSSL_PKEY_PARAM_EC_PUB_X, &x), 1);
		ck_assert_int_eq(EVP_PKEY_get_bn_param(pk,
		    OSSL_PKEY_PARAM_EC_PUB_Y, &y), 1);
		if (BN_num_bytes(x) < 32 || BN_num_bytes(y) < 32)
			break;
		BN_free(x);
		BN_free(y);
		x = y = NULL;
		EVP_PKEY_free(pk);
		s2o_token_keyset_free(ks);
		tcfg_cleanup(&t);
	}
	ck_assert_int_lt(tries, 20000);
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(tok = s2o_token_id_mint(ks, &r, &err));
	ck_assert(jws_verify(tok, pk, "ES256"));
	free(tok);
	BN_free(x);
	BN_free(y);
	EVP_PKEY_free(pk);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
}
END_TEST

/* ---- token/keygen --------------------------------------------------- */

/* RFC 7638 §3 from a JWK, computed here: the kid keygen suggests. */
static void
thumbprint_of(const json_t *jwk, char *out, size_t size)
{
	unsigned char	 md[32];
	char		*canon, *b64;
	json_t		*req;
	struct s2o_err	 err;

	if (strcmp(json_string_value(json_object_get(jwk, "kty")), "RSA") == 0)
		req = json_pack("{s:O, s:O, s:O}", "e", json_object_get(jwk,
		    "e"), "kty", json_object_get(jwk, "kty"), "n",
		    json_object_get(jwk, "n"));
	else
		req = json_pack("{s:O, s:O, s:O, s:O}", "crv",
		    json_object_get(jwk, "crv"), "kty", json_object_get(jwk,
		    "kty"), "x", json_object_get(jwk, "x"), "y",
		    json_object_get(jwk, "y"));
	canon = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	SHA256((const unsigned char *)canon, strlen(canon), md);
	s2o_err_clear(&err);
	b64 = s2o_b64url_encode(md, sizeof(md), &err);
	s2o_strlcpy(out, b64, size);
	free(b64);
	free(canon);
	json_decref(req);
}

static const struct keygen_case {
	const char	*alg;
	unsigned int	 bits;
	const char	*file;
} keygen_cases[] = {
	{ "RS256", 0, "rs256.pem" },
	{ "RS384", 3072, "rs384.pem" },
	{ "ES256", 0, "es256.pem" },
	{ "ES384", 0, "es384.pem" },
};
#define NKEYGEN (sizeof(keygen_cases) / sizeof(keygen_cases[0]))

START_TEST(test_keygen)
{
	static const char *const files[] = { "rs256.pem", "rs384.pem",
	    "es256.pem", "es384.pem", NULL };
	const struct keygen_case	*c = &keygen_cases[_i];
	struct tcfg			 t;
	struct s2o_keyset		*ks;
	struct s2o_err			 err;
	struct stat			 st;
	char				 path[512], thumb[64], want[64];
	char				*pem, *s, *tok;
	json_t				*set;
	struct s2o_token_id_req		 r = id_req();
	EVP_PKEY			*pk;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/%s", tmpdir, c->file);
	s2o_err_clear(&err);
	ck_assert_msg(s2o_token_keygen(c->alg, c->bits, path, thumb,
	    sizeof(thumb), &err) == 0, "%s", err.detail);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	pem = fx_read(path, NULL);
	ck_assert_msg(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0,
	    "not PKCS#8 PEM: %.40s", pem);
	tcfg_init(&t);
	tcfg_add(&t, "gen", c->alg, pem, true);
	ks = keyset_ok(&t);
	ck_assert_ptr_nonnull(s = s2o_token_jwks_json(ks, &err));
	set = json_loads(s, 0, NULL);
	thumbprint_of(json_array_get(json_object_get(set, "keys"), 0), want,
	    sizeof(want));
	ck_assert_str_eq(thumb, want);
	ck_assert_uint_eq(strlen(thumb), 43);
	if (c->bits != 0)
		ck_assert_str_eq(json_string_value(json_object_get(
		    json_array_get(json_object_get(set, "keys"), 0), "kty")),
		    "RSA");
	ck_assert_ptr_nonnull(tok = s2o_token_id_mint(ks, &r, &err));
	pk = jwks_pkey(ks, "gen");
	if (c->bits != 0)
		ck_assert_int_eq(EVP_PKEY_get_bits(pk), (int)c->bits);
	ck_assert(jws_verify(tok, pk, c->alg));
	EVP_PKEY_free(pk);
	free(tok);
	json_decref(set);
	free(s);
	s2o_token_keyset_free(ks);
	tcfg_cleanup(&t);
	remove_tmpdir(files);
}
END_TEST

START_TEST(test_keygen_refuses)
{
	static const char *const files[] = { "exists.pem", "link.pem",
	    "target", NULL };
	struct s2o_err	 err;
	char		 path[512], target[512], want[600], *before, *after;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/exists.pem", tmpdir);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_token_keygen("ES256", 0, path, NULL, 0, &err), 0);
	before = fx_read(path, NULL);
	ck_assert_int_eq(s2o_token_keygen("ES256", 0, path, NULL, 0, &err), -1);
	snprintf(want, sizeof(want), "%s: File exists; refusing to overwrite "
	    "it", path);
	ck_assert_s2o_err(&err, S2O_R_IO, want);
	after = fx_read(path, NULL);
	ck_assert_str_eq(before, after);	/* the old key is untouched */
	free(before);
	free(after);

	/* a planted symbolic link is not followed, even to a new file */
	snprintf(target, sizeof(target), "%s/target", tmpdir);
	snprintf(path, sizeof(path), "%s/link.pem", tmpdir);
	ck_assert_int_eq(symlink(target, path), 0);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_token_keygen("ES256", 0, path, NULL, 0, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_IO, "link.pem: File exists");
	ck_assert_int_eq(access(target, F_OK), -1);

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_token_keygen("HS256", 0, "x", NULL, 0, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_USAGE, "unsupported algorithm \"HS256\"");
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_token_keygen("RS256", 1024, "x", NULL, 0, &err),
	    -1);
	ck_assert_s2o_err(&err, S2O_R_USAGE, "RSA keys of 1024 bits are not "
	    "offered: 2048, 3072 or 4096");
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_token_keygen("ES256", 2048, "x", NULL, 0, &err),
	    -1);
	ck_assert_s2o_err(&err, S2O_R_USAGE, "ES256 keys have a fixed size "
	    "(EC P-256)");
	snprintf(path, sizeof(path), "%s/no/such/dir.pem", tmpdir);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_token_keygen("ES256", 0, path, NULL, 0, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_IO, "No such file or directory");
	remove_tmpdir(files);
}
END_TEST

static Suite *
token_suite(void)
{
	Suite	*s = suite_create("token");
	TCase	*tc;

	tc = tcase_create("token/sign");
	tcase_add_loop_test(tc, test_id_token_alg, 0, (int)NALGS);
	tcase_add_loop_test(tc, test_access_token_alg, 0, (int)NALGS);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);

	tc = tcase_create("token/claims");
	tcase_add_test(tc, test_claim_types);
	tcase_add_test(tc, test_optional_absent);
	tcase_add_loop_test(tc, test_reserved_claim, 0, (int)NRESERVED);
	tcase_add_test(tc, test_not_reserved);
	tcase_add_loop_test(tc, test_bad_extra, 0, (int)NBADEXTRAS);
	tcase_add_loop_test(tc, test_too_large, 0,
	    (int)(sizeof(limits) / sizeof(limits[0])));
	tcase_add_test(tc, test_too_large_any_claims);
	tcase_add_test(tc, test_bad_request);
	suite_add_tcase(s, tc);

	tc = tcase_create("token/acr");
	tcase_add_loop_test(tc, test_acr_amr, 0, (int)NACR);
	tcase_add_test(tc, test_amr_configured);
	suite_add_tcase(s, tc);

	tc = tcase_create("token/keys");
	tcase_add_test(tc, test_keyset_active);
	tcase_add_loop_test(tc, test_keyset_bad, 0, (int)NBADKEYS);
	tcase_add_test(tc, test_keyset_config);
	tcase_add_test(tc, test_keyset_from_config_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("token/jwks");
	tcase_add_test(tc, test_jwks_fixture);
	tcase_add_loop_test(tc, test_jwks_order, 0, 4);
	tcase_add_test(tc, test_jwks_ec_leading_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("token/keygen");
	tcase_add_loop_test(tc, test_keygen, 0, (int)NKEYGEN);
	tcase_add_test(tc, test_keygen_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(token_suite());
}
