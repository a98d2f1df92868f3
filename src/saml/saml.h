/* SPDX-License-Identifier: MIT */
/*
 * saml/: everything SAML. A posted Response goes in; the verified facts of
 * its one assertion (struct s2o_assertion) come out, or a reason why not.
 * The stages, in order (design §4): decode (size, strict base64), parse
 * (libxml2, no network, no DTD), shape (one assertion, unique IDs, status,
 * where signatures may sit), decrypt (xmlenc, SP key), verify (xmlsec, the
 * connection's keys only), consume (read the very node that verified) and
 * validate (issuer, destination, recipient, times, audience, InResponseTo,
 * replay). libxml2 and xmlsec types never leave this folder.
 */
#ifndef S2O_SAML_H
#define S2O_SAML_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "core/core.h"

/* One <saml:Attribute>, repeated elements of one Name merged. */
struct s2o_attribute {
	char		*name;
	char		*name_format;	/* NULL when absent */
	char		*friendly_name;	/* NULL when absent */
	char		**values;	/* all text of each AttributeValue */
	size_t		 nvalues;
};

/*
 * The verified facts of one assertion: the contract between saml/ and
 * map/. Plain data; every string is NUL-terminated UTF-8 owned by the
 * assertion. Free with s2o_assertion_free().
 */
struct s2o_assertion {
	char		*id;		/* Assertion ID */
	char		*issuer;
	char		*name_id;
	char		*name_id_format;	/* NULL when absent */
	char		*session_index;		/* NULL when absent */
	char		*authn_context;		/* AuthnContextClassRef or NULL */
	time_t		 authn_instant;
	time_t		 not_on_or_after;	/* end of validity (replay) */
	char		*in_response_to;	/* NULL for unsolicited */
	struct s2o_attribute *attributes;
	size_t		 nattributes;
};

void		 s2o_assertion_free(struct s2o_assertion *a);
/* Borrowed; NULL when no attribute has that Name. */
const struct s2o_attribute *s2o_assertion_attribute(
		    const struct s2o_assertion *a, const char *name);

/*
 * The library's global state (libxml2 and xmlsec with OpenSSL). Call
 * s2o_saml_init() once before anything else here, from the main thread;
 * it routes library error messages away from stderr into debug logs.
 * Returns 0, or -1 with S2O_R_INTERNAL.
 */
int		 s2o_saml_init(struct s2o_err *err);
void		 s2o_saml_shutdown(void);

/*
 * What a connection trusts, prepared once: the IdP's public keys (parsed
 * from the configured certificates, never from a document) and the SP's
 * decryption key. Borrows conn and sp, which must outlive it. Caller frees
 * with s2o_saml_trust_free(). NULL with S2O_R_KEY_UNUSABLE naming the file.
 */
struct s2o_saml_trust;
struct s2o_saml_trust *s2o_saml_trust_new(const struct s2o_sp *sp,
		    const struct s2o_connection *conn, struct s2o_err *err);
/*
 * A trust is shared by reference (a metadata refresh swaps a new one in
 * while requests still hold the old): s2o_saml_trust_ref() adds one and
 * returns t; s2o_saml_trust_free() drops one and frees at zero. Both are
 * safe from any thread.
 */
struct s2o_saml_trust *s2o_saml_trust_ref(struct s2o_saml_trust *t);
void		 s2o_saml_trust_free(struct s2o_saml_trust *t);
/* The metadata's validUntil (0: unbounded or no metadata) and
 * cacheDuration (seconds, 0: not given) the trust was made from. */
time_t		 s2o_saml_trust_valid_until(const struct s2o_saml_trust *t);
long		 s2o_saml_trust_cache_duration(const struct s2o_saml_trust *t);
/* Its number of IdP keys; the notAfter of key i's certificate and the
 * first 16 hex digits of its SHA-256 fingerprint (borrowed). */
size_t		 s2o_saml_trust_count(const struct s2o_saml_trust *t);
time_t		 s2o_saml_trust_not_after(const struct s2o_saml_trust *t,
		    size_t i, const char **sha256);
/* True when a and b hold the same IdP certificates in the same order. */
bool		 s2o_saml_trust_same_keys(const struct s2o_saml_trust *a,
		    const struct s2o_saml_trust *b);

/*
 * A Response decoded, parsed and shape-checked (steps 1 to 3), before the
 * connection is chosen. Caller frees with s2o_saml_response_free().
 *
 * input is the raw XML or the base64 text of the SAMLResponse form field
 * (told apart by the first non-blank byte). max is the largest decoded
 * document accepted, in bytes. Sets S2O_R_TOO_LARGE, S2O_R_MALFORMED,
 * S2O_R_WRAPPING (assertions or signatures where none may be) or
 * S2O_R_STATUS_FAILED (with the IdP's StatusCode and StatusMessage).
 */
struct s2o_saml_response;
struct s2o_saml_response *s2o_saml_response_parse(const char *input,
		    size_t len, size_t max, struct s2o_err *err);
void		 s2o_saml_response_free(struct s2o_saml_response *r);
/* The Issuer of the Response, else of its assertion; borrowed, or NULL. */
const char	*s2o_saml_response_issuer(const struct s2o_saml_response *r);

/*
 * Marks an assertion ID as seen until expires; fails with S2O_R_REPLAYED
 * when it was seen already, S2O_R_STORE_UNAVAILABLE when it cannot tell.
 * Atomic: of two concurrent calls with one ID, exactly one succeeds.
 */
struct s2o_saml_replay {
	int		(*mark)(void *ctx, const char *assertion_id,
			    time_t expires, struct s2o_err *err);
	void		*ctx;
};

/* What the SP expects of this Response. */
struct s2o_saml_expect {
	const struct s2o_sp		*sp;
	const struct s2o_connection	*conn;
	const struct s2o_saml_trust	*trust;
	const struct s2o_clock		*clock;
	long				 clock_skew;	/* seconds */
	/* ID of the pending AuthnRequest; NULL when not known (CLI) */
	const char			*in_response_to;
	const struct s2o_saml_replay	*replay;	/* NULL: no check */
	/* no request is pending (a server's IdP-initiated login): an
	 * InResponseTo anywhere is in_response_to_mismatch, since the
	 * request it names is not one this login may answer */
	bool				 unsolicited;
};

/*
 * Steps 4 to 7: decrypts, verifies and validates r against exp, and
 * returns the verified assertion (caller frees with s2o_assertion_free()),
 * or NULL with the reason. r is changed (decryption) and cannot be
 * consumed twice.
 */
struct s2o_assertion *s2o_saml_response_consume(struct s2o_saml_response *r,
		    const struct s2o_saml_expect *exp, struct s2o_err *err);

/*
 * The SP's own signing key (sp.signing_key_file and its certificate),
 * parsed once. Without one configured the object holds no key and only
 * unsigned requests can be made. Caller frees with s2o_saml_sp_keys_free().
 * NULL with S2O_R_KEY_UNUSABLE or S2O_R_INTERNAL.
 */
struct s2o_saml_sp_keys;
struct s2o_saml_sp_keys *s2o_saml_sp_keys_new(const struct s2o_sp *sp,
		    struct s2o_err *err);
void		 s2o_saml_sp_keys_free(struct s2o_saml_sp_keys *k);

/* What an AuthnRequest asks for. Everything is borrowed. */
struct s2o_saml_authn_params {
	const struct s2o_sp		*sp;
	const struct s2o_connection	*conn;	/* sso_url, binding, signing */
	const struct s2o_saml_sp_keys	*keys;
	const struct s2o_clock		*clock;	/* IssueInstant */
	const char			*relay_state;	/* opaque; or NULL */
	const char			*login_hint;	/* Subject NameID; or NULL */
	const char *const		*authn_contexts; /* NULL-terminated
							    ClassRefs; or NULL */
	bool				 force_authn;	/* prompt=login */
};

/*
 * A new AuthnRequest. id is what the caller stores with the pending login
 * (InResponseTo must name it); per the connection's binding either
 * redirect_url (HTTP-Redirect: send the browser there) or post_form
 * (HTTP-POST: a page whose form posts itself with the inline script
 * s2o_saml_post_script, which a Content-Security-Policy must allow) is
 * set. All three are owned: s2o_saml_authn_request_cleanup() frees them.
 */
struct s2o_saml_authn_request {
	char	*id;
	char	*redirect_url;
	char	*post_form;
};

extern const char s2o_saml_post_script[];

/*
 * Builds, signs (where the connection signs its requests: a Signature and
 * SigAlg in the query, or an enveloped XML signature) and encodes one
 * AuthnRequest. Sets S2O_R_CONFIG_INVALID (no sso_url),
 * S2O_R_KEY_UNUSABLE (signing wanted, no key) or S2O_R_INTERNAL.
 */
int		 s2o_saml_authn_request_new(const struct s2o_saml_authn_params *p,
		    struct s2o_saml_authn_request *out, struct s2o_err *err);
void		 s2o_saml_authn_request_cleanup(struct s2o_saml_authn_request *r);

/*
 * The bridge's SP metadata: an EntityDescriptor for sp.entity_id with its
 * ACS (HTTP-POST), signing and encryption certificates, the connections'
 * NameID formats, AuthnRequestsSigned and WantAssertionsSigned="true";
 * signed with the SP key when signed_ is true. Caller frees with free().
 * NULL with S2O_R_KEY_UNUSABLE (signing wanted without an SP key) or
 * S2O_R_INTERNAL.
 */
char		*s2o_saml_sp_metadata(const struct s2o_config *cfg,
		    const struct s2o_saml_sp_keys *keys, bool signed_,
		    struct s2o_err *err);

/*
 * What an IdP's metadata says (SAML Metadata 2.0): its entity ID, every
 * signing certificate (KeyDescriptor use="signing" or no use) as PEM text,
 * its SSO endpoints per binding, NameID formats and WantAuthnRequestsSigned.
 * Plain data; free with s2o_idp_metadata_free().
 */
struct s2o_idp_metadata {
	char		*entity_id;
	char		**certificates;		/* PEM, at least one */
	size_t		 ncertificates;
	char		*sso_redirect;		/* HTTP-Redirect Location or NULL */
	char		*sso_post;		/* HTTP-POST Location or NULL */
	char		**name_id_formats;
	size_t		 nname_id_formats;
	bool		 want_authn_requests_signed;
	time_t		 valid_until;		/* 0 when unbounded */
	long		 cache_duration;	/* seconds; 0 when not given */
	bool		 aggregate;		/* from an EntitiesDescriptor */
};

/*
 * Reads an EntityDescriptor, or the IdP named entity_id (NULL: the only
 * one) of an EntitiesDescriptor aggregate, with the same safe parser as
 * Responses. A validUntil already past at clock is S2O_R_EXPIRED. Also
 * S2O_R_MALFORMED, S2O_R_ISSUER_MISMATCH (no such entity), S2O_R_USAGE
 * (several IdPs and none named), S2O_R_TOO_LARGE, S2O_R_INTERNAL. The
 * signature of the metadata is not checked here.
 */
struct s2o_idp_metadata *s2o_saml_idp_metadata_parse(const char *xml,
		    size_t len, const char *entity_id,
		    const struct s2o_clock *clock, struct s2o_err *err);
void		 s2o_idp_metadata_free(struct s2o_idp_metadata *m);

/* ---- mdload.c: a connection's metadata (docs/metadata.md) -------------- */

/*
 * Parses conn's metadata document xml and, when conn has a
 * metadata_signing_certificate, requires and verifies its signature first
 * (an enveloped ds:Signature, child of the root, whose one Reference is the
 * root's ID; that certificate only; the algorithms and rules of Response
 * signatures), then picks metadata_entity_id (required for an aggregate)
 * and reads it as s2o_saml_idp_metadata_parse() does. Caller frees with
 * s2o_idp_metadata_free(). NULL with S2O_R_SIGNATURE_MISSING,
 * S2O_R_SIGNATURE_INVALID, S2O_R_UNTRUSTED_KEY, S2O_R_WEAK_ALGORITHM,
 * S2O_R_WRAPPING, S2O_R_EXPIRED (validUntil passed), S2O_R_MALFORMED,
 * S2O_R_ISSUER_MISMATCH, S2O_R_USAGE (aggregate, no entity named),
 * S2O_R_TOO_LARGE, S2O_R_KEY_UNUSABLE or S2O_R_INTERNAL.
 */
struct s2o_idp_metadata *s2o_saml_metadata_verified(const char *xml,
		    size_t len, const struct s2o_connection *conn,
		    const struct s2o_clock *clock, struct s2o_err *err);

/*
 * Fetches url with libcurl: https (http only on a loopback host), no
 * redirect to anything but https, S2O_METADATA_CONNECT_TIMEOUT and
 * S2O_METADATA_FETCH_TIMEOUT, at most S2O_METADATA_MAX bytes, status 200
 * only. Returns the NUL-terminated body (caller frees with free()) and its
 * length, or NULL with S2O_R_IO (naming the URL and what failed),
 * S2O_R_TOO_LARGE or S2O_R_INTERNAL.
 */
char		*s2o_saml_metadata_fetch(const char *url, size_t *len,
		    const atomic_bool *cancel, struct s2o_err *err);

/*
 * Applies the metadata of every connection of cfg that has some, as part
 * of loading it: the document read at load (metadata_file, or the backing
 * copy of metadata_url); when there is none or it is unusable and fetch is
 * true, the URL is fetched and the copy written. Then, per connection:
 * idp_entity_id is taken from the metadata, or must equal its entityID;
 * idp_certificates become its signing certificates; sso_url, when not set,
 * becomes its endpoint for sso_binding (else the other binding); when set
 * it must be one of its endpoints. Each problem is added to diags at the
 * position of the connection's metadata key. Returns 0, or -1 with err set
 * to the first problem (S2O_R_CONFIG_INVALID with the reason's token and
 * detail) or S2O_R_INTERNAL.
 */
int		 s2o_saml_config_metadata(struct s2o_config *cfg, bool fetch,
		    const struct s2o_clock *clock, struct s2o_diags *diags,
		    struct s2o_err *err);

/*
 * One refresh of conn's metadata: fetches metadata_url (or reads
 * metadata_file again), verifies and parses it as
 * s2o_saml_metadata_verified(), requires the entityID the connection
 * serves, makes the new trust (caller frees with s2o_saml_trust_free()),
 * and for a URL replaces the backing copy (written beside it, then
 * renamed). cancel as in s2o_saml_metadata_fetch(). NULL with the
 * reasons of the steps; nothing is changed then.
 */
struct s2o_saml_trust *s2o_saml_metadata_refresh(const struct s2o_sp *sp,
		    const struct s2o_connection *conn,
		    const struct s2o_clock *clock, const atomic_bool *cancel,
		    struct s2o_err *err);

#endif
