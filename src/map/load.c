/* SPDX-License-Identifier: MIT */
/*
 * Loading a mappings file: jansson parses (duplicate keys refused), core's
 * jsonpos says where each value sits, and every problem becomes one
 * "FILE:LINE:COL: PATH: message" line. The loader goes on after a problem
 * so an admin fixes the whole file in one pass, then refuses the file if
 * any problem was an error. What it accepts is compiled here, once:
 * regular expressions, templates (cut into text and field references),
 * value maps (sorted for binary search) and the order in which templates
 * can be evaluated. Each entry is read by entry.c; the naming rules live
 * in lint.c.
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

static const char *const option_keys[] = { "extend_defaults", "sub",
    "match_friendly_name", "groups_overage", "roles_claim", NULL };
static const char *const sub_names[] = { "connection|user_id", "user_id",
    NULL };
static const char *const overage_names[] = { "fail", "flag", NULL };
static const char *const top_dollar[] = { "$options", NULL };

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

void S2O_PRINTF(4, 5)
map_lerr(struct loader *l, const char *path, bool at_key, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ladd(l, S2O_DIAG_ERROR, path, at_key, fmt, ap);
	va_end(ap);
}

void S2O_PRINTF(4, 5)
map_lwarn(struct loader *l, const char *path, bool at_key, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ladd(l, S2O_DIAG_WARNING, path, at_key, fmt, ap);
	va_end(ap);
}

/* "base.key" (or base["key"]) into out */
const char *
map_path_key(char *out, size_t size, const char *base, const char *key)
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

const char *
map_path_idx(char *out, size_t size, const char *base, size_t i)
{
	if (snprintf(out, size, "%s[%zu]", base, i) >= (int)size)
		out[size - 1] = '\0';
	return out;
}

const char *
map_jtype(const json_t *v)
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

bool
map_in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* "a", "b" and "c" */
const char *
map_list_text(char *out, size_t size, const char *const *list)
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

void
map_check_unknown(struct loader *l, json_t *obj, const char *base,
    const char *const *known, const char *what)
{
	const char	*k, *near;
	json_t		*v;
	char		 p[1024];

	json_object_foreach(obj, k, v) {
		if (map_in_list(k, known))
			continue;
		if ((near = s2o_str_nearest(k, known)) != NULL)
			map_lerr(l, map_path_key(p, sizeof(p), base, k), true,
			    "unknown %s (did you mean \"%s\"?)", what, near);
		else
			map_lerr(l, map_path_key(p, sizeof(p), base, k), true,
			    "unknown %s", what);
	}
}

/*
 * The value of key in obj when it is one of names; NULL when absent or
 * not (an error then names the choices and the nearest one).
 */
const char *
map_get_enum(struct loader *l, json_t *obj, const char *base, const char *key,
    const char *const *names)
{
	json_t		*v = json_object_get(obj, key);
	const char	*s, *near;
	char		 p[1024], choices[256];

	if (v == NULL)
		return NULL;
	map_path_key(p, sizeof(p), base, key);
	map_list_text(choices, sizeof(choices), names);
	if (!json_is_string(v)) {
		map_lerr(l, p, false, "expected %s, found %s", choices, map_jtype(v));
		return NULL;
	}
	s = json_string_value(v);
	if (map_in_list(s, names))
		return s;
	if ((near = s2o_str_nearest(s, names)) != NULL)
		map_lerr(l, p, false, "unknown value \"%s\" (did you mean \"%s\"?)",
		    s, near);
	else
		map_lerr(l, p, false, "expected %s, found \"%s\"", choices, s);
	return NULL;
}

bool
map_get_bool(struct loader *l, json_t *obj, const char *base, const char *key,
    bool dflt)
{
	json_t	*v = json_object_get(obj, key);
	char	 p[1024];

	if (v == NULL)
		return dflt;
	if (!json_is_boolean(v)) {
		map_lerr(l, map_path_key(p, sizeof(p), base, key), false,
		    "expected true or false, found %s", map_jtype(v));
		return dflt;
	}
	return json_is_true(v);
}

char *
map_dup(struct loader *l, const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		l->oom = true;
	return d;
}

int
map_push_str(struct loader *l, char ***v, size_t *n, const char *s)
{
	char	**nv, *d;

	if ((d = map_dup(l, s)) == NULL)
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
size_t
map_field_new(struct loader *l, const char *name, const char *path)
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
	if ((m->f[m->nf].name = map_dup(l, name)) == NULL ||
	    (path != NULL && (l->paths[m->nf] = map_dup(l, path)) == NULL)) {
		free(m->f[m->nf].name);
		return (size_t)-1;
	}
	return m->nf++;
}

/*
 * "roles_claim": the claim (a URL, OIDC Core §5.1.2) that carries the
 * user's roles in both tokens: the mapped `roles` with the organization's
 * default_roles (docs/organizations.md).
 */
static void
parse_roles_claim(struct loader *l, json_t *o, const char *path)
{
	json_t		*v = json_object_get(o, "roles_claim");
	const char	*s, *h;
	char		 p[1024];

	if (v == NULL)
		return;
	map_path_key(p, sizeof(p), path, "roles_claim");
	s = json_string_value(v);
	h = s == NULL ? NULL : strncmp(s, "https://", 8) == 0 ? s + 8 :
	    strncmp(s, "http://", 7) == 0 ? s + 7 : NULL;
	if (h == NULL || *h == '\0' || strchr("/?#:", *h) != NULL ||
	    strpbrk(s, " \t\r\n") != NULL) {
		map_lerr(l, p, false, "expected a collision-resistant claim "
		    "name, a URL such as \"https://example.com/roles\"");
		return;
	}
	if ((l->m->roles_claim = strdup(s)) == NULL)
		l->oom = true;
}

static void
parse_options(struct loader *l, json_t *o, const char *path)
{
	const char	*s;

	if (!json_is_object(o)) {
		map_lerr(l, path, false, "expected an object, found %s", map_jtype(o));
		return;
	}
	map_check_unknown(l, o, path, option_keys, "option");
	l->extend_defaults = map_get_bool(l, o, path, "extend_defaults", true);
	l->m->match_friendly_name = map_get_bool(l, o, path,
	    "match_friendly_name", false);
	if ((s = map_get_enum(l, o, path, "sub", sub_names)) != NULL)
		l->m->bare_sub = strcmp(s, "user_id") == 0;
	if ((s = map_get_enum(l, o, path, "groups_overage", overage_names)) != NULL)
		l->m->overage_flag = strcmp(s, "flag") == 0;
	parse_roles_claim(l, o, path);
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
		if ((fi = map_field_new(l, auth0_defaults[i].name, NULL)) ==
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
			if (map_push_str(l, &f->from, &f->nfrom,
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

	map_path_key(path, sizeof(path), l->paths[fi], "template");
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
			map_lerr(l, path, false, "unmatched \"}\" at offset %zu "
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
			map_lerr(l, path, false, "unclosed \"{\" at offset %zu "
			    "(write \"{{\" for a literal brace)",
			    (size_t)(p - s));
			goto out;
		}
		if (e == p + 1) {
			map_lerr(l, path, false, "empty field name at offset %zu",
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
				map_lerr(l, path, false, "unknown field {%s} (did "
				    "you mean {%s}?)", name, near);
			else
				map_lerr(l, path, false, "unknown field {%s}: a "
				    "template names claims of this mapping",
				    name);
		} else if (ref == fi)
			map_lerr(l, path, false, "{%s} refers to the claim itself",
			    name);
		else if (l->m->f[ref].type == MT_ARRAY)
			map_lerr(l, path, false, "{%s} is an array claim; a "
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
		map_lerr(l, map_path_key(path, sizeof(path), l->paths[i], "template"), false,
		    "templates refer to each other in a cycle through {%s}",
		    f->name);
		return;
	}
	state[i] = 1;
	for (j = 0; j < f->ntpl; j++)
		if (f->tpl[j].text == NULL && state[f->tpl[j].field] != 2) {
			if (state[f->tpl[j].field] == 1) {
				map_lerr(l, map_path_key(path, sizeof(path), l->paths[i],
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

/* ---- the file ---------------------------------------------------------- */

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
		parse_options(l, v, map_path_key(p, sizeof(p), "", "$options"));
	json_object_foreach(root, k, v) {
		map_path_key(p, sizeof(p), "", k);
		if (*k == '$') {
			if (strcmp(k, "$options") == 0)
				continue;
			if ((near = s2o_str_nearest(k, top_dollar)) != NULL)
				map_lerr(l, p, true, "unknown key (did you mean "
				    "\"%s\"?)", near);
			else
				map_lerr(l, p, true, "unknown key: the only key "
				    "starting with \"$\" is \"$options\"");
			continue;
		}
		map_parse_entry(l, k, v, p);
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
		map_lerr(l, NULL, false, "no \"user_id\": sub is made from it "
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
	free(m->roles_claim);
	pcre2_match_context_free(m->mctx);
	free(m);
}

bool
s2o_map_sub_is_bare(const struct s2o_mapping *m)
{
	return m->bare_sub;
}

const char *
s2o_map_roles_claim(const struct s2o_mapping *m)
{
	return m->roles_claim;
}

/* The field named name, or NULL (user_id is not a claim). */
static const struct map_field *
field_named(const struct s2o_mapping *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->nf; i++)
		if (!m->f[i].is_user_id && strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

bool
s2o_map_has_claim(const struct s2o_mapping *m, const char *name)
{
	return field_named(m, name) != NULL;
}

size_t
s2o_map_value_map_outputs(const struct s2o_mapping *m, const char *name,
    const char **out, size_t max)
{
	const struct map_field	*f = field_named(m, name);
	size_t			 i, j, k, n = 0;

	for (i = 0; f != NULL && i < f->nmap; i++)
		for (j = 0; j < f->map[i].nvals; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(out[k], f->map[i].vals[j]) == 0)
					break;
			if (k == n && n < max)
				out[n++] = f->map[i].vals[j];
		}
	return n;
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
	/* jansson reports a lexer it could not allocate with no text */
	if (root == NULL && (json_error_code(&je) == json_error_out_of_memory ||
	    je.text[0] == '\0'))
		l.oom = true;
	else if (root == NULL)
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
