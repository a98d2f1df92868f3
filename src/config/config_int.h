/* SPDX-License-Identifier: MIT */
/*
 * Private to config/: the loader's state and the helpers its files share.
 */
#ifndef S2O_CONFIG_INT_H
#define S2O_CONFIG_INT_H

#include <jansson.h>

#include "config/config.h"

struct loader {
	const char		*file;	/* as given, for messages */
	const char		*dir;	/* relative paths resolve here */
	struct s2o_jsonpos	*jp;
	struct s2o_diags	*diags;
	struct s2o_err		*err;
	bool			 oom;
};

/* Adds an error (or warning) at the value (or key) of path. */
void	 cfg_error(struct loader *l, const char *path, bool at_key,
	    const char *fmt, ...) S2O_PRINTF(4, 5);
void	 cfg_warn(struct loader *l, const char *path, const char *fmt, ...)
	    S2O_PRINTF(3, 4);

/* pem.c: read and check one PEM file named at path (its JSON path). */
int	 cfg_pem_read(struct loader *l, const char *path, const char *name,
	    struct s2o_pem *out);
void	 cfg_pem_free(struct s2o_pem *p, bool secret);
void	 cfg_check_certificate(struct loader *l, const char *path,
	    const struct s2o_pem *pem, bool allow_rsa_1024);
void	 cfg_check_private_key(struct loader *l, const char *path,
	    const struct s2o_pem *pem, const char *alg, bool rsa_only);

#endif
