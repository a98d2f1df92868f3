/* SPDX-License-Identifier: MIT */
/*
 * The pipeline of design §4, in order, over one Response. Each stage sets
 * its own reason; the first failure ends the run.
 */
#include <stdlib.h>

#include "saml/saml_int.h"

struct s2o_saml_response *
s2o_saml_response_parse(const char *input, size_t len, size_t max,
    struct s2o_err *err)
{
	struct s2o_saml_response	*r;
	char				*xml;
	size_t				 xlen;

	if ((xml = s2o_saml_decode(input, len, max, &xlen, err)) == NULL)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		free(xml);
		s2o_err_oom(err);
		return NULL;
	}
	r->doc = s2o_saml_xml_parse(xml, xlen, err);
	free(xml);
	if (r->doc == NULL || s2o_saml_shape_check(r, err) == -1) {
		s2o_saml_response_free(r);
		return NULL;
	}
	return r;
}

void
s2o_saml_response_free(struct s2o_saml_response *r)
{
	if (r == NULL)
		return;
	if (r->doc != NULL)
		xmlFreeDoc(r->doc);
	free(r->issuer);
	free(r);
}

const char *
s2o_saml_response_issuer(const struct s2o_saml_response *r)
{
	return r->issuer;
}

struct s2o_assertion *
s2o_saml_response_consume(struct s2o_saml_response *r,
    const struct s2o_saml_expect *exp, struct s2o_err *err)
{
	struct s2o_assertion	*a;
	xmlNodePtr		 asig;
	time_t			 expires = 0;
	bool			 response_signed = r->signature != NULL;

	if (r->consumed) {
		s2o_err_set(err, S2O_R_INTERNAL, "a Response is consumed once");
		return NULL;
	}
	r->consumed = true;
	/* Metadata 2.2.1: past its validUntil the metadata, and the keys it
	 * named, may no longer be trusted; a refresh brings new ones */
	if (s2o_saml_trust_valid_until(exp->trust) != 0 &&
	    s2o_clock_now(exp->clock) >= s2o_saml_trust_valid_until(
	    exp->trust)) {
		char ts[S2O_TIME_BUFSZ];

		s2o_err_set(err, S2O_R_EXPIRED, "the IdP metadata of connection "
		    "\"%s\" expired at %s (validUntil) and no newer copy could "
		    "be loaded", exp->conn->name, s2o_time_format(
		    s2o_saml_trust_valid_until(exp->trust), ts, sizeof(ts)));
		return NULL;
	}
	/* a Response signature covers the EncryptedAssertion as sent, so it
	 * is checked before decryption changes the tree */
	if (response_signed && s2o_saml_signature_verify(exp->trust,
	    exp->conn, r->signature, err) == -1)
		return NULL;
	if (r->encrypted != NULL && s2o_saml_decrypt(r, exp->trust, err) == -1)
		return NULL;
	asig = s2o_saml_child(r->assertion, S2O_NS_DSIG, "Signature");
	if (asig == NULL && !response_signed) {
		s2o_err_set(err, S2O_R_SIGNATURE_MISSING, "neither the Response "
		    "nor its Assertion is signed");
		return NULL;
	}
	if (asig != NULL && s2o_saml_signature_verify(exp->trust, exp->conn,
	    asig, err) == -1)
		return NULL;
	/* an EncryptedID is part of what the assertion signature covers */
	if (s2o_saml_decrypt_name_id(r, exp->trust, err) == -1)
		return NULL;
	/*
	 * From here on only r->assertion is read: the very node whose
	 * signature verified, or the single assertion of a verified Response.
	 * Looking it up again by ID or path would reopen wrapping attacks.
	 */
	if (s2o_saml_validate(r, exp, response_signed, &expires, err) == -1)
		return NULL;
	if ((a = s2o_saml_assertion_read(r, err)) == NULL)
		return NULL;
	a->not_on_or_after = expires;
	/* last: only an assertion that passed everything is remembered */
	if (exp->replay != NULL && exp->replay->mark(exp->replay->ctx, a->id,
	    expires, err) == -1) {
		s2o_assertion_free(a);
		return NULL;
	}
	return a;
}
