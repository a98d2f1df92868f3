/* SPDX-License-Identifier: MIT */
/*
 * Loading a mappings file: jansson parses (duplicate keys refused), core's
 * jsonpos says where each value sits, and every problem becomes one
 * "FILE:LINE:COL: PATH: message" line. The loader goes on after a problem
 * so an admin fixes the whole file in one pass, then refuses the file if
 * any problem was an error. What it accepts is compiled here, once:
 * regular expressions, templates (cut into text and field references),
 * value maps (sorted for binary search) and the order in which templates
 * can be evaluated. The naming rules live in lint.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/map_int.h"

#define NS	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"

/*
 * Auth0's default SAML mapping, which a file extends unless it says
 * "$options": {"extend_defaults": false}. mappings/auth0-default.json
 * spells out the same table.
 */
static const struct {
	const char	*name;
	const char	*from[3];
} auth0_defaults[] = {
	{ "user_id", { NS "nameidentifier", NS "upn", NS "name" } },
	{ "email", { NS "emailaddress", NULL, NULL } },
	{ "name", { NS "name", NULL, NULL } },
	{ "given_name", { NS "givenname", NS "name", NULL } },
	{ "family_name", { NS "surname", NULL, NULL } },
	{ "groups", { "http://schemas.xmlsoap.org/claims/Group", NULL, NULL } },
};
#define NDEFAULTS	(sizeof(auth0_defaults) / sizeof(auth0_defaults[0]))

static const char *const field_keys[] = { "from", "merge", "value",
    "template", "transforms", "keep_matching", "drop_matching", "map",
    "unmapped", "type", "multiple", "separator", "required", "default", "to",
    NULL };
static const char *const option_keys[] = { "extend_defaults", "sub",
    "match_friendly_name", "groups_overage", NULL };
static const char *const xf_names[] = { "trim", "lower", "upper", "split",
    "replace", "dn_cn", "drop_empty", "dedupe", NULL };
static const char *const type_names[] = { "string", "boolean", "number",
    "array", NULL };
static const char *const multiple_names[] = { "reject", "first", "join",
    NULL };
static const char *const unmapped_names[] = { "drop", "keep", NULL };
static const char *const dest_names[] = { "id_token", "access_token",
    "userinfo", NULL };
static const char *const sub_names[] = { "connection|user_id", "user_id",
    NULL };
static const char *const overage_names[] = { "fail", "flag", NULL };
static const char *const top_dollar[] = { "$options", NULL };

struct loader {
	const char		*file;
	struct s2o_jsonpos	*jp;
	struct s2o_diags	*diags;
	struct s2o_mapping	*m;
	char			**paths;	/* per field; NULL: a default */
	size_t			 cap;
	bool			 oom;
	bool			 extend_defaults;
};

static void
ladd(struct loader *l, enum s2o_diag_severity sev, const char *path,
    bool at_key, const char *fmt, va_list ap)
{
	char		msg[1024];
	unsigned int	line = 0, col = 0;
	struct s2o_err	e;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (path != NULL && *path != '\0') {
		if (at_key)
			s2o_jsonpos_key(l->jp, path, &line, &col);
		else
			s2o_jsonpos_value(l->jp, path, &line, &col);
	}
	s2o_err_clear(&e);
	if (s2o_diags_add(l->diags, sev, S2O_R_MAPPING_INVALID, l->file, line,
	    col, path, &e, "%s", msg) == -1)
		l->oom = true;
}

static void S2O_PRINTF(4, 5)
lerr(struct loader *l, const char *path, bool at_key, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ladd(l, S2O_DIAG_ERROR, path, at_key, fmt, ap);
	va_end(ap);
}

static void S2O_PRINTF(4, 5)
lwarn(struct loader *l, const char *path, bool at_key, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ladd(l, S2O_DIAG_WARNING, path, at_key, fmt, ap);
	va_end(ap);
}

/* "base.key" (or base["key"]) into out */
static const char *
sub(char *out, size_t size, const char *base, const char *key)
{
	struct s2o_buf	b;
	struct s2o_err	e;

	s2o_err_clear(&e);
	s2o_buf_init(&b, size - 1);
	if ((*base && s2o_buf_adds(&b, base, &e) == -1) ||
	    s2o_jsonpath_key(&b, key, &e) == -1)
		s2o_strlcpy(out, key, size);
	else
		s2o_strlcpy(out, b.data, size);
	s2o_buf_cleanup(&b);
	return out;
}

static const char *
idx(char *out, size_t size, const char *base, size_t i)
{
	if (snprintf(out, size, "%s[%zu]", base, i) >= (int)size)
		out[size - 1] = '\0';
	return out;
}

static const char *
jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static bool
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* "a", "b" and "c" */
static const char *
list_text(char *out, size_t size, const char *const *list)
{
	size_t	i, n = 0, len = 0;

	while (list[n] != NULL)
		n++;
	out[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		int w = snprintf(out + len, size - len, "%s\"%s\"",
		    i == 0 ? "" : i + 1 == n ? " or " : ", ", list[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return out;
}

static void
check_unknown(struct loader *l, json_t *obj, const char *base,
    const char *const *known, const char *what)
{
	const char	*k, *near;
	json_t		*v;
	char		 p[1024];

	json_object_foreach(obj, k, v) {
		if (in_list(k, known))
			continue;
		if ((near = s2o_str_nearest(k, known)) != NULL)
			lerr(l, sub(p, sizeof(p), base, k), true,
			    "unknown %s (did you mean \"%s\"?)", what, near);
		else
			lerr(l, sub(p, sizeof(p), base, k), true,
			    "unknown %s", what);
	}
}

/*
 * The value of key in obj when it is one of names; NULL when absent or
 * not (an error then names the choices and the nearest one).
 */
static const char *
get_enum(struct loader *l, json_t *obj, const char *base, const char *key,
    const char *const *names)
{
	json_t		*v = json_object_get(obj, key);
	const char	*s, *near;
	char		 p[1024], choices[256];

	if (v == NULL)
		return NULL;
	sub(p, sizeof(p), base, key);
	list_text(choices, sizeof(choices), names);
	if (!json_is_string(v)) {
		lerr(l, p, false, "expected %s, found %s", choices, jtype(v));
		return NULL;
	}
	s = json_string_value(v);
	if (in_list(s, names))
		return s;
	if ((near = s2o_str_nearest(s, names)) != NULL)
		lerr(l, p, false, "unknown value \"%s\" (did you mean \"%s\"?)",
		    s, near);
	else
		lerr(l, p, false, "expected %s, found \"%s\"", choices, s);
	return NULL;
}

static bool
get_bool(struct loader *l, json_t *obj, const char *base, const char *key,
    bool dflt)
{
	json_t	*v = json_object_get(obj, key);
	char	 p[1024];

	if (v == NULL)
		return dflt;
	if (!json_is_boolean(v)) {
		lerr(l, sub(p, sizeof(p), base, key), false,
		    "expected true or false, found %s", jtype(v));
		return dflt;
	}
	return json_is_true(v);
}

static char *
dup(struct loader *l, const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		l->oom = true;
	return d;
}

static int
push_str(struct loader *l, char ***v, size_t *n, const char *s)
{
	char	**nv, *d;

	if ((d = dup(l, s)) == NULL)
		return -1;
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
		free(d);
		l->oom = true;
		return -1;
	}
	nv[(*n)++] = d;
	*v = nv;
	return 0;
}

/* A new field; its index, or (size_t)-1 on OOM. */
static size_t
field_new(struct loader *l, const char *name, const char *path)
{
	struct s2o_mapping	*m = l->m;
	struct map_field	*nf;
	char			**np;

	if (m->nf == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;

		if ((nf = realloc(m->f, nc * sizeof(*nf))) == NULL) {
			l->oom = true;
			return (size_t)-1;
		}
		m->f = nf;
		if ((np = realloc(l->paths, nc * sizeof(*np))) == NULL) {
			l->oom = true;
			return (size_t)-1;
		}
		l->paths = np;
		l->cap = nc;
	}
	memset(&m->f[m->nf], 0, sizeof(m->f[0]));
	l->paths[m->nf] = NULL;
	m->f[m->nf].dest = MD_ID_TOKEN | MD_USERINFO;
	m->f[m->nf].is_user_id = strcmp(name, "user_id") == 0;
	if ((m->f[m->nf].name = dup(l, name)) == NULL ||
	    (path != NULL && (l->paths[m->nf] = dup(l, path)) == NULL)) {
		free(m->f[m->nf].name);
		return (size_t)-1;
	}
	return m->nf++;
}

/* ---- the pieces of an entry -------------------------------------------- */

static void
add_source(struct loader *l, struct map_field *f, json_t *v, const char *path)
{
	char	msg[512];

	if (!json_is_string(v)) {
		lerr(l, path, false, "expected an attribute Name, found %s",
		    jtype(v));
		return;
	}
	if (json_string_length(v) == 0) {
		lerr(l, path, false, "an attribute Name cannot be empty");
		return;
	}
	if (map_lint_source(json_string_value(v), msg, sizeof(msg)))
		lwarn(l, path, false, "%s", msg);
	push_str(l, &f->from, &f->nfrom, json_string_value(v));
}

static void
parse_from(struct loader *l, struct map_field *f, json_t *v, const char *path)
{
	char	p[1024];
	size_t	i;

	f->kind = MK_FROM;
	if (json_is_string(v)) {
		add_source(l, f, v, path);
		return;
	}
	if (!json_is_array(v)) {
		lerr(l, path, false, "expected an attribute Name or an array of "
		    "them, found %s", jtype(v));
		return;
	}
	if (json_array_size(v) == 0)
		lerr(l, path, false, "expected at least one attribute Name");
	for (i = 0; i < json_array_size(v); i++)
		add_source(l, f, json_array_get(v, i),
		    idx(p, sizeof(p), path, i));
}

/* The type of a literal, or -1 (with an error) when it cannot be one. */
static int
literal_type(struct loader *l, json_t *v, const char *path)
{
	char	p[1024];
	size_t	i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) == 0) {
			lerr(l, path, false, "an empty string is never issued; "
			    "remove the claim instead");
			return -1;
		}
		return MT_STRING;
	case JSON_TRUE:
	case JSON_FALSE:
		return MT_BOOLEAN;
	case JSON_INTEGER:
	case JSON_REAL:
		return MT_NUMBER;
	case JSON_ARRAY:
		if (json_array_size(v) == 0) {
			lerr(l, path, false, "an empty array is never issued; "
			    "remove the claim instead");
			return -1;
		}
		for (i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i))) {
				lerr(l, idx(p, sizeof(p), path, i), false,
				    "expected a string, found %s",
				    jtype(json_array_get(v, i)));
				return -1;
			}
		return MT_ARRAY;
	default:
		lerr(l, path, false, "expected a string, boolean, number or "
		    "array of strings, found %s", jtype(v));
		return -1;
	}
}

static void
parse_xf_object(struct loader *l, struct map_xf *x, json_t *o,
    const char *path)
{
	static const char *const replace_keys[] = { "pattern", "with", NULL };
	const char	*k, *near;
	json_t		*v, *pat, *with;
	char		 p[1024], pp[1024], msg[512];

	if (json_object_size(o) != 1) {
		lerr(l, path, false, "expected one transform per object, such "
		    "as {\"split\": \",\"}, found %zu keys", json_object_size(o));
		return;
	}
	json_object_foreach(o, k, v)
		break;
	sub(p, sizeof(p), path, k);
	if (strcmp(k, "split") == 0) {
		x->op = XF_SPLIT;
		if (!json_is_string(v) || json_string_length(v) == 0) {
			lerr(l, p, false, "expected a non-empty delimiter, found "
			    "%s", json_is_string(v) ? "\"\"" : jtype(v));
			return;
		}
		x->arg = dup(l, json_string_value(v));
		return;
	}
	if (strcmp(k, "replace") == 0) {
		x->op = XF_REPLACE;
		if (!json_is_object(v)) {
			lerr(l, p, false, "expected {\"pattern\": \"...\", "
			    "\"with\": \"...\"}, found %s", jtype(v));
			return;
		}
		check_unknown(l, v, p, replace_keys, "key");
		pat = json_object_get(v, "pattern");
		with = json_object_get(v, "with");
		if (pat == NULL || with == NULL) {
			lerr(l, p, false, "missing required key \"%s\"",
			    pat == NULL ? "pattern" : "with");
			return;
		}
		if (!json_is_string(pat) || json_string_length(pat) == 0) {
			lerr(l, sub(pp, sizeof(pp), p, "pattern"), false,
			    "expected a regular expression, found %s",
			    json_is_string(pat) ? "\"\"" : jtype(pat));
			return;
		}
		if (!json_is_string(with)) {
			lerr(l, sub(pp, sizeof(pp), p, "with"), false,
			    "expected a string, found %s", jtype(with));
			return;
		}
		x->arg = dup(l, json_string_value(pat));
		x->with = dup(l, json_string_value(with));
		if ((x->re = map_re_compile(json_string_value(pat), msg,
		    sizeof(msg))) == NULL) {
			lerr(l, sub(pp, sizeof(pp), p, "pattern"), false, "%s",
			    msg);
			return;
		}
		if (map_re_check_with(x->re, json_string_value(with), msg,
		    sizeof(msg)) == -1)
			lerr(l, sub(pp, sizeof(pp), p, "with"), false, "%s",
			    msg);
		return;
	}
	if (in_list(k, xf_names))
		lerr(l, p, true, "%s takes no argument: write \"%s\"", k, k);
	else if ((near = s2o_str_nearest(k, xf_names)) != NULL)
		lerr(l, p, true, "unknown transform \"%s\" (did you mean "
		    "\"%s\"?)", k, near);
	else
		lerr(l, p, true, "unknown transform \"%s\"", k);
}

static void
parse_transforms(struct loader *l, struct map_field *f, json_t *v,
    const char *path)
{
	static const enum xf_op ops[] = { XF_TRIM, XF_LOWER, XF_UPPER,
	    XF_SPLIT, XF_REPLACE, XF_DN_CN, XF_DROP_EMPTY, XF_DEDUPE };
	const char	*s, *near;
	json_t		*t;
	char		 p[1024], known[256];
	size_t		 i, j;

	if (!json_is_array(v)) {
		lerr(l, path, false, "expected an array of transforms, found %s",
		    jtype(v));
		return;
	}
	if ((f->xf = calloc(json_array_size(v) + 1, sizeof(*f->xf))) == NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(v, i, t) {
		struct map_xf *x = &f->xf[f->nxf++];

		idx(p, sizeof(p), path, i);
		if (json_is_object(t)) {
			parse_xf_object(l, x, t, p);
			continue;
		}
		if (!json_is_string(t)) {
			lerr(l, p, false, "expected a transform name or an "
			    "object such as {\"split\": \",\"}, found %s",
			    jtype(t));
			continue;
		}
		s = json_string_value(t);
		for (j = 0; xf_names[j] != NULL; j++)
			if (strcmp(xf_names[j], s) == 0)
				break;
		if (xf_names[j] != NULL && ops[j] == XF_SPLIT)
			lerr(l, p, false, "split needs a delimiter: write "
			    "{\"split\": \",\"}");
		else if (xf_names[j] != NULL && ops[j] == XF_REPLACE)
			lerr(l, p, false, "replace needs a pattern: write "
			    "{\"replace\": {\"pattern\": \"...\", \"with\": "
			    "\"...\"}}");
		else if (xf_names[j] != NULL)
			x->op = ops[j];
		else if ((near = s2o_str_nearest(s, xf_names)) != NULL)
			lerr(l, p, false, "unknown transform \"%s\" (did you "
			    "mean \"%s\"?)", s, near);
		else
			lerr(l, p, false, "unknown transform \"%s\"; known: %s",
			    s, list_text(known, sizeof(known), xf_names));
	}
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct map_entry *)a)->key,
	    ((const struct map_entry *)b)->key);
}

static void
parse_map(struct loader *l, struct map_field *f, json_t *v, const char *path)
{
	const char	*k;
	json_t		*t, *e;
	char		 p[1024], pe[1024];
	size_t		 i;

	if (!json_is_object(v)) {
		lerr(l, path, false, "expected an object of value -> claim "
		    "value(s), found %s", jtype(v));
		return;
	}
	if ((f->map = calloc(json_object_size(v) + 1, sizeof(*f->map))) ==
	    NULL) {
		l->oom = true;
		return;
	}
	json_object_foreach(v, k, t) {
		struct map_entry *me = &f->map[f->nmap];

		sub(p, sizeof(p), path, k);
		if (map_lint_guid_upper(k))
			lwarn(l, p, true, "Entra ID sends object ids in lower "
			    "case, so this key only matches an id written in "
			    "upper case");
		if (json_is_string(t)) {
			if ((me->key = dup(l, k)) == NULL)
				return;
			f->nmap++;
			push_str(l, &me->vals, &me->nvals,
			    json_string_value(t));
			continue;
		}
		if (!json_is_array(t)) {
			lerr(l, p, false, "expected a string or an array of "
			    "strings, found %s", jtype(t));
			continue;
		}
		if ((me->key = dup(l, k)) == NULL)
			return;
		f->nmap++;
		json_array_foreach(t, i, e) {
			if (!json_is_string(e))
				lerr(l, idx(pe, sizeof(pe), p, i), false,
				    "expected a string, found %s", jtype(e));
			else
				push_str(l, &me->vals, &me->nvals,
				    json_string_value(e));
		}
	}
	qsort(f->map, f->nmap, sizeof(*f->map), entry_cmp);
}

static void
parse_to(struct loader *l, struct map_field *f, json_t *v, const char *path)
{
	static const unsigned int bits[] = { MD_ID_TOKEN, MD_ACCESS_TOKEN,
	    MD_USERINFO };
	const char	*near;
	char		 p[1024], choices[128];
	json_t		*t;
	size_t		 i, j, n;

	list_text(choices, sizeof(choices), dest_names);
	f->dest = 0;
	n = json_is_array(v) ? json_array_size(v) : 1;
	if (!json_is_array(v) && !json_is_string(v)) {
		lerr(l, path, false, "expected %s or an array of them, found %s",
		    choices, jtype(v));
		return;
	}
	if (n == 0)
		lerr(l, path, false, "expected at least one of %s", choices);
	for (i = 0; i < n; i++) {
		t = json_is_array(v) ? json_array_get(v, i) : v;
		if (json_is_array(v))
			idx(p, sizeof(p), path, i);
		else
			s2o_strlcpy(p, path, sizeof(p));
		if (!json_is_string(t)) {
			lerr(l, p, false, "expected %s, found %s", choices,
			    jtype(t));
			continue;
		}
		for (j = 0; dest_names[j] != NULL; j++)
			if (strcmp(dest_names[j], json_string_value(t)) == 0)
				f->dest |= bits[j];
		if (in_list(json_string_value(t), dest_names))
			continue;
		if ((near = s2o_str_nearest(json_string_value(t),
		    dest_names)) != NULL)
			lerr(l, p, false, "unknown destination \"%s\" (did you "
			    "mean \"%s\"?)", json_string_value(t), near);
		else
			lerr(l, p, false, "unknown destination \"%s\"; "
			    "expected %s", json_string_value(t), choices);
	}
}

/* A default value must have the claim's type. */
static void
check_default(struct loader *l, struct map_field *f, json_t *v,
    const char *path)
{
	int	t = literal_type(l, v, path);

	if (t >= 0 && (enum map_type)t != f->type) {
		lerr(l, path, false, "expected a %s (the claim's type), found "
		    "%s", map_type_name(f->type), jtype(v));
		return;
	}
	if (t >= 0)
		f->dflt = json_incref(v);
}

/* ---- one entry --------------------------------------------------------- */

static void
parse_matching(struct loader *l, struct map_field *f, json_t *o,
    const char *base)
{
	static const char *const keys[] = { "keep_matching", "drop_matching" };
	json_t	*v;
	char	 p[1024], msg[512];
	int	 i;

	for (i = 0; i < 2; i++) {
		if ((v = json_object_get(o, keys[i])) == NULL)
			continue;
		sub(p, sizeof(p), base, keys[i]);
		if (!json_is_string(v) || json_string_length(v) == 0) {
			lerr(l, p, false, "expected a regular expression, "
			    "found %s", json_is_string(v) ? "\"\"" : jtype(v));
			continue;
		}
		if (i == 0) {
			f->keep_text = dup(l, json_string_value(v));
			f->keep = map_re_compile(json_string_value(v), msg,
			    sizeof(msg));
		} else {
			f->drop_text = dup(l, json_string_value(v));
			f->drop = map_re_compile(json_string_value(v), msg,
			    sizeof(msg));
		}
		if ((i == 0 ? f->keep : f->drop) == NULL)
			lerr(l, p, false, "%s", msg);
	}
}

/*
 * The object form. *declared receives "type" (-1 when absent or bad),
 * *literal the type of "value" (-1 when none).
 */
static void
parse_object(struct loader *l, struct map_field *f, json_t *o,
    const char *base, int *declared, int *literal)
{
	static const char *const with_value[] = { "value", "type", "to",
	    NULL };
	json_t		*from = json_object_get(o, "from");
	json_t		*value = json_object_get(o, "value");
	json_t		*tpl = json_object_get(o, "template");
	json_t		*v;
	const char	*k, *s;
	char		 p[1024];
	int		 nkinds = (from != NULL) + (value != NULL) +
			    (tpl != NULL);

	check_unknown(l, o, base, field_keys, "key");
	if (nkinds == 0)
		lerr(l, base, false, "needs one of \"from\", \"value\" or "
		    "\"template\"");
	else if (nkinds > 1)
		lerr(l, sub(p, sizeof(p), base, tpl ? "template" : "value"),
		    true, "choose one of \"from\", \"value\" and \"template\"");
	if (from != NULL)
		parse_from(l, f, from, sub(p, sizeof(p), base, "from"));
	else if (value != NULL) {
		f->kind = MK_VALUE;
		if ((*literal = literal_type(l, value, sub(p, sizeof(p), base,
		    "value"))) >= 0)
			f->value = json_incref(value);
		json_object_foreach(o, k, v)
			if (!in_list(k, with_value) && in_list(k, field_keys))
				lerr(l, sub(p, sizeof(p), base, k), true,
				    "has no effect with \"value\": a literal is "
				    "issued as written");
	} else if (tpl != NULL) {
		f->kind = MK_TEMPLATE;
		if (!json_is_string(tpl) || json_string_length(tpl) == 0)
			lerr(l, sub(p, sizeof(p), base, "template"), false,
			    "expected a template such as \"{given_name} "
			    "{family_name}\", found %s", json_is_string(tpl) ?
			    "\"\"" : jtype(tpl));
		else
			f->tpl_text = dup(l, json_string_value(tpl));
	}
	if ((s = get_enum(l, o, base, "type", type_names)) != NULL)
		*declared = (int)(strcmp(s, "string") == 0 ? MT_STRING :
		    strcmp(s, "boolean") == 0 ? MT_BOOLEAN :
		    strcmp(s, "number") == 0 ? MT_NUMBER : MT_ARRAY);
	if (*literal >= 0 && *declared >= 0 && *literal != *declared)
		lerr(l, sub(p, sizeof(p), base, "value"), false,
		    "expected a%s %s (\"type\": \"%s\"), found %s",
		    *declared == MT_ARRAY ? "n" : "", s, s, jtype(value));
	if ((v = json_object_get(o, "to")) != NULL)
		parse_to(l, f, v, sub(p, sizeof(p), base, "to"));
	if (f->kind == MK_VALUE)
		return;
	f->merge = get_bool(l, o, base, "merge", false);
	if (json_object_get(o, "merge") != NULL && from == NULL)
		lerr(l, sub(p, sizeof(p), base, "merge"), true, "has no effect "
		    "without \"from\"");
	if ((v = json_object_get(o, "transforms")) != NULL)
		parse_transforms(l, f, v, sub(p, sizeof(p), base,
		    "transforms"));
	parse_matching(l, f, o, base);
	if ((v = json_object_get(o, "map")) != NULL)
		parse_map(l, f, v, sub(p, sizeof(p), base, "map"));
	if ((s = get_enum(l, o, base, "unmapped", unmapped_names)) != NULL)
		f->unmapped_keep = strcmp(s, "keep") == 0;
	if (json_object_get(o, "unmapped") != NULL &&
	    json_object_get(o, "map") == NULL)
		lerr(l, sub(p, sizeof(p), base, "unmapped"), true,
		    "has no effect without \"map\"");
	f->required = get_bool(l, o, base, "required", false);
}

/*
 * The options after the claim's type is known: multiple, separator,
 * default; and user_id's own rules.
 */
static void
parse_typed(struct loader *l, struct map_field *f, json_t *o,
    const char *base)
{
	json_t		*v;
	const char	*s;
	char		 p[1024];

	if ((s = get_enum(l, o, base, "multiple", multiple_names)) != NULL) {
		f->multiple = strcmp(s, "first") == 0 ? MM_FIRST :
		    strcmp(s, "join") == 0 ? MM_JOIN : MM_REJECT;
		if (f->type == MT_ARRAY)
			lerr(l, sub(p, sizeof(p), base, "multiple"), true,
			    "has no effect on an array claim");
		else if (f->multiple == MM_JOIN &&
		    json_object_get(o, "separator") == NULL)
			lerr(l, sub(p, sizeof(p), base, "multiple"), false,
			    "\"join\" needs a \"separator\", such as \", \"");
	}
	if ((v = json_object_get(o, "separator")) != NULL) {
		sub(p, sizeof(p), base, "separator");
		if (f->multiple != MM_JOIN)
			lerr(l, p, true, "has no effect without \"multiple\": "
			    "\"join\"");
		else if (!json_is_string(v))
			lerr(l, p, false, "expected a string, found %s",
			    jtype(v));
		else
			f->separator = dup(l, json_string_value(v));
	}
	if ((v = json_object_get(o, "default")) != NULL &&
	    f->kind != MK_VALUE) {
		sub(p, sizeof(p), base, "default");
		if (f->is_user_id)
			lerr(l, p, true, "user_id takes no default: every user "
			    "without one would share one sub");
		else if (f->required)
			lerr(l, p, true, "a required claim takes no default");
		else
			check_default(l, f, v, p);
	}
	if (!f->is_user_id)
		return;
	if (json_object_get(o, "to") != NULL)
		lerr(l, sub(p, sizeof(p), base, "to"), true, "user_id always "
		    "becomes sub; \"to\" has no effect");
	if ((v = json_object_get(o, "required")) != NULL && json_is_false(v))
		lerr(l, sub(p, sizeof(p), base, "required"), false,
		    "user_id is always required: sub is made from it");
}

static const char *
type_source(const char *name)
{
	if (strcmp(name, "user_id") == 0)
		return "sub is a string";
	if (strcmp(name, "groups") == 0 || strcmp(name, "roles") == 0 ||
	    strcmp(name, "entitlements") == 0)
		return "RFC 9068 §2.2.3.1";
	return "OIDC Core §5.1";
}

static void
parse_entry(struct loader *l, const char *name, json_t *v, const char *path)
{
	struct map_field	*f;
	enum map_type		 stype = MT_STRING;
	bool			 typed;
	char			 msg[512], p[1024];
	int			 declared = -1, literal = -1, t;
	size_t			 fi;

	if (map_lint_claim(name, &typed, &stype, msg, sizeof(msg)) == -1) {
		lerr(l, path, true, "%s", msg);
		return;
	}
	if ((fi = field_new(l, name, path)) == (size_t)-1)
		return;
	f = &l->m->f[fi];
	switch (json_typeof(v)) {
	case JSON_STRING:
	case JSON_ARRAY:
		parse_from(l, f, v, path);	/* Auth0's form */
		break;
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_INTEGER:
	case JSON_REAL:
		f->kind = MK_VALUE;
		f->value = json_incref(v);
		literal = literal_type(l, v, path);
		break;
	case JSON_OBJECT:
		parse_object(l, f, v, path, &declared, &literal);
		break;
	default:
		lerr(l, path, false, "expected an attribute Name, an array of "
		    "them, a literal or an object, found %s", jtype(v));
		return;
	}
	t = declared >= 0 ? declared : literal;
	if (typed && t >= 0 && (enum map_type)t != stype)
		lerr(l, declared >= 0 ? sub(p, sizeof(p), path, "type") :
		    json_is_object(v) ? sub(p, sizeof(p), path, "value") : path,
		    false, "%s is a%s %s claim (%s), not a%s %s", name,
		    stype == MT_ARRAY ? "n" : "", map_type_name(stype),
		    type_source(name), t == MT_ARRAY ? "n" : "",
		    map_type_name((enum map_type)t));
	f->type = typed ? stype : t >= 0 ? (enum map_type)t : MT_STRING;
	if (f->is_user_id) {
		f->dest = 0;
		f->required = true;
		if (f->kind == MK_VALUE)
			lerr(l, path, false, "user_id must come from the "
			    "assertion: a literal would give every user one "
			    "sub");
	}
	if (json_is_object(v))
		parse_typed(l, f, v, path);
}

static void
parse_options(struct loader *l, json_t *o, const char *path)
{
	const char	*s;

	if (!json_is_object(o)) {
		lerr(l, path, false, "expected an object, found %s", jtype(o));
		return;
	}
	check_unknown(l, o, path, option_keys, "option");
	l->extend_defaults = get_bool(l, o, path, "extend_defaults", true);
	l->m->match_friendly_name = get_bool(l, o, path,
	    "match_friendly_name", false);
	if ((s = get_enum(l, o, path, "sub", sub_names)) != NULL)
		l->m->bare_sub = strcmp(s, "user_id") == 0;
	if ((s = get_enum(l, o, path, "groups_overage", overage_names)) != NULL)
		l->m->overage_flag = strcmp(s, "flag") == 0;
}

static void
add_defaults(struct loader *l, json_t *root)
{
	struct map_field	*f;
	enum map_type		 t;
	size_t			 i, j, fi;
	bool			 typed;
	char			 msg[8];

	for (i = 0; i < NDEFAULTS; i++) {
		if (json_object_get(root, auth0_defaults[i].name) != NULL)
			continue;
		if ((fi = field_new(l, auth0_defaults[i].name, NULL)) ==
		    (size_t)-1)
			return;
		f = &l->m->f[fi];
		f->from_default = true;
		f->kind = MK_FROM;
		map_lint_claim(f->name, &typed, &t, msg, sizeof(msg));
		f->type = t;
		if (f->is_user_id) {
			f->dest = 0;
			f->required = true;
		}
		for (j = 0; j < 3 && auth0_defaults[i].from[j] != NULL; j++)
			if (push_str(l, &f->from, &f->nfrom,
			    auth0_defaults[i].from[j]) == -1)
				return;
	}
}

/* ---- templates and evaluation order ------------------------------------ */

static size_t
field_index(const struct s2o_mapping *m, const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < m->nf; i++)
		if (strlen(m->f[i].name) == len &&
		    strncmp(m->f[i].name, name, len) == 0)
			return i;
	return (size_t)-1;
}

static int
tpl_push(struct loader *l, struct map_field *f, const char *text, size_t len,
    size_t field)
{
	struct map_tpl_part	*np;

	if ((np = realloc(f->tpl, (f->ntpl + 1) * sizeof(*np))) == NULL) {
		l->oom = true;
		return -1;
	}
	f->tpl = np;
	np[f->ntpl].text = NULL;
	np[f->ntpl].field = field;
	if (text != NULL &&
	    (np[f->ntpl].text = strndup(text, len)) == NULL) {
		l->oom = true;
		return -1;
	}
	f->ntpl++;
	return 0;
}

/*
 * Cuts a template into literal text and {field} references: "{{" and "}}"
 * are literal braces. Every field must exist and hold a single value.
 */
static void
parse_template(struct loader *l, size_t fi, const char *const *names)
{
	struct map_field	*f = &l->m->f[fi];
	const char		*s = f->tpl_text, *p, *e, *near;
	struct s2o_buf		 lit;
	struct s2o_err		 err;
	char			 path[1024], name[256];
	size_t			 ref;

	sub(path, sizeof(path), l->paths[fi], "template");
	s2o_err_clear(&err);
	s2o_buf_init(&lit, S2O_MAP_MAX_FILE);
	for (p = s; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			if (s2o_buf_add(&lit, p++, 1, &err) == -1)
				goto oom;
			continue;
		}
		if (*p == '}') {
			lerr(l, path, false, "unmatched \"}\" at offset %zu "
			    "(write \"}}\" for a literal brace)",
			    (size_t)(p - s));
			goto out;
		}
		if (*p != '{') {
			if (s2o_buf_add(&lit, p, 1, &err) == -1)
				goto oom;
			continue;
		}
		if ((e = strchr(p, '}')) == NULL) {
			lerr(l, path, false, "unclosed \"{\" at offset %zu "
			    "(write \"{{\" for a literal brace)",
			    (size_t)(p - s));
			goto out;
		}
		if (e == p + 1) {
			lerr(l, path, false, "empty field name at offset %zu",
			    (size_t)(p - s));
			goto out;
		}
		if (lit.len > 0 &&
		    tpl_push(l, f, lit.data, lit.len, 0) == -1)
			goto out;
		lit.len = 0;
		ref = field_index(l->m, p + 1, (size_t)(e - p - 1));
		snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
		f = &l->m->f[fi];
		if (ref == (size_t)-1) {
			if ((near = s2o_str_nearest(name, names)) != NULL)
				lerr(l, path, false, "unknown field {%s} (did "
				    "you mean {%s}?)", name, near);
			else
				lerr(l, path, false, "unknown field {%s}: a "
				    "template names claims of this mapping",
				    name);
		} else if (ref == fi)
			lerr(l, path, false, "{%s} refers to the claim itself",
			    name);
		else if (l->m->f[ref].type == MT_ARRAY)
			lerr(l, path, false, "{%s} is an array claim; a "
			    "template takes single values", name);
		else if (tpl_push(l, f, NULL, 0, ref) == -1)
			goto out;
		p = e;
	}
	if (lit.len > 0)
		tpl_push(l, f, lit.data, lit.len, 0);
	goto out;
oom:
	l->oom = true;
out:
	s2o_buf_cleanup(&lit);
}

/* Depth-first: templates after the fields they name; cycles reported. */
static void
visit(struct loader *l, size_t i, unsigned char *state, size_t *n)
{
	struct map_field	*f = &l->m->f[i];
	size_t			 j;
	char			 path[1024];

	if (state[i] == 2)
		return;
	if (state[i] == 1) {
		lerr(l, sub(path, sizeof(path), l->paths[i], "template"), false,
		    "templates refer to each other in a cycle through {%s}",
		    f->name);
		return;
	}
	state[i] = 1;
	for (j = 0; j < f->ntpl; j++)
		if (f->tpl[j].text == NULL && state[f->tpl[j].field] != 2) {
			if (state[f->tpl[j].field] == 1) {
				lerr(l, sub(path, sizeof(path), l->paths[i],
				    "template"), false, "templates refer to "
				    "each other in a cycle through {%s}",
				    l->m->f[f->tpl[j].field].name);
				continue;
			}
			visit(l, f->tpl[j].field, state, n);
		}
	state[i] = 2;
	l->m->order[(*n)++] = i;
	/* a claim that reads Entra groups, even through a template, is
	 * incomplete when the IdP sent a groups link instead */
	for (j = 0; j < f->nfrom; j++)
		if (strcmp(f->from[j], S2O_MAP_ENTRA_GROUPS) == 0)
			f->overage = true;
	for (j = 0; j < f->ntpl; j++)
		if (f->tpl[j].text == NULL && l->m->f[f->tpl[j].field].overage)
			f->overage = true;
}

static void
resolve(struct loader *l)
{
	struct s2o_mapping	*m = l->m;
	const char		**names;
	unsigned char		*state;
	size_t			 i, n = 0;

	if ((names = calloc(m->nf + 1, sizeof(*names))) == NULL ||
	    (state = calloc(m->nf + 1, 1)) == NULL ||
	    (m->order = calloc(m->nf + 1, sizeof(*m->order))) == NULL) {
		free(names);
		l->oom = true;
		return;
	}
	for (i = 0; i < m->nf; i++)
		names[i] = m->f[i].name;
	for (i = 0; i < m->nf; i++)
		if (m->f[i].kind == MK_TEMPLATE && m->f[i].tpl_text != NULL)
			parse_template(l, i, names);
	for (i = 0; i < m->nf; i++)
		visit(l, i, state, &n);
	free(state);
	free(names);
}

/* ---- the file ----------------------------------------------------------- */

static void
load_root(struct loader *l, json_t *root)
{
	const char	*k, *near;
	json_t		*v;
	char		 p[1024];
	bool		 have_user_id = false;
	size_t		 i;

	l->extend_defaults = true;
	if ((v = json_object_get(root, "$options")) != NULL)
		parse_options(l, v, sub(p, sizeof(p), "", "$options"));
	json_object_foreach(root, k, v) {
		sub(p, sizeof(p), "", k);
		if (*k == '$') {
			if (strcmp(k, "$options") == 0)
				continue;
			if ((near = s2o_str_nearest(k, top_dollar)) != NULL)
				lerr(l, p, true, "unknown key (did you mean "
				    "\"%s\"?)", near);
			else
				lerr(l, p, true, "unknown key: the only key "
				    "starting with \"$\" is \"$options\"");
			continue;
		}
		parse_entry(l, k, v, p);
		if (l->oom)
			return;
	}
	if (l->extend_defaults)
		add_defaults(l, root);
	if (l->oom)
		return;
	for (i = 0; i < l->m->nf; i++)
		if (l->m->f[i].is_user_id)
			have_user_id = true;
	if (!have_user_id && json_object_get(root, "user_id") == NULL)
		lerr(l, NULL, false, "no \"user_id\": sub is made from it "
		    "(\"$options\": {\"extend_defaults\": false} removed "
		    "Auth0's default)");
	resolve(l);
}

static void
field_cleanup(struct map_field *f)
{
	size_t	i, j;

	free(f->name);
	for (i = 0; i < f->nfrom; i++)
		free(f->from[i]);
	free(f->from);
	json_decref(f->value);
	free(f->tpl_text);
	for (i = 0; i < f->ntpl; i++)
		free(f->tpl[i].text);
	free(f->tpl);
	for (i = 0; i < f->nxf; i++) {
		free(f->xf[i].arg);
		free(f->xf[i].with);
		pcre2_code_free(f->xf[i].re);
	}
	free(f->xf);
	free(f->keep_text);
	free(f->drop_text);
	pcre2_code_free(f->keep);
	pcre2_code_free(f->drop);
	for (i = 0; i < f->nmap; i++) {
		free(f->map[i].key);
		for (j = 0; j < f->map[i].nvals; j++)
			free(f->map[i].vals[j]);
		free(f->map[i].vals);
	}
	free(f->map);
	free(f->separator);
	json_decref(f->dflt);
}

void
s2o_map_free(struct s2o_mapping *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nf; i++)
		field_cleanup(&m->f[i]);
	free(m->f);
	free(m->order);
	pcre2_match_context_free(m->mctx);
	free(m);
}

bool
s2o_map_sub_is_bare(const struct s2o_mapping *m)
{
	return m->bare_sub;
}

/*
 * The checks run claim by claim and key by key, not in file order; an
 * admin reads top-down. Insertion sort: stable, and files hold few
 * problems. Problems without a position (the whole file) come first.
 */
static void
sort_diags(struct s2o_diags *d, size_t from)
{
	struct s2o_diag	t;
	size_t		i, j;

	for (i = from + 1; i < d->n; i++) {
		t = d->v[i];
		for (j = i; j > from && (d->v[j - 1].line > t.line ||
		    (d->v[j - 1].line == t.line &&
		    d->v[j - 1].column > t.column)); j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = t;
	}
}

struct s2o_mapping *
s2o_map_load_text(const char *text, size_t len, const char *name,
    struct s2o_diags *diags, struct s2o_err *err)
{
	struct loader	 l;
	json_error_t	 je;
	json_t		*root = NULL;
	size_t		 before = diags->nerrors, first = diags->n, i;
	struct s2o_err	 jerr;

	memset(&l, 0, sizeof(l));
	l.file = name;
	l.diags = diags;
	if (len > S2O_MAP_MAX_FILE) {
		s2o_err_set(err, S2O_R_TOO_LARGE, "%s: a mappings file may "
		    "hold at most %d bytes", name, S2O_MAP_MAX_FILE);
		return NULL;
	}
	if ((l.m = calloc(1, sizeof(*l.m))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	s2o_err_clear(&jerr);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		s2o_diags_add(diags, S2O_DIAG_ERROR, S2O_R_MAPPING_INVALID,
		    name, (unsigned int)je.line, (unsigned int)je.column, NULL,
		    &jerr, "%s", je.text);
	else if (!json_is_object(root))
		s2o_diags_add(diags, S2O_DIAG_ERROR, S2O_R_MAPPING_INVALID,
		    name, 1, 1, NULL, &jerr, "expected a JSON object of claim "
		    "-> attribute Name(s)");
	else if ((l.jp = s2o_jsonpos_new(text, len, &jerr)) == NULL) {
		if (jerr.reason == S2O_R_TOO_LARGE) {
			s2o_diags_add(diags, S2O_DIAG_ERROR,
			    S2O_R_MAPPING_INVALID, name, jerr.line, jerr.column,
			    NULL, err, "%s", jerr.detail);
			s2o_err_clear(&jerr);
		}
	} else
		load_root(&l, root);
	if (jerr.reason != S2O_R_OK && jerr.reason != S2O_R_TOO_LARGE)
		l.oom = true;
	if (!l.oom && diags->nerrors == before) {
		l.m->mctx = pcre2_match_context_create(NULL);
		if (l.m->mctx == NULL)
			l.oom = true;
		else {
			pcre2_set_match_limit(l.m->mctx,
			    S2O_MAP_REGEX_MATCH_LIMIT);
			pcre2_set_heap_limit(l.m->mctx,
			    S2O_MAP_REGEX_HEAP_LIMIT);
		}
	}
	json_decref(root);
	s2o_jsonpos_free(l.jp);
	sort_diags(diags, first);
	for (i = 0; i < l.m->nf; i++)
		free(l.paths[i]);
	free(l.paths);
	if (l.oom || diags->nerrors > before) {
		if (l.oom)
			s2o_err_oom(err);
		else {
			/* the detail is this file's first error */
			size_t seen = 0;

			for (i = 0; i < diags->n; i++)
				if (diags->v[i].severity == S2O_DIAG_ERROR &&
				    seen++ == before)
					break;
			s2o_err_set(err, S2O_R_MAPPING_INVALID, "%s",
			    i < diags->n ? diags->v[i].text : name);
		}
		s2o_map_free(l.m);
		return NULL;
	}
	return l.m;
}

struct s2o_mapping *
s2o_map_load(const char *path, struct s2o_diags *diags, struct s2o_err *err)
{
	struct s2o_mapping	*m;
	struct s2o_buf		 b;

	s2o_buf_init(&b, S2O_MAP_MAX_FILE);
	if (s2o_buf_read_file(&b, path, err) == -1)
		return NULL;
	m = s2o_map_load_text(b.data ? b.data : "", b.len, path, diags, err);
	s2o_buf_cleanup(&b);
	return m;
}
