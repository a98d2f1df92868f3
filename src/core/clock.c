/* SPDX-License-Identifier: MIT */
/*
 * The injectable clock. The system clock is the only place in the library
 * that reads the time of day.
 */
#include "core/core.h"

static time_t
clock_system_now(const struct s2o_clock *clock)
{
	(void)clock;
	return time(NULL);
}

static time_t
clock_fixed_now(const struct s2o_clock *clock)
{
	return clock->fixed;
}

void
s2o_clock_init_system(struct s2o_clock *clock)
{
	clock->now = clock_system_now;
	clock->fixed = 0;
}

void
s2o_clock_init_fixed(struct s2o_clock *clock, time_t t)
{
	clock->now = clock_fixed_now;
	clock->fixed = t;
}

time_t
s2o_clock_now(const struct s2o_clock *clock)
{
	return clock->now(clock);
}
