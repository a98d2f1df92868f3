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

/*
 * OIDC Core §5.6.2 distributed claims, as Entra ID itself marks overage
 * in its own tokens: the claims left out, and where the groups can be
 * fetched.
 */
static int
add_overage(json_t *o, json_t *names, const char *link)
{
	json_t	*src, *ep;

	/* json_object_set_new() takes its value even when it fails */
	if ((ep = json_object()) == NULL ||
	    json_object_set_new(ep, "endpoint", json_string(link)) == -1) {
		json_decref(ep);
		return -1;
	}
	if ((src = json_object()) == NULL ||
	    json_object_set_new(src, "src1", ep) == -1) {
		if (src == NULL)
			json_decref(ep);
		json_decref(src);
		return -1;
	}
	if (json_object_set(o, "_claim_names", names) == -1) {
		json_decref(src);
		return -1;
	}
	return json_object_set_new(o, "_claim_sources", src);
}

int
map_build(struct run *r, unsigned int flags, struct s2o_map_result *out)
{
	json_t		*obj[4], *names;
	char		**dst[4] = { &out->id_token, &out->access_token,
			    &out->userinfo, &out->profile };
	unsigned int	 bit[4] = { MD_ID_TOKEN, MD_ACCESS_TOKEN, MD_USERINFO,
			    ~0u }, over = 0;
	size_t		 i, k;
	int		 bad = 0;

	names = json_object();
	for (k = 0; k < 4; k++)
		obj[k] = json_object();
	for (i = 0; i < r->m->nf && names != NULL; i++) {
		const struct map_field *f = &r->m->f[i];

		if (r->st[i].overaged) {
			over |= f->dest;
			bad |= json_object_set_new(names, f->name,
			    json_string("src1"));
		}
		if (f->is_user_id || r->st[i].out == NULL)
			continue;
		for (k = 0; k < 4; k++)
			if (f->dest & bit[k] && obj[k] != NULL)
				bad |= json_object_set(obj[k], f->name,
				    r->st[i].out);
	}
	for (k = 0; k < 4 && !bad && names != NULL; k++) {
		if (obj[k] == NULL) {
			bad = 1;
			break;
		}
		if (over & bit[k] && add_overage(obj[k], names, r->link) == -1)
			bad = 1;
		else if ((*dst[k] = json_dumps(obj[k], JSON_SORT_KEYS |
		    (flags & S2O_MAP_PRETTY ? JSON_INDENT(2) : JSON_COMPACT)))
		    == NULL)
			bad = 1;
	}
	for (k = 0; k < 4; k++)
		json_decref(obj[k]);
	json_decref(names);
	if (bad || names == NULL)
		return s2o_err_oom(r->err);
	return 0;
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
