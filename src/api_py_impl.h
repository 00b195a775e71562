/* api_py_impl.h — the internal interface of the Python library: what its
 * files share (module prefix tfg_pyapi_; the entry points, tfg_api_py_* and
 * tfg_api_np_*, are declared in eval.h). The library's files:
 *   api_py.c           shared helpers, Python numbers, host operators,
 *                      comparisons, subscripts and slices, attribute lookup
 *   api_py_builtins.c  the builtin functions (print, range, len, ...) and the
 *                      methods of lists, tuples and dicts
 *   api_py_str.c       UTF-8 text, %-formatting, format() specs, str.format
 *                      and the other methods of strings
 *   api_np.c           numpy arrays: promotion, conversion of host values,
 *                      operators, indexing
 *   api_np_funcs.c     numpy operations (reductions, ufuncs, reshapes), the
 *                      attributes and methods of arrays and dtypes, and the np
 *                      module's functions
 *
 * Host arrays follow numpy 2.x: Python scalars in an operation with an array
 * are "weak" (NEP 50: float32 array + 2.5 stays float32), arrays promote by
 * numpy's table, true division of integers gives float64, reductions over
 * every axis give numpy scalars (rank-0 arrays). Python ints are 64-bit here:
 * an int result that does not fit is an error ("integer overflow"), never a
 * silent wrap. Every function follows value.h's reference rules on every
 * path, errors included.
 */
#ifndef TFG_API_PY_IMPL_H
#define TFG_API_PY_IMPL_H

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "../runtime/kernels.h"
#include "../runtime/print.h"

/* ---- small helpers ---------------------------------------------------------- */

/* Records "out of memory" at loc. */
static inline int oom(tfg_eval *ev, tfg_loc loc)
{
    return tfg_eval_error(ev, loc, "out of memory");
}

/* Records a kernel's error message at loc. */
static inline int kfail(tfg_eval *ev, tfg_loc loc, const tfg_error *e)
{
    return tfg_eval_error(ev, loc, "%s", e->msg);
}

/* Hands v to *out, or records OOM when v is MISSING (a failed constructor). */
static inline int give(tfg_eval *ev, tfg_loc loc, tfg_val v, tfg_val *out)
{
    if (v.t == TFG_V_MISSING)
        return oom(ev, loc);
    *out = v;
    return 0;
}

/* Hands a new array reference to *out. */
static inline int give_array(tfg_tensor *t, tfg_val *out)
{
    *out = tfg_val_array(t);
    return 0;
}

/* The end of a builder: hands r to *out when rc is 0, else drops it; 0 or -1. */
static inline int give_list(int rc, tfg_val r, tfg_val *out)
{
    if (rc) {
        tfg_val_decref(r);
        return -1;
    }
    *out = r;
    return 0;
}

/* Appends item to list, recording OOM on failure (item is consumed either way). */
static inline int append(tfg_eval *ev, tfg_loc loc, tfg_val list, tfg_val item)
{
    if (item.t == TFG_V_MISSING)
        return oom(ev, loc);
    if (tfg_val_list_append(list, item))
        return oom(ev, loc);
    return 0;
}

/* Frees an item array from tfg_eval_iter. */
static inline void free_items(tfg_val *items, int n)
{
    for (int i = 0; i < n; i++)
        tfg_val_decref(items[i]);
    free(items);
}

/* True when v is a graph object (tensor, operation, variable). */
static inline bool is_graph(tfg_val v)
{
    return v.t == TFG_V_TENSOR || v.t == TFG_V_OP || v.t == TFG_V_VARIABLE;
}

/* In a dry run, a fetched value is UNKNOWN: any use of one gives UNKNOWN.
 * True (and *out set) when an argument is unknown. */
static inline bool unknown_args(const tfg_args *a, tfg_val *out)
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
static inline const char *sv(tfg_val v)
{
    return tfg_val_as_str(v)->s;
}

/* The length in bytes of a STR value. */
static inline size_t slen(tfg_val v)
{
    return tfg_val_as_str(v)->len;
}

/* A string value from a string buffer (consumed); MISSING on OOM. */
static inline tfg_val sb_val(tfg_sb *b)
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

/* str(v), or repr(v) when `repr`, as a new str value; MISSING on OOM. */
static inline tfg_val str_val(tfg_val v, bool repr)
{
    tfg_sb b = {0};
    if (repr)
        tfg_val_repr_into(&b, v);
    else
        tfg_val_str_into(&b, v);
    return sb_val(&b);
}

/* The number of items of a range (start, stop, step), without overflow. */
static inline int64_t range_len(const tfg_list *r)
{
    int64_t a = r->items[0].u.i, b = r->items[1].u.i, s = r->items[2].u.i;
    if (s > 0 && a < b)
        return (int64_t)(((uint64_t)b - (uint64_t)a - 1) / (uint64_t)s + 1);
    if (s < 0 && a > b)
        return (int64_t)(((uint64_t)a - (uint64_t)b - 1) / (0 - (uint64_t)s) + 1);
    return 0;
}

/* The items of a list or tuple value (NULL for other kinds). */
static inline const tfg_list *seq_of(tfg_val v)
{
    return (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) ? v.u.p : NULL;
}

/* Binds a method's arguments. */
static inline int mbind(tfg_eval *ev, tfg_args *a, const char *name, const char *spec,
                        tfg_val *p)
{
    return tfg_eval_bind(ev, a, name, spec, p);
}

/* Defines fn, the function of one row of a builtin table whose rows share one
 * implementation: fn(ev, self, a, out) calls impl(ev, self, a, out, ...) with
 * the row's constants. (A builtin is not told which row it was called
 * through, so each row needs a function of its own; this keeps it to a line.) */
#define BUILTIN_ROW(fn, impl, ...)                                         \
    static int fn(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)   \
    {                                                                      \
        return impl(ev, self, a, out, __VA_ARGS__);                        \
    }

/* ---- Python numbers ---------------------------------------------------------- */

/* A number seen as Python sees it: an int (bool included) or a float. */
typedef struct pnum {
    bool isf;        /* float */
    bool isbool;     /* a bool (or numpy bool) */
    int64_t i;
    double f;
} pnum;

/* A Python number (bool, int, float) as a pnum; false for anything else. */
static inline bool get_pynum(tfg_val v, pnum *n)
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
static inline bool get_num(tfg_val v, pnum *n, bool sized1)
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
static inline bool get_index_quiet(tfg_val v, int64_t *out)
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
static inline int get_index(tfg_eval *ev, tfg_val v, tfg_loc loc, int64_t *out)
{
    if (get_index_quiet(v, out))
        return 0;
    return tfg_eval_error(ev, loc, "'%s' object cannot be interpreted as an integer",
                          tfg_val_type_name(v));
}

/* Records Python's message for an int result that does not fit in 64 bits. */
static inline int int_overflow(tfg_eval *ev, tfg_loc loc)
{
    return tfg_eval_error(ev, loc, "integer overflow: the result does not fit in a 64-bit int");
}

/* ---- numpy --------------------------------------------------------------------- */

/* The dtype numpy gives a Python scalar when it stands alone (strong). */
static inline tfg_dtype np_pyscalar_dtype(const pnum *n)
{
    return n->isf ? TFG_FLOAT64 : n->isbool ? TFG_BOOL : TFG_INT64;
}

/* Reads broadcast coordinates: the flat index in x (shape xs of rank xr) of
 * output coordinates idx (rank r), numpy broadcasting. */
static inline int64_t bcast_flat(int r, const int64_t *idx, int xr, const int64_t *xs)
{
    int64_t f = 0;
    for (int k = 0; k < xr; k++) {
        int64_t c = idx[r - xr + k];
        f = f * xs[k] + (xs[k] == 1 ? 0 : c);
    }
    return f;
}

/* Steps output coordinates idx (shape of rank r) to the next element, row-major. */
static inline void bcast_next(int64_t *idx, int r, const int64_t *shape)
{
    for (int k = r - 1; k >= 0; k--) {
        if (++idx[k] < shape[k])
            return;
        idx[k] = 0;
    }
}

/* An operand of a numpy operation: an array (borrowed or owned) or a weak Python scalar. */
typedef struct np_operand {
    tfg_tensor *t;   /* set when an array (owned reference) */
    bool weak;       /* a Python number */
    pnum n;
} np_operand;

/* ---- api_py.c ----------------------------------------------------------------- */
/* Records an error whose message contains repr(v) through "%s" in fmt. */
int tfg_pyapi_error_with_repr(tfg_eval *ev, tfg_loc loc, const char *fmt, tfg_val v);
/* A float as a Python int (truncation) with Python's errors. */
int tfg_pyapi_float_to_int(tfg_eval *ev, double f, tfg_loc loc, int64_t *out);
/* Rounds an int to a multiple of 10**k (k > 0), half to even. */
int tfg_pyapi_round_int_neg(tfg_eval *ev, int64_t v, int64_t k, tfg_loc loc, int64_t *out);
/* Python's `is`: identity of objects, equality of inline scalars of one kind. */
bool tfg_pyapi_is(tfg_val a, tfg_val b);
/* a (op) b for op in < <= > >= with Python's errors, as a C bool. */
int tfg_pyapi_order(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, bool *res);
/* list + list, tuple + tuple: a new sequence of kind t. */
int tfg_pyapi_seq_concat(tfg_eval *ev, tfg_vtype t, const tfg_list *x, const tfg_list *y,
                         tfg_loc loc, tfg_val *out);
/* Records Python's unhashable-key error when key cannot be a dict key. */
int tfg_pyapi_check_hashable(tfg_eval *ev, tfg_val key, tfg_loc loc);
/* Looks name up in a builtin table (terminated by a NULL name): 0 found, *out
 * the builtin bound to self (a method; MISSING: a function), 1 not. */
int tfg_pyapi_builtin_of(tfg_eval *ev, const tfg_builtin *tab, tfg_val self, const char *name,
                         tfg_loc loc, tfg_val *out);

/* ---- api_py_builtins.c -------------------------------------------------------- */
/* The methods of lists, tuples and dicts (each terminated by a NULL name). */
extern const tfg_builtin tfg_pyapi_list_methods[];
extern const tfg_builtin tfg_pyapi_tuple_methods[];
extern const tfg_builtin tfg_pyapi_dict_methods[];
/* Python's int(str, base) and float(str) parsers, with Python's ValueError. */
int tfg_pyapi_parse_int_text(tfg_eval *ev, tfg_val strv, int64_t base, tfg_loc loc, int64_t *out);
int tfg_pyapi_parse_float_text(tfg_eval *ev, tfg_val strv, tfg_loc loc, double *out);
/* The dtype numpy reads from the builtin float, int or bool given as dtype=
 * (float64, int64, bool); -1 for other builtins. */
int tfg_pyapi_builtin_dtype(const tfg_builtin *def);

/* ---- api_py_str.c ------------------------------------------------------------- */
/* UTF-8 text (Python indexes strings by code point): plain ASCII?, the number
 * of code points, the byte offsets of each code point plus the end
 * ((*offs)[0..count], malloc'd; -1 on OOM), appending code point cp (false
 * when out of range), the first code point (n > 0). */
bool tfg_pyapi_is_ascii(const char *s, size_t n);
int64_t tfg_pyapi_u8_len(const char *s, size_t n);
int tfg_pyapi_u8_offsets(const char *s, size_t n, size_t **offs, int64_t *count);
bool tfg_pyapi_u8_put(tfg_sb *b, int64_t cp);
int64_t tfg_pyapi_u8_first(const char *s, size_t n);
/* str % args: Python's printf-style formatting. */
int tfg_pyapi_percent_format(tfg_eval *ev, tfg_val fmtv, tfg_val args, tfg_loc loc,
                             tfg_val *out);
/* The methods of strings (terminated by a NULL name). */
extern const tfg_builtin tfg_pyapi_str_methods[];

/* ---- api_np.c ----------------------------------------------------------------- */
/* numpy's promote_types over the supported dtypes. */
tfg_dtype tfg_pyapi_np_promote(tfg_dtype a, tfg_dtype b);
/* Checks that a Python int fits dtype dt (numpy 2 raises OverflowError). */
int tfg_pyapi_np_int_fits(tfg_eval *ev, int64_t v, tfg_dtype dt, tfg_loc loc);
/* x as dtype dt: a new reference (x itself when it already is). */
int tfg_pyapi_np_cast(tfg_eval *ev, tfg_tensor *x, tfg_dtype dt, tfg_loc loc, tfg_tensor **out);
/* Records numpy's error for a value that cannot be an array element. */
int tfg_pyapi_np_bad_element(tfg_eval *ev, tfg_val v, tfg_loc loc);
/* numpy's np.array(v, dtype): a new array from a number, a nested list/tuple
 * of numbers and arrays, a range or an array (copied when `copy`, else shared
 * when the dtype already matches). dt < 0: inferred. */
int tfg_pyapi_np_from(tfg_eval *ev, tfg_val v, int dt, bool copy, tfg_loc loc, tfg_tensor **out);
/* A shape argument: an int, or a list/tuple (or 1-D int array) of ints. */
int tfg_pyapi_np_shape_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, int *rank, int64_t *shape);
/* Elementwise integer op (bitwise and/or/xor, or ~ with b NULL) on int arrays. */
int tfg_pyapi_np_bitwise(tfg_eval *ev, int op, const tfg_tensor *a, const tfg_tensor *b,
                         tfg_loc loc, tfg_tensor **out);
/* numpy matmul of two arrays of the same dtype (1-D operands are vectors). */
int tfg_pyapi_np_matmul_same(tfg_eval *ev, tfg_tensor *a, tfg_tensor *b, tfg_loc loc,
                             tfg_tensor **out);
/* Makes v a numpy operand: 0, 1 when v cannot take part, -1 on error. */
int tfg_pyapi_np_operand_of(tfg_eval *ev, tfg_val v, tfg_loc loc, np_operand *o);
/* Brings two operands to one dtype (NEP 50): two new array references. */
int tfg_pyapi_np_unify(tfg_eval *ev, np_operand *x, np_operand *y, tfg_loc loc, tfg_tensor **a,
                       tfg_tensor **b);
/* Writes a shape as numpy does, a tuple: (2,) or (2,3) (cut at cap bytes). */
void tfg_pyapi_np_shape_text(char *buf, size_t cap, int rank, const int64_t *shape);
/* An elementwise kernel op on two same-dtype arrays with numpy's shape message. */
int tfg_pyapi_np_kernel(tfg_eval *ev, tfg_binop kop, const tfg_tensor *a, const tfg_tensor *b,
                        tfg_loc loc, tfg_tensor **out);
/* Operators with an array operand, numpy semantics: 0, 1 (unsupported), -1. */
int tfg_pyapi_array_binop(tfg_eval *ev, int op, tfg_val av, tfg_val bv, tfg_loc loc,
                          tfg_val *out);
/* arr[idx] with numpy basic indexing (and 1-D integer/boolean index arrays). */
int tfg_pyapi_array_subscript(tfg_eval *ev, tfg_tensor *x, tfg_val idx, tfg_loc loc,
                              tfg_val *out);

/* ---- api_np_funcs.c ----------------------------------------------------------- */
/* A numpy unary ufunc on any array-like value. */
int tfg_pyapi_np_unary_val(tfg_eval *ev, tfg_unop op, tfg_val v, tfg_loc loc, tfg_val *out);
/* np.round(x, decimals): half to even, numpy's scale-round-unscale for decimals != 0. */
int tfg_pyapi_np_round_tensor(tfg_eval *ev, const tfg_tensor *x, int64_t decimals, tfg_loc loc,
                              tfg_tensor **out);
/* Attributes of arrays: 0, 1 absent, -1 error. */
int tfg_pyapi_array_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc,
                            tfg_val *out);
/* The callable side of dtypes: the evaluator calls DTYPE values through
 * "__call__" (terminated by a NULL name). */
extern const tfg_builtin tfg_pyapi_dtype_methods[];

#endif
