/* session.c — executing a graph: pruning, placement, the per-run loop with
 * liveness-based release of intermediate values, variables and RNG state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define TFG_HAVE_MXCSR 1
#endif
#include "session.h"
#include "ops.h"
#include "../opencl/backend.h"

/* A cached execution plan for one (fetches, targets, feeds) signature. */
typedef struct plan {
    int *key;                 /* encoded signature */
    int nkey;
    int graph_nodes;          /* graph size when planned: a grown graph invalidates */
    int *order;               /* node ids to run, topological (creation) order */
    int norder;
    int *uses;                /* per node id * TFG_MAX_OUTPUTS: consumers in this plan */
    int *fuse;                /* per node id: 0 runs as usual; -1 skipped (a product run later
                               * by its update, or an Identity between them); k > 0 an update
                               * that runs product node k - 1 fused into it (NULL: none) */
    struct plan *next;
} plan;

struct tfg_exec {
    tfg_session *s;
};

struct tfg_session {
    tfg_graph *g;
    tfg_session_opts opts;
    tfg_tensor **vars;        /* by node id */
    tfg_rng **rngs;           /* by node id */
    int cap;                  /* size of vars/rngs */
    plan *plans;
    int nplans;
    tfg_tensor **vals;        /* scratch: node id * TFG_MAX_OUTPUTS */
    int *left;                /* scratch: remaining uses */
    unsigned char *fed;       /* scratch: node id -> fed flag */
    int scratch_cap;
    unsigned char *placed;    /* node id -> placement checked/logged */
    int placed_cap;
    uint64_t entropy;         /* for unseeded random ops */
    tfg_exec exec;
};

tfg_session *tfg_session_new(tfg_graph *g, const tfg_session_opts *opts)
{
    tfg_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->g = g;
    if (opts) s->opts = *opts;
    s->exec.s = s;
    s->entropy = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s;
    if (s->opts.threads > 0) tfg_k_set_threads(s->opts.threads);
    return s;
}

/* Frees one plan. */
static void plan_free(plan *p)
{
    free(p->key);
    free(p->order);
    free(p->uses);
    free(p->fuse);
    free(p);
}

void tfg_session_free(tfg_session *s)
{
    if (!s) return;
    for (int i = 0; i < s->cap; i++) {
        tfg_tensor_unref(s->vars[i]);
        free(s->rngs[i]);
    }
    free(s->vars);
    free(s->rngs);
    while (s->plans) {
        plan *p = s->plans;
        s->plans = p->next;
        plan_free(p);
    }
    free(s->vals);
    free(s->left);
    free(s->fed);
    free(s->placed);
    free(s);
}

tfg_graph *tfg_session_graph(tfg_session *s) { return s->g; }

/* Makes the per-node state arrays cover every node of the graph. */
static int ensure_state(tfg_session *s)
{
    int n = s->g->nnodes;
    if (n > s->cap) {
        int ncap = n + 64;
        tfg_tensor **v = realloc(s->vars, sizeof *v * (size_t)ncap);
        if (!v) return -1;
        s->vars = v;
        tfg_rng **r = realloc(s->rngs, sizeof *r * (size_t)ncap);
        if (!r) return -1;
        s->rngs = r;
        for (int i = s->cap; i < ncap; i++) { s->vars[i] = NULL; s->rngs[i] = NULL; }
        s->cap = ncap;
    }
    if (n > s->scratch_cap) {
        int ncap = n + 64;
        tfg_tensor **v = realloc(s->vals, sizeof *v * (size_t)ncap * TFG_MAX_OUTPUTS);
        if (!v) return -1;
        s->vals = v;
        int *l = realloc(s->left, sizeof *l * (size_t)ncap * TFG_MAX_OUTPUTS);
        if (!l) return -1;
        s->left = l;
        unsigned char *f = realloc(s->fed, (size_t)ncap);
        if (!f) return -1;
        s->fed = f;
        memset(s->vals, 0, sizeof *v * (size_t)ncap * TFG_MAX_OUTPUTS);
        memset(s->fed, 0, (size_t)ncap);
        s->scratch_cap = ncap;
    }
    if (n > s->placed_cap) {
        unsigned char *p = realloc(s->placed, (size_t)n + 64);
        if (!p) return -1;
        memset(p + s->placed_cap, 0, (size_t)(n + 64 - s->placed_cap));
        s->placed = p;
        s->placed_cap = n + 64;
    }
    return 0;
}

tfg_tensor *tfg_session_var_get(tfg_session *s, const tfg_node *var)
{
    return var->id < s->cap ? s->vars[var->id] : NULL;
}

int tfg_session_var_set(tfg_session *s, const tfg_node *var, tfg_tensor *value, tfg_error *err)
{
    if (ensure_state(s)) return tfg_error_set(err, "out of memory");
    tfg_tensor_ref(value);
    tfg_tensor_unref(s->vars[var->id]);
    s->vars[var->id] = value;
    return 0;
}

tfg_tensor *tfg_exec_var_get(tfg_exec *x, const tfg_node *var)
{
    return tfg_session_var_get(x->s, var);
}

int tfg_exec_var_set(tfg_exec *x, const tfg_node *var, tfg_tensor *value, tfg_error *err)
{
    return tfg_session_var_set(x->s, var, value, err);
}

tfg_rng *tfg_exec_rng(tfg_exec *x, const tfg_node *n)
{
    tfg_session *s = x->s;
    if (n->id >= s->cap) return NULL;
    if (!s->rngs[n->id]) {
        tfg_rng *r = malloc(sizeof *r);
        if (!r) return NULL;
        uint64_t seed = (uint64_t)n->attr.i[2], seed2 = (uint64_t)n->attr.i[3];
        if (seed == 0 && seed2 == 0) {
            /* unseeded: fresh numbers each process, as TensorFlow */
            s->entropy = s->entropy * 6364136223846793005ULL + 1442695040888963407ULL;
            seed = s->entropy >> 1;
            s->entropy = s->entropy * 6364136223846793005ULL + 1442695040888963407ULL;
            seed2 = s->entropy >> 1;
        }
        tfg_rng_init(r, seed, seed2);
        s->rngs[n->id] = r;
    }
    return s->rngs[n->id];
}

/* Builds the signature of a run request. */
static int *make_key(const tfg_endpoint *fetches, int nf, tfg_node *const *targets, int nt,
                     const tfg_feed *feeds, int nfeeds, int *nkey)
{
    int n = 3 + 2 * nf + nt + 2 * nfeeds;
    int *k = malloc(sizeof *k * (size_t)n);
    if (!k) return NULL;
    int j = 0;
    k[j++] = nf; k[j++] = nt; k[j++] = nfeeds;
    for (int i = 0; i < nf; i++) { k[j++] = fetches[i].node->id; k[j++] = fetches[i].index; }
    for (int i = 0; i < nt; i++) k[j++] = targets[i]->id;
    for (int i = 0; i < nfeeds; i++) { k[j++] = feeds[i].target.node->id; k[j++] = feeds[i].target.index; }
    *nkey = n;
    return k;
}

/* Is node n fed whole (its single output fed)? */
static bool node_fed(const tfg_node *n, const tfg_feed *feeds, int nfeeds)
{
    if (n->noutputs != 1) return false;
    for (int i = 0; i < nfeeds; i++)
        if (feeds[i].target.node == n) return true;
    return false;
}

/* Remaps each plain gradient-descent update whose delta is a MatMul's
 * product (directly or through Identity ops, each used once, nothing fed or
 * fetched on the way) into one fused step at the update's place: the product
 * is not stored, the update subtracts it as it is computed (TF's grappler
 * remaps MatMul+BiasAdd the same way). The product's inputs then live until
 * the update; the variable is read and written at the update's place as
 * before, and the bits are those of the two ops (tfg_ops_gd_matmul). */
static void plan_fuse(tfg_graph *g, plan *p, const tfg_feed *feeds, int nfeeds)
{
    for (int k = 0; k < p->norder; k++) {
        const tfg_node *u = g->nodes[p->order[k]];
        if (u->ninputs != 3 || strcmp(u->op->type, "ApplyGradientDescent") != 0 || node_fed(u, feeds, nfeeds))
            continue;
        const tfg_node *chain[8], *d = u->inputs[2].node;
        int idx = u->inputs[2].index, nc = 0;
        while (nc < 8 && idx == 0 && d->ninputs == 1 && strcmp(d->op->type, "Identity") == 0 &&
               p->uses[d->id * TFG_MAX_OUTPUTS] == 1 && !node_fed(d, feeds, nfeeds)) {
            chain[nc++] = d;
            idx = d->inputs[0].index;
            d = d->inputs[0].node;
        }
        if (idx != 0 || strcmp(d->op->type, "MatMul") != 0 || d->ninputs != 2 ||
            p->uses[d->id * TFG_MAX_OUTPUTS] != 1 || node_fed(d, feeds, nfeeds) ||
            d->out_dtype[0] != TFG_FLOAT32)
            continue;
        if (!p->fuse && !(p->fuse = calloc((size_t)g->nnodes + 1, sizeof *p->fuse)))
            return;   /* out of memory: run unfused */
        if (p->fuse[d->id] || p->fuse[u->id]) continue;
        p->fuse[u->id] = d->id + 1;
        p->fuse[d->id] = -1;
        for (int c = 0; c < nc; c++) p->fuse[chain[c]->id] = -1;
    }
}

/* Computes the nodes needed (pruning at fed endpoints) and their consumer counts. */
static plan *make_plan(tfg_session *s, const tfg_endpoint *fetches, int nf,
                       tfg_node *const *targets, int nt, const tfg_feed *feeds, int nfeeds,
                       int *key, int nkey)
{
    tfg_graph *g = s->g;
    int n = g->nnodes;
    plan *p = calloc(1, sizeof *p);
    unsigned char *need = calloc((size_t)n + 1, 1);
    int *stack = malloc(sizeof *stack * ((size_t)n + 1));
    if (!p || !need || !stack) goto oom;
    p->key = key;
    p->nkey = nkey;
    p->graph_nodes = n;
    p->uses = calloc((size_t)n * TFG_MAX_OUTPUTS + 1, sizeof *p->uses);
    if (!p->uses) goto oom;
    int sp = 0;
    for (int i = 0; i < nf; i++) {
        p->uses[fetches[i].node->id * TFG_MAX_OUTPUTS + fetches[i].index]++;   /* held for the caller */
        if (node_fed(fetches[i].node, feeds, nfeeds)) continue;
        if (!need[fetches[i].node->id]) { need[fetches[i].node->id] = 1; stack[sp++] = fetches[i].node->id; }
    }
    for (int i = 0; i < nt; i++)
        if (!need[targets[i]->id] && !node_fed(targets[i], feeds, nfeeds)) {
            need[targets[i]->id] = 1;
            stack[sp++] = targets[i]->id;
        }
    while (sp) {
        tfg_node *nd = g->nodes[stack[--sp]];
        for (int i = 0; i < nd->ninputs; i++) {
            if (tfg_op_ref_input(nd->op, i)) continue;
            tfg_node *in = nd->inputs[i].node;
            p->uses[in->id * TFG_MAX_OUTPUTS + nd->inputs[i].index]++;
            if (need[in->id] || node_fed(in, feeds, nfeeds)) continue;
            need[in->id] = 1;
            stack[sp++] = in->id;
        }
        for (int i = 0; i < nd->ncontrol; i++) {
            tfg_node *in = nd->control[i];
            if (need[in->id] || node_fed(in, feeds, nfeeds)) continue;
            need[in->id] = 1;
            stack[sp++] = in->id;
        }
    }
    int cnt = 0;
    for (int i = 0; i < n; i++) cnt += need[i];
    p->order = malloc(sizeof *p->order * ((size_t)cnt + 1));
    if (!p->order) goto oom;
    for (int i = 0; i < n; i++)
        if (need[i]) p->order[p->norder++] = i;
    free(need);
    free(stack);
    plan_fuse(g, p, feeds, nfeeds);
    return p;
oom:
    free(need);
    free(stack);
    if (p) { p->key = NULL; plan_free(p); }
    return NULL;
}

/* Checks (and logs) the placement of node n: GPU devices do not exist until
 * the OpenCL backend lands, so an explicit GPU is an error unless soft
 * placement moves the node to the CPU. */
static int place(tfg_session *s, const tfg_node *n, tfg_error *err)
{
    if (s->placed[n->id]) return 0;
    const char *dev = n->device;
    if (dev[0] && strncmp(dev, "/device:CPU:", 12) == 0 && strcmp(dev, "/device:CPU:0") != 0 &&
        !s->opts.soft_placement)
        goto bad;
    if (dev[0] && strncmp(dev, "/device:GPU:", 12) == 0 && !s->opts.soft_placement) goto bad;
    if (s->opts.log_placement)
        fprintf(stderr, "%s: (%s): /job:localhost/replica:0/task:0/device:CPU:0\n", n->name, n->op->type);
    s->placed[n->id] = 1;
    return 0;
bad:
    return tfg_error_set(err,
        "Cannot assign a device for operation %s: Could not satisfy explicit device specification "
        "'%s' because no devices matching that specification are registered in this process; "
        "available devices: /job:localhost/replica:0/task:0/device:CPU:0", n->name, dev);
}

/* Finds or builds the plan for a request. */
static plan *get_plan(tfg_session *s, const tfg_endpoint *fetches, int nf,
                      tfg_node *const *targets, int nt, const tfg_feed *feeds, int nfeeds)
{
    int nkey;
    int *key = make_key(fetches, nf, targets, nt, feeds, nfeeds, &nkey);
    if (!key) return NULL;
    plan *prev = NULL;
    for (plan *p = s->plans; p; prev = p, p = p->next) {
        if (p->nkey == nkey && p->graph_nodes == s->g->nnodes &&
            memcmp(p->key, key, sizeof *key * (size_t)nkey) == 0) {
            free(key);
            if (prev) {   /* move to front */
                prev->next = p->next;
                p->next = s->plans;
                s->plans = p;
            }
            return p;
        }
    }
    plan *p = make_plan(s, fetches, nf, targets, nt, feeds, nfeeds, key, nkey);
    if (!p) { free(key); return NULL; }
    p->next = s->plans;
    s->plans = p;
    if (++s->nplans > 16) {   /* keep the 16 most recent */
        plan *q = s->plans;
        while (q->next && q->next->next) q = q->next;
        plan_free(q->next);
        q->next = NULL;
        s->nplans--;
    }
    return p;
}

static int session_run(tfg_session *s, const tfg_endpoint *fetches, int nfetches,
                       tfg_node *const *targets, int ntargets, const tfg_feed *feeds, int nfeeds,
                       tfg_tensor **results, tfg_error *err);

/* Runs with denormals flushed to zero, as TensorFlow's CPU executor does
 * (so float32 results such as exp(-100) print as TF prints them). */
int tfg_session_run(tfg_session *s, const tfg_endpoint *fetches, int nfetches,
                    tfg_node *const *targets, int ntargets, const tfg_feed *feeds, int nfeeds,
                    tfg_tensor **results, tfg_error *err)
{
#ifdef TFG_HAVE_MXCSR
    unsigned int saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040);   /* FTZ | DAZ */
#endif
    int rc = session_run(s, fetches, nfetches, targets, ntargets, feeds, nfeeds, results, err);
#ifdef TFG_HAVE_MXCSR
    _mm_setcsr(saved);
#endif
    return rc;
}

/* One use of endpoint e's value is over: releases it after its last consumer. */
static void release_use(tfg_tensor **vals, int *left, tfg_endpoint e)
{
    int slot = e.node->id * TFG_MAX_OUTPUTS + e.index;
    if (--left[slot] == 0) {
        tfg_tensor_unref(vals[slot]);
        vals[slot] = NULL;
    }
}

static int session_run(tfg_session *s, const tfg_endpoint *fetches, int nfetches,
                       tfg_node *const *targets, int ntargets, const tfg_feed *feeds, int nfeeds,
                       tfg_tensor **results, tfg_error *err)
{
    tfg_graph *g = s->g;
    if (ensure_state(s)) return tfg_error_set(err, "out of memory");
    /* feeds: check shapes against the static shapes */
    for (int i = 0; i < nfeeds; i++) {
        const tfg_endpoint *t = &feeds[i].target;
        const tfg_shape *sh = &t->node->out_shape[t->index];
        const tfg_tensor *v = feeds[i].value;
        if (!tfg_shape_compatible(sh, v->rank, v->shape)) {
            char a[256], b[256], nm[300];
            tfg_shape sv = tfg_shape_make(v->rank, v->shape);
            tfg_shape_pystr(&sv, a, sizeof a);
            tfg_shape_pystr(sh, b, sizeof b);
            tfg_endpoint_name(*t, nm, sizeof nm);
            return tfg_error_set(err, "Cannot feed value of shape %s for Tensor '%s', which has shape '%s'",
                                 a, nm, b);
        }
    }
    plan *p = get_plan(s, fetches, nfetches, targets, ntargets, feeds, nfeeds);
    if (!p) return tfg_error_set(err, "out of memory");
    for (int k = 0; k < p->norder; k++)
        if (place(s, g->nodes[p->order[k]], err)) return -1;
    tfg_tensor **vals = s->vals;
    int *left = s->left;
    /* fed values */
    for (int i = 0; i < nfeeds; i++) {
        const tfg_endpoint *t = &feeds[i].target;
        int slot = t->node->id * TFG_MAX_OUTPUTS + t->index;
        tfg_tensor_unref(vals[slot]);
        vals[slot] = tfg_tensor_ref(feeds[i].value);
        s->fed[t->node->id] = node_fed(t->node, feeds, nfeeds);
        left[slot] = p->uses[slot] + 1;    /* released at the end */
    }
    int rc = 0;
    tfg_tensor *in[64];
    tfg_tensor **inp = in;
    for (int k = 0; k < p->norder && rc == 0; k++) {
        const tfg_node *n = g->nodes[p->order[k]];
        if (s->fed[n->id]) continue;
        int fz = p->fuse ? p->fuse[n->id] : 0;
        if (fz < 0) continue;   /* runs inside the update it feeds */
        if (n->ninputs > 64) {
            inp = malloc(sizeof *inp * (size_t)n->ninputs);
            if (!inp) { rc = tfg_error_set(err, "out of memory"); break; }
        }
        for (int i = 0; i < n->ninputs; i++) {
            if (tfg_op_ref_input(n->op, i)) { inp[i] = NULL; continue; }
            inp[i] = vals[n->inputs[i].node->id * TFG_MAX_OUTPUTS + n->inputs[i].index];
        }
        tfg_tensor **out = &vals[n->id * TFG_MAX_OUTPUTS];
        tfg_kernel_fn kf = n->op->kernel[TFG_BACKEND_CPU];
        if (!kf) {
            rc = tfg_error_set(err, "No registered kernel for op '%s' on the CPU", n->op->type);
        } else {
            const tfg_node *mm = fz > 0 ? g->nodes[fz - 1] : NULL;
            tfg_tensor *mm_in[2] = { NULL, NULL };
            if (mm)
                for (int i = 0; i < 2; i++)
                    mm_in[i] = vals[mm->inputs[i].node->id * TFG_MAX_OUTPUTS + mm->inputs[i].index];
            rc = mm ? tfg_ops_gd_matmul(&s->exec, n, mm, mm_in, inp, out, err) : kf(&s->exec, n, inp, out, err);
            for (int o = 0; o < n->noutputs; o++)
                left[n->id * TFG_MAX_OUTPUTS + o] = p->uses[n->id * TFG_MAX_OUTPUTS + o];
            /* the fused product's inputs, after their last consumer */
            for (int i = 0; mm && i < 2; i++) release_use(vals, left, mm->inputs[i]);
        }
        /* release inputs after their last consumer */
        for (int i = 0; i < n->ninputs; i++) {
            if (tfg_op_ref_input(n->op, i)) continue;
            if (p->fuse && p->fuse[n->inputs[i].node->id] < 0) continue;   /* never computed */
            release_use(vals, left, n->inputs[i]);
        }
        if (inp != in) { free(inp); inp = in; }
    }
    /* hand out the fetches */
    for (int i = 0; i < nfetches; i++) {
        int slot = fetches[i].node->id * TFG_MAX_OUTPUTS + fetches[i].index;
        results[i] = NULL;
        if (rc == 0) {
            if (fetches[i].node->noutputs == 0) continue;
            if (!vals[slot]) {
                rc = tfg_error_set(err, "internal error: no value for fetch %s", fetches[i].node->name);
                continue;
            }
            /* a variable fetch is a reference: it shows the value after the run's assignments */
            tfg_tensor *cur = strcmp(fetches[i].node->op->type, "VariableV2") == 0 &&
                              !node_fed(fetches[i].node, feeds, nfeeds) ? s->vars[fetches[i].node->id] : NULL;
            results[i] = tfg_tensor_ref(cur ? cur : vals[slot]);
        }
    }
    if (rc) {
        for (int i = 0; i < nfetches; i++) { tfg_tensor_unref(results[i]); results[i] = NULL; }
    }
    /* clear scratch: every value still held */
    for (int k = 0; k < p->norder; k++) {
        const tfg_node *n = g->nodes[p->order[k]];
        for (int o = 0; o < TFG_MAX_OUTPUTS; o++) {
            int slot = n->id * TFG_MAX_OUTPUTS + o;
            if (vals[slot]) { tfg_tensor_unref(vals[slot]); vals[slot] = NULL; }
        }
    }
    for (int i = 0; i < nfeeds; i++) {
        const tfg_endpoint *t = &feeds[i].target;
        int slot = t->node->id * TFG_MAX_OUTPUTS + t->index;
        if (vals[slot]) { tfg_tensor_unref(vals[slot]); vals[slot] = NULL; }
        s->fed[t->node->id] = 0;
    }
    return rc;
}
