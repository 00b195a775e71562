/* fuzz_io.c — libFuzzer target for the data-file readers of runtime/io.c,
 * which read whatever file a script or --feed @FILE names: each input is
 * served as an in-memory file (memfd, nothing on disk) to the .npy, .npz,
 * CSV and MNIST idx readers, plain and gzipped. Every reader must return a
 * tensor or one error message: never a crash, a leak or an abort.
 * Build and run: tests/fuzz/build.sh SECONDS io. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/io.h"

/* One reader on the file; a success must hand over a tensor, a failure a message. */
static void check(int rc, tfg_tensor *t, const tfg_error *e)
{
    if (rc == 0 ? t == NULL : e->msg[0] == 0) abort();
    tfg_tensor_unref(t);
}

/* libFuzzer entry point: the bytes are the file's contents. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_io", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (size && write(fd, data, size) != (ssize_t)size) { close(fd); return 0; }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    tfg_error e;
    tfg_tensor *t;
    e.msg[0] = 0, t = NULL;
    check(tfg_io_read_npy(path, &t, &e), t, &e);
    e.msg[0] = 0, t = NULL;
    check(tfg_io_read_csv(path, &t, &e), t, &e);
    e.msg[0] = 0, t = NULL;
    check(tfg_io_read_idx(path, &t, &e), t, &e);
    e.msg[0] = 0, t = NULL;
    check(tfg_io_load(path, &t, &e), t, &e);
    char **names = NULL;
    tfg_tensor **ts = NULL;
    int n = 0;
    e.msg[0] = 0;
    if (tfg_io_read_npz_all(path, &names, &ts, &n, &e) == 0) tfg_io_free_list(names, ts, n);
    else if (e.msg[0] == 0) abort();
    close(fd);
    return 0;
}
