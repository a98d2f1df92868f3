/* SPDX-License-Identifier: MIT */
/*
 * The error value: first cause wins, one line of detail, a stable token per
 * reason. The reason table is generated from reasons.def so the enum and its
 * strings cannot drift apart.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

struct reason_row {
	const char	*token;
	int		 http_status;
	const char	*oauth_error;
};

static const struct reason_row reason_rows[S2O_R__MAX] = {
	[S2O_R_OK] = { "ok", 200, NULL },
#define S2O_REASON(id, token, http_status, oauth_error) \
	[S2O_R_##id] = { token, http_status, oauth_error },
#include "core/reasons.def"
#undef S2O_REASON
};

void
s2o_err_clear(struct s2o_err *err)
{
	memset(err, 0, sizeof(*err));
}

bool
s2o_err_is_set(const struct s2o_err *err)
{
	return err->reason != S2O_R_OK;
}

int
s2o_err_vset(struct s2o_err *err, enum s2o_reason reason, const char *fmt,
    va_list ap)
{
	char	*p;

	assert(err != NULL);
	assert(reason != S2O_R_OK && reason < S2O_R__MAX);
	if (err->reason != S2O_R_OK)
		return -1;	/* the first, deepest cause wins */
	err->reason = reason;
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	/* detail is one line: a CR or LF would let input forge log lines */
	for (p = err->detail; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return -1;
}

int
s2o_err_set(struct s2o_err *err, enum s2o_reason reason, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	s2o_err_vset(err, reason, fmt, ap);
	va_end(ap);
	return -1;
}

int
s2o_err_set_at(struct s2o_err *err, enum s2o_reason reason, unsigned int line,
    unsigned int column, const char *fmt, ...)
{
	va_list	ap;

	if (err->reason != S2O_R_OK)
		return -1;
	va_start(ap, fmt);
	s2o_err_vset(err, reason, fmt, ap);
	va_end(ap);
	err->line = line;
	err->column = column;
	return -1;
}

int
s2o_err_oom(struct s2o_err *err)
{
	return s2o_err_set(err, S2O_R_INTERNAL, "out of memory");
}

const char *
s2o_reason_token(enum s2o_reason reason)
{
	if ((unsigned int)reason >= S2O_R__MAX)
		return "unknown";
	return reason_rows[reason].token;
}

enum s2o_reason
s2o_reason_from_token(const char *token)
{
	unsigned int	i;

	for (i = 0; i < S2O_R__MAX; i++)
		if (strcmp(reason_rows[i].token, token) == 0)
			return (enum s2o_reason)i;
	return S2O_R__MAX;
}

int
s2o_reason_http_status(enum s2o_reason reason)
{
	if ((unsigned int)reason >= S2O_R__MAX)
		return 500;
	return reason_rows[reason].http_status;
}

const char *
s2o_reason_oauth_error(enum s2o_reason reason)
{
	if ((unsigned int)reason >= S2O_R__MAX)
		return "server_error";
	return reason_rows[reason].oauth_error;
}
