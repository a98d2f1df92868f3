/* SPDX-License-Identifier: MIT */
/*
 * POST /token with an arbitrary body, against fixtures/saml/bridge.json and
 * a store holding one code ("C0DE", for demo-app with PKCE). The input is
 * "AUTHORIZATION\nBODY": the first line, when not empty, is the
 * Authorization header (client_secret_basic), the rest the form. Never a
 * crash or a leak; every answer is tokens or an OAuth error.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "fuzz/fuzz_oidc.h"

static const char code_json[] = "{\"client_id\":\"demo-app\",\"scope\":"
    "\"openid\",\"redirect_uri\":\"http://127.0.0.1:3000/cb\","
    "\"code_challenge\":\"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\","
    "\"nonce\":\"nc\",\"sub\":\"corp|alice\",\"id_token\":{\"email\":"
    "\"a@example.test\"},\"auth_time\":1699999990,\"acr\":null,\"sid\":"
    "\"s1\",\"connection\":\"corp\",\"tid\":\"AAAAAAAAAAAAAAAAAAAAAA\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2o_oidc_env		 env;
	struct s2o_oidc_request		 req;
	struct s2o_oidc_response	 resp;
	struct s2o_http_form		 f;
	struct s2o_err			 err;
	const char			*nl;
	char				*auth = NULL;
	size_t				 alen = 0;

	fuzz_oidc_env(&env);
	s2o_err_clear(&err);
	if ((env.store = s2o_store_memory_new(env.clock, &err)) == NULL)
		return 0;
	if (s2o_store_put(env.store, S2O_OIDC_NS_CODE, "C0DE", code_json,
	    FUZZ_NOW + 60, &err) == -1)
		abort();
	if ((nl = memchr(data, '\n', size)) != NULL) {
		alen = (size_t)(nl - (const char *)data);
		if (alen > 0 && memchr(data, '\0', alen) == NULL &&
		    (auth = malloc(alen + 1)) != NULL) {
			memcpy(auth, data, alen);
			auth[alen] = '\0';
		}
		alen++;
	}
	s2o_http_form_init(&f, S2O_HTTP_MAX_FIELDS, S2O_HTTP_MAX_FIELD);
	if (fuzz_oidc_params((const char *)data + alen, size - alen, &f) ==
	    0) {
		memset(&req, 0, sizeof(req));
		req.method = "POST";
		req.form = f.v;
		req.nform = f.n;
		req.authorization = auth;
		req.request_id = "0123456789abcdef";
		s2o_oidc_response_init(&resp);
		if (s2o_oidc_token(&env, &req, &resp, &err) == 0 &&
		    resp.status != 200 && resp.status != 400 &&
		    resp.status != 401)
			abort();
		s2o_oidc_response_cleanup(&resp);
	}
	s2o_http_form_cleanup(&f);
	free(auth);
	s2o_store_free(env.store);
	return 0;
}
