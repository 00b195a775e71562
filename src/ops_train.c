/* ops_train.c — optimizer update ops (table tfg_ops_train): in-place
 * updates of variables such as ApplyGradientDescent, ApplyAdam. */
#include "ops.h"

const tfg_opdef tfg_ops_train[] = {
    { "TrainPlaceholderUnused", 0, TFG_OPF_NO_OUTPUT, NULL, { NULL, NULL }, NULL, "placeholder entry" },
};
const int tfg_ops_train_count = 0;
