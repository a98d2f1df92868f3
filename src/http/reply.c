/* SPDX-License-Identifier: MIT */
/*
 * Turning an endpoint's response into libmicrohttpd's, with the headers
 * every answer carries: security headers (nothing here is meant to be
 * framed, sniffed, or to load anything), caching (no-store unless the
 * endpoint says the document is public), the request id, and
 * "Connection: close" while the server drains. With oidc/, the only
 * reader of core's HTTP status column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/http_int.h"

static const struct {
	const char	*name;
	const char	*value;
} security_headers[] = {
	{ "Content-Security-Policy", "default-src 'none'; "
	    "frame-ancestors 'none'" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Content-Type-Options", "nosniff" },
};

/* What is sent when even an error cannot be built (out of memory). */
static const char oom_body[] =
    "{\"error\":\"server_error\",\"error_description\":\"internal\"}";

enum MHD_Result
http_reply(struct MHD_Connection *c, struct http_req *r,
    struct s2o_oidc_response *resp, const char *allow)
{
	struct MHD_Response	*mr;
	enum MHD_Result		 rc;
	size_t			 i;
	int			 ok = 1;

	if (resp->body != NULL) {
		/* MHD frees the body with free() once sent */
		mr = MHD_create_response_from_buffer(resp->len, resp->body,
		    MHD_RESPMEM_MUST_FREE);
		if (mr != NULL)
			resp->body = NULL;
	} else if (resp->status == 500) {
		mr = MHD_create_response_from_buffer(sizeof(oom_body) - 1,
		    (void *)(uintptr_t)oom_body, MHD_RESPMEM_PERSISTENT);
		resp->content_type = S2O_OIDC_JSON;
	} else
		mr = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
	if (mr == NULL)
		return MHD_NO;
	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]);
	    i++)
		ok &= MHD_add_response_header(mr, security_headers[i].name,
		    i == 0 && resp->csp != NULL ? resp->csp :
		    security_headers[i].value) == MHD_YES;
	if (resp->www_authenticate != NULL)
		ok &= MHD_add_response_header(mr,
		    MHD_HTTP_HEADER_WWW_AUTHENTICATE, resp->www_authenticate) ==
		    MHD_YES;
	if (resp->location != NULL)
		ok &= MHD_add_response_header(mr, MHD_HTTP_HEADER_LOCATION,
		    resp->location) == MHD_YES;
	if (resp->content_type != NULL)
		ok &= MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
		    resp->content_type) == MHD_YES;
	ok &= MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL,
	    resp->cache_control ? resp->cache_control : "no-store") == MHD_YES;
	if (resp->cors_public)
		ok &= MHD_add_response_header(mr,
		    MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*") ==
		    MHD_YES;
	ok &= MHD_add_response_header(mr, "X-Request-Id", r->id) == MHD_YES;
	if (resp->retry_after > 0) {
		char	ra[16];

		snprintf(ra, sizeof(ra), "%u", resp->retry_after);
		ok &= MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER,
		    ra) == MHD_YES;
	}
	if (resp->set_cookie != NULL)
		ok &= MHD_add_response_header(mr, MHD_HTTP_HEADER_SET_COOKIE,
		    resp->set_cookie) == MHD_YES;
	if (allow != NULL)
		ok &= MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW,
		    allow) == MHD_YES;
	/* while draining, no request may start after this one on the same
	 * connection: the client reconnects, to another instance */
	if (atomic_load(&r->srv->draining))
		ok &= MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION,
		    "close") == MHD_YES;
	if (!ok) {
		MHD_destroy_response(mr);
		return MHD_NO;
	}
	rc = MHD_queue_response(c, (unsigned int)resp->status, mr);
	MHD_destroy_response(mr);
	r->answered = true;
	r->status = resp->status;
	r->reason = resp->reason;
	return rc;
}

enum MHD_Result
http_reply_err(struct MHD_Connection *c, struct http_req *r,
    const struct s2o_err *err)
{
	struct s2o_oidc_response	resp;
	enum MHD_Result			rc;

	s2o_oidc_response_init(&resp);
	s2o_oidc_response_error(&resp, err);	/* a bodiless 500 on OOM */
	rc = http_reply(c, r, &resp, NULL);
	s2o_oidc_response_cleanup(&resp);
	return rc;
}

enum MHD_Result
http_reply_status(struct MHD_Connection *c, struct http_req *r, int status,
    const char *error, const char *description, const char *allow)
{
	struct s2o_oidc_response	 resp;
	enum MHD_Result			 rc;
	json_t				*o;

	s2o_oidc_response_init(&resp);
	resp.status = status;
	resp.content_type = S2O_OIDC_JSON;
	o = json_pack("{s:s, s:s}", "error", error, "error_description",
	    description);
	if (o != NULL)
		resp.body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (resp.body != NULL)
		resp.len = strlen(resp.body);
	else {
		resp.status = 500;
		resp.reason = S2O_R_INTERNAL;
	}
	rc = http_reply(c, r, &resp, allow);
	s2o_oidc_response_cleanup(&resp);
	return rc;
}
