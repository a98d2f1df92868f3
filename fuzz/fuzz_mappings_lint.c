/* SPDX-License-Identifier: MIT */
/*
 * The mappings loader and linter on arbitrary bytes: an admin-edited
 * file must never crash the bridge or check-config, whatever it holds.
 */
#include "map/map.h"
#include "fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2o_diags	 d;
	struct s2o_err		 err;

	s2o_err_clear(&err);
	s2o_diags_init(&d);
	s2o_map_free(s2o_map_load_text((const char *)data, size, "fuzz.json",
	    &d, &err));
	s2o_diags_cleanup(&d);
	return 0;
}
