/* SPDX-License-Identifier: MIT */
#include "map/map.h"
#include "helpers.h"

START_TEST(test_stub)
{
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("map");
	TCase	*tc = tcase_create("stub");

	tcase_add_test(tc, test_stub);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
