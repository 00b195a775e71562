/* test_kernels_matmul.c — tfg_k_matmul: transposes, batches with
 * broadcasting, integer loops and empty shapes against TensorFlow
 * (kernel_expect.h; most inputs are multiples of 1/8 so every sum is exact;
 * random ones check TF's oneDNN order where we reproduce it), TF's error
 * texts, and a larger product against a plain loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "runtime/kernels.h"
#include "tests/unit/kernel_expect.h"

/* Every generated matmul case. */
static void test_matmul_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t c = 0; c < sizeof kx_mm_cases / sizeof kx_mm_cases[0]; c++) {
        const kx_mm_case *k = &kx_mm_cases[c];
        tfg_tensor *a = kx_make(&k->a), *b = kx_make(&k->b), *o = NULL;
        tfg_error err = {{0}};
        int rc = tfg_k_matmul(a, b, k->ta, k->tb, &o, &err);
        if (k->err)
            bad += !(rc == -1 && o == NULL && kx_err_is(k->name, err.msg, k->err));
        else if (rc)
            bad += fprintf(stderr, "%s: %s\n", k->name, err.msg) > 0;
        else
            bad += !kx_same(k->name, o, &k->want, k->tol);
        tfg_tensor_unref(a);
        tfg_tensor_unref(b);
        tfg_tensor_unref(o);
    }
    assert_int_equal(bad, 0);
}

/* Errors outside the generated set: ranks below 2, dtypes, bool. */
static void test_matmul_errors(void **state)
{
    (void)state;
    int64_t s2[1] = {2}, s22[2] = {2, 2};
    tfg_tensor *v = tfg_tensor_new(TFG_FLOAT32, 1, s2, NULL);
    tfg_tensor *m = tfg_tensor_new(TFG_FLOAT32, 2, s22, NULL);
    tfg_tensor *d = tfg_tensor_new(TFG_FLOAT64, 2, s22, NULL);
    tfg_tensor *b = tfg_tensor_new(TFG_BOOL, 2, s22, NULL);
    tfg_tensor *o = NULL;
    tfg_error err;
    assert_int_equal(tfg_k_matmul(v, m, false, false, &o, &err), -1);
    assert_string_equal(err.msg, "In[0] is not a matrix. Instead it has shape [2]");
    assert_int_equal(tfg_k_matmul(m, v, false, false, &o, &err), -1);
    assert_string_equal(err.msg, "In[1] is not a matrix. Instead it has shape [2]");
    assert_int_equal(tfg_k_matmul(m, d, false, false, &o, &err), -1);
    assert_int_equal(tfg_k_matmul(b, b, false, false, &o, &err), -1);
    assert_null(o);
    tfg_tensor_unref(v);
    tfg_tensor_unref(m);
    tfg_tensor_unref(d);
    tfg_tensor_unref(b);
}

/* A float32 tensor of the given shape filled with f(i * step) (sin or cos). */
static tfg_tensor *wave(int rank, const int64_t *shape, double (*f)(double), double step)
{
    tfg_tensor *t = tfg_tensor_new(TFG_FLOAT32, rank, shape, NULL);
    assert_non_null(t);
    for (int64_t i = 0; i < t->size; i++)
        ((float *)t->data)[i] = (float)f((double)i * step);
    return t;
}

/* A non-trivial float product (BLAS, all transposes) against a double loop. */
static void test_matmul_large(void **state)
{
    (void)state;
    const int64_t M = 37, K = 129, N = 65;
    for (int t = 0; t < 4; t++) {
        bool ta = t & 1, tb = t & 2;
        int64_t sa[3] = {2, ta ? K : M, ta ? M : K}, sb[2] = {tb ? N : K, tb ? K : N};
        tfg_tensor *a = wave(3, sa, sin, 0.37), *b = wave(2, sb, cos, 0.11);
        tfg_tensor *o;
        tfg_error err;
        assert_int_equal(tfg_k_matmul(a, b, ta, tb, &o, &err), 0);
        assert_true(o->rank == 3 && o->shape[0] == 2 && o->shape[1] == M && o->shape[2] == N);
        const float *pa = a->data, *pb = b->data, *po = o->data;
        double worst = 0;
        for (int64_t bt = 0; bt < 2; bt++)
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++) {
                    double s = 0;
                    for (int64_t p = 0; p < K; p++) {
                        double x = pa[bt * M * K + (ta ? p * M + i : i * K + p)];
                        double y = pb[tb ? j * K + p : p * N + j];
                        s += x * y;
                    }
                    double e = fabs(po[(bt * M + i) * N + j] - s);
                    worst = e > worst ? e : worst;
                }
        assert_true(worst < 1e-4);
        tfg_tensor_unref(o);
        tfg_tensor_unref(a);
        tfg_tensor_unref(b);
    }
}

/* Mid-sized float32 products (tiled, shared among threads): each element is
 * one FMA chain over k in order, whatever the thread count, for every
 * transpose and ragged edge; a large one (OpenBLAS, threaded by it or cut
 * among tfg's threads) has the same bits on 1 and 3 threads. */
static void test_matmul_tiled(void **state)
{
    (void)state;
    static const int64_t dims[][3] = { { 100, 784, 128 }, { 37, 500, 200 }, { 130, 100, 64 },
                                       { 512, 512, 512 } };   /* the last: OpenBLAS's own threads */
    for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
        for (int t = 0; t < 4; t++) {
            int64_t M = dims[d][0], K = dims[d][1], N = dims[d][2];
            bool ta = t & 1, tb = t & 2;
            int64_t sa[2] = { ta ? K : M, ta ? M : K }, sb[2] = { tb ? N : K, tb ? K : N };
            tfg_tensor *a = wave(2, sa, sin, 0.37), *b = wave(2, sb, cos, 0.11);
            tfg_tensor *o1, *o2;
            tfg_error err;
            tfg_k_set_threads(1);
            assert_int_equal(tfg_k_matmul(a, b, ta, tb, &o1, &err), 0);
            tfg_k_set_threads(3);
            assert_int_equal(tfg_k_matmul(a, b, ta, tb, &o2, &err), 0);
            tfg_k_set_threads(0);
            if (memcmp(o1->data, o2->data, sizeof(float) * (size_t)(M * N))) print_message("case %zu t %d\n", d, t);
            assert_memory_equal(o1->data, o2->data, sizeof(float) * (size_t)(M * N));
            const float *pa = a->data, *pb = b->data, *po = o1->data;
            if ((!tb || K * N <= (1 << 16)) && M * N * K <= (1 << 25))   /* tiled: the FMA chain exactly */
                for (int64_t i = 0; i < M; i += 7)
                    for (int64_t j = 0; j < N; j += 5) {
                        float c = 0.0f;
                        for (int64_t p = 0; p < K; p++)
                            c = fmaf(pa[ta ? p * M + i : i * K + p], pb[tb ? j * K + p : p * N + j], c);
                        assert_memory_equal(&c, &po[i * N + j], 4);
                    }
            tfg_tensor_unref(o1);
            tfg_tensor_unref(o2);
            tfg_tensor_unref(a);
            tfg_tensor_unref(b);
        }
}

/* tfg_k_matmul_update: c -= lr * op(a) op(b) with the bits of the product
 * followed by c[i] -= p[i] * lr, on 1 and 3 threads; 0 and c untouched where
 * the product would go to OpenBLAS. */
static void test_matmul_update(void **state)
{
    (void)state;
    static const int64_t dims[][3] = { { 100, 784, 128 }, { 7, 5, 3 }, { 37, 500, 200 }, { 512, 512, 512 } };
    for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
        for (int t = 0; t < 4; t++) {
            int64_t M = dims[d][0], K = dims[d][1], N = dims[d][2];
            bool ta = t & 1, tb = t & 2;
            int64_t sa[2] = { ta ? K : M, ta ? M : K }, sb[2] = { tb ? N : K, tb ? K : N }, sc[2] = { M, N };
            tfg_tensor *a = wave(2, sa, sin, 0.37), *b = wave(2, sb, cos, 0.11), *c = wave(2, sc, sin, 0.05);
            const float lr = 0.01f;
            tfg_tensor *p, *want = tfg_tensor_copy(c, NULL);
            tfg_error err;
            assert_int_equal(tfg_k_matmul(a, b, ta, tb, &p, &err), 0);
            for (int64_t i = 0; i < c->size; i++)
                ((float *)want->data)[i] -= ((float *)p->data)[i] * lr;
            for (int th = 1; th <= 3; th += 2) {
                tfg_tensor *got = tfg_tensor_copy(c, NULL);
                tfg_k_set_threads(th);
                int done = tfg_k_matmul_update(a, b, ta, tb, lr, got);
                if (done)
                    assert_memory_equal(got->data, want->data, sizeof(float) * (size_t)c->size);
                else
                    assert_memory_equal(got->data, c->data, sizeof(float) * (size_t)c->size);
                if (M * N * K > (1 << 25))
                    assert_int_equal(done, 0);   /* OpenBLAS's size */
                else if (!tb)
                    assert_int_equal(done, 1);   /* b's rows contiguous: always the tiles */
                tfg_tensor_unref(got);
            }
            tfg_k_set_threads(0);
            tfg_tensor_unref(p);
            tfg_tensor_unref(want);
            tfg_tensor_unref(a);
            tfg_tensor_unref(b);
            tfg_tensor_unref(c);
        }
}

/* Runs the matmul tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matmul_cases),
        cmocka_unit_test(test_matmul_errors),
        cmocka_unit_test(test_matmul_large),
        cmocka_unit_test(test_matmul_tiled),
        cmocka_unit_test(test_matmul_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
