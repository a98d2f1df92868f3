#!/bin/sh
# SPDX-License-Identifier: MIT
# Every reason in src/core/reasons.def is documented in docs/reasons.md.
top=${S2O_SRCDIR:-.}
fail=0
n=0
for tok in $(sed -n 's/^S2O_REASON([A-Z_0-9]*, *"\([a-z_0-9]*\)".*/\1/p' \
    "$top/src/core/reasons.def"); do
	n=$((n + 1))
	if ! grep -q "^| \`$tok\` |" "$top/docs/reasons.md"; then
		echo "reasons.sh: $tok is not documented in docs/reasons.md"
		fail=1
	fi
done
[ "$n" -gt 0 ] || { echo "reasons.sh: no reasons found"; exit 1; }
echo "reasons.sh: $n reasons checked"
exit $fail
