/* test_kernels_random.c — tfg_rng / tfg_k_random against TensorFlow's own
 * numbers (kernel_expect.h): RandomStandardNormal, RandomUniform,
 * TruncatedNormal, RandomUniformInt for given (seed, seed2), three runs in a
 * row (TF's counter reservation), the Python wrappers' scaling, and
 * thread-count independence. Every float must be bit-identical. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime/kernels.h"
#include "tests/unit/kernel_expect.h"

/* Every generated case: three successive draws from one generator. */
static void test_random_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_rand_cases / sizeof kx_rand_cases[0]; c++) {
        const kx_rand_case *k = &kx_rand_cases[c];
        tfg_rng r;
        tfg_rng_init(&r, k->seed, k->seed2);
        for (int run = 0; run < 3; run++) {
            tfg_tensor *o = NULL;
            tfg_error err;
            if (tfg_k_random(&r, k->dist, k->dt, k->rank, k->shape, k->a, k->b, &o, &err)) {
                bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
                break;
            }
            char name[300];
            snprintf(name, sizeof name, "%s run %d", k->name, run + 1);
            bad += !kx_same(name, o, &k->runs[run], 0);
            tfg_tensor_unref(o);
        }
    }
    assert_int_equal(bad, 0);
}

/* A big draw is the same for every thread count (groups skip, TF-style). */
static void test_random_threads(void **state)
{
    (void)state;
    int64_t sh[1] = {(1 << 17) + 3};
    tfg_tensor *ref[3] = {NULL, NULL, NULL};
    tfg_rand_dist d[3] = {TFG_RAND_UNIFORM, TFG_RAND_NORMAL, TFG_RAND_TRUNCATED_NORMAL};
    int threads[] = {1, 4};
    for (int t = 0; t < 2; t++) {
        tfg_k_set_threads(threads[t]);
        for (int k = 0; k < 3; k++) {
            tfg_rng r;
            tfg_rng_init(&r, 123, 456);
            tfg_tensor *o;
            tfg_error err;
            assert_int_equal(tfg_k_random(&r, d[k], k == 1 ? TFG_FLOAT64 : TFG_FLOAT32, 1, sh,
                                          0, 1, &o, &err),
                             0);
            if (!ref[k]) {
                ref[k] = o;
            } else {
                assert_memory_equal(ref[k]->data, o->data,
                                    (size_t)o->size * tfg_dtype_size(o->dtype));
                tfg_tensor_unref(o);
            }
        }
    }
    /* truncated normal values stay inside (-2, 2) */
    for (int64_t i = 0; i < ref[2]->size; i++) {
        float v = ((float *)ref[2]->data)[i];
        assert_true(v > -2.0f && v < 2.0f);
    }
    for (int k = 0; k < 3; k++)
        tfg_tensor_unref(ref[k]);
    tfg_k_set_threads(0);
}

/* State: the counter advances by 256 per output; both seeds 0 draw fresh
 * seeds; bad arguments fail cleanly. */
static void test_random_state_and_errors(void **state)
{
    (void)state;
    tfg_rng r;
    tfg_rng_init(&r, 5, 6);
    assert_true(r.seed == 5 && r.seed2 == 6 && r.counter == 0);
    int64_t sh[2] = {3, 7};
    tfg_tensor *o;
    tfg_error err;
    assert_int_equal(tfg_k_random(&r, TFG_RAND_NORMAL, TFG_FLOAT32, 2, sh, 0, 1, &o, &err), 0);
    tfg_tensor_unref(o);
    assert_true(r.counter == 21 * 256 && r.seed2 == 6);
    /* a carry out of the 64-bit counter moves into seed2, as TF's Skip does */
    r.counter = UINT64_MAX - 10;
    assert_int_equal(tfg_k_random(&r, TFG_RAND_UNIFORM, TFG_FLOAT32, 2, sh, 0, 1, &o, &err), 0);
    tfg_tensor_unref(o);
    assert_true(r.seed2 == 7 && r.counter == 21 * 256 - 11);
    tfg_rng a, b;
    tfg_rng_init(&a, 0, 0);
    tfg_rng_init(&b, 0, 0);
    assert_true(a.seed != b.seed || a.seed2 != b.seed2);
    assert_int_equal(tfg_k_random(&r, TFG_RAND_NORMAL, TFG_INT32, 2, sh, 0, 1, &o, &err), -1);
    assert_int_equal(tfg_k_random(&r, TFG_RAND_UNIFORM, TFG_INT32, 2, sh, 5, 3, &o, &err), -1);
    assert_string_equal(err.msg, "Need minval < maxval, got 5 >= 3");
    int64_t neg[1] = {-3};
    assert_int_equal(tfg_k_random(&r, TFG_RAND_UNIFORM, TFG_FLOAT32, 1, neg, 0, 1, &o, &err), -1);
    assert_string_equal(err.msg, "Dimension -3 must be >= 0");
}

/* Runs the random-kernel tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_cases),
        cmocka_unit_test(test_random_threads),
        cmocka_unit_test(test_random_state_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
