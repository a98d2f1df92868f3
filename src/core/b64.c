/* SPDX-License-Identifier: MIT */
/*
 * Strict base64 and base64url. We validate and decode the text ourselves
 * in one pass (alphabet, padding only at the end, zero pad bits, so one
 * value has one encoding) and let OpenSSL's EVP_EncodeBlock encode.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
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
 * One table lookup per input byte: a posted SAMLResponse is 5 to 80 KB of
 * base64, decoded on every login. Each table maps a byte to its value (0
 * to 63), B64_SPACE (standard alphabet only), B64_PAD (standard only) or
 * B64_BAD; both are filled once from b64_value.
 */
enum { B64_BAD = -1, B64_SPACE = 64, B64_PAD = 65 };
static signed char	b64_std[256], b64_url[256];
static pthread_once_t	b64_once = PTHREAD_ONCE_INIT;

static void
b64_tables(void)
{
	for (int c = 0; c < 256; c++) {
		b64_std[c] = (signed char)b64_value((unsigned char)c, false);
		b64_url[c] = (signed char)b64_value((unsigned char)c, true);
		if (is_space((unsigned char)c))
			b64_std[c] = B64_SPACE;
	}
	b64_std['='] = B64_PAD;
}

/*
 * Checks and decodes in one pass. The text is strict: the alphabet only
 * (white space skipped in the standard one), padding only at the end and
 * only in the standard alphabet, which must come padded while base64url
 * must not, and zero pad bits, so one value has one encoding. Caller
 * frees *out.
 */
static unsigned char *
b64_decode(const char *in, size_t inlen, bool url, size_t max,
    size_t *outlen, struct s2o_err *err)
{
	const signed char	*table;
	unsigned char		*out;
	unsigned int		 quad = 0;
	size_t			 i, n = 0, o = 0, npad = 0, first_pad = 0, q = 0;
	int			 v, last = 0;

	pthread_once(&b64_once, b64_tables);
	table = url ? b64_url : b64_std;
	if (inlen > SIZE_MAX / 3 - 4 ||
	    (out = malloc(inlen / 4 * 3 + 4)) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	for (i = 0; i < inlen; i++) {
		v = table[(unsigned char)in[i]];
		if (v < B64_SPACE && v >= 0 && npad == 0) {
			quad = quad << 6 | (unsigned int)v;
			last = v;
			n++;
			if (++q == 4) {
				out[o++] = (unsigned char)(quad >> 16);
				out[o++] = (unsigned char)(quad >> 8);
				out[o++] = (unsigned char)quad;
				quad = 0;
				q = 0;
			}
			continue;
		}
		if (v == B64_SPACE)
			continue;
		if (v == B64_PAD) {
			if (npad++ == 0)
				first_pad = i;
			n++;
			continue;
		}
		free(out);
		s2o_err_set(err, S2O_R_MALFORMED, npad > 0 ?
		    "base64: data after padding at offset %zu" :
		    "base64: invalid character at offset %zu",
		    npad > 0 ? first_pad : i);
		return NULL;
	}
	if (url) {
		if (n % 4 == 1)
			goto badlen;
		while (n % 4 != 0) {
			n++;
			npad++;
		}
	}
	if (n == 0 || n % 4 != 0)
		goto badlen;
	if (npad > 2) {	/* "Z===": the length is right, the padding is not */
		free(out);
		s2o_err_set(err, S2O_R_MALFORMED, "base64: too much padding");
		return NULL;
	}
	/* the unused low bits of the last symbol must be zero (RFC 4648 §3.5) */
	if ((npad == 1 && (last & 0x03) != 0) ||
	    (npad == 2 && (last & 0x0f) != 0)) {
		free(out);
		s2o_err_set(err, S2O_R_MALFORMED, "base64: non-zero pad bits");
		return NULL;
	}
	if (n / 4 * 3 - npad > max) {
		free(out);
		s2o_err_set(err, S2O_R_TOO_LARGE,
		    "decoded input exceeds the limit of %zu bytes", max);
		return NULL;
	}
	/* the last, padded quantum: 2 symbols give 1 byte, 3 give 2 */
	if (q == 2) {
		out[o++] = (unsigned char)(quad >> 4);
	} else if (q == 3) {
		out[o++] = (unsigned char)(quad >> 10);
		out[o++] = (unsigned char)(quad >> 2);
	}
	out[o] = '\0';
	*outlen = o;
	return out;
badlen:
	free(out);
	s2o_err_set(err, S2O_R_MALFORMED, n == 0 ? "base64: empty input" :
	    "base64: length is not a multiple of 4");
	return NULL;
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
