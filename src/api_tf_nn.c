/* api_tf_nn.c — builders of tf.nn.* / tf.losses.* neural-network functions
 * (table tfg_tfapi_nn_functions; see api_tf.h). */
#include "api_tf.h"

const tfg_builtin tfg_tfapi_nn_functions[] = {
    { NULL, NULL, NULL, 0 },
};
