/* SPDX-License-Identifier: MIT */
/*
 * The signer: the one function that touches a private key. It takes the
 * JWS signing input and returns the JWS signature bytes, nothing else, so
 * that moving keys into a separate process later (acme-client's keyproc)
 * replaces this file and no caller. The key was parsed once (keyset.c);
 * each call only makes a digest context, signs, and for ECDSA turns
 * OpenSSL's DER signature into JWS's fixed-width R || S.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "token/token_int.h"

/*
 * RFC 7518 §3.4: an ES256/ES384 signature is R and S as unsigned
 * big-endian integers, each left-padded to the coordinate size, not the
 * DER SEQUENCE OpenSSL produces. raw must hold 2 * width bytes.
 */
static int
ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t width,
    unsigned char *raw, struct s2o_err *err)
{
	const unsigned char	*p = der;
	const BIGNUM		*r, *s;
	ECDSA_SIG		*es;
	int			 ok;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL) {
		ERR_clear_error();
		return s2o_err_set(err, S2O_R_INTERNAL, "ECDSA signature: "
		    "OpenSSL returned no DER SEQUENCE");
	}
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, raw, (int)width) == (int)width &&
	    BN_bn2binpad(s, raw + width, (int)width) == (int)width;
	ECDSA_SIG_free(es);
	if (!ok)
		return s2o_err_set(err, S2O_R_INTERNAL,
		    "ECDSA signature: R or S wider than %zu bytes", width);
	return 0;
}

int
tok_sign(const struct tok_key *k, const void *in, size_t len,
    unsigned char *sig, size_t *sig_len, struct s2o_err *err)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*der = NULL;
	size_t		 n;
	int		 rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return s2o_err_oom(err);
	n = (size_t)EVP_PKEY_get_size(k->pkey);
	if (k->alg->pkey_type == EVP_PKEY_EC &&
	    (der = malloc(n)) == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	/* a copy of the context initialised at load (keyset.c) */
	if (EVP_MD_CTX_copy_ex(ctx, k->proto) != 1 ||
	    EVP_DigestSign(ctx, der ? der : sig, &n, in, len) != 1) {
		ERR_clear_error();
		s2o_err_set(err, S2O_R_INTERNAL, "signing with key \"%s\" (%s) "
		    "failed in OpenSSL", k->kid, k->alg->name);
		goto out;
	}
	if (der != NULL) {
		if (ecdsa_der_to_raw(der, n, k->alg->coord_len, sig, err) == -1)
			goto out;
		n = 2 * k->alg->coord_len;
	}
	*sig_len = n;
	rc = 0;
out:
	free(der);
	EVP_MD_CTX_free(ctx);
	return rc;
}
