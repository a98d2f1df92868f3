/* SPDX-License-Identifier: MIT */
/*
 * What bench/load does without HTTP: the connection it drives (keys,
 * mappings, the IdP's signer), the ACS pipeline in this process, the
 * memory run, and the helpers both modes share.
 */
#ifndef S2O_BENCH_INPROC_H
#define S2O_BENCH_INPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "config/config.h"
#include "map/map.h"
#include "saml/saml.h"
#include "store/store.h"
#include "token/token.h"
#include "bench/sign.h"

#define CLIENT		"demo-app"

extern struct s2o_config	*load_cfg;	/* the bench configuration */

/* One connection of the bench configuration: corp (rsa) or corp-ec. */
struct target {
	const char			*conn_name;
	const char			*issuer;
	const struct s2o_connection	*conn;
	struct s2o_saml_trust		*trust;
	struct s2o_mapping		*mapping;
	struct bsign			*signer;
};

void	 die(const char *what) __attribute__((noreturn));
double	 now(clockid_t id);
/* A "VmHWM:"-style field of /proc/PID/status (pid 0: this process). */
long	 proc_kib(long pid, const char *field);
void	 fresh_id(char out[48], const char *kind, size_t i, unsigned int salt);
void	 target_init(struct target *t, const char *fixtures, const char *kind);
void	 target_cleanup(struct target *t);
/* parse, verify, validate (InResponseTo, replay cache st), map; with ks,
 * the ID token's mint too. Exits on any refusal. */
void	 pipeline(const struct target *t, struct s2o_store *st,
	    const struct s2o_clock *clock, const char *doc, size_t len,
	    const char *irt, const struct s2o_keyset *ks);
/* CPU seconds per response of pipeline() over n fresh base64-encoded
 * documents, without and (*with_mint) with the ID token, and (*with_sleep)
 * without it but with a 100 µs sleep between responses (inproc.c). */
double	 in_process(const struct target *t, size_t n,
	    const struct s2o_keyset *ks, double *with_mint, double *with_sleep);
/* Adds o (stolen) under key to the JSON object in the file at path. */
void	 save(const char *path, const char *key, json_t *o);
void	 cmd_memory(const char *fixtures, size_t n, const char *out);

#endif
