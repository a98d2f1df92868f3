/* SPDX-License-Identifier: MIT */
/*
 * Attributes to claims with fixed mappings files: the input is an
 * assertion in its JSON form (what `consume --format assertion` prints),
 * applied with the ready files for ADFS, Entra ID and Shibboleth, whose
 * transforms (regular expressions, splitting, value maps, DN parsing)
 * then see arbitrary values. Read once from $S2O_SRCDIR/mappings
 * (default ./mappings).
 */
#include <stdio.h>
#include <stdlib.h>

#include "map/map.h"
#include "fuzz/fuzz.h"

static struct s2o_mapping	*maps[3];

static void
setup(void)
{
	static const char *const files[3] = { "adfs", "entra-id",
	    "shibboleth" };
	struct s2o_diags	 d;
	struct s2o_err		 err;
	const char		*src = getenv("S2O_SRCDIR");
	char			 path[4096];
	size_t			 i;

	for (i = 0; i < 3; i++) {
		s2o_err_clear(&err);
		s2o_diags_init(&d);
		snprintf(path, sizeof(path), "%s/mappings/%s.json",
		    src ? src : ".", files[i]);
		if ((maps[i] = s2o_map_load(path, &d, &err)) == NULL) {
			fprintf(stderr, "fuzz_map_apply: %s: %s\n", path,
			    err.detail);
			exit(1);
		}
		s2o_diags_cleanup(&d);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2o_assertion	*a;
	struct s2o_map_result	 r;
	struct s2o_err		 err;
	size_t			 i;

	if (maps[0] == NULL)
		setup();
	s2o_err_clear(&err);
	if ((a = s2o_map_assertion_from_json((const char *)data, size,
	    "fuzz.json", &err)) == NULL)
		return 0;
	for (i = 0; i < 3; i++) {
		s2o_map_result_init(&r);
		s2o_err_clear(&err);
		(void)s2o_map_apply(maps[i], a, "fuzz", S2O_MAP_EXPLAIN |
		    S2O_MAP_EXPLAIN_VALUES, &r, &err);
		s2o_map_result_cleanup(&r);
	}
	s2o_assertion_free(a);
	return 0;
}
