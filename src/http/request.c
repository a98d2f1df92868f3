/* SPDX-License-Identifier: MIT */
/*
 * One request, from its headers to its log line. libmicrohttpd calls the
 * access handler once when the headers are in, once per piece of body,
 * and once when the body is complete; then the completion callback.
 *
 *   headers   request id, generation reference, route, method, and the
 *             size check on Content-Length: 404, 405 and 413 are answered
 *             here, before any body is read (MHD then closes the
 *             connection instead of reading the rest).
 *   body      counted against the route's limit as it arrives (chunked
 *             bodies have no Content-Length); a form body is streamed
 *             into its parser, anything else is dropped unread.
 *   complete  the endpoint runs and its response is queued.
 *   completed one log line and the metrics; the generation is released.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>

#include <openssl/rand.h>

#include "http/http_int.h"

void
s2o_http_request_id(char out[S2O_HTTP_REQUEST_ID_LEN + 1])
{
	static const char		 hex[] = "0123456789abcdef";
	static atomic_uint_fast64_t	 fallback;
	unsigned char			 b[S2O_HTTP_REQUEST_ID_LEN / 2];
	uint64_t			 v;
	struct timespec			 ts;
	size_t				 i;

	/* OpenSSL's generator, seeded once per thread: no system call per
	 * request, as getrandom(2) was */
	if (RAND_bytes(b, sizeof(b)) == 1) {
		for (i = 0; i < sizeof(b); i++) {
			out[2 * i] = hex[b[i] >> 4];
			out[2 * i + 1] = hex[b[i] & 0x0f];
		}
		out[2 * i] = '\0';
		return;
	}
	/* not a secret, only a correlation id: unique is enough */
	clock_gettime(CLOCK_REALTIME, &ts);
	v = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	    (atomic_fetch_add(&fallback, 1) << 48);
	snprintf(out, S2O_HTTP_REQUEST_ID_LEN + 1, "%016" PRIx64, v);
}

static uint64_t
elapsed_ns(const struct timespec *start)
{
	struct timespec	now;
	int64_t		ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(now.tv_sec - start->tv_sec) * 1000000000 +
	    (now.tv_nsec - start->tv_nsec);
	return ns > 0 ? (uint64_t)ns : 0;
}

/* HTTP_M_* of a method; HEAD is answered as GET (MHD drops the body). */
static unsigned int
method_flag(const char *method)
{
	if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0)
		return HTTP_M_GET;
	if (strcmp(method, MHD_HTTP_METHOD_POST) == 0)
		return HTTP_M_POST;
	return 0;
}

static struct http_req *
req_new(struct s2o_http_server *srv, const char *url, const char *method)
{
	struct http_req	*r;
	char		*p;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	r->srv = srv;
	s2o_http_request_id(r->id);
	/* the log shows the path only: MHD has already cut the query off,
	 * which may hold codes or tokens */
	s2o_str_excerpt(r->method, sizeof(r->method), method, 12);
	s2o_str_excerpt(r->path, sizeof(r->path), url, 128);
	/* keep the log line parseable */
	for (p = r->path; *p != '\0'; p++)
		if (*p == '"' || *p == '\\' || *p == ' ')
			*p = '?';
	r->mflag = method_flag(method);
	r->route = http_route_find(url);
	if (http_acs_connection(url) != NULL)
		s2o_strlcpy(r->acs_conn, http_acs_connection(url),
		    sizeof(r->acs_conn));
	r->max_body = r->route ? r->route->max_body : S2O_HTTP_MAX_BODY;
	r->reason = S2O_R_OK;
	s2o_err_clear(&r->err);
	s2o_http_form_init(&r->query, S2O_HTTP_MAX_FIELDS, S2O_HTTP_MAX_FIELD);
	/* a route taking more than the common body (the ACS) takes one
	 * field as large as its body: the SAMLResponse */
	s2o_http_form_init(&r->form, S2O_HTTP_MAX_FIELDS,
	    r->max_body > S2O_HTTP_MAX_BODY ? r->max_body : S2O_HTTP_MAX_FIELD);
	pthread_mutex_lock(&srv->gen_lock);
	r->gen = srv->gen;
	atomic_fetch_add(&r->gen->refs, 1);
	pthread_mutex_unlock(&srv->gen_lock);
	atomic_fetch_add(&srv->inflight, 1);
	return r;
}

static void
req_free(struct http_req *r)
{
	s2o_http_form_cleanup(&r->query);
	s2o_http_form_cleanup(&r->form);
	http_gen_release(r->gen);
	atomic_fetch_sub(&r->srv->inflight, 1);
	free(r);
}

/* n is the Content-Length, or 0 for a body that passed the limit as it
 * streamed in (chunked: its size is not known yet). */
static int
too_large(struct http_req *r, uint64_t n)
{
	if (n == 0)
		return s2o_err_set(&r->err, S2O_R_TOO_LARGE, "request body: "
		    "over %zu bytes, the most this endpoint takes",
		    r->max_body);
	return s2o_err_set(&r->err, S2O_R_TOO_LARGE, "request body: %" PRIu64
	    " bytes; this endpoint takes at most %zu", n, r->max_body);
}

/* Joins every X-Forwarded-For header, in order, with commas. */
struct xff {
	char	 v[S2O_HTTP_MAX_XFF];
	size_t	 n;
	bool	 seen, overflow;
};

static enum MHD_Result
xff_add(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct xff	*x = cls;
	size_t		 n;

	(void)kind;
	if (key == NULL || value == NULL ||
	    strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	n = strlen(value);
	if (x->n + n + 2 > sizeof(x->v)) {
		x->overflow = true;
		return MHD_NO;
	}
	if (x->seen)
		x->v[x->n++] = ',';
	memcpy(x->v + x->n, value, n);
	x->n += n;
	x->v[x->n] = '\0';
	x->seen = true;
	return MHD_YES;
}

/* r->client_ip, and the forwarded scheme and host when a trusted proxy
 * sent them (client.c). */
static void
req_client(struct MHD_Connection *c, struct http_req *r)
{
	const union MHD_ConnectionInfo	*ci;
	char				 peer[S2O_HTTP_MAX_ADDR];
	struct xff			 x;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL ||
	    getnameinfo(ci->client_addr,
	    ci->client_addr->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), peer,
	    sizeof(peer), NULL, 0, NI_NUMERICHOST) != 0)
		return;
	memset(&x, 0, sizeof(x));
	if (r->gen->trusted != NULL)
		MHD_get_connection_values(c, MHD_HEADER_KIND, xff_add, &x);
	if (!s2o_http_client_address(r->gen->trusted, peer,
	    x.seen && !x.overflow ? x.v : NULL, r->client_ip,
	    sizeof(r->client_ip)))
		return;
	if (s2o_http_forwarded_last(MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, "X-Forwarded-Proto"), r->fwd_proto,
	    sizeof(r->fwd_proto)) != NULL && strcasecmp(r->fwd_proto,
	    "https") != 0 && strcasecmp(r->fwd_proto, "http") != 0)
		r->fwd_proto[0] = '\0';
	s2o_http_forwarded_last(MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, "X-Forwarded-Host"), r->fwd_host,
	    sizeof(r->fwd_host));
}

/*
 * rate_limits: a fixed window per client address that starts with its
 * first request, counted in the store (shared by every instance when the
 * store is). Windows are not aligned to the clock, so every client's
 * budget is whole and a burst cannot straddle two aligned windows. Decided from the headers,
 * so a refused client's body is never read. True when the request was
 * answered (429, or 503 when the store cannot count: fail closed), with
 * MHD's verdict in *rc.
 */
static bool
rate_limited(struct MHD_Connection *c, struct http_req *r,
    enum MHD_Result *rc)
{
	const struct s2o_config		*cfg = r->gen->cfg;
	const struct s2o_rate_limit	*rl;
	struct s2o_oidc_response	 resp;
	struct s2o_err			 e;
	unsigned long			 n;
	time_t				 now, ends;
	const char			*ns;
	char				 desc[160];

	if (r->route->id == HTTP_ROUTE_ACS) {
		rl = &cfg->rate_acs;
		ns = "rate_acs";
	} else if (r->route->id == HTTP_ROUTE_TOKEN) {
		rl = &cfg->rate_token;
		ns = "rate_token";
	} else
		return false;
	if (rl->requests == 0)
		return false;
	now = s2o_clock_now(&r->srv->clock);
	s2o_err_clear(&e);
	if (s2o_store_count(r->srv->store, ns, r->client_ip[0] != '\0' ?
	    r->client_ip : "unknown", now + rl->per_seconds, &n, &ends,
	    &e) == -1) {
		r->err = e;
		*rc = http_reply_err(c, r, &r->err);
		return true;
	}
	if (n <= rl->requests)
		return false;
	atomic_fetch_add_explicit(&r->srv->metrics.rate_limited[r->route->id],
	    1, memory_order_relaxed);
	snprintf(desc, sizeof(desc), "more than %lu requests in %ld seconds "
	    "from this address", rl->requests, rl->per_seconds);
	s2o_err_set(&r->err, S2O_R_RATE_LIMITED, "%s", desc);
	s2o_oidc_response_init(&resp);
	s2o_oidc_response_error(&resp, &r->err);
	resp.retry_after = ends > now ? (unsigned int)(ends - now) : 1;
	*rc = http_reply(c, r, &resp, NULL);
	s2o_oidc_response_cleanup(&resp);
	return true;
}

/* The first call: everything that can be decided from the headers. */
static enum MHD_Result
req_begin(struct MHD_Connection *c, struct http_req *r)
{
	const struct http_route	*rt = r->route;
	const char		*cl;
	char			*end;
	unsigned long long	 n;
	enum MHD_Result		 rc;

	req_client(c, r);
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		/* MHD has checked it is a number; refuse before reading */
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && *end == '\0' && n > r->max_body) {
			too_large(r, n);
			return http_reply_err(c, r, &r->err);
		}
	}
	if (rt == NULL)
		return http_reply_status(c, r, 404, "not_found",
		    "no such endpoint", NULL);
	if ((rt->methods & r->mflag) == 0)
		return http_reply_status(c, r, 405, "method_not_allowed",
		    "method not allowed here; see the Allow header",
		    rt->allow);
	if (rate_limited(c, r, &rc))
		return rc;
	if (rt->form && r->mflag == HTTP_M_POST &&
	    http_post_begin(&r->post, c, &r->form, &r->err) == -1)
		return http_reply_err(c, r, &r->err);
	return MHD_YES;
}

/* A piece of body: counted, then parsed or dropped. */
static enum MHD_Result
req_body(struct http_req *r, const char *data, size_t size)
{
	r->body_len += size;
	if (r->body_len > r->max_body) {
		if (!s2o_err_is_set(&r->err))
			too_large(r, 0);
		/* past this, stop reading and close: no answer is worth it */
		if (r->body_len - r->max_body > S2O_HTTP_MAX_DISCARD)
			return MHD_NO;
		return MHD_YES;
	}
	if (!s2o_err_is_set(&r->err) && r->post.form != NULL)
		http_post_feed(&r->post, data, size);
	return MHD_YES;
}

/* The body is complete: run the endpoint. */
static enum MHD_Result
req_complete(struct MHD_Connection *c, struct http_req *r)
{
	struct s2o_oidc_response	 resp;
	struct http_call		 call;
	enum MHD_Result			 rc;

	if (!s2o_err_is_set(&r->err) && r->post.form != NULL)
		http_post_end(&r->post);
	if (!s2o_err_is_set(&r->err) && r->route->query)
		http_form_from_query(&r->query, c, &r->err);
	if (s2o_err_is_set(&r->err))
		return http_reply_err(c, r, &r->err);
	memset(&call, 0, sizeof(call));
	call.r = r;
	call.op = r->gen->op;
	call.req.method = r->mflag == HTTP_M_POST ? "POST" : "GET";
	call.req.query = r->query.v;
	call.req.nquery = r->query.n;
	call.req.form = r->form.v;
	call.req.nform = r->form.n;
	call.req.authorization = MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	call.req.request_id = r->id;
	call.req.client_ip = r->client_ip[0] != '\0' ? r->client_ip : NULL;
	call.req.connection = r->acs_conn[0] != '\0' ? r->acs_conn : NULL;
	call.req.session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
	    s2o_oidc_session_cookie(r->gen->op));
	call.env.op = r->gen->op;
	call.env.store = r->srv->store;
	call.env.spk = r->gen->spk;
	call.env.clock = &r->srv->clock;
	s2o_oidc_response_init(&resp);
	if (r->route->handle(&call, &resp, &r->err) == -1) {
		s2o_oidc_response_cleanup(&resp);
		return http_reply_err(c, r, &r->err);
	}
	/* labels from the configuration only (labels.c) */
	if (r->route->id == HTTP_ROUTE_ACS && resp.reason != S2O_R_OK)
		http_labelled_add(&r->srv->metrics.labelled,
		    HTTP_SERIES_REJECTIONS, s2o_reason_token(resp.reason),
		    resp.metric_connection ? resp.metric_connection :
		    "unknown");
	if (r->route->id == HTTP_ROUTE_TOKEN && resp.status == 200 &&
	    resp.metric_client != NULL)
		http_labelled_add(&r->srv->metrics.labelled,
		    HTTP_SERIES_TOKENS, resp.metric_client, NULL);
	rc = http_reply(c, r, &resp, NULL);
	s2o_oidc_response_cleanup(&resp);
	return rc;
}

enum MHD_Result
http_on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct s2o_http_server	*srv = cls;
	struct http_req		*r = *con_cls;
	size_t			 size = *upload_data_size;

	(void)version;
	if (r == NULL) {
		/* out of memory: closing the connection is all that is left */
		if ((r = req_new(srv, url, method)) == NULL)
			return MHD_NO;
		*con_cls = r;
		return req_begin(c, r);
	}
	if (r->answered) {
		/* answered from the headers: MHD discards the rest */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (size != 0) {
		*upload_data_size = 0;
		return req_body(r, upload_data, size);
	}
	return req_complete(c, r);
}

/* Why a request ended without an answer, for the log. */
static const char *
termination(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "shutdown";
	case MHD_REQUEST_TERMINATED_READ_ERROR:
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client_closed";
	default:
		return "closed";	/* our MHD_NO: a limit or no memory */
	}
}

void
http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct s2o_http_server	*srv = cls;
	struct http_req		*r = *con_cls;
	uint64_t		 ns;
	char			 fwd[sizeof(r->fwd_proto) + sizeof(r->fwd_host) +
				    40];
	const char		*ip;

	(void)c;
	if (r == NULL)
		return;
	ip = r->client_ip[0] != '\0' ? r->client_ip : "-";
	*con_cls = NULL;
	ns = elapsed_ns(&r->start);
	if (r->status != 0)
		http_metrics_observe(&srv->metrics,
		    r->route ? r->route->id : HTTP_ROUTE_NONE, r->status, ns);
	if (r->reason == S2O_R_STORE_UNAVAILABLE)
		atomic_fetch_add_explicit(&srv->metrics.store_unavailable, 1,
		    memory_order_relaxed);
	/* one line per request: never the query, a body, a header value */
	snprintf(fwd, sizeof(fwd), "%s%s%s%s",
	    r->fwd_proto[0] ? " forwarded_proto=" : "", r->fwd_proto,
	    r->fwd_host[0] ? " forwarded_host=" : "", r->fwd_host);
	if (r->reason != S2O_R_OK)
		s2o_log(S2O_LOG_INFO, "http", "request_id=%s client_ip=%s%s "
		    "method=%s path=\"%s\" status=%d duration_ms=%.3f "
		    "reason=%s detail=\"%s\"", r->id, ip, fwd, r->method,
		    r->path, r->status, (double)ns / 1e6,
		    s2o_reason_token(r->reason), r->err.detail);
	else if (r->status != 0)
		s2o_log(S2O_LOG_INFO, "http", "request_id=%s client_ip=%s%s "
		    "method=%s path=\"%s\" status=%d duration_ms=%.3f", r->id,
		    ip, fwd, r->method, r->path, r->status, (double)ns / 1e6);
	else
		s2o_log(S2O_LOG_INFO, "http", "request_id=%s client_ip=%s%s "
		    "method=%s path=\"%s\" status=0 duration_ms=%.3f "
		    "aborted=%s", r->id, ip, fwd, r->method, r->path,
		    (double)ns / 1e6, termination(toe));
	req_free(r);
}
