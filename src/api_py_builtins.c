/* api_py_builtins.c — the Python builtin functions (print, range, len, int,
 * sorted, zip, ...) and tfg_api_py_lookup, and the methods of lists, tuples
 * and dicts (part of the api_py module, see api_py_impl.h).
 */
#include "api_py_impl.h"

/* ======================================================================
 * Builtin functions
 * ====================================================================== */

/* Does container c (transitively) hold the object p? (cycle guard; the search
 * stops at a depth no script builds by accident) */
static bool holds(tfg_val c, const void *p, int depth)
{
    if (depth > 200)
        return false;
    const tfg_val *items;
    int n;
    if (c.t == TFG_V_LIST || c.t == TFG_V_TUPLE) {
        items = tfg_val_as_list(c)->items;
        n = tfg_val_as_list(c)->n;
    } else if (c.t == TFG_V_DICT) {
        items = tfg_val_as_dict(c)->vals;
        n = tfg_val_as_dict(c)->n;
    } else if (c.t == TFG_V_BUILTIN) {
        return holds(((tfg_builtinobj *)c.u.p)->self, p, depth + 1);
    } else {
        return false;
    }
    if (c.u.p == p)
        return true;
    for (int i = 0; i < n; i++)
        if (holds(items[i], p, depth + 1))
            return true;
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

/* Checks the arguments of range() and slice(): 1 to 3, positional only. */
static int check_1to3(tfg_eval *ev, const tfg_args *a, const char *name)
{
    if (a->nkw)
        return tfg_eval_error(ev, a->loc, "%s() takes no keyword arguments", name);
    if (a->npos < 1 || a->npos > 3)
        return tfg_eval_error(ev, a->loc, a->npos ? "%s expected at most 3 arguments, got %d"
                                                  : "%s expected at least 1 argument, got %d",
                              name, a->npos);
    return 0;
}

/* range(stop) / range(start, stop[, step]) */
static int bi_range(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    if (unknown_args(a, out))
        return 0;
    if (check_1to3(ev, a, "range"))
        return -1;
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
        *out = tfg_val_int(tfg_pyapi_u8_len(sv(v), slen(v)));
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
int tfg_pyapi_parse_int_text(tfg_eval *ev, tfg_val strv, int64_t base, tfg_loc loc, int64_t *out)
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
        return tfg_pyapi_error_with_repr(ev, loc,
                                         base == 10 ? "invalid literal for int() with base 10: %s"
                                          : "invalid literal for int() with the given base: %s",
                                         strv);
    if (over || acc > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return int_overflow(ev, loc);
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
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
        if (tfg_pyapi_parse_int_text(ev, p[0], base, a->loc, &r))
            return -1;
        *out = tfg_val_int(r);
        return 0;
    }
    pnum n;
    if (get_num(p[0], &n, true)) {
        if (n.isf && tfg_pyapi_float_to_int(ev, n.f, a->loc, &n.i))
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
int tfg_pyapi_parse_float_text(tfg_eval *ev, tfg_val strv, tfg_loc loc, double *out)
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
    return tfg_pyapi_error_with_repr(ev, loc, "could not convert string to float: %s", strv);
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
        if (tfg_pyapi_parse_float_text(ev, p[0], a->loc, &d))
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
    return give(ev, a->loc, str_val(p[0], false), out);
}

/* repr(obj) */
static int bi_repr(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[1];
    if (tfg_eval_bind(ev, a, "repr", "obj", p))
        return -1;
    return give(ev, a->loc, str_val(p[0], true), out);
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
        return tfg_pyapi_np_unary_val(ev, TFG_UN_ABS, v, a->loc, out);
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

/* min(...) / max(...) (ismax). */
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
        if (tfg_pyapi_order(ev, ismax ? TFG_OP_GT : TFG_OP_LT, k, bestkey, a->loc, &better)) {
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

/* max(iterable) / max(a, b, ...), min(iterable) / min(a, b, ...) */
BUILTIN_ROW(bi_max, bi_minmax, true)
BUILTIN_ROW(bi_min, bi_minmax, false)

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

/* A new sequence of kind t of items[0..n) (the item references and the array
 * are consumed, on error too). */
static int seq_from_items(tfg_eval *ev, tfg_vtype t, tfg_val *items, int n, tfg_loc loc,
                          tfg_val *out)
{
    tfg_val r = tfg_val_list_new(t, n);
    if (r.t == TFG_V_MISSING) {
        free_items(items, n);
        return oom(ev, loc);
    }
    for (int i = 0; i < n; i++)
        tfg_val_list_append(r, items[i]);
    free(items);
    *out = r;
    return 0;
}

/* list(iterable=()) / tuple(iterable=()): t selects the kind. */
static int make_seq(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, tfg_vtype t)
{
    (void)self;
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
    return seq_from_items(ev, t, items, n, a->loc, out);
}

/* list(iterable=()), tuple(iterable=()) */
BUILTIN_ROW(bi_list, make_seq, TFG_V_LIST)
BUILTIN_ROW(bi_tuple, make_seq, TFG_V_TUPLE)

/* Sets d[key] = value (new references taken here) with the hashability check. */
static int dict_put(tfg_eval *ev, tfg_val d, tfg_val key, tfg_val value, tfg_loc loc)
{
    if (tfg_pyapi_check_hashable(ev, key, loc) || check_cycle(ev, loc, value, d.u.p))
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
        if (tfg_pyapi_np_round_tensor(ev, t, nd, a->loc, &r))
            return -1;
        if (!hasnd && t->rank == 0) {
            /* numpy scalar __round__ without ndigits gives a Python int */
            double d = tfg_tensor_get_f(r, 0);
            int64_t i = tfg_tensor_get_i(r, 0);
            tfg_tensor_unref(r);
            if (tfg_dtype_is_float(t->dtype) && tfg_pyapi_float_to_int(ev, d, a->loc, &i))
                return -1;
            *out = tfg_val_int(i);
            return 0;
        }
        return give_array(r, out);
    }
    if (v.t == TFG_V_BOOL || v.t == TFG_V_INT) {
        int64_t r = v.u.i;
        if (hasnd && nd < 0 && tfg_pyapi_round_int_neg(ev, v.u.i, -nd, a->loc, &r))
            return -1;
        *out = tfg_val_int(r);
        return 0;
    }
    if (v.t == TFG_V_FLOAT) {
        if (!hasnd) {
            int64_t r = 0;
            if (tfg_pyapi_float_to_int(ev, nearbyint(v.u.f), a->loc, &r))
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
    return give_list(rc, r, out);
}

/* The items of each iterable in its (zip, map): lists[i][0..lens[i]), and the
 * shortest length *minn (0 for no iterables). free_each frees them. */
static int iter_each(tfg_eval *ev, const tfg_list *its, tfg_loc loc, tfg_val ***lists, int **lens,
                     int *minn)
{
    int k = its->n, rc = 0;
    *minn = k ? INT32_MAX : 0;
    *lists = calloc((size_t)(k ? k : 1), sizeof **lists);
    *lens = calloc((size_t)(k ? k : 1), sizeof **lens);
    if (!*lists || !*lens)
        return oom(ev, loc);
    for (int i = 0; i < k && !rc; i++) {
        rc = tfg_eval_iter(ev, its->items[i], loc, &(*lists)[i], &(*lens)[i]);
        if (!rc && (*lens)[i] < *minn)
            *minn = (*lens)[i];
    }
    return rc;
}

/* Frees the item arrays of k iterables from iter_each. */
static void free_each(tfg_val **lists, int *lens, int k)
{
    for (int i = 0; lists && lens && i < k; i++)
        free_items(lists[i], lens[i]);
    free(lists);
    free(lens);
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
    tfg_val **lists = NULL;
    int *lens = NULL, k = its->n, minn = 0;
    tfg_val r = tfg_val_list_new(TFG_V_LIST, 0);
    int rc = r.t == TFG_V_MISSING ? oom(ev, a->loc)
                                  : iter_each(ev, its, a->loc, &lists, &lens, &minn);
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
    free_each(lists, lens, k);
    tfg_val_decref(p[0]);
    return give_list(rc, r, out);
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
            if (tfg_pyapi_order(ev, TFG_OP_LT, keys[idx[i]], keys[idx[j]], loc, &take_right))
                return -1;
        } else {
            if (tfg_pyapi_order(ev, TFG_OP_LT, keys[idx[j]], keys[idx[i]], loc, &take_right))
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
    return seq_from_items(ev, TFG_V_LIST, items, n, a->loc, out);
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
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        tfg_val t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
    return seq_from_items(ev, TFG_V_LIST, items, n, a->loc, out);
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
static int bi_anyall(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool isany)
{
    (void)self;
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

/* any(iterable), all(iterable) */
BUILTIN_ROW(bi_any, bi_anyall, true)
BUILTIN_ROW(bi_all, bi_anyall, false)

/* map(function, *iterables): a list of the results. */
static int bi_map(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    tfg_val p[2];
    if (tfg_eval_bind(ev, a, "map", "function,*iterables", p))
        return -1;
    const tfg_list *its = tfg_val_as_list(p[1]);
    int k = its->n, minn = 0;
    if (k == 0) {
        tfg_val_decref(p[1]);
        return tfg_eval_error(ev, a->loc, "map() must have at least two arguments.");
    }
    tfg_val **lists = NULL;
    int *lens = NULL;
    tfg_val *args = calloc((size_t)k, sizeof *args);
    tfg_val r = tfg_val_list_new(TFG_V_LIST, 0);
    int rc = !args || r.t == TFG_V_MISSING ? oom(ev, a->loc)
                                           : iter_each(ev, its, a->loc, &lists, &lens, &minn);
    for (int j = 0; !rc && j < minn; j++) {
        for (int i = 0; i < k; i++)
            args[i] = lists[i][j];
        tfg_args ca = {.pos = args, .npos = k, .loc = a->loc};
        tfg_val v;
        rc = tfg_eval_call(ev, p[0], &ca, &v);
        if (!rc)
            rc = append(ev, a->loc, r, v);
    }
    free_each(lists, lens, k);
    free(args);
    tfg_val_decref(p[1]);
    return give_list(rc, r, out);
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
    int64_t n = tfg_pyapi_u8_len(sv(p[0]), slen(p[0]));
    if (n != 1)
        return tfg_eval_error(ev, a->loc,
                              "ord() expected a character, but string of length %" PRId64 " found", n);
    *out = tfg_val_int(tfg_pyapi_u8_first(sv(p[0]), slen(p[0])));
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
    if (!tfg_pyapi_u8_put(&b, i)) {
        free(tfg_sb_take(&b));
        return tfg_eval_error(ev, a->loc, "chr() arg not in range(0x110000)");
    }
    return give(ev, a->loc, sb_val(&b), out);
}

/* slice(stop) / slice(start, stop[, step]) */
static int bi_slice(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    (void)self;
    if (check_1to3(ev, a, "slice"))
        return -1;
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
    {"print", bi_print, NULL, 0},    {"range", bi_range, NULL, 0},
    {"len", bi_len, NULL, 0},        {"int", bi_int, NULL, 0},
    {"float", bi_float, NULL, 0},    {"str", bi_str, NULL, 0},
    {"repr", bi_repr, NULL, 0},      {"bool", bi_bool, NULL, 0},
    {"abs", bi_abs, NULL, 0},        {"min", bi_min, NULL, 0},
    {"max", bi_max, NULL, 0},        {"sum", bi_sum, NULL, 0},
    {"list", bi_list, NULL, 0},      {"tuple", bi_tuple, NULL, 0},
    {"dict", bi_dict, NULL, 0},      {"round", bi_round, NULL, 0},
    {"enumerate", bi_enumerate, NULL, 0}, {"zip", bi_zip, NULL, 0},
    {"sorted", bi_sorted, NULL, 0},  {"reversed", bi_reversed, NULL, 0},
    {"divmod", bi_divmod, NULL, 0},  {"pow", bi_pow, NULL, 0},
    {"any", bi_any, NULL, 0},        {"all", bi_all, NULL, 0},
    {"map", bi_map, NULL, 0},        {"ord", bi_ord, NULL, 0},
    {"chr", bi_chr, NULL, 0},        {"slice", bi_slice, NULL, 0},
    {NULL, NULL, NULL, 0},
};

/* Python builtins: 0 found (*out a new value), 1 not a builtin. */
int tfg_api_py_lookup(tfg_eval *ev, const char *name, tfg_val *out)
{
    tfg_val unbound = {.t = TFG_V_MISSING};
    return tfg_pyapi_builtin_of(ev, py_builtins, unbound, name, (tfg_loc){0, 0, 0}, out);
}

/* The dtype numpy reads from a builtin given as dtype= (see api_py_impl.h). */
int tfg_pyapi_builtin_dtype(const tfg_builtin *def)
{
    if (def->fn == bi_float)
        return TFG_FLOAT64;
    if (def->fn == bi_int)
        return TFG_INT64;
    if (def->fn == bi_bool)
        return TFG_BOOL;
    return -1;
}

/* ======================================================================
 * Methods of lists and tuples
 * ====================================================================== */

/* Python's == for list searches (identity first, numpy scalars by value). */
static bool item_matches(tfg_val a, tfg_val b)
{
    return tfg_pyapi_is(a, b) || tfg_val_eq(a, b);
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
    return tfg_pyapi_error_with_repr(ev, a->loc, "%s is not in list", p[0]);
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
    return tfg_pyapi_seq_concat(ev, TFG_V_LIST, l, &empty, a->loc, out);
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
const tfg_builtin tfg_pyapi_list_methods[] = {
    {"append", lm_append, NULL, 0},  {"extend", lm_extend, NULL, 0},
    {"pop", lm_pop, NULL, 0},        {"insert", lm_insert, NULL, 0},
    {"index", lm_index, NULL, 0},    {"count", lm_count, NULL, 0},
    {"remove", lm_remove, NULL, 0},  {"reverse", lm_reverse, NULL, 0},
    {"sort", lm_sort, NULL, 0},      {"copy", lm_copy, NULL, 0},
    {"clear", lm_clear, NULL, 0},
    {NULL, NULL, NULL, 0},
};

/* The methods of tuples. */
const tfg_builtin tfg_pyapi_tuple_methods[] = {
    {"index", lm_index, NULL, 0},
    {"count", lm_count, NULL, 0},
    {NULL, NULL, NULL, 0},
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

/* dict.keys(), dict.values(), dict.items() */
BUILTIN_ROW(dm_keys, dict_view, 0)
BUILTIN_ROW(dm_values, dict_view, 1)
BUILTIN_ROW(dm_items, dict_view, 2)

/* dict.get(key, default=None) */
static int dm_get(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    if (mbind(ev, a, "get", "key,default=", p) || tfg_pyapi_check_hashable(ev, p[0], a->loc))
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
    if (mbind(ev, a, "pop", "key,default=", p) || tfg_pyapi_check_hashable(ev, p[0], a->loc))
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
    return tfg_pyapi_error_with_repr(ev, a->loc, "KeyError: %s", p[0]);
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
const tfg_builtin tfg_pyapi_dict_methods[] = {
    {"keys", dm_keys, NULL, 0},      {"values", dm_values, NULL, 0},
    {"items", dm_items, NULL, 0},    {"get", dm_get, NULL, 0},
    {"update", dm_update, NULL, 0},  {"pop", dm_pop, NULL, 0},
    {"setdefault", dm_setdefault, NULL, 0}, {"copy", dm_copy, NULL, 0},
    {"clear", dm_clear, NULL, 0},
    {NULL, NULL, NULL, 0},
};

