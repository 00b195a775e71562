/* ops.c — the op registry: every family table (src/ops_*.c) behind
 * tfg_op_find (by TF type name) and tfg_op_at (iteration, family order).
 *
 * Lookups happen only while building graphs; a sorted index of pointers,
 * built once (pthread_once) and read-only afterwards, gives O(log n) finds. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ops.h"

/* The families in iteration order. */
static const struct {
    const tfg_opdef *ops;
    const int *count;
} families[] = {
    { tfg_ops_array, &tfg_ops_array_count },   { tfg_ops_math, &tfg_ops_math_count },
    { tfg_ops_matmul, &tfg_ops_matmul_count }, { tfg_ops_reduce, &tfg_ops_reduce_count },
    { tfg_ops_state, &tfg_ops_state_count },   { tfg_ops_random, &tfg_ops_random_count },
    { tfg_ops_grad, &tfg_ops_grad_count },     { tfg_ops_nn, &tfg_ops_nn_count },
    { tfg_ops_train, &tfg_ops_train_count },
};
enum { NFAMILIES = sizeof families / sizeof families[0] };

/* Room for every op of every family. */
#define MAX_OPS 256

static const tfg_opdef *sorted[MAX_OPS];
static int nsorted;
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

/* Orders opdef pointers by type name. */
static int cmp_opdef(const void *a, const void *b)
{
    const tfg_opdef *x = *(const tfg_opdef *const *)a, *y = *(const tfg_opdef *const *)b;
    return strcmp(x->type, y->type);
}

/* Builds the sorted index (once). */
static void build_index(void)
{
    for (int f = 0; f < NFAMILIES; f++)
        for (int i = 0; i < *families[f].count && nsorted < MAX_OPS; i++)
            sorted[nsorted++] = &families[f].ops[i];
    qsort(sorted, (size_t)nsorted, sizeof sorted[0], cmp_opdef);
}

/* The op named by its TF type, or NULL. */
const tfg_opdef *tfg_op_find(const char *type)
{
    if (!type) return NULL;
    pthread_once(&sorted_once, build_index);
    int lo = 0, hi = nsorted - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(type, sorted[mid]->type);
        if (c == 0) return sorted[mid];
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    return NULL;
}

/* The i-th op over all families (family order, then table order), or NULL. */
const tfg_opdef *tfg_op_at(int i)
{
    if (i < 0) return NULL;
    for (int f = 0; f < NFAMILIES; f++) {
        if (i < *families[f].count) return &families[f].ops[i];
        i -= *families[f].count;
    }
    return NULL;
}
