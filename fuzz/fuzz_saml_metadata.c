/* SPDX-License-Identifier: MIT */
/*
 * IdP metadata on arbitrary bytes (saml/mdload.c, saml/metadata.c): the
 * safe parse, the root signature checked with keys/md-signer.crt (the
 * rules of Response signatures), the choice of an entity in an aggregate,
 * validUntil and cacheDuration, the signing certificates. Run twice per
 * input: signature required, and not (so the reading of unsigned
 * documents is reached too); for an aggregate, with an entity named. A
 * fixed clock; everything made is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "saml/saml.h"
#include "fuzz/fuzz.h"

#define T0	1795867200	/* 2026-11-28T12:00:00Z */

static struct s2o_connection	conn;
static struct s2o_clock		clock_;
static char			signer[8192];

static void
setup(void)
{
	struct s2o_err	 err;
	const char	*fx = getenv("S2O_FIXTURES");
	char		 path[4096];
	FILE		*fp;
	size_t		 n;

	s2o_err_clear(&err);
	snprintf(path, sizeof(path), "%s/keys/md-signer.crt", fx ? fx :
	    "fixtures");
	if (s2o_saml_init(&err) == -1 || (fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "fuzz_saml_metadata: %s: cannot start\n", path);
		exit(1);
	}
	n = fread(signer, 1, sizeof(signer) - 1, fp);
	fclose(fp);
	signer[n] = '\0';
	conn.name = (char *)"fuzz";
	conn.metadata.present = true;
	conn.metadata.signing_certificate.path = (char *)"md-signer.crt";
	conn.metadata.signing_certificate.len = n;
	s2o_clock_init_fixed(&clock_, T0);
}

static void
one(const char *xml, size_t len, bool signed_, const char *entity)
{
	struct s2o_idp_metadata	*m;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	conn.metadata.signing_certificate.data = signed_ ? signer : NULL;
	conn.metadata.entity_id = (char *)entity;
	m = s2o_saml_metadata_verified(xml, len, &conn, &clock_, &err);
	/* a result is whole: an entity, at least one certificate */
	if (m != NULL && (m->entity_id == NULL || m->ncertificates == 0))
		abort();
	if (m == NULL && err.reason == S2O_R_OK)
		abort();
	s2o_idp_metadata_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool	 ready;

	if (!ready) {
		setup();
		ready = true;
	}
	one((const char *)data, size, true, NULL);
	one((const char *)data, size, false, NULL);
	one((const char *)data, size, false,
	    "https://idp.university.example.test/idp/shibboleth");
	return 0;
}
