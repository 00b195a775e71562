/* value.c — script values: constructors, reference counting, equality, type
 * names, the growable string buffer and Python's str()/repr() of every kind
 * (module prefix tfg_val_, tfg_sb_).
 *
 * Heap kinds share the tfg_obj header; the last tfg_val_decref frees the
 * object and drops the references it holds (container items, a builtin's
 * bound self, a context's session). Host arrays use the tensor's own count.
 * The evaluator is single-threaded, so object counts are plain ints.
 * Printing guards against self-containing containers (Python's "[...]") and
 * against runaway nesting depth.
 */
#include "value.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "ast.h"
#include "session.h"
#include "../runtime/print.h"

/* Deepest container nesting that str()/repr() descends into. */
#define VAL_PRINT_MAX_DEPTH 400

/* ---- constructors ----------------------------------------------------------- */

/* The None value. */
tfg_val tfg_val_none(void)
{
    tfg_val v = {.t = TFG_V_NONE};
    return v;
}

/* A Python bool. */
tfg_val tfg_val_bool(bool b)
{
    tfg_val v = {.t = TFG_V_BOOL};
    v.u.i = b ? 1 : 0;
    return v;
}

/* A Python int (64-bit). */
tfg_val tfg_val_int(int64_t i)
{
    tfg_val v = {.t = TFG_V_INT};
    v.u.i = i;
    return v;
}

/* A Python float. */
tfg_val tfg_val_float(double f)
{
    tfg_val v = {.t = TFG_V_FLOAT};
    v.u.f = f;
    return v;
}

/* A dtype (tf.float32, np.int64, ...). */
tfg_val tfg_val_dtype(tfg_dtype d)
{
    tfg_val v = {.t = TFG_V_DTYPE};
    v.u.i = (int64_t)d;
    return v;
}

/* A zeroed heap object of kind t with one reference; MISSING on OOM. */
tfg_val tfg_val_obj(tfg_vtype t, size_t size)
{
    tfg_val v = {.t = TFG_V_MISSING};
    if (size < sizeof(tfg_obj))
        size = sizeof(tfg_obj);
    tfg_obj *o = calloc(1, size);
    if (!o)
        return v;
    o->refcount = 1;
    v.t = t;
    v.u.p = o;
    return v;
}

/* A string value holding a copy of s[0..len); MISSING on OOM. */
tfg_val tfg_val_str(const char *s, size_t len)
{
    tfg_val v = {.t = TFG_V_MISSING};
    if (len > SIZE_MAX - sizeof(tfg_str) - 1)
        return v;
    tfg_str *o = malloc(sizeof(tfg_str) + len + 1);
    if (!o)
        return v;
    o->h.refcount = 1;
    o->len = len;
    if (len)
        memcpy(o->s, s, len);
    o->s[len] = '\0';
    v.t = TFG_V_STR;
    v.u.p = o;
    return v;
}

/* A string value holding a copy of the NUL-terminated s. */
tfg_val tfg_val_cstr(const char *s)
{
    return tfg_val_str(s ? s : "", s ? strlen(s) : 0);
}

/* A graph tensor (tf.Tensor) for endpoint e. */
tfg_val tfg_val_tensor(tfg_endpoint e)
{
    tfg_val v = {.t = TFG_V_TENSOR};
    v.u.e = e;
    return v;
}

/* A graph operation (tf.Operation) for node n. */
tfg_val tfg_val_op(tfg_node *n)
{
    tfg_val v = {.t = TFG_V_OP};
    v.u.e.node = n;
    v.u.e.index = 0;
    return v;
}

/* A variable (tf.Variable) for its VariableV2 node n. */
tfg_val tfg_val_variable(tfg_node *n)
{
    tfg_val v = {.t = TFG_V_VARIABLE};
    v.u.e.node = n;
    v.u.e.index = 0;
    return v;
}

/* A host array; takes over the caller's reference to t (MISSING if t is NULL). */
tfg_val tfg_val_array(tfg_tensor *t)
{
    tfg_val v = {.t = t ? TFG_V_ARRAY : TFG_V_MISSING};
    v.u.p = t;
    return v;
}

/* True for the kinds whose payload is a tfg_list. */
static bool is_listlike(tfg_vtype t)
{
    return t == TFG_V_LIST || t == TFG_V_TUPLE || t == TFG_V_RANGE || t == TFG_V_SLICE;
}

/* An empty list-like value (LIST, TUPLE, RANGE or SLICE) with room for cap items. */
tfg_val tfg_val_list_new(tfg_vtype t, int cap)
{
    if (!is_listlike(t))
        t = TFG_V_LIST;
    tfg_val v = tfg_val_obj(t, sizeof(tfg_list));
    if (v.t == TFG_V_MISSING)
        return v;
    tfg_list *l = v.u.p;
    if (cap > 0) {
        l->items = malloc((size_t)cap * sizeof(tfg_val));
        if (!l->items) {
            free(l);
            v.t = TFG_V_MISSING;
            v.u.p = NULL;
            return v;
        }
        l->cap = cap;
    }
    return v;
}

/* Appends item (its reference taken over); -1 on OOM (item released). */
int tfg_val_list_append(tfg_val list, tfg_val item)
{
    if (!is_listlike(list.t) || !list.u.p) {
        tfg_val_decref(item);
        return -1;
    }
    tfg_list *l = list.u.p;
    if (l->n == l->cap) {
        if (l->cap > (1 << 28)) {
            tfg_val_decref(item);
            return -1;
        }
        int nc = l->cap ? l->cap * 2 : 4;
        tfg_val *ni = realloc(l->items, (size_t)nc * sizeof(tfg_val));
        if (!ni) {
            tfg_val_decref(item);
            return -1;
        }
        l->items = ni;
        l->cap = nc;
    }
    l->items[l->n++] = item;
    return 0;
}

/* An empty dict. */
tfg_val tfg_val_dict_new(void)
{
    return tfg_val_obj(TFG_V_DICT, sizeof(tfg_dict));
}

/* Index of key in d, or -1. */
static int dict_find(const tfg_dict *d, tfg_val key)
{
    for (int i = 0; i < d->n; i++)
        if (tfg_val_eq(d->keys[i], key))
            return i;
    return -1;
}

/* Sets d[key] = v (both references taken over); -1 on OOM (both released). */
int tfg_val_dict_set(tfg_val dict, tfg_val key, tfg_val v)
{
    if (dict.t != TFG_V_DICT || !dict.u.p) {
        tfg_val_decref(key);
        tfg_val_decref(v);
        return -1;
    }
    tfg_dict *d = dict.u.p;
    int i = dict_find(d, key);
    if (i >= 0) {
        /* Python keeps the first key object and replaces the value */
        tfg_val old = d->vals[i];
        d->vals[i] = v;
        tfg_val_decref(old);
        tfg_val_decref(key);
        return 0;
    }
    if (d->n == d->cap) {
        int nc = d->cap ? d->cap * 2 : 4;
        if (d->cap > (1 << 27)) {
            tfg_val_decref(key);
            tfg_val_decref(v);
            return -1;
        }
        tfg_val *nk = realloc(d->keys, (size_t)nc * sizeof(tfg_val));
        if (!nk) {
            tfg_val_decref(key);
            tfg_val_decref(v);
            return -1;
        }
        d->keys = nk;
        tfg_val *nv = realloc(d->vals, (size_t)nc * sizeof(tfg_val));
        if (!nv) {
            tfg_val_decref(key);
            tfg_val_decref(v);
            return -1;
        }
        d->vals = nv;
        d->cap = nc;
    }
    d->keys[d->n] = key;
    d->vals[d->n] = v;
    d->n++;
    return 0;
}

/* The value stored under key (borrowed), or NULL. */
tfg_val *tfg_val_dict_get(tfg_val dict, tfg_val key)
{
    if (dict.t != TFG_V_DICT || !dict.u.p)
        return NULL;
    tfg_dict *d = dict.u.p;
    int i = dict_find(d, key);
    return i >= 0 ? &d->vals[i] : NULL;
}

/* A TensorShape value copying *s. */
tfg_val tfg_val_shape(const tfg_shape *s)
{
    tfg_val v = tfg_val_obj(TFG_V_SHAPE, sizeof(tfg_shapeobj));
    if (v.t != TFG_V_MISSING)
        ((tfg_shapeobj *)v.u.p)->shape = *s;
    return v;
}

/* A module value for the path "tf", "tf.nn", "np", ... */
tfg_val tfg_val_module(const char *path)
{
    tfg_val v = tfg_val_cstr(path);
    if (v.t == TFG_V_STR)
        v.t = TFG_V_MODULE;
    return v;
}

/* A builtin function value, bound to self (a new reference of self is taken). */
tfg_val tfg_val_builtin(const tfg_builtin *def, tfg_val self)
{
    tfg_val v = tfg_val_obj(TFG_V_BUILTIN, sizeof(tfg_builtinobj));
    if (v.t == TFG_V_MISSING)
        return v;
    tfg_builtinobj *b = v.u.p;
    b->def = def;
    b->self = tfg_val_incref(self);
    return v;
}

tfg_val tfg_val_object(const tfg_objclass *cls)
{
    tfg_val v = tfg_val_obj(TFG_V_OBJECT, sizeof(tfg_objectobj));
    if (v.t == TFG_V_MISSING) return v;
    tfg_objectobj *o = v.u.p;
    o->cls = cls;
    o->attrs = tfg_val_dict_new();
    if (o->attrs.t == TFG_V_MISSING) { tfg_val_decref(v); v.t = TFG_V_MISSING; }
    return v;
}

/* ---- reference counting ----------------------------------------------------- */

/* True for kinds whose u.p is a tfg_obj. */
static bool is_heap(tfg_vtype t)
{
    switch (t) {
    case TFG_V_STR: case TFG_V_LIST: case TFG_V_TUPLE: case TFG_V_DICT:
    case TFG_V_SHAPE: case TFG_V_MODULE: case TFG_V_BUILTIN: case TFG_V_FUNC:
    case TFG_V_SESSION: case TFG_V_CTX: case TFG_V_CONFIG: case TFG_V_RANGE:
    case TFG_V_SLICE: case TFG_V_OBJECT:
        return true;
    default:
        return false;
    }
}

/* Adds one reference to v and returns v. */
tfg_val tfg_val_incref(tfg_val v)
{
    if (v.t == TFG_V_ARRAY)
        tfg_tensor_ref(v.u.p);
    else if (is_heap(v.t) && v.u.p)
        ((tfg_obj *)v.u.p)->refcount++;
    return v;
}

/* Frees a heap object whose last reference went, with what it holds. */
static void obj_free(tfg_vtype t, void *p)
{
    switch (t) {
    case TFG_V_LIST: case TFG_V_TUPLE: case TFG_V_RANGE: case TFG_V_SLICE: {
        tfg_list *l = p;
        for (int i = 0; i < l->n; i++)
            tfg_val_decref(l->items[i]);
        free(l->items);
        break;
    }
    case TFG_V_DICT: {
        tfg_dict *d = p;
        for (int i = 0; i < d->n; i++) {
            tfg_val_decref(d->keys[i]);
            tfg_val_decref(d->vals[i]);
        }
        free(d->keys);
        free(d->vals);
        break;
    }
    case TFG_V_BUILTIN:
        tfg_val_decref(((tfg_builtinobj *)p)->self);
        break;
    case TFG_V_OBJECT: {
        tfg_objectobj *o = p;
        tfg_val_decref(o->attrs);
        if (o->cls && o->cls->free && o->state) o->cls->free(o->state);
        break;
    }
    case TFG_V_SESSION: {
        tfg_sessobj *s = p;
        if (s->s)
            tfg_session_free(s->s);
        break;
    }
    case TFG_V_CTX: {
        tfg_ctxobj *c = p;
        free(c->text);
        free(c->nodes);
        tfg_val_decref(c->session);
        break;
    }
    default:
        break;
    }
    free(p);
}

/* Drops one reference of v, freeing it with the last one. */
void tfg_val_decref(tfg_val v)
{
    if (v.t == TFG_V_ARRAY) {
        tfg_tensor_unref(v.u.p);
        return;
    }
    if (!is_heap(v.t) || !v.u.p)
        return;
    tfg_obj *o = v.u.p;
    if (--o->refcount == 0)
        obj_free(v.t, o);
}

/* ---- type names, equality ---------------------------------------------------- */

/* Python's type name for messages. */
const char *tfg_val_type_name(tfg_val v)
{
    switch (v.t) {
    case TFG_V_MISSING: return "missing";
    case TFG_V_NONE: return "NoneType";
    case TFG_V_BOOL: return "bool";
    case TFG_V_INT: return "int";
    case TFG_V_FLOAT: return "float";
    case TFG_V_STR: return "str";
    case TFG_V_LIST: return "list";
    case TFG_V_TUPLE: return "tuple";
    case TFG_V_DICT: return "dict";
    case TFG_V_ARRAY: {
        const tfg_tensor *t = v.u.p;
        if (t && t->rank == 0) {
            switch (t->dtype) {
            case TFG_FLOAT32: return "numpy.float32";
            case TFG_FLOAT64: return "numpy.float64";
            case TFG_INT32: return "numpy.int32";
            case TFG_INT64: return "numpy.int64";
            case TFG_BOOL: return "numpy.bool";
            case TFG_UINT8: return "numpy.uint8";
            default: break;
            }
        }
        return "numpy.ndarray";
    }
    case TFG_V_TENSOR: return "Tensor";
    case TFG_V_OP: return "Operation";
    case TFG_V_VARIABLE: return "RefVariable";
    case TFG_V_DTYPE: return "DType";
    case TFG_V_SHAPE: return "TensorShape";
    case TFG_V_MODULE: return "module";
    case TFG_V_BUILTIN: return "builtin_function_or_method";
    case TFG_V_FUNC: return "function";
    case TFG_V_SESSION: {
        const tfg_sessobj *s = v.u.p;
        return s && s->interactive ? "InteractiveSession" : "Session";
    }
    case TFG_V_CTX: return "_GeneratorContextManager";
    case TFG_V_CONFIG: return "ConfigProto";
    case TFG_V_OBJECT: return ((const tfg_objectobj *)v.u.p)->cls->name;
    case TFG_V_GRAPH: return "Graph";
    case TFG_V_RANGE: return "range";
    case TFG_V_SLICE: return "slice";
    case TFG_V_UNKNOWN: return "unknown";
    default: return "object";
    }
}

/* True for bool, int and float. */
bool tfg_val_is_number(tfg_val v)
{
    return v.t == TFG_V_BOOL || v.t == TFG_V_INT || v.t == TFG_V_FLOAT;
}

/* The value of a number (0 for anything else). */
double tfg_val_to_double(tfg_val v)
{
    switch (v.t) {
    case TFG_V_BOOL:
    case TFG_V_INT: return (double)v.u.i;
    case TFG_V_FLOAT: return v.u.f;
    default: return 0.0;
    }
}

/* A number-like value (number or numpy scalar) as an exact pair: is_float
 * tells which of *i / *f holds it. False for anything else. */
static bool num_parts(tfg_val v, bool *is_float, int64_t *i, double *f)
{
    if (v.t == TFG_V_BOOL || v.t == TFG_V_INT) {
        *is_float = false;
        *i = v.u.i;
        return true;
    }
    if (v.t == TFG_V_FLOAT) {
        *is_float = true;
        *f = v.u.f;
        return true;
    }
    if (v.t == TFG_V_ARRAY && v.u.p && ((tfg_tensor *)v.u.p)->rank == 0) {
        const tfg_tensor *t = v.u.p;
        if (tfg_dtype_is_float(t->dtype)) {
            *is_float = true;
            *f = tfg_tensor_get_f(t, 0);
        } else {
            *is_float = false;
            *i = tfg_tensor_get_i(t, 0);
        }
        return true;
    }
    return false;
}

/* Exact equality of an int and a float (no rounding of large ints). */
static bool int_float_eq(int64_t i, double f)
{
    return (long double)i == (long double)f;
}

/* Python == for host values; identity for graph objects and sessions. */
bool tfg_val_eq(tfg_val a, tfg_val b)
{
    bool af, bf;
    int64_t ai = 0, bi = 0;
    double ad = 0, bd = 0;
    if (num_parts(a, &af, &ai, &ad) && num_parts(b, &bf, &bi, &bd)) {
        if (a.t == TFG_V_ARRAY && b.t == TFG_V_ARRAY && a.u.p == b.u.p)
            return true;
        if (!af && !bf)
            return ai == bi;
        if (af && bf)
            return ad == bd;
        return af ? int_float_eq(bi, ad) : int_float_eq(ai, bd);
    }
    if ((a.t == TFG_V_DTYPE && b.t == TFG_V_STR) || (a.t == TFG_V_STR && b.t == TFG_V_DTYPE)) {
        /* tf.float32 == 'float32' and arr.dtype == 'float32' hold, as in TF and numpy */
        tfg_val d = a.t == TFG_V_DTYPE ? a : b, s = a.t == TFG_V_STR ? a : b;
        return strcmp(tfg_dtype_name((tfg_dtype)d.u.i), ((tfg_str *)s.u.p)->s) == 0;
    }
    if (a.t != b.t) {
        /* a list never equals a tuple; other mixed kinds are different too */
        return false;
    }
    switch (a.t) {
    case TFG_V_MISSING:
    case TFG_V_NONE:
    case TFG_V_GRAPH:
        return true;
    case TFG_V_DTYPE:
        return a.u.i == b.u.i;
    case TFG_V_STR:
    case TFG_V_MODULE: {
        const tfg_str *x = a.u.p, *y = b.u.p;
        return x == y || (x->len == y->len && memcmp(x->s, y->s, x->len) == 0);
    }
    case TFG_V_LIST:
    case TFG_V_TUPLE:
    case TFG_V_RANGE:
    case TFG_V_SLICE: {
        const tfg_list *x = a.u.p, *y = b.u.p;
        if (x == y)
            return true;
        if (x->n != y->n)
            return false;
        for (int i = 0; i < x->n; i++)
            if (!tfg_val_eq(x->items[i], y->items[i]))
                return false;
        return true;
    }
    case TFG_V_DICT: {
        const tfg_dict *x = a.u.p, *y = b.u.p;
        if (x == y)
            return true;
        if (x->n != y->n)
            return false;
        for (int i = 0; i < x->n; i++) {
            int j = dict_find(y, x->keys[i]);
            if (j < 0 || !tfg_val_eq(x->vals[i], y->vals[j]))
                return false;
        }
        return true;
    }
    case TFG_V_SHAPE: {
        const tfg_shape *x = &((tfg_shapeobj *)a.u.p)->shape;
        const tfg_shape *y = &((tfg_shapeobj *)b.u.p)->shape;
        if (x->rank != y->rank)
            return false;
        for (int i = 0; i < x->rank && i < TFG_MAX_RANK; i++)
            if (x->dim[i] != y->dim[i])
                return false;
        return true;
    }
    case TFG_V_TENSOR:
        return a.u.e.node == b.u.e.node && a.u.e.index == b.u.e.index;
    case TFG_V_OP:
    case TFG_V_VARIABLE:
        return a.u.e.node == b.u.e.node;
    case TFG_V_BUILTIN: {
        const tfg_builtinobj *x = a.u.p, *y = b.u.p;
        if (x == y)
            return true;
        if (x->def != y->def)
            return false;
        /* bound methods compare equal when bound to the same object */
        if (x->self.t != y->self.t)
            return false;
        if (is_heap(x->self.t) || x->self.t == TFG_V_ARRAY)
            return x->self.u.p == y->self.u.p;
        return tfg_val_eq(x->self, y->self);
    }
    default:
        /* arrays (non-scalar), functions, sessions, contexts, configs: identity */
        return a.u.p == b.u.p;
    }
}

/* ---- string buffer ------------------------------------------------------------ */

/* Makes room for n more bytes plus a NUL; false (and b->oom) on failure. */
static bool sb_reserve(tfg_sb *b, size_t n)
{
    if (b->oom)
        return false;
    if (n > SIZE_MAX / 4 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    size_t nc = b->cap ? b->cap : 64;
    while (nc < need)
        nc *= 2;
    char *ns = realloc(b->s, nc);
    if (!ns) {
        b->oom = true;
        return false;
    }
    b->s = ns;
    b->cap = nc;
    return true;
}

/* Appends n bytes of s. */
void tfg_sb_addn(tfg_sb *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n))
        return;
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Appends the NUL-terminated s. */
void tfg_sb_add(tfg_sb *b, const char *s)
{
    tfg_sb_addn(b, s, strlen(s));
}

/* Appends printf-formatted text. */
void tfg_sb_printf(tfg_sb *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        tfg_sb_addn(b, small, (size_t)n);
        return;
    }
    if (!sb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The buffer's malloc'd string (never NULL unless memory ran out); resets b. */
char *tfg_sb_take(tfg_sb *b)
{
    char *s = b->s;
    if (b->oom) {
        free(s);
        s = NULL;
    } else if (!s) {
        s = malloc(1);
        if (s)
            s[0] = '\0';
    }
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = false;
    return s;
}

/* ---- str / repr ----------------------------------------------------------------- */

/* The containers being printed, innermost first (cycle detection). */
typedef struct print_chain {
    const void *p;
    const struct print_chain *up;
    int depth;
} print_chain;

static void put_val(tfg_sb *b, tfg_val v, bool repr, const print_chain *chain);

/* Appends a malloc'd string from the printing library and frees it. */
static void put_owned(tfg_sb *b, char *s)
{
    if (!s) {
        b->oom = true;
        return;
    }
    tfg_sb_add(b, s);
    free(s);
}

/* Appends Python's repr of a float. */
static void put_float(tfg_sb *b, double f)
{
    char buf[64];
    tfg_print_pyfloat(f, buf, sizeof buf);
    tfg_sb_add(b, buf);
}

/* Appends Python's repr of the string s[0..n): quotes chosen as Python does. */
static void put_str_repr(tfg_sb *b, const char *s, size_t n)
{
    bool has_sq = memchr(s, '\'', n) != NULL, has_dq = memchr(s, '"', n) != NULL;
    char q = (has_sq && !has_dq) ? '"' : '\'';
    tfg_sb_addn(b, &q, 1);
    size_t run = 0;   /* start of the pending run of plain bytes */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char hex[8];
        if (c == '\\')
            esc = "\\\\";
        else if (c == (unsigned char)q)
            esc = q == '\'' ? "\\'" : "\\\"";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c == 0x7f) {
            snprintf(hex, sizeof hex, "\\x%02x", c);
            esc = hex;
        }
        if (esc) {
            tfg_sb_addn(b, s + run, i - run);
            tfg_sb_add(b, esc);
            run = i + 1;
        }
    }
    tfg_sb_addn(b, s + run, n - run);
    tfg_sb_addn(b, &q, 1);
}

/* Appends a static shape as TF 1.x's TensorShape str (the oracle runs
 * tf.compat.v1 with v2 behaviour disabled): "(2, 3)", "(?, 3)", "(5,)",
 * "()", "<unknown>". */
static void put_shape_str(tfg_sb *b, const tfg_shape *s)
{
    if (s->rank < 0) {
        tfg_sb_add(b, "<unknown>");
        return;
    }
    tfg_sb_add(b, "(");
    for (int i = 0; i < s->rank && i < TFG_MAX_RANK; i++) {
        if (i)
            tfg_sb_add(b, ", ");
        if (s->dim[i] < 0)
            tfg_sb_add(b, "?");
        else
            tfg_sb_printf(b, "%" PRId64, s->dim[i]);
    }
    tfg_sb_add(b, s->rank == 1 ? ",)" : ")");
}

/* Appends TF 1.x's TensorShape repr: "TensorShape([Dimension(2), Dimension(None)])",
 * "TensorShape([])", "TensorShape(None)". */
static void put_shape_repr(tfg_sb *b, const tfg_shape *s)
{
    if (s->rank < 0) {
        tfg_sb_add(b, "TensorShape(None)");
        return;
    }
    tfg_sb_add(b, "TensorShape([");
    for (int i = 0; i < s->rank && i < TFG_MAX_RANK; i++) {
        if (i)
            tfg_sb_add(b, ", ");
        if (s->dim[i] < 0)
            tfg_sb_add(b, "Dimension(None)");
        else
            tfg_sb_printf(b, "Dimension(%" PRId64 ")", s->dim[i]);
    }
    tfg_sb_add(b, "])");
}

/* Appends "Name:k" for an endpoint. */
static void put_endpoint_name(tfg_sb *b, tfg_endpoint e)
{
    tfg_sb_printf(b, "%s:%d", e.node && e.node->name ? e.node->name : "?", e.index);
}

/* The static dtype and shape of endpoint e. */
static void endpoint_meta(tfg_endpoint e, tfg_dtype *dt, tfg_shape *s)
{
    *dt = TFG_FLOAT32;
    memset(s, 0, sizeof *s);
    s->rank = -1;
    if (!e.node || e.index < 0 || e.index >= TFG_MAX_OUTPUTS)
        return;
    *dt = e.node->out_dtype[e.index];
    *s = e.node->out_shape[e.index];
}

/* Appends str() of a graph tensor: Tensor("MatMul:0", shape=(1, 1), dtype=float32). */
static void put_tensor_str(tfg_sb *b, tfg_endpoint e)
{
    tfg_dtype dt;
    tfg_shape s;
    endpoint_meta(e, &dt, &s);
    tfg_sb_add(b, "Tensor(\"");
    put_endpoint_name(b, e);
    tfg_sb_add(b, "\"");
    if (s.rank >= 0) {
        tfg_sb_add(b, ", shape=");
        put_shape_str(b, &s);
    }
    tfg_sb_printf(b, ", dtype=%s", tfg_dtype_name(dt));
    if (e.node && e.node->device && e.node->device[0])
        tfg_sb_printf(b, ", device=%s", e.node->device);
    tfg_sb_add(b, ")");
}

/* Appends repr() of a graph tensor: <tf.Tensor 'MatMul:0' shape=(1, 1) dtype=float32>. */
static void put_tensor_repr(tfg_sb *b, tfg_endpoint e)
{
    tfg_dtype dt;
    tfg_shape s;
    endpoint_meta(e, &dt, &s);
    tfg_sb_add(b, "<tf.Tensor '");
    put_endpoint_name(b, e);
    tfg_sb_add(b, "' shape=");
    put_shape_str(b, &s);
    tfg_sb_printf(b, " dtype=%s>", tfg_dtype_name(dt));
}

/* Appends a variable as TF 1.x prints it: <tf.Variable 'counter:0' shape=() dtype=int32_ref>. */
static void put_variable(tfg_sb *b, const tfg_node *n)
{
    tfg_endpoint e = {(tfg_node *)n, 0};
    tfg_dtype dt;
    tfg_shape s;
    endpoint_meta(e, &dt, &s);
    tfg_sb_add(b, "<tf.Variable '");
    put_endpoint_name(b, e);
    tfg_sb_add(b, "' shape=");
    put_shape_str(b, &s);
    tfg_sb_printf(b, " dtype=%s_ref>", tfg_dtype_name(dt));
}

/* Appends str() of an operation: its NodeDef in protobuf text format
 * (name, op, inputs with ^control inputs, device; attributes omitted). */
static void put_op_str(tfg_sb *b, const tfg_node *n)
{
    if (!n) {
        tfg_sb_add(b, "<unknown operation>");
        return;
    }
    tfg_sb_printf(b, "name: \"%s\"\n", n->name ? n->name : "");
    tfg_sb_printf(b, "op: \"%s\"\n", n->op && n->op->type ? n->op->type : "");
    for (int i = 0; i < n->ninputs; i++) {
        const tfg_endpoint *in = &n->inputs[i];
        const char *nm = in->node && in->node->name ? in->node->name : "?";
        if (in->index == 0)
            tfg_sb_printf(b, "input: \"%s\"\n", nm);
        else
            tfg_sb_printf(b, "input: \"%s:%d\"\n", nm, in->index);
    }
    for (int i = 0; i < n->ncontrol; i++) {
        const tfg_node *c = n->control[i];
        tfg_sb_printf(b, "input: \"^%s\"\n", c && c->name ? c->name : "?");
    }
    if (n->device && n->device[0])
        tfg_sb_printf(b, "device: \"%s\"\n", n->device);
}

/* Appends repr() of an operation: <tf.Operation 'init' type=NoOp>. */
static void put_op_repr(tfg_sb *b, const tfg_node *n)
{
    tfg_sb_printf(b, "<tf.Operation '%s' type=%s>", n && n->name ? n->name : "?",
                  n && n->op && n->op->type ? n->op->type : "?");
}

/* Appends a module's repr: <module 'tensorflow'>, <module 'tensorflow.nn'>, <module 'numpy'>. */
static void put_module(tfg_sb *b, const char *path)
{
    const char *rest = path;
    const char *full = path;
    if (strncmp(path, "tf", 2) == 0 && (path[2] == '\0' || path[2] == '.')) {
        full = "tensorflow";
        rest = path + 2;
    } else if (strncmp(path, "np", 2) == 0 && (path[2] == '\0' || path[2] == '.')) {
        full = "numpy";
        rest = path + 2;
    } else {
        rest = "";
    }
    tfg_sb_printf(b, "<module '%s%s'>", full, rest);
}

/* Appends a user function's repr: <function name at 0x...> (a fake address
 * derived from its source location, stable from run to run). */
static void put_func(tfg_sb *b, const tfg_funcobj *f)
{
    const tfg_ast *n = f ? f->def : NULL;
    const char *name = n && n->kind == TFG_AST_DEF && n->str ? n->str : "<lambda>";
    unsigned long long addr = 0x7f3a00000000ULL;
    if (n)
        addr += ((unsigned long long)(unsigned)n->loc.line << 12) + (unsigned)n->loc.col * 16u;
    tfg_sb_printf(b, "<function %s at 0x%llx>", name, addr);
}

/* Appends a ConfigProto as protobuf text (the fields that are set). */
static void put_config(tfg_sb *b, const tfg_configobj *c)
{
    if (c && c->soft_placement)
        tfg_sb_add(b, "allow_soft_placement: true\n");
    if (c && c->log_placement)
        tfg_sb_add(b, "log_device_placement: true\n");
}

/* Appends a context manager's repr. */
static void put_ctx(tfg_sb *b, const tfg_ctxobj *c)
{
    switch (c ? c->kind : TFG_CTX_NULL) {
    case TFG_CTX_SCOPE:
        tfg_sb_add(b, "<tensorflow.python.framework.ops.name_scope_v1 object at 0x7f3a10000000>");
        break;
    case TFG_CTX_DEFAULT_SESSION:
        tfg_sb_add(b, "<contextlib._GeneratorContextManager object at 0x7f3a10000040>");
        break;
    default:
        tfg_sb_add(b, "<contextlib._GeneratorContextManager object at 0x7f3a10000080>");
        break;
    }
}

/* Appends a dtype. Its flavour rides in u.e.index, beside the dtype in u.i
 * (api_np*.c and api_tf.c set it): 0 TensorFlow's DType (<dtype: 'float32'>, tf.float32),
 * 1 a numpy dtype object as arr.dtype gives (float32, dtype('float32')),
 * 2 a numpy scalar type as np.float32 names it (<class 'numpy.float32'>),
 * 3 a TF1 variable's reference dtype (<dtype: 'float32_ref'>). */
static void put_dtype(tfg_sb *b, tfg_val v, bool repr)
{
    const char *name = tfg_dtype_name((tfg_dtype)v.u.i);
    switch (v.u.e.index) {
    case 1:
        tfg_sb_printf(b, repr ? "dtype('%s')" : "%s", name);
        break;
    case 2:
        tfg_sb_printf(b, "<class 'numpy.%s'>", name);
        break;
    case 3:   /* a TF1 variable's reference dtype */
        tfg_sb_printf(b, repr ? "tf.%s_ref" : "<dtype: '%s_ref'>", name);
        break;
    default:
        tfg_sb_printf(b, repr ? "tf.%s" : "<dtype: '%s'>", name);
        break;
    }
}

/* Appends the items of a list or tuple between open and close. */
static void put_seq(tfg_sb *b, const tfg_list *l, bool tuple, const print_chain *chain)
{
    for (const print_chain *c = chain; c; c = c->up) {
        if (c->p == l) {
            tfg_sb_add(b, tuple ? "(...)" : "[...]");
            return;
        }
    }
    int depth = chain ? chain->depth + 1 : 1;
    if (depth > VAL_PRINT_MAX_DEPTH) {
        tfg_sb_add(b, tuple ? "(...)" : "[...]");
        return;
    }
    print_chain me = {l, chain, depth};
    tfg_sb_add(b, tuple ? "(" : "[");
    for (int i = 0; i < l->n && !b->oom; i++) {
        if (i)
            tfg_sb_add(b, ", ");
        put_val(b, l->items[i], true, &me);
    }
    if (tuple && l->n == 1)
        tfg_sb_add(b, ",");
    tfg_sb_add(b, tuple ? ")" : "]");
}

/* Appends a dict: {'a': 1, 'b': [2]}. */
static void put_dict(tfg_sb *b, const tfg_dict *d, const print_chain *chain)
{
    for (const print_chain *c = chain; c; c = c->up) {
        if (c->p == d) {
            tfg_sb_add(b, "{...}");
            return;
        }
    }
    int depth = chain ? chain->depth + 1 : 1;
    if (depth > VAL_PRINT_MAX_DEPTH) {
        tfg_sb_add(b, "{...}");
        return;
    }
    print_chain me = {d, chain, depth};
    tfg_sb_add(b, "{");
    for (int i = 0; i < d->n && !b->oom; i++) {
        if (i)
            tfg_sb_add(b, ", ");
        put_val(b, d->keys[i], true, &me);
        tfg_sb_add(b, ": ");
        put_val(b, d->vals[i], true, &me);
    }
    tfg_sb_add(b, "}");
}

/* Appends str() (repr false) or repr() (repr true) of v. */
static void put_val(tfg_sb *b, tfg_val v, bool repr, const print_chain *chain)
{
    switch (v.t) {
    case TFG_V_MISSING:
        tfg_sb_add(b, "<missing>");
        break;
    case TFG_V_NONE:
        tfg_sb_add(b, "None");
        break;
    case TFG_V_BOOL:
        tfg_sb_add(b, v.u.i ? "True" : "False");
        break;
    case TFG_V_INT:
        tfg_sb_printf(b, "%" PRId64, v.u.i);
        break;
    case TFG_V_FLOAT:
        put_float(b, v.u.f);
        break;
    case TFG_V_STR: {
        const tfg_str *s = v.u.p;
        if (repr)
            put_str_repr(b, s->s, s->len);
        else
            tfg_sb_addn(b, s->s, s->len);
        break;
    }
    case TFG_V_LIST:
        put_seq(b, v.u.p, false, chain);
        break;
    case TFG_V_TUPLE:
        put_seq(b, v.u.p, true, chain);
        break;
    case TFG_V_DICT:
        put_dict(b, v.u.p, chain);
        break;
    case TFG_V_ARRAY:
        put_owned(b, repr ? tfg_print_repr(v.u.p) : tfg_print_str(v.u.p));
        break;
    case TFG_V_TENSOR:
        if (repr)
            put_tensor_repr(b, v.u.e);
        else
            put_tensor_str(b, v.u.e);
        break;
    case TFG_V_OP:
        if (repr)
            put_op_repr(b, v.u.e.node);
        else
            put_op_str(b, v.u.e.node);
        break;
    case TFG_V_VARIABLE:
        put_variable(b, v.u.e.node);
        break;
    case TFG_V_DTYPE:
        put_dtype(b, v, repr);
        break;
    case TFG_V_SHAPE:
        if (repr)
            put_shape_repr(b, &((tfg_shapeobj *)v.u.p)->shape);
        else
            put_shape_str(b, &((tfg_shapeobj *)v.u.p)->shape);
        break;
    case TFG_V_MODULE:
        put_module(b, ((tfg_str *)v.u.p)->s);
        break;
    case TFG_V_BUILTIN: {
        const tfg_builtinobj *f = v.u.p;
        const char *name = f->def && f->def->name ? f->def->name : "?";
        if (f->self.t == TFG_V_MISSING)
            tfg_sb_printf(b, "<built-in function %s>", name);
        else
            tfg_sb_printf(b, "<built-in method %s of %s object>", name,
                          tfg_val_type_name(f->self));
        break;
    }
    case TFG_V_FUNC:
        put_func(b, v.u.p);
        break;
    case TFG_V_SESSION: {
        const tfg_sessobj *s = v.u.p;
        tfg_sb_printf(b, "<tensorflow.python.client.session.%s object at 0x7f3a20000000>",
                      s->interactive ? "InteractiveSession" : "Session");
        break;
    }
    case TFG_V_CTX:
        put_ctx(b, v.u.p);
        break;
    case TFG_V_CONFIG:
        put_config(b, v.u.p);
        break;
    case TFG_V_OBJECT: {
        const tfg_objectobj *o = v.u.p;
        tfg_sb_printf(b, "<%s.%s object at 0x7f3a40000000>", o->cls->module ? o->cls->module : "tensorflow",
                      o->cls->name);
        break;
    }
    case TFG_V_GRAPH:
        tfg_sb_add(b, "<tensorflow.python.framework.ops.Graph object at 0x7f3a30000000>");
        break;
    case TFG_V_RANGE: {
        const tfg_list *l = v.u.p;
        int64_t start = l->n > 0 ? l->items[0].u.i : 0;
        int64_t stop = l->n > 1 ? l->items[1].u.i : 0;
        int64_t step = l->n > 2 ? l->items[2].u.i : 1;
        if (step == 1)
            tfg_sb_printf(b, "range(%" PRId64 ", %" PRId64 ")", start, stop);
        else
            tfg_sb_printf(b, "range(%" PRId64 ", %" PRId64 ", %" PRId64 ")", start, stop, step);
        break;
    }
    case TFG_V_SLICE: {
        const tfg_list *l = v.u.p;
        tfg_sb_add(b, "slice(");
        for (int i = 0; i < 3; i++) {
            if (i)
                tfg_sb_add(b, ", ");
            if (i < l->n)
                put_val(b, l->items[i], true, chain);
            else
                tfg_sb_add(b, "None");
        }
        tfg_sb_add(b, ")");
        break;
    }
    case TFG_V_UNKNOWN:
        tfg_sb_add(b, "<unknown>");
        break;
    default:
        tfg_sb_add(b, "<object>");
        break;
    }
}

/* Appends Python's str(v) to b (numpy str for arrays). */
void tfg_val_str_into(tfg_sb *b, tfg_val v)
{
    put_val(b, v, false, NULL);
}

/* Appends Python's repr(v) to b (numpy repr for arrays). */
void tfg_val_repr_into(tfg_sb *b, tfg_val v)
{
    put_val(b, v, true, NULL);
}
