/* SPDX-License-Identifier: MIT */
/*
 * `saml2oidc keygen`: a new signing key written as PKCS#8 PEM, readable
 * by its owner only. The file is created with O_EXCL and O_NOFOLLOW, so an
 * existing key (perhaps the one in production) is never overwritten and a
 * planted symbolic link is never followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "token/token_int.h"

/* Writes pem (n bytes) to a new file at path, 0600. */
static int
write_new(const char *path, const char *pem, size_t n, struct s2o_err *err)
{
	size_t	off = 0;
	ssize_t	w;
	int	fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return s2o_err_set(err, S2O_R_IO, "%s: %s%s", path,
		    strerror(errno), errno == EEXIST ? "; refusing to "
		    "overwrite it" : "");
	/* the umask may have taken bits away; never added any */
	if (fchmod(fd, 0600) == -1)
		goto fail;
	while (off < n) {
		if ((w = write(fd, pem + off, n - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(path);
	return s2o_err_set(err, S2O_R_IO, "%s: %s", path, strerror(saved));
}

static EVP_PKEY *
generate(const struct tok_alg *alg, unsigned int bits, struct s2o_err *err)
{
	EVP_PKEY	*pk;

	if (alg->pkey_type == EVP_PKEY_RSA)
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	else
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", alg->group);
	if (pk == NULL) {
		ERR_clear_error();
		s2o_err_set(err, S2O_R_INTERNAL, "OpenSSL could not generate "
		    "a %s key", alg->name);
	}
	return pk;
}

int
s2o_token_keygen(const char *alg_name, unsigned int bits, const char *path,
    char *thumb, size_t thumbsize, struct s2o_err *err)
{
	const struct tok_alg	*alg;
	EVP_PKEY		*pk = NULL;
	BIO			*bio = NULL;
	BUF_MEM			*mem;
	int			 rc = -1;

	if ((alg = tok_alg_find(alg_name)) == NULL)
		return s2o_err_set(err, S2O_R_USAGE, "unsupported algorithm "
		    "\"%s\" (RS256, RS384, RS512, ES256 or ES384)",
		    alg_name ? alg_name : "");
	if (alg->pkey_type == EVP_PKEY_RSA) {
		if (bits == 0)
			bits = 2048;
		if (bits != 2048 && bits != 3072 && bits != 4096)
			return s2o_err_set(err, S2O_R_USAGE, "RSA keys of %u "
			    "bits are not offered: 2048, 3072 or 4096", bits);
	} else if (bits != 0)
		return s2o_err_set(err, S2O_R_USAGE, "%s keys have a fixed "
		    "size (EC %s); no bits", alg->name, alg->crv);
	if ((pk = generate(alg, bits, err)) == NULL)
		goto out;
	if (thumb != NULL &&
	    tok_jwk_thumbprint(pk, alg, thumb, thumbsize, err) == -1)
		goto out;
	/* OpenSSL 3 writes "BEGIN PRIVATE KEY": PKCS #8, unencrypted */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    BIO_get_mem_ptr(bio, &mem) != 1) {
		ERR_clear_error();
		s2o_err_set(err, S2O_R_INTERNAL, "could not encode the key as "
		    "PEM");
		goto out;
	}
	rc = write_new(path, mem->data, mem->length, err);
out:
	BIO_free(bio);
	EVP_PKEY_free(pk);
	return rc;
}
