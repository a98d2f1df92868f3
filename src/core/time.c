/* SPDX-License-Identifier: MIT */
/*
 * Instants as SAML (xs:dateTime, SAML Core 1.3.3) and the CLI write them.
 * Parsing is strict: fixed field widths, real calendar dates, and an
 * optional zone that must be "Z" or "+hh:mm"/"-hh:mm".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static int
digits(const char *s, int n, int *out)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

int
s2o_time_parse(const char *s, const char *what, time_t *out,
    struct s2o_err *err)
{
	struct tm	 tm;
	const char	*p;
	char		 shown[48];
	int		 y, mo, d, h, mi, sec, zh = 0, zm = 0, sign = 0;
	time_t		 t;

	if (s == NULL || strlen(s) < 19)
		goto bad;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' &&
	    s[10] != 't') || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		goto bad;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		goto bad;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;	/* fractions are truncated */
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &zh) || p[3] != ':' ||
		    digits(p + 4, 2, &zm) || zh > 23 || zm > 59)
			goto bad;
		p += 6;
	}
	if (*p != '\0')
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		goto bad;
	t -= (time_t)sign * (zh * 3600 + zm * 60);
	*out = t;
	return 0;
bad:
	return s2o_err_set(err, S2O_R_MALFORMED,
	    "%s: \"%s\" is not an RFC 3339 date-time", what,
	    s2o_str_excerpt(shown, sizeof(shown), s ? s : "", 40));
}

int
s2o_time_parse_cli(const char *s, time_t *out, struct s2o_err *err)
{
	const char	*p;
	char		*end;
	long long	 v;

	for (p = s; *p != '\0' && isdigit((unsigned char)*p); p++)
		;
	if (*s != '\0' && *p == '\0' && p - s <= 12) {
		v = strtoll(s, &end, 10);
		*out = (time_t)v;
		return 0;
	}
	return s2o_time_parse(s, "--now", out, err);
}

char *
s2o_time_format(time_t t, char *buf, size_t size)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		s2o_strlcpy(buf, "(invalid time)", size);
	return buf;
}
