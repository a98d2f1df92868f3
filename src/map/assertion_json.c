/* SPDX-License-Identifier: MIT */
/*
 * The JSON form of struct s2o_assertion. Field order is fixed, so the
 * same assertion always prints byte-identically.
 */
#include <stdlib.h>

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
