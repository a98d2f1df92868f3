/* SPDX-License-Identifier: MIT */
/*
 * The Redis back end: state shared by every instance that names one Redis
 * server. Each operation is one atomic command, so no read-then-write
 * race exists between instances: a claim and a put are SET NX PX, a take
 * is GETDEL (Redis 6.2 and later), a get is GET, a count is INCR with its PEXPIRE in
 * one Lua script. Keys are "<prefix><namespace>:<SHA-256 hex>".
 *
 * One connection per store, guarded by a mutex: the commands are short
 * and the server's workers are few, and a single connection keeps the
 * reconnect logic in one place. Every wait is bounded by the configured
 * timeout (connect and each command). A broken connection is dropped and
 * made again on the next call; while Redis stays unreachable, attempts
 * are spaced by a backoff that doubles up to BACKOFF_MAX_MS, and calls in
 * between fail at once. Every failure is S2O_R_STORE_UNAVAILABLE naming
 * the server (never its password), so callers fail closed.
 *
 * hiredis 0.14 (Debian 12) has no TLS: the configuration refuses
 * rediss:// before a store is made (docs/deployment.md shows a tunnel).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#include <openssl/crypto.h>

#include "store/store_int.h"

#define BACKOFF_MIN_MS	100	/* ms, first wait after a failed connect */
#define BACKOFF_MAX_MS	2000	/* ms, longest wait between attempts */
#define KEY_MAX		(S2O_STORE_MAX_PREFIX + 32 + STORE_HASH_HEX)
#define TTL_MAX_MS	(366LL * 86400 * 1000)	/* ms, a year: no overflow */

/* INCR, and PEXPIRE when the counter starts (or lost its expiry): the
 * window is fixed by the first hit, as in the memory store. Answers the
 * count and the milliseconds left in the window. */
static const char count_script[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "local t = redis.call('PTTL', KEYS[1]) "
    "if n == 1 or t < 0 then "
    "redis.call('PEXPIRE', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end "
    "return {n, t}";

struct redis {
	pthread_mutex_t	 lock;		/* guards everything below */
	redisContext	*c;		/* NULL while disconnected */
	char		*host;
	int		 port;
	unsigned int	 db;
	char		*username;	/* or NULL */
	char		*password;	/* or NULL; wiped when freed */
	char		*prefix;
	unsigned int	 timeout_ms;
	char		 shown[300];	/* "redis HOST:PORT/DB" */
	struct timespec	 retry_at;	/* monotonic: no attempt before */
	unsigned int	 backoff_ms;	/* the next wait after a failure */
	bool		 down;		/* the outage has been logged */
	char		 why[160];	/* why the last attempt failed */
};

static struct timespec
mono_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static bool
before(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec &&
	    a.tv_nsec < b.tv_nsec);
}

static long
ms_until(struct timespec from, struct timespec to)
{
	return (long)(to.tv_sec - from.tv_sec) * 1000 +
	    (to.tv_nsec - from.tv_nsec) / 1000000;
}

/* Whether a context broke because the timeout passed (hiredis reports
 * the EAGAIN of its blocking socket). */
static bool
timed_out(const redisContext *c)
{
	return c != NULL && c->err == REDIS_ERR_IO &&
	    strstr(c->errstr, "temporarily unavailable") != NULL;
}

/* What hiredis said about a broken context, in words an operator reads. */
static void
describe(const struct redis *r, const redisContext *c, char *out,
    size_t size)
{
	if (c == NULL)
		snprintf(out, size, "out of memory");
	else if (timed_out(c))
		snprintf(out, size, "no answer within %u ms", r->timeout_ms);
	else if (c->err == REDIS_ERR_EOF)
		snprintf(out, size, "connection closed by the server");
	else
		snprintf(out, size, "%s", c->errstr[0] != '\0' ? c->errstr :
		    "I/O error");
}

/*
 * Drops the connection after a failure described by why, and schedules
 * the next attempt: at once when a working connection broke (Redis may
 * have restarted), after the backoff otherwise. The first
 * failure of an outage is logged; later ones are not, until it ends.
 */
static void
drop(struct redis *r, const char *why, bool was_connected)
{
	struct timespec	now = mono_now();
	long		ns;

	if (r->c != NULL) {
		redisFree(r->c);
		r->c = NULL;
	}
	s2o_strlcpy(r->why, why, sizeof(r->why));
	if (was_connected) {
		r->retry_at = now;
		r->backoff_ms = BACKOFF_MIN_MS;
	} else {
		ns = now.tv_nsec + (long)(r->backoff_ms % 1000) * 1000000;
		r->retry_at.tv_sec = now.tv_sec + r->backoff_ms / 1000 +
		    ns / 1000000000;
		r->retry_at.tv_nsec = ns % 1000000000;
		r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ?
		    BACKOFF_MAX_MS : r->backoff_ms * 2;
	}
	if (!r->down) {
		r->down = true;
		s2o_log(S2O_LOG_WARN, "store", "%s: unavailable: %s; requests "
		    "that need state fail until it answers (reconnecting "
		    "with backoff)", r->shown, why);
	}
}

/* One command on a connected context; NULL and the context dropped when
 * the connection failed. */
static redisReply *
command(struct redis *r, int argc, const char **argv, const size_t *lens,
    struct s2o_err *err)
{
	redisReply	*rep;
	char		 why[160];

	rep = redisCommandArgv(r->c, argc, argv, lens);
	if (rep == NULL) {
		describe(r, r->c, why, sizeof(why));
		/* a closed connection is tried again at once (Redis may have
		 * restarted); a server that does not answer gets the backoff,
		 * or every queued request would wait out its own timeout */
		drop(r, why, !timed_out(r->c));
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: %s: %s",
		    r->shown, argv[0], why);
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(why, sizeof(why), "%s refused: %.*s", argv[0],
		    (int)(rep->len > 120 ? 120 : rep->len), rep->str);
		/* the server answered, so the connection stays; but a
		 * replica (after a failover) will never take a write: connect
		 * again, to whatever the address now leads to */
		if (strncmp(rep->str, "READONLY", 8) == 0)
			drop(r, why, false);
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: %s", r->shown,
		    why);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

/* AUTH and SELECT on a fresh context; -1 with why set. */
static int
handshake(struct redis *r, char *why, size_t size)
{
	const char	*argv[3];
	redisReply	*rep;
	char		 db[16];
	int		 argc = 0, i;

	for (i = 0; i < 2; i++) {
		if (i == 0 && r->password != NULL) {
			argv[argc++] = "AUTH";
			if (r->username != NULL)	/* Redis 6 ACL */
				argv[argc++] = r->username;
			argv[argc++] = r->password;
		} else if (i == 1 && r->db != 0) {
			snprintf(db, sizeof(db), "%u", r->db);
			argv[argc++] = "SELECT";
			argv[argc++] = db;
		} else
			continue;
		rep = redisCommandArgv(r->c, argc, argv, NULL);
		if (rep == NULL) {
			describe(r, r->c, why, size);
			return -1;
		}
		if (rep->type != REDIS_REPLY_STATUS) {
			/* never the password: only what the server said */
			snprintf(why, size, "%s refused: %.*s", argv[0],
			    rep->type == REDIS_REPLY_ERROR ? (int)(rep->len >
			    120 ? 120 : rep->len) : 0, rep->type ==
			    REDIS_REPLY_ERROR ? rep->str : "");
			freeReplyObject(rep);
			return -1;
		}
		freeReplyObject(rep);
		argc = 0;
	}
	return 0;
}

/* Makes sure a connection is there; -1 with STORE_UNAVAILABLE. Lock held. */
static int
connected(struct redis *r, struct s2o_err *err)
{
	struct timeval	tv;
	struct timespec	now;
	char		why[160];

	if (r->c != NULL)
		return 0;
	now = mono_now();
	if (before(now, r->retry_at))
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: "
		    "unavailable (%s); next attempt in %ld ms", r->shown,
		    r->why, ms_until(now, r->retry_at));
	tv.tv_sec = r->timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(r->timeout_ms % 1000) * 1000;
	r->c = redisConnectWithTimeout(r->host, r->port, tv);
	if (r->c == NULL || r->c->err != 0) {
		describe(r, r->c, why, sizeof(why));
		drop(r, why, false);
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: cannot "
		    "connect: %s", r->shown, why);
	}
	if (redisSetTimeout(r->c, tv) != REDIS_OK)
		snprintf(why, sizeof(why), "cannot set the command timeout");
	else if (handshake(r, why, sizeof(why)) == 0) {
		r->backoff_ms = BACKOFF_MIN_MS;
		s2o_log(S2O_LOG_INFO, "store", "%s: connected%s", r->shown,
		    r->down ? " again" : "");
		r->down = false;
		return 0;
	}
	drop(r, why, false);
	return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: %s", r->shown,
	    why);
}

/* "<prefix><ns>:<hash>" into out (KEY_MAX). */
static void
make_key(const struct redis *r, const char *ns, const char *hash,
    char *out)
{
	snprintf(out, KEY_MAX, "%s%s:%s", r->prefix, ns, hash);
}

/* Milliseconds from now to an absolute time, at least 1 (Redis refuses
 * PX 0: a value already expired still lives a moment, then is gone). */
static void
ttl_ms(time_t expires, time_t now, char *out, size_t size)
{
	long long	ms = ((long long)expires - (long long)now) * 1000;

	if (ms < 1)
		ms = 1;
	if (ms > TTL_MAX_MS)
		ms = TTL_MAX_MS;
	snprintf(out, size, "%lld", ms);
}

/* SET key value NX PX ttl: 1 set, 0 already there, -1 error. Lock held. */
static int
set_nx(struct redis *r, const char *key, const char *value, time_t expires,
    time_t now, struct s2o_err *err)
{
	const char	*argv[6];
	size_t		 lens[6];
	redisReply	*rep;
	char		 px[32];
	int		 i, rc;

	ttl_ms(expires, now, px, sizeof(px));
	argv[0] = "SET";
	argv[1] = key;
	argv[2] = value;
	argv[3] = "NX";
	argv[4] = "PX";
	argv[5] = px;
	for (i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	if (connected(r, err) == -1 ||
	    (rep = command(r, 6, argv, lens, err)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_NIL)
		rc = 0;
	else if (rep->type == REDIS_REPLY_STATUS)
		rc = 1;
	else
		rc = s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: SET: "
		    "unexpected reply type %d", r->shown, rep->type);
	freeReplyObject(rep);
	return rc;
}

static int
redis_claim(struct s2o_store *st, const char *ns, const char *hash,
    time_t expires, time_t now, const char *what, struct s2o_err *err)
{
	struct redis	*r = st->be;
	char		 key[KEY_MAX];
	int		 rc;

	make_key(r, ns, hash, key);
	pthread_mutex_lock(&r->lock);
	rc = set_nx(r, key, "1", expires, now, err);
	pthread_mutex_unlock(&r->lock);
	if (rc == 0)
		return s2o_err_set(err, S2O_R_REPLAYED, "%s was already used",
		    what);
	return rc == 1 ? 0 : -1;
}

static int
redis_put(struct s2o_store *st, const char *ns, const char *hash,
    const char *value, time_t expires, time_t now, struct s2o_err *err)
{
	struct redis	*r = st->be;
	char		 key[KEY_MAX];
	int		 rc;

	make_key(r, ns, hash, key);
	pthread_mutex_lock(&r->lock);
	rc = set_nx(r, key, value, expires, now, err);
	pthread_mutex_unlock(&r->lock);
	if (rc == 0)
		return s2o_err_set(err, S2O_R_INTERNAL, "store: %s: key "
		    "already present", ns);
	return rc == 1 ? 0 : -1;
}

/* GETDEL (take) or GET (get) a value. */
static int
fetch(struct s2o_store *st, const char *cmd, const char *ns,
    const char *hash, char **value, struct s2o_err *err)
{
	struct redis	*r = st->be;
	const char	*argv[2];
	redisReply	*rep;
	char		 key[KEY_MAX];
	int		 rc = -1;

	make_key(r, ns, hash, key);
	argv[0] = cmd;
	argv[1] = key;
	pthread_mutex_lock(&r->lock);
	if (connected(r, err) == -1 ||
	    (rep = command(r, 2, argv, NULL, err)) == NULL) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	pthread_mutex_unlock(&r->lock);
	if (rep->type == REDIS_REPLY_NIL)
		rc = 1;
	else if (rep->type != REDIS_REPLY_STRING)
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: %s: "
		    "unexpected reply type %d", r->shown, cmd, rep->type);
	else if (rep->len > S2O_STORE_MAX_VALUE)
		s2o_err_set(err, S2O_R_TOO_LARGE, "%s: %s: a value of %zu "
		    "bytes, more than %d", r->shown, cmd, (size_t)rep->len,
		    S2O_STORE_MAX_VALUE);
	else if ((*value = malloc(rep->len + 1)) == NULL)
		s2o_err_oom(err);
	else {
		memcpy(*value, rep->str, rep->len);
		(*value)[rep->len] = '\0';
		rc = 0;
	}
	freeReplyObject(rep);
	return rc;
}

static int
redis_take(struct s2o_store *st, const char *ns, const char *hash,
    time_t now, char **value, struct s2o_err *err)
{
	(void)now;	/* Redis expires the key itself */
	return fetch(st, "GETDEL", ns, hash, value, err);
}

static int
redis_get(struct s2o_store *st, const char *ns, const char *hash,
    time_t now, char **value, struct s2o_err *err)
{
	(void)now;
	return fetch(st, "GET", ns, hash, value, err);
}

static int
redis_count(struct s2o_store *st, const char *ns, const char *hash,
    time_t window_ends, time_t now, unsigned long *count, time_t *ends,
    struct s2o_err *err)
{
	struct redis	*r = st->be;
	const char	*argv[5];
	redisReply	*rep;
	char		 key[KEY_MAX], px[32];
	int		 rc = -1;

	make_key(r, ns, hash, key);
	ttl_ms(window_ends, now, px, sizeof(px));
	argv[0] = "EVAL";
	argv[1] = count_script;
	argv[2] = "1";
	argv[3] = key;
	argv[4] = px;
	pthread_mutex_lock(&r->lock);
	if (connected(r, err) == -1 ||
	    (rep = command(r, 5, argv, NULL, err)) == NULL) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	pthread_mutex_unlock(&r->lock);
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[0]->type == REDIS_REPLY_INTEGER &&
	    rep->element[0]->integer > 0 &&
	    rep->element[1]->type == REDIS_REPLY_INTEGER) {
		*count = (unsigned long)rep->element[0]->integer;
		/* whole seconds left, rounded up: never a Retry-After of 0
		 * while the window is still open */
		*ends = now + (time_t)((rep->element[1]->integer + 999) / 1000);
		rc = 0;
	} else
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: EVAL: "
		    "unexpected reply type %d", r->shown, rep->type);
	freeReplyObject(rep);
	return rc;
}

static int
redis_ping(struct s2o_store *st, struct s2o_err *err)
{
	struct redis	*r = st->be;
	const char	*argv[1] = { "PING" };
	redisReply	*rep;
	int		 rc = -1;

	pthread_mutex_lock(&r->lock);
	if (connected(r, err) == 0 &&
	    (rep = command(r, 1, argv, NULL, err)) != NULL) {
		if (rep->type == REDIS_REPLY_STATUS)
			rc = 0;
		else
			s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "%s: PING: "
			    "unexpected reply type %d", r->shown, rep->type);
		freeReplyObject(rep);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static void
redis_free(void *be)
{
	struct redis	*r = be;

	if (r == NULL)
		return;
	if (r->c != NULL)
		redisFree(r->c);
	if (r->password != NULL)
		OPENSSL_cleanse(r->password, strlen(r->password));
	free(r->password);
	free(r->username);
	free(r->host);
	free(r->prefix);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static const struct store_ops redis_ops = {
	redis_claim, redis_put, redis_take, redis_get, redis_count,
	redis_ping, redis_free
};

struct s2o_store *
s2o_store_redis_new(const struct s2o_config_store *cfg,
    const struct s2o_clock *clock, struct s2o_err *err)
{
	struct redis	*r;

	if (cfg->host == NULL || cfg->port == 0 || cfg->port > 65535) {
		s2o_err_set(err, S2O_R_CONFIG_INVALID, "store: a Redis store "
		    "needs a host and a port from 1 to 65535");
		return NULL;
	}
	if (cfg->prefix != NULL &&
	    strlen(cfg->prefix) > S2O_STORE_MAX_PREFIX) {
		s2o_err_set(err, S2O_R_CONFIG_INVALID, "store: the key prefix "
		    "is longer than %d bytes", S2O_STORE_MAX_PREFIX);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		s2o_err_set(err, S2O_R_INTERNAL, "pthread_mutex_init failed");
		return NULL;
	}
	r->port = (int)cfg->port;
	r->db = cfg->db;
	r->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms : 1000;
	r->backoff_ms = BACKOFF_MIN_MS;
	snprintf(r->shown, sizeof(r->shown), strchr(cfg->host, ':') != NULL ?
	    "redis [%.200s]:%u/%u" : "redis %.200s:%u/%u", cfg->host,
	    cfg->port, cfg->db);
	if ((r->host = s2o_strdup(cfg->host, err)) == NULL ||
	    (r->prefix = s2o_strdup(cfg->prefix != NULL ? cfg->prefix :
	    "saml2oidc:", err)) == NULL ||
	    (cfg->username != NULL &&
	    (r->username = s2o_strdup(cfg->username, err)) == NULL) ||
	    (cfg->password != NULL &&
	    (r->password = s2o_strdup(cfg->password, err)) == NULL)) {
		redis_free(r);
		return NULL;
	}
	return store_new(&redis_ops, r, clock, err);
}
