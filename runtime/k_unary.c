/* k_unary.c — elementwise unary ops (tfg_k_unary).
 *
 * One row loop per (op, dtype), contiguous in and out, vectorised where the
 * element function allows. float32 math runs in float (expf, tanhf, ...),
 * float64 in double. float32 exp, log, log1p, sigmoid, tanh, sin, cos and
 * softplus give TensorFlow's exact bits: elements in whole groups of 8 (by
 * flat index) go through k_tfmath.c's copies of Eigen's packet functions,
 * the rest through glibc (Eigen's tanh, and TF's e/(1+e) sigmoid), which
 * is how TF's Eigen executor splits the work. float32 rsqrt and reciprocal
 * are exact here; TF's packet path uses the CPU's rsqrtps/rcpps estimates
 * plus a Newton step, which vary between CPU vendors, so they may differ
 * from TF in the last bit for tensors of 8 or more elements.
 * Semantics follow TensorFlow's CPU kernels:
 *   sigmoid    e/(1+e) with e = exp(min(x, 16.64)) (never overflows);
 *   softplus   TF's three-piece form: x above -(log(eps)+2), e^x below
 *              log(eps)+2, else log1p(e^x);
 *   round      half to even (rint under the default rounding mode);
 *   sign       -1/0/1, NaN stays NaN, -0 gives +0;
 *   relu       x < 0 ? 0 : x (NaN and -0 pass through, as TF).
 * Integer inputs: neg/abs/square/sign/relu/relu6 are exact integer ops
 * (wrapping), floor/ceil/round are the identity, logical_not is x == 0, and
 * the transcendental ones compute in double and convert back as Cast does.
 * bool takes logical_not only. float64 math is glibc's, which may differ
 * from TF's Eigen double polynomials in the last bit.
 */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("O3", "fp-contract=off")

#include "kernels.h"

#include <math.h>

/* A row loop: o[i] = f(x[i]) for i < n. */
typedef void (*k_unrow)(int64_t n, const void *x, void *o);

/* Defines NAME, the row loop applying the element function FN: T -> T. */
#define K_UN_ROW(NAME, T, FN)                                                        \
    static void NAME(int64_t n, const void *vx, void *vo)                            \
    {                                                                                \
        const T *restrict px = vx;                                                   \
        T *restrict po = vo;                                                         \
        for (int64_t i = 0; i < n; i++)                                              \
            po[i] = FN(px[i]);                                                       \
    }

/* Element functions for a float type S (T); SUF is libm's suffix. */
#define K_FLOAT_UN(S, T, SUF, SOFTPLUS_TH)                                           \
    static inline T neg_##S(T x) { return -x; }                                      \
    static inline T abs_##S(T x) { return fabs##SUF(x); }                            \
    static inline T square_##S(T x) { return x * x; }                                \
    static inline T sqrt_##S(T x) { return sqrt##SUF(x); }                           \
    static inline T rsqrt_##S(T x) { return (T)1 / sqrt##SUF(x); }                   \
    static inline T exp_##S(T x) { return exp##SUF(x); }                             \
    static inline T log_##S(T x) { return log##SUF(x); }                             \
    static inline T log1p_##S(T x) { return log1p##SUF(x); }                         \
    static inline T sigmoid_##S(T x)                                                 \
    {                                                                                \
        if (x >= 0)                                                                  \
            return (T)1 / ((T)1 + exp##SUF(-x));                                     \
        T e = exp##SUF(x);                                                           \
        return e / ((T)1 + e);                                                       \
    }                                                                                \
    static inline T tanh_##S(T x) { return tanh##SUF(x); }                           \
    static inline T relu_##S(T x) { return x < 0 ? (T)0 : x; }                       \
    static inline T relu6_##S(T x) { return x < 0 ? (T)0 : x > 6 ? (T)6 : x; }       \
    static inline T sign_##S(T x) { return x > 0 ? (T)1 : x < 0 ? (T)-1 : x == 0 ? (T)0 : x; } \
    static inline T floor_##S(T x) { return floor##SUF(x); }                         \
    static inline T ceil_##S(T x) { return ceil##SUF(x); }                           \
    static inline T round_##S(T x) { return rint##SUF(x); }                          \
    static inline T recip_##S(T x) { return (T)1 / x; }                              \
    static inline T sin_##S(T x) { return sin##SUF(x); }                             \
    static inline T cos_##S(T x) { return cos##SUF(x); }                             \
    static inline T softplus_##S(T x)                                                \
    {                                                                                \
        if (x > -(SOFTPLUS_TH))                                                      \
            return x;                                                                \
        if (x < (SOFTPLUS_TH))                                                       \
            return exp##SUF(x);                                                      \
        return log1p##SUF(exp##SUF(x));                                              \
    }                                                                                \
    static inline T lnot_##S(T x) { return x == 0; }

/* log(machine epsilon) + 2, TF's softplus cut-offs for float and double. */
#define K_SOFTPLUS_TH_F32 (-15.942385152878742f + 2.0f)
#define K_SOFTPLUS_TH_F64 (-36.04365338911715 + 2.0)

K_FLOAT_UN(f32, float, f, K_SOFTPLUS_TH_F32)
K_FLOAT_UN(f64, double, , K_SOFTPLUS_TH_F64)

/* Element functions for a signed int type S (T, unsigned twin U, conversion
 * from double CONV); transcendental ones go through double. */
#define K_SINT_UN(S, T, U, CONV)                                                     \
    static inline T neg_##S(T x) { return (T)((U)0 - (U)x); }                        \
    static inline T abs_##S(T x) { return x < 0 ? (T)((U)0 - (U)x) : x; }            \
    static inline T square_##S(T x) { return (T)((U)x * (U)x); }                     \
    static inline T sign_##S(T x) { return (T)((x > 0) - (x < 0)); }                 \
    static inline T relu_##S(T x) { return x < 0 ? 0 : x; }                          \
    static inline T relu6_##S(T x) { return x < 0 ? 0 : x > 6 ? 6 : x; }             \
    static inline T id_##S(T x) { return x; }                                        \
    static inline T lnot_##S(T x) { return x == 0; }                                 \
    static inline T sqrt_##S(T x) { return CONV(sqrt_f64((double)x)); }              \
    static inline T rsqrt_##S(T x) { return CONV(rsqrt_f64((double)x)); }            \
    static inline T exp_##S(T x) { return CONV(exp_f64((double)x)); }                \
    static inline T log_##S(T x) { return CONV(log_f64((double)x)); }                \
    static inline T log1p_##S(T x) { return CONV(log1p_f64((double)x)); }            \
    static inline T sigmoid_##S(T x) { return CONV(sigmoid_f64((double)x)); }        \
    static inline T tanh_##S(T x) { return CONV(tanh_f64((double)x)); }              \
    static inline T recip_##S(T x) { return CONV(recip_f64((double)x)); }            \
    static inline T sin_##S(T x) { return CONV(sin_f64((double)x)); }                \
    static inline T cos_##S(T x) { return CONV(cos_f64((double)x)); }                \
    static inline T softplus_##S(T x) { return CONV(softplus_f64((double)x)); }

K_SINT_UN(i32, int32_t, uint32_t, tfg_f64_to_i32)
K_SINT_UN(i64, int64_t, uint64_t, tfg_f64_to_i64)

/* uint8 element functions (wrapping; no negative values to handle). */
static inline uint8_t neg_u8(uint8_t x) { return (uint8_t)(0u - x); }
static inline uint8_t id_u8(uint8_t x) { return x; }
static inline uint8_t square_u8(uint8_t x) { return (uint8_t)(x * x); }
static inline uint8_t sign_u8(uint8_t x) { return x > 0; }
static inline uint8_t relu6_u8(uint8_t x) { return x > 6 ? 6 : x; }
static inline uint8_t lnot_u8(uint8_t x) { return x == 0; }
#define K_U8_VIA_F64(NAME)                                                           \
    static inline uint8_t NAME##_u8(uint8_t x) { return tfg_f64_to_u8(NAME##_f64((double)x)); }
K_U8_VIA_F64(sqrt)
K_U8_VIA_F64(rsqrt)
K_U8_VIA_F64(exp)
K_U8_VIA_F64(log)
K_U8_VIA_F64(log1p)
K_U8_VIA_F64(sigmoid)
K_U8_VIA_F64(tanh)
K_U8_VIA_F64(recip)
K_U8_VIA_F64(sin)
K_U8_VIA_F64(cos)
K_U8_VIA_F64(softplus)

/* The row loops of every op for type S (T), FLOOR/CEIL/ROUND/ABS/RELU given. */
#define K_UN_ROWS(S, T, ABS, RELU, FLOOR, CEIL, ROUND, SIGMOID, TANH)                \
    K_UN_ROW(un_neg_##S, T, neg_##S)                                                 \
    K_UN_ROW(un_abs_##S, T, ABS)                                                     \
    K_UN_ROW(un_square_##S, T, square_##S)                                           \
    K_UN_ROW(un_sqrt_##S, T, sqrt_##S)                                               \
    K_UN_ROW(un_rsqrt_##S, T, rsqrt_##S)                                             \
    K_UN_ROW(un_exp_##S, T, exp_##S)                                                 \
    K_UN_ROW(un_log_##S, T, log_##S)                                                 \
    K_UN_ROW(un_log1p_##S, T, log1p_##S)                                             \
    K_UN_ROW(un_sigmoid_##S, T, SIGMOID)                                             \
    K_UN_ROW(un_tanh_##S, T, TANH)                                                   \
    K_UN_ROW(un_relu_##S, T, RELU)                                                   \
    K_UN_ROW(un_relu6_##S, T, relu6_##S)                                             \
    K_UN_ROW(un_sign_##S, T, sign_##S)                                               \
    K_UN_ROW(un_floor_##S, T, FLOOR)                                                 \
    K_UN_ROW(un_ceil_##S, T, CEIL)                                                   \
    K_UN_ROW(un_round_##S, T, ROUND)                                                 \
    K_UN_ROW(un_recip_##S, T, recip_##S)                                             \
    K_UN_ROW(un_sin_##S, T, sin_##S)                                                 \
    K_UN_ROW(un_cos_##S, T, cos_##S)                                                 \
    K_UN_ROW(un_softplus_##S, T, softplus_##S)                                       \
    K_UN_ROW(un_lnot_##S, T, lnot_##S)

K_UN_ROWS(f32, float, abs_f32, relu_f32, floor_f32, ceil_f32, round_f32,
          tfg_k_tf_sigmoidf_scalar, tfg_k_tf_tanhf)
K_UN_ROWS(f64, double, abs_f64, relu_f64, floor_f64, ceil_f64, round_f64, sigmoid_f64, tanh_f64)
K_UN_ROWS(i32, int32_t, abs_i32, relu_i32, id_i32, id_i32, id_i32, sigmoid_i32, tanh_i32)
K_UN_ROWS(i64, int64_t, abs_i64, relu_i64, id_i64, id_i64, id_i64, sigmoid_i64, tanh_i64)
K_UN_ROWS(u8, uint8_t, id_u8, id_u8, id_u8, id_u8, id_u8, sigmoid_u8, tanh_u8)

/* TF's softplus on the packet path: Eigen's exp and log1p. */
static inline float tf_softplus_packet(float x)
{
    if (x > -K_SOFTPLUS_TH_F32)
        return x;
    float e = tfg_k_tf_expf_packet(x);
    return x < K_SOFTPLUS_TH_F32 ? e : tfg_k_tf_log1pf_packet(e);
}
static void pk_exp_f32(int64_t n, const void *vx, void *vo)
{
    tfg_k_tf_expf_packet_n(vx, vo, n);
}
K_UN_ROW(pk_log_f32, float, tfg_k_tf_logf_packet)
K_UN_ROW(pk_log1p_f32, float, tfg_k_tf_log1pf_packet)
K_UN_ROW(pk_sigmoid_f32, float, tfg_k_tf_sigmoidf_packet)
K_UN_ROW(pk_sin_f32, float, tfg_k_tf_sinf_packet)
K_UN_ROW(pk_cos_f32, float, tfg_k_tf_cosf_packet)
K_UN_ROW(pk_softplus_f32, float, tf_softplus_packet)

/* float32 ops whose TF packet path differs from its scalar path: the row
 * loop for elements in whole groups of 8 (by flat index), as TF's Eigen
 * executor runs them; the others go through k_un_rows. */
static const k_unrow k_un_packet_f32[TFG_UN_COUNT] = {
    [TFG_UN_EXP] = pk_exp_f32,         [TFG_UN_LOG] = pk_log_f32,
    [TFG_UN_LOG1P] = pk_log1p_f32,     [TFG_UN_SIGMOID] = pk_sigmoid_f32,
    [TFG_UN_SIN] = pk_sin_f32,         [TFG_UN_COS] = pk_cos_f32,
    [TFG_UN_SOFTPLUS] = pk_softplus_f32,
};

/* One column of the op table: the row loops of type S. */
#define K_UN_COL(S)                                                                  \
    [TFG_UN_NEG] = un_neg_##S, [TFG_UN_ABS] = un_abs_##S,                            \
    [TFG_UN_SQUARE] = un_square_##S, [TFG_UN_SQRT] = un_sqrt_##S,                    \
    [TFG_UN_RSQRT] = un_rsqrt_##S, [TFG_UN_EXP] = un_exp_##S,                        \
    [TFG_UN_LOG] = un_log_##S, [TFG_UN_LOG1P] = un_log1p_##S,                        \
    [TFG_UN_SIGMOID] = un_sigmoid_##S, [TFG_UN_TANH] = un_tanh_##S,                  \
    [TFG_UN_RELU] = un_relu_##S, [TFG_UN_RELU6] = un_relu6_##S,                      \
    [TFG_UN_SIGN] = un_sign_##S, [TFG_UN_FLOOR] = un_floor_##S,                      \
    [TFG_UN_CEIL] = un_ceil_##S, [TFG_UN_ROUND] = un_round_##S,                      \
    [TFG_UN_RECIPROCAL] = un_recip_##S, [TFG_UN_SIN] = un_sin_##S,                   \
    [TFG_UN_COS] = un_cos_##S, [TFG_UN_SOFTPLUS] = un_softplus_##S,                  \
    [TFG_UN_LOGICAL_NOT] = un_lnot_##S

/* The row loop of every (dtype, op); NULL where the dtype lacks the op. */
static const k_unrow k_un_rows[TFG_DTYPE_COUNT][TFG_UN_COUNT] = {
    [TFG_FLOAT32] = {K_UN_COL(f32)}, [TFG_FLOAT64] = {K_UN_COL(f64)},
    [TFG_INT32] = {K_UN_COL(i32)},   [TFG_INT64] = {K_UN_COL(i64)},
    [TFG_UINT8] = {K_UN_COL(u8)},    [TFG_BOOL] = {[TFG_UN_LOGICAL_NOT] = un_lnot_u8},
};

/* TensorFlow's op names, for messages. */
static const char *const k_un_names[TFG_UN_COUNT] = {
    [TFG_UN_NEG] = "Neg", [TFG_UN_ABS] = "Abs", [TFG_UN_SQUARE] = "Square",
    [TFG_UN_SQRT] = "Sqrt", [TFG_UN_RSQRT] = "Rsqrt", [TFG_UN_EXP] = "Exp",
    [TFG_UN_LOG] = "Log", [TFG_UN_LOG1P] = "Log1p", [TFG_UN_SIGMOID] = "Sigmoid",
    [TFG_UN_TANH] = "Tanh", [TFG_UN_RELU] = "Relu", [TFG_UN_RELU6] = "Relu6",
    [TFG_UN_SIGN] = "Sign", [TFG_UN_FLOOR] = "Floor", [TFG_UN_CEIL] = "Ceil",
    [TFG_UN_ROUND] = "Round", [TFG_UN_RECIPROCAL] = "Reciprocal", [TFG_UN_SIN] = "Sin",
    [TFG_UN_COS] = "Cos", [TFG_UN_SOFTPLUS] = "Softplus", [TFG_UN_LOGICAL_NOT] = "LogicalNot",
};

/* True for the ops that cost a few cycles per element (worth threads later). */
static bool k_un_cheap(tfg_unop op)
{
    switch (op) {
    case TFG_UN_NEG: case TFG_UN_ABS: case TFG_UN_SQUARE: case TFG_UN_RELU:
    case TFG_UN_RELU6: case TFG_UN_SIGN: case TFG_UN_FLOOR: case TFG_UN_CEIL:
    case TFG_UN_ROUND: case TFG_UN_LOGICAL_NOT:
        return true;
    default:
        return false;
    }
}

/* The state of one unary op being computed. */
typedef struct {
    k_unrow row, packet; /* packet: row loop for [0, npacket), or NULL */
    int64_t npacket;
    const char *x;
    char *o;
    size_t esz;
} k_un_job;

/* Runs elements [begin, end) of a unary op (a parallel_for chunk). */
static void k_un_chunk(void *vctx, int64_t begin, int64_t end)
{
    k_un_job *j = vctx;
    int64_t mid = begin;
    if (j->packet && begin < j->npacket) {
        mid = end < j->npacket ? end : j->npacket;
        j->packet(mid - begin, j->x + begin * (int64_t)j->esz, j->o + begin * (int64_t)j->esz);
    }
    if (mid < end)
        j->row(end - mid, j->x + mid * (int64_t)j->esz, j->o + mid * (int64_t)j->esz);
}

/* Elementwise op(x), same dtype and shape; see kernels.h. */
int tfg_k_unary(tfg_unop op, const tfg_tensor *x, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if ((unsigned)op >= TFG_UN_COUNT)
        return tfg_error_set(err, "Invalid unary op %d", (int)op);
    k_unrow row = k_un_rows[x->dtype][op];
    if (!row)
        return tfg_error_set(err,
                             "No OpKernel was registered to support Op '%s' with these "
                             "attrs: [T=DT_BOOL]",
                             k_un_names[op]);
    tfg_tensor *o = tfg_tensor_new_uninit(x->dtype, x->rank, x->shape, err);
    if (!o)
        return -1;
    k_un_job job = {row, x->dtype == TFG_FLOAT32 ? k_un_packet_f32[op] : NULL,
                    o->size / 8 * 8, x->data, o->data, tfg_dtype_size(x->dtype)};
    tfg_k_parallel_for(o->size, k_un_cheap(op) ? (1 << 19) : (1 << 14), k_un_chunk, &job);
    *out = o;
    return 0;
}
