/* arena.h — bump allocator for AST and graph-build objects (module prefix tfg_arena_).
 * The arena owns every block it hands out; tfg_arena_free releases them all at once.
 * Allocation failure aborts nothing: tfg_arena_alloc returns NULL, callers report OOM. */
#ifndef TFG_ARENA_H
#define TFG_ARENA_H

#include <stddef.h>

typedef struct tfg_arena_block tfg_arena_block;
typedef struct tfg_arena {
    tfg_arena_block *head;
    size_t total;           /* bytes handed out, for statistics */
} tfg_arena;

void tfg_arena_init(tfg_arena *a);
void *tfg_arena_alloc(tfg_arena *a, size_t n);       /* zeroed, 16-byte aligned */
char *tfg_arena_strndup(tfg_arena *a, const char *s, size_t n);
char *tfg_arena_strdup(tfg_arena *a, const char *s);
void tfg_arena_free(tfg_arena *a);

#endif
