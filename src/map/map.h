/* SPDX-License-Identifier: MIT */
/*
 * map/: from the verified facts of an assertion to a user profile, by the
 * admin's mappings file (design §5, docs/mappings.md). A file is loaded,
 * linted and compiled once (regular expressions compiled, templates
 * parsed); applying it to an assertion then only walks plain data. map/
 * also owns the assertion's JSON form, the contract `consume --format
 * assertion` prints and `mappings test` reads back.
 */
#ifndef S2O_MAP_H
#define S2O_MAP_H

#include <stdbool.h>

#include "core/core.h"
#include "saml/saml.h"

/* jansson's json_t (typedef struct json_t json_t), without jansson.h */
struct json_t;

/* ---- assertion_json.c -------------------------------------------------- */

/*
 * The assertion as one JSON object: issuer, name_id, name_id_format,
 * session_index, authn_instant (RFC 3339), authn_context, attributes
 * [{name, name_format, friendly_name, values}]; absent fields are omitted.
 * pretty selects two-space indentation. Caller frees with free().
 */
char		*s2o_map_assertion_json(const struct s2o_assertion *a,
		    bool pretty, struct s2o_err *err);

/*
 * The reverse of s2o_map_assertion_json(): reads that JSON form (as
 * `consume --format assertion` prints it) into an assertion. Also accepts
 * "id", "in_response_to" and "not_on_or_after" (RFC 3339). name is the
 * input's name for messages. Attributes repeating a Name are merged, as
 * saml/ merges repeated <Attribute> elements. Caller frees with
 * s2o_assertion_free(). NULL with S2O_R_MALFORMED (with line and column
 * when known: invalid JSON, an unknown key, a wrong type, a bad time),
 * S2O_R_TOO_LARGE (more attributes or values than saml/ accepts) or
 * S2O_R_INTERNAL.
 */
struct s2o_assertion *s2o_map_assertion_from_json(const char *text,
		    size_t len, const char *name, struct s2o_err *err);

/* ---- load.c ------------------------------------------------------------ */

/*
 * A compiled mappings file. Read-only once loaded: one mapping may be
 * applied by several threads at once.
 */
struct s2o_mapping;

/*
 * Reads, lints and compiles the mappings file at path. Every problem is
 * added to diags as "FILE:LINE:COL: JSON.PATH: message" (errors and
 * warnings, all of them, not only the first). Returns the mapping, which
 * the caller frees with s2o_map_free(); or NULL when diags holds at least
 * one error, with err set to S2O_R_MAPPING_INVALID and the first error's
 * line as detail (or S2O_R_IO, S2O_R_TOO_LARGE, S2O_R_INTERNAL, with
 * nothing added to diags, when the file cannot be read).
 */
struct s2o_mapping *s2o_map_load(const char *path, struct s2o_diags *diags,
		    struct s2o_err *err);
/* As s2o_map_load() on text already in memory; name is used in messages. */
struct s2o_mapping *s2o_map_load_text(const char *text, size_t len,
		    const char *name, struct s2o_diags *diags,
		    struct s2o_err *err);
void		 s2o_map_free(struct s2o_mapping *m);

/*
 * True when the file asks for the bare user_id as `sub` ("$options":
 * {"sub": "user_id"}) instead of "<connection>|<user_id>": check-config
 * warns when two connections could then give two users one sub.
 */
bool		 s2o_map_sub_is_bare(const struct s2o_mapping *m);

/*
 * The claim ("$options": {"roles_claim": URL}) that carries the user's
 * roles (the mapped `roles` claim plus the organization's default_roles)
 * in both tokens, or NULL when the file does not ask for it. Borrowed.
 */
const char	*s2o_map_roles_claim(const struct s2o_mapping *m);

/* True when the file maps the claim name (defaults included). */
bool		 s2o_map_has_claim(const struct s2o_mapping *m,
		    const char *name);
/*
 * The values the value map ("map") of the claim name can produce, each
 * once, at most max of them into out (borrowed from m); the count. 0 when
 * the claim is not mapped or has no value map. check-config compares the
 * `roles` ones with the configured roles.
 */
size_t		 s2o_map_value_map_outputs(const struct s2o_mapping *m,
		    const char *name, const char **out, size_t max);

/* ---- apply.c ----------------------------------------------------------- */

#define S2O_MAP_EXPLAIN		0x02	/* fill result.explain */
#define S2O_MAP_EXPLAIN_VALUES	0x04	/* show values in explain (personal
					   data: never log this text) */

/*
 * What a mapping made of one assertion. Caller-allocated:
 * s2o_map_result_init / s2o_map_result_cleanup. Every member is owned by
 * the result and released by s2o_map_result_cleanup(): the texts with
 * free(), the claim objects (jansson json_t objects, one reference each)
 * with json_decref(). A caller may take a text (set the member to NULL and
 * free() it later) or keep an object past the cleanup with json_incref().
 * The objects' keys are in sorted order, which is the order they are
 * written out in (tokens list the mapped claims in it). The four objects
 * share their values by reference: read them, put them into other
 * objects by reference, but never change them in place.
 */
struct s2o_map_result {
	char		*sub;		/* "<connection>|<user_id>", or the
					   bare user_id */
	struct json_t	*id_token;	/* object: the claims for the ID
					   token */
	struct json_t	*access_token;	/* object: for the access token */
	struct json_t	*userinfo;	/* object: for the userinfo response */
	struct json_t	*profile;	/* object: every mapped claim */
	char		*explain;	/* text, with S2O_MAP_EXPLAIN; else
					   NULL */
};

void		 s2o_map_result_init(struct s2o_map_result *r);
/* Releases every member and leaves r initialised again. Idempotent. */
void		 s2o_map_result_cleanup(struct s2o_map_result *r);

/*
 * Applies m to the assertion a of the connection named connection (used
 * in `sub` unless the file asks for the bare user_id; may then be NULL).
 * The claim objects never hold `sub` or any registered JWT claim: the
 * token minter adds those. Absent optional claims are omitted, never null
 * or "". No JSON text is written: the objects go to policy/, token/ and
 * oidc/ as they are.
 *
 * Returns 0 with out filled, or -1 with out holding only explain (when
 * S2O_MAP_EXPLAIN was asked: the explanation matters most when a login
 * fails) and err set to:
 *   S2O_R_MISSING_ATTRIBUTE  a required claim, user_id, or a claim that
 *                            reads Entra ID groups when the IdP sent a
 *                            groups link (groups_overage "fail") has no
 *                            value; or a value does not fit the claim's
 *                            type (several values for a single one, a
 *                            boolean or number that does not parse). The
 *                            detail names the claim and every source
 *                            tried, never an attribute value.
 *   S2O_R_TOO_LARGE          a regular expression hit its match limit, or
 *                            a claim passed S2O_MAP_MAX_VALUES values or
 *                            S2O_MAP_MAX_VALUE bytes, or sub passed 255,
 *                            or one destination's claims would pass
 *                            S2O_MAP_MAX_JSON bytes of JSON.
 *   S2O_R_USAGE              connection is NULL where sub needs it.
 *   S2O_R_INTERNAL           out of memory.
 */
int		 s2o_map_apply(const struct s2o_mapping *m,
		    const struct s2o_assertion *a, const char *connection,
		    unsigned int flags, struct s2o_map_result *out,
		    struct s2o_err *err);

/*
 * The result as one JSON text {"sub", "id_token", "access_token",
 * "userinfo"}: what `mappings test` prints and what the fixtures under
 * fixtures/mappings/ hold. Keys sorted; byte-identical for equal inputs;
 * pretty indents by two spaces, else compact. r is borrowed. Caller frees
 * with free(). NULL with S2O_R_INTERNAL.
 */
char		*s2o_map_result_json(const struct s2o_map_result *r,
		    bool pretty, struct s2o_err *err);

#endif
