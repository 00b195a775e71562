/* api_tf_train.c — tf.train.*: optimizers, Saver, and the checkpoint
 * helpers a training script needs (table tfg_tfapi_train_functions; see
 * api_tf.h).
 *
 * Optimizers (GradientDescentOptimizer, MomentumOptimizer, AdamOptimizer,
 * RMSPropOptimizer) are library objects (TFG_V_OBJECT) whose C state holds
 * the hyperparameters as the script gave them, the slot variables made so far
 * and Adam's beta powers. They build the graph TF 1.x's Python layer builds,
 * with its names: gradients under "gradients", slot variables "W/Adam",
 * "W/Adam_1" (ordinary VariableV2 variables with a "W/Adam/Initializer/zeros"
 * initial value, so global_variables_initializer and Saver see them), then
 * under the optimizer's scope ("Adam/") the hyperparameter constants, one
 * "update_W/ApplyAdam" per variable, Adam's beta-power updates, and a NoOp
 * named after the scope grouping it all (with global_step: a NoOp "update"
 * and an AssignAdd named after the scope).
 *
 * Checkpoints (tf.train.Saver): one uncompressed .npz file (numpy.savez's
 * layout, np.load reads it) written atomically at exactly the path save()
 * returns, one member NAME.npy per saved variable (NAME is the variable's
 * node name, "hidden1/weights", or the var_list dict key), plus TF's
 * "checkpoint" text file in the same folder (model_checkpoint_path and
 * all_model_checkpoint_paths lines in protobuf text format), also written
 * atomically, which tf.train.latest_checkpoint reads. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api_tf.h"
#include "gradients.h"
#include "../runtime/io.h"

#define B(fn) static int fn(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)

/* ---- small helpers --------------------------------------------------------------------- */
/* A str argument as a C string, or NULL. */
static const char *str_arg(tfg_val v) { return v.t == TFG_V_STR ? tfg_val_as_str(v)->s : NULL; }

/* A malloc'd copy of s (NULL on OOM). */
static char *dupstr(const char *s)
{
    size_t l = strlen(s) + 1;
    char *p = malloc(l);
    if (p) memcpy(p, s, l);
    return p;
}

/* A malloc'd printf result (NULL on OOM). */
static char *fmtstr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmtstr(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    char tmp[1];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Calls the TensorFlow builtin tf.NAME with positional and keyword arguments. */
static int call_tf(tfg_eval *ev, const char *name, tfg_val *pos, int npos, const char **kwn, tfg_val *kw,
                   int nkw, tfg_loc loc, tfg_val *out)
{
    tfg_val fn;
    if (tfg_api_tf_lookup(ev, "tf", name, &fn) != 0) return tfg_eval_error(ev, loc, "internal error: no tf.%s", name);
    tfg_args args = { pos, npos, kwn, kw, nkw, loc };
    int rc = tfg_eval_call(ev, fn, &args, out);
    tfg_val_decref(fn);
    return rc;
}

/* Python's str() of a value, malloc'd. */
static char *val_str(tfg_val v)
{
    tfg_sb b = { 0 };
    tfg_val_str_into(&b, v);
    return tfg_sb_take(&b);
}

/* A variable value's node, or NULL when v is not a tf.Variable. */
static tfg_node *var_node(tfg_val v) { return v.t == TFG_V_VARIABLE ? v.u.e.node : NULL; }

/* TF's "Invalid type tf.int32 for Sum:0, expected: [...]." check of one endpoint. */
static int check_float(tfg_eval *ev, tfg_endpoint e, tfg_loc loc)
{
    tfg_dtype dt = e.node->out_dtype[e.index];
    if (dt == TFG_FLOAT32 || dt == TFG_FLOAT64) return 0;
    char nm[600];
    tfg_endpoint_name(e, nm, sizeof nm);
    return tfg_eval_error(ev, loc, "Invalid type tf.%s for %s, expected: [tf.float16, tf.bfloat16, tf.float32, "
                                   "tf.float64].", tfg_dtype_name(dt), nm);
}

/* ---- variables the library creates ------------------------------------------------------------------ */
/* Runs f with the control-dependency stack hidden, as TF's init_scope does
 * for variables created while building an update. */
typedef struct { int saved; } ctrl_hide;
static void hide_control(tfg_graph *g, ctrl_hide *h) { h->saved = g->nctrlstack; g->nctrlstack = 0; }
static void show_control(tfg_graph *g, ctrl_hide *h) { g->nctrlstack = h->saved; }

/* A new variable named BASE made unique outside any name scope (TF's
 * variable_scope naming of slot and global-step variables), not trainable,
 * initialised by tf.zeros / tf.ones (fill "zeros" / "ones") of the shape of
 * `like` (a variable; NULL: a scalar) and dtype dt built under
 * "NAME/Initializer/". */
static tfg_node *filled_variable(tfg_eval *ev, const char *base, tfg_node *like, tfg_dtype dt, const char *fill,
                                 tfg_loc loc)
{
    tfg_graph *g = ev->g;
    ctrl_hide h;
    hide_control(g, &h);
    tfg_node *res = NULL;
    char *iscope = NULL, *vname = NULL;
    tfg_val shape = { .t = TFG_V_MISSING }, init = { .t = TFG_V_MISSING }, var = { .t = TFG_V_MISSING };
    if (!tfg_graph_push_scope(g, "")) { tfg_eval_error(ev, loc, "out of memory"); goto out_noscope; }
    const char *u = tfg_graph_unique_name(g, base);
    iscope = u ? fmtstr("%s/Initializer/", u) : NULL;
    vname = u ? fmtstr("%s/", u) : NULL;
    if (!iscope || !vname) { tfg_eval_error(ev, loc, "out of memory"); goto out; }
    bool known = !like || tfg_shape_fully_defined(&like->out_shape[0]);
    if (!like) {
        shape = tfg_val_list_new(TFG_V_LIST, 0);
    } else if (known) {
        shape = tfg_val_list_new(TFG_V_LIST, like->out_shape[0].rank);
        for (int i = 0; i < like->out_shape[0].rank; i++)
            tfg_val_list_append(shape, tfg_val_int(like->out_shape[0].dim[i]));
    } else {
        /* unknown static shape: the shape of the variable's initial value */
        tfg_val iv = tfg_val_tensor(like->initializer->inputs[1]);
        if (call_tf(ev, "shape", &iv, 1, NULL, NULL, 0, loc, &shape)) goto out;
    }
    if (!tfg_graph_push_scope(g, iscope)) { tfg_eval_error(ev, loc, "out of memory"); goto out; }
    {
        const char *kwn[2] = { "dtype", "name" };
        tfg_val kw[2] = { tfg_val_dtype(dt), tfg_val_cstr(fill) };
        int rc = call_tf(ev, fill, &shape, 1, kwn, kw, 2, loc, &init);
        tfg_val_decref(kw[1]);
        tfg_graph_pop_scope(g);
        if (rc) goto out;
    }
    {
        const char *kwn[3] = { "trainable", "name", "validate_shape" };
        tfg_val kw[3] = { tfg_val_bool(false), tfg_val_cstr(vname), tfg_val_bool(known) };
        int rc = call_tf(ev, "Variable", &init, 1, kwn, kw, 3, loc, &var);
        tfg_val_decref(kw[1]);
        if (rc) goto out;
    }
    res = var_node(var);
out:
    tfg_graph_pop_scope(g);
out_noscope:
    show_control(g, &h);
    tfg_val_decref(shape);
    tfg_val_decref(init);
    tfg_val_decref(var);
    free(iscope);
    free(vname);
    return res;
}

/* ---- optimizers ------------------------------------------------------------------------------------- */
enum { OPT_GD, OPT_MOMENTUM, OPT_ADAM, OPT_RMSPROP, OPT_KINDS };
#define MAX_HP 4
#define MAX_SLOTS 3

/* Per-kind constants: the constructor's spec, hyperparameters (TF's _prepare
 * names, in order) and slots (TF's slot names, in creation order). */
typedef struct opt_kind {
    const char *cls, *module, *spec, *defname;
    int nhp;
    const char *hp[MAX_HP];
} opt_kind;

static const opt_kind kinds[OPT_KINDS] = {
    { "GradientDescentOptimizer", "tensorflow.python.training.gradient_descent",
      "learning_rate,use_locking=,name=", "GradientDescent", 1, { "learning_rate" } },
    { "MomentumOptimizer", "tensorflow.python.training.momentum",
      "learning_rate,momentum,use_locking=,name=,use_nesterov=", "Momentum", 2, { "learning_rate", "momentum" } },
    { "AdamOptimizer", "tensorflow.python.training.adam",
      "learning_rate=,beta1=,beta2=,epsilon=,use_locking=,name=,use_own_namescope_for_non_slot_vars=", "Adam", 4,
      { "learning_rate", "beta1", "beta2", "epsilon" } },
    { "RMSPropOptimizer", "tensorflow.python.training.rmsprop",
      "learning_rate,decay=,momentum=,epsilon=,use_locking=,centered=,name=", "RMSProp", 4,
      { "learning_rate", "decay", "momentum", "epsilon" } },
};

/* The slot variables of one primary variable, in the kind's slot order. */
typedef struct slot_entry {
    tfg_node *var;
    tfg_node *slot[MAX_SLOTS];
} slot_entry;

typedef struct optstate {
    int kind;
    char *name;                  /* the optimizer's name: default scope, slot suffix */
    tfg_val hp[MAX_HP];          /* hyperparameters as given (numbers, tensors, callables) */
    bool nesterov, centered;
    slot_entry *slots;
    int nslots, capslots;
    tfg_node *beta1_power, *beta2_power;   /* Adam's non-slot variables */
} optstate;

/* The slot names of a kind (TF's, in creation order) and their count. */
static int slot_names(const optstate *st, const char **names, const char **fills)
{
    switch (st->kind) {
    case OPT_MOMENTUM:
        names[0] = "momentum"; fills[0] = "zeros";
        return 1;
    case OPT_ADAM:
        names[0] = "m"; fills[0] = "zeros";
        names[1] = "v"; fills[1] = "zeros";
        return 2;
    case OPT_RMSPROP: {
        int k = 0;
        names[k] = "rms"; fills[k++] = "ones";
        if (st->centered) { names[k] = "mg"; fills[k++] = "zeros"; }
        names[k] = "momentum"; fills[k++] = "zeros";
        return k;
    }
    default:
        return 0;
    }
}

/* Frees an optimizer's state. */
static void opt_free(void *p)
{
    optstate *st = p;
    for (int i = 0; i < MAX_HP; i++) tfg_val_decref(st->hp[i]);
    free(st->name);
    free(st->slots);
    free(st);
}

static int opt_getattr(tfg_eval *ev, tfg_val self, const char *name, tfg_loc loc, tfg_val *out);

static const tfg_objclass opt_classes[OPT_KINDS] = {
    { "GradientDescentOptimizer", "tensorflow.python.training.gradient_descent", opt_getattr, opt_free },
    { "MomentumOptimizer", "tensorflow.python.training.momentum", opt_getattr, opt_free },
    { "AdamOptimizer", "tensorflow.python.training.adam", opt_getattr, opt_free },
    { "RMSPropOptimizer", "tensorflow.python.training.rmsprop", opt_getattr, opt_free },
};

/* The optimizer state behind a bound method's self. */
static optstate *opt_of(tfg_val self) { return ((tfg_objectobj *)self.u.p)->state; }

/* Checks that a hyperparameter is something TF can convert to a tensor. */
static int check_hp(tfg_eval *ev, tfg_val v, const char *what, tfg_loc loc)
{
    if (tfg_val_is_number(v) || v.t == TFG_V_TENSOR || v.t == TFG_V_VARIABLE || v.t == TFG_V_FUNC ||
        v.t == TFG_V_BUILTIN || (v.t == TFG_V_ARRAY && tfg_val_as_array(v)->size == 1))
        return 0;
    return tfg_eval_error(ev, loc, "%s must be a number or a scalar tensor, not %s", what, tfg_val_type_name(v));
}

/* tf.train.GradientDescentOptimizer / MomentumOptimizer / AdamOptimizer /
 * RMSPropOptimizer (the entry's flag is the kind). */
B(b_optimizer)
{
    int kind = (int)self.u.i;
    const opt_kind *k = &kinds[kind];
    tfg_val v[8];
    if (tfg_eval_bind(ev, a, k->cls, k->spec, v)) return -1;
    optstate *st = calloc(1, sizeof *st);
    if (!st) return tfg_eval_error(ev, a->loc, "out of memory");
    st->kind = kind;
    for (int i = 0; i < MAX_HP; i++) st->hp[i] = tfg_val_none();
    const char *name = NULL;
    int rc = 0;
    bool use_nesterov = false, centered = false;
    switch (kind) {
    case OPT_GD:
        st->hp[0] = tfg_val_incref(v[0]);
        name = str_arg(v[2]);
        break;
    case OPT_MOMENTUM:
        st->hp[0] = tfg_val_incref(v[0]);
        st->hp[1] = tfg_val_incref(v[1]);
        name = str_arg(v[3]);
        rc = bool_arg(ev, v[4], false, a->loc, &use_nesterov);
        break;
    case OPT_ADAM: {
        const double def[4] = { 0.001, 0.9, 0.999, 1e-8 };
        for (int i = 0; i < 4; i++) st->hp[i] = given(v[i]) ? tfg_val_incref(v[i]) : tfg_val_float(def[i]);
        name = str_arg(v[5]);
        break;
    }
    case OPT_RMSPROP: {
        const double def[4] = { 0, 0.9, 0.0, 1e-10 };
        st->hp[0] = tfg_val_incref(v[0]);
        for (int i = 1; i < 4; i++) st->hp[i] = given(v[i]) ? tfg_val_incref(v[i]) : tfg_val_float(def[i]);
        rc = bool_arg(ev, v[5], false, a->loc, &centered);
        name = str_arg(v[6]);
        break;
    }
    default:
        break;
    }
    for (int i = 0; i < k->nhp && rc == 0; i++) rc = check_hp(ev, st->hp[i], k->hp[i], a->loc);
    st->nesterov = use_nesterov;
    st->centered = centered;
    st->name = dupstr(name ? name : k->defname);
    if (rc == 0 && !st->name) rc = tfg_eval_error(ev, a->loc, "out of memory");
    if (rc == 0 && !st->name[0]) rc = tfg_eval_error(ev, a->loc, "The optimizer name must not be empty");
    if (rc) { opt_free(st); return -1; }
    *out = tfg_val_object(&opt_classes[kind]);
    if (out->t == TFG_V_MISSING) { opt_free(st); return tfg_eval_error(ev, a->loc, "out of memory"); }
    ((tfg_objectobj *)out->u.p)->state = st;
    return 0;
}

/* The slot entry of a primary variable (NULL when none yet). */
static slot_entry *find_slots(optstate *st, const tfg_node *var)
{
    for (int i = 0; i < st->nslots; i++)
        if (st->slots[i].var == var) return &st->slots[i];
    return NULL;
}

/* TF's _create_slots: Adam's beta powers (once), then each variable's slots
 * that do not exist yet, in the current name scope for the beta powers and
 * at "VAR/OPTNAME" (unique) for slots. */
static int create_slots(tfg_eval *ev, optstate *st, tfg_node **vars, int n, tfg_loc loc)
{
    if (st->kind == OPT_ADAM && !st->beta1_power) {
        ctrl_hide h;
        hide_control(ev->g, &h);
        int rc = 0;
        const char *names[2] = { "beta1_power", "beta2_power" };
        tfg_node *made[2] = { NULL, NULL };
        for (int i = 0; i < 2 && rc == 0; i++) {
            const char *kwn[2] = { "name", "trainable" };
            tfg_val kw[2] = { tfg_val_cstr(names[i]), tfg_val_bool(false) };
            tfg_val r;
            rc = call_tf(ev, "Variable", &st->hp[1 + i], 1, kwn, kw, 2, loc, &r);
            tfg_val_decref(kw[0]);
            if (rc == 0) { made[i] = var_node(r); tfg_val_decref(r); }
        }
        show_control(ev->g, &h);
        if (rc) return -1;
        st->beta1_power = made[0];
        st->beta2_power = made[1];
    }
    const char *names[MAX_SLOTS], *fills[MAX_SLOTS];
    int ns = slot_names(st, names, fills);
    if (ns == 0) return 0;
    for (int i = 0; i < n; i++) {
        if (find_slots(st, vars[i])) continue;
        if (st->nslots == st->capslots) {
            int nc = st->capslots ? st->capslots * 2 : 8;
            slot_entry *p = realloc(st->slots, sizeof *p * (size_t)nc);
            if (!p) return tfg_eval_error(ev, loc, "out of memory");
            st->slots = p;
            st->capslots = nc;
        }
        slot_entry *se = &st->slots[st->nslots];
        memset(se, 0, sizeof *se);
        se->var = vars[i];
        char *base = fmtstr("%s/%s", vars[i]->name, st->name);
        if (!base) return tfg_eval_error(ev, loc, "out of memory");
        for (int s = 0; s < ns; s++) {
            se->slot[s] = filled_variable(ev, base, vars[i], vars[i]->out_dtype[0], fills[s], loc);
            if (!se->slot[s]) { free(base); return -1; }
        }
        free(base);
        st->nslots++;
    }
    return 0;
}

/* The slot variable named `slot` of var (NULL when none). */
static tfg_node *get_slot(optstate *st, const tfg_node *var, const char *slot)
{
    slot_entry *se = find_slots(st, var);
    if (!se) return NULL;
    const char *names[MAX_SLOTS], *fills[MAX_SLOTS];
    int ns = slot_names(st, names, fills);
    for (int s = 0; s < ns; s++)
        if (strcmp(names[s], slot) == 0) return se->slot[s];
    return NULL;
}

/* e as dtype dt: itself, or a Cast node "Cast" in the current scope. */
static int cast_to(tfg_eval *ev, tfg_endpoint e, tfg_dtype dt, tfg_loc loc, tfg_endpoint *out)
{
    if (e.node->out_dtype[e.index] == dt) { *out = e; return 0; }
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    at.dtype = dt;
    tfg_node *c = tfg_eval_node(ev, "Cast", "Cast", &e, 1, &at, loc);
    if (!c) return -1;
    *out = (tfg_endpoint){ c, 0 };
    return 0;
}

/* TF's _prepare: each hyperparameter as a tensor in the optimizer's scope
 * (callables called, Python numbers as Consts named after the parameter). */
static int prepare_hp(tfg_eval *ev, optstate *st, tfg_loc loc, tfg_endpoint *hp)
{
    const opt_kind *k = &kinds[st->kind];
    for (int i = 0; i < k->nhp; i++) {
        tfg_val v = tfg_val_incref(st->hp[i]);
        if (v.t == TFG_V_FUNC || v.t == TFG_V_BUILTIN) {
            tfg_args none = { NULL, 0, NULL, NULL, 0, loc };
            tfg_val r;
            int rc = tfg_eval_call(ev, v, &none, &r);
            tfg_val_decref(v);
            if (rc) return -1;
            v = r;
        }
        int rc = tfg_eval_to_tensor(ev, v, -1, k->hp[i], loc, &hp[i]);
        tfg_val_decref(v);
        if (rc) return -1;
    }
    return 0;
}

/* TF's _apply_dense for one variable: the Apply* op in the current scope
 * ("OPT/update_VAR/"), hyperparameters cast to the variable's dtype. */
static tfg_node *apply_dense(tfg_eval *ev, optstate *st, tfg_node *var, tfg_endpoint grad, const tfg_endpoint *hp,
                             tfg_loc loc)
{
    tfg_dtype dt = var->out_dtype[0];
    tfg_endpoint in[10];
    int n = 0;
    const char *type = NULL;
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    in[n++] = (tfg_endpoint){ var, 0 };
    switch (st->kind) {
    case OPT_GD:
        type = "ApplyGradientDescent";
        if (cast_to(ev, hp[0], dt, loc, &in[n++])) return NULL;
        in[n++] = grad;
        break;
    case OPT_MOMENTUM:
        type = "ApplyMomentum";
        in[n++] = (tfg_endpoint){ get_slot(st, var, "momentum"), 0 };
        if (cast_to(ev, hp[0], dt, loc, &in[n++])) return NULL;
        in[n++] = grad;
        if (cast_to(ev, hp[1], dt, loc, &in[n++])) return NULL;
        at.flag[0] = st->nesterov;
        break;
    case OPT_ADAM: {
        type = "ApplyAdam";
        in[n++] = (tfg_endpoint){ get_slot(st, var, "m"), 0 };
        in[n++] = (tfg_endpoint){ get_slot(st, var, "v"), 0 };
        tfg_endpoint p1 = { st->beta1_power->read, 0 }, p2 = { st->beta2_power->read, 0 };
        if (cast_to(ev, p1, dt, loc, &in[n++]) || cast_to(ev, p2, dt, loc, &in[n++])) return NULL;
        for (int i = 0; i < 4; i++)
            if (cast_to(ev, hp[i], dt, loc, &in[n++])) return NULL;
        in[n++] = grad;
        break;
    }
    case OPT_RMSPROP:
        type = st->centered ? "ApplyCenteredRMSProp" : "ApplyRMSProp";
        if (st->centered) in[n++] = (tfg_endpoint){ get_slot(st, var, "mg"), 0 };
        in[n++] = (tfg_endpoint){ get_slot(st, var, "rms"), 0 };
        in[n++] = (tfg_endpoint){ get_slot(st, var, "momentum"), 0 };
        for (int i = 0; i < 4; i++)
            if (cast_to(ev, hp[i], dt, loc, &in[n++])) return NULL;
        in[n++] = grad;
        break;
    default:
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!in[i].node) { tfg_eval_error(ev, loc, "internal error: missing slot for %s", var->name); return NULL; }
    return tfg_eval_node(ev, type, type, in, n, &at, loc);
}

/* A NoOp named name that runs after every node of deps. */
static tfg_node *group(tfg_eval *ev, tfg_node **deps, int n, const char *name, tfg_loc loc)
{
    tfg_node *g = tfg_eval_node(ev, "NoOp", name, NULL, 0, NULL, loc);
    if (!g) return NULL;
    for (int i = 0; i < n; i++)
        if (tfg_graph_add_control(ev->g, g, deps[i])) { tfg_eval_error(ev, loc, "out of memory"); return NULL; }
    return g;
}

/* TF's _finish: Adam updates its beta powers after the variables (under
 * control dependencies on the updates); then the group named name. */
static tfg_node *finish(tfg_eval *ev, optstate *st, tfg_node **ups, int n, const tfg_endpoint *hp,
                        const char *name, tfg_loc loc)
{
    if (st->kind != OPT_ADAM) return group(ev, ups, n, name, loc);
    tfg_node **all = calloc((size_t)n + 2, sizeof *all);
    if (!all) { tfg_eval_error(ev, loc, "out of memory"); return NULL; }
    memcpy(all, ups, sizeof *all * (size_t)n);
    int rc = 0;
    tfg_node *pw[2] = { st->beta1_power, st->beta2_power };
    for (int i = 0; i < 2 && rc == 0; i++) {
        tfg_val prod, asg;
        /* the product runs after the updates; the Assign, fed by it, needs no
           control input of its own (TF leaves out dominated ones) */
        if (tfg_graph_push_control(ev->g, ups, n)) { rc = tfg_eval_error(ev, loc, "out of memory"); break; }
        rc = tfg_tfapi_binary(ev, "Mul", "mul", 0, tfg_val_variable(pw[i]), tfg_val_tensor(hp[1 + i]), NULL, loc,
                              &prod);
        tfg_graph_pop_control(ev->g);
        if (rc) break;
        rc = tfg_tfapi_assign(ev, "Assign", tfg_val_variable(pw[i]), prod, NULL, loc, &asg);
        tfg_val_decref(prod);
        if (rc) break;
        all[n + i] = asg.u.e.node;
        tfg_val_decref(asg);
    }
    tfg_node *g = rc ? NULL : group(ev, all, n + 2, name, loc);
    free(all);
    return g;
}

/* One (gradient, variable) pair read from the script. */
typedef struct gv_pair {
    tfg_endpoint grad;    /* node NULL: None */
    tfg_node *var;
} gv_pair;

/* Reads grads_and_vars (an iterable of (gradient, variable) pairs),
 * converting host gradients to Consts. */
static int read_pairs(tfg_eval *ev, tfg_val gvs, tfg_loc loc, gv_pair **out, int *nout)
{
    tfg_val *items;
    int n;
    if (tfg_eval_iter(ev, gvs, loc, &items, &n)) return -1;
    gv_pair *p = calloc((size_t)n + 1, sizeof *p);
    int rc = p ? 0 : tfg_eval_error(ev, loc, "out of memory");
    for (int i = 0; i < n && rc == 0; i++) {
        tfg_val it = items[i];
        if ((it.t != TFG_V_LIST && it.t != TFG_V_TUPLE) || tfg_val_as_list(it)->n != 2) {
            rc = tfg_eval_error(ev, loc, "grads_and_vars must be a list of (gradient, variable) pairs, not %s",
                                tfg_val_type_name(it));
            break;
        }
        tfg_val g = tfg_val_as_list(it)->items[0], v = tfg_val_as_list(it)->items[1];
        p[i].var = var_node(v);
        if (!p[i].var) {
            char *s = val_str(v);
            rc = tfg_eval_error(ev, loc, "('Trying to optimize unsupported type ', %s)", s ? s : "?");
            free(s);
            break;
        }
        if (g.t == TFG_V_NONE) continue;
        if (g.t != TFG_V_TENSOR && g.t != TFG_V_VARIABLE && tfg_eval_natural_dtype(g) < 0) {
            char *s = val_str(g);
            rc = tfg_eval_error(ev, loc, "Gradient must be convertible to a Tensor or IndexedSlices, or None: %s",
                                s ? s : "?");
            free(s);
            break;
        }
        rc = tfg_eval_to_tensor(ev, g, -1, "Const", loc, &p[i].grad);
    }
    for (int i = 0; i < n; i++) tfg_val_decref(items[i]);
    free(items);
    if (rc) { free(p); return -1; }
    *out = p;
    *nout = n;
    return 0;
}

/* The repr-style list of str(v) of the variables, for TF's messages. */
static char *vars_list_str(tfg_node *const *vars, int n)
{
    tfg_val l = tfg_val_list_new(TFG_V_LIST, n);
    for (int i = 0; i < n; i++) {
        char *s = val_str(tfg_val_variable(vars[i]));
        tfg_val_list_append(l, tfg_val_cstr(s ? s : "?"));
        free(s);
    }
    tfg_sb b = { 0 };
    tfg_val_repr_into(&b, l);
    tfg_val_decref(l);
    return tfg_sb_take(&b);
}

/* TF's Optimizer.apply_gradients on pairs already read. */
static int apply_pairs(tfg_eval *ev, optstate *st, gv_pair *p, int n, tfg_val global_step, const char *name,
                       tfg_loc loc, tfg_val *out)
{
    if (n == 0) return tfg_eval_error(ev, loc, "No variables provided.");
    tfg_node *gs = NULL;
    if (given(global_step)) {
        gs = var_node(global_step);
        if (!gs) return tfg_eval_error(ev, loc, "global_step must be a tf.Variable, not %s", tfg_val_type_name(global_step));
    }
    tfg_node **vars = calloc((size_t)n + 1, sizeof *vars), **ups = calloc((size_t)n + 1, sizeof *ups);
    int nv = 0, rc = -1;
    bool scoped = false;
    if (!vars || !ups) { tfg_eval_error(ev, loc, "out of memory"); goto done; }
    for (int i = 0; i < n; i++)
        if (p[i].grad.node) vars[nv++] = p[i].var;
    if (nv == 0) {
        tfg_node **all = calloc((size_t)n + 1, sizeof *all);
        for (int i = 0; all && i < n; i++) all[i] = p[i].var;
        char *s = all ? vars_list_str(all, n) : NULL;
        tfg_eval_error(ev, loc, "No gradients provided for any variable: (%s,).", s ? s : "[]");
        free(s);
        free(all);
        goto done;
    }
    if (create_slots(ev, st, vars, nv, loc)) goto done;
    const char *scope = tfg_graph_push_scope(ev->g, name ? name : st->name);
    if (!scope) { tfg_eval_error(ev, loc, "out of memory"); goto done; }
    scoped = true;
    tfg_endpoint hp[MAX_HP];
    if (prepare_hp(ev, st, loc, hp)) goto done;
    int nu = 0;
    for (int i = 0; i < n; i++) {
        if (!p[i].grad.node) continue;
        char *sn = fmtstr("update_%s", p[i].var->name);
        if (!sn || !tfg_graph_push_scope(ev->g, sn)) { free(sn); tfg_eval_error(ev, loc, "out of memory"); goto done; }
        free(sn);
        ups[nu] = apply_dense(ev, st, p[i].var, p[i].grad, hp, loc);
        tfg_graph_pop_scope(ev->g);
        if (!ups[nu]) goto done;
        nu++;
    }
    tfg_node *result;
    if (!gs) {
        result = finish(ev, st, ups, nu, hp, scope, loc);
        if (!result) goto done;
    } else {
        tfg_node *upd = finish(ev, st, ups, nu, hp, "update", loc);
        if (!upd) goto done;
        /* the increment's "value" runs after the update; the AssignAdd fed by it
           needs no control input of its own (TF leaves out dominated ones) */
        if (tfg_graph_push_control(ev->g, &upd, 1)) { tfg_eval_error(ev, loc, "out of memory"); goto done; }
        tfg_endpoint one;
        int arc = tfg_eval_to_tensor(ev, tfg_val_int(1), (int)gs->out_dtype[0], "value", loc, &one);
        tfg_graph_pop_control(ev->g);
        if (arc) goto done;
        tfg_val r;
        if (tfg_tfapi_assign(ev, "AssignAdd", tfg_val_variable(gs), tfg_val_tensor(one), scope, loc, &r)) goto done;
        result = r.u.e.node;
        tfg_val_decref(r);
    }
    *out = tfg_val_op(result);
    rc = 0;
done:
    if (scoped) tfg_graph_pop_scope(ev->g);
    free(vars);
    free(ups);
    return rc;
}

/* Optimizer.apply_gradients(grads_and_vars, global_step=None, name=None) */
B(m_apply_gradients)
{
    tfg_val v[4];
    if (tfg_eval_bind(ev, a, "apply_gradients", "grads_and_vars,global_step=,name=,skip_gradients_aggregation=", v))
        return -1;
    gv_pair *p;
    int n;
    if (read_pairs(ev, v[0], a->loc, &p, &n)) return -1;
    int rc = apply_pairs(ev, opt_of(self), p, n, v[1], str_arg(v[2]), a->loc, out);
    free(p);
    return rc;
}

/* Flattens var_list (nested lists/tuples, dict values in key order) into variables. */
static int flatten_vars(tfg_eval *ev, tfg_val v, tfg_node ***vars, int *n, int *cap, tfg_loc loc)
{
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        for (int i = 0; i < l->n; i++)
            if (flatten_vars(ev, l->items[i], vars, n, cap, loc)) return -1;
        return 0;
    }
    if (v.t == TFG_V_DICT) {
        tfg_dict *d = tfg_val_as_dict(v);
        for (int i = 0; i < d->n; i++)
            if (flatten_vars(ev, d->vals[i], vars, n, cap, loc)) return -1;
        return 0;
    }
    tfg_node *node = var_node(v);
    if (!node) {
        char *s = val_str(v);
        int rc = tfg_eval_error(ev, loc, "('Trying to optimize unsupported type ', %s)", s ? s : "?");
        free(s);
        return rc;
    }
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        tfg_node **p = realloc(*vars, sizeof *p * (size_t)nc);
        if (!p) return tfg_eval_error(ev, loc, "out of memory");
        *vars = p;
        *cap = nc;
    }
    (*vars)[(*n)++] = node;
    return 0;
}

/* TF's compute_gradients: (gradient or None, variable) pairs of loss for
 * var_list (default: the trainable variables). */
static int compute_pairs(tfg_eval *ev, tfg_val loss, tfg_val var_list, tfg_val grad_loss, tfg_loc loc,
                         gv_pair **out, int *nout)
{
    if (loss.t != TFG_V_TENSOR && loss.t != TFG_V_VARIABLE) {
        if (loss.t == TFG_V_FUNC || loss.t == TFG_V_BUILTIN)
            return tfg_eval_error(ev, loc, "`loss` passed to Optimizer.compute_gradients should be a Tensor in "
                                           "graph mode (a callable loss needs eager execution)");
        return tfg_eval_error(ev, loc, "loss must be a Tensor, not %s", tfg_val_type_name(loss));
    }
    tfg_endpoint y;
    if (tfg_eval_to_tensor(ev, loss, -1, NULL, loc, &y) || check_float(ev, y, loc)) return -1;
    tfg_endpoint gy = { NULL, 0 };
    if (given(grad_loss)) {
        if (tfg_eval_to_tensor(ev, grad_loss, -1, "grad_loss", loc, &gy) || check_float(ev, gy, loc)) return -1;
    }
    tfg_node **vars = NULL;
    int n = 0, cap = 0;
    if (!given(var_list)) {
        for (int i = 0; i < ev->g->nvariables; i++) {
            tfg_node *vn = ev->g->variables[i];
            if (!vn->trainable) continue;
            if (flatten_vars(ev, tfg_val_variable(vn), &vars, &n, &cap, loc)) { free(vars); return -1; }
        }
    } else if (flatten_vars(ev, var_list, &vars, &n, &cap, loc)) {
        free(vars);
        return -1;
    }
    if (n == 0) { free(vars); return tfg_eval_error(ev, loc, "No variables to optimize."); }
    tfg_endpoint *xs = calloc((size_t)n, sizeof *xs), *gs = calloc((size_t)n, sizeof *gs);
    gv_pair *p = calloc((size_t)n, sizeof *p);
    int rc = -1;
    if (!xs || !gs || !p) { tfg_eval_error(ev, loc, "out of memory"); goto done; }
    for (int i = 0; i < n; i++)
        if (tfg_eval_to_tensor(ev, tfg_val_variable(vars[i]), -1, NULL, loc, &xs[i])) goto done;
    tfg_error e;
    if (tfg_grad_build(ev->g, &y, 1, xs, n, gy.node ? &gy : NULL, "gradients", loc, gs, &e)) {
        tfg_eval_error(ev, loc, "%s", e.msg);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        p[i].grad = gs[i];
        p[i].var = vars[i];
        if (gs[i].node && check_float(ev, (tfg_endpoint){ vars[i], 0 }, loc)) goto done;
    }
    *out = p;
    *nout = n;
    p = NULL;
    rc = 0;
done:
    free(p);
    free(xs);
    free(gs);
    free(vars);
    return rc;
}

/* The script list of (gradient, variable) tuples. */
static tfg_val pairs_value(const gv_pair *p, int n)
{
    tfg_val l = tfg_val_list_new(TFG_V_LIST, n);
    for (int i = 0; i < n; i++) {
        tfg_val t = tfg_val_list_new(TFG_V_TUPLE, 2);
        tfg_val_list_append(t, p[i].grad.node ? tfg_val_tensor(p[i].grad) : tfg_val_none());
        tfg_val_list_append(t, tfg_val_variable(p[i].var));
        tfg_val_list_append(l, t);
    }
    return l;
}

/* Optimizer.compute_gradients(loss, var_list=None, gate_gradients=GATE_OP,
 *   aggregation_method=None, colocate_gradients_with_ops=False, grad_loss=None) */
B(m_compute_gradients)
{
    tfg_val v[6];
    if (tfg_eval_bind(ev, a, "compute_gradients",
                      "loss,var_list=,gate_gradients=,aggregation_method=,colocate_gradients_with_ops=,grad_loss=", v))
        return -1;
    (void)self;
    gv_pair *p;
    int n;
    if (compute_pairs(ev, v[0], v[1], v[5], a->loc, &p, &n)) return -1;
    *out = pairs_value(p, n);
    free(p);
    return 0;
}

/* Optimizer.minimize(loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
 *   aggregation_method=None, colocate_gradients_with_ops=False, name=None, grad_loss=None) */
B(m_minimize)
{
    tfg_val v[8];
    if (tfg_eval_bind(ev, a, "minimize",
                      "loss,global_step=,var_list=,gate_gradients=,aggregation_method=,colocate_gradients_with_ops=,"
                      "name=,grad_loss=", v))
        return -1;
    gv_pair *p;
    int n;
    if (compute_pairs(ev, v[0], v[2], v[7], a->loc, &p, &n)) return -1;
    bool any = false;
    for (int i = 0; i < n; i++) any |= p[i].grad.node != NULL;
    int rc;
    if (!any) {
        tfg_node **vars = calloc((size_t)n + 1, sizeof *vars);
        for (int i = 0; vars && i < n; i++) vars[i] = p[i].var;
        char *vs = vars ? vars_list_str(vars, n) : NULL, *ls = val_str(v[0]);
        rc = tfg_eval_error(ev, a->loc, "No gradients provided for any variable, check your graph for ops that do "
                                        "not support gradients, between variables %s and loss %s.",
                            vs ? vs : "[]", ls ? ls : "?");
        free(vs);
        free(ls);
        free(vars);
    } else {
        rc = apply_pairs(ev, opt_of(self), p, n, v[1], str_arg(v[6]), a->loc, out);
    }
    free(p);
    return rc;
}

/* Optimizer.get_slot(var, name) */
B(m_get_slot)
{
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "get_slot", "var,name", v)) return -1;
    const char *nm = str_arg(v[1]);
    tfg_node *var = var_node(v[0]);
    tfg_node *s = var && nm ? get_slot(opt_of(self), var, nm) : NULL;
    *out = s ? tfg_val_variable(s) : tfg_val_none();
    return 0;
}

/* Compares two strings for qsort. */
static int cmp_str(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

/* Compares two nodes by name for qsort. */
static int cmp_node(const void *x, const void *y)
{
    return strcmp((*(tfg_node *const *)x)->name, (*(tfg_node *const *)y)->name);
}

/* Optimizer.get_slot_names() */
B(m_get_slot_names)
{
    (void)ev; (void)a;
    optstate *st = opt_of(self);
    const char *names[MAX_SLOTS], *fills[MAX_SLOTS];
    int ns = st->nslots ? slot_names(st, names, fills) : 0;
    qsort(names, (size_t)ns, sizeof *names, cmp_str);
    tfg_val l = tfg_val_list_new(TFG_V_LIST, ns);
    for (int i = 0; i < ns; i++) tfg_val_list_append(l, tfg_val_cstr(names[i]));
    *out = l;
    return 0;
}

/* Optimizer.variables(): slot and non-slot variables, sorted by name. */
B(m_variables)
{
    (void)a;
    optstate *st = opt_of(self);
    int cap = st->nslots * MAX_SLOTS + 2, n = 0;
    tfg_node **vs = calloc((size_t)cap + 1, sizeof *vs);
    if (!vs) return tfg_eval_error(ev, a->loc, "out of memory");
    if (st->beta1_power) { vs[n++] = st->beta1_power; vs[n++] = st->beta2_power; }
    for (int i = 0; i < st->nslots; i++)
        for (int s = 0; s < MAX_SLOTS; s++)
            if (st->slots[i].slot[s]) vs[n++] = st->slots[i].slot[s];
    qsort(vs, (size_t)n, sizeof *vs, cmp_node);
    tfg_val l = tfg_val_list_new(TFG_V_LIST, n);
    for (int i = 0; i < n; i++) tfg_val_list_append(l, tfg_val_variable(vs[i]));
    free(vs);
    *out = l;
    return 0;
}

/* Optimizer.get_name() */
B(m_get_name)
{
    (void)ev; (void)a;
    *out = tfg_val_cstr(opt_of(self)->name);
    return 0;
}

static const tfg_builtin M_MINIMIZE = { "minimize", m_minimize, NULL, 0 };
static const tfg_builtin M_COMPUTE = { "compute_gradients", m_compute_gradients, NULL, 0 };
static const tfg_builtin M_APPLY = { "apply_gradients", m_apply_gradients, NULL, 0 };
static const tfg_builtin M_GET_SLOT = { "get_slot", m_get_slot, NULL, 0 };
static const tfg_builtin M_GET_SLOT_NAMES = { "get_slot_names", m_get_slot_names, NULL, 0 };
static const tfg_builtin M_VARIABLES = { "variables", m_variables, NULL, 0 };
static const tfg_builtin M_GET_NAME = { "get_name", m_get_name, NULL, 0 };

/* Attributes of optimizer objects: the methods and the GATE_* constants. */
static int opt_getattr(tfg_eval *ev, tfg_val self, const char *name, tfg_loc loc, tfg_val *out)
{
    (void)ev; (void)loc;
    static const struct { const char *name; const tfg_builtin *def; } methods[] = {
        { "minimize", &M_MINIMIZE }, { "compute_gradients", &M_COMPUTE }, { "apply_gradients", &M_APPLY },
        { "get_slot", &M_GET_SLOT }, { "get_slot_names", &M_GET_SLOT_NAMES }, { "variables", &M_VARIABLES },
        { "get_name", &M_GET_NAME },
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(name, methods[i].name) == 0) { *out = tfg_val_builtin(methods[i].def, self); return 0; }
    static const char *const gates[] = { "GATE_NONE", "GATE_OP", "GATE_GRAPH" };
    for (int i = 0; i < 3; i++)
        if (strcmp(name, gates[i]) == 0) { *out = tfg_val_int(i); return 0; }
    return 1;
}

/* ---- paths ------------------------------------------------------------------------------------------ */
/* Python's os.path.dirname, malloc'd. */
static char *path_dirname(const char *p)
{
    const char *slash = strrchr(p, '/');
    size_t l = slash ? (size_t)(slash - p) + 1 : 0;
    size_t k = l;
    while (k > 0 && p[k - 1] == '/') k--;
    if (k > 0) l = k;                 /* strip trailing slashes unless the head is all slashes */
    char *d = malloc(l + 1);
    if (d) { memcpy(d, p, l); d[l] = 0; }
    return d;
}

/* Python's os.path.basename (a pointer into p). */
static const char *path_basename(const char *p)
{
    const char *slash = strrchr(p, '/');
    return slash ? slash + 1 : p;
}

/* Python's os.path.join(a, b), malloc'd. */
static char *path_join(const char *a, const char *b)
{
    if (b[0] == '/' || !a[0]) return dupstr(b);
    size_t la = strlen(a);
    return fmtstr("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

/* The components of os.path.abspath(p) (lexical: ".", "..", "//" resolved
 * against the working directory); *buf owns the strings. */
static int path_components(const char *p, char **buf, const char ***comps, int *n)
{
    char cwd[4096];
    if (p[0] != '/' && !getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "/");
    *buf = p[0] == '/' ? dupstr(p) : fmtstr("%s/%s", cwd, p);
    if (!*buf) return -1;
    size_t len = strlen(*buf);
    *comps = calloc(len / 2 + 2, sizeof **comps);
    if (!*comps) { free(*buf); return -1; }
    *n = 0;
    for (char *s = strtok(*buf, "/"); s; s = strtok(NULL, "/")) {
        if (strcmp(s, ".") == 0) continue;
        if (strcmp(s, "..") == 0) { if (*n) (*n)--; continue; }
        (*comps)[(*n)++] = s;
    }
    return 0;
}

/* Python's os.path.relpath(p, start), malloc'd (NULL on OOM). */
static char *path_relpath(const char *p, const char *start)
{
    char *b1 = NULL, *b2 = NULL;
    const char **c1 = NULL, **c2 = NULL;
    int n1 = 0, n2 = 0;
    char *res = NULL;
    if (path_components(p, &b1, &c1, &n1)) return NULL;
    if (path_components(start[0] ? start : ".", &b2, &c2, &n2)) { free(b1); free(c1); return NULL; }
    int i = 0;
    while (i < n1 && i < n2 && strcmp(c1[i], c2[i]) == 0) i++;
    tfg_sb b = { 0 };
    for (int k = i; k < n2; k++) tfg_sb_add(&b, k > i ? "/.." : "..");
    for (int k = i; k < n1; k++) {
        if (b.len) tfg_sb_add(&b, "/");
        tfg_sb_add(&b, c1[k]);
    }
    if (!b.len) tfg_sb_add(&b, ".");
    res = b.oom ? (free(b.s), NULL) : tfg_sb_take(&b);
    free(b1); free(b2); free(c1); free(c2);
    return res;
}

/* Writes text to path atomically (PATH.tmp.XXXXXX, fsync, rename). */
static int write_text_atomic(const char *path, const char *text, tfg_error *err)
{
    char *tmp = fmtstr("%s.tmp.XXXXXX", path);
    if (!tmp) return tfg_error_set(err, "Out of memory writing '%s'", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return tfg_error_set(err, "Cannot write '%s': %s", path, strerror(e));
    }
    fchmod(fd, 0644);
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    int e = off < len ? (errno ? errno : EIO) : 0;
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e) {
        unlink(tmp);
        free(tmp);
        return tfg_error_set(err, "Cannot write '%s': %s", path, strerror(e));
    }
    free(tmp);
    return 0;
}

/* Appends s as a protobuf text-format string literal (C escapes, octal for other bytes). */
static void put_pb_string(tfg_sb *b, const char *s)
{
    tfg_sb_add(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\n': tfg_sb_add(b, "\\n"); break;
        case '\r': tfg_sb_add(b, "\\r"); break;
        case '\t': tfg_sb_add(b, "\\t"); break;
        case '"': tfg_sb_add(b, "\\\""); break;
        case '\'': tfg_sb_add(b, "\\'"); break;
        case '\\': tfg_sb_add(b, "\\\\"); break;
        default:
            if (*p < 0x20 || *p >= 0x7f) tfg_sb_printf(b, "\\%03o", *p);
            else tfg_sb_addn(b, (const char *)p, 1);
        }
    }
    tfg_sb_add(b, "\"");
}

/* Reads a protobuf text-format string literal at *pp into a malloc'd string
 * (NULL when malformed). */
static char *get_pb_string(const char **pp)
{
    const char *p = *pp;
    char q = *p;
    if (q != '"' && q != '\'') return NULL;
    p++;
    tfg_sb b = { 0 };
    while (*p && *p != q && *p != '\n') {
        if (*p != '\\') { tfg_sb_addn(&b, p++, 1); continue; }
        p++;
        char c = *p;
        if (c >= '0' && c <= '7') {
            int v = 0, k = 0;
            while (k < 3 && *p >= '0' && *p <= '7') { v = v * 8 + (*p++ - '0'); k++; }
            char ch = (char)v;
            tfg_sb_addn(&b, &ch, 1);
            continue;
        }
        if (c == 'x') {
            int v = 0, k = 0;
            p++;
            while (k < 2 && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))) {
                v = v * 16 + (*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
                p++;
                k++;
            }
            char ch = (char)v;
            tfg_sb_addn(&b, &ch, 1);
            continue;
        }
        char ch = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'a' ? '\a' : c == 'b' ? '\b'
                : c == 'f' ? '\f' : c == 'v' ? '\v' : c;
        if (!c) break;
        tfg_sb_addn(&b, &ch, 1);
        p++;
    }
    if (*p != q) { free(b.s); return NULL; }
    *pp = p + 1;
    return tfg_sb_take(&b);
}

/* TF's CheckpointState, read from DIR/checkpoint: paths joined to dir when
 * relative. 1 when there is no (parsable) file, -1 after an error. */
typedef struct ckpt_state {
    char *model;
    char **all;
    int nall;
} ckpt_state;

/* Frees a ckpt_state's strings. */
static void ckpt_state_free(ckpt_state *c)
{
    free(c->model);
    for (int i = 0; i < c->nall; i++) free(c->all[i]);
    free(c->all);
    memset(c, 0, sizeof *c);
}

/* Reads and parses the checkpoint state file of dir (see ckpt_state). */
static int read_ckpt_state(tfg_eval *ev, const char *dir, const char *fname, tfg_loc loc, ckpt_state *out)
{
    memset(out, 0, sizeof *out);
    char *path = path_join(dir, fname);
    if (!path) return tfg_eval_error(ev, loc, "out of memory");
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f) return 1;
    tfg_sb b = { 0 };
    char buf[4096];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0 && b.len < (1u << 24)) tfg_sb_addn(&b, buf, r);
    fclose(f);
    char *text = tfg_sb_take(&b);
    if (!text) return 1;
    int rc = 0;
    for (const char *p = text; *p && rc == 0;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!*p) break;
        if (*p == '#') { while (*p && *p != '\n') p++; continue; }
        const char *k = p;
        while ((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')) p++;
        size_t kl = (size_t)(p - k);
        while (*p == ' ' || *p == '\t') p++;
        if (*p != ':') { rc = 1; break; }
        p++;
        while (*p == ' ' || *p == '\t') p++;
        bool is_model = kl == 21 && strncmp(k, "model_checkpoint_path", kl) == 0;
        bool is_all = kl == 26 && strncmp(k, "all_model_checkpoint_paths", kl) == 0;
        if (!is_model && !is_all) {            /* timestamps and other fields: skipped */
            while (*p && *p != '\n') p++;
            continue;
        }
        char *s = get_pb_string(&p);
        if (!s) { rc = 1; break; }
        char *full = s[0] == '/' ? s : path_join(dir, s);
        if (full != s) free(s);
        if (!full) { rc = tfg_eval_error(ev, loc, "out of memory"); break; }
        if (is_model) {
            free(out->model);
            out->model = full;
        } else {
            char **na = realloc(out->all, sizeof *na * (size_t)(out->nall + 1));
            if (!na) { free(full); rc = tfg_eval_error(ev, loc, "out of memory"); break; }
            out->all = na;
            out->all[out->nall++] = full;
        }
    }
    free(text);
    if (rc == 0 && !out->model) rc = tfg_eval_error(ev, loc, "Invalid checkpoint state loaded from %s", dir);
    if (rc) ckpt_state_free(out);
    return rc;
}

/* Does a checkpoint exist at path (tfg's file, or TF's PATH.index)? */
static bool ckpt_exists(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return true;
    char *ix = fmtstr("%s.index", path);
    bool ok = ix && stat(ix, &st) == 0 && S_ISREG(st.st_mode);
    free(ix);
    return ok;
}

/* tf.train.latest_checkpoint(checkpoint_dir, latest_filename=None) */
B(b_latest_checkpoint)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "latest_checkpoint", "checkpoint_dir,latest_filename=", v)) return -1;
    const char *dir = str_arg(v[0]), *fn = given(v[1]) ? str_arg(v[1]) : "checkpoint";
    if (!dir || !fn) return tfg_eval_error(ev, a->loc, "latest_checkpoint() needs a directory name (str)");
    if (ev->opts.dry) { out->t = TFG_V_UNKNOWN; return 0; }   /* no checkpoints in a build-only run */
    ckpt_state c;
    int rc = read_ckpt_state(ev, dir, fn, a->loc, &c);
    if (rc < 0) return -1;
    *out = rc == 0 && ckpt_exists(c.model) ? tfg_val_cstr(c.model) : tfg_val_none();
    if (rc == 0) ckpt_state_free(&c);
    return 0;
}

static const tfg_objclass ckpt_state_class = { "CheckpointState",
                                               "tensorflow.python.checkpoint.checkpoint_state_pb2", NULL, NULL };

/* tf.train.get_checkpoint_state(checkpoint_dir, latest_filename=None) */
B(b_get_checkpoint_state)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "get_checkpoint_state", "checkpoint_dir,latest_filename=", v)) return -1;
    const char *dir = str_arg(v[0]), *fn = given(v[1]) ? str_arg(v[1]) : "checkpoint";
    if (!dir || !fn) return tfg_eval_error(ev, a->loc, "get_checkpoint_state() needs a directory name (str)");
    if (ev->opts.dry) { out->t = TFG_V_UNKNOWN; return 0; }   /* no checkpoints in a build-only run */
    ckpt_state c;
    int rc = read_ckpt_state(ev, dir, fn, a->loc, &c);
    if (rc < 0) return -1;
    if (rc > 0) { *out = tfg_val_none(); return 0; }
    tfg_val o = tfg_val_object(&ckpt_state_class);
    if (o.t == TFG_V_MISSING) { ckpt_state_free(&c); return tfg_eval_error(ev, a->loc, "out of memory"); }
    tfg_val l = tfg_val_list_new(TFG_V_LIST, c.nall);
    for (int i = 0; i < c.nall; i++) tfg_val_list_append(l, tfg_val_cstr(c.all[i]));
    tfg_val_dict_set(((tfg_objectobj *)o.u.p)->attrs, tfg_val_cstr("model_checkpoint_path"), tfg_val_cstr(c.model));
    tfg_val_dict_set(((tfg_objectobj *)o.u.p)->attrs, tfg_val_cstr("all_model_checkpoint_paths"), l);
    ckpt_state_free(&c);
    *out = o;
    return 0;
}

/* ---- Saver ------------------------------------------------------------------------------------------ */
typedef struct saverstate {
    int n;
    char **names;              /* checkpoint keys */
    tfg_node **vars;
    int max_to_keep;           /* 0: keep all (None or 0) */
    bool pad_step, relative;
    char **last;               /* paths of the last checkpoints this Saver wrote, oldest first */
    int nlast;
} saverstate;

/* Frees a Saver's state. */
static void saver_free(void *p)
{
    saverstate *s = p;
    for (int i = 0; i < s->n; i++) free(s->names[i]);
    for (int i = 0; i < s->nlast; i++) free(s->last[i]);
    free(s->names);
    free(s->vars);
    free(s->last);
    free(s);
}

static int saver_getattr(tfg_eval *ev, tfg_val self, const char *name, tfg_loc loc, tfg_val *out);
static const tfg_objclass saver_class = { "Saver", "tensorflow.python.training.saver", saver_getattr, saver_free };

/* Adds (name, var) to a Saver, refusing duplicate names as TF does. */
static int saver_add(tfg_eval *ev, saverstate *s, const char *name, tfg_node *var, tfg_loc loc)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return tfg_eval_error(ev, loc, "At least two variables have the same name: %s", name);
    char **nn = realloc(s->names, sizeof *nn * (size_t)(s->n + 1));
    if (!nn) return tfg_eval_error(ev, loc, "out of memory");
    s->names = nn;
    tfg_node **nv = realloc(s->vars, sizeof *nv * (size_t)(s->n + 1));
    if (!nv) return tfg_eval_error(ev, loc, "out of memory");
    s->vars = nv;
    s->names[s->n] = dupstr(name);
    if (!s->names[s->n]) return tfg_eval_error(ev, loc, "out of memory");
    s->vars[s->n++] = var;
    return 0;
}

/* Adds the variables of a var_list value (list/tuple, nested, or dict name -> variable). */
static int saver_collect(tfg_eval *ev, saverstate *s, tfg_val v, tfg_loc loc)
{
    if (v.t == TFG_V_LIST || v.t == TFG_V_TUPLE) {
        tfg_list *l = tfg_val_as_list(v);
        for (int i = 0; i < l->n; i++)
            if (saver_collect(ev, s, l->items[i], loc)) return -1;
        return 0;
    }
    if (v.t == TFG_V_DICT) {
        tfg_dict *d = tfg_val_as_dict(v);
        for (int i = 0; i < d->n; i++) {
            if (d->keys[i].t != TFG_V_STR)
                return tfg_eval_error(ev, loc, "var_list keys must be strings, not %s", tfg_val_type_name(d->keys[i]));
            tfg_node *var = var_node(d->vals[i]);
            if (!var)
                return tfg_eval_error(ev, loc, "Saver var_list values must be tf.Variable objects, not %s",
                                      tfg_val_type_name(d->vals[i]));
            if (saver_add(ev, s, tfg_val_as_str(d->keys[i])->s, var, loc)) return -1;
        }
        return 0;
    }
    tfg_node *var = var_node(v);
    if (!var)
        return tfg_eval_error(ev, loc, "Saver var_list must contain tf.Variable objects, not %s", tfg_val_type_name(v));
    return saver_add(ev, s, var->name, var, loc);
}

/* tf.train.Saver(var_list=None, reshape=False, sharded=False, max_to_keep=5,
 *   keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
 *   saver_def=None, builder=None, defer_build=False, allow_empty=False,
 *   write_version=2, pad_step_number=False, save_relative_paths=False, filename=None) */
B(b_saver)
{
    (void)self;
    tfg_val v[15];
    if (tfg_eval_bind(ev, a, "Saver",
                      "var_list=,reshape=,sharded=,max_to_keep=,keep_checkpoint_every_n_hours=,name=,"
                      "restore_sequentially=,saver_def=,builder=,defer_build=,allow_empty=,write_version=,"
                      "pad_step_number=,save_relative_paths=,filename=", v))
        return -1;
    saverstate *s = calloc(1, sizeof *s);
    if (!s) return tfg_eval_error(ev, a->loc, "out of memory");
    int rc = 0;
    if (v[0].t == TFG_V_MISSING || v[0].t == TFG_V_NONE) {
        for (int i = 0; i < ev->g->nvariables && rc == 0; i++)
            rc = saver_add(ev, s, ev->g->variables[i]->name, ev->g->variables[i], a->loc);
    } else {
        rc = saver_collect(ev, s, v[0], a->loc);
    }
    s->max_to_keep = 5;
    if (rc == 0 && v[3].t != TFG_V_MISSING) {
        if (v[3].t == TFG_V_NONE) s->max_to_keep = 0;
        else if (v[3].t == TFG_V_INT) s->max_to_keep = v[3].u.i < 0 ? 0 : v[3].u.i > 1000000 ? 1000000 : (int)v[3].u.i;
        else rc = tfg_eval_error(ev, a->loc, "max_to_keep must be an integer or None, not %s", tfg_val_type_name(v[3]));
    }
    bool allow_empty = false;
    if (rc == 0) rc = bool_arg(ev, v[10], false, a->loc, &allow_empty);
    if (rc == 0) rc = bool_arg(ev, v[12], false, a->loc, &s->pad_step);
    if (rc == 0) rc = bool_arg(ev, v[13], false, a->loc, &s->relative);
    if (rc == 0 && s->n == 0 && !allow_empty) rc = tfg_eval_error(ev, a->loc, "No variables to save");
    if (rc == 0 && s->n > 65535) rc = tfg_eval_error(ev, a->loc, "too many variables for one checkpoint (%d)", s->n);
    if (rc) { saver_free(s); return -1; }
    /* TF's save/restore ops live under the scope "save": keep the name taken */
    if (!tfg_graph_unique_name(ev->g, str_arg(v[5]) ? str_arg(v[5]) : "save")) {
        saver_free(s);
        return tfg_eval_error(ev, a->loc, "out of memory");
    }
    *out = tfg_val_object(&saver_class);
    if (out->t == TFG_V_MISSING) { saver_free(s); return tfg_eval_error(ev, a->loc, "out of memory"); }
    ((tfg_objectobj *)out->u.p)->state = s;
    return 0;
}

/* The Saver state behind a bound method's self. */
static saverstate *saver_of(tfg_val self) { return ((tfg_objectobj *)self.u.p)->state; }

/* The live session of a Saver method's sess argument (NULL in a dry run). */
static int saver_session(tfg_eval *ev, tfg_val sess, tfg_loc loc, tfg_session **out)
{
    if (sess.t != TFG_V_SESSION) {
        char *s = val_str(sess);
        int rc = tfg_eval_error(ev, loc, "'sess' must be a Session; %s", s ? s : "?");
        free(s);
        return rc;
    }
    tfg_sessobj *so = sess.u.p;
    if (!so->s && !ev->opts.dry) return tfg_eval_error(ev, loc, "Attempted to use a closed Session.");
    *out = so->s;
    return 0;
}

/* The step number of a global_step argument: a Python int, or a tensor or
 * variable run in the session. */
static int step_value(tfg_eval *ev, tfg_val sess, tfg_val gs, tfg_loc loc, int64_t *out)
{
    if (gs.t == TFG_V_INT || gs.t == TFG_V_BOOL) { *out = gs.u.i; return 0; }
    tfg_val r;
    if (gs.t == TFG_V_TENSOR || gs.t == TFG_V_VARIABLE) {
        if (tfg_eval_session_run(ev, sess, gs, tfg_val_none(), loc, &r)) return -1;
    } else {
        r = tfg_val_incref(gs);
    }
    int rc = 0;
    if (r.t == TFG_V_UNKNOWN) *out = 0;
    else if (r.t == TFG_V_ARRAY && tfg_val_as_array(r)->size == 1) *out = (int64_t)tfg_tensor_get_f(tfg_val_as_array(r), 0);
    else if (tfg_val_is_number(r)) *out = (int64_t)tfg_val_to_double(r);
    else rc = tfg_eval_error(ev, loc, "global_step must be an integer or a scalar tensor, not %s", tfg_val_type_name(r));
    tfg_val_decref(r);
    return rc;
}

/* TF's _RecordLastCheckpoint: path becomes the newest; returns the path
 * that falls out of the max_to_keep window (malloc'd) or NULL. */
static char *record_last(saverstate *s, const char *path)
{
    if (!s->max_to_keep) return NULL;
    for (int i = 0; i < s->nlast; i++)
        if (strcmp(s->last[i], path) == 0) {
            free(s->last[i]);
            memmove(&s->last[i], &s->last[i + 1], sizeof *s->last * (size_t)(s->nlast - i - 1));
            s->nlast--;
            i--;
        }
    char **nl = realloc(s->last, sizeof *nl * (size_t)(s->nlast + 1));
    if (!nl) return NULL;
    s->last = nl;
    char *c = dupstr(path);
    if (!c) return NULL;
    s->last[s->nlast++] = c;
    if (s->nlast <= s->max_to_keep) return NULL;
    char *old = s->last[0];
    memmove(&s->last[0], &s->last[1], sizeof *s->last * (size_t)(s->nlast - 1));
    s->nlast--;
    return old;
}

/* A checkpoint path as TF writes it into the state file of save_dir. */
static char *state_path(const char *p, const char *save_dir, bool relative)
{
    if (relative && p[0] == '/') return path_relpath(p, save_dir);
    if (save_dir[0] != '/' && p[0] != '/') return path_relpath(p, save_dir);
    return dupstr(p);
}

/* TF's update_checkpoint_state: DIR/checkpoint naming the newest checkpoint
 * and the ones kept, written atomically. */
static int write_ckpt_state(tfg_eval *ev, saverstate *s, const char *save_dir, const char *fname,
                            const char *model, tfg_loc loc)
{
    tfg_sb b = { 0 };
    char *coord = path_join(save_dir, fname);
    char *m = state_path(model, save_dir, s->relative);
    int rc = 0;
    if (!coord || !m) { rc = tfg_eval_error(ev, loc, "out of memory"); goto done; }
    if (strcmp(coord, m) == 0) {
        rc = tfg_eval_error(ev, loc, "Save path '%s' conflicts with path used for checkpoint state.  Please use a "
                                     "different save path.", model);
        goto done;
    }
    tfg_sb_add(&b, "model_checkpoint_path: ");
    put_pb_string(&b, m);
    tfg_sb_add(&b, "\n");
    int nall = s->nlast;
    bool add_model = !nall || strcmp(s->last[nall - 1], model) != 0;
    for (int i = 0; i < nall + add_model; i++) {
        char *p = state_path(i < nall ? s->last[i] : model, save_dir, s->relative);
        if (!p) { rc = tfg_eval_error(ev, loc, "out of memory"); goto done; }
        tfg_sb_add(&b, "all_model_checkpoint_paths: ");
        put_pb_string(&b, p);
        tfg_sb_add(&b, "\n");
        free(p);
    }
    if (b.oom) { rc = tfg_eval_error(ev, loc, "out of memory"); goto done; }
    tfg_error e;
    if (write_text_atomic(coord, b.s ? b.s : "", &e)) rc = tfg_eval_error(ev, loc, "%s", e.msg);
done:
    free(b.s);
    free(coord);
    free(m);
    return rc;
}

/* Saver.save(sess, save_path, global_step=None, latest_filename=None,
 *   meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
 *   strip_default_attrs=False, save_debug_info=False) */
B(m_save)
{
    tfg_val v[9];
    if (tfg_eval_bind(ev, a, "save",
                      "sess,save_path,global_step=,latest_filename=,meta_graph_suffix=,write_meta_graph=,write_state=,"
                      "strip_default_attrs=,save_debug_info=", v))
        return -1;
    saverstate *s = saver_of(self);
    tfg_session *sess;
    if (saver_session(ev, v[0], a->loc, &sess)) return -1;
    const char *save_path = str_arg(v[1]);
    if (!save_path) return tfg_eval_error(ev, a->loc, "save_path must be a string, not %s", tfg_val_type_name(v[1]));
    const char *latest = given(v[3]) ? str_arg(v[3]) : "checkpoint";
    if (!latest) return tfg_eval_error(ev, a->loc, "latest_filename must be a string");
    bool write_state;
    if (bool_arg(ev, v[6], true, a->loc, &write_state)) return -1;
    char *file;
    if (given(v[2])) {
        int64_t step;
        if (step_value(ev, v[0], v[2], a->loc, &step)) return -1;
        file = s->pad_step ? fmtstr("%s-%08lld", save_path, (long long)step) : fmtstr("%s-%lld", save_path, (long long)step);
    } else {
        if (strcmp(path_basename(save_path), latest) == 0)
            return tfg_eval_error(ev, a->loc, "'latest_filename' collides with 'save_path': '%s' and '%s'", latest,
                                  save_path);
        file = dupstr(save_path);
    }
    if (!file) return tfg_eval_error(ev, a->loc, "out of memory");
    if (ev->opts.dry || s->n == 0) {
        *out = s->n ? tfg_val_cstr(file) : tfg_val_none();
        free(file);
        return 0;
    }
    int rc = -1;
    char *dir = path_dirname(save_path), *old = NULL;
    const tfg_tensor **ts = calloc((size_t)s->n, sizeof *ts);
    if (!dir || !ts) { tfg_eval_error(ev, a->loc, "out of memory"); goto done; }
    for (int i = 0; i < s->n; i++) {
        ts[i] = tfg_session_var_get(sess, s->vars[i]);
        if (!ts[i]) { tfg_eval_error(ev, a->loc, "Attempting to use uninitialized value %s", s->vars[i]->name); goto done; }
    }
    struct stat st;
    if (dir[0] && stat(dir, &st) != 0 && mkdir(dir, 0777) != 0) {
        tfg_eval_error(ev, a->loc, "Parent directory of %s doesn't exist, can't save.", save_path);
        goto done;
    }
    tfg_error e;
    if (tfg_io_write_npz(file, (const char *const *)s->names, ts, s->n, &e)) {
        tfg_eval_error(ev, a->loc, "%s", e.msg);
        goto done;
    }
    if (write_state) {
        old = record_last(s, file);
        if (write_ckpt_state(ev, s, dir, latest, file, a->loc)) goto done;
        if (old) unlink(old);    /* TF's _MaybeDeleteOldCheckpoints */
    }
    *out = tfg_val_cstr(file);
    rc = 0;
done:
    free(old);
    free(dir);
    free(ts);
    free(file);
    return rc;
}

/* "Restoring from checkpoint failed. ..." with TF's explanation for a
 * missing key (missing) or a mismatch, then the original error. */
static int restore_error(tfg_eval *ev, tfg_loc loc, bool missing, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int restore_error(tfg_eval *ev, tfg_loc loc, bool missing, const char *fmt, ...)
{
    char orig[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(orig, sizeof orig, fmt, ap);
    va_end(ap);
    return tfg_eval_error(ev, loc, "Restoring from checkpoint failed. This is most likely due to %s. Please ensure "
                                   "that you have not altered the graph expected based on the checkpoint. Original "
                                   "error: %s",
                          missing ? "a Variable name or other graph key that is missing from the checkpoint"
                                  : "a mismatch between the current graph and the graph from the checkpoint",
                          orig);
}

/* Saver.restore(sess, save_path): every saved variable from the checkpoint,
 * all or nothing. */
B(m_restore)
{
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "restore", "sess,save_path", v)) return -1;
    saverstate *s = saver_of(self);
    tfg_session *sess;
    if (saver_session(ev, v[0], a->loc, &sess)) return -1;
    *out = tfg_val_none();
    if (ev->opts.dry) return 0;    /* a build-only run reads no files (the path may be unknown) */
    if (v[1].t == TFG_V_NONE) return tfg_eval_error(ev, a->loc, "Can't load save_path when it is None.");
    const char *path = str_arg(v[1]);
    if (!path) return tfg_eval_error(ev, a->loc, "save_path must be a string, not %s", tfg_val_type_name(v[1]));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return tfg_eval_error(ev, a->loc, "The passed save_path is not a valid checkpoint: %s", path);
    char **names = NULL;
    tfg_tensor **ts = NULL;
    int n = 0;
    tfg_error e;
    if (tfg_io_read_npz_all(path, &names, &ts, &n, &e))
        return tfg_eval_error(ev, a->loc, "Data loss: cannot restore from checkpoint %s: %s", path, e.msg);
    int rc = 0;
    int *pick = calloc((size_t)s->n + 1, sizeof *pick);
    if (!pick) rc = tfg_eval_error(ev, a->loc, "out of memory");
    for (int i = 0; i < s->n && rc == 0; i++) {
        int k;
        for (k = 0; k < n; k++) if (strcmp(names[k], s->names[i]) == 0) break;
        if (k == n) { rc = restore_error(ev, a->loc, true, "Key %s not found in checkpoint", s->names[i]); break; }
        const tfg_node *var = s->vars[i];
        const tfg_tensor *t = ts[k];
        if (t->dtype != var->out_dtype[0]) {
            rc = restore_error(ev, a->loc, false, "tensor_name = %s; expected dtype %s does not equal original dtype %s",
                               s->names[i], tfg_dtype_tf_name(var->out_dtype[0]), tfg_dtype_tf_name(t->dtype));
            break;
        }
        if (!tfg_shape_compatible(&var->out_shape[0], t->rank, t->shape)) {
            char ls[200], rs[200];
            tfg_shape_str(&var->out_shape[0], ls, sizeof ls);
            tfg_tensor_shape_str(t->rank, t->shape, rs, sizeof rs);
            rc = restore_error(ev, a->loc, false,
                               "Assign requires shapes of both tensors to match. lhs shape= %s rhs shape= %s", ls, rs);
            break;
        }
        pick[i] = k;
    }
    for (int i = 0; i < s->n && rc == 0; i++)
        if (tfg_session_var_set(sess, s->vars[i], ts[pick[i]], &e)) rc = tfg_eval_error(ev, a->loc, "%s", e.msg);
    free(pick);
    tfg_io_free_list(names, ts, n);
    return rc;
}

static const tfg_builtin M_SAVE = { "save", m_save, NULL, 0 };
static const tfg_builtin M_RESTORE = { "restore", m_restore, NULL, 0 };

/* Attributes of Saver objects: save, restore, last_checkpoints. */
static int saver_getattr(tfg_eval *ev, tfg_val self, const char *name, tfg_loc loc, tfg_val *out)
{
    (void)ev; (void)loc;
    if (strcmp(name, "save") == 0) { *out = tfg_val_builtin(&M_SAVE, self); return 0; }
    if (strcmp(name, "restore") == 0) { *out = tfg_val_builtin(&M_RESTORE, self); return 0; }
    if (strcmp(name, "last_checkpoints") == 0) {
        saverstate *s = saver_of(self);
        tfg_val l = tfg_val_list_new(TFG_V_LIST, s->nlast);
        for (int i = 0; i < s->nlast; i++) tfg_val_list_append(l, tfg_val_cstr(s->last[i]));
        *out = l;
        return 0;
    }
    return 1;
}

/* ---- global step -------------------------------------------------------------------------------------- */
/* The variable named "global_step", or NULL. */
static tfg_node *find_global_step(tfg_eval *ev)
{
    tfg_node *n = tfg_graph_find(ev->g, "global_step");
    return n && strcmp(n->op->type, "VariableV2") == 0 ? n : NULL;
}

/* tf.train.get_global_step(graph=None) */
B(b_get_global_step)
{
    (void)self;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "get_global_step", "graph=", v)) return -1;
    tfg_node *n = find_global_step(ev);
    *out = n ? tfg_val_variable(n) : tfg_val_none();
    return 0;
}

/* tf.train.get_or_create_global_step(graph=None) / create_global_step (flag 1) */
B(b_create_global_step)
{
    int create = (int)self.u.i;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, create ? "create_global_step" : "get_or_create_global_step", "graph=", v)) return -1;
    tfg_node *n = find_global_step(ev);
    if (n && create) return tfg_eval_error(ev, a->loc, "\"global_step\" already exists.");
    if (!n) n = filled_variable(ev, "global_step", NULL, TFG_INT64, "zeros", a->loc);
    if (!n) return -1;
    *out = tfg_val_variable(n);
    return 0;
}

/* tf.train.global_step(sess, global_step_tensor) */
B(b_global_step)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "global_step", "sess,global_step_tensor", v)) return -1;
    tfg_session *sess;
    if (saver_session(ev, v[0], a->loc, &sess)) return -1;
    int64_t step;
    if (step_value(ev, v[0], v[1], a->loc, &step)) return -1;
    *out = tfg_val_int(step);
    return 0;
}

#undef B

const tfg_builtin tfg_tfapi_train_functions[] = {
    { "GradientDescentOptimizer", b_optimizer, NULL, OPT_GD },
    { "MomentumOptimizer", b_optimizer, NULL, OPT_MOMENTUM },
    { "AdamOptimizer", b_optimizer, NULL, OPT_ADAM },
    { "RMSPropOptimizer", b_optimizer, NULL, OPT_RMSPROP },
    { "Saver", b_saver, NULL, -1 },
    { "latest_checkpoint", b_latest_checkpoint, NULL, -1 },
    { "get_checkpoint_state", b_get_checkpoint_state, NULL, -1 },
    { "get_global_step", b_get_global_step, NULL, -1 },
    { "get_or_create_global_step", b_create_global_step, NULL, 0 },
    { "create_global_step", b_create_global_step, NULL, 1 },
    { "global_step", b_global_step, NULL, -1 },
    { NULL, NULL, NULL, 0 },
};
