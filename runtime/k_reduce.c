/* k_reduce.c — reductions over axes, argmax/argmin, softmax (tfg_k_).
 *
 * A reduction first drops size-1 dims and merges neighbouring dims that are
 * both reduced or both kept. The shapes that remain are [K0, R, K1] (any of
 * them possibly 1): K1 == 1 folds contiguous runs of R elements; K1 > 1
 * folds rows of K1 elements into K1 accumulators at once (vectorised across
 * the row). Anything else (reduced and kept dims interleaved twice or more)
 * is transposed to [kept..., reduced...] first. Large inputs are split
 * across threads by output rows, or, for a few long runs, into a fixed 64
 * blocks per run whose partial results are combined in order: the split
 * depends on the sizes only, never on the thread count, so results do not
 * change with --threads.
 *
 * float32/float64 SUM, MEAN and PROD follow TensorFlow's CPU order of
 * operations exactly (see "in TensorFlow's order" below): same bits as TF.
 * The other reductions are exact whatever the order:
 *   integer sum and prod wrap in their own type (TF: uint8 200+100+3 = 47);
 *   integer mean accumulates in int64 and truncates (TF: int32 mean of
 *   [2^31-1, 1, 5] is 715827884, uint8 mean of [200,100,3] is 101);
 *   max/min propagate NaN; empty max/min give -inf/+inf (floats) or the
 *   type's lowest/highest; an empty float mean is NaN, an integer one 0;
 *   all/any read any dtype as truth values and give bool.
 */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("O3", "fp-contract=off")

#include "kernels.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The pieces of one (reduction, dtype): an accumulator type A, an element
 * type T and an output type O, handled through void pointers. */
typedef struct {
    size_t asz, osz;
    /* acc[0..n) = identity */
    void (*init)(void *acc, int64_t n);
    /* acc[0] = fold of acc[0] and x[0..n) */
    void (*fold)(const void *x, int64_t n, void *acc);
    /* acc[j] = fold of acc[j] and x[r*ld + j] for r < R, j < n */
    void (*cols)(const void *x, int64_t R, int64_t ld, int64_t n, void *acc);
    /* acc[0] = combine(acc[0], other[0]) */
    void (*comb)(void *acc, const void *other);
    /* out[j] = final value of acc[j], count elements having been folded */
    void (*fin)(const void *acc, int64_t n, int64_t count, void *out);
} k_red_impl;

/* Defines the k_red_impl NAME from its element type T, accumulator A,
 * output O, identity INIT and the functions STEP(A, T), COMB(A, A),
 * FIN(A, count). */
#define K_RED_IMPL(NAME, T, A, O, INIT, STEP, COMB, FIN)                             \
    static void NAME##_init(void *vacc, int64_t n)                                   \
    {                                                                                \
        A *acc = vacc;                                                               \
        for (int64_t i = 0; i < n; i++)                                              \
            acc[i] = INIT;                                                           \
    }                                                                                \
    static void NAME##_fold(const void *vx, int64_t n, void *vacc)                   \
    {                                                                                \
        const T *x = vx;                                                             \
        A l[8];                                                                      \
        for (int j = 0; j < 8; j++)                                                  \
            l[j] = INIT;                                                             \
        int64_t i = 0;                                                               \
        for (; i + 8 <= n; i += 8)                                                   \
            for (int j = 0; j < 8; j++)                                              \
                l[j] = STEP(l[j], x[i + j]);                                         \
        for (; i < n; i++)                                                           \
            l[0] = STEP(l[0], x[i]);                                                 \
        A a = *(A *)vacc;                                                            \
        for (int j = 0; j < 8; j++)                                                  \
            a = COMB(a, l[j]);                                                       \
        *(A *)vacc = a;                                                              \
    }                                                                                \
    static void NAME##_cols(const void *vx, int64_t R, int64_t ld, int64_t n,         \
                            void *vacc)                                              \
    {                                                                                \
        const T *x = vx;                                                             \
        A *restrict acc = vacc;                                                      \
        for (int64_t r = 0; r < R; r++) {                                            \
            const T *restrict row = x + r * ld;                                      \
            for (int64_t j = 0; j < n; j++)                                          \
                acc[j] = STEP(acc[j], row[j]);                                       \
        }                                                                            \
    }                                                                                \
    static void NAME##_comb(void *va, const void *vb)                                \
    {                                                                                \
        *(A *)va = COMB(*(A *)va, *(const A *)vb);                                   \
    }                                                                                \
    static void NAME##_fin(const void *vacc, int64_t n, int64_t count, void *vout)   \
    {                                                                                \
        const A *acc = vacc;                                                         \
        O *out = vout;                                                               \
        for (int64_t j = 0; j < n; j++)                                              \
            out[j] = FIN(acc[j], count);                                             \
    }                                                                                \
    static const k_red_impl NAME = {sizeof(A),    sizeof(O),    NAME##_init,         \
                                    NAME##_fold,  NAME##_cols,  NAME##_comb,         \
                                    NAME##_fin};

/* ---- element functions ------------------------------------------------------ */

/* Sums and products in the accumulator type A. */
#define K_ARITH_STEPS(S, T, A)                                                       \
    static inline A add_##S(A a, T v) { return (A)(a + (A)v); }                      \
    static inline A addc_##S(A a, A b) { return (A)(a + b); }                        \
    static inline A mul_##S(A a, T v) { return (A)(a * (A)v); }                      \
    static inline A mulc_##S(A a, A b) { return (A)(a * b); }
K_ARITH_STEPS(f32, float, double)
K_ARITH_STEPS(f64, double, double)
K_ARITH_STEPS(i32, int32_t, uint32_t)
K_ARITH_STEPS(i64, int64_t, uint64_t)
K_ARITH_STEPS(u8, uint8_t, uint8_t)
K_ARITH_STEPS(f32p, float, float) /* float32 product: in float, as TF */
K_ARITH_STEPS(m32, int32_t, int64_t)
K_ARITH_STEPS(mu8, uint8_t, int64_t)

/* Final values: sums cast back, means divided, for each type. */
static inline float fin_sum_f32(double a, int64_t c) { (void)c; return (float)a; }
static inline double fin_id_f64(double a, int64_t c) { (void)c; return a; }
static inline float fin_id_f32(float a, int64_t c) { (void)c; return a; }
static inline int32_t fin_id_i32(uint32_t a, int64_t c) { (void)c; return (int32_t)a; }
static inline int64_t fin_id_i64(uint64_t a, int64_t c) { (void)c; return (int64_t)a; }
static inline uint8_t fin_id_u8(uint8_t a, int64_t c) { (void)c; return a; }
static inline float fin_mean_f32(double a, int64_t c) { return (float)a / (float)c; }
static inline double fin_mean_f64(double a, int64_t c) { return a / (double)c; }
static inline int32_t fin_mean_i32(int64_t a, int64_t c) { return c ? (int32_t)(uint32_t)(uint64_t)(a / c) : 0; }
static inline int64_t fin_mean_i64(uint64_t a, int64_t c) { return c ? (int64_t)a / c : 0; }
static inline uint8_t fin_mean_u8(int64_t a, int64_t c) { return c ? (uint8_t)(a / c) : 0; }

/* max/min steps: floats keep the first NaN, ints compare. */
#define K_MINMAX_STEPS(S, T)                                                         \
    static inline T max_##S(T a, T v) { return (v > a || v != v) ? v : a; }         \
    static inline T min_##S(T a, T v) { return (v < a || v != v) ? v : a; }         \
    static inline T fin_mm_##S(T a, int64_t c) { (void)c; return a; }
K_MINMAX_STEPS(f32, float)
K_MINMAX_STEPS(f64, double)
K_MINMAX_STEPS(i32, int32_t)
K_MINMAX_STEPS(i64, int64_t)
K_MINMAX_STEPS(u8, uint8_t)

/* all/any over truth values of any type. */
#define K_LOGIC_STEPS(S, T)                                                          \
    static inline uint8_t all_##S(uint8_t a, T v) { return a & (v != 0); }           \
    static inline uint8_t any_##S(uint8_t a, T v) { return a | (v != 0); }
K_LOGIC_STEPS(f32, float)
K_LOGIC_STEPS(f64, double)
K_LOGIC_STEPS(i32, int32_t)
K_LOGIC_STEPS(i64, int64_t)
K_LOGIC_STEPS(u8, uint8_t)
static inline uint8_t and_b(uint8_t a, uint8_t b) { return a & b; }
static inline uint8_t or_b(uint8_t a, uint8_t b) { return a | b; }
static inline uint8_t fin_b(uint8_t a, int64_t c) { (void)c; return a; }

/* ---- the implementations ------------------------------------------------------ */

K_RED_IMPL(k_sum_f32, float, double, float, 0.0, add_f32, addc_f32, fin_sum_f32)
K_RED_IMPL(k_sum_f64, double, double, double, 0.0, add_f64, addc_f64, fin_id_f64)
K_RED_IMPL(k_sum_i32, int32_t, uint32_t, int32_t, 0, add_i32, addc_i32, fin_id_i32)
K_RED_IMPL(k_sum_i64, int64_t, uint64_t, int64_t, 0, add_i64, addc_i64, fin_id_i64)
K_RED_IMPL(k_sum_u8, uint8_t, uint8_t, uint8_t, 0, add_u8, addc_u8, fin_id_u8)
K_RED_IMPL(k_mean_f32, float, double, float, 0.0, add_f32, addc_f32, fin_mean_f32)
K_RED_IMPL(k_mean_f64, double, double, double, 0.0, add_f64, addc_f64, fin_mean_f64)
K_RED_IMPL(k_mean_i32, int32_t, int64_t, int32_t, 0, add_m32, addc_m32, fin_mean_i32)
K_RED_IMPL(k_mean_i64, int64_t, uint64_t, int64_t, 0, add_i64, addc_i64, fin_mean_i64)
K_RED_IMPL(k_mean_u8, uint8_t, int64_t, uint8_t, 0, add_mu8, addc_mu8, fin_mean_u8)
K_RED_IMPL(k_prod_f32, float, float, float, 1.0f, mul_f32p, mulc_f32p, fin_id_f32)
K_RED_IMPL(k_prod_f64, double, double, double, 1.0, mul_f64, mulc_f64, fin_id_f64)
K_RED_IMPL(k_prod_i32, int32_t, uint32_t, int32_t, 1, mul_i32, mulc_i32, fin_id_i32)
K_RED_IMPL(k_prod_i64, int64_t, uint64_t, int64_t, 1, mul_i64, mulc_i64, fin_id_i64)
K_RED_IMPL(k_prod_u8, uint8_t, uint8_t, uint8_t, 1, mul_u8, mulc_u8, fin_id_u8)
K_RED_IMPL(k_max_f32, float, float, float, -INFINITY, max_f32, max_f32, fin_mm_f32)
K_RED_IMPL(k_max_f64, double, double, double, -INFINITY, max_f64, max_f64, fin_mm_f64)
K_RED_IMPL(k_max_i32, int32_t, int32_t, int32_t, INT32_MIN, max_i32, max_i32, fin_mm_i32)
K_RED_IMPL(k_max_i64, int64_t, int64_t, int64_t, INT64_MIN, max_i64, max_i64, fin_mm_i64)
K_RED_IMPL(k_max_u8, uint8_t, uint8_t, uint8_t, 0, max_u8, max_u8, fin_mm_u8)
K_RED_IMPL(k_min_f32, float, float, float, INFINITY, min_f32, min_f32, fin_mm_f32)
K_RED_IMPL(k_min_f64, double, double, double, INFINITY, min_f64, min_f64, fin_mm_f64)
K_RED_IMPL(k_min_i32, int32_t, int32_t, int32_t, INT32_MAX, min_i32, min_i32, fin_mm_i32)
K_RED_IMPL(k_min_i64, int64_t, int64_t, int64_t, INT64_MAX, min_i64, min_i64, fin_mm_i64)
K_RED_IMPL(k_min_u8, uint8_t, uint8_t, uint8_t, UINT8_MAX, min_u8, min_u8, fin_mm_u8)
K_RED_IMPL(k_minb_u8, uint8_t, uint8_t, uint8_t, 1, min_u8, min_u8, fin_mm_u8)
K_RED_IMPL(k_all_f32, float, uint8_t, uint8_t, 1, all_f32, and_b, fin_b)
K_RED_IMPL(k_all_f64, double, uint8_t, uint8_t, 1, all_f64, and_b, fin_b)
K_RED_IMPL(k_all_i32, int32_t, uint8_t, uint8_t, 1, all_i32, and_b, fin_b)
K_RED_IMPL(k_all_i64, int64_t, uint8_t, uint8_t, 1, all_i64, and_b, fin_b)
K_RED_IMPL(k_all_u8, uint8_t, uint8_t, uint8_t, 1, all_u8, and_b, fin_b)
K_RED_IMPL(k_any_f32, float, uint8_t, uint8_t, 0, any_f32, or_b, fin_b)
K_RED_IMPL(k_any_f64, double, uint8_t, uint8_t, 0, any_f64, or_b, fin_b)
K_RED_IMPL(k_any_i32, int32_t, uint8_t, uint8_t, 0, any_i32, or_b, fin_b)
K_RED_IMPL(k_any_i64, int64_t, uint8_t, uint8_t, 0, any_i64, or_b, fin_b)
K_RED_IMPL(k_any_u8, uint8_t, uint8_t, uint8_t, 0, any_u8, or_b, fin_b)

/* The implementation of every (op, dtype); NULL where the dtype lacks it. */
static const k_red_impl *const k_red_table[TFG_RED_COUNT][TFG_DTYPE_COUNT] = {
    [TFG_RED_SUM] = {&k_sum_f32, &k_sum_f64, &k_sum_i32, &k_sum_i64, NULL, &k_sum_u8},
    [TFG_RED_MEAN] = {&k_mean_f32, &k_mean_f64, &k_mean_i32, &k_mean_i64, NULL, &k_mean_u8},
    [TFG_RED_MAX] = {&k_max_f32, &k_max_f64, &k_max_i32, &k_max_i64, &k_max_u8, &k_max_u8},
    [TFG_RED_MIN] = {&k_min_f32, &k_min_f64, &k_min_i32, &k_min_i64, &k_minb_u8, &k_min_u8},
    [TFG_RED_PROD] = {&k_prod_f32, &k_prod_f64, &k_prod_i32, &k_prod_i64, NULL, &k_prod_u8},
    [TFG_RED_ALL] = {&k_all_f32, &k_all_f64, &k_all_i32, &k_all_i64, &k_all_u8, &k_all_u8},
    [TFG_RED_ANY] = {&k_any_f32, &k_any_f64, &k_any_i32, &k_any_i64, &k_any_u8, &k_any_u8},
};

/* TensorFlow's op names, for messages. */
static const char *const k_red_names[TFG_RED_COUNT] = {"Sum", "Mean", "Max", "Min",
                                                        "Prod", "All", "Any"};

/* ---- the driver --------------------------------------------------------------- */

/* Columns handled per accumulator block (K1 > 1). */
#define K_COLBLK 256
/* Runs of at least this length, if few, are split into K_SPLIT blocks. */
#define K_SPLIT_MIN (1 << 20)
#define K_SPLIT 64
/* Work (input elements) per thread below which no thread is started. */
#define K_PAR_WORK (1 << 18)

/* One reduction of a [K0, R, K1] view being computed. */
typedef struct {
    const k_red_impl *im;
    const char *x;
    char *o;
    size_t esz;
    int64_t K0, R, K1, count;
    int64_t nblk;     /* column blocks per k0 (K1 > 1) */
    char *partial;    /* K_SPLIT accumulators (split runs) */
} k_red_job;

/* Tasks [begin, end): whole runs k0 (K1 == 1). */
static void k_red_runs(void *vctx, int64_t begin, int64_t end)
{
    k_red_job *j = vctx;
    _Alignas(16) char acc[16];
    for (int64_t k0 = begin; k0 < end; k0++) {
        j->im->init(acc, 1);
        j->im->fold(j->x + k0 * j->R * (int64_t)j->esz, j->R, acc);
        j->im->fin(acc, 1, j->count, j->o + k0 * (int64_t)j->im->osz);
    }
}

/* Tasks [begin, end): column blocks (k0, block) (K1 > 1). */
static void k_red_colblocks(void *vctx, int64_t begin, int64_t end)
{
    k_red_job *j = vctx;
    _Alignas(64) char acc[K_COLBLK * 8];
    for (int64_t t = begin; t < end; t++) {
        int64_t k0 = t / j->nblk, c0 = (t % j->nblk) * K_COLBLK;
        int64_t n = j->K1 - c0 < K_COLBLK ? j->K1 - c0 : K_COLBLK;
        j->im->init(acc, n);
        j->im->cols(j->x + (k0 * j->R * j->K1 + c0) * (int64_t)j->esz, j->R, j->K1, n, acc);
        j->im->fin(acc, n, j->count, j->o + (k0 * j->K1 + c0) * (int64_t)j->im->osz);
    }
}

/* Tasks [begin, end): blocks of one long run (row 0 of x), partials kept. */
static void k_red_split(void *vctx, int64_t begin, int64_t end)
{
    k_red_job *j = vctx;
    int64_t per = (j->R + K_SPLIT - 1) / K_SPLIT;
    for (int64_t b = begin; b < end; b++) {
        int64_t lo = b * per, hi = lo + per < j->R ? lo + per : j->R;
        char *acc = j->partial + b * 16;
        j->im->init(acc, 1);
        if (hi > lo)
            j->im->fold(j->x + lo * (int64_t)j->esz, hi - lo, acc);
    }
}

/* Reduces the [K0, R, K1] view of x's data into o (K0*K1 outputs). */
static void k_red_view(const k_red_impl *im, const void *x, size_t esz, int64_t K0, int64_t R,
                       int64_t K1, int64_t count, void *o)
{
    k_red_job j = {.im = im, .x = x, .o = o, .esz = esz, .K0 = K0, .R = R, .K1 = K1,
                   .count = count};
    if (K1 > 1) {
        j.nblk = (K1 + K_COLBLK - 1) / K_COLBLK;
        int64_t per_task = R * (K1 < K_COLBLK ? K1 : K_COLBLK);
        int64_t min = per_task ? K_PAR_WORK / per_task : 1;
        tfg_k_parallel_for(K0 * j.nblk, min < 1 ? 1 : min, k_red_colblocks, &j);
        return;
    }
    if (R >= K_SPLIT_MIN && K0 < 4) {
        /* a few long runs: fixed blocks, partials combined in order */
        _Alignas(16) char partial[K_SPLIT * 16];
        j.partial = partial;
        for (int64_t k0 = 0; k0 < K0; k0++) {
            j.x = (const char *)x + k0 * R * (int64_t)esz;
            tfg_k_parallel_for(K_SPLIT, 1, k_red_split, &j);
            _Alignas(16) char acc[16];
            im->init(acc, 1);
            for (int b = 0; b < K_SPLIT; b++)
                im->comb(acc, partial + b * 16);
            im->fin(acc, 1, count, (char *)o + k0 * (int64_t)im->osz);
        }
        return;
    }
    int64_t min = R ? K_PAR_WORK / R : 1;
    tfg_k_parallel_for(K0, min < 1 ? 1 : min, k_red_runs, &j);
}

/* ---- float sum / mean / prod in TensorFlow's order ---------------------------
 *
 * Rounding depends on the order of the additions, and users compare printed
 * float32 results with TensorFlow's, so float SUM, MEAN and PROD reproduce
 * the order of TF's CPU kernel (TF simplifies the shape as we do, then runs
 * an Eigen tensor reduction; TF's x86 wheels use AVX packets: 8 floats or 4
 * doubles). Verified bit for bit against TF 2.21 for full, row, column,
 * middle-axis, [R,K,R] and transposed reductions of many sizes:
 *   - a contiguous run of n (a full reduction, or a row of [K, R]) starting
 *     at flat index `first`: sums with n > 1024 packets split in two at the
 *     packet boundary nearest first + ceil(n/2) and add (0 + left) + right
 *     (products do not split); a leaf keeps four packet accumulators over
 *     blocks of 4 packets when n >= 4 packets, folds them into the first,
 *     adds the remaining whole packets to it, adds the tail elements to a
 *     scalar from 0, and returns scalar + horizontal(packet), the horizontal
 *     reduction halving the lanes (lane i with lane i + P/2) down to one;
 *   - a reduced middle or first axis ([K0, R, K1]): outputs come in aligned
 *     groups of P; a group lying inside one output row (and not past the
 *     end) accumulates whole input rows as packets, with four accumulators
 *     over rows r%4 when R >= 16 (then folded 0+1, +2, +3, then the leftover
 *     rows); other outputs add their column in order from 0;
 *   - [R0, K, R2] adds, for each output, x[j0, k, j2] from 0 with j2 the
 *     outer loop and j0 the inner;
 *   - anything else is transposed to [kept, reduced] and done as rows.
 * TF splits a large full reduction across its thread pool, which makes its
 * own result depend on the machine; we keep the single-thread order (the
 * tree's halves are computed in parallel, which does not change it).
 * MEAN is the sum divided by the count in the dtype, as TF's MeanReducer. */

/* Defines the TF-order reductions of type T with packet size P, operation
 * OP (+ or *) from identity ID, for prefix S; TREE: split long runs. */
#define K_EIGEN(S, T, P, OP, ID, TREE)                                               \
    /* Horizontal reduction of a packet: lane i with lane i + h, h halving. */       \
    static inline T S##_hred(T *p)                                                   \
    {                                                                                \
        for (int h = P / 2; h >= 1; h /= 2)                                          \
            for (int i = 0; i < h; i++)                                              \
                p[i] = p[i] OP p[i + h];                                             \
        return p[0];                                                                 \
    }                                                                                \
    /* A leaf run x[first, first + n): Eigen's packet reducer. */                    \
    static T S##_leaf(const T *x, int64_t first, int64_t n)                          \
    {                                                                                \
        T p0[P], p1[P], p2[P], p3[P];                                                \
        for (int l = 0; l < P; l++)                                                  \
            p0[l] = p1[l] = p2[l] = p3[l] = ID;                                      \
        const T *b = x + first;                                                      \
        int64_t start = 0;                                                           \
        if (n >= 4 * P) {                                                            \
            int64_t v4 = n / (4 * P) * (4 * P);                                      \
            for (int64_t j = 0; j < v4; j += 4 * P)                                  \
                for (int l = 0; l < P; l++) {                                        \
                    p0[l] = p0[l] OP b[j + l];                                       \
                    p1[l] = p1[l] OP b[j + P + l];                                   \
                    p2[l] = p2[l] OP b[j + 2 * P + l];                               \
                    p3[l] = p3[l] OP b[j + 3 * P + l];                               \
                }                                                                    \
            for (int l = 0; l < P; l++)                                              \
                p0[l] = ((p0[l] OP p1[l]) OP p2[l]) OP p3[l];                        \
            start = v4;                                                              \
        }                                                                            \
        if (start <= n - P) {                                                        \
            int64_t v = n / P * P;                                                   \
            for (int64_t j = start; j < v; j += P)                                   \
                for (int l = 0; l < P; l++)                                          \
                    p0[l] = p0[l] OP b[j + l];                                       \
            start = v;                                                               \
        }                                                                            \
        T acc = ID;                                                                  \
        for (int64_t j = start; j < n; j++)                                          \
            acc = acc OP b[j];                                                       \
        return acc OP S##_hred(p0);                                                  \
    }                                                                                \
    /* Where a run splits (TREE): the left part's length, or n for a leaf. */        \
    static inline int64_t S##_left(int64_t first, int64_t n)                         \
    {                                                                                \
        if (!(TREE) || n <= (int64_t)P * 1024)                                       \
            return n;                                                                \
        int64_t split = P * ((first + (n + 1) / 2 + P - 1) / P);                     \
        return split - first < n ? split - first : n;                                \
    }                                                                                \
    /* A run x[first, first + n) (Eigen's InnerMostDimReducer). */                   \
    static T S##_run(const T *x, int64_t first, int64_t n)                           \
    {                                                                                \
        int64_t nl = S##_left(first, n);                                             \
        if (nl == n && !((TREE) && n > (int64_t)P * 1024))                           \
            return S##_leaf(x, first, n);                                            \
        T acc = (T)(ID) OP S##_run(x, first, nl);                                    \
        if (nl < n)                                                                  \
            acc = acc OP S##_run(x, first + nl, n - nl);                             \
        return acc;                                                                  \
    }                                                                                \
    /* Outputs [lo, hi) of a [K0, R, K1] middle reduction, lo a multiple of P. */     \
    static void S##_mid(const T *x, int64_t K0, int64_t R, int64_t K1, int64_t lo,     \
                        int64_t hi, T *o)                                            \
    {                                                                                \
        int64_t N = K0 * K1;                                                         \
        for (int64_t i = lo; i < hi;) {                                              \
            int64_t k0 = i / K1, j = i % K1;                                         \
            const T *col = x + k0 * R * K1 + j;                                      \
            if (i % P == 0 && i + P <= N && j + P <= K1 && i + P <= hi) {            \
                T a0[P], a1[P], a2[P], a3[P];                                        \
                for (int l = 0; l < P; l++)                                          \
                    a0[l] = a1[l] = a2[l] = a3[l] = ID;                              \
                int64_t r = 0;                                                       \
                if (R >= 16) {                                                       \
                    for (; r + 4 <= R; r += 4)                                       \
                        for (int l = 0; l < P; l++) {                                \
                            a0[l] = a0[l] OP col[r * K1 + l];                        \
                            a1[l] = a1[l] OP col[(r + 1) * K1 + l];                  \
                            a2[l] = a2[l] OP col[(r + 2) * K1 + l];                  \
                            a3[l] = a3[l] OP col[(r + 3) * K1 + l];                  \
                        }                                                            \
                    for (int l = 0; l < P; l++)                                      \
                        a0[l] = ((a0[l] OP a1[l]) OP a2[l]) OP a3[l];                \
                }                                                                    \
                for (; r < R; r++)                                                   \
                    for (int l = 0; l < P; l++)                                      \
                        a0[l] = a0[l] OP col[r * K1 + l];                            \
                for (int l = 0; l < P; l++)                                          \
                    o[i + l] = a0[l];                                                \
                i += P;                                                              \
            } else {                                                                 \
                T acc = ID;                                                          \
                for (int64_t r = 0; r < R; r++)                                      \
                    acc = acc OP col[r * K1];                                        \
                o[i] = acc;                                                          \
                i++;                                                                 \
            }                                                                        \
        }                                                                            \
    }                                                                                \
    /* [R0, K, R2]: output k adds x[j0, k, j2], j2 outer, j0 inner. */               \
    static void S##_rkr(const T *x, int64_t R0, int64_t K, int64_t R2, T *o)          \
    {                                                                                \
        for (int64_t k = 0; k < K; k++) {                                            \
            T acc = ID;                                                              \
            for (int64_t j2 = 0; j2 < R2; j2++)                                      \
                for (int64_t j0 = 0; j0 < R0; j0++)                                  \
                    acc = acc OP x[(j0 * K + k) * R2 + j2];                          \
            o[k] = acc;                                                              \
        }                                                                            \
    }

K_EIGEN(esum_f32, float, 8, +, 0.0f, 1)
K_EIGEN(esum_f64, double, 4, +, 0.0, 1)
K_EIGEN(eprod_f32, float, 8, *, 1.0f, 0)
K_EIGEN(eprod_f64, double, 4, *, 1.0, 0)

/* The TF-order functions of one (op, float dtype). */
typedef struct {
    size_t esz;
    int P;
    int64_t (*left)(int64_t first, int64_t n);
    void (*run)(const void *x, int64_t first, int64_t n, void *out);
    void (*combine)(void *acc, const void *v); /* acc = acc OP v */
    void (*ident)(void *acc);
    void (*mid)(const void *x, int64_t K0, int64_t R, int64_t K1, int64_t lo, int64_t hi,
                void *o);
    void (*rkr)(const void *x, int64_t R0, int64_t K, int64_t R2, void *o);
} k_eig;

/* void-pointer adapters of the K_EIGEN functions for prefix S, type T. */
#define K_EIG_ADAPT(S, T, OP, ID)                                                    \
    static void S##_vrun(const void *x, int64_t first, int64_t n, void *out)         \
    {                                                                                \
        *(T *)out = S##_run(x, first, n);                                            \
    }                                                                                \
    static void S##_vcomb(void *acc, const void *v) { *(T *)acc = *(T *)acc OP *(const T *)v; } \
    static void S##_vid(void *acc) { *(T *)acc = ID; }                               \
    static void S##_vmid(const void *x, int64_t K0, int64_t R, int64_t K1, int64_t lo, \
                         int64_t hi, void *o)                                        \
    {                                                                                \
        S##_mid(x, K0, R, K1, lo, hi, o);                                            \
    }                                                                                \
    static void S##_vrkr(const void *x, int64_t R0, int64_t K, int64_t R2, void *o)   \
    {                                                                                \
        S##_rkr(x, R0, K, R2, o);                                                    \
    }
K_EIG_ADAPT(esum_f32, float, +, 0.0f)
K_EIG_ADAPT(esum_f64, double, +, 0.0)
K_EIG_ADAPT(eprod_f32, float, *, 1.0f)
K_EIG_ADAPT(eprod_f64, double, *, 1.0)

static const k_eig k_eig_sum_f32 = {4, 8, esum_f32_left, esum_f32_vrun, esum_f32_vcomb,
                                    esum_f32_vid, esum_f32_vmid, esum_f32_vrkr};
static const k_eig k_eig_sum_f64 = {8, 4, esum_f64_left, esum_f64_vrun, esum_f64_vcomb,
                                    esum_f64_vid, esum_f64_vmid, esum_f64_vrkr};
static const k_eig k_eig_prod_f32 = {4, 8, eprod_f32_left, eprod_f32_vrun, eprod_f32_vcomb,
                                     eprod_f32_vid, eprod_f32_vmid, eprod_f32_vrkr};
static const k_eig k_eig_prod_f64 = {8, 4, eprod_f64_left, eprod_f64_vrun, eprod_f64_vcomb,
                                     eprod_f64_vid, eprod_f64_vmid, eprod_f64_vrkr};

/* Tree nodes of a long run computed as separate (parallel) tasks. */
#define K_EIG_DEPTH 6
typedef struct {
    const k_eig *e;
    const char *x;
    int64_t first[1 << K_EIG_DEPTH], n[1 << K_EIG_DEPTH];
    char val[1 << K_EIG_DEPTH][8];
    int ntask;
} k_eig_tree;

/* Lists the nodes at depth K_EIG_DEPTH (or leaves above it) of a run. */
static void k_eig_collect(k_eig_tree *t, int64_t first, int64_t n, int depth)
{
    int64_t nl = t->e->left(first, n);
    if (depth == K_EIG_DEPTH || nl == n) {
        t->first[t->ntask] = first;
        t->n[t->ntask] = n;
        t->ntask++;
        return;
    }
    k_eig_collect(t, first, nl, depth + 1);
    k_eig_collect(t, first + nl, n - nl, depth + 1);
}

/* Computes tasks [b, e) of a tree (a parallel_for chunk). */
static void k_eig_tasks(void *vctx, int64_t b, int64_t e)
{
    k_eig_tree *t = vctx;
    for (int64_t i = b; i < e; i++)
        t->e->run(t->x, t->first[i], t->n[i], t->val[i]);
}

/* Recombines the task values in the tree's order ((0 OP left) OP right). */
static void k_eig_combine(k_eig_tree *t, int64_t first, int64_t n, int depth, int *next,
                          void *out)
{
    int64_t nl = t->e->left(first, n);
    if (depth == K_EIG_DEPTH || nl == n) {
        memcpy(out, t->val[(*next)++], t->e->esz);
        return;
    }
    char l[8], r[8];
    k_eig_combine(t, first, nl, depth + 1, next, l);
    t->e->ident(out);
    t->e->combine(out, l);
    if (nl < n) {
        k_eig_combine(t, first + nl, n - nl, depth + 1, next, r);
        t->e->combine(out, r);
    }
}

/* One long run in TF's order, its top tree levels spread over threads. */
static void k_eig_full(const k_eig *e, const void *x, int64_t n, void *out)
{
    if (e->left(0, n) == n) {
        e->run(x, 0, n, out);
        return;
    }
    k_eig_tree *t = malloc(sizeof *t);
    if (!t) {
        e->run(x, 0, n, out); /* same order, one thread */
        return;
    }
    t->e = e;
    t->x = x;
    t->ntask = 0;
    k_eig_collect(t, 0, n, 0);
    tfg_k_parallel_for(t->ntask, 1, k_eig_tasks, t);
    int next = 0;
    k_eig_combine(t, 0, n, 0, &next, out);
    free(t);
}

/* A [K, R] row reduction or [K0, R, K1] middle one being computed. */
typedef struct {
    const k_eig *e;
    const char *x;
    char *o;
    int64_t K0, R, K1;
} k_eig_job;

/* Rows [b, e) of a [K, R] reduction. */
static void k_eig_rows(void *vctx, int64_t b, int64_t e)
{
    k_eig_job *j = vctx;
    for (int64_t k = b; k < e; k++)
        j->e->run(j->x, k * j->R, j->R, j->o + k * (int64_t)j->e->esz);
}

/* Outputs [b, e) of a [K0, R, K1] reduction (chunks start at multiples of 64). */
static void k_eig_mids(void *vctx, int64_t b, int64_t e)
{
    k_eig_job *j = vctx;
    j->e->mid(j->x, j->K0, j->R, j->K1, b, e, j->o);
}

/* Float SUM/MEAN/PROD of x in TF's order into o, given the simplified groups. */
static int k_eig_reduce(tfg_reduce_op op, const tfg_tensor *x, int ng, const int64_t *gsize,
                        const bool *gred, const int *perm, int64_t count, tfg_tensor *o,
                        tfg_error *err)
{
    bool f32 = x->dtype == TFG_FLOAT32;
    const k_eig *e = op == TFG_RED_PROD ? (f32 ? &k_eig_prod_f32 : &k_eig_prod_f64)
                                        : (f32 ? &k_eig_sum_f32 : &k_eig_sum_f64);
    k_eig_job j = {.e = e, .x = x->data, .o = o->data, .K0 = 1, .R = 1, .K1 = 1};
    tfg_tensor *tx = NULL;
    if (ng == 0 || (ng == 1 && !gred[0])) {
        /* nothing reduced: TF copies the input */
        memcpy(o->data, x->data, (size_t)o->size * e->esz);
        return 0;
    } else if (ng == 1) {
        k_eig_full(e, x->data, gsize[0], o->data);
    } else if (ng == 2 && !gred[0]) {
        j.K0 = gsize[0];
        j.R = gsize[1];
        tfg_k_parallel_for(j.K0, j.R ? (1 << 18) / j.R + 1 : 1, k_eig_rows, &j);
    } else if ((ng == 2 && gred[0]) || (ng == 3 && !gred[0])) {
        j.K0 = ng == 3 ? gsize[0] : 1;
        j.R = gsize[ng - 2];
        j.K1 = gsize[ng - 1];
        tfg_k_parallel_for(j.K0 * j.K1, j.R ? (1 << 18) / j.R + 64 : 64, k_eig_mids, &j);
    } else if (ng == 3) {
        e->rkr(x->data, gsize[0], gsize[1], gsize[2], o->data);
    } else {
        if (tfg_k_transpose(x, perm, &tx, err))
            return -1;
        j.x = tx->data;
        j.K0 = o->size;
        j.R = count;
        tfg_k_parallel_for(j.K0, j.R ? (1 << 18) / j.R + 1 : 1, k_eig_rows, &j);
        tfg_tensor_unref(tx);
    }
    if (op == TFG_RED_MEAN) {
        if (f32) {
            float *p = o->data, c = (float)count;
            for (int64_t i = 0; i < o->size; i++)
                p[i] = p[i] / c;
        } else {
            double *p = o->data, c = (double)count;
            for (int64_t i = 0; i < o->size; i++)
                p[i] = p[i] / c;
        }
    }
    return 0;
}

/* Reduces x over the given axes; see kernels.h. */
int tfg_k_reduce(tfg_reduce_op op, const tfg_tensor *x, const int *axes, int naxes,
                 bool keepdims, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if ((unsigned)op >= TFG_RED_COUNT)
        return tfg_error_set(err, "Invalid reduction op %d", (int)op);
    const k_red_impl *im = k_red_table[op][x->dtype];
    if (!im)
        return tfg_error_set(err,
                             "No OpKernel was registered to support Op '%s' with these "
                             "attrs: [T=DT_BOOL]",
                             k_red_names[op]);
    int rank = x->rank;
    bool red[TFG_MAX_RANK] = {false};
    if (naxes < 0) {
        for (int d = 0; d < rank; d++)
            red[d] = true;
    } else {
        for (int i = 0; i < naxes; i++) {
            int a = axes[i];
            if (a < -rank || a >= rank)
                return tfg_error_set(err,
                                     "Invalid reduction dimension (%d for input with %d "
                                     "dimension(s)",
                                     a, rank);
            if (a < 0)
                a += rank;
            if (red[a])
                return tfg_error_set(err,
                                     "Invalid reduction arguments: Axes contains duplicate "
                                     "dimension: %d",
                                     a);
            red[a] = true;
        }
    }
    int orank = 0;
    int64_t oshape[TFG_MAX_RANK];
    int64_t count = 1;
    for (int d = 0; d < rank; d++) {
        if (red[d]) {
            count *= x->shape[d];
            if (keepdims)
                oshape[orank++] = 1;
        } else {
            oshape[orank++] = x->shape[d];
        }
    }
    bool logic = op == TFG_RED_ALL || op == TFG_RED_ANY;
    tfg_tensor *o = tfg_tensor_new(logic ? TFG_BOOL : x->dtype, orank, oshape, err);
    if (!o)
        return -1;
    *out = o;
    if (o->size == 0)
        return 0;
    size_t esz = tfg_dtype_size(x->dtype);
    if (x->size == 0) {
        /* reducing over nothing: every output is the identity's final value */
        char acc[16];
        im->init(acc, 1);
        for (int64_t i = 0; i < o->size; i++)
            im->fin(acc, 1, count, (char *)o->data + i * (int64_t)im->osz);
        return 0;
    }
    /* drop size-1 dims, merge neighbours of the same kind */
    int ng = 0;
    int64_t gsize[TFG_MAX_RANK];
    bool gred[TFG_MAX_RANK];
    for (int d = 0; d < rank; d++) {
        if (x->shape[d] == 1)
            continue;
        if (ng > 0 && gred[ng - 1] == red[d]) {
            gsize[ng - 1] *= x->shape[d];
        } else {
            gsize[ng] = x->shape[d];
            gred[ng] = red[d];
            ng++;
        }
    }
    if (tfg_dtype_is_float(x->dtype) &&
        (op == TFG_RED_SUM || op == TFG_RED_MEAN || op == TFG_RED_PROD)) {
        int perm[TFG_MAX_RANK], np = 0;
        for (int d = 0; d < rank; d++)
            if (!red[d])
                perm[np++] = d;
        for (int d = 0; d < rank; d++)
            if (red[d])
                perm[np++] = d;
        if (k_eig_reduce(op, x, ng, gsize, gred, perm, count, o, err)) {
            tfg_tensor_unref(o);
            *out = NULL;
            return -1;
        }
        return 0;
    }
    int64_t K0 = 1, R = 1, K1 = 1;
    if (ng == 0) {
        /* a single element */
    } else if (ng == 1) {
        if (gred[0])
            R = gsize[0];
        else
            K1 = gsize[0];
    } else if (ng == 2) {
        if (gred[0]) {
            R = gsize[0];
            K1 = gsize[1];
        } else {
            K0 = gsize[0];
            R = gsize[1];
        }
    } else if (ng == 3 && !gred[0]) {
        K0 = gsize[0];
        R = gsize[1];
        K1 = gsize[2];
    } else {
        /* interleaved: move the reduced dims last, then reduce [kept, reduced] */
        int perm[TFG_MAX_RANK], np = 0;
        for (int d = 0; d < rank; d++)
            if (!red[d])
                perm[np++] = d;
        for (int d = 0; d < rank; d++)
            if (red[d])
                perm[np++] = d;
        tfg_tensor *tx;
        if (tfg_k_transpose(x, perm, &tx, err)) {
            tfg_tensor_unref(o);
            *out = NULL;
            return -1;
        }
        k_red_view(im, tx->data, esz, o->size, count, 1, count, o->data);
        tfg_tensor_unref(tx);
        return 0;
    }
    k_red_view(im, x->data, esz, K0, R, K1, count, o->data);
    return 0;
}

/* ---- argmax / argmin ---------------------------------------------------------- */

/* Defines NAME, arg-extremum over the R axis of a [K0, R, K1] view with TF's
 * (Eigen's ArgMax/ArgMinPairReducer) rule: start from index 0 holding the
 * type's lowest (highest) finite value and move only to strictly greater
 * (smaller) values, so ties keep the first index and NaN is never chosen:
 * argmax [1, NaN, 2] is 2, argmax [NaN, NaN] is 0, argmax [-inf, -inf] is 0.
 * (numpy picks the first NaN instead; TF is the oracle here.) */
#define K_ARG(NAME, T, LOWEST, HIGHEST)                                              \
    static void NAME(const T *x, int64_t K0, int64_t R, int64_t K1, bool is_max,      \
                     int64_t *idx, T *best)                                          \
    {                                                                                \
        for (int64_t k0 = 0; k0 < K0; k0++) {                                        \
            const T *base = x + k0 * R * K1;                                         \
            int64_t *ix = idx + k0 * K1;                                             \
            for (int64_t j = 0; j < K1; j++) {                                       \
                best[j] = is_max ? (LOWEST) : (HIGHEST);                             \
                ix[j] = 0;                                                           \
            }                                                                        \
            for (int64_t r = 0; r < R; r++) {                                        \
                const T *row = base + r * K1;                                        \
                for (int64_t j = 0; j < K1; j++) {                                   \
                    T v = row[j];                                                    \
                    if (is_max ? v > best[j] : v < best[j]) {                        \
                        best[j] = v;                                                 \
                        ix[j] = r;                                                   \
                    }                                                                \
                }                                                                    \
            }                                                                        \
        }                                                                            \
    }
K_ARG(k_arg_f32, float, -FLT_MAX, FLT_MAX)
K_ARG(k_arg_f64, double, -DBL_MAX, DBL_MAX)
K_ARG(k_arg_i32, int32_t, INT32_MIN, INT32_MAX)
K_ARG(k_arg_i64, int64_t, INT64_MIN, INT64_MAX)
K_ARG(k_arg_u8, uint8_t, 0, UINT8_MAX)

/* Index of the max/min along axis, as int64 or int32; see kernels.h. */
int tfg_k_argminmax(bool is_max, const tfg_tensor *x, int axis, tfg_dtype out_dtype,
                    tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    int rank = x->rank;
    if (axis < -rank || axis >= rank || rank == 0)
        return tfg_error_set(err, "Expected dimension in the range [%d, %d), but got %d", -rank,
                             rank, axis);
    if (out_dtype != TFG_INT32 && out_dtype != TFG_INT64)
        return tfg_error_set(err, "output_type must be int32 or int64, not %s",
                             tfg_dtype_tf_name(out_dtype));
    if (axis < 0)
        axis += rank;
    if (x->shape[axis] == 0) {
        char s[256];
        tfg_tensor_shape_str(rank, x->shape, s, sizeof s);
        return tfg_error_set(err, "Reduction axis %d is empty in shape %s", axis, s);
    }
    int64_t oshape[TFG_MAX_RANK];
    int orank = 0;
    int64_t K0 = 1, K1 = 1, R = x->shape[axis];
    for (int d = 0; d < rank; d++) {
        if (d == axis)
            continue;
        oshape[orank++] = x->shape[d];
        if (d < axis)
            K0 *= x->shape[d];
        else
            K1 *= x->shape[d];
    }
    tfg_tensor *o = tfg_tensor_new(out_dtype, orank, oshape, err);
    if (!o)
        return -1;
    if (o->size == 0) {
        *out = o;
        return 0;
    }
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)o->size);
    void *best = malloc(8 * (size_t)K1);
    if (!idx || !best) {
        free(idx);
        free(best);
        tfg_tensor_unref(o);
        return tfg_error_set(err, "OOM when allocating argmax scratch");
    }
    switch (x->dtype) {
    case TFG_FLOAT32: k_arg_f32(x->data, K0, R, K1, is_max, idx, best); break;
    case TFG_FLOAT64: k_arg_f64(x->data, K0, R, K1, is_max, idx, best); break;
    case TFG_INT32: k_arg_i32(x->data, K0, R, K1, is_max, idx, best); break;
    case TFG_INT64: k_arg_i64(x->data, K0, R, K1, is_max, idx, best); break;
    default: k_arg_u8(x->data, K0, R, K1, is_max, idx, best); break;
    }
    for (int64_t i = 0; i < o->size; i++) {
        if (out_dtype == TFG_INT64)
            ((int64_t *)o->data)[i] = idx[i];
        else
            ((int32_t *)o->data)[i] = (int32_t)idx[i];
    }
    free(idx);
    free(best);
    *out = o;
    return 0;
}

/* ---- softmax ----------------------------------------------------------------- */

/* Defines NAME, (log-)softmax of each length-n row of x in TF's order of
 * work: subtract the row max, exponentiate, sum the row as TF's reduction
 * does (SUMRUN), then multiply by 1/sum, or subtract log(sum) for log.
 * Used for float64 (TF: Eigen's double polynomials, so ours may differ in
 * the last bits); float32 has exact TF copies below. */
#define K_SOFTMAX(NAME, T, EXP, LOG, SUMRUN)                                         \
    static void NAME(const T *x, T *o, int64_t rows, int64_t n, bool lg)             \
    {                                                                                \
        for (int64_t r = 0; r < rows; r++) {                                         \
            const T *xr = x + r * n;                                                 \
            T *orow = o + r * n;                                                     \
            T m = xr[0];                                                             \
            for (int64_t i = 1; i < n; i++)                                          \
                m = (xr[i] > m || xr[i] != xr[i]) ? xr[i] : m;                       \
            for (int64_t i = 0; i < n; i++)                                          \
                orow[i] = EXP(xr[i] - m);                                            \
            T s = SUMRUN(o, r * n, n);                                               \
            if (lg) {                                                                \
                T ls = LOG(s);                                                       \
                for (int64_t i = 0; i < n; i++)                                      \
                    orow[i] = (xr[i] - m) - ls;                                      \
            } else {                                                                 \
                T inv = (T)1 / s;                                                    \
                for (int64_t i = 0; i < n; i++)                                      \
                    orow[i] *= inv;                                                  \
            }                                                                        \
        }                                                                            \
    }
K_SOFTMAX(k_softmax_f64, double, exp, log, esum_f64_run)

/* The sum of exp(x[first + i]) for i < n as TF's LogSoftmax reduces it: the
 * run order of esum_f32 (tree over 1024 packets, four packet accumulators,
 * scalar tail), with exp evaluated the way Eigen evaluates the expression
 * inside that reduction: Eigen's packet exp for the elements loaded as
 * packets, glibc's expf for the scalar tail of each leaf. */
static float k_tf_sumexp_f32(const float *x, int64_t first, int64_t n)
{
    int64_t nl = esum_f32_left(first, n);
    if (nl < n || n > 8 * 1024) {
        float acc = 0.0f + k_tf_sumexp_f32(x, first, nl);
        if (nl < n)
            acc = acc + k_tf_sumexp_f32(x, first + nl, n - nl);
        return acc;
    }
    float p0[8], p1[8], p2[8], p3[8];
    for (int l = 0; l < 8; l++)
        p0[l] = p1[l] = p2[l] = p3[l] = 0.0f;
    const float *b = x + first;
    int64_t start = 0;
    if (n >= 32) {
        int64_t v4 = n / 32 * 32;
        for (int64_t j = 0; j < v4; j += 32)
            for (int l = 0; l < 8; l++) {
                p0[l] += tfg_k_tf_expf_packet(b[j + l]);
                p1[l] += tfg_k_tf_expf_packet(b[j + 8 + l]);
                p2[l] += tfg_k_tf_expf_packet(b[j + 16 + l]);
                p3[l] += tfg_k_tf_expf_packet(b[j + 24 + l]);
            }
        for (int l = 0; l < 8; l++)
            p0[l] = ((p0[l] + p1[l]) + p2[l]) + p3[l];
        start = v4;
    }
    if (start <= n - 8) {
        int64_t v = n / 8 * 8;
        for (int64_t j = start; j < v; j += 8)
            for (int l = 0; l < 8; l++)
                p0[l] += tfg_k_tf_expf_packet(b[j + l]);
        start = v;
    }
    float acc = 0.0f;
    for (int64_t j = start; j < n; j++)
        acc += expf(b[j]);
    return acc + esum_f32_hred(p0);
}

/* float32 log-softmax exactly as TF's (Eigen) LogSoftmax kernel: shifted =
 * x - rowmax; sums of exp(shifted) as k_tf_sumexp_f32; their logs with
 * Eigen's packet log for rows in whole groups of 8 and glibc's logf for the
 * rest; out = shifted - log(sum). */
static int k_tf_log_softmax_f32(const float *x, float *o, int64_t rows, int64_t n,
                                tfg_error *err)
{
    float *ls = malloc(sizeof(float) * (size_t)rows);
    if (!ls)
        return tfg_error_set(err, "OOM when allocating log-softmax scratch");
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *orow = o + r * n;
        float m = xr[0];
        for (int64_t i = 1; i < n; i++)
            m = (xr[i] > m || xr[i] != xr[i]) ? xr[i] : m;
        for (int64_t i = 0; i < n; i++)
            orow[i] = xr[i] - m;
        float s = k_tf_sumexp_f32(o, r * n, n);
        ls[r] = r < rows / 8 * 8 ? tfg_k_tf_logf_packet(s) : logf(s);
    }
    for (int64_t r = 0; r < rows; r++)
        for (int64_t i = 0; i < n; i++)
            o[r * n + i] -= ls[r];
    free(ls);
    return 0;
}

/* float32 softmax as TF computes it: TF rewrites Softmax to oneDNN's
 * (_MklSoftmax), whose AVX-512 kernel takes rows in 16-lane vectors: the
 * row max, e = exp(x - max) (tfg_k_tf_expf_onednn), the sum of e in two
 * vector accumulators taking alternate vectors (zeros past the row end),
 * added together and then reduced by halving the lanes, and e * (1/sum).
 * Bit-exact with TF 2.21 on AVX-512 machines for rows of up to 47 classes
 * (beyond that oneDNN changes its summation; results stay within rounding). */
static void k_tf_softmax_f32(const float *x, float *o, int64_t rows, int64_t n)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *orow = o + r * n;
        float m = xr[0];
        for (int64_t i = 1; i < n; i++)
            m = (xr[i] > m || xr[i] != xr[i]) ? xr[i] : m;
        float acc[2][16];
        for (int l = 0; l < 16; l++)
            acc[0][l] = acc[1][l] = 0.0f;
        for (int64_t i = 0; i < n; i++) {
            float e = tfg_k_tf_expf_onednn(xr[i] - m);
            orow[i] = e;
            acc[(i / 16) % 2][i % 16] += e;
        }
        float lane[16];
        for (int l = 0; l < 16; l++)
            lane[l] = acc[0][l] + acc[1][l];
        for (int h = 8; h >= 1; h /= 2)
            for (int l = 0; l < h; l++)
                lane[l] = lane[l] + lane[l + h];
        float inv = 1.0f / lane[0];
        for (int64_t i = 0; i < n; i++)
            orow[i] = orow[i] * inv;
    }
}

/* Softmax or log-softmax along the last axis; see kernels.h. */
int tfg_k_softmax(const tfg_tensor *x, bool log, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (!tfg_dtype_is_float(x->dtype))
        return tfg_error_set(err,
                             "No OpKernel was registered to support Op '%s' with these "
                             "attrs: [T=DT_%s]",
                             log ? "LogSoftmax" : "Softmax",
                             x->dtype == TFG_INT32   ? "INT32"
                             : x->dtype == TFG_INT64 ? "INT64"
                             : x->dtype == TFG_BOOL  ? "BOOL"
                                                     : "UINT8");
    if (x->rank < 1)
        return tfg_error_set(err, "logits must have >= 1 dimension, got []");
    tfg_tensor *o = tfg_tensor_new(x->dtype, x->rank, x->shape, err);
    if (!o)
        return -1;
    int64_t n = x->shape[x->rank - 1];
    if (n > 0) {
        int64_t rows = x->size / n;
        if (x->dtype == TFG_FLOAT32 && log) {
            if (k_tf_log_softmax_f32(x->data, o->data, rows, n, err)) {
                tfg_tensor_unref(o);
                return -1;
            }
        } else if (x->dtype == TFG_FLOAT32)
            k_tf_softmax_f32(x->data, o->data, rows, n);
        else
            k_softmax_f64(x->data, o->data, rows, n, log);
    }
    *out = o;
    return 0;
}
