/* SPDX-License-Identifier: MIT */
/*
 * Step 7: validate what was verified (SAML Core 2.4-2.7, Profiles 4.1.4):
 * issuers, Destination, InResponseTo, the bearer SubjectConfirmation and
 * its Recipient, the validity window with the configured clock skew, the
 * audience, and the authentication statement. Every time check reads the
 * injected clock. The replay check runs last, so only an assertion that
 * passed everything else is remembered (consume.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saml/saml_int.h"

#define NS_A		S2O_NS_ASSERTION
#define BEARER		"urn:oasis:names:tc:SAML:2.0:cm:bearer"

struct vctx {
	const struct s2o_saml_response	*r;
	const struct s2o_saml_expect	*exp;
	time_t				 now;
	long				 skew;
	time_t				 expires;	/* for the replay cache */
};

/* Compares after trimming XML white space, as pretty-printers add it. */
static bool
equal_trimmed(const char *text, const char *want)
{
	size_t	n, wl = strlen(want);

	while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
		text++;
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' ||
	    text[n - 1] == '\r' || text[n - 1] == '\n'))
		n--;
	return n == wl && memcmp(text, want, n) == 0;
}

static int
check_issuer(const xmlNode *iss, const char *where, const char *want,
    struct s2o_err *err)
{
	char	*v, shown[96], ws[96];
	int	 rc = 0;

	if ((v = s2o_saml_text(iss, err)) == NULL)
		return -1;
	if (!equal_trimmed(v, want))
		rc = s2o_err_set(err, S2O_R_ISSUER_MISMATCH, "%s Issuer: "
		    "expected \"%s\", found \"%s\"", where,
		    s2o_str_excerpt(ws, sizeof(ws), want, 80),
		    s2o_str_excerpt(shown, sizeof(shown), v, 80));
	free(v);
	return rc;
}

static int
get_time(const xmlNode *n, const char *attr, const char *what, bool required,
    time_t *out, bool *present, struct s2o_err *err)
{
	const char	*v = s2o_saml_prop(n, attr);

	*present = v != NULL;
	if (v == NULL)
		return required ? s2o_err_set(err, S2O_R_MALFORMED,
		    "%s has no %s", what, attr) : 0;
	return s2o_time_parse(v, what, out, err);
}

/* now must lie in [not_before - skew, not_on_or_after + skew) */
static int
check_window(struct vctx *v, const xmlNode *n, const char *what,
    bool need_end, struct s2o_err *err)
{
	time_t	nb, noa;
	bool	has_nb, has_noa;
	char	ts[S2O_TIME_BUFSZ], label[96];

	snprintf(label, sizeof(label), "%s NotBefore", what);
	if (get_time(n, "NotBefore", label, false, &nb, &has_nb, err) == -1)
		return -1;
	snprintf(label, sizeof(label), "%s NotOnOrAfter", what);
	if (get_time(n, "NotOnOrAfter", label, need_end, &noa, &has_noa, err)
	    == -1)
		return -1;
	if (has_nb && v->now < nb - v->skew)
		return s2o_err_set(err, S2O_R_NOT_YET_VALID, "%s NotBefore %s "
		    "is %lld s after now (skew %ld s)", what,
		    s2o_time_format(nb, ts, sizeof(ts)),
		    (long long)(nb - v->now), v->skew);
	if (has_noa && v->now >= noa + v->skew)
		return s2o_err_set(err, S2O_R_EXPIRED, "%s NotOnOrAfter %s is "
		    "%lld s before now (skew %ld s)", what,
		    s2o_time_format(noa, ts, sizeof(ts)),
		    (long long)(v->now - noa), v->skew);
	if (has_noa && (v->expires == 0 || noa + v->skew < v->expires))
		v->expires = noa + v->skew;
	return 0;
}

static int
check_response(struct vctx *v, bool response_signed, struct s2o_err *err)
{
	const xmlNode	*root = v->r->root;
	const char	*dest, *acs = v->exp->sp->acs_url;
	xmlNodePtr	 iss;
	char		 shown[96], ws[96];

	iss = s2o_saml_child(root, NS_A, "Issuer");
	/* Profiles 4.1.4.2: a signed Response, or one carrying an encrypted
	 * assertion, names its Issuer */
	if (iss == NULL && (response_signed || v->r->encrypted != NULL))
		return s2o_err_set(err, S2O_R_ISSUER_MISMATCH, "the signed "
		    "Response has no Issuer; expected \"%s\"",
		    s2o_str_excerpt(ws, sizeof(ws), v->exp->conn->idp_entity_id,
		    80));
	if (iss != NULL && check_issuer(iss, "Response",
	    v->exp->conn->idp_entity_id, err) == -1)
		return -1;
	dest = s2o_saml_prop(root, "Destination");
	/* Bindings 3.5.5.2: a signed Response must say where it was sent */
	if (dest == NULL && response_signed)
		return s2o_err_set(err, S2O_R_DESTINATION_MISMATCH, "the signed "
		    "Response has no Destination; expected \"%s\"",
		    s2o_str_excerpt(ws, sizeof(ws), acs, 80));
	if (dest != NULL && strcmp(dest, acs) != 0)
		return s2o_err_set(err, S2O_R_DESTINATION_MISMATCH, "Response "
		    "Destination: expected \"%s\", found \"%s\"",
		    s2o_str_excerpt(ws, sizeof(ws), acs, 80),
		    s2o_str_excerpt(shown, sizeof(shown), dest, 80));
	return 0;
}

/*
 * InResponseTo ties the Response to the AuthnRequest this SP sent. When
 * the caller knows the request, both places it may appear must name it;
 * a Response that names none is unsolicited, accepted only where the
 * connection allows IdP-initiated SSO and no request is pending.
 */
static int
check_in_response_to(struct vctx *v, const char *found, const char *where,
    struct s2o_err *err)
{
	const char	*want = v->exp->in_response_to;
	char		 shown[96], ws[96];

	if (found != NULL && v->exp->unsolicited)
		return s2o_err_set(err, S2O_R_IN_RESPONSE_TO_MISMATCH, "%s "
		    "InResponseTo \"%s\" answers a request, but no login is "
		    "pending for this Response (its RelayState is unknown, "
		    "used or expired)", where,
		    s2o_str_excerpt(shown, sizeof(shown), found, 80));
	if (found == NULL || want == NULL || strcmp(found, want) == 0)
		return 0;
	return s2o_err_set(err, S2O_R_IN_RESPONSE_TO_MISMATCH, "%s "
	    "InResponseTo: expected \"%s\", found \"%s\"", where,
	    s2o_str_excerpt(ws, sizeof(ws), want, 80),
	    s2o_str_excerpt(shown, sizeof(shown), found, 80));
}

static int
check_audience(struct vctx *v, const xmlNode *cond, struct s2o_err *err)
{
	xmlNodePtr	 ar, au;
	const char	*want = v->exp->sp->entity_id;
	char		*text, ws[96], shown[96];
	bool		 found;
	size_t		 nar = 0;

	if (cond == NULL)
		return s2o_err_set(err, S2O_R_AUDIENCE_MISMATCH, "the Assertion "
		    "has no Conditions; expected an Audience \"%s\"",
		    s2o_str_excerpt(ws, sizeof(ws), want, 80));
	/* several AudienceRestrictions all apply (SAML Core 2.5.1.4) */
	for (ar = cond->children; ar != NULL; ar = ar->next) {
		if (!s2o_saml_is(ar, NS_A, "AudienceRestriction"))
			continue;
		nar++;
		found = false;
		shown[0] = '\0';
		for (au = ar->children; au != NULL && !found; au = au->next) {
			if (!s2o_saml_is(au, NS_A, "Audience"))
				continue;
			if ((text = s2o_saml_text(au, err)) == NULL)
				return -1;
			found = equal_trimmed(text, want);
			if (shown[0] == '\0')
				s2o_str_excerpt(shown, sizeof(shown), text, 80);
			free(text);
		}
		if (!found)
			return s2o_err_set(err, S2O_R_AUDIENCE_MISMATCH,
			    "Audience: expected \"%s\", found \"%s\"",
			    s2o_str_excerpt(ws, sizeof(ws), want, 80),
			    shown[0] ? shown : "(none)");
	}
	if (nar == 0)
		return s2o_err_set(err, S2O_R_AUDIENCE_MISMATCH, "the Assertion "
		    "has no AudienceRestriction; expected an Audience \"%s\"",
		    s2o_str_excerpt(ws, sizeof(ws), want, 80));
	return 0;
}

static int
check_one_bearer(struct vctx *v, const xmlNode *sc, struct s2o_err *err)
{
	xmlNodePtr	 scd;
	const char	*rcpt, *acs = v->exp->sp->acs_url;
	char		 ws[96], shown[96];

	if ((scd = s2o_saml_child(sc, NS_A, "SubjectConfirmationData")) ==
	    NULL)
		return s2o_err_set(err, S2O_R_RECIPIENT_MISMATCH, "the bearer "
		    "SubjectConfirmation has no SubjectConfirmationData");
	rcpt = s2o_saml_prop(scd, "Recipient");
	if (rcpt == NULL || strcmp(rcpt, acs) != 0)
		return s2o_err_set(err, S2O_R_RECIPIENT_MISMATCH,
		    "SubjectConfirmationData Recipient: expected \"%s\", found "
		    "\"%s\"", s2o_str_excerpt(ws, sizeof(ws), acs, 80),
		    rcpt ? s2o_str_excerpt(shown, sizeof(shown), rcpt, 80) :
		    "(none)");
	if (check_window(v, scd, "bearer SubjectConfirmationData", true, err)
	    == -1)
		return -1;
	return check_in_response_to(v, s2o_saml_prop(scd, "InResponseTo"),
	    "SubjectConfirmationData", err);
}

static int
check_subject(struct vctx *v, const xmlNode *a, struct s2o_err *err)
{
	xmlNodePtr	 subj, nid, sc;
	struct s2o_err	 first;
	const char	*spq, *m;
	char		*text, ws[96], shown[96];
	size_t		 nbearer = 0;

	if ((subj = s2o_saml_child(a, NS_A, "Subject")) == NULL)
		return s2o_err_set(err, S2O_R_MISSING_ATTRIBUTE,
		    "the Assertion has no Subject");
	/* the identifier, when present, comes first (SAML Core 2.4.1) */
	for (sc = subj->children; sc != NULL &&
	    sc->type != XML_ELEMENT_NODE; sc = sc->next)
		;
	if ((nid = s2o_saml_child(subj, NS_A, "NameID")) != NULL &&
	    nid != sc)
		return s2o_err_set(err, S2O_R_MALFORMED, "the Subject's NameID "
		    "must be its first child");
	if (nid == NULL)
		return s2o_err_set(err, S2O_R_MISSING_ATTRIBUTE,
		    "the Subject has no NameID");
	if ((text = s2o_saml_text(nid, err)) == NULL)
		return -1;
	if (equal_trimmed(text, "")) {
		free(text);
		return s2o_err_set(err, S2O_R_MISSING_ATTRIBUTE,
		    "the Subject's NameID is empty");
	}
	free(text);
	spq = s2o_saml_prop(nid, "SPNameQualifier");
	if (spq != NULL && strcmp(spq, v->exp->sp->entity_id) != 0)
		return s2o_err_set(err, S2O_R_AUDIENCE_MISMATCH,
		    "NameID SPNameQualifier: expected \"%s\", found \"%s\"",
		    s2o_str_excerpt(ws, sizeof(ws), v->exp->sp->entity_id, 80),
		    s2o_str_excerpt(shown, sizeof(shown), spq, 80));
	/* one bearer confirmation that holds is enough (Profiles 4.1.4.2) */
	s2o_err_clear(&first);
	for (sc = subj->children; sc != NULL; sc = sc->next) {
		struct s2o_err	e;

		if (!s2o_saml_is(sc, NS_A, "SubjectConfirmation"))
			continue;
		m = s2o_saml_prop(sc, "Method");
		if (m == NULL || strcmp(m, BEARER) != 0)
			continue;
		nbearer++;
		s2o_err_clear(&e);
		if (check_one_bearer(v, sc, &e) == 0)
			return 0;
		if (first.reason == S2O_R_OK)
			first = e;
	}
	if (nbearer == 0)
		return s2o_err_set(err, S2O_R_RECIPIENT_MISMATCH, "the Subject "
		    "has no bearer SubjectConfirmation");
	return s2o_err_set(err, first.reason, "%s", first.detail);
}

static int
check_authn(struct vctx *v, const xmlNode *a, struct s2o_err *err)
{
	xmlNodePtr	 st;
	time_t		 t;
	bool		 has;
	char		 ts[S2O_TIME_BUFSZ];

	if ((st = s2o_saml_child(a, NS_A, "AuthnStatement")) == NULL)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the Assertion has no AuthnStatement");
	if (get_time(st, "AuthnInstant", "AuthnStatement AuthnInstant", true,
	    &t, &has, err) == -1)
		return -1;
	if (get_time(st, "SessionNotOnOrAfter",
	    "AuthnStatement SessionNotOnOrAfter", false, &t, &has, err) == -1)
		return -1;
	if (has && v->now >= t + v->skew)
		return s2o_err_set(err, S2O_R_EXPIRED, "SessionNotOnOrAfter %s "
		    "is %lld s before now (skew %ld s)",
		    s2o_time_format(t, ts, sizeof(ts)),
		    (long long)(v->now - t), v->skew);
	return 0;
}

static int
check_solicited(struct vctx *v, const xmlNode *a, struct s2o_err *err)
{
	const xmlNode	*subj, *sc, *scd;
	bool		 any = s2o_saml_prop(v->r->root, "InResponseTo") != NULL;

	subj = s2o_saml_child(a, NS_A, "Subject");
	for (sc = subj ? subj->children : NULL; sc != NULL && !any;
	    sc = sc->next)
		if (s2o_saml_is(sc, NS_A, "SubjectConfirmation") &&
		    (scd = s2o_saml_child(sc, NS_A,
		    "SubjectConfirmationData")) != NULL &&
		    s2o_saml_prop(scd, "InResponseTo") != NULL)
			any = true;
	if (any)
		return 0;
	if (v->exp->in_response_to != NULL)
		return s2o_err_set(err, S2O_R_IN_RESPONSE_TO_MISMATCH, "the "
		    "Response is unsolicited (no InResponseTo); expected a "
		    "reply to request \"%s\"", v->exp->in_response_to);
	if (!v->exp->conn->allow_idp_initiated)
		return s2o_err_set(err, S2O_R_IN_RESPONSE_TO_MISMATCH, "the "
		    "Response is unsolicited (no InResponseTo) and connection "
		    "\"%s\" does not allow IdP-initiated SSO "
		    "(allow_idp_initiated)", v->exp->conn->name);
	return 0;
}

int
s2o_saml_validate(const struct s2o_saml_response *r,
    const struct s2o_saml_expect *exp, bool response_signed, time_t *expires,
    struct s2o_err *err)
{
	struct vctx	 v;
	const xmlNode	*a = r->assertion, *iss, *cond;
	const char	*id;

	memset(&v, 0, sizeof(v));
	v.r = r;
	v.exp = exp;
	v.now = s2o_clock_now(exp->clock);
	v.skew = exp->clock_skew;
	if (check_response(&v, response_signed, err) == -1)
		return -1;
	if ((iss = s2o_saml_child(a, NS_A, "Issuer")) == NULL)
		return s2o_err_set(err, S2O_R_ISSUER_MISMATCH,
		    "the Assertion has no Issuer");
	if (check_issuer(iss, "Assertion", exp->conn->idp_entity_id, err) ==
	    -1)
		return -1;
	if (check_in_response_to(&v, s2o_saml_prop(r->root, "InResponseTo"),
	    "Response", err) == -1 || check_solicited(&v, a, err) == -1)
		return -1;
	if (s2o_saml_count(a, NS_A, "Conditions") > 1)
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the Assertion has more than one Conditions");
	cond = s2o_saml_child(a, NS_A, "Conditions");
	if (cond != NULL && check_window(&v, cond, "assertion", false, err) ==
	    -1)
		return -1;
	if (check_audience(&v, cond, err) == -1 ||
	    check_subject(&v, a, err) == -1 || check_authn(&v, a, err) == -1)
		return -1;
	if ((id = s2o_saml_prop(a, "ID")) == NULL || *id == '\0')
		return s2o_err_set(err, S2O_R_MALFORMED,
		    "the Assertion has no ID");
	*expires = v.expires;
	return 0;
}
