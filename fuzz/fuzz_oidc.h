/* SPDX-License-Identifier: MIT */
/*
 * What the OIDC fuzz targets share: one provider over
 * fixtures/saml/bridge.json (found through $S2O_SRCDIR, made once), a
 * fixed clock, and turning fuzz input into request parameters the way the
 * server's form parser would hand them over.
 */
#ifndef S2O_FUZZ_OIDC_H
#define S2O_FUZZ_OIDC_H

#include <stddef.h>

#include "http/http.h"
#include "oidc/oidc.h"

#define FUZZ_NOW	1700000000	/* the fixed clock */

/* The environment every call uses (made at the first call; its store
 * is the caller's). */
void		 fuzz_oidc_env(struct s2o_oidc_env *env);
/*
 * Splits s (len bytes, "a=b&c=d", '+' for space, %XX escapes) into f
 * (initialised by the caller) as the server would: a repeated name, a
 * bad escape or too many fields ends the parse. Returns 0, or -1 when
 * the server would refuse the request before the endpoint.
 */
int		 fuzz_oidc_params(const char *s, size_t len,
		    struct s2o_http_form *f);

#endif
