/* api_data.c — what a training script needs beyond TensorFlow: data-set
 * loaders and minibatches (table tfg_tfapi_data_functions, names resolve
 * like tf.* ones), and the extra modules a script may import ("time"...).
 * Each builtin has a Python definition in tests/oracle/prelude.py. */
#include <string.h>
#include "api_tf.h"

const tfg_builtin tfg_tfapi_data_functions[] = {
    { NULL, NULL, NULL, 0 },
};

bool tfg_api_data_is_module(const char *path)
{
    (void)path;
    return false;
}

int tfg_api_data_module(tfg_eval *ev, const char *path, const char *name, tfg_val *out)
{
    (void)ev; (void)path; (void)name; (void)out;
    return 1;
}
