/* k_nn.h — CPU kernels of the neural-network ops (module prefix tfg_k_nn_).
 *
 * Same rules as kernels.h: plain host tensors in (borrowed), new tensors out
 * (one reference each), 0 or -1 with a TensorFlow-worded message in err.
 * Images are NHWC ([batch, rows, cols, channels]); filters are HWIO
 * ([rows, cols, in_channels, out_channels]), as TensorFlow's defaults.
 *
 * float32 results follow TensorFlow's CPU kernels where their order of work
 * is known (softmax cross-entropy, L2Loss, BiasAddGrad: Eigen's packet exp
 * and log and its reduction order); convolutions run as im2col + GEMM
 * (OpenBLAS for large products), so their sums may round differently from
 * TensorFlow's oneDNN kernels in the last bits.
 */
#ifndef TFG_K_NN_H
#define TFG_K_NN_H

#include <stdbool.h>
#include <stdint.h>
#include "tensor.h"

/* ---- window arithmetic --------------------------------------------------------- */
/* TensorFlow's GetWindowedOutputSize for one spatial dimension: the output
 * size and the padding before the first element (SAME pads the excess
 * evenly, the extra one after). -1 with "Computed output size would be
 * negative: ..." when a VALID window does not fit. */
int tfg_k_nn_window(int64_t in, int64_t ksize, int64_t dilation, int64_t stride, bool same,
                    int64_t *out, int64_t *pad_before, tfg_error *err);

/* The geometry of a 2-D window op (convolution or pooling). */
typedef struct tfg_k_nn_conv {
    int64_t stride_h, stride_w;    /* >= 1 */
    int64_t dil_h, dil_w;          /* >= 1 (pooling: 1) */
    bool same;                     /* padding SAME, else VALID */
    int64_t bwd_block;             /* pooling gradients: 0 sums overlapping windows in
                                      TF's Eigen order, > 0 in oneDNN's (see below) */
} tfg_k_nn_conv;

/* The order in which TF's pooling gradients add the contributions of
 * overlapping windows to one input: TF's own (Eigen) kernels, used when
 * TF's graph optimizer constant-folds the gradient, go through the outputs
 * row by row (AvgPoolGrad multiplying by 1/count); its oneDNN kernels, used
 * otherwise, take output rows in order and, within a row, blocks of
 * `bwd_block` columns in order, the columns of a block from last to first
 * (AvgPoolGrad dividing by the count). This gives oneDNN's AVX-512 block
 * width for a pooling of width kw over iw columns into ow, padding l_pad,
 * with c channels and batch n, as oneDNN's jit kernel chooses it (for 2
 * threads, the oracle machine's, where c > 16 makes it depend on threads). */
int64_t tfg_k_nn_pool_bwd_block(bool is_max, int64_t n, int64_t c, int64_t iw, int64_t kw, int64_t stride,
                                int64_t ow, int64_t l_pad);

/* ---- bias ------------------------------------------------------------------------ */
/* value + bias along the last dimension (NHWC BiasAdd); every number type. */
int tfg_k_nn_bias_add(const tfg_tensor *x, const tfg_tensor *bias, tfg_tensor **out,
                      tfg_error *err);
/* Sum of g over every dimension but the last (BiasAddGrad), in TF's order. */
int tfg_k_nn_bias_add_grad(const tfg_tensor *g, tfg_tensor **out, tfg_error *err);

/* ---- losses ------------------------------------------------------------------------ */
/* Softmax cross-entropy of [batch, classes] logits against labels of the same
 * shape (labels may broadcast as numpy, as TF's kernel allows): loss [batch]
 * and backprop [batch, classes] = softmax - labels. */
int tfg_k_nn_xent(const tfg_tensor *logits, const tfg_tensor *labels, tfg_tensor **loss,
                  tfg_tensor **backprop, tfg_error *err);
/* Sparse version: labels int32/int64 [batch] of class indices; an index
 * outside [0, classes) is TF's "Received a label value of ..." error. */
int tfg_k_nn_sparse_xent(const tfg_tensor *logits, const tfg_tensor *labels, tfg_tensor **loss,
                         tfg_tensor **backprop, tfg_error *err);
/* sum(x ** 2) / 2 as a scalar (L2Loss), floats. */
int tfg_k_nn_l2_loss(const tfg_tensor *x, tfg_tensor **out, tfg_error *err);
/* InTopKV2: for each row of predictions [batch, classes], is the target's
 * prediction among the k largest (ties counted in its favour; a non-finite
 * prediction in the row or a target out of range gives false). bool [batch]. */
int tfg_k_nn_in_top_k(const tfg_tensor *pred, const tfg_tensor *targets, int64_t k,
                      tfg_tensor **out, tfg_error *err);

/* ---- sparse / gather ----------------------------------------------------------------- */
/* SparseToDense: indices (int scalar, [n] or [n, rank]) of values (scalar or
 * [n]) into a tensor of `shape` filled with default_value (scalar);
 * validate: indices must be in bounds, sorted and unique (TF's messages). */
int tfg_k_nn_sparse_to_dense(const tfg_tensor *indices, int rank, const int64_t *shape,
                             const tfg_tensor *values, const tfg_tensor *def, bool validate,
                             tfg_tensor **out, tfg_error *err);
/* GatherNd: params gathered at the index tuples of the last axis of indices. */
int tfg_k_nn_gather_nd(const tfg_tensor *params, const tfg_tensor *indices, tfg_tensor **out,
                       tfg_error *err);
/* DivNoNan: x / y, 0 where y == 0 (broadcasting as numpy). */
int tfg_k_nn_div_no_nan(const tfg_tensor *x, const tfg_tensor *y, tfg_tensor **out,
                        tfg_error *err);

/* ---- convolution ------------------------------------------------------------------------ */
/* Conv2D: x [n, h, w, c] with filter [kh, kw, c / groups, oc] (groups =
 * c / filter in_channels, oc a multiple of groups); float32, float64, int32. */
int tfg_k_nn_conv2d(const tfg_tensor *x, const tfg_tensor *filter, const tfg_k_nn_conv *p,
                    tfg_tensor **out, tfg_error *err);
/* Conv2DBackpropInput: the gradient for an input of shape in_shape[4]. */
int tfg_k_nn_conv2d_backprop_input(const int64_t *in_shape, const tfg_tensor *filter,
                                   const tfg_tensor *dy, const tfg_k_nn_conv *p, tfg_tensor **out,
                                   tfg_error *err);
/* Conv2DBackpropFilter: the gradient for a filter of shape f_shape[4]. */
int tfg_k_nn_conv2d_backprop_filter(const tfg_tensor *x, const int64_t *f_shape,
                                    const tfg_tensor *dy, const tfg_k_nn_conv *p, tfg_tensor **out,
                                    tfg_error *err);

/* ---- pooling ------------------------------------------------------------------------------ */
/* MaxPool (every number type; SAME padding never wins) and AvgPool (floats;
 * the mean over the window's elements inside the image). kh, kw: window. */
int tfg_k_nn_max_pool(const tfg_tensor *x, int64_t kh, int64_t kw, const tfg_k_nn_conv *p,
                      tfg_tensor **out, tfg_error *err);
int tfg_k_nn_avg_pool(const tfg_tensor *x, int64_t kh, int64_t kw, const tfg_k_nn_conv *p,
                      tfg_tensor **out, tfg_error *err);
/* MaxPoolGrad: each output's gradient goes to the first maximum of its window
 * (row-major), summed where windows overlap in the order p->bwd_block says. */
int tfg_k_nn_max_pool_grad(const tfg_tensor *x, const tfg_tensor *dy, int64_t kh, int64_t kw,
                           const tfg_k_nn_conv *p, tfg_tensor **out, tfg_error *err);
/* MaxPoolGradGrad: for each output, the gradient at its window's first maximum. */
int tfg_k_nn_max_pool_grad_grad(const tfg_tensor *x, const tfg_tensor *ddx, int64_t kh, int64_t kw,
                                const tfg_k_nn_conv *p, tfg_tensor **out, tfg_error *err);
/* AvgPoolGrad: each output's gradient over its window's count, spread over
 * the window (order per p->bwd_block); in_shape[4] is the pooled input's shape. */
int tfg_k_nn_avg_pool_grad(const int64_t *in_shape, const tfg_tensor *dy, int64_t kh, int64_t kw,
                           const tfg_k_nn_conv *p, tfg_tensor **out, tfg_error *err);

#endif
