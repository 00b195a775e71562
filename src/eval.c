/* eval.c — the tree-walking evaluator: environments, statements, expressions,
 * calls and argument binding, conversion of host values to tensors, and
 * session runs with fetch/feed structures. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eval.h"
#include "../runtime/print.h"

#define MAX_DEPTH 200

/* ---- environments: name -> value (open addressing) ----------------------- */
struct tfg_env {
    char **keys;
    tfg_val *vals;
    size_t cap, n;
};

/* FNV-1a. */
static size_t env_hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Slot for key. */
static size_t env_slot(const tfg_env *e, const char *key)
{
    size_t i = env_hash(key) & (e->cap - 1);
    while (e->keys[i] && strcmp(e->keys[i], key) != 0) i = (i + 1) & (e->cap - 1);
    return i;
}

/* New empty environment. */
static tfg_env *env_new(void)
{
    tfg_env *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->cap = 64;
    e->keys = calloc(e->cap, sizeof *e->keys);
    e->vals = calloc(e->cap, sizeof *e->vals);
    if (!e->keys || !e->vals) { free(e->keys); free(e->vals); free(e); return NULL; }
    return e;
}

/* Frees an environment and drops its values. */
static void env_free(tfg_env *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->cap; i++)
        if (e->keys[i]) { free(e->keys[i]); tfg_val_decref(e->vals[i]); }
    free(e->keys);
    free(e->vals);
    free(e);
}

/* Borrowed value of name, or NULL. */
static tfg_val *env_get(tfg_env *e, const char *key)
{
    size_t i = env_slot(e, key);
    return e->keys[i] ? &e->vals[i] : NULL;
}

/* Binds name to v (takes over v's reference). -1 on OOM (v is dropped). */
static int env_set(tfg_env *e, const char *key, tfg_val v)
{
    if ((e->n + 1) * 2 > e->cap) {
        tfg_env ne = { calloc(e->cap * 2, sizeof(char *)), calloc(e->cap * 2, sizeof(tfg_val)),
                       e->cap * 2, e->n };
        if (!ne.keys || !ne.vals) { free(ne.keys); free(ne.vals); tfg_val_decref(v); return -1; }
        for (size_t i = 0; i < e->cap; i++)
            if (e->keys[i]) {
                size_t j = env_slot(&ne, e->keys[i]);
                ne.keys[j] = e->keys[i];
                ne.vals[j] = e->vals[i];
            }
        free(e->keys);
        free(e->vals);
        *e = ne;
    }
    size_t i = env_slot(e, key);
    if (e->keys[i]) {
        tfg_val_decref(e->vals[i]);
        e->vals[i] = v;
        return 0;
    }
    e->keys[i] = strdup(key);
    if (!e->keys[i]) { tfg_val_decref(v); return -1; }
    e->vals[i] = v;
    e->n++;
    return 0;
}

/* ---- life cycle ---------------------------------------------------------------- */
tfg_eval *tfg_eval_new(const tfg_source *src, const tfg_eval_opts *opts)
{
    tfg_eval *ev = calloc(1, sizeof *ev);
    if (!ev) return NULL;
    ev->src = src;
    if (opts) ev->opts = *opts;
    if (ev->opts.dry) ev->opts.quiet = true;   /* a build-only run prints nothing of the script's */
    ev->g = tfg_graph_new();
    ev->globals = env_new();
    ev->out = stdout;
    ev->interactive = tfg_val_none();
    ev->retval = tfg_val_none();
    if (!ev->g || !ev->globals) { tfg_eval_free(ev); return NULL; }
    if (ev->opts.default_device && *ev->opts.default_device) {
        tfg_error e;
        if (tfg_graph_push_device(ev->g, ev->opts.default_device, &e)) {
            tfg_eval_error(ev, (tfg_loc){0, 0, 0}, "%s", e.msg);
        }
    }
    return ev;
}

void tfg_eval_free(tfg_eval *ev)
{
    if (!ev) return;
    env_free(ev->globals);
    for (int i = 0; i < ev->ndefaults; i++) tfg_val_decref(ev->defaults[i]);
    free(ev->defaults);
    tfg_val_decref(ev->interactive);
    tfg_val_decref(ev->retval);
    tfg_graph_free(ev->g);
    free(ev);
}

int tfg_eval_error(tfg_eval *ev, tfg_loc loc, const char *fmt, ...)
{
    if (ev->failed) return -1;
    ev->failed = true;
    ev->loc = loc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->msg, sizeof ev->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void tfg_eval_print_error(tfg_eval *ev, FILE *out)
{
    tfg_diag_error(out, ev->src, ev->loc, "%s", ev->msg);
}

tfg_val *tfg_eval_global(tfg_eval *ev, const char *name)
{
    return env_get(ev->globals, name);
}

/* ---- argument binding ---------------------------------------------------------- */
int tfg_eval_bind(tfg_eval *ev, tfg_args *a, const char *fname, const char *spec, tfg_val *out)
{
    char names[32][40];
    bool required[32], star[32];
    int np = 0;
    const char *p = spec;
    while (*p && np < 32) {
        const char *e = p;
        while (*e && *e != ',') e++;
        size_t l = (size_t)(e - p);
        star[np] = (l && p[0] == '*');
        if (star[np]) { p++; l--; }
        required[np] = !(l && p[l - 1] == '=') && !star[np];
        if (l && p[l - 1] == '=') l--;
        if (l >= sizeof names[0]) l = sizeof names[0] - 1;
        memcpy(names[np], p, l);
        names[np][l] = 0;
        np++;
        p = *e ? e + 1 : e;
    }
    for (int i = 0; i < np; i++) out[i].t = TFG_V_MISSING;
    int starpos = -1;
    for (int i = 0; i < np; i++) if (star[i]) starpos = i;
    int maxpos = starpos >= 0 ? starpos : np;
    int i;
    for (i = 0; i < a->npos && i < maxpos; i++) out[i] = a->pos[i];
    if (starpos >= 0) {
        tfg_val t = tfg_val_list_new(TFG_V_TUPLE, a->npos);
        if (t.t == TFG_V_MISSING) return tfg_eval_error(ev, a->loc, "out of memory");
        for (; i < a->npos; i++) tfg_val_list_append(t, tfg_val_incref(a->pos[i]));
        out[starpos] = t;
    } else if (a->npos > maxpos) {
        int nreq = 0;
        for (int k = 0; k < np; k++) nreq += required[k];
        if (nreq == maxpos)
            return tfg_eval_error(ev, a->loc, "%s() takes %d positional argument%s but %d %s given",
                                  fname, maxpos, maxpos == 1 ? "" : "s", a->npos,
                                  a->npos == 1 ? "was" : "were");
        return tfg_eval_error(ev, a->loc, "%s() takes from %d to %d positional arguments but %d were given",
                              fname, nreq, maxpos, a->npos);
    }
    for (int k = 0; k < a->nkw; k++) {
        int j;
        for (j = 0; j < np; j++)
            if (!star[j] && strcmp(names[j], a->kwnames[k]) == 0) break;
        if (j == np) {
            if (starpos >= 0) tfg_val_decref(out[starpos]);
            return tfg_eval_error(ev, a->loc, "%s() got an unexpected keyword argument '%s'", fname,
                                  a->kwnames[k]);
        }
        if (out[j].t != TFG_V_MISSING) {
            if (starpos >= 0) tfg_val_decref(out[starpos]);
            return tfg_eval_error(ev, a->loc, "%s() got multiple values for argument '%s'", fname,
                                  names[j]);
        }
        out[j] = a->kw[k];
    }
    int nmiss = 0;
    char miss[1600] = "";
    for (int k = 0; k < np; k++)
        if (required[k] && out[k].t == TFG_V_MISSING) nmiss++;
    if (nmiss) {
        int seen = 0;
        for (int k = 0; k < np; k++) {
            if (!(required[k] && out[k].t == TFG_V_MISSING)) continue;
            size_t l = strlen(miss);
            snprintf(miss + l, sizeof miss - l, "%s'%.40s'", seen == 0 ? "" : seen == nmiss - 1 ? (nmiss > 2 ? ", and " : " and ") : ", ",
                     names[k]);
            seen++;
        }
        if (starpos >= 0) tfg_val_decref(out[starpos]);
        return tfg_eval_error(ev, a->loc, "%s() missing %d required positional argument%s: %s", fname, nmiss,
                              nmiss == 1 ? "" : "s", miss);
    }
    return 0;
}

/* ---- truth, iteration ------------------------------------------------------------- */
int tfg_eval_truth(tfg_eval *ev, tfg_val v, tfg_loc loc, bool *out)
{
    switch (v.t) {
    case TFG_V_NONE: *out = false; return 0;
    case TFG_V_BOOL: case TFG_V_INT: *out = v.u.i != 0; return 0;
    case TFG_V_FLOAT: *out = v.u.f != 0; return 0;
    case TFG_V_STR: *out = tfg_val_as_str(v)->len != 0; return 0;
    case TFG_V_LIST: case TFG_V_TUPLE: *out = tfg_val_as_list(v)->n != 0; return 0;
    case TFG_V_DICT: *out = tfg_val_as_dict(v)->n != 0; return 0;
    case TFG_V_ARRAY: {
        tfg_tensor *t = tfg_val_as_array(v);
        if (t->size != 1)
            return tfg_eval_error(ev, loc, "The truth value of an array with more than one element is "
                                           "ambiguous. Use a.any() or a.all()");
        *out = tfg_tensor_get_f(t, 0) != 0;
        return 0;
    }
    case TFG_V_TENSOR: case TFG_V_VARIABLE:
        return tfg_eval_error(ev, loc, "Using a `tf.Tensor` as a Python `bool` is not allowed in Graph "
                                       "execution. Use Eager execution or decorate this function with @tf.function.");
    case TFG_V_UNKNOWN: *out = false; return 0;
    default: *out = true; return 0;
    }
}

/* Copies n borrowed values into a new array of new references (*items). */
static int items_of(tfg_eval *ev, tfg_loc loc, const tfg_val *src, int n, tfg_val **items, int *count)
{
    *items = malloc(sizeof **items * ((size_t)n + 1));
    if (!*items) return tfg_eval_error(ev, loc, "out of memory");
    for (int i = 0; i < n; i++) (*items)[i] = tfg_val_incref(src[i]);
    *count = n;
    return 0;
}

int tfg_eval_iter(tfg_eval *ev, tfg_val v, tfg_loc loc, tfg_val **items, int *n)
{
    *items = NULL;
    *n = 0;
    switch (v.t) {
    case TFG_V_LIST: case TFG_V_TUPLE:
        return items_of(ev, loc, tfg_val_as_list(v)->items, tfg_val_as_list(v)->n, items, n);
    case TFG_V_RANGE: {
        tfg_list *l = tfg_val_as_list(v);
        int64_t start = l->items[0].u.i, stop = l->items[1].u.i, step = l->items[2].u.i;
        int64_t cnt = 0;
        if (step > 0 && stop > start) cnt = (stop - start + step - 1) / step;
        if (step < 0 && stop < start) cnt = (start - stop - step - 1) / (-step);
        if (cnt > 100000000) return tfg_eval_error(ev, loc, "range too large to iterate");
        *items = malloc(sizeof **items * (size_t)(cnt + 1));
        if (!*items) return tfg_eval_error(ev, loc, "out of memory");
        for (int64_t i = 0; i < cnt; i++) (*items)[i] = tfg_val_int(start + i * step);
        *n = (int)cnt;
        return 0;
    }
    case TFG_V_DICT:
        return items_of(ev, loc, tfg_val_as_dict(v)->keys, tfg_val_as_dict(v)->n, items, n);
    case TFG_V_STR: {
        tfg_str *s = tfg_val_as_str(v);
        *items = malloc(sizeof **items * (s->len + 1));
        if (!*items) return tfg_eval_error(ev, loc, "out of memory");
        for (size_t i = 0; i < s->len; i++) (*items)[i] = tfg_val_str(s->s + i, 1);
        *n = (int)s->len;
        return 0;
    }
    case TFG_V_ARRAY: {
        tfg_tensor *t = tfg_val_as_array(v);
        if (t->rank == 0) return tfg_eval_error(ev, loc, "iteration over a 0-d array");
        *items = malloc(sizeof **items * (size_t)(t->shape[0] + 1));
        if (!*items) return tfg_eval_error(ev, loc, "out of memory");
        for (int64_t i = 0; i < t->shape[0]; i++) {
            tfg_val row;
            int rc = tfg_api_py_subscript(ev, v, tfg_val_int(i), loc, &row);
            if (rc) {
                for (int64_t j = 0; j < i; j++) tfg_val_decref((*items)[j]);
                free(*items);
                *items = NULL;
                return rc < 0 ? -1 : tfg_eval_error(ev, loc, "cannot index array");
            }
            (*items)[i] = row;
        }
        *n = (int)t->shape[0];
        return 0;
    }
    case TFG_V_SHAPE: {   /* a TensorShape iterates over its dims (None when unknown) */
        const tfg_shape *s = &((tfg_shapeobj *)v.u.p)->shape;
        if (s->rank < 0)
            return tfg_eval_error(ev, loc, "Cannot iterate over a shape with unknown rank.");
        *items = malloc(sizeof **items * (size_t)(s->rank + 1));
        if (!*items) return tfg_eval_error(ev, loc, "out of memory");
        for (int i = 0; i < s->rank; i++) (*items)[i] = s->dim[i] < 0 ? tfg_val_none() : tfg_val_int(s->dim[i]);
        *n = s->rank;
        return 0;
    }
    case TFG_V_UNKNOWN:
        return 0;
    case TFG_V_TENSOR: case TFG_V_VARIABLE:
        return tfg_eval_error(ev, loc, "Tensor objects are only iterable when eager execution is enabled. "
                                       "To iterate over this tensor use tf.map_fn.");
    default:
        return tfg_eval_error(ev, loc, "'%s' object is not iterable", tfg_val_type_name(v));
    }
}

/* ---- conversions ---------------------------------------------------------------- */
int tfg_eval_natural_dtype(tfg_val v)
{
    switch (v.t) {
    case TFG_V_BOOL: return TFG_BOOL;
    case TFG_V_INT: return TFG_INT32;
    case TFG_V_FLOAT: return TFG_FLOAT32;
    case TFG_V_ARRAY: return (int)tfg_val_as_array(v)->dtype;
    case TFG_V_TENSOR: return (int)v.u.e.node->out_dtype[v.u.e.index];
    case TFG_V_VARIABLE: return (int)v.u.e.node->out_dtype[0];
    case TFG_V_LIST: case TFG_V_TUPLE: {
        tfg_list *l = tfg_val_as_list(v);
        int best = -1;
        for (int i = 0; i < l->n; i++) {
            int d = tfg_eval_natural_dtype(l->items[i]);
            if (d < 0) return -1;
            if (best < 0 || d == TFG_FLOAT32 || d == TFG_FLOAT64 ||
                (best == TFG_BOOL && d != TFG_BOOL)) {
                if (!(best == TFG_FLOAT64 && d == TFG_FLOAT32)) best = d;
            }
        }
        return best < 0 ? TFG_FLOAT32 : best;
    }
    default: return -1;
    }
}

/* Walks a nested list to find its shape; -1 when ragged or not numeric. */
static int nested_shape(tfg_val v, int depth, int *rank, int64_t *shape, bool *ragged)
{
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        if (depth >= TFG_MAX_RANK) return -1;
        if (depth >= *rank) {
            if (depth > *rank) { *ragged = true; return 0; }
            shape[depth] = l->n;
            (*rank)++;
        } else if (shape[depth] != l->n) {
            *ragged = true;
            return 0;
        }
        for (int i = 0; i < l->n; i++)
            if (nested_shape(l->items[i], depth + 1, rank, shape, ragged)) return -1;
        if (l->n == 0 && depth + 1 < *rank) *ragged = true;
        return 0;
    }
    if (v.t == TFG_V_ARRAY) {
        tfg_tensor *t = tfg_val_as_array(v);
        for (int k = 0; k < t->rank; k++) {
            int d = depth + k;
            if (d >= TFG_MAX_RANK) return -1;
            if (d >= *rank) {
                if (d > *rank) { *ragged = true; return 0; }
                shape[d] = t->shape[k];
                (*rank)++;
            } else if (shape[d] != t->shape[k]) {
                *ragged = true;
                return 0;
            }
        }
        if (depth + t->rank < *rank) *ragged = true;
        return 0;
    }
    if (v.t == TFG_V_BOOL || v.t == TFG_V_INT || v.t == TFG_V_FLOAT) {
        if (depth < *rank) *ragged = true;
        return 0;
    }
    return -1;
}

/* Writes the leaves of a nested list into t from index *pos; -1 (error set)
 * when strict conversion loses information. */
static int fill_nested(tfg_eval *ev, tfg_val v, tfg_tensor *t, int64_t *pos, bool strict, tfg_loc loc)
{
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        for (int i = 0; i < l->n; i++)
            if (fill_nested(ev, l->items[i], t, pos, strict, loc)) return -1;
        return 0;
    }
    if (v.t == TFG_V_ARRAY) {
        tfg_tensor *a = tfg_val_as_array(v);
        for (int64_t i = 0; i < a->size; i++) {
            if (tfg_dtype_is_float(a->dtype)) tfg_tensor_set_f(t, (*pos)++, tfg_tensor_get_f(a, i));
            else tfg_tensor_set_i(t, (*pos)++, tfg_tensor_get_i(a, i));
        }
        return 0;
    }
    if (v.t == TFG_V_FLOAT) {
        if (strict && !tfg_dtype_is_float(t->dtype)) {
            char b[40];
            tfg_print_pyfloat(v.u.f, b, sizeof b);
            return tfg_eval_error(ev, loc, "Expected %s, but got %s of type 'float'.",
                                  tfg_dtype_name(t->dtype), b);
        }
        tfg_tensor_set_f(t, (*pos)++, v.u.f);
        return 0;
    }
    if (strict && v.t == TFG_V_INT && t->dtype == TFG_BOOL)
        return tfg_eval_error(ev, loc, "Expected bool, but got %lld of type 'int'.", (long long)v.u.i);
    if (strict && v.t == TFG_V_INT && t->dtype == TFG_INT32 && (v.u.i > INT32_MAX || v.u.i < INT32_MIN))
        return tfg_eval_error(ev, loc, "Can't convert Python int %lld to an int32 tensor (out of range).",
                              (long long)v.u.i);
    tfg_tensor_set_i(t, (*pos)++, v.u.i);
    return 0;
}

int tfg_eval_to_host(tfg_eval *ev, tfg_val v, int dtype_hint, bool strict, tfg_loc loc,
                     tfg_tensor **out)
{
    *out = NULL;
    if (v.t == TFG_V_ARRAY) {
        tfg_tensor *a = tfg_val_as_array(v);
        if (dtype_hint < 0 || (tfg_dtype)dtype_hint == a->dtype) {
            *out = tfg_tensor_ref(a);
            return 0;
        }
        if (strict && tfg_dtype_is_float(a->dtype) && !tfg_dtype_is_float((tfg_dtype)dtype_hint))
            return tfg_eval_error(ev, loc, "Expected %s, but got an array of dtype %s.",
                                  tfg_dtype_name((tfg_dtype)dtype_hint), tfg_dtype_name(a->dtype));
        tfg_error e;
        if (tfg_k_cast(a, (tfg_dtype)dtype_hint, out, &e)) return tfg_eval_error(ev, loc, "%s", e.msg);
        return 0;
    }
    int rank = 0;
    int64_t shape[TFG_MAX_RANK];
    bool ragged = false;
    if (nested_shape(v, 0, &rank, shape, &ragged))
        return tfg_eval_error(ev, loc, "Attempt to convert a value (%s) with an unsupported type to a Tensor.",
                              tfg_val_type_name(v));
    if (ragged)
        return tfg_eval_error(ev, loc, "Can't convert non-rectangular Python sequence to Tensor.");
    int dt = dtype_hint >= 0 ? dtype_hint : tfg_eval_natural_dtype(v);
    if (dt < 0) dt = TFG_FLOAT32;
    tfg_error e;
    tfg_tensor *t = tfg_tensor_new((tfg_dtype)dt, rank, shape, &e);
    if (!t) return tfg_eval_error(ev, loc, "%s", e.msg);
    int64_t pos = 0;
    if (fill_nested(ev, v, t, &pos, strict, loc)) { tfg_tensor_unref(t); return -1; }
    *out = t;
    return 0;
}

tfg_node *tfg_eval_node(tfg_eval *ev, const char *type, const char *name,
                        const tfg_endpoint *inputs, int n, const tfg_attrs *attrs, tfg_loc loc)
{
    tfg_error e;
    tfg_node *nd = tfg_graph_add_op(ev->g, type, name, inputs, n, attrs, loc, &e);
    if (!nd) tfg_eval_error(ev, loc, "%s", e.msg);
    return nd;
}

int tfg_eval_to_tensor(tfg_eval *ev, tfg_val v, int dtype_hint, const char *name, tfg_loc loc,
                       tfg_endpoint *out)
{
    if (v.t == TFG_V_TENSOR || v.t == TFG_V_VARIABLE) {
        tfg_endpoint e = v.u.e;
        if (v.t == TFG_V_VARIABLE && v.u.e.node->read) {   /* the variable's snapshot NAME/read */
            e.node = v.u.e.node->read;
            e.index = 0;
        }
        tfg_dtype dt = e.node->out_dtype[e.index];
        if (dtype_hint >= 0 && (tfg_dtype)dtype_hint != dt)
            return tfg_eval_error(ev, loc, "Tensor conversion requested dtype %s for Tensor with dtype %s: "
                                           "'Tensor(\"%s:%d\", dtype=%s)'",
                                  tfg_dtype_name((tfg_dtype)dtype_hint), tfg_dtype_name(dt), e.node->name,
                                  e.index, tfg_dtype_name(dt));
        *out = e;
        return 0;
    }
    if (v.t == TFG_V_OP)
        return tfg_eval_error(ev, loc, "Can not convert an Operation (%s) into a Tensor.", v.u.e.node->name);
    tfg_tensor *t;
    if (tfg_eval_to_host(ev, v, dtype_hint, true, loc, &t)) return -1;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.value = t;
    at.dtype = t->dtype;
    tfg_node *n = tfg_eval_node(ev, "Const", name ? name : "Const", NULL, 0, &at, loc);
    tfg_tensor_unref(t);
    if (!n) return -1;
    out->node = n;
    out->index = 0;
    return 0;
}

/* ---- sessions -------------------------------------------------------------------- */
tfg_val tfg_eval_default_session(tfg_eval *ev)
{
    if (ev->ndefaults) return ev->defaults[ev->ndefaults - 1];
    if (ev->interactive.t == TFG_V_SESSION) return ev->interactive;
    tfg_val m = { .t = TFG_V_MISSING };
    return m;
}

/* Fetch collection for one run. */
typedef struct {
    tfg_endpoint *eps;
    int n, cap;
    tfg_node **targets;
    int nt, capt;
} fetchset;

/* Resolves a string fetch/feed key ("MatMul:0", "init") to a graph element. */
static int resolve_name(tfg_eval *ev, const char *s, tfg_loc loc, tfg_val *out)
{
    tfg_endpoint e;
    if (strchr(s, ':')) {
        if (tfg_graph_find_endpoint(ev->g, s, &e) == 0 && e.node->noutputs > 0) {
            *out = tfg_val_tensor(e);
            return 0;
        }
        return tfg_eval_error(ev, loc, "The name '%s' refers to a Tensor which does not exist. "
                                       "The operation, '%.*s', does not exist in the graph.",
                              s, (int)(strrchr(s, ':') - s), s);
    }
    tfg_node *n = tfg_graph_find(ev->g, s);
    if (!n) return tfg_eval_error(ev, loc, "The name '%s' refers to an Operation not in the graph.", s);
    *out = tfg_val_op(n);
    return 0;
}

/* Adds the graph elements of a fetch structure to fs. */
static int collect_fetches(tfg_eval *ev, tfg_val f, fetchset *fs, tfg_loc loc, int depth)
{
    if (depth > 64) return tfg_eval_error(ev, loc, "fetch structure nested too deeply");
    switch (f.t) {
    case TFG_V_TENSOR: case TFG_V_VARIABLE: {
        if (fs->n == fs->cap) {
            int nc = fs->cap ? fs->cap * 2 : 8;
            tfg_endpoint *p = realloc(fs->eps, sizeof *p * (size_t)nc);
            if (!p) return tfg_eval_error(ev, loc, "out of memory");
            fs->eps = p;
            fs->cap = nc;
        }
        fs->eps[fs->n++] = f.u.e;
        return 0;
    }
    case TFG_V_OP: {
        if (fs->nt == fs->capt) {
            int nc = fs->capt ? fs->capt * 2 : 8;
            tfg_node **p = realloc(fs->targets, sizeof *p * (size_t)nc);
            if (!p) return tfg_eval_error(ev, loc, "out of memory");
            fs->targets = p;
            fs->capt = nc;
        }
        fs->targets[fs->nt++] = f.u.e.node;
        return 0;
    }
    case TFG_V_LIST: case TFG_V_TUPLE: {
        tfg_list *l = tfg_val_as_list(f);
        for (int i = 0; i < l->n; i++)
            if (collect_fetches(ev, l->items[i], fs, loc, depth + 1)) return -1;
        return 0;
    }
    case TFG_V_DICT: {
        tfg_dict *d = tfg_val_as_dict(f);
        for (int i = 0; i < d->n; i++)
            if (collect_fetches(ev, d->vals[i], fs, loc, depth + 1)) return -1;
        return 0;
    }
    case TFG_V_STR: {
        tfg_val r;
        if (resolve_name(ev, tfg_val_as_str(f)->s, loc, &r)) return -1;
        int rc = collect_fetches(ev, r, fs, loc, depth + 1);
        tfg_val_decref(r);
        return rc;
    }
    default:
        return tfg_eval_error(ev, loc, "Fetch argument %s has invalid type %s, must be a string or Tensor. "
                                       "(Can not convert a %s into a Tensor or Operation.)",
                              f.t == TFG_V_NONE ? "None" : "value", tfg_val_type_name(f), tfg_val_type_name(f));
    }
}

/* Rebuilds the fetch structure with results (ti: next tensor result). */
static int rebuild(tfg_eval *ev, tfg_val f, tfg_tensor **res, int *ti, tfg_val *out)
{
    switch (f.t) {
    case TFG_V_TENSOR: case TFG_V_VARIABLE:
        if (ev->opts.dry) { (*ti)++; out->t = TFG_V_UNKNOWN; return 0; }
        *out = tfg_val_array(tfg_tensor_ref(res[(*ti)++]));
        return 0;
    case TFG_V_OP:
        *out = tfg_val_none();
        return 0;
    case TFG_V_STR: {
        tfg_val r;
        if (resolve_name(ev, tfg_val_as_str(f)->s, ev->loc, &r)) return -1;
        int rc = rebuild(ev, r, res, ti, out);
        tfg_val_decref(r);
        return rc;
    }
    case TFG_V_LIST: case TFG_V_TUPLE: {
        tfg_list *l = tfg_val_as_list(f);
        tfg_val nl = tfg_val_list_new(f.t, l->n);
        for (int i = 0; i < l->n; i++) {
            tfg_val item;
            if (rebuild(ev, l->items[i], res, ti, &item)) { tfg_val_decref(nl); return -1; }
            tfg_val_list_append(nl, item);
        }
        *out = nl;
        return 0;
    }
    case TFG_V_DICT: {
        tfg_dict *d = tfg_val_as_dict(f);
        tfg_val nd = tfg_val_dict_new();
        for (int i = 0; i < d->n; i++) {
            tfg_val item;
            if (rebuild(ev, d->vals[i], res, ti, &item)) { tfg_val_decref(nd); return -1; }
            tfg_val_dict_set(nd, tfg_val_incref(d->keys[i]), item);
        }
        *out = nd;
        return 0;
    }
    default:
        *out = tfg_val_none();
        return 0;
    }
}

/* Resolves a feed key to the endpoint it replaces. */
static int feed_target(tfg_eval *ev, tfg_val k, tfg_loc loc, tfg_endpoint *out)
{
    if (k.t == TFG_V_TENSOR || k.t == TFG_V_VARIABLE) { *out = k.u.e; return 0; }
    if (k.t == TFG_V_STR) {
        const char *s = tfg_val_as_str(k)->s;
        if (tfg_graph_find_endpoint(ev->g, s, out) == 0 && out->node->noutputs > 0) return 0;
        return tfg_eval_error(ev, loc, "The name '%s' refers to a Tensor which does not exist.", s);
    }
    return tfg_eval_error(ev, loc, "Cannot interpret feed_dict key as Tensor: Can not convert a %s into a Tensor.",
                          tfg_val_type_name(k));
}

int tfg_eval_session_run(tfg_eval *ev, tfg_val sess, tfg_val fetches, tfg_val feed_dict,
                         tfg_loc loc, tfg_val *out)
{
    if (sess.t != TFG_V_SESSION) return tfg_eval_error(ev, loc, "not a session");
    tfg_sessobj *so = sess.u.p;
    if (!so->s && !ev->opts.dry) return tfg_eval_error(ev, loc, "Attempted to use a closed Session.");
    fetchset fs = { 0 };
    tfg_feed *feeds = NULL;
    int nfeeds = 0, rc = -1;
    tfg_tensor **res = NULL;
    if (collect_fetches(ev, fetches, &fs, loc, 0)) goto done;
    if (feed_dict.t == TFG_V_DICT) {
        tfg_dict *d = tfg_val_as_dict(feed_dict);
        feeds = calloc((size_t)d->n + 1, sizeof *feeds);
        if (!feeds) { tfg_eval_error(ev, loc, "out of memory"); goto done; }
        for (int i = 0; i < d->n; i++) {
            tfg_endpoint t;
            if (feed_target(ev, d->keys[i], loc, &t)) goto done;
            tfg_dtype dt = t.node->out_dtype[t.index];
            if (d->vals[i].t == TFG_V_TENSOR || d->vals[i].t == TFG_V_VARIABLE) {
                tfg_eval_error(ev, loc, "The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                                        "values include Python scalars, strings, lists, numpy ndarrays, or TensorHandles.");
                goto done;
            }
            if (d->vals[i].t == TFG_V_UNKNOWN && ev->opts.dry) continue;
            if (tfg_eval_to_host(ev, d->vals[i], (int)dt, false, loc, &feeds[nfeeds].value)) goto done;
            feeds[nfeeds].target = t;
            nfeeds++;
        }
    } else if (feed_dict.t != TFG_V_NONE && feed_dict.t != TFG_V_MISSING) {
        tfg_eval_error(ev, loc, "feed_dict must be a dictionary, not %s", tfg_val_type_name(feed_dict));
        goto done;
    }
    res = calloc((size_t)fs.n + 1, sizeof *res);
    if (!res) { tfg_eval_error(ev, loc, "out of memory"); goto done; }
    if (!ev->opts.dry) {
        tfg_error e;
        if (tfg_session_run(so->s, fs.eps, fs.n, fs.targets, fs.nt, feeds, nfeeds, res, &e)) {
            tfg_eval_error(ev, loc, "%s", e.msg);
            goto done;
        }
    }
    int ti = 0;
    tfg_loc saved = ev->loc;
    ev->loc = loc;
    rc = rebuild(ev, fetches, res, &ti, out);
    if (!ev->failed) ev->loc = saved;
done:
    if (res) for (int i = 0; i < fs.n; i++) tfg_tensor_unref(res[i]);
    free(res);
    for (int i = 0; i < nfeeds; i++) tfg_tensor_unref(feeds[i].value);
    free(feeds);
    free(fs.eps);
    free(fs.targets);
    return rc;
}

/* ---- expressions ------------------------------------------------------------------- */
static int eval_expr(tfg_eval *ev, const tfg_ast *n, tfg_val *out);
static int exec_block(tfg_eval *ev, const tfg_ast *n);

/* Looks a name up: locals, globals, Python builtins, then TensorFlow (tf. optional). */
static int lookup_name(tfg_eval *ev, const char *name, tfg_loc loc, tfg_val *out)
{
    tfg_val *v = NULL;
    if (ev->locals) v = env_get(ev->locals, name);
    if (!v || v->t == TFG_V_MISSING) v = env_get(ev->globals, name);   /* MISSING marks `global` */
    if (v) { *out = tfg_val_incref(*v); return 0; }
    if (tfg_api_py_lookup(ev, name, out) == 0) return 0;
    if (ev->failed) return -1;
    if (strcmp(name, "tf") == 0 || strcmp(name, "tensorflow") == 0) { *out = tfg_val_module("tf"); return 0; }
    if (strcmp(name, "np") == 0 || strcmp(name, "numpy") == 0) { *out = tfg_val_module("np"); return 0; }
    int rc = tfg_api_tf_lookup(ev, "tf", name, out);
    if (rc == 0) return 0;
    if (ev->failed) return -1;
    return tfg_eval_error(ev, loc, "name '%s' is not defined", name);
}

int tfg_eval_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out)
{
    int rc;
    if (obj.t == TFG_V_MODULE) {
        const char *path = tfg_val_as_str(obj)->s;
        if (tfg_api_data_is_module(path)) {
            rc = tfg_api_data_module(ev, path, name, out);
            if (rc == 0) return 0;
            if (ev->failed) return -1;
            return tfg_eval_error(ev, loc, "module '%s' has no attribute '%s'", path, name);
        }
        if (strncmp(path, "np", 2) == 0) {
            rc = tfg_api_np_lookup(ev, path, name, out);
            if (rc == 0) return 0;
            if (ev->failed) return -1;
            return tfg_eval_error(ev, loc, "module 'numpy' has no attribute '%s'", name);
        }
        rc = tfg_api_tf_lookup(ev, path, name, out);
        if (rc == 0) return 0;
        if (ev->failed) return -1;
        const char *pretty = strcmp(path, "tf") == 0 ? "tensorflow" : path;
        char buf[200];
        if (strncmp(path, "tf.", 3) == 0) {
            snprintf(buf, sizeof buf, "tensorflow.%s", path + 3);
            pretty = buf;
        }
        return tfg_eval_error(ev, loc, "module '%s' has no attribute '%s'", pretty, name);
    }
    if (obj.t == TFG_V_UNKNOWN) { out->t = TFG_V_UNKNOWN; return 0; }
    rc = tfg_api_tf_getattr(ev, obj, name, loc, out);
    if (rc <= 0) return rc;
    rc = tfg_api_py_getattr(ev, obj, name, loc, out);
    if (rc <= 0) return rc;
    return tfg_eval_error(ev, loc, "'%s' object has no attribute '%s'", tfg_val_type_name(obj), name);
}


/* Is v a graph tensor or variable? */
static bool is_graph(tfg_val v)
{
    return v.t == TFG_V_TENSOR || v.t == TFG_V_VARIABLE;
}

int tfg_eval_binop(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, tfg_val *out)
{
    static const char *const sym[] = {
        [TFG_OP_ADD] = "+", [TFG_OP_SUB] = "-", [TFG_OP_MUL] = "*", [TFG_OP_DIV] = "/",
        [TFG_OP_FLOORDIV] = "//", [TFG_OP_MOD] = "%", [TFG_OP_POW] = "**", [TFG_OP_MATMUL] = "@",
        [TFG_OP_BITAND] = "&", [TFG_OP_BITOR] = "|", [TFG_OP_BITXOR] = "^",
        [TFG_OP_EQ] = "==", [TFG_OP_NE] = "!=", [TFG_OP_LT] = "<", [TFG_OP_LE] = "<=",
        [TFG_OP_GT] = ">", [TFG_OP_GE] = ">=", [TFG_OP_IN] = "in", [TFG_OP_NOT_IN] = "not in",
        [TFG_OP_IS] = "is", [TFG_OP_IS_NOT] = "is not",
    };
    if (a.t == TFG_V_UNKNOWN || b.t == TFG_V_UNKNOWN) { out->t = TFG_V_UNKNOWN; return 0; }
    if ((op == TFG_OP_IS || op == TFG_OP_IS_NOT) && !is_graph(a) && !is_graph(b) && a.t != TFG_V_OP &&
        b.t != TFG_V_OP) {
        int rc = tfg_api_py_binop(ev, op, a, b, loc, out);
        if (rc <= 0) return rc;
    }
    if (op == TFG_OP_IS || op == TFG_OP_IS_NOT) {
        bool same = a.t == b.t && (a.t == TFG_V_NONE || (a.t == TFG_V_BOOL && a.u.i == b.u.i) ||
                                  ((a.t == TFG_V_TENSOR || a.t == TFG_V_OP || a.t == TFG_V_VARIABLE) &&
                                   a.u.e.node == b.u.e.node && a.u.e.index == b.u.e.index) ||
                                  (a.t != TFG_V_BOOL && a.t != TFG_V_INT && a.t != TFG_V_FLOAT && a.u.p == b.u.p));
        *out = tfg_val_bool(op == TFG_OP_IS ? same : !same);
        return 0;
    }
    if ((is_graph(a) || is_graph(b)) && op != TFG_OP_EQ && op != TFG_OP_NE && op != TFG_OP_IN &&
        op != TFG_OP_NOT_IN)
        return tfg_api_tf_binop(ev, op, a, b, loc, out);
    if ((is_graph(a) || is_graph(b) || a.t == TFG_V_OP || b.t == TFG_V_OP) &&
        (op == TFG_OP_EQ || op == TFG_OP_NE)) {
        bool same = a.t == b.t && a.u.e.node == b.u.e.node && a.u.e.index == b.u.e.index;
        *out = tfg_val_bool(op == TFG_OP_EQ ? same : !same);
        return 0;
    }
    int rc = tfg_api_py_binop(ev, op, a, b, loc, out);
    if (rc <= 0) return rc;
    if (op == TFG_OP_EQ || op == TFG_OP_NE) {
        bool eq = tfg_val_eq(a, b);
        *out = tfg_val_bool(op == TFG_OP_EQ ? eq : !eq);
        return 0;
    }
    if (op >= TFG_OP_LT && op <= TFG_OP_GE)
        return tfg_eval_error(ev, loc, "'%s' not supported between instances of '%s' and '%s'",
                              sym[op], tfg_val_type_name(a), tfg_val_type_name(b));
    return tfg_eval_error(ev, loc, "unsupported operand type(s) for %s: '%s' and '%s'",
                          op < (int)(sizeof sym / sizeof *sym) && sym[op] ? sym[op] : "?",
                          tfg_val_type_name(a), tfg_val_type_name(b));
}

int tfg_eval_unop(tfg_eval *ev, int op, tfg_val a, tfg_loc loc, tfg_val *out)
{
    if (a.t == TFG_V_UNKNOWN) { out->t = TFG_V_UNKNOWN; return 0; }
    if (op == TFG_OP_NOT) {
        bool b;
        if (tfg_eval_truth(ev, a, loc, &b)) return -1;
        *out = tfg_val_bool(!b);
        return 0;
    }
    if (is_graph(a)) return tfg_api_tf_unop(ev, op, a, loc, out);
    int rc = tfg_api_py_unop(ev, op, a, loc, out);
    if (rc <= 0) return rc;
    return tfg_eval_error(ev, loc, "bad operand type for unary %s: '%s'",
                          op == TFG_OP_NEG ? "-" : op == TFG_OP_POS ? "+" : "~", tfg_val_type_name(a));
}

/* Evaluates the items of a LIST/TUPLE node into a new container. */
static int eval_seq(tfg_eval *ev, const tfg_ast *n, tfg_vtype t, tfg_val *out)
{
    tfg_val l = tfg_val_list_new(t, n->nitems);
    if (l.t == TFG_V_MISSING) return tfg_eval_error(ev, n->loc, "out of memory");
    for (int i = 0; i < n->nitems; i++) {
        tfg_val v;
        if (eval_expr(ev, n->items[i], &v)) { tfg_val_decref(l); return -1; }
        tfg_val_list_append(l, v);
    }
    *out = l;
    return 0;
}

/* Evaluates a call node. */
static int eval_call(tfg_eval *ev, const tfg_ast *n, tfg_val *out)
{
    tfg_val fn;
    if (eval_expr(ev, n->a, &fn)) return -1;
    int np = 0, nk = 0;
    for (int i = 0; i < n->nitems; i++) {
        if (n->items[i]->kind == TFG_AST_KEYWORD) nk++;
        else np++;
    }
    tfg_val pos[64], kw[64];
    const char *kwn[64];
    if (np > 64 || nk > 64) { tfg_val_decref(fn); return tfg_eval_error(ev, n->loc, "too many arguments"); }
    tfg_args a = { pos, 0, kwn, kw, 0, n->loc };
    int rc = 0;
    for (int i = 0; i < n->nitems && rc == 0; i++) {
        const tfg_ast *it = n->items[i];
        if (it->kind == TFG_AST_KEYWORD) {
            for (int k = 0; k < a.nkw; k++)
                if (strcmp(kwn[k], it->str) == 0) {
                    rc = tfg_eval_error(ev, it->loc, "keyword argument repeated: %s", it->str);
                    break;
                }
            if (rc) break;
            rc = eval_expr(ev, it->a, &kw[a.nkw]);
            if (rc == 0) kwn[a.nkw++] = it->str;
        } else {
            rc = eval_expr(ev, it, &pos[a.npos]);
            if (rc == 0) a.npos++;
        }
    }
    if (rc == 0) rc = tfg_eval_call(ev, fn, &a, out);
    for (int i = 0; i < a.npos; i++) tfg_val_decref(pos[i]);
    for (int i = 0; i < a.nkw; i++) tfg_val_decref(kw[i]);
    tfg_val_decref(fn);
    return rc;
}

/* Calls a script function (def or lambda). */
static int call_func(tfg_eval *ev, const tfg_ast *def, tfg_args *a, tfg_val *out)
{
    if (ev->depth >= MAX_DEPTH) return tfg_eval_error(ev, a->loc, "maximum recursion depth exceeded");
    const char *fname = def->kind == TFG_AST_DEF ? def->str : "<lambda>";
    tfg_env *env = env_new();
    if (!env) return tfg_eval_error(ev, a->loc, "out of memory");
    int np = def->nitems;
    bool *set = calloc((size_t)np + 1, 1);
    if (!set) { env_free(env); return tfg_eval_error(ev, a->loc, "out of memory"); }
    int rc = 0;
    if (a->npos > np) {
        rc = tfg_eval_error(ev, a->loc, "%s() takes %d positional argument%s but %d were given", fname, np,
                            np == 1 ? "" : "s", a->npos);
        goto out;
    }
    for (int i = 0; i < a->npos; i++) {
        const tfg_ast *p = def->items[i];
        const char *pn = p->kind == TFG_AST_KEYWORD ? p->str : p->str;
        env_set(env, pn, tfg_val_incref(a->pos[i]));
        set[i] = true;
    }
    for (int k = 0; k < a->nkw; k++) {
        int j;
        for (j = 0; j < np; j++) if (strcmp(def->items[j]->str, a->kwnames[k]) == 0) break;
        if (j == np) {
            rc = tfg_eval_error(ev, a->loc, "%s() got an unexpected keyword argument '%s'", fname, a->kwnames[k]);
            goto out;
        }
        if (set[j]) {
            rc = tfg_eval_error(ev, a->loc, "%s() got multiple values for argument '%s'", fname, a->kwnames[k]);
            goto out;
        }
        env_set(env, def->items[j]->str, tfg_val_incref(a->kw[k]));
        set[j] = true;
    }
    for (int j = 0; j < np; j++) {
        if (set[j]) continue;
        const tfg_ast *p = def->items[j];
        if (p->kind != TFG_AST_KEYWORD) {
            rc = tfg_eval_error(ev, a->loc, "%s() missing required argument '%s'", fname, p->str);
            goto out;
        }
        tfg_val dv;
        tfg_env *saved = ev->locals;
        ev->locals = NULL;
        rc = eval_expr(ev, p->a, &dv);
        ev->locals = saved;
        if (rc) goto out;
        env_set(env, p->str, dv);
    }
    tfg_env *saved = ev->locals;
    ev->locals = env;
    ev->depth++;
    if (def->kind == TFG_AST_LAMBDA) {
        rc = eval_expr(ev, def->a, out);
    } else {
        rc = exec_block(ev, def->a);
        if (rc == 0) {
            if (ev->flow == TFG_FLOW_RETURN) {
                *out = ev->retval;
                ev->retval = tfg_val_none();
            } else {
                *out = tfg_val_none();
            }
            ev->flow = TFG_FLOW_NONE;
        }
    }
    ev->depth--;
    ev->locals = saved;
out:
    free(set);
    env_free(env);
    return rc;
}

int tfg_eval_call(tfg_eval *ev, tfg_val fn, tfg_args *a, tfg_val *out)
{
    switch (fn.t) {
    case TFG_V_BUILTIN: {
        tfg_builtinobj *b = fn.u.p;
        out->t = TFG_V_MISSING;
        int rc = b->def->fn(ev, b->self, a, out);
        if (rc == 0 && out->t == TFG_V_MISSING) *out = tfg_val_none();
        if (rc && !ev->failed) tfg_eval_error(ev, a->loc, "%s() failed", b->def->name);
        return rc ? -1 : 0;
    }
    case TFG_V_FUNC:
        return call_func(ev, ((tfg_funcobj *)fn.u.p)->def, a, out);
    case TFG_V_UNKNOWN:
        out->t = TFG_V_UNKNOWN;
        return 0;
    case TFG_V_DTYPE: {   /* np.float32(2.5): the dtype's __call__ builds a numpy scalar/array */
        tfg_val c;
        int rc = tfg_api_py_getattr(ev, fn, "__call__", a->loc, &c);
        if (rc < 0) return -1;
        if (rc == 0) {
            rc = tfg_eval_call(ev, c, a, out);
            tfg_val_decref(c);
            return rc;
        }
        return tfg_eval_error(ev, a->loc, "'%s' object is not callable", tfg_val_type_name(fn));
    }
    default:
        return tfg_eval_error(ev, a->loc, "'%s' object is not callable", tfg_val_type_name(fn));
    }
}


/* Evaluates an index expression (slices become SLICE values). */
static int eval_index(tfg_eval *ev, const tfg_ast *n, tfg_val *out)
{
    if (n->kind == TFG_AST_SLICE) {
        tfg_val p[3];
        const tfg_ast *parts[3] = { n->a, n->b, n->c };
        for (int i = 0; i < 3; i++) {
            if (!parts[i]) { p[i] = tfg_val_none(); continue; }
            if (eval_expr(ev, parts[i], &p[i])) {
                for (int j = 0; j < i; j++) tfg_val_decref(p[j]);
                return -1;
            }
        }
        tfg_val s = tfg_val_list_new(TFG_V_LIST, 3);
        if (s.t == TFG_V_MISSING) return tfg_eval_error(ev, n->loc, "out of memory");
        for (int i = 0; i < 3; i++) tfg_val_list_append(s, p[i]);
        s.t = TFG_V_SLICE;
        *out = s;
        return 0;
    }
    if (n->kind == TFG_AST_TUPLE) {
        tfg_val l = tfg_val_list_new(TFG_V_TUPLE, n->nitems);
        for (int i = 0; i < n->nitems; i++) {
            tfg_val v;
            if (eval_index(ev, n->items[i], &v)) { tfg_val_decref(l); return -1; }
            tfg_val_list_append(l, v);
        }
        *out = l;
        return 0;
    }
    return eval_expr(ev, n, out);
}

/* obj[idx] for any value. */
static int subscript(tfg_eval *ev, tfg_val obj, tfg_val idx, tfg_loc loc, tfg_val *out)
{
    if (obj.t == TFG_V_UNKNOWN) { out->t = TFG_V_UNKNOWN; return 0; }
    if (is_graph(obj) || obj.t == TFG_V_SHAPE) return tfg_api_tf_subscript(ev, obj, idx, loc, out);
    int rc = tfg_api_py_subscript(ev, obj, idx, loc, out);
    if (rc <= 0) return rc;
    return tfg_eval_error(ev, loc, "'%s' object is not subscriptable", tfg_val_type_name(obj));
}

static int assign_to(tfg_eval *ev, const tfg_ast *target, tfg_val v);
static int step_check(tfg_eval *ev, tfg_loc loc);

/* Runs comprehension clauses from index k, appending elements to list l. */
static int listcomp(tfg_eval *ev, const tfg_ast *n, int k, tfg_val l)
{
    if (k == n->nitems) {
        tfg_val v;
        if (eval_expr(ev, n->a, &v)) return -1;
        if (tfg_val_list_append(l, v)) return tfg_eval_error(ev, n->loc, "out of memory");
        return 0;
    }
    const tfg_ast *c = n->items[k];
    if (c->kind == TFG_AST_IF) {
        tfg_val cv;
        bool t;
        if (eval_expr(ev, c->a, &cv)) return -1;
        int rc = tfg_eval_truth(ev, cv, c->a->loc, &t);
        tfg_val_decref(cv);
        if (rc) return -1;
        return t ? listcomp(ev, n, k + 1, l) : 0;
    }
    tfg_val it, *items;
    int cnt;
    if (eval_expr(ev, c->b, &it)) return -1;
    int rc = tfg_eval_iter(ev, it, c->b->loc, &items, &cnt);
    tfg_val_decref(it);
    if (rc) return -1;
    int i;
    for (i = 0; i < cnt && rc == 0; i++) {
        if (step_check(ev, c->loc)) { rc = -1; break; }
        rc = assign_to(ev, c->a, items[i]);
        items[i].t = TFG_V_NONE;
        if (rc == 0) rc = listcomp(ev, n, k + 1, l);
    }
    for (; i < cnt; i++) tfg_val_decref(items[i]);
    free(items);
    return rc;
}

/* Where an expression starts (its leftmost token), for error locations. */
static tfg_loc expr_start(const tfg_ast *n)
{
    tfg_loc best = n->loc;
    while (n) {
        if (n->loc.line && (n->loc.line < best.line || (n->loc.line == best.line && n->loc.col < best.col)))
            best = n->loc;
        if (n->kind == TFG_AST_BINOP || n->kind == TFG_AST_COMPARE || n->kind == TFG_AST_BOOLOP ||
            n->kind == TFG_AST_ATTR || n->kind == TFG_AST_CALL || n->kind == TFG_AST_SUBSCRIPT)
            n = n->a;
        else
            break;
    }
    return best;
}

static int eval_expr(tfg_eval *ev, const tfg_ast *n, tfg_val *out)
{
    switch (n->kind) {
    case TFG_AST_NAME: return lookup_name(ev, n->str, n->loc, out);
    case TFG_AST_INT: *out = tfg_val_int(n->ival); return 0;
    case TFG_AST_FLOAT: *out = tfg_val_float(n->fval); return 0;
    case TFG_AST_STR:
        *out = tfg_val_str(n->str, n->slen);
        if (out->t == TFG_V_MISSING) return tfg_eval_error(ev, n->loc, "out of memory");
        return 0;
    case TFG_AST_BOOL: *out = tfg_val_bool(n->ival != 0); return 0;
    case TFG_AST_NONE: *out = tfg_val_none(); return 0;
    case TFG_AST_LIST: return eval_seq(ev, n, TFG_V_LIST, out);
    case TFG_AST_TUPLE: return eval_seq(ev, n, TFG_V_TUPLE, out);
    case TFG_AST_DICT: {
        tfg_val d = tfg_val_dict_new();
        if (d.t == TFG_V_MISSING) return tfg_eval_error(ev, n->loc, "out of memory");
        for (int i = 0; i + 1 < n->nitems; i += 2) {
            tfg_val k, v;
            if (eval_expr(ev, n->items[i], &k)) { tfg_val_decref(d); return -1; }
            if (eval_expr(ev, n->items[i + 1], &v)) { tfg_val_decref(k); tfg_val_decref(d); return -1; }
            if (k.t == TFG_V_LIST || k.t == TFG_V_DICT || k.t == TFG_V_ARRAY) {
                tfg_eval_error(ev, n->items[i]->loc, "unhashable type: '%s'", tfg_val_type_name(k));
                tfg_val_decref(k); tfg_val_decref(v); tfg_val_decref(d);
                return -1;
            }
            tfg_val_dict_set(d, k, v);
        }
        *out = d;
        return 0;
    }
    case TFG_AST_ATTR: {
        tfg_val o;
        if (eval_expr(ev, n->a, &o)) return -1;
        int rc = tfg_eval_getattr(ev, o, n->str, n->loc, out);
        tfg_val_decref(o);
        return rc;
    }
    case TFG_AST_CALL: return eval_call(ev, n, out);
    case TFG_AST_SUBSCRIPT: {
        tfg_val o, i;
        if (eval_expr(ev, n->a, &o)) return -1;
        if (eval_index(ev, n->b, &i)) { tfg_val_decref(o); return -1; }
        int rc = subscript(ev, o, i, n->loc, out);
        tfg_val_decref(o);
        tfg_val_decref(i);
        return rc;
    }
    case TFG_AST_BINOP: case TFG_AST_COMPARE: {
        tfg_val a, b;
        if (eval_expr(ev, n->a, &a)) return -1;
        if (eval_expr(ev, n->b, &b)) { tfg_val_decref(a); return -1; }
        int rc = tfg_eval_binop(ev, n->op, a, b, expr_start(n), out);
        tfg_val_decref(a);
        tfg_val_decref(b);
        return rc;
    }
    case TFG_AST_UNARY: {
        tfg_val a;
        if (eval_expr(ev, n->a, &a)) return -1;
        int rc = tfg_eval_unop(ev, n->op, a, n->loc, out);
        tfg_val_decref(a);
        return rc;
    }
    case TFG_AST_BOOLOP: {
        tfg_val a;
        bool t;
        if (eval_expr(ev, n->a, &a)) return -1;
        if (tfg_eval_truth(ev, a, n->a->loc, &t)) { tfg_val_decref(a); return -1; }
        if ((n->op == TFG_OP_AND && !t) || (n->op == TFG_OP_OR && t)) { *out = a; return 0; }
        tfg_val_decref(a);
        return eval_expr(ev, n->b, out);
    }
    case TFG_AST_IFEXP: {
        tfg_val c;
        bool t;
        if (eval_expr(ev, n->a, &c)) return -1;
        int rc = tfg_eval_truth(ev, c, n->a->loc, &t);
        tfg_val_decref(c);
        if (rc) return -1;
        return eval_expr(ev, t ? n->b : n->c, out);
    }
    case TFG_AST_LISTCOMP: {
        tfg_val l = tfg_val_list_new(TFG_V_LIST, 8);
        if (l.t == TFG_V_MISSING) return tfg_eval_error(ev, n->loc, "out of memory");
        if (listcomp(ev, n, 0, l)) { tfg_val_decref(l); return -1; }
        *out = l;
        return 0;
    }
    case TFG_AST_LAMBDA: {
        tfg_val f = tfg_val_obj(TFG_V_FUNC, sizeof(tfg_funcobj));
        if (f.t == TFG_V_MISSING) return tfg_eval_error(ev, n->loc, "out of memory");
        ((tfg_funcobj *)f.u.p)->def = n;
        *out = f;
        return 0;
    }
    default:
        return tfg_eval_error(ev, n->loc, "invalid syntax (this is a statement, not an expression)");
    }
}

int tfg_eval_literal(tfg_eval *ev, const tfg_ast *n, tfg_val *out)
{
    switch (n->kind) {
    case TFG_AST_INT: case TFG_AST_FLOAT: case TFG_AST_BOOL: case TFG_AST_NONE: case TFG_AST_STR:
        return eval_expr(ev, n, out);
    case TFG_AST_UNARY:
        if (n->op == TFG_OP_NEG || n->op == TFG_OP_POS) {
            tfg_val a;
            if (tfg_eval_literal(ev, n->a, &a)) return -1;
            int rc = tfg_eval_unop(ev, n->op, a, n->loc, out);
            tfg_val_decref(a);
            return rc;
        }
        break;
    case TFG_AST_NAME:
        if (strcmp(n->str, "nan") == 0) { *out = tfg_val_float(NAN); return 0; }
        if (strcmp(n->str, "inf") == 0) { *out = tfg_val_float(INFINITY); return 0; }
        break;
    case TFG_AST_LIST: case TFG_AST_TUPLE: {
        tfg_val l = tfg_val_list_new(n->kind == TFG_AST_LIST ? TFG_V_LIST : TFG_V_TUPLE, n->nitems);
        for (int i = 0; i < n->nitems; i++) {
            tfg_val v;
            if (tfg_eval_literal(ev, n->items[i], &v)) { tfg_val_decref(l); return -1; }
            tfg_val_list_append(l, v);
        }
        *out = l;
        return 0;
    }
    default:
        break;
    }
    return tfg_eval_error(ev, n->loc, "expected a literal value (a number, a list of numbers, True or False)");
}

/* ---- statements ---------------------------------------------------------------------- */
/* Binds a value to a target (takes over v). */
static int assign_to(tfg_eval *ev, const tfg_ast *target, tfg_val v)
{
    switch (target->kind) {
    case TFG_AST_NAME: {
        tfg_env *e = ev->locals ? ev->locals : ev->globals;
        if (ev->locals) {
            tfg_val *cur = env_get(ev->locals, target->str);
            if (cur && cur->t == TFG_V_MISSING) e = ev->globals;   /* declared `global` */
        }
        if (env_set(e, target->str, v)) return tfg_eval_error(ev, target->loc, "out of memory");
        return 0;
    }
    case TFG_AST_TUPLE: case TFG_AST_LIST: {
        tfg_val *items;
        int n;
        if (v.t == TFG_V_UNKNOWN) {
            for (int i = 0; i < target->nitems; i++) {
                tfg_val u = { .t = TFG_V_UNKNOWN };
                if (assign_to(ev, target->items[i], u)) return -1;
            }
            return 0;
        }
        if (tfg_eval_iter(ev, v, target->loc, &items, &n)) { tfg_val_decref(v); return -1; }
        tfg_val_decref(v);
        if (n != target->nitems) {
            for (int i = 0; i < n; i++) tfg_val_decref(items[i]);
            free(items);
            if (n > target->nitems)
                return tfg_eval_error(ev, target->loc, "too many values to unpack (expected %d)", target->nitems);
            return tfg_eval_error(ev, target->loc, "not enough values to unpack (expected %d, got %d)",
                                  target->nitems, n);
        }
        int rc = 0;
        for (int i = 0; i < n; i++) {
            if (rc == 0) rc = assign_to(ev, target->items[i], items[i]);
            else tfg_val_decref(items[i]);
        }
        free(items);
        return rc;
    }
    case TFG_AST_SUBSCRIPT: {
        tfg_val o, k;
        if (eval_expr(ev, target->a, &o)) { tfg_val_decref(v); return -1; }
        if (eval_index(ev, target->b, &k)) { tfg_val_decref(o); tfg_val_decref(v); return -1; }
        int rc = 0;
        if (o.t == TFG_V_DICT) {
            tfg_val_dict_set(o, k, v);
            k.t = TFG_V_NONE;
            v.t = TFG_V_NONE;
        } else if (o.t == TFG_V_LIST && k.t == TFG_V_INT) {
            tfg_list *l = tfg_val_as_list(o);
            int64_t i = k.u.i < 0 ? k.u.i + l->n : k.u.i;
            if (i < 0 || i >= l->n) rc = tfg_eval_error(ev, target->loc, "list assignment index out of range");
            else { tfg_val_decref(l->items[i]); l->items[i] = v; v.t = TFG_V_NONE; }
        } else {
            rc = tfg_eval_error(ev, target->loc, "'%s' object does not support item assignment",
                                tfg_val_type_name(o));
        }
        tfg_val_decref(o);
        tfg_val_decref(k);
        tfg_val_decref(v);
        return rc;
    }
    case TFG_AST_ATTR:
        tfg_val_decref(v);
        return tfg_eval_error(ev, target->loc, "cannot assign to attribute '%s'", target->str);
    default:
        tfg_val_decref(v);
        return tfg_eval_error(ev, target->loc, "cannot assign to this expression");
    }
}

/* Enters a context manager value; *exit_kind tells exit what to undo. */
static int ctx_enter(tfg_eval *ev, tfg_val c, tfg_loc loc, tfg_val *as)
{
    *as = tfg_val_none();
    if (c.t == TFG_V_SESSION) {
        if (ev->ndefaults == ev->capdefaults) {
            int nc = ev->capdefaults ? ev->capdefaults * 2 : 4;
            tfg_val *p = realloc(ev->defaults, sizeof *p * (size_t)nc);
            if (!p) return tfg_eval_error(ev, loc, "out of memory");
            ev->defaults = p;
            ev->capdefaults = nc;
        }
        ev->defaults[ev->ndefaults++] = tfg_val_incref(c);
        *as = tfg_val_incref(c);
        return 0;
    }
    if (c.t == TFG_V_CTX) {
        tfg_ctxobj *x = c.u.p;
        tfg_error e;
        switch (x->kind) {
        case TFG_CTX_DEVICE:
            if (tfg_graph_push_device(ev->g, x->text ? x->text : "", &e))
                return tfg_eval_error(ev, loc, "%s", e.msg);
            return 0;
        case TFG_CTX_SCOPE: {
            const char *s = tfg_graph_push_scope(ev->g, x->text ? x->text : "");
            if (!s) return tfg_eval_error(ev, loc, "out of memory");
            *as = tfg_val_cstr(s);
            return 0;
        }
        case TFG_CTX_CONTROL:
            if (tfg_graph_push_control(ev->g, x->nodes, x->nnodes)) return tfg_eval_error(ev, loc, "out of memory");
            return 0;
        case TFG_CTX_DEFAULT_SESSION:
            return ctx_enter(ev, x->session, loc, as);
        case TFG_CTX_NULL:
            return 0;
        }
    }
    if (c.t == TFG_V_GRAPH) { *as = tfg_val_incref(c); return 0; }
    if (c.t == TFG_V_UNKNOWN) return 0;
    return tfg_eval_error(ev, loc, "'%s' object does not support the context manager protocol",
                          tfg_val_type_name(c));
}

/* Leaves a context manager entered by ctx_enter. */
static void ctx_exit(tfg_eval *ev, tfg_val c, bool close_session)
{
    if (c.t == TFG_V_SESSION) {
        if (ev->ndefaults) tfg_val_decref(ev->defaults[--ev->ndefaults]);
        if (close_session) {
            tfg_sessobj *so = c.u.p;
            if (so->s) { tfg_session_free(so->s); so->s = NULL; }
        }
        return;
    }
    if (c.t == TFG_V_CTX) {
        tfg_ctxobj *x = c.u.p;
        switch (x->kind) {
        case TFG_CTX_DEVICE: tfg_graph_pop_device(ev->g); break;
        case TFG_CTX_SCOPE: tfg_graph_pop_scope(ev->g); break;
        case TFG_CTX_CONTROL: tfg_graph_pop_control(ev->g); break;
        case TFG_CTX_DEFAULT_SESSION: ctx_exit(ev, x->session, false); break;
        case TFG_CTX_NULL: break;
        }
    }
}

/* Counts one loop iteration against opts.max_steps. */
static int step_check(tfg_eval *ev, tfg_loc loc)
{
    if (ev->opts.max_steps && ++ev->steps > ev->opts.max_steps)
        return tfg_eval_error(ev, loc, "loop iteration budget of %ld exceeded", ev->opts.max_steps);
    return 0;
}

/* Runs one statement. */
static int exec_stmt(tfg_eval *ev, const tfg_ast *n)
{
    switch (n->kind) {
    case TFG_AST_EXPR_STMT: {
        tfg_val v;
        if (eval_expr(ev, n->a, &v)) return -1;
        tfg_val_decref(v);
        return 0;
    }
    case TFG_AST_ASSIGN: {
        tfg_val v;
        if (eval_expr(ev, n->b, &v)) return -1;
        return assign_to(ev, n->a, v);
    }
    case TFG_AST_AUGASSIGN: {
        tfg_val cur, rhs, res;
        if (n->a->kind != TFG_AST_NAME && n->a->kind != TFG_AST_SUBSCRIPT)
            return tfg_eval_error(ev, n->loc, "illegal expression for augmented assignment");
        if (eval_expr(ev, n->a, &cur)) return -1;
        if (eval_expr(ev, n->b, &rhs)) { tfg_val_decref(cur); return -1; }
        int rc = tfg_eval_binop(ev, n->op, cur, rhs, n->loc, &res);
        tfg_val_decref(cur);
        tfg_val_decref(rhs);
        if (rc) return -1;
        return assign_to(ev, n->a, res);
    }
    case TFG_AST_PRINT: {
        tfg_sb b = { 0 };
        for (int i = 0; i < n->nitems; i++) {
            tfg_val v;
            if (eval_expr(ev, n->items[i], &v)) { free(b.s); return -1; }
            if (i) tfg_sb_add(&b, " ");
            tfg_val_str_into(&b, v);
            tfg_val_decref(v);
        }
        if (!n->ival) tfg_sb_add(&b, "\n");
        if (b.oom) { free(b.s); return tfg_eval_error(ev, n->loc, "out of memory"); }
        if (!ev->opts.quiet && !ev->opts.dry && b.s) fputs(b.s, ev->out);
        free(b.s);
        return 0;
    }
    case TFG_AST_WITH: {
        tfg_val c, as;
        if (eval_expr(ev, n->a, &c)) return -1;
        if (ctx_enter(ev, c, n->loc, &as)) { tfg_val_decref(c); return -1; }
        int rc = 0;
        if (n->b) rc = assign_to(ev, n->b, as);
        else tfg_val_decref(as);
        if (rc == 0) rc = exec_block(ev, n->c);
        ctx_exit(ev, c, true);
        tfg_val_decref(c);
        return rc;
    }
    case TFG_AST_FOR: {
        tfg_val it, *items;
        int cnt;
        if (eval_expr(ev, n->b, &it)) return -1;
        if (it.t == TFG_V_RANGE) {   /* lazily: range(10**9) needs no list */
            tfg_list *l = tfg_val_as_list(it);
            int64_t v = l->items[0].u.i, stop = l->items[1].u.i, step = l->items[2].u.i;
            tfg_val_decref(it);
            int rc = 0;
            for (; rc == 0 && (step > 0 ? v < stop : v > stop); v += step) {
                if (step_check(ev, n->loc)) return -1;
                rc = assign_to(ev, n->a, tfg_val_int(v));
                if (rc == 0) rc = exec_block(ev, n->c);
                if (ev->flow == TFG_FLOW_BREAK) { ev->flow = TFG_FLOW_NONE; break; }
                if (ev->flow == TFG_FLOW_CONTINUE) ev->flow = TFG_FLOW_NONE;
                if (ev->flow == TFG_FLOW_RETURN) break;
            }
            return rc;
        }
        int rc = tfg_eval_iter(ev, it, n->b->loc, &items, &cnt);
        tfg_val_decref(it);
        if (rc) return -1;
        int i;
        for (i = 0; i < cnt && rc == 0; i++) {
            if (step_check(ev, n->loc)) { rc = -1; break; }
            rc = assign_to(ev, n->a, items[i]);
            items[i].t = TFG_V_NONE;
            if (rc == 0) rc = exec_block(ev, n->c);
            if (ev->flow == TFG_FLOW_BREAK) { ev->flow = TFG_FLOW_NONE; i++; break; }
            if (ev->flow == TFG_FLOW_CONTINUE) ev->flow = TFG_FLOW_NONE;
            if (ev->flow == TFG_FLOW_RETURN) { i++; break; }
        }
        for (; i < cnt; i++) tfg_val_decref(items[i]);
        free(items);
        return rc;
    }
    case TFG_AST_WHILE: {
        long guard = 0;
        for (;;) {
            tfg_val c;
            bool t;
            if (eval_expr(ev, n->a, &c)) return -1;
            int rc = tfg_eval_truth(ev, c, n->a->loc, &t);
            tfg_val_decref(c);
            if (rc) return -1;
            if (!t || (ev->opts.dry && ++guard > 1)) break;
            if (step_check(ev, n->loc)) return -1;
            if (exec_block(ev, n->b)) return -1;
            if (ev->flow == TFG_FLOW_BREAK) { ev->flow = TFG_FLOW_NONE; break; }
            if (ev->flow == TFG_FLOW_CONTINUE) ev->flow = TFG_FLOW_NONE;
            if (ev->flow == TFG_FLOW_RETURN) break;
        }
        return 0;
    }
    case TFG_AST_IF: {
        tfg_val c;
        bool t;
        if (eval_expr(ev, n->a, &c)) return -1;
        int rc = tfg_eval_truth(ev, c, n->a->loc, &t);
        tfg_val_decref(c);
        if (rc) return -1;
        if (t) return exec_block(ev, n->b);
        if (n->c) return n->c->kind == TFG_AST_IF ? exec_stmt(ev, n->c) : exec_block(ev, n->c);
        return 0;
    }
    case TFG_AST_DEF: {
        tfg_val f = tfg_val_obj(TFG_V_FUNC, sizeof(tfg_funcobj));
        if (f.t == TFG_V_MISSING) return tfg_eval_error(ev, n->loc, "out of memory");
        ((tfg_funcobj *)f.u.p)->def = n;
        if (env_set(ev->locals ? ev->locals : ev->globals, n->str, f))
            return tfg_eval_error(ev, n->loc, "out of memory");
        return 0;
    }
    case TFG_AST_RETURN:
        if (!ev->locals) return tfg_eval_error(ev, n->loc, "'return' outside function");
        tfg_val_decref(ev->retval);
        ev->retval = tfg_val_none();
        if (n->a && eval_expr(ev, n->a, &ev->retval)) { ev->retval = tfg_val_none(); return -1; }
        ev->flow = TFG_FLOW_RETURN;
        return 0;
    case TFG_AST_BREAK: ev->flow = TFG_FLOW_BREAK; return 0;
    case TFG_AST_CONTINUE: ev->flow = TFG_FLOW_CONTINUE; return 0;
    case TFG_AST_PASS: return 0;
    case TFG_AST_GLOBAL:
        if (!ev->locals) return 0;
        for (int i = 0; i < n->nitems; i++)
            if (env_set(ev->locals, n->items[i]->str, (tfg_val){ .t = TFG_V_MISSING }))
                return tfg_eval_error(ev, n->loc, "out of memory");
        return 0;
    case TFG_AST_IMPORT: {
        const char *m = n->str;
        const char *path = NULL;
        if (tfg_api_data_is_module(m)) path = m;   /* first: e.g. tensorflow.examples...input_data */
        else if (strcmp(m, "tensorflow") == 0 || strncmp(m, "tensorflow.", 11) == 0) path = "tf";
        else if (strcmp(m, "numpy") == 0) path = "np";
        else if (strcmp(m, "__future__") == 0) return 0;
        if (!path)
            return tfg_eval_error(ev, n->loc, "No module named '%s' (tfg scripts may import only tensorflow, numpy "
                                             "and the modules tfg(5) lists)", m);
        if (n->ival == 1) {   /* from M import a, b */
            for (int i = 0; i < n->nitems; i++) {
                tfg_val v, mod = tfg_val_module(path);
                int rc = tfg_eval_getattr(ev, mod, n->items[i]->str, n->items[i]->loc, &v);
                tfg_val_decref(mod);
                if (rc) return -1;
                if (env_set(ev->globals, n->items[i]->str, v)) return tfg_eval_error(ev, n->loc, "out of memory");
            }
            return 0;
        }
        const char *alias = n->b ? n->b->str : NULL;
        if (!alias) {
            /* `import a.b` binds `a`, as Python (tensorflow, numpy, os for os.path) */
            char top[128];
            size_t l = strcspn(m, ".");
            if (l >= sizeof top) l = sizeof top - 1;
            memcpy(top, m, l);
            top[l] = 0;
            const char *tpath = strcmp(top, "tensorflow") == 0 ? "tf" : strcmp(top, "numpy") == 0 ? "np" : top;
            if (strcmp(tpath, "tf") != 0 && strcmp(tpath, "np") != 0 && !tfg_api_data_is_module(tpath)) tpath = path;
            if (env_set(ev->globals, top, tfg_val_module(tpath))) return tfg_eval_error(ev, n->loc, "out of memory");
            return 0;
        }
        if (env_set(ev->globals, alias, tfg_val_module(path))) return tfg_eval_error(ev, n->loc, "out of memory");
        return 0;
    }
    case TFG_AST_BLOCK: return exec_block(ev, n);
    default: {
        tfg_val v;
        if (eval_expr(ev, n, &v)) return -1;
        tfg_val_decref(v);
        return 0;
    }
    }
}

static int exec_block(tfg_eval *ev, const tfg_ast *n)
{
    if (!n) return 0;
    if (n->kind != TFG_AST_BLOCK && n->kind != TFG_AST_MODULE) return exec_stmt(ev, n);
    for (int i = 0; i < n->nitems; i++) {
        if (exec_stmt(ev, n->items[i])) return -1;
        if (ev->flow != TFG_FLOW_NONE) return 0;
    }
    return 0;
}

int tfg_eval_run(tfg_eval *ev, const tfg_ast *module)
{
    if (ev->failed) return -1;
    int rc = exec_block(ev, module);
    fflush(ev->out);
    return rc;
}
