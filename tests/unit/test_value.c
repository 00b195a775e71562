/* test_value.c — script values (src/value.c): Python's str()/repr() of every
 * kind, equality, the string buffer, and reference counting (containers own
 * their items, bound builtins their self, contexts their session, sessions
 * their tfg_session). Run under ASan with detect_leaks=1, a missed decref or
 * a double free fails the test. Expected texts are what Python 3 / numpy 2.x
 * / TensorFlow 2.21 (tf.compat.v1 with v2 behaviour disabled, as the oracle
 * runs it) print for the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "src/ast.h"
#include "src/graph.h"
#include "src/session.h"
#include "src/value.h"

static const tfg_loc noloc = { 0, 0, 0 };

/* str(v) as a malloc'd string. */
static char *str_of(tfg_val v)
{
    tfg_sb b = { 0 };
    tfg_val_str_into(&b, v);
    char *s = tfg_sb_take(&b);
    assert_non_null(s);
    return s;
}

/* repr(v) as a malloc'd string. */
static char *repr_of(tfg_val v)
{
    tfg_sb b = { 0 };
    tfg_val_repr_into(&b, v);
    char *s = tfg_sb_take(&b);
    assert_non_null(s);
    return s;
}

/* Checks str(v) and repr(v) (repr NULL: same as str). */
static void check_text(tfg_val v, const char *want_str, const char *want_repr)
{
    char *s = str_of(v), *r = repr_of(v);
    assert_string_equal(s, want_str);
    assert_string_equal(r, want_repr ? want_repr : want_str);
    free(s);
    free(r);
}

/* Checks str(v) and repr(v), then drops the caller's reference to v. */
static void check_text_drop(tfg_val v, const char *want_str, const char *want_repr)
{
    check_text(v, want_str, want_repr);
    tfg_val_decref(v);
}

/* A list or tuple of the given values (references taken over). */
static tfg_val seq(tfg_vtype t, int n, ...)
{
    tfg_val l = tfg_val_list_new(t, 0);
    assert_int_equal(l.t, t);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(tfg_val_list_append(l, va_arg(ap, tfg_val)), 0);
    va_end(ap);
    return l;
}

/* A float32 host array of the given shape and values. */
static tfg_val farray(tfg_dtype dt, int rank, const int64_t *shape, const double *v)
{
    tfg_error err;
    tfg_tensor *t = tfg_tensor_new(dt, rank, shape, &err);
    assert_non_null(t);
    for (int64_t i = 0; i < t->size; i++)
        tfg_tensor_set_f(t, i, v[i]);
    return tfg_val_array(t);
}

/* The refcount of a heap value. */
static int rc(tfg_val v)
{
    return ((tfg_obj *)v.u.p)->refcount;
}

/* None, bools, ints and floats print as Python does. */
static void test_scalars(void **state)
{
    (void)state;
    check_text(tfg_val_none(), "None", NULL);
    check_text(tfg_val_bool(true), "True", NULL);
    check_text(tfg_val_bool(false), "False", NULL);
    check_text(tfg_val_int(0), "0", NULL);
    check_text(tfg_val_int(-42), "-42", NULL);
    check_text(tfg_val_int(INT64_MIN), "-9223372036854775808", NULL);
    check_text(tfg_val_float(1.0), "1.0", NULL);
    check_text(tfg_val_float(0.1), "0.1", NULL);
    check_text(tfg_val_float(2.5), "2.5", NULL);
    check_text(tfg_val_float(1e16), "1e+16", NULL);
    check_text(tfg_val_float(1e-5), "1e-05", NULL);
    check_text(tfg_val_float(-0.0), "-0.0", NULL);
    check_text(tfg_val_float(INFINITY), "inf", NULL);
    check_text(tfg_val_float(-INFINITY), "-inf", NULL);
    check_text(tfg_val_float(NAN), "nan", NULL);
    check_text(tfg_val_float(123456789.123), "123456789.123", NULL);
    tfg_val u = { .t = TFG_V_UNKNOWN };
    check_text(u, "<unknown>", NULL);
    tfg_val g = { .t = TFG_V_GRAPH };
    char *s = str_of(g);
    assert_non_null(strstr(s, "<tensorflow.python.framework.ops.Graph object at 0x"));
    free(s);
}

/* str() is the text; repr() quotes and escapes as Python. */
static void test_strings(void **state)
{
    (void)state;
    check_text_drop(tfg_val_cstr("abc"), "abc", "'abc'");
    check_text_drop(tfg_val_cstr(""), "", "''");
    check_text_drop(tfg_val_cstr("it's"), "it's", "\"it's\"");
    check_text_drop(tfg_val_cstr("say \"hi\""), "say \"hi\"", "'say \"hi\"'");
    check_text_drop(tfg_val_cstr("both ' and \""), "both ' and \"", "'both \\' and \"'");
    check_text_drop(tfg_val_cstr("tab\there\nnl\\"), "tab\there\nnl\\", "'tab\\there\\nnl\\\\'");
    check_text_drop(tfg_val_cstr("\x01\r\x7f"), "\x01\r\x7f", "'\\x01\\r\\x7f'");
    check_text_drop(tfg_val_cstr("h\xc3\xa9llo"), "h\xc3\xa9llo", "'h\xc3\xa9llo'");
    /* embedded NUL: length-counted */
    tfg_val z = tfg_val_str("a\0b", 3);
    tfg_sb b = { 0 };
    tfg_val_str_into(&b, z);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.s, "a\0b", 3);
    free(tfg_sb_take(&b));
    char *r = repr_of(z);
    assert_string_equal(r, "'a\\x00b'");
    free(r);
    tfg_val_decref(z);
}

/* Lists, tuples, dicts, ranges and slices print their items' reprs. */
static void test_containers(void **state)
{
    (void)state;
    check_text_drop(seq(TFG_V_LIST, 0), "[]", NULL);
    check_text_drop(seq(TFG_V_TUPLE, 0), "()", NULL);
    check_text_drop(seq(TFG_V_TUPLE, 1, tfg_val_int(1)), "(1,)", NULL);
    check_text_drop(seq(TFG_V_TUPLE, 2, tfg_val_int(1), tfg_val_int(2)), "(1, 2)", NULL);
    check_text_drop(seq(TFG_V_LIST, 3, tfg_val_int(1), tfg_val_float(2.5), tfg_val_cstr("a")),
                    "[1, 2.5, 'a']", NULL);
    check_text_drop(seq(TFG_V_LIST, 2, seq(TFG_V_TUPLE, 1, tfg_val_none()),
                        seq(TFG_V_LIST, 1, tfg_val_bool(true))),
                    "[(None,), [True]]", NULL);
    tfg_val d = tfg_val_dict_new();
    check_text(d, "{}", NULL);
    assert_int_equal(tfg_val_dict_set(d, tfg_val_cstr("a"), tfg_val_int(1)), 0);
    assert_int_equal(tfg_val_dict_set(d, tfg_val_cstr("b"), seq(TFG_V_LIST, 1, tfg_val_int(2))), 0);
    assert_int_equal(tfg_val_dict_set(d, tfg_val_int(3), tfg_val_cstr("it's")), 0);
    check_text(d, "{'a': 1, 'b': [2], 3: \"it's\"}", NULL);
    /* replacing keeps the first key and the insertion order */
    assert_int_equal(tfg_val_dict_set(d, tfg_val_float(3.0), tfg_val_none()), 0);
    check_text(d, "{'a': 1, 'b': [2], 3: None}", NULL);
    tfg_val k = tfg_val_cstr("b");
    tfg_val *got = tfg_val_dict_get(d, k);
    assert_non_null(got);
    assert_int_equal(got->t, TFG_V_LIST);
    tfg_val_decref(k);
    k = tfg_val_cstr("zz");
    assert_null(tfg_val_dict_get(d, k));
    tfg_val_decref(k);
    tfg_val_decref(d);
    /* a range, a slice */
    tfg_val r = seq(TFG_V_RANGE, 3, tfg_val_int(0), tfg_val_int(3), tfg_val_int(1));
    check_text_drop(r, "range(0, 3)", NULL);
    r = seq(TFG_V_RANGE, 3, tfg_val_int(10), tfg_val_int(0), tfg_val_int(-2));
    check_text_drop(r, "range(10, 0, -2)", NULL);
    tfg_val sl = seq(TFG_V_SLICE, 3, tfg_val_int(1), tfg_val_int(2), tfg_val_none());
    check_text_drop(sl, "slice(1, 2, None)", NULL);
    sl = seq(TFG_V_SLICE, 3, tfg_val_none(), tfg_val_int(-1), tfg_val_int(-1));
    check_text_drop(sl, "slice(None, -1, -1)", NULL);
}

/* Arrays print as numpy's str/repr, numpy scalars inside lists as np.float32(...). */
static void test_arrays(void **state)
{
    (void)state;
    int64_t s11[2] = { 1, 1 }, s1 = 1, s2 = 2;
    tfg_val a = farray(TFG_FLOAT32, 2, s11, (double[]){ 12 });
    check_text(a, "[[12.]]", "array([[12.]], dtype=float32)");
    tfg_val l = seq(TFG_V_LIST, 1, tfg_val_incref(a));
    check_text_drop(l, "[array([[12.]], dtype=float32)]", NULL);
    tfg_val_decref(a);
    tfg_val v = farray(TFG_FLOAT32, 1, &s2, (double[]){ -2, -1 });
    check_text_drop(v, "[-2. -1.]", "array([-2., -1.], dtype=float32)");
    /* numpy scalars: rank 0 */
    tfg_val x = farray(TFG_FLOAT32, 0, NULL, (double[]){ 21 });
    tfg_val y = farray(TFG_FLOAT32, 0, NULL, (double[]){ 7 });
    check_text(x, "21.0", "np.float32(21.0)");
    check_text_drop(seq(TFG_V_LIST, 2, x, y), "[np.float32(21.0), np.float32(7.0)]", NULL);
    tfg_val i = farray(TFG_INT32, 1, &s1, (double[]){ 14 });
    check_text_drop(seq(TFG_V_LIST, 1, i), "[array([14], dtype=int32)]", NULL);
    tfg_val f64 = farray(TFG_FLOAT64, 1, &s2, (double[]){ 0.5, 1 });
    check_text_drop(seq(TFG_V_TUPLE, 1, f64), "(array([0.5, 1. ]),)", NULL);
    tfg_val b = farray(TFG_BOOL, 0, NULL, (double[]){ 1 });
    check_text_drop(b, "True", "np.True_");
    /* a failed constructor is MISSING */
    assert_int_equal(tfg_val_array(NULL).t, TFG_V_MISSING);
}

/* dtypes (TF and numpy flavours) and TensorShapes print as TF 1.x / numpy. */
static void test_dtypes_shapes(void **state)
{
    (void)state;
    check_text(tfg_val_dtype(TFG_FLOAT32), "<dtype: 'float32'>", "tf.float32");
    check_text(tfg_val_dtype(TFG_INT64), "<dtype: 'int64'>", "tf.int64");
    tfg_val nd = tfg_val_dtype(TFG_FLOAT32);
    nd.u.e.index = 1;   /* numpy's arr.dtype */
    check_text(nd, "float32", "dtype('float32')");
    nd.u.e.index = 2;   /* numpy's np.float32 */
    check_text(nd, "<class 'numpy.float32'>", NULL);
    assert_true(tfg_val_eq(nd, tfg_val_dtype(TFG_FLOAT32)));
    tfg_val s = tfg_val_cstr("float32");
    assert_true(tfg_val_eq(nd, s));
    assert_true(tfg_val_eq(s, tfg_val_dtype(TFG_FLOAT32)));
    assert_false(tfg_val_eq(s, tfg_val_dtype(TFG_INT32)));
    tfg_val_decref(s);

    tfg_shape sh = tfg_shape_make(2, (int64_t[]){ 2, 3 });
    check_text_drop(tfg_val_shape(&sh), "(2, 3)", "TensorShape([Dimension(2), Dimension(3)])");
    sh = tfg_shape_make(2, (int64_t[]){ -1, 3 });
    check_text_drop(tfg_val_shape(&sh), "(?, 3)", "TensorShape([Dimension(None), Dimension(3)])");
    sh = tfg_shape_make(1, (int64_t[]){ 5 });
    check_text_drop(tfg_val_shape(&sh), "(5,)", "TensorShape([Dimension(5)])");
    sh = tfg_shape_scalar();
    check_text_drop(tfg_val_shape(&sh), "()", "TensorShape([])");
    sh = tfg_shape_unknown();
    check_text_drop(tfg_val_shape(&sh), "<unknown>", "TensorShape(None)");
    tfg_shape a = tfg_shape_make(1, (int64_t[]){ 5 }), b = tfg_shape_make(1, (int64_t[]){ 5 });
    tfg_val va = tfg_val_shape(&a), vb = tfg_val_shape(&b);
    assert_true(tfg_val_eq(va, vb));
    tfg_val_decref(va);
    tfg_val_decref(vb);
}

/* A Const node of a float32 [1,1] value. */
static tfg_node *const11(tfg_graph *g, const char *name)
{
    tfg_error err;
    tfg_tensor *t = tfg_tensor_new(TFG_FLOAT32, 2, (int64_t[]){ 1, 1 }, &err);
    assert_non_null(t);
    tfg_attrs at = { 0 };
    at.value = t;
    tfg_node *n = tfg_graph_add_op(g, "Const", name, NULL, 0, &at, noloc, &err);
    tfg_tensor_unref(t);
    assert_non_null(n);
    return n;
}

/* Tensors, operations, variables, sessions and contexts; sessions are freed with their last reference. */
static void test_graph_objects(void **state)
{
    (void)state;
    tfg_graph *g = tfg_graph_new();
    tfg_error err;
    tfg_node *c = const11(g, NULL);
    tfg_node *c1 = const11(g, NULL);
    tfg_attrs none = { 0 };
    tfg_endpoint in[2] = { { c, 0 }, { c1, 0 } };
    tfg_node *mm = tfg_graph_add_op(g, "MatMul", NULL, in, 2, &none, noloc, &err);
    assert_non_null(mm);
    tfg_endpoint e = { mm, 0 };
    check_text(tfg_val_tensor(e), "Tensor(\"MatMul:0\", shape=(1, 1), dtype=float32)",
               "<tf.Tensor 'MatMul:0' shape=(1, 1) dtype=float32>");
    check_text(tfg_val_op(mm), "name: \"MatMul\"\nop: \"MatMul\"\ninput: \"Const\"\ninput: \"Const_1\"\n",
               "<tf.Operation 'MatMul' type=MatMul>");

    tfg_attrs pa = { 0 };
    pa.dtype = TFG_FLOAT32;
    pa.shape = tfg_shape_unknown();
    tfg_node *p = tfg_graph_add_op(g, "Placeholder", NULL, NULL, 0, &pa, noloc, &err);
    assert_non_null(p);
    check_text(tfg_val_tensor((tfg_endpoint){ p, 0 }), "Tensor(\"Placeholder:0\", dtype=float32)",
               "<tf.Tensor 'Placeholder:0' shape=<unknown> dtype=float32>");
    pa.shape = tfg_shape_make(2, (int64_t[]){ -1, 3 });
    tfg_node *p1 = tfg_graph_add_op(g, "Placeholder", NULL, NULL, 0, &pa, noloc, &err);
    assert_non_null(p1);
    check_text(tfg_val_tensor((tfg_endpoint){ p1, 0 }),
               "Tensor(\"Placeholder_1:0\", shape=(?, 3), dtype=float32)",
               "<tf.Tensor 'Placeholder_1:0' shape=(?, 3) dtype=float32>");

    tfg_attrs va = { 0 };
    va.dtype = TFG_INT32;
    va.shape = tfg_shape_scalar();
    tfg_node *v = tfg_graph_add_op(g, "VariableV2", "counter", NULL, 0, &va, noloc, &err);
    assert_non_null(v);
    check_text(tfg_val_variable(v), "<tf.Variable 'counter:0' shape=() dtype=int32_ref>", NULL);

    tfg_node *noop = tfg_graph_add_op(g, "NoOp", "init", NULL, 0, &none, noloc, &err);
    assert_non_null(noop);
    assert_int_equal(tfg_graph_add_control(g, noop, mm), 0);
    check_text(tfg_val_op(noop), "name: \"init\"\nop: \"NoOp\"\ninput: \"^MatMul\"\n",
               "<tf.Operation 'init' type=NoOp>");

    assert_int_equal(tfg_graph_push_device(g, "/cpu:0", &err), 0);
    tfg_node *dc = const11(g, "dev");
    tfg_graph_pop_device(g);
    check_text(tfg_val_tensor((tfg_endpoint){ dc, 0 }),
               "Tensor(\"dev:0\", shape=(1, 1), dtype=float32, device=/device:CPU:0)",
               "<tf.Tensor 'dev:0' shape=(1, 1) dtype=float32>");
    char *s = str_of(tfg_val_op(dc));
    assert_non_null(strstr(s, "device: \"/device:CPU:0\"\n"));
    free(s);

    /* a list of tensors prints their reprs; graph objects compare by identity */
    check_text_drop(seq(TFG_V_LIST, 2, tfg_val_tensor(e), tfg_val_variable(v)),
               "[<tf.Tensor 'MatMul:0' shape=(1, 1) dtype=float32>, <tf.Variable 'counter:0' "
               "shape=() dtype=int32_ref>]", NULL);
    assert_true(tfg_val_eq(tfg_val_tensor(e), tfg_val_tensor(e)));
    assert_false(tfg_val_eq(tfg_val_tensor(e), tfg_val_tensor((tfg_endpoint){ c, 0 })));
    assert_false(tfg_val_eq(tfg_val_op(mm), tfg_val_tensor(e)));
    assert_true(tfg_val_eq(tfg_val_variable(v), tfg_val_variable(v)));

    /* sessions: the last reference frees the tfg_session (leak-checked) */
    tfg_val sv = tfg_val_obj(TFG_V_SESSION, sizeof(tfg_sessobj));
    ((tfg_sessobj *)sv.u.p)->s = tfg_session_new(g, NULL);
    s = str_of(sv);
    assert_non_null(strstr(s, "<tensorflow.python.client.session.Session object at 0x"));
    free(s);
    assert_string_equal(tfg_val_type_name(sv), "Session");
    tfg_val sv2 = tfg_val_obj(TFG_V_SESSION, sizeof(tfg_sessobj));
    ((tfg_sessobj *)sv2.u.p)->interactive = true;   /* closed: s NULL */
    s = repr_of(sv2);
    assert_non_null(strstr(s, "InteractiveSession object at 0x"));
    free(s);
    assert_false(tfg_val_eq(sv, sv2));
    assert_true(tfg_val_eq(sv, sv));

    /* a context holds a session reference and owns its text and nodes */
    tfg_val ctx = tfg_val_obj(TFG_V_CTX, sizeof(tfg_ctxobj));
    tfg_ctxobj *co = ctx.u.p;
    co->kind = TFG_CTX_DEFAULT_SESSION;
    co->session = tfg_val_incref(sv);
    co->text = strdup("/cpu:0");
    co->nodes = malloc(sizeof(tfg_node *));
    co->nodes[0] = mm;
    co->nnodes = 1;
    assert_int_equal(rc(sv), 2);
    tfg_val_decref(sv);
    assert_int_equal(rc(sv), 1);
    s = str_of(ctx);
    assert_non_null(strstr(s, "object at 0x"));
    free(s);
    tfg_val_decref(ctx);   /* frees the session too */
    tfg_val_decref(sv2);
    tfg_graph_free(g);
}

/* A builtin for the tests. */
static int fake_fn(struct tfg_eval *ev, tfg_val self, struct tfg_args *a, tfg_val *out)
{
    (void)ev;
    (void)self;
    (void)a;
    *out = tfg_val_none();
    return 0;
}

/* Modules, builtins (bound and unbound), functions, ConfigProto, type names. */
static void test_misc_kinds(void **state)
{
    (void)state;
    check_text_drop(tfg_val_module("tf"), "<module 'tensorflow'>", NULL);
    check_text_drop(tfg_val_module("tf.nn"), "<module 'tensorflow.nn'>", NULL);
    check_text_drop(tfg_val_module("np"), "<module 'numpy'>", NULL);
    static const tfg_builtin print_def = { "print", fake_fn, NULL, 0 };
    static const tfg_builtin append_def = { "append", fake_fn, NULL, 0 };
    tfg_val missing = { .t = TFG_V_MISSING };
    tfg_val f = tfg_val_builtin(&print_def, missing);
    check_text_drop(f, "<built-in function print>", NULL);
    tfg_val l = seq(TFG_V_LIST, 0);
    tfg_val m = tfg_val_builtin(&append_def, l);
    assert_int_equal(rc(l), 2);
    check_text(m, "<built-in method append of list object>", NULL);
    tfg_val m2 = tfg_val_builtin(&append_def, l);
    assert_true(tfg_val_eq(m, m2));
    tfg_val_decref(m2);
    tfg_val_decref(m);
    assert_int_equal(rc(l), 1);
    tfg_val_decref(l);

    tfg_ast def = { 0 };
    def.kind = TFG_AST_DEF;
    def.str = "step";
    def.loc = (tfg_loc){ 3, 1, 20 };
    tfg_val fn = tfg_val_obj(TFG_V_FUNC, sizeof(tfg_funcobj));
    ((tfg_funcobj *)fn.u.p)->def = &def;
    char *s = str_of(fn);
    assert_non_null(strstr(s, "<function step at 0x"));
    char *s2 = str_of(fn);
    assert_string_equal(s, s2);   /* stable */
    free(s);
    free(s2);
    tfg_val_decref(fn);

    tfg_val cfg = tfg_val_obj(TFG_V_CONFIG, sizeof(tfg_configobj));
    check_text(cfg, "", NULL);
    ((tfg_configobj *)cfg.u.p)->soft_placement = true;
    ((tfg_configobj *)cfg.u.p)->log_placement = true;
    check_text_drop(cfg, "allow_soft_placement: true\nlog_device_placement: true\n", NULL);

    assert_string_equal(tfg_val_type_name(tfg_val_none()), "NoneType");
    assert_string_equal(tfg_val_type_name(tfg_val_int(1)), "int");
    assert_string_equal(tfg_val_type_name(tfg_val_float(1)), "float");
    assert_string_equal(tfg_val_type_name(tfg_val_bool(1)), "bool");
    tfg_val t = seq(TFG_V_TUPLE, 0);
    assert_string_equal(tfg_val_type_name(t), "tuple");
    tfg_val_decref(t);
    assert_string_equal(tfg_val_type_name(tfg_val_tensor((tfg_endpoint){ NULL, 0 })), "Tensor");
}

/* Python == across numbers, strings, containers and numpy scalars. */
static void test_equality(void **state)
{
    (void)state;
    assert_true(tfg_val_eq(tfg_val_int(1), tfg_val_float(1.0)));
    assert_true(tfg_val_eq(tfg_val_bool(true), tfg_val_int(1)));
    assert_true(tfg_val_eq(tfg_val_bool(false), tfg_val_float(0.0)));
    assert_false(tfg_val_eq(tfg_val_int(1), tfg_val_float(1.5)));
    assert_false(tfg_val_eq(tfg_val_float(NAN), tfg_val_float(NAN)));
    /* no rounding of large ints against floats */
    assert_false(tfg_val_eq(tfg_val_int((1LL << 53) + 1), tfg_val_float(9007199254740992.0)));
    assert_true(tfg_val_eq(tfg_val_int(1LL << 53), tfg_val_float(9007199254740992.0)));
    assert_true(tfg_val_eq(tfg_val_none(), tfg_val_none()));
    assert_false(tfg_val_eq(tfg_val_none(), tfg_val_int(0)));
    tfg_val a = tfg_val_cstr("abc"), b = tfg_val_str("abcd", 3), c = tfg_val_cstr("abd");
    assert_true(tfg_val_eq(a, b));
    assert_false(tfg_val_eq(a, c));
    assert_false(tfg_val_eq(a, tfg_val_int(0)));
    tfg_val l1 = seq(TFG_V_LIST, 2, tfg_val_int(1), tfg_val_incref(a));
    tfg_val l2 = seq(TFG_V_LIST, 2, tfg_val_float(1.0), tfg_val_incref(b));
    tfg_val t1 = seq(TFG_V_TUPLE, 2, tfg_val_int(1), tfg_val_incref(a));
    assert_true(tfg_val_eq(l1, l2));
    assert_false(tfg_val_eq(l1, t1));   /* [1, 'abc'] != (1, 'abc') */
    tfg_val d1 = tfg_val_dict_new(), d2 = tfg_val_dict_new();
    tfg_val_dict_set(d1, tfg_val_cstr("x"), tfg_val_int(1));
    tfg_val_dict_set(d1, tfg_val_cstr("y"), tfg_val_int(2));
    tfg_val_dict_set(d2, tfg_val_cstr("y"), tfg_val_float(2.0));
    assert_false(tfg_val_eq(d1, d2));
    tfg_val_dict_set(d2, tfg_val_cstr("x"), tfg_val_bool(true));
    assert_true(tfg_val_eq(d1, d2));   /* order does not matter */
    /* numpy scalars compare with Python numbers by value */
    tfg_val x = farray(TFG_FLOAT32, 0, NULL, (double[]){ 2.5 });
    assert_true(tfg_val_eq(x, tfg_val_float(2.5)));
    assert_false(tfg_val_eq(x, tfg_val_int(2)));
    assert_true(tfg_val_is_number(tfg_val_bool(false)));
    assert_false(tfg_val_is_number(x));
    assert_true(tfg_val_to_double(tfg_val_int(3)) == 3.0);
    tfg_val vals[] = { a, b, c, l1, l2, t1, d1, d2, x };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        tfg_val_decref(vals[i]);
}

/* Containers, dicts and bound builtins own their references; cycles print as [...]. */
static void test_refcounts(void **state)
{
    (void)state;
    tfg_val s = tfg_val_cstr("shared");
    assert_int_equal(rc(s), 1);
    tfg_val l = tfg_val_list_new(TFG_V_LIST, 1);
    assert_int_equal(tfg_val_list_append(l, tfg_val_incref(s)), 0);
    assert_int_equal(tfg_val_list_append(l, tfg_val_incref(s)), 0);   /* grows past cap */
    assert_int_equal(rc(s), 3);
    tfg_val d = tfg_val_dict_new();
    assert_int_equal(tfg_val_dict_set(d, tfg_val_incref(s), tfg_val_incref(l)), 0);
    assert_int_equal(rc(s), 4);
    assert_int_equal(rc(l), 2);
    /* replacing a value releases the old one and the duplicate key */
    assert_int_equal(tfg_val_dict_set(d, tfg_val_incref(s), tfg_val_int(5)), 0);
    assert_int_equal(rc(s), 4);
    assert_int_equal(rc(l), 1);
    tfg_val_decref(d);
    assert_int_equal(rc(s), 3);
    tfg_val_decref(l);
    assert_int_equal(rc(s), 1);
    tfg_val_decref(s);

    /* inline kinds ignore incref/decref */
    tfg_val n = tfg_val_incref(tfg_val_int(7));
    tfg_val_decref(n);
    tfg_val_decref(tfg_val_none());
    tfg_val_decref((tfg_val){ .t = TFG_V_MISSING });

    /* arrays share the tensor's own count */
    tfg_val a = farray(TFG_FLOAT32, 0, NULL, (double[]){ 1 });
    tfg_val_incref(a);
    assert_int_equal(((tfg_tensor *)a.u.p)->refcount, 2);
    tfg_val_decref(a);
    assert_int_equal(((tfg_tensor *)a.u.p)->refcount, 1);
    tfg_val_decref(a);

    /* a self-containing list prints as Python does, then the cycle is broken */
    tfg_val c = tfg_val_list_new(TFG_V_LIST, 0);
    tfg_val_list_append(c, tfg_val_int(1));
    tfg_val_list_append(c, tfg_val_incref(c));
    check_text(c, "[1, [...]]", NULL);
    tfg_list *cl = tfg_val_as_list(c);
    cl->n--;
    tfg_val_decref(cl->items[1]);
    tfg_val_decref(c);

    /* deep nesting prints without exhausting the stack */
    tfg_val deep = tfg_val_list_new(TFG_V_LIST, 0);
    for (int i = 0; i < 1000; i++) {
        tfg_val outer = tfg_val_list_new(TFG_V_LIST, 1);
        tfg_val_list_append(outer, deep);
        deep = outer;
    }
    char *txt = str_of(deep);
    assert_non_null(strstr(txt, "[...]"));
    free(txt);
    tfg_val_decref(deep);

    /* a bound builtin owns self; an unbound one holds nothing */
    static const tfg_builtin def = { "get", fake_fn, NULL, 0 };
    tfg_val dd = tfg_val_dict_new();
    tfg_val bm = tfg_val_builtin(&def, dd);
    tfg_val_decref(dd);
    assert_int_equal(rc(dd), 1);   /* kept alive by the method */
    tfg_val_decref(bm);
}

/* The growable string buffer. */
static void test_string_buffer(void **state)
{
    (void)state;
    tfg_sb b = { 0 };
    char *s = tfg_sb_take(&b);
    assert_string_equal(s, "");
    free(s);
    tfg_sb_add(&b, "abc");
    tfg_sb_addn(&b, "defgh", 2);
    tfg_sb_printf(&b, "-%d-%s", 42, "x");
    char big[600];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    tfg_sb_printf(&b, "%s!", big);
    s = tfg_sb_take(&b);
    assert_int_equal(strlen(s), 3 + 2 + 5 + 599 + 1);
    assert_memory_equal(s, "abcde-42-xzz", 12);
    assert_int_equal(s[strlen(s) - 1], '!');
    free(s);
    assert_null(b.s);
    assert_int_equal(b.len, 0);
}

/* Runs every test. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_dtypes_shapes),
        cmocka_unit_test(test_graph_objects),
        cmocka_unit_test(test_misc_kinds),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_refcounts),
        cmocka_unit_test(test_string_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
