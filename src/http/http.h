/* SPDX-License-Identifier: MIT */
/*
 * http/: the bridge's HTTP server on libmicrohttpd: listening, limits,
 * routing, the headers every page carries, request ids, per-request logs,
 * metrics, form and query parsing, and swapping in a reloaded
 * configuration. Endpoint logic lives in oidc/ (request in, response out);
 * this folder turns the wire into those structs and back. Signals belong
 * to the caller (cli/): it decides when to reload and when to stop.
 * libmicrohttpd types never appear in this header.
 */
#ifndef S2O_HTTP_H
#define S2O_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "oidc/oidc.h"
#include "policy/policy.h"

/* ---- limits --------------------------------------------------------------
 * Everything a client sends is bounded. Each limit is a ceiling on what a
 * legitimate client needs, with room to spare; a request past one is
 * refused (413 for bodies, MHD's own 431 for headers) before anything is
 * buffered.
 */
/* Per-connection memory for the request line, the headers and the read
 * buffer (MHD_OPTION_CONNECTION_MEMORY_LIMIT): a long /authorize query
 * fits, a header flood does not. */
#define S2O_HTTP_MAX_HEADER_MEMORY	32768	/* bytes */
/* A request body, by default: token and authorize forms are small. */
#define S2O_HTTP_MAX_BODY		65536	/* bytes */
/* The body of POST /saml/acs: SAMLResponse is base64 of at most
 * S2O_SAML_MAX_RESPONSE (4/3 of 1 MiB) plus RelayState and encoding. */
#define S2O_HTTP_MAX_BODY_ACS		1572864	/* bytes, 1.5 MiB */
/* Once a body without Content-Length passes its limit, the rest is read
 * and dropped (so the client can read the 413) up to this many bytes;
 * past them the connection is closed. */
#define S2O_HTTP_MAX_DISCARD		1048576	/* bytes */
/* Simultaneous connections (MHD_OPTION_CONNECTION_LIMIT); more are
 * refused at accept. */
#define S2O_HTTP_MAX_CONNECTIONS	1024	/* connections */
/* A connection idle this long is closed (MHD_OPTION_CONNECTION_TIMEOUT):
 * bounds slow clients and idle keep-alive. */
#define S2O_HTTP_CONNECTION_TIMEOUT	30	/* seconds */
/* listen(2) backlog. */
#define S2O_HTTP_LISTEN_BACKLOG		128	/* connections */
/* Worker threads: one per online CPU, at most this many. */
#define S2O_HTTP_MAX_THREADS		16	/* threads */
/* On shutdown, in-flight requests get this long to finish. */
#define S2O_HTTP_DRAIN_TIMEOUT		10000	/* milliseconds */
/* Form and query parameters per request. */
#define S2O_HTTP_MAX_FIELDS		64	/* parameters */
/* One parameter's name, decoded. */
#define S2O_HTTP_MAX_FIELD_NAME		128	/* bytes */
/* One parameter's value, decoded (SAMLResponse has its own limit). */
#define S2O_HTTP_MAX_FIELD		16384	/* bytes */
/* The request id: 8 random bytes in hex. */
#define S2O_HTTP_REQUEST_ID_LEN		16	/* hex digits */

/* ---- server.c --------------------------------------------------------- */

struct s2o_http_server;

/*
 * Loads the configuration at config_path with its signing keys, checks it
 * can be served (oidc/: an https or loopback issuer) and binds its listen
 * address, but does not serve yet. Problems in the file are logged, one
 * line each. Caller frees with s2o_http_server_free(). NULL with the
 * reason of the first problem: S2O_R_CONFIG_INVALID, S2O_R_IO,
 * S2O_R_KEY_UNUSABLE, S2O_R_TOO_LARGE (configuration), S2O_R_IO naming
 * the address (cannot bind), S2O_R_INTERNAL.
 */
struct s2o_http_server *s2o_http_server_new(const char *config_path,
		    struct s2o_err *err);
/*
 * Starts serving on worker threads (one per CPU, S2O_HTTP_MAX_THREADS at
 * most). The caller's thread is free for signals. Returns 0, or -1 with
 * S2O_R_INTERNAL when libmicrohttpd cannot start.
 */
int		 s2o_http_server_start(struct s2o_http_server *srv,
		    struct s2o_err *err);
/* The bound address ("127.0.0.1:8080", "[::1]:8080"). Borrowed. */
const char	*s2o_http_server_address(const struct s2o_http_server *srv);
/*
 * Loads the configuration file again and, if all of it loads and can be
 * served, makes it the one new requests see; requests already running
 * finish with the one they started with. Otherwise logs why and keeps
 * serving the old one. The listen address is bound once: a change is
 * logged and applies at the next start. Returns 0 when swapped, -1 with
 * err set (the reasons of s2o_http_server_new()) when kept.
 */
int		 s2o_http_server_reload(struct s2o_http_server *srv,
		    struct s2o_err *err);
/* The generation being served: 1 at start, one more per reload. */
unsigned long	 s2o_http_server_generation(const struct s2o_http_server *srv);
/*
 * Graceful stop: stops accepting, marks /readyz unready, lets in-flight
 * requests finish (at most drain_ms milliseconds; responses then carry
 * "Connection: close"), then stops the threads. Idempotent.
 */
void		 s2o_http_server_shutdown(struct s2o_http_server *srv,
		    unsigned int drain_ms);
/* Shuts down if needed and frees everything. Accepts NULL. */
void		 s2o_http_server_free(struct s2o_http_server *srv);

/* ---- form.c ------------------------------------------------------------ */

/*
 * Decoded request parameters (application/x-www-form-urlencoded bodies
 * and URL queries), bounded in count, name and value size. A body is
 * split here as it streams in and libmicrohttpd decodes the escapes; a
 * query is split and decoded by libmicrohttpd. A parameter given twice is
 * refused: RFC 6749 §3.1 forbids repeating one, and silently taking the
 * first or the last opens parameter-pollution tricks. Caller-allocated:
 * s2o_http_form_init / s2o_http_form_cleanup. Values are wiped when freed
 * (they may hold codes and secrets).
 */
struct s2o_http_form {
	struct s2o_oidc_param	*v;		/* names and values owned */
	size_t			 n, cap;
	size_t			 max_fields;	/* parameters */
	size_t			 max_value;	/* bytes, one decoded value */
	/* the body being split (s2o_http_form_feed) */
	char			*raw;		/* the value, escapes undecoded */
	size_t			 rlen, rcap;	/* bytes in raw, allocated */
	char			 name[3 * S2O_HTTP_MAX_FIELD_NAME + 1];
	size_t			 nlen;		/* bytes in name */
	size_t			 dlen;		/* the name or value, decoded */
	int			 state;		/* form.c's FORM_* */
	int			 esc;		/* hex digits still due */
};

void		 s2o_http_form_init(struct s2o_http_form *f, size_t max_fields,
		    size_t max_value);
/* Frees and wipes everything; f may be initialised again. Idempotent. */
void		 s2o_http_form_cleanup(struct s2o_http_form *f);
/*
 * Adds one whole decoded parameter (value may be NULL for a bare name,
 * stored as ""). Returns 0, or -1 with S2O_R_MALFORMED (repeated name,
 * empty name), S2O_R_TOO_LARGE (too many parameters, name or value too
 * long; the detail names the limit) or S2O_R_INTERNAL.
 */
int		 s2o_http_form_add(struct s2o_http_form *f, const char *name,
		    const char *value, size_t len, struct s2o_err *err);
/*
 * Feeds the next size bytes of an application/x-www-form-urlencoded body
 * (the body may arrive in pieces of any size; a name, a value or an
 * escape may straddle two of them), then s2o_http_form_finish() at its
 * end. "a=1&b=x+y%2F" is a="1", b="x y/". A name without '=' is a
 * parameter with an empty value; empty segments ("a=1&&b=2", a leading or
 * trailing '&') are skipped; line breaks after the last parameter are
 * ignored. Limits are checked as the bytes arrive; a value is counted
 * decoded. Returns 0, or -1 with, besides the reasons of
 * s2o_http_form_add(), S2O_R_MALFORMED for a '%' not followed by two hex
 * digits, a raw '=' in a value, a NUL byte (raw or %00), or anything but
 * line breaks after a line break. The first refusal ends the body: later
 * calls return -1.
 */
int		 s2o_http_form_feed(struct s2o_http_form *f, const char *data,
		    size_t size, struct s2o_err *err);
/* Ends the body fed to s2o_http_form_feed(): completes its last
 * parameter. Returns 0, or -1 with the reasons of s2o_http_form_feed().
 * Idempotent; a form never fed has no parameters from a body. */
int		 s2o_http_form_finish(struct s2o_http_form *f,
		    struct s2o_err *err);
/* The value of name, or NULL when absent. Borrowed from f. */
const char	*s2o_http_form_get(const struct s2o_http_form *f,
		    const char *name);

/* ---- client.c ---------------------------------------------------------- */

/* bytes of an address as text, with its NUL (INET6_ADDRSTRLEN) */
#define S2O_HTTP_MAX_ADDR		46
/* bytes of all X-Forwarded-For headers of a request, joined; past it
 * they are ignored and the peer is the client */
#define S2O_HTTP_MAX_XFF		2048

/*
 * The client's address (docs/serve.md, "Behind a reverse proxy"). peer is
 * the connection's peer address; xff the X-Forwarded-For headers joined
 * with commas, or NULL. When trusted (the configuration's trusted_proxies)
 * holds peer, the address is the right-most entry of xff that trusted does
 * not hold (the left-most when all are trusted; the walk stops before an
 * entry that is not a bare address); otherwise it is peer. Writes it to
 * out (size bytes) and returns true when peer is a trusted proxy (then,
 * and only then, X-Forwarded-Proto and X-Forwarded-Host are believed).
 */
bool		 s2o_http_client_address(const struct s2o_policy_ipset *trusted,
		    const char *peer, const char *xff, char *out, size_t size);
/*
 * The right-most comma-separated element of an X-Forwarded-Proto or
 * X-Forwarded-Host value (the one the nearest proxy wrote), trimmed,
 * into out; NULL when value is NULL, the element is empty, too long or
 * holds a character outside letters, digits and ".-:[]".
 */
const char	*s2o_http_forwarded_last(const char *value, char *out,
		    size_t size);

/* ---- request.c -------------------------------------------------------- */

/* Writes a fresh random request id (S2O_HTTP_REQUEST_ID_LEN hex digits
 * and a NUL) into out. Never fails: without randomness it falls back to a
 * process-unique counter. */
void		 s2o_http_request_id(char out[S2O_HTTP_REQUEST_ID_LEN + 1]);

#endif
