/* backend.c — device enumeration and the CPU backend (host memory: upload and
 * download are copies by reference). The OpenCL backend joins here later. */
#include <string.h>
#include "backend.h"

/* The CPU supports every op that has a CPU kernel (the session checks the slot). */
static bool cpu_supports(tfg_backend *b, const struct tfg_opdef *op)
{
    (void)b;
    (void)op;
    return true;
}

/* Host tensors are already "on" the CPU: hand out a new reference. */
static void *cpu_upload(tfg_backend *b, const tfg_tensor *t, tfg_error *err)
{
    (void)b;
    (void)err;
    return tfg_tensor_ref((tfg_tensor *)t);
}

/* Copies a CPU buffer (a tensor) into t. */
static int cpu_download(tfg_backend *b, void *buf, tfg_tensor *t, tfg_error *err)
{
    (void)b;
    const tfg_tensor *src = buf;
    if (src->size != t->size || src->dtype != t->dtype) return tfg_error_set(err, "download: size mismatch");
    memcpy(t->data, src->data, (size_t)t->size * tfg_dtype_size(t->dtype));
    return 0;
}

/* Drops a CPU buffer. */
static void cpu_release(tfg_backend *b, void *buf)
{
    (void)b;
    tfg_tensor_unref(buf);
}

/* The CPU backend is static: nothing to free. */
static void cpu_free(tfg_backend *b) { (void)b; }

static const tfg_backend_i cpu_iface = {
    /* .name        = */ "CPU",
    /* .slot        = */ 0,
    /* .supports_op = */ cpu_supports,
    /* .upload      = */ cpu_upload,
    /* .download    = */ cpu_download,
    /* .release     = */ cpu_release,
    /* .free        = */ cpu_free,
};

static tfg_backend cpu_backend = { &cpu_iface, "/device:CPU:0", NULL };

tfg_backend *tfg_backend_cpu(void)
{
    return &cpu_backend;
}

int tfg_backend_enumerate(tfg_backend **out, int max, tfg_error *err)
{
    (void)err;
    if (max < 1) return 0;
    out[0] = &cpu_backend;
    return 1;
}
