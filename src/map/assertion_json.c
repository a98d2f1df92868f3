/* SPDX-License-Identifier: MIT */
/*
 * The JSON form of struct s2o_assertion, both ways. Field order is fixed,
 * so the same assertion always prints byte-identically; reading it back
 * (`mappings test`) is strict about keys and types, as the admin who
 * edits an assertion by hand to try a mapping deserves exact errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "map/map.h"

static int
set_str(json_t *o, const char *key, const char *v)
{
	if (v == NULL)
		return 0;
	return json_object_set_new(o, key, json_string(v));
}

char *
s2o_map_assertion_json(const struct s2o_assertion *a, bool pretty,
    struct s2o_err *err)
{
	json_t	*o, *attrs, *at, *vals;
	char	 ts[S2O_TIME_BUFSZ], *s = NULL;
	size_t	 i, j;
	int	 bad = 0;

	o = json_object();
	attrs = json_array();
	if (o == NULL || attrs == NULL)
		goto out;
	bad |= set_str(o, "issuer", a->issuer);
	bad |= set_str(o, "name_id", a->name_id);
	bad |= set_str(o, "name_id_format", a->name_id_format);
	bad |= set_str(o, "session_index", a->session_index);
	if (a->authn_instant != 0)
		bad |= set_str(o, "authn_instant", s2o_time_format(
		    a->authn_instant, ts, sizeof(ts)));
	bad |= set_str(o, "authn_context", a->authn_context);
	for (i = 0; i < a->nattributes && !bad; i++) {
		const struct s2o_attribute *x = &a->attributes[i];

		if ((at = json_object()) == NULL ||
		    json_array_append_new(attrs, at) != 0 ||
		    (vals = json_array()) == NULL) {
			bad = 1;
			break;
		}
		bad |= set_str(at, "name", x->name);
		bad |= set_str(at, "name_format", x->name_format);
		bad |= set_str(at, "friendly_name", x->friendly_name);
		bad |= json_object_set_new(at, "values", vals);
		for (j = 0; j < x->nvalues && !bad; j++)
			bad |= json_array_append_new(vals,
			    json_string(x->values[j]));
	}
	if (!bad && json_object_set(o, "attributes", attrs) == 0)
		s = json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
out:
	json_decref(attrs);
	json_decref(o);
	if (s == NULL)
		s2o_err_oom(err);
	return s;
}

/* ---- the reverse: JSON to struct s2o_assertion ------------------------- */

struct reader {
	const char		*name;
	struct s2o_jsonpos	*jp;
	struct s2o_err		*err;
	size_t			 nvalues;
};

static int S2O_PRINTF(4, 5)
rfail(struct reader *r, const char *path, bool at_key, const char *fmt, ...)
{
	char		msg[200];
	unsigned int	line = 0, col = 0;
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at_key)
		s2o_jsonpos_key(r->jp, path, &line, &col);
	else
		s2o_jsonpos_value(r->jp, path, &line, &col);
	return s2o_err_set_at(r->err, S2O_R_MALFORMED, line, col,
	    "%s:%u:%u: %s: %s", r->name, line, col, path, msg);
}

/* A string member into *out (NULL when absent). */
static int
get_string(struct reader *r, json_t *o, const char *key, const char *path,
    char **out)
{
	json_t	*v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return rfail(r, path, false, "expected a string");
	if ((*out = strdup(json_string_value(v))) == NULL)
		return s2o_err_oom(r->err);
	return 0;
}

static int
get_time(struct reader *r, json_t *o, const char *key, time_t *out)
{
	json_t		*v = json_object_get(o, key);
	struct s2o_err	 e;

	*out = 0;
	if (v == NULL)
		return 0;
	s2o_err_clear(&e);
	if (!json_is_string(v) ||
	    s2o_time_parse(json_string_value(v), key, out, &e) == -1)
		return rfail(r, key, false, "expected an RFC 3339 time such as "
		    "\"2026-11-28T12:00:00Z\"");
	return 0;
}

static bool
known(const char *k, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(k, *list) == 0)
			return true;
	return false;
}

static int
check_keys(struct reader *r, json_t *o, const char *base,
    const char *const *list)
{
	const char	*k, *near;
	json_t		*v;
	char		 p[256];

	json_object_foreach(o, k, v) {
		if (known(k, list))
			continue;
		snprintf(p, sizeof(p), "%s%s%s", base, *base ? "." : "", k);
		near = s2o_str_nearest(k, list);
		return rfail(r, p, true, "unknown key%s%s%s", near ?
		    " (did you mean \"" : "", near ? near : "",
		    near ? "\"?)" : "");
	}
	return 0;
}

static int
read_attribute(struct reader *r, struct s2o_assertion *a, json_t *o,
    size_t i)
{
	static const char *const keys[] = { "name", "name_format",
	    "friendly_name", "values", NULL };
	struct s2o_attribute	*at = NULL;
	json_t			*vals, *v;
	char			 base[64], p[96], **nv, *name;
	size_t			 j, k;

	snprintf(base, sizeof(base), "attributes[%zu]", i);
	if (!json_is_object(o))
		return rfail(r, base, false, "expected an object");
	if (check_keys(r, o, base, keys) == -1)
		return -1;
	snprintf(p, sizeof(p), "%s.name", base);
	v = json_object_get(o, "name");
	if (!json_is_string(v) || json_string_length(v) == 0)
		return rfail(r, v ? p : base, false, "expected a non-empty "
		    "string \"name\"");
	snprintf(p, sizeof(p), "%s.values", base);
	vals = json_object_get(o, "values");
	if (!json_is_array(vals))
		return rfail(r, vals ? p : base, false, "expected an array "
		    "\"values\"");
	/* repeated Names are one attribute, as saml/ merges them */
	for (k = 0; k < a->nattributes; k++)
		if (strcmp(a->attributes[k].name, json_string_value(v)) == 0)
			at = &a->attributes[k];
	if (at == NULL) {
		if (a->nattributes >= S2O_SAML_MAX_ATTRIBUTES)
			return s2o_err_set(r->err, S2O_R_TOO_LARGE, "%s: more "
			    "than %d attributes", r->name,
			    S2O_SAML_MAX_ATTRIBUTES);
		at = &a->attributes[a->nattributes];
		memset(at, 0, sizeof(*at));
		if ((name = strdup(json_string_value(v))) == NULL)
			return s2o_err_oom(r->err);
		at->name = name;
		a->nattributes++;
		snprintf(p, sizeof(p), "%s.name_format", base);
		if (get_string(r, o, "name_format", p, &at->name_format) == -1)
			return -1;
		snprintf(p, sizeof(p), "%s.friendly_name", base);
		if (get_string(r, o, "friendly_name", p,
		    &at->friendly_name) == -1)
			return -1;
	}
	json_array_foreach(vals, j, v) {
		snprintf(p, sizeof(p), "%s.values[%zu]", base, j);
		if (!json_is_string(v))
			return rfail(r, p, false, "expected a string");
		if (++r->nvalues > S2O_SAML_MAX_VALUES)
			return s2o_err_set(r->err, S2O_R_TOO_LARGE, "%s: more "
			    "than %d attribute values", r->name,
			    S2O_SAML_MAX_VALUES);
		if ((nv = realloc(at->values, (at->nvalues + 1) *
		    sizeof(*nv))) == NULL)
			return s2o_err_oom(r->err);
		at->values = nv;
		if ((nv[at->nvalues] = strdup(json_string_value(v))) == NULL)
			return s2o_err_oom(r->err);
		at->nvalues++;
	}
	return 0;
}

static int
read_assertion(struct reader *r, struct s2o_assertion *a, json_t *root)
{
	static const char *const keys[] = { "id", "issuer", "name_id",
	    "name_id_format", "session_index", "authn_instant",
	    "authn_context", "not_on_or_after", "in_response_to", "attributes",
	    NULL };
	json_t	*attrs, *v;
	size_t	 i;

	if (check_keys(r, root, "", keys) == -1 ||
	    get_string(r, root, "id", "id", &a->id) == -1 ||
	    get_string(r, root, "issuer", "issuer", &a->issuer) == -1 ||
	    get_string(r, root, "name_id", "name_id", &a->name_id) == -1 ||
	    get_string(r, root, "name_id_format", "name_id_format",
	    &a->name_id_format) == -1 ||
	    get_string(r, root, "session_index", "session_index",
	    &a->session_index) == -1 ||
	    get_string(r, root, "authn_context", "authn_context",
	    &a->authn_context) == -1 ||
	    get_string(r, root, "in_response_to", "in_response_to",
	    &a->in_response_to) == -1 ||
	    get_time(r, root, "authn_instant", &a->authn_instant) == -1 ||
	    get_time(r, root, "not_on_or_after", &a->not_on_or_after) == -1)
		return -1;
	if ((attrs = json_object_get(root, "attributes")) == NULL)
		return 0;
	if (!json_is_array(attrs))
		return rfail(r, "attributes", false, "expected an array");
	if (json_array_size(attrs) > S2O_SAML_MAX_ATTRIBUTES)
		return s2o_err_set(r->err, S2O_R_TOO_LARGE, "%s: more than %d "
		    "attributes", r->name, S2O_SAML_MAX_ATTRIBUTES);
	if ((a->attributes = calloc(json_array_size(attrs) + 1,
	    sizeof(*a->attributes))) == NULL)
		return s2o_err_oom(r->err);
	json_array_foreach(attrs, i, v)
		if (read_attribute(r, a, v, i) == -1)
			return -1;
	return 0;
}

struct s2o_assertion *
s2o_map_assertion_from_json(const char *text, size_t len, const char *name,
    struct s2o_err *err)
{
	struct s2o_assertion	*a;
	struct reader		 r;
	json_error_t		 je;
	json_t			*root;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.err = err;
	if ((root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		/* no text: jansson could not allocate its lexer */
		if (json_error_code(&je) == json_error_out_of_memory ||
		    je.text[0] == '\0') {
			s2o_err_oom(err);
			return NULL;
		}
		s2o_err_set_at(err, S2O_R_MALFORMED, (unsigned int)je.line,
		    (unsigned int)je.column, "%s:%d:%d: %s", name, je.line,
		    je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		s2o_err_set(err, S2O_R_MALFORMED, "%s: expected a JSON object, "
		    "as `consume --format assertion` prints", name);
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (r.jp = s2o_jsonpos_new(text, len, err)) == NULL ||
	    read_assertion(&r, a, root) == -1) {
		if (a == NULL)
			s2o_err_oom(err);
		s2o_assertion_free(a);
		a = NULL;
	}
	s2o_jsonpos_free(r.jp);
	json_decref(root);
	return a;
}
