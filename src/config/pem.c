/* SPDX-License-Identifier: MIT */
/*
 * Files named by the configuration: opened once at load (regular files
 * only, size-capped), certificates and keys checked with OpenSSL (type,
 * size, exactly one certificate, permissions), and kept as PEM text for the
 * stages that parse them into their own library's type. OpenSSL objects
 * never leave this file; what a key is travels as struct cfg_keyinfo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config/config_int.h"

#define MIN_RSA_BITS	2048	/* bits */
#define MIN_RSA_BITS_WEAK 1024	/* bits, with allow_rsa_1024 */
#define MAX_PATH_BYTES	4096	/* bytes, a resolved file name */

/* ---- files ------------------------------------------------------------ */

/*
 * Opens full as a regular file of at most max bytes. O_NONBLOCK so that a
 * FIFO named by mistake cannot hang the load before fstat sees it.
 */
static int
open_regular(const char *full, const char *shown, size_t max,
    struct stat *st, struct s2o_err *e)
{
	int	fd, saved;

	if ((fd = open(full, O_RDONLY | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return s2o_err_set(e, S2O_R_IO, "cannot read %s: %s", shown,
		    strerror(errno));
	if (fstat(fd, st) == -1) {
		saved = errno;
		close(fd);
		return s2o_err_set(e, S2O_R_IO, "cannot read %s: %s", shown,
		    strerror(saved));
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return s2o_err_set(e, S2O_R_IO, "cannot read %s: %s", shown,
		    S_ISDIR(st->st_mode) ? strerror(EISDIR) :
		    "not a regular file");
	}
	if ((unsigned long long)st->st_size > (unsigned long long)max) {
		close(fd);
		return s2o_err_set(e, S2O_R_TOO_LARGE, "%s: larger than the "
		    "limit of %zu bytes", shown, max);
	}
	return fd;
}

int
cfg_read_regular(const char *full, const char *shown, size_t max,
    struct s2o_buf *b, mode_t *mode, struct s2o_err *e)
{
	struct stat	 st;
	FILE		*fp;
	int		 fd, rc;

	if ((fd = open_regular(full, shown, max, &st, e)) == -1)
		return -1;
	if (mode != NULL)
		*mode = st.st_mode & 07777;
	if ((fp = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return s2o_err_oom(e);
	}
	rc = s2o_buf_read_stream(b, fp, shown, e);
	fclose(fp);
	return rc;
}

char *
cfg_resolve(struct loader *l, const char *name)
{
	struct s2o_buf	b;
	struct s2o_err	e;

	s2o_err_clear(&e);
	s2o_buf_init(&b, MAX_PATH_BYTES);
	if (name[0] != '/' && s2o_buf_printf(&b, &e, "%s/", l->dir) == -1)
		goto fail;
	if (s2o_buf_adds(&b, name, &e) == -1)
		goto fail;
	return s2o_buf_take(&b, NULL);
fail:
	if (e.reason == S2O_R_INTERNAL)
		l->oom = true;
	return NULL;
}

int
cfg_pem_read(struct loader *l, const char *path, const char *name,
    struct s2o_pem *out, mode_t *mode)
{
	struct s2o_buf	 b;
	struct s2o_err	 e;
	char		*full;

	if ((full = cfg_resolve(l, name)) == NULL) {
		if (!l->oom)
			cfg_error(l, path, false, "file name too long");
		return -1;
	}
	s2o_err_clear(&e);
	s2o_buf_init(&b, S2O_CONFIG_MAX_PEM);
	if (cfg_read_regular(full, name, S2O_CONFIG_MAX_PEM, &b, mode,
	    &e) == -1) {
		free(full);
		if (e.reason == S2O_R_INTERNAL)
			l->oom = true;
		else	/* "cannot read idp/cert.pem: No such file..." */
			cfg_error(l, path, false, "%s", e.detail);
		return -1;
	}
	out->path = full;
	out->data = s2o_buf_take(&b, &out->len);
	return 0;
}

char *
cfg_file_check(struct loader *l, const char *path, const char *name,
    size_t max)
{
	struct stat	 st;
	struct s2o_err	 e;
	char		*full;
	int		 fd;

	if ((full = cfg_resolve(l, name)) == NULL) {
		if (!l->oom)
			cfg_error(l, path, false, "file name too long");
		return NULL;
	}
	s2o_err_clear(&e);
	if ((fd = open_regular(full, name, max, &st, &e)) == -1) {
		cfg_error(l, path, false, "%s", e.detail);
		free(full);
		return NULL;
	}
	close(fd);
	return full;
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
	p->len = 0;
}

void
cfg_check_key_mode(struct loader *l, const char *path, const char *name,
    mode_t mode)
{
	if ((mode & 077) == 0)
		return;
	cfg_warn(l, path, "%s is %s by group or others (mode %04o); chmod 600 "
	    "it", name, (mode & 044) ? "readable" : (mode & 022) ? "writable" :
	    "accessible", (unsigned int)mode);
}

/* ---- keys ------------------------------------------------------------- */

/* "an" before a letter whose name starts with a vowel sound (RSA, EC). */
static const char *
article(const char *word)
{
	return strchr("AEFHILMNORSXaeio", word[0]) ? "an" : "a";
}

/* Fills ki from a public or private key. */
static void
describe(EVP_PKEY *pk, struct cfg_keyinfo *ki)
{
	static const struct { const char *group, *name; } curves[] = {
		{ "prime256v1", "P-256" }, { "P-256", "P-256" },
		{ "secp384r1", "P-384" }, { "P-384", "P-384" },
		{ "secp521r1", "P-521" }, { "P-521", "P-521" },
	};
	const char	*type;
	char		 group[64];
	size_t		 i, len;

	memset(ki, 0, sizeof(*ki));
	ki->bits = EVP_PKEY_get_bits(pk);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		ki->rsa = true;
		snprintf(ki->kind, sizeof(ki->kind), "an RSA %d-bit key",
		    ki->bits);
		return;
	case EVP_PKEY_EC:
		ki->ec = true;
		if (EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    &len) != 1)
			s2o_strlcpy(group, "an unnamed curve", sizeof(group));
		for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
			if (strcmp(curves[i].group, group) == 0)
				ki->curve = curves[i].name;
		if (ki->curve != NULL)
			snprintf(ki->kind, sizeof(ki->kind), "an EC %s key",
			    ki->curve);
		else
			snprintf(ki->kind, sizeof(ki->kind), "an EC key on %s",
			    group);
		return;
	default:
		/* RSA-PSS keys land here too: JWS RS* and xmlenc need
		 * plain RSA */
		type = EVP_PKEY_get0_type_name(pk);
		if (type == NULL || *type == '\0')
			type = "unknown";
		snprintf(ki->kind, sizeof(ki->kind), "%s %s key", article(type),
		    type);
		return;
	}
}

/*
 * A passphrase callback that refuses: without it OpenSSL would prompt on
 * the terminal for an encrypted key and hang a daemon or a test.
 */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int
cfg_private_key_info(struct loader *l, const char *path, const char *name,
    const struct s2o_pem *pem, struct cfg_keyinfo *ki)
{
	BIO		*bio;
	EVP_PKEY	*pk;

	if ((bio = BIO_new_mem_buf(pem->data, (int)pem->len)) == NULL) {
		l->oom = true;
		return -1;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pk == NULL) {
		if (strstr(pem->data, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
		    strstr(pem->data, "Proc-Type: 4,ENCRYPTED"))
			cfg_error(l, path, false, "%s holds an encrypted private "
			    "key; store it unencrypted, readable by the bridge "
			    "only", name);
		else
			cfg_error(l, path, false, "%s holds no PEM private key",
			    name);
		return -1;
	}
	describe(pk, ki);
	EVP_PKEY_free(pk);
	return 0;
}

/* ---- certificates ----------------------------------------------------- */

void
cfg_check_certificate(struct loader *l, const char *path, const char *name,
    const struct s2o_pem *pem, bool allow_rsa_1024)
{
	struct cfg_keyinfo	 ki;
	BIO			*bio;
	X509			*x, *more;
	EVP_PKEY		*pk;
	int			 n = 0;

	if ((bio = BIO_new_mem_buf(pem->data, (int)pem->len)) == NULL) {
		l->oom = true;
		return;
	}
	/* each file holds one certificate: a bundle would make every
	 * certificate in it trusted, whether the admin meant it or not */
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		for (n = 1; (more = PEM_read_bio_X509(bio, NULL, NULL,
		    NULL)) != NULL; n++)
			X509_free(more);
	BIO_free(bio);
	ERR_clear_error();
	if (x == NULL) {
		cfg_error(l, path, false, "%s is not a PEM X.509 certificate",
		    name);
		return;
	}
	if (n > 1)
		cfg_error(l, path, false, "%s holds %d certificates; list each "
		    "in its own file", name, n);
	if ((pk = X509_get0_pubkey(x)) == NULL) {
		ERR_clear_error();
		cfg_error(l, path, false, "%s: its public key cannot be read",
		    name);
		X509_free(x);
		return;
	}
	describe(pk, &ki);
	X509_free(x);
	/*
	 * design §4.5: RSA of 2048 bits or more; 1024 only where the
	 * connection explicitly allows it. Below 2048 without the opt-in is a
	 * warning, not an error: the verifier refuses what such a key signs
	 * (weak_algorithm), and a rollover list may still carry an old
	 * certificate that no longer signs anything.
	 */
	if (ki.rsa && ki.bits < MIN_RSA_BITS_WEAK)
		cfg_error(l, path, false, "%s holds %s; %d bits or more are "
		    "required", name, ki.kind, allow_rsa_1024 ?
		    MIN_RSA_BITS_WEAK : MIN_RSA_BITS);
	else if (ki.rsa && ki.bits < MIN_RSA_BITS && !allow_rsa_1024)
		cfg_warn(l, path, "%s holds %s: Responses it signs are "
		    "rejected as weak_algorithm unless the connection sets "
		    "allow_rsa_1024", name, ki.kind);
	else if (ki.ec && ki.curve == NULL)
		cfg_error(l, path, false, "%s holds %s; P-256, P-384 or P-521 "
		    "are supported", name, ki.kind);
	else if (!ki.rsa && !ki.ec)
		cfg_error(l, path, false, "%s holds %s; RSA or EC keys are "
		    "supported", name, ki.kind);
}
