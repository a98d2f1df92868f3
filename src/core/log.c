/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, as human lines or one JSON object per line. The
 * process has one log configuration, set once at start by the CLI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"

static enum s2o_log_format	log_format = S2O_LOG_TEXT;
static enum s2o_log_level	log_min = S2O_LOG_INFO;
static FILE			*log_stream;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
s2o_log_setup(enum s2o_log_format format, enum s2o_log_level min_level)
{
	log_format = format;
	log_min = min_level;
}

void
s2o_log_set_stream(void *stdio_file)
{
	log_stream = stdio_file;
}

int
s2o_log_format_parse(const char *s, enum s2o_log_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = S2O_LOG_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = S2O_LOG_JSON;
	else
		return -1;
	return 0;
}

/* Length of the valid UTF-8 sequence at p; 0 when none starts there. */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && p[1] < 0xa0) ||	/* overlong */
		    (p[0] == 0xed && p[1] >= 0xa0))	/* surrogate */
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80 ||
		    (p[0] == 0xf0 && p[1] < 0x90) ||	/* overlong */
		    (p[0] == 0xf4 && p[1] >= 0x90))	/* past U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

/*
 * Replaces every byte that is not part of valid UTF-8 with '?'. jansson
 * refuses invalid UTF-8, and messages carry input (an Issuer, an attribute
 * name) or a vsnprintf cut inside a sequence: without this, such a line
 * would silently vanish from a JSON log.
 */
static void
utf8_scrub(char *s)
{
	unsigned char	*p = (unsigned char *)s;
	size_t		 n;

	while (*p != '\0') {
		if ((n = utf8_len(p)) == 0)
			*p++ = '?';
		else
			p += n;
	}
}

static void
log_emit(enum s2o_log_level level, const char *event, const char *reason,
    const char *msg)
{
	FILE	*fp = log_stream ? log_stream : stderr;
	char	 ts[S2O_TIME_BUFSZ], *line, clean[S2O_LOG_MAX_LINE];
	json_t	*o;

	s2o_time_format(time(NULL), ts, sizeof(ts));
	if (log_format == S2O_LOG_JSON) {
		s2o_strlcpy(clean, msg, sizeof(clean));
		utf8_scrub(clean);
		o = json_pack("{s:s, s:s, s:s, s:s}", "time", ts, "level",
		    level_names[level], "event", event, "msg", clean);
		if (o != NULL && reason != NULL)
			json_object_set_new(o, "reason", json_string(reason));
		line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) :
		    NULL;
		if (line != NULL)
			fprintf(fp, "%s\n", line);
		free(line);
		json_decref(o);
	} else if (reason != NULL)
		fprintf(fp, "%s %s %s: %s: %s\n", ts, level_names[level], event,
		    reason, msg);
	else
		fprintf(fp, "%s %s %s: %s\n", ts, level_names[level], event,
		    msg);
	fflush(fp);
}

void
s2o_log(enum s2o_log_level level, const char *event, const char *fmt, ...)
{
	char	msg[S2O_LOG_MAX_LINE], *p;
	va_list	ap;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (p = msg; *p != '\0'; p++)	/* one line per event */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	log_emit(level, event, NULL, msg);
}

void
s2o_log_err(enum s2o_log_level level, const char *event,
    const struct s2o_err *err)
{
	if (level < log_min)
		return;
	log_emit(level, event, s2o_reason_token(err->reason), err->detail);
}
