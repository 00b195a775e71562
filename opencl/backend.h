/* backend.h — the device backend interface (module prefix tfg_backend_).
 *
 * A backend is a table of function pointers, as ggml's ggml_backend_i: the
 * session asks `supports_op` to place a node, moves tensors with `upload` /
 * `download`, and runs nodes with the kernel the op table lists for the
 * backend's slot (TFG_BACKEND_CPU, TFG_BACKEND_OPENCL in graph.h). The CPU
 * backend is the identity (host memory); the OpenCL backend (later issue)
 * keeps device buffers. A backend instance owns its device buffers; tensors
 * handed across upload/download follow tensor.h's reference rules.
 */
#ifndef TFG_BACKEND_H
#define TFG_BACKEND_H

#include <stdbool.h>
#include "../runtime/tensor.h"

typedef struct tfg_backend tfg_backend;
struct tfg_opdef;

typedef struct tfg_backend_i {
    const char *name;                                 /* "CPU", "OpenCL" */
    int slot;                                         /* index into tfg_opdef.kernel[] */
    bool (*supports_op)(tfg_backend *b, const struct tfg_opdef *op);
    /* Device copy of a host tensor, and back; NULL/-1 with err on failure. */
    void *(*upload)(tfg_backend *b, const tfg_tensor *t, tfg_error *err);
    int (*download)(tfg_backend *b, void *buf, tfg_tensor *t, tfg_error *err);
    void (*release)(tfg_backend *b, void *buf);
    void (*free)(tfg_backend *b);
} tfg_backend_i;

struct tfg_backend {
    const tfg_backend_i *iface;
    char device[64];                                  /* "/device:CPU:0", "/device:GPU:0" */
    void *ctx;                                        /* the backend's own state */
};

/* Lists the devices of this process: always "/device:CPU:0"; OpenCL GPUs
 * come with the OpenCL issue. Returns the count written (at most max). */
int tfg_backend_enumerate(tfg_backend **out, int max, tfg_error *err);
tfg_backend *tfg_backend_cpu(void);

#endif
