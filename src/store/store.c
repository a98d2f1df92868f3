/* SPDX-License-Identifier: MIT */
/*
 * The store interface: hashes every key (SHA-256 of namespace and key),
 * reads the clock once per operation and hands both to the back end that
 * was chosen when the store was made (memory.c, file.c, redis.c). The
 * back ends own atomicity; this file owns nothing but the dispatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/store_int.h"

static int
key_hash(const char *ns, const char *key, char out[STORE_HASH_HEX],
    struct s2o_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen, i;
	EVP_MD_CTX	*c;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return s2o_err_oom(err);
	/* the NUL after ns keeps ("ab","c") apart from ("a","bc") */
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, ns, strlen(ns) + 1) != 1 ||
	    EVP_DigestUpdate(c, key, strlen(key)) != 1 ||
	    EVP_DigestFinal_ex(c, md, &mdlen) != 1) {
		EVP_MD_CTX_free(c);
		return s2o_err_set(err, S2O_R_INTERNAL, "SHA-256 failed");
	}
	EVP_MD_CTX_free(c);
	/* by hand: snprintf("%02x") per byte was most of the cost of a key */
	for (i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[2 * i] = '\0';
	return 0;
}

struct s2o_store *
store_new(const struct store_ops *ops, void *be,
    const struct s2o_clock *clock, struct s2o_err *err)
{
	struct s2o_store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		ops->free(be);
		s2o_err_oom(err);
		return NULL;
	}
	st->ops = ops;
	st->be = be;
	st->clock = clock;
	return st;
}

struct s2o_store *
s2o_store_new(const struct s2o_config_store *cfg,
    const struct s2o_clock *clock, struct s2o_err *err)
{
	if (cfg == NULL || cfg->kind == S2O_STORE_MEMORY)
		return s2o_store_memory_new(clock, err);
	return s2o_store_redis_new(cfg, clock, err);
}

void
s2o_store_free(struct s2o_store *st)
{
	if (st == NULL)
		return;
	st->ops->free(st->be);
	free(st);
}

int
s2o_store_claim(struct s2o_store *st, const char *ns, const char *key,
    time_t expires, const char *what, struct s2o_err *err)
{
	char	hash[STORE_HASH_HEX];

	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	return st->ops->claim(st, ns, hash, expires,
	    s2o_clock_now(st->clock), what, err);
}

int
s2o_store_put(struct s2o_store *st, const char *ns, const char *key,
    const char *value, time_t expires, struct s2o_err *err)
{
	char	hash[STORE_HASH_HEX];

	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	return st->ops->put(st, ns, hash, value, expires,
	    s2o_clock_now(st->clock), err);
}

int
s2o_store_take(struct s2o_store *st, const char *ns, const char *key,
    char **value, struct s2o_err *err)
{
	char	hash[STORE_HASH_HEX];

	*value = NULL;
	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	return st->ops->take(st, ns, hash, s2o_clock_now(st->clock), value,
	    err);
}

int
s2o_store_count(struct s2o_store *st, const char *ns, const char *key,
    time_t window_ends, unsigned long *count, time_t *ends,
    struct s2o_err *err)
{
	char	hash[STORE_HASH_HEX];
	time_t	e;

	*count = 0;
	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	e = window_ends;
	if (st->ops->count(st, ns, hash, window_ends,
	    s2o_clock_now(st->clock), count, &e, err) == -1)
		return -1;
	if (ends != NULL)
		*ends = e;
	return 0;
}

int
s2o_store_ping(struct s2o_store *st, struct s2o_err *err)
{
	return st->ops->ping(st, err);
}

int
s2o_store_get(struct s2o_store *st, const char *ns, const char *key,
    char **value, struct s2o_err *err)
{
	char	hash[STORE_HASH_HEX];

	*value = NULL;
	if (key_hash(ns, key, hash, err) == -1)
		return -1;
	return st->ops->get(st, ns, hash, s2o_clock_now(st->clock), value,
	    err);
}
