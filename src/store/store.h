/* SPDX-License-Identifier: MIT */
/*
 * store/: short-lived state with expiry, behind one interface: the replay
 * cache, pending AuthnRequests, authorization codes and rate-limit
 * counters. Back ends: "memory" (one process, the default), "redis"
 * (every instance that names one Redis server) and "file" (a replay
 * cache kept across CLI runs, locked with flock(2)).
 * Every operation that makes something single-use is atomic in every
 * back end, and a store may be shared by threads.
 */
#ifndef S2O_STORE_H
#define S2O_STORE_H

#include <time.h>

#include "core/core.h"
#include "config/config.h"

struct s2o_store;

/*
 * The store the configuration names (cfg NULL: memory). Caller frees
 * with s2o_store_free(). A Redis store connects at its first operation,
 * not here: a bridge starts while Redis is down and answers
 * S2O_R_STORE_UNAVAILABLE until it is back (see s2o_store_ping()).
 */
struct s2o_store *s2o_store_new(const struct s2o_config_store *cfg,
		    const struct s2o_clock *clock, struct s2o_err *err);
/*
 * A Redis store (cfg->kind is not checked). Copies what it needs from
 * cfg. Caller frees with s2o_store_free(). S2O_R_CONFIG_INVALID when cfg
 * has no host or port, or a prefix longer than S2O_STORE_MAX_PREFIX.
 * Its operations are safe to call from any thread; each is one atomic
 * Redis command and fails with S2O_R_STORE_UNAVAILABLE (the server named,
 * never the password) when Redis cannot answer within cfg->timeout_ms.
 */
struct s2o_store *s2o_store_redis_new(const struct s2o_config_store *cfg,
		    const struct s2o_clock *clock, struct s2o_err *err);

/* One process's memory. Caller frees with s2o_store_free(). */
struct s2o_store *s2o_store_memory_new(const struct s2o_clock *clock,
		    struct s2o_err *err);
/*
 * A file of claimed keys (only their SHA-256 is written), shared by every
 * process that names it. Caller frees with s2o_store_free(). The file is
 * created 0600 on first use; S2O_R_STORE_UNAVAILABLE when it cannot be.
 */
struct s2o_store *s2o_store_file_new(const char *path,
		    const struct s2o_clock *clock, struct s2o_err *err);
void		 s2o_store_free(struct s2o_store *st);

/*
 * Claims key in namespace ns until expires (an absolute time): succeeds
 * once; any later claim before expiry fails with S2O_R_REPLAYED, naming
 * what in the detail. S2O_R_STORE_UNAVAILABLE when the store cannot
 * answer: callers fail closed.
 */
int		 s2o_store_claim(struct s2o_store *st, const char *ns,
		    const char *key, time_t expires, const char *what,
		    struct s2o_err *err);

/*
 * Single-use values (pending AuthnRequests, authorization codes): put
 * stores a copy of value under (ns, key) until expires (an absolute
 * time); take returns it and removes it in one atomic step, so of two
 * concurrent takes exactly one gets it. Keys are kept only as their
 * SHA-256; values are kept as given (they are the server's own data).
 * Both are safe to call from any thread. Memory and Redis only: the
 * file back end answers S2O_R_STORE_UNAVAILABLE.
 *
 * put: 0, or -1 with S2O_R_INTERNAL (key already present, which for
 * random keys means a bug; or out of memory) or S2O_R_STORE_UNAVAILABLE.
 * take: 0 with *value set (caller frees with free()); 1 with *value NULL
 * when the key is absent, already taken or expired; -1 with err set.
 */
int		 s2o_store_put(struct s2o_store *st, const char *ns,
		    const char *key, const char *value, time_t expires,
		    struct s2o_err *err);
int		 s2o_store_take(struct s2o_store *st, const char *ns,
		    const char *key, char **value, struct s2o_err *err);
/*
 * Reads the value under (ns, key) without removing it (revocation
 * entries, bridge sessions): 0 with *value a copy (caller frees with
 * free()); 1 with *value NULL when absent or expired; -1 with err set
 * (S2O_R_INTERNAL, S2O_R_STORE_UNAVAILABLE).
 */
int		 s2o_store_get(struct s2o_store *st, const char *ns,
		    const char *key, char **value, struct s2o_err *err);

/*
 * A counter for rate limits: adds one to the counter (ns, key) and sets
 * *count to its new value, in one atomic step. A counter that does not
 * exist (or whose window is over) starts at 1 and lives until
 * window_ends (an absolute time), which later calls do not move: a fixed
 * window that starts with its first hit. When ends is not NULL, *ends is
 * set to the end of the counter's window (for Retry-After). Safe to call
 * from any thread. 0, or -1 with S2O_R_INTERNAL
 * (out of memory) or S2O_R_STORE_UNAVAILABLE (callers fail closed: a
 * count that could not be taken is not a count under the limit); *count
 * is 0 on failure. The file back end answers S2O_R_STORE_UNAVAILABLE.
 */
int		 s2o_store_count(struct s2o_store *st, const char *ns,
		    const char *key, time_t window_ends, unsigned long *count,
		    time_t *ends, struct s2o_err *err);

/*
 * Whether the store answers (for /readyz): 0, or -1 with
 * S2O_R_STORE_UNAVAILABLE and a detail naming what failed.
 */
int		 s2o_store_ping(struct s2o_store *st, struct s2o_err *err);

#endif
