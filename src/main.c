/* main.c — the command line: tfg run / check / graph / help (see man/tfg.1).
 * Exit status: 0 success, 1 an error in the script, graph, data or run,
 * 2 a usage error. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "eval.h"
#include "../runtime/io.h"
#include "../runtime/print.h"

#define TFG_VERSION "0.1.0"

typedef struct {
    const char *file;
    const char **feeds;   /* "NAME=VALUE" */
    int nfeeds;
    char **fetches;       /* split names */
    int nfetches;
    const char *state;
    const char *format;   /* text json npy */
    const char *output;
    bool has_seed;
    long long seed;
    int threads;
    const char *device;
    bool soft, log, quiet;
    long repeat;          /* --repeat N (0: not given) */
    long batch;           /* --batch B (0: not given) */
    char **script_args;   /* after `--` */
    int nscript_args;
} run_opts;

/* sys.argv of the script (api_data.c). */

static const char *const usage_main =
    "usage: tfg COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run FILE [options]   execute a .tfg script; --fetch runs the final graph once more\n"
    "  check FILE           parse, build and shape-check the graph; run nothing\n"
    "  graph FILE           print the graph as Graphviz DOT\n"
    "  help [COMMAND]       this help, or a command's\n"
    "  --help, --version\n"
    "\n"
    "See tfg(1) for the command line and tfg(5) for the language.\n";

static const char *const usage_run =
    "usage: tfg run FILE [options]\n"
    "\n"
    "  --feed NAME=VALUE       feed a tensor for the --fetch run (repeatable); VALUE is a\n"
    "                          literal (7, [7.], [[1,2],[3,4]]) or @PATH (.npy, .npz:KEY,\n"
    "                          .csv, MNIST idx, gzipped or not)\n"
    "  --fetch NAME[,NAME...]  after the script, run the graph once more and print these\n"
    "                          (script variables or graph names such as MatMul:0)\n"
    "  --state FILE            restore variables from FILE (.npz) if it exists, else\n"
    "                          initialize them; save them back atomically after the run\n"
    "  --format text|json|npy  output format of the fetched values (npy needs -o)\n"
    "  -o, --output FILE       write the fetched values to FILE instead of stdout\n"
    "  --seed N                graph-level random seed (as tf.set_random_seed(N))\n"
    "  --threads N             compute threads\n"
    "  --device DEV            default device for ops outside `with tf.device`\n"
    "  --soft-placement        place ops on the CPU when their device does not exist\n"
    "  --log-placement         print each node's device on stderr\n"
    "  --repeat N              run the --fetch fetches N times (variables initialized once);\n"
    "                          prints the last run's values; a progress bar with steps/s,\n"
    "                          ETA and the fetched scalars goes to stderr when it is a terminal\n"
    "  --batch B               with --repeat: each @PATH feed gives B rows a step, run i\n"
    "                          taking rows (i*B + k) mod N (k < B) of its N rows\n"
    "  -q, --quiet             suppress the script's own print output\n"
    "  -- ARGS...              arguments for the script: sys.argv is [FILE, ARGS...]\n";

static const char *const usage_check =
    "usage: tfg check FILE\n\nParse the script, build its graph and check shapes and dtypes, running no\n"
    "session. Prints \"FILE: ok (N nodes)\" on success.\n";
static const char *const usage_graph =
    "usage: tfg graph FILE\n\nBuild the script's graph (running no session) and print it as Graphviz DOT;\n"
    "name scopes become clusters. Example: tfg graph model.tfg | dot -Tpng -o model.png\n";

/* Prints a usage error and returns 2. */
static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tfg: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'tfg help run' for more information.\n");
    return 2;
}

/* Parses `tfg run` arguments; 0, or 2 on a usage error. */
static int parse_run(int argc, char **argv, run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = "text";
    o->feeds = calloc((size_t)argc + 1, sizeof *o->feeds);
    o->fetches = calloc((size_t)argc * 8 + 1, sizeof *o->fetches);
    if (!o->feeds || !o->fetches) return usage_error("%s", "out of memory");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char key[64];
        /* --opt=value form */
        if (a[0] == '-' && a[1] == '-' && strchr(a, '=')) {
            size_t l = (size_t)(strchr(a, '=') - a);
            if (l >= sizeof key) return usage_error("unknown option '%s'", a);
            memcpy(key, a, l);
            key[l] = 0;
            val = a + l + 1;
            a = key;
        }
#define NEED_VALUE()                                                            \
    do {                                                                        \
        if (!val) {                                                             \
            if (i + 1 >= argc) return usage_error("option '%s' needs a value", a); \
            val = argv[++i];                                                    \
        }                                                                       \
    } while (0)
        if (!strcmp(a, "--feed")) {
            NEED_VALUE();
            const char *eq = strchr(val, '=');
            if (!eq || eq == val) return usage_error("malformed --feed '%s' (expected NAME=VALUE)", val);
            o->feeds[o->nfeeds++] = val;
        } else if (!strcmp(a, "--fetch")) {
            NEED_VALUE();
            const char *p = val;
            while (*p) {
                const char *c = strchr(p, ',');
                size_t l = c ? (size_t)(c - p) : strlen(p);
                if (l == 0) return usage_error("malformed --fetch '%s' (empty name)", val);
                o->fetches[o->nfetches++] = strndup(p, l);
                p += l;
                if (*p == ',') {
                    p++;
                    if (!*p) return usage_error("malformed --fetch '%s' (empty name)", val);
                }
            }
            if (!*val) return usage_error("malformed --fetch '%s' (empty name)", val);
        } else if (!strcmp(a, "--state")) {
            NEED_VALUE();
            o->state = val;
        } else if (!strcmp(a, "--format")) {
            NEED_VALUE();
            if (strcmp(val, "text") && strcmp(val, "json") && strcmp(val, "npy"))
                return usage_error("unknown --format '%s' (expected text, json or npy)", val);
            o->format = val;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEED_VALUE();
            o->output = val;
        } else if (!strcmp(a, "--seed")) {
            NEED_VALUE();
            char *end;
            errno = 0;
            o->seed = strtoll(val, &end, 10);
            if (*end || end == val || errno) return usage_error("--seed needs an integer, not '%s'", val);
            o->has_seed = true;
        } else if (!strcmp(a, "--threads")) {
            NEED_VALUE();
            char *end;
            long t = strtol(val, &end, 10);
            if (*end || end == val || t < 1 || t > 1024)
                return usage_error("--threads needs a number from 1 to 1024, not '%s'", val);
            o->threads = (int)t;
        } else if (!strcmp(a, "--device")) {
            NEED_VALUE();
            o->device = val;
        } else if (!strcmp(a, "--soft-placement") && !val) {
            o->soft = true;
        } else if (!strcmp(a, "--log-placement") && !val) {
            o->log = true;
        } else if ((!strcmp(a, "-q") || !strcmp(a, "--quiet")) && !val) {
            o->quiet = true;
        } else if (!strcmp(a, "--repeat") || !strcmp(a, "--batch")) {
            NEED_VALUE();
            char *end;
            errno = 0;
            long n = strtol(val, &end, 10);
            if (*end || end == val || errno || n < 1 || n > 1000000000L)
                return usage_error(a[2] == 'r' ? "--repeat needs a number from 1 to 1000000000, not '%s'"
                                               : "--batch needs a number from 1 to 1000000000, not '%s'", val);
            if (a[2] == 'r') o->repeat = n;
            else o->batch = n;
        } else if (!strcmp(a, "--") && !val) {
            o->script_args = argv + i + 1;
            o->nscript_args = argc - i - 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", argv[i]);
        } else if (!o->file) {
            o->file = a;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
#undef NEED_VALUE
    }
    if (!o->file) return usage_error("%s", "run needs a FILE");
    if ((o->repeat || o->batch) && !o->nfetches) return usage_error("%s", "--repeat and --batch need --fetch");
    if (!strcmp(o->format, "npy") && !o->output) return usage_error("%s", "--format npy needs -o FILE");
    return 0;
}

/* Frees what parse_run allocated. */
static void free_run(run_opts *o)
{
    for (int i = 0; i < o->nfetches; i++) free(o->fetches[i]);
    free(o->fetches);
    free(o->feeds);
}

/* Parses and evaluates the script; NULL after printing the error. */
static tfg_eval *load_script(const char *file, const tfg_eval_opts *eo, tfg_source **srcp, tfg_arena *arena,
                             bool has_seed, long long seed)
{
    tfg_source *src = tfg_source_read(file);
    if (!src) return NULL;
    *srcp = src;
    tfg_ast *m = tfg_ast_parse(src, arena);
    if (!m) return NULL;
    tfg_eval *ev = tfg_eval_new(src, eo);
    if (!ev) { tfg_diag_plain(stderr, "out of memory"); return NULL; }
    ev->arena = arena;
    if (has_seed) { ev->g->has_seed = true; ev->g->seed = seed; }
    if (tfg_eval_run(ev, m)) {
        fflush(stdout);
        tfg_eval_print_error(ev, stderr);
        tfg_eval_free(ev);
        return NULL;
    }
    return ev;
}

/* Resolves a CLI name: a script variable holding a tensor/op/variable, else a
 * graph node or tensor name. */
static int resolve_cli(tfg_eval *ev, const char *name, tfg_val *out)
{
    tfg_val *v = tfg_eval_global(ev, name);
    if (v && (v->t == TFG_V_TENSOR || v->t == TFG_V_VARIABLE || v->t == TFG_V_OP)) {
        *out = *v;
        return 0;
    }
    tfg_endpoint e;
    if (strchr(name, ':')) {
        if (tfg_graph_find_endpoint(ev->g, name, &e) == 0 && e.node->noutputs > 0) {
            *out = tfg_val_tensor(e);
            return 0;
        }
    } else {
        tfg_node *n = tfg_graph_find(ev->g, name);
        if (n) {
            if (n->noutputs == 0) *out = tfg_val_op(n);
            else if (!strcmp(n->op->type, "VariableV2")) *out = tfg_val_variable(n);
            else *out = tfg_val_tensor((tfg_endpoint){ n, 0 });
            return 0;
        }
    }
    return -1;
}

/* Converts a --feed VALUE to a host tensor of dtype dt. */
static int feed_value(tfg_eval *ev, const char *name, const char *text, tfg_dtype dt, tfg_tensor **out)
{
    tfg_error e;
    if (text[0] == '@') {
        tfg_tensor *t;
        if (tfg_io_load(text + 1, &t, &e)) {
            tfg_diag_plain(stderr, "--feed %s: %s", name, e.msg);
            return -1;
        }
        if (t->dtype == dt) { *out = t; return 0; }
        int rc = tfg_k_cast(t, dt, out, &e);
        tfg_tensor_unref(t);
        if (rc) tfg_diag_plain(stderr, "--feed %s: %s", name, e.msg);
        return rc;
    }
    char label[300];
    snprintf(label, sizeof label, "--feed %s", name);
    tfg_source *src = tfg_source_from_string(label, text, strlen(text));
    if (!src) return -1;
    tfg_arena arena;
    tfg_arena_init(&arena);
    int rc = -2;   /* a value that does not parse is a usage error (exit 2) */
    tfg_ast *x = tfg_ast_parse_expr(src, &arena);
    if (x) {
        rc = -1;
        const tfg_source *saved = ev->src;
        ev->src = src;
        tfg_val v;
        if (tfg_eval_literal(ev, x, &v) == 0) {
            rc = tfg_eval_to_host(ev, v, (int)dt, false, x->loc, out);
            tfg_val_decref(v);
        } else {
            rc = -2;   /* not a literal: malformed too */
        }
        if (rc) tfg_eval_print_error(ev, stderr);
        ev->src = saved;
    }
    tfg_arena_free(&arena);
    tfg_source_free(src);
    return rc;
}

/* Writes buf to path atomically (temp file + rename). */
static int write_atomic(const char *path, const char *buf, size_t len)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) return -1;
    snprintf(tmp, pl + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) { tfg_diag_plain(stderr, "cannot write '%s': %s", path, strerror(errno)); free(tmp); return -1; }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    int ok = off == len && fsync(fd) == 0;
    close(fd);
    if (ok) {
        mode_t m = umask(0);
        umask(m);
        chmod(tmp, 0666 & ~m);
    }
    if (!ok || rename(tmp, path) != 0) {
        tfg_diag_plain(stderr, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

/* Restores variables from the checkpoint (missing ones are initialized). */
static int restore_state(tfg_eval *ev, tfg_session *s, const char *path, tfg_node **inits, int *ninit)
{
    tfg_graph *g = ev->g;
    char **names = NULL;
    tfg_tensor **ts = NULL;
    int n = 0;
    bool exists = access(path, F_OK) == 0;
    tfg_error e;
    if (exists && tfg_io_read_npz_all(path, &names, &ts, &n, &e)) {
        tfg_diag_plain(stderr, "cannot restore state: %s", e.msg);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < g->nvariables && rc == 0; i++) {
        tfg_node *var = g->variables[i];
        int k;
        for (k = 0; k < n; k++) if (!strcmp(names[k], var->name)) break;
        if (k == n) {
            if (var->initializer) inits[(*ninit)++] = var->initializer;
            continue;
        }
        tfg_tensor *t = ts[k];
        if (t->dtype != var->out_dtype[0] || !tfg_shape_compatible(&var->out_shape[0], t->rank, t->shape)) {
            char a[200], b[200];
            tfg_shape_str(&var->out_shape[0], a, sizeof a);
            tfg_tensor_shape_str(t->rank, t->shape, b, sizeof b);
            tfg_diag_plain(stderr, "cannot restore state from '%s': variable '%s' is %s %s in the graph but %s %s "
                                   "in the checkpoint", path, var->name, tfg_dtype_name(var->out_dtype[0]), a,
                           tfg_dtype_name(t->dtype), b);
            rc = -1;
            break;
        }
        if (tfg_session_var_set(s, var, t, &e)) { tfg_diag_plain(stderr, "%s", e.msg); rc = -1; }
    }
    tfg_io_free_list(names, ts, n);
    return rc;
}

/* Saves every initialized variable to path (npz, atomic). */
static int save_state(tfg_eval *ev, tfg_session *s, const char *path)
{
    tfg_graph *g = ev->g;
    const char **names = calloc((size_t)g->nvariables + 1, sizeof *names);
    const tfg_tensor **ts = calloc((size_t)g->nvariables + 1, sizeof *ts);
    int n = 0, rc;
    if (!names || !ts) { free(names); free(ts); return -1; }
    for (int i = 0; i < g->nvariables; i++) {
        tfg_tensor *t = tfg_session_var_get(s, g->variables[i]);
        if (!t) continue;
        names[n] = g->variables[i]->name;
        ts[n++] = t;
    }
    tfg_error e;
    rc = tfg_io_write_npz(path, names, (const tfg_tensor *const *)ts, n, &e);
    if (rc) tfg_diag_plain(stderr, "cannot save state: %s", e.msg);
    free(names);
    free((void *)ts);
    return rc;
}

/* Rows (step*b + k) mod n, k < b, of t along its first axis: the --batch slice of a feed. */
static tfg_tensor *batch_slice(const tfg_tensor *t, long step, long b, tfg_error *e)
{
    int64_t shape[TFG_MAX_RANK];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = b;
    tfg_tensor *out = tfg_tensor_new_uninit(t->dtype, t->rank, shape, e);
    if (!out) return NULL;
    int64_t n = t->shape[0];
    size_t row = (size_t)(t->size / n) * tfg_dtype_size(t->dtype);
    int64_t r = (int64_t)(((__int128)step * b) % n);
    for (int64_t k = 0; k < b;) {
        int64_t run = n - r < b - k ? n - r : b - k;   /* contiguous rows up to the end */
        memcpy((char *)out->data + (size_t)k * row, (const char *)t->data + (size_t)r * row, (size_t)run * row);
        k += run;
        r = 0;
    }
    return out;
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Draws the --repeat progress bar on stderr: bar, step, steps/s, ETA, the scalar fetches. */
static void progress_draw(const run_opts *o, long done, long total, double elapsed, tfg_tensor *const *res,
                          const int *slot)
{
    char line[512];
    int width = 24, fill = (int)((double)width * (double)done / (double)total);
    int n = snprintf(line, sizeof line, "\r[");
    for (int i = 0; i < width; i++) line[n++] = i < fill ? '#' : '.';
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    n += snprintf(line + n, sizeof line - (size_t)n, "] %ld/%ld  %.1f steps/s  ETA %d:%02d", done, total, rate,
                  (int)(eta / 60), (int)eta % 60);
    for (int i = 0, shown = 0; i < o->nfetches && shown < 3; i++) {
        if (slot[i] < 0 || !res[slot[i]] || res[slot[i]]->size != 1) continue;
        const char *name = o->fetches[i];
        n += snprintf(line + n, sizeof line - (size_t)n, "  %.40s=%.6g", name, tfg_tensor_get_f(res[slot[i]], 0));
        shown++;
        if ((size_t)n >= sizeof line - 8) { n = (int)sizeof line - 8; break; }
    }
    n += snprintf(line + n, sizeof line - (size_t)n, "\033[K");
    fwrite(line, 1, (size_t)n, stderr);
    fflush(stderr);
}

/* The --fetch / --state run after the script. */
static int fetch_run(tfg_eval *ev, run_opts *o)
{
    int rc = 1;
    tfg_session_opts so = { o->soft, o->log, o->threads };
    tfg_session *s = tfg_session_new(ev->g, &so);
    tfg_val *vals = calloc((size_t)o->nfetches + 1, sizeof *vals);
    tfg_endpoint *eps = calloc((size_t)o->nfetches + 1, sizeof *eps);
    tfg_node **targets = calloc((size_t)o->nfetches + (size_t)ev->g->nvariables + 1, sizeof *targets);
    tfg_feed *feeds = calloc((size_t)o->nfeeds + 1, sizeof *feeds);
    tfg_feed *step_feeds = calloc((size_t)o->nfeeds + 1, sizeof *step_feeds);
    bool *batched = calloc((size_t)o->nfeeds + 1, sizeof *batched);
    tfg_tensor **res = calloc((size_t)o->nfetches + 1, sizeof *res);
    int *slot = calloc((size_t)o->nfetches + 1, sizeof *slot);
    int nep = 0, nt = 0, nf = 0;
    tfg_error e;
    tfg_sb out = { 0 };
    if (!s || !vals || !eps || !targets || !feeds || !step_feeds || !batched || !res || !slot) {
        tfg_diag_plain(stderr, "out of memory");
        goto done;
    }
    /* variables: restore or initialize */
    int ninit = 0;
    if (o->state) {
        if (restore_state(ev, s, o->state, targets, &ninit)) goto done;
    } else {
        for (int i = 0; i < ev->g->nvariables; i++)
            if (ev->g->variables[i]->initializer) targets[ninit++] = ev->g->variables[i]->initializer;
    }
    if (ninit && tfg_session_run(s, NULL, 0, targets, ninit, NULL, 0, NULL, &e)) {
        tfg_diag_plain(stderr, "%s", e.msg);
        goto done;
    }
    /* fetches */
    for (int i = 0; i < o->nfetches; i++) {
        if (resolve_cli(ev, o->fetches[i], &vals[i])) {
            tfg_diag_plain(stderr, "--fetch %s: no script variable or graph element named '%s'", o->fetches[i],
                           o->fetches[i]);
            goto done;
        }
        if (vals[i].t == TFG_V_OP) { targets[nt++] = vals[i].u.e.node; slot[i] = -1; }
        else { eps[nep] = vals[i].u.e; slot[i] = nep++; }
    }
    /* feeds */
    for (int i = 0; i < o->nfeeds; i++) {
        const char *eq = strchr(o->feeds[i], '=');
        char *name = strndup(o->feeds[i], (size_t)(eq - o->feeds[i]));
        tfg_val v;
        if (!name || resolve_cli(ev, name, &v) || v.t == TFG_V_OP) {
            tfg_diag_plain(stderr, "--feed %s: no tensor named '%s' in the graph", name ? name : "", name ? name : "");
            free(name);
            goto done;
        }
        feeds[nf].target = v.u.e;
        int frc = feed_value(ev, name, eq + 1, v.u.e.node->out_dtype[v.u.e.index], &feeds[nf].value);
        if (frc) {
            free(name);
            if (frc == -2) rc = 2;
            goto done;
        }
        if (o->batch && eq[1] == '@') {
            const tfg_tensor *t = feeds[nf].value;
            if (t->rank == 0 || t->shape[0] == 0) {
                tfg_diag_plain(stderr, "--feed %s: --batch needs an array with at least one row", name);
                free(name);
                nf++;
                goto done;
            }
            batched[nf] = true;
        }
        nf++;
        free(name);
    }
    long repeat = o->repeat ? o->repeat : 1;
    bool bar = repeat > 1 && isatty(2);
    double t0 = now_s(), last_draw = -1;
    for (long step = 0; step < repeat && (nep || nt); step++) {
        for (int i = 0; i < nep; i++) { tfg_tensor_unref(res[i]); res[i] = NULL; }
        for (int i = 0; i < nf; i++) {
            step_feeds[i].target = feeds[i].target;
            step_feeds[i].value = batched[i] ? batch_slice(feeds[i].value, step, o->batch, &e) : feeds[i].value;
            if (!step_feeds[i].value) {
                for (int k = 0; k < i; k++) if (batched[k]) tfg_tensor_unref(step_feeds[k].value);
                if (bar) fputs("\n", stderr);
                tfg_diag_plain(stderr, "%s", e.msg);
                goto done;
            }
        }
        int run = tfg_session_run(s, eps, nep, targets, nt, step_feeds, nf, res, &e);
        for (int i = 0; i < nf; i++) if (batched[i]) tfg_tensor_unref(step_feeds[i].value);
        if (run) {
            if (bar) fputs("\n", stderr);
            tfg_diag_plain(stderr, "%s", e.msg);
            goto done;
        }
        if (bar) {
            double t = now_s() - t0;
            if (step + 1 == repeat || t - last_draw >= 0.1) {
                progress_draw(o, step + 1, repeat, t, res, slot);
                last_draw = t;
            }
        }
    }
    if (bar) fputs("\n", stderr);
    /* output */
    if (!strcmp(o->format, "npy")) {
        if (o->nfetches == 1 && slot[0] >= 0) {
            if (tfg_io_write_npy(o->output, res[slot[0]], &e)) { tfg_diag_plain(stderr, "%s", e.msg); goto done; }
        } else {
            const char **names = calloc((size_t)o->nfetches + 1, sizeof *names);
            const tfg_tensor **ts = calloc((size_t)o->nfetches + 1, sizeof *ts);
            int n = 0;
            for (int i = 0; names && ts && i < o->nfetches; i++)
                if (slot[i] >= 0) { names[n] = o->fetches[i]; ts[n++] = res[slot[i]]; }
            int w = names && ts ? tfg_io_write_npz(o->output, names, (const tfg_tensor *const *)ts, n, &e) : -1;
            free(names);
            free((void *)ts);
            if (w) { tfg_diag_plain(stderr, "%s", e.msg); goto done; }
        }
    } else {
        bool json = !strcmp(o->format, "json");
        for (int i = 0; i < o->nfetches; i++) {
            if (json) {
                char *j = slot[i] >= 0 ? tfg_print_json(res[slot[i]]) : NULL;
                tfg_sb_add(&out, "{\"name\":\"");
                for (const char *p = o->fetches[i]; *p; p++) {
                    if (*p == '"' || *p == '\\') tfg_sb_add(&out, "\\");
                    tfg_sb_addn(&out, p, 1);
                }
                tfg_sb_add(&out, "\"");
                if (j && j[0] == '{' && j[1] != '}') { tfg_sb_add(&out, ","); tfg_sb_add(&out, j + 1); }
                else tfg_sb_add(&out, ",\"data\":null}");
                tfg_sb_add(&out, "\n");
                free(j);
                continue;
            }
            if (o->nfetches > 1) tfg_sb_printf(&out, "%s:\n", o->fetches[i]);
            if (slot[i] < 0) {
                tfg_sb_add(&out, "None\n");
            } else {
                char *str = tfg_print_str(res[slot[i]]);
                if (str) tfg_sb_add(&out, str);
                tfg_sb_add(&out, "\n");
                free(str);
            }
        }
        if (out.oom) { tfg_diag_plain(stderr, "out of memory"); goto done; }
        if (o->output) {
            if (write_atomic(o->output, out.s ? out.s : "", out.len)) goto done;
        } else if (out.len) {
            fwrite(out.s, 1, out.len, stdout);
        }
    }
    if (o->state && save_state(ev, s, o->state)) goto done;
    rc = 0;
done:
    fflush(stdout);
    free(out.s);
    for (int i = 0; i < nep; i++) tfg_tensor_unref(res[i]);
    for (int i = 0; i < nf; i++) tfg_tensor_unref(feeds[i].value);
    free(vals); free(eps); free(targets); free(feeds); free(step_feeds); free(batched); free(res); free(slot);
    tfg_session_free(s);
    return rc;
}

/* tfg run */
static int cmd_run(int argc, char **argv)
{
    run_opts o;
    int rc = parse_run(argc, argv, &o);
    if (rc) { free_run(&o); return rc; }
    tfg_eval_opts eo = { .quiet = o.quiet, .soft_placement = o.soft, .log_placement = o.log,
                         .threads = o.threads, .default_device = o.device };
    if (o.threads) tfg_k_set_threads(o.threads);
    const char **sargv = calloc((size_t)o.nscript_args + 2, sizeof *sargv);
    if (!sargv) { free_run(&o); tfg_diag_plain(stderr, "out of memory"); return 1; }
    sargv[0] = o.file;
    for (int i = 0; i < o.nscript_args; i++) sargv[i + 1] = o.script_args[i];
    eo.argc = o.nscript_args + 1;
    eo.argv = sargv;
    tfg_source *src = NULL;
    tfg_arena arena;
    tfg_arena_init(&arena);
    tfg_eval *ev = load_script(o.file, &eo, &src, &arena, o.has_seed, o.seed);
    rc = 1;
    if (ev) {
        rc = 0;
        if (o.nfetches || o.state || o.nfeeds) rc = fetch_run(ev, &o);
        tfg_eval_free(ev);
    }
    tfg_arena_free(&arena);
    tfg_source_free(src);
    free(sargv);
    free_run(&o);
    return rc;
}

/* Writes one DOT-quoted identifier. */
static void dot_quote(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Length of the scope part of a node name ("a/b/MatMul" -> 4 for "a/b/"). */
static size_t scope_len(const char *name)
{
    const char *s = strrchr(name, '/');
    return s ? (size_t)(s - name) + 1 : 0;
}

/* Emits the nodes directly in scope `prefix` and recurses into its sub-scopes. */
static void dot_scope(FILE *f, tfg_graph *g, const char *prefix, size_t plen, int depth, unsigned char *done)
{
    for (int i = 0; i < g->nnodes; i++) {
        tfg_node *n = g->nodes[i];
        if (done[i] || strncmp(n->name, prefix, plen) != 0) continue;
        size_t sl = scope_len(n->name);
        if (sl == plen) {
            done[i] = 1;
            fprintf(f, "%*s", 2 * depth + 2, "");
            dot_quote(f, n->name);
            fprintf(f, " [label=\"%s\\n%s\"%s];\n", n->name + plen, n->op->type,
                    !strcmp(n->op->type, "VariableV2") ? ", shape=ellipse" :
                    !strcmp(n->op->type, "Placeholder") ? ", shape=invhouse" : "");
            continue;
        }
        /* a sub-scope: the next path component */
        const char *rest = n->name + plen;
        const char *slash = strchr(rest, '/');
        size_t nl = plen + (size_t)(slash - rest) + 1;
        char *sub = strndup(n->name, nl);
        if (!sub) return;
        fprintf(f, "%*ssubgraph ", 2 * depth + 2, "");
        char *cl = malloc(nl + 9);
        if (cl) {
            snprintf(cl, nl + 9, "cluster_%s", sub);
            dot_quote(f, cl);
            free(cl);
        }
        fprintf(f, " {\n%*slabel=", 2 * depth + 4, "");
        char *lab = strndup(rest, (size_t)(slash - rest));
        dot_quote(f, lab ? lab : "");
        free(lab);
        fprintf(f, ";\n");
        dot_scope(f, g, sub, nl, depth + 1, done);
        fprintf(f, "%*s}\n", 2 * depth + 2, "");
        free(sub);
    }
}

/* Prints the graph as DOT. */
static void print_dot(FILE *f, tfg_graph *g)
{
    fprintf(f, "digraph tfg {\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    unsigned char *done = calloc((size_t)g->nnodes + 1, 1);
    if (done) dot_scope(f, g, "", 0, 0, done);
    free(done);
    for (int i = 0; i < g->nnodes; i++) {
        tfg_node *n = g->nodes[i];
        for (int k = 0; k < n->ninputs; k++) {
            tfg_endpoint e = n->inputs[k];
            char sh[128];
            tfg_shape_str(&e.node->out_shape[e.index], sh, sizeof sh);
            fprintf(f, "  ");
            dot_quote(f, e.node->name);
            fprintf(f, " -> ");
            dot_quote(f, n->name);
            fprintf(f, " [label=\"%s %s\"];\n", tfg_dtype_name(e.node->out_dtype[e.index]), sh);
        }
        for (int k = 0; k < n->ncontrol; k++) {
            fprintf(f, "  ");
            dot_quote(f, n->control[k]->name);
            fprintf(f, " -> ");
            dot_quote(f, n->name);
            fprintf(f, " [style=dashed];\n");
        }
    }
    fprintf(f, "}\n");
}

/* tfg check / tfg graph */
static int cmd_build(int argc, char **argv, bool graph)
{
    if (argc != 1 || argv[0][0] == '-') {
        if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
            fputs(graph ? usage_graph : usage_check, stdout);
            return 0;
        }
        fputs(graph ? usage_graph : usage_check, stderr);
        return 2;
    }
    tfg_eval_opts eo = { .dry = true };
    tfg_source *src = NULL;
    tfg_arena arena;
    tfg_arena_init(&arena);
    tfg_eval *ev = load_script(argv[0], &eo, &src, &arena, false, 0);
    int rc = 1;
    if (ev) {
        if (graph) print_dot(stdout, ev->g);
        else printf("%s: ok (%d nodes)\n", argv[0], ev->g->nnodes);
        rc = 0;
        tfg_eval_free(ev);
    }
    tfg_arena_free(&arena);
    tfg_source_free(src);
    return rc;
}

/* Keeps blocks under 32 MiB in malloc's heap and the heap's free top mapped: a
 * training loop allocates and frees the same few hundred-KiB tensors every
 * step, which glibc would otherwise mmap and unmap afresh, paying a page fault
 * per 4 KiB touched (a hundred thousand faults over the MNIST tutorial). */
static void tune_malloc(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int main(int argc, char **argv)
{
    tune_malloc();
    if (argc < 2) { fputs(usage_main, stderr); return 2; }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage_main, stdout);
        fputs("\n", stdout);
        fputs(usage_run, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) { printf("tfg %s\n", TFG_VERSION); return 0; }
    if (!strcmp(cmd, "help")) {
        if (argc < 3) { fputs(usage_main, stdout); return 0; }
        if (!strcmp(argv[2], "run")) fputs(usage_run, stdout);
        else if (!strcmp(argv[2], "check")) fputs(usage_check, stdout);
        else if (!strcmp(argv[2], "graph")) fputs(usage_graph, stdout);
        else { fprintf(stderr, "tfg: no help for '%s'\n", argv[2]); return 2; }
        return 0;
    }
    if (!strcmp(cmd, "run")) {
        for (int i = 2; i < argc; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { fputs(usage_run, stdout); return 0; }
        return cmd_run(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "check")) return cmd_build(argc - 2, argv + 2, false);
    if (!strcmp(cmd, "graph")) return cmd_build(argc - 2, argv + 2, true);
    fprintf(stderr, "tfg: unknown command '%s'\n", cmd);
    fputs(usage_main, stderr);
    return 2;
}
