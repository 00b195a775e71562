/* ops_matmul.c — matrix products (table tfg_ops_matmul).
 *
 * MatMul (a, b); attrs flag[0] = transpose_a, flag[1] = transpose_b. Both
 * rank 2 is TF's MatMul; a rank above 2 (or an unknown rank) is TF's
 * BatchMatMulV2 (leading dims broadcast, transpose flags = adj_x/adj_y) on
 * the same node, as tf.matmul picks one or the other.
 *
 * The gradient is TF's _MatMulGrad / _BatchMatMulV2: two products whose
 * transpose flags follow the forward ones, and for batches whose static
 * batch shapes are not known to be equal, the broadcast batch axes summed
 * away (tfg_grad_unbroadcast; the matrix axes of each product already
 * match its operand's). */
#include <inttypes.h>
#include <string.h>
#include "gradients.h"
#include "ops.h"

/* Static shape of a (batch) matrix product, with TF's checks and messages. */
static int infer_matmul(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "a", TFG_DTS_REAL, err)) return -1;
    tfg_dtype da = tfg_ops_in_dtype(n, 0), db = tfg_ops_in_dtype(n, 1);
    if (db != da) return tfg_ops_type_mismatch(err, n, "b", db, "a", da);
    const tfg_shape *a = tfg_ops_in_shape(n, 0), *b = tfg_ops_in_shape(n, 1);
    bool ta = n->attr.flag[0], tb = n->attr.flag[1];
    bool batch = a->rank < 0 || b->rank < 0 || a->rank > 2 || b->rank > 2;
    if (!batch) {
        if (tfg_ops_check_rank(n, 0, 2, err) || tfg_ops_check_rank(n, 1, 2, err)) return -1;
    } else {
        if (tfg_ops_check_rank_at_least(n, 0, 2, err) || tfg_ops_check_rank_at_least(n, 1, 2, err))
            return -1;
        if (a->rank < 0 || b->rank < 0) {
            tfg_shape u = tfg_shape_unknown();
            return tfg_ops_set_output(n, da, &u);
        }
    }
    int ra = a->rank, rb = b->rank;
    int64_t m = a->dim[ra - (ta ? 1 : 2)], ka = a->dim[ra - (ta ? 2 : 1)];
    int64_t kb = b->dim[rb - (tb ? 1 : 2)], nn = b->dim[rb - (tb ? 2 : 1)];
    if (ka >= 0 && kb >= 0 && ka != kb)
        return tfg_ops_shape_error(err, n,
                                   "Dimensions must be equal, but are %" PRId64 " and %" PRId64,
                                   ka, kb);
    tfg_shape out;
    if (batch) {
        tfg_shape ba = tfg_shape_make(ra - 2, a->dim), bb = tfg_shape_make(rb - 2, b->dim);
        if (tfg_ops_broadcast(n, &ba, &bb, &out, err)) return -1;
        if (out.rank + 2 > TFG_MAX_RANK)
            return tfg_ops_shape_error(err, n, "Rank of the product exceeds %d", TFG_MAX_RANK);
    } else {
        out = tfg_shape_scalar();
    }
    out.dim[out.rank++] = m;
    out.dim[out.rank++] = nn;
    return tfg_ops_set_output(n, da, &out);
}

/* MatMul's CPU kernel: tfg_k_matmul with the transpose flags. */
static int k_matmul(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    (void)x;
    return tfg_k_matmul(in[0], in[1], n->attr.flag[0], n->attr.flag[1], out, err);
}

/* a @ b with the given transpose flags (adjoints for batches). */
static tfg_node *matmul(tfg_graph *g, tfg_endpoint a, tfg_endpoint b, bool ta, bool tb, tfg_loc loc, tfg_error *err)
{
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.flag[0] = ta;
    at.flag[1] = tb;
    tfg_endpoint in[2] = { a, b };
    return tfg_grad_add(g, "MatMul", NULL, in, 2, &at, loc, err);
}

/* Could the product have batch axes, and are the batch shapes not known to
 * be equal? Then each gradient is summed over its operand's broadcast axes. */
static bool batch_reduce(const tfg_node *n)
{
    const tfg_shape *a = tfg_ops_in_shape(n, 0), *b = tfg_ops_in_shape(n, 1);
    if (a->rank >= 0 && a->rank <= 2 && b->rank >= 0 && b->rank <= 2) return false;
    if (a->rank < 0 || b->rank < 0 || a->rank != b->rank) return true;
    for (int d = 0; d < a->rank - 2; d++)
        if (a->dim[d] < 0 || a->dim[d] != b->dim[d]) return true;
    return false;
}

/* MatMul's gradient: (grad @ b^T, a^T @ grad) and the transposed variants. */
static int grad_matmul(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    bool ta = n->attr.flag[0], tb = n->attr.flag[1];
    tfg_endpoint a = n->inputs[0], b = n->inputs[1], gr = grad_out[0];
    tfg_node *ga, *gb;
    if (!ta && !tb) {
        ga = matmul(g, gr, b, false, true, n->loc, err);
        gb = ga ? matmul(g, a, gr, true, false, n->loc, err) : NULL;
    } else if (!ta && tb) {
        ga = matmul(g, gr, b, false, false, n->loc, err);
        gb = ga ? matmul(g, gr, a, true, false, n->loc, err) : NULL;
    } else if (ta && !tb) {
        ga = matmul(g, b, gr, false, true, n->loc, err);
        gb = ga ? matmul(g, a, gr, false, false, n->loc, err) : NULL;
    } else {
        ga = matmul(g, b, gr, true, true, n->loc, err);
        gb = ga ? matmul(g, gr, a, true, true, n->loc, err) : NULL;
    }
    if (!gb) return -1;
    grad_in[0] = tfg_grad_ep(ga);
    grad_in[1] = tfg_grad_ep(gb);
    if (!batch_reduce(n)) return 0;
    if (tfg_grad_unbroadcast(g, grad_in[0], a, n->loc, &grad_in[0], err)) return -1;
    return tfg_grad_unbroadcast(g, grad_in[1], b, n->loc, &grad_in[1], err);
}

const tfg_opdef tfg_ops_matmul[] = {
    { "MatMul", 2, 0, infer_matmul, { k_matmul, NULL }, grad_matmul,
      "matrix product a @ b; rank > 2 multiplies batches (tf.matmul, @)" },
};
const int tfg_ops_matmul_count = (int)(sizeof tfg_ops_matmul / sizeof tfg_ops_matmul[0]);
