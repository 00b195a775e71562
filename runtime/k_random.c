/* k_random.c — TensorFlow-compatible random numbers (tfg_rng_, tfg_k_random).
 *
 * This reproduces, bit for bit, what TensorFlow's CPU kernels RandomUniform,
 * RandomStandardNormal, TruncatedNormal and RandomUniformInt produce for a
 * given (seed, seed2) attribute pair, including successive runs of the same
 * op. What is matched (written from TF's philox_random.h,
 * random_distributions(_utils).h, random_op_cpu.h, guarded_philox_random.cc):
 *
 *  - Generator: Philox4x32-10. key = (seed low 32, seed high 32); the
 *    128-bit counter is (c0, c1, seed2 low 32, seed2 high 32) with (c0, c1)
 *    starting at 0. Each call returns four uint32 and adds 1 to the counter.
 *  - State between runs (GuardedPhiloxRandom): each run of an op with n
 *    outputs takes the generator as it is, then skips it by n * 256 128-bit
 *    samples (ReserveRandomOutputs(n, 256)), with TF's carry rule into the
 *    seed2 half. tfg_rng holds that state: counter = (c0 | c1 << 32), and a
 *    carry out of it increments seed2, exactly as TF's Skip does.
 *  - Both seeds 0: TF draws fresh random seeds; so do we (getrandom).
 *  - Uniform float: 23 random mantissa bits give [1, 2), minus 1. Uniform
 *    double: 20 + 32 bits from two uint32 (x0 high part, x1 low), minus 1.
 *    Four floats or two doubles per Philox call.
 *  - Normal: Box-Muller on pairs (u1 = uniform(x0) clamped below at 1e-7,
 *    v = 2*pi*uniform(x1) computed in double then rounded to float, radius
 *    sqrtf(-2 logf(u1)), sincosf), four floats per call; doubles use two
 *    uint32 per uniform, two doubles per call.
 *  - Truncated normal: groups of 4 floats (2 doubles); group g restarts
 *    from the run's generator skipped by g * 256 (128 for doubles) samples
 *    and draws single uint32s until the group holds values with |x| < 2.
 *  - Uniform ints (RandomUniformInt): lo + u32 % (hi - lo) (int32), or
 *    lo + u64 % (hi - lo) (int64, two uint32 little end first).
 *  - The Python wrappers' scaling, in the dtype's arithmetic: normal and
 *    truncated normal x * stddev + mean; uniform x * (max - min) + min, or
 *    x * max when min is 0 (tf.random_uniform skips the add then).
 * TF shards big outputs over threads by whole groups with Skip, which does
 * not change the numbers; we do the same. The only libm calls are logf,
 * sqrtf and sincosf (log, sqrt, sincos for doubles), glibc's as in TF's
 * Linux build, so results are identical, not merely close.
 */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("fp-contract=off")

#include "kernels.h"

#include <math.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Philox4x32-10 state: the 128-bit counter and the 64-bit key. */
typedef struct {
    uint32_t c[4];
    uint32_t k[2];
} k_philox;

/* Returns the next four uint32 and advances the counter by one. */
static inline void k_philox_next(k_philox *p, uint32_t out[4])
{
    uint32_t c0 = p->c[0], c1 = p->c[1], c2 = p->c[2], c3 = p->c[3];
    uint32_t k0 = p->k[0], k1 = p->k[1];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)0xD2511F53u * c0;
        uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
    if (++p->c[0] == 0 && ++p->c[1] == 0 && ++p->c[2] == 0)
        ++p->c[3];
}

/* Skips count 128-bit samples, with TF's Skip carry rule. */
static void k_philox_skip(k_philox *p, uint64_t count)
{
    uint32_t lo = (uint32_t)count, hi = (uint32_t)(count >> 32);
    p->c[0] += lo;
    if (p->c[0] < lo)
        ++hi;
    p->c[1] += hi;
    if (p->c[1] < hi && ++p->c[2] == 0)
        ++p->c[3];
}

/* The Philox state a tfg_rng stands for. */
static k_philox k_philox_of(const tfg_rng *r)
{
    k_philox p;
    p.k[0] = (uint32_t)r->seed;
    p.k[1] = (uint32_t)(r->seed >> 32);
    p.c[0] = (uint32_t)r->counter;
    p.c[1] = (uint32_t)(r->counter >> 32);
    p.c[2] = (uint32_t)r->seed2;
    p.c[3] = (uint32_t)(r->seed2 >> 32);
    return p;
}

/* Seeds a generator as TF's GuardedPhiloxRandom::Init(seed, seed2). */
void tfg_rng_init(tfg_rng *r, uint64_t seed, uint64_t seed2)
{
    if (seed == 0 && seed2 == 0) {
        /* TF: "If both seeds are unspecified, use completely random seeds." */
        uint64_t s[2] = {0, 0};
        if (getrandom(s, sizeof s, 0) != (ssize_t)sizeof s) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            s[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_sec;
            s[1] = (uint64_t)(uintptr_t)r * 0xBF58476D1CE4E5B9ull ^ s[0];
        }
        seed = s[0];
        seed2 = s[1];
    }
    r->seed = seed;
    r->seed2 = seed2;
    r->counter = 0;
}

/* ---- TF's sample conversions ------------------------------------------------ */

/* uint32 -> float in [0, 1) from 23 mantissa bits. */
static inline float k_u32_to_float(uint32_t x)
{
    uint32_t v = (127u << 23) | (x & 0x7fffffu);
    float f;
    memcpy(&f, &v, sizeof f);
    return f - 1.0f;
}

/* Two uint32 -> double in [0, 1) from 52 mantissa bits. */
static inline double k_u64_to_double(uint32_t x0, uint32_t x1)
{
    uint64_t v = (1023ull << 52) | ((uint64_t)(x0 & 0xfffffu) << 32) | x1;
    double d;
    memcpy(&d, &v, sizeof d);
    return d - 1.0;
}

/* Box-Muller on two uint32: two float standard normals (TF's BoxMullerFloat). */
static inline void k_box_muller_f(uint32_t x0, uint32_t x1, float *f0, float *f1)
{
    const float epsilon = 1.0e-7f;
    float u1 = k_u32_to_float(x0);
    if (u1 < epsilon)
        u1 = epsilon;
    const float v1 = (float)(2.0 * M_PI * (double)k_u32_to_float(x1));
    const float u2 = sqrtf(-2.0f * logf(u1));
    sincosf(v1, f0, f1);
    *f0 *= u2;
    *f1 *= u2;
}

/* Box-Muller on four uint32: two double standard normals (TF's BoxMullerDouble). */
static inline void k_box_muller_d(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3, double *d0,
                                  double *d1)
{
    const double epsilon = 1.0e-7;
    double u1 = k_u64_to_double(x0, x1);
    if (u1 < epsilon)
        u1 = epsilon;
    const double v1 = 2 * M_PI * k_u64_to_double(x2, x3);
    const double u2 = sqrt(-2.0 * log(u1));
    sincos(v1, d0, d1);
    *d0 *= u2;
    *d1 *= u2;
}

/* TF's SingleSampleAdapter: one uint32 at a time from a Philox stream. */
typedef struct {
    k_philox *gen;
    uint32_t buf[4];
    int used;
} k_single;

/* Next uint32 of the adapter. */
static inline uint32_t k_single_next(k_single *s)
{
    if (s->used == 4) {
        k_philox_next(s->gen, s->buf);
        s->used = 0;
    }
    return s->buf[s->used++];
}

/* ---- filling groups ------------------------------------------------------------ */

/* One random fill being computed. */
typedef struct {
    k_philox base;       /* the generator as reserved for this run */
    tfg_rand_dist dist;
    tfg_dtype dt;
    int64_t size, group; /* outputs, outputs per group */
    void *data;
    int64_t lo;          /* uniform ints: lo and the range */
    uint64_t range;
} k_rand_job;

/* Computes group g's values into vals (group size entries). */
static void k_rand_group(const k_rand_job *j, k_philox *gen, int64_t g, double *dv, float *fv,
                         int64_t *iv)
{
    uint32_t s[4];
    if (j->dist == TFG_RAND_TRUNCATED_NORMAL) {
        /* TF restarts every group from the run's generator, skipped */
        k_philox local = j->base;
        k_philox_skip(&local, (uint64_t)g * (uint64_t)(j->group * 256 / 4));
        k_single one = {&local, {0, 0, 0, 0}, 4};
        int got = 0;
        if (j->dt == TFG_FLOAT32) {
            while (got < 4) {
                uint32_t x0 = k_single_next(&one), x1 = k_single_next(&one);
                float f[2];
                k_box_muller_f(x0, x1, &f[0], &f[1]);
                for (int i = 0; i < 2 && got < 4; i++)
                    if (fabsf(f[i]) < 2.0f)
                        fv[got++] = f[i];
            }
        } else {
            while (got < 2) {
                uint32_t x0 = k_single_next(&one), x1 = k_single_next(&one);
                uint32_t x2 = k_single_next(&one), x3 = k_single_next(&one);
                double d[2];
                k_box_muller_d(x0, x1, x2, x3, &d[0], &d[1]);
                for (int i = 0; i < 2 && got < 2; i++)
                    if (fabs(d[i]) < 2.0)
                        dv[got++] = d[i];
            }
        }
        return;
    }
    k_philox_next(gen, s);
    switch (j->dt) {
    case TFG_FLOAT32:
        if (j->dist == TFG_RAND_UNIFORM) {
            for (int i = 0; i < 4; i++)
                fv[i] = k_u32_to_float(s[i]);
        } else {
            k_box_muller_f(s[0], s[1], &fv[0], &fv[1]);
            k_box_muller_f(s[2], s[3], &fv[2], &fv[3]);
        }
        break;
    case TFG_FLOAT64:
        if (j->dist == TFG_RAND_UNIFORM) {
            dv[0] = k_u64_to_double(s[0], s[1]);
            dv[1] = k_u64_to_double(s[2], s[3]);
        } else {
            k_box_muller_d(s[0], s[1], s[2], s[3], &dv[0], &dv[1]);
        }
        break;
    case TFG_INT32:
        for (int i = 0; i < 4; i++)
            iv[i] = (int32_t)(uint32_t)((uint64_t)j->lo + (uint32_t)(s[i] % (uint32_t)j->range));
        break;
    default: /* TFG_INT64 */
        for (int i = 0; i < 2; i++) {
            uint64_t bits = s[2 * i] | (uint64_t)s[2 * i + 1] << 32;
            iv[i] = (int64_t)((uint64_t)j->lo + bits % j->range);
        }
        break;
    }
}

/* Fills groups [begin, end) (a parallel_for chunk). */
static void k_rand_chunk(void *vctx, int64_t begin, int64_t end)
{
    const k_rand_job *j = vctx;
    k_philox gen = j->base;
    k_philox_skip(&gen, (uint64_t)begin);
    for (int64_t g = begin; g < end; g++) {
        double dv[4];
        float fv[4];
        int64_t iv[4];
        k_rand_group(j, &gen, g, dv, fv, iv);
        int64_t first = g * j->group;
        int64_t n = j->size - first < j->group ? j->size - first : j->group;
        for (int64_t i = 0; i < n; i++) {
            switch (j->dt) {
            case TFG_FLOAT32: ((float *)j->data)[first + i] = fv[i]; break;
            case TFG_FLOAT64: ((double *)j->data)[first + i] = dv[i]; break;
            case TFG_INT32: ((int32_t *)j->data)[first + i] = (int32_t)iv[i]; break;
            default: ((int64_t *)j->data)[first + i] = iv[i]; break;
            }
        }
    }
}

/* Draws a new tensor from dist with the generator r (advancing it as TF
 * does); see kernels.h and the top of this file. */
int tfg_k_random(tfg_rng *r, tfg_rand_dist dist, tfg_dtype dt, int rank, const int64_t *shape,
                 double a, double b, tfg_tensor **out, tfg_error *err)
{
    *out = NULL;
    bool ints = dt == TFG_INT32 || dt == TFG_INT64;
    if (!tfg_dtype_is_float(dt) && !(ints && dist == TFG_RAND_UNIFORM))
        return tfg_error_set(err, "Random %s values of dtype %s are not supported",
                             dist == TFG_RAND_UNIFORM ? "uniform" : "normal",
                             tfg_dtype_tf_name(dt));
    k_rand_job j = {.dist = dist, .dt = dt};
    if (ints) {
        int64_t lo = (int64_t)a, hi = (int64_t)b;
        if (!(lo < hi))
            return tfg_error_set(err, "Need minval < maxval, got %lld >= %lld", (long long)lo,
                                 (long long)hi);
        if (dt == TFG_INT32 && (lo < INT32_MIN || hi > INT32_MAX))
            return tfg_error_set(err, "minval/maxval out of int32 range");
        j.lo = lo;
        j.range = (uint64_t)hi - (uint64_t)lo;
    }
    tfg_tensor *o = tfg_tensor_new(dt, rank, shape, err);
    if (!o)
        return -1;
    /* ReserveRandomOutputs(size, 256): this run's generator, then skip */
    k_philox state = k_philox_of(r);
    j.base = state;
    k_philox_skip(&state, (uint64_t)o->size * 256u);
    r->counter = (uint64_t)state.c[0] | (uint64_t)state.c[1] << 32;
    r->seed2 = (uint64_t)state.c[2] | (uint64_t)state.c[3] << 32;

    j.size = o->size;
    j.data = o->data;
    j.group = (dt == TFG_FLOAT32 || dt == TFG_INT32) ? 4 : 2;
    int64_t ngroups = (o->size + j.group - 1) / j.group;
    tfg_k_parallel_for(ngroups, 1 << 14, k_rand_chunk, &j);

    /* the Python wrappers' scaling, in the dtype's arithmetic */
    if (dt == TFG_FLOAT32) {
        float *p = o->data, fa = (float)a, fb = (float)b;
        if (dist == TFG_RAND_UNIFORM) {
            float scale = fb - fa;
            if (fa == 0.0f) {
                if (fb != 1.0f)
                    for (int64_t i = 0; i < o->size; i++)
                        p[i] = p[i] * fb;
            } else {
                for (int64_t i = 0; i < o->size; i++)
                    p[i] = p[i] * scale + fa;
            }
        } else {
            for (int64_t i = 0; i < o->size; i++)
                p[i] = p[i] * fb + fa;
        }
    } else if (dt == TFG_FLOAT64) {
        double *p = o->data;
        if (dist == TFG_RAND_UNIFORM) {
            if (a == 0.0) {
                if (b != 1.0)
                    for (int64_t i = 0; i < o->size; i++)
                        p[i] = p[i] * b;
            } else {
                for (int64_t i = 0; i < o->size; i++)
                    p[i] = p[i] * (b - a) + a;
            }
        } else {
            for (int64_t i = 0; i < o->size; i++)
                p[i] = p[i] * b + a;
        }
    }
    *out = o;
    return 0;
}
