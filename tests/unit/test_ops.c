/* test_ops.c — the op tables: registry, static shapes, TF-worded build-time
 * errors (the texts were taken from TensorFlow 2.21's tf.compat.v1 and put
 * in the contract's TF1 form) and CPU kernels run through a session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "src/graph.h"
#include "src/ops.h"
#include "src/session.h"

static const tfg_loc noloc = { 0, 0, 0 };

/* A Const node holding the given values (converted to dt). */
static tfg_node *cnst(tfg_graph *g, tfg_dtype dt, int rank, const int64_t *shape, const double *v)
{
    tfg_error err;
    tfg_tensor *t = tfg_tensor_new(dt, rank, shape, &err);
    assert_non_null(t);
    for (int64_t i = 0; i < t->size; i++) tfg_tensor_set_f(t, i, v[i]);
    tfg_attrs a = { 0 };
    a.value = t;
    tfg_node *n = tfg_graph_add_op(g, "Const", NULL, NULL, 0, &a, noloc, &err);
    tfg_tensor_unref(t);
    assert_non_null(n);
    return n;
}

/* A scalar Const. */
static tfg_node *scalar(tfg_graph *g, tfg_dtype dt, double v)
{
    return cnst(g, dt, 0, NULL, &v);
}

/* A 1-D int32 Const. */
static tfg_node *ivec(tfg_graph *g, int n, const double *v)
{
    int64_t s = n;
    return cnst(g, TFG_INT32, 1, &s, v);
}

/* A Placeholder of dtype and shape (rank -1: unknown). */
static tfg_node *placeholder(tfg_graph *g, tfg_dtype dt, int rank, const int64_t *dims)
{
    tfg_error err;
    tfg_attrs a = { 0 };
    a.dtype = dt;
    a.shape = tfg_shape_make(rank, dims);
    tfg_node *n = tfg_graph_add_op(g, "Placeholder", NULL, NULL, 0, &a, noloc, &err);
    assert_non_null(n);
    return n;
}

/* Adds an op named `name` (NULL: its type) over nodes' first outputs; NULL
 * and err on failure. Error tests name their nodes so that the expected
 * texts do not depend on how names of earlier nodes were uniquified. */
static tfg_node *opn(tfg_graph *g, const char *type, const char *name, const tfg_attrs *a,
                     tfg_error *err, int nin, ...)
{
    tfg_endpoint in[16];
    va_list ap;
    va_start(ap, nin);
    for (int i = 0; i < nin; i++) in[i] = (tfg_endpoint){ va_arg(ap, tfg_node *), 0 };
    va_end(ap);
    tfg_attrs none = { 0 };
    none.shape.rank = -1;
    return tfg_graph_add_op(g, type, name, in, nin, a ? a : &none, noloc, err);
}

/* opn with the default name. */
#define op(g, type, a, err, ...) opn(g, type, NULL, a, err, __VA_ARGS__)

/* The node's static output shape as TF text. */
static const char *shape_of(const tfg_node *n)
{
    static char buf[128];
    tfg_shape_str(&n->out_shape[0], buf, sizeof buf);
    return buf;
}

/* Runs the graph fetching one node's output. */
static tfg_tensor *run1(tfg_session *s, tfg_node *n, tfg_error *err)
{
    tfg_endpoint e = { n, 0 };
    tfg_tensor *r = NULL;
    if (tfg_session_run(s, &e, 1, NULL, 0, NULL, 0, &r, err)) return NULL;
    return r;
}

/* ---- registry ------------------------------------------------------------------------------ */

static void test_registry(void **state)
{
    (void)state;
    int n = 0;
    for (const tfg_opdef *o; (o = tfg_op_at(n)); n++) {
        assert_ptr_equal(tfg_op_find(o->type), o);
        assert_non_null(o->infer);
        assert_non_null(o->kernel[TFG_BACKEND_CPU]);
        assert_null(o->kernel[TFG_BACKEND_OPENCL]);
        assert_non_null(o->doc);
        for (int k = 0; k < n; k++) assert_string_not_equal(tfg_op_at(k)->type, o->type);
    }
    assert_true(n >= 80);
    assert_null(tfg_op_find("NoSuchOp"));
    assert_null(tfg_op_at(-1));
    assert_true(tfg_op_find("ConcatV2")->flags & TFG_OPF_VARIADIC);
    assert_true(tfg_op_find("Assign")->flags & TFG_OPF_REF_INPUT0);
    assert_true(tfg_op_find("NoOp")->flags & TFG_OPF_NO_OUTPUT);
}

/* ---- shapes -------------------------------------------------------------------------------- */

static void test_shape_text(void **state)
{
    (void)state;
    char b[64];
    int64_t d[] = { -1, 784 };
    tfg_shape s = tfg_shape_make(2, d);
    tfg_shape_str(&s, b, sizeof b);
    assert_string_equal(b, "[?,784]");
    tfg_shape_pystr(&s, b, sizeof b);
    assert_string_equal(b, "(?, 784)");
    s = tfg_shape_make(1, (int64_t[]){ 2 });
    tfg_shape_pystr(&s, b, sizeof b);
    assert_string_equal(b, "(2,)");
    s = tfg_shape_scalar();
    tfg_shape_str(&s, b, sizeof b);
    assert_string_equal(b, "[]");
    tfg_shape_pystr(&s, b, sizeof b);
    assert_string_equal(b, "()");
    s = tfg_shape_unknown();
    tfg_shape_str(&s, b, sizeof b);
    assert_string_equal(b, "<unknown>");
    assert_int_equal(tfg_shape_num_elements(&s), -1);
    s = tfg_shape_make(2, (int64_t[]){ 2, 3 });
    assert_int_equal(tfg_shape_num_elements(&s), 6);
    assert_true(tfg_shape_compatible(&(tfg_shape){ .rank = 2, .dim = { -1, 3 } }, 2,
                                     (int64_t[]){ 5, 3 }));
    assert_false(tfg_shape_compatible(&s, 1, (int64_t[]){ 6 }));

    tfg_shape a = tfg_shape_make(2, (int64_t[]){ -1, 1 }), c = tfg_shape_make(1, (int64_t[]){ 4 });
    tfg_shape o;
    assert_int_equal(tfg_shape_broadcast(&a, &c, &o), 0);
    tfg_shape_str(&o, b, sizeof b);
    assert_string_equal(b, "[?,4]");
    c = tfg_shape_make(1, (int64_t[]){ 3 });
    a = tfg_shape_make(1, (int64_t[]){ 2 });
    assert_int_equal(tfg_shape_broadcast(&a, &c, &o), -1);
}

/* ---- build-time errors ----------------------------------------------------------------------- */

static void test_matmul_errors(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *m12 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 1, 2 }, (double[]){ 3, 3 });
    tfg_node *m31 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 3, 1 }, (double[]){ 2, 2, 2 });
    tfg_node *m21 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 2, 1 }, (double[]){ 2, 2 });
    tfg_node *v2 = cnst(g, TFG_FLOAT32, 1, (int64_t[]){ 2 }, (double[]){ 1, 2 });
    assert_null(opn(g, "MatMul", "bad1", NULL, &err, 2, m12, m31));
    assert_string_equal(err.msg, "Dimensions must be equal, but are 2 and 3 for 'bad1' (op: "
                                 "'MatMul') with input shapes: [1,2], [3,1].");
    assert_null(opn(g, "MatMul", "bad2", NULL, &err, 2, v2, m21));
    assert_string_equal(err.msg, "Shape must be rank 2 but is rank 1 for 'bad2' (op: 'MatMul') "
                                 "with input shapes: [2], [2,1].");
    tfg_node *p = op(g, "MatMul", NULL, &err, 2, m12, m21);
    assert_non_null(p);
    assert_string_equal(shape_of(p), "[1,1]");
    tfg_attrs ta = { 0 };
    ta.flag[0] = true;
    p = op(g, "MatMul", &ta, &err, 2, m12, m12);
    assert_non_null(p);
    assert_string_equal(shape_of(p), "[2,2]");
    tfg_node *i12 = cnst(g, TFG_INT32, 2, (int64_t[]){ 1, 2 }, (double[]){ 1, 2 });
    assert_null(opn(g, "MatMul", "bad3", NULL, &err, 2, m12, i12));
    assert_string_equal(err.msg, "Input 'b' of 'MatMul' Op has type int32 that does not match "
                                 "type float32 of argument 'a'.");
    /* batch */
    tfg_node *ph = placeholder(g, TFG_FLOAT32, 3, (int64_t[]){ -1, 2, 3 });
    tfg_node *b31 = placeholder(g, TFG_FLOAT32, 3, (int64_t[]){ 5, 3, 4 });
    p = op(g, "MatMul", NULL, &err, 2, ph, b31);
    assert_non_null(p);
    assert_string_equal(shape_of(p), "[5,2,4]");
    tfg_graph_free(g);
}

static void test_elementwise_rules(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *f2 = cnst(g, TFG_FLOAT32, 1, (int64_t[]){ 2 }, (double[]){ 1, 2 });
    tfg_node *f3 = cnst(g, TFG_FLOAT32, 1, (int64_t[]){ 3 }, (double[]){ 1, 2, 3 });
    tfg_node *i3 = cnst(g, TFG_INT32, 1, (int64_t[]){ 3 }, (double[]){ 1, 2, 3 });
    tfg_node *b1 = cnst(g, TFG_BOOL, 1, (int64_t[]){ 1 }, (double[]){ 1 });
    assert_null(opn(g, "AddV2", "bad4", NULL, &err, 2, f2, i3));
    assert_string_equal(err.msg, "Input 'y' of 'AddV2' Op has type int32 that does not match "
                                 "type float32 of argument 'x'.");
    assert_null(tfg_graph_add_op(g, "AddV2", "Add", (tfg_endpoint[]){ { f2, 0 }, { f3, 0 } }, 2,
                                 NULL, noloc, &err));
    assert_string_equal(err.msg, "Dimensions must be equal, but are 2 and 3 for 'Add' (op: "
                                 "'AddV2') with input shapes: [2], [3].");
    assert_null(opn(g, "Sqrt", "bad5", NULL, &err, 1, i3));
    assert_string_equal(err.msg, "Value passed to parameter 'x' has DataType int32 not in list "
                                 "of allowed values: float32, float64");
    assert_null(opn(g, "LogicalAnd", "bad6", NULL, &err, 2, f2, b1));
    assert_string_equal(err.msg, "Input 'x' of 'LogicalAnd' Op has type float32 that does not "
                                 "match expected type of bool.");
    tfg_node *e = op(g, "Less", NULL, &err, 2, f3, f3);
    assert_non_null(e);
    assert_int_equal(e->out_dtype[0], TFG_BOOL);
    tfg_node *col = placeholder(g, TFG_FLOAT32, 2, (int64_t[]){ -1, 1 });
    e = op(g, "Mul", NULL, &err, 2, col, f3);
    assert_non_null(e);
    assert_string_equal(shape_of(e), "[?,3]");
    assert_null(opn(g, "AddN", "bad7", NULL, &err, 2, f2, f3));
    assert_string_equal(err.msg, "Dimension 0 in both shapes must be equal, but are 2 and 3. "
                                 "Shapes are [2] and [3]. From merging shape 0 with other "
                                 "shapes. for 'bad7' (op: 'AddN') with input shapes: [2], [3].");
    tfg_graph_free(g);
}

static void test_reshape_and_reduce(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *x6 = cnst(g, TFG_INT32, 1, (int64_t[]){ 6 }, (double[]){ 1, 2, 3, 4, 5, 6 });
    assert_null(opn(g, "Reshape", "bad8", NULL, &err, 2, x6, ivec(g, 1, (double[]){ 4 })));
    assert_string_equal(err.msg, "Cannot reshape a tensor with 6 elements to shape [4] (4 "
                                 "elements) for 'bad8' (op: 'Reshape') with input shapes: "
                                 "[6], [1] and with input tensors computed as partial shapes: "
                                 "input[1] = [4].");
    tfg_node *r = op(g, "Reshape", NULL, &err, 2, x6, ivec(g, 2, (double[]){ -1, 3 }));
    assert_non_null(r);
    assert_string_equal(shape_of(r), "[2,3]");
    assert_null(opn(g, "Reshape", "bad9", NULL, &err, 2, x6, ivec(g, 2, (double[]){ 4, -1 })));
    assert_string_equal(err.msg, "Dimension size must be evenly divisible by 4 but is 6 for "
                                 "'bad9' (op: 'Reshape') with input shapes: [6], [2] and with "
                                 "input tensors computed as partial shapes: input[1] = [4,?].");
    tfg_node *p = placeholder(g, TFG_FLOAT32, 2, (int64_t[]){ -1, 3 });
    r = op(g, "Reshape", NULL, &err, 2, p, ivec(g, 1, (double[]){ -1 }));
    assert_string_equal(shape_of(r), "[?]");
    r = op(g, "Reshape", NULL, &err, 2, p, ivec(g, 2, (double[]){ -1, 3 }));
    assert_string_equal(shape_of(r), "[?,3]");

    tfg_node *s = op(g, "Sum", NULL, &err, 2, r, scalar(g, TFG_INT32, 1));
    assert_string_equal(shape_of(s), "[?]");
    tfg_attrs keep = { 0 };
    keep.flag[0] = true;
    s = op(g, "Mean", &keep, &err, 2, r, scalar(g, TFG_INT32, -1));
    assert_string_equal(shape_of(s), "[?,1]");
    assert_null(opn(g, "Sum", "bad10", NULL, &err, 2, r, scalar(g, TFG_INT32, 3)));
    assert_string_equal(err.msg, "Invalid reduction dimension 3 for input with 2 dimensions. for "
                                 "'bad10' (op: 'Sum') with input shapes: [?,3], [] and with "
                                 "computed input tensors: input[1] = <3>.");
    s = op(g, "ArgMax", NULL, &err, 2, r, scalar(g, TFG_INT32, 1));
    assert_int_equal(s->out_dtype[0], TFG_INT64);
    assert_string_equal(shape_of(s), "[?]");
    s = op(g, "Sum", NULL, &err, 2, r, placeholder(g, TFG_INT32, -1, NULL));
    assert_int_equal(s->out_shape[0].rank, -1);
    tfg_graph_free(g);
}

static void test_array_shapes(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *x23 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 2, 3 }, (double[]){ 1, 2, 3, 4, 5, 6 });
    tfg_node *p = placeholder(g, TFG_FLOAT32, 2, (int64_t[]){ -1, 3 });
    tfg_node *n = op(g, "ConcatV2", NULL, &err, 3, x23, p, scalar(g, TFG_INT32, 0));
    assert_string_equal(shape_of(n), "[?,3]");
    n = op(g, "ConcatV2", NULL, &err, 3, x23, x23, scalar(g, TFG_INT32, -1));
    assert_string_equal(shape_of(n), "[2,6]");
    assert_null(opn(g, "ConcatV2", "bad11", NULL, &err, 3, x23, x23, scalar(g, TFG_INT32, 3)));
    assert_string_equal(err.msg, "Shape must be at least rank 4 but is rank 2 for 'bad11' "
                                 "(op: 'ConcatV2') with input shapes: [2,3], [2,3], [] and with "
                                 "computed input tensors: input[2] = <3>.");
    tfg_attrs ax = { 0 };
    ax.i[0] = 1;
    n = op(g, "Pack", &ax, &err, 2, x23, x23);
    assert_string_equal(shape_of(n), "[2,2,3]");
    n = op(g, "Transpose", NULL, &err, 2, x23, ivec(g, 2, (double[]){ 1, 0 }));
    assert_string_equal(shape_of(n), "[3,2]");
    assert_null(opn(g, "Transpose", "bad12", NULL, &err, 2, x23, ivec(g, 3, (double[]){ 1, 0, 2 })));
    assert_string_equal(err.msg, "Dimension must be 2 but is 3 for 'bad12' (op: "
                                 "'Transpose') with input shapes: [2,3], [3].");
    n = op(g, "ExpandDims", NULL, &err, 2, x23, scalar(g, TFG_INT32, -1));
    assert_string_equal(shape_of(n), "[2,3,1]");
    n = op(g, "Squeeze", NULL, &err, 1, n);
    assert_string_equal(shape_of(n), "[2,3]");
    tfg_attrs last = { 0 };
    last.i[0] = -1;
    n = op(g, "OneHot", &last, &err, 4, ivec(g, 2, (double[]){ 1, 2 }), scalar(g, TFG_INT32, 3),
           scalar(g, TFG_FLOAT32, 1), scalar(g, TFG_FLOAT32, 0));
    assert_string_equal(shape_of(n), "[2,3]");
    n = op(g, "GatherV2", NULL, &err, 3, x23, ivec(g, 3, (double[]){ 1, 0, 1 }),
           scalar(g, TFG_INT32, 1));
    assert_string_equal(shape_of(n), "[2,3]");
    n = op(g, "Range", NULL, &err, 3, scalar(g, TFG_INT32, 1), scalar(g, TFG_FLOAT32, 7.5),
           scalar(g, TFG_INT32, 2));
    assert_string_equal(shape_of(n), "[4]");
    assert_int_equal(n->out_dtype[0], TFG_FLOAT32);
    assert_null(opn(g, "Range", "bad13", NULL, &err, 3, scalar(g, TFG_INT32, 1), scalar(g, TFG_INT32, 7),
                   scalar(g, TFG_INT32, 0)));
    assert_string_equal(err.msg, "Requires delta != 0 for 'bad13' (op: 'Range') with input "
                                 "shapes: [], [], [] and with computed input tensors: input[0] "
                                 "= <1>, input[1] = <7>, input[2] = <0>.");
    n = op(g, "Fill", NULL, &err, 2, op(g, "Shape", NULL, &err, 1, p), scalar(g, TFG_INT32, 7));
    assert_string_equal(shape_of(n), "[?,3]");
    assert_int_equal(n->out_dtype[0], TFG_INT32);
    n = op(g, "Tile", NULL, &err, 2, x23, ivec(g, 2, (double[]){ 2, -1 }));
    assert_string_equal(shape_of(n), "[4,?]");
    n = op(g, "SelectV2", NULL, &err, 3, cnst(g, TFG_BOOL, 1, (int64_t[]){ 3 }, (double[]){ 1, 0, 1 }),
           x23, scalar(g, TFG_FLOAT32, 0));
    assert_string_equal(shape_of(n), "[2,3]");
    assert_null(opn(g, "Select", "bad17", NULL, &err, 3,
                    cnst(g, TFG_BOOL, 1, (int64_t[]){ 3 }, (double[]){ 1, 0, 1 }), x23, x23));
    assert_string_equal(err.msg, "Dimension 0 in both shapes must be equal, but are 3 and 2. "
                                 "Shapes are [3] and [2]. for 'bad17' (op: 'Select') with input "
                                 "shapes: [3], [2,3], [2,3].");
    tfg_graph_free(g);
}

/* ---- running ---------------------------------------------------------------------------------- */

static void test_run_math(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *m1 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 1, 2 }, (double[]){ 3, 3 });
    tfg_node *m2 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 2, 1 }, (double[]){ 2, 2 });
    tfg_node *mm = op(g, "MatMul", NULL, &err, 2, m1, m2);
    tfg_node *sum = op(g, "AddV2", NULL, &err, 2, mm, mm);
    tfg_node *red = op(g, "Sum", NULL, &err, 2, m1, ivec(g, 2, (double[]){ 0, 1 }));
    tfg_node *rs = op(g, "Reshape", NULL, &err, 2, m1, ivec(g, 1, (double[]){ -1 }));
    tfg_node *tr = op(g, "Transpose", NULL, &err, 2, m1, ivec(g, 2, (double[]){ 1, 0 }));
    tfg_node *rg = op(g, "Range", NULL, &err, 3, scalar(g, TFG_INT32, 0), scalar(g, TFG_INT32, 5),
                      scalar(g, TFG_INT32, 2));
    tfg_node *x22 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 2, 2 }, (double[]){ 1, 2, 3, 4 });
    tfg_node *sel = op(g, "Select", NULL, &err, 3,
                       cnst(g, TFG_BOOL, 1, (int64_t[]){ 2 }, (double[]){ 0, 1 }), x22,
                       op(g, "Neg", NULL, &err, 1, x22));
    assert_non_null(sel);
    tfg_session *s = tfg_session_new(g, NULL);
    assert_non_null(s);
    tfg_tensor *t = run1(s, sel, &err);
    assert_non_null(t);
    assert_true(tfg_tensor_get_f(t, 0) == -1 && tfg_tensor_get_f(t, 1) == -2 &&
                tfg_tensor_get_f(t, 2) == 3 && tfg_tensor_get_f(t, 3) == 4);
    tfg_tensor_unref(t);
    t = run1(s, sum, &err);
    assert_non_null(t);
    assert_int_equal(t->rank, 2);
    assert_true(tfg_tensor_get_f(t, 0) == 24.0);
    tfg_tensor_unref(t);
    t = run1(s, red, &err);
    assert_true(t->rank == 0 && tfg_tensor_get_f(t, 0) == 6.0);
    tfg_tensor_unref(t);
    t = run1(s, rs, &err);
    assert_true(t->rank == 1 && t->shape[0] == 2);
    tfg_tensor_unref(t);
    t = run1(s, tr, &err);
    assert_true(t->rank == 2 && t->shape[0] == 2 && t->shape[1] == 1);
    tfg_tensor_unref(t);
    t = run1(s, rg, &err);
    assert_non_null(t);
    assert_int_equal(t->size, 3);
    assert_int_equal(tfg_tensor_get_i(t, 2), 4);
    tfg_tensor_unref(t);
    tfg_session_free(s);
    tfg_graph_free(g);
}

static void test_run_placeholder_and_variables(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *p = placeholder(g, TFG_FLOAT32, -1, NULL);
    tfg_node *q = placeholder(g, TFG_FLOAT32, 2, (int64_t[]){ 2, 3 });
    tfg_attrs va = { 0 };
    va.dtype = TFG_INT32;
    va.shape = tfg_shape_scalar();
    tfg_node *v = tfg_graph_add_op(g, "VariableV2", "counter", NULL, 0, &va, noloc, &err);
    assert_non_null(v);
    tfg_attrs validate = { 0 };
    validate.flag[0] = true;
    tfg_node *init = tfg_graph_add_op(g, "Assign", NULL,
                                      (tfg_endpoint[]){ { v, 0 }, { scalar(g, TFG_INT32, 0), 0 } },
                                      2, &validate, noloc, &err);
    assert_non_null(init);
    tfg_node *one = scalar(g, TFG_INT32, 1);
    tfg_node *inc = op(g, "AssignAdd", NULL, &err, 2, v, one);
    assert_non_null(inc);
    assert_null(opn(g, "Assign", "bad14", &validate, &err, 2, v, ivec(g, 2, (double[]){ 1, 2 })));
    assert_string_equal(err.msg, "Shapes must be equal rank, but are 0 and 1 for 'bad14' (op: "
                                 "'Assign') with input shapes: [], [2].");
    assert_null(opn(g, "Assign", "bad15", NULL, &err, 2, one, one));

    tfg_session *s = tfg_session_new(g, NULL);
    assert_null(run1(s, p, &err));
    assert_string_equal(err.msg, "You must feed a value for placeholder tensor 'Placeholder' with "
                                 "dtype float");
    assert_null(run1(s, q, &err));
    assert_string_equal(err.msg, "You must feed a value for placeholder tensor 'Placeholder_1' "
                                 "with dtype float and shape [2,3]");
    assert_null(run1(s, v, &err));
    assert_string_equal(err.msg, "Attempting to use uninitialized value counter");
    assert_null(run1(s, inc, &err));
    assert_string_equal(err.msg, "Attempting to use uninitialized value counter");
    tfg_tensor *t = run1(s, init, &err);
    assert_non_null(t);
    tfg_tensor_unref(t);
    for (int i = 0; i < 3; i++) {
        t = run1(s, inc, &err);
        assert_non_null(t);
        tfg_tensor_unref(t);
    }
    t = run1(s, v, &err);
    assert_non_null(t);
    assert_int_equal(tfg_tensor_get_i(t, 0), 3);
    tfg_tensor_unref(t);
    /* the Const that initialised the variable is untouched */
    t = run1(s, init->inputs[1].node, &err);
    assert_int_equal(tfg_tensor_get_i(t, 0), 0);
    tfg_tensor_unref(t);
    tfg_session_free(s);
    tfg_graph_free(g);
}

static void test_run_random(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_attrs a = { 0 };
    a.dtype = TFG_FLOAT32;
    a.i[2] = 1;
    a.i[3] = 2;
    a.f[0] = -1;
    a.f[1] = 1;
    tfg_node *u = op(g, "RandomUniform", &a, &err, 1, ivec(g, 1, (double[]){ 1000 }));
    assert_non_null(u);
    assert_string_equal(shape_of(u), "[1000]");
    tfg_session *s = tfg_session_new(g, NULL);
    tfg_tensor *t = run1(s, u, &err);
    assert_non_null(t);
    double lo = 1, hi = -1;
    for (int64_t i = 0; i < t->size; i++) {
        double v = tfg_tensor_get_f(t, i);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    assert_true(lo >= -1 && lo < -0.9 && hi < 1 && hi > 0.9);
    tfg_tensor_unref(t);
    tfg_session_free(s);
    a.dtype = TFG_INT32;
    assert_null(opn(g, "RandomStandardNormal", "bad16", &a, &err, 1, ivec(g, 1, (double[]){ 2 })));
    tfg_graph_free(g);
}

/* Runs n and checks the result's shape text (and returns it for value checks). */
static tfg_tensor *run_shape(tfg_session *s, tfg_node *n, const char *want)
{
    tfg_error err;
    assert_non_null(n);
    tfg_tensor *t = run1(s, n, &err);
    if (!t) fail_msg("%s: %s", n->name, err.msg);
    char b[128];
    tfg_tensor_shape_str(t->rank, t->shape, b, sizeof b);
    assert_string_equal(b, want);
    return t;
}

static void test_run_array(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *x23 = cnst(g, TFG_FLOAT32, 2, (int64_t[]){ 2, 3 }, (double[]){ 1, 2, 3, 4, 5, 6 });
    tfg_attrs a1 = { 0 };
    a1.i[0] = 1;
    tfg_attrs last = { 0 };
    last.i[0] = -1;
    tfg_attrs to_int = { 0 };
    to_int.dtype = TFG_INT32;
    tfg_attrs sq = { 0 };
    sq.ints = (int64_t[]){ 0 };
    sq.nints = 1;
    tfg_attrs sl = { 0 };
    tfg_slice_spec spec[2] = { { .kind = TFG_SLICE_INDEX, .index = -1 },
                               { .kind = TFG_SLICE_RANGE, .has_start = true, .start = 1, .step = 1 } };
    sl.slices = spec;
    sl.nslices = 2;
    tfg_node *nodes[] = {
        op(g, "ConcatV2", NULL, &err, 3, x23, x23, scalar(g, TFG_INT32, 1)),
        op(g, "Pack", &a1, &err, 2, x23, x23),
        op(g, "Fill", NULL, &err, 2, ivec(g, 2, (double[]){ 2, 2 }), scalar(g, TFG_FLOAT64, 7)),
        op(g, "OneHot", &last, &err, 4, ivec(g, 2, (double[]){ 0, 2 }), scalar(g, TFG_INT32, 3),
           scalar(g, TFG_FLOAT32, 5), scalar(g, TFG_FLOAT32, 0)),
        op(g, "Tile", NULL, &err, 2, x23, ivec(g, 2, (double[]){ 2, 1 })),
        op(g, "GatherV2", NULL, &err, 3, x23, ivec(g, 1, (double[]){ 2 }), scalar(g, TFG_INT32, -1)),
        op(g, "SelectV2", NULL, &err, 3, cnst(g, TFG_BOOL, 1, (int64_t[]){ 3 }, (double[]){ 1, 0, 1 }),
           x23, scalar(g, TFG_FLOAT32, 0)),
        op(g, "StridedSlice", &sl, &err, 1, x23),
        op(g, "ExpandDims", NULL, &err, 2, x23, scalar(g, TFG_INT32, 0)),
        op(g, "Squeeze", &sq, &err, 1, op(g, "ExpandDims", NULL, &err, 2, x23, scalar(g, TFG_INT32, 0))),
        op(g, "Shape", NULL, &err, 1, x23),
        op(g, "Size", NULL, &err, 1, x23),
        op(g, "Rank", NULL, &err, 1, x23),
        op(g, "ZerosLike", NULL, &err, 1, x23),
        op(g, "OnesLike", NULL, &err, 1, x23),
        op(g, "Cast", &to_int, &err, 1, x23),
        op(g, "Softmax", NULL, &err, 1, x23),
        op(g, "ArgMax", NULL, &err, 2, x23, scalar(g, TFG_INT32, 1)),
        op(g, "Max", NULL, &err, 2, x23, scalar(g, TFG_INT32, 0)),
        op(g, "AddN", NULL, &err, 3, x23, x23, x23),
        op(g, "Identity", NULL, &err, 1, x23),
    };
    const char *shapes[] = { "[2,6]", "[2,2,3]", "[2,2]", "[2,3]", "[4,3]", "[2,1]", "[2,3]", "[2]",
                             "[1,2,3]", "[2,3]", "[2]", "[]", "[]", "[2,3]", "[2,3]", "[2,3]",
                             "[2,3]", "[2]", "[3]", "[2,3]", "[2,3]" };
    double first[] = { 1, 1, 7, 5, 1, 3, 1, 5, 1, 1, 2, 6, 2, 0, 1, 1, -1, 2, 4, 3, 1 };
    tfg_session *s = tfg_session_new(g, NULL);
    for (size_t k = 0; k < sizeof nodes / sizeof nodes[0]; k++) {
        tfg_tensor *t = run_shape(s, nodes[k], shapes[k]);
        if (first[k] >= 0) assert_true(tfg_tensor_get_f(t, 0) == first[k]);
        tfg_tensor_unref(t);
    }
    /* kernels check what a feed could break */
    tfg_node *perm = placeholder(g, TFG_INT32, -1, NULL);
    tfg_node *tr = op(g, "Transpose", NULL, &err, 2, x23, perm);
    tfg_tensor *pv = tfg_tensor_new(TFG_INT32, 1, (int64_t[]){ 2 }, &err);
    tfg_tensor_set_i(pv, 0, 1);
    tfg_tensor_set_i(pv, 1, 1);
    tfg_feed feed = { { perm, 0 }, pv };
    tfg_endpoint e = { tr, 0 };
    tfg_tensor *r = NULL;
    assert_int_equal(tfg_session_run(s, &e, 1, NULL, 0, &feed, 1, &r, &err), -1);
    assert_string_equal(err.msg, "0 is missing from {1,1}.");
    tfg_tensor_unref(pv);
    tfg_session_free(s);
    tfg_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_shape_text),
        cmocka_unit_test(test_matmul_errors),
        cmocka_unit_test(test_elementwise_rules),
        cmocka_unit_test(test_reshape_and_reduce),
        cmocka_unit_test(test_array_shapes),
        cmocka_unit_test(test_run_math),
        cmocka_unit_test(test_run_placeholder_and_variables),
        cmocka_unit_test(test_run_random),
        cmocka_unit_test(test_run_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
