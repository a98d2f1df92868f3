/* SPDX-License-Identifier: MIT */
/*
 * Step 3: shape. Before any key is used, the Response must have the one
 * shape a strict SP accepts (design §4.3): a samlp:Response root of SAML
 * 2.0 with an ID, a successful top-level Status, exactly one Assertion or
 * EncryptedAssertion as a direct child, and no Assertion or ds:Signature
 * anywhere else. XML Signature Wrapping works by hiding a genuinely signed
 * element where a verifier finds it while the consumer reads another; a
 * document with elements in such places is refused here, whatever its
 * signatures say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saml/saml_int.h"

/* The top-level Status must be Success (SAML Core 3.2.2.2). */
static int
check_status(const xmlNode *root, struct s2o_err *err)
{
	xmlNodePtr	 status, code, sub, msg;
	const char	*v, *subv;
	char		 m[120], c1[120], c2[120];
	char		*text;

	if ((status = s2o_saml_child(root, S2O_NS_PROTOCOL, "Status")) == NULL)
		return s2o_err_set(err, S2O_R_STATUS_FAILED,
		    "the Response has no Status");
	if ((code = s2o_saml_child(status, S2O_NS_PROTOCOL, "StatusCode")) ==
	    NULL || (v = s2o_saml_prop(code, "Value")) == NULL)
		return s2o_err_set(err, S2O_R_STATUS_FAILED,
		    "the Response Status has no StatusCode Value");
	if (strcmp(v, S2O_STATUS_SUCCESS) == 0)
		return 0;
	sub = s2o_saml_child(code, S2O_NS_PROTOCOL, "StatusCode");
	subv = sub ? s2o_saml_prop(sub, "Value") : NULL;
	msg = s2o_saml_child(status, S2O_NS_PROTOCOL, "StatusMessage");
	text = msg ? s2o_saml_text(msg, err) : NULL;
	s2o_err_set(err, S2O_R_STATUS_FAILED, "the IdP answered StatusCode "
	    "%s%s%s%s%s%s%s", s2o_str_excerpt(c1, sizeof(c1), v, 100),
	    subv ? " / " : "", subv ? s2o_str_excerpt(c2, sizeof(c2), subv,
	    100) : "", text ? ": StatusMessage \"" : "",
	    text ? s2o_str_excerpt(m, sizeof(m), text, 100) : "",
	    text ? "\"" : "", "");
	free(text);
	return -1;
}

int
s2o_saml_shape_placement(const struct s2o_saml_response *r, xmlNodePtr top,
    struct s2o_err *err)
{
	xmlNodePtr	n = top;
	char		pn[64];

	while (n != NULL) {
		/* XSW1/XSW2 hide the signed Response inside a forged one */
		if (s2o_saml_is(n, S2O_NS_PROTOCOL, "Response") &&
		    n != r->root)
			return s2o_err_set(err, S2O_R_WRAPPING,
			    "a Response nested inside %s; only the document "
			    "root may be a Response",
			    s2o_saml_name(n->parent, pn, sizeof(pn)));
		if (s2o_saml_is(n, S2O_NS_ASSERTION, "Assertion") &&
		    n->parent != r->root)
			return s2o_err_set(err, S2O_R_WRAPPING,
			    "an Assertion inside %s; only a direct child of "
			    "the Response is accepted",
			    s2o_saml_name(n->parent, pn, sizeof(pn)));
		if (s2o_saml_is(n, S2O_NS_DSIG, "Signature") &&
		    n->parent != r->root &&
		    !(s2o_saml_is(n->parent, S2O_NS_ASSERTION, "Assertion") &&
		    n->parent->parent == r->root))
			return s2o_err_set(err, S2O_R_WRAPPING,
			    "a ds:Signature inside %s; only the Response and "
			    "its Assertion may be signed",
			    s2o_saml_name(n->parent, pn, sizeof(pn)));
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n != top && n->next == NULL)
			n = n->parent;
		if (n == NULL || n == top)
			break;
		n = n->next;
	}
	return 0;
}

static int
read_issuer(struct s2o_saml_response *r, struct s2o_err *err)
{
	xmlNodePtr	iss;

	iss = s2o_saml_child(r->root, S2O_NS_ASSERTION, "Issuer");
	if (iss == NULL && r->assertion != NULL)
		iss = s2o_saml_child(r->assertion, S2O_NS_ASSERTION, "Issuer");
	if (iss == NULL)
		return 0;
	return (r->issuer = s2o_saml_text(iss, err)) == NULL ? -1 : 0;
}

int
s2o_saml_shape_check(struct s2o_saml_response *r, struct s2o_err *err)
{
	xmlNodePtr	 c;
	const char	*v;
	char		 name[96];
	size_t		 nassert = 0, nsigned = 0, nsig;

	r->root = xmlDocGetRootElement(r->doc);
	if (!s2o_saml_is(r->root, S2O_NS_PROTOCOL, "Response"))
		return s2o_err_set(err, S2O_R_MALFORMED, "the root element is "
		    "%s, not a SAML 2.0 protocol Response",
		    s2o_saml_name(r->root, name, sizeof(name)));
	if ((v = s2o_saml_prop(r->root, "Version")) == NULL ||
	    strcmp(v, "2.0") != 0)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the Response Version is not 2.0");
	if ((v = s2o_saml_prop(r->root, "ID")) == NULL || *v == '\0')
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the Response has no ID");
	/* a failed Status needs no trust to report: say what the IdP said */
	if (check_status(r->root, err) == -1)
		return -1;
	if ((nsig = s2o_saml_count(r->root, S2O_NS_DSIG, "Signature")) > 1)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the Response carries %zu ds:Signature elements; the "
		    "schema allows one", nsig);
	r->signature = s2o_saml_child(r->root, S2O_NS_DSIG, "Signature");
	for (c = r->root->children; c != NULL; c = c->next) {
		if (s2o_saml_is(c, S2O_NS_ASSERTION, "Assertion")) {
			nassert++;
			if (s2o_saml_child(c, S2O_NS_DSIG, "Signature"))
				nsigned++;
			r->assertion = c;
		} else if (s2o_saml_is(c, S2O_NS_ASSERTION,
		    "EncryptedAssertion")) {
			nassert++;
			r->encrypted = c;
		}
	}
	if (nassert == 0)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the Response carries no Assertion");
	if (nassert > 1)
		/* one signed assertion beside others is the wrapping pattern */
		return s2o_err_set(err, nsigned > 0 ? S2O_R_WRAPPING :
		    S2O_R_MALFORMED, "the Response carries %zu assertions; "
		    "exactly one is accepted", nassert);
	if (r->assertion != NULL && s2o_saml_count(r->assertion,
	    S2O_NS_DSIG, "Signature") > 1)
		return s2o_err_set(err, S2O_R_MALFORMED, "the Assertion "
		    "carries more than one ds:Signature; the schema allows one");
	if (s2o_saml_shape_placement(r, r->root, err) == -1)
		return -1;
	return read_issuer(r, err);
}
