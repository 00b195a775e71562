/* api_np.c — numpy arrays (part of the api_py module, see api_py_impl.h):
 * dtype promotion (numpy's table, NEP 50 weak Python scalars), conversion of
 * host values to arrays (np.array's shape discovery and messages), the
 * operators on arrays, and indexing (basic, integer and boolean arrays).
 */
#include "api_py_impl.h"

/* ======================================================================
 * numpy: dtypes, promotion, conversion of host values to arrays
 * ====================================================================== */

/* Records the error for an array of more than TFG_MAX_RANK dimensions. */
static int too_many_dims(tfg_eval *ev, tfg_loc loc)
{
    return tfg_eval_error(ev, loc, "arrays of more than %d dimensions are not supported",
                          TFG_MAX_RANK);
}

/* numpy's promote_types over the supported dtypes. */
tfg_dtype tfg_pyapi_np_promote(tfg_dtype a, tfg_dtype b)
{
    if (a == b)
        return a;
    if (a == TFG_BOOL)
        return b;
    if (b == TFG_BOOL)
        return a;
    if (a == TFG_FLOAT64 || b == TFG_FLOAT64)
        return TFG_FLOAT64;
    if (a == TFG_FLOAT32 || b == TFG_FLOAT32) {
        tfg_dtype o = a == TFG_FLOAT32 ? b : a;
        return o == TFG_UINT8 ? TFG_FLOAT32 : TFG_FLOAT64;
    }
    /* two different integer types among uint8, int32, int64 */
    if (a == TFG_INT64 || b == TFG_INT64)
        return TFG_INT64;
    return TFG_INT32;
}

/* NEP 50: the result dtype of an array of dtype dt with a weak Python scalar. */
static tfg_dtype np_weak_dtype(tfg_dtype dt, const pnum *n)
{
    if (n->isf)
        return tfg_dtype_is_float(dt) ? dt : TFG_FLOAT64;
    if (n->isbool)
        return dt;
    return dt == TFG_BOOL ? TFG_INT64 : dt;
}

/* Checks that a Python int fits dtype dt (numpy 2 raises OverflowError). */
int tfg_pyapi_np_int_fits(tfg_eval *ev, int64_t v, tfg_dtype dt, tfg_loc loc)
{
    bool ok = true;
    if (dt == TFG_INT32)
        ok = v >= INT32_MIN && v <= INT32_MAX;
    else if (dt == TFG_UINT8)
        ok = v >= 0 && v <= 255;
    if (ok)
        return 0;
    return tfg_eval_error(ev, loc, "Python integer %" PRId64 " out of bounds for %s", v,
                          tfg_dtype_name(dt));
}

/* A rank-0 array of dtype dt holding the number n. */
static tfg_tensor *np_scalar(const pnum *n, tfg_dtype dt, tfg_error *err)
{
    if (n->isf)
        return tfg_tensor_scalar_f(dt, n->f, err);
    return tfg_tensor_scalar_i(dt, n->i, err);
}

/* x as dtype dt: a new reference (x itself when it already is). */
int tfg_pyapi_np_cast(tfg_eval *ev, tfg_tensor *x, tfg_dtype dt, tfg_loc loc, tfg_tensor **out)
{
    if (x->dtype == dt) {
        *out = tfg_tensor_ref(x);
        return 0;
    }
    tfg_error err;
    if (tfg_k_cast(x, dt, out, &err))
        return kfail(ev, loc, &err);
    return 0;
}

/* Shape discovery state for converting nested sequences. */
typedef struct np_disc {
    int rank;
    int64_t shape[TFG_MAX_RANK];
    bool have_dtype;
    tfg_dtype dtype;
} np_disc;

/* Records numpy's error for a value that cannot be an array element. */
int tfg_pyapi_np_bad_element(tfg_eval *ev, tfg_val v, tfg_loc loc)
{
    if (is_graph(v)) {
        tfg_endpoint e = v.u.e;
        return tfg_eval_error(ev, loc,
                              "Cannot convert a symbolic tf.Tensor (%s:%d) to a numpy array. This "
                              "error may indicate that you're trying to pass a Tensor to a NumPy "
                              "call, which is not supported.",
                              e.node && e.node->name ? e.node->name : "?", e.index);
    }
    if (v.t == TFG_V_STR)
        return tfg_eval_error(ev, loc, "numpy arrays of strings are not supported");
    return tfg_eval_error(ev, loc, "numpy arrays of '%s' objects are not supported",
                          tfg_val_type_name(v));
}

/* Pass 1: the shape numpy discovers by following first elements. */
static int np_first_shape(tfg_eval *ev, tfg_val v, tfg_loc loc, np_disc *d)
{
    d->rank = 0;
    for (;;) {
        const tfg_list *l = seq_of(v);
        if (l) {
            if (d->rank >= TFG_MAX_RANK)
                return too_many_dims(ev, loc);
            d->shape[d->rank++] = l->n;
            if (l->n == 0)
                return 0;
            v = l->items[0];
            continue;
        }
        if (v.t == TFG_V_ARRAY) {
            const tfg_tensor *t = v.u.p;
            if (d->rank + t->rank > TFG_MAX_RANK)
                return too_many_dims(ev, loc);
            for (int i = 0; i < t->rank; i++)
                d->shape[d->rank++] = t->shape[i];
            return 0;
        }
        if (v.t == TFG_V_RANGE) {
            int64_t n = range_len(v.u.p);
            if (d->rank >= TFG_MAX_RANK)
                return too_many_dims(ev, loc);
            d->shape[d->rank++] = n;
            return 0;
        }
        pnum n;
        if (get_pynum(v, &n))
            return 0;
        return tfg_pyapi_np_bad_element(ev, v, loc);
    }
}

/* Records numpy's inhomogeneous-shape error found at depth `depth`. */
static int np_inhomogeneous(tfg_eval *ev, tfg_loc loc, const np_disc *d, int depth)
{
    char shp[256];
    size_t used = 0;
    used += (size_t)snprintf(shp, sizeof shp, "(");
    for (int i = 0; i < depth && used < sizeof shp; i++)
        used += (size_t)snprintf(shp + used, sizeof shp - used, i ? ", %" PRId64 : "%" PRId64,
                                 d->shape[i]);
    if (used < sizeof shp)
        snprintf(shp + used, sizeof shp - used, depth == 1 ? ",)" : ")");
    return tfg_eval_error(ev, loc,
                          "setting an array element with a sequence. The requested array has an "
                          "inhomogeneous shape after %d dimensions. The detected shape was %s + "
                          "inhomogeneous part.",
                          depth, shp);
}

/* Merges an element dtype into the discovered dtype. */
static void np_disc_dtype(np_disc *d, tfg_dtype dt)
{
    d->dtype = d->have_dtype ? tfg_pyapi_np_promote(d->dtype, dt) : dt;
    d->have_dtype = true;
}

/* Pass 2: checks that v at depth matches the discovered shape; gathers the dtype. */
static int np_check(tfg_eval *ev, tfg_val v, int depth, tfg_loc loc, np_disc *d)
{
    const tfg_list *l = seq_of(v);
    if (l) {
        if (depth >= d->rank || d->shape[depth] != l->n)
            return np_inhomogeneous(ev, loc, d, depth);
        for (int i = 0; i < l->n; i++)
            if (np_check(ev, l->items[i], depth + 1, loc, d))
                return -1;
        return 0;
    }
    if (v.t == TFG_V_ARRAY) {
        const tfg_tensor *t = v.u.p;
        if (depth + t->rank != d->rank)
            return np_inhomogeneous(ev, loc, d, depth < d->rank ? depth : d->rank);
        for (int i = 0; i < t->rank; i++)
            if (t->shape[i] != d->shape[depth + i])
                return np_inhomogeneous(ev, loc, d, depth + i);
        np_disc_dtype(d, t->dtype);
        return 0;
    }
    if (v.t == TFG_V_RANGE) {
        if (depth + 1 != d->rank)
            return np_inhomogeneous(ev, loc, d, depth);
        if (range_len(v.u.p) != d->shape[depth])
            return np_inhomogeneous(ev, loc, d, depth);
        np_disc_dtype(d, TFG_INT64);
        return 0;
    }
    pnum n;
    if (get_pynum(v, &n)) {
        if (depth != d->rank)
            return np_inhomogeneous(ev, loc, d, depth);
        np_disc_dtype(d, np_pyscalar_dtype(&n));
        return 0;
    }
    return tfg_pyapi_np_bad_element(ev, v, loc);
}

/* Pass 3: writes the elements of v into t from flat position *pos. */
static int np_fill(tfg_eval *ev, tfg_val v, tfg_tensor *t, int64_t *pos, tfg_loc loc)
{
    const tfg_list *l = seq_of(v);
    if (l) {
        for (int i = 0; i < l->n; i++)
            if (np_fill(ev, l->items[i], t, pos, loc))
                return -1;
        return 0;
    }
    bool tf = tfg_dtype_is_float(t->dtype);
    if (v.t == TFG_V_ARRAY) {
        const tfg_tensor *s = v.u.p;
        bool sf = tfg_dtype_is_float(s->dtype);
        for (int64_t i = 0; i < s->size; i++, (*pos)++) {
            if (tf || sf)
                tfg_tensor_set_f(t, *pos, tfg_tensor_get_f(s, i));
            else
                tfg_tensor_set_i(t, *pos, tfg_tensor_get_i(s, i));
        }
        return 0;
    }
    if (v.t == TFG_V_RANGE) {
        const tfg_list *r = v.u.p;
        int64_t a = r->items[0].u.i, s = r->items[2].u.i, n = range_len(r);
        for (int64_t k = 0; k < n; k++, (*pos)++) {
            int64_t x = a + k * s;
            if (!tf && t->dtype != TFG_BOOL && tfg_pyapi_np_int_fits(ev, x, t->dtype, loc))
                return -1;
            tfg_tensor_set_i(t, *pos, x);
        }
        return 0;
    }
    pnum n = {0};
    get_pynum(v, &n);
    if (n.isf)
        tfg_tensor_set_f(t, *pos, n.f);
    else {
        if (!tf && t->dtype != TFG_BOOL && !n.isbool &&
            tfg_pyapi_np_int_fits(ev, n.i, t->dtype, loc))
            return -1;
        tfg_tensor_set_i(t, *pos, n.i);
    }
    (*pos)++;
    return 0;
}

/* numpy's np.array(v, dtype): a new array from a number, a nested list/tuple
 * of numbers and arrays, a range or an array (copied when `copy`, else shared
 * when the dtype already matches). dt < 0: inferred. */
int tfg_pyapi_np_from(tfg_eval *ev, tfg_val v, int dt, bool copy, tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    *out = NULL;
    if (v.t == TFG_V_ARRAY) {
        tfg_tensor *x = v.u.p;
        if (dt >= 0 && (tfg_dtype)dt != x->dtype)
            return tfg_pyapi_np_cast(ev, x, (tfg_dtype)dt, loc, out);
        if (!copy) {
            *out = tfg_tensor_ref(x);
            return 0;
        }
        *out = tfg_tensor_copy(x, &err);
        return *out ? 0 : kfail(ev, loc, &err);
    }
    np_disc d = {0};
    if (np_first_shape(ev, v, loc, &d) || np_check(ev, v, 0, loc, &d))
        return -1;
    tfg_dtype target = dt >= 0 ? (tfg_dtype)dt : d.have_dtype ? d.dtype : TFG_FLOAT64;
    tfg_tensor *t = tfg_tensor_new(target, d.rank, d.shape, &err);
    if (!t)
        return kfail(ev, loc, &err);
    int64_t pos = 0;
    if (np_fill(ev, v, t, &pos, loc)) {
        tfg_tensor_unref(t);
        return -1;
    }
    *out = t;
    return 0;
}

/* A shape argument: an int, or a list/tuple (or 1-D int array) of ints. */
int tfg_pyapi_np_shape_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, int *rank, int64_t *shape)
{
    int64_t n = 0;
    if (get_index_quiet(v, &n)) {
        *rank = 1;
        shape[0] = n;
        return 0;
    }
    const tfg_list *l = seq_of(v);
    if (l) {
        if (l->n > TFG_MAX_RANK)
            return too_many_dims(ev, loc);
        for (int i = 0; i < l->n; i++)
            if (get_index(ev, l->items[i], loc, &shape[i]))
                return -1;
        *rank = l->n;
        return 0;
    }
    if (v.t == TFG_V_SHAPE) {
        const tfg_shape *s = &((tfg_shapeobj *)v.u.p)->shape;
        if (!tfg_shape_fully_defined(s))
            return tfg_eval_error(ev, loc, "Cannot convert a partially known TensorShape to a shape");
        *rank = s->rank;
        memcpy(shape, s->dim, sizeof(int64_t) * (size_t)s->rank);
        return 0;
    }
    if (v.t == TFG_V_ARRAY) {
        const tfg_tensor *t = v.u.p;
        if (t->rank == 1 && !tfg_dtype_is_float(t->dtype) && t->size <= TFG_MAX_RANK) {
            for (int64_t i = 0; i < t->size; i++)
                shape[i] = tfg_tensor_get_i(t, i);
            *rank = (int)t->size;
            return 0;
        }
    }
    return tfg_eval_error(ev, loc, "'%s' object cannot be interpreted as an integer",
                          tfg_val_type_name(v));
}

/* Elementwise integer op (bitwise and/or/xor, or ~ with b NULL) on int arrays,
 * numpy broadcasting: the kernels have no bitwise ops. */
int tfg_pyapi_np_bitwise(tfg_eval *ev, int op, const tfg_tensor *a, const tfg_tensor *b,
                         tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    int r = a->rank;
    int64_t shape[TFG_MAX_RANK];
    memcpy(shape, a->shape, sizeof shape);
    if (b && tfg_k_broadcast_shape(a->rank, a->shape, b->rank, b->shape, &r, shape, &err)) {
        char sa[128], sb[128];
        tfg_tensor_shape_str(a->rank, a->shape, sa, sizeof sa);
        tfg_tensor_shape_str(b->rank, b->shape, sb, sizeof sb);
        return tfg_eval_error(ev, loc, "operands could not be broadcast together with shapes %s %s",
                              sa, sb);
    }
    tfg_tensor *o = tfg_tensor_new(a->dtype, r, shape, &err);
    if (!o)
        return kfail(ev, loc, &err);
    int64_t idx[TFG_MAX_RANK] = {0};
    for (int64_t i = 0; i < o->size; i++) {
        int64_t x = tfg_tensor_get_i(a, bcast_flat(r, idx, a->rank, a->shape));
        int64_t v = 0;
        if (!b) {
            v = ~x;
        } else {
            int64_t y = tfg_tensor_get_i(b, bcast_flat(r, idx, b->rank, b->shape));
            v = op == TFG_OP_BITAND ? (x & y) : op == TFG_OP_BITOR ? (x | y) : (x ^ y);
        }
        tfg_tensor_set_i(o, i, v);
        bcast_next(idx, r, shape);
    }
    *out = o;
    return 0;
}

/* numpy matmul of two arrays of the same dtype (1-D operands are vectors). */
int tfg_pyapi_np_matmul_same(tfg_eval *ev, tfg_tensor *a, tfg_tensor *b, tfg_loc loc,
                             tfg_tensor **out)
{
    tfg_error err;
    if (a->rank == 0 || b->rank == 0)
        return tfg_eval_error(ev, loc,
                              "matmul: Input operand %d does not have enough dimensions (has 0, "
                              "gufunc core with signature (n?,k),(k,m?)->(n?,m?) requires 1)",
                              a->rank == 0 ? 0 : 1);
    tfg_tensor *a2 = NULL, *b2 = NULL, *r = NULL;
    int rc = -1;
    if (a->rank == 1) {
        int64_t s[2] = {1, a->shape[0]};
        if (tfg_k_reshape(a, 2, s, &a2, &err))
            goto kerr;
    } else {
        a2 = tfg_tensor_ref(a);
    }
    if (b->rank == 1) {
        int64_t s[2] = {b->shape[0], 1};
        if (tfg_k_reshape(b, 2, s, &b2, &err))
            goto kerr;
    } else {
        b2 = tfg_tensor_ref(b);
    }
    {
        int64_t ka = a2->shape[a2->rank - 1], kb = b2->shape[b2->rank - 2];
        if (ka != kb) {
            rc = tfg_eval_error(ev, loc,
                                "matmul: Input operand 1 has a mismatch in its core dimension 0, "
                                "with gufunc signature (n?,k),(k,m?)->(n?,m?) (size %" PRId64
                                " is different from %" PRId64 ")",
                                kb, ka);
            goto done;
        }
    }
    if (tfg_k_matmul(a2, b2, false, false, &r, &err))
        goto kerr;
    if (a->rank == 1 || b->rank == 1) {
        /* drop the axes the vectors were given */
        int64_t s[TFG_MAX_RANK];
        int rr = 0;
        for (int i = 0; i < r->rank; i++) {
            if (a->rank == 1 && i == r->rank - 2)
                continue;
            if (b->rank == 1 && i == r->rank - 1)
                continue;
            s[rr++] = r->shape[i];
        }
        tfg_tensor *r2;
        if (tfg_k_reshape(r, rr, s, &r2, &err))
            goto kerr;
        tfg_tensor_unref(r);
        r = r2;
    }
    *out = r;
    r = NULL;
    rc = 0;
    goto done;
kerr:
    rc = kfail(ev, loc, &err);
done:
    tfg_tensor_unref(a2);
    tfg_tensor_unref(b2);
    tfg_tensor_unref(r);
    return rc;
}

/* Makes v a numpy operand: 0, 1 when v cannot take part, -1 on error. */
int tfg_pyapi_np_operand_of(tfg_eval *ev, tfg_val v, tfg_loc loc, np_operand *o)
{
    o->t = NULL;
    o->weak = false;
    if (v.t == TFG_V_ARRAY) {
        o->t = tfg_tensor_ref(v.u.p);
        return 0;
    }
    if (get_pynum(v, &o->n)) {
        o->weak = true;
        return 0;
    }
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE || v.t == TFG_V_RANGE)
        return tfg_pyapi_np_from(ev, v, -1, false, loc, &o->t);
    return 1;
}

/* Brings two operands to one dtype (NEP 50): two new array references. */
int tfg_pyapi_np_unify(tfg_eval *ev, np_operand *x, np_operand *y, tfg_loc loc, tfg_tensor **a,
                       tfg_tensor **b)
{
    tfg_error err;
    *a = *b = NULL;
    tfg_dtype dt;
    if (!x->weak && !y->weak)
        dt = tfg_pyapi_np_promote(x->t->dtype, y->t->dtype);
    else if (x->weak && y->weak)
        dt = tfg_pyapi_np_promote(np_pyscalar_dtype(&x->n), np_pyscalar_dtype(&y->n));
    else
        dt = x->weak ? np_weak_dtype(y->t->dtype, &x->n) : np_weak_dtype(x->t->dtype, &y->n);
    np_operand *ops[2] = {x, y};
    tfg_tensor **res[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        np_operand *o = ops[k];
        if (o->weak) {
            if (!o->n.isf && !o->n.isbool && !tfg_dtype_is_float(dt) && dt != TFG_BOOL &&
                tfg_pyapi_np_int_fits(ev, o->n.i, dt, loc))
                goto fail;
            *res[k] = np_scalar(&o->n, dt, &err);
            if (!*res[k]) {
                kfail(ev, loc, &err);
                goto fail;
            }
        } else if (tfg_pyapi_np_cast(ev, o->t, dt, loc, res[k])) {
            goto fail;
        }
    }
    return 0;
fail:
    tfg_tensor_unref(*a);
    tfg_tensor_unref(*b);
    *a = *b = NULL;
    return -1;
}

/* The kernel op of an arithmetic or comparison operator. */
static int np_kernel_op(int op)
{
    switch (op) {
    case TFG_OP_ADD: return TFG_BIN_ADD;
    case TFG_OP_SUB: return TFG_BIN_SUB;
    case TFG_OP_MUL: return TFG_BIN_MUL;
    case TFG_OP_DIV: return TFG_BIN_DIV;
    case TFG_OP_FLOORDIV: return TFG_BIN_FLOORDIV;
    case TFG_OP_MOD: return TFG_BIN_MOD;
    case TFG_OP_POW: return TFG_BIN_POW;
    case TFG_OP_EQ: return TFG_BIN_EQUAL;
    case TFG_OP_NE: return TFG_BIN_NOT_EQUAL;
    case TFG_OP_LT: return TFG_BIN_LESS;
    case TFG_OP_LE: return TFG_BIN_LESS_EQUAL;
    case TFG_OP_GT: return TFG_BIN_GREATER;
    case TFG_OP_GE: return TFG_BIN_GREATER_EQUAL;
    default: return -1;
    }
}

/* numpy's ufunc name of an operator, for messages. */
static const char *np_ufunc_name(int op)
{
    switch (op) {
    case TFG_OP_ADD: return "add";
    case TFG_OP_SUB: return "subtract";
    case TFG_OP_MUL: return "multiply";
    case TFG_OP_DIV: return "divide";
    case TFG_OP_FLOORDIV: return "floor_divide";
    case TFG_OP_MOD: return "remainder";
    case TFG_OP_POW: return "power";
    case TFG_OP_BITAND: return "bitwise_and";
    case TFG_OP_BITOR: return "bitwise_or";
    case TFG_OP_BITXOR: return "bitwise_xor";
    case TFG_OP_MATMUL: return "matmul";
    default: return "?";
    }
}

/* Writes a shape as numpy does, a tuple: (2,) or (2,3) (cut at cap bytes). */
void tfg_pyapi_np_shape_text(char *buf, size_t cap, int rank, const int64_t *shape)
{
    size_t u = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < rank && u < cap; i++)
        u += (size_t)snprintf(buf + u, cap - u, i ? ",%" PRId64 : "%" PRId64, shape[i]);
    if (u < cap)
        snprintf(buf + u, cap - u, rank == 1 ? ",)" : ")");
}

/* An elementwise kernel op on two same-dtype arrays with numpy's shape message. */
int tfg_pyapi_np_kernel(tfg_eval *ev, tfg_binop kop, const tfg_tensor *a, const tfg_tensor *b,
                        tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    int r = 0;
    int64_t s[TFG_MAX_RANK];
    if (tfg_k_broadcast_shape(a->rank, a->shape, b->rank, b->shape, &r, s, &err)) {
        char sa[160], sb[160];
        tfg_pyapi_np_shape_text(sa, sizeof sa, a->rank, a->shape);
        tfg_pyapi_np_shape_text(sb, sizeof sb, b->rank, b->shape);
        return tfg_eval_error(ev, loc, "operands could not be broadcast together with shapes %s %s ",
                              sa, sb);
    }
    if (tfg_k_binary(kop, a, b, out, &err))
        return kfail(ev, loc, &err);
    return 0;
}

/* Integer // and % on arrays as numpy: a zero divisor gives 0 (numpy warns). */
static int np_int_divmod(tfg_eval *ev, tfg_binop kop, const tfg_tensor *a, const tfg_tensor *b,
                         tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    bool zero = false;
    for (int64_t i = 0; i < b->size && !zero; i++)
        zero = tfg_tensor_get_i(b, i) == 0;
    if (!zero)
        return tfg_pyapi_np_kernel(ev, kop, a, b, loc, out);
    tfg_tensor *b1 = tfg_tensor_copy(b, &err);
    if (!b1)
        return kfail(ev, loc, &err);
    for (int64_t i = 0; i < b1->size; i++)
        if (tfg_tensor_get_i(b1, i) == 0)
            tfg_tensor_set_i(b1, i, 1);
    tfg_tensor *r;
    int rc = tfg_pyapi_np_kernel(ev, kop, a, b1, loc, &r);
    tfg_tensor_unref(b1);
    if (rc)
        return -1;
    int64_t idx[TFG_MAX_RANK] = {0};
    for (int64_t i = 0; i < r->size; i++) {
        if (tfg_tensor_get_i(b, bcast_flat(r->rank, idx, b->rank, b->shape)) == 0)
            tfg_tensor_set_i(r, i, 0);
        bcast_next(idx, r->rank, r->shape);
    }
    *out = r;
    return 0;
}

/* Operators with an array operand, numpy semantics: 0, 1 (unsupported), -1. */
int tfg_pyapi_array_binop(tfg_eval *ev, int op, tfg_val av, tfg_val bv, tfg_loc loc, tfg_val *out)
{
    np_operand x, y;
    int rc = tfg_pyapi_np_operand_of(ev, av, loc, &x);
    if (rc)
        return rc;
    rc = tfg_pyapi_np_operand_of(ev, bv, loc, &y);
    if (rc) {
        tfg_tensor_unref(x.t);
        return rc;
    }
    tfg_tensor *a = NULL, *b = NULL, *r = NULL;
    rc = -1;
    if (tfg_pyapi_np_unify(ev, &x, &y, loc, &a, &b))
        goto done;
    tfg_dtype dt = a->dtype;
    int kop = np_kernel_op(op);
    switch (op) {
    case TFG_OP_MATMUL:
        rc = tfg_pyapi_np_matmul_same(ev, a, b, loc, &r);
        break;
    case TFG_OP_BITAND:
    case TFG_OP_BITOR:
    case TFG_OP_BITXOR:
        if (dt == TFG_BOOL) {
            tfg_binop bop = op == TFG_OP_BITAND ? TFG_BIN_LOGICAL_AND
                          : op == TFG_OP_BITOR ? TFG_BIN_LOGICAL_OR : TFG_BIN_NOT_EQUAL;
            rc = tfg_pyapi_np_kernel(ev, bop, a, b, loc, &r);
        } else if (tfg_dtype_is_int(dt)) {
            rc = tfg_pyapi_np_bitwise(ev, op, a, b, loc, &r);
        } else {
            rc = tfg_eval_error(ev, loc,
                                "ufunc '%s' not supported for the input types, and the inputs could "
                                "not be safely coerced to any supported types according to the "
                                "casting rule ''safe''",
                                np_ufunc_name(op));
        }
        break;
    case TFG_OP_SUB:
        if (dt == TFG_BOOL) {
            rc = tfg_eval_error(ev, loc,
                                "numpy boolean subtract, the `-` operator, is not supported, use the "
                                "bitwise_xor, the `^` operator, or the logical_xor function instead.");
            break;
        }
        rc = tfg_pyapi_np_kernel(ev, TFG_BIN_SUB, a, b, loc, &r);
        break;
    case TFG_OP_DIV:
    case TFG_OP_FLOORDIV:
    case TFG_OP_MOD:
    case TFG_OP_POW: {
        /* true division of integers is float64; bool arithmetic beyond + * goes through ints */
        tfg_dtype want = dt;
        if (op == TFG_OP_DIV && !tfg_dtype_is_float(dt))
            want = TFG_FLOAT64;
        else if (dt == TFG_BOOL)
            want = TFG_INT64;
        if (want != dt) {
            tfg_tensor *a2, *b2;
            if (tfg_pyapi_np_cast(ev, a, want, loc, &a2))
                break;
            if (tfg_pyapi_np_cast(ev, b, want, loc, &b2)) {
                tfg_tensor_unref(a2);
                break;
            }
            tfg_tensor_unref(a);
            tfg_tensor_unref(b);
            a = a2;
            b = b2;
        }
        if ((op == TFG_OP_FLOORDIV || op == TFG_OP_MOD) && tfg_dtype_is_int(a->dtype))
            rc = np_int_divmod(ev, (tfg_binop)kop, a, b, loc, &r);
        else
            rc = tfg_pyapi_np_kernel(ev, (tfg_binop)kop, a, b, loc, &r);
        break;
    }
    default:
        if (kop < 0) {
            rc = 1;
            break;
        }
        rc = tfg_pyapi_np_kernel(ev, (tfg_binop)kop, a, b, loc, &r);
        break;
    }
    if (rc == 0)
        give_array(r, out);
done:
    tfg_tensor_unref(x.t);
    tfg_tensor_unref(y.t);
    tfg_tensor_unref(a);
    tfg_tensor_unref(b);
    return rc;
}

/* ======================================================================
 * Indexing arrays
 * ====================================================================== */

/* arr[int array / list of ints / bool mask] along axis 0 (numpy advanced indexing, 1-D index). */
static int array_take(tfg_eval *ev, tfg_tensor *x, tfg_val idx, tfg_loc loc, tfg_val *out)
{
    tfg_tensor *it = NULL, *ix = NULL, *r = NULL;
    tfg_error err;
    int rc = -1;
    if (tfg_pyapi_np_from(ev, idx, -1, false, loc, &it))
        return -1;
    if (x->rank == 0) {
        rc = tfg_eval_error(ev, loc, "too many indices for array: array is 0-dimensional, but 1 were "
                                     "indexed");
        goto done;
    }
    if (it->rank > 1 || tfg_dtype_is_float(it->dtype)) {
        rc = tfg_eval_error(ev, loc,
                            "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                            "and integer or boolean arrays are valid indices");
        goto done;
    }
    int64_t n = it->size;
    if (it->dtype == TFG_BOOL) {
        if (it->size != x->shape[0]) {
            rc = tfg_eval_error(ev, loc,
                                "boolean index did not match indexed array along axis 0; size of "
                                "axis is %" PRId64 " but size of corresponding boolean axis is %" PRId64,
                                x->shape[0], it->size);
            goto done;
        }
        n = 0;
        for (int64_t i = 0; i < it->size; i++)
            n += tfg_tensor_get_i(it, i) != 0;
    }
    ix = tfg_tensor_new(TFG_INT64, 1, &n, &err);
    if (!ix) {
        rc = kfail(ev, loc, &err);
        goto done;
    }
    for (int64_t i = 0, k = 0; i < it->size; i++) {
        int64_t v = tfg_tensor_get_i(it, i);
        if (it->dtype == TFG_BOOL) {
            if (v)
                tfg_tensor_set_i(ix, k++, i);
            continue;
        }
        if (v < 0)
            v += x->shape[0];
        if (v < 0 || v >= x->shape[0]) {
            rc = tfg_eval_error(ev, loc, "index %" PRId64 " is out of bounds for axis 0 with size %" PRId64,
                                tfg_tensor_get_i(it, i), x->shape[0]);
            goto done;
        }
        tfg_tensor_set_i(ix, k++, v);
    }
    if (tfg_k_gather(x, ix, 0, &r, &err)) {
        rc = kfail(ev, loc, &err);
        goto done;
    }
    rc = give_array(r, out);
done:
    tfg_tensor_unref(it);
    tfg_tensor_unref(ix);
    return rc;
}

/* arr[idx] with numpy basic indexing (and 1-D integer/boolean index arrays). */
int tfg_pyapi_array_subscript(tfg_eval *ev, tfg_tensor *x, tfg_val idx, tfg_loc loc, tfg_val *out)
{
    if (idx.t == TFG_V_LIST || (idx.t == TFG_V_ARRAY && tfg_val_as_array(idx)->rank > 0) ||
        (idx.t == TFG_V_ARRAY && tfg_val_as_array(idx)->dtype == TFG_BOOL))
        return array_take(ev, x, idx, loc, out);
    const tfg_val *items = &idx;
    int count = 1;
    if (idx.t == TFG_V_TUPLE) {
        items = tfg_val_as_list(idx)->items;
        count = tfg_val_as_list(idx)->n;
    }
    int64_t dummy = 0;
    for (int k = 0; k < count; k++) {
        tfg_val v = items[k];
        if (!get_index_quiet(v, &dummy) && v.t != TFG_V_NONE && v.t != TFG_V_SLICE)
            return tfg_eval_error(ev, loc,
                                  "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis "
                                  "(`None`) and integer or boolean arrays are valid indices");
    }
    tfg_slice_spec specs[2 * TFG_MAX_RANK];
    int n = 0;
    if (count > 2 * TFG_MAX_RANK)
        return tfg_eval_error(ev, loc, "too many indices for array: array is %d-dimensional, but %d "
                                       "were indexed",
                              x->rank, count);
    if (tfg_api_py_slice_specs(ev, idx, loc, specs, 2 * TFG_MAX_RANK, &n))
        return -1;
    int indexed = 0, newaxes = 0;
    for (int k = 0; k < n; k++) {
        if (specs[k].kind == TFG_SLICE_NEWAXIS) {
            newaxes++;
            continue;
        }
        if (indexed >= x->rank) {
            int total = 0;
            for (int q = 0; q < n; q++)
                total += specs[q].kind != TFG_SLICE_NEWAXIS;
            return tfg_eval_error(ev, loc,
                                  "too many indices for array: array is %d-dimensional, but %d were "
                                  "indexed",
                                  x->rank, total);
        }
        if (specs[k].kind == TFG_SLICE_INDEX) {
            int64_t i = specs[k].index, d = x->shape[indexed];
            if (i < -d || i >= d)
                return tfg_eval_error(ev, loc,
                                      "index %" PRId64 " is out of bounds for axis %d with size %" PRId64,
                                      i, indexed, d);
        }
        indexed++;
    }
    if (x->rank - indexed + (n - indexed) > TFG_MAX_RANK)
        return too_many_dims(ev, loc);
    (void)newaxes;
    tfg_tensor *r;
    tfg_error err;
    if (tfg_k_slice(x, specs, n, &r, &err))
        return kfail(ev, loc, &err);
    return give_array(r, out);
}
