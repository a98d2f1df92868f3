#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays each fuzz target over its corpus (fuzz/corpus/<target>/) and,
# for the SAML target, over every fixture document, with the ordinary
# build: crashes, sanitizer reports and leaks found by fuzzing stay fixed.
set -eu
src=${S2O_SRCDIR:-.}
bin=${S2O_BUILDDIR:-.}/fuzz
"$bin/fuzz_saml_response" "$src/fuzz/corpus/fuzz_saml_response" \
    $(ls -d "$src"/fixtures/saml/*/response.* 2>/dev/null)
"$bin/fuzz_b64" "$src/fuzz/corpus/fuzz_b64"
"$bin/fuzz_mappings_lint" "$src/fuzz/corpus/fuzz_mappings_lint" \
    "$src/mappings" "$src/fixtures/mappings/lint"
"$bin/fuzz_map_apply" "$src/fuzz/corpus/fuzz_map_apply" \
    "$src/fixtures/mappings/assertions" \
    $(ls "$src"/fixtures/saml/*/assertion.json 2>/dev/null)
"$bin/fuzz_authorize_query" "$src/fuzz/corpus/fuzz_authorize_query"
"$bin/fuzz_token_form" "$src/fuzz/corpus/fuzz_token_form"
"$bin/fuzz_saml_metadata" "$src/fuzz/corpus/fuzz_saml_metadata" \
    "$src/fixtures/metadata"
