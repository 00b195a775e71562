/* test_kernels_reduce.c — tfg_k_reduce, tfg_k_argminmax, tfg_k_softmax:
 * every reduction over axis lists (negative, interleaved, keepdims, empty)
 * against TensorFlow (kernel_expect.h) bit for bit (float sums follow TF's
 * order), TF's integer and empty-input rules, errors, and long float32
 * sums independent of the thread count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "runtime/kernels.h"
#include "tests/unit/kernel_expect.h"

/* Every generated reduction case. */
static void test_reduce_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_red_cases / sizeof kx_red_cases[0]; c++) {
        const kx_red_case *k = &kx_red_cases[c];
        tfg_tensor *x = kx_make(&k->x), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_reduce(k->op, x, k->axes, k->naxes, k->keep, &o, &err);
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

/* The formula input of a kx_redf_case. */
static tfg_tensor *redf_input(const kx_redf_case *k)
{
    tfg_tensor *x = tfg_tensor_new(k->dt, k->rank, k->shape, NULL);
    assert_non_null(x);
    for (int64_t i = 0; i < x->size; i++) {
        int64_t v = (i * 7919) % 1999 - 999;
        if (k->dt == TFG_FLOAT32) {
            float f = (float)v / 7.0f;
            ((float *)x->data)[i] = k->prod ? 1.0f + f / 4000.0f : f;
        } else {
            double d = (double)v / 7.0;
            ((double *)x->data)[i] = k->prod ? 1.0 + d / 4000.0 : d;
        }
    }
    return x;
}

/* Larger float reductions (tree splits, packets, column accumulators,
 * transposes): TF's bits exactly, for every thread count. */
static void test_reduce_formula_cases(void **state)
{
    (void)state;
    int bad = 0;
    int threads[] = {1, 3};
    for (int t = 0; t < 2; t++) {
        tfg_k_set_threads(threads[t]);
        for (size_t c = 0; c < sizeof kx_redf_cases / sizeof kx_redf_cases[0]; c++) {
            const kx_redf_case *k = &kx_redf_cases[c];
            tfg_tensor *x = redf_input(k), *o = NULL;
            tfg_error err;
            if (tfg_k_reduce(k->op, x, k->axes, k->naxes, false, &o, &err))
                bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
            else
                bad += !kx_same(k->name, o, &k->want, 0);
            tfg_tensor_unref(x);
            tfg_tensor_unref(o);
        }
    }
    tfg_k_set_threads(0);
    assert_int_equal(bad, 0);
}

/* Every generated argmax/argmin case. */
static void test_arg_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_arg_cases / sizeof kx_arg_cases[0]; c++) {
        const kx_arg_case *k = &kx_arg_cases[c];
        tfg_tensor *x = kx_make(&k->x), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_argminmax(k->is_max, x, k->axis, k->odt, &o, &err);
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

/* Every generated softmax / log-softmax case: float32 bit-exact, float64
 * within 16 ulps of TF (whose exp is Eigen's vectorised one). */
static void test_softmax_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_sm_cases / sizeof kx_sm_cases[0]; c++) {
        const kx_sm_case *k = &kx_sm_cases[c];
        tfg_tensor *x = kx_make(&k->x), *o = NULL;
        tfg_error err;
        if (tfg_k_softmax(x, k->log, &o, &err))
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            /* float32 is TF's exactly (rows here have at most 47 classes);
             * float64 uses Eigen's double exp in TF */
            bad += !kx_same(k->name, o, &k->want, k->x.dtype == TFG_FLOAT32 ? 0 : 16);
        tfg_tensor_unref(x);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* Softmax errors; bool reductions that TF lacks; bad op. */
static void test_reduce_errors(void **state)
{
    (void)state;
    tfg_tensor *s = tfg_tensor_scalar_f(TFG_FLOAT32, 1, NULL), *o = NULL;
    tfg_tensor *i = tfg_tensor_scalar_i(TFG_INT32, 1, NULL);
    tfg_tensor *b = tfg_tensor_scalar_i(TFG_BOOL, 1, NULL);
    tfg_error err;
    assert_int_equal(tfg_k_softmax(s, false, &o, &err), -1);
    assert_string_equal(err.msg, "logits must have >= 1 dimension, got []");
    assert_int_equal(tfg_k_softmax(i, true, &o, &err), -1);
    assert_int_equal(tfg_k_reduce(TFG_RED_SUM, b, NULL, -1, false, &o, &err), -1);
    assert_int_equal(tfg_k_reduce((tfg_reduce_op)42, s, NULL, -1, false, &o, &err), -1);
    assert_int_equal(tfg_k_argminmax(true, s, 0, TFG_INT64, &o, &err), -1);
    assert_null(o);
    /* bool max/min are or/and */
    assert_int_equal(tfg_k_reduce(TFG_RED_MIN, b, NULL, -1, false, &o, &err), 0);
    assert_int_equal(tfg_tensor_get_i(o, 0), 1);
    tfg_tensor_unref(o);
    tfg_tensor_unref(s);
    tfg_tensor_unref(i);
    tfg_tensor_unref(b);
}

/* Long sums (the tree split over threads, row and column blocks) give the
 * same bits for every thread count and stay close to the exact sum. */
static void test_long_sums(void **state)
{
    (void)state;
    int64_t sh[2] = {3, 1500007};
    tfg_tensor *x = tfg_tensor_new(TFG_FLOAT32, 2, sh, NULL);
    float *p = x->data;
    for (int64_t i = 0; i < x->size; i++)
        p[i] = (float)sin((double)i) * 1000.0f + 0.001f;
    tfg_tensor *ref[3] = {NULL, NULL, NULL};
    int threads[] = {1, 2, 7};
    for (int t = 0; t < 3; t++) {
        tfg_k_set_threads(threads[t]);
        tfg_tensor *got[3];
        tfg_error err;
        int ax1[1] = {1}, ax0[1] = {0};
        assert_int_equal(tfg_k_reduce(TFG_RED_SUM, x, NULL, -1, false, &got[0], &err), 0);
        assert_int_equal(tfg_k_reduce(TFG_RED_SUM, x, ax1, 1, false, &got[1], &err), 0);
        assert_int_equal(tfg_k_reduce(TFG_RED_MEAN, x, ax0, 1, false, &got[2], &err), 0);
        for (int r = 0; r < 3; r++) {
            long double exact = 0, mag = 0;
            for (int64_t i = 0; i < sh[1]; i++) {
                exact += p[r * sh[1] + i];
                mag += fabsl((long double)p[r * sh[1] + i]);
            }
            assert_true(fabsl(((float *)got[1]->data)[r] - exact) < mag * 1e-6L);
        }
        for (int k = 0; k < 3; k++) {
            if (!ref[k]) {
                ref[k] = got[k];
            } else {
                assert_memory_equal(ref[k]->data, got[k]->data,
                                    (size_t)ref[k]->size * sizeof(float));
                tfg_tensor_unref(got[k]);
            }
        }
    }
    tfg_k_set_threads(0);
    for (int k = 0; k < 3; k++)
        tfg_tensor_unref(ref[k]);
    tfg_tensor_unref(x);
}

/* Interleaved axes on a larger input (the transpose path) against a loop. */
static void test_interleaved(void **state)
{
    (void)state;
    int64_t sh[4] = {3, 4, 5, 6};
    tfg_tensor *x = tfg_tensor_new(TFG_INT64, 4, sh, NULL);
    for (int64_t i = 0; i < x->size; i++)
        ((int64_t *)x->data)[i] = i * 7 % 11 - 5;
    int axes[2] = {-1, 1};
    tfg_tensor *o;
    tfg_error err;
    assert_int_equal(tfg_k_reduce(TFG_RED_MAX, x, axes, 2, true, &o, &err), 0);
    assert_true(o->rank == 4 && o->shape[0] == 3 && o->shape[1] == 1 && o->shape[2] == 5 &&
                o->shape[3] == 1);
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 5; c++) {
            int64_t m = INT64_MIN;
            for (int b = 0; b < 4; b++)
                for (int d = 0; d < 6; d++) {
                    int64_t v = ((int64_t *)x->data)[((a * 4 + b) * 5 + c) * 6 + d];
                    m = v > m ? v : m;
                }
            assert_true(((int64_t *)o->data)[a * 5 + c] == m);
        }
    tfg_tensor_unref(o);
    tfg_tensor_unref(x);
}

/* Runs the reduction tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_cases),  cmocka_unit_test(test_reduce_formula_cases),
        cmocka_unit_test(test_arg_cases),
        cmocka_unit_test(test_softmax_cases), cmocka_unit_test(test_reduce_errors),
        cmocka_unit_test(test_long_sums),     cmocka_unit_test(test_interleaved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
