/* SPDX-License-Identifier: MIT */
/*
 * Strict base64 and base64url. We validate the text ourselves (alphabet,
 * padding only at the end, zero pad bits, so one value has one encoding)
 * and let OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock do the arithmetic.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/core.h"

/*
 * What each byte is, one table per alphabet (RFC 4648 §4 and §5): a
 * symbol's value plus one, PD for the pad '=', SP for white space, 0 for
 * anything else (every byte from 0x80 up). One lookup per byte, no
 * branch on the character's range: the SAMLResponse of every login goes
 * through here, some 7,000 bytes of it.
 */
#define PD	65
#define SP	66

static const unsigned char std_class[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0, SP, SP,  0,  0, SP,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	SP,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,  0, 64,
	53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0, PD,  0,  0,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0,  0,
	 0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
};

static const unsigned char url_class[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,
	53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0, 64,
	 0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
};

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool
s2o_b64_looks_like(const char *s, size_t len)
{
	size_t		i, n = 0;
	unsigned int	k;

	for (i = 0; i < len; i++) {
		k = std_class[(unsigned char)s[i]];
		if (k == 0)
			return false;
		if (k != SP)
			n++;
	}
	return n > 0;
}

/*
 * Checks in and returns the standard-alphabet, padded text to decode, of
 * *clen bytes with *pad of them '=': in itself when it is that already
 * (the common case: a run of symbols, then its padding), else a compacted
 * copy in *copy, which the caller frees. url selects the base64url
 * alphabet, which must come unpadded. NULL with err when in is not
 * strict base64 or decodes to more than max bytes.
 */
static const char *
b64_prepare(const char *in, size_t inlen, bool url, size_t max,
    size_t *clen, size_t *pad, char **copy, struct s2o_err *err)
{
	const unsigned char	*cls = url ? url_class : std_class;
	const char		*c = in;
	char			*w;
	size_t			 i, n, npad = 0, first_pad = 0;
	unsigned int		 k, last = 0;

	*copy = NULL;
	for (i = 0; i < inlen && cls[(unsigned char)in[i]] - 1u < 64; i++)
		continue;
	n = i;
	while (!url && i < inlen && in[i] == '=')
		i++;
	npad = i - n;
	n = i;
	if (i < inlen || url) {
		/* white space, a stray byte or base64url: symbol by symbol */
		if ((w = malloc(inlen + 4)) == NULL) {
			s2o_err_oom(err);
			return NULL;
		}
		*copy = w;
		c = w;
		n = npad = 0;
		for (i = 0; i < inlen; i++) {
			k = cls[(unsigned char)in[i]];
			if (k - 1 < 64 && npad == 0) {	/* a symbol */
				w[n++] = std_alphabet[k - 1];
				continue;
			}
			if (k == SP)
				continue;
			if (k == PD) {
				if (npad++ == 0)
					first_pad = i;
				w[n++] = '=';
				continue;
			}
			s2o_err_set(err, S2O_R_MALFORMED, npad > 0 ?
			    "base64: data after padding at offset %zu" :
			    "base64: invalid character at offset %zu",
			    npad > 0 ? first_pad : i);
			goto fail;
		}
		if (url) {
			if (n % 4 == 1)
				goto badlen;
			while (n % 4 != 0) {
				w[n++] = '=';
				npad++;
			}
		}
		w[n] = '\0';
	}
	if (n == 0 || n % 4 != 0)
		goto badlen;
	if (npad > 2) {	/* "Z===": the length is right, the padding is not */
		s2o_err_set(err, S2O_R_MALFORMED, "base64: too much padding");
		goto fail;
	}
	/* the unused low bits of the last symbol must be zero (RFC 4648 §3.5) */
	if (npad > 0)
		last = std_class[(unsigned char)c[n - npad - 1]] - 1u;
	if ((npad == 1 && (last & 0x03) != 0) ||
	    (npad == 2 && (last & 0x0f) != 0)) {
		s2o_err_set(err, S2O_R_MALFORMED, "base64: non-zero pad bits");
		goto fail;
	}
	if (n / 4 * 3 - npad > max) {
		s2o_err_set(err, S2O_R_TOO_LARGE,
		    "decoded input exceeds the limit of %zu bytes", max);
		goto fail;
	}
	*clen = n;
	*pad = npad;
	return c;
badlen:
	s2o_err_set(err, S2O_R_MALFORMED, n == 0 ? "base64: empty input" :
	    "base64: length is not a multiple of 4");
fail:
	free(*copy);
	*copy = NULL;
	return NULL;
}

static unsigned char *
b64_decode(const char *in, size_t inlen, bool url, size_t max,
    size_t *outlen, struct s2o_err *err)
{
	unsigned char	*out;
	const char	*c;
	char		*copy;
	size_t		 clen, pad;
	int		 n;

	if ((c = b64_prepare(in, inlen, url, max, &clen, &pad, &copy,
	    err)) == NULL)
		return NULL;
	if (clen > INT_MAX || (out = malloc(clen / 4 * 3 + 1)) == NULL) {
		free(copy);
		s2o_err_oom(err);
		return NULL;
	}
	n = EVP_DecodeBlock(out, (const unsigned char *)c, (int)clen);
	free(copy);
	if (n < 0 || (size_t)n < pad) {
		free(out);
		s2o_err_set(err, S2O_R_MALFORMED, "base64: cannot decode");
		return NULL;
	}
	*outlen = (size_t)n - pad;
	out[*outlen] = '\0';
	return out;
}

unsigned char *
s2o_b64_decode(const char *in, size_t inlen, size_t max, size_t *outlen,
    struct s2o_err *err)
{
	return b64_decode(in, inlen, false, max, outlen, err);
}

unsigned char *
s2o_b64url_decode(const char *in, size_t inlen, size_t max, size_t *outlen,
    struct s2o_err *err)
{
	return b64_decode(in, inlen, true, max, outlen, err);
}

char *
s2o_b64_encode(const void *in, size_t inlen, struct s2o_err *err)
{
	char	*out;

	if (inlen > (size_t)INT_MAX / 4 * 3 - 3 ||
	    (out = malloc((inlen + 2) / 3 * 4 + 1)) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *)out, in, (int)inlen);
	return out;
}

char *
s2o_b64url_encode(const void *in, size_t inlen, struct s2o_err *err)
{
	char	*out, *p;
	size_t	 n;

	if ((out = s2o_b64_encode(in, inlen, err)) == NULL)
		return NULL;
	n = strlen(out);
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (p = out; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	return out;
}
