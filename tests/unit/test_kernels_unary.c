/* test_kernels_unary.c — tfg_k_unary: every op on every dtype against
 * TensorFlow's values (kernel_expect.h; transcendental float results within
 * a few ulps of TF's Eigen versions, everything else exact), the integer
 * ops TF has no kernel for, bool, and the threaded path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "runtime/kernels.h"
#include "tests/unit/kernel_expect.h"

/* Every generated unary case. */
static void test_unary_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_un_cases / sizeof kx_un_cases[0]; c++) {
        const kx_un_case *k = &kx_un_cases[c];
        tfg_tensor *x = kx_make(&k->x), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_unary(k->op, x, &o, &err);
        if (k->err)
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
        else if (rc)
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            bad += !kx_same(k->name, o, &k->want, k->tol);
        tfg_tensor_unref(x);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* op on a 1-D int vector; returns element i of the result. */
static int64_t un_i(tfg_unop op, tfg_dtype dt, int64_t v)
{
    tfg_tensor *x = tfg_tensor_scalar_i(dt, v, NULL), *o;
    tfg_error err;
    assert_int_equal(tfg_k_unary(op, x, &o, &err), 0);
    int64_t r = tfg_tensor_get_i(o, 0);
    tfg_tensor_unref(x);
    tfg_tensor_unref(o);
    return r;
}

/* Integer inputs: exact ops wrap; math goes through double and converts back. */
static void test_unary_ints(void **state)
{
    (void)state;
    assert_true(un_i(TFG_UN_NEG, TFG_INT32, INT32_MIN) == INT32_MIN);
    assert_true(un_i(TFG_UN_ABS, TFG_INT64, INT64_MIN) == INT64_MIN);
    assert_true(un_i(TFG_UN_SQUARE, TFG_INT32, 65536) == 0);
    assert_true(un_i(TFG_UN_NEG, TFG_UINT8, 1) == 255);
    assert_true(un_i(TFG_UN_SQUARE, TFG_UINT8, 16) == 0);
    assert_true(un_i(TFG_UN_SIGN, TFG_UINT8, 9) == 1);
    assert_true(un_i(TFG_UN_RELU6, TFG_UINT8, 9) == 6);
    assert_true(un_i(TFG_UN_SQRT, TFG_INT32, 17) == 4);
    assert_true(un_i(TFG_UN_EXP, TFG_INT64, 3) == 20);
    assert_true(un_i(TFG_UN_LOG, TFG_INT32, 0) == INT32_MIN); /* -inf converts as Cast does */
    assert_true(un_i(TFG_UN_RECIPROCAL, TFG_INT32, 0) == INT32_MIN);
    assert_true(un_i(TFG_UN_RECIPROCAL, TFG_INT64, -1) == -1);
    assert_true(un_i(TFG_UN_SIGMOID, TFG_UINT8, 5) == 0);
    assert_true(un_i(TFG_UN_FLOOR, TFG_INT64, -5) == -5);
    assert_true(un_i(TFG_UN_ROUND, TFG_UINT8, 7) == 7);
    assert_true(un_i(TFG_UN_LOGICAL_NOT, TFG_INT32, 0) == 1);
    assert_true(un_i(TFG_UN_LOGICAL_NOT, TFG_BOOL, 1) == 0);
}

/* Round is half to even; sigmoid never overflows; softplus is TF's pieces. */
static void test_unary_float_details(void **state)
{
    (void)state;
    int64_t sh[1] = {8};
    tfg_tensor *x = tfg_tensor_new(TFG_FLOAT32, 1, sh, NULL);
    float v[8] = {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 1e30f, -1e30f, -100.0f};
    for (int i = 0; i < 8; i++)
        ((float *)x->data)[i] = v[i];
    tfg_tensor *o;
    tfg_error err;
    assert_int_equal(tfg_k_unary(TFG_UN_ROUND, x, &o, &err), 0);
    float r[8] = {0, 2, 2, -0.0f, -2, 1e30f, -1e30f, -100};
    for (int i = 0; i < 8; i++)
        assert_true(((float *)o->data)[i] == r[i] &&
                    signbit(((float *)o->data)[i]) == signbit(r[i]));
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_unary(TFG_UN_SIGMOID, x, &o, &err), 0);
    assert_true(((float *)o->data)[5] == 1.0f && ((float *)o->data)[6] == 0.0f);
    assert_false(isnan(((float *)o->data)[7]));
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_unary(TFG_UN_SOFTPLUS, x, &o, &err), 0);
    assert_true(((float *)o->data)[5] == 1e30f && ((float *)o->data)[6] == 0.0f);
    tfg_tensor_unref(o);
    assert_int_equal(tfg_k_unary((tfg_unop)77, x, &o, &err), -1);
    tfg_tensor_unref(x);
}

/* Cheap and costly ops over the thread threshold equal a plain loop. */
static void test_unary_threaded(void **state)
{
    (void)state;
    tfg_k_set_threads(5);
    int64_t sh[1] = {(1 << 20) + 77};
    tfg_tensor *x = tfg_tensor_new(TFG_FLOAT64, 1, sh, NULL);
    double *px = x->data;
    for (int64_t i = 0; i < sh[0]; i++)
        px[i] = (double)(i % 2001 - 1000) / 97.0;
    tfg_tensor *o1, *o2;
    tfg_error err;
    assert_int_equal(tfg_k_unary(TFG_UN_TANH, x, &o1, &err), 0);
    assert_int_equal(tfg_k_unary(TFG_UN_NEG, x, &o2, &err), 0);
    int bad = 0;
    for (int64_t i = 0; i < sh[0]; i++) {
        bad += ((double *)o1->data)[i] != tanh(px[i]);
        bad += ((double *)o2->data)[i] != -px[i];
    }
    assert_int_equal(bad, 0);
    tfg_tensor_unref(o1);
    tfg_tensor_unref(o2);
    tfg_tensor_unref(x);
    tfg_k_set_threads(0);
}

/* Runs the unary-kernel tests. */
/* The vectorised packet exp gives the scalar one's bits on a spread of bit
 * patterns (every sign, exponent, NaNs and infinities) at ragged lengths. */
static void test_expf_packet_n(void **state)
{
    (void)state;
    enum { N = 1 << 16 };
    static float x[N], y[N];
    for (uint64_t base = 0; base < (1ull << 32); base += (uint64_t)N * 4099) {
        for (int i = 0; i < N; i++) {
            uint32_t u = (uint32_t)(base + (uint64_t)i * 4099);
            memcpy(&x[i], &u, 4);
        }
        int64_t n = N - (int64_t)(base % 17);
        tfg_k_tf_expf_packet_n(x, y, n);
        for (int64_t i = 0; i < n; i++) {
            float want = tfg_k_tf_expf_packet(x[i]);
            assert_memory_equal(&want, &y[i], 4);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary_cases),
        cmocka_unit_test(test_unary_ints),
        cmocka_unit_test(test_unary_float_details),
        cmocka_unit_test(test_unary_threaded),
        cmocka_unit_test(test_expf_packet_n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
