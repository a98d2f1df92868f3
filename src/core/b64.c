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

static int
b64_value(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
s2o_b64_looks_like(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++) {
		if (is_space((unsigned char)s[i]))
			continue;
		if (b64_value((unsigned char)s[i], false) < 0 && s[i] != '=')
			return false;
		n++;
	}
	return n > 0;
}

/*
 * Compacts in into a standard-alphabet, padded string in *out (caller
 * frees). url selects the base64url alphabet, which must come unpadded.
 */
static char *
b64_compact(const char *in, size_t inlen, bool url, size_t max,
    size_t *outlen, size_t *pad, struct s2o_err *err)
{
	char	*c;
	size_t	 i, n = 0, npad = 0, first_pad = 0;
	int	 v, last = 0;

	if ((c = malloc(inlen + 4)) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	for (i = 0; i < inlen; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (!url && is_space(ch))
			continue;
		if (!url && ch == '=') {
			if (npad++ == 0)
				first_pad = i;
			c[n++] = '=';
			continue;
		}
		if (npad > 0 || (v = b64_value(ch, url)) < 0) {
			free(c);
			s2o_err_set(err, S2O_R_MALFORMED, npad > 0 ?
			    "base64: data after padding at offset %zu" :
			    "base64: invalid character at offset %zu",
			    npad > 0 ? first_pad : i);
			return NULL;
		}
		last = v;
		c[n++] = url ? (char)(v == 62 ? '+' : v == 63 ? '/' : ch) :
		    (char)ch;
	}
	if (url) {
		if (n % 4 == 1)
			goto badlen;
		while (n % 4 != 0) {
			c[n++] = '=';
			npad++;
		}
	}
	if (n == 0 || n % 4 != 0)
		goto badlen;
	if (npad > 2) {	/* "Z===": the length is right, the padding is not */
		free(c);
		s2o_err_set(err, S2O_R_MALFORMED, "base64: too much padding");
		return NULL;
	}
	/* the unused low bits of the last symbol must be zero (RFC 4648 §3.5) */
	if ((npad == 1 && (last & 0x03) != 0) ||
	    (npad == 2 && (last & 0x0f) != 0)) {
		free(c);
		s2o_err_set(err, S2O_R_MALFORMED, "base64: non-zero pad bits");
		return NULL;
	}
	if (n / 4 * 3 - npad > max) {
		free(c);
		s2o_err_set(err, S2O_R_TOO_LARGE,
		    "decoded input exceeds the limit of %zu bytes", max);
		return NULL;
	}
	c[n] = '\0';
	*outlen = n;
	*pad = npad;
	return c;
badlen:
	free(c);
	s2o_err_set(err, S2O_R_MALFORMED, n == 0 ? "base64: empty input" :
	    "base64: length is not a multiple of 4");
	return NULL;
}

static unsigned char *
b64_decode(const char *in, size_t inlen, bool url, size_t max,
    size_t *outlen, struct s2o_err *err)
{
	unsigned char	*out;
	char		*c;
	size_t		 clen, pad;
	int		 n;

	if ((c = b64_compact(in, inlen, url, max, &clen, &pad, err)) == NULL)
		return NULL;
	if (clen > INT_MAX || (out = malloc(clen / 4 * 3 + 1)) == NULL) {
		free(c);
		s2o_err_oom(err);
		return NULL;
	}
	n = EVP_DecodeBlock(out, (unsigned char *)c, (int)clen);
	free(c);
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
