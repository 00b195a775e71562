/* value.h — script values of the evaluator (module prefix tfg_val_, tfg_sb_).
 *
 * A tfg_val is a small tagged value passed by value. Scalars (None, bool,
 * int, float, dtype) live inline; graph tensors/ops/variables point into the
 * graph, which outlives every value; everything else points to a reference
 * counted heap object. Ownership: a function returning a tfg_val (in *out or
 * as a result) hands over one reference; tfg_val_incref / tfg_val_decref
 * add and drop one. Containers own references to their items.
 * Host arrays (numpy ndarrays and numpy scalars — rank 0) are tfg_tensor*
 * and use the tensor's own reference count.
 */
#ifndef TFG_VALUE_H
#define TFG_VALUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "graph.h"

typedef enum {
    TFG_V_MISSING = 0,   /* an optional argument not given (never a script value) */
    TFG_V_NONE,
    TFG_V_BOOL,          /* i */
    TFG_V_INT,           /* i */
    TFG_V_FLOAT,         /* f */
    TFG_V_STR,           /* p: tfg_str */
    TFG_V_LIST,          /* p: tfg_list */
    TFG_V_TUPLE,         /* p: tfg_list */
    TFG_V_DICT,          /* p: tfg_dict */
    TFG_V_ARRAY,         /* p: tfg_tensor (numpy ndarray; rank 0 = numpy scalar) */
    TFG_V_TENSOR,        /* e: a graph endpoint (tf.Tensor) */
    TFG_V_OP,            /* e.node: a graph node as tf.Operation */
    TFG_V_VARIABLE,      /* e.node: the VariableV2 node (tf.Variable) */
    TFG_V_DTYPE,         /* i: tfg_dtype */
    TFG_V_SHAPE,         /* p: tfg_shapeobj (TensorShape) */
    TFG_V_MODULE,        /* p: tfg_str holding the path: "tf", "tf.nn", "np" */
    TFG_V_BUILTIN,       /* p: tfg_builtinobj (function, maybe bound to a self value) */
    TFG_V_FUNC,          /* p: tfg_funcobj (a script `def` or lambda) */
    TFG_V_SESSION,       /* p: tfg_sessobj */
    TFG_V_CTX,           /* p: tfg_ctxobj (device, name_scope, control_dependencies, as_default) */
    TFG_V_CONFIG,        /* p: tfg_configobj (tf.ConfigProto) */
    TFG_V_GRAPH,         /* the default graph object */
    TFG_V_RANGE,         /* p: tfg_list of 3 ints start, stop, step (iterable, lazily) */
    TFG_V_SLICE,         /* p: tfg_list of 3 items start, stop, step (TFG_V_NONE when absent) */
    TFG_V_OBJECT,        /* p: tfg_objectobj: a library object (optimizer, Saver, ...) */
    TFG_V_UNKNOWN,       /* a run result in dry mode (`tfg check`, `tfg graph`) */
    TFG_V_TYPE_COUNT
} tfg_vtype;

typedef struct tfg_val {
    tfg_vtype t;
    union {
        int64_t i;
        double f;
        void *p;
        tfg_endpoint e;
    } u;
} tfg_val;

/* Heap object header: every p of a refcounted kind starts with it. */
typedef struct tfg_obj {
    int refcount;
} tfg_obj;

typedef struct tfg_str {
    tfg_obj h;
    size_t len;
    char s[];            /* NUL-terminated */
} tfg_str;

typedef struct tfg_list {
    tfg_obj h;
    int n, cap;
    tfg_val *items;
} tfg_list;

typedef struct tfg_dict {
    tfg_obj h;
    int n, cap;
    tfg_val *keys;       /* insertion order; keys compared with tfg_val_eq */
    tfg_val *vals;
} tfg_dict;

typedef struct tfg_shapeobj {
    tfg_obj h;
    tfg_shape shape;
} tfg_shapeobj;

struct tfg_eval;
struct tfg_args;
/* A builtin function: fn gets the bound self (TFG_V_MISSING when unbound). */
typedef int (*tfg_builtin_fn)(struct tfg_eval *ev, tfg_val self, struct tfg_args *a, tfg_val *out);
typedef struct tfg_builtin {
    const char *name;    /* as the script names it: "matmul", "run" */
    tfg_builtin_fn fn;
    const char *data;    /* per-entry constant: an op type, a default name... */
    int flag;            /* per-entry constant */
} tfg_builtin;

typedef struct tfg_builtinobj {
    tfg_obj h;
    const tfg_builtin *def;
    tfg_val self;
} tfg_builtinobj;

typedef struct tfg_funcobj {
    tfg_obj h;
    const void *def;     /* the DEF or LAMBDA ast node (const tfg_ast *) */
} tfg_funcobj;

typedef struct tfg_session tfg_session;
typedef struct tfg_sessobj {
    tfg_obj h;
    tfg_session *s;      /* NULL once closed */
    bool interactive;
} tfg_sessobj;

typedef enum { TFG_CTX_DEVICE, TFG_CTX_SCOPE, TFG_CTX_CONTROL, TFG_CTX_DEFAULT_SESSION,
               TFG_CTX_NULL } tfg_ctxkind;
typedef struct tfg_ctxobj {
    tfg_obj h;
    tfg_ctxkind kind;
    char *text;          /* device spec / scope name (malloc'd) */
    tfg_node **nodes;    /* control dependencies (malloc'd) */
    int nnodes;
    tfg_val session;     /* DEFAULT_SESSION */
} tfg_ctxobj;

/* A library class: its Python name and its attribute/method lookup
 * (0 found, 1 absent, -1 error), as tfg_api_tf_getattr. */
struct tfg_eval;
typedef struct tfg_objclass {
    const char *name;            /* "GradientDescentOptimizer" */
    const char *module;          /* for repr: "tensorflow.python.training.gradient_descent" */
    int (*getattr)(struct tfg_eval *ev, tfg_val self, const char *name, tfg_loc loc, tfg_val *out);
    void (*free)(void *state);   /* frees `state` (may be NULL) */
} tfg_objclass;

typedef struct tfg_objectobj {
    tfg_obj h;
    const tfg_objclass *cls;
    tfg_val attrs;               /* a DICT of plain attributes the class keeps */
    void *state;                 /* class-private C state, freed by cls->free */
} tfg_objectobj;

/* A new library object with an empty attribute dict (MISSING on OOM). */
tfg_val tfg_val_object(const tfg_objclass *cls);

typedef struct tfg_configobj {
    tfg_obj h;
    bool soft_placement, log_placement;
} tfg_configobj;

/* ---- constructors (each returns a value owning one reference) ---------- */
tfg_val tfg_val_none(void);
tfg_val tfg_val_bool(bool b);
tfg_val tfg_val_int(int64_t i);
tfg_val tfg_val_float(double f);
tfg_val tfg_val_dtype(tfg_dtype d);
tfg_val tfg_val_str(const char *s, size_t len);      /* copies; TFG_V_MISSING on OOM */
tfg_val tfg_val_cstr(const char *s);
tfg_val tfg_val_tensor(tfg_endpoint e);
tfg_val tfg_val_op(tfg_node *n);
tfg_val tfg_val_variable(tfg_node *n);
tfg_val tfg_val_array(tfg_tensor *t);                /* takes over the caller's reference */
tfg_val tfg_val_list_new(tfg_vtype t, int cap);      /* TFG_V_LIST or TFG_V_TUPLE, empty */
int tfg_val_list_append(tfg_val list, tfg_val item); /* takes over item's reference */
tfg_val tfg_val_dict_new(void);
int tfg_val_dict_set(tfg_val dict, tfg_val key, tfg_val v);  /* takes over both references */
tfg_val *tfg_val_dict_get(tfg_val dict, tfg_val key);        /* borrowed, NULL if absent */
tfg_val tfg_val_shape(const tfg_shape *s);
tfg_val tfg_val_module(const char *path);
tfg_val tfg_val_builtin(const tfg_builtin *def, tfg_val self);  /* self: new ref taken */
tfg_val tfg_val_obj(tfg_vtype t, size_t size);       /* zeroed object of a heap kind */

tfg_val tfg_val_incref(tfg_val v);                   /* returns v */
void tfg_val_decref(tfg_val v);

static inline tfg_list *tfg_val_as_list(tfg_val v) { return (tfg_list *)v.u.p; }
static inline tfg_dict *tfg_val_as_dict(tfg_val v) { return (tfg_dict *)v.u.p; }
static inline tfg_str *tfg_val_as_str(tfg_val v) { return (tfg_str *)v.u.p; }
static inline tfg_tensor *tfg_val_as_array(tfg_val v) { return (tfg_tensor *)v.u.p; }

/* Python's type name for messages: "int", "list", "Tensor", "Session". */
const char *tfg_val_type_name(tfg_val v);
/* Python == for host values; identity for graph objects and sessions. */
bool tfg_val_eq(tfg_val a, tfg_val b);
bool tfg_val_is_number(tfg_val v);                   /* bool, int, float */
double tfg_val_to_double(tfg_val v);                 /* of a number */

/* ---- growable string buffer ------------------------------------------------- */
typedef struct tfg_sb {
    char *s;
    size_t len, cap;
    bool oom;
} tfg_sb;
void tfg_sb_add(tfg_sb *b, const char *s);
void tfg_sb_addn(tfg_sb *b, const char *s, size_t n);
void tfg_sb_printf(tfg_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *tfg_sb_take(tfg_sb *b);                        /* the malloc'd string; resets b */

/* Python str() / repr() of a value, appended to b (numpy formatting for arrays). */
void tfg_val_str_into(tfg_sb *b, tfg_val v);
void tfg_val_repr_into(tfg_sb *b, tfg_val v);

#endif
