/* api_py.c — the Python side of the script language (module prefix
 * tfg_api_py_, tfg_api_np_): the builtin functions (print, range, len, ...),
 * operators and subscripts on host values with Python semantics, the methods
 * of lists, dicts, strings and arrays, and the numpy subset (np.array,
 * np.zeros, np.mean, ...).
 *
 * Host arrays follow numpy 2.x: Python scalars in an operation with an array
 * are "weak" (NEP 50: float32 array + 2.5 stays float32), arrays promote by
 * numpy's table, true division of integers gives float64, reductions over
 * every axis give numpy scalars (rank-0 arrays). Python ints are 64-bit here:
 * an int result that does not fit is an error ("integer overflow"), never a
 * silent wrap. Every function follows value.h's reference rules on every
 * path, errors included.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "../runtime/kernels.h"
#include "../runtime/print.h"

/* ======================================================================
 * Small helpers
 * ====================================================================== */

/* Records "out of memory" at loc. */
static int oom(tfg_eval *ev, tfg_loc loc)
{
    return tfg_eval_error(ev, loc, "out of memory");
}

/* Records a kernel's error message at loc. */
static int kfail(tfg_eval *ev, tfg_loc loc, const tfg_error *e)
{
    return tfg_eval_error(ev, loc, "%s", e->msg);
}

/* Hands v to *out, or records OOM when v is MISSING (a failed constructor). */
static int give(tfg_eval *ev, tfg_loc loc, tfg_val v, tfg_val *out)
{
    if (v.t == TFG_V_MISSING)
        return oom(ev, loc);
    *out = v;
    return 0;
}

/* Hands a new array reference to *out. */
static int give_array(tfg_tensor *t, tfg_val *out)
{
    *out = tfg_val_array(t);
    return 0;
}

/* Appends item to list, recording OOM on failure (item is consumed either way). */
static int append(tfg_eval *ev, tfg_loc loc, tfg_val list, tfg_val item)
{
    if (item.t == TFG_V_MISSING)
        return oom(ev, loc);
    if (tfg_val_list_append(list, item))
        return oom(ev, loc);
    return 0;
}

/* Frees an item array from tfg_eval_iter. */
static void free_items(tfg_val *items, int n)
{
    for (int i = 0; i < n; i++)
        tfg_val_decref(items[i]);
    free(items);
}

/* True when v is a graph object (tensor, operation, variable). */
static bool is_graph(tfg_val v)
{
    return v.t == TFG_V_TENSOR || v.t == TFG_V_OP || v.t == TFG_V_VARIABLE;
}

/* In a dry run, a fetched value is UNKNOWN: any use of one gives UNKNOWN.
 * True (and *out set) when an argument is unknown. */
static bool unknown_args(const tfg_args *a, tfg_val *out)
{
    for (int i = 0; i < a->npos; i++)
        if (a->pos[i].t == TFG_V_UNKNOWN) {
            out->t = TFG_V_UNKNOWN;
            return true;
        }
    for (int i = 0; i < a->nkw; i++)
        if (a->kw[i].t == TFG_V_UNKNOWN) {
            out->t = TFG_V_UNKNOWN;
            return true;
        }
    return false;
}

/* The string of a STR value. */
static const char *sv(tfg_val v)
{
    return tfg_val_as_str(v)->s;
}

/* The length in bytes of a STR value. */
static size_t slen(tfg_val v)
{
    return tfg_val_as_str(v)->len;
}

/* A string value from a string buffer (consumed); MISSING on OOM. */
static tfg_val sb_val(tfg_sb *b)
{
    if (b->oom) {
        free(tfg_sb_take(b));
        tfg_val m = {.t = TFG_V_MISSING};
        return m;
    }
    tfg_val v = tfg_val_str(b->s ? b->s : "", b->len);
    free(tfg_sb_take(b));
    return v;
}

/* The text of repr(v), malloc'd (NULL on OOM). */
static char *repr_of(tfg_val v)
{
    tfg_sb b = {0};
    tfg_val_repr_into(&b, v);
    return tfg_sb_take(&b);
}

/* Records an error whose message contains repr(v) through "%s" in fmt. */
static int error_with_repr(tfg_eval *ev, tfg_loc loc, const char *fmt, tfg_val v)
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

/* Does container c (transitively) hold the object p? (cycle guard; the search
 * stops at a depth no script builds by accident) */
static bool holds(tfg_val c, const void *p, int depth)
{
    if (depth > 200)
        return false;
    if (c.t == TFG_V_LIST || c.t == TFG_V_TUPLE) {
        const tfg_list *l = c.u.p;
        if (l == p)
            return true;
        for (int i = 0; i < l->n; i++)
            if (holds(l->items[i], p, depth + 1))
                return true;
    } else if (c.t == TFG_V_DICT) {
        const tfg_dict *d = c.u.p;
        if (d == p)
            return true;
        for (int i = 0; i < d->n; i++)
            if (holds(d->vals[i], p, depth + 1))
                return true;
    } else if (c.t == TFG_V_BUILTIN) {
        return holds(((tfg_builtinobj *)c.u.p)->self, p, depth + 1);
    }
    return false;
}

/* Refuses to store item into container p when that would make a reference cycle. */
static int check_cycle(tfg_eval *ev, tfg_loc loc, tfg_val item, const void *p)
{
    if (holds(item, p, 0))
        return tfg_eval_error(ev, loc,
                              "a container cannot hold itself (reference cycles are not supported)");
    return 0;
}

/* The number of items of a range (start, stop, step), without overflow. */
static int64_t range_len(const tfg_list *r)
{
    int64_t a = r->items[0].u.i, b = r->items[1].u.i, s = r->items[2].u.i;
    if (s > 0 && a < b)
        return (int64_t)(((uint64_t)b - (uint64_t)a - 1) / (uint64_t)s + 1);
    if (s < 0 && a > b)
        return (int64_t)(((uint64_t)a - (uint64_t)b - 1) / (0 - (uint64_t)s) + 1);
    return 0;
}

/* ======================================================================
 * Numbers
 * ====================================================================== */

/* A number seen as Python sees it: an int (bool included) or a float. */
typedef struct pnum {
    bool isf;        /* float */
    bool isbool;     /* a bool (or numpy bool) */
    int64_t i;
    double f;
} pnum;

/* A Python number (bool, int, float) as a pnum; false for anything else. */
static bool get_pynum(tfg_val v, pnum *n)
{
    n->isbool = v.t == TFG_V_BOOL;
    if (v.t == TFG_V_BOOL || v.t == TFG_V_INT) {
        n->isf = false;
        n->i = v.u.i;
        n->f = (double)v.u.i;
        return true;
    }
    if (v.t == TFG_V_FLOAT) {
        n->isf = true;
        n->f = v.u.f;
        n->i = 0;
        return true;
    }
    return false;
}

/* A Python number or a numpy scalar (or a one-element array when `sized1`). */
static bool get_num(tfg_val v, pnum *n, bool sized1)
{
    if (get_pynum(v, n))
        return true;
    if (v.t != TFG_V_ARRAY)
        return false;
    const tfg_tensor *t = v.u.p;
    if (t->rank != 0 && !(sized1 && t->size == 1))
        return false;
    n->isbool = t->dtype == TFG_BOOL;
    n->isf = tfg_dtype_is_float(t->dtype);
    n->f = tfg_tensor_get_f(t, 0);
    n->i = n->isf ? 0 : tfg_tensor_get_i(t, 0);
    return true;
}

/* Python's operator.index(): an int, a bool or a numpy integer scalar. */
static bool get_index_quiet(tfg_val v, int64_t *out)
{
    if (v.t == TFG_V_INT || v.t == TFG_V_BOOL) {
        *out = v.u.i;
        return true;
    }
    if (v.t == TFG_V_ARRAY) {
        const tfg_tensor *t = v.u.p;
        if (t->rank == 0 && !tfg_dtype_is_float(t->dtype)) {
            *out = tfg_tensor_get_i(t, 0);
            return true;
        }
    }
    return false;
}

/* operator.index() with Python's TypeError. */
static int get_index(tfg_eval *ev, tfg_val v, tfg_loc loc, int64_t *out)
{
    if (get_index_quiet(v, out))
        return 0;
    return tfg_eval_error(ev, loc, "'%s' object cannot be interpreted as an integer",
                          tfg_val_type_name(v));
}

/* Records Python's message for an int result that does not fit in 64 bits. */
static int int_overflow(tfg_eval *ev, tfg_loc loc)
{
    return tfg_eval_error(ev, loc, "integer overflow: the result does not fit in a 64-bit int");
}

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
            if (__builtin_add_overflow(a, b, &r))
                return int_overflow(ev, loc);
            *out = tfg_val_int(r);
            return 0;
        case TFG_OP_SUB:
            if (__builtin_sub_overflow(a, b, &r))
                return int_overflow(ev, loc);
            *out = tfg_val_int(r);
            return 0;
        case TFG_OP_MUL:
            if (__builtin_mul_overflow(a, b, &r))
                return int_overflow(ev, loc);
            *out = tfg_val_int(r);
            return 0;
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

/* ======================================================================
 * UTF-8 strings: Python indexes strings by code point
 * ====================================================================== */

/* True when s[0..n) is plain ASCII (byte index == code point index). */
static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Number of code points of UTF-8 text (continuation bytes not counted). */
static int64_t u8_len(const char *s, size_t n)
{
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offsets of each code point of s plus the end: (*offs)[0..count]. */
static int u8_offsets(const char *s, size_t n, size_t **offs, int64_t *count)
{
    int64_t c = u8_len(s, n);
    size_t *o = malloc((size_t)(c + 1) * sizeof *o);
    if (!o)
        return -1;
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            o[k++] = i;
    o[c] = n;
    *offs = o;
    *count = c;
    return 0;
}

/* Appends code point cp as UTF-8; false when out of range. */
static bool u8_put(tfg_sb *b, int64_t cp)
{
    char buf[4];
    if (cp < 0 || cp > 0x10FFFF)
        return false;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        tfg_sb_addn(b, buf, 1);
    } else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        tfg_sb_addn(b, buf, 2);
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        tfg_sb_addn(b, buf, 3);
    } else {
        buf[0] = (char)(0xF0 | (cp >> 18));
        buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = (char)(0x80 | (cp & 0x3F));
        tfg_sb_addn(b, buf, 4);
    }
    return true;
}

/* The first code point of UTF-8 text s[0..n) (n > 0). */
static int64_t u8_first(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80 || n < 2)
        return u[0];
    if (u[0] < 0xE0)
        return ((int64_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    if (u[0] < 0xF0 || n < 4)
        return n < 3 ? u[0]
                     : ((int64_t)(u[0] & 0x0F) << 12) | ((int64_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    return ((int64_t)(u[0] & 0x07) << 18) | ((int64_t)(u[1] & 0x3F) << 12) |
           ((int64_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}

/* ======================================================================
 * numpy: dtypes, promotion, conversion of host values to arrays
 * ====================================================================== */

/* numpy's promote_types over the supported dtypes. */
static tfg_dtype np_promote(tfg_dtype a, tfg_dtype b)
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

/* The dtype numpy gives a Python scalar when it stands alone (strong). */
static tfg_dtype np_pyscalar_dtype(const pnum *n)
{
    return n->isf ? TFG_FLOAT64 : n->isbool ? TFG_BOOL : TFG_INT64;
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
static int np_int_fits(tfg_eval *ev, int64_t v, tfg_dtype dt, tfg_loc loc)
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
static int np_cast(tfg_eval *ev, tfg_tensor *x, tfg_dtype dt, tfg_loc loc, tfg_tensor **out)
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

/* A numpy dtype value: flavour 1 a dtype object (arr.dtype), 2 a scalar type
 * (np.float32); value.c prints each as numpy does (see put_dtype there). */
static tfg_val np_dtype_val(tfg_dtype dt, int flavour)
{
    tfg_val v = tfg_val_dtype(dt);
    v.u.e.index = flavour;
    return v;
}

/* A dtype argument (dtype=...): a DTYPE, a name string ("float32"), or the
 * builtins float/int/bool. *dt = -1 when absent (None or not given). */
static int np_dtype_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, int *dt);

/* Shape discovery state for converting nested sequences. */
typedef struct np_disc {
    int rank;
    int64_t shape[TFG_MAX_RANK];
    bool have_dtype;
    tfg_dtype dtype;
} np_disc;

/* The items of a list or tuple value (NULL for other kinds). */
static const tfg_list *seq_of(tfg_val v)
{
    return (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) ? v.u.p : NULL;
}

/* Records numpy's error for a value that cannot be an array element. */
static int np_bad_element(tfg_eval *ev, tfg_val v, tfg_loc loc)
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
                return tfg_eval_error(ev, loc, "arrays of more than %d dimensions are not supported",
                                      TFG_MAX_RANK);
            d->shape[d->rank++] = l->n;
            if (l->n == 0)
                return 0;
            v = l->items[0];
            continue;
        }
        if (v.t == TFG_V_ARRAY) {
            const tfg_tensor *t = v.u.p;
            if (d->rank + t->rank > TFG_MAX_RANK)
                return tfg_eval_error(ev, loc, "arrays of more than %d dimensions are not supported",
                                      TFG_MAX_RANK);
            for (int i = 0; i < t->rank; i++)
                d->shape[d->rank++] = t->shape[i];
            return 0;
        }
        if (v.t == TFG_V_RANGE) {
            int64_t n = range_len(v.u.p);
            if (d->rank >= TFG_MAX_RANK)
                return tfg_eval_error(ev, loc, "arrays of more than %d dimensions are not supported",
                                      TFG_MAX_RANK);
            d->shape[d->rank++] = n;
            return 0;
        }
        pnum n;
        if (get_pynum(v, &n))
            return 0;
        return np_bad_element(ev, v, loc);
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
    d->dtype = d->have_dtype ? np_promote(d->dtype, dt) : dt;
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
    return np_bad_element(ev, v, loc);
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
            if (!tf && t->dtype != TFG_BOOL && np_int_fits(ev, x, t->dtype, loc))
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
        if (!tf && t->dtype != TFG_BOOL && !n.isbool && np_int_fits(ev, n.i, t->dtype, loc))
            return -1;
        tfg_tensor_set_i(t, *pos, n.i);
    }
    (*pos)++;
    return 0;
}

/* numpy's np.array(v, dtype): a new array from a number, a nested list/tuple
 * of numbers and arrays, a range or an array (copied when `copy`, else shared
 * when the dtype already matches). dt < 0: inferred. */
static int np_from(tfg_eval *ev, tfg_val v, int dt, bool copy, tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    *out = NULL;
    if (v.t == TFG_V_ARRAY) {
        tfg_tensor *x = v.u.p;
        if (dt >= 0 && (tfg_dtype)dt != x->dtype)
            return np_cast(ev, x, (tfg_dtype)dt, loc, out);
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
static int np_shape_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, int *rank, int64_t *shape)
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
            return tfg_eval_error(ev, loc, "arrays of more than %d dimensions are not supported",
                                  TFG_MAX_RANK);
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

/* An array element as a Python number value. */
static tfg_val np_elem_val(const tfg_tensor *t, int64_t i)
{
    if (tfg_dtype_is_float(t->dtype))
        return tfg_val_float(tfg_tensor_get_f(t, i));
    if (t->dtype == TFG_BOOL)
        return tfg_val_bool(tfg_tensor_get_i(t, i) != 0);
    return tfg_val_int(tfg_tensor_get_i(t, i));
}

/* Reads broadcast coordinates: the flat index in x (shape xs of rank xr) of
 * output coordinates idx (rank r), numpy broadcasting. */
static int64_t bcast_flat(int r, const int64_t *idx, int xr, const int64_t *xs)
{
    int64_t f = 0;
    for (int k = 0; k < xr; k++) {
        int64_t c = idx[r - xr + k];
        f = f * xs[k] + (xs[k] == 1 ? 0 : c);
    }
    return f;
}

/* Elementwise integer op (bitwise and/or/xor, or ~ with b NULL) on int arrays,
 * numpy broadcasting: the kernels have no bitwise ops. */
static int np_bitwise(tfg_eval *ev, int op, const tfg_tensor *a, const tfg_tensor *b,
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
        for (int k = r - 1; k >= 0; k--) {
            if (++idx[k] < shape[k])
                break;
            idx[k] = 0;
        }
    }
    *out = o;
    return 0;
}

/* numpy matmul of two arrays of the same dtype (1-D operands are vectors). */
static int np_matmul_same(tfg_eval *ev, tfg_tensor *a, tfg_tensor *b, tfg_loc loc,
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

/* An operand of a numpy operation: an array (borrowed or owned) or a weak Python scalar. */
typedef struct np_operand {
    tfg_tensor *t;   /* set when an array (owned reference) */
    bool weak;       /* a Python number */
    pnum n;
} np_operand;

/* Makes v a numpy operand: 0, 1 when v cannot take part, -1 on error. */
static int np_operand_of(tfg_eval *ev, tfg_val v, tfg_loc loc, np_operand *o)
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
        return np_from(ev, v, -1, false, loc, &o->t);
    return 1;
}

/* Brings two operands to one dtype (NEP 50): two new array references. */
static int np_unify(tfg_eval *ev, np_operand *x, np_operand *y, tfg_loc loc, tfg_tensor **a,
                    tfg_tensor **b)
{
    tfg_error err;
    *a = *b = NULL;
    tfg_dtype dt;
    if (!x->weak && !y->weak)
        dt = np_promote(x->t->dtype, y->t->dtype);
    else if (x->weak && y->weak)
        dt = np_promote(np_pyscalar_dtype(&x->n), np_pyscalar_dtype(&y->n));
    else
        dt = x->weak ? np_weak_dtype(y->t->dtype, &x->n) : np_weak_dtype(x->t->dtype, &y->n);
    np_operand *ops[2] = {x, y};
    tfg_tensor **res[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        np_operand *o = ops[k];
        if (o->weak) {
            if (!o->n.isf && !o->n.isbool && !tfg_dtype_is_float(dt) && dt != TFG_BOOL &&
                np_int_fits(ev, o->n.i, dt, loc))
                goto fail;
            *res[k] = np_scalar(&o->n, dt, &err);
            if (!*res[k]) {
                kfail(ev, loc, &err);
                goto fail;
            }
        } else if (np_cast(ev, o->t, dt, loc, res[k])) {
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

/* An elementwise kernel op on two same-dtype arrays with numpy's shape message. */
static int np_kernel(tfg_eval *ev, tfg_binop kop, const tfg_tensor *a, const tfg_tensor *b,
                     tfg_loc loc, tfg_tensor **out)
{
    tfg_error err;
    int r = 0;
    int64_t s[TFG_MAX_RANK];
    if (tfg_k_broadcast_shape(a->rank, a->shape, b->rank, b->shape, &r, s, &err)) {
        char sa[160], sb[160];
        /* numpy writes shapes as tuples: (2,) (3,) */
        size_t u = 0;
        u += (size_t)snprintf(sa + u, sizeof sa - u, "(");
        for (int i = 0; i < a->rank && u < sizeof sa; i++)
            u += (size_t)snprintf(sa + u, sizeof sa - u, i ? ",%" PRId64 : "%" PRId64, a->shape[i]);
        if (u < sizeof sa)
            snprintf(sa + u, sizeof sa - u, a->rank == 1 ? ",)" : ")");
        u = 0;
        u += (size_t)snprintf(sb + u, sizeof sb - u, "(");
        for (int i = 0; i < b->rank && u < sizeof sb; i++)
            u += (size_t)snprintf(sb + u, sizeof sb - u, i ? ",%" PRId64 : "%" PRId64, b->shape[i]);
        if (u < sizeof sb)
            snprintf(sb + u, sizeof sb - u, b->rank == 1 ? ",)" : ")");
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
        return np_kernel(ev, kop, a, b, loc, out);
    tfg_tensor *b1 = tfg_tensor_copy(b, &err);
    if (!b1)
        return kfail(ev, loc, &err);
    for (int64_t i = 0; i < b1->size; i++)
        if (tfg_tensor_get_i(b1, i) == 0)
            tfg_tensor_set_i(b1, i, 1);
    tfg_tensor *r;
    int rc = np_kernel(ev, kop, a, b1, loc, &r);
    tfg_tensor_unref(b1);
    if (rc)
        return -1;
    int64_t idx[TFG_MAX_RANK] = {0};
    for (int64_t i = 0; i < r->size; i++) {
        if (tfg_tensor_get_i(b, bcast_flat(r->rank, idx, b->rank, b->shape)) == 0)
            tfg_tensor_set_i(r, i, 0);
        for (int k = r->rank - 1; k >= 0; k--) {
            if (++idx[k] < r->shape[k])
                break;
            idx[k] = 0;
        }
    }
    *out = r;
    return 0;
}

/* Operators with an array operand, numpy semantics: 0, 1 (unsupported), -1. */
static int array_binop(tfg_eval *ev, int op, tfg_val av, tfg_val bv, tfg_loc loc, tfg_val *out)
{
    np_operand x, y;
    int rc = np_operand_of(ev, av, loc, &x);
    if (rc)
        return rc;
    rc = np_operand_of(ev, bv, loc, &y);
    if (rc) {
        tfg_tensor_unref(x.t);
        return rc;
    }
    tfg_tensor *a = NULL, *b = NULL, *r = NULL;
    rc = -1;
    if (np_unify(ev, &x, &y, loc, &a, &b))
        goto done;
    tfg_dtype dt = a->dtype;
    int kop = np_kernel_op(op);
    switch (op) {
    case TFG_OP_MATMUL:
        rc = np_matmul_same(ev, a, b, loc, &r);
        break;
    case TFG_OP_BITAND:
    case TFG_OP_BITOR:
    case TFG_OP_BITXOR:
        if (dt == TFG_BOOL) {
            tfg_binop bop = op == TFG_OP_BITAND ? TFG_BIN_LOGICAL_AND
                          : op == TFG_OP_BITOR ? TFG_BIN_LOGICAL_OR : TFG_BIN_NOT_EQUAL;
            rc = np_kernel(ev, bop, a, b, loc, &r);
        } else if (tfg_dtype_is_int(dt)) {
            rc = np_bitwise(ev, op, a, b, loc, &r);
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
        rc = np_kernel(ev, TFG_BIN_SUB, a, b, loc, &r);
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
            if (np_cast(ev, a, want, loc, &a2))
                break;
            if (np_cast(ev, b, want, loc, &b2)) {
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
            rc = np_kernel(ev, (tfg_binop)kop, a, b, loc, &r);
        break;
    }
    default:
        if (kop < 0) {
            rc = 1;
            break;
        }
        rc = np_kernel(ev, (tfg_binop)kop, a, b, loc, &r);
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
static bool py_is(tfg_val a, tfg_val b)
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
            if (py_is(e, item)) {
                *res = true;
                return 0;
            }
            if (e.t == TFG_V_ARRAY || item.t == TFG_V_ARRAY) {
                /* numpy ==, then the truth of its result (ambiguous for arrays) */
                tfg_val r;
                int rc = array_binop(ev, TFG_OP_EQ, item, e, loc, &r);
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
        int rc = array_binop(ev, TFG_OP_EQ, container, item, loc, &r);
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

/* ======================================================================
 * Sequences: concatenation and repetition
 * ====================================================================== */

/* list + list, tuple + tuple: a new sequence of kind t. */
static int seq_concat(tfg_eval *ev, tfg_vtype t, const tfg_list *x, const tfg_list *y,
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
        if (len && (uint64_t)n > (uint64_t)(SIZE_MAX / 4) / len)
            return oom(ev, loc);
        tfg_sb b = {0};
        for (int64_t i = 0; i < n && !b.oom; i++)
            tfg_sb_addn(&b, sv(s), len);
        return give(ev, loc, sb_val(&b), out);
    }
    const tfg_list *l = s.u.p;
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
 * printf-style formatting: "Step %d: loss = %.2f" % (step, loss)
 * ====================================================================== */

/* One parsed conversion spec of %-formatting or of a format() spec. */
typedef struct fmt_spec {
    bool left, plus, space, alt, zero;
    int width;          /* -1 none */
    int prec;           /* -1 none */
    char fill;          /* format(): fill character */
    char align;         /* format(): '<' '>' '^' '=' or 0 */
    char group;         /* format(): ',' '_' or 0 */
    char type;
} fmt_spec;

/* Appends s[0..n) padded to width per spec (left/right/center, fill). */
static void pad_into(tfg_sb *b, const char *s, size_t n, const fmt_spec *f, char defalign)
{
    int64_t cps = u8_len(s, n);
    int64_t padn = f->width > cps ? f->width - cps : 0;
    char align = f->align ? f->align : (f->left ? '<' : defalign);
    char fill = f->fill ? f->fill : ' ';
    int64_t before = align == '<' ? 0 : align == '^' ? padn / 2 : padn;
    if (align == '=') {
        /* padding after the sign (and 0x prefix) */
        size_t k = 0;
        if (n && (s[0] == '-' || s[0] == '+' || s[0] == ' '))
            k = 1;
        if (n >= k + 2 && s[k] == '0' && strchr("xXoObB", s[k + 1]))
            k += 2;
        tfg_sb_addn(b, s, k);
        for (int64_t i = 0; i < padn; i++)
            tfg_sb_addn(b, &fill, 1);
        tfg_sb_addn(b, s + k, n - k);
        return;
    }
    for (int64_t i = 0; i < before; i++)
        tfg_sb_addn(b, &fill, 1);
    tfg_sb_addn(b, s, n);
    for (int64_t i = before; i < padn; i++)
        tfg_sb_addn(b, &fill, 1);
}

/* Inserts a grouping character every 3 digits of the integer part of num. */
static void group_digits(char *num, size_t cap, char sep)
{
    char *p = num;
    if (*p == '-' || *p == '+' || *p == ' ')
        p++;
    size_t nd = 0;
    while (isdigit((unsigned char)p[nd]))
        nd++;
    if (nd <= 3)
        return;
    size_t nsep = (nd - 1) / 3, len = strlen(num);
    if (len + nsep + 1 > cap)
        return;
    char *src = num + len, *dst = num + len + nsep;
    char *intend = p + nd;
    /* copy the tail (fraction) unchanged, then digits with separators */
    while (src >= intend)
        *dst-- = *src--;
    int k = 0;
    while (src >= p) {
        *dst-- = *src--;
        if (++k % 3 == 0 && src >= p)
            *dst-- = sep;
    }
}

/* Formats an integer with %-style or format() spec: d o x X b (alt prefixes
 * 0o 0x 0b), sign flags and zero padding. */
static void fmt_int(tfg_sb *b, int64_t v, const fmt_spec *f, bool pyformat)
{
    char digits[80];
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char type = f->type ? f->type : 'd';
    int base = (type == 'x' || type == 'X') ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;
    const char *dig = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    int nd = 0;
    char rev[72];
    do {
        rev[nd++] = dig[u % (unsigned)base];
        u /= (unsigned)base;
    } while (u);
    int k = 0;
    char sign = v < 0 ? '-' : f->plus ? '+' : f->space ? ' ' : 0;
    if (sign)
        digits[k++] = sign;
    if (f->alt && base != 10) {
        digits[k++] = '0';
        digits[k++] = type == 'X' ? 'X' : type == 'x' ? 'x' : type == 'b' ? 'b' : 'o';
    }
    /* %-format precision: minimum number of digits */
    for (int i = nd; !pyformat && f->prec > 0 && i < f->prec && k < 70; i++)
        digits[k++] = '0';
    int start = k;
    while (nd > 0)
        digits[k++] = rev[--nd];
    digits[k] = '\0';
    (void)start;
    if (f->group && base == 10)
        group_digits(digits, sizeof digits, f->group);
    size_t n = strlen(digits);
    if (pyformat) {
        pad_into(b, digits, n, f, '>');
        return;
    }
    if (f->zero && !f->left && f->width > (int)n) {
        fmt_spec g = *f;
        g.fill = '0';
        g.align = '=';
        pad_into(b, digits, n, &g, '>');
        return;
    }
    pad_into(b, digits, n, f, '>');
}

/* Formats a float for %e %f %g (and format()'s e f g % and none) into buf. */
static void fmt_float_text(double v, const fmt_spec *f, bool pyformat, char *buf, size_t n)
{
    char type = f->type;
    int prec = f->prec;
    bool pct = type == '%';
    if (pct) {
        v *= 100.0;
        type = 'f';
    }
    if (isnan(v))
        v = fabs(v);   /* Python never prints "-nan" */
    char sign = signbit(v) ? '-' : f->plus ? '+' : f->space ? ' ' : 0;
    double a = fabs(v);
    char body[1024];
    if (isinf(a) || isnan(a)) {
        bool upper = type == 'E' || type == 'F' || type == 'G';
        snprintf(body, sizeof body, "%s", isinf(a) ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan"));
    } else if (pyformat && type == 0) {
        if (prec < 0) {
            tfg_print_pyfloat(a, body, sizeof body);
        } else {
            /* like 'g', but always with a digit after the point when fixed */
            snprintf(body, sizeof body, f->alt ? "%#.*g" : "%.*g", prec == 0 ? 1 : prec, a);
            if (!strpbrk(body, ".e"))
                strncat(body, ".0", sizeof body - strlen(body) - 1);
        }
    } else {
        char cf[16];
        int p = prec < 0 ? 6 : prec;
        if (p > 300)
            p = 300;
        snprintf(cf, sizeof cf, "%%%s.*%c", f->alt ? "#" : "", type);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(body, sizeof body, cf, p, a);
#pragma GCC diagnostic pop
    }
    if (pct)
        strncat(body, "%", sizeof body - strlen(body) - 1);
    snprintf(buf, n, "%s%s", sign ? (char[]){sign, 0} : "", body);
    if (f->group)
        group_digits(buf, n, f->group);
}

/* Formats a float with flags, width and zero padding. */
static void fmt_float(tfg_sb *b, double v, const fmt_spec *f, bool pyformat)
{
    char buf[1100];
    fmt_float_text(v, f, pyformat, buf, sizeof buf);
    size_t n = strlen(buf);
    if (!pyformat && f->zero && !f->left && isfinite(v)) {
        fmt_spec g = *f;
        g.fill = '0';
        g.align = '=';
        pad_into(b, buf, n, &g, '>');
        return;
    }
    pad_into(b, buf, n, f, '>');
}

/* A value as a Python int for %d: ints, floats (truncated), numpy scalars. */
static int fmt_as_int(tfg_eval *ev, tfg_val v, char conv, tfg_loc loc, int64_t *out)
{
    pnum n;
    if (!get_num(v, &n, false)) {
        if (conv == 'd' || conv == 'i' || conv == 'u')
            return tfg_eval_error(ev, loc, "%%%c format: a real number is required, not %s", conv,
                                  tfg_val_type_name(v));
        return tfg_eval_error(ev, loc, "%%%c format: an integer is required, not %s", conv,
                              tfg_val_type_name(v));
    }
    if (!n.isf) {
        *out = n.i;
        return 0;
    }
    if (conv != 'd' && conv != 'i' && conv != 'u')
        return tfg_eval_error(ev, loc, "%%%c format: an integer is required, not %s", conv,
                              tfg_val_type_name(v));
    if (isnan(n.f))
        return tfg_eval_error(ev, loc, "cannot convert float NaN to integer");
    if (isinf(n.f))
        return tfg_eval_error(ev, loc, "cannot convert float infinity to integer");
    if (n.f >= 9223372036854775808.0 || n.f < -9223372036854775808.0)
        return int_overflow(ev, loc);
    *out = (int64_t)n.f;
    return 0;
}

/* str % args: Python's printf-style formatting. */
static int percent_format(tfg_eval *ev, tfg_val fmtv, tfg_val args, tfg_loc loc, tfg_val *out)
{
    const char *s = sv(fmtv);
    size_t n = slen(fmtv);
    const tfg_val *argv = &args;
    int argc = 1;
    if (args.t == TFG_V_TUPLE) {
        argv = tfg_val_as_list(args)->items;
        argc = tfg_val_as_list(args)->n;
    }
    bool mapping = args.t == TFG_V_DICT;
    int ai = 0;
    bool used_mapping = false;
    tfg_sb b = {0};
    size_t i = 0;
    while (i < n) {
        const char *pc = memchr(s + i, '%', n - i);
        if (!pc) {
            tfg_sb_addn(&b, s + i, n - i);
            break;
        }
        size_t start = (size_t)(pc - s);
        tfg_sb_addn(&b, s + i, start - i);
        i = start + 1;
        fmt_spec f = {.width = -1, .prec = -1};
        tfg_val key_val = {.t = TFG_V_MISSING};
        const tfg_val *arg = NULL;
        if (i < n && s[i] == '(') {
            if (!mapping) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "format requires a mapping");
            }
            size_t depth = 1, k = i + 1;
            while (k < n && depth) {
                if (s[k] == '(')
                    depth++;
                else if (s[k] == ')')
                    depth--;
                k++;
            }
            if (depth) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "incomplete format key");
            }
            key_val = tfg_val_str(s + i + 1, k - i - 2);
            if (key_val.t == TFG_V_MISSING) {
                free(tfg_sb_take(&b));
                return oom(ev, loc);
            }
            arg = tfg_val_dict_get(args, key_val);
            if (!arg) {
                free(tfg_sb_take(&b));
                int rc = error_with_repr(ev, loc, "KeyError: %s", key_val);
                tfg_val_decref(key_val);
                return rc;
            }
            tfg_val_decref(key_val);
            used_mapping = true;
            i = k;
        }
        for (; i < n && strchr("-+ #0", s[i]); i++) {
            switch (s[i]) {
            case '-': f.left = true; break;
            case '+': f.plus = true; break;
            case ' ': f.space = true; break;
            case '#': f.alt = true; break;
            case '0': f.zero = true; break;
            }
        }
        if (i < n && s[i] == '*') {
            int64_t w = 0;
            if (ai >= argc || mapping) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "not enough arguments for format string");
            }
            if (!get_index_quiet(argv[ai++], &w)) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "* wants int");
            }
            if (w < 0) {
                f.left = true;
                w = -w;
            }
            f.width = w > 100000 ? 100000 : (int)w;
            i++;
        } else {
            while (i < n && isdigit((unsigned char)s[i])) {
                f.width = (f.width < 0 ? 0 : f.width) * 10 + (s[i] - '0');
                if (f.width > 100000)
                    f.width = 100000;
                i++;
            }
        }
        if (i < n && s[i] == '.') {
            i++;
            f.prec = 0;
            if (i < n && s[i] == '*') {
                int64_t p = 0;
                if (ai >= argc || mapping) {
                    free(tfg_sb_take(&b));
                    return tfg_eval_error(ev, loc, "not enough arguments for format string");
                }
                if (!get_index_quiet(argv[ai++], &p)) {
                    free(tfg_sb_take(&b));
                    return tfg_eval_error(ev, loc, "* wants int");
                }
                f.prec = p < 0 ? 0 : p > 1000 ? 1000 : (int)p;
                i++;
            } else {
                while (i < n && isdigit((unsigned char)s[i])) {
                    f.prec = f.prec * 10 + (s[i] - '0');
                    if (f.prec > 1000)
                        f.prec = 1000;
                    i++;
                }
            }
        }
        while (i < n && (s[i] == 'h' || s[i] == 'l' || s[i] == 'L'))
            i++;
        if (i >= n) {
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "incomplete format");
        }
        char c = s[i++];
        if (c == '%') {
            tfg_sb_add(&b, "%");
            continue;
        }
        if (!arg) {
            if (mapping) {
                arg = &args;
                used_mapping = true;
            } else if (ai >= argc) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "not enough arguments for format string");
            } else {
                arg = &argv[ai++];
            }
        }
        f.type = c;
        int rc = 0;
        switch (c) {
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': {
            int64_t v = 0;
            rc = fmt_as_int(ev, *arg, c, loc, &v);
            if (!rc) {
                if (c == 'i' || c == 'u')
                    f.type = 'd';
                fmt_int(&b, v, &f, false);
            }
            break;
        }
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
            pnum num;
            if (!get_num(*arg, &num, false)) {
                rc = tfg_eval_error(ev, loc, "must be real number, not %s", tfg_val_type_name(*arg));
                break;
            }
            fmt_float(&b, num.isf ? num.f : (double)num.i, &f, false);
            break;
        }
        case 'c': {
            tfg_sb one = {0};
            int64_t cp = 0;
            if (arg->t == TFG_V_STR && u8_len(sv(*arg), slen(*arg)) == 1) {
                tfg_sb_addn(&one, sv(*arg), slen(*arg));
            } else if (get_index_quiet(*arg, &cp)) {
                if (!u8_put(&one, cp)) {
                    free(tfg_sb_take(&one));
                    rc = tfg_eval_error(ev, loc, "%%c arg not in range(0x110000)");
                    break;
                }
            } else {
                rc = tfg_eval_error(ev, loc, "%%c requires int or char");
                break;
            }
            pad_into(&b, one.s ? one.s : "", one.len, &f, '>');
            free(tfg_sb_take(&one));
            break;
        }
        case 's': case 'r': case 'a': {
            tfg_sb one = {0};
            if (c == 's')
                tfg_val_str_into(&one, *arg);
            else
                tfg_val_repr_into(&one, *arg);
            size_t len = one.len;
            if (f.prec >= 0 && one.s) {
                /* precision counts code points */
                size_t *offs;
                int64_t cnt = 0;
                if (u8_offsets(one.s, one.len, &offs, &cnt) == 0) {
                    if (f.prec < cnt)
                        len = offs[f.prec];
                    free(offs);
                }
            }
            pad_into(&b, one.s ? one.s : "", len, &f, '>');
            if (one.oom)
                b.oom = true;
            free(tfg_sb_take(&one));
            break;
        }
        default:
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "unsupported format character '%c' (0x%x) at index %zu",
                                  isprint((unsigned char)c) ? c : '?', (unsigned char)c, i - 1);
        }
        if (rc) {
            free(tfg_sb_take(&b));
            return -1;
        }
    }
    if (!mapping && ai < argc) {
        free(tfg_sb_take(&b));
        return tfg_eval_error(ev, loc, "not all arguments converted during string formatting");
    }
    (void)used_mapping;
    return give(ev, loc, sb_val(&b), out);
}

/* ======================================================================
 * str.format and format specs
 * ====================================================================== */

/* Parses a format() spec: [[fill]align][sign][#][0][width][,_][.prec][type]. */
static int parse_format_spec(tfg_eval *ev, const char *s, size_t n, tfg_loc loc, fmt_spec *f)
{
    memset(f, 0, sizeof *f);
    f->width = f->prec = -1;
    size_t i = 0;
    if (n >= 2 && strchr("<>=^", s[1]) && ((unsigned char)s[0] < 0x80)) {
        f->fill = s[0];
        f->align = s[1];
        i = 2;
    } else if (n >= 1 && strchr("<>=^", s[0])) {
        f->align = s[0];
        i = 1;
    }
    if (i < n && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) {
        f->plus = s[i] == '+';
        f->space = s[i] == ' ';
        i++;
    }
    if (i < n && s[i] == 'z')
        i++;
    if (i < n && s[i] == '#') {
        f->alt = true;
        i++;
    }
    if (i < n && s[i] == '0') {
        /* zero padding: fill '0' unless a fill was given, sign-aware unless aligned */
        if (!f->fill)
            f->fill = '0';
        if (!f->align)
            f->align = '=';
        i++;
    }
    while (i < n && isdigit((unsigned char)s[i])) {
        f->width = (f->width < 0 ? 0 : f->width) * 10 + (s[i] - '0');
        if (f->width > 100000)
            f->width = 100000;
        i++;
    }
    if (i < n && (s[i] == ',' || s[i] == '_')) {
        f->group = s[i];
        i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !isdigit((unsigned char)s[i]))
            return tfg_eval_error(ev, loc, "Format specifier missing precision");
        f->prec = 0;
        while (i < n && isdigit((unsigned char)s[i])) {
            f->prec = f->prec * 10 + (s[i] - '0');
            if (f->prec > 1000)
                f->prec = 1000;
            i++;
        }
    }
    if (i < n)
        f->type = s[i++];
    if (i < n)
        return tfg_eval_error(ev, loc, "Invalid format specifier '%.*s'", (int)n, s);
    return 0;
}

/* format(v, spec): appends v formatted by the spec mini-language. */
static int format_value(tfg_eval *ev, tfg_val v, const char *spec, size_t n, tfg_loc loc,
                        tfg_sb *b)
{
    pnum num;
    if (n == 0) {
        if (v.t == TFG_V_ARRAY && get_num(v, &num, false) && num.isf) {
            /* numpy scalars format through Python's float: 0.10000000149011612 */
            char buf[64];
            tfg_print_pyfloat(num.f, buf, sizeof buf);
            tfg_sb_add(b, buf);
        } else {
            tfg_val_str_into(b, v);
        }
        return 0;
    }
    fmt_spec f;
    if (parse_format_spec(ev, spec, n, loc, &f))
        return -1;
    bool isnum = get_num(v, &num, false);
    if (v.t == TFG_V_BOOL && (!f.type || f.type == 's')) {
        /* format(True, '>6') formats str(True) */
        isnum = false;
    }
    if (isnum) {
        if (!num.isf && (!f.type || strchr("bcdoxXn", f.type))) {
            if (f.type == 'c') {
                tfg_sb one = {0};
                if (!u8_put(&one, num.i)) {
                    free(tfg_sb_take(&one));
                    return tfg_eval_error(ev, loc, "%%c arg not in range(0x110000)");
                }
                pad_into(b, one.s, one.len, &f, '<');
                free(tfg_sb_take(&one));
                return 0;
            }
            if (f.prec >= 0)
                return tfg_eval_error(ev, loc, "Precision not allowed in integer format specifier");
            if (f.type == 'n')
                f.type = 'd';
            fmt_int(b, num.i, &f, true);
            return 0;
        }
        if (!f.type || strchr("eEfFgG%n", f.type)) {
            if (f.type == 'n')
                f.type = 'g';
            double d = num.isf ? num.f : (double)num.i;
            if (!num.isf && !f.type) {
                fmt_int(b, num.i, &f, true);
                return 0;
            }
            fmt_float(b, d, &f, true);
            return 0;
        }
        return tfg_eval_error(ev, loc, "Unknown format code '%c' for object of type '%s'", f.type,
                              num.isf ? "float" : "int");
    }
    if (v.t == TFG_V_STR || v.t == TFG_V_BOOL || v.t == TFG_V_NONE) {
        if (f.type && f.type != 's')
            return tfg_eval_error(ev, loc, "Unknown format code '%c' for object of type '%s'",
                                  f.type, tfg_val_type_name(v));
        if (f.align == '=')
            return tfg_eval_error(ev, loc, "'=' alignment not allowed in string format specifier");
        tfg_sb one = {0};
        tfg_val_str_into(&one, v);
        size_t len = one.len;
        if (f.prec >= 0 && one.s) {
            size_t *offs;
            int64_t cnt = 0;
            if (u8_offsets(one.s, one.len, &offs, &cnt) == 0) {
                if (f.prec < cnt)
                    len = offs[f.prec];
                free(offs);
            }
        }
        pad_into(b, one.s ? one.s : "", len, &f, '<');
        free(tfg_sb_take(&one));
        return 0;
    }
    return tfg_eval_error(ev, loc, "unsupported format string passed to %s.__format__",
                          tfg_val_type_name(v));
}

/* str.format(*args, **kwargs). */
static int str_format(tfg_eval *ev, tfg_val fmtv, const tfg_args *a, tfg_val *out)
{
    tfg_loc loc = a->loc;
    const char *s = sv(fmtv);
    size_t n = slen(fmtv);
    tfg_sb b = {0};
    int autonum = 0;   /* 0 unknown, 1 automatic, 2 manual */
    int next = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '}') {
            if (i + 1 < n && s[i + 1] == '}') {
                tfg_sb_add(&b, "}");
                i += 2;
                continue;
            }
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "Single '}' encountered in format string");
        }
        if (c != '{') {
            size_t j = i;
            while (j < n && s[j] != '{' && s[j] != '}')
                j++;
            tfg_sb_addn(&b, s + i, j - i);
            i = j;
            continue;
        }
        if (i + 1 < n && s[i + 1] == '{') {
            tfg_sb_add(&b, "{");
            i += 2;
            continue;
        }
        /* a replacement field: {name[idx]!conv:spec} */
        size_t j = i + 1;
        int depth = 1;
        while (j < n && depth) {
            if (s[j] == '{')
                depth++;
            else if (s[j] == '}')
                depth--;
            if (depth)
                j++;
        }
        if (j >= n) {
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, i + 1 < n ? "expected '}' before end of string"
                                                     : "Single '{' encountered in format string");
        }
        const char *field = s + i + 1;
        size_t flen = j - i - 1;
        i = j + 1;
        size_t namelen = 0;
        while (namelen < flen && field[namelen] != '!' && field[namelen] != ':' &&
               field[namelen] != '[' && field[namelen] != '.')
            namelen++;
        const tfg_val *arg = NULL;
        if (namelen == 0) {
            if (autonum == 2) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "cannot switch from manual field specification to "
                                               "automatic field numbering");
            }
            autonum = 1;
            if (next >= a->npos) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc,
                                      "Replacement index %d out of range for positional args tuple",
                                      next);
            }
            arg = &a->pos[next++];
        } else if (isdigit((unsigned char)field[0])) {
            if (autonum == 1) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "cannot switch from automatic field numbering to "
                                               "manual field specification");
            }
            autonum = 2;
            int64_t k = 0;
            for (size_t q = 0; q < namelen; q++) {
                if (!isdigit((unsigned char)field[q])) {
                    k = -1;
                    break;
                }
                k = k * 10 + (field[q] - '0');
                if (k > 1000000)
                    k = 1000000;
            }
            if (k < 0 || k >= a->npos) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc,
                                      "Replacement index %" PRId64 " out of range for positional "
                                      "args tuple",
                                      k < 0 ? 0 : k);
            }
            arg = &a->pos[k];
        } else {
            for (int q = 0; q < a->nkw; q++)
                if (strlen(a->kwnames[q]) == namelen && !memcmp(a->kwnames[q], field, namelen))
                    arg = &a->kw[q];
            if (!arg) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "KeyError: '%.*s'", (int)namelen, field);
            }
        }
        tfg_val cur = tfg_val_incref(*arg);
        size_t p = namelen;
        /* element access: [int] or [key] */
        while (p < flen && field[p] == '[') {
            size_t q = p + 1;
            while (q < flen && field[q] != ']')
                q++;
            if (q >= flen) {
                tfg_val_decref(cur);
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "Missing ']' in format string");
            }
            tfg_val key;
            bool digits = q > p + 1;
            for (size_t r = p + 1; r < q; r++)
                digits = digits && isdigit((unsigned char)field[r]);
            if (digits)
                key = tfg_val_int(strtoll(field + p + 1, NULL, 10));
            else
                key = tfg_val_str(field + p + 1, q - p - 1);
            tfg_val next_v;
            int rc = key.t == TFG_V_MISSING ? oom(ev, loc)
                                            : tfg_api_py_subscript(ev, cur, key, loc, &next_v);
            tfg_val_decref(key);
            tfg_val_decref(cur);
            if (rc) {
                free(tfg_sb_take(&b));
                if (rc == 1)
                    return tfg_eval_error(ev, loc, "'%s' object is not subscriptable",
                                          tfg_val_type_name(*arg));
                return -1;
            }
            cur = next_v;
            p = q + 1;
        }
        if (p < flen && field[p] == '.') {
            tfg_val_decref(cur);
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "attribute access in format fields is not supported");
        }
        char conv = 0;
        if (p < flen && field[p] == '!') {
            if (p + 1 >= flen || !strchr("rsa", field[p + 1]) ||
                (p + 2 < flen && field[p + 2] != ':')) {
                tfg_val_decref(cur);
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "Unknown conversion specifier %.1s",
                                      p + 1 < flen ? field + p + 1 : "");
            }
            conv = field[p + 1];
            p += 2;
        }
        const char *spec = "";
        size_t speclen = 0;
        if (p < flen && field[p] == ':') {
            spec = field + p + 1;
            speclen = flen - p - 1;
        }
        int rc = 0;
        if (conv) {
            tfg_sb one = {0};
            if (conv == 's')
                tfg_val_str_into(&one, cur);
            else
                tfg_val_repr_into(&one, cur);
            tfg_val sval = sb_val(&one);
            rc = sval.t == TFG_V_MISSING ? oom(ev, loc)
                                         : format_value(ev, sval, spec, speclen, loc, &b);
            tfg_val_decref(sval);
        } else {
            rc = format_value(ev, cur, spec, speclen, loc, &b);
        }
        tfg_val_decref(cur);
        if (rc) {
            free(tfg_sb_take(&b));
            return -1;
        }
    }
    return give(ev, loc, sb_val(&b), out);
}

/* ======================================================================
 * Operators: the entry points
 * ====================================================================== */

/* Operators on host values (see eval.h): 0, 1 when unsupported, -1 on error. */
int tfg_api_py_binop(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, tfg_val *out)
{
    if (op == TFG_OP_IS || op == TFG_OP_IS_NOT) {
        bool same = py_is(a, b);
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
        return percent_format(ev, a, b, loc, out);
    if (a.t == TFG_V_ARRAY || b.t == TFG_V_ARRAY) {
        int rc = array_binop(ev, op, a, b, loc, out);
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
            return seq_concat(ev, a.t, a.u.p, b.u.p, loc, out);
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
                if (np_bitwise(ev, TFG_OP_INVERT, t, NULL, loc, &r))
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
    if (!hs) {
        s = p < 0 ? len - 1 : 0;
    } else {
        if (s < 0) {
            s += len;
            if (s < 0)
                s = p < 0 ? -1 : 0;
        } else if (s >= len) {
            s = p < 0 ? len - 1 : len;
        }
    }
    if (!he) {
        e = p < 0 ? -1 : len;
    } else {
        if (e < 0) {
            e += len;
            if (e < 0)
                e = p < 0 ? -1 : 0;
        } else if (e >= len) {
            e = p < 0 ? len - 1 : len;
        }
    }
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
            return error_with_repr(ev, loc,
                                   "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis "
                                   "(`None`) and scalar tf.int32/tf.int64 tensors are valid "
                                   "indices, got %s",
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
        if (is_ascii(sv(obj), slen(obj))) {
            len = (int64_t)slen(obj);
        } else if (u8_offsets(sv(obj), slen(obj), &offs, &len)) {
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

/* arr[int array / list of ints / bool mask] along axis 0 (numpy advanced indexing, 1-D index). */
static int array_take(tfg_eval *ev, tfg_tensor *x, tfg_val idx, tfg_loc loc, tfg_val *out)
{
    tfg_tensor *it = NULL, *ix = NULL, *r = NULL;
    tfg_error err;
    int rc = -1;
    if (np_from(ev, idx, -1, false, loc, &it))
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
static int array_subscript(tfg_eval *ev, tfg_tensor *x, tfg_val idx, tfg_loc loc, tfg_val *out)
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
        return tfg_eval_error(ev, loc, "arrays of more than %d dimensions are not supported",
                              TFG_MAX_RANK);
    (void)newaxes;
    tfg_tensor *r;
    tfg_error err;
    if (tfg_k_slice(x, specs, n, &r, &err))
        return kfail(ev, loc, &err);
    return give_array(r, out);
}

/* Records Python's unhashable-key error when key cannot be a dict key. */
static int check_hashable(tfg_eval *ev, tfg_val key, tfg_loc loc)
{
    if (key.t == TFG_V_LIST || key.t == TFG_V_DICT || key.t == TFG_V_SLICE ||
        (key.t == TFG_V_ARRAY && tfg_val_as_array(key)->rank > 0))
        return tfg_eval_error(ev, loc, "unhashable type: '%s'", tfg_val_type_name(key));
    if (key.t == TFG_V_TUPLE) {
        const tfg_list *l = key.u.p;
        for (int i = 0; i < l->n; i++)
            if (check_hashable(ev, l->items[i], loc))
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
        if (check_hashable(ev, idx, loc))
            return -1;
        tfg_val *v = tfg_val_dict_get(obj, idx);
        if (!v)
            return error_with_repr(ev, loc, "KeyError: %s", idx);
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
        return array_subscript(ev, obj.u.p, idx, loc, out);
    default:
        return 1;
    }
}

/* ======================================================================
 * Builtin functions
 * ====================================================================== */

/* a (op) b for op in < <= > >= with Python's errors, as a C bool. */
static int py_order(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, bool *res)
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

/* Calls fn with one argument. */
static int call1(tfg_eval *ev, tfg_val fn, tfg_val x, tfg_loc loc, tfg_val *out)
{
    tfg_args a = {.pos = &x, .npos = 1, .loc = loc};
    return tfg_eval_call(ev, fn, &a, out);
}

/* A text argument: MISSING/None give dflt; else it must be a str. */
static int text_arg(tfg_eval *ev, tfg_val v, const char *what, const char *dflt, tfg_loc loc,
                    const char **s, size_t *n)
{
    if (v.t == TFG_V_MISSING || v.t == TFG_V_NONE) {
        *s = dflt;
        *n = strlen(dflt);
        return 0;
    }
    if (v.t != TFG_V_STR)
        return tfg_eval_error(ev, loc, "%s must be None or a string, not %s", what,
                              tfg_val_type_name(v));
    *s = sv(v);
    *n = slen(v);
    return 0;
}

/* print(*values, sep=' ', end='\n', file=None, flush=False) */
static int bi_print(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[5];
    if (tfg_eval_bind(ev, a, "print", "*values,sep=,end=,file=,flush=", p))
        return -1;
    const char *sep = " ", *end = "\n";
    size_t nsep = 1, nend = 1;
    int rc = -1;
    if (text_arg(ev, p[1], "sep", " ", a->loc, &sep, &nsep) ||
        text_arg(ev, p[2], "end", "\n", a->loc, &end, &nend))
        goto done;
    tfg_sb b = {0};
    const tfg_list *vals = tfg_val_as_list(p[0]);
    for (int i = 0; i < vals->n; i++) {
        if (i)
            tfg_sb_addn(&b, sep, nsep);
        tfg_val_str_into(&b, vals->items[i]);
    }
    tfg_sb_addn(&b, end, nend);
    if (b.oom) {
        free(tfg_sb_take(&b));
        rc = oom(ev, a->loc);
        goto done;
    }
    if (!ev->opts.quiet && b.len) {
        FILE *f = ev->out ? ev->out : stdout;
        fwrite(b.s, 1, b.len, f);
    }
    free(tfg_sb_take(&b));
    *out = tfg_val_none();
    rc = 0;
done:
    tfg_val_decref(p[0]);
    return rc;
}

/* range(stop) / range(start, stop[, step]) */
static int bi_range(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    if (unknown_args(a, out))
        return 0;
    if (a->nkw)
        return tfg_eval_error(ev, a->loc, "range() takes no keyword arguments");
    if (a->npos < 1 || a->npos > 3)
        return tfg_eval_error(ev, a->loc, a->npos ? "range expected at most 3 arguments, got %d"
                                                  : "range expected at least 1 argument, got %d",
                              a->npos);
    int64_t v[3] = {0, 0, 1};
    for (int i = 0; i < a->npos; i++)
        if (get_index(ev, a->pos[i], a->loc, &v[a->npos == 1 ? 1 : i]))
            return -1;
    if (v[2] == 0)
        return tfg_eval_error(ev, a->loc, "range() arg 3 must not be zero");
    tfg_val r = tfg_val_list_new(TFG_V_RANGE, 3);
    if (r.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    for (int i = 0; i < 3; i++)
        tfg_val_list_append(r, tfg_val_int(v[i]));
    *out = r;
    return 0;
}

/* len(obj) */
static int bi_len(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "len", "obj", p))
        return -1;
    tfg_val v = p[0];
    switch (v.t) {
    case TFG_V_STR:
        *out = tfg_val_int(u8_len(sv(v), slen(v)));
        return 0;
    case TFG_V_LIST:
    case TFG_V_TUPLE:
        *out = tfg_val_int(tfg_val_as_list(v)->n);
        return 0;
    case TFG_V_DICT:
        *out = tfg_val_int(tfg_val_as_dict(v)->n);
        return 0;
    case TFG_V_RANGE:
        *out = tfg_val_int(range_len(v.u.p));
        return 0;
    case TFG_V_ARRAY: {
        const tfg_tensor *t = v.u.p;
        if (t->rank == 0)
            return tfg_eval_error(ev, a->loc, "len() of unsized object");
        *out = tfg_val_int(t->shape[0]);
        return 0;
    }
    case TFG_V_SHAPE: {
        const tfg_shape *s = &((tfg_shapeobj *)v.u.p)->shape;
        if (s->rank < 0)
            return tfg_eval_error(ev, a->loc, "Cannot take the length of shape with unknown rank.");
        *out = tfg_val_int(s->rank);
        return 0;
    }
    case TFG_V_TENSOR:
    case TFG_V_VARIABLE:
        return tfg_eval_error(ev, a->loc, "len is not well defined for symbolic Tensors. (%s:%d) "
                                          "Please call `x.shape` rather than `len(x)` for shape "
                                          "information.",
                              v.u.e.node && v.u.e.node->name ? v.u.e.node->name : "?",
                              v.u.e.index);
    default:
        return tfg_eval_error(ev, a->loc, "object of type '%s' has no len()", tfg_val_type_name(v));
    }
}

/* Python's int(str, base) parser; -1 with Python's ValueError. */
static int parse_int_text(tfg_eval *ev, tfg_val strv, int64_t base, tfg_loc loc, int64_t *out)
{
    const char *s = sv(strv), *e = s + slen(strv);
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    bool neg = false;
    if (s < e && (*s == '+' || *s == '-')) {
        neg = *s == '-';
        s++;
    }
    int b = (int)base;
    if (s + 1 < e && s[0] == '0') {
        char c = (char)tolower((unsigned char)s[1]);
        int pb = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
        if (pb && (b == 0 || b == pb)) {
            b = pb;
            s += 2;
            if (s < e && *s == '_')
                s++;
        }
    }
    if (b == 0)
        b = 10;
    uint64_t acc = 0;
    bool any = false, bad = s >= e, over = false;
    for (const char *p = s; p < e && !bad; p++) {
        if (*p == '_') {
            if (!any || p + 1 >= e || p[1] == '_')
                bad = true;
            continue;
        }
        int d = isdigit((unsigned char)*p) ? *p - '0'
              : isalpha((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10 : 99;
        if (d >= b) {
            bad = true;
            break;
        }
        any = true;
        if (acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)b)
            over = true;
        else
            acc = acc * (uint64_t)b + (uint64_t)d;
    }
    if (bad || !any)
        return error_with_repr(ev, loc,
                               base == 10 ? "invalid literal for int() with base 10: %s"
                                          : "invalid literal for int() with the given base: %s",
                               strv);
    if (over || acc > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return int_overflow(ev, loc);
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return 0;
}

/* A float as a Python int (truncation) with Python's errors. */
static int float_to_int(tfg_eval *ev, double f, tfg_loc loc, int64_t *out)
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

/* int(x=0, base=10) */
static int bi_int(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "int", "x=,base=", p))
        return -1;
    int64_t base = 10;
    if (p[1].t != TFG_V_MISSING) {
        if (get_index(ev, p[1], a->loc, &base))
            return -1;
        if (p[0].t != TFG_V_STR)
            return tfg_eval_error(ev, a->loc, "int() can't convert non-string with explicit base");
        if (base != 0 && (base < 2 || base > 36))
            return tfg_eval_error(ev, a->loc, "int() base must be >= 2 and <= 36, or 0");
    }
    if (p[0].t == TFG_V_MISSING) {
        *out = tfg_val_int(0);
        return 0;
    }
    int64_t r = 0;
    if (p[0].t == TFG_V_STR) {
        if (parse_int_text(ev, p[0], base, a->loc, &r))
            return -1;
        *out = tfg_val_int(r);
        return 0;
    }
    pnum n;
    if (get_num(p[0], &n, true)) {
        if (n.isf && float_to_int(ev, n.f, a->loc, &n.i))
            return -1;
        *out = tfg_val_int(n.i);
        return 0;
    }
    if (p[0].t == TFG_V_ARRAY)
        return tfg_eval_error(ev, a->loc, "only 0-dimensional arrays can be converted to Python scalars");
    return tfg_eval_error(ev, a->loc,
                          "int() argument must be a string, a bytes-like object or a real number, "
                          "not '%s'",
                          tfg_val_type_name(p[0]));
}

/* Python's float(str) parser. */
static int parse_float_text(tfg_eval *ev, tfg_val strv, tfg_loc loc, double *out)
{
    const char *s = sv(strv), *e = s + slen(strv);
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    char buf[400];
    size_t n = 0;
    bool ok = s < e && (size_t)(e - s) < sizeof buf;
    for (const char *p = s; ok && p < e; p++) {
        if (*p == '_') {
            /* single underscores between digits */
            ok = p > s && p + 1 < e && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1]);
            continue;
        }
        buf[n++] = *p;
    }
    if (ok) {
        buf[n] = '\0';
        const char *q = buf;
        if (*q == '+' || *q == '-')
            q++;
        if (!strcasecmp(q, "nan") || !strcasecmp(q, "inf") || !strcasecmp(q, "infinity")) {
            double v = tolower((unsigned char)*q) == 'n' ? NAN : INFINITY;
            *out = buf[0] == '-' ? -v : v;
            return 0;
        }
        for (const char *c = q; *c; c++)
            if (!isdigit((unsigned char)*c) && !strchr(".eE+-", *c))
                ok = false;
        if (ok) {
            char *end;
            double v = strtod(buf, &end);
            if (*end == '\0' && end != buf) {
                *out = v;
                return 0;
            }
        }
    }
    return error_with_repr(ev, loc, "could not convert string to float: %s", strv);
}

/* float(x=0.0) */
static int bi_float(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "float", "x=", p))
        return -1;
    if (p[0].t == TFG_V_MISSING) {
        *out = tfg_val_float(0.0);
        return 0;
    }
    if (p[0].t == TFG_V_STR) {
        double d = 0.0;
        if (parse_float_text(ev, p[0], a->loc, &d))
            return -1;
        *out = tfg_val_float(d);
        return 0;
    }
    pnum n;
    if (get_num(p[0], &n, true)) {
        *out = tfg_val_float(n.isf ? n.f : (double)n.i);
        return 0;
    }
    if (p[0].t == TFG_V_ARRAY)
        return tfg_eval_error(ev, a->loc, "only 0-dimensional arrays can be converted to Python scalars");
    return tfg_eval_error(ev, a->loc, "float() argument must be a string or a real number, not '%s'",
                          tfg_val_type_name(p[0]));
}

/* str(object='') */
static int bi_str(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (tfg_eval_bind(ev, a, "str", "object=", p))
        return -1;
    if (p[0].t == TFG_V_MISSING)
        return give(ev, a->loc, tfg_val_cstr(""), out);
    if (p[0].t == TFG_V_STR) {
        *out = tfg_val_incref(p[0]);
        return 0;
    }
    tfg_sb b = {0};
    tfg_val_str_into(&b, p[0]);
    return give(ev, a->loc, sb_val(&b), out);
}

/* repr(obj) */
static int bi_repr(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (tfg_eval_bind(ev, a, "repr", "obj", p))
        return -1;
    tfg_sb b = {0};
    tfg_val_repr_into(&b, p[0]);
    return give(ev, a->loc, sb_val(&b), out);
}

/* bool(x=False) */
static int bi_bool(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "bool", "x=", p))
        return -1;
    if (p[0].t == TFG_V_MISSING) {
        *out = tfg_val_bool(false);
        return 0;
    }
    bool t = false;
    if (tfg_eval_truth(ev, p[0], a->loc, &t))
        return -1;
    *out = tfg_val_bool(t);
    return 0;
}

static int np_unary_val(tfg_eval *ev, tfg_unop op, tfg_val v, tfg_loc loc, tfg_val *out);

/* abs(x): numbers, arrays, and graph tensors (through tf.abs). */
static int bi_abs(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "abs", "x", p))
        return -1;
    tfg_val v = p[0];
    if (v.t == TFG_V_BOOL || v.t == TFG_V_INT) {
        if (v.u.i == INT64_MIN)
            return int_overflow(ev, a->loc);
        *out = tfg_val_int(v.u.i < 0 ? -v.u.i : v.u.i);
        return 0;
    }
    if (v.t == TFG_V_FLOAT) {
        *out = tfg_val_float(fabs(v.u.f));
        return 0;
    }
    if (v.t == TFG_V_ARRAY)
        return np_unary_val(ev, TFG_UN_ABS, v, a->loc, out);
    if (v.t == TFG_V_TENSOR || v.t == TFG_V_VARIABLE) {
        tfg_val fn;
        if (tfg_api_tf_lookup(ev, "tf", "abs", &fn))
            return tfg_eval_error(ev, a->loc, "bad operand type for abs(): '%s'",
                                  tfg_val_type_name(v));
        tfg_args one = {.pos = &v, .npos = 1, .loc = a->loc};
        int rc = tfg_eval_call(ev, fn, &one, out);
        tfg_val_decref(fn);
        return rc;
    }
    return tfg_eval_error(ev, a->loc, "bad operand type for abs(): '%s'", tfg_val_type_name(v));
}

/* min(...) / max(...): flag 0 min, 1 max. */
static int bi_minmax(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool ismax)
{
    (void)self;
    const char *name = ismax ? "max" : "min";
    tfg_val p[3];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "*args,key=,default=", p))
        return -1;
    const tfg_list *args = tfg_val_as_list(p[0]);
    tfg_val *items = NULL;
    int n = 0, rc = -1;
    tfg_val best = {.t = TFG_V_MISSING}, bestkey = {.t = TFG_V_MISSING};
    if (args->n == 0) {
        rc = tfg_eval_error(ev, a->loc, "%s expected at least 1 argument, got 0", name);
        goto done;
    }
    if (args->n == 1) {
        if (tfg_eval_iter(ev, args->items[0], a->loc, &items, &n))
            goto done;
    } else {
        if (p[2].t != TFG_V_MISSING) {
            rc = tfg_eval_error(ev, a->loc, "Cannot specify a default for %s() with multiple "
                                            "positional arguments", name);
            goto done;
        }
        items = malloc((size_t)args->n * sizeof *items);
        if (!items) {
            rc = oom(ev, a->loc);
            goto done;
        }
        n = args->n;
        for (int i = 0; i < n; i++)
            items[i] = tfg_val_incref(args->items[i]);
    }
    if (n == 0) {
        if (p[2].t != TFG_V_MISSING) {
            *out = tfg_val_incref(p[2]);
            rc = 0;
        } else {
            rc = tfg_eval_error(ev, a->loc, "%s() arg is an empty sequence", name);
        }
        goto done;
    }
    bool haskey = p[1].t != TFG_V_MISSING && p[1].t != TFG_V_NONE;
    for (int i = 0; i < n; i++) {
        tfg_val k;
        if (haskey) {
            if (call1(ev, p[1], items[i], a->loc, &k))
                goto done;
        } else {
            k = tfg_val_incref(items[i]);
        }
        if (best.t == TFG_V_MISSING) {
            best = tfg_val_incref(items[i]);
            bestkey = k;
            continue;
        }
        bool better = false;
        if (py_order(ev, ismax ? TFG_OP_GT : TFG_OP_LT, k, bestkey, a->loc, &better)) {
            tfg_val_decref(k);
            goto done;
        }
        if (better) {
            tfg_val_decref(best);
            tfg_val_decref(bestkey);
            best = tfg_val_incref(items[i]);
            bestkey = k;
        } else {
            tfg_val_decref(k);
        }
    }
    *out = best;
    best.t = TFG_V_MISSING;
    rc = 0;
done:
    tfg_val_decref(best);
    tfg_val_decref(bestkey);
    free_items(items, n);
    tfg_val_decref(p[0]);
    return rc;
}

/* max(iterable) / max(a, b, ...) */
static int bi_max(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return bi_minmax(ev, self, a, out, true);
}

/* min(iterable) / min(a, b, ...) */
static int bi_min(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return bi_minmax(ev, self, a, out, false);
}

/* sum(iterable, start=0): + on any values (graph tensors build Add ops). */
static int bi_sum(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "sum", "iterable,start=", p))
        return -1;
    if (p[1].t == TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "sum() can't sum strings [use ''.join(seq) instead]");
    tfg_val *items;
    int n = 0;
    if (tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    tfg_val acc = p[1].t == TFG_V_MISSING ? tfg_val_int(0) : tfg_val_incref(p[1]);
    for (int i = 0; i < n; i++) {
        tfg_val r;
        if (tfg_eval_binop(ev, TFG_OP_ADD, acc, items[i], a->loc, &r)) {
            tfg_val_decref(acc);
            free_items(items, n);
            return -1;
        }
        tfg_val_decref(acc);
        acc = r;
    }
    free_items(items, n);
    *out = acc;
    return 0;
}

/* list(iterable=()) / tuple(iterable=()): flag selects the kind. */
static int make_seq(tfg_eval *ev, tfg_args *a, tfg_vtype t, tfg_val *out)
{
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, t == TFG_V_LIST ? "list" : "tuple", "iterable=", p))
        return -1;
    if (t == TFG_V_TUPLE && p[0].t == TFG_V_TUPLE) {
        *out = tfg_val_incref(p[0]);
        return 0;
    }
    tfg_val *items = NULL;
    int n = 0;
    if (p[0].t != TFG_V_MISSING && tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    tfg_val r = tfg_val_list_new(t, n);
    if (r.t == TFG_V_MISSING) {
        free_items(items, n);
        return oom(ev, a->loc);
    }
    for (int i = 0; i < n; i++)
        tfg_val_list_append(r, items[i]);
    free(items);
    *out = r;
    return 0;
}

/* list(iterable=()) */
static int bi_list(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return make_seq(ev, a, TFG_V_LIST, out);
}

/* tuple(iterable=()) */
static int bi_tuple(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return make_seq(ev, a, TFG_V_TUPLE, out);
}

/* Sets d[key] = value (new references taken here) with the hashability check. */
static int dict_put(tfg_eval *ev, tfg_val d, tfg_val key, tfg_val value, tfg_loc loc)
{
    if (check_hashable(ev, key, loc) || check_cycle(ev, loc, value, d.u.p))
        return -1;
    if (tfg_val_dict_set(d, tfg_val_incref(key), tfg_val_incref(value)))
        return oom(ev, loc);
    return 0;
}

/* Adds the items of src (a dict, or an iterable of pairs) to dict d. */
static int dict_update_from(tfg_eval *ev, tfg_val d, tfg_val src, tfg_loc loc)
{
    if (src.t == TFG_V_DICT) {
        const tfg_dict *s = src.u.p;
        for (int i = 0; i < s->n; i++)
            if (dict_put(ev, d, s->keys[i], s->vals[i], loc))
                return -1;
        return 0;
    }
    tfg_val *items;
    int n = 0;
    if (tfg_eval_iter(ev, src, loc, &items, &n))
        return -1;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const tfg_list *pair = seq_of(items[i]);
        if (!pair) {
            rc = tfg_eval_error(ev, loc, "cannot convert dictionary update sequence element #%d to "
                                         "a sequence", i);
        } else if (pair->n != 2) {
            rc = tfg_eval_error(ev, loc, "dictionary update sequence element #%d has length %d; 2 "
                                         "is required", i, pair->n);
        } else {
            rc = dict_put(ev, d, pair->items[0], pair->items[1], loc);
        }
    }
    free_items(items, n);
    return rc;
}

/* Adds keyword arguments to dict d. */
static int dict_update_kw(tfg_eval *ev, tfg_val d, const tfg_args *a)
{
    for (int i = 0; i < a->nkw; i++) {
        tfg_val k = tfg_val_cstr(a->kwnames[i]);
        if (k.t == TFG_V_MISSING)
            return oom(ev, a->loc);
        int rc = dict_put(ev, d, k, a->kw[i], a->loc);
        tfg_val_decref(k);
        if (rc)
            return -1;
    }
    return 0;
}

/* dict(mapping_or_pairs=(), **kwargs) */
static int bi_dict(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    if (a->npos > 1)
        return tfg_eval_error(ev, a->loc, "dict expected at most 1 argument, got %d", a->npos);
    tfg_val d = tfg_val_dict_new();
    if (d.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    if ((a->npos == 1 && dict_update_from(ev, d, a->pos[0], a->loc)) || dict_update_kw(ev, d, a)) {
        tfg_val_decref(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* Rounds an int to a multiple of 10**k (k > 0), half to even. */
static int round_int_neg(tfg_eval *ev, int64_t v, int64_t k, tfg_loc loc, int64_t *out)
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

/* Python's round(x, nd) for a float: correctly rounded, half to even on the exact value. */
static double round_float_digits(double x, int64_t nd)
{
    if (!isfinite(x) || x == 0.0)
        return x;
    if (nd > 330)
        return x;
    if (nd < -330)
        return copysign(0.0, x);
    char buf[800];
    if (nd >= 0) {
        snprintf(buf, sizeof buf, "%.*f", (int)nd, x);
        return strtod(buf, NULL);
    }
    /* negative nd: round the exact integer digits with a sticky fraction bit */
    double t = trunc(x);
    bool frac = t != x;
    int len = snprintf(buf, sizeof buf, "%.0f", fabs(t));
    int k = (int)-nd;
    if (k > len)
        return copysign(0.0, x);
    int keep = len - k;
    bool up = false;
    char first = buf[keep];
    bool rest_zero = !frac;
    for (int i = keep + 1; i < len; i++)
        if (buf[i] != '0')
            rest_zero = false;
    if (first > '5' || (first == '5' && !rest_zero))
        up = true;
    else if (first == '5')
        up = keep > 0 && ((buf[keep - 1] - '0') & 1);
    else
        up = false;
    for (int i = keep; i < len; i++)
        buf[i] = '0';
    double r = strtod(buf, NULL);
    if (up)
        r += pow(10.0, (double)k);
    return copysign(r, x);
}

static int np_round_tensor(tfg_eval *ev, const tfg_tensor *x, int64_t decimals, tfg_loc loc,
                           tfg_tensor **out);

/* round(number, ndigits=None) with banker's rounding. */
static int bi_round(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "round", "number,ndigits=", p))
        return -1;
    bool hasnd = p[1].t != TFG_V_MISSING && p[1].t != TFG_V_NONE;
    int64_t nd = 0;
    if (hasnd && get_index(ev, p[1], a->loc, &nd))
        return -1;
    tfg_val v = p[0];
    if (v.t == TFG_V_ARRAY) {
        const tfg_tensor *t = v.u.p;
        tfg_tensor *r;
        if (np_round_tensor(ev, t, nd, a->loc, &r))
            return -1;
        if (!hasnd && t->rank == 0) {
            /* numpy scalar __round__ without ndigits gives a Python int */
            double d = tfg_tensor_get_f(r, 0);
            int64_t i = tfg_tensor_get_i(r, 0);
            tfg_tensor_unref(r);
            if (tfg_dtype_is_float(t->dtype) && float_to_int(ev, d, a->loc, &i))
                return -1;
            *out = tfg_val_int(i);
            return 0;
        }
        return give_array(r, out);
    }
    if (v.t == TFG_V_BOOL || v.t == TFG_V_INT) {
        int64_t r = v.u.i;
        if (hasnd && nd < 0 && round_int_neg(ev, v.u.i, -nd, a->loc, &r))
            return -1;
        *out = tfg_val_int(r);
        return 0;
    }
    if (v.t == TFG_V_FLOAT) {
        if (!hasnd) {
            int64_t r = 0;
            if (float_to_int(ev, nearbyint(v.u.f), a->loc, &r))
                return -1;
            *out = tfg_val_int(r);
            return 0;
        }
        *out = tfg_val_float(round_float_digits(v.u.f, nd));
        return 0;
    }
    return tfg_eval_error(ev, a->loc, "type %s doesn't define __round__ method",
                          tfg_val_type_name(v));
}

/* enumerate(iterable, start=0): a list of (index, item) tuples. */
static int bi_enumerate(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "enumerate", "iterable,start=", p))
        return -1;
    int64_t start = 0;
    if (p[1].t != TFG_V_MISSING && get_index(ev, p[1], a->loc, &start))
        return -1;
    tfg_val *items;
    int n = 0;
    if (tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    tfg_val r = tfg_val_list_new(TFG_V_LIST, n);
    int rc = r.t == TFG_V_MISSING ? oom(ev, a->loc) : 0;
    for (int i = 0; i < n && !rc; i++) {
        tfg_val t = tfg_val_list_new(TFG_V_TUPLE, 2);
        if (t.t == TFG_V_MISSING) {
            rc = oom(ev, a->loc);
            break;
        }
        tfg_val_list_append(t, tfg_val_int(start + i));
        tfg_val_list_append(t, tfg_val_incref(items[i]));
        tfg_val_list_append(r, t);
    }
    free_items(items, n);
    if (rc) {
        tfg_val_decref(r);
        return -1;
    }
    *out = r;
    return 0;
}

/* zip(*iterables): a list of tuples, as long as the shortest. */
static int bi_zip(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "zip", "*iterables", p))
        return -1;
    const tfg_list *its = tfg_val_as_list(p[0]);
    int k = its->n, rc = 0, minn = k ? INT32_MAX : 0;
    tfg_val **lists = calloc((size_t)(k ? k : 1), sizeof *lists);
    int *lens = calloc((size_t)(k ? k : 1), sizeof *lens);
    tfg_val r = tfg_val_list_new(TFG_V_LIST, 0);
    if (!lists || !lens || r.t == TFG_V_MISSING)
        rc = oom(ev, a->loc);
    for (int i = 0; i < k && !rc; i++) {
        rc = tfg_eval_iter(ev, its->items[i], a->loc, &lists[i], &lens[i]);
        if (!rc && lens[i] < minn)
            minn = lens[i];
    }
    for (int j = 0; j < minn && !rc; j++) {
        tfg_val t = tfg_val_list_new(TFG_V_TUPLE, k);
        if (t.t == TFG_V_MISSING) {
            rc = oom(ev, a->loc);
            break;
        }
        for (int i = 0; i < k; i++)
            tfg_val_list_append(t, tfg_val_incref(lists[i][j]));
        rc = append(ev, a->loc, r, t);
    }
    for (int i = 0; lists && lens && i < k; i++)
        free_items(lists[i], lens[i]);
    free(lists);
    free(lens);
    tfg_val_decref(p[0]);
    if (rc) {
        tfg_val_decref(r);
        return -1;
    }
    *out = r;
    return 0;
}

/* Stable merge sort of idx[0..n) by keys (a < b, or b < a when reverse). */
static int sort_merge(tfg_eval *ev, const tfg_val *keys, int *idx, int *tmp, int n, bool reverse,
                      tfg_loc loc)
{
    if (n < 2)
        return 0;
    int h = n / 2;
    if (sort_merge(ev, keys, idx, tmp, h, reverse, loc) ||
        sort_merge(ev, keys, idx + h, tmp, n - h, reverse, loc))
        return -1;
    int i = 0, j = h, k = 0;
    while (i < h && j < n) {
        bool take_right = false;
        /* the right item goes first only when strictly before the left one */
        if (reverse) {
            if (py_order(ev, TFG_OP_LT, keys[idx[i]], keys[idx[j]], loc, &take_right))
                return -1;
        } else {
            if (py_order(ev, TFG_OP_LT, keys[idx[j]], keys[idx[i]], loc, &take_right))
                return -1;
        }
        tmp[k++] = take_right ? idx[j++] : idx[i++];
    }
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
    return 0;
}

/* Sorts items[0..n) in place (key function optional) as Python's list.sort. */
static int sort_items(tfg_eval *ev, tfg_val *items, int n, tfg_val key, bool reverse, tfg_loc loc)
{
    if (n < 2)
        return 0;
    tfg_val *keys = calloc((size_t)n, sizeof *keys);
    int *idx = malloc((size_t)n * sizeof *idx), *tmp = malloc((size_t)n * sizeof *tmp);
    tfg_val *sorted = malloc((size_t)n * sizeof *sorted);
    int rc = 0, made = 0;
    if (!keys || !idx || !tmp || !sorted)
        rc = oom(ev, loc);
    bool haskey = key.t != TFG_V_MISSING && key.t != TFG_V_NONE;
    for (int i = 0; i < n && !rc; i++, made++) {
        if (haskey)
            rc = call1(ev, key, items[i], loc, &keys[i]);
        else
            keys[i] = tfg_val_incref(items[i]);
        if (rc)
            break;
        idx[i] = i;
    }
    if (!rc)
        rc = sort_merge(ev, keys, idx, tmp, n, reverse, loc);
    if (!rc) {
        for (int i = 0; i < n; i++)
            sorted[i] = items[idx[i]];
        memcpy(items, sorted, (size_t)n * sizeof *items);
    }
    for (int i = 0; keys && i < made; i++)
        tfg_val_decref(keys[i]);
    free(keys);
    free(idx);
    free(tmp);
    free(sorted);
    return rc;
}

/* sorted(iterable, key=None, reverse=False) */
static int bi_sorted(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[3];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "sorted", "iterable,key=,reverse=", p))
        return -1;
    bool rev = false;
    if (p[2].t != TFG_V_MISSING && tfg_eval_truth(ev, p[2], a->loc, &rev))
        return -1;
    tfg_val *items;
    int n = 0;
    if (tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    if (sort_items(ev, items, n, p[1], rev, a->loc)) {
        free_items(items, n);
        return -1;
    }
    tfg_val r = tfg_val_list_new(TFG_V_LIST, n);
    if (r.t == TFG_V_MISSING) {
        free_items(items, n);
        return oom(ev, a->loc);
    }
    for (int i = 0; i < n; i++)
        tfg_val_list_append(r, items[i]);
    free(items);
    *out = r;
    return 0;
}

/* reversed(sequence): a list in reverse order. */
static int bi_reversed(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "reversed", "sequence", p))
        return -1;
    tfg_val *items;
    int n = 0;
    if (tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    tfg_val r = tfg_val_list_new(TFG_V_LIST, n);
    if (r.t == TFG_V_MISSING) {
        free_items(items, n);
        return oom(ev, a->loc);
    }
    for (int i = n - 1; i >= 0; i--)
        tfg_val_list_append(r, items[i]);
    free(items);
    *out = r;
    return 0;
}

/* Applies a binary operator through the evaluator, reporting unsupported operands. */
static int host_binop(tfg_eval *ev, int op, tfg_val x, tfg_val y, tfg_loc loc, tfg_val *out)
{
    return tfg_eval_binop(ev, op, x, y, loc, out);
}

/* divmod(a, b) */
static int bi_divmod(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "divmod", "a,b", p))
        return -1;
    tfg_val q, m;
    if (host_binop(ev, TFG_OP_FLOORDIV, p[0], p[1], a->loc, &q))
        return -1;
    if (host_binop(ev, TFG_OP_MOD, p[0], p[1], a->loc, &m)) {
        tfg_val_decref(q);
        return -1;
    }
    tfg_val t = tfg_val_list_new(TFG_V_TUPLE, 2);
    if (t.t == TFG_V_MISSING) {
        tfg_val_decref(q);
        tfg_val_decref(m);
        return oom(ev, a->loc);
    }
    tfg_val_list_append(t, q);
    tfg_val_list_append(t, m);
    *out = t;
    return 0;
}

/* pow(base, exp, mod=None) */
static int bi_pow(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[3];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, "pow", "base,exp,mod=", p))
        return -1;
    if (p[2].t == TFG_V_MISSING || p[2].t == TFG_V_NONE)
        return host_binop(ev, TFG_OP_POW, p[0], p[1], a->loc, out);
    int64_t b = 0, e = 0, m = 0;
    if (!get_index_quiet(p[0], &b) || !get_index_quiet(p[1], &e) || !get_index_quiet(p[2], &m))
        return tfg_eval_error(ev, a->loc,
                              "pow() 3rd argument not allowed unless all arguments are integers");
    if (m == 0)
        return tfg_eval_error(ev, a->loc, "pow() 3rd argument cannot be 0");
    if (e < 0)
        return tfg_eval_error(ev, a->loc, "pow() with a negative exponent and a modulus is not "
                                          "supported");
    __int128 mm = m < 0 ? -(__int128)m : m, r = 1 % mm, x = ((__int128)b % mm + mm) % mm;
    while (e > 0) {
        if (e & 1)
            r = r * x % mm;
        x = x * x % mm;
        e >>= 1;
    }
    if (m < 0 && r != 0)
        r -= mm;   /* the result takes the modulus's sign */
    *out = tfg_val_int((int64_t)r);
    return 0;
}

/* any(iterable) / all(iterable) */
static int bi_anyall(tfg_eval *ev, tfg_args *a, tfg_val *out, bool isany)
{
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, isany ? "any" : "all", "iterable", p))
        return -1;
    tfg_val *items;
    int n = 0;
    if (tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    bool res = !isany;
    for (int i = 0; i < n; i++) {
        bool t = false;
        if (tfg_eval_truth(ev, items[i], a->loc, &t)) {
            free_items(items, n);
            return -1;
        }
        if (t == isany) {
            res = isany;
            break;
        }
    }
    free_items(items, n);
    *out = tfg_val_bool(res);
    return 0;
}

/* any(iterable) */
static int bi_any(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return bi_anyall(ev, a, out, true);
}

/* all(iterable) */
static int bi_all(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return bi_anyall(ev, a, out, false);
}

/* map(function, *iterables): a list of the results. */
static int bi_map(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    if (tfg_eval_bind(ev, a, "map", "function,*iterables", p))
        return -1;
    const tfg_list *its = tfg_val_as_list(p[1]);
    int k = its->n, rc = 0, minn = INT32_MAX;
    if (k == 0) {
        tfg_val_decref(p[1]);
        return tfg_eval_error(ev, a->loc, "map() must have at least two arguments.");
    }
    tfg_val **lists = calloc((size_t)k, sizeof *lists);
    int *lens = calloc((size_t)k, sizeof *lens);
    tfg_val *args = calloc((size_t)k, sizeof *args);
    tfg_val r = tfg_val_list_new(TFG_V_LIST, 0);
    if (!lists || !lens || !args || r.t == TFG_V_MISSING)
        rc = oom(ev, a->loc);
    for (int i = 0; i < k && !rc; i++) {
        rc = tfg_eval_iter(ev, its->items[i], a->loc, &lists[i], &lens[i]);
        if (!rc && lens[i] < minn)
            minn = lens[i];
    }
    for (int j = 0; !rc && j < minn; j++) {
        for (int i = 0; i < k; i++)
            args[i] = lists[i][j];
        tfg_args ca = {.pos = args, .npos = k, .loc = a->loc};
        tfg_val v;
        rc = tfg_eval_call(ev, p[0], &ca, &v);
        if (!rc)
            rc = append(ev, a->loc, r, v);
    }
    for (int i = 0; lists && lens && i < k; i++)
        free_items(lists[i], lens[i]);
    free(lists);
    free(lens);
    free(args);
    tfg_val_decref(p[1]);
    if (rc) {
        tfg_val_decref(r);
        return -1;
    }
    *out = r;
    return 0;
}

/* ord(c) */
static int bi_ord(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (tfg_eval_bind(ev, a, "ord", "c", p))
        return -1;
    if (p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "ord() expected string of length 1, but %s found",
                              tfg_val_type_name(p[0]));
    int64_t n = u8_len(sv(p[0]), slen(p[0]));
    if (n != 1)
        return tfg_eval_error(ev, a->loc,
                              "ord() expected a character, but string of length %" PRId64 " found", n);
    *out = tfg_val_int(u8_first(sv(p[0]), slen(p[0])));
    return 0;
}

/* chr(i) */
static int bi_chr(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    int64_t i = 0;
    if (tfg_eval_bind(ev, a, "chr", "i", p) || get_index(ev, p[0], a->loc, &i))
        return -1;
    tfg_sb b = {0};
    if (!u8_put(&b, i)) {
        free(tfg_sb_take(&b));
        return tfg_eval_error(ev, a->loc, "chr() arg not in range(0x110000)");
    }
    return give(ev, a->loc, sb_val(&b), out);
}

/* slice(stop) / slice(start, stop[, step]) */
static int bi_slice(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    if (a->nkw)
        return tfg_eval_error(ev, a->loc, "slice() takes no keyword arguments");
    if (a->npos < 1 || a->npos > 3)
        return tfg_eval_error(ev, a->loc, a->npos ? "slice expected at most 3 arguments, got %d"
                                                  : "slice expected at least 1 argument, got %d",
                              a->npos);
    tfg_val r = tfg_val_list_new(TFG_V_SLICE, 3);
    if (r.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    tfg_val none = tfg_val_none();
    tfg_val parts[3] = {none, none, none};
    if (a->npos == 1) {
        parts[1] = a->pos[0];
    } else {
        for (int i = 0; i < a->npos; i++)
            parts[i] = a->pos[i];
    }
    for (int i = 0; i < 3; i++)
        tfg_val_list_append(r, tfg_val_incref(parts[i]));
    *out = r;
    return 0;
}

/* The Python builtins by name. */
static const tfg_builtin py_builtins[] = {
    {"print", bi_print, NULL, 0},       {"range", bi_range, NULL, 0},
    {"len", bi_len, NULL, 0},           {"int", bi_int, NULL, 0},
    {"float", bi_float, NULL, 0},       {"str", bi_str, NULL, 0},
    {"repr", bi_repr, NULL, 0},         {"bool", bi_bool, NULL, 0},
    {"abs", bi_abs, NULL, 0},           {"min", bi_min, NULL, 0},
    {"max", bi_max, NULL, 0},           {"sum", bi_sum, NULL, 0},
    {"list", bi_list, NULL, 0},         {"tuple", bi_tuple, NULL, 0},
    {"dict", bi_dict, NULL, 0},         {"round", bi_round, NULL, 0},
    {"enumerate", bi_enumerate, NULL, 0}, {"zip", bi_zip, NULL, 0},
    {"sorted", bi_sorted, NULL, 0},     {"reversed", bi_reversed, NULL, 0},
    {"divmod", bi_divmod, NULL, 0},     {"pow", bi_pow, NULL, 0},
    {"any", bi_any, NULL, 0},           {"all", bi_all, NULL, 0},
    {"map", bi_map, NULL, 0},           {"ord", bi_ord, NULL, 0},
    {"chr", bi_chr, NULL, 0},           {"slice", bi_slice, NULL, 0},
};

/* Python builtins: 0 found (*out a new value), 1 not a builtin. */
int tfg_api_py_lookup(tfg_eval *ev, const char *name, tfg_val *out)
{
    (void)ev;
    for (size_t i = 0; i < sizeof py_builtins / sizeof py_builtins[0]; i++) {
        if (strcmp(py_builtins[i].name, name) == 0) {
            tfg_val v = tfg_val_builtin(&py_builtins[i], (tfg_val){.t = TFG_V_MISSING});
            if (v.t == TFG_V_MISSING)
                return tfg_eval_error(ev, (tfg_loc){0, 0, 0}, "out of memory");
            *out = v;
            return 0;
        }
    }
    return 1;
}

/* ======================================================================
 * numpy operations on arrays
 * ====================================================================== */

/* A dtype argument (see the declaration above). */
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
    case TFG_V_BUILTIN: {
        const tfg_builtinobj *b = v.u.p;
        if (b->def->fn == bi_float)
            *dt = TFG_FLOAT64;
        else if (b->def->fn == bi_int)
            *dt = TFG_INT64;
        else if (b->def->fn == bi_bool)
            *dt = TFG_BOOL;
        else
            break;
        return 0;
    }
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
        return error_with_repr(ev, loc, "data type %s not understood", v);
    }
    default:
        break;
    }
    return error_with_repr(ev, loc, "Cannot interpret %s as a data type", v);
}

/* Converts an argument to an array (no copy when it already is one). */
static int np_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, tfg_tensor **out)
{
    return np_from(ev, v, -1, false, loc, out);
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

/* numpy's name of a reduction for messages. */
static const char *np_red_name(np_red r)
{
    static const char *const n[] = {"sum", "mean", "maximum", "minimum", "prod", "all", "any",
                                    "argmax", "argmin"};
    return n[r];
}

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
            rc = tfg_eval_error(ev, loc, "attempt to get %s of an empty sequence", np_red_name(r));
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
    if (np_cast(ev, (tfg_tensor *)x, want, loc, &in))
        return -1;
    if (r == R_MAX || r == R_MIN) {
        bool empty = x->size == 0 && (naxes < 0 || x->rank == 0);
        for (int i = 0; i < naxes && !empty; i++)
            empty = x->shape[axes[i]] == 0;
        if (empty) {
            rc = tfg_eval_error(ev, loc, "zero-size array to reduction operation %s which has no "
                                         "identity", np_red_name(r));
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
    if (np_cast(ev, (tfg_tensor *)x, want, loc, &in))
        return -1;
    int rc = tfg_k_unary(op, in, out, &err) ? kfail(ev, loc, &err) : 0;
    tfg_tensor_unref(in);
    return rc;
}

/* A numpy unary ufunc on any array-like value. */
static int np_unary_val(tfg_eval *ev, tfg_unop op, tfg_val v, tfg_loc loc, tfg_val *out)
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
static int np_round_tensor(tfg_eval *ev, const tfg_tensor *x, int64_t decimals, tfg_loc loc,
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
            if (round_int_neg(ev, tfg_tensor_get_i(r, i), -decimals, loc, &v)) {
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

/* Reads a target shape from positional arguments: f(2, 3), f((2, 3)) or f([2, 3]). */
static int np_shape_from_args(tfg_eval *ev, const tfg_list *args, tfg_loc loc, int *rank,
                              int64_t *shape)
{
    if (args->n == 1)
        return np_shape_arg(ev, args->items[0], loc, rank, shape);
    if (args->n > TFG_MAX_RANK)
        return tfg_eval_error(ev, loc, "arrays of more than %d dimensions are not supported",
                              TFG_MAX_RANK);
    for (int i = 0; i < args->n; i++)
        if (get_index(ev, args->items[i], loc, &shape[i]))
            return -1;
    *rank = args->n;
    return 0;
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
        size_t u = (size_t)snprintf(s, sizeof s, "(");
        for (int i = 0; i < rank && u < sizeof s; i++)
            u += (size_t)snprintf(s + u, sizeof s - u, i ? ",%" PRId64 : "%" PRId64, shape[i]);
        if (u < sizeof s)
            snprintf(s + u, sizeof s - u, rank == 1 ? ",)" : ")");
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

/* Binds a method's arguments. */
static int mbind(tfg_eval *ev, tfg_args *a, const char *name, const char *spec, tfg_val *p)
{
    return tfg_eval_bind(ev, a, name, spec, p);
}

/* a.reshape(*shape) */
static int am_reshape(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    if (mbind(ev, a, "reshape", "*shape,order=", p))
        return -1;
    int rank = 0;
    int64_t shape[TFG_MAX_RANK];
    tfg_tensor *r;
    int rc = np_shape_from_args(ev, tfg_val_as_list(p[0]), a->loc, &rank, shape);
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
    if (np_from(ev, self, dt, true, a->loc, &r))
        return -1;
    return give_array(r, out);
}


/* A reduction method or function: x.sum(...) / np.sum(x, ...). p: axis, dtype, keepdims. */
static int reduce_common(tfg_eval *ev, np_red r, tfg_val x, tfg_val axis, tfg_val dtype,
                         tfg_val keepdims, tfg_loc loc, tfg_val *out)
{
    int dt = -1;
    bool kd = false;
    if (np_dtype_arg(ev, dtype, loc, &dt))
        return -1;
    if (keepdims.t != TFG_V_MISSING && tfg_eval_truth(ev, keepdims, loc, &kd))
        return -1;
    tfg_tensor *t, *res;
    if (np_arg(ev, x, loc, &t))
        return -1;
    int rc = np_reduce(ev, r, t, axis, kd, dt, loc, &res);
    tfg_tensor_unref(t);
    return rc ? -1 : give_array(res, out);
}

/* x.<reduction>(axis=None, dtype=None, out=None, keepdims=False) */
static int am_reduce_dt(tfg_eval *ev, np_red r, const char *name, tfg_val self, tfg_args *a,
                        tfg_val *out)
{
    tfg_val p[4];
    if (unknown_args(a, out))
        return 0;
    if (mbind(ev, a, name, "axis=,dtype=,out=,keepdims=", p))
        return -1;
    return reduce_common(ev, r, self, p[0], p[1], p[3], a->loc, out);
}

/* x.<reduction>(axis=None, out=None, keepdims=False) */
static int am_reduce_nodt(tfg_eval *ev, np_red r, const char *name, tfg_val self, tfg_args *a,
                          tfg_val *out)
{
    tfg_val p[3];
    tfg_val none = {.t = TFG_V_MISSING};
    if (unknown_args(a, out))
        return 0;
    if (mbind(ev, a, name, "axis=,out=,keepdims=", p))
        return -1;
    return reduce_common(ev, r, self, p[0], none, p[2], a->loc, out);
}

/* a.sum(axis=None, dtype=None, keepdims=False) */
static int am_sum(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_dt(ev, R_SUM, "sum", self, a, out);
}

/* a.mean(axis=None, dtype=None, keepdims=False) */
static int am_mean(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_dt(ev, R_MEAN, "mean", self, a, out);
}

/* a.prod(axis=None, dtype=None, keepdims=False) */
static int am_prod(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_dt(ev, R_PROD, "prod", self, a, out);
}

/* a.max(axis=None, keepdims=False) */
static int am_max(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_nodt(ev, R_MAX, "max", self, a, out);
}

/* a.min(axis=None, keepdims=False) */
static int am_min(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_nodt(ev, R_MIN, "min", self, a, out);
}

/* a.all(axis=None, keepdims=False) */
static int am_all(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_nodt(ev, R_ALL, "all", self, a, out);
}

/* a.any(axis=None, keepdims=False) */
static int am_any(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_nodt(ev, R_ANY, "any", self, a, out);
}

/* a.argmax(axis=None) */
static int am_argmax(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_nodt(ev, R_ARGMAX, "argmax", self, a, out);
}

/* a.argmin(axis=None) */
static int am_argmin(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return am_reduce_nodt(ev, R_ARGMIN, "argmin", self, a, out);
}

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
    if (np_round_tensor(ev, self.u.p, d, a->loc, &r))
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
    {"reshape", am_reshape, NULL, 0},   {"astype", am_astype, NULL, 0},
    {"sum", am_sum, NULL, 0},           {"mean", am_mean, NULL, 0},
    {"prod", am_prod, NULL, 0},         {"max", am_max, NULL, 0},
    {"min", am_min, NULL, 0},           {"all", am_all, NULL, 0},
    {"any", am_any, NULL, 0},           {"argmax", am_argmax, NULL, 0},
    {"argmin", am_argmin, NULL, 0},     {"tolist", am_tolist, NULL, 0},
    {"item", am_item, NULL, 0},         {"flatten", am_flatten, NULL, 0},
    {"ravel", am_flatten, NULL, 0},     {"copy", am_copy, NULL, 0},
    {"transpose", am_transpose, NULL, 0}, {"round", am_round, NULL, 0},
    {"squeeze", am_squeeze, NULL, 0},
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
static int array_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out)
{
    const tfg_tensor *t = obj.u.p;
    if (!strcmp(name, "shape"))
        return give(ev, loc, shape_tuple(t->rank, t->shape), out);
    if (!strcmp(name, "dtype")) {
        *out = np_dtype_val(t->dtype, 1);
        return 0;
    }
    if (!strcmp(name, "ndim")) {
        *out = tfg_val_int(t->rank);
        return 0;
    }
    if (!strcmp(name, "size")) {
        *out = tfg_val_int(t->size);
        return 0;
    }
    if (!strcmp(name, "itemsize")) {
        *out = tfg_val_int((int64_t)tfg_dtype_size(t->dtype));
        return 0;
    }
    if (!strcmp(name, "nbytes")) {
        *out = tfg_val_int(t->size * (int64_t)tfg_dtype_size(t->dtype));
        return 0;
    }
    if (!strcmp(name, "T")) {
        tfg_tensor *r;
        if (np_transpose(ev, t, NULL, loc, &r))
            return -1;
        return give_array(r, out);
    }
    for (size_t i = 0; i < sizeof array_methods / sizeof array_methods[0]; i++)
        if (!strcmp(array_methods[i].name, name))
            return give(ev, loc, tfg_val_builtin(&array_methods[i], obj), out);
    return 1;
}

/* ======================================================================
 * Methods of lists and tuples
 * ====================================================================== */

/* Python's == for list searches (identity first, numpy scalars by value). */
static bool item_matches(tfg_val a, tfg_val b)
{
    return py_is(a, b) || tfg_val_eq(a, b);
}

/* list.append(x) */
static int lm_append(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "append", "object", p) || check_cycle(ev, a->loc, p[0], self.u.p))
        return -1;
    if (tfg_val_list_append(self, tfg_val_incref(p[0])))
        return oom(ev, a->loc);
    *out = tfg_val_none();
    return 0;
}

/* list.extend(iterable) */
static int lm_extend(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    tfg_val *items;
    int n = 0;
    if (mbind(ev, a, "extend", "iterable", p) || tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = check_cycle(ev, a->loc, items[i], self.u.p);
    for (int i = 0; i < n && !rc; i++) {
        if (tfg_val_list_append(self, items[i]))
            rc = oom(ev, a->loc);
        items[i].t = TFG_V_NONE;
    }
    free_items(items, n);
    if (rc)
        return -1;
    *out = tfg_val_none();
    return 0;
}

/* list.pop(index=-1) */
static int lm_pop(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "pop", "index=", p))
        return -1;
    tfg_list *l = self.u.p;
    int64_t i = -1;
    if (p[0].t != TFG_V_MISSING && get_index(ev, p[0], a->loc, &i))
        return -1;
    if (l->n == 0)
        return tfg_eval_error(ev, a->loc, "pop from empty list");
    if (i < 0)
        i += l->n;
    if (i < 0 || i >= l->n)
        return tfg_eval_error(ev, a->loc, "pop index out of range");
    *out = l->items[i];
    memmove(&l->items[i], &l->items[i + 1], (size_t)(l->n - i - 1) * sizeof(tfg_val));
    l->n--;
    return 0;
}

/* list.insert(index, object) */
static int lm_insert(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    int64_t i = 0;
    if (mbind(ev, a, "insert", "index,object", p) || get_index(ev, p[0], a->loc, &i) ||
        check_cycle(ev, a->loc, p[1], self.u.p))
        return -1;
    tfg_list *l = self.u.p;
    if (tfg_val_list_append(self, tfg_val_none()))
        return oom(ev, a->loc);
    int n = l->n - 1;
    if (i < 0)
        i = i + n < 0 ? 0 : i + n;
    if (i > n)
        i = n;
    memmove(&l->items[i + 1], &l->items[i], (size_t)(n - i) * sizeof(tfg_val));
    l->items[i] = tfg_val_incref(p[1]);
    *out = tfg_val_none();
    return 0;
}

/* list.index(x[, start[, stop]]) / tuple.index */
static int lm_index(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[3];
    if (mbind(ev, a, "index", "value,start=,stop=", p))
        return -1;
    const tfg_list *l = self.u.p;
    int64_t s = 0, e = l->n;
    if ((p[1].t != TFG_V_MISSING && get_index(ev, p[1], a->loc, &s)) ||
        (p[2].t != TFG_V_MISSING && get_index(ev, p[2], a->loc, &e)))
        return -1;
    if (s < 0)
        s = s + l->n < 0 ? 0 : s + l->n;
    if (e < 0)
        e = e + l->n < 0 ? 0 : e + l->n;
    if (e > l->n)
        e = l->n;
    for (int64_t i = s; i < e; i++)
        if (item_matches(l->items[i], p[0])) {
            *out = tfg_val_int(i);
            return 0;
        }
    if (self.t == TFG_V_TUPLE)
        return tfg_eval_error(ev, a->loc, "tuple.index(x): x not in tuple");
    return error_with_repr(ev, a->loc, "%s is not in list", p[0]);
}

/* list.count(x) / tuple.count */
static int lm_count(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "count", "value", p))
        return -1;
    const tfg_list *l = self.u.p;
    int64_t c = 0;
    for (int i = 0; i < l->n; i++)
        c += item_matches(l->items[i], p[0]);
    *out = tfg_val_int(c);
    return 0;
}

/* list.remove(x) */
static int lm_remove(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "remove", "value", p))
        return -1;
    tfg_list *l = self.u.p;
    for (int i = 0; i < l->n; i++)
        if (item_matches(l->items[i], p[0])) {
            tfg_val old = l->items[i];
            memmove(&l->items[i], &l->items[i + 1], (size_t)(l->n - i - 1) * sizeof(tfg_val));
            l->n--;
            tfg_val_decref(old);
            *out = tfg_val_none();
            return 0;
        }
    return tfg_eval_error(ev, a->loc, "list.remove(x): x not in list");
}

/* list.reverse() */
static int lm_reverse(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "reverse", "", p))
        return -1;
    tfg_list *l = self.u.p;
    for (int i = 0, j = l->n - 1; i < j; i++, j--) {
        tfg_val t = l->items[i];
        l->items[i] = l->items[j];
        l->items[j] = t;
    }
    *out = tfg_val_none();
    return 0;
}

/* list.sort(key=None, reverse=False) */
static int lm_sort(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    bool rev = false;
    if (mbind(ev, a, "sort", "key=,reverse=", p))
        return -1;
    if (a->npos)
        return tfg_eval_error(ev, a->loc, "sort() takes no positional arguments");
    if (p[1].t != TFG_V_MISSING && tfg_eval_truth(ev, p[1], a->loc, &rev))
        return -1;
    tfg_list *l = self.u.p;
    /* sort a private copy so a key function that touches the list sees it whole */
    int n = l->n;
    tfg_val *items = malloc((size_t)(n ? n : 1) * sizeof *items);
    if (!items)
        return oom(ev, a->loc);
    for (int i = 0; i < n; i++)
        items[i] = tfg_val_incref(l->items[i]);
    if (sort_items(ev, items, n, p[0], rev, a->loc)) {
        free_items(items, n);
        return -1;
    }
    if (l->n != n) {
        free_items(items, n);
        return tfg_eval_error(ev, a->loc, "list modified during sort");
    }
    for (int i = 0; i < n; i++) {
        tfg_val_decref(l->items[i]);
        l->items[i] = items[i];
    }
    free(items);
    *out = tfg_val_none();
    return 0;
}

/* list.copy() */
static int lm_copy(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "copy", "", p))
        return -1;
    const tfg_list *l = self.u.p;
    const tfg_list empty = {0};
    return seq_concat(ev, TFG_V_LIST, l, &empty, a->loc, out);
}

/* list.clear() */
static int lm_clear(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "clear", "", p))
        return -1;
    tfg_list *l = self.u.p;
    int n = l->n;
    tfg_val *items = l->items;
    l->n = 0;
    for (int i = 0; i < n; i++)
        tfg_val_decref(items[i]);
    *out = tfg_val_none();
    return 0;
}

/* The methods of lists. */
static const tfg_builtin list_methods[] = {
    {"append", lm_append, NULL, 0}, {"extend", lm_extend, NULL, 0},
    {"pop", lm_pop, NULL, 0},       {"insert", lm_insert, NULL, 0},
    {"index", lm_index, NULL, 0},   {"count", lm_count, NULL, 0},
    {"remove", lm_remove, NULL, 0}, {"reverse", lm_reverse, NULL, 0},
    {"sort", lm_sort, NULL, 0},     {"copy", lm_copy, NULL, 0},
    {"clear", lm_clear, NULL, 0},
};

/* The methods of tuples. */
static const tfg_builtin tuple_methods[] = {
    {"index", lm_index, NULL, 0},
    {"count", lm_count, NULL, 0},
};

/* ======================================================================
 * Methods of dicts
 * ====================================================================== */

/* dict.keys() / values() / items() as lists; which: 0 keys, 1 values, 2 items. */
static int dict_view(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, int which)
{
    tfg_val p[1];
    if (mbind(ev, a, which == 0 ? "keys" : which == 1 ? "values" : "items", "", p))
        return -1;
    const tfg_dict *d = self.u.p;
    tfg_val r = tfg_val_list_new(TFG_V_LIST, d->n);
    if (r.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    for (int i = 0; i < d->n; i++) {
        if (which < 2) {
            tfg_val_list_append(r, tfg_val_incref(which ? d->vals[i] : d->keys[i]));
            continue;
        }
        tfg_val t = tfg_val_list_new(TFG_V_TUPLE, 2);
        if (t.t == TFG_V_MISSING) {
            tfg_val_decref(r);
            return oom(ev, a->loc);
        }
        tfg_val_list_append(t, tfg_val_incref(d->keys[i]));
        tfg_val_list_append(t, tfg_val_incref(d->vals[i]));
        tfg_val_list_append(r, t);
    }
    *out = r;
    return 0;
}

/* dict.keys() */
static int dm_keys(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return dict_view(ev, self, a, out, 0);
}

/* dict.values() */
static int dm_values(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return dict_view(ev, self, a, out, 1);
}

/* dict.items() */
static int dm_items(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return dict_view(ev, self, a, out, 2);
}

/* dict.get(key, default=None) */
static int dm_get(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    if (mbind(ev, a, "get", "key,default=", p) || check_hashable(ev, p[0], a->loc))
        return -1;
    tfg_val *v = tfg_val_dict_get(self, p[0]);
    if (v)
        *out = tfg_val_incref(*v);
    else
        *out = p[1].t == TFG_V_MISSING ? tfg_val_none() : tfg_val_incref(p[1]);
    return 0;
}

/* dict.update(other=(), **kwargs) */
static int dm_update(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    if (a->npos > 1)
        return tfg_eval_error(ev, a->loc, "update expected at most 1 argument, got %d", a->npos);
    if ((a->npos == 1 && dict_update_from(ev, self, a->pos[0], a->loc)) ||
        dict_update_kw(ev, self, a))
        return -1;
    *out = tfg_val_none();
    return 0;
}

/* Removes entry i of a dict, handing its value to *out. */
static void dict_remove_at(tfg_dict *d, int i, tfg_val *out)
{
    tfg_val_decref(d->keys[i]);
    *out = d->vals[i];
    memmove(&d->keys[i], &d->keys[i + 1], (size_t)(d->n - i - 1) * sizeof(tfg_val));
    memmove(&d->vals[i], &d->vals[i + 1], (size_t)(d->n - i - 1) * sizeof(tfg_val));
    d->n--;
}

/* dict.pop(key[, default]) */
static int dm_pop(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    if (mbind(ev, a, "pop", "key,default=", p) || check_hashable(ev, p[0], a->loc))
        return -1;
    tfg_dict *d = self.u.p;
    for (int i = 0; i < d->n; i++)
        if (tfg_val_eq(d->keys[i], p[0])) {
            dict_remove_at(d, i, out);
            return 0;
        }
    if (p[1].t != TFG_V_MISSING) {
        *out = tfg_val_incref(p[1]);
        return 0;
    }
    return error_with_repr(ev, a->loc, "KeyError: %s", p[0]);
}

/* dict.setdefault(key, default=None) */
static int dm_setdefault(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    if (mbind(ev, a, "setdefault", "key,default=", p))
        return -1;
    tfg_val *v = tfg_val_dict_get(self, p[0]);
    if (v) {
        *out = tfg_val_incref(*v);
        return 0;
    }
    tfg_val dv = p[1].t == TFG_V_MISSING ? tfg_val_none() : p[1];
    if (dict_put(ev, self, p[0], dv, a->loc))
        return -1;
    *out = tfg_val_incref(dv);
    return 0;
}

/* dict.copy() */
static int dm_copy(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "copy", "", p))
        return -1;
    tfg_val d = tfg_val_dict_new();
    if (d.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    if (dict_update_from(ev, d, self, a->loc)) {
        tfg_val_decref(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* dict.clear() */
static int dm_clear(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "clear", "", p))
        return -1;
    tfg_dict *d = self.u.p;
    while (d->n > 0) {
        tfg_val v;
        dict_remove_at(d, d->n - 1, &v);
        tfg_val_decref(v);
    }
    *out = tfg_val_none();
    return 0;
}

/* The methods of dicts. */
static const tfg_builtin dict_methods[] = {
    {"keys", dm_keys, NULL, 0},     {"values", dm_values, NULL, 0},
    {"items", dm_items, NULL, 0},   {"get", dm_get, NULL, 0},
    {"update", dm_update, NULL, 0}, {"pop", dm_pop, NULL, 0},
    {"setdefault", dm_setdefault, NULL, 0}, {"copy", dm_copy, NULL, 0},
    {"clear", dm_clear, NULL, 0},
};

/* ======================================================================
 * Methods of strings
 * ====================================================================== */

/* str.format(*args, **kwargs) */
static int sm_format(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    if (unknown_args(a, out))
        return 0;
    return str_format(ev, self, a, out);
}

/* str.join(iterable) */
static int sm_join(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    tfg_val *items;
    int n = 0;
    if (mbind(ev, a, "join", "iterable", p) || tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    tfg_sb b = {0};
    for (int i = 0; i < n; i++) {
        if (items[i].t != TFG_V_STR) {
            int rc = tfg_eval_error(ev, a->loc, "sequence item %d: expected str instance, %s found",
                                    i, tfg_val_type_name(items[i]));
            free(tfg_sb_take(&b));
            free_items(items, n);
            return rc;
        }
        if (i)
            tfg_sb_addn(&b, sv(self), slen(self));
        tfg_sb_addn(&b, sv(items[i]), slen(items[i]));
    }
    free_items(items, n);
    return give(ev, a->loc, sb_val(&b), out);
}

/* Appends a new str value of s[0..n) to list l. */
static int push_str(tfg_eval *ev, tfg_loc loc, tfg_val l, const char *s, size_t n)
{
    return append(ev, loc, l, tfg_val_str(s, n));
}

/* str.split(sep=None, maxsplit=-1) */
static int sm_split(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    int64_t maxsplit = -1;
    if (mbind(ev, a, "split", "sep=,maxsplit=", p))
        return -1;
    if (p[1].t != TFG_V_MISSING && get_index(ev, p[1], a->loc, &maxsplit))
        return -1;
    if (p[0].t != TFG_V_MISSING && p[0].t != TFG_V_NONE && p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "must be str or None, not %s", tfg_val_type_name(p[0]));
    const char *s = sv(self);
    size_t n = slen(self), i = 0;
    tfg_val r = tfg_val_list_new(TFG_V_LIST, 0);
    if (r.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    int rc = 0;
    if (p[0].t != TFG_V_STR) {
        /* runs of whitespace separate; no empty strings */
        int64_t splits = 0;
        while (!rc) {
            while (i < n && isspace((unsigned char)s[i]))
                i++;
            if (i >= n)
                break;
            size_t j = i;
            if (maxsplit >= 0 && splits >= maxsplit) {
                size_t e = n;
                while (e > i && isspace((unsigned char)s[e - 1]))
                    e--;
                rc = push_str(ev, a->loc, r, s + i, e - i);
                break;
            }
            while (j < n && !isspace((unsigned char)s[j]))
                j++;
            rc = push_str(ev, a->loc, r, s + i, j - i);
            splits++;
            i = j;
        }
    } else {
        const char *sep = sv(p[0]);
        size_t m = slen(p[0]);
        if (m == 0) {
            tfg_val_decref(r);
            return tfg_eval_error(ev, a->loc, "empty separator");
        }
        int64_t splits = 0;
        while (!rc) {
            const char *hit = (maxsplit < 0 || splits < maxsplit) ? memmem(s + i, n - i, sep, m)
                                                                  : NULL;
            if (!hit) {
                rc = push_str(ev, a->loc, r, s + i, n - i);
                break;
            }
            size_t k = (size_t)(hit - s);
            rc = push_str(ev, a->loc, r, s + i, k - i);
            i = k + m;
            splits++;
        }
    }
    if (rc) {
        tfg_val_decref(r);
        return -1;
    }
    *out = r;
    return 0;
}

/* Case mapping of ASCII letters: upper (1) or lower (0). */
static int str_case(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool upper)
{
    tfg_val p[1];
    if (mbind(ev, a, upper ? "upper" : "lower", "", p))
        return -1;
    tfg_val r = tfg_val_str(sv(self), slen(self));
    if (r.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    tfg_str *s = r.u.p;
    for (size_t i = 0; i < s->len; i++)
        s->s[i] = (char)(upper ? toupper((unsigned char)s->s[i]) : tolower((unsigned char)s->s[i]));
    *out = r;
    return 0;
}

/* str.upper() */
static int sm_upper(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_case(ev, self, a, out, true);
}

/* str.lower() */
static int sm_lower(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_case(ev, self, a, out, false);
}

/* strip / lstrip / rstrip (chars=None: whitespace); which: 1 left, 2 right, 3 both. */
static int str_strip(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, int which)
{
    tfg_val p[1];
    if (mbind(ev, a, which == 3 ? "strip" : which == 1 ? "lstrip" : "rstrip", "chars=", p))
        return -1;
    if (p[0].t != TFG_V_MISSING && p[0].t != TFG_V_NONE && p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "%s arg must be None or str",
                              which == 3 ? "strip" : which == 1 ? "lstrip" : "rstrip");
    const char *s = sv(self);
    size_t i = 0, e = slen(self);
    bool ws = p[0].t != TFG_V_STR;
    const char *chars = ws ? "" : sv(p[0]);
    size_t nc = ws ? 0 : slen(p[0]);
    while ((which & 1) && i < e &&
           (ws ? isspace((unsigned char)s[i]) != 0 : memchr(chars, s[i], nc) != NULL))
        i++;
    while ((which & 2) && e > i &&
           (ws ? isspace((unsigned char)s[e - 1]) != 0 : memchr(chars, s[e - 1], nc) != NULL))
        e--;
    return give(ev, a->loc, tfg_val_str(s + i, e - i), out);
}

/* str.strip(chars=None) */
static int sm_strip(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_strip(ev, self, a, out, 3);
}

/* str.lstrip(chars=None) */
static int sm_lstrip(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_strip(ev, self, a, out, 1);
}

/* str.rstrip(chars=None) */
static int sm_rstrip(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_strip(ev, self, a, out, 2);
}

/* str.replace(old, new, count=-1) */
static int sm_replace(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[3];
    int64_t count = -1;
    if (mbind(ev, a, "replace", "old,new,count=", p))
        return -1;
    if (p[0].t != TFG_V_STR || p[1].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "replace() argument %d must be str, not %s",
                              p[0].t != TFG_V_STR ? 1 : 2,
                              tfg_val_type_name(p[0].t != TFG_V_STR ? p[0] : p[1]));
    if (p[2].t != TFG_V_MISSING && get_index(ev, p[2], a->loc, &count))
        return -1;
    const char *s = sv(self), *old = sv(p[0]), *nw = sv(p[1]);
    size_t n = slen(self), m = slen(p[0]), k = slen(p[1]), i = 0;
    tfg_sb b = {0};
    int64_t done = 0;
    if (m == 0) {
        /* insert between code points (ASCII view is enough for the count logic) */
        size_t *offs = NULL;
        int64_t cps = 0;
        if (u8_offsets(s, n, &offs, &cps))
            return oom(ev, a->loc);
        for (int64_t c = 0; c <= cps; c++) {
            if (count < 0 || done < count) {
                tfg_sb_addn(&b, nw, k);
                done++;
            }
            if (c < cps)
                tfg_sb_addn(&b, s + offs[c], offs[c + 1] - offs[c]);
        }
        free(offs);
        return give(ev, a->loc, sb_val(&b), out);
    }
    while (i <= n) {
        const char *hit = (count < 0 || done < count) ? memmem(s + i, n - i, old, m) : NULL;
        if (!hit) {
            tfg_sb_addn(&b, s + i, n - i);
            break;
        }
        size_t h = (size_t)(hit - s);
        tfg_sb_addn(&b, s + i, h - i);
        tfg_sb_addn(&b, nw, k);
        i = h + m;
        done++;
    }
    return give(ev, a->loc, sb_val(&b), out);
}

/* startswith / endswith with a str or a tuple of str. */
static int str_affix(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool start)
{
    tfg_val p[3];
    if (mbind(ev, a, start ? "startswith" : "endswith", "prefix,start=,end=", p))
        return -1;
    const tfg_val *cands = &p[0];
    int nc = 1;
    if (p[0].t == TFG_V_TUPLE) {
        cands = tfg_val_as_list(p[0])->items;
        nc = tfg_val_as_list(p[0])->n;
    }
    const char *s = sv(self);
    size_t n = slen(self);
    bool hit = false;
    for (int i = 0; i < nc; i++) {
        if (cands[i].t != TFG_V_STR)
            return tfg_eval_error(ev, a->loc, "%s first arg must be str or a tuple of str, not %s",
                                  start ? "startswith" : "endswith", tfg_val_type_name(cands[i]));
        size_t m = slen(cands[i]);
        if (m <= n && !memcmp(start ? s : s + n - m, sv(cands[i]), m))
            hit = true;
    }
    *out = tfg_val_bool(hit);
    return 0;
}

/* str.startswith(prefix) */
static int sm_startswith(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_affix(ev, self, a, out, true);
}

/* str.endswith(suffix) */
static int sm_endswith(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_affix(ev, self, a, out, false);
}

/* str.find(sub): code point index or -1. */
static int sm_find(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "find", "sub", p))
        return -1;
    if (p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "must be str, not %s", tfg_val_type_name(p[0]));
    const char *hit = memmem(sv(self), slen(self), sv(p[0]), slen(p[0]));
    if (slen(p[0]) == 0)
        hit = sv(self);
    *out = tfg_val_int(hit ? u8_len(sv(self), (size_t)(hit - sv(self))) : -1);
    return 0;
}

/* str.count(sub): non-overlapping occurrences. */
static int sm_count(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (mbind(ev, a, "count", "sub", p))
        return -1;
    if (p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "must be str, not %s", tfg_val_type_name(p[0]));
    size_t m = slen(p[0]), n = slen(self), i = 0;
    int64_t c = 0;
    if (m == 0) {
        *out = tfg_val_int(u8_len(sv(self), n) + 1);
        return 0;
    }
    const char *hit;
    while (i <= n && (hit = memmem(sv(self) + i, n - i, sv(p[0]), m))) {
        c++;
        i = (size_t)(hit - sv(self)) + m;
    }
    *out = tfg_val_int(c);
    return 0;
}

/* ljust / rjust / center (width, fillchar=' '); align '<' '>' '^'. */
static int str_justify(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, char align)
{
    tfg_val p[2];
    int64_t w = 0;
    const char *name = align == '<' ? "ljust" : align == '>' ? "rjust" : "center";
    if (mbind(ev, a, name, "width,fillchar=", p) || get_index(ev, p[0], a->loc, &w))
        return -1;
    fmt_spec f = {.width = w > 100000 ? 100000 : (int)w, .prec = -1, .align = align, .fill = ' '};
    if (p[1].t != TFG_V_MISSING) {
        if (p[1].t != TFG_V_STR || slen(p[1]) != 1)
            return tfg_eval_error(ev, a->loc,
                                  "The fill character must be exactly one character long");
        f.fill = sv(p[1])[0];
    }
    tfg_sb b = {0};
    if (align == '^') {
        /* Python's center puts the odd pad on the right when the width is odd... */
        int64_t cps = u8_len(sv(self), slen(self));
        int64_t padn = f.width > cps ? f.width - cps : 0;
        int64_t left = padn / 2 + (padn & f.width & 1);
        for (int64_t i = 0; i < left; i++)
            tfg_sb_addn(&b, &f.fill, 1);
        tfg_sb_addn(&b, sv(self), slen(self));
        for (int64_t i = left; i < padn; i++)
            tfg_sb_addn(&b, &f.fill, 1);
    } else {
        pad_into(&b, sv(self), slen(self), &f, align);
    }
    return give(ev, a->loc, sb_val(&b), out);
}

/* str.ljust(width, fillchar=' ') */
static int sm_ljust(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_justify(ev, self, a, out, '<');
}

/* str.rjust(width, fillchar=' ') */
static int sm_rjust(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_justify(ev, self, a, out, '>');
}

/* str.center(width, fillchar=' ') */
static int sm_center(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    return str_justify(ev, self, a, out, '^');
}

/* str.zfill(width) */
static int sm_zfill(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    int64_t w = 0;
    if (mbind(ev, a, "zfill", "width", p) || get_index(ev, p[0], a->loc, &w))
        return -1;
    fmt_spec f = {.width = w > 100000 ? 100000 : (int)w, .prec = -1, .align = '=', .fill = '0'};
    tfg_sb b = {0};
    pad_into(&b, sv(self), slen(self), &f, '=');
    return give(ev, a->loc, sb_val(&b), out);
}

/* The methods of strings. */
static const tfg_builtin str_methods[] = {
    {"format", sm_format, NULL, 0},         {"join", sm_join, NULL, 0},
    {"split", sm_split, NULL, 0},           {"upper", sm_upper, NULL, 0},
    {"lower", sm_lower, NULL, 0},           {"strip", sm_strip, NULL, 0},
    {"lstrip", sm_lstrip, NULL, 0},         {"rstrip", sm_rstrip, NULL, 0},
    {"replace", sm_replace, NULL, 0},       {"startswith", sm_startswith, NULL, 0},
    {"endswith", sm_endswith, NULL, 0},     {"find", sm_find, NULL, 0},
    {"count", sm_count, NULL, 0},           {"ljust", sm_ljust, NULL, 0},
    {"rjust", sm_rjust, NULL, 0},           {"center", sm_center, NULL, 0},
    {"zfill", sm_zfill, NULL, 0},
};

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
            if (parse_float_text(ev, x, a->loc, &d))
                return -1;
            x = tfg_val_float(d);
        } else if (dt == TFG_BOOL) {
            x = tfg_val_bool(slen(x) != 0);
        } else {
            int64_t i = 0;
            if (parse_int_text(ev, x, 10, a->loc, &i))
                return -1;
            x = tfg_val_int(i);
        }
    }
    tfg_tensor *t;
    if (np_from(ev, x, dt, true, a->loc, &t))
        return -1;
    return give_array(t, out);
}

/* The callable side of dtypes: the evaluator calls DTYPE values through "__call__". */
static const tfg_builtin dtype_methods[] = {
    {"__call__", dtm_call, NULL, 0},
};

/* Looks name up in a method table; binds it to obj. 0 found, 1 not. */
static int method_of(tfg_eval *ev, const tfg_builtin *tab, size_t n, tfg_val obj, const char *name,
                     tfg_loc loc, tfg_val *out)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(tab[i].name, name))
            return give(ev, loc, tfg_val_builtin(&tab[i], obj), out);
    return 1;
}

/* Attributes of host values (see eval.h): 0, 1 when absent, -1 on error. */
int tfg_api_py_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out)
{
    switch (obj.t) {
    case TFG_V_UNKNOWN:
        out->t = TFG_V_UNKNOWN;
        return 0;
    case TFG_V_ARRAY:
        return array_getattr(ev, obj, name, loc, out);
    case TFG_V_LIST:
        return method_of(ev, list_methods, sizeof list_methods / sizeof list_methods[0], obj, name,
                         loc, out);
    case TFG_V_TUPLE:
        return method_of(ev, tuple_methods, sizeof tuple_methods / sizeof tuple_methods[0], obj,
                         name, loc, out);
    case TFG_V_DICT:
        return method_of(ev, dict_methods, sizeof dict_methods / sizeof dict_methods[0], obj, name,
                         loc, out);
    case TFG_V_STR:
        return method_of(ev, str_methods, sizeof str_methods / sizeof str_methods[0], obj, name,
                         loc, out);
    case TFG_V_DTYPE:
        return method_of(ev, dtype_methods, sizeof dtype_methods / sizeof dtype_methods[0], obj,
                         name, loc, out);
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
    if (np_from(ev, p[0], dt, copy, a->loc, &t))
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
    if (np_from(ev, p[0], dt, false, a->loc, &t))
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
    if (np_shape_arg(ev, shapev, loc, &rank, shape))
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

/* np.zeros / np.ones / np.empty (shape, dtype=float): fill 0 or 1. */
static int np_const_fill(tfg_eval *ev, tfg_args *a, const char *name, int64_t fill, tfg_val *out)
{
    tfg_val p[2];
    int dt;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "shape,dtype=", p) || np_dtype_arg(ev, p[1], a->loc, &dt))
        return -1;
    pnum v = {.isf = false, .i = fill, .f = (double)fill};
    return np_filled(ev, p[0], dt < 0 ? TFG_FLOAT64 : dt, &v, a->loc, out);
}

/* np.zeros(shape, dtype=float) */
static int nf_zeros(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_const_fill(ev, a, "zeros", 0, out);
}

/* np.ones(shape, dtype=float) */
static int nf_ones(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_const_fill(ev, a, "ones", 1, out);
}

/* np.empty(shape, dtype=float): zeros, in fact. */
static int nf_empty(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_const_fill(ev, a, "empty", 0, out);
}

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
        dt != TFG_BOOL && np_int_fits(ev, v.i, (tfg_dtype)dt, a->loc))
        return -1;
    return np_filled(ev, p[0], dt, &v, a->loc, out);
}

/* np.zeros_like / np.ones_like (a, dtype=None) */
static int np_like(tfg_eval *ev, tfg_args *a, const char *name, int64_t fill, tfg_val *out)
{
    tfg_val p[2];
    int dt;
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "a,dtype=", p) || np_dtype_arg(ev, p[1], a->loc, &dt))
        return -1;
    tfg_tensor *t;
    if (np_arg(ev, p[0], a->loc, &t))
        return -1;
    tfg_val shape = shape_tuple(t->rank, t->shape);
    if (dt < 0)
        dt = t->dtype;
    tfg_tensor_unref(t);
    if (shape.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    pnum v = {.isf = false, .i = fill, .f = (double)fill};
    int rc = np_filled(ev, shape, dt, &v, a->loc, out);
    tfg_val_decref(shape);
    return rc;
}

/* np.zeros_like(a, dtype=None) */
static int nf_zeros_like(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_like(ev, a, "zeros_like", 0, out);
}

/* np.ones_like(a, dtype=None) */
static int nf_ones_like(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_like(ev, a, "ones_like", 1, out);
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

/* np.<reduction>(a, axis=None, dtype=None, out=None, keepdims=False) */
static int nf_reduce_dt(tfg_eval *ev, tfg_args *a, np_red r, const char *name, tfg_val *out)
{
    tfg_val p[5];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "a,axis=,dtype=,out=,keepdims=", p))
        return -1;
    return reduce_common(ev, r, p[0], p[1], p[2], p[4], a->loc, out);
}

/* np.<reduction>(a, axis=None, out=None, keepdims=False) */
static int nf_reduce_nodt(tfg_eval *ev, tfg_args *a, np_red r, const char *name, tfg_val *out)
{
    tfg_val p[4];
    tfg_val none = {.t = TFG_V_MISSING};
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "a,axis=,out=,keepdims=", p))
        return -1;
    return reduce_common(ev, r, p[0], p[1], none, p[3], a->loc, out);
}

/* np.sum */
static int nf_sum(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_dt(ev, a, R_SUM, "sum", out);
}

/* np.mean */
static int nf_mean(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_dt(ev, a, R_MEAN, "mean", out);
}

/* np.prod */
static int nf_prod(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_dt(ev, a, R_PROD, "prod", out);
}

/* np.max / np.amax */
static int nf_max(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_nodt(ev, a, R_MAX, "max", out);
}

/* np.min / np.amin */
static int nf_min(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_nodt(ev, a, R_MIN, "min", out);
}

/* np.all */
static int nf_all(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_nodt(ev, a, R_ALL, "all", out);
}

/* np.any */
static int nf_any(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_nodt(ev, a, R_ANY, "any", out);
}

/* np.argmax */
static int nf_argmax(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_nodt(ev, a, R_ARGMAX, "argmax", out);
}

/* np.argmin */
static int nf_argmin(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_reduce_nodt(ev, a, R_ARGMIN, "argmin", out);
}

/* A numpy unary ufunc called as np.NAME(x). */
static int nf_unary(tfg_eval *ev, tfg_args *a, const char *name, tfg_unop op, tfg_val *out)
{
    tfg_val p[1];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "x", p))
        return -1;
    return np_unary_val(ev, op, p[0], a->loc, out);
}

/* np.sqrt */
static int nf_sqrt(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "sqrt", TFG_UN_SQRT, out);
}

/* np.exp */
static int nf_exp(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "exp", TFG_UN_EXP, out);
}

/* np.log */
static int nf_log(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "log", TFG_UN_LOG, out);
}

/* np.log1p */
static int nf_log1p(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "log1p", TFG_UN_LOG1P, out);
}

/* np.abs / np.absolute */
static int nf_abs(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "absolute", TFG_UN_ABS, out);
}

/* np.square */
static int nf_square(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "square", TFG_UN_SQUARE, out);
}

/* np.tanh */
static int nf_tanh(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "tanh", TFG_UN_TANH, out);
}

/* np.sin */
static int nf_sin(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "sin", TFG_UN_SIN, out);
}

/* np.cos */
static int nf_cos(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "cos", TFG_UN_COS, out);
}

/* np.floor */
static int nf_floor(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "floor", TFG_UN_FLOOR, out);
}

/* np.ceil */
static int nf_ceil(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "ceil", TFG_UN_CEIL, out);
}

/* np.sign */
static int nf_sign(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_unary(ev, a, "sign", TFG_UN_SIGN, out);
}

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
static int nf_binary(tfg_eval *ev, tfg_args *a, const char *name, int op, tfg_val *out)
{
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "x1,x2", p))
        return -1;
    int rc = array_binop(ev, op, p[0], p[1], a->loc, out);
    if (rc == 1)
        return tfg_eval_error(ev, a->loc, "ufunc '%s' did not contain a loop with signature matching "
                                          "types (%s, %s)", name, tfg_val_type_name(p[0]),
                              tfg_val_type_name(p[1]));
    return rc;
}

/* np.add */
static int nf_add(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "add", TFG_OP_ADD, out);
}

/* np.subtract */
static int nf_subtract(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "subtract", TFG_OP_SUB, out);
}

/* np.multiply */
static int nf_multiply(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "multiply", TFG_OP_MUL, out);
}

/* np.divide / np.true_divide */
static int nf_divide(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "divide", TFG_OP_DIV, out);
}

/* np.power */
static int nf_power(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "power", TFG_OP_POW, out);
}

/* np.equal */
static int nf_equal(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "equal", TFG_OP_EQ, out);
}

/* np.not_equal */
static int nf_not_equal(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "not_equal", TFG_OP_NE, out);
}

/* np.less */
static int nf_less(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "less", TFG_OP_LT, out);
}

/* np.greater */
static int nf_greater(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return nf_binary(ev, a, "greater", TFG_OP_GT, out);
}

/* np.dot / np.matmul on two array-likes. */
static int np_dot(tfg_eval *ev, tfg_args *a, const char *name, bool isdot, tfg_val *out)
{
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, name, "a,b", p))
        return -1;
    np_operand x, y;
    int rc = np_operand_of(ev, p[0], a->loc, &x);
    if (rc == 1)
        return np_bad_element(ev, p[0], a->loc);
    if (rc)
        return -1;
    rc = np_operand_of(ev, p[1], a->loc, &y);
    if (rc) {
        tfg_tensor_unref(x.t);
        return rc == 1 ? np_bad_element(ev, p[1], a->loc) : -1;
    }
    bool scalar = (x.weak || x.t->rank == 0) || (y.weak || y.t->rank == 0);
    bool high = (!x.weak && x.t->rank > 2) || (!y.weak && y.t->rank > 2);
    tfg_tensor *ta = NULL, *tb = NULL, *r = NULL;
    rc = -1;
    if (isdot && scalar) {
        rc = array_binop(ev, TFG_OP_MUL, p[0], p[1], a->loc, out);
        goto done;
    }
    if (isdot && high) {
        rc = tfg_eval_error(ev, a->loc, "np.dot of arrays of more than 2 dimensions is not "
                                        "supported (use np.matmul)");
        goto done;
    }
    if (np_unify(ev, &x, &y, a->loc, &ta, &tb))
        goto done;
    rc = np_matmul_same(ev, ta, tb, a->loc, &r);
    if (!rc)
        give_array(r, out);
done:
    tfg_tensor_unref(x.t);
    tfg_tensor_unref(y.t);
    tfg_tensor_unref(ta);
    tfg_tensor_unref(tb);
    return rc;
}

/* np.dot(a, b) */
static int nf_dot(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_dot(ev, a, "dot", true, out);
}

/* np.matmul(a, b) */
static int nf_matmul(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_dot(ev, a, "matmul", false, out);
}

/* np.maximum / np.minimum on two array-likes. */
static int np_maxmin(tfg_eval *ev, tfg_args *a, bool ismax, tfg_val *out)
{
    tfg_val p[2];
    if (unknown_args(a, out))
        return 0;
    if (tfg_eval_bind(ev, a, ismax ? "maximum" : "minimum", "x1,x2", p))
        return -1;
    np_operand x, y;
    int rc = np_operand_of(ev, p[0], a->loc, &x);
    if (rc)
        return rc == 1 ? np_bad_element(ev, p[0], a->loc) : -1;
    rc = np_operand_of(ev, p[1], a->loc, &y);
    if (rc) {
        tfg_tensor_unref(x.t);
        return rc == 1 ? np_bad_element(ev, p[1], a->loc) : -1;
    }
    tfg_tensor *ta = NULL, *tb = NULL, *r = NULL;
    rc = np_unify(ev, &x, &y, a->loc, &ta, &tb);
    if (!rc)
        rc = np_kernel(ev, ismax ? TFG_BIN_MAXIMUM : TFG_BIN_MINIMUM, ta, tb, a->loc, &r);
    if (!rc)
        give_array(r, out);
    tfg_tensor_unref(x.t);
    tfg_tensor_unref(y.t);
    tfg_tensor_unref(ta);
    tfg_tensor_unref(tb);
    return rc;
}

/* np.maximum(x1, x2) */
static int nf_maximum(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_maxmin(ev, a, true, out);
}

/* np.minimum(x1, x2) */
static int nf_minimum(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_maxmin(ev, a, false, out);
}

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
    if (np_shape_arg(ev, sh, a->loc, &rank, shape) || np_arg(ev, p[0], a->loc, &t))
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
        dt = i ? np_promote(dt, ts[i]->dtype) : ts[i]->dtype;
    for (int i = 0; i < k && !rc; i++) {
        tfg_tensor *c;
        rc = np_cast(ev, ts[i], dt, loc, &c);
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
static int np_join(tfg_eval *ev, tfg_args *a, bool stack, tfg_val *out)
{
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

/* np.concatenate(arrays, axis=0) */
static int nf_concatenate(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_join(ev, a, false, out);
}

/* np.stack(arrays, axis=0) */
static int nf_stack(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    return np_join(ev, a, true, out);
}

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
        rc = np_kernel(ev, TFG_BIN_EQUAL, x, y, a->loc, NULL);
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
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < shape[k])
                    break;
                idx[k] = 0;
            }
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
    int rc = np_round_tensor(ev, t, d, a->loc, &r);
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
        int rc = np_maxmin(ev, &sub, k == 0, &r);
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
    {"eye", nf_eye, NULL, 0},             {"sum", nf_sum, NULL, 0},
    {"mean", nf_mean, NULL, 0},           {"prod", nf_prod, NULL, 0},
    {"max", nf_max, NULL, 0},             {"amax", nf_max, NULL, 0},
    {"min", nf_min, NULL, 0},             {"amin", nf_min, NULL, 0},
    {"all", nf_all, NULL, 0},             {"any", nf_any, NULL, 0},
    {"argmax", nf_argmax, NULL, 0},       {"argmin", nf_argmin, NULL, 0},
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
    if (!strcmp(name, "pi")) {
        *out = tfg_val_float(M_PI);
        return 0;
    }
    if (!strcmp(name, "e")) {
        *out = tfg_val_float(M_E);
        return 0;
    }
    if (!strcmp(name, "inf")) {
        *out = tfg_val_float(INFINITY);
        return 0;
    }
    if (!strcmp(name, "nan")) {
        *out = tfg_val_float(NAN);
        return 0;
    }
    if (!strcmp(name, "newaxis")) {
        *out = tfg_val_none();
        return 0;
    }
    for (size_t i = 0; i < sizeof np_functions / sizeof np_functions[0]; i++)
        if (!strcmp(np_functions[i].name, name)) {
            tfg_val v = tfg_val_builtin(&np_functions[i], (tfg_val){.t = TFG_V_MISSING});
            if (v.t == TFG_V_MISSING)
                return tfg_eval_error(ev, (tfg_loc){0, 0, 0}, "out of memory");
            *out = v;
            return 0;
        }
    return 1;
}
