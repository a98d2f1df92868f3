/* SPDX-License-Identifier: MIT */
/*
 * Source positions of the values in a JSON text, by path. jansson tells
 * where a syntax error is, but not where a valid value came from; admins
 * need "bridge.json:12:7" for every semantic error too. This is a small
 * scanner over text jansson has already accepted: it trusts the syntax and
 * only tracks lines, columns (in characters, as jansson counts them) and
 * the path of each value.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

struct pos_entry {
	char		*path;
	unsigned int	 vline, vcol;	/* where the value starts */
	unsigned int	 kline, kcol;	/* where its key starts, if any */
};

struct s2o_jsonpos {
	struct pos_entry *v;
	size_t		  n, cap;
};

struct scan {
	const char	*p, *end;
	unsigned int	 line, col;
	unsigned int	 depth;
	struct s2o_jsonpos *jp;
	struct s2o_buf	 path;
	struct s2o_err	*err;
};

static void
adv(struct scan *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else if (((unsigned char)*s->p & 0xc0) != 0x80)
		s->col++;
	s->p++;
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\r' || *s->p == '\n'))
		adv(s);
}

static int
record(struct scan *s, unsigned int kl, unsigned int kc)
{
	struct pos_entry	*e;

	if (s->jp->n == s->jp->cap) {
		size_t nc = s->jp->cap ? s->jp->cap * 2 : 32;

		if ((e = realloc(s->jp->v, nc * sizeof(*e))) == NULL)
			return s2o_err_oom(s->err);
		s->jp->v = e;
		s->jp->cap = nc;
	}
	e = &s->jp->v[s->jp->n];
	if ((e->path = s2o_strdup(s->path.data ? s->path.data : "",
	    s->err)) == NULL)
		return -1;
	e->vline = s->line;
	e->vcol = s->col;
	e->kline = kl;
	e->kcol = kc;
	s->jp->n++;
	return 0;
}

/* The value of four hex digits at p, or -1. */
static long
hex4(const char *p, const char *end)
{
	long	v = 0;
	int	i, c;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		v = v << 4 | c;
	}
	return v;
}

/*
 * Decodes the \uXXXX escape (or surrogate pair) whose 'u' is at s->p into
 * UTF-8, as jansson does: callers look keys up by jansson's decoded key,
 * so a key kept escaped here could never be found.
 */
static int
scan_unicode(struct scan *s, struct s2o_buf *out)
{
	char	u[4];
	long	cp, lo;
	size_t	n;
	int	i;

	if ((cp = hex4(s->p + 1, s->end)) < 0) {
		adv(s);	/* not JSON jansson accepted; keep going */
		return out ? s2o_buf_add(out, "u", 1, s->err) : 0;
	}
	for (i = 0; i < 5; i++)
		adv(s);
	if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 &&
	    s->p[0] == '\\' && s->p[1] == 'u' &&
	    (lo = hex4(s->p + 2, s->end)) >= 0xdc00 && lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		for (i = 0; i < 6; i++)
			adv(s);
	}
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return out ? s2o_buf_add(out, u, n, s->err) : 0;
}

/* Reads a JSON string at s->p into out (NULL: skip it), escapes decoded. */
static int
scan_string(struct scan *s, struct s2o_buf *out)
{
	adv(s);	/* opening quote */
	while (s->p < s->end && *s->p != '"') {
		char c = *s->p;

		if (c == '\\' && s->p + 1 < s->end) {
			adv(s);
			switch (*s->p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				if (scan_unicode(s, out) == -1)
					return -1;
				continue;
			default: c = *s->p; break;
			}
		}
		if (out && s2o_buf_add(out, &c, 1, s->err))
			return -1;
		adv(s);
	}
	if (s->p < s->end)
		adv(s);	/* closing quote */
	return 0;
}

static int scan_value(struct scan *, unsigned int, unsigned int);

static int
scan_object(struct scan *s)
{
	struct s2o_buf	key;
	size_t		base = s->path.len;
	unsigned int	kl, kc;

	adv(s);	/* { */
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end || *s->p == '}')
			break;
		if (*s->p == ',') {
			adv(s);
			continue;
		}
		kl = s->line;
		kc = s->col;
		s2o_buf_init(&key, S2O_CONFIG_MAX_FILE);
		if (scan_string(s, &key) == -1 ||
		    s2o_jsonpath_key(&s->path, key.data ? key.data : "",
		    s->err) == -1) {
			s2o_buf_cleanup(&key);
			return -1;
		}
		s2o_buf_cleanup(&key);
		skip_ws(s);
		if (s->p < s->end && *s->p == ':')
			adv(s);
		skip_ws(s);
		if (scan_value(s, kl, kc) == -1)
			return -1;
		s->path.len = base;
		if (s->path.data)
			s->path.data[base] = '\0';
	}
	if (s->p < s->end)
		adv(s);
	return 0;
}

static int
scan_array(struct scan *s)
{
	size_t	base = s->path.len, i = 0;

	adv(s);	/* [ */
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end || *s->p == ']')
			break;
		if (*s->p == ',') {
			adv(s);
			continue;
		}
		if (s2o_buf_printf(&s->path, s->err, "[%zu]", i++) == -1 ||
		    scan_value(s, 0, 0) == -1)
			return -1;
		s->path.len = base;
		s->path.data[base] = '\0';
	}
	if (s->p < s->end)
		adv(s);
	return 0;
}

static int
scan_value(struct scan *s, unsigned int kl, unsigned int kc)
{
	int	rc = 0;

	if (s->p >= s->end)
		return 0;
	if (record(s, kl, kc) == -1)
		return -1;
	if (++s->depth > S2O_JSON_MAX_DEPTH)
		return s2o_err_set_at(s->err, S2O_R_TOO_LARGE, s->line, s->col,
		    "JSON nested deeper than %d levels", S2O_JSON_MAX_DEPTH);
	switch (*s->p) {
	case '{':
		rc = scan_object(s);
		break;
	case '[':
		rc = scan_array(s);
		break;
	case '"':
		rc = scan_string(s, NULL);
		break;
	default:	/* number, true, false, null; or stray bytes */
		/*
		 * Always take one byte: the text may not be JSON at all (its
		 * positions are wanted for jansson's errors too), and a byte
		 * that is neither a value nor a delimiter the callers handle
		 * ("[}", a NUL) must not stop the scan in place. strchr()
		 * matches the NUL terminator, hence the explicit NUL test.
		 */
		do
			adv(s);
		while (s->p < s->end && *s->p != '\0' &&
		    strchr(",]} \t\r\n", *s->p) == NULL);
		break;
	}
	s->depth--;
	return rc;
}

int
s2o_jsonpath_key(struct s2o_buf *b, const char *key, struct s2o_err *err)
{
	const char	*k;
	bool		 ident = *key != '\0' && !(*key >= '0' && *key <= '9');

	for (k = key; *k != '\0' && ident; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		    (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
			ident = false;
	if (ident)
		return s2o_buf_printf(b, err, "%s%s", b->len ? "." : "", key);
	return s2o_buf_printf(b, err, "[\"%s\"]", key);
}

struct s2o_jsonpos *
s2o_jsonpos_new(const char *text, size_t len, struct s2o_err *err)
{
	struct scan	 s;

	memset(&s, 0, sizeof(s));
	if ((s.jp = calloc(1, sizeof(*s.jp))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	s.p = text;
	s.end = text + len;
	s.line = 1;
	s.col = 1;
	s.err = err;
	s2o_buf_init(&s.path, S2O_CONFIG_MAX_FILE);
	skip_ws(&s);
	if (scan_value(&s, 0, 0) == -1) {
		s2o_buf_cleanup(&s.path);
		s2o_jsonpos_free(s.jp);
		return NULL;
	}
	s2o_buf_cleanup(&s.path);
	return s.jp;
}

void
s2o_jsonpos_free(struct s2o_jsonpos *jp)
{
	size_t	i;

	if (jp == NULL)
		return;
	for (i = 0; i < jp->n; i++)
		free(jp->v[i].path);
	free(jp->v);
	free(jp);
}

static const struct pos_entry *
find(const struct s2o_jsonpos *jp, const char *path)
{
	size_t	i;

	for (i = 0; jp != NULL && i < jp->n; i++)
		if (strcmp(jp->v[i].path, path) == 0)
			return &jp->v[i];
	return NULL;
}

bool
s2o_jsonpos_value(const struct s2o_jsonpos *jp, const char *path,
    unsigned int *line, unsigned int *column)
{
	const struct pos_entry	*e = find(jp, path);

	*line = e ? e->vline : 0;
	*column = e ? e->vcol : 0;
	return e != NULL;
}

bool
s2o_jsonpos_key(const struct s2o_jsonpos *jp, const char *path,
    unsigned int *line, unsigned int *column)
{
	const struct pos_entry	*e = find(jp, path);

	if (e == NULL || e->kline == 0)
		return s2o_jsonpos_value(jp, path, line, column);
	*line = e->kline;
	*column = e->kcol;
	return true;
}
