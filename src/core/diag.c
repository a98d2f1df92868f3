/* SPDX-License-Identifier: MIT */
/*
 * Lists of problems in admin-edited files (configuration, mappings), each
 * one line that names the file, the position and the JSON path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void
s2o_diags_init(struct s2o_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void
s2o_diags_cleanup(struct s2o_diags *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int
s2o_diags_add(struct s2o_diags *d, enum s2o_diag_severity sev,
    enum s2o_reason reason, const char *file, unsigned int line,
    unsigned int column, const char *path, struct s2o_err *err,
    const char *fmt, ...)
{
	struct s2o_buf	 b;
	struct s2o_diag	*nv;
	char		 msg[1024], *p;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	s2o_buf_init(&b, sizeof(msg) * 4);
	if (file != NULL && s2o_buf_printf(&b, err, "%s:", file) == -1)
		return -1;
	if (file != NULL && line > 0 &&
	    s2o_buf_printf(&b, err, "%u:%u:", line, column) == -1)
		return -1;
	if (b.len > 0 && s2o_buf_adds(&b, " ", err) == -1)
		return -1;
	if (sev == S2O_DIAG_WARNING && s2o_buf_adds(&b, "warning: ", err) == -1)
		return -1;
	if (path != NULL && *path != '\0' &&
	    s2o_buf_printf(&b, err, "%s: ", path) == -1)
		return -1;
	if (s2o_buf_adds(&b, msg, err) == -1)
		return -1;
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 8;

		if ((nv = realloc(d->v, nc * sizeof(*nv))) == NULL) {
			s2o_buf_cleanup(&b);
			return s2o_err_oom(err);
		}
		d->v = nv;
		d->cap = nc;
	}
	d->v[d->n].severity = sev;
	d->v[d->n].reason = reason;
	d->v[d->n].line = line;
	d->v[d->n].column = column;
	d->v[d->n].text = s2o_buf_take(&b, NULL);
	d->n++;
	if (sev == S2O_DIAG_ERROR)
		d->nerrors++;
	return 0;
}

void
s2o_diags_print(const struct s2o_diags *d, void *stdio_file)
{
	FILE	*fp = stdio_file;
	size_t	 i;

	for (i = 0; i < d->n; i++)
		fprintf(fp, "%s\n", d->v[i].text);
}
