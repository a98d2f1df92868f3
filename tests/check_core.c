/* SPDX-License-Identifier: MIT */
/*
 * Tests for core/: the error value and reason table, RFC 3339 time, bounded
 * buffers, strict base64 and base64url, string functions, JSON positions,
 * diagnostics and logging. One TCase per unit; tables drive the cases
 * (tcase_add_loop_test), so each row runs in its own forked child and one
 * crash does not hide the rest. Assertions are exact: reason, whole detail
 * text, line and column.
 */
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <jansson.h>

#include "helpers.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* err holds exactly this reason and exactly this detail. */
#define ck_assert_err_exact(err, want, text) do {			\
	ck_assert_msg((err)->reason == (want),				\
	    "reason: expected %s, got %s (%s)", s2o_reason_token(want),	\
	    s2o_reason_token((err)->reason), (err)->detail);		\
	ck_assert_str_eq((err)->detail, (text));			\
} while (0)

/* ================================================================ err */

START_TEST(test_err_clear)
{
	struct s2o_err	err;

	memset(&err, 0x5a, sizeof(err));
	s2o_err_clear(&err);
	ck_assert_int_eq(err.reason, S2O_R_OK);
	ck_assert_uint_eq(err.line, 0);
	ck_assert_uint_eq(err.column, 0);
	ck_assert_str_eq(err.detail, "");
	ck_assert(!s2o_err_is_set(&err));
}
END_TEST

START_TEST(test_err_first_wins)
{
	struct s2o_err	err;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_err_set(&err, S2O_R_AUDIENCE_MISMATCH,
	    "Audience: expected \"%s\"", "https://sp.example/metadata"), -1);
	ck_assert(s2o_err_is_set(&err));
	/* later, shallower causes change nothing, not even the position */
	ck_assert_int_eq(s2o_err_set(&err, S2O_R_INTERNAL, "second"), -1);
	ck_assert_int_eq(s2o_err_set_at(&err, S2O_R_CONFIG_INVALID, 4, 2,
	    "third"), -1);
	ck_assert_int_eq(s2o_err_oom(&err), -1);
	ck_assert_err_exact(&err, S2O_R_AUDIENCE_MISMATCH,
	    "Audience: expected \"https://sp.example/metadata\"");
	ck_assert_uint_eq(err.line, 0);
	ck_assert_uint_eq(err.column, 0);
}
END_TEST

START_TEST(test_err_set_at)
{
	struct s2o_err	err;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_err_set_at(&err, S2O_R_MAPPING_INVALID, 12, 7,
	    "%s: unknown field", "email"), -1);
	ck_assert_err_exact(&err, S2O_R_MAPPING_INVALID,
	    "email: unknown field");
	ck_assert_uint_eq(err.line, 12);
	ck_assert_uint_eq(err.column, 7);
	/* a second positioned error keeps the first position */
	s2o_err_set_at(&err, S2O_R_MALFORMED, 99, 98, "later");
	ck_assert_uint_eq(err.line, 12);
	ck_assert_uint_eq(err.column, 7);
	ck_assert_str_eq(err.detail, "email: unknown field");
}
END_TEST

START_TEST(test_err_clear_rearms)
{
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_err_set(&err, S2O_R_EXPIRED, "old");
	s2o_err_clear(&err);
	s2o_err_set(&err, S2O_R_REPLAYED, "new");
	ck_assert_err_exact(&err, S2O_R_REPLAYED, "new");
}
END_TEST

START_TEST(test_err_one_line)
{
	struct s2o_err	err;

	/* input could otherwise forge a second log line */
	s2o_err_clear(&err);
	s2o_err_set(&err, S2O_R_ISSUER_MISMATCH, "Issuer: found \"%s\"",
	    "evil\r\n2026-11-28T12:00:00Z info forged\tline");
	ck_assert_err_exact(&err, S2O_R_ISSUER_MISMATCH,
	    "Issuer: found \"evil  2026-11-28T12:00:00Z info forged line\"");
	ck_assert_ptr_null(strchr(err.detail, '\r'));
	ck_assert_ptr_null(strchr(err.detail, '\n'));

	s2o_err_clear(&err);
	s2o_err_set_at(&err, S2O_R_CONFIG_INVALID, 1, 1, "a\nb");
	ck_assert_str_eq(err.detail, "a b");
}
END_TEST

START_TEST(test_err_truncated)
{
	struct s2o_err	err;
	char		long_text[1000];

	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	s2o_err_clear(&err);
	s2o_err_set(&err, S2O_R_MALFORMED, "%s", long_text);
	ck_assert_uint_eq(strlen(err.detail), S2O_ERR_MAX_DETAIL - 1);
}
END_TEST

START_TEST(test_err_oom)
{
	struct s2o_err	err;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_err_oom(&err), -1);
	ck_assert_err_exact(&err, S2O_R_INTERNAL, "out of memory");
}
END_TEST

static bool
is_snake_case(const char *s)
{
	const char	*p;

	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return false;
		if (*p == '_' && (p[1] == '_' || p[1] == '\0'))
			return false;
	}
	return true;
}

/* _i runs over every reason but OK: S2O_R_OK+1 .. S2O_R__MAX-1 */
START_TEST(test_reason_roundtrip)
{
	enum s2o_reason	 r = (enum s2o_reason)_i;
	const char	*tok = s2o_reason_token(r), *oauth;
	int		 j, status;

	ck_assert_ptr_nonnull(tok);
	ck_assert_msg(is_snake_case(tok), "token \"%s\" is not snake_case",
	    tok);
	ck_assert_str_ne(tok, "ok");
	ck_assert_str_ne(tok, "unknown");
	ck_assert_int_eq(s2o_reason_from_token(tok), r);
	for (j = S2O_R_OK; j < S2O_R__MAX; j++)
		if (j != _i)
			ck_assert_msg(strcmp(tok,
			    s2o_reason_token((enum s2o_reason)j)) != 0,
			    "token \"%s\" used by reasons %d and %d", tok, _i, j);
	status = s2o_reason_http_status(r);
	ck_assert_msg(status >= 400 && status <= 599, "%s: status %d", tok,
	    status);
	oauth = s2o_reason_oauth_error(r);
	ck_assert_ptr_nonnull(oauth);
	ck_assert_msg(strcmp(oauth, "invalid_request") == 0 ||
	    strcmp(oauth, "access_denied") == 0 ||
	    strcmp(oauth, "server_error") == 0 ||
	    strcmp(oauth, "temporarily_unavailable") == 0,
	    "%s: OAuth error \"%s\" is not one RFC 6749 defines", tok, oauth);
}
END_TEST

/*
 * Reasons are append-only: a token's number never changes. This table pins
 * them; a new reason adds a row at the end, an edit to an existing row is a
 * compatibility break.
 */
static const struct {
	int		 value;
	const char	*token;
	int		 status;
} pinned_reasons[] = {
	{ 1, "malformed", 400 },		{ 2, "signature_missing", 403 },
	{ 3, "signature_invalid", 403 },	{ 4, "untrusted_key", 403 },
	{ 5, "weak_algorithm", 403 },		{ 6, "wrapping", 403 },
	{ 7, "issuer_mismatch", 403 },		{ 8, "audience_mismatch", 403 },
	{ 9, "expired", 403 },			{ 10, "not_yet_valid", 403 },
	{ 11, "recipient_mismatch", 403 },	{ 12, "destination_mismatch", 403 },
	{ 13, "in_response_to_mismatch", 403 },	{ 14, "replayed", 403 },
	{ 15, "status_failed", 403 },		{ 16, "decryption_failed", 403 },
	{ 17, "missing_attribute", 403 },	{ 18, "policy_denied", 403 },
	{ 19, "too_large", 413 },		{ 20, "internal", 500 },
	{ 21, "store_unavailable", 503 },	{ 22, "config_invalid", 500 },
	{ 23, "key_unusable", 500 },		{ 24, "usage", 400 },
	{ 25, "mapping_invalid", 500 },		{ 26, "io", 500 },
	{ 27, "rate_limited", 429 },
};

START_TEST(test_reason_pinned)
{
	enum s2o_reason	r = (enum s2o_reason)pinned_reasons[_i].value;

	ck_assert_int_lt(pinned_reasons[_i].value, S2O_R__MAX);
	ck_assert_str_eq(s2o_reason_token(r), pinned_reasons[_i].token);
	ck_assert_int_eq(s2o_reason_http_status(r), pinned_reasons[_i].status);
}
END_TEST

START_TEST(test_reason_edges)
{
	ck_assert_str_eq(s2o_reason_token(S2O_R_OK), "ok");
	ck_assert_int_eq(s2o_reason_from_token("ok"), S2O_R_OK);
	ck_assert_int_eq(s2o_reason_http_status(S2O_R_OK), 200);
	ck_assert_ptr_null(s2o_reason_oauth_error(S2O_R_OK));
	ck_assert_str_eq(s2o_reason_token(S2O_R__MAX), "unknown");
	ck_assert_str_eq(s2o_reason_token((enum s2o_reason)-1), "unknown");
	ck_assert_int_eq(s2o_reason_http_status(S2O_R__MAX), 500);
	ck_assert_str_eq(s2o_reason_oauth_error(S2O_R__MAX), "server_error");
	ck_assert_int_eq(s2o_reason_from_token("no_such_reason"), S2O_R__MAX);
	ck_assert_int_eq(s2o_reason_from_token(""), S2O_R__MAX);
	ck_assert_int_eq(s2o_reason_from_token("Malformed"), S2O_R__MAX);
	ck_assert_int_eq(S2O_R__MAX, NELEM(pinned_reasons) + 1);
}
END_TEST

/* ================================================================ time */

static const struct {
	const char	*in;
	time_t		 want;
} time_good[] = {
	{ "2026-11-28T12:00:00Z",		1795867200 },
	{ "2026-11-28t12:00:00z",		1795867200 },
	{ "2026-11-28T12:00:00",		1795867200 },	/* UTC */
	{ "2026-11-28T12:00:00.5Z",		1795867200 },	/* truncated */
	{ "2026-11-28T12:00:00.999999999Z",	1795867200 },
	{ "2026-11-28T12:00:00.123",		1795867200 },
	{ "2026-11-28T12:00:00+01:00",		1795863600 },	/* 11:00Z */
	{ "2026-11-28T12:00:00.250+01:00",	1795863600 },
	{ "2026-11-28T12:00:00-02:30",		1795876200 },	/* 14:30Z */
	{ "2026-11-28T12:00:00+00:00",		1795867200 },
	{ "2026-11-28T12:00:00-00:00",		1795867200 },
	{ "2026-12-31T23:59:60Z",		1798761599 },	/* leap s */
	{ "1970-01-01T00:00:00Z",		0 },
	{ "2000-02-29T00:00:00Z",		951782400 },
	{ "2028-02-29T00:00:00Z",		1835395200 },
	{ "2038-01-19T03:14:08Z",		2147483648 },
	{ "2100-03-01T00:00:00Z",		4107542400 },
};

START_TEST(test_time_parse_good)
{
	struct s2o_err	err;
	time_t		t = -1;

	s2o_err_clear(&err);
	ck_assert_msg(s2o_time_parse(time_good[_i].in, "NotBefore", &t,
	    &err) == 0, "%s: %s", time_good[_i].in, err.detail);
	ck_assert_s2o_ok(&err);
	ck_assert_msg(t == time_good[_i].want, "%s: got %lld, want %lld",
	    time_good[_i].in, (long long)t, (long long)time_good[_i].want);
}
END_TEST

static const char *const time_bad[] = {
	"2026-02-30T12:00:00Z",		/* no such day */
	"2027-02-29T12:00:00Z",		/* not a leap year */
	"2100-02-29T12:00:00Z",		/* century, not a leap year */
	"2026-04-31T12:00:00Z",
	"2026-11-28T24:00:00Z",		/* hour 24 */
	"2026-11-28T12:60:00Z",
	"2026-11-28T12:00:61Z",
	"2026-13-01T12:00:00Z",
	"2026-00-01T12:00:00Z",
	"2026-11-00T12:00:00Z",
	"1969-12-31T23:59:59Z",
	"2026-11-28T12:00Z",		/* missing seconds */
	"2026-11-28T12:00",
	"2026-11-28T12:00:00Zjunk",	/* trailing junk */
	"2026-11-28T12:00:00Z ",
	"2026-11-28T12:00:00+01:00x",
	"2026-11-28T12:00:00.Z",	/* fraction without digits */
	"2026-11-28 12:00:00Z",
	"2026-11-28T12:00:00+0100",
	"2026-11-28T12:00:00+01",
	"2026-11-28T12:00:00+24:00",
	"2026-11-28T12:00:00+01:60",
	"2026-11-28T12:00:00UTC",
	"26-11-28T12:00:00Z",
	"2026-1-28T12:00:00Z",
	"+2026-11-28T12:00:00Z",
	"2026-11-28T1a:00:00Z",
	"",
	"now",
};

START_TEST(test_time_parse_bad)
{
	struct s2o_err	err;
	char		want[128];
	time_t		t = 42;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_time_parse(time_bad[_i], "NotOnOrAfter", &t,
	    &err), -1);
	snprintf(want, sizeof(want),
	    "NotOnOrAfter: \"%s\" is not an RFC 3339 date-time", time_bad[_i]);
	ck_assert_err_exact(&err, S2O_R_MALFORMED, want);
	ck_assert_msg(t == 42, "output written on failure");
}
END_TEST

START_TEST(test_time_parse_detail_excerpt)
{
	struct s2o_err	err;
	time_t		t;

	/* the detail shows at most 40 bytes of input, control chars as '?' */
	s2o_err_clear(&err);
	s2o_time_parse("2026-11-28T12:00:00Z and then a very long tail",
	    "IssueInstant", &t, &err);
	ck_assert_err_exact(&err, S2O_R_MALFORMED, "IssueInstant: "
	    "\"2026-11-28T12:00:00Z and then a very lon...\" is not an "
	    "RFC 3339 date-time");

	s2o_err_clear(&err);
	s2o_time_parse("2026-11-28\n12:00:00Z", "AuthnInstant", &t, &err);
	ck_assert_err_exact(&err, S2O_R_MALFORMED, "AuthnInstant: "
	    "\"2026-11-28?12:00:00Z\" is not an RFC 3339 date-time");

	s2o_err_clear(&err);
	s2o_time_parse(NULL, "NotBefore", &t, &err);
	ck_assert_err_exact(&err, S2O_R_MALFORMED,
	    "NotBefore: \"\" is not an RFC 3339 date-time");
}
END_TEST

static const struct {
	const char	*in;
	time_t		 want;	/* -1: rejected */
} time_cli[] = {
	{ "1795867200",			1795867200 },
	{ "0",				0 },
	{ "000000000042",		42 },	/* 12 digits, the most */
	{ "2026-11-28T12:00:00Z",	1795867200 },
	{ "2026-11-28T13:00:00+01:00",	1795867200 },
	{ "1795867200000",		-1 },	/* milliseconds: too long */
	{ "-1",				-1 },
	{ "17958672OO",			-1 },
	{ "1795867200 ",		-1 },
	{ "",				-1 },
};

START_TEST(test_time_parse_cli)
{
	struct s2o_err	err;
	char		want[128];
	time_t		t = -7;

	s2o_err_clear(&err);
	if (time_cli[_i].want >= 0) {
		ck_assert_msg(s2o_time_parse_cli(time_cli[_i].in, &t, &err) ==
		    0, "%s: %s", time_cli[_i].in, err.detail);
		ck_assert_int_eq((long long)t, (long long)time_cli[_i].want);
		return;
	}
	ck_assert_int_eq(s2o_time_parse_cli(time_cli[_i].in, &t, &err), -1);
	snprintf(want, sizeof(want),
	    "--now: \"%s\" is not an RFC 3339 date-time", time_cli[_i].in);
	ck_assert_err_exact(&err, S2O_R_MALFORMED, want);
}
END_TEST

START_TEST(test_time_format)
{
	struct s2o_err	err;
	char		buf[S2O_TIME_BUFSZ], small[21];
	time_t		t;
	size_t		i;

	ck_assert_str_eq(s2o_time_format(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00Z");
	ck_assert_str_eq(s2o_time_format(1795867200, buf, sizeof(buf)),
	    "2026-11-28T12:00:00Z");
	/* 21 bytes is enough, as documented */
	ck_assert_str_eq(s2o_time_format(2147483648, small, sizeof(small)),
	    "2038-01-19T03:14:08Z");
	/* format and parse are inverse */
	for (i = 0; i < NELEM(time_good); i++) {
		s2o_err_clear(&err);
		s2o_time_format(time_good[i].want, buf, sizeof(buf));
		ck_assert_int_eq(s2o_time_parse(buf, "t", &t, &err), 0);
		ck_assert_int_eq((long long)t, (long long)time_good[i].want);
	}
}
END_TEST

START_TEST(test_clock)
{
	struct s2o_clock	c;

	s2o_clock_init_fixed(&c, 1795867200);
	ck_assert_int_eq((long long)s2o_clock_now(&c), 1795867200LL);
	s2o_clock_init_system(&c);
	ck_assert_int_gt((long long)s2o_clock_now(&c), 1700000000LL);
}
END_TEST

/* ================================================================ buf */

START_TEST(test_buf_add)
{
	struct s2o_buf	b;
	struct s2o_err	err;
	char		*p;
	size_t		len = 99;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 1024);
	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(s2o_buf_adds(&b, "hello", &err), 0);
	ck_assert_int_eq(s2o_buf_add(&b, ", world!", 7, &err), 0);
	ck_assert_int_eq(s2o_buf_add(&b, NULL, 0, &err), 0);
	ck_assert_str_eq(b.data, "hello, world");	/* NUL-terminated */
	ck_assert_uint_eq(b.len, 12);
	ck_assert_uint_ge(b.cap, b.len + 1);
	p = s2o_buf_take(&b, &len);
	ck_assert_str_eq(p, "hello, world");
	ck_assert_uint_eq(len, 12);
	/* take resets b: it is empty and usable again */
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.max, 1024);
	ck_assert_ptr_null(s2o_buf_take(&b, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(s2o_buf_adds(&b, "again", &err), 0);
	ck_assert_str_eq(b.data, "again");
	ck_assert_s2o_ok(&err);
	free(p);
	s2o_buf_cleanup(&b);
	s2o_buf_cleanup(&b);	/* idempotent */
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_buf_empty_string)
{
	struct s2o_buf	b;
	struct s2o_err	err;
	char		*p;
	size_t		len = 5;

	/* adding nothing still yields a string, so take() gives "" not NULL */
	s2o_err_clear(&err);
	s2o_buf_init(&b, 0);
	ck_assert_int_eq(s2o_buf_adds(&b, "", &err), 0);
	p = s2o_buf_take(&b, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	ck_assert_uint_eq(len, 0);
	free(p);
}
END_TEST

START_TEST(test_buf_ceiling)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 8);
	ck_assert_int_eq(s2o_buf_adds(&b, "12345", &err), 0);
	ck_assert_int_eq(s2o_buf_adds(&b, "678", &err), 0);	/* exactly 8 */
	ck_assert_str_eq(b.data, "12345678");
	ck_assert_uint_le(b.cap, 9);	/* never more than max + NUL */
	ck_assert_int_eq(s2o_buf_adds(&b, "9", &err), -1);
	ck_assert_err_exact(&err, S2O_R_TOO_LARGE,
	    "input exceeds the limit of 8 bytes");
	/* passing the ceiling frees: no half-built value stays behind */
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	s2o_buf_cleanup(&b);
}
END_TEST

START_TEST(test_buf_ceiling_huge_add)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	/* n near SIZE_MAX must not wrap the length arithmetic */
	s2o_err_clear(&err);
	s2o_buf_init(&b, 16);
	ck_assert_int_eq(s2o_buf_adds(&b, "abc", &err), 0);
	ck_assert_int_eq(s2o_buf_add(&b, "x", SIZE_MAX, &err), -1);
	ck_assert_err_exact(&err, S2O_R_TOO_LARGE,
	    "input exceeds the limit of 16 bytes");
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_buf_printf)
{
	struct s2o_buf	b;
	struct s2o_err	err;
	char		big[1001];
	size_t		i;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 4096);
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "%s=%d;", "a", 1), 0);
	/* longer than printf's first, stack-sized attempt */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "[%s]", big), 0);
	ck_assert_uint_eq(b.len, 4 + 1002);
	ck_assert_int_eq(strncmp(b.data, "a=1;[zzz", 8), 0);
	ck_assert_int_eq(b.data[b.len - 1], ']');
	ck_assert_int_eq(b.data[b.len], '\0');
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(s2o_buf_printf(&b, &err, "%zu,", i), 0);
	ck_assert_int_eq(strncmp(b.data + b.len - 6, "98,99,", 6), 0);
	ck_assert_s2o_ok(&err);
	s2o_buf_cleanup(&b);
}
END_TEST

START_TEST(test_buf_printf_ceiling)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 300);
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "%s", "head"), 0);
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "%400s", "x"), -1);
	ck_assert_err_exact(&err, S2O_R_TOO_LARGE,
	    "input exceeds the limit of 300 bytes");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);

	s2o_err_clear(&err);
	s2o_buf_init(&b, 10);
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "%d", 12345678), 0);
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "%d", 123), -1);
	ck_assert_err_exact(&err, S2O_R_TOO_LARGE,
	    "input exceeds the limit of 10 bytes");
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_buf_printf_format_error)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	/* U+20AC has no encoding in the C locale: vsnprintf fails (EILSEQ) */
	s2o_err_clear(&err);
	s2o_buf_init(&b, 64);
	ck_assert_int_eq(s2o_buf_adds(&b, "half-built", &err), 0);
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "%ls", L"\u20ac"), -1);
	ck_assert_err_exact(&err, S2O_R_INTERNAL, "format error");
	ck_assert_ptr_null(b.data);	/* no half-state, as for add */
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

#if defined(__SANITIZE_ADDRESS__)
#define S2O_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define S2O_TEST_ASAN 1
#endif
#endif

/*
 * Out of memory, made real by lowering RLIMIT_AS to 32 MiB above what the
 * process maps now, then asking printf for 64 MiB. ASan reserves terabytes
 * of address space, so this test only runs in ordinary builds.
 */
START_TEST(test_buf_printf_oom)
{
#ifdef S2O_TEST_ASAN
	/* see above: needs a real RLIMIT_AS */
#else
	struct s2o_buf	 b1, b2;
	struct s2o_err	 err1, err2;
	struct rlimit	 old, low;
	unsigned long	 pages;
	FILE		*fp;
	int		 add, rc1, rc2;
	const int	 width = 64 << 20;	/* bytes */

	ck_assert_ptr_nonnull(fp = fopen("/proc/self/statm", "r"));
	ck_assert_int_eq(fscanf(fp, "%lu", &pages), 1);
	fclose(fp);
	ck_assert_int_eq(getrlimit(RLIMIT_AS, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
	    (32u << 20);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &low), 0);

	/*
	 * Assert only after the limit is back: with CK_FORK=no a failed
	 * assertion would otherwise leave it low for every later test.
	 */
	/* no ceiling in the way: the allocation fails, b1 is freed */
	s2o_err_clear(&err1);
	s2o_buf_init(&b1, SIZE_MAX - 1);
	add = s2o_buf_adds(&b1, "half-built", &err1);
	rc1 = s2o_buf_printf(&b1, &err1, "%*s", width, "");
	/* with a ceiling: refused as too large before any allocation */
	s2o_err_clear(&err2);
	s2o_buf_init(&b2, 16);
	rc2 = s2o_buf_printf(&b2, &err2, "%*s", width, "");
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &old), 0);

	ck_assert_int_eq(add, 0);
	ck_assert_int_eq(rc1, -1);
	ck_assert_err_exact(&err1, S2O_R_INTERNAL, "out of memory");
	ck_assert_ptr_null(b1.data);
	ck_assert_int_eq(rc2, -1);
	ck_assert_err_exact(&err2, S2O_R_TOO_LARGE,
	    "input exceeds the limit of 16 bytes");
	ck_assert_ptr_null(b2.data);
#endif
}
END_TEST

START_TEST(test_buf_secret)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 64);
	ck_assert_int_eq(s2o_buf_adds(&b, "client-secret", &err), 0);
	s2o_buf_cleanup_secret(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	s2o_buf_cleanup_secret(&b);	/* idempotent on an empty buffer */
}
END_TEST

START_TEST(test_buf_read)
{
	struct s2o_buf	b;
	struct s2o_err	err;
	FILE		*fp;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 64);
	ck_assert_int_eq(s2o_buf_read_file(&b, "/nonexistent/bridge.json",
	    &err), -1);
	ck_assert_err_exact(&err, S2O_R_IO, "cannot read "
	    "/nonexistent/bridge.json: No such file or directory");

	/* a stream of exactly max bytes fits; one more does not */
	ck_assert_ptr_nonnull(fp = tmpfile());
	fputs("0123456789", fp);
	rewind(fp);
	s2o_err_clear(&err);
	s2o_buf_init(&b, 10);
	ck_assert_int_eq(s2o_buf_read_stream(&b, fp, "stdin", &err), 0);
	ck_assert_str_eq(b.data, "0123456789");
	s2o_buf_cleanup(&b);
	rewind(fp);
	s2o_buf_init(&b, 9);
	ck_assert_int_eq(s2o_buf_read_stream(&b, fp, "stdin", &err), -1);
	ck_assert_err_exact(&err, S2O_R_TOO_LARGE,
	    "stdin: larger than the limit of 9 bytes");
	ck_assert_ptr_null(b.data);
	fclose(fp);

	/* an empty input is an empty string, not NULL */
	ck_assert_ptr_nonnull(fp = tmpfile());
	s2o_err_clear(&err);
	s2o_buf_init(&b, 9);
	ck_assert_int_eq(s2o_buf_read_stream(&b, fp, "empty", &err), 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	s2o_buf_cleanup(&b);
	fclose(fp);
}
END_TEST

/* ================================================================ b64 */

/* RFC 4648 §10 */
static const struct {
	const char	*plain, *b64, *b64url;
} b64_vectors[] = {
	{ "",		"",		"" },
	{ "f",		"Zg==",		"Zg" },
	{ "fo",		"Zm8=",		"Zm8" },
	{ "foo",	"Zm9v",		"Zm9v" },
	{ "foob",	"Zm9vYg==",	"Zm9vYg" },
	{ "fooba",	"Zm9vYmE=",	"Zm9vYmE" },
	{ "foobar",	"Zm9vYmFy",	"Zm9vYmFy" },
	/* the two alphabets differ in 62 and 63 */
	{ "\xfb\xff\xbf",	"+/+/",		"-_-_" },
	{ "\xfb\xff",		"+/8=",		"-_8" },
	{ "?\xbf",		"P78=",		"P78" },
};

START_TEST(test_b64_vector)
{
	struct s2o_err	 err;
	const char	*plain = b64_vectors[_i].plain;
	size_t		 plen = strlen(plain), outlen = 99;
	char		*enc;
	unsigned char	*dec;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(enc = s2o_b64_encode(plain, plen, &err));
	ck_assert_str_eq(enc, b64_vectors[_i].b64);
	free(enc);
	ck_assert_ptr_nonnull(enc = s2o_b64url_encode(plain, plen, &err));
	ck_assert_str_eq(enc, b64_vectors[_i].b64url);
	free(enc);
	if (plen == 0)
		return;	/* empty input is refused, see test_b64_bad */

	dec = s2o_b64_decode(b64_vectors[_i].b64, strlen(b64_vectors[_i].b64),
	    plen, &outlen, &err);
	ck_assert_msg(dec != NULL, "%s: %s", b64_vectors[_i].b64, err.detail);
	ck_assert_uint_eq(outlen, plen);
	ck_assert_mem_eq(dec, plain, plen);
	ck_assert_int_eq(dec[outlen], '\0');
	free(dec);

	dec = s2o_b64url_decode(b64_vectors[_i].b64url,
	    strlen(b64_vectors[_i].b64url), plen, &outlen, &err);
	ck_assert_msg(dec != NULL, "%s: %s", b64_vectors[_i].b64url,
	    err.detail);
	ck_assert_uint_eq(outlen, plen);
	ck_assert_mem_eq(dec, plain, plen);
	ck_assert_int_eq(dec[outlen], '\0');
	free(dec);
	ck_assert_s2o_ok(&err);
}
END_TEST

/* ASCII white space anywhere is skipped: IdPs wrap at 64 or 76 columns */
static const struct {
	const char	*in, *want;
} b64_space[] = {
	{ "Zm9v\r\nYmFy\r\n",		"foobar" },
	{ "Zm9vYmE=\n",			"fooba" },
	{ "\n\tZm9v YmE=",		"fooba" },
	{ "Zm 9v Ym Fy",		"foobar" },
	{ "Zg=\n=",			"f" },
	{ "Zg= =\r\n",			"f" },
};

START_TEST(test_b64_whitespace)
{
	struct s2o_err	 err;
	unsigned char	*dec;
	size_t		 n;

	s2o_err_clear(&err);
	dec = s2o_b64_decode(b64_space[_i].in, strlen(b64_space[_i].in), 100,
	    &n, &err);
	ck_assert_msg(dec != NULL, "%s", err.detail);
	ck_assert_uint_eq(n, strlen(b64_space[_i].want));
	ck_assert_str_eq((char *)dec, b64_space[_i].want);
	free(dec);
}
END_TEST

START_TEST(test_b64_binary_wrapped)
{
	struct s2o_err	 err;
	unsigned char	 bin[300], *dec;
	char		*enc, wrapped[1024];
	size_t		 i, j, n;

	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + 3);
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(enc = s2o_b64_encode(bin, sizeof(bin), &err));
	ck_assert_uint_eq(strlen(enc), 400);
	ck_assert_ptr_null(strchr(enc, '\n'));	/* no line breaks */
	for (i = 0, j = 0; enc[i] != '\0'; i++) {
		wrapped[j++] = enc[i];
		if (i % 76 == 75) {
			wrapped[j++] = '\r';
			wrapped[j++] = '\n';
		}
	}
	wrapped[j] = '\0';
	dec = s2o_b64_decode(wrapped, j, sizeof(bin), &n, &err);
	ck_assert_msg(dec != NULL, "%s", err.detail);
	ck_assert_uint_eq(n, sizeof(bin));
	ck_assert_mem_eq(dec, bin, sizeof(bin));
	free(dec);
	free(enc);

	ck_assert_ptr_nonnull(enc = s2o_b64url_encode(bin, sizeof(bin), &err));
	ck_assert_ptr_null(strpbrk(enc, "+/="));
	dec = s2o_b64url_decode(enc, strlen(enc), sizeof(bin), &n, &err);
	ck_assert_msg(dec != NULL, "%s", err.detail);
	ck_assert_uint_eq(n, sizeof(bin));
	ck_assert_mem_eq(dec, bin, sizeof(bin));
	free(dec);
	free(enc);
}
END_TEST

static const struct {
	const char	*in;
	size_t		 max;
	enum s2o_reason	 want;
	const char	*detail;
} b64_bad[] = {
	{ "Zm9v!mFy",	100, S2O_R_MALFORMED,
	    "base64: invalid character at offset 4" },
	{ "Zm\r\n9v*mFy", 100, S2O_R_MALFORMED,	/* offset counts the CRLF */
	    "base64: invalid character at offset 6" },
	{ "Zm9-",	100, S2O_R_MALFORMED,	/* base64url alphabet */
	    "base64: invalid character at offset 3" },
	{ "Zm9_",	100, S2O_R_MALFORMED,
	    "base64: invalid character at offset 3" },
	{ "Zm9v\x00mFy", 100, S2O_R_MALFORMED,
	    "base64: invalid character at offset 4" },
	{ "Zm9v\xc3\xa9", 100, S2O_R_MALFORMED,
	    "base64: invalid character at offset 4" },
	{ "Zg==Zm8=",	100, S2O_R_MALFORMED,	/* data after padding */
	    "base64: data after padding at offset 2" },
	{ "Zm8=Zg",	100, S2O_R_MALFORMED,
	    "base64: data after padding at offset 3" },
	{ "Zg=a",	100, S2O_R_MALFORMED,
	    "base64: data after padding at offset 2" },
	{ "Zm9",	100, S2O_R_MALFORMED,	/* bad length */
	    "base64: length is not a multiple of 4" },
	{ "Zm9vY",	100, S2O_R_MALFORMED,
	    "base64: length is not a multiple of 4" },
	{ "Zg=",	100, S2O_R_MALFORMED,
	    "base64: length is not a multiple of 4" },
	{ "Zg===",	100, S2O_R_MALFORMED,
	    "base64: length is not a multiple of 4" },
	{ "Z===",	100, S2O_R_MALFORMED,
	    "base64: too much padding" },
	{ "====",	100, S2O_R_MALFORMED,
	    "base64: too much padding" },
	{ "Zm9=",	100, S2O_R_MALFORMED,	/* non-zero pad bits */
	    "base64: non-zero pad bits" },
	{ "Zh==",	100, S2O_R_MALFORMED,
	    "base64: non-zero pad bits" },
	{ "Zm9vYmF=",	100, S2O_R_MALFORMED,
	    "base64: non-zero pad bits" },
	{ "",		100, S2O_R_MALFORMED,	/* empty input */
	    "base64: empty input" },
	{ " \r\n\t",	100, S2O_R_MALFORMED,
	    "base64: empty input" },
	{ "Zm9vYmFy",	5, S2O_R_TOO_LARGE,	/* 6 bytes decoded */
	    "decoded input exceeds the limit of 5 bytes" },
	{ "Zm9vYg==",	3, S2O_R_TOO_LARGE,	/* 4 bytes decoded */
	    "decoded input exceeds the limit of 3 bytes" },
	{ "Zg==",	0, S2O_R_TOO_LARGE,
	    "decoded input exceeds the limit of 0 bytes" },
};

START_TEST(test_b64_bad)
{
	struct s2o_err	 err;
	size_t		 inlen = strlen(b64_bad[_i].in), n = 77;

	/* the NUL row is the only one whose length strlen() cannot give */
	if (memcmp(b64_bad[_i].in, "Zm9v\0mFy", 5) == 0)
		inlen = 8;
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_b64_decode(b64_bad[_i].in, inlen,
	    b64_bad[_i].max, &n, &err));
	ck_assert_err_exact(&err, b64_bad[_i].want, b64_bad[_i].detail);
}
END_TEST

START_TEST(test_b64_max_exact)
{
	struct s2o_err	 err;
	unsigned char	*dec;
	size_t		 n;

	/* the ceiling counts decoded bytes, pad excluded */
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(dec = s2o_b64_decode("Zm9vYg==", 8, 4, &n,
	    &err));
	ck_assert_uint_eq(n, 4);
	free(dec);
	ck_assert_ptr_nonnull(dec = s2o_b64url_decode("Zm9vYg", 6, 4, &n,
	    &err));
	ck_assert_uint_eq(n, 4);
	free(dec);
	ck_assert_ptr_null(s2o_b64url_decode("Zm9vYg", 6, 3, &n, &err));
	ck_assert_err_exact(&err, S2O_R_TOO_LARGE,
	    "decoded input exceeds the limit of 3 bytes");
}
END_TEST

static const struct {
	const char	*in;
	const char	*detail;
} b64url_bad[] = {
	{ "+_8",	"base64: invalid character at offset 0" },
	{ "-/8",	"base64: invalid character at offset 1" },
	{ "Zg==",	"base64: invalid character at offset 2" },
	{ "Zm8=",	"base64: invalid character at offset 3" },
	{ "Zm 9v",	"base64: invalid character at offset 2" },
	{ "Zm9v\n",	"base64: invalid character at offset 4" },
	{ "Zm9vY",	"base64: length is not a multiple of 4" },
	{ "Z",		"base64: length is not a multiple of 4" },
	{ "Zh",		"base64: non-zero pad bits" },
	{ "Zm9",	"base64: non-zero pad bits" },
	{ "",		"base64: empty input" },
};

START_TEST(test_b64url_bad)
{
	struct s2o_err	err;
	size_t		n;

	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_b64url_decode(b64url_bad[_i].in,
	    strlen(b64url_bad[_i].in), 100, &n, &err));
	ck_assert_err_exact(&err, S2O_R_MALFORMED, b64url_bad[_i].detail);
}
END_TEST

START_TEST(test_b64_all_bytes)
{
	struct s2o_err	 err;
	unsigned char	 bin[256], *dec;
	char		*enc;
	size_t		 i, n, len;

	/* every length mod 3 and every byte value, both alphabets */
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(255 - i);
	s2o_err_clear(&err);
	for (len = 1; len <= sizeof(bin); len += 37) {
		ck_assert_ptr_nonnull(enc = s2o_b64_encode(bin, len, &err));
		dec = s2o_b64_decode(enc, strlen(enc), len, &n, &err);
		ck_assert_msg(dec != NULL, "%zu: %s", len, err.detail);
		ck_assert_uint_eq(n, len);
		ck_assert_mem_eq(dec, bin, len);
		free(dec);
		free(enc);
		ck_assert_ptr_nonnull(enc = s2o_b64url_encode(bin, len, &err));
		dec = s2o_b64url_decode(enc, strlen(enc), len, &n, &err);
		ck_assert_msg(dec != NULL, "%zu: %s", len, err.detail);
		ck_assert_uint_eq(n, len);
		ck_assert_mem_eq(dec, bin, len);
		free(dec);
		free(enc);
	}
}
END_TEST

START_TEST(test_b64_looks_like)
{
	ck_assert(s2o_b64_looks_like("Zm9v\r\nYg==", 10));
	ck_assert(s2o_b64_looks_like("PHNhbWxwOlJlc3BvbnNl", 20));
	ck_assert(!s2o_b64_looks_like("<samlp:Response", 15));
	ck_assert(!s2o_b64_looks_like("Zm9v-_", 6));
	ck_assert(!s2o_b64_looks_like("", 0));
	ck_assert(!s2o_b64_looks_like(" \n", 2));
}
END_TEST

/* ================================================================ str */

static const struct {
	const char	*a, *b;
	unsigned int	 want;
} str_dist[] = {
	{ "",			"",			0 },
	{ "clock_skew",		"clock_skew",		0 },
	{ "clock_skw",		"clock_skew",		1 },	/* deletion */
	{ "clock_skeew",	"clock_skew",		1 },	/* insertion */
	{ "clock_skex",		"clock_skew",		1 },	/* substitution */
	{ "clock_sekw",		"clock_skew",		1 },	/* transposition */
	{ "chek-config",	"check-config",		1 },
	{ "kitten",		"sitting",		3 },
	{ "",			"abc",			3 },
	{ "abc",		"",			3 },
	{ "issuer",		"audience",		7 },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    "x", 255 },	/* 65 bytes: longer than compared, so "far" */
};

START_TEST(test_str_distance)
{
	ck_assert_uint_eq(s2o_str_distance(str_dist[_i].a, str_dist[_i].b),
	    str_dist[_i].want);
	ck_assert_uint_eq(s2o_str_distance(str_dist[_i].b, str_dist[_i].a),
	    str_dist[_i].want);
}
END_TEST

static const char *const nearest_candidates[] = {
	"clock_skew", "idp_entity_id", "idp_certificates", "connections",
	"acs_url", "id", NULL
};

static const struct {
	const char	*word, *want;	/* want NULL: nothing near enough */
} str_near[] = {
	{ "clock_skw",		"clock_skew" },
	{ "clockskew",		"clock_skew" },
	{ "conections",		"connections" },
	{ "idp_entityid",	"idp_entity_id" },
	{ "acs_ulr",		"acs_url" },
	{ "ix",			"id" },
	{ "clock_skew",		"clock_skew" },
	{ "banana",		NULL },
	{ "timeout",		NULL },
	{ "clock",		NULL },	/* 5 edits: not a typo */
	{ "",			NULL },
	{ "xyz",		NULL },
};

START_TEST(test_str_nearest)
{
	const char	*got = s2o_str_nearest(str_near[_i].word,
			    nearest_candidates);

	if (str_near[_i].want == NULL)
		ck_assert_msg(got == NULL, "\"%s\" suggested \"%s\"",
		    str_near[_i].word, got);
	else
		ck_assert_pstr_eq(got, str_near[_i].want);
}
END_TEST

static const struct {
	const char	*in;
	size_t		 size, max;
	const char	*want;
} str_exc[] = {
	{ "abc",		64, 10,	"abc" },
	{ "abcdefghij",		64, 10,	"abcdefghij" },	/* exactly max */
	{ "abcdefghijk",	64, 10,	"abcdefghij..." },
	{ "a\tb\nc\rd\x7f" "e\x01", 64, 40, "a?b?c?d?e?" },
	/* h, U+00E9 (2 bytes), llo: never split the é */
	{ "h\xc3\xa9llo",	64, 1,	"h..." },
	{ "h\xc3\xa9llo",	64, 2,	"h..." },
	{ "h\xc3\xa9llo",	64, 3,	"h\xc3\xa9..." },
	/* a, U+1F600 (4 bytes), b */
	{ "a\xf0\x9f\x98\x80" "b", 64, 2, "a..." },
	{ "a\xf0\x9f\x98\x80" "b", 64, 4, "a..." },
	{ "a\xf0\x9f\x98\x80" "b", 64, 5, "a\xf0\x9f\x98\x80..." },
	{ "\xf0\x9f\x98\x80",	64, 3,	"..." },
	{ "",			64, 0,	"" },
	{ "abc",		64, 0,	"..." },
	/* max is reduced to fit dst with its "..." and NUL */
	{ "abcdefghijkl",	8, 100,	"abcd..." },
	{ "abcdefghijkl",	4, 100,	"..." },
	{ "abcdefghijkl",	3, 100,	".." },
	{ "abcdefghijkl",	2, 10,	"." },
	{ "abcdefghijkl",	1, 10,	"" },
	{ "",			1, 10,	"" },
};

START_TEST(test_str_excerpt)
{
	struct {
		char	dst[64];
		char	canary[16];
	} out;
	size_t	i;

	memset(&out, 'X', sizeof(out));
	ck_assert_ptr_eq(s2o_str_excerpt(out.dst, str_exc[_i].size,
	    str_exc[_i].in, str_exc[_i].max), out.dst);
	ck_assert_str_eq(out.dst, str_exc[_i].want);
	/* nothing written at or past dst[size] */
	for (i = str_exc[_i].size; i < sizeof(out.dst); i++)
		ck_assert_msg(out.dst[i] == 'X', "byte %zu written (size %zu)",
		    i, str_exc[_i].size);
	for (i = 0; i < sizeof(out.canary); i++)
		ck_assert_int_eq(out.canary[i], 'X');
}
END_TEST

START_TEST(test_str_excerpt_size0)
{
	char	c = 'X';

	ck_assert_ptr_eq(s2o_str_excerpt(&c, 0, "abc", 10), &c);
	ck_assert_int_eq(c, 'X');
}
END_TEST

START_TEST(test_str_equal_ct)
{
	ck_assert(s2o_str_equal_ct("", ""));
	ck_assert(s2o_str_equal_ct("s3cr3t-code", "s3cr3t-code"));
	ck_assert(!s2o_str_equal_ct("s3cr3t-code", "s3cr3t-cod"));
	ck_assert(!s2o_str_equal_ct("s3cr3t-cod", "s3cr3t-code"));
	ck_assert(!s2o_str_equal_ct("s3cr3t-code", "S3cr3t-code"));
	ck_assert(!s2o_str_equal_ct("s3cr3t-code", "s3cr3t-codE"));
	ck_assert(!s2o_str_equal_ct("", "x"));
	ck_assert(!s2o_str_equal_ct("x", ""));
}
END_TEST

START_TEST(test_str_copy)
{
	struct s2o_err	 err;
	char		 dst[6], *p;

	memset(dst, 'X', sizeof(dst));
	ck_assert_uint_eq(s2o_strlcpy(dst, "abcdefgh", sizeof(dst)), 8);
	ck_assert_str_eq(dst, "abcde");
	ck_assert_uint_eq(s2o_strlcpy(dst, "ab", sizeof(dst)), 2);
	ck_assert_str_eq(dst, "ab");
	dst[0] = 'Q';
	ck_assert_uint_eq(s2o_strlcpy(dst, "abc", 0), 3);
	ck_assert_int_eq(dst[0], 'Q');

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(p = s2o_strdup("connection", &err));
	ck_assert_str_eq(p, "connection");
	free(p);
	ck_assert_ptr_nonnull(p = s2o_strndup("connection", 4, &err));
	ck_assert_str_eq(p, "conn");
	free(p);
	ck_assert_s2o_ok(&err);
}
END_TEST

/* ============================================================ jsonpos */

/*
 * Lines and columns are 1-based; columns count characters, so the
 * two-byte "é" and "ë" below each move the column by one.
 */
static const char jp_text[] =
	"{\n"								/* 1 */
	"  \"name\": \"Zo\xc3\xab\",\n"					/* 2 */
	"  \"nested\": {\"list\": [1, {\"deep\": null}], \"k\": \"v\"},\n"	/* 3 */
	"  \"https://x.example/c\": [\"\xc3\xa9\", \"x\"],\n"		/* 4 */
	"  \"\xc3\xa9t\xc3\xa9\": 7,\n"					/* 5 */
	"  \"after\": \"\xc3\xa9\", \"z\": -1.5e3,\n"			/* 6 */
	"\t\"empty\": {}, \"arr\": [], \"t\": true, \"q\": \"a\\\"b\"\n"	/* 7 */
	"}\n";								/* 8 */

static const struct {
	const char	*path;
	unsigned int	 vline, vcol;	/* value */
	unsigned int	 kline, kcol;	/* key; 0: same as value */
} jp_cases[] = {
	{ "",				1, 1,	0, 0 },
	{ "name",			2, 11,	2, 3 },
	{ "nested",			3, 13,	3, 3 },
	{ "nested.list",		3, 22,	3, 14 },
	{ "nested.list[0]",		3, 23,	0, 0 },
	{ "nested.list[1]",		3, 26,	0, 0 },
	{ "nested.list[1].deep",	3, 35,	3, 27 },
	{ "nested.k",			3, 48,	3, 43 },
	{ "[\"https://x.example/c\"]",	4, 26,	4, 3 },
	{ "[\"https://x.example/c\"][0]", 4, 27, 0, 0 },
	{ "[\"https://x.example/c\"][1]", 4, 32, 0, 0 },
	{ "[\"\xc3\xa9t\xc3\xa9\"]",	5, 10,	5, 3 },
	{ "after",			6, 12,	6, 3 },
	{ "z",				6, 22,	6, 17 },
	{ "empty",			7, 11,	7, 2 },
	{ "arr",			7, 22,	7, 15 },
	{ "t",				7, 31,	7, 26 },
	{ "q",				7, 42,	7, 37 },
};

START_TEST(test_jsonpos_positions)
{
	struct s2o_jsonpos	*jp;
	struct s2o_err		 err;
	unsigned int		 line = 99, col = 99, kl, kc;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(jp = s2o_jsonpos_new(jp_text, strlen(jp_text),
	    &err));
	ck_assert_msg(s2o_jsonpos_value(jp, jp_cases[_i].path, &line, &col),
	    "no value at %s", jp_cases[_i].path);
	ck_assert_msg(line == jp_cases[_i].vline && col == jp_cases[_i].vcol,
	    "value %s: got %u:%u, want %u:%u", jp_cases[_i].path, line, col,
	    jp_cases[_i].vline, jp_cases[_i].vcol);
	kl = jp_cases[_i].kline ? jp_cases[_i].kline : jp_cases[_i].vline;
	kc = jp_cases[_i].kline ? jp_cases[_i].kcol : jp_cases[_i].vcol;
	ck_assert(s2o_jsonpos_key(jp, jp_cases[_i].path, &line, &col));
	ck_assert_msg(line == kl && col == kc,
	    "key %s: got %u:%u, want %u:%u", jp_cases[_i].path, line, col,
	    kl, kc);
	s2o_jsonpos_free(jp);
}
END_TEST

START_TEST(test_jsonpos_unknown)
{
	struct s2o_jsonpos	*jp;
	struct s2o_err		 err;
	unsigned int		 line = 9, col = 9;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(jp = s2o_jsonpos_new(jp_text, strlen(jp_text),
	    &err));
	ck_assert(!s2o_jsonpos_value(jp, "nested.list[2]", &line, &col));
	ck_assert_uint_eq(line, 0);
	ck_assert_uint_eq(col, 0);
	line = col = 9;
	ck_assert(!s2o_jsonpos_key(jp, "missing", &line, &col));
	ck_assert_uint_eq(line, 0);
	ck_assert_uint_eq(col, 0);
	/* a URL key is never written with dots */
	ck_assert(!s2o_jsonpos_value(jp, "https://x.example/c", &line, &col));
	s2o_jsonpos_free(jp);
	s2o_jsonpos_free(NULL);
	ck_assert(!s2o_jsonpos_value(NULL, "", &line, &col));
}
END_TEST

START_TEST(test_jsonpos_root_array)
{
	static const char	 text[] = "[1, [2, 3],\n {\"a\": [true]}]";
	struct s2o_jsonpos	*jp;
	struct s2o_err		 err;
	unsigned int		 line, col;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(jp = s2o_jsonpos_new(text, strlen(text), &err));
	ck_assert(s2o_jsonpos_value(jp, "[1][1]", &line, &col));
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 9);
	ck_assert(s2o_jsonpos_value(jp, "[2].a[0]", &line, &col));
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 9);
	ck_assert(s2o_jsonpos_key(jp, "[2].a", &line, &col));
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 3);
	s2o_jsonpos_free(jp);
}
END_TEST

/*
 * Keys with escapes are found under the key as jansson decodes it, since
 * that is the only spelling a caller has.
 */
static const struct {
	const char	*text, *path;
	unsigned int	 col;
} jp_escaped[] = {
	{ "{\"a\\\"b\": 1}",			"[\"a\"b\"]",		10 },
	{ "{\"a\\/b\": 1}",			"[\"a/b\"]",		10 },
	{ "{\"https:\\/\\/x.example\\/c\": 1}",	"[\"https://x.example/c\"]", 28 },
	{ "{\"caf\\u00e9\": 1}",		"[\"caf\xc3\xa9\"]",	15 },
	{ "{\"\\u0041bc\": 1}",			"Abc",			14 },
	{ "{\"\\u20ac\": 1}",			"[\"\xe2\x82\xac\"]",	12 },
	{ "{\"\\ud83d\\ude00\": 1}",		"[\"\xf0\x9f\x98\x80\"]", 18 },
	{ "{\"x\\u00E9\": {\"y\": 2}}",		"[\"x\xc3\xa9\"].y",	19 },
};

START_TEST(test_jsonpos_escaped_keys)
{
	struct s2o_jsonpos	*jp;
	struct s2o_err		 err;
	unsigned int		 line, col;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(jp = s2o_jsonpos_new(jp_escaped[_i].text,
	    strlen(jp_escaped[_i].text), &err));
	ck_assert_msg(s2o_jsonpos_value(jp, jp_escaped[_i].path, &line, &col),
	    "%s: no value at %s", jp_escaped[_i].text, jp_escaped[_i].path);
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, jp_escaped[_i].col);
	s2o_jsonpos_free(jp);
}
END_TEST

/*
 * Text that is not JSON is scanned to its end, never in place: "[}" and
 * a NUL inside an array once looped forever, growing the index until
 * memory ran out (found by fuzz_mappings_lint and fuzz_map_apply).
 */
static const struct { const char *text; size_t len; } jsonpos_junk[] = {
	{ "[}", 2 },
	{ "{\"a\":[5\0]}", 10 },
	{ "{\":[\":[5\0]}", 11 },
	{ "[\0\0\0", 4 },
	{ "{\"email\": {\"t\": [\"x\", {\"s\": \",\"}, 7\0] }}", 40 },
	{ "[1,]]]]}}}", 10 },
};

START_TEST(test_jsonpos_junk)
{
	struct s2o_jsonpos	*jp;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	jp = s2o_jsonpos_new(jsonpos_junk[_i].text, jsonpos_junk[_i].len,
	    &err);
	ck_assert_msg(jp != NULL, "%s", err.detail);
	s2o_jsonpos_free(jp);
}
END_TEST

START_TEST(test_jsonpos_depth)
{
	struct s2o_jsonpos	*jp;
	struct s2o_err		 err;
	char			 text[2 * (S2O_JSON_MAX_DEPTH + 1) + 1];
	int			 i;

	/* S2O_JSON_MAX_DEPTH levels are fine */
	for (i = 0; i < S2O_JSON_MAX_DEPTH; i++) {
		text[i] = '[';
		text[S2O_JSON_MAX_DEPTH + i] = ']';
	}
	text[2 * S2O_JSON_MAX_DEPTH] = '\0';
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(jp = s2o_jsonpos_new(text, strlen(text), &err));
	s2o_jsonpos_free(jp);

	/* one more is too large, at the position of the deepest value */
	for (i = 0; i <= S2O_JSON_MAX_DEPTH; i++) {
		text[i] = '[';
		text[S2O_JSON_MAX_DEPTH + 1 + i] = ']';
	}
	text[2 * (S2O_JSON_MAX_DEPTH + 1)] = '\0';
	ck_assert_ptr_null(s2o_jsonpos_new(text, strlen(text), &err));
	ck_assert_err_exact(&err, S2O_R_TOO_LARGE,
	    "JSON nested deeper than 64 levels");
	ck_assert_uint_eq(err.line, 1);
	ck_assert_uint_eq(err.column, S2O_JSON_MAX_DEPTH + 1);
}
END_TEST

static const struct {
	const char	*base, *key, *want;
} jp_keys[] = {
	{ "",		"connections",		"connections" },
	{ "a",		"b",			"a.b" },
	{ "a[0]",	"clock_skew",		"a[0].clock_skew" },
	{ "a",		"clock-skew",		"a.clock-skew" },
	{ "a",		"Name2",		"a.Name2" },
	{ "",		"https://x.example/c",	"[\"https://x.example/c\"]" },
	{ "claims",	"https://x.example/c",	"claims[\"https://x.example/c\"]" },
	{ "a",		"1st",			"a[\"1st\"]" },
	{ "a",		"two words",		"a[\"two words\"]" },
	{ "a",		"dotted.key",		"a[\"dotted.key\"]" },
	{ "a",		"",			"a[\"\"]" },
	{ "",		"\xc3\xa9t\xc3\xa9",	"[\"\xc3\xa9t\xc3\xa9\"]" },
};

START_TEST(test_jsonpath_key)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 1024);
	ck_assert_int_eq(s2o_buf_adds(&b, jp_keys[_i].base, &err), 0);
	ck_assert_int_eq(s2o_jsonpath_key(&b, jp_keys[_i].key, &err), 0);
	ck_assert_str_eq(b.data, jp_keys[_i].want);
	s2o_buf_cleanup(&b);
}
END_TEST

/* =============================================================== diag */

static char *
stream_text(FILE *fp)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	rewind(fp);
	s2o_err_clear(&err);
	s2o_buf_init(&b, 1 << 20);
	ck_assert_int_eq(s2o_buf_read_stream(&b, fp, "tmpfile", &err), 0);
	return s2o_buf_take(&b, NULL);
}

START_TEST(test_diags_format)
{
	struct s2o_diags	d;
	struct s2o_err		err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	ck_assert_int_eq(s2o_diags_add(&d, S2O_DIAG_ERROR,
	    S2O_R_CONFIG_INVALID, "bridge.json", 12, 7, "connections[0].name",
	    &err, "must not be empty, found \"%s\"", ""), 0);
	ck_assert_int_eq(s2o_diags_add(&d, S2O_DIAG_WARNING,
	    S2O_R_CONFIG_INVALID, "bridge.json", 0, 0, "clock_skw", &err,
	    "unknown field (did you mean \"%s\"?)", "clock_skew"), 0);
	ck_assert_int_eq(s2o_diags_add(&d, S2O_DIAG_ERROR, S2O_R_IO, NULL,
	    0, 0, "connections[1].mappings", &err, "cannot read %s", "m.json"),
	    0);
	ck_assert_int_eq(s2o_diags_add(&d, S2O_DIAG_ERROR, S2O_R_KEY_UNUSABLE,
	    NULL, 3, 4, NULL, &err, "%s", "no key signs"), 0);
	ck_assert_int_eq(s2o_diags_add(&d, S2O_DIAG_ERROR,
	    S2O_R_MAPPING_INVALID, "m.json", 2, 1, "", &err, "%s",
	    "line\r\nbreak"), 0);
	ck_assert_s2o_ok(&err);

	ck_assert_uint_eq(d.n, 5);
	ck_assert_uint_eq(d.nerrors, 4);
	ck_assert_str_eq(d.v[0].text, "bridge.json:12:7: connections[0].name: "
	    "must not be empty, found \"\"");
	ck_assert_str_eq(d.v[1].text, "bridge.json: warning: clock_skw: "
	    "unknown field (did you mean \"clock_skew\"?)");
	ck_assert_str_eq(d.v[2].text,
	    "connections[1].mappings: cannot read m.json");
	ck_assert_str_eq(d.v[3].text, "no key signs");	/* no file, no pos */
	ck_assert_str_eq(d.v[4].text, "m.json:2:1: line  break");
	ck_assert_int_eq(d.v[0].severity, S2O_DIAG_ERROR);
	ck_assert_int_eq(d.v[0].reason, S2O_R_CONFIG_INVALID);
	ck_assert_uint_eq(d.v[0].line, 12);
	ck_assert_uint_eq(d.v[0].column, 7);
	ck_assert_int_eq(d.v[1].severity, S2O_DIAG_WARNING);
	ck_assert_int_eq(d.v[2].reason, S2O_R_IO);
	ck_assert_uint_eq(d.v[3].line, 3);
	s2o_diags_cleanup(&d);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_ptr_null(d.v);
	s2o_diags_cleanup(&d);	/* idempotent */
}
END_TEST

START_TEST(test_diags_print)
{
	struct s2o_diags	 d;
	struct s2o_err		 err;
	FILE			*fp;
	char			*text;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	s2o_diags_add(&d, S2O_DIAG_ERROR, S2O_R_CONFIG_INVALID, "b.json", 1,
	    2, "a", &err, "first");
	s2o_diags_add(&d, S2O_DIAG_WARNING, S2O_R_CONFIG_INVALID, "b.json",
	    3, 4, "b", &err, "second");
	ck_assert_ptr_nonnull(fp = tmpfile());
	s2o_diags_print(&d, fp);
	text = stream_text(fp);
	ck_assert_str_eq(text,
	    "b.json:1:2: a: first\n"
	    "b.json:3:4: warning: b: second\n");
	free(text);
	fclose(fp);
	s2o_diags_cleanup(&d);
}
END_TEST

START_TEST(test_diags_many)
{
	struct s2o_diags	d;
	struct s2o_err		err;
	unsigned int		i;

	/* every problem is kept, in order, across reallocations */
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	for (i = 1; i <= 100; i++)
		ck_assert_int_eq(s2o_diags_add(&d, i % 3 ? S2O_DIAG_ERROR :
		    S2O_DIAG_WARNING, S2O_R_MAPPING_INVALID, "m.json", i, 1,
		    "x", &err, "problem %u", i), 0);
	ck_assert_uint_eq(d.n, 100);
	ck_assert_uint_eq(d.nerrors, 67);
	ck_assert_str_eq(d.v[0].text, "m.json:1:1: x: problem 1");
	ck_assert_str_eq(d.v[99].text, "m.json:100:1: x: problem 100");
	s2o_diags_cleanup(&d);
}
END_TEST

/* ================================================================ log */

static FILE	*log_fp;

static void
log_setup(void)
{
	log_fp = tmpfile();
	ck_assert_ptr_nonnull(log_fp);
	s2o_log_set_stream(log_fp);
}

static void
log_teardown(void)
{
	s2o_log_set_stream(NULL);
	s2o_log_setup(S2O_LOG_TEXT, S2O_LOG_INFO);
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
}

/* text matches the POSIX extended regular expression re */
static void
assert_matches(const char *text, const char *re)
{
	regex_t	rx;

	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&rx, text, 0, NULL, 0) == 0,
	    "\"%s\" does not match /%s/", text, re);
	regfree(&rx);
}

#define TS_RE	"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"

START_TEST(test_log_text)
{
	struct s2o_err	 err;
	char		*text;

	s2o_log_setup(S2O_LOG_TEXT, S2O_LOG_INFO);
	s2o_log(S2O_LOG_DEBUG, "config", "%s", "filtered out");
	s2o_log(S2O_LOG_WARN, "config", "clock_skew is %d s", 600);
	s2o_log(S2O_LOG_INFO, "http", "%s", "two\r\nlines");
	s2o_err_clear(&err);
	s2o_err_set(&err, S2O_R_SIGNATURE_INVALID, "digest mismatch");
	s2o_log_err(S2O_LOG_ERROR, "saml", &err);
	s2o_log_err(S2O_LOG_DEBUG, "saml", &err);	/* filtered out */
	text = stream_text(log_fp);
	assert_matches(text, "^" TS_RE " warn config: clock_skew is 600 s\n"
	    TS_RE " info http: two  lines\n"
	    TS_RE " error saml: signature_invalid: digest mismatch\n$");
	free(text);
}
END_TEST

static const char *const log_levels[] = { "debug", "info", "warn", "error" };

START_TEST(test_log_levels)
{
	char	*text, re[128];
	int	 l;

	/* a minimum level passes itself and above, nothing below */
	s2o_log_setup(S2O_LOG_TEXT, (enum s2o_log_level)_i);
	for (l = S2O_LOG_DEBUG; l <= S2O_LOG_ERROR; l++)
		s2o_log((enum s2o_log_level)l, "e", "%s", log_levels[l]);
	text = stream_text(log_fp);
	for (l = S2O_LOG_DEBUG; l <= S2O_LOG_ERROR; l++) {
		snprintf(re, sizeof(re), " %s e: %s\n", log_levels[l],
		    log_levels[l]);
		if (l >= _i)
			ck_assert_ptr_nonnull(strstr(text, re));
		else
			ck_assert_ptr_null(strstr(text, re));
	}
	free(text);
}
END_TEST

/* Reads the log as JSON lines, checks there are n of them, returns them. */
static void
read_json_lines(json_t **out, size_t n)
{
	json_error_t	 jerr;
	char		*text, *line, *save = NULL;
	size_t		 i = 0;

	text = stream_text(log_fp);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(i < n, "more than %zu lines: %s", n, line);
		out[i] = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		ck_assert_msg(out[i] != NULL, "not JSON (%s): %s", jerr.text,
		    line);
		ck_assert(json_is_object(out[i]));
		i++;
	}
	ck_assert_uint_eq(i, n);
	free(text);
}

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "field %s missing or not a string",
	    key);
	return json_string_value(v);
}

START_TEST(test_log_json)
{
	struct s2o_err	 err;
	json_t		*o[3];
	size_t		 i;

	s2o_log_setup(S2O_LOG_JSON, S2O_LOG_INFO);
	s2o_log(S2O_LOG_INFO, "http", "listening on %s", "127.0.0.1:8080");
	s2o_log(S2O_LOG_DEBUG, "http", "%s", "filtered out");
	s2o_log(S2O_LOG_WARN, "config", "quote \" backslash \\ nl\n end");
	s2o_err_clear(&err);
	s2o_err_set(&err, S2O_R_AUDIENCE_MISMATCH, "Audience: expected \"%s\"",
	    "https://sp.example/metadata");
	s2o_log_err(S2O_LOG_ERROR, "saml", &err);
	read_json_lines(o, 3);

	ck_assert_uint_eq(json_object_size(o[0]), 4);
	assert_matches(jstr(o[0], "time"), "^" TS_RE "$");
	ck_assert_str_eq(jstr(o[0], "level"), "info");
	ck_assert_str_eq(jstr(o[0], "event"), "http");
	ck_assert_str_eq(jstr(o[0], "msg"), "listening on 127.0.0.1:8080");
	ck_assert_ptr_null(json_object_get(o[0], "reason"));

	ck_assert_str_eq(jstr(o[1], "level"), "warn");
	ck_assert_str_eq(jstr(o[1], "msg"), "quote \" backslash \\ nl  end");

	ck_assert_uint_eq(json_object_size(o[2]), 5);
	ck_assert_str_eq(jstr(o[2], "level"), "error");
	ck_assert_str_eq(jstr(o[2], "event"), "saml");
	ck_assert_str_eq(jstr(o[2], "reason"), "audience_mismatch");
	ck_assert_str_eq(jstr(o[2], "msg"),
	    "Audience: expected \"https://sp.example/metadata\"");
	for (i = 0; i < NELEM(o); i++)
		json_decref(o[i]);
}
END_TEST

START_TEST(test_log_json_invalid_utf8)
{
	struct s2o_err	 err;
	char		 big[S2O_LOG_MAX_LINE + 16];
	json_t		*o[4];
	size_t		 i;

	/*
	 * Input can put any bytes into a message or a detail (an Issuer, an
	 * attribute name). jansson refuses invalid UTF-8, and the line must
	 * still be written: a rejected response must never vanish from
	 * the log because of what it contains.
	 */
	s2o_log_setup(S2O_LOG_JSON, S2O_LOG_INFO);
	s2o_log(S2O_LOG_WARN, "saml", "Issuer \"%s\" unknown",
	    "bad\xff\xfe" "byte \xc3(");
	s2o_err_clear(&err);
	s2o_err_set(&err, S2O_R_ISSUER_MISMATCH, "found \"%s\"",
	    "\xe2\x82 cut \xe2\x82\xac");
	s2o_log_err(S2O_LOG_ERROR, "saml", &err);
	/* a message cut at the line limit inside a UTF-8 sequence */
	memset(big, 'a', sizeof(big));
	for (i = S2O_LOG_MAX_LINE - 10; i + 1 < sizeof(big); i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	big[sizeof(big) - 1] = '\0';
	s2o_log(S2O_LOG_INFO, "saml", "%s", big + 2);
	/* overlong, surrogate, past U+10FFFF, then a valid 4-byte one */
	s2o_log(S2O_LOG_INFO, "saml", "%s",
	    "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xf0\x9f\x98\x80");
	read_json_lines(o, 4);
	ck_assert_str_eq(jstr(o[0], "msg"),
	    "Issuer \"bad??byte ?(\" unknown");
	ck_assert_str_eq(jstr(o[1], "msg"), "found \"?? cut \xe2\x82\xac\"");
	ck_assert_str_eq(jstr(o[1], "reason"), "issuer_mismatch");
	ck_assert_uint_eq(strlen(jstr(o[2], "msg")), S2O_LOG_MAX_LINE - 1);
	ck_assert_int_eq(jstr(o[2], "msg")[S2O_LOG_MAX_LINE - 2], '?');
	ck_assert_str_eq(jstr(o[3], "msg"), "??|???|????|\xf0\x9f\x98\x80");
	for (i = 0; i < NELEM(o); i++)
		json_decref(o[i]);
}
END_TEST

START_TEST(test_log_format_parse)
{
	enum s2o_log_format	f = S2O_LOG_JSON;

	ck_assert_int_eq(s2o_log_format_parse("text", &f), 0);
	ck_assert_int_eq(f, S2O_LOG_TEXT);
	ck_assert_int_eq(s2o_log_format_parse("json", &f), 0);
	ck_assert_int_eq(f, S2O_LOG_JSON);
	ck_assert_int_eq(s2o_log_format_parse("JSON", &f), -1);
	ck_assert_int_eq(s2o_log_format_parse("xml", &f), -1);
	ck_assert_int_eq(s2o_log_format_parse("", &f), -1);
	ck_assert_int_eq(f, S2O_LOG_JSON);
}
END_TEST

/* ============================================================= suite */

static Suite *
core_suite(void)
{
	Suite	*s = suite_create("core");
	TCase	*tc;

	tc = tcase_create("err");
	tcase_add_test(tc, test_err_clear);
	tcase_add_test(tc, test_err_first_wins);
	tcase_add_test(tc, test_err_set_at);
	tcase_add_test(tc, test_err_clear_rearms);
	tcase_add_test(tc, test_err_one_line);
	tcase_add_test(tc, test_err_truncated);
	tcase_add_test(tc, test_err_oom);
	tcase_add_loop_test(tc, test_reason_roundtrip, S2O_R_OK + 1,
	    S2O_R__MAX);
	tcase_add_loop_test(tc, test_reason_pinned, 0, NELEM(pinned_reasons));
	tcase_add_test(tc, test_reason_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_loop_test(tc, test_time_parse_good, 0, NELEM(time_good));
	tcase_add_loop_test(tc, test_time_parse_bad, 0, NELEM(time_bad));
	tcase_add_test(tc, test_time_parse_detail_excerpt);
	tcase_add_loop_test(tc, test_time_parse_cli, 0, NELEM(time_cli));
	tcase_add_test(tc, test_time_format);
	tcase_add_test(tc, test_clock);
	suite_add_tcase(s, tc);

	tc = tcase_create("buf");
	tcase_add_test(tc, test_buf_add);
	tcase_add_test(tc, test_buf_empty_string);
	tcase_add_test(tc, test_buf_ceiling);
	tcase_add_test(tc, test_buf_ceiling_huge_add);
	tcase_add_test(tc, test_buf_printf);
	tcase_add_test(tc, test_buf_printf_ceiling);
	tcase_add_test(tc, test_buf_printf_format_error);
	tcase_add_test(tc, test_buf_printf_oom);
	tcase_add_test(tc, test_buf_secret);
	tcase_add_test(tc, test_buf_read);
	suite_add_tcase(s, tc);

	tc = tcase_create("b64");
	tcase_add_loop_test(tc, test_b64_vector, 0, NELEM(b64_vectors));
	tcase_add_loop_test(tc, test_b64_whitespace, 0, NELEM(b64_space));
	tcase_add_test(tc, test_b64_binary_wrapped);
	tcase_add_loop_test(tc, test_b64_bad, 0, NELEM(b64_bad));
	tcase_add_test(tc, test_b64_max_exact);
	tcase_add_loop_test(tc, test_b64url_bad, 0, NELEM(b64url_bad));
	tcase_add_test(tc, test_b64_all_bytes);
	tcase_add_test(tc, test_b64_looks_like);
	suite_add_tcase(s, tc);

	tc = tcase_create("str");
	tcase_add_loop_test(tc, test_str_distance, 0, NELEM(str_dist));
	tcase_add_loop_test(tc, test_str_nearest, 0, NELEM(str_near));
	tcase_add_loop_test(tc, test_str_excerpt, 0, NELEM(str_exc));
	tcase_add_test(tc, test_str_excerpt_size0);
	tcase_add_test(tc, test_str_equal_ct);
	tcase_add_test(tc, test_str_copy);
	suite_add_tcase(s, tc);

	tc = tcase_create("jsonpos");
	tcase_add_loop_test(tc, test_jsonpos_positions, 0, NELEM(jp_cases));
	tcase_add_test(tc, test_jsonpos_unknown);
	tcase_add_test(tc, test_jsonpos_root_array);
	tcase_add_loop_test(tc, test_jsonpos_escaped_keys, 0,
	    NELEM(jp_escaped));
	tcase_add_test(tc, test_jsonpos_depth);
	tcase_add_loop_test(tc, test_jsonpos_junk, 0, (int)(sizeof(jsonpos_junk) /
	    sizeof(jsonpos_junk[0])));
	tcase_add_loop_test(tc, test_jsonpath_key, 0, NELEM(jp_keys));
	suite_add_tcase(s, tc);

	tc = tcase_create("diag");
	tcase_add_test(tc, test_diags_format);
	tcase_add_test(tc, test_diags_print);
	tcase_add_test(tc, test_diags_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, log_setup, log_teardown);
	tcase_add_test(tc, test_log_text);
	tcase_add_loop_test(tc, test_log_levels, S2O_LOG_DEBUG,
	    S2O_LOG_ERROR + 1);
	tcase_add_test(tc, test_log_json);
	tcase_add_test(tc, test_log_json_invalid_utf8);
	tcase_add_test(tc, test_log_format_parse);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return run_suite(core_suite());
}
