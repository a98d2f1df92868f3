/* SPDX-License-Identifier: MIT */
/*
 * The naming rules of a mappings file, apart from its structure (load.c):
 * which claim names may be mapped (OIDC Core §5.1 standard claims bare,
 * custom claims as URLs, registered JWT and protocol claims never), the
 * fixed type of each standard claim, and hints for attribute Names that
 * can never match as written.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "map/map_int.h"

/*
 * Claims that may be mapped bare: OIDC Core §5.1 (address aside, an
 * object), and groups, roles and entitlements (RFC 7643 §4.1.2, registered
 * as JWT claims by RFC 9068 §7.2.1). user_id is the profile field `sub` is
 * made from.
 */
static const struct {
	const char	*name;
	enum map_type	 type;
} standard[] = {
	{ "user_id", MT_STRING },
	{ "name", MT_STRING }, { "given_name", MT_STRING },
	{ "family_name", MT_STRING }, { "middle_name", MT_STRING },
	{ "nickname", MT_STRING }, { "preferred_username", MT_STRING },
	{ "profile", MT_STRING }, { "picture", MT_STRING },
	{ "website", MT_STRING }, { "email", MT_STRING },
	{ "email_verified", MT_BOOLEAN }, { "gender", MT_STRING },
	{ "birthdate", MT_STRING }, { "zoneinfo", MT_STRING },
	{ "locale", MT_STRING }, { "phone_number", MT_STRING },
	{ "phone_number_verified", MT_BOOLEAN }, { "updated_at", MT_NUMBER },
	{ "groups", MT_ARRAY }, { "roles", MT_ARRAY },
	{ "entitlements", MT_ARRAY },
};
#define NSTANDARD	(sizeof(standard) / sizeof(standard[0]))

static const char *const standard_names[] = { "user_id", "name",
    "given_name", "family_name", "middle_name", "nickname",
    "preferred_username", "profile", "picture", "website", "email",
    "email_verified", "gender", "birthdate", "zoneinfo", "locale",
    "phone_number", "phone_number_verified", "updated_at", "groups", "roles",
    "entitlements", NULL };

/* Set by the token minter (RFC 7519 §4.1, OIDC Core §2, RFC 9068 §2.2,
 * OIDC Front-/Back-Channel Logout). */
static const char *const registered[] = { "iss", "aud", "exp", "nbf", "iat",
    "jti", "nonce", "azp", "at_hash", "c_hash", "s_hash", "auth_time", "acr",
    "amr", "sid", "cnf", "client_id", "scope", NULL };

const char *
map_type_name(enum map_type t)
{
	switch (t) {
	case MT_STRING: return "string";
	case MT_BOOLEAN: return "boolean";
	case MT_NUMBER: return "number";
	default: return "array";
	}
}

/* http:// or https:// and a host: a collision-resistant name (Auth0's
 * rule for namespaced claims; OIDC Core §5.1.2). */
static bool
is_url(const char *s)
{
	const char	*h;

	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return false;
	return *h != '\0' && *h != '/' && strchr(h, ' ') == NULL;
}

int
map_lint_claim(const char *name, bool *typed, enum map_type *type, char *msg,
    size_t size)
{
	const char	*near;
	size_t		 i;

	*typed = false;
	for (i = 0; i < NSTANDARD; i++)
		if (strcmp(standard[i].name, name) == 0) {
			*typed = true;
			*type = standard[i].type;
			return 0;
		}
	if (strcmp(name, "sub") == 0) {
		snprintf(msg, size, "sub is made from user_id and the "
		    "connection (see \"$options\": {\"sub\": ...}); map "
		    "user_id instead");
		return -1;
	}
	for (i = 0; registered[i] != NULL; i++)
		if (strcmp(registered[i], name) == 0) {
			snprintf(msg, size, "%s is a registered JWT or protocol "
			    "claim and cannot be mapped: the token minter sets "
			    "it", name);
			return -1;
		}
	if (strcmp(name, "org_id") == 0 || strcmp(name, "org_name") == 0 ||
	    strcmp(name, "permissions") == 0) {
		snprintf(msg, size, "%s is set by the organization and RBAC "
		    "features and cannot be mapped", name);
		return -1;
	}
	if (strcmp(name, "_claim_names") == 0 ||
	    strcmp(name, "_claim_sources") == 0) {
		snprintf(msg, size, "%s is set by \"$options\": "
		    "{\"groups_overage\": \"flag\"} and cannot be mapped",
		    name);
		return -1;
	}
	if (strcmp(name, "address") == 0) {
		snprintf(msg, size, "address is a JSON object (OIDC Core "
		    "§5.1.1), which mappings cannot build; map its parts to "
		    "custom claims");
		return -1;
	}
	if (is_url(name))
		return 0;
	if (strncmp(name, "https://", 8) == 0 ||
	    strncmp(name, "http://", 7) == 0) {
		snprintf(msg, size, "a custom claim's URL needs a host and no "
		    "spaces, such as \"https://example.com/roles\"");
		return -1;
	}
	if ((near = s2o_str_nearest(name, standard_names)) != NULL)
		snprintf(msg, size, "unknown claim (did you mean \"%s\"?); a "
		    "custom claim needs a URL for a name, such as "
		    "\"https://example.com/%s\"", near, name);
	else
		snprintf(msg, size, "a custom claim needs a collision-resistant "
		    "name, a URL such as \"https://example.com/%s\" (OIDC Core "
		    "§5.1.2)", name);
	return -1;
}

bool
map_lint_source(const char *name, char *msg, size_t size)
{
	const char	*p = name + 8;
	char		 fixed[256];
	size_t		 i;
	bool		 colon = false;

	/*
	 * Auth0's dashboard shows urn:oid: Names with colons
	 * ("urn:oid:2:5:4:42"); IdPs send dots (RFC 4519 via the SAML2
	 * attribute profiles), so the colon form never matches.
	 */
	if (strncmp(name, "urn:oid:", 8) != 0 || *p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p == ':')
			colon = true;
		else if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	if (!colon || strlen(name) >= sizeof(fixed))
		return false;
	s2o_strlcpy(fixed, name, sizeof(fixed));
	for (i = 8; fixed[i] != '\0'; i++)
		if (fixed[i] == ':')
			fixed[i] = '.';
	snprintf(msg, size, "urn:oid: Names are sent with dots, so \"%s\" never "
	    "matches (did you mean \"%s\"?)", name, fixed);
	return true;
}

bool
map_lint_guid_upper(const char *k)
{
	static const int	 dash[] = { 8, 13, 18, 23 };
	size_t			 i, d = 0;
	bool			 upper = false;

	if (strlen(k) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (k[i] != '-')
				return false;
			d++;
		} else if (!isxdigit((unsigned char)k[i]))
			return false;
		else if (isupper((unsigned char)k[i]))
			upper = true;
	}
	return upper;
}
