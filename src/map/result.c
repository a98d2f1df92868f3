/* SPDX-License-Identifier: MIT */
/*
 * What s2o_map_apply() hands back: `sub` (the connection's name and
 * user_id, or the bare user_id), one jansson object of claims per
 * destination plus the whole profile, the Entra ID groups-overage marker
 * (OIDC Core §5.6.2 distributed claims), and the explanation joined in the
 * file's order. Keys are inserted sorted, so equal inputs give objects
 * that write out byte-identical; nobody parses them again.
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
	json_decref(res->id_token);
	json_decref(res->access_token);
	json_decref(res->userinfo);
	json_decref(res->profile);
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

/* ---- the claim objects ------------------------------------------------ */

/*
 * Each destination gets its own object, keys inserted in sorted order
 * (jansson keeps insertion order, so whoever writes them out writes them
 * sorted, as the JSON text this result used to be: tokens list the mapped
 * claims in the same order as before). The values are shared between the
 * destinations by reference, not copied: with 200 group DNs a copy per
 * destination would cost more than the mapping itself. Objects inside a
 * value (a literal, the overage marker) are rebuilt with sorted keys.
 */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* v with every nested object's keys in sorted order. New reference. */
static json_t *
sorted_value(json_t *v)
{
	const char	**keys;
	const char	 *k;
	json_t		 *o, *e;
	size_t		  i, n;

	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			if (json_is_object(json_array_get(v, i)) ||
			    json_is_array(json_array_get(v, i)))
				break;
		if (i == json_array_size(v))
			return json_incref(v);
		if ((o = json_array()) == NULL)
			return NULL;
		json_array_foreach(v, i, e)
			if (json_array_append_new(o, sorted_value(e)) == -1) {
				json_decref(o);
				return NULL;
			}
		return o;
	}
	if (!json_is_object(v))
		return json_incref(v);
	n = json_object_size(v);
	if ((keys = calloc(n + 1, sizeof(*keys))) == NULL ||
	    (o = json_object()) == NULL) {
		free(keys);
		return NULL;
	}
	i = 0;
	json_object_foreach(v, k, e)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), name_cmp);
	for (i = 0; i < n; i++)
		if (json_object_set_new_nocheck(o, keys[i],
		    sorted_value(json_object_get(v, keys[i]))) == -1) {
			json_decref(o);
			o = NULL;
			break;
		}
	free(keys);
	return o;
}

/*
 * Bytes v's strings and keys take at least, written as JSON: a bound on
 * what a destination can cost whoever writes it out (S2O_MAP_MAX_JSON).
 */
static size_t
min_json_bytes(json_t *v)
{
	const char	*k;
	json_t		*e;
	size_t		 i, n = 2;

	if (json_is_string(v))
		return json_string_length(v) + 2;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			n += min_json_bytes(e) + 1;
		return n;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, k, e)
			n += strlen(k) + 4 + min_json_bytes(e);
		return n;
	}
	return 4;	/* a number or a literal: at least "true" or a digit */
}

struct piece {
	const char	*name;
	json_t		*value;		/* a reference */
	size_t		 bytes;		/* "name":value, at least */
	unsigned int	 dest;
};

static int
piece_cmp(const void *a, const void *b)
{
	return strcmp(((const struct piece *)a)->name,
	    ((const struct piece *)b)->name);
}

static int
make_piece(struct piece *pc, const char *name, json_t *v, unsigned int dest,
    struct s2o_err *err)
{
	if ((pc->value = sorted_value(v)) == NULL)
		return s2o_err_oom(err);
	pc->name = name;
	pc->dest = dest;
	pc->bytes = strlen(name) + 4 + min_json_bytes(v);
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

/* One destination's object from the sorted pieces. New reference. */
static json_t *
assemble(const struct piece *pc, size_t n, unsigned int bit,
    struct s2o_err *err)
{
	json_t	*o;
	size_t	 i, bytes = 2;

	for (i = 0; i < n; i++)
		if (pc[i].dest & bit)
			bytes += pc[i].bytes + 1;
	if (bytes > S2O_MAP_MAX_JSON) {
		s2o_err_set(err, S2O_R_TOO_LARGE, "input exceeds the limit of "
		    "%d bytes", S2O_MAP_MAX_JSON);
		return NULL;
	}
	if ((o = json_object()) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((pc[i].dest & bit) && json_object_set_nocheck(o,
		    pc[i].name, pc[i].value) == -1) {
			json_decref(o);
			s2o_err_oom(err);
			return NULL;
		}
	return o;
}

int
map_build(struct run *r, struct s2o_map_result *out)
{
	json_t		**dst[4] = { &out->id_token, &out->access_token,
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
		if ((*dst[k] = assemble(pc, n, bit[k], r->err)) == NULL)
			goto out;
	rc = 0;
out:
	for (i = 0; i < r->m->nf + 2; i++)
		json_decref(pc[i].value);
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
	json_t		*objs[3] = { res->id_token, res->access_token,
			    res->userinfo };
	json_t		*o;
	char		*s = NULL;
	size_t		 k;
	int		 bad = 0;

	if ((o = json_object()) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if (res->sub != NULL)
		bad |= json_object_set_new(o, "sub", json_string(res->sub));
	for (k = 0; k < 3 && !bad; k++)
		if (objs[k] != NULL)
			bad |= json_object_set(o, keys[k], objs[k]);
	if (!bad)
		s = json_dumps(o, JSON_SORT_KEYS | (pretty ? JSON_INDENT(2) :
		    JSON_COMPACT));
	json_decref(o);
	if (s == NULL)
		s2o_err_oom(err);
	return s;
}
