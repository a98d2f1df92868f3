/* SPDX-License-Identifier: MIT */
/*
 * GET /authorize with an arbitrary query, against fixtures/saml/bridge.json:
 * parsing the parameters as the server does, checking them, the error
 * page or redirect (escaping whatever came in), and for an accepted
 * request the AuthnRequest and the pending login. Never a crash or a
 * leak; every answer is a page, a redirect or the IdP's form.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "fuzz/fuzz_oidc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2o_oidc_env		 env;
	struct s2o_oidc_request		 req;
	struct s2o_oidc_response	 resp;
	struct s2o_http_form		 f;
	struct s2o_err			 err;

	fuzz_oidc_env(&env);
	s2o_err_clear(&err);
	if ((env.store = s2o_store_memory_new(env.clock, &err)) == NULL)
		return 0;
	s2o_http_form_init(&f, S2O_HTTP_MAX_FIELDS, S2O_HTTP_MAX_FIELD);
	if (fuzz_oidc_params((const char *)data, size, &f) == 0) {
		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.query = f.v;
		req.nquery = f.n;
		req.request_id = "0123456789abcdef";
		req.client_ip = "203.0.113.9";
		s2o_oidc_response_init(&resp);
		if (s2o_oidc_authorize(&env, &req, &resp, &err) == 0 &&
		    resp.status != 200 && resp.status != 302 &&
		    resp.status != 400)
			abort();
		s2o_oidc_response_cleanup(&resp);
	}
	s2o_http_form_cleanup(&f);
	s2o_store_free(env.store);
	return 0;
}
