/* SPDX-License-Identifier: MIT */
/*
 * Request parameters: URL queries and application/x-www-form-urlencoded
 * bodies, decoded by libmicrohttpd (its argument parser for queries, its
 * post processor for bodies: no percent-decoding here), collected into a
 * bounded struct s2o_http_form. The limits (parameter count, name and
 * value size) are checked as the bytes arrive, so an oversized value is
 * refused before it is held whole. Values may be authorization codes or
 * client secrets: they are wiped when freed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "http/http_int.h"

static const char form_urlencoded[] = "application/x-www-form-urlencoded";

void
s2o_http_form_init(struct s2o_http_form *f, size_t max_fields,
    size_t max_value)
{
	memset(f, 0, sizeof(*f));
	f->max_fields = max_fields;
	f->max_value = max_value;
	s2o_buf_init(&f->value, max_value);
}

static void
free_secret(const char *s, size_t len)
{
	char	*p = (char *)(uintptr_t)s;	/* ours; const for readers */

	if (p != NULL) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

void
s2o_http_form_cleanup(struct s2o_http_form *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		free_secret(f->v[i].name, strlen(f->v[i].name));
		free_secret(f->v[i].value, f->v[i].len);
	}
	free(f->v);
	free(f->pending);
	s2o_buf_cleanup_secret(&f->value);
	s2o_http_form_init(f, f->max_fields, f->max_value);
}

const char *
s2o_http_form_get(const struct s2o_http_form *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return f->v[i].value;
	return NULL;
}

/* Checks a decoded name before anything is stored for it. */
static int
check_name(const struct s2o_http_form *f, const char *name, size_t len,
    struct s2o_err *err)
{
	char	show[S2O_HTTP_MAX_FIELD_NAME + 8];

	if (len == 0)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "a parameter without a name");
	if (len > S2O_HTTP_MAX_FIELD_NAME)
		return s2o_err_set(err, S2O_R_TOO_LARGE, "a parameter name of "
		    "%zu bytes; at most %d", len, S2O_HTTP_MAX_FIELD_NAME);
	if (memchr(name, '\0', len) != NULL)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "a parameter name holds %%00");
	if (s2o_http_form_get(f, name) != NULL) {
		/* RFC 6749 §3.1: parameters MUST NOT be included more than
		 * once; taking either copy invites parameter pollution */
		s2o_str_excerpt(show, sizeof(show), name, 40);
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "parameter \"%s\" given more than once", show);
	}
	if (f->n >= f->max_fields)
		return s2o_err_set(err, S2O_R_TOO_LARGE,
		    "more than %zu parameters", f->max_fields);
	return 0;
}

static int
value_too_large(const struct s2o_http_form *f, const char *name,
    struct s2o_err *err)
{
	char	show[64];

	s2o_str_excerpt(show, sizeof(show), name, 40);
	return s2o_err_set(err, S2O_R_TOO_LARGE, "parameter \"%s\": more than "
	    "%zu bytes", show, f->max_value);
}

/* Appends name (copied) and value (taken, len bytes) to f. */
static int
push(struct s2o_http_form *f, const char *name, char *value, size_t len,
    struct s2o_err *err)
{
	struct s2o_oidc_param	*nv;
	char			*n;
	size_t			 ncap;

	if (memchr(value, '\0', len) != NULL) {
		free_secret(value, len);
		return s2o_err_set(err, S2O_R_MALFORMED, "parameter \"%.40s\" "
		    "holds %%00", name);
	}
	if (f->n == f->cap) {
		ncap = f->cap ? f->cap * 2 : 8;
		if ((nv = realloc(f->v, ncap * sizeof(*nv))) == NULL) {
			free_secret(value, len);
			return s2o_err_oom(err);
		}
		f->v = nv;
		f->cap = ncap;
	}
	if ((n = strdup(name)) == NULL) {
		free_secret(value, len);
		return s2o_err_oom(err);
	}
	f->v[f->n].name = n;
	f->v[f->n].value = value;
	f->v[f->n].len = len;
	f->n++;
	return 0;
}

int
s2o_http_form_add(struct s2o_http_form *f, const char *name,
    const char *value, size_t len, struct s2o_err *err)
{
	char	*copy;

	if (check_name(f, name, strlen(name), err) == -1)
		return -1;
	if (value == NULL)
		len = 0;
	if (len > f->max_value)
		return value_too_large(f, name, err);
	if ((copy = malloc(len + 1)) == NULL)
		return s2o_err_oom(err);
	if (len > 0)
		memcpy(copy, value, len);
	copy[len] = '\0';
	return push(f, name, copy, len, err);
}

int
s2o_http_form_finish(struct s2o_http_form *f, struct s2o_err *err)
{
	char	*name, *value;
	size_t	 len;
	int	 rc;

	if ((name = f->pending) == NULL)
		return 0;
	f->pending = NULL;
	if ((value = s2o_buf_take(&f->value, &len)) == NULL &&
	    (value = strdup("")) == NULL) {
		free(name);
		return s2o_err_oom(err);
	}
	s2o_buf_init(&f->value, f->max_value);
	rc = push(f, name, value, len, err);
	free(name);
	return rc;
}

int
s2o_http_form_add_piece(struct s2o_http_form *f, const char *name,
    size_t off, const char *data, size_t size, struct s2o_err *err)
{
	/*
	 * A piece continues the pending parameter when it has its name and
	 * starts where the pending value ends; anything else starts a new
	 * one (so "a=1&a=2" is two parameters, refused as a repeat).
	 */
	if (f->pending == NULL || off == 0 ||
	    strcmp(f->pending, name) != 0 || off != f->value.len) {
		if (off != 0)
			return s2o_err_set(err, S2O_R_MALFORMED,
			    "parameter \"%.40s\": a piece at offset %zu "
			    "without its start", name, off);
		if (s2o_http_form_finish(f, err) == -1 ||
		    check_name(f, name, strlen(name), err) == -1)
			return -1;
		if ((f->pending = strdup(name)) == NULL)
			return s2o_err_oom(err);
	}
	if (size > f->max_value - f->value.len)
		return value_too_large(f, name, err);
	return s2o_buf_add(&f->value, data, size, err);
}

/* ---- queries ---------------------------------------------------------- */

struct query_ctx {
	struct s2o_http_form	*f;
	struct s2o_err		*err;
	int			 rc;
};

static enum MHD_Result
query_each(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct query_ctx	*q = cls;

	(void)kind;
	if (strlen(key) != key_size) {
		q->rc = s2o_err_set(q->err, S2O_R_MALFORMED,
		    "a parameter name holds %%00");
		return MHD_NO;
	}
	if (s2o_http_form_add(q->f, key, value, value ? value_size : 0,
	    q->err) == -1) {
		q->rc = -1;
		return MHD_NO;
	}
	return MHD_YES;
}

int
http_form_from_query(struct s2o_http_form *f, struct MHD_Connection *c,
    struct s2o_err *err)
{
	struct query_ctx	q = { f, err, 0 };

	MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, query_each, &q);
	return q.rc;
}

/* ---- bodies ------------------------------------------------------------- */

static enum MHD_Result
post_each(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct http_post	*p = cls;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (key == NULL)
		return MHD_YES;
	if (off > p->form->max_value) {
		value_too_large(p->form, key, p->err);
		return MHD_NO;
	}
	if (s2o_http_form_add_piece(p->form, key, (size_t)off,
	    data ? data : "", data ? size : 0, p->err) == -1)
		return MHD_NO;
	return MHD_YES;
}

int
http_post_begin(struct http_post *p, struct MHD_Connection *c,
    struct s2o_http_form *f, struct s2o_err *err)
{
	const char	*ct;
	size_t		 n = sizeof(form_urlencoded) - 1;
	char		 show[64];

	memset(p, 0, sizeof(*p));
	p->form = f;
	p->err = err;
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	/* the media type, then only parameters (RFC 9110 §8.3.1) */
	if (ct == NULL || strncasecmp(ct, form_urlencoded, n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t')) {
		s2o_str_excerpt(show, sizeof(show), ct ? ct : "(none)", 40);
		return s2o_err_set(err, S2O_R_MALFORMED, "Content-Type: "
		    "expected %s, found \"%s\"", form_urlencoded, show);
	}
	p->pp = MHD_create_post_processor(c, S2O_HTTP_POST_BUFFER, post_each,
	    p);
	if (p->pp == NULL)
		return s2o_err_set(err, S2O_R_INTERNAL,
		    "cannot start the form parser");
	return 0;
}

int
http_post_feed(struct http_post *p, const char *data, size_t size)
{
	if (p->pp == NULL)
		return -1;
	if (MHD_post_process(p->pp, data, size) != MHD_YES)
		return s2o_err_set(p->err, S2O_R_MALFORMED,
		    "the form body is not application/x-www-form-urlencoded");
	return 0;
}

int
http_post_end(struct http_post *p)
{
	enum MHD_Result	rc;

	if (p->pp == NULL)
		return 0;
	/* destroying flushes the last parameter through post_each */
	rc = MHD_destroy_post_processor(p->pp);
	p->pp = NULL;
	if (rc != MHD_YES)
		return s2o_err_set(p->err, S2O_R_MALFORMED,
		    "the form body is not application/x-www-form-urlencoded");
	return s2o_http_form_finish(p->form, p->err);
}
