/* SPDX-License-Identifier: MIT */
/*
 * The metadata refresher of `serve` (docs/metadata.md): one thread that
 * keeps each connection's IdP metadata fresh in the generation being
 * served. A connection is refreshed on its interval (refresh_interval,
 * shortened by the metadata's cacheDuration), soon after a failure, and
 * when a Response signed by an unknown key asked for it (oidc/acs.c, rate
 * limited there). saml/ fetches, verifies and writes the backing copy;
 * the new trust is swapped into the provider (oidc/provider.c) while
 * workers serve. A failure changes nothing but the log and the counters:
 * the last good trust stays. Also renders the metadata and certificate
 * lines of /metrics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

#define TICK	1	/* seconds between looks at the schedule */
#define DAY	86400	/* seconds */

static struct http_gen *
gen_take(struct s2o_http_server *srv)
{
	struct http_gen	*g;

	pthread_mutex_lock(&srv->gen_lock);
	g = srv->gen;
	atomic_fetch_add(&g->refs, 1);
	pthread_mutex_unlock(&srv->gen_lock);
	return g;
}

/* Seconds until the next refresh of conn after one that gave t. */
static long
interval(const struct s2o_connection *conn, const struct s2o_saml_trust *t,
    time_t now)
{
	long	i = conn->metadata.refresh_interval;
	long	cd = t != NULL ? s2o_saml_trust_cache_duration(t) : 0;
	time_t	vu = t != NULL ? s2o_saml_trust_valid_until(t) : 0;

	/* the IdP's cacheDuration may shorten it, never below a floor */
	if (cd > 0 && cd < i)
		i = cd < S2O_METADATA_CACHE_MIN ? S2O_METADATA_CACHE_MIN : cd;
	/* well before validUntil, when the metadata stops being usable:
	 * halfway there, so a failure leaves time to retry */
	if (vu > now && (vu - now) / 2 < i)
		i = (vu - now) / 2 < S2O_METADATA_CACHE_MIN ?
		    S2O_METADATA_CACHE_MIN : (long)((vu - now) / 2);
	return i;
}

/* The schedule for a new generation; counters carry over by name. */
static int
reschedule(struct http_refresher *rf, struct http_gen *g, time_t now)
{
	const struct s2o_config	*cfg = g->cfg;
	struct http_md_conn	*v;
	size_t			 i, j, n = 0;

	if ((v = calloc(cfg->nconnections + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < cfg->nconnections; i++) {
		const struct s2o_connection *c = &cfg->connections[i];

		if (!c->metadata.present)
			continue;
		s2o_strlcpy(v[n].name, c->name, sizeof(v[n].name));
		v[n].conn = i;
		/* a URL's copy may be old (read from disk at start): fetch
		 * once now; a file was just read */
		v[n].next = c->metadata.url != NULL ? now : now +
		    interval(c, NULL, now);
		for (j = 0; j < rf->n; j++)
			if (strcmp(rf->v[j].name, v[n].name) == 0) {
				v[n].ok = rf->v[j].ok;
				v[n].failed = rf->v[j].failed;
				v[n].last_ok = rf->v[j].last_ok;
			}
		n++;
	}
	pthread_mutex_lock(&rf->lock);
	free(rf->v);
	rf->v = v;
	rf->n = n;
	rf->gen_number = g->number;
	pthread_mutex_unlock(&rf->lock);
	return 0;
}

static void
refresh_one(struct s2o_http_server *srv, struct http_gen *g,
    struct http_md_conn *e, bool kicked, time_t now)
{
	const struct s2o_connection	*conn = &g->cfg->connections[e->conn];
	struct s2o_saml_trust		*t, *old;
	struct s2o_err			 err;
	long				 iv;

	s2o_err_clear(&err);
	old = s2o_oidc_provider_trust(g->op, conn);
	iv = interval(conn, old, now);
	t = s2o_saml_metadata_refresh(&g->cfg->sp, conn, &srv->clock,
	    &srv->refresher.cancel, &err);
	pthread_mutex_lock(&srv->refresher.lock);
	if (t == NULL) {
		e->failed++;
		/* soon again, but never in a loop */
		e->next = now + (iv < S2O_METADATA_RETRY ? iv :
		    S2O_METADATA_RETRY);
	} else {
		e->ok++;
		e->last_ok = now;
		e->next = now + interval(conn, t, now);
	}
	pthread_mutex_unlock(&srv->refresher.lock);
	if (t == NULL && atomic_load(&srv->refresher.cancel)) {
		s2o_saml_trust_free(old);	/* stopping: not a failure */
		return;
	}
	if (t == NULL) {
		s2o_log(S2O_LOG_ERROR, "metadata", "connection \"%s\": refresh "
		    "failed%s: %s: %s; the last good metadata (%zu signing "
		    "certificate%s) stays in use", conn->name, kicked ?
		    " (asked by an unknown signing key)" : "",
		    s2o_reason_token(err.reason), err.detail,
		    s2o_saml_trust_count(old), s2o_saml_trust_count(old) == 1 ?
		    "" : "s");
		s2o_saml_trust_free(old);
		return;
	}
	if (s2o_saml_trust_same_keys(old, t))
		s2o_log(S2O_LOG_DEBUG, "metadata", "connection \"%s\": "
		    "metadata refreshed, signing certificates unchanged",
		    conn->name);
	else
		s2o_log(S2O_LOG_INFO, "metadata", "connection \"%s\": new "
		    "metadata: %zu signing certificate%s (was %zu)", conn->name,
		    s2o_saml_trust_count(t), s2o_saml_trust_count(t) == 1 ? "" :
		    "s", s2o_saml_trust_count(old));
	s2o_saml_trust_free(old);
	/* even when the keys are the same: validUntil moved on */
	s2o_oidc_provider_swap_trust(g->op, conn, t);
}

static void *
run(void *arg)
{
	struct s2o_http_server	*srv = arg;
	struct http_refresher	*rf = &srv->refresher;
	struct http_gen		*g;
	struct timespec		 ts;
	time_t			 now;
	size_t			 i, n;
	bool			 kicked;

	pthread_mutex_lock(&rf->lock);
	while (!rf->stop) {
		pthread_mutex_unlock(&rf->lock);
		g = gen_take(srv);
		now = s2o_clock_now(&srv->clock);
		if (g->number != rf->gen_number && reschedule(rf, g, now) ==
		    -1)
			s2o_log(S2O_LOG_ERROR, "metadata", "out of memory");
		for (i = 0, n = rf->n; i < n && !atomic_load(&srv->draining);
		    i++) {
			const struct s2o_connection *c =
			    &g->cfg->connections[rf->v[i].conn];

			kicked = s2o_oidc_provider_take_kick(g->op, c);
			if (kicked || now >= rf->v[i].next)
				refresh_one(srv, g, &rf->v[i], kicked, now);
		}
		http_gen_release(g);
		pthread_mutex_lock(&rf->lock);
		if (rf->stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += TICK;
		while (!rf->stop && pthread_cond_timedwait(&rf->cond, &rf->lock,
		    &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&rf->lock);
	return NULL;
}

void
http_refresher_init(struct http_refresher *rf)
{
	memset(rf, 0, sizeof(*rf));
	atomic_init(&rf->cancel, false);
	pthread_mutex_init(&rf->lock, NULL);
	pthread_cond_init(&rf->cond, NULL);
}

int
http_refresher_start(struct s2o_http_server *srv, struct s2o_err *err)
{
	struct http_refresher	*rf = &srv->refresher;
	int			 e;

	if ((e = pthread_create(&rf->thread, NULL, run, srv)) != 0)
		return s2o_err_set(err, S2O_R_INTERNAL, "cannot start the "
		    "metadata refresher: %s", strerror(e));
	rf->running = true;
	return 0;
}

void
http_refresher_stop(struct s2o_http_server *srv)
{
	struct http_refresher	*rf = &srv->refresher;

	if (!rf->running)
		return;
	pthread_mutex_lock(&rf->lock);
	rf->stop = true;
	atomic_store(&rf->cancel, true);
	pthread_cond_signal(&rf->cond);
	pthread_mutex_unlock(&rf->lock);
	/* a fetch under way sees cancel within about a second */
	pthread_join(rf->thread, NULL);
	rf->running = false;
}

void
http_refresher_cleanup(struct http_refresher *rf)
{
	free(rf->v);
	rf->v = NULL;
	rf->n = 0;
	pthread_mutex_destroy(&rf->lock);
	pthread_cond_destroy(&rf->cond);
}

/* ---- /metrics --------------------------------------------------------- */

static int
cert_line(struct s2o_buf *b, const char *labels, time_t na, time_t now,
    unsigned int *soon, struct s2o_err *err)
{
	if (na - now < (time_t)S2O_CERT_EXPIRY_WARN_DAYS * DAY)
		(*soon)++;
	return s2o_buf_printf(b, err,
	    "saml2oidc_certificate_not_after_seconds{%s} %lld\n", labels,
	    (long long)na);
}

char *
http_md_metrics(struct s2o_http_server *srv, struct http_gen *g,
    size_t *len, struct s2o_err *err)
{
	const struct s2o_config	*cfg = g->cfg;
	struct http_refresher	*rf = &srv->refresher;
	struct s2o_saml_trust	*t;
	struct s2o_buf		 b;
	const char		*fp;
	char			 labels[256];
	time_t			 now = s2o_clock_now(&srv->clock), na;
	unsigned int		 soon = 0;
	size_t			 i, j;
	int			 rc = 0;

	s2o_buf_init(&b, 1u << 20);
	rc |= s2o_buf_adds(&b,
	    "# HELP saml2oidc_metadata_refresh_total IdP metadata refreshes, "
	    "by connection and result.\n"
	    "# TYPE saml2oidc_metadata_refresh_total counter\n", err);
	pthread_mutex_lock(&rf->lock);
	for (i = 0; i < rf->n; i++)
		rc |= s2o_buf_printf(&b, err,
		    "saml2oidc_metadata_refresh_total{connection=\"%s\","
		    "result=\"ok\"} %" PRIu64 "\n"
		    "saml2oidc_metadata_refresh_total{connection=\"%s\","
		    "result=\"failed\"} %" PRIu64 "\n", rf->v[i].name,
		    rf->v[i].ok, rf->v[i].name, rf->v[i].failed);
	pthread_mutex_unlock(&rf->lock);
	rc |= s2o_buf_adds(&b,
	    "# HELP saml2oidc_certificate_not_after_seconds The notAfter of "
	    "each certificate in use (the SP's, each connection's IdP "
	    "signing certificates).\n"
	    "# TYPE saml2oidc_certificate_not_after_seconds gauge\n", err);
	if (s2o_pem_not_after(&cfg->sp.signing_certificate, &na) == 0)
		rc |= cert_line(&b, "owner=\"sp\",use=\"signing\"", na, now,
		    &soon, err);
	if (s2o_pem_not_after(&cfg->sp.decryption_certificate, &na) == 0)
		rc |= cert_line(&b, "owner=\"sp\",use=\"encryption\"", na, now,
		    &soon, err);
	for (i = 0; i < cfg->nconnections; i++) {
		/* the trust in use: what the last refresh brought */
		t = s2o_oidc_provider_trust(g->op, &cfg->connections[i]);
		for (j = 0; j < s2o_saml_trust_count(t); j++) {
			na = s2o_saml_trust_not_after(t, j, &fp);
			snprintf(labels, sizeof(labels), "owner=\"connection\","
			    "connection=\"%s\",sha256=\"%s\"",
			    cfg->connections[i].name, fp);
			rc |= cert_line(&b, labels, na, now, &soon, err);
		}
		s2o_saml_trust_free(t);
	}
	rc |= s2o_buf_printf(&b, err,
	    "# HELP saml2oidc_certificates_expiring Certificates in use whose "
	    "notAfter is less than %d days away or past.\n"
	    "# TYPE saml2oidc_certificates_expiring gauge\n"
	    "saml2oidc_certificates_expiring %u\n", S2O_CERT_EXPIRY_WARN_DAYS,
	    soon);
	if (rc != 0) {
		s2o_buf_cleanup(&b);
		return NULL;
	}
	return s2o_buf_take(&b, len);
}
