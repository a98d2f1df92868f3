/* SPDX-License-Identifier: MIT */
/*
 * saml/: every fixture under fixtures/saml/ runs through the library
 * pipeline (parse, pick the connection, consume) at the instant its meta
 * file names, and must reach exactly the verdict of its expect file:
 * "accept" with the assertion of assertion.json, or "reject <reason>
 * [detail substring]". The table names every fixture directory, and a test
 * checks that none exists beyond it, so no fixture is skipped silently.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "config/config.h"
#include "map/map.h"
#include "saml/saml.h"
#include "store/store.h"
#include "helpers.h"

static const char *const cases[] = {
#include "saml_cases.inc"
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

struct meta {
	char	now[64];
	char	connection[64];
	char	in_response_to[128];
};

static void
read_meta(const char *dir, struct meta *m)
{
	char	 path[512], line[256], *eq, *nl;
	FILE	*fp;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/meta", dir);
	ck_assert_msg((fp = fopen(path, "r")) != NULL, "no %s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "now") == 0)
			s2o_strlcpy(m->now, eq, sizeof(m->now));
		else if (strcmp(line, "connection") == 0)
			s2o_strlcpy(m->connection, eq, sizeof(m->connection));
		else if (strcmp(line, "in_response_to") == 0)
			s2o_strlcpy(m->in_response_to, eq,
			    sizeof(m->in_response_to));
	}
	fclose(fp);
}

static char *
read_input(const char *dir, size_t *len)
{
	char		path[512];
	struct stat	st;

	snprintf(path, sizeof(path), "%s/response.xml", dir);
	if (stat(path, &st) != 0)
		snprintf(path, sizeof(path), "%s/response.b64", dir);
	return fx_read(path, len);
}

static struct s2o_config *
load_config(void)
{
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	cfg = s2o_config_load(fx_path("saml/bridge.json"), &d, &err);
	ck_assert_msg(cfg != NULL, "fixtures/saml/bridge.json: %s",
	    d.n ? d.v[0].text : err.detail);
	s2o_diags_cleanup(&d);
	return cfg;
}

static int
replay_mark(void *ctx, const char *id, time_t expires, struct s2o_err *err)
{
	return s2o_store_claim(ctx, "assertion", id, expires, "assertion ID",
	    err);
}

/*
 * Runs one fixture through the pipeline; returns the assertion or NULL
 * with err set. store may be shared between runs (replay test).
 */
static struct s2o_assertion *
run_case(const struct s2o_config *cfg, const char *dir, struct s2o_store *st,
    const struct s2o_clock *clock, struct s2o_err *err)
{
	struct s2o_saml_response	*r;
	struct s2o_saml_trust		*trust = NULL;
	struct s2o_saml_expect		 exp;
	struct s2o_saml_replay		 replay = { replay_mark, st };
	struct s2o_assertion		*a = NULL;
	struct meta			 m;
	const char			*iss;
	char				*in;
	size_t				 len;

	read_meta(dir, &m);
	in = read_input(dir, &len);
	r = s2o_saml_response_parse(in, len, cfg->max_response_bytes, err);
	free(in);
	if (r == NULL)
		return NULL;
	memset(&exp, 0, sizeof(exp));
	exp.sp = &cfg->sp;
	if (m.connection[0] != '\0')
		exp.conn = s2o_config_connection(cfg, m.connection);
	else if ((iss = s2o_saml_response_issuer(r)) != NULL)
		exp.conn = s2o_config_connection_by_issuer(cfg, iss);
	if (exp.conn == NULL) {
		s2o_err_set(err, S2O_R_ISSUER_MISMATCH, "no connection");
		goto out;
	}
	if ((trust = s2o_saml_trust_new(&cfg->sp, exp.conn, err)) == NULL)
		goto out;
	exp.trust = trust;
	exp.clock = clock;
	exp.clock_skew = cfg->clock_skew;
	exp.in_response_to = m.in_response_to[0] ? m.in_response_to : NULL;
	exp.replay = &replay;
	a = s2o_saml_response_consume(r, &exp, err);
out:
	s2o_saml_trust_free(trust);
	s2o_saml_response_free(r);
	return a;
}

static void
case_clock(const char *dir, struct s2o_clock *clock)
{
	struct meta	m;
	struct s2o_err	err;
	time_t		t;

	read_meta(dir, &m);
	s2o_err_clear(&err);
	ck_assert_msg(s2o_time_parse(m.now, "now", &t, &err) == 0,
	    "%s/meta: %s", dir, err.detail);
	s2o_clock_init_fixed(clock, t);
}

START_TEST(test_saml_fixture)
{
	struct s2o_config	*cfg;
	struct s2o_store	*st;
	struct s2o_assertion	*a;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	char			 dir[512], path[600], want[64], has[200];
	char			*expect, *got, *p;
	json_t			*jwant, *jgot;
	json_error_t		 je;
	int			 n;

	snprintf(dir, sizeof(dir), "%s", fx_path("saml"));
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s",
	    cases[_i]);
	snprintf(path, sizeof(path), "%s/expect", dir);
	expect = fx_read(path, NULL);
	if ((p = strchr(expect, '\n')) != NULL)
		*p = '\0';
	has[0] = '\0';
	n = sscanf(expect, "reject %63s %199[^\n]", want, has);

	ck_assert_int_eq(s2o_saml_init(&err), 0);
	cfg = load_config();
	case_clock(dir, &clock);
	st = s2o_store_memory_new(&clock, &err);
	s2o_err_clear(&err);
	a = run_case(cfg, dir, st, &clock, &err);
	if (n >= 1) {
		ck_assert_msg(a == NULL, "%s: accepted, expected %s", cases[_i],
		    want);
		ck_assert_msg(strcmp(s2o_reason_token(err.reason), want) == 0,
		    "%s: rejected as %s (%s), expected %s", cases[_i],
		    s2o_reason_token(err.reason), err.detail, want);
		if (n == 2)
			ck_assert_msg(strstr(err.detail, has) != NULL,
			    "%s: detail \"%s\" lacks \"%s\"", cases[_i],
			    err.detail, has);
	} else {
		ck_assert_msg(strcmp(expect, "accept") == 0, "%s: bad expect",
		    cases[_i]);
		ck_assert_msg(a != NULL, "%s: rejected as %s: %s", cases[_i],
		    s2o_reason_token(err.reason), err.detail);
		got = s2o_map_assertion_json(a, false, &err);
		ck_assert_ptr_nonnull(got);
		snprintf(path, sizeof(path), "%s/assertion.json", dir);
		jwant = json_load_file(path, 0, &je);
		ck_assert_msg(jwant != NULL, "%s: %s", path, je.text);
		jgot = json_loads(got, 0, &je);
		ck_assert_ptr_nonnull(jgot);
		ck_assert_msg(json_equal(jwant, jgot), "%s: assertion differs:"
		    "\n got  %s", cases[_i], got);
		json_decref(jwant);
		json_decref(jgot);
		free(got);
		/* the same assertion a second time is a replay */
		s2o_assertion_free(a);
		s2o_err_clear(&err);
		a = run_case(cfg, dir, st, &clock, &err);
		ck_assert_ptr_null(a);
		ck_assert_s2o_err(&err, S2O_R_REPLAYED, "already used");
	}
	s2o_assertion_free(a);
	s2o_store_free(st);
	s2o_config_free(cfg);
	free(expect);
	s2o_saml_shutdown();
}
END_TEST

/* Every fixture directory is in the table: none is skipped silently. */
START_TEST(test_saml_fixture_count)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[600];
	struct stat	 st;
	size_t		 n = 0, i;
	bool		 listed;

	ck_assert_ptr_nonnull(d = opendir(fx_path("saml")));
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s/expect", fx_path("saml"),
		    e->d_name);
		if (stat(path, &st) != 0)
			continue;
		n++;
		listed = false;
		for (i = 0; i < NCASES; i++)
			listed |= strcmp(cases[i], e->d_name) == 0;
		ck_assert_msg(listed, "fixture %s is not in saml_cases.inc",
		    e->d_name);
	}
	closedir(d);
	ck_assert_uint_eq(n, NCASES);
}
END_TEST

/* Time checks honour the skew exactly at its edge. */
START_TEST(test_saml_skew_edge)
{
	struct s2o_config	*cfg;
	struct s2o_store	*st;
	struct s2o_assertion	*a;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	time_t			 noa;
	char			 dir[512];

	ck_assert_int_eq(s2o_saml_init(&err), 0);
	cfg = load_config();
	snprintf(dir, sizeof(dir), "%s", fx_path("saml/signed-assertion"));
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_time_parse("2026-11-28T12:05:00Z", "t", &noa,
	    &err), 0);
	/* one second inside the 120 s skew after NotOnOrAfter: accepted */
	s2o_clock_init_fixed(&clock, noa + cfg->clock_skew - 1);
	st = s2o_store_memory_new(&clock, &err);
	a = run_case(cfg, dir, st, &clock, &err);
	ck_assert_msg(a != NULL, "%s", err.detail);
	s2o_assertion_free(a);
	s2o_store_free(st);
	/* at the edge: expired, with the figures in the detail */
	s2o_clock_init_fixed(&clock, noa + cfg->clock_skew);
	st = s2o_store_memory_new(&clock, &err);
	a = run_case(cfg, dir, st, &clock, &err);
	ck_assert_ptr_null(a);
	ck_assert_s2o_err(&err, S2O_R_EXPIRED, "NotOnOrAfter "
	    "2026-11-28T12:05:00Z is 120 s before now (skew 120 s)");
	s2o_store_free(st);
	s2o_config_free(cfg);
	s2o_saml_shutdown();
}
END_TEST

static Suite *
saml_suite(void)
{
	Suite	*s = suite_create("saml");
	TCase	*tc;

	tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, test_saml_fixture, 0, (int)NCASES);
	tcase_add_test(tc, test_saml_fixture_count);
	suite_add_tcase(s, tc);
	tc = tcase_create("validate/time");
	tcase_add_test(tc, test_saml_skew_edge);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(saml_suite());
}
