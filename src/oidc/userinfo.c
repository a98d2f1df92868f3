/* SPDX-License-Identifier: MIT */
/*
 * The userinfo endpoint, and checking the bridge's own access tokens: the
 * public half of every configured signing key is parsed once per
 * provider, and a token is accepted only with the kid and alg of one of
 * them, a valid signature, and the claims the token endpoint set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "oidc/oidc_int.h"

int
oidc_vkeys_load(struct s2o_oidc_provider *op, struct s2o_err *err)
{
	const struct s2o_config	*cfg = op->cfg;
	BIO			*bio;
	EVP_PKEY		*pk;
	size_t			 i;

	if (cfg->nsigning_keys == 0)
		return 0;
	if ((op->vkeys = calloc(cfg->nsigning_keys, sizeof(*op->vkeys))) ==
	    NULL)
		return s2o_err_oom(err);
	for (i = 0; i < cfg->nsigning_keys; i++) {
		bio = BIO_new_mem_buf(cfg->signing_keys[i].private_key.data,
		    (int)cfg->signing_keys[i].private_key.len);
		pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
		    NULL;
		BIO_free(bio);
		if (pk == NULL)
			return s2o_err_set(err, S2O_R_KEY_UNUSABLE, "signing "
			    "key %s: cannot be parsed", cfg->signing_keys[i].kid);
		op->vkeys[i].kid = cfg->signing_keys[i].kid;
		op->vkeys[i].alg = cfg->signing_keys[i].alg;
		op->vkeys[i].pkey = pk;
		op->nvkeys++;
	}
	return 0;
}

void
oidc_vkeys_free(struct s2o_oidc_provider *op)
{
	size_t	i;

	for (i = 0; i < op->nvkeys; i++)
		EVP_PKEY_free(op->vkeys[i].pkey);
	free(op->vkeys);
	op->vkeys = NULL;
	op->nvkeys = 0;
}

/* The digest and, for ECDSA, the size of r and s, of a JWS alg. */
static const EVP_MD *
alg_md(const char *alg, size_t *ec_half)
{
	*ec_half = 0;
	if (strcmp(alg, "RS256") == 0)
		return EVP_sha256();
	if (strcmp(alg, "RS384") == 0)
		return EVP_sha384();
	if (strcmp(alg, "RS512") == 0)
		return EVP_sha512();
	if (strcmp(alg, "ES256") == 0) {
		*ec_half = 32;
		return EVP_sha256();
	}
	if (strcmp(alg, "ES384") == 0) {
		*ec_half = 48;
		return EVP_sha384();
	}
	return NULL;
}

/* Verifies sig over the signing input with k. */
static bool
verify(const struct oidc_vkey *k, const char *input, size_t len,
    const unsigned char *sig, size_t siglen)
{
	const EVP_MD	*md;
	EVP_MD_CTX	*c;
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r, *s;
	unsigned char	*der = NULL;
	int		 derlen;
	size_t		 half;
	bool		 ok = false;

	if ((md = alg_md(k->alg, &half)) == NULL)
		return false;
	if (half != 0) {
		/* JWS (RFC 7518 §3.4): r || s; OpenSSL wants DER */
		if (siglen != 2 * half || (es = ECDSA_SIG_new()) == NULL)
			return false;
		r = BN_bin2bn(sig, (int)half, NULL);
		s = BN_bin2bn(sig + half, (int)half, NULL);
		if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
			BN_free(r);
			BN_free(s);
			ECDSA_SIG_free(es);
			return false;
		}
		derlen = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		if (derlen <= 0)
			return false;
		sig = der;
		siglen = (size_t)derlen;
	}
	if ((c = EVP_MD_CTX_new()) != NULL) {
		ok = EVP_DigestVerifyInit(c, NULL, md, NULL, k->pkey) == 1 &&
		    EVP_DigestVerify(c, sig, siglen,
		    (const unsigned char *)input, len) == 1;
		EVP_MD_CTX_free(c);
	}
	OPENSSL_free(der);
	return ok;
}

/* A base64url part as JSON; NULL when it is not. */
static json_t *
part_json(const char *p, size_t len)
{
	struct s2o_err	 err;
	unsigned char	*d;
	size_t		 n;
	json_t		*o;

	s2o_err_clear(&err);
	if ((d = s2o_b64url_decode(p, len, 65536, &n, &err)) == NULL)
		return NULL;
	o = json_loadb((const char *)d, n, 0, NULL);
	free(d);
	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * Checks token; returns its claims (caller decrefs), or NULL with why set
 * to a short text for error_description.
 */
static json_t *
check_token(const struct s2o_oidc_env *env, const char *token,
    const char **why)
{
	const struct s2o_oidc_provider *op = env->op;
	const struct s2o_config	*cfg = op->cfg;
	const char	*d1, *d2, *alg, *kid, *typ, *iss;
	json_t		*h = NULL, *c = NULL, *aud;
	struct s2o_err	 err;
	unsigned char	*sig = NULL;
	char		 want[1024];
	size_t		 siglen, i, n;
	bool		 ok = false;

	*why = "malformed token";
	if ((d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return NULL;
	if ((h = part_json(token, (size_t)(d1 - token))) == NULL ||
	    (c = part_json(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL)
		goto out;
	alg = json_string_value(json_object_get(h, "alg"));
	kid = json_string_value(json_object_get(h, "kid"));
	typ = json_string_value(json_object_get(h, "typ"));
	if (alg == NULL || kid == NULL || typ == NULL ||
	    strcasecmp(typ, "at+jwt") != 0)
		goto out;
	*why = "unknown key";
	for (i = 0; i < op->nvkeys; i++)
		if (strcmp(op->vkeys[i].kid, kid) == 0 &&
		    strcmp(op->vkeys[i].alg, alg) == 0)
			break;
	if (i == op->nvkeys)
		goto out;
	*why = "bad signature";
	s2o_err_clear(&err);
	if ((sig = s2o_b64url_decode(d2 + 1, strlen(d2 + 1), 1024, &siglen,
	    &err)) == NULL || !verify(&op->vkeys[i], token,
	    (size_t)(d2 - token), sig, siglen))
		goto out;
	*why = "wrong issuer or audience";
	iss = json_string_value(json_object_get(c, "iss"));
	n = strlen(cfg->issuer);
	if (n > 0 && cfg->issuer[n - 1] == '/')
		n--;
	snprintf(want, sizeof(want), "%.*s/userinfo", (int)n, cfg->issuer);
	aud = json_object_get(c, "aud");
	if (iss == NULL || strcmp(iss, cfg->issuer) != 0 ||
	    !json_is_string(aud) || strcmp(json_string_value(aud), want) != 0)
		goto out;
	*why = "expired";
	if (!json_is_integer(json_object_get(c, "exp")) ||
	    json_integer_value(json_object_get(c, "exp")) <=
	    (json_int_t)s2o_clock_now(env->clock))
		goto out;
	*why = "no subject";
	if (json_string_value(json_object_get(c, "sub")) == NULL)
		goto out;
	ok = true;
out:
	free(sig);
	json_decref(h);
	if (!ok) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static int
unauthorized(struct s2o_oidc_response *resp, const char *why)
{
	json_t	*o;

	s2o_oidc_response_cleanup(resp);
	resp->status = 401;
	resp->content_type = S2O_OIDC_JSON;
	resp->reason = S2O_R_MALFORMED;
	if (why == NULL) {
		resp->www_authenticate = "Bearer realm=\"saml2oidc\"";
		o = json_pack("{s:s, s:s}", "error", "invalid_request",
		    "error_description", "no access token");
	} else {
		resp->www_authenticate = "Bearer realm=\"saml2oidc\", "
		    "error=\"invalid_token\"";
		o = json_pack("{s:s, s:s}", "error", "invalid_token",
		    "error_description", why);
	}
	if (o != NULL)
		resp->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (resp->body == NULL)
		return -1;
	resp->len = strlen(resp->body);
	return 0;
}

int
s2o_oidc_userinfo(const struct s2o_oidc_env *env,
    const struct s2o_oidc_request *req, struct s2o_oidc_response *resp,
    struct s2o_err *err)
{
	const char	*token = NULL, *why, *jti;
	char		*rev = NULL;
	json_t		*c, *o, *m;
	size_t		 i;
	int		 t;

	s2o_oidc_response_cleanup(resp);
	if (req->authorization != NULL &&
	    strncasecmp(req->authorization, "Bearer ", 7) == 0) {
		token = req->authorization + 7;
		while (*token == ' ')
			token++;
	} else if (req->method != NULL && strcmp(req->method, "POST") == 0)
		for (i = 0; i < req->nform; i++)
			if (strcmp(req->form[i].name, "access_token") == 0)
				token = req->form[i].value;
	if (token == NULL || token[0] == '\0')
		return unauthorized(resp, NULL) == 0 ? 0 : s2o_err_oom(err);
	if ((c = check_token(env, token, &why)) == NULL)
		return unauthorized(resp, why) == 0 ? 0 : s2o_err_oom(err);
	/* revoked when its code was redeemed twice (token_endpoint.c) */
	jti = json_string_value(json_object_get(c, "jti"));
	if (jti != NULL && env->store != NULL) {
		if ((t = s2o_store_get(env->store, S2O_OIDC_NS_REVOKED, jti,
		    &rev, err)) == -1) {
			json_decref(c);
			return -1;
		}
		free(rev);
		if (t == 0) {
			json_decref(c);
			return unauthorized(resp, "revoked") == 0 ? 0 :
			    s2o_err_oom(err);
		}
	}
	/* the token's sub first, then the claims the mappings send to
	 * userinfo (token_endpoint.c), which cannot replace it */
	o = json_pack("{s:O}", "sub", json_object_get(c, "sub"));
	m = NULL;
	if (o != NULL && jti != NULL && env->store != NULL) {
		if (s2o_store_get(env->store, S2O_OIDC_NS_USERINFO, jti, &rev,
		    err) == -1) {
			json_decref(o);
			json_decref(c);
			return -1;
		}
		if (rev != NULL && (m = json_loads(rev, 0, NULL)) == NULL) {
			free(rev);
			json_decref(o);
			json_decref(c);
			return s2o_err_set(err, S2O_R_INTERNAL, "stored userinfo "
			    "claims are not JSON");
		}
		free(rev);
		if (m != NULL && json_object_update_missing(o, m) == -1) {
			json_decref(o);
			o = NULL;
		}
		json_decref(m);
	}
	json_decref(c);
	if (o != NULL)
		resp->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (resp->body == NULL)
		return s2o_err_oom(err);
	resp->len = strlen(resp->body);
	resp->status = 200;
	resp->content_type = S2O_OIDC_JSON;
	return 0;
}
