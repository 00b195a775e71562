/* ops_math.c — elementwise ops: binary arithmetic with broadcasting,
 * comparisons, logical ops, unary math, AddN (table tfg_ops_math).
 *
 * Inputs are TF's: binary ops (x, y), unary ops (x) — (features) for Relu,
 * Relu6 and Softplus — and AddN (inputs...). No attributes. dtype rules are
 * the op's TF allowed list intersected with tfg's dtypes; both operands of a
 * binary op must have the same dtype (the evaluator casts Python numbers
 * first, as TF's convert_to_tensor does). Comparisons give bool.
 *
 * Kernels are one-line adapters onto tfg_k_binary / tfg_k_unary: no checks
 * beyond what the kernel does, no allocation beyond the output.
 *
 * Gradients are TF's (math_grad.py; nn_grad.py for Relu, Relu6, Softplus),
 * node for node where values could differ: the same operand order and
 * association, the same helper ops (SigmoidGrad, ReluGrad, ... in
 * ops_grad.c), broadcasting undone as TF's SmartBroadcastGradientArgs does
 * (constant axes when the static shapes decide them, BroadcastGradientArgs
 * at run time otherwise). Floor, Ceil, Round and FloorDiv give None, Sign
 * zeros; comparisons and logical ops have bool outputs, which no gradient
 * reaches. */
#include <stdarg.h>
#include <string.h>
#include "gradients.h"
#include "ops.h"

/* ---- infer ----------------------------------------------------------------------- */

/* Shared by all binary ops: dtype checks in TF's order, then broadcasting. */
static int infer_binary(tfg_node *n, unsigned allowed, bool to_bool, tfg_error *err)
{
    tfg_dtype dx = tfg_ops_in_dtype(n, 0), dy = tfg_ops_in_dtype(n, 1);
    if (allowed == TFG_DTS_BOOL) {
        if (dx != TFG_BOOL) return tfg_ops_type_expected(err, n, "x", dx, TFG_BOOL);
        if (dy != TFG_BOOL) return tfg_ops_type_expected(err, n, "y", dy, TFG_BOOL);
    } else {
        if (!(allowed & TFG_DT_BIT(dx))) return tfg_ops_type_not_allowed(err, "x", dx, allowed);
        if (dy != dx) return tfg_ops_type_mismatch(err, n, "y", dy, "x", dx);
    }
    tfg_shape s;
    if (tfg_ops_broadcast(n, tfg_ops_in_shape(n, 0), tfg_ops_in_shape(n, 1), &s, err)) return -1;
    return tfg_ops_set_output(n, to_bool ? TFG_BOOL : dx, &s);
}

/* Arithmetic on every number type (Add, Sub, Mul, Div, Maximum, ...). */
static int infer_bin_real(tfg_node *n, tfg_error *err)
{
    return infer_binary(n, TFG_DTS_REAL, false, err);
}

/* Arithmetic without uint8 (Pow, SquaredDifference). */
static int infer_bin_signed(tfg_node *n, tfg_error *err)
{
    return infer_binary(n, TFG_DTS_SIGNED, false, err);
}

/* Equal / NotEqual: any dtype, bool result. */
static int infer_bin_equality(tfg_node *n, tfg_error *err)
{
    return infer_binary(n, TFG_DTS_ALL, true, err);
}

/* Less, Greater, ...: numbers, bool result. */
static int infer_bin_compare(tfg_node *n, tfg_error *err)
{
    return infer_binary(n, TFG_DTS_REAL, true, err);
}

/* LogicalAnd / LogicalOr: bool x bool. */
static int infer_bin_logical(tfg_node *n, tfg_error *err)
{
    return infer_binary(n, TFG_DTS_BOOL, true, err);
}

/* Shared by unary ops: the dtype is checked, the shape passes through. */
static int infer_unary(tfg_node *n, unsigned allowed, const char *param, tfg_error *err)
{
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (allowed == TFG_DTS_BOOL && dt != TFG_BOOL)
        return tfg_ops_type_expected(err, n, param, dt, TFG_BOOL);
    if (!(allowed & TFG_DT_BIT(dt))) return tfg_ops_type_not_allowed(err, param, dt, allowed);
    return tfg_ops_set_output(n, dt, tfg_ops_in_shape(n, 0));
}

/* Math functions on floats only (Sqrt, Exp, Log, Sigmoid, Tanh, Floor, ...). */
static int infer_un_float(tfg_node *n, tfg_error *err)
{
    return infer_unary(n, TFG_DTS_FLOAT, "x", err);
}

/* Softplus: floats, input named 'features'. */
static int infer_un_float_features(tfg_node *n, tfg_error *err)
{
    return infer_unary(n, TFG_DTS_FLOAT, "features", err);
}

/* Signed numbers (Neg, Abs, Sign, Round, Reciprocal). */
static int infer_un_signed(tfg_node *n, tfg_error *err)
{
    return infer_unary(n, TFG_DTS_SIGNED, "x", err);
}

/* Every number type (Square). */
static int infer_un_real(tfg_node *n, tfg_error *err)
{
    return infer_unary(n, TFG_DTS_REAL, "x", err);
}

/* Relu / Relu6: every number type, input named 'features'. */
static int infer_un_real_features(tfg_node *n, tfg_error *err)
{
    return infer_unary(n, TFG_DTS_REAL, "features", err);
}

/* LogicalNot: bool. */
static int infer_un_bool(tfg_node *n, tfg_error *err)
{
    return infer_unary(n, TFG_DTS_BOOL, "x", err);
}

/* AddN: one dtype for all inputs, shapes merged (no broadcasting). */
static int infer_addn(tfg_node *n, tfg_error *err)
{
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    for (int i = 1; i < n->ninputs; i++)
        if (tfg_ops_in_dtype(n, i) != dt)
            return tfg_ops_type_list_mismatch(err, n, "inputs", 0, n->ninputs);
    if (tfg_ops_check_dtype(n, 0, "inputs", TFG_DTS_REAL, err)) return -1;
    tfg_shape s;
    if (tfg_ops_merge_inputs(n, 0, n->ninputs, &s, err)) return -1;
    return tfg_ops_set_output(n, dt, &s);
}

/* ---- kernels ---------------------------------------------------------------------- */

/* Defines the CPU kernel of a binary op: tfg_k_binary with the op's code. */
#define BINARY_KERNEL(fname, code)                                                        \
    static int fname(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in,             \
                     tfg_tensor **out, tfg_error *err)                                    \
    {                                                                                     \
        (void)x;                                                                          \
        (void)n;                                                                          \
        return tfg_k_binary(code, in[0], in[1], out, err);                               \
    }

/* Defines the CPU kernel of a unary op: tfg_k_unary with the op's code. */
#define UNARY_KERNEL(fname, code)                                                         \
    static int fname(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in,             \
                     tfg_tensor **out, tfg_error *err)                                    \
    {                                                                                     \
        (void)x;                                                                          \
        (void)n;                                                                          \
        return tfg_k_unary(code, in[0], out, err);                                        \
    }

BINARY_KERNEL(k_add, TFG_BIN_ADD)
BINARY_KERNEL(k_sub, TFG_BIN_SUB)
BINARY_KERNEL(k_mul, TFG_BIN_MUL)
/* Would TensorFlow's constant folding compute this node at optimisation time?
 * (no placeholder, variable or random op upstream); *budget bounds the walk. */
static bool foldable(const tfg_node *n, int *budget)
{
    if (--*budget < 0) return false;
    if ((n->op->flags & TFG_OPF_STATEFUL) || strncmp(n->op->type, "Placeholder", 11) == 0) return false;
    for (int i = 0; i < n->ninputs; i++)
        if (!foldable(n->inputs[i].node, budget)) return false;
    return true;
}

/* RealDiv. TensorFlow's graph optimizer rewrites x / c for a constant c (and a
 * non-constant x) into x * (1 / c), and folds wholly constant divisions exactly;
 * the rounding of the two differs, so tfg does the same to print TF's digits. */
static int k_div(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    int b1 = 256, b0 = 256;
    if (tfg_dtype_is_float(in[1]->dtype) && foldable(n->inputs[1].node, &b1) &&
        !foldable(n->inputs[0].node, &b0)) {
        tfg_tensor *one = tfg_tensor_scalar_f(in[1]->dtype, 1.0, err), *recip = NULL;
        if (!one) return -1;
        int rc = tfg_k_binary(TFG_BIN_DIV, one, in[1], &recip, err);
        tfg_tensor_unref(one);
        if (rc) return -1;
        rc = tfg_k_binary(TFG_BIN_MUL, in[0], recip, out, err);
        tfg_tensor_unref(recip);
        return rc;
    }
    return tfg_k_binary(TFG_BIN_DIV, in[0], in[1], out, err);
}
BINARY_KERNEL(k_floordiv, TFG_BIN_FLOORDIV)
BINARY_KERNEL(k_floormod, TFG_BIN_MOD)
BINARY_KERNEL(k_pow, TFG_BIN_POW)
BINARY_KERNEL(k_maximum, TFG_BIN_MAXIMUM)
BINARY_KERNEL(k_minimum, TFG_BIN_MINIMUM)
BINARY_KERNEL(k_sqdiff, TFG_BIN_SQUARED_DIFFERENCE)
BINARY_KERNEL(k_equal, TFG_BIN_EQUAL)
BINARY_KERNEL(k_not_equal, TFG_BIN_NOT_EQUAL)
BINARY_KERNEL(k_less, TFG_BIN_LESS)
BINARY_KERNEL(k_less_equal, TFG_BIN_LESS_EQUAL)
BINARY_KERNEL(k_greater, TFG_BIN_GREATER)
BINARY_KERNEL(k_greater_equal, TFG_BIN_GREATER_EQUAL)
BINARY_KERNEL(k_logical_and, TFG_BIN_LOGICAL_AND)
BINARY_KERNEL(k_logical_or, TFG_BIN_LOGICAL_OR)

UNARY_KERNEL(k_neg, TFG_UN_NEG)
UNARY_KERNEL(k_abs, TFG_UN_ABS)
UNARY_KERNEL(k_square, TFG_UN_SQUARE)
UNARY_KERNEL(k_sqrt, TFG_UN_SQRT)
UNARY_KERNEL(k_rsqrt, TFG_UN_RSQRT)
UNARY_KERNEL(k_exp, TFG_UN_EXP)
UNARY_KERNEL(k_log, TFG_UN_LOG)
UNARY_KERNEL(k_log1p, TFG_UN_LOG1P)
UNARY_KERNEL(k_sigmoid, TFG_UN_SIGMOID)
UNARY_KERNEL(k_tanh, TFG_UN_TANH)
UNARY_KERNEL(k_relu, TFG_UN_RELU)
UNARY_KERNEL(k_relu6, TFG_UN_RELU6)
UNARY_KERNEL(k_sign, TFG_UN_SIGN)
UNARY_KERNEL(k_floor, TFG_UN_FLOOR)
UNARY_KERNEL(k_ceil, TFG_UN_CEIL)
UNARY_KERNEL(k_round, TFG_UN_ROUND)
UNARY_KERNEL(k_reciprocal, TFG_UN_RECIPROCAL)
UNARY_KERNEL(k_sin, TFG_UN_SIN)
UNARY_KERNEL(k_cos, TFG_UN_COS)
UNARY_KERNEL(k_softplus, TFG_UN_SOFTPLUS)
UNARY_KERNEL(k_logical_not, TFG_UN_LOGICAL_NOT)

/* AddN: sums its inputs left to right (one input: a new reference to it). */
static int k_addn(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    if (n->ninputs == 1) {
        *out = tfg_tensor_ref(in[0]);
        return 0;
    }
    tfg_tensor *acc;
    if (tfg_k_binary(TFG_BIN_ADD, in[0], in[1], &acc, err)) return -1;
    for (int i = 2; i < n->ninputs; i++) {
        tfg_tensor *next;
        int rc = tfg_k_binary(TFG_BIN_ADD, acc, in[i], &next, err);
        tfg_tensor_unref(acc);
        if (rc) return -1;
        acc = next;
    }
    *out = acc;
    return 0;
}

/* ---- gradients ------------------------------------------------------------------------ */

#include "grad_build.h"

/* The static shape of an endpoint. */
static const tfg_shape *shp(tfg_endpoint e)
{
    return &e.node->out_shape[e.index];
}

/* Are both static shapes fully defined and equal? */
static bool same_static(const tfg_shape *a, const tfg_shape *c)
{
    return tfg_shape_fully_defined(a) && tfg_shape_fully_defined(c) && a->rank == c->rank &&
           memcmp(a->dim, c->dim, sizeof(int64_t) * (size_t)a->rank) == 0;
}

/* TF's _ShapesFullySpecifiedAndEqual(x, y, grad) for a binary node. */
static bool shapes_equal(const tfg_node *n, tfg_endpoint grad)
{
    return same_static(shp(n->inputs[0]), shp(n->inputs[1])) && same_static(shp(n->inputs[0]), shp(grad));
}

/* TF's _InferGradientReductionAxes, from x's side: the axes x was broadcast
 * along against y, or false when the static shapes do not decide them. */
static bool infer_axes(const tfg_shape *xs, const tfg_shape *ys, int64_t *axes, int *na)
{
    if (xs->rank < 0 || ys->rank < 0) return false;
    int br = xs->rank > ys->rank ? xs->rank : ys->rank;
    *na = 0;
    for (int a = 0; a < br; a++) {
        int kx = a - (br - xs->rank), ky = a - (br - ys->rank);
        int64_t xd = kx < 0 ? 1 : xs->dim[kx], yd = ky < 0 ? 1 : ys->dim[ky];
        if (xd == 1 && yd != 1) axes[(*na)++] = a;
        else if (yd == 1 && xd != 1) continue;
        else if (xd < 0 || yd < 0) return false;
    }
    return true;
}

/* TF's _ReduceGradientArg: grad (shaped like x op y) summed over the axes
 * where x was broadcast against y, kept, and reshaped to x's shape. */
static tfg_endpoint reduce_arg(gb *b, tfg_endpoint grad, tfg_endpoint x, tfg_endpoint y)
{
    if (!grad.node) return grad;
    int64_t axes[TFG_MAX_RANK];
    int na;
    if (infer_axes(shp(x), shp(y), axes, &na)) {
        if (na == 0 && shp(x)->rank >= shp(y)->rank) return grad;
        tfg_attrs keep;
        memset(&keep, 0, sizeof keep);
        keep.flag[0] = true;
        tfg_endpoint sum = op(b, "Sum", &keep, 2, grad, ep(tfg_grad_ivec(b->g, axes, na, "Const", b->loc, b->err)));
        return bin(b, "Reshape", sum, sum.node ? ep(tfg_grad_shape_of(b->g, x, b->loc, b->err)) : sum);
    }
    tfg_endpoint out;
    if (tfg_grad_unbroadcast(b->g, grad, x, b->loc, &out, b->err)) return ep(NULL);
    return out;
}

/* Sets the gradients of a binary node's inputs to gx and gy, reduced to the
 * inputs' shapes unless `equal` (TF's fast path); -1 on a failure. */
static int set_binary(gb *b, const tfg_node *n, tfg_endpoint gx, tfg_endpoint gy, bool equal, tfg_endpoint *grad_in)
{
    tfg_endpoint x = n->inputs[0], y = n->inputs[1];
    grad_in[0] = equal ? gx : reduce_arg(b, gx, x, y);
    if (!grad_in[0].node) return -1;
    grad_in[1] = equal ? gy : reduce_arg(b, gy, y, x);
    return grad_in[1].node ? 0 : -1;
}

/* Sets the gradient of a unary node's input; -1 when building it failed. */
static int set_one(tfg_endpoint g, tfg_endpoint *grad_in)
{
    grad_in[0] = g;
    return g.node ? 0 : -1;
}

/* Add, AddV2: (grad, grad), reduced. */
static int grad_add(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0];
    return set_binary(&b, n, gr, gr, shapes_equal(n, gr), grad_in);
}

/* Sub: (grad, -grad), reduced. */
static int grad_sub(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0];
    return set_binary(&b, n, gr, un(&b, "Neg", gr), shapes_equal(n, gr), grad_in);
}

/* Mul: (grad * y, x * grad), reduced. */
static int grad_mul(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0], x = n->inputs[0], y = n->inputs[1];
    bool equal = shapes_equal(n, gr) && n->out_dtype[0] == TFG_FLOAT32;
    tfg_endpoint gx = bin(&b, "Mul", gr, y);
    tfg_endpoint gy = equal ? bin(&b, "Mul", gr, x) : bin(&b, "Mul", x, gr);
    return set_binary(&b, n, gx, gy, equal, grad_in);
}

/* RealDiv, Div: (grad / y, grad * ((-x / y) / y)), reduced. */
static int grad_div(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0], x = n->inputs[0], y = n->inputs[1];
    tfg_endpoint gx = bin(&b, "RealDiv", gr, y);
    tfg_endpoint gy = bin(&b, "Mul", gr, bin(&b, "RealDiv", bin(&b, "RealDiv", un(&b, "Neg", x), y), y));
    return set_binary(&b, n, gx, gy, false, grad_in);
}

/* FloorMod: (grad, grad * -floor_div(x, y)), reduced. */
static int grad_floormod(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                         tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0], x = n->inputs[0], y = n->inputs[1];
    tfg_endpoint gy = bin(&b, "Mul", gr, un(&b, "Neg", bin(&b, "FloorDiv", x, y)));
    return set_binary(&b, n, gr, gy, false, grad_in);
}

/* Pow: (grad * y * x^(y-1), grad * z * (log(x) where x > 0, else 0)), reduced. */
static int grad_pow(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0], x = n->inputs[0], y = n->inputs[1];
    tfg_dtype dt = n->out_dtype[0];
    tfg_endpoint ym1 = bin(&b, "Sub", y, scalar(&b, dt, 1));
    tfg_endpoint gx = bin(&b, "Mul", bin(&b, "Mul", gr, y), bin(&b, "Pow", x, ym1));
    tfg_endpoint mask = bin(&b, "Greater", x, scalar(&b, dt, 0));
    tfg_endpoint safe = op(&b, "Select", NULL, 3, mask, x, un(&b, "OnesLike", x));
    tfg_endpoint logx = op(&b, "Select", NULL, 3, mask, un(&b, "Log", safe), un(&b, "ZerosLike", x));
    tfg_endpoint gy = bin(&b, "Mul", bin(&b, "Mul", gr, ep(n)), logx);
    return set_binary(&b, n, gx, gy, false, grad_in);
}

/* Maximum (selector GreaterEqual) and Minimum (LessEqual): grad where x was
 * chosen (ties go to x) and where y was, reduced. */
static int grad_minmax(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                       tfg_error *err, const char *selector)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0];
    tfg_endpoint zeros = un(&b, "ZerosLike", gr), xmask = bin(&b, selector, n->inputs[0], n->inputs[1]);
    tfg_endpoint gx = op(&b, "SelectV2", NULL, 3, xmask, gr, zeros);
    tfg_endpoint gy = op(&b, "SelectV2", NULL, 3, xmask, zeros, gr);
    return set_binary(&b, n, gx, gy, false, grad_in);
}

/* Maximum. */
static int grad_maximum(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                        tfg_error *err)
{
    return grad_minmax(g, n, grad_out, grad_in, err, "GreaterEqual");
}

/* Minimum. */
static int grad_minimum(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                        tfg_error *err)
{
    return grad_minmax(g, n, grad_out, grad_in, err, "LessEqual");
}

/* SquaredDifference: x_grad = (2 * grad) * (x - y); (x_grad, -x_grad), reduced. */
static int grad_sqdiff(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                       tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0], x = n->inputs[0], y = n->inputs[1];
    tfg_endpoint xg = bin(&b, "Mul", bin(&b, "Mul", scalar(&b, n->out_dtype[0], 2), gr), bin(&b, "Sub", x, y));
    return set_binary(&b, n, xg, un(&b, "Neg", xg), shapes_equal(n, gr), grad_in);
}

/* Ops TF gives no gradient (Floor, Ceil, Round, FloorDiv): None for every input. */
static int grad_none(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    (void)g; (void)grad_out; (void)err;
    for (int i = 0; i < n->ninputs; i++) grad_in[i] = ep(NULL);
    return 0;
}

/* Neg: -grad. */
static int grad_neg(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(un(&b, "Neg", grad_out[0]), grad_in);
}

/* Abs: grad * sign(x). */
static int grad_abs(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "Mul", grad_out[0], un(&b, "Sign", n->inputs[0])), grad_in);
}

/* Square: grad * (x * 2). */
static int grad_square(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                       tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint x2 = bin(&b, "Mul", n->inputs[0], scalar(&b, n->out_dtype[0], 2));
    return set_one(bin(&b, "Mul", grad_out[0], x2), grad_in);
}

/* The ops whose gradient is one helper op of (y, dy): Sqrt, Rsqrt, Sigmoid,
 * Tanh, Reciprocal. */
static int grad_by_output(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                          tfg_error *err, const char *helper)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, helper, ep(n), grad_out[0]), grad_in);
}

/* Sqrt: SqrtGrad(y, grad). */
static int grad_sqrt(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    return grad_by_output(g, n, grad_out, grad_in, err, "SqrtGrad");
}

/* Rsqrt: RsqrtGrad(y, grad). */
static int grad_rsqrt(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    return grad_by_output(g, n, grad_out, grad_in, err, "RsqrtGrad");
}

/* Sigmoid: SigmoidGrad(y, grad). */
static int grad_sigmoid(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                        tfg_error *err)
{
    return grad_by_output(g, n, grad_out, grad_in, err, "SigmoidGrad");
}

/* Tanh: TanhGrad(y, grad). */
static int grad_tanh(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    return grad_by_output(g, n, grad_out, grad_in, err, "TanhGrad");
}

/* Reciprocal: ReciprocalGrad(y, grad). */
static int grad_reciprocal(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                           tfg_error *err)
{
    return grad_by_output(g, n, grad_out, grad_in, err, "ReciprocalGrad");
}

/* Relu: ReluGrad(grad, y). */
static int grad_relu(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "ReluGrad", grad_out[0], ep(n)), grad_in);
}

/* Relu6: Relu6Grad(grad, y). */
static int grad_relu6(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "Relu6Grad", grad_out[0], ep(n)), grad_in);
}

/* Exp: grad * y. */
static int grad_exp(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "Mul", grad_out[0], ep(n)), grad_in);
}

/* Log: grad * reciprocal(x). */
static int grad_log(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "Mul", grad_out[0], un(&b, "Reciprocal", n->inputs[0])), grad_in);
}

/* Log1p: grad * reciprocal(1 + x). */
static int grad_log1p(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                      tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint xp1 = bin(&b, "AddV2", scalar(&b, n->out_dtype[0], 1), n->inputs[0]);
    return set_one(bin(&b, "Mul", grad_out[0], un(&b, "Reciprocal", xp1)), grad_in);
}

/* Sign: zeros like x. */
static int grad_sign(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    (void)grad_out;
    return set_one(un(&b, "ZerosLike", n->inputs[0]), grad_in);
}

/* Sin: grad * cos(x). */
static int grad_sin(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "Mul", grad_out[0], un(&b, "Cos", n->inputs[0])), grad_in);
}

/* Cos: -grad * sin(x). */
static int grad_cos(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "Mul", un(&b, "Neg", grad_out[0]), un(&b, "Sin", n->inputs[0])), grad_in);
}

/* Softplus: grad * sigmoid(x). */
static int grad_softplus(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                         tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_one(bin(&b, "Mul", grad_out[0], un(&b, "Sigmoid", n->inputs[0])), grad_in);
}

/* AddN: grad for every input. */
static int grad_addn(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in, tfg_error *err)
{
    (void)g; (void)err;
    for (int i = 0; i < n->ninputs; i++) grad_in[i] = grad_out[0];
    return 0;
}

/* ---- the table ------------------------------------------------------------------------ */

/* One table entry: TF type, input count, infer, CPU kernel, gradient, doc. */
#define MATH_OP(type, nin, infer, kernel, grad, doc)                                      \
    { type, nin, 0, infer, { kernel, NULL }, grad, doc }

const tfg_opdef tfg_ops_math[] = {
    MATH_OP("AddV2", 2, infer_bin_real, k_add, grad_add, "x + y, broadcasting (tf.add, +)"),
    MATH_OP("Add", 2, infer_bin_real, k_add, grad_add, "x + y, broadcasting (legacy op type of AddV2)"),
    MATH_OP("Sub", 2, infer_bin_real, k_sub, grad_sub, "x - y, broadcasting (tf.subtract, tf.sub, -)"),
    MATH_OP("Mul", 2, infer_bin_real, k_mul, grad_mul, "x * y, broadcasting (tf.multiply, tf.mul, *)"),
    MATH_OP("RealDiv", 2, infer_bin_real, k_div, grad_div, "x / y for floats (tf.divide, tf.truediv, /)"),
    MATH_OP("Div", 2, infer_bin_real, k_div, grad_div, "x / y; integers truncate toward zero (tf.div)"),
    MATH_OP("FloorDiv", 2, infer_bin_real, k_floordiv, grad_none, "floor(x / y) (tf.floordiv, //)"),
    MATH_OP("FloorMod", 2, infer_bin_real, k_floormod, grad_floormod, "x mod y, sign of y (tf.mod, %)"),
    MATH_OP("Pow", 2, infer_bin_signed, k_pow, grad_pow, "x ** y (tf.pow, **)"),
    MATH_OP("Maximum", 2, infer_bin_real, k_maximum, grad_maximum, "elementwise max(x, y) (tf.maximum)"),
    MATH_OP("Minimum", 2, infer_bin_real, k_minimum, grad_minimum, "elementwise min(x, y) (tf.minimum)"),
    MATH_OP("SquaredDifference", 2, infer_bin_signed, k_sqdiff, grad_sqdiff,
            "(x - y) ** 2 (tf.squared_difference)"),
    MATH_OP("Equal", 2, infer_bin_equality, k_equal, NULL, "x == y, bool (tf.equal)"),
    MATH_OP("NotEqual", 2, infer_bin_equality, k_not_equal, NULL, "x != y, bool (tf.not_equal)"),
    MATH_OP("Less", 2, infer_bin_compare, k_less, NULL, "x < y, bool (tf.less, <)"),
    MATH_OP("LessEqual", 2, infer_bin_compare, k_less_equal, NULL, "x <= y, bool (tf.less_equal, <=)"),
    MATH_OP("Greater", 2, infer_bin_compare, k_greater, NULL, "x > y, bool (tf.greater, >)"),
    MATH_OP("GreaterEqual", 2, infer_bin_compare, k_greater_equal, NULL,
            "x >= y, bool (tf.greater_equal, >=)"),
    MATH_OP("LogicalAnd", 2, infer_bin_logical, k_logical_and, NULL, "x and y on bools (tf.logical_and)"),
    MATH_OP("LogicalOr", 2, infer_bin_logical, k_logical_or, NULL, "x or y on bools (tf.logical_or)"),
    MATH_OP("Neg", 1, infer_un_signed, k_neg, grad_neg, "-x (tf.negative, tf.neg, unary -)"),
    MATH_OP("Abs", 1, infer_un_signed, k_abs, grad_abs, "|x| (tf.abs)"),
    MATH_OP("Square", 1, infer_un_real, k_square, grad_square, "x * x (tf.square)"),
    MATH_OP("Sqrt", 1, infer_un_float, k_sqrt, grad_sqrt, "square root (tf.sqrt)"),
    MATH_OP("Rsqrt", 1, infer_un_float, k_rsqrt, grad_rsqrt, "1 / sqrt(x) (tf.rsqrt)"),
    MATH_OP("Exp", 1, infer_un_float, k_exp, grad_exp, "e ** x (tf.exp)"),
    MATH_OP("Log", 1, infer_un_float, k_log, grad_log, "natural logarithm (tf.log)"),
    MATH_OP("Log1p", 1, infer_un_float, k_log1p, grad_log1p, "log(1 + x) (tf.log1p)"),
    MATH_OP("Sigmoid", 1, infer_un_float, k_sigmoid, grad_sigmoid, "1 / (1 + exp(-x)) (tf.sigmoid)"),
    MATH_OP("Tanh", 1, infer_un_float, k_tanh, grad_tanh, "hyperbolic tangent (tf.tanh)"),
    MATH_OP("Relu", 1, infer_un_real_features, k_relu, grad_relu, "max(x, 0) (tf.nn.relu)"),
    MATH_OP("Relu6", 1, infer_un_real_features, k_relu6, grad_relu6, "min(max(x, 0), 6) (tf.nn.relu6)"),
    MATH_OP("Sign", 1, infer_un_signed, k_sign, grad_sign, "-1, 0 or 1 (tf.sign)"),
    MATH_OP("Floor", 1, infer_un_float, k_floor, grad_none, "round toward -inf (tf.floor)"),
    MATH_OP("Ceil", 1, infer_un_float, k_ceil, grad_none, "round toward +inf (tf.ceil)"),
    MATH_OP("Round", 1, infer_un_signed, k_round, grad_none, "round half to even (tf.round)"),
    MATH_OP("Reciprocal", 1, infer_un_signed, k_reciprocal, grad_reciprocal, "1 / x (tf.reciprocal)"),
    MATH_OP("Sin", 1, infer_un_float, k_sin, grad_sin, "sine (tf.sin)"),
    MATH_OP("Cos", 1, infer_un_float, k_cos, grad_cos, "cosine (tf.cos)"),
    MATH_OP("Softplus", 1, infer_un_float_features, k_softplus, grad_softplus, "log(exp(x) + 1) (tf.nn.softplus)"),
    MATH_OP("LogicalNot", 1, infer_un_bool, k_logical_not, NULL, "not x on bools (tf.logical_not)"),
    { "AddN", 1, TFG_OPF_VARIADIC, infer_addn, { k_addn, NULL }, grad_addn,
      "sum of a list of same-shape tensors (tf.add_n)" },
};
const int tfg_ops_math_count = (int)(sizeof tfg_ops_math / sizeof tfg_ops_math[0]);
