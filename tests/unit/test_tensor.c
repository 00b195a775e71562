/* test_tensor.c — tensor allocation (one block, 64-byte aligned, zeroed),
 * reference counting, OOM and bad-shape errors in TF's words, element
 * access with TF's Cast conversions, dtype facts, shape strings, and the
 * thread helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "runtime/kernels.h"
#include "runtime/tensor.h"

/* New tensors: aligned, zeroed, sized, for small and large blocks. */
static void test_new(void **state)
{
    (void)state;
    int64_t sizes[] = {0, 1, 2, 7, 1000, 100000, 3000000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (int dt = 0; dt < TFG_DTYPE_COUNT; dt++) {
            int64_t sh[2] = {sizes[k], 1};
            tfg_error err;
            tfg_tensor *t = tfg_tensor_new((tfg_dtype)dt, 2, sh, &err);
            assert_non_null(t);
            assert_int_equal(((uintptr_t)t->data) % 64, 0);
            assert_int_equal(t->size, sizes[k]);
            assert_int_equal(t->refcount, 1);
            assert_true(t->rank == 2 && t->shape[0] == sizes[k] && t->shape[1] == 1);
            for (int d = 2; d < TFG_MAX_RANK; d++)
                assert_int_equal(t->shape[d], 0);
            const unsigned char *p = t->data;
            size_t n = (size_t)t->size * tfg_dtype_size(t->dtype);
            for (size_t i = 0; i < n; i += 97)
                assert_int_equal(p[i], 0);
            if (n)
                assert_int_equal(p[n - 1], 0);
            memset(t->data, 0xab, n); /* the whole block is writable */
            tfg_tensor_unref(t);
        }
    }
    tfg_tensor *s = tfg_tensor_new(TFG_FLOAT64, 0, NULL, NULL);
    assert_true(s->rank == 0 && s->size == 1 && ((double *)s->data)[0] == 0.0);
    tfg_tensor_unref(s);
    int64_t r8[8] = {1, 2, 1, 2, 1, 2, 1, 2};
    s = tfg_tensor_new(TFG_UINT8, 8, r8, NULL);
    assert_int_equal(s->size, 16);
    tfg_tensor_unref(s);
}

/* Sizes that overflow or cannot be allocated, bad ranks and dims. */
static void test_new_errors(void **state)
{
    (void)state;
    tfg_error err;
    int64_t huge[3] = {100000, 100000, 100000};
    assert_null(tfg_tensor_new(TFG_FLOAT32, 3, huge, &err));
    assert_string_equal(err.msg,
                        "OOM when allocating tensor with shape[100000,100000,100000] and type float");
    int64_t over[2] = {INT64_MAX / 2, 3};
    assert_null(tfg_tensor_new(TFG_INT64, 2, over, &err));
    assert_string_equal(err.msg, "OOM when allocating tensor with shape[4611686018427387903,3] "
                                 "and type int64");
    int64_t big1[1] = {INT64_MAX / 8};
    assert_null(tfg_tensor_new(TFG_FLOAT64, 1, big1, &err));
    assert_int_equal(strncmp(err.msg, "OOM when allocating tensor with shape[", 38), 0);
    int64_t neg[2] = {2, -1};
    assert_null(tfg_tensor_new(TFG_FLOAT32, 2, neg, &err));
    assert_string_equal(err.msg, "Dimension -1 must be >= 0");
    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_null(tfg_tensor_new(TFG_FLOAT32, 9, nine, &err));
    assert_null(tfg_tensor_new(TFG_FLOAT32, -1, nine, &err));
    assert_null(tfg_tensor_new((tfg_dtype)42, 1, nine, &err));
    assert_null(tfg_tensor_new(TFG_FLOAT32, 3, huge, NULL)); /* err may be NULL */
    /* an empty tensor with a huge other dim is fine: no bytes */
    int64_t zero_big[2] = {0, INT64_MAX};
    tfg_tensor *z = tfg_tensor_new(TFG_FLOAT32, 2, zero_big, &err);
    assert_non_null(z);
    assert_int_equal(z->size, 0);
    tfg_tensor_unref(z);
}

/* ref/unref/copy keep their own data. */
static void test_refcount_copy(void **state)
{
    (void)state;
    int64_t sh[1] = {5};
    tfg_tensor *t = tfg_tensor_new(TFG_INT32, 1, sh, NULL);
    for (int i = 0; i < 5; i++)
        ((int32_t *)t->data)[i] = i * i;
    assert_ptr_equal(tfg_tensor_ref(t), t);
    assert_int_equal(t->refcount, 2);
    tfg_tensor *c = tfg_tensor_copy(t, NULL);
    tfg_tensor_unref(t);
    assert_int_equal(t->refcount, 1);
    ((int32_t *)t->data)[0] = 99;
    assert_int_equal(((int32_t *)c->data)[0], 0);
    assert_int_equal(((int32_t *)c->data)[4], 16);
    assert_true(tfg_tensor_same_shape(t, c));
    tfg_tensor_unref(t);
    tfg_tensor_unref(c);
    tfg_tensor_unref(NULL);
    assert_null(tfg_tensor_ref(NULL));
}

/* get/set convert as TF's Cast (truncation, x86 out-of-range, wrap, bool). */
static void test_get_set(void **state)
{
    (void)state;
    int64_t sh[1] = {4};
    tfg_tensor *i32 = tfg_tensor_new(TFG_INT32, 1, sh, NULL);
    tfg_tensor_set_f(i32, 0, -2.9);
    tfg_tensor_set_f(i32, 1, NAN);
    tfg_tensor_set_f(i32, 2, 3e9);
    tfg_tensor_set_i(i32, 3, (int64_t)1 << 32 | 7);
    assert_int_equal(tfg_tensor_get_i(i32, 0), -2);
    assert_true(tfg_tensor_get_i(i32, 1) == INT32_MIN);
    assert_true(tfg_tensor_get_i(i32, 2) == INT32_MIN);
    assert_int_equal(tfg_tensor_get_i(i32, 3), 7);
    tfg_tensor *u8 = tfg_tensor_new(TFG_UINT8, 1, sh, NULL);
    tfg_tensor_set_f(u8, 0, 300.7);
    tfg_tensor_set_f(u8, 1, -1.5);
    tfg_tensor_set_i(u8, 2, -1);
    tfg_tensor_set_f(u8, 3, -129);
    assert_int_equal(tfg_tensor_get_i(u8, 0), 44);
    assert_int_equal(tfg_tensor_get_i(u8, 1), 255);
    assert_int_equal(tfg_tensor_get_i(u8, 2), 255);
    assert_int_equal(tfg_tensor_get_i(u8, 3), 127);
    tfg_tensor *b = tfg_tensor_new(TFG_BOOL, 1, sh, NULL);
    tfg_tensor_set_f(b, 0, 0.5);
    tfg_tensor_set_f(b, 1, -0.0);
    tfg_tensor_set_i(b, 2, 256);
    tfg_tensor_set_f(b, 3, NAN);
    assert_true(tfg_tensor_get_i(b, 0) == 1 && tfg_tensor_get_i(b, 1) == 0 &&
                tfg_tensor_get_i(b, 2) == 1 && tfg_tensor_get_f(b, 3) == 1.0);
    tfg_tensor *i64 = tfg_tensor_new(TFG_INT64, 1, sh, NULL);
    tfg_tensor_set_i(i64, 0, INT64_MAX);
    tfg_tensor_set_f(i64, 1, 1e19);
    assert_true(tfg_tensor_get_i(i64, 0) == INT64_MAX);
    assert_true(tfg_tensor_get_i(i64, 1) == INT64_MIN);
    tfg_tensor *f = tfg_tensor_scalar_f(TFG_FLOAT32, 0.1, NULL);
    assert_true(tfg_tensor_get_f(f, 0) == (double)0.1f);
    assert_int_equal(tfg_tensor_get_i(f, 0), 0);
    tfg_tensor *d = tfg_tensor_scalar_i(TFG_FLOAT64, (int64_t)1 << 53, NULL);
    assert_true(tfg_tensor_get_f(d, 0) == 9007199254740992.0);
    tfg_tensor_unref(i32);
    tfg_tensor_unref(u8);
    tfg_tensor_unref(b);
    tfg_tensor_unref(i64);
    tfg_tensor_unref(f);
    tfg_tensor_unref(d);
}

/* dtype names, sizes and classes; shape strings; error records. */
static void test_dtype_and_strings(void **state)
{
    (void)state;
    const char *np[] = {"float32", "float64", "int32", "int64", "bool", "uint8"};
    const char *tf[] = {"float", "double", "int32", "int64", "bool", "uint8"};
    size_t sz[] = {4, 8, 4, 8, 1, 1};
    for (int dt = 0; dt < TFG_DTYPE_COUNT; dt++) {
        assert_string_equal(tfg_dtype_name((tfg_dtype)dt), np[dt]);
        assert_string_equal(tfg_dtype_tf_name((tfg_dtype)dt), tf[dt]);
        assert_int_equal(tfg_dtype_size((tfg_dtype)dt), sz[dt]);
    }
    assert_true(tfg_dtype_is_float(TFG_FLOAT64) && !tfg_dtype_is_float(TFG_INT32));
    assert_true(tfg_dtype_is_int(TFG_UINT8) && !tfg_dtype_is_int(TFG_BOOL));
    char buf[64];
    int64_t sh[3] = {2, 3, -1};
    tfg_tensor_shape_str(3, sh, buf, sizeof buf);
    assert_string_equal(buf, "[2,3,-1]");
    tfg_tensor_shape_str(0, NULL, buf, sizeof buf);
    assert_string_equal(buf, "[]");
    tfg_tensor_shape_str(3, sh, buf, 4); /* truncated, still terminated */
    assert_int_equal(strlen(buf), 3);
    tfg_error e;
    assert_int_equal(tfg_error_set(&e, "x %d", 5), -1);
    assert_string_equal(e.msg, "x 5");
    assert_int_equal(tfg_error_set(NULL, "ignored"), -1);
}

/* The parallel-for covers [0, n) exactly once, in chunks. */
static void count_chunk(void *ctx, int64_t b, int64_t e)
{
    unsigned char *seen = ctx;
    for (int64_t i = b; i < e; i++)
        seen[i]++;
}

/* parallel_for chunking for several thread counts and sizes. */
static void test_parallel_for(void **state)
{
    (void)state;
    static unsigned char seen[100003];
    int threads[] = {1, 2, 5, 300};
    for (int t = 0; t < 4; t++) {
        tfg_k_set_threads(threads[t]);
        assert_int_equal(tfg_k_threads(), threads[t] > 0 ? threads[t] : 1);
        int64_t ns[] = {0, 1, 63, 64, 1000, 100003};
        for (int k = 0; k < 6; k++) {
            memset(seen, 0, sizeof seen);
            tfg_k_parallel_for(ns[k], 10, count_chunk, seen);
            for (int64_t i = 0; i < ns[k]; i++)
                assert_int_equal(seen[i], 1);
        }
    }
    tfg_k_set_threads(-4);
    assert_true(tfg_k_threads() >= 1);
    tfg_k_set_threads(0);
}

/* Bounds of the blocks an affine call made (begin of each, in block order). */
static int64_t affine_begin[64];
static int affine_blocks;
static void affine_chunk(void *ctx, int64_t begin, int64_t end)
{
    count_chunk(ctx, begin, end);
    __atomic_fetch_add(&affine_blocks, 1, __ATOMIC_RELAXED);
    if (begin % 64 == 0 && begin / 64 < 64)
        affine_begin[begin / 64] = end;
}

/* tfg_k_parallel_affine: every element once, one block per thread at most,
 * bounds multiples of the grain, the same blocks on every call. */
static void test_parallel_affine(void **state)
{
    (void)state;
    static unsigned char seen[5000];
    int threads[] = {1, 2, 3, 40};
    int64_t ns[] = {0, 1, 64, 128, 200, 5000};
    for (int t = 0; t < 4; t++) {
        tfg_k_set_threads(threads[t]);
        for (int k = 0; k < 6; k++) {
            int64_t first[64];
            for (int rep = 0; rep < 3; rep++) {
                memset(seen, 0, sizeof seen);
                memset(affine_begin, 0, sizeof affine_begin);
                affine_blocks = 0;
                tfg_k_parallel_affine(ns[k], 64, affine_chunk, seen);
                for (int64_t i = 0; i < ns[k]; i++)
                    assert_int_equal(seen[i], 1);
                assert_true(affine_blocks <= (threads[t] < 32 ? threads[t] : 32));
                /* lending the machine out and back leaves the pool working */
                int taken = tfg_k_exclusive_begin();
                assert_true(taken == 1 || taken == threads[t]);
                assert_int_equal(tfg_k_exclusive_begin(), 1);   /* nested: not taken twice */
                tfg_k_exclusive_end(1);
                tfg_k_exclusive_end(taken);
                if (rep == 0)
                    memcpy(first, affine_begin, sizeof first);
                else
                    assert_memory_equal(first, affine_begin, sizeof first);
            }
        }
    }
    tfg_k_set_threads(0);
}

/* Runs the tensor tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new),           cmocka_unit_test(test_new_errors),
        cmocka_unit_test(test_refcount_copy), cmocka_unit_test(test_get_set),
        cmocka_unit_test(test_dtype_and_strings), cmocka_unit_test(test_parallel_for),
        cmocka_unit_test(test_parallel_affine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
