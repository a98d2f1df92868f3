/* SPDX-License-Identifier: MIT */
/*
 * core/: what every stage shares and nothing else. The error value that
 * carries a failure from the deepest check to the CLI and HTTP layers, the
 * injectable clock, RFC 3339 time, strict base64 and base64url, bounded
 * buffers, small string helpers, JSON source positions, and logging.
 * core/ depends on libc, OpenSSL (base64, cleanse) and jansson (log lines).
 */
#ifndef S2O_CORE_H
#define S2O_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/limits.h"

#define S2O_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- err.c ------------------------------------------------------------ */

enum s2o_reason {
	S2O_R_OK = 0,
#define S2O_REASON(id, token, http_status, oauth_error) S2O_R_##id,
#include "core/reasons.def"
#undef S2O_REASON
	S2O_R__MAX
};

/*
 * One failure. The first error set wins: s2o_err_set() on an error that
 * already holds a reason does nothing, so the deepest cause reaches the top
 * unchanged. detail is one line (CR and LF are replaced), never a secret.
 */
struct s2o_err {
	enum s2o_reason	 reason;	/* S2O_R_OK while no error */
	unsigned int	 line;		/* 1-based input position, 0 if none */
	unsigned int	 column;
	char		 detail[S2O_ERR_MAX_DETAIL];
};

/* Resets err to "no error". */
void		 s2o_err_clear(struct s2o_err *err);
/* Sets reason and detail unless err already holds an error. Returns -1. */
int		 s2o_err_set(struct s2o_err *err, enum s2o_reason reason,
		    const char *fmt, ...) S2O_PRINTF(3, 4);
/* As s2o_err_set, with an input position. Returns -1. */
int		 s2o_err_set_at(struct s2o_err *err, enum s2o_reason reason,
		    unsigned int line, unsigned int column, const char *fmt, ...)
		    S2O_PRINTF(5, 6);
int		 s2o_err_vset(struct s2o_err *err, enum s2o_reason reason,
		    const char *fmt, va_list ap) S2O_PRINTF(3, 0);
/* Sets S2O_R_INTERNAL "out of memory". Returns -1. */
int		 s2o_err_oom(struct s2o_err *err);
/* True while err holds an error. */
bool		 s2o_err_is_set(const struct s2o_err *err);

/* Stable token of a reason ("signature_invalid"); "ok" for S2O_R_OK. */
const char	*s2o_reason_token(enum s2o_reason reason);
/* Reason for a token; S2O_R__MAX when unknown. */
enum s2o_reason	 s2o_reason_from_token(const char *token);
/* HTTP status and OAuth error of a reason. For http/ and oidc/ only. */
int		 s2o_reason_http_status(enum s2o_reason reason);
const char	*s2o_reason_oauth_error(enum s2o_reason reason);

/* ---- clock.c ---------------------------------------------------------- */

/*
 * The source of "now" for every time check. Library code never calls
 * time(2): it asks the clock it was given, so tests and `--now` pin it.
 */
struct s2o_clock {
	time_t		(*now)(const struct s2o_clock *);
	time_t		 fixed;		/* used by the fixed clock */
};

/* A clock that reads the system time. */
void		 s2o_clock_init_system(struct s2o_clock *clock);
/* A clock that always answers t. */
void		 s2o_clock_init_fixed(struct s2o_clock *clock, time_t t);
time_t		 s2o_clock_now(const struct s2o_clock *clock);

/* ---- time.c ----------------------------------------------------------- */

/*
 * Parses an xs:dateTime / RFC 3339 instant ("2026-11-28T12:00:00Z",
 * fractional seconds and "+01:00" offsets allowed; no offset means UTC as
 * SAML Core 1.3.3 requires). Fractions are truncated. Returns 0 or -1 with
 * S2O_R_MALFORMED naming what, a string of at most 40 bytes shown.
 */
int		 s2o_time_parse(const char *s, const char *what, time_t *out,
		    struct s2o_err *err);
/* Accepts RFC 3339 or decimal epoch seconds (the CLI's --now). */
int		 s2o_time_parse_cli(const char *s, time_t *out,
		    struct s2o_err *err);
/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
char		*s2o_time_format(time_t t, char *buf, size_t size);
#define S2O_TIME_BUFSZ 32

/* ---- buf.c ------------------------------------------------------------ */

/*
 * A growable byte buffer with a ceiling set at init (curl's dynbuf). The
 * contents are always NUL-terminated. An append past the ceiling frees the
 * contents and sets S2O_R_TOO_LARGE; running out of memory sets
 * S2O_R_INTERNAL. Caller-allocated: s2o_buf_init / s2o_buf_cleanup.
 */
struct s2o_buf {
	char		*data;
	size_t		 len;
	size_t		 cap;
	size_t		 max;		/* bytes, excluding the NUL */
};

void		 s2o_buf_init(struct s2o_buf *b, size_t max);
/* Frees the contents; b may be initialised again. Idempotent. */
void		 s2o_buf_cleanup(struct s2o_buf *b);
/* As cleanup, wiping the bytes first (secrets). */
void		 s2o_buf_cleanup_secret(struct s2o_buf *b);
int		 s2o_buf_add(struct s2o_buf *b, const void *p, size_t n,
		    struct s2o_err *err);
int		 s2o_buf_adds(struct s2o_buf *b, const char *s,
		    struct s2o_err *err);
int		 s2o_buf_printf(struct s2o_buf *b, struct s2o_err *err,
		    const char *fmt, ...) S2O_PRINTF(3, 4);
/* Hands the contents to the caller (free()), resets b; NULL if empty. */
char		*s2o_buf_take(struct s2o_buf *b, size_t *len);
/* Reads a whole file or stream into b. Sets S2O_R_IO naming path. */
int		 s2o_buf_read_file(struct s2o_buf *b, const char *path,
		    struct s2o_err *err);
int		 s2o_buf_read_stream(struct s2o_buf *b, void *stdio_file,
		    const char *name, struct s2o_err *err);

/* ---- b64.c ------------------------------------------------------------ */

/*
 * Strict base64 (RFC 4648 §4): only the alphabet, '=' padding at the end
 * to a multiple of 4, zero pad bits. ASCII white space (line wrapping, as
 * some IdPs send) is skipped. Returns a NUL-terminated buffer the caller
 * frees with free(), *outlen its length; NULL with S2O_R_MALFORMED (the
 * offending offset in detail) or S2O_R_TOO_LARGE when the decoded size
 * would pass max.
 */
unsigned char	*s2o_b64_decode(const char *in, size_t inlen, size_t max,
		    size_t *outlen, struct s2o_err *err);
/* base64url (RFC 4648 §5) without padding. Caller frees with free(). */
char		*s2o_b64url_encode(const void *in, size_t inlen,
		    struct s2o_err *err);
/* Strict base64url without padding. Caller frees with free(). */
unsigned char	*s2o_b64url_decode(const char *in, size_t inlen, size_t max,
		    size_t *outlen, struct s2o_err *err);
/* Plain base64 with padding, no line breaks. Caller frees with free(). */
char		*s2o_b64_encode(const void *in, size_t inlen,
		    struct s2o_err *err);
/* True when s (after skipping white space) uses only the base64 alphabet. */
bool		 s2o_b64_looks_like(const char *s, size_t len);

/* ---- str.c ------------------------------------------------------------ */

/* strlcpy(3): copies at most size-1 bytes, always terminates; returns
 * strlen(src). */
size_t		 s2o_strlcpy(char *dst, const char *src, size_t size);
/* strdup that reports OOM. Caller frees with free(). */
char		*s2o_strdup(const char *s, struct s2o_err *err);
char		*s2o_strndup(const char *s, size_t n, struct s2o_err *err);
/* Edit distance (insert, delete, substitute, transpose), capped at 255. */
unsigned int	 s2o_str_distance(const char *a, const char *b);
/*
 * The candidate nearest to word, or NULL when none is near enough to be a
 * plausible typo. candidates ends with NULL. Borrowed from candidates.
 */
const char	*s2o_str_nearest(const char *word, const char *const *candidates);
/*
 * Copies s into dst (size bytes) for display in a one-line detail: control
 * characters become '?', and a string longer than max bytes is cut at a
 * UTF-8 boundary and ends with "...". Returns dst.
 */
char		*s2o_str_excerpt(char *dst, size_t size, const char *s,
		    size_t max);
/* Constant-time equality of two byte strings of possibly different length. */
bool		 s2o_str_equal_ct(const char *a, const char *b);
/* True when url is http(s) and its host is loopback: localhost, 127/8 as
 * a dotted quad, or [::1]; never with userinfo. */
bool		 s2o_url_is_loopback(const char *url);

/* ---- jsonpos.c -------------------------------------------------------- */

/*
 * Where each value of a JSON text starts, by path, so configuration and
 * mappings errors can name FILE:LINE:COL. Paths look like
 * `connections[0].idp_certificates[1]`; a key that is not an identifier is
 * written `["https://example.test/claim"]`. Any bytes are accepted and
 * scanned in linear time (the positions of jansson's own errors are wanted
 * too); the positions mean something where the text is valid JSON.
 */
struct s2o_jsonpos;

/* Caller frees with s2o_jsonpos_free(). NULL with S2O_R_INTERNAL on OOM. */
struct s2o_jsonpos *s2o_jsonpos_new(const char *text, size_t len,
		    struct s2o_err *err);
void		 s2o_jsonpos_free(struct s2o_jsonpos *jp);
/* Position of the value at path; false when unknown (line/col left 0). */
bool		 s2o_jsonpos_value(const struct s2o_jsonpos *jp, const char *path,
		    unsigned int *line, unsigned int *column);
/* Position of the key of the member at path (an object member's path). */
bool		 s2o_jsonpos_key(const struct s2o_jsonpos *jp, const char *path,
		    unsigned int *line, unsigned int *column);
/* Appends ".key" or "[\"key\"]" for key to a path in b. */
int		 s2o_jsonpath_key(struct s2o_buf *b, const char *key,
		    struct s2o_err *err);

/* ---- log.c ------------------------------------------------------------ */

enum s2o_log_level { S2O_LOG_DEBUG, S2O_LOG_INFO, S2O_LOG_WARN,
		    S2O_LOG_ERROR };
enum s2o_log_format { S2O_LOG_TEXT, S2O_LOG_JSON };

/*
 * Logging goes to stderr: a human line ("2026-11-28T12:00:00Z warn
 * config: message") or, with S2O_LOG_JSON, one JSON object per line
 * ({"time":…,"level":…,"event":…,"msg":…}). Never log secrets, tokens,
 * whole documents or attribute values at info level and above.
 */
void		 s2o_log_setup(enum s2o_log_format format,
		    enum s2o_log_level min_level);
/* Parses "text"/"json"; -1 when unknown. */
int		 s2o_log_format_parse(const char *s, enum s2o_log_format *out);
void		 s2o_log(enum s2o_log_level level, const char *event,
		    const char *fmt, ...) S2O_PRINTF(3, 4);
/* Logs err's reason and detail under event (one line). */
void		 s2o_log_err(enum s2o_log_level level, const char *event,
		    const struct s2o_err *err);
/* Redirects log output (tests); NULL restores stderr. */
void		 s2o_log_set_stream(void *stdio_file);

/* ---- diag.c ----------------------------------------------------------- */

/*
 * A list of problems found in an admin-edited file, each printed as
 * "FILE:LINE:COL: PATH: message" (position and path omitted when unknown).
 * Checkers report every problem, not just the first, so an admin fixes a
 * file in one pass. Caller-allocated: s2o_diags_init / s2o_diags_cleanup.
 */
enum s2o_diag_severity { S2O_DIAG_ERROR, S2O_DIAG_WARNING };

struct s2o_diag {
	enum s2o_diag_severity	 severity;
	enum s2o_reason		 reason;
	unsigned int		 line, column;
	char			*text;	/* the whole formatted line */
};

struct s2o_diags {
	struct s2o_diag	*v;
	size_t		 n, cap;
	size_t		 nerrors;
};

void		 s2o_diags_init(struct s2o_diags *d);
void		 s2o_diags_cleanup(struct s2o_diags *d);
/*
 * Adds one problem. file and path may be NULL; line 0 means no position.
 * Returns -1 only on OOM (S2O_R_INTERNAL in err).
 */
int		 s2o_diags_add(struct s2o_diags *d, enum s2o_diag_severity sev,
		    enum s2o_reason reason, const char *file, unsigned int line,
		    unsigned int column, const char *path, struct s2o_err *err,
		    const char *fmt, ...) S2O_PRINTF(9, 10);
/* Prints every line to a stdio stream (warnings read "FILE:L:C: warning:"). */
void		 s2o_diags_print(const struct s2o_diags *d, void *stdio_file);

#endif
