/* SPDX-License-Identifier: MIT */
/*
 * Request metrics in the Prometheus text exposition format 0.0.4:
 * requests by endpoint and status, and a latency histogram by endpoint.
 * Labels come from fixed tables (route paths, numeric statuses), never
 * from what a client sent, so a scanner cannot grow the series count.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "http/http_int.h"

/* Upper bounds of the finite buckets, in nanoseconds, and as printed. A
 * discovery or JWKS answer takes tens of microseconds; a token answer
 * about one signature (0.03 to 1 ms); a SAML Response about one
 * verification plus one or two signatures. */
static const uint64_t bucket_ns[HTTP_NBUCKETS] = {
	100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
	25000000, 50000000, 100000000, 250000000, 500000000, 1000000000,
	2500000000u
};
static const char *const bucket_le[HTTP_NBUCKETS] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
	"0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5"
};

static const char *const route_labels[HTTP_ROUTE__MAX] = {
	[HTTP_ROUTE_NONE] = "other",
	[HTTP_ROUTE_DISCOVERY] = "/.well-known/openid-configuration",
	[HTTP_ROUTE_JWKS] = "/.well-known/jwks.json",
	[HTTP_ROUTE_HEALTHZ] = "/healthz",
	[HTTP_ROUTE_READYZ] = "/readyz",
	[HTTP_ROUTE_METRICS] = "/metrics",
	[HTTP_ROUTE_SAML_METADATA] = "/saml/metadata",
	[HTTP_ROUTE_AUTHORIZE] = "/authorize",
	[HTTP_ROUTE_ACS] = "/saml/acs",
	[HTTP_ROUTE_TOKEN] = "/token",
	[HTTP_ROUTE_USERINFO] = "/userinfo",
};

const char *
http_route_label(enum http_route_id route)
{
	if ((unsigned int)route >= HTTP_ROUTE__MAX)
		return "other";
	return route_labels[route];
}

void
http_metrics_init(struct http_metrics *m)
{
	size_t	i, j;

	for (i = 0; i < HTTP_ROUTE__MAX; i++) {
		for (j = 0; j < HTTP_NSTATUS; j++)
			atomic_init(&m->requests[i][j], 0);
		for (j = 0; j <= HTTP_NBUCKETS; j++)
			atomic_init(&m->buckets[i][j], 0);
		atomic_init(&m->sum_ns[i], 0);
		atomic_init(&m->rate_limited[i], 0);
	}
	atomic_init(&m->reloads_ok, 0);
	atomic_init(&m->reloads_failed, 0);
	atomic_init(&m->store_unavailable, 0);
	atomic_init(&m->store_up, 1);
	http_labelled_init(&m->labelled);
}

void
http_metrics_cleanup(struct http_metrics *m)
{
	http_labelled_cleanup(&m->labelled);
}

void
http_metrics_observe(struct http_metrics *m, enum http_route_id route,
    int status, uint64_t ns)
{
	size_t	b;

	if ((unsigned int)route >= HTTP_ROUTE__MAX ||
	    status < HTTP_STATUS_MIN || status > HTTP_STATUS_MAX)
		return;
	atomic_fetch_add_explicit(&m->requests[route][status - HTTP_STATUS_MIN],
	    1, memory_order_relaxed);
	for (b = 0; b < HTTP_NBUCKETS && ns > bucket_ns[b]; b++)
		;
	/* stored per bucket; made cumulative when rendered */
	atomic_fetch_add_explicit(&m->buckets[route][b], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_ns[route], ns, memory_order_relaxed);
}

static uint64_t
get(const atomic_uint_fast64_t *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

char *
http_metrics_render(const struct http_metrics *m, unsigned long generation,
    unsigned int inflight, size_t *len, struct s2o_err *err)
{
	struct s2o_buf	 b;
	uint64_t	 n, cum, sum;
	size_t		 r, s, k;
	int		 rc = 0;

	/* 500 statuses x 6 routes would be far less than this */
	s2o_buf_init(&b, 1u << 20);
	rc |= s2o_buf_adds(&b,
	    "# HELP saml2oidc_http_requests_total HTTP requests answered, by "
	    "endpoint and status.\n"
	    "# TYPE saml2oidc_http_requests_total counter\n", err);
	for (r = 0; r < HTTP_ROUTE__MAX; r++)
		for (s = 0; s < HTTP_NSTATUS; s++)
			if ((n = get(&m->requests[r][s])) != 0)
				rc |= s2o_buf_printf(&b, err,
				    "saml2oidc_http_requests_total{"
				    "endpoint=\"%s\",status=\"%zu\"} %" PRIu64
				    "\n",
				    route_labels[r], s + HTTP_STATUS_MIN, n);
	rc |= s2o_buf_adds(&b,
	    "# HELP saml2oidc_http_request_duration_seconds Time from a "
	    "request's headers to the end of its response.\n"
	    "# TYPE saml2oidc_http_request_duration_seconds histogram\n", err);
	for (r = 0; r < HTTP_ROUTE__MAX; r++) {
		cum = 0;
		for (k = 0; k <= HTTP_NBUCKETS; k++) {
			cum += get(&m->buckets[r][k]);
			rc |= s2o_buf_printf(&b, err,
			    "saml2oidc_http_request_duration_seconds_bucket{"
			    "endpoint=\"%s\",le=\"%s\"} %" PRIu64 "\n",
			    route_labels[r],
			    k < HTTP_NBUCKETS ? bucket_le[k] : "+Inf", cum);
		}
		sum = get(&m->sum_ns[r]);
		/* _count is the +Inf bucket, so the two always agree */
		rc |= s2o_buf_printf(&b, err,
		    "saml2oidc_http_request_duration_seconds_sum{"
		    "endpoint=\"%s\"} %" PRIu64 ".%09" PRIu64 "\n"
		    "saml2oidc_http_request_duration_seconds_count{"
		    "endpoint=\"%s\"} %" PRIu64 "\n", route_labels[r],
		    sum / 1000000000u, sum % 1000000000u, route_labels[r], cum);
	}
	rc |= s2o_buf_printf(&b, err,
	    "# HELP saml2oidc_rate_limited_total Requests refused with 429 by "
	    "rate_limits, by endpoint.\n"
	    "# TYPE saml2oidc_rate_limited_total counter\n"
	    "saml2oidc_rate_limited_total{endpoint=\"%s\"} %" PRIu64 "\n"
	    "saml2oidc_rate_limited_total{endpoint=\"%s\"} %" PRIu64 "\n",
	    route_labels[HTTP_ROUTE_ACS], get(&m->rate_limited[HTTP_ROUTE_ACS]),
	    route_labels[HTTP_ROUTE_TOKEN],
	    get(&m->rate_limited[HTTP_ROUTE_TOKEN]));
	/* the table's lock is not state of the counters: render reads */
	rc |= http_labelled_render((struct http_labelled *)(uintptr_t)
	    &m->labelled, &b, err);
	rc |= s2o_buf_printf(&b, err,
	    "# HELP saml2oidc_store_up Whether the store answered its last "
	    "check (at /readyz or /metrics): 1 or 0.\n"
	    "# TYPE saml2oidc_store_up gauge\n"
	    "saml2oidc_store_up %d\n"
	    "# HELP saml2oidc_store_unavailable_total Requests refused with "
	    "store_unavailable: the store did not answer.\n"
	    "# TYPE saml2oidc_store_unavailable_total counter\n"
	    "saml2oidc_store_unavailable_total %" PRIu64 "\n",
	    atomic_load_explicit(&m->store_up, memory_order_relaxed),
	    get(&m->store_unavailable));
	rc |= s2o_buf_printf(&b, err,
	    "# HELP saml2oidc_http_requests_in_flight Requests begun and not "
	    "yet completed.\n"
	    "# TYPE saml2oidc_http_requests_in_flight gauge\n"
	    "saml2oidc_http_requests_in_flight %u\n"
	    "# HELP saml2oidc_config_generation The configuration being served:"
	    " 1 at start, one more per successful reload.\n"
	    "# TYPE saml2oidc_config_generation gauge\n"
	    "saml2oidc_config_generation %lu\n"
	    "# HELP saml2oidc_config_reloads_total Configuration reloads "
	    "(SIGHUP), by result.\n"
	    "# TYPE saml2oidc_config_reloads_total counter\n"
	    "saml2oidc_config_reloads_total{result=\"ok\"} %" PRIu64 "\n"
	    "saml2oidc_config_reloads_total{result=\"failed\"} %" PRIu64 "\n",
	    inflight, generation, get(&m->reloads_ok),
	    get(&m->reloads_failed));
	if (rc != 0) {
		s2o_buf_cleanup(&b);
		return NULL;
	}
	return s2o_buf_take(&b, len);
}
