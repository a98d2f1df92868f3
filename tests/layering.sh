#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Include edges between the folders of src/ point only downward (design
# §2), in this order:
#
#   core < config < saml < map < policy < token < store < oidc < http < cli
#
# Rules, checked on every #include in src/*/*.c and src/*/*.h:
#   1. `#include "X/..."` from src/F/ needs X == F or X earlier in the
#      list: saml/ may include config/ and core/, never map/ or http/.
#   2. `#include "X/X_int.h"` (a folder's private header) only from src/X/.
#   3. No `#include "../..."`: it would walk around rules 1 and 2.
#   4. libxml2 and xmlsec headers (<libxml/...>, <xmlsec/...>) only in
#      src/saml/, and never in its public header src/saml/saml.h, which
#      must stay plain C data so map/ never sees XML (conventions.md).
#   5. jansson (<jansson.h>) never in src/saml/saml.h: the assertion
#      contract does not depend on a JSON library. Every other folder may
#      use jansson; this rule stays deliberately that small.
# Every folder under src/ must be in the list, so a new one is placed
# deliberately. Includes without a folder ("config.h" from autoconf,
# "saml_int.h" from its own folder) are not edges. fuzz/ and tests/ are
# not checked: they may reach into anything.
#
# The tree is found through $S2O_SRCDIR (default .). Exit 0 when every
# edge is allowed, 1 otherwise (each violation is named with file:line).

srcdir=${S2O_SRCDIR:-.}
order="core config saml map policy token store oidc http cli"
shown=$(echo "$order" | sed 's/ / < /g')
status=0
nfiles=0
nedges=0

# rank NAME: prints the 1-based position of NAME in $order, 0 if absent
rank() {
	r=0
	i=0
	for l in $order; do
		i=$((i + 1))
		[ "$l" = "$1" ] && r=$i
	done
	echo "$r"
}

fail() {
	echo "layering: $*" >&2
	status=1
}

if [ ! -d "$srcdir/src" ]; then
	echo "layering: no src/ under $srcdir" >&2
	exit 1
fi
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

for dir in "$srcdir"/src/*/; do
	folder=$(basename "$dir")
	frank=$(rank "$folder")
	if [ "$frank" -eq 0 ]; then
		fail "src/$folder/: folder is not in the layer list ($shown); add it in tests/layering.sh"
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		nfiles=$((nfiles + 1))
		rel=src/$folder/$(basename "$f")
		# "lineno:target" for quoted includes, "lineno:<target>" for system ones
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
		    sed 's/^\([0-9]*\):[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1:\2/; s/^\([0-9]*\):[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1:<\2>/' \
		    >"$tmp"
		while IFS= read -r row; do
			line=${row%%:*}
			inc=${row#*:}
			where="$rel:$line"
			case $inc in
			'<libxml/'*|'<xmlsec/'*)
				if [ "$folder" != saml ]; then
					fail "$where: $inc outside src/saml/"
				elif [ "$rel" = src/saml/saml.h ]; then
					fail "$where: $inc in the public header saml.h"
				fi
				continue ;;
			'<jansson.h>')
				[ "$rel" = src/saml/saml.h ] &&
				    fail "$where: $inc in the public header saml.h"
				continue ;;
			'<'*)
				continue ;;
			*../*)
				fail "$where: \"$inc\": include as \"folder/header.h\", not with .."
				continue ;;
			*/*)
				;;
			*)
				continue ;;
			esac
			nedges=$((nedges + 1))
			target=${inc%%/*}
			trank=$(rank "$target")
			if [ "$trank" -eq 0 ]; then
				fail "$where: \"$inc\": $target/ is not in the layer list ($shown)"
			elif [ "$trank" -gt "$frank" ]; then
				fail "$where: \"$inc\": $folder/ may not include $target/ (layers: $shown)"
			fi
			case ${inc#*/} in
			*_int.h)
				[ "$target" != "$folder" ] &&
				    fail "$where: \"$inc\" is private to src/$target/"
				;;
			esac
		done <"$tmp"
	done
done

if [ "$status" -eq 0 ]; then
	echo "layering: $nedges include edges in $nfiles files, all downward"
else
	echo "layering: FAILED ($nedges include edges in $nfiles files)"
fi
exit "$status"
