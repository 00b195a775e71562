/* k_grad.c — CPU kernels of the ops that gradients build; see k_grad.h.
 *
 * The elementwise helpers reproduce TensorFlow's float bits: its Eigen
 * kernels run whole AVX packets (8 floats, 4 doubles) through packetOp and
 * the tail through the scalar operator(), and for SigmoidGrad, SqrtGrad and
 * RsqrtGrad the two differ in association, rounding or the sign of zero
 * (checked against TF 2.21 on random data, zeros, infinities and NaNs). */
#include <inttypes.h>
#include <string.h>
#include "k_grad.h"

/* "Incompatible shapes: [2] vs. [3]" */
static int shape_mismatch(const tfg_tensor *a, const tfg_tensor *b, tfg_error *err)
{
    char sa[160], sb[160];
    tfg_tensor_shape_str(a->rank, a->shape, sa, sizeof sa);
    tfg_tensor_shape_str(b->rank, b->shape, sb, sizeof sb);
    return tfg_error_set(err, "Incompatible shapes: %s vs. %s", sa, sb);
}

/* Defines the float32 or float64 loop of tfg_k_unary_grad: P elements per
 * packet, T the element type. */
#define UNARY_GRAD_LOOP(fname, T, P)                                                                     \
    static void fname(tfg_unary_grad_op op, const T *a, const T *b, T *o, int64_t n)                   \
    {                                                                                                    \
        const T one = (T)1, half = (T)0.5, zero = (T)0;                                                  \
        int64_t m = n / (P) * (P); /* elements inside whole packets */                                   \
        for (int64_t i = 0; i < n; i++) {                                                                \
            T y = a[i], dy = b[i];                                                                       \
            bool packet = i < m;                                                                         \
            switch (op) {                                                                                \
            case TFG_UG_SIGMOID:                                                                         \
                o[i] = packet ? dy * (y * (one - y)) : (dy * y) * (one - y);                             \
                break;                                                                                   \
            case TFG_UG_TANH:                                                                            \
                o[i] = dy * (one - y * y);                                                               \
                break;                                                                                   \
            case TFG_UG_SQRT:                                                                            \
                o[i] = dy == zero ? zero : packet ? (half * dy) * (one / y) : (half * dy) / y;           \
                break;                                                                                   \
            case TFG_UG_RSQRT:                                                                           \
                o[i] = dy == zero ? zero                                                                 \
                       : packet   ? zero - (half * (dy * y)) * (y * y)                                   \
                                  : (-half * (dy * y)) * (y * y);                                        \
                break;                                                                                   \
            case TFG_UG_RECIPROCAL:                                                                      \
                o[i] = dy == zero ? zero : ((-y) * y) * dy;                                              \
                break;                                                                                   \
            case TFG_UG_RELU: /* a = gradients, b = features */                                          \
                o[i] = b[i] > zero ? a[i] : zero;                                                        \
                break;                                                                                   \
            case TFG_UG_RELU6:                                                                           \
                o[i] = b[i] > zero && b[i] < (T)6 ? a[i] : zero;                                         \
                break;                                                                                   \
            default:                                                                                     \
                o[i] = zero;                                                                             \
                break;                                                                                   \
            }                                                                                            \
        }                                                                                                \
    }

UNARY_GRAD_LOOP(unary_grad_f32, float, 8)
UNARY_GRAD_LOOP(unary_grad_f64, double, 4)

/* ReluGrad's float32 loop alone (a select, no arithmetic), vectorised. */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
__attribute__((optimize("O3"))) static void relu_grad_f32(const float *restrict a,
                                                          const float *restrict b,
                                                          float *restrict o, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        o[i] = b[i] > 0.0f ? a[i] : 0.0f;
}

/* TF's ReluGrad, SigmoidGrad, ... on two same-shape float tensors. */
int tfg_k_unary_grad(tfg_unary_grad_op op, const tfg_tensor *a, const tfg_tensor *b, tfg_tensor **out,
                     tfg_error *err)
{
    *out = NULL;
    if (a->dtype != b->dtype || !tfg_dtype_is_float(a->dtype))
        return tfg_error_set(err, "gradient kernels take two float32 or two float64 tensors, not %s and %s",
                             tfg_dtype_name(a->dtype), tfg_dtype_name(b->dtype));
    if (!tfg_tensor_same_shape(a, b)) return shape_mismatch(a, b, err);
    tfg_tensor *o = tfg_tensor_new_uninit(a->dtype, a->rank, a->shape, err); /* all written */
    if (!o) return -1;
    if (a->dtype == TFG_FLOAT32 && op == TFG_UG_RELU) relu_grad_f32(a->data, b->data, o->data, a->size);
    else if (a->dtype == TFG_FLOAT32) unary_grad_f32(op, a->data, b->data, o->data, a->size);
    else unary_grad_f64(op, a->data, b->data, o->data, a->size);
    *out = o;
    return 0;
}

/* StridedSliceGrad: the flat positions the indexing reads (an iota sliced), dy scattered there. */
int tfg_k_strided_slice_grad(int rank, const int64_t *shape, const tfg_tensor *dy, const tfg_slice_spec *spec,
                             int nspec, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    /* the flat input position of every element the indexing reads */
    tfg_tensor *iota = tfg_tensor_new(TFG_INT64, rank, shape, err), *pos = NULL;
    if (!iota) return -1;
    for (int64_t i = 0; i < iota->size; i++) ((int64_t *)iota->data)[i] = i;
    int rc = tfg_k_slice(iota, spec, nspec, &pos, err);
    tfg_tensor_unref(iota);
    if (rc) return -1;
    if (!tfg_tensor_same_shape(pos, dy)) {
        char sp[160], sd[160];
        tfg_tensor_shape_str(pos->rank, pos->shape, sp, sizeof sp);
        tfg_tensor_shape_str(dy->rank, dy->shape, sd, sizeof sd);
        tfg_tensor_unref(pos);
        return tfg_error_set(err, "shape of dy was %s instead of %s", sd, sp);
    }
    tfg_tensor *o = tfg_tensor_new(dy->dtype, rank, shape, err);
    if (!o) {
        tfg_tensor_unref(pos);
        return -1;
    }
    size_t esz = tfg_dtype_size(dy->dtype);
    const int64_t *p = pos->data;
    for (int64_t i = 0; i < dy->size; i++)
        memcpy((char *)o->data + (size_t)p[i] * esz, (const char *)dy->data + (size_t)i * esz, esz);
    tfg_tensor_unref(pos);
    *out = o;
    return 0;
}

/* Adds `n` elements of dtype dt at src into dst. */
static void add_row(tfg_dtype dt, void *dst, const void *src, int64_t n)
{
    switch (dt) {
    case TFG_FLOAT32:
        for (int64_t k = 0; k < n; k++) ((float *)dst)[k] += ((const float *)src)[k];
        break;
    case TFG_FLOAT64:
        for (int64_t k = 0; k < n; k++) ((double *)dst)[k] += ((const double *)src)[k];
        break;
    case TFG_INT32: /* wraps, as TF's int32 sums */
        for (int64_t k = 0; k < n; k++)
            ((int32_t *)dst)[k] = (int32_t)((uint32_t)((int32_t *)dst)[k] + (uint32_t)((const int32_t *)src)[k]);
        break;
    case TFG_INT64:
        for (int64_t k = 0; k < n; k++)
            ((int64_t *)dst)[k] = (int64_t)((uint64_t)((int64_t *)dst)[k] + (uint64_t)((const int64_t *)src)[k]);
        break;
    default:
        for (int64_t k = 0; k < n; k++)
            ((uint8_t *)dst)[k] = (uint8_t)(((uint8_t *)dst)[k] + ((const uint8_t *)src)[k]);
        break;
    }
}

/* UnsortedSegmentSum: rows of data added into their segments, in order. */
int tfg_k_unsorted_segment_sum(const tfg_tensor *data, const tfg_tensor *ids, int64_t num_segments,
                               tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (!tfg_dtype_is_int(ids->dtype) || ids->dtype == TFG_UINT8)
        return tfg_error_set(err, "segment_ids must be int32 or int64, not %s", tfg_dtype_name(ids->dtype));
    if (data->dtype == TFG_BOOL) return tfg_error_set(err, "UnsortedSegmentSum does not take bool data");
    bool prefix = ids->rank <= data->rank;
    for (int d = 0; prefix && d < ids->rank; d++) prefix = ids->shape[d] == data->shape[d];
    if (!prefix) {
        char sd[160], si[160];
        tfg_tensor_shape_str(data->rank, data->shape, sd, sizeof sd);
        tfg_tensor_shape_str(ids->rank, ids->shape, si, sizeof si);
        return tfg_error_set(err, "data.shape = %s does not start with segment_ids.shape = %s", sd, si);
    }
    if (num_segments < 0)
        return tfg_error_set(err, "Input num_segments == %" PRId64 " must not be negative.", num_segments);
    int64_t shape[TFG_MAX_RANK], inner = 1;
    int rank = 1 + data->rank - ids->rank;
    shape[0] = num_segments;
    for (int d = ids->rank; d < data->rank; d++) {
        shape[1 + d - ids->rank] = data->shape[d];
        inner *= data->shape[d];
    }
    tfg_tensor *o = tfg_tensor_new(data->dtype, rank, shape, err);
    if (!o) return -1;
    size_t esz = tfg_dtype_size(data->dtype);
    for (int64_t i = 0; i < ids->size; i++) {
        int64_t j = tfg_tensor_get_i(ids, i);
        if (j < 0) continue;
        if (j >= num_segments) {
            tfg_tensor_unref(o);
            return tfg_error_set(err, "segment_ids[%" PRId64 "] = %" PRId64 " is out of range [0, %" PRId64 ")", i,
                                 j, num_segments);
        }
        add_row(data->dtype, (char *)o->data + (size_t)(j * inner) * esz,
                (const char *)data->data + (size_t)(i * inner) * esz, inner);
    }
    *out = o;
    return 0;
}

/* Row-major strides of a shape, in elements. */
static void strides_of(int rank, const int64_t *shape, int64_t *st)
{
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        st[d] = s;
        s *= shape[d];
    }
}

/* Pad: x copied row by row into zeros of the padded shape. */
int tfg_k_pad(const tfg_tensor *x, const int64_t (*pads)[2], tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    int64_t shape[TFG_MAX_RANK], ost[TFG_MAX_RANK];
    for (int d = 0; d < x->rank; d++) {
        if (pads[d][0] < 0 || pads[d][1] < 0)
            return tfg_error_set(err, "Paddings must be non-negative: %" PRId64 " %" PRId64, pads[d][0], pads[d][1]);
        shape[d] = x->shape[d] + pads[d][0] + pads[d][1];
    }
    tfg_tensor *o = tfg_tensor_new(x->dtype, x->rank, shape, err);
    if (!o) return -1;
    *out = o;
    if (x->size == 0) return 0;
    strides_of(x->rank, shape, ost);
    size_t esz = tfg_dtype_size(x->dtype);
    int r = x->rank;
    if (r == 0) {
        memcpy(o->data, x->data, esz);
        return 0;
    }
    /* copy x one innermost row at a time */
    int64_t row = x->shape[r - 1], idx[TFG_MAX_RANK] = { 0 };
    for (int64_t src = 0; src < x->size; src += row) {
        int64_t off = pads[r - 1][0];
        for (int d = 0; d < r - 1; d++) off += (idx[d] + pads[d][0]) * ost[d];
        memcpy((char *)o->data + (size_t)off * esz, (const char *)x->data + (size_t)src * esz, (size_t)row * esz);
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < x->shape[d]) break;
            idx[d] = 0;
        }
    }
    return 0;
}

/* BroadcastTo: every output element read from x through strides that are 0 on repeated axes. */
int tfg_k_broadcast_to(const tfg_tensor *x, int rank, const int64_t *shape, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    int64_t xst[TFG_MAX_RANK];
    bool ok = x->rank <= rank;
    for (int d = 0; ok && d < x->rank; d++) {
        int64_t xd = x->shape[d], od = shape[rank - x->rank + d];
        ok = xd == od || xd == 1;
    }
    if (!ok) {
        char sx[160], so[160];
        tfg_tensor_shape_str(x->rank, x->shape, sx, sizeof sx);
        tfg_tensor_shape_str(rank, shape, so, sizeof so);
        return tfg_error_set(err, "Unable to broadcast tensor of shape %s to tensor of shape %s", sx, so);
    }
    tfg_tensor *o = tfg_tensor_new(x->dtype, rank, shape, err);
    if (!o) return -1;
    *out = o;
    if (o->size == 0) return 0;
    /* x's stride along each output axis: 0 where it repeats */
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        int k = d - (rank - x->rank);
        if (k >= 0 && x->shape[k] != 1) {
            xst[d] = s;
            s *= x->shape[k];
        } else {
            xst[d] = 0;
            if (k >= 0) s *= x->shape[k];
        }
    }
    size_t esz = tfg_dtype_size(x->dtype);
    int64_t idx[TFG_MAX_RANK] = { 0 }, src = 0;
    for (int64_t i = 0; i < o->size; i++) {
        memcpy((char *)o->data + (size_t)i * esz, (const char *)x->data + (size_t)src * esz, esz);
        for (int d = rank - 1; d >= 0; d--) {
            src += xst[d];
            if (++idx[d] < shape[d]) break;
            src -= xst[d] * shape[d];
            idx[d] = 0;
        }
    }
    return 0;
}

/* Defines the cumulative product along one axis for element type T, with
 * `mul` the multiplication (wrapping for integers). */
#define CUMPROD_LOOP(fname, T, mul)                                                                       \
    static void fname(const T *x, T *o, int64_t outer, int64_t len, int64_t inner, bool excl, bool rev)  \
    {                                                                                                     \
        for (int64_t a = 0; a < outer; a++)                                                               \
            for (int64_t c = 0; c < inner; c++) {                                                         \
                T acc = (T)1;                                                                             \
                for (int64_t k = 0; k < len; k++) {                                                       \
                    int64_t at = a * len * inner + (rev ? len - 1 - k : k) * inner + c;                   \
                    if (excl) {                                                                           \
                        o[at] = acc;                                                                      \
                        acc = mul(acc, x[at]);                                                            \
                    } else {                                                                              \
                        acc = mul(acc, x[at]);                                                            \
                        o[at] = acc;                                                                      \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
    }
#define MUL_PLAIN(a, b) ((a) * (b))
#define MUL_I32(a, b) ((int32_t)((uint32_t)(a) * (uint32_t)(b)))
#define MUL_I64(a, b) ((int64_t)((uint64_t)(a) * (uint64_t)(b)))
#define MUL_U8(a, b) ((uint8_t)((a) * (b)))
CUMPROD_LOOP(cumprod_f32, float, MUL_PLAIN)
CUMPROD_LOOP(cumprod_f64, double, MUL_PLAIN)
CUMPROD_LOOP(cumprod_i32, int32_t, MUL_I32)
CUMPROD_LOOP(cumprod_i64, int64_t, MUL_I64)
CUMPROD_LOOP(cumprod_u8, uint8_t, MUL_U8)

/* Cumprod along one axis: the typed loops over (outer, axis, inner). */
int tfg_k_cumprod(const tfg_tensor *x, int axis, bool exclusive, bool reverse, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (axis < 0 || axis >= x->rank)
        return tfg_error_set(err, "axis %d out of range for a tensor of rank %d", axis, x->rank);
    if (x->dtype == TFG_BOOL) return tfg_error_set(err, "Cumprod does not take bool tensors");
    tfg_tensor *o = tfg_tensor_new(x->dtype, x->rank, x->shape, err);
    if (!o) return -1;
    int64_t outer = 1, inner = 1, len = x->shape[axis];
    for (int d = 0; d < axis; d++) outer *= x->shape[d];
    for (int d = axis + 1; d < x->rank; d++) inner *= x->shape[d];
    switch (x->dtype) {
    case TFG_FLOAT32: cumprod_f32(x->data, o->data, outer, len, inner, exclusive, reverse); break;
    case TFG_FLOAT64: cumprod_f64(x->data, o->data, outer, len, inner, exclusive, reverse); break;
    case TFG_INT32: cumprod_i32(x->data, o->data, outer, len, inner, exclusive, reverse); break;
    case TFG_INT64: cumprod_i64(x->data, o->data, outer, len, inner, exclusive, reverse); break;
    default: cumprod_u8(x->data, o->data, outer, len, inner, exclusive, reverse); break;
    }
    *out = o;
    return 0;
}
