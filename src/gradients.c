/* gradients.c — tf.gradients: the backward pass over the op table's gradient
 * functions, and the helpers those functions build nodes with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gradients.h"
#include "ops.h"

/* ---- helpers for gradient functions ----------------------------------------------- */
tfg_node *tfg_grad_add(tfg_graph *g, const char *type, const char *name, const tfg_endpoint *in, int n,
                       const tfg_attrs *attrs, tfg_loc loc, tfg_error *err)
{
    return tfg_graph_add_op(g, type, name, in, n, attrs, loc, err);
}

/* A Const node holding t (NULL when t is: its error is already set); takes t's reference. */
static tfg_node *grad_const(tfg_graph *g, tfg_tensor *t, const char *name, tfg_loc loc, tfg_error *err)
{
    if (!t) return NULL;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.value = t;
    at.dtype = t->dtype;
    tfg_node *n = tfg_graph_add_op(g, "Const", name ? name : "Const", NULL, 0, &at, loc, err);
    tfg_tensor_unref(t);
    return n;
}

tfg_node *tfg_grad_scalar(tfg_graph *g, tfg_dtype dt, double v, const char *name, tfg_loc loc, tfg_error *err)
{
    return grad_const(g, tfg_tensor_scalar_f(dt, v, err), name, loc, err);
}

tfg_node *tfg_grad_ivec(tfg_graph *g, const int64_t *v, int n, const char *name, tfg_loc loc, tfg_error *err)
{
    int64_t sh[1] = { n };
    tfg_tensor *t = tfg_tensor_new(TFG_INT32, 1, sh, err);
    if (t)
        for (int i = 0; i < n; i++) tfg_tensor_set_i(t, i, v[i]);
    return grad_const(g, t, name, loc, err);
}

tfg_node *tfg_grad_un(tfg_graph *g, const char *type, tfg_endpoint a, tfg_loc loc, tfg_error *err)
{
    return tfg_graph_add_op(g, type, NULL, &a, 1, NULL, loc, err);
}

tfg_node *tfg_grad_bin(tfg_graph *g, const char *type, tfg_endpoint a, tfg_endpoint b, tfg_loc loc,
                       tfg_error *err)
{
    tfg_endpoint in[2] = { a, b };
    return tfg_graph_add_op(g, type, NULL, in, 2, NULL, loc, err);
}

tfg_node *tfg_grad_shape_of(tfg_graph *g, tfg_endpoint x, tfg_loc loc, tfg_error *err)
{
    const tfg_shape *s = &x.node->out_shape[x.index];
    if (tfg_shape_fully_defined(s)) return tfg_grad_ivec(g, s->dim, s->rank, "Shape", loc, err);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = TFG_INT32;
    return tfg_graph_add_op(g, "Shape", "Shape", &x, 1, &at, loc, err);
}

int tfg_grad_unbroadcast(tfg_graph *g, tfg_endpoint grad, tfg_endpoint x, tfg_loc loc, tfg_endpoint *out,
                         tfg_error *err)
{
    const tfg_shape *gs = &grad.node->out_shape[grad.index], *xs = &x.node->out_shape[x.index];
    *out = grad;
    if (tfg_shape_fully_defined(gs) && tfg_shape_fully_defined(xs)) {
        if (gs->rank == xs->rank && memcmp(gs->dim, xs->dim, sizeof(int64_t) * (size_t)gs->rank) == 0) return 0;
        /* the axes where x was broadcast: leading extra axes, and 1s that grew */
        int64_t axes[TFG_MAX_RANK];
        int na = 0, off = gs->rank - xs->rank;
        for (int i = 0; i < gs->rank; i++)
            if (i < off || (xs->dim[i - off] == 1 && gs->dim[i] != 1)) axes[na++] = i;
        tfg_node *ax = tfg_grad_ivec(g, axes, na, "Const", loc, err);
        if (!ax) return -1;
        tfg_node *sum = tfg_grad_bin(g, "Sum", grad, tfg_grad_ep(ax), loc, err);
        if (!sum) return -1;
        tfg_node *shp = tfg_grad_ivec(g, xs->dim, xs->rank, "Shape", loc, err);
        if (!shp) return -1;
        tfg_node *r = tfg_grad_bin(g, "Reshape", tfg_grad_ep(sum), tfg_grad_ep(shp), loc, err);
        if (!r) return -1;
        *out = tfg_grad_ep(r);
        return 0;
    }
    /* dynamic: TF's BroadcastGradientArgs(shape(x), shape(grad)) */
    tfg_node *sx = tfg_grad_shape_of(g, x, loc, err);
    tfg_node *sg = sx ? tfg_grad_shape_of(g, grad, loc, err) : NULL;
    if (!sg) return -1;
    tfg_node *bga = tfg_grad_bin(g, "BroadcastGradientArgs", tfg_grad_ep(sx), tfg_grad_ep(sg), loc, err);
    if (!bga) return -1;
    tfg_node *sum = tfg_grad_bin(g, "Sum", grad, (tfg_endpoint){ bga, 0 }, loc, err);
    if (!sum) return -1;
    tfg_node *r = tfg_grad_bin(g, "Reshape", tfg_grad_ep(sum), tfg_grad_ep(sx), loc, err);
    if (!r) return -1;
    *out = tfg_grad_ep(r);
    return 0;
}

/* ---- the backward pass ------------------------------------------------------------------ */
/* Gradients collected for one endpoint. */
typedef struct {
    tfg_endpoint *g;
    int n, cap;
    tfg_endpoint sum;     /* after aggregation */
    bool summed;
} acc;

/* Appends a gradient to an accumulator. */
static int acc_add(acc *a, tfg_endpoint e)
{
    if (a->n == a->cap) {
        int nc = a->cap ? a->cap * 2 : 4;
        tfg_endpoint *p = realloc(a->g, sizeof *p * (size_t)nc);
        if (!p) return -1;
        a->g = p;
        a->cap = nc;
    }
    a->g[a->n++] = e;
    return 0;
}

/* The sum of an accumulator's gradients (AddN when several); node NULL when none. */
static int acc_sum(tfg_graph *g, acc *a, tfg_loc loc, tfg_error *err, tfg_endpoint *out)
{
    if (a->summed) { *out = a->sum; return 0; }
    out->node = NULL;
    out->index = 0;
    if (a->n == 1) *out = a->g[0];
    else if (a->n > 1) {
        tfg_node *s = tfg_graph_add_op(g, "AddN", "AddN", a->g, a->n, NULL, loc, err);
        if (!s) return -1;
        *out = tfg_grad_ep(s);
    }
    a->sum = *out;
    a->summed = true;
    return 0;
}

/* Ops TensorFlow registers as not differentiable: no gradient, no error. */
static bool not_differentiable(const char *type)
{
    static const char *const names[] = {
        "StopGradient", "ArgMax", "ArgMin", "Shape", "Size", "Rank", "Equal", "NotEqual", "Less",
        "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "ZerosLike",
        "OnesLike", "OneHot", "Range", "RandomStandardNormal", "RandomUniform", "RandomUniformInt",
        "TruncatedNormal", "BroadcastGradientArgs", "InTopKV2", "Floor", "Ceil", "Round", "Sign",
        "FloorDiv", "InvertPermutation", "ReducedShape",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(type, names[i]) == 0) return true;
    return false;
}

/* Can gradients flow through values of this dtype? */
static bool differentiable(tfg_dtype dt)
{
    return dt == TFG_FLOAT32 || dt == TFG_FLOAT64;
}

int tfg_grad_build(tfg_graph *g, const tfg_endpoint *ys, int ny, const tfg_endpoint *xs, int nx,
                   const tfg_endpoint *grad_ys, const char *scope, tfg_loc loc, tfg_endpoint *out,
                   tfg_error *err)
{
    int n0 = g->nnodes, rc = -1;
    int *pending = NULL, *queue = NULL;
    unsigned char *queued = NULL;
    unsigned char *from_x = calloc((size_t)n0 + 1, 1), *to_y = calloc((size_t)n0 + 1, 1);
    acc *accs = calloc((size_t)n0 * TFG_MAX_OUTPUTS + 1, sizeof *accs);
    bool scoped = false;
    if (!from_x || !to_y || !accs) { tfg_error_set(err, "out of memory"); goto done; }
    for (int i = 0; i < nx; i++) out[i] = (tfg_endpoint){ NULL, 0 };
    /* nodes reachable forward from xs (through data edges) */
    for (int i = 0; i < nx; i++) from_x[xs[i].node->id] = 1;
    for (int id = 0; id < n0; id++) {
        tfg_node *nd = g->nodes[id];
        if (from_x[id]) continue;
        for (int k = 0; k < nd->ninputs; k++)
            if (from_x[nd->inputs[k].node->id] && !tfg_op_ref_input(nd->op, k)) {
                from_x[id] = 1;
                break;
            }
    }
    /* and backward from ys */
    for (int i = 0; i < ny; i++) to_y[ys[i].node->id] = 1;
    for (int id = n0 - 1; id >= 0; id--) {
        if (!to_y[id]) continue;
        tfg_node *nd = g->nodes[id];
        for (int k = 0; k < nd->ninputs; k++) to_y[nd->inputs[k].node->id] = 1;
    }
    if (!tfg_graph_push_scope(g, scope ? scope : "gradients")) { tfg_error_set(err, "out of memory"); goto done; }
    scoped = true;
    /* seed the ys */
    for (int i = 0; i < ny; i++) {
        tfg_endpoint y = ys[i];
        if (!differentiable(y.node->out_dtype[y.index])) {
            tfg_error_set(err, "Fetch argument %s:%d of tf.gradients must be a float tensor, not %s", y.node->name,
                          y.index, tfg_dtype_name(y.node->out_dtype[y.index]));
            goto done;
        }
        tfg_endpoint seed;
        if (grad_ys && grad_ys[i].node) {
            seed = grad_ys[i];
        } else {
            tfg_node *shp = tfg_grad_shape_of(g, y, loc, err);
            tfg_node *one = shp ? tfg_grad_scalar(g, y.node->out_dtype[y.index], 1.0, "grad_ys_0", loc, err) : NULL;
            tfg_node *fill = one ? tfg_grad_bin(g, "Fill", tfg_grad_ep(shp), tfg_grad_ep(one), loc, err) : NULL;
            if (!fill) goto done;
            seed = tfg_grad_ep(fill);
        }
        if (acc_add(&accs[y.node->id * TFG_MAX_OUTPUTS + y.index], seed)) { tfg_error_set(err, "out of memory"); goto done; }
    }
    /* TF's order: a FIFO of ops whose consumers (between xs and ys) have all
     * delivered their gradients, starting from the ys; each op's input
     * gradients are appended in input order, so sums add in TF's order */
    pending = calloc((size_t)n0 + 1, sizeof *pending);
    queue = malloc(sizeof *queue * ((size_t)n0 + 1));
    queued = calloc((size_t)n0 + 1, 1);
    if (!pending || !queue || !queued) { tfg_error_set(err, "out of memory"); goto done; }
    for (int id = 0; id < n0; id++) {
        if (!(from_x[id] && to_y[id])) continue;
        tfg_node *nd = g->nodes[id];
        for (int k = 0; k < nd->ninputs; k++) {
            int in = nd->inputs[k].node->id;
            if (from_x[in] && to_y[in]) pending[in]++;
        }
    }
    int qh = 0, qt = 0;
    for (int i = 0; i < ny; i++) {
        int id = ys[i].node->id;
        if (from_x[id] && to_y[id] && pending[id] == 0 && !queued[id]) { queued[id] = 1; queue[qt++] = id; }
    }
    while (qh < qt) {
        int id = queue[qh++];
        tfg_node *nd = g->nodes[id];
        tfg_endpoint gout[TFG_MAX_OUTPUTS];
        bool any = false;
        for (int o = 0; o < nd->noutputs; o++) {
            if (acc_sum(g, &accs[id * TFG_MAX_OUTPUTS + o], loc, err, &gout[o])) goto done;
            if (gout[o].node) any = true;
        }
        /* only inputs that lead back to an x need gradients */
        bool need = false;
        for (int k = 0; k < nd->ninputs; k++)
            if (from_x[nd->inputs[k].node->id] && !tfg_op_ref_input(nd->op, k) &&
                differentiable(nd->inputs[k].node->out_dtype[nd->inputs[k].index]))
                need = true;
        if (any && need && !nd->op->grad && !not_differentiable(nd->op->type)) {
            tfg_error_set(err, "No gradient defined for operation '%s' (op type: %s)", nd->name, nd->op->type);
            goto done;
        }
        if (any && need && nd->op->grad) {
            char sname[600];
            snprintf(sname, sizeof sname, "%s_grad", nd->name);
            if (!tfg_graph_push_scope(g, sname)) { tfg_error_set(err, "out of memory"); goto done; }
            tfg_endpoint *gin = calloc((size_t)nd->ninputs + 1, sizeof *gin);
            if (!gin) { tfg_graph_pop_scope(g); tfg_error_set(err, "out of memory"); goto done; }
            int grc = nd->op->grad(g, nd, gout, gin, err);
            tfg_graph_pop_scope(g);
            if (grc) { free(gin); goto done; }
            for (int k = 0; k < nd->ninputs; k++) {
                tfg_endpoint in = nd->inputs[k];
                if (!gin[k].node || !from_x[in.node->id] || tfg_op_ref_input(nd->op, k) ||
                    !differentiable(in.node->out_dtype[in.index]))
                    continue;
                if (acc_add(&accs[in.node->id * TFG_MAX_OUTPUTS + in.index], gin[k])) {
                    free(gin);
                    tfg_error_set(err, "out of memory");
                    goto done;
                }
            }
            free(gin);
        }
        for (int k = 0; k < nd->ninputs; k++) {
            int in = nd->inputs[k].node->id;
            if (!(from_x[in] && to_y[in])) continue;
            if (--pending[in] == 0 && !queued[in]) { queued[in] = 1; queue[qt++] = in; }
        }
    }
    for (int i = 0; i < nx; i++)
        if (acc_sum(g, &accs[xs[i].node->id * TFG_MAX_OUTPUTS + xs[i].index], loc, err, &out[i])) goto done;
    rc = 0;
done:
    if (scoped) tfg_graph_pop_scope(g);
    if (accs)
        for (int i = 0; i < n0 * TFG_MAX_OUTPUTS; i++) free(accs[i].g);
    free(accs);
    free(pending);
    free(queue);
    free(queued);
    free(from_x);
    free(to_y);
    return rc;
}
