/* api_np_funcs.c — numpy operations and the np module (part of the api_py
 * module, see api_py_impl.h): reductions, unary ufuncs, rounding, reshape and
 * transpose; the attributes and methods of arrays and the callable dtypes
 * (np.float32(2.5)); the np.* functions and tfg_api_np_lookup.
 */
#include "api_py_impl.h"

/* ======================================================================
 * numpy operations on arrays
 * ====================================================================== */

/* A numpy dtype value: flavour 1 a dtype object (arr.dtype), 2 a scalar type
 * (np.float32); value.c prints each as numpy does (see put_dtype there). */
static tfg_val np_dtype_val(tfg_dtype dt, int flavour)
{
    tfg_val v = tfg_val_dtype(dt);
    v.u.e.index = flavour;
    return v;
}

/* An array element as a Python number value. */
static tfg_val np_elem_val(const tfg_tensor *t, int64_t i)
{
    if (tfg_dtype_is_float(t->dtype))
        return tfg_val_float(tfg_tensor_get_f(t, i));
    if (t->dtype == TFG_BOOL)
        return tfg_val_bool(tfg_tensor_get_i(t, i) != 0);
    return tfg_val_int(tfg_tensor_get_i(t, i));
}

/* A dtype argument (dtype=...): a DTYPE, a name string ("float32"), or the
 * builtins float/int/bool. *dt = -1 when absent (None or not given). */
static int np_dtype_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, int *dt)
{
    *dt = -1;
    switch (v.t) {
    case TFG_V_MISSING:
    case TFG_V_NONE:
        return 0;
    case TFG_V_DTYPE:
        *dt = (int)v.u.i;
        return 0;
    case TFG_V_BUILTIN:
        *dt = tfg_pyapi_builtin_dtype(((const tfg_builtinobj *)v.u.p)->def);
        if (*dt < 0)
            break;
        return 0;
    case TFG_V_STR: {
        static const struct { const char *name; tfg_dtype dt; } names[] = {
            {"float32", TFG_FLOAT32}, {"f4", TFG_FLOAT32}, {"single", TFG_FLOAT32},
            {"float64", TFG_FLOAT64}, {"f8", TFG_FLOAT64}, {"float", TFG_FLOAT64},
            {"double", TFG_FLOAT64},  {"int32", TFG_INT32}, {"i4", TFG_INT32},
            {"int64", TFG_INT64},     {"i8", TFG_INT64},    {"int", TFG_INT64},
            {"bool", TFG_BOOL},       {"?", TFG_BOOL},      {"uint8", TFG_UINT8},
            {"u1", TFG_UINT8},
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(sv(v), names[i].name)) {
                *dt = names[i].dt;
                return 0;
            }
        return tfg_pyapi_error_with_repr(ev, loc, "data type %s not understood", v);
    }
    default:
        break;
    }
    return tfg_pyapi_error_with_repr(ev, loc, "Cannot interpret %s as a data type", v);
}

/* Converts an argument to an array (no copy when it already is one). */
static int np_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, tfg_tensor **out)
{
    return tfg_pyapi_np_from(ev, v, -1, false, loc, out);
}

/* Parses an axis argument: *naxes -1 for all axes; axes normalised and checked. */
static int np_axes(tfg_eval *ev, tfg_val axis, int rank, tfg_loc loc, int *axes, int *naxes)
{
    *naxes = -1;
    if (axis.t == TFG_V_MISSING || axis.t == TFG_V_NONE)
        return 0;
    const tfg_val *items = &axis;
    int count = 1;
    const tfg_list *l = seq_of(axis);
    if (l) {
        items = l->items;
        count = l->n;
    }
    if (count > TFG_MAX_RANK)
        return tfg_eval_error(ev, loc, "too many axes");
    for (int i = 0; i < count; i++) {
        int64_t a = 0;
        if (get_index(ev, items[i], loc, &a))
            return -1;
        if (a < -rank || a >= rank)
            return tfg_eval_error(ev, loc, "axis %" PRId64 " is out of bounds for array of dimension %d",
                                  a, rank);
        if (a < 0)
            a += rank;
        for (int j = 0; j < i; j++)
            if (axes[j] == a)
                return tfg_eval_error(ev, loc, "duplicate value in 'axis'");
        axes[i] = (int)a;
    }
    *naxes = count;
    return 0;
}

/* The reductions of numpy. */
typedef enum { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_ALL, R_ANY, R_ARGMAX, R_ARGMIN } np_red;

/* Each reduction's name as a method and a function (np.amax is np.max), its
 * name in numpy's messages, and whether it takes dtype=. */
static const struct {
    const char *name, *ufunc;
    bool dtype;
} reductions[] = {
    [R_SUM] = {"sum", "sum", true},           [R_MEAN] = {"mean", "mean", true},
    [R_MAX] = {"max", "maximum", false},      [R_MIN] = {"min", "minimum", false},
    [R_PROD] = {"prod", "prod", true},        [R_ALL] = {"all", "all", false},
    [R_ANY] = {"any", "any", false},          [R_ARGMAX] = {"argmax", "argmax", false},
    [R_ARGMIN] = {"argmin", "argmin", false},
};

/* A reduction of x with numpy's dtype rules; result rank 0 over all axes. */
static int np_reduce(tfg_eval *ev, np_red r, const tfg_tensor *x, tfg_val axis, bool keepdims,
                     int dtype, tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    int axes[TFG_MAX_RANK], naxes;
    if (np_axes(ev, axis, x->rank, loc, axes, &naxes))
        return -1;
    tfg_tensor *in = NULL;
    int rc = -1;
    if (r == R_ARGMAX || r == R_ARGMIN) {
        if (naxes > 1)
            return tfg_eval_error(ev, loc, "'tuple' object cannot be interpreted as an integer");
        tfg_tensor *res = NULL;
        int ax = 0;
        if (naxes < 0) {
            int64_t n = x->size;
            if (tfg_k_reshape(x, 1, &n, &in, &err))
                return kfail(ev, loc, &err);
        } else {
            in = tfg_tensor_ref((tfg_tensor *)x);
            ax = axes[0];
        }
        if (in->shape[ax] == 0) {
            rc = tfg_eval_error(ev, loc, "attempt to get %s of an empty sequence", reductions[r].ufunc);
            goto done;
        }
        if (tfg_k_argminmax(r == R_ARGMAX, in, ax, TFG_INT64, &res, &err)) {
            rc = kfail(ev, loc, &err);
            goto done;
        }
        if (keepdims) {
            int64_t s[TFG_MAX_RANK];
            for (int i = 0; i < x->rank; i++)
                s[i] = naxes < 0 || i == ax ? 1 : x->shape[i];
            tfg_tensor *k;
            if (tfg_k_reshape(res, x->rank, s, &k, &err)) {
                tfg_tensor_unref(res);
                rc = kfail(ev, loc, &err);
                goto done;
            }
            tfg_tensor_unref(res);
            res = k;
        }
        *out = res;
        rc = 0;
        goto done;
    }
    tfg_dtype want = x->dtype;
    if (dtype >= 0)
        want = (tfg_dtype)dtype;
    else if ((r == R_SUM || r == R_PROD) && !tfg_dtype_is_float(x->dtype))
        want = TFG_INT64;
    else if (r == R_MEAN && !tfg_dtype_is_float(x->dtype))
        want = TFG_FLOAT64;
    if (r == R_ALL || r == R_ANY)
        want = TFG_BOOL;
    if (tfg_pyapi_np_cast(ev, (tfg_tensor *)x, want, loc, &in))
        return -1;
    if (r == R_MAX || r == R_MIN) {
        bool empty = x->size == 0 && (naxes < 0 || x->rank == 0);
        for (int i = 0; i < naxes && !empty; i++)
            empty = x->shape[axes[i]] == 0;
        if (empty) {
            rc = tfg_eval_error(ev, loc, "zero-size array to reduction operation %s which has no "
                                         "identity", reductions[r].ufunc);
            goto done;
        }
    }
    static const tfg_reduce_op kops[] = {TFG_RED_SUM, TFG_RED_MEAN, TFG_RED_MAX, TFG_RED_MIN,
                                         TFG_RED_PROD, TFG_RED_ALL, TFG_RED_ANY};
    if (tfg_k_reduce(kops[r], in, axes, naxes, keepdims, out, &err)) {
        rc = kfail(ev, loc, &err);
        goto done;
    }
    rc = 0;
done:
    tfg_tensor_unref(in);
    return rc;
}

/* True for the unary ops numpy computes in floating point. */
static bool np_unop_is_float(tfg_unop op)
{
    switch (op) {
    case TFG_UN_SQRT: case TFG_UN_RSQRT: case TFG_UN_EXP: case TFG_UN_LOG: case TFG_UN_LOG1P:
    case TFG_UN_SIGMOID: case TFG_UN_TANH: case TFG_UN_RECIPROCAL: case TFG_UN_SIN:
    case TFG_UN_COS: case TFG_UN_SOFTPLUS:
        return true;
    default:
        return false;
    }
}

/* A numpy unary ufunc on an array. */
static int np_unary_t(tfg_eval *ev, tfg_unop op, const tfg_tensor *x, tfg_loc loc,
                      tfg_tensor **out)
{
    tfg_error err;
    tfg_tensor *in = NULL;
    tfg_dtype want = x->dtype;
    if (np_unop_is_float(op) && !tfg_dtype_is_float(x->dtype))
        want = (x->dtype == TFG_BOOL || x->dtype == TFG_UINT8) ? TFG_FLOAT32 : TFG_FLOAT64;
    if (!tfg_dtype_is_float(x->dtype) &&
        (op == TFG_UN_FLOOR || op == TFG_UN_CEIL || op == TFG_UN_ROUND ||
         (op == TFG_UN_ABS && x->dtype == TFG_BOOL))) {
        /* numpy 2 keeps integer (and bool) inputs as they are */
        *out = tfg_tensor_copy(x, &err);
        return *out ? 0 : kfail(ev, loc, &err);
    }
    if (op == TFG_UN_SQUARE && x->dtype == TFG_BOOL)
        want = TFG_INT64;
    if (tfg_pyapi_np_cast(ev, (tfg_tensor *)x, want, loc, &in))
        return -1;
    int rc = tfg_k_unary(op, in, out, &err) ? kfail(ev, loc, &err) : 0;
    tfg_tensor_unref(in);
    return rc;
}

/* A numpy unary ufunc on any array-like value. */
int tfg_pyapi_np_unary_val(tfg_eval *ev, tfg_unop op, tfg_val v, tfg_loc loc, tfg_val *out)
{
    tfg_tensor *x, *r;
    if (np_arg(ev, v, loc, &x))
        return -1;
    int rc = np_unary_t(ev, op, x, loc, &r);
    tfg_tensor_unref(x);
    if (rc)
        return -1;
    return give_array(r, out);
}

/* np.round(x, decimals): half to even, numpy's scale-round-unscale for decimals != 0. */
int tfg_pyapi_np_round_tensor(tfg_eval *ev, const tfg_tensor *x, int64_t decimals, tfg_loc loc,
                              tfg_tensor **out)
{
    tfg_error err;
    if (tfg_dtype_is_float(x->dtype) && decimals == 0) {
        if (tfg_k_unary(TFG_UN_ROUND, x, out, &err))
            return kfail(ev, loc, &err);
        return 0;
    }
    tfg_tensor *r = tfg_tensor_copy(x, &err);
    if (!r)
        return kfail(ev, loc, &err);
    if (decimals > 400)
        decimals = 400;
    if (decimals < -400)
        decimals = -400;
    if (x->dtype == TFG_FLOAT32) {
        float *p = r->data;
        float sc = (float)pow(10.0, (double)(decimals < 0 ? -decimals : decimals));
        for (int64_t i = 0; i < r->size; i++)
            p[i] = decimals > 0 ? rintf(p[i] * sc) / sc : rintf(p[i] / sc) * sc;
    } else if (x->dtype == TFG_FLOAT64) {
        double *p = r->data;
        double sc = pow(10.0, (double)(decimals < 0 ? -decimals : decimals));
        for (int64_t i = 0; i < r->size; i++)
            p[i] = decimals > 0 ? rint(p[i] * sc) / sc : rint(p[i] / sc) * sc;
    } else if (decimals < 0 && x->dtype != TFG_BOOL) {
        for (int64_t i = 0; i < r->size; i++) {
            int64_t v = 0;
            if (tfg_pyapi_round_int_neg(ev, tfg_tensor_get_i(r, i), -decimals, loc, &v)) {
                tfg_tensor_unref(r);
                return -1;
            }
            tfg_tensor_set_i(r, i, v);
        }
    }
    *out = r;
    return 0;
}

/* Builds a.tolist(): nested lists of Python numbers from flat position *pos. */
static tfg_val np_tolist_at(const tfg_tensor *t, int axis, int64_t *pos)
{
    if (axis == t->rank)
        return np_elem_val(t, (*pos)++);
    tfg_val l = tfg_val_list_new(TFG_V_LIST, (int)t->shape[axis]);
    if (l.t == TFG_V_MISSING)
        return l;
    for (int64_t i = 0; i < t->shape[axis]; i++) {
        tfg_val e = np_tolist_at(t, axis + 1, pos);
        if (e.t == TFG_V_MISSING || tfg_val_list_append(l, e)) {
            tfg_val_decref(l);
            l.t = TFG_V_MISSING;
            return l;
        }
    }
    return l;
}

/* Reshapes x with numpy's -1 inference and message. */
static int np_reshape(tfg_eval *ev, const tfg_tensor *x, int rank, const int64_t *shape,
                      tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    int64_t known = 1;
    int unknown = 0;
    for (int i = 0; i < rank; i++) {
        if (shape[i] == -1)
            unknown++;
        else if (shape[i] < 0)
            return tfg_eval_error(ev, loc, "negative dimensions not allowed");
        else if (__builtin_mul_overflow(known, shape[i], &known))
            known = -1;
    }
    if (unknown > 1)
        return tfg_eval_error(ev, loc, "can only specify one unknown dimension");
    bool ok = unknown ? (known > 0 && x->size % known == 0) || (known == 0 && x->size == 0)
                      : known == x->size;
    if (!ok) {
        char s[256];
        tfg_pyapi_np_shape_text(s, sizeof s, rank, shape);
        return tfg_eval_error(ev, loc, "cannot reshape array of size %" PRId64 " into shape %s",
                              x->size, s);
    }
    if (tfg_k_reshape(x, rank, shape, out, &err))
        return kfail(ev, loc, &err);
    return 0;
}

/* Transposes x by axes (MISSING/None reverses); numpy's errors. */
static int np_transpose(tfg_eval *ev, const tfg_tensor *x, const tfg_list *axes, tfg_loc loc,
                        tfg_tensor **out)
{
    tfg_error err;
    int perm[TFG_MAX_RANK];
    if (axes) {
        if (axes->n != x->rank)
            return tfg_eval_error(ev, loc, "axes don't match array");
        bool seen[TFG_MAX_RANK] = {false};
        for (int i = 0; i < axes->n; i++) {
            int64_t a = 0;
            if (get_index(ev, axes->items[i], loc, &a))
                return -1;
            if (a < -x->rank || a >= x->rank)
                return tfg_eval_error(ev, loc, "axis %" PRId64 " is out of bounds for array of "
                                               "dimension %d", a, x->rank);
            if (a < 0)
                a += x->rank;
            if (seen[a])
                return tfg_eval_error(ev, loc, "repeated axis in transpose");
            seen[a] = true;
            perm[i] = (int)a;
        }
    }
    if (tfg_k_transpose(x, axes ? perm : NULL, out, &err))
        return kfail(ev, loc, &err);
    return 0;
}

/* ======================================================================
 * Methods of arrays
 * ====================================================================== */

/* a.reshape(*shape) */
static int am_reshape(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    if (mbind(ev, a, "reshape", "*shape,order=", p))
        return -1;
    int rank = 0;
    int64_t shape[TFG_MAX_RANK];
    tfg_tensor *r;
    /* a.reshape(2, 3) or a.reshape((2, 3)): the tuple of arguments or its one item */
    const tfg_list *args = tfg_val_as_list(p[0]);
    int rc = tfg_pyapi_np_shape_arg(ev, args->n == 1 ? args->items[0] : p[0], a->loc, &rank, shape);
    if (!rc)
        rc = np_reshape(ev, self.u.p, rank, shape, a->loc, &r);
    tfg_val_decref(p[0]);
    return rc ? -1 : give_array(r, out);
}

/* a.astype(dtype) */
static int am_astype(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    int dt = 0;
    if (mbind(ev, a, "astype", "dtype,copy=", p) || np_dtype_arg(ev, p[0], a->loc, &dt))
        return -1;
    tfg_tensor *r;
    if (dt < 0)
        dt = TFG_FLOAT64;
    if (tfg_pyapi_np_from(ev, self, dt, true, a->loc, &r))
        return -1;
    return give_array(r, out);
}


/* A reduction as a method, x.NAME(axis=None, dtype=None, out=None,
 * keepdims=False) with self the array, or as a function, np.NAME(a, axis=None,
 * ...) with self MISSING; dtype= only where the reduction takes one. */
static int reduction(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, np_red r)
{
    static const char *const specs[2][2] = {
        {"a,axis=,out=,keepdims=", "a,axis=,dtype=,out=,keepdims="},
        {"axis=,out=,keepdims=", "axis=,dtype=,out=,keepdims="},
    };
    bool method = self.t != TFG_V_MISSING, hasdt = reductions[r].dtype;
    tfg_val p[5];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, reductions[r].name, specs[method][hasdt], method ? p + 1 : p))
        return -1;
    /* p: the array, axis, [dtype,] out, keepdims */
    tfg_val x = method ? self : p[0], keepdims = p[hasdt ? 4 : 3];
    int dt = -1;
    bool kd = false;
    if (hasdt && np_dtype_arg(ev, p[2], a->loc, &dt))
        return -1;
    if (keepdims.t != TFG_V_MISSING && tfg_eval_truth(ev, keepdims, a->loc, &kd))
        return -1;
    tfg_tensor *t, *res;
    if (np_arg(ev, x, a->loc, &t))
        return -1;
    int rc = np_reduce(ev, r, t, p[1], kd, dt, a->loc, &res);
    tfg_tensor_unref(t);
    return rc ? -1 : give_array(res, out);
}

/* The reductions, each a method of arrays and a numpy function. */
BUILTIN_ROW(red_sum, reduction, R_SUM)
BUILTIN_ROW(red_mean, reduction, R_MEAN)
BUILTIN_ROW(red_max, reduction, R_MAX)
BUILTIN_ROW(red_min, reduction, R_MIN)
BUILTIN_ROW(red_prod, reduction, R_PROD)
BUILTIN_ROW(red_all, reduction, R_ALL)
BUILTIN_ROW(red_any, reduction, R_ANY)
BUILTIN_ROW(red_argmax, reduction, R_ARGMAX)
BUILTIN_ROW(red_argmin, reduction, R_ARGMIN)

/* a.tolist() */
static int am_tolist(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "tolist", "", p))
        return -1;
    int64_t pos = 0;
    return give(ev, a->loc, np_tolist_at(self.u.p, 0, &pos), out);
}

/* a.item(*index) */
static int am_item(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "item", "*args", p))
        return -1;
    const tfg_tensor *t = self.u.p;
    const tfg_list *args = tfg_val_as_list(p[0]);
    int64_t flat = 0;
    int rc = 0;
    if (args->n == 0) {
        if (t->size != 1)
            rc = tfg_eval_error(ev, a->loc, "can only convert an array of size 1 to a Python scalar");
    } else if (args->n == 1) {
        if (get_index(ev, args->items[0], a->loc, &flat))
            rc = -1;
        else if (flat < -t->size || flat >= t->size)
            rc = tfg_eval_error(ev, a->loc, "index %" PRId64 " is out of bounds for size %" PRId64,
                                flat, t->size);
        else if (flat < 0)
            flat += t->size;
    } else if (args->n != t->rank) {
        rc = tfg_eval_error(ev, a->loc, "incorrect number of indices for array");
    } else {
        for (int i = 0; i < t->rank && !rc; i++) {
            int64_t k = 0;
            if (get_index(ev, args->items[i], a->loc, &k)) {
                rc = -1;
            } else if (k < -t->shape[i] || k >= t->shape[i]) {
                rc = tfg_eval_error(ev, a->loc, "index %" PRId64 " is out of bounds for axis %d "
                                                "with size %" PRId64, k, i, t->shape[i]);
            } else {
                flat = flat * t->shape[i] + (k < 0 ? k + t->shape[i] : k);
            }
        }
    }
    tfg_val_decref(p[0]);
    if (rc)
        return -1;
    *out = np_elem_val(t, flat);
    return 0;
}

/* a.flatten() / a.ravel(): a 1-D copy. */
static int am_flatten(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "flatten", "order=", p))
        return -1;
    const tfg_tensor *t = self.u.p;
    int64_t n = t->size;
    tfg_tensor *r;
    if (np_reshape(ev, t, 1, &n, a->loc, &r))
        return -1;
    return give_array(r, out);
}

/* a.copy() */
static int am_copy(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    tfg_error err;
    if (mbind(ev, a, "copy", "order=", p))
        return -1;
    tfg_tensor *r = tfg_tensor_copy(self.u.p, &err);
    if (!r)
        return kfail(ev, a->loc, &err);
    return give_array(r, out);
}

/* a.transpose(*axes) */
static int am_transpose(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "transpose", "*axes", p))
        return -1;
    const tfg_list *ax = tfg_val_as_list(p[0]);
    if (ax->n == 1 && (seq_of(ax->items[0]) || ax->items[0].t == TFG_V_NONE))
        ax = seq_of(ax->items[0]);
    else if (ax->n == 0)
        ax = NULL;
    tfg_tensor *r;
    int rc = np_transpose(ev, self.u.p, ax, a->loc, &r);
    tfg_val_decref(p[0]);
    return rc ? -1 : give_array(r, out);
}

/* a.round(decimals=0) */
static int am_round(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    int64_t d = 0;
    if (mbind(ev, a, "round", "decimals=,out=", p))
        return -1;
    if (p[0].t != TFG_V_MISSING && get_index(ev, p[0], a->loc, &d))
        return -1;
    tfg_tensor *r;
    if (tfg_pyapi_np_round_tensor(ev, self.u.p, d, a->loc, &r))
        return -1;
    return give_array(r, out);
}

/* a.squeeze(axis=None) */
static int am_squeeze(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "squeeze", "axis=", p))
        return -1;
    const tfg_tensor *t = self.u.p;
    int axes[TFG_MAX_RANK], naxes;
    if (np_axes(ev, p[0], t->rank, a->loc, axes, &naxes))
        return -1;
    bool drop[TFG_MAX_RANK] = {false};
    for (int i = 0; i < t->rank; i++)
        drop[i] = naxes < 0 && t->shape[i] == 1;
    for (int i = 0; i < naxes; i++) {
        if (t->shape[axes[i]] != 1)
            return tfg_eval_error(ev, a->loc, "cannot select an axis to squeeze out which has size "
                                              "not equal to one");
        drop[axes[i]] = true;
    }
    int64_t s[TFG_MAX_RANK];
    int r = 0;
    for (int i = 0; i < t->rank; i++)
        if (!drop[i])
            s[r++] = t->shape[i];
    tfg_tensor *res;
    if (np_reshape(ev, t, r, s, a->loc, &res))
        return -1;
    return give_array(res, out);
}

/* The methods of arrays (and numpy scalars). */
static const tfg_builtin array_methods[] = {
    {"reshape", am_reshape, NULL, 0},  {"astype", am_astype, NULL, 0},
    {"sum", red_sum, NULL, 0},         {"mean", red_mean, NULL, 0},
    {"prod", red_prod, NULL, 0},       {"max", red_max, NULL, 0},
    {"min", red_min, NULL, 0},         {"all", red_all, NULL, 0},
    {"any", red_any, NULL, 0},         {"argmax", red_argmax, NULL, 0},
    {"argmin", red_argmin, NULL, 0},   {"tolist", am_tolist, NULL, 0},
    {"item", am_item, NULL, 0},        {"flatten", am_flatten, NULL, 0},
    {"ravel", am_flatten, NULL, 0},    {"copy", am_copy, NULL, 0},
    {"transpose", am_transpose, NULL, 0}, {"round", am_round, NULL, 0},
    {"squeeze", am_squeeze, NULL, 0},
    {NULL, NULL, NULL, 0},
};

/* A tuple of ints from a shape. */
static tfg_val shape_tuple(int rank, const int64_t *shape)
{
    tfg_val t = tfg_val_list_new(TFG_V_TUPLE, rank);
    if (t.t == TFG_V_MISSING)
        return t;
    for (int i = 0; i < rank; i++)
        tfg_val_list_append(t, tfg_val_int(shape[i]));
    return t;
}

/* Attributes of arrays: 0, 1 absent, -1 error. */
int tfg_pyapi_array_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out)
{
    const tfg_tensor *t = obj.u.p;
    int64_t itemsize = (int64_t)tfg_dtype_size(t->dtype);
    const struct {
        const char *name;
        int64_t v;
    } ints[] = {
        {"ndim", t->rank},
        {"size", t->size},
        {"itemsize", itemsize},
        {"nbytes", t->size * itemsize},
    };
    if (!strcmp(name, "shape"))
        return give(ev, loc, shape_tuple(t->rank, t->shape), out);
    if (!strcmp(name, "dtype")) {
        *out = np_dtype_val(t->dtype, 1);
        return 0;
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (!strcmp(name, ints[i].name)) {
            *out = tfg_val_int(ints[i].v);
            return 0;
        }
    if (!strcmp(name, "T")) {
        tfg_tensor *r;
        if (np_transpose(ev, t, NULL, loc, &r))
            return -1;
        return give_array(r, out);
    }
    return tfg_pyapi_builtin_of(ev, array_methods, obj, name, loc, out);
}

/* A dtype called as a numpy scalar type: np.float32(2.5), np.int32('7'), np.float32([1, 2]). */
static int dtm_call(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    tfg_dtype dt = (tfg_dtype)self.u.i;
    if (mbind(ev, a, tfg_dtype_name(dt), "x=", p))
        return -1;
    tfg_val x = p[0];
    if (x.t == TFG_V_MISSING) {
        x = tfg_val_int(0);
    } else if (x.t == TFG_V_STR) {
        if (tfg_dtype_is_float(dt)) {
            double d = 0.0;
            if (tfg_pyapi_parse_float_text(ev, x, a->loc, &d))
                return -1;
            x = tfg_val_float(d);
        } else if (dt == TFG_BOOL) {
            x = tfg_val_bool(slen(x) != 0);
        } else {
            int64_t i = 0;
            if (tfg_pyapi_parse_int_text(ev, x, 10, a->loc, &i))
                return -1;
            x = tfg_val_int(i);
        }
    }
    tfg_tensor *t;
    if (tfg_pyapi_np_from(ev, x, dt, true, a->loc, &t))
        return -1;
    return give_array(t, out);
}

/* The callable side of dtypes: the evaluator calls DTYPE values through "__call__". */
const tfg_builtin tfg_pyapi_dtype_methods[] = {
    {"__call__", dtm_call, NULL, 0},
    {NULL, NULL, NULL, 0},
};


/* ======================================================================
 * numpy functions
 * ====================================================================== */

/* np.array(object, dtype=None, copy=True, ndmin=0) */
static int nf_array(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[4];
    int dt;
    int64_t ndmin = 0;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "array", "object,dtype=,copy=,ndmin=", p) ||
        np_dtype_arg(ev, p[1], a->loc, &dt))
        return -1;
    if (p[3].t != TFG_V_MISSING && get_index(ev, p[3], a->loc, &ndmin))
        return -1;
    bool copy = true;
    if (p[2].t != TFG_V_MISSING && p[2].t != TFG_V_NONE && tfg_eval_truth(ev, p[2], a->loc, &copy))
        return -1;
    tfg_tensor *t;
    if (tfg_pyapi_np_from(ev, p[0], dt, copy, a->loc, &t))
        return -1;
    if (ndmin > t->rank) {
        if (ndmin > TFG_MAX_RANK) {
            tfg_tensor_unref(t);
            return tfg_eval_error(ev, a->loc, "ndmin bigger than allowable number of dimensions "
                                              "(%d)", TFG_MAX_RANK);
        }
        int64_t s[TFG_MAX_RANK];
        int k = (int)ndmin - t->rank;
        for (int i = 0; i < k; i++)
            s[i] = 1;
        for (int i = 0; i < t->rank; i++)
            s[k + i] = t->shape[i];
        tfg_tensor *r;
        int rc = np_reshape(ev, t, (int)ndmin, s, a->loc, &r);
        tfg_tensor_unref(t);
        if (rc)
            return -1;
        t = r;
    }
    return give_array(t, out);
}

/* np.asarray(a, dtype=None) */
static int nf_asarray(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    int dt;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "asarray", "a,dtype=", p) || np_dtype_arg(ev, p[1], a->loc, &dt))
        return -1;
    tfg_tensor *t;
    if (tfg_pyapi_np_from(ev, p[0], dt, false, a->loc, &t))
        return -1;
    return give_array(t, out);
}

/* A new array of shape (an argument) filled with v converted to dt. */
static int np_filled(tfg_eval *ev, tfg_val shapev, int dt, const pnum *v, tfg_loc loc,
                     tfg_val *out)
{
    tfg_error err;
    int rank;
    int64_t shape[TFG_MAX_RANK];
    if (tfg_pyapi_np_shape_arg(ev, shapev, loc, &rank, shape))
        return -1;
    for (int i = 0; i < rank; i++)
        if (shape[i] < 0)
            return tfg_eval_error(ev, loc, "negative dimensions are not allowed");
    tfg_tensor *t = tfg_tensor_new((tfg_dtype)dt, rank, shape, &err);
    if (!t)
        return kfail(ev, loc, &err);
    if (v->isf ? v->f != 0.0 : v->i != 0) {
        for (int64_t i = 0; i < t->size; i++) {
            if (v->isf)
                tfg_tensor_set_f(t, i, v->f);
            else
                tfg_tensor_set_i(t, i, v->i);
        }
    }
    return give_array(t, out);
}

/* np.zeros / ones / empty (shape, dtype=float), or with `like` np.zeros_like /
 * ones_like (a, dtype=None): a new array filled with `fill`, of a's shape and
 * (by default) dtype when `like`. */
static int np_fill(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, const char *name,
                   int64_t fill, bool like)
{
    (void)self;
    tfg_val p[2];
    int dt;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, like ? "a,dtype=" : "shape,dtype=", p) ||
        np_dtype_arg(ev, p[1], a->loc, &dt))
        return -1;
    pnum v = {.isf = false, .i = fill, .f = (double)fill};
    if (!like)
        return np_filled(ev, p[0], dt < 0 ? TFG_FLOAT64 : dt, &v, a->loc, out);
    tfg_tensor *t;
    if (np_arg(ev, p[0], a->loc, &t))
        return -1;
    tfg_val shape = shape_tuple(t->rank, t->shape);
    if (dt < 0)
        dt = t->dtype;
    tfg_tensor_unref(t);
    if (shape.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    int rc = np_filled(ev, shape, dt, &v, a->loc, out);
    tfg_val_decref(shape);
    return rc;
}

/* np.zeros, ones, empty (zeros, in fact), zeros_like, ones_like */
BUILTIN_ROW(nf_zeros, np_fill, "zeros", 0, false)
BUILTIN_ROW(nf_ones, np_fill, "ones", 1, false)
BUILTIN_ROW(nf_empty, np_fill, "empty", 0, false)
BUILTIN_ROW(nf_zeros_like, np_fill, "zeros_like", 0, true)
BUILTIN_ROW(nf_ones_like, np_fill, "ones_like", 1, true)

/* np.full(shape, fill_value, dtype=None) */
static int nf_full(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[3];
    int dt;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "full", "shape,fill_value,dtype=", p) ||
        np_dtype_arg(ev, p[2], a->loc, &dt))
        return -1;
    pnum v;
    if (!get_num(p[1], &v, false))
        return tfg_eval_error(ev, a->loc, "np.full: the fill value must be a number");
    if (dt < 0)
        dt = p[1].t == TFG_V_ARRAY ? (int)tfg_val_as_array(p[1])->dtype : (int)np_pyscalar_dtype(&v);
    if (!v.isf && !v.isbool && p[1].t != TFG_V_ARRAY && !tfg_dtype_is_float((tfg_dtype)dt) &&
        dt != TFG_BOOL && tfg_pyapi_np_int_fits(ev, v.i, (tfg_dtype)dt, a->loc))
        return -1;
    return np_filled(ev, p[0], dt, &v, a->loc, out);
}

/* np.arange([start,] stop[, step], dtype=None) */
static int nf_arange(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[4];
    int dt;
    tfg_error err;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "arange", "start,stop=,step=,dtype=", p) ||
        np_dtype_arg(ev, p[3], a->loc, &dt))
        return -1;
    pnum v[3] = {{.i = 0, .f = 0.0}, {.i = 0, .f = 0.0}, {.i = 1, .f = 1.0}};
    tfg_val src[3] = {p[0], p[1], p[2]};
    if (p[1].t == TFG_V_MISSING || p[1].t == TFG_V_NONE) {
        src[0].t = TFG_V_MISSING;
        src[1] = p[0];
    }
    bool anyf = false;
    for (int i = 0; i < 3; i++) {
        if (src[i].t == TFG_V_MISSING || src[i].t == TFG_V_NONE)
            continue;
        if (!get_num(src[i], &v[i], false))
            return tfg_eval_error(ev, a->loc, "unsupported operand type for arange(): '%s'",
                                  tfg_val_type_name(src[i]));
        anyf |= v[i].isf;
        if (!v[i].isf)
            v[i].f = (double)v[i].i;
    }
    if (v[2].isf ? v[2].f == 0.0 : v[2].i == 0)
        return tfg_eval_error(ev, a->loc, "division by zero");
    int64_t n;
    if (!anyf) {
        int64_t s = v[0].i, e = v[1].i, st = v[2].i;
        tfg_list r = {.n = 3};
        tfg_val it[3] = {tfg_val_int(s), tfg_val_int(e), tfg_val_int(st)};
        r.items = it;
        n = range_len(&r);
    } else {
        double len = ceil((v[1].f - v[0].f) / v[2].f);
        if (!(len > 0))
            len = 0;
        if (len > 1e12)
            return tfg_eval_error(ev, a->loc, "Maximum allowed size exceeded");
        n = (int64_t)len;
    }
    if (dt < 0)
        dt = anyf ? TFG_FLOAT64 : TFG_INT64;
    tfg_tensor *t = tfg_tensor_new((tfg_dtype)dt, 1, &n, &err);
    if (!t)
        return kfail(ev, a->loc, &err);
    for (int64_t i = 0; i < n; i++) {
        if (anyf || tfg_dtype_is_float((tfg_dtype)dt))
            tfg_tensor_set_f(t, i, v[0].f + (double)i * v[2].f);
        else
            tfg_tensor_set_i(t, i, v[0].i + i * v[2].i);
    }
    return give_array(t, out);
}

/* np.linspace(start, stop, num=50, endpoint=True, dtype=None) */
static int nf_linspace(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[5];
    int dt;
    tfg_error err;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "linspace", "start,stop,num=,endpoint=,dtype=", p) ||
        np_dtype_arg(ev, p[4], a->loc, &dt))
        return -1;
    pnum s, e;
    if (!get_num(p[0], &s, false) || !get_num(p[1], &e, false))
        return tfg_eval_error(ev, a->loc, "np.linspace: start and stop must be numbers");
    int64_t num = 50;
    bool endpoint = true;
    if (p[2].t != TFG_V_MISSING && get_index(ev, p[2], a->loc, &num))
        return -1;
    if (num < 0)
        return tfg_eval_error(ev, a->loc, "Number of samples, %" PRId64 ", must be non-negative.",
                              num);
    if (p[3].t != TFG_V_MISSING && tfg_eval_truth(ev, p[3], a->loc, &endpoint))
        return -1;
    double start = s.isf ? s.f : (double)s.i, stop = e.isf ? e.f : (double)e.i;
    int64_t div = endpoint ? num - 1 : num;
    double step = div > 0 ? (stop - start) / (double)div : NAN;
    tfg_tensor *t = tfg_tensor_new(dt < 0 ? TFG_FLOAT64 : (tfg_dtype)dt, 1, &num, &err);
    if (!t)
        return kfail(ev, a->loc, &err);
    for (int64_t i = 0; i < num; i++) {
        double y = div > 0 ? (double)i * step + start : start;
        if (endpoint && num > 1 && i == num - 1)
            y = stop;
        tfg_tensor_set_f(t, i, tfg_dtype_is_float(t->dtype) ? y : floor(y));
    }
    return give_array(t, out);
}

/* np.eye(N, M=None, k=0, dtype=float) */
static int nf_eye(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[4];
    int dt;
    int64_t n = 0, m, k = 0;
    tfg_error err;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "eye", "N,M=,k=,dtype=", p) || np_dtype_arg(ev, p[3], a->loc, &dt) ||
        get_index(ev, p[0], a->loc, &n))
        return -1;
    m = n;
    if (p[1].t != TFG_V_MISSING && p[1].t != TFG_V_NONE && get_index(ev, p[1], a->loc, &m))
        return -1;
    if (p[2].t != TFG_V_MISSING && get_index(ev, p[2], a->loc, &k))
        return -1;
    if (n < 0 || m < 0)
        return tfg_eval_error(ev, a->loc, "negative dimensions are not allowed");
    int64_t shape[2] = {n, m};
    tfg_tensor *t = tfg_tensor_new(dt < 0 ? TFG_FLOAT64 : (tfg_dtype)dt, 2, shape, &err);
    if (!t)
        return kfail(ev, a->loc, &err);
    for (int64_t i = 0; i < n; i++)
        if (i + k >= 0 && i + k < m)
            tfg_tensor_set_i(t, i * m + i + k, 1);
    return give_array(t, out);
}

/* A numpy unary ufunc called as np.NAME(x) (name: numpy's, for messages). */
static int nf_unary(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, const char *name,
                    tfg_unop op)
{
    (void)self;
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "x", p))
        return -1;
    return tfg_pyapi_np_unary_val(ev, op, p[0], a->loc, out);
}

/* np.sqrt, exp, log, log1p, abs (absolute), square, tanh, sin, cos, floor, ceil, sign */
BUILTIN_ROW(nf_sqrt, nf_unary, "sqrt", TFG_UN_SQRT)
BUILTIN_ROW(nf_exp, nf_unary, "exp", TFG_UN_EXP)
BUILTIN_ROW(nf_log, nf_unary, "log", TFG_UN_LOG)
BUILTIN_ROW(nf_log1p, nf_unary, "log1p", TFG_UN_LOG1P)
BUILTIN_ROW(nf_abs, nf_unary, "absolute", TFG_UN_ABS)
BUILTIN_ROW(nf_square, nf_unary, "square", TFG_UN_SQUARE)
BUILTIN_ROW(nf_tanh, nf_unary, "tanh", TFG_UN_TANH)
BUILTIN_ROW(nf_sin, nf_unary, "sin", TFG_UN_SIN)
BUILTIN_ROW(nf_cos, nf_unary, "cos", TFG_UN_COS)
BUILTIN_ROW(nf_floor, nf_unary, "floor", TFG_UN_FLOOR)
BUILTIN_ROW(nf_ceil, nf_unary, "ceil", TFG_UN_CEIL)
BUILTIN_ROW(nf_sign, nf_unary, "sign", TFG_UN_SIGN)

/* np.negative */
static int nf_negative(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    tfg_tensor *t;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "negative", "x", p) || np_arg(ev, p[0], a->loc, &t))
        return -1;
    tfg_val tv = tfg_val_array(t);
    int rc = tfg_api_py_unop(ev, TFG_OP_NEG, tv, a->loc, out);
    tfg_val_decref(tv);
    return rc;
}

/* A numpy binary ufunc on two array-likes (the operator's semantics). */
static int nf_binary(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, const char *name,
                     int op)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "x1,x2", p))
        return -1;
    int rc = tfg_pyapi_array_binop(ev, op, p[0], p[1], a->loc, out);
    if (rc == 1)
        return tfg_eval_error(ev, a->loc, "ufunc '%s' did not contain a loop with signature matching "
                                          "types (%s, %s)", name, tfg_val_type_name(p[0]),
                              tfg_val_type_name(p[1]));
    return rc;
}

/* np.add, subtract, multiply, divide (true_divide), power, equal, not_equal, less, greater */
BUILTIN_ROW(nf_add, nf_binary, "add", TFG_OP_ADD)
BUILTIN_ROW(nf_subtract, nf_binary, "subtract", TFG_OP_SUB)
BUILTIN_ROW(nf_multiply, nf_binary, "multiply", TFG_OP_MUL)
BUILTIN_ROW(nf_divide, nf_binary, "divide", TFG_OP_DIV)
BUILTIN_ROW(nf_power, nf_binary, "power", TFG_OP_POW)
BUILTIN_ROW(nf_equal, nf_binary, "equal", TFG_OP_EQ)
BUILTIN_ROW(nf_not_equal, nf_binary, "not_equal", TFG_OP_NE)
BUILTIN_ROW(nf_less, nf_binary, "less", TFG_OP_LT)
BUILTIN_ROW(nf_greater, nf_binary, "greater", TFG_OP_GT)

/* The operands of a numpy function of two array-likes u and v, with numpy's
 * error for one that is not array-like. */
static int np_operands(tfg_eval *ev, tfg_val u, tfg_val v, tfg_loc loc, np_operand *x,
                       np_operand *y)
{
    int rc = tfg_pyapi_np_operand_of(ev, u, loc, x);
    if (rc)
        return rc == 1 ? tfg_pyapi_np_bad_element(ev, u, loc) : -1;
    rc = tfg_pyapi_np_operand_of(ev, v, loc, y);
    if (rc) {
        tfg_tensor_unref(x->t);
        return rc == 1 ? tfg_pyapi_np_bad_element(ev, v, loc) : -1;
    }
    return 0;
}

/* Releases the operands from np_operands and the arrays np_unify made of them. */
static void np_operands_free(np_operand *x, np_operand *y, tfg_tensor *ta, tfg_tensor *tb)
{
    tfg_tensor_unref(x->t);
    tfg_tensor_unref(y->t);
    tfg_tensor_unref(ta);
    tfg_tensor_unref(tb);
}

/* np.dot / np.matmul (isdot false) on two array-likes. */
static int np_dot(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, const char *name,
                  bool isdot)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "a,b", p))
        return -1;
    np_operand x, y;
    if (np_operands(ev, p[0], p[1], a->loc, &x, &y))
        return -1;
    bool scalar = (x.weak || x.t->rank == 0) || (y.weak || y.t->rank == 0);
    bool high = (!x.weak && x.t->rank > 2) || (!y.weak && y.t->rank > 2);
    tfg_tensor *ta = NULL, *tb = NULL, *r = NULL;
    int rc = -1;
    if (isdot && scalar) {
        rc = tfg_pyapi_array_binop(ev, TFG_OP_MUL, p[0], p[1], a->loc, out);
    } else if (isdot && high) {
        rc = tfg_eval_error(ev, a->loc, "np.dot of arrays of more than 2 dimensions is not "
                                        "supported (use np.matmul)");
    } else if (!tfg_pyapi_np_unify(ev, &x, &y, a->loc, &ta, &tb)) {
        rc = tfg_pyapi_np_matmul_same(ev, ta, tb, a->loc, &r);
        if (!rc)
            give_array(r, out);
    }
    np_operands_free(&x, &y, ta, tb);
    return rc;
}

/* np.dot(a, b), np.matmul(a, b) */
BUILTIN_ROW(nf_dot, np_dot, "dot", true)
BUILTIN_ROW(nf_matmul, np_dot, "matmul", false)

/* np.maximum / np.minimum (ismax false) on two array-likes. */
static int np_maxmin(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool ismax)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, ismax ? "maximum" : "minimum", "x1,x2", p))
        return -1;
    np_operand x, y;
    if (np_operands(ev, p[0], p[1], a->loc, &x, &y))
        return -1;
    tfg_tensor *ta = NULL, *tb = NULL, *r = NULL;
    int rc = tfg_pyapi_np_unify(ev, &x, &y, a->loc, &ta, &tb);
    if (!rc)
        rc = tfg_pyapi_np_kernel(ev, ismax ? TFG_BIN_MAXIMUM : TFG_BIN_MINIMUM, ta, tb, a->loc, &r);
    if (!rc)
        give_array(r, out);
    np_operands_free(&x, &y, ta, tb);
    return rc;
}

/* np.maximum(x1, x2), np.minimum(x1, x2) */
BUILTIN_ROW(nf_maximum, np_maxmin, true)
BUILTIN_ROW(nf_minimum, np_maxmin, false)

/* np.reshape(a, shape) */
static int nf_reshape(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[4];
    int rank;
    int64_t shape[TFG_MAX_RANK];
    tfg_tensor *t, *r;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "reshape", "a,shape=,order=,newshape=", p))
        return -1;
    tfg_val sh = p[1].t != TFG_V_MISSING ? p[1] : p[3];
    if (sh.t == TFG_V_MISSING)
        return tfg_eval_error(ev, a->loc, "reshape() missing 1 required positional argument: 'shape'");
    if (tfg_pyapi_np_shape_arg(ev, sh, a->loc, &rank, shape) || np_arg(ev, p[0], a->loc, &t))
        return -1;
    int rc = np_reshape(ev, t, rank, shape, a->loc, &r);
    tfg_tensor_unref(t);
    return rc ? -1 : give_array(r, out);
}

/* np.transpose(a, axes=None) */
static int nf_transpose(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    tfg_tensor *t, *r;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "transpose", "a,axes=", p) || np_arg(ev, p[0], a->loc, &t))
        return -1;
    int rc = np_transpose(ev, t, seq_of(p[1]), a->loc, &r);
    tfg_tensor_unref(t);
    return rc ? -1 : give_array(r, out);
}

/* Converts a sequence of array-likes to arrays of one promoted dtype. */
static int np_arrays_of(tfg_eval *ev, tfg_val seq, tfg_loc loc, tfg_tensor ***out, int *n)
{
    tfg_val *items;
    int k;
    *out = NULL;
    *n = 0;
    if (tfg_eval_iter(ev, seq, loc, &items, &k))
        return -1;
    tfg_tensor **ts = calloc((size_t)(k ? k : 1), sizeof *ts);
    int rc = ts ? 0 : oom(ev, loc);
    for (int i = 0; i < k && !rc; i++)
        rc = np_arg(ev, items[i], loc, &ts[i]);
    free_items(items, k);
    tfg_dtype dt = TFG_BOOL;
    for (int i = 0; i < k && !rc; i++)
        dt = i ? tfg_pyapi_np_promote(dt, ts[i]->dtype) : ts[i]->dtype;
    for (int i = 0; i < k && !rc; i++) {
        tfg_tensor *c;
        rc = tfg_pyapi_np_cast(ev, ts[i], dt, loc, &c);
        if (!rc) {
            tfg_tensor_unref(ts[i]);
            ts[i] = c;
        }
    }
    if (rc) {
        for (int i = 0; ts && i < k; i++)
            tfg_tensor_unref(ts[i]);
        free(ts);
        return -1;
    }
    *out = ts;
    *n = k;
    return 0;
}

/* Frees an array list from np_arrays_of. */
static void free_arrays(tfg_tensor **ts, int n)
{
    for (int i = 0; i < n; i++)
        tfg_tensor_unref(ts[i]);
    free(ts);
}

/* np.concatenate(arrays, axis=0) / np.stack(arrays, axis=0) */
static int np_join(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool stack)
{
    (void)self;
    tfg_val p[2];
    tfg_error err;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, stack ? "stack" : "concatenate", "arrays,axis=", p))
        return -1;
    tfg_tensor **ts;
    int n;
    if (np_arrays_of(ev, p[0], a->loc, &ts, &n))
        return -1;
    int rc = -1;
    tfg_tensor *r = NULL;
    int64_t axis = 0;
    bool flat = !stack && p[1].t == TFG_V_NONE;
    if (n == 0) {
        rc = tfg_eval_error(ev, a->loc, "need at least one array to %s",
                            stack ? "stack" : "concatenate");
        goto done;
    }
    if (p[1].t != TFG_V_MISSING && !flat && get_index(ev, p[1], a->loc, &axis))
        goto done;
    if (flat) {
        for (int i = 0; i < n; i++) {
            tfg_tensor *f;
            int64_t sz = ts[i]->size;
            if (tfg_k_reshape(ts[i], 1, &sz, &f, &err)) {
                rc = kfail(ev, a->loc, &err);
                goto done;
            }
            tfg_tensor_unref(ts[i]);
            ts[i] = f;
        }
    }
    int rank = ts[0]->rank + (stack ? 1 : 0);
    if (!stack && ts[0]->rank == 0) {
        rc = tfg_eval_error(ev, a->loc, "zero-dimensional arrays cannot be concatenated");
        goto done;
    }
    if (axis < -rank || axis >= rank) {
        rc = tfg_eval_error(ev, a->loc, "axis %" PRId64 " is out of bounds for array of dimension %d",
                            axis, rank);
        goto done;
    }
    for (int i = 1; i < n; i++) {
        bool same = ts[i]->rank == ts[0]->rank;
        for (int d = 0; same && d < ts[0]->rank; d++)
            if (ts[i]->shape[d] != ts[0]->shape[d] && (stack || d != (axis < 0 ? axis + rank : axis)))
                same = false;
        if (!same) {
            if (stack)
                rc = tfg_eval_error(ev, a->loc, "all input arrays must have the same shape");
            else if (ts[i]->rank != ts[0]->rank)
                rc = tfg_eval_error(ev, a->loc,
                                    "all the input array dimensions except for the concatenation "
                                    "axis must match exactly, but along dimension 0, the array at "
                                    "index 0 has %d dimension(s) and the array at index %d has %d "
                                    "dimension(s)", ts[0]->rank, i, ts[i]->rank);
            else
                rc = tfg_eval_error(ev, a->loc,
                                    "all the input array dimensions except for the concatenation "
                                    "axis must match exactly");
            goto done;
        }
    }
    if (stack ? tfg_k_stack((const tfg_tensor *const *)ts, n, (int)axis, &r, &err)
              : tfg_k_concat((const tfg_tensor *const *)ts, n, (int)axis, &r, &err)) {
        rc = kfail(ev, a->loc, &err);
        goto done;
    }
    rc = give_array(r, out);
done:
    free_arrays(ts, n);
    return rc;
}

/* np.concatenate(arrays, axis=0), np.stack(arrays, axis=0) */
BUILTIN_ROW(nf_concatenate, np_join, false)
BUILTIN_ROW(nf_stack, np_join, true)

/* np.allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False): a Python bool. */
static int nf_allclose(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[5];
    tfg_error err;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "allclose", "a,b,rtol=,atol=,equal_nan=", p))
        return -1;
    double rtol = 1e-05, atol = 1e-08;
    bool eqnan = false;
    pnum n;
    if (p[2].t != TFG_V_MISSING) {
        if (!get_num(p[2], &n, false))
            return tfg_eval_error(ev, a->loc, "rtol must be a number");
        rtol = n.isf ? n.f : (double)n.i;
    }
    if (p[3].t != TFG_V_MISSING) {
        if (!get_num(p[3], &n, false))
            return tfg_eval_error(ev, a->loc, "atol must be a number");
        atol = n.isf ? n.f : (double)n.i;
    }
    if (p[4].t != TFG_V_MISSING && tfg_eval_truth(ev, p[4], a->loc, &eqnan))
        return -1;
    tfg_tensor *x, *y;
    if (np_arg(ev, p[0], a->loc, &x))
        return -1;
    if (np_arg(ev, p[1], a->loc, &y)) {
        tfg_tensor_unref(x);
        return -1;
    }
    int r;
    int64_t shape[TFG_MAX_RANK];
    int rc = 0;
    bool ok = true;
    if (tfg_k_broadcast_shape(x->rank, x->shape, y->rank, y->shape, &r, shape, &err)) {
        rc = tfg_pyapi_np_kernel(ev, TFG_BIN_EQUAL, x, y, a->loc, NULL);
    } else {
        int64_t total = 1, idx[TFG_MAX_RANK] = {0};
        for (int i = 0; i < r; i++)
            total *= shape[i];
        for (int64_t i = 0; i < total && ok; i++) {
            double u = tfg_tensor_get_f(x, bcast_flat(r, idx, x->rank, x->shape));
            double v = tfg_tensor_get_f(y, bcast_flat(r, idx, y->rank, y->shape));
            if (isnan(u) || isnan(v))
                ok = eqnan && isnan(u) && isnan(v);
            else if (isinf(u) || isinf(v))
                ok = u == v;
            else
                ok = fabs(u - v) <= atol + rtol * fabs(v);
            bcast_next(idx, r, shape);
        }
    }
    tfg_tensor_unref(x);
    tfg_tensor_unref(y);
    if (rc)
        return -1;
    *out = tfg_val_bool(ok);
    return 0;
}

/* np.round(a, decimals=0) / np.around */
static int nf_round(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[3];
    int64_t d = 0;
    tfg_tensor *t, *r;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "round", "a,decimals=,out=", p))
        return -1;
    if (p[1].t != TFG_V_MISSING && get_index(ev, p[1], a->loc, &d))
        return -1;
    if (np_arg(ev, p[0], a->loc, &t))
        return -1;
    int rc = tfg_pyapi_np_round_tensor(ev, t, d, a->loc, &r);
    tfg_tensor_unref(t);
    return rc ? -1 : give_array(r, out);
}

/* np.expand_dims(a, axis) */
static int nf_expand_dims(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    int64_t axis = 0;
    tfg_tensor *t, *r;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "expand_dims", "a,axis", p) || get_index(ev, p[1], a->loc, &axis) ||
        np_arg(ev, p[0], a->loc, &t))
        return -1;
    int rank = t->rank + 1;
    if (axis < -rank || axis >= rank || rank > TFG_MAX_RANK) {
        tfg_tensor_unref(t);
        return tfg_eval_error(ev, a->loc, "axis %" PRId64 " is out of bounds for array of dimension %d",
                              axis, rank);
    }
    if (axis < 0)
        axis += rank;
    int64_t s[TFG_MAX_RANK];
    for (int i = 0, k = 0; i < rank; i++)
        s[i] = i == axis ? 1 : t->shape[k++];
    int rc = np_reshape(ev, t, rank, s, a->loc, &r);
    tfg_tensor_unref(t);
    return rc ? -1 : give_array(r, out);
}

/* np.clip(a, a_min, a_max) */
static int nf_clip(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[3];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "clip", "a,a_min,a_max", p))
        return -1;
    tfg_val cur = tfg_val_incref(p[0]);
    for (int k = 0; k < 2; k++) {
        if (p[1 + k].t == TFG_V_NONE)
            continue;
        tfg_val args2[2] = {cur, p[1 + k]};
        tfg_args sub = {.pos = args2, .npos = 2, .loc = a->loc};
        tfg_val r;
        int rc = np_maxmin(ev, self, &sub, &r, k == 0);
        tfg_val_decref(cur);
        if (rc)
            return -1;
        cur = r;
    }
    if (cur.t != TFG_V_ARRAY) {
        tfg_tensor *t;
        int rc = np_arg(ev, cur, a->loc, &t);
        tfg_val_decref(cur);
        if (rc)
            return -1;
        cur = tfg_val_array(t);
    }
    *out = cur;
    return 0;
}

/* np.shape(a) */
static int nf_shape(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    tfg_tensor *t;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "shape", "a", p) || np_arg(ev, p[0], a->loc, &t))
        return -1;
    tfg_val r = shape_tuple(t->rank, t->shape);
    tfg_tensor_unref(t);
    return give(ev, a->loc, r, out);
}

/* The numpy functions by name. */
static const tfg_builtin np_functions[] = {
    {"array", nf_array, NULL, 0},         {"asarray", nf_asarray, NULL, 0},
    {"zeros", nf_zeros, NULL, 0},         {"ones", nf_ones, NULL, 0},
    {"empty", nf_empty, NULL, 0},         {"full", nf_full, NULL, 0},
    {"zeros_like", nf_zeros_like, NULL, 0}, {"ones_like", nf_ones_like, NULL, 0},
    {"arange", nf_arange, NULL, 0},       {"linspace", nf_linspace, NULL, 0},
    {"eye", nf_eye, NULL, 0},             {"sum", red_sum, NULL, 0},
    {"mean", red_mean, NULL, 0},          {"prod", red_prod, NULL, 0},
    {"max", red_max, NULL, 0},            {"amax", red_max, NULL, 0},
    {"min", red_min, NULL, 0},            {"amin", red_min, NULL, 0},
    {"all", red_all, NULL, 0},            {"any", red_any, NULL, 0},
    {"argmax", red_argmax, NULL, 0},      {"argmin", red_argmin, NULL, 0},
    {"sqrt", nf_sqrt, NULL, 0},           {"exp", nf_exp, NULL, 0},
    {"log", nf_log, NULL, 0},             {"log1p", nf_log1p, NULL, 0},
    {"abs", nf_abs, NULL, 0},             {"absolute", nf_abs, NULL, 0},
    {"square", nf_square, NULL, 0},       {"tanh", nf_tanh, NULL, 0},
    {"sin", nf_sin, NULL, 0},             {"cos", nf_cos, NULL, 0},
    {"floor", nf_floor, NULL, 0},         {"ceil", nf_ceil, NULL, 0},
    {"sign", nf_sign, NULL, 0},           {"negative", nf_negative, NULL, 0},
    {"add", nf_add, NULL, 0},             {"subtract", nf_subtract, NULL, 0},
    {"multiply", nf_multiply, NULL, 0},   {"divide", nf_divide, NULL, 0},
    {"true_divide", nf_divide, NULL, 0},  {"power", nf_power, NULL, 0},
    {"equal", nf_equal, NULL, 0},         {"not_equal", nf_not_equal, NULL, 0},
    {"less", nf_less, NULL, 0},           {"greater", nf_greater, NULL, 0},
    {"dot", nf_dot, NULL, 0},             {"matmul", nf_matmul, NULL, 0},
    {"maximum", nf_maximum, NULL, 0},     {"minimum", nf_minimum, NULL, 0},
    {"reshape", nf_reshape, NULL, 0},     {"transpose", nf_transpose, NULL, 0},
    {"concatenate", nf_concatenate, NULL, 0}, {"stack", nf_stack, NULL, 0},
    {"allclose", nf_allclose, NULL, 0},   {"round", nf_round, NULL, 0},
    {"around", nf_round, NULL, 0},        {"expand_dims", nf_expand_dims, NULL, 0},
    {"clip", nf_clip, NULL, 0},           {"shape", nf_shape, NULL, 0},
    {NULL, NULL, NULL, 0},
};

/* numpy names (see eval.h): 0 found, 1 not. */
int tfg_api_np_lookup(tfg_eval *ev, const char *path, const char *name, tfg_val *out)
{
    if (strcmp(path, "np") != 0 && strcmp(path, "numpy") != 0)
        return 1;
    static const struct { const char *name; tfg_dtype dt; } dtypes[] = {
        {"float32", TFG_FLOAT32}, {"single", TFG_FLOAT32}, {"float64", TFG_FLOAT64},
        {"double", TFG_FLOAT64},  {"int32", TFG_INT32},    {"int64", TFG_INT64},
        {"int_", TFG_INT64},      {"uint8", TFG_UINT8},    {"bool_", TFG_BOOL},
        {"bool", TFG_BOOL},
    };
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (!strcmp(dtypes[i].name, name)) {
            *out = np_dtype_val(dtypes[i].dt, 2);
            return 0;
        }
    static const struct {
        const char *name;
        double v;
    } constants[] = {{"pi", M_PI}, {"e", M_E}, {"inf", INFINITY}, {"nan", NAN}};
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
        if (!strcmp(constants[i].name, name)) {
            *out = tfg_val_float(constants[i].v);
            return 0;
        }
    if (!strcmp(name, "newaxis")) {
        *out = tfg_val_none();
        return 0;
    }
    tfg_val unbound = {.t = TFG_V_MISSING};
    return tfg_pyapi_builtin_of(ev, np_functions, unbound, name, (tfg_loc){0, 0, 0}, out);
}
