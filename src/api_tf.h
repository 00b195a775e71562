/* api_tf.h — internal interface between api_tf.c (name lookup, attributes,
 * operators) and api_tf_ops.c (the op builders) (module prefix tfg_tfapi_).
 * Builders follow tfg_builtin_fn; table-driven ones read their table index
 * from `self` (a TFG_V_INT). */
#ifndef TFG_API_TF_H
#define TFG_API_TF_H

#include "eval.h"

/* The builtin tables of TensorFlow functions, each terminated by a NULL name:
 * core ops (api_tf_ops.c), neural-network ops (api_tf_nn.c), training:
 * optimizers, Saver (api_tf_train.c), data loading builtins (api_data.c). Entries with flag >= 0 get
 * tfg_val_int(flag) as `self`. */
extern const tfg_builtin tfg_tfapi_functions[];
extern const tfg_builtin tfg_tfapi_nn_functions[];
extern const tfg_builtin tfg_tfapi_train_functions[];
extern const tfg_builtin tfg_tfapi_data_functions[];
/* Index-bound entries: elementwise binary and unary ops by Python name. */
int tfg_tfapi_binop_index(const char *pyname);
int tfg_tfapi_unop_index(const char *pyname);
extern const tfg_builtin tfg_tfapi_binop_builtin;
extern const tfg_builtin tfg_tfapi_unop_builtin;

/* Argument helpers shared by the builder files. */
/* Is v given (not MISSING and not None)? */
static inline bool given(tfg_val v) { return v.t != TFG_V_MISSING && v.t != TFG_V_NONE; }

/* Is v a graph tensor or variable? */
static inline bool is_graph(tfg_val v) { return v.t == TFG_V_TENSOR || v.t == TFG_V_VARIABLE; }

/* The name= argument as a C string, or NULL. */
static inline const char *name_arg(tfg_val v) { return v.t == TFG_V_STR ? tfg_val_as_str(v)->s : NULL; }

/* Reads a bool argument (absent: def). */
static inline int bool_arg(tfg_eval *ev, tfg_val v, bool def, tfg_loc loc, bool *out)
{
    if (!given(v)) { *out = def; return 0; }
    return tfg_eval_truth(ev, v, loc, out);
}

/* Opens TF's op name scope (name or default); returns the scope "X/". */
static inline const char *open_scope(tfg_eval *ev, const char *name, const char *def, tfg_loc loc)
{
    const char *s = tfg_graph_push_scope(ev->g, name ? name : def);
    if (!s) tfg_eval_error(ev, loc, "out of memory");
    return s;
}

/* Ends an op scope and returns the node's single output as the result. */
static inline int close_scope(tfg_eval *ev, tfg_node *n, tfg_val *out)
{
    tfg_graph_pop_scope(ev->g);
    if (!n) return -1;
    *out = tfg_val_tensor((tfg_endpoint){ n, 0 });
    return 0;
}

/* Builders shared with operators and methods. */
int tfg_tfapi_binary(tfg_eval *ev, const char *type, const char *defname, int mode, tfg_val x, tfg_val y,
                     const char *name, tfg_loc loc, tfg_val *out);
int tfg_tfapi_unary(tfg_eval *ev, const char *type, const char *defname, tfg_val x, const char *name,
                    tfg_loc loc, tfg_val *out);
int tfg_tfapi_assign(tfg_eval *ev, const char *type, tfg_val ref, tfg_val value, const char *name,
                     tfg_loc loc, tfg_val *out);
int tfg_tfapi_matmul(tfg_eval *ev, tfg_val a, tfg_val b, bool ta, bool tb, const char *name,
                     const char *defname, tfg_loc loc, tfg_val *out);
/* Session objects */
tfg_val tfg_tfapi_new_session(tfg_eval *ev, bool soft, bool log, bool interactive);

#endif
