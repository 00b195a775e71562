/* gradients.h — symbolic differentiation of graphs (module prefix tfg_grad_).
 *
 * tfg_grad_build adds the backward graph of TF's tf.gradients: it walks the
 * nodes between xs and ys in reverse creation order (creation order is a
 * topological order), sums the gradients reaching each output (AddN), and
 * calls each op's gradient function (tfg_opdef.grad) inside the name scope
 * "gradients/<node>_grad/". Gradients flow through float tensors only;
 * unconnected xs get no gradient (endpoint node NULL, Python's None).
 *
 * Gradient functions (in the op family files) build their nodes with the
 * helpers below; every helper records a failure in err and returns NULL /
 * -1, and the graph owns what they build.
 */
#ifndef TFG_GRADIENTS_H
#define TFG_GRADIENTS_H

#include "graph.h"

/* dys/dxs for each x (node NULL: None). grad_ys may be NULL or hold node NULL
 * entries meaning ones shaped like y. scope is the name scope ("gradients"). */
int tfg_grad_build(tfg_graph *g, const tfg_endpoint *ys, int ny, const tfg_endpoint *xs, int nx,
                   const tfg_endpoint *grad_ys, const char *scope, tfg_loc loc, tfg_endpoint *out,
                   tfg_error *err);

/* Adds a node in the current scope (see tfg_graph_add_op); NULL on error. */
tfg_node *tfg_grad_add(tfg_graph *g, const char *type, const char *name, const tfg_endpoint *in, int n,
                       const tfg_attrs *attrs, tfg_loc loc, tfg_error *err);
/* Output 0 of a node as an endpoint. */
static inline tfg_endpoint tfg_grad_ep(tfg_node *n) { return (tfg_endpoint){ n, 0 }; }
/* A scalar Const of dtype dt. */
tfg_node *tfg_grad_scalar(tfg_graph *g, tfg_dtype dt, double v, const char *name, tfg_loc loc, tfg_error *err);
/* An int32 vector Const. */
tfg_node *tfg_grad_ivec(tfg_graph *g, const int64_t *v, int n, const char *name, tfg_loc loc, tfg_error *err);
/* A unary / binary op shortcut: type(a) or type(a, b). */
tfg_node *tfg_grad_un(tfg_graph *g, const char *type, tfg_endpoint a, tfg_loc loc, tfg_error *err);
tfg_node *tfg_grad_bin(tfg_graph *g, const char *type, tfg_endpoint a, tfg_endpoint b, tfg_loc loc,
                       tfg_error *err);
/* The shape of x as an int32 vector: a Const when static, else a Shape node. */
tfg_node *tfg_grad_shape_of(tfg_graph *g, tfg_endpoint x, tfg_loc loc, tfg_error *err);
/* grad summed down to x's shape (undoing numpy broadcasting) and reshaped to
 * it: grad itself when the static shapes are equal, Sum over constant axes
 * when both are static, else TF's Shape/BroadcastGradientArgs/Sum/Reshape. */
int tfg_grad_unbroadcast(tfg_graph *g, tfg_endpoint grad, tfg_endpoint x, tfg_loc loc, tfg_endpoint *out,
                         tfg_error *err);

#endif
