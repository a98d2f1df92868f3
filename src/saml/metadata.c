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
	xmlNodePtr		 sig, ref, ki;
	char			 uri[80];

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
	if (s2o_saml_sign_lent(sig, s2o_saml_sp_keys_xmlsec(keys)) == -1)
		return s2o_err_set(err, S2O_R_INTERNAL, "cannot sign the "
		    "metadata");
	return 0;
}

/*
 * One more AssertionConsumerService per connection that takes IdP-initiated
 * logins: sp.acs_url/NAME (index 1, 2, ...), the URL such an IdP posts to,
 * so its Destination names the connection (oidc/acs.c).
 */
static int
add_connection_acs(xmlNodePtr sso, xmlNsPtr md, const struct s2o_config *cfg)
{
	xmlNodePtr	 acs;
	char		*loc, idx[16];
	size_t		 i, len;
	unsigned int	 n = 0;
	int		 rc;

	for (i = 0; i < cfg->nconnections; i++) {
		if (!cfg->connections[i].allow_idp_initiated)
			continue;
		len = strlen(cfg->sp.acs_url) + strlen(cfg->connections[i].name) +
		    2;
		if ((loc = malloc(len)) == NULL)
			return -1;
		snprintf(loc, len, "%s/%s", cfg->sp.acs_url,
		    cfg->connections[i].name);
		snprintf(idx, sizeof(idx), "%u", ++n);
		rc = (acs = xmlNewChild(sso, md,
		    BAD_CAST "AssertionConsumerService", NULL)) == NULL ||
		    xmlNewProp(acs, BAD_CAST "Binding", BAD_CAST BINDING_POST) ==
		    NULL || xmlNewProp(acs, BAD_CAST "Location", BAD_CAST loc) ==
		    NULL || xmlNewProp(acs, BAD_CAST "index", BAD_CAST idx) ==
		    NULL ? -1 : 0;
		free(loc);
		if (rc == -1)
			return -1;
	}
	return 0;
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
	if (add_connection_acs(sso, md, cfg) == -1)
		goto oom;
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

/* ---- IdP metadata ------------------------------------------------------ */

void
s2o_idp_metadata_free(struct s2o_idp_metadata *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncertificates; i++)
		free(m->certificates[i]);
	free(m->certificates);
	for (i = 0; i < m->nname_id_formats; i++)
		free(m->name_id_formats[i]);
	free(m->name_id_formats);
	free(m->entity_id);
	free(m->sso_redirect);
	free(m->sso_post);
	free(m);
}

static int
push(char ***v, size_t *n, char *s, struct s2o_err *err)
{
	char	**nv;

	if (s == NULL)
		return -1;
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
		free(s);
		return s2o_err_oom(err);
	}
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

/* An X509Certificate element's base64 as PEM text; caller frees. */
static char *
cert_pem(const xmlNode *xc, const char *entity, struct s2o_err *err)
{
	unsigned char		*der;
	const unsigned char	*p;
	char			*text, *out = NULL, *data;
	size_t			 len;
	X509			*x;
	BIO			*bio;
	long			 n;

	if ((text = s2o_saml_text(xc, err)) == NULL)
		return NULL;
	der = s2o_b64_decode(text, strlen(text), S2O_CONFIG_MAX_PEM, &len, err);
	free(text);
	if (der == NULL)
		return NULL;
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	free(der);
	if (x == NULL) {
		s2o_err_set(err, S2O_R_MALFORMED, "entity \"%s\": a signing "
		    "X509Certificate is not a DER certificate", entity);
		return NULL;
	}
	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio_X509(bio, x) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0)
		out = s2o_strndup(data, (size_t)n, err);
	else
		s2o_err_oom(err);
	BIO_free(bio);
	X509_free(x);
	return out;
}

/* validUntil of n, if any, must lie ahead (Metadata 2.2.1). */
static int
check_valid_until(const xmlNode *n, const struct s2o_clock *clock,
    time_t *until, struct s2o_err *err)
{
	const char	*v = s2o_saml_prop(n, "validUntil");
	char		 ts[S2O_TIME_BUFSZ];
	time_t		 t;

	if (v == NULL)
		return 0;
	if (s2o_time_parse(v, "metadata validUntil", &t, err) == -1)
		return -1;
	if (s2o_clock_now(clock) >= t)
		return s2o_err_set(err, S2O_R_EXPIRED, "the metadata's "
		    "validUntil %s has passed: it may no longer be trusted",
		    s2o_time_format(t, ts, sizeof(ts)));
	if (*until == 0 || t < *until)
		*until = t;
	return 0;
}

static const xmlNode *
find_entity(const xmlNode *root, const char *want, struct s2o_err *err)
{
	const xmlNode	*c, *found = NULL;
	const char	*id;
	size_t		 nidp = 0;

	if (s2o_saml_is(root, NS_MD, "EntityDescriptor")) {
		id = s2o_saml_prop(root, "entityID");
		if (want != NULL && (id == NULL || strcmp(id, want) != 0)) {
			s2o_err_set(err, S2O_R_ISSUER_MISMATCH, "the metadata "
			    "describes \"%s\", not \"%s\"", id ? id : "(none)",
			    want);
			return NULL;
		}
		return root;
	}
	if (!s2o_saml_is(root, NS_MD, "EntitiesDescriptor")) {
		s2o_err_set(err, S2O_R_MALFORMED, "the root element is not a "
		    "SAML 2.0 metadata EntityDescriptor or EntitiesDescriptor");
		return NULL;
	}
	/* an aggregate (a federation feed): pick one IdP by entityID */
	for (c = root->children; c != NULL; c = c->next) {
		if (!s2o_saml_is(c, NS_MD, "EntityDescriptor") ||
		    s2o_saml_child(c, NS_MD, "IDPSSODescriptor") == NULL)
			continue;
		nidp++;
		id = s2o_saml_prop(c, "entityID");
		if (want == NULL || (id != NULL && strcmp(id, want) == 0))
			found = c;
	}
	if (want == NULL && nidp > 1) {
		s2o_err_set(err, S2O_R_USAGE, "the aggregate describes %zu "
		    "identity providers: name one with its entityID", nidp);
		return NULL;
	}
	if (found == NULL)
		s2o_err_set(err, S2O_R_ISSUER_MISMATCH, "no identity provider "
		    "\"%s\" in the aggregate (%zu described)", want ? want :
		    "", nidp);
	return found;
}

static int
read_idp(struct s2o_idp_metadata *m, const xmlNode *idp,
    struct s2o_err *err)
{
	const xmlNode	*kd, *ki, *xd, *xc, *c;
	const char	*use, *b, *loc, *w;

	w = s2o_saml_prop(idp, "WantAuthnRequestsSigned");
	m->want_authn_requests_signed = w != NULL && (strcmp(w, "true") == 0 ||
	    strcmp(w, "1") == 0);
	for (kd = idp->children; kd != NULL; kd = kd->next) {
		if (!s2o_saml_is(kd, NS_MD, "KeyDescriptor"))
			continue;
		/* Metadata 2.4.1.1: no use means both signing and encryption */
		use = s2o_saml_prop(kd, "use");
		if (use != NULL && strcmp(use, "signing") != 0)
			continue;
		if ((ki = s2o_saml_child(kd, S2O_NS_DSIG, "KeyInfo")) == NULL)
			continue;
		for (xd = ki->children; xd != NULL; xd = xd->next) {
			if (!s2o_saml_is(xd, S2O_NS_DSIG, "X509Data"))
				continue;
			for (xc = xd->children; xc != NULL; xc = xc->next)
				if (s2o_saml_is(xc, S2O_NS_DSIG,
				    "X509Certificate") && push(&m->certificates,
				    &m->ncertificates, cert_pem(xc, m->entity_id,
				    err), err) == -1)
					return -1;
		}
	}
	for (c = idp->children; c != NULL; c = c->next) {
		if (s2o_saml_is(c, NS_MD, "NameIDFormat")) {
			if (push(&m->name_id_formats, &m->nname_id_formats,
			    s2o_saml_text(c, err), err) == -1)
				return -1;
			continue;
		}
		if (!s2o_saml_is(c, NS_MD, "SingleSignOnService") ||
		    (b = s2o_saml_prop(c, "Binding")) == NULL ||
		    (loc = s2o_saml_prop(c, "Location")) == NULL)
			continue;
		if (strcmp(b, "urn:oasis:names:tc:SAML:2.0:bindings:"
		    "HTTP-Redirect") == 0 && m->sso_redirect == NULL &&
		    (m->sso_redirect = s2o_strdup(loc, err)) == NULL)
			return -1;
		if (strcmp(b, BINDING_POST) == 0 && m->sso_post == NULL &&
		    (m->sso_post = s2o_strdup(loc, err)) == NULL)
			return -1;
	}
	if (m->ncertificates == 0)
		return s2o_err_set(err, S2O_R_MALFORMED, "entity \"%s\" names "
		    "no signing certificate", m->entity_id);
	return 0;
}

/*
 * xs:duration as SAML metadata's cacheDuration uses it ("PT6H", "P1D",
 * "P0Y0M0DT1H0M0.000S"): years count 365 days, months 30. -1 when it is
 * not a duration or is negative.
 */
static long
duration_seconds(const char *s)
{
	unsigned long long	 total = 0, n;
	bool			 t = false, any = false;
	char			*end;

	if (*s++ != 'P')
		return -1;
	while (*s != '\0') {
		if (*s == 'T' && !t) {
			t = true;
			s++;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		n = strtoull(s, &end, 10);
		if (*end == '.' && t) {		/* fractions of seconds */
			end++;
			while (*end >= '0' && *end <= '9')
				end++;
			if (*end != 'S')
				return -1;
		}
		if (n > 100000000ULL)
			return -1;
		/* Y, M (months), D before T; H, M (minutes), S after */
		if (*end == 'Y' && !t)
			n *= 31536000ULL;
		else if (*end == 'M')
			n *= t ? 60ULL : 2592000ULL;
		else if (*end == 'D' && !t)
			n *= 86400ULL;
		else if (*end == 'H' && t)
			n *= 3600ULL;
		else if (*end != 'S' || !t)
			return -1;
		total += n;
		any = true;
		s = end + 1;
	}
	return any && total <= 0x7fffffffULL ? (long)total : -1;
}

/* The shortest cacheDuration of the root and the entity (0: none). */
static int
read_cache_duration(const xmlNode *n, long *out, struct s2o_err *err)
{
	const char	*v = s2o_saml_prop(n, "cacheDuration");
	char		 shown[48];
	long		 d;

	if (v == NULL)
		return 0;
	if ((d = duration_seconds(v)) < 0)
		return s2o_err_set(err, S2O_R_MALFORMED, "cacheDuration \"%s\" "
		    "is not an xs:duration such as PT6H",
		    s2o_str_excerpt(shown, sizeof(shown), v, 32));
	if (*out == 0 || d < *out)
		*out = d;
	return 0;
}

struct s2o_idp_metadata *
s2o_saml_idp_metadata_read(xmlDocPtr doc, const char *entity,
    const struct s2o_clock *clock, struct s2o_err *err)
{
	struct s2o_idp_metadata	*m = NULL;
	const xmlNode		*root, *ent, *idp;
	const char		*id;

	root = xmlDocGetRootElement(doc);
	if ((ent = find_entity(root, entity, err)) == NULL)
		goto fail;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		s2o_err_oom(err);
		goto fail;
	}
	m->aggregate = ent != root;
	if (check_valid_until(root, clock, &m->valid_until, err) == -1 ||
	    (ent != root && check_valid_until(ent, clock, &m->valid_until,
	    err) == -1) || read_cache_duration(root, &m->cache_duration,
	    err) == -1 || (ent != root && read_cache_duration(ent,
	    &m->cache_duration, err) == -1))
		goto fail;
	if ((id = s2o_saml_prop(ent, "entityID")) == NULL || *id == '\0') {
		s2o_err_set(err, S2O_R_MALFORMED, "the EntityDescriptor has no "
		    "entityID");
		goto fail;
	}
	if ((m->entity_id = s2o_strdup(id, err)) == NULL)
		goto fail;
	for (idp = ent->children; idp != NULL; idp = idp->next) {
		const char *pse = s2o_saml_prop(idp, "protocolSupportEnumeration");

		/* ADFS also lists WS-Federation roles: only SAML 2.0 counts */
		if (s2o_saml_is(idp, NS_MD, "IDPSSODescriptor") && pse != NULL &&
		    strstr(pse, S2O_NS_PROTOCOL) != NULL)
			break;
	}
	if (idp == NULL) {
		s2o_err_set(err, S2O_R_MALFORMED, "entity \"%s\" has no SAML 2.0 "
		    "IDPSSODescriptor", m->entity_id);
		goto fail;
	}
	if (read_idp(m, idp, err) == -1)
		goto fail;
	return m;
fail:
	s2o_idp_metadata_free(m);
	return NULL;
}

struct s2o_idp_metadata *
s2o_saml_idp_metadata_parse(const char *xml, size_t len, const char *entity,
    const struct s2o_clock *clock, struct s2o_err *err)
{
	struct s2o_idp_metadata	*m;
	xmlDocPtr		 doc;

	/* the same parser as Responses: no network, no DTD, unique IDs */
	if ((doc = s2o_saml_xml_parse(xml, len, err)) == NULL)
		return NULL;
	m = s2o_saml_idp_metadata_read(doc, entity, clock, err);
	xmlFreeDoc(doc);
	return m;
}
