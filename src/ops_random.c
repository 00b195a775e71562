/* ops_random.c — random tensors (table tfg_ops_random).
 *
 * RandomStandardNormal, RandomUniform, TruncatedNormal: input (shape), an
 * int32/int64 vector; attrs dtype (float32 or float64), i[2] = seed,
 * i[3] = seed2 (TF's op-level pair, from tfg_graph_get_seed), f[0] = mean
 * (normal) or minval (uniform), f[1] = stddev or maxval. tf.random_normal
 * is TF's RandomStandardNormal followed by "* stddev + mean" and
 * tf.random_uniform is RandomUniform followed by "* (maxval - minval) +
 * minval"; the evaluator folds those into f[0]/f[1] and the kernel applies
 * them in the output dtype (float32 arithmetic for float32, as TF's Mul and
 * Add nodes would), so the numbers match TF's bit for bit. Note: with
 * zeroed attrs f[1] is 0: set stddev/maxval to 1 for the defaults.
 *
 * Stateful: each run draws new numbers from the node's generator, which the
 * session keeps (tfg_exec_rng). */
#include "ops.h"
#include "session.h"

/* Shared infer: dtype attr, shape from the shape input. */
static int infer_random(tfg_node *n, tfg_error *err)
{
    tfg_dtype dt = n->attr.dtype;
    if (!tfg_dtype_is_float(dt))
        return tfg_error_set(err,
                             "Value for attr 'dtype' of %s is not in the list of allowed values: "
                             "float, double",
                             tfg_dtype_tf_name(dt));
    if (tfg_ops_check_dtype(n, 0, "shape", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 0, 1, err)) return -1;
    tfg_shape out;
    if (tfg_ops_shape_input(n, 0, &out, NULL, err)) return -1;
    return tfg_ops_set_output(n, dt, &out);
}

/* Applies t = t * scale + shift in t's dtype (float32 math for float32). */
static void affine(tfg_tensor *t, double scale, double shift)
{
    int64_t sz = t->size;
    if (t->dtype == TFG_FLOAT32) {
        float *p = t->data, s = (float)scale, b = (float)shift;
        for (int64_t i = 0; i < sz; i++) p[i] = p[i] * s + b;
    } else {
        double *p = t->data;
        for (int64_t i = 0; i < sz; i++) p[i] = p[i] * scale + shift;
    }
}

/* Shared kernel: draws the standard distribution, then scales and shifts. */
static int run_random(tfg_rand_dist dist, tfg_exec *x, const tfg_node *n, tfg_tensor *const *in,
                      tfg_tensor **out, tfg_error *err)
{
    int64_t dims[TFG_MAX_RANK];
    int rank;
    if (tfg_ops_read_dims(in[0], dims, &rank, err)) return -1;
    tfg_rng *r = tfg_exec_rng(x, n);
    if (!r) return tfg_error_set(err, "no random generator for node '%s'", n->name);
    tfg_tensor *t;
    if (tfg_k_random(r, dist, n->attr.dtype, rank, dims, 0.0, 1.0, &t, err)) return -1;
    double a = n->attr.f[0], b = n->attr.f[1];
    if (dist == TFG_RAND_UNIFORM) {
        /* TF: rnd * (maxval - minval) + minval, the difference taken in dtype */
        double range = t->dtype == TFG_FLOAT32 ? (double)((float)b - (float)a) : b - a;
        if (!(a == 0 && range == 1)) affine(t, range, a);
    } else if (!(a == 0 && b == 1)) {
        affine(t, b, a);
    }
    *out = t;
    return 0;
}

/* RandomStandardNormal's kernel (mean f[0], stddev f[1]). */
static int k_normal(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    return run_random(TFG_RAND_NORMAL, x, n, in, out, err);
}

/* RandomUniform's kernel (minval f[0], maxval f[1]). */
static int k_uniform(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                     tfg_error *err)
{
    return run_random(TFG_RAND_UNIFORM, x, n, in, out, err);
}

/* TruncatedNormal's kernel (mean f[0], stddev f[1]). */
static int k_truncated(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                       tfg_error *err)
{
    return run_random(TFG_RAND_TRUNCATED_NORMAL, x, n, in, out, err);
}

/* RandomUniformInt: dtype int32/int64, shape from the shape input; bounds
 * minval f[0], maxval f[1] (attrs here, inputs in TF). */
static int infer_random_int(tfg_node *n, tfg_error *err)
{
    tfg_dtype dt = n->attr.dtype;
    if (dt != TFG_INT32 && dt != TFG_INT64)
        return tfg_error_set(err, "Value for attr 'Tout' of %s is not in the list of allowed values: int32, int64",
                             tfg_dtype_tf_name(dt));
    if (!(n->attr.f[0] < n->attr.f[1]))
        return tfg_error_set(err, "Need minval < maxval, got %.17g >= %.17g", n->attr.f[0], n->attr.f[1]);
    if (tfg_ops_check_dtype(n, 0, "shape", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 0, 1, err)) return -1;
    tfg_shape out;
    if (tfg_ops_shape_input(n, 0, &out, NULL, err)) return -1;
    return tfg_ops_set_output(n, dt, &out);
}

/* RandomUniformInt's kernel: lo + uint % (hi - lo), as TF. */
static int k_uniform_int(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                         tfg_error *err)
{
    int64_t dims[TFG_MAX_RANK];
    int rank;
    if (tfg_ops_read_dims(in[0], dims, &rank, err)) return -1;
    tfg_rng *r = tfg_exec_rng(x, n);
    if (!r) return tfg_error_set(err, "no random generator for node '%s'", n->name);
    return tfg_k_random(r, TFG_RAND_UNIFORM, n->attr.dtype, rank, dims, n->attr.f[0], n->attr.f[1], out, err);
}

const tfg_opdef tfg_ops_random[] = {
    { "RandomUniformInt", 1, TFG_OPF_STATEFUL, infer_random_int, { k_uniform_int, NULL }, NULL,
      "uniform integers in [f[0] minval, f[1] maxval) (tf.random_uniform with an int dtype)" },
    { "RandomStandardNormal", 1, TFG_OPF_STATEFUL, infer_random, { k_normal, NULL }, NULL,
      "normal samples * f[1] stddev + f[0] mean (tf.random_normal)" },
    { "RandomUniform", 1, TFG_OPF_STATEFUL, infer_random, { k_uniform, NULL }, NULL,
      "uniform samples in [f[0] minval, f[1] maxval) (tf.random_uniform)" },
    { "TruncatedNormal", 1, TFG_OPF_STATEFUL, infer_random, { k_truncated, NULL }, NULL,
      "normal samples within 2 stddev, scaled as random_normal (tf.truncated_normal)" },
};
const int tfg_ops_random_count = (int)(sizeof tfg_ops_random / sizeof tfg_ops_random[0]);
