/* SPDX-License-Identifier: MIT */
/*
 * A connection's metadata source (metadata_file or metadata_url, with
 * metadata_entity_id, metadata_signing_certificate, refresh_interval and
 * metadata_cache_file) and the certificate expiry report. Here the members
 * are checked and the document on disk at load time is read (the file, or
 * the backing copy of a URL); saml/ parses, verifies and applies it,
 * since XML stays in saml/ (docs/metadata.md). Certificate dates are read
 * with OpenSSL, which stays in this folder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config/config_int.h"

#define DAY	86400	/* seconds */

/* Reads the backing copy of a URL, if there is one yet. */
static void
read_cache(struct loader *l, struct s2o_conn_metadata *md, const char *path)
{
	struct s2o_buf	b;
	struct s2o_err	e;

	s2o_err_clear(&e);
	s2o_buf_init(&b, S2O_METADATA_MAX);
	errno = 0;
	if (cfg_read_regular(md->cache_file, md->cache_file, S2O_METADATA_MAX,
	    &b, NULL, &e) == -1) {
		/* none yet: the first fetch writes it */
		if (e.reason == S2O_R_INTERNAL)
			l->oom = true;
		else if (strstr(e.detail, strerror(ENOENT)) == NULL)
			cfg_error(l, path, false, "metadata_cache_file: %s",
			    e.detail);
		s2o_buf_cleanup(&b);
		return;
	}
	md->document = s2o_buf_take(&b, &md->document_len);
	md->document_from = md->cache_file;
}

static void
read_file(struct loader *l, struct s2o_conn_metadata *md, const char *path,
    const char *name)
{
	struct s2o_buf	b;
	struct s2o_err	e;

	if ((md->file = cfg_resolve(l, name)) == NULL) {
		if (!l->oom)
			cfg_error(l, path, false, "file name too long");
		return;
	}
	s2o_err_clear(&e);
	s2o_buf_init(&b, S2O_METADATA_MAX);
	if (cfg_read_regular(md->file, name, S2O_METADATA_MAX, &b, NULL,
	    &e) == -1) {
		if (e.reason == S2O_R_INTERNAL)
			l->oom = true;
		else
			cfg_error(l, path, false, "%s", e.detail);
		s2o_buf_cleanup(&b);
		return;
	}
	md->document = s2o_buf_take(&b, &md->document_len);
	md->document_from = md->file;
}

static void
check_url(struct loader *l, const char *path, const char *url)
{
	/* the metadata says which keys to trust: only TLS, or a host
	 * that never leaves the machine, may carry it */
	if (!cfg_is_absolute_url(url, true))
		cfg_error(l, path, false, "expected an absolute https URL, "
		    "found \"%s\"", url);
	else if (strncasecmp(url, "https://", 8) != 0 &&
	    !s2o_url_is_loopback(url))
		cfg_error(l, path, false, "\"%s\": metadata is fetched over "
		    "https only (http only from a loopback host such as "
		    "127.0.0.1)", url);
}

static long
refresh_interval(struct loader *l, json_t *o, const char *base)
{
	json_t		*v = json_object_get(o, "refresh_interval");
	char		 p[CFG_PATH_MAX], found[96];
	json_int_t	 n;

	if (v == NULL)
		return S2O_METADATA_REFRESH_DEFAULT;
	n = json_is_integer(v) ? json_integer_value(v) : 0;
	if (!json_is_integer(v) || n < S2O_METADATA_REFRESH_MIN ||
	    n > S2O_METADATA_REFRESH_MAX) {
		cfg_error(l, cfg_path(p, base, "refresh_interval"), false,
		    "expected seconds from %d to %d, found %s",
		    S2O_METADATA_REFRESH_MIN, S2O_METADATA_REFRESH_MAX,
		    cfg_found(v, found, sizeof(found)));
		return S2O_METADATA_REFRESH_DEFAULT;
	}
	return (long)n;
}

void
cfg_load_metadata(struct loader *l, struct s2o_connection *k, json_t *o,
    const char *base)
{
	struct s2o_conn_metadata *md = &k->metadata;
	char		 p[CFG_PATH_MAX], *file, *cache, *cert, *def;
	const char	*key;
	size_t		 n;

	file = cfg_string(l, o, base, "metadata_file", false, false);
	md->url = cfg_string(l, o, base, "metadata_url", false, false);
	md->entity_id = cfg_string(l, o, base, "metadata_entity_id", false,
	    false);
	cache = cfg_string(l, o, base, "metadata_cache_file", false, false);
	cert = cfg_string(l, o, base, "metadata_signing_certificate", false,
	    false);
	md->refresh_interval = refresh_interval(l, o, base);
	md->present = file != NULL || md->url != NULL;
	if (file != NULL && md->url != NULL)
		cfg_error(l, cfg_path(p, base, "metadata_url"), true, "give "
		    "metadata_file or metadata_url, not both");
	if (!md->present) {
		static const char *const only[] = { "metadata_entity_id",
		    "metadata_cache_file", "metadata_signing_certificate",
		    "refresh_interval", NULL };

		for (n = 0; only[n] != NULL; n++)
			if (json_object_get(o, only[n]) != NULL)
				cfg_error(l, cfg_path(p, base, only[n]), true,
				    "needs metadata_file or metadata_url");
		goto out;
	}
	key = md->url != NULL ? "metadata_url" : "metadata_file";
	cfg_path(p, base, key);
	if ((md->json_path = strdup(p)) == NULL) {
		l->oom = true;
		goto out;
	}
	s2o_jsonpos_value(l->jp, p, &md->line, &md->column);
	if (cert != NULL) {
		char cp[CFG_PATH_MAX];

		cfg_path(cp, base, "metadata_signing_certificate");
		if (cfg_pem_read(l, cp, cert, &md->signing_certificate,
		    NULL) == 0)
			cfg_check_certificate(l, cp, cert,
			    &md->signing_certificate, k->allow_rsa_1024);
	}
	if (md->url == NULL) {
		if (cache != NULL)
			cfg_error(l, cfg_path(p, base, "metadata_cache_file"),
			    true, "only a metadata_url has a backing copy");
		else
			read_file(l, md, p, file);
		goto out;
	}
	check_url(l, p, md->url);
	if (cache == NULL && k->name != NULL) {
		/* beside the configuration, named after the connection
		 * (whose alphabet is safe in a file name) */
		n = strlen(k->name) + sizeof(".metadata.xml");
		if ((def = malloc(n)) == NULL) {
			l->oom = true;
			goto out;
		}
		snprintf(def, n, "%s.metadata.xml", k->name);
		md->cache_file = cfg_resolve(l, def);
		free(def);
	} else if (cache != NULL)
		md->cache_file = cfg_resolve(l, cache);
	if (md->cache_file != NULL)
		read_cache(l, md, cfg_path(p, base, cache != NULL ?
		    "metadata_cache_file" : key));
out:
	free(file);
	free(cache);
	free(cert);
}

void
cfg_metadata_free(struct s2o_conn_metadata *md)
{
	free(md->file);
	free(md->url);
	free(md->entity_id);
	cfg_pem_free(&md->signing_certificate, false);
	free(md->cache_file);
	free(md->document);
	free(md->json_path);
}

int
s2o_config_set_idp_certificates(struct s2o_connection *conn,
    const char *what, char *const *pems, size_t count, struct s2o_err *err)
{
	struct s2o_pem	*v;
	size_t		 i, n;

	if ((v = calloc(count + 1, sizeof(*v))) == NULL)
		return s2o_err_oom(err);
	for (i = 0; i < count; i++) {
		n = strlen(what) + 24;
		if ((v[i].path = malloc(n)) == NULL ||
		    (v[i].data = strdup(pems[i])) == NULL) {
			for (n = 0; n <= i; n++)
				cfg_pem_free(&v[n], false);
			free(v);
			return s2o_err_oom(err);
		}
		snprintf(v[i].path, n, "%s #%zu", what, i + 1);
		v[i].len = strlen(v[i].data);
	}
	for (i = 0; i < conn->nidp_certificates; i++)
		cfg_pem_free(&conn->idp_certificates[i], false);
	free(conn->idp_certificates);
	conn->idp_certificates = v;
	conn->nidp_certificates = count;
	return 0;
}

/* ---- certificate expiry ----------------------------------------------- */

int
s2o_pem_not_after(const struct s2o_pem *pem, time_t *out)
{
	BIO		*bio;
	X509		*x = NULL;
	struct tm	 tm;

	if (pem->data == NULL)
		return -1;
	if ((bio = BIO_new_mem_buf(pem->data, (int)pem->len)) != NULL) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (x == NULL || ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1) {
		X509_free(x);
		ERR_clear_error();
		return -1;
	}
	X509_free(x);
	*out = timegm(&tm);
	return 0;
}

static int
warn_one(const struct s2o_config *cfg, const struct s2o_pem *pem,
    const char *path, time_t now, struct s2o_diags *d)
{
	struct s2o_err	 e;
	char		 ts[S2O_TIME_BUFSZ];
	time_t		 na;
	long		 days;

	if (pem->data == NULL || s2o_pem_not_after(pem, &na) == -1 ||
	    na - now >= (time_t)S2O_CERT_EXPIRY_WARN_DAYS * DAY)
		return 0;
	s2o_err_clear(&e);
	s2o_time_format(na, ts, sizeof(ts));
	days = (long)((na - now) / DAY);
	if (na <= now)
		return s2o_diags_add(d, S2O_DIAG_WARNING, S2O_R_CONFIG_INVALID,
		    cfg->path, 0, 0, path, &e, "the certificate %s expired at "
		    "%s", pem->path, ts) == -1 ? -1 : 1;
	return s2o_diags_add(d, S2O_DIAG_WARNING, S2O_R_CONFIG_INVALID,
	    cfg->path, 0, 0, path, &e, "the certificate %s expires at %s, in "
	    "%ld day%s: roll it over", pem->path, ts, days, days == 1 ? "" :
	    "s") == -1 ? -1 : 1;
}

int
s2o_config_cert_warnings(const struct s2o_config *cfg, time_t now,
    struct s2o_diags *d)
{
	char	p[CFG_PATH_MAX];
	size_t	i, j;
	int	n = 0, r;

	if ((r = warn_one(cfg, &cfg->sp.signing_certificate,
	    "sp.signing_certificate_file", now, d)) == -1)
		return -1;
	n += r;
	if ((r = warn_one(cfg, &cfg->sp.decryption_certificate,
	    "sp.decryption_certificate_file", now, d)) == -1)
		return -1;
	n += r;
	for (i = 0; i < cfg->nconnections; i++) {
		const struct s2o_connection *k = &cfg->connections[i];

		for (j = 0; j < k->nidp_certificates; j++) {
			snprintf(p, sizeof(p), "connections[%zu].%s[%zu]", i,
			    k->metadata.present ? "metadata" :
			    "idp_certificates", j);
			if ((r = warn_one(cfg, &k->idp_certificates[j], p, now,
			    d)) == -1)
				return -1;
			n += r;
		}
		snprintf(p, sizeof(p), "connections[%zu]."
		    "metadata_signing_certificate", i);
		if ((r = warn_one(cfg, &k->metadata.signing_certificate, p,
		    now, d)) == -1)
			return -1;
		n += r;
	}
	return n;
}
