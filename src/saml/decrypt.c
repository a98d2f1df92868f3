/* SPDX-License-Identifier: MIT */
/*
 * Step 4: decrypt an EncryptedAssertion (and, once its signature has
 * verified, an EncryptedID) with the SP's own key (xmlsec's
 * xmlenc). Key transport must be RSA-OAEP (RSA PKCS#1 v1.5 is refused:
 * Bleichenbacher), content AES-GCM or AES-CBC. Every failure that involves
 * the key or the ciphertext reads the same, so the answer is no oracle;
 * only an algorithm refused before any decryption is named.
 */
#include <string.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/crypto.h>

#include "saml/saml_int.h"

static const char *const data_algs[] = {
	"http://www.w3.org/2001/04/xmlenc#aes128-cbc",
	"http://www.w3.org/2001/04/xmlenc#aes192-cbc",
	"http://www.w3.org/2001/04/xmlenc#aes256-cbc",
	"http://www.w3.org/2009/xmlenc11#aes128-gcm",
	"http://www.w3.org/2009/xmlenc11#aes192-gcm",
	"http://www.w3.org/2009/xmlenc11#aes256-gcm",
	NULL
};

static const char *const key_algs[] = {
	"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
	"http://www.w3.org/2009/xmlenc11#rsa-oaep",
	NULL
};

static int
method_check(const xmlNode *n, const char *what, const char *const *allowed,
    struct s2o_err *err)
{
	xmlNodePtr	 m = s2o_saml_child(n, S2O_NS_XENC, "EncryptionMethod");
	const char	*alg = m ? s2o_saml_prop(m, "Algorithm") : NULL;
	char		 shown[96];
	size_t		 i;

	for (i = 0; alg != NULL && allowed[i] != NULL; i++)
		if (strcmp(alg, allowed[i]) == 0)
			return 0;
	return s2o_err_set(err, S2O_R_DECRYPTION_FAILED, "%s algorithm %s is "
	    "not accepted", what, alg ? s2o_str_excerpt(shown, sizeof(shown),
	    alg, 80) : "(none)");
}

/* Every EncryptedKey below n uses an allowed key transport. */
static int
check_keys(const xmlNode *n, struct s2o_err *err)
{
	xmlNodePtr	c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (s2o_saml_is(c, S2O_NS_XENC, "EncryptedKey") &&
		    method_check(c, "key transport", key_algs, err) == -1)
			return -1;
		if (check_keys(c, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * SAML allows the EncryptedKey beside the EncryptedData (SAML Core 6.2).
 * xmlsec looks for it in the EncryptedData's KeyInfo, so move it there.
 */
static int
gather_key(xmlNodePtr enc, xmlNodePtr data, struct s2o_err *err)
{
	xmlNodePtr	ki, ek;

	ki = s2o_saml_child(data, S2O_NS_DSIG, "KeyInfo");
	if (ki != NULL && s2o_saml_child(ki, S2O_NS_XENC, "EncryptedKey"))
		return 0;
	if ((ek = s2o_saml_child(enc, S2O_NS_XENC, "EncryptedKey")) == NULL)
		return 0;
	if (ki == NULL) {
		ki = xmlNewDocNode(data->doc, NULL, BAD_CAST "KeyInfo", NULL);
		if (ki == NULL)
			return s2o_err_oom(err);
		xmlSetNs(ki, xmlNewNs(ki, BAD_CAST S2O_NS_DSIG, BAD_CAST "ds"));
		/* KeyInfo follows EncryptionMethod (xmlenc schema) */
		if (data->children != NULL && s2o_saml_child(data, S2O_NS_XENC,
		    "EncryptionMethod"))
			xmlAddNextSibling(s2o_saml_child(data, S2O_NS_XENC,
			    "EncryptionMethod"), ki);
		else if (data->children != NULL)
			xmlAddPrevSibling(data->children, ki);
		else
			xmlAddChild(data, ki);
	}
	xmlUnlinkNode(ek);
	xmlAddChild(ki, ek);
	return 0;
}

/*
 * Decrypts the EncryptedData of enc (an EncryptedAssertion or EncryptedID)
 * and puts the one element it held, which must be {S2O_NS_ASSERTION}want,
 * in enc's place. Returns that element, or NULL with the reason.
 */
static xmlNodePtr
decrypt_element(const struct s2o_saml_trust *t, xmlNodePtr enc,
    const char *want, struct s2o_err *err)
{
	xmlSecKeysMngrPtr	 mngr = NULL;
	xmlSecKeyStorePtr	 store;
	xmlSecEncCtxPtr		 ctx = NULL;
	xmlSecKeyPtr		 key = s2o_saml_trust_decryption_key(t);
	xmlNodePtr		 data, c, a = NULL, out = NULL;
	size_t			 n = 0;

	if (key == NULL) {
		s2o_err_set(err, S2O_R_DECRYPTION_FAILED, "the %s needs the SP "
		    "key and sp.decryption_key_file is not set", enc->name);
		return NULL;
	}
	if ((data = s2o_saml_child(enc, S2O_NS_XENC, "EncryptedData")) ==
	    NULL) {
		s2o_err_set(err, S2O_R_DECRYPTION_FAILED, "%s holds no "
		    "EncryptedData", enc->name);
		return NULL;
	}
	if (method_check(data, "content encryption", data_algs, err) == -1 ||
	    check_keys(enc, err) == -1 || gather_key(enc, data, err) == -1)
		return NULL;
	/*
	 * A keys manager whose only store is a simple keys store with the SP
	 * key: xmlSecCryptoAppDefaultKeysMngrInit would add an X509 store
	 * that reads the system's CA bundle (a file, some 150 certificates
	 * decoded) for every Response, about 90 % of the cost of decrypting
	 * one, and no certificate takes part in opening the EncryptedKey.
	 */
	if ((mngr = xmlSecKeysMngrCreate()) == NULL ||
	    (store = xmlSecKeyStoreCreate(xmlSecSimpleKeysStoreId)) == NULL) {
		s2o_err_oom(err);
		goto out;
	}
	if (xmlSecKeysMngrAdoptKeysStore(mngr, store) < 0) {
		xmlSecKeyStoreDestroy(store);
		s2o_err_oom(err);
		goto out;
	}
	mngr->getKey = xmlSecKeysMngrGetKey;	/* as the default one does */
	if (xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr,
	    xmlSecKeyDuplicate(key)) < 0 ||
	    (ctx = xmlSecEncCtxCreate(mngr)) == NULL ||
	    /* the only key source is the EncryptedKey, opened with our key */
	    xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
	    BAD_CAST xmlSecKeyDataEncryptedKeyId) < 0) {
		s2o_err_oom(err);
		goto out;
	}
	if (xmlSecEncCtxDecrypt(ctx, data) < 0 || ctx->result == NULL ||
	    !ctx->resultReplaced) {
		s2o_err_set(err, S2O_R_DECRYPTION_FAILED, "cannot decrypt the "
		    "%s with the SP decryption key", enc->name);
		goto out;
	}
	/* EncryptedData is now the plaintext: exactly one element */
	for (c = enc->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    s2o_saml_is(c, S2O_NS_XENC, "EncryptedKey"))
			continue;
		n++;
		a = c;
	}
	if (n != 1 || !s2o_saml_is(a, S2O_NS_ASSERTION, want)) {
		s2o_err_set(err, S2O_R_MALFORMED, "the decrypted %s does not "
		    "hold exactly one %s", enc->name, want);
		goto out;
	}
	xmlUnlinkNode(a);
	xmlReplaceNode(enc, a);
	xmlFreeNode(enc);
	out = a;
out:
	if (ctx != NULL)
		xmlSecEncCtxDestroy(ctx);
	if (mngr != NULL)
		xmlSecKeysMngrDestroy(mngr);
	return out;
}

int
s2o_saml_decrypt(struct s2o_saml_response *r, const struct s2o_saml_trust *t,
    struct s2o_err *err)
{
	xmlNodePtr	a;

	if ((a = decrypt_element(t, r->encrypted, "Assertion", err)) == NULL)
		return -1;
	r->encrypted = NULL;
	r->assertion = a;
	if (s2o_saml_ids_register(r->doc, a, err) == -1 ||
	    s2o_saml_shape_placement(r, a, err) == -1)
		return -1;
	return 0;
}

int
s2o_saml_decrypt_name_id(struct s2o_saml_response *r,
    const struct s2o_saml_trust *t, struct s2o_err *err)
{
	xmlNodePtr	subj, eid, nid;

	subj = s2o_saml_child(r->assertion, S2O_NS_ASSERTION, "Subject");
	if (subj == NULL || (eid = s2o_saml_child(subj, S2O_NS_ASSERTION,
	    "EncryptedID")) == NULL)
		return 0;
	if ((nid = decrypt_element(t, eid, "NameID", err)) == NULL)
		return -1;
	return s2o_saml_ids_register(r->doc, nid, err);
}
