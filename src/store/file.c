/* SPDX-License-Identifier: MIT */
/*
 * The file back end: a replay cache kept across CLI runs. The file holds
 * one line per claim, "EXPIRES HASH", and is read, checked, rewritten
 * without the expired lines and synced under flock(2), so the
 * read-check-write is one step for every process that names the file.
 * It keeps claims only: values and counters belong to a server's store.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/store_int.h"

struct file {
	char			*path;
	pthread_mutex_t		 lock;		/* guards claims */
	struct store_claims	 claims;	/* the file's, while locked */
};

static int
file_load(struct file *f, FILE *fp, struct s2o_err *err)
{
	struct s2o_err	 e;
	char		 line[128], hash[STORE_HASH_HEX];
	long long	 exp;

	f->claims.n = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%lld %64s", &exp, hash) != 2 ||
		    strlen(hash) != STORE_HASH_HEX - 1)
			continue;	/* a torn line from a crash */
		s2o_err_clear(&e);
		if (store_claims_add(&f->claims, hash, (time_t)exp, 0, "entry",
		    &e) == -1 && e.reason == S2O_R_INTERNAL)
			return s2o_err_oom(err);
	}
	return 0;
}

static int
locked_claim(struct file *f, const char *hash, time_t expires, time_t now,
    const char *what, struct s2o_err *err)
{
	FILE	*fp;
	size_t	 i;
	int	 fd, rc = -1;

	if ((fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay "
		    "cache %s: %s", f->path, strerror(errno));
	/* the lock makes read-check-write one step for every process */
	if (flock(fd, LOCK_EX) == -1 || (fp = fdopen(fd, "r+")) == NULL) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    f->path, strerror(errno));
		close(fd);
		return -1;
	}
	if (file_load(f, fp, err) == -1 ||
	    store_claims_add(&f->claims, hash, expires, now, what, err) == -1)
		goto out;
	/* rewrite without the expired entries */
	if (fseek(fp, 0, SEEK_SET) != 0 || ftruncate(fd, 0) != 0) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    f->path, strerror(errno));
		goto out;
	}
	for (i = 0; i < f->claims.n; i++)
		fprintf(fp, "%lld %s\n", (long long)f->claims.v[i].expires,
		    f->claims.v[i].hash);
	if (fflush(fp) != 0 || fsync(fd) != 0) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    f->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	fclose(fp);	/* closes fd and releases the lock */
	return rc;
}

static int
file_claim(struct s2o_store *st, const char *ns, const char *hash,
    time_t expires, time_t now, const char *what, struct s2o_err *err)
{
	struct file	*f = st->be;
	int		 rc;

	(void)ns;	/* in the hash */
	pthread_mutex_lock(&f->lock);
	rc = locked_claim(f, hash, expires, now, what, err);
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static int
file_put(struct s2o_store *st, const char *ns, const char *hash,
    const char *value, time_t expires, time_t now, struct s2o_err *err)
{
	(void)st; (void)ns; (void)hash; (void)value; (void)expires; (void)now;
	return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "the file store "
	    "keeps no values; use the memory store");
}

/* take and get alike */
static int
file_take(struct s2o_store *st, const char *ns, const char *hash,
    time_t now, char **value, struct s2o_err *err)
{
	(void)st; (void)ns; (void)hash; (void)now; (void)value;
	return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "the file store "
	    "keeps no values; use the memory store");
}

static int
file_count(struct s2o_store *st, const char *ns, const char *hash,
    time_t window_ends, time_t now, unsigned long *count, time_t *ends,
    struct s2o_err *err)
{
	(void)st; (void)ns; (void)hash; (void)window_ends; (void)now;
	(void)count; (void)ends;
	return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "the file store "
	    "keeps no counters; use the memory store");
}

static int
file_ping(struct s2o_store *st, struct s2o_err *err)
{
	struct file	*f = st->be;
	int		 fd;

	if ((fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay "
		    "cache %s: %s", f->path, strerror(errno));
	close(fd);
	return 0;
}

static void
file_free(void *be)
{
	struct file	*f = be;

	if (f == NULL)
		return;
	store_claims_cleanup(&f->claims);
	pthread_mutex_destroy(&f->lock);
	free(f->path);
	free(f);
}

static const struct store_ops file_ops = {
	file_claim, file_put, file_take, file_take, file_count, file_ping,
	file_free
};

struct s2o_store *
s2o_store_file_new(const char *path, const struct s2o_clock *clock,
    struct s2o_err *err)
{
	struct file	*f;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		s2o_err_set(err, S2O_R_STORE_UNAVAILABLE, "replay cache %s: %s",
		    path, strerror(errno));
		return NULL;
	}
	close(fd);
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	if (pthread_mutex_init(&f->lock, NULL) != 0) {
		free(f);
		s2o_err_set(err, S2O_R_INTERNAL, "pthread_mutex_init failed");
		return NULL;
	}
	if ((f->path = s2o_strdup(path, err)) == NULL) {
		file_free(f);
		return NULL;
	}
	return store_new(&file_ops, f, clock, err);
}
