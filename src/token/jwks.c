/* SPDX-License-Identifier: MIT */
/*
 * The public half of each signing key as a JWK (RFC 7517, RFC 7518 §6),
 * the JWK Set clients fetch to verify our tokens, and RFC 7638 thumbprints
 * (the kid `keygen` suggests). Only public parameters are read here.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "token/token_int.h"

/* base64url of a BIGNUM: minimal big-endian (width 0) or fixed width. */
static char *
bn_b64url(const BIGNUM *bn, size_t width, struct s2o_err *err)
{
	unsigned char	*p;
	size_t		 n = width ? width : (size_t)BN_num_bytes(bn);
	char		*s = NULL;

	if ((p = malloc(n ? n : 1)) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if ((width ? BN_bn2binpad(bn, p, (int)width) :
	    BN_bn2bin(bn, p)) != (int)n)
		s2o_err_set(err, S2O_R_INTERNAL, "public key parameter wider "
		    "than %zu bytes", n);
	else
		s = s2o_b64url_encode(p, n, err);
	free(p);
	return s;
}

/*
 * The two public parameters of pkey, base64url: n and e for RSA (RFC 7518
 * §6.3.1: big-endian, the minimum number of octets), x and y for EC
 * (§6.2.1.2: the full coordinate size, leading zeros kept).
 */
static int
pub_params(EVP_PKEY *pkey, const struct tok_alg *alg, char **a, char **b,
    struct s2o_err *err)
{
	BIGNUM	*p1 = NULL, *p2 = NULL;
	int	 rsa = alg->pkey_type == EVP_PKEY_RSA;

	*a = *b = NULL;
	if (EVP_PKEY_get_bn_param(pkey, rsa ? OSSL_PKEY_PARAM_RSA_N :
	    OSSL_PKEY_PARAM_EC_PUB_X, &p1) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, rsa ? OSSL_PKEY_PARAM_RSA_E :
	    OSSL_PKEY_PARAM_EC_PUB_Y, &p2) != 1) {
		ERR_clear_error();
		s2o_err_set(err, S2O_R_INTERNAL, "OpenSSL gave no public "
		    "parameters for a %s key", alg->name);
	} else if ((*a = bn_b64url(p1, alg->coord_len, err)) != NULL)
		*b = bn_b64url(p2, alg->coord_len, err);
	BN_free(p1);
	BN_free(p2);
	if (*b == NULL) {
		free(*a);
		*a = NULL;
		return -1;
	}
	return 0;
}

json_t *
tok_jwk_public(const struct tok_key *k, struct s2o_err *err)
{
	json_t	*jwk;
	char	*a, *b;
	int	 rsa = k->alg->pkey_type == EVP_PKEY_RSA;

	if (pub_params(k->pkey, k->alg, &a, &b, err) == -1)
		return NULL;
	/* RFC 7517 §4: kty, kid, use, alg; then the key's own members */
	if (rsa)
		jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "RSA",
		    "kid", k->kid, "use", "sig", "alg", k->alg->name, "n", a,
		    "e", b);
	else
		jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty",
		    "EC", "kid", k->kid, "use", "sig", "alg", k->alg->name,
		    "crv", k->alg->crv, "x", a, "y", b);
	free(a);
	free(b);
	if (jwk == NULL)
		s2o_err_set(err, S2O_R_INTERNAL, "signing key \"%s\": its kid "
		    "is not valid UTF-8, or out of memory", k->kid);
	return jwk;
}

char *
s2o_token_jwks_json(const struct s2o_keyset *ks, struct s2o_err *err)
{
	json_t	*set, *keys, *jwk;
	char	*out = NULL;
	size_t	 i, k;

	if ((set = json_object()) == NULL || (keys = json_array()) == NULL ||
	    json_object_set_new(set, "keys", keys) == -1) {
		json_decref(set);
		s2o_err_oom(err);
		return NULL;
	}
	/*
	 * The active key first, then the others in configuration order: a
	 * client that ignores kid and takes the first key still verifies
	 * what we sign now.
	 */
	for (i = 0; i < ks->nkeys; i++) {
		k = i == 0 ? ks->active : (i <= ks->active ? i - 1 : i);
		if ((jwk = tok_jwk_public(&ks->keys[k], err)) == NULL)
			goto out;
		if (json_array_append_new(keys, jwk) == -1) {
			s2o_err_oom(err);
			goto out;
		}
	}
	if ((out = json_dumps(set, JSON_COMPACT)) == NULL)
		s2o_err_oom(err);
out:
	json_decref(set);
	return out;
}

int
tok_jwk_thumbprint(EVP_PKEY *pkey, const struct tok_alg *alg, char *out,
    size_t size, struct s2o_err *err)
{
	struct s2o_buf	 b;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		*a, *c, *t = NULL;
	int		 rc = -1;

	if (pub_params(pkey, alg, &a, &c, err) == -1)
		return -1;
	s2o_buf_init(&b, 4096);
	/* RFC 7638 §3.2: required members only, sorted, no white space */
	if ((alg->pkey_type == EVP_PKEY_RSA ?
	    s2o_buf_printf(&b, err, "{\"e\":\"%s\",\"kty\":\"RSA\","
	    "\"n\":\"%s\"}", c, a) :
	    s2o_buf_printf(&b, err, "{\"crv\":\"%s\",\"kty\":\"EC\","
	    "\"x\":\"%s\",\"y\":\"%s\"}", alg->crv, a, c)) == -1)
		goto out;
	if (EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		ERR_clear_error();
		s2o_err_set(err, S2O_R_INTERNAL, "SHA-256 failed");
		goto out;
	}
	if ((t = s2o_b64url_encode(md, mdlen, err)) == NULL)
		goto out;
	if (strlen(t) >= size) {
		s2o_err_set(err, S2O_R_INTERNAL, "thumbprint buffer too small");
		goto out;
	}
	s2o_strlcpy(out, t, size);
	rc = 0;
out:
	free(t);
	free(a);
	free(c);
	s2o_buf_cleanup(&b);
	return rc;
}
