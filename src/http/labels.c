/* SPDX-License-Identifier: MIT */
/*
 * Counters with labels from the configuration: SAML rejections by reason
 * and connection, tokens issued by client. Unlike the route and status
 * tables of metrics.c their label values are names an administrator
 * chose, so they live in a small table under a mutex (taken once per
 * rejected Response or issued token, next to a signature's cost). Label
 * values never come from a request: a connection that is not known is
 * "unknown", and past HTTP_MAX_SERIES series everything new is counted
 * under "other", so nothing a client sends can grow the table.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

void
http_labelled_init(struct http_labelled *t)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
}

void
http_labelled_cleanup(struct http_labelled *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].a);
		free(t->v[i].b);
	}
	free(t->v);
	pthread_mutex_destroy(&t->lock);
	memset(t, 0, sizeof(*t));
}

void
http_labelled_add(struct http_labelled *t, enum http_series kind,
    const char *a, const char *b)
{
	struct http_lcount	*nv;
	size_t			 i;

	if (b == NULL)
		b = "";
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++)
		if (t->v[i].kind == kind && strcmp(t->v[i].a, a) == 0 &&
		    strcmp(t->v[i].b, b) == 0)
			break;
	if (i == t->n && t->n >= HTTP_MAX_SERIES) {
		a = "other";
		b = kind == HTTP_SERIES_TOKENS ? "" : "other";
		for (i = 0; i < t->n; i++)
			if (t->v[i].kind == kind &&
			    strcmp(t->v[i].a, a) == 0 &&
			    strcmp(t->v[i].b, b) == 0)
				break;
	}
	if (i == t->n) {
		/* out of memory: the count is lost, never the request */
		if (t->n == t->cap && (nv = realloc(t->v, (t->cap ? t->cap * 2 :
		    16) * sizeof(*nv))) != NULL) {
			t->v = nv;
			t->cap = t->cap ? t->cap * 2 : 16;
		}
		if (t->n == t->cap) {
			pthread_mutex_unlock(&t->lock);
			return;
		}
		t->v[i].kind = kind;
		t->v[i].n = 0;
		t->v[i].a = strdup(a);
		t->v[i].b = strdup(b);
		if (t->v[i].a == NULL || t->v[i].b == NULL) {
			free(t->v[i].a);
			free(t->v[i].b);
			pthread_mutex_unlock(&t->lock);
			return;
		}
		t->n++;
	}
	t->v[i].n++;
	pthread_mutex_unlock(&t->lock);
}

/* A label value with \, " and newlines escaped (exposition format). */
static int
label(struct s2o_buf *b, const char *s, struct s2o_err *err)
{
	for (; *s != '\0'; s++) {
		if ((*s == '\\' || *s == '"') &&
		    s2o_buf_add(b, "\\", 1, err) == -1)
			return -1;
		if (*s == '\n') {
			if (s2o_buf_adds(b, "\\n", err) == -1)
				return -1;
		} else if (s2o_buf_add(b, s, 1, err) == -1)
			return -1;
	}
	return 0;
}

int
http_labelled_render(struct http_labelled *t, struct s2o_buf *b,
    struct s2o_err *err)
{
	size_t	i;
	int	rc = 0;

	rc |= s2o_buf_adds(b, "# HELP saml2oidc_saml_rejections_total SAML "
	    "Responses refused at the ACS, by reason and connection.\n"
	    "# TYPE saml2oidc_saml_rejections_total counter\n", err);
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n && rc == 0; i++) {
		if (t->v[i].kind != HTTP_SERIES_REJECTIONS)
			continue;
		rc |= s2o_buf_adds(b, "saml2oidc_saml_rejections_total{reason=\"",
		    err);
		rc |= label(b, t->v[i].a, err);
		rc |= s2o_buf_adds(b, "\",connection=\"", err);
		rc |= label(b, t->v[i].b, err);
		rc |= s2o_buf_printf(b, err, "\"} %" PRIu64 "\n", t->v[i].n);
	}
	rc |= s2o_buf_adds(b, "# HELP saml2oidc_tokens_issued_total Token "
	    "responses (an ID token and an access token), by client.\n"
	    "# TYPE saml2oidc_tokens_issued_total counter\n", err);
	for (i = 0; i < t->n && rc == 0; i++) {
		if (t->v[i].kind != HTTP_SERIES_TOKENS)
			continue;
		rc |= s2o_buf_adds(b, "saml2oidc_tokens_issued_total{client=\"",
		    err);
		rc |= label(b, t->v[i].a, err);
		rc |= s2o_buf_printf(b, err, "\"} %" PRIu64 "\n", t->v[i].n);
	}
	pthread_mutex_unlock(&t->lock);
	return rc == 0 ? 0 : -1;
}
