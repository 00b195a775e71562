/* blas.c — dlopen'ed OpenBLAS with the core-type choice described in blas.h. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blas.h"

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int, const double *, int,
                         double, double *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*corename_fn)(void);

/* The loaded library: written once under pthread_once, read-only after. */
static struct {
    pthread_once_t once;
    void *handle;
    sgemm_fn sgemm;
    dgemm_fn dgemm;
    set_threads_fn set_threads;
    corename_fn corename;
    char error[256];
} lib = { PTHREAD_ONCE_INIT, NULL, NULL, NULL, NULL, NULL, "" };

/* Chooses OPENBLAS_CORETYPE from the CPU when the user has not set it. */
static void choose_coretype(void)
{
    if (getenv("OPENBLAS_CORETYPE")) return;
    const char *o = getenv("TFG_OPENBLAS_CORETYPE");
    if (o && strcmp(o, "none") == 0) return;
    if (o && *o && strcmp(o, "auto") != 0) { setenv("OPENBLAS_CORETYPE", o, 1); return; }
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        setenv("OPENBLAS_CORETYPE", "Haswell", 1);
#endif
}

/* pthread_once body: finds and binds the library. */
static void load_once(void)
{
    static const char *const names[] = { "libopenblas.so.0", "libopenblas.so", "libblas.so.3" };
    choose_coretype();
    /* OpenBLAS runs single-threaded: tfg cuts products among its own threads
     * (runtime/k_matmul.c), and a second pool would only compete with them.
     * The library reads the variable while it loads; the caller's value is
     * put back afterwards. */
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    char *saved = env ? strdup(env) : NULL;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    for (size_t i = 0; i < sizeof names / sizeof *names && !lib.handle; i++)
        lib.handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (saved) setenv("OPENBLAS_NUM_THREADS", saved, 1);
    else unsetenv("OPENBLAS_NUM_THREADS");
    free(saved);
    if (!lib.handle) {
        snprintf(lib.error, sizeof lib.error, "cannot load OpenBLAS (libopenblas.so.0): %s", dlerror());
        return;
    }
    lib.sgemm = (sgemm_fn)dlsym(lib.handle, "cblas_sgemm");
    lib.dgemm = (dgemm_fn)dlsym(lib.handle, "cblas_dgemm");
    lib.set_threads = (set_threads_fn)dlsym(lib.handle, "openblas_set_num_threads");
    lib.corename = (corename_fn)dlsym(lib.handle, "openblas_get_corename");
    if (!lib.sgemm || !lib.dgemm) {
        snprintf(lib.error, sizeof lib.error, "OpenBLAS lacks cblas_sgemm/cblas_dgemm");
        lib.sgemm = NULL;
        return;
    }
    if (lib.set_threads) lib.set_threads(1);
    /* check the chosen kernels on a small product against a plain loop */
    enum { N = 24 };
    float a[N * N], b[N * N], c[N * N];
    for (int i = 0; i < N * N; i++) {
        a[i] = (float)((i * 7) % 13) - 6.0f;
        b[i] = (float)((i * 5) % 11) - 5.0f;
    }
    lib.sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, N, N, N, 1.0f, a, N, b, N, 0.0f, c, N);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            float want = 0;
            for (int k = 0; k < N; k++) want += a[i * N + k] * b[k * N + j];
            if (c[i * N + j] != want) {   /* small integers: every order is exact */
                const char *ct = getenv("OPENBLAS_CORETYPE");
                snprintf(lib.error, sizeof lib.error,
                         "OpenBLAS (core type %s) computes wrong products on this CPU; set "
                         "OPENBLAS_CORETYPE to another core type or TFG_OPENBLAS_CORETYPE=none",
                         ct ? ct : "auto");
                lib.sgemm = NULL;
                return;
            }
        }
}

int tfg_blas_load(tfg_error *err)
{
    pthread_once(&lib.once, load_once);
    if (!lib.sgemm) return tfg_error_set(err, "%s", lib.error);
    return 0;
}

void tfg_blas_sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
                    const float *b, int ldb, float beta, float *c, int ldc)
{
    lib.sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c,
              ldc);
}

void tfg_blas_dgemm(bool ta, bool tb, int m, int n, int k, double alpha, const double *a, int lda,
                    const double *b, int ldb, double beta, double *c, int ldc)
{
    lib.dgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c,
              ldc);
}

void tfg_blas_set_threads(int n)
{
    if (lib.set_threads && n > 0) lib.set_threads(n);
}

const char *tfg_blas_corename(void)
{
    if (!lib.handle || !lib.corename) return "not loaded";
    return lib.corename();
}
