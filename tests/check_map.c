/* SPDX-License-Identifier: MIT */
/*
 * map/: the mappings language, as an admin sees it. Every ready file in
 * mappings/ applied to its IdP's fixture gives exactly the claims
 * committed in fixtures/mappings/ready/; every feature case under
 * fixtures/mappings/features/ gives exactly its expected.json, or its
 * expected-error ("reason: detail"), and explain.txt when present; every
 * bad file under fixtures/mappings/lint/ gives exactly the lines of the
 * table below, with line and column. The tables name every fixture and a
 * test per table checks that none exists beyond it. Mapping is
 * deterministic: the same input gives byte-identical output.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "map/map.h"
#include "map/map_int.h"
#include "helpers.h"

/* ---- common routines --------------------------------------------------- */

static bool
exists(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0;
}

static bool
is_dir(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A fixture's text without its final newline. */
static char *
read_text(const char *path)
{
	char	*s = fx_read(path, NULL);
	size_t	 n = s ? strlen(s) : 0;

	if (s == NULL)
		return strdup("");
	if (n > 0 && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

static struct s2o_mapping *
load_ok(const char *path)
{
	struct s2o_mapping	*m;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	m = s2o_map_load(path, &d, &err);
	ck_assert_msg(m != NULL, "%s: %s", path, d.n ? d.v[0].text :
	    err.detail);
	ck_assert_msg(d.n == 0, "%s: %s", path, d.n ? d.v[0].text : "");
	s2o_diags_cleanup(&d);
	return m;
}

static struct s2o_assertion *
assertion_ok(const char *path)
{
	struct s2o_assertion	*a;
	struct s2o_err		 err;
	char			*text;
	size_t			 len;

	s2o_err_clear(&err);
	text = fx_read(path, &len);
	a = s2o_map_assertion_from_json(text, len, path, &err);
	ck_assert_msg(a != NULL, "%s: %s", path, err.detail);
	free(text);
	return a;
}

/* The result as `mappings test` prints it, or NULL with err. */
static char *
apply_text(const struct s2o_mapping *m, const struct s2o_assertion *a,
    const char *conn, unsigned int flags, char **explain,
    struct s2o_err *err)
{
	struct s2o_map_result	 r;
	char			*s = NULL;

	s2o_err_clear(err);
	if (s2o_map_apply(m, a, conn, flags, &r, err) == 0)
		s = s2o_map_result_json(&r, true, err);
	if (explain != NULL) {
		*explain = r.explain;
		r.explain = NULL;
	}
	s2o_map_result_cleanup(&r);
	return s;
}

/* Entries of dir (sub-directories, or files ending in suffix). */
static size_t
count_dir(const char *dir, const char *suffix)
{
	struct dirent	*e;
	DIR		*d;
	char		 p[4096];
	size_t		 n = 0, l;

	ck_assert_msg((d = opendir(dir)) != NULL, "cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		l = strlen(e->d_name);
		if (suffix == NULL ? is_dir(p) :
		    l > strlen(suffix) &&
		    strcmp(e->d_name + l - strlen(suffix), suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- ready files: mappings/<file>.json on fixtures/saml/<idp>/ --------- */

static const struct ready_case {
	const char	*file;		/* mappings/<file>.json */
	const char	*idp;		/* fixtures/saml/<idp>/assertion.json */
	const char	*connection;	/* as in fixtures/saml/bridge.json */
} ready_cases[] = {
	{ "auth0-default", "adfs", "adfs" },
	{ "adfs", "adfs", "adfs" },
	{ "entra-id", "entra-id", "entra" },
	{ "okta", "okta", "okta" },
	{ "google-workspace", "google-workspace", "google" },
	{ "shibboleth", "shibboleth", "shibboleth" },
	{ "pingfederate", "pingfederate", "ping" },
	{ "onelogin", "onelogin", "onelogin" },
};
#define NREADY	(sizeof(ready_cases) / sizeof(ready_cases[0]))

START_TEST(test_map_ready)
{
	const struct ready_case	*c = &ready_cases[_i];
	struct s2o_mapping	*m;
	struct s2o_assertion	*a;
	struct s2o_err		 err;
	char			 p[512], *got, *want;

	snprintf(p, sizeof(p), "mappings/%s.json", c->file);
	m = load_ok(src_path(p));
	snprintf(p, sizeof(p), "saml/%s/assertion.json", c->idp);
	a = assertion_ok(fx_path(p));
	got = apply_text(m, a, c->connection, 0, NULL, &err);
	ck_assert_msg(got != NULL, "%s: %s: %s", c->file,
	    s2o_reason_token(err.reason), err.detail);
	snprintf(p, sizeof(p), "mappings/ready/%s.expected.json", c->file);
	want = read_text(fx_path(p));
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	s2o_assertion_free(a);
	s2o_map_free(m);
}
END_TEST

START_TEST(test_map_ready_complete)
{
	ck_assert_uint_eq(count_dir(src_path("mappings"), ".json"), NREADY);
	ck_assert_uint_eq(count_dir(fx_path("mappings/ready"),
	    ".expected.json"), NREADY);
}
END_TEST

/* Auth0's defaults, built in, are what mappings/auth0-default.json says:
 * an empty file and that file map every IdP fixture alike. */
START_TEST(test_map_defaults_file)
{
	struct s2o_mapping	*empty, *file;
	struct s2o_assertion	*a;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 p[512], *x, *y;
	size_t			 i;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	empty = s2o_map_load_text("{}", 2, "empty.json", &d, &err);
	ck_assert_ptr_nonnull(empty);
	file = load_ok(src_path("mappings/auth0-default.json"));
	for (i = 0; i < NREADY; i++) {
		snprintf(p, sizeof(p), "saml/%s/assertion.json",
		    ready_cases[i].idp);
		a = assertion_ok(fx_path(p));
		x = apply_text(empty, a, "c", 0, NULL, &err);
		y = apply_text(file, a, "c", 0, NULL, &err);
		ck_assert_ptr_nonnull(x);
		ck_assert_ptr_nonnull(y);
		ck_assert_str_eq(x, y);
		free(x);
		free(y);
		s2o_assertion_free(a);
	}
	s2o_map_free(empty);
	s2o_map_free(file);
	s2o_diags_cleanup(&d);
}
END_TEST

/* ---- features: fixtures/mappings/features/<dir>/ ----------------------- */

static const struct feature_case {
	const char	*dir;
	const char	*assertion;	/* fixtures/mappings/assertions/ */
} feature_cases[] = {
	{ "auth0-format", "features" },
	{ "boolean-invalid", "features" },
	{ "defaults-opt-out", "features" },
	{ "defaults-values", "features" },
	{ "destinations", "features" },
	{ "dn-cn", "features" },
	{ "entra-group-ids", "features" },
	{ "filters", "features" },
	{ "friendly-name", "features" },
	{ "friendly-name-off", "features" },
	{ "literal", "features" },
	{ "merge-sources", "features" },
	{ "multiple", "features" },
	{ "multiple-reject", "features" },
	{ "nameid-attribute-wins", "nameid-attribute" },
	{ "number-invalid", "features" },
	{ "overage-fail", "entra-overage" },
	{ "overage-flag", "entra-overage" },
	{ "regex-limit", "features" },
	{ "regex-replace", "features" },
	{ "required-filtered", "features" },
	{ "required-missing", "features" },
	{ "required-template", "features" },
	{ "split", "features" },
	{ "sub-bare", "features" },
	{ "template", "features" },
	{ "trim-case", "features" },
	{ "types", "features" },
	{ "user-id-missing", "features" },
	{ "value-map", "features" },
};
#define NFEATURES	(sizeof(feature_cases) / sizeof(feature_cases[0]))

/* The explanation of dir, with or without values, equals its file. */
static void
check_explain(const struct s2o_mapping *m, const struct s2o_assertion *a,
    const char *dir, const char *file, unsigned int flags)
{
	struct s2o_err	 err;
	char		 p[512], *got, *want, *json;
	size_t		 n;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	if (!exists(p))
		return;
	json = apply_text(m, a, "corp", flags, &got, &err);
	ck_assert_msg(got != NULL, "%s: no explanation", p);
	n = strlen(got);
	if (n > 0 && got[n - 1] == '\n')
		got[n - 1] = '\0';
	want = read_text(p);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	free(json);
}

START_TEST(test_map_feature)
{
	const struct feature_case *c = &feature_cases[_i];
	struct s2o_mapping	*m;
	struct s2o_assertion	*a;
	struct s2o_err		 err;
	char			 dir[512], p[600], *got, *want, line[400];

	snprintf(dir, sizeof(dir), "%s/%s", fx_path("mappings/features"),
	    c->dir);
	snprintf(p, sizeof(p), "%s/mappings.json", dir);
	m = load_ok(p);
	snprintf(p, sizeof(p), "mappings/assertions/%s.json", c->assertion);
	a = assertion_ok(fx_path(p));
	got = apply_text(m, a, "corp", 0, NULL, &err);
	snprintf(p, sizeof(p), "%s/expected.json", dir);
	if (exists(p)) {
		ck_assert_msg(got != NULL, "%s: rejected: %s: %s", c->dir,
		    s2o_reason_token(err.reason), err.detail);
		want = read_text(p);
		ck_assert_str_eq(got, want);
	} else {
		snprintf(p, sizeof(p), "%s/expected-error", dir);
		want = read_text(p);
		ck_assert_msg(got == NULL, "%s: accepted, expected %s", c->dir,
		    want);
		snprintf(line, sizeof(line), "%s: %s",
		    s2o_reason_token(err.reason), err.detail);
		ck_assert_str_eq(line, want);
	}
	free(want);
	free(got);
	check_explain(m, a, dir, "explain.txt", S2O_MAP_EXPLAIN);
	check_explain(m, a, dir, "explain-values.txt",
	    S2O_MAP_EXPLAIN | S2O_MAP_EXPLAIN_VALUES);
	s2o_assertion_free(a);
	s2o_map_free(m);
}
END_TEST

START_TEST(test_map_features_complete)
{
	ck_assert_uint_eq(count_dir(fx_path("mappings/features"), NULL),
	    NFEATURES);
}
END_TEST

/* ---- lint: fixtures/mappings/lint/<file> ----------------------------------- */

static const struct lint_case {
	const char	*file;
	const char	*lines[12];	/* after "<path>", NULL-terminated */
} lint_cases[] = {
	{ "bad-option-value.json", {
	    ":2:24: [\"$options\"].sub: unknown value \"userid\" (did you mean \"user_id\"?)",
	    ":2:52: [\"$options\"].groups_overage: expected \"fail\" or \"flag\", found \"warn\"",
	    ":2:83: [\"$options\"].match_friendly_name: expected true or false, found a string",
	    NULL } },
	{ "bad-roles-claim.json", {
	    ":2:32: [\"$options\"].roles_claim: expected a collision-resistant claim name, a URL such as \"https://example.com/roles\"",
	    NULL } },
	{ "bad-regex.json", {
	    ":4:22: groups.keep_matching: bad regular expression at offset 6: missing closing parenthesis",
	    ":5:46: groups.transforms[0].replace.pattern: bad regular expression at offset 3: missing terminating ] for character class",
	    NULL } },
	{ "bad-replacement.json", {
	    ":5:56: email.transforms[0].replace.with: $2 names a group the pattern does not have (it has 1)",
	    ":6:63: email.transforms[1].replace.with: ${usr} names a group the pattern does not have",
	    ":7:46: email.transforms[2].replace.with: \"$\" at offset 7 starts no group reference (write \"$$\" for a dollar sign)",
	    NULL } },
	{ "bad-shapes.json", {
	    ":2:12: email: expected an attribute Name, an array of them, a literal or an object, found null",
	    ":3:11: name: expected at least one attribute Name",
	    ":4:23: nickname[1]: expected an attribute Name, found a number",
	    ":4:26: nickname[2]: an attribute Name cannot be empty",
	    ":5:23: locale.from: expected an attribute Name or an array of them, found an object",
	    ":6:44: [\"https://example.test/empty\"].value: an empty string is never issued; remove the claim instead",
	    ":7:49: [\"https://example.test/list\"].value[1]: expected a string, found a number",
	    ":8:46: roles.map.a: expected a string or an array of strings, found a number",
	    ":8:60: roles.map.b[1]: expected a string, found a boolean",
	    ":9:47: groups.transforms: expected an array of transforms, found a string",
	    NULL } },
	{ "combined-kinds.json", {
	    ":2:27: name.template: choose one of \"from\", \"value\" and \"template\"",
	    ":3:31: nickname.transforms: has no effect with \"value\": a literal is issued as written",
	    ":3:55: nickname.required: has no effect with \"value\": a literal is issued as written",
	    ":4:15: locale.merge: has no effect without \"from\"",
	    ":5:15: zoneinfo: needs one of \"from\", \"value\" or \"template\"",
	    NULL } },
	{ "custom-claim-name.json", {
	    ":2:3: department: a custom claim needs a collision-resistant name, a URL such as \"https://example.com/department\" (OIDC Core §5.1.2)",
	    ":3:3: emial: unknown claim (did you mean \"email\"?); a custom claim needs a URL for a name, such as \"https://example.com/emial\"",
	    ":4:3: [\"https:///roles\"]: a custom claim's URL needs a host and no spaces, such as \"https://example.com/roles\"",
	    ":5:3: address: address is a JSON object (OIDC Core §5.1.1), which mappings cannot build; map its parts to custom claims",
	    NULL } },
	{ "duplicate-key.json", {
	    ":3:9: duplicate object key near '\"email\"'",
	    NULL } },
	{ "guid-upper.json", {
	    ":4:14: warning: roles.map[\"18A8E13B-E15B-49B1-A1B6-4F0EE0A95872\"]: Entra ID sends object ids in lower case, so this key only matches an id written in upper case",
	    NULL } },
	{ "no-user-id.json", {
	    ": no \"user_id\": sub is made from it (\"$options\": {\"extend_defaults\": false} removed Auth0's default)",
	    NULL } },
	{ "not-object.json", {
	    ":1:1: expected a JSON object of claim -> attribute Name(s)",
	    NULL } },
	{ "oid-colons.json", {
	    ":2:17: warning: given_name: urn:oid: Names are sent with dots, so \"urn:oid:2:5:4:42\" never matches (did you mean \"urn:oid:2.5.4.42\"?)",
	    ":3:38: warning: family_name[1]: urn:oid: Names are sent with dots, so \"urn:oid:2:5:4:4\" never matches (did you mean \"urn:oid:2.5.4.4\"?)",
	    NULL } },
	{ "option-rules.json", {
	    ":2:48: email.default: a required claim takes no default",
	    ":3:32: roles.unmapped: has no effect without \"map\"",
	    ":3:52: roles.multiple: has no effect on an array claim",
	    ":4:39: name.multiple: \"join\" needs a \"separator\", such as \", \"",
	    ":5:32: nickname.separator: has no effect without \"multiple\": \"join\"",
	    ":6:50: locale.to[1]: unknown destination \"acess_token\" (did you mean \"access_token\"?)",
	    ":7:37: zoneinfo.to: expected at least one of \"id_token\", \"access_token\" or \"userinfo\"",
	    ":8:40: gender.unmapped: expected \"drop\" or \"keep\", found \"forget\"",
	    NULL } },
	{ "reserved-claim.json", {
	    ":2:3: iss: iss is a registered JWT or protocol claim and cannot be mapped: the token minter sets it",
	    ":3:3: sub: sub is made from user_id and the connection (see \"$options\": {\"sub\": ...}); map user_id instead",
	    ":4:3: amr: amr is a registered JWT or protocol claim and cannot be mapped: the token minter sets it",
	    ":5:3: org_id: org_id is set by the organization and RBAC features and cannot be mapped",
	    ":6:3: _claim_names: _claim_names is set by \"$options\": {\"groups_overage\": \"flag\"} and cannot be mapped",
	    NULL } },
	{ "syntax.json", {
	    ":4:12: '}' expected near '\"nickname\"'",
	    NULL } },
	{ "template-cycle.json", {
	    ":3:29: nickname.template: templates refer to each other in a cycle through {name}",
	    ":4:28: profile.template: {profile} refers to the claim itself",
	    NULL } },
	{ "template-errors.json", {
	    ":3:25: name.template: unknown field {given_nme} (did you mean {given_name}?)",
	    ":4:29: nickname.template: unclosed \"{\" at offset 0 (write \"{{\" for a literal brace)",
	    ":5:39: preferred_username.template: unmatched \"}\" at offset 1 (write \"}}\" for a literal brace)",
	    ":6:48: [\"https://example.test/groups\"].template: {groups} is an array claim; a template takes single values",
	    ":7:32: middle_name.template: empty field name at offset 0",
	    NULL } },
	{ "type-conflict.json", {
	    ":2:51: email_verified.type: email_verified is a boolean claim (OIDC Core §5.1), not a string",
	    ":3:12: email: email is a string claim (OIDC Core §5.1), not a boolean",
	    ":4:43: groups.type: groups is an array claim (RFC 9068 §2.2.3.1), not a string",
	    ":5:44: [\"https://example.test/level\"].value: expected a number (\"type\": \"number\"), found a string",
	    ":6:79: [\"https://example.test/tier\"].default: expected a number (the claim's type), found a string",
	    ":7:58: [\"https://example.test/kind\"].type: expected \"string\", \"boolean\", \"number\" or \"array\", found \"text\"",
	    NULL } },
	{ "unknown-dollar-key.json", {
	    ":2:3: [\"$option\"]: unknown key (did you mean \"$options\"?)",
	    NULL } },
	{ "unknown-key.json", {
	    ":2:30: email.transform: unknown key (did you mean \"transforms\"?)",
	    NULL } },
	{ "unknown-option.json", {
	    ":2:17: [\"$options\"].extend_default: unknown option (did you mean \"extend_defaults\"?)",
	    NULL } },
	{ "unknown-transform.json", {
	    ":2:53: email.transforms[1]: unknown transform \"lowercase\"; known: \"trim\", \"lower\", \"upper\", \"split\", \"replace\", \"dn_cn\", \"drop_empty\" or \"dedupe\"",
	    ":2:66: email.transforms[2]: split needs a delimiter: write {\"split\": \",\"}",
	    ":2:77: email.transforms[3].trim: trim takes no argument: write \"trim\"",
	    ":2:95: email.transforms[4].spilt: unknown transform \"spilt\" (did you mean \"split\"?)",
	    ":2:111: email.transforms[5]: expected a transform name or an object such as {\"split\": \",\"}, found a number",
	    NULL } },
	{ "user-id-default.json", {
	    ":2:31: user_id.default: user_id takes no default: every user without one would share one sub",
	    ":2:55: user_id.to: user_id always becomes sub; \"to\" has no effect",
	    ":2:85: user_id.required: user_id is always required: sub is made from it",
	    NULL } },
	{ "user-id-rules.json", {
	    ":2:14: user_id: user_id must come from the assertion: a literal would give every user one sub",
	    ":2:37: user_id.to: user_id always becomes sub; \"to\" has no effect",
	    NULL } },
};
#define NLINT	(sizeof(lint_cases) / sizeof(lint_cases[0]))

START_TEST(test_map_lint)
{
	const struct lint_case	*c = &lint_cases[_i];
	struct s2o_mapping	*m;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 path[1024], want[1400];
	const char		*first = NULL;
	size_t			 n, nerrors = 0;

	snprintf(path, sizeof(path), "%s/%s", fx_path("mappings/lint"),
	    c->file);
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	m = s2o_map_load(path, &d, &err);
	for (n = 0; c->lines[n] != NULL; n++) {
		snprintf(want, sizeof(want), "%s%s", path, c->lines[n]);
		ck_assert_msg(n < d.n, "%s: missing line %s", c->file, want);
		ck_assert_str_eq(d.v[n].text, want);
		if (strstr(c->lines[n], ": warning: ") == NULL) {
			nerrors++;
			if (first == NULL)
				first = c->lines[n];
		}
	}
	ck_assert_msg(d.n == n, "%s: %zu lines, expected %zu; extra: %s",
	    c->file, d.n, n, d.n > n ? d.v[n].text : "");
	ck_assert_uint_eq(d.nerrors, nerrors);
	if (nerrors == 0) {
		/* warnings only: the file loads, lint still reports */
		ck_assert_ptr_nonnull(m);
		ck_assert_s2o_ok(&err);
	} else {
		/* the error value carries the first error */
		ck_assert_ptr_null(m);
		snprintf(want, sizeof(want), "%s%s", path, first);
		ck_assert_int_eq(err.reason, S2O_R_MAPPING_INVALID);
		ck_assert_str_eq(err.detail, want);
	}
	s2o_map_free(m);
	s2o_diags_cleanup(&d);
}
END_TEST

START_TEST(test_map_lint_complete)
{
	ck_assert_uint_eq(count_dir(fx_path("mappings/lint"), ".json"), NLINT);
}
END_TEST

/* Problems of several files accumulate in one list; each load's error
 * names its own file's first error. */
START_TEST(test_map_lint_shared_diags)
{
	struct s2o_mapping	*m;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 p[1024];

	s2o_diags_init(&d);
	s2o_err_clear(&err);
	snprintf(p, sizeof(p), "%s", fx_path("mappings/lint/oid-colons.json"));
	m = s2o_map_load(p, &d, &err);
	ck_assert_ptr_nonnull(m);	/* two warnings */
	s2o_map_free(m);
	s2o_err_clear(&err);
	snprintf(p, sizeof(p), "%s",
	    fx_path("mappings/lint/unknown-key.json"));
	ck_assert_ptr_null(s2o_map_load(p, &d, &err));
	ck_assert_uint_eq(d.n, 3);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(err.detail, d.v[2].text);
	s2o_diags_cleanup(&d);
}
END_TEST

/* ---- load: files that cannot be read, limits ------------------------------- */

START_TEST(test_map_load_unreadable)
{
	struct s2o_diags	d;
	struct s2o_err		err;
	char			*big;

	s2o_diags_init(&d);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_map_load("/nonexistent/m.json", &d, &err));
	ck_assert_s2o_err(&err, S2O_R_IO, "/nonexistent/m.json");
	ck_assert_uint_eq(d.n, 0);
	s2o_err_clear(&err);
	big = calloc(1, S2O_MAP_MAX_FILE + 2);
	memset(big, ' ', S2O_MAP_MAX_FILE + 1);
	ck_assert_ptr_null(s2o_map_load_text(big, S2O_MAP_MAX_FILE + 1,
	    "big.json", &d, &err));
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, "big.json: a mappings file "
	    "may hold at most 1048576 bytes");
	free(big);
	s2o_diags_cleanup(&d);
}
END_TEST

/* Nesting past S2O_JSON_MAX_DEPTH is one problem with a position. */
START_TEST(test_map_load_deep)
{
	struct s2o_diags	d;
	struct s2o_err		err;
	char			text[400];
	size_t			i, n = 0;

	n += (size_t)snprintf(text, sizeof(text), "{\"email\": {\"from\": ");
	for (i = 0; i < 70; i++)
		text[n++] = '[';
	for (i = 0; i < 70; i++)
		text[n++] = ']';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "}}");
	s2o_diags_init(&d);
	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_map_load_text(text, n, "deep.json", &d,
	    &err));
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].text, "deep.json:1:82: JSON nested deeper "
	    "than 64 levels");
	s2o_diags_cleanup(&d);
}
END_TEST

/* ---- apply: the API's own rules ------------------------------------------ */

static struct s2o_mapping *
load_inline(const char *text)
{
	struct s2o_mapping	*m;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	s2o_diags_init(&d);
	s2o_err_clear(&err);
	m = s2o_map_load_text(text, strlen(text), "inline.json", &d, &err);
	ck_assert_msg(m != NULL, "%s", d.n ? d.v[0].text : err.detail);
	s2o_diags_cleanup(&d);
	return m;
}

START_TEST(test_map_apply_api)
{
	struct s2o_mapping	*m, *bare;
	struct s2o_assertion	*a;
	struct s2o_map_result	 r;
	struct s2o_err		 err;

	m = load_inline("{\"$options\": {\"extend_defaults\": false}, "
	    "\"user_id\": \"uid\", \"email\": {\"from\": \"mail\", \"to\": "
	    "\"access_token\", \"transforms\": [\"trim\"]}}");
	bare = load_inline("{\"$options\": {\"sub\": \"user_id\"}}");
	ck_assert(!s2o_map_sub_is_bare(m));
	ck_assert(s2o_map_sub_is_bare(bare));
	a = assertion_ok(fx_path("mappings/assertions/features.json"));

	/* objects, empty ones too; no explanation unless asked */
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_map_apply(m, a, "corp", 0, &r, &err), 0);
	ck_assert_str_eq(r.sub, "corp|amartin");
	ck_assert_json_text(r.id_token, "{}");
	ck_assert_json_text(r.userinfo, "{}");
	ck_assert_json_text(r.access_token,
	    "{\"email\":\"Alice.Martin@Example.TEST\"}");
	ck_assert_json_text(r.profile,
	    "{\"email\":\"Alice.Martin@Example.TEST\"}");
	ck_assert_ptr_null(r.explain);
	s2o_map_result_cleanup(&r);
	s2o_map_result_cleanup(&r);	/* idempotent */

	/* sub needs the connection unless the file asks for the bare id */
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_map_apply(m, a, NULL, 0, &r, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_USAGE, "sub needs the connection's name");
	ck_assert_ptr_null(r.sub);
	ck_assert_ptr_null(r.id_token);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_map_apply(bare, a, NULL, 0, &r, &err), 0);
	ck_assert_str_eq(r.sub, "alice@example.test");
	s2o_map_result_cleanup(&r);

	/* OIDC Core §2: sub is at most 255 bytes */
	{
		char conn[300];

		memset(conn, 'c', 250);
		conn[250] = '\0';
		s2o_err_clear(&err);
		ck_assert_int_eq(s2o_map_apply(m, a, conn, 0, &r, &err), -1);
		ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, "sub would be 258 "
		    "bytes; OIDC Core §2 allows at most 255");
	}
	s2o_assertion_free(a);
	s2o_map_free(bare);
	s2o_map_free(m);
}
END_TEST

/* A nameidentifier attribute without values is absent: the NameID
 * answers instead, as for any other source. */
START_TEST(test_map_nameid_empty_attribute)
{
	static const char text[] = "{\"name_id\": \"alice\", \"attributes\": "
	    "[{\"name\": \"http://schemas.xmlsoap.org/ws/2005/05/identity/"
	    "claims/nameidentifier\", \"values\": []}]}";
	struct s2o_mapping	*m;
	struct s2o_assertion	*a;
	struct s2o_map_result	 r;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	a = s2o_map_assertion_from_json(text, strlen(text), "a.json", &err);
	ck_assert_ptr_nonnull(a);
	m = load_inline("{}");
	ck_assert_int_eq(s2o_map_apply(m, a, "corp", 0, &r, &err), 0);
	ck_assert_str_eq(r.sub, "corp|alice");
	s2o_map_result_cleanup(&r);
	s2o_map_free(m);
	s2o_assertion_free(a);
}
END_TEST

/* A failure still explains itself, when asked: that is when it helps. */
START_TEST(test_map_apply_explains_failure)
{
	struct s2o_mapping	*m;
	struct s2o_assertion	*a;
	struct s2o_map_result	 r;
	struct s2o_err		 err;

	m = load_inline("{\"$options\": {\"extend_defaults\": false}, "
	    "\"user_id\": \"uid\", \"email\": {\"from\": \"nope\", "
	    "\"required\": true}}");
	a = assertion_ok(fx_path("mappings/assertions/features.json"));
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_map_apply(m, a, "corp", S2O_MAP_EXPLAIN, &r,
	    &err), -1);
	ck_assert_s2o_err(&err, S2O_R_MISSING_ATTRIBUTE, "email: required, "
	    "but none of its sources is present: \"nope\"");
	ck_assert_ptr_null(r.sub);
	ck_assert_ptr_nonnull(r.explain);
	ck_assert_str_eq(r.explain,
	    "user_id (becomes sub)\n"
	    "  from \"uid\": 1 value, used\n"
	    "  result: string\n"
	    "email (to id_token, userinfo)\n"
	    "  from \"nope\": absent\n"
	    "  result: absent, and required\n");
	s2o_map_result_cleanup(&r);
	s2o_assertion_free(a);
	s2o_map_free(m);
}
END_TEST

/*
 * The explanation without values holds no attribute value: none of the
 * ready files' explanations of their IdP's assertion quotes a value that
 * the file itself does not (okta.json names "^Everyone$", a pattern).
 */
START_TEST(test_map_explain_no_values)
{
	const struct ready_case	*c = &ready_cases[_i];
	struct s2o_mapping	*m;
	struct s2o_assertion	*a;
	struct s2o_err		 err;
	char			 p[512], *ex, *json, *file;
	const char		*v;
	size_t			 i, j;

	snprintf(p, sizeof(p), "mappings/%s.json", c->file);
	m = load_ok(src_path(p));
	file = read_text(src_path(p));
	snprintf(p, sizeof(p), "saml/%s/assertion.json", c->idp);
	a = assertion_ok(fx_path(p));
	json = apply_text(m, a, c->connection, S2O_MAP_EXPLAIN, &ex, &err);
	ck_assert_ptr_nonnull(json);
	for (i = 0; i < a->nattributes; i++)
		for (j = 0; j < a->attributes[i].nvalues; j++) {
			v = a->attributes[i].values[j];
			ck_assert_msg(strstr(ex, v) == NULL ||
			    strstr(file, v) != NULL, "value \"%s\" in: %s", v,
			    ex);
		}
	ck_assert_ptr_null(strstr(ex, a->name_id));
	free(file);
	free(ex);
	free(json);
	s2o_assertion_free(a);
	s2o_map_free(m);
}
END_TEST

/* ---- determinism ------------------------------------------------------------ */

START_TEST(test_map_deterministic)
{
	const struct ready_case	*c = &ready_cases[_i];
	struct s2o_mapping	*m1, *m2;
	struct s2o_assertion	*a;
	struct s2o_map_result	 r[3];
	struct s2o_err		 err;
	char			 p[512];
	int			 k;

	snprintf(p, sizeof(p), "mappings/%s.json", c->file);
	m1 = load_ok(src_path(p));
	m2 = load_ok(src_path(p));
	snprintf(p, sizeof(p), "saml/%s/assertion.json", c->idp);
	a = assertion_ok(fx_path(p));
	for (k = 0; k < 3; k++) {
		s2o_err_clear(&err);
		ck_assert_int_eq(s2o_map_apply(k == 2 ? m2 : m1, a,
		    c->connection, S2O_MAP_EXPLAIN | S2O_MAP_EXPLAIN_VALUES,
		    &r[k], &err), 0);
	}
	for (k = 1; k < 3; k++) {
		json_t *o0[4] = { r[0].id_token, r[0].access_token,
		    r[0].userinfo, r[0].profile };
		json_t *ok[4] = { r[k].id_token, r[k].access_token,
		    r[k].userinfo, r[k].profile };
		int j;

		ck_assert_str_eq(r[k].sub, r[0].sub);
		/* the same objects, keys in the same order */
		for (j = 0; j < 4; j++) {
			char *t0 = s2o_test_json_text(o0[j]);

			ck_assert_json_text(ok[j], t0);
			free(t0);
		}
		ck_assert_str_eq(r[k].explain, r[0].explain);
	}
	for (k = 0; k < 3; k++)
		s2o_map_result_cleanup(&r[k]);
	s2o_assertion_free(a);
	s2o_map_free(m1);
	s2o_map_free(m2);
}
END_TEST

/* ---- the assertion's JSON form, both ways ------------------------------- */

static const char *const saml_idps[] = { "adfs", "entra-id", "okta",
    "google-workspace", "shibboleth", "pingfederate", "onelogin",
    "attrs-zero-values", "utf8-values", "nameid-only" };
#define NIDPS	(sizeof(saml_idps) / sizeof(saml_idps[0]))

/* Reading what `consume --format assertion` printed and printing it
 * again gives the same bytes. */
START_TEST(test_map_assertion_roundtrip)
{
	struct s2o_assertion	*a;
	struct s2o_err		 err;
	char			 p[512], *want, *got;

	snprintf(p, sizeof(p), "saml/%s/assertion.json", saml_idps[_i]);
	if (!exists(fx_path(p)))
		return;
	a = assertion_ok(fx_path(p));
	want = read_text(fx_path(p));
	s2o_err_clear(&err);
	got = s2o_map_assertion_json(a, true, &err);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	s2o_assertion_free(a);
}
END_TEST

static const struct json_case {
	const char	*text;
	enum s2o_reason	 reason;
	const char	*detail;
} json_cases[] = {
	{ "{\"issuer\": \"x\",\n \"nameid\": \"a\"}", S2O_R_MALFORMED,
	    "a.json:2:2: nameid: unknown key (did you mean \"name_id\"?)" },
	{ "{\"authn_instant\": \"yesterday\"}", S2O_R_MALFORMED,
	    "a.json:1:19: authn_instant: expected an RFC 3339 time such as "
	    "\"2026-11-28T12:00:00Z\"" },
	{ "{\"attributes\": [{\"name\": \"a\", \"values\": [1]}]}",
	    S2O_R_MALFORMED, "a.json:1:42: attributes[0].values[0]: expected "
	    "a string" },
	{ "{\"attributes\": [{\"values\": []}]}", S2O_R_MALFORMED,
	    "a.json:1:17: attributes[0]: expected a non-empty string "
	    "\"name\"" },
	{ "{\"attributes\": [{\"name\": \"a\", \"value\": [\"x\"]}]}",
	    S2O_R_MALFORMED, "a.json:1:31: attributes[0].value: unknown key "
	    "(did you mean \"values\"?)" },
	{ "{\"name_id\": 7}", S2O_R_MALFORMED,
	    "a.json:1:13: name_id: expected a string" },
	{ "{\"issuer\": ", S2O_R_MALFORMED, "a.json:1:11: unexpected token near "
	    "end of file" },
	{ "[]", S2O_R_MALFORMED, "a.json: expected a JSON object, as "
	    "`consume --format assertion` prints" },
};
#define NJSON	(sizeof(json_cases) / sizeof(json_cases[0]))

START_TEST(test_map_assertion_bad)
{
	const struct json_case	*c = &json_cases[_i];
	struct s2o_err		 err;

	s2o_err_clear(&err);
	ck_assert_ptr_null(s2o_map_assertion_from_json(c->text,
	    strlen(c->text), "a.json", &err));
	ck_assert_int_eq(err.reason, c->reason);
	ck_assert_str_eq(err.detail, c->detail);
}
END_TEST

/* Repeated Names are one attribute, values in order (as saml/ does). */
START_TEST(test_map_assertion_merge)
{
	struct s2o_assertion		*a;
	const struct s2o_attribute	*at;

	a = assertion_ok(fx_path("mappings/assertions/features.json"));
	at = s2o_assertion_attribute(a, "department");
	ck_assert_ptr_nonnull(at);
	ck_assert_uint_eq(at->nvalues, 2);
	ck_assert_str_eq(at->values[0], "Engineering");
	ck_assert_str_eq(at->values[1], "Research");
	s2o_assertion_free(a);
}
END_TEST

/* ---- dn_cn: RFC 4514 --------------------------------------------------------- */

static const struct dn_case {
	const char	*in;
	const char	*cn;	/* NULL: not a DN with a CN, kept as is */
} dn_cases[] = {
	{ "CN=Engineering,OU=Groups,DC=example,DC=test", "Engineering" },
	{ "cn=admins,dc=example", "admins" },
	{ "OU=Staff,CN=Leaf,DC=x", "Leaf" },
	{ "CN=Smith\\, John,OU=People", "Smith, John" },
	{ "CN=\\23hash\\2Bplus,OU=x", "#hash+plus" },
	{ "CN=Caf\\C3\\A9,OU=x", "Caf\xc3\xa9" },
	{ "CN=bad\\FF,OU=x", NULL },
	{ " CN = spaced  , OU = x", "spaced" },
	{ "CN=trailing\\ ,OU=x", "trailing " },
	{ "CN=a+UID=b,OU=x", "a" },
	{ "2.5.4.3=oid,OU=x", "oid" },
	{ "Everyone", NULL },
	{ "OU=Groups,DC=example", NULL },
	{ "CN=,OU=x", NULL },
	{ "CN=x\\", NULL },
};
#define NDN	(sizeof(dn_cases) / sizeof(dn_cases[0]))

START_TEST(test_map_dn_cn)
{
	const struct dn_case	*c = &dn_cases[_i];
	char			*got;
	bool			 oom;

	got = map_dn_cn(c->in, &oom);
	ck_assert(!oom);
	if (c->cn == NULL)
		ck_assert_msg(got == NULL, "%s: got \"%s\"", c->in, got);
	else {
		ck_assert_msg(got != NULL, "%s: no CN", c->in);
		ck_assert_str_eq(got, c->cn);
	}
	free(got);
}
END_TEST

/* ---- out of memory ---------------------------------------------------------- */

/*
 * jansson's allocations fail one at a time, the Nth for N = 0, 1, ...
 * until a call succeeds (jansson's test_chaos). Each failure must end as
 * S2O_R_INTERNAL, never as a crash or a leak (the sanitizer build checks
 * the last). jansson 2.14's own parser is not put under chaos: when its
 * lexer's allocations fail it may crash, drop a character and succeed,
 * or report a syntax error; so the load loop starts past the allocations
 * json_loadb() makes for the text. map/'s own malloc calls are not
 * hooked: core/ has no allocation hook.
 */
static long	chaos_left, chaos_count;

static void *
chaos_malloc(size_t n)
{
	chaos_count++;
	return chaos_left-- == 0 ? NULL : malloc(n);
}

/* How many allocations jansson's parser makes for text. */
static long
parse_allocs(const char *text, size_t len)
{
	json_t	*j;

	chaos_left = -1;
	chaos_count = 0;
	json_set_alloc_funcs(chaos_malloc, free);
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	json_set_alloc_funcs(malloc, free);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	return chaos_count;
}

static const struct feature_case chaos_cases[] = {
	{ "overage-flag", "entra-overage" },
	{ "template", "features" },
	{ "value-map", "features" },
	{ "split", "features" },
	{ "literal", "features" },
	{ "defaults-values", "features" },
	{ "multiple", "features" },
	{ "required-missing", "features" },
};
#define NCHAOS	(sizeof(chaos_cases) / sizeof(chaos_cases[0]))

START_TEST(test_map_chaos)
{
	const struct feature_case *c = &chaos_cases[_i];
	char			 p[512];
	struct s2o_mapping	*m = NULL, *good;
	struct s2o_assertion	*a;
	struct s2o_map_result	 r;
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			*text;
	size_t			 len;
	long			 n;
	int			 rc = -1;
	bool			 expect_ok;

	snprintf(p, sizeof(p), "mappings/features/%s/expected.json", c->dir);
	expect_ok = exists(fx_path(p));
	snprintf(p, sizeof(p), "mappings/features/%s/mappings.json", c->dir);
	text = fx_read(fx_path(p), &len);
	snprintf(p, sizeof(p), "mappings/assertions/%s.json", c->assertion);
	a = assertion_ok(fx_path(p));
	for (n = parse_allocs(text, len); m == NULL && n < 100000; n++) {
		s2o_diags_init(&d);
		s2o_err_clear(&err);
		chaos_left = n;
		json_set_alloc_funcs(chaos_malloc, free);
		m = s2o_map_load_text(text, len, "chaos.json", &d, &err);
		json_set_alloc_funcs(malloc, free);
		if (m == NULL)
			ck_assert_msg(err.reason == S2O_R_INTERNAL && d.n == 0,
			    "N=%ld: %s: %s", n, s2o_reason_token(err.reason),
			    err.detail);
		s2o_diags_cleanup(&d);
	}
	ck_assert_ptr_nonnull(m);
	good = m;
	/* a case that fails anyway fails for its own reason once jansson
	 * has all it needs; until then, only for lack of memory */
	for (n = 0; rc == -1 && n < 100000; n++) {
		s2o_err_clear(&err);
		chaos_left = n;
		json_set_alloc_funcs(chaos_malloc, free);
		rc = s2o_map_apply(good, a, "corp", S2O_MAP_EXPLAIN |
		    S2O_MAP_EXPLAIN_VALUES, &r, &err);
		json_set_alloc_funcs(malloc, free);
		s2o_map_result_cleanup(&r);
		if (rc == -1 && err.reason != S2O_R_INTERNAL) {
			ck_assert_msg(!expect_ok, "N=%ld: %s: %s", n,
			    s2o_reason_token(err.reason), err.detail);
			break;
		}
	}
	ck_assert_int_eq(rc, expect_ok ? 0 : -1);
	s2o_map_free(good);
	s2o_assertion_free(a);
	free(text);
}
END_TEST

/* ---- the command line ----------------------------------------------------------- */

struct run_out {
	int	 status;
	char	*out, *err;
};

/* Runs the built saml2oidc with args (shell-quoted by the caller). */
static void
run_cli(const char *args, struct run_out *o)
{
	char		 cmd[4096], outp[256], errp[256];
	const char	*tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int		 st, fd;

	snprintf(outp, sizeof(outp), "%s/check_map.out.XXXXXX", tmp);
	snprintf(errp, sizeof(errp), "%s/check_map.err.XXXXXX", tmp);
	ck_assert_int_ne(fd = mkstemp(outp), -1);
	close(fd);
	ck_assert_int_ne(fd = mkstemp(errp), -1);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s/src/saml2oidc %s >%s 2>%s </dev/null",
	    getenv("S2O_BUILDDIR") ? getenv("S2O_BUILDDIR") : ".", args, outp,
	    errp);
	st = system(cmd);
	ck_assert(st != -1 && WIFEXITED(st));
	o->status = WEXITSTATUS(st);
	o->out = read_text(outp);
	o->err = read_text(errp);
	unlink(outp);
	unlink(errp);
}

static void
run_free(struct run_out *o)
{
	free(o->out);
	free(o->err);
}

START_TEST(test_map_cli_lint)
{
	struct run_out	o;
	char		args[2048], want[2048];
	const char	*ok = src_path("mappings/okta.json");
	const char	*bad = fx_path("mappings/lint/unknown-key.json");

	snprintf(args, sizeof(args), "mappings lint '%s'", ok);
	run_cli(args, &o);
	ck_assert_int_eq(o.status, 0);
	snprintf(want, sizeof(want), "%s: ok", ok);
	ck_assert_str_eq(o.out, want);
	ck_assert_str_eq(o.err, "");
	run_free(&o);

	/* every file is checked; one problem makes the exit status 2 */
	snprintf(args, sizeof(args), "mappings lint '%s' '%s'", bad, ok);
	run_cli(args, &o);
	ck_assert_int_eq(o.status, 2);
	snprintf(want, sizeof(want), "%s: ok", ok);
	ck_assert_str_eq(o.out, want);
	snprintf(want, sizeof(want), "%s:2:30: email.transform: unknown key "
	    "(did you mean \"transforms\"?)", bad);
	ck_assert_str_eq(o.err, want);
	run_free(&o);

	/* a warning is a problem too: lint is clean only when silent */
	snprintf(args, sizeof(args), "mappings lint '%s'",
	    fx_path("mappings/lint/oid-colons.json"));
	run_cli(args, &o);
	ck_assert_int_eq(o.status, 2);
	ck_assert_str_eq(o.out, "");
	run_free(&o);

	run_cli("mappings lint /nonexistent.json", &o);
	ck_assert_int_eq(o.status, 2);
	ck_assert_str_eq(o.err, "saml2oidc: io: cannot read /nonexistent.json: "
	    "No such file or directory");
	run_free(&o);

	run_cli("mappings lint", &o);
	ck_assert_int_eq(o.status, 2);
	run_free(&o);
	run_cli("mappings frobnicate", &o);
	ck_assert_int_eq(o.status, 2);
	ck_assert_str_eq(o.err, "saml2oidc: mappings: expected \"lint\" or "
	    "\"test\", found frobnicate");
	run_free(&o);
}
END_TEST

START_TEST(test_map_cli_test)
{
	struct run_out	o;
	char		args[2048], *want;
	char		fdir[1024];

	/* the connection defaults to the file's name: mappings/okta.json
	 * is "okta", as in fixtures/saml/bridge.json */
	snprintf(args, sizeof(args), "mappings test --mappings '%s' "
	    "--assertion '%s'", src_path("mappings/okta.json"),
	    fx_path("saml/okta/assertion.json"));
	run_cli(args, &o);
	ck_assert_int_eq(o.status, 0);
	want = read_text(fx_path("mappings/ready/okta.expected.json"));
	ck_assert_str_eq(o.out, want);
	ck_assert_str_eq(o.err, "");
	free(want);
	run_free(&o);

	snprintf(fdir, sizeof(fdir), "%s", fx_path("mappings/features"));
	snprintf(args, sizeof(args), "mappings test --mappings "
	    "'%s/required-missing/mappings.json' --assertion '%s' "
	    "--connection corp --explain", fdir,
	    fx_path("mappings/assertions/features.json"));
	run_cli(args, &o);
	ck_assert_int_eq(o.status, 1);
	ck_assert_str_eq(o.out, "");
	ck_assert_ptr_nonnull(strstr(o.err, "  result: absent, and required\n"
	    "saml2oidc: rejected: missing_attribute: email: required, but none "
	    "of its sources is present: "));
	run_free(&o);

	snprintf(args, sizeof(args), "mappings test --mappings '%s' "
	    "--assertion '%s'", fx_path("mappings/lint/syntax.json"),
	    fx_path("saml/okta/assertion.json"));
	run_cli(args, &o);
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "syntax.json:4:12: '}' expected "
	    "near '\"nickname\"'"));
	run_free(&o);

	snprintf(args, sizeof(args), "mappings test --mappings '%s' "
	    "--assertion '%s'", src_path("mappings/okta.json"),
	    fx_path("saml/okta/response.xml"));
	run_cli(args, &o);
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "saml2oidc: malformed: "));
	run_free(&o);

	run_cli("mappings test --mappings x.json", &o);
	ck_assert_int_eq(o.status, 2);
	run_free(&o);
	run_cli("mappings test --mappings x.json --assertion y.json "
	    "--explain=everything", &o);
	ck_assert_int_eq(o.status, 2);
	ck_assert_str_eq(o.err, "saml2oidc: mappings test: --explain="
	    "everything: expected --explain or --explain=values");
	run_free(&o);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("map");
	TCase	*tc;

	tc = tcase_create("ready");
	tcase_add_loop_test(tc, test_map_ready, 0, (int)NREADY);
	tcase_add_test(tc, test_map_ready_complete);
	tcase_add_test(tc, test_map_defaults_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("features");
	tcase_add_loop_test(tc, test_map_feature, 0, (int)NFEATURES);
	tcase_add_test(tc, test_map_features_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_add_loop_test(tc, test_map_lint, 0, (int)NLINT);
	tcase_add_test(tc, test_map_lint_complete);
	tcase_add_test(tc, test_map_lint_shared_diags);
	tcase_add_test(tc, test_map_load_unreadable);
	tcase_add_test(tc, test_map_load_deep);
	suite_add_tcase(s, tc);

	tc = tcase_create("apply");
	tcase_add_test(tc, test_map_apply_api);
	tcase_add_test(tc, test_map_nameid_empty_attribute);
	tcase_add_test(tc, test_map_apply_explains_failure);
	tcase_add_loop_test(tc, test_map_explain_no_values, 0, (int)NREADY);
	tcase_add_loop_test(tc, test_map_deterministic, 0, (int)NREADY);
	tcase_add_loop_test(tc, test_map_dn_cn, 0, (int)NDN);
	tcase_add_loop_test(tc, test_map_chaos, 0, (int)NCHAOS);
	suite_add_tcase(s, tc);

	tc = tcase_create("assertion_json");
	tcase_add_loop_test(tc, test_map_assertion_roundtrip, 0, (int)NIDPS);
	tcase_add_loop_test(tc, test_map_assertion_bad, 0, (int)NJSON);
	tcase_add_test(tc, test_map_assertion_merge);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_add_test(tc, test_map_cli_lint);
	tcase_add_test(tc, test_map_cli_test);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
