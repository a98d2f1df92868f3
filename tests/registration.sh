#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Every START_TEST(name) in tests/*.c must be registered in the same file
# with one of Check's tcase_add_*test* calls (tcase_add_test,
# tcase_add_loop_test, tcase_add_test_raise_signal, tcase_add_exit_test,
# ...). A test that is written but never registered never runs, and nothing
# else would notice (mod_auth_openidc's check_registration.sh).
#
# Calls may wrap over several lines: each file is joined into one line
# before it is searched. The tree is found through $S2O_SRCDIR (default .).
# Exit 0 when every test is registered, 1 otherwise (each miss is named).

srcdir=${S2O_SRCDIR:-.}
status=0
nfiles=0
ntests=0

for f in "$srcdir"/tests/*.c; do
	[ -f "$f" ] || continue
	names=$(sed -n 's/^[[:space:]]*START_TEST[[:space:]]*([[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*).*/\1/p' "$f")
	[ -n "$names" ] || continue
	nfiles=$((nfiles + 1))
	joined=$(tr '\n' ' ' <"$f")
	for name in $names; do
		ntests=$((ntests + 1))
		if ! printf '%s\n' "$joined" | grep -Eq \
		    "tcase_add_[a-z_]*test[a-z_]*[[:space:]]*\\([^,()]*,[[:space:]]*$name[[:space:]]*[,)]"; then
			echo "registration: ${f#"$srcdir"/}: START_TEST($name) is never registered with tcase_add_*test*()" >&2
			status=1
		fi
	done
done

if [ "$nfiles" -eq 0 ]; then
	echo "registration: no START_TEST found under $srcdir/tests" >&2
	exit 1
fi
if [ "$status" -eq 0 ]; then
	echo "registration: $ntests tests in $nfiles files, all registered"
else
	echo "registration: FAILED ($ntests tests in $nfiles files)"
fi
exit "$status"
