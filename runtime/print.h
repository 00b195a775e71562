/* print.h — numpy 2.x text formatting of tensors and Python repr of host numbers
 * (module prefix tfg_print_).
 *
 * Every function returns a malloc'd NUL-terminated string the caller frees
 * (NULL only when memory runs out). Output is byte-for-byte what numpy 2.x
 * prints with default print options (precision=8, threshold=1000, edgeitems=3,
 * linewidth=75, floatmode='maxprec', legacy=False).
 */
#ifndef TFG_PRINT_H
#define TFG_PRINT_H

#include "tensor.h"

/* str(a) of an ndarray: "[[12.]]", "[-2. -1.]", "[ True False]".
 * A rank-0 tensor formats as str() of the numpy scalar: "21.0", "3", "True". */
char *tfg_print_str(const tfg_tensor *t);
/* repr(a): "array([[12.]], dtype=float32)", "array([1, 2], dtype=int32)"
 * (dtype suffix omitted for float64, int64 and bool as numpy does);
 * rank 0 formats as repr() of the numpy scalar: "np.float32(21.0)",
 * "np.int32(3)", "np.True_". */
char *tfg_print_repr(const tfg_tensor *t);
/* Python repr of a float: shortest round-trip, "3.0", "0.1", "1e-05", "1e+16",
 * "inf", "nan". Writes into buf (at least 32 bytes). */
void tfg_print_pyfloat(double v, char *buf, size_t n);
/* JSON object {"dtype":"float32","shape":[1,1],"data":[[12.0]]}; floats as
 * shortest round-trip of their own width, NaN/Inf as strings "nan","inf","-inf". */
char *tfg_print_json(const tfg_tensor *t);

#endif
