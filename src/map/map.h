/* SPDX-License-Identifier: MIT */
/*
 * map/: from the verified facts of an assertion to a user profile, by the
 * admin's mappings file. This version holds the assertion's JSON form,
 * the contract `consume --format assertion` prints and `mappings test`
 * reads.
 */
#ifndef S2O_MAP_H
#define S2O_MAP_H

#include "core/core.h"
#include "saml/saml.h"

/*
 * The assertion as one JSON object: issuer, name_id, name_id_format,
 * session_index, authn_instant (RFC 3339), authn_context, attributes
 * [{name, name_format, friendly_name, values}]; absent fields are omitted.
 * pretty selects two-space indentation. Caller frees with free().
 */
char		*s2o_map_assertion_json(const struct s2o_assertion *a,
		    bool pretty, struct s2o_err *err);

#endif
