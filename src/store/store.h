/* SPDX-License-Identifier: MIT */
/*
 * store/: short-lived state with expiry, behind one interface: the replay
 * cache now; pending AuthnRequests, authorization codes and rate-limit
 * counters as the server grows. Back ends: "memory" (one process, the
 * default) and "file" (a replay cache kept across CLI runs, locked with
 * flock(2)). Every operation that makes something single-use is atomic.
 */
#ifndef S2O_STORE_H
#define S2O_STORE_H

#include <time.h>

#include "core/core.h"

struct s2o_store;

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

#endif
