/* SPDX-License-Identifier: MIT */
/*
 * The bridge's own SAML metadata (Metadata for SAML 2.0, §2.4.4): one
 * EntityDescriptor with an SPSSODescriptor that gives IdPs the SP entity
 * ID, the assertion consumer service (HTTP-POST), the signing and
 * encryption certificates, the NameID formats the connections ask for,
 * and whether requests are signed and assertions must be. Optionally
 * signed with the SP key (enveloped, exclusive c14n, RSA-SHA256), the way
 * federations expect. `saml2oidc metadata` prints it; /saml/metadata will
 * serve the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <libxml/xmlsave.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>

#include "saml/saml_int.h"

#define NS_MD		"urn:oasis:names:tc:SAML:2.0:metadata"
#define BINDING_POST	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

/* The base64 body of a PEM certificate, on one line. Caller frees. */
static char *
cert_base64(const struct s2o_pem *pem, struct s2o_err *err)
{
	BIO		*bio;
	X509		*x = NULL;
	unsigned char	*der = NULL;
	char		*out = NULL;
	int		 len;

	if ((bio = BIO_new_mem_buf(pem->data, (int)pem->len)) != NULL) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (x == NULL || (len = i2d_X509(x, &der)) <= 0)
		s2o_err_set(err, S2O_R_KEY_UNUSABLE, "%s: not a certificate",
		    pem->path);
	else
		out = s2o_b64_encode(der, (size_t)len, err);
	OPENSSL_free(der);
	X509_free(x);
	return out;
}

static int
add_key_descriptor(xmlNodePtr sso, xmlNsPtr md, const char *use,
    const struct s2o_pem *pem, struct s2o_err *err)
{
	xmlNodePtr	 kd, ki, xd;
	xmlNsPtr	 ds;
	char		*b64;

	if (pem->data == NULL)
		return 0;
	if ((b64 = cert_base64(pem, err)) == NULL)
		return -1;
	kd = xmlNewChild(sso, md, BAD_CAST "KeyDescriptor", NULL);
	xmlNewProp(kd, BAD_CAST "use", BAD_CAST use);
	ki = xmlNewChild(kd, NULL, BAD_CAST "KeyInfo", NULL);
	ds = xmlNewNs(ki, BAD_CAST S2O_NS_DSIG, BAD_CAST "ds");
	xmlSetNs(ki, ds);
	xd = xmlNewChild(ki, ds, BAD_CAST "X509Data", NULL);
	xmlNewTextChild(xd, ds, BAD_CAST "X509Certificate", BAD_CAST b64);
	free(b64);
	return 0;
}

/* The distinct NameIDPolicy formats of the connections, in their order. */
static void
add_name_id_formats(xmlNodePtr sso, xmlNsPtr md, const struct s2o_config *cfg)
{
	size_t	i, j;
	bool	seen;

	for (i = 0; i < cfg->nconnections; i++) {
		const char *f = cfg->connections[i].name_id_format;

		if (f == NULL)
			continue;
		for (seen = false, j = 0; j < i && !seen; j++)
			seen = cfg->connections[j].name_id_format != NULL &&
			    strcmp(cfg->connections[j].name_id_format, f) == 0;
		if (!seen)
			xmlNewTextChild(sso, md, BAD_CAST "NameIDFormat",
			    BAD_CAST f);
	}
}

static int
sign(xmlDocPtr doc, xmlNodePtr root, const char *id,
    const struct s2o_saml_sp_keys *keys, struct s2o_err *err)
{
	xmlSecDSigCtxPtr	 ctx = NULL;
	xmlNodePtr		 sig, ref, ki;
	char			 uri[80];
	int			 rc = -1;

	snprintf(uri, sizeof(uri), "#%s", id);
	sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
	    xmlSecTransformRsaSha256Id, NULL, BAD_CAST "ds");
	/* Metadata schema: ds:Signature is the descriptor's first child */
	if (sig == NULL || (root->children != NULL ?
	    xmlAddPrevSibling(root->children, sig) : xmlAddChild(root, sig)) ==
	    NULL || (ref = xmlSecTmplSignatureAddReference(sig,
	    xmlSecTransformSha256Id, NULL, BAD_CAST uri, NULL)) == NULL ||
	    xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ==
	    NULL || xmlSecTmplReferenceAddTransform(ref,
	    xmlSecTransformExclC14NId) == NULL ||
	    (ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) == NULL ||
	    xmlSecTmplKeyInfoAddX509Data(ki) == NULL) {
		s2o_err_oom(err);
		return -1;
	}
	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL ||
	    (ctx->signKey = s2o_saml_sp_keys_xmlsec(keys)) == NULL ||
	    xmlSecDSigCtxSign(ctx, sig) < 0)
		s2o_err_set(err, S2O_R_INTERNAL, "cannot sign the metadata");
	else
		rc = 0;
	if (ctx != NULL)
		xmlSecDSigCtxDestroy(ctx);
	return rc;
}

char *
s2o_saml_sp_metadata(const struct s2o_config *cfg,
    const struct s2o_saml_sp_keys *keys, bool signed_, struct s2o_err *err)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, sso, acs;
	xmlNsPtr	 md;
	xmlAttrPtr	 ida;
	xmlBufferPtr	 buf = NULL;
	xmlSaveCtxtPtr	 save;
	unsigned char	 rnd[16];
	char		 id[40], *out = NULL;
	bool		 sign_requests = false;
	size_t		 i;

	if (signed_ && (keys == NULL || !s2o_saml_sp_keys_present(keys))) {
		s2o_err_set(err, S2O_R_KEY_UNUSABLE, "signed metadata needs "
		    "sp.signing_key_file and sp.signing_certificate_file");
		return NULL;
	}
	for (i = 0; i < cfg->nconnections; i++)
		sign_requests |= cfg->connections[i].sign_requests;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		s2o_err_set(err, S2O_R_INTERNAL, "no random bytes");
		return NULL;
	}
	id[0] = '_';
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(id + 1 + 2 * i, 3, "%02x", rnd[i]);
	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
	    (root = xmlNewDocNode(doc, NULL, BAD_CAST "EntityDescriptor",
	    NULL)) == NULL) {
		xmlFreeDoc(doc);
		s2o_err_oom(err);
		return NULL;
	}
	xmlDocSetRootElement(doc, root);
	md = xmlNewNs(root, BAD_CAST NS_MD, BAD_CAST "md");
	xmlSetNs(root, md);
	xmlNewProp(root, BAD_CAST "entityID", BAD_CAST cfg->sp.entity_id);
	if (signed_ && ((ida = xmlNewProp(root, BAD_CAST "ID", BAD_CAST id)) ==
	    NULL || xmlAddID(NULL, doc, BAD_CAST id, ida) == NULL))
		goto oom;
	sso = xmlNewChild(root, md, BAD_CAST "SPSSODescriptor", NULL);
	if (sso == NULL)
		goto oom;
	xmlNewProp(sso, BAD_CAST "AuthnRequestsSigned",
	    BAD_CAST (sign_requests ? "true" : "false"));
	/* every assertion must be signed: design §4.5 refuses others */
	xmlNewProp(sso, BAD_CAST "WantAssertionsSigned", BAD_CAST "true");
	xmlNewProp(sso, BAD_CAST "protocolSupportEnumeration",
	    BAD_CAST "urn:oasis:names:tc:SAML:2.0:protocol");
	if (add_key_descriptor(sso, md, "signing", &cfg->sp.signing_certificate,
	    err) == -1 || add_key_descriptor(sso, md, "encryption",
	    &cfg->sp.decryption_certificate, err) == -1)
		goto fail;
	add_name_id_formats(sso, md, cfg);
	acs = xmlNewChild(sso, md, BAD_CAST "AssertionConsumerService", NULL);
	xmlNewProp(acs, BAD_CAST "Binding", BAD_CAST BINDING_POST);
	xmlNewProp(acs, BAD_CAST "Location", BAD_CAST cfg->sp.acs_url);
	xmlNewProp(acs, BAD_CAST "index", BAD_CAST "0");
	xmlNewProp(acs, BAD_CAST "isDefault", BAD_CAST "true");
	if (signed_ && sign(doc, root, id, keys, err) == -1)
		goto fail;
	if ((buf = xmlBufferCreate()) == NULL || (save = xmlSaveToBuffer(buf,
	    "UTF-8", 0)) == NULL)
		goto oom;
	xmlSaveDoc(save, doc);
	xmlSaveClose(save);
	out = s2o_strndup((const char *)xmlBufferContent(buf),
	    (size_t)xmlBufferLength(buf), err);
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
oom:
	s2o_err_oom(err);
fail:
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return NULL;
}
