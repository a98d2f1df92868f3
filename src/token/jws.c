/* SPDX-License-Identifier: MIT */
/*
 * The compact JWS serialization (RFC 7515 §7.1) of one token:
 * BASE64URL(header) "." BASE64URL(claims) "." BASE64URL(signature), with
 * the active key. JSON is written compact, UTF-8 unescaped, members in
 * insertion order (jansson keeps it), so the same claims always give the
 * same bytes. The size limit is checked before signing: the length of
 * every part is known once the JSON is written.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "token/token_int.h"

/* Length of base64url without padding for n bytes (RFC 4648 §5). */
static size_t
b64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Appends base64url(p, n) to b. */
static int
add_b64url(struct s2o_buf *b, const void *p, size_t n, struct s2o_err *err)
{
	char	*s;
	int	 rc;

	if ((s = s2o_b64url_encode(p, n, err)) == NULL)
		return -1;
	rc = s2o_buf_adds(b, s, err);
	free(s);
	return rc;
}

char *
tok_jws_header(const struct tok_key *k, const char *typ,
    struct s2o_err *err)
{
	json_t	*hdr;
	char	*h, *out;

	/* RFC 7515 §4.1: alg and kid; typ per OIDC/RFC 9068 §2.1. */
	hdr = json_pack("{s:s, s:s, s:s}", "alg", k->alg->name, "kid", k->kid,
	    "typ", typ);
	if (hdr == NULL || (h = json_dumps(hdr, JSON_COMPACT)) == NULL) {
		json_decref(hdr);
		s2o_err_oom(err);
		return NULL;
	}
	json_decref(hdr);
	out = s2o_b64url_encode(h, strlen(h), err);
	free(h);
	return out;
}

char *
tok_jws_compact(const struct s2o_keyset *ks, const char *typ,
    const json_t *claims, const char *what, struct s2o_err *err)
{
	const struct tok_key	*k = &ks->keys[ks->active];
	const char		*h;
	char			*made = NULL, *c = NULL, *out = NULL;
	unsigned char		*sig = NULL;
	size_t			 hlen, clen, total, sig_len;
	struct s2o_buf		 b;

	s2o_buf_init(&b, ks->max_bytes);
	/* the key's headers were made at load; another typ is made now */
	h = strcmp(typ, "JWT") == 0 ? k->hdr_jwt :
	    strcmp(typ, "at+jwt") == 0 ? k->hdr_at : NULL;
	if (h == NULL && (h = made = tok_jws_header(k, typ, err)) == NULL)
		goto out;
	if ((c = json_dumps(claims, JSON_COMPACT)) == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	hlen = strlen(h);
	clen = strlen(c);
	total = hlen + 1 + b64url_len(clen) + 1 + b64url_len(k->sig_len);
	if (total > ks->max_bytes) {
		s2o_err_set(err, S2O_R_TOO_LARGE, "the %s would be %zu bytes, "
		    "over max_token_bytes %zu (its claims are %zu bytes of "
		    "JSON): map fewer or shorter claims into it", what, total,
		    ks->max_bytes, clen);
		goto out;
	}
	if (s2o_buf_add(&b, h, hlen, err) == -1 ||
	    s2o_buf_add(&b, ".", 1, err) == -1 ||
	    add_b64url(&b, c, clen, err) == -1)
		goto out;
	if ((sig = malloc(k->sig_len)) == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	if (tok_sign(k, b.data, b.len, sig, &sig_len, err) == -1 ||
	    s2o_buf_add(&b, ".", 1, err) == -1 ||
	    add_b64url(&b, sig, sig_len, err) == -1)
		goto out;
	out = s2o_buf_take(&b, NULL);
out:
	s2o_buf_cleanup(&b);
	free(sig);
	free(c);
	free(made);
	return out;
}
