/* eval.h — the tree-walking evaluator of .tfg scripts and the interface the
 * builtin libraries use (module prefix tfg_eval_; libraries tfg_api_tf_*
 * in api_tf*.c (TensorFlow), tfg_api_py_* / tfg_api_np_* in api_py*.c and
 * api_np*.c (Python builtins, numpy, host values), tfg_api_data_* in
 * api_data.c (data loaders, extra modules)).
 *
 * The evaluator owns its globals, the default graph and the sessions it
 * creates. Errors: every function returning int gives 0, or -1 after
 * recording one error (message + location) in the evaluator with
 * tfg_eval_error; the first recorded error wins and is printed once by the
 * caller of tfg_eval_run. Values follow value.h's reference rules; tfg_args
 * items are borrowed by the callee.
 */
#ifndef TFG_EVAL_H
#define TFG_EVAL_H

#include <stdio.h>
#include "ast.h"
#include "graph.h"
#include "session.h"
#include "value.h"

typedef struct tfg_args {
    tfg_val *pos;
    int npos;
    const char **kwnames;
    tfg_val *kw;
    int nkw;
    tfg_loc loc;           /* the call's location (start of the callee) */
} tfg_args;

typedef struct tfg_env tfg_env;   /* name -> value map (eval.c private) */

typedef struct tfg_eval_opts {
    bool dry;               /* build only: sessions run nothing (tfg check / graph) */
    bool quiet;             /* suppress the script's print output */
    bool soft_placement;    /* forced on for every session (--soft-placement) */
    bool log_placement;
    int threads;
    const char *default_device;   /* --device */
    long max_steps;         /* loop iterations allowed in all (0 = unlimited; the fuzzer bounds it) */
    int argc;               /* the script's sys.argv (argv[0] = the file); 0: just the file name */
    const char *const *argv;
} tfg_eval_opts;

typedef struct tfg_eval {
    const tfg_source *src;
    tfg_graph *g;
    tfg_eval_opts opts;
    tfg_env *globals;
    tfg_env *locals;        /* inside a def call, else NULL */
    FILE *out;              /* where print writes */
    /* default sessions: innermost `with Session` / InteractiveSession last */
    tfg_val *defaults;
    int ndefaults, capdefaults;
    tfg_val interactive;    /* the InteractiveSession, or TFG_V_NONE */
    /* the first error */
    bool failed;
    char msg[1200];
    tfg_loc loc;
    /* control flow of the statement being run */
    int flow;               /* 0, or TFG_FLOW_BREAK / CONTINUE / RETURN */
    tfg_val retval;
    int depth;              /* call depth, bounded */
    long steps;             /* loop iterations so far (see opts.max_steps) */
    tfg_arena *arena;       /* the AST arena */
} tfg_eval;

enum { TFG_FLOW_NONE, TFG_FLOW_BREAK, TFG_FLOW_CONTINUE, TFG_FLOW_RETURN };

/* ---- life cycle ----------------------------------------------------------- */
tfg_eval *tfg_eval_new(const tfg_source *src, const tfg_eval_opts *opts);
void tfg_eval_free(tfg_eval *ev);
/* Runs a parsed MODULE. -1 on error (see ev->msg / ev->loc; not yet printed). */
int tfg_eval_run(tfg_eval *ev, const tfg_ast *module);
/* Prints the recorded error through tfg_diag_error. */
void tfg_eval_print_error(tfg_eval *ev, FILE *out);
/* A global's value (borrowed), or NULL. */
tfg_val *tfg_eval_global(tfg_eval *ev, const char *name);
/* Evaluates a literal expression (numbers, lists, tuples, unary minus, True/False). */
int tfg_eval_literal(tfg_eval *ev, const tfg_ast *expr, tfg_val *out);

/* ---- for the builtin libraries ------------------------------------------- */
/* Records an error at loc (the first one wins); returns -1. */
int tfg_eval_error(tfg_eval *ev, tfg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Binds args to a parameter spec such as "x,y,name=" or "input_tensor,axis=,
 * keepdims=,name=,reduction_indices=,keep_dims=" or "*inputs,name=":
 * names before '=' are required; "*n" collects the remaining positionals into
 * a borrowed tuple... (see eval.c). out[i] receives borrowed values, with
 * TFG_V_MISSING for absent optionals; for "*n" out[i] is a new TUPLE value
 * the caller must decref. Errors are Python's TypeError wording:
 * "matmul() missing required argument 'b'", "matmul() got an unexpected
 * keyword argument 'c'", "matmul() takes 2 positional arguments but 3 were given". */
int tfg_eval_bind(tfg_eval *ev, tfg_args *a, const char *fname, const char *spec, tfg_val *out);
/* Calls any callable value. */
int tfg_eval_call(tfg_eval *ev, tfg_val fn, tfg_args *a, tfg_val *out);
/* Python truth of a host value; error for a graph tensor. */
int tfg_eval_truth(tfg_eval *ev, tfg_val v, tfg_loc loc, bool *out);
/* The items of an iterable (list, tuple, range, dict keys, str chars, array
 * rows): a new array of new references the caller decrefs and frees. */
int tfg_eval_iter(tfg_eval *ev, tfg_val v, tfg_loc loc, tfg_val **items, int *n);
/* Attribute of any value (module members, methods, tensor properties). */
int tfg_eval_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out);
/* Binary / unary operator (ops are TFG_OP_* of ast.h) on any values: builds
 * graph ops when a graph tensor is involved, computes on host values else. */
int tfg_eval_binop(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, tfg_val *out);
int tfg_eval_unop(tfg_eval *ev, int op, tfg_val a, tfg_loc loc, tfg_val *out);

/* Host value (number, nested list/tuple of numbers, array) -> new host tensor.
 * dtype_hint < 0: inferred (ints int32, floats float32, bools bool; arrays keep
 * their dtype). strict: a float that cannot be represented in an int hint is
 * an error ("Expected int32, but got 2.5 of type 'float'."); non-strict casts
 * as numpy's asarray(dtype=) does (feeds). */
int tfg_eval_to_host(tfg_eval *ev, tfg_val v, int dtype_hint, bool strict, tfg_loc loc,
                     tfg_tensor **out);
/* Any tensor-like value -> graph endpoint: tensors as they are (dtype checked
 * against the hint), variables as their read value, host values as a new Const
 * node named `name` (in the current scope). */
int tfg_eval_to_tensor(tfg_eval *ev, tfg_val v, int dtype_hint, const char *name, tfg_loc loc,
                       tfg_endpoint *out);
/* The dtype a value converts to without a hint (-1 when not tensor-like). */
int tfg_eval_natural_dtype(tfg_val v);
/* Adds a node; on error records it at loc (TF messages pass through). */
tfg_node *tfg_eval_node(tfg_eval *ev, const char *type, const char *name,
                        const tfg_endpoint *inputs, int n, const tfg_attrs *attrs, tfg_loc loc);
/* Runs fetches (any nested structure of tensors/ops/variables/names) with a
 * feed dict (or TFG_V_NONE/MISSING) in a session; *out has the same structure
 * with host arrays (None for ops). */
int tfg_eval_session_run(tfg_eval *ev, tfg_val sess, tfg_val fetches, tfg_val feed_dict,
                         tfg_loc loc, tfg_val *out);
/* The default session (innermost `with`, else the InteractiveSession), or MISSING. */
tfg_val tfg_eval_default_session(tfg_eval *ev);

/* ---- the libraries ---------------------------------------------------------- */
/* TensorFlow names ("matmul", "float32", "nn", "Session", ...): *out is a new
 * value; returns 0, or 1 when the name is not TensorFlow's. path is the module
 * path it was looked up in ("tf", "tf.nn", "tf.train", ...). */
int tfg_api_tf_lookup(tfg_eval *ev, const char *path, const char *name, tfg_val *out);
/* Attributes of graph objects (Tensor, Operation, Variable, Session, dtype,
 * TensorShape, Graph, ConfigProto): 0, 1 when absent, -1 on error. */
int tfg_api_tf_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out);
/* Operators with a graph tensor operand build ops as TF's operator overloads
 * do ("add", "mul", "truediv", "MatMul", "Neg", "Less"...); subscripts build
 * StridedSlice. */
int tfg_api_tf_binop(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, tfg_val *out);
int tfg_api_tf_unop(tfg_eval *ev, int op, tfg_val a, tfg_loc loc, tfg_val *out);
int tfg_api_tf_subscript(tfg_eval *ev, tfg_val obj, tfg_val idx, tfg_loc loc, tfg_val *out);
/* Extra modules a script may import (api_data.c: e.g. "time", "sys"):
 * is_module says whether `import NAME` is allowed; module looks a member up
 * (0 found, 1 absent, -1 error). */
bool tfg_api_data_is_module(const char *path);
int tfg_api_data_module(tfg_eval *ev, const char *path, const char *name, tfg_val *out);
/* Python builtins (print, range, len, ...): 0 found, 1 not a builtin. */
int tfg_api_py_lookup(tfg_eval *ev, const char *name, tfg_val *out);
/* numpy names (np.array, np.float32, ...): 0 found, 1 not. */
int tfg_api_np_lookup(tfg_eval *ev, const char *path, const char *name, tfg_val *out);
/* Attributes of host values (array .shape/.dtype/.T/.reshape/.astype/.sum/
 * .mean/.argmax/.tolist/.item, list .append, dict .items/.keys/.values/.get,
 * str .format/.join/.upper...): 0, 1 when absent, -1 on error. */
int tfg_api_py_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out);
/* Operators on host values only (numbers, str, list, tuple, arrays with numpy
 * semantics and NEP 50 promotion, str % args formatting): 0, 1 when the
 * operand types are not supported (caller reports), -1 on error. */
int tfg_api_py_binop(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, tfg_val *out);
int tfg_api_py_unop(tfg_eval *ev, int op, tfg_val a, tfg_loc loc, tfg_val *out);
/* Subscript of host values: list/tuple/str by int or slice, dict by key,
 * arrays by numpy basic indexing. idx is an int, a TFG_V_SLICE, None
 * (np.newaxis), or a tuple of those. 0 / 1 / -1. */
int tfg_api_py_subscript(tfg_eval *ev, tfg_val obj, tfg_val idx, tfg_loc loc, tfg_val *out);
/* Converts an index value (int, SLICE, None, or tuple of them) to slice specs
 * for tfg_k_slice / StridedSlice; at most max specs. Used for arrays and tensors. */
int tfg_api_py_slice_specs(tfg_eval *ev, tfg_val idx, tfg_loc loc, tfg_slice_spec *specs, int max,
                         int *n);

#endif
