/* SPDX-License-Identifier: MIT */
/* Shared by check_login and check_session (login_fx.c). */
#ifndef S2O_TESTS_LOGIN_FX_H
#define S2O_TESTS_LOGIN_FX_H

#include <time.h>

#include <jansson.h>

#include "config/config.h"
#include "http/http.h"
#include "oidc/oidc.h"
#include "token/token.h"
#include "helpers.h"

#define ISS		"https://bridge.example.test"
#define CB		"http://127.0.0.1:3000/cb"
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define OKTA_NOW	1795867260	/* fixtures/saml/okta/meta */
#define SECRET		"fixture-client-secret"
#define MFA_ADFS	"http://schemas.microsoft.com/claims/multipleauthn"
#define PPT	"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
#define LOGIN_URI	"http://127.0.0.1:3000/login"
#define UNSOL_SSO	"https://idp-unsolicited.example.test/sso"

/* A configuration, its keyset, provider, store and a fixed clock. */
struct fx {
	struct s2o_config	*cfg;
	struct s2o_keyset	*ks;
	struct s2o_saml_sp_keys	*spk;
	struct s2o_oidc_env	 env;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
};

/* The configuration file patch() wrote. */
extern char	tmpcfg[600];

/* bridge.json with the top-level members of text replaced, at tmpcfg;
 * unpatch() removes it. */
void		 patch(const char *text);
void		 unpatch(void);
/* The configuration's first error without the file name, or "". */
void		 load_error(const char *text, char *out, size_t size);
void		 fx_open(struct fx *fx, const char *text, time_t now);
void		 fx_close(struct fx *fx);
/* Parameters from NULL-terminated name/value pairs. */
size_t		 params(struct s2o_oidc_param *v, size_t max,
		    const char *const *kv);
struct s2o_oidc_request request(const char *method,
		    struct s2o_oidc_param *v, size_t n);
/* A pending login for the okta fixture (challenge may be NULL). */
void		 pending(struct fx *fx, const char *relay,
		    const char *challenge);
/* The okta fixture to the ACS with relay from client_ip: the status. */
int		 acs(struct fx *fx, const char *relay, const char *client_ip,
		    struct s2o_oidc_response *resp);
/* The code of a 302 to CB?code=...&state=... */
void		 code_of(const struct s2o_oidc_response *resp, char out[64]);
/* POST /token for code (verifier may be NULL): the status, the body. */
int		 token(struct fx *fx, const char *code, const char *verifier,
		    json_t **out);
/* A string member, or "(absent)". */
const char	*jget(json_t *o, const char *k);
/* GET /userinfo with the access token: the status, the body. */
int		 userinfo(struct fx *fx, const char *at, char *body,
		    size_t size);
/* Fixture rel (no RelayState unless relay) to the ACS of path connection
 * conn (NULL: /saml/acs): the status. */
int		 acs_unsolicited(struct fx *fx, const char *rel,
		    const char *conn, const char *relay,
		    struct s2o_oidc_response *resp);
/* The session handle of a Set-Cookie for the cookie name. */
void		 handle_of(const struct s2o_oidc_response *resp,
		    const char *name, char out[23]);
/* GET /authorize for demo-app with the session handle and one extra
 * parameter (k1 NULL: none): the status. */
int		 authorize_with(struct fx *fx, const char *handle,
		    const char *k1, const char *v1,
		    struct s2o_oidc_response *resp);

#endif
