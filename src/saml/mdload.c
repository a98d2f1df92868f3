/* SPDX-License-Identifier: MIT */
/*
 * A connection's IdP metadata as a source of trust (docs/metadata.md):
 * verifying a signed metadata document with the configured
 * metadata_signing_certificate and nothing else (verify.c, the rules of
 * Response signatures), fetching it with libcurl, applying it to a loaded
 * configuration, and one refresh for the background thread of `serve`
 * (which http/ owns, as it owns the swap). config/ has read the members
 * and the document on disk; metadata.c reads the EntityDescriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "saml/saml_int.h"

#define NS_MD		"urn:oasis:names:tc:SAML:2.0:metadata"

/* ---- verifying -------------------------------------------------------- */

static int
verify_root(xmlNodePtr root, const struct s2o_connection *conn,
    struct s2o_err *err)
{
	struct s2o_saml_trust	*signer;
	xmlNodePtr		 sig;
	size_t			 n;
	int			 rc;

	n = s2o_saml_count(root, S2O_NS_DSIG, "Signature");
	if (n == 0)
		return s2o_err_set(err, S2O_R_SIGNATURE_MISSING, "the metadata "
		    "is not signed, and metadata_signing_certificate requires "
		    "a signature");
	/* one signature, over the whole document: any other would be a
	 * place to hide a second, unverified root */
	if (n > 1)
		return s2o_err_set(err, S2O_R_WRAPPING, "the metadata's root "
		    "holds %zu ds:Signature elements; exactly one is accepted",
		    n);
	sig = s2o_saml_child(root, S2O_NS_DSIG, "Signature");
	if ((signer = s2o_saml_trust_signer(conn, err)) == NULL)
		return -1;
	rc = s2o_saml_signature_verify(signer, conn, sig, err);
	s2o_saml_trust_free(signer);
	return rc;
}

struct s2o_idp_metadata *
s2o_saml_metadata_verified(const char *xml, size_t len,
    const struct s2o_connection *conn, const struct s2o_clock *clock,
    struct s2o_err *err)
{
	struct s2o_idp_metadata	*m = NULL;
	xmlDocPtr		 doc;
	xmlNodePtr		 root;

	if (len > S2O_METADATA_MAX) {
		s2o_err_set(err, S2O_R_TOO_LARGE, "the metadata is %zu bytes; "
		    "the limit is %d", len, S2O_METADATA_MAX);
		return NULL;
	}
	if ((doc = s2o_saml_xml_parse(xml, len, err)) == NULL)
		return NULL;
	root = xmlDocGetRootElement(doc);
	/* nothing in the document counts before its signature verified;
	 * what is read afterwards is this very tree, never a re-parse */
	if (conn->metadata.signing_certificate.data != NULL &&
	    verify_root(root, conn, err) == -1)
		goto out;
	if (s2o_saml_is(root, NS_MD, "EntitiesDescriptor") &&
	    conn->metadata.entity_id == NULL) {
		s2o_err_set(err, S2O_R_USAGE, "the metadata is an aggregate "
		    "(EntitiesDescriptor): name the identity provider with "
		    "metadata_entity_id");
		goto out;
	}
	m = s2o_saml_idp_metadata_read(doc, conn->metadata.entity_id, clock,
	    err);
out:
	xmlFreeDoc(doc);
	return m;
}

/* ---- fetching --------------------------------------------------------- */

struct sink {
	struct s2o_buf	 b;
	struct s2o_err	*err;
	bool		 too_large;
	const atomic_bool *cancel;
};

/* libcurl calls it about once a second, and as data moves: a non-zero
 * answer ends the transfer (a stopping server should not wait out the
 * fetch timeout). */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const struct sink	*s = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return s->cancel != NULL && atomic_load(s->cancel);
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;

	if (s->b.len + size * n > S2O_METADATA_MAX) {
		s->too_large = true;
		return 0;
	}
	if (s2o_buf_add(&s->b, p, size * n, s->err) == -1)
		return 0;
	return size * n;
}

char *
s2o_saml_metadata_fetch(const char *url, size_t *len,
    const atomic_bool *cancel, struct s2o_err *err)
{
	struct sink	 s;
	CURL		*c;
	CURLcode	 rc;
	long		 status = 0;
	char		 shown[128], errbuf[CURL_ERROR_SIZE];

	s2o_str_excerpt(shown, sizeof(shown), url, 100);
	/* the configuration checked it; refuse here too, the one gate */
	if (strncasecmp(url, "https://", 8) != 0 && !s2o_url_is_loopback(url)) {
		s2o_err_set(err, S2O_R_IO, "%s: metadata is fetched over https "
		    "only (http only from a loopback host)", shown);
		return NULL;
	}
	if ((c = curl_easy_init()) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	memset(&s, 0, sizeof(s));
	s2o_buf_init(&s.b, S2O_METADATA_MAX);
	s.err = err;
	s.cancel = cancel;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	/* a redirect never downgrades: https only */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)S2O_METADATA_MAX_REDIRECTS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)S2O_METADATA_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)S2O_METADATA_FETCH_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)S2O_METADATA_MAX);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);	/* threads */
	curl_easy_setopt(c, CURLOPT_USERAGENT, "saml2oidc");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (s.too_large || rc == CURLE_FILESIZE_EXCEEDED)
		s2o_err_set(err, S2O_R_TOO_LARGE, "%s: the metadata is larger "
		    "than the limit of %d bytes", shown, S2O_METADATA_MAX);
	else if (rc != CURLE_OK)
		s2o_err_set(err, S2O_R_IO, "%s: %s", shown, errbuf[0] != '\0' ?
		    errbuf : curl_easy_strerror(rc));
	else if (status != 200)
		s2o_err_set(err, S2O_R_IO, "%s: HTTP status %ld (expected 200)",
		    shown, status);
	else if (s.b.len == 0)
		s2o_err_set(err, S2O_R_IO, "%s: an empty answer", shown);
	else
		return s2o_buf_take(&s.b, len);
	s2o_buf_cleanup(&s.b);
	return NULL;
}

/* Replaces path by text: written beside it, then renamed over it, so a
 * reader sees the old copy or the new one, never half of one. */
static int
write_copy(const char *path, const char *text, size_t len,
    struct s2o_err *err)
{
	char	tmp[4096 + 32];
	int	fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	    (long)getpid()) >= sizeof(tmp))
		return s2o_err_set(err, S2O_R_IO, "%s: name too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1)
		return s2o_err_set(err, S2O_R_IO, "cannot write %s: %s", tmp,
		    strerror(errno));
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		return s2o_err_set(err, S2O_R_IO, "cannot write %s: %s", tmp,
		    strerror(saved));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		return s2o_err_set(err, S2O_R_IO, "cannot rename %s to %s: %s",
		    tmp, path, strerror(saved));
	}
	return 0;
}

/* The metadata_file again, bounded. Caller frees. */
static char *
read_again(const char *path, size_t *len, struct s2o_err *err)
{
	struct s2o_buf	 b;
	FILE		*fp;
	int		 rc;

	if ((fp = fopen(path, "rbe")) == NULL) {
		s2o_err_set(err, S2O_R_IO, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	s2o_buf_init(&b, S2O_METADATA_MAX);
	rc = s2o_buf_read_stream(&b, fp, path, err);
	fclose(fp);
	if (rc == -1 || b.data == NULL) {
		if (rc == 0)
			s2o_err_set(err, S2O_R_IO, "%s: empty", path);
		s2o_buf_cleanup(&b);
		return NULL;
	}
	return s2o_buf_take(&b, len);
}

/* ---- applying at load ------------------------------------------------- */

static int
diag(struct s2o_diags *d, const struct s2o_config *cfg,
    const struct s2o_connection *k, const char *fmt, ...) S2O_PRINTF(4, 5);

static int
diag(struct s2o_diags *d, const struct s2o_config *cfg,
    const struct s2o_connection *k, const char *fmt, ...)
{
	struct s2o_err	e;
	va_list		ap;
	char		msg[768];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s2o_err_clear(&e);
	return s2o_diags_add(d, S2O_DIAG_ERROR, S2O_R_CONFIG_INVALID, cfg->path,
	    k->metadata.line, k->metadata.column, k->metadata.json_path, &e,
	    "%s", msg);
}

static int
apply_sso(struct s2o_connection *k, const struct s2o_idp_metadata *m,
    struct s2o_diags *d, const struct s2o_config *cfg, struct s2o_err *err)
{
	const char	*want, *other;

	want = k->sso_binding == S2O_SSO_POST ? m->sso_post : m->sso_redirect;
	other = k->sso_binding == S2O_SSO_POST ? m->sso_redirect : m->sso_post;
	if (k->sso_url != NULL) {
		if ((m->sso_post == NULL || strcmp(k->sso_url, m->sso_post) !=
		    0) && (m->sso_redirect == NULL || strcmp(k->sso_url,
		    m->sso_redirect) != 0))
			return diag(d, cfg, k, "sso_url \"%s\" is not among the "
			    "metadata's SingleSignOnService locations: remove "
			    "it to use the metadata's", k->sso_url) == -1 ?
			    s2o_err_oom(err) : 1;
		return 0;
	}
	if (want == NULL && other != NULL) {
		want = other;
		k->sso_binding = k->sso_binding == S2O_SSO_POST ?
		    S2O_SSO_REDIRECT : S2O_SSO_POST;
	}
	if (want != NULL && (k->sso_url = s2o_strdup(want, err)) == NULL)
		return -1;
	return 0;
}

/* 0 applied; 1 a problem added to d; -1 OOM. */
static int
apply(struct s2o_connection *k, const struct s2o_idp_metadata *m,
    struct s2o_diags *d, const struct s2o_config *cfg, struct s2o_err *err)
{
	if (k->idp_entity_id != NULL && strcmp(k->idp_entity_id,
	    m->entity_id) != 0)
		return diag(d, cfg, k, "idp_entity_id \"%s\" is not the "
		    "metadata's entityID \"%s\"", k->idp_entity_id,
		    m->entity_id) == -1 ? s2o_err_oom(err) : 1;
	if (k->idp_entity_id == NULL &&
	    (k->idp_entity_id = s2o_strdup(m->entity_id, err)) == NULL)
		return -1;
	if (s2o_config_set_idp_certificates(k, "metadata", m->certificates,
	    m->ncertificates, err) == -1)
		return -1;
	k->metadata.valid_until = m->valid_until;
	k->metadata.cache_duration = m->cache_duration;
	return apply_sso(k, m, d, cfg, err);
}

/* The verified metadata of k at load, or NULL with a problem in d. */
static struct s2o_idp_metadata *
load_one(struct s2o_connection *k, bool fetch, const struct s2o_clock *clock,
    struct s2o_diags *d, const struct s2o_config *cfg, struct s2o_err *oom)
{
	struct s2o_conn_metadata *md = &k->metadata;
	struct s2o_idp_metadata	 *m = NULL;
	struct s2o_err		  e, fe;
	char			 *body = NULL;
	size_t			  len = 0;
	bool			  fetched = false;

	s2o_err_clear(&e);
	s2o_err_clear(&fe);
	if (md->document != NULL && (m = s2o_saml_metadata_verified(
	    md->document, md->document_len, k, clock, &e)) != NULL)
		return m;
	if (md->url != NULL && fetch) {
		if ((body = s2o_saml_metadata_fetch(md->url, &len, NULL, &fe)) !=
		    NULL && (fetched = true) && (m = s2o_saml_metadata_verified(body, len, k, clock,
		    &fe)) != NULL && write_copy(md->cache_file, body, len,
		    &fe) == -1) {
			/* usable; the next start will fetch again */
			s2o_log_err(S2O_LOG_WARN, "metadata", &fe);
		}
		free(body);
		if (m != NULL)
			return m;
	}
	if (e.reason == S2O_R_INTERNAL || fe.reason == S2O_R_INTERNAL) {
		s2o_err_oom(oom);
		return NULL;
	}
	if (md->document != NULL && diag(d, cfg, k, "%s: %s: %s",
	    md->document_from, s2o_reason_token(e.reason), e.detail) == -1)
		s2o_err_oom(oom);
	if (md->url != NULL && !fetch && md->document == NULL &&
	    diag(d, cfg, k, "no copy of the metadata at %s yet, and it may "
	    "not be fetched now", md->cache_file) == -1)
		s2o_err_oom(oom);
	/* a failed fetch names the URL itself */
	if (md->url != NULL && fetch && diag(d, cfg, k, "%s%s%s: %s",
	    fetched ? md->url : "", fetched ? ": " : "",
	    s2o_reason_token(fe.reason), fe.detail) == -1)
		s2o_err_oom(oom);
	return NULL;
}

int
s2o_saml_config_metadata(struct s2o_config *cfg, bool fetch,
    const struct s2o_clock *clock, struct s2o_diags *d, struct s2o_err *err)
{
	struct s2o_idp_metadata	*m;
	size_t			 i, j, first = d->n, nerrors = d->nerrors;
	int			 r;

	for (i = 0; i < cfg->nconnections; i++) {
		struct s2o_connection *k = &cfg->connections[i];

		if (!k->metadata.present)
			continue;
		if ((m = load_one(k, fetch, clock, d, cfg, err)) == NULL) {
			if (err->reason == S2O_R_INTERNAL)
				return -1;
			continue;
		}
		r = apply(k, m, d, cfg, err);
		s2o_idp_metadata_free(m);
		if (r == -1)
			return -1;
		/* one Issuer, one connection (config/ checked the explicit
		 * ones) */
		for (j = 0; r == 0 && j < cfg->nconnections; j++)
			if (j != i && cfg->connections[j].idp_entity_id !=
			    NULL && strcmp(cfg->connections[j].idp_entity_id,
			    k->idp_entity_id) == 0 && (j < i ||
			    !cfg->connections[j].metadata.present)) {
				if (diag(d, cfg, k, "the metadata's entityID "
				    "\"%s\" is already the idp_entity_id of "
				    "connections[%zu]", k->idp_entity_id, j) ==
				    -1)
					return s2o_err_oom(err);
				break;
			}
	}
	if (d->nerrors == nerrors)
		return 0;
	for (i = first; i < d->n; i++)
		if (d->v[i].severity == S2O_DIAG_ERROR) {
			s2o_err_set_at(err, d->v[i].reason, d->v[i].line,
			    d->v[i].column, "%s", d->v[i].text);
			break;
		}
	return -1;
}

/* ---- refreshing ------------------------------------------------------- */

struct s2o_saml_trust *
s2o_saml_metadata_refresh(const struct s2o_sp *sp,
    const struct s2o_connection *conn, const struct s2o_clock *clock,
    const atomic_bool *cancel, struct s2o_err *err)
{
	const struct s2o_conn_metadata *md = &conn->metadata;
	struct s2o_idp_metadata	*m = NULL;
	struct s2o_saml_trust	*t = NULL;
	struct s2o_err		 we;
	const char		*sso;
	char			*body;
	size_t			 len = 0;

	body = md->url != NULL ? s2o_saml_metadata_fetch(md->url, &len, cancel,
	    err) :
	    read_again(md->file, &len, err);
	if (body == NULL ||
	    (m = s2o_saml_metadata_verified(body, len, conn, clock, err)) ==
	    NULL)
		goto out;
	/* Responses are routed by Issuer: a new entityID is a new
	 * configuration, not a refresh */
	if (strcmp(m->entity_id, conn->idp_entity_id) != 0) {
		s2o_err_set(err, S2O_R_ISSUER_MISMATCH, "the metadata now "
		    "describes \"%s\", not \"%s\": change the configuration "
		    "and reload", m->entity_id, conn->idp_entity_id);
		goto out;
	}
	if ((t = s2o_saml_trust_from_metadata(sp, conn, m, err)) == NULL)
		goto out;
	sso = conn->sso_binding == S2O_SSO_POST ? m->sso_post :
	    m->sso_redirect;
	if (sso != NULL && conn->sso_url != NULL &&
	    strcmp(sso, conn->sso_url) != 0 && strcmp(conn->sso_url,
	    m->sso_post ? m->sso_post : "") != 0 && strcmp(conn->sso_url,
	    m->sso_redirect ? m->sso_redirect : "") != 0)
		s2o_log(S2O_LOG_WARN, "metadata", "connection \"%s\": the "
		    "metadata's SingleSignOnService is now %s; requests go to "
		    "%s until the configuration is reloaded", conn->name, sso,
		    conn->sso_url);
	s2o_err_clear(&we);
	if (md->url != NULL && md->cache_file != NULL &&
	    write_copy(md->cache_file, body, len, &we) == -1)
		s2o_log_err(S2O_LOG_WARN, "metadata", &we);
out:
	s2o_idp_metadata_free(m);
	free(body);
	return t;
}
