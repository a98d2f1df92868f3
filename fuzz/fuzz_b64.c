/* SPDX-License-Identifier: MIT */
/*
 * Strict base64 and base64url: decoding arbitrary text must never crash,
 * and whatever decodes must encode back to the same symbols (one value,
 * one encoding: RFC 4648 §3.5).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "fuzz/fuzz.h"

static void
roundtrip(const char *in, size_t len, bool url)
{
	struct s2o_err	 err;
	unsigned char	*dec;
	char		*enc;
	size_t		 n, i, j;

	s2o_err_clear(&err);
	dec = url ? s2o_b64url_decode(in, len, 1u << 20, &n, &err) :
	    s2o_b64_decode(in, len, 1u << 20, &n, &err);
	if (dec == NULL)
		return;
	enc = url ? s2o_b64url_encode(dec, n, &err) :
	    s2o_b64_encode(dec, n, &err);
	if (enc != NULL) {
		/* compare with the input less its white space */
		for (i = 0, j = 0; i < len; i++) {
			if (!url && strchr(" \t\r\n", in[i]) != NULL)
				continue;
			if (enc[j++] != in[i])
				abort();
		}
		if (enc[j] != '\0')
			abort();
	}
	free(enc);
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	roundtrip(s, size, false);
	roundtrip(s, size, true);
	free(s);
	return 0;
}
