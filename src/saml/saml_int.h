/* SPDX-License-Identifier: MIT */
/*
 * Private to saml/: the parsed Response and the small DOM helpers every
 * stage uses. Element identity is always namespace URI + local name, never
 * a prefix.
 */
#ifndef S2O_SAML_INT_H
#define S2O_SAML_INT_H

#include <libxml/tree.h>
#include <xmlsec/keys.h>

#include "saml/saml.h"

#define S2O_NS_PROTOCOL	"urn:oasis:names:tc:SAML:2.0:protocol"
#define S2O_NS_ASSERTION "urn:oasis:names:tc:SAML:2.0:assertion"
#define S2O_NS_DSIG	"http://www.w3.org/2000/09/xmldsig#"
#define S2O_NS_XENC	"http://www.w3.org/2001/04/xmlenc#"
#define S2O_STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"

struct s2o_saml_response {
	xmlDocPtr	 doc;
	xmlNodePtr	 root;		/* samlp:Response */
	xmlNodePtr	 assertion;	/* the direct-child Assertion */
	xmlNodePtr	 encrypted;	/* or the EncryptedAssertion */
	xmlNodePtr	 signature;	/* ds:Signature child of root, or NULL */
	char		*issuer;	/* for choosing the connection */
	bool		 consumed;
};

/* decode.c: raw XML or base64 in, a NUL-terminated document out (caller
 * frees with free()). */
char		*s2o_saml_decode(const char *input, size_t len, size_t max,
		    size_t *outlen, struct s2o_err *err);

/* parse.c: a libxml2 document with no DTD, bounded depth, unique IDs
 * registered as ID attributes. Caller frees with xmlFreeDoc(). */
xmlDocPtr	 s2o_saml_xml_parse(const char *xml, size_t len,
		    struct s2o_err *err);
/* Checks and registers the IDs of a subtree (after decryption too). */
int		 s2o_saml_ids_register(xmlDocPtr doc, xmlNodePtr top,
		    struct s2o_err *err);
/* The first libxml2 or xmlsec message since the last reset (debug). */
const char	*s2o_saml_lib_message(void);
void		 s2o_saml_lib_message_reset(void);

/* shape.c */
int		 s2o_saml_shape_check(struct s2o_saml_response *r,
		    struct s2o_err *err);
/* Checks that the only Assertion and ds:Signature elements below top sit
 * where they may. */
int		 s2o_saml_shape_placement(const struct s2o_saml_response *r,
		    xmlNodePtr top, struct s2o_err *err);

/* verify.c */
int		 s2o_saml_signature_verify(const struct s2o_saml_trust *t,
		    const struct s2o_connection *conn, xmlNodePtr sig,
		    struct s2o_err *err);

/* verify.c: a trust made of a refreshed metadata's signing certificates
 * (copied), and one of conn's metadata_signing_certificate only. */
struct s2o_saml_trust *s2o_saml_trust_from_metadata(const struct s2o_sp *sp,
		    const struct s2o_connection *conn,
		    const struct s2o_idp_metadata *m, struct s2o_err *err);
struct s2o_saml_trust *s2o_saml_trust_signer(const struct s2o_connection *conn,
		    struct s2o_err *err);

/* decrypt.c: replaces r->encrypted by its Assertion in r->assertion. */
int		 s2o_saml_decrypt(struct s2o_saml_response *r,
		    const struct s2o_saml_trust *t, struct s2o_err *err);
/* Replaces the assertion's Subject EncryptedID by its NameID, if any. */
int		 s2o_saml_decrypt_name_id(struct s2o_saml_response *r,
		    const struct s2o_saml_trust *t, struct s2o_err *err);
/* The SP decryption key of a trust, or NULL (borrowed, xmlSecKeyPtr). */
void		*s2o_saml_trust_decryption_key(const struct s2o_saml_trust *t);

/* validate.c */
int		 s2o_saml_validate(const struct s2o_saml_response *r,
		    const struct s2o_saml_expect *exp, bool response_signed,
		    time_t *expires, struct s2o_err *err);

/* assertion.c: the verified facts of r->assertion. */
struct s2o_assertion *s2o_saml_assertion_read(const struct s2o_saml_response *r,
		    struct s2o_err *err);

/* request.c: the SP signing key for xmlsec, borrowed from k (never
 * destroy it, never hand it to a context that would); NULL when none is
 * loaded. */
xmlSecKeyPtr	 s2o_saml_sp_keys_xmlsec(const struct s2o_saml_sp_keys *k);
/* request.c: sign the template at sig with a borrowed key, which stays the
 * caller's; safe from several threads with one key. 0, or -1. */
int		 s2o_saml_sign_lent(xmlNodePtr sig, xmlSecKeyPtr key);
bool		 s2o_saml_sp_keys_present(const struct s2o_saml_sp_keys *k);

/* metadata.c: the IdP entity of a parsed metadata document (see
 * s2o_saml_idp_metadata_parse()). Caller frees with s2o_idp_metadata_free(). */
struct s2o_idp_metadata *s2o_saml_idp_metadata_read(xmlDocPtr doc,
		    const char *entity_id, const struct s2o_clock *clock,
		    struct s2o_err *err);

/* dom.c */
bool		 s2o_saml_is(const xmlNode *n, const char *ns, const char *name);
/* First element child with that name, or NULL. */
xmlNodePtr	 s2o_saml_child(const xmlNode *parent, const char *ns,
		    const char *name);
/* Number of element children with that name. */
size_t		 s2o_saml_count(const xmlNode *parent, const char *ns,
		    const char *name);
/* Borrowed value of an unqualified attribute, or NULL when absent. */
const char	*s2o_saml_prop(const xmlNode *n, const char *name);
/* All text of an element (comments skipped). Caller frees with free(). */
char		*s2o_saml_text(const xmlNode *n, struct s2o_err *err);
/* "{ns}name" or "prefix:name" for messages, into buf. */
const char	*s2o_saml_name(const xmlNode *n, char *buf, size_t size);

#endif
