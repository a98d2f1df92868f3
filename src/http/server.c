/* SPDX-License-Identifier: MIT */
/*
 * The server's life: binding the listen address, starting libmicrohttpd,
 * swapping in a reloaded configuration, and stopping gracefully.
 *
 * Threading. libmicrohttpd runs a pool of worker threads, one per online
 * CPU (S2O_HTTP_MAX_THREADS at most), each with its own epoll set and
 * connections. The work per request is CPU-bound and short (a signature
 * or a verification, well under a millisecond) and never waits on a file,
 * so one thread per core keeps every core busy without the context
 * switches and per-connection stacks of thread-per-connection, and a
 * slow client only costs a socket in an epoll set. On the 2-core target
 * this is two workers; a single polling thread would leave a core idle
 * while it signs. A Redis store adds a network round trip (tens of
 * microseconds on a local network) per state operation, bounded by its
 * timeout; one shared connection serializes them (store/redis.c).
 *
 * The caller's thread is left free: cli/ waits for signals there and
 * calls reload or shutdown. Every signal is blocked before the workers
 * start, so they inherit the mask and never run a handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_int.h"

/* libmicrohttpd's messages (bad requests, resource limits) at debug
 * level: a scanner should not flood the log; our own line per request
 * says what was answered. */
static void S2O_PRINTF(2, 0)
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	msg[512];
	size_t	n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	s2o_log(S2O_LOG_DEBUG, "http", "libmicrohttpd: %s", msg);
}

/* Splits "host:port" / "[v6]:port" into host and port. */
static int
split_listen(const char *spec, char *host, size_t hsize, char *port,
    size_t psize, struct s2o_err *err)
{
	const char	*colon = strrchr(spec, ':');
	const char	*h = spec;
	size_t		 hlen;

	if (colon == NULL || colon == spec || colon[1] == '\0')
		return s2o_err_set(err, S2O_R_CONFIG_INVALID, "listen \"%s\": "
		    "expected host:port", spec);
	hlen = (size_t)(colon - spec);
	if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen >= hsize || strlen(colon + 1) >= psize)
		return s2o_err_set(err, S2O_R_CONFIG_INVALID, "listen \"%s\": "
		    "too long", spec);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	s2o_strlcpy(port, colon + 1, psize);
	return 0;
}

static int
bind_listen(struct s2o_http_server *srv, struct s2o_err *err)
{
	struct addrinfo		 hints, *res = NULL, *ai;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	char			 host[256], port[16], nhost[NI_MAXHOST];
	char			 nport[NI_MAXSERV];
	int			 fd = -1, one = 1, gai, saved = 0;

	if (split_listen(srv->listen_spec, host, sizeof(host), port,
	    sizeof(port), err) == -1)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0)
		return s2o_err_set(err, S2O_R_IO, "listen \"%s\": %s",
		    srv->listen_spec, gai_strerror(gai));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		/* a restart may rebind while old connections sit in
		 * TIME_WAIT; v6 sockets take only v6, as written */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, S2O_HTTP_LISTEN_BACKLOG) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return s2o_err_set(err, S2O_R_IO, "listen \"%s\": %s",
		    srv->listen_spec, strerror(saved));
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sslen, nhost, sizeof(nhost),
	    nport, sizeof(nport), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(srv->address, sizeof(srv->address),
		    ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", nhost,
		    nport);
	else
		s2o_strlcpy(srv->address, srv->listen_spec,
		    sizeof(srv->address));
	srv->listen_fd = fd;
	srv->listen_family = ss.ss_family;
	return 0;
}

struct s2o_http_server *
s2o_http_server_new(const char *config_path, struct s2o_err *err)
{
	struct s2o_http_server	*srv;
	struct s2o_err		 e;
	long			 ncpu;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	pthread_mutex_init(&srv->gen_lock, NULL);
	http_metrics_init(&srv->metrics);
	http_refresher_init(&srv->refresher);
	atomic_init(&srv->draining, false);
	atomic_init(&srv->inflight, 0);
	atomic_init(&srv->generation, 0);
	srv->listen_fd = -1;
	s2o_clock_init_system(&srv->clock);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	srv->nthreads = ncpu < 1 ? 1 : ncpu > S2O_HTTP_MAX_THREADS ?
	    S2O_HTTP_MAX_THREADS : (unsigned int)ncpu;
	if ((srv->config_path = s2o_strdup(config_path, err)) == NULL ||
	    (srv->gen = http_gen_load(config_path, 1, err)) == NULL ||
	    (srv->store = s2o_store_new(&srv->gen->cfg->store, &srv->clock,
	    err)) == NULL ||
	    (srv->store_shown = s2o_strdup(srv->gen->cfg->store.shown ?
	    srv->gen->cfg->store.shown : "memory", err)) == NULL ||
	    (srv->listen_spec = s2o_strdup(srv->gen->cfg->listen, err)) ==
	    NULL || bind_listen(srv, err) == -1) {
		s2o_http_server_free(srv);
		return NULL;
	}
	atomic_store(&srv->generation, 1);
	/* a shared store that is down does not stop the start: /readyz says
	 * so, requests that need state fail closed, and it reconnects */
	s2o_err_clear(&e);
	if (s2o_store_ping(srv->store, &e) == -1)
		s2o_log_err(S2O_LOG_WARN, "store", &e);
	else
		s2o_log(S2O_LOG_INFO, "store", "%s", srv->store_shown);
	return srv;
}

int
s2o_http_server_start(struct s2o_http_server *srv, struct s2o_err *err)
{
	unsigned int	flags;

	flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
	    MHD_USE_ITC;	/* ITC: MHD_quiesce_daemon needs it */
	if (srv->listen_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL,
	    http_on_request, srv,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, srv->nthreads,
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)S2O_HTTP_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)S2O_HTTP_CONNECTION_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)S2O_HTTP_MAX_HEADER_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
	    /* refuse what RFC 9112 forbids (request smuggling lives in the
	     * gaps between a proxy's parser and ours) */
	    MHD_OPTION_STRICT_FOR_CLIENT, 1,
	    MHD_OPTION_END);
	/* the listen socket is libmicrohttpd's from here until quiesced;
	 * after a failed start it may have closed it, so never close it
	 * twice (the process exits anyway) */
	srv->listen_fd = -1;
	if (srv->daemon == NULL)
		return s2o_err_set(err, S2O_R_INTERNAL, "libmicrohttpd did not "
		    "start on %s", srv->address);
	return http_refresher_start(srv, err);
}

const char *
s2o_http_server_address(const struct s2o_http_server *srv)
{
	return srv->address;
}

unsigned long
s2o_http_server_generation(const struct s2o_http_server *srv)
{
	return atomic_load(&srv->generation);
}

int
s2o_http_server_reload(struct s2o_http_server *srv, struct s2o_err *err)
{
	struct http_gen	*g, *old;
	unsigned long	 cur = atomic_load(&srv->generation);

	if ((g = http_gen_load(srv->config_path, cur + 1, err)) == NULL) {
		atomic_fetch_add(&srv->metrics.reloads_failed, 1);
		s2o_log_err(S2O_LOG_ERROR, "reload", err);
		s2o_log(S2O_LOG_WARN, "reload", "%s: not reloaded; generation "
		    "%lu keeps serving", srv->config_path, cur);
		return -1;
	}
	if (strcmp(g->cfg->listen, srv->listen_spec) != 0)
		s2o_log(S2O_LOG_WARN, "reload", "listen changed from \"%s\" to "
		    "\"%s\": it applies at the next start", srv->listen_spec,
		    g->cfg->listen);
	if (g->cfg->store.shown != NULL &&
	    strcmp(g->cfg->store.shown, srv->store_shown) != 0)
		s2o_log(S2O_LOG_WARN, "reload", "store changed from %s to %s: "
		    "it applies at the next start", srv->store_shown,
		    g->cfg->store.shown);
	pthread_mutex_lock(&srv->gen_lock);
	old = srv->gen;
	srv->gen = g;
	atomic_store(&srv->generation, g->number);
	pthread_mutex_unlock(&srv->gen_lock);
	/* requests still running on the old one hold their own reference */
	http_gen_release(old);
	atomic_fetch_add(&srv->metrics.reloads_ok, 1);
	s2o_log(S2O_LOG_INFO, "reload", "%s: generation %lu serving",
	    srv->config_path, g->number);
	return 0;
}

void
s2o_http_server_shutdown(struct s2o_http_server *srv, unsigned int drain_ms)
{
	struct timespec	tick = { 0, 5000000 };	/* 5 ms */
	MHD_socket	fd;
	unsigned int	waited = 0;

	http_refresher_stop(srv);
	if (srv->daemon == NULL)
		return;
	atomic_store(&srv->draining, true);
	/* stop accepting; connections already open go on */
	fd = MHD_quiesce_daemon(srv->daemon);
	/* refuse new connections now rather than leave them in the backlog
	 * until the stop (a balancer retries elsewhere at once); the socket
	 * stays open, as MHD asks, until MHD_stop_daemon() has returned */
	if (fd != MHD_INVALID_SOCKET)
		shutdown(fd, SHUT_RDWR);
	while (atomic_load(&srv->inflight) > 0 && waited < drain_ms) {
		nanosleep(&tick, NULL);
		waited += 5;
	}
	if (atomic_load(&srv->inflight) > 0)
		s2o_log(S2O_LOG_WARN, "shutdown", "%u requests still running "
		    "after %u ms: closing them", atomic_load(&srv->inflight),
		    drain_ms);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	/* a quiesced socket is ours to close, after the stop */
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

void
s2o_http_server_free(struct s2o_http_server *srv)
{
	if (srv == NULL)
		return;
	s2o_http_server_shutdown(srv, S2O_HTTP_DRAIN_TIMEOUT);
	if (srv->listen_fd != -1)
		close(srv->listen_fd);
	http_gen_release(srv->gen);
	http_refresher_cleanup(&srv->refresher);
	pthread_mutex_destroy(&srv->gen_lock);
	s2o_store_free(srv->store);
	http_metrics_cleanup(&srv->metrics);
	free(srv->store_shown);
	free(srv->listen_spec);
	free(srv->config_path);
	free(srv);
}
