/* io.h — reading and writing tensor files (module prefix tfg_io_).
 *
 * Formats: .npy (v1/v2/v3 headers, little-endian, C order; dtypes of tensor.h),
 * .npz (zip of .npy members, stored or deflated, read with zlib), .csv (numbers
 * separated by commas, one row a line; rank 2, or rank 1 for a single column
 * or a single row? no: a single line gives rank 1, several lines rank 2),
 * MNIST idx (ubyte/int/float/double payloads, big-endian header, optionally
 * gzipped: gzip is detected by magic bytes, not by name).
 * Loaders return one new tensor reference (see tensor.h); every failure —
 * missing file, truncated data, a header that lies about the size, unsupported
 * dtype, sizes that cannot be allocated — is -1 with a message naming the path.
 * Writers are atomic: they write PATH.tmp.XXXXXX in the same folder, fsync,
 * and rename over PATH, so PATH is either the old file or the whole new one.
 */
#ifndef TFG_IO_H
#define TFG_IO_H

#include "tensor.h"

int tfg_io_read_npy(const char *path, tfg_tensor **out, tfg_error *err);
/* key may be given with or without ".npy"; NULL takes the only member (error
 * if several: "npz file 'f.npz' has several arrays; name one as f.npz:KEY"). */
int tfg_io_read_npz(const char *path, const char *key, tfg_tensor **out, tfg_error *err);
/* All members of an npz: names (without .npy) and tensors, caller frees with
 * tfg_io_free_list. */
int tfg_io_read_npz_all(const char *path, char ***names, tfg_tensor ***tensors, int *n,
                        tfg_error *err);
void tfg_io_free_list(char **names, tfg_tensor **tensors, int n);
/* CSV of numbers read as float64 (the caller casts). */
int tfg_io_read_csv(const char *path, tfg_tensor **out, tfg_error *err);
/* idx (MNIST): ubyte -> TFG_UINT8, int -> TFG_INT32, float -> TFG_FLOAT32, double -> TFG_FLOAT64. */
int tfg_io_read_idx(const char *path, tfg_tensor **out, tfg_error *err);
/* Dispatch on the spec "PATH" or "PATH.npz:KEY" by extension (.npy .npz .csv,
 * idx names such as train-images-idx3-ubyte[.gz]; anything else by magic bytes). */
int tfg_io_load(const char *spec, tfg_tensor **out, tfg_error *err);

int tfg_io_write_npy(const char *path, const tfg_tensor *t, tfg_error *err);
/* Stored (uncompressed) zip, members NAME.npy, as numpy.savez writes. */
int tfg_io_write_npz(const char *path, const char *const *names, const tfg_tensor *const *tensors,
                     int n, tfg_error *err);
/* The .npy bytes of t (header + data) in a malloc'd buffer; used by -o and npz. */
int tfg_io_npy_bytes(const tfg_tensor *t, unsigned char **buf, size_t *len, tfg_error *err);

#endif
