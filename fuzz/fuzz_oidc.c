/* SPDX-License-Identifier: MIT */
/* The OIDC fuzz targets' shared setup and parameter parsing (fuzz_oidc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fuzz/fuzz_oidc.h"
#include "saml/saml.h"
#include "token/token.h"

static struct s2o_config	*cfg;
static struct s2o_keyset	*ks;
static struct s2o_oidc_provider	*op;
static struct s2o_saml_sp_keys	*spk;
static struct s2o_clock		 clock_;

static void
setup(void)
{
	const char		*src = getenv("S2O_SRCDIR");
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[4096];

	snprintf(path, sizeof(path), "%s/fixtures/saml/bridge.json",
	    src ? src : ".");
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	if (s2o_saml_init(&err) == -1 ||
	    (cfg = s2o_config_load(path, &d, &err)) == NULL ||
	    (ks = s2o_token_keyset_new(cfg, &err)) == NULL ||
	    (op = s2o_oidc_provider_new(cfg, ks, &err)) == NULL ||
	    (spk = s2o_saml_sp_keys_new(&cfg->sp, &err)) == NULL) {
		fprintf(stderr, "fuzz: %s: %s\n", path, err.detail);
		exit(1);
	}
	s2o_diags_cleanup(&d);
	s2o_clock_init_fixed(&clock_, FUZZ_NOW);
}

void
fuzz_oidc_env(struct s2o_oidc_env *env)
{
	if (op == NULL)
		setup();
	memset(env, 0, sizeof(*env));
	env->op = op;
	env->spk = spk;
	env->clock = &clock_;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes [p, p+n) into out (n + 1 bytes); its length, or -1. */
static long
decode(const char *p, size_t n, char *out)
{
	size_t	i, w = 0;
	int	h, l;

	for (i = 0; i < n; i++) {
		if (p[i] == '+')
			out[w++] = ' ';
		else if (p[i] == '%') {
			if (i + 2 >= n || (h = hexval(p[i + 1])) < 0 ||
			    (l = hexval(p[i + 2])) < 0)
				return -1;
			out[w++] = (char)(h * 16 + l);
			i += 2;
		} else
			out[w++] = p[i];
	}
	out[w] = '\0';
	return (long)w;
}

int
fuzz_oidc_params(const char *s, size_t len, struct s2o_http_form *f)
{
	struct s2o_err	 err;
	const char	*p = s, *end = s + len, *amp, *eq;
	char		*name = NULL, *value = NULL;
	long		 nl, vl;
	int		 rc = -1;

	if ((name = malloc(len + 1)) == NULL ||
	    (value = malloc(len + 1)) == NULL)
		goto out;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		s2o_err_clear(&err);
		if ((nl = decode(p, (size_t)(eq - p), name)) < 0 ||
		    (vl = eq < amp ? decode(eq + 1, (size_t)(amp - eq - 1),
		    value) : 0) < 0)
			goto out;
		if (eq == amp)
			value[0] = '\0';
		/* the server's form refuses NUL in names (MHD) */
		if ((size_t)nl != strlen(name) ||
		    s2o_http_form_add(f, name, value, (size_t)vl, &err) == -1)
			goto out;
		p = amp < end ? amp + 1 : end;
	}
	rc = 0;
out:
	free(name);
	free(value);
	return rc;
}
