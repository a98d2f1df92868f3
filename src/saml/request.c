/* SPDX-License-Identifier: MIT */
/*
 * The AuthnRequest the bridge sends an IdP (SAML Core 3.4.1), in the
 * HTTP-Redirect binding (Bindings 3.4: DEFLATE, base64, URL-encoded, and
 * when signed a SigAlg/Signature pair over the exact query octets) or the
 * HTTP-POST binding (Bindings 3.5: an enveloped XML signature and a form
 * the browser submits). The request ID is 128 random bits: the caller
 * stores it with the pending OIDC request, and InResponseTo must name it.
 * RelayState is an opaque handle chosen by the caller, never a URL.
 *
 * zlib does the DEFLATE, libcurl's curl_easy_escape the URL encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <libxml/xmlsave.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>
#include <zlib.h>

#include "saml/saml_int.h"

#define REQ_ID_BYTES	16	/* random bytes in a request ID: 128 bits */
#define REQ_MAX_URL	16384	/* bytes, the redirect URL */
#define SIG_ALG_RSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define BINDING_POST	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

struct s2o_saml_sp_keys {
	EVP_PKEY	*pkey;		/* for the Redirect binding */
	xmlSecKeyPtr	 xkey;		/* for the POST binding, with its cert */
};

/* The inline script of the POST form; http/ allows it by its hash. */
const char s2o_saml_post_script[] = "document.forms[0].submit();";

struct s2o_saml_sp_keys *
s2o_saml_sp_keys_new(const struct s2o_sp *sp, struct s2o_err *err)
{
	struct s2o_saml_sp_keys	*k;
	BIO			*bio;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if (sp->signing_key.data == NULL)
		return k;
	if ((bio = BIO_new_mem_buf(sp->signing_key.data,
	    (int)sp->signing_key.len)) != NULL) {
		k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	k->xkey = xmlSecCryptoAppKeyLoadMemory(
	    (const xmlSecByte *)sp->signing_key.data,
	    (xmlSecSize)sp->signing_key.len, xmlSecKeyDataFormatPem, NULL,
	    NULL, NULL);
	if (k->pkey == NULL || k->xkey == NULL ||
	    xmlSecCryptoAppKeyCertLoadMemory(k->xkey,
	    (const xmlSecByte *)sp->signing_certificate.data,
	    (xmlSecSize)sp->signing_certificate.len,
	    xmlSecKeyDataFormatCertPem) < 0) {
		s2o_err_set(err, S2O_R_KEY_UNUSABLE, "%s: cannot be used to "
		    "sign AuthnRequests", sp->signing_key.path);
		s2o_saml_sp_keys_free(k);
		return NULL;
	}
	return k;
}

/*
 * Lent, not copied: xmlSecKeyDuplicate() of a key that carries its
 * certificate re-encodes and re-decodes the certificate (X509_dup), which
 * is key parsing per AuthnRequest. With signKey preset, xmlsec (1.2.37:
 * xmlSecDSigCtxProcessKeyInfoNode, xmlSecKeyMatch, the X509 data's
 * XmlWrite) only reads the key: the signature transform takes its own
 * reference to the EVP_PKEY (EVP_PKEY_up_ref) and KeyInfo is written from
 * the certificate's DER. So one key serves every thread at once, on two
 * conditions this file keeps: the key is never changed after
 * s2o_saml_sp_keys_new(), and it is freed only with its configuration
 * generation, after the last request holding that generation.
 */
xmlSecKeyPtr
s2o_saml_sp_keys_xmlsec(const struct s2o_saml_sp_keys *k)
{
	return k->xkey;
}

int
s2o_saml_sign_lent(xmlNodePtr sig, xmlSecKeyPtr key)
{
	xmlSecDSigCtxPtr	ctx;
	int			rc;

	if (key == NULL || (ctx = xmlSecDSigCtxCreate(NULL)) == NULL)
		return -1;
	ctx->signKey = key;
	rc = xmlSecDSigCtxSign(ctx, sig);
	ctx->signKey = NULL;		/* lent: the context must not free it */
	xmlSecDSigCtxDestroy(ctx);
	return rc < 0 ? -1 : 0;
}

bool
s2o_saml_sp_keys_present(const struct s2o_saml_sp_keys *k)
{
	return k->pkey != NULL && k->xkey != NULL;
}

void
s2o_saml_sp_keys_free(struct s2o_saml_sp_keys *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	if (k->xkey != NULL)
		xmlSecKeyDestroy(k->xkey);
	free(k);
}

void
s2o_saml_authn_request_cleanup(struct s2o_saml_authn_request *r)
{
	free(r->id);
	free(r->redirect_url);
	free(r->post_form);
	memset(r, 0, sizeof(*r));
}

static char *
new_id(struct s2o_err *err)
{
	unsigned char	rnd[REQ_ID_BYTES];
	char		*id;
	size_t		 i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		s2o_err_set(err, S2O_R_INTERNAL, "no random bytes");
		return NULL;
	}
	/* an xs:ID is an NCName: it may not start with a digit */
	if ((id = malloc(2 * sizeof(rnd) + 2)) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	id[0] = '_';
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(id + 1 + 2 * i, 3, "%02x", rnd[i]);
	return id;
}

/* Builds the AuthnRequest document; caller frees with xmlFreeDoc(). */
static xmlDocPtr
build(const struct s2o_saml_authn_params *p, const char *id, bool xml_sign,
    struct s2o_err *err)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, n, sig, ref, ki, ctx;
	xmlNsPtr	 sp, sa;
	xmlAttrPtr	 ida;
	char		 ts[S2O_TIME_BUFSZ];
	const char *const *c;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
	    (root = xmlNewDocNode(doc, NULL, BAD_CAST "AuthnRequest", NULL)) ==
	    NULL)
		goto oom;
	xmlDocSetRootElement(doc, root);
	sp = xmlNewNs(root, BAD_CAST S2O_NS_PROTOCOL, BAD_CAST "samlp");
	sa = xmlNewNs(root, BAD_CAST S2O_NS_ASSERTION, BAD_CAST "saml");
	xmlSetNs(root, sp);
	/* xmlNewProp and xmlNewTextChild escape what they are given */
	if ((ida = xmlNewProp(root, BAD_CAST "ID", BAD_CAST id)) == NULL ||
	    xmlAddID(NULL, doc, BAD_CAST id, ida) == NULL)
		goto oom;
	xmlNewProp(root, BAD_CAST "Version", BAD_CAST "2.0");
	xmlNewProp(root, BAD_CAST "IssueInstant", BAD_CAST s2o_time_format(
	    s2o_clock_now(p->clock), ts, sizeof(ts)));
	xmlNewProp(root, BAD_CAST "Destination", BAD_CAST p->conn->sso_url);
	if (p->force_authn)
		xmlNewProp(root, BAD_CAST "ForceAuthn", BAD_CAST "true");
	xmlNewProp(root, BAD_CAST "AssertionConsumerServiceURL",
	    BAD_CAST p->sp->acs_url);
	xmlNewProp(root, BAD_CAST "ProtocolBinding", BAD_CAST BINDING_POST);
	xmlNewTextChild(root, sa, BAD_CAST "Issuer", BAD_CAST p->sp->entity_id);
	if (xml_sign) {
		char	uri[2 * REQ_ID_BYTES + 3];

		/* one Reference to the root, as our own verifier demands */
		snprintf(uri, sizeof(uri), "#%s", id);
		/* the schema puts Signature right after Issuer */
		sig = xmlSecTmplSignatureCreateNsPref(doc,
		    xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, NULL,
		    BAD_CAST "ds");
		if (sig == NULL || xmlAddChild(root, sig) == NULL)
			goto oom;
		ref = xmlSecTmplSignatureAddReference(sig,
		    xmlSecTransformSha256Id, NULL, BAD_CAST uri, NULL);
		if (ref == NULL)
			goto oom;
		if (xmlSecTmplReferenceAddTransform(ref,
		    xmlSecTransformEnvelopedId) == NULL ||
		    xmlSecTmplReferenceAddTransform(ref,
		    xmlSecTransformExclC14NId) == NULL ||
		    (ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) == NULL ||
		    xmlSecTmplKeyInfoAddX509Data(ki) == NULL)
			goto oom;
	}
	if (p->login_hint != NULL) {
		/* OIDC login_hint as the Subject the IdP should authenticate
		 * (SAML Core 3.4.1: a request may name its subject) */
		n = xmlNewChild(root, sa, BAD_CAST "Subject", NULL);
		xmlNewTextChild(n, sa, BAD_CAST "NameID", BAD_CAST p->login_hint);
	}
	n = xmlNewChild(root, sp, BAD_CAST "NameIDPolicy", NULL);
	if (n == NULL)
		goto oom;
	if (p->conn->name_id_format != NULL)
		xmlNewProp(n, BAD_CAST "Format", BAD_CAST p->conn->name_id_format);
	xmlNewProp(n, BAD_CAST "AllowCreate", BAD_CAST "true");
	if (p->authn_contexts != NULL && p->authn_contexts[0] != NULL) {
		ctx = xmlNewChild(root, sp, BAD_CAST "RequestedAuthnContext",
		    NULL);
		xmlNewProp(ctx, BAD_CAST "Comparison", BAD_CAST "exact");
		for (c = p->authn_contexts; *c != NULL; c++)
			xmlNewTextChild(ctx, sa, BAD_CAST "AuthnContextClassRef",
			    BAD_CAST *c);
	}
	return doc;
oom:
	xmlFreeDoc(doc);
	s2o_err_oom(err);
	return NULL;
}

/* The root element alone, without an XML declaration. Caller frees. */
static char *
serialize(xmlDocPtr doc, size_t *len, struct s2o_err *err)
{
	xmlBufferPtr	 buf = xmlBufferCreate();
	xmlSaveCtxtPtr	 save;
	char		*out = NULL;

	if (buf == NULL || (save = xmlSaveToBuffer(buf, "UTF-8",
	    XML_SAVE_NO_DECL)) == NULL) {
		xmlBufferFree(buf);
		s2o_err_oom(err);
		return NULL;
	}
	xmlSaveDoc(save, doc);
	xmlSaveClose(save);
	if ((out = s2o_strndup((const char *)xmlBufferContent(buf),
	    (size_t)xmlBufferLength(buf), err)) != NULL)
		*len = (size_t)xmlBufferLength(buf);
	xmlBufferFree(buf);
	return out;
}

/* Raw DEFLATE (RFC 1951), as Bindings 3.4.4.1 asks. Caller frees. */
static unsigned char *
deflate_raw(const char *in, size_t len, size_t *outlen, struct s2o_err *err)
{
	z_stream	 z;
	unsigned char	*out;
	uLong		 cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		s2o_err_set(err, S2O_R_INTERNAL, "zlib: deflateInit2 failed");
		return NULL;
	}
	cap = deflateBound(&z, (uLong)len);
	if ((out = malloc(cap)) == NULL) {
		deflateEnd(&z);
		s2o_err_oom(err);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		s2o_err_set(err, S2O_R_INTERNAL, "zlib: deflate failed");
		return NULL;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Appends name=urlencode(value) to b, with '&' before all but the first. */
static int
add_param(struct s2o_buf *b, const char *name, const char *value,
    struct s2o_err *err)
{
	char	*esc;
	int	 rc;

	if ((esc = curl_easy_escape(NULL, value, (int)strlen(value))) == NULL)
		return s2o_err_oom(err);
	rc = s2o_buf_printf(b, err, "%s%s=%s", b->len ? "&" : "", name, esc);
	curl_free(esc);
	return rc;
}

/* RSA-SHA256 over the query octets, base64. Caller frees. */
static char *
sign_query(EVP_PKEY *pkey, const char *q, size_t len, struct s2o_err *err)
{
	EVP_MD_CTX	*c;
	unsigned char	*sig = NULL;
	size_t		 slen = 0;
	char		*out = NULL;

	if ((c = EVP_MD_CTX_new()) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if (EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestSign(c, NULL, &slen, (const unsigned char *)q, len) == 1 &&
	    (sig = malloc(slen)) != NULL &&
	    EVP_DigestSign(c, sig, &slen, (const unsigned char *)q, len) == 1)
		out = s2o_b64_encode(sig, slen, err);
	else
		s2o_err_set(err, S2O_R_INTERNAL, "cannot sign the AuthnRequest");
	free(sig);
	EVP_MD_CTX_free(c);
	return out;
}

static int
redirect_url(const struct s2o_saml_authn_params *p, xmlDocPtr doc,
    char **out, struct s2o_err *err)
{
	struct s2o_buf	 q, url;
	unsigned char	*z = NULL;
	char		*xml = NULL, *b64 = NULL, *sig = NULL;
	size_t		 xlen, zlen;
	int		 rc = -1;

	s2o_buf_init(&q, REQ_MAX_URL);
	s2o_buf_init(&url, REQ_MAX_URL);
	if ((xml = serialize(doc, &xlen, err)) == NULL ||
	    (z = deflate_raw(xml, xlen, &zlen, err)) == NULL ||
	    (b64 = s2o_b64_encode(z, zlen, err)) == NULL ||
	    add_param(&q, "SAMLRequest", b64, err) == -1 ||
	    (p->relay_state != NULL && add_param(&q, "RelayState",
	    p->relay_state, err) == -1))
		goto out;
	/* Bindings 3.4.4.1: sign SAMLRequest, RelayState and SigAlg as they
	 * stand in the query, in that order */
	if (p->conn->sign_requests) {
		if (add_param(&q, "SigAlg", SIG_ALG_RSA_SHA256, err) == -1 ||
		    (sig = sign_query(p->keys->pkey, q.data, q.len, err)) ==
		    NULL || add_param(&q, "Signature", sig, err) == -1)
			goto out;
	}
	if (s2o_buf_printf(&url, err, "%s%c%s", p->conn->sso_url,
	    strchr(p->conn->sso_url, '?') ? '&' : '?', q.data) == -1)
		goto out;
	*out = s2o_buf_take(&url, NULL);
	rc = 0;
out:
	free(sig);
	free(b64);
	free(z);
	free(xml);
	s2o_buf_cleanup(&q);
	s2o_buf_cleanup(&url);
	return rc;
}

/* Appends s to b with HTML's five special characters escaped. */
static int
add_html(struct s2o_buf *b, const char *s, struct s2o_err *err)
{
	for (; *s != '\0'; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" :
		    *s == '>' ? "&gt;" : *s == '"' ? "&quot;" :
		    *s == '\'' ? "&#39;" : NULL;

		if ((e ? s2o_buf_adds(b, e, err) :
		    s2o_buf_add(b, s, 1, err)) == -1)
			return -1;
	}
	return 0;
}

static int
post_form(const struct s2o_saml_authn_params *p, xmlDocPtr doc,
    char **out, struct s2o_err *err)
{
	xmlNodePtr		 sig;
	struct s2o_buf		 h;
	char			*xml = NULL, *b64 = NULL;
	size_t			 xlen;
	int			 rc = -1;

	s2o_buf_init(&h, 4 * S2O_SAML_MAX_RESPONSE);
	if (p->conn->sign_requests) {
		sig = s2o_saml_child(xmlDocGetRootElement(doc), S2O_NS_DSIG,
		    "Signature");
		if (s2o_saml_sign_lent(sig, s2o_saml_sp_keys_xmlsec(p->keys))
		    == -1) {
			s2o_err_set(err, S2O_R_INTERNAL,
			    "cannot sign the AuthnRequest");
			goto out;
		}
	}
	if ((xml = serialize(doc, &xlen, err)) == NULL ||
	    (b64 = s2o_b64_encode(xml, xlen, err)) == NULL)
		goto out;
	if (s2o_buf_adds(&h, "<!DOCTYPE html>\n<html><head><meta "
	    "charset=\"utf-8\"><title>Signing in</title></head><body>\n"
	    "<form method=\"post\" action=\"", err) == -1 ||
	    add_html(&h, p->conn->sso_url, err) == -1 ||
	    s2o_buf_adds(&h, "\">\n<input type=\"hidden\" name=\"SAMLRequest\" "
	    "value=\"", err) == -1 || add_html(&h, b64, err) == -1 ||
	    s2o_buf_adds(&h, "\">\n", err) == -1)
		goto out;
	if (p->relay_state != NULL && (s2o_buf_adds(&h, "<input type=\""
	    "hidden\" name=\"RelayState\" value=\"", err) == -1 ||
	    add_html(&h, p->relay_state, err) == -1 ||
	    s2o_buf_adds(&h, "\">\n", err) == -1))
		goto out;
	if (s2o_buf_printf(&h, err, "<noscript><button type=\"submit\">"
	    "Continue</button></noscript>\n</form>\n<script>%s</script>\n"
	    "</body></html>\n", s2o_saml_post_script) == -1)
		goto out;
	*out = s2o_buf_take(&h, NULL);
	rc = 0;
out:
	free(b64);
	free(xml);
	s2o_buf_cleanup(&h);
	return rc;
}

int
s2o_saml_authn_request_new(const struct s2o_saml_authn_params *p,
    struct s2o_saml_authn_request *out, struct s2o_err *err)
{
	xmlDocPtr	doc;
	bool		post = p->conn->sso_binding == S2O_SSO_POST;
	int		rc;

	memset(out, 0, sizeof(*out));
	if (p->conn->sso_url == NULL)
		return s2o_err_set(err, S2O_R_CONFIG_INVALID, "connection "
		    "\"%s\" has no sso_url to send an AuthnRequest to",
		    p->conn->name);
	if (p->conn->sign_requests && (p->keys == NULL ||
	    p->keys->pkey == NULL))
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE, "connection \"%s\" "
		    "signs its requests and no SP signing key is loaded",
		    p->conn->name);
	if ((out->id = new_id(err)) == NULL)
		return -1;
	if ((doc = build(p, out->id, post && p->conn->sign_requests, err)) ==
	    NULL) {
		s2o_saml_authn_request_cleanup(out);
		return -1;
	}
	rc = post ? post_form(p, doc, &out->post_form, err) :
	    redirect_url(p, doc, &out->redirect_url, err);
	xmlFreeDoc(doc);
	if (rc == -1)
		s2o_saml_authn_request_cleanup(out);
	return rc;
}
