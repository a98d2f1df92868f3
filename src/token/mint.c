/* SPDX-License-Identifier: MIT */
/*
 * The claims of an ID token (OIDC Core 1.0 §2, §3.1.3.6) and of a JWT
 * access token (RFC 9068 §2.2), in a fixed order, with the mapped claims
 * merged in after them. What the claims mean and where each comes from is
 * decided here; serializing and signing is jws.c's.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "token/token_int.h"

#define TOK_JTI_BYTES	16	/* bytes of randomness in a jti (128 bits) */

/*
 * Claims the bridge sets itself or that carry protocol meaning (RFC 7519
 * §4.1, OIDC Core §2 and §3.3.2.11, RFC 9068 §2.2, RFC 7800 §3.1): a
 * mapping that could set one could forge an audience, extend a lifetime
 * or claim a second factor that never happened.
 */
static const char *const reserved[] = {
	"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "nonce", "azp",
	"at_hash", "c_hash", "auth_time", "acr", "amr", "sid", "client_id",
	"scope", "cnf", NULL
};

bool
s2o_token_claim_reserved(const char *name)
{
	size_t	i;

	for (i = 0; reserved[i] != NULL; i++)
		if (strcmp(reserved[i], name) == 0)
			return true;
	return false;
}

/* A required string field of a request; detail names it. */
static int
need(const char *v, const char *what, const char *field, struct s2o_err *err)
{
	if (v == NULL || v[0] == '\0')
		return s2o_err_set(err, S2O_R_INTERNAL, "%s request without %s",
		    what, field);
	return 0;
}

/* iat and exp from the clock and ttl; refuses a ttl that cannot be. */
static int
times(const struct s2o_clock *clock, long ttl, const char *what,
    json_int_t *iat, json_int_t *exp, struct s2o_err *err)
{
	time_t	now;

	if (clock == NULL)
		return s2o_err_set(err, S2O_R_INTERNAL, "%s request without a "
		    "clock", what);
	now = s2o_clock_now(clock);
	if (ttl <= 0 || now < 0 || (json_int_t)now > LLONG_MAX - ttl)
		return s2o_err_set(err, S2O_R_INTERNAL, "%s lifetime %ld s "
		    "is not positive", what, ttl);
	*iat = (json_int_t)now;
	*exp = (json_int_t)now + ttl;
	return 0;
}

/* json_object_set_new that reports OOM; v is stolen even on failure. */
static int
set(json_t *o, const char *key, json_t *v, struct s2o_err *err)
{
	if (v == NULL || json_object_set_new(o, key, v) == -1)
		return s2o_err_oom(err);
	return 0;
}

/*
 * An upper bound on the bytes of a string as JSON text. json_dumps without
 * JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH escapes only '"', '\\' and the
 * control characters, each in at most 6 bytes ("\u001f"); every other
 * byte is written as it is. Counting those is a bound, not jansson's exact
 * count: it may only be larger.
 */
static size_t
string_bound(const char *s, size_t len)
{
	size_t	i, n = len + 2;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			n += 5;
	return n;
}

/*
 * An upper bound on the bytes of v's compact JSON text, without writing
 * it: strings as above, a number at most 32 bytes.
 */
static size_t
json_bound(json_t *v)
{
	const char	*k;
	json_t		*e;
	size_t		 i, n, klen;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return string_bound(json_string_value(v),
		    json_string_length(v));
	case JSON_ARRAY:
		n = json_array_size(v) + 2;
		json_array_foreach(v, i, e)
			n += json_bound(e);
		return n;
	case JSON_OBJECT:
		n = json_object_size(v) + 2;
		/* a key's length from jansson: it may hold a NUL byte */
		json_object_keylen_foreach(v, k, klen, e)
			n += string_bound(k, klen) + 1 + json_bound(e);
		return n;
	default:
		return 32;
	}
}

/*
 * Merges a claim object (the bridge's granted claims, or the mapped
 * claims) into claims after the bridge's own, in the object's order.
 * Values keep their JSON types exactly: they go in by reference, and the
 * object itself is not changed.
 */
static int
merge_extra(json_t *claims, json_t *extra, size_t max, const char *what,
    struct s2o_err *err)
{
	const char	*key;
	json_t		*v;
	size_t		 len, klen;

	if (extra == NULL)
		return 0;
	if (!json_is_object(extra))
		return s2o_err_set(err, S2O_R_MAPPING_INVALID,
		    "the %s's mapped claims are not a JSON object", what);
	/* refuse before signing: such claims could never fit (jansson
	 * counts the exact size only when the bound says they might not) */
	if (json_bound(extra) > max &&
	    (len = json_dumpb(extra, NULL, 0, JSON_COMPACT)) > max)
		return s2o_err_set(err, S2O_R_TOO_LARGE,
		    "the %s's mapped claims are %zu bytes of JSON, over "
		    "max_token_bytes %zu: map fewer or shorter claims into it",
		    what, len, max);
	json_object_keylen_foreach(extra, key, klen, v) {
		char shown[80];

		/* jansson keeps such a name whole; as a C string it would be
		 * cut at the NUL and become another claim */
		if (strlen(key) != klen)
			return s2o_err_set(err, S2O_R_MAPPING_INVALID, "claim "
			    "\"%s\" for the %s holds a NUL byte",
			    s2o_str_excerpt(shown, sizeof(shown), key, 64),
			    what);
		if (s2o_token_claim_reserved(key) ||
		    json_object_get(claims, key) != NULL)
			return s2o_err_set(err, S2O_R_MAPPING_INVALID, "claim "
			    "\"%s\" is set by the bridge and cannot be mapped "
			    "into the %s", s2o_str_excerpt(shown, sizeof(shown),
			    key, 64), what);
		if (set(claims, key, json_incref(v), err) == -1)
			return -1;
	}
	return 0;
}

/*
 * OIDC Core §3.1.3.6: at_hash is the base64url of the left half of the
 * hash of the access token's ASCII octets, with the hash of the ID token's
 * alg (SHA-256 for RS256 and ES256, and so on).
 */
static json_t *
at_hash(const struct tok_key *k, const char *access_token,
    struct s2o_err *err)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		*s;
	json_t		*v;

	if (EVP_Digest(access_token, strlen(access_token), md, &mdlen, k->md,
	    NULL) != 1) {
		ERR_clear_error();
		s2o_err_set(err, S2O_R_INTERNAL, "at_hash: %s failed",
		    k->alg->digest);
		return NULL;
	}
	if ((s = s2o_b64url_encode(md, mdlen / 2, err)) == NULL)
		return NULL;
	if ((v = json_string(s)) == NULL)
		s2o_err_oom(err);
	free(s);
	return v;
}

/*
 * acr is the class as sent; amr the RFC 8176 values of the configuration's
 * "amr" table, else of acr.c's built-in one.
 */
static int
set_acr_amr(const struct s2o_keyset *ks, json_t *claims,
    const char *class_ref, struct s2o_err *err)
{
	const char *const	*amr = NULL;
	json_t			*arr;
	size_t			 i;

	if (class_ref == NULL || class_ref[0] == '\0')
		return 0;
	if (set(claims, "acr", json_string(class_ref), err) == -1)
		return -1;
	for (i = 0; i < ks->namr_rules && amr == NULL; i++)
		if (strcmp(ks->amr_rules[i].class_ref, class_ref) == 0)
			amr = (const char *const *)ks->amr_rules[i].amr;
	if (amr == NULL)
		amr = s2o_token_amr_for_class(class_ref);
	if (amr == NULL || *amr == NULL)
		return 0;
	if ((arr = json_array()) == NULL)
		return s2o_err_oom(err);
	for (; *amr != NULL; amr++)
		if (json_array_append_new(arr, json_string(*amr)) == -1) {
			json_decref(arr);
			return s2o_err_oom(err);
		}
	return set(claims, "amr", arr, err);
}

/* An optional string claim. */
static int
set_opt(json_t *claims, const char *key, const char *v, struct s2o_err *err)
{
	return v == NULL ? 0 : set(claims, key, json_string(v), err);
}

/* Strings must be UTF-8 for jansson; say which one is not. */
static int
check_utf8(const char *const *fields, const char *const *names,
    const char *what, struct s2o_err *err)
{
	json_t	*probe;

	for (; *names != NULL; fields++, names++) {
		if (*fields == NULL)
			continue;
		if ((probe = json_string(*fields)) == NULL)
			return s2o_err_set(err, S2O_R_MAPPING_INVALID,
			    "the %s's %s is not valid UTF-8", what, *names);
		json_decref(probe);
	}
	return 0;
}

/* What every token needs: iss, sub (at most S2O_TOKEN_MAX_SUB bytes), aud,
 * and iat/exp from the clock and ttl. */
static int
base_claims(const char *issuer, const char *sub, const char *aud,
    const struct s2o_clock *clock, long ttl, const char *what,
    json_int_t *iat, json_int_t *exp, struct s2o_err *err)
{
	if (need(issuer, what, "issuer", err) == -1 ||
	    need(sub, what, "sub", err) == -1 ||
	    need(aud, what, "aud", err) == -1 ||
	    times(clock, ttl, what, iat, exp, err) == -1)
		return -1;
	if (strlen(sub) > S2O_TOKEN_MAX_SUB)
		return s2o_err_set(err, S2O_R_MAPPING_INVALID, "sub is %zu "
		    "bytes; OpenID Connect allows at most %d", strlen(sub),
		    S2O_TOKEN_MAX_SUB);
	return 0;
}

char *
s2o_token_id_mint(const struct s2o_keyset *ks,
    const struct s2o_token_id_req *req, struct s2o_err *err)
{
	static const char *const names[] = { "iss", "sub", "aud", "nonce",
	    "acr", "sid", NULL };
	const char	*what = "ID token";
	const char	*fields[7];
	json_t		*claims;
	json_int_t	 iat, exp;
	char		*tok = NULL;

	if (base_claims(req->issuer, req->sub, req->aud, req->clock, req->ttl,
	    what, &iat, &exp, err) == -1)
		return NULL;
	fields[0] = req->issuer;
	fields[1] = req->sub;
	fields[2] = req->aud;
	fields[3] = req->nonce;
	fields[4] = req->authn_context;
	fields[5] = req->sid;
	fields[6] = NULL;
	if (check_utf8(fields, names, what, err) == -1)
		return NULL;
	if ((claims = json_object()) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	/* OIDC Core §2, in the order a person reads them */
	if (set(claims, "iss", json_string(req->issuer), err) == -1 ||
	    set(claims, "sub", json_string(req->sub), err) == -1 ||
	    set(claims, "aud", json_string(req->aud), err) == -1 ||
	    set(claims, "exp", json_integer(exp), err) == -1 ||
	    set(claims, "iat", json_integer(iat), err) == -1 ||
	    (req->auth_time != 0 && set(claims, "auth_time",
	    json_integer((json_int_t)req->auth_time), err) == -1) ||
	    set_opt(claims, "nonce", req->nonce, err) == -1 ||
	    set_acr_amr(ks, claims, req->authn_context, err) == -1 ||
	    set_opt(claims, "sid", req->sid, err) == -1 ||
	    /* §2: azp, the party the token was issued to (the only aud) */
	    set(claims, "azp", json_string(req->aud), err) == -1 ||
	    (req->access_token != NULL && set(claims, "at_hash",
	    at_hash(&ks->keys[ks->active], req->access_token, err), err) ==
	    -1) ||
	    merge_extra(claims, req->bridge_claims, ks->max_bytes, what,
	    err) == -1 ||
	    merge_extra(claims, req->extra_claims, ks->max_bytes, what,
	    err) == -1)
		goto out;
	tok = tok_jws_compact(ks, "JWT", claims, what, err);
out:
	json_decref(claims);
	return tok;
}

char *
s2o_token_access_mint(const struct s2o_keyset *ks,
    const struct s2o_token_access_req *req, struct s2o_err *err)
{
	static const char *const names[] = { "iss", "sub", "aud",
	    "client_id", "scope", NULL };
	const char	*what = "access token";
	const char	*fields[6];
	unsigned char	 rnd[TOK_JTI_BYTES];
	json_t		*claims;
	json_int_t	 iat, exp;
	char		*jti = NULL, *tok = NULL;

	if (base_claims(req->issuer, req->sub, req->aud, req->clock, req->ttl,
	    what, &iat, &exp, err) == -1 ||
	    need(req->client_id, what, "client_id", err) == -1)
		return NULL;
	fields[0] = req->issuer;
	fields[1] = req->sub;
	fields[2] = req->aud;
	fields[3] = req->client_id;
	fields[4] = req->scope;
	fields[5] = NULL;
	if (check_utf8(fields, names, what, err) == -1)
		return NULL;
	/* RFC 9068 §2.2 and RFC 7519 §4.1.7: unique per token, unguessable */
	if (req->jti != NULL) {
		if ((jti = s2o_strdup(req->jti, err)) == NULL)
			return NULL;
	} else if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		ERR_clear_error();
		s2o_err_set(err, S2O_R_INTERNAL, "no randomness for jti");
		return NULL;
	} else if ((jti = s2o_b64url_encode(rnd, sizeof(rnd), err)) == NULL)
		return NULL;
	if ((claims = json_object()) == NULL) {
		free(jti);
		s2o_err_oom(err);
		return NULL;
	}
	if (set(claims, "iss", json_string(req->issuer), err) == -1 ||
	    set(claims, "sub", json_string(req->sub), err) == -1 ||
	    set(claims, "aud", json_string(req->aud), err) == -1 ||
	    set(claims, "exp", json_integer(exp), err) == -1 ||
	    set(claims, "iat", json_integer(iat), err) == -1 ||
	    set(claims, "jti", json_string(jti), err) == -1 ||
	    set(claims, "client_id", json_string(req->client_id), err) == -1 ||
	    set_opt(claims, "scope", req->scope, err) == -1 ||
	    merge_extra(claims, req->bridge_claims, ks->max_bytes, what,
	    err) == -1 ||
	    merge_extra(claims, req->extra_claims, ks->max_bytes, what,
	    err) == -1)
		goto out;
	tok = tok_jws_compact(ks, "at+jwt", claims, what, err);
out:
	free(jti);
	json_decref(claims);
	return tok;
}
