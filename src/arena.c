/* arena.c — bump allocator (see arena.h).
 *
 * Blocks form a singly linked list, newest first. Small requests are carved
 * out of the head block; a request larger than a quarter of the standard
 * block size gets a block of its own, linked behind the head so that the
 * head's free space is not abandoned. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_BLOCK_SIZE (64 * 1024)

struct tfg_arena_block {
    tfg_arena_block *next;
    size_t size;                 /* usable bytes in data[] */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

/* Makes an arena with no blocks yet. */
void tfg_arena_init(tfg_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

/* Allocates a block with room for at least `size` bytes; NULL on failure. */
static tfg_arena_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(tfg_arena_block))
        return NULL;
    tfg_arena_block *b = malloc(sizeof(tfg_arena_block) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

/* Returns n zeroed bytes aligned to 16, owned by the arena; NULL when out of memory. */
void *tfg_arena_alloc(tfg_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    tfg_arena_block *b = a->head;
    if (!b || b->size - b->used < need) {
        if (need > ARENA_BLOCK_SIZE / 4) {
            /* a large request: its own block, kept behind the head */
            tfg_arena_block *big = block_new(need);
            if (!big)
                return NULL;
            big->used = need;
            if (a->head) {
                big->next = a->head->next;
                a->head->next = big;
            } else {
                a->head = big;
            }
            a->total += need;
            memset(big->data, 0, need);
            return big->data;
        }
        b = block_new(ARENA_BLOCK_SIZE);
        if (!b)
            return NULL;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += need;
    memset(p, 0, need);
    return p;
}

/* Copies n bytes of s into the arena and NUL-terminates the copy. */
char *tfg_arena_strndup(tfg_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = tfg_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Copies a NUL-terminated string into the arena. */
char *tfg_arena_strdup(tfg_arena *a, const char *s)
{
    return tfg_arena_strndup(a, s, strlen(s));
}

/* Releases every block; the arena is empty (and reusable) afterwards. */
void tfg_arena_free(tfg_arena *a)
{
    tfg_arena_block *b = a->head;
    while (b) {
        tfg_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
