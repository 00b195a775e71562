/* k_nn.c — CPU kernels of the neural-network ops (tfg_k_nn_, see k_nn.h).
 *
 * Order of work. TensorFlow's float32 results depend on how its Eigen kernels
 * evaluate: packets of 8 floats (AVX) with Eigen's own exp/log inside whole
 * packets and glibc's expf/logf for the scalar tails, and reductions along a
 * row in Eigen's InnerMostDimReducer order (four packet accumulators, a
 * scalar tail, a halving horizontal sum, long rows split in a tree). The
 * cross-entropy and L2Loss kernels below reproduce that; see kernels.h and
 * k_reduce.c for the verified pieces. Results must be TF's bits, so nothing
 * here may fuse a * b + c: the file is compiled without FP contraction.
 *
 * Convolutions: im2col + GEMM, in chunks of output pixels so that the
 * column buffer stays small; OpenBLAS (blas.h) for large products, a plain
 * loop for small ones (or when OpenBLAS is missing). */
#pragma GCC optimize("O3", "fp-contract=off")
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blas.h"
#include "k_nn.h"
#include "kernels.h"

/* Bytes of im2col buffer per chunk. */
#define NN_COLS_BYTES ((int64_t)8 << 20)
/* Multiply-adds below which the plain loop beats loading OpenBLAS. */
#define NN_SMALL_GEMM ((int64_t)1 << 16)

/* "[2,3]" of a shape. */
static void shape_str(int rank, const int64_t *shape, char *buf, size_t n)
{
    tfg_tensor_shape_str(rank, shape, buf, n);
}

/* ---- window arithmetic ---------------------------------------------------------------- */

/* TF's windowed output size and leading padding; see k_nn.h. */
int tfg_k_nn_window(int64_t in, int64_t ksize, int64_t dilation, int64_t stride, bool same,
                    int64_t *out, int64_t *pad_before, tfg_error *err)
{
    if (stride <= 0) return tfg_error_set(err, "Stride must be > 0, but got %" PRId64, stride);
    if (dilation < 1) return tfg_error_set(err, "Dilation rate must be >= 1, but got %" PRId64, dilation);
    int64_t eff = (ksize - 1) * dilation + 1;
    if (same) {
        *out = (in + stride - 1) / stride;
        int64_t need = (*out - 1) * stride + eff - in;
        if (need < 0) need = 0;
        *pad_before = need / 2;
    } else {
        *out = (in - eff + stride) / stride;
        *pad_before = 0;
    }
    if (*out < 0)
        return tfg_error_set(err,
                             "Computed output size would be negative: %" PRId64 " [input_size: %" PRId64
                             ", effective_filter_size: %" PRId64 ", stride: %" PRId64 "]",
                             *out, in, eff, stride);
    return 0;
}

/* ---- Eigen's float32 row reduction ------------------------------------------------------ */

/* Horizontal sum of an 8-lane packet, halving the lanes (lane i + lane i + h). */
static float hsum8(float *p)
{
    for (int h = 4; h >= 1; h /= 2)
        for (int i = 0; i < h; i++) p[i] = p[i] + p[i + h];
    return p[0];
}

/* One element of a run as Eigen's reducer reads it: raw (pe NULL), or exp'ed:
 * the packet exp inside whole packets, read from pe (pe[j] is the packet exp
 * of b[j], computed beforehand for the whole array), glibc's expf for the
 * scalar tail. */
static inline float rd(const float *b, const float *pe, int64_t j, bool packet)
{
    if (!pe) return b[j];
    return packet ? pe[j] : expf(b[j]);
}

/* A leaf run x[first, first + n): four packet accumulators over blocks of 4
 * packets, the remaining whole packets into the first, a scalar tail from 0,
 * then tail + horizontal(packet). */
static float leaf8(const float *x, const float *xe, int64_t first, int64_t n)
{
    float p0[8], p1[8], p2[8], p3[8];
    for (int l = 0; l < 8; l++) p0[l] = p1[l] = p2[l] = p3[l] = 0.0f;
    const float *b = x + first, *pe = xe ? xe + first : NULL;
    int64_t start = 0;
    if (n >= 32) {
        int64_t v4 = n / 32 * 32;
        for (int64_t j = 0; j < v4; j += 32)
            for (int l = 0; l < 8; l++) {
                p0[l] += rd(b, pe, j + l, true);
                p1[l] += rd(b, pe, j + 8 + l, true);
                p2[l] += rd(b, pe, j + 16 + l, true);
                p3[l] += rd(b, pe, j + 24 + l, true);
            }
        for (int l = 0; l < 8; l++) p0[l] = ((p0[l] + p1[l]) + p2[l]) + p3[l];
        start = v4;
    }
    if (start <= n - 8) {
        int64_t v = n / 8 * 8;
        for (int64_t j = start; j < v; j += 8)
            for (int l = 0; l < 8; l++) p0[l] += rd(b, pe, j + l, true);
        start = v;
    }
    float acc = 0.0f;
    for (int64_t j = start; j < n; j++) acc += rd(b, pe, j, false);
    return acc + hsum8(p0);
}

/* The sum of x[first, first + n) (of exp(x) when xe, x's packet exps, is
 * given) in Eigen's order: runs over 1024 packets split at the packet
 * boundary nearest the middle. */
static float run8(const float *x, const float *xe, int64_t first, int64_t n)
{
    if (n <= 8 * 1024) return leaf8(x, xe, first, n);
    int64_t split = 8 * ((first + (n + 1) / 2 + 7) / 8);
    int64_t nl = split - first < n ? split - first : n;
    float acc = 0.0f + run8(x, xe, first, nl);
    if (nl < n) acc = acc + run8(x, xe, first + nl, n - nl);
    return acc;
}

/* Sum of a double run in order (float64 paths: TF's may differ in the last bits). */
static double run_f64(const double *x, int64_t n, bool ex)
{
    double acc = 0.0;
    for (int64_t j = 0; j < n; j++) acc += ex ? exp(x[j]) : x[j];
    return acc;
}

/* ---- bias ----------------------------------------------------------------------------- */

/* Defines NAME: o[i] = x[i] + b[i % c] for type T. */
#define BIAS_ADD(NAME, T)                                                                  \
    static void NAME(const void *xv, const void *bv, void *ov, int64_t n, int64_t c)       \
    {                                                                                      \
        const T *x = xv, *b = bv;                                                          \
        T *o = ov;                                                                         \
        for (int64_t i = 0; i < n; i += c)                                                 \
            for (int64_t j = 0; j < c; j++) o[i + j] = (T)(x[i + j] + b[j]);               \
    }
BIAS_ADD(bias_f32, float)
BIAS_ADD(bias_f64, double)
BIAS_ADD(bias_i32, int32_t)
BIAS_ADD(bias_i64, int64_t)
BIAS_ADD(bias_u8, uint8_t)

/* BiasAdd: x + bias along the last dimension. */
int tfg_k_nn_bias_add(const tfg_tensor *x, const tfg_tensor *bias, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (x->dtype != bias->dtype)
        return tfg_error_set(err, "BiasAdd: value and bias must have the same dtype");
    if (x->dtype == TFG_BOOL)
        return tfg_error_set(err, "No OpKernel was registered to support Op 'BiasAdd' with these attrs: [T=DT_BOOL]");
    if (x->rank < 2) {
        char s[128];
        shape_str(x->rank, x->shape, s, sizeof s);
        return tfg_error_set(err, "Input tensor must be at least 2D: %s", s);
    }
    if (bias->rank != 1) {
        char s[128];
        shape_str(bias->rank, bias->shape, s, sizeof s);
        return tfg_error_set(err, "Biases must be 1D: %s", s);
    }
    int64_t c = x->shape[x->rank - 1];
    if (bias->shape[0] != c) {
        char s1[128], s2[128];
        shape_str(bias->rank, bias->shape, s1, sizeof s1);
        shape_str(x->rank, x->shape, s2, sizeof s2);
        return tfg_error_set(err,
                             "Must provide as many biases as the last dimension of the input tensor: %s vs. %s",
                             s1, s2);
    }
    tfg_tensor *o = tfg_tensor_new(x->dtype, x->rank, x->shape, err);
    if (!o) return -1;
    if (o->size > 0) {
        switch (x->dtype) {
        case TFG_FLOAT32: bias_f32(x->data, bias->data, o->data, o->size, c); break;
        case TFG_FLOAT64: bias_f64(x->data, bias->data, o->data, o->size, c); break;
        case TFG_INT32: bias_i32(x->data, bias->data, o->data, o->size, c); break;
        case TFG_INT64: bias_i64(x->data, bias->data, o->data, o->size, c); break;
        default: bias_u8(x->data, bias->data, o->data, o->size, c); break;
        }
    }
    *out = o;
    return 0;
}

/* BiasAddGrad: column sums of g viewed as [rows, channels], TF-order. */
int tfg_k_nn_bias_add_grad(const tfg_tensor *g, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (g->rank < 2) {
        char s[128];
        shape_str(g->rank, g->shape, s, sizeof s);
        return tfg_error_set(err, "Input tensor must be at least 2D: %s", s);
    }
    int64_t c = g->shape[g->rank - 1];
    int64_t two[2] = { c ? g->size / c : 0, c };
    tfg_tensor *flat;
    if (tfg_k_reshape(g, 2, two, &flat, err)) return -1;
    int axis = 0;
    int rc = tfg_k_reduce(TFG_RED_SUM, flat, &axis, 1, false, out, err);
    tfg_tensor_unref(flat);
    return rc;
}

/* ---- softmax cross-entropy ------------------------------------------------------------- */

/* Element strides of a [rows, cols] operand broadcast to [B, C]. */
static void bstrides(const tfg_tensor *t, int64_t B, int64_t C, int64_t *sb, int64_t *sc)
{
    int64_t r = t->shape[0], c = t->shape[1];
    *sc = (c == 1 && C != 1) ? 0 : 1;
    *sb = (r == 1 && B != 1) ? 0 : c;
}

/* float32 dense softmax cross-entropy in TF's (Eigen) order. */
static void xent_f32(const float *lg, int64_t lsb, int64_t lsc, const float *lb, int64_t bsb,
                     int64_t bsc, int64_t B, int64_t C, float *loss, float *bp, float *s, float *t,
                     float *pe)
{
    for (int64_t b = 0; b < B; b++) {
        float m = -INFINITY;
        for (int64_t c = 0; c < C; c++) {
            float v = lg[b * lsb + c * lsc];
            m = m < v ? v : m;
        }
        for (int64_t c = 0; c < C; c++) bp[b * C + c] = lg[b * lsb + c * lsc] - m;
    }
    int64_t n = B * C, n8 = n / 8 * 8;
    tfg_k_tf_expf_packet_n(bp, pe, n);
    for (int64_t b = 0; b < B; b++) s[b] = run8(bp, pe, b * C, C);
    int64_t b8 = B / 8 * 8;
    for (int64_t b = 0; b < B; b++) {
        float ls = b < b8 ? tfg_k_tf_logf_packet(s[b]) : logf(s[b]);
        for (int64_t c = 0; c < C; c++) t[b * C + c] = lb[b * bsb + c * bsc] * (ls - bp[b * C + c]);
        loss[b] = run8(t, NULL, b * C, C);
    }
    for (int64_t b = 0, i = 0; b < B; b++)
        for (int64_t c = 0; c < C; c++, i++) {
            float e = i < n8 ? pe[i] : expf(bp[i]);
            bp[i] = e / s[b] - lb[b * bsb + c * bsc];
        }
}

/* float64 dense softmax cross-entropy, same steps with libm. */
static void xent_f64(const double *lg, int64_t lsb, int64_t lsc, const double *lb, int64_t bsb,
                     int64_t bsc, int64_t B, int64_t C, double *loss, double *bp)
{
    for (int64_t b = 0; b < B; b++) {
        double m = -INFINITY;
        for (int64_t c = 0; c < C; c++) {
            double v = lg[b * lsb + c * lsc];
            m = m < v ? v : m;
        }
        double *row = bp + b * C;
        for (int64_t c = 0; c < C; c++) row[c] = lg[b * lsb + c * lsc] - m;
        double s = run_f64(row, C, true), ls = log(s), acc = 0.0;
        for (int64_t c = 0; c < C; c++) acc += lb[b * bsb + c * bsc] * (ls - row[c]);
        loss[b] = acc;
        for (int64_t c = 0; c < C; c++) row[c] = exp(row[c]) / s - lb[b * bsb + c * bsc];
    }
}

/* SoftmaxCrossEntropyWithLogits: loss and backprop, labels broadcast. */
int tfg_k_nn_xent(const tfg_tensor *logits, const tfg_tensor *labels, tfg_tensor **loss,
                  tfg_tensor **backprop, tfg_error *err)
{
    *loss = *backprop = NULL;
    if (!tfg_dtype_is_float(logits->dtype) || labels->dtype != logits->dtype)
        return tfg_error_set(err, "SoftmaxCrossEntropyWithLogits needs float logits and labels of one dtype");
    char s1[128], s2[128];
    shape_str(logits->rank, logits->shape, s1, sizeof s1);
    shape_str(labels->rank, labels->shape, s2, sizeof s2);
    int64_t shp[2];
    int r = 0;
    bool ok = tfg_k_broadcast_shape(logits->rank, logits->shape, labels->rank, labels->shape, &r, shp, NULL) == 0;
    if (!ok)
        return tfg_error_set(err, "logits and labels must be broadcastable: logits_size=%s labels_size=%s", s1, s2);
    if (r != 2 || logits->rank != 2 || labels->rank != 2)
        return tfg_error_set(err, "logits and labels must be either 2-dimensional, or broadcasted to be "
                                  "2-dimensional");
    int64_t B = shp[0], C = shp[1];
    int64_t vec[1] = { B };
    tfg_tensor *lo = tfg_tensor_new(logits->dtype, 1, vec, err);
    tfg_tensor *bp = lo ? tfg_tensor_new(logits->dtype, 2, shp, err) : NULL;
    if (!bp) { tfg_tensor_unref(lo); return -1; }
    int64_t lsb, lsc, bsb, bsc;
    bstrides(logits, B, C, &lsb, &lsc);
    bstrides(labels, B, C, &bsb, &bsc);
    if (B > 0 && C > 0) {
        if (logits->dtype == TFG_FLOAT32) {
            float *s = malloc(sizeof(float) * (size_t)(B + 2 * B * C));
            if (!s) {
                tfg_tensor_unref(lo);
                tfg_tensor_unref(bp);
                return tfg_error_set(err, "OOM when allocating softmax cross-entropy scratch");
            }
            xent_f32(logits->data, lsb, lsc, labels->data, bsb, bsc, B, C, lo->data, bp->data, s, s + B,
                     s + B + B * C);
            free(s);
        } else {
            xent_f64(logits->data, lsb, lsc, labels->data, bsb, bsc, B, C, lo->data, bp->data);
        }
    } else if (B > 0) {
        /* no classes: loss 0 (an empty sum) */
    }
    *loss = lo;
    *backprop = bp;
    return 0;
}

/* Checks sparse labels against [0, C): TF's message names the smallest
 * label if negative, else the largest, and lists them all. */
static int check_labels(const tfg_tensor *labels, int64_t C, tfg_error *err)
{
    if (labels->size == 0) return 0;
    int64_t lo = tfg_tensor_get_i(labels, 0), hi = lo;
    for (int64_t i = 1; i < labels->size; i++) {
        int64_t v = tfg_tensor_get_i(labels, i);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    if (lo >= 0 && hi < C) return 0;
    int64_t bad = lo < 0 ? lo : hi;
    char list[700];
    size_t used = 0;
    list[0] = '\0';
    for (int64_t i = 0; i < labels->size && used + 24 < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%" PRId64, i ? " " : "",
                                 tfg_tensor_get_i(labels, i));
    return tfg_error_set(err,
                         "Received a label value of %" PRId64 " which is outside the valid range of [0, %" PRId64
                         ").  Label values: %s",
                         bad, C, list);
}

/* SparseSoftmaxCrossEntropyWithLogits: loss and backprop from class indices. */
int tfg_k_nn_sparse_xent(const tfg_tensor *logits, const tfg_tensor *labels, tfg_tensor **loss,
                         tfg_tensor **backprop, tfg_error *err)
{
    *loss = *backprop = NULL;
    if (!tfg_dtype_is_float(logits->dtype) || (labels->dtype != TFG_INT32 && labels->dtype != TFG_INT64))
        return tfg_error_set(err, "SparseSoftmaxCrossEntropyWithLogits needs float logits and int labels");
    char s1[128], s2[128];
    shape_str(logits->rank, logits->shape, s1, sizeof s1);
    shape_str(labels->rank, labels->shape, s2, sizeof s2);
    if (logits->rank != 2) return tfg_error_set(err, "logits must be 2-D, but got shape %s", s1);
    if (labels->rank != 1) return tfg_error_set(err, "labels must be 1-D, but got shape %s", s2);
    if (logits->shape[0] != labels->shape[0])
        return tfg_error_set(err,
                             "logits and labels must have the same first dimension, got logits shape %s and "
                             "labels shape %s",
                             s1, s2);
    int64_t B = logits->shape[0], C = logits->shape[1];
    if (C == 0 && B > 0)
        return tfg_error_set(err, "Must have at least one class, but got logits shape %s", s1);
    if (B > 0 && check_labels(labels, C, err)) return -1;
    int64_t vec[1] = { B };
    tfg_tensor *lo = tfg_tensor_new_uninit(logits->dtype, 1, vec, err);
    tfg_tensor *bp = lo ? tfg_tensor_new_uninit(logits->dtype, 2, logits->shape, err) : NULL;
    if (!bp) { tfg_tensor_unref(lo); return -1; }
    if (B > 0 && logits->dtype == TFG_FLOAT32) {
        const float *x = logits->data;
        float *o = bp->data, *l = lo->data;
        float *s = malloc(sizeof(float) * (size_t)(B + B * C)), *pe = s + B;
        if (!s) {
            tfg_tensor_unref(lo);
            tfg_tensor_unref(bp);
            return tfg_error_set(err, "OOM when allocating softmax cross-entropy scratch");
        }
        for (int64_t b = 0; b < B; b++) {
            float m = -INFINITY;
            for (int64_t c = 0; c < C; c++) m = m < x[b * C + c] ? x[b * C + c] : m;
            for (int64_t c = 0; c < C; c++) o[b * C + c] = x[b * C + c] - m;
        }
        int64_t n = B * C, n8 = n / 8 * 8;
        tfg_k_tf_expf_packet_n(o, pe, n);
        const int32_t *l32 = labels->dtype == TFG_INT32 ? labels->data : NULL;
        const int64_t *l64 = labels->dtype == TFG_INT64 ? labels->data : NULL;
        for (int64_t b = 0; b < B; b++) {
            int64_t lab = l32 ? l32[b] : l64[b];
            s[b] = run8(o, pe, b * C, C);
            l[b] = logf(s[b]) - o[b * C + lab];
        }
        /* backprop: exp / sum, less 1 at the label (x - 0 is x: one
         * subtraction where TF's one-hot has a 1); the elements past the last
         * whole packet take glibc's expf, as TF's scalar tail does */
        for (int64_t i = n8; i < n; i++) pe[i] = expf(o[i]);
        for (int64_t b = 0; b < B; b++) {
            const float sb = s[b];
            float *restrict ro = o + b * C;
            const float *restrict re = pe + b * C;
            for (int64_t c = 0; c < C; c++) ro[c] = re[c] / sb;
            ro[l32 ? l32[b] : l64[b]] -= 1.0f;
        }
        free(s);
    } else if (B > 0) {
        const double *x = logits->data;
        double *o = bp->data, *l = lo->data;
        for (int64_t b = 0; b < B; b++) {
            double m = -INFINITY;
            for (int64_t c = 0; c < C; c++) m = m < x[b * C + c] ? x[b * C + c] : m;
            double *row = o + b * C;
            for (int64_t c = 0; c < C; c++) row[c] = x[b * C + c] - m;
            double s = run_f64(row, C, true);
            int64_t lab = tfg_tensor_get_i(labels, b);
            l[b] = log(s) - row[lab];
            for (int64_t c = 0; c < C; c++) row[c] = exp(row[c]) / s - (c == lab ? 1.0 : 0.0);
        }
    }
    *loss = lo;
    *backprop = bp;
    return 0;
}

/* L2Loss: sum(x * x * 0.5) in TF's order. */
int tfg_k_nn_l2_loss(const tfg_tensor *x, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (!tfg_dtype_is_float(x->dtype)) return tfg_error_set(err, "L2Loss needs a float tensor");
    tfg_tensor *o = tfg_tensor_new(x->dtype, 0, NULL, err);
    if (!o) return -1;
    if (x->dtype == TFG_FLOAT32) {
        float *t = malloc(sizeof(float) * (size_t)(x->size ? x->size : 1));
        if (!t) {
            tfg_tensor_unref(o);
            return tfg_error_set(err, "OOM when allocating L2Loss scratch");
        }
        const float *v = x->data;
        for (int64_t i = 0; i < x->size; i++) t[i] = (v[i] * v[i]) * 0.5f;
        *(float *)o->data = run8(t, NULL, 0, x->size);
        free(t);
    } else {
        const double *v = x->data;
        double acc = 0.0;
        for (int64_t i = 0; i < x->size; i++) acc += (v[i] * v[i]) * 0.5;
        *(double *)o->data = acc;
    }
    *out = o;
    return 0;
}

/* InTopKV2 with TF's tie and non-finite rules. */
int tfg_k_nn_in_top_k(const tfg_tensor *pred, const tfg_tensor *targets, int64_t k, tfg_tensor **out,
                      tfg_error *err)
{
    *out = NULL;
    if (pred->rank != 2) {
        char s[128];
        shape_str(pred->rank, pred->shape, s, sizeof s);
        return tfg_error_set(err, "predictions must be 2-dimensional, got %s", s);
    }
    if (targets->rank != 1) {
        char s[128];
        shape_str(targets->rank, targets->shape, s, sizeof s);
        return tfg_error_set(err, "targets must be 1-dimensional, got %s", s);
    }
    int64_t B = pred->shape[0], C = pred->shape[1];
    if (targets->shape[0] != B)
        return tfg_error_set(err, "First dimension of predictions %" PRId64 " must match length of targets %" PRId64,
                             B, targets->shape[0]);
    int64_t sh[1] = { B };
    tfg_tensor *o = tfg_tensor_new(TFG_BOOL, 1, sh, err);
    if (!o) return -1;
    uint8_t *r = o->data;
    for (int64_t b = 0; b < B; b++) {
        int64_t t = tfg_tensor_get_i(targets, b);
        bool cannot = t < 0 || t >= C;
        int64_t more = 0;
        if (!cannot) {
            double tp = tfg_tensor_get_f(pred, b * C + t);
            if (!isfinite(tp)) cannot = true;
            for (int64_t c = 0; c < C && !cannot; c++) {
                double p = tfg_tensor_get_f(pred, b * C + c);
                if (!isfinite(p)) cannot = true;
                else if (p > tp && ++more > k) break;
            }
        }
        r[b] = !cannot && more < k;
    }
    *out = o;
    return 0;
}

/* ---- SparseToDense, GatherNd, DivNoNan ------------------------------------------------------ */

/* Writes index tuple i of indices ([n, r] or [n] / scalar with r = 1) as "[1,2]". */
static void index_str(const tfg_tensor *indices, int64_t i, int64_t r, char *buf, size_t n)
{
    size_t u = 0;
    buf[u++] = '[';
    for (int64_t d = 0; d < r && u + 24 < n; d++)
        u += (size_t)snprintf(buf + u, n - u, "%s%" PRId64, d ? "," : "", tfg_tensor_get_i(indices, i * r + d));
    snprintf(buf + u, n - u, "]");
}

/* SparseToDense with TF's validation messages. */
int tfg_k_nn_sparse_to_dense(const tfg_tensor *indices, int rank, const int64_t *shape,
                             const tfg_tensor *values, const tfg_tensor *def, bool validate,
                             tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    char s[200];
    if (indices->rank > 2) {
        shape_str(indices->rank, indices->shape, s, sizeof s);
        return tfg_error_set(err, "sparse_indices should be a scalar, vector, or matrix, got shape %s", s);
    }
    int64_t nel = indices->rank > 0 ? indices->shape[0] : 1;
    int64_t ndims = indices->rank > 1 ? indices->shape[1] : 1;
    if (rank != ndims)
        return tfg_error_set(err, "output_shape has incorrect number of elements: %d should be: %" PRId64, rank, ndims);
    if (!(values->rank == 0 || (values->rank == 1 && values->size == nel))) {
        shape_str(values->rank, values->shape, s, sizeof s);
        return tfg_error_set(err, "sparse_values has incorrect shape %s, should be [] or [%" PRId64 "]", s, nel);
    }
    if (def->rank != 0) return tfg_error_set(err, "default_value should be a scalar.");
    for (int d = 0; d < rank; d++)
        if (shape[d] < 0) return tfg_error_set(err, "Dimension %" PRId64 " must be >= 0", shape[d]);
    shape_str(rank, shape, s, sizeof s);
    if (validate) {
        for (int64_t i = 0; i < nel; i++) {
            char is[200];
            for (int64_t d = 0; d < ndims; d++) {
                int64_t v = tfg_tensor_get_i(indices, i * ndims + d);
                if (v < 0 || v >= shape[d]) {
                    index_str(indices, i, ndims, is, sizeof is);
                    return tfg_error_set(err, "indices[%" PRId64 "] = %s is out of bounds: need 0 <= index < %s", i,
                                         is, s);
                }
            }
            if (i == 0) continue;
            int cmp = 0;
            for (int64_t d = 0; d < ndims && cmp == 0; d++) {
                int64_t a = tfg_tensor_get_i(indices, (i - 1) * ndims + d), b = tfg_tensor_get_i(indices, i * ndims + d);
                cmp = a < b ? -1 : a > b ? 1 : 0;
            }
            if (cmp >= 0) {
                index_str(indices, i, ndims, is, sizeof is);
                if (cmp == 0) return tfg_error_set(err, "indices[%" PRId64 "] = %s is repeated", i, is);
                return tfg_error_set(err,
                                     "indices[%" PRId64 "] = %s is out of order. Many sparse ops require sorted "
                                     "indices.\n    Use `tf.sparse.reorder` to create a correctly ordered copy.",
                                     i, is);
            }
        }
    }
    tfg_tensor *o = tfg_tensor_new(values->dtype, rank, shape, err);
    if (!o) return -1;
    size_t esz = tfg_dtype_size(values->dtype);
    for (int64_t i = 0; i < o->size; i++) memcpy((char *)o->data + i * (int64_t)esz, def->data, esz);
    for (int64_t i = 0; i < nel; i++) {
        int64_t flat = 0;
        bool in = true;
        for (int64_t d = 0; d < ndims; d++) {
            int64_t v = tfg_tensor_get_i(indices, i * ndims + d);
            if (v < 0 || v >= shape[d]) in = false;
            flat = flat * shape[d] + v;
        }
        if (!in) {
            tfg_tensor_unref(o);
            return tfg_error_set(err, "Indices are not valid (out of bounds).  Shape: %s", s);
        }
        const char *src = (const char *)values->data + (values->rank ? i * (int64_t)esz : 0);
        memcpy((char *)o->data + flat * (int64_t)esz, src, esz);
    }
    *out = o;
    return 0;
}

/* GatherNd: slices of params at the index tuples. */
int tfg_k_nn_gather_nd(const tfg_tensor *params, const tfg_tensor *indices, tfg_tensor **out,
                       tfg_error *err)
{
    *out = NULL;
    char s1[200], s2[200];
    shape_str(params->rank, params->shape, s1, sizeof s1);
    shape_str(indices->rank, indices->shape, s2, sizeof s2);
    if (indices->rank < 1)
        return tfg_error_set(err, "indices must be at least a vector, but saw shape: %s", s2);
    int64_t r = indices->shape[indices->rank - 1];
    if (r > params->rank)
        return tfg_error_set(err, "index innermost dimension length must be <= params rank; saw: %" PRId64 " vs. %d",
                             r, params->rank);
    int orank = indices->rank - 1 + params->rank - (int)r;
    if (orank > TFG_MAX_RANK) return tfg_error_set(err, "GatherNd result has rank %d above %d", orank, TFG_MAX_RANK);
    int64_t oshape[TFG_MAX_RANK];
    int k = 0;
    for (int d = 0; d < indices->rank - 1; d++) oshape[k++] = indices->shape[d];
    int64_t slice = 1;
    for (int d = (int)r; d < params->rank; d++) {
        oshape[k++] = params->shape[d];
        slice *= params->shape[d];
    }
    tfg_tensor *o = tfg_tensor_new(params->dtype, orank, oshape, err);
    if (!o) return -1;
    int64_t n = r ? indices->size / r : (slice ? o->size / slice : 0);
    size_t esz = tfg_dtype_size(params->dtype);
    for (int64_t i = 0; i < n; i++) {
        int64_t flat = 0;
        for (int64_t d = 0; d < r; d++) {
            int64_t v = tfg_tensor_get_i(indices, i * r + d);
            if (v < 0 || v >= params->shape[d]) {
                char is[200];
                index_str(indices, i, r, is, sizeof is);
                tfg_tensor_unref(o);
                return tfg_error_set(err, "indices[%" PRId64 "] = %s does not index into param shape %s", i, is, s1);
            }
            flat = flat * params->shape[d] + v;
        }
        memcpy((char *)o->data + i * slice * (int64_t)esz, (const char *)params->data + flat * slice * (int64_t)esz,
               (size_t)slice * esz);
    }
    *out = o;
    return 0;
}

/* DivNoNan: x / y with 0 where y == 0, broadcasting. */
int tfg_k_nn_div_no_nan(const tfg_tensor *x, const tfg_tensor *y, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (!tfg_dtype_is_float(x->dtype) || x->dtype != y->dtype)
        return tfg_error_set(err, "DivNoNan needs float operands of one dtype");
    int r;
    int64_t shp[TFG_MAX_RANK];
    if (tfg_k_broadcast_shape(x->rank, x->shape, y->rank, y->shape, &r, shp, err)) return -1;
    tfg_tensor *o = tfg_tensor_new(x->dtype, r, shp, err);
    if (!o) return -1;
    /* strides of x and y in the output's index space (0 where broadcast) */
    int64_t sx[TFG_MAX_RANK], sy[TFG_MAX_RANK];
    for (int w = 0; w < 2; w++) {
        const tfg_tensor *t = w ? y : x;
        int64_t *st = w ? sy : sx, acc = 1;
        for (int d = r - 1; d >= 0; d--) {
            int td = d - (r - t->rank);
            int64_t dim = td >= 0 ? t->shape[td] : 1;
            st[d] = dim == 1 ? 0 : acc;
            acc *= dim;
        }
    }
    for (int64_t i = 0; i < o->size; i++) {
        int64_t rem = i, ix = 0, iy = 0;
        for (int d = r - 1; d >= 0; d--) {
            int64_t idx = rem % shp[d];
            rem /= shp[d];
            ix += idx * sx[d];
            iy += idx * sy[d];
        }
        if (x->dtype == TFG_FLOAT32) {
            float a = ((const float *)x->data)[ix], b = ((const float *)y->data)[iy];
            ((float *)o->data)[i] = b == 0.0f ? 0.0f : a / b;
        } else {
            double a = ((const double *)x->data)[ix], b = ((const double *)y->data)[iy];
            ((double *)o->data)[i] = b == 0.0 ? 0.0 : a / b;
        }
    }
    *out = o;
    return 0;
}

/* ---- GEMM --------------------------------------------------------------------------------- */

/* Row-major C (m x n, ldc) = op(A) op(B) (+ C when acc) of dtype dt
 * (float32, float64, int32): OpenBLAS for large float products, a plain
 * loop otherwise. */
static void gemm(tfg_dtype dt, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const void *a, int64_t lda,
                 const void *b, int64_t ldb, bool acc, void *c, int64_t ldc)
{
    if (m == 0 || n == 0) return;
    tfg_error e;
    if (dt != TFG_INT32 && m * n * k > NN_SMALL_GEMM && m <= INT32_MAX && n <= INT32_MAX && k <= INT32_MAX &&
        tfg_blas_load(&e) == 0) {
        if (dt == TFG_FLOAT32)
            tfg_blas_sgemm(ta, tb, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb, acc ? 1.0f : 0.0f, c,
                           (int)ldc);
        else
            tfg_blas_dgemm(ta, tb, (int)m, (int)n, (int)k, 1.0, a, (int)lda, b, (int)ldb, acc ? 1.0 : 0.0, c,
                           (int)ldc);
        return;
    }
    int64_t ais = ta ? 1 : lda, aps = ta ? lda : 1, bps = tb ? 1 : ldb, bjs = tb ? ldb : 1;
    if (dt == TFG_INT32) {
        /* wrapping int32 arithmetic, as TF's Eigen int kernels */
        const int32_t *A = a, *B = b;
        int32_t *C = c;
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                uint32_t s = acc ? (uint32_t)C[i * ldc + j] : 0u;
                for (int64_t p = 0; p < k; p++) s += (uint32_t)A[i * ais + p * aps] * (uint32_t)B[p * bps + j * bjs];
                C[i * ldc + j] = (int32_t)s;
            }
    } else if (dt == TFG_FLOAT32) {
        const float *A = a, *B = b;
        float *C = c;
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                float s = acc ? C[i * ldc + j] : 0.0f;
                for (int64_t p = 0; p < k; p++) s += A[i * ais + p * aps] * B[p * bps + j * bjs];
                C[i * ldc + j] = s;
            }
    } else {
        const double *A = a, *B = b;
        double *C = c;
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double s = acc ? C[i * ldc + j] : 0.0;
                for (int64_t p = 0; p < k; p++) s += A[i * ais + p * aps] * B[p * bps + j * bjs];
                C[i * ldc + j] = s;
            }
    }
}

/* ---- convolution ------------------------------------------------------------------------------ */

/* The geometry of one convolution. */
typedef struct {
    int64_t n, h, w, c;      /* input */
    int64_t kh, kw, ic, oc;  /* filter: ic = c / groups */
    int64_t oh, ow, pt, pl;  /* output, padding before (top, left) */
    int64_t sh, sw, dh, dw;
    int64_t groups;
    tfg_dtype dt;
    size_t esz;
} cgeo;

/* Fills g from the shapes; TF's kernel messages on mismatch. */
static int conv_geo(const int64_t *in, const int64_t *f, const tfg_k_nn_conv *p, tfg_dtype dt, cgeo *g,
                    tfg_error *err)
{
    memset(g, 0, sizeof *g);
    g->n = in[0]; g->h = in[1]; g->w = in[2]; g->c = in[3];
    g->kh = f[0]; g->kw = f[1]; g->ic = f[2]; g->oc = f[3];
    g->sh = p->stride_h; g->sw = p->stride_w; g->dh = p->dil_h; g->dw = p->dil_w;
    g->dt = dt;
    g->esz = tfg_dtype_size(dt);
    if (g->ic <= 0 || g->c % g->ic != 0)
        return tfg_error_set(err, "input depth must be evenly divisible by filter depth: %" PRId64 " vs %" PRId64, g->c,
                             g->ic);
    g->groups = g->c / g->ic;
    if (g->oc % g->groups != 0)
        return tfg_error_set(err, "output depth must be evenly divisible by number of groups: %" PRId64 " vs %" PRId64,
                             g->oc, g->groups);
    if (tfg_k_nn_window(g->h, g->kh, g->dh, g->sh, p->same, &g->oh, &g->pt, err)) return -1;
    if (tfg_k_nn_window(g->w, g->kw, g->dw, g->sw, p->same, &g->ow, &g->pl, err)) return -1;
    return 0;
}

/* im2col of output pixels [m0, m1) for group gi into cols ([m1 - m0, kh*kw*ic]). */
static void im2col(const cgeo *g, const char *x, int64_t gi, int64_t m0, int64_t m1, char *cols)
{
    int64_t K = g->kh * g->kw * g->ic, row = g->ic * (int64_t)g->esz;
    for (int64_t m = m0; m < m1; m++) {
        int64_t b = m / (g->oh * g->ow), r = m % (g->oh * g->ow), oy = r / g->ow, ox = r % g->ow;
        char *dst = cols + (m - m0) * K * (int64_t)g->esz;
        for (int64_t ky = 0; ky < g->kh; ky++) {
            int64_t iy = oy * g->sh - g->pt + ky * g->dh;
            for (int64_t kx = 0; kx < g->kw; kx++, dst += row) {
                int64_t ix = ox * g->sw - g->pl + kx * g->dw;
                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
                    memset(dst, 0, (size_t)row);
                else
                    memcpy(dst, x + (((b * g->h + iy) * g->w + ix) * g->c + gi * g->ic) * (int64_t)g->esz, (size_t)row);
            }
        }
    }
}

/* col2im: adds cols (output pixels [m0, m1), group gi) back into dx. */
static void col2im(const cgeo *g, const char *cols, int64_t gi, int64_t m0, int64_t m1, char *dx)
{
    int64_t K = g->kh * g->kw * g->ic;
    for (int64_t m = m0; m < m1; m++) {
        int64_t b = m / (g->oh * g->ow), r = m % (g->oh * g->ow), oy = r / g->ow, ox = r % g->ow;
        const char *src = cols + (m - m0) * K * (int64_t)g->esz;
        for (int64_t ky = 0; ky < g->kh; ky++) {
            int64_t iy = oy * g->sh - g->pt + ky * g->dh;
            for (int64_t kx = 0; kx < g->kw; kx++, src += g->ic * (int64_t)g->esz) {
                int64_t ix = ox * g->sw - g->pl + kx * g->dw;
                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                int64_t off = ((b * g->h + iy) * g->w + ix) * g->c + gi * g->ic;
                if (g->dt == TFG_INT32) {
                    int32_t *d = (int32_t *)dx + off;
                    const int32_t *s = (const int32_t *)src;
                    for (int64_t i = 0; i < g->ic; i++) d[i] = (int32_t)((uint32_t)d[i] + (uint32_t)s[i]);
                } else if (g->dt == TFG_FLOAT32) {
                    float *d = (float *)dx + off;
                    const float *s = (const float *)src;
                    for (int64_t i = 0; i < g->ic; i++) d[i] += s[i];
                } else {
                    double *d = (double *)dx + off;
                    const double *s = (const double *)src;
                    for (int64_t i = 0; i < g->ic; i++) d[i] += s[i];
                }
            }
        }
    }
}

/* Output pixels per im2col chunk. */
static int64_t chunk_rows(const cgeo *g)
{
    int64_t K = g->kh * g->kw * g->ic, per = K * (int64_t)g->esz;
    int64_t r = per ? NN_COLS_BYTES / per : 1;
    return r < 1 ? 1 : r;
}

/* Is the convolution a plain matrix product (1x1 window, stride 1, one group)? */
static bool conv_is_gemm(const cgeo *g)
{
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->groups == 1 && g->oh == g->h && g->ow == g->w;
}

/* The dtype check shared by the convolution kernels (float32, float64, int32). */
static int conv_dtype(tfg_dtype dt, tfg_error *err)
{
    if (dt != TFG_FLOAT32 && dt != TFG_FLOAT64 && dt != TFG_INT32)
        return tfg_error_set(err, "No OpKernel was registered to support Op 'Conv2D' with these attrs: [T=DT_%s]",
                             dt == TFG_INT64 ? "INT64" : dt == TFG_BOOL ? "BOOL" : "UINT8");
    return 0;
}

/* The im2col scratch for blocks of output rows of a convolution with M of
 * them: *rows per block (at most M), or NULL with err set and o released
 * ("OOM when allocating WHAT"). */
static char *conv_cols(const cgeo *g, int64_t M, int64_t *rows, tfg_tensor *o, const char *what, tfg_error *err)
{
    int64_t K = g->kh * g->kw * g->ic;
    *rows = chunk_rows(g);
    if (*rows > M) *rows = M;
    char *cols = malloc((size_t)(*rows * K * (int64_t)g->esz) + 1);
    if (!cols) {
        tfg_tensor_unref(o);
        tfg_error_set(err, "OOM when allocating %s", what);
    }
    return cols;
}

/* Conv2D: im2col chunks times the filter (per group). */
int tfg_k_nn_conv2d(const tfg_tensor *x, const tfg_tensor *filter, const tfg_k_nn_conv *p, tfg_tensor **out,
                    tfg_error *err)
{
    *out = NULL;
    if (conv_dtype(x->dtype, err)) return -1;
    if (x->rank != 4 || filter->rank != 4) return tfg_error_set(err, "input and filter must be 4-dimensional");
    if (filter->dtype != x->dtype) return tfg_error_set(err, "Conv2D: input and filter must have the same dtype");
    cgeo g;
    if (conv_geo(x->shape, filter->shape, p, x->dtype, &g, err)) return -1;
    int64_t os[4] = { g.n, g.oh, g.ow, g.oc };
    tfg_tensor *o = tfg_tensor_new(x->dtype, 4, os, err);
    if (!o) return -1;
    int64_t M = g.n * g.oh * g.ow, K = g.kh * g.kw * g.ic, ocg = g.oc / g.groups;
    if (M == 0 || g.oc == 0) { *out = o; return 0; }
    if (conv_is_gemm(&g)) {
        gemm(g.dt, false, false, M, g.oc, K, x->data, K, filter->data, g.oc, false, o->data, g.oc);
        *out = o;
        return 0;
    }
    int64_t rows;
    char *cols = conv_cols(&g, M, &rows, o, "Conv2D im2col buffer", err);
    if (!cols) return -1;
    for (int64_t gi = 0; gi < g.groups; gi++)
        for (int64_t m0 = 0; m0 < M; m0 += rows) {
            int64_t m1 = m0 + rows < M ? m0 + rows : M;
            im2col(&g, x->data, gi, m0, m1, cols);
            gemm(g.dt, false, false, m1 - m0, ocg, K, cols, K, (const char *)filter->data + gi * ocg * (int64_t)g.esz,
                 g.oc, false, (char *)o->data + (m0 * g.oc + gi * ocg) * (int64_t)g.esz, g.oc);
        }
    free(cols);
    *out = o;
    return 0;
}

/* Checks that dy has the convolution's output shape. */
static int check_dy(const cgeo *g, const tfg_tensor *dy, const char *op, tfg_error *err)
{
    int64_t want[4] = { g->n, g->oh, g->ow, g->oc };
    if (dy->rank != 4 || memcmp(dy->shape, want, sizeof want) != 0) {
        char s1[128], s2[128];
        shape_str(dy->rank, dy->shape, s1, sizeof s1);
        shape_str(4, want, s2, sizeof s2);
        return tfg_error_set(err, "%s: Size of out_backprop doesn't match computed: actual = %s, computed = %s", op, s1,
                             s2);
    }
    return 0;
}

/* Conv2DBackpropInput: dy times the filter transposed, col2im'd. */
int tfg_k_nn_conv2d_backprop_input(const int64_t *in_shape, const tfg_tensor *filter, const tfg_tensor *dy,
                                   const tfg_k_nn_conv *p, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (conv_dtype(filter->dtype, err)) return -1;
    if (filter->rank != 4) return tfg_error_set(err, "Conv2DBackpropInput: filter must be 4-dimensional");
    for (int d = 0; d < 4; d++)
        if (in_shape[d] < 0) return tfg_error_set(err, "Dimension %" PRId64 " must be >= 0", in_shape[d]);
    cgeo g;
    if (conv_geo(in_shape, filter->shape, p, filter->dtype, &g, err)) return -1;
    if (check_dy(&g, dy, "Conv2DBackpropInput", err)) return -1;
    tfg_tensor *o = tfg_tensor_new(filter->dtype, 4, in_shape, err);
    if (!o) return -1;
    int64_t M = g.n * g.oh * g.ow, K = g.kh * g.kw * g.ic, ocg = g.oc / g.groups;
    if (M == 0 || K == 0) { *out = o; return 0; }
    if (conv_is_gemm(&g)) {
        gemm(g.dt, false, true, M, K, g.oc, dy->data, g.oc, filter->data, g.oc, false, o->data, K);
        *out = o;
        return 0;
    }
    int64_t rows;
    char *cols = conv_cols(&g, M, &rows, o, "Conv2DBackpropInput buffer", err);
    if (!cols) return -1;
    for (int64_t gi = 0; gi < g.groups; gi++)
        for (int64_t m0 = 0; m0 < M; m0 += rows) {
            int64_t m1 = m0 + rows < M ? m0 + rows : M;
            gemm(g.dt, false, true, m1 - m0, K, ocg, (const char *)dy->data + (m0 * g.oc + gi * ocg) * (int64_t)g.esz,
                 g.oc, (const char *)filter->data + gi * ocg * (int64_t)g.esz, g.oc, false, cols, K);
            col2im(&g, cols, gi, m0, m1, o->data);
        }
    free(cols);
    *out = o;
    return 0;
}

/* Conv2DBackpropFilter: im2col(x) transposed times dy, summed over chunks. */
int tfg_k_nn_conv2d_backprop_filter(const tfg_tensor *x, const int64_t *f_shape, const tfg_tensor *dy,
                                    const tfg_k_nn_conv *p, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (conv_dtype(x->dtype, err)) return -1;
    if (x->rank != 4) return tfg_error_set(err, "Conv2DBackpropFilter: input must be 4-dimensional");
    for (int d = 0; d < 4; d++)
        if (f_shape[d] < 0) return tfg_error_set(err, "Dimension %" PRId64 " must be >= 0", f_shape[d]);
    cgeo g;
    if (conv_geo(x->shape, f_shape, p, x->dtype, &g, err)) return -1;
    if (check_dy(&g, dy, "Conv2DBackpropFilter", err)) return -1;
    tfg_tensor *o = tfg_tensor_new(x->dtype, 4, f_shape, err);
    if (!o) return -1;
    int64_t M = g.n * g.oh * g.ow, K = g.kh * g.kw * g.ic, ocg = g.oc / g.groups;
    if (M == 0 || K == 0 || g.oc == 0) { *out = o; return 0; }
    if (conv_is_gemm(&g)) {
        gemm(g.dt, true, false, K, g.oc, M, x->data, K, dy->data, g.oc, false, o->data, g.oc);
        *out = o;
        return 0;
    }
    int64_t rows;
    char *cols = conv_cols(&g, M, &rows, o, "Conv2DBackpropFilter buffer", err);
    if (!cols) return -1;
    for (int64_t gi = 0; gi < g.groups; gi++)
        for (int64_t m0 = 0; m0 < M; m0 += rows) {
            int64_t m1 = m0 + rows < M ? m0 + rows : M;
            im2col(&g, x->data, gi, m0, m1, cols);
            gemm(g.dt, true, false, K, ocg, m1 - m0, cols, K,
                 (const char *)dy->data + (m0 * g.oc + gi * ocg) * (int64_t)g.esz, g.oc, m0 > 0,
                 (char *)o->data + gi * ocg * (int64_t)g.esz, g.oc);
        }
    free(cols);
    *out = o;
    return 0;
}

/* ---- pooling ---------------------------------------------------------------------------------- */

/* The geometry of one pooling: input [n, h, w, c], window kh x kw. */
typedef struct {
    int64_t n, h, w, c, kh, kw, sh, sw, oh, ow, pt, pl;
} pgeo;

/* Fills g for input shape in. */
static int pool_geo(const int64_t *in, int64_t kh, int64_t kw, const tfg_k_nn_conv *p, pgeo *g, tfg_error *err)
{
    g->n = in[0]; g->h = in[1]; g->w = in[2]; g->c = in[3];
    g->kh = kh; g->kw = kw; g->sh = p->stride_h; g->sw = p->stride_w;
    if (tfg_k_nn_window(g->h, kh, 1, g->sh, p->same, &g->oh, &g->pt, err)) return -1;
    if (tfg_k_nn_window(g->w, kw, 1, g->sw, p->same, &g->ow, &g->pl, err)) return -1;
    return 0;
}

/* The window of output (oy, ox) clipped to the image: rows [y0, y1), cols [x0, x1). */
static void pool_window(const pgeo *g, int64_t oy, int64_t ox, int64_t *y0, int64_t *y1, int64_t *x0, int64_t *x1)
{
    *y0 = oy * g->sh - g->pt;
    *x0 = ox * g->sw - g->pl;
    *y1 = *y0 + g->kh < g->h ? *y0 + g->kh : g->h;
    *x1 = *x0 + g->kw < g->w ? *x0 + g->kw : g->w;
    if (*y0 < 0) *y0 = 0;
    if (*x0 < 0) *x0 = 0;
}

/* Threads of the machine the oracle's expectations come from (see k_nn.h). */
#define NN_ONEDNN_THREADS 2

/* oneDNN's backward pooling block width (ur_w); see k_nn.h. */
int64_t tfg_k_nn_pool_bwd_block(bool is_max, int64_t n, int64_t c, int64_t iw, int64_t kw, int64_t stride,
                                int64_t ow, int64_t l_pad)
{
    int64_t ur = is_max ? 6 : 12;              /* oneDNN's AVX-512 backward unroll */
    if (ow < ur) ur = ow;
    if (ur < 1) return 1;
    int64_t r_pad = (ow - 1) * stride + kw - iw - l_pad;
    if (r_pad < 0) r_pad = 0;
    int64_t min_ur = (l_pad + stride - 1) / stride, min_r = (r_pad + stride - 1) / stride;
    if (min_ur < 1) min_ur = 1;
    if (min_ur < min_r) min_ur = min_r;
    int64_t nb_c = (c + 15) / 16, ur_bc = ur / min_ur;
    if (ur_bc < 1) ur_bc = 1;
    if (ur_bc > nb_c) ur_bc = nb_c;
    if (ur_bc < 1) return ur;
    /* oneDNN trades channel blocks per call for work to spread over threads */
    float best = 0.0f;
    int64_t pick = ur_bc;
    for (int64_t u = ur_bc; u > 0; u--) {
        int64_t work = n * ((nb_c + u - 1) / u);
        int64_t rnd = (work + NN_ONEDNN_THREADS - 1) / NN_ONEDNN_THREADS * NN_ONEDNN_THREADS;
        float eff = rnd ? (float)work / (float)rnd : 0.0f;
        if (eff > best) {
            best = eff;
            pick = u;
        }
        if (eff > 0.9f) break;
    }
    int64_t w = ur / pick;
    return w < 1 ? 1 : w;
}

/* ---- pooling kernels: typed loops, channels innermost (contiguous) ------------------------ */

/* Defines S_maxpool_rows, the max pooling of output rows [r0, r1) (row =
 * b * oh + oy) for element type T. Below, for float types: S_argmax, each
 * channel's first maximum (flat input index) for output (b, oy, ox) into idx
 * (best: scratch); S_maxgrad_image / S_maxgradgrad_image, MaxPoolGrad /
 * MaxPoolGradGrad of image b. */
#define POOL_MAX_FUNCS(S, T)                                                                        \
    static void S##_maxpool_rows(const pgeo *g, const T *x, T *o, int64_t r0, int64_t r1)          \
    {                                                                                               \
        for (int64_t r = r0; r < r1; r++) {                                                         \
            int64_t b = r / g->oh, oy = r % g->oh;                                                  \
            for (int64_t ox = 0; ox < g->ow; ox++) {                                                \
                int64_t y0, y1, x0, x1;                                                             \
                pool_window(g, oy, ox, &y0, &y1, &x0, &x1);                                         \
                T *dst = o + ((b * g->oh + oy) * g->ow + ox) * g->c;                                \
                if (y0 >= y1 || x0 >= x1) continue;                                                 \
                memcpy(dst, x + ((b * g->h + y0) * g->w + x0) * g->c, sizeof(T) * (size_t)g->c);   \
                for (int64_t y = y0; y < y1; y++)                                                   \
                    for (int64_t xx = (y == y0 ? x0 + 1 : x0); xx < x1; xx++) {                     \
                        const T *src = x + ((b * g->h + y) * g->w + xx) * g->c;                     \
                        for (int64_t ch = 0; ch < g->c; ch++)                                       \
                            dst[ch] = src[ch] > dst[ch] ? src[ch] : dst[ch];                        \
                    }                                                                               \
            }                                                                                       \
        }                                                                                           \
    }
POOL_MAX_FUNCS(pf32, float)
POOL_MAX_FUNCS(pf64, double)
POOL_MAX_FUNCS(pi32, int32_t)
POOL_MAX_FUNCS(pi64, int64_t)
POOL_MAX_FUNCS(pu8, uint8_t)

/* Defines the max pooling gradients' loops of float type T (suffix S), with
 * IT an integer type as wide as T (so that the compare-and-select of the
 * argmax scan vectorizes). */
#define POOL_MAXGRAD_FUNCS(S, T, IT)                                                                \
    static void S##_argmax(const pgeo *g, const T *restrict x, int64_t b, int64_t oy, int64_t ox,  \
                           int64_t *restrict idx, void *scratch)                                    \
    {                                                                                               \
        const int64_t c = g->c;                                                                     \
        T *restrict best = scratch;                                                                 \
        IT *restrict bk = (IT *)(best + c);                                                         \
        int64_t y0, y1, x0, x1;                                                                     \
        pool_window(g, oy, ox, &y0, &y1, &x0, &x1);                                                 \
        if (y0 >= y1 || x0 >= x1) {                                                                 \
            for (int64_t ch = 0; ch < c; ch++) idx[ch] = -1;                                       \
            return;                                                                                 \
        }                                                                                           \
        const int64_t wcols = x1 - x0;                                                              \
        const T *first = x + ((b * g->h + y0) * g->w + x0) * c;                                     \
        for (int64_t ch = 0; ch < c; ch++) {                                                        \
            best[ch] = first[ch];                                                                   \
            bk[ch] = 0;                                                                             \
        }                                                                                           \
        for (int64_t y = y0; y < y1; y++)                                                           \
            for (int64_t xx = (y == y0 ? x0 + 1 : x0); xx < x1; xx++) {                             \
                const T *restrict src = x + ((b * g->h + y) * g->w + xx) * c;                       \
                const IT k = (IT)((y - y0) * wcols + (xx - x0));                                    \
                for (int64_t ch = 0; ch < c; ch++) {                                                \
                    T v = src[ch], bv = best[ch];                                                   \
                    IT m = (IT)0 - (IT)(v > bv); /* all ones where greater: branch-free */          \
                    best[ch] = v > bv ? v : bv;                                                     \
                    bk[ch] = (IT)((bk[ch] & ~m) | (k & m));                                         \
                }                                                                                   \
            }                                                                                       \
        for (int64_t ch = 0; ch < c; ch++) {                                                        \
            int64_t k = (int64_t)bk[ch], y = y0 + k / wcols, xx = x0 + k % wcols;                   \
            idx[ch] = ((b * g->h + y) * g->w + xx) * c + ch;                                        \
        }                                                                                           \
    }                                                                                               \
    static void S##_maxgrad_image(const pgeo *g, int64_t bw, const T *x, const T *dy, T *o, int64_t b, \
                                  int64_t *idx, void *scratch)                                      \
    {                                                                                               \
        bool onednn = bw > 0;                                                                       \
        if (bw < 1) bw = 1;                                                                         \
        for (int64_t oy = 0; oy < g->oh; oy++)                                                      \
            for (int64_t blk = 0; blk < g->ow; blk += bw) {                                         \
                int64_t end = blk + bw < g->ow ? blk + bw : g->ow;                                  \
                for (int64_t k = 0; k < end - blk; k++) {                                           \
                    int64_t ox = onednn ? end - 1 - k : blk + k;                                    \
                    S##_argmax(g, x, b, oy, ox, idx, scratch);                                      \
                    const T *d = dy + ((b * g->oh + oy) * g->ow + ox) * g->c;                       \
                    for (int64_t ch = 0; ch < g->c; ch++)                                           \
                        if (idx[ch] >= 0) o[idx[ch]] += d[ch];                                      \
                }                                                                                   \
            }                                                                                       \
    }                                                                                               \
    static void S##_maxgradgrad_image(const pgeo *g, const T *x, const T *ddx, T *o, int64_t b,     \
                                      int64_t *idx, void *scratch)                                  \
    {                                                                                               \
        for (int64_t oy = 0; oy < g->oh; oy++)                                                      \
            for (int64_t ox = 0; ox < g->ow; ox++) {                                                \
                S##_argmax(g, x, b, oy, ox, idx, scratch);                                          \
                T *d = o + ((b * g->oh + oy) * g->ow + ox) * g->c;                                  \
                for (int64_t ch = 0; ch < g->c; ch++)                                               \
                    if (idx[ch] >= 0) d[ch] = ddx[idx[ch]];                                         \
            }                                                                                       \
    }
POOL_MAXGRAD_FUNCS(pf32, float, int32_t)
POOL_MAXGRAD_FUNCS(pf64, double, int64_t)

/* Defines the average pooling loops of float type T (suffix S): output rows
 * [r0, r1) forward; the gradient of image b (Eigen's order and reciprocal
 * when bw is 0, oneDNN's blocks and division otherwise). */
#define POOL_AVG_FUNCS(S, T)                                                                        \
    static void S##_avgpool_rows(const pgeo *g, const T *x, T *o, int64_t r0, int64_t r1)          \
    {                                                                                               \
        for (int64_t r = r0; r < r1; r++) {                                                         \
            int64_t b = r / g->oh, oy = r % g->oh;                                                  \
            for (int64_t ox = 0; ox < g->ow; ox++) {                                                \
                int64_t y0, y1, x0, x1;                                                             \
                pool_window(g, oy, ox, &y0, &y1, &x0, &x1);                                         \
                T *dst = o + ((b * g->oh + oy) * g->ow + ox) * g->c;                                \
                for (int64_t y = y0; y < y1; y++)                                                   \
                    for (int64_t xx = x0; xx < x1; xx++) {                                          \
                        const T *src = x + ((b * g->h + y) * g->w + xx) * g->c;                     \
                        for (int64_t ch = 0; ch < g->c; ch++) dst[ch] += src[ch];                   \
                    }                                                                               \
                T cnt = (T)((y1 - y0) * (x1 - x0));                                                 \
                for (int64_t ch = 0; ch < g->c; ch++) dst[ch] /= cnt;                               \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
    static void S##_avggrad_image(const pgeo *g, int64_t bw, const T *dy, T *o, int64_t b)          \
    {                                                                                               \
        bool onednn = bw > 0;                                                                       \
        if (bw < 1) bw = 1;                                                                         \
        for (int64_t oy = 0; oy < g->oh; oy++)                                                      \
            for (int64_t blk = 0; blk < g->ow; blk += bw) {                                         \
                int64_t end = blk + bw < g->ow ? blk + bw : g->ow;                                  \
                for (int64_t k = 0; k < end - blk; k++) {                                           \
                    int64_t ox = onednn ? end - 1 - k : blk + k;                                    \
                    int64_t y0, y1, x0, x1;                                                         \
                    pool_window(g, oy, ox, &y0, &y1, &x0, &x1);                                     \
                    int64_t cnt = (y1 - y0) * (x1 - x0);                                            \
                    T rc = (T)(1.0 / (double)cnt), tc = (T)cnt;                                     \
                    const T *d = dy + ((b * g->oh + oy) * g->ow + ox) * g->c;                       \
                    for (int64_t y = y0; y < y1; y++)                                               \
                        for (int64_t xx = x0; xx < x1; xx++) {                                      \
                            T *dst = o + ((b * g->h + y) * g->w + xx) * g->c;                       \
                            if (onednn)                                                             \
                                for (int64_t ch = 0; ch < g->c; ch++) dst[ch] += d[ch] / tc;        \
                            else                                                                    \
                                for (int64_t ch = 0; ch < g->c; ch++) dst[ch] += d[ch] * rc;        \
                        }                                                                           \
                }                                                                                   \
            }                                                                                       \
    }
POOL_AVG_FUNCS(pf32, float)
POOL_AVG_FUNCS(pf64, double)

/* One pooling job spread over threads. */
typedef struct {
    int kind;                 /* 0 max, 1 avg, 2 max grad, 3 max grad grad, 4 avg grad */
    const pgeo *g;
    tfg_dtype dt;
    int64_t bw;
    const void *x, *dy;
    void *o;
} pool_job;

/* Runs items [r0, r1) of a pooling job: output rows (forward) or images (gradients). */
static void pool_chunk(void *vctx, int64_t r0, int64_t r1)
{
    const pool_job *j = vctx;
    const pgeo *g = j->g;
    if (j->kind == 0) {
        switch (j->dt) {
        case TFG_FLOAT32: pf32_maxpool_rows(g, j->x, j->o, r0, r1); break;
        case TFG_FLOAT64: pf64_maxpool_rows(g, j->x, j->o, r0, r1); break;
        case TFG_INT32: pi32_maxpool_rows(g, j->x, j->o, r0, r1); break;
        case TFG_INT64: pi64_maxpool_rows(g, j->x, j->o, r0, r1); break;
        default: pu8_maxpool_rows(g, j->x, j->o, r0, r1); break;
        }
        return;
    }
    if (j->kind == 1) {
        if (j->dt == TFG_FLOAT32) pf32_avgpool_rows(g, j->x, j->o, r0, r1);
        else pf64_avgpool_rows(g, j->x, j->o, r0, r1);
        return;
    }
    if (j->kind == 4) {
        for (int64_t b = r0; b < r1; b++) {
            if (j->dt == TFG_FLOAT32) pf32_avggrad_image(g, j->bw, j->dy, j->o, b);
            else pf64_avggrad_image(g, j->bw, j->dy, j->o, b);
        }
        return;
    }
    /* argmax scratch per channel: flat index, best value, window position */
    int64_t *idx = malloc((size_t)(g->c ? g->c : 1) * 3 * sizeof(int64_t));
    if (!idx) return;   /* the caller allocated a probe of this size first */
    void *best = idx + g->c;
    for (int64_t b = r0; b < r1; b++) {
        bool f32 = j->dt == TFG_FLOAT32;
        if (j->kind == 2) {
            if (f32) pf32_maxgrad_image(g, j->bw, j->x, j->dy, j->o, b, idx, best);
            else pf64_maxgrad_image(g, j->bw, j->x, j->dy, j->o, b, idx, best);
        } else {
            if (f32) pf32_maxgradgrad_image(g, j->x, j->dy, j->o, b, idx, best);
            else pf64_maxgradgrad_image(g, j->x, j->dy, j->o, b, idx, best);
        }
    }
    free(idx);
}

/* Runs a job over n items (at least min_chunk per thread); for the argmax
 * kinds, first checks that their per-thread scratch can be allocated. */
static int pool_run(pool_job *j, int64_t n, int64_t min_chunk, tfg_error *err)
{
    if (j->kind == 2 || j->kind == 3) {
        void *probe = malloc((size_t)(j->g->c ? j->g->c : 1) * 3 * sizeof(int64_t));
        if (!probe) return tfg_error_set(err, "OOM when allocating pooling scratch");
        free(probe);
    }
    tfg_k_parallel_for(n, min_chunk, pool_chunk, j);
    return 0;
}

/* Items per thread below which pooling stays on one thread. */
static int64_t pool_min_chunk(const pgeo *g, int64_t per_item)
{
    int64_t work = per_item * g->kh * g->kw * (g->c ? g->c : 1);
    int64_t m = work ? ((int64_t)1 << 15) / work : 1;
    return m < 1 ? 1 : m;
}

/* MaxPool over output rows in parallel. */
int tfg_k_nn_max_pool(const tfg_tensor *x, int64_t kh, int64_t kw, const tfg_k_nn_conv *p, tfg_tensor **out,
                      tfg_error *err)
{
    *out = NULL;
    if (x->rank != 4) return tfg_error_set(err, "input must be 4-dimensional");
    if (x->dtype == TFG_BOOL)
        return tfg_error_set(err, "No OpKernel was registered to support Op 'MaxPool' with these attrs: [T=DT_BOOL]");
    pgeo g;
    if (pool_geo(x->shape, kh, kw, p, &g, err)) return -1;
    int64_t os[4] = { g.n, g.oh, g.ow, g.c };
    tfg_tensor *o = tfg_tensor_new(x->dtype, 4, os, err);
    if (!o) return -1;
    pool_job j = { 0, &g, x->dtype, 0, x->data, NULL, o->data };
    if (pool_run(&j, g.n * g.oh, pool_min_chunk(&g, g.ow), err)) { tfg_tensor_unref(o); return -1; }
    *out = o;
    return 0;
}

/* AvgPool over output rows in parallel. */
int tfg_k_nn_avg_pool(const tfg_tensor *x, int64_t kh, int64_t kw, const tfg_k_nn_conv *p, tfg_tensor **out,
                      tfg_error *err)
{
    *out = NULL;
    if (x->rank != 4) return tfg_error_set(err, "input must be 4-dimensional");
    if (!tfg_dtype_is_float(x->dtype)) return tfg_error_set(err, "AvgPool needs a float tensor");
    pgeo g;
    if (pool_geo(x->shape, kh, kw, p, &g, err)) return -1;
    int64_t os[4] = { g.n, g.oh, g.ow, g.c };
    tfg_tensor *o = tfg_tensor_new(x->dtype, 4, os, err);
    if (!o) return -1;
    pool_job j = { 1, &g, x->dtype, 0, x->data, NULL, o->data };
    if (pool_run(&j, g.n * g.oh, pool_min_chunk(&g, g.ow), err)) { tfg_tensor_unref(o); return -1; }
    *out = o;
    return 0;
}

/* Checks that a pooling gradient has the pooled output's shape. */
static int check_pool_dy(const pgeo *g, const tfg_tensor *dy, const char *what, tfg_error *err)
{
    int64_t want[4] = { g->n, g->oh, g->ow, g->c };
    if (dy->rank != 4 || memcmp(dy->shape, want, sizeof want) != 0) {
        char s1[128], s2[128];
        shape_str(dy->rank, dy->shape, s1, sizeof s1);
        shape_str(4, want, s2, sizeof s2);
        return tfg_error_set(err, "%s must have shape %s, got %s", what, s2, s1);
    }
    return 0;
}

/* MaxPoolGrad, images in parallel. */
int tfg_k_nn_max_pool_grad(const tfg_tensor *x, const tfg_tensor *dy, int64_t kh, int64_t kw, const tfg_k_nn_conv *p,
                           tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (x->rank != 4) return tfg_error_set(err, "orig_input must be 4-dimensional");
    if (!tfg_dtype_is_float(dy->dtype) || dy->dtype != x->dtype)
        return tfg_error_set(err, "MaxPoolGrad needs float tensors of one dtype");
    pgeo g;
    if (pool_geo(x->shape, kh, kw, p, &g, err)) return -1;
    if (check_pool_dy(&g, dy, "grad", err)) return -1;
    tfg_tensor *o = tfg_tensor_new(x->dtype, 4, x->shape, err);
    if (!o) return -1;
    pool_job j = { 2, &g, x->dtype, p->bwd_block, x->data, dy->data, o->data };
    if (pool_run(&j, g.n, pool_min_chunk(&g, g.oh * g.ow), err)) { tfg_tensor_unref(o); return -1; }
    *out = o;
    return 0;
}

/* MaxPoolGradGrad, images in parallel. */
int tfg_k_nn_max_pool_grad_grad(const tfg_tensor *x, const tfg_tensor *ddx, int64_t kh, int64_t kw,
                                const tfg_k_nn_conv *p, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (x->rank != 4) return tfg_error_set(err, "orig_input must be 4-dimensional");
    if (!tfg_dtype_is_float(ddx->dtype) || ddx->dtype != x->dtype || !tfg_tensor_same_shape(x, ddx))
        return tfg_error_set(err, "MaxPoolGradGrad: grad must be a float tensor shaped like orig_input");
    pgeo g;
    if (pool_geo(x->shape, kh, kw, p, &g, err)) return -1;
    int64_t os[4] = { g.n, g.oh, g.ow, g.c };
    tfg_tensor *o = tfg_tensor_new(x->dtype, 4, os, err);
    if (!o) return -1;
    pool_job j = { 3, &g, x->dtype, 0, x->data, ddx->data, o->data };
    if (pool_run(&j, g.n, pool_min_chunk(&g, g.oh * g.ow), err)) { tfg_tensor_unref(o); return -1; }
    *out = o;
    return 0;
}

/* AvgPoolGrad, images in parallel. */
int tfg_k_nn_avg_pool_grad(const int64_t *in_shape, const tfg_tensor *dy, int64_t kh, int64_t kw,
                           const tfg_k_nn_conv *p, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    if (!tfg_dtype_is_float(dy->dtype)) return tfg_error_set(err, "AvgPoolGrad needs a float gradient");
    for (int d = 0; d < 4; d++)
        if (in_shape[d] < 0) return tfg_error_set(err, "Dimension %" PRId64 " must be >= 0", in_shape[d]);
    pgeo g;
    if (pool_geo(in_shape, kh, kw, p, &g, err)) return -1;
    if (check_pool_dy(&g, dy, "grad", err)) return -1;
    tfg_tensor *o = tfg_tensor_new(dy->dtype, 4, in_shape, err);
    if (!o) return -1;
    pool_job j = { 4, &g, dy->dtype, p->bwd_block, NULL, dy->data, o->data };
    if (pool_run(&j, g.n, pool_min_chunk(&g, g.oh * g.ow), err)) { tfg_tensor_unref(o); return -1; }
    *out = o;
    return 0;
}
