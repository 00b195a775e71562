/* k_thread.c — the kernels' thread count and a resident worker pool (tfg_k_).
 *
 * Process-wide state lives here, as it does inside OpenBLAS: the thread
 * count set by tfg_k_set_threads (read and written atomically) and the pool
 * of workers that run the chunks of parallel kernels. The kernel API has no
 * context to carry a pool, and one pool per process is what the hardware
 * has anyway.
 *
 * The pool starts on the first parallel call (a `tfg run` that never needs a
 * second thread never starts one) and grows when the thread count does. Each
 * worker owns a mailbox: the caller writes a chunk into it and bumps its
 * sequence number; the worker runs the chunk and publishes the number back.
 * After a chunk a worker spins for a while (K_SPIN_NS) before it sleeps on
 * a condition variable, so the kernels of one training step (a few tens of
 * microseconds apart) hand work over in well under a microsecond instead of
 * the tens of microseconds a thread start or a wake-up costs. Calls made
 * while the pool is busy (a chunk that itself goes parallel, or a second
 * caller thread) run inline, so nothing ever waits on itself.
 */
#include "kernels.h"

#include "blas.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define K_PAUSE() _mm_pause()
#else
#define K_PAUSE() ((void)0)
#endif

#define K_MAX_THREADS 64
/* How long an idle worker spins before it sleeps. */
#define K_SPIN_NS 2000000

/* Threads for parallel kernels; 0 means "not set": use the online CPUs. */
static atomic_int k_nthreads;

/* Sets the thread count for our kernels (n <= 0: default). OpenBLAS itself
 * always runs single-threaded: products are cut among tfg's threads. */
void tfg_k_set_threads(int n)
{
    atomic_store_explicit(&k_nthreads, n < 0 ? 0 : n, memory_order_relaxed);
}

/* The thread count parallel kernels use now. */
int tfg_k_threads(void)
{
    int n = atomic_load_explicit(&k_nthreads, memory_order_relaxed);
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)(c < 256 ? c : 256) : 1;
    }
    return n;
}

/* One worker's mailbox, on its own cache lines. */
typedef struct {
    _Alignas(64) atomic_uint_fast64_t seq;   /* bumped by the caller per chunk */
    tfg_k_chunk_fn fn;
    void *ctx;
    int64_t begin, end;
    _Alignas(64) atomic_uint_fast64_t done;  /* = seq once the chunk ran */
} k_mailbox;

static struct {
    pthread_mutex_t mu;        /* guards starting workers and sleeping */
    pthread_cond_t wake;
    atomic_int sleepers;       /* workers waiting on wake */
    atomic_int nworkers;       /* started workers (mailboxes 1..nworkers) */
    atomic_flag busy;          /* held by the caller that owns the workers now */
    k_mailbox box[K_MAX_THREADS];
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ATOMIC_FLAG_INIT, { { 0 } } };

static int64_t k_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Worker body: waits for its mailbox's next chunk, runs it, forever. */
static void *k_worker(void *p)
{
    k_mailbox *mb = p;
    uint_fast64_t seen = 0;   /* no chunk is posted to a mailbox before its worker starts */
    for (;;) {
        int64_t start = k_now_ns();
        for (unsigned spins = 1; atomic_load_explicit(&mb->seq, memory_order_acquire) == seen; spins++) {
            K_PAUSE();
            if ((spins & 255) == 0 && k_now_ns() - start > K_SPIN_NS) {
                pthread_mutex_lock(&pool.mu);
                atomic_fetch_add(&pool.sleepers, 1);
                while (atomic_load(&mb->seq) == seen) pthread_cond_wait(&pool.wake, &pool.mu);
                atomic_fetch_sub(&pool.sleepers, 1);
                pthread_mutex_unlock(&pool.mu);
                break;
            }
        }
        seen = atomic_load_explicit(&mb->seq, memory_order_acquire);
        mb->fn(mb->ctx, mb->begin, mb->end);
        atomic_store_explicit(&mb->done, seen, memory_order_release);
    }
    return NULL;
}

/* Makes sure workers 1..want-1 exist; returns how many threads can run (>= 1). */
static int k_pool_grow(int want)
{
    int have = atomic_load_explicit(&pool.nworkers, memory_order_acquire);
    if (have + 1 >= want) return want;
    pthread_mutex_lock(&pool.mu);
    have = atomic_load(&pool.nworkers);
    while (have + 1 < want) {
        pthread_attr_t at;
        pthread_t t;
        bool ok = pthread_attr_init(&at) == 0;
        if (ok) {
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            ok = pthread_create(&t, &at, k_worker, &pool.box[have + 1]) == 0;
            pthread_attr_destroy(&at);
        }
        if (!ok) break;
        atomic_store_explicit(&pool.nworkers, ++have, memory_order_release);
    }
    pthread_mutex_unlock(&pool.mu);
    return have + 1 < want ? have + 1 : want;
}

/* Runs fn over [0, n) in up to tfg_k_threads() contiguous chunks whose bounds are
 * multiples of grain (but the last), each at least min_chunk long. */
void tfg_k_parallel_grain(int64_t n, int64_t min_chunk, int64_t grain, tfg_k_chunk_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (min_chunk < 1)
        min_chunk = 1;
    if (grain < 1)
        grain = 1;
    int64_t nt = tfg_k_threads();
    if (nt > K_MAX_THREADS)
        nt = K_MAX_THREADS;
    if (nt > n / min_chunk)
        nt = n / min_chunk;
    if (nt <= 1 || atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire)) {
        fn(ctx, 0, n);
        return;
    }
    nt = k_pool_grow((int)nt);
    int64_t per = (n / nt + grain - 1) / grain * grain;
    int64_t bounds[K_MAX_THREADS + 1];
    int parts = 0;
    bounds[0] = 0;
    while (parts < nt && bounds[parts] < n) {
        int64_t end = (parts == nt - 1 || bounds[parts] + per > n) ? n : bounds[parts] + per;
        bounds[++parts] = end;
    }
    if (parts > 1 && bounds[parts] - bounds[parts - 1] < min_chunk)
        bounds[--parts] = n;   /* a short last chunk joins the one before */
    uint_fast64_t seq[K_MAX_THREADS];
    for (int i = 1; i < parts; i++) {
        k_mailbox *mb = &pool.box[i];
        mb->fn = fn;
        mb->ctx = ctx;
        mb->begin = bounds[i];
        mb->end = bounds[i + 1];
        seq[i] = atomic_load_explicit(&mb->seq, memory_order_relaxed) + 1;
        atomic_store(&mb->seq, seq[i]);
    }
    if (parts > 1 && atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.mu);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mu);
    }
    fn(ctx, bounds[0], bounds[1]);
    for (int i = 1; i < parts; i++)
        for (unsigned spins = 1; atomic_load_explicit(&pool.box[i].done, memory_order_acquire) != seq[i]; spins++) {
            K_PAUSE();
            if ((spins & 4095) == 0) sched_yield();
        }
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
}

/* Runs fn over [0, n) in chunks whose bounds are multiples of 64 (see kernels.h). */
void tfg_k_parallel_for(int64_t n, int64_t min_chunk, tfg_k_chunk_fn fn, void *ctx)
{
    tfg_k_parallel_grain(n, min_chunk, 64, fn, ctx);
}
