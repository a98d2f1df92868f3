/* SPDX-License-Identifier: MIT */
/*
 * store/: single-use values (put, take once, expiry as absence, the
 * namespace in the key, the file back end refusing them), rate-limit
 * counters (fixed windows, expiry, no lost increment) and the
 * memory store under threads: of many concurrent takes of one key,
 * exactly one gets the value, and concurrent claims of one key succeed
 * exactly once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "helpers.h"

START_TEST(test_put_take_once)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	char			*v = (char *)"x";

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_ptr_nonnull(st = s2o_store_memory_new(&clock, &err));
	ck_assert_int_eq(s2o_store_put(st, "code", "k1", "{\"a\":1}", 1060,
	    &err), 0);
	/* another namespace does not see it */
	ck_assert_int_eq(s2o_store_take(st, "authn", "k1", &v, &err), 1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(s2o_store_take(st, "code", "k1", &v, &err), 0);
	ck_assert_str_eq(v, "{\"a\":1}");
	free(v);
	/* taken: gone */
	ck_assert_int_eq(s2o_store_take(st, "code", "k1", &v, &err), 1);
	ck_assert_ptr_null(v);
	/* never put */
	ck_assert_int_eq(s2o_store_take(st, "code", "k2", &v, &err), 1);
	ck_assert_int_eq(err.reason, S2O_R_OK);
	/* a key present twice is a bug, said so */
	ck_assert_int_eq(s2o_store_put(st, "code", "k3", "a", 1060, &err), 0);
	ck_assert_int_eq(s2o_store_put(st, "code", "k3", "b", 1060, &err), -1);
	ck_assert_int_eq(err.reason, S2O_R_INTERNAL);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_take(st, "code", "k3", &v, &err), 0);
	ck_assert_str_eq(v, "a");
	free(v);
	/* the empty value is a value */
	ck_assert_int_eq(s2o_store_put(st, "code", "", "", 1060, &err), 0);
	ck_assert_int_eq(s2o_store_take(st, "code", "", &v, &err), 0);
	ck_assert_str_eq(v, "");
	free(v);
	s2o_store_free(st);
}
END_TEST

START_TEST(test_expired_is_absent)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	char			*v;
	char			 key[32];
	int			 i;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_ptr_nonnull(st = s2o_store_memory_new(&clock, &err));
	ck_assert_int_eq(s2o_store_put(st, "code", "old", "v", 1060, &err), 0);
	ck_assert_int_eq(s2o_store_put(st, "code", "new", "w", 1061, &err), 0);
	/* at its expiry instant a value is gone */
	s2o_clock_init_fixed(&clock, 1060);
	ck_assert_int_eq(s2o_store_take(st, "code", "old", &v, &err), 1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(s2o_store_take(st, "code", "new", &v, &err), 0);
	ck_assert_str_eq(v, "w");
	free(v);
	/* expired values are swept by later puts; a key may then be reused */
	ck_assert_int_eq(s2o_store_put(st, "code", "k", "1", 1070, &err), 0);
	s2o_clock_init_fixed(&clock, 1070);
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "fill-%d", i);
		ck_assert_int_eq(s2o_store_put(st, "x", key, "v", 1080, &err),
		    0);
	}
	ck_assert_int_eq(s2o_store_put(st, "code", "k", "2", 1090, &err), 0);
	ck_assert_int_eq(s2o_store_take(st, "code", "k", &v, &err), 0);
	ck_assert_str_eq(v, "2");
	free(v);
	s2o_store_free(st);
}
END_TEST

START_TEST(test_file_store_keeps_no_values)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	char			 path[] = "/tmp/s2o-store-XXXXXX";
	char			*v;
	int			 fd;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	ck_assert_ptr_nonnull(st = s2o_store_file_new(path, &clock, &err));
	ck_assert_int_eq(s2o_store_put(st, "code", "k", "v", 1060, &err), -1);
	ck_assert_int_eq(err.reason, S2O_R_STORE_UNAVAILABLE);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_take(st, "code", "k", &v, &err), -1);
	ck_assert_int_eq(err.reason, S2O_R_STORE_UNAVAILABLE);
	ck_assert_ptr_null(v);
	s2o_store_free(st);
	unlink(path);
}
END_TEST

START_TEST(test_count_window)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	unsigned long		 n = 99;
	char			 key[32];
	int			 i;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_ptr_nonnull(st = s2o_store_memory_new(&clock, &err));
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1060, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1060, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 2);
	/* another key, another namespace: their own counters */
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.2", 1060, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(s2o_store_count(st, "other", "10.0.0.1", 1060, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 1);
	/* a counter and a value of one name do not meet */
	ck_assert_int_eq(s2o_store_put(st, "rl", "10.0.0.1", "v", 1060, &err),
	    0);
	/* the window is fixed by the first hit: a later end does not move it */
	s2o_clock_init_fixed(&clock, 1059);
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1119, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 3);
	/* at window_ends the counter is gone and starts again */
	s2o_clock_init_fixed(&clock, 1060);
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1120, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 1);
	/* expired counters are swept; live ones survive the sweep */
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "fill-%d", i);
		ck_assert_int_eq(s2o_store_count(st, "rl", key, 1061, &n,
		    &err), 0);
	}
	s2o_clock_init_fixed(&clock, 1061);
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "fill-%d", i);
		ck_assert_int_eq(s2o_store_count(st, "rl", key, 1200, &n,
		    &err), 0);
		ck_assert_uint_eq(n, 1);
	}
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1120, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(err.reason, S2O_R_OK);
	ck_assert_int_eq(s2o_store_ping(st, &err), 0);
	s2o_store_free(st);
}
END_TEST

START_TEST(test_file_store_keeps_no_counters)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	char			 path[] = "/tmp/s2o-store-XXXXXX";
	unsigned long		 n = 7;
	int			 fd;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	ck_assert_ptr_nonnull(st = s2o_store_file_new(path, &clock, &err));
	ck_assert_int_eq(s2o_store_count(st, "rl", "k", 1060, &n, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, "keeps no counters");
	ck_assert_uint_eq(n, 0);
	s2o_store_free(st);
	unlink(path);
}
END_TEST

/* get reads without taking, until expiry. */
START_TEST(test_get_keeps_value)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	char			*v;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_ptr_nonnull(st = s2o_store_memory_new(&clock, &err));
	ck_assert_int_eq(s2o_store_get(st, "revoked", "k", &v, &err), 1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(s2o_store_put(st, "revoked", "k", "why", 1060, &err),
	    0);
	ck_assert_int_eq(s2o_store_get(st, "revoked", "k", &v, &err), 0);
	ck_assert_str_eq(v, "why");
	free(v);
	ck_assert_int_eq(s2o_store_get(st, "revoked", "k", &v, &err), 0);
	free(v);
	/* another namespace is another key */
	ck_assert_int_eq(s2o_store_get(st, "session", "k", &v, &err), 1);
	s2o_clock_init_fixed(&clock, 1059);
	ck_assert_int_eq(s2o_store_get(st, "revoked", "k", &v, &err), 0);
	free(v);
	s2o_clock_init_fixed(&clock, 1060);
	ck_assert_int_eq(s2o_store_get(st, "revoked", "k", &v, &err), 1);
	ck_assert_ptr_null(v);
	s2o_store_free(st);
}
END_TEST

#define NTHREADS	8
#define NKEYS		200

struct race {
	struct s2o_store	*st;
	pthread_barrier_t	*start;
	int			 got;		/* values taken */
	int			 claimed;	/* claims won */
	unsigned long		 top;		/* highest count seen */
	int			 counted;	/* counts made */
};

static void *
racer(void *arg)
{
	struct race	*r = arg;
	struct s2o_err	 err;
	char		 key[32], *v;
	unsigned long	 n;
	int		 i;

	pthread_barrier_wait(r->start);
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		s2o_err_clear(&err);
		if (s2o_store_take(r->st, "code", key, &v, &err) == 0) {
			r->got++;
			free(v);
		}
		s2o_err_clear(&err);
		if (s2o_store_claim(r->st, "replay", key, 2000, "key",
		    &err) == 0)
			r->claimed++;
		s2o_err_clear(&err);
		if (s2o_store_count(r->st, "rl", "one", 2000, &n, &err) == 0) {
			r->counted++;
			if (n > r->top)
				r->top = n;
		}
	}
	return NULL;
}

START_TEST(test_threads_take_once)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	pthread_barrier_t	 start;
	pthread_t		 t[NTHREADS];
	struct race		 r[NTHREADS];
	char			 key[32];
	unsigned long		 top = 0, n;
	int			 i, got = 0, claimed = 0, counted = 0;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_ptr_nonnull(st = s2o_store_memory_new(&clock, &err));
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		ck_assert_int_eq(s2o_store_put(st, "code", key, "v", 2000,
		    &err), 0);
	}
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		r[i] = (struct race){ st, &start, 0, 0, 0, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, &r[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		got += r[i].got;
		claimed += r[i].claimed;
		counted += r[i].counted;
		if (r[i].top > top)
			top = r[i].top;
	}
	pthread_barrier_destroy(&start);
	ck_assert_int_eq(got, NKEYS);
	ck_assert_int_eq(claimed, NKEYS);
	/* no increment lost: the last count is the number of counts */
	ck_assert_int_eq(counted, NTHREADS * NKEYS);
	ck_assert_uint_eq(top, NTHREADS * NKEYS);
	ck_assert_int_eq(s2o_store_count(st, "rl", "one", 2000, &n, &err), 0);
	ck_assert_uint_eq(n, NTHREADS * NKEYS + 1);
	s2o_store_free(st);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc;

	tc = tcase_create("store/values");
	tcase_add_test(tc, test_put_take_once);
	tcase_add_test(tc, test_expired_is_absent);
	tcase_add_test(tc, test_file_store_keeps_no_values);
	tcase_add_test(tc, test_get_keeps_value);
	tcase_add_test(tc, test_threads_take_once);
	tcase_add_test(tc, test_count_window);
	tcase_add_test(tc, test_file_store_keeps_no_counters);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(store_suite());
}
