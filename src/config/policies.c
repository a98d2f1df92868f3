/* SPDX-License-Identifier: MIT */
/*
 * The `policies` object of the top level, of each connection and of each
 * client (docs/policies.md), kept as written. Every CIDR range is checked
 * here so a bad one is a FILE:LINE:COL error at load; policy/ parses the
 * same strings into its range sets and applies the rules.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"

static const char *const policy_keys[] = { "deny_ip_ranges",
    "allow_ip_ranges", "require_email_verified", "allowed_groups",
    "require_mfa", "mfa_classes", "audience_for_organization", NULL };

#define CIDR_SHOWN	64	/* bytes of a range shown */

/*
 * Checks a CIDR range as policy/ reads it: an IPv4 or IPv6 address
 * (inet_pton), optionally "/" and a decimal prefix length within the
 * family, no address bit set past the prefix. NULL when good, else why.
 */
static const char *
cidr_problem(const char *s, char *why, size_t size)
{
	char		 buf[CIDR_SHOWN], *slash;
	unsigned char	 a[16];
	unsigned long	 bits;
	unsigned int	 max, i;

	if (strlen(s) >= sizeof(buf))
		return "too long for an address and a prefix";
	s2o_strlcpy(buf, s, sizeof(buf));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, buf, a) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		max = 128;
	else
		return "not an IPv4 or IPv6 address";
	bits = max;
	if (slash != NULL && (*slash == '\0' || strlen(slash) > 3 ||
	    strspn(slash, "0123456789") != strlen(slash) ||
	    (bits = strtoul(slash, NULL, 10)) > max)) {
		snprintf(why, size, "the prefix length must be a number from 0 "
		    "to %u", max);
		return why;
	}
	for (i = (unsigned int)bits; i < max; i++)
		if (a[i / 8] & (0x80 >> (i % 8))) {
			snprintf(why, size, "address bits are set past the /%lu "
			    "prefix", bits);
			return why;
		}
	return NULL;
}

/* nonempty: [] is an error (an empty allow list would refuse everyone). */
char **
cfg_string_list(struct loader *l, json_t *obj, const char *base, const char *key,
    bool nonempty, bool cidr, size_t *n)
{
	json_t	*arr, *v;
	char	 p[CFG_PATH_MAX], vp[CFG_PATH_MAX], why[96], **out, *s;
	const char *bad;
	size_t	 i;

	*n = 0;
	if ((arr = cfg_array(l, obj, base, key, false)) == NULL)
		return NULL;
	cfg_path(p, base, key);
	if (nonempty && json_array_size(arr) == 0) {
		cfg_error(l, p, false, "expected at least one entry, found [] "
		    "(remove the key to allow all)");
		return NULL;
	}
	if ((out = calloc(json_array_size(arr) + 1, sizeof(*out))) == NULL) {
		l->oom = true;
		return NULL;
	}
	json_array_foreach(arr, i, v) {
		if ((s = cfg_string_value(l, v, cfg_index(vp, p, i))) == NULL)
			continue;
		if (cidr && (bad = cidr_problem(s, why, sizeof(why))) != NULL) {
			char shown[CIDR_SHOWN + 8];

			cfg_error(l, vp, false, "\"%s\" is not a CIDR range: %s",
			    s2o_str_excerpt(shown, sizeof(shown), s,
			    CIDR_SHOWN), bad);
			free(s);
			continue;
		}
		out[(*n)++] = s;
	}
	return out;
}

/*
 * "audience_for_organization": {"API identifier": ["org id", ...], ...}.
 * The names are checked against apis and organizations by orgs.c, once
 * every part is loaded.
 */
static void
load_aud_orgs(struct loader *l, json_t *o, const char *base,
    struct s2o_config_policies *out)
{
	json_t		*obj, *arr;
	const char	*k;
	char		 p[CFG_PATH_MAX];

	if ((obj = cfg_member(l, o, base, "audience_for_organization",
	    false)) == NULL || !cfg_is_object(l, obj, cfg_path(p, base,
	    "audience_for_organization")))
		return;
	if ((out->aud_orgs = calloc(json_object_size(obj) + 1,
	    sizeof(*out->aud_orgs))) == NULL) {
		l->oom = true;
		return;
	}
	json_object_foreach(obj, k, arr) {
		struct s2o_config_aud_org *a = &out->aud_orgs[out->naud_orgs];

		(void)arr;
		if ((a->orgs = cfg_name_list(l, obj, p, k, true, true,
		    &a->norgs)) == NULL)
			continue;
		if ((a->audience = strdup(k)) == NULL) {
			cfg_string_list_free(a->orgs, a->norgs);
			a->orgs = NULL;
			l->oom = true;
			return;
		}
		out->naud_orgs++;
	}
}

void
cfg_load_policies(struct loader *l, json_t *obj, const char *base,
    struct s2o_config_policies *out)
{
	json_t	*o;
	char	 p[CFG_PATH_MAX];

	memset(out, 0, sizeof(*out));
	if ((o = cfg_member(l, obj, base, "policies", false)) == NULL ||
	    !cfg_is_object(l, o, cfg_path(p, base, "policies")))
		return;
	out->present = true;
	cfg_check_keys(l, o, p, policy_keys);
	out->deny_ip_ranges = cfg_string_list(l, o, p, "deny_ip_ranges", false,
	    true, &out->ndeny_ip_ranges);
	out->allow_ip_ranges = cfg_string_list(l, o, p, "allow_ip_ranges", true,
	    true, &out->nallow_ip_ranges);
	out->require_email_verified = cfg_bool(l, o, p,
	    "require_email_verified", false);
	out->allowed_groups = cfg_string_list(l, o, p, "allowed_groups", true,
	    false, &out->nallowed_groups);
	out->require_mfa = cfg_bool(l, o, p, "require_mfa", false);
	out->mfa_classes = cfg_string_list(l, o, p, "mfa_classes", true, false,
	    &out->nmfa_classes);
	load_aud_orgs(l, o, p, out);
}

void
cfg_string_list_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
cfg_policies_free(struct s2o_config_policies *p)
{
	size_t	i;

	cfg_string_list_free(p->deny_ip_ranges, p->ndeny_ip_ranges);
	cfg_string_list_free(p->allow_ip_ranges, p->nallow_ip_ranges);
	cfg_string_list_free(p->allowed_groups, p->nallowed_groups);
	cfg_string_list_free(p->mfa_classes, p->nmfa_classes);
	for (i = 0; i < p->naud_orgs; i++) {
		free(p->aud_orgs[i].audience);
		cfg_string_list_free(p->aud_orgs[i].orgs, p->aud_orgs[i].norgs);
	}
	free(p->aud_orgs);
	memset(p, 0, sizeof(*p));
}
