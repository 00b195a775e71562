/* api_py.c — the Python side of the script language (module prefix
 * tfg_api_py_; shared internals tfg_pyapi_, see api_py_impl.h): the helpers
 * its files share, Python numbers, the operators on host values (numbers,
 * str, list, tuple; arrays through api_np.c), comparisons, membership and
 * identity, subscripts and slices, and the attribute lookup of host values
 * (the method tables live with their families).
 */
#include "api_py_impl.h"

/* ======================================================================
 * Shared helpers
 * ====================================================================== */

/* The text of repr(v), malloc'd (NULL on OOM). */
static char *repr_of(tfg_val v)
{
    tfg_sb b = {0};
    tfg_val_repr_into(&b, v);
    return tfg_sb_take(&b);
}

/* Records an error whose message contains repr(v) through "%s" in fmt. */
int tfg_pyapi_error_with_repr(tfg_eval *ev, tfg_loc loc, const char *fmt, tfg_val v)
{
    char *r = repr_of(v);
    if (!r)
        return oom(ev, loc);
    char msg[512];
    /* clip long reprs: a message is one line of reasonable length */
    if (strlen(r) > 200)
        strcpy(r + 197, "...");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(msg, sizeof msg, fmt, r);
#pragma GCC diagnostic pop
    free(r);
    return tfg_eval_error(ev, loc, "%s", msg);
}

/* ======================================================================
 * Numbers
 * ====================================================================== */

/* Integer power by squaring with overflow detection; false on overflow. */
static bool ipow(int64_t base, int64_t e, int64_t *out)
{
    int64_t r = 1;
    while (e > 0) {
        if (e & 1) {
            if (__builtin_mul_overflow(r, base, &r))
                return false;
        }
        e >>= 1;
        if (e > 0 && __builtin_mul_overflow(base, base, &base)) {
            /* base squared overflows: only fine when no further factor is needed */
            return false;
        }
    }
    *out = r;
    return true;
}

/* Python's float divmod: floor quotient and modulo with b's sign. */
static void float_divmod(double vx, double wx, double *floordiv, double *mod)
{
    double m = fmod(vx, wx);
    double div = (vx - m) / wx;
    if (m != 0.0) {
        if ((wx < 0) != (m < 0)) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = copysign(0.0, wx);
    }
    double fd = 0.0;
    if (div != 0.0) {
        fd = floor(div);
        if (div - fd > 0.5)
            fd += 1.0;
    } else {
        fd = copysign(0.0, vx / wx);
    }
    *floordiv = fd;
    *mod = m;
}

/* Arithmetic and bitwise operators on two Python numbers: 0, 1 (unsupported), -1. */
static int num_binop(tfg_eval *ev, int op, const pnum *x, const pnum *y, tfg_loc loc,
                     tfg_val *out)
{
    if (op == TFG_OP_BITAND || op == TFG_OP_BITOR || op == TFG_OP_BITXOR) {
        if (x->isf || y->isf)
            return 1;
        int64_t r = op == TFG_OP_BITAND ? (x->i & y->i)
                  : op == TFG_OP_BITOR ? (x->i | y->i) : (x->i ^ y->i);
        *out = (x->isbool && y->isbool) ? tfg_val_bool(r != 0) : tfg_val_int(r);
        return 0;
    }
    if (op == TFG_OP_MATMUL)
        return 1;
    if (!x->isf && !y->isf) {
        int64_t a = x->i, b = y->i, r;
        switch (op) {
        case TFG_OP_ADD:
        case TFG_OP_SUB:
        case TFG_OP_MUL: {
            bool over = op == TFG_OP_ADD   ? __builtin_add_overflow(a, b, &r)
                        : op == TFG_OP_SUB ? __builtin_sub_overflow(a, b, &r)
                                           : __builtin_mul_overflow(a, b, &r);
            if (over)
                return int_overflow(ev, loc);
            *out = tfg_val_int(r);
            return 0;
        }
        case TFG_OP_DIV:
            if (b == 0)
                return tfg_eval_error(ev, loc, "division by zero");
            *out = tfg_val_float((double)a / (double)b);
            return 0;
        case TFG_OP_FLOORDIV:
        case TFG_OP_MOD: {
            if (b == 0)
                return tfg_eval_error(ev, loc, op == TFG_OP_MOD ? "integer modulo by zero"
                                                               : "integer division or modulo by zero");
            if (a == INT64_MIN && b == -1) {
                if (op == TFG_OP_MOD) {
                    *out = tfg_val_int(0);
                    return 0;
                }
                return int_overflow(ev, loc);
            }
            int64_t q = a / b, m = a % b;
            if (m != 0 && ((m < 0) != (b < 0))) {
                q -= 1;
                m += b;
            }
            *out = tfg_val_int(op == TFG_OP_MOD ? m : q);
            return 0;
        }
        case TFG_OP_POW:
            if (b < 0) {
                if (a == 0)
                    return tfg_eval_error(ev, loc, "0.0 cannot be raised to a negative power");
                *out = tfg_val_float(pow((double)a, (double)b));
                return 0;
            }
            if (!ipow(a, b, &r))
                return int_overflow(ev, loc);
            *out = tfg_val_int(r);
            return 0;
        default:
            return 1;
        }
    }
    double a = x->isf ? x->f : (double)x->i, b = y->isf ? y->f : (double)y->i;
    switch (op) {
    case TFG_OP_ADD: *out = tfg_val_float(a + b); return 0;
    case TFG_OP_SUB: *out = tfg_val_float(a - b); return 0;
    case TFG_OP_MUL: *out = tfg_val_float(a * b); return 0;
    case TFG_OP_DIV:
        if (b == 0.0)
            return tfg_eval_error(ev, loc, "float division by zero");
        *out = tfg_val_float(a / b);
        return 0;
    case TFG_OP_FLOORDIV:
    case TFG_OP_MOD: {
        if (b == 0.0)
            return tfg_eval_error(ev, loc, op == TFG_OP_MOD ? "float modulo"
                                                           : "float floor division by zero");
        double q = 0.0, m = 0.0;
        float_divmod(a, b, &q, &m);
        *out = tfg_val_float(op == TFG_OP_MOD ? m : q);
        return 0;
    }
    case TFG_OP_POW: {
        if (a == 0.0 && b < 0.0)
            return tfg_eval_error(ev, loc, "0.0 cannot be raised to a negative power");
        if (a < 0.0 && isfinite(b) && b != floor(b))
            return tfg_eval_error(ev, loc,
                                  "a negative number raised to a fractional power is complex "
                                  "(complex numbers are not supported)");
        double r = pow(a, b);
        if (isinf(r) && isfinite(a) && isfinite(b))
            return tfg_eval_error(ev, loc, "(34, 'Numerical result out of range')");
        *out = tfg_val_float(r);
        return 0;
    }
    default:
        return 1;
    }
}

/* Compares two Python numbers exactly (ints against floats without rounding).
 * Returns -1, 0, 1, or 2 when unordered (NaN). */
static int num_cmp(const pnum *x, const pnum *y)
{
    if (!x->isf && !y->isf)
        return (x->i > y->i) - (x->i < y->i);
    long double a = x->isf ? (long double)x->f : (long double)x->i;
    long double b = y->isf ? (long double)y->f : (long double)y->i;
    if (isnan(a) || isnan(b))
        return 2;
    return (a > b) - (a < b);
}

/* Whether a three-way result c (-1, 0, 1, 2 unordered) satisfies comparison op. */
static bool cmp_holds(int op, int c)
{
    if (c == 2)
        return op == TFG_OP_NE;
    switch (op) {
    case TFG_OP_EQ: return c == 0;
    case TFG_OP_NE: return c != 0;
    case TFG_OP_LT: return c < 0;
    case TFG_OP_LE: return c <= 0;
    case TFG_OP_GT: return c > 0;
    case TFG_OP_GE: return c >= 0;
    default: return false;
    }
}

/* The operator's text for messages. */
static const char *op_text(int op)
{
    switch (op) {
    case TFG_OP_ADD: return "+";
    case TFG_OP_SUB: return "-";
    case TFG_OP_MUL: return "*";
    case TFG_OP_DIV: return "/";
    case TFG_OP_FLOORDIV: return "//";
    case TFG_OP_MOD: return "%";
    case TFG_OP_POW: return "**";
    case TFG_OP_MATMUL: return "@";
    case TFG_OP_BITAND: return "&";
    case TFG_OP_BITOR: return "|";
    case TFG_OP_BITXOR: return "^";
    case TFG_OP_EQ: return "==";
    case TFG_OP_NE: return "!=";
    case TFG_OP_LT: return "<";
    case TFG_OP_LE: return "<=";
    case TFG_OP_GT: return ">";
    case TFG_OP_GE: return ">=";
    case TFG_OP_IN: return "in";
    case TFG_OP_NOT_IN: return "not in";
    case TFG_OP_IS: return "is";
    case TFG_OP_IS_NOT: return "is not";
    case TFG_OP_NEG: return "-";
    case TFG_OP_POS: return "+";
    case TFG_OP_INVERT: return "~";
    case TFG_OP_NOT: return "not";
    default: return "?";
    }
}

/* A float as a Python int (truncation) with Python's errors. */
int tfg_pyapi_float_to_int(tfg_eval *ev, double f, tfg_loc loc, int64_t *out)
{
    if (isnan(f))
        return tfg_eval_error(ev, loc, "cannot convert float NaN to integer");
    if (isinf(f))
        return tfg_eval_error(ev, loc, "cannot convert float infinity to integer");
    if (f >= 9223372036854775808.0 || f < -9223372036854775808.0)
        return int_overflow(ev, loc);
    *out = (int64_t)f;
    return 0;
}

/* Rounds an int to a multiple of 10**k (k > 0), half to even. */
int tfg_pyapi_round_int_neg(tfg_eval *ev, int64_t v, int64_t k, tfg_loc loc, int64_t *out)
{
    if (k > 18) {
        *out = 0;
        return 0;
    }
    int64_t p = 1;
    for (int64_t i = 0; i < k; i++)
        p *= 10;
    int64_t q = v / p, r = v % p;
    if (r < 0) {
        r += p;
        q -= 1;
    }
    /* compare 2r with p without overflow */
    if (r > p - r || (r == p - r && (q & 1)))
        q += 1;
    if (__builtin_mul_overflow(q, p, out))
        return int_overflow(ev, loc);
    return 0;
}

/* ======================================================================
 * Comparisons, membership, identity
 * ====================================================================== */

static int py_compare(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, bool *res);

/* Records Python's TypeError for an unsupported ordering comparison. */
static int order_error(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc)
{
    return tfg_eval_error(ev, loc, "'%s' not supported between instances of '%s' and '%s'",
                          op_text(op), tfg_val_type_name(a), tfg_val_type_name(b));
}

/* Lexicographic comparison of byte strings: -1, 0, 1. */
static int bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c)
        return c < 0 ? -1 : 1;
    return (na > nb) - (na < nb);
}

/* A comparison (== != < <= > >=) of two non-array host values as Python does. */
static int py_compare(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, bool *res)
{
    pnum x, y;
    if (get_pynum(a, &x) && get_pynum(b, &y)) {
        *res = cmp_holds(op, num_cmp(&x, &y));
        return 0;
    }
    if (op == TFG_OP_EQ || op == TFG_OP_NE) {
        bool eq = tfg_val_eq(a, b);
        *res = op == TFG_OP_EQ ? eq : !eq;
        return 0;
    }
    if (a.t == TFG_V_STR && b.t == TFG_V_STR) {
        *res = cmp_holds(op, bytes_cmp(sv(a), slen(a), sv(b), slen(b)));
        return 0;
    }
    if ((a.t == TFG_V_LIST || a.t == TFG_V_TUPLE) && a.t == b.t) {
        const tfg_list *l = a.u.p, *m = b.u.p;
        int n = l->n < m->n ? l->n : m->n;
        for (int i = 0; i < n; i++) {
            if (tfg_val_eq(l->items[i], m->items[i]))
                continue;
            return py_compare(ev, op, l->items[i], m->items[i], loc, res);
        }
        *res = cmp_holds(op, (l->n > m->n) - (l->n < m->n));
        return 0;
    }
    return order_error(ev, op, a, b, loc);
}

/* Python's `is`: identity of objects, equality of inline scalars of one kind. */
bool tfg_pyapi_is(tfg_val a, tfg_val b)
{
    if (a.t != b.t)
        return false;
    switch (a.t) {
    case TFG_V_NONE:
    case TFG_V_GRAPH:
    case TFG_V_MISSING:
        return true;
    case TFG_V_BOOL:
    case TFG_V_INT:
    case TFG_V_DTYPE:
        return a.u.i == b.u.i;
    case TFG_V_FLOAT:
        return memcmp(&a.u.f, &b.u.f, sizeof(double)) == 0;
    case TFG_V_TENSOR:
        return a.u.e.node == b.u.e.node && a.u.e.index == b.u.e.index;
    case TFG_V_OP:
    case TFG_V_VARIABLE:
        return a.u.e.node == b.u.e.node;
    default:
        return a.u.p == b.u.p;
    }
}

/* Truth of a value produced here (bools, numpy bool scalars); errors as tfg_eval_truth. */
static int truth_of(tfg_eval *ev, tfg_val v, tfg_loc loc, bool *res)
{
    if (v.t == TFG_V_BOOL) {
        *res = v.u.i != 0;
        return 0;
    }
    return tfg_eval_truth(ev, v, loc, res);
}

/* `item in container`: 0 with *res, 1 unsupported, -1 error. */
static int py_contains(tfg_eval *ev, tfg_val container, tfg_val item, tfg_loc loc, bool *res)
{
    *res = false;
    switch (container.t) {
    case TFG_V_LIST:
    case TFG_V_TUPLE: {
        const tfg_list *l = container.u.p;
        for (int i = 0; i < l->n; i++) {
            tfg_val e = l->items[i];
            if (tfg_pyapi_is(e, item)) {
                *res = true;
                return 0;
            }
            if (e.t == TFG_V_ARRAY || item.t == TFG_V_ARRAY) {
                /* numpy ==, then the truth of its result (ambiguous for arrays) */
                tfg_val r;
                int rc = tfg_pyapi_array_binop(ev, TFG_OP_EQ, item, e, loc, &r);
                if (rc == 1) {
                    continue;
                }
                if (rc)
                    return -1;
                bool t = false;
                rc = truth_of(ev, r, loc, &t);
                tfg_val_decref(r);
                if (rc)
                    return -1;
                if (t) {
                    *res = true;
                    return 0;
                }
                continue;
            }
            if (tfg_val_eq(e, item)) {
                *res = true;
                return 0;
            }
        }
        return 0;
    }
    case TFG_V_DICT:
        if (item.t == TFG_V_LIST || item.t == TFG_V_DICT ||
            (item.t == TFG_V_ARRAY && tfg_val_as_array(item)->rank > 0))
            return tfg_eval_error(ev, loc, "unhashable type: '%s'", tfg_val_type_name(item));
        *res = tfg_val_dict_get(container, item) != NULL;
        return 0;
    case TFG_V_STR:
        if (item.t != TFG_V_STR)
            return tfg_eval_error(ev, loc, "'in <string>' requires string as left operand, not %s",
                                  tfg_val_type_name(item));
        *res = slen(item) == 0 || memmem(sv(container), slen(container), sv(item), slen(item));
        return 0;
    case TFG_V_RANGE: {
        pnum n;
        if (!get_num(item, &n, false))
            return 0;
        const tfg_list *r = container.u.p;
        int64_t a = r->items[0].u.i, s = r->items[2].u.i, len = range_len(r);
        if (n.isf) {
            if (n.f != floor(n.f) || !isfinite(n.f) || fabs(n.f) > 9.2e18)
                return 0;
            n.i = (int64_t)n.f;
        }
        if (len == 0)
            return 0;
        int64_t last = a + (len - 1) * s;
        int64_t lo = s > 0 ? a : last, hi = s > 0 ? last : a;
        *res = n.i >= lo && n.i <= hi && (n.i - a) % s == 0;
        return 0;
    }
    case TFG_V_ARRAY: {
        /* numpy: (arr == item).any() */
        tfg_val r;
        int rc = tfg_pyapi_array_binop(ev, TFG_OP_EQ, container, item, loc, &r);
        if (rc)
            return rc;
        tfg_tensor *t = r.u.p;
        for (int64_t i = 0; i < t->size && !*res; i++)
            *res = tfg_tensor_get_i(t, i) != 0;
        tfg_val_decref(r);
        return 0;
    }
    default:
        return 1;
    }
}

/* a (op) b for op in < <= > >= with Python's errors, as a C bool. */
int tfg_pyapi_order(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, bool *res)
{
    tfg_val r;
    int rc = tfg_api_py_binop(ev, op, a, b, loc, &r);
    if (rc == 1)
        return order_error(ev, op, a, b, loc);
    if (rc)
        return -1;
    if (r.t == TFG_V_UNKNOWN) {
        *res = false;
        return 0;
    }
    rc = truth_of(ev, r, loc, res);
    tfg_val_decref(r);
    return rc;
}

/* ======================================================================
 * Sequences: concatenation and repetition
 * ====================================================================== */

/* list + list, tuple + tuple: a new sequence of kind t. */
int tfg_pyapi_seq_concat(tfg_eval *ev, tfg_vtype t, const tfg_list *x, const tfg_list *y,
                         tfg_loc loc, tfg_val *out)
{
    if ((int64_t)x->n + y->n > INT32_MAX / 2)
        return oom(ev, loc);
    tfg_val r = tfg_val_list_new(t, x->n + y->n);
    if (r.t == TFG_V_MISSING)
        return oom(ev, loc);
    for (int i = 0; i < x->n; i++)
        tfg_val_list_append(r, tfg_val_incref(x->items[i]));
    for (int i = 0; i < y->n; i++)
        tfg_val_list_append(r, tfg_val_incref(y->items[i]));
    *out = r;
    return 0;
}

/* seq * n for str, list and tuple (n <= 0 gives an empty sequence). */
static int seq_repeat(tfg_eval *ev, tfg_val s, int64_t n, tfg_loc loc, tfg_val *out)
{
    if (n < 0)
        n = 0;
    if (s.t == TFG_V_STR) {
        size_t len = slen(s);
        if (len == 0)
            n = 0;   /* "" * 10**18 is "" at once, not after 10**18 steps */
        if (len && (uint64_t)n > ((uint64_t)1 << 30) / len)
            return oom(ev, loc);
        tfg_sb b = {0};
        for (int64_t i = 0; i < n && !b.oom; i++)
            tfg_sb_addn(&b, sv(s), len);
        return give(ev, loc, sb_val(&b), out);
    }
    const tfg_list *l = s.u.p;
    if (l->n == 0)
        n = 0;
    if (l->n && n > (INT32_MAX / 2) / l->n)
        return oom(ev, loc);
    tfg_val r = tfg_val_list_new(s.t, (int)(l->n * n));
    if (r.t == TFG_V_MISSING)
        return oom(ev, loc);
    for (int64_t k = 0; k < n; k++)
        for (int i = 0; i < l->n; i++)
            tfg_val_list_append(r, tfg_val_incref(l->items[i]));
    *out = r;
    return 0;
}

/* ======================================================================
 * Operators: the entry points
 * ====================================================================== */

/* Operators on host values (see eval.h): 0, 1 when unsupported, -1 on error. */
int tfg_api_py_binop(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, tfg_val *out)
{
    if (op == TFG_OP_IS || op == TFG_OP_IS_NOT) {
        bool same = tfg_pyapi_is(a, b);
        *out = tfg_val_bool(op == TFG_OP_IS ? same : !same);
        return 0;
    }
    if (a.t == TFG_V_UNKNOWN || b.t == TFG_V_UNKNOWN) {
        out->t = TFG_V_UNKNOWN;
        return 0;
    }
    if (op == TFG_OP_IN || op == TFG_OP_NOT_IN) {
        bool r = false;
        int rc = py_contains(ev, b, a, loc, &r);
        if (rc == 1)
            return tfg_eval_error(ev, loc, "argument of type '%s' is not iterable",
                                  tfg_val_type_name(b));
        if (rc)
            return rc;
        *out = tfg_val_bool(op == TFG_OP_IN ? r : !r);
        return 0;
    }
    if (is_graph(a) || is_graph(b)) {
        /* TF 1.x graph objects compare by identity; everything else builds ops */
        if (op == TFG_OP_EQ || op == TFG_OP_NE) {
            bool eq = tfg_val_eq(a, b);
            *out = tfg_val_bool(op == TFG_OP_EQ ? eq : !eq);
            return 0;
        }
        return 1;
    }
    if (a.t == TFG_V_STR && op == TFG_OP_MOD)
        return tfg_pyapi_percent_format(ev, a, b, loc, out);
    if (a.t == TFG_V_ARRAY || b.t == TFG_V_ARRAY) {
        int rc = tfg_pyapi_array_binop(ev, op, a, b, loc, out);
        if (rc != 1 || op < TFG_OP_EQ || op > TFG_OP_GE)
            return rc;
        /* array == "text" and the like: Python's fallback to identity */
        if (op == TFG_OP_EQ || op == TFG_OP_NE) {
            bool eq = tfg_val_eq(a, b);
            *out = tfg_val_bool(op == TFG_OP_EQ ? eq : !eq);
            return 0;
        }
        return order_error(ev, op, a, b, loc);
    }
    if (op >= TFG_OP_EQ && op <= TFG_OP_GE) {
        bool r = false;
        if (py_compare(ev, op, a, b, loc, &r))
            return -1;
        *out = tfg_val_bool(r);
        return 0;
    }
    pnum x, y;
    if (get_pynum(a, &x) && get_pynum(b, &y))
        return num_binop(ev, op, &x, &y, loc, out);
    if (op == TFG_OP_ADD) {
        if (a.t == TFG_V_STR && b.t == TFG_V_STR) {
            tfg_sb s = {0};
            tfg_sb_addn(&s, sv(a), slen(a));
            tfg_sb_addn(&s, sv(b), slen(b));
            return give(ev, loc, sb_val(&s), out);
        }
        if ((a.t == TFG_V_LIST || a.t == TFG_V_TUPLE) && a.t == b.t)
            return tfg_pyapi_seq_concat(ev, a.t, a.u.p, b.u.p, loc, out);
        if ((a.t == TFG_V_LIST || a.t == TFG_V_TUPLE) && (b.t == TFG_V_LIST || b.t == TFG_V_TUPLE))
            return tfg_eval_error(ev, loc, "can only concatenate %s (not \"%s\") to %s",
                                  tfg_val_type_name(a), tfg_val_type_name(b), tfg_val_type_name(a));
        return 1;
    }
    if (op == TFG_OP_MUL) {
        bool aseq = a.t == TFG_V_STR || a.t == TFG_V_LIST || a.t == TFG_V_TUPLE;
        bool bseq = b.t == TFG_V_STR || b.t == TFG_V_LIST || b.t == TFG_V_TUPLE;
        if (aseq || bseq) {
            tfg_val seq = aseq ? a : b, cnt = aseq ? b : a;
            int64_t n = 0;
            if (!get_index_quiet(cnt, &n)) {
                if (aseq && bseq)
                    return 1;
                return tfg_eval_error(ev, loc, "can't multiply sequence by non-int of type '%s'",
                                      tfg_val_type_name(cnt));
            }
            return seq_repeat(ev, seq, n, loc, out);
        }
    }
    return 1;
}

/* Unary operators - + ~ not on host values: 0, 1 when unsupported, -1 on error. */
int tfg_api_py_unop(tfg_eval *ev, int op, tfg_val a, tfg_loc loc, tfg_val *out)
{
    if (a.t == TFG_V_UNKNOWN) {
        out->t = TFG_V_UNKNOWN;
        return 0;
    }
    if (op == TFG_OP_NOT) {
        if (is_graph(a))
            return 1;
        bool t = false;
        if (tfg_eval_truth(ev, a, loc, &t))
            return -1;
        *out = tfg_val_bool(!t);
        return 0;
    }
    if (a.t == TFG_V_BOOL || a.t == TFG_V_INT) {
        int64_t v = a.u.i;
        switch (op) {
        case TFG_OP_NEG:
            if (v == INT64_MIN)
                return int_overflow(ev, loc);
            *out = tfg_val_int(-v);
            return 0;
        case TFG_OP_POS:
            *out = tfg_val_int(v);
            return 0;
        case TFG_OP_INVERT:
            *out = tfg_val_int(~v);
            return 0;
        default:
            return 1;
        }
    }
    if (a.t == TFG_V_FLOAT) {
        if (op == TFG_OP_NEG) {
            *out = tfg_val_float(-a.u.f);
            return 0;
        }
        if (op == TFG_OP_POS) {
            *out = a;
            return 0;
        }
        return 1;
    }
    if (a.t == TFG_V_ARRAY) {
        tfg_tensor *t = a.u.p, *r = NULL;
        tfg_error err;
        switch (op) {
        case TFG_OP_NEG:
            if (t->dtype == TFG_BOOL)
                return tfg_eval_error(ev, loc,
                                      "The numpy boolean negative, the `-` operator, is not "
                                      "supported, use the `~` operator or the logical_not function "
                                      "instead.");
            if (tfg_k_unary(TFG_UN_NEG, t, &r, &err))
                return kfail(ev, loc, &err);
            return give_array(r, out);
        case TFG_OP_POS:
            r = tfg_tensor_copy(t, &err);
            if (!r)
                return kfail(ev, loc, &err);
            return give_array(r, out);
        case TFG_OP_INVERT:
            if (t->dtype == TFG_BOOL) {
                if (tfg_k_unary(TFG_UN_LOGICAL_NOT, t, &r, &err))
                    return kfail(ev, loc, &err);
                return give_array(r, out);
            }
            if (tfg_dtype_is_int(t->dtype)) {
                if (tfg_pyapi_np_bitwise(ev, TFG_OP_INVERT, t, NULL, loc, &r))
                    return -1;
                return give_array(r, out);
            }
            return tfg_eval_error(ev, loc,
                                  "ufunc 'invert' not supported for the input types, and the inputs "
                                  "could not be safely coerced to any supported types according to "
                                  "the casting rule ''safe''");
        default:
            return 1;
        }
    }
    return 1;
}

/* ======================================================================
 * Subscripts and slices
 * ====================================================================== */

/* A slice bound: None (absent) or an index. */
static int slice_bound(tfg_eval *ev, tfg_val v, tfg_loc loc, bool *has, int64_t *out)
{
    *has = false;
    if (v.t == TFG_V_NONE || v.t == TFG_V_MISSING)
        return 0;
    if (!get_index_quiet(v, out))
        return tfg_eval_error(ev, loc,
                              "slice indices must be integers or None or have an __index__ method");
    *has = true;
    return 0;
}

/* A given slice bound v made an index into len items (counting from the end
 * when negative), clamped as Python does for a step that is negative or not. */
static int64_t slice_clamp(int64_t v, int64_t len, bool negstep)
{
    if (v < 0) {
        v += len;
        if (v < 0)
            v = negstep ? -1 : 0;
    } else if (v >= len) {
        v = negstep ? len - 1 : len;
    }
    return v;
}

/* Python's slice.indices(len): start, step and the number of items selected. */
static int slice_indices(tfg_eval *ev, tfg_val slice, int64_t len, tfg_loc loc, int64_t *start,
                         int64_t *step, int64_t *count)
{
    const tfg_list *l = slice.u.p;
    tfg_val none = tfg_val_none();
    bool hs = false, he = false, hp = false;
    int64_t s = 0, e = 0, p = 1;
    if (slice_bound(ev, l->n > 0 ? l->items[0] : none, loc, &hs, &s) ||
        slice_bound(ev, l->n > 1 ? l->items[1] : none, loc, &he, &e) ||
        slice_bound(ev, l->n > 2 ? l->items[2] : none, loc, &hp, &p))
        return -1;
    if (!hp)
        p = 1;
    if (p == 0)
        return tfg_eval_error(ev, loc, "slice step cannot be zero");
    if (p == INT64_MIN)
        p = -INT64_MAX;
    s = hs ? slice_clamp(s, len, p < 0) : p < 0 ? len - 1 : 0;
    e = he ? slice_clamp(e, len, p < 0) : p < 0 ? -1 : len;
    int64_t n = 0;
    if (p < 0) {
        if (e < s)
            n = (s - e - 1) / (-p) + 1;
    } else if (s < e) {
        n = (e - s - 1) / p + 1;
    }
    *start = s;
    *step = p;
    *count = n;
    return 0;
}

/* Converts an index value to slice specs (see eval.h). */
int tfg_api_py_slice_specs(tfg_eval *ev, tfg_val idx, tfg_loc loc, tfg_slice_spec *specs, int max,
                           int *n)
{
    const tfg_val *items = &idx;
    int count = 1;
    if (idx.t == TFG_V_TUPLE) {
        items = tfg_val_as_list(idx)->items;
        count = tfg_val_as_list(idx)->n;
    }
    *n = 0;
    if (count > max)
        return tfg_eval_error(ev, loc, "too many indices: %d given, at most %d supported", count,
                              max);
    for (int k = 0; k < count; k++) {
        tfg_val v = items[k];
        tfg_slice_spec *sp = &specs[k];
        memset(sp, 0, sizeof *sp);
        int64_t i = 0;
        if (get_index_quiet(v, &i)) {
            sp->kind = TFG_SLICE_INDEX;
            sp->index = i;
            sp->step = 1;
        } else if (v.t == TFG_V_NONE) {
            sp->kind = TFG_SLICE_NEWAXIS;
            sp->step = 1;
        } else if (v.t == TFG_V_SLICE) {
            const tfg_list *l = v.u.p;
            tfg_val none = tfg_val_none();
            bool hp = false;
            int64_t p = 1;
            sp->kind = TFG_SLICE_RANGE;
            if (slice_bound(ev, l->n > 0 ? l->items[0] : none, loc, &sp->has_start, &sp->start) ||
                slice_bound(ev, l->n > 1 ? l->items[1] : none, loc, &sp->has_stop, &sp->stop) ||
                slice_bound(ev, l->n > 2 ? l->items[2] : none, loc, &hp, &p))
                return -1;
            if (hp && p == 0)
                return tfg_eval_error(ev, loc, "slice step cannot be zero");
            sp->step = hp ? p : 1;
        } else {
            return tfg_pyapi_error_with_repr(
                ev, loc,
                "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                "tf.int32/tf.int64 tensors are valid indices, got %s",
                v);
        }
    }
    *n = count;
    return 0;
}

/* seq[int] / seq[slice] for list, tuple and str. */
static int seq_subscript(tfg_eval *ev, tfg_val obj, tfg_val idx, tfg_loc loc, tfg_val *out)
{
    const char *kind = tfg_val_type_name(obj);
    bool isstr = obj.t == TFG_V_STR;
    size_t *offs = NULL;
    int64_t len = 0;
    if (isstr) {
        if (tfg_pyapi_is_ascii(sv(obj), slen(obj))) {
            len = (int64_t)slen(obj);
        } else if (tfg_pyapi_u8_offsets(sv(obj), slen(obj), &offs, &len)) {
            return oom(ev, loc);
        }
    } else {
        len = tfg_val_as_list(obj)->n;
    }
    int rc = 0;
    int64_t i = 0;
    if (get_index_quiet(idx, &i)) {
        if (i < 0)
            i += len;
        if (i < 0 || i >= len) {
            rc = tfg_eval_error(ev, loc, "%s index out of range", isstr ? "string" : kind);
        } else if (isstr) {
            size_t a = offs ? offs[i] : (size_t)i, b = offs ? offs[i + 1] : (size_t)i + 1;
            rc = give(ev, loc, tfg_val_str(sv(obj) + a, b - a), out);
        } else {
            *out = tfg_val_incref(tfg_val_as_list(obj)->items[i]);
        }
    } else if (idx.t == TFG_V_SLICE) {
        int64_t start = 0, step = 0, count = 0;
        if (slice_indices(ev, idx, len, loc, &start, &step, &count)) {
            rc = -1;
        } else if (isstr) {
            tfg_sb b = {0};
            for (int64_t k = 0, p = start; k < count; k++, p += step) {
                size_t a = offs ? offs[p] : (size_t)p, e = offs ? offs[p + 1] : (size_t)p + 1;
                tfg_sb_addn(&b, sv(obj) + a, e - a);
            }
            rc = give(ev, loc, sb_val(&b), out);
        } else {
            tfg_val r = tfg_val_list_new(obj.t, (int)count);
            if (r.t == TFG_V_MISSING) {
                rc = oom(ev, loc);
            } else {
                const tfg_list *l = obj.u.p;
                for (int64_t k = 0, p = start; k < count; k++, p += step)
                    tfg_val_list_append(r, tfg_val_incref(l->items[p]));
                *out = r;
            }
        }
    } else {
        rc = tfg_eval_error(ev, loc, "%s indices must be integers or slices, not %s",
                            isstr ? "string" : kind, tfg_val_type_name(idx));
    }
    free(offs);
    return rc;
}


/* Records Python's unhashable-key error when key cannot be a dict key. */
int tfg_pyapi_check_hashable(tfg_eval *ev, tfg_val key, tfg_loc loc)
{
    if (key.t == TFG_V_LIST || key.t == TFG_V_DICT || key.t == TFG_V_SLICE ||
        (key.t == TFG_V_ARRAY && tfg_val_as_array(key)->rank > 0))
        return tfg_eval_error(ev, loc, "unhashable type: '%s'", tfg_val_type_name(key));
    if (key.t == TFG_V_TUPLE) {
        const tfg_list *l = key.u.p;
        for (int i = 0; i < l->n; i++)
            if (tfg_pyapi_check_hashable(ev, l->items[i], loc))
                return -1;
    }
    return 0;
}

/* Subscript of host values (see eval.h): 0, 1 when unsupported, -1 on error. */
int tfg_api_py_subscript(tfg_eval *ev, tfg_val obj, tfg_val idx, tfg_loc loc, tfg_val *out)
{
    if (obj.t == TFG_V_UNKNOWN || idx.t == TFG_V_UNKNOWN) {
        out->t = TFG_V_UNKNOWN;
        return 0;
    }
    switch (obj.t) {
    case TFG_V_LIST:
    case TFG_V_TUPLE:
    case TFG_V_STR:
        return seq_subscript(ev, obj, idx, loc, out);
    case TFG_V_DICT: {
        if (tfg_pyapi_check_hashable(ev, idx, loc))
            return -1;
        tfg_val *v = tfg_val_dict_get(obj, idx);
        if (!v)
            return tfg_pyapi_error_with_repr(ev, loc, "KeyError: %s", idx);
        *out = tfg_val_incref(*v);
        return 0;
    }
    case TFG_V_RANGE: {
        const tfg_list *r = obj.u.p;
        int64_t len = range_len(r), i;
        if (idx.t == TFG_V_SLICE) {
            int64_t start = 0, step = 0, count = 0;
            if (slice_indices(ev, idx, len, loc, &start, &step, &count))
                return -1;
            tfg_val nr = tfg_val_list_new(TFG_V_RANGE, 3);
            if (nr.t == TFG_V_MISSING)
                return oom(ev, loc);
            int64_t a = r->items[0].u.i, s = r->items[2].u.i;
            int64_t ns = s * step, na = a + start * s;
            tfg_val_list_append(nr, tfg_val_int(na));
            tfg_val_list_append(nr, tfg_val_int(na + count * ns));
            tfg_val_list_append(nr, tfg_val_int(ns));
            *out = nr;
            return 0;
        }
        if (!get_index_quiet(idx, &i))
            return tfg_eval_error(ev, loc, "range indices must be integers or slices, not %s",
                                  tfg_val_type_name(idx));
        if (i < 0)
            i += len;
        if (i < 0 || i >= len)
            return tfg_eval_error(ev, loc, "range object index out of range");
        *out = tfg_val_int(r->items[0].u.i + i * r->items[2].u.i);
        return 0;
    }
    case TFG_V_ARRAY:
        return tfg_pyapi_array_subscript(ev, obj.u.p, idx, loc, out);
    default:
        return 1;
    }
}

/* ======================================================================
 * Attributes
 * ====================================================================== */

/* Looks name up in a builtin table (terminated by a NULL name) and binds it to
 * self (MISSING for a function): 0 found, 1 not. */
int tfg_pyapi_builtin_of(tfg_eval *ev, const tfg_builtin *tab, tfg_val self, const char *name,
                         tfg_loc loc, tfg_val *out)
{
    for (const tfg_builtin *m = tab; m->name; m++)
        if (!strcmp(m->name, name))
            return give(ev, loc, tfg_val_builtin(m, self), out);
    return 1;
}

/* The method tables of host values by kind (arrays answer in tfg_pyapi_array_getattr). */
static const struct {
    tfg_vtype t;
    const tfg_builtin *methods;
} method_tables[] = {
    {TFG_V_LIST, tfg_pyapi_list_methods}, {TFG_V_TUPLE, tfg_pyapi_tuple_methods},
    {TFG_V_DICT, tfg_pyapi_dict_methods}, {TFG_V_STR, tfg_pyapi_str_methods},
    {TFG_V_DTYPE, tfg_pyapi_dtype_methods},
};

/* Attributes of host values (see eval.h): 0, 1 when absent, -1 on error. */
int tfg_api_py_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out)
{
    for (size_t i = 0; i < sizeof method_tables / sizeof method_tables[0]; i++)
        if (obj.t == method_tables[i].t)
            return tfg_pyapi_builtin_of(ev, method_tables[i].methods, obj, name, loc, out);
    switch (obj.t) {
    case TFG_V_UNKNOWN:
        out->t = TFG_V_UNKNOWN;
        return 0;
    case TFG_V_ARRAY:
        return tfg_pyapi_array_getattr(ev, obj, name, loc, out);
    case TFG_V_RANGE:
    case TFG_V_SLICE: {
        int k = !strcmp(name, "start") ? 0 : !strcmp(name, "stop") ? 1 : !strcmp(name, "step") ? 2 : -1;
        const tfg_list *l = obj.u.p;
        if (k < 0 || k >= l->n)
            return 1;
        *out = tfg_val_incref(l->items[k]);
        return 0;
    }
    case TFG_V_INT:
    case TFG_V_BOOL:
    case TFG_V_FLOAT:
        if (!strcmp(name, "real")) {
            *out = obj.t == TFG_V_BOOL ? tfg_val_int(obj.u.i) : obj;
            return 0;
        }
        if (!strcmp(name, "imag")) {
            *out = obj.t == TFG_V_FLOAT ? tfg_val_float(0.0) : tfg_val_int(0);
            return 0;
        }
        return 1;
    default:
        return 1;
    }
}
