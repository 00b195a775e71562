/* blas.h — OpenBLAS, loaded on first use (module prefix tfg_blas_).
 *
 * tfg does not link OpenBLAS: the library starts its thread pool when it is
 * loaded, which would cost every `tfg run` milliseconds, so it is dlopen'ed
 * the first time a GEMM is large enough to need it. Before loading, when
 * OPENBLAS_CORETYPE is unset, the core type is chosen from the CPU's
 * features (AVX-512: SkylakeX, AVX2: Haswell), because Debian's OpenBLAS
 * 0.3.21 does not recognise recent Intel CPUs and falls back to slow SSE3
 * kernels; TFG_OPENBLAS_CORETYPE=auto|none|NAME overrides that choice
 * (none: leave OpenBLAS's own detection). Once loaded, a small product is
 * checked against a plain loop; a library that computes it wrongly is not
 * used (GEMMs then fail with a message naming the core type). OpenBLAS runs
 * single-threaded (OPENBLAS_NUM_THREADS=1 at load): tfg's kernels cut
 * products among their own threads, with calls made concurrently from them,
 * except the largest, which OpenBLAS threads itself while tfg's pool sleeps
 * (its threads then idle as OpenBLAS's own settings say, yielding the CPU).
 * The loaded library's function
 * pointers are process-wide and immutable once set (guarded by pthread_once).
 */
#ifndef TFG_BLAS_H
#define TFG_BLAS_H

#include <stdbool.h>
#include "tensor.h"

/* Loads the library (idempotent); -1 with err when it cannot be found. */
int tfg_blas_load(tfg_error *err);
/* Row-major C = alpha op(A) op(B) + beta C, as cblas_sgemm / cblas_dgemm. */
void tfg_blas_sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
                    const float *b, int ldb, float beta, float *c, int ldc);
void tfg_blas_dgemm(bool ta, bool tb, int m, int n, int k, double alpha, const double *a, int lda,
                    const double *b, int ldb, double beta, double *c, int ldc);
/* OpenBLAS's own thread count: 1 (its setting at load) except around one
 * large product inside tfg_k_exclusive_begin/end (runtime/k_matmul.c). */
void tfg_blas_set_threads(int n);
/* The kernel set OpenBLAS chose ("SkylakeX"), or "not loaded". */
const char *tfg_blas_corename(void);

#endif
