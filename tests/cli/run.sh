#!/bin/sh
# Golden CLI tests: runs every case in tests/cli/ and every sample in samples/
# that has a .out, against a tfg binary.
#   usage: sh tests/cli/run.sh [TFG_BINARY]     (default ./tfg; run from the repository root)
# Case files (the conventions of ../shared/conformance/run.sh):
#   NAME.tfg     run as `tfg run NAME.tfg ARGS...` from a scratch copy of its folder
#   NAME.args    ARGS, shell syntax, one line
#   NAME.sh      run with `sh NAME.sh` from a scratch copy of its folder, $TFG = the binary
#   NAME.out     expected stdout, exactly (or within NAME.tol, a relative tolerance
#                for the numbers, checked with python3; blanks are then ignored,
#                since numpy pads columns to the widest number)
#   NAME.err     lines that must each appear (as substrings) in stderr
#   NAME.status  expected exit status (default 0)
# Prints "FAIL NAME: why" for each failure and a last line "N passed, M failed";
# exits 1 when a case fails, 2 when the binary is missing.
# Works with sanitizer builds (sh tests/cli/run.sh build-san/tfg): ASan is told to
# return NULL for impossible allocations (allocator_may_return_null=1), so an
# out-of-memory test sees tfg's own handling instead of ASan's abort.
# TFG_TEST_TIMEOUT sets the seconds allowed per case (default 120).
# TFG_TEST_FILTER, a substring, runs only the cases whose name contains it.

tfg=${1:-./tfg}
case $tfg in
  /*) ;;
  */*) tfg=$(cd "$(dirname "$tfg")" && pwd)/$(basename "$tfg") ;;
  *) tfg=$(command -v "$tfg" || echo "$tfg") ;;
esac
if [ ! -x "$tfg" ]; then
  echo "run.sh: no tfg binary at '$tfg'" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
limit=${TFG_TEST_TIMEOUT:-120}
filter=${TFG_TEST_FILTER:-}
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
export ASAN_OPTIONS
TFG=$tfg
export TFG

if command -v timeout >/dev/null 2>&1; then
  with_timeout() { timeout "$limit" "$@"; }
else
  with_timeout() { "$@"; }
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tfg-cli.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
pass=0
fail=0

# numbers_match WANT GOT TOL: same text apart from numbers within TOL (relative)
numbers_match() {
  command -v python3 >/dev/null 2>&1 || return 1
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
num = re.compile(r'[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf')
want, got, tol = open(sys.argv[1]).read(), open(sys.argv[2]).read(), float(sys.argv[3])
if ''.join(num.sub('#', want).split()) != ''.join(num.sub('#', got).split()):
    sys.exit(1)
for a, b in zip(num.findall(want), num.findall(got)):
    if a == b:
        continue
    try:
        x, y = float(a), float(b)
    except ValueError:
        sys.exit(1)
    if abs(x - y) > tol * max(abs(x), abs(y), 1e-30):
        sys.exit(1)
PY
}

# run_case DIR FILE LABEL
run_case() {
  dir=$1 file=$2 label=$3
  base=${file%.*}
  name=${base##*/}
  kind=${file##*.}
  case $label in *"$filter"*) ;; *) return 0 ;; esac
  work=$scratch/$label
  rm -rf "$work"
  mkdir -p "$work"
  cp -R "$dir"/. "$work"/
  want_status=0
  [ -f "$base.status" ] && want_status=$(tr -d ' \t\r\n' < "$base.status")
  if [ "$kind" = tfg ]; then
    args=""
    [ -f "$base.args" ] && args=$(cat "$base.args")
    (cd "$work" && eval "set -- $args" && with_timeout "$tfg" run "$name.tfg" "$@") \
      >"$work/.stdout" 2>"$work/.stderr" </dev/null
  else
    (cd "$work" && with_timeout sh "$name.sh") >"$work/.stdout" 2>"$work/.stderr" </dev/null
  fi
  status=$?
  why=""
  if [ "$status" != "$want_status" ]; then
    why="exit status $status, expected $want_status"
    first=$(sed -n '/./{p;q;}' "$work/.stderr" 2>/dev/null)
    [ -n "$first" ] && why="$why; stderr: $first"
  fi
  if [ -z "$why" ] && [ -f "$base.out" ] && ! cmp -s "$base.out" "$work/.stdout"; then
    if [ -f "$base.tol" ] && numbers_match "$base.out" "$work/.stdout" "$(cat "$base.tol")"; then
      :
    else
      why="stdout differs: $(diff "$base.out" "$work/.stdout" | head -8 | tr '\n' '|')"
    fi
  fi
  if [ -z "$why" ] && [ -f "$base.err" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      [ -n "$line" ] || continue
      if ! grep -qF -- "$line" "$work/.stderr"; then
        why="stderr lacks: $line; stderr: $(head -3 "$work/.stderr" | tr '\n' '|')"
        break
      fi
    done < "$base.err"
  fi
  if [ -z "$why" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $label: $why"
  fi
  rm -rf "$work"
}

for t in "$here"/*.tfg "$here"/*.sh; do
  [ -e "$t" ] || continue
  [ "$t" = "$here/run.sh" ] && continue
  n=${t##*/}
  run_case "$here" "$t" "${n%.*}"
done
for t in "$root"/samples/*.tfg; do
  [ -e "$t" ] || continue
  [ -f "${t%.tfg}.out" ] || continue
  n=${t##*/}
  run_case "$root/samples" "$t" "samples/${n%.tfg}"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
