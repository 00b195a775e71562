/* ops_grad.c — ops that exist for differentiation (table tfg_ops_grad).
 *
 * StopGradient (input): identity forward, no gradient backward.
 * BroadcastGradientArgs (s0, s1): int32 shape vectors of two broadcast
 *   operands; outputs the axes each must be summed over to undo the
 *   broadcast (TF's op of the same name), used by tfg_grad_unbroadcast when
 *   shapes are only known at run time. */
#include <string.h>
#include "ops.h"

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

const tfg_opdef tfg_ops_grad[] = {
    { "StopGradient", 1, 0, infer_identity, { k_identity, NULL }, NULL,
      "identity whose gradient is zero (tf.stop_gradient)" },
    { "BroadcastGradientArgs", 2, 0, infer_bga, { k_bga, NULL }, NULL,
      "reduction axes undoing a broadcast of two shapes (gradients)" },
};
const int tfg_ops_grad_count = (int)(sizeof tfg_ops_grad / sizeof tfg_ops_grad[0]);
