/* SPDX-License-Identifier: MIT */
/*
 * CIDR range sets for the IP rules of policies. Addresses are parsed with
 * inet_pton(3) only; IPv4 is held as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2)
 * so one comparison serves both families and a dual-stack socket's
 * ::ffff:a.b.c.d matches the IPv4 range an admin wrote.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define CIDR_MAX	64	/* bytes of a range as written, with the NUL */

struct range {
	unsigned char	 addr[16];
	unsigned int	 bits;		/* prefix length over the 128 bits */
	char		*text;		/* as written */
};

struct s2o_policy_ipset {
	struct range	*v;
	size_t		 n, cap;
};

/* Parses an address into 16 bytes; *v4 says it was IPv4. */
static bool
addr_parse(const char *s, unsigned char out[16], bool *v4)
{
	struct in_addr	a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		*v4 = true;
		return true;
	}
	*v4 = false;
	return inet_pton(AF_INET6, s, out) == 1;
}

bool
s2o_policy_ip_valid(const char *s)
{
	unsigned char	a[16];
	bool		v4;

	return s != NULL && addr_parse(s, a, &v4);
}

struct s2o_policy_ipset *
s2o_policy_ipset_new(struct s2o_err *err)
{
	struct s2o_policy_ipset	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		s2o_err_oom(err);
	return set;
}

void
s2o_policy_ipset_free(struct s2o_policy_ipset *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		free(set->v[i].text);
	free(set->v);
	free(set);
}

/* True when the bits of a past the first bits are all zero. */
static bool
host_bits_clear(const unsigned char a[16], unsigned int bits)
{
	unsigned int	i;

	for (i = bits; i < 128; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

int
s2o_policy_ipset_add(struct s2o_policy_ipset *set, const char *cidr,
    struct s2o_err *err)
{
	char		 buf[CIDR_MAX], shown[CIDR_MAX + 8], *slash;
	struct range	 r, *nv;
	unsigned long	 bits;
	unsigned int	 max;
	bool		 v4;

	s2o_str_excerpt(shown, sizeof(shown), cidr, CIDR_MAX - 1);
	if (strlen(cidr) >= sizeof(buf))
		return s2o_err_set(err, S2O_R_CONFIG_INVALID, "\"%s\" is not "
		    "a CIDR range", shown);
	s2o_strlcpy(buf, cidr, sizeof(buf));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(&r, 0, sizeof(r));
	if (!addr_parse(buf, r.addr, &v4))
		return s2o_err_set(err, S2O_R_CONFIG_INVALID, "\"%s\" is not "
		    "a CIDR range: \"%s\" is not an IPv4 or IPv6 address",
		    shown, buf);
	max = v4 ? 32 : 128;
	bits = max;
	if (slash != NULL) {
		/* decimal digits only: no sign, no space, no hex */
		if (*slash == '\0' || strlen(slash) > 3 ||
		    strspn(slash, "0123456789") != strlen(slash) ||
		    (bits = strtoul(slash, NULL, 10)) > max)
			return s2o_err_set(err, S2O_R_CONFIG_INVALID, "\"%s\": "
			    "the prefix length must be a number from 0 to %u",
			    shown, max);
	}
	r.bits = (unsigned int)bits + (v4 ? 96 : 0);
	if (!host_bits_clear(r.addr, r.bits))
		return s2o_err_set(err, S2O_R_CONFIG_INVALID, "\"%s\": address "
		    "bits are set past the /%lu prefix", shown, bits);
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;

		if ((nv = reallocarray(set->v, cap, sizeof(*nv))) == NULL)
			return s2o_err_oom(err);
		set->v = nv;
		set->cap = cap;
	}
	if ((r.text = strdup(cidr)) == NULL)
		return s2o_err_oom(err);
	set->v[set->n++] = r;
	return 0;
}

static bool
in_range(const struct range *r, const unsigned char a[16])
{
	unsigned int	full = r->bits / 8, rest = r->bits % 8;

	if (memcmp(r->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((r->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

const char *
s2o_policy_ipset_match(const struct s2o_policy_ipset *set, const char *addr)
{
	unsigned char	a[16];
	bool		v4;
	size_t		i;

	if (set == NULL || addr == NULL || !addr_parse(addr, a, &v4))
		return NULL;
	for (i = 0; i < set->n; i++)
		if (in_range(&set->v[i], a))
			return set->v[i].text;
	return NULL;
}

bool
s2o_policy_ipset_contains(const struct s2o_policy_ipset *set,
    const char *addr)
{
	return s2o_policy_ipset_match(set, addr) != NULL;
}
