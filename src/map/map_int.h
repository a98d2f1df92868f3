/* SPDX-License-Identifier: MIT */
/*
 * map/'s private header: the compiled form of a mappings file, shared by
 * load.c (reading and linting), transform.c (transforms, regular
 * expressions, templates, LDAP DNs) and apply.c (assertion to claims).
 * Everything here is built once at load time and only read afterwards.
 */
#ifndef S2O_MAP_INT_H
#define S2O_MAP_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <pcre2.h>

#include "map/map.h"

/* The attribute Entra ID sends instead of groups past 150 groups, and the
 * attribute it replaces. */
#define S2O_MAP_ENTRA_GROUPS_LINK \
	"http://schemas.microsoft.com/claims/groups.link"
#define S2O_MAP_ENTRA_GROUPS \
	"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
/* The Subject NameID answers to this Name when no attribute has it. */
#define S2O_MAP_NAMEID \
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"

enum map_type { MT_STRING, MT_BOOLEAN, MT_NUMBER, MT_ARRAY };
enum map_kind { MK_FROM, MK_VALUE, MK_TEMPLATE };
enum map_multiple { MM_REJECT, MM_FIRST, MM_JOIN };

#define MD_ID_TOKEN	0x1
#define MD_ACCESS_TOKEN	0x2
#define MD_USERINFO	0x4
#define MD_PROFILE	0x8	/* result.profile: every claim */

enum xf_op { XF_TRIM, XF_LOWER, XF_UPPER, XF_SPLIT, XF_REPLACE, XF_DN_CN,
    XF_DROP_EMPTY, XF_DEDUPE };

/* One step of "transforms". */
struct map_xf {
	enum xf_op	 op;
	char		*arg;		/* split: the delimiter; replace: the
					   pattern as written */
	char		*with;		/* replace: the replacement */
	pcre2_code	*re;		/* replace */
};

/* A template, cut into literal text and field references. */
struct map_tpl_part {
	char		*text;		/* literal text, or NULL */
	size_t		 field;		/* index into s2o_mapping.f if !text */
};

/* One value-map entry: a key and the values it becomes. */
struct map_entry {
	char		*key;
	char		**vals;
	size_t		 nvals;
};

/* One claim (or user_id), compiled. */
struct map_field {
	char		*name;
	bool		 is_user_id;
	bool		 from_default;	/* Auth0's default, not in the file */
	bool		 overage;	/* reads Entra groups, directly or
					   through a template */
	enum map_kind	 kind;
	char		**from;
	size_t		 nfrom;
	bool		 merge;		/* all present sources, not the first */
	json_t		*value;		/* MK_VALUE: the literal */
	char		*tpl_text;	/* MK_TEMPLATE: as written */
	struct map_tpl_part *tpl;
	size_t		 ntpl;
	struct map_xf	*xf;
	size_t		 nxf;
	char		*keep_text, *drop_text;
	pcre2_code	*keep, *drop;	/* keep_matching, drop_matching */
	struct map_entry *map;		/* sorted by key (strcmp) */
	size_t		 nmap;
	bool		 unmapped_keep;
	enum map_type	 type;
	enum map_multiple multiple;
	char		*separator;	/* MM_JOIN */
	bool		 required;
	json_t		*dflt;		/* "default", or NULL */
	unsigned int	 dest;		/* MD_* */
};

struct s2o_mapping {
	struct map_field *f;
	size_t		 nf;
	size_t		*order;		/* evaluation order (templates last) */
	bool		 bare_sub;
	bool		 match_friendly_name;
	bool		 overage_flag;	/* groups_overage "flag", not "fail" */
	char		*roles_claim;	/* "$options" roles_claim, or NULL */
	pcre2_match_context *mctx;	/* the match limits; read-only */
};

/* load.c: the loader, and the routines entry.c shares with it */
struct loader {
	const char		*file;
	struct s2o_jsonpos	*jp;
	struct s2o_diags	*diags;
	struct s2o_mapping	*m;
	char			**paths;	/* per field; NULL: a default */
	size_t			 cap;
	bool			 oom;
	bool			 extend_defaults;
};

void		 map_lerr(struct loader *l, const char *path, bool at_key,
		    const char *fmt, ...) S2O_PRINTF(4, 5);
void		 map_lwarn(struct loader *l, const char *path, bool at_key,
		    const char *fmt, ...) S2O_PRINTF(4, 5);
/* base.key (or base["key"]) and base[i] into out */
const char	*map_path_key(char *out, size_t size, const char *base,
		    const char *key);
const char	*map_path_idx(char *out, size_t size, const char *base,
		    size_t i);
const char	*map_jtype(const json_t *v);	/* "an object", ... */
bool		 map_in_list(const char *s, const char *const *list);
/* '"a", "b" or "c"' into out */
const char	*map_list_text(char *out, size_t size,
		    const char *const *list);
void		 map_check_unknown(struct loader *l, json_t *obj,
		    const char *base, const char *const *known,
		    const char *what);
const char	*map_get_enum(struct loader *l, json_t *obj, const char *base,
		    const char *key, const char *const *names);
bool		 map_get_bool(struct loader *l, json_t *obj, const char *base,
		    const char *key, bool dflt);
char		*map_dup(struct loader *l, const char *s);
int		 map_push_str(struct loader *l, char ***v, size_t *n,
		    const char *s);
/* A new field, its index; (size_t)-1 on OOM. */
size_t		 map_field_new(struct loader *l, const char *name,
		    const char *path);

/* entry.c: one top-level entry (name, its JSON value, its path) */
void		 map_parse_entry(struct loader *l, const char *name, json_t *v,
		    const char *path);

/* lint.c */
/*
 * Checks a claim name (a top-level key). Returns 0 when it may be mapped,
 * with *typed true and *type set when the name has a fixed type (OIDC
 * standard claims, groups, roles, entitlements, user_id); -1 with the
 * reason in msg when it may not.
 */
int		 map_lint_claim(const char *name, bool *typed,
		    enum map_type *type, char *msg, size_t size);
/* A hint about a source attribute Name that can never match as written
 * (urn:oid: with colons); false when none. */
bool		 map_lint_source(const char *name, char *msg, size_t size);
/* True for an Entra object id (a GUID) written with upper-case hex. */
bool		 map_lint_guid_upper(const char *key);
/* "string", "boolean", "number", "array". */
const char	*map_type_name(enum map_type t);

/* transform.c */

/* A list of owned strings: the values of one claim at one step. */
struct map_values {
	char		**v;
	size_t		 n, cap;
};

/*
 * Appends s, which the list adopts even on failure (s == NULL is taken
 * for an allocation that failed). -1 with S2O_R_TOO_LARGE past
 * S2O_MAP_MAX_VALUES (naming field) or S2O_R_INTERNAL.
 */
int		 map_values_adopt(struct map_values *vs, char *s,
		    const char *field, struct s2o_err *err);
void		 map_values_cleanup(struct map_values *vs);

const char	*map_xf_name(enum xf_op op);
/*
 * Compiles a pattern with the engine's options. On failure, writes the
 * PCRE2 message and offset into msg and returns NULL.
 */
pcre2_code	*map_re_compile(const char *pattern, char *msg, size_t size);
/*
 * Checks a replacement against the pattern's groups; 0 or -1 with a
 * message in msg.
 */
int		 map_re_check_with(const pcre2_code *re, const char *with,
		    char *msg, size_t size);
/* 1 when re matches s, 0 when not, -1 with err (limit hit, OOM). */
int		 map_re_match(const struct s2o_mapping *m, const pcre2_code *re,
		    const char *s, const char *field, struct s2o_err *err);
/*
 * Applies one transform to every value of vs, in place. -1 with err (vs
 * then still holds valid strings, to be cleaned up by the caller).
 */
int		 map_xf_apply(const struct s2o_mapping *m,
		    const struct map_field *f, const struct map_xf *x,
		    struct map_values *vs, struct s2o_err *err);
/* The CN of an LDAP DN (RFC 4514), or NULL when s has none. Caller frees.
 * Sets *oom on allocation failure. */
char		*map_dn_cn(const char *s, bool *oom);

/* apply.c: the state of one application, shared with result.c */
#define EX_MAX	(4u << 20)	/* bytes of explanation per claim */

struct fstate {
	json_t		*out;		/* the claim's value; NULL: absent */
	bool		 overaged;	/* left out: the IdP sent groups.link */
	struct s2o_buf	 ex;		/* this claim's explanation */
};

struct run {
	const struct s2o_mapping	*m;
	const struct s2o_assertion	*a;
	struct fstate			*st;
	const char			*link;	/* groups.link's value */
	bool				 explain, values, ex_oom;
	struct s2o_err			*err;
};

/* The explanation: no-ops unless the caller asked for one. */
void		 map_ex_add(struct run *r, struct fstate *s, const char *text);
void		 map_ex_fmt(struct run *r, struct fstate *s, const char *fmt,
		    ...) S2O_PRINTF(3, 4);
void		 map_ex_json(struct run *r, struct fstate *s, const json_t *v);
/* "3 values", or the values themselves when the caller asked. */
void		 map_ex_values(struct run *r, struct fstate *s,
		    const struct map_values *vs);

/* result.c */
int		 map_make_sub(struct run *r, const char *connection,
		    struct s2o_map_result *out);
int		 map_build(struct run *r, struct s2o_map_result *out);
int		 map_join_explain(struct run *r, struct s2o_map_result *out);

#endif
