/* ops_array.c — constants, placeholders and shape/data-movement ops
 * (table tfg_ops_array). Inputs and attributes per op are listed in the
 * table's docs and in the comment above each infer function; inputs that TF
 * passes as tensors (shapes, axes, perms) stay inputs, so they can be fed,
 * and each infer function folds them when they are Consts.
 *
 * Kernels read those inputs into stack buffers (no allocation besides the
 * output) and call the runtime/kernels.h functions. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ops.h"

/* ---- Const, Placeholder, PlaceholderWithDefault, Identity, Cast ------------------------ */

/* Const: no inputs, attr value. */
static int infer_const(tfg_node *n, tfg_error *err)
{
    if (!n->attr.value) return tfg_error_set(err, "Const node '%s' has no value", n->name);
    tfg_shape s = tfg_shape_of_tensor(n->attr.value);
    return tfg_ops_set_output(n, n->attr.value->dtype, &s);
}

/* Const's kernel: a new reference to the value. */
static int k_const(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                   tfg_error *err)
{
    (void)x;
    (void)in;
    (void)err;
    *out = tfg_tensor_ref(n->attr.value);
    return 0;
}

/* Placeholder: no inputs, attrs dtype and shape (rank -1 = any). */
static int infer_placeholder(tfg_node *n, tfg_error *err)
{
    (void)err;
    return tfg_ops_set_output(n, n->attr.dtype, &n->attr.shape);
}

/* Placeholder's kernel runs only when it is not fed: TF's error. */
static int k_placeholder(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                         tfg_error *err)
{
    (void)x;
    (void)in;
    (void)out;
    if (n->attr.shape.rank > 0) {
        char s[160];
        tfg_shape_str(&n->attr.shape, s, sizeof s);
        return tfg_error_set(err,
                             "You must feed a value for placeholder tensor '%s' with dtype %s "
                             "and shape %s",
                             n->name, tfg_dtype_tf_name(n->attr.dtype), s);
    }
    return tfg_error_set(err, "You must feed a value for placeholder tensor '%s' with dtype %s",
                         n->name, tfg_dtype_tf_name(n->attr.dtype));
}

/* PlaceholderWithDefault: input (input), attr shape; the default must fit the
 * declared shape, which is the output's. */
static int infer_placeholder_with_default(tfg_node *n, tfg_error *err)
{
    tfg_shape m;
    char msg[512];
    if (tfg_ops_merge(tfg_ops_in_shape(n, 0), &n->attr.shape, &m, msg, sizeof msg))
        return tfg_ops_shape_error(err, n, "%s", msg);
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &n->attr.shape);
}

/* Identity, and PlaceholderWithDefault when not fed: input (input), passed through. */
static int infer_identity(tfg_node *n, tfg_error *err)
{
    (void)err;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), tfg_ops_in_shape(n, 0));
}

/* Identity's kernel: a new reference to its input. */
static int k_identity(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                      tfg_error *err)
{
    (void)x;
    (void)n;
    (void)err;
    *out = tfg_tensor_ref(in[0]);
    return 0;
}

/* Cast: input (x), attr dtype = DstT. */
static int infer_cast(tfg_node *n, tfg_error *err)
{
    (void)err;
    return tfg_ops_set_output(n, n->attr.dtype, tfg_ops_in_shape(n, 0));
}

/* Cast's kernel (same dtype: a new reference). */
static int k_cast(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    if (in[0]->dtype == n->attr.dtype) {
        *out = tfg_tensor_ref(in[0]);
        return 0;
    }
    return tfg_k_cast(in[0], n->attr.dtype, out, err);
}

/* ---- Reshape ---------------------------------------------------------------------------- */

/* Product of the known dims of s; *unknown = index of the one unknown dim (-1
 * none), *many when more than one is unknown. */
static int64_t known_elements(const tfg_shape *s, int *unknown, bool *many)
{
    int64_t p = 1;
    *unknown = -1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dim[i] < 0) {
            if (*unknown >= 0) *many = true;
            *unknown = i;
        } else if (__builtin_mul_overflow(p, s->dim[i], &p)) {
            *many = true;
        }
    }
    return p;
}

/* Reshape: inputs (tensor, shape); TF's SetOutputShapeForReshape. */
static int infer_reshape(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "shape", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 1, 1, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    tfg_shape out;
    bool partial;
    if (tfg_ops_shape_input(n, 1, &out, &partial, err)) return -1;
    unsigned pmask = partial ? 1u << 1 : 0;
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    if (out.rank < 0 || in->rank < 0) return tfg_ops_set_output(n, dt, &out);
    bool many = false;
    int out_unknown, in_unknown;
    int64_t known_out = known_elements(&out, &out_unknown, &many);
    int64_t known_in = known_elements(in, &in_unknown, &many);
    if (many) return tfg_ops_set_output(n, dt, &out);
    char s[160];
    tfg_shape_str(&out, s, sizeof s);
    if (in_unknown < 0 && out_unknown < 0) {
        if (known_in != known_out)
            return tfg_ops_shape_error_with(err, n, 0, pmask,
                                            "Cannot reshape a tensor with %" PRId64
                                            " elements to shape %s (%" PRId64 " elements)",
                                            known_in, s, known_out);
    } else if (in_unknown < 0 && out_unknown >= 0) {
        if (known_out == 0) {
            if (known_in != 0)
                return tfg_ops_shape_error_with(err, n, 0, pmask,
                                                "Cannot reshape a tensor with %" PRId64
                                                " elements to shape %s (0 elements)",
                                                known_in, s);
        } else {
            if (known_in % known_out != 0)
                return tfg_ops_shape_error_with(err, n, 0, pmask,
                                                "Dimension size must be evenly divisible by %" PRId64
                                                " but is %" PRId64,
                                                known_out, known_in);
            out.dim[out_unknown] = known_in / known_out;
        }
    } else if (in_unknown >= 0 && out_unknown < 0) {
        if (known_in != 0 && known_out % known_in != 0)
            return tfg_ops_shape_error_with(err, n, 0, pmask,
                                            "Dimension size must be evenly divisible by %" PRId64
                                            " but is %" PRId64,
                                            known_in, known_out);
    } else if (known_in == known_out) {
        out.dim[out_unknown] = in->dim[in_unknown];
    }
    return tfg_ops_set_output(n, dt, &out);
}

/* Reshape's kernel. */
static int k_reshape(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                     tfg_error *err)
{
    (void)x;
    (void)n;
    int64_t dims[TFG_MAX_RANK];
    int rank;
    if (tfg_ops_read_ints(in[1], dims, TFG_MAX_RANK, &rank, "shape", err)) return -1;
    return tfg_k_reshape(in[0], rank, dims, out, err);
}

/* ---- Transpose -------------------------------------------------------------------------- */

/* Transpose: inputs (x, perm); TF's TransposeShapeFn. */
static int infer_transpose(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "perm", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 1, 1, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    const tfg_shape *in = tfg_ops_in_shape(n, 0), *ps = tfg_ops_in_shape(n, 1);
    const tfg_tensor *perm = tfg_ops_const_value(n->inputs[1]);
    int64_t plen = perm ? perm->size : (ps->rank == 1 ? ps->dim[0] : -1);
    int rank = in->rank;
    if (rank < 0 && plen >= 0 && plen <= TFG_MAX_RANK) rank = (int)plen;
    if (rank >= 0 && plen >= 0 && plen != rank)
        return tfg_ops_shape_error(err, n, "Dimension must be %d but is %" PRId64, rank, plen);
    tfg_shape out = tfg_shape_make(rank, NULL);
    if (rank < 0 || in->rank < 0) return tfg_ops_set_output(n, dt, &out);
    if (!perm) {
        bool same = true;
        for (int i = 1; i < rank; i++) same = same && in->dim[i] == in->dim[0];
        if (same)
            for (int i = 0; i < rank; i++) out.dim[i] = in->dim[0];
        return tfg_ops_set_output(n, dt, &out);
    }
    for (int i = 0; i < rank; i++) {
        int64_t p = tfg_tensor_get_i(perm, i);
        if (p >= rank || p < -rank)
            return tfg_ops_shape_error_with(err, n, 1u << 1, 0,
                                            "perm dim %" PRId64
                                            " is out of range of input rank %d",
                                            p, rank);
        out.dim[i] = in->dim[p < 0 ? p + rank : p];
    }
    return tfg_ops_set_output(n, dt, &out);
}

/* Transpose's kernel: checks perm as TF's TransposeOp, then tfg_k_transpose. */
static int k_transpose(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                       tfg_error *err)
{
    (void)x;
    (void)n;
    int r = in[0]->rank;
    int64_t buf[TFG_MAX_RANK];
    int perm[TFG_MAX_RANK], np;
    bool seen[TFG_MAX_RANK] = { false };
    if (in[1]->rank != 1)
        return tfg_error_set(err, "perm must be rank 1, got shape of rank %d", in[1]->rank);
    if (in[1]->size != r)
        return tfg_error_set(err,
                             "transpose expects a vector of size %d. But input(1) is a vector "
                             "of size %" PRId64,
                             r, in[1]->size);
    if (tfg_ops_read_ints(in[1], buf, TFG_MAX_RANK, &np, "perm", err)) return -1;
    for (int i = 0; i < np; i++) {
        if (buf[i] < 0 || buf[i] >= r)
            return tfg_error_set(err, "%" PRId64 " is out of range [0 .. %d)", buf[i], r);
        perm[i] = (int)buf[i];
        seen[perm[i]] = true;
    }
    for (int d = 0; d < r; d++) {
        if (seen[d]) continue;
        char list[128];
        size_t used = 0;
        list[0] = '\0';
        for (int i = 0; i < np && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, i ? ",%d" : "%d", perm[i]);
        return tfg_error_set(err, "%d is missing from {%s}.", d, list);
    }
    return tfg_k_transpose(in[0], perm, out, err);
}

/* ---- ConcatV2, Pack ---------------------------------------------------------------------- */

/* Dims [from, to) of s as a shape. */
static tfg_shape subshape(const tfg_shape *s, int from, int to)
{
    return tfg_shape_make(to - from, s->dim + from);
}

/* Input i's shape, or `rank` unknown dims when its rank is unknown. */
static tfg_shape concat_value_shape(const tfg_node *n, int i, int rank)
{
    const tfg_shape *s = tfg_ops_in_shape(n, i);
    return s->rank < 0 ? tfg_shape_make(rank, NULL) : *s;
}

/* ConcatV2: inputs (values..., axis), variadic; TF's ConcatShapeHelper. */
static int infer_concat(tfg_node *n, tfg_error *err)
{
    int nv = n->ninputs - 1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    for (int i = 1; i < nv; i++)
        if (tfg_ops_in_dtype(n, i) != dt)
            return tfg_ops_type_list_mismatch(err, n, "values", 0, nv);
    if (tfg_ops_check_dtype(n, nv, "axis", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, nv, 0, err)) return -1;
    int rank = -1;
    for (int i = 0; i < nv; i++) {
        int r = tfg_ops_in_shape(n, i)->rank;
        if (rank < 0) rank = r;
        else if (r >= 0 && r != rank)
            return tfg_ops_shape_error(err, n, "Shape must be rank %d but is rank %d", rank, r);
    }
    if (rank == 0)
        return tfg_ops_shape_error(err, n, "Can't concatenate scalars (use tf.stack instead)");
    int64_t axis;
    tfg_shape out = tfg_shape_make(rank, NULL);
    if (!tfg_ops_const_int(n, nv, &axis) || rank < 0) return tfg_ops_set_output(n, dt, &out);
    unsigned cmask = 1u << (nv < 31 ? nv : 31);
    int64_t min_rank = axis < 0 ? -axis : axis + 1;
    if (rank < min_rank)
        return tfg_ops_shape_error_with(err, n, cmask, 0,
                                        "Shape must be at least rank %" PRId64 " but is rank %d",
                                        min_rank, rank);
    int ax = (int)(axis < 0 ? axis + rank : axis);
    /* from the last value down, as TF: merge the dims before and after the
     * axis, add up the axis dims */
    tfg_shape last = concat_value_shape(n, nv - 1, rank);
    tfg_shape before = subshape(&last, 0, ax), after = subshape(&last, ax + 1, rank);
    int64_t middle = last.dim[ax];
    for (int i = nv - 2; i >= 0; i--) {
        tfg_shape sv = concat_value_shape(n, i, rank);
        const tfg_shape *s = &sv;
        tfg_shape b = subshape(s, 0, ax), a = subshape(s, ax + 1, rank);
        char msg[512];
        if (tfg_ops_merge(&b, &before, &before, msg, sizeof msg) ||
            tfg_ops_merge(&a, &after, &after, msg, sizeof msg))
            return tfg_ops_shape_error_with(err, n, cmask, 0, "%s", msg);
        middle = (middle < 0 || s->dim[ax] < 0) ? -1 : middle + s->dim[ax];
    }
    for (int d = 0; d < rank; d++)
        out.dim[d] = d < ax ? before.dim[d] : d == ax ? middle : after.dim[d - ax - 1];
    return tfg_ops_set_output(n, dt, &out);
}

/* ConcatV2's kernel: checks the axis as TF's ConcatOp, then tfg_k_concat. */
static int k_concat(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    (void)x;
    int nv = n->ninputs - 1;
    const tfg_tensor *at = in[nv];
    if (at->size != 1)
        return tfg_error_set(err, "Concat dim tensor should be a scalar integer, but got shape "
                                  "of %" PRId64 " elements", at->size);
    int64_t axis = tfg_tensor_get_i(at, 0);
    int r = in[0]->rank;
    if (axis < -r || axis >= r)
        return tfg_error_set(err,
                             "ConcatOp : Expected concatenating dimensions in the range [%d, %d), "
                             "but got %" PRId64,
                             -r, r, axis);
    return tfg_k_concat((const tfg_tensor *const *)in, nv, (int)axis, out, err);
}

/* Pack: inputs (values...), variadic; attr i[0] = axis. */
static int infer_pack(tfg_node *n, tfg_error *err)
{
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    for (int i = 1; i < n->ninputs; i++)
        if (tfg_ops_in_dtype(n, i) != dt)
            return tfg_ops_type_list_mismatch(err, n, "values", 0, n->ninputs);
    tfg_shape cur;
    if (tfg_ops_merge_inputs(n, 0, n->ninputs, &cur, err)) return -1;
    if (cur.rank < 0) return tfg_ops_set_output(n, dt, &cur);
    int64_t r1 = cur.rank + 1, axis = n->attr.i[0];
    if (axis < -r1 || axis >= r1)
        return tfg_ops_shape_error(err, n, "Invalid axis: %" PRId64 "; must be in [%" PRId64
                                           ",%" PRId64 ")",
                                   axis, -r1, r1);
    if (r1 > TFG_MAX_RANK)
        return tfg_ops_shape_error(err, n, "Rank of the result exceeds %d", TFG_MAX_RANK);
    if (axis < 0) axis += r1;
    tfg_shape out = tfg_shape_scalar();
    out.rank = (int)r1;
    for (int d = 0, k = 0; d < out.rank; d++)
        out.dim[d] = d == axis ? n->ninputs : cur.dim[k++];
    return tfg_ops_set_output(n, dt, &out);
}

/* Pack's kernel. */
static int k_pack(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    return tfg_k_stack((const tfg_tensor *const *)in, n->ninputs, (int)n->attr.i[0], out, err);
}

/* ---- Fill, Range, ZerosLike, OnesLike ---------------------------------------------------- */

/* Fill: inputs (dims, value); the dtype is value's. */
static int infer_fill(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "dims", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 0, 1, err) || tfg_ops_check_rank(n, 1, 0, err)) return -1;
    tfg_shape out;
    bool partial;
    if (tfg_ops_shape_input(n, 0, &out, &partial, err)) return -1;
    const tfg_tensor *dims = tfg_ops_const_value(n->inputs[0]);
    if (dims)
        for (int64_t k = 0; k < dims->size; k++)
            if (tfg_tensor_get_i(dims, k) < 0)
                return tfg_ops_shape_error_with(err, n, 0, 1u, "Fill dimensions must be >= 0");
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 1), &out);
}

/* Fill's kernel. */
static int k_fill(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    (void)n;
    int64_t dims[TFG_MAX_RANK];
    int rank;
    if (tfg_ops_read_dims(in[0], dims, &rank, err)) return -1;
    if (in[1]->size != 1)
        return tfg_error_set(err, "value must be a scalar, got %" PRId64 " elements",
                             in[1]->size);
    return tfg_k_fill(in[1]->dtype, rank, dims, in[1], out, err);
}

/* The dtype of Range: the widest of its inputs' in TF's hierarchy int32 <
 * int64 < float32 < float64 (tf.range casts to it). */
static tfg_dtype range_dtype(const tfg_node *n)
{
    static const tfg_dtype order[] = { TFG_INT32, TFG_INT64, TFG_FLOAT32, TFG_FLOAT64 };
    int best = 0;
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++)
            if (tfg_ops_in_dtype(n, i) == order[k] && k > best) best = k;
    return order[best];
}

/* Writes a Range bound for messages: integer or %g by dtype. */
static void range_value_str(char *buf, size_t sz, tfg_dtype dt, double v)
{
    if (tfg_dtype_is_int(dt)) snprintf(buf, sz, "%" PRId64, (int64_t)v);
    else snprintf(buf, sz, "%g", v);
}

/* Number of elements of a range (checked bounds), computed in dt as TF does. */
static int64_t range_size(tfg_dtype dt, double start, double limit, double delta)
{
    if (tfg_dtype_is_int(dt)) {
        int64_t s = (int64_t)start, l = (int64_t)limit, d = (int64_t)delta;
        int64_t ad = d < 0 ? -d : d, span = l > s ? l - s : s - l;
        return (span + ad - 1) / ad;
    }
    if (dt == TFG_FLOAT32)
        return (int64_t)ceilf(fabsf(((float)limit - (float)start) / (float)delta));
    return (int64_t)ceil(fabs((limit - start) / delta));
}

/* Checks Range's bounds; -1 with TF's message (suffix added by the caller). */
static int range_check(tfg_dtype dt, double start, double limit, double delta, char *msg,
                       size_t sz)
{
    char a[48], b[48];
    range_value_str(a, sizeof a, dt, start);
    range_value_str(b, sizeof b, dt, limit);
    if (delta == 0) {
        snprintf(msg, sz, "Requires delta != 0");
        return -1;
    }
    if (delta > 0 && start > limit) {
        snprintf(msg, sz, "Requires start <= limit when delta > 0: %s/%s", a, b);
        return -1;
    }
    if (delta < 0 && start < limit) {
        snprintf(msg, sz, "Requires start >= limit when delta < 0: %s/%s", a, b);
        return -1;
    }
    return 0;
}

/* Range: inputs (start, limit, delta), scalars of int32/int64/float32/float64
 * (mixed dtypes are cast to the widest, as tf.range does). */
static int infer_range(tfg_node *n, tfg_error *err)
{
    static const char *const names[3] = { "start", "limit", "delta" };
    static const unsigned allowed = TFG_DTS_SIGNED;
    double v[3];
    bool all_const = true;
    for (int i = 0; i < 3; i++) {
        if (tfg_ops_check_dtype(n, i, names[i], allowed, err)) return -1;
        int r = tfg_ops_in_shape(n, i)->rank;
        if (r > 0)
            return tfg_ops_shape_error(err, n, "Shape must be rank 0 but is rank %d for '%s'", r,
                                       names[i]);
        const tfg_tensor *t = tfg_ops_const_value(n->inputs[i]);
        if (t && t->size == 1) v[i] = tfg_tensor_get_f(t, 0);
        else all_const = false;
    }
    tfg_dtype dt = range_dtype(n);
    tfg_shape out = tfg_shape_make(1, NULL);
    if (all_const) {
        char msg[256];
        if (range_check(dt, v[0], v[1], v[2], msg, sizeof msg))
            return tfg_ops_shape_error_with(err, n, 7u, 0, "%s", msg);
        out.dim[0] = range_size(dt, v[0], v[1], v[2]);
    }
    return tfg_ops_set_output(n, dt, &out);
}

/* Range's kernel: checks the bounds with TF's runtime wording, then tfg_k_range. */
static int k_range(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                   tfg_error *err)
{
    (void)x;
    double v[3];
    for (int i = 0; i < 3; i++) {
        if (in[i]->size != 1)
            return tfg_error_set(err, "%s must be a scalar, not shape of %" PRId64 " elements",
                                 i == 0 ? "start" : i == 1 ? "limit" : "delta", in[i]->size);
        v[i] = tfg_tensor_get_f(in[i], 0);
    }
    tfg_dtype dt = n->out_dtype[0];
    if ((v[2] == 0) | (v[2] > 0 && v[0] > v[1]) | (v[2] < 0 && v[0] < v[1])) {
        char msg[256];
        range_check(dt, v[0], v[1], v[2], msg, sizeof msg);
        if (v[2] == 0) return tfg_error_set(err, "%s: 0", msg);
        return tfg_error_set(err, "%s", msg);
    }
    return tfg_k_range(v[0], v[1], v[2], dt, out, err);
}

/* ZerosLike / OnesLike: input (x); same dtype and shape. */
static int infer_like(tfg_node *n, tfg_error *err)
{
    return infer_identity(n, err);
}

/* ZerosLike's kernel: a new (zeroed) tensor of x's dtype and shape. */
static int k_zeros_like(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                        tfg_error *err)
{
    (void)x;
    (void)n;
    *out = tfg_tensor_new(in[0]->dtype, in[0]->rank, in[0]->shape, err);
    return *out ? 0 : -1;
}

/* OnesLike's kernel. */
static int k_ones_like(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                       tfg_error *err)
{
    (void)x;
    (void)n;
    tfg_tensor *t = tfg_tensor_new(in[0]->dtype, in[0]->rank, in[0]->shape, err);
    if (!t) return -1;
    int64_t sz = t->size;
    switch (t->dtype) {
    case TFG_FLOAT32: for (int64_t i = 0; i < sz; i++) ((float *)t->data)[i] = 1.0f; break;
    case TFG_FLOAT64: for (int64_t i = 0; i < sz; i++) ((double *)t->data)[i] = 1.0; break;
    case TFG_INT32: for (int64_t i = 0; i < sz; i++) ((int32_t *)t->data)[i] = 1; break;
    case TFG_INT64: for (int64_t i = 0; i < sz; i++) ((int64_t *)t->data)[i] = 1; break;
    default: memset(t->data, 1, (size_t)sz); break;   /* bool, uint8 */
    }
    *out = t;
    return 0;
}

/* ---- Shape, Size, Rank -------------------------------------------------------------------- */

/* Shape/Size's out_type: attr dtype int64, else int32. */
static tfg_dtype index_out_dtype(const tfg_node *n)
{
    return n->attr.dtype == TFG_INT64 ? TFG_INT64 : TFG_INT32;
}

/* Shape: input (input); a vector of its rank. */
static int infer_shape(tfg_node *n, tfg_error *err)
{
    (void)err;
    int r = tfg_ops_in_shape(n, 0)->rank;
    int64_t d = r;
    tfg_shape out = tfg_shape_make(1, &d);
    return tfg_ops_set_output(n, index_out_dtype(n), &out);
}

/* Shape's kernel. */
static int k_shape(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                   tfg_error *err)
{
    (void)x;
    int64_t r = in[0]->rank;
    tfg_tensor *t = tfg_tensor_new(index_out_dtype(n), 1, &r, err);
    if (!t) return -1;
    for (int i = 0; i < in[0]->rank; i++) tfg_tensor_set_i(t, i, in[0]->shape[i]);
    *out = t;
    return 0;
}

/* Size: input (input); a scalar. */
static int infer_size(tfg_node *n, tfg_error *err)
{
    (void)err;
    tfg_shape s = tfg_shape_scalar();
    return tfg_ops_set_output(n, index_out_dtype(n), &s);
}

/* Size's kernel. */
static int k_size(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    *out = tfg_tensor_scalar_i(index_out_dtype(n), in[0]->size, err);
    return *out ? 0 : -1;
}

/* Rank: input (input); an int32 scalar. */
static int infer_rank(tfg_node *n, tfg_error *err)
{
    (void)err;
    tfg_shape s = tfg_shape_scalar();
    return tfg_ops_set_output(n, TFG_INT32, &s);
}

/* Rank's kernel. */
static int k_rank(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    (void)n;
    *out = tfg_tensor_scalar_i(TFG_INT32, in[0]->rank, err);
    return *out ? 0 : -1;
}

/* ---- OneHot ------------------------------------------------------------------------------ */

/* OneHot: inputs (indices, depth, on_value, off_value), attr i[0] = axis (-1 = last). */
static int infer_one_hot(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 0, "indices", TFG_DT_BIT(TFG_UINT8) | TFG_DTS_INDEX, err))
        return -1;
    tfg_dtype dd = tfg_ops_in_dtype(n, 1), don = tfg_ops_in_dtype(n, 2),
              doff = tfg_ops_in_dtype(n, 3);
    if (dd != TFG_INT32) return tfg_ops_type_expected(err, n, "depth", dd, TFG_INT32);
    if (doff != don) return tfg_ops_type_mismatch(err, n, "off_value", doff, "on_value", don);
    int64_t axis = n->attr.i[0];
    if (axis < -1) return tfg_ops_shape_error(err, n, "axis must be >= -1");
    for (int i = 1; i < 4; i++)
        if (tfg_ops_check_rank(n, i, 0, err)) return -1;
    int64_t depth = -1;
    if (tfg_ops_const_int(n, 1, &depth) && depth < 0)
        return tfg_ops_shape_error_with(err, n, 1u << 1, 0,
                                        "Dimension size, given by scalar input 1, must be "
                                        "non-negative but is %" PRId64,
                                        depth);
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    tfg_shape out = tfg_shape_unknown();
    if (in->rank >= 0) {
        int nr = in->rank + 1;
        if (nr > TFG_MAX_RANK)
            return tfg_ops_shape_error(err, n, "Rank of the result exceeds %d", TFG_MAX_RANK);
        int at = (int)((axis + nr) % nr);
        out = tfg_shape_scalar();
        out.rank = nr;
        for (int d = 0, k = 0; d < nr; d++) out.dim[d] = d == at ? depth : in->dim[k++];
    }
    return tfg_ops_set_output(n, don, &out);
}

/* OneHot's kernel. */
static int k_one_hot(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                     tfg_error *err)
{
    (void)x;
    if (in[1]->size != 1 || in[2]->size != 1 || in[3]->size != 1)
        return tfg_error_set(err, "depth, on_value and off_value must be scalars");
    int64_t depth = tfg_tensor_get_i(in[1], 0);
    if (depth < 0) return tfg_error_set(err, "depth must be non-negative, got: %" PRId64, depth);
    int nr = in[0]->rank + 1;
    int at = (int)((n->attr.i[0] + nr) % nr);
    return tfg_k_one_hot(in[0], depth, tfg_tensor_get_f(in[2], 0), tfg_tensor_get_f(in[3], 0),
                         at, in[2]->dtype, out, err);
}

/* ---- Tile, GatherV2, SelectV2 ---------------------------------------------------------------- */

/* Tile: inputs (input, multiples). */
static int infer_tile(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "multiples", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 1, 1, err)) return -1;
    tfg_shape mult;
    if (tfg_ops_shape_input(n, 1, &mult, NULL, err)) return -1;
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    if (in->rank < 0) {
        tfg_shape out = tfg_shape_make(mult.rank, NULL);
        return tfg_ops_set_output(n, dt, &out);
    }
    if (mult.rank >= 0 && mult.rank != in->rank)
        return tfg_ops_shape_error(err, n, "Shape must be rank %d but is rank %d", in->rank,
                                   mult.rank);
    tfg_shape out = tfg_shape_make(in->rank, NULL);
    for (int d = 0; d < in->rank && mult.rank >= 0; d++)
        if (in->dim[d] >= 0 && mult.dim[d] >= 0) out.dim[d] = in->dim[d] * mult.dim[d];
    return tfg_ops_set_output(n, dt, &out);
}

/* Tile's kernel: checks multiples as TF's TileOp, then tfg_k_tile. */
static int k_tile(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    (void)n;
    int64_t m[TFG_MAX_RANK];
    int nm;
    if (in[1]->size != in[0]->rank)
        return tfg_error_set(err,
                             "Expected multiples argument to be a vector of length %d but got "
                             "length %" PRId64,
                             in[0]->rank, in[1]->size);
    if (tfg_ops_read_ints(in[1], m, TFG_MAX_RANK, &nm, "multiples", err)) return -1;
    for (int i = 0; i < nm; i++)
        if (m[i] < 0)
            return tfg_error_set(err, "Expected multiples[%d] >= 0, but got %" PRId64, i, m[i]);
    return tfg_k_tile(in[0], m, out, err);
}

/* GatherV2: inputs (params, indices, axis). */
static int infer_gather(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "indices", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_dtype(n, 2, "axis", TFG_DTS_INDEX, err)) return -1;
    if (tfg_ops_check_rank(n, 2, 0, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    const tfg_shape *p = tfg_ops_in_shape(n, 0), *ix = tfg_ops_in_shape(n, 1);
    int64_t axis;
    tfg_shape out = tfg_shape_unknown();
    if (!tfg_ops_const_int(n, 2, &axis)) {
        if (p->rank >= 0 && ix->rank >= 0 && p->rank + ix->rank - 1 <= TFG_MAX_RANK)
            out = tfg_shape_make(p->rank + ix->rank - 1, NULL);
        return tfg_ops_set_output(n, dt, &out);
    }
    int64_t min_rank = axis < 0 ? -axis : axis + 1;
    if (p->rank >= 0 && p->rank < min_rank)
        return tfg_ops_shape_error_with(err, n, 1u << 2, 0,
                                        "Shape must be at least rank %" PRId64 " but is rank %d",
                                        min_rank, p->rank);
    if (p->rank < 0 || ix->rank < 0) return tfg_ops_set_output(n, dt, &out);
    int ax = (int)(axis < 0 ? axis + p->rank : axis);
    if (p->rank + ix->rank - 1 > TFG_MAX_RANK)
        return tfg_ops_shape_error(err, n, "Rank of the result exceeds %d", TFG_MAX_RANK);
    out = tfg_shape_scalar();
    for (int d = 0; d < ax; d++) out.dim[out.rank++] = p->dim[d];
    for (int d = 0; d < ix->rank; d++) out.dim[out.rank++] = ix->dim[d];
    for (int d = ax + 1; d < p->rank; d++) out.dim[out.rank++] = p->dim[d];
    return tfg_ops_set_output(n, dt, &out);
}

/* GatherV2's kernel: checks the axis as TF's GatherOp, then tfg_k_gather. */
static int k_gather(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    (void)x;
    (void)n;
    if (in[2]->size != 1) return tfg_error_set(err, "axis must be scalar");
    int64_t axis = tfg_tensor_get_i(in[2], 0);
    int r = in[0]->rank;
    if (axis < -r || axis >= r)
        return tfg_error_set(err, "Expected axis in the range [%d, %d), but got %" PRId64, -r, r,
                             axis);
    return tfg_k_gather(in[0], in[1], (int)(axis < 0 ? axis + r : axis), out, err);
}

/* SelectV2: inputs (condition, t, e), all three broadcast (tf.where with x and y). */
static int infer_select(tfg_node *n, tfg_error *err)
{
    tfg_dtype dc = tfg_ops_in_dtype(n, 0), dt = tfg_ops_in_dtype(n, 1), de = tfg_ops_in_dtype(n, 2);
    if (dc != TFG_BOOL) return tfg_ops_type_expected(err, n, "condition", dc, TFG_BOOL);
    if (de != dt) return tfg_ops_type_mismatch(err, n, "e", de, "t", dt);
    tfg_shape other, out;
    if (tfg_ops_broadcast(n, tfg_ops_in_shape(n, 1), tfg_ops_in_shape(n, 2), &other, err) ||
        tfg_ops_broadcast(n, tfg_ops_in_shape(n, 0), &other, &out, err))
        return -1;
    return tfg_ops_set_output(n, dt, &out);
}

/* SelectV2's kernel. */
static int k_select(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    (void)x;
    (void)n;
    return tfg_k_select(in[0], in[1], in[2], out, err);
}

/* Select (TF1's tf.where(condition, x, y)): inputs (condition, t, e); t and e
 * share one shape; condition is a scalar, the same shape, or a vector
 * selecting along the first dimension (TF's Select shape function). */
static int infer_select_v1(tfg_node *n, tfg_error *err)
{
    tfg_dtype dc = tfg_ops_in_dtype(n, 0), dt = tfg_ops_in_dtype(n, 1), de = tfg_ops_in_dtype(n, 2);
    if (dc != TFG_BOOL) return tfg_ops_type_expected(err, n, "condition", dc, TFG_BOOL);
    if (de != dt) return tfg_ops_type_mismatch(err, n, "e", de, "t", dt);
    tfg_shape data;
    char msg[512];
    if (tfg_ops_merge(tfg_ops_in_shape(n, 1), tfg_ops_in_shape(n, 2), &data, msg, sizeof msg))
        return tfg_ops_shape_error(err, n, "%s", msg);
    const tfg_shape *cond = tfg_ops_in_shape(n, 0);
    if (cond->rank < 0 || data.rank < 0 || cond->rank == 0)
        return tfg_ops_set_output(n, dt, &data);
    int rc = 0;
    if (cond->rank != 1 || data.rank == 0) {
        rc = tfg_ops_merge(&data, cond, &data, msg, sizeof msg);
    } else {
        tfg_shape first = tfg_shape_make(1, data.dim), merged;
        rc = tfg_ops_merge(cond, &first, &merged, msg, sizeof msg);
        if (rc == 0 && data.dim[0] < 0) data.dim[0] = merged.dim[0];
    }
    if (rc) return tfg_ops_shape_error(err, n, "%s", msg);
    return tfg_ops_set_output(n, dt, &data);
}

/* Select's kernel: checks the shapes as TF's SelectOp; a vector condition
 * is reshaped to [n,1,...] so that tfg_k_select broadcasts it over rows. */
static int k_select_v1(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                       tfg_error *err)
{
    (void)x;
    const tfg_tensor *c = in[0], *t = in[1], *e = in[2];
    char a[160], b[160];
    if (!tfg_tensor_same_shape(t, e)) {
        tfg_tensor_shape_str(t->rank, t->shape, a, sizeof a);
        tfg_tensor_shape_str(e->rank, e->shape, b, sizeof b);
        return tfg_error_set(err, "'then' and 'else' must have the same size.  but received: %s vs. %s",
                             a, b);
    }
    if (c->rank == 0) {
        *out = tfg_tensor_ref(tfg_tensor_get_i(c, 0) ? in[1] : in[2]);
        return 0;
    }
    if (tfg_tensor_same_shape(c, t)) return tfg_k_select(c, t, e, out, err);
    if (c->rank != 1 || t->rank == 0 || c->shape[0] != t->shape[0]) {
        tfg_tensor_shape_str(c->rank, c->shape, a, sizeof a);
        tfg_tensor_shape_str(t->rank, t->shape, b, sizeof b);
        return tfg_error_set(err,
                             "Inputs to operation %s of type Select must have the same size and "
                             "shape.  Input 0: %s != input 1: %s",
                             n->name, a, b);
    }
    int64_t shape[TFG_MAX_RANK];
    shape[0] = c->shape[0];
    for (int d = 1; d < t->rank; d++) shape[d] = 1;
    tfg_tensor *col;
    if (tfg_k_reshape(c, t->rank, shape, &col, err)) return -1;
    int rc = tfg_k_select(col, t, e, out, err);
    tfg_tensor_unref(col);
    return rc;
}

/* ---- StridedSlice, ExpandDims, Squeeze ------------------------------------------------------- */

/* StridedSlice: input (input); attr slices/nslices (Python basic indexing). */
static int infer_strided_slice(tfg_node *n, tfg_error *err)
{
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    tfg_shape out = tfg_shape_unknown();
    if (in->rank < 0) return tfg_ops_set_output(n, dt, &out);
    int used = 0;
    for (int k = 0; k < n->attr.nslices; k++)
        if (n->attr.slices[k].kind != TFG_SLICE_NEWAXIS) used++;
    if (used > in->rank)
        return tfg_ops_shape_error(err, n,
                                   "Index out of range using input dim %d; input has only %d dims",
                                   in->rank, in->rank);
    tfg_error kerr;
    int64_t dims[TFG_MAX_RANK];
    int rank;
    if (tfg_k_slice_shape(in->rank, in->dim, n->attr.slices, n->attr.nslices, &rank, dims, &kerr))
        return tfg_ops_shape_error(err, n, "%s", kerr.msg);
    out = tfg_shape_make(rank, dims);
    return tfg_ops_set_output(n, dt, &out);
}

/* StridedSlice's kernel. */
static int k_strided_slice(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in,
                           tfg_tensor **out, tfg_error *err)
{
    (void)x;
    return tfg_k_slice(in[0], n->attr.slices, n->attr.nslices, out, err);
}

/* ExpandDims: inputs (input, dim). */
static int infer_expand_dims(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "dim", TFG_DTS_INDEX, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    const tfg_tensor *dt_t = tfg_ops_const_value(n->inputs[1]);
    if (dt_t && dt_t->size != 1)
        return tfg_ops_shape_error_with(err, n, 1u << 1, 0,
                                        "'dim' input must be a tensor with a single value");
    tfg_shape out = tfg_shape_unknown();
    if (!dt_t || in->rank < 0) return tfg_ops_set_output(n, dt, &out);
    int64_t dim = tfg_tensor_get_i(dt_t, 0);
    int r = in->rank;
    if (dim < -r - 1 || dim > r)
        return tfg_ops_shape_error_with(err, n, 1u << 1, 0,
                                        "dim %" PRId64 " not in the interval [%d, %d].", dim,
                                        -r - 1, r);
    if (r + 1 > TFG_MAX_RANK)
        return tfg_ops_shape_error(err, n, "Rank of the result exceeds %d", TFG_MAX_RANK);
    if (dim < 0) dim += r + 1;
    out = tfg_shape_scalar();
    out.rank = r + 1;
    for (int d = 0, k = 0; d < r + 1; d++) out.dim[d] = d == dim ? 1 : in->dim[k++];
    return tfg_ops_set_output(n, dt, &out);
}

/* ExpandDims's kernel: the input reshaped with a 1 inserted. */
static int k_expand_dims(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                         tfg_error *err)
{
    (void)x;
    (void)n;
    if (in[1]->size != 1)
        return tfg_error_set(err, "'dim' must be a tensor with a single value");
    int64_t dim = tfg_tensor_get_i(in[1], 0);
    int r = in[0]->rank;
    if (dim < -r - 1 || dim > r || r + 1 > TFG_MAX_RANK)
        return tfg_error_set(err, "Tried to expand dim index %" PRId64
                                  " for tensor with %d dimensions.",
                             dim, r);
    if (dim < 0) dim += r + 1;
    int64_t shape[TFG_MAX_RANK];
    for (int d = 0, k = 0; d < r + 1; d++) shape[d] = d == dim ? 1 : in[0]->shape[k++];
    return tfg_k_reshape(in[0], r + 1, shape, out, err);
}

/* Squeeze: input (input), attr ints/nints = squeeze_dims (none: every 1). */
static int infer_squeeze(tfg_node *n, tfg_error *err)
{
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    tfg_shape out = tfg_shape_unknown();
    if (in->rank < 0) return tfg_ops_set_output(n, dt, &out);
    int r = in->rank, nd = n->attr.nints > 0 ? n->attr.nints : 0;
    bool explicit_dim[TFG_MAX_RANK] = { false };
    for (int i = 0; i < nd; i++) {
        int64_t d = n->attr.ints[i];
        if (d < -r || d >= r)
            return tfg_ops_shape_error(err, n, "squeeze_dims[%d] not in [%d,%d).", i, -r, r);
        explicit_dim[d < 0 ? d + r : d] = true;
    }
    out = tfg_shape_scalar();
    for (int d = 0; d < r; d++) {
        int64_t v = in->dim[d];
        if (v < 0) {
            if (explicit_dim[d]) continue;
            if (nd == 0) {
                out = tfg_shape_unknown();
                return tfg_ops_set_output(n, dt, &out);
            }
        } else if (v == 1) {
            if (explicit_dim[d] || nd == 0) continue;
        } else if (explicit_dim[d]) {
            return tfg_ops_shape_error(err, n,
                                       "Can not squeeze dim[%d], expected a dimension of 1, got "
                                       "%" PRId64,
                                       d, v);
        }
        out.dim[out.rank++] = v;
    }
    return tfg_ops_set_output(n, dt, &out);
}

/* Squeeze's kernel: the input reshaped without the squeezed dims. */
static int k_squeeze(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                     tfg_error *err)
{
    (void)x;
    int r = in[0]->rank, nd = n->attr.nints > 0 ? n->attr.nints : 0;
    bool explicit_dim[TFG_MAX_RANK] = { false };
    for (int i = 0; i < nd; i++) {
        int64_t d = n->attr.ints[i];
        if (d < -r || d >= r)
            return tfg_error_set(err, "Tried to squeeze dim index %" PRId64
                                      " for tensor with %d dimensions.",
                                 d, r);
        explicit_dim[d < 0 ? d + r : d] = true;
    }
    int64_t shape[TFG_MAX_RANK];
    int nr = 0;
    for (int d = 0; d < r; d++) {
        int64_t v = in[0]->shape[d];
        if (explicit_dim[d] && v != 1)
            return tfg_error_set(err,
                                 "Can not squeeze dim[%d], expected a dimension of 1, got %" PRId64,
                                 d, v);
        if (v == 1 && (explicit_dim[d] || nd == 0)) continue;
        shape[nr++] = v;
    }
    return tfg_k_reshape(in[0], nr, shape, out, err);
}

/* ---- the table ---------------------------------------------------------------------------------- */

const tfg_opdef tfg_ops_array[] = {
    { "Const", 0, 0, infer_const, { k_const, NULL }, NULL,
      "a constant tensor; attr value (tf.constant)" },
    { "Placeholder", 0, 0, infer_placeholder, { k_placeholder, NULL }, NULL,
      "a value fed at run time; attrs dtype, shape (tf.placeholder)" },
    { "PlaceholderWithDefault", 1, 0, infer_placeholder_with_default, { k_identity, NULL }, NULL,
      "its input unless fed; attr shape (tf.placeholder_with_default)" },
    { "Identity", 1, 0, infer_identity, { k_identity, NULL }, NULL,
      "its input unchanged (tf.identity)" },
    { "Cast", 1, 0, infer_cast, { k_cast, NULL }, NULL,
      "converts to attr dtype as numpy astype (tf.cast, tf.to_float)" },
    { "Reshape", 2, 0, infer_reshape, { k_reshape, NULL }, NULL,
      "same data in a new shape; one -1 is inferred (tf.reshape)" },
    { "Transpose", 2, 0, infer_transpose, { k_transpose, NULL }, NULL,
      "permutes the dimensions by perm (tf.transpose)" },
    { "ConcatV2", 2, TFG_OPF_VARIADIC, infer_concat, { k_concat, NULL }, NULL,
      "joins values along axis; inputs values..., axis (tf.concat)" },
    { "Pack", 1, TFG_OPF_VARIADIC, infer_pack, { k_pack, NULL }, NULL,
      "stacks values along a new axis; attr i[0] axis (tf.stack, tf.pack)" },
    { "Fill", 2, 0, infer_fill, { k_fill, NULL }, NULL,
      "a tensor of shape dims filled with value (tf.fill, tf.zeros, tf.ones)" },
    { "Range", 3, 0, infer_range, { k_range, NULL }, NULL,
      "start, start + delta, ... up to limit (tf.range)" },
    { "Shape", 1, 0, infer_shape, { k_shape, NULL }, NULL,
      "the shape of its input, int32 (tf.shape)" },
    { "Size", 1, 0, infer_size, { k_size, NULL }, NULL,
      "the number of elements of its input, int32 (tf.size)" },
    { "Rank", 1, 0, infer_rank, { k_rank, NULL }, NULL,
      "the number of dimensions of its input, int32 (tf.rank)" },
    { "ZerosLike", 1, 0, infer_like, { k_zeros_like, NULL }, NULL,
      "zeros of the input's dtype and shape (tf.zeros_like)" },
    { "OnesLike", 1, 0, infer_like, { k_ones_like, NULL }, NULL,
      "ones of the input's dtype and shape (tf.ones_like)" },
    { "OneHot", 4, 0, infer_one_hot, { k_one_hot, NULL }, NULL,
      "one-hot vectors of indices; attr i[0] axis (tf.one_hot)" },
    { "Tile", 2, 0, infer_tile, { k_tile, NULL }, NULL,
      "repeats the input multiples times per dimension (tf.tile)" },
    { "GatherV2", 3, 0, infer_gather, { k_gather, NULL }, NULL,
      "slices of params at indices along axis (tf.gather)" },
    { "SelectV2", 3, 0, infer_select, { k_select, NULL }, NULL,
      "t where condition else e, broadcasting (tf.where)" },
    { "Select", 3, 0, infer_select_v1, { k_select_v1, NULL }, NULL,
      "t where condition else e; vector condition picks rows (tf.compat.v1.where)" },
    { "StridedSlice", 1, 0, infer_strided_slice, { k_strided_slice, NULL }, NULL,
      "Python indexing x[1, 0:2, ::-1]; attr slices (tensor[...])" },
    { "ExpandDims", 2, 0, infer_expand_dims, { k_expand_dims, NULL }, NULL,
      "inserts a dimension of 1 at dim (tf.expand_dims)" },
    { "Squeeze", 1, 0, infer_squeeze, { k_squeeze, NULL }, NULL,
      "removes dimensions of 1; attr ints squeeze_dims (tf.squeeze)" },
};
const int tfg_ops_array_count = (int)(sizeof tfg_ops_array / sizeof tfg_ops_array[0]);
