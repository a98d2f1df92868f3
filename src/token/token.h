/* SPDX-License-Identifier: MIT */
/*
 * token/: the bridge's signing keys, their public JWKS, and the JWTs it
 * issues: OpenID Connect ID tokens (OIDC Core 1.0 §2) and JWT access
 * tokens (RFC 9068). Keys are parsed once, when the keyset is made from
 * the configuration; minting a token does no file I/O and no key parsing.
 * Every token is a compact JWS built here (base64url header . payload .
 * signature) with jansson for the JSON and OpenSSL's EVP_DigestSign for
 * the signature; libjwt stays out of the signing path because 1.10
 * re-parses its PEM key for every token. OpenSSL types never leave this
 * folder; the claim sets come in as jansson objects (struct json_t, the
 * form map/ and policy/ hand them over in), borrowed for the call.
 */
#ifndef S2O_TOKEN_H
#define S2O_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "core/core.h"

/* jansson's json_t (typedef struct json_t json_t), without jansson.h */
struct json_t;

/*
 * The largest token minted, in bytes of its compact serialization. 8 KiB is
 * where browsers and proxies start refusing headers; 16 KiB leaves room for
 * generous group lists. Config will make this `max_token_bytes`; until then
 * it is this constant (core/limits.h will take it over).
 */
/* The default limit on one compact JWS; config max_token_bytes sets it. */
#define S2O_TOKEN_MAX_BYTES	S2O_TOKEN_MAX_DEFAULT
/* OIDC Core §2: sub "MUST NOT exceed 255 ASCII characters". */
#define S2O_TOKEN_MAX_SUB	255	/* bytes */

/* ---- keyset.c --------------------------------------------------------- */

/*
 * Every configured signing key parsed into OpenSSL's own type, once. The
 * active key (the one marked "active", else the first) signs; all of them
 * are published in the JWKS. Borrows nothing from cfg: the keyset may
 * outlive it. Caller frees with s2o_token_keyset_free(), which accepts
 * NULL (OpenSSL clears private key material as it frees it). NULL with
 * S2O_R_CONFIG_INVALID when there is no key, or S2O_R_KEY_UNUSABLE naming
 * the kid when a key cannot be parsed, is not of the kind its alg needs
 * (RSA of 2048 bits or more for RS256, RS384, RS512; EC P-256 for ES256,
 * P-384 for ES384), its alg is unknown or two keys share a kid;
 * S2O_R_INTERNAL on OOM.
 */
struct s2o_keyset;
struct s2o_keyset *s2o_token_keyset_new(const struct s2o_config *cfg,
		    struct s2o_err *err);
void		 s2o_token_keyset_free(struct s2o_keyset *ks);
/* The active key's kid and alg ("RS256"). Borrowed from ks. */
const char	*s2o_token_keyset_active_kid(const struct s2o_keyset *ks);
const char	*s2o_token_keyset_active_alg(const struct s2o_keyset *ks);

/* ---- mint.c ----------------------------------------------------------- */

/*
 * What an ID token says. Every pointer is borrowed for the call. Strings
 * are UTF-8; NULL means "omit the claim" where the comment says so. The
 * claim objects are read, never changed: the token takes references to
 * their values while it is written and drops them before returning.
 */
struct s2o_token_id_req {
	const char		*issuer;	/* iss: config issuer */
	const char		*sub;		/* at most S2O_TOKEN_MAX_SUB */
	const char		*aud;		/* the client_id; azp too */
	const struct s2o_clock	*clock;		/* iat */
	long			 ttl;		/* seconds; exp = iat + ttl */
	time_t			 auth_time;	/* AuthnInstant; 0: omitted */
	const char		*nonce;		/* NULL: omitted */
	const char		*authn_context;	/* ClassRef -> acr/amr; NULL */
	const char		*sid;		/* SessionIndex or NULL */
	const char		*access_token;	/* for at_hash, or NULL */
	struct json_t		*bridge_claims;	/* object: org_id, ...
						   (policy/); or NULL */
	struct json_t		*extra_claims;	/* object: the mapped claims
						   (map/); or NULL */
};

/*
 * Mints an ID token signed with the active key. Header {alg, kid, typ
 * "JWT"}; claims in this order: iss, sub, aud, exp, iat, auth_time, nonce,
 * acr, amr, sid, azp, at_hash, then the bridge's claims (organization and
 * roles, from policy/), then the extra claims in their own order.
 * The extra claims (the mapped profile) may not name a claim the bridge
 * sets or that has a protocol meaning (see s2o_token_claim_reserved()).
 * Returns the compact JWS (caller frees with free()), or NULL with
 * S2O_R_MAPPING_INVALID (bridge or extra claims not a JSON object, or
 * naming a reserved claim, or sub too long: the detail names it),
 * S2O_R_TOO_LARGE (the token would pass max_token_bytes), S2O_R_INTERNAL
 * (a missing required field, OOM or an OpenSSL fault).
 */
char		*s2o_token_id_mint(const struct s2o_keyset *ks,
		    const struct s2o_token_id_req *req, struct s2o_err *err);

/* What a JWT access token (RFC 9068) says. Borrowed for the call; the
 * claim objects are read, never changed. */
struct s2o_token_access_req {
	const char		*issuer;	/* iss */
	const char		*sub;		/* the user */
	const char		*aud;		/* the API's audience */
	const char		*client_id;	/* issued to this client */
	const char		*scope;		/* space-separated, or NULL */
	const struct s2o_clock	*clock;		/* iat */
	long			 ttl;		/* seconds; exp = iat + ttl */
	struct json_t		*bridge_claims;	/* object: org_id,
						   permissions, ...; or NULL */
	struct json_t		*extra_claims;	/* object: the mapped claims;
						   or NULL */
	const char		*jti;		/* NULL: 128 random bits */
};

/*
 * Mints an access token (RFC 9068 §2) signed with the active key. Header
 * {alg, kid, typ "at+jwt"}; claims iss, sub, aud, exp, iat, jti (req->jti,
 * which the caller makes unguessable and unique, e.g. to revoke the token
 * by it; or 128 random bits, base64url), client_id, scope, then the
 * bridge's claims (organization, roles, permissions), then the extra
 * claims. Caller
 * frees the result with free(). The reasons are those of
 * s2o_token_id_mint(), plus S2O_R_INTERNAL when no randomness is
 * available.
 */
char		*s2o_token_access_mint(const struct s2o_keyset *ks,
		    const struct s2o_token_access_req *req,
		    struct s2o_err *err);

/*
 * True when name is a claim a mapping may not set: the registered JWT
 * claims and the OIDC/RFC 9068 protocol claims (iss, sub, aud, exp, iat,
 * nbf, jti, nonce, azp, at_hash, c_hash, auth_time, acr, amr, sid,
 * client_id, scope, cnf).
 */
bool		 s2o_token_claim_reserved(const char *name);

/* ---- acr.c ------------------------------------------------------------ */

/*
 * The RFC 8176 amr values for a SAML AuthnContextClassRef, from the table
 * in acr.c (docs/tokens.md shows it): a NULL-terminated list, borrowed and
 * static; NULL when the class is not in the table (the class then goes
 * into the token as acr only).
 */
const char *const *s2o_token_amr_for_class(const char *class_ref);

/* ---- jwks.c ----------------------------------------------------------- */

/*
 * The public JWK Set (RFC 7517 §5) of every key in ks: the active key
 * first, then the others in configuration order. Each key has, in this
 * order, kty, kid, use "sig", alg, then n and e (RSA: big-endian, no
 * leading zero bytes) or crv, x and y (EC: fixed width, 32 or 48 bytes),
 * all base64url without padding. Compact JSON, no trailing newline.
 * Caller frees with free(). NULL with S2O_R_INTERNAL.
 */
char		*s2o_token_jwks_json(const struct s2o_keyset *ks,
		    struct s2o_err *err);

/* ---- keygen.c --------------------------------------------------------- */

/*
 * Generates a signing key for alg ("RS256", "RS384", "RS512": RSA of bits
 * bits, 2048, 3072 or 4096, 0 meaning 2048; "ES256": EC P-256; "ES384":
 * EC P-384, bits must be 0) and writes it to path as unencrypted PKCS#8
 * PEM, mode 0600. The file must not exist: it is created exclusively and
 * never through a symbolic link. When thumb is not NULL, the key's RFC
 * 7638 JWK thumbprint (SHA-256, base64url, 43 characters) is written there
 * (thumbsize at least 44), a good kid. Returns 0, or -1 with S2O_R_USAGE
 * (unknown alg, bits not allowed), S2O_R_IO (the file exists or cannot be
 * written, naming it; a partly written file is removed) or S2O_R_INTERNAL.
 */
int		 s2o_token_keygen(const char *alg, unsigned int bits,
		    const char *path, char *thumb, size_t thumbsize,
		    struct s2o_err *err);

#endif
