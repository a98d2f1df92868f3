/* SPDX-License-Identifier: MIT */
/*
 * http/: form and query parameters (the bounded collector, then queries
 * and bodies as libmicrohttpd hands them over, through a small daemon of
 * the test's own on 127.0.0.1, driven with libcurl; check_form.c tests the
 * body splitter itself), metrics in the Prometheus text format,
 * request ids, the route table, and the server itself: start, answer,
 * reload (good and bad configuration), stop. tests/serve.sh runs the
 * saml2oidc binary the way an operator does.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "http/http_int.h"
#include "helpers.h"

/* ---- http/form: the collector ------------------------------------------- */

START_TEST(test_form_add_get)
{
	struct s2o_http_form	f;
	struct s2o_err		err;

	s2o_err_clear(&err);
	s2o_http_form_init(&f, 4, 8);
	ck_assert_int_eq(s2o_http_form_add(&f, "a", "1", 1, &err), 0);
	ck_assert_int_eq(s2o_http_form_add(&f, "bare", NULL, 0, &err), 0);
	ck_assert_int_eq(s2o_http_form_add(&f, "empty", "", 0, &err), 0);
	ck_assert_int_eq(s2o_http_form_add(&f, "full", "12345678", 8, &err),
	    0);
	ck_assert_s2o_ok(&err);
	ck_assert_uint_eq(f.n, 4);
	ck_assert_str_eq(s2o_http_form_get(&f, "a"), "1");
	ck_assert_str_eq(s2o_http_form_get(&f, "bare"), "");
	ck_assert_str_eq(s2o_http_form_get(&f, "empty"), "");
	ck_assert_str_eq(s2o_http_form_get(&f, "full"), "12345678");
	ck_assert_ptr_null(s2o_http_form_get(&f, "A"));
	ck_assert_ptr_null(s2o_http_form_get(&f, "missing"));
	s2o_http_form_cleanup(&f);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_ptr_null(s2o_http_form_get(&f, "a"));
	/* initialised again by cleanup: usable, and cleanup is idempotent */
	ck_assert_int_eq(s2o_http_form_add(&f, "a", "2", 1, &err), 0);
	ck_assert_str_eq(s2o_http_form_get(&f, "a"), "2");
	s2o_http_form_cleanup(&f);
	s2o_http_form_cleanup(&f);
}
END_TEST

START_TEST(test_form_limits)
{
	static const struct {
		const char	*name;
		const char	*value;
		size_t		 len;
		enum s2o_reason	 want;
		const char	*detail;
	} cases[] = {
		{ "a", "123456789", 9, S2O_R_TOO_LARGE,
		    "parameter \"a\": more than 8 bytes" },
		{ "", "1", 1, S2O_R_MALFORMED, "a parameter without a name" },
		{ "x", "1\0002", 3, S2O_R_MALFORMED, "holds %00" },
		{ "first", "again", 5, S2O_R_MALFORMED,
		    "parameter \"first\" given more than once" },
	};
	struct s2o_http_form	f;
	struct s2o_err		err;
	char			name[S2O_HTTP_MAX_FIELD_NAME + 2];
	size_t			i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s2o_err_clear(&err);
		s2o_http_form_init(&f, 4, 8);
		ck_assert_int_eq(s2o_http_form_add(&f, "first", "1", 1, &err),
		    0);
		ck_assert_int_eq(s2o_http_form_add(&f, cases[i].name,
		    cases[i].value, cases[i].len, &err), -1);
		ck_assert_s2o_err(&err, cases[i].want, cases[i].detail);
		ck_assert_uint_eq(f.n, 1);
		s2o_http_form_cleanup(&f);
	}
	/* the count */
	s2o_err_clear(&err);
	s2o_http_form_init(&f, 2, 8);
	ck_assert_int_eq(s2o_http_form_add(&f, "a", "1", 1, &err), 0);
	ck_assert_int_eq(s2o_http_form_add(&f, "b", "1", 1, &err), 0);
	ck_assert_int_eq(s2o_http_form_add(&f, "c", "1", 1, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE, "more than 2 parameters");
	s2o_http_form_cleanup(&f);
	/* a name's length */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	s2o_err_clear(&err);
	s2o_http_form_init(&f, 2, 8);
	ck_assert_int_eq(s2o_http_form_add(&f, name, "1", 1, &err), -1);
	ck_assert_s2o_err(&err, S2O_R_TOO_LARGE,
	    "a parameter name of 129 bytes; at most 128");
	name[S2O_HTTP_MAX_FIELD_NAME] = '\0';
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_http_form_add(&f, name, "1", 1, &err), 0);
	s2o_http_form_cleanup(&f);
}
END_TEST

/* ---- http/form: queries and bodies, over a socket ---------------------- */

/* Per-request state of the test daemon. */
struct treq {
	struct s2o_http_form	query, form;
	struct http_post	post;
	struct s2o_err		err;
};

static size_t	t_max_fields = 4, t_max_value = 32;

/* Answers "ok" + the parameters as JSON, or "error <reason>: <detail>". */
static enum MHD_Result
t_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct treq		*t = *con_cls;
	struct MHD_Response	*mr;
	struct s2o_buf		 b;
	struct s2o_err		 err;
	json_t			*o, *q, *fm;
	char			*text;
	size_t			 i;
	enum MHD_Result		 rc;

	(void)cls;
	(void)url;
	(void)version;
	if (t == NULL) {
		ck_assert_ptr_nonnull(t = calloc(1, sizeof(*t)));
		s2o_err_clear(&t->err);
		s2o_http_form_init(&t->query, t_max_fields, t_max_value);
		s2o_http_form_init(&t->form, t_max_fields, t_max_value);
		if (strcmp(method, "POST") == 0)
			http_post_begin(&t->post, c, &t->form, &t->err);
		*con_cls = t;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!s2o_err_is_set(&t->err) && t->post.form != NULL)
			http_post_feed(&t->post, upload_data,
			    *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!s2o_err_is_set(&t->err))
		http_post_end(&t->post);
	if (!s2o_err_is_set(&t->err))
		http_form_from_query(&t->query, c, &t->err);
	if (s2o_err_is_set(&t->err)) {
		s2o_err_clear(&err);
		s2o_buf_init(&b, 4096);
		ck_assert_int_eq(s2o_buf_printf(&b, &err, "error %s: %s",
		    s2o_reason_token(t->err.reason), t->err.detail), 0);
		text = s2o_buf_take(&b, NULL);
	} else {
		q = json_object();
		fm = json_object();
		for (i = 0; i < t->query.n; i++)
			json_object_set_new(q, t->query.v[i].name,
			    json_stringn(t->query.v[i].value,
			    t->query.v[i].len));
		for (i = 0; i < t->form.n; i++)
			json_object_set_new(fm, t->form.v[i].name,
			    json_stringn(t->form.v[i].value,
			    t->form.v[i].len));
		o = json_pack("{s:o, s:o}", "query", q, "form", fm);
		ck_assert_ptr_nonnull(o);
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(o);
	}
	mr = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	rc = MHD_queue_response(c, 200, mr);
	MHD_destroy_response(mr);
	return rc;
}

static void
t_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct treq	*t = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (t == NULL)
		return;
	http_post_end(&t->post);
	s2o_http_form_cleanup(&t->query);
	s2o_http_form_cleanup(&t->form);
	free(t);
	*con_cls = NULL;
}

static struct MHD_Daemon	*t_daemon;
static unsigned int		 t_port;

/* A daemon on 127.0.0.1, port chosen by the kernel (port 0: MHD reports
 * the real one through MHD_DAEMON_INFO_BIND_PORT). */
static void
t_start(void)
{
	struct sockaddr_in		 sa;
	const union MHD_DaemonInfo	*info;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	t_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
	    NULL, t_handler, NULL, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_NOTIFY_COMPLETED, t_completed, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(t_daemon);
	info = MHD_get_daemon_info(t_daemon, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	t_port = info->port;
	ck_assert_uint_ne(t_port, 0);
}

static void
t_stop(void)
{
	MHD_stop_daemon(t_daemon);
	t_daemon = NULL;
}

static size_t
collect(char *p, size_t size, size_t n, void *cls)
{
	struct s2o_buf	*b = cls;
	struct s2o_err	 err;

	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_buf_add(b, p, size * n, &err), 0);
	return size * n;
}

/*
 * One request with libcurl: GET path (with its query) when body is NULL,
 * else POST body with content_type. Returns the response body; status in
 * *status; headers (one per line) in hdrs when not NULL. Caller frees.
 */
static char *
fetch(unsigned int port, const char *path, const char *content_type,
    const char *body, long *status, struct s2o_buf *hdrs)
{
	CURL			*h;
	struct curl_slist	*sl = NULL;
	struct s2o_buf		 b;
	char			 url[4096], ct[256];
	CURLcode		 cc;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	s2o_buf_init(&b, 8u << 20);
	ck_assert_ptr_nonnull(h = curl_easy_init());
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	if (hdrs != NULL) {
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, hdrs);
	}
	if (body != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		sl = curl_slist_append(sl, ct);
		sl = curl_slist_append(sl, "Expect:");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	cc = curl_easy_perform(h);
	ck_assert_msg(cc == CURLE_OK, "%s: %s", url, curl_easy_strerror(cc));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	curl_slist_free_all(sl);
	if (b.data == NULL)
		return strdup("");
	return s2o_buf_take(&b, NULL);
}

static const struct {
	const char	*path;		/* with its query */
	const char	*body;		/* urlencoded, or NULL for a GET */
	const char	*want;		/* the daemon's answer */
} decode_cases[] = {
	{ "/?a=1&b=%20x+y%2B&c=%26%3D", NULL,
	    "{\"form\":{},\"query\":{\"a\":\"1\",\"b\":\" x y+\","
	    "\"c\":\"&=\"}}" },
	{ "/?bare&empty=", NULL,
	    "{\"form\":{},\"query\":{\"bare\":\"\",\"empty\":\"\"}}" },
	{ "/?utf8=%C3%A9t%C3%A9", NULL,
	    "{\"form\":{},\"query\":{\"utf8\":\"\xc3\xa9t\xc3\xa9\"}}" },
	{ "/?a=1&a=2", NULL,
	    "error malformed: parameter \"a\" given more than once" },
	{ "/?a=1&b=2&c=3&d=4&e=5", NULL,
	    "error too_large: more than 4 parameters" },
	{ "/?a=123456789012345678901234567890123", NULL,
	    "error too_large: parameter \"a\": more than 32 bytes" },
	{ "/?a=1%002", NULL, "error malformed: parameter \"a\" holds %00" },
	{ "/", "code=abc%2F%2B+1&state=x%20y&empty=",
	    "{\"form\":{\"code\":\"abc/+ 1\",\"empty\":\"\",\"state\":"
	    "\"x y\"},\"query\":{}}" },
	{ "/?q=1", "f=2", "{\"form\":{\"f\":\"2\"},\"query\":{\"q\":\"1\"}}" },
	{ "/", "a=1&a=2",
	    "error malformed: parameter \"a\" given more than once" },
	{ "/", "a=1&b=2&c=3&d=4&e=5",
	    "error too_large: more than 4 parameters" },
	{ "/", "a=123456789012345678901234567890123",
	    "error too_large: parameter \"a\": more than 32 bytes" },
	{ "/", "a=%00", "error malformed: parameter \"a\" holds %00" },
	{ "/", "bare&b=1&&c\r\n", "{\"form\":{\"b\":\"1\",\"bare\":\"\","
	    "\"c\":\"\"},\"query\":{}}" },
	{ "/", "a=100%", "error malformed: parameter \"a\": '%' not followed "
	    "by two hex digits (a literal '%' is %25)" },
	{ "/", "a==", "error malformed: parameter \"a\": a raw '=' in its "
	    "value (expected %3D)" },
	{ "/", "=1", "error malformed: a parameter without a name" },
};

START_TEST(test_form_decoding)
{
	long	 status;
	char	*got;

	t_start();
	got = fetch(t_port, decode_cases[_i].path,
	    "application/x-www-form-urlencoded", decode_cases[_i].body,
	    &status, NULL);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(got, decode_cases[_i].want);
	free(got);
	t_stop();
}
END_TEST

/* Content-Type decides: only urlencoded forms are parsed. */
START_TEST(test_form_content_type)
{
	static const struct {
		const char	*type;
		const char	*want;
	} cases[] = {
		{ "application/x-www-form-urlencoded; charset=UTF-8",
		    "{\"form\":{\"a\":\"1\"},\"query\":{}}" },
		{ "APPLICATION/X-WWW-FORM-URLENCODED",
		    "{\"form\":{\"a\":\"1\"},\"query\":{}}" },
		{ "text/plain", "error malformed: Content-Type: expected "
		    "application/x-www-form-urlencoded, found \"text/plain\"" },
		{ "multipart/form-data; boundary=x", "error malformed: "
		    "Content-Type: expected application/x-www-form-urlencoded, "
		    "found \"multipart/form-data; boundary=x\"" },
		{ "application/x-www-form-urlencodedX", "error malformed: "
		    "Content-Type: expected application/x-www-form-urlencoded, "
		    "found \"application/x-www-form-urlencodedX\"" },
	};
	long	 status;
	char	*got;
	size_t	 i;

	t_start();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = fetch(t_port, "/", cases[i].type, "a=1", &status, NULL);
		ck_assert_str_eq(got, cases[i].want);
		free(got);
	}
	t_stop();
}
END_TEST

/* A value larger than the pieces libmicrohttpd hands the body over in is
 * put back together; one byte over the limit is refused. */
START_TEST(test_form_large_value)
{
	char		*body, *got, *want;
	long		 status;
	size_t		 n = S2O_HTTP_MAX_FIELD;
	struct s2o_buf	 b;
	struct s2o_err	 err;

	t_max_fields = S2O_HTTP_MAX_FIELDS;
	t_max_value = S2O_HTTP_MAX_FIELD;
	ck_assert_ptr_nonnull(body = malloc(n + 16));
	memcpy(body, "x=1&big=", 8);
	memset(body + 8, 'v', n);
	body[8 + n] = '\0';
	t_start();
	got = fetch(t_port, "/", "application/x-www-form-urlencoded", body,
	    &status, NULL);
	s2o_err_clear(&err);
	s2o_buf_init(&b, 2 * n);
	ck_assert_int_eq(s2o_buf_printf(&b, &err, "{\"form\":{\"big\":\"%s\","
	    "\"x\":\"1\"},\"query\":{}}", body + 8), 0);
	want = s2o_buf_take(&b, NULL);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	body[8 + n] = 'v';
	body[9 + n] = '\0';
	got = fetch(t_port, "/", "application/x-www-form-urlencoded", body,
	    &status, NULL);
	ck_assert_str_eq(got, "error too_large: parameter \"big\": more than "
	    "16384 bytes");
	free(got);
	free(body);
	t_stop();
}
END_TEST

/* ---- http/metrics ------------------------------------------------------- */

START_TEST(test_metrics_render)
{
	struct http_metrics	*m;
	struct s2o_err		 err;
	char			*text;
	size_t			 len;

	s2o_err_clear(&err);
	ck_assert_ptr_nonnull(m = malloc(sizeof(*m)));
	http_metrics_init(m);
	http_metrics_observe(m, HTTP_ROUTE_HEALTHZ, 200, 50000);  /* 50 us */
	http_metrics_observe(m, HTTP_ROUTE_HEALTHZ, 200, 300000);
	http_metrics_observe(m, HTTP_ROUTE_HEALTHZ, 405, 3000000000u);
	http_metrics_observe(m, HTTP_ROUTE_NONE, 404, 1000000);	/* 1 ms */
	http_metrics_observe(m, HTTP_ROUTE_JWKS, 99, 1);	/* dropped */
	http_metrics_observe(m, HTTP_ROUTE_JWKS, 600, 1);	/* dropped */
	atomic_fetch_add(&m->reloads_failed, 1);
	atomic_fetch_add(&m->store_unavailable, 4);
	atomic_store(&m->store_up, 0);
	ck_assert_ptr_nonnull(text = http_metrics_render(m, 3, 2, &len, &err));
	ck_assert_uint_eq(len, strlen(text));
#define HAS(s) ck_assert_msg(strstr(text, s "\n") != NULL, "no line %s", s)
	HAS("# TYPE saml2oidc_http_requests_total counter");
	HAS("saml2oidc_http_requests_total{endpoint=\"/healthz\","
	    "status=\"200\"} 2");
	HAS("saml2oidc_http_requests_total{endpoint=\"/healthz\","
	    "status=\"405\"} 1");
	HAS("saml2oidc_http_requests_total{endpoint=\"other\","
	    "status=\"404\"} 1");
	HAS("# TYPE saml2oidc_http_request_duration_seconds histogram");
	HAS("saml2oidc_http_request_duration_seconds_bucket{"
	    "endpoint=\"/healthz\",le=\"0.0001\"} 1");
	HAS("saml2oidc_http_request_duration_seconds_bucket{"
	    "endpoint=\"/healthz\",le=\"0.0005\"} 2");
	HAS("saml2oidc_http_request_duration_seconds_bucket{"
	    "endpoint=\"/healthz\",le=\"2.5\"} 2");
	HAS("saml2oidc_http_request_duration_seconds_bucket{"
	    "endpoint=\"/healthz\",le=\"+Inf\"} 3");
	HAS("saml2oidc_http_request_duration_seconds_sum{"
	    "endpoint=\"/healthz\"} 3.000350000");
	HAS("saml2oidc_http_request_duration_seconds_count{"
	    "endpoint=\"/healthz\"} 3");
	/* a bound is inclusive (le): exactly 1 ms is in the 0.001 bucket */
	HAS("saml2oidc_http_request_duration_seconds_bucket{"
	    "endpoint=\"other\",le=\"0.0005\"} 0");
	HAS("saml2oidc_http_request_duration_seconds_bucket{"
	    "endpoint=\"other\",le=\"0.001\"} 1");
	HAS("saml2oidc_http_request_duration_seconds_count{"
	    "endpoint=\"/.well-known/jwks.json\"} 0");
	HAS("saml2oidc_http_requests_in_flight 2");
	HAS("saml2oidc_config_generation 3");
	HAS("saml2oidc_config_reloads_total{result=\"ok\"} 0");
	HAS("saml2oidc_config_reloads_total{result=\"failed\"} 1");
	HAS("# TYPE saml2oidc_store_up gauge");
	HAS("saml2oidc_store_up 0");
	HAS("saml2oidc_store_unavailable_total 4");
#undef HAS
	ck_assert_ptr_null(strstr(text, "status=\"99\""));
	ck_assert_ptr_null(strstr(text, "status=\"600\""));
	ck_assert_ptr_null(strstr(text, "jwks.json\",status"));
	ck_assert_int_eq(text[len - 1], '\n');
	free(text);
	free(m);
}
END_TEST

START_TEST(test_route_table)
{
	static const struct {
		const char		*path;
		enum http_route_id	 id;
	} cases[] = {
		{ "/.well-known/openid-configuration", HTTP_ROUTE_DISCOVERY },
		{ "/.well-known/jwks.json", HTTP_ROUTE_JWKS },
		{ "/healthz", HTTP_ROUTE_HEALTHZ },
		{ "/readyz", HTTP_ROUTE_READYZ },
		{ "/metrics", HTTP_ROUTE_METRICS },
		{ "/healthz/", HTTP_ROUTE_NONE },
		{ "/HEALTHZ", HTTP_ROUTE_NONE },
		{ "/healthzz", HTTP_ROUTE_NONE },
		{ "//healthz", HTTP_ROUTE_NONE },
		{ "/", HTTP_ROUTE_NONE },
		{ "", HTTP_ROUTE_NONE },
	};
	const struct http_route	*r;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = http_route_find(cases[i].path);
		ck_assert_msg((r ? r->id : HTTP_ROUTE_NONE) == cases[i].id,
		    "%s", cases[i].path);
		if (r != NULL) {
			ck_assert_str_eq(http_route_label(r->id), r->path);
			ck_assert_uint_eq(r->max_body, S2O_HTTP_MAX_BODY);
		}
	}
	ck_assert_str_eq(http_route_label(HTTP_ROUTE_NONE), "other");
}
END_TEST

START_TEST(test_request_id)
{
	char	a[S2O_HTTP_REQUEST_ID_LEN + 1], b[S2O_HTTP_REQUEST_ID_LEN + 1];

	s2o_http_request_id(a);
	s2o_http_request_id(b);
	ck_assert_uint_eq(strlen(a), 16);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 16);
	ck_assert_str_ne(a, b);
}
END_TEST

/* ---- http/server -------------------------------------------------------- */

static char	srv_dir[256], srv_cfg[512];

/* text with every from replaced by to. Caller frees. */
static char *
replace_all(const char *text, const char *from, const char *to)
{
	struct s2o_buf	 b;
	struct s2o_err	 err;
	const char	*p, *q;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 1u << 20);
	for (p = text; (q = strstr(p, from)) != NULL; p = q + strlen(from)) {
		ck_assert_int_eq(s2o_buf_add(&b, p, (size_t)(q - p), &err), 0);
		ck_assert_int_eq(s2o_buf_adds(&b, to, &err), 0);
	}
	ck_assert_int_eq(s2o_buf_adds(&b, p, &err), 0);
	return s2o_buf_take(&b, NULL);
}

/* A copy of fixtures/saml/bridge.json with absolute key paths and the
 * given listen address, or a broken file when broken is true. */
static void
write_server_config(const char *laddr, bool broken)
{
	char	*text, *abs, *out, dir[1024], addr[64];
	FILE	*fp;

	ck_assert_ptr_nonnull(fp = fopen(srv_cfg, "w"));
	if (broken) {
		fputs("{\"issuer\": \"https://bridge.example.test\",\n", fp);
		fclose(fp);
		return;
	}
	text = fx_read(fx_path("saml/bridge.json"), NULL);
	/* relative paths start with "../": anchor them in fixtures/saml */
	snprintf(dir, sizeof(dir), "\"%s", fx_path("saml/../"));
	abs = replace_all(text, "\"../", dir);
	snprintf(addr, sizeof(addr), "\"%s\"", laddr);
	out = replace_all(abs, "\"127.0.0.1:8080\"", addr);
	fputs(out, fp);
	fclose(fp);
	free(out);
	free(abs);
	free(text);
}


static void
srv_dir_make(void)
{
	const char	*base = getenv("TMPDIR");

	snprintf(srv_dir, sizeof(srv_dir), "%s/check_http.XXXXXX",
	    base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(srv_dir));
	snprintf(srv_cfg, sizeof(srv_cfg), "%s/bridge.json", srv_dir);
}

static void
srv_dir_remove(void)
{
	unlink(srv_cfg);
	rmdir(srv_dir);
}

/* Serves, answers, reloads (a good file, then a broken one), stops. */
START_TEST(test_server_lifecycle)
{
	struct s2o_http_server	*srv = NULL;
	struct s2o_err		 err;
	struct s2o_buf		 hdrs;
	char			 laddr[32], *body, *rid;
	FILE			*devnull;
	unsigned int		 port = 0;
	long			 status;
	int			 tries;

	srv_dir_make();
	ck_assert_ptr_nonnull(devnull = fopen("/dev/null", "w"));
	s2o_log_set_stream(devnull);
	for (tries = 0; srv == NULL && tries < 5; tries++) {
		port = s2o_test_free_port();
		snprintf(laddr, sizeof(laddr), "127.0.0.1:%u", port);
		write_server_config(laddr, false);
		s2o_err_clear(&err);
		srv = s2o_http_server_new(srv_cfg, &err);
		ck_assert_msg(srv != NULL || err.reason == S2O_R_IO, "%s",
		    err.detail);
	}
	ck_assert_ptr_nonnull(srv);
	ck_assert_str_eq(s2o_http_server_address(srv), laddr);
	ck_assert_uint_eq(s2o_http_server_generation(srv), 1);
	ck_assert_int_eq(s2o_http_server_start(srv, &err), 0);

	s2o_buf_init(&hdrs, 65536);
	body = fetch(port, "/readyz", NULL, NULL, &status, &hdrs);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(body, "ready\n");
	free(body);
	ck_assert_ptr_nonnull(strstr(hdrs.data, "X-Frame-Options: DENY\r\n"));
	ck_assert_ptr_nonnull(rid = strstr(hdrs.data, "X-Request-Id: "));
	ck_assert_uint_eq(strspn(rid + 14, "0123456789abcdef"), 16);
	s2o_buf_cleanup(&hdrs);

	/* a good reload: generation 2 */
	ck_assert_int_eq(s2o_http_server_reload(srv, &err), 0);
	ck_assert_uint_eq(s2o_http_server_generation(srv), 2);
	/* a broken file: generation 2 keeps serving */
	write_server_config(laddr, true);
	s2o_err_clear(&err);
	ck_assert_int_eq(s2o_http_server_reload(srv, &err), -1);
	ck_assert_int_eq(err.reason, S2O_R_CONFIG_INVALID);
	ck_assert_uint_eq(s2o_http_server_generation(srv), 2);
	body = fetch(port, "/.well-known/openid-configuration", NULL, NULL,
	    &status, NULL);
	ck_assert_int_eq(status, 200);
	ck_assert_ptr_nonnull(strstr(body, "\"issuer\":\"https://bridge"));
	free(body);
	body = fetch(port, "/metrics", NULL, NULL, &status, NULL);
	ck_assert_ptr_nonnull(strstr(body, "saml2oidc_config_generation 2\n"));
	ck_assert_ptr_nonnull(strstr(body,
	    "saml2oidc_config_reloads_total{result=\"failed\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(body, "saml2oidc_http_requests_total{"
	    "endpoint=\"/readyz\",status=\"200\"} 1\n"));
	free(body);

	s2o_http_server_shutdown(srv, 1000);
	s2o_http_server_shutdown(srv, 1000);	/* idempotent */
	s2o_http_server_free(srv);
	s2o_log_set_stream(NULL);
	fclose(devnull);
	srv_dir_remove();
}
END_TEST

/* What stops a start: an http issuer off loopback, a taken address. */
START_TEST(test_server_refuses)
{
	struct s2o_http_server	*srv;
	struct s2o_err		 err;
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	char			 laddr[32], want[96], *text, *p;
	int			 fd;
	size_t			 n;
	FILE			*fp, *devnull;

	srv_dir_make();
	ck_assert_ptr_nonnull(devnull = fopen("/dev/null", "w"));
	s2o_log_set_stream(devnull);
	/* the address is taken (by us) */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(laddr, sizeof(laddr), "127.0.0.1:%u", ntohs(sa.sin_port));
	write_server_config(laddr, false);
	s2o_err_clear(&err);
	ck_assert_ptr_null(srv = s2o_http_server_new(srv_cfg, &err));
	snprintf(want, sizeof(want), "listen \"%s\": Address already in use",
	    laddr);
	ck_assert_s2o_err(&err, S2O_R_IO, want);
	close(fd);

	/* an http issuer that is not on loopback */
	text = fx_read(srv_cfg, &n);
	p = strstr(text, "https://bridge.example.test\"");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fp = fopen(srv_cfg, "w"));
	fwrite(text, 1, (size_t)(p - text), fp);
	fprintf(fp, "http%s", p + 5);
	fclose(fp);
	free(text);
	s2o_err_clear(&err);
	ck_assert_ptr_null(srv = s2o_http_server_new(srv_cfg, &err));
	ck_assert_s2o_err(&err, S2O_R_CONFIG_INVALID,
	    "issuer \"http://bridge.example.test\": serving needs an https "
	    "issuer");
	s2o_log_set_stream(NULL);
	fclose(devnull);
	srv_dir_remove();
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

	tc = tcase_create("http/form");
	tcase_add_test(tc, test_form_add_get);
	tcase_add_test(tc, test_form_limits);
	tcase_add_loop_test(tc, test_form_decoding, 0,
	    sizeof(decode_cases) / sizeof(decode_cases[0]));
	tcase_add_test(tc, test_form_content_type);
	tcase_add_test(tc, test_form_large_value);
	suite_add_tcase(s, tc);
	tc = tcase_create("http/metrics");
	tcase_add_test(tc, test_metrics_render);
	tcase_add_test(tc, test_route_table);
	tcase_add_test(tc, test_request_id);
	suite_add_tcase(s, tc);
	tc = tcase_create("http/server");
	tcase_add_test(tc, test_server_lifecycle);
	tcase_add_test(tc, test_server_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int	rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = run_suite(http_suite());
	curl_global_cleanup();
	return rc;
}
