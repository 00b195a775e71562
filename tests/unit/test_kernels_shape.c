/* test_kernels_shape.c — casts, reshape, transpose, concat/stack, fill,
 * range, one_hot, tile, gather and slicing: values and error texts against
 * TensorFlow (kernel_expect.h) plus hand-written edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime/kernels.h"
#include "tests/unit/kernel_expect.h"

/* Every generated cast (NaN, infinities, out-of-range values, wrap-around). */
static void test_cast_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_cast_cases / sizeof kx_cast_cases[0]; c++) {
        const kx_cast_case *k = &kx_cast_cases[c];
        tfg_tensor *x = kx_make(&k->x), *o = NULL;
        tfg_error err;
        if (tfg_k_cast(x, k->want.dtype, &o, &err))
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            bad += !kx_same(k->name, o, &k->want, 0);
        tfg_tensor_unref(x);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* Every generated range case and error. */
static void test_range_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_range_cases / sizeof kx_range_cases[0]; c++) {
        const kx_range_case *k = &kx_range_cases[c];
        tfg_tensor *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_range(k->start, k->limit, k->delta, k->dt, &o, &err);
        if (k->err)
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
        else if (rc)
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            bad += !kx_same(k->name, o, &k->want, 0);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* Every generated one_hot case and error. */
static void test_one_hot_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_oh_cases / sizeof kx_oh_cases[0]; c++) {
        const kx_oh_case *k = &kx_oh_cases[c];
        tfg_tensor *idx = kx_make(&k->idx), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_one_hot(idx, k->depth, k->on, k->off, k->axis, k->dt, &o, &err);
        if (k->err)
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
        else if (rc)
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            bad += !kx_same(k->name, o, &k->want, 0);
        tfg_tensor_unref(idx);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* Every generated gather and tile case and error. */
static void test_gather_tile_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_gather_cases / sizeof kx_gather_cases[0]; c++) {
        const kx_gather_case *k = &kx_gather_cases[c];
        tfg_tensor *x = kx_make(&k->x), *idx = kx_make(&k->idx), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_gather(x, idx, k->axis, &o, &err);
        if (k->err)
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
        else if (rc)
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            bad += !kx_same(k->name, o, &k->want, 0);
        tfg_tensor_unref(x);
        tfg_tensor_unref(idx);
        tfg_tensor_unref(o);
    }
    for (size_t c = 0; c < sizeof kx_tile_cases / sizeof kx_tile_cases[0]; c++) {
        const kx_tile_case *k = &kx_tile_cases[c];
        tfg_tensor *x = kx_make(&k->x), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_tile(x, k->mult, &o, &err);
        if (k->err)
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
        else if (rc)
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            bad += !kx_same(k->name, o, &k->want, 0);
        tfg_tensor_unref(x);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* The [3,4,5] float32 tensor 0..59 that the slice cases index. */
static tfg_tensor *slice_input(void)
{
    int64_t sh[3] = {3, 4, 5};
    tfg_tensor *x = tfg_tensor_new(TFG_FLOAT32, 3, sh, NULL);
    for (int i = 0; i < 60; i++)
        ((float *)x->data)[i] = (float)i;
    return x;
}

/* Every generated slice (numpy basic indexing, checked against TF's
 * strided_slice) and its static shape. */
static void test_slice_cases(void **state)
{
    (void)state;
    tfg_tensor *x = slice_input();
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_slice_cases / sizeof kx_slice_cases[0]; c++) {
        const kx_slice_case *k = &kx_slice_cases[c];
        tfg_tensor *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_slice(x, k->spec, k->nspec, &o, &err);
        int r;
        int64_t s[TFG_MAX_RANK];
        tfg_error err2 = {{0}};
        int rc2 = tfg_k_slice_shape(x->rank, x->shape, k->spec, k->nspec, &r, s, &err2);
        if (k->err) {
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
            bad += !(rc2 == -1 && kx_err_is(k->name, err2.msg, k->err));
        } else if (rc || rc2) {
            bad += fprintf(stderr, "%s: %s %s\n", k->name, err.msg, err2.msg) > 0;
        } else {
            bad += !kx_same(k->name, o, &k->want, 0);
            bad += r != k->want.rank || memcmp(s, k->want.shape, sizeof(int64_t) * (size_t)r);
        }
        tfg_tensor_unref(o);
    }
    tfg_tensor_unref(x);
    assert_int_equal(bad, 0);
}

/* Static slice shapes with unknown (-1) dims, and step 0. */
static void test_slice_shape_unknown(void **state)
{
    (void)state;
    int64_t sh[3] = {-1, 4, -1};
    tfg_slice_spec spec[3] = {
        {TFG_SLICE_INDEX, 7, 0, 0, 0, 0, 1},
        {TFG_SLICE_RANGE, 0, 1, 0, 1, 0, 2},
        {TFG_SLICE_RANGE, 0, 0, 1, 0, 2, 1},
    };
    int r;
    int64_t s[TFG_MAX_RANK];
    tfg_error err;
    assert_int_equal(tfg_k_slice_shape(3, sh, spec, 3, &r, s, &err), 0);
    assert_int_equal(r, 2);
    assert_true(s[0] == 2 && s[1] == -1);
    tfg_slice_spec bad = {TFG_SLICE_INDEX, 4, 0, 0, 0, 0, 1};
    tfg_slice_spec two[2] = {spec[0], bad};
    assert_int_equal(tfg_k_slice_shape(3, sh, two, 2, &r, s, &err), -1);
    assert_string_equal(err.msg, "slice index 4 of dimension 1 out of bounds.");
    tfg_slice_spec zero = {TFG_SLICE_RANGE, 0, 0, 0, 0, 0, 0};
    assert_int_equal(tfg_k_slice_shape(3, sh, &zero, 1, &r, s, &err), -1);
    assert_string_equal(err.msg, "strides[0] must be non-zero");
    /* indexing a scalar */
    tfg_tensor *sc = tfg_tensor_scalar_f(TFG_FLOAT64, 2.5, NULL), *o;
    assert_int_equal(tfg_k_slice(sc, &bad, 1, &o, &err), -1);
    assert_string_equal(err.msg, "Index out of range using input dim 0; input has only 0 dims");
    tfg_slice_spec na = {TFG_SLICE_NEWAXIS, 0, 0, 0, 0, 0, 1};
    assert_int_equal(tfg_k_slice(sc, &na, 1, &o, &err), 0);
    assert_true(o->rank == 1 && o->shape[0] == 1 && ((double *)o->data)[0] == 2.5);
    tfg_tensor_unref(o);
    tfg_tensor_unref(sc);
}

/* A float tensor of the given shape holding 0, 1, 2, ... */
static tfg_tensor *iota(int rank, const int64_t *shape)
{
    tfg_tensor *t = tfg_tensor_new(TFG_FLOAT32, rank, shape, NULL);
    assert_non_null(t);
    for (int64_t i = 0; i < t->size; i++)
        ((float *)t->data)[i] = (float)i;
    return t;
}

/* Reshape with -1, and TF's error texts. */
static void test_reshape(void **state)
{
    (void)state;
    int64_t sh[2] = {2, 3};
    tfg_tensor *x = iota(2, sh), *o;
    tfg_error err;
    int64_t s1[3] = {3, -1, 1};
    assert_int_equal(tfg_k_reshape(x, 3, s1, &o, &err), 0);
    assert_true(o->rank == 3 && o->shape[0] == 3 && o->shape[1] == 2 && o->shape[2] == 1);
    assert_memory_equal(o->data, x->data, 6 * sizeof(float));
    tfg_tensor_unref(o);
    int64_t s2[1] = {4};
    assert_int_equal(tfg_k_reshape(x, 1, s2, &o, &err), -1);
    assert_string_equal(err.msg,
                        "Input to reshape is a tensor with 6 values, but the requested shape has 4");
    int64_t s3[2] = {-1, 4};
    assert_int_equal(tfg_k_reshape(x, 2, s3, &o, &err), -1);
    assert_string_equal(err.msg, "Input to reshape is a tensor with 6 values, but the requested "
                                 "shape requires a multiple of 4");
    int64_t s4[2] = {-1, -1};
    assert_int_equal(tfg_k_reshape(x, 2, s4, &o, &err), -1);
    assert_string_equal(err.msg, "Only one input size may be -1, not both 0 and 1");
    int64_t s5[2] = {-2, 3};
    assert_int_equal(tfg_k_reshape(x, 2, s5, &o, &err), -1);
    assert_string_equal(err.msg, "Size 0 must be non-negative, not -2");
    assert_int_equal(tfg_k_reshape(x, 0, NULL, &o, &err), -1);
    tfg_tensor_unref(x);
    int64_t e[2] = {0, 3}, s6[2] = {-1, 0}, s7[1] = {-1};
    tfg_tensor *z = tfg_tensor_new(TFG_INT32, 2, e, NULL);
    assert_int_equal(tfg_k_reshape(z, 2, s6, &o, &err), 0);
    assert_true(o->shape[0] == 0 && o->shape[1] == 0);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_reshape(z, 1, s7, &o, &err), 0);
    assert_true(o->rank == 1 && o->shape[0] == 0);
    tfg_tensor_unref(o);
    tfg_tensor_unref(z);
    tfg_tensor *sc = tfg_tensor_scalar_i(TFG_INT64, 9, NULL);
    assert_int_equal(tfg_k_reshape(sc, 1, s7, &o, &err), 0);
    assert_true(o->rank == 1 && o->shape[0] == 1 && ((int64_t *)o->data)[0] == 9);
    tfg_tensor_unref(o);
    tfg_tensor_unref(sc);
}

/* Transposes (small, large tiled, batched, negative perms) and errors. */
static void test_transpose(void **state)
{
    (void)state;
    int64_t sh[3] = {2, 3, 4};
    tfg_tensor *x = iota(3, sh), *o;
    tfg_error err;
    int perm[3] = {2, 0, 1};
    assert_int_equal(tfg_k_transpose(x, perm, &o, &err), 0);
    assert_true(o->shape[0] == 4 && o->shape[1] == 2 && o->shape[2] == 3);
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                assert_true(((float *)o->data)[(a * 2 + b) * 3 + c] == (float)((b * 3 + c) * 4 + a));
    tfg_tensor_unref(o);
    int neg[3] = {-1, 0, -2};
    assert_int_equal(tfg_k_transpose(x, neg, &o, &err), 0);
    assert_true(o->shape[0] == 4 && o->shape[1] == 2 && o->shape[2] == 3);
    tfg_tensor_unref(o);
    int oob[3] = {3, 0, 1}, dup[3] = {1, 1, 0};
    assert_int_equal(tfg_k_transpose(x, oob, &o, &err), -1);
    assert_string_equal(err.msg, "3 is out of range [0 .. 3)");
    assert_int_equal(tfg_k_transpose(x, dup, &o, &err), -1);
    assert_string_equal(err.msg, "2 is missing from {1,1,0}.");
    tfg_tensor_unref(x);
    /* big batched matrix transpose: the 32x32 tiled path */
    int64_t big[3] = {3, 130, 77};
    tfg_tensor *y = iota(3, big);
    int p021[3] = {0, 2, 1};
    assert_int_equal(tfg_k_transpose(y, p021, &o, &err), 0);
    int bad = 0;
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < 77; i++)
            for (int j = 0; j < 130; j++)
                bad += ((float *)o->data)[(b * 77 + i) * 130 + j] != (float)((b * 130 + j) * 77 + i);
    assert_int_equal(bad, 0);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_transpose(y, NULL, &o, &err), 0); /* reverse */
    assert_true(o->shape[0] == 77 && o->shape[1] == 130 && o->shape[2] == 3);
    assert_true(((float *)o->data)[(5 * 130 + 7) * 3 + 2] == (float)((2 * 130 + 7) * 77 + 5));
    tfg_tensor_unref(o);
    tfg_tensor_unref(y);
}

/* Concat and stack on several axes, and TF's error texts. */
static void test_concat_stack(void **state)
{
    (void)state;
    int64_t sa[2] = {2, 3}, sb[2] = {2, 1}, sc[2] = {1, 3}, sv[1] = {3};
    tfg_tensor *a = iota(2, sa), *b = iota(2, sb), *c = iota(2, sc), *v = iota(1, sv), *o;
    tfg_error err;
    const tfg_tensor *ab[2] = {a, b};
    assert_int_equal(tfg_k_concat(ab, 2, -1, &o, &err), 0);
    float want1[8] = {0, 1, 2, 0, 3, 4, 5, 1};
    assert_true(o->shape[0] == 2 && o->shape[1] == 4);
    assert_memory_equal(o->data, want1, sizeof want1);
    tfg_tensor_unref(o);
    const tfg_tensor *ac[2] = {a, c};
    assert_int_equal(tfg_k_concat(ac, 2, 0, &o, &err), 0);
    assert_true(o->shape[0] == 3 && ((float *)o->data)[7] == 1.0f);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_concat(ab, 2, 0, &o, &err), -1);
    assert_string_equal(err.msg, "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] "
                                 "= [2,3] vs. shape[1] = [2,1]");
    const tfg_tensor *av[2] = {a, v};
    assert_int_equal(tfg_k_concat(av, 2, 0, &o, &err), -1);
    assert_string_equal(err.msg, "ConcatOp : Ranks of all input tensors should match: shape[0] = "
                                 "[2,3] vs. shape[1] = [3]");
    assert_int_equal(tfg_k_concat(ab, 2, 2, &o, &err), -1);
    assert_string_equal(err.msg, "ConcatOp : Expected concatenating dimensions in the range [-2, "
                                 "2), but got 2");
    tfg_tensor *s = tfg_tensor_scalar_f(TFG_FLOAT32, 1, NULL);
    const tfg_tensor *ss[2] = {s, s};
    assert_int_equal(tfg_k_concat(ss, 2, 0, &o, &err), -1);
    assert_string_equal(err.msg, "ConcatOp : Can't concatenate scalars (use tf.stack instead)");
    /* stack */
    assert_int_equal(tfg_k_stack(ss, 2, 0, &o, &err), 0);
    assert_true(o->rank == 1 && o->shape[0] == 2);
    tfg_tensor_unref(o);
    const tfg_tensor *vv[3] = {v, v, v};
    assert_int_equal(tfg_k_stack(vv, 3, 1, &o, &err), 0);
    float want2[9] = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    assert_true(o->shape[0] == 3 && o->shape[1] == 3);
    assert_memory_equal(o->data, want2, sizeof want2);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_stack(vv, 3, -1, &o, &err), 0);
    assert_memory_equal(o->data, want2, sizeof want2);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_stack(av, 2, 0, &o, &err), -1);
    assert_string_equal(err.msg, "Shapes of all inputs must match: values[0].shape = [2,3] != "
                                 "values[1].shape = [3]");
    assert_int_equal(tfg_k_stack(vv, 3, 2, &o, &err), -1);
    assert_string_equal(err.msg, "axis = 2 not in [-2, 2)");
    tfg_tensor_unref(a);
    tfg_tensor_unref(b);
    tfg_tensor_unref(c);
    tfg_tensor_unref(v);
    tfg_tensor_unref(s);
}

/* Fill converts the value; non-scalar values and negative dims fail. */
static void test_fill(void **state)
{
    (void)state;
    tfg_tensor *v = tfg_tensor_scalar_f(TFG_FLOAT64, -2.75, NULL), *o;
    tfg_error err;
    int64_t sh[2] = {3, 5};
    assert_int_equal(tfg_k_fill(TFG_INT32, 2, sh, v, &o, &err), 0);
    for (int i = 0; i < 15; i++)
        assert_int_equal(((int32_t *)o->data)[i], -2);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_fill(TFG_FLOAT32, 0, NULL, v, &o, &err), 0);
    assert_true(((float *)o->data)[0] == -2.75f);
    tfg_tensor_unref(o);
    int64_t neg[1] = {-1};
    assert_int_equal(tfg_k_fill(TFG_FLOAT32, 1, neg, v, &o, &err), -1);
    assert_string_equal(err.msg, "Dimension -1 must be >= 0");
    int64_t two[1] = {2};
    tfg_tensor *w = tfg_tensor_new(TFG_FLOAT32, 1, two, NULL);
    assert_int_equal(tfg_k_fill(TFG_FLOAT32, 1, two, w, &o, &err), -1);
    assert_string_equal(err.msg, "value must represent a scalar, got shape [2]");
    tfg_tensor_unref(w);
    tfg_tensor_unref(v);
}

/* Runs the shape-kernel tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cast_cases),        cmocka_unit_test(test_range_cases),
        cmocka_unit_test(test_one_hot_cases),     cmocka_unit_test(test_gather_tile_cases),
        cmocka_unit_test(test_slice_cases),       cmocka_unit_test(test_slice_shape_unknown),
        cmocka_unit_test(test_reshape),           cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_concat_stack),      cmocka_unit_test(test_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
