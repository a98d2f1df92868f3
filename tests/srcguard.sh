#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Bans C library calls that cannot be used safely, in src/ (curl's
# checksrc does the same):
#
#   sprintf vsprintf strcpy strcat gets   no bound on the output: use
#                                         snprintf, s2o_strlcpy, s2o_buf
#   atoi atol                             no error reporting: use strtol
#                                         or strtoll and check endptr/errno
#   strtok                                hidden global state: strtok_r
#   tmpnam                                racy name: mkstemp or tmpfile
#
# A call is the name as a whole word followed by "(": snprintf, strtok_r,
# s2o_strlcpy and struct members such as ->gets are not matched. String
# literals and comments on a line are removed first, so "sprintf(3)" in a
# comment is fine; lines that continue a block comment (" * ...") are
# skipped too. The tree is found through $S2O_SRCDIR (default .).
# Exit 0 when clean, 1 otherwise (each use is named with file:line).

srcdir=${S2O_SRCDIR:-.}
banned='sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok|tmpnam'

if [ ! -d "$srcdir/src" ]; then
	echo "srcguard: no src/ under $srcdir" >&2
	exit 1
fi

files=$(find "$srcdir/src" -type f \( -name '*.c' -o -name '*.h' \) | sort)
nfiles=$(printf '%s\n' "$files" | grep -c .)
hits=$(
	for f in $files; do
		sed -E -e "s/\"([^\"\\\\]|\\\\.)*\"|'([^'\\\\]|\\\\.)*'/\"\"/g" \
		    -e 's|/\*.*\*/||g' -e 's|//.*$||' \
		    -e 's|^[[:space:]]*\*.*$||' -e 's|/\*.*$||' "$f" |
		    grep -nE "(^|[^A-Za-z0-9_>.])($banned)[[:space:]]*\\(" |
		    while IFS=: read -r n rest; do
			# show the line as written, not as stripped
			echo "${f#"$srcdir"/}:$n: $(sed -n "${n}p" "$f" |
			    sed 's/^[[:space:]]*//')"
		    done
	done
)

if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | while IFS= read -r h; do
		echo "srcguard: banned call: $h" >&2
	done
	echo "srcguard: FAILED ($(printf '%s\n' "$hits" | grep -c .) lines with banned calls in $nfiles files; banned: $banned)"
	exit 1
fi
echo "srcguard: $nfiles files, no banned calls ($banned)"
exit 0
