/* SPDX-License-Identifier: MIT */
/*
 * The signing keyset: each configured key's PEM text (read and checked by
 * config/ at load) parsed into an EVP_PKEY once, its digest fetched once,
 * and the active one chosen. config/ already refuses a key that does not
 * fit its alg; the checks are repeated here because a keyset can be made
 * from any s2o_config, and a signer must never guess.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "token/token_int.h"

/* RFC 7518 §3.1; JWS ES* signatures are fixed-width R || S (§3.4). */
static const struct tok_alg algs[] = {
	{ "RS256", "SHA256", 32, EVP_PKEY_RSA, NULL, NULL, 0 },
	{ "RS384", "SHA384", 48, EVP_PKEY_RSA, NULL, NULL, 0 },
	{ "RS512", "SHA512", 64, EVP_PKEY_RSA, NULL, NULL, 0 },
	{ "ES256", "SHA256", 32, EVP_PKEY_EC, "prime256v1", "P-256", 32 },
	{ "ES384", "SHA384", 48, EVP_PKEY_EC, "secp384r1", "P-384", 48 },
};

#define TOK_MIN_RSA_BITS	2048	/* bits, RFC 7518 §3.3 */

const struct tok_alg *
tok_alg_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	return NULL;
}

/* Parses and checks one configured key into k. */
static int
key_load(struct tok_key *k, const struct s2o_config_key *ck, size_t i,
    struct s2o_err *err)
{
	BIO		*bio;
	char		 group[64];
	size_t		 glen;
	int		 bits;
	const char	*kid = ck->kid ? ck->kid : "(none)";

	if ((k->alg = tok_alg_find(ck->alg)) == NULL)
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE,
		    "signing_keys[%zu] (kid \"%s\"): unsupported alg \"%s\" "
		    "(RS256, RS384, RS512, ES256 or ES384)", i, kid,
		    ck->alg ? ck->alg : "(none)");
	if (ck->kid == NULL || ck->kid[0] == '\0')
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE,
		    "signing_keys[%zu]: no kid", i);
	if ((k->kid = s2o_strdup(ck->kid, err)) == NULL)
		return -1;
	if (ck->private_key.data == NULL || ck->private_key.len > INT32_MAX)
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE,
		    "signing key \"%s\": no private key", kid);
	if ((bio = BIO_new_mem_buf(ck->private_key.data,
	    (int)ck->private_key.len)) == NULL)
		return s2o_err_oom(err);
	k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (k->pkey == NULL)
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE,
		    "signing key \"%s\": not an unencrypted PEM private key",
		    kid);
	if (EVP_PKEY_get_base_id(k->pkey) != k->alg->pkey_type)
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE,
		    "signing key \"%s\": %s needs an %s key, found %s", kid,
		    k->alg->name,
		    k->alg->pkey_type == EVP_PKEY_RSA ? "RSA" : "EC",
		    EVP_PKEY_get0_type_name(k->pkey) ?
		    EVP_PKEY_get0_type_name(k->pkey) : "another type");
	if (k->alg->pkey_type == EVP_PKEY_RSA) {
		if ((bits = EVP_PKEY_get_bits(k->pkey)) < TOK_MIN_RSA_BITS)
			return s2o_err_set(err, S2O_R_KEY_UNUSABLE, "signing "
			    "key \"%s\": %s needs an RSA key of %d bits or "
			    "more, found %d bits", kid, k->alg->name,
			    TOK_MIN_RSA_BITS, bits);
		k->sig_len = (size_t)EVP_PKEY_get_size(k->pkey);
	} else {
		if (EVP_PKEY_get_utf8_string_param(k->pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    &glen) != 1)
			group[0] = '\0';
		if (strcmp(group, k->alg->group) != 0)
			return s2o_err_set(err, S2O_R_KEY_UNUSABLE, "signing "
			    "key \"%s\": %s needs an EC %s key, found curve "
			    "\"%s\"", kid, k->alg->name, k->alg->crv,
			    group[0] ? group : "unknown");
		k->sig_len = 2 * k->alg->coord_len;
	}
	if ((k->md = EVP_MD_fetch(NULL, k->alg->digest, NULL)) == NULL) {
		ERR_clear_error();
		return s2o_err_set(err, S2O_R_INTERNAL, "OpenSSL has no %s",
		    k->alg->digest);
	}
	/* RSA: PKCS #1 v1.5 is the provider's default padding (RS*). */
	if ((k->proto = EVP_MD_CTX_new()) == NULL)
		return s2o_err_oom(err);
	if (EVP_DigestSignInit(k->proto, NULL, k->md, NULL, k->pkey) != 1) {
		ERR_clear_error();
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE, "signing key "
		    "\"%s\": OpenSSL cannot sign %s with it", kid,
		    k->alg->name);
	}
	if ((k->hdr_jwt = tok_jws_header(k, "JWT", err)) == NULL ||
	    (k->hdr_at = tok_jws_header(k, "at+jwt", err)) == NULL)
		return -1;
	return 0;
}

struct s2o_keyset *
s2o_token_keyset_new(const struct s2o_config *cfg, struct s2o_err *err)
{
	struct s2o_keyset	*ks;
	size_t			 i, j;
	bool			 found = false;

	if (cfg == NULL || cfg->nsigning_keys == 0) {
		s2o_err_set(err, S2O_R_CONFIG_INVALID, "no signing_keys are "
		    "configured; add one (saml2oidc keygen makes a key)");
		return NULL;
	}
	if ((ks = calloc(1, sizeof(*ks))) == NULL ||
	    (ks->keys = calloc(cfg->nsigning_keys, sizeof(*ks->keys))) ==
	    NULL) {
		free(ks);
		s2o_err_oom(err);
		return NULL;
	}
	ks->amr_rules = cfg->amr_rules;
	ks->namr_rules = cfg->namr_rules;
	/* 0 from a configuration built by hand: the default */
	ks->max_bytes = cfg->max_token_bytes ? cfg->max_token_bytes :
	    S2O_TOKEN_MAX_DEFAULT;
	for (i = 0; i < cfg->nsigning_keys; i++) {
		ks->nkeys++;
		if (key_load(&ks->keys[i], &cfg->signing_keys[i], i, err) == -1)
			goto fail;
		for (j = 0; j < i; j++)
			if (strcmp(ks->keys[j].kid, ks->keys[i].kid) == 0) {
				s2o_err_set(err, S2O_R_KEY_UNUSABLE, "signing "
				    "key \"%s\" is configured twice: each kid "
				    "names one key", ks->keys[i].kid);
				goto fail;
			}
		/* the first marked active signs; config/ allows only one */
		if (cfg->signing_keys[i].active && !found) {
			ks->active = i;
			found = true;
		}
	}
	return ks;
fail:
	s2o_token_keyset_free(ks);
	return NULL;
}

void
s2o_token_keyset_free(struct s2o_keyset *ks)
{
	size_t	i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->nkeys; i++) {
		free(ks->keys[i].kid);
		EVP_PKEY_free(ks->keys[i].pkey);
		EVP_MD_free(ks->keys[i].md);
		EVP_MD_CTX_free(ks->keys[i].proto);
		free(ks->keys[i].hdr_jwt);
		free(ks->keys[i].hdr_at);
	}
	free(ks->keys);
	free(ks);
}

const char *
s2o_token_keyset_active_kid(const struct s2o_keyset *ks)
{
	return ks->keys[ks->active].kid;
}

const char *
s2o_token_keyset_active_alg(const struct s2o_keyset *ks)
{
	return ks->keys[ks->active].alg->name;
}
