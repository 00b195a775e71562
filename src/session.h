/* session.h — running graphs (module prefixes tfg_session_, tfg_exec_).
 *
 * A session borrows its graph (the graph must outlive it) and owns the
 * variables' values and the random generators' states. tfg_session_run
 * prunes the graph to what the fetches and targets need, stops at fed
 * endpoints, runs each needed node once, on its placed device's kernel, and
 * releases each intermediate value after its last consumer (liveness).
 * Results are new references the caller releases.
 */
#ifndef TFG_SESSION_H
#define TFG_SESSION_H

#include <stdio.h>
#include "graph.h"

typedef struct tfg_session tfg_session;

typedef struct tfg_session_opts {
    bool soft_placement;      /* allow_soft_placement: unknown devices fall back to the CPU */
    bool log_placement;       /* log_device_placement: print each node's device on stderr */
    int threads;              /* 0 = library default */
} tfg_session_opts;

typedef struct tfg_feed {
    tfg_endpoint target;
    tfg_tensor *value;        /* borrowed for the call; already of the target's dtype */
} tfg_feed;

tfg_session *tfg_session_new(tfg_graph *g, const tfg_session_opts *opts);
void tfg_session_free(tfg_session *s);
tfg_graph *tfg_session_graph(tfg_session *s);

/* Runs the graph once. fetches: endpoints whose values go to results[i] (one new
 * reference each); targets: nodes run for their effect (ops). Feeds replace
 * endpoints for this call only; their shapes must be compatible with the static
 * shape ("Cannot feed value of shape (2,) for Tensor 'x:0', which has shape '(3,)'").
 * Errors (with TF's wording): "You must feed a value for placeholder tensor
 * 'Placeholder_1' with dtype float", "Attempting to use uninitialized value
 * counter", device errors, kernel errors. On error no result is returned. */
int tfg_session_run(tfg_session *s, const tfg_endpoint *fetches, int nfetches,
                    tfg_node *const *targets, int ntargets, const tfg_feed *feeds, int nfeeds,
                    tfg_tensor **results, tfg_error *err);

/* Variables' values, for checkpoints (--state) and tests: borrowed, NULL when
 * uninitialised. Set takes a new reference of its own. */
tfg_tensor *tfg_session_var_get(tfg_session *s, const tfg_node *var);
int tfg_session_var_set(tfg_session *s, const tfg_node *var, tfg_tensor *value, tfg_error *err);

/* ---- for kernels --------------------------------------------------------------- */
/* The variable's current value (borrowed), or NULL when uninitialised. */
tfg_tensor *tfg_exec_var_get(tfg_exec *x, const tfg_node *var);
/* Stores value as the variable's value (takes a new reference of its own). */
int tfg_exec_var_set(tfg_exec *x, const tfg_node *var, tfg_tensor *value, tfg_error *err);
/* The random generator of a random node, created from its seeds on first use;
 * it lives as long as the session, so each run draws new numbers. */
tfg_rng *tfg_exec_rng(tfg_exec *x, const tfg_node *n);

#endif
