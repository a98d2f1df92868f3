/* SPDX-License-Identifier: MIT */
/*
 * The store interface and its two back ends for single-use claims. Keys
 * are hashed (SHA-256 of namespace and key) so nothing a client sent is
 * stored or written verbatim.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "store/store.h"

#define DIGEST_HEX	65	/* SHA-256 in hex, with NUL */
#define STORE_MAX_FILE	(64u << 20)	/* bytes, replay cache file */

struct entry {
	char	 hash[DIGEST_HEX];
	time_t	 expires;
};

/* One single-use value, chained in its hash bucket. */
struct value {
	struct value	*next;
	char		 hash[DIGEST_HEX];
	time_t		 expires;
	char		*text;		/* a value; NULL for a counter */
	unsigned long	 count;		/* a counter's hits in its window */
};

#define NBUCKETS	1024u	/* value buckets; chains stay short */
#define SWEEP_EVERY	256u	/* puts between sweeps of expired values */

struct s2o_store {
	const struct s2o_clock	*clock;
	char			*path;		/* file back end, else NULL */
	pthread_mutex_t		 lock;		/* guards everything below */
	struct entry		*v;		/* memory back end: claims */
	size_t			 n, cap;
	struct value		*values[NBUCKETS];
	size_t			 nvalues;
	unsigned int		 puts;		/* since the last sweep */
	struct value		*counters[NBUCKETS];
	unsigned int		 counts;	/* since the last sweep */
};

static int
key_hash(const char *ns, const char *key, char out[DIGEST_HEX],
    struct s2o_err *err)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen, i;
	EVP_MD_CTX	*c;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return s2o_err_oom(err);
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, ns, strlen(ns) + 1) != 1 ||
	    EVP_DigestUpdate(c, key, strlen(key)) != 1 ||
	    EVP_DigestFinal_ex(c, md, &mdlen) != 1) {
		EVP_MD_CTX_free(c);
		return s2o_err_set(err, S2O_R_INTERNAL, "SHA-256 failed");
	}
	EVP_MD_CTX_free(c);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

struct s2o_store *
s2o_store_memory_new(const struct s2o_clock *clock, struct s2o_err *err)
{
	struct s2o_store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	st->clock = clock;
	if (pthread_mutex_init(&st->lock, NULL) != 0) {
		free(st);
		s2o_err_set(err, S2O_R_INTERNAL, "pthread_mutex_init failed");
		return NULL;
	}
	return st;
}

struct s2o_store *
s2o_store_file_new(const char *path, const struct s2o_clock *clock,
    struct s2o_err *err)
{
	struct s2o_store	*st;
	int			 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    path, strerror(errno));
		return NULL;
	}
	close(fd);
	if ((st = s2o_store_memory_new(clock, err)) == NULL)
		return NULL;
	if ((st->path = s2o_strdup(path, err)) == NULL) {
		s2o_store_free(st);
		return NULL;
	}
	return st;
}

void
s2o_store_free(struct s2o_store *st)
{
	struct value	*x, *next;
	size_t		 i;

	if (st == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++) {
		for (x = st->values[i]; x != NULL; x = next) {
			next = x->next;
			free(x->text);
			free(x);
		}
		for (x = st->counters[i]; x != NULL; x = next) {
			next = x->next;
			free(x);
		}
	}
	pthread_mutex_destroy(&st->lock);
	free(st->v);
	free(st->path);
	free(st);
}

/* Drops expired entries, then claims hash; -1 with REPLAYED if present. */
static int
memory_claim(struct s2o_store *st, const char *hash, time_t expires,
    time_t now, const char *what, struct s2o_err *err)
{
	struct entry	*nv;
	size_t		 i, j = 0;

	for (i = 0; i < st->n; i++)
		if (st->v[i].expires > now)
			st->v[j++] = st->v[i];
	st->n = j;
	for (i = 0; i < st->n; i++)
		if (strcmp(st->v[i].hash, hash) == 0)
			return s2o_err_set(err, S2O_R_REPLAYED, "%s was "
			    "already used", what);
	if (st->n == st->cap) {
		size_t nc = st->cap ? st->cap * 2 : 64;

		if ((nv = realloc(st->v, nc * sizeof(*nv))) == NULL)
			return s2o_err_oom(err);
		st->v = nv;
		st->cap = nc;
	}
	s2o_strlcpy(st->v[st->n].hash, hash, DIGEST_HEX);
	st->v[st->n].expires = expires;
	st->n++;
	return 0;
}

static int
file_load(struct s2o_store *st, FILE *fp, struct s2o_err *err)
{
	struct s2o_err	 e;
	char		 line[128], hash[DIGEST_HEX];
	long long	 exp;

	st->n = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%lld %64s", &exp, hash) != 2 ||
		    strlen(hash) != DIGEST_HEX - 1)
			continue;	/* a torn line from a crash */
		s2o_err_clear(&e);
		if (memory_claim(st, hash, (time_t)exp, 0, "entry", &e) == -1
		    && e.reason == S2O_R_INTERNAL)
			return s2o_err_oom(err);
	}
	return 0;
}

static int
file_claim(struct s2o_store *st, const char *hash, time_t expires,
    time_t now, const char *what, struct s2o_err *err)
{
	FILE	*fp;
	size_t	 i;
	int	 fd, rc = -1;

	if ((fd = open(st->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay "
		    "cache %s: %s", st->path, strerror(errno));
	/* the lock makes read-check-write one step for every process */
	if (flock(fd, LOCK_EX) == -1 || (fp = fdopen(fd, "r+")) == NULL) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    st->path, strerror(errno));
		close(fd);
		return -1;
	}
	if (file_load(st, fp, err) == -1 ||
	    memory_claim(st, hash, expires, now, what, err) == -1)
		goto out;
	/* rewrite without the expired entries */
	if (fseek(fp, 0, SEEK_SET) != 0 || ftruncate(fd, 0) != 0) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    st->path, strerror(errno));
		goto out;
	}
	for (i = 0; i < st->n; i++)
		fprintf(fp, "%lld %s\n", (long long)st->v[i].expires,
		    st->v[i].hash);
	if (fflush(fp) != 0 || fsync(fd) != 0) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    st->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	fclose(fp);	/* closes fd and releases the lock */
	return rc;
}

int
s2o_store_claim(struct s2o_store *st, const char *ns, const char *key,
    time_t expires, const char *what, struct s2o_err *err)
{
	char	hash[DIGEST_HEX];
	time_t	now = s2o_clock_now(st->clock);
	int	rc;

	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	pthread_mutex_lock(&st->lock);
	if (st->path != NULL)
		rc = file_claim(st, hash, expires, now, what, err);
	else
		rc = memory_claim(st, hash, expires, now, what, err);
	pthread_mutex_unlock(&st->lock);
	return rc;
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

/* Unlinks and frees the expired values of one chain. Lock held. */
static void
sweep_chain(struct s2o_store *st, struct value **pp, time_t now)
{
	struct value	*x;

	while ((x = *pp) != NULL) {
		if (x->expires <= now) {
			*pp = x->next;
			free(x->text);
			free(x);
			st->nvalues--;
		} else
			pp = &x->next;
	}
}

/* Unlinks and frees the counters whose window is over. Lock held. */
static void
sweep_counters(struct value **pp, time_t now)
{
	struct value	*x;

	while ((x = *pp) != NULL) {
		if (x->expires <= now) {
			*pp = x->next;
			free(x);
		} else
			pp = &x->next;
	}
}

int
s2o_store_put(struct s2o_store *st, const char *ns, const char *key,
    const char *value, time_t expires, struct s2o_err *err)
{
	char		 hash[DIGEST_HEX];
	time_t		 now = s2o_clock_now(st->clock);
	struct value	*x, *nx;
	size_t		 b, i;

	if (st->path != NULL)
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "the file "
		    "store keeps no values; use the memory store");
	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	if ((nx = calloc(1, sizeof(*nx))) == NULL)
		return s2o_err_oom(err);
	if ((nx->text = s2o_strdup(value, err)) == NULL) {
		free(nx);
		return -1;
	}
	s2o_strlcpy(nx->hash, hash, DIGEST_HEX);
	nx->expires = expires;
	b = bucket_of(hash);
	pthread_mutex_lock(&st->lock);
	if (++st->puts >= SWEEP_EVERY) {
		st->puts = 0;
		for (i = 0; i < NBUCKETS; i++)
			sweep_chain(st, &st->values[i], now);
	} else
		sweep_chain(st, &st->values[b], now);
	for (x = st->values[b]; x != NULL; x = x->next)
		if (strcmp(x->hash, hash) == 0)
			break;
	if (x == NULL) {
		nx->next = st->values[b];
		st->values[b] = nx;
		st->nvalues++;
	}
	pthread_mutex_unlock(&st->lock);
	if (x != NULL) {
		free(nx->text);
		free(nx);
		return s2o_err_set(err, S2O_R_INTERNAL, "store: %s: key "
		    "already present", ns);
	}
	return 0;
}

int
s2o_store_take(struct s2o_store *st, const char *ns, const char *key,
    char **value, struct s2o_err *err)
{
	char		 hash[DIGEST_HEX];
	time_t		 now = s2o_clock_now(st->clock);
	struct value	*x, **pp;
	size_t		 b;

	*value = NULL;
	if (st->path != NULL)
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "the file "
		    "store keeps no values; use the memory store");
	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	b = bucket_of(hash);
	pthread_mutex_lock(&st->lock);
	for (pp = &st->values[b]; (x = *pp) != NULL; pp = &x->next)
		if (strcmp(x->hash, hash) == 0) {
			*pp = x->next;	/* taken: gone for everyone */
			st->nvalues--;
			break;
		}
	pthread_mutex_unlock(&st->lock);
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

int
s2o_store_count(struct s2o_store *st, const char *ns, const char *key,
    time_t window_ends, unsigned long *count, struct s2o_err *err)
{
	char		 hash[DIGEST_HEX];
	time_t		 now = s2o_clock_now(st->clock);
	struct value	*x, *nx;
	size_t		 b, i;

	*count = 0;
	if (st->path != NULL)
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "the file "
		    "store keeps no counters; use the memory store");
	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	/* allocated before the lock; freed unused when the key exists */
	if ((nx = calloc(1, sizeof(*nx))) == NULL)
		return s2o_err_oom(err);
	b = bucket_of(hash);
	pthread_mutex_lock(&st->lock);
	if (++st->counts >= SWEEP_EVERY) {
		st->counts = 0;
		for (i = 0; i < NBUCKETS; i++)
			sweep_counters(&st->counters[i], now);
	} else
		sweep_counters(&st->counters[b], now);
	for (x = st->counters[b]; x != NULL; x = x->next)
		if (strcmp(x->hash, hash) == 0)
			break;
	if (x == NULL) {
		/* the window starts with its first hit and never moves */
		s2o_strlcpy(nx->hash, hash, DIGEST_HEX);
		nx->expires = window_ends;
		nx->next = st->counters[b];
		st->counters[b] = nx;
		x = nx;
		nx = NULL;
	}
	if (x->count < ULONG_MAX)
		x->count++;
	*count = x->count;
	pthread_mutex_unlock(&st->lock);
	free(nx);
	return 0;
}

int
s2o_store_ping(struct s2o_store *st, struct s2o_err *err)
{
	(void)st;
	(void)err;
	return 0;	/* memory and file stores are always there */
}

int
s2o_store_get(struct s2o_store *st, const char *ns, const char *key,
    char **value, struct s2o_err *err)
{
	char		 hash[DIGEST_HEX];
	time_t		 now = s2o_clock_now(st->clock);
	struct value	*x;
	size_t		 b;
	int		 rc = 1;

	*value = NULL;
	if (st->path != NULL)
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "the file "
		    "store keeps no values; use the memory store");
	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	b = bucket_of(hash);
	pthread_mutex_lock(&st->lock);
	for (x = st->values[b]; x != NULL; x = x->next)
		if (strcmp(x->hash, hash) == 0)
			break;
	if (x != NULL && x->expires > now) {
		/* copied under the lock: a take may free it right after */
		rc = (*value = s2o_strdup(x->text, err)) != NULL ? 0 : -1;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}
