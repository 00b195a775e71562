/* fuzz_graph.c — libFuzzer target for the front end plus graph building:
 * each input is parsed and evaluated in dry mode (tfg check: graph nodes are
 * built and shape-checked, sessions run nothing), so the evaluator, the op
 * table's shape and dtype rules and the naming code see arbitrary scripts.
 * Errors must come back as one located message, never a crash or a leak.
 * Build and run: tests/fuzz/build.sh SECONDS graph. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/eval.h"

/* libFuzzer entry point: the bytes are the text of a script. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tfg_source *src = tfg_source_from_string("fuzz.tfg", (const char *)data, size);
    if (!src) return 0;
    char err[512];
    tfg_arena arena;
    tfg_arena_init(&arena);
    tfg_ast *m = tfg_ast_parse_quiet(src, &arena, err, sizeof err);
    if (m) {
        tfg_eval_opts eo = { .dry = true, .max_steps = 10000 };
        tfg_eval *ev = tfg_eval_new(src, &eo);
        if (ev) {
            ev->arena = &arena;
            if (tfg_eval_run(ev, m) != 0 && ev->msg[0] == 0) abort();   /* every failure explains itself */
            tfg_eval_free(ev);
        }
    }
    tfg_arena_free(&arena);
    tfg_source_free(src);
    return 0;
}
