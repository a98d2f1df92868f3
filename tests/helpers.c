/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>

#include "helpers.h"

static const char *
env_or(const char *name, const char *dflt)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

const char *
fx_path(const char *rel)
{
	static char	buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", env_or("S2O_FIXTURES", "fixtures"),
	    rel);
	return buf;
}

const char *
src_path(const char *rel)
{
	static char	buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", env_or("S2O_SRCDIR", "."), rel);
	return buf;
}

char *
fx_read(const char *abs_path, size_t *len)
{
	struct s2o_buf	b;
	struct s2o_err	err;

	s2o_err_clear(&err);
	s2o_buf_init(&b, 64u << 20);
	ck_assert_msg(s2o_buf_read_file(&b, abs_path, &err) == 0,
	    "cannot read fixture %s: %s", abs_path, err.detail);
	return s2o_buf_take(&b, len);
}

int
run_suite(Suite *s)
{
	SRunner	*sr = srunner_create(s);
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

unsigned int
s2o_test_free_port(void)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);
	int			fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

char *
s2o_test_json_text(const json_t *o)
{
	char	*s;

	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
	ck_assert_ptr_nonnull(s);
	return s;
}

json_t *
s2o_test_json(const char *text)
{
	json_error_t	 je;
	json_t		*v;

	v = json_loads(text, JSON_DECODE_ANY, &je);
	ck_assert_msg(v != NULL, "not JSON: %s (%s)", je.text, text);
	return v;
}
