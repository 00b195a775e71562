#!/bin/sh
# Runs every cmocka unit-test binary in the folder given ($1); fails if any fails.
dir=${1:-build/tests}
echo "== unit tests ($dir)"
fail=0; n=0
for t in "$dir"/test_*; do
  [ -x "$t" ] || continue
  n=$((n+1))
  if ! "$t"; then echo "FAIL: $t"; fail=$((fail+1)); fi
done
[ "$n" -gt 0 ] || { echo "no unit tests found in $dir"; exit 1; }
echo "unit test programs: $((n-fail)) passed, $fail failed"
[ "$fail" = 0 ]
