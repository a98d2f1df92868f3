/* SPDX-License-Identifier: MIT */
/*
 * Who the client is: the peer address of the connection, or, when the
 * peer is one of the configured trusted proxies, the address its
 * X-Forwarded-For names. TLS is normally terminated by a reverse proxy,
 * so without this every request would come from the proxy, and policies
 * on client addresses and rate limits per address could not work; with
 * it believed from anyone, any client could choose its own address.
 *
 * X-Forwarded-For is a list each proxy appends its peer to, so only its
 * right end is written by proxies we trust: the walk goes from the right,
 * past every trusted address, and stops at the first one that is not
 * trusted (the client as the outermost trusted proxy saw it). Anything
 * left of that was written by the client and is ignored. An entry that
 * is not a bare IPv4 or IPv6 address stops the walk at the hop before it.
 */
#include <string.h>
#include <strings.h>

#include "http/http_int.h"

bool
s2o_http_client_address(const struct s2o_policy_ipset *trusted,
    const char *peer, const char *xff, char *out, size_t size)
{
	char		 e[S2O_HTTP_MAX_ADDR];
	const char	*end, *start, *a, *b;
	size_t		 n;

	s2o_strlcpy(out, peer, size);
	if (trusted == NULL || !s2o_policy_ipset_contains(trusted, peer))
		return false;
	if (xff == NULL)
		return true;
	end = xff + strlen(xff);
	while (end > xff) {
		start = end;
		while (start > xff && start[-1] != ',')
			start--;
		/* trim optional white space (RFC 9110 §5.6.1) */
		for (a = start; a < end && (*a == ' ' || *a == '\t'); a++)
			;
		for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		n = (size_t)(b - a);
		if (n == 0 || n >= sizeof(e))
			break;
		memcpy(e, a, n);
		e[n] = '\0';
		if (!s2o_policy_ip_valid(e))
			break;
		s2o_strlcpy(out, e, size);
		if (!s2o_policy_ipset_contains(trusted, e))
			break;
		end = start > xff ? start - 1 : xff;
	}
	return true;
}

const char *
s2o_http_forwarded_last(const char *value, char *out, size_t size)
{
	const char	*p, *a, *b;
	size_t		 n;

	if (value == NULL)
		return NULL;
	p = strrchr(value, ',');
	for (a = p != NULL ? p + 1 : value; *a == ' ' || *a == '\t'; a++)
		;
	for (b = a + strlen(a); b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
		;
	n = (size_t)(b - a);
	if (n == 0 || n >= size)
		return NULL;
	memcpy(out, a, n);
	out[n] = '\0';
	/* a host name, an address with a port, or a scheme: nothing else
	 * reaches a log line */
	if (strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") != n)
		return NULL;
	return out;
}
