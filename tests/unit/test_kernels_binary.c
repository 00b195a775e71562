/* test_kernels_binary.c — tfg_k_binary, tfg_k_broadcast_shape, tfg_k_select:
 * every op on every dtype against TensorFlow's values (kernel_expect.h),
 * broadcasting shapes, TF's error texts, integer wrap-around, and the
 * threaded paths against the single-threaded ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "runtime/kernels.h"
#include "tests/unit/kernel_expect.h"

/* Every generated binary case: value or error as TF gave it. */
static void test_binary_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_bin_cases / sizeof kx_bin_cases[0]; c++) {
        const kx_bin_case *k = &kx_bin_cases[c];
        tfg_tensor *a = kx_make(&k->a), *b = kx_make(&k->b), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_binary(k->op, a, b, &o, &err);
        if (k->err) {
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
        } else if (rc != 0) {
            fprintf(stderr, "%s: unexpected error %s\n", k->name, err.msg);
            bad++;
        } else {
            bad += !kx_same(k->name, o, &k->want, k->tol);
        }
        tfg_tensor_unref(a);
        tfg_tensor_unref(b);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* Every generated select case (tf.compat.v1.where and tf.where_v2). */
static void test_select_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_sel_cases / sizeof kx_sel_cases[0]; c++) {
        const kx_sel_case *k = &kx_sel_cases[c];
        tfg_tensor *cd = kx_make(&k->c), *x = kx_make(&k->x), *y = kx_make(&k->y), *o = NULL;
        tfg_error err;
        if (tfg_k_select(cd, x, y, &o, &err)) {
            fprintf(stderr, "%s: %s\n", k->name, err.msg);
            bad++;
        } else {
            bad += !kx_same(k->name, o, &k->want, 0);
        }
        tfg_tensor_unref(cd);
        tfg_tensor_unref(x);
        tfg_tensor_unref(y);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* Broadcast shape rules, including -1 (unknown) dims and the error text. */
static void test_broadcast_shape(void **state)
{
    (void)state;
    int r;
    int64_t s[TFG_MAX_RANK];
    tfg_error err;
    int64_t a[] = {3, 1, 5}, b[] = {4, 1};
    assert_int_equal(tfg_k_broadcast_shape(3, a, 2, b, &r, s, &err), 0);
    assert_int_equal(r, 3);
    assert_true(s[0] == 3 && s[1] == 4 && s[2] == 5);
    assert_int_equal(tfg_k_broadcast_shape(0, NULL, 2, b, &r, s, &err), 0);
    assert_true(r == 2 && s[0] == 4 && s[1] == 1);
    int64_t u[] = {-1, 3}, v[] = {2, 1};
    assert_int_equal(tfg_k_broadcast_shape(2, u, 2, v, &r, s, &err), 0);
    assert_true(s[0] == 2 && s[1] == 3);
    int64_t w[] = {-1}, one[] = {1};
    assert_int_equal(tfg_k_broadcast_shape(1, w, 1, one, &r, s, &err), 0);
    assert_true(s[0] == -1);
    int64_t p[] = {2}, q[] = {3};
    assert_int_equal(tfg_k_broadcast_shape(1, p, 1, q, &r, s, &err), -1);
    assert_string_equal(err.msg, "Incompatible shapes: [2] vs. [3]");
    /* err may be NULL */
    assert_int_equal(tfg_k_broadcast_shape(1, p, 1, q, &r, s, NULL), -1);
}

/* A 1-D tensor of dtype dt from int64 values. */
static tfg_tensor *vec_i(tfg_dtype dt, int n, const int64_t *v)
{
    int64_t sh[1] = {n};
    tfg_tensor *t = tfg_tensor_new(dt, 1, sh, NULL);
    assert_non_null(t);
    for (int i = 0; i < n; i++)
        tfg_tensor_set_i(t, i, v[i]);
    return t;
}

/* Runs op on two int vectors and checks the results. */
static void check_int_op(tfg_binop op, tfg_dtype dt, int n, const int64_t *a, const int64_t *b,
                         const int64_t *want)
{
    tfg_tensor *ta = vec_i(dt, n, a), *tb = vec_i(dt, n, b), *o;
    tfg_error err;
    assert_int_equal(tfg_k_binary(op, ta, tb, &o, &err), 0);
    for (int i = 0; i < n; i++) {
        if (tfg_tensor_get_i(o, i) != want[i])
            print_error("op %d dtype %d element %d: got %lld want %lld\n", op, dt, i,
                        (long long)tfg_tensor_get_i(o, i), (long long)want[i]);
        assert_true(tfg_tensor_get_i(o, i) == want[i]);
    }
    tfg_tensor_unref(ta);
    tfg_tensor_unref(tb);
    tfg_tensor_unref(o);
}

/* Integer overflow wraps (two's complement) instead of being undefined. */
static void test_int_wrap(void **state)
{
    (void)state;
    int64_t a[] = {INT32_MAX, INT32_MIN, INT32_MIN, INT32_MIN, 7, -7};
    int64_t m1[] = {1, -1, -1, -1, -1, -1};
    int64_t add[] = {INT32_MIN, INT32_MAX, INT32_MAX, INT32_MAX, 6, -8};
    check_int_op(TFG_BIN_ADD, TFG_INT32, 6, a, m1, add);
    int64_t div[] = {INT32_MAX, INT32_MIN, INT32_MIN, INT32_MIN, -7, 7};
    check_int_op(TFG_BIN_DIV, TFG_INT32, 6, a, m1, div);
    check_int_op(TFG_BIN_FLOORDIV, TFG_INT32, 6, a, m1, div);
    int64_t mod[] = {0, 0, 0, 0, 0, 0};
    check_int_op(TFG_BIN_MOD, TFG_INT32, 6, a, m1, mod);
    int64_t a64[] = {INT64_MIN, INT64_MAX, 3}, b64[] = {-1, 2, 41};
    int64_t mul64[] = {INT64_MIN, -2, 123};
    check_int_op(TFG_BIN_MUL, TFG_INT64, 3, a64, b64, mul64);
    int64_t p2[] = {2, 3, 7}, e2[] = {31, 40, 2};
    int64_t pw[] = {INT32_MIN, (int64_t)(int32_t)(uint32_t)12157665459056928801ull, 49};
    check_int_op(TFG_BIN_POW, TFG_INT32, 3, p2, e2, pw);
    int64_t u[] = {250, 3, 0}, v[] = {10, 5, 1};
    int64_t uadd[] = {4, 8, 1}, usub[] = {240, 254, 255};
    check_int_op(TFG_BIN_ADD, TFG_UINT8, 3, u, v, uadd);
    check_int_op(TFG_BIN_SUB, TFG_UINT8, 3, u, v, usub);
    /* truncating Div vs flooring FloorDiv vs FloorMod's sign */
    int64_t x[] = {7, -7, 7, -7}, y[] = {2, 2, -2, -2};
    int64_t td[] = {3, -3, -3, 3}, fd[] = {3, -4, -4, 3}, fm[] = {1, 1, -1, -1};
    check_int_op(TFG_BIN_DIV, TFG_INT64, 4, x, y, td);
    check_int_op(TFG_BIN_FLOORDIV, TFG_INT64, 4, x, y, fd);
    check_int_op(TFG_BIN_MOD, TFG_INT64, 4, x, y, fm);
}

/* Errors that are not TF-generated cases: dtype mismatch, bool arithmetic,
 * and no error for a zero divisor when the output is empty. */
static void test_binary_errors(void **state)
{
    (void)state;
    tfg_error err;
    tfg_tensor *o = (tfg_tensor *)1;
    tfg_tensor *f = tfg_tensor_scalar_f(TFG_FLOAT32, 1, NULL);
    tfg_tensor *i = tfg_tensor_scalar_i(TFG_INT32, 0, NULL);
    assert_int_equal(tfg_k_binary(TFG_BIN_ADD, f, i, &o, &err), -1);
    assert_null(o);
    assert_string_equal(err.msg, "cannot compute AddV2 as input #1(zero-based) was expected to "
                                 "be a float tensor but is a int32 tensor");
    tfg_tensor *b = tfg_tensor_scalar_i(TFG_BOOL, 1, NULL);
    assert_int_equal(tfg_k_binary(TFG_BIN_SUB, b, b, &o, &err), -1);
    assert_string_equal(err.msg, "No OpKernel was registered to support Op 'Sub' with these "
                                 "attrs: [T=DT_BOOL]");
    int64_t z[2] = {0, 3};
    tfg_tensor *e = tfg_tensor_new(TFG_INT32, 2, z, NULL);
    assert_int_equal(tfg_k_binary(TFG_BIN_DIV, e, i, &o, &err), 0); /* empty: no division */
    assert_int_equal(o->size, 0);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_binary((tfg_binop)99, f, f, &o, &err), -1);
    assert_int_equal(tfg_k_binary(TFG_BIN_ADD, f, f, &o, NULL), 0); /* err may be NULL */
    tfg_tensor_unref(o);
    tfg_tensor_unref(f);
    tfg_tensor_unref(i);
    tfg_tensor_unref(b);
    tfg_tensor_unref(e);
}

/* Big inputs (threaded, broadcast, mixed strides) agree with a plain loop,
 * whatever the thread count. */
static void test_threaded(void **state)
{
    (void)state;
    int64_t sa[2] = {1100, 1001}, sb[2] = {1100, 1}, sc[1] = {1001};
    tfg_tensor *a = tfg_tensor_new(TFG_FLOAT32, 2, sa, NULL);
    tfg_tensor *b = tfg_tensor_new(TFG_FLOAT32, 2, sb, NULL);
    tfg_tensor *c = tfg_tensor_new(TFG_FLOAT32, 1, sc, NULL);
    float *pa = a->data, *pb = b->data, *pc = c->data;
    for (int64_t i = 0; i < a->size; i++)
        pa[i] = (float)((i * 7919) % 1000) * 0.25f;
    for (int64_t i = 0; i < b->size; i++)
        pb[i] = (float)i;
    for (int64_t i = 0; i < c->size; i++)
        pc[i] = (float)-i;
    int threads[] = {1, 3, 8};
    for (int t = 0; t < 3; t++) {
        tfg_k_set_threads(threads[t]);
        tfg_tensor *o1, *o2, *o3;
        tfg_error err;
        assert_int_equal(tfg_k_binary(TFG_BIN_SUB, a, a, &o1, &err), 0);
        assert_int_equal(tfg_k_binary(TFG_BIN_MUL, a, b, &o2, &err), 0);
        assert_int_equal(tfg_k_binary(TFG_BIN_GREATER, c, a, &o3, &err), 0);
        const float *r1 = o1->data, *r2 = o2->data;
        const uint8_t *r3 = o3->data;
        int bad = 0;
        for (int64_t i = 0; i < sa[0]; i++) {
            for (int64_t j = 0; j < sa[1]; j++) {
                int64_t k = i * sa[1] + j;
                bad += r1[k] != 0.0f;
                bad += r2[k] != pa[k] * pb[i];
                bad += r3[k] != (pc[j] > pa[k]);
            }
        }
        assert_int_equal(bad, 0);
        tfg_tensor_unref(o1);
        tfg_tensor_unref(o2);
        tfg_tensor_unref(o3);
    }
    tfg_k_set_threads(0);
    assert_true(tfg_k_threads() >= 1);
    tfg_tensor_unref(a);
    tfg_tensor_unref(b);
    tfg_tensor_unref(c);
}

/* A select whose broadcast output crosses the thread threshold. */
static void test_select_threaded(void **state)
{
    (void)state;
    tfg_k_set_threads(4);
    int64_t sc[2] = {2000, 1}, sx[1] = {700};
    tfg_tensor *c = tfg_tensor_new(TFG_BOOL, 2, sc, NULL);
    tfg_tensor *x = tfg_tensor_new(TFG_INT64, 1, sx, NULL);
    tfg_tensor *y = tfg_tensor_scalar_i(TFG_INT64, -1, NULL);
    for (int64_t i = 0; i < c->size; i++)
        ((uint8_t *)c->data)[i] = i % 3 == 0;
    for (int64_t i = 0; i < x->size; i++)
        ((int64_t *)x->data)[i] = i;
    tfg_tensor *o;
    tfg_error err;
    assert_int_equal(tfg_k_select(c, x, y, &o, &err), 0);
    assert_int_equal(o->rank, 2);
    int bad = 0;
    for (int64_t i = 0; i < 2000; i++)
        for (int64_t j = 0; j < 700; j++)
            bad += ((int64_t *)o->data)[i * 700 + j] != (i % 3 == 0 ? j : -1);
    assert_int_equal(bad, 0);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_select(x, x, y, &o, &err), -1);
    int64_t s3[1] = {3};
    tfg_tensor *c3 = tfg_tensor_new(TFG_BOOL, 1, s3, NULL);
    assert_int_equal(tfg_k_select(c3, x, y, &o, &err), -1);
    assert_string_equal(err.msg, "Incompatible shapes: [3] vs. [700]");
    tfg_tensor_unref(c3);
    tfg_k_set_threads(0);
    tfg_tensor_unref(c);
    tfg_tensor_unref(x);
    tfg_tensor_unref(y);
}

/* Runs the binary-kernel tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_cases),  cmocka_unit_test(test_select_cases),
        cmocka_unit_test(test_broadcast_shape), cmocka_unit_test(test_int_wrap),
        cmocka_unit_test(test_binary_errors), cmocka_unit_test(test_threaded),
        cmocka_unit_test(test_select_threaded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
