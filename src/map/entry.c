/* SPDX-License-Identifier: MIT */
/*
 * One entry of a mappings file, read and checked: its sources (Auth0's
 * string or array form), a literal, or the object form with its
 * transforms, filters, value map, type, multiple, default, required and
 * destinations. load.c drives the file and owns the loader; the naming
 * rules are in lint.c. Everything compiled here (regular expressions,
 * sorted value maps) is built once, at load time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/map_int.h"

static const char *const field_keys[] = { "from", "merge", "value",
    "template", "transforms", "keep_matching", "drop_matching", "map",
    "unmapped", "type", "multiple", "separator", "required", "default", "to",
    NULL };
static const char *const xf_names[] = { "trim", "lower", "upper", "split",
    "replace", "dn_cn", "drop_empty", "dedupe", NULL };
static const char *const type_names[] = { "string", "boolean", "number",
    "array", NULL };
static const char *const multiple_names[] = { "reject", "first", "join",
    NULL };
static const char *const unmapped_names[] = { "drop", "keep", NULL };
static const char *const dest_names[] = { "id_token", "access_token",
    "userinfo", NULL };

/* ---- the pieces of an entry -------------------------------------------- */

static void
add_source(struct loader *l, struct map_field *f, json_t *v, const char *path)
{
	char	msg[512];

	if (!json_is_string(v)) {
		map_lerr(l, path, false, "expected an attribute Name, found %s",
		    map_jtype(v));
		return;
	}
	if (json_string_length(v) == 0) {
		map_lerr(l, path, false, "an attribute Name cannot be empty");
		return;
	}
	if (map_lint_source(json_string_value(v), msg, sizeof(msg)))
		map_lwarn(l, path, false, "%s", msg);
	map_push_str(l, &f->from, &f->nfrom, json_string_value(v));
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
		map_lerr(l, path, false, "expected an attribute Name or an array of "
		    "them, found %s", map_jtype(v));
		return;
	}
	if (json_array_size(v) == 0)
		map_lerr(l, path, false, "expected at least one attribute Name");
	for (i = 0; i < json_array_size(v); i++)
		add_source(l, f, json_array_get(v, i),
		    map_path_idx(p, sizeof(p), path, i));
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
			map_lerr(l, path, false, "an empty string is never issued; "
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
			map_lerr(l, path, false, "an empty array is never issued; "
			    "remove the claim instead");
			return -1;
		}
		for (i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i))) {
				map_lerr(l, map_path_idx(p, sizeof(p), path, i), false,
				    "expected a string, found %s",
				    map_jtype(json_array_get(v, i)));
				return -1;
			}
		return MT_ARRAY;
	default:
		map_lerr(l, path, false, "expected a string, boolean, number or "
		    "array of strings, found %s", map_jtype(v));
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
		map_lerr(l, path, false, "expected one transform per object, such "
		    "as {\"split\": \",\"}, found %zu keys", json_object_size(o));
		return;
	}
	json_object_foreach(o, k, v)
		break;
	map_path_key(p, sizeof(p), path, k);
	if (strcmp(k, "split") == 0) {
		x->op = XF_SPLIT;
		if (!json_is_string(v) || json_string_length(v) == 0) {
			map_lerr(l, p, false, "expected a non-empty delimiter, found "
			    "%s", json_is_string(v) ? "\"\"" : map_jtype(v));
			return;
		}
		x->arg = map_dup(l, json_string_value(v));
		return;
	}
	if (strcmp(k, "replace") == 0) {
		x->op = XF_REPLACE;
		if (!json_is_object(v)) {
			map_lerr(l, p, false, "expected {\"pattern\": \"...\", "
			    "\"with\": \"...\"}, found %s", map_jtype(v));
			return;
		}
		map_check_unknown(l, v, p, replace_keys, "key");
		pat = json_object_get(v, "pattern");
		with = json_object_get(v, "with");
		if (pat == NULL || with == NULL) {
			map_lerr(l, p, false, "missing required key \"%s\"",
			    pat == NULL ? "pattern" : "with");
			return;
		}
		if (!json_is_string(pat) || json_string_length(pat) == 0) {
			map_lerr(l, map_path_key(pp, sizeof(pp), p, "pattern"), false,
			    "expected a regular expression, found %s",
			    json_is_string(pat) ? "\"\"" : map_jtype(pat));
			return;
		}
		if (!json_is_string(with)) {
			map_lerr(l, map_path_key(pp, sizeof(pp), p, "with"), false,
			    "expected a string, found %s", map_jtype(with));
			return;
		}
		x->arg = map_dup(l, json_string_value(pat));
		x->with = map_dup(l, json_string_value(with));
		if ((x->re = map_re_compile(json_string_value(pat), msg,
		    sizeof(msg))) == NULL) {
			map_lerr(l, map_path_key(pp, sizeof(pp), p, "pattern"), false, "%s",
			    msg);
			return;
		}
		if (map_re_check_with(x->re, json_string_value(with), msg,
		    sizeof(msg)) == -1)
			map_lerr(l, map_path_key(pp, sizeof(pp), p, "with"), false, "%s",
			    msg);
		return;
	}
	if (map_in_list(k, xf_names))
		map_lerr(l, p, true, "%s takes no argument: write \"%s\"", k, k);
	else if ((near = s2o_str_nearest(k, xf_names)) != NULL)
		map_lerr(l, p, true, "unknown transform \"%s\" (did you mean "
		    "\"%s\"?)", k, near);
	else
		map_lerr(l, p, true, "unknown transform \"%s\"", k);
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
		map_lerr(l, path, false, "expected an array of transforms, found %s",
		    map_jtype(v));
		return;
	}
	if ((f->xf = calloc(json_array_size(v) + 1, sizeof(*f->xf))) == NULL) {
		l->oom = true;
		return;
	}
	json_array_foreach(v, i, t) {
		struct map_xf *x = &f->xf[f->nxf++];

		map_path_idx(p, sizeof(p), path, i);
		if (json_is_object(t)) {
			parse_xf_object(l, x, t, p);
			continue;
		}
		if (!json_is_string(t)) {
			map_lerr(l, p, false, "expected a transform name or an "
			    "object such as {\"split\": \",\"}, found %s",
			    map_jtype(t));
			continue;
		}
		s = json_string_value(t);
		for (j = 0; xf_names[j] != NULL; j++)
			if (strcmp(xf_names[j], s) == 0)
				break;
		if (xf_names[j] != NULL && ops[j] == XF_SPLIT)
			map_lerr(l, p, false, "split needs a delimiter: write "
			    "{\"split\": \",\"}");
		else if (xf_names[j] != NULL && ops[j] == XF_REPLACE)
			map_lerr(l, p, false, "replace needs a pattern: write "
			    "{\"replace\": {\"pattern\": \"...\", \"with\": "
			    "\"...\"}}");
		else if (xf_names[j] != NULL)
			x->op = ops[j];
		else if ((near = s2o_str_nearest(s, xf_names)) != NULL)
			map_lerr(l, p, false, "unknown transform \"%s\" (did you "
			    "mean \"%s\"?)", s, near);
		else
			map_lerr(l, p, false, "unknown transform \"%s\"; known: %s",
			    s, map_list_text(known, sizeof(known), xf_names));
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
		map_lerr(l, path, false, "expected an object of value -> claim "
		    "value(s), found %s", map_jtype(v));
		return;
	}
	if ((f->map = calloc(json_object_size(v) + 1, sizeof(*f->map))) ==
	    NULL) {
		l->oom = true;
		return;
	}
	json_object_foreach(v, k, t) {
		struct map_entry *me = &f->map[f->nmap];

		map_path_key(p, sizeof(p), path, k);
		if (map_lint_guid_upper(k))
			map_lwarn(l, p, true, "Entra ID sends object ids in lower "
			    "case, so this key only matches an id written in "
			    "upper case");
		if (json_is_string(t)) {
			if ((me->key = map_dup(l, k)) == NULL)
				return;
			f->nmap++;
			map_push_str(l, &me->vals, &me->nvals,
			    json_string_value(t));
			continue;
		}
		if (!json_is_array(t)) {
			map_lerr(l, p, false, "expected a string or an array of "
			    "strings, found %s", map_jtype(t));
			continue;
		}
		if ((me->key = map_dup(l, k)) == NULL)
			return;
		f->nmap++;
		json_array_foreach(t, i, e) {
			if (!json_is_string(e))
				map_lerr(l, map_path_idx(pe, sizeof(pe), p, i), false,
				    "expected a string, found %s", map_jtype(e));
			else
				map_push_str(l, &me->vals, &me->nvals,
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

	map_list_text(choices, sizeof(choices), dest_names);
	f->dest = 0;
	n = json_is_array(v) ? json_array_size(v) : 1;
	if (!json_is_array(v) && !json_is_string(v)) {
		map_lerr(l, path, false, "expected %s or an array of them, found %s",
		    choices, map_jtype(v));
		return;
	}
	if (n == 0)
		map_lerr(l, path, false, "expected at least one of %s", choices);
	for (i = 0; i < n; i++) {
		t = json_is_array(v) ? json_array_get(v, i) : v;
		if (json_is_array(v))
			map_path_idx(p, sizeof(p), path, i);
		else
			s2o_strlcpy(p, path, sizeof(p));
		if (!json_is_string(t)) {
			map_lerr(l, p, false, "expected %s, found %s", choices,
			    map_jtype(t));
			continue;
		}
		for (j = 0; dest_names[j] != NULL; j++)
			if (strcmp(dest_names[j], json_string_value(t)) == 0)
				f->dest |= bits[j];
		if (map_in_list(json_string_value(t), dest_names))
			continue;
		if ((near = s2o_str_nearest(json_string_value(t),
		    dest_names)) != NULL)
			map_lerr(l, p, false, "unknown destination \"%s\" (did you "
			    "mean \"%s\"?)", json_string_value(t), near);
		else
			map_lerr(l, p, false, "unknown destination \"%s\"; "
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
		map_lerr(l, path, false, "expected a %s (the claim's type), found "
		    "%s", map_type_name(f->type), map_jtype(v));
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
		map_path_key(p, sizeof(p), base, keys[i]);
		if (!json_is_string(v) || json_string_length(v) == 0) {
			map_lerr(l, p, false, "expected a regular expression, "
			    "found %s", json_is_string(v) ? "\"\"" : map_jtype(v));
			continue;
		}
		if (i == 0) {
			f->keep_text = map_dup(l, json_string_value(v));
			f->keep = map_re_compile(json_string_value(v), msg,
			    sizeof(msg));
		} else {
			f->drop_text = map_dup(l, json_string_value(v));
			f->drop = map_re_compile(json_string_value(v), msg,
			    sizeof(msg));
		}
		if ((i == 0 ? f->keep : f->drop) == NULL)
			map_lerr(l, p, false, "%s", msg);
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

	map_check_unknown(l, o, base, field_keys, "key");
	if (nkinds == 0)
		map_lerr(l, base, false, "needs one of \"from\", \"value\" or "
		    "\"template\"");
	else if (nkinds > 1)
		map_lerr(l, map_path_key(p, sizeof(p), base, tpl ? "template" : "value"),
		    true, "choose one of \"from\", \"value\" and \"template\"");
	if (from != NULL)
		parse_from(l, f, from, map_path_key(p, sizeof(p), base, "from"));
	else if (value != NULL) {
		f->kind = MK_VALUE;
		if ((*literal = literal_type(l, value, map_path_key(p, sizeof(p), base,
		    "value"))) >= 0)
			f->value = json_incref(value);
		json_object_foreach(o, k, v)
			if (!map_in_list(k, with_value) && map_in_list(k, field_keys))
				map_lerr(l, map_path_key(p, sizeof(p), base, k), true,
				    "has no effect with \"value\": a literal is "
				    "issued as written");
	} else if (tpl != NULL) {
		f->kind = MK_TEMPLATE;
		if (!json_is_string(tpl) || json_string_length(tpl) == 0)
			map_lerr(l, map_path_key(p, sizeof(p), base, "template"), false,
			    "expected a template such as \"{given_name} "
			    "{family_name}\", found %s", json_is_string(tpl) ?
			    "\"\"" : map_jtype(tpl));
		else
			f->tpl_text = map_dup(l, json_string_value(tpl));
	}
	if ((s = map_get_enum(l, o, base, "type", type_names)) != NULL)
		*declared = (int)(strcmp(s, "string") == 0 ? MT_STRING :
		    strcmp(s, "boolean") == 0 ? MT_BOOLEAN :
		    strcmp(s, "number") == 0 ? MT_NUMBER : MT_ARRAY);
	if (*literal >= 0 && *declared >= 0 && *literal != *declared)
		map_lerr(l, map_path_key(p, sizeof(p), base, "value"), false,
		    "expected a%s %s (\"type\": \"%s\"), found %s",
		    *declared == MT_ARRAY ? "n" : "", s, s, map_jtype(value));
	if ((v = json_object_get(o, "to")) != NULL)
		parse_to(l, f, v, map_path_key(p, sizeof(p), base, "to"));
	if (f->kind == MK_VALUE)
		return;
	f->merge = map_get_bool(l, o, base, "merge", false);
	if (json_object_get(o, "merge") != NULL && from == NULL)
		map_lerr(l, map_path_key(p, sizeof(p), base, "merge"), true, "has no effect "
		    "without \"from\"");
	if ((v = json_object_get(o, "transforms")) != NULL)
		parse_transforms(l, f, v, map_path_key(p, sizeof(p), base,
		    "transforms"));
	parse_matching(l, f, o, base);
	if ((v = json_object_get(o, "map")) != NULL)
		parse_map(l, f, v, map_path_key(p, sizeof(p), base, "map"));
	if ((s = map_get_enum(l, o, base, "unmapped", unmapped_names)) != NULL)
		f->unmapped_keep = strcmp(s, "keep") == 0;
	if (json_object_get(o, "unmapped") != NULL &&
	    json_object_get(o, "map") == NULL)
		map_lerr(l, map_path_key(p, sizeof(p), base, "unmapped"), true,
		    "has no effect without \"map\"");
	f->required = map_get_bool(l, o, base, "required", false);
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

	if ((s = map_get_enum(l, o, base, "multiple", multiple_names)) != NULL) {
		f->multiple = strcmp(s, "first") == 0 ? MM_FIRST :
		    strcmp(s, "join") == 0 ? MM_JOIN : MM_REJECT;
		if (f->type == MT_ARRAY)
			map_lerr(l, map_path_key(p, sizeof(p), base, "multiple"), true,
			    "has no effect on an array claim");
		else if (f->multiple == MM_JOIN &&
		    json_object_get(o, "separator") == NULL)
			map_lerr(l, map_path_key(p, sizeof(p), base, "multiple"), false,
			    "\"join\" needs a \"separator\", such as \", \"");
	}
	if ((v = json_object_get(o, "separator")) != NULL) {
		map_path_key(p, sizeof(p), base, "separator");
		if (f->multiple != MM_JOIN)
			map_lerr(l, p, true, "has no effect without \"multiple\": "
			    "\"join\"");
		else if (!json_is_string(v))
			map_lerr(l, p, false, "expected a string, found %s",
			    map_jtype(v));
		else
			f->separator = map_dup(l, json_string_value(v));
	}
	if ((v = json_object_get(o, "default")) != NULL &&
	    f->kind != MK_VALUE) {
		map_path_key(p, sizeof(p), base, "default");
		if (f->is_user_id)
			map_lerr(l, p, true, "user_id takes no default: every user "
			    "without one would share one sub");
		else if (f->required)
			map_lerr(l, p, true, "a required claim takes no default");
		else
			check_default(l, f, v, p);
	}
	if (!f->is_user_id)
		return;
	if (json_object_get(o, "to") != NULL)
		map_lerr(l, map_path_key(p, sizeof(p), base, "to"), true, "user_id always "
		    "becomes sub; \"to\" has no effect");
	if ((v = json_object_get(o, "required")) != NULL && json_is_false(v))
		map_lerr(l, map_path_key(p, sizeof(p), base, "required"), false,
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

void
map_parse_entry(struct loader *l, const char *name, json_t *v,
    const char *path)
{
	struct map_field	*f;
	enum map_type		 stype = MT_STRING;
	bool			 typed;
	char			 msg[512], p[1024];
	int			 declared = -1, literal = -1, t;
	size_t			 fi;

	if (map_lint_claim(name, &typed, &stype, msg, sizeof(msg)) == -1) {
		map_lerr(l, path, true, "%s", msg);
		return;
	}
	if ((fi = map_field_new(l, name, path)) == (size_t)-1)
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
		map_lerr(l, path, false, "expected an attribute Name, an array of "
		    "them, a literal or an object, found %s", map_jtype(v));
		return;
	}
	t = declared >= 0 ? declared : literal;
	if (typed && t >= 0 && (enum map_type)t != stype)
		map_lerr(l, declared >= 0 ? map_path_key(p, sizeof(p), path, "type") :
		    json_is_object(v) ? map_path_key(p, sizeof(p), path, "value") : path,
		    false, "%s is a%s %s claim (%s), not a%s %s", name,
		    stype == MT_ARRAY ? "n" : "", map_type_name(stype),
		    type_source(name), t == MT_ARRAY ? "n" : "",
		    map_type_name((enum map_type)t));
	f->type = typed ? stype : t >= 0 ? (enum map_type)t : MT_STRING;
	if (f->is_user_id) {
		f->dest = 0;
		f->required = true;
		if (f->kind == MK_VALUE)
			map_lerr(l, path, false, "user_id must come from the "
			    "assertion: a literal would give every user one "
			    "sub");
	}
	if (json_is_object(v))
		parse_typed(l, f, v, path);
}

