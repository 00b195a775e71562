/* graph.c — graph construction: nodes, TF naming, scopes, devices, control
 * dependencies, seeds. See graph.h for ownership. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"

/* ---- name table: lower-cased name -> use count (TF's _names_in_use) ------ */
typedef struct {
    char **keys;
    int *counts;
    size_t cap, n;
} name_table;

/* FNV-1a hash of a string. */
static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Slot of key in the table (an empty slot when absent). */
static size_t nt_slot(const name_table *t, const char *key)
{
    size_t i = hash_str(key) & (t->cap - 1);
    while (t->keys[i] && strcmp(t->keys[i], key) != 0) i = (i + 1) & (t->cap - 1);
    return i;
}

/* Use count of key, 0 when never used. */
static int nt_get(const name_table *t, const char *key)
{
    if (!t->cap) return 0;
    size_t i = nt_slot(t, key);
    return t->keys[i] ? t->counts[i] : 0;
}

/* Sets key's use count, growing the table; -1 on OOM. */
static int nt_set(name_table *t, const char *key, int count)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        char **nk = calloc(ncap, sizeof *nk);
        int *nc = calloc(ncap, sizeof *nc);
        if (!nk || !nc) { free(nk); free(nc); return -1; }
        name_table nt = { nk, nc, ncap, t->n };
        for (size_t i = 0; i < t->cap; i++)
            if (t->keys[i]) {
                size_t j = nt_slot(&nt, t->keys[i]);
                nk[j] = t->keys[i];
                nc[j] = t->counts[i];
            }
        free(t->keys); free(t->counts);
        *t = nt;
    }
    size_t i = nt_slot(t, key);
    if (!t->keys[i]) {
        t->keys[i] = strdup(key);
        if (!t->keys[i]) return -1;
        t->n++;
    }
    t->counts[i] = count;
    return 0;
}

/* Frees the table's keys and arrays. */
static void nt_free(name_table *t)
{
    for (size_t i = 0; i < t->cap; i++) free(t->keys[i]);
    free(t->keys); free(t->counts);
    free(t);
}

/* Lower-cased copy into buf. */
static void lower_into(char *buf, size_t n, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++) buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = 0;
}

/* Grows *arr (of elem size sz) to hold at least need items. */
static int grow(void **arr, int *cap, int need, size_t sz)
{
    if (need <= *cap) return 0;
    int ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) ncap *= 2;
    void *p = realloc(*arr, (size_t)ncap * sz);
    if (!p) return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

tfg_graph *tfg_graph_new(void)
{
    tfg_graph *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    tfg_arena_init(&g->arena);
    g->names = calloc(1, sizeof(name_table));
    if (!g->names) { free(g); return NULL; }
    return g;
}

void tfg_graph_free(tfg_graph *g)
{
    if (!g) return;
    for (int i = 0; i < g->nnodes; i++) tfg_tensor_unref(g->nodes[i]->attr.value);
    free(g->nodes);
    nt_free(g->names);
    free(g->scopes);
    free(g->devices);
    free(g->ctrl);
    free(g->nctrl);
    free(g->ctrlstart);
    free(g->variables);
    tfg_arena_free(&g->arena);
    free(g);
}

/* TF's Graph.unique_name with the current scope prefix (mark_as_used). */
const char *tfg_graph_unique_name(tfg_graph *g, const char *name)
{
    name_table *t = g->names;
    const char *scope = g->nscopes ? g->scopes[g->nscopes - 1] : "";
    size_t need = strlen(scope) + strlen(name) + 24;
    char *full = malloc(need), *key = malloc(need), *base = malloc(need);
    char *res = NULL;
    if (!full || !key || !base) goto out;
    snprintf(full, need, "%s%s", scope, name);
    lower_into(key, need, full);
    int i = nt_get(t, key);
    if (nt_set(t, key, i + 1)) goto out;
    if (i > 0) {
        strcpy(base, key);
        while (nt_get(t, key) > 0) {
            snprintf(key, need, "%s_%d", base, i);
            i++;
        }
        if (nt_set(t, key, 1)) goto out;
        size_t l = strlen(full);
        snprintf(full + l, need - l, "_%d", i - 1);
    }
    res = tfg_arena_strdup(&g->arena, full);
out:
    free(full); free(key); free(base);
    return res;
}

tfg_node *tfg_graph_add(tfg_graph *g, const tfg_opdef *op, const char *name,
                        const tfg_endpoint *inputs, int ninputs, const tfg_attrs *attrs,
                        tfg_loc loc, tfg_error *err)
{
    if ((op->flags & TFG_OPF_VARIADIC) ? ninputs < op->ninputs : ninputs != op->ninputs) {
        tfg_error_set(err, "%s expects %d inputs, got %d", op->type, op->ninputs, ninputs);
        return NULL;
    }
    for (int i = 0; i < ninputs; i++) {
        if (!inputs[i].node || inputs[i].index < 0 || inputs[i].index >= inputs[i].node->noutputs) {
            tfg_error_set(err, "input %d of %s is not a tensor", i, op->type);
            return NULL;
        }
    }
    if (grow((void **)&g->nodes, &g->cap, g->nnodes + 1, sizeof *g->nodes)) goto oom;
    tfg_node *n = tfg_arena_alloc(&g->arena, sizeof *n);
    if (!n) goto oom;
    n->op = op;
    n->loc = loc;
    n->ninputs = ninputs;
    if (ninputs) {
        n->inputs = tfg_arena_alloc(&g->arena, sizeof *n->inputs * (size_t)ninputs);
        if (!n->inputs) goto oom;
        memcpy(n->inputs, inputs, sizeof *n->inputs * (size_t)ninputs);
    }
    if (attrs) n->attr = *attrs;
    else n->attr.shape.rank = -1;
    n->attr.value = NULL;
    if (attrs && attrs->nints > 0 && attrs->ints) {
        n->attr.ints = tfg_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)attrs->nints);
        if (!n->attr.ints) goto oom;
        memcpy(n->attr.ints, attrs->ints, sizeof(int64_t) * (size_t)attrs->nints);
    }
    if (attrs && attrs->nslices > 0 && attrs->slices) {
        n->attr.slices = tfg_arena_alloc(&g->arena, sizeof(tfg_slice_spec) * (size_t)attrs->nslices);
        if (!n->attr.slices) goto oom;
        memcpy(n->attr.slices, attrs->slices, sizeof(tfg_slice_spec) * (size_t)attrs->nslices);
    }
    if (attrs && attrs->value) n->attr.value = attrs->value;   /* ref taken below on success */
    n->device = g->ndevices ? g->devices[g->ndevices - 1] : "";
    n->trainable = true;
    /* a provisional name for messages of the infer function */
    const char *want = name ? name : op->type;
    size_t wl = strlen(want);
    n->name = want;
    if (wl && want[wl - 1] == '/') {
        char *s = tfg_arena_strndup(&g->arena, want, wl - 1);
        if (!s) goto oom;
        n->name = s;
    } else {
        const char *scope = g->nscopes ? g->scopes[g->nscopes - 1] : "";
        size_t l = strlen(scope) + wl + 1;
        char *s = tfg_arena_alloc(&g->arena, l);
        if (!s) goto oom;
        snprintf(s, l, "%s%s", scope, want);
        n->name = s;
    }
    if (op->infer && op->infer(n, err)) return NULL;
    if (!op->infer) n->noutputs = 0;
    if (!(wl && want[wl - 1] == '/')) {
        const char *u = tfg_graph_unique_name(g, want);
        if (!u) goto oom;
        n->name = u;
    }
    /* control dependencies of enclosing control_dependencies blocks; as TF,
     * a block adds nothing to a node fed by a node made inside that block
     * (the dependency already holds through the data input) */
    int nc = 0;
    for (int i = 0; i < g->nctrlstack; i++) nc += g->nctrl[i];
    if (nc) {
        n->control = tfg_arena_alloc(&g->arena, sizeof *n->control * (size_t)nc);
        if (!n->control) goto oom;
        for (int i = 0; i < g->nctrlstack; i++) {
            bool implied = false;
            for (int k = 0; k < ninputs && !implied; k++) implied = inputs[k].node->id >= g->ctrlstart[i];
            if (implied) continue;
            for (int j = 0; j < g->nctrl[i]; j++) {
                bool data = false;   /* no control input on a node already fed by it */
                for (int k = 0; k < ninputs && !data; k++) data = inputs[k].node == g->ctrl[i][j];
                if (!data) n->control[n->ncontrol++] = g->ctrl[i][j];
            }
        }
    }
    if (n->attr.value) tfg_tensor_ref(n->attr.value);
    n->id = g->nnodes;
    g->nodes[g->nnodes++] = n;
    if (strcmp(op->type, "VariableV2") == 0) {
        if (grow((void **)&g->variables, &g->capvariables, g->nvariables + 1, sizeof *g->variables))
            goto oom;
        g->variables[g->nvariables++] = n;
    }
    return n;
oom:
    tfg_error_set(err, "out of memory while building the graph");
    return NULL;
}

tfg_node *tfg_graph_add_op(tfg_graph *g, const char *type, const char *name,
                           const tfg_endpoint *inputs, int ninputs, const tfg_attrs *attrs,
                           tfg_loc loc, tfg_error *err)
{
    const tfg_opdef *op = tfg_op_find(type);
    if (!op) {
        tfg_error_set(err, "Op type not registered '%s'", type);
        return NULL;
    }
    return tfg_graph_add(g, op, name, inputs, ninputs, attrs, loc, err);
}

int tfg_graph_add_control(tfg_graph *g, tfg_node *n, tfg_node *dep)
{
    for (int i = 0; i < n->ncontrol; i++)
        if (n->control[i] == dep) return 0;
    tfg_node **c = tfg_arena_alloc(&g->arena, sizeof *c * (size_t)(n->ncontrol + 1));
    if (!c) return -1;
    if (n->ncontrol) memcpy(c, n->control, sizeof *c * (size_t)n->ncontrol);
    c[n->ncontrol] = dep;
    n->control = c;
    n->ncontrol++;
    return 0;
}

tfg_node *tfg_graph_find(const tfg_graph *g, const char *name)
{
    for (int i = 0; i < g->nnodes; i++)
        if (strcmp(g->nodes[i]->name, name) == 0) return g->nodes[i];
    return NULL;
}

int tfg_graph_find_endpoint(const tfg_graph *g, const char *tensor_name, tfg_endpoint *out)
{
    const char *colon = strrchr(tensor_name, ':');
    char buf[512];
    int index = 0;
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (*end || end == colon + 1 || v < 0) return -1;
        size_t l = (size_t)(colon - tensor_name);
        if (l >= sizeof buf) return -1;
        memcpy(buf, tensor_name, l);
        buf[l] = 0;
        index = (int)v;
    } else {
        snprintf(buf, sizeof buf, "%s", tensor_name);
    }
    tfg_node *n = tfg_graph_find(g, buf);
    if (!n) return -1;
    if (index >= n->noutputs && !(index == 0 && n->noutputs == 0)) return -1;
    out->node = n;
    out->index = index;
    return 0;
}

const char *tfg_graph_push_scope(tfg_graph *g, const char *name)
{
    const char *full;
    size_t l = strlen(name);
    if (l == 0) {
        full = "";
    } else if (name[l - 1] == '/') {
        full = tfg_arena_strdup(&g->arena, name);
    } else {
        const char *u = tfg_graph_unique_name(g, name);
        if (!u) return NULL;
        size_t ul = strlen(u);
        char *s = tfg_arena_alloc(&g->arena, ul + 2);
        if (!s) return NULL;
        memcpy(s, u, ul);
        s[ul] = '/';
        full = s;
    }
    if (!full) return NULL;
    if (grow((void **)&g->scopes, &g->capscopes, g->nscopes + 1, sizeof *g->scopes)) return NULL;
    g->scopes[g->nscopes++] = (char *)full;
    return full;
}

void tfg_graph_pop_scope(tfg_graph *g)
{
    if (g->nscopes) g->nscopes--;
}

/* Parses "/cpu:0", "/gpu:1", "/device:GPU:1", "CPU:0", "/job:x/.../device:GPU:0"
 * into "/device:TYPE:N"; "" stays "". */
static int normalise_device(const char *spec, char *out, size_t n, tfg_error *err)
{
    if (!*spec) { out[0] = 0; return 0; }
    const char *p = spec, *last = NULL;
    /* take the last component that names a device */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, "/"); tok; tok = strtok(NULL, "/")) {
        if (strncmp(tok, "job:", 4) == 0 || strncmp(tok, "replica:", 8) == 0 ||
            strncmp(tok, "task:", 5) == 0)
            continue;
        last = spec + (tok - buf);
    }
    (void)p;
    if (!last) goto bad;
    char type[16];
    long idx = 0;
    const char *s = last;
    if (strncmp(s, "device:", 7) == 0) s += 7;
    size_t tl = 0;
    while (s[tl] && s[tl] != ':' && s[tl] != '/' && tl < sizeof type - 1) {
        type[tl] = (char)toupper((unsigned char)s[tl]);
        tl++;
    }
    type[tl] = 0;
    if (strcmp(type, "CPU") != 0 && strcmp(type, "GPU") != 0) goto bad;
    if (s[tl] == ':') {
        char *end;
        if (s[tl + 1] == '*') { end = (char *)s + tl + 2; idx = 0; }
        else {
            idx = strtol(s + tl + 1, &end, 10);
            if (end == s + tl + 1 || idx < 0 || idx > 1000000) goto bad;
        }
        if (*end && *end != '/') goto bad;
    } else if (s[tl] && s[tl] != '/') {
        goto bad;
    }
    snprintf(out, n, "/device:%s:%ld", type, idx);
    return 0;
bad:
    return tfg_error_set(err, "Unknown device specification '%s' (expected e.g. \"/cpu:0\" or \"/gpu:0\")", spec);
}

int tfg_graph_push_device(tfg_graph *g, const char *spec, tfg_error *err)
{
    char buf[128];
    if (strlen(spec) >= sizeof buf - 8) return tfg_error_set(err, "device specification too long");
    if (normalise_device(spec, buf, sizeof buf, err)) return -1;
    char *s = tfg_arena_strdup(&g->arena, buf);
    if (!s || grow((void **)&g->devices, &g->capdevices, g->ndevices + 1, sizeof *g->devices))
        return tfg_error_set(err, "out of memory");
    g->devices[g->ndevices++] = s;
    return 0;
}

void tfg_graph_pop_device(tfg_graph *g)
{
    if (g->ndevices) g->ndevices--;
}

int tfg_graph_push_control(tfg_graph *g, tfg_node *const *deps, int n)
{
    int cap = g->capctrl;
    if (grow((void **)&g->ctrl, &cap, g->nctrlstack + 1, sizeof *g->ctrl)) return -1;
    int cap2 = g->capctrl, cap3 = g->capctrl;
    if (grow((void **)&g->nctrl, &cap2, g->nctrlstack + 1, sizeof *g->nctrl)) return -1;
    if (grow((void **)&g->ctrlstart, &cap3, g->nctrlstack + 1, sizeof *g->ctrlstart)) return -1;
    g->capctrl = cap < cap2 ? cap : cap2;
    if (cap3 < g->capctrl) g->capctrl = cap3;
    tfg_node **copy = NULL;
    if (n) {
        copy = tfg_arena_alloc(&g->arena, sizeof *copy * (size_t)n);
        if (!copy) return -1;
        memcpy(copy, deps, sizeof *copy * (size_t)n);
    }
    g->ctrl[g->nctrlstack] = copy;
    g->nctrl[g->nctrlstack] = n;
    g->ctrlstart[g->nctrlstack] = g->nnodes;
    g->nctrlstack++;
    return 0;
}

void tfg_graph_pop_control(tfg_graph *g)
{
    if (g->nctrlstack) g->nctrlstack--;
}

void tfg_graph_get_seed(tfg_graph *g, bool has_op_seed, int64_t op_seed,
                        int64_t *seed, int64_t *seed2)
{
    const int64_t default_graph_seed = 87654321;
    if (g->has_seed) {
        *seed = g->seed;
        *seed2 = has_op_seed ? op_seed : g->seed_calls++;
    } else if (has_op_seed) {
        *seed = default_graph_seed;
        *seed2 = op_seed;
    } else {
        *seed = 0;
        *seed2 = 0;
        return;
    }
    if (*seed == 0 && *seed2 == 0) *seed2 = 2147483647;
}

void tfg_endpoint_name(tfg_endpoint e, char *buf, size_t n)
{
    snprintf(buf, n, "%s:%d", e.node ? e.node->name : "?", e.index);
}
