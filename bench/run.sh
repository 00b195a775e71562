#!/bin/sh
# bench/run.sh — tfg against its peers, each measured in this same run on this machine.
# Called by `make bench` (after `make tfg`) from the repository root; plain POSIX sh.
#
#  1. start-up: `./tfg run samples/matmul.tfg` vs `/usr/bin/python3 -c "import numpy"`, whole
#     process, median of 20 runs after 2 warm-ups, the two (and /bin/true, the harness floor)
#     interleaved by bench/wallclock.c (fork+exec, no shell)
#  2. MatMul 2048x2048 float32 through a tfg session vs cblas_sgemm on the same buffers, same
#     process, same threads (bench/bench_core.c, linked against $BUILD/libtfg.a)
#     (+ 128x128x128, informational: tfg's own TF-order FMA loop handles k <= 384)
#  3. Add of 16M float32 through tfg vs numpy np.add(a, b), both allocating the result, in 3
#     alternating rounds of one process each (the host is shared: load moves between rounds)
#  4. per-op dispatch: 1000 chained AddV2 on 2-element tensors vs numpy (and torch eager) a + b
#  5. the MNIST fully_connected_feed recipe (784-128-32-10, SGD 0.01, batch 100, 2000 steps on
#     Fashion-MNIST): tfg (bench/fc_feed.tfg) vs the numpy and PyTorch peers of ../shared/peers
#     (PEERS=DIR), FC_THREADS threads each (default 1: the peers' fastest setting on this net),
#     interleaved runs by bench/fc_feed.py: ms/step, whole process, peak RSS, test accuracy; tfg
#     also with its default threads (one per CPU) against the same peer runs; plus the tutorial
#     sample itself (info)
#
# Environment: OPENBLAS_CORETYPE (default SkylakeX on avx512f CPUs, Haswell on avx2 ones: Debian's
# OpenBLAS 0.3.21 otherwise falls back to Prescott kernels on new CPUs), OPENBLAS_NUM_THREADS
# (default: the number of CPUs) — exported here so tfg and every peer run under the same values.
# BUILD (default build: where libtfg.a is), TFG (default ./tfg), CC (default cc).
# Exit status: 0 when everything ran (MISSes included: benchmarks report), 1 when something
# could not run at all.
set -u
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
CC=${CC:-cc}
PY=/usr/bin/python3
TFG=${TFG:-./tfg}
OUT=$BUILD/bench
failed=0
START=$(date +%s)

# ---- environment shared by tfg and the peers -------------------------------------------------
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
        OPENBLAS_CORETYPE=SkylakeX
    elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
        OPENBLAS_CORETYPE=Haswell
    fi
fi
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then export OPENBLAS_CORETYPE; fi
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-$NCPU}
export OPENBLAS_NUM_THREADS

# key=value from a RESULT line: val KEY LINE
val() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
# awk arithmetic on numbers: calc 'a/b' a b
calc() { awk -v a="$2" -v b="$3" "BEGIN { if (a == \"\" || b == \"\" || b + 0 == 0) print \"\"; else printf \"%.2f\", $1 }"; }
# verdict VALUE OP TARGET (OP: ge | le)
verdict() {
    if [ -z "$1" ]; then echo "n/a"; return; fi
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "ge") ? (v + 0 >= t + 0) : (v + 0 <= t + 0); print ok ? "PASS" : "MISS" }'
}
fail() { echo "bench: ERROR: $*" >&2; failed=1; }

TABLE=""
row() { TABLE="$TABLE$(printf '%-26s %-16s %-30s %-10s %-12s %s' "$1" "$2" "$3" "$4" "$5" "$6")
"; }

# ---- build the helpers ----------------------------------------------------------------------
mkdir -p "$OUT" || exit 1
if [ ! -f "$BUILD/libtfg.a" ]; then
    echo "bench: $BUILD/libtfg.a not found: run 'make tfg' first" >&2
    exit 1
fi
"$CC" -O2 -std=c11 -Wall -o "$OUT/wallclock" bench/wallclock.c || { echo "bench: cannot build wallclock" >&2; exit 1; }
"$CC" -O2 -std=c11 -Wall -D_GNU_SOURCE -I. -I"$BUILD" -I/usr/include/x86_64-linux-gnu \
    -o "$OUT/bench_core" bench/bench_core.c "$BUILD/libtfg.a" -lz -lm -lpthread -ldl ||
    { echo "bench: cannot build bench_core against $BUILD/libtfg.a" >&2; exit 1; }

HAVE_NUMPY=1
if ! "$PY" -c 'import numpy' 2>/dev/null; then
    echo "bench: numpy missing for $PY; trying tools/install-deps.sh" >&2
    sh tools/install-deps.sh >&2 || true
    "$PY" -c 'import numpy' 2>/dev/null || { HAVE_NUMPY=0; fail "numpy not importable by $PY: the numpy peers cannot run"; }
fi

info=$("$OUT/bench_core" info) || fail "bench_core info"
CORENAME=$(val corename "$info")
echo "== tfg benchmarks vs peers ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $NCPU CPUs)"
LOAD=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
echo "load average ${LOAD:-?} on $NCPU CPUs$(awk -v l="${LOAD:-0}" -v n="$NCPU" 'BEGIN { if (l + 0 > 0.5 * n) print " -- BUSY MACHINE: multi-threaded figures will be noisy; rerun when idle" }')"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-<unset>}  openblas_get_corename()=${CORENAME:-?}  OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS  tfg threads=$(val tfg_threads "$info")"

# ---- 1. start-up ----------------------------------------------------------------------------
echo
echo "== 1. start-up: whole process, median of 20 runs after 2 warm-ups (interleaved)"
su_t=""; su_n=""
if [ ! -x "$TFG" ] || [ ! -f samples/matmul.tfg ]; then
    fail "$TFG or samples/matmul.tfg missing"
else
    got=$("$TFG" run samples/matmul.tfg 2>&1)
    if [ "$got" != "[[12.]]" ]; then
        fail "$TFG run samples/matmul.tfg printed '$got', expected [[12.]]"
    elif [ $HAVE_NUMPY = 1 ]; then
        wc=$("$OUT/wallclock" -n 20 -w 2 "$TFG" run samples/matmul.tfg :: "$PY" -c "import numpy" :: /bin/true) ||
            fail "wallclock"
        l0=$(printf '%s\n' "$wc" | grep 'cmd=0'); l1=$(printf '%s\n' "$wc" | grep 'cmd=1'); l2=$(printf '%s\n' "$wc" | grep 'cmd=2')
        su_t=$(val median_ms "$l0"); su_n=$(val median_ms "$l1")
        echo "  tfg run samples/matmul.tfg     median $su_t ms (min $(val min_ms "$l0"), max $(val max_ms "$l0"))"
        echo "  python3 -c 'import numpy'      median $su_n ms (min $(val min_ms "$l1"), max $(val max_ms "$l1"))"
        echo "  /bin/true (harness floor)      median $(val median_ms "$l2") ms"
    fi
fi
r=$(calc 'a/b' "$su_n" "$su_t")
row "start-up (ms)" "${su_t:-n/a}" "import numpy ${su_n:-n/a}" "${r:+${r}x}" ">= 50x" "$(verdict "$r" ge 50)"

# ---- 2. matmul ------------------------------------------------------------------------------
echo
echo "== 2. MatMul 2048x2048 float32: tfg session vs cblas_sgemm, median of 11 each (alternating) after a warm-up"
mm=$("$OUT/bench_core" matmul 2048 11) || fail "bench_core matmul"
mm_t=$(val tfg_gflops "$mm"); mm_c=$(val cblas_gflops "$mm")
echo "  tfg   $(val tfg_ms "$mm") ms = $mm_t GFLOP/s"
echo "  cblas $(val cblas_ms "$mm") ms = $mm_c GFLOP/s   (threads $(val threads "$mm"), core $(val corename "$mm"), max |diff| $(val maxdiff "$mm"))"
r=$(calc 'a/b' "$mm_t" "$mm_c")
row "matmul 2048 (GFLOP/s)" "${mm_t:-n/a}" "cblas_sgemm ${mm_c:-n/a}" "$r" ">= 0.95" "$(verdict "$r" ge 0.95)"
# small product, informational: tfg runs k <= 384 float32 products in TF's (oneDNN's) FMA-chain
# order with its own loop instead of OpenBLAS, so this shows what bit-exactness costs
ms=$("$OUT/bench_core" matmul 128 201) || fail "bench_core matmul 128"
ms_t=$(val tfg_gflops "$ms"); ms_c=$(val cblas_gflops "$ms")
echo "  128x128x128 (info): tfg $(val tfg_ms "$ms") ms = $ms_t GFLOP/s, cblas $(val cblas_ms "$ms") ms = $ms_c GFLOP/s (median of 201)"
r=$(calc 'a/b' "$ms_t" "$ms_c")
row "matmul 128 (GFLOP/s)" "${ms_t:-n/a}" "cblas_sgemm ${ms_c:-n/a}" "$r" "(info)" "info"

# ---- 3. elementwise add ---------------------------------------------------------------------
N_ADD=16777216
echo
echo "== 3. Add of 16M float32 (12 bytes/element, result allocated per run): 3 alternating rounds"
echo "      (tfg process, numpy process) of 15 runs after a warm-up; figure = median of the round medians"
ad_ts=""; ad_ns=""
for round in 1 2 3; do
    ad=$("$OUT/bench_core" add $N_ADD 15) || { fail "bench_core add"; break; }
    ad_ts="$ad_ts $(val tfg_gbs "$ad")"
    line="  round $round: tfg $(val tfg_gbs "$ad") GB/s (best $(val best_gbs "$ad"), $(val threads "$ad") threads)"
    if [ $HAVE_NUMPY = 1 ]; then
        np=$("$PY" bench/peers.py add $N_ADD 15) || { fail "numpy add"; break; }
        ad_ns="$ad_ns $(val np_gbs "$np")"
        line="$line   numpy $(val np_gbs "$np") GB/s (best $(val best_gbs "$np"), single-threaded)"
    fi
    echo "$line"
done
med3() { printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
ad_t=$(med3 "$ad_ts"); ad_n=$(med3 "$ad_ns")
echo "  tfg   $ad_t GB/s   numpy $ad_n GB/s   (numpy ${np:+$(val numpy "$np"), its OpenBLAS core $(val corename "$np")})"
r=$(calc 'a/b' "$ad_t" "$ad_n")
row "add 16M (GB/s)" "${ad_t:-n/a}" "np.add ${ad_n:-n/a}" "$r" ">= 1.0" "$(verdict "$r" ge 1.0)"

# ---- 4. dispatch ----------------------------------------------------------------------------
echo
echo "== 4. per-op dispatch: 1000 chained AddV2 on 2-element float32, one session run, median of 1000 runs"
dp=$("$OUT/bench_core" dispatch 1000 1000) || fail "bench_core dispatch"
dp_t=$(val tfg_ns_per_op "$dp")
echo "  tfg   $dp_t ns/op (best $(val best_ns_per_op "$dp"); first run incl. planning $(val first_run_ns_per_op "$dp"); graph build $(val build_ns_per_node "$dp") ns/node)"
dp_n=""; torch_s="torch: not installed"
if [ $HAVE_NUMPY = 1 ]; then
    ov=$("$PY" bench/peers.py overhead) || fail "numpy overhead"
    dp_n=$(val numpy_ns_per_op "$ov")
    echo "  numpy a + b  $dp_n ns/op (timeit 7 x 100k; loop floor $(val loop_floor_ns "$ov") ns)"
    tl=$(printf '%s\n' "$ov" | grep 'torch_ns_per_op' || true)
    if [ -n "$tl" ]; then
        torch_s="torch $(val torch "$tl") eager a + b $(val torch_ns_per_op "$tl") ns/op"
    fi
    echo "  $torch_s"
fi
r=$(calc 'a/b' "$dp_n" "$dp_t")
row "dispatch (ns/op)" "${dp_t:-n/a}" "numpy a+b ${dp_n:-n/a}" "${r:+${r}x}" "<= 100 ns" "$(verdict "$dp_t" le 100)"

# ---- 5. the MNIST tutorial recipe -------------------------------------------------------------
FC_THREADS=${FC_THREADS:-1}
echo
echo "== 5. MNIST fully_connected_feed recipe on Fashion-MNIST, $FC_THREADS thread(s): tfg vs numpy and PyTorch,"
echo "      whole process median of 5 interleaved runs after a warm-up (bench/fc_feed.py)"
fc_t=""; fc_n=""; fcw_t=""; fcw_n=""; fcr_t=""; fca_t=""; fca_n=""
if [ $HAVE_NUMPY = 0 ]; then
    fail "numpy missing: no fully_connected_feed peers"
elif [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    fail "no Fashion-MNIST in /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist: make deps)"
else
    fc=$("$PY" bench/fc_feed.py --tfg "$TFG" --peers "${PEERS:-../shared/peers}" --runs 5 --warmups 1 \
         --threads "$FC_THREADS" --tutorial --tfg-all) || fail "bench/fc_feed.py"
    printf '%s\n' "$fc" | grep -v '^RESULT' | sed 's/^/  /'
    l_t=$(printf '%s\n' "$fc" | grep 'cmd=tfg '); l_n=$(printf '%s\n' "$fc" | grep 'cmd=numpy ')
    l_p=$(printf '%s\n' "$fc" | grep 'cmd=torch '); l_u=$(printf '%s\n' "$fc" | grep 'cmd=tutorial ')
    l_a=$(printf '%s\n' "$fc" | grep 'cmd=tfg-all ')
    fc_t=$(val ms_per_step "$l_t"); fc_n=$(val ms_per_step "$l_n")
    fcw_t=$(val wall_s "$l_t"); fcw_n=$(val wall_s "$l_n")
    fcr_t=$(val peak_rss_mib "$l_t"); fcr_n=$(val peak_rss_mib "$l_n")
    fca_t=$(val test_acc "$l_t"); fca_n=$(val test_acc "$l_n")
    [ -n "$(val status "$l_n")" ] && echo "  numpy peer: $(val status "$l_n") (PEERS=${PEERS:-../shared/peers})"
    if [ -n "$(val wall_s "$l_p")" ]; then
        echo "  torch: $(val ms_per_step "$l_p") ms/step, $(val wall_s "$l_p") s, $(val peak_rss_mib "$l_p") MiB, acc $(val test_acc "$l_p")"
    else
        echo "  torch: not installed"
    fi
fi
r=$(calc 'a/b' "$fc_t" "$fc_n")
row "fc_feed ms/step" "${fc_t:-n/a}" "numpy ${fc_n:-n/a}" "$r" "<= 0.8" "$(verdict "$r" le 0.8)"
r=$(calc 'a/b' "$fcw_t" "$fcw_n")
row "fc_feed process (s)" "${fcw_t:-n/a}" "numpy ${fcw_n:-n/a}" "$r" "<= 0.5" "$(verdict "$r" le 0.5)"
# tfg as users run it (a thread per CPU) against the same numpy runs ($FC_THREADS thread(s): numpy's
# fastest setting on this net, see ../shared/peers/README.md)
fca_ms=$(val ms_per_step "${l_a:-}"); fca_w=$(val wall_s "${l_a:-}")
r=$(calc 'a/b' "$fca_ms" "$fc_n")
row "fc_feed ms/step, tfg ${NCPU}thr" "${fca_ms:-n/a}" "numpy ${fc_n:-n/a}" "$r" "<= 0.8" "$(verdict "$r" le 0.8)"
r=$(calc 'a/b' "$fca_w" "$fcw_n")
row "fc_feed process, tfg ${NCPU}thr" "${fca_w:-n/a}" "numpy ${fcw_n:-n/a}" "$r" "<= 0.5" "$(verdict "$r" le 0.5)"
row "fc_feed peak RSS (MiB)" "${fcr_t:-n/a}" "numpy ${fcr_n:-n/a}" "$(calc 'a/b' "$fcr_t" "$fcr_n")" "<= 120 MiB" "$(verdict "$fcr_t" le 120)"
d=$(awk -v a="$fca_t" -v b="$fca_n" 'BEGIN { if (a == "" || b == "") print ""; else { d = a - b; if (d < 0) d = -d; printf "%.4f", d } }')
row "fc_feed test accuracy" "${fca_t:-n/a}" "numpy ${fca_n:-n/a}" "${d:+|d| $d}" "|d| <= 0.01" "$(verdict "$d" le 0.01)"
row "tutorial sample (s)" "$(val wall_s "${l_u:-}")" "(evals, checkpoints)" "" "(info)" "info"

# ---- summary --------------------------------------------------------------------------------
echo
echo "== summary (core ${CORENAME:-?}, $OPENBLAS_NUM_THREADS threads; ratio: start-up and dispatch = peer/tfg, others = tfg/peer; $torch_s)"
printf '%-26s %-16s %-30s %-10s %-12s %s\n' "figure" "tfg" "peer" "ratio" "target" "result"
printf '%s' "$TABLE"
echo "(bench took $(( $(date +%s) - START )) s)"
if [ $failed != 0 ]; then
    echo "bench: some measurements could not run (see ERROR lines above)" >&2
    exit 1
fi
exit 0
