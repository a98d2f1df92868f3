/* SPDX-License-Identifier: MIT */
/*
 * Shared test helpers: fixture paths, reading files, and assertions that
 * check an error's reason and detail together.
 */
#ifndef S2O_TESTS_HELPERS_H
#define S2O_TESTS_HELPERS_H

#include <check.h>
#include <string.h>

#include "core/core.h"

/* Absolute path of a file under fixtures/ (S2O_FIXTURES). Static buffer:
 * valid until the next call. */
const char	*fx_path(const char *rel);
/* Absolute path under the source tree (S2O_SRCDIR). Static buffer. */
const char	*src_path(const char *rel);
/* Reads a whole file; caller frees. Fails the test when unreadable. */
char		*fx_read(const char *abs_path, size_t *len);
/*
 * A loopback TCP port nothing listens on now: bound, read back and closed
 * (the kernel's choice). Another process may take it meanwhile, so a
 * caller that listens on it retries.
 */
unsigned int	 s2o_test_free_port(void);
/* Runs a Suite with CK_ENV and returns the exit status for main(). */
int		 run_suite(Suite *s);

/* jansson's json_t (typedef struct json_t json_t), without jansson.h */
struct json_t;
/*
 * o's compact JSON text, keys in o's own order (the order a token writes
 * them in), or NULL for NULL. Caller frees with free().
 */
char		*s2o_test_json_text(const struct json_t *o);
/* text parsed; fails the test when it is not JSON. Caller releases the
 * value with json_decref(). */
struct json_t	*s2o_test_json(const char *text);

/* The object o writes out exactly as want (a compact JSON text). */
#define ck_assert_json_text(o, want) do {				\
	char *jt_ = s2o_test_json_text(o);				\
	ck_assert_str_eq(jt_, (want));					\
	free(jt_);							\
} while (0)

/* err holds want, and its detail contains has (exact substring). */
#define ck_assert_s2o_err(err, want, has) do {				\
	ck_assert_msg((err)->reason == (want),				\
	    "reason: expected %s, got %s (%s)", s2o_reason_token(want),	\
	    s2o_reason_token((err)->reason), (err)->detail);		\
	ck_assert_msg(strstr((err)->detail, (has)) != NULL,		\
	    "detail \"%s\" lacks \"%s\"", (err)->detail, (has));	\
} while (0)

#define ck_assert_s2o_ok(err) \
	ck_assert_msg((err)->reason == S2O_R_OK, "unexpected error %s: %s", \
	    s2o_reason_token((err)->reason), (err)->detail)

#endif
