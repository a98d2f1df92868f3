/* SPDX-License-Identifier: MIT */
/*
 * Signs benchmark Responses the way an IdP does: the template below is
 * filled in, parsed, its Assertion's ID registered and the enveloped
 * signature computed by xmlsec with a key loaded once. The document looks
 * like the committed signed-assertion fixture (the corp attributes, an
 * X509Certificate in KeyInfo), about 5 KB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/crypto.h>

#include "core/core.h"
#include "bench/sign.h"

#define NS_A	"urn:oasis:names:tc:SAML:2.0:assertion"
#define CLAIMS	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
#define GROUPS	"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
#define AF_URI	"urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

struct bsign {
	xmlSecKeyPtr	 key;
	const char	*alg;	/* SignatureMethod */
};

static void
fail(const char *what)
{
	fprintf(stderr, "bench sign: %s\n", what);
	exit(1);
}

struct bsign *
bsign_new(const char *key_file, const char *cert_file)
{
	struct bsign	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fail("out of memory");
	s->key = xmlSecCryptoAppKeyLoad(key_file, xmlSecKeyDataFormatPem,
	    NULL, NULL, NULL);
	if (s->key == NULL || xmlSecCryptoAppKeyCertLoad(s->key, cert_file,
	    xmlSecKeyDataFormatPem) < 0)
		fail(key_file);
	s->alg = xmlSecKeyDataCheckId(xmlSecKeyGetValue(s->key),
	    xmlSecOpenSSLKeyDataRsaId) ?
	    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" :
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
	return s;
}

void
bsign_free(struct bsign *s)
{
	if (s == NULL)
		return;
	xmlSecKeyDestroy(s->key);
	free(s);
}

static void
instant(char out[32], time_t t)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
attr(struct s2o_buf *b, const char *name, const char *value,
    struct s2o_err *err)
{
	s2o_buf_printf(b, err, "<saml:Attribute Name=\"%s\" NameFormat=\""
	    AF_URI "\"><saml:AttributeValue>%s</saml:AttributeValue>"
	    "</saml:Attribute>", name, value);
}

/* The unsigned Response, with an empty signature template. */
static char *
template(const struct bsign *s, const struct bsign_doc *d)
{
	struct s2o_buf	b;
	struct s2o_err	err;
	char		now[32], before[32], later[32];

	s2o_err_clear(&err);
	instant(now, d->now);
	instant(before, d->now - 30);
	instant(later, d->now + 300);
	s2o_buf_init(&b, 1u << 22);
	s2o_buf_printf(&b, &err, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:"
	    "protocol\" ID=\"%s\" Version=\"2.0\" IssueInstant=\"%s\" "
	    "Destination=\"https://bridge.example.test/saml/acs\" "
	    "InResponseTo=\"%s\"><saml:Issuer xmlns:saml=\"" NS_A "\">%s"
	    "</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"urn:oasis:"
	    "names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
	    "<saml:Assertion xmlns:saml=\"" NS_A "\" ID=\"%s\" IssueInstant="
	    "\"%s\" Version=\"2.0\"><saml:Issuer>%s</saml:Issuer>",
	    d->response_id, now, d->in_response_to, d->issuer,
	    d->assertion_id, now, d->issuer);
	s2o_buf_printf(&b, &err, "<ds:Signature xmlns:ds=\"http://www.w3.org/"
	    "2000/09/xmldsig#\"><ds:SignedInfo><ds:CanonicalizationMethod "
	    "Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
	    "<ds:SignatureMethod Algorithm=\"%s\"/><ds:Reference URI=\"#%s\">"
	    "<ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/"
	    "09/xmldsig#enveloped-signature\"/><ds:Transform Algorithm=\""
	    "http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>"
	    "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#"
	    "sha256\"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>"
	    "<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo>"
	    "</ds:Signature>", s->alg, d->assertion_id);
	s2o_buf_printf(&b, &err, "<saml:Subject><saml:NameID Format=\"urn:"
	    "oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">"
	    "alice@example.test</saml:NameID><saml:SubjectConfirmation "
	    "Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
	    "<saml:SubjectConfirmationData InResponseTo=\"%s\" NotOnOrAfter="
	    "\"%s\" Recipient=\"https://bridge.example.test/saml/acs\"/>"
	    "</saml:SubjectConfirmation></saml:Subject><saml:Conditions "
	    "NotBefore=\"%s\" NotOnOrAfter=\"%s\"><saml:AudienceRestriction>"
	    "<saml:Audience>https://bridge.example.test/saml</saml:Audience>"
	    "</saml:AudienceRestriction></saml:Conditions>"
	    "<saml:AttributeStatement>", d->in_response_to, later, before,
	    later);
	attr(&b, CLAIMS "emailaddress", "alice@example.test", &err);
	attr(&b, CLAIMS "givenname", "Alice", &err);
	attr(&b, CLAIMS "surname", "Martin", &err);
	attr(&b, CLAIMS "name", "Alice Martin", &err);
	s2o_buf_printf(&b, &err, "<saml:Attribute Name=\"" GROUPS "\" "
	    "NameFormat=\"" AF_URI "\"><saml:AttributeValue>staff"
	    "</saml:AttributeValue><saml:AttributeValue>engineering"
	    "</saml:AttributeValue>");
	for (unsigned int i = 0; i < d->ngroups; i++)
		s2o_buf_printf(&b, &err, "<saml:AttributeValue>group-%03u"
		    "</saml:AttributeValue>", i);
	s2o_buf_printf(&b, &err, "</saml:Attribute></saml:AttributeStatement>"
	    "<saml:AuthnStatement AuthnInstant=\"%s\" SessionIndex=\"_sidx%s\">"
	    "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:"
	    "SAML:2.0:ac:classes:PasswordProtectedTransport"
	    "</saml:AuthnContextClassRef></saml:AuthnContext>"
	    "</saml:AuthnStatement></saml:Assertion></samlp:Response>\n",
	    before, d->assertion_id);
	if (s2o_err_is_set(&err))
		fail(err.detail);
	return s2o_buf_take(&b, NULL);
}

char *
bsign_response(struct bsign *s, const struct bsign_doc *d, size_t *len)
{
	xmlDocPtr		 doc;
	xmlNodePtr		 a, sig;
	xmlAttrPtr		 id;
	xmlSecDSigCtxPtr	 ctx;
	xmlChar			*xml;
	char			*text, *out;
	int			 n;

	text = template(s, d);
	doc = xmlReadMemory(text, (int)strlen(text), "bench.xml", NULL,
	    XML_PARSE_NONET);
	free(text);
	if (doc == NULL)
		fail("template is not well-formed");
	for (a = xmlDocGetRootElement(doc)->children; a != NULL; a = a->next)
		if (a->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(a->name, BAD_CAST "Assertion"))
			break;
	if (a == NULL || (id = xmlHasProp(a, BAD_CAST "ID")) == NULL ||
	    xmlAddID(NULL, doc, id->children->content, id) == NULL ||
	    (sig = xmlSecFindNode(a, xmlSecNodeSignature,
	    xmlSecDSigNs)) == NULL)
		fail("template has no Assertion ID or Signature");
	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL)
		fail("xmlSecDSigCtxCreate");
	/* borrowed for the one signature: no duplicate of the certificate */
	ctx->signKey = s->key;
	if (xmlSecDSigCtxSign(ctx, sig) < 0)
		fail("xmlSecDSigCtxSign");
	ctx->signKey = NULL;
	xmlSecDSigCtxDestroy(ctx);
	xmlDocDumpMemory(doc, &xml, &n);
	xmlFreeDoc(doc);
	if (xml == NULL || (out = malloc((size_t)n + 1)) == NULL)
		fail("out of memory");
	memcpy(out, xml, (size_t)n + 1);
	xmlFree(xml);
	*len = (size_t)n;
	return out;
}
