/* SPDX-License-Identifier: MIT */
/*
 * The bridge's own keys in the configuration: `signing_keys` (token
 * signing, several published while one signs) and the `sp` object with
 * its optional decryption key. Each key is read and matched against its
 * algorithm here, at load, so a wrong key never reaches token/ or saml/;
 * pem.c does the OpenSSL work.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config/config_int.h"

static const char *const key_keys[] = { "kid", "alg", "private_key_file",
    "active", NULL };
static const char *const sp_keys[] = { "entity_id", "acs_url",
    "decryption_key_file", "decryption_certificate_file",
    "signing_key_file", "signing_certificate_file", NULL };

#define DEFAULT_ALG	"RS256"
#define MIN_RSA_BITS	2048	/* bits, every RSA key the bridge holds */

/* What alg needs: NULL when ki fits it, else "an EC P-256 key" etc. */
static const char *
alg_needs(const char *alg, const struct cfg_keyinfo *ki)
{
	if (alg[0] == 'R')	/* RS256, RS384, RS512 */
		return ki->rsa && ki->bits >= MIN_RSA_BITS ? NULL :
		    "an RSA key of 2048 bits or more";
	if (strcmp(alg, "ES256") == 0)	/* RFC 7518 §3.4 */
		return ki->ec && ki->curve && strcmp(ki->curve, "P-256") == 0 ?
		    NULL : "an EC P-256 key";
	return ki->ec && ki->curve && strcmp(ki->curve, "P-384") == 0 ? NULL :
	    "an EC P-384 key";
}

static bool
known_alg(const char *alg)
{
	static const char *const algs[] = { "RS256", "RS384", "RS512",
	    "ES256", "ES384", NULL };
	size_t	i;

	for (i = 0; algs[i] != NULL; i++)
		if (strcmp(algs[i], alg) == 0)
			return true;
	return false;
}

/* Reads key->private_key and checks it against key->alg. */
static void
load_private_key(struct loader *l, struct s2o_config_key *key, json_t *o,
    const char *base, bool alg_given)
{
	struct cfg_keyinfo	 ki;
	const char		*needs;
	char			 p[CFG_PATH_MAX], ap[CFG_PATH_MAX];
	char			*file;
	mode_t			 mode;

	if ((file = cfg_string(l, o, base, "private_key_file", true,
	    false)) == NULL)
		return;
	cfg_path(p, base, "private_key_file");
	/* the mode matters only for a file that holds a private key */
	if (cfg_pem_read(l, p, file, &key->private_key, &mode) == 0 &&
	    cfg_private_key_info(l, p, file, &key->private_key, &ki) == 0) {
		cfg_check_key_mode(l, p, file, mode);
		if (key->alg != NULL && known_alg(key->alg) &&
		    (needs = alg_needs(key->alg, &ki)) != NULL) {
			if (alg_given)
				cfg_error(l, cfg_path(ap, base, "alg"), false,
				    "%s needs %s, private_key_file holds %s",
				    key->alg, needs, ki.kind);
			else
				cfg_error(l, base, false, "%s (the default alg) "
				    "needs %s, private_key_file holds %s",
				    key->alg, needs, ki.kind);
		}
	}
	free(file);
}

void
cfg_load_signing_keys(struct loader *l, struct s2o_config *c, json_t *root)
{
	json_t	*arr, *o;
	char	 base[CFG_PATH_MAX], p[CFG_PATH_MAX];
	size_t	 i, j, active = SIZE_MAX;
	bool	 alg_given;

	if ((arr = cfg_array(l, root, "", "signing_keys", true)) == NULL)
		return;
	if ((c->signing_keys = calloc(json_array_size(arr),
	    sizeof(*c->signing_keys))) == NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(arr, i, o) {
		struct s2o_config_key *key = &c->signing_keys[i];

		c->nsigning_keys++;
		if (!cfg_is_object(l, o, cfg_index(base, "signing_keys", i)))
			continue;
		cfg_check_keys(l, o, base, key_keys);
		/* a kid names one key in JWKS and JWT headers (RFC 7517 §4.5) */
		key->kid = cfg_string(l, o, base, "kid", true, false);
		for (j = 0; key->kid != NULL && j < i; j++)
			if (c->signing_keys[j].kid != NULL &&
			    strcmp(c->signing_keys[j].kid, key->kid) == 0) {
				cfg_error(l, cfg_path(p, base, "kid"), false,
				    "\"%s\" is already the kid of "
				    "signing_keys[%zu]", key->kid, j);
				break;
			}
		alg_given = json_object_get(o, "alg") != NULL;
		if (!alg_given) {
			if ((key->alg = strdup(DEFAULT_ALG)) == NULL)
				l->oom = true;
		} else if ((key->alg = cfg_string(l, o, base, "alg", false,
		    false)) != NULL && !known_alg(key->alg))
			cfg_error(l, cfg_path(p, base, "alg"), false,
			    "unsupported algorithm \"%s\" (use RS256, RS384, "
			    "RS512, ES256 or ES384)", key->alg);
		key->active = cfg_bool(l, o, base, "active", false);
		if (key->active && active != SIZE_MAX)
			cfg_error(l, cfg_path(p, base, "active"), false,
			    "signing_keys[%zu] is already active; only one key "
			    "signs", active);
		else if (key->active)
			active = i;
		load_private_key(l, key, o, base, alg_given);
	}
	if (active == SIZE_MAX && c->nsigning_keys > 0)
		c->signing_keys[0].active = true;
}

/*
 * The SP's own signing key and certificate, for signed AuthnRequests and
 * metadata: both or neither, an RSA key of 2048 bits or more (RSA-SHA256
 * is what every IdP verifies), and the certificate must be the key's.
 */
/* An error at cp unless the certificate cert is the key key's. */
static void
check_pair(struct loader *l, const char *cp, const char *cf,
    const struct s2o_pem *cert, const char *kf, const struct s2o_pem *key)
{
	BIO		*bio;
	X509		*x = NULL;
	EVP_PKEY	*pk = NULL;

	if (cert->data == NULL || key->data == NULL)
		return;
	if ((bio = BIO_new_mem_buf(cert->data, (int)cert->len)) != NULL) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if ((bio = BIO_new_mem_buf(key->data, (int)key->len)) != NULL) {
		pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (x != NULL && pk != NULL && X509_check_private_key(x, pk) != 1)
		cfg_error(l, cp, false, "%s is not the certificate of %s", cf,
		    kf);
	ERR_clear_error();
	EVP_PKEY_free(pk);
	X509_free(x);
}

static void
load_sp_signing(struct loader *l, struct s2o_config *c, json_t *sp)
{
	struct cfg_keyinfo	 ki;
	const char		*kp = "sp.signing_key_file";
	const char		*cp = "sp.signing_certificate_file";
	char			*kf, *cf;
	mode_t			 mode;

	kf = cfg_string(l, sp, "sp", "signing_key_file", false, false);
	cf = cfg_string(l, sp, "sp", "signing_certificate_file", false, false);
	if ((kf == NULL) != (cf == NULL)) {
		cfg_error(l, kf ? kp : cp, false, "sp.signing_key_file and "
		    "sp.signing_certificate_file go together: set both");
		goto out;
	}
	if (kf == NULL)
		goto out;
	if (cfg_pem_read(l, kp, kf, &c->sp.signing_key, &mode) == -1 ||
	    cfg_private_key_info(l, kp, kf, &c->sp.signing_key, &ki) == -1)
		goto out;
	cfg_check_key_mode(l, kp, kf, mode);
	if (!ki.rsa || ki.bits < MIN_RSA_BITS) {
		cfg_error(l, kp, false, "%s holds %s; the SP signing key must be "
		    "an RSA key of 2048 bits or more", kf, ki.kind);
		goto out;
	}
	if (cfg_pem_read(l, cp, cf, &c->sp.signing_certificate, NULL) == -1)
		goto out;
	cfg_check_certificate(l, cp, cf, &c->sp.signing_certificate, false);
	check_pair(l, cp, cf, &c->sp.signing_certificate, kf,
	    &c->sp.signing_key);
out:
	free(kf);
	free(cf);
}

/* The SP certificate that IdPs encrypt to, published in SP metadata. */
static void
load_sp_decryption_cert(struct loader *l, struct s2o_config *c, json_t *sp,
    const char *kf)
{
	const char	*cp = "sp.decryption_certificate_file";
	char		*cf;

	if ((cf = cfg_string(l, sp, "sp", "decryption_certificate_file", false,
	    false)) == NULL)
		return;
	if (kf == NULL)
		cfg_error(l, cp, false, "a decryption certificate needs its key: "
		    "set sp.decryption_key_file");
	else if (cfg_pem_read(l, cp, cf, &c->sp.decryption_certificate,
	    NULL) == 0) {
		cfg_check_certificate(l, cp, cf, &c->sp.decryption_certificate,
		    false);
		check_pair(l, cp, cf, &c->sp.decryption_certificate, kf,
		    &c->sp.decryption_key);
	}
	free(cf);
}

void
cfg_load_sp(struct loader *l, struct s2o_config *c, json_t *root)
{
	struct cfg_keyinfo	 ki;
	json_t			*sp;
	const char		*p = "sp.decryption_key_file";
	char			*file, found[96];
	mode_t			 mode;

	if ((sp = cfg_member(l, root, "", "sp", true)) == NULL ||
	    !cfg_is_object(l, sp, "sp"))
		return;
	cfg_check_keys(l, sp, "sp", sp_keys);
	c->sp.entity_id = cfg_string(l, sp, "sp", "entity_id", true, false);
	/* SAML Bindings §3.5.5.2: Destination and Recipient must equal it */
	c->sp.acs_url = cfg_string(l, sp, "sp", "acs_url", true, false);
	if (c->sp.acs_url != NULL && !cfg_is_absolute_url(c->sp.acs_url,
	    true))
		cfg_error(l, "sp.acs_url", false, "expected an absolute http(s) "
		    "URL, found %s", cfg_found(json_object_get(sp, "acs_url"),
		    found, sizeof(found)));
	load_sp_signing(l, c, sp);
	file = cfg_string(l, sp, "sp", "decryption_key_file", false, false);
	if (file != NULL && cfg_pem_read(l, p, file, &c->sp.decryption_key,
	    &mode) == 0 && cfg_private_key_info(l, p, file,
	    &c->sp.decryption_key, &ki) == 0) {
		cfg_check_key_mode(l, p, file, mode);
		/* xmlenc key transport is RSA-OAEP: RSA only. A short key
		 * is the admin's own key to replace: warn, keep working */
		if (!ki.rsa)
			cfg_error(l, p, false, "%s holds %s; the SP decryption "
			    "key must be an RSA key of 2048 bits or more", file,
			    ki.kind);
		else if (ki.bits < MIN_RSA_BITS)
			cfg_warn(l, p, "%s holds %s; use an RSA key of 2048 "
			    "bits or more for the SP decryption key", file,
			    ki.kind);
	}
	load_sp_decryption_cert(l, c, sp, file);
	free(file);
}
