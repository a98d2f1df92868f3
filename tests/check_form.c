/* SPDX-License-Identifier: MIT */
/*
 * http/form: the application/x-www-form-urlencoded body splitter
 * (s2o_http_form_feed / s2o_http_form_finish). Every body of the table is
 * fed whole, cut in two at every position, one byte at a time and in
 * random pieces; each way must give exactly the same parameters, or the
 * same reason and detail. Each piece is a buffer of its own size, so a
 * read past a piece is a sanitizer error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "helpers.h"

#define T_FIELDS	4	/* parameters, in the table */
#define T_VALUE		8	/* bytes, decoded, in the table */

static const struct {
	const char	*body;
	size_t		 len;		/* 0: strlen(body) */
	const char	*want;		/* render() of the result */
} cases[] = {
	/* decoding */
	{ "a=1&b=%20x+y%2B&c=%26%3D", 0, "a:\"1\" b:\" x y+\" c:\"&=\"" },
	{ "code=abc%2F%2b+1&state=x%20y", 0,
	    "code:\"abc/+ 1\" state:\"x y\"" },
	{ "%61+b=c", 0, "a b:\"c\"" },
	{ "a=%C3%A9t%c3%a9", 0, "a:\"\\xc3\\xa9t\\xc3\\xa9\"" },
	{ "a=\xc3\xa9", 0, "a:\"\\xc3\\xa9\"" },
	{ "a=;?/:@'#\t&b=x;y", 0, "a:\";?/:@'#\\x09\" b:\"x;y\"" },
	{ "a=%25", 0, "a:\"%\"" },
	{ "a=%0D%0A", 0, "a:\"\\x0d\\x0a\"" },
	/* empty bodies, values and segments; bare names */
	{ "", 0, "" },
	{ "a=", 0, "a:\"\"" },
	{ "a=&b=", 0, "a:\"\" b:\"\"" },
	{ "a", 0, "a:\"\"" },
	{ "a&b=1", 0, "a:\"\" b:\"1\"" },
	{ "a=1&b", 0, "a:\"1\" b:\"\"" },
	{ "a=1&&b=2", 0, "a:\"1\" b:\"2\"" },
	{ "&a=1&", 0, "a:\"1\"" },
	{ "&&", 0, "" },
	/* line breaks end the body */
	{ "a=1\r\n", 0, "a:\"1\"" },
	{ "a=1\n", 0, "a:\"1\"" },
	{ "a=1\r\n\r\n", 0, "a:\"1\"" },
	{ "a\r\n", 0, "a:\"\"" },
	{ "\r\n", 0, "" },
	{ "a=x\ny", 0, "error malformed: the form body goes on after a line "
	    "break (a line break in a value is %0D%0A)" },
	{ "a=1\r\nb=2", 0, "error malformed: the form body goes on after a "
	    "line break (a line break in a value is %0D%0A)" },
	/* the value limit, counted decoded */
	{ "a=12345678", 0, "a:\"12345678\"" },
	{ "a=123456789", 0,
	    "error too_large: parameter \"a\": more than 8 bytes" },
	{ "a=%41%42%43%44%45%46%47%48", 0, "a:\"ABCDEFGH\"" },
	{ "a=%41%42%43%44%45%46%47%48%49", 0,
	    "error too_large: parameter \"a\": more than 8 bytes" },
	{ "a=1234567%41", 0, "a:\"1234567A\"" },
	{ "a=12345678%41", 0,
	    "error too_large: parameter \"a\": more than 8 bytes" },
	{ "a=1234567++", 0,
	    "error too_large: parameter \"a\": more than 8 bytes" },
	{ "%61%62=123456789", 0,
	    "error too_large: parameter \"ab\": more than 8 bytes" },
	/* the count */
	{ "a=1&b=2&c=3&d=4", 0, "a:\"1\" b:\"2\" c:\"3\" d:\"4\"" },
	{ "a=1&b=2&c=3&d=4&&\r\n", 0, "a:\"1\" b:\"2\" c:\"3\" d:\"4\"" },
	{ "a=1&b=2&c=3&d=4&e=5", 0, "error too_large: more than 4 parameters" },
	{ "a=1&b=2&c=3&d=4&e", 0, "error too_large: more than 4 parameters" },
	/* repeats, empty names, NUL bytes */
	{ "a=1&a=2", 0,
	    "error malformed: parameter \"a\" given more than once" },
	{ "a=1&%61=2", 0,
	    "error malformed: parameter \"a\" given more than once" },
	{ "a&a", 0, "error malformed: parameter \"a\" given more than once" },
	{ "=1", 0, "error malformed: a parameter without a name" },
	{ "a=1&=", 0, "error malformed: a parameter without a name" },
	{ "a=%00", 0, "error malformed: parameter \"a\" holds %00" },
	{ "a=1%002", 0, "error malformed: parameter \"a\" holds %00" },
	{ "%00=1", 0, "error malformed: a parameter name holds %00" },
	{ "a%00b", 0, "error malformed: a parameter name holds %00" },
	{ "a=1\0", 4, "error malformed: parameter \"a\" holds a NUL byte" },
	{ "a\0=1", 4, "error malformed: a parameter name holds a NUL byte" },
	/* escapes: '%' and two hex digits, nothing else */
	{ "a=%zz", 0, "error malformed: parameter \"a\": '%' not followed by "
	    "two hex digits (a literal '%' is %25)" },
	{ "a=%4g", 0, "error malformed: parameter \"a\": '%' not followed by "
	    "two hex digits (a literal '%' is %25)" },
	{ "a=%%41", 0, "error malformed: parameter \"a\": '%' not followed "
	    "by two hex digits (a literal '%' is %25)" },
	{ "a=%4", 0, "error malformed: parameter \"a\": '%' not followed by "
	    "two hex digits (a literal '%' is %25)" },
	{ "a=%", 0, "error malformed: parameter \"a\": '%' not followed by "
	    "two hex digits (a literal '%' is %25)" },
	{ "a=%2&b=1", 0, "error malformed: parameter \"a\": '%' not followed "
	    "by two hex digits (a literal '%' is %25)" },
	{ "a=100%", 0, "error malformed: parameter \"a\": '%' not followed by "
	    "two hex digits (a literal '%' is %25)" },
	{ "a%zz=1", 0, "error malformed: a parameter name: '%' not followed "
	    "by two hex digits (a literal '%' is %25)" },
	{ "a%=1", 0, "error malformed: a parameter name: '%' not followed by "
	    "two hex digits (a literal '%' is %25)" },
	{ "a%4", 0, "error malformed: a parameter name: '%' not followed by "
	    "two hex digits (a literal '%' is %25)" },
	/* '=' in a value must be escaped */
	{ "a==b", 0, "error malformed: parameter \"a\": a raw '=' in its "
	    "value (expected %3D)" },
	{ "x=a=b&y=1", 0, "error malformed: parameter \"x\": a raw '=' in "
	    "its value (expected %3D)" },
	{ "a=1;b=2", 0, "error malformed: parameter \"a\": a raw '=' in its "
	    "value (expected %3D)" },
	/* the first refusal wins */
	{ "a=%zz&a=1&b=123456789", 0, "error malformed: parameter \"a\": '%' "
	    "not followed by two hex digits (a literal '%' is %25)" },
	{ "a=123456789&a=%zz", 0,
	    "error too_large: parameter \"a\": more than 8 bytes" },
};

/* Appends s (n bytes) to b: printable ASCII as it is, '"' and '\' and
 * every other byte as \xHH. */
static void
render_bytes(struct s2o_buf *b, const char *s, size_t n)
{
	struct s2o_err	err;
	size_t		i;
	unsigned char	c;

	s2o_err_clear(&err);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			ck_assert_int_eq(s2o_buf_add(b, &s[i], 1, &err), 0);
		else
			ck_assert_int_eq(s2o_buf_printf(b, &err, "\\x%02x", c),
			    0);
	}
}

/* The parameters as name:"value" separated by spaces, or "error REASON:
 * DETAIL". Caller frees. */
static char *
render(const struct s2o_http_form *f, const struct s2o_err *ferr)
{
	struct s2o_buf	 b;
	struct s2o_err	 err;
	char		*s;
	size_t		 i;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 1u << 20);
	if (ferr->reason != S2O_R_OK) {
		ck_assert_int_eq(s2o_buf_printf(&b, &err, "error %s: %s",
		    s2o_reason_token(ferr->reason), ferr->detail), 0);
	} else {
		for (i = 0; i < f->n; i++) {
			if (i > 0)
				ck_assert_int_eq(s2o_buf_adds(&b, " ", &err),
				    0);
			render_bytes(&b, f->v[i].name, strlen(f->v[i].name));
			ck_assert_int_eq(s2o_buf_adds(&b, ":\"", &err), 0);
			render_bytes(&b, f->v[i].value, f->v[i].len);
			ck_assert_int_eq(s2o_buf_adds(&b, "\"", &err), 0);
			ck_assert_uint_eq(strlen(f->v[i].value), f->v[i].len);
		}
	}
	if ((s = s2o_buf_take(&b, NULL)) == NULL)
		s = strdup("");
	ck_assert_ptr_nonnull(s);
	return s;
}

/*
 * Feeds body (len bytes) in the pieces between the positions cut[0..n)
 * (increasing; equal positions feed empty pieces), each piece copied to a
 * buffer of exactly its size, then finishes. Returns render(). Once a
 * call fails, the rest is still fed and must fail too, keeping the first
 * detail.
 */
static char *
parse_cut(const char *body, size_t len, const size_t *cut, size_t n,
    size_t max_fields, size_t max_value)
{
	struct s2o_http_form	 f;
	struct s2o_err		 err;
	char			*piece, *got, first[sizeof(err.detail)];
	size_t			 i, from = 0, to;
	int			 rc = 0;

	s2o_err_clear(&err);
	first[0] = '\0';
	s2o_http_form_init(&f, max_fields, max_value);
	for (i = 0; i <= n; i++) {
		to = i < n ? cut[i] : len;
		ck_assert_ptr_nonnull(piece = malloc(to - from + 1));
		memcpy(piece, body + from, to - from);
		if (rc == 0) {
			rc = s2o_http_form_feed(&f, piece, to - from, &err);
			if (rc == -1)
				memcpy(first, err.detail, sizeof(first));
		} else {
			ck_assert_int_eq(s2o_http_form_feed(&f, piece,
			    to - from, &err), -1);
			ck_assert_str_eq(err.detail, first);
		}
		free(piece);
		from = to;
	}
	if (rc == 0)
		rc = s2o_http_form_finish(&f, &err);
	else
		ck_assert_int_eq(s2o_http_form_finish(&f, &err), -1);
	ck_assert_int_eq(rc == -1, err.reason != S2O_R_OK);
	got = render(&f, &err);
	s2o_http_form_cleanup(&f);
	return got;
}

/* A small deterministic generator (xorshift64). */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Checks body, fed every way, against want. */
static void
check_every_split(const char *body, size_t len, const char *want,
    size_t max_fields, size_t max_value, unsigned int rounds)
{
	size_t		*cut, k, n;
	uint64_t	 seed = 0x9e3779b97f4a7c15u ^ len;
	unsigned int	 r;
	char		*got;

	ck_assert_ptr_nonnull(cut = calloc(len + 2, sizeof(*cut)));
	/* whole */
	got = parse_cut(body, len, cut, 0, max_fields, max_value);
	ck_assert_msg(strcmp(got, want) == 0, "whole \"%s\": got %s", body,
	    got);
	free(got);
	/* in two, at every position (0 and len: an empty piece); a long
	 * body at a sample of them and at each of its last 16 */
	for (k = 0; k <= len; k += len > 1024 && k + 16 < len ? len / 256 :
	    1) {
		cut[0] = k;
		got = parse_cut(body, len, cut, 1, max_fields, max_value);
		ck_assert_msg(strcmp(got, want) == 0, "\"%s\" cut at %zu: got "
		    "%s", body, k, got);
		free(got);
	}
	/* one byte at a time */
	for (k = 1; k < len; k++)
		cut[k - 1] = k;
	got = parse_cut(body, len, cut, len > 0 ? len - 1 : 0, max_fields,
	    max_value);
	ck_assert_msg(strcmp(got, want) == 0, "\"%s\" byte by byte: got %s",
	    body, got);
	free(got);
	/* random pieces, empty ones included */
	for (r = 0; r < rounds; r++) {
		n = 0;
		k = 0;
		while (n < len + 1) {
			k += next_rand(&seed) % 5;
			if (k >= len)
				break;
			cut[n++] = k;
		}
		got = parse_cut(body, len, cut, n, max_fields, max_value);
		ck_assert_msg(strcmp(got, want) == 0, "\"%s\" in %zu random "
		    "pieces (round %u): got %s", body, n + 1, r, got);
		free(got);
	}
	free(cut);
}

START_TEST(test_form_split_table)
{
	const char	*body = cases[_i].body;
	size_t		 len = cases[_i].len ? cases[_i].len : strlen(body);

	check_every_split(body, len, cases[_i].want, T_FIELDS, T_VALUE, 64);
}
END_TEST

/* Body of a name of n bytes (each "n", or "%6E" when escaped) and "=1". */
static char *
long_name(size_t n, bool escaped)
{
	char	*s;
	size_t	 i, w = 0;

	ck_assert_ptr_nonnull(s = malloc(3 * n + 3));
	for (i = 0; i < n; i++) {
		if (escaped) {
			memcpy(s + w, "%6E", 3);
			w += 3;
		} else
			s[w++] = 'n';
	}
	memcpy(s + w, "=1", 3);
	return s;
}

/* A name is counted decoded: 128 bytes pass, 129 do not, escaped or not. */
START_TEST(test_form_split_name_limit)
{
	char	*body, want[512];
	size_t	 sizes[] = { S2O_HTTP_MAX_FIELD_NAME,
	    S2O_HTTP_MAX_FIELD_NAME + 1, 300 };
	size_t	 i;
	int	 esc;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (esc = 0; esc <= 1; esc++) {
			body = long_name(sizes[i], esc);
			if (sizes[i] <= S2O_HTTP_MAX_FIELD_NAME) {
				memset(want, 'n', sizes[i]);
				memcpy(want + sizes[i], ":\"1\"", 5);
			} else
				snprintf(want, sizeof(want), "error "
				    "too_large: a parameter name of %zu bytes; "
				    "at most %d", sizes[i],
				    S2O_HTTP_MAX_FIELD_NAME);
			check_every_split(body, strlen(body), want, T_FIELDS,
			    T_VALUE, 8);
			free(body);
		}
}
END_TEST

/* The server's own value limit (16 KiB), reached with escapes only: the
 * decoded size is what counts, not the 48 KiB on the wire. */
START_TEST(test_form_split_large_value)
{
	size_t	 n = S2O_HTTP_MAX_FIELD, i;
	char	*body, *want;

	ck_assert_ptr_nonnull(body = malloc(3 * (n + 1) + 8));
	ck_assert_ptr_nonnull(want = malloc(n + 8));
	memcpy(body, "v=", 2);
	for (i = 0; i <= n; i++)
		memcpy(body + 2 + 3 * i, "%41", 3);
	memcpy(want, "v:\"", 3);
	memset(want + 3, 'A', n);
	memcpy(want + 3 + n, "\"", 2);
	check_every_split(body, 2 + 3 * n, want, S2O_HTTP_MAX_FIELDS, n, 4);
	check_every_split(body, 2 + 3 * (n + 1), "error too_large: parameter "
	    "\"v\": more than 16384 bytes", S2O_HTTP_MAX_FIELDS, n, 4);
	free(body);
	free(want);
}
END_TEST

/* Refused as the bytes arrive: the piece that passes a limit fails, not
 * the end of the body, and nothing past the limit is held. */
START_TEST(test_form_split_early)
{
	static const struct {
		const char	*body;
		size_t		 fails_at;	/* index of the refused byte */
		const char	*detail;
	} early[] = {
		{ "a=123456789&b=1", 10, "parameter \"a\": more than 8 bytes" },
		{ "a=12345678%41", 10, "parameter \"a\": more than 8 bytes" },
		{ "a=1&b=2&c=3&d=4&e=5", 17, "more than 4 parameters" },
		{ "a=1&a=2", 5, "parameter \"a\" given more than once" },
		{ "a=%4x&b=1", 4, "parameter \"a\": '%' not followed" },
		{ "a==", 2, "parameter \"a\": a raw '='" },
		{ "a=1\nb", 4, "the form body goes on after a line break" },
	};
	struct s2o_http_form	f;
	struct s2o_err		err;
	size_t			i, k, len;
	char			c;

	for (i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
		s2o_err_clear(&err);
		s2o_http_form_init(&f, T_FIELDS, T_VALUE);
		len = strlen(early[i].body);
		for (k = 0; k < len; k++) {
			c = early[i].body[k];
			if (k < early[i].fails_at) {
				ck_assert_msg(s2o_http_form_feed(&f, &c, 1,
				    &err) == 0, "%s: byte %zu: %s",
				    early[i].body, k, err.detail);
				ck_assert_uint_le(f.rlen, T_VALUE * 3);
			} else if (k == early[i].fails_at) {
				ck_assert_int_eq(s2o_http_form_feed(&f, &c, 1,
				    &err), -1);
				ck_assert_ptr_null(f.raw);
			}
		}
		ck_assert_msg(strstr(err.detail, early[i].detail) != NULL,
		    "%s: %s", early[i].body, err.detail);
		s2o_http_form_cleanup(&f);
	}
}
END_TEST

/* The calls around the body: empty pieces, finishing twice, feeding after
 * the end or after a refusal, cleanup midway through a value. */
START_TEST(test_form_split_calls)
{
	struct s2o_http_form	f;
	struct s2o_err		err;

	s2o_err_clear(&err);
	s2o_http_form_init(&f, T_FIELDS, T_VALUE);
	ck_assert_int_eq(s2o_http_form_finish(&f, &err), 0);	/* no body */
	ck_assert_uint_eq(f.n, 0);
	ck_assert_int_eq(s2o_http_form_feed(&f, "a=1", 3, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_MALFORMED,
	    "the form body goes on after its end");
	s2o_http_form_cleanup(&f);

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_http_form_feed(&f, "", 0, &err), 0);
	ck_assert_int_eq(s2o_http_form_feed(&f, "a=1&b=%4", 8, &err), 0);
	ck_assert_int_eq(s2o_http_form_feed(&f, "", 0, &err), 0);
	ck_assert_int_eq(s2o_http_form_feed(&f, "1", 1, &err), 0);
	ck_assert_int_eq(s2o_http_form_finish(&f, &err), 0);
	ck_assert_int_eq(s2o_http_form_finish(&f, &err), 0);
	ck_assert_s2o_ok(&err);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_str_eq(s2o_http_form_get(&f, "a"), "1");
	ck_assert_str_eq(s2o_http_form_get(&f, "b"), "A");
	s2o_http_form_cleanup(&f);

	/* a refusal sticks: the first detail stays */
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_http_form_feed(&f, "a=%x", 4, &err), -1);
	ck_assert_int_eq(s2o_http_form_feed(&f, "b=1", 3, &err), -1);
	ck_assert_int_eq(s2o_http_form_finish(&f, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_MALFORMED, "parameter \"a\": '%' not "
	    "followed by two hex digits");
	ck_assert_uint_eq(f.n, 0);
	s2o_http_form_cleanup(&f);

	/* cleanup with a value half read (a secret: wiped, freed) */
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_http_form_feed(&f, "client_secret=s3cr", 18,
	    &err), 0);
	ck_assert_ptr_nonnull(f.raw);
	s2o_http_form_cleanup(&f);
	ck_assert_ptr_null(f.raw);
	ck_assert_uint_eq(f.n, 0);
}
END_TEST

static Suite *
form_suite(void)
{
	Suite	*s = suite_create("form");
	TCase	*tc;

	tc = tcase_create("http/form body");
	tcase_add_loop_test(tc, test_form_split_table, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_form_split_name_limit);
	tcase_add_test(tc, test_form_split_large_value);
	tcase_add_test(tc, test_form_split_early);
	tcase_add_test(tc, test_form_split_calls);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(form_suite());
}
