/* k_matmul.c — matrix products (tfg_k_matmul).
 *
 * float32/float64 call cblas_sgemm/cblas_dgemm (through blas.h, loaded on
 * first use; small products use a plain loop) straight on the tensors'
 * row-major data, the transposes passed as flags (no copies). Integer types
 * use a plain i-p-j loop that wraps on overflow. Rank >= 3 is TF's
 * BatchMatMulV2: the leading dims broadcast (numpy rules) and each batch is
 * one GEMM call on the matching slices. Results may differ from TF's Eigen
 * contraction in the last bits (summation order), never more.
 */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("fp-contract=off")

#include "kernels.h"

#include "blas.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define K_MM_X86 1
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Formats the TF message for mismatched inner dimensions (TF 2.x appends
 * the two adjoint flags, as its BatchMatMul kernel prints them). */
static int k_mm_size_error(const tfg_tensor *a, const tfg_tensor *b, bool ta, bool tb,
                           tfg_error *err)
{
    char s1[256], s2[256];
    tfg_tensor_shape_str(a->rank, a->shape, s1, sizeof s1);
    tfg_tensor_shape_str(b->rank, b->shape, s2, sizeof s2);
    return tfg_error_set(err, "Matrix size-incompatible: In[0]: %s, In[1]: %s %d %d", s1, s2,
                         (int)ta, (int)tb);
}

/* Defines NAME, the integer matmul of one batch: C[m,n] = op(A) op(B),
 * element (i,p) of op(A) at a[i*ais + p*aps], (p,j) of op(B) at b[p*bps + j*bjs]. */
#define K_INT_MM(NAME, T, U)                                                         \
    static void NAME(const T *a, const T *b, T *c, int64_t m, int64_t n, int64_t k,     \
                     int64_t ais, int64_t aps, int64_t bps, int64_t bjs)               \
    {                                                                                \
        for (int64_t i = 0; i < m; i++) {                                            \
            U *row = (U *)(void *)(c + i * n);                                       \
            for (int64_t p = 0; p < k; p++) {                                        \
                U av = (U)a[i * ais + p * aps];                                      \
                const T *bp = b + p * bps;                                           \
                for (int64_t j = 0; j < n; j++)                                      \
                    row[j] = (U)(row[j] + av * (U)bp[j * bjs]);                      \
            }                                                                        \
        }                                                                            \
    }
K_INT_MM(k_mm_i32, int32_t, uint32_t)
K_INT_MM(k_mm_i64, int64_t, uint64_t)
K_INT_MM(k_mm_u8, uint8_t, uint8_t)
K_INT_MM(k_mm_f32, float, float)
K_INT_MM(k_mm_f64, double, double)

/* One BLAS product C = op(A) op(B), cut among threads (k_gemm). */
typedef struct {
    bool f64, ta, tb, split_n;
    int64_t m, n, k, lda, ldb;
    const char *a, *b;
    char *c;
} k_gemm_job;

/* Rows [lo, hi) of C (or columns, when split_n) as one single-threaded BLAS call. */
static void k_gemm_chunk(void *p, int64_t lo, int64_t hi)
{
    const k_gemm_job *j = p;
    size_t es = j->f64 ? sizeof(double) : sizeof(float);
    const char *a = j->a, *b = j->b;
    char *c = j->c;
    int64_t m = j->m, n = j->n;
    if (j->split_n) {
        b += (size_t)(j->tb ? lo * j->ldb : lo) * es;
        c += (size_t)lo * es;
        n = hi - lo;
    } else {
        a += (size_t)(j->ta ? lo : lo * j->lda) * es;
        c += (size_t)(lo * j->n) * es;
        m = hi - lo;
    }
    if (j->f64)
        tfg_blas_dgemm(j->ta, j->tb, (int)m, (int)n, (int)j->k, 1.0, (const double *)(const void *)a,
                       (int)j->lda, (const double *)(const void *)b, (int)j->ldb, 0.0,
                       (double *)(void *)c, (int)j->n);
    else
        tfg_blas_sgemm(j->ta, j->tb, (int)m, (int)n, (int)j->k, 1.0f, (const float *)(const void *)a,
                       (int)j->lda, (const float *)(const void *)b, (int)j->ldb, 0.0f,
                       (float *)(void *)c, (int)j->n);
}

/* Multiply-adds below which a product stays on one thread, and the least a
 * thread's share may hold: above OpenBLAS's small-matrix limit (10^6 on
 * SkylakeX), so that the whole product and every share run the same kernels
 * (with smaller shares the bits would depend on the thread count). */
#define K_GEMM_PAR_MIN (1 << 21)
#define K_GEMM_PAR_CHUNK (1 << 20)
/* From this many multiply-adds (a 512^3 product), OpenBLAS's own threads. */
#define K_GEMM_LIB_MIN (1 << 27)

/* C[m,n] = op(A) op(B) through OpenBLAS (single-threaded), the larger of m
 * and n cut into per-thread blocks of whole multiples of 16 rows or columns,
 * each over K_GEMM_PAR_CHUNK multiply-adds: each element is computed by the
 * same kernel over the same k blocks as in one call, so the split does not
 * change the bits, only the time. */
static void k_gemm(bool f64, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const char *a,
                   int64_t lda, const char *b, int64_t ldb, char *c)
{
    k_gemm_job j = { f64, ta, tb, n > m, m, n, k, lda, ldb, a, b, c };
    int64_t dim = j.split_n ? n : m, other = j.split_n ? m : n;
    int nt = tfg_k_threads();
    int64_t min_chunk = K_GEMM_PAR_CHUNK / (other * k) + 1;
    if (min_chunk < 16)
        min_chunk = 16;
    /* one call per thread where every block is large enough (each packs its
     * operands once), as tfg_k_parallel_affine cuts them */
    int64_t per = tfg_k_affine_block(dim, 16);
    int64_t last = dim - (dim - 1) / per * per;
    if (m * n * k < K_GEMM_PAR_MIN || nt < 2 || dim < 2 * min_chunk) {
        k_gemm_chunk(&j, 0, dim);
    } else if (m * n * k >= K_GEMM_LIB_MIN) {
        /* large: OpenBLAS threads it itself, sharing its packed panels among
         * its threads (cut in m or n as well: the same bits as one thread) */
        int t = tfg_k_exclusive_begin();
        if (t > 1)
            tfg_blas_set_threads(t);
        k_gemm_chunk(&j, 0, dim);
        if (t > 1)
            tfg_blas_set_threads(1);
        tfg_k_exclusive_end(t);
    }
    else if (per >= min_chunk && last >= min_chunk)
        tfg_k_parallel_affine(dim, 16, k_gemm_chunk, &j);
    else
        tfg_k_parallel_grain(dim, min_chunk, 16, k_gemm_chunk, &j);
}

/* Below this many multiply-adds a plain loop beats loading and calling
 * OpenBLAS (which tfg loads lazily, see blas.h). */
#define K_MM_SMALL 32768

/* TensorFlow runs float32 MatMul through oneDNN. For rank-2 products with
 * k <= 384 (one K block) its kernels accumulate each C element as a chain
 * of fused multiply-adds in k order from 0, which k_mm_f32_fma reproduces
 * bit for bit, in these cases (measured against TF 2.21 with static
 * shapes, every m, n and k tried): no transposes unless m > 1 and n == 1;
 * transpose_a alone; both transposes with m > 1. The other cases (b
 * transposed alone, matrix-vector forms, K > 384, batched products) run
 * other oneDNN kernels whose order we do not reproduce: there we keep the
 * plain loop or OpenBLAS, equal to TF within rounding. */
#define K_MM_FMA_MAXK 384
#define K_MM_FMA_MAXWORK (1 << 22)
/* Up to this many multiply-adds, float32 products whose b rows are
 * contiguous use the same AVX-512 tiles at any k (faster than OpenBLAS's
 * packing calls there; bits: one FMA chain per element, k in order). */
#define K_MM_OWN_MAXWORK (1 << 25)
/* ... and, with b transposed, whose b (copied with contiguous rows first) is
 * at most this many elements. */
#define K_MM_OWN_MAXCOPY (1 << 16)

/* Defines NAME: C = op(A) op(B) with c[i,j] = fma(a(i,p), b(p,j), c[i,j])
 * for p = 0, 1, ... (the strides as in K_INT_MM). */
#define K_FMA_MM(NAME, ATTR)                                                         \
    ATTR static void NAME(const float *a, const float *b, float *c, int64_t m,          \
                          int64_t n, int64_t k, int64_t ais, int64_t aps, int64_t bps,  \
                          int64_t bjs)                                               \
    {                                                                                \
        for (int64_t i = 0; i < m; i++) {                                            \
            float *restrict row = c + i * n;                                         \
            for (int64_t p = 0; p < k; p++) {                                        \
                float av = a[i * ais + p * aps];                                     \
                const float *restrict bp = b + p * bps;                              \
                if (bjs == 1)                                                        \
                    for (int64_t j = 0; j < n; j++)                                  \
                        row[j] = fmaf(av, bp[j], row[j]);                            \
                else                                                                 \
                    for (int64_t j = 0; j < n; j++)                                  \
                        row[j] = fmaf(av, bp[j * bjs], row[j]);                      \
            }                                                                        \
        }                                                                            \
    }
/* the same loop compiled for FMA hardware (vectorised), and a portable one */
K_FMA_MM(k_mm_f32_fma_hw, __attribute__((target("fma"), optimize("O3"))))
K_FMA_MM(k_mm_f32_fma_sw, )

/* The same products (b's rows contiguous, bjs == 1) with output tiles of 4
 * rows x 32 columns held in AVX-512 registers across the whole k loop: each
 * c[i,j] is still +0 then fma(a(i,p), b(p,j), .) for p = 0, 1, ... in order,
 * so the bits are those of the loop above (fused false: c + a*b rounded
 * twice, as K_INT_MM's float loop). Column tails use masked loads
 * and stores (masked-off lanes are never touched). */
#ifdef K_MM_X86
/* Writes a finished tile row: c = acc, or (lrp, a fused update) c = c - acc * lr,
 * multiply and subtract rounded apart as ApplyGradientDescent's loop does. */
__attribute__((target("avx512f"), always_inline)) static inline void k_mm_out(float *o, __mmask16 mk, __m512 acc,
                                                                           const float *lrp)
{
    if (lrp)
        acc = _mm512_sub_ps(_mm512_maskz_loadu_ps(mk, o), _mm512_mul_ps(acc, _mm512_set1_ps(*lrp)));
    _mm512_mask_storeu_ps(o, mk, acc);
}
#define K_MM512_MADD(x, b, c)                                                              \
    (fused ? _mm512_fmadd_ps(x, b, c) : _mm512_add_ps(c, _mm512_mul_ps(x, b)))
__attribute__((target("avx512f,fma"), optimize("O3", "fp-contract=off"), always_inline)) static inline void
k_mm_f32_tile512(const float *a, const float *b, float *c, int64_t m, int64_t n, int64_t k,
                 int64_t ais, int64_t aps, int64_t bps, int64_t ldc, const bool fused, const float *lrp)
{
    for (int64_t j0 = 0; j0 < n; j0 += 32) {
        int64_t w = n - j0 < 32 ? n - j0 : 32;
        __mmask16 m0 = w >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << w) - 1u);
        __mmask16 m1 = w >= 32 ? (__mmask16)0xFFFF
                               : w > 16 ? (__mmask16)((1u << (w - 16)) - 1u) : (__mmask16)0;
        const float *bj = b + j0;
        int64_t i = 0;
        if (m1) {
            for (; i + 4 <= m; i += 4) {
                const float *a0 = a + i * ais, *a1 = a0 + ais, *a2 = a1 + ais, *a3 = a2 + ais;
                __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
                __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
                __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
                __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
                const float *bp = bj;
                for (int64_t p = 0, ap = 0; p < k; p++, ap += aps, bp += bps) {
                    __m512 b0 = _mm512_maskz_loadu_ps(m0, bp);
                    __m512 b1 = _mm512_maskz_loadu_ps(m1, bp + 16);
                    __m512 x = _mm512_set1_ps(a0[ap]);
                    c00 = K_MM512_MADD(x, b0, c00);
                    c01 = K_MM512_MADD(x, b1, c01);
                    x = _mm512_set1_ps(a1[ap]);
                    c10 = K_MM512_MADD(x, b0, c10);
                    c11 = K_MM512_MADD(x, b1, c11);
                    x = _mm512_set1_ps(a2[ap]);
                    c20 = K_MM512_MADD(x, b0, c20);
                    c21 = K_MM512_MADD(x, b1, c21);
                    x = _mm512_set1_ps(a3[ap]);
                    c30 = K_MM512_MADD(x, b0, c30);
                    c31 = K_MM512_MADD(x, b1, c31);
                }
                float *o = c + i * ldc + j0;
                k_mm_out(o, m0, c00, lrp);
                k_mm_out(o + 16, m1, c01, lrp);
                o += ldc;
                k_mm_out(o, m0, c10, lrp);
                k_mm_out(o + 16, m1, c11, lrp);
                o += ldc;
                k_mm_out(o, m0, c20, lrp);
                k_mm_out(o + 16, m1, c21, lrp);
                o += ldc;
                k_mm_out(o, m0, c30, lrp);
                k_mm_out(o + 16, m1, c31, lrp);
            }
        } else {
            /* at most 16 columns: 8 rows at a time */
            for (; i + 8 <= m; i += 8) {
                __m512 acc[8];
                for (int r = 0; r < 8; r++)
                    acc[r] = _mm512_setzero_ps();
                const float *a0 = a + i * ais;
                const float *bp = bj;
                for (int64_t p = 0, ap = 0; p < k; p++, ap += aps, bp += bps) {
                    __m512 b0 = _mm512_maskz_loadu_ps(m0, bp);
                    for (int r = 0; r < 8; r++)
                        acc[r] = K_MM512_MADD(_mm512_set1_ps(a0[r * ais + ap]), b0, acc[r]);
                }
                for (int r = 0; r < 8; r++)
                    k_mm_out(c + (i + r) * ldc + j0, m0, acc[r], lrp);
            }
        }
        for (; i < m; i++) {
            const float *a0 = a + i * ais;
            __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
            const float *bp = bj;
            for (int64_t p = 0, ap = 0; p < k; p++, ap += aps, bp += bps) {
                __m512 x = _mm512_set1_ps(a0[ap]);
                c00 = K_MM512_MADD(x, _mm512_maskz_loadu_ps(m0, bp), c00);
                if (m1)
                    c01 = K_MM512_MADD(x, _mm512_maskz_loadu_ps(m1, bp + 16), c01);
            }
            k_mm_out(c + i * ldc + j0, m0, c00, lrp);
            if (m1)
                k_mm_out(c + i * ldc + j0 + 16, m1, c01, lrp);
        }
    }
}


/* Defines NAME, the bulk of a product in tiles of R rows x 16V columns held
 * in R*V registers (6 x 64: 4 loads of b and 6 broadcasts of a per 24
 * multiply-adds; 12 x 32 for 32-column strips), the same chain per element
 * as above; m a multiple of R and n of 16V. */
#define K_MM_TILE(NAME, R, V)                                                                       \
    __attribute__((target("avx512f,fma"), optimize("O3", "fp-contract=off"), always_inline)) static inline \
    void NAME(const float *a, const float *b, float *c, int64_t m, int64_t n, int64_t k, int64_t ais,  \
              int64_t aps, int64_t bps, int64_t ldc, const bool fused, const float *lrp)            \
    {                                                                                               \
        for (int64_t j0 = 0; j0 < n; j0 += 16 * (V))                                                \
            for (int64_t i = 0; i < m; i += (R)) {                                                  \
                __m512 acc[R][V];                                                                   \
                _Pragma("GCC unroll 12") for (int r = 0; r < (R); r++)                              \
                    _Pragma("GCC unroll 4") for (int v = 0; v < (V); v++)                           \
                        acc[r][v] = _mm512_setzero_ps();                                            \
                const float *a0 = a + i * ais, *bp = b + j0;                                        \
                for (int64_t p = 0, ap = 0; p < k; p++, ap += aps, bp += bps) {                     \
                    __m512 bv[V];                                                                   \
                    _Pragma("GCC unroll 4") for (int v = 0; v < (V); v++)                           \
                        bv[v] = _mm512_loadu_ps(bp + 16 * v);                                       \
                    _Pragma("GCC unroll 12") for (int r = 0; r < (R); r++) {                        \
                        __m512 x = _mm512_set1_ps(a0[r * ais + ap]);                                \
                        _Pragma("GCC unroll 4") for (int v = 0; v < (V); v++)                       \
                            acc[r][v] = K_MM512_MADD(x, bv[v], acc[r][v]);                          \
                    }                                                                               \
                }                                                                                   \
                _Pragma("GCC unroll 12") for (int r = 0; r < (R); r++)                              \
                    _Pragma("GCC unroll 4") for (int v = 0; v < (V); v++)                           \
                        k_mm_out(c + (i + r) * ldc + j0 + 16 * v, (__mmask16)0xFFFF, acc[r][v], lrp); \
            }                                                                                       \
    }
K_MM_TILE(k_mm_f32_tile6x64, 6, 4)
K_MM_TILE(k_mm_f32_tile12x32, 12, 2)
#undef K_MM512_MADD

/* C[m,n] (row stride ldc) = op(A) op(B): 6 x 64 tiles where they fit, a
 * 32-column strip in 12 x 32 tiles, the 4 x 32 masked tiles for the edges. */
__attribute__((target("avx512f,fma"), optimize("O3", "fp-contract=off"), always_inline)) static inline void
k_mm_f32_tiles(const float *a, const float *b, float *c, int64_t m, int64_t n, int64_t k, int64_t ais,
               int64_t aps, int64_t bps, int64_t ldc, const bool fused, const float *lrp)
{
    int64_t m6 = m / 6 * 6, n64 = n / 64 * 64;
    if (m6 && n64)
        k_mm_f32_tile6x64(a, b, c, m6, n64, k, ais, aps, bps, ldc, fused, lrp);
    if (m6 < m && n64)
        k_mm_f32_tile512(a + m6 * ais, b, c + m6 * ldc, m - m6, n64, k, ais, aps, bps, ldc, fused, lrp);
    int64_t m12 = m / 12 * 12, n32 = n - n64 >= 32 ? n64 + 32 : n64;
    if (n32 > n64 && m12) {   /* a 32-column strip: 12-row tiles */
        k_mm_f32_tile12x32(a, b + n64, c + n64, m12, 32, k, ais, aps, bps, ldc, fused, lrp);
        if (m12 < m)
            k_mm_f32_tile512(a + m12 * ais, b + n64, c + m12 * ldc + n64, m - m12, 32, k, ais, aps, bps, ldc,
                             fused, lrp);
        n64 = n32;
    }
    if (n64 < n)
        k_mm_f32_tile512(a, b + n64, c + n64, m, n - n64, k, ais, aps, bps, ldc, fused, lrp);
}

/* One tiled product cut among threads (each element's chain is the same
 * either way): into a block of 64-column multiples per thread, each block on
 * the same thread in every call (tfg_k_parallel_affine), when n allows: a
 * layer's weights [k, n] are then read in the product x @ W, written in its
 * gradient x^T @ dy and updated (see ApplyGradientDescent) by one core per
 * column block, and stay in that core's cache; else in blocks of whole
 * 6-row tiles claimed as threads come free. */
typedef struct {
    const float *a, *b;
    float *c;
    int64_t m, n, k, ais, aps, bps;
    bool fused, split_n;
    const float *lrp;   /* set: c -= product * *lrp instead of c = product */
} k_tile_job;

__attribute__((target("avx512f,fma"), optimize("O3", "fp-contract=off"))) static void
k_mm_f32_tile_chunk(void *p, int64_t lo, int64_t hi)
{
    const k_tile_job *j = p;
    const float *a = j->a, *b = j->b;
    float *c = j->c;
    int64_t m = j->m, n = j->n;
    if (j->split_n) {   /* columns [lo, hi) */
        b += lo;
        c += lo;
        n = hi - lo;
    } else {            /* rows [lo, hi) */
        a += lo * j->ais;
        c += lo * j->n;
        m = hi - lo;
    }
    /* two call sites, so that `fused` is a constant inside each inlined copy */
    if (j->fused)
        k_mm_f32_tiles(a, b, c, m, n, j->k, j->ais, j->aps, j->bps, j->n, true, j->lrp);
    else
        k_mm_f32_tiles(a, b, c, m, n, j->k, j->ais, j->aps, j->bps, j->n, false, j->lrp);
}

/* Multiply-adds from which a tiled product is shared among threads. */
#define K_TILE_PAR_MIN (1 << 21)

static void k_mm_f32_tiled(const float *a, const float *b, float *c, int64_t m, int64_t n, int64_t k,
                           int64_t ais, int64_t aps, int64_t bps, bool fused, const float *lrp)
{
    int nt = tfg_k_threads();
    k_tile_job j = { a, b, c, m, n, k, ais, aps, bps, fused, n >= 64 * nt, lrp };
    if (m * n * k < K_TILE_PAR_MIN || nt < 2)
        k_mm_f32_tile_chunk(&j, 0, j.split_n ? n : m);
    else if (j.split_n)   /* column blocks, each on the same thread every time */
        tfg_k_parallel_affine(n, 64, k_mm_f32_tile_chunk, &j);
    else
        tfg_k_parallel_grain(m, 12, 6, k_mm_f32_tile_chunk, &j);
}

static bool k_mm_have512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}
#else
static bool k_mm_have512(void) { return false; }
#endif

/* op(B) as a new k x n array with contiguous rows (NULL when out of memory). */
static float *k_mm_rows(const float *b, int64_t n, int64_t k, int64_t bps, int64_t bjs)
{
    float *bt = malloc(sizeof(float) * (size_t)(k * n));
    if (bt)
        for (int64_t p = 0; p < k; p++)
            for (int64_t j = 0; j < n; j++)
                bt[p * n + j] = b[p * bps + j * bjs];
    return bt;
}

/* The AVX-512 tiles (fused: the FMA chain; else multiply, round, add) when the
 * CPU has them, b's rows first copied contiguous when they are strided;
 * false when they cannot run. lrp: c -= product * *lrp instead of c = product. */
static bool k_mm_f32_try512(const float *a, const float *b, float *c, int64_t m, int64_t n, int64_t k,
                            int64_t ais, int64_t aps, int64_t bps, int64_t bjs, bool fused, const float *lrp)
{
#ifdef K_MM_X86
    if (!k_mm_have512())
        return false;
    float *bt = NULL;
    if (bjs != 1) {
        if (!(bt = k_mm_rows(b, n, k, bps, bjs)))
            return false;
        b = bt;
        bps = n;
    }
    k_mm_f32_tiled(a, b, c, m, n, k, ais, aps, bps, fused, lrp);
    free(bt);
    return true;
#else
    (void)a, (void)b, (void)c, (void)m, (void)n, (void)k, (void)ais, (void)aps, (void)bps, (void)bjs, (void)fused;
    (void)lrp;
    return false;
#endif
}

/* The FMA chain: AVX-512 tiles, else the FMA-hardware loop when the CPU has
 * it (fmaf is exact either way). c need not be zeroed beforehand. */
static void k_mm_f32_fma(const float *a, const float *b, float *c, int64_t m, int64_t n,
                         int64_t k, int64_t ais, int64_t aps, int64_t bps, int64_t bjs)
{
    if (k_mm_f32_try512(a, b, c, m, n, k, ais, aps, bps, bjs, true, NULL))
        return;
    memset(c, 0, sizeof(float) * (size_t)(m * n));
    if (__builtin_cpu_supports("fma"))
        k_mm_f32_fma_hw(a, b, c, m, n, k, ais, aps, bps, bjs);
    else
        k_mm_f32_fma_sw(a, b, c, m, n, k, ais, aps, bps, bjs);
}

/* The plain float loop (K_INT_MM's k_mm_f32: c[i,j] = c[i,j] + a(i,p) * b(p,j),
 * p in order from +0) on c, zeroed or not: AVX-512 tiles where the CPU has
 * them. */
static void k_mm_f32_small(const float *a, const float *b, float *c, int64_t m, int64_t n,
                           int64_t k, int64_t ais, int64_t aps, int64_t bps, int64_t bjs)
{
    if (k_mm_f32_try512(a, b, c, m, n, k, ais, aps, bps, bjs, false, NULL))
        return;
    memset(c, 0, sizeof(float) * (size_t)(m * n));
    k_mm_f32(a, b, c, m, n, k, ais, aps, bps, bjs);
}

/* The float32 kernels tfg_k_matmul picks: OpenBLAS, the plain multiply-add
 * tiles (small products), or the FMA chain (TF's order; mid-sized products). */
enum { K_F32_BLAS, K_F32_SMALL, K_F32_CHAIN };
static int k_mm_f32_path(int rbat, int64_t m, int64_t n, int64_t k, bool ta, bool tb)
{
    bool small = m * n * k <= K_MM_SMALL;
    bool tf_fma = rbat == 0 && k <= K_MM_FMA_MAXK && m * n * k <= K_MM_FMA_MAXWORK &&
                  ((!ta && !tb && !(n == 1 && m > 1)) || (ta && !tb) || (ta && tb && m > 1));
    /* mid-sized products: the same tiles, which need no packing and beat
     * OpenBLAS's calls at these sizes */
    bool own = (!tb || k * n <= K_MM_OWN_MAXCOPY) && !small && !tf_fma && m * n * k <= K_MM_OWN_MAXWORK &&
               k_mm_have512();
    return tf_fma || own ? K_F32_CHAIN : small ? K_F32_SMALL : K_F32_BLAS;
}

/* c -= lr * op(a) op(b) (see kernels.h). */
int tfg_k_matmul_update(const tfg_tensor *a, const tfg_tensor *b, bool ta, bool tb, float lr, tfg_tensor *c)
{
    if (a->dtype != TFG_FLOAT32 || b->dtype != TFG_FLOAT32 || c->dtype != TFG_FLOAT32 || a->rank != 2 ||
        b->rank != 2 || c->rank != 2)
        return 0;
    int64_t m = a->shape[ta ? 1 : 0], k = a->shape[ta ? 0 : 1];
    int64_t kb = b->shape[tb ? 1 : 0], n = b->shape[tb ? 0 : 1];
    if (k != kb || k == 0 || m * n == 0 || c->shape[0] != m || c->shape[1] != n)
        return 0;
    int path = k_mm_f32_path(0, m, n, k, ta, tb);
    if (path == K_F32_BLAS)
        return 0;
    int64_t lda = a->shape[1], ldb = b->shape[1];
    return k_mm_f32_try512(a->data, b->data, c->data, m, n, k, ta ? 1 : lda, ta ? lda : 1, tb ? 1 : ldb,
                           tb ? ldb : 1, path == K_F32_CHAIN, &lr);
}

/* a @ b (with optional transposes) for rank >= 2, batch dims broadcast. */
int tfg_k_matmul(const tfg_tensor *a, const tfg_tensor *b, bool ta, bool tb,
                 tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (a->dtype != b->dtype)
        return tfg_error_set(err,
                             "cannot compute MatMul as input #1(zero-based) was expected to be "
                             "a %s tensor but is a %s tensor",
                             tfg_dtype_tf_name(a->dtype), tfg_dtype_tf_name(b->dtype));
    if (a->dtype == TFG_BOOL)
        return tfg_error_set(err, "No OpKernel was registered to support Op 'MatMul' with "
                                  "these attrs: [T=DT_BOOL]");
    for (int w = 0; w < 2; w++) {
        const tfg_tensor *t = w ? b : a;
        if (t->rank < 2) {
            char s[256];
            tfg_tensor_shape_str(t->rank, t->shape, s, sizeof s);
            return tfg_error_set(err, "In[%d] is not a matrix. Instead it has shape %s", w, s);
        }
    }
    int ra = a->rank, rb = b->rank;
    int64_t m = ta ? a->shape[ra - 1] : a->shape[ra - 2];
    int64_t k = ta ? a->shape[ra - 2] : a->shape[ra - 1];
    int64_t kb = tb ? b->shape[rb - 1] : b->shape[rb - 2];
    int64_t n = tb ? b->shape[rb - 2] : b->shape[rb - 1];
    if (k != kb)
        return k_mm_size_error(a, b, ta, tb, err);
    /* batch dims: broadcast of the leading dims */
    int rbat = 0;
    int64_t bshape[TFG_MAX_RANK];
    if (tfg_k_broadcast_shape(ra - 2, a->shape, rb - 2, b->shape, &rbat, bshape, NULL)) {
        char s1[256], s2[256];
        tfg_tensor_shape_str(a->rank, a->shape, s1, sizeof s1);
        tfg_tensor_shape_str(b->rank, b->shape, s2, sizeof s2);
        return tfg_error_set(err,
                             "In[0] and In[1] must have compatible batch dimensions: %s vs. %s",
                             s1, s2);
    }
    int64_t oshape[TFG_MAX_RANK];
    memcpy(oshape, bshape, sizeof(int64_t) * (size_t)rbat);
    oshape[rbat] = m;
    oshape[rbat + 1] = n;
    /* float32 products write every element (see below); the others add into zeros */
    tfg_tensor *o = a->dtype == TFG_FLOAT32 && k > 0
                        ? tfg_tensor_new_uninit(a->dtype, rbat + 2, oshape, err)
                        : tfg_tensor_new(a->dtype, rbat + 2, oshape, err);
    if (!o)
        return -1;
    *out = o;
    if (o->size == 0 || k == 0)
        return 0; /* empty, or a sum over nothing: the zeros already there */
    int64_t nbatch = o->size / (m * n);
    /* per-batch-dim element strides of a and b (0 where broadcast) */
    int64_t sta[TFG_MAX_RANK], stb[TFG_MAX_RANK];
    int64_t amat = a->shape[ra - 2] * a->shape[ra - 1], bmat = b->shape[rb - 2] * b->shape[rb - 1];
    for (int w = 0; w < 2; w++) {
        const tfg_tensor *t = w ? b : a;
        int64_t *st = w ? stb : sta;
        int off = rbat - (t->rank - 2);
        int64_t s = w ? bmat : amat;
        for (int d = rbat - 1; d >= 0; d--) {
            int64_t dim = d >= off ? t->shape[d - off] : 1;
            st[d] = dim == 1 ? 0 : s;
            s *= dim;
        }
    }
    int64_t lda = a->shape[ra - 1], ldb = b->shape[rb - 1];
    if (tfg_dtype_is_float(a->dtype) &&
        (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX || lda > INT32_MAX || ldb > INT32_MAX)) {
        tfg_tensor_unref(o);
        *out = NULL;
        return tfg_error_set(err, "MatMul dimensions exceed the BLAS limit of %d", INT32_MAX);
    }
    size_t esz = tfg_dtype_size(a->dtype);
    bool small = m * n * k <= K_MM_SMALL;
    int f32 = a->dtype == TFG_FLOAT32 ? k_mm_f32_path(rbat, m, n, k, ta, tb) : K_F32_BLAS;
    if ((a->dtype == TFG_FLOAT32 ? f32 == K_F32_BLAS : a->dtype == TFG_FLOAT64 && !small) && tfg_blas_load(err)) {
        tfg_tensor_unref(o);
        *out = NULL;
        return -1;
    }
    for (int64_t bi = 0; bi < nbatch; bi++) {
        int64_t oa = 0, ob = 0, rem = bi;
        for (int d = rbat - 1; d >= 0; d--) {
            int64_t idx = rem % bshape[d];
            rem /= bshape[d];
            oa += idx * sta[d];
            ob += idx * stb[d];
        }
        const char *pa = (const char *)a->data + oa * (int64_t)esz;
        const char *pb = (const char *)b->data + ob * (int64_t)esz;
        char *pc = (char *)o->data + bi * m * n * (int64_t)esz;
        /* element strides of op(A)(i,p) and op(B)(p,j) for the integer loops */
        int64_t ais = ta ? 1 : lda, aps = ta ? lda : 1;
        int64_t bps = tb ? 1 : ldb, bjs = tb ? ldb : 1;
        switch (a->dtype) {
        case TFG_FLOAT32:
            if (f32 == K_F32_CHAIN)
                k_mm_f32_fma((const float *)pa, (const float *)pb, (float *)pc, m, n, k, ais, aps,
                             bps, bjs);
            else if (f32 == K_F32_SMALL)
                k_mm_f32_small((const float *)pa, (const float *)pb, (float *)pc, m, n, k, ais, aps,
                               bps, bjs);
            else
                k_gemm(false, ta, tb, m, n, k, pa, lda, pb, ldb, pc);
            break;
        case TFG_FLOAT64:
            if (small)
                k_mm_f64((const double *)pa, (const double *)pb, (double *)pc, m, n, k, ais, aps, bps, bjs);
            else
                k_gemm(true, ta, tb, m, n, k, pa, lda, pb, ldb, pc);
            break;
        case TFG_INT32:
            k_mm_i32((const int32_t *)pa, (const int32_t *)pb, (int32_t *)pc, m, n, k, ais, aps,
                     bps, bjs);
            break;
        case TFG_INT64:
            k_mm_i64((const int64_t *)pa, (const int64_t *)pb, (int64_t *)pc, m, n, k, ais, aps,
                     bps, bjs);
            break;
        default:
            k_mm_u8((const uint8_t *)pa, (const uint8_t *)pb, (uint8_t *)pc, m, n, k, ais, aps,
                    bps, bjs);
            break;
        }
    }
    return 0;
}
