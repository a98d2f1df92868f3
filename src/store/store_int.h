/* SPDX-License-Identifier: MIT */
/*
 * Private to store/: the operations every back end provides and the
 * pieces they share. store.c hashes the key and dispatches; memory.c,
 * file.c and redis.c each implement the operations for one kind of
 * storage. A back end sees a key only as its SHA-256 (hex), so nothing
 * a client sent is kept or sent anywhere verbatim.
 */
#ifndef S2O_STORE_INT_H
#define S2O_STORE_INT_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"

#define STORE_HASH_HEX	65	/* SHA-256 in hex, with NUL */

/*
 * One back end. Every operation gets the namespace, the key's hash and
 * the store's current time; each follows the contract of its public
 * function in store.h.
 */
struct store_ops {
	int	(*claim)(struct s2o_store *st, const char *ns,
		    const char *hash, time_t expires, time_t now,
		    const char *what, struct s2o_err *err);
	int	(*put)(struct s2o_store *st, const char *ns, const char *hash,
		    const char *value, time_t expires, time_t now,
		    struct s2o_err *err);
	int	(*take)(struct s2o_store *st, const char *ns, const char *hash,
		    time_t now, char **value, struct s2o_err *err);
	int	(*get)(struct s2o_store *st, const char *ns, const char *hash,
		    time_t now, char **value, struct s2o_err *err);
	int	(*count)(struct s2o_store *st, const char *ns,
		    const char *hash, time_t window_ends, time_t now,
		    unsigned long *count, time_t *ends, struct s2o_err *err);
	int	(*ping)(struct s2o_store *st, struct s2o_err *err);
	void	(*free)(void *be);
};

struct s2o_store {
	const struct store_ops	*ops;
	const struct s2o_clock	*clock;
	void			*be;	/* the back end's own state */
};

/* A store around be (which it owns from here, even on failure: ops->free
 * releases it). Caller frees with s2o_store_free(). */
struct s2o_store *store_new(const struct store_ops *ops, void *be,
		    const struct s2o_clock *clock, struct s2o_err *err);

/* ---- memory.c: a set of claimed hashes, shared with file.c ----------- */

struct store_claim {
	char	 hash[STORE_HASH_HEX];
	time_t	 expires;
};

struct store_claims {
	struct store_claim	*v;
	size_t			 n, cap;
};

/* Drops the claims expired at now, then adds hash until expires; -1 with
 * S2O_R_REPLAYED ("WHAT was already used") when it is there, or
 * S2O_R_INTERNAL when out of memory. */
int		 store_claims_add(struct store_claims *c, const char *hash,
		    time_t expires, time_t now, const char *what,
		    struct s2o_err *err);
void		 store_claims_cleanup(struct store_claims *c);

#endif
