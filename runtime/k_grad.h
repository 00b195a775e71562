/* k_grad.h — CPU kernels of the ops that gradients build (module prefix tfg_k_).
 *
 * Same conventions as kernels.h: inputs are borrowed, *out receives one new
 * reference, every function returns 0 or -1 with a TensorFlow-worded message
 * in err. Float kernels take float32 and float64; float32 results are
 * TensorFlow's bits (its Eigen kernels evaluate whole 8-float / 4-double AVX
 * packets with one formula and the remaining tail with the scalar one, which
 * for some ops associates differently; both are reproduced here).
 */
#ifndef TFG_K_GRAD_H
#define TFG_K_GRAD_H

#include "kernels.h"

/* The elementwise gradient helpers of TF's cwise_ops_gradients.h / relu_op.h. */
typedef enum {
    TFG_UG_SIGMOID,      /* (y, dy): dy * y * (1 - y) */
    TFG_UG_TANH,         /* (y, dy): dy * (1 - y * y) */
    TFG_UG_SQRT,         /* (y, dy): 0.5 * dy / y, 0 where dy == 0 */
    TFG_UG_RSQRT,        /* (y, dy): -0.5 * dy * y^3, 0 where dy == 0 */
    TFG_UG_RECIPROCAL,   /* (y, dy): -dy * y * y, 0 where dy == 0 */
    TFG_UG_RELU,         /* (gradients, features): gradients where features > 0, else 0 */
    TFG_UG_RELU6,        /* (gradients, features): gradients where 0 < features < 6, else 0 */
    TFG_UG_COUNT
} tfg_unary_grad_op;

/* a and b have one float dtype and one shape ("Incompatible shapes: [2] vs. [3]"). */
int tfg_k_unary_grad(tfg_unary_grad_op op, const tfg_tensor *a, const tfg_tensor *b, tfg_tensor **out,
                     tfg_error *err);

/* TF's StridedSliceGrad for tfg's indexing specs: a zero tensor of `shape`
 * (dy's dtype) with dy written where x[spec] would read. dy must have the
 * shape that the indexing gives. */
int tfg_k_strided_slice_grad(int rank, const int64_t *shape, const tfg_tensor *dy, const tfg_slice_spec *spec,
                             int nspec, tfg_tensor **out, tfg_error *err);

/* TF's UnsortedSegmentSum: out[ids[i], ...] += data[i, ...], out of shape
 * [num_segments] + data.shape[ids.rank:], zeros elsewhere; ids.shape must be
 * a prefix of data.shape; negative ids are dropped, as TF does on the CPU;
 * ids >= num_segments: "segment_ids[3] = 5 is out of range [0, 4)". Sums run
 * in the order of the ids, as TF's CPU kernel. */
int tfg_k_unsorted_segment_sum(const tfg_tensor *data, const tfg_tensor *ids, int64_t num_segments,
                               tfg_tensor **out, tfg_error *err);

/* TF's Pad with zeros: pads[d][0] before and pads[d][1] after dimension d
 * (non-negative: "Paddings must be non-negative: -1 0"). */
int tfg_k_pad(const tfg_tensor *x, const int64_t (*pads)[2], tfg_tensor **out, tfg_error *err);

/* TF's BroadcastTo: x repeated to `shape` (numpy rules, x's rank <= rank). */
int tfg_k_broadcast_to(const tfg_tensor *x, int rank, const int64_t *shape, tfg_tensor **out, tfg_error *err);

/* TF's Cumprod along axis (in range): products in order along the axis;
 * exclusive starts from 1, reverse runs from the end. Numbers only. */
int tfg_k_cumprod(const tfg_tensor *x, int axis, bool exclusive, bool reverse, tfg_tensor **out,
                  tfg_error *err);

#endif
