/* k_shape.c — casts, shape changes and data movement (tfg_k_).
 *
 * Most kernels here are a strided gather: the output, contiguous, read from
 * the input through a view given as dims and element strides (transpose
 * permutes strides, slicing offsets and scales them, tiling adds stride-0
 * repeat dims). k_gather_strided drops size-1 dims, merges dims that are
 * contiguous in the input, then copies rows with memcpy when the innermost
 * input stride is 1, tiles 32x32 blocks for transposes (innermost stride
 * not 1 but the next one is), and copies element by element otherwise.
 *
 * Error texts are TensorFlow 2.x's kernel messages (the oracle this project
 * tests against), e.g. "ConcatOp : Dimension 1 in both shapes must be
 * equal: shape[0] = [2,3] vs. shape[1] = [1,2]".
 */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("fp-contract=off")

#include "kernels.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define K_MAXD (2 * TFG_MAX_RANK)

/* Element size as a switchable code. */
static void k_copy_elems(size_t esz, int64_t n, const char *in, int64_t st, char *out)
{
    switch (esz) {
    case 1:
        for (int64_t i = 0; i < n; i++)
            ((uint8_t *)out)[i] = ((const uint8_t *)in)[i * st];
        break;
    case 4:
        for (int64_t i = 0; i < n; i++)
            ((uint32_t *)out)[i] = ((const uint32_t *)(const void *)in)[i * st];
        break;
    default:
        for (int64_t i = 0; i < n; i++)
            ((uint64_t *)out)[i] = ((const uint64_t *)(const void *)in)[i * st];
        break;
    }
}

/* Copies a B x A tile-transposed block: out[a*ldo + b] = in[a + b*sb]. */
static void k_copy_tile(size_t esz, int64_t na, int64_t nb, const char *in, int64_t sb,
                        char *out, int64_t ldo)
{
    for (int64_t a = 0; a < na; a++)
        k_copy_elems(esz, nb, in + a * (int64_t)esz, sb, out + a * ldo * (int64_t)esz);
}

/* Fills contiguous out from the strided view (dims, st) of in: view element
 * (i0, .., i(nd-1)) lives at in + sum(i_d * st[d]) elements (any sign). */
static void k_gather_strided(size_t esz, int nd, const int64_t *dims, const int64_t *st,
                             const char *in, char *out)
{
    int64_t d2[K_MAXD], s2[K_MAXD];
    int n = 0;
    int64_t total = 1;
    for (int d = 0; d < nd; d++) {
        total *= dims[d];
        if (dims[d] == 1)
            continue;
        if (n > 0 && s2[n - 1] == st[d] * dims[d]) {
            d2[n - 1] *= dims[d];
            s2[n - 1] = st[d];
        } else {
            d2[n] = dims[d];
            s2[n] = st[d];
            n++;
        }
    }
    if (total == 0)
        return;
    if (n == 0) {
        memcpy(out, in, esz);
        return;
    }
    bool tiled = n >= 2 && s2[n - 1] != 1 && s2[n - 2] == 1 && d2[n - 1] >= 8 && d2[n - 2] >= 8;
    int outer_nd = tiled ? n - 2 : n - 1;
    int64_t idx[K_MAXD] = {0};
    int64_t row = tiled ? d2[n - 2] * d2[n - 1] : d2[n - 1];
    int64_t nrows = total / row;
    for (int64_t r = 0; r < nrows; r++) {
        int64_t off = 0;
        for (int d = 0; d < outer_nd; d++)
            off += idx[d] * s2[d];
        const char *src = in + off * (int64_t)esz;
        char *dst = out + r * row * (int64_t)esz;
        if (tiled) {
            int64_t A = d2[n - 2], B = d2[n - 1], sb = s2[n - 1];
            for (int64_t a0 = 0; a0 < A; a0 += 32)
                for (int64_t b0 = 0; b0 < B; b0 += 32)
                    k_copy_tile(esz, A - a0 < 32 ? A - a0 : 32, B - b0 < 32 ? B - b0 : 32,
                                src + (a0 + b0 * sb) * (int64_t)esz, sb,
                                dst + (a0 * B + b0) * (int64_t)esz, B);
        } else if (s2[n - 1] == 1) {
            memcpy(dst, src, (size_t)row * esz);
        } else {
            k_copy_elems(esz, row, src, s2[n - 1], dst);
        }
        for (int d = outer_nd - 1; d >= 0; d--) {
            if (++idx[d] < d2[d])
                break;
            idx[d] = 0;
        }
    }
}

/* Row-major element strides of a shape. */
static void k_strides(int rank, const int64_t *shape, int64_t *st)
{
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        st[d] = s;
        s *= shape[d];
    }
}

/* ---- cast ------------------------------------------------------------------------ */

/* Defines NAME, converting n elements of TS to TD with CONV. */
#define K_CAST(NAME, TS, TD, CONV)                                                   \
    static void NAME(int64_t n, const void *vx, void *vo)                            \
    {                                                                                \
        const TS *restrict x = vx;                                                   \
        TD *restrict o = vo;                                                         \
        for (int64_t i = 0; i < n; i++)                                              \
            o[i] = CONV(x[i]);                                                       \
    }
/* Conversions not covered by a plain C cast. */
#define K_PLAIN(v) (v)
#define K_TO_I32F(v) tfg_f64_to_i32((double)(v))
#define K_TO_I64F(v) tfg_f64_to_i64((double)(v))
#define K_TO_U8F(v) tfg_f64_to_u8((double)(v))
#define K_TO_BOOL(v) ((uint8_t)((v) != 0))
#define K_WRAP32(v) ((int32_t)(uint32_t)(uint64_t)(v))
#define K_WRAP8(v) ((uint8_t)(uint64_t)(v))

/* One source type S (TS): its conversions to every destination. */
#define K_CASTS_FROM_FLOAT(S, TS)                                                    \
    K_CAST(cast_##S##_f32, TS, float, (float))                                       \
    K_CAST(cast_##S##_f64, TS, double, (double))                                     \
    K_CAST(cast_##S##_i32, TS, int32_t, K_TO_I32F)                                   \
    K_CAST(cast_##S##_i64, TS, int64_t, K_TO_I64F)                                   \
    K_CAST(cast_##S##_b, TS, uint8_t, K_TO_BOOL)                                     \
    K_CAST(cast_##S##_u8, TS, uint8_t, K_TO_U8F)
#define K_CASTS_FROM_INT(S, TS)                                                      \
    K_CAST(cast_##S##_f32, TS, float, (float))                                       \
    K_CAST(cast_##S##_f64, TS, double, (double))                                     \
    K_CAST(cast_##S##_i32, TS, int32_t, K_WRAP32)                                    \
    K_CAST(cast_##S##_i64, TS, int64_t, (int64_t))                                   \
    K_CAST(cast_##S##_b, TS, uint8_t, K_TO_BOOL)                                     \
    K_CAST(cast_##S##_u8, TS, uint8_t, K_WRAP8)
K_CASTS_FROM_FLOAT(f32, float)
K_CASTS_FROM_FLOAT(f64, double)
K_CASTS_FROM_INT(i32, int32_t)
K_CASTS_FROM_INT(i64, int64_t)
K_CASTS_FROM_INT(b, uint8_t)
K_CASTS_FROM_INT(u8, uint8_t)

typedef void (*k_castfn)(int64_t n, const void *x, void *o);
/* The conversion loop of every (from, to) pair (same-type pairs copy). */
static const k_castfn k_casts[TFG_DTYPE_COUNT][TFG_DTYPE_COUNT] = {
#define K_CAST_ROW(S)                                                                \
    {cast_##S##_f32, cast_##S##_f64, cast_##S##_i32, cast_##S##_i64, cast_##S##_b, cast_##S##_u8}
    [TFG_FLOAT32] = K_CAST_ROW(f32), [TFG_FLOAT64] = K_CAST_ROW(f64),
    [TFG_INT32] = K_CAST_ROW(i32),   [TFG_INT64] = K_CAST_ROW(i64),
    [TFG_BOOL] = K_CAST_ROW(b),      [TFG_UINT8] = K_CAST_ROW(u8),
#undef K_CAST_ROW
};

/* x converted to dtype `to` as TF's Cast does; see kernels.h. */
int tfg_k_cast(const tfg_tensor *x, tfg_dtype to, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if ((unsigned)to >= TFG_DTYPE_COUNT)
        return tfg_error_set(err, "Invalid dtype %d", (int)to);
    tfg_tensor *o = tfg_tensor_new(to, x->rank, x->shape, err);
    if (!o)
        return -1;
    if (x->size) {
        if (x->dtype == to)
            memcpy(o->data, x->data, (size_t)x->size * tfg_dtype_size(to));
        else
            k_casts[x->dtype][to](x->size, x->data, o->data);
    }
    *out = o;
    return 0;
}

/* ---- reshape / transpose ------------------------------------------------------- */

/* x's data under a new shape with at most one -1; see kernels.h. */
int tfg_k_reshape(const tfg_tensor *x, int rank, const int64_t *shape, tfg_tensor **out,
                  tfg_error *err)
{
    *out = NULL;
    if (rank < 0 || rank > TFG_MAX_RANK)
        return tfg_error_set(err, "Reshape to rank %d exceeds the maximum rank %d", rank,
                             TFG_MAX_RANK);
    int64_t sh[TFG_MAX_RANK];
    int unknown = -1;
    int64_t product = 1;
    for (int i = 0; i < rank; i++) {
        sh[i] = shape[i];
        if (shape[i] == -1) {
            if (unknown >= 0)
                return tfg_error_set(err, "Only one input size may be -1, not both %d and %d",
                                     unknown, i);
            unknown = i;
        } else if (shape[i] < 0) {
            return tfg_error_set(err, "Size %d must be non-negative, not %" PRId64, i, shape[i]);
        } else if (__builtin_mul_overflow(product, shape[i], &product)) {
            return tfg_error_set(err,
                                 "Input to reshape is a tensor with %" PRId64
                                 " values, but the requested shape has too many",
                                 x->size);
        }
    }
    if (unknown >= 0) {
        if (product > 0) {
            if (x->size % product != 0)
                return tfg_error_set(err,
                                     "Input to reshape is a tensor with %" PRId64
                                     " values, but the requested shape requires a multiple "
                                     "of %" PRId64,
                                     x->size, product);
            sh[unknown] = x->size / product;
        } else if (x->size == 0) {
            sh[unknown] = 0;
        } else {
            return tfg_error_set(err,
                                 "Input to reshape is a tensor with %" PRId64
                                 " values, but the requested shape has 0",
                                 x->size);
        }
        product *= sh[unknown];
    }
    if (product != x->size)
        return tfg_error_set(err,
                             "Input to reshape is a tensor with %" PRId64
                             " values, but the requested shape has %" PRId64,
                             x->size, product);
    tfg_tensor *o = tfg_tensor_new(x->dtype, rank, sh, err);
    if (!o)
        return -1;
    if (x->size)
        memcpy(o->data, x->data, (size_t)x->size * tfg_dtype_size(x->dtype));
    *out = o;
    return 0;
}

/* x with its axes permuted (perm NULL reverses them; negative entries count
 * from the end, as TF 2.x accepts); see kernels.h. */
int tfg_k_transpose(const tfg_tensor *x, const int *perm, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    int rank = x->rank;
    int p[TFG_MAX_RANK];
    bool seen[TFG_MAX_RANK] = {false};
    for (int i = 0; i < rank; i++) {
        int d = perm ? perm[i] : rank - 1 - i;
        if (d < 0 && d >= -rank)
            d += rank;
        if (d < 0 || d >= rank)
            return tfg_error_set(err, "%d is out of range [0 .. %d)", perm[i], rank);
        p[i] = d;
        seen[d] = true;
    }
    for (int i = 0; i < rank; i++) {
        if (!seen[i]) {
            char buf[128];
            size_t u = 0;
            for (int k = 0; k < rank && u < sizeof buf; k++)
                u += (size_t)snprintf(buf + u, sizeof buf - u, k ? ",%d" : "%d", perm[k]);
            return tfg_error_set(err, "%d is missing from {%s}.", i, buf);
        }
    }
    int64_t ist[TFG_MAX_RANK], oshape[TFG_MAX_RANK], ost[TFG_MAX_RANK];
    k_strides(rank, x->shape, ist);
    for (int i = 0; i < rank; i++) {
        oshape[i] = x->shape[p[i]];
        ost[i] = ist[p[i]];
    }
    tfg_tensor *o = tfg_tensor_new(x->dtype, rank, oshape, err);
    if (!o)
        return -1;
    k_gather_strided(tfg_dtype_size(x->dtype), rank, oshape, ost, x->data, o->data);
    *out = o;
    return 0;
}

/* ---- concat / stack ---------------------------------------------------------------- */

/* Copies n inputs, each seen as [outer, inner_i] (bytes), side by side. */
static void k_concat_copy(const tfg_tensor *const *xs, int n, int64_t outer,
                          const int64_t *inner_bytes, char *o)
{
    for (int64_t r = 0; r < outer; r++) {
        for (int i = 0; i < n; i++) {
            int64_t b = inner_bytes[i];
            if (b) {
                memcpy(o, (const char *)xs[i]->data + r * b, (size_t)b);
                o += b;
            }
        }
    }
}

/* Joins tensors along an existing axis; see kernels.h. */
int tfg_k_concat(const tfg_tensor *const *xs, int n, int axis, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (n < 1)
        return tfg_error_set(err, "ConcatOp : Expected at least one input");
    int rank = xs[0]->rank;
    if (rank == 0)
        return tfg_error_set(err, "ConcatOp : Can't concatenate scalars (use tf.stack instead)");
    if (axis < -rank || axis >= rank)
        return tfg_error_set(err,
                             "ConcatOp : Expected concatenating dimensions in the range [%d, "
                             "%d), but got %d",
                             -rank, rank, axis);
    if (axis < 0)
        axis += rank;
    int64_t oshape[TFG_MAX_RANK];
    memcpy(oshape, xs[0]->shape, sizeof oshape);
    oshape[axis] = 0;
    for (int i = 0; i < n; i++) {
        const tfg_tensor *t = xs[i];
        char s0[256], s1[256];
        tfg_tensor_shape_str(xs[0]->rank, xs[0]->shape, s0, sizeof s0);
        if (t->dtype != xs[0]->dtype)
            return tfg_error_set(err,
                                 "ConcatOp : Expected all inputs to have dtype %s, but input %d "
                                 "is %s",
                                 tfg_dtype_tf_name(xs[0]->dtype), i, tfg_dtype_tf_name(t->dtype));
        if (t->rank != rank) {
            tfg_tensor_shape_str(t->rank, t->shape, s1, sizeof s1);
            return tfg_error_set(err,
                                 "ConcatOp : Ranks of all input tensors should match: shape[0] "
                                 "= %s vs. shape[%d] = %s",
                                 s0, i, s1);
        }
        for (int d = 0; d < rank; d++) {
            if (d != axis && t->shape[d] != xs[0]->shape[d]) {
                tfg_tensor_shape_str(t->rank, t->shape, s1, sizeof s1);
                return tfg_error_set(err,
                                     "ConcatOp : Dimension %d in both shapes must be equal: "
                                     "shape[0] = %s vs. shape[%d] = %s",
                                     d, s0, i, s1);
            }
        }
        oshape[axis] += t->shape[axis];
    }
    tfg_tensor *o = tfg_tensor_new(xs[0]->dtype, rank, oshape, err);
    if (!o)
        return -1;
    if (o->size) {
        int64_t outer = 1, inner = (int64_t)tfg_dtype_size(o->dtype);
        for (int d = 0; d < axis; d++)
            outer *= oshape[d];
        for (int d = axis + 1; d < rank; d++)
            inner *= oshape[d];
        int64_t ib[n];
        for (int i = 0; i < n; i++)
            ib[i] = inner * xs[i]->shape[axis];
        k_concat_copy(xs, n, outer, ib, o->data);
    }
    *out = o;
    return 0;
}

/* Joins same-shaped tensors along a new axis; see kernels.h. */
int tfg_k_stack(const tfg_tensor *const *xs, int n, int axis, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (n < 1)
        return tfg_error_set(err, "Pack : Expected at least one input");
    int rank = xs[0]->rank;
    if (axis < -(rank + 1) || axis >= rank + 1)
        return tfg_error_set(err, "axis = %d not in [%d, %d)", axis, -(rank + 1), rank + 1);
    if (rank + 1 > TFG_MAX_RANK)
        return tfg_error_set(err, "Pack : output rank %d exceeds %d", rank + 1, TFG_MAX_RANK);
    if (axis < 0)
        axis += rank + 1;
    for (int i = 1; i < n; i++) {
        if (xs[i]->dtype != xs[0]->dtype)
            return tfg_error_set(err, "Pack : Expected all inputs to have dtype %s, but input %d "
                                      "is %s",
                                 tfg_dtype_tf_name(xs[0]->dtype), i,
                                 tfg_dtype_tf_name(xs[i]->dtype));
        if (!tfg_tensor_same_shape(xs[i], xs[0])) {
            char s0[256], s1[256];
            tfg_tensor_shape_str(xs[0]->rank, xs[0]->shape, s0, sizeof s0);
            tfg_tensor_shape_str(xs[i]->rank, xs[i]->shape, s1, sizeof s1);
            return tfg_error_set(err,
                                 "Shapes of all inputs must match: values[0].shape = %s != "
                                 "values[%d].shape = %s",
                                 s0, i, s1);
        }
    }
    int64_t oshape[TFG_MAX_RANK];
    for (int d = 0, k = 0; d < rank + 1; d++)
        oshape[d] = d == axis ? n : xs[0]->shape[k++];
    tfg_tensor *o = tfg_tensor_new(xs[0]->dtype, rank + 1, oshape, err);
    if (!o)
        return -1;
    if (o->size) {
        int64_t outer = 1, inner = (int64_t)tfg_dtype_size(o->dtype);
        for (int d = 0; d < axis; d++)
            outer *= oshape[d];
        for (int d = axis + 1; d < rank + 1; d++)
            inner *= oshape[d];
        int64_t ib[n];
        for (int i = 0; i < n; i++)
            ib[i] = inner;
        k_concat_copy(xs, n, outer, ib, o->data);
    }
    *out = o;
    return 0;
}

/* ---- fill / range / one_hot ------------------------------------------------------ */

/* Repeats the first element of t (already written) over all of t. */
static void k_replicate_first(tfg_tensor *t)
{
    size_t esz = tfg_dtype_size(t->dtype);
    size_t total = (size_t)t->size * esz, have = esz;
    char *p = t->data;
    while (have < total) {
        size_t c = have < total - have ? have : total - have;
        memcpy(p + have, p, c);
        have += c;
    }
}

/* Writes v (element i of src) into dst element j, converting dtypes. */
static void k_set_from(tfg_tensor *dst, int64_t j, const tfg_tensor *src, int64_t i)
{
    if (tfg_dtype_is_float(src->dtype))
        tfg_tensor_set_f(dst, j, tfg_tensor_get_f(src, i));
    else
        tfg_tensor_set_i(dst, j, tfg_tensor_get_i(src, i));
}

/* A tensor of `shape` filled with the scalar value; see kernels.h. */
int tfg_k_fill(tfg_dtype dt, int rank, const int64_t *shape, const tfg_tensor *value,
               tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (value->size != 1) {
        char s[256];
        tfg_tensor_shape_str(value->rank, value->shape, s, sizeof s);
        return tfg_error_set(err, "value must represent a scalar, got shape %s", s);
    }
    tfg_tensor *o = tfg_tensor_new(dt, rank, shape, err);
    if (!o)
        return -1;
    if (o->size) {
        k_set_from(o, 0, value, 0);
        k_replicate_first(o);
    }
    *out = o;
    return 0;
}

/* tf.range: size from TF's formula in the dtype's arithmetic, element i is
 * start + i*delta computed in the dtype (TF's RangeOp); see kernels.h. */
int tfg_k_range(double start, double limit, double delta, tfg_dtype dt, tfg_tensor **out,
                tfg_error *err)
{
    *out = NULL;
    bool isf = tfg_dtype_is_float(dt);
    if (dt == TFG_BOOL)
        return tfg_error_set(err, "No OpKernel was registered to support Op 'Range' with these "
                                  "attrs: [Tidx=DT_BOOL]");
    if (dt == TFG_FLOAT32) {
        start = (float)start;
        limit = (float)limit;
        delta = (float)delta;
    } else if (!isf) {
        start = trunc(start);
        limit = trunc(limit);
        delta = trunc(delta);
    }
    if (start > limit && delta > 0)
        return tfg_error_set(err, "Requires start <= limit when delta > 0: %.9g/%.9g", start,
                             limit);
    if (start < limit && delta < 0)
        return tfg_error_set(err, "Requires start >= limit when delta < 0: %.9g/%.9g", start,
                             limit);
    if (delta == 0)
        return tfg_error_set(err, "Requires delta != 0: %.9g", delta);
    double size_d;
    int64_t size;
    if (dt == TFG_FLOAT32) {
        size_d = ceilf(fabsf(((float)limit - (float)start) / (float)delta));
    } else if (isf) {
        size_d = ceil(fabs((limit - start) / delta));
    } else {
        double ad = fabs(delta);
        size_d = floor((fabs(limit - start) + ad - 1) / ad);
    }
    if (!(size_d >= 0 && size_d < 9223372036854775807.0))
        return tfg_error_set(err, "Requires ((limit - start) / delta) <= %" PRId64, INT64_MAX);
    size = (int64_t)size_d;
    if (!isf) {
        /* exact integer arithmetic for the size */
        int64_t s = (int64_t)start, l = (int64_t)limit, d = (int64_t)delta;
        uint64_t span = s < l ? (uint64_t)l - (uint64_t)s : (uint64_t)s - (uint64_t)l;
        uint64_t ad = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
        size = (int64_t)(span / ad + (span % ad != 0));
    }
    tfg_tensor *o = tfg_tensor_new(dt, 1, &size, err);
    if (!o)
        return -1;
    switch (dt) {
    case TFG_FLOAT32: {
        float s = (float)start, d = (float)delta, *p = o->data;
        for (int64_t i = 0; i < size; i++)
            p[i] = s + (float)i * d;
        break;
    }
    case TFG_FLOAT64: {
        double *p = o->data;
        for (int64_t i = 0; i < size; i++)
            p[i] = start + (double)i * delta;
        break;
    }
    default: {
        uint64_t s = (uint64_t)(int64_t)start, d = (uint64_t)(int64_t)delta;
        for (int64_t i = 0; i < size; i++)
            tfg_tensor_set_i(o, i, (int64_t)(s + (uint64_t)i * d));
        break;
    }
    }
    *out = o;
    return 0;
}

/* tf.one_hot; indices outside [0, depth) give all-off rows; see kernels.h. */
int tfg_k_one_hot(const tfg_tensor *indices, int64_t depth, double on, double off, int axis,
                  tfg_dtype dt, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    int r = indices->rank;
    if (tfg_dtype_is_float(indices->dtype) || indices->dtype == TFG_BOOL)
        return tfg_error_set(err, "OneHot indices must be int32, int64 or uint8, not %s",
                             tfg_dtype_tf_name(indices->dtype));
    if (depth < 0)
        return tfg_error_set(err, "depth must be non-negative, got: %" PRId64, depth);
    if (axis != -1 && (axis < 0 || axis > r))
        return tfg_error_set(err,
                             "Expected axis to be -1 or between [0, %d).  But received: %d",
                             r + 1, axis);
    if (r + 1 > TFG_MAX_RANK)
        return tfg_error_set(err, "OneHot output rank %d exceeds %d", r + 1, TFG_MAX_RANK);
    if (axis == -1)
        axis = r;
    int64_t oshape[TFG_MAX_RANK];
    int64_t outer = 1, inner = 1;
    for (int d = 0, k = 0; d < r + 1; d++) {
        if (d == axis) {
            oshape[d] = depth;
            continue;
        }
        oshape[d] = indices->shape[k];
        if (d < axis)
            outer *= indices->shape[k];
        else
            inner *= indices->shape[k];
        k++;
    }
    tfg_tensor *o = tfg_tensor_new(dt, r + 1, oshape, err);
    if (!o)
        return -1;
    if (o->size) {
        tfg_tensor_set_f(o, 0, off);
        k_replicate_first(o);
        /* indices element (a, b) of [outer, inner] -> output (a, idx, b) */
        for (int64_t a = 0; a < outer; a++) {
            for (int64_t b = 0; b < inner; b++) {
                int64_t idx = tfg_tensor_get_i(indices, a * inner + b);
                if (idx >= 0 && idx < depth)
                    tfg_tensor_set_f(o, (a * depth + idx) * inner + b, on);
            }
        }
    }
    *out = o;
    return 0;
}

/* ---- tile / gather ------------------------------------------------------------------- */

/* tf.tile: multiples[d] copies of x along each dim d; see kernels.h. */
int tfg_k_tile(const tfg_tensor *x, const int64_t *multiples, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    int rank = x->rank;
    int64_t oshape[TFG_MAX_RANK], ist[TFG_MAX_RANK];
    int64_t vd[K_MAXD], vs[K_MAXD];
    k_strides(rank, x->shape, ist);
    for (int d = 0; d < rank; d++) {
        if (multiples[d] < 0)
            return tfg_error_set(err, "Expected multiples[%d] >= 0, but got %" PRId64, d,
                                 multiples[d]);
        if (__builtin_mul_overflow(x->shape[d], multiples[d], &oshape[d])) {
            char s[256];
            tfg_tensor_shape_str(rank, x->shape, s, sizeof s);
            return tfg_error_set(err, "OOM when allocating tensor: tiling shape%s overflows", s);
        }
        /* output dim d = (repeat, original) */
        vd[2 * d] = multiples[d];
        vs[2 * d] = 0;
        vd[2 * d + 1] = x->shape[d];
        vs[2 * d + 1] = ist[d];
    }
    tfg_tensor *o = tfg_tensor_new(x->dtype, rank, oshape, err);
    if (!o)
        return -1;
    k_gather_strided(tfg_dtype_size(x->dtype), 2 * rank, vd, vs, x->data, o->data);
    *out = o;
    return 0;
}

/* Formats the position i of a tensor of shape (rank, shape) as "1,0". */
static void k_index_str(int64_t i, int rank, const int64_t *shape, char *buf, size_t n)
{
    int64_t idx[TFG_MAX_RANK];
    for (int d = rank - 1; d >= 0; d--) {
        idx[d] = shape[d] ? i % shape[d] : 0;
        i = shape[d] ? i / shape[d] : 0;
    }
    size_t u = 0;
    buf[0] = '\0';
    for (int d = 0; d < rank && u < n; d++)
        u += (size_t)snprintf(buf + u, n - u, d ? ",%" PRId64 : "%" PRId64, idx[d]);
}

/* tf.gather along axis; see kernels.h. */
int tfg_k_gather(const tfg_tensor *x, const tfg_tensor *indices, int axis, tfg_tensor **out,
                 tfg_error *err)
{
    *out = NULL;
    int rank = x->rank;
    if (indices->dtype != TFG_INT32 && indices->dtype != TFG_INT64)
        return tfg_error_set(err, "Gather indices must be int32 or int64, not %s",
                             tfg_dtype_tf_name(indices->dtype));
    if (axis < -rank || axis >= rank)
        return tfg_error_set(err, "Expected axis in the range [%d, %d), but got %d", -rank, rank,
                             axis);
    if (axis < 0)
        axis += rank;
    int orank = rank - 1 + indices->rank;
    if (orank > TFG_MAX_RANK)
        return tfg_error_set(err, "Gather output rank %d exceeds %d", orank, TFG_MAX_RANK);
    int64_t dim = x->shape[axis];
    for (int64_t i = 0; i < indices->size; i++) {
        int64_t v = tfg_tensor_get_i(indices, i);
        if (v < 0 || v >= dim) {
            char pos[256];
            k_index_str(i, indices->rank, indices->shape, pos, sizeof pos);
            return tfg_error_set(err, "indices[%s] = %" PRId64 " is not in [0, %" PRId64 ")",
                                 pos, v, dim);
        }
    }
    int64_t oshape[TFG_MAX_RANK];
    int k = 0;
    int64_t outer = 1, inner = (int64_t)tfg_dtype_size(x->dtype);
    for (int d = 0; d < axis; d++) {
        oshape[k++] = x->shape[d];
        outer *= x->shape[d];
    }
    for (int d = 0; d < indices->rank; d++)
        oshape[k++] = indices->shape[d];
    for (int d = axis + 1; d < rank; d++) {
        oshape[k++] = x->shape[d];
        inner *= x->shape[d];
    }
    tfg_tensor *o = tfg_tensor_new(x->dtype, orank, oshape, err);
    if (!o)
        return -1;
    char *po = o->data;
    if (o->size) {
        for (int64_t a = 0; a < outer; a++) {
            const char *base = (const char *)x->data + a * dim * inner;
            for (int64_t i = 0; i < indices->size; i++) {
                memcpy(po, base + tfg_tensor_get_i(indices, i) * inner, (size_t)inner);
                po += inner;
            }
        }
    }
    *out = o;
    return 0;
}

/* ---- slicing ------------------------------------------------------------------------ */

/* Python's slice.indices on a dim of known size: sets *start and returns the
 * length of x[start:stop:step]. */
static int64_t k_slice_range(int64_t dim, const tfg_slice_spec *s, int64_t step, int64_t *start)
{
    int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? dim : dim - 1;
    int64_t b = step > 0 ? lower : upper, e = step > 0 ? upper : lower;
    if (s->has_start) {
        b = s->start;
        if (b < 0) {
            b = b < -dim ? lower : b + dim;
            if (b < lower)
                b = lower;
        } else if (b > upper) {
            b = upper;
        }
    }
    if (s->has_stop) {
        e = s->stop;
        if (e < 0) {
            e = e < -dim ? lower : e + dim;
            if (e < lower)
                e = lower;
        } else if (e > upper) {
            e = upper;
        }
    }
    *start = b;
    if (step > 0)
        return e > b ? 1 + (e - b - 1) / step : 0;
    if (step == INT64_MIN)
        return b > e ? 1 : 0;
    return b > e ? 1 + (b - e - 1) / (-step) : 0;
}

/* Applies the indexing specs to a shape (dims may be -1 when ist is NULL):
 * output dims, and with ist the input offset and the output's input strides. */
static int k_slice_resolve(int rank, const int64_t *shape, const int64_t *ist,
                           const tfg_slice_spec *spec, int nspec, int *rout, int64_t *odims,
                           int64_t *ost, int64_t *base, tfg_error *err)
{
    int in = 0, on = 0;
    int64_t off = 0;
    for (int i = 0; i < nspec; i++) {
        const tfg_slice_spec *s = &spec[i];
        if (s->kind == TFG_SLICE_NEWAXIS) {
            if (on >= TFG_MAX_RANK)
                return tfg_error_set(err, "Slicing gives more than %d dimensions", TFG_MAX_RANK);
            odims[on] = 1;
            if (ost)
                ost[on] = 0;
            on++;
            continue;
        }
        if (in >= rank)
            return tfg_error_set(err, "Index out of range using input dim %d; input has only %d "
                                      "dims",
                                 in, rank);
        int64_t dim = shape[in];
        if (s->kind == TFG_SLICE_INDEX) {
            int64_t v = s->index;
            if (dim >= 0) {
                int64_t norm = v < 0 ? v + dim : v;
                if (norm < 0 || norm >= dim)
                    return tfg_error_set(err, "slice index %" PRId64 " of dimension %d out of "
                                              "bounds.",
                                         norm, in);
                if (ist)
                    off += norm * ist[in];
            }
        } else {
            int64_t step = s->step;
            if (step == 0)
                return tfg_error_set(err, "strides[%d] must be non-zero", i);
            if (on >= TFG_MAX_RANK)
                return tfg_error_set(err, "Slicing gives more than %d dimensions", TFG_MAX_RANK);
            if (dim < 0) {
                odims[on++] = -1;
            } else {
                int64_t b;
                int64_t len = k_slice_range(dim, s, step, &b);
                odims[on] = len;
                if (ist) {
                    ost[on] = step * ist[in];
                    if (len > 0)
                        off += b * ist[in];
                }
                on++;
            }
        }
        in++;
    }
    for (; in < rank; in++) {
        if (on >= TFG_MAX_RANK)
            return tfg_error_set(err, "Slicing gives more than %d dimensions", TFG_MAX_RANK);
        odims[on] = shape[in];
        if (ost)
            ost[on] = ist[in];
        on++;
    }
    *rout = on;
    if (base)
        *base = off;
    return 0;
}

/* x[spec...] with numpy basic-indexing semantics; see kernels.h. */
int tfg_k_slice(const tfg_tensor *x, const tfg_slice_spec *spec, int nspec, tfg_tensor **out,
                tfg_error *err)
{
    *out = NULL;
    int64_t ist[TFG_MAX_RANK], odims[TFG_MAX_RANK], ost[TFG_MAX_RANK], base = 0;
    int orank;
    k_strides(x->rank, x->shape, ist);
    if (k_slice_resolve(x->rank, x->shape, ist, spec, nspec, &orank, odims, ost, &base, err))
        return -1;
    tfg_tensor *o = tfg_tensor_new(x->dtype, orank, odims, err);
    if (!o)
        return -1;
    if (o->size) {
        size_t esz = tfg_dtype_size(x->dtype);
        k_gather_strided(esz, orank, odims, ost, (const char *)x->data + base * (int64_t)esz,
                         o->data);
    }
    *out = o;
    return 0;
}

/* Static result shape of the same indexing (-1 = unknown); see kernels.h. */
int tfg_k_slice_shape(int rank, const int64_t *shape, const tfg_slice_spec *spec, int nspec,
                      int *rout, int64_t *sout, tfg_error *err)
{
    return k_slice_resolve(rank, shape, NULL, spec, nspec, rout, sout, NULL, NULL, err);
}
