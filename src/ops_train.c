/* ops_train.c — optimizer update ops (table tfg_ops_train): in-place
 * updates of variables, TensorFlow's training ops with its input order and
 * its CPU kernels' arithmetic (core/kernels/training_ops.cc), in the
 * variable's dtype (float32 or float64; other number types build, as in TF,
 * but have no kernel):
 *
 * ApplyGradientDescent (var, alpha, delta):
 *   var -= delta * alpha
 * ApplyMomentum (var, accum, lr, grad, momentum); attr flag[0] use_nesterov:
 *   accum = accum * momentum + grad
 *   var -= accum * lr                      (nesterov: var -= grad * lr + accum * momentum * lr)
 * ApplyAdam (var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad);
 *   attr flag[0] use_nesterov:
 *   alpha = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
 *   m += (grad - m) * (1 - beta1);  v += (grad^2 - v) * (1 - beta2)
 *   var -= (m * alpha) / (sqrt(v) + epsilon)
 *                 (nesterov: var -= ((grad * (1 - beta1) + beta1 * m) * alpha) / (sqrt(v) + epsilon))
 * ApplyRMSProp (var, ms, mom, lr, rho, momentum, epsilon, grad):
 *   ms += (grad^2 - ms) * (1 - rho)
 *   mom = mom * momentum + (grad * lr) / sqrt(ms + epsilon);  var -= mom
 * ApplyCenteredRMSProp (var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
 *   ms += (grad^2 - ms) * (1 - rho);  mg += (grad - mg) * (1 - rho)
 *   mom = mom * momentum + (grad * lr) / sqrt((ms - mg^2) + epsilon);  var -= mom
 *
 * Ref inputs: the first NREF inputs (var and the slot variables) are the
 * VariableV2 nodes themselves (TF's l-values), marked TFG_OPF_NREF(k): the
 * session does not evaluate them and the kernels get NULL there. Kernels find
 * each of them as n->inputs[k].node and read and write its value with
 * tfg_exec_var_get/set. The other inputs are scalars of the variable's dtype
 * and the gradient, of the variable's shape.
 *
 * A variable's tensor is updated in place when the session holds the only
 * reference to it (nobody else can see the change); otherwise the kernel
 * updates a copy and stores that. All checks happen before any value
 * changes, so a failing update leaves every variable as it was. The single
 * output is the variable's new value (TF's ref output "out"). */
/* Results must be TF's bits: never fuse a * b + c into one FMA, whatever
 * flags the file is built with (-std=gnu11 or -march=native would allow it). */
#pragma GCC optimize("O3", "fp-contract=off")

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ops.h"
#include "session.h"

#define MAX_TRAIN_INPUTS 10

/* One training op's signature: TF's input names, how many leading inputs
 * are variables, and where the gradient is (every other input is a scalar). */
typedef struct train_sig {
    const char *type;
    int nref;
    int grad;
    const char *names[MAX_TRAIN_INPUTS];
} train_sig;

static const train_sig sigs[] = {
    { "ApplyGradientDescent", 1, 2, { "var", "alpha", "delta" } },
    { "ApplyMomentum", 2, 3, { "var", "accum", "lr", "grad", "momentum" } },
    { "ApplyAdam", 3, 9,
      { "var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad" } },
    { "ApplyRMSProp", 3, 7, { "var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad" } },
    { "ApplyCenteredRMSProp", 4, 8, { "var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad" } },
};

/* The signature of node n's op. */
static const train_sig *sig_of(const tfg_node *n)
{
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (strcmp(sigs[i].type, n->op->type) == 0) return &sigs[i];
    return &sigs[0];
}

/* True when endpoint e is a variable's value (TF's l-value). */
static bool is_variable(tfg_endpoint e)
{
    return e.node && strcmp(e.node->op->type, "VariableV2") == 0 && e.index == 0;
}

/* Shared shape and dtype function: l-value refs, float dtype shared by every
 * input, scalar hyperparameters, and var/slots/grad of one merged shape. */
static int infer_apply(tfg_node *n, tfg_error *err)
{
    const train_sig *s = sig_of(n);
    for (int k = 0; k < s->nref; k++)
        if (!is_variable(n->inputs[k]))
            return tfg_error_set(err, "Input '%s' of '%s' Op requires l-value input", s->names[k], n->op->type);
    /* TF's op definitions take every number type; kernels exist for floats */
    if (tfg_ops_check_dtype(n, 0, "var", TFG_DTS_REAL, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    for (int k = 1; k < n->ninputs; k++)
        if (tfg_ops_in_dtype(n, k) != dt)
            return tfg_ops_type_mismatch(err, n, s->names[k], tfg_ops_in_dtype(n, k), "var", dt);
    for (int k = s->nref; k < n->ninputs; k++)
        if (k != s->grad && tfg_ops_check_rank(n, k, 0, err)) return -1;
    tfg_shape sh = *tfg_ops_in_shape(n, 0);
    char msg[512];
    for (int k = 1; k < n->ninputs; k++) {
        if (k >= s->nref && k != s->grad) continue;
        tfg_shape m;
        if (tfg_ops_merge(&sh, tfg_ops_in_shape(n, k), &m, msg, sizeof msg))
            return tfg_ops_shape_error(err, n, "%s", msg);
        sh = m;
    }
    return tfg_ops_set_output(n, dt, &sh);
}

/* The values an update works on: the variables (writable, see the file
 * comment), the scalars as doubles and the gradient. */
typedef struct upd {
    tfg_tensor *ref[4];          /* one reference each, released by upd_release */
    double sc[MAX_TRAIN_INPUTS]; /* scalar inputs by input position */
    const tfg_tensor *grad;
    int nref;
} upd;

/* Drops the references an upd holds. */
static void upd_release(upd *u)
{
    for (int k = 0; k < u->nref; k++) tfg_tensor_unref(u->ref[k]);
}

/* Checks every input and prepares the writable variable tensors: TF's
 * uninitialised, not-a-scalar and shape-mismatch errors. */
static int upd_prepare(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, upd *u, tfg_error *err)
{
    const train_sig *s = sig_of(n);
    memset(u, 0, sizeof *u);
    tfg_dtype dt = n->out_dtype[0];
    if (dt != TFG_FLOAT32 && dt != TFG_FLOAT64) {
        char T[16];
        snprintf(T, sizeof T, "%s", tfg_dtype_name(dt));
        for (char *c = T; *c; c++) *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        return tfg_error_set(err, "No OpKernel was registered to support Op '%s' used by node %s with these "
                                  "attrs: [T=DT_%s]. Registered kernels: device='CPU'; T in [DT_FLOAT, DT_DOUBLE]",
                             n->op->type, n->name, T);
    }
    const tfg_tensor *cur[4];
    for (int k = 0; k < s->nref; k++) {
        const tfg_node *v = n->inputs[k].node;
        cur[k] = tfg_exec_var_get(x, v);
        if (!cur[k]) return tfg_error_set(err, "Attempting to use uninitialized value %s", v->name);
    }
    for (int k = s->nref; k < n->ninputs; k++) {
        if (k == s->grad) continue;
        if (in[k]->rank != 0) {
            char b[160];
            tfg_tensor_shape_str(in[k]->rank, in[k]->shape, b, sizeof b);
            return tfg_error_set(err, "%s is not a scalar: %s", s->names[k], b);
        }
        u->sc[k] = tfg_tensor_get_f(in[k], 0);
    }
    u->grad = in[s->grad];
    for (int k = 1; k <= s->nref; k++) {
        const tfg_tensor *t = k < s->nref ? cur[k] : u->grad;
        const char *what = k < s->nref ? s->names[k] : s->names[s->grad];
        if (!tfg_tensor_same_shape(cur[0], t) || t->dtype != cur[0]->dtype) {
            char a[160], b[160];
            tfg_tensor_shape_str(cur[0]->rank, cur[0]->shape, a, sizeof a);
            tfg_tensor_shape_str(t->rank, t->shape, b, sizeof b);
            return tfg_error_set(err, "var and %s do not have the same shape%s %s", what, a, b);
        }
    }
    for (int k = 0; k < s->nref; k++) {
        tfg_tensor *c = (tfg_tensor *)cur[k];
        u->ref[k] = c->refcount == 1 ? tfg_tensor_ref(c) : tfg_tensor_copy(c, err);
        if (!u->ref[k]) { upd_release(u); return -1; }
        u->nref = k + 1;
    }
    return 0;
}

/* Stores the updated tensors as the variables' values; out[0] gets var's. */
static int upd_finish(tfg_exec *x, const tfg_node *n, upd *u, tfg_tensor **out, tfg_error *err)
{
    int rc = 0;
    for (int k = 0; k < u->nref && rc == 0; k++)
        rc = tfg_exec_var_set(x, n->inputs[k].node, u->ref[k], err);
    if (rc == 0) out[0] = tfg_tensor_ref(u->ref[0]);
    upd_release(u);
    return rc;
}

/* var[i] -= g[i] * lr: multiply, round, subtract (never one FMA), in AVX-512 or
 * AVX2 vectors where the CPU has them (the same bits in any width). */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define GD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef GD_CLONES
#define GD_CLONES
#endif
/* Elements from which an update is shared among threads. A matrix with a
 * 64-column block per thread is cut into those blocks, each updated by the
 * thread that computed it in the tiled products (tfg_k_parallel_affine, the
 * same blocks as runtime/k_matmul.c's), so that it never leaves that core's
 * cache; anything else only when very large, since an update is pure memory
 * traffic and its parts would move between the cores' caches (a 100k-element
 * update cut among two threads took twice as long as on one). */
#define UPD_AFFINE_MIN (1 << 15)
#define UPD_PAR_MIN (1 << 22)
#define DEFINE_GD_LOOP(T, SFX)                                                                \
    /* var[i] -= g[i] * lr on `rows` runs of n elements, `stride` apart */                    \
    GD_CLONES static void gd_rows_##SFX(T *restrict var, const T *restrict g, T lr, int64_t rows, \
                                        int64_t n, int64_t stride)                            \
    {                                                                                         \
        for (int64_t r = 0; r < rows; r++, var += stride, g += stride)                        \
            for (int64_t i = 0; i < n; i++) var[i] -= g[i] * lr;                              \
    }
DEFINE_GD_LOOP(float, f32)
DEFINE_GD_LOOP(double, f64)

/* ---- the arithmetic, once per float type (T, its sqrt) --------------------------- */
#define DEFINE_UPDATES(T, SFX, SQRT)                                                             \
    /* var -= grad * lr (large variables on the kernels' threads) */                        \
    static void gd_chunk_##SFX(void *p, int64_t lo, int64_t hi)                               \
    {                                                                                         \
        const upd *u = p;                                                                     \
        gd_rows_##SFX((T *)u->ref[0]->data + lo, (const T *)u->grad->data + lo, (T)u->sc[1],   \
                      1, hi - lo, 0);                                                         \
    }                                                                                         \
    /* columns [lo, hi) of every row of a matrix variable */                                 \
    static void gd_cols_##SFX(void *p, int64_t lo, int64_t hi)                                \
    {                                                                                         \
        const upd *u = p;                                                                     \
        int64_t cols = u->ref[0]->shape[1];                                                   \
        gd_rows_##SFX((T *)u->ref[0]->data + lo, (const T *)u->grad->data + lo, (T)u->sc[1],   \
                      u->ref[0]->shape[0], hi - lo, cols);                                    \
    }                                                                                         \
    static void gd_##SFX(upd *u)                                                              \
    {                                                                                         \
        const tfg_tensor *v = u->ref[0];                                                      \
        if (v->rank == 2 && v->size >= UPD_AFFINE_MIN && v->shape[1] >= 64 * tfg_k_threads()) \
            tfg_k_parallel_affine(v->shape[1], 64, gd_cols_##SFX, u);                         \
        else                                                                                  \
            tfg_k_parallel_for(v->size, UPD_PAR_MIN, gd_chunk_##SFX, u);                      \
    }                                                                                         \
    /* accum = accum * momentum + grad; var -= accum * lr (or Nesterov's step) */             \
    static void momentum_##SFX(upd *u, bool nesterov)                                         \
    {                                                                                         \
        T *var = u->ref[0]->data, *acc = u->ref[1]->data;                                     \
        const T *g = u->grad->data;                                                           \
        const T lr = (T)u->sc[2], mom = (T)u->sc[4];                                          \
        int64_t n = u->ref[0]->size;                                                          \
        for (int64_t i = 0; i < n; i++) acc[i] = acc[i] * mom + g[i];                          \
        if (nesterov)                                                                         \
            for (int64_t i = 0; i < n; i++) var[i] -= g[i] * lr + acc[i] * mom * lr;          \
        else                                                                                  \
            for (int64_t i = 0; i < n; i++) var[i] -= acc[i] * lr;                            \
    }                                                                                         \
    /* Adam with TF's bias-corrected step size alpha */                                       \
    static void adam_##SFX(upd *u, bool nesterov)                                             \
    {                                                                                         \
        T *var = u->ref[0]->data, *m = u->ref[1]->data, *v = u->ref[2]->data;                 \
        const T *g = u->grad->data;                                                           \
        const T b1p = (T)u->sc[3], b2p = (T)u->sc[4], lr = (T)u->sc[5];                       \
        const T b1 = (T)u->sc[6], b2 = (T)u->sc[7], eps = (T)u->sc[8];                        \
        const T one = (T)1;                                                                   \
        const T alpha = lr * SQRT(one - b2p) / (one - b1p);                                   \
        const T c1 = one - b1, c2 = one - b2;                                                 \
        for (int64_t i = 0, n = u->ref[0]->size; i < n; i++) {                                \
            m[i] += (g[i] - m[i]) * c1;                                                       \
            v[i] += (g[i] * g[i] - v[i]) * c2;                                                \
            if (nesterov)                                                                     \
                var[i] -= ((g[i] * c1 + b1 * m[i]) * alpha) / (SQRT(v[i]) + eps);             \
            else                                                                              \
                var[i] -= (m[i] * alpha) / (SQRT(v[i]) + eps);                                \
        }                                                                                     \
    }                                                                                         \
    /* RMSProp: ms, mom, var (sc: lr 3, rho 4, momentum 5, epsilon 6) */                      \
    static void rmsprop_##SFX(upd *u)                                                         \
    {                                                                                         \
        T *var = u->ref[0]->data, *ms = u->ref[1]->data, *mom = u->ref[2]->data;              \
        const T *g = u->grad->data;                                                           \
        const T lr = (T)u->sc[3], c = (T)1 - (T)u->sc[4], mo = (T)u->sc[5];                  \
        const T eps = (T)u->sc[6];                                                            \
        for (int64_t i = 0, n = u->ref[0]->size; i < n; i++) {                                \
            ms[i] += (g[i] * g[i] - ms[i]) * c;                                               \
            mom[i] = mom[i] * mo + (g[i] * lr) / SQRT(ms[i] + eps);                           \
            var[i] -= mom[i];                                                                 \
        }                                                                                     \
    }                                                                                         \
    /* centered RMSProp: mg, ms, mom, var (sc: lr 4, rho 5, momentum 6, epsilon 7) */         \
    static void crmsprop_##SFX(upd *u)                                                        \
    {                                                                                         \
        T *var = u->ref[0]->data, *mg = u->ref[1]->data, *ms = u->ref[2]->data;               \
        T *mom = u->ref[3]->data;                                                             \
        const T *g = u->grad->data;                                                           \
        const T lr = (T)u->sc[4], c = (T)1 - (T)u->sc[5], mo = (T)u->sc[6];                  \
        const T eps = (T)u->sc[7];                                                            \
        for (int64_t i = 0, n = u->ref[0]->size; i < n; i++) {                                \
            ms[i] += (g[i] * g[i] - ms[i]) * c;                                               \
            mg[i] += (g[i] - mg[i]) * c;                                                      \
            mom[i] = mom[i] * mo + (g[i] * lr) / SQRT((ms[i] - mg[i] * mg[i]) + eps);         \
            var[i] -= mom[i];                                                                 \
        }                                                                                     \
    }

DEFINE_UPDATES(float, f32, sqrtf)
DEFINE_UPDATES(double, f64, sqrt)

/* ApplyGradientDescent's kernel. */
static int k_gd(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    upd u;
    if (upd_prepare(x, n, in, &u, err)) return -1;
    if (u.ref[0]->dtype == TFG_FLOAT32) gd_f32(&u);
    else gd_f64(&u);
    return upd_finish(x, n, &u, out, err);
}

/* See ops.h: ApplyGradientDescent fused with the MatMul that computes its delta. */
int tfg_ops_gd_matmul(tfg_exec *x, const tfg_node *gd, const tfg_node *mm, tfg_tensor *const *mm_in,
                      tfg_tensor *const *gd_in, tfg_tensor **out, tfg_error *err)
{
    const tfg_tensor *a = mm_in[0], *b = mm_in[1];
    bool ta = mm->attr.flag[0], tb = mm->attr.flag[1];
    if (a && b && a->dtype == TFG_FLOAT32 && b->dtype == TFG_FLOAT32 && a->rank == 2 && b->rank == 2 &&
        a->shape[ta ? 0 : 1] == b->shape[tb ? 1 : 0]) {
        /* the product's shape and dtype, for the update's checks */
        tfg_tensor shape = { .dtype = TFG_FLOAT32, .rank = 2, .refcount = 1 };
        shape.shape[0] = a->shape[ta ? 1 : 0];
        shape.shape[1] = b->shape[tb ? 0 : 1];
        shape.size = shape.shape[0] * shape.shape[1];
        tfg_tensor *in[3] = { gd_in[0], gd_in[1], &shape };
        upd u;
        if (upd_prepare(x, gd, in, &u, err)) return -1;
        if (u.ref[0]->dtype == TFG_FLOAT32 && tfg_k_matmul_update(a, b, ta, tb, (float)u.sc[1], u.ref[0]))
            return upd_finish(x, gd, &u, out, err);
        upd_release(&u);
    }
    /* the two kernels as the graph has them */
    tfg_tensor *prod[TFG_MAX_OUTPUTS] = { NULL };
    if (mm->op->kernel[TFG_BACKEND_CPU](x, mm, mm_in, prod, err)) return -1;
    tfg_tensor *in[3] = { gd_in[0], gd_in[1], prod[0] };
    int rc = gd->op->kernel[TFG_BACKEND_CPU](x, gd, in, out, err);
    tfg_tensor_unref(prod[0]);
    return rc;
}

/* ApplyMomentum's kernel. */
static int k_momentum(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    upd u;
    if (upd_prepare(x, n, in, &u, err)) return -1;
    if (u.ref[0]->dtype == TFG_FLOAT32) momentum_f32(&u, n->attr.flag[0]);
    else momentum_f64(&u, n->attr.flag[0]);
    return upd_finish(x, n, &u, out, err);
}

/* ApplyAdam's kernel. */
static int k_adam(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    upd u;
    if (upd_prepare(x, n, in, &u, err)) return -1;
    if (u.ref[0]->dtype == TFG_FLOAT32) adam_f32(&u, n->attr.flag[0]);
    else adam_f64(&u, n->attr.flag[0]);
    return upd_finish(x, n, &u, out, err);
}

/* ApplyRMSProp's kernel. */
static int k_rmsprop(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    upd u;
    if (upd_prepare(x, n, in, &u, err)) return -1;
    if (u.ref[0]->dtype == TFG_FLOAT32) rmsprop_f32(&u);
    else rmsprop_f64(&u);
    return upd_finish(x, n, &u, out, err);
}

/* ApplyCenteredRMSProp's kernel. */
static int k_crmsprop(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    upd u;
    if (upd_prepare(x, n, in, &u, err)) return -1;
    if (u.ref[0]->dtype == TFG_FLOAT32) crmsprop_f32(&u);
    else crmsprop_f64(&u);
    return upd_finish(x, n, &u, out, err);
}

#define TRAIN_FLAGS(k) (TFG_OPF_STATEFUL | TFG_OPF_REF_INPUT0 | TFG_OPF_NREF(k))

const tfg_opdef tfg_ops_train[] = {
    { "ApplyGradientDescent", 3, TRAIN_FLAGS(1), infer_apply, { k_gd, NULL }, NULL,
      "var -= alpha * delta, in place (GradientDescentOptimizer)" },
    { "ApplyMomentum", 5, TRAIN_FLAGS(2), infer_apply, { k_momentum, NULL }, NULL,
      "momentum update of var and accum; flag[0] use_nesterov (MomentumOptimizer)" },
    { "ApplyAdam", 10, TRAIN_FLAGS(3), infer_apply, { k_adam, NULL }, NULL,
      "Adam update of var, m, v; flag[0] use_nesterov (AdamOptimizer)" },
    { "ApplyRMSProp", 8, TRAIN_FLAGS(3), infer_apply, { k_rmsprop, NULL }, NULL,
      "RMSProp update of var, ms, mom (RMSPropOptimizer)" },
    { "ApplyCenteredRMSProp", 9, TRAIN_FLAGS(4), infer_apply, { k_crmsprop, NULL }, NULL,
      "centered RMSProp update of var, mg, ms, mom (RMSPropOptimizer centered=True)" },
};
const int tfg_ops_train_count = (int)(sizeof tfg_ops_train / sizeof tfg_ops_train[0]);
