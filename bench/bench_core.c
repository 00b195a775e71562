/* bench_core.c — in-process benchmarks of the tfg core library against raw peers.
 *
 * Usage: bench_core info
 *        bench_core matmul   [N=2048] [REPS=7]   tfg MatMul of two Consts vs cblas_sgemm
 *        bench_core add      [N=16M]  [REPS=10]  tfg Add of two Consts (allocating output)
 *        bench_core dispatch [OPS=1000] [RUNS=300] chain of OPS AddV2 on 2-element tensors
 *
 * Graphs are built with the C API (tfg_graph_add_op) and run with
 * tfg_session_run; every timed figure is the median of REPS runs after one
 * warm-up run (which also builds and caches the session's plan). The thread
 * count is $OPENBLAS_NUM_THREADS when set (else the number of CPUs), passed to
 * the session (tfg_session_opts.threads: tfg cuts products among that many
 * threads, each calling OpenBLAS single-threaded) and set as OpenBLAS's own
 * count around each raw cblas_sgemm call (back to 1 for tfg's turns), so the
 * tfg run and the raw cblas_sgemm run use the same threads.
 * tfg loads OpenBLAS itself, lazily (dlopen of libopenblas.so.0); this program does
 * the same for its raw calls (bench_blas), so both sides run the one loaded
 * instance with one thread setting, and the add/dispatch modes run, like tfg,
 * without OpenBLAS (and its idle, spinning pool threads) in the process.
 * Output: "RESULT key=value ..." lines for bench/run.sh; errors go to stderr
 * and exit 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cblas.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/graph.h"
#include "src/session.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *what, const tfg_error *err)
{
    fprintf(stderr, "bench_core: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

/* The raw peer: OpenBLAS's entry points from libopenblas.so.0, loaded on demand. */
static struct {
    __typeof__(cblas_sgemm) *sgemm;
    __typeof__(openblas_get_corename) *corename;
    __typeof__(openblas_get_num_threads) *get_threads;
    __typeof__(openblas_set_num_threads) *set_threads;
} blas;

static void bench_blas(void)
{
    if (blas.sgemm)
        return;
    void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "bench_core: cannot load libopenblas.so.0: %s\n", dlerror());
        exit(1);
    }
    blas.sgemm = (__typeof__(blas.sgemm))dlsym(h, "cblas_sgemm");
    blas.corename = (__typeof__(blas.corename))dlsym(h, "openblas_get_corename");
    blas.get_threads = (__typeof__(blas.get_threads))dlsym(h, "openblas_get_num_threads");
    blas.set_threads = (__typeof__(blas.set_threads))dlsym(h, "openblas_set_num_threads");
    if (!blas.sgemm || !blas.corename || !blas.get_threads || !blas.set_threads) {
        fprintf(stderr, "bench_core: libopenblas.so.0 lacks cblas_sgemm/openblas_get_*\n");
        exit(1);
    }
}

static int bench_threads(void)
{
    const char *e = getenv("OPENBLAS_NUM_THREADS");
    int n = e ? atoi(e) : 0;
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    return n;
}

/* A float32 tensor of the given shape filled with uniform [-1, 1) numbers. */
static tfg_tensor *rand_tensor(int rank, const int64_t *shape, uint64_t seed)
{
    tfg_error err;
    tfg_tensor *t = tfg_tensor_new(TFG_FLOAT32, rank, shape, &err);
    if (!t)
        die("tfg_tensor_new", &err);
    float *p = t->data;
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (int64_t i = 0; i < t->size; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        p[i] = (float)((double)(s >> 40) / (double)(1ULL << 24) * 2.0 - 1.0);
    }
    return t;
}

static tfg_node *add_const(tfg_graph *g, const char *name, tfg_tensor *t)
{
    tfg_error err;
    tfg_attrs at = {.value = t, .dtype = TFG_FLOAT32};
    tfg_node *n = tfg_graph_add_op(g, "Const", name, NULL, 0, &at, (tfg_loc){0, 0, 0}, &err);
    if (!n)
        die("Const", &err);
    return n;
}

static tfg_node *add_bin(tfg_graph *g, const char *type, tfg_node *a, tfg_node *b)
{
    tfg_error err;
    tfg_attrs at = {.dtype = TFG_FLOAT32};
    tfg_endpoint in[2] = {{a, 0}, {b, 0}};
    tfg_node *n = tfg_graph_add_op(g, type, NULL, in, 2, &at, (tfg_loc){0, 0, 0}, &err);
    if (!n)
        die(type, &err);
    return n;
}

static tfg_session *new_session(tfg_graph *g)
{
    tfg_session_opts o = {.threads = bench_threads()};
    tfg_session *s = tfg_session_new(g, &o);
    if (!s)
        die("tfg_session_new", NULL);
    return s;
}

/* One timed session run of a single fetch; the result is released. */
static double time_run(tfg_session *s, tfg_node *fetch, tfg_tensor **keep)
{
    tfg_error err;
    tfg_endpoint f = {fetch, 0};
    tfg_tensor *r = NULL;
    double t0 = now_s();
    if (tfg_session_run(s, &f, 1, NULL, 0, NULL, 0, &r, &err))
        die("tfg_session_run", &err);
    double t = now_s() - t0;
    if (keep) {
        tfg_tensor_unref(*keep);
        *keep = r;
    } else
        tfg_tensor_unref(r);
    return t;
}

static int cmd_info(void)
{
    int n = bench_threads();
    bench_blas();
    tfg_k_set_threads(n);
    printf("RESULT corename=%s openblas_threads=%d tfg_threads=%d\n", blas.corename(),
           blas.get_threads(), tfg_k_threads());
    return 0;
}

/* tfg MatMul vs cblas_sgemm on the same buffers, alternating runs. */
static int cmd_matmul(int64_t n, int reps)
{
    int64_t sh[2] = {n, n};
    tfg_tensor *ta = rand_tensor(2, sh, 1), *tb = rand_tensor(2, sh, 2);
    tfg_graph *g = tfg_graph_new();
    tfg_node *a = add_const(g, "a", ta), *b = add_const(g, "b", tb);
    tfg_node *mm = add_bin(g, "MatMul", a, b);
    tfg_session *s = new_session(g);
    /* the raw peer's output: allocated like tfg's (64-byte aligned, huge-page advice), once */
    tfg_error err;
    tfg_tensor *tcc = tfg_tensor_new(TFG_FLOAT32, 2, sh, &err);
    if (!tcc)
        die("tfg_tensor_new", &err);
    float *c = tcc->data;
    double *tt = malloc(sizeof *tt * (size_t)reps), *tc = malloc(sizeof *tc * (size_t)reps);
    tfg_tensor *res = NULL;
    time_run(s, mm, &res); /* warm-up: plan, tfg loads OpenBLAS, its buffers */
    bench_blas();          /* the same library instance, already loaded by tfg */
    int nthreads = bench_threads();
    blas.set_threads(nthreads);
    blas.sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0f, ta->data,
                (int)n, tb->data, (int)n, 0.0f, c, (int)n);
    blas.set_threads(1);
    for (int r = 0; r < 2 * reps; r++) {   /* alternating, each side first half the time */
        if ((r & 1) == (r / 2 & 1)) {
            tt[r / 2] = time_run(s, mm, NULL);
        } else {
            blas.set_threads(nthreads);   /* the raw peer threads inside OpenBLAS */
            double t0 = now_s();
            blas.sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0f,
                        ta->data, (int)n, tb->data, (int)n, 0.0f, c, (int)n);
            tc[r / 2] = now_s() - t0;
            blas.set_threads(1);   /* tfg's calls are single-threaded: it splits them itself */
        }
    }
    /* same numbers? (same library, same call: should be bit-identical) */
    double maxdiff = 0;
    const float *pr = res->data;
    for (int64_t i = 0; i < n * n; i++) {
        double d = pr[i] > c[i] ? pr[i] - c[i] : c[i] - pr[i];
        if (d > maxdiff)
            maxdiff = d;
    }
    double flop = 2.0 * (double)n * (double)n * (double)n;
    double mt = median(tt, reps), mc = median(tc, reps);
    printf("RESULT n=%lld reps=%d threads=%d corename=%s tfg_ms=%.3f cblas_ms=%.3f "
           "tfg_gflops=%.1f cblas_gflops=%.1f maxdiff=%g\n",
           (long long)n, reps, nthreads, blas.corename(), mt * 1e3,
           mc * 1e3, flop / mt * 1e-9, flop / mc * 1e-9, maxdiff);
    tfg_tensor_unref(res);
    tfg_session_free(s);
    tfg_graph_free(g);
    tfg_tensor_unref(ta);
    tfg_tensor_unref(tb);
    tfg_tensor_unref(tcc);
    free(tt);
    free(tc);
    return 0;
}

/* tfg Add of two n-element Consts; output allocated by each run (as np.add(a, b)). */
static int cmd_add(int64_t n, int reps)
{
    tfg_tensor *ta = rand_tensor(1, &n, 3), *tb = rand_tensor(1, &n, 4);
    tfg_graph *g = tfg_graph_new();
    tfg_node *a = add_const(g, "a", ta), *b = add_const(g, "b", tb);
    tfg_node *add = add_bin(g, "Add", a, b);
    tfg_session *s = new_session(g);
    double *tt = malloc(sizeof *tt * (size_t)reps);
    tfg_tensor *res = NULL;
    time_run(s, add, &res);
    const float *pa = ta->data, *pb = tb->data, *pr = res->data;
    for (int64_t i = 0; i < n; i += 4099)
        if (pr[i] != pa[i] + pb[i]) {
            fprintf(stderr, "bench_core: add: wrong result at %lld\n", (long long)i);
            return 1;
        }
    tfg_tensor_unref(res);
    for (int r = 0; r < reps; r++)
        tt[r] = time_run(s, add, NULL);
    double mt = median(tt, reps);
    printf("RESULT n=%lld reps=%d threads=%d tfg_ms=%.3f tfg_gbs=%.2f best_gbs=%.2f\n",
           (long long)n, reps, tfg_k_threads(), mt * 1e3, 12.0 * (double)n / mt * 1e-9,
           12.0 * (double)n / tt[0] * 1e-9);
    tfg_session_free(s);
    tfg_graph_free(g);
    tfg_tensor_unref(ta);
    tfg_tensor_unref(tb);
    free(tt);
    return 0;
}

/* x -> x + c -> (x + c) + c ... : ops AddV2 nodes on 2-element float32 tensors. */
static int cmd_dispatch(int ops, int runs)
{
    int64_t two = 2;
    tfg_tensor *tx = rand_tensor(1, &two, 5), *tc = rand_tensor(1, &two, 6);
    ((float *)tx->data)[0] = 1.0f;
    ((float *)tx->data)[1] = 2.0f;
    ((float *)tc->data)[0] = 1.0f;
    ((float *)tc->data)[1] = 0.5f;
    tfg_graph *g = tfg_graph_new();
    tfg_node *x = add_const(g, "x", tx), *c = add_const(g, "c", tc);
    tfg_node *last = x;
    double t0 = now_s();
    for (int i = 0; i < ops; i++)
        last = add_bin(g, "AddV2", last, c);
    double tbuild = now_s() - t0;
    tfg_session *s = new_session(g);
    tfg_tensor *res = NULL;
    double first = time_run(s, last, &res); /* plans */
    const float *pr = res->data;
    if (pr[0] != 1.0f + (float)ops || pr[1] != 2.0f + 0.5f * (float)ops) {
        fprintf(stderr, "bench_core: dispatch: wrong result %g %g\n", pr[0], pr[1]);
        return 1;
    }
    tfg_tensor_unref(res);
    double *tt = malloc(sizeof *tt * (size_t)runs);
    for (int r = 0; r < runs; r++)
        tt[r] = time_run(s, last, NULL);
    double best = tt[0];
    for (int r = 1; r < runs; r++)
        if (tt[r] < best)
            best = tt[r];
    double mt = median(tt, runs);
    printf("RESULT ops=%d runs=%d tfg_ns_per_op=%.1f best_ns_per_op=%.1f first_run_ns_per_op=%.1f "
           "build_ns_per_node=%.1f\n",
           ops, runs, mt / ops * 1e9, best / ops * 1e9, first / ops * 1e9, tbuild / ops * 1e9);
    tfg_session_free(s);
    tfg_graph_free(g);
    tfg_tensor_unref(tx);
    tfg_tensor_unref(tc);
    free(tt);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    long long a1 = argc > 2 ? atoll(argv[2]) : 0;
    int a2 = argc > 3 ? atoi(argv[3]) : 0;
    if (!strcmp(cmd, "info"))
        return cmd_info();
    if (!strcmp(cmd, "matmul"))
        return cmd_matmul(a1 > 0 ? a1 : 2048, a2 > 0 ? a2 : 7);
    if (!strcmp(cmd, "add"))
        return cmd_add(a1 > 0 ? a1 : 16LL << 20, a2 > 0 ? a2 : 10);
    if (!strcmp(cmd, "dispatch"))
        return cmd_dispatch(a1 > 0 ? (int)a1 : 1000, a2 > 0 ? a2 : 300);
    fprintf(stderr, "usage: bench_core info | matmul [N] [REPS] | add [N] [REPS] | dispatch [OPS] [RUNS]\n");
    return 2;
}
