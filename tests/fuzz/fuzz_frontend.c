/* fuzz_frontend.c — libFuzzer target for the front end: lexer, parser, AST dump.
 *
 * Each input is parsed as a whole script (tfg_ast_parse_quiet) and as a
 * single expression (tfg_ast_parse_expr_quiet); a tree that parses is dumped,
 * and the arena is freed, so ASan sees every leak and overflow and UBSan every
 * undefined operation. The first byte also selects, now and then, a token dump
 * (the lexer's own driver) or the REPL's incompleteness check.
 * Build and run: tests/fuzz/build.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/ast.h"

/* Parses one source both ways and checks what a success promises. */
static void parse_both(const tfg_source *src)
{
    char err[512];
    tfg_arena arena;
    tfg_arena_init(&arena);
    tfg_ast *m = tfg_ast_parse_quiet(src, &arena, err, sizeof err);
    if (m) {
        if (m->kind != TFG_AST_MODULE || tfg_ast_too_deep(m, TFG_AST_MAX_DEPTH))
            abort();
        free(tfg_ast_dump(m));
    } else if (strstr(err, ": error: ") == NULL) {
        abort();                                /* every failure explains itself */
    }
    tfg_arena_free(&arena);

    tfg_arena_init(&arena);
    tfg_ast *e = tfg_ast_parse_expr_quiet(src, &arena, err, sizeof err);
    if (e)
        free(tfg_ast_dump(e));
    else if (strstr(err, ": error: ") == NULL)
        abort();
    tfg_arena_free(&arena);
}

/* libFuzzer entry point: the bytes are the text of a script. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tfg_source *src = tfg_source_from_string("fuzz.tfg", (const char *)data, size);
    if (!src)
        return 0;
    parse_both(src);
    if (size > 0 && data[0] % 8 == 0) {
        char err[256];
        free(tfg_ast_tokens(src, err, sizeof err));
    }
    if (size > 0 && data[0] % 8 == 1)
        (void)tfg_ast_incomplete(src);
    tfg_source_free(src);
    return 0;
}
