/* SPDX-License-Identifier: MIT */
/*
 * POST /token with an arbitrary body, against fixtures/saml/bridge.json and
 * a store holding one code ("C0DE", for demo-app with PKCE). The input is
 * "AUTHORIZATION\nBODY": the first line, when not empty, is the
 * Authorization header (client_secret_basic), the rest the form, split by
 * the server's splitter (s2o_http_form_feed) twice: whole, and in pieces
 * of 1 to 8 bytes chosen by the body's own bytes, so escapes and names
 * straddle pieces; both must give the same parameters or the same
 * refusal. Never a crash or a leak; every answer is tokens or an OAuth
 * error.
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

/* The form of body (len bytes) fed in pieces of 1 to 8 bytes, each in a
 * buffer of its own size (a read past a piece is a sanitizer report). */
static int
split_in_pieces(const char *body, size_t len, struct s2o_http_form *f,
    struct s2o_err *err)
{
	char	*piece;
	size_t	 off, k;
	int	 rc = 0;

	for (off = 0; off < len && rc == 0; off += k) {
		k = 1 + (unsigned char)body[off] % 8;
		if (k > len - off)
			k = len - off;
		if ((piece = malloc(k)) == NULL)
			return -1;
		memcpy(piece, body + off, k);
		rc = s2o_http_form_feed(f, piece, k, err);
		free(piece);
	}
	return rc == 0 ? s2o_http_form_finish(f, err) : -1;
}

/* Splits body into f (initialised by the caller) whole, then in pieces;
 * abort() when the two disagree. 0, or -1 when the server refuses it. */
static int
split_body(const char *body, size_t len, struct s2o_http_form *f)
{
	struct s2o_http_form	 g;
	struct s2o_err		 e1, e2;
	size_t			 i;
	int			 rc1, rc2;

	s2o_err_clear(&e1);
	s2o_err_clear(&e2);
	rc1 = s2o_http_form_feed(f, body, len, &e1) == 0 &&
	    s2o_http_form_finish(f, &e1) == 0 ? 0 : -1;
	s2o_http_form_init(&g, f->max_fields, f->max_value);
	rc2 = split_in_pieces(body, len, &g, &e2);
	if (e2.reason == S2O_R_INTERNAL || e1.reason == S2O_R_INTERNAL) {
		/* out of memory: nothing to compare */
		s2o_http_form_cleanup(&g);
		return -1;
	}
	if (rc1 != rc2 || e1.reason != e2.reason ||
	    strcmp(e1.detail, e2.detail) != 0 || f->n != g.n)
		abort();
	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, g.v[i].name) != 0 ||
		    f->v[i].len != g.v[i].len ||
		    memcmp(f->v[i].value, g.v[i].value, f->v[i].len) != 0)
			abort();
	s2o_http_form_cleanup(&g);
	return rc1;
}

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
	if (split_body((const char *)data + alen, size - alen, &f) == 0) {
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
