/* k_thread.c — the kernels' thread count and a resident worker pool (tfg_k_).
 *
 * Process-wide state lives here, as it does inside OpenBLAS: the thread
 * count set by tfg_k_set_threads (read and written atomically) and the pool
 * of workers that run the chunks of parallel kernels. The kernel API has no
 * context to carry a pool, and one pool per process is what the hardware
 * has anyway.
 *
 * The pool starts on the first parallel call (a `tfg run` that never needs a
 * second thread never starts one) and grows when the thread count does. A
 * call cuts its range into a few chunks per thread, publishes them, and then
 * the caller and the workers claim chunks one by one from a shared ticket
 * until none is left: a thread that the host slows down, or a worker still
 * waking up, leaves its share to the others instead of holding up the call.
 * After a call a worker spins for a while (K_SPIN_NS) before it sleeps on a
 * condition variable, so the kernels of one training step (a few tens of
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

/* The online CPUs, asked once (sysconf reads /sys: microseconds a call). */
static atomic_int k_ncpu;

/* The thread count parallel kernels use now. */
int tfg_k_threads(void)
{
    int n = atomic_load_explicit(&k_nthreads, memory_order_relaxed);
    if (n <= 0) {
        n = atomic_load_explicit(&k_ncpu, memory_order_relaxed);
        if (n <= 0) {
            long c = sysconf(_SC_NPROCESSORS_ONLN);
            n = c > 0 ? (int)(c < 256 ? c : 256) : 1;
            atomic_store_explicit(&k_ncpu, n, memory_order_relaxed);
        }
    }
    return n;
}

/* A parallel call: fn over [0, n) in nchunks chunks of per elements (the
 * last takes the rest), claimed by the caller and by workers 1..maxw: one at
 * a time in order, or (affine) chunk t by thread t, the caller taking over
 * the chunks of workers that have not started when its own is done. Fields
 * are atomics: a late worker may read a slot while a later call rewrites it,
 * and then fails to claim (see k_claim). */
typedef struct {
    _Atomic(tfg_k_chunk_fn) fn;
    _Atomic(void *) ctx;
    atomic_int_fast64_t n, per;
    atomic_int nchunks, maxw;
    atomic_bool affine;
    _Alignas(64) atomic_int done;   /* chunks finished */
} k_job;

static struct {
    pthread_mutex_t mu;        /* guards starting workers and sleeping */
    pthread_cond_t wake;
    atomic_int sleepers;       /* workers waiting on wake */
    atomic_int nworkers;       /* started workers, numbered 1..nworkers */
    atomic_flag busy;          /* held by the caller that owns the pool now */
    atomic_bool park;          /* set: idle workers sleep at once (tfg_k_exclusive_begin) */
    uint64_t gen;              /* the owner's call counter (under busy) */
    _Alignas(64) atomic_uint_fast64_t post;     /* generation of the newest call */
    _Alignas(64) atomic_uint_fast64_t ticket;   /* generation << 32 | next chunk (affine:
                                                  * a bit per claimed chunk) */
    k_job job[2];              /* by generation parity */
} pool = { .mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .busy = ATOMIC_FLAG_INIT };

static int64_t k_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Claims and runs chunks of call g as thread `self` (0 = the caller) until
 * none is left. A claim is a compare-and-swap on the ticket, which only
 * succeeds while call g still has unclaimed chunks; until then its slot is
 * not rewritten (the slot of g is reused by g + 2, which starts after g + 1,
 * which starts after every chunk of g has finished), so the fields read
 * before a successful claim are g's. */
static void k_claim(uint64_t g, int self)
{
    k_job *j = &pool.job[g & 1];
    uint64_t want = g & 0xffffffffu;
    for (;;) {
        uint_fast64_t t = atomic_load(&pool.ticket);
        if ((t >> 32) != want)
            return;
        tfg_k_chunk_fn fn = atomic_load(&j->fn);
        void *ctx = atomic_load(&j->ctx);
        int64_t n = atomic_load(&j->n), per = atomic_load(&j->per);
        int nchunks = atomic_load(&j->nchunks), maxw = atomic_load(&j->maxw);
        bool affine = atomic_load(&j->affine);
        if (self > maxw)
            return;   /* (affine calls: maxw < K_AFFINE_MAX, so every bit index below fits) */
        uint32_t low = (uint32_t)t, i = low;
        if (affine) {
            /* workers their own chunk only; the caller its own, then any left */
            i = (uint32_t)self;
            if (self == 0)
                while (i < (uint32_t)nchunks && (low >> i & 1u))
                    i++;
            else if (i >= (uint32_t)nchunks || (low >> i & 1u))
                return;
        }
        if (i >= (uint32_t)nchunks)
            return;
        if (!atomic_compare_exchange_weak(&pool.ticket, &t, affine ? t | (uint_fast64_t)1 << i : t + 1))
            continue;
        int64_t begin = (int64_t)i * per;
        fn(ctx, begin, i + 1 == (uint32_t)nchunks ? n : begin + per);
        atomic_fetch_add_explicit(&j->done, 1, memory_order_release);
    }
}

/* Worker body: waits for the next call, helps with its chunks, forever. */
static void *k_worker(void *p)
{
    int self = (int)(intptr_t)p;
    uint_fast64_t seen = 0;   /* a call posted before this thread ran is claimed (or found done) */
    for (;;) {
        int64_t start = k_now_ns();
        for (unsigned spins = 1; atomic_load_explicit(&pool.post, memory_order_acquire) == seen; spins++) {
            K_PAUSE();
            if ((spins & 255) == 0 && (atomic_load(&pool.park) || k_now_ns() - start > K_SPIN_NS)) {
                pthread_mutex_lock(&pool.mu);
                atomic_fetch_add(&pool.sleepers, 1);
                while (atomic_load(&pool.post) == seen) pthread_cond_wait(&pool.wake, &pool.mu);
                atomic_fetch_sub(&pool.sleepers, 1);
                pthread_mutex_unlock(&pool.mu);
                break;
            }
        }
        seen = atomic_load(&pool.post);
        k_claim(seen, self);
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
            ok = pthread_create(&t, &at, k_worker, (void *)(intptr_t)(have + 1)) == 0;
            pthread_attr_destroy(&at);
        }
        if (!ok) break;
        atomic_store_explicit(&pool.nworkers, ++have, memory_order_release);
    }
    pthread_mutex_unlock(&pool.mu);
    return have + 1 < want ? have + 1 : want;
}

/* Chunks per thread: a few, so that a thread slowed down (the host's other
 * load, a worker still waking up) leaves its share to the others. */
#define K_CHUNKS_PER_THREAD 4

/* Posts a call of nchunks chunks (per elements each, the last the rest) on
 * the caller and workers 1..nt-1, takes part, and returns when all ran (with
 * one thread or one chunk, runs fn inline); the caller holds pool.busy, which
 * this releases. */
static void k_post(int64_t n, int64_t per, int64_t nchunks, int nt, bool affine, tfg_k_chunk_fn fn,
                   void *ctx)
{
    if (nt <= 1 || nchunks <= 1) {
        atomic_flag_clear_explicit(&pool.busy, memory_order_release);
        fn(ctx, 0, n);
        return;
    }
    uint64_t g = ++pool.gen;
    k_job *j = &pool.job[g & 1];
    atomic_store(&j->fn, fn);
    atomic_store(&j->ctx, ctx);
    atomic_store(&j->n, n);
    atomic_store(&j->per, per);
    atomic_store(&j->nchunks, (int)nchunks);
    atomic_store(&j->maxw, nt - 1);
    atomic_store(&j->affine, affine);
    atomic_store(&j->done, 0);
    atomic_store(&pool.ticket, (uint_fast64_t)(g & 0xffffffffu) << 32);
    atomic_store(&pool.post, g);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.mu);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mu);
    }
    k_claim(g, 0);
    for (unsigned spins = 1; atomic_load_explicit(&j->done, memory_order_acquire) < nchunks; spins++) {
        K_PAUSE();
        if ((spins & 4095) == 0) sched_yield();
    }
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
}

/* Runs fn over [0, n) in chunks whose bounds are multiples of grain (but the
 * last), each at least min_chunk long, on up to tfg_k_threads() threads. */
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
    int64_t nc = n / min_chunk < K_CHUNKS_PER_THREAD * nt ? n / min_chunk : K_CHUNKS_PER_THREAD * nt;
    int64_t per = (n / nc + grain - 1) / grain * grain;
    int64_t nchunks = (n + per - 1) / per;
    if (nchunks > 1 && n - (nchunks - 1) * per < min_chunk)
        nchunks--;   /* a short last chunk joins the one before */
    k_post(n, per, nchunks, (int)nt, false, fn, ctx);
}

/* Affine calls use at most this many threads (a bit each in the ticket). */
#define K_AFFINE_MAX 32

/* The threads an affine call uses now, and its block length for n. */
static int64_t k_affine_threads(void)
{
    int64_t nt = tfg_k_threads();
    return nt > K_AFFINE_MAX ? K_AFFINE_MAX : nt;
}
static int64_t k_affine_per(int64_t n, int64_t nt, int64_t grain)
{
    return ((n + nt - 1) / nt + grain - 1) / grain * grain;
}

int64_t tfg_k_affine_block(int64_t n, int64_t grain)
{
    if (grain < 1)
        grain = 1;
    return n <= 0 ? grain : k_affine_per(n, k_affine_threads(), grain);
}

/* Runs fn over [0, n) in one block per thread, block t always on thread t
 * (see kernels.h). */
void tfg_k_parallel_affine(int64_t n, int64_t grain, tfg_k_chunk_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (grain < 1)
        grain = 1;
    int64_t nt = k_affine_threads();
    if (nt <= 1 || atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire)) {
        fn(ctx, 0, n);
        return;
    }
    /* the blocks follow the thread count asked for; blocks of workers that
     * could not start are taken by the caller */
    int64_t per = k_affine_per(n, nt, grain);
    k_post(n, per, (n + per - 1) / per, k_pool_grow((int)nt), true, fn, ctx);
}

/* Runs fn over [0, n) in chunks whose bounds are multiples of 64 (see kernels.h). */
void tfg_k_parallel_for(int64_t n, int64_t min_chunk, tfg_k_chunk_fn fn, void *ctx)
{
    tfg_k_parallel_grain(n, min_chunk, 64, fn, ctx);
}

/* Takes the machine for one call into a library that threads itself: the
 * pool's idle workers go to sleep instead of spinning on the cores it needs.
 * Returns the thread count to give the library, or 1 when the pool is in use
 * (a nested call) or tfg runs single-threaded. */
int tfg_k_exclusive_begin(void)
{
    int nt = tfg_k_threads();
    if (nt <= 1 || atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire))
        return 1;
    atomic_store(&pool.park, true);
    return nt;
}

/* Ends what tfg_k_exclusive_begin(), which returned `taken`, began. */
void tfg_k_exclusive_end(int taken)
{
    if (taken <= 1)
        return;
    atomic_store(&pool.park, false);
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
}
