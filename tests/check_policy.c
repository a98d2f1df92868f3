/* SPDX-License-Identifier: MIT */
/*
 * policy/: CIDR range sets (IPv4, IPv6, IPv4-mapped IPv6), every rule
 * allowing and denying with the exact detail an admin reads, levels
 * combined (top level, connection, client), and the `policies` objects of
 * a configuration checked at load with FILE:LINE:COL diagnostics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "policy/policy.h"
#include "helpers.h"

/* the case tables leave trailing members zero, as C guarantees */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- ipset ------------------------------------------------------------ */

static const struct ipcase {
	const char	*ranges[4];
	const char	*addr;
	const char	*want;		/* the range matched, or NULL */
} ipcases[] = {
	{ { "203.0.113.0/24" }, "203.0.113.7", "203.0.113.0/24" },
	{ { "203.0.113.0/24" }, "203.0.114.7", NULL },
	{ { "203.0.113.0/24" }, "::ffff:203.0.113.7", "203.0.113.0/24" },
	{ { "203.0.113.0/24" }, "::ffff:cb00:7107", "203.0.113.0/24" },
	{ { "203.0.113.0/24" }, "2001:db8::cb00:7107", NULL },
	{ { "10.0.0.0/8", "192.168.1.1" }, "192.168.1.1", "192.168.1.1" },
	{ { "10.0.0.0/8", "192.168.1.1" }, "192.168.1.2", NULL },
	{ { "10.0.0.0/8" }, "10.255.255.255", "10.0.0.0/8" },
	{ { "10.0.0.0/8" }, "11.0.0.0", NULL },
	{ { "0.0.0.0/0" }, "198.51.100.1", "0.0.0.0/0" },
	{ { "0.0.0.0/0" }, "2001:db8::1", NULL },
	{ { "::/0" }, "2001:db8::1", "::/0" },
	{ { "2001:db8::/32" }, "2001:db8:ffff::1", "2001:db8::/32" },
	{ { "2001:db8::/32" }, "2001:db9::1", NULL },
	{ { "2001:db8::/63" }, "2001:db8:0:1:ffff::1", "2001:db8::/63" },
	{ { "2001:db8:0:2::/63" }, "2001:db8:0:1::1", NULL },
	{ { "203.0.113.128/25" }, "203.0.113.127", NULL },
	{ { "203.0.113.128/25" }, "203.0.113.128", "203.0.113.128/25" },
	{ { "::ffff:0:0/96" }, "192.0.2.1", "::ffff:0:0/96" },
	{ { "203.0.113.0/24" }, "not-an-ip", NULL },
	{ { "203.0.113.0/24" }, "203.0.113.7/32", NULL },
	{ { "203.0.113.0/24" }, "", NULL },
};

START_TEST(test_policy_ipset)
{
	const struct ipcase	*c = &ipcases[_i];
	struct s2o_policy_ipset	*set;
	struct s2o_err		 err;
	const char		*got;
	size_t			 i;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(set = s2o_policy_ipset_new(&err));
	for (i = 0; i < NELEM(c->ranges) && c->ranges[i] != NULL; i++)
		ck_assert_int_eq(s2o_policy_ipset_add(set, c->ranges[i], &err),
		    0);
	got = s2o_policy_ipset_match(set, c->addr);
	if (c->want == NULL)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, c->want);
	ck_assert(s2o_policy_ipset_contains(set, c->addr) == (c->want != NULL));
	s2o_policy_ipset_free(set);
}
END_TEST

static const struct badcidr {
	const char	*cidr;
	const char	*detail;
} badcidrs[] = {
	{ "203.0.113.0/33", "\"203.0.113.0/33\": the prefix length must be a number from 0 to 32" },
	{ "2001:db8::/129", "\"2001:db8::/129\": the prefix length must be a number from 0 to 128" },
	{ "203.0.113.0/", "\"203.0.113.0/\": the prefix length must be a number from 0 to 32" },
	{ "203.0.113.0/-1", "the prefix length must be a number from 0 to 32" },
	{ "203.0.113.0/+8", "the prefix length must be a number from 0 to 32" },
	{ "203.0.113.0/ 8", "the prefix length must be a number from 0 to 32" },
	{ "203.0.113.0/0x8", "the prefix length must be a number from 0 to 32" },
	{ "10.1.0.0/8", "\"10.1.0.0/8\": address bits are set past the /8 prefix" },
	{ "2001:db8::1/64", "address bits are set past the /64 prefix" },
	{ "203.0.113/24", "\"203.0.113/24\" is not a CIDR range: \"203.0.113\" is not an IPv4 or IPv6 address" },
	{ "example.com", "is not an IPv4 or IPv6 address" },
	{ "", "is not an IPv4 or IPv6 address" },
	{ "2001:db8::/32/1", "the prefix length must be a number from 0 to 128" },
};

START_TEST(test_policy_ipset_bad)
{
	struct s2o_policy_ipset	*set;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(set = s2o_policy_ipset_new(&err));
	ck_assert_int_eq(s2o_policy_ipset_add(set, badcidrs[_i].cidr, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, badcidrs[_i].detail);
	ck_assert(!s2o_policy_ipset_contains(set, "203.0.113.7"));
	s2o_policy_ipset_free(set);
}
END_TEST

/* ---- rules and levels ------------------------------------------------- */

/*
 * s2o_policy_check() on a profile given as JSON text (NULL: no profile),
 * parsed here into the object map/ would hand over.
 */
static int
check_text(const struct s2o_policy_set *set, const char *ip,
    const char *profile, const char *ac, struct s2o_err *err)
{
	json_t	*o = profile != NULL ? s2o_test_json(profile) : NULL;
	int	 rc;

	rc = s2o_policy_check(set, ip, o, ac, err);
	json_decref(o);
	return rc;
}

/* One level as written in a configuration; empty lists are absent. */
struct lvl {
	const char	*scope;		/* NULL: no level */
	char		*deny[3];
	char		*allow[3];
	bool		 email;
	char		*groups[3];
	bool		 mfa;
	char		*classes[3];	/* empty: the built-in list */
};

#define PWD	"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
#define MFA_MS	"http://schemas.microsoft.com/claims/multipleauthn"
#define PROFILE	"{\"email\":\"a@example.test\",\"email_verified\":true," \
		"\"groups\":[\"staff\",\"vpn\"]}"

static const struct rcase {
	struct lvl	 lv[3];
	const char	*ip;
	const char	*profile;
	const char	*ac;
	const char	*detail;	/* NULL: allowed */
} rcases[] = {
	/* no policies at all */
	{ { { NULL } }, NULL, "{}", NULL, NULL },
	/* deny_ip_ranges */
	{ { { "client \"demo-app\"", { "203.0.113.0/24" } } }, "203.0.113.7",
	  PROFILE, PWD, "deny_ip_ranges: 203.0.113.7 is in 203.0.113.0/24 "
	  "(policies of client \"demo-app\")" },
	{ { { "client \"demo-app\"", { "203.0.113.0/24" } } }, "198.51.100.7",
	  PROFILE, PWD, NULL },
	{ { { "the top level", { "2001:db8::/32" } } }, "2001:db8::7",
	  PROFILE, PWD, "deny_ip_ranges: 2001:db8::7 is in 2001:db8::/32 "
	  "(policies of the top level)" },
	{ { { "the top level", { "203.0.113.0/24" } } }, "::ffff:203.0.113.9",
	  PROFILE, PWD, "deny_ip_ranges: ::ffff:203.0.113.9 is in "
	  "203.0.113.0/24" },
	/* unknown address: a deny list has nothing to match */
	{ { { "the top level", { "0.0.0.0/0", "::/0" } } }, NULL, PROFILE, PWD,
	  NULL },
	/* allow_ip_ranges */
	{ { { "the top level", { NULL }, { "10.0.0.0/8", "2001:db8::/32" } } },
	  "10.1.2.3", PROFILE, PWD, NULL },
	{ { { "the top level", { NULL }, { "10.0.0.0/8", "2001:db8::/32" } } },
	  "2001:db8::1", PROFILE, PWD, NULL },
	{ { { "the top level", { NULL }, { "10.0.0.0/8" } } }, "192.0.2.1",
	  PROFILE, PWD, "allow_ip_ranges: 192.0.2.1 is in none of the allowed "
	  "ranges (policies of the top level)" },
	/* unknown address: an allow list fails closed */
	{ { { "the top level", { NULL }, { "10.0.0.0/8" } } }, NULL, PROFILE,
	  PWD, "allow_ip_ranges: the client address is unknown (policies of "
	  "the top level)" },
	{ { { "the top level", { NULL }, { "10.0.0.0/8" } } }, "bogus", PROFILE,
	  PWD, "allow_ip_ranges: bogus is in none of the allowed ranges" },
	/* deny wins over allow within a level */
	{ { { "the top level", { "10.9.0.0/16" }, { "10.0.0.0/8" } } },
	  "10.9.1.1", PROFILE, PWD, "deny_ip_ranges: 10.9.1.1 is in "
	  "10.9.0.0/16" },
	/* require_email_verified */
	{ { { "connection \"corp\"", { NULL }, { NULL }, true } }, NULL,
	  PROFILE, PWD, NULL },
	{ { { "connection \"corp\"", { NULL }, { NULL }, true } }, NULL,
	  "{\"email_verified\":\"true\"}", PWD, NULL },
	{ { { "connection \"corp\"", { NULL }, { NULL }, true } }, NULL,
	  "{\"email_verified\":false}", PWD, "require_email_verified: "
	  "email_verified is false (policies of connection \"corp\")" },
	{ { { "connection \"corp\"", { NULL }, { NULL }, true } }, NULL,
	  "{\"email\":\"a@example.test\"}", PWD, "require_email_verified: "
	  "email_verified is absent" },
	{ { { "connection \"corp\"", { NULL }, { NULL }, true } }, NULL,
	  "{\"email_verified\":\"yes\"}", PWD, "require_email_verified: "
	  "email_verified is \"yes\", not true" },
	{ { { "connection \"corp\"", { NULL }, { NULL }, true } }, NULL,
	  "{\"email_verified\":1}", PWD, "require_email_verified: "
	  "email_verified is not true" },
	/* allowed_groups */
	{ { { "connection \"corp\"", { NULL }, { NULL }, false,
	  { "admins", "vpn" } } }, NULL, PROFILE, PWD, NULL },
	{ { { "connection \"corp\"", { NULL }, { NULL }, false, { "staff" } } },
	  NULL, "{\"groups\":\"staff\"}", PWD, NULL },
	{ { { "connection \"corp\"", { NULL }, { NULL }, false, { "admins" } } },
	  NULL, PROFILE, PWD, "allowed_groups: none of the user's groups is "
	  "allowed (policies of connection \"corp\")" },
	{ { { "connection \"corp\"", { NULL }, { NULL }, false, { "admins" } } },
	  NULL, "{}", PWD, "allowed_groups: the user has no groups (policies "
	  "of connection \"corp\")" },
	{ { { "connection \"corp\"", { NULL }, { NULL }, false, { "Staff" } } },
	  NULL, PROFILE, PWD, "allowed_groups: none of the user's groups" },
	/* require_mfa */
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  true } }, NULL, PROFILE, MFA_MS, NULL },
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  true } }, NULL, PROFILE, "https://refeds.org/profile/mfa", NULL },
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  true } }, NULL, PROFILE,
	  "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken", NULL },
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  true } }, NULL, PROFILE, PWD, "require_mfa: AuthnContextClassRef "
	  "\"" PWD "\" is not a multi-factor class (policies of client "
	  "\"demo-app\")" },
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  true } }, NULL, PROFILE, NULL, "require_mfa: the assertion has no "
	  "AuthnContextClassRef (policies of client \"demo-app\")" },
	/* mfa_classes replaces the built-in list */
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  true, { "urn:example:otp" } } }, NULL, PROFILE, "urn:example:otp",
	  NULL },
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  true, { "urn:example:otp" } } }, NULL, PROFILE, MFA_MS,
	  "require_mfa: AuthnContextClassRef \"" MFA_MS "\" is not a "
	  "multi-factor class" },
	/* mfa_classes alone does not require MFA */
	{ { { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	  false, { "urn:example:otp" } } }, NULL, PROFILE, PWD, NULL },
	/* levels: deny lists add up */
	{ { { "the top level", { "203.0.113.0/24" } },
	    { "connection \"corp\"", { "198.51.100.0/24" } },
	    { "client \"demo-app\"", { "192.0.2.0/24" } } }, "192.0.2.1",
	  PROFILE, PWD, "deny_ip_ranges: 192.0.2.1 is in 192.0.2.0/24 "
	  "(policies of client \"demo-app\")" },
	{ { { "the top level", { "203.0.113.0/24" } },
	    { "connection \"corp\"", { "198.51.100.0/24" } },
	    { "client \"demo-app\"", { "192.0.2.0/24" } } }, "198.51.100.1",
	  PROFILE, PWD, "(policies of connection \"corp\")" },
	{ { { "the top level", { "203.0.113.0/24" } },
	    { "connection \"corp\"", { "198.51.100.0/24" } },
	    { "client \"demo-app\"", { "192.0.2.0/24" } } }, "10.0.0.1",
	  PROFILE, PWD, NULL },
	/* levels: every allow list must hold the address (intersection) */
	{ { { "the top level", { NULL }, { "10.0.0.0/8" } },
	    { "client \"demo-app\"", { NULL }, { "10.1.0.0/16" } } },
	  "10.1.2.3", PROFILE, PWD, NULL },
	{ { { "the top level", { NULL }, { "10.0.0.0/8" } },
	    { "client \"demo-app\"", { NULL }, { "10.1.0.0/16" } } },
	  "10.2.0.1", PROFILE, PWD, "allow_ip_ranges: 10.2.0.1 is in none of "
	  "the allowed ranges (policies of client \"demo-app\")" },
	{ { { "the top level", { NULL }, { "10.0.0.0/8" } },
	    { "client \"demo-app\"", { NULL }, { "192.0.2.0/24" } } },
	  "192.0.2.1", PROFILE, PWD, "(policies of the top level)" },
	/* levels: every group list must be met; a later level cannot widen */
	{ { { "connection \"corp\"", { NULL }, { NULL }, false, { "staff" } },
	    { "client \"demo-app\"", { NULL }, { NULL }, false, { "vpn" } } },
	  NULL, PROFILE, PWD, NULL },
	{ { { "connection \"corp\"", { NULL }, { NULL }, false, { "staff" } },
	    { "client \"demo-app\"", { NULL }, { NULL }, false, { "admins" } } },
	  NULL, PROFILE, PWD, "allowed_groups: none of the user's groups is "
	  "allowed (policies of client \"demo-app\")" },
	/* levels: the first failing level is named, in order */
	{ { { "the top level", { NULL }, { NULL }, true },
	    { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	      true } }, NULL, "{\"email_verified\":false}", PWD,
	  "require_email_verified: email_verified is false (policies of the "
	  "top level)" },
	{ { { "the top level", { NULL }, { NULL }, true },
	    { "client \"demo-app\"", { NULL }, { NULL }, false, { NULL },
	      true } }, NULL, PROFILE, PWD, "require_mfa: "
	  "AuthnContextClassRef \"" PWD "\" is not a multi-factor class "
	  "(policies of client \"demo-app\")" },
};

static size_t
count(char *const *v, size_t max)
{
	size_t	n = 0;

	while (n < max && v[n] != NULL)
		n++;
	return n;
}

/* The configuration form of l. */
static void
to_config(const struct lvl *l, struct s2o_config_policies *p)
{
	memset(p, 0, sizeof(*p));
	p->present = true;
	if ((p->ndeny_ip_ranges = count(l->deny, NELEM(l->deny))) > 0)
		p->deny_ip_ranges = (char **)l->deny;
	if ((p->nallow_ip_ranges = count(l->allow, NELEM(l->allow))) > 0)
		p->allow_ip_ranges = (char **)l->allow;
	p->require_email_verified = l->email;
	if ((p->nallowed_groups = count(l->groups, NELEM(l->groups))) > 0)
		p->allowed_groups = (char **)l->groups;
	p->require_mfa = l->mfa;
	if ((p->nmfa_classes = count(l->classes, NELEM(l->classes))) > 0)
		p->mfa_classes = (char **)l->classes;
}

START_TEST(test_policy_rule)
{
	const struct rcase		*c = &rcases[_i];
	struct s2o_config_policies	 p;
	struct s2o_policy_set		*set;
	struct s2o_err			 err;
	size_t				 i;
	int				 rc;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(set = s2o_policy_set_new(&err));
	for (i = 0; i < NELEM(c->lv) && c->lv[i].scope != NULL; i++) {
		to_config(&c->lv[i], &p);
		ck_assert_int_eq(s2o_policy_set_add(set, &p, c->lv[i].scope,
		    &err), 0);
	}
	rc = check_text(set, c->ip, c->profile, c->ac, &err);
	if (c->detail == NULL) {
		ck_assert_s2o_ok(&err);
		ck_assert_int_eq(rc, 0);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, c->detail);
	}
	s2o_policy_set_free(set);
}
END_TEST

START_TEST(test_policy_api)
{
	struct s2o_config_policies	 p;
	struct s2o_policy_set		*set;
	struct s2o_err			 err;
	char				*bad[] = { "10.0.0.0/8", "10.0.0.1/8" };

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(set = s2o_policy_set_new(&err));
	/* absent or not present: nothing added, everything allowed */
	ck_assert_int_eq(s2o_policy_set_add(set, NULL, "x", &err), 0);
	memset(&p, 0, sizeof(p));
	p.require_mfa = true;
	ck_assert_int_eq(s2o_policy_set_add(set, &p, "x", &err), 0);
	ck_assert_int_eq(check_text(set, NULL, NULL, NULL, &err), 0);
	/* a bad range is refused when compiled, naming the rule */
	p.present = true;
	p.deny_ip_ranges = bad;
	p.ndeny_ip_ranges = 2;
	ck_assert_int_eq(s2o_policy_set_add(set, &p, "client \"c\"", &err), -1);
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "deny_ip_ranges: "
	    "\"10.0.0.1/8\": address bits are set past the /8 prefix "
	    "(policies of client \"c\")");
	/* the profile must be a JSON object */
	s2o_err_clear(&err);
	p.deny_ip_ranges = NULL;
	p.ndeny_ip_ranges = 0;
	ck_assert_int_eq(s2o_policy_set_add(set, &p, "x", &err), 0);
	ck_assert_int_eq(check_text(set, NULL, "[1]", NULL, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_MALFORMED, "not a JSON object");
	s2o_err_clear(&err);
	ck_assert_int_eq(check_text(set, NULL, "\"x\"", NULL, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_MALFORMED, "not a JSON object");
	s2o_policy_set_free(set);
	ck_assert(s2o_policy_ip_valid("::1"));
	ck_assert(s2o_policy_ip_valid("192.0.2.1"));
	ck_assert(!s2o_policy_ip_valid("192.0.2.1/32"));
	ck_assert(!s2o_policy_ip_valid(NULL));
}
END_TEST

/* ---- configuration ---------------------------------------------------- */

static char	tmpdir[] = "/tmp/check_policy.XXXXXX";

/* Writes a configuration whose top level, connection and client carry
 * the given policies objects (JSON text or "" for none) and loads it. */
static struct s2o_config *
load(const char *top, const char *conn, const char *client,
    struct s2o_diags *d, struct s2o_err *err)
{
	char	 path[1100], keys[1024];
	FILE	*f;

	snprintf(keys, sizeof(keys), "%s", fx_path("keys"));
	snprintf(path, sizeof(path), "%s/bridge.json", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "{\n"
	    "\"issuer\": \"https://bridge.example.test\",\n"
	    "\"signing_keys\": [{\"kid\": \"k\", \"private_key_file\": "
	    "\"%s/bridge-rs256.pem\"}],\n"
	    "\"sp\": {\"entity_id\": \"https://bridge.example.test/saml\",\n"
	    "  \"acs_url\": \"https://bridge.example.test/saml/acs\"},\n"
	    "\"clients\": [{\"client_id\": \"demo-app\",\n"
	    "  \"redirect_uris\": [\"http://127.0.0.1:3000/cb\"]%s%s}],\n"
	    "\"connections\": [{\"name\": \"corp\",\n"
	    "  \"idp_entity_id\": \"https://idp.example.test/\",\n"
	    "  \"idp_certificates\": [\"%s/idp-rsa.crt\"],\n"
	    "  \"mappings_file\": \"%s\"%s%s}]%s%s\n}\n",
	    keys, *client ? ",\n  \"policies\": " : "", client, keys,
	    src_path("mappings/auth0-default.json"),
	    *conn ? ",\n  \"policies\": " : "", conn,
	    *top ? ",\n\"policies\": " : "", top);
	fclose(f);
	s2o_err_clear(err);
	return s2o_config_load(path, d, err);
}

static const struct cfgbad {
	const char	*top, *conn, *client;
	const char	*text;		/* the first diagnostic's text */
	unsigned int	 line, column;
} cfgbads[] = {
	{ "{\"deny_ip_range\": []}", "", "", "unknown key (did you mean "
	  "\"deny_ip_ranges\"?)", 12, 14 },
	{ "", "{\"require_mfa\": true, \"mfa_class\": [\"x\"]}", "",
	  "unknown key (did you mean \"mfa_classes\"?)", 12, 37 },
	{ "", "", "{\"allowed_group\": [\"x\"]}", "unknown key (did you mean "
	  "\"allowed_groups\"?)", 8, 16 },
	{ "{\"deny_ip_ranges\": [\"203.0.113.0/33\"]}", "", "",
	  "\"203.0.113.0/33\" is not a CIDR range: the prefix length must be "
	  "a number from 0 to 32", 12, 33 },
	{ "", "", "{\"allow_ip_ranges\": [\"10.0.0.0/8\", \"10.0.0.1/8\"]}",
	  "\"10.0.0.1/8\" is not a CIDR range: address bits are set past the "
	  "/8 prefix", 8, 50 },
	{ "", "{\"allow_ip_ranges\": [\"corp.example\"]}", "",
	  "\"corp.example\" is not a CIDR range: not an IPv4 or IPv6 address",
	  12, 36 },
	{ "{\"allow_ip_ranges\": []}", "", "", "expected at least one entry, "
	  "found [] (remove the key to allow all)", 12, 33 },
	{ "{\"allowed_groups\": []}", "", "", "expected at least one entry, "
	  "found [] (remove the key to allow all)", 12, 32 },
	{ "{\"require_mfa\": \"yes\"}", "", "", "expected true or false, found "
	  "\"yes\"", 12, 29 },
	{ "{\"require_email_verified\": 1}", "", "", "expected true or false, "
	  "found 1", 12, 40 },
	{ "{\"deny_ip_ranges\": \"10.0.0.0/8\"}", "", "", "expected an array, "
	  "found \"10.0.0.0/8\"", 12, 32 },
	{ "{\"allowed_groups\": [\"\"]}", "", "", "must not be empty", 12, 33 },
	{ "[]", "", "", "expected an object, found []", 12, 13 },
};

START_TEST(test_policy_config_bad)
{
	const struct cfgbad	*c = &cfgbads[_i];
	struct s2o_config	*cfg;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	s2o_diags_init(&d);
	cfg = load(c->top, c->conn, c->client, &d, &err);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(err.reason == S2O_R_CONFIG_INVALID &&
	    strstr(err.detail, c->text) != NULL && err.line == c->line &&
	    err.column == c->column, "got %u:%u: %s", err.line, err.column,
	    err.detail);
	s2o_diags_cleanup(&d);
}
END_TEST

START_TEST(test_policy_config_levels)
{
	struct s2o_config	*cfg;
	struct s2o_policy_set	*set;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	const struct s2o_connection *conn;
	const struct s2o_client	*client;

	s2o_diags_init(&d);
	cfg = load("{\"deny_ip_ranges\": [\"203.0.113.0/24\"]}",
	    "{\"allowed_groups\": [\"staff\"], \"require_email_verified\": "
	    "false}", "{\"require_mfa\": true, \"allow_ip_ranges\": "
	    "[\"2001:db8::/32\", \"10.0.0.0/8\"]}", &d, &err);
	ck_assert_msg(cfg != NULL, "%s", err.detail);
	ck_assert(cfg->policies.present);
	ck_assert_uint_eq(cfg->policies.ndeny_ip_ranges, 1);
	ck_assert_str_eq(cfg->policies.deny_ip_ranges[0], "203.0.113.0/24");
	conn = s2o_config_connection(cfg, "corp");
	client = s2o_config_client(cfg, "demo-app");
	ck_assert_str_eq(conn->policies.allowed_groups[0], "staff");
	ck_assert(client->policies.require_mfa);
	ck_assert_ptr_null(client->policies.mfa_classes);
	ck_assert_uint_eq(client->policies.nallow_ip_ranges, 2);
	ck_assert_ptr_nonnull(set = s2o_policy_set_for(cfg, conn, client,
	    &err));
	ck_assert_int_eq(check_text(set, "10.0.0.1", PROFILE, MFA_MS,
	    &err), 0);
	ck_assert_int_eq(check_text(set, "203.0.113.1", PROFILE, MFA_MS,
	    &err), -1);
	ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, "deny_ip_ranges: "
	    "203.0.113.1 is in 203.0.113.0/24 (policies of the top level)");
	s2o_err_clear(&err);
	ck_assert_int_eq(check_text(set, "10.0.0.1", "{\"groups\":"
	    "[\"x\"]}", MFA_MS, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, "allowed_groups: none of "
	    "the user's groups is allowed (policies of connection \"corp\")");
	s2o_err_clear(&err);
	ck_assert_int_eq(check_text(set, "10.0.0.1", PROFILE, PWD,
	    &err), -1);
	ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, "require_mfa: ");
	s2o_policy_set_free(set);
	/* no client: only the top level and the connection */
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(set = s2o_policy_set_for(cfg, conn, NULL, &err));
	ck_assert_int_eq(check_text(set, NULL, PROFILE, PWD, &err), 0);
	s2o_policy_set_free(set);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

/* The levels compiled once in a book decide and explain as the levels
 * compiled per login do; the set borrows them and outlives nothing. */
START_TEST(test_policy_book)
{
	struct s2o_config	*cfg;
	struct s2o_policy_book	*book;
	struct s2o_policy_set	*set;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	const struct s2o_connection *conn;
	const struct s2o_client	*client;
	struct s2o_connection	 copy;
	int			 round;

	s2o_diags_init(&d);
	cfg = load("{\"deny_ip_ranges\": [\"203.0.113.0/24\"]}",
	    "{\"allowed_groups\": [\"staff\"]}", "{\"require_mfa\": true, "
	    "\"allow_ip_ranges\": [\"2001:db8::/32\", \"10.0.0.0/8\"]}", &d,
	    &err);
	ck_assert_msg(cfg != NULL, "%s", err.detail);
	conn = s2o_config_connection(cfg, "corp");
	client = s2o_config_client(cfg, "demo-app");
	ck_assert_ptr_nonnull(book = s2o_policy_book_new(cfg, &err));
	/* twice: a set freed must leave the book's ranges intact */
	for (round = 0; round < 2; round++) {
		s2o_err_clear(&err);
		ck_assert_ptr_nonnull(set = s2o_policy_book_set(book, conn,
		    client, NULL, &err));
		ck_assert_int_eq(check_text(set, "10.0.0.1", PROFILE,
		    MFA_MS, &err), 0);
		ck_assert_int_eq(check_text(set, "203.0.113.1", PROFILE,
		    MFA_MS, &err), -1);
		ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, "deny_ip_ranges: "
		    "203.0.113.1 is in 203.0.113.0/24 (policies of the top "
		    "level)");
		s2o_err_clear(&err);
		ck_assert_int_eq(check_text(set, "192.0.2.1", PROFILE,
		    MFA_MS, &err), -1);
		ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, "allow_ip_ranges: "
		    "192.0.2.1 is in none of the allowed ranges (policies of "
		    "client \"demo-app\")");
		s2o_err_clear(&err);
		ck_assert_int_eq(check_text(set, "10.0.0.1", "{\"groups\":"
		    "[\"x\"]}", MFA_MS, &err), -1);
		ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, "allowed_groups: "
		    "none of the user's groups is allowed (policies of "
		    "connection \"corp\")");
		s2o_policy_set_free(set);
	}
	/* a connection that is not the book's own is compiled on the spot */
	copy = *conn;
	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(set = s2o_policy_book_set(book, &copy, NULL,
	    NULL, &err));
	ck_assert_int_eq(check_text(set, NULL, "{\"groups\":[]}", PWD,
	    &err), -1);
	ck_assert_s2o_err(&err, S2O_R_POLICY_DENIED, "allowed_groups: the "
	    "user has no groups (policies of connection \"corp\")");
	s2o_policy_set_free(set);
	s2o_policy_book_free(book);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc;
	char	 cmd[128];
	int	 rc;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	tc = tcase_create("ipset");
	tcase_add_loop_test(tc, test_policy_ipset, 0, (int)NELEM(ipcases));
	tcase_add_loop_test(tc, test_policy_ipset_bad, 0, (int)NELEM(badcidrs));
	suite_add_tcase(s, tc);
	tc = tcase_create("rules");
	tcase_add_loop_test(tc, test_policy_rule, 0, (int)NELEM(rcases));
	tcase_add_test(tc, test_policy_api);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_loop_test(tc, test_policy_config_bad, 0, (int)NELEM(cfgbads));
	tcase_add_test(tc, test_policy_config_levels);
	tcase_add_test(tc, test_policy_book);
	suite_add_tcase(s, tc);
	rc = run_suite(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		rc = EXIT_FAILURE;
	return rc;
}
