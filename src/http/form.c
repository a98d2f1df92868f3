/* SPDX-License-Identifier: MIT */
/*
 * Request parameters: URL queries and application/x-www-form-urlencoded
 * bodies, collected into a bounded struct s2o_http_form. Queries are split
 * and decoded by libmicrohttpd's argument parser. Bodies are split here, as
 * they stream in (s2o_http_form_feed): a name, a value or a "%2F" escape
 * may straddle two pieces of the body. The splitter turns '+' into a space
 * as it copies, checks that every '%' is followed by two hex digits, and
 * leaves the decoding of the escapes to libmicrohttpd (MHD_http_unescape,
 * in place, once a name or value is complete). The limits (parameter
 * count, name size, decoded value size) are checked as the bytes arrive:
 * an escape counts as the one byte it decodes to, so an oversized value
 * is refused before it is held whole. Values may be authorization codes
 * or client secrets: they are wiped when freed, and so are the bytes a
 * value leaves behind when it is decoded or its buffer grows.
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
	if (f->raw != NULL)
		OPENSSL_cleanse(f->raw, f->rlen);
	free(f->raw);
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

static int
name_too_long(size_t len, struct s2o_err *err)
{
	return s2o_err_set(err, S2O_R_TOO_LARGE, "a parameter name of %zu "
	    "bytes; at most %d", len, S2O_HTTP_MAX_FIELD_NAME);
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
		return name_too_long(len, err);
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

	char			 show[64];

	if (memchr(value, '\0', len) != NULL) {
		free_secret(value, len);
		s2o_str_excerpt(show, sizeof(show), name, 40);
		return s2o_err_set(err, S2O_R_MALFORMED, "parameter \"%s\" "
		    "holds %%00", show);
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

/* ---- bodies: the splitter ---------------------------------------------- */

/* f->state: reading a name, a value, line breaks after the last
 * parameter; the body ended (s2o_http_form_finish) or was refused */
enum { FORM_NAME, FORM_VALUE, FORM_TAIL, FORM_DONE, FORM_FAILED };

/* What a byte of the body is to the splitter; B_PLAIN is copied as is. */
enum { B_PLAIN, B_AMP, B_EQ, B_PCT, B_PLUS, B_NUL, B_EOL };

static const unsigned char byte_class[256] = {
	['&'] = B_AMP, ['='] = B_EQ, ['%'] = B_PCT, ['+'] = B_PLUS,
	['\0'] = B_NUL, ['\r'] = B_EOL, ['\n'] = B_EOL,
};

/* The end of the run of B_PLAIN bytes that starts at p: the bulk of a
 * body, so eight bytes are classed per step (one branch, not eight). */
static const char *
plain_run(const char *p, const char *end)
{
	const unsigned char	*u = (const unsigned char *)p;

	while (end - (const char *)u >= 8 && (byte_class[u[0]] |
	    byte_class[u[1]] | byte_class[u[2]] | byte_class[u[3]] |
	    byte_class[u[4]] | byte_class[u[5]] | byte_class[u[6]] |
	    byte_class[u[7]]) == B_PLAIN)
		u += 8;
	while ((const char *)u < end && byte_class[*u] == B_PLAIN)
		u++;
	return (const char *)u;
}

static bool
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'f');
}

/* The name of the value being read (decoded by then), for a detail. */
static const char *
shown_name(const struct s2o_http_form *f, char *show, size_t size)
{
	return s2o_str_excerpt(show, size, f->name, 40);
}

/* Every refusal goes through here: later pieces are refused at once. */
static int
body_fail(struct s2o_http_form *f)
{
	f->state = FORM_FAILED;
	if (f->raw != NULL)
		OPENSSL_cleanse(f->raw, f->rlen);
	free(f->raw);
	f->raw = NULL;
	f->rlen = f->rcap = 0;
	return -1;
}

static int
bad_escape(struct s2o_http_form *f, struct s2o_err *err)
{
	char	show[64];

	if (f->state == FORM_NAME)
		s2o_err_set(err, S2O_R_MALFORMED, "a parameter name: '%%' not "
		    "followed by two hex digits (a literal '%%' is %%25)");
	else
		s2o_err_set(err, S2O_R_MALFORMED, "parameter \"%s\": '%%' not "
		    "followed by two hex digits (a literal '%%' is %%25)",
		    shown_name(f, show, sizeof(show)));
	return body_fail(f);
}

/*
 * Grows the value's buffer to hold need bytes and a NUL. A new buffer
 * takes the bytes and the old one is wiped (realloc would leave a copy).
 * The first buffer is sized for the rest of the value in this piece
 * (hint bytes), so a value that arrives whole is copied once.
 */
static int
value_reserve(struct s2o_http_form *f, size_t need, size_t hint,
    struct s2o_err *err)
{
	size_t	 ncap, most = 3 * f->max_value + 1;
	char	*nb;

	if (need + 1 <= f->rcap)
		return 0;
	ncap = f->rcap > 0 ? 2 * f->rcap : hint + 1;
	if (ncap < 64)
		ncap = 64;
	if (ncap > most)
		ncap = most;	/* 3 raw bytes per decoded byte at most */
	if (ncap < need + 1)
		ncap = need + 1;
	if ((nb = malloc(ncap)) == NULL)
		return s2o_err_oom(err);
	if (f->raw != NULL) {
		memcpy(nb, f->raw, f->rlen);
		OPENSSL_cleanse(f->raw, f->rlen);
		free(f->raw);
	}
	f->raw = nb;
	f->rcap = ncap;
	return 0;
}

/*
 * Adds n raw bytes (already '+'-mapped) that decode to dn bytes to the
 * name or value being read; [at, end) is the rest of the current piece,
 * from where these bytes were read.
 */
static int
body_add(struct s2o_http_form *f, const char *s, size_t n, size_t dn,
    const char *at, const char *end, struct s2o_err *err)
{
	const char	*amp;

	f->dlen += dn;
	if (f->state == FORM_NAME) {
		/* past the limit the name is only counted, for the detail */
		if (f->dlen <= S2O_HTTP_MAX_FIELD_NAME) {
			memcpy(f->name + f->nlen, s, n);
			f->nlen += n;
		}
		return 0;
	}
	if (f->dlen > f->max_value) {
		value_too_large(f, f->name, err);
		return body_fail(f);
	}
	if (f->rlen + n + 1 > f->rcap) {
		amp = f->raw == NULL ? memchr(at, '&', (size_t)(end - at)) :
		    NULL;
		if (value_reserve(f, f->rlen + n, (size_t)((amp ? amp : end) -
		    at), err) == -1)
			return body_fail(f);
	}
	memcpy(f->raw + f->rlen, s, n);
	f->rlen += n;
	f->raw[f->rlen] = '\0';
	return 0;
}

/* The name is complete ('=', '&', a line break or the end): decodes and
 * checks it. It stays in f->name, decoded, until the next one starts. */
static int
name_end(struct s2o_http_form *f, struct s2o_err *err)
{
	size_t	len;

	if (f->dlen > S2O_HTTP_MAX_FIELD_NAME) {
		name_too_long(f->dlen, err);
		return body_fail(f);
	}
	f->name[f->nlen] = '\0';
	len = MHD_http_unescape(f->name);
	if (len != f->dlen) {
		s2o_err_set(err, S2O_R_INTERNAL, "a parameter name decoded "
		    "to %zu bytes, %zu expected", len, f->dlen);
		return body_fail(f);
	}
	if (check_name(f, f->name, len, err) == -1)
		return body_fail(f);
	f->dlen = 0;
	return 0;
}

/* The value is complete: decodes it in place and hands it to f->v. */
static int
value_end(struct s2o_http_form *f, struct s2o_err *err)
{
	char	*v;
	size_t	 len;

	if (f->raw == NULL && value_reserve(f, 0, 0, err) == -1)
		return body_fail(f);
	f->raw[f->rlen] = '\0';
	len = MHD_http_unescape(f->raw);
	/* the bytes the escapes shrank out of the value */
	OPENSSL_cleanse(f->raw + len, f->rlen - len);
	f->raw[len] = '\0';
	if (len != f->dlen) {
		s2o_err_set(err, S2O_R_INTERNAL, "a parameter value decoded "
		    "to %zu bytes, %zu expected", len, f->dlen);
		return body_fail(f);
	}
	v = f->raw;
	f->raw = NULL;
	f->rlen = f->rcap = 0;
	if (push(f, f->name, v, len, err) == -1)
		return body_fail(f);
	return 0;
}

/* '&', a line break or the end of the body closes the parameter, if any:
 * a bare name ("a&b=1") is a parameter with an empty value; an empty
 * segment ("a=1&&b=2", a leading or trailing '&') is no parameter. */
static int
segment_end(struct s2o_http_form *f, struct s2o_err *err)
{
	if (f->esc > 0)
		return bad_escape(f, err);
	if (f->state == FORM_NAME) {
		if (f->dlen == 0)
			return 0;
		if (name_end(f, err) == -1 || value_end(f, err) == -1)
			return -1;
	} else if (value_end(f, err) == -1)
		return -1;
	f->state = FORM_NAME;
	f->nlen = 0;
	f->dlen = 0;
	return 0;
}

/* The byte at *p is special (not B_PLAIN); handles it, moving *p on. */
static int
body_special(struct s2o_http_form *f, const char **pp, const char *end,
    struct s2o_err *err)
{
	const unsigned char	*p = (const unsigned char *)*pp;
	char			 show[64];

	switch (byte_class[*p]) {
	case B_PLUS:
		*pp += 1;
		return body_add(f, " ", 1, 1, (const char *)p, end, err);
	case B_PCT:
		/* the common case: the whole escape in this piece */
		if (end - *pp >= 3 && is_hex(p[1]) && is_hex(p[2])) {
			*pp += 3;
			return body_add(f, (const char *)p, 3, 1,
			    (const char *)p, end, err);
		}
		f->esc = 2;
		*pp += 1;
		return body_add(f, "%", 1, 1, (const char *)p, end, err);
	case B_AMP:
		*pp += 1;
		return segment_end(f, err);
	case B_EOL:
		*pp += 1;
		if (segment_end(f, err) == -1)
			return -1;
		f->state = FORM_TAIL;
		return 0;
	case B_EQ:
		*pp += 1;
		if (f->state == FORM_NAME) {
			if (name_end(f, err) == -1)
				return -1;
			f->state = FORM_VALUE;
			return 0;
		}
		s2o_err_set(err, S2O_R_MALFORMED, "parameter \"%s\": a raw '=' "
		    "in its value (expected %%3D)",
		    shown_name(f, show, sizeof(show)));
		return body_fail(f);
	default:	/* B_NUL */
		if (f->state == FORM_NAME)
			s2o_err_set(err, S2O_R_MALFORMED,
			    "a parameter name holds a NUL byte");
		else
			s2o_err_set(err, S2O_R_MALFORMED, "parameter \"%s\" "
			    "holds a NUL byte", shown_name(f, show,
			    sizeof(show)));
		return body_fail(f);
	}
}

int
s2o_http_form_feed(struct s2o_http_form *f, const char *data, size_t size,
    struct s2o_err *err)
{
	const char	*p = data, *end = data + size, *run;

	if (f->state == FORM_FAILED || f->state == FORM_DONE)
		return s2o_err_set(err, S2O_R_MALFORMED, f->state ==
		    FORM_DONE ? "the form body goes on after its end" :
		    "the form body was refused already");
	while (p < end) {
		if (f->esc > 0) {
			/* an escape that straddles two pieces */
			if (!is_hex((unsigned char)*p))
				return bad_escape(f, err);
			f->esc--;
			if (body_add(f, p, 1, 0, p, end, err) == -1)
				return -1;
			p++;
			continue;
		}
		if (f->state == FORM_TAIL) {
			if (*p != '\r' && *p != '\n') {
				s2o_err_set(err, S2O_R_MALFORMED, "the form "
				    "body goes on after a line break (a line "
				    "break in a value is %%0D%%0A)");
				return body_fail(f);
			}
			p++;
			continue;
		}
		run = p;
		p = plain_run(p, end);
		if (p > run && body_add(f, run, (size_t)(p - run),
		    (size_t)(p - run), run, end, err) == -1)
			return -1;
		if (p < end && body_special(f, &p, end, err) == -1)
			return -1;
	}
	return 0;
}

int
s2o_http_form_finish(struct s2o_http_form *f, struct s2o_err *err)
{
	if (f->state == FORM_FAILED)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the form body was refused already");
	if (f->state != FORM_TAIL && f->state != FORM_DONE &&
	    segment_end(f, err) == -1)
		return -1;
	f->state = FORM_DONE;
	return 0;
}

/* ---- bodies: libmicrohttpd glue ---------------------------------------- */

int
http_post_begin(struct http_post *p, struct MHD_Connection *c,
    struct s2o_http_form *f, struct s2o_err *err)
{
	const char	*ct;
	size_t		 n = sizeof(form_urlencoded) - 1;
	char		 show[64];

	memset(p, 0, sizeof(*p));
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	/* the media type, then only parameters (RFC 9110 §8.3.1) */
	if (ct == NULL || strncasecmp(ct, form_urlencoded, n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t')) {
		s2o_str_excerpt(show, sizeof(show), ct ? ct : "(none)", 40);
		return s2o_err_set(err, S2O_R_MALFORMED, "Content-Type: "
		    "expected %s, found \"%s\"", form_urlencoded, show);
	}
	p->form = f;
	p->err = err;
	return 0;
}

int
http_post_feed(struct http_post *p, const char *data, size_t size)
{
	if (p->form == NULL)
		return -1;
	return s2o_http_form_feed(p->form, data, size, p->err);
}

int
http_post_end(struct http_post *p)
{
	struct s2o_http_form	*f = p->form;

	if (f == NULL)
		return 0;
	p->form = NULL;
	return s2o_http_form_finish(f, p->err);
}
