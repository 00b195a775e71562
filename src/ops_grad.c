/* ops_grad.c — ops that exist for differentiation (table tfg_ops_grad).
 *
 * StopGradient (input): identity forward, no gradient backward.
 * BroadcastGradientArgs (s0, s1): int32 shape vectors of two broadcast
 *   operands; outputs the axes each must be summed over to undo the
 *   broadcast (TF's op of the same name), used by tfg_grad_unbroadcast when
 *   shapes are only known at run time.
 * ReluGrad, Relu6Grad (gradients, features); SigmoidGrad, TanhGrad,
 *   SqrtGrad, RsqrtGrad, ReciprocalGrad (y, dy): TF's elementwise gradient
 *   ops (runtime/k_grad.c gives TF's float bits). Same float dtype and shape.
 * StridedSliceGrad (shape, dy), attr slices/nslices copied from the
 *   StridedSlice node: dy scattered into zeros of `shape` (TF's op of that
 *   name, for tfg's attribute form of the indexing).
 * UnsortedSegmentSum (data, segment_ids, num_segments): sums rows of data
 *   into num_segments rows (TF's op; the dense gradient of GatherV2).
 * InvertPermutation (x): the inverse of a permutation vector (TF's op).
 * BroadcastTo (input, shape): input repeated to shape, numpy rules (TF's op).
 * ReducedShape (input_shape, axes): input_shape with the axes set to 1, the
 *   int32 vector TF's math_ops.reduced_shape builds from DynamicStitch; a
 *   tfg-only op for reductions' gradients when shapes are dynamic.
 * Cumprod (x, axis), attr flag[0] = exclusive, flag[1] = reverse: TF's
 *   cumulative product (reduce_prod's gradient).
 * BroadcastTo's gradient sums the repeated axes away (TF's _BroadcastToGrad);
 * the others have none (second derivatives are not supported). */
#include <inttypes.h>
#include <string.h>
#include "gradients.h"
#include "ops.h"
#include "../runtime/k_grad.h"

/* StopGradient: same dtype and shape as its input. */
static int infer_identity(tfg_node *n, tfg_error *err)
{
    (void)err;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), tfg_ops_in_shape(n, 0));
}

/* StopGradient's kernel: passes its input through. */
static int k_identity(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x; (void)n; (void)err;
    out[0] = tfg_tensor_ref(in[0]);
    return 0;
}

/* BroadcastGradientArgs: two int32 vectors of unknown length. */
static int infer_bga(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "s0", TFG_DTS_INDEX, err) || tfg_ops_check_dtype(n, 1, "s1", TFG_DTS_INDEX, err))
        return -1;
    tfg_shape s = { 1, { -1 } };
    n->noutputs = 2;
    for (int o = 0; o < 2; o++) {
        n->out_dtype[o] = tfg_ops_in_dtype(n, 0);
        n->out_shape[o] = s;
    }
    return 0;
}

/* BroadcastGradientArgs's kernel: for each operand, the output axes where it
 * was broadcast (missing leading axes, or 1 against a larger size). */
static int k_bga(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x; (void)n;
    int64_t s[2][TFG_MAX_RANK];
    int r[2];
    for (int i = 0; i < 2; i++)
        if (tfg_ops_read_ints(in[i], s[i], TFG_MAX_RANK, &r[i], "shape", err)) return -1;
    int rank = r[0] > r[1] ? r[0] : r[1];
    int64_t axes[2][TFG_MAX_RANK];
    int na[2] = { 0, 0 };
    for (int d = 0; d < rank; d++) {
        int64_t dim[2];
        for (int i = 0; i < 2; i++) {
            int k = d - (rank - r[i]);
            dim[i] = k < 0 ? -1 : s[i][k];    /* -1: the axis is missing */
        }
        int64_t big = dim[0] > dim[1] ? dim[0] : dim[1];
        for (int i = 0; i < 2; i++) {
            if (dim[i] != -1 && dim[i] != 1 && dim[i] != big && big != 1)
                return tfg_error_set(err, "Incompatible shapes for BroadcastGradientArgs");
            if (dim[i] == -1 || (dim[i] == 1 && big != 1)) axes[i][na[i]++] = d;
        }
    }
    for (int i = 0; i < 2; i++) {
        int64_t sh[1] = { na[i] };
        out[i] = tfg_tensor_new(in[0]->dtype, 1, sh, err);
        if (!out[i]) return -1;
        for (int k = 0; k < na[i]; k++) tfg_tensor_set_i(out[i], k, axes[i][k]);
    }
    return 0;
}

/* ---- elementwise gradient helpers --------------------------------------------------------- */

/* ReluGrad & co: two inputs of one float dtype whose shapes merge. */
static int infer_unary_grad(tfg_node *n, tfg_error *err)
{
    tfg_dtype d0 = tfg_ops_in_dtype(n, 0), d1 = tfg_ops_in_dtype(n, 1);
    bool relu = strncmp(n->op->type, "Relu", 4) == 0;
    const char *a0 = relu ? "gradients" : "y", *a1 = relu ? "features" : "dy";
    if (tfg_ops_check_dtype(n, 0, a0, TFG_DTS_FLOAT, err)) return -1;
    if (d1 != d0) return tfg_ops_type_mismatch(err, n, a1, d1, a0, d0);
    tfg_shape s;
    char msg[512];
    if (tfg_ops_merge(tfg_ops_in_shape(n, 0), tfg_ops_in_shape(n, 1), &s, msg, sizeof msg))
        return tfg_ops_shape_error(err, n, "%s", msg);
    return tfg_ops_set_output(n, d0, &s);
}

/* Defines the CPU kernel of one elementwise gradient helper. */
#define UNARY_GRAD_KERNEL(fname, code)                                                                   \
    static int fname(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,          \
                     tfg_error *err)                                                                    \
    {                                                                                                    \
        (void)x;                                                                                         \
        (void)n;                                                                                         \
        return tfg_k_unary_grad(code, in[0], in[1], out, err);                                          \
    }

UNARY_GRAD_KERNEL(k_relu_grad, TFG_UG_RELU)
UNARY_GRAD_KERNEL(k_relu6_grad, TFG_UG_RELU6)
UNARY_GRAD_KERNEL(k_sigmoid_grad, TFG_UG_SIGMOID)
UNARY_GRAD_KERNEL(k_tanh_grad, TFG_UG_TANH)
UNARY_GRAD_KERNEL(k_sqrt_grad, TFG_UG_SQRT)
UNARY_GRAD_KERNEL(k_rsqrt_grad, TFG_UG_RSQRT)
UNARY_GRAD_KERNEL(k_reciprocal_grad, TFG_UG_RECIPROCAL)

/* ---- StridedSliceGrad --------------------------------------------------------------------- */

/* StridedSliceGrad: the output has dy's dtype and the shape given by input 0. */
static int infer_strided_slice_grad(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "shape", TFG_DTS_INDEX, err)) return -1;
    tfg_shape s;
    bool partial;
    if (tfg_ops_shape_input(n, 0, &s, &partial, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 1), &s);
}

/* StridedSliceGrad's kernel. */
static int k_strided_slice_grad(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                                tfg_error *err)
{
    (void)x;
    int64_t dims[TFG_MAX_RANK];
    int rank;
    if (tfg_ops_read_dims(in[0], dims, &rank, err)) return -1;
    return tfg_k_strided_slice_grad(rank, dims, in[1], n->attr.slices, n->attr.nslices, out, err);
}

/* ---- UnsortedSegmentSum ------------------------------------------------------------------- */

/* UnsortedSegmentSum: [num_segments] + data.shape[rank(segment_ids):]. */
static int infer_unsorted_segment_sum(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "data", TFG_DTS_REAL, err) ||
        tfg_ops_check_dtype(n, 1, "segment_ids", TFG_DTS_INDEX, err) ||
        tfg_ops_check_dtype(n, 2, "num_segments", TFG_DTS_INDEX, err) || tfg_ops_check_rank(n, 2, 0, err))
        return -1;
    const tfg_shape *d = tfg_ops_in_shape(n, 0), *ids = tfg_ops_in_shape(n, 1);
    int64_t ns = -1;
    if (tfg_ops_const_int(n, 2, &ns) && ns < 0)
        return tfg_ops_shape_error(err, n, "num_segments must be non-negative, got %" PRId64, ns);
    tfg_shape out = tfg_shape_unknown();
    if (d->rank >= 0 && ids->rank >= 0) {
        if (ids->rank > d->rank)
            return tfg_ops_shape_error(err, n, "Shape must be at least rank %d but is rank %d", ids->rank,
                                       d->rank);
        for (int k = 0; k < ids->rank; k++)
            if (d->dim[k] >= 0 && ids->dim[k] >= 0 && d->dim[k] != ids->dim[k])
                return tfg_ops_shape_error(err, n, "Dimensions must be equal, but are %" PRId64 " and %" PRId64,
                                           d->dim[k], ids->dim[k]);
        out = tfg_shape_scalar();
        out.dim[out.rank++] = ns;
        for (int k = ids->rank; k < d->rank; k++) out.dim[out.rank++] = d->dim[k];
    }
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &out);
}

/* UnsortedSegmentSum's kernel. */
static int k_unsorted_segment_sum(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                                  tfg_error *err)
{
    (void)x;
    (void)n;
    if (in[2]->size != 1) return tfg_error_set(err, "num_segments should be a scalar, not shape %" PRId64, in[2]->size);
    return tfg_k_unsorted_segment_sum(in[0], in[1], tfg_tensor_get_i(in[2], 0), out, err);
}

/* ---- InvertPermutation -------------------------------------------------------------------- */

/* InvertPermutation: an int32/int64 vector, same shape. */
static int infer_invert_permutation(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "x", TFG_DTS_INDEX, err) || tfg_ops_check_rank(n, 0, 1, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), tfg_ops_in_shape(n, 0));
}

/* InvertPermutation's kernel, with TF's checks. */
static int k_invert_permutation(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                                tfg_error *err)
{
    (void)x;
    (void)n;
    const tfg_tensor *p = in[0];
    if (p->rank != 1) return tfg_error_set(err, "invert_permutation expects a 1D vector.");
    tfg_tensor *o = tfg_tensor_new(p->dtype, 1, p->shape, err);
    if (!o) return -1;
    for (int64_t i = 0; i < p->size; i++) tfg_tensor_set_i(o, i, -1);
    for (int64_t i = 0; i < p->size; i++) {
        int64_t d = tfg_tensor_get_i(p, i);
        if (d < 0 || d >= p->size) {
            tfg_tensor_unref(o);
            return tfg_error_set(err, "%" PRId64 " is not between 0 and %" PRId64, d, p->size);
        }
        if (tfg_tensor_get_i(o, d) != -1) {
            tfg_tensor_unref(o);
            return tfg_error_set(err, "%" PRId64 " is duplicated in the input.", d);
        }
        tfg_tensor_set_i(o, d, i);
    }
    *out = o;
    return 0;
}

/* ---- BroadcastTo, ReducedShape -------------------------------------------------------------- */

/* BroadcastTo: input's dtype, the shape given by input 1. */
static int infer_broadcast_to(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "shape", TFG_DTS_INDEX, err) || tfg_ops_check_rank(n, 1, 1, err)) return -1;
    tfg_shape s;
    bool partial;
    if (tfg_ops_shape_input(n, 1, &s, &partial, err)) return -1;
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    if (s.rank >= 0 && in->rank > s.rank)
        return tfg_ops_shape_error(err, n, "Rank of input (%d) must be no greater than rank of output shape (%d).",
                                   in->rank, s.rank);
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &s);
}

/* BroadcastTo's kernel. */
static int k_broadcast_to(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                          tfg_error *err)
{
    (void)x;
    (void)n;
    int64_t dims[TFG_MAX_RANK];
    int rank;
    if (tfg_ops_read_dims(in[1], dims, &rank, err)) return -1;
    return tfg_k_broadcast_to(in[0], rank, dims, out, err);
}

/* BroadcastTo's gradient: grad summed over the broadcast axes, reshaped to the input's shape. */
static int grad_broadcast_to(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                             tfg_error *err)
{
    grad_in[1] = (tfg_endpoint){ NULL, 0 };
    return tfg_grad_unbroadcast(g, grad_out[0], n->inputs[0], n->loc, &grad_in[0], err);
}

/* ReducedShape: an int32 vector as long as input_shape. */
static int infer_reduced_shape(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "input_shape", TFG_DTS_INDEX, err) ||
        tfg_ops_check_dtype(n, 1, "axes", TFG_DTS_INDEX, err) || tfg_ops_check_rank(n, 0, 1, err))
        return -1;
    return tfg_ops_set_output(n, TFG_INT32, tfg_ops_in_shape(n, 0));
}

/* ReducedShape's kernel: axes are taken modulo the rank, as TF's reduced_shape. */
static int k_reduced_shape(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                           tfg_error *err)
{
    (void)x;
    (void)n;
    int64_t shape[TFG_MAX_RANK], axes[64];
    int rank, na;
    if (tfg_ops_read_ints(in[0], shape, TFG_MAX_RANK, &rank, "input_shape", err) ||
        tfg_ops_read_ints(in[1], axes, 64, &na, "axes", err))
        return -1;
    for (int k = 0; k < na; k++) {
        if (axes[k] < -rank || axes[k] >= rank)
            return tfg_error_set(err, "Invalid reduction dimension %" PRId64 " for input with %d dimensions.",
                                 axes[k], rank);
        shape[axes[k] < 0 ? axes[k] + rank : axes[k]] = 1;
    }
    int64_t len = rank;
    tfg_tensor *o = tfg_tensor_new(TFG_INT32, 1, &len, err);
    if (!o) return -1;
    for (int d = 0; d < rank; d++) tfg_tensor_set_i(o, d, shape[d]);
    *out = o;
    return 0;
}

/* ---- Cumprod -------------------------------------------------------------------------------- */

/* Cumprod: inputs (x, axis); x's dtype and shape. */
static int infer_cumprod(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "x", TFG_DTS_REAL, err) || tfg_ops_check_dtype(n, 1, "axis", TFG_DTS_INDEX, err) ||
        tfg_ops_check_rank(n, 1, 0, err))
        return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), tfg_ops_in_shape(n, 0));
}

/* Cumprod's kernel: checks the axis as TF's ScanOp. */
static int k_cumprod(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    if (in[1]->size != 1) return tfg_error_set(err, "ScanOp: axis must be a scalar");
    int64_t axis = tfg_tensor_get_i(in[1], 0);
    int r = in[0]->rank;
    if (axis < -r || axis >= r)
        return tfg_error_set(err, "ScanOp: Expected scan axis in the range [%d, %d), but got %" PRId64, -r, r, axis);
    return tfg_k_cumprod(in[0], (int)(axis < 0 ? axis + r : axis), n->attr.flag[0], n->attr.flag[1], out, err);
}

const tfg_opdef tfg_ops_grad[] = {
    { "StopGradient", 1, 0, infer_identity, { k_identity, NULL }, NULL,
      "identity whose gradient is zero (tf.stop_gradient)" },
    { "BroadcastGradientArgs", 2, 0, infer_bga, { k_bga, NULL }, NULL,
      "reduction axes undoing a broadcast of two shapes (gradients)" },
    { "ReluGrad", 2, 0, infer_unary_grad, { k_relu_grad, NULL }, NULL,
      "gradients where features > 0, else 0 (Relu's gradient)" },
    { "Relu6Grad", 2, 0, infer_unary_grad, { k_relu6_grad, NULL }, NULL,
      "gradients where 0 < features < 6, else 0 (Relu6's gradient)" },
    { "SigmoidGrad", 2, 0, infer_unary_grad, { k_sigmoid_grad, NULL }, NULL,
      "dy * y * (1 - y) (Sigmoid's gradient)" },
    { "TanhGrad", 2, 0, infer_unary_grad, { k_tanh_grad, NULL }, NULL, "dy * (1 - y * y) (Tanh's gradient)" },
    { "SqrtGrad", 2, 0, infer_unary_grad, { k_sqrt_grad, NULL }, NULL, "0.5 * dy / y (Sqrt's gradient)" },
    { "RsqrtGrad", 2, 0, infer_unary_grad, { k_rsqrt_grad, NULL }, NULL, "-0.5 * dy * y^3 (Rsqrt's gradient)" },
    { "ReciprocalGrad", 2, 0, infer_unary_grad, { k_reciprocal_grad, NULL }, NULL,
      "-dy * y * y (Reciprocal's gradient)" },
    { "StridedSliceGrad", 2, 0, infer_strided_slice_grad, { k_strided_slice_grad, NULL }, NULL,
      "dy placed where an indexing of a tensor of shape read; attr slices (StridedSlice's gradient)" },
    { "UnsortedSegmentSum", 3, 0, infer_unsorted_segment_sum, { k_unsorted_segment_sum, NULL }, NULL,
      "rows of data summed by segment id (tf.math.unsorted_segment_sum; GatherV2's gradient)" },
    { "InvertPermutation", 1, 0, infer_invert_permutation, { k_invert_permutation, NULL }, NULL,
      "the inverse permutation (tf.math.invert_permutation; Transpose's gradient)" },
    { "BroadcastTo", 2, 0, infer_broadcast_to, { k_broadcast_to, NULL }, grad_broadcast_to,
      "input repeated to shape, numpy rules (tf.broadcast_to)" },
    { "ReducedShape", 2, 0, infer_reduced_shape, { k_reduced_shape, NULL }, NULL,
      "input_shape with the reduced axes set to 1 (reductions' gradients; tfg only)" },
    { "Cumprod", 2, 0, infer_cumprod, { k_cumprod, NULL }, NULL,
      "cumulative product along axis; flag[0] exclusive, flag[1] reverse (tf.math.cumprod)" },
};
const int tfg_ops_grad_count = (int)(sizeof tfg_ops_grad / sizeof tfg_ops_grad[0]);
