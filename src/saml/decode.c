/* SPDX-License-Identifier: MIT */
/*
 * Step 1: size and decoding. A Response arrives as the base64 text of the
 * SAMLResponse form field (HTTP-POST binding, SAML Bindings 3.5.4: never
 * DEFLATE-compressed) or, from the CLI, as raw XML. The first non-blank
 * byte tells them apart: '<' starts a document, anything else must be
 * strict base64.
 */
#include <string.h>

#include "saml/saml_int.h"

char *
s2o_saml_decode(const char *input, size_t len, size_t max, size_t *outlen,
    struct s2o_err *err)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (input[i] != ' ' && input[i] != '\t' && input[i] != '\r' &&
		    input[i] != '\n')
			break;
	if (i == len) {
		s2o_err_set(err, S2O_R_MALFORMED, "the Response is empty");
		return NULL;
	}
	if (input[i] == '<') {
		if (len > max) {
			s2o_err_set(err, S2O_R_TOO_LARGE, "the Response is %zu "
			    "bytes, over the limit of %zu bytes", len, max);
			return NULL;
		}
		*outlen = len;
		return s2o_strndup(input, len, err);
	}
	/* base64 of at most max bytes is at most 4/3 max plus line breaks;
	 * refuse far larger input before decoding any of it */
	if (len / 2 > max) {
		s2o_err_set(err, S2O_R_TOO_LARGE, "the encoded Response is %zu "
		    "bytes, over the limit of %zu bytes decoded", len, max);
		return NULL;
	}
	return (char *)s2o_b64_decode(input, len, max, outlen, err);
}
