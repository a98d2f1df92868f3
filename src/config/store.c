/* SPDX-License-Identifier: MIT */
/*
 * The top-level "store" and its companions: "memory" (the default) or a
 * Redis URL, redis://[user[:password]@]host[:port][/db], with the
 * password (and user) optionally from environment variables named by
 * store_password_env and store_username_env, a key prefix and a timeout.
 * Everything is checked here, at load, so a typo never reaches a running
 * bridge. A password is never shown: messages quote the URL with the
 * password replaced by "****".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/config_int.h"

#define DEFAULT_REDIS_PORT	6379
#define DEFAULT_PREFIX		"saml2oidc:"
#define DEFAULT_TIMEOUT_MS	1000	/* ms, connect and each command */
#define MIN_TIMEOUT_MS		10	/* ms */
#define MAX_TIMEOUT_MS		60000	/* ms */
#define MAX_DB			65535	/* Redis "databases" is far lower */
#define SHOWN_URL_MAX		160	/* bytes of a URL shown */

/* The URL with any password replaced by "****", cut to SHOWN_URL_MAX. */
static void
redact(const char *url, char *out, size_t size)
{
	const char	*scheme = strstr(url, "://");
	const char	*auth, *at, *colon;
	char		 tmp[1024];

	auth = scheme != NULL ? scheme + 3 : url;
	at = strchr(auth, '@');
	colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon != NULL)
		snprintf(tmp, sizeof(tmp), "%.*s****%s", (int)(colon + 1 - url),
		    url, at);
	else
		snprintf(tmp, sizeof(tmp), "%s", url);
	s2o_str_excerpt(out, size, tmp, SHOWN_URL_MAX);
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

/* A percent-decoded copy of s[0..n) (caller frees), or NULL: *bad when
 * the escapes are wrong or decode to NUL, else out of memory. */
static char *
pct_decode(const char *s, size_t n, bool *bad)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	*bad = false;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n)
			goto bad;
		if ((hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0 ||
		    (hi == 0 && lo == 0))
			goto bad;
		*o++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*o = '\0';
	return out;
bad:
	OPENSSL_cleanse(out, n + 1);
	free(out);
	*bad = true;
	return NULL;
}

/* An unsigned decimal of s[0..n) from 0 to max; -1 when it is not. */
static long
decimal(const char *s, size_t n, long max)
{
	long	v = 0;
	size_t	i;

	if (n == 0 || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Parses a redis:// URL into st; false with why set (a phrase). */
static bool
parse_redis_url(const char *url, struct s2o_config_store *st,
    const char **why, bool *oom)
{
	const char	*p = url + strlen("redis://"), *at, *colon, *end;
	const char	*host, *hend, *slash;
	size_t		 ulen;
	bool		 bad;
	long		 n;

	if (strpbrk(p, "?# \t") != NULL) {
		*why = "no query, fragment or white space";
		return false;
	}
	slash = strchr(p, '/');
	end = slash != NULL ? slash : p + strlen(p);
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		ulen = (size_t)((colon != NULL ? colon : at) - p);
		if (ulen > 0 && (st->username = pct_decode(p, ulen, &bad)) ==
		    NULL) {
			*why = bad ? "a user name with valid %-escapes" : NULL;
			*oom = !bad;
			return false;
		}
		if (colon != NULL && colon + 1 < at &&
		    (st->password = pct_decode(colon + 1,
		    (size_t)(at - colon - 1), &bad)) == NULL) {
			*why = bad ? "a password with valid %-escapes" : NULL;
			*oom = !bad;
			return false;
		}
		p = at + 1;
	}
	/* host: a name, an IPv4 address, or [an IPv6 address] */
	if (*p == '[') {
		host = p + 1;
		if ((hend = memchr(host, ']', (size_t)(end - host))) == NULL) {
			*why = "a closing ] after an IPv6 address";
			return false;
		}
		p = hend + 1;
	} else {
		host = p;
		hend = memchr(p, ':', (size_t)(end - p));
		if (hend == NULL)
			hend = end;
		p = hend;
	}
	if (hend == host || (size_t)(hend - host) > 253) {
		*why = "a host";
		return false;
	}
	if ((st->host = strndup(host, (size_t)(hend - host))) == NULL) {
		*oom = true;
		return false;
	}
	st->port = DEFAULT_REDIS_PORT;
	if (*p == ':') {
		n = decimal(p + 1, (size_t)(end - p - 1), 65535);
		if (n < 1) {
			*why = "a port from 1 to 65535";
			return false;
		}
		st->port = (unsigned int)n;
	} else if (p != end) {
		*why = "\":PORT\" or \"/DB\" after the host";
		return false;
	}
	if (slash != NULL && slash[1] != '\0') {
		if ((n = decimal(slash + 1, strlen(slash + 1), MAX_DB)) < 0) {
			*why = "a database number from 0 to 65535 after /";
			return false;
		}
		st->db = (unsigned int)n;
	}
	return true;
}

/* A secret from the environment variable named by the member key. */
static void
from_env(struct loader *l, json_t *root, const char *key, char **dst,
    const char *what)
{
	char	*name;
	char	 shown[80];
	const char *v;

	if ((name = cfg_string(l, root, "", key, false, false)) == NULL)
		return;
	s2o_str_excerpt(shown, sizeof(shown), name, 60);
	if (*dst != NULL)
		cfg_error(l, key, false, "the store URL already has a %s; give "
		    "it in one place", what);
	else if ((v = getenv(name)) == NULL || *v == '\0')
		cfg_error(l, key, false, "the environment variable %s is not "
		    "set or empty (it holds the Redis %s)", shown, what);
	else if ((*dst = strdup(v)) == NULL)
		l->oom = true;
	free(name);
}

static const char *const redis_only[] = { "store_password_env",
    "store_username_env", "store_prefix", "store_timeout_ms", NULL };

void
cfg_load_store(struct loader *l, struct s2o_config *c, json_t *root)
{
	struct s2o_config_store	*st = &c->store;
	const char		*why = NULL;
	char			*url, shown[SHOWN_URL_MAX + 8];
	char			 found[80];
	json_t			*v;
	json_int_t		 n;
	bool			 oom = false;
	size_t			 i;

	st->kind = S2O_STORE_MEMORY;
	st->timeout_ms = DEFAULT_TIMEOUT_MS;
	if ((url = cfg_string(l, root, "", "store", false, true)) == NULL ||
	    strcmp(url, "memory") == 0) {
		for (i = 0; redis_only[i] != NULL; i++)
			if (json_object_get(root, redis_only[i]) != NULL)
				cfg_warn(l, redis_only[i], "ignored: the store "
				    "is memory (it applies to a Redis store)");
		if (json_object_get(root, "store") == NULL || url != NULL)
			if ((st->shown = strdup("memory")) == NULL)
				l->oom = true;
		free(url);
		return;
	}
	redact(url, shown, sizeof(shown));
	if (strncmp(url, "rediss://", 9) == 0)
		cfg_error(l, "store", false, "\"%s\": TLS to Redis is not "
		    "available in this build (hiredis 0.14 has no TLS); use "
		    "redis:// to a local TLS tunnel such as stunnel "
		    "(docs/deployment.md)", shown);
	else if (strncmp(url, "redis://", 8) != 0)
		cfg_error(l, "store", false, "expected \"memory\" or "
		    "\"redis://[user:password@]host:port/db\", found \"%s\"",
		    shown);
	else if (!parse_redis_url(url, st, &why, &oom)) {
		if (oom)
			l->oom = true;
		else
			cfg_error(l, "store", false, "\"%s\": expected %s",
			    shown, why);
	} else {
		st->kind = S2O_STORE_REDIS;
		if ((st->shown = malloc(strlen(st->host) + 40)) == NULL)
			l->oom = true;
		else
			snprintf(st->shown, strlen(st->host) + 40,
			    strchr(st->host, ':') != NULL ? "redis://[%s]:%u/%u"
			    : "redis://%s:%u/%u", st->host, st->port, st->db);
	}
	OPENSSL_cleanse(url, strlen(url));
	free(url);
	from_env(l, root, "store_username_env", &st->username, "user name");
	from_env(l, root, "store_password_env", &st->password, "password");
	if (json_object_get(root, "store_prefix") != NULL) {
		st->prefix = cfg_string(l, root, "", "store_prefix", false,
		    false);
		if (st->prefix != NULL && (strlen(st->prefix) >
		    S2O_STORE_MAX_PREFIX || strpbrk(st->prefix, " \t\r\n")
		    != NULL))
			cfg_error(l, "store_prefix", false, "expected at most "
			    "%d bytes without white space", S2O_STORE_MAX_PREFIX);
	} else if ((st->prefix = strdup(DEFAULT_PREFIX)) == NULL)
		l->oom = true;
	if ((v = json_object_get(root, "store_timeout_ms")) != NULL) {
		n = json_is_integer(v) ? json_integer_value(v) : 0;
		if (!json_is_integer(v) || n < MIN_TIMEOUT_MS ||
		    n > MAX_TIMEOUT_MS)
			cfg_error(l, "store_timeout_ms", false, "expected an "
			    "integer from %d to %d (milliseconds), found %s",
			    MIN_TIMEOUT_MS, MAX_TIMEOUT_MS,
			    cfg_found(v, found, sizeof(found)));
		else
			st->timeout_ms = (unsigned int)n;
	}
}

void
cfg_store_free(struct s2o_config_store *st)
{
	if (st->password != NULL)
		OPENSSL_cleanse(st->password, strlen(st->password));
	free(st->password);
	free(st->username);
	free(st->host);
	free(st->prefix);
	free(st->shown);
	memset(st, 0, sizeof(*st));
}
