/* SPDX-License-Identifier: MIT */
/*
 * What s2o_map_apply() hands back: `sub` (the connection's name and
 * user_id, or the bare user_id), one JSON object of claims per
 * destination plus the whole profile, the Entra ID groups-overage marker
 * (OIDC Core §5.6.2 distributed claims), and the explanation joined in the
 * file's order. Keys are sorted, so equal inputs give byte-identical text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/map_int.h"

/* ---- the result -------------------------------------------------------- */

void
s2o_map_result_init(struct s2o_map_result *res)
{
	memset(res, 0, sizeof(*res));
}

void
s2o_map_result_cleanup(struct s2o_map_result *res)
{
	free(res->sub);
	free(res->id_token);
	free(res->access_token);
	free(res->userinfo);
	free(res->profile);
	free(res->explain);
	memset(res, 0, sizeof(*res));
}

int
map_make_sub(struct run *r, const char *connection, struct s2o_map_result *out)
{
	const char	*uid = NULL;
	struct fstate	*s = NULL;
	size_t		 i, len;

	for (i = 0; i < r->m->nf; i++)
		if (r->m->f[i].is_user_id && r->st[i].out != NULL) {
			uid = json_string_value(r->st[i].out);
			s = &r->st[i];
		}
	if (uid == NULL || s == NULL)	/* never: user_id is required */
		return s2o_err_set(r->err, S2O_R_MISSING_ATTRIBUTE, "user_id: "
		    "no value");
	if (!r->m->bare_sub && connection == NULL)
		return s2o_err_set(r->err, S2O_R_USAGE, "sub needs the "
		    "connection's name");
	len = strlen(uid) + (r->m->bare_sub ? 0 : strlen(connection) + 1);
	if (len > S2O_MAP_MAX_SUB)
		return s2o_err_set(r->err, S2O_R_TOO_LARGE, "sub would be %zu "
		    "bytes; OIDC Core §2 allows at most %d", len,
		    S2O_MAP_MAX_SUB);
	if ((out->sub = malloc(len + 1)) == NULL)
		return s2o_err_oom(r->err);
	if (r->m->bare_sub)
		memcpy(out->sub, uid, len + 1);
	else
		snprintf(out->sub, len + 1, "%s|%s", connection, uid);
	if (r->values)
		map_ex_fmt(r, s, "  sub: \"%s\"\n", out->sub);
	else if (r->m->bare_sub)
		map_ex_add(r, s, "  sub: user_id as it is\n");
	else
		map_ex_fmt(r, s, "  sub: \"%s|\" and user_id\n", connection);
	return 0;
}

/* ---- compact JSON, written once per claim --------------------------- */

/*
 * jansson's encoder walks a string one character at a time, and the same
 * claim may go to three destinations and the profile; with 200 group DNs
 * that cost more than the signature check. So each claim's value is
 * encoded once, strings by copying runs that need no escape, and each
 * destination's object is assembled from those pieces, keys sorted as
 * JSON_SORT_KEYS sorts them. The text is what json_dumps(JSON_COMPACT)
 * would write; the rare values that are neither strings nor arrays of
 * strings (numbers, booleans, the overage marker) still go through
 * jansson.
 */
static int
put_string(struct s2o_buf *b, const char *s, struct s2o_err *err)
{
	const char	*p, *run;
	char		 esc[8];
	unsigned char	 c;

	if (s2o_buf_add(b, "\"", 1, err) == -1)
		return -1;
	for (p = run = s; *p != '\0'; p++) {
		c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"': memcpy(esc, "\\\"", 3); break;
		case '\\': memcpy(esc, "\\\\", 3); break;
		case '\b': memcpy(esc, "\\b", 3); break;
		case '\f': memcpy(esc, "\\f", 3); break;
		case '\n': memcpy(esc, "\\n", 3); break;
		case '\r': memcpy(esc, "\\r", 3); break;
		case '\t': memcpy(esc, "\\t", 3); break;
		default: snprintf(esc, sizeof(esc), "\\u%04X", c); break;
		}
		if (s2o_buf_add(b, run, (size_t)(p - run), err) == -1 ||
		    s2o_buf_adds(b, esc, err) == -1)
			return -1;
		run = p + 1;
	}
	if (s2o_buf_add(b, run, (size_t)(p - run), err) == -1)
		return -1;
	return s2o_buf_add(b, "\"", 1, err);
}

/* One value's compact JSON, appended to b. */
static int
put_value(struct s2o_buf *b, const json_t *v, struct s2o_err *err)
{
	char	*t;
	size_t	 i;
	int	 rc;

	if (json_is_string(v))
		return put_string(b, json_string_value(v), err);
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v) &&
		    json_is_string(json_array_get(v, i)); i++)
			;
		if (i == json_array_size(v)) {
			if (s2o_buf_add(b, "[", 1, err) == -1)
				return -1;
			for (i = 0; i < json_array_size(v); i++)
				if ((i > 0 && s2o_buf_add(b, ",", 1, err) == -1)
				    || put_string(b, json_string_value(
				    json_array_get(v, i)), err) == -1)
					return -1;
			return s2o_buf_add(b, "]", 1, err);
		}
	}
	if ((t = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY)) == NULL)
		return s2o_err_oom(err);
	rc = s2o_buf_adds(b, t, err);
	free(t);
	return rc;
}

struct piece {
	const char	*name;
	char		*text;		/* "name":value */
	unsigned int	 dest;
};

static int
piece_cmp(const void *a, const void *b)
{
	return strcmp(((const struct piece *)a)->name,
	    ((const struct piece *)b)->name);
}

/* "name":value for a claim into pc. */
static int
make_piece(struct piece *pc, const char *name, const json_t *v,
    unsigned int dest, struct s2o_err *err)
{
	struct s2o_buf	b;

	s2o_buf_init(&b, S2O_MAP_MAX_JSON);
	if (put_string(&b, name, err) == -1 ||
	    s2o_buf_add(&b, ":", 1, err) == -1 || put_value(&b, v, err) == -1) {
		s2o_buf_cleanup(&b);
		return -1;
	}
	pc->name = name;
	pc->dest = dest;
	pc->text = s2o_buf_take(&b, NULL);
	return 0;
}

/*
 * OIDC Core §5.6.2 distributed claims, as Entra ID itself marks overage
 * in its own tokens: the claims left out, and where the groups can be
 * fetched. Two pieces, into pc[0] and pc[1].
 */
static int
overage_pieces(struct run *r, struct piece *pc, unsigned int dest)
{
	json_t	*names, *src;
	size_t	 i;
	int	 rc = -1;

	names = json_object();
	src = json_pack("{s{ss}}", "src1", "endpoint", r->link);
	for (i = 0; i < r->m->nf && names != NULL; i++)
		if (r->st[i].overaged && json_object_set_new(names,
		    r->m->f[i].name, json_string("src1")) == -1)
			goto out;
	if (names == NULL || src == NULL)
		goto out;
	if (make_piece(&pc[0], "_claim_names", names, dest, r->err) == 0 &&
	    make_piece(&pc[1], "_claim_sources", src, dest, r->err) == 0)
		rc = 0;
out:
	json_decref(names);
	json_decref(src);
	return rc == 0 ? 0 : s2o_err_oom(r->err);
}

/* One destination's object from the sorted pieces; pretty re-indents. */
static char *
assemble(const struct piece *pc, size_t n, unsigned int bit, bool pretty,
    struct s2o_err *err)
{
	struct s2o_buf	 b;
	json_t		*j;
	char		*s;
	size_t		 i;
	bool		 first = true;

	s2o_buf_init(&b, S2O_MAP_MAX_JSON);
	if (s2o_buf_add(&b, "{", 1, err) == -1)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!(pc[i].dest & bit))
			continue;
		if ((!first && s2o_buf_add(&b, ",", 1, err) == -1) ||
		    s2o_buf_adds(&b, pc[i].text, err) == -1)
			return NULL;
		first = false;
	}
	if (s2o_buf_add(&b, "}", 1, err) == -1)
		return NULL;
	s = s2o_buf_take(&b, NULL);
	if (!pretty || s == NULL)
		return s;
	/* indentation is for people (`mappings test`): jansson does it */
	j = json_loads(s, 0, NULL);
	free(s);
	if (j == NULL || (s = json_dumps(j, JSON_INDENT(2) |
	    JSON_SORT_KEYS)) == NULL) {
		json_decref(j);
		s2o_err_oom(err);
		return NULL;
	}
	json_decref(j);
	return s;
}

int
map_build(struct run *r, unsigned int flags, struct s2o_map_result *out)
{
	char		**dst[4] = { &out->id_token, &out->access_token,
			    &out->userinfo, &out->profile };
	unsigned int	 bit[4] = { MD_ID_TOKEN, MD_ACCESS_TOKEN, MD_USERINFO,
			    MD_PROFILE }, over = 0;
	struct piece	*pc;
	size_t		 i, k, n = 0;
	int		 rc = -1;

	if ((pc = calloc(r->m->nf + 2, sizeof(*pc))) == NULL)
		return s2o_err_oom(r->err);
	for (i = 0; i < r->m->nf; i++) {
		const struct map_field *f = &r->m->f[i];

		if (r->st[i].overaged)
			over |= f->dest;
		if (f->is_user_id || r->st[i].out == NULL)
			continue;
		if (make_piece(&pc[n], f->name, r->st[i].out,
		    f->dest | MD_PROFILE, r->err) == -1)
			goto out;
		n++;
	}
	if (over != 0) {
		if (overage_pieces(r, &pc[n], over | MD_PROFILE) == -1)
			goto out;
		n += 2;
	}
	qsort(pc, n, sizeof(*pc), piece_cmp);
	for (k = 0; k < 4; k++)
		if ((*dst[k] = assemble(pc, n, bit[k], (flags &
		    S2O_MAP_PRETTY) != 0, r->err)) == NULL)
			goto out;
	rc = 0;
out:
	for (i = 0; i < r->m->nf + 2; i++)
		free(pc[i].text);
	free(pc);
	return rc;
}

/* The claims' explanations in the file's order, into out->explain. */
int
map_join_explain(struct run *r, struct s2o_map_result *out)
{
	struct s2o_buf	b;
	size_t		i;

	s2o_buf_init(&b, (size_t)EX_MAX * 16);
	for (i = 0; i < r->m->nf; i++)
		if (r->st[i].ex.len > 0 &&
		    s2o_buf_add(&b, r->st[i].ex.data, r->st[i].ex.len,
		    r->err) == -1)
			return -1;
	if (r->ex_oom) {
		s2o_buf_cleanup(&b);
		return s2o_err_oom(r->err);
	}
	out->explain = b.data != NULL ? s2o_buf_take(&b, NULL) : strdup("");
	return out->explain != NULL ? 0 : s2o_err_oom(r->err);
}

char *
s2o_map_result_json(const struct s2o_map_result *res, bool pretty,
    struct s2o_err *err)
{
	static const char *const keys[] = { "id_token", "access_token",
	    "userinfo" };
	const char	*texts[3] = { res->id_token, res->access_token,
			    res->userinfo };
	json_t		*o, *v;
	char		*s = NULL;
	size_t		 k;
	int		 bad = 0;

	if ((o = json_object()) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if (res->sub != NULL)
		bad |= json_object_set_new(o, "sub", json_string(res->sub));
	for (k = 0; k < 3 && !bad; k++) {
		if (texts[k] == NULL)
			continue;
		if ((v = json_loads(texts[k], 0, NULL)) == NULL)
			bad = 1;
		else
			bad |= json_object_set_new(o, keys[k], v);
	}
	if (!bad)
		s = json_dumps(o, JSON_SORT_KEYS | (pretty ? JSON_INDENT(2) :
		    JSON_COMPACT));
	json_decref(o);
	if (s == NULL)
		s2o_err_oom(err);
	return s;
}
