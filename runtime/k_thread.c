/* k_thread.c — the kernels' thread count and a parallel-for (tfg_k_).
 *
 * The one piece of global mutable state in the kernels lives here: the
 * thread count set by tfg_k_set_threads (the API has no context to carry
 * it, and OpenBLAS keeps its own count globally anyway). It is read and
 * written atomically.
 *
 * tfg_k_parallel_for starts plain pthreads per call and joins them: a
 * kernel only asks for threads when its work is in the milliseconds (about
 * a million elements), where thread start-up (tens of microseconds) is
 * noise, and it keeps the library free of a resident pool.
 */
#include "kernels.h"

#include "blas.h"
#include <pthread.h>
#include <unistd.h>

/* Threads for parallel kernels; 0 means "not set": use the online CPUs. */
static int k_nthreads;

/* Sets the thread count for our kernels and for OpenBLAS (n <= 0: default). */
void tfg_k_set_threads(int n)
{
    if (n < 0)
        n = 0;
    __atomic_store_n(&k_nthreads, n, __ATOMIC_RELAXED);
    tfg_blas_set_threads(tfg_k_threads());
}

/* The thread count parallel kernels use now. */
int tfg_k_threads(void)
{
    int n = __atomic_load_n(&k_nthreads, __ATOMIC_RELAXED);
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)(c < 256 ? c : 256) : 1;
    }
    return n;
}

/* One chunk of a parallel_for, handed to a thread. */
typedef struct {
    tfg_k_chunk_fn fn;
    void *ctx;
    int64_t begin, end;
} k_chunk;

/* Thread entry: runs one chunk. */
static void *k_chunk_run(void *p)
{
    k_chunk *c = p;
    c->fn(c->ctx, c->begin, c->end);
    return NULL;
}

#define K_MAX_THREADS 64

/* Runs fn over [0, n) in up to tfg_k_threads() contiguous chunks. */
void tfg_k_parallel_for(int64_t n, int64_t min_chunk, tfg_k_chunk_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (min_chunk < 1)
        min_chunk = 1;
    int64_t nt = tfg_k_threads();
    if (nt > K_MAX_THREADS)
        nt = K_MAX_THREADS;
    if (nt > n / min_chunk)
        nt = n / min_chunk;
    if (nt <= 1) {
        fn(ctx, 0, n);
        return;
    }
    k_chunk chunks[K_MAX_THREADS];
    pthread_t tids[K_MAX_THREADS];
    bool started[K_MAX_THREADS];
    /* equal chunks rounded to 64 elements so threads do not share cache lines */
    int64_t per = ((n / nt) + 63) & ~(int64_t)63;
    int64_t pos = 0;
    int used = 0;
    for (int i = 0; i < nt && pos < n; i++) {
        int64_t end = (i == nt - 1 || pos + per > n) ? n : pos + per;
        chunks[used++] = (k_chunk){fn, ctx, pos, end};
        pos = end;
    }
    for (int i = 1; i < used; i++)
        started[i] = pthread_create(&tids[i], NULL, k_chunk_run, &chunks[i]) == 0;
    k_chunk_run(&chunks[0]);
    for (int i = 1; i < used; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
        else
            k_chunk_run(&chunks[i]); /* could not start a thread: run it here */
    }
}
