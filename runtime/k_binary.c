/* k_binary.c — elementwise binary ops with numpy broadcasting, and select.
 *
 * Layout of the work: every (op, dtype) pair has one "row loop" that runs n
 * elements with input strides of 0 or 1 (0 = a broadcast scalar). The row
 * loop has four plain loops (tensor-tensor, tensor-scalar, scalar-tensor,
 * scalar-scalar) which the compiler vectorises. Broadcasting reduces to row
 * loops through an iteration plan: the output shape with size-1 dims dropped
 * and adjacent dims merged where every operand's strides allow, so the
 * common cases (same shape, scalar against a tensor) become one flat row,
 * and [n,k] + [k] becomes n rows. Outputs of about a million elements or
 * more are cut into contiguous chunks run on tfg_k_threads() threads.
 *
 * Semantics are TensorFlow's: ints wrap on overflow (computed unsigned, no
 * UB); Div on ints truncates (TF's Div), FloorDiv floors, FloorMod takes the
 * divisor's sign; integer division by zero and integer powers with negative
 * exponents are errors found before any output is written; float FloorDiv
 * is floor(a / b) and float FloorMod is fmod corrected to b's sign (TF's
 * functors, which differ from numpy in rare cases such as 1 // 0.1);
 * Maximum/Minimum propagate NaN. bool takes the comparisons, the logical
 * ops, and Add/Mul/Maximum/Minimum as or/and (numpy's bool arithmetic).
 */
/* -O2's very-cheap vectoriser skips loops of unknown trip count; these
 * loops are the whole point of the file. */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("O3", "fp-contract=off")

#include "kernels.h"

#include <math.h>
#include <string.h>

/* A row loop: o[i] = f(a[i*sa], b[i*sb]) for i < n, sa and sb in {0, 1}. */
typedef void (*k_binrow)(int64_t n, const void *a, int64_t sa, const void *b, int64_t sb,
                         void *o);

/* Defines NAME, the row loop applying the element function FN (T, T) -> R. */
#define K_BIN_ROW(NAME, T, R, FN)                                                    \
    static void NAME(int64_t n, const void *va, int64_t sa, const void *vb, int64_t sb, \
                     void *vo)                                                       \
    {                                                                                \
        const T *restrict pa = va;                                                   \
        const T *restrict pb = vb;                                                   \
        R *restrict po = vo;                                                         \
        if (sa && sb) {                                                              \
            for (int64_t i = 0; i < n; i++)                                          \
                po[i] = FN(pa[i], pb[i]);                                            \
        } else if (sa) {                                                             \
            const T y = pb[0];                                                       \
            for (int64_t i = 0; i < n; i++)                                          \
                po[i] = FN(pa[i], y);                                                \
        } else if (sb) {                                                             \
            const T x = pa[0];                                                       \
            for (int64_t i = 0; i < n; i++)                                          \
                po[i] = FN(x, pb[i]);                                                \
        } else {                                                                     \
            const R r = FN(pa[0], pb[0]);                                            \
            for (int64_t i = 0; i < n; i++)                                          \
                po[i] = r;                                                           \
        }                                                                            \
    }

/* ---- element functions ------------------------------------------------------ */

/* Arithmetic on a float type S (T) with its libm functions. */
#define K_FLOAT_ELEMS(S, T, FLOOR, FMOD, POW)                                        \
    static inline T add_##S(T a, T b) { return a + b; }                              \
    static inline T sub_##S(T a, T b) { return a - b; }                              \
    static inline T mul_##S(T a, T b) { return a * b; }                              \
    static inline T div_##S(T a, T b) { return a / b; }                              \
    static inline T floordiv_##S(T a, T b) { return FLOOR(a / b); }                  \
    static inline T mod_##S(T a, T b)                                                \
    {                                                                                \
        T r = FMOD(a, b);                                                            \
        return (r != 0 && ((b < 0) != (r < 0))) ? r + b : r;                         \
    }                                                                                \
    static inline T pow_##S(T a, T b) { return POW(a, b); }                          \
    static inline T max_##S(T a, T b) { return (a > b || a != a) ? a : b; }         \
    static inline T min_##S(T a, T b) { return (a < b || a != a) ? a : b; }         \
    static inline T sqd_##S(T a, T b) { return (a - b) * (a - b); }

/* Arithmetic on a signed int type S (T, unsigned twin U): wraps, no UB. */
#define K_SINT_ELEMS(S, T, U)                                                        \
    static inline T add_##S(T a, T b) { return (T)((U)a + (U)b); }                   \
    static inline T sub_##S(T a, T b) { return (T)((U)a - (U)b); }                   \
    static inline T mul_##S(T a, T b) { return (T)((U)a * (U)b); }                   \
    static inline T div_##S(T a, T b)                                                \
    {                                                                                \
        return b == -1 ? (T)((U)0 - (U)a) : b == 0 ? 0 : a / b;                      \
    }                                                                                \
    static inline T floordiv_##S(T a, T b)                                           \
    {                                                                                \
        if (b == -1 || b == 0)                                                       \
            return b ? (T)((U)0 - (U)a) : 0;                                         \
        T q = a / b, r = a % b;                                                      \
        return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;                         \
    }                                                                                \
    static inline T mod_##S(T a, T b)                                                \
    {                                                                                \
        if (b == -1 || b == 0)                                                       \
            return 0;                                                                \
        T r = a % b;                                                                 \
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;                         \
    }                                                                                \
    static inline T pow_##S(T a, T b)                                                \
    {                                                                                \
        U r = 1, x = (U)a;                                                           \
        for (uint64_t e = b < 0 ? 0 : (uint64_t)b; e; e >>= 1) {                     \
            if (e & 1)                                                               \
                r *= x;                                                              \
            x *= x;                                                                  \
        }                                                                            \
        return (T)r;                                                                 \
    }                                                                                \
    static inline T max_##S(T a, T b) { return a > b ? a : b; }                      \
    static inline T min_##S(T a, T b) { return a < b ? a : b; }                      \
    static inline T sqd_##S(T a, T b)                                                \
    {                                                                                \
        U d = (U)a - (U)b;                                                           \
        return (T)(d * d);                                                           \
    }

/* Comparisons and logical ops on any type S (T), giving bool bytes. */
#define K_CMP_ELEMS(S, T)                                                            \
    static inline uint8_t eq_##S(T a, T b) { return a == b; }                        \
    static inline uint8_t ne_##S(T a, T b) { return a != b; }                        \
    static inline uint8_t lt_##S(T a, T b) { return a < b; }                         \
    static inline uint8_t le_##S(T a, T b) { return a <= b; }                        \
    static inline uint8_t gt_##S(T a, T b) { return a > b; }                         \
    static inline uint8_t ge_##S(T a, T b) { return a >= b; }                        \
    static inline uint8_t land_##S(T a, T b) { return (a != 0) & (b != 0); }         \
    static inline uint8_t lor_##S(T a, T b) { return (a != 0) | (b != 0); }

K_FLOAT_ELEMS(f32, float, floorf, fmodf, powf)
K_FLOAT_ELEMS(f64, double, floor, fmod, pow)
K_SINT_ELEMS(i32, int32_t, uint32_t)
K_SINT_ELEMS(i64, int64_t, uint64_t)
K_CMP_ELEMS(f32, float)
K_CMP_ELEMS(f64, double)
K_CMP_ELEMS(i32, int32_t)
K_CMP_ELEMS(i64, int64_t)
K_CMP_ELEMS(u8, uint8_t)

/* uint8 arithmetic (wraps modulo 256; a zero divisor never reaches here). */
static inline uint8_t add_u8(uint8_t a, uint8_t b) { return (uint8_t)(a + b); }
static inline uint8_t sub_u8(uint8_t a, uint8_t b) { return (uint8_t)(a - b); }
static inline uint8_t mul_u8(uint8_t a, uint8_t b) { return (uint8_t)(a * b); }
static inline uint8_t div_u8(uint8_t a, uint8_t b) { return b ? (uint8_t)(a / b) : 0; }
static inline uint8_t mod_u8(uint8_t a, uint8_t b) { return b ? (uint8_t)(a % b) : 0; }
static inline uint8_t max_u8(uint8_t a, uint8_t b) { return a > b ? a : b; }
static inline uint8_t min_u8(uint8_t a, uint8_t b) { return a < b ? a : b; }
/* uint8 squared difference, wrapping like the other uint8 arithmetic. */
static inline uint8_t sqd_u8(uint8_t a, uint8_t b)
{
    unsigned d = (unsigned)(a - b);
    return (uint8_t)(d * d);
}
/* uint8 integer power by squaring, wrapping. */
static inline uint8_t pow_u8(uint8_t a, uint8_t b)
{
    unsigned r = 1, x = a;
    for (unsigned e = b; e; e >>= 1) {
        if (e & 1)
            r = (r * x) & 0xff;
        x = (x * x) & 0xff;
    }
    return (uint8_t)r;
}

/* ---- row loops ---------------------------------------------------------------- */

/* All the row loops of the arithmetic ops for one type S. */
#define K_ARITH_ROWS(S, T)                                                           \
    K_BIN_ROW(row_add_##S, T, T, add_##S)                                            \
    K_BIN_ROW(row_sub_##S, T, T, sub_##S)                                            \
    K_BIN_ROW(row_mul_##S, T, T, mul_##S)                                            \
    K_BIN_ROW(row_div_##S, T, T, div_##S)                                            \
    K_BIN_ROW(row_pow_##S, T, T, pow_##S)                                            \
    K_BIN_ROW(row_max_##S, T, T, max_##S)                                            \
    K_BIN_ROW(row_min_##S, T, T, min_##S)                                            \
    K_BIN_ROW(row_sqd_##S, T, T, sqd_##S)
/* The row loops of the comparison and logical ops for one type S. */
#define K_CMP_ROWS(S, T)                                                             \
    K_BIN_ROW(row_eq_##S, T, uint8_t, eq_##S)                                        \
    K_BIN_ROW(row_ne_##S, T, uint8_t, ne_##S)                                        \
    K_BIN_ROW(row_lt_##S, T, uint8_t, lt_##S)                                        \
    K_BIN_ROW(row_le_##S, T, uint8_t, le_##S)                                        \
    K_BIN_ROW(row_gt_##S, T, uint8_t, gt_##S)                                        \
    K_BIN_ROW(row_ge_##S, T, uint8_t, ge_##S)                                        \
    K_BIN_ROW(row_land_##S, T, uint8_t, land_##S)                                    \
    K_BIN_ROW(row_lor_##S, T, uint8_t, lor_##S)

K_ARITH_ROWS(f32, float)
K_ARITH_ROWS(f64, double)
K_ARITH_ROWS(i32, int32_t)
K_ARITH_ROWS(i64, int64_t)
K_ARITH_ROWS(u8, uint8_t)
K_BIN_ROW(row_floordiv_f32, float, float, floordiv_f32)
K_BIN_ROW(row_floordiv_f64, double, double, floordiv_f64)
K_BIN_ROW(row_floordiv_i32, int32_t, int32_t, floordiv_i32)
K_BIN_ROW(row_floordiv_i64, int64_t, int64_t, floordiv_i64)
K_BIN_ROW(row_mod_f32, float, float, mod_f32)
K_BIN_ROW(row_mod_f64, double, double, mod_f64)
K_BIN_ROW(row_mod_i32, int32_t, int32_t, mod_i32)
K_BIN_ROW(row_mod_i64, int64_t, int64_t, mod_i64)
K_BIN_ROW(row_mod_u8, uint8_t, uint8_t, mod_u8)
K_CMP_ROWS(f32, float)
K_CMP_ROWS(f64, double)
K_CMP_ROWS(i32, int32_t)
K_CMP_ROWS(i64, int64_t)
K_CMP_ROWS(u8, uint8_t)

/* One column of the op table: the row loops of type S, floordiv FD. */
#define K_COL(S, FD)                                                                 \
    [TFG_BIN_ADD] = row_add_##S, [TFG_BIN_SUB] = row_sub_##S,                        \
    [TFG_BIN_MUL] = row_mul_##S, [TFG_BIN_DIV] = row_div_##S,                        \
    [TFG_BIN_FLOORDIV] = FD, [TFG_BIN_MOD] = row_mod_##S,                            \
    [TFG_BIN_POW] = row_pow_##S, [TFG_BIN_MAXIMUM] = row_max_##S,                    \
    [TFG_BIN_MINIMUM] = row_min_##S, [TFG_BIN_SQUARED_DIFFERENCE] = row_sqd_##S,     \
    [TFG_BIN_EQUAL] = row_eq_##S, [TFG_BIN_NOT_EQUAL] = row_ne_##S,                  \
    [TFG_BIN_LESS] = row_lt_##S, [TFG_BIN_LESS_EQUAL] = row_le_##S,                  \
    [TFG_BIN_GREATER] = row_gt_##S, [TFG_BIN_GREATER_EQUAL] = row_ge_##S,            \
    [TFG_BIN_LOGICAL_AND] = row_land_##S, [TFG_BIN_LOGICAL_OR] = row_lor_##S

/* The row loop of every (dtype, op); NULL where the dtype lacks the op. */
static const k_binrow k_bin_rows[TFG_DTYPE_COUNT][TFG_BIN_COUNT] = {
    [TFG_FLOAT32] = {K_COL(f32, row_floordiv_f32)},
    [TFG_FLOAT64] = {K_COL(f64, row_floordiv_f64)},
    [TFG_INT32] = {K_COL(i32, row_floordiv_i32)},
    [TFG_INT64] = {K_COL(i64, row_floordiv_i64)},
    [TFG_UINT8] = {K_COL(u8, row_div_u8)},
    /* bool: numpy's bool arithmetic (+ is or, * is and), comparisons, logic */
    [TFG_BOOL] = {[TFG_BIN_ADD] = row_lor_u8, [TFG_BIN_MUL] = row_land_u8,
                  [TFG_BIN_MAXIMUM] = row_lor_u8, [TFG_BIN_MINIMUM] = row_land_u8,
                  [TFG_BIN_EQUAL] = row_eq_u8, [TFG_BIN_NOT_EQUAL] = row_ne_u8,
                  [TFG_BIN_LESS] = row_lt_u8, [TFG_BIN_LESS_EQUAL] = row_le_u8,
                  [TFG_BIN_GREATER] = row_gt_u8, [TFG_BIN_GREATER_EQUAL] = row_ge_u8,
                  [TFG_BIN_LOGICAL_AND] = row_land_u8, [TFG_BIN_LOGICAL_OR] = row_lor_u8},
};

/* TensorFlow's op names, for messages. */
static const char *const k_bin_names[TFG_BIN_COUNT] = {
    [TFG_BIN_ADD] = "AddV2", [TFG_BIN_SUB] = "Sub", [TFG_BIN_MUL] = "Mul",
    [TFG_BIN_DIV] = "RealDiv", [TFG_BIN_FLOORDIV] = "FloorDiv", [TFG_BIN_MOD] = "FloorMod",
    [TFG_BIN_POW] = "Pow", [TFG_BIN_MAXIMUM] = "Maximum", [TFG_BIN_MINIMUM] = "Minimum",
    [TFG_BIN_SQUARED_DIFFERENCE] = "SquaredDifference", [TFG_BIN_EQUAL] = "Equal",
    [TFG_BIN_NOT_EQUAL] = "NotEqual", [TFG_BIN_LESS] = "Less", [TFG_BIN_LESS_EQUAL] = "LessEqual",
    [TFG_BIN_GREATER] = "Greater", [TFG_BIN_GREATER_EQUAL] = "GreaterEqual",
    [TFG_BIN_LOGICAL_AND] = "LogicalAnd", [TFG_BIN_LOGICAL_OR] = "LogicalOr",
};

/* ---- broadcasting --------------------------------------------------------------- */

/* Computes the numpy broadcast of two shapes; -1 dims (unknown, for static
 * shapes) broadcast against 1 to -1 and against n to n. */
int tfg_k_broadcast_shape(int ra, const int64_t *sa, int rb, const int64_t *sb,
                          int *rout, int64_t *sout, tfg_error *err)
{
    int r = ra > rb ? ra : rb;
    int64_t tmp[TFG_MAX_RANK];
    if (r > TFG_MAX_RANK)
        return tfg_error_set(err, "Broadcast rank %d exceeds %d", r, TFG_MAX_RANK);
    for (int i = 0; i < r; i++) {
        int ia = i - (r - ra), ib = i - (r - rb);
        int64_t da = ia >= 0 ? sa[ia] : 1, db = ib >= 0 ? sb[ib] : 1;
        if (da == db || db == 1)
            tmp[i] = da;
        else if (da == 1)
            tmp[i] = db;
        else if (da == -1)
            tmp[i] = db;
        else if (db == -1)
            tmp[i] = da;
        else {
            char s1[256], s2[256];
            tfg_tensor_shape_str(ra, sa, s1, sizeof s1);
            tfg_tensor_shape_str(rb, sb, s2, sizeof s2);
            return tfg_error_set(err, "Incompatible shapes: %s vs. %s", s1, s2);
        }
    }
    for (int i = 0; i < r; i++)
        sout[i] = tmp[i];
    *rout = r;
    return 0;
}

#define K_MAXOPS 3

/* How to walk a broadcast: the output as nd dims (size-1 dims dropped,
 * mergeable neighbours merged) and each operand's element strides, 0 where
 * it is broadcast. */
typedef struct {
    int nd, nops;
    int64_t dims[TFG_MAX_RANK];
    int64_t st[K_MAXOPS][TFG_MAX_RANK];
} k_plan;

/* Builds the plan that broadcasts ops[0..nops) to the shape (rout, sout). */
static void k_plan_init(k_plan *p, int rout, const int64_t *sout, int nops,
                        const tfg_tensor *const *ops)
{
    int64_t st[K_MAXOPS][TFG_MAX_RANK];
    for (int k = 0; k < nops; k++) {
        int off = rout - ops[k]->rank;
        int64_t s = 1;
        for (int d = rout - 1; d >= 0; d--) {
            int64_t dim = d >= off ? ops[k]->shape[d - off] : 1;
            st[k][d] = dim == 1 ? 0 : s;
            s *= dim;
        }
    }
    p->nops = nops;
    p->nd = 0;
    for (int d = 0; d < rout; d++) {
        if (sout[d] == 1)
            continue;
        int q = p->nd - 1;
        bool merge = q >= 0;
        for (int k = 0; k < nops && merge; k++)
            merge = p->st[k][q] == st[k][d] * sout[d];
        if (merge) {
            p->dims[q] *= sout[d];
            for (int k = 0; k < nops; k++)
                p->st[k][q] = st[k][d];
            continue;
        }
        p->dims[p->nd] = sout[d];
        for (int k = 0; k < nops; k++)
            p->st[k][p->nd] = st[k][d];
        p->nd++;
    }
    if (p->nd == 0) {
        p->nd = 1;
        p->dims[0] = 1;
        for (int k = 0; k < nops; k++)
            p->st[k][0] = 0;
    }
}

/* Called for each run of n output elements starting at flat index pos; off
 * holds each operand's element offset of the run's first element. */
typedef void (*k_run_fn)(void *ctx, int64_t n, int64_t pos, const int64_t *off);

/* Walks output elements [begin, end) of plan p as rows, calling run. */
static void k_plan_walk(const k_plan *p, int64_t begin, int64_t end, k_run_fn run, void *ctx)
{
    int nd = p->nd;
    int64_t idx[TFG_MAX_RANK];
    int64_t rem = begin;
    for (int d = nd - 1; d >= 0; d--) {
        idx[d] = rem % p->dims[d];
        rem /= p->dims[d];
    }
    int64_t pos = begin;
    while (pos < end) {
        int64_t off[K_MAXOPS];
        for (int k = 0; k < p->nops; k++) {
            int64_t o = 0;
            for (int d = 0; d < nd; d++)
                o += idx[d] * p->st[k][d];
            off[k] = o;
        }
        int64_t n = p->dims[nd - 1] - idx[nd - 1];
        if (n > end - pos)
            n = end - pos;
        run(ctx, n, pos, off);
        pos += n;
        idx[nd - 1] = 0;
        for (int d = nd - 2; d >= 0; d--) {
            if (++idx[d] < p->dims[d])
                break;
            idx[d] = 0;
        }
    }
}

/* Outputs at least this large are split across threads. */
#define K_PAR_MIN (1 << 20)

/* The state of one binary op being computed. */
typedef struct {
    k_plan plan;
    k_binrow row;
    const char *a, *b;
    char *o;
    size_t esz, osz;
} k_bin_job;

/* Runs one row of a binary op. */
static void k_bin_run(void *vctx, int64_t n, int64_t pos, const int64_t *off)
{
    k_bin_job *j = vctx;
    int64_t nd = j->plan.nd;
    j->row(n, j->a + off[0] * (int64_t)j->esz, j->plan.st[0][nd - 1],
           j->b + off[1] * (int64_t)j->esz, j->plan.st[1][nd - 1], j->o + pos * (int64_t)j->osz);
}

/* Runs output elements [begin, end) of a binary op (a parallel_for chunk). */
static void k_bin_chunk(void *vctx, int64_t begin, int64_t end)
{
    k_bin_job *j = vctx;
    k_plan_walk(&j->plan, begin, end, k_bin_run, j);
}

/* Checks the integer divisors in b (no zeros) and exponents (none negative). */
static int k_bin_check_ints(tfg_binop op, const tfg_tensor *b, tfg_error *err)
{
    bool isdiv = op == TFG_BIN_DIV || op == TFG_BIN_FLOORDIV || op == TFG_BIN_MOD;
    bool ispow = op == TFG_BIN_POW;
    if (!isdiv && !ispow)
        return 0;
    bool bad = false;
    switch (b->dtype) {
    case TFG_INT32: {
        const int32_t *p = b->data;
        for (int64_t i = 0; i < b->size; i++)
            bad |= isdiv ? p[i] == 0 : p[i] < 0;
        break;
    }
    case TFG_INT64: {
        const int64_t *p = b->data;
        for (int64_t i = 0; i < b->size; i++)
            bad |= isdiv ? p[i] == 0 : p[i] < 0;
        break;
    }
    case TFG_UINT8: {
        const uint8_t *p = b->data;
        for (int64_t i = 0; i < b->size && isdiv; i++)
            bad |= p[i] == 0;
        break;
    }
    default:
        return 0;
    }
    if (!bad)
        return 0;
    return tfg_error_set(err, isdiv ? "Integer division by zero"
                                    : "Integers to negative integer powers are not allowed");
}

/* Elementwise a (op) b with numpy broadcasting; see kernels.h. */
int tfg_k_binary(tfg_binop op, const tfg_tensor *a, const tfg_tensor *b,
                 tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if ((unsigned)op >= TFG_BIN_COUNT)
        return tfg_error_set(err, "Invalid binary op %d", (int)op);
    if (a->dtype != b->dtype)
        return tfg_error_set(err,
                             "cannot compute %s as input #1(zero-based) was expected to be a %s "
                             "tensor but is a %s tensor",
                             k_bin_names[op], tfg_dtype_tf_name(a->dtype),
                             tfg_dtype_tf_name(b->dtype));
    tfg_dtype dt = a->dtype;
    k_binrow row = k_bin_rows[dt][op];
    if (!row)
        return tfg_error_set(err,
                             "No OpKernel was registered to support Op '%s' with these "
                             "attrs: [T=DT_BOOL]",
                             k_bin_names[op]);
    int rout;
    int64_t sout[TFG_MAX_RANK];
    if (a->rank == b->rank && tfg_tensor_same_shape(a, b)) {
        rout = a->rank;
        memcpy(sout, a->shape, sizeof sout);
    } else if (tfg_k_broadcast_shape(a->rank, a->shape, b->rank, b->shape, &rout, sout, err)) {
        return -1;
    }
    bool cmp = op >= TFG_BIN_EQUAL;
    tfg_tensor *o = tfg_tensor_new_uninit(cmp ? TFG_BOOL : dt, rout, sout, err);
    if (!o)
        return -1;
    if (o->size > 0 && tfg_dtype_is_int(dt) && k_bin_check_ints(op, b, err)) {
        tfg_tensor_unref(o);
        return -1;
    }
    size_t esz = tfg_dtype_size(dt);
    if (o->size < K_PAR_MIN) {
        /* small: flat cases straight to the row loop, no plan */
        if (a->size == o->size && b->size == o->size) {
            row(o->size, a->data, 1, b->data, 1, o->data);
            *out = o;
            return 0;
        }
        if (a->size == o->size && b->size == 1) {
            row(o->size, a->data, 1, b->data, 0, o->data);
            *out = o;
            return 0;
        }
        if (a->size == 1 && b->size == o->size) {
            row(o->size, a->data, 0, b->data, 1, o->data);
            *out = o;
            return 0;
        }
        /* a matrix plus a row (a layer's bias): one row call per row */
        int64_t c = rout ? sout[rout - 1] : 1;
        if (c > 0 && a->size == o->size && b->size == c && b->rank >= 1 && b->shape[b->rank - 1] == c) {
            int64_t osz = (int64_t)tfg_dtype_size(o->dtype);
            for (int64_t r = 0; r < o->size; r += c)
                row(c, (const char *)a->data + r * (int64_t)esz, 1, b->data, 1, (char *)o->data + r * osz);
            *out = o;
            return 0;
        }
    }
    k_bin_job job = {.row = row, .a = a->data, .b = b->data, .o = o->data, .esz = esz,
                     .osz = tfg_dtype_size(o->dtype)};
    const tfg_tensor *ops[2] = {a, b};
    k_plan_init(&job.plan, rout, sout, 2, ops);
    tfg_k_parallel_for(o->size, K_PAR_MIN / 2, k_bin_chunk, &job);
    *out = o;
    return 0;
}

/* ---- select --------------------------------------------------------------------- */

/* The state of one select being computed. */
typedef struct {
    k_plan plan;
    const uint8_t *c;
    const char *x, *y;
    char *o;
    size_t esz;
} k_sel_job;

/* Defines NAME, the select row loop copying elements of type T. */
#define K_SEL_ROW(NAME, T)                                                           \
    static void NAME(int64_t n, const uint8_t *c, int64_t sc, const T *x, int64_t sx,  \
                     const T *y, int64_t sy, T *restrict o)                            \
    {                                                                                \
        if (sc && sx && sy) {                                                        \
            for (int64_t i = 0; i < n; i++)                                          \
                o[i] = c[i] ? x[i] : y[i];                                           \
        } else {                                                                     \
            for (int64_t i = 0; i < n; i++)                                          \
                o[i] = c[i * sc] ? x[i * sx] : y[i * sy];                            \
        }                                                                            \
    }
K_SEL_ROW(k_sel_row1, uint8_t)
K_SEL_ROW(k_sel_row4, uint32_t)
K_SEL_ROW(k_sel_row8, uint64_t)

/* Runs one row of a select. */
static void k_sel_run(void *vctx, int64_t n, int64_t pos, const int64_t *off)
{
    k_sel_job *j = vctx;
    int nd = j->plan.nd;
    const uint8_t *c = j->c + off[0];
    int64_t sc = j->plan.st[0][nd - 1], sx = j->plan.st[1][nd - 1], sy = j->plan.st[2][nd - 1];
    switch (j->esz) {
    case 1:
        k_sel_row1(n, c, sc, (const uint8_t *)j->x + off[1], sx, (const uint8_t *)j->y + off[2],
                   sy, (uint8_t *)j->o + pos);
        break;
    case 4:
        k_sel_row4(n, c, sc, (const uint32_t *)j->x + off[1], sx,
                   (const uint32_t *)j->y + off[2], sy, (uint32_t *)j->o + pos);
        break;
    default:
        k_sel_row8(n, c, sc, (const uint64_t *)j->x + off[1], sx,
                   (const uint64_t *)j->y + off[2], sy, (uint64_t *)j->o + pos);
        break;
    }
}

/* Runs output elements [begin, end) of a select (a parallel_for chunk). */
static void k_sel_chunk(void *vctx, int64_t begin, int64_t end)
{
    k_sel_job *j = vctx;
    k_plan_walk(&j->plan, begin, end, k_sel_run, j);
}

/* tf.where(cond, x, y): numpy broadcasting of all three; also TF1 Select's
 * row form, a vector cond picking whole rows of same-shaped x and y. */
int tfg_k_select(const tfg_tensor *cond, const tfg_tensor *x, const tfg_tensor *y,
                 tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (cond->dtype != TFG_BOOL)
        return tfg_error_set(err, "cannot compute Select as input #0(zero-based) was expected "
                                  "to be a bool tensor but is a %s tensor",
                             tfg_dtype_tf_name(cond->dtype));
    if (x->dtype != y->dtype)
        return tfg_error_set(err, "cannot compute Select as input #2(zero-based) was expected "
                                  "to be a %s tensor but is a %s tensor",
                             tfg_dtype_tf_name(x->dtype), tfg_dtype_tf_name(y->dtype));
    int rout;
    int64_t sout[TFG_MAX_RANK];
    tfg_tensor cview;
    const tfg_tensor *c = cond;
    if (cond->rank == 1 && x->rank > 1 && tfg_tensor_same_shape(x, y) &&
        cond->shape[0] == x->shape[0]) {
        /* TF1 Select: cond [n] against x [n, ...] selects rows; view it as [n,1,...] */
        cview = *cond;
        cview.rank = x->rank;
        for (int d = 1; d < x->rank; d++)
            cview.shape[d] = 1;
        c = &cview;
    }
    if (tfg_k_broadcast_shape(x->rank, x->shape, y->rank, y->shape, &rout, sout, err) ||
        tfg_k_broadcast_shape(c->rank, c->shape, rout, sout, &rout, sout, err))
        return -1;
    tfg_tensor *o = tfg_tensor_new_uninit(x->dtype, rout, sout, err);
    if (!o)
        return -1;
    k_sel_job job = {.c = c->data, .x = x->data, .y = y->data, .o = o->data,
                     .esz = tfg_dtype_size(x->dtype)};
    const tfg_tensor *ops[3] = {c, x, y};
    k_plan_init(&job.plan, rout, sout, 3, ops);
    tfg_k_parallel_for(o->size, K_PAR_MIN / 2, k_sel_chunk, &job);
    *out = o;
    return 0;
}
