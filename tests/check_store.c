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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <hiredis/hiredis.h>
#include <openssl/evp.h>

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
	time_t			 ends = 0;
	char			 key[32];
	int			 i;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_ptr_nonnull(st = s2o_store_memory_new(&clock, &err));
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1060, &n,
	    NULL, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1060, &n,
	    NULL, &err), 0);
	ck_assert_uint_eq(n, 2);
	/* another key, another namespace: their own counters */
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.2", 1060, &n,
	    NULL, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(s2o_store_count(st, "other", "10.0.0.1", 1060, &n,
	    NULL, &err), 0);
	ck_assert_uint_eq(n, 1);
	/* a counter and a value of one name do not meet */
	ck_assert_int_eq(s2o_store_put(st, "rl", "10.0.0.1", "v", 1060, &err),
	    0);
	/* the window is fixed by the first hit: a later end does not move it */
	s2o_clock_init_fixed(&clock, 1059);
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1119, &n,
	    &ends, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ends, 1060);
	/* at window_ends the counter is gone and starts again */
	s2o_clock_init_fixed(&clock, 1060);
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1120, &n,
	    NULL, &err), 0);
	ck_assert_uint_eq(n, 1);
	/* expired counters are swept; live ones survive the sweep */
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "fill-%d", i);
		ck_assert_int_eq(s2o_store_count(st, "rl", key, 1061, &n,
		    NULL, &err), 0);
	}
	s2o_clock_init_fixed(&clock, 1061);
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "fill-%d", i);
		ck_assert_int_eq(s2o_store_count(st, "rl", key, 1200, &n,
		    NULL, &err), 0);
		ck_assert_uint_eq(n, 1);
	}
	ck_assert_int_eq(s2o_store_count(st, "rl", "10.0.0.1", 1120, &n,
	    NULL, &err), 0);
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
	ck_assert_int_eq(s2o_store_count(st, "rl", "k", 1060, &n, NULL, &err), -1);
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

/* the racers' namespaces: values, claims, the counter */
static char	race_ns[64] = "code", race_claim_ns[64] = "replay";
static char	race_count_ns[64] = "rl";

struct race {
	struct s2o_store	*st;
	const struct s2o_clock	*clock;
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
		if (s2o_store_take(r->st, race_ns, key, &v, &err) == 0) {
			r->got++;
			free(v);
		}
		s2o_err_clear(&err);
		if (s2o_store_claim(r->st, race_claim_ns, key,
		    s2o_clock_now(r->clock) + 60, "key", &err) == 0)
			r->claimed++;
		s2o_err_clear(&err);
		if (s2o_store_count(r->st, race_count_ns, "one",
		    s2o_clock_now(r->clock) + 60, &n, NULL, &err) == 0) {
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
		r[i] = (struct race){ st, &clock, &start, 0, 0, 0, 0 };
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
	ck_assert_int_eq(s2o_store_count(st, "rl", "one", 1060, &n, NULL, &err), 0);
	ck_assert_uint_eq(n, NTHREADS * NKEYS + 1);
	s2o_store_free(st);
}
END_TEST

/* ---- the Redis back end ----------------------------------------------- */


static struct s2o_config_store
redis_cfg(unsigned int port, const char *password)
{
	struct s2o_config_store	c;

	memset(&c, 0, sizeof(c));
	c.kind = S2O_STORE_REDIS;
	c.host = (char *)"127.0.0.1";
	c.port = port;
	c.password = (char *)password;
	c.prefix = (char *)"s2o-test:";
	c.timeout_ms = 200;
	return c;
}

/* Every operation fails closed, naming the server and the cause; while
 * the backoff runs, calls fail at once and say when the next try is. */
START_TEST(test_redis_refused)
{
	struct s2o_clock	 clock;
	struct s2o_config_store	 c;
	struct s2o_store	*st;
	struct s2o_err		 err;
	unsigned long		 n = 7;
	char			 want[128], *v = (char *)"x";

	s2o_clock_init_fixed(&clock, 1000);
	c = redis_cfg(s2o_test_free_port(), "hunter2");
	s2o_err_clear(&err);
	/* made without connecting: a bridge starts while Redis is down */
	ck_assert_ptr_nonnull(st = s2o_store_new(&c, &clock, &err));
	snprintf(want, sizeof(want), "redis 127.0.0.1:%u/0: cannot connect: "
	    "Connection refused", c.port);
	ck_assert_int_eq(s2o_store_claim(st, "assertion", "id-1", 1060,
	    "this assertion ID", &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, want);
	ck_assert_ptr_null(strstr(err.detail, "hunter2"));
	snprintf(want, sizeof(want), "redis 127.0.0.1:%u/0: unavailable "
	    "(Connection refused); next attempt in ", c.port);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_put(st, "code", "k", "v", 1060, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, want);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_take(st, "code", "k", &v, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, want);
	ck_assert_ptr_null(v);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_count(st, "rl", "k", 1060, &n, NULL, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, want);
	ck_assert_uint_eq(n, 0);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_ping(st, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, want);
	s2o_store_free(st);
	/* no host: refused when made */
	c.host = NULL;
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_store_new(&c, &clock, &err));
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "needs a host");
}
END_TEST

/* A server that accepts the connection and never answers: the command
 * gives up after the timeout instead of holding the caller. */
START_TEST(test_redis_silent)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	struct s2o_clock	 clock;
	struct s2o_config_store	 c;
	struct s2o_store	*st;
	struct s2o_err		 err;
	int			 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);	/* the kernel accepts */
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	s2o_clock_init_fixed(&clock, 1000);
	c = redis_cfg(ntohs(sa.sin_port), NULL);
	c.timeout_ms = 100;
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(st = s2o_store_new(&c, &clock, &err));
	ck_assert_int_eq(s2o_store_claim(st, "assertion", "id-1", 1060,
	    "this assertion ID", &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, ": SET: no answer "
	    "within 100 ms");
	/* the next call does not wait again: the backoff runs */
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_ping(st, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, "unavailable (no "
	    "answer within 100 ms); next attempt in ");
	s2o_store_free(st);
	close(fd);
}
END_TEST

/*
 * Against a real Redis, when the test command gives one (tests/redis.sh
 * sets S2O_REDIS_PORT and S2O_REDIS_PASSWORD); otherwise these return at
 * once and redis.sh is the test that fails if Redis cannot be started.
 */
static struct s2o_store *
live_store(const struct s2o_clock *clock, const char *password)
{
	struct s2o_config_store	 c;
	struct s2o_err		 err;
	struct s2o_store	*st;
	const char		*port = getenv("S2O_REDIS_PORT");

	if (port == NULL)
		return NULL;
	c = redis_cfg((unsigned int)strtoul(port, NULL, 10), password);
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(st = s2o_store_new(&c, clock, &err));
	return st;
}

/* The key a value is kept under: prefix, namespace, SHA-256 of ns NUL key. */
static void
redis_key(const char *ns, const char *key, char *out, size_t size)
{
	unsigned char	md[32];
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	unsigned int	i, mdlen;
	size_t		n;

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, ns, strlen(ns) + 1);
	EVP_DigestUpdate(c, key, strlen(key));
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	n = (size_t)snprintf(out, size, "s2o-test:%s:", ns);
	for (i = 0; i < mdlen; i++)
		snprintf(out + n + 2 * i, size - n - 2 * i, "%02x", md[i]);
}

static int
atoi_port(void)
{
	return (int)strtol(getenv("S2O_REDIS_PORT"), NULL, 10);
}

/* A command sent with hiredis directly; its integer answer, or 0. */
static long long
live_command(const char *fmt, const char *arg)
{
	redisContext	*c;
	redisReply	*r;
	long long	 n = 0;

	c = redisConnect("127.0.0.1", atoi_port());
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->err, 0);
	r = redisCommand(c, "AUTH %s", getenv("S2O_REDIS_PASSWORD"));
	freeReplyObject(r);
	r = arg != NULL ? redisCommand(c, fmt, arg) : redisCommand(c, fmt);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_ne(r->type, REDIS_REPLY_ERROR);
	if (r->type == REDIS_REPLY_INTEGER)
		n = r->integer;
	freeReplyObject(r);
	redisFree(c);
	return n;
}

/* PTTL of a key. */
static long long
live_pttl(const char *key)
{
	return live_command("PTTL %s", key);
}

START_TEST(test_redis_live)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st, *other;
	struct s2o_err		 err;
	unsigned long		 n;
	time_t			 ends = 0;
	char			*v, key[160], ns[64], want[160];
	long long		 ms;

	s2o_clock_init_system(&clock);
	if ((st = live_store(&clock, getenv("S2O_REDIS_PASSWORD"))) == NULL)
		return;
	other = live_store(&clock, getenv("S2O_REDIS_PASSWORD"));
	/* a namespace of its own per run: Redis outlives the test */
	snprintf(ns, sizeof(ns), "code-%ld", (long)getpid());
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_ping(st, &err), 0);
	/* one store puts, another takes, once */
	ck_assert_int_eq(s2o_store_put(st, ns, "k1", "{\"a\":1}",
	    s2o_clock_now(&clock) + 60, &err), 0);
	redis_key(ns, "k1", key, sizeof(key));
	ms = live_pttl(key);
	ck_assert_msg(ms > 55000 && ms <= 60000, "PTTL %lld", ms);
	ck_assert_int_eq(s2o_store_put(st, ns, "k1", "b",
	    s2o_clock_now(&clock) + 60, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_INTERNAL, "already present");
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_take(other, "authn", "k1", &v, &err), 1);
	/* get reads without taking, from either store */
	ck_assert_int_eq(s2o_store_get(other, ns, "k1", &v, &err), 0);
	ck_assert_str_eq(v, "{\"a\":1}");
	free(v);
	ck_assert_int_eq(s2o_store_get(st, ns, "k1", &v, &err), 0);
	free(v);
	ck_assert_int_eq(s2o_store_get(st, ns, "k9", &v, &err), 1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(s2o_store_take(other, ns, "k1", &v, &err), 0);
	ck_assert_str_eq(v, "{\"a\":1}");
	free(v);
	ck_assert_int_eq(s2o_store_take(st, ns, "k1", &v, &err), 1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(live_pttl(key), -2);	/* gone */
	/* the empty value is a value */
	ck_assert_int_eq(s2o_store_put(st, ns, "", "",
	    s2o_clock_now(&clock) + 60, &err), 0);
	ck_assert_int_eq(s2o_store_take(other, ns, "", &v, &err), 0);
	ck_assert_str_eq(v, "");
	free(v);
	/* claims: once across stores */
	ck_assert_int_eq(s2o_store_claim(st, ns, "id-1",
	    s2o_clock_now(&clock) + 60, "this assertion ID", &err), 0);
	ck_assert_int_eq(s2o_store_claim(other, ns, "id-1",
	    s2o_clock_now(&clock) + 60, "this assertion ID", &err), -1);
	ck_assert_s2o_err(&err, S2O_R_REPLAYED, "this assertion ID was "
	    "already used");
	s2o_err_clear(&err);
	/* counters: shared, the window fixed by the first hit */
	ck_assert_int_eq(s2o_store_count(st, ns, "10.0.0.1",
	    s2o_clock_now(&clock) + 30, &n, NULL, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(s2o_store_count(other, ns, "10.0.0.1",
	    s2o_clock_now(&clock) + 300, &n, &ends, &err), 0);
	ck_assert_uint_eq(n, 2);
	/* the window the first hit set, as Redis counts it down */
	ck_assert_msg(ends > s2o_clock_now(&clock) + 25 &&
	    ends <= s2o_clock_now(&clock) + 30, "ends %lld",
	    (long long)(ends - s2o_clock_now(&clock)));
	redis_key(ns, "10.0.0.1", key, sizeof(key));
	ms = live_pttl(key);
	ck_assert_msg(ms > 25000 && ms <= 30000, "PTTL %lld", ms);
	ck_assert_int_eq(err.reason, S2O_R_OK);
	s2o_store_free(other);
	/* a wrong password: refused with what the server said, not ours */
	other = live_store(&clock, "not-the-password");
	ck_assert_int_eq(s2o_store_ping(other, &err), -1);
	snprintf(want, sizeof(want), "redis 127.0.0.1:%s/0: AUTH refused: "
	    "WRONGPASS", getenv("S2O_REDIS_PORT"));
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, want);
	ck_assert_ptr_null(strstr(err.detail, "not-the-password"));
	s2o_store_free(other);
	/* a primary turned replica (a failover) refuses writes: refused,
	 * and the store connects again rather than insist */
	live_command("REPLICAOF 127.0.0.1 1", NULL);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_claim(st, ns, "id-2",
	    s2o_clock_now(&clock) + 60, "this assertion ID", &err), -1);
	ck_assert_s2o_err(&err, S2O_R_STORE_UNAVAILABLE, ": SET refused: "
	    "READONLY");
	live_command("REPLICAOF NO ONE", NULL);
	s2o_store_free(st);
}
END_TEST

/* Threads of two stores race for the same codes and claims on one
 * Redis: each is won exactly once. */
START_TEST(test_redis_race)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st[2];
	struct s2o_err		 err;
	pthread_barrier_t	 start;
	pthread_t		 t[NTHREADS];
	struct race		 r[NTHREADS];
	char			 key[32];
	unsigned long		 n;
	int			 i, got = 0, claimed = 0;

	s2o_clock_init_system(&clock);
	if ((st[0] = live_store(&clock, getenv("S2O_REDIS_PASSWORD"))) == NULL)
		return;
	st[1] = live_store(&clock, getenv("S2O_REDIS_PASSWORD"));
	s2o_err_clear(&err);
	snprintf(race_ns, sizeof(race_ns), "race-%ld", (long)getpid());
	snprintf(race_claim_ns, sizeof(race_claim_ns), "race-claim-%ld",
	    (long)getpid());
	snprintf(race_count_ns, sizeof(race_count_ns), "race-count-%ld",
	    (long)getpid());
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		ck_assert_int_eq(s2o_store_put(st[0], race_ns, key, "v",
		    s2o_clock_now(&clock) + 60, &err), 0);
	}
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		r[i] = (struct race){ st[i % 2], &clock, &start, 0, 0, 0,
		    0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, &r[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		got += r[i].got;
		claimed += r[i].claimed;
	}
	pthread_barrier_destroy(&start);
	ck_assert_int_eq(got, NKEYS);
	ck_assert_int_eq(claimed, NKEYS);
	/* and no increment lost between two connections */
	ck_assert_int_eq(s2o_store_count(st[1], race_count_ns, "one",
	    s2o_clock_now(&clock) + 60, &n, NULL, &err), 0);
	ck_assert_uint_eq(n, NTHREADS * NKEYS + 1);
	s2o_store_free(st[0]);
	s2o_store_free(st[1]);
}
END_TEST

/* The memory store's replay cache: among thousands of live claims each is
 * refused a second time with its reason and detail, another namespace is
 * another key, and a claim past its expiry (swept then) may be made again. */
START_TEST(test_claims_many_and_expiry)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	char			 key[32];
	int			 i;

	s2o_err_clear(&err);
	s2o_clock_init_fixed(&clock, 1000);
	ck_assert_ptr_nonnull(st = s2o_store_memory_new(&clock, &err));
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "_assert-%d", i);
		ck_assert_int_eq(s2o_store_claim(st, "assertion", key,
		    1000 + 300 + i % 2, "this assertion ID", &err), 0);
	}
	for (i = 0; i < 5000; i += 499) {
		snprintf(key, sizeof(key), "_assert-%d", i);
		ck_assert_int_eq(s2o_store_claim(st, "assertion", key, 1300,
		    "this assertion ID", &err), -1);
		ck_assert_s2o_err(&err, S2O_R_REPLAYED,
		    "this assertion ID was already used");
		s2o_err_clear(&err);
	}
	ck_assert_int_eq(s2o_store_claim(st, "other", "_assert-0", 1300,
	    "key", &err), 0);
	/* at 1300 the even claims have expired, the odd ones not yet */
	s2o_clock_init_fixed(&clock, 1300);
	ck_assert_int_eq(s2o_store_claim(st, "assertion", "_assert-0", 1600,
	    "this assertion ID", &err), 0);
	ck_assert_int_eq(s2o_store_claim(st, "assertion", "_assert-1", 1600,
	    "this assertion ID", &err), -1);
	ck_assert_s2o_err(&err, S2O_R_REPLAYED, "already used");
	s2o_err_clear(&err);
	/* sweeps of every chain run as claims go on; nothing live is lost */
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "_later-%d", i);
		ck_assert_int_eq(s2o_store_claim(st, "assertion", key, 1600,
		    "this assertion ID", &err), 0);
	}
	ck_assert_int_eq(s2o_store_claim(st, "assertion", "_assert-4999", 1600,
	    "this assertion ID", &err), -1);
	ck_assert_s2o_err(&err, S2O_R_REPLAYED, "already used");
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_store_claim(st, "assertion", "_assert-4998", 1600,
	    "this assertion ID", &err), 0);
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
	tc = tcase_create("store/claims");
	tcase_add_test(tc, test_claims_many_and_expiry);
	suite_add_tcase(s, tc);
	tc = tcase_create("store/redis");
	tcase_add_test(tc, test_redis_refused);
	tcase_add_test(tc, test_redis_silent);
	tcase_add_test(tc, test_redis_live);
	tcase_add_test(tc, test_redis_race);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(store_suite());
}
