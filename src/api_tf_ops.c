/* api_tf_ops.c — builders of `tf.*` functions that add graph nodes, named as
 * TF 1.x's Python layer names them (op name scopes, "Add/y" for converted
 * host arguments, "counter/initial_value", "init"...). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api_tf.h"
#include "gradients.h"

/* ---- argument helpers ------------------------------------------------------------ */
/* Reads a dtype argument (tf.float32, np.float32, "float32"). */
static int dtype_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, int *out)
{
    if (v.t == TFG_V_DTYPE) { *out = (int)v.u.i; return 0; }
    if (v.t == TFG_V_STR) {
        const char *s = tfg_val_as_str(v)->s;
        for (int d = 0; d < TFG_DTYPE_COUNT; d++)
            if (strcmp(s, tfg_dtype_name((tfg_dtype)d)) == 0 || strcmp(s, tfg_dtype_tf_name((tfg_dtype)d)) == 0) {
                *out = d;
                return 0;
            }
    }
    return tfg_eval_error(ev, loc, "Cannot convert %s to a dtype", tfg_val_type_name(v));
}

/* Optional dtype argument: def when absent. */
static int opt_dtype(tfg_eval *ev, tfg_val v, int def, tfg_loc loc, int *out)
{
    if (!given(v)) { *out = def; return 0; }
    return dtype_arg(ev, v, loc, out);
}

/* Reads an int argument. */
static int int_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, const char *what, int64_t *out)
{
    if (v.t == TFG_V_INT || v.t == TFG_V_BOOL) { *out = v.u.i; return 0; }
    if (v.t == TFG_V_ARRAY && tfg_val_as_array(v)->size == 1 && !tfg_dtype_is_float(tfg_val_as_array(v)->dtype)) {
        *out = tfg_tensor_get_i(tfg_val_as_array(v), 0);
        return 0;
    }
    return tfg_eval_error(ev, loc, "%s must be an integer, not %s", what, tfg_val_type_name(v));
}

/* Reads a number argument as double. */
static int num_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, const char *what, double *out)
{
    if (tfg_val_is_number(v)) { *out = tfg_val_to_double(v); return 0; }
    if (v.t == TFG_V_ARRAY && tfg_val_as_array(v)->size == 1) {
        *out = tfg_tensor_get_f(tfg_val_as_array(v), 0);
        return 0;
    }
    return tfg_eval_error(ev, loc, "%s must be a Python number here, not %s", what, tfg_val_type_name(v));
}

/* Reads a static shape argument (list/tuple of ints or None, TensorShape, int, array). */
static int shape_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, tfg_shape *s)
{
    if (!given(v)) { *s = tfg_shape_unknown(); return 0; }
    if (v.t == TFG_V_SHAPE) { *s = ((tfg_shapeobj *)v.u.p)->shape; return 0; }
    if (v.t == TFG_V_INT) { s->rank = 1; s->dim[0] = v.u.i; return 0; }
    if (v.t == TFG_V_ARRAY) {
        tfg_tensor *t = tfg_val_as_array(v);
        if (t->rank > 1 || t->size > TFG_MAX_RANK) goto bad;
        s->rank = (int)t->size;
        for (int i = 0; i < s->rank; i++) s->dim[i] = tfg_tensor_get_i(t, i);
        return 0;
    }
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        if (l->n > TFG_MAX_RANK)
            return tfg_eval_error(ev, loc, "shapes of rank above %d are not supported", TFG_MAX_RANK);
        s->rank = l->n;
        for (int i = 0; i < l->n; i++) {
            tfg_val d = l->items[i];
            if (d.t == TFG_V_NONE) s->dim[i] = -1;
            else if (d.t == TFG_V_INT && d.u.i >= 0) s->dim[i] = d.u.i;
            else if (d.t == TFG_V_INT)
                return tfg_eval_error(ev, loc, "Dimension %lld must be >= 0", (long long)d.u.i);
            else goto bad;
        }
        return 0;
    }
bad:
    return tfg_eval_error(ev, loc, "Cannot convert a value of type %s to a TensorShape", tfg_val_type_name(v));
}

/* Const node from a host tensor. */
static int tensor_const(tfg_eval *ev, tfg_tensor *t, const char *name, tfg_loc loc, tfg_endpoint *out)
{
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.value = t;
    at.dtype = t->dtype;
    tfg_node *n = tfg_eval_node(ev, "Const", name, NULL, 0, &at, loc);
    if (!n) return -1;
    *out = (tfg_endpoint){ n, 0 };
    return 0;
}

/* int32 vector Const from C values. */
static int ivec_const(tfg_eval *ev, const int64_t *v, int n, const char *name, tfg_loc loc, tfg_endpoint *out)
{
    tfg_error e;
    int64_t sh[1] = { n };
    tfg_tensor *t = tfg_tensor_new(TFG_INT32, 1, sh, &e);
    if (!t) return tfg_eval_error(ev, loc, "%s", e.msg);
    for (int i = 0; i < n; i++) tfg_tensor_set_i(t, i, v[i]);
    int rc = tensor_const(ev, t, name, loc, out);
    tfg_tensor_unref(t);
    return rc;
}

/* Scalar Const of dtype from a double. */
static int scalar_const(tfg_eval *ev, tfg_dtype dt, double v, const char *name, tfg_loc loc, tfg_endpoint *out)
{
    tfg_error e;
    tfg_tensor *t = tfg_tensor_scalar_f(dt, v, &e);
    if (!t) return tfg_eval_error(ev, loc, "%s", e.msg);
    int rc = tensor_const(ev, t, name, loc, out);
    tfg_tensor_unref(t);
    return rc;
}

/* Does every int in a host value fit in int32? */
static bool fits_int32(tfg_val v)
{
    if (v.t == TFG_V_INT) return v.u.i >= INT32_MIN && v.u.i <= INT32_MAX;
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        for (int i = 0; i < l->n; i++)
            if (!fits_int32(l->items[i])) return false;
    }
    return true;
}

/* A host or graph value converted to an int tensor named name: int32, or
 * int64 when a value needs it (as TF's shape conversion). */
static int int_tensor(tfg_eval *ev, tfg_val v, const char *name, tfg_loc loc, tfg_endpoint *out)
{
    return tfg_eval_to_tensor(ev, v, is_graph(v) ? -1 : fits_int32(v) ? TFG_INT32 : TFG_INT64, name, loc, out);
}

/* The dtype shared by two arguments: the first graph tensor's, else the first
 * host array's, else x's natural dtype. */
static int common_dtype(tfg_val x, tfg_val y)
{
    if (is_graph(x)) return tfg_eval_natural_dtype(x);
    if (is_graph(y)) return tfg_eval_natural_dtype(y);
    if (x.t == TFG_V_ARRAY) return tfg_eval_natural_dtype(x);
    if (y.t == TFG_V_ARRAY) return tfg_eval_natural_dtype(y);
    int dx = tfg_eval_natural_dtype(x), dy = tfg_eval_natural_dtype(y);
    if (dx == TFG_INT32 && dy == TFG_FLOAT32) return dx;   /* TF: x decides; y then fails to convert */
    return dx >= 0 ? dx : dy;
}

/* Converts x and y to endpoints named xn / yn with their common dtype. */
static int convert2(tfg_eval *ev, tfg_val x, tfg_val y, const char *xn, const char *yn, tfg_loc loc,
                    tfg_endpoint *ex, tfg_endpoint *ey)
{
    int dt = common_dtype(x, y);
    if (tfg_eval_to_tensor(ev, x, is_graph(x) ? -1 : dt, xn, loc, ex)) return -1;
    if (tfg_eval_to_tensor(ev, y, is_graph(y) ? -1 : dt, yn, loc, ey)) return -1;
    return 0;
}

/* ---- elementwise ------------------------------------------------------------------- */
int tfg_tfapi_binary(tfg_eval *ev, const char *type, const char *defname, int mode, tfg_val x, tfg_val y,
                     const char *name, tfg_loc loc, tfg_val *out)
{
    const char *scope = open_scope(ev, name, defname, loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = convert2(ev, x, y, "x", "y", loc, &in[0], &in[1]);
    if (rc == 0 && mode) {
        tfg_dtype dt = in[0].node->out_dtype[in[0].index];
        if (!tfg_dtype_is_float(dt) && in[1].node->out_dtype[in[1].index] == dt) {
            if (mode == 2) {
                type = "FloorDiv";
            } else {
                tfg_attrs at;
                memset(&at, 0, sizeof at);
                at.dtype = (dt == TFG_INT32 || dt == TFG_INT64) ? TFG_FLOAT64 : TFG_FLOAT32;
                for (int i = 0; i < 2 && rc == 0; i++) {
                    tfg_node *c = tfg_eval_node(ev, "Cast", "Cast", &in[i], 1, &at, loc);
                    if (!c) rc = -1;
                    else in[i] = (tfg_endpoint){ c, 0 };
                }
            }
        }
    }
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, type, scope, in, 2, NULL, loc), out);
}

int tfg_tfapi_unary(tfg_eval *ev, const char *type, const char *defname, tfg_val x, const char *name,
                    tfg_loc loc, tfg_val *out)
{
    const char *scope = open_scope(ev, name, defname, loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, x, -1, "x", loc, &in);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, type, scope, &in, 1, NULL, loc), out);
}

typedef struct { const char *pyname, *type, *def; int mode; } binop_def;
static const binop_def binops[] = {
    { "add", "AddV2", "Add", 0 }, { "subtract", "Sub", "Sub", 0 }, { "sub", "Sub", "Sub", 0 },
    { "multiply", "Mul", "Mul", 0 }, { "mul", "Mul", "Mul", 0 },
    { "divide", "RealDiv", "truediv", 1 }, { "truediv", "RealDiv", "truediv", 1 },
    { "div", "RealDiv", "div", 2 }, { "realdiv", "RealDiv", "RealDiv", 0 },
    { "floordiv", "FloorDiv", "floordiv", 0 }, { "floor_div", "FloorDiv", "FloorDiv", 0 },
    { "mod", "FloorMod", "FloorMod", 0 }, { "floormod", "FloorMod", "FloorMod", 0 },
    { "pow", "Pow", "Pow", 0 }, { "maximum", "Maximum", "Maximum", 0 }, { "minimum", "Minimum", "Minimum", 0 },
    { "squared_difference", "SquaredDifference", "SquaredDifference", 0 },
    { "equal", "Equal", "Equal", 0 }, { "not_equal", "NotEqual", "NotEqual", 0 },
    { "less", "Less", "Less", 0 }, { "less_equal", "LessEqual", "LessEqual", 0 },
    { "greater", "Greater", "Greater", 0 }, { "greater_equal", "GreaterEqual", "GreaterEqual", 0 },
    { "logical_and", "LogicalAnd", "LogicalAnd", 0 }, { "logical_or", "LogicalOr", "LogicalOr", 0 },
};

typedef struct { const char *pyname, *type; } unop_def;
static const unop_def unops[] = {
    { "negative", "Neg" }, { "neg", "Neg" }, { "abs", "Abs" }, { "square", "Square" }, { "sqrt", "Sqrt" },
    { "rsqrt", "Rsqrt" }, { "exp", "Exp" }, { "log", "Log" }, { "log1p", "Log1p" }, { "sigmoid", "Sigmoid" },
    { "tanh", "Tanh" }, { "relu", "Relu" }, { "relu6", "Relu6" }, { "sign", "Sign" }, { "floor", "Floor" },
    { "ceil", "Ceil" }, { "round", "Round" }, { "reciprocal", "Reciprocal" }, { "sin", "Sin" },
    { "cos", "Cos" }, { "softplus", "Softplus" }, { "logical_not", "LogicalNot" },
};

int tfg_tfapi_binop_index(const char *pyname)
{
    for (size_t i = 0; i < sizeof binops / sizeof *binops; i++)
        if (strcmp(binops[i].pyname, pyname) == 0) return (int)i;
    return -1;
}

int tfg_tfapi_unop_index(const char *pyname)
{
    for (size_t i = 0; i < sizeof unops / sizeof *unops; i++)
        if (strcmp(unops[i].pyname, pyname) == 0) return (int)i;
    return -1;
}

#define B(fn) static int fn(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)

/* tf.add(x, y, name=None) and the other table-driven binary ops. */
B(b_binop)
{
    const binop_def *d = &binops[self.u.i];
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, d->pyname, "x,y,name=", v)) return -1;
    return tfg_tfapi_binary(ev, d->type, d->def, d->mode, v[0], v[1], name_arg(v[2]), a->loc, out);
}

/* tf.exp(x, name=None) and the other table-driven unary ops. */
B(b_unop)
{
    const unop_def *d = &unops[self.u.i];
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, d->pyname, "x,name=", v)) return -1;
    return tfg_tfapi_unary(ev, d->type, d->type, v[0], name_arg(v[1]), a->loc, out);
}

const tfg_builtin tfg_tfapi_binop_builtin = { "binary op", b_binop, NULL, 0 };
const tfg_builtin tfg_tfapi_unop_builtin = { "unary op", b_unop, NULL, 0 };

/* tf.add_n(inputs, name=None) */
B(b_add_n)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "add_n", "inputs,name=", v)) return -1;
    if (v[0].t != TFG_V_LIST && v[0].t != TFG_V_TUPLE)
        return tfg_eval_error(ev, a->loc, "inputs must be a list of at least one Tensor with the same dtype and shape");
    tfg_list *l = tfg_val_as_list(v[0]);
    if (l->n == 0) return tfg_eval_error(ev, a->loc, "inputs must be a list of at least one Tensor with the same dtype and shape");
    if (l->n == 1 && !name_arg(v[1])) return tfg_eval_to_tensor(ev, l->items[0], -1, "x", a->loc, &out->u.e) ? -1 :
        (out->t = TFG_V_TENSOR, 0);
    tfg_endpoint *in = calloc((size_t)l->n, sizeof *in);
    if (!in) return tfg_eval_error(ev, a->loc, "out of memory");
    const char *scope = open_scope(ev, name_arg(v[1]), "AddN", a->loc);
    int rc = scope ? 0 : -1;
    int dt = -1;
    for (int i = 0; i < l->n && dt < 0; i++) if (is_graph(l->items[i])) dt = tfg_eval_natural_dtype(l->items[i]);
    for (int i = 0; i < l->n && rc == 0; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "inputs_%d", i);
        rc = tfg_eval_to_tensor(ev, l->items[i], is_graph(l->items[i]) ? -1 : dt, nm, a->loc, &in[i]);
    }
    tfg_node *n = rc ? NULL : tfg_eval_node(ev, "AddN", scope, in, l->n, NULL, a->loc);
    free(in);
    if (!scope) return -1;
    return close_scope(ev, n, out);
}

/* ---- constants, placeholders, variables -------------------------------------------- */
/* tf.constant(value, dtype=None, shape=None, name="Const", verify_shape=False) */
B(b_constant)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "constant", "value,dtype=,shape=,name=,verify_shape=", v)) return -1;
    int dt = -1;
    if (given(v[1]) && dtype_arg(ev, v[1], a->loc, &dt)) return -1;
    if (is_graph(v[0]))
        return tfg_eval_error(ev, a->loc, "tf.constant cannot take a graph Tensor as its value");
    tfg_tensor *t;
    if (tfg_eval_to_host(ev, v[0], dt, true, a->loc, &t)) return -1;
    if (given(v[2])) {
        tfg_shape s;
        if (shape_arg(ev, v[2], a->loc, &s)) { tfg_tensor_unref(t); return -1; }
        int64_t n = tfg_shape_num_elements(&s);
        tfg_error e;
        tfg_tensor *r = NULL;
        if (n < 0) {
            tfg_tensor_unref(t);
            return tfg_eval_error(ev, a->loc, "shape must be fully defined");
        }
        if (t->size == n) {
            if (tfg_k_reshape(t, s.rank, s.dim, &r, &e)) r = NULL;
        } else if (t->size == 1) {
            if (tfg_k_fill(t->dtype, s.rank, s.dim, t, &r, &e)) r = NULL;
        } else {
            char sh[200];
            tfg_shape_str(&s, sh, sizeof sh);
            tfg_error_set(&e, "Eager execution of tf.constant with unsupported shape. Tensor %s (converted from "
                              "a value of %lld elements) cannot be reshaped to %s.",
                          "value", (long long)t->size, sh);
        }
        tfg_tensor_unref(t);
        if (!r) return tfg_eval_error(ev, a->loc, "%s", e.msg);
        t = r;
    }
    tfg_endpoint e;
    int rc = tensor_const(ev, t, name_arg(v[3]) ? name_arg(v[3]) : "Const", a->loc, &e);
    tfg_tensor_unref(t);
    if (rc) return -1;
    *out = tfg_val_tensor(e);
    return 0;
}

/* tf.placeholder(dtype, shape=None, name=None) */
B(b_placeholder)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "placeholder", "dtype,shape=,name=", v)) return -1;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    int dt;
    if (dtype_arg(ev, v[0], a->loc, &dt)) return -1;
    at.dtype = (tfg_dtype)dt;
    if (shape_arg(ev, v[1], a->loc, &at.shape)) return -1;
    tfg_node *n = tfg_eval_node(ev, "Placeholder", name_arg(v[2]) ? name_arg(v[2]) : "Placeholder", NULL, 0, &at,
                                a->loc);
    if (!n) return -1;
    *out = tfg_val_tensor((tfg_endpoint){ n, 0 });
    return 0;
}

/* tf.placeholder_with_default(input, shape, name=None) */
B(b_placeholder_with_default)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "placeholder_with_default", "input,shape,name=", v)) return -1;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    if (shape_arg(ev, v[1], a->loc, &at.shape)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "PlaceholderWithDefault", a->loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in);
    if (rc == 0) at.dtype = in.node->out_dtype[in.index];
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "PlaceholderWithDefault", scope, &in, 1, &at, a->loc), out);
}

/* tf.Variable(initial_value, trainable=True, ..., name=None, dtype=None, validate_shape=True) */
B(b_variable)
{
    (void)self;
    tfg_val v[9];
    if (tfg_eval_bind(ev, a, "Variable",
                      "initial_value=,trainable=,collections=,validate_shape=,caching_device=,name=,variable_def=,dtype=,expected_shape=",
                      v))
        return -1;
    if (!given(v[0])) return tfg_eval_error(ev, a->loc, "initial_value must be specified.");
    int dt = -1;
    if (given(v[7]) && dtype_arg(ev, v[7], a->loc, &dt)) return -1;
    bool trainable, validate;
    if (bool_arg(ev, v[1], true, a->loc, &trainable) || bool_arg(ev, v[3], true, a->loc, &validate)) return -1;
    tfg_val init = tfg_val_incref(v[0]);
    if (init.t == TFG_V_FUNC || init.t == TFG_V_BUILTIN) {   /* a callable initial value */
        tfg_args none = { NULL, 0, NULL, NULL, 0, a->loc };
        tfg_val r;
        if (tfg_eval_call(ev, init, &none, &r)) { tfg_val_decref(init); return -1; }
        tfg_val_decref(init);
        init = r;
    }
    const char *scope = open_scope(ev, name_arg(v[5]), "Variable", a->loc);
    if (!scope) { tfg_val_decref(init); return -1; }
    tfg_endpoint iv;
    int rc = tfg_eval_to_tensor(ev, init, dt, "initial_value", a->loc, &iv);
    if (rc == 0 && dt >= 0 && iv.node->out_dtype[iv.index] != (tfg_dtype)dt) {
        tfg_attrs ca;
        memset(&ca, 0, sizeof ca);
        ca.dtype = (tfg_dtype)dt;
        tfg_node *c = tfg_eval_node(ev, "Cast", "Cast", &iv, 1, &ca, a->loc);
        if (!c) rc = -1;
        else iv = (tfg_endpoint){ c, 0 };
    }
    tfg_val_decref(init);
    tfg_node *var = NULL, *asg = NULL, *rd = NULL;
    if (rc == 0) {
        const tfg_shape *s = &iv.node->out_shape[iv.index];
        if (validate && !tfg_shape_fully_defined(s)) {
            char b[200];
            tfg_shape_str(s, b, sizeof b);
            rc = tfg_eval_error(ev, a->loc, "initial_value must have a shape specified: %s", b);
        }
    }
    if (rc == 0) {
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.dtype = iv.node->out_dtype[iv.index];
        at.shape = validate ? iv.node->out_shape[iv.index] : tfg_shape_unknown();
        var = tfg_eval_node(ev, "VariableV2", scope, NULL, 0, &at, a->loc);
    }
    if (var) {
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.flag[0] = validate;
        tfg_endpoint in[2] = { { var, 0 }, iv };
        asg = tfg_eval_node(ev, "Assign", "Assign", in, 2, &at, a->loc);
    }
    if (asg) {
        tfg_endpoint in = { var, 0 };
        rd = tfg_eval_node(ev, "Identity", "read", &in, 1, NULL, a->loc);
    }
    tfg_graph_pop_scope(ev->g);
    if (!rd) return -1;
    var->initializer = asg;
    var->initial_value = iv.node;
    var->read = rd;
    var->trainable = trainable;
    *out = tfg_val_variable(var);
    return 0;
}

int tfg_tfapi_assign(tfg_eval *ev, const char *type, tfg_val ref, tfg_val value, const char *name,
                     tfg_loc loc, tfg_val *out)
{
    if (ref.t != TFG_V_VARIABLE)
        return tfg_eval_error(ev, loc, "'%s' object has no attribute 'assign' (%s needs a tf.Variable as ref)",
                              tfg_val_type_name(ref), type);
    const char *scope = open_scope(ev, name, type, loc);
    if (!scope) return -1;
    tfg_node *var = ref.u.e.node;
    tfg_endpoint in[2] = { { var, 0 }, { NULL, 0 } };
    int rc = tfg_eval_to_tensor(ev, value, is_graph(value) ? -1 : (int)var->out_dtype[0], "value", loc, &in[1]);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.flag[0] = true;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, type, scope, in, 2, &at, loc), out);
}

/* tf.assign(ref, value, validate_shape=None, use_locking=None, name=None) & assign_add/sub */
B(b_assign)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "assign", "ref,value,validate_shape=,use_locking=,name=", v)) return -1;
    return tfg_tfapi_assign(ev, "Assign", v[0], v[1], name_arg(v[4]), a->loc, out);
}

/* tf.assign_add(ref, value, use_locking=None, name=None) */
B(b_assign_add)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "assign_add", "ref,value,use_locking=,name=", v)) return -1;
    return tfg_tfapi_assign(ev, "AssignAdd", v[0], v[1], name_arg(v[3]), a->loc, out);
}

/* tf.assign_sub(ref, value, use_locking=None, name=None) */
B(b_assign_sub)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "assign_sub", "ref,value,use_locking=,name=", v)) return -1;
    return tfg_tfapi_assign(ev, "AssignSub", v[0], v[1], name_arg(v[3]), a->loc, out);
}

/* A NoOp named name depending on every node of deps. */
static int group_nodes(tfg_eval *ev, tfg_node **deps, int n, const char *name, tfg_loc loc, tfg_val *out)
{
    tfg_node *g = tfg_eval_node(ev, "NoOp", name, NULL, 0, NULL, loc);
    if (!g) return -1;
    for (int i = 0; i < n; i++)
        if (tfg_graph_add_control(ev->g, g, deps[i])) return tfg_eval_error(ev, loc, "out of memory");
    *out = tfg_val_op(g);
    return 0;
}

/* The initializers of a list of variables, as group() of them named name. */
static int init_vars(tfg_eval *ev, tfg_val list, const char *name, tfg_loc loc, tfg_val *out)
{
    tfg_node **deps = NULL;
    int n = 0;
    if (list.t == TFG_V_MISSING) {
        deps = calloc((size_t)ev->g->nvariables + 1, sizeof *deps);
        if (!deps) return tfg_eval_error(ev, loc, "out of memory");
        for (int i = 0; i < ev->g->nvariables; i++)
            if (ev->g->variables[i]->initializer) deps[n++] = ev->g->variables[i]->initializer;
    } else {
        tfg_val *items;
        int cnt;
        if (tfg_eval_iter(ev, list, loc, &items, &cnt)) return -1;
        deps = calloc((size_t)cnt + 1, sizeof *deps);
        int rc = deps ? 0 : tfg_eval_error(ev, loc, "out of memory");
        for (int i = 0; i < cnt; i++) {
            if (rc == 0 && items[i].t != TFG_V_VARIABLE)
                rc = tfg_eval_error(ev, loc, "var_list must contain tf.Variable objects, not %s",
                                    tfg_val_type_name(items[i]));
            else if (rc == 0) deps[n++] = items[i].u.e.node->initializer;
            tfg_val_decref(items[i]);
        }
        free(items);
        if (rc) { free(deps); return -1; }
    }
    int rc = group_nodes(ev, deps, n, name, loc, out);
    free(deps);
    return rc;
}

/* tf.global_variables_initializer() / tf.initialize_all_variables() */
B(b_global_init)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "global_variables_initializer", "name=", v)) return -1;
    return init_vars(ev, (tfg_val){ .t = TFG_V_MISSING }, name_arg(v[0]) ? name_arg(v[0]) : "init", a->loc, out);
}

/* tf.variables_initializer(var_list, name="init") */
B(b_vars_init)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "variables_initializer", "var_list,name=", v)) return -1;
    return init_vars(ev, v[0], name_arg(v[1]) ? name_arg(v[1]) : "init", a->loc, out);
}

/* tf.global_variables() / tf.trainable_variables() (flag 1) */
static int list_vars(tfg_eval *ev, bool trainable_only, tfg_val *out)
{
    tfg_val l = tfg_val_list_new(TFG_V_LIST, ev->g->nvariables);
    for (int i = 0; i < ev->g->nvariables; i++)
        if (!trainable_only || ev->g->variables[i]->trainable)
            tfg_val_list_append(l, tfg_val_variable(ev->g->variables[i]));
    *out = l;
    return 0;
}
B(b_global_variables) { (void)self; (void)a; return list_vars(ev, false, out); }
B(b_trainable_variables) { (void)self; (void)a; return list_vars(ev, true, out); }

/* tf.no_op(name=None) */
B(b_no_op)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "no_op", "name=", v)) return -1;
    return group_nodes(ev, NULL, 0, name_arg(v[0]) ? name_arg(v[0]) : "NoOp", a->loc, out);
}

/* Collects the nodes of graph values (nested lists allowed) into deps. */
static int collect_nodes(tfg_eval *ev, tfg_val v, tfg_node ***deps, int *n, int *cap, tfg_loc loc)
{
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        for (int i = 0; i < l->n; i++)
            if (collect_nodes(ev, l->items[i], deps, n, cap, loc)) return -1;
        return 0;
    }
    if (v.t != TFG_V_TENSOR && v.t != TFG_V_OP && v.t != TFG_V_VARIABLE)
        return tfg_eval_error(ev, loc, "Can not convert a %s into a Tensor or Operation.", tfg_val_type_name(v));
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        tfg_node **p = realloc(*deps, sizeof *p * (size_t)nc);
        if (!p) return tfg_eval_error(ev, loc, "out of memory");
        *deps = p;
        *cap = nc;
    }
    (*deps)[(*n)++] = v.u.e.node;
    return 0;
}

/* tf.group(*inputs, name=None) */
B(b_group)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "group", "*inputs,name=", v)) return -1;
    tfg_node **deps = NULL;
    int n = 0, cap = 0;
    int rc = collect_nodes(ev, v[0], &deps, &n, &cap, a->loc);
    tfg_val_decref(v[0]);
    if (rc == 0) rc = group_nodes(ev, deps, n, name_arg(v[1]) ? name_arg(v[1]) : "group_deps", a->loc, out);
    free(deps);
    return rc;
}

/* ---- matmul, reductions ------------------------------------------------------------------ */
int tfg_tfapi_matmul(tfg_eval *ev, tfg_val x, tfg_val y, bool ta, bool tb, const char *name,
                     const char *defname, tfg_loc loc, tfg_val *out)
{
    const char *scope = open_scope(ev, name, defname, loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = convert2(ev, x, y, "a", "b", loc, &in[0], &in[1]);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.flag[0] = ta;
    at.flag[1] = tb;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "MatMul", scope, in, 2, &at, loc), out);
}

/* tf.matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse, b_is_sparse, name=None) */
B(b_matmul)
{
    (void)self;
    tfg_val v[9];
    if (tfg_eval_bind(ev, a, "matmul",
                      "a,b,transpose_a=,transpose_b=,adjoint_a=,adjoint_b=,a_is_sparse=,b_is_sparse=,name=", v))
        return -1;
    bool ta, tb, aa, ab;
    if (bool_arg(ev, v[2], false, a->loc, &ta) || bool_arg(ev, v[3], false, a->loc, &tb) ||
        bool_arg(ev, v[4], false, a->loc, &aa) || bool_arg(ev, v[5], false, a->loc, &ab))
        return -1;
    return tfg_tfapi_matmul(ev, v[0], v[1], ta || aa, tb || ab, name_arg(v[8]), "MatMul", a->loc, out);
}

typedef struct { const char *pyname, *type; } red_def;
static const red_def reds[] = {
    { "reduce_sum", "Sum" }, { "reduce_mean", "Mean" }, { "reduce_max", "Max" }, { "reduce_min", "Min" },
    { "reduce_prod", "Prod" }, { "reduce_all", "All" }, { "reduce_any", "Any" },
};

/* The reduction-indices input for axis (None: every axis, as TF's _ReductionDims). */
static int reduction_dims(tfg_eval *ev, tfg_endpoint x, tfg_val axis, const char *scope_name, tfg_loc loc,
                          tfg_endpoint *out)
{
    (void)scope_name;
    if (given(axis)) {
        /* converted inside the op's scope as "reduction_indices" */
        return tfg_eval_to_tensor(ev, axis, is_graph(axis) ? -1 : TFG_INT32, "reduction_indices", loc, out);
    }
    const tfg_shape *s = &x.node->out_shape[x.index];
    if (s->rank >= 0) {
        int64_t ax[TFG_MAX_RANK];
        for (int i = 0; i < s->rank; i++) ax[i] = i;
        return ivec_const(ev, ax, s->rank, "Const", loc, out);
    }
    /* unknown rank: range(0, rank(x)) */
    tfg_node *rk = tfg_eval_node(ev, "Rank", "Rank", &x, 1, NULL, loc);
    if (!rk) return -1;
    const char *scope = open_scope(ev, NULL, "range", loc);
    if (!scope) return -1;
    tfg_endpoint in[3] = { { NULL, 0 }, { rk, 0 }, { NULL, 0 } };
    int rc = scalar_const(ev, TFG_INT32, 0, "start", loc, &in[0]);
    if (rc == 0) rc = scalar_const(ev, TFG_INT32, 1, "delta", loc, &in[2]);
    tfg_node *r = rc ? NULL : tfg_eval_node(ev, "Range", scope, in, 3, NULL, loc);
    tfg_graph_pop_scope(ev->g);
    if (!r) return -1;
    *out = (tfg_endpoint){ r, 0 };
    return 0;
}

/* tf.reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None) & co */
B(b_reduce)
{
    const red_def *d = &reds[self.u.i];
    tfg_val v[6];
    if (tfg_eval_bind(ev, a, d->pyname, "input_tensor,axis=,keepdims=,name=,reduction_indices=,keep_dims=", v))
        return -1;
    tfg_val axis = given(v[1]) ? v[1] : v[4];
    bool keep;
    if (bool_arg(ev, given(v[2]) ? v[2] : v[5], false, a->loc, &keep)) return -1;
    tfg_endpoint x;
    int dt = -1;
    if (!is_graph(v[0]) && (!strcmp(d->type, "All") || !strcmp(d->type, "Any"))) dt = TFG_BOOL;
    if (tfg_eval_to_tensor(ev, v[0], dt, "input_tensor", a->loc, &x)) return -1;
    tfg_endpoint in[2] = { x, { NULL, 0 } };
    if (!given(axis) && reduction_dims(ev, x, axis, d->type, a->loc, &in[1])) return -1;
    const char *scope = open_scope(ev, name_arg(v[3]), d->type, a->loc);
    if (!scope) return -1;
    int rc = given(axis) ? reduction_dims(ev, x, axis, d->type, a->loc, &in[1]) : 0;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.flag[0] = keep;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, d->type, scope, in, 2, &at, a->loc), out);
}

/* tf.argmax(input, axis=None, name=None, dimension=None, output_type=tf.int64) / argmin (flag) */
B(b_argmax)
{
    bool is_max = self.u.i == 1;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, is_max ? "argmax" : "argmin", "input,axis=,name=,dimension=,output_type=", v)) return -1;
    tfg_val axis = given(v[1]) ? v[1] : v[3];
    int ot;
    if (opt_dtype(ev, v[4], TFG_INT64, a->loc, &ot)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), is_max ? "ArgMax" : "ArgMin", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in[0]);
    if (rc == 0) {
        if (given(axis)) rc = tfg_eval_to_tensor(ev, axis, is_graph(axis) ? -1 : TFG_INT32, "dimension", a->loc, &in[1]);
        else rc = scalar_const(ev, TFG_INT32, 0, "dimension", a->loc, &in[1]);
    }
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = (tfg_dtype)ot;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, is_max ? "ArgMax" : "ArgMin", scope, in, 2, &at, a->loc), out);
}

/* ---- array ops ------------------------------------------------------------------------------ */
/* tf.cast(x, dtype, name=None); returns x itself when already of dtype, as TF. */
static int do_cast(tfg_eval *ev, tfg_val x, int dt, const char *name, const char *def, tfg_loc loc, tfg_val *out)
{
    if (is_graph(x) && tfg_eval_natural_dtype(x) == dt) {
        tfg_endpoint e;
        if (tfg_eval_to_tensor(ev, x, -1, "x", loc, &e)) return -1;
        *out = tfg_val_tensor(e);
        return 0;
    }
    const char *scope = open_scope(ev, name, def, loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, x, -1, "x", loc, &in);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = (tfg_dtype)dt;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Cast", scope, &in, 1, &at, loc), out);
}

B(b_cast)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "cast", "x,dtype,name=", v)) return -1;
    int dt;
    if (dtype_arg(ev, v[1], a->loc, &dt)) return -1;
    return do_cast(ev, v[0], dt, name_arg(v[2]), "Cast", a->loc, out);
}

/* tf.to_float / to_int32 / to_int64 / to_double (flag = dtype) */
B(b_to_type)
{
    static const char *const defs[] = { [TFG_FLOAT32] = "ToFloat", [TFG_FLOAT64] = "ToDouble",
                                        [TFG_INT32] = "ToInt32", [TFG_INT64] = "ToInt64" };
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "to_type", "x,name=", v)) return -1;
    return do_cast(ev, v[0], (int)self.u.i, name_arg(v[1]), defs[self.u.i], a->loc, out);
}

/* tf.reshape(tensor, shape, name=None) */
B(b_reshape)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "reshape", "tensor,shape,name=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "Reshape", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "tensor", a->loc, &in[0]);
    if (rc == 0) {
        tfg_val sh = v[1];
        if (sh.t == TFG_V_SHAPE) {
            tfg_shape s = ((tfg_shapeobj *)sh.u.p)->shape;
            rc = ivec_const(ev, s.dim, s.rank < 0 ? 0 : s.rank, "shape", a->loc, &in[1]);
        } else {
            rc = int_tensor(ev, sh, "shape", a->loc, &in[1]);
        }
    }
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Reshape", scope, in, 2, NULL, a->loc), out);
}

/* tf.transpose(a, perm=None, name="transpose", conjugate=False) */
B(b_transpose)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "transpose", "a,perm=,name=,conjugate=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "transpose", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "a", a->loc, &in[0]);
    if (rc == 0) {
        if (given(v[1])) {
            rc = tfg_eval_to_tensor(ev, v[1], is_graph(v[1]) ? -1 : TFG_INT32, "perm", a->loc, &in[1]);
        } else {
            const tfg_shape *s = &in[0].node->out_shape[in[0].index];
            if (s->rank < 0) {
                rc = tfg_eval_error(ev, a->loc, "transpose of a tensor of unknown rank needs perm");
            } else {
                int64_t p[TFG_MAX_RANK];
                for (int i = 0; i < s->rank; i++) p[i] = s->rank - 1 - i;
                rc = ivec_const(ev, p, s->rank, "perm", a->loc, &in[1]);
            }
        }
    }
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Transpose", scope, in, 2, NULL, a->loc), out);
}

/* Converts every item of a list value to endpoints (names base_i); common dtype. */
static int convert_list(tfg_eval *ev, tfg_val list, const char *base, tfg_loc loc, tfg_endpoint **eps, int *n)
{
    if (list.t != TFG_V_LIST && list.t != TFG_V_TUPLE)
        return tfg_eval_error(ev, loc, "expected a list of tensors, got %s", tfg_val_type_name(list));
    tfg_list *l = tfg_val_as_list(list);
    *eps = calloc((size_t)l->n + 2, sizeof **eps);
    if (!*eps) return tfg_eval_error(ev, loc, "out of memory");
    int dt = -1;
    for (int i = 0; i < l->n && dt < 0; i++) if (is_graph(l->items[i])) dt = tfg_eval_natural_dtype(l->items[i]);
    for (int i = 0; i < l->n && dt < 0; i++) {
        int d = tfg_eval_natural_dtype(l->items[i]);
        if (d == TFG_FLOAT32 || d == TFG_FLOAT64) dt = d;
    }
    for (int i = 0; i < l->n; i++) {
        char nm[64];
        if (l->n == 1) snprintf(nm, sizeof nm, "%s", base);
        else snprintf(nm, sizeof nm, "%s_%d", base, i);
        if (tfg_eval_to_tensor(ev, l->items[i], is_graph(l->items[i]) ? -1 : dt, nm, loc, &(*eps)[i])) {
            free(*eps);
            *eps = NULL;
            return -1;
        }
    }
    *n = l->n;
    return 0;
}

/* tf.concat(values, axis, name="concat") */
B(b_concat)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "concat", "values,axis,name=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "concat", a->loc);
    if (!scope) return -1;
    tfg_endpoint *in = NULL;
    int n = 0;
    int rc = convert_list(ev, v[0], "values", a->loc, &in, &n);
    tfg_node *node = NULL;
    if (rc == 0 && n == 0) rc = tfg_eval_error(ev, a->loc, "List argument 'values' to 'ConcatV2' Op with length 0 shorter than minimum length 2.");
    if (rc == 0 && n == 1) {
        node = tfg_eval_node(ev, "Identity", scope, in, 1, NULL, a->loc);
    } else if (rc == 0) {
        rc = tfg_eval_to_tensor(ev, v[1], is_graph(v[1]) ? -1 : TFG_INT32, "axis", a->loc, &in[n]);
        if (rc == 0) node = tfg_eval_node(ev, "ConcatV2", scope, in, n + 1, NULL, a->loc);
    }
    free(in);
    return close_scope(ev, node, out);
}

/* tf.stack(values, axis=0, name="stack") */
B(b_stack)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "stack", "values,axis=,name=", v)) return -1;
    int64_t axis = 0;
    if (given(v[1]) && int_arg(ev, v[1], a->loc, "axis", &axis)) return -1;
    bool host = v[0].t == TFG_V_LIST || v[0].t == TFG_V_TUPLE;
    if (host) {
        tfg_list *l = tfg_val_as_list(v[0]);
        for (int i = 0; i < l->n; i++) if (is_graph(l->items[i]) || l->items[i].t == TFG_V_OP) host = false;
    }
    if (host && axis == 0) {   /* TF converts an all-constant list directly */
        tfg_tensor *t;
        if (tfg_eval_to_host(ev, v[0], -1, true, a->loc, &t)) return -1;
        tfg_endpoint e;
        int rc = tensor_const(ev, t, name_arg(v[2]) ? name_arg(v[2]) : "stack", a->loc, &e);
        tfg_tensor_unref(t);
        if (rc) return -1;
        *out = tfg_val_tensor(e);
        return 0;
    }
    const char *scope = open_scope(ev, name_arg(v[2]), "stack", a->loc);
    if (!scope) return -1;
    tfg_endpoint *in = NULL;
    int n = 0;
    int rc = convert_list(ev, v[0], "values", a->loc, &in, &n);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.i[0] = axis;
    tfg_node *node = NULL;
    if (rc == 0 && n == 0) rc = tfg_eval_error(ev, a->loc, "List argument 'values' to 'Pack' Op with length 0 shorter than minimum length 1.");
    if (rc == 0) node = tfg_eval_node(ev, "Pack", scope, in, n, &at, a->loc);
    free(in);
    return close_scope(ev, node, out);
}

/* tf.zeros / tf.ones (flag = fill value) (shape, dtype=tf.float32, name=None) */
B(b_zeros)
{
    int one = (int)self.u.i;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, one ? "ones" : "zeros", "shape,dtype=,name=", v)) return -1;
    int dt;
    if (opt_dtype(ev, v[1], TFG_FLOAT32, a->loc, &dt)) return -1;
    const char *def = one ? "ones" : "zeros";
    if (!is_graph(v[0])) {
        tfg_shape s;
        if (shape_arg(ev, v[0], a->loc, &s)) return -1;
        if (!tfg_shape_fully_defined(&s)) return tfg_eval_error(ev, a->loc, "shape must be fully defined");
        int64_t n = tfg_shape_num_elements(&s);
        if (n >= 0 && n < 1000) {
            tfg_error e;
            tfg_tensor *val = tfg_tensor_scalar_f((tfg_dtype)dt, one, &e), *t = NULL;
            if (!val || tfg_k_fill((tfg_dtype)dt, s.rank, s.dim, val, &t, &e)) {
                tfg_tensor_unref(val);
                return tfg_eval_error(ev, a->loc, "%s", e.msg);
            }
            tfg_tensor_unref(val);
            tfg_endpoint ep;
            int rc = tensor_const(ev, t, name_arg(v[2]) ? name_arg(v[2]) : def, a->loc, &ep);
            tfg_tensor_unref(t);
            if (rc) return -1;
            *out = tfg_val_tensor(ep);
            return 0;
        }
    }
    const char *scope = open_scope(ev, name_arg(v[2]), def, a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = int_tensor(ev, v[0], "shape_as_tensor", a->loc, &in[0]);
    if (rc == 0) rc = scalar_const(ev, (tfg_dtype)dt, one, "Const", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Fill", scope, in, 2, NULL, a->loc), out);
}

/* tf.fill(dims, value, name=None) */
B(b_fill)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "fill", "dims,value,name=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "Fill", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = int_tensor(ev, v[0], "dims", a->loc, &in[0]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, v[1], -1, "value", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Fill", scope, in, 2, NULL, a->loc), out);
}

/* tf.zeros_like / tf.ones_like (flag) (tensor, dtype=None, name=None) */
B(b_zeros_like)
{
    int one = (int)self.u.i;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, one ? "ones_like" : "zeros_like", "tensor,dtype=,name=,optimize=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), one ? "ones_like" : "zeros_like", a->loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "tensor", a->loc, &in);
    tfg_node *n = NULL;
    if (rc == 0) n = tfg_eval_node(ev, one ? "OnesLike" : "ZerosLike", scope, &in, 1, NULL, a->loc);
    if (n && given(v[1])) {
        int dt;
        if (dtype_arg(ev, v[1], a->loc, &dt)) n = NULL;
        else if (n->out_dtype[0] != (tfg_dtype)dt) {
            tfg_attrs at;
            memset(&at, 0, sizeof at);
            at.dtype = (tfg_dtype)dt;
            tfg_endpoint e = { n, 0 };
            n = tfg_eval_node(ev, "Cast", "Cast", &e, 1, &at, a->loc);
        }
    }
    return close_scope(ev, n, out);
}

/* tf.range(start, limit=None, delta=1, dtype=None, name="range") */
B(b_range)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "range", "start,limit=,delta=,dtype=,name=", v)) return -1;
    tfg_val start = v[0], limit = v[1], delta = v[2];
    tfg_val zero = tfg_val_int(0), one = tfg_val_int(1);
    if (!given(limit)) { limit = start; start = zero; }
    if (!given(delta)) delta = one;
    int dt = -1;
    if (given(v[3]) && dtype_arg(ev, v[3], a->loc, &dt)) return -1;
    if (dt < 0) {
        tfg_val parts[3] = { start, limit, delta };
        dt = TFG_INT32;
        for (int i = 0; i < 3; i++) {
            int d = tfg_eval_natural_dtype(parts[i]);
            if (d == TFG_FLOAT32 || d == TFG_FLOAT64 || d == TFG_INT64) {
                if (d == TFG_FLOAT64 || (d == TFG_FLOAT32 && dt != TFG_FLOAT64) || (d == TFG_INT64 && dt == TFG_INT32))
                    dt = d;
            }
        }
    }
    const char *scope = open_scope(ev, name_arg(v[4]), "range", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[3];
    int rc = tfg_eval_to_tensor(ev, start, is_graph(start) ? -1 : dt, "start", a->loc, &in[0]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, limit, is_graph(limit) ? -1 : dt, "limit", a->loc, &in[1]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, delta, is_graph(delta) ? -1 : dt, "delta", a->loc, &in[2]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Range", scope, in, 3, NULL, a->loc), out);
}

/* tf.shape / tf.size / tf.rank (flag: 0 Shape, 1 Size, 2 Rank) (input, name=None, out_type=tf.int32) */
B(b_shape)
{
    static const char *const types[] = { "Shape", "Size", "Rank" };
    const char *type = types[self.u.i];
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, self.u.i == 0 ? "shape" : self.u.i == 1 ? "size" : "rank", "input,name=,out_type=", v))
        return -1;
    int ot;
    if (opt_dtype(ev, v[2], TFG_INT32, a->loc, &ot)) return -1;
    const char *scope = open_scope(ev, name_arg(v[1]), type, a->loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = (tfg_dtype)ot;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, type, scope, &in, 1, &at, a->loc), out);
}

/* tf.identity(input, name=None) */
B(b_identity)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "identity", "input,name=", v)) return -1;
    return tfg_tfapi_unary(ev, "Identity", "Identity", v[0], name_arg(v[1]), a->loc, out);
}

/* tf.nn.softmax / log_softmax (flag) (logits, axis=None, name=None, dim=None) */
B(b_softmax)
{
    bool lg = self.u.i == 1;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, lg ? "log_softmax" : "softmax", "logits,axis=,name=,dim=", v)) return -1;
    tfg_val axis = given(v[1]) ? v[1] : v[3];
    if (given(axis)) {
        int64_t ax;
        if (int_arg(ev, axis, a->loc, "axis", &ax)) return -1;
        if (ax != -1) {
            int r = -2;
            if (is_graph(v[0])) r = v[0].t == TFG_V_TENSOR ? v[0].u.e.node->out_shape[v[0].u.e.index].rank
                                                          : v[0].u.e.node->out_shape[0].rank;
            if (r < 0 || ax != r - 1)
                return tfg_eval_error(ev, a->loc, "softmax over an axis other than the last is not supported yet");
        }
    }
    return tfg_tfapi_unary(ev, lg ? "LogSoftmax" : "Softmax", lg ? "LogSoftmax" : "Softmax", v[0], name_arg(v[2]),
                           a->loc, out);
}

/* tf.one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) */
B(b_one_hot)
{
    (void)self;
    tfg_val v[7];
    if (tfg_eval_bind(ev, a, "one_hot", "indices,depth,on_value=,off_value=,axis=,dtype=,name=", v)) return -1;
    int dt = TFG_FLOAT32;
    if (given(v[5])) { if (dtype_arg(ev, v[5], a->loc, &dt)) return -1; }
    else if (given(v[2]) && tfg_eval_natural_dtype(v[2]) >= 0) dt = tfg_eval_natural_dtype(v[2]);
    else if (given(v[3]) && tfg_eval_natural_dtype(v[3]) >= 0) dt = tfg_eval_natural_dtype(v[3]);
    int64_t axis = -1;
    if (given(v[4]) && int_arg(ev, v[4], a->loc, "axis", &axis)) return -1;
    const char *scope = open_scope(ev, name_arg(v[6]), "one_hot", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[4];
    tfg_val onev = tfg_val_int(1), offv = tfg_val_int(0);
    int rc = tfg_eval_to_tensor(ev, v[0], is_graph(v[0]) ? -1 : TFG_INT32, "indices", a->loc, &in[0]);
    if (rc == 0) rc = int_tensor(ev, v[1], "depth", a->loc, &in[1]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, given(v[2]) ? v[2] : onev, is_graph(v[2]) ? -1 : dt, "on_value", a->loc, &in[2]);
    if (rc == 0) rc = tfg_eval_to_tensor(ev, given(v[3]) ? v[3] : offv, is_graph(v[3]) ? -1 : dt, "off_value", a->loc, &in[3]);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.i[0] = axis;
    at.dtype = (tfg_dtype)dt;
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "OneHot", scope, in, 4, &at, a->loc), out);
}

/* tf.expand_dims(input, axis=None, name=None, dim=None) */
B(b_expand_dims)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "expand_dims", "input,axis=,name=,dim=", v)) return -1;
    tfg_val axis = given(v[1]) ? v[1] : v[3];
    if (!given(axis)) return tfg_eval_error(ev, a->loc, "expand_dims() missing required argument 'axis'");
    const char *scope = open_scope(ev, name_arg(v[2]), "ExpandDims", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in[0]);
    if (rc == 0) rc = int_tensor(ev, axis, "dim", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "ExpandDims", scope, in, 2, NULL, a->loc), out);
}

/* tf.squeeze(input, axis=None, name=None, squeeze_dims=None) */
B(b_squeeze)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "squeeze", "input,axis=,name=,squeeze_dims=", v)) return -1;
    tfg_val axis = given(v[1]) ? v[1] : v[3];
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    int64_t axes[TFG_MAX_RANK];
    if (given(axis)) {
        if (axis.t == TFG_V_INT) { axes[0] = axis.u.i; at.nints = 1; }
        else {
            tfg_shape s;
            if (shape_arg(ev, axis, a->loc, &s)) return -1;
            for (int i = 0; i < s.rank; i++) axes[i] = s.dim[i];
            at.nints = s.rank;
        }
        at.ints = axes;
    }
    const char *scope = open_scope(ev, name_arg(v[2]), "Squeeze", a->loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Squeeze", scope, &in, 1, &at, a->loc), out);
}

/* tf.tile(input, multiples, name=None) */
B(b_tile)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "tile", "input,multiples,name=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[2]), "Tile", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[2];
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "input", a->loc, &in[0]);
    if (rc == 0) rc = int_tensor(ev, v[1], "multiples", a->loc, &in[1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "Tile", scope, in, 2, NULL, a->loc), out);
}

/* tf.gather(params, indices, validate_indices=None, name=None, axis=None) */
B(b_gather)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "gather", "params,indices,validate_indices=,name=,axis=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[3]), "GatherV2", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[3];
    tfg_val zero = tfg_val_int(0);
    int rc = tfg_eval_to_tensor(ev, v[0], -1, "params", a->loc, &in[0]);
    if (rc == 0) rc = int_tensor(ev, v[1], "indices", a->loc, &in[1]);
    if (rc == 0) rc = int_tensor(ev, given(v[4]) ? v[4] : zero, "axis", a->loc, &in[2]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "GatherV2", scope, in, 3, NULL, a->loc), out);
}

/* tf.where(condition, x=None, y=None, name=None) */
B(b_where)
{
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "where", "condition,x=,y=,name=", v)) return -1;
    if (!given(v[1]) || !given(v[2]))
        return tfg_eval_error(ev, a->loc, "tf.where with only a condition is not supported yet");
    const char *scope = open_scope(ev, name_arg(v[3]), self.u.i == 1 ? "SelectV2" : "Select", a->loc);
    if (!scope) return -1;
    tfg_endpoint in[3];
    int rc = tfg_eval_to_tensor(ev, v[0], is_graph(v[0]) ? -1 : TFG_BOOL, "condition", a->loc, &in[0]);
    if (rc == 0) rc = convert2(ev, v[1], v[2], "x", "y", a->loc, &in[1], &in[2]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, self.u.i == 1 ? "SelectV2" : "Select", scope, in, 3, NULL,
                                                      a->loc), out);
}

/* Builds op `type` named in its own scope from a value and int-vector arguments:
 * inputs (v[0] as is, then the int tensors of v[1..nint]) with names. */
static int build_with_ints(tfg_eval *ev, const char *type, const char *def, tfg_val x, const char *xname,
                           const tfg_val *ints, const char *const *inames, int nint, const tfg_attrs *at,
                           const char *name, tfg_loc loc, tfg_val *out)
{
    const char *scope = open_scope(ev, name, def, loc);
    if (!scope) return -1;
    tfg_endpoint in[4];
    int rc = tfg_eval_to_tensor(ev, x, -1, xname, loc, &in[0]);
    for (int i = 0; i < nint && rc == 0; i++) rc = int_tensor(ev, ints[i], inames[i], loc, &in[i + 1]);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, type, scope, in, nint + 1, at, loc), out);
}

/* tf.slice(input_, begin, size, name=None) */
B(b_slice)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "slice", "input_,begin,size,name=", v)) return -1;
    static const char *const names[] = { "begin", "size" };
    return build_with_ints(ev, "Slice", "Slice", v[0], "input", &v[1], names, 2, NULL, name_arg(v[3]), a->loc, out);
}

/* tf.pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0) */
B(b_pad)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "pad", "tensor,paddings,mode=,name=,constant_values=", v)) return -1;
    if (v[2].t == TFG_V_STR && strcasecmp(tfg_val_as_str(v[2])->s, "CONSTANT") != 0)
        return tfg_eval_error(ev, a->loc, "pad mode '%s' is not supported (only CONSTANT)", tfg_val_as_str(v[2])->s);
    if (given(v[4]) && !(tfg_val_is_number(v[4]) && tfg_val_to_double(v[4]) == 0))
        return tfg_eval_error(ev, a->loc, "pad with constant_values other than 0 is not supported");
    static const char *const names[] = { "paddings" };
    return build_with_ints(ev, "Pad", "Pad", v[0], "tensor", &v[1], names, 1, NULL, name_arg(v[3]), a->loc, out);
}

/* tf.broadcast_to(input, shape, name=None) */
B(b_broadcast_to)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "broadcast_to", "input,shape,name=", v)) return -1;
    static const char *const names[] = { "shape" };
    return build_with_ints(ev, "BroadcastTo", "BroadcastTo", v[0], "input", &v[1], names, 1, NULL, name_arg(v[2]),
                           a->loc, out);
}

/* tf.math.unsorted_segment_sum(data, segment_ids, num_segments, name=None) */
B(b_unsorted_segment_sum)
{
    (void)self;
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "unsorted_segment_sum", "data,segment_ids,num_segments,name=", v)) return -1;
    static const char *const names[] = { "segment_ids", "num_segments" };
    return build_with_ints(ev, "UnsortedSegmentSum", "UnsortedSegmentSum", v[0], "data", &v[1], names, 2, NULL,
                           name_arg(v[3]), a->loc, out);
}

/* tf.math.invert_permutation(x, name=None) */
B(b_invert_permutation)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "invert_permutation", "x,name=", v)) return -1;
    const char *scope = open_scope(ev, name_arg(v[1]), "InvertPermutation", a->loc);
    if (!scope) return -1;
    tfg_endpoint in;
    int rc = int_tensor(ev, v[0], "x", a->loc, &in);
    return close_scope(ev, rc ? NULL : tfg_eval_node(ev, "InvertPermutation", scope, &in, 1, NULL, a->loc), out);
}

/* tf.math.cumprod(x, axis=0, exclusive=False, reverse=False, name=None) */
B(b_cumprod)
{
    (void)self;
    tfg_val v[5];
    if (tfg_eval_bind(ev, a, "cumprod", "x,axis=,exclusive=,reverse=,name=", v)) return -1;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    if (bool_arg(ev, v[2], false, a->loc, &at.flag[0]) || bool_arg(ev, v[3], false, a->loc, &at.flag[1])) return -1;
    tfg_val zero = tfg_val_int(0);
    tfg_val ax = given(v[1]) ? v[1] : zero;
    static const char *const names[] = { "axis" };
    return build_with_ints(ev, "Cumprod", "Cumprod", v[0], "x", &ax, names, 1, &at, name_arg(v[4]), a->loc, out);
}

/* ---- random ------------------------------------------------------------------------------------ */
/* random_normal / truncated_normal / random_uniform (flag 0, 1, 2) */
B(b_random)
{
    static const char *const types[] = { "RandomStandardNormal", "TruncatedNormal", "RandomUniform" };
    static const char *const defs[] = { "random_normal", "truncated_normal", "random_uniform" };
    int kind = (int)self.u.i;
    tfg_val v[6];
    if (tfg_eval_bind(ev, a, defs[kind], kind == 2 ? "shape,minval=,maxval=,dtype=,seed=,name="
                                                    : "shape,mean=,stddev=,dtype=,seed=,name=", v))
        return -1;
    int dt;
    if (opt_dtype(ev, v[3], TFG_FLOAT32, a->loc, &dt)) return -1;
    bool ints = kind == 2 && (dt == TFG_INT32 || dt == TFG_INT64);
    if (!tfg_dtype_is_float((tfg_dtype)dt) && !ints)
        return tfg_eval_error(ev, a->loc, "%s supports %s, not %s", defs[kind],
                              kind == 2 ? "float32, float64, int32 and int64" : "float32 and float64",
                              tfg_dtype_name((tfg_dtype)dt));
    if (ints && !given(v[2]))
        return tfg_eval_error(ev, a->loc, "Must specify maxval for integer dtype %s", tfg_dtype_name((tfg_dtype)dt));
    double p0 = 0, p1 = 1;
    if (given(v[1]) && num_arg(ev, v[1], a->loc, kind == 2 ? "minval" : "mean", &p0)) return -1;
    if (given(v[2]) && num_arg(ev, v[2], a->loc, kind == 2 ? "maxval" : "stddev", &p1)) return -1;
    const char *scope = open_scope(ev, name_arg(v[5]), defs[kind], a->loc);
    if (!scope) return -1;
    tfg_endpoint in, c0, c1;
    int rc = int_tensor(ev, v[0], "shape", a->loc, &in);
    /* TF also makes mean/stddev (min/max) constants before choosing the seed */
    if (rc == 0) rc = scalar_const(ev, (tfg_dtype)dt, p0, kind == 2 ? "min" : "mean", a->loc, &c0);
    if (rc == 0) rc = scalar_const(ev, (tfg_dtype)dt, p1, kind == 2 ? "max" : "stddev", a->loc, &c1);
    tfg_node *n = NULL;
    if (rc == 0) {
        int64_t opseed = 0, seed, seed2;
        bool has = given(v[4]);
        if (has && int_arg(ev, v[4], a->loc, "seed", &opseed)) rc = -1;
        if (rc == 0) {
            tfg_graph_get_seed(ev->g, has, opseed, &seed, &seed2);
            tfg_attrs at;
            memset(&at, 0, sizeof at);
            at.dtype = (tfg_dtype)dt;
            at.f[0] = p0;
            at.f[1] = p1;
            at.i[2] = seed;
            at.i[3] = seed2;
            n = tfg_eval_node(ev, ints ? "RandomUniformInt" : types[kind], scope, &in, 1, &at, a->loc);
        }
    }
    return close_scope(ev, n, out);
}

/* tf.set_random_seed(seed) / tf.random.set_seed */
B(b_set_random_seed)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "set_random_seed", "seed", v)) return -1;
    if (v[0].t == TFG_V_NONE) { ev->g->has_seed = false; return 0; }
    int64_t s;
    if (int_arg(ev, v[0], a->loc, "seed", &s)) return -1;
    ev->g->has_seed = true;
    ev->g->seed = s;
    *out = tfg_val_none();
    return 0;
}

/* ---- differentiation ------------------------------------------------------------------------------- */
/* Converts a tensor or a list of tensors to endpoints (variables as their value). */
static int endpoint_list(tfg_eval *ev, tfg_val v, tfg_loc loc, tfg_endpoint **eps, int *n, bool *was_list)
{
    *was_list = v.t == TFG_V_LIST || v.t == TFG_V_TUPLE;
    int cnt = *was_list ? tfg_val_as_list(v)->n : 1;
    *eps = calloc((size_t)cnt + 1, sizeof **eps);
    if (!*eps) return tfg_eval_error(ev, loc, "out of memory");
    for (int i = 0; i < cnt; i++) {
        tfg_val it = *was_list ? tfg_val_as_list(v)->items[i] : v;
        if (it.t == TFG_V_NONE) { (*eps)[i].node = NULL; continue; }
        if (!is_graph(it)) {
            free(*eps);
            *eps = NULL;
            return tfg_eval_error(ev, loc, "tf.gradients needs graph tensors or variables, not %s", tfg_val_type_name(it));
        }
        if (tfg_eval_to_tensor(ev, it, -1, NULL, loc, &(*eps)[i])) { free(*eps); *eps = NULL; return -1; }
    }
    *n = cnt;
    return 0;
}

/* tf.gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
 *              gate_gradients=False, aggregation_method=None, stop_gradients=None) */
B(b_gradients)
{
    (void)self;
    tfg_val v[8];
    if (tfg_eval_bind(ev, a, "gradients", "ys,xs,grad_ys=,name=,colocate_gradients_with_ops=,gate_gradients=,"
                                          "aggregation_method=,stop_gradients=", v))
        return -1;
    tfg_endpoint *ys = NULL, *xs = NULL, *gys = NULL, *res = NULL;
    int ny = 0, nx = 0, ng = 0, rc = -1;
    bool l1, l2, l3;
    if (endpoint_list(ev, v[0], a->loc, &ys, &ny, &l1) || endpoint_list(ev, v[1], a->loc, &xs, &nx, &l2)) goto done;
    for (int i = 0; i < ny; i++)
        if (!ys[i].node) { tfg_eval_error(ev, a->loc, "ys must not contain None"); goto done; }
    for (int i = 0; i < nx; i++)
        if (!xs[i].node) { tfg_eval_error(ev, a->loc, "xs must not contain None"); goto done; }
    if (given(v[2])) {
        if (endpoint_list(ev, v[2], a->loc, &gys, &ng, &l3)) goto done;
        if (ng != ny) { tfg_eval_error(ev, a->loc, "Passed %d grad_ys for %d ys", ng, ny); goto done; }
    }
    res = calloc((size_t)nx + 1, sizeof *res);
    if (!res) { tfg_eval_error(ev, a->loc, "out of memory"); goto done; }
    tfg_error e;
    const char *nm = name_arg(v[3]) ? name_arg(v[3]) : "gradients";
    if (tfg_grad_build(ev->g, ys, ny, xs, nx, gys, nm, a->loc, res, &e)) { tfg_eval_error(ev, a->loc, "%s", e.msg); goto done; }
    tfg_val l = tfg_val_list_new(TFG_V_LIST, nx);
    for (int i = 0; i < nx; i++) tfg_val_list_append(l, res[i].node ? tfg_val_tensor(res[i]) : tfg_val_none());
    *out = l;
    rc = 0;
done:
    free(ys); free(xs); free(gys); free(res);
    return rc;
}

/* tf.stop_gradient(input, name=None) */
B(b_stop_gradient)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "stop_gradient", "input,name=", v)) return -1;
    return tfg_tfapi_unary(ev, "StopGradient", "StopGradient", v[0], name_arg(v[1]), a->loc, out);
}

/* ---- sessions and contexts ------------------------------------------------------------------------ */
tfg_val tfg_tfapi_new_session(tfg_eval *ev, bool soft, bool log, bool interactive)
{
    tfg_val v = tfg_val_obj(TFG_V_SESSION, sizeof(tfg_sessobj));
    if (v.t == TFG_V_MISSING) return v;
    tfg_sessobj *so = v.u.p;
    tfg_session_opts o = { soft || ev->opts.soft_placement, log || ev->opts.log_placement, ev->opts.threads };
    so->interactive = interactive;
    so->s = tfg_session_new(ev->g, &o);
    if (!so->s) { tfg_val_decref(v); v.t = TFG_V_MISSING; }
    return v;
}

/* tf.Session(target='', graph=None, config=None) / InteractiveSession (flag) */
B(b_session)
{
    bool inter = self.u.i == 1;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, inter ? "InteractiveSession" : "Session", "target=,graph=,config=", v)) return -1;
    bool soft = false, log = false;
    if (v[2].t == TFG_V_CONFIG) {
        tfg_configobj *c = v[2].u.p;
        soft = c->soft_placement;
        log = c->log_placement;
    }
    *out = tfg_tfapi_new_session(ev, soft, log, inter);
    if (out->t == TFG_V_MISSING) return tfg_eval_error(ev, a->loc, "out of memory");
    if (inter) {
        tfg_val_decref(ev->interactive);
        ev->interactive = tfg_val_incref(*out);
    }
    return 0;
}

/* tf.ConfigProto(allow_soft_placement=False, log_device_placement=False, **others) */
static int b_config(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val v = tfg_val_obj(TFG_V_CONFIG, sizeof(tfg_configobj));
    if (v.t == TFG_V_MISSING) return tfg_eval_error(ev, a->loc, "out of memory");
    tfg_configobj *c = v.u.p;
    for (int i = 0; i < a->nkw; i++) {
        bool b;
        if (strcmp(a->kwnames[i], "allow_soft_placement") == 0) {
            if (tfg_eval_truth(ev, a->kw[i], a->loc, &b)) { tfg_val_decref(v); return -1; }
            c->soft_placement = b;
        } else if (strcmp(a->kwnames[i], "log_device_placement") == 0) {
            if (tfg_eval_truth(ev, a->kw[i], a->loc, &b)) { tfg_val_decref(v); return -1; }
            c->log_placement = b;
        }
    }
    *out = v;
    return 0;
}

/* A context-manager value. */
static tfg_val new_ctx(tfg_ctxkind kind, const char *text)
{
    tfg_val v = tfg_val_obj(TFG_V_CTX, sizeof(tfg_ctxobj));
    if (v.t == TFG_V_MISSING) return v;
    tfg_ctxobj *c = v.u.p;
    c->kind = kind;
    c->session = tfg_val_none();
    if (text) c->text = strdup(text);
    return v;
}

/* tf.device(device_name_or_function) */
B(b_device)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "device", "device_name_or_function", v)) return -1;
    if (v[0].t != TFG_V_STR && v[0].t != TFG_V_NONE)
        return tfg_eval_error(ev, a->loc, "device() expects a device string such as \"/gpu:0\"");
    *out = new_ctx(TFG_CTX_DEVICE, v[0].t == TFG_V_STR ? tfg_val_as_str(v[0])->s : "");
    if (out->t == TFG_V_MISSING) return tfg_eval_error(ev, a->loc, "out of memory");
    /* check the spec now, so the error points at the `with` line */
    tfg_error e;
    if (tfg_graph_push_device(ev->g, ((tfg_ctxobj *)out->u.p)->text, &e)) {
        tfg_val_decref(*out);
        out->t = TFG_V_NONE;
        return tfg_eval_error(ev, a->loc, "%s", e.msg);
    }
    tfg_graph_pop_device(ev->g);
    return 0;
}

/* tf.name_scope(name, default_name=None, values=None) */
B(b_name_scope)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "name_scope", "name,default_name=,values=", v)) return -1;
    const char *nm = v[0].t == TFG_V_STR ? tfg_val_as_str(v[0])->s
                   : v[1].t == TFG_V_STR ? tfg_val_as_str(v[1])->s : "";
    *out = new_ctx(TFG_CTX_SCOPE, nm);
    if (out->t == TFG_V_MISSING) return tfg_eval_error(ev, a->loc, "out of memory");
    return 0;
}

/* tf.control_dependencies(control_inputs) */
B(b_control_dependencies)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "control_dependencies", "control_inputs", v)) return -1;
    tfg_node **deps = NULL;
    int n = 0, cap = 0;
    if (v[0].t != TFG_V_NONE && collect_nodes(ev, v[0], &deps, &n, &cap, a->loc)) { free(deps); return -1; }
    *out = new_ctx(TFG_CTX_CONTROL, NULL);
    if (out->t == TFG_V_MISSING) { free(deps); return tfg_eval_error(ev, a->loc, "out of memory"); }
    ((tfg_ctxobj *)out->u.p)->nodes = deps;
    ((tfg_ctxobj *)out->u.p)->nnodes = n;
    return 0;
}

/* tf.get_default_graph(), and tf.Graph(): tfg keeps one graph per script, so
 * `with tf.Graph().as_default():` builds into it */
B(b_get_default_graph) { (void)self; (void)ev; (void)a; out->t = TFG_V_GRAPH; return 0; }

/* Functions accepted and ignored: disable_v2_behavior, disable_eager_execution, ... */
B(b_nothing) { (void)self; (void)ev; (void)a; *out = tfg_val_none(); return 0; }

#undef B

/* flag for table entries bound by index: the builder reads `self` */
const tfg_builtin tfg_tfapi_functions[] = {
    { "constant", b_constant, NULL, -1 },
    { "placeholder", b_placeholder, NULL, -1 },
    { "placeholder_with_default", b_placeholder_with_default, NULL, -1 },
    { "Variable", b_variable, NULL, -1 },
    { "assign", b_assign, NULL, -1 },
    { "assign_add", b_assign_add, NULL, -1 },
    { "assign_sub", b_assign_sub, NULL, -1 },
    { "global_variables_initializer", b_global_init, NULL, -1 },
    { "initialize_all_variables", b_global_init, NULL, -1 },
    { "variables_initializer", b_vars_init, NULL, -1 },
    { "initialize_variables", b_vars_init, NULL, -1 },
    { "global_variables", b_global_variables, NULL, -1 },
    { "all_variables", b_global_variables, NULL, -1 },
    { "trainable_variables", b_trainable_variables, NULL, -1 },
    { "no_op", b_no_op, NULL, -1 },
    { "group", b_group, NULL, -1 },
    { "add_n", b_add_n, NULL, -1 },
    { "matmul", b_matmul, NULL, -1 },
    { "reduce_sum", b_reduce, NULL, 0 }, { "reduce_mean", b_reduce, NULL, 1 },
    { "reduce_max", b_reduce, NULL, 2 }, { "reduce_min", b_reduce, NULL, 3 },
    { "reduce_prod", b_reduce, NULL, 4 }, { "reduce_all", b_reduce, NULL, 5 },
    { "reduce_any", b_reduce, NULL, 6 },
    { "argmax", b_argmax, NULL, 1 }, { "argmin", b_argmax, NULL, 0 },
    { "cast", b_cast, NULL, -1 },
    { "to_float", b_to_type, NULL, TFG_FLOAT32 }, { "to_double", b_to_type, NULL, TFG_FLOAT64 },
    { "to_int32", b_to_type, NULL, TFG_INT32 }, { "to_int64", b_to_type, NULL, TFG_INT64 },
    { "reshape", b_reshape, NULL, -1 },
    { "transpose", b_transpose, NULL, -1 },
    { "concat", b_concat, NULL, -1 },
    { "stack", b_stack, NULL, -1 }, { "pack", b_stack, NULL, -1 },
    { "zeros", b_zeros, NULL, 0 }, { "ones", b_zeros, NULL, 1 },
    { "fill", b_fill, NULL, -1 },
    { "zeros_like", b_zeros_like, NULL, 0 }, { "ones_like", b_zeros_like, NULL, 1 },
    { "range", b_range, NULL, -1 },
    { "shape", b_shape, NULL, 0 }, { "size", b_shape, NULL, 1 }, { "rank", b_shape, NULL, 2 },
    { "identity", b_identity, NULL, -1 },
    { "softmax", b_softmax, NULL, 0 }, { "log_softmax", b_softmax, NULL, 1 },
    { "one_hot", b_one_hot, NULL, -1 },
    { "expand_dims", b_expand_dims, NULL, -1 },
    { "squeeze", b_squeeze, NULL, -1 },
    { "tile", b_tile, NULL, -1 },
    { "gather", b_gather, NULL, -1 },
    { "where", b_where, NULL, 0 }, { "where_v2", b_where, NULL, 1 },
    { "random_normal", b_random, NULL, 0 }, { "truncated_normal", b_random, NULL, 1 },
    { "random_uniform", b_random, NULL, 2 },
    { "normal", b_random, NULL, 0 }, { "uniform", b_random, NULL, 2 },
    { "set_random_seed", b_set_random_seed, NULL, -1 }, { "set_seed", b_set_random_seed, NULL, -1 },
    { "slice", b_slice, NULL, -1 },
    { "pad", b_pad, NULL, -1 },
    { "broadcast_to", b_broadcast_to, NULL, -1 },
    { "unsorted_segment_sum", b_unsorted_segment_sum, NULL, -1 },
    { "invert_permutation", b_invert_permutation, NULL, -1 },
    { "cumprod", b_cumprod, NULL, -1 },
    { "gradients", b_gradients, NULL, -1 },
    { "stop_gradient", b_stop_gradient, NULL, -1 },
    { "Session", b_session, NULL, 0 }, { "InteractiveSession", b_session, NULL, 1 },
    { "ConfigProto", b_config, NULL, -1 },
    { "device", b_device, NULL, -1 },
    { "name_scope", b_name_scope, NULL, -1 },
    { "control_dependencies", b_control_dependencies, NULL, -1 },
    { "get_default_graph", b_get_default_graph, NULL, -1 },
    { "Graph", b_get_default_graph, NULL, -1 },
    { "disable_v2_behavior", b_nothing, NULL, -1 },
    { "disable_eager_execution", b_nothing, NULL, -1 },
    { NULL, NULL, NULL, 0 },
};
