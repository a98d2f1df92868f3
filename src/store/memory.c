/* SPDX-License-Identifier: MIT */
/*
 * The memory back end: one process's state behind one mutex. Claims,
 * values and counters sit in hash buckets keyed by the key's hash and are
 * swept a bucket at a time, with a full sweep every SWEEP_EVERY writes:
 * the replay cache holds one claim per accepted assertion until its
 * NotOnOrAfter (tens of thousands at a hundred logins a second), so a
 * claim must not scan them all. Expired is absent:
 * every lookup compares with the time the caller read.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* One claim, single-use value or counter, chained in its hash bucket. */
struct value {
	struct value	*next;
	char		 hash[STORE_HASH_HEX];
	time_t		 expires;
	char		*text;		/* a value; NULL for a claim, a counter */
	unsigned long	 count;		/* a counter's hits in its window */
};

#define NBUCKETS	1024u	/* buckets; chains stay short */
#define SWEEP_EVERY	256u	/* writes between full sweeps */

struct memory {
	pthread_mutex_t		 lock;		/* guards everything below */
	struct value		*claims[NBUCKETS];
	unsigned int		 claimed;	/* since the last sweep */
	struct value		*values[NBUCKETS];
	unsigned int		 puts;		/* since the last sweep */
	struct value		*counters[NBUCKETS];
	unsigned int		 counts;	/* since the last sweep */
};

/* The file back end's flat set, rebuilt from its file at every claim. */
int
store_claims_add(struct store_claims *c, const char *hash, time_t expires,
    time_t now, const char *what, struct s2o_err *err)
{
	struct store_claim	*nv;
	size_t			 i, j = 0;

	for (i = 0; i < c->n; i++)
		if (c->v[i].expires > now)
			c->v[j++] = c->v[i];
	c->n = j;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].hash, hash) == 0)
			return s2o_err_set(err, S2O_R_REPLAYED, "%s was "
			    "already used", what);
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;

		if ((nv = realloc(c->v, nc * sizeof(*nv))) == NULL)
			return s2o_err_oom(err);
		c->v = nv;
		c->cap = nc;
	}
	s2o_strlcpy(c->v[c->n].hash, hash, STORE_HASH_HEX);
	c->v[c->n].expires = expires;
	c->n++;
	return 0;
}

void
store_claims_cleanup(struct store_claims *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

/* The bucket of a key's hash: its first 8 hex digits. */
static size_t
bucket_of(const char *hash)
{
	char	head[9];

	memcpy(head, hash, 8);
	head[8] = '\0';
	return (size_t)(strtoul(head, NULL, 16) % NBUCKETS);
}

/* Unlinks and frees the expired entries of one chain. Lock held. */
static void
sweep_chain(struct value **pp, time_t now)
{
	struct value	*x;

	while ((x = *pp) != NULL) {
		if (x->expires <= now) {
			*pp = x->next;
			free(x->text);
			free(x);
		} else
			pp = &x->next;
	}
}

/* Sweeps the chain at b, or every chain once per SWEEP_EVERY writes. */
static void
sweep(struct value **chains, unsigned int *writes, size_t b, time_t now)
{
	size_t	i;

	if (++*writes >= SWEEP_EVERY) {
		*writes = 0;
		for (i = 0; i < NBUCKETS; i++)
			sweep_chain(&chains[i], now);
	} else
		sweep_chain(&chains[b], now);
}

static struct value *
find(struct value *x, const char *hash)
{
	for (; x != NULL; x = x->next)
		if (strcmp(x->hash, hash) == 0)
			break;
	return x;
}

static int
memory_claim(struct s2o_store *st, const char *ns, const char *hash,
    time_t expires, time_t now, const char *what, struct s2o_err *err)
{
	struct memory	*m = st->be;
	struct value	*x;
	size_t		 b = bucket_of(hash);
	int		 rc = 0;

	(void)ns;	/* in the hash */
	pthread_mutex_lock(&m->lock);
	sweep(m->claims, &m->claimed, b, now);
	if (find(m->claims[b], hash) != NULL)
		rc = s2o_err_set(err, S2O_R_REPLAYED, "%s was already used",
		    what);
	else if ((x = calloc(1, sizeof(*x))) == NULL)
		rc = s2o_err_oom(err);
	else {
		s2o_strlcpy(x->hash, hash, STORE_HASH_HEX);
		x->expires = expires;
		x->next = m->claims[b];
		m->claims[b] = x;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int
memory_put(struct s2o_store *st, const char *ns, const char *hash,
    const char *value, time_t expires, time_t now, struct s2o_err *err)
{
	struct memory	*m = st->be;
	struct value	*x, *nx;
	size_t		 b = bucket_of(hash);

	if ((nx = calloc(1, sizeof(*nx))) == NULL)
		return s2o_err_oom(err);
	if ((nx->text = s2o_strdup(value, err)) == NULL) {
		free(nx);
		return -1;
	}
	s2o_strlcpy(nx->hash, hash, STORE_HASH_HEX);
	nx->expires = expires;
	pthread_mutex_lock(&m->lock);
	sweep(m->values, &m->puts, b, now);
	if ((x = find(m->values[b], hash)) == NULL) {
		nx->next = m->values[b];
		m->values[b] = nx;
	}
	pthread_mutex_unlock(&m->lock);
	if (x != NULL) {
		free(nx->text);
		free(nx);
		return s2o_err_set(err, S2O_R_INTERNAL, "store: %s: key "
		    "already present", ns);
	}
	return 0;
}

static int
memory_take(struct s2o_store *st, const char *ns, const char *hash,
    time_t now, char **value, struct s2o_err *err)
{
	struct memory	*m = st->be;
	struct value	*x, **pp;
	size_t		 b = bucket_of(hash);

	(void)ns;
	(void)err;
	pthread_mutex_lock(&m->lock);
	for (pp = &m->values[b]; (x = *pp) != NULL; pp = &x->next)
		if (strcmp(x->hash, hash) == 0) {
			*pp = x->next;	/* taken: gone for everyone */
			break;
		}
	pthread_mutex_unlock(&m->lock);
	if (x == NULL)
		return 1;
	if (x->expires <= now) {
		free(x->text);
		free(x);
		return 1;
	}
	*value = x->text;
	free(x);
	return 0;
}

static int
memory_get(struct s2o_store *st, const char *ns, const char *hash,
    time_t now, char **value, struct s2o_err *err)
{
	struct memory	*m = st->be;
	struct value	*x;
	int		 rc = 1;

	(void)ns;
	pthread_mutex_lock(&m->lock);
	x = find(m->values[bucket_of(hash)], hash);
	if (x != NULL && x->expires > now)
		/* copied under the lock: a take may free it right after */
		rc = (*value = s2o_strdup(x->text, err)) != NULL ? 0 : -1;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int
memory_count(struct s2o_store *st, const char *ns, const char *hash,
    time_t window_ends, time_t now, unsigned long *count, time_t *ends,
    struct s2o_err *err)
{
	struct memory	*m = st->be;
	struct value	*x, *nx;
	size_t		 b = bucket_of(hash);

	(void)ns;
	/* allocated before the lock; freed unused when the key exists */
	if ((nx = calloc(1, sizeof(*nx))) == NULL)
		return s2o_err_oom(err);
	pthread_mutex_lock(&m->lock);
	sweep(m->counters, &m->counts, b, now);
	if ((x = find(m->counters[b], hash)) == NULL) {
		/* the window starts with its first hit and never moves */
		s2o_strlcpy(nx->hash, hash, STORE_HASH_HEX);
		nx->expires = window_ends;
		nx->next = m->counters[b];
		m->counters[b] = nx;
		x = nx;
		nx = NULL;
	}
	if (x->count < ULONG_MAX)
		x->count++;
	*count = x->count;
	*ends = x->expires;
	pthread_mutex_unlock(&m->lock);
	free(nx);
	return 0;
}

static int
memory_ping(struct s2o_store *st, struct s2o_err *err)
{
	(void)st;
	(void)err;
	return 0;	/* memory is always there */
}

static void
memory_free(void *be)
{
	struct memory	*m = be;
	struct value	*x, *next;
	size_t		 i;

	if (m == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++) {
		for (x = m->values[i]; x != NULL; x = next) {
			next = x->next;
			free(x->text);
			free(x);
		}
		for (x = m->counters[i]; x != NULL; x = next) {
			next = x->next;
			free(x);
		}
		for (x = m->claims[i]; x != NULL; x = next) {
			next = x->next;
			free(x);
		}
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const struct store_ops memory_ops = {
	memory_claim, memory_put, memory_take, memory_get, memory_count,
	memory_ping, memory_free
};

struct s2o_store *
s2o_store_memory_new(const struct s2o_clock *clock, struct s2o_err *err)
{
	struct memory	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		s2o_err_set(err, S2O_R_INTERNAL, "pthread_mutex_init failed");
		return NULL;
	}
	return store_new(&memory_ops, m, clock, err);
}
