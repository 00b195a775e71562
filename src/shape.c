/* shape.c — static shapes (tfg_shape_*) and the helpers infer functions share
 * (tfg_ops_*, see ops.h): constant folding of shape-defining inputs, shape
 * merging and TensorFlow-worded error messages. Build-time code: clarity
 * over speed, except tfg_ops_read_ints, which kernels call. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ops.h"

/* ---- tfg_shape ------------------------------------------------------------------ */

/* A shape of unknown rank. */
tfg_shape tfg_shape_unknown(void)
{
    tfg_shape s;
    memset(&s, 0, sizeof s);
    s.rank = -1;
    return s;
}

/* The shape of a scalar: rank 0. */
tfg_shape tfg_shape_scalar(void)
{
    tfg_shape s;
    memset(&s, 0, sizeof s);
    return s;
}

/* A shape from rank and dims (dims may be NULL: all unknown); rank < 0 or
 * above TFG_MAX_RANK gives the unknown shape. */
tfg_shape tfg_shape_make(int rank, const int64_t *dims)
{
    if (rank < 0 || rank > TFG_MAX_RANK) return tfg_shape_unknown();
    tfg_shape s = tfg_shape_scalar();
    s.rank = rank;
    for (int i = 0; i < rank; i++) s.dim[i] = dims ? (dims[i] < 0 ? -1 : dims[i]) : -1;
    return s;
}

/* The (fully known) static shape of a concrete tensor. */
tfg_shape tfg_shape_of_tensor(const tfg_tensor *t)
{
    return tfg_shape_make(t->rank, t->shape);
}

/* True when the rank and every dimension are known. */
bool tfg_shape_fully_defined(const tfg_shape *s)
{
    if (s->rank < 0) return false;
    for (int i = 0; i < s->rank; i++)
        if (s->dim[i] < 0) return false;
    return true;
}

/* Number of elements, -1 when not fully defined (or when it overflows). */
int64_t tfg_shape_num_elements(const tfg_shape *s)
{
    if (!tfg_shape_fully_defined(s)) return -1;
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dim[i] != 0 && n > INT64_MAX / s->dim[i]) return -1;
        n *= s->dim[i];
    }
    return n;
}

/* TF's text of a shape: "[1,2]", "[?,784]", "[]", "<unknown>". */
void tfg_shape_str(const tfg_shape *s, char *buf, size_t n)
{
    if (n == 0) return;
    if (s->rank < 0) {
        snprintf(buf, n, "<unknown>");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int i = -1; i <= s->rank && used < n; i++) {
        int w;
        if (i < 0) w = snprintf(buf + used, n - used, "[");
        else if (i == s->rank) w = snprintf(buf + used, n - used, "]");
        else if (s->dim[i] < 0) w = snprintf(buf + used, n - used, i ? ",?" : "?");
        else w = snprintf(buf + used, n - used, i ? ",%" PRId64 : "%" PRId64, s->dim[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* Python's TensorShape text: "(1, 2)", "(2,)", "()", "(?, 784)", "<unknown>". */
void tfg_shape_pystr(const tfg_shape *s, char *buf, size_t n)
{
    if (n == 0) return;
    if (s->rank < 0) {
        snprintf(buf, n, "<unknown>");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int i = -1; i <= s->rank && used < n; i++) {
        int w;
        if (i < 0) w = snprintf(buf + used, n - used, "(");
        else if (i == s->rank) w = snprintf(buf + used, n - used, s->rank == 1 ? ",)" : ")");
        else if (s->dim[i] < 0) w = snprintf(buf + used, n - used, i ? ", ?" : "?");
        else w = snprintf(buf + used, n - used, i ? ", %" PRId64 : "%" PRId64, s->dim[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* Does a concrete shape (rank, dims) fit the static shape s? */
bool tfg_shape_compatible(const tfg_shape *s, int rank, const int64_t *dims)
{
    if (s->rank < 0) return true;
    if (s->rank != rank) return false;
    for (int i = 0; i < rank; i++)
        if (s->dim[i] >= 0 && s->dim[i] != dims[i]) return false;
    return true;
}

/* numpy broadcast of two static shapes as TF's BroadcastBinaryOpOutputShapeFn:
 * unknown rank gives unknown rank; an unknown dim against 1 stays unknown,
 * against d > 1 becomes d. -1 when two known dims differ and neither is 1. */
int tfg_shape_broadcast(const tfg_shape *a, const tfg_shape *b, tfg_shape *out)
{
    if (a->rank < 0 || b->rank < 0) {
        *out = tfg_shape_unknown();
        return 0;
    }
    int r = a->rank > b->rank ? a->rank : b->rank;
    tfg_shape o = tfg_shape_scalar();
    o.rank = r;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dim[ia] : 1, db = ib >= 0 ? b->dim[ib] : 1;
        if (da < 0 && db < 0) o.dim[i] = -1;
        else if (da < 0) o.dim[i] = db > 1 ? db : -1;
        else if (db < 0) o.dim[i] = da > 1 ? da : -1;
        else if (da == db || db == 1) o.dim[i] = da;
        else if (da == 1) o.dim[i] = db;
        else return -1;
    }
    *out = o;
    return 0;
}

/* ---- reading inputs ---------------------------------------------------------------- */

/* The Const value behind an endpoint, or NULL. */
const tfg_tensor *tfg_ops_const_value(tfg_endpoint e)
{
    if (!e.node || !e.node->op || strcmp(e.node->op->type, "Const") != 0) return NULL;
    return e.node->attr.value;
}

/* Static dtype of input i. */
tfg_dtype tfg_ops_in_dtype(const tfg_node *n, int i)
{
    tfg_endpoint e = n->inputs[i];
    return e.node->out_dtype[e.index];
}

/* Static shape of input i. */
const tfg_shape *tfg_ops_in_shape(const tfg_node *n, int i)
{
    tfg_endpoint e = n->inputs[i];
    return &e.node->out_shape[e.index];
}

/* One output of dtype dt and shape s. */
int tfg_ops_set_output(tfg_node *n, tfg_dtype dt, const tfg_shape *s)
{
    n->noutputs = 1;
    n->out_dtype[0] = dt;
    n->out_shape[0] = *s;
    return 0;
}

/* Input i as a constant integer scalar or one-element vector. */
bool tfg_ops_const_int(const tfg_node *n, int i, int64_t *v)
{
    const tfg_tensor *t = tfg_ops_const_value(n->inputs[i]);
    if (!t || !tfg_dtype_is_int(t->dtype) || t->size != 1 || t->rank > 1) return false;
    *v = tfg_tensor_get_i(t, 0);
    return true;
}

/* Input i (a shape vector) as a partial shape; see ops.h. */
int tfg_ops_shape_input(const tfg_node *n, int i, tfg_shape *out, bool *partial, tfg_error *err)
{
    tfg_endpoint e = n->inputs[i];
    const tfg_tensor *t = tfg_ops_const_value(e);
    const tfg_shape *ss = tfg_ops_in_shape(n, i);
    if (partial) *partial = false;
    if (t && tfg_dtype_is_int(t->dtype) && t->rank <= 1) {
        if (t->size > TFG_MAX_RANK)
            return tfg_error_set(err, "Shape of rank %" PRId64 " exceeds the maximum rank %d",
                                 t->size, TFG_MAX_RANK);
        tfg_shape s = tfg_shape_scalar();
        s.rank = (int)t->size;
        for (int k = 0; k < s.rank; k++) {
            int64_t v = tfg_tensor_get_i(t, k);
            if (v < -1)
                return tfg_error_set(err, "Invalid value in tensor used for shape: %" PRId64, v);
            s.dim[k] = v;
        }
        *out = s;
        if (partial) *partial = true;
        return 0;
    }
    const char *type = e.node->op->type;
    if (strcmp(type, "Shape") == 0 && e.node->ninputs == 1) {
        *out = *tfg_ops_in_shape(e.node, 0);
        if (partial) *partial = true;
        return 0;
    }
    if (strcmp(type, "Pack") == 0 && e.node->attr.i[0] == 0 && e.node->ninputs <= TFG_MAX_RANK) {
        tfg_shape s = tfg_shape_scalar();
        s.rank = e.node->ninputs;
        for (int k = 0; k < s.rank; k++) {
            int64_t v;
            if (tfg_ops_in_shape(e.node, k)->rank > 0) goto fallback;
            if (!tfg_ops_const_int(e.node, k, &v)) v = -1;
            if (v < -1)
                return tfg_error_set(err, "Invalid value in tensor used for shape: %" PRId64, v);
            s.dim[k] = v;
        }
        *out = s;
        if (partial) *partial = true;
        return 0;
    }
fallback:
    if (ss->rank == 1 && ss->dim[0] >= 0 && ss->dim[0] <= TFG_MAX_RANK)
        *out = tfg_shape_make((int)ss->dim[0], NULL);
    else if (ss->rank == 0)
        *out = tfg_shape_scalar();
    else
        *out = tfg_shape_unknown();
    return 0;
}

/* ---- shape algebra ------------------------------------------------------------------ */

/* TF's InferenceContext::Merge with its messages. */
int tfg_ops_merge(const tfg_shape *a, const tfg_shape *b, tfg_shape *out, char *msg, size_t n)
{
    if (a->rank < 0) { *out = *b; return 0; }
    if (b->rank < 0) { *out = *a; return 0; }
    if (a->rank != b->rank) {
        snprintf(msg, n, "Shapes must be equal rank, but are %d and %d", a->rank, b->rank);
        return -1;
    }
    tfg_shape o = *a;
    for (int i = 0; i < a->rank; i++) {
        int64_t da = a->dim[i], db = b->dim[i];
        if (da >= 0 && db >= 0 && da != db) {
            char sa[128], sb[128];
            tfg_shape_str(a, sa, sizeof sa);
            tfg_shape_str(b, sb, sizeof sb);
            snprintf(msg, n,
                     "Dimension %d in both shapes must be equal, but are %" PRId64 " and %" PRId64
                     ". Shapes are %s and %s.",
                     i, da, db, sa, sb);
            return -1;
        }
        o.dim[i] = da >= 0 ? da : db;
    }
    *out = o;
    return 0;
}

/* ---- error builders ------------------------------------------------------------------ */

/* A bounded string builder: appends never overflow, the text is cut instead. */
typedef struct {
    char *buf;
    size_t cap, len;
} strbuf;

/* Appends printf-style text to b. */
static void sb_vadd(strbuf *b, const char *fmt, va_list ap)
{
    if (b->len + 1 >= b->cap) return;
    int w = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
    if (w < 0) return;
    b->len += (size_t)w;
    if (b->len >= b->cap) b->len = b->cap - 1;
}

/* Appends printf-style text to b. */
static void sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

/* Appends a Const's values as TF's SummarizeValue: "<3>", "<0 2>", up to 10 then "...". */
static void sb_add_values(strbuf *b, const tfg_tensor *t)
{
    sb_add(b, "<");
    for (int64_t k = 0; k < t->size && k < 10; k++) {
        if (k) sb_add(b, " ");
        if (tfg_dtype_is_float(t->dtype)) sb_add(b, "%g", tfg_tensor_get_f(t, k));
        else sb_add(b, "%" PRId64, tfg_tensor_get_i(t, k));
    }
    if (t->size > 10) sb_add(b, "...");
    sb_add(b, ">");
}

/* Builds "MSG for 'NODE' (op: 'TYPE') with input shapes: ... [suffixes]." into err. */
static int shape_error_v(tfg_error *err, const tfg_node *n, unsigned computed, unsigned partial,
                         const char *fmt, va_list ap)
{
    char text[sizeof err->msg];
    strbuf b = { text, sizeof text, 0 };
    text[0] = '\0';
    sb_vadd(&b, fmt, ap);
    sb_add(&b, " for '%s' (op: '%s') with input shapes: ", n->name ? n->name : "?",
           n->op ? n->op->type : "?");
    for (int i = 0; i < n->ninputs; i++) {
        char s[160];
        tfg_shape_str(tfg_ops_in_shape(n, i), s, sizeof s);
        sb_add(&b, i ? ", %s" : "%s", s);
    }
    bool first = true;
    for (int i = 0; i < n->ninputs && i < 32; i++) {
        const tfg_tensor *t = tfg_ops_const_value(n->inputs[i]);
        if (!(computed & (1u << i)) || !t) continue;
        sb_add(&b, first ? " and with computed input tensors: input[%d] = " : ", input[%d] = ", i);
        sb_add_values(&b, t);
        first = false;
    }
    first = true;
    for (int i = 0; i < n->ninputs && i < 32; i++) {
        tfg_shape ps;
        char s[160];
        if (!(partial & (1u << i)) || tfg_ops_shape_input(n, i, &ps, NULL, NULL)) continue;
        tfg_shape_str(&ps, s, sizeof s);
        sb_add(&b, first ? " and with input tensors computed as partial shapes: input[%d] = %s"
                         : ", input[%d] = %s",
               i, s);
        first = false;
    }
    sb_add(&b, ".");
    return tfg_error_set(err, "%s", text);
}

/* "MSG for 'NODE' (op: 'TYPE') with input shapes: [2], [3]." */
int tfg_ops_shape_error(tfg_error *err, const tfg_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    shape_error_v(err, n, 0, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* The same with computed-tensor and partial-shape suffixes. */
int tfg_ops_shape_error_with(tfg_error *err, const tfg_node *n, unsigned computed,
                             unsigned partial, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    shape_error_v(err, n, computed, partial, fmt, ap);
    va_end(ap);
    return -1;
}

/* Two inputs that must share a dtype do not. */
int tfg_ops_type_mismatch(tfg_error *err, const tfg_node *n, const char *arg, tfg_dtype got,
                          const char *arg0, tfg_dtype want)
{
    return tfg_error_set(err,
                         "Input '%s' of '%s' Op has type %s that does not match type %s of "
                         "argument '%s'.",
                         arg, n->op->type, tfg_dtype_name(got), tfg_dtype_name(want), arg0);
}

/* An input of a fixed dtype has another. */
int tfg_ops_type_expected(tfg_error *err, const tfg_node *n, const char *arg, tfg_dtype got,
                          tfg_dtype want)
{
    return tfg_error_set(err,
                         "Input '%s' of '%s' Op has type %s that does not match expected type "
                         "of %s.",
                         arg, n->op->type, tfg_dtype_name(got), tfg_dtype_name(want));
}

/* An input's dtype is not among the op's allowed ones (listed in TF's usual order). */
int tfg_ops_type_not_allowed(tfg_error *err, const char *param, tfg_dtype got, unsigned allowed)
{
    static const tfg_dtype order[] = { TFG_FLOAT32, TFG_FLOAT64, TFG_INT32,
                                       TFG_UINT8,   TFG_INT64,   TFG_BOOL };
    char list[128];
    strbuf b = { list, sizeof list, 0 };
    list[0] = '\0';
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        if (allowed & TFG_DT_BIT(order[k]))
            sb_add(&b, b.len ? ", %s" : "%s", tfg_dtype_name(order[k]));
    return tfg_error_set(err,
                         "Value passed to parameter '%s' has DataType %s not in list of allowed "
                         "values: %s",
                         param, tfg_dtype_name(got), list);
}

/* The dtypes of a list input disagree. */
int tfg_ops_type_list_mismatch(tfg_error *err, const tfg_node *n, const char *list, int first,
                               int count)
{
    char types[512];
    strbuf b = { types, sizeof types, 0 };
    types[0] = '\0';
    for (int i = first; i < first + count; i++)
        sb_add(&b, i > first ? ", %s" : "%s", tfg_dtype_name(tfg_ops_in_dtype(n, i)));
    return tfg_error_set(err,
                         "Tensors in list passed to '%s' of '%s' Op have types [%s] that don't "
                         "all match.",
                         list, n->op->type, types);
}

/* ---- common checks ------------------------------------------------------------------- */

/* Input i's dtype must be in allowed. */
int tfg_ops_check_dtype(const tfg_node *n, int i, const char *param, unsigned allowed,
                        tfg_error *err)
{
    tfg_dtype dt = tfg_ops_in_dtype(n, i);
    if (allowed & TFG_DT_BIT(dt)) return 0;
    return tfg_ops_type_not_allowed(err, param, dt, allowed);
}

/* Input i must have exactly this rank (when its rank is known). */
int tfg_ops_check_rank(const tfg_node *n, int i, int rank, tfg_error *err)
{
    int r = tfg_ops_in_shape(n, i)->rank;
    if (r < 0 || r == rank) return 0;
    return tfg_ops_shape_error(err, n, "Shape must be rank %d but is rank %d", rank, r);
}

/* Input i must have at most this rank (when known). */
int tfg_ops_check_rank_at_most(const tfg_node *n, int i, int rank, tfg_error *err)
{
    int r = tfg_ops_in_shape(n, i)->rank;
    if (r < 0 || r <= rank) return 0;
    return tfg_ops_shape_error(err, n, "Shape must be at most rank %d but is rank %d", rank, r);
}

/* Input i must have at least this rank (when known). */
int tfg_ops_check_rank_at_least(const tfg_node *n, int i, int rank, tfg_error *err)
{
    int r = tfg_ops_in_shape(n, i)->rank;
    if (r < 0 || r >= rank) return 0;
    return tfg_ops_shape_error(err, n, "Shape must be at least rank %d but is rank %d", rank, r);
}

/* ---- for kernels ------------------------------------------------------------------------ */

/* Small integer tensor into buf (no allocation). */
int tfg_ops_read_ints(const tfg_tensor *t, int64_t *buf, int max, int *count, const char *what,
                      tfg_error *err)
{
    if (t->size > max)
        return tfg_error_set(err, "%s must have at most %d elements, got %" PRId64, what, max,
                             t->size);
    switch (t->dtype) {
    case TFG_INT32: {
        const int32_t *p = t->data;
        for (int64_t k = 0; k < t->size; k++) buf[k] = p[k];
        break;
    }
    case TFG_INT64:
        memcpy(buf, t->data, (size_t)t->size * sizeof(int64_t));
        break;
    default:
        for (int64_t k = 0; k < t->size; k++) buf[k] = tfg_tensor_get_i(t, k);
        break;
    }
    *count = (int)t->size;
    return 0;
}

/* ---- shape algebra on a node's inputs ------------------------------------------------------ */

/* Broadcast with TF's message naming the first pair of dims that clash. */
int tfg_ops_broadcast(const tfg_node *n, const tfg_shape *a, const tfg_shape *b, tfg_shape *out,
                      tfg_error *err)
{
    if (tfg_shape_broadcast(a, b, out) == 0) return 0;
    int r = a->rank > b->rank ? a->rank : b->rank;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dim[ia] : 1, db = ib >= 0 ? b->dim[ib] : 1;
        if (da >= 0 && db >= 0 && da != db && da != 1 && db != 1)
            return tfg_ops_shape_error(err, n,
                                       "Dimensions must be equal, but are %" PRId64 " and %" PRId64,
                                       da, db);
    }
    return tfg_ops_shape_error(err, n, "Incompatible shapes");
}

/* Merges inputs [first, first+count) from the last down, as TF's AddN and Pack. */
int tfg_ops_merge_inputs(const tfg_node *n, int first, int count, tfg_shape *out,
                         tfg_error *err)
{
    tfg_shape cur = *tfg_ops_in_shape(n, first + count - 1);
    for (int i = count - 1; i >= 0; i--) {
        char msg[512];
        if (tfg_ops_merge(tfg_ops_in_shape(n, first + i), &cur, &cur, msg, sizeof msg))
            return tfg_ops_shape_error(err, n, "%s From merging shape %d with other shapes.", msg,
                                       i);
    }
    *out = cur;
    return 0;
}

/* A shape vector into dims, every entry >= 0 (no allocation). */
int tfg_ops_read_dims(const tfg_tensor *t, int64_t *dims, int *rank, tfg_error *err)
{
    if (tfg_ops_read_ints(t, dims, TFG_MAX_RANK, rank, "shape", err)) return -1;
    for (int i = 0; i < *rank; i++)
        if (dims[i] < 0) return tfg_error_set(err, "Dimension %" PRId64 " must be >= 0", dims[i]);
    return 0;
}
