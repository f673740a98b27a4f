#!/bin/sh
# Compares the dynamic symbols a shared library defines with a checked-in list.
# Usage: check_symbols.sh LIBRARY EXPECTED_LIST   (set UPDATE=1 to rewrite the list)
set -eu
lib=$1
expected=$2
actual=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRV]$/ {print $3}' | sort)
if [ "${UPDATE:-0}" = 1 ]; then
	printf '%s\n' "$actual" >"$expected"
	exit 0
fi
if ! printf '%s\n' "$actual" | diff -u "$expected" -; then
	echo "exported symbols differ from $expected (UPDATE=1 $0 $* rewrites it after a deliberate API change)" >&2
	exit 1
fi
echo "exported symbols: $(printf '%s\n' "$actual" | wc -l) match"
