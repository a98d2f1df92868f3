/* SPDX-License-Identifier: MIT */
/*
 * The value transforms of a mappings file (trim, lower, upper, split,
 * replace, dn_cn, drop_empty, dedupe), the regular-expression engine they
 * and the filters share (PCRE2, compiled once at load, every match bounded
 * by the mapping's match context so no attribute value can hang a login),
 * and the LDAP DN reader behind dn_cn. Values are never logged here.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "map/map_int.h"

int
map_values_adopt(struct map_values *vs, char *s, const char *field,
    struct s2o_err *err)
{
	char	**nv;

	if (s == NULL)
		return s2o_err_oom(err);
	if (vs->n >= S2O_MAP_MAX_VALUES) {
		free(s);
		return s2o_err_set(err, S2O_R_TOO_LARGE, "%s: more than %d "
		    "values", field, S2O_MAP_MAX_VALUES);
	}
	if (vs->n == vs->cap) {
		size_t nc = vs->cap ? vs->cap * 2 : 8;

		if ((nv = realloc(vs->v, nc * sizeof(*nv))) == NULL) {
			free(s);
			return s2o_err_oom(err);
		}
		vs->v = nv;
		vs->cap = nc;
	}
	vs->v[vs->n++] = s;
	return 0;
}

void
map_values_cleanup(struct map_values *vs)
{
	size_t	i;

	for (i = 0; i < vs->n; i++)
		free(vs->v[i]);
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

const char *
map_xf_name(enum xf_op op)
{
	switch (op) {
	case XF_TRIM: return "trim";
	case XF_LOWER: return "lower";
	case XF_UPPER: return "upper";
	case XF_SPLIT: return "split";
	case XF_REPLACE: return "replace";
	case XF_DN_CN: return "dn_cn";
	case XF_DROP_EMPTY: return "drop_empty";
	default: return "dedupe";
	}
}

/* ---- regular expressions ----------------------------------------------- */

pcre2_code *
map_re_compile(const char *pattern, char *msg, size_t size)
{
	PCRE2_UCHAR	 text[256];
	PCRE2_SIZE	 off;
	pcre2_code	*re;
	int		 code;

	/* UTF: values are UTF-8 (XML, JSON); \C could split a character */
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &code, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, text, sizeof(text));
		snprintf(msg, size, "bad regular expression at offset %zu: %s",
		    (size_t)off, (const char *)text);
	}
	return re;
}

/*
 * PCRE2 checks a replacement only when a match uses it: a "$2" the pattern
 * lacks would fail the first login that matches. Read it now, with
 * pcre2_substitute()'s rules: "$$", "$n", "${n}", "$name", "${name}".
 */
int
map_re_check_with(const pcre2_code *re, const char *with, char *msg,
    size_t size)
{
	uint32_t	 ncap = 0;
	const char	*p, *q;
	char		 name[128];
	size_t		 len;
	bool		 brace;

	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	for (p = with; *p != '\0'; p++) {
		if (*p != '$')
			continue;
		if (p[1] == '$') {
			p++;
			continue;
		}
		brace = p[1] == '{';
		q = p + 1 + brace;
		for (len = 0; isalnum((unsigned char)q[len]) || q[len] == '_';
		    len++)
			;
		if (len == 0 || (brace && q[len] != '}') || len >= sizeof(name)) {
			snprintf(msg, size, "\"$\" at offset %zu starts no group "
			    "reference (write \"$$\" for a dollar sign)",
			    (size_t)(p - with));
			return -1;
		}
		memcpy(name, q, len);
		name[len] = '\0';
		if (isdigit((unsigned char)name[0])) {
			char *end;
			unsigned long n = strtoul(name, &end, 10);

			if (*end != '\0' || n > ncap) {
				snprintf(msg, size, "$%s names a group the "
				    "pattern does not have (it has %u)", name,
				    (unsigned int)ncap);
				return -1;
			}
		} else if (pcre2_substring_number_from_name(re,
		    (PCRE2_SPTR)name) < 0) {
			snprintf(msg, size, "${%s} names a group the pattern "
			    "does not have", name);
			return -1;
		}
		p = q + len - 1 + brace;
	}
	return 0;
}

static int
re_fail(int rc, const char *field, size_t len, struct s2o_err *err)
{
	PCRE2_UCHAR	text[256];

	switch (rc) {
	case PCRE2_ERROR_MATCHLIMIT:
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_DEPTHLIMIT:
		return s2o_err_set(err, S2O_R_TOO_LARGE, "%s: a regular "
		    "expression hit its match limit on a value of %zu bytes",
		    field, len);
	case PCRE2_ERROR_NOMEMORY:
		return s2o_err_oom(err);
	default:
		pcre2_get_error_message(rc, text, sizeof(text));
		return s2o_err_set(err, S2O_R_INTERNAL, "%s: regular "
		    "expression: %s", field, (const char *)text);
	}
}

int
map_re_match(const struct s2o_mapping *m, const pcre2_code *re,
    const char *s, const char *field, struct s2o_err *err)
{
	pcre2_match_data	*md;
	size_t			 len = strlen(s);
	int			 rc;

	if ((md = pcre2_match_data_create_from_pattern(re, NULL)) == NULL)
		return s2o_err_oom(err);
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, m->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return re_fail(rc, field, len, err);
}

/* Every match of x's pattern in s replaced; caller frees. */
static char *
re_replace(const struct s2o_mapping *m, const struct map_xf *x,
    const char *s, const char *field, struct s2o_err *err)
{
	PCRE2_SIZE	 size, outlen;
	size_t		 len = strlen(s);
	char		*out = NULL, *nout;
	int		 rc, round;

	size = len + len / 2 + 64;
	if (size > S2O_MAP_MAX_VALUE + 1)
		size = S2O_MAP_MAX_VALUE + 1;
	for (round = 0; round < 2; round++) {
		if ((nout = realloc(out, size)) == NULL) {
			free(out);
			s2o_err_oom(err);
			return NULL;
		}
		out = nout;
		outlen = size;
		rc = pcre2_substitute(x->re, (PCRE2_SPTR)s, len, 0,
		    PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
		    NULL, m->mctx, (PCRE2_SPTR)x->with, PCRE2_ZERO_TERMINATED,
		    (PCRE2_UCHAR *)out, &outlen);
		if (rc >= 0)
			return out;
		/* with OVERFLOW_LENGTH, outlen is now the size needed */
		if (rc != PCRE2_ERROR_NOMEMORY || outlen <= size)
			break;
		if (outlen > S2O_MAP_MAX_VALUE + 1) {
			free(out);
			s2o_err_set(err, S2O_R_TOO_LARGE, "%s: replace would "
			    "make a value of %zu bytes (at most %d)", field,
			    (size_t)outlen - 1, S2O_MAP_MAX_VALUE);
			return NULL;
		}
		size = outlen;
	}
	free(out);
	re_fail(rc, field, len, err);
	return NULL;
}

/* ---- LDAP distinguished names ------------------------------------------ */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3629: well-formed UTF-8 (a hex escape in a DN can break it). */
static bool
utf8_ok(const unsigned char *s)
{
	size_t	n, i;

	for (; *s != '\0'; s += n) {
		if (*s < 0x80)
			n = 1;
		else if (*s >= 0xc2 && *s <= 0xdf)
			n = 2;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 3;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 4;
		else
			return false;
		for (i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		if ((n == 3 && *s == 0xe0 && s[1] < 0xa0) ||
		    (n == 3 && *s == 0xed && s[1] > 0x9f) ||
		    (n == 4 && *s == 0xf0 && s[1] < 0x90) ||
		    (n == 4 && *s == 0xf4 && s[1] > 0x8f))
			return false;
	}
	return true;
}

/*
 * RFC 4514 §3: RDNs separated by ',' (';' in older DNs, RFC 1779),
 * multi-valued RDNs by '+', each "type=value" with '\' escaping a special
 * character or a hex pair. The first CN (or 2.5.4.3) from the left, the
 * most specific RDN, is the group's name.
 */
char *
map_dn_cn(const char *s, bool *oom)
{
	const char	*p = s, *t0, *t1;
	char		*out;
	size_t		 n, keep;
	int		 h, l;
	bool		 cn;

	*oom = false;
	if ((out = malloc(strlen(s) + 1)) == NULL) {
		*oom = true;
		return NULL;
	}
	for (;;) {
		while (*p == ' ')
			p++;
		t0 = p;
		while (*p != '\0' && *p != '=' && *p != ',' && *p != '+')
			p++;
		if (*p != '=')
			break;
		for (t1 = p; t1 > t0 && t1[-1] == ' '; t1--)
			;
		cn = ((t1 - t0 == 2 && strncasecmp(t0, "cn", 2) == 0) ||
		    (t1 - t0 == 7 && strncmp(t0, "2.5.4.3", 7) == 0));
		p++;
		while (*p == ' ')
			p++;
		for (n = 0, keep = 0; *p != '\0' && *p != ',' && *p != '+' &&
		    *p != ';'; p++) {
			if (*p != '\\') {
				out[n++] = *p;
				if (*p != ' ')
					keep = n;
				continue;
			}
			if ((h = hexval((unsigned char)p[1])) >= 0 &&
			    (l = hexval((unsigned char)p[2])) >= 0) {
				out[n++] = (char)(h << 4 | l);
				p += 2;
			} else if (p[1] != '\0' &&
			    strchr(" \"#+,;<=>\\", p[1]) != NULL)
				out[n++] = *++p;
			else
				goto none;	/* not a DN */
			keep = n;	/* an escaped space is kept */
		}
		if (cn && keep > 0) {
			out[keep] = '\0';
			if (!utf8_ok((unsigned char *)out))
				goto none;
			return out;
		}
		if (*p == '\0')
			break;
		p++;
	}
none:
	free(out);
	return NULL;
}

/* ---- transforms -------------------------------------------------------- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

struct dd {
	const char	*s;
	size_t		 i;
};

static int
dd_cmp(const void *a, const void *b)
{
	const struct dd	*x = a, *y = b;
	int		 c = strcmp(x->s, y->s);

	return c != 0 ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* Removes later repeats of a value, keeping the first one's place. */
static int
dedupe(struct map_values *vs, struct s2o_err *err)
{
	struct dd	*d;
	bool		*drop;
	size_t		 i, n;

	if (vs->n < 2)
		return 0;
	d = calloc(vs->n, sizeof(*d));
	drop = calloc(vs->n, sizeof(*drop));
	if (d == NULL || drop == NULL) {
		free(d);
		free(drop);
		return s2o_err_oom(err);
	}
	for (i = 0; i < vs->n; i++) {
		d[i].s = vs->v[i];
		d[i].i = i;
	}
	qsort(d, vs->n, sizeof(*d), dd_cmp);
	for (i = 1; i < vs->n; i++)
		if (strcmp(d[i].s, d[i - 1].s) == 0)
			drop[d[i].i] = true;
	for (i = 0, n = 0; i < vs->n; i++)
		if (drop[i])
			free(vs->v[i]);
		else
			vs->v[n++] = vs->v[i];
	vs->n = n;
	free(d);
	free(drop);
	return 0;
}

static int
split(struct map_values *vs, const char *delim, const char *field,
    struct s2o_err *err)
{
	struct map_values	 out;
	const char		*p, *q;
	size_t			 i, dl = strlen(delim);

	memset(&out, 0, sizeof(out));
	for (i = 0; i < vs->n; i++)
		for (p = vs->v[i];; p = q + dl) {
			q = strstr(p, delim);
			if (map_values_adopt(&out, strndup(p, q ? (size_t)(q -
			    p) : strlen(p)), field, err) == -1) {
				map_values_cleanup(&out);
				return -1;
			}
			if (q == NULL)
				break;
		}
	map_values_cleanup(vs);
	*vs = out;
	return 0;
}

int
map_xf_apply(const struct s2o_mapping *m, const struct map_field *f,
    const struct map_xf *x, struct map_values *vs, struct s2o_err *err)
{
	char	*s, *r;
	size_t	 i, n, len;
	bool	 oom;

	switch (x->op) {
	case XF_SPLIT:
		return split(vs, x->arg, f->name, err);
	case XF_DEDUPE:
		return dedupe(vs, err);
	case XF_DROP_EMPTY:
		for (i = 0, n = 0; i < vs->n; i++)
			if (vs->v[i][0] == '\0')
				free(vs->v[i]);
			else
				vs->v[n++] = vs->v[i];
		vs->n = n;
		return 0;
	default:
		break;
	}
	for (i = 0; i < vs->n; i++) {
		s = vs->v[i];
		switch (x->op) {
		case XF_TRIM:
			len = strlen(s);
			while (len > 0 && is_space(s[len - 1]))
				s[--len] = '\0';
			for (n = 0; is_space(s[n]); n++)
				;
			memmove(s, s + n, len - n + 1);
			break;
		case XF_LOWER:
		case XF_UPPER:
			/* ASCII only: without ICU a Unicode case mapping
			 * would be a guess */
			for (; *s != '\0'; s++)
				if (*s >= 'A' && *s <= 'Z' && x->op == XF_LOWER)
					*s = (char)(*s - 'A' + 'a');
				else if (*s >= 'a' && *s <= 'z' &&
				    x->op == XF_UPPER)
					*s = (char)(*s - 'a' + 'A');
			break;
		case XF_DN_CN:
			if ((r = map_dn_cn(s, &oom)) != NULL) {
				free(vs->v[i]);
				vs->v[i] = r;
			} else if (oom)
				return s2o_err_oom(err);
			break;
		case XF_REPLACE:
			if ((r = re_replace(m, x, s, f->name, err)) == NULL)
				return -1;
			free(vs->v[i]);
			vs->v[i] = r;
			break;
		default:
			break;
		}
	}
	return 0;
}
