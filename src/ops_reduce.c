/* ops_reduce.c — reductions, arg max/min and softmax (table tfg_ops_reduce).
 *
 * Sum Mean Max Min Prod All Any: inputs (input, reduction_indices), attr
 *   flag[0] = keep_dims. reduction_indices is an int32/int64 scalar or vector
 *   (TF's tf.reduce_sum(x) with axis=None passes range(rank) as a Const).
 *   All/Any take bool, the others any number type.
 * ArgMax ArgMin: inputs (input, dimension); attr dtype = output_type,
 *   TFG_INT32 or (anything else, e.g. the zeroed default) TFG_INT64.
 * Softmax LogSoftmax: input (logits), floats, along the last axis. */
#include <inttypes.h>
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

const tfg_opdef tfg_ops_reduce[] = {
    { "Sum", 2, 0, infer_reduce_real, { k_sum, NULL }, NULL,
      "sum over axes (tf.reduce_sum); flag[0] keep_dims" },
    { "Mean", 2, 0, infer_reduce_real, { k_mean, NULL }, NULL,
      "mean over axes, integer mean truncates (tf.reduce_mean)" },
    { "Max", 2, 0, infer_reduce_real, { k_max, NULL }, NULL, "maximum over axes (tf.reduce_max)" },
    { "Min", 2, 0, infer_reduce_real, { k_min, NULL }, NULL, "minimum over axes (tf.reduce_min)" },
    { "Prod", 2, 0, infer_reduce_real, { k_prod, NULL }, NULL,
      "product over axes (tf.reduce_prod)" },
    { "All", 2, 0, infer_reduce_bool, { k_all, NULL }, NULL,
      "logical and over axes (tf.reduce_all)" },
    { "Any", 2, 0, infer_reduce_bool, { k_any, NULL }, NULL,
      "logical or over axes (tf.reduce_any)" },
    { "ArgMax", 2, 0, infer_argminmax, { k_argmax, NULL }, NULL,
      "index of the largest value along a dimension, int64 (tf.argmax)" },
    { "ArgMin", 2, 0, infer_argminmax, { k_argmin, NULL }, NULL,
      "index of the smallest value along a dimension, int64 (tf.argmin)" },
    { "Softmax", 1, 0, infer_softmax, { k_softmax, NULL }, NULL,
      "exp(x) / sum(exp(x)) along the last axis (tf.nn.softmax)" },
    { "LogSoftmax", 1, 0, infer_softmax, { k_log_softmax, NULL }, NULL,
      "log of softmax along the last axis (tf.nn.log_softmax)" },
};
const int tfg_ops_reduce_count = (int)(sizeof tfg_ops_reduce / sizeof tfg_ops_reduce[0]);
