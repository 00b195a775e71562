/* ops_state.c — variables and their updates, NoOp (table tfg_ops_state).
 *
 * VariableV2: no inputs; attrs dtype, shape (declared; rank -1 = any). Its
 *   value lives in the session (tfg_exec_var_get/set). TF names the node
 *   "Variable" by default (tf.Variable), not after its op type.
 * Assign: inputs (ref, value), ref = the VariableV2 node's endpoint; attr
 *   flag[0] = validate_shape (TF's default is true: set it).
 * AssignAdd / AssignSub: inputs (ref, value); same shape required.
 * NoOp: no inputs, no outputs (tf.no_op, tf.group: control inputs only).
 *
 * Kernels of the Assign family get in[0] == NULL (TFG_OPF_REF_INPUT0): they
 * find the variable as n->inputs[0].node. Values are never changed in place:
 * each update stores a fresh tensor (the previous one lives on while someone
 * holds a reference). */
#include <string.h>
#include "ops.h"
#include "session.h"

/* True when endpoint e is a variable's value (TF's l-value). */
static bool is_variable(tfg_endpoint e)
{
    return e.node && strcmp(e.node->op->type, "VariableV2") == 0 && e.index == 0;
}

/* VariableV2: the declared dtype and shape. */
static int infer_variable(tfg_node *n, tfg_error *err)
{
    (void)err;
    return tfg_ops_set_output(n, n->attr.dtype, &n->attr.shape);
}

/* VariableV2's kernel: the current value, or TF's uninitialized error. */
static int k_variable(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                      tfg_error *err)
{
    (void)in;
    tfg_tensor *v = tfg_exec_var_get(x, n);
    if (!v) return tfg_error_set(err, "Attempting to use uninitialized value %s", n->name);
    *out = tfg_tensor_ref(v);
    return 0;
}

/* Checks that input 0 is a variable and value's dtype matches it. */
static int check_ref_value(tfg_node *n, tfg_error *err)
{
    if (!is_variable(n->inputs[0]))
        return tfg_error_set(err, "Input 'ref' of '%s' Op requires l-value input", n->op->type);
    tfg_dtype dr = tfg_ops_in_dtype(n, 0), dv = tfg_ops_in_dtype(n, 1);
    if (dv != dr) return tfg_ops_type_mismatch(err, n, "value", dv, "ref", dr);
    return 0;
}

/* Merges the variable's and the value's static shapes (TF's error when they clash). */
static int merge_ref_value(tfg_node *n, tfg_shape *out, tfg_error *err)
{
    char msg[512];
    if (tfg_ops_merge(tfg_ops_in_shape(n, 0), tfg_ops_in_shape(n, 1), out, msg, sizeof msg))
        return tfg_ops_shape_error(err, n, "%s", msg);
    return 0;
}

/* Assign: the variable's shape merged with the value's (validate_shape), or
 * the value's shape. */
static int infer_assign(tfg_node *n, tfg_error *err)
{
    if (check_ref_value(n, err)) return -1;
    tfg_shape s = *tfg_ops_in_shape(n, 1);
    if (n->attr.flag[0] && merge_ref_value(n, &s, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 1), &s);
}

/* Assign's kernel: checks the shape (validate_shape), stores the value (a
 * copy when the tensor is shared, e.g. with a Const) and outputs it. */
static int k_assign(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                    tfg_error *err)
{
    const tfg_node *var = n->inputs[0].node;
    tfg_tensor *v = in[1];
    if (n->attr.flag[0]) {
        const tfg_tensor *cur = tfg_exec_var_get(x, var);
        const tfg_shape *decl = &var->out_shape[0];
        bool ok = cur ? tfg_tensor_same_shape(cur, v) : tfg_shape_compatible(decl, v->rank, v->shape);
        if (!ok) {
            char ls[160], rs[160];
            if (cur) tfg_tensor_shape_str(cur->rank, cur->shape, ls, sizeof ls);
            else tfg_shape_str(decl, ls, sizeof ls);
            tfg_tensor_shape_str(v->rank, v->shape, rs, sizeof rs);
            return tfg_error_set(err,
                                 "Assign requires shapes of both tensors to match. lhs shape= %s "
                                 "rhs shape= %s",
                                 ls, rs);
        }
    }
    tfg_tensor *store = v->refcount > 1 ? tfg_tensor_copy(v, err) : tfg_tensor_ref(v);
    if (!store) return -1;
    if (tfg_exec_var_set(x, var, store, err)) {
        tfg_tensor_unref(store);
        return -1;
    }
    *out = store;
    return 0;
}

/* AssignAdd / AssignSub: numbers; the variable's shape merged with the value's. */
static int infer_assign_update(tfg_node *n, tfg_error *err)
{
    if (!is_variable(n->inputs[0]))
        return tfg_error_set(err, "Input 'ref' of '%s' Op requires l-value input", n->op->type);
    if (tfg_ops_check_dtype(n, 0, "ref", TFG_DTS_REAL, err)) return -1;
    if (check_ref_value(n, err)) return -1;
    tfg_shape s;
    if (merge_ref_value(n, &s, err)) return -1;
    return tfg_ops_set_output(n, tfg_ops_in_dtype(n, 0), &s);
}

/* Shared kernel of AssignAdd/AssignSub: new = current op value, stored and output. */
static int run_assign_update(tfg_binop op, tfg_exec *x, const tfg_node *n, tfg_tensor *const *in,
                             tfg_tensor **out, tfg_error *err)
{
    const tfg_node *var = n->inputs[0].node;
    const tfg_tensor *cur = tfg_exec_var_get(x, var);
    if (!cur) return tfg_error_set(err, "Attempting to use uninitialized value %s", var->name);
    if (!tfg_tensor_same_shape(cur, in[1]))
        return tfg_error_set(err, "Parameters and update must be the same size");
    tfg_tensor *res;
    if (tfg_k_binary(op, cur, in[1], &res, err)) return -1;
    if (tfg_exec_var_set(x, var, res, err)) {
        tfg_tensor_unref(res);
        return -1;
    }
    *out = res;
    return 0;
}

/* AssignAdd's kernel. */
static int k_assign_add(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                        tfg_error *err)
{
    return run_assign_update(TFG_BIN_ADD, x, n, in, out, err);
}

/* AssignSub's kernel. */
static int k_assign_sub(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                        tfg_error *err)
{
    return run_assign_update(TFG_BIN_SUB, x, n, in, out, err);
}

/* NoOp: no outputs. */
static int infer_noop(tfg_node *n, tfg_error *err)
{
    (void)err;
    n->noutputs = 0;
    return 0;
}

/* NoOp's kernel: nothing to do. */
static int k_noop(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in, tfg_tensor **out,
                  tfg_error *err)
{
    (void)x;
    (void)n;
    (void)in;
    (void)out;
    (void)err;
    return 0;
}

const tfg_opdef tfg_ops_state[] = {
    { "VariableV2", 0, TFG_OPF_STATEFUL, infer_variable, { k_variable, NULL }, NULL,
      "a variable's value; attrs dtype, shape (tf.Variable)" },
    { "Assign", 2, TFG_OPF_STATEFUL | TFG_OPF_REF_INPUT0, infer_assign, { k_assign, NULL }, NULL,
      "stores value in the variable; flag[0] validate_shape (tf.assign)" },
    { "AssignAdd", 2, TFG_OPF_STATEFUL | TFG_OPF_REF_INPUT0, infer_assign_update,
      { k_assign_add, NULL }, NULL, "adds value to the variable (tf.assign_add)" },
    { "AssignSub", 2, TFG_OPF_STATEFUL | TFG_OPF_REF_INPUT0, infer_assign_update,
      { k_assign_sub, NULL }, NULL, "subtracts value from the variable (tf.assign_sub)" },
    { "NoOp", 0, TFG_OPF_NO_OUTPUT, infer_noop, { k_noop, NULL }, NULL,
      "does nothing; runs its control inputs (tf.no_op, tf.group)" },
};
const int tfg_ops_state_count = (int)(sizeof tfg_ops_state / sizeof tfg_ops_state[0]);
