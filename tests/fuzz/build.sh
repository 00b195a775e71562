#!/bin/sh
# Builds the front-end fuzzer (libFuzzer + ASan + UBSan) into build-fuzz/, and
# with a number of seconds as argument runs it that long on a scratch copy of
# tests/fuzz/corpus (new inputs it finds stay in build-fuzz/corpus-run).
# Three targets: fuzz_frontend (lexer + parser), fuzz_graph (parser + dry
# evaluation: graph building and shape checking, no execution) and fuzz_io
# (the .npy/.npz/CSV/idx readers of runtime/io.c on arbitrary file contents).
#   usage: tests/fuzz/build.sh [SECONDS [frontend|graph|io] [extra libFuzzer flags...]]
# Crashes are written to build-fuzz/crash-* and make the script fail.
set -eu
cd "$(dirname "$0")/../.."
out=build-fuzz
CC=${CC:-clang}
mkdir -p "$out"

bison -Wall -Werror --defines="$out/parser.h" -o "$out/parser.c" grammar/parser.y
flex --header-file="$out/lexer.h" -o "$out/lexer.c" grammar/lexer.l

FLAGS="-std=c11 -g -O1 -D_GNU_SOURCE -I. -I$out -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2086
$CC $FLAGS -o "$out/fuzz_frontend" tests/fuzz/fuzz_frontend.c \
    "$out/parser.c" "$out/lexer.c" src/ast.c src/diag.c src/arena.c
# the graph target links every library source except main.c
lib=$(ls src/*.c runtime/*.c opencl/*.c | grep -v '^src/main.c$')
# shellcheck disable=SC2086
$CC $FLAGS -o "$out/fuzz_graph" tests/fuzz/fuzz_graph.c "$out/parser.c" "$out/lexer.c" $lib -lz -lm -lpthread -ldl
# shellcheck disable=SC2086
$CC $FLAGS -o "$out/fuzz_io" tests/fuzz/fuzz_io.c runtime/*.c -lz -lm -lpthread -ldl

# a dictionary of the language's tokens helps libFuzzer find structure
cat > "$out/tfg.dict" <<'DICT'
"if"
"elif"
"else"
"for"
"in"
"while"
"def"
"return"
"with"
"as"
"import"
"from"
"lambda"
"print"
"not"
"and"
"or"
"is"
"None"
"True"
"pass"
"break"
"global"
"**"
"//"
"=="
"!="
"<="
"+="
"**="
"'''"
"\"\"\""
"\\\x0a"
":\x0a    "
"\x0a\x09"
"0x1F"
"1e-3"
"r'"
"tf.constant("
DICT
echo "built $out/fuzz_frontend"

[ $# -ge 1 ] || exit 0
secs=$1
shift
target=frontend
if [ $# -ge 1 ] && { [ "$1" = graph ] || [ "$1" = frontend ] || [ "$1" = io ]; }; then target=$1; shift; fi
run=$out/corpus-run-$target
mkdir -p "$run"
if [ "$target" = io ]; then
    # the io target starts from the unit tests' good and broken data files
    for f in tests/unit/data/*; do cp "$f" "$run/seed_$(basename "$f")"; done
else
    cp tests/fuzz/corpus/* "$run"/ 2>/dev/null || true
fi
# the graph target also starts from every golden test and sample
if [ "$target" = graph ]; then
    for f in tests/cli/*.tfg samples/*.tfg; do cp "$f" "$run/seed_$(basename "$f")"; done
fi
# files may be larger than scripts, and the token dictionary is for scripts
if [ "$target" = io ]; then set -- -max_len=65536 "$@"; else set -- -dict=tfg.dict -max_len=4096 "$@"; fi
cd "$out"
ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1} \
./fuzz_$target -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "$@" "corpus-run-$target"
