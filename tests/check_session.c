/* SPDX-License-Identifier: MIT */
/*
 * IdP-initiated logins and the bridge session, endpoint functions called
 * directly: the unsolicited Response that makes a session and a redirect
 * to initiate_login_uri (never a code), /authorize answered from the
 * session with each client's policies again, prompt=login and
 * prompt=none, the refusals, the cookie on a loopback http issuer; and
 * the labelled counters of /metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/http_int.h"
#include "login_fx.h"

/* ---- IdP-initiated logins and the bridge session ------------------------ */


START_TEST(test_idp_initiated_session)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 handle[23], code[64], *p, *q;
	unsigned char		*payload;
	size_t			 n;
	json_t			*o, *claims;

	fx_open(&fx, NULL, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	/* a session and a 302 to the client's initiate_login_uri, no code */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 302);
	ck_assert_str_eq(resp.location, LOGIN_URI "?iss=https%3A%2F%2F"
	    "bridge.example.test&login_hint=alice%40example.test"
	    "&target_link_uri=http%3A%2F%2F127.0.0.1%3A3000%2F");
	handle_of(&resp, "__Host-s2o_session", handle);
	ck_assert_str_eq(resp.set_cookie + strlen("__Host-s2o_session=") + 22,
	    "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=28800");
	ck_assert_ptr_null(strstr(resp.location, "code="));
	/* the same Response again: the replay cache */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_REPLAYED);
	ck_assert_ptr_null(resp.set_cookie);
	/* the client's own code flow is answered from the session, without
	 * another trip to the IdP, with its own state and nonce */
	ck_assert_int_eq(authorize_with(&fx, handle, "prompt", "none", &resp),
	    302);
	code_of(&resp, code);
	ck_assert_str_eq(resp.location + strlen(CB) + 6 + 43, "&state=st");
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	p = strchr(jget(o, "id_token"), '.') + 1;
	q = strchr(p, '.');
	ck_assert_ptr_nonnull(payload = s2o_b64url_decode(p, (size_t)(q - p),
	    65536, &n, &fx.err));
	ck_assert_ptr_nonnull(claims = json_loadb((char *)payload, n, 0, NULL));
	ck_assert_str_eq(jget(claims, "sub"),
	    "corp-unsolicited|alice@example.test");
	ck_assert_str_eq(jget(claims, "nonce"), "n2");
	ck_assert_str_eq(jget(claims, "sid"), "_sidx-idp-initiated");
	ck_assert_int_eq(json_integer_value(json_object_get(claims,
	    "auth_time")), 1795867170);
	json_decref(claims);
	free(payload);
	json_decref(o);
	/* the session answers again (another client login), until it ends */
	ck_assert_int_eq(authorize_with(&fx, handle, "response_mode",
	    "form_post", &resp), 200);
	ck_assert_ptr_nonnull(strstr(resp.body, "name=\"code\""));
	/* prompt=login: a new AuthnRequest with ForceAuthn */
	ck_assert_int_eq(authorize_with(&fx, handle, "prompt", "login", &resp),
	    302);
	ck_assert_msg(strncmp(resp.location, UNSOL_SSO "?SAMLRequest=",
	    strlen(UNSOL_SSO "?SAMLRequest=")) == 0, "%s", resp.location);
	/* a connection the session is not for: the IdP */
	ck_assert_int_eq(authorize_with(&fx, handle, "connection", "corp",
	    &resp), 302);
	ck_assert_msg(strncmp(resp.location, "https://idp.example.test/sso?",
	    29) == 0, "%s", resp.location);
	/* a handle we never gave out: no session */
	ck_assert_int_eq(authorize_with(&fx, "AAAAAAAAAAAAAAAAAAAAAA", "prompt",
	    "none", &resp), 302);
	ck_assert_msg(strstr(resp.location, "error=login_required") != NULL,
	    "%s", resp.location);
	ck_assert_int_eq(authorize_with(&fx, "x;y", "prompt", "none", &resp),
	    302);
	ck_assert_ptr_nonnull(strstr(resp.location, "error=login_required"));
	/* session_ttl later it is gone */
	s2o_clock_init_fixed(&fx.clock, OKTA_NOW + 28800);
	ck_assert_int_eq(authorize_with(&fx, handle, "prompt", "none", &resp),
	    302);
	ck_assert_msg(strstr(resp.location, "error=login_required"
	    "&error_description=prompt%3A%20none%20cannot") != NULL, "%s",
	    resp.location);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* The policies of the client asking are applied to the session: failing
 * them sends the login to the IdP, never a code. */
START_TEST(test_session_policies_reapplied)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 handle[23];

	fx_open(&fx, "{\"clients\": [{\"client_id\": \"demo-app\", "
	    "\"client_secret\": \"" SECRET "\", \"redirect_uris\": [\"" CB "\"], "
	    "\"initiate_login_uri\": \"" LOGIN_URI "\", \"policies\": "
	    "{\"allowed_groups\": [\"staff\"]}}]}", OKTA_NOW);
	s2o_oidc_response_init(&resp);
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, LOGIN_URI "/deep?x=1", &resp), 302);
	/* the IdP's RelayState on the client's origin: target_link_uri */
	ck_assert_msg(strstr(resp.location, "&target_link_uri=http%3A%2F%2F"
	    "127.0.0.1%3A3000%2Flogin%2Fdeep%3Fx%3D1") != NULL, "%s",
	    resp.location);
	handle_of(&resp, "__Host-s2o_session", handle);
	/* now the client requires a group the user lacks (the profile in
	 * the session is checked again, against today's configuration) */
	((struct s2o_config *)fx.cfg)->clients[0].policies.allowed_groups[0][0] =
	    'S';
	ck_assert_int_eq(authorize_with(&fx, handle, NULL, NULL, &resp), 302);
	ck_assert_msg(strncmp(resp.location, UNSOL_SSO "?",
	    strlen(UNSOL_SSO "?")) == 0, "%s", resp.location);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/*
 * A session carries the organization of its connection: /authorize from
 * it asking for another organization goes back to the IdP (no code from
 * the session), asking for its own gets a code whose tokens name it.
 */
START_TEST(test_session_organization)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	struct s2o_connection	*unsol;
	char			 handle[23], code[64], *p, *q;
	unsigned char		*payload;
	size_t			 n;
	json_t			*o, *claims;

	fx_open(&fx, "{\"organizations\": [{\"id\": \"org_acme\", "
	    "\"name\": \"acme\"}, {\"id\": \"org_globex\", \"name\": "
	    "\"globex\"}]}", OKTA_NOW);
	unsol = (struct s2o_connection *)s2o_config_connection(fx.cfg,
	    "corp-unsolicited");
	ck_assert_ptr_nonnull(unsol->organization = strdup("org_acme"));
	s2o_oidc_response_init(&resp);
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 302);
	handle_of(&resp, "__Host-s2o_session", handle);
	/* another organization: not from this session */
	ck_assert_int_eq(authorize_with(&fx, handle, "organization", "globex",
	    &resp), 302);
	ck_assert_msg(strncmp(resp.location, UNSOL_SSO "?",
	    strlen(UNSOL_SSO "?")) == 0, "%s", resp.location);
	ck_assert_ptr_null(strstr(resp.location, "code="));
	/* its own, by name: a code, and org_id in the ID token */
	ck_assert_int_eq(authorize_with(&fx, handle, "organization", "acme",
	    &resp), 302);
	code_of(&resp, code);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	p = strchr(jget(o, "id_token"), '.') + 1;
	q = strchr(p, '.');
	ck_assert_ptr_nonnull(payload = s2o_b64url_decode(p, (size_t)(q - p),
	    65536, &n, &fx.err));
	ck_assert_ptr_nonnull(claims = json_loadb((char *)payload, n, 0, NULL));
	ck_assert_str_eq(jget(claims, "org_id"), "org_acme");
	json_decref(claims);
	free(payload);
	json_decref(o);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

START_TEST(test_idp_initiated_refusals)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	struct s2o_connection	*okta, *unsol;

	fx_open(&fx, NULL, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	okta = (struct s2o_connection *)s2o_config_connection(fx.cfg, "okta");
	unsol = (struct s2o_connection *)s2o_config_connection(fx.cfg,
	    "corp-unsolicited");
	/* a foreign RelayState is no pending login: unsolicited, and the
	 * okta connection does not take those */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/okta/response.xml", NULL,
	    "https://evil.example/", &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	ck_assert_ptr_null(resp.set_cookie);
	/* a solicited Response without its pending login, even where
	 * unsolicited ones are allowed: it answers a request of ours that
	 * this POST does not belong to */
	okta->allow_idp_initiated = true;	/* demo-app is its default */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/okta/response.xml", NULL,
	    NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	ck_assert_ptr_null(resp.set_cookie);
	okta->allow_idp_initiated = false;
	/* allow_idp_initiated turned off */
	unsol->allow_idp_initiated = false;
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_IN_RESPONSE_TO_MISMATCH);
	unsol->allow_idp_initiated = true;
	/* /saml/acs/{connection}: an unknown name; another connection's */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    "nope", NULL, &resp), 400);
	ck_assert_int_eq(resp.reason, S2O_R_MALFORMED);
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    "okta", NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_ISSUER_MISMATCH);
	/* its own: the Destination must be that URL (the fixture names
	 * /saml/acs) */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    "corp-unsolicited", NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_DESTINATION_MISMATCH);
	/* and still accepted at /saml/acs: refusals claim nothing */
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 302);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* A loopback http issuer (the demo): no __Host- prefix, no Secure. */
START_TEST(test_session_cookie_loopback_http)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 handle[23], code[64];

	fx_open(&fx, "{\"issuer\": \"http://127.0.0.1:8080\", "
	    "\"session_ttl\": 600}", OKTA_NOW);
	s2o_oidc_response_init(&resp);
	ck_assert_str_eq(s2o_oidc_session_cookie(fx.env.op), "s2o_session");
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/idp-initiated/response.xml",
	    NULL, NULL, &resp), 302);
	handle_of(&resp, "s2o_session", handle);
	ck_assert_str_eq(resp.set_cookie + strlen("s2o_session=") + 22,
	    "; Path=/; HttpOnly; SameSite=Lax; Max-Age=600");
	ck_assert_msg(strncmp(resp.location, LOGIN_URI "?iss=http%3A%2F%2F"
	    "127.0.0.1%3A8080&", strlen(LOGIN_URI "?iss=http%3A%2F%2F"
	    "127.0.0.1%3A8080&")) == 0, "%s", resp.location);
	ck_assert_int_eq(authorize_with(&fx, handle, NULL, NULL, &resp), 302);
	code_of(&resp, code);
	s2o_oidc_response_cleanup(&resp);
	fx_close(&fx);
}
END_TEST

/* Serving a connection that takes IdP-initiated logins needs its default
 * client to have an initiate_login_uri and allow it. */
START_TEST(test_provider_idp_initiated_rule)
{
	struct s2o_config	*cfg;
	struct s2o_keyset	*ks;
	struct s2o_diags	 d;
	struct s2o_err		 err;

	patch("{\"clients\": [{\"client_id\": \"demo-app\", \"redirect_uris\": "
	    "[\"" CB "\"]}]}");
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	ck_assert_ptr_nonnull(cfg = s2o_config_load(tmpcfg, &d, &err));
	unpatch();
	ck_assert_ptr_nonnull(ks = s2o_token_keyset_new(cfg, &err));
	ck_assert_ptr_null(s2o_oidc_provider_new(cfg, ks, &err));
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID, "connection "
	    "corp-unsolicited allows IdP-initiated logins: its default_client "
	    "must be a client that allows it and has an initiate_login_uri");
	s2o_token_keyset_free(ks);
	s2o_config_free(cfg);
	s2o_diags_cleanup(&d);
}
END_TEST

/* ---- http/labels: counters labelled with configured names --------------- */

START_TEST(test_labelled_counters)
{
	struct http_labelled	 t;
	struct s2o_buf		 b;
	struct s2o_err		 err;
	char			 name[32], *text;
	int			 i;

	s2o_err_clear(&err);
	http_labelled_init(&t);
	http_labelled_add(&t, HTTP_SERIES_REJECTIONS, "replayed", "corp");
	http_labelled_add(&t, HTTP_SERIES_REJECTIONS, "replayed", "corp");
	http_labelled_add(&t, HTTP_SERIES_REJECTIONS, "expired", "unknown");
	http_labelled_add(&t, HTTP_SERIES_TOKENS, "demo-app", NULL);
	http_labelled_add(&t, HTTP_SERIES_TOKENS, "we\"ird\\app", NULL);
	s2o_buf_init(&b, 1u << 20);
	ck_assert_int_eq(http_labelled_render(&t, &b, &err), 0);
	ck_assert_ptr_nonnull(text = s2o_buf_take(&b, NULL));
	ck_assert_str_eq(text,
	    "# HELP saml2oidc_saml_rejections_total SAML Responses refused at "
	    "the ACS, by reason and connection.\n"
	    "# TYPE saml2oidc_saml_rejections_total counter\n"
	    "saml2oidc_saml_rejections_total{reason=\"replayed\","
	    "connection=\"corp\"} 2\n"
	    "saml2oidc_saml_rejections_total{reason=\"expired\","
	    "connection=\"unknown\"} 1\n"
	    "# HELP saml2oidc_tokens_issued_total Token responses (an ID token "
	    "and an access token), by client.\n"
	    "# TYPE saml2oidc_tokens_issued_total counter\n"
	    "saml2oidc_tokens_issued_total{client=\"demo-app\"} 1\n"
	    "saml2oidc_tokens_issued_total{client=\"we\\\"ird\\\\app\"} 1\n");
	free(text);
	/* bounded: past HTTP_MAX_SERIES series, new ones count as other */
	for (i = 0; i < HTTP_MAX_SERIES + 10; i++) {
		snprintf(name, sizeof(name), "client-%d", i);
		http_labelled_add(&t, HTTP_SERIES_TOKENS, name, NULL);
	}
	ck_assert_uint_eq(t.n, HTTP_MAX_SERIES + 1);
	s2o_buf_init(&b, 1u << 20);
	ck_assert_int_eq(http_labelled_render(&t, &b, &err), 0);
	ck_assert_ptr_nonnull(text = s2o_buf_take(&b, NULL));
	ck_assert_msg(strstr(text, "saml2oidc_tokens_issued_total{"
	    "client=\"other\"} 14\n") != NULL, "%s", strstr(text, "other"));
	free(text);
	http_labelled_cleanup(&t);
}
END_TEST

/* The labels the endpoints hand to http/: the connection of an ACS
 * answer, the client of a token response. */
START_TEST(test_metric_labels)
{
	struct fx		 fx;
	struct s2o_oidc_response resp;
	char			 code[64];
	json_t			*o;

	fx_open(&fx, NULL, OKTA_NOW);
	s2o_oidc_response_init(&resp);
	pending(&fx, "r1", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r1", NULL, &resp), 302);
	ck_assert_str_eq(resp.metric_connection, "okta");
	code_of(&resp, code);
	pending(&fx, "r2", CHALLENGE);
	ck_assert_int_eq(acs(&fx, "r2", NULL, &resp), 403);
	ck_assert_int_eq(resp.reason, S2O_R_REPLAYED);
	ck_assert_str_eq(resp.metric_connection, "okta");
	ck_assert_int_eq(acs_unsolicited(&fx, "saml/okta/response.xml", NULL,
	    NULL, &resp), 403);
	ck_assert_str_eq(resp.metric_connection, "okta");
	ck_assert_int_eq(acs(&fx, "nobody-knows", NULL, &resp), 403);
	ck_assert_str_eq(resp.metric_connection, "okta");
	s2o_oidc_response_cleanup(&resp);
	ck_assert_int_eq(token(&fx, code, VERIFIER, &o), 200);
	json_decref(o);
	fx_close(&fx);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite	*s = suite_create("session");
	TCase	*tc;

	tc = tcase_create("oidc/idp_initiated");
	tcase_add_test(tc, test_idp_initiated_session);
	tcase_add_test(tc, test_session_policies_reapplied);
	tcase_add_test(tc, test_idp_initiated_refusals);
	tcase_add_test(tc, test_session_organization);
	tcase_add_test(tc, test_session_cookie_loopback_http);
	tcase_add_test(tc, test_provider_idp_initiated_rule);
	suite_add_tcase(s, tc);
	tc = tcase_create("http/metrics");
	tcase_add_test(tc, test_labelled_counters);
	tcase_add_test(tc, test_metric_labels);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(session_suite());
}
