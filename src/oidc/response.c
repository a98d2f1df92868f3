/* SPDX-License-Identifier: MIT */
/*
 * The endpoint response and the JSON error every endpoint answers with
 * (RFC 6749 §5.2's shape). This file and http/ are the only readers of the
 * HTTP status and OAuth error columns of core/reasons.def; everything
 * below reports a reason and never a status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "oidc/oidc_int.h"

void
s2o_oidc_response_init(struct s2o_oidc_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->reason = S2O_R_OK;
}

void
s2o_oidc_response_cleanup(struct s2o_oidc_response *resp)
{
	free(resp->body);
	free(resp->location);
	free(resp->csp);
	free(resp->set_cookie);
	s2o_oidc_response_init(resp);
}

int
s2o_oidc_response_error(struct s2o_oidc_response *resp,
    const struct s2o_err *err)
{
	json_t	*o;
	char	*desc = NULL, *text = NULL;
	size_t	 n;

	s2o_oidc_response_cleanup(resp);
	resp->reason = err->reason == S2O_R_OK ? S2O_R_INTERNAL : err->reason;
	resp->status = s2o_reason_http_status(resp->reason);
	resp->content_type = S2O_OIDC_JSON;
	resp->cache_control = NULL;	/* no-store: errors are per request */
	/*
	 * "<token>: <detail>", the CLI's rejection line without "rejected".
	 * The server's own faults keep their detail for the log: it names
	 * the store's host and port or a library's message, which a client
	 * cannot act on and an attacker could map the network with.
	 */
	n = strlen(s2o_reason_token(resp->reason)) + 2 +
	    strlen(err->detail) + 1;
	if ((desc = malloc(n)) == NULL)
		return -1;
	if (err->detail[0] != '\0' && resp->reason != S2O_R_INTERNAL &&
	    resp->reason != S2O_R_STORE_UNAVAILABLE)
		snprintf(desc, n, "%s: %s", s2o_reason_token(resp->reason),
		    err->detail);
	else
		snprintf(desc, n, "%s", s2o_reason_token(resp->reason));
	o = json_pack("{s:s, s:s}", "error",
	    s2o_reason_oauth_error(resp->reason), "error_description", desc);
	free(desc);
	if (o != NULL)
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL) {
		resp->status = 500;
		return -1;
	}
	resp->body = text;
	resp->len = strlen(text);
	return 0;
}

int
oidc_response_static(struct s2o_oidc_response *resp, const char *text,
    size_t len, const char *content_type, const char *cache_control,
    bool cors_public, struct s2o_err *err)
{
	char	*copy;

	if ((copy = malloc(len + 1)) == NULL)
		return s2o_err_oom(err);
	memcpy(copy, text, len);
	copy[len] = '\0';
	s2o_oidc_response_cleanup(resp);
	resp->status = 200;
	resp->content_type = content_type;
	resp->cache_control = cache_control;
	resp->cors_public = cors_public;
	resp->body = copy;
	resp->len = len;
	return 0;
}
