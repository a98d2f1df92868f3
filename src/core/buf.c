/* SPDX-License-Identifier: MIT */
/*
 * Bounded, growable byte buffers. Every buffer declares its ceiling when it
 * is created; passing it frees what was held, so no half-built value is
 * ever used (the model is curl's dynbuf).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/core.h"

#define BUF_MIN_ALLOC	64	/* bytes, first allocation */

void
s2o_buf_init(struct s2o_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
s2o_buf_cleanup(struct s2o_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
s2o_buf_cleanup_secret(struct s2o_buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	s2o_buf_cleanup(b);
}

/* True when n more bytes would pass b's ceiling. */
static bool
buf_would_pass(const struct s2o_buf *b, size_t n)
{
	return n > b->max || b->len > b->max - n;
}

static int
buf_too_large(struct s2o_buf *b, struct s2o_err *err)
{
	s2o_buf_cleanup(b);
	return s2o_err_set(err, S2O_R_TOO_LARGE,
	    "input exceeds the limit of %zu bytes", b->max);
}

int
s2o_buf_add(struct s2o_buf *b, const void *p, size_t n, struct s2o_err *err)
{
	size_t	 need, ncap;
	char	*nd;

	if (buf_would_pass(b, n))
		return buf_too_large(b, err);
	need = b->len + n + 1;
	if (need > b->cap) {
		ncap = b->cap ? b->cap : BUF_MIN_ALLOC;
		while (ncap < need)
			ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
		if (ncap > b->max + 1)
			ncap = b->max + 1;
		if ((nd = realloc(b->data, ncap)) == NULL) {
			s2o_buf_cleanup(b);
			return s2o_err_oom(err);
		}
		b->data = nd;
		b->cap = ncap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
s2o_buf_adds(struct s2o_buf *b, const char *s, struct s2o_err *err)
{
	return s2o_buf_add(b, s, strlen(s), err);
}

int
s2o_buf_printf(struct s2o_buf *b, struct s2o_err *err, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[256], *big;
	int	 n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	/* every failure frees the contents, as s2o_buf_add does */
	if (n < 0) {
		s2o_buf_cleanup(b);
		return s2o_err_set(err, S2O_R_INTERNAL, "format error");
	}
	if ((size_t)n < sizeof(small))
		return s2o_buf_add(b, small, (size_t)n, err);
	/* refuse before allocating what the ceiling would refuse anyway */
	if (buf_would_pass(b, (size_t)n))
		return buf_too_large(b, err);
	if ((big = malloc((size_t)n + 1)) == NULL) {
		s2o_buf_cleanup(b);
		return s2o_err_oom(err);
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = s2o_buf_add(b, big, (size_t)n, err);
	free(big);
	return rc;
}

char *
s2o_buf_take(struct s2o_buf *b, size_t *len)
{
	char	*p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int
s2o_buf_read_stream(struct s2o_buf *b, void *stdio_file, const char *name,
    struct s2o_err *err)
{
	FILE	*fp = stdio_file;
	char	 chunk[16384];
	size_t	 n;

	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (n > b->max || b->len > b->max - n) {
			s2o_buf_cleanup(b);
			return s2o_err_set(err, S2O_R_TOO_LARGE,
			    "%s: larger than the limit of %zu bytes", name,
			    b->max);
		}
		if (s2o_buf_add(b, chunk, n, err) == -1)
			return -1;
	}
	if (ferror(fp)) {
		s2o_buf_cleanup(b);
		return s2o_err_set(err, S2O_R_IO, "cannot read %s: %s", name,
		    strerror(errno));
	}
	if (b->data == NULL)	/* an empty input is an empty string */
		return s2o_buf_add(b, "", 0, err);
	return 0;
}

int
s2o_buf_read_file(struct s2o_buf *b, const char *path, struct s2o_err *err)
{
	FILE	*fp;
	int	 rc;

	if ((fp = fopen(path, "rb")) == NULL)
		return s2o_err_set(err, S2O_R_IO, "cannot read %s: %s", path,
		    strerror(errno));
	rc = s2o_buf_read_stream(b, fp, path, err);
	fclose(fp);
	return rc;
}
