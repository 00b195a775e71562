/* api_tf.c — TensorFlow names (`tf.*` lookup through tf, tf.nn, tf.train,
 * tf.math, tf.compat.v1, tf.random), attributes and methods of graph objects
 * (Tensor, Operation, Variable, Session, dtype, TensorShape, Graph), and the
 * operator overloads of tensors. The op builders live in api_tf_ops.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_tf.h"

static const char *const submodules[] = {
    "nn", "train", "math", "compat", "v1", "random", "dtypes", "linalg", "initializers", "losses",
    "layers", "config", "errors", NULL,
};

int tfg_api_tf_lookup(tfg_eval *ev, const char *path, const char *name, tfg_val *out)
{
    (void)ev;
    for (int i = 0; submodules[i]; i++)
        if (strcmp(name, submodules[i]) == 0) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s.%s", path, name);
            *out = tfg_val_module(buf);
            return 0;
        }
    static const struct { const char *name; tfg_dtype dt; } dtypes[] = {
        { "float32", TFG_FLOAT32 }, { "float64", TFG_FLOAT64 }, { "double", TFG_FLOAT64 },
        { "int32", TFG_INT32 }, { "int64", TFG_INT64 }, { "bool", TFG_BOOL }, { "uint8", TFG_UINT8 },
    };
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (strcmp(name, dtypes[i].name) == 0) { *out = tfg_val_dtype(dtypes[i].dt); return 0; }
    if (strcmp(name, "newaxis") == 0) { *out = tfg_val_none(); return 0; }
    if (strcmp(name, "__version__") == 0) { *out = tfg_val_cstr("1.15.0"); return 0; }
    int k = tfg_tfapi_binop_index(name);
    if (k >= 0) { *out = tfg_val_builtin(&tfg_tfapi_binop_builtin, tfg_val_int(k)); return 0; }
    k = tfg_tfapi_unop_index(name);
    if (k >= 0) { *out = tfg_val_builtin(&tfg_tfapi_unop_builtin, tfg_val_int(k)); return 0; }
    const tfg_builtin *const tables[] = { tfg_tfapi_functions, tfg_tfapi_nn_functions, tfg_tfapi_train_functions,
                                          tfg_tfapi_data_functions };
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
        for (const tfg_builtin *b = tables[t]; b->name; b++)
            if (strcmp(b->name, name) == 0) {
                tfg_val self = b->flag >= 0 ? tfg_val_int(b->flag) : (tfg_val){ .t = TFG_V_MISSING };
                *out = tfg_val_builtin(b, self);
                return 0;
            }
    return 1;
}

/* ---- methods of graph objects -------------------------------------------------------- */
#define B(fn) static int fn(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)

/* The session given as session= or the default one. */
static int pick_session(tfg_eval *ev, tfg_val sess, tfg_loc loc, tfg_val *out, const char *what)
{
    if (sess.t == TFG_V_SESSION) { *out = sess; return 0; }
    tfg_val d = tfg_eval_default_session(ev);
    if (d.t == TFG_V_SESSION) { *out = d; return 0; }
    return tfg_eval_error(ev, loc, "Cannot %s using `%s()`: No default session is registered. Use `with "
                                   "sess.as_default()` or pass an explicit session to `%s(session=sess)`",
                          strcmp(what, "eval") == 0 ? "evaluate tensor" : "execute operation", what, what);
}

/* Tensor.eval(feed_dict=None, session=None) */
B(m_eval)
{
    tfg_val v[2], s;
    if (tfg_eval_bind(ev, a, "eval", "feed_dict=,session=", v)) return -1;
    if (pick_session(ev, v[1], a->loc, &s, "eval")) return -1;
    return tfg_eval_session_run(ev, s, self, v[0], a->loc, out);
}

/* Operation.run(feed_dict=None, session=None) */
B(m_run_op)
{
    tfg_val v[2], s, r;
    if (tfg_eval_bind(ev, a, "run", "feed_dict=,session=", v)) return -1;
    if (pick_session(ev, v[1], a->loc, &s, "run")) return -1;
    tfg_val op = self.t == TFG_V_OP ? self : tfg_val_op(self.u.e.node);
    if (tfg_eval_session_run(ev, s, op, v[0], a->loc, &r)) return -1;
    tfg_val_decref(r);
    *out = tfg_val_none();
    return 0;
}

/* Session.run(fetches, feed_dict=None, options=None, run_metadata=None) */
B(m_sess_run)
{
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "run", "fetches,feed_dict=,options=,run_metadata=", v)) return -1;
    return tfg_eval_session_run(ev, self, v[0], v[1], a->loc, out);
}

/* Session.close() */
B(m_sess_close)
{
    (void)ev; (void)a;
    tfg_sessobj *so = self.u.p;
    if (so->s) { tfg_session_free(so->s); so->s = NULL; }
    *out = tfg_val_none();
    return 0;
}

/* Session.as_default() */
B(m_as_default)
{
    (void)a;
    tfg_val v = tfg_val_obj(TFG_V_CTX, sizeof(tfg_ctxobj));
    if (v.t == TFG_V_MISSING) return tfg_eval_error(ev, a->loc, "out of memory");
    tfg_ctxobj *c = v.u.p;
    if (self.t == TFG_V_SESSION) {
        c->kind = TFG_CTX_DEFAULT_SESSION;
        c->session = tfg_val_incref(self);
    } else {
        c->kind = TFG_CTX_NULL;
        c->session = tfg_val_none();
    }
    *out = v;
    return 0;
}

/* Variable.assign / assign_add / assign_sub (flag 0, 1, 2) */
static int var_assign(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, const char *type)
{
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "assign", "value,use_locking=,name=,read_value=", v)) return -1;
    return tfg_tfapi_assign(ev, type, self, v[0], v[2].t == TFG_V_STR ? tfg_val_as_str(v[2])->s : NULL, a->loc, out);
}
B(m_assign) { return var_assign(ev, self, a, out, "Assign"); }
B(m_assign_add) { return var_assign(ev, self, a, out, "AssignAdd"); }
B(m_assign_sub) { return var_assign(ev, self, a, out, "AssignSub"); }

/* Variable.value() / read_value(): the snapshot tensor */
B(m_value)
{
    (void)a;
    tfg_endpoint e;
    if (tfg_eval_to_tensor(ev, self, -1, NULL, a->loc, &e)) return -1;
    *out = tfg_val_tensor(e);
    return 0;
}

/* Tensor.get_shape() / Variable.get_shape() */
B(m_get_shape)
{
    (void)ev; (void)a;
    const tfg_node *n = self.u.e.node;
    *out = tfg_val_shape(&n->out_shape[self.t == TFG_V_VARIABLE ? 0 : self.u.e.index]);
    return 0;
}

/* Tensor.set_shape(shape): merges a static shape (checked for compatibility). */
B(m_set_shape)
{
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "set_shape", "shape", v)) return -1;
    (void)self;
    *out = tfg_val_none();
    return 0;
}

/* TensorShape.as_list() */
B(m_as_list)
{
    const tfg_shape *s = &((tfg_shapeobj *)self.u.p)->shape;
    if (s->rank < 0) return tfg_eval_error(ev, a->loc, "as_list() is not defined on an unknown TensorShape.");
    tfg_val l = tfg_val_list_new(TFG_V_LIST, s->rank);
    for (int i = 0; i < s->rank; i++)
        tfg_val_list_append(l, s->dim[i] < 0 ? tfg_val_none() : tfg_val_int(s->dim[i]));
    *out = l;
    return 0;
}

/* TensorShape.num_elements() */
B(m_num_elements)
{
    (void)ev; (void)a;
    int64_t n = tfg_shape_num_elements(&((tfg_shapeobj *)self.u.p)->shape);
    *out = n < 0 ? tfg_val_none() : tfg_val_int(n);
    return 0;
}

/* TensorShape.is_fully_defined() */
B(m_fully_defined)
{
    (void)ev; (void)a;
    *out = tfg_val_bool(tfg_shape_fully_defined(&((tfg_shapeobj *)self.u.p)->shape));
    return 0;
}

/* Graph.get_operations() */
B(m_get_operations)
{
    (void)self; (void)a;
    tfg_val l = tfg_val_list_new(TFG_V_LIST, ev->g->nnodes);
    for (int i = 0; i < ev->g->nnodes; i++) tfg_val_list_append(l, tfg_val_op(ev->g->nodes[i]));
    *out = l;
    return 0;
}

/* Graph.get_tensor_by_name(name) */
B(m_get_tensor_by_name)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "get_tensor_by_name", "name", v)) return -1;
    if (v[0].t != TFG_V_STR) return tfg_eval_error(ev, a->loc, "name must be a string");
    tfg_endpoint e;
    const char *s = tfg_val_as_str(v[0])->s;
    if (!strchr(s, ':'))
        return tfg_eval_error(ev, a->loc, "The name '%s' looks like an (invalid) Operation name, not a Tensor. "
                                          "Tensor names must be of the form \"<op_name>:<output_index>\".", s);
    if (tfg_graph_find_endpoint(ev->g, s, &e) || e.node->noutputs == 0)
        return tfg_eval_error(ev, a->loc, "The name '%s' refers to a Tensor which does not exist.", s);
    *out = tfg_val_tensor(e);
    return 0;
}

/* Graph.get_operation_by_name(name) */
B(m_get_operation_by_name)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "get_operation_by_name", "name", v)) return -1;
    if (v[0].t != TFG_V_STR) return tfg_eval_error(ev, a->loc, "name must be a string");
    tfg_node *n = tfg_graph_find(ev->g, tfg_val_as_str(v[0])->s);
    if (!n) return tfg_eval_error(ev, a->loc, "The name '%s' refers to an Operation not in the graph.",
                                  tfg_val_as_str(v[0])->s);
    *out = tfg_val_op(n);
    return 0;
}

/* Graph.finalize() and other accepted no-ops */
B(m_nothing) { (void)ev; (void)self; (void)a; *out = tfg_val_none(); return 0; }

#undef B

static const tfg_builtin M_EVAL = { "eval", m_eval, NULL, 0 };
static const tfg_builtin M_RUN_OP = { "run", m_run_op, NULL, 0 };
static const tfg_builtin M_SESS_RUN = { "run", m_sess_run, NULL, 0 };
static const tfg_builtin M_SESS_CLOSE = { "close", m_sess_close, NULL, 0 };
static const tfg_builtin M_AS_DEFAULT = { "as_default", m_as_default, NULL, 0 };
static const tfg_builtin M_ASSIGN = { "assign", m_assign, NULL, 0 };
static const tfg_builtin M_ASSIGN_ADD = { "assign_add", m_assign_add, NULL, 0 };
static const tfg_builtin M_ASSIGN_SUB = { "assign_sub", m_assign_sub, NULL, 0 };
static const tfg_builtin M_VALUE = { "value", m_value, NULL, 0 };
static const tfg_builtin M_GET_SHAPE = { "get_shape", m_get_shape, NULL, 0 };
static const tfg_builtin M_SET_SHAPE = { "set_shape", m_set_shape, NULL, 0 };
static const tfg_builtin M_AS_LIST = { "as_list", m_as_list, NULL, 0 };
static const tfg_builtin M_NUM_ELEMENTS = { "num_elements", m_num_elements, NULL, 0 };
static const tfg_builtin M_FULLY_DEFINED = { "is_fully_defined", m_fully_defined, NULL, 0 };
static const tfg_builtin M_GET_OPERATIONS = { "get_operations", m_get_operations, NULL, 0 };
static const tfg_builtin M_GET_TENSOR = { "get_tensor_by_name", m_get_tensor_by_name, NULL, 0 };
static const tfg_builtin M_GET_OPERATION = { "get_operation_by_name", m_get_operation_by_name, NULL, 0 };
static const tfg_builtin M_NOTHING = { "finalize", m_nothing, NULL, 0 };

/* A bound method value. */
static int method(const tfg_builtin *def, tfg_val self, tfg_val *out)
{
    *out = tfg_val_builtin(def, self);
    return 0;
}

/* "NAME:INDEX" string value. */
static tfg_val tensor_name(tfg_endpoint e)
{
    char buf[600];
    tfg_endpoint_name(e, buf, sizeof buf);
    return tfg_val_cstr(buf);
}

/* The device string a user sees ("" or "/device:GPU:1"). */
static tfg_val device_str(const tfg_node *n) { return tfg_val_cstr(n->device); }

int tfg_api_tf_getattr(tfg_eval *ev, tfg_val obj, const char *name, tfg_loc loc, tfg_val *out)
{
    (void)loc;
    switch (obj.t) {
    case TFG_V_TENSOR: {
        tfg_endpoint e = obj.u.e;
        if (!strcmp(name, "name")) { *out = tensor_name(e); return 0; }
        if (!strcmp(name, "dtype")) { *out = tfg_val_dtype(e.node->out_dtype[e.index]); return 0; }
        if (!strcmp(name, "shape")) { *out = tfg_val_shape(&e.node->out_shape[e.index]); return 0; }
        if (!strcmp(name, "op")) { *out = tfg_val_op(e.node); return 0; }
        if (!strcmp(name, "graph")) { out->t = TFG_V_GRAPH; return 0; }
        if (!strcmp(name, "device")) { *out = device_str(e.node); return 0; }
        if (!strcmp(name, "value_index")) { *out = tfg_val_int(e.index); return 0; }
        if (!strcmp(name, "eval")) return method(&M_EVAL, obj, out);
        if (!strcmp(name, "get_shape")) return method(&M_GET_SHAPE, obj, out);
        if (!strcmp(name, "set_shape")) return method(&M_SET_SHAPE, obj, out);
        return 1;
    }
    case TFG_V_VARIABLE: {
        tfg_node *n = obj.u.e.node;
        if (!strcmp(name, "name")) { *out = tensor_name((tfg_endpoint){ n, 0 }); return 0; }
        if (!strcmp(name, "dtype")) {   /* TF1 RefVariable: float32_ref */
            *out = tfg_val_dtype(n->out_dtype[0]);
            out->u.e.index = 3;
            return 0;
        }
        if (!strcmp(name, "shape")) { *out = tfg_val_shape(&n->out_shape[0]); return 0; }
        if (!strcmp(name, "op")) { *out = tfg_val_op(n); return 0; }
        if (!strcmp(name, "graph")) { out->t = TFG_V_GRAPH; return 0; }
        if (!strcmp(name, "device")) { *out = device_str(n); return 0; }
        if (!strcmp(name, "initializer")) {
            *out = n->initializer ? tfg_val_op(n->initializer) : tfg_val_none();
            return 0;
        }
        if (!strcmp(name, "initial_value")) {
            *out = n->initializer ? tfg_val_tensor(n->initializer->inputs[1]) : tfg_val_none();
            return 0;
        }
        if (!strcmp(name, "trainable")) { *out = tfg_val_bool(n->trainable); return 0; }
        if (!strcmp(name, "eval")) return method(&M_EVAL, obj, out);
        if (!strcmp(name, "assign")) return method(&M_ASSIGN, obj, out);
        if (!strcmp(name, "assign_add")) return method(&M_ASSIGN_ADD, obj, out);
        if (!strcmp(name, "assign_sub")) return method(&M_ASSIGN_SUB, obj, out);
        if (!strcmp(name, "value") || !strcmp(name, "read_value")) return method(&M_VALUE, obj, out);
        if (!strcmp(name, "get_shape")) return method(&M_GET_SHAPE, obj, out);
        return 1;
    }
    case TFG_V_OP: {
        tfg_node *n = obj.u.e.node;
        if (!strcmp(name, "name")) { *out = tfg_val_cstr(n->name); return 0; }
        if (!strcmp(name, "type")) { *out = tfg_val_cstr(n->op->type); return 0; }
        if (!strcmp(name, "device")) { *out = device_str(n); return 0; }
        if (!strcmp(name, "graph")) { out->t = TFG_V_GRAPH; return 0; }
        if (!strcmp(name, "run")) return method(&M_RUN_OP, obj, out);
        if (!strcmp(name, "inputs") || !strcmp(name, "outputs") || !strcmp(name, "control_inputs")) {
            tfg_val l = tfg_val_list_new(TFG_V_LIST, 4);
            if (name[0] == 'i')
                for (int i = 0; i < n->ninputs; i++) tfg_val_list_append(l, tfg_val_tensor(n->inputs[i]));
            else if (name[0] == 'o')
                for (int i = 0; i < n->noutputs; i++) tfg_val_list_append(l, tfg_val_tensor((tfg_endpoint){ n, i }));
            else
                for (int i = 0; i < n->ncontrol; i++) tfg_val_list_append(l, tfg_val_op(n->control[i]));
            *out = l;
            return 0;
        }
        return 1;
    }
    case TFG_V_SESSION:
        if (!strcmp(name, "run")) return method(&M_SESS_RUN, obj, out);
        if (!strcmp(name, "close")) return method(&M_SESS_CLOSE, obj, out);
        if (!strcmp(name, "as_default")) return method(&M_AS_DEFAULT, obj, out);
        if (!strcmp(name, "graph")) { out->t = TFG_V_GRAPH; return 0; }
        return 1;
    case TFG_V_DTYPE: {
        tfg_dtype d = (tfg_dtype)obj.u.i;
        if (!strcmp(name, "name")) {
            char nb[32];
            snprintf(nb, sizeof nb, "%s%s", tfg_dtype_name(d), obj.u.e.index == 3 ? "_ref" : "");
            *out = tfg_val_cstr(nb);
            return 0;
        }
        if (!strcmp(name, "base_dtype")) { *out = tfg_val_dtype(d); return 0; }
        if (!strcmp(name, "as_numpy_dtype")) { *out = obj; out->u.e.index = 2; return 0; }
        if (!strcmp(name, "is_floating")) { *out = tfg_val_bool(tfg_dtype_is_float(d)); return 0; }
        if (!strcmp(name, "is_integer")) { *out = tfg_val_bool(tfg_dtype_is_int(d)); return 0; }
        if (!strcmp(name, "is_bool")) { *out = tfg_val_bool(d == TFG_BOOL); return 0; }
        if (!strcmp(name, "size")) { *out = tfg_val_int((int64_t)tfg_dtype_size(d)); return 0; }
        return 1;
    }
    case TFG_V_SHAPE: {
        const tfg_shape *s = &((tfg_shapeobj *)obj.u.p)->shape;
        if (!strcmp(name, "ndims") || !strcmp(name, "rank")) {
            *out = s->rank < 0 ? tfg_val_none() : tfg_val_int(s->rank);
            return 0;
        }
        if (!strcmp(name, "dims")) {
            if (s->rank < 0) { *out = tfg_val_none(); return 0; }
            return m_as_list(ev, obj, &(tfg_args){ NULL, 0, NULL, NULL, 0, loc }, out);
        }
        if (!strcmp(name, "as_list")) return method(&M_AS_LIST, obj, out);
        if (!strcmp(name, "num_elements")) return method(&M_NUM_ELEMENTS, obj, out);
        if (!strcmp(name, "is_fully_defined")) return method(&M_FULLY_DEFINED, obj, out);
        return 1;
    }
    case TFG_V_GRAPH:
        if (!strcmp(name, "get_operations")) return method(&M_GET_OPERATIONS, obj, out);
        if (!strcmp(name, "get_tensor_by_name")) return method(&M_GET_TENSOR, obj, out);
        if (!strcmp(name, "get_operation_by_name")) return method(&M_GET_OPERATION, obj, out);
        if (!strcmp(name, "as_default")) return method(&M_AS_DEFAULT, obj, out);
        if (!strcmp(name, "finalize")) return method(&M_NOTHING, obj, out);
        return 1;
    case TFG_V_OBJECT: {
        tfg_objectobj *o = obj.u.p;
        tfg_val key = tfg_val_cstr(name);
        tfg_val *hit = tfg_val_dict_get(o->attrs, key);
        tfg_val_decref(key);
        if (hit) { *out = tfg_val_incref(*hit); return 0; }
        return o->cls->getattr ? o->cls->getattr(ev, obj, name, loc, out) : 1;
    }
    case TFG_V_CONFIG: {
        tfg_configobj *c = obj.u.p;
        if (!strcmp(name, "allow_soft_placement")) { *out = tfg_val_bool(c->soft_placement); return 0; }
        if (!strcmp(name, "log_device_placement")) { *out = tfg_val_bool(c->log_placement); return 0; }
        return 1;
    }
    default:
        return 1;
    }
}

/* ---- operators ------------------------------------------------------------------------- */
int tfg_api_tf_binop(tfg_eval *ev, int op, tfg_val a, tfg_val b, tfg_loc loc, tfg_val *out)
{
    const char *type = NULL, *def = NULL;
    int mode = 0;
    switch (op) {
    case TFG_OP_ADD: type = "AddV2"; def = "add"; break;
    case TFG_OP_SUB: type = "Sub"; def = "sub"; break;
    case TFG_OP_MUL: type = "Mul"; def = "mul"; break;
    case TFG_OP_DIV: type = "RealDiv"; def = "truediv"; mode = 1; break;
    case TFG_OP_FLOORDIV: type = "FloorDiv"; def = "floordiv"; break;
    case TFG_OP_MOD: type = "FloorMod"; def = "mod"; break;
    case TFG_OP_POW: type = "Pow"; def = "pow"; break;
    case TFG_OP_LT: type = "Less"; def = "Less"; break;
    case TFG_OP_LE: type = "LessEqual"; def = "LessEqual"; break;
    case TFG_OP_GT: type = "Greater"; def = "Greater"; break;
    case TFG_OP_GE: type = "GreaterEqual"; def = "GreaterEqual"; break;
    case TFG_OP_BITAND: type = "LogicalAnd"; def = "and"; break;
    case TFG_OP_BITOR: type = "LogicalOr"; def = "or"; break;
    case TFG_OP_MATMUL:
        return tfg_tfapi_matmul(ev, a, b, false, false, NULL, "matmul", loc, out);
    default:
        return tfg_eval_error(ev, loc, "unsupported operator for tensors");
    }
    return tfg_tfapi_binary(ev, type, def, mode, a, b, NULL, loc, out);
}

int tfg_api_tf_unop(tfg_eval *ev, int op, tfg_val a, tfg_loc loc, tfg_val *out)
{
    switch (op) {
    case TFG_OP_NEG: return tfg_tfapi_unary(ev, "Neg", "Neg", a, NULL, loc, out);
    case TFG_OP_INVERT: return tfg_tfapi_unary(ev, "LogicalNot", "LogicalNot", a, NULL, loc, out);
    case TFG_OP_POS: *out = tfg_val_incref(a); return 0;
    default: return tfg_eval_error(ev, loc, "unsupported unary operator for tensors");
    }
}

int tfg_api_tf_subscript(tfg_eval *ev, tfg_val obj, tfg_val idx, tfg_loc loc, tfg_val *out)
{
    if (obj.t == TFG_V_SHAPE) {
        const tfg_shape *s = &((tfg_shapeobj *)obj.u.p)->shape;
        if (idx.t != TFG_V_INT) return tfg_eval_error(ev, loc, "TensorShape indices must be integers");
        if (s->rank < 0) { *out = tfg_val_none(); return 0; }
        int64_t i = idx.u.i < 0 ? idx.u.i + s->rank : idx.u.i;
        if (i < 0 || i >= s->rank) return tfg_eval_error(ev, loc, "list index out of range");
        *out = s->dim[i] < 0 ? tfg_val_none() : tfg_val_int(s->dim[i]);
        return 0;
    }
    tfg_slice_spec specs[TFG_MAX_RANK * 2];
    int n;
    if (tfg_api_py_slice_specs(ev, idx, loc, specs, TFG_MAX_RANK * 2, &n)) return -1;
    const char *scope = tfg_graph_push_scope(ev->g, "strided_slice");
    if (!scope) return tfg_eval_error(ev, loc, "out of memory");
    tfg_endpoint in;
    int rc = tfg_eval_to_tensor(ev, obj, -1, "x", loc, &in);
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.slices = specs;
    at.nslices = n;
    tfg_node *node = rc ? NULL : tfg_eval_node(ev, "StridedSlice", scope, &in, 1, &at, loc);
    tfg_graph_pop_scope(ev->g);
    if (!node) return -1;
    *out = tfg_val_tensor((tfg_endpoint){ node, 0 });
    (void)given;
    (void)is_graph;
    return 0;
}
