/* SPDX-License-Identifier: MIT */
/*
 * Small string helpers: bounded copies, OOM-reporting duplicates, the
 * "did you mean" distance used by configuration and mappings errors, safe
 * excerpts of untrusted text for one-line details, constant-time compare.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/core.h"

size_t
s2o_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

char *
s2o_strndup(const char *s, size_t n, struct s2o_err *err)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
s2o_strdup(const char *s, struct s2o_err *err)
{
	return s2o_strndup(s, strlen(s), err);
}

#define DIST_MAXLEN	64	/* bytes compared; longer words are "far" */

unsigned int
s2o_str_distance(const char *a, const char *b)
{
	unsigned int	d[DIST_MAXLEN + 1][DIST_MAXLEN + 1];
	size_t		la = strlen(a), lb = strlen(b), i, j;

	if (la > DIST_MAXLEN || lb > DIST_MAXLEN)
		return 255;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned int v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] > 255 ? 255 : d[la][lb];
}

const char *
s2o_str_nearest(const char *word, const char *const *candidates)
{
	const char	*best = NULL;
	unsigned int	 bestd = 255, d, limit;
	size_t		 i;

	for (i = 0; candidates[i] != NULL; i++) {
		d = s2o_str_distance(word, candidates[i]);
		if (d < bestd) {
			bestd = d;
			best = candidates[i];
		}
	}
	/* a plausible typo: at most a third of the word, and at most 3 */
	limit = (unsigned int)strlen(word) / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	return bestd <= limit ? best : NULL;
}

char *
s2o_str_excerpt(char *dst, size_t size, const char *s, size_t max)
{
	size_t	n = strlen(s), cut, i;

	if (size == 0)
		return dst;
	/* room for "..." and the NUL; size - 4 would wrap below 4 */
	if (size < 4 || max > size - 4)
		max = size > 4 ? size - 4 : 0;
	cut = n;
	if (n > max) {
		cut = max;
		/* do not split a UTF-8 sequence */
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	for (i = 0; i < cut; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' :
		    s[i];
	dst[i] = '\0';
	if (cut < n)
		s2o_strlcpy(dst + i, "...", size - i);
	return dst;
}

bool
s2o_str_equal_ct(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	/* compare the whole of b whatever a's length, so timing says nothing */
	if (la != lb) {
		(void)CRYPTO_memcmp(b, b, lb);
		return false;
	}
	return CRYPTO_memcmp(a, b, la) == 0;
}

bool
s2o_url_is_loopback(const char *url)
{
	const char	*auth, *end, *close;
	char		 host[64];
	size_t		 len;
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (strncasecmp(url, "https://", 8) == 0)
		auth = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		auth = url + 7;
	else
		return false;
	end = auth + strcspn(auth, "/?#");
	/* userinfo ("http://127.0.0.1@evil.example") hides the real host */
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return false;
	if (*auth == '[') {
		close = memchr(auth, ']', (size_t)(end - auth));
		if (close == NULL)
			return false;
		len = (size_t)(close - auth - 1);
		if (len >= sizeof(host))
			return false;
		memcpy(host, auth + 1, len);
		host[len] = '\0';
		return inet_pton(AF_INET6, host, &a6) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&a6);
	}
	len = strcspn(auth, ":/?#");
	if (len >= sizeof(host) || len == 0)
		return false;
	memcpy(host, auth, len);
	host[len] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return true;
	/* inet_pton takes only the dotted quad: "127.1" is not an address */
	return inet_pton(AF_INET, host, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127;
}
