/* SPDX-License-Identifier: MIT */
/*
 * Private to token/: the parsed keys, the algorithm table, and the two
 * steps every token shares (signing, and building the compact JWS).
 */
#ifndef S2O_TOKEN_INT_H
#define S2O_TOKEN_INT_H

#include <openssl/evp.h>

#include <jansson.h>

#include "token/token.h"

/* One JWS algorithm this bridge signs with (RFC 7518 §3.1). */
struct tok_alg {
	const char	*name;		/* "RS256" */
	const char	*digest;	/* OpenSSL digest name: "SHA256" */
	size_t		 hash_len;	/* bytes of that digest */
	int		 pkey_type;	/* EVP_PKEY_RSA or EVP_PKEY_EC */
	const char	*group;		/* EC: OpenSSL group name, else NULL */
	const char	*crv;		/* EC: JWK crv ("P-256"), else NULL */
	size_t		 coord_len;	/* EC: bytes of a coordinate, else 0 */
};

/* The algorithm called name, or NULL. */
const struct tok_alg *tok_alg_find(const char *name);

struct tok_key {
	char			*kid;
	const struct tok_alg	*alg;
	EVP_PKEY		*pkey;		/* private: stays in token/ */
	EVP_MD			*md;		/* fetched once */
	size_t			 sig_len;	/* bytes of the JWS signature */
	/* made once per key, so a token costs no provider look-ups and no
	 * header JSON: a signing context to copy, and the base64url JOSE
	 * header for each typ the bridge mints */
	EVP_MD_CTX		*proto;
	char			*hdr_jwt;	/* typ "JWT" */
	char			*hdr_at;	/* typ "at+jwt" */
};

struct s2o_keyset {
	struct tok_key	*keys;
	size_t		 nkeys;
	size_t		 active;	/* index into keys */
	size_t		 max_bytes;	/* config max_token_bytes */
	const struct s2o_amr_rule *amr_rules;	/* borrowed from the config */
	size_t		 namr_rules;
};

/* signer.c: the only code that uses a private key. */
int		 tok_sign(const struct tok_key *k, const void *in, size_t len,
		    unsigned char *sig, size_t *sig_len, struct s2o_err *err);

/* jws.c: the base64url JOSE header (alg, kid, typ) of k. Caller frees with
 * free(). */
char		*tok_jws_header(const struct tok_key *k, const char *typ,
		    struct s2o_err *err);
/* jws.c: header and claims to compact JWS with the active key. what names
 * the token in details ("ID token"). Caller frees with free(). */
char		*tok_jws_compact(const struct s2o_keyset *ks, const char *typ,
		    const json_t *claims, const char *what,
		    struct s2o_err *err);

/* jwks.c: the public JWK of k as a new object (kty, kid, use, alg, ...). */
json_t		*tok_jwk_public(const struct tok_key *k, struct s2o_err *err);
/* jwks.c: RFC 7638 thumbprint of pkey's public key, base64url into out. */
int		 tok_jwk_thumbprint(EVP_PKEY *pkey, const struct tok_alg *alg,
		    char *out, size_t size, struct s2o_err *err);

#endif
