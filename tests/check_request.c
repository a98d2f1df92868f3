/* SPDX-License-Identifier: MIT */
/*
 * saml/request: the AuthnRequest as an IdP receives it. Each test decodes
 * what the bridge would send the way an IdP does (URL-decode, base64,
 * inflate for HTTP-Redirect; the form field for HTTP-POST), parses it,
 * checks every field, and verifies the signature with the SP certificate
 * alone: OpenSSL over the query octets (Bindings 3.4.4.1) or xmlsec over
 * the document.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/crypto.h>
#include <zlib.h>

#include "config/config.h"
#include "saml/saml.h"
#include "helpers.h"

#define T0	1795867260	/* 2026-11-28T12:01:00Z */

struct env {
	struct s2o_config	*cfg;
	struct s2o_saml_sp_keys	*keys;
	struct s2o_clock	 clock;
};

static void
env_init(struct env *e)
{
	struct s2o_diags	d;
	struct s2o_err		err;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_init(&err), 0);
	s2o_diags_init(&d);
	e->cfg = s2o_config_load(fx_path("saml/bridge.json"), &d, &err);
	ck_assert_msg(e->cfg != NULL, "%s", err.detail);
	s2o_diags_cleanup(&d);
	e->keys = s2o_saml_sp_keys_new(&e->cfg->sp, &err);
	ck_assert_msg(e->keys != NULL, "%s", err.detail);
	s2o_clock_init_fixed(&e->clock, T0);
}

static void
env_cleanup(struct env *e)
{
	s2o_saml_sp_keys_free(e->keys);
	s2o_config_free(e->cfg);
	s2o_saml_shutdown();
}

static struct s2o_saml_authn_params
params(struct env *e, const char *conn)
{
	struct s2o_saml_authn_params	p;

	memset(&p, 0, sizeof(p));
	p.sp = &e->cfg->sp;
	p.conn = s2o_config_connection(e->cfg, conn);
	ck_assert_ptr_nonnull(p.conn);
	p.keys = e->keys;
	p.clock = &e->clock;
	return p;
}

/* The value of name in a query string, URL-decoded; caller frees. */
static char *
query_param(const char *q, const char *name, size_t *len)
{
	size_t	 n = strlen(name);
	char	*v;
	int	 olen;

	for (;;) {
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			const char *end = strchr(q + n + 1, '&');
			size_t vl = end ? (size_t)(end - q - n - 1) :
			    strlen(q + n + 1);

			v = curl_easy_unescape(NULL, q + n + 1, (int)vl, &olen);
			ck_assert_ptr_nonnull(v);
			if (len != NULL)
				*len = (size_t)olen;
			return v;
		}
		if ((q = strchr(q, '&')) == NULL)
			return NULL;
		q++;
	}
}

static char *
inflate_raw(const unsigned char *in, size_t len)
{
	z_stream	 z;
	char		*out = calloc(1, 1 << 20);

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, -15), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (1 << 20) - 1;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	inflateEnd(&z);
	return out;
}

/* XPath over the request with saml/samlp/ds prefixes; caller frees. */
static char *
xp(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr	 c = xmlXPathNewContext(doc);
	xmlXPathObjectPtr	 o;
	char			*s = NULL;

	xmlXPathRegisterNs(c, BAD_CAST "samlp",
	    BAD_CAST "urn:oasis:names:tc:SAML:2.0:protocol");
	xmlXPathRegisterNs(c, BAD_CAST "saml",
	    BAD_CAST "urn:oasis:names:tc:SAML:2.0:assertion");
	xmlXPathRegisterNs(c, BAD_CAST "md",
	    BAD_CAST "urn:oasis:names:tc:SAML:2.0:metadata");
	xmlXPathRegisterNs(c, BAD_CAST "ds",
	    BAD_CAST "http://www.w3.org/2000/09/xmldsig#");
	o = xmlXPathEvalExpression(BAD_CAST expr, c);
	if (o != NULL)
		s = (char *)xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(c);
	return s;
}

static void
assert_xp(xmlDocPtr doc, const char *expr, const char *want)
{
	char	*got = xp(doc, expr);

	ck_assert_msg(got != NULL && strcmp(got, want) == 0,
	    "%s: got \"%s\", want \"%s\"", expr, got ? got : "(null)", want);
	xmlFree(got);
}

static EVP_PKEY *
sp_pubkey(void)
{
	FILE		*fp = fopen(fx_path("keys/sp-sign.crt"), "r");
	X509		*x;
	EVP_PKEY	*k;

	ck_assert_ptr_nonnull(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(x);
	k = X509_get_pubkey(x);
	X509_free(x);
	return k;
}

/* The request inside a redirect URL, checked against its signature. */
static xmlDocPtr
decode_redirect(const char *url, bool signed_)
{
	const char	*q = strchr(url, '?') + 1, *sigpos;
	char		*b64, *sig64, *alg, *xml;
	unsigned char	*z, *sig;
	size_t		 zl, sl, l;
	struct s2o_err	 err;
	EVP_PKEY	*pk;
	EVP_MD_CTX	*c;
	xmlDocPtr	 doc;

	s2o_err_clear(&err);
	b64 = query_param(q, "SAMLRequest", &l);
	ck_assert_ptr_nonnull(b64);
	z = s2o_b64_decode(b64, l, 1 << 20, &zl, &err);
	ck_assert_ptr_nonnull(z);
	xml = inflate_raw(z, zl);
	/* HTTP-Redirect carries no XML signature: the query is signed */
	ck_assert_ptr_null(strstr(xml, "Signature"));
	doc = xmlReadMemory(xml, (int)strlen(xml), "req.xml", NULL,
	    XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	sig64 = query_param(q, "Signature", &sl);
	alg = query_param(q, "SigAlg", NULL);
	if (!signed_) {
		ck_assert_ptr_null(sig64);
		ck_assert_ptr_null(alg);
	} else {
		ck_assert_ptr_nonnull(sig64);
		ck_assert_str_eq(alg,
		    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
		/* the signed octets: the query up to "&Signature=" */
		sigpos = strstr(q, "&Signature=");
		ck_assert_ptr_nonnull(sigpos);
		sig = s2o_b64_decode(sig64, sl, 4096, &l, &err);
		ck_assert_ptr_nonnull(sig);
		pk = sp_pubkey();
		c = EVP_MD_CTX_new();
		ck_assert_int_eq(EVP_DigestVerifyInit(c, NULL, EVP_sha256(),
		    NULL, pk), 1);
		ck_assert_int_eq(EVP_DigestVerify(c, sig, l,
		    (const unsigned char *)q, (size_t)(sigpos - q)), 1);
		EVP_MD_CTX_free(c);
		EVP_PKEY_free(pk);
		free(sig);
	}
	curl_free(alg);
	curl_free(sig64);
	free(xml);
	free(z);
	curl_free(b64);
	return doc;
}

START_TEST(test_redirect_signed)
{
	struct env				e;
	struct s2o_saml_authn_params		p;
	struct s2o_saml_authn_request		r;
	struct s2o_err				err;
	static const char *const		acr[] = {
		"http://schemas.microsoft.com/claims/multipleauthn", NULL };
	xmlDocPtr				doc;
	char					*rs, want[64];

	env_init(&e);
	p = params(&e, "corp");
	p.relay_state = "rs-7f3a9c";
	p.login_hint = "alice@example.test";
	p.authn_contexts = acr;
	p.force_authn = true;
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), 0);
	ck_assert_ptr_null(r.post_form);
	/* 128 random bits as an NCName */
	ck_assert_uint_eq(strlen(r.id), 33);
	ck_assert_int_eq(r.id[0], '_');
	ck_assert_uint_eq(strspn(r.id + 1, "0123456789abcdef"), 32);
	ck_assert_int_eq(strncmp(r.redirect_url,
	    "https://idp.example.test/sso?SAMLRequest=", 41), 0);
	rs = query_param(strchr(r.redirect_url, '?') + 1, "RelayState", NULL);
	ck_assert_str_eq(rs, "rs-7f3a9c");
	curl_free(rs);
	doc = decode_redirect(r.redirect_url, true);
	assert_xp(doc, "string(/samlp:AuthnRequest/@ID)", r.id);
	assert_xp(doc, "string(/samlp:AuthnRequest/@Version)", "2.0");
	assert_xp(doc, "string(/samlp:AuthnRequest/@IssueInstant)",
	    "2026-11-28T12:01:00Z");
	assert_xp(doc, "string(/samlp:AuthnRequest/@Destination)",
	    "https://idp.example.test/sso");
	assert_xp(doc, "string(/samlp:AuthnRequest/@ForceAuthn)", "true");
	assert_xp(doc, "string(/samlp:AuthnRequest/"
	    "@AssertionConsumerServiceURL)",
	    "https://bridge.example.test/saml/acs");
	assert_xp(doc, "string(/samlp:AuthnRequest/@ProtocolBinding)",
	    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
	assert_xp(doc, "string(/samlp:AuthnRequest/saml:Issuer)",
	    "https://bridge.example.test/saml");
	assert_xp(doc, "string(/samlp:AuthnRequest/saml:Subject/saml:NameID)",
	    "alice@example.test");
	assert_xp(doc, "string(/samlp:AuthnRequest/samlp:NameIDPolicy/@Format)",
	    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
	assert_xp(doc, "string(/samlp:AuthnRequest/samlp:NameIDPolicy/"
	    "@AllowCreate)", "true");
	assert_xp(doc, "string(/samlp:AuthnRequest/samlp:RequestedAuthnContext/"
	    "@Comparison)", "exact");
	assert_xp(doc, "string(/samlp:AuthnRequest/samlp:RequestedAuthnContext/"
	    "saml:AuthnContextClassRef)",
	    "http://schemas.microsoft.com/claims/multipleauthn");
	/* the schema's order: Issuer, Subject, NameIDPolicy, ... */
	assert_xp(doc, "local-name(/samlp:AuthnRequest/*[1])", "Issuer");
	assert_xp(doc, "local-name(/samlp:AuthnRequest/*[2])", "Subject");
	assert_xp(doc, "local-name(/samlp:AuthnRequest/*[3])", "NameIDPolicy");
	xmlFreeDoc(doc);
	snprintf(want, sizeof(want), "%s", r.id);
	s2o_saml_authn_request_cleanup(&r);
	/* every request gets its own ID */
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), 0);
	ck_assert_str_ne(r.id, want);
	s2o_saml_authn_request_cleanup(&r);
	env_cleanup(&e);
}
END_TEST

/* Markup in a login hint is text, never structure. */
START_TEST(test_redirect_escaping)
{
	struct env			e;
	struct s2o_saml_authn_params	p;
	struct s2o_saml_authn_request	r;
	struct s2o_err			err;
	xmlDocPtr			doc;
	char				*rs;

	env_init(&e);
	p = params(&e, "corp");
	p.login_hint = "a<b>&\"c'</saml:NameID><x>";
	p.relay_state = "a b&c=d";
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), 0);
	doc = decode_redirect(r.redirect_url, true);
	assert_xp(doc, "string(/samlp:AuthnRequest/saml:Subject/saml:NameID)",
	    "a<b>&\"c'</saml:NameID><x>");
	assert_xp(doc, "count(//x)", "0");
	rs = query_param(strchr(r.redirect_url, '?') + 1, "RelayState", NULL);
	ck_assert_str_eq(rs, "a b&c=d");
	curl_free(rs);
	xmlFreeDoc(doc);
	s2o_saml_authn_request_cleanup(&r);
	env_cleanup(&e);
}
END_TEST

START_TEST(test_redirect_unsigned)
{
	struct env			e;
	struct s2o_saml_authn_params	p;
	struct s2o_saml_authn_request	r;
	struct s2o_connection		conn;
	struct s2o_err			err;
	xmlDocPtr			doc;

	env_init(&e);
	p = params(&e, "corp");
	conn = *p.conn;
	conn.sign_requests = false;
	conn.name_id_format = NULL;
	p.conn = &conn;
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), 0);
	doc = decode_redirect(r.redirect_url, false);
	assert_xp(doc, "count(/samlp:AuthnRequest/samlp:NameIDPolicy/@Format)",
	    "0");
	assert_xp(doc, "count(/samlp:AuthnRequest/saml:Subject)", "0");
	assert_xp(doc, "count(/samlp:AuthnRequest/@ForceAuthn)", "0");
	ck_assert_ptr_null(strstr(r.redirect_url, "RelayState="));
	xmlFreeDoc(doc);
	s2o_saml_authn_request_cleanup(&r);
	env_cleanup(&e);
}
END_TEST

/* The value attribute of the named hidden input, HTML-unescaped. */
static char *
form_value(const char *html, const char *name)
{
	char		 key[64], *v, *o;
	const char	*p, *end;

	snprintf(key, sizeof(key), "name=\"%s\" value=\"", name);
	if ((p = strstr(html, key)) == NULL)
		return NULL;
	p += strlen(key);
	end = strchr(p, '"');
	ck_assert_ptr_nonnull(end);
	v = o = calloc(1, (size_t)(end - p) + 1);
	while (p < end) {
		if (strncmp(p, "&amp;", 5) == 0) { *o++ = '&'; p += 5; }
		else if (strncmp(p, "&lt;", 4) == 0) { *o++ = '<'; p += 4; }
		else if (strncmp(p, "&gt;", 4) == 0) { *o++ = '>'; p += 4; }
		else if (strncmp(p, "&quot;", 6) == 0) { *o++ = '"'; p += 6; }
		else if (strncmp(p, "&#39;", 5) == 0) { *o++ = '\''; p += 5; }
		else
			*o++ = *p++;
	}
	return v;
}

/* The SP certificate's DER in base64, as KeyInfo carries it; caller
 * frees. */
static char *
sp_cert_b64(void)
{
	FILE		*fp = fopen(fx_path("keys/sp-sign.crt"), "r");
	X509		*x;
	unsigned char	*der = NULL;
	int		 n;
	char		*b64;
	struct s2o_err	 err;

	ck_assert_ptr_nonnull(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(x);
	n = i2d_X509(x, &der);
	ck_assert_int_gt(n, 0);
	s2o_err_clear(&err);
	b64 = s2o_b64_encode(der, (size_t)n, &err);
	ck_assert_ptr_nonnull(b64);
	OPENSSL_free(der);
	X509_free(x);
	return b64;
}

/*
 * What an IdP does with a POST-binding AuthnRequest: the SAMLRequest field
 * decoded and parsed, its signature verified with the SP certificate alone,
 * which KeyInfo must carry (cert: its DER in base64; cert_path: its PEM
 * file, named by the caller: fx_path() is not for threads). Returns NULL,
 * or a short reason (no ck_assert, so that threads may call it). On NULL,
 * *docp is the request (caller frees).
 */
static const char *
post_verifies(const struct s2o_saml_authn_request *r, const char *cert,
    const char *cert_path, xmlDocPtr *docp)
{
	struct s2o_err		 err;
	xmlDocPtr		 doc;
	xmlNodePtr		 sig, xc;
	xmlSecDSigCtxPtr	 ctx;
	unsigned char		*xml;
	xmlChar			*text;
	char			*b64, *p, *q;
	const char		*why = NULL;
	size_t			 l;

	*docp = NULL;
	if ((b64 = form_value(r->post_form, "SAMLRequest")) == NULL)
		return "no SAMLRequest field";
	s2o_err_clear(&err);
	xml = s2o_b64_decode(b64, strlen(b64), 1 << 20, &l, &err);
	free(b64);
	if (xml == NULL)
		return "SAMLRequest is not base64";
	doc = xmlReadMemory((char *)xml, (int)l, "req.xml", NULL,
	    XML_PARSE_NONET);
	free(xml);
	if (doc == NULL)
		return "not XML";
	xmlAddID(NULL, doc, BAD_CAST r->id,
	    xmlHasProp(xmlDocGetRootElement(doc), BAD_CAST "ID"));
	sig = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature,
	    xmlSecDSigNs);
	xc = sig ? xmlSecFindNode(sig, BAD_CAST "X509Certificate",
	    xmlSecDSigNs) : NULL;
	if (xc == NULL) {
		xmlFreeDoc(doc);
		return "no Signature with an X509Certificate";
	}
	/* KeyInfo holds the SP certificate (whitespace aside) */
	text = xmlNodeGetContent(xc);
	for (p = q = (char *)text; *p != '\0'; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
			*q++ = *p;
	*q = '\0';
	if (strcmp((char *)text, cert) != 0)
		why = "KeyInfo does not carry the SP certificate";
	xmlFree(text);
	ctx = xmlSecDSigCtxCreate(NULL);
	ctx->signKey = xmlSecCryptoAppKeyLoad(cert_path,
	    xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
	if (why == NULL && (ctx->signKey == NULL ||
	    xmlSecDSigCtxVerify(ctx, sig) != 0 ||
	    ctx->status != xmlSecDSigStatusSucceeded))
		why = "the signature does not verify with the SP certificate";
	xmlSecDSigCtxDestroy(ctx);
	if (why != NULL)
		xmlFreeDoc(doc);
	else
		*docp = doc;
	return why;
}

START_TEST(test_post_signed)
{
	struct env			e;
	struct s2o_saml_authn_params	p;
	struct s2o_saml_authn_request	r;
	struct s2o_err			err;
	xmlDocPtr			doc;
	char				*rs, *cert, script[96], uri[64];
	const char			*why;

	env_init(&e);
	cert = sp_cert_b64();
	p = params(&e, "corp-ec");		/* sso_binding "post" */
	p.relay_state = "\"><script>alert(1)</script>";
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), 0);
	ck_assert_ptr_null(r.redirect_url);
	ck_assert_ptr_nonnull(strstr(r.post_form, "<form method=\"post\" "
	    "action=\"https://idp-ec.example.test/sso\">"));
	snprintf(script, sizeof(script), "<script>%s</script>",
	    s2o_saml_post_script);
	ck_assert_ptr_nonnull(strstr(r.post_form, script));
	/* the RelayState is escaped: the only script is ours */
	ck_assert_ptr_null(strstr(r.post_form, "<script>alert"));
	rs = form_value(r.post_form, "RelayState");
	ck_assert_str_eq(rs, "\"><script>alert(1)</script>");
	free(rs);
	/* an IdP verifies it with the SP certificate alone */
	why = post_verifies(&r, cert, fx_path("keys/sp-sign.crt"), &doc);
	ck_assert_msg(why == NULL, "%s", why);
	assert_xp(doc, "string(/samlp:AuthnRequest/@Destination)",
	    "https://idp-ec.example.test/sso");
	assert_xp(doc, "local-name(/samlp:AuthnRequest/*[2])", "Signature");
	snprintf(uri, sizeof(uri), "#%s", r.id);
	assert_xp(doc, "string(/samlp:AuthnRequest/ds:Signature/ds:SignedInfo/"
	    "ds:Reference/@URI)", uri);
	xmlFreeDoc(doc);
	s2o_saml_authn_request_cleanup(&r);
	free(cert);
	env_cleanup(&e);
}
END_TEST

/*
 * One loaded SP key signs every AuthnRequest, from every server thread at
 * once, and is neither copied nor consumed by it: four threads sign and
 * verify 25 requests each with the same keys, then the keys still sign.
 */
#define SIGNERS		4
#define PER_SIGNER	25

struct signer {
	struct s2o_saml_authn_params	 p;
	const char			*cert, *cert_path;
	int				 good;
	const char			*why;
};

static void *
sign_many(void *arg)
{
	struct signer			*s = arg;
	struct s2o_saml_authn_request	 r;
	struct s2o_err			 err;
	xmlDocPtr			 doc;
	int				 i;

	for (i = 0; i < PER_SIGNER; i++) {
		s2o_err_clear(&err);
		if (s2o_saml_authn_request_new(&s->p, &r, &err) == -1) {
			s->why = "s2o_saml_authn_request_new failed";
			break;
		}
		s->why = post_verifies(&r, s->cert, s->cert_path, &doc);
		xmlFreeDoc(doc);
		s2o_saml_authn_request_cleanup(&r);
		if (s->why != NULL)
			break;
		s->good++;
	}
	return NULL;
}

START_TEST(test_post_signed_threads)
{
	struct env			e;
	struct signer			s[SIGNERS];
	struct s2o_saml_authn_request	r;
	struct s2o_err			err;
	pthread_t			t[SIGNERS];
	xmlDocPtr			doc;
	char				*cert, *cert_path;
	const char			*why;
	int				i;

	env_init(&e);
	cert = sp_cert_b64();
	cert_path = strdup(fx_path("keys/sp-sign.crt"));
	ck_assert_ptr_nonnull(cert_path);
	for (i = 0; i < SIGNERS; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].p = params(&e, "corp-ec");
		s[i].cert = cert;
		s[i].cert_path = cert_path;
		ck_assert_int_eq(pthread_create(&t[i], NULL, sign_many, &s[i]),
		    0);
	}
	for (i = 0; i < SIGNERS; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_msg(s[i].why == NULL, "thread %d, request %d: %s", i,
		    s[i].good + 1, s[i].why);
		ck_assert_int_eq(s[i].good, PER_SIGNER);
	}
	/* the lent key is intact: one more request signs and verifies */
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&s[0].p, &r, &err), 0);
	why = post_verifies(&r, cert, cert_path, &doc);
	ck_assert_msg(why == NULL, "%s", why);
	xmlFreeDoc(doc);
	s2o_saml_authn_request_cleanup(&r);
	free(cert_path);
	free(cert);
	env_cleanup(&e);
}
END_TEST

/* What cannot be sent is refused with the reason, nothing half-made. */
START_TEST(test_refusals)
{
	struct env			e;
	struct s2o_saml_authn_params	p;
	struct s2o_saml_authn_request	r;
	struct s2o_connection		conn;
	struct s2o_err			err;

	env_init(&e);
	p = params(&e, "corp-sha1");		/* no sso_url */
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "connection "
	    "\"corp-sha1\" has no sso_url to send an AuthnRequest to");
	ck_assert_ptr_null(r.id);
	p = params(&e, "corp");
	p.keys = NULL;
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_KEY_UNUSABLE, "connection \"corp\" "
	    "signs its requests and no SP signing key is loaded");
	ck_assert_ptr_null(r.redirect_url);
	conn = *p.conn;
	conn.sign_requests = false;
	p.conn = &conn;
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_saml_authn_request_new(&p, &r, &err), 0);
	s2o_saml_authn_request_cleanup(&r);
	env_cleanup(&e);
}
END_TEST

/* The base64 DER of a PEM certificate file, as metadata carries it. */
static char *
cert_b64(const char *rel)
{
	FILE		*fp = fopen(fx_path(rel), "r");
	X509		*x;
	unsigned char	*der = NULL;
	struct s2o_err	 err;
	char		*b64;
	int		 n;

	ck_assert_ptr_nonnull(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(x);
	n = i2d_X509(x, &der);
	s2o_err_clear(&err);
	b64 = s2o_b64_encode(der, (size_t)n, &err);
	OPENSSL_free(der);
	X509_free(x);
	return b64;
}

START_TEST(test_metadata)
{
	struct env	 e;
	struct s2o_err	 err;
	xmlDocPtr	 doc;
	xmlNodePtr	 sig;
	xmlSecDSigCtxPtr ctx;
	char		*md, *sign_b64, *enc_b64, *id;
	const char	*sso = "/md:EntityDescriptor/md:SPSSODescriptor";
	char		 expr[256];

	env_init(&e);
	s2o_err_clear(&err);
	md = s2o_saml_sp_metadata(e.cfg, e.keys, _i == 1, &err);
	ck_assert_msg(md != NULL, "%s", err.detail);
	doc = xmlReadMemory(md, (int)strlen(md), "md.xml", NULL,
	    XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	assert_xp(doc, "string(/md:EntityDescriptor/@entityID)",
	    "https://bridge.example.test/saml");
#define SSO(x) (snprintf(expr, sizeof(expr), "string(%s%s)", sso, x), expr)
	assert_xp(doc, SSO("/@AuthnRequestsSigned"), "true");
	assert_xp(doc, SSO("/@WantAssertionsSigned"), "true");
	assert_xp(doc, SSO("/@protocolSupportEnumeration"),
	    "urn:oasis:names:tc:SAML:2.0:protocol");
	sign_b64 = cert_b64("keys/sp-sign.crt");
	enc_b64 = cert_b64("keys/sp-enc.crt");
	assert_xp(doc, SSO("/md:KeyDescriptor[@use='signing']/ds:KeyInfo/"
	    "ds:X509Data/ds:X509Certificate"), sign_b64);
	assert_xp(doc, SSO("/md:KeyDescriptor[@use='encryption']/ds:KeyInfo/"
	    "ds:X509Data/ds:X509Certificate"), enc_b64);
	assert_xp(doc, SSO("/md:NameIDFormat"),
	    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
	assert_xp(doc, SSO("/md:AssertionConsumerService/@Binding"),
	    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
	assert_xp(doc, SSO("/md:AssertionConsumerService/@Location"),
	    "https://bridge.example.test/saml/acs");
	/* and one per connection that takes IdP-initiated logins */
	assert_xp(doc, "count(//md:AssertionConsumerService)", "2");
	assert_xp(doc, SSO("/md:AssertionConsumerService[@isDefault='true']/"
	    "@index"), "0");
	assert_xp(doc, SSO("/md:AssertionConsumerService[@index='1']/"
	    "@Location"), "https://bridge.example.test/saml/acs/"
	    "corp-unsolicited");
	assert_xp(doc, SSO("/md:AssertionConsumerService[@index='1']/"
	    "@Binding"), "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
#undef SSO
	if (_i == 0)
		assert_xp(doc, "count(//ds:Signature)", "0");
	else {
		/* signed: the Signature first, verifiable with the SP
		 * certificate alone */
		assert_xp(doc, "local-name(/md:EntityDescriptor/*[1])",
		    "Signature");
		id = xp(doc, "string(/md:EntityDescriptor/@ID)");
		xmlAddID(NULL, doc, BAD_CAST id, xmlHasProp(
		    xmlDocGetRootElement(doc), BAD_CAST "ID"));
		xmlFree(id);
		sig = xmlSecFindNode(xmlDocGetRootElement(doc),
		    xmlSecNodeSignature, xmlSecDSigNs);
		ctx = xmlSecDSigCtxCreate(NULL);
		ctx->signKey = xmlSecCryptoAppKeyLoad(fx_path(
		    "keys/sp-sign.crt"), xmlSecKeyDataFormatCertPem, NULL, NULL,
		    NULL);
		ck_assert_int_eq(xmlSecDSigCtxVerify(ctx, sig), 0);
		ck_assert_int_eq(ctx->status, xmlSecDSigStatusSucceeded);
		xmlSecDSigCtxDestroy(ctx);
	}
	xmlFreeDoc(doc);
	free(sign_b64);
	free(enc_b64);
	free(md);
	env_cleanup(&e);
}
END_TEST

/* Signed metadata without an SP key is refused, not sent unsigned. */
START_TEST(test_metadata_no_key)
{
	struct env		 e;
	struct s2o_err		 err;
	struct s2o_sp		 sp;
	struct s2o_saml_sp_keys	*none;

	env_init(&e);
	sp = e.cfg->sp;
	sp.signing_key.data = NULL;
	s2o_err_clear(&err);
	none = s2o_saml_sp_keys_new(&sp, &err);
	ck_assert_ptr_nonnull(none);
	ck_assert_ptr_null(s2o_saml_sp_metadata(e.cfg, none, true, &err));
	ck_assert_s2o_err(&err, S2O_R_KEY_UNUSABLE, "signed metadata needs "
	    "sp.signing_key_file and sp.signing_certificate_file");
	s2o_saml_sp_keys_free(none);
	env_cleanup(&e);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("saml/request+metadata");
	TCase	*tc = tcase_create("authn_request");

	tcase_add_test(tc, test_redirect_signed);
	tcase_add_test(tc, test_redirect_escaping);
	tcase_add_test(tc, test_redirect_unsigned);
	tcase_add_test(tc, test_post_signed);
	tcase_add_test(tc, test_post_signed_threads);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	tc = tcase_create("sp_metadata");
	tcase_add_loop_test(tc, test_metadata, 0, 2);	/* unsigned, signed */
	tcase_add_test(tc, test_metadata_no_key);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
