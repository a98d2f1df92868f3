/* SPDX-License-Identifier: MIT */
/*
 * Every ceiling saml2oidc applies to input, in one place, with its unit.
 * A limit that is hit sets S2O_R_TOO_LARGE, never S2O_R_MALFORMED.
 */
#ifndef S2O_CORE_LIMITS_H
#define S2O_CORE_LIMITS_H

#define S2O_SAML_MAX_RESPONSE	1048576	/* bytes, decoded XML, default */
#define S2O_SAML_MAX_DEPTH	64	/* XML element nesting levels */
#define S2O_SAML_MAX_ATTRIBUTES	512	/* Attribute elements per assertion */
#define S2O_SAML_MAX_VALUES	4096	/* AttributeValues per assertion */
#define S2O_SAML_MAX_REFERENCES	1	/* ds:Reference per ds:Signature */
#define S2O_CONFIG_MAX_FILE	4194304	/* bytes, configuration file */
#define S2O_CONFIG_MAX_PEM	1048576	/* bytes, one PEM file */
#define S2O_MAP_MAX_FILE	1048576	/* bytes, one mappings file */
/* the mapping engine (map/) */
#define S2O_MAP_MAX_VALUES	4096	/* values one claim may hold at any
					   step (split can multiply them) */
#define S2O_MAP_MAX_VALUE	65536	/* bytes, one value after a replace,
					   template or join */
#define S2O_MAP_REGEX_MATCH_LIMIT 1000000 /* PCRE2 match() calls per match */
#define S2O_MAP_REGEX_HEAP_LIMIT 4096	/* KiB of PCRE2 backtracking heap */
#define S2O_MAP_MAX_SUB		255	/* bytes, OIDC Core §2 */
#define S2O_MAP_MAX_JSON	8388608	/* bytes, one destination's claims */
#define S2O_JSON_MAX_DEPTH	64	/* nesting levels in our JSON inputs */
#define S2O_ERR_MAX_DETAIL	256	/* bytes, including the NUL */
#define S2O_LOG_MAX_LINE	4096	/* bytes, one log line */
#define S2O_TOKEN_MAX_DEFAULT	16384	/* bytes, one compact JWS, default:
					   8 KiB is where browsers and
					   proxies start to refuse headers */
#define S2O_TOKEN_MAX_LIMIT	65536	/* bytes, largest max_token_bytes */
/* IdP metadata (docs/metadata.md) */
#define S2O_METADATA_MAX	16777216 /* bytes, one metadata document
					   (federation aggregates are large) */
#define S2O_METADATA_CONNECT_TIMEOUT 10	/* seconds, connecting to fetch */
#define S2O_METADATA_FETCH_TIMEOUT 30	/* seconds, a whole fetch */
#define S2O_METADATA_MAX_REDIRECTS 3	/* redirects followed (https only) */
#define S2O_METADATA_REFRESH_DEFAULT 3600 /* seconds, refresh_interval */
#define S2O_METADATA_REFRESH_MIN 1	/* seconds, smallest refresh_interval */
#define S2O_METADATA_REFRESH_MAX 604800	/* seconds (a week), the largest */
#define S2O_METADATA_CACHE_MIN	60	/* seconds: a shorter cacheDuration
					   is read as this */
#define S2O_METADATA_RETRY	60	/* seconds, at most, between tries
					   after a failed refresh */
#define S2O_METADATA_KICK_MIN	60	/* seconds between refreshes asked
					   for by an unknown signing key,
					   per connection */
#define S2O_STORE_MAX_VALUE	16777216 /* bytes, one value read back from
					   a shared store (Redis) */
#define S2O_STORE_MAX_PREFIX	64	/* bytes, the Redis key prefix */
#define S2O_INPUT_MAX_FILE	8388608	/* bytes, CLI input file (raw/base64) */

#endif
