/* api_tf_train.c — tf.train.*: optimizers, Saver, and the data builtins a
 * training script needs (table tfg_tfapi_train_functions; see api_tf.h). */
#include "api_tf.h"

const tfg_builtin tfg_tfapi_train_functions[] = {
    { NULL, NULL, NULL, 0 },
};
