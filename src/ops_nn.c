/* ops_nn.c — neural-network ops (table tfg_ops_nn): bias add, softmax
 * cross-entropy, top-k membership, L2 loss, sparse-to-dense, convolution,
 * pooling, the ops their gradients use, and those gradients (TF's
 * nn_grad.py / sparse_grad.py / math_grad.py formulas).
 *
 * Inputs and attributes (TF's names in brackets):
 *   BiasAdd (value, bias): NHWC, bias along the last dimension.
 *   BiasAddGrad (out_backprop): sum over every dimension but the last.
 *   SoftmaxCrossEntropyWithLogits (features, labels): outputs loss [batch]
 *     and backprop [batch, classes]; labels broadcast as TF's op allows.
 *   SparseSoftmaxCrossEntropyWithLogits (features, labels): int32/int64
 *     labels [batch]; outputs as above.
 *   InTopKV2 (predictions, targets, k): bool [batch].
 *   L2Loss (t): sum(t ** 2) / 2.
 *   SparseToDense (sparse_indices, output_shape, sparse_values,
 *     default_value): flag[0] = validate_indices.
 *   GatherNd (params, indices), DivNoNan (x, y): helpers of the gradients
 *     and of tf.losses (TF's ops of those names).
 *   Conv2D (input, filter), Conv2DBackpropInput (input_sizes, filter,
 *     out_backprop), Conv2DBackpropFilter (input, filter_sizes,
 *     out_backprop): ints[0..3] = [strides], ints[4..7] = [dilations]
 *     (nints 8), i[0] = [padding] 1 SAME / 0 VALID; NHWC only.
 *   MaxPool (input), AvgPool (value), MaxPoolGrad (orig_input,
 *     orig_output, grad), MaxPoolGradGrad (orig_input, orig_output, grad),
 *     AvgPoolGrad (orig_input_shape, grad): ints[0..3] = [ksize],
 *     ints[4..7] = [strides], i[0] = [padding]; NHWC only.
 * Shape and dtype errors are TF's (its shape functions' wording); the
 * kernels are adapters onto runtime/k_nn.c. */
#include <inttypes.h>
#include <string.h>
#include "grad_build.h"
#include "ops.h"
#include "../runtime/k_nn.h"

/* ---- attribute helpers ------------------------------------------------------------------ */

/* Reads the window attributes of a convolution node. */
static tfg_k_nn_conv conv_attrs(const tfg_node *n)
{
    tfg_k_nn_conv p;
    p.stride_h = n->attr.ints[1];
    p.stride_w = n->attr.ints[2];
    p.dil_h = n->attr.ints[5];
    p.dil_w = n->attr.ints[6];
    p.same = n->attr.i[0] == 1;
    p.bwd_block = 0;
    return p;
}

/* Reads the window attributes of a pooling node. */
static tfg_k_nn_conv pool_attrs(const tfg_node *n)
{
    tfg_k_nn_conv p;
    p.stride_h = n->attr.ints[5];
    p.stride_w = n->attr.ints[6];
    p.dil_h = p.dil_w = 1;
    p.same = n->attr.i[0] == 1;
    p.bwd_block = 0;
    return p;
}

/* Would TensorFlow's graph optimizer constant-fold this node (no placeholder,
 * variable or random op upstream)? *budget bounds the walk. TF computes
 * folded nodes with its own kernels and the others with oneDNN's, which
 * order some sums differently. */
static bool foldable(const tfg_node *n, int *budget)
{
    if (--*budget < 0) return false;
    if ((n->op->flags & TFG_OPF_STATEFUL) || strncmp(n->op->type, "Placeholder", 11) == 0) return false;
    for (int i = 0; i < n->ninputs; i++)
        if (!foldable(n->inputs[i].node, budget)) return false;
    return true;
}

/* The pooling attributes of a gradient node with the order of TF's kernel
 * for it: Eigen's when TF would fold it, oneDNN's block otherwise; in is the
 * pooled input's shape. */
static tfg_k_nn_conv pool_grad_attrs(const tfg_node *n, bool is_max, const int64_t *in)
{
    tfg_k_nn_conv p = pool_attrs(n);
    int budget = 512;
    if (foldable(n, &budget)) return p;
    int64_t ow, pl;
    tfg_error e;
    if (tfg_k_nn_window(in[2], n->attr.ints[2], 1, p.stride_w, p.same, &ow, &pl, &e)) return p;
    p.bwd_block = tfg_k_nn_pool_bwd_block(is_max, in[0], in[3], in[2], n->attr.ints[2], p.stride_w, ow, pl);
    return p;
}

/* Checks that a window op's node carries its 8 ints. */
static int check_window_attrs(const tfg_node *n, tfg_error *err)
{
    if (n->attr.nints != 8 || !n->attr.ints)
        return tfg_error_set(err, "%s needs its window attributes (internal error)", n->op->type);
    return 0;
}

/* One spatial output dimension at build time, as TF's
 * GetWindowedOutputSizeFromDims: -1 when the input is unknown. */
static int window_dim(const tfg_node *n, int64_t in, int64_t k, int64_t dil, int64_t stride, bool same,
                      int64_t *out, tfg_error *err)
{
    if (stride <= 0) return tfg_ops_shape_error(err, n, "Stride must be > 0, but got %" PRId64, stride);
    if (dil < 1) return tfg_ops_shape_error(err, n, "Dilation rate must be >= 1, but got %" PRId64, dil);
    int64_t eff = (k - 1) * dil + 1;
    if (in < 0) {
        *out = -1;
        return 0;
    }
    if (same) {
        *out = (in + stride - 1) / stride;
    } else {
        if (in < eff)
            return tfg_ops_shape_error(err, n, "Negative dimension size caused by subtracting %" PRId64 " from %" PRId64,
                                       eff, in);
        *out = (in - eff) / stride + 1;
    }
    return 0;
}

/* ---- gradient builder ----------------------------------------------------------------------- */

/* An int32 scalar Const. */
static tfg_endpoint iscalar(gb *b, int64_t v, const char *name)
{
    return ep(tfg_grad_scalar(b->g, TFG_INT32, (double)v, name, b->loc, b->err));
}

/* The shape of x: a Const when static, else a Shape node. */
static tfg_endpoint shape_of(gb *b, tfg_endpoint x)
{
    return ep(tfg_grad_shape_of(b->g, x, b->loc, b->err));
}

/* TF's _BroadcastMul(vec, mat): ExpandDims(vec, -1) * mat. */
static tfg_endpoint broadcast_mul(gb *b, tfg_endpoint vec, tfg_endpoint mat)
{
    tfg_endpoint dim = iscalar(b, -1, "ExpandDims/dim");
    tfg_endpoint e = op_named(b, "ExpandDims", NULL, NULL, 2, vec, dim);
    return op_named(b, "Mul", "mul", NULL, 2, e, mat);
}

/* Sum of x over every axis (a scalar): Const axes when the rank is known,
 * else Range(0, Rank(x)). */
static tfg_endpoint sum_all(gb *b, tfg_endpoint x)
{
    if (!x.node) return x;
    int r = x.node->out_shape[x.index].rank;
    tfg_endpoint axes;
    if (r >= 0) {
        int64_t ax[TFG_MAX_RANK];
        for (int i = 0; i < r; i++) ax[i] = i;
        axes = ep(tfg_grad_ivec(b->g, ax, r, "Const", b->loc, b->err));
    } else {
        tfg_endpoint rk = op_named(b, "Rank", NULL, NULL, 1, x);
        axes = op_named(b, "Range", "range", NULL, 3, iscalar(b, 0, "range/start"), rk, iscalar(b, 1, "range/delta"));
    }
    return op_named(b, "Sum", NULL, NULL, 2, x, axes);
}

/* Stores e as the only gradient (input 0); -1 when building failed. */
static int set_grad(tfg_endpoint *grad_in, int i, tfg_endpoint e)
{
    grad_in[i] = e;
    return e.node ? 0 : -1;
}

/* ---- BiasAdd, BiasAddGrad ---------------------------------------------------------------------- */

/* BiasAdd: value rank >= 2, bias rank 1 merged with value's last dim. */
static int infer_bias_add(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "value", TFG_DTS_REAL, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (tfg_ops_in_dtype(n, 1) != dt) return tfg_ops_type_mismatch(err, n, "bias", tfg_ops_in_dtype(n, 1), "value", dt);
    if (tfg_ops_check_rank_at_least(n, 0, 2, err)) return -1;
    if (tfg_ops_check_rank(n, 1, 1, err)) return -1;
    tfg_shape s = *tfg_ops_in_shape(n, 0);
    const tfg_shape *bs = tfg_ops_in_shape(n, 1);
    if (s.rank >= 0 && bs->rank == 1) {
        int64_t a = s.dim[s.rank - 1], c = bs->dim[0];
        if (a >= 0 && c >= 0 && a != c)
            return tfg_ops_shape_error(err, n, "Dimensions must be equal, but are %" PRId64 " and %" PRId64, a, c);
        if (a < 0) s.dim[s.rank - 1] = c;
    }
    return tfg_ops_set_output(n, dt, &s);
}

/* BiasAdd's kernel. */
static int k_bias_add(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_nn_bias_add(in[0], in[1], out, err);
}

/* BiasAdd's gradient: (grad, BiasAddGrad(grad)). */
static int grad_bias_add(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                         tfg_error *err)
{
    gb b = { g, n->loc, err };
    grad_in[0] = grad_out[0];
    return set_grad(grad_in, 1, op_named(&b, "BiasAddGrad", NULL, NULL, 1, grad_out[0]));
}

/* BiasAddGrad: rank >= 2 in, the last dimension out. */
static int infer_bias_add_grad(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "out_backprop", TFG_DTS_REAL, err)) return -1;
    if (tfg_ops_check_rank_at_least(n, 0, 2, err)) return -1;
    const tfg_shape *s = tfg_ops_in_shape(n, 0);
    int64_t d = s->rank >= 0 ? s->dim[s->rank - 1] : -1;
    tfg_shape o = tfg_shape_make(1, &d);
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &o);
}

/* BiasAddGrad's kernel. */
static int k_bias_add_grad(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                           tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_nn_bias_add_grad(in[0], out, err);
}

/* BiasAddGrad's gradient: the bias gradient repeated over the input's shape
 * (TF reshapes to [1,...,1,C] and tiles; BroadcastTo gives the same values). */
static int grad_bias_add_grad(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                              tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint x = n->inputs[0];
    int r = x.node->out_shape[x.index].rank;
    if (r < 0) return tfg_error_set(err, "BiasAddGrad's gradient needs an input of known rank");
    int64_t ones[TFG_MAX_RANK];
    for (int i = 0; i < r - 1; i++) ones[i] = 1;
    ones[r - 1] = -1;
    tfg_endpoint shp = ep(tfg_grad_ivec(g, ones, r, "Const", n->loc, err));
    tfg_endpoint e = op_named(&b, "Reshape", NULL, NULL, 2, grad_out[0], shp);
    return set_grad(grad_in, 0, op_named(&b, "BroadcastTo", NULL, NULL, 2, e, shape_of(&b, x)));
}

/* ---- softmax cross-entropy --------------------------------------------------------------------- */

/* SoftmaxCrossEntropyWithLogits: TF's shape function (rank 2 features merged
 * with labels, else their broadcast, which must be rank 2). */
static int infer_xent(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "features", TFG_DTS_FLOAT, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (tfg_ops_in_dtype(n, 1) != dt)
        return tfg_ops_type_mismatch(err, n, "labels", tfg_ops_in_dtype(n, 1), "features", dt);
    const tfg_shape *f = tfg_ops_in_shape(n, 0), *l = tfg_ops_in_shape(n, 1);
    tfg_shape s, f2 = f->rank < 0 ? tfg_shape_make(2, NULL) : *f;
    char msg[256];
    if (!(f2.rank == 2 && tfg_ops_merge(&f2, l, &s, msg, sizeof msg) == 0)) {
        if (tfg_ops_broadcast(n, f, l, &s, err)) return -1;
        if (s.rank < 0)
            return tfg_ops_shape_error(err, n, "Shape must be broadcasted with rank 2, but is rank is unknown.");
        if (s.rank != 2)
            return tfg_ops_shape_error(err, n, "Shape must be broadcasted with rank 2, but is rank %d", s.rank);
    }
    n->noutputs = 2;
    n->out_dtype[0] = n->out_dtype[1] = dt;
    n->out_shape[0] = tfg_shape_make(1, &s.dim[0]);
    n->out_shape[1] = s;
    return 0;
}

/* SoftmaxCrossEntropyWithLogits's kernel. */
static int k_xent(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_nn_xent(in[0], in[1], &out[0], &out[1], err);
}

/* The logits gradient of both cross-entropies, nn_grad.py's
 * _SoftmaxCrossEntropyWithLogitsGrad: grad_loss * backprop, plus the
 * softmax Jacobian applied to grad_grad when the backprop output is used. */
static tfg_endpoint xent_logits_grad(gb *b, tfg_node *n, const tfg_endpoint *grad_out)
{
    tfg_endpoint grad = { NULL, 0 };
    if (grad_out[0].node) grad = broadcast_mul(b, grad_out[0], (tfg_endpoint){ n, 1 });
    if (!grad_out[1].node) return grad;
    tfg_endpoint gg = grad_out[1];
    tfg_endpoint sm = op_named(b, "Softmax", NULL, NULL, 1, n->inputs[0]);
    /* squeeze(matmul(expand_dims(gg, 1), expand_dims(sm, 2)), 1) is each row's gg . sm */
    tfg_attrs keep;
    memset(&keep, 0, sizeof keep);
    keep.flag[0] = true;
    tfg_endpoint dot = op_named(b, "Sum", NULL, &keep, 2, op_named(b, "Mul", "mul", NULL, 2, gg, sm), iscalar(b, -1, "Const"));
    tfg_endpoint extra = op_named(b, "Mul", "mul", NULL, 2, op_named(b, "Sub", "sub", NULL, 2, gg, dot), sm);
    if (!grad_out[0].node) return extra;
    return op_named(b, "AddV2", "add", NULL, 2, grad, extra);
}

/* SoftmaxCrossEntropyWithLogits's gradient: logits as above; labels
 * grad_loss * -log_softmax(logits). */
static int grad_xent(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    if (set_grad(grad_in, 0, xent_logits_grad(&b, n, grad_out))) return -1;
    if (!grad_out[0].node) return 0;
    tfg_endpoint ls = op_named(&b, "LogSoftmax", NULL, NULL, 1, n->inputs[0]);
    return set_grad(grad_in, 1, broadcast_mul(&b, grad_out[0], op_named(&b, "Neg", NULL, NULL, 1, ls)));
}

/* SparseSoftmaxCrossEntropyWithLogits: features [batch, classes] (rank 2),
 * labels [batch] (rank 1), batch dims merged. */
static int infer_sparse_xent(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "features", TFG_DTS_FLOAT, err)) return -1;
    if (tfg_ops_check_dtype(n, 1, "labels", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 0, 2, err) || tfg_ops_check_rank(n, 1, 1, err)) return -1;
    tfg_shape f = *tfg_ops_in_shape(n, 0);
    const tfg_shape *l = tfg_ops_in_shape(n, 1);
    if (f.rank < 0) f = tfg_shape_make(2, NULL);
    int64_t lb = l->rank == 1 ? l->dim[0] : -1;
    if (f.dim[0] >= 0 && lb >= 0 && f.dim[0] != lb)
        return tfg_ops_shape_error(err, n, "Dimensions must be equal, but are %" PRId64 " and %" PRId64, f.dim[0], lb);
    if (f.dim[0] < 0) f.dim[0] = lb;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    n->noutputs = 2;
    n->out_dtype[0] = n->out_dtype[1] = dt;
    n->out_shape[0] = tfg_shape_make(1, &f.dim[0]);
    n->out_shape[1] = f;
    return 0;
}

/* SparseSoftmaxCrossEntropyWithLogits's kernel. */
static int k_sparse_xent(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_nn_sparse_xent(in[0], in[1], &out[0], &out[1], err);
}

/* SparseSoftmaxCrossEntropyWithLogits's gradient: logits only. */
static int grad_sparse_xent(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                            tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_grad(grad_in, 0, xent_logits_grad(&b, n, grad_out));
}

/* ---- InTopKV2, L2Loss --------------------------------------------------------------------------- */

/* InTopKV2: predictions float32 [batch, classes], targets [batch], k scalar. */
static int infer_in_top_k(tfg_node *n, tfg_error *err)
{
    tfg_dtype dp = tfg_ops_in_dtype(n, 0);
    if (dp != TFG_FLOAT32) return tfg_ops_type_expected(err, n, "predictions", dp, TFG_FLOAT32);
    if (tfg_ops_check_dtype(n, 1, "targets", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_in_dtype(n, 2) != tfg_ops_in_dtype(n, 1))
        return tfg_ops_type_mismatch(err, n, "k", tfg_ops_in_dtype(n, 2), "targets", tfg_ops_in_dtype(n, 1));
    if (tfg_ops_check_rank(n, 0, 2, err) || tfg_ops_check_rank(n, 1, 1, err) || tfg_ops_check_rank(n, 2, 0, err))
        return -1;
    const tfg_shape *p = tfg_ops_in_shape(n, 0), *t = tfg_ops_in_shape(n, 1);
    int64_t a = p->rank == 2 ? p->dim[0] : -1, c = t->rank == 1 ? t->dim[0] : -1;
    if (a >= 0 && c >= 0 && a != c)
        return tfg_ops_shape_error(err, n, "Dimensions must be equal, but are %" PRId64 " and %" PRId64, a, c);
    int64_t d = a >= 0 ? a : c;
    tfg_shape o = tfg_shape_make(1, &d);
    return tfg_ops_set_output(n, TFG_BOOL, &o);
}

/* InTopKV2's kernel. */
static int k_in_top_k(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    if (in[2]->size != 1) return tfg_error_set(err, "k must be a scalar");
    return tfg_k_nn_in_top_k(in[0], in[1], tfg_tensor_get_i(in[2], 0), out, err);
}

/* L2Loss: floats, a scalar out. */
static int infer_l2_loss(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "t", TFG_DTS_FLOAT, err)) return -1;
    tfg_shape s = tfg_shape_scalar();
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &s);
}

/* L2Loss's kernel. */
static int k_l2_loss(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_nn_l2_loss(in[0], out, err);
}

/* L2Loss's gradient: t * grad. */
static int grad_l2_loss(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                        tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_grad(grad_in, 0, op_named(&b, "Mul", "mul", NULL, 2, n->inputs[0], grad_out[0]));
}

/* ---- SparseToDense, GatherNd, DivNoNan ----------------------------------------------------------- */

/* SparseToDense: the output's shape is output_shape's value when known. */
static int infer_sparse_to_dense(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "sparse_indices", TFG_DTS_INDEX, err)) return -1;
    tfg_dtype di = tfg_ops_in_dtype(n, 0), dv = tfg_ops_in_dtype(n, 2);
    if (tfg_ops_in_dtype(n, 1) != di)
        return tfg_ops_type_mismatch(err, n, "output_shape", tfg_ops_in_dtype(n, 1), "sparse_indices", di);
    if (tfg_ops_in_dtype(n, 3) != dv)
        return tfg_ops_type_mismatch(err, n, "default_value", tfg_ops_in_dtype(n, 3), "sparse_values", dv);
    if (tfg_ops_check_rank_at_most(n, 0, 2, err) || tfg_ops_check_rank_at_most(n, 1, 1, err)) return -1;
    tfg_shape s;
    tfg_error e;
    if (tfg_ops_shape_input(n, 1, &s, NULL, &e)) return tfg_error_set(err, "%s", e.msg);
    return tfg_ops_set_output(n, dv, &s);
}

/* SparseToDense's kernel. */
static int k_sparse_to_dense(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                             tfg_error *err)
{
    (void)x;
    int64_t shape[TFG_MAX_RANK];
    int rank;
    if (in[1]->rank != 1) {
        char s[128];
        tfg_tensor_shape_str(in[1]->rank, in[1]->shape, s, sizeof s);
        return tfg_error_set(err, "output_shape must be rank 1, got shape %s", s);
    }
    if (tfg_ops_read_ints(in[1], shape, TFG_MAX_RANK, &rank, "output_shape", err)) return -1;
    return tfg_k_nn_sparse_to_dense(in[0], rank, shape, in[2], in[3], n->attr.flag[0], out, err);
}

/* SparseToDense's gradient (sparse_grad.py): the values' gradient gathered
 * at the indices; the default's, everything else. */
static int grad_sparse_to_dense(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                                tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint vals = op_named(&b, "GatherNd", NULL, NULL, 2, grad_out[0], n->inputs[0]);
    if (set_grad(grad_in, 2, vals)) return -1;
    /* scalar values get a vector gradient, which TF's tf.gradients rejects */
    const tfg_shape *vs = &vals.node->out_shape[0], *is = tfg_ops_in_shape(n, 2);
    tfg_shape m;
    char msg[256];
    if (tfg_ops_merge(vs, is, &m, msg, sizeof msg)) {
        char a[128], c[128];
        tfg_shape_pystr(is, a, sizeof a);
        tfg_shape_pystr(vs, c, sizeof c);
        return tfg_error_set(err,
                             "Incompatible shapes between op input and calculated input gradient. Forward operation: "
                             "%s. Input index: 2. Original input shape: %s. Calculated input gradient shape: %s",
                             n->name, a, c);
    }
    tfg_endpoint rest = op_named(&b, "Sub", "sub", NULL, 2, sum_all(&b, grad_out[0]), sum_all(&b, vals));
    return set_grad(grad_in, 3, rest);
}

/* GatherNd: params indexed by the tuples in the last axis of indices. */
static int infer_gather_nd(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "indices", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank_at_least(n, 1, 1, err)) return -1;
    const tfg_shape *p = tfg_ops_in_shape(n, 0), *ix = tfg_ops_in_shape(n, 1);
    tfg_shape o = tfg_shape_unknown();
    if (p->rank >= 0 && ix->rank >= 1 && ix->dim[ix->rank - 1] >= 0) {
        int64_t r = ix->dim[ix->rank - 1];
        if (r > p->rank) {
            char si[128], sp[128];
            tfg_shape_str(ix, si, sizeof si);
            tfg_shape_str(p, sp, sizeof sp);
            return tfg_ops_shape_error(err, n,
                                       "indices.shape[-1] must be <= params.rank, but saw indices shape: %s and params "
                                       "shape: %s",
                                       si, sp);
        }
        if (ix->rank - 1 + p->rank - r > TFG_MAX_RANK)
            return tfg_ops_shape_error(err, n, "GatherNd result has rank above %d", TFG_MAX_RANK);
        o = tfg_shape_scalar();
        for (int d = 0; d < ix->rank - 1; d++) o.dim[o.rank++] = ix->dim[d];
        for (int d = (int)r; d < p->rank; d++) o.dim[o.rank++] = p->dim[d];
    }
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &o);
}

/* GatherNd's kernel. */
static int k_gather_nd(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_nn_gather_nd(in[0], in[1], out, err);
}

/* DivNoNan: floats of one dtype, broadcasting. */
static int infer_div_no_nan(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "x", TFG_DTS_FLOAT, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (tfg_ops_in_dtype(n, 1) != dt) return tfg_ops_type_mismatch(err, n, "y", tfg_ops_in_dtype(n, 1), "x", dt);
    tfg_shape s;
    if (tfg_ops_broadcast(n, tfg_ops_in_shape(n, 0), tfg_ops_in_shape(n, 1), &s, err)) return -1;
    return tfg_ops_set_output(n, dt, &s);
}

/* DivNoNan's kernel. */
static int k_div_no_nan(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_nn_div_no_nan(in[0], in[1], out, err);
}

/* DivNoNan's gradient (math_grad.py): div_no_nan(grad, y) for x and
 * grad * div_no_nan(div_no_nan(-x, y), y) for y, each summed down to its
 * operand's shape. */
static int grad_div_no_nan(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                           tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint x = n->inputs[0], y = n->inputs[1];
    tfg_endpoint gx = op_named(&b, "DivNoNan", NULL, NULL, 2, grad_out[0], y);
    if (!gx.node || tfg_grad_unbroadcast(g, gx, x, n->loc, &grad_in[0], err)) return -1;
    tfg_endpoint q = op_named(&b, "DivNoNan", NULL, NULL, 2, op_named(&b, "Neg", NULL, NULL, 1, x), y);
    tfg_endpoint gy = op_named(&b, "Mul", "mul", NULL, 2, grad_out[0], op_named(&b, "DivNoNan", NULL, NULL, 2, q, y));
    if (!gy.node || tfg_grad_unbroadcast(g, gy, y, n->loc, &grad_in[1], err)) return -1;
    return 0;
}

/* ---- Conv2D and its backprops -------------------------------------------------------------------- */

/* Shared by Conv2D and its backprops: the output shape from an input shape
 * `in`, a filter shape `f` and the attrs; checks depths as TF's Conv2DShape. */
static int conv_out_shape(const tfg_node *n, const tfg_shape *in, const tfg_shape *f, tfg_shape *out, tfg_error *err)
{
    if (check_window_attrs(n, err)) return -1;
    tfg_k_nn_conv p = conv_attrs(n);
    *out = tfg_shape_make(4, NULL);
    int64_t ind = in->rank == 4 ? in->dim[3] : -1, fd = f->rank == 4 ? f->dim[2] : -1;
    int64_t od = f->rank == 4 ? f->dim[3] : -1;
    if (ind >= 0 && fd >= 0) {
        if (fd == 0 || ind % fd != 0)
            return tfg_ops_shape_error(err, n,
                                       "Depth of input (%" PRId64 ") is not a multiple of input depth of filter (%" PRId64
                                       ")",
                                       ind, fd);
        if (od >= 0 && od % (ind / fd) != 0)
            return tfg_ops_shape_error(err, n,
                                       "Depth of output (%" PRId64 ") is not a multiple of the number of groups (%" PRId64
                                       ")",
                                       od, ind / fd);
    }
    int64_t ih = in->rank == 4 ? in->dim[1] : -1, iw = in->rank == 4 ? in->dim[2] : -1;
    int64_t kh = f->rank == 4 ? f->dim[0] : -1, kw = f->rank == 4 ? f->dim[1] : -1;
    out->dim[0] = in->rank == 4 ? in->dim[0] : -1;
    out->dim[3] = od;
    if (kh < 0) ih = -1;
    if (kw < 0) iw = -1;
    if (window_dim(n, ih, kh < 0 ? 1 : kh, p.dil_h, p.stride_h, p.same, &out->dim[1], err)) return -1;
    if (window_dim(n, iw, kw < 0 ? 1 : kw, p.dil_w, p.stride_w, p.same, &out->dim[2], err)) return -1;
    return 0;
}

/* Conv2D: input [n, h, w, c] and filter [kh, kw, c / groups, oc], one float dtype. */
static int infer_conv2d(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "input", TFG_DTS_FLOAT | TFG_DT_BIT(TFG_INT32), err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (tfg_ops_in_dtype(n, 1) != dt) return tfg_ops_type_mismatch(err, n, "filter", tfg_ops_in_dtype(n, 1), "input", dt);
    if (tfg_ops_check_rank(n, 0, 4, err) || tfg_ops_check_rank(n, 1, 4, err)) return -1;
    tfg_shape o;
    if (conv_out_shape(n, tfg_ops_in_shape(n, 0), tfg_ops_in_shape(n, 1), &o, err)) return -1;
    return tfg_ops_set_output(n, dt, &o);
}

/* The run-time checks of TF's convolution kernels on the attrs. */
static int conv_run_checks(const tfg_node *n, tfg_error *err)
{
    const int64_t *v = n->attr.ints;
    if (v[0] != 1 || v[3] != 1)
        return tfg_error_set(err, "Current implementation does not yet support strides in the batch and depth "
                                  "dimensions.");
    if (v[4] != 1 || v[7] != 1)
        return tfg_error_set(err, "Current implementation does not yet support dilations in the batch and depth "
                                  "dimensions.");
    return 0;
}

/* Conv2D's kernel. */
static int k_conv2d(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    if (conv_run_checks(n, err)) return -1;
    tfg_k_nn_conv p = conv_attrs(n);
    return tfg_k_nn_conv2d(in[0], in[1], &p, out, err);
}

/* Conv2D's gradient: Conv2DBackpropInput and Conv2DBackpropFilter. */
static int grad_conv2d(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint s0 = shape_of(&b, n->inputs[0]);
    tfg_endpoint s1 = s0.node ? shape_of(&b, n->inputs[1]) : s0;
    if (set_grad(grad_in, 0, op_named(&b, "Conv2DBackpropInput", NULL, &n->attr, 3, s0, n->inputs[1], grad_out[0])))
        return -1;
    return set_grad(grad_in, 1, op_named(&b, "Conv2DBackpropFilter", NULL, &n->attr, 3, n->inputs[0], s1, grad_out[0]));
}

/* Reads a 4-vector of sizes (input_sizes / filter_sizes) from a tensor. */
static int read_sizes4(const tfg_tensor *t, const char *what, int64_t *v, tfg_error *err)
{
    int cnt;
    if (tfg_ops_read_ints(t, v, TFG_MAX_RANK, &cnt, what, err)) return -1;
    if (cnt != 4 || t->rank != 1)
        return tfg_error_set(err, "Conv2DBackprop: %s must be a vector of 4 elements", what);
    return 0;
}

/* Conv2DBackpropInput: (input_sizes, filter, out_backprop) -> input's shape. */
static int infer_conv2d_bp_input(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "input_sizes", TFG_DT_BIT(TFG_INT32), err)) return -1;
    if (tfg_ops_check_dtype(n, 1, "filter", TFG_DTS_FLOAT | TFG_DT_BIT(TFG_INT32), err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 1);
    if (tfg_ops_in_dtype(n, 2) != dt)
        return tfg_ops_type_mismatch(err, n, "out_backprop", tfg_ops_in_dtype(n, 2), "filter", dt);
    if (tfg_ops_check_rank(n, 1, 4, err) || tfg_ops_check_rank(n, 2, 4, err) || check_window_attrs(n, err)) return -1;
    tfg_shape s;
    tfg_error e;
    if (tfg_ops_shape_input(n, 0, &s, NULL, &e)) return tfg_error_set(err, "%s", e.msg);
    if (s.rank >= 0 && s.rank != 4) return tfg_ops_shape_error(err, n, "Shape must be rank 4 but is rank %d", s.rank);
    if (s.rank < 0) s = tfg_shape_make(4, NULL);
    return tfg_ops_set_output(n, dt, &s);
}

/* Conv2DBackpropInput's kernel. */
static int k_conv2d_bp_input(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    if (conv_run_checks(n, err)) return -1;
    int64_t sz[TFG_MAX_RANK];
    if (read_sizes4(in[0], "input_sizes", sz, err)) return -1;
    tfg_k_nn_conv p = conv_attrs(n);
    return tfg_k_nn_conv2d_backprop_input(sz, in[1], in[2], &p, out, err);
}

/* Conv2DBackpropInput's gradient: (none, filter: Conv2DBackpropFilter(grad,
 * shape(filter), out_backprop), out_backprop: Conv2D(grad, filter)). */
static int grad_conv2d_bp_input(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                                tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint sf = shape_of(&b, n->inputs[1]);
    if (set_grad(grad_in, 1, op_named(&b, "Conv2DBackpropFilter", NULL, &n->attr, 3, grad_out[0], sf, n->inputs[2])))
        return -1;
    return set_grad(grad_in, 2, op_named(&b, "Conv2D", NULL, &n->attr, 2, grad_out[0], n->inputs[1]));
}

/* Conv2DBackpropFilter: (input, filter_sizes, out_backprop) -> filter's shape. */
static int infer_conv2d_bp_filter(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "input", TFG_DTS_FLOAT | TFG_DT_BIT(TFG_INT32), err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (tfg_ops_check_dtype(n, 1, "filter_sizes", TFG_DT_BIT(TFG_INT32), err)) return -1;
    if (tfg_ops_in_dtype(n, 2) != dt)
        return tfg_ops_type_mismatch(err, n, "out_backprop", tfg_ops_in_dtype(n, 2), "input", dt);
    if (tfg_ops_check_rank(n, 0, 4, err) || tfg_ops_check_rank(n, 2, 4, err) || check_window_attrs(n, err)) return -1;
    tfg_shape s;
    tfg_error e;
    if (tfg_ops_shape_input(n, 1, &s, NULL, &e)) return tfg_error_set(err, "%s", e.msg);
    if (s.rank >= 0 && s.rank != 4) return tfg_ops_shape_error(err, n, "Shape must be rank 4 but is rank %d", s.rank);
    if (s.rank < 0) s = tfg_shape_make(4, NULL);
    return tfg_ops_set_output(n, dt, &s);
}

/* Conv2DBackpropFilter's kernel. */
static int k_conv2d_bp_filter(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                              tfg_error *err)
{
    (void)x;
    if (conv_run_checks(n, err)) return -1;
    int64_t sz[TFG_MAX_RANK];
    if (read_sizes4(in[1], "filter_sizes", sz, err)) return -1;
    tfg_k_nn_conv p = conv_attrs(n);
    return tfg_k_nn_conv2d_backprop_filter(in[0], sz, in[2], &p, out, err);
}

/* Conv2DBackpropFilter's gradient: (input: Conv2DBackpropInput(shape(input),
 * grad, out_backprop), none, out_backprop: Conv2D(input, grad)). */
static int grad_conv2d_bp_filter(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                                 tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint si = shape_of(&b, n->inputs[0]);
    if (set_grad(grad_in, 0, op_named(&b, "Conv2DBackpropInput", NULL, &n->attr, 3, si, grad_out[0], n->inputs[2])))
        return -1;
    return set_grad(grad_in, 2, op_named(&b, "Conv2D", NULL, &n->attr, 2, n->inputs[0], grad_out[0]));
}

/* ---- pooling ---------------------------------------------------------------------------------------- */

/* The pooled shape of `in` (MaxPool windows the depth too; AvgPool keeps it). */
static int pool_out_shape(const tfg_node *n, const tfg_shape *in, bool window_depth, tfg_shape *out, tfg_error *err)
{
    if (check_window_attrs(n, err)) return -1;
    const int64_t *k = n->attr.ints, *s = n->attr.ints + 4;
    bool same = n->attr.i[0] == 1;
    *out = tfg_shape_make(4, NULL);
    if (in->rank != 4) return 0;
    out->dim[0] = in->dim[0];
    if (window_dim(n, in->dim[1], k[1], 1, s[1], same, &out->dim[1], err)) return -1;
    if (window_dim(n, in->dim[2], k[2], 1, s[2], same, &out->dim[2], err)) return -1;
    if (!window_depth) out->dim[3] = in->dim[3];
    else if (window_dim(n, in->dim[3], k[3], 1, s[3], same, &out->dim[3], err)) return -1;
    return 0;
}

/* MaxPool: every number type, rank 4. */
static int infer_max_pool(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "input", TFG_DTS_REAL, err)) return -1;
    if (tfg_ops_check_rank(n, 0, 4, err)) return -1;
    tfg_shape o;
    if (pool_out_shape(n, tfg_ops_in_shape(n, 0), true, &o, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &o);
}

/* AvgPool: floats, rank 4. */
static int infer_avg_pool(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "value", TFG_DTS_FLOAT, err)) return -1;
    if (tfg_ops_check_rank(n, 0, 4, err)) return -1;
    tfg_shape o;
    if (pool_out_shape(n, tfg_ops_in_shape(n, 0), false, &o, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &o);
}

/* The run-time checks of TF's pooling kernels on ksize and strides. */
static int pool_run_checks(const tfg_node *n, tfg_error *err)
{
    const int64_t *k = n->attr.ints, *s = n->attr.ints + 4;
    if (k[0] != 1 || s[0] != 1) return tfg_error_set(err, "Pooling is not yet supported on the batch dimension.");
    if (k[3] != 1 || s[3] != 1) {
        if (k[1] != 1 || k[2] != 1 || s[1] != 1 || s[2] != 1)
            return tfg_error_set(err, "MaxPooling supports exactly one of pooling across depth or pooling across "
                                      "width/height.");
        return tfg_error_set(err, "Depthwise pooling is not supported by tfg");
    }
    return 0;
}

/* MaxPool's kernel. */
static int k_max_pool(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    if (pool_run_checks(n, err)) return -1;
    tfg_k_nn_conv p = pool_attrs(n);
    return tfg_k_nn_max_pool(in[0], n->attr.ints[1], n->attr.ints[2], &p, out, err);
}

/* AvgPool's kernel. */
static int k_avg_pool(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    if (pool_run_checks(n, err)) return -1;
    tfg_k_nn_conv p = pool_attrs(n);
    return tfg_k_nn_avg_pool(in[0], n->attr.ints[1], n->attr.ints[2], &p, out, err);
}

/* MaxPool's gradient: MaxPoolGrad(input, output, grad). */
static int grad_max_pool(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                         tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_grad(grad_in, 0, op_named(&b, "MaxPoolGrad", NULL, &n->attr, 3, n->inputs[0], ep(n), grad_out[0]));
}

/* AvgPool's gradient: AvgPoolGrad(shape(input), grad). */
static int grad_avg_pool(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                         tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_grad(grad_in, 0, op_named(&b, "AvgPoolGrad", NULL, &n->attr, 2, shape_of(&b, n->inputs[0]), grad_out[0]));
}

/* MaxPoolGrad: (orig_input, orig_output, grad) -> orig_input's shape. */
static int infer_max_pool_grad(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "orig_input", TFG_DTS_FLOAT, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    for (int i = 1; i < 3; i++)
        if (tfg_ops_in_dtype(n, i) != dt)
            return tfg_ops_type_mismatch(err, n, i == 1 ? "orig_output" : "grad", tfg_ops_in_dtype(n, i),
                                         "orig_input", dt);
    for (int i = 0; i < 3; i++)
        if (tfg_ops_check_rank(n, i, 4, err)) return -1;
    if (check_window_attrs(n, err)) return -1;
    return tfg_ops_set_output(n, dt, tfg_ops_in_shape(n, 0));
}

/* MaxPoolGrad's kernel. */
static int k_max_pool_grad(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    if (pool_run_checks(n, err)) return -1;
    if (in[0]->rank != 4) return tfg_error_set(err, "orig_input must be 4-dimensional");
    tfg_k_nn_conv p = pool_grad_attrs(n, true, in[0]->shape);
    return tfg_k_nn_max_pool_grad(in[0], in[2], n->attr.ints[1], n->attr.ints[2], &p, out, err);
}

/* MaxPoolGrad's gradient: zeros for the inputs, MaxPoolGradGrad for grad. */
static int grad_max_pool_grad(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                              tfg_error *err)
{
    gb b = { g, n->loc, err };
    if (set_grad(grad_in, 0, op_named(&b, "ZerosLike", NULL, NULL, 1, n->inputs[0]))) return -1;
    if (set_grad(grad_in, 1, op_named(&b, "ZerosLike", NULL, NULL, 1, n->inputs[1]))) return -1;
    return set_grad(grad_in, 2,
                    op_named(&b, "MaxPoolGradGrad", NULL, &n->attr, 3, n->inputs[0], n->inputs[1], grad_out[0]));
}

/* MaxPoolGradGrad: (orig_input, orig_output, grad) -> orig_output's shape. */
static int infer_max_pool_grad_grad(tfg_node *n, tfg_error *err)
{
    if (infer_max_pool_grad(n, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), tfg_ops_in_shape(n, 1));
}

/* MaxPoolGradGrad's kernel. */
static int k_max_pool_grad_grad(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                                tfg_error *err)
{
    (void)x;
    if (pool_run_checks(n, err)) return -1;
    tfg_k_nn_conv p = pool_attrs(n);
    return tfg_k_nn_max_pool_grad_grad(in[0], in[2], n->attr.ints[1], n->attr.ints[2], &p, out, err);
}

/* MaxPoolGradGrad's gradient: zeros for the inputs, MaxPoolGrad for grad. */
static int grad_max_pool_grad_grad(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                                   tfg_error *err)
{
    gb b = { g, n->loc, err };
    if (set_grad(grad_in, 0, op_named(&b, "ZerosLike", NULL, NULL, 1, n->inputs[0]))) return -1;
    if (set_grad(grad_in, 1, op_named(&b, "ZerosLike", NULL, NULL, 1, n->inputs[1]))) return -1;
    return set_grad(grad_in, 2, op_named(&b, "MaxPoolGrad", NULL, &n->attr, 3, n->inputs[0], n->inputs[1], grad_out[0]));
}

/* AvgPoolGrad: (orig_input_shape, grad) -> the shape's value. */
static int infer_avg_pool_grad(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "orig_input_shape", TFG_DT_BIT(TFG_INT32), err)) return -1;
    if (tfg_ops_check_dtype(n, 1, "grad", TFG_DTS_FLOAT, err)) return -1;
    if (tfg_ops_check_rank(n, 1, 4, err) || check_window_attrs(n, err)) return -1;
    tfg_shape s;
    tfg_error e;
    if (tfg_ops_shape_input(n, 0, &s, NULL, &e)) return tfg_error_set(err, "%s", e.msg);
    if (s.rank >= 0 && s.rank != 4) return tfg_ops_shape_error(err, n, "Shape must be rank 4 but is rank %d", s.rank);
    if (s.rank < 0) s = tfg_shape_make(4, NULL);
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 1), &s);
}

/* AvgPoolGrad's kernel. */
static int k_avg_pool_grad(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    if (pool_run_checks(n, err)) return -1;
    int64_t sz[TFG_MAX_RANK];
    int cnt;
    if (tfg_ops_read_ints(in[0], sz, TFG_MAX_RANK, &cnt, "orig_input_shape", err)) return -1;
    if (cnt != 4) return tfg_error_set(err, "orig_input_shape must have 4 elements");
    tfg_k_nn_conv p = pool_grad_attrs(n, false, sz);
    return tfg_k_nn_avg_pool_grad(sz, in[1], n->attr.ints[1], n->attr.ints[2], &p, out, err);
}

/* AvgPoolGrad's gradient: AvgPool(grad) for grad (the shape has none). */
static int grad_avg_pool_grad(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                              tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_grad(grad_in, 1, op_named(&b, "AvgPool", NULL, &n->attr, 1, grad_out[0]));
}

/* ---- the table --------------------------------------------------------------------------------------- */

const tfg_opdef tfg_ops_nn[] = {
    { "BiasAdd", 2, 0, infer_bias_add, { k_bias_add, NULL }, grad_bias_add,
      "value + bias along the last dimension (tf.nn.bias_add)" },
    { "BiasAddGrad", 1, 0, infer_bias_add_grad, { k_bias_add_grad, NULL }, grad_bias_add_grad,
      "sum over all but the last dimension (BiasAdd's gradient)" },
    { "SoftmaxCrossEntropyWithLogits", 2, 0, infer_xent, { k_xent, NULL }, grad_xent,
      "softmax cross-entropy loss and backprop of [batch, classes] (tf.nn.softmax_cross_entropy_with_logits)" },
    { "SparseSoftmaxCrossEntropyWithLogits", 2, 0, infer_sparse_xent, { k_sparse_xent, NULL }, grad_sparse_xent,
      "softmax cross-entropy against class indices (tf.nn.sparse_softmax_cross_entropy_with_logits)" },
    { "InTopKV2", 3, 0, infer_in_top_k, { k_in_top_k, NULL }, NULL,
      "is each target among the k largest predictions (tf.nn.in_top_k)" },
    { "L2Loss", 1, 0, infer_l2_loss, { k_l2_loss, NULL }, grad_l2_loss, "sum(t ** 2) / 2 (tf.nn.l2_loss)" },
    { "SparseToDense", 4, 0, infer_sparse_to_dense, { k_sparse_to_dense, NULL }, grad_sparse_to_dense,
      "dense tensor from indices and values; flag[0] validate_indices (tf.sparse_to_dense)" },
    { "GatherNd", 2, 0, infer_gather_nd, { k_gather_nd, NULL }, NULL,
      "slices of params at index tuples (tf.gather_nd; SparseToDense's gradient)" },
    { "DivNoNan", 2, 0, infer_div_no_nan, { k_div_no_nan, NULL }, grad_div_no_nan,
      "x / y, 0 where y is 0 (tf.math.divide_no_nan; tf.losses' means)" },
    { "Conv2D", 2, 0, infer_conv2d, { k_conv2d, NULL }, grad_conv2d,
      "2-D convolution, NHWC; ints strides+dilations, i[0] padding (tf.nn.conv2d)" },
    { "Conv2DBackpropInput", 3, 0, infer_conv2d_bp_input, { k_conv2d_bp_input, NULL }, grad_conv2d_bp_input,
      "Conv2D's gradient for its input" },
    { "Conv2DBackpropFilter", 3, 0, infer_conv2d_bp_filter, { k_conv2d_bp_filter, NULL }, grad_conv2d_bp_filter,
      "Conv2D's gradient for its filter" },
    { "MaxPool", 1, 0, infer_max_pool, { k_max_pool, NULL }, grad_max_pool,
      "max over windows, NHWC; ints ksize+strides, i[0] padding (tf.nn.max_pool)" },
    { "AvgPool", 1, 0, infer_avg_pool, { k_avg_pool, NULL }, grad_avg_pool,
      "mean over windows, padding excluded, NHWC (tf.nn.avg_pool)" },
    { "MaxPoolGrad", 3, 0, infer_max_pool_grad, { k_max_pool_grad, NULL }, grad_max_pool_grad,
      "MaxPool's gradient: to each window's first maximum" },
    { "MaxPoolGradGrad", 3, 0, infer_max_pool_grad_grad, { k_max_pool_grad_grad, NULL }, grad_max_pool_grad_grad,
      "MaxPoolGrad's gradient: the gradient at each window's first maximum" },
    { "AvgPoolGrad", 2, 0, infer_avg_pool_grad, { k_avg_pool_grad, NULL }, grad_avg_pool_grad,
      "AvgPool's gradient: spread over each window" },
};
const int tfg_ops_nn_count = (int)(sizeof tfg_ops_nn / sizeof tfg_ops_nn[0]);
