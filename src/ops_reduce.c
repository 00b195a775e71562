/* ops_reduce.c — reductions, arg max/min and softmax (table tfg_ops_reduce).
 *
 * Sum Mean Max Min Prod All Any: inputs (input, reduction_indices), attr
 *   flag[0] = keep_dims. reduction_indices is an int32/int64 scalar or vector
 *   (TF's tf.reduce_sum(x) with axis=None passes range(rank) as a Const).
 *   All/Any take bool, the others any number type.
 * ArgMax ArgMin: inputs (input, dimension); attr dtype = output_type,
 *   TFG_INT32 or (anything else, e.g. the zeroed default) TFG_INT64.
 * Softmax LogSoftmax: input (logits), floats, along the last axis.
 *
 * Gradients are TF's (math_grad.py; nn_grad.py for the softmaxes): Sum's
 * grad is reshaped and tiled back with constant shapes when they are static
 * (ReducedShape and BroadcastTo otherwise), Mean divides it by the reduced
 * count, Max and Min share it equally among tied extrema, Prod multiplies
 * exclusive cumulative products from both sides. ArgMax, ArgMin, All and Any
 * have integer or bool outputs, which no gradient reaches. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include "gradients.h"
#include "ops.h"

/* Most reduction axes a kernel accepts (duplicates included). */
#define MAX_AXES 64

/* Shared infer of the reductions; in_allowed is TFG_DTS_REAL or TFG_DTS_BOOL. */
static int infer_reduce(tfg_node *n, unsigned in_allowed, tfg_error *err)
{
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (in_allowed == TFG_DTS_BOOL) {
        if (dt != TFG_BOOL) return tfg_ops_type_expected(err, n, "input", dt, TFG_BOOL);
    } else if (tfg_ops_check_dtype(n, 0, "input", in_allowed, err)) {
        return -1;
    }
    if (tfg_ops_check_dtype(n, 1, "reduction_indices", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank_at_most(n, 1, 1, err)) return -1;
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    bool keep = n->attr.flag[0];
    const tfg_tensor *axes = tfg_ops_const_value(n->inputs[1]);
    tfg_shape out = tfg_shape_unknown();
    if (in->rank < 0) return tfg_ops_set_output(n, dt, &out);
    if (!axes) {
        if (keep) out = tfg_shape_make(in->rank, NULL);
        return tfg_ops_set_output(n, dt, &out);
    }
    bool reduced[TFG_MAX_RANK] = { false };
    for (int64_t k = 0; k < axes->size; k++) {
        int64_t v = tfg_tensor_get_i(axes, k);
        if (v < -in->rank || v >= in->rank)
            return tfg_ops_shape_error_with(err, n, 1u << 1, 0,
                                            "Invalid reduction dimension %" PRId64
                                            " for input with %d dimensions.",
                                            v, in->rank);
        reduced[v < 0 ? v + in->rank : v] = true;
    }
    out = tfg_shape_scalar();
    for (int d = 0; d < in->rank; d++) {
        if (!reduced[d]) out.dim[out.rank++] = in->dim[d];
        else if (keep) out.dim[out.rank++] = 1;
    }
    return tfg_ops_set_output(n, dt, &out);
}

/* Sum, Mean, Max, Min, Prod: numbers. */
static int infer_reduce_real(tfg_node *n, tfg_error *err)
{
    return infer_reduce(n, TFG_DTS_REAL, err);
}

/* All, Any: bools. */
static int infer_reduce_bool(tfg_node *n, tfg_error *err)
{
    return infer_reduce(n, TFG_DTS_BOOL, err);
}

/* Shared kernel of the reductions: reads the axes tensor, calls tfg_k_reduce. */
static int run_reduce(tfg_reduce_op op, const tfg_node *n, tfg_tensor *const *in,
                      tfg_tensor **out, tfg_error *err)
{
    int64_t buf[MAX_AXES];
    int axes[MAX_AXES], naxes;
    if (tfg_ops_read_ints(in[1], buf, MAX_AXES, &naxes, "reduction_indices", err)) return -1;
    for (int k = 0; k < naxes; k++) {
        if (buf[k] < -in[0]->rank || buf[k] >= in[0]->rank)
            return tfg_error_set(err,
                                 "Invalid reduction dimension (%" PRId64
                                 " for input with %d dimension(s)",
                                 buf[k], in[0]->rank);
        axes[k] = (int)buf[k];
    }
    return tfg_k_reduce(op, in[0], axes, naxes, n->attr.flag[0], out, err);
}

/* Defines the CPU kernel of one reduction. */
#define REDUCE_KERNEL(fname, code)                                                        \
    static int fname(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in,             \
                     tfg_tensor **out, tfg_error *err)                                    \
    {                                                                                     \
        (void)x;                                                                          \
        return run_reduce(code, n, in, out, err);                                         \
    }

REDUCE_KERNEL(k_sum, TFG_RED_SUM)
REDUCE_KERNEL(k_mean, TFG_RED_MEAN)
REDUCE_KERNEL(k_max, TFG_RED_MAX)
REDUCE_KERNEL(k_min, TFG_RED_MIN)
REDUCE_KERNEL(k_prod, TFG_RED_PROD)
REDUCE_KERNEL(k_all, TFG_RED_ALL)
REDUCE_KERNEL(k_any, TFG_RED_ANY)

/* ---- ArgMax / ArgMin ------------------------------------------------------------------ */

/* The output dtype of ArgMax/ArgMin: attr dtype int32, else int64. */
static tfg_dtype arg_out_dtype(const tfg_node *n)
{
    return n->attr.dtype == TFG_INT32 ? TFG_INT32 : TFG_INT64;
}

/* ArgMax/ArgMin infer, as TF's ArgOpShape. */
static int infer_argminmax(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "input", TFG_DTS_REAL | TFG_DTS_BOOL, err)) return -1;
    if (tfg_ops_check_dtype(n, 1, "dimension", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 1, 0, err)) return -1;
    tfg_dtype odt = arg_out_dtype(n);
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    tfg_shape out;
    int64_t dim;
    if (in->rank < 0) {
        out = tfg_shape_unknown();
    } else if (in->rank <= 1) {
        out = tfg_shape_scalar();
    } else if (!tfg_ops_const_int(n, 1, &dim)) {
        out = tfg_shape_make(in->rank - 1, NULL);
    } else {
        if (dim < -in->rank || dim >= in->rank)
            return tfg_ops_shape_error_with(err, n, 1u << 1, 0,
                                            "Dimension (%" PRId64 ") must be in the range "
                                            "[%d, %d), where %d is the number of dimensions "
                                            "in the input.",
                                            dim, -in->rank, in->rank, in->rank);
        if (dim < 0) dim += in->rank;
        out = tfg_shape_scalar();
        for (int d = 0; d < in->rank; d++)
            if (d != dim) out.dim[out.rank++] = in->dim[d];
    }
    return tfg_ops_set_output(n, odt, &out);
}

/* Shared kernel of ArgMax/ArgMin: checks the dimension, calls tfg_k_argminmax. */
static int run_argminmax(bool is_max, const tfg_node *n, tfg_tensor *const *in,
                         tfg_tensor **out, tfg_error *err)
{
    const tfg_tensor *x = in[0];
    if (in[1]->size != 1)
        return tfg_error_set(err, "dim must be a scalar, but received tensor of %" PRId64
                                  " elements", in[1]->size);
    int64_t dim = tfg_tensor_get_i(in[1], 0);
    int r = x->rank;
    if (dim < -r || dim >= r || r == 0)
        return tfg_error_set(err, "Expected dimension in the range [%d, %d), but got %" PRId64,
                             -r, r, dim);
    return tfg_k_argminmax(is_max, x, (int)(dim < 0 ? dim + r : dim), arg_out_dtype(n), out,
                           err);
}

/* ArgMax's CPU kernel. */
static int k_argmax(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    (void)x;
    return run_argminmax(true, n, in, out, err);
}

/* ArgMin's CPU kernel. */
static int k_argmin(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    (void)x;
    return run_argminmax(false, n, in, out, err);
}

/* ---- Softmax / LogSoftmax ------------------------------------------------------------- */

/* Softmax/LogSoftmax infer: floats of rank >= 1, shape unchanged. */
static int infer_softmax(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "logits", TFG_DTS_FLOAT, err)) return -1;
    if (tfg_ops_check_rank_at_least(n, 0, 1, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), tfg_ops_in_shape(n, 0));
}

/* Softmax's CPU kernel. */
static int k_softmax(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                     tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_softmax(in[0], false, out, err);
}

/* LogSoftmax's CPU kernel. */
static int k_log_softmax(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                         tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_softmax(in[0], true, out, err);
}

/* ---- gradients ---------------------------------------------------------------------------- */

#include "grad_build.h"

/* An int32 scalar Const. */
static tfg_endpoint iscalar(gb *b, int64_t v)
{
    return ep(tfg_grad_scalar(b->g, TFG_INT32, (double)v, NULL, b->loc, b->err));
}

/* The shape of x: a Const when static, else a Shape node. */
static tfg_endpoint shape_of(gb *b, tfg_endpoint x)
{
    return x.node ? ep(tfg_grad_shape_of(b->g, x, b->loc, b->err)) : x;
}

/* Sum(x, axes) with keep_dims. */
static tfg_endpoint sum(gb *b, tfg_endpoint x, tfg_endpoint axes, bool keep)
{
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.flag[0] = keep;
    return op(b, "Sum", &at, 2, x, axes);
}

/* Cast(x) to dt. */
static tfg_endpoint cast(gb *b, tfg_endpoint x, tfg_dtype dt)
{
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = dt;
    return op(b, "Cast", &at, 1, x);
}

/* The static shape of an endpoint. */
static const tfg_shape *shp(tfg_endpoint e)
{
    return &e.node->out_shape[e.index];
}

/* The constant reduction axes of reduction n, made non-negative in order
 * (TF's (axes + rank) % rank); false when the axes or the rank are not static. */
static bool static_axes(const tfg_node *n, int64_t *axes, int *na)
{
    const tfg_tensor *t = tfg_ops_const_value(n->inputs[1]);
    int r = tfg_ops_in_shape(n, 0)->rank;
    if (!t || r < 0 || t->size > MAX_AXES) return false;
    *na = (int)t->size;
    for (int k = 0; k < *na; k++) {
        int64_t v = tfg_tensor_get_i(t, k);
        axes[k] = v < 0 ? v + r : v;
    }
    return true;
}

/* The shape of reduction n's output with the reduced axes kept as 1: a Const
 * when static, else TF's reduced_shape (ReducedShape of the input's Shape). */
static tfg_endpoint kept_shape(gb *b, const tfg_node *n)
{
    const tfg_shape *xs = tfg_ops_in_shape(n, 0);
    int64_t axes[MAX_AXES];
    int na;
    if (tfg_shape_fully_defined(xs) && static_axes(n, axes, &na)) {
        int64_t kept[TFG_MAX_RANK];
        memcpy(kept, xs->dim, sizeof(int64_t) * (size_t)xs->rank);
        for (int k = 0; k < na; k++) kept[axes[k]] = 1;
        return ivec(b, kept, xs->rank);
    }
    return bin(b, "ReducedShape", shape_of(b, n->inputs[0]), n->inputs[1]);
}

/* TF's _SumGrad: grad broadcast back to the input's shape — Reshape and Tile
 * with constant shapes when static, Reshape to the reduced shape and
 * BroadcastTo otherwise. */
static tfg_endpoint sum_grad(gb *b, const tfg_node *n, tfg_endpoint grad)
{
    tfg_endpoint x = n->inputs[0];
    const tfg_shape *xs = shp(x);
    const tfg_tensor *axes = tfg_ops_const_value(n->inputs[1]);
    if (xs->rank >= 0 && axes) {
        int r = xs->rank;
        bool all = axes->rank == 1 && axes->size == r;
        for (int k = 0; all && k < r; k++) all = tfg_tensor_get_i(axes, k) == k;
        if (all) {
            int64_t ones[TFG_MAX_RANK];
            for (int k = 0; k < r; k++) ones[k] = 1;
            return bin(b, "Tile", bin(b, "Reshape", grad, ivec(b, ones, r)), shape_of(b, x));
        }
        if (tfg_shape_fully_defined(xs)) {
            tfg_endpoint kept = kept_shape(b, n);
            if (!kept.node) return kept;
            const tfg_tensor *kv = tfg_ops_const_value(kept);
            int64_t tile[TFG_MAX_RANK];
            for (int k = 0; k < r; k++) {
                int64_t kd = tfg_tensor_get_i(kv, k);
                tile[k] = xs->dim[k] / (kd > 1 ? kd : 1);
            }
            return bin(b, "Tile", bin(b, "Reshape", grad, kept), ivec(b, tile, r));
        }
    }
    tfg_endpoint in_shape = shape_of(b, x);
    if (!n->attr.flag[0]) grad = bin(b, "Reshape", grad, kept_shape(b, n));
    return bin(b, "BroadcastTo", grad, in_shape);
}

/* Sets input 0's gradient (the axes get None); -1 when building it failed. */
static int set_input(tfg_endpoint g, tfg_endpoint *grad_in)
{
    grad_in[0] = g;
    grad_in[1] = ep(NULL);
    return g.node ? 0 : -1;
}

/* Sum. */
static int grad_sum(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_input(sum_grad(&b, n, grad_out[0]), grad_in);
}

/* Mean: Sum's gradient divided by the number of elements each output
 * averages (a Const when static, else the product of the reduced dims). */
static int grad_mean(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_dtype dt = n->out_dtype[0];
    tfg_endpoint sg = sum_grad(&b, n, grad_out[0]), factor;
    const tfg_shape *xs = tfg_ops_in_shape(n, 0), *ys = &n->out_shape[0];
    if (tfg_shape_fully_defined(xs) && tfg_shape_fully_defined(ys)) {
        int64_t in_size = tfg_shape_num_elements(xs), out_size = tfg_shape_num_elements(ys);
        factor = ep(tfg_grad_scalar(g, dt, (double)(in_size / (out_size > 1 ? out_size : 1)), NULL, n->loc, err));
    } else {
        tfg_endpoint in_shape = shape_of(&b, n->inputs[0]);
        tfg_endpoint rank = un(&b, "Size", in_shape);
        tfg_endpoint axes = bin(&b, "FloorMod", bin(&b, "AddV2", cast(&b, n->inputs[1], TFG_INT32), rank), rank);
        int64_t minus1 = -1, zero = 0;
        tfg_endpoint dims = bin(&b, "Reshape", op(&b, "GatherV2", NULL, 3, in_shape, axes, iscalar(&b, 0)),
                                ivec(&b, &minus1, 1));
        factor = cast(&b, op(&b, "Prod", NULL, 2, dims, ivec(&b, &zero, 1)), dt);
    }
    return set_input(bin(&b, "RealDiv", sg, factor), grad_in);
}

/* Max, Min: grad split equally among the positions equal to the result. */
static int grad_minmax(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                       tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint y = ep(n), gr = grad_out[0], kept;
    if (!n->attr.flag[0]) {
        kept = kept_shape(&b, n);
        y = bin(&b, "Reshape", y, kept);
        gr = bin(&b, "Reshape", gr, kept);
    } else {
        kept = shape_of(&b, y);
    }
    tfg_endpoint ind = cast(&b, bin(&b, "Equal", y, n->inputs[0]), n->out_dtype[0]);
    tfg_endpoint num = bin(&b, "Reshape", sum(&b, ind, n->inputs[1], false), kept);
    return set_input(bin(&b, "Mul", bin(&b, "RealDiv", ind, num), gr), grad_in);
}

/* The product of x's dims at the given axes: a Const when they are static,
 * else Prod(Gather(Shape(x), axes)). */
static tfg_endpoint dims_product(gb *b, tfg_endpoint x, const int64_t *axes, int na)
{
    const tfg_shape *xs = shp(x);
    int64_t p = 1;
    bool known = true;
    for (int k = 0; k < na; k++) {
        if (xs->dim[axes[k]] < 0) known = false;
        else p *= xs->dim[axes[k]];
    }
    if (known) return iscalar(b, p);
    int64_t zero = 0;
    tfg_endpoint dims = op(b, "GatherV2", NULL, 3, shape_of(b, x), ivec(b, axes, na), iscalar(b, 0));
    return bin(b, "Prod", dims, ivec(b, &zero, 1));
}

/* Prod: TF's _ProdGrad — the reduced axes moved to the front and flattened,
 * each entry's gradient the product of the others as the product of an
 * exclusive cumulative product and a reversed one (no division, zeros are
 * fine), moved back. Needs constant axes and a static rank. */
static int grad_prod(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint x = n->inputs[0];
    int64_t reduced[MAX_AXES], perm[TFG_MAX_RANK], inv[TFG_MAX_RANK], other[TFG_MAX_RANK];
    int nr, no = 0, r = shp(x)->rank;
    if (!static_axes(n, reduced, &nr) || nr > TFG_MAX_RANK)
        return tfg_error_set(err, "the gradient of reduce_prod ('%s') needs constant axes and a known rank",
                             n->name);
    for (int d = 0; d < r; d++) {
        bool is_reduced = false;
        for (int k = 0; k < nr; k++) is_reduced |= reduced[k] == d;
        if (!is_reduced) other[no++] = d;
    }
    if (nr + no != r) return tfg_error_set(err, "reduce_prod ('%s') has repeated axes", n->name);
    for (int k = 0; k < r; k++) perm[k] = k < nr ? reduced[k] : other[k - nr];
    for (int k = 0; k < r; k++) inv[perm[k]] = k;
    tfg_endpoint in_shape = shape_of(&b, x), gr = grad_out[0];
    if (!n->attr.flag[0]) gr = bin(&b, "Reshape", gr, kept_shape(&b, n));
    gr = bin(&b, "BroadcastTo", gr, in_shape);
    tfg_endpoint permuted = bin(&b, "Transpose", x, ivec(&b, perm, r));
    tfg_endpoint flat_shape = op(&b, "Pack", NULL, 2, dims_product(&b, x, reduced, nr), dims_product(&b, x, other, no));
    tfg_endpoint reshaped = bin(&b, "Reshape", permuted, flat_shape);
    tfg_attrs excl, excl_rev;
    memset(&excl, 0, sizeof excl);
    excl.flag[0] = true;
    excl_rev = excl;
    excl_rev.flag[1] = true;
    tfg_endpoint left = op(&b, "Cumprod", &excl, 2, reshaped, iscalar(&b, 0));
    tfg_endpoint right = op(&b, "Cumprod", &excl_rev, 2, reshaped, iscalar(&b, 0));
    tfg_endpoint y = bin(&b, "Reshape", bin(&b, "Mul", left, right), shape_of(&b, permuted));
    tfg_endpoint out = bin(&b, "Mul", gr, bin(&b, "Transpose", y, ivec(&b, inv, r)));
    return set_input(bin(&b, "Reshape", out, in_shape), grad_in);
}

/* Softmax: (grad - sum(grad * softmax, -1, keepdims)) * softmax. */
static int grad_softmax(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                        tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint sm = ep(n), gr = grad_out[0];
    int64_t last = -1;
    tfg_endpoint sc = sum(&b, bin(&b, "Mul", gr, sm), ivec(&b, &last, 1), true);
    grad_in[0] = bin(&b, "Mul", bin(&b, "Sub", gr, sc), sm);
    return grad_in[0].node ? 0 : -1;
}

/* LogSoftmax: grad - sum(grad, -1, keepdims) * exp(output). */
static int grad_log_softmax(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                            tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0];
    int64_t last = -1;
    tfg_endpoint s = sum(&b, gr, ivec(&b, &last, 1), true);
    grad_in[0] = bin(&b, "Sub", gr, bin(&b, "Mul", s, un(&b, "Exp", ep(n))));
    return grad_in[0].node ? 0 : -1;
}

const tfg_opdef tfg_ops_reduce[] = {
    { "Sum", 2, 0, infer_reduce_real, { k_sum, NULL }, grad_sum,
      "sum over axes (tf.reduce_sum); flag[0] keep_dims" },
    { "Mean", 2, 0, infer_reduce_real, { k_mean, NULL }, grad_mean,
      "mean over axes, integer mean truncates (tf.reduce_mean)" },
    { "Max", 2, 0, infer_reduce_real, { k_max, NULL }, grad_minmax, "maximum over axes (tf.reduce_max)" },
    { "Min", 2, 0, infer_reduce_real, { k_min, NULL }, grad_minmax, "minimum over axes (tf.reduce_min)" },
    { "Prod", 2, 0, infer_reduce_real, { k_prod, NULL }, grad_prod,
      "product over axes (tf.reduce_prod)" },
    { "All", 2, 0, infer_reduce_bool, { k_all, NULL }, NULL,
      "logical and over axes (tf.reduce_all)" },
    { "Any", 2, 0, infer_reduce_bool, { k_any, NULL }, NULL,
      "logical or over axes (tf.reduce_any)" },
    { "ArgMax", 2, 0, infer_argminmax, { k_argmax, NULL }, NULL,
      "index of the largest value along a dimension, int64 (tf.argmax)" },
    { "ArgMin", 2, 0, infer_argminmax, { k_argmin, NULL }, NULL,
      "index of the smallest value along a dimension, int64 (tf.argmin)" },
    { "Softmax", 1, 0, infer_softmax, { k_softmax, NULL }, grad_softmax,
      "exp(x) / sum(exp(x)) along the last axis (tf.nn.softmax)" },
    { "LogSoftmax", 1, 0, infer_softmax, { k_log_softmax, NULL }, grad_log_softmax,
      "log of softmax along the last axis (tf.nn.log_softmax)" },
};
const int tfg_ops_reduce_count = (int)(sizeof tfg_ops_reduce / sizeof tfg_ops_reduce[0]);
