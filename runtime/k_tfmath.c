/* k_tfmath.c — float32 math as TensorFlow's CPU kernels compute it.
 *
 * TF evaluates elementwise float ops with Eigen: whole groups of 8 elements
 * go through Eigen's 8-wide (AVX) packet functions, which are polynomial
 * approximations of their own, and the remaining elements through the
 * scalar path (mostly glibc's expf, logf, sinf, ...). The two disagree in
 * the last bit for 10-60% of inputs, and a last-bit difference changes how
 * numpy prints a float32, so to print what TF prints we reproduce the
 * packet functions lane by lane. TF's x86 wheels are built with AVX but
 * without FMA, so every multiply-add below rounds twice (a * b, then + c);
 * the pragma below keeps GCC from contracting them into FMAs. The one FMA
 * user is tfg_k_tf_expf_onednn (oneDNN's JIT code does use FMA), through
 * fmaf, which is exact on every machine.
 *
 * Written from Eigen's GenericPacketMathFunctions.h / UnaryFunctors.h (the
 * version TF 2.21 vendors: pexp_float with the 6th-order polynomial and
 * the -104 cut-off, the (3,3) rational plog_float, ptanh_float's 9/8
 * rational, the logistic with the exp(x/2)^2 reduction, psincos_float's
 * four-step Cody-Waite reduction with a Payne-Hanek fallback) and verified
 * bit for bit against TF 2.21 on 10,000 inputs per function. Eigen's
 * min/max packet ops keep the first operand when either is NaN, and the
 * selects below reproduce that.
 */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("fp-contract=off")

#include "kernels.h"

#include <math.h>
#include <string.h>

/* The bits of a float. */
static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
/* The float with the given bits. */
static inline float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Eigen's pmadd without FMA: two roundings. */
static inline float madd(float a, float b, float c)
{
    float p = a * b;
    return p + c;
}

/* Eigen's pmin(a, b) on AVX: a when either is NaN. */
static inline float emin(float a, float b) { return b < a ? b : a; }
/* Eigen's pmax(a, b) on AVX: a when either is NaN. */
static inline float emax(float a, float b) { return b > a ? b : a; }

/* Eigen's pldexp_generic: a * 2^e for integral e, in four exact steps. */
static inline float eldexp(float a, float e)
{
    float ec = emin(emax(e, -278.0f), 278.0f);
    int32_t ei = ec != ec ? INT32_MIN : (int32_t)ec;
    int32_t b = ei >> 2;
    float c = u2f((uint32_t)(b + 127) << 23);
    float out = a * c * c * c;
    int32_t b2 = ei - 3 * b;
    return out * u2f((uint32_t)(b2 + 127) << 23);
}

/* exp(x) as TF's packet path (Eigen pexp_float). */
float tfg_k_tf_expf_packet(float x0)
{
    if (x0 != x0)
        return x0;
    if (x0 < -104.0f)
        return 0.0f;
    float x = emin(x0, 88.723f);
    float m = floorf(madd(x, 1.44269504088896341f, 0.5f));
    float r = madd(m, -0.693359375f, x);
    r = madd(m, 2.12194440e-4f, r);
    float r2 = r * r;
    float pe = madd(r2, 1.37449637986719608306884765625e-3f, 4.166965186595916748046875e-2f);
    float po = madd(r2, 8.36894474923610687255859375e-3f, 0.16666518151760101318359375f);
    pe = madd(r2, pe, 0.49999988079071044921875f);
    float pl = r + 1.0f;
    float y = madd(r, po, pe);
    y = madd(r2, y, pl);
    return emax(eldexp(y, m), x0);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* tfg_k_tf_expf_packet on 16 lanes: the same operations in the same order
 * (multiply and add rounded apart, Eigen's min/max operand order), so every
 * lane has the scalar function's bits (checked over all 2^32 inputs). */
__attribute__((target("avx512f"))) static void expf_packet_512(const float *x, float *y, int64_t n)
{
    const __m512 lo = _mm512_set1_ps(-104.0f), hi = _mm512_set1_ps(88.723f);
    const __m512 log2e = _mm512_set1_ps(1.44269504088896341f), half = _mm512_set1_ps(0.5f);
    const __m512 c1 = _mm512_set1_ps(-0.693359375f), c2 = _mm512_set1_ps(2.12194440e-4f);
    const __m512 pe0 = _mm512_set1_ps(1.37449637986719608306884765625e-3f);
    const __m512 pe1 = _mm512_set1_ps(4.166965186595916748046875e-2f);
    const __m512 po0 = _mm512_set1_ps(8.36894474923610687255859375e-3f);
    const __m512 po1 = _mm512_set1_ps(0.16666518151760101318359375f);
    const __m512 pe2 = _mm512_set1_ps(0.49999988079071044921875f), one = _mm512_set1_ps(1.0f);
    const __m512 emin = _mm512_set1_ps(-278.0f), emax = _mm512_set1_ps(278.0f);
    const __m512i bias = _mm512_set1_epi32(127);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 x0 = _mm512_maskz_loadu_ps(k, x + i);
        __m512 xv = _mm512_min_ps(hi, x0);                     /* emin(x0, 88.723) */
        __m512 m = _mm512_roundscale_ps(_mm512_add_ps(_mm512_mul_ps(xv, log2e), half),
                                        _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        __m512 r = _mm512_add_ps(_mm512_mul_ps(m, c1), xv);
        r = _mm512_add_ps(_mm512_mul_ps(m, c2), r);
        __m512 r2 = _mm512_mul_ps(r, r);
        __m512 pe = _mm512_add_ps(_mm512_mul_ps(r2, pe0), pe1);
        __m512 po = _mm512_add_ps(_mm512_mul_ps(r2, po0), po1);
        pe = _mm512_add_ps(_mm512_mul_ps(r2, pe), pe2);
        __m512 pl = _mm512_add_ps(r, one);
        __m512 v = _mm512_add_ps(_mm512_mul_ps(r, po), pe);
        v = _mm512_add_ps(_mm512_mul_ps(r2, v), pl);
        /* eldexp(v, m) */
        __m512 ec = _mm512_min_ps(emax, _mm512_max_ps(emin, m));
        __m512i ei = _mm512_cvttps_epi32(ec);
        __m512i b = _mm512_srai_epi32(ei, 2);
        __m512 c = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(b, bias), 23));
        __m512 out = _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(v, c), c), c);
        __m512i b2 = _mm512_sub_epi32(ei, _mm512_add_epi32(b, _mm512_add_epi32(b, b)));
        out = _mm512_mul_ps(out, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(b2, bias), 23)));
        out = _mm512_max_ps(x0, out);                          /* emax(out, x0) */
        out = _mm512_mask_mov_ps(out, _mm512_cmp_ps_mask(x0, lo, _CMP_LT_OQ), _mm512_setzero_ps());
        out = _mm512_mask_mov_ps(out, _mm512_cmp_ps_mask(x0, x0, _CMP_UNORD_Q), x0);
        _mm512_mask_storeu_ps(y + i, k, out);
    }
}
#endif

/* y[i] = tfg_k_tf_expf_packet(x[i]) for n elements (y may be x). */
void tfg_k_tf_expf_packet_n(const float *x, float *y, int64_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx512f")) {
        expf_packet_512(x, y, n);
        return;
    }
#endif
    for (int64_t i = 0; i < n; i++) y[i] = tfg_k_tf_expf_packet(x[i]);
}

/* Eigen's pfrexp_generic for finite nonzero x: mantissa in [0.5, 1), *e. */
static inline float efrexp(float a, float *e)
{
    float na = a;
    float off = -126.0f;
    if (fabsf(a) < 1.17549435e-38f) { /* denormal: normalise by 2^24 */
        na = a * 16777216.0f;
        off = -150.0f;
    }
    uint32_t u = f2u(na);
    *e = (float)((u & 0x7fffffffu) >> 23) + off;
    return u2f((u & 0x807fffffu) | f2u(0.5f));
}

/* log(x) as TF's packet path (Eigen plog_float). */
float tfg_k_tf_logf_packet(float x0)
{
    if (x0 == 0.0f)
        return -INFINITY;
    if (!(x0 > 0.0f))
        return u2f(0xffffffffu); /* negative or NaN: all-ones NaN, as Eigen's por */
    if (x0 == INFINITY)
        return INFINITY;
    float e, x = efrexp(x0, &e);
    bool lt = x < 0.707106781186547524f;
    float tmp = lt ? x : 0.0f;
    x = x - 1.0f;
    e = e - (lt ? 1.0f : 0.0f);
    x = x + tmp;
    float p = madd(x, 0.18256296349849254f, 1.0000000190281063f);
    p = madd(x, p, 1.0000000190281136f);
    p = x * p;
    float q = madd(x, 0.049616247954120038f, 0.59923249590823520f);
    q = madd(x, q, 1.4999999999999927f);
    q = madd(x, q, 1.0f);
    x = p / q;
    return madd(e, 0.693147180559945309417f, x);
}

/* tanh(x) as TF computes it on both paths (Eigen's EIGEN_FAST_MATH
 * ptanh_float: a 9/8 rational on x clamped to +-7.90738964, no FMA). */
float tfg_k_tf_tanhf(float ax)
{
    static const float alpha[] = {1.394553628e-8f, 2.102733560e-5f, 3.520756727e-3f,
                                  1.340216100e-1f};
    static const float beta[] = {8.015776984e-7f, 3.326951409e-4f, 2.597254514e-2f,
                                 4.673548340e-1f, 1.0f};
    float x = emax(emin(ax, 7.90738964080810547f), -7.90738964080810547f);
    float x2 = x * x;
    float x3 = x2 * x;
    float p = alpha[0];
    for (int i = 1; i < 4; i++)
        p = madd(p, x2, alpha[i]);
    float q = beta[0];
    for (int i = 1; i < 5; i++)
        q = madd(q, x2, beta[i]);
    p = madd(x3, p, x);
    return p / q;
}

/* sigmoid(x) as TF's packet path (Eigen scalar_logistic_op<float>). */
float tfg_k_tf_sigmoidf_packet(float x0)
{
    if (x0 < -104.0f)
        return 0.0f;
    float x = emin(x0, 16.6355324f) * 0.5f;
    float m = floorf(madd(x, 1.44269504088896341f, 0.5f));
    float r = madd(m, -0.693359375f, x);
    r = madd(m, 2.12194440e-4f, r);
    float r2 = r * r;
    float pe = madd(r2, 4.1898667812347412109375e-2f, 0.49999141693115234375f);
    float po = madd(r2, 8.33471305668354034423828125e-3f, 0.16666877269744873046875f);
    float pl = r + 1.0f;
    float p = madd(r, po, pe);
    p = madd(r2, p, pl);
    /* pldexp_fast: exponent m + 127 clamped to [0, 255] */
    float be = emin(emax(m + 127.0f, 0.0f), 255.0f);
    int32_t bi = be != be ? INT32_MIN : (int32_t)be;
    float e = p * u2f((uint32_t)bi << 23);
    e = e * e;
    return e / (1.0f + e);
}

/* sigmoid(x) as TF's scalar path: e = expf(min(x, 16.6355324)), e/(1+e). */
float tfg_k_tf_sigmoidf_scalar(float x)
{
    float e = expf(emin(x, 16.6355324f));
    return e / (1.0f + e);
}

/* log1p(x) as TF's packet path (Eigen generic_plog1p on plog_float). */
float tfg_k_tf_log1pf_packet(float x)
{
    float xp1 = x + 1.0f;
    if (xp1 == 1.0f)
        return x;
    float l = tfg_k_tf_logf_packet(xp1);
    if (xp1 == l) /* +inf */
        return x;
    return x * (l / (xp1 - 1.0f));
}

/* Payne-Hanek reduction of a huge |x| (Eigen's trig_reduce_huge): x mod pi/2
 * and the quadrant. */
static float e_trig_reduce_huge(float xf, int32_t *quadrant)
{
    static const uint32_t two_over_pi[] = {
        0x00000028, 0x000028be, 0x0028be60, 0x28be60db, 0xbe60db93, 0x60db9391, 0xdb939105,
        0x9391054a, 0x91054a7f, 0x054a7f09, 0x4a7f09d5, 0x7f09d5f4, 0x09d5f47d, 0xd5f47d4d,
        0xf47d4d37, 0x7d4d3770, 0x4d377036, 0x377036d8, 0x7036d8a5, 0x36d8a566, 0xd8a5664f,
        0xa5664f10, 0x664f10e4, 0x4f10e410, 0x10e41000, 0xe4100000};
    const double pio2_62 = 3.4061215800865545e-19;
    const uint64_t half_62 = (uint64_t)1 << 61;
    uint32_t xi = f2u(xf);
    uint32_t e = (xi >> 23) - 118;
    xi = ((xi & 0x007fffffu) | 0x00800000u) << (e & 0x7);
    uint32_t i = e >> 3;
    uint32_t t1 = two_over_pi[i - 1], t2 = two_over_pi[i + 3], t3 = two_over_pi[i + 7];
    uint64_t p = (uint64_t)xi * t3;
    p = (uint64_t)xi * t2 + (p >> 32);
    p = ((uint64_t)(uint32_t)(xi * t1) << 32) + p;
    uint64_t q = (p + half_62) >> 62;
    *quadrant = (int32_t)q;
    p -= q << 62;
    return (float)((double)(int64_t)p * pio2_62);
}

/* sin or cos as TF's packet path (Eigen psincos_float, no FMA). */
static float e_sincos(float x0, bool sine)
{
    float x = fabsf(x0);
    float y = x * 0.636619746685028076171875f;
    float y_round = y + 12582912.0f; /* rounds y to an integer in the low bits */
    int32_t y_int = (int32_t)f2u(y_round);
    y = y_round - 12582912.0f;
    x = madd(y, -1.5703125f, x);
    x = madd(y, -0.000483989715576171875f, x);
    x = madd(y, 1.62865035235881805419921875e-07f, x);
    x = madd(y, 5.5644315544167710640977020375430583953857421875e-11f, x);
    float huge = sine ? 25966.0f : 18838.0f;
    float ax = fabsf(x0);
    if (ax >= huge && isfinite(ax))
        x = e_trig_reduce_huge(ax, &y_int);
    uint32_t sign = sine ? (f2u(x0) ^ ((uint32_t)y_int << 30)) : ((uint32_t)(y_int + 1) << 30);
    sign &= 0x80000000u;
    bool even = (y_int & 1) == 0;
    float x2 = x * x;
    float c = 2.4372266125283204019069671630859375e-05f;
    c = madd(c, x2, -0.00138865201734006404876708984375f);
    c = madd(c, x2, 0.041666619479656219482421875f);
    c = madd(c, x2, -0.5f);
    c = madd(c, x2, 1.0f);
    float s = -0.0001959234114083702898469196984621021329076029360294342041015625f;
    s = madd(s, x2, 0.0083326873655616851693794799871284340042620897293090820312500000f);
    s = madd(s, x2, -0.1666666203982298255503735617821803316473960876464843750000000000f);
    s = s * x2;
    s = madd(s, x, x);
    float r = sine ? (even ? s : c) : (even ? c : s);
    return u2f(f2u(r) ^ sign);
}

/* sin(x) as TF's packet path. */
float tfg_k_tf_sinf_packet(float x) { return e_sincos(x, true); }
/* cos(x) as TF's packet path. */
float tfg_k_tf_cosf_packet(float x) { return e_sincos(x, false); }

/* exp(x) as oneDNN's AVX-512 eltwise kernel computes it inside TF's float32
 * Softmax (_MklSoftmax): clamp to [ln(FLT_MIN), ln(FLT_MAX)], n = floor(x
 * log2(e) + 1/2), r = x - n ln2 by FMA, a degree-5 polynomial in FMAs, then
 * 2^(n-1) * 2 (zero below ln(FLT_MIN)). */
float tfg_k_tf_expf_onednn(float x)
{
    const float ln2 = u2f(0x3f317218u), log2e = u2f(0x3fb8aa3bu);
    const float hi = u2f(0x42b17218u), lo = u2f(0xc2aeac50u);
    const float p1 = u2f(0x3f7ffffbu), p2 = u2f(0x3efffee3u), p3 = u2f(0x3e2aad40u);
    const float p4 = u2f(0x3d2b9d0du), p5 = u2f(0x3c07cfceu);
    bool under = x < lo;
    x = x < hi ? x : hi;
    x = x > lo ? x : lo;
    float fx = x * log2e;
    fx = fx + 0.5f;
    float n = floorf(fx);
    float r = fmaf(-n, ln2, x);
    float scale = under ? 0.0f : u2f((uint32_t)((int32_t)(n - 1.0f) + 127) << 23);
    float y = p5;
    y = fmaf(y, r, p4);
    y = fmaf(y, r, p3);
    y = fmaf(y, r, p2);
    y = fmaf(y, r, p1);
    y = fmaf(y, r, 1.0f);
    y = y * scale;
    return y * 2.0f;
}
