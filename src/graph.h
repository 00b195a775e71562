/* graph.h — the dataflow graph IR and the op table (module prefixes tfg_graph_, tfg_op_, tfg_shape_).
 *
 * A graph owns its nodes and everything hanging off them (names, input arrays,
 * attribute arrays) through its arena; attribute tensors (attr.value) are
 * references the graph holds and releases in tfg_graph_free. Building a node
 * computes nothing: tfg_graph_add checks inputs, infers output dtypes and
 * static shapes through the op's infer function, names the node as TensorFlow
 * does, and records the requested device and the source location.
 *
 * The op table: one tfg_opdef per op type (src/ops_*.c, one file per family),
 * naming the op, its arity, flags, its shape/dtype function, a kernel per
 * backend (CPU now; OpenCL later) and its gradient (issue 3). tfg_op_find
 * looks an op up by its TF type name.
 */
#ifndef TFG_GRAPH_H
#define TFG_GRAPH_H

#include <stdbool.h>
#include <stdint.h>
#include "../runtime/tensor.h"
#include "../runtime/kernels.h"
#include "arena.h"
#include "diag.h"

#define TFG_MAX_OUTPUTS 4

/* A static shape: rank -1 = unknown rank; dim[i] -1 = unknown dimension. */
typedef struct tfg_shape {
    int rank;
    int64_t dim[TFG_MAX_RANK];
} tfg_shape;

typedef struct tfg_node tfg_node;
typedef struct tfg_graph tfg_graph;
typedef struct tfg_opdef tfg_opdef;
typedef struct tfg_exec tfg_exec;      /* per-run execution context, see session.h */

/* One output of a node: what a Python tf.Tensor stands for ("MatMul:0"). */
typedef struct tfg_endpoint {
    tfg_node *node;
    int index;
} tfg_endpoint;

/* Attributes, generic fields whose meaning each op documents in its table
 * entry (names in brackets are TensorFlow's attribute names). */
typedef struct tfg_attrs {
    tfg_tensor *value;        /* Const [value]; held by the graph */
    tfg_dtype dtype;          /* Placeholder/Variable [dtype], Cast [DstT], random [dtype],
                                 ArgMax [output_type], OneHot/Fill/Range/Zeros output dtype */
    tfg_shape shape;          /* Placeholder/Variable [shape] (declared; rank -1 = any) */
    int64_t *ints;            /* reduce axes (NULL + nints -1 = all axes), Transpose [perm],
                                 Reshape target shape, Tile multiples; arena-owned */
    int nints;
    bool flag[4];             /* MatMul [transpose_a]=flag[0] [transpose_b]=flag[1];
                                 reductions [keep_dims]=flag[0]; Assign [validate_shape]=flag[0] */
    double f[4];              /* OneHot on=f[0] off=f[1]; random mean/minval=f[0] stddev/maxval=f[1];
                                 Range start/limit/delta=f[0..2] */
    int64_t i[4];             /* [axis]=i[0]; OneHot [depth]=i[1]; random [seed]=i[2] [seed2]=i[3] */
    tfg_slice_spec *slices;   /* StridedSlice: the indexing, arena-owned */
    int nslices;
} tfg_attrs;

struct tfg_node {
    int id;                          /* index in graph->nodes, creation order */
    const char *name;                /* unique, with scope prefix: "hidden1/MatMul" */
    const tfg_opdef *op;
    int ninputs;
    tfg_endpoint *inputs;
    int ncontrol;                    /* control dependencies: run before this node */
    tfg_node **control;
    int noutputs;
    tfg_dtype out_dtype[TFG_MAX_OUTPUTS];
    tfg_shape out_shape[TFG_MAX_OUTPUTS];
    tfg_attrs attr;
    const char *device;              /* requested device, normalised "/device:GPU:1", or "" */
    tfg_loc loc;                     /* the script location that built it */
    bool trainable;                  /* variables */
    tfg_node *initializer;           /* variables: their Assign init op */
    tfg_node *initial_value;         /* variables: the initial-value node */
    tfg_node *read;                  /* variables: their NAME/read Identity (the snapshot ops use) */
};

/* ---- ops ----------------------------------------------------------------- */
enum {
    TFG_OPF_STATEFUL   = 1 << 0,  /* reads or writes session state, or is random */
    TFG_OPF_REF_INPUT0 = 1 << 1,  /* input 0 is a variable written, not read (Assign*) */
    TFG_OPF_NO_OUTPUT  = 1 << 2,  /* an operation (NoOp, group): fetch gives None */
    TFG_OPF_VARIADIC   = 1 << 3,  /* ninputs is a minimum (Concat, Pack, AddN) */
};
/* Bits 8..11: how many leading inputs are variables updated in place (the
 * optimizers' Apply* ops: var and slots); like TFG_OPF_REF_INPUT0 they are
 * not evaluated and their kernels get NULL there. */
#define TFG_OPF_NREF(k) ((unsigned)(k) << 8)

/* Is input i of op a variable reference (not evaluated by the session)? */
static inline bool tfg_op_ref_input(const struct tfg_opdef *op, int i);

enum { TFG_BACKEND_CPU = 0, TFG_BACKEND_OPENCL = 1, TFG_BACKEND_COUNT };

/* Shape and dtype function: reads n->inputs (their out_dtype/out_shape) and
 * n->attr, checks them and fills n->noutputs/out_dtype/out_shape. Errors use
 * TensorFlow's wording, e.g. "Dimensions must be equal, but are 2 and 3 for
 * 'MatMul' (op: 'MatMul') with input shapes: [1,2], [3,1]." */
typedef int (*tfg_infer_fn)(tfg_node *n, tfg_error *err);
/* Kernel: in[] are the input values (in[0] is NULL for TFG_OPF_REF_INPUT0 ops),
 * out[] receive one new reference each (nothing for TFG_OPF_NO_OUTPUT). */
typedef int (*tfg_kernel_fn)(tfg_exec *x, const tfg_node *n, tfg_tensor *const *in,
                             tfg_tensor **out, tfg_error *err);
/* Gradient builder (issue 3): given dL/d(outputs) (endpoint node NULL where
 * none flows), adds nodes to g giving dL/d(inputs) into grad_in (node NULL
 * for no gradient). */
typedef int (*tfg_grad_fn)(tfg_graph *g, tfg_node *n, const tfg_endpoint *grad_out,
                           tfg_endpoint *grad_in, tfg_error *err);

struct tfg_opdef {
    const char *type;           /* TF op type and default node name: "MatMul" */
    int ninputs;                /* exact count, or minimum with TFG_OPF_VARIADIC */
    unsigned flags;
    tfg_infer_fn infer;
    tfg_kernel_fn kernel[TFG_BACKEND_COUNT];
    tfg_grad_fn grad;           /* NULL: not differentiable (yet) */
    const char *doc;            /* one line for `tfg help ops` and the man page */
};

static inline bool tfg_op_ref_input(const struct tfg_opdef *op, int i)
{
    return (i == 0 && (op->flags & TFG_OPF_REF_INPUT0)) || (unsigned)i < ((op->flags >> 8) & 15u);
}

/* The op named by its TF type ("Add", "MatMul"), or NULL. */
const tfg_opdef *tfg_op_find(const char *type);
/* Iterates over all ops: returns the i-th or NULL past the end. */
const tfg_opdef *tfg_op_at(int i);

/* ---- static shapes ---------------------------------------------------------- */
tfg_shape tfg_shape_unknown(void);
tfg_shape tfg_shape_scalar(void);
tfg_shape tfg_shape_make(int rank, const int64_t *dims);
tfg_shape tfg_shape_of_tensor(const tfg_tensor *t);
bool tfg_shape_fully_defined(const tfg_shape *s);
int64_t tfg_shape_num_elements(const tfg_shape *s);     /* -1 if unknown */
/* TF's text: "[1,2]", "[?,784]", "<unknown>" */
void tfg_shape_str(const tfg_shape *s, char *buf, size_t n);
/* Python's TensorShape repr for printing: "(1, 2)", "(?, 784)", "<unknown>" */
void tfg_shape_pystr(const tfg_shape *s, char *buf, size_t n);
/* Is a concrete tensor shape compatible with the static shape? */
bool tfg_shape_compatible(const tfg_shape *s, int rank, const int64_t *dims);
/* Broadcast of two static shapes (unknown dims stay unknown where not decided).
 * Error text: "Dimensions must be equal, but are 2 and 3 for '{{node}}' (op: 'Add')
 * with input shapes: [2], [3]." is built by the caller from the -1 return. */
int tfg_shape_broadcast(const tfg_shape *a, const tfg_shape *b, tfg_shape *out);

/* ---- graphs ------------------------------------------------------------------ */
struct tfg_graph {
    tfg_arena arena;
    tfg_node **nodes;
    int nnodes, cap;
    void *names;                 /* name table (graph.c private) */
    char **scopes;               /* name_scope stack, each a full prefix "a/b/" */
    int nscopes, capscopes;
    char **devices;              /* device stack (normalised strings) */
    int ndevices, capdevices;
    tfg_node ***ctrl;            /* control_dependencies stack: arrays of nodes */
    int *nctrl;
    int *ctrlstart;              /* node count when each level was pushed */
    int nctrlstack, capctrl;
    tfg_node **variables;        /* global_variables(), in creation order */
    int nvariables, capvariables;
    int64_t seed_calls;          /* random ops seeded from the graph seed alone so far: TF 2's
                                    per-graph op-seed counter (random_seed.get_seed) */
    bool has_seed;               /* tf.set_random_seed(seed) called */
    int64_t seed;
};

tfg_graph *tfg_graph_new(void);
void tfg_graph_free(tfg_graph *g);

/* Adds a node. name NULL uses op->type; the current name scope prefixes it and
 * it is made unique as TF does ("Add", "Add_1", ...). inputs are checked for
 * count; attrs is copied (ints/slices are copied into the arena, value gets a
 * new reference). The node takes the current device and control dependencies.
 * Returns NULL with err filled when the op's infer function rejects it. */
tfg_node *tfg_graph_add(tfg_graph *g, const tfg_opdef *op, const char *name,
                        const tfg_endpoint *inputs, int ninputs, const tfg_attrs *attrs,
                        tfg_loc loc, tfg_error *err);
/* Same, looking the op up by type. */
tfg_node *tfg_graph_add_op(tfg_graph *g, const char *type, const char *name,
                           const tfg_endpoint *inputs, int ninputs, const tfg_attrs *attrs,
                           tfg_loc loc, tfg_error *err);
/* Adds a control dependency to an existing node (group, initializers). */
int tfg_graph_add_control(tfg_graph *g, tfg_node *n, tfg_node *dep);

/* Node by name ("MatMul"), or endpoint by tensor name ("MatMul:0"). */
tfg_node *tfg_graph_find(const tfg_graph *g, const char *name);
int tfg_graph_find_endpoint(const tfg_graph *g, const char *tensor_name, tfg_endpoint *out);

/* Unique name with the current scope, as TF's Graph.unique_name; the result
 * is arena-owned and reserved. */
const char *tfg_graph_unique_name(tfg_graph *g, const char *name);

/* with tf.name_scope(name): pushes "prefix/name/" (made unique as TF does;
 * a name ending in '/' is used as is); returns the scope string. */
const char *tfg_graph_push_scope(tfg_graph *g, const char *name);
void tfg_graph_pop_scope(tfg_graph *g);
/* with tf.device(spec): parses and normalises "/cpu:0", "/gpu:1",
 * "/device:GPU:1", "" (clears); -1 with err on a malformed spec. */
int tfg_graph_push_device(tfg_graph *g, const char *spec, tfg_error *err);
void tfg_graph_pop_device(tfg_graph *g);
/* with tf.control_dependencies([...]) */
int tfg_graph_push_control(tfg_graph *g, tfg_node *const *deps, int n);
void tfg_graph_pop_control(tfg_graph *g);

/* Graph-level / op-level seeds to the (seed, seed2) pair of TF's get_seed
 * (TF 2.x rules: with a graph seed and no op seed, seed2 counts 0, 1, 2...). */
void tfg_graph_get_seed(tfg_graph *g, bool has_op_seed, int64_t op_seed,
                        int64_t *seed, int64_t *seed2);

/* "MatMul:0" into buf */
void tfg_endpoint_name(tfg_endpoint e, char *buf, size_t n);

#endif
