/* SPDX-License-Identifier: MIT */
/*
 * Step 6: read the verified facts of the assertion node that verified into
 * plain C data (struct s2o_assertion), so nothing after saml/ touches XML.
 * Element text is all of its text (comments skipped, nothing trimmed), and
 * repeated Attribute elements of one Name are merged in document order, as
 * some IdPs send one element per value.
 */
#include <stdlib.h>
#include <string.h>

#include "saml/saml_int.h"

#define NS_A	S2O_NS_ASSERTION

void
s2o_assertion_free(struct s2o_assertion *a)
{
	size_t	i, j;

	if (a == NULL)
		return;
	for (i = 0; i < a->nattributes; i++) {
		free(a->attributes[i].name);
		free(a->attributes[i].name_format);
		free(a->attributes[i].friendly_name);
		for (j = 0; j < a->attributes[i].nvalues; j++)
			free(a->attributes[i].values[j]);
		free(a->attributes[i].values);
	}
	free(a->attributes);
	free(a->id);
	free(a->issuer);
	free(a->name_id);
	free(a->name_id_format);
	free(a->session_index);
	free(a->authn_context);
	free(a->in_response_to);
	free(a);
}

const struct s2o_attribute *
s2o_assertion_attribute(const struct s2o_assertion *a, const char *name)
{
	size_t	i;

	for (i = 0; i < a->nattributes; i++)
		if (strcmp(a->attributes[i].name, name) == 0)
			return &a->attributes[i];
	return NULL;
}

static int
dup_prop(const xmlNode *n, const char *name, char **out, struct s2o_err *err)
{
	const char	*v = n ? s2o_saml_prop(n, name) : NULL;

	*out = NULL;
	if (v == NULL)
		return 0;
	return (*out = s2o_strdup(v, err)) == NULL ? -1 : 0;
}

static char *
trimmed_text(const xmlNode *n, struct s2o_err *err)
{
	char	*s, *p;
	size_t	 len;

	if ((s = s2o_saml_text(n, err)) == NULL)
		return NULL;
	for (p = s; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
		;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
	    p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	memmove(s, p, len);
	s[len] = '\0';
	return s;
}

static int
add_value(struct s2o_attribute *at, const xmlNode *v, size_t *total,
    struct s2o_err *err)
{
	char	**nv;

	if (++*total > S2O_SAML_MAX_VALUES)
		return s2o_err_set(err, S2O_R_TOO_LARGE, "more than %d "
		    "attribute values", S2O_SAML_MAX_VALUES);
	if ((nv = realloc(at->values, (at->nvalues + 1) * sizeof(*nv))) ==
	    NULL)
		return s2o_err_oom(err);
	at->values = nv;
	if ((nv[at->nvalues] = s2o_saml_text(v, err)) == NULL)
		return -1;
	at->nvalues++;
	return 0;
}

static int
read_attribute(struct s2o_assertion *a, const xmlNode *n, size_t *total,
    struct s2o_err *err)
{
	struct s2o_attribute	*at = NULL, *na;
	const xmlNode		*v;
	const char		*name = s2o_saml_prop(n, "Name");
	size_t			 i;

	if (name == NULL)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "an Attribute has no Name");
	for (i = 0; i < a->nattributes; i++)
		if (strcmp(a->attributes[i].name, name) == 0)
			at = &a->attributes[i];
	if (at == NULL) {
		if (a->nattributes >= S2O_SAML_MAX_ATTRIBUTES)
			return s2o_err_set(err, S2O_R_TOO_LARGE, "more than %d "
			    "attributes", S2O_SAML_MAX_ATTRIBUTES);
		if ((na = realloc(a->attributes, (a->nattributes + 1) *
		    sizeof(*na))) == NULL)
			return s2o_err_oom(err);
		a->attributes = na;
		at = &na[a->nattributes++];
		memset(at, 0, sizeof(*at));
		if ((at->name = s2o_strdup(name, err)) == NULL ||
		    dup_prop(n, "NameFormat", &at->name_format, err) == -1 ||
		    dup_prop(n, "FriendlyName", &at->friendly_name, err) == -1)
			return -1;
	}
	for (v = n->children; v != NULL; v = v->next)
		if (s2o_saml_is(v, NS_A, "AttributeValue") &&
		    add_value(at, v, total, err) == -1)
			return -1;
	return 0;
}

struct s2o_assertion *
s2o_saml_assertion_read(const struct s2o_saml_response *r,
    struct s2o_err *err)
{
	struct s2o_assertion	*a;
	const xmlNode		*an = r->assertion, *subj, *nid, *st, *ctx,
				*ref, *as, *at;
	const char		*t;
	size_t			 total = 0;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	subj = s2o_saml_child(an, NS_A, "Subject");
	nid = s2o_saml_child(subj, NS_A, "NameID");
	st = s2o_saml_child(an, NS_A, "AuthnStatement");
	if (dup_prop(an, "ID", &a->id, err) == -1 ||
	    (a->issuer = trimmed_text(s2o_saml_child(an, NS_A, "Issuer"),
	    err)) == NULL ||
	    (a->name_id = s2o_saml_text(nid, err)) == NULL ||
	    dup_prop(nid, "Format", &a->name_id_format, err) == -1 ||
	    dup_prop(st, "SessionIndex", &a->session_index, err) == -1 ||
	    dup_prop(r->root, "InResponseTo", &a->in_response_to, err) == -1)
		goto fail;
	if ((t = s2o_saml_prop(st, "AuthnInstant")) != NULL &&
	    s2o_time_parse(t, "AuthnInstant", &a->authn_instant, err) == -1)
		goto fail;
	if ((ctx = s2o_saml_child(st, NS_A, "AuthnContext")) != NULL &&
	    (ref = s2o_saml_child(ctx, NS_A, "AuthnContextClassRef")) != NULL &&
	    (a->authn_context = trimmed_text(ref, err)) == NULL)
		goto fail;
	for (as = an->children; as != NULL; as = as->next) {
		if (!s2o_saml_is(as, NS_A, "AttributeStatement"))
			continue;
		for (at = as->children; at != NULL; at = at->next)
			if (s2o_saml_is(at, NS_A, "Attribute") &&
			    read_attribute(a, at, &total, err) == -1)
				goto fail;
	}
	return a;
fail:
	s2o_assertion_free(a);
	return NULL;
}
