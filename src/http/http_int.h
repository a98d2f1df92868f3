/* SPDX-License-Identifier: MIT */
/*
 * Private to http/: the server, the configuration generations it swaps,
 * one request's state, the route table, metrics and the libmicrohttpd
 * glue of form parsing. libmicrohttpd types stay in this header and the
 * .c files of this folder.
 */
#ifndef S2O_HTTP_INT_H
#define S2O_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <microhttpd.h>

#include "config/config.h"
#include "http/http.h"
#include "oidc/oidc.h"
#include "policy/policy.h"
#include "saml/saml.h"
#include "token/token.h"

/* ---- gen.c: configuration generations ----------------------------------
 *
 * Everything one configuration file makes (the configuration, its keyset,
 * the provider built on both) lives in one refcounted generation. The
 * server points at the current one; each request takes a reference when
 * it starts and drops it when it completes, so a reload never changes the
 * configuration under a running request, and the old generation is freed
 * by whichever of the reload or the last request using it lets go last.
 *
 * The pointer is read and swapped under a mutex, and the count is atomic.
 * Atomics alone would not do: between loading the pointer and raising its
 * count, a reload could drop the last reference and free it (the problem
 * hazard pointers or RCU solve). The critical section is two
 * instructions long and taken once per request, so it costs nothing
 * measurable next to parsing the request.
 */
struct http_gen {
	atomic_uint		 refs;
	unsigned long		 number;	/* 1, 2, ... */
	struct s2o_config	*cfg;
	struct s2o_keyset	*ks;		/* borrows cfg (amr rules) */
	struct s2o_oidc_provider *op;		/* borrows cfg and ks */
	struct s2o_saml_sp_keys	*spk;		/* the SP's signing key */
	char			*sp_metadata;	/* GET /saml/metadata */
	size_t			 sp_metadata_len;
	struct s2o_policy_ipset	*trusted;	/* trusted_proxies, or NULL */
};

/* Loads path into a new generation with one reference. Logs each problem
 * in the file. NULL with err set. */
struct http_gen	*http_gen_load(const char *path, unsigned long number,
		    struct s2o_err *err);
/* Drops one reference; frees at zero. Accepts NULL. */
void		 http_gen_release(struct http_gen *g);

/* ---- metrics.c ---------------------------------------------------------- */

enum http_route_id {
	HTTP_ROUTE_NONE = 0,		/* no route: 404 */
	HTTP_ROUTE_DISCOVERY,
	HTTP_ROUTE_JWKS,
	HTTP_ROUTE_HEALTHZ,
	HTTP_ROUTE_READYZ,
	HTTP_ROUTE_METRICS,
	HTTP_ROUTE_SAML_METADATA,
	HTTP_ROUTE_AUTHORIZE,
	HTTP_ROUTE_ACS,
	HTTP_ROUTE_TOKEN,
	HTTP_ROUTE_USERINFO,
	HTTP_ROUTE__MAX
};

#define HTTP_STATUS_MIN		100
#define HTTP_STATUS_MAX		599
#define HTTP_NSTATUS		(HTTP_STATUS_MAX - HTTP_STATUS_MIN + 1)
#define HTTP_NBUCKETS		14	/* finite histogram buckets */

/*
 * Counters updated by every worker thread without a lock (relaxed atomic
 * adds: each counter is independent, and a scrape that sees one request
 * in the counter but not yet in the histogram is within Prometheus's
 * tolerance). Indexed by route and status, so no label is ever built from
 * client input.
 */
/* labels.c: counters labelled with configured names. */
enum http_series {
	HTTP_SERIES_REJECTIONS,		/* a: reason token, b: connection */
	HTTP_SERIES_TOKENS		/* a: client_id */
};
#define HTTP_MAX_SERIES		1024	/* labelled series, all kinds */

struct http_lcount {
	enum http_series	 kind;
	char			*a, *b;
	uint64_t		 n;
};

struct http_labelled {
	pthread_mutex_t		 lock;
	struct http_lcount	*v;
	size_t			 n, cap;
};

void		 http_labelled_init(struct http_labelled *t);
void		 http_labelled_cleanup(struct http_labelled *t);
/* Counts one for (kind, a, b); b may be NULL. Never fails: without
 * memory the count is dropped. */
void		 http_labelled_add(struct http_labelled *t,
		    enum http_series kind, const char *a, const char *b);
/* Appends both families to b. -1 with err on OOM or the buffer's cap. */
int		 http_labelled_render(struct http_labelled *t,
		    struct s2o_buf *b, struct s2o_err *err);

struct http_metrics {
	atomic_uint_fast64_t	 requests[HTTP_ROUTE__MAX][HTTP_NSTATUS];
	atomic_uint_fast64_t	 buckets[HTTP_ROUTE__MAX][HTTP_NBUCKETS + 1];
	atomic_uint_fast64_t	 sum_ns[HTTP_ROUTE__MAX];
	atomic_uint_fast64_t	 reloads_ok, reloads_failed;
	atomic_uint_fast64_t	 rate_limited[HTTP_ROUTE__MAX];
	atomic_uint_fast64_t	 store_unavailable; /* requests refused */
	atomic_int		 store_up;	/* the last ping: 1 or 0 */
	struct http_labelled	 labelled;
};

void		 http_metrics_init(struct http_metrics *m);
void		 http_metrics_cleanup(struct http_metrics *m);
/* Counts one answered request. Statuses outside 100..599 are dropped. */
void		 http_metrics_observe(struct http_metrics *m,
		    enum http_route_id route, int status, uint64_t ns);
/* The Prometheus text format (0.0.4) of m, plus the generation gauge and
 * the in-flight gauge. Caller frees with free(). NULL on OOM. */
char		*http_metrics_render(const struct http_metrics *m,
		    unsigned long generation, unsigned int inflight,
		    size_t *len, struct s2o_err *err);
/* The endpoint label of a route ("/healthz"; "other" for none). */
const char	*http_route_label(enum http_route_id route);

/* ---- mdrefresh.c: the metadata refresher --------------------------------- */

/* One connection with metadata in the generation being served. */
struct http_md_conn {
	char			 name[128];	/* the connection's */
	size_t			 conn;		/* its index */
	time_t			 next;		/* next refresh */
	time_t			 last_ok;
	uint64_t		 ok, failed;	/* refreshes, for /metrics */
};

/* The thread and its schedule; lock guards stop and the counters. */
struct http_refresher {
	pthread_t		 thread;
	bool			 running;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;		/* wakes it to stop */
	bool			 stop;
	atomic_bool		 cancel;	/* ends a fetch under way */
	unsigned long		 gen_number;	/* the schedule's generation */
	struct http_md_conn	*v;
	size_t			 n;
};

struct s2o_http_server;
void		 http_refresher_init(struct http_refresher *rf);
/* Starts the thread. -1 with S2O_R_INTERNAL. */
int		 http_refresher_start(struct s2o_http_server *srv,
		    struct s2o_err *err);
/* Stops the thread (waits for a fetch under way). Idempotent. */
void		 http_refresher_stop(struct s2o_http_server *srv);
void		 http_refresher_cleanup(struct http_refresher *rf);
/* The metadata refresh counters and the certificate expiry gauges, in
 * the Prometheus text format. Caller frees with free(). NULL on OOM. */
char		*http_md_metrics(struct s2o_http_server *srv,
		    struct http_gen *g, size_t *len, struct s2o_err *err);

/* ---- server.c ------------------------------------------------------------ */

struct s2o_http_server {
	char			*config_path;
	pthread_mutex_t		 gen_lock;	/* guards gen (the pointer) */
	struct http_gen		*gen;
	atomic_ulong		 generation;	/* gen->number, for /metrics */
	int			 listen_fd;
	char			*listen_spec;	/* the config's "listen" */
	int			 listen_family;	/* AF_INET or AF_INET6 */
	char			 address[64];	/* what was bound */
	unsigned int		 nthreads;
	struct MHD_Daemon	*daemon;
	atomic_bool		 draining;
	atomic_uint		 inflight;	/* begun, not completed */
	struct http_metrics	 metrics;
	struct s2o_clock	 clock;		/* the system's */
	struct s2o_store	*store;		/* outlives generations */
	char			*store_shown;	/* its config, no password */
	struct http_refresher	 refresher;	/* IdP metadata */
};

/* ---- form.c: libmicrohttpd glue ----------------------------------------- */

/* Adds every URL query parameter of c to f (MHD has decoded them). */
int		 http_form_from_query(struct s2o_http_form *f,
		    struct MHD_Connection *c, struct s2o_err *err);

/* An application/x-www-form-urlencoded body streamed into a form
 * (s2o_http_form_feed); form is NULL when no body is being read. */
struct http_post {
	struct s2o_http_form	*form;		/* borrowed */
	struct s2o_err		*err;		/* borrowed */
};

/* Checks Content-Type and starts reading the body into f. -1 with
 * S2O_R_MALFORMED (another Content-Type). */
int		 http_post_begin(struct http_post *p, struct MHD_Connection *c,
		    struct s2o_http_form *f, struct s2o_err *err);
/* Feeds a piece of the body. -1 with p->err set. */
int		 http_post_feed(struct http_post *p, const char *data,
		    size_t size);
/* Ends the body: completes the last parameter. -1 with p->err set.
 * Safe to call on a post never begun or already ended. */
int		 http_post_end(struct http_post *p);

/* ---- route.c ------------------------------------------------------------ */

#define HTTP_M_GET	0x1u	/* GET and HEAD */
/* bytes of a connection name in /saml/acs/{connection} */
#define HTTP_MAX_CONN_NAME	64
#define HTTP_M_POST	0x2u

/* One request being served (MHD's per-request context). */
struct http_req {
	struct s2o_http_server	*srv;
	struct http_gen		*gen;		/* one reference held */
	const struct http_route	*route;		/* NULL: no such path */
	struct timespec		 start;		/* CLOCK_MONOTONIC */
	char			 id[S2O_HTTP_REQUEST_ID_LEN + 1];
	char			 method[16];	/* for the log, cut */
	char			 path[160];	/* for the log, cut, no query */
	char			 client_ip[S2O_HTTP_MAX_ADDR];	/* or "" */
	char			 acs_conn[HTTP_MAX_CONN_NAME + 1]; /* or "" */
	char			 fwd_proto[8];	/* from a trusted proxy, or "" */
	char			 fwd_host[128];	/* from a trusted proxy, or "" */
	unsigned int		 mflag;		/* HTTP_M_* of method, or 0 */
	size_t			 max_body;	/* bytes */
	uint64_t		 body_len;	/* bytes received */
	bool			 answered;
	int			 status;	/* queued status, 0 if none */
	enum s2o_reason		 reason;	/* of the answer */
	struct s2o_err		 err;		/* first problem seen */
	struct s2o_http_form	 query, form;
	struct http_post	 post;
};

/* What a route's handler sees. */
struct http_call {
	struct http_req		*r;
	const struct s2o_oidc_provider *op;	/* of r->gen */
	struct s2o_oidc_request	 req;
	struct s2o_oidc_env	 env;		/* of r->gen and the server */
};

struct http_route {
	enum http_route_id	 id;
	const char		*path;
	unsigned int		 methods;	/* HTTP_M_* */
	const char		*allow;		/* the Allow header for 405 */
	size_t			 max_body;	/* bytes */
	bool			 query;		/* parses the URL query */
	bool			 form;		/* POST body is a form */
	int			(*handle)(struct http_call *c,
				    struct s2o_oidc_response *resp,
				    struct s2o_err *err);
};

/* The route for path, or NULL. */
const struct http_route *http_route_find(const char *path);
/* The {connection} of /saml/acs/{connection} (borrowed from path), or
 * NULL for any other path or a name outside [A-Za-z0-9._-]. */
const char	*http_acs_connection(const char *path);

/* ---- reply.c ------------------------------------------------------------ */

/*
 * Queues resp on c with the headers every answer carries (security
 * headers, Cache-Control, X-Request-Id; Allow when allow is set;
 * Connection: close while draining), taking resp's body. Records status
 * and reason in r. Returns MHD's verdict.
 */
enum MHD_Result	 http_reply(struct MHD_Connection *c, struct http_req *r,
		    struct s2o_oidc_response *resp, const char *allow);
/* Queues the JSON error for err (core's reason table). */
enum MHD_Result	 http_reply_err(struct MHD_Connection *c, struct http_req *r,
		    const struct s2o_err *err);
/* Queues a JSON error that no reason describes (404, 405). */
enum MHD_Result	 http_reply_status(struct MHD_Connection *c,
		    struct http_req *r, int status, const char *error,
		    const char *description, const char *allow);

/* ---- request.c ---------------------------------------------------------- */

/* libmicrohttpd's access handler and completion callback. */
enum MHD_Result	 http_on_request(void *cls, struct MHD_Connection *c,
		    const char *url, const char *method, const char *version,
		    const char *upload_data, size_t *upload_data_size,
		    void **con_cls);
void		 http_on_completed(void *cls, struct MHD_Connection *c,
		    void **con_cls, enum MHD_RequestTerminationCode toe);

#endif
