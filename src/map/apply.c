/* SPDX-License-Identifier: MIT */
/*
 * Applying a compiled mapping to one verified assertion. Each claim runs
 * one fixed pipeline (docs/mappings.md): its values come from the first
 * present source (or all of them with "merge"), a literal, or a template;
 * then its transforms in order, keep_matching, drop_matching, the value
 * map; then its type, default and required rules. Claims are evaluated in
 * the order load.c worked out (a template after the claims it names) and
 * explained in the file's order (result.c assembles what is handed back).
 * Attribute values reach the explanation only when the caller asks for
 * them: they are personal data.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "map/map_int.h"

/* ---- explanation ------------------------------------------------------- */

void
map_ex_add(struct run *r, struct fstate *s, const char *text)
{
	struct s2o_err	e;

	s2o_err_clear(&e);
	if (r->explain && s2o_buf_adds(&s->ex, text, &e) == -1)
		r->ex_oom = true;
}

void
map_ex_fmt(struct run *r, struct fstate *s, const char *fmt, ...)
{
	char	line[2048];
	va_list	ap;

	if (!r->explain)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	map_ex_add(r, s, line);
}

/* A JSON value as compact text, for the explanation. */
void
map_ex_json(struct run *r, struct fstate *s, const json_t *v)
{
	char	*t;

	if (!r->explain)
		return;
	if ((t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		r->ex_oom = true;
		return;
	}
	map_ex_add(r, s, t);
	free(t);
}

/* "3 values", or the values themselves when the caller asked. */
void
map_ex_values(struct run *r, struct fstate *s, const struct map_values *vs)
{
	json_t	*arr;
	size_t	 i;

	if (!r->explain)
		return;
	if (!r->values) {
		map_ex_fmt(r, s, "%zu value%s", vs->n, vs->n == 1 ? "" : "s");
		return;
	}
	if ((arr = json_array()) == NULL) {
		r->ex_oom = true;
		return;
	}
	for (i = 0; i < vs->n; i++)
		if (json_array_append_new(arr, json_string(vs->v[i])) == -1)
			r->ex_oom = true;
	map_ex_json(r, s, arr);
	json_decref(arr);
}

static const char *
map_dest_text(char *buf, size_t size, unsigned int dest)
{
	snprintf(buf, size, "%s%s%s%s%s",
	    dest & MD_ID_TOKEN ? "id_token" : "",
	    dest & MD_ID_TOKEN && dest & (MD_ACCESS_TOKEN | MD_USERINFO) ?
	    ", " : "",
	    dest & MD_ACCESS_TOKEN ? "access_token" : "",
	    dest & MD_ACCESS_TOKEN && dest & MD_USERINFO ? ", " : "",
	    dest & MD_USERINFO ? "userinfo" : "");
	return buf;
}

/* ---- sources ----------------------------------------------------------- */

enum found { BY_NONE, BY_NAME, BY_FRIENDLY, BY_NAMEID };

/*
 * The values a source Name stands for: the attribute of that Name, else
 * (opt-in) the one of that FriendlyName, else for the nameidentifier
 * claim type the Subject's NameID. An attribute without values counts as
 * absent, so the next rule still applies.
 */
static enum found
lookup(const struct run *r, const char *name, char *const **vals, size_t *n,
    const char **real)
{
	const struct s2o_attribute	*at;
	size_t				 i;

	*real = NULL;
	if ((at = s2o_assertion_attribute(r->a, name)) != NULL &&
	    at->nvalues > 0) {
		*vals = at->values;
		*n = at->nvalues;
		return BY_NAME;
	}
	for (i = 0; r->m->match_friendly_name && i < r->a->nattributes; i++) {
		at = &r->a->attributes[i];
		if (at->friendly_name != NULL && at->nvalues > 0 &&
		    strcmp(at->friendly_name, name) == 0) {
			*vals = at->values;
			*n = at->nvalues;
			*real = at->name;
			return BY_FRIENDLY;
		}
	}
	if (strcmp(name, S2O_MAP_NAMEID) == 0 && r->a->name_id != NULL) {
		*vals = &r->a->name_id;
		*n = 1;
		return BY_NAMEID;
	}
	return BY_NONE;
}

/* Why a source is absent, for the explanation: a near miss, if any. */
static void
ex_absent(struct run *r, struct fstate *s, const char *name)
{
	const struct s2o_attribute	*at;
	size_t				 i;

	if ((at = s2o_assertion_attribute(r->a, name)) != NULL) {
		map_ex_fmt(r, s, "  from \"%s\": absent (the attribute has no "
		    "values)\n", name);
		return;
	}
	for (i = 0; !r->m->match_friendly_name && i < r->a->nattributes;
	    i++) {
		at = &r->a->attributes[i];
		if (at->friendly_name != NULL &&
		    strcmp(at->friendly_name, name) == 0) {
			map_ex_fmt(r, s, "  from \"%s\": absent (attribute \"%s\" "
			    "has this FriendlyName; \"$options\": "
			    "{\"match_friendly_name\": true} would match it)\n",
			    name, at->name);
			return;
		}
	}
	map_ex_fmt(r, s, "  from \"%s\": absent\n", name);
}

/* Reads the sources; *found tells whether any was present. */
static int
gather(struct run *r, const struct map_field *f, struct fstate *s,
    struct map_values *vs, bool *found)
{
	char *const	*vals;
	const char	*real;
	size_t		 j, k, n;
	enum found	 how;

	*found = false;
	for (j = 0; j < f->nfrom; j++) {
		if (*found && !f->merge) {
			map_ex_fmt(r, s, "  from \"%s\": not read (an earlier "
			    "source was present)\n", f->from[j]);
			continue;
		}
		if ((how = lookup(r, f->from[j], &vals, &n, &real)) ==
		    BY_NONE) {
			ex_absent(r, s, f->from[j]);
			continue;
		}
		*found = true;
		for (k = 0; k < n; k++)
			if (map_values_adopt(vs, strdup(vals[k]), f->name,
			    r->err) == -1)
				return -1;
		map_ex_fmt(r, s, "  from \"%s\": ", f->from[j]);
		if (how == BY_FRIENDLY)
			map_ex_fmt(r, s, "FriendlyName of \"%s\", ", real);
		else if (how == BY_NAMEID)
			map_ex_add(r, s, "the Subject NameID, ");
		if (r->values) {
			struct map_values one = { (char **)vals, n, n };

			map_ex_values(r, s, &one);
		} else
			map_ex_fmt(r, s, "%zu value%s", n, n == 1 ? "" : "s");
		map_ex_add(r, s, f->merge ? ", merged\n" : ", used\n");
	}
	return 0;
}

/* The template's text, or nothing when a field it names is absent. */
static int
render(struct run *r, const struct map_field *f, struct map_values *vs,
    const char **missing)
{
	struct s2o_buf	 b;
	const json_t	*v;
	char		 num[64];
	const char	*t;
	size_t		 i;

	*missing = NULL;
	s2o_buf_init(&b, S2O_MAP_MAX_VALUE + 1);
	for (i = 0; i < f->ntpl; i++) {
		if ((t = f->tpl[i].text) == NULL) {
			v = r->st[f->tpl[i].field].out;
			if (v == NULL) {
				*missing = r->m->f[f->tpl[i].field].name;
				s2o_buf_cleanup(&b);
				return 0;
			}
			if (json_is_string(v))
				t = json_string_value(v);
			else if (json_is_boolean(v))
				t = json_is_true(v) ? "true" : "false";
			else if (json_is_integer(v)) {
				snprintf(num, sizeof(num), "%lld",
				    (long long)json_integer_value(v));
				t = num;
			} else {
				snprintf(num, sizeof(num), "%.17g",
				    json_number_value(v));
				t = num;
			}
		}
		if (b.len + strlen(t) > S2O_MAP_MAX_VALUE) {
			s2o_buf_cleanup(&b);
			return s2o_err_set(r->err, S2O_R_TOO_LARGE, "%s: the "
			    "template makes more than %d bytes", f->name,
			    S2O_MAP_MAX_VALUE);
		}
		if (s2o_buf_adds(&b, t, r->err) == -1)
			return -1;
	}
	t = s2o_buf_take(&b, NULL);
	return map_values_adopt(vs, t ? (char *)t : strdup(""), f->name,
	    r->err);
}

/* ---- filters and maps -------------------------------------------------- */

static int
filter(struct run *r, const struct map_field *f, struct fstate *s,
    struct map_values *vs, const pcre2_code *re, bool keep, const char *text)
{
	size_t	i, n, before = vs->n;
	int	m;

	for (i = 0, n = 0; i < vs->n; i++) {
		if ((m = map_re_match(r->m, re, vs->v[i], f->name,
		    r->err)) == -1) {
			for (; i < vs->n; i++)
				vs->v[n++] = vs->v[i];
			vs->n = n;
			return -1;
		}
		if ((m == 1) == keep)
			vs->v[n++] = vs->v[i];
		else
			free(vs->v[i]);
	}
	vs->n = n;
	map_ex_fmt(r, s, "  %s \"%s\": ", keep ? "keep_matching" : "drop_matching",
	    text);
	if (r->values)
		map_ex_values(r, s, vs);
	else
		map_ex_fmt(r, s, "%zu of %zu value%s kept", n, before,
		    before == 1 ? "" : "s");
	map_ex_add(r, s, "\n");
	return 0;
}

static int
entry_find(const void *key, const void *e)
{
	return strcmp(key, ((const struct map_entry *)e)->key);
}

static int
apply_map(struct run *r, const struct map_field *f, struct fstate *s,
    struct map_values *vs)
{
	struct map_values	 out;
	const struct map_entry	*e;
	struct map_xf		 dd = { XF_DEDUPE, NULL, NULL, NULL };
	size_t			 i, j, unmapped = 0;

	memset(&out, 0, sizeof(out));
	for (i = 0; i < vs->n; i++) {
		e = bsearch(vs->v[i], f->map, f->nmap, sizeof(*f->map),
		    entry_find);
		if (e == NULL) {
			unmapped++;
			if (f->unmapped_keep &&
			    map_values_adopt(&out, strdup(vs->v[i]), f->name,
			    r->err) == -1)
				goto fail;
			continue;
		}
		for (j = 0; j < e->nvals; j++)
			if (map_values_adopt(&out, strdup(e->vals[j]), f->name,
			    r->err) == -1)
				goto fail;
	}
	/* several groups often grant one role: a map's output is a set */
	if (map_xf_apply(r->m, f, &dd, &out, r->err) == -1)
		goto fail;
	map_values_cleanup(vs);
	*vs = out;
	map_ex_add(r, s, "  map: ");
	map_ex_values(r, s, vs);
	if (unmapped > 0)
		map_ex_fmt(r, s, " (%zu unmapped value%s %s)", unmapped,
		    unmapped == 1 ? "" : "s", f->unmapped_keep ? "kept" :
		    "dropped");
	map_ex_add(r, s, "\n");
	return 0;
fail:
	map_values_cleanup(&out);
	return -1;
}

/* ---- types ------------------------------------------------------------- */

static json_t *
parse_bool(const char *s)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return json_true();
	if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return json_false();
	return NULL;
}

/* A JSON number from decimal text (no spaces, no hex, finite). */
static json_t *
parse_number(const char *s, bool *bad)
{
	char		*end;
	long long	 ll;
	double		 d;
	const char	*p = s;

	*bad = true;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	errno = 0;
	ll = strtoll(s, &end, 10);
	if (*end == '\0' && errno == 0) {
		*bad = false;
		return json_integer(ll);
	}
	errno = 0;
	d = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(d) ||
	    strpbrk(s, "xXpPiInN") != NULL)
		return NULL;
	*bad = false;
	return json_real(d);
}

/* The one value of a single-valued claim, by its "multiple" rule. */
static char *
one_value(struct run *r, const struct map_field *f, struct fstate *s,
    struct map_values *vs)
{
	struct s2o_buf	b;
	size_t		i, sl;

	if (vs->n == 1 || f->multiple == MM_FIRST) {
		if (vs->n > 1)
			map_ex_fmt(r, s, "  multiple: the first of %zu values\n",
			    vs->n);
		return strdup(vs->v[0]);
	}
	if (f->multiple == MM_REJECT) {
		s2o_err_set(r->err, S2O_R_MISSING_ATTRIBUTE, "%s: %zu values "
		    "for a single-valued claim (set \"multiple\" to \"first\" "
		    "or \"join\", or \"type\": \"array\")", f->name, vs->n);
		return NULL;
	}
	sl = strlen(f->separator);
	s2o_buf_init(&b, S2O_MAP_MAX_VALUE + 1);
	for (i = 0; i < vs->n; i++) {
		if (b.len + strlen(vs->v[i]) + sl > S2O_MAP_MAX_VALUE) {
			s2o_buf_cleanup(&b);
			s2o_err_set(r->err, S2O_R_TOO_LARGE, "%s: joining makes "
			    "more than %d bytes", f->name, S2O_MAP_MAX_VALUE);
			return NULL;
		}
		if ((i > 0 && s2o_buf_adds(&b, f->separator, r->err) == -1) ||
		    s2o_buf_adds(&b, vs->v[i], r->err) == -1)
			return NULL;
	}
	map_ex_fmt(r, s, "  multiple: %zu values joined\n", vs->n);
	return b.data != NULL ? s2o_buf_take(&b, NULL) : strdup("");
}

/* vs's values as the claim's JSON value in s->out (NULL: none). */
static int
typed(struct run *r, const struct map_field *f, struct fstate *s,
    struct map_values *vs)
{
	json_t	*arr;
	char	*one;
	size_t	 i;
	bool	 bad;

	if (vs->n == 0)
		return 0;
	if (f->type == MT_ARRAY) {
		if ((arr = json_array()) == NULL)
			return s2o_err_oom(r->err);
		for (i = 0; i < vs->n; i++)
			if (json_array_append_new(arr,
			    json_string(vs->v[i])) == -1) {
				json_decref(arr);
				return s2o_err_oom(r->err);
			}
		s->out = arr;
		return 0;
	}
	if ((one = one_value(r, f, s, vs)) == NULL)
		return s2o_err_oom(r->err);	/* unless already set */
	switch (f->type) {
	case MT_STRING:
		if (*one != '\0' && (s->out = json_string(one)) == NULL) {
			free(one);
			return s2o_err_oom(r->err);
		}
		if (*one == '\0')
			map_ex_add(r, s, "  an empty string is never issued\n");
		break;
	case MT_BOOLEAN:
		if ((s->out = parse_bool(one)) == NULL) {
			free(one);
			return s2o_err_set(r->err, S2O_R_MISSING_ATTRIBUTE,
			    "%s: the value is not a boolean (true, false, 1 or "
			    "0)", f->name);
		}
		break;
	default:
		if ((s->out = parse_number(one, &bad)) == NULL) {
			free(one);
			if (bad)
				return s2o_err_set(r->err,
				    S2O_R_MISSING_ATTRIBUTE, "%s: the value is "
				    "not a number", f->name);
			return s2o_err_oom(r->err);
		}
		break;
	}
	free(one);
	return 0;
}

/* '"a", "b", "c"' for a detail line. */
static const char *
sources_text(char *buf, size_t size, const struct map_field *f)
{
	size_t	i, len = 0;
	int	w;

	buf[0] = '\0';
	for (i = 0; i < f->nfrom && len < size; i++) {
		w = snprintf(buf + len, size - len, "%s\"%s\"", i ? ", " : "",
		    f->from[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return buf;
}

/* ---- one claim --------------------------------------------------------- */

static int
eval_field(struct run *r, size_t fi)
{
	const struct map_field	*f = &r->m->f[fi];
	struct fstate		*s = &r->st[fi];
	struct map_values	 vs;
	const char		*missing = NULL;
	char			 d[64], srcs[512];
	bool			 found = true;
	size_t			 i;
	int			 rc = -1;

	memset(&vs, 0, sizeof(vs));
	if (f->is_user_id)
		map_ex_fmt(r, s, "user_id (becomes sub%s)\n", f->from_default ?
		    "; Auth0 default" : "");
	else
		map_ex_fmt(r, s, "%s (to %s%s)\n", f->name, map_dest_text(d, sizeof(d),
		    f->dest), f->from_default ? "; Auth0 default" : "");
	if (f->overage && r->link != NULL) {
		/* Entra ID sends a link instead of the groups past 150
		 * (200 in JWTs): issuing what is left would be wrong */
		map_ex_fmt(r, s, "  the IdP sent \"%s\" instead of the groups "
		    "(more than 150)\n", S2O_MAP_ENTRA_GROUPS_LINK);
		if (!r->m->overage_flag)
			return s2o_err_set(r->err, S2O_R_MISSING_ATTRIBUTE,
			    "%s: Entra ID sent a groups link instead of the "
			    "groups (more than 150); see \"groups_overage\" in "
			    "docs/mappings.md", f->name);
		s->overaged = true;
		map_ex_add(r, s, "  result: omitted, named in _claim_names "
		    "(groups_overage \"flag\")\n");
		return 0;
	}
	switch (f->kind) {
	case MK_VALUE:
		if ((s->out = json_deep_copy(f->value)) == NULL)
			return s2o_err_oom(r->err);
		map_ex_add(r, s, "  value: literal\n  result: ");
		if (r->values)
			map_ex_json(r, s, s->out);
		else
			map_ex_add(r, s, map_type_name(f->type));
		map_ex_add(r, s, "\n");
		return 0;
	case MK_FROM:
		if (gather(r, f, s, &vs, &found) == -1)
			goto out;
		break;
	case MK_TEMPLATE:
		if (render(r, f, &vs, &missing) == -1)
			goto out;
		map_ex_fmt(r, s, "  template \"%s\": ", f->tpl_text);
		if (missing != NULL)
			map_ex_fmt(r, s, "absent ({%s} is absent)\n", missing);
		else {
			map_ex_values(r, s, &vs);
			map_ex_add(r, s, "\n");
		}
		break;
	}
	for (i = 0; i < f->nxf && vs.n > 0; i++) {
		if (map_xf_apply(r->m, f, &f->xf[i], &vs, r->err) == -1)
			goto out;
		map_ex_fmt(r, s, "  %s: ", map_xf_name(f->xf[i].op));
		map_ex_values(r, s, &vs);
		map_ex_add(r, s, "\n");
	}
	if (f->keep != NULL && vs.n > 0 &&
	    filter(r, f, s, &vs, f->keep, true, f->keep_text) == -1)
		goto out;
	if (f->drop != NULL && vs.n > 0 &&
	    filter(r, f, s, &vs, f->drop, false, f->drop_text) == -1)
		goto out;
	if (f->nmap > 0 && vs.n > 0 && apply_map(r, f, s, &vs) == -1)
		goto out;
	if (typed(r, f, s, &vs) == -1)
		goto out;
	if (s->out != NULL) {
		rc = 0;
		map_ex_add(r, s, "  result: ");
		if (r->values)
			map_ex_json(r, s, s->out);
		else if (f->type == MT_ARRAY)
			map_ex_fmt(r, s, "array of %zu",
			    json_array_size(s->out));
		else
			map_ex_add(r, s, map_type_name(f->type));
		map_ex_add(r, s, "\n");
		goto out;
	}
	if (f->dflt != NULL) {
		if ((s->out = json_deep_copy(f->dflt)) == NULL) {
			s2o_err_oom(r->err);
			goto out;
		}
		map_ex_add(r, s, "  result: absent, default used");
		if (r->values) {
			map_ex_add(r, s, ": ");
			map_ex_json(r, s, s->out);
		}
		map_ex_add(r, s, "\n");
		rc = 0;
		goto out;
	}
	if (!f->required) {
		map_ex_add(r, s, "  result: absent, omitted\n");
		rc = 0;
		goto out;
	}
	map_ex_add(r, s, "  result: absent, and required\n");
	if (f->kind == MK_TEMPLATE && missing != NULL)
		s2o_err_set(r->err, S2O_R_MISSING_ATTRIBUTE, "%s: required, but "
		    "its template needs {%s}, which is absent", f->name,
		    missing);
	else if (f->kind == MK_FROM && !found)
		s2o_err_set(r->err, S2O_R_MISSING_ATTRIBUTE, "%s: required%s, "
		    "but none of its sources is present: %s", f->name,
		    f->is_user_id ? " (sub is made from it)" : "",
		    sources_text(srcs, sizeof(srcs), f));
	else
		s2o_err_set(r->err, S2O_R_MISSING_ATTRIBUTE, "%s: required, but "
		    "no value is left after its transforms, filters and map",
		    f->name);
out:
	map_values_cleanup(&vs);
	return rc;
}

int
s2o_map_apply(const struct s2o_mapping *m, const struct s2o_assertion *a,
    const char *connection, unsigned int flags, struct s2o_map_result *out,
    struct s2o_err *err)
{
	const struct s2o_attribute	*link;
	struct run			 r;
	struct s2o_err			 exerr;
	size_t				 i;
	int				 rc = -1;

	s2o_map_result_init(out);
	memset(&r, 0, sizeof(r));
	r.m = m;
	r.a = a;
	r.err = err;
	r.explain = (flags & S2O_MAP_EXPLAIN) != 0;
	r.values = r.explain && (flags & S2O_MAP_EXPLAIN_VALUES) != 0;
	if ((link = s2o_assertion_attribute(a, S2O_MAP_ENTRA_GROUPS_LINK)) !=
	    NULL && link->nvalues > 0)
		r.link = link->values[0];
	if ((r.st = calloc(m->nf + 1, sizeof(*r.st))) == NULL)
		return s2o_err_oom(err);
	for (i = 0; i < m->nf; i++)
		s2o_buf_init(&r.st[i].ex, EX_MAX);
	for (i = 0; i < m->nf; i++)
		if (eval_field(&r, m->order[i]) == -1)
			break;
	if (i == m->nf && map_make_sub(&r, connection, out) == 0 &&
	    map_build(&r, out) == 0)
		rc = 0;
	if (rc == -1) {
		s2o_map_result_cleanup(out);
		s2o_err_clear(&exerr);
		/* explain even a failure: that is when an admin needs it;
		 * its own trouble must not mask the first error */
		if (r.explain) {
			r.err = &exerr;
			map_join_explain(&r, out);
		}
	} else if (r.explain && map_join_explain(&r, out) == -1) {
		s2o_map_result_cleanup(out);
		rc = -1;
	}
	for (i = 0; i < m->nf; i++) {
		json_decref(r.st[i].out);
		s2o_buf_cleanup(&r.st[i].ex);
	}
	free(r.st);
	return rc;
}
