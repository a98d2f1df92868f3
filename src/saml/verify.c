/* SPDX-License-Identifier: MIT */
/*
 * Step 5: verify a ds:Signature with the connection's keys and nothing else.
 *
 * The keys come from the certificates the admin configured; a key or
 * certificate inside the document's KeyInfo is never read (the verifying
 * key is set on the context before xmlsec looks at KeyInfo, and KeyInfo
 * key data is narrowed to KeyName anyway, since xmlsec 1.2.37 still enables
 * KeyValue by default). Before any cryptography, a pre-scan enforces what
 * may be signed and how: one SignedInfo with exclusive c14n, one
 * Reference whose URI is "#" + the ID of the Signature's own parent,
 * transforms limited to enveloped-signature and exclusive c14n, and
 * signature and digest algorithms from an allow-list (SHA-1 only where the
 * connection opts in). xmlsec's own transform lists are narrowed the same
 * way, as a second fence. With xmlsec 1.2.37 the verdict is
 * dsigCtx->status: xmlSecDSigCtxVerify() returns 0 for a signature it
 * processed and found invalid.
 *
 * Each key is parsed once (from the certificate's public key, without the
 * certificate, so duplicating it per verification is a reference count,
 * not an X.509 decode).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>

#include "saml/saml_int.h"

#define ALG_EXC_C14N	"http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_ENVELOPED	"http://www.w3.org/2000/09/xmldsig#enveloped-signature"

struct trust_key {
	xmlSecKeyPtr	 key;
	const char	*path;		/* borrowed from the configuration */
	int		 bits;
	bool		 rsa;
	bool		 weak;		/* RSA under the connection's floor */
	time_t		 not_after;	/* of its certificate */
	char		 sha256[17];	/* first 8 bytes of its fingerprint */
};

/*
 * Shared by reference: a metadata refresh swaps a new trust in while
 * requests still verify with the old one (oidc/provider.c), so the last
 * holder frees it.
 */
struct s2o_saml_trust {
	atomic_uint	  refs;
	struct trust_key *keys;
	size_t		  nkeys;
	xmlSecKeyPtr	  dec_key;	/* SP decryption key, or NULL */
	const char	 *source;	/* names the keys in messages */
	time_t		  valid_until;	/* of the metadata; 0: unbounded */
	long		  cache_duration; /* of the metadata, seconds */
	struct s2o_pem	 *owned;	/* certificates of a refresh */
	size_t		  nowned;
};

struct alg {
	const char	*uri;
	bool		 sha1;		/* allowed only with allow_sha1 */
};

static const struct alg sig_algs[] = {
	{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", false },
	{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", false },
	{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", false },
	{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", false },
	{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", false },
	{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", false },
	{ "http://www.w3.org/2000/09/xmldsig#rsa-sha1", true },
	{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1", true },
	{ NULL, false }
};

static const struct alg digest_algs[] = {
	{ "http://www.w3.org/2001/04/xmlenc#sha256", false },
	{ "http://www.w3.org/2001/04/xmldsig-more#sha384", false },
	{ "http://www.w3.org/2001/04/xmlenc#sha512", false },
	{ "http://www.w3.org/2000/09/xmldsig#sha1", true },
	{ NULL, false }
};

/* -1: not in the list; 0: allowed; 1: SHA-1 without the opt-in */
static int
alg_check(const struct alg *list, const char *uri, bool allow_sha1)
{
	size_t	i;

	for (i = 0; uri != NULL && list[i].uri != NULL; i++)
		if (strcmp(list[i].uri, uri) == 0)
			return list[i].sha1 && !allow_sha1 ? 1 : 0;
	return -1;
}

static void
cert_dates(X509 *x, struct trust_key *tk)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;
	struct tm	tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		tk->not_after = timegm(&tm);
	ERR_clear_error();
	X509_digest(x, EVP_sha256(), md, &mdlen);
	for (i = 0; i < 8 && i < mdlen; i++)
		snprintf(tk->sha256 + 2 * i, 3, "%02x", md[i]);
}

static int
key_from_cert(struct trust_key *tk, const struct s2o_pem *pem,
    bool allow_rsa_1024, struct s2o_err *err)
{
	BIO			*bio;
	X509			*x;
	EVP_PKEY		*pk = NULL;
	xmlSecKeyDataPtr	 data;

	tk->path = pem->path;
	if ((bio = BIO_new_mem_buf(pem->data, (int)pem->len)) == NULL)
		return s2o_err_oom(err);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL || (pk = X509_get_pubkey(x)) == NULL) {
		X509_free(x);
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE,
		    "%s: not a PEM X.509 certificate", pem->path);
	}
	cert_dates(x, tk);
	X509_free(x);
	tk->bits = EVP_PKEY_get_bits(pk);
	tk->rsa = EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA;
	tk->weak = tk->rsa && tk->bits < (allow_rsa_1024 ? 1024 : 2048);
	if ((data = xmlSecOpenSSLEvpKeyAdopt(pk)) == NULL) {
		EVP_PKEY_free(pk);
		return s2o_err_set(err, S2O_R_KEY_UNUSABLE,
		    "%s: xmlsec cannot use this key", pem->path);
	}
	if ((tk->key = xmlSecKeyCreate()) == NULL ||
	    xmlSecKeySetValue(tk->key, data) < 0) {
		xmlSecKeyDataDestroy(data);
		return s2o_err_oom(err);
	}
	return 0;
}

static struct s2o_saml_trust *
trust_build(const struct s2o_sp *sp, const struct s2o_pem *pems, size_t n,
    bool allow_rsa_1024, const char *source, struct s2o_err *err)
{
	struct s2o_saml_trust	*t;
	size_t			 i;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->keys = calloc(n + 1, sizeof(*t->keys))) == NULL) {
		free(t);
		s2o_err_oom(err);
		return NULL;
	}
	atomic_init(&t->refs, 1);
	t->source = source;
	for (i = 0; i < n; i++, t->nkeys++)
		if (key_from_cert(&t->keys[i], &pems[i], allow_rsa_1024,
		    err) == -1)
			goto fail;
	if (sp != NULL && sp->decryption_key.data != NULL) {
		t->dec_key = xmlSecCryptoAppKeyLoadMemory(
		    (const xmlSecByte *)sp->decryption_key.data,
		    (xmlSecSize)sp->decryption_key.len, xmlSecKeyDataFormatPem,
		    NULL, NULL, NULL);
		if (t->dec_key == NULL) {
			s2o_err_set(err, S2O_R_KEY_UNUSABLE,
			    "%s: xmlsec cannot load this private key",
			    sp->decryption_key.path);
			goto fail;
		}
	}
	return t;
fail:
	s2o_saml_trust_free(t);
	return NULL;
}

struct s2o_saml_trust *
s2o_saml_trust_new(const struct s2o_sp *sp, const struct s2o_connection *conn,
    struct s2o_err *err)
{
	struct s2o_saml_trust	*t;

	t = trust_build(sp, conn->idp_certificates, conn->nidp_certificates,
	    conn->allow_rsa_1024, conn->metadata.present ?
	    "metadata's signing certificates" : "idp_certificates", err);
	if (t != NULL) {
		t->valid_until = conn->metadata.valid_until;
		t->cache_duration = conn->metadata.cache_duration;
	}
	return t;
}

struct s2o_saml_trust *
s2o_saml_trust_from_metadata(const struct s2o_sp *sp,
    const struct s2o_connection *conn, const struct s2o_idp_metadata *m,
    struct s2o_err *err)
{
	struct s2o_saml_trust	*t;
	struct s2o_pem		*v;
	size_t			 i;

	if ((v = calloc(m->ncertificates + 1, sizeof(*v))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	for (i = 0; i < m->ncertificates; i++) {
		char name[32];

		snprintf(name, sizeof(name), "metadata #%zu", i + 1);
		if ((v[i].path = s2o_strdup(name, err)) == NULL ||
		    (v[i].data = s2o_strdup(m->certificates[i], err)) ==
		    NULL)
			goto fail;
		v[i].len = strlen(v[i].data);
	}
	if ((t = trust_build(sp, v, m->ncertificates, conn->allow_rsa_1024,
	    "metadata's signing certificates", err)) == NULL)
		goto fail;
	t->owned = v;
	t->nowned = m->ncertificates;
	t->valid_until = m->valid_until;
	t->cache_duration = m->cache_duration;
	return t;
fail:
	for (i = 0; i <= m->ncertificates; i++) {
		free(v[i].path);
		free(v[i].data);
	}
	free(v);
	return NULL;
}

struct s2o_saml_trust *
s2o_saml_trust_signer(const struct s2o_connection *conn, struct s2o_err *err)
{
	return trust_build(NULL, &conn->metadata.signing_certificate, 1,
	    conn->allow_rsa_1024, "metadata_signing_certificate", err);
}

struct s2o_saml_trust *
s2o_saml_trust_ref(struct s2o_saml_trust *t)
{
	atomic_fetch_add(&t->refs, 1);
	return t;
}

void
s2o_saml_trust_free(struct s2o_saml_trust *t)
{
	size_t	i;

	if (t == NULL || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	for (i = 0; i <= t->nkeys && t->keys != NULL; i++)
		if (t->keys[i].key != NULL)
			xmlSecKeyDestroy(t->keys[i].key);
	free(t->keys);
	if (t->dec_key != NULL)
		xmlSecKeyDestroy(t->dec_key);
	for (i = 0; i < t->nowned; i++) {
		free(t->owned[i].path);
		free(t->owned[i].data);
	}
	free(t->owned);
	free(t);
}

time_t
s2o_saml_trust_valid_until(const struct s2o_saml_trust *t)
{
	return t->valid_until;
}

long
s2o_saml_trust_cache_duration(const struct s2o_saml_trust *t)
{
	return t->cache_duration;
}

size_t
s2o_saml_trust_count(const struct s2o_saml_trust *t)
{
	return t->nkeys;
}

time_t
s2o_saml_trust_not_after(const struct s2o_saml_trust *t, size_t i,
    const char **sha256)
{
	if (i >= t->nkeys)
		return 0;
	if (sha256 != NULL)
		*sha256 = t->keys[i].sha256;
	return t->keys[i].not_after;
}

bool
s2o_saml_trust_same_keys(const struct s2o_saml_trust *a,
    const struct s2o_saml_trust *b)
{
	size_t	i;

	if (a->nkeys != b->nkeys)
		return false;
	for (i = 0; i < a->nkeys; i++)
		if (strcmp(a->keys[i].sha256, b->keys[i].sha256) != 0)
			return false;
	return true;
}

void *
s2o_saml_trust_decryption_key(const struct s2o_saml_trust *t)
{
	return t->dec_key;
}

static int
prescan_algorithm(const xmlNode *node, const char *what,
    const struct alg *list, bool allow_sha1, struct s2o_err *err)
{
	const char	*uri = node ? s2o_saml_prop(node, "Algorithm") : NULL;
	char		 shown[96];
	int		 rc;

	if (uri == NULL)
		return s2o_err_set(err, S2O_R_SIGNATURE_INVALID,
		    "ds:Signature: no %s Algorithm", what);
	if ((rc = alg_check(list, uri, allow_sha1)) == 0)
		return 0;
	return s2o_err_set(err, S2O_R_WEAK_ALGORITHM, "%s %s is not "
	    "accepted%s", what, s2o_str_excerpt(shown, sizeof(shown), uri, 80),
	    rc == 1 ? " (SHA-1; the connection may opt in with allow_sha1)" :
	    "");
}

/* What may be signed, and how, before any key is used. */
static int
prescan(const xmlNode *sig, const struct s2o_connection *conn,
    struct s2o_err *err)
{
	xmlNodePtr	 si, ref, tr, c;
	const char	*uri, *id, *alg;
	char		 shown[96], pn[64];
	size_t		 nref;

	if (s2o_saml_count(sig, S2O_NS_DSIG, "SignedInfo") != 1)
		return s2o_err_set(err, S2O_R_SIGNATURE_INVALID,
		    "ds:Signature needs exactly one SignedInfo");
	si = s2o_saml_child(sig, S2O_NS_DSIG, "SignedInfo");
	c = s2o_saml_child(si, S2O_NS_DSIG, "CanonicalizationMethod");
	alg = c ? s2o_saml_prop(c, "Algorithm") : NULL;
	if (alg == NULL || strcmp(alg, ALG_EXC_C14N) != 0)
		return s2o_err_set(err, S2O_R_WEAK_ALGORITHM,
		    "CanonicalizationMethod %s is not accepted (only exclusive "
		    "c14n)", alg ? s2o_str_excerpt(shown, sizeof(shown), alg,
		    80) : "(none)");
	if (prescan_algorithm(s2o_saml_child(si, S2O_NS_DSIG,
	    "SignatureMethod"), "SignatureMethod", sig_algs, conn->allow_sha1,
	    err) == -1)
		return -1;
	if ((nref = s2o_saml_count(si, S2O_NS_DSIG, "Reference")) != 1)
		return s2o_err_set(err, S2O_R_SIGNATURE_INVALID,
		    "SignedInfo holds %zu References; exactly one is accepted",
		    nref);
	ref = s2o_saml_child(si, S2O_NS_DSIG, "Reference");
	uri = s2o_saml_prop(ref, "URI");
	id = s2o_saml_prop(sig->parent, "ID");
	/* the signature must cover its own parent, found by that ID alone */
	if (uri == NULL || id == NULL || uri[0] != '#' ||
	    strcmp(uri + 1, id) != 0)
		return s2o_err_set(err, S2O_R_WRAPPING, "the ds:Signature in "
		    "%s references \"%s\", not its parent's ID",
		    s2o_saml_name(sig->parent, pn, sizeof(pn)),
		    uri ? s2o_str_excerpt(shown, sizeof(shown), uri, 64) :
		    "(no URI)");
	if ((c = s2o_saml_child(ref, S2O_NS_DSIG, "Transforms")) != NULL)
		for (tr = c->children; tr != NULL; tr = tr->next) {
			if (tr->type != XML_ELEMENT_NODE)
				continue;
			alg = s2o_saml_is(tr, S2O_NS_DSIG, "Transform") ?
			    s2o_saml_prop(tr, "Algorithm") : NULL;
			if (alg == NULL || (strcmp(alg, ALG_ENVELOPED) != 0 &&
			    strcmp(alg, ALG_EXC_C14N) != 0))
				return s2o_err_set(err, S2O_R_WEAK_ALGORITHM,
				    "Transform %s is not accepted (only "
				    "enveloped-signature and exclusive c14n)",
				    alg ? s2o_str_excerpt(shown, sizeof(shown),
				    alg, 80) : "(none)");
		}
	return prescan_algorithm(s2o_saml_child(ref, S2O_NS_DSIG,
	    "DigestMethod"), "DigestMethod", digest_algs, conn->allow_sha1,
	    err);
}

static int
ctx_narrow(xmlSecDSigCtxPtr ctx, bool allow_sha1)
{
	int	rc = 0;

	ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES |
	    XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	/* KeyInfo is never a source of keys; KeyName is inert */
	rc |= xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
	    BAD_CAST xmlSecKeyDataNameId);
	rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformExclC14NId);
	rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha256Id);
	rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha384Id);
	rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha512Id);
	rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformEcdsaSha256Id);
	rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformEcdsaSha384Id);
	rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformEcdsaSha512Id);
	rc |= xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformExclC14NId);
	rc |= xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformEnvelopedId);
	rc |= xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha256Id);
	rc |= xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha384Id);
	rc |= xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha512Id);
	if (allow_sha1) {
		rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
		    xmlSecTransformRsaSha1Id);
		rc |= xmlSecDSigCtxEnableSignatureTransform(ctx,
		    xmlSecTransformEcdsaSha1Id);
		rc |= xmlSecDSigCtxEnableReferenceTransform(ctx,
		    xmlSecTransformSha1Id);
	}
	return rc < 0 ? -1 : 0;
}

enum try_result { TRY_OK, TRY_DIGEST, TRY_SIGNATURE, TRY_FAULT };

static enum try_result
try_key(xmlSecKeyPtr key, bool allow_sha1, xmlNodePtr sig)
{
	xmlSecDSigCtxPtr		ctx;
	xmlSecDSigReferenceCtxPtr	ref;
	enum try_result			res = TRY_SIGNATURE;
	xmlSecSize			i, n;
	int				ret;

	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL)
		return TRY_FAULT;
	if (ctx_narrow(ctx, allow_sha1) == -1) {
		xmlSecDSigCtxDestroy(ctx);
		return TRY_FAULT;
	}
	/* lent, as in s2o_saml_sign_lent(): the transform takes its own
	 * reference to the EVP_PKEY and the key is only read */
	ctx->signKey = key;
	ret = xmlSecDSigCtxVerify(ctx, sig);
	ctx->signKey = NULL;
	if (ret == 0 && ctx->status == xmlSecDSigStatusSucceeded)
		res = TRY_OK;
	else {
		n = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
		for (i = 0; i < n; i++) {
			ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences,
			    i);
			if (ref != NULL &&
			    ref->status == xmlSecDSigStatusInvalid)
				res = TRY_DIGEST;
		}
	}
	xmlSecDSigCtxDestroy(ctx);
	return res;
}

/* "subject", SHA-256 AA:BB:... of a certificate, for a one-line detail */
static void
cert_describe(X509 *x, char *out, size_t size)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;
	char		name[160];
	size_t		off;

	/* the fingerprint too: a rolled-over certificate often keeps the
	 * subject of the one it replaces */
	X509_NAME_oneline(X509_get_subject_name(x), name, sizeof(name));
	X509_digest(x, EVP_sha256(), md, &mdlen);
	off = (size_t)snprintf(out, size, "\"%s\", SHA-256 ", name);
	for (i = 0; i < mdlen && off + 4 < size; i++)
		off += (size_t)snprintf(out + off, size - off,
		    i ? ":%02X" : "%02X", md[i]);
}

/* The X509Certificate of a Signature's KeyInfo, or NULL. */
static X509 *
keyinfo_cert(xmlNodePtr sig)
{
	xmlNodePtr		 ki, xd, xc;
	struct s2o_err		 e;
	unsigned char		*der;
	const unsigned char	*p;
	char			*text;
	size_t			 len;
	X509			*x;

	if ((ki = s2o_saml_child(sig, S2O_NS_DSIG, "KeyInfo")) == NULL ||
	    (xd = s2o_saml_child(ki, S2O_NS_DSIG, "X509Data")) == NULL ||
	    (xc = s2o_saml_child(xd, S2O_NS_DSIG, "X509Certificate")) == NULL)
		return NULL;
	s2o_err_clear(&e);
	if ((text = s2o_saml_text(xc, &e)) == NULL)
		return NULL;
	der = s2o_b64_decode(text, strlen(text), S2O_CONFIG_MAX_PEM, &len, &e);
	free(text);
	if (der == NULL)
		return NULL;
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	free(der);
	return x;
}

/*
 * After no configured key verified: does the certificate the document
 * carries in its KeyInfo verify it? Then the IdP signs with a key this
 * connection does not trust (often a certificate rollover), and the admin
 * needs to know which. That key serves this diagnosis only.
 */
static bool
keyinfo_cert_verifies(xmlNodePtr sig, bool allow_sha1, char *subject,
    size_t size)
{
	X509			*x;
	EVP_PKEY		*pk;
	xmlSecKeyDataPtr	 data;
	xmlSecKeyPtr		 key;
	bool			 ok = false;

	if ((x = keyinfo_cert(sig)) == NULL)
		return false;
	if ((pk = X509_get_pubkey(x)) != NULL &&
	    (data = xmlSecOpenSSLEvpKeyAdopt(pk)) == NULL)
		EVP_PKEY_free(pk);
	else if (pk != NULL) {
		if ((key = xmlSecKeyCreate()) != NULL &&
		    xmlSecKeySetValue(key, data) == 0)
			ok = try_key(key, allow_sha1, sig) == TRY_OK;
		else
			xmlSecKeyDataDestroy(data);
		if (key != NULL)
			xmlSecKeyDestroy(key);
	}
	if (ok)
		cert_describe(x, subject, size);
	X509_free(x);
	return ok;
}

int
s2o_saml_signature_verify(const struct s2o_saml_trust *t,
    const struct s2o_connection *conn, xmlNodePtr sig, struct s2o_err *err)
{
	enum try_result	 r;
	bool		 digest_bad = false, weak_ok = false;
	const char	*weak_path = NULL;
	char		 pn[64], subject[400];
	size_t		 i;
	int		 weak_bits = 0;

	if (prescan(sig, conn, err) == -1)
		return -1;
	s2o_saml_lib_message_reset();
	for (i = 0; i < t->nkeys; i++) {
		r = try_key(t->keys[i].key, conn->allow_sha1, sig);
		if (r == TRY_OK && !t->keys[i].weak)
			return 0;
		if (r == TRY_OK) {
			weak_ok = true;
			weak_path = t->keys[i].path;
			weak_bits = t->keys[i].bits;
		}
		if (r == TRY_DIGEST)
			digest_bad = true;
	}
	s2o_saml_name(sig->parent, pn, sizeof(pn));
	if (weak_ok)
		return s2o_err_set(err, S2O_R_WEAK_ALGORITHM, "the %s signature "
		    "verifies only with the %d-bit RSA key of %s; 2048 bits or "
		    "more are required", pn, weak_bits, strrchr(weak_path, '/') ?
		    strrchr(weak_path, '/') + 1 : weak_path);
	if (digest_bad)
		return s2o_err_set(err, S2O_R_SIGNATURE_INVALID, "the digest "
		    "of the signed %s does not match: it was changed after "
		    "signing", pn);
	if (keyinfo_cert_verifies(sig, conn->allow_sha1, subject,
	    sizeof(subject)))
		return s2o_err_set(err, S2O_R_UNTRUSTED_KEY, "the %s is signed "
		    "by a certificate not among the connection's "
		    "%s: %s", pn, t->source, subject);
	return s2o_err_set(err, S2O_R_SIGNATURE_INVALID, "the %s signature "
	    "does not verify with any of the connection's %zu certificate%s",
	    pn, t->nkeys, t->nkeys == 1 ? "" : "s");
}
