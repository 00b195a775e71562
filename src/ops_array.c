/* ops_array.c — constants, placeholders and shape/data-movement ops
 * (table tfg_ops_array). Inputs and attributes per op are listed in the
 * table's docs and in the comment above each infer function; inputs that TF
 * passes as tensors (shapes, axes, perms) stay inputs, so they can be fed,
 * and each infer function folds them when they are Consts.
 *
 * Kernels read those inputs into stack buffers (no allocation besides the
 * output) and call the runtime/kernels.h functions.
 *
 * Gradients are TF's (array_grad.py) with dense results: Reshape,
 * ExpandDims and Squeeze reshape back, Transpose inverts the permutation,
 * ConcatV2 slices (Slice; constant extents when shapes are static), Pack
 * takes slice i, Tile sums the tiled copies, GatherV2 sums rows back with
 * UnsortedSegmentSum (TF's IndexedSlices made dense as TF densifies them),
 * StridedSlice scatters with StridedSliceGrad, Slice pads and Pad slices,
 * Select/SelectV2 route the gradient by the condition, Cast casts back
 * between float types, Fill sums into its value. ZerosLike, OnesLike, Range
 * and OneHot give None (TF's NotDifferentiable). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "gradients.h"
#include "ops.h"
#include "../runtime/k_grad.h"

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

/* ---- Slice, Pad ------------------------------------------------------------------------------ */

/* Slice: inputs (input, begin, size), begin and size int vectors of one
 * dtype; a size of -1 takes the rest of the dimension (TF's SliceShapeFn). */
static int infer_slice(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "begin", TFG_DTS_INDEX, err)) return -1;
    tfg_dtype db = tfg_ops_in_dtype(n, 1), ds = tfg_ops_in_dtype(n, 2);
    if (ds != db) return tfg_ops_type_mismatch(err, n, "size", ds, "begin", db);
    if (tfg_ops_check_rank(n, 1, 1, err) || tfg_ops_check_rank(n, 2, 1, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    const tfg_shape *in = tfg_ops_in_shape(n, 0);
    const tfg_tensor *begin = tfg_ops_const_value(n->inputs[1]), *size = tfg_ops_const_value(n->inputs[2]);
    tfg_shape out = tfg_shape_make(in->rank, NULL);
    if (!size) return tfg_ops_set_output(n, dt, &out);
    if (size->size > TFG_MAX_RANK || (in->rank >= 0 && size->size != in->rank))
        return tfg_ops_shape_error(err, n, "Shape must be rank %d but is rank %" PRId64, in->rank, size->size);
    if (begin && begin->size != size->size)
        return tfg_ops_shape_error(err, n, "Dimensions must be equal, but are %" PRId64 " and %" PRId64,
                                   begin->size, size->size);
    out = tfg_shape_make((int)size->size, NULL);
    for (int d = 0; d < out.rank; d++) {
        int64_t s = tfg_tensor_get_i(size, d), b = begin ? tfg_tensor_get_i(begin, d) : -1;
        int64_t dim = in->rank >= 0 ? in->dim[d] : -1;
        if (s < -1)
            return tfg_ops_shape_error_with(err, n, 1u << 2, 0, "Expected size[%d] >= -1, but got %" PRId64, d, s);
        if (begin && (b < 0 || (dim >= 0 && b > dim)))
            return tfg_ops_shape_error_with(err, n, 1u << 1, 0,
                                            "Expected begin[%d] in [0, %" PRId64 "], but got %" PRId64, d, dim, b);
        if (begin && dim >= 0 && s > dim - b)
            return tfg_ops_shape_error_with(err, n, 3u << 1, 0,
                                            "Expected size[%d] in [0, %" PRId64 "], but got %" PRId64, d, dim - b, s);
        out.dim[d] = s >= 0 ? s : (begin && dim >= 0) ? dim - b : -1;
    }
    return tfg_ops_set_output(n, dt, &out);
}

/* Slice's kernel: TF's checks, then the slice as basic indexing. */
static int k_slice(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    const tfg_tensor *t = in[0];
    int r = t->rank;
    if (in[1]->rank != 1 || in[2]->rank != 1 || in[1]->size != r || in[2]->size != r) {
        char sb[64], ss[64];
        tfg_tensor_shape_str(in[1]->rank, in[1]->shape, sb, sizeof sb);
        tfg_tensor_shape_str(in[2]->rank, in[2]->shape, ss, sizeof ss);
        return tfg_error_set(err,
                             "Expected begin and size arguments to be 1-D tensors of size %d, but got shapes %s "
                             "and %s instead.",
                             r, sb, ss);
    }
    tfg_slice_spec spec[TFG_MAX_RANK];
    for (int d = 0; d < r; d++) {
        int64_t b = tfg_tensor_get_i(in[1], d), s = tfg_tensor_get_i(in[2], d), dim = t->shape[d];
        if (b < 0 || b > dim)
            return tfg_error_set(err, "Expected begin[%d] in [0, %" PRId64 "], but got %" PRId64, d, dim, b);
        if (s == -1) s = dim - b;
        if (s < 0 || s > dim - b)
            return tfg_error_set(err, "Expected size[%d] in [0, %" PRId64 "], but got %" PRId64, d, dim - b, s);
        spec[d] = (tfg_slice_spec){ TFG_SLICE_RANGE, 0, true, true, b, b + s, 1 };
    }
    return tfg_k_slice(t, spec, r, out, err);
}

/* Pad: inputs (input, paddings), paddings an int [rank, 2] matrix (TF's PadShapeFn). */
static int infer_pad(tfg_node *n, tfg_error *err)
{
    if (tfg_ops_check_dtype(n, 1, "paddings", TFG_DTS_INDEX, err) || tfg_ops_check_rank(n, 1, 2, err)) return -1;
    tfg_dtype dt = tfg_ops_in_dtype(n, 0);
    const tfg_shape *in = tfg_ops_in_shape(n, 0), *ps = tfg_ops_in_shape(n, 1);
    if (ps->rank == 2 && ps->dim[1] >= 0 && ps->dim[1] != 2)
        return tfg_ops_shape_error(err, n, "Dimension must be 2 but is %" PRId64, ps->dim[1]);
    int rank = in->rank;
    if (ps->rank == 2 && ps->dim[0] >= 0) {
        if (rank >= 0 && ps->dim[0] != rank)
            return tfg_ops_shape_error(err, n, "Shape must be rank %" PRId64 " but is rank %d", ps->dim[0], rank);
        if (ps->dim[0] > TFG_MAX_RANK)
            return tfg_ops_shape_error(err, n, "Rank of the result exceeds %d", TFG_MAX_RANK);
        rank = (int)ps->dim[0];
    }
    tfg_shape out = tfg_shape_make(rank, NULL);
    const tfg_tensor *p = tfg_ops_const_value(n->inputs[1]);
    for (int d = 0; p && d < rank; d++) {
        int64_t b = tfg_tensor_get_i(p, 2 * d), a = tfg_tensor_get_i(p, 2 * d + 1);
        if (b < 0 || a < 0)
            return tfg_ops_shape_error_with(err, n, 1u << 1, 0, "Paddings must be non-negative: %" PRId64 " %" PRId64,
                                            b, a);
        if (in->rank >= 0 && in->dim[d] >= 0) out.dim[d] = in->dim[d] + b + a;
    }
    return tfg_ops_set_output(n, dt, &out);
}

/* Pad's kernel: checks paddings' shape as TF's PadOp, then tfg_k_pad. */
static int k_pad(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out, tfg_error *err)
{
    (void)x;
    (void)n;
    const tfg_tensor *p = in[1];
    if (p->rank != 2 || p->shape[1] != 2) {
        char sp[64];
        tfg_tensor_shape_str(p->rank, p->shape, sp, sizeof sp);
        return tfg_error_set(err, "paddings must be a matrix with 2 columns: %s", sp);
    }
    if (p->shape[0] != in[0]->rank) {
        char sx[160], sp[64];
        tfg_tensor_shape_str(in[0]->rank, in[0]->shape, sx, sizeof sx);
        tfg_tensor_shape_str(p->rank, p->shape, sp, sizeof sp);
        return tfg_error_set(err, "The first dimension of paddings must be the rank of inputs%s %s", sp, sx);
    }
    int64_t pads[TFG_MAX_RANK][2];
    for (int d = 0; d < in[0]->rank; d++) {
        pads[d][0] = tfg_tensor_get_i(p, 2 * d);
        pads[d][1] = tfg_tensor_get_i(p, 2 * d + 1);
    }
    return tfg_k_pad(in[0], (const int64_t (*)[2])pads, out, err);
}

/* ---- gradients -------------------------------------------------------------------------------- */

#include "grad_build.h"

/* An int32 scalar Const. */
static tfg_endpoint iscalar(gb *b, int64_t v)
{
    return ep(tfg_grad_scalar(b->g, TFG_INT32, (double)v, NULL, b->loc, b->err));
}

/* An int32 [rows, 2] matrix Const (paddings). */
static tfg_endpoint imat2(gb *b, const int64_t (*v)[2], int rows)
{
    int64_t sh[2] = { rows, 2 };
    tfg_tensor *t = tfg_tensor_new(TFG_INT32, 2, sh, b->err);
    if (!t) return ep(NULL);
    for (int i = 0; i < 2 * rows; i++) tfg_tensor_set_i(t, i, v[i / 2][i % 2]);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.value = t;
    at.dtype = TFG_INT32;
    tfg_node *c = tfg_grad_add(b->g, "Const", "Const", NULL, 0, &at, b->loc, b->err);
    tfg_tensor_unref(t);
    return ep(c);
}

/* The static shape of an endpoint. */
static const tfg_shape *shp(tfg_endpoint e)
{
    return &e.node->out_shape[e.index];
}

/* The shape of x: a Const when static, else a Shape node. */
static tfg_endpoint shape_of(gb *b, tfg_endpoint x)
{
    return x.node ? ep(tfg_grad_shape_of(b->g, x, b->loc, b->err)) : x;
}

/* Cast(x) to dt (x itself when it has that dtype). */
static tfg_endpoint cast(gb *b, tfg_endpoint x, tfg_dtype dt)
{
    if (!x.node || x.node->out_dtype[x.index] == dt) return x;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = dt;
    return op(b, "Cast", &at, 1, x);
}

/* Dims [from, to) of x's shape as an int32 vector: a Const when they are
 * static, else a StridedSlice of Shape(x). */
static tfg_endpoint shape_part(gb *b, tfg_endpoint x, int from, int to)
{
    const tfg_shape *s = shp(x);
    bool known = true;
    for (int d = from; d < to; d++) known = known && s->dim[d] >= 0;
    if (known) return ivec(b, s->dim + from, to - from);
    tfg_slice_spec sp = { TFG_SLICE_RANGE, 0, true, true, from, to, 1 };
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.slices = &sp;
    at.nslices = 1;
    return op(b, "StridedSlice", &at, 1, shape_of(b, x));
}

/* The shape to reshape a gradient back to x's: TF's -1 for a single unknown
 * dimension (no data dependency), else shape_of. */
static tfg_endpoint reshape_target(gb *b, tfg_endpoint x)
{
    const tfg_shape *s = shp(x);
    if (s->rank >= 0 && !tfg_shape_fully_defined(s)) {
        int unknown = 0;
        bool zero = false;
        for (int d = 0; d < s->rank; d++) {
            unknown += s->dim[d] < 0;
            zero = zero || s->dim[d] == 0;
        }
        if (unknown == 1 && !zero) return ivec(b, s->dim, s->rank);
    }
    return shape_of(b, x);
}

/* Sets grad_in[0] to g and the other inputs' gradients to None; -1 when
 * building g failed. */
static int set_first(const tfg_node *n, tfg_endpoint g, tfg_endpoint *grad_in)
{
    for (int i = 1; i < n->ninputs; i++) grad_in[i] = ep(NULL);
    grad_in[0] = g;
    return g.node ? 0 : -1;
}

/* Identity, PlaceholderWithDefault: the gradient passes through. */
static int grad_identity(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                         tfg_error *err)
{
    (void)g;
    (void)err;
    return set_first(n, grad_out[0], grad_in);
}

/* ZerosLike, OnesLike, Range, OneHot (TF's NotDifferentiable): None. */
static int grad_none(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    (void)g;
    (void)grad_out;
    (void)err;
    for (int i = 0; i < n->ninputs; i++) grad_in[i] = ep(NULL);
    return 0;
}

/* Cast: the gradient cast back between float types; None to or from others. */
static int grad_cast(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_dtype src = tfg_ops_in_dtype(n, 0), dst = n->out_dtype[0];
    if (!tfg_dtype_is_float(src) || !tfg_dtype_is_float(dst)) return grad_none(g, n, grad_out, grad_in, err);
    return set_first(n, cast(&b, grad_out[0], src), grad_in);
}

/* Reshape, ExpandDims, Squeeze: the gradient reshaped to the input's shape. */
static int grad_reshape(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                        tfg_error *err)
{
    gb b = { g, n->loc, err };
    return set_first(n, bin(&b, "Reshape", grad_out[0], reshape_target(&b, n->inputs[0])), grad_in);
}

/* Transpose: the gradient transposed by the inverse permutation (a Const
 * when perm is one, else InvertPermutation). */
static int grad_transpose(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                          tfg_error *err)
{
    gb b = { g, n->loc, err };
    const tfg_tensor *perm = tfg_ops_const_value(n->inputs[1]);
    tfg_endpoint inv;
    if (perm && perm->size <= TFG_MAX_RANK) {
        int64_t v[TFG_MAX_RANK];
        int r = (int)perm->size;
        for (int i = 0; i < r; i++) {
            int64_t p = tfg_tensor_get_i(perm, i);
            v[p < 0 ? p + r : p] = i;
        }
        inv = ivec(&b, v, r);
    } else {
        inv = un(&b, "InvertPermutation", n->inputs[1]);
    }
    return set_first(n, bin(&b, "Transpose", grad_out[0], inv), grad_in);
}

/* ConcatV2: the gradient sliced into the inputs' extents along the axis —
 * constant begins and sizes when every shape is static, else sizes from
 * Shape and begins as running offsets times a one-hot of the axis. */
static int grad_concat(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                       tfg_error *err)
{
    gb b = { g, n->loc, err };
    int nv = n->ninputs - 1, r = -1;
    tfg_endpoint gr = grad_out[0];
    grad_in[nv] = ep(NULL);
    if (nv == 1) {
        grad_in[0] = gr;
        return 0;
    }
    for (int i = 0; i < nv; i++)
        if (tfg_ops_in_shape(n, i)->rank >= 0) r = tfg_ops_in_shape(n, i)->rank;
    int64_t axis;
    bool axis_static = tfg_ops_const_int(n, nv, &axis) && r >= 0;
    bool all_static = axis_static;
    for (int i = 0; i < nv; i++) all_static = all_static && tfg_shape_fully_defined(tfg_ops_in_shape(n, i));
    int ax = axis_static ? (int)(axis < 0 ? axis + r : axis) : 0;
    if (all_static) {
        int64_t off = 0;
        for (int i = 0; i < nv; i++) {
            const tfg_shape *xs = tfg_ops_in_shape(n, i);
            int64_t begin[TFG_MAX_RANK] = { 0 };
            begin[ax] = off;
            off += xs->dim[ax];
            grad_in[i] = op(&b, "Slice", NULL, 3, gr, ivec(&b, begin, r), ivec(&b, xs->dim, r));
            if (!grad_in[i].node) return -1;
        }
        return 0;
    }
    tfg_endpoint rank = r >= 0 ? iscalar(&b, r) : un(&b, "Rank", n->inputs[0]), axm, mask;
    if (axis_static) {
        int64_t onehot[TFG_MAX_RANK] = { 0 };
        onehot[ax] = 1;
        axm = iscalar(&b, ax);
        mask = ivec(&b, onehot, r);
    } else {
        axm = bin(&b, "FloorMod", cast(&b, n->inputs[nv], TFG_INT32), rank);
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.i[0] = -1;
        mask = op(&b, "OneHot", &at, 4, axm, rank, iscalar(&b, 1), iscalar(&b, 0));
    }
    tfg_endpoint off = iscalar(&b, 0);
    for (int i = 0; i < nv; i++) {
        tfg_endpoint x = n->inputs[i], size = shape_of(&b, x);
        grad_in[i] = op(&b, "Slice", NULL, 3, gr, bin(&b, "Mul", mask, off), size);
        if (!grad_in[i].node) return -1;
        if (i + 1 == nv) break;
        const tfg_shape *xs = shp(x);
        tfg_endpoint dim = axis_static && xs->rank >= 0 && xs->dim[ax] >= 0
                               ? iscalar(&b, xs->dim[ax])
                               : op(&b, "GatherV2", NULL, 3, size, axm, iscalar(&b, 0));
        off = bin(&b, "AddV2", off, dim);
    }
    return 0;
}

/* Pack: input i's gradient is slice i of the gradient along the axis. */
static int grad_pack(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    gb b = { g, n->loc, err };
    for (int i = 0; i < n->ninputs; i++) {
        grad_in[i] = op(&b, "GatherV2", NULL, 3, grad_out[0], iscalar(&b, i), iscalar(&b, n->attr.i[0]));
        if (!grad_in[i].node) return -1;
    }
    return 0;
}

/* Fill: None for the dims, the sum of the gradient for the value. */
static int grad_fill(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint gr = grad_out[0], axes;
    int r = shp(gr)->rank;
    if (r >= 0) {
        int64_t v[TFG_MAX_RANK];
        for (int d = 0; d < r; d++) v[d] = d;
        axes = ivec(&b, v, r);
    } else {
        axes = op(&b, "Range", NULL, 3, iscalar(&b, 0), un(&b, "Rank", gr), iscalar(&b, 1));
    }
    grad_in[0] = ep(NULL);
    grad_in[1] = bin(&b, "Sum", gr, axes);
    return grad_in[1].node ? 0 : -1;
}

/* Tile: the gradient reshaped so that each tiled dimension splits into
 * (multiple, dim) and summed over the multiples — constant shapes without
 * the axes of size 1 when static, TF's interleaved shape otherwise. */
static int grad_tile(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                     tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint x = n->inputs[0], gr = grad_out[0];
    const tfg_shape *xs = shp(x);
    const tfg_tensor *mult = tfg_ops_const_value(n->inputs[1]);
    if (tfg_shape_fully_defined(xs) && mult && mult->size == xs->rank) {
        int64_t split[2 * TFG_MAX_RANK], axes[TFG_MAX_RANK];
        int ns = 0, na = 0;
        for (int d = 0; d < xs->rank; d++) {
            int64_t m = tfg_tensor_get_i(mult, d);
            if (m != 1) {
                axes[na++] = ns;
                split[ns++] = m;
            }
            if (xs->dim[d] != 1) split[ns++] = xs->dim[d];
        }
        if (na == 0) return set_first(n, gr, grad_in);
        if (ns > TFG_MAX_RANK)
            return tfg_error_set(err, "the gradient of tile ('%s') needs more than %d dimensions", n->name,
                                 TFG_MAX_RANK);
        tfg_endpoint s = bin(&b, "Sum", bin(&b, "Reshape", gr, ivec(&b, split, ns)), ivec(&b, axes, na));
        return set_first(n, bin(&b, "Reshape", s, ivec(&b, xs->dim, xs->rank)), grad_in);
    }
    if (xs->rank > TFG_MAX_RANK / 2)
        return tfg_error_set(err, "the gradient of tile ('%s') needs more than %d dimensions", n->name, TFG_MAX_RANK);
    int64_t minus1 = -1, swap[2] = { 1, 0 };
    tfg_endpoint pair = op(&b, "Pack", NULL, 2, cast(&b, n->inputs[1], TFG_INT32), shape_of(&b, x));
    tfg_endpoint split = bin(&b, "Reshape", bin(&b, "Transpose", pair, ivec(&b, swap, 2)), ivec(&b, &minus1, 1));
    tfg_endpoint axes = op(&b, "Range", NULL, 3, iscalar(&b, 0), un(&b, "Size", split), iscalar(&b, 2));
    return set_first(n, bin(&b, "Sum", bin(&b, "Reshape", gr, split), axes), grad_in);
}

/* GatherV2: TF's _GatherV2Grad made dense — the gradient's rows summed into
 * the gathered positions with UnsortedSegmentSum, the gathered axis moved to
 * the front and back for axis > 0. Needs a constant axis. */
static int grad_gather(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                       tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint params = n->inputs[0], gr = grad_out[0];
    const tfg_shape *ps = shp(params);
    int64_t axis, minus1 = -1;
    if (!tfg_ops_const_int(n, 2, &axis) || (axis != 0 && ps->rank < 0))
        return tfg_error_set(err, "the gradient of gather ('%s') needs a constant axis and a known rank", n->name);
    int r = ps->rank;
    if (axis < 0) axis += r;
    int ax = (int)axis;
    tfg_endpoint ids = bin(&b, "Reshape", n->inputs[1], ivec(&b, &minus1, 1));
    tfg_endpoint nseg = r >= 0 && ps->dim[ax] >= 0 ? iscalar(&b, ps->dim[ax])
                                                   : op(&b, "GatherV2", NULL, 3, shape_of(&b, params),
                                                        iscalar(&b, ax), iscalar(&b, 0));
    /* the values' shape: params' with the gathered axis flattened to -1 */
    tfg_endpoint vshape;
    bool static_rest = r >= 0;
    for (int d = 0; d < r; d++) static_rest = static_rest && (d == ax || ps->dim[d] >= 0);
    if (static_rest) {
        int64_t v[TFG_MAX_RANK];
        for (int d = 0; d < r; d++) v[d] = d == ax ? -1 : ps->dim[d];
        vshape = ivec(&b, v, r);
    } else if (r >= 0) {
        vshape = op(&b, "ConcatV2", NULL, 4, shape_part(&b, params, 0, ax), ivec(&b, &minus1, 1),
                    shape_part(&b, params, ax + 1, r), iscalar(&b, 0));
    } else { /* axis 0, unknown rank */
        int64_t from1 = 1;
        tfg_endpoint tail = op(&b, "Slice", NULL, 3, shape_of(&b, params), ivec(&b, &from1, 1), ivec(&b, &minus1, 1));
        vshape = op(&b, "ConcatV2", NULL, 3, ivec(&b, &minus1, 1), tail, iscalar(&b, 0));
    }
    tfg_endpoint values = bin(&b, "Reshape", gr, vshape);
    if (ax == 0) return set_first(n, op(&b, "UnsortedSegmentSum", NULL, 3, values, ids, nseg), grad_in);
    int64_t perm[TFG_MAX_RANK], inv[TFG_MAX_RANK];
    for (int d = 0; d < r; d++) perm[d] = d == 0 ? ax : d <= ax ? d - 1 : d;
    for (int d = 0; d < r; d++) inv[perm[d]] = d;
    tfg_endpoint moved = bin(&b, "Transpose", values, ivec(&b, perm, r));
    tfg_endpoint dense = op(&b, "UnsortedSegmentSum", NULL, 3, moved, ids, nseg);
    return set_first(n, bin(&b, "Transpose", dense, ivec(&b, inv, r)), grad_in);
}

/* SelectV2: the gradient where the condition picks t (else zero) and where
 * it picks e, each summed down to its input's shape. */
static int grad_select_v2(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                          tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint c = n->inputs[0], gr = grad_out[0];
    tfg_endpoint zero = ep(tfg_grad_scalar(g, n->out_dtype[0], 0, NULL, n->loc, err));
    tfg_endpoint gx = op(&b, "SelectV2", NULL, 3, c, gr, zero), gy = op(&b, "SelectV2", NULL, 3, c, zero, gr);
    grad_in[0] = ep(NULL);
    if (!gx.node || !gy.node) return -1;
    if (tfg_grad_unbroadcast(g, gx, n->inputs[1], n->loc, &grad_in[1], err)) return -1;
    return tfg_grad_unbroadcast(g, gy, n->inputs[2], n->loc, &grad_in[2], err);
}

/* Select (TF1's where): the gradient where the condition picks t, and where it picks e. */
static int grad_select(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                       tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint c = n->inputs[0], gr = grad_out[0], zeros = un(&b, "ZerosLike", n->inputs[1]);
    grad_in[0] = ep(NULL);
    grad_in[1] = op(&b, "Select", NULL, 3, c, gr, zeros);
    grad_in[2] = op(&b, "Select", NULL, 3, c, zeros, gr);
    return grad_in[1].node && grad_in[2].node ? 0 : -1;
}

/* StridedSlice: StridedSliceGrad with the same indexing. */
static int grad_strided_slice(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                              tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.slices = n->attr.slices;
    at.nslices = n->attr.nslices;
    return set_first(n, op(&b, "StridedSliceGrad", &at, 2, shape_of(&b, n->inputs[0]), grad_out[0]), grad_in);
}

/* Slice: the gradient padded with zeros back to the input's shape (TF's
 * _SliceGrad; constant paddings when everything is static). */
static int grad_slice(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                      tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint x = n->inputs[0], y = ep(n);
    const tfg_shape *xs = shp(x), *ys = shp(y);
    const tfg_tensor *begin = tfg_ops_const_value(n->inputs[1]);
    tfg_endpoint pads;
    if (tfg_shape_fully_defined(xs) && tfg_shape_fully_defined(ys) && begin) {
        int64_t p[TFG_MAX_RANK][2];
        for (int d = 0; d < xs->rank; d++) {
            p[d][0] = tfg_tensor_get_i(begin, d);
            p[d][1] = xs->dim[d] - ys->dim[d] - p[d][0];
        }
        pads = imat2(&b, (const int64_t (*)[2])p, xs->rank);
    } else {
        int64_t col[2] = { xs->rank, 1 };
        tfg_endpoint shape2 =
            xs->rank >= 0 ? ivec(&b, col, 2) : op(&b, "Pack", NULL, 2, un(&b, "Rank", x), iscalar(&b, 1));
        tfg_endpoint b32 = cast(&b, n->inputs[1], TFG_INT32);
        tfg_endpoint before = bin(&b, "Reshape", b32, shape2);
        tfg_endpoint rest = bin(&b, "Sub", bin(&b, "Sub", shape_of(&b, x), shape_of(&b, y)), b32);
        tfg_endpoint after = bin(&b, "Reshape", rest, shape2);
        pads = op(&b, "ConcatV2", NULL, 3, before, after, iscalar(&b, 1));
    }
    return set_first(n, bin(&b, "Pad", grad_out[0], pads), grad_in);
}

/* Pad: the slice of the gradient where the input lies. */
static int grad_pad(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out, tfg_endpoint *grad_in,
                    tfg_error *err)
{
    gb b = { g, n->loc, err };
    tfg_endpoint x = n->inputs[0];
    const tfg_tensor *p = tfg_ops_const_value(n->inputs[1]);
    tfg_endpoint begin;
    if (p && p->size <= 2 * TFG_MAX_RANK) {
        int64_t v[TFG_MAX_RANK];
        for (int d = 0; d < p->size / 2; d++) v[d] = tfg_tensor_get_i(p, 2 * d);
        begin = ivec(&b, v, (int)(p->size / 2));
    } else {
        int64_t zero2[2] = { 0, 0 }, col[2] = { -1, 1 }, minus1 = -1;
        tfg_endpoint first = op(&b, "Slice", NULL, 3, cast(&b, n->inputs[1], TFG_INT32), ivec(&b, zero2, 2),
                                ivec(&b, col, 2));
        begin = bin(&b, "Reshape", first, ivec(&b, &minus1, 1));
    }
    return set_first(n, op(&b, "Slice", NULL, 3, grad_out[0], begin, shape_of(&b, x)), grad_in);
}

/* ---- the table ---------------------------------------------------------------------------------- */

const tfg_opdef tfg_ops_array[] = {
    { "Const", 0, 0, infer_const, { k_const, NULL }, NULL,
      "a constant tensor; attr value (tf.constant)" },
    { "Placeholder", 0, 0, infer_placeholder, { k_placeholder, NULL }, NULL,
      "a value fed at run time; attrs dtype, shape (tf.placeholder)" },
    { "PlaceholderWithDefault", 1, 0, infer_placeholder_with_default, { k_identity, NULL }, grad_identity,
      "its input unless fed; attr shape (tf.placeholder_with_default)" },
    { "Identity", 1, 0, infer_identity, { k_identity, NULL }, grad_identity,
      "its input unchanged (tf.identity)" },
    { "Cast", 1, 0, infer_cast, { k_cast, NULL }, grad_cast,
      "converts to attr dtype as numpy astype (tf.cast, tf.to_float)" },
    { "Reshape", 2, 0, infer_reshape, { k_reshape, NULL }, grad_reshape,
      "same data in a new shape; one -1 is inferred (tf.reshape)" },
    { "Transpose", 2, 0, infer_transpose, { k_transpose, NULL }, grad_transpose,
      "permutes the dimensions by perm (tf.transpose)" },
    { "ConcatV2", 2, TFG_OPF_VARIADIC, infer_concat, { k_concat, NULL }, grad_concat,
      "joins values along axis; inputs values..., axis (tf.concat)" },
    { "Pack", 1, TFG_OPF_VARIADIC, infer_pack, { k_pack, NULL }, grad_pack,
      "stacks values along a new axis; attr i[0] axis (tf.stack, tf.pack)" },
    { "Fill", 2, 0, infer_fill, { k_fill, NULL }, grad_fill,
      "a tensor of shape dims filled with value (tf.fill, tf.zeros, tf.ones)" },
    { "Range", 3, 0, infer_range, { k_range, NULL }, grad_none,
      "start, start + delta, ... up to limit (tf.range)" },
    { "Shape", 1, 0, infer_shape, { k_shape, NULL }, NULL,
      "the shape of its input, int32 (tf.shape)" },
    { "Size", 1, 0, infer_size, { k_size, NULL }, NULL,
      "the number of elements of its input, int32 (tf.size)" },
    { "Rank", 1, 0, infer_rank, { k_rank, NULL }, NULL,
      "the number of dimensions of its input, int32 (tf.rank)" },
    { "ZerosLike", 1, 0, infer_like, { k_zeros_like, NULL }, grad_none,
      "zeros of the input's dtype and shape (tf.zeros_like)" },
    { "OnesLike", 1, 0, infer_like, { k_ones_like, NULL }, grad_none,
      "ones of the input's dtype and shape (tf.ones_like)" },
    { "OneHot", 4, 0, infer_one_hot, { k_one_hot, NULL }, grad_none,
      "one-hot vectors of indices; attr i[0] axis (tf.one_hot)" },
    { "Tile", 2, 0, infer_tile, { k_tile, NULL }, grad_tile,
      "repeats the input multiples times per dimension (tf.tile)" },
    { "GatherV2", 3, 0, infer_gather, { k_gather, NULL }, grad_gather,
      "slices of params at indices along axis (tf.gather)" },
    { "SelectV2", 3, 0, infer_select, { k_select, NULL }, grad_select_v2,
      "t where condition else e, broadcasting (tf.where)" },
    { "Select", 3, 0, infer_select_v1, { k_select_v1, NULL }, grad_select,
      "t where condition else e; vector condition picks rows (tf.compat.v1.where)" },
    { "StridedSlice", 1, 0, infer_strided_slice, { k_strided_slice, NULL }, grad_strided_slice,
      "Python indexing x[1, 0:2, ::-1]; attr slices (tensor[...])" },
    { "ExpandDims", 2, 0, infer_expand_dims, { k_expand_dims, NULL }, grad_reshape,
      "inserts a dimension of 1 at dim (tf.expand_dims)" },
    { "Squeeze", 1, 0, infer_squeeze, { k_squeeze, NULL }, grad_reshape,
      "removes dimensions of 1; attr ints squeeze_dims (tf.squeeze)" },
    { "Slice", 3, 0, infer_slice, { k_slice, NULL }, grad_slice,
      "the block at begin of extent size, -1 = to the end (tf.slice)" },
    { "Pad", 2, 0, infer_pad, { k_pad, NULL }, grad_pad,
      "zeros around the input, paddings [rank, 2] before/after (tf.pad)" },
};
const int tfg_ops_array_count = (int)(sizeof tfg_ops_array / sizeof tfg_ops_array[0]);
