/* SPDX-License-Identifier: MIT */
/*
 * The IdP's side of the benchmarks: a SAML Response made from one template
 * (Response ID, Assertion ID, InResponseTo and the instants substituted)
 * and signed with xmlsec over its Assertion, so that every document a load
 * or memory run consumes is distinct and genuinely signed. Client work:
 * never part of what is timed.
 */
#ifndef S2O_BENCH_SIGN_H
#define S2O_BENCH_SIGN_H

#include <stddef.h>
#include <time.h>

struct bsign;

/* What varies between two Responses. Everything is borrowed. */
struct bsign_doc {
	const char	*issuer;	/* the IdP entity ID */
	const char	*response_id;
	const char	*assertion_id;
	const char	*in_response_to;	/* AuthnRequest ID */
	time_t		 now;		/* IssueInstant; valid now - 30 s to
					   now + 300 s */
	unsigned int	 ngroups;	/* extra group values, 0 for two */
};

/* The private key and its certificate (PEM files); RSA signs rsa-sha256,
 * EC ecdsa-sha256. Caller frees with bsign_free(). Exits on failure. */
struct bsign	*bsign_new(const char *key_file, const char *cert_file);
void		 bsign_free(struct bsign *s);

/* The signed Response as XML text. Caller frees with free(). Exits on
 * failure (a benchmark has no use for a half-made document). */
char		*bsign_response(struct bsign *s, const struct bsign_doc *d,
		    size_t *len);

#endif
