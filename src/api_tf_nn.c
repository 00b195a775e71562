/* api_tf_nn.c — builders of tf.nn.* / tf.losses.* neural-network functions
 * (table tfg_tfapi_nn_functions; see api_tf.h).
 *
 * Each builder follows the Python wrapper of TensorFlow 2.21's
 * tensorflow.compat.v1 (the oracle): the same name scopes and node names for
 * the nodes that matter, the same composition where a function is built from
 * several ops (softmax cross-entropy's reshapes to rank 2, dropout's
 * RandomUniform >= rate mask, tf.losses' weighted mean through DivNoNan), and
 * the same Python-level errors (ValueError texts of nn_ops.py and
 * losses_impl.py). Op-level shape and dtype errors come from the op table
 * (src/ops_nn.c). Only the NHWC data format is supported. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_tf.h"
#include "gradients.h"
#include "ops.h"

/* ---- argument helpers ------------------------------------------------------------------ */

/* The dtype of an endpoint. */
static tfg_dtype edt(tfg_endpoint e) { return e.node->out_dtype[e.index]; }

/* The static shape of an endpoint. */
static const tfg_shape *eshape(tfg_endpoint e) { return &e.node->out_shape[e.index]; }

/* Python's repr of a float: the shortest round-tripping digits, ".0" when integral. */
static void pyfloat(double v, char *buf, size_t n)
{
    if (isnan(v)) { snprintf(buf, n, "nan"); return; }
    if (isinf(v)) { snprintf(buf, n, v > 0 ? "inf" : "-inf"); return; }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v) break;
    }
    if (!strpbrk(buf, ".e")) strncat(buf, ".0", n - strlen(buf) - 1);
}

/* Python's repr of a list of ints: "[1, 2, 2, 1]". */
static void pyints(const int64_t *v, int cnt, char *buf, size_t n)
{
    size_t u = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < cnt && u + 24 < n; i++) u += (size_t)snprintf(buf + u, n - u, "%s%lld", i ? ", " : "", (long long)v[i]);
    snprintf(buf + u, n - u, "]");
}

/* An int32 vector Const named name. */
static int ivec_const(tfg_eval *ev, const int64_t *v, int n, const char *name, tfg_loc loc, tfg_endpoint *out)
{
    tfg_error e;
    int64_t sh[1] = { n };
    tfg_tensor *t = tfg_tensor_new(TFG_INT32, 1, sh, &e);
    if (!t) return tfg_eval_error(ev, loc, "%s", e.msg);
    for (int i = 0; i < n; i++) tfg_tensor_set_i(t, i, v[i]);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.value = t;
    at.dtype = TFG_INT32;
    tfg_node *c = tfg_eval_node(ev, "Const", name, NULL, 0, &at, loc);
    tfg_tensor_unref(t);
    if (!c) return -1;
    *out = (tfg_endpoint){ c, 0 };
    return 0;
}

/* A scalar Const of dtype dt named name. */
static int scalar_const(tfg_eval *ev, tfg_dtype dt, double v, const char *name, tfg_loc loc, tfg_endpoint *out)
{
    tfg_error e;
    tfg_tensor *t = tfg_tensor_scalar_f(dt, v, &e);
    if (!t) return tfg_eval_error(ev, loc, "%s", e.msg);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.value = t;
    at.dtype = dt;
    tfg_node *c = tfg_eval_node(ev, "Const", name, NULL, 0, &at, loc);
    tfg_tensor_unref(t);
    if (!c) return -1;
    *out = (tfg_endpoint){ c, 0 };
    return 0;
}

/* A node with one or two inputs; its output 0 into *out. */
static int node1(tfg_eval *ev, const char *type, const char *name, const tfg_endpoint *in, int n,
                 const tfg_attrs *at, tfg_loc loc, tfg_endpoint *out)
{
    tfg_node *nd = tfg_eval_node(ev, type, name, in, n, at, loc);
    if (!nd) return -1;
    *out = (tfg_endpoint){ nd, 0 };
    return 0;
}

/* Converts a value to a tensor for an index input: graph tensors as they
 * are, host values with the dtype hint (or their natural int32). */
static int int_tensor(tfg_eval *ev, tfg_val v, int hint, const char *name, tfg_loc loc, tfg_endpoint *out)
{
    return tfg_eval_to_tensor(ev, v, is_graph(v) ? -1 : hint, name, loc, out);
}

/* TF's nn_ops._get_sequence: strides/ksize/dilations as 4 ints (NHWC). */
static int get_sequence(tfg_eval *ev, tfg_val v, const char *what, tfg_loc loc, int64_t *out)
{
    for (int i = 0; i < 4; i++) out[i] = 1;
    if (!given(v)) return 0;
    int64_t vals[8];
    int cnt = 0;
    if (v.t == TFG_V_INT) {
        vals[cnt++] = v.u.i;
    } else if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        for (int i = 0; i < l->n; i++) {
            if (l->items[i].t != TFG_V_INT && l->items[i].t != TFG_V_BOOL)
                return tfg_eval_error(ev, loc, "%s must be a list of ints, not %s", what,
                                      tfg_val_type_name(l->items[i]));
            if (cnt < 8) vals[cnt] = l->items[i].u.i;
            cnt++;
        }
    } else {
        return tfg_eval_error(ev, loc, "%s must be an int or a list of ints, not %s", what, tfg_val_type_name(v));
    }
    if (cnt == 4) {
        memcpy(out, vals, sizeof(int64_t) * 4);
        return 0;
    }
    if (cnt == 1) {
        out[1] = out[2] = vals[0];
        return 0;
    }
    if (cnt == 2) {
        out[1] = vals[0];
        out[2] = vals[1];
        return 0;
    }
    char b[200];
    pyints(vals, cnt > 8 ? 8 : cnt, b, sizeof b);
    return tfg_eval_error(ev, loc, "%s should be of length 1, 2 or 4. Received: %s=%s of length %d", what, what, b, cnt);
}

/* The padding argument: 1 SAME, 0 VALID; TF's messages otherwise. */
static int padding_arg(tfg_eval *ev, tfg_val v, const char *op, bool explicit_ok, tfg_loc loc, int64_t *out)
{
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE)
        return tfg_eval_error(ev, loc, "explicit padding (a list) is not supported by tfg; use \"SAME\" or \"VALID\"");
    if (v.t != TFG_V_STR) return tfg_eval_error(ev, loc, "Expected string for argument 'padding' not %s.", tfg_val_type_name(v));
    const char *s = tfg_val_as_str(v)->s;
    if (strcmp(s, "SAME") == 0) { *out = 1; return 0; }
    if (strcmp(s, "VALID") == 0) { *out = 0; return 0; }
    if (explicit_ok && strcmp(s, "EXPLICIT") == 0)
        return tfg_eval_error(ev, loc, "'EXPLICIT' is not a valid value for `padding`. To use explicit padding, "
                                       "`padding` must be a list.");
    return tfg_eval_error(ev, loc, "Attr 'padding' of '%s' Op passed string '%s' not in: \"SAME\", \"VALID\"%s.", op, s,
                          explicit_ok ? ", \"EXPLICIT\"" : "");
}

/* The data_format argument: None or NHWC (N...C); others are not supported. */
static int data_format_arg(tfg_eval *ev, tfg_val v, tfg_loc loc)
{
    if (!given(v)) return 0;
    if (v.t != TFG_V_STR) return tfg_eval_error(ev, loc, "data_format must be a string");
    const char *s = tfg_val_as_str(v)->s;
    size_t l = strlen(s);
    if (l >= 2 && s[0] == 'N' && s[l - 1] == 'C' && strncmp(s, "NC", 2) != 0) return 0;
    return tfg_eval_error(ev, loc, "tfg supports only the NHWC data format, not '%s'", s);
}

#define B(fn) static int fn(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)

/* ---- bias_add, l2_loss, in_top_k, sparse_to_dense ------------------------------------------- */

/* tf.nn.bias_add(value, bias, data_format=None, name=None) */
B(b_bias_add)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "bias_add", "value,bias,data_format=,name=", v)) return -1;
    if (data_format_arg(ev, v[2], a->loc)) return -1;
    const char *scope = open_scope(ev, name_arg(v[3]), "BiasAdd", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in[0]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, v[1], (int)edt(in[0]), "bias", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "BiasAdd", scope, in, 2, NULL, a->loc), out);
}

/* tf.nn.l2_loss(t, name=None) */
B(b_l2_loss)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "l2_loss", "t,name=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[1]), "L2Loss", a->loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "t", a->loc, &in);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "L2Loss", scope, &in, 1, NULL, a->loc), out);
}

/* tf.nn.in_top_k(predictions, targets, k, name=None) */
B(b_in_top_k)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "in_top_k", "predictions,targets,k,name=", v)) return -1;
    if (!open_scope(ev, name_arg(v[3]), "in_top_k", a->loc)) return -1;
    const char *scope = open_scope(ev, NULL, "InTopKV2", a->loc);
    if (!scope) { tfg_graph_pop_scope(ev->g); return -1; }
    tfg_endpoint in[3];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "predictions", a->loc, &in[0]);
    if (rc == 0) rc = int_tensor(ev, v[1], -1, "targets", a->loc, &in[1]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, v[2], is_graph(v[2]) ? -1 : (int)edt(in[1]), "k", a->loc, &in[2]);
    tfg_node *n = rc ? NULL : tfg_eval_node(ev, "InTopKV2", scope, in, 3, NULL, a->loc);
    tfg_graph_pop_scope(ev->g);
    return close_scope(ev, n, out);
}

/* tf.sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
 *                    validate_indices=True, name=None) */
B(b_sparse_to_dense)
{
    (void)self;
    tfg_val v[6];
    if (tfg_eval_bind(ev, a, "sparse_to_dense",
                      "sparse_indices,output_shape,sparse_values,default_value=,validate_indices=,name=", v))
        return -1;
    bool validate = true;
    if (given(v[4]) && tfg_eval_truth(ev, v[4], a->loc, &validate)) return -1;
    const char *scope = open_scope(ev, name_arg(v[5]), "SparseToDense", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[4];
    tfg_val zero = tfg_val_int(0);
    int rc = int_tensor(ev, v[0], -1, "sparse_indices", a->loc, &in[0]);
    if (rc == 0) rc = int_tensor(ev, v[1], (int)edt(in[0]), "output_shape", a->loc, &in[1]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, v[2], -1, "sparse_values", a->loc, &in[2]);
    if (rc == 0)
        rc = tfg_eval_to_tensor(ev, given(v[3]) ? v[3] : zero, is_graph(v[3]) ? -1 : (int)edt(in[2]), "default_value",
                                a->loc, &in[3]);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.flag[0] = validate;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "SparseToDense", scope, in, 4, &at, a->loc), out);
}

/* tf.math.divide_no_nan(x, y, name=None) */
B(b_div_no_nan)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "divide_no_nan", "x,y,name=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "div_no_nan", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int dt = is_graph(v[0]) ? tfg_eval_natural_dtype(v[0]) : is_graph(v[1]) ? tfg_eval_natural_dtype(v[1]) : -1;
    int rc = tfg_eval_to_tensor(ev, v[0], is_graph(v[0]) ? -1 : dt, "x", a->loc, &in[0]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, v[1], is_graph(v[1]) ? -1 : (int)edt(in[0]), "y", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "DivNoNan", scope, in, 2, NULL, a->loc), out);
}

/* tf.gather_nd(params, indices, name=None, batch_dims=0) */
B(b_gather_nd)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "gather_nd", "params,indices,name=,batch_dims=", v)) return -1;
    if (given(v[3]) && !(v[3].t == TFG_V_INT && v[3].u.i == 0))
        return tfg_eval_error(ev, a->loc, "gather_nd with batch_dims is not supported by tfg");
    const char *scope = open_scope(ev, name_arg(v[2]), "GatherNd", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "params", a->loc, &in[0]);
    if (rc == 0) rc = int_tensor(ev, v[1], -1, "indices", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "GatherNd", scope, in, 2, NULL, a->loc), out);
}

/* ---- softmax cross-entropy ------------------------------------------------------------------ */

/* Flattens x to [-1, last] as _flatten_outer_dims (node "Reshape", uniquified). */
static int flatten_outer(tfg_eval *ev, tfg_endpoint x, tfg_loc loc, tfg_endpoint *out)
{
    const tfg_shape *s = eshape(x);
    tfg_endpoint shp;
    int64_t last = s->rank >= 1 ? s->dim[s->rank - 1] : -1, outer = 1;
    for (int i = 0; i < s->rank - 1 && outer >= 0; i++) outer = s->dim[i] < 0 ? -1 : outer * s->dim[i];
    if (s->rank < 1) outer = -1;
    if (last >= 0) {
        /* -1 as TF writes it; the product when known (tfg's Reshape cannot infer -1 next to a 0) */
        int64_t d[2] = { outer, last };
        if (ivec_const(ev, d, 2, "concat", loc, &shp)) return -1;
    } else {
        /* concat([-1], shape(x)[-1:]) */
        tfg_endpoint sh, parts[3];
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.dtype = TFG_INT32;
        if (node1(ev, "Shape", "Shape", &x, 1, &at, loc, &sh)) return -1;
        tfg_slice_spec sp = { TFG_SLICE_RANGE, 0, true, false, -1, 0, 1 };
        memset(&at, 0, sizeof at);
        at.slices = &sp;
        at.nslices = 1;
        int64_t m1 = -1;
        if (ivec_const(ev, &m1, 1, "concat/values_0", loc, &parts[0])) return -1;
        if (node1(ev, "StridedSlice", "Slice", &sh, 1, &at, loc, &parts[1])) return -1;
        if (scalar_const(ev, TFG_INT32, 0, "concat/axis", loc, &parts[2])) return -1;
        if (node1(ev, "ConcatV2", "concat", parts, 3, NULL, loc, &shp)) return -1;
    }
    tfg_endpoint in[2] = { x, shp };
    return node1(ev, "Reshape", "Reshape", in, 2, NULL, loc, out);
}

/* The shape vector of x without its last dim: a Const when at most one dim is
 * unknown (-1 there), else StridedSlice(Shape(x), [:-1]). */
static int outer_shape(tfg_eval *ev, tfg_endpoint x, tfg_loc loc, tfg_endpoint *out)
{
    const tfg_shape *s = eshape(x);
    int unknown = 0;
    int64_t d[TFG_MAX_RANK];
    for (int i = 0; i < s->rank - 1; i++) {
        d[i] = s->dim[i];
        if (d[i] < 0) unknown++;
    }
    if (s->rank >= 1 && unknown <= 1) return ivec_const(ev, d, s->rank - 1, "Slice_2", loc, out);
    tfg_endpoint sh;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = TFG_INT32;
    if (node1(ev, "Shape", "Shape", &x, 1, &at, loc, &sh)) return -1;
    tfg_slice_spec sp = { TFG_SLICE_RANGE, 0, false, true, 0, -1, 1 };
    memset(&at, 0, sizeof at);
    at.slices = &sp;
    at.nslices = 1;
    return node1(ev, "StridedSlice", "Slice_2", &sh, 1, &at, loc, out);
}

/* The body of softmax_cross_entropy_with_logits_v2_helper, inside its scope:
 * labels (a tensor) and logits (any value) -> the cost, shaped like logits
 * without the class axis. */
static int xent_body(tfg_eval *ev, const char *scope, tfg_endpoint labels, tfg_val logits_v, int64_t axis,
                     tfg_loc loc, tfg_val *out)
{
    tfg_endpoint logits;
    if (tfg_eval_to_tensor(ev, logits_v, -1, "logits", loc, &logits)) return -1;
    if (edt(labels) != edt(logits)) {
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.dtype = edt(logits);
        if (node1(ev, "Cast", "Cast", &labels, 1, &at, loc, &labels)) return -1;
    }
    int r = eshape(logits)->rank;
    if (r < 0 && axis != -1)
        return tfg_eval_error(ev, loc, "softmax cross-entropy over axis %lld needs logits of known rank", (long long)axis);
    if (r == 0) return tfg_eval_error(ev, loc, "list index out of range");
    if (r > 0 && (axis < -r || axis >= r))
        return tfg_eval_error(ev, loc, "axis %lld is out of bounds for logits of rank %d", (long long)axis, r);
    if (axis < 0) axis += r;
    if (r > 0 && axis != r - 1) {
        /* move the class axis to the end */
        int64_t perm[TFG_MAX_RANK];
        int k = 0;
        for (int i = 0; i < r; i++)
            if (i != axis) perm[k++] = i;
        perm[k++] = axis;
        for (int w = 0; w < 2; w++) {
            tfg_endpoint in[2] = { w ? labels : logits, { NULL, 0 } };
            if (ivec_const(ev, perm, r, "concat", loc, &in[1])) return -1;
            if (node1(ev, "Transpose", "transpose", in, 2, NULL, loc, w ? &labels : &logits)) return -1;
        }
    }
    tfg_endpoint in[2];
    if (flatten_outer(ev, logits, loc, &in[0]) || flatten_outer(ev, labels, loc, &in[1])) return -1;
    tfg_node *x = tfg_eval_node(ev, "SoftmaxCrossEntropyWithLogits", scope, in, 2, NULL, loc);
    if (!x) return -1;
    tfg_endpoint shp;
    if (outer_shape(ev, logits, loc, &shp)) return -1;
    tfg_endpoint rin[2] = { { x, 0 }, shp };
    tfg_endpoint cost;
    if (node1(ev, "Reshape", "Reshape_2", rin, 2, NULL, loc, &cost)) return -1;
    /* the cost's static shape: logits' without the class axis (TF's set_shape) */
    const tfg_shape *ls = eshape(logits);
    tfg_shape cs = r > 0 ? tfg_shape_make(r - 1, ls->dim) : tfg_shape_unknown();
    tfg_shape *have = &cost.node->out_shape[0];
    if (r > 0 && have->rank == cs.rank)
        for (int i = 0; i < cs.rank; i++)
            if (have->dim[i] < 0) have->dim[i] = cs.dim[i];
    *out = tfg_val_tensor(cost);
    return 0;
}

/* Reads the axis/dim argument pair (default -1). */
static int axis_arg(tfg_eval *ev, tfg_val axis, tfg_val dim, tfg_loc loc, int64_t *out)
{
    tfg_val v = given(axis) ? axis : dim;
    *out = -1;
    if (!given(v)) return 0;
    if (v.t != TFG_V_INT) return tfg_eval_error(ev, loc, "axis must be an int, not %s", tfg_val_type_name(v));
    *out = v.u.i;
    return 0;
}

/* The "Both `labels` and `logits` must be provided" check. */
static int xent_args(tfg_eval *ev, tfg_val labels, tfg_val logits, const char *fn, tfg_loc loc)
{
    if (given(labels) && given(logits)) return 0;
    return tfg_eval_error(ev, loc, "Both `labels` and `logits` must be provided for %sReceived: labels=%s and logits=%s",
                          fn, given(labels) ? "..." : "None", given(logits) ? "..." : "None");
}

/* tf.nn.softmax_cross_entropy_with_logits(labels=None, logits=None, dim=-1, name=None, axis=None):
 * labels go through StopGradient (TF 1's deprecated op: no gradient to the labels). */
B(b_xent_v1)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "softmax_cross_entropy_with_logits", "labels=,logits=,dim=,name=,axis=", v)) return -1;
    int64_t axis;
    if (axis_arg(ev, v[4], v[2], a->loc, &axis)) return -1;
    if (xent_args(ev, v[0], v[1], "softmax_cross_entropy_with_logits", a->loc)) return -1;
    const char *scope = open_scope(ev, name_arg(v[3]), "softmax_cross_entropy_with_logits_sg", a->loc);
    if (!scope) return -1;
    const char *sg = open_scope(ev, NULL, "labels_stop_gradient", a->loc);
    int rc = -1;
    if (sg) {
        tfg_endpoint lab;
        tfg_node *stop = NULL;
        if (tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &lab) == 0)
            stop = tfg_eval_node(ev, "StopGradient", sg, &lab, 1, NULL, a->loc);
        tfg_graph_pop_scope(ev->g);
        if (stop) rc = xent_body(ev, scope, (tfg_endpoint){ stop, 0 }, v[1], axis, a->loc, out);
    }
    tfg_graph_pop_scope(ev->g);
    return rc;
}

/* tf.nn.softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None) */
B(b_xent_v2)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "softmax_cross_entropy_with_logits_v2", "labels,logits,axis=,name=,dim=", v)) return -1;
    int64_t axis;
    if (axis_arg(ev, v[2], v[4], a->loc, &axis)) return -1;
    const char *scope = open_scope(ev, name_arg(v[3]), "softmax_cross_entropy_with_logits", a->loc);
    if (!scope) return -1;
    /* logits are converted first, then labels */
    tfg_endpoint logits, labels;
    int rc = tfg_eval_to_tensor(ev, v[1], -1, "logits", a->loc, &logits);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, v[0], -1, "labels", a->loc, &labels);
    if (rc == 0) rc = xent_body(ev, scope, labels, tfg_val_tensor(logits), axis, a->loc, out);
    tfg_graph_pop_scope(ev->g);
    return rc;
}

/* tf.nn.sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None) */
B(b_sparse_xent)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "sparse_softmax_cross_entropy_with_logits", "labels=,logits=,name=", v)) return -1;
    if (xent_args(ev, v[0], v[1], "sparse_softmax_cross_entropy_with_logits", a->loc)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "SparseSoftmaxCrossEntropyWithLogits", a->loc);
    if (!scope) return -1;
    /* the op itself is named name= (inside the scope of that name), else its type */
    const char *opname = name_arg(v[2]) ? name_arg(v[2]) : "SparseSoftmaxCrossEntropyWithLogits";
    int rc = -1;
    tfg_endpoint labels, logits, lshape;
    if (int_tensor(ev, v[0], -1, "Const", a->loc, &labels) || tfg_eval_to_tensor(ev, v[1], -1, "Const", a->loc, &logits))
        goto done;
    const tfg_shape *ls = eshape(labels), *gs = eshape(logits);
    {
        tfg_error e;
        tfg_node *sn = tfg_grad_shape_of(ev->g, labels, a->loc, &e);
        if (!sn) { tfg_eval_error(ev, a->loc, "%s", e.msg); goto done; }
        lshape = (tfg_endpoint){ sn, 0 };
    }
    char s1[200], s2[200];
    tfg_shape_pystr(ls, s1, sizeof s1);
    tfg_shape_pystr(gs, s2, sizeof s2);
    if (gs->rank == 0) {
        tfg_eval_error(ev, a->loc, "`logits` cannot be a scalar. Received logits=Tensor(\"%s:%d\", shape=(), dtype=%s)`",
                       logits.node->name, logits.index, tfg_dtype_name(edt(logits)));
        goto done;
    }
    if (gs->rank >= 0 && ls->rank >= 0 && ls->rank != gs->rank - 1) {
        tfg_eval_error(ev, a->loc,
                       "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: labels.shape=%s of rank %d and "
                       "logits.shape=%s of rank %d",
                       s1, ls->rank, s2, gs->rank);
        goto done;
    }
    bool full = tfg_shape_fully_defined(ls) && gs->rank >= 1;
    for (int i = 0; full && i < gs->rank - 1; i++) full = gs->dim[i] >= 0;
    if (full)
        for (int i = 0; i < ls->rank; i++)
            if (ls->dim[i] != gs->dim[i]) {
                tfg_eval_error(ev, a->loc,
                               "`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
                               "labels.shape=%s and logits.shape=%s",
                               s1, s2);
                goto done;
            }
    if (gs->rank == 2) {
        tfg_endpoint in[2] = { logits, labels };
        tfg_node *x = tfg_eval_node(ev, "SparseSoftmaxCrossEntropyWithLogits", opname, in, 2, NULL, a->loc);
        if (!x) goto done;
        *out = tfg_val_tensor((tfg_endpoint){ x, 0 });
        rc = 0;
        goto done;
    }
    {
        tfg_endpoint in[2], sh;
        if (flatten_outer(ev, logits, a->loc, &in[0])) goto done;
        int64_t m1 = -1;
        if (ivec_const(ev, &m1, 1, "Reshape_1/shape", a->loc, &sh)) goto done;
        tfg_endpoint r1[2] = { labels, sh };
        if (node1(ev, "Reshape", "Reshape_1", r1, 2, NULL, a->loc, &in[1])) goto done;
        tfg_node *x = tfg_eval_node(ev, "SparseSoftmaxCrossEntropyWithLogits", opname, in, 2, NULL, a->loc);
        if (!x) goto done;
        tfg_endpoint r2[2] = { { x, 0 }, lshape }, cost;
        if (node1(ev, "Reshape", "Reshape_2", r2, 2, NULL, a->loc, &cost)) goto done;
        tfg_shape *have = &cost.node->out_shape[0];
        if (have->rank == ls->rank)
            for (int i = 0; i < ls->rank; i++)
                if (have->dim[i] < 0) have->dim[i] = ls->dim[i];
        *out = tfg_val_tensor(cost);
        rc = 0;
    }
done:
    tfg_graph_pop_scope(ev->g);
    return rc;
}

/* ---- conv2d, pooling ------------------------------------------------------------------------- */

/* tf.nn.conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,
 *              data_format="NHWC", dilations=[1, 1, 1, 1], name=None, filters=None) */
B(b_conv2d)
{
    (void)self;
    tfg_val v[9];
    if (tfg_eval_bind(ev, a, "conv2d",
                      "input,filter=,strides=,padding=,use_cudnn_on_gpu=,data_format=,dilations=,name=,filters=", v))
        return -1;
    tfg_val filt = given(v[8]) ? v[8] : v[1];
    if (given(v[8]) && given(v[1]))
        return tfg_eval_error(ev, a->loc, "Cannot specify both 'filter' and 'filters'");
    if (!given(filt)) return tfg_eval_error(ev, a->loc, "conv2d() missing required argument 'filters'");
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    int64_t ints[8];
    if (padding_arg(ev, v[3], "Conv2D", true, a->loc, &at.i[0])) return -1;
    if (data_format_arg(ev, v[5], a->loc)) return -1;
    if (get_sequence(ev, v[2], "strides", a->loc, ints) || get_sequence(ev, v[6], "dilations", a->loc, ints + 4))
        return -1;
    at.ints = ints;
    at.nints = 8;
    if (is_graph(v[0])) {
        tfg_endpoint x;
        if (tfg_eval_to_tensor(ev, v[0], -1, NULL, a->loc, &x)) return -1;
        if (eshape(x)->rank > 4)
            return tfg_eval_error(ev, a->loc, "conv2d of inputs of rank above 4 is not supported by tfg");
    }
    const char *scope = open_scope(ev, name_arg(v[7]), "Conv2D", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in[0]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, filt, is_graph(filt) ? -1 : (int)edt(in[0]), "filter", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Conv2D", scope, in, 2, &at, a->loc), out);
}

/* Shared by max_pool / avg_pool (flag 0 / 1) / max_pool2d (2) / avg_pool2d (3). */
static int pool(tfg_eval *ev, int kind, tfg_args *a, tfg_val *out)
{
    static const char *const fns[] = { "max_pool", "avg_pool", "max_pool2d", "avg_pool2d" };
    static const char *const defs[] = { "MaxPool", "AvgPool", "MaxPool2d", "AvgPool2D" };
    bool is_max = kind == 0 || kind == 2;
    tfg_val v[7];
    if (kind < 2) {
        if (tfg_eval_bind(ev, a, fns[kind], "value=,ksize=,strides=,padding=,data_format=,name=,input=", v)) return -1;
    } else {
        if (tfg_eval_bind(ev, a, fns[kind], "input,ksize,strides,padding,data_format=,name=", v)) return -1;
        v[6] = v[0];
        v[0].t = TFG_V_MISSING;
    }
    tfg_val x = given(v[0]) ? v[0] : v[6];
    if (!given(x)) return tfg_eval_error(ev, a->loc, "%s() missing required argument 'value'", fns[kind]);
    if (given(v[0]) && given(v[6])) return tfg_eval_error(ev, a->loc, "Cannot specify both 'value' and 'input'");
    for (int i = 1; i <= 3; i++)
        if (v[i].t == TFG_V_MISSING) {
            static const char *const pn[] = { "", "ksize", "strides", "padding" };
            return tfg_eval_error(ev, a->loc, "%s() missing required argument '%s'", fns[kind], pn[i]);
        }
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    int64_t ints[8];
    if (data_format_arg(ev, v[4], a->loc)) return -1;
    if (get_sequence(ev, v[1], "ksize", a->loc, ints) || get_sequence(ev, v[2], "strides", a->loc, ints + 4)) return -1;
    if (is_max) {
        for (int i = 0; i < 4; i++)
            if (ints[i] == 0) {
                char b[120];
                if (v[1].t == TFG_V_INT) snprintf(b, sizeof b, "%lld", (long long)v[1].u.i);
                else if (v[1].t == TFG_V_LIST && tfg_val_as_list(v[1])->n == 4) pyints(ints, 4, b, sizeof b);
                else snprintf(b, sizeof b, "...");
                return tfg_eval_error(ev, a->loc, "`ksize` cannot be zero. Received: ksize=%s", b);
            }
    }
    if (padding_arg(ev, v[3], is_max ? "MaxPool" : "AvgPool", is_max, a->loc, &at.i[0])) return -1;
    at.ints = ints;
    at.nints = 8;
    const char *scope = open_scope(ev, name_arg(v[5]), defs[kind], a->loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, x, -1, is_max ? "input" : "value", a->loc, &in);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, is_max ? "MaxPool" : "AvgPool", scope, &in, 1, &at, a->loc), out);
}

/* tf.nn.max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None) & co (flag) */
B(b_pool)
{
    return pool(ev, (int)self.u.i, a, out);
}

/* ---- dropout ---------------------------------------------------------------------------------- */

/* tf.nn.dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None),
 * composed as TF 2's _dropout: x * (1 / keep) (or x / (1 - rate) for a tensor
 * rate), zeroed where RandomUniform(noise_shape) < rate. */
B(b_dropout)
{
    (void)self;
    tfg_val v[6];
    if (tfg_eval_bind(ev, a, "dropout", "x,keep_prob=,noise_shape=,seed=,name=,rate=", v)) return -1;
    tfg_val kp = v[1], rate = v[5], seedv = v[3];
    if (given(kp) && given(rate)) return tfg_eval_error(ev, a->loc, "Cannot specify both 'keep_prob' and 'rate'.");
    bool host = false;
    double r = 0;
    tfg_endpoint rate_t = { NULL, 0 };
    if (given(kp)) {
        if (tfg_val_is_number(kp)) {
            host = true;
            r = 1.0 - tfg_val_to_double(kp);
        } else if (is_graph(kp)) {
            /* 1. - keep_prob: the operator's "sub" in the caller's scope */
            tfg_val s;
            if (tfg_tfapi_binary(ev, "Sub", "sub", 0, tfg_val_float(1.0), kp, NULL, a->loc, &s)) return -1;
            rate_t = s.u.e;
        } else {
            return tfg_eval_error(ev, a->loc, "`keep_prob` must be a floating point number or Tensor. Received: keep_prob=%s",
                                  tfg_val_type_name(kp));
        }
    } else if (given(rate)) {
        if (tfg_val_is_number(rate)) {
            host = true;
            r = tfg_val_to_double(rate);
        } else if (is_graph(rate)) {
            if (tfg_eval_to_tensor(ev, rate, -1, NULL, a->loc, &rate_t)) return -1;
        } else {
            return tfg_eval_error(ev, a->loc, "`rate` must be a scalar or scalar tensor. Received: rate=%s",
                                  tfg_val_type_name(rate));
        }
    } else {
        return tfg_eval_error(ev, a->loc, "`rate` must be provided. Received: rate=None");
    }
    int64_t opseed = 0;
    bool has_seed = given(seedv);
    if (has_seed) {
        if (seedv.t != TFG_V_INT) return tfg_eval_error(ev, a->loc, "seed must be an int, not %s", tfg_val_type_name(seedv));
        opseed = seedv.u.i;
    }
    const char *scope = open_scope(ev, name_arg(v[4]), "dropout", a->loc);
    if (!scope) return -1;
    int rc = -1;
    if (host && (r < 0 || r >= 1)) {
        char b[64];
        pyfloat(r, b, sizeof b);
        tfg_eval_error(ev, a->loc, "`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate=%s", b);
        goto done;
    }
    tfg_endpoint x;
    if (tfg_eval_to_tensor(ev, v[0], -1, "x", a->loc, &x)) goto done;
    tfg_dtype dt = edt(x);
    if (!tfg_dtype_is_float(dt)) {
        tfg_eval_error(ev, a->loc,
                       "`x.dtype` must be a floating point tensor as `x` will be scaled. Received: x_dtype=<dtype: '%s'>",
                       tfg_dtype_name(dt));
        goto done;
    }
    int64_t s1, s2;
    if (host && r == 0) {
        tfg_graph_get_seed(ev->g, has_seed, opseed, &s1, &s2);   /* TF's dummy_rng_step */
        *out = tfg_val_tensor(x);
        rc = 0;
        goto done;
    }
    tfg_endpoint ret, c, in[3];
    if (host) {
        double keep = 1 - r, scale = 1 / keep;
        if (scalar_const(ev, dt, scale, "Const", a->loc, &c)) goto done;
        in[0] = x;
        in[1] = c;
        if (node1(ev, "Mul", "Mul", in, 2, NULL, a->loc, &ret)) goto done;
    } else {
        const tfg_shape *rs = eshape(rate_t);
        if (rs->rank > 0) {
            char b[128];
            tfg_shape_pystr(rs, b, sizeof b);
            tfg_eval_error(ev, a->loc, "Shape %s must have rank 0", b);
            goto done;
        }
        if (edt(rate_t) != dt) {   /* TF's is_compatible_with: only the same dtype */
            tfg_eval_error(ev, a->loc,
                           "`x.dtype` must be compatible with `rate.dtype`. Received: x.dtype=<dtype: '%s'> and "
                           "rate.dtype=<dtype: '%s'>",
                           tfg_dtype_name(dt), tfg_dtype_name(edt(rate_t)));
            goto done;
        }
        if (scalar_const(ev, dt, 1, "Const", a->loc, &c)) goto done;
        in[0] = c;
        in[1] = rate_t;
        tfg_endpoint sub;
        if (node1(ev, "Sub", "Sub", in, 2, NULL, a->loc, &sub)) goto done;
        in[0] = x;
        in[1] = sub;
        if (node1(ev, "RealDiv", "RealDiv", in, 2, NULL, a->loc, &ret)) goto done;
    }
    /* the noise shape */
    tfg_endpoint ns;
    bool ns_in_scope = false;
    if (!given(v[2])) {
        const tfg_shape *xs = eshape(x);
        if (tfg_shape_fully_defined(xs)) {
            if (ivec_const(ev, xs->dim, xs->rank, "Shape", a->loc, &ns)) goto done;
        } else {
            tfg_attrs at;
            memset(&at, 0, sizeof at);
            at.dtype = TFG_INT32;
            if (node1(ev, "Shape", "Shape", &x, 1, &at, a->loc, &ns)) goto done;
        }
    } else if (is_graph(v[2])) {
        if (tfg_eval_to_tensor(ev, v[2], -1, NULL, a->loc, &ns)) goto done;
    } else {
        ns_in_scope = true;
    }
    {
        const char *rs = open_scope(ev, NULL, "random_uniform", a->loc);
        if (!rs) goto done;
        if (ns_in_scope) {
            /* a host noise_shape: None dims take x's (TF's _get_noise_shape) */
            tfg_val nv = v[2];
            const tfg_shape *xs = eshape(x);
            int64_t dims[TFG_MAX_RANK];
            int nd = 0;
            bool bad = !(nv.t == TFG_V_LIST || nv.t == TFG_V_TUPLE) || tfg_val_as_list(nv)->n > TFG_MAX_RANK;
            if (!bad) {
                tfg_list *l = tfg_val_as_list(nv);
                nd = l->n;
                for (int i = 0; i < nd && !bad; i++) {
                    if (l->items[i].t == TFG_V_INT) dims[i] = l->items[i].u.i;
                    else if (l->items[i].t == TFG_V_NONE && xs->rank == nd && xs->dim[i] >= 0) dims[i] = xs->dim[i];
                    else bad = true;
                }
            }
            if (bad) {
                tfg_graph_pop_scope(ev->g);
                tfg_eval_error(ev, a->loc, "noise_shape must be a list of ints (or a tensor)");
                goto done;
            }
            if (ivec_const(ev, dims, nd, "shape", a->loc, &ns)) { tfg_graph_pop_scope(ev->g); goto done; }
        }
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        tfg_graph_get_seed(ev->g, has_seed, opseed, &s1, &s2);
        at.dtype = dt;
        at.f[0] = 0;
        at.f[1] = 1;
        at.i[2] = s1;
        at.i[3] = s2;
        tfg_endpoint u;
        int urc = node1(ev, "RandomUniform", "RandomUniform", &ns, 1, &at, a->loc, &u);
        tfg_graph_pop_scope(ev->g);
        if (urc) goto done;
        tfg_endpoint mask;
        if (host) {
            const char *gs = open_scope(ev, NULL, "GreaterEqual", a->loc);
            if (!gs) goto done;
            tfg_endpoint y;
            int grc = scalar_const(ev, dt, r, "y", a->loc, &y);
            in[0] = u;
            in[1] = y;
            if (grc == 0) grc = node1(ev, "GreaterEqual", gs, in, 2, NULL, a->loc, &mask);
            tfg_graph_pop_scope(ev->g);
            if (grc) goto done;
        } else {
            in[0] = u;
            in[1] = rate_t;
            if (node1(ev, "GreaterEqual", "GreaterEqual", in, 2, NULL, a->loc, &mask)) goto done;
        }
        tfg_endpoint zero, res;
        if (scalar_const(ev, dt, 0, "Const_1", a->loc, &zero)) goto done;
        in[0] = mask;
        in[1] = ret;
        in[2] = zero;
        if (node1(ev, "SelectV2", "SelectV2", in, 3, NULL, a->loc, &res)) goto done;
        /* ret.set_shape(x.get_shape()) */
        tfg_shape merged, *have = &res.node->out_shape[0];
        char msg[256];
        if (tfg_ops_merge(have, eshape(x), &merged, msg, sizeof msg) == 0) *have = merged;
        *out = tfg_val_tensor(res);
        rc = 0;
    }
done:
    tfg_graph_pop_scope(ev->g);
    return rc;
}

/* ---- tf.losses.mean_squared_error --------------------------------------------------------------- */

/* math_ops.cast(v, float32) inside the current scope: a graph float32
 * tensor as is; a host value as Const "Cast/x" (then a Cast op "Cast" when
 * its dtype differs); a graph tensor of another dtype through Cast. */
static int cast_f32(tfg_eval *ev, tfg_val v, tfg_loc loc, tfg_endpoint *out)
{
    if (is_graph(v) && tfg_eval_natural_dtype(v) == TFG_FLOAT32) return tfg_eval_to_tensor(ev, v, -1, NULL, loc, out);
    const char *scope = open_scope(ev, NULL, "Cast", loc);
    if (!scope) return -1;
    tfg_endpoint x;
    int rc = tfg_eval_to_tensor(ev, v, -1, "x", loc, &x);
    if (rc == 0 && edt(x) != TFG_FLOAT32) {
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.dtype = TFG_FLOAT32;
        rc = node1(ev, "Cast", scope, &x, 1, &at, loc, &x);
    }
    tfg_graph_pop_scope(ev->g);
    if (rc == 0) *out = x;
    return rc;
}

/* Sum of x over all axes (a scalar), with a Const of the axes; name for the Sum. */
static int sum_all(tfg_eval *ev, tfg_endpoint x, const char *name, const char *axes_name, tfg_loc loc, tfg_endpoint *out)
{
    const tfg_shape *s = eshape(x);
    tfg_endpoint in[2] = { x, { NULL, 0 } };
    if (s->rank >= 0) {
        int64_t ax[TFG_MAX_RANK];
        for (int i = 0; i < s->rank; i++) ax[i] = i;
        if (ivec_const(ev, ax, s->rank, axes_name, loc, &in[1])) return -1;
    } else {
        tfg_endpoint rk, st, de;
        if (node1(ev, "Rank", "Rank", &x, 1, NULL, loc, &rk)) return -1;
        if (scalar_const(ev, TFG_INT32, 0, "range/start", loc, &st)) return -1;
        if (scalar_const(ev, TFG_INT32, 1, "range/delta", loc, &de)) return -1;
        tfg_endpoint rin[3] = { st, rk, de };
        if (node1(ev, "Range", "range", rin, 3, NULL, loc, &in[1])) return -1;
    }
    return node1(ev, "Sum", name, in, 2, NULL, loc, out);
}

/* weights_broadcast_ops.assert_broadcastable's static checks (its ValueErrors). */
static int check_broadcastable(tfg_eval *ev, tfg_endpoint w, tfg_endpoint values, tfg_loc loc)
{
    const tfg_shape *ws = eshape(w), *vs = eshape(values);
    if (ws->rank < 0 || vs->rank < 0 || ws->rank == 0) return 0;
    char a[200], b[200];
    if (ws->rank != vs->rank) {
        tfg_shape_pystr(vs, a, sizeof a);
        tfg_shape_pystr(ws, b, sizeof b);
        return tfg_eval_error(ev, loc,
                              "weights can not be broadcast to values. values.rank=%d. weights.rank=%d. values.shape=%s. "
                              "weights.shape=%s.",
                              vs->rank, ws->rank, a, b);
    }
    if (!tfg_shape_fully_defined(ws) || !tfg_shape_fully_defined(vs)) return 0;
    for (int i = 0; i < vs->rank; i++)
        if (ws->dim[i] != 1 && ws->dim[i] != vs->dim[i]) {
            size_t ua = 0, ub = 0;
            ua += (size_t)snprintf(a, sizeof a, "[");
            ub += (size_t)snprintf(b, sizeof b, "[");
            for (int k = 0; k < vs->rank; k++) {
                ua += (size_t)snprintf(a + ua, sizeof a - ua, "%s%lld", k ? " " : "", (long long)vs->dim[k]);
                ub += (size_t)snprintf(b + ub, sizeof b - ub, "%s%lld", k ? " " : "", (long long)ws->dim[k]);
            }
            snprintf(a + ua, sizeof a - ua, "]");
            snprintf(b + ub, sizeof b - ub, "]");
            return tfg_eval_error(ev, loc,
                                  "weights can not be broadcast to values. Mismatch at dim %d. values.shape=%s, "
                                  "weights.shape=%s.",
                                  i, a, b);
        }
    return 0;
}

/* tf.losses.mean_squared_error(labels, predictions, weights=1.0, scope=None,
 *                              loss_collection=..., reduction=SUM_BY_NONZERO_WEIGHTS) */
B(b_mse)
{
    (void)self;
    tfg_val v[6];
    if (tfg_eval_bind(ev, a, "mean_squared_error", "labels,predictions,weights=,scope=,loss_collection=,reduction=", v))
        return -1;
    if (!given(v[0])) return tfg_eval_error(ev, a->loc, "Argument `labels` must not be None.");
    if (!given(v[1])) return tfg_eval_error(ev, a->loc, "Argument `predictions` must not be None.");
    if (given(v[5]) && !(v[5].t == TFG_V_STR && strcmp(tfg_val_as_str(v[5])->s, "weighted_sum_by_nonzero_weights") == 0))
        return tfg_eval_error(ev, a->loc, "tfg supports only the default reduction (SUM_BY_NONZERO_WEIGHTS)");
    const char *scope = open_scope(ev, name_arg(v[3]), "mean_squared_error", a->loc);
    if (!scope) return -1;
    int rc = -1;
    tfg_endpoint pred, lab, losses, w, in[3];
    if (cast_f32(ev, v[1], a->loc, &pred) || cast_f32(ev, v[0], a->loc, &lab)) goto done;
    {
        tfg_shape m;
        char msg[256];
        if (tfg_ops_merge(eshape(pred), eshape(lab), &m, msg, sizeof msg)) {
            char s1[200], s2[200];
            tfg_shape_pystr(eshape(pred), s1, sizeof s1);
            tfg_shape_pystr(eshape(lab), s2, sizeof s2);
            tfg_eval_error(ev, a->loc, "Shapes %s and %s are incompatible", s1, s2);
            goto done;
        }
    }
    in[0] = pred;
    in[1] = lab;
    if (node1(ev, "SquaredDifference", "SquaredDifference", in, 2, NULL, a->loc, &losses)) goto done;
    /* assert_broadcastable: converts the weights in its scope */
    {
        const char *as = open_scope(ev, NULL, "assert_broadcastable", a->loc);
        if (!as) goto done;
        int wrc = 0;
        if (is_graph(v[2])) {
            wrc = tfg_eval_to_tensor(ev, v[2], -1, NULL, a->loc, &w);
        } else {
            tfg_val one = tfg_val_float(1.0);
            wrc = tfg_eval_to_tensor(ev, given(v[2]) ? v[2] : one, TFG_FLOAT32, "weights", a->loc, &w);
        }
        tfg_graph_pop_scope(ev->g);
        if (wrc || check_broadcastable(ev, w, losses, a->loc)) goto done;
    }
    if (edt(w) != TFG_FLOAT32) {
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.dtype = TFG_FLOAT32;
        if (node1(ev, "Cast", "Cast", &w, 1, &at, a->loc, &w)) goto done;
    }
    tfg_endpoint weighted, loss, present, num, total, value;
    in[0] = losses;
    in[1] = w;
    if (node1(ev, "Mul", "Mul", in, 2, NULL, a->loc, &weighted)) goto done;
    if (sum_all(ev, weighted, "Sum", "Const", a->loc, &loss)) goto done;
    {
        /* num_present: where(weights == 0, 0, 1) broadcast to the losses, summed */
        const char *ns = open_scope(ev, NULL, "num_present", a->loc);
        if (!ns) goto done;
        tfg_endpoint zero, eq, zl, ol;
        int nrc = scalar_const(ev, TFG_FLOAT32, 0.0, "Equal/y", a->loc, &zero);
        in[0] = w;
        in[1] = zero;
        if (nrc == 0) nrc = node1(ev, "Equal", "Equal", in, 2, NULL, a->loc, &eq);
        if (nrc == 0) nrc = node1(ev, "ZerosLike", "zeros_like", &w, 1, NULL, a->loc, &zl);
        if (nrc == 0) nrc = node1(ev, "OnesLike", "ones_like", &w, 1, NULL, a->loc, &ol);
        in[0] = eq;
        in[1] = zl;
        in[2] = ol;
        if (nrc == 0) nrc = node1(ev, "Select", "Select", in, 3, NULL, a->loc, &present);
        if (nrc == 0) {
            const tfg_shape *ps = eshape(present), *ls = eshape(losses);
            bool same = tfg_shape_fully_defined(ps) && tfg_shape_fully_defined(ls) && ps->rank == ls->rank &&
                        memcmp(ps->dim, ls->dim, sizeof(int64_t) * (size_t)ps->rank) == 0;
            if (!same) {
                const char *bs = open_scope(ev, NULL, "broadcast_weights", a->loc);
                tfg_endpoint ones;
                if (!bs) nrc = -1;
                if (nrc == 0) nrc = node1(ev, "OnesLike", "ones_like", &losses, 1, NULL, a->loc, &ones);
                in[0] = present;
                in[1] = ones;
                if (nrc == 0) nrc = node1(ev, "Mul", bs, in, 2, NULL, a->loc, &present);
                if (bs) tfg_graph_pop_scope(ev->g);
            }
        }
        if (nrc == 0) nrc = sum_all(ev, present, ns, "Const", a->loc, &num);
        tfg_graph_pop_scope(ev->g);
        if (nrc) goto done;
    }
    if (sum_all(ev, loss, "Sum_1", "range", a->loc, &total)) goto done;
    in[0] = total;
    in[1] = num;
    if (node1(ev, "DivNoNan", "value", in, 2, NULL, a->loc, &value)) goto done;
    *out = tfg_val_tensor(value);
    rc = 0;
done:
    tfg_graph_pop_scope(ev->g);
    return rc;
}

#undef B

const tfg_builtin tfg_tfapi_nn_functions[] = {
    { "bias_add", b_bias_add, NULL, -1 },
    { "l2_loss", b_l2_loss, NULL, -1 },
    { "in_top_k", b_in_top_k, NULL, -1 },
    { "sparse_to_dense", b_sparse_to_dense, NULL, -1 },
    { "divide_no_nan", b_div_no_nan, NULL, -1 },
    { "div_no_nan", b_div_no_nan, NULL, -1 },
    { "gather_nd", b_gather_nd, NULL, -1 },
    { "softmax_cross_entropy_with_logits", b_xent_v1, NULL, -1 },
    { "softmax_cross_entropy_with_logits_v2", b_xent_v2, NULL, -1 },
    { "sparse_softmax_cross_entropy_with_logits", b_sparse_xent, NULL, -1 },
    { "conv2d", b_conv2d, NULL, -1 },
    { "max_pool", b_pool, NULL, 0 },
    { "avg_pool", b_pool, NULL, 1 },
    { "max_pool2d", b_pool, NULL, 2 },
    { "avg_pool2d", b_pool, NULL, 1 },
    { "dropout", b_dropout, NULL, -1 },
    { "mean_squared_error", b_mse, NULL, -1 },
    { NULL, NULL, NULL, 0 },
};
