/* SPDX-License-Identifier: MIT */
/*
 * Certificates and keys named by the configuration: read once at load,
 * checked with OpenSSL (type, size, exactly one certificate, permissions),
 * and kept as PEM text for the stages that parse them into their own
 * library's type. OpenSSL objects never leave this file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config/config_int.h"

int
cfg_pem_read(struct loader *l, const char *path, const char *name,
    struct s2o_pem *out)
{
	struct s2o_buf	b;
	struct s2o_err	e;
	char		full[4096];

	if (name[0] == '/')
		s2o_strlcpy(full, name, sizeof(full));
	else
		snprintf(full, sizeof(full), "%s/%s", l->dir, name);
	s2o_err_clear(&e);
	s2o_buf_init(&b, S2O_CONFIG_MAX_PEM);
	if (s2o_buf_read_file(&b, full, &e) == -1) {
		if (e.reason == S2O_R_TOO_LARGE)
			cfg_error(l, path, false, "%s is larger than %d bytes",
			    name, S2O_CONFIG_MAX_PEM);
		else
			cfg_error(l, path, false, "cannot read %s: %s", name,
			    strerror(errno));
		return -1;
	}
	if ((out->path = strdup(full)) == NULL) {
		s2o_buf_cleanup_secret(&b);
		l->oom = true;
		return -1;
	}
	out->data = s2o_buf_take(&b, &out->len);
	return 0;
}

void
cfg_pem_free(struct s2o_pem *p, bool secret)
{
	if (p->data != NULL && secret)
		OPENSSL_cleanse(p->data, p->len);
	free(p->data);
	free(p->path);
	p->data = NULL;
	p->path = NULL;
}

static const char *
key_kind(EVP_PKEY *pk, char *buf, size_t size)
{
	char	curve[64];
	size_t	len;

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		snprintf(buf, size, "an RSA %d-bit key", EVP_PKEY_get_bits(pk));
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pk, "group", curve,
		    sizeof(curve), &len) != 1)
			s2o_strlcpy(curve, "unknown curve", sizeof(curve));
		snprintf(buf, size, "an EC key on %s", curve);
		break;
	default:
		snprintf(buf, size, "a %s key", EVP_PKEY_get0_type_name(pk) ?
		    EVP_PKEY_get0_type_name(pk) : "unknown");
		break;
	}
	return buf;
}

void
cfg_check_certificate(struct loader *l, const char *path,
    const struct s2o_pem *pem, bool allow_rsa_1024)
{
	BIO		*bio;
	X509		*x, *more;
	EVP_PKEY	*pk;
	const char	*name = strrchr(pem->path, '/') ? strrchr(pem->path,
			    '/') + 1 : pem->path;
	char		 kind[96];
	int		 bits;

	if ((bio = BIO_new_mem_buf(pem->data, (int)pem->len)) == NULL) {
		l->oom = true;
		return;
	}
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	more = x ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	ERR_clear_error();
	if (x == NULL) {
		cfg_error(l, path, false, "%s is not a PEM X.509 certificate",
		    name);
		return;
	}
	if (more != NULL)
		cfg_error(l, path, false, "%s holds more than one certificate; "
		    "list each in its own file", name);
	pk = X509_get0_pubkey(x);
	if (pk == NULL)
		cfg_error(l, path, false, "%s: unsupported public key", name);
	else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
		bits = EVP_PKEY_get_bits(pk);
		if (bits < 1024)
			cfg_error(l, path, false, "%s holds %s; 2048 bits or "
			    "more are required", name, key_kind(pk, kind,
			    sizeof(kind)));
		else if (bits < 2048 && !allow_rsa_1024)
			cfg_warn(l, path, "%s holds %s: Responses it signs are "
			    "rejected as weak_algorithm unless the connection "
			    "sets allow_rsa_1024", name, key_kind(pk, kind,
			    sizeof(kind)));
	} else if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
		cfg_error(l, path, false, "%s holds %s; RSA or EC keys are "
		    "supported", name, key_kind(pk, kind, sizeof(kind)));
	X509_free(more);
	X509_free(x);
}

void
cfg_check_private_key(struct loader *l, const char *path,
    const struct s2o_pem *pem, const char *alg, bool rsa_only)
{
	BIO		*bio;
	EVP_PKEY	*pk;
	struct stat	 st;
	const char	*name = strrchr(pem->path, '/') ? strrchr(pem->path,
			    '/') + 1 : pem->path;
	char		 kind[96], curve[64];
	size_t		 len;
	int		 type;

	if ((bio = BIO_new_mem_buf(pem->data, (int)pem->len)) == NULL) {
		l->oom = true;
		return;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pk == NULL) {
		cfg_error(l, path, false, "%s is not an unencrypted PEM private "
		    "key", name);
		return;
	}
	type = EVP_PKEY_get_base_id(pk);
	curve[0] = '\0';
	if (type == EVP_PKEY_EC && EVP_PKEY_get_utf8_string_param(pk, "group",
	    curve, sizeof(curve), &len) != 1)
		curve[0] = '\0';
	if (rsa_only && type == EVP_PKEY_RSA && EVP_PKEY_get_bits(pk) < 2048)
		cfg_warn(l, path, "%s holds %s; use 2048 bits or more for the "
		    "SP decryption key", name, key_kind(pk, kind, sizeof(kind)));
	else if (rsa_only || alg[0] == 'R') {
		if (type != EVP_PKEY_RSA || EVP_PKEY_get_bits(pk) < 2048)
			cfg_error(l, path, false, "%s%s needs an RSA key of 2048 "
			    "bits or more, %s holds %s", rsa_only ? "" : alg,
			    rsa_only ? "decryption" : "", name,
			    key_kind(pk, kind, sizeof(kind)));
	} else {
		const char *want = strcmp(alg, "ES256") == 0 ? "prime256v1" :
		    "secp384r1";

		if (type != EVP_PKEY_EC || strcmp(curve, want) != 0)
			cfg_error(l, path, false, "%s needs an EC %s key, %s "
			    "holds %s", alg, strcmp(alg, "ES256") == 0 ?
			    "P-256" : "P-384", name, key_kind(pk, kind,
			    sizeof(kind)));
	}
	EVP_PKEY_free(pk);
	if (stat(pem->path, &st) == 0 && (st.st_mode & 077) != 0)
		cfg_warn(l, path, "%s is readable by group or others (mode "
		    "%04o); chmod 600 it", name, (unsigned int)(st.st_mode &
		    07777));
}
