/* io.c — tensor files: .npy, .npz (zip, stored or deflated), CSV and MNIST
 * idx (optionally gzipped), plus atomic .npy/.npz writers.
 *
 * Every reader checks sizes against what the file can actually hold before
 * allocating, so a lying header gives an error naming the path rather than a
 * crash or an absurd allocation.
 */
#include "runtime/io.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define NPY_MAX_HEADER (1u << 20)     /* numpy itself refuses more than 10000 by default */
#define DEFLATE_MAX_RATIO 1032u       /* deflate cannot expand better than this */

/* ------------------------------------------------------------------------ */
/* small helpers                                                            */

/* Little-endian 16-bit load. */
static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

/* Little-endian 32-bit load. */
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Little-endian 64-bit load. */
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* Big-endian 32-bit load. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Little-endian stores. */
static void put16(unsigned char *p, uint32_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
/* 32-bit little-endian store. */
static void put32(unsigned char *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* Reverses the bytes of each of n elements of size esz in place. */
static void byteswap(void *data, int64_t n, size_t esz)
{
    unsigned char *p = data;
    if (esz < 2) return;
    for (int64_t i = 0; i < n; i++, p += esz)
        for (size_t a = 0, b = esz - 1; a < b; a++, b--) {
            unsigned char c = p[a];
            p[a] = p[b];
            p[b] = c;
        }
}

/* Product of dims times esz, or -1 on overflow (also past INT64_MAX/2). */
static int64_t checked_bytes(int rank, const int64_t *shape, size_t esz, int64_t *count)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (shape[i] < 0 || __builtin_mul_overflow(n, shape[i], &n)) return -1;
    }
    int64_t b;
    if (__builtin_mul_overflow(n, (int64_t)esz, &b) || b > INT64_MAX / 2) return -1;
    if (count) *count = n;
    return b;
}

/* Writes "[2,3]" into buf. */
static void shape_text(int rank, const int64_t *shape, char *buf, size_t n)
{
    size_t pos = 0;
    pos += (size_t)snprintf(buf + pos, n - pos, "[");
    for (int i = 0; i < rank && pos < n; i++)
        pos += (size_t)snprintf(buf + pos, n - pos, "%s%lld", i ? "," : "", (long long)shape[i]);
    if (pos < n) snprintf(buf + pos, n - pos, "]");
}

/* Size of an open file, or -1. */
static int64_t file_size(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    return (int64_t)st.st_size;
}

/* Opens path for reading with a clear error. */
static FILE *open_read(const char *path, tfg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        tfg_error_set(err, "Cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        tfg_error_set(err, "Cannot read '%s': it is a directory", path);
        return NULL;
    }
    return f;
}

/* Maps numpy's dtype kind+size (after the byte-order char) to tfg. */
static int dtype_from_code(const char *code, tfg_dtype *dt)
{
    static const struct { const char *c; tfg_dtype dt; } map[] = {
        {"f4", TFG_FLOAT32}, {"f8", TFG_FLOAT64}, {"i4", TFG_INT32},
        {"i8", TFG_INT64},   {"b1", TFG_BOOL},    {"u1", TFG_UINT8},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(code, map[i].c) == 0) { *dt = map[i].dt; return 0; }
    return -1;
}

/* numpy's descr string for a tfg dtype. */
static const char *descr_of(tfg_dtype dt)
{
    switch (dt) {
    case TFG_FLOAT32: return "<f4";
    case TFG_FLOAT64: return "<f8";
    case TFG_INT32: return "<i4";
    case TFG_INT64: return "<i8";
    case TFG_BOOL: return "|b1";
    case TFG_UINT8: return "|u1";
    default: return NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* byte sources: a region of a file, or a deflate stream inside a file      */

typedef struct {
    FILE *fp;
    int inflate;             /* raw deflate stream */
    uint64_t in_left;        /* bytes of the file region not yet consumed */
    z_stream zs;
    int zinit, zdone;
    unsigned char *ibuf;
    uLong crc;               /* CRC-32 of the bytes delivered */
    uint64_t delivered;
    char msg[160];           /* why the last read failed */
} reader;

#define RD_CHUNK 65536

/* Starts a reader on the next `len` bytes of fp (stored or deflated). */
static int rd_init(reader *r, FILE *fp, uint64_t len, int deflated)
{
    memset(r, 0, sizeof *r);
    r->fp = fp;
    r->in_left = len;
    r->inflate = deflated;
    r->crc = crc32(0L, Z_NULL, 0);
    if (deflated) {
        r->ibuf = malloc(RD_CHUNK);
        if (!r->ibuf) return -1;
        if (inflateInit2(&r->zs, -MAX_WBITS) != Z_OK) { free(r->ibuf); r->ibuf = NULL; return -1; }
        r->zinit = 1;
    }
    return 0;
}

/* Releases the reader's zlib state. */
static void rd_done(reader *r)
{
    if (r->zinit) inflateEnd(&r->zs);
    free(r->ibuf);
    r->zinit = 0;
    r->ibuf = NULL;
}

/* Reads up to n bytes; returns the count (short only at the end of the
 * data) or -1 with r->msg set. */
static int64_t rd_read(reader *r, void *buf, size_t n)
{
    unsigned char *out = buf;
    size_t got = 0;
    if (!r->inflate) {
        while (got < n && r->in_left > 0) {
            size_t want = n - got;
            if (want > r->in_left) want = (size_t)r->in_left;
            size_t k = fread(out + got, 1, want, r->fp);
            if (k == 0) {
                if (ferror(r->fp)) {
                    snprintf(r->msg, sizeof r->msg, "read error: %s", strerror(errno));
                    return -1;
                }
                r->in_left = 0;   /* file shorter than it said */
                break;
            }
            got += k;
            r->in_left -= k;
        }
    } else {
        while (got < n && !r->zdone) {
            if (r->zs.avail_in == 0 && r->in_left > 0) {
                size_t want = r->in_left < RD_CHUNK ? (size_t)r->in_left : RD_CHUNK;
                size_t k = fread(r->ibuf, 1, want, r->fp);
                if (k == 0) {
                    snprintf(r->msg, sizeof r->msg, "%s",
                             ferror(r->fp) ? strerror(errno) : "compressed data is truncated");
                    return -1;
                }
                r->in_left -= k;
                r->zs.next_in = r->ibuf;
                r->zs.avail_in = (uInt)k;
            }
            size_t step = n - got;
            if (step > (1u << 30)) step = 1u << 30;
            r->zs.next_out = out + got;
            r->zs.avail_out = (uInt)step;
            int rc = inflate(&r->zs, Z_NO_FLUSH);
            got += step - r->zs.avail_out;
            if (rc == Z_STREAM_END) { r->zdone = 1; break; }
            if (rc == Z_BUF_ERROR && r->zs.avail_in == 0 && r->in_left == 0) {
                snprintf(r->msg, sizeof r->msg, "compressed data is truncated");
                return -1;
            }
            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                snprintf(r->msg, sizeof r->msg, "corrupt compressed data (%s)",
                         r->zs.msg ? r->zs.msg : zError(rc));
                return -1;
            }
        }
    }
    r->crc = crc32_z(r->crc, out, got);
    r->delivered += got;
    return (int64_t)got;
}

/* ------------------------------------------------------------------------ */
/* .npy                                                                     */

typedef struct {
    char descr[16];
    int have_descr, have_order, have_shape;
    int fortran;
    int rank;
    int64_t shape[TFG_MAX_RANK];
} npy_header;

/* Skips spaces in the header text. */
static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Parses a quoted Python string into out; returns the position after it. */
static const char *parse_pystr(const char *p, char *out, size_t n)
{
    char q = *p;
    if (q != '\'' && q != '"') return NULL;
    p++;
    size_t k = 0;
    while (*p && *p != q) {
        if (k + 1 < n) out[k++] = *p;
        else return NULL;
        p++;
    }
    if (*p != q) return NULL;
    out[k] = '\0';
    return p + 1;
}

/* Parses the header dict {'descr': ..., 'fortran_order': ..., 'shape': (...)};
 * returns NULL on success or a description of the problem. */
static const char *parse_npy_dict(const char *p, npy_header *h)
{
    memset(h, 0, sizeof *h);
    p = skip_ws(p);
    if (*p++ != '{') return "header is not a Python dict";
    for (;;) {
        p = skip_ws(p);
        if (*p == '}') break;
        char key[32];
        p = parse_pystr(p, key, sizeof key);
        if (!p) return "malformed key in header";
        p = skip_ws(p);
        if (*p++ != ':') return "missing ':' in header";
        p = skip_ws(p);
        if (strcmp(key, "descr") == 0) {
            p = parse_pystr(p, h->descr, sizeof h->descr);
            if (!p) return "'descr' is not a simple dtype string (structured dtypes are not supported)";
            h->have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (strncmp(p, "True", 4) == 0) { h->fortran = 1; p += 4; }
            else if (strncmp(p, "False", 5) == 0) { h->fortran = 0; p += 5; }
            else return "'fortran_order' is not True or False";
            h->have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (*p++ != '(') return "'shape' is not a tuple";
            h->rank = 0;
            for (;;) {
                p = skip_ws(p);
                if (*p == ')') { p++; break; }
                if (!isdigit((unsigned char)*p)) return "'shape' holds something other than non-negative integers";
                if (h->rank >= TFG_MAX_RANK) return "'shape' has more than 8 dimensions";
                errno = 0;
                char *end;
                unsigned long long v = strtoull(p, &end, 10);
                if (errno || v > (unsigned long long)INT64_MAX) return "a dimension in 'shape' is too large";
                p = end;
                if (*p == 'L') p++;
                h->shape[h->rank++] = (int64_t)v;
                p = skip_ws(p);
                if (*p == ',') p++;
                else if (*p != ')') return "malformed 'shape' tuple";
            }
            h->have_shape = 1;
        } else {
            return "unknown key in header";
        }
        p = skip_ws(p);
        if (*p == ',') p++;
        else if (*p != '}') return "malformed header dict";
    }
    if (!h->have_descr || !h->have_order || !h->have_shape)
        return "header lacks 'descr', 'fortran_order' or 'shape'";
    return NULL;
}

/* Rearranges Fortran-ordered data into C order (returns -1 when out of memory). */
static int fortran_to_c(tfg_tensor *t)
{
    if (t->rank < 2 || t->size < 2) return 0;
    size_t esz = tfg_dtype_size(t->dtype);
    unsigned char *src = malloc((size_t)t->size * esz);
    if (!src) return -1;
    memcpy(src, t->data, (size_t)t->size * esz);
    int64_t fstride[TFG_MAX_RANK], ctr[TFG_MAX_RANK] = {0};
    int64_t s = 1;
    for (int a = 0; a < t->rank; a++) { fstride[a] = s; s *= t->shape[a]; }
    unsigned char *dst = t->data;
    int64_t off = 0;
    for (int64_t i = 0; i < t->size; i++) {
        memcpy(dst + (size_t)i * esz, src + (size_t)off * esz, esz);
        for (int a = t->rank - 1; a >= 0; a--) {
            ctr[a]++;
            off += fstride[a];
            if (ctr[a] < t->shape[a]) break;
            off -= fstride[a] * t->shape[a];
            ctr[a] = 0;
        }
    }
    free(src);
    return 0;
}

/* Reads one .npy stream of `total` bytes from r; label names it in messages
 * (e.g. "'x.npy'" or "member 'w.npy' of 'f.npz'"). */
static int npy_parse(reader *r, uint64_t total, const char *label, tfg_tensor **out,
                     tfg_error *err)
{
    unsigned char pre[12];
    int64_t k = rd_read(r, pre, 8);
    if (k < 0) return tfg_error_set(err, "Cannot read %s: %s", label, r->msg);
    if (k == 0) return tfg_error_set(err, "%s is empty, not a .npy file", label);
    if (k < 8 && memcmp(pre, "\x93NUMPY", k < 6 ? (size_t)k : 6) == 0)
        return tfg_error_set(err, "%s is truncated in its header", label);
    if (memcmp(pre, "\x93NUMPY", 6) != 0)
        return tfg_error_set(err, "%s is not a .npy file (bad magic bytes)", label);
    int major = pre[6];
    uint32_t hlen;
    size_t plen;
    if (major == 1) {
        if (rd_read(r, pre + 8, 2) != 2)
            return tfg_error_set(err, "%s is truncated in its header", label);
        hlen = le16(pre + 8);
        plen = 10;
    } else if (major == 2 || major == 3) {
        if (rd_read(r, pre + 8, 4) != 4)
            return tfg_error_set(err, "%s is truncated in its header", label);
        hlen = le32(pre + 8);
        plen = 12;
    } else {
        return tfg_error_set(err, "%s has .npy format version %d.%d, which is not supported",
                             label, major, pre[7]);
    }
    if (hlen > NPY_MAX_HEADER || plen + hlen > total)
        return tfg_error_set(err, "%s is truncated or corrupt: header length %u does not fit "
                                  "in the file", label, hlen);
    char *htext = malloc(hlen + 1);
    if (!htext) return tfg_error_set(err, "Out of memory reading %s", label);
    k = rd_read(r, htext, hlen);
    if (k != (int64_t)hlen) {
        free(htext);
        return tfg_error_set(err, "%s is truncated in its header%s%s", label, k < 0 ? ": " : "",
                             k < 0 ? r->msg : "");
    }
    htext[hlen] = '\0';
    if (strlen(htext) != hlen) {
        free(htext);
        return tfg_error_set(err, "%s has a NUL byte in its header", label);
    }
    npy_header h;
    const char *why = parse_npy_dict(htext, &h);
    free(htext);
    if (why) return tfg_error_set(err, "%s has a malformed header: %s", label, why);

    char bo = h.descr[0];
    const char *code = h.descr + 1;
    if (bo != '<' && bo != '>' && bo != '|' && bo != '=') { bo = '='; code = h.descr; }
    tfg_dtype dt;
    if (dtype_from_code(code, &dt) != 0)
        return tfg_error_set(err, "%s has dtype '%s', which is not supported (tfg reads float32 "
                                  "'<f4', float64 '<f8', int32 '<i4', int64 '<i8', bool '|b1' "
                                  "and uint8 '|u1')", label, h.descr);
    size_t esz = tfg_dtype_size(dt);
    int64_t count;
    int64_t nbytes = checked_bytes(h.rank, h.shape, esz, &count);
    char shp[256];
    shape_text(h.rank, h.shape, shp, sizeof shp);
    uint64_t avail = total - plen - hlen;
    if (nbytes < 0 || (uint64_t)nbytes > avail)
        return tfg_error_set(err, "%s is truncated or its header lies: shape %s of %s needs "
                                  "%s%lld bytes of data but only %llu follow the header",
                             label, shp, tfg_dtype_name(dt), nbytes < 0 ? "more than " : "",
                             nbytes < 0 ? (long long)INT64_MAX : (long long)nbytes,
                             (unsigned long long)avail);
    tfg_tensor *t = tfg_tensor_new(dt, h.rank, h.shape, err);
    if (!t) return -1;
    k = nbytes ? rd_read(r, t->data, (size_t)nbytes) : 0;
    if (k != nbytes) {
        tfg_tensor_unref(t);
        if (k < 0) return tfg_error_set(err, "Cannot read %s: %s", label, r->msg);
        return tfg_error_set(err, "%s is truncated: shape %s of %s needs %lld bytes of data, "
                                  "only %lld present", label, shp, tfg_dtype_name(dt),
                             (long long)nbytes, (long long)k);
    }
    if (bo == '>') byteswap(t->data, count, esz);
    if (dt == TFG_BOOL) {
        unsigned char *b = t->data;
        for (int64_t i = 0; i < count; i++) b[i] = b[i] != 0;
    }
    if (h.fortran && fortran_to_c(t) != 0) {
        tfg_tensor_unref(t);
        return tfg_error_set(err, "Out of memory reordering Fortran-order data of %s", label);
    }
    *out = t;
    return 0;
}

/* Reads a .npy file (see io.h). */
int tfg_io_read_npy(const char *path, tfg_tensor **out, tfg_error *err)
{
    FILE *f = open_read(path, err);
    if (!f) return -1;
    int64_t size = file_size(f);
    char label[1100];
    snprintf(label, sizeof label, "'%s'", path);
    reader r;
    int rc;
    if (size < 0) rc = tfg_error_set(err, "Cannot read '%s': not a regular file", path);
    else if (rd_init(&r, f, (uint64_t)size, 0) != 0) rc = tfg_error_set(err, "Out of memory");
    else {
        rc = npy_parse(&r, (uint64_t)size, label, out, err);
        rd_done(&r);
    }
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* .npz                                                                     */

typedef struct {
    char *name;              /* member name as stored */
    uint32_t crc;
    uint64_t csize, usize, offset;
    int method, flags;
} zentry;

typedef struct {
    FILE *fp;
    int64_t size;
    zentry *e;
    int n;
} zipfile;

/* Frees the directory. */
static void zip_close(zipfile *z)
{
    for (int i = 0; i < z->n; i++) free(z->e[i].name);
    free(z->e);
    if (z->fp) fclose(z->fp);
    memset(z, 0, sizeof *z);
}

/* Reads exactly n bytes at offset off. */
static int pread_full(FILE *f, int64_t off, void *buf, size_t n)
{
    if (fseeko(f, off, SEEK_SET) != 0) return -1;
    return fread(buf, 1, n, f) == n ? 0 : -1;
}

/* Opens a zip and reads its central directory. */
static int zip_open(const char *path, zipfile *z, tfg_error *err)
{
    memset(z, 0, sizeof *z);
    z->fp = open_read(path, err);
    if (!z->fp) return -1;
    z->size = file_size(z->fp);
    if (z->size < 0) { zip_close(z); return tfg_error_set(err, "Cannot read '%s': not a regular file", path); }
    if (z->size < 22) {
        zip_close(z);
        return tfg_error_set(err, "'%s' is not an .npz file (too short to be a zip archive)", path);
    }
    size_t tail = z->size < 65557 ? (size_t)z->size : 65557;
    unsigned char *buf = malloc(tail);
    if (!buf) { zip_close(z); return tfg_error_set(err, "Out of memory reading '%s'", path); }
    if (pread_full(z->fp, z->size - (int64_t)tail, buf, tail) != 0) {
        free(buf);
        zip_close(z);
        return tfg_error_set(err, "Cannot read '%s': %s", path, strerror(errno));
    }
    int64_t eocd = -1;
    for (int64_t i = (int64_t)tail - 22; i >= 0; i--)
        if (memcmp(buf + i, "PK\5\6", 4) == 0) { eocd = i; break; }
    if (eocd < 0) {
        free(buf);
        zip_close(z);
        return tfg_error_set(err, "'%s' is not an .npz file (no zip end-of-directory record; "
                                  "truncated or not a zip)", path);
    }
    const unsigned char *e = buf + eocd;
    uint64_t nent = le16(e + 10), cdsize = le32(e + 12), cdoff = le32(e + 16);
    int64_t eocd_pos = z->size - (int64_t)tail + eocd;
    if ((nent == 0xffff || cdsize == 0xffffffffu || cdoff == 0xffffffffu) && eocd_pos >= 20) {
        unsigned char loc[20], rec[56];
        if (pread_full(z->fp, eocd_pos - 20, loc, 20) == 0 && memcmp(loc, "PK\6\7", 4) == 0) {
            uint64_t roff = le64(loc + 8);
            if (roff + 56 <= (uint64_t)z->size && pread_full(z->fp, (int64_t)roff, rec, 56) == 0 &&
                memcmp(rec, "PK\6\6", 4) == 0) {
                nent = le64(rec + 32);
                cdsize = le64(rec + 40);
                cdoff = le64(rec + 48);
            }
        }
    }
    free(buf);
    if (cdoff > (uint64_t)z->size || cdsize > (uint64_t)z->size - cdoff || nent > cdsize / 46) {
        zip_close(z);
        return tfg_error_set(err, "'%s' is a truncated or corrupt .npz file (its zip directory "
                                  "points outside the file)", path);
    }
    unsigned char *cd = malloc(cdsize ? cdsize : 1);
    z->e = calloc(nent ? nent : 1, sizeof *z->e);
    if (!cd || !z->e) {
        free(cd);
        zip_close(z);
        return tfg_error_set(err, "Out of memory reading '%s'", path);
    }
    if (pread_full(z->fp, (int64_t)cdoff, cd, cdsize) != 0) {
        free(cd);
        zip_close(z);
        return tfg_error_set(err, "Cannot read the zip directory of '%s'", path);
    }
    uint64_t pos = 0;
    for (uint64_t i = 0; i < nent; i++) {
        if (pos + 46 > cdsize || memcmp(cd + pos, "PK\1\2", 4) != 0) {
            free(cd);
            zip_close(z);
            return tfg_error_set(err, "'%s' is a corrupt .npz file (bad zip directory entry %llu)",
                                 path, (unsigned long long)i);
        }
        const unsigned char *c = cd + pos;
        uint32_t nlen = le16(c + 28), xlen = le16(c + 30), clen = le16(c + 32);
        if (pos + 46 + nlen + xlen + clen > cdsize) {
            free(cd);
            zip_close(z);
            return tfg_error_set(err, "'%s' is a corrupt .npz file (zip directory entry %llu "
                                      "overruns the directory)", path, (unsigned long long)i);
        }
        zentry *ze = &z->e[z->n];
        ze->flags = (int)le16(c + 8);
        ze->method = (int)le16(c + 10);
        ze->crc = le32(c + 16);
        ze->csize = le32(c + 20);
        ze->usize = le32(c + 24);
        ze->offset = le32(c + 42);
        const unsigned char *x = c + 46 + nlen, *xend = x + xlen;
        while (x + 4 <= xend) {
            uint32_t id = le16(x), len = le16(x + 2);
            const unsigned char *d = x + 4;
            if (d + len > xend) break;
            if (id == 1) {
                const unsigned char *q = d, *qe = d + len;
                if (ze->usize == 0xffffffffu && q + 8 <= qe) { ze->usize = le64(q); q += 8; }
                if (ze->csize == 0xffffffffu && q + 8 <= qe) { ze->csize = le64(q); q += 8; }
                if (ze->offset == 0xffffffffu && q + 8 <= qe) { ze->offset = le64(q); q += 8; }
            }
            x = d + len;
        }
        ze->name = malloc(nlen + 1);
        if (!ze->name) {
            free(cd);
            zip_close(z);
            return tfg_error_set(err, "Out of memory reading '%s'", path);
        }
        memcpy(ze->name, c + 46, nlen);
        ze->name[nlen] = '\0';
        z->n++;
        pos += 46 + nlen + xlen + clen;
    }
    free(cd);
    return 0;
}

/* Reads member e of zip z as a .npy array. */
static int zip_read_member(const char *path, zipfile *z, const zentry *e, tfg_tensor **out,
                           tfg_error *err)
{
    char label[1200];
    snprintf(label, sizeof label, "member '%s' of '%s'", e->name, path);
    if (e->flags & 1) return tfg_error_set(err, "Cannot read %s: it is encrypted", label);
    if (e->method != 0 && e->method != 8)
        return tfg_error_set(err, "Cannot read %s: zip compression method %d is not supported "
                                  "(only stored and deflated)", label, e->method);
    unsigned char lh[30];
    if (e->offset > (uint64_t)z->size - 30 || pread_full(z->fp, (int64_t)e->offset, lh, 30) != 0 ||
        memcmp(lh, "PK\3\4", 4) != 0)
        return tfg_error_set(err, "'%s' is a truncated or corrupt .npz file (no local header for "
                                  "member '%s')", path, e->name);
    uint64_t data = e->offset + 30 + le16(lh + 26) + le16(lh + 28);
    if (data > (uint64_t)z->size || e->csize > (uint64_t)z->size - data)
        return tfg_error_set(err, "'%s' is a truncated .npz file (member '%s' runs past the end)",
                             path, e->name);
    if (e->method == 0 && e->usize != e->csize)
        return tfg_error_set(err, "'%s' is a corrupt .npz file (stored member '%s' has two sizes)",
                             path, e->name);
    if (e->method == 8 && e->usize / DEFLATE_MAX_RATIO > e->csize + 1)
        return tfg_error_set(err, "'%s' is a corrupt .npz file (member '%s' claims %llu bytes from "
                                  "%llu compressed, more than deflate can produce)", path, e->name,
                             (unsigned long long)e->usize, (unsigned long long)e->csize);
    if (fseeko(z->fp, (int64_t)data, SEEK_SET) != 0)
        return tfg_error_set(err, "Cannot read '%s': %s", path, strerror(errno));
    reader r;
    if (rd_init(&r, z->fp, e->csize, e->method == 8) != 0)
        return tfg_error_set(err, "Out of memory reading '%s'", path);
    tfg_tensor *t = NULL;
    int rc = npy_parse(&r, e->usize, label, &t, err);
    if (rc == 0) {
        /* take the rest of the member so the CRC covers all of it */
        unsigned char sink[4096];
        int64_t k;
        while (r.delivered < e->usize &&
               (k = rd_read(&r, sink, e->usize - r.delivered < sizeof sink
                                          ? (size_t)(e->usize - r.delivered) : sizeof sink)) > 0) {
        }
        if (r.delivered != e->usize || r.crc != e->crc) {
            rc = tfg_error_set(err, "'%s' is a corrupt .npz file (member '%s' fails its CRC-32 "
                                    "or size check)", path, e->name);
        }
    }
    rd_done(&r);
    if (rc != 0) {
        tfg_tensor_unref(t);
        return -1;
    }
    *out = t;
    return 0;
}

/* Member name without a trailing ".npy". */
static void member_key(const char *name, char *key, size_t n)
{
    size_t l = strlen(name);
    if (l >= 4 && strcmp(name + l - 4, ".npy") == 0) l -= 4;
    if (l >= n) l = n - 1;
    memcpy(key, name, l);
    key[l] = '\0';
}

/* Reads one array of an .npz (see io.h). */
int tfg_io_read_npz(const char *path, const char *key, tfg_tensor **out, tfg_error *err)
{
    zipfile z;
    if (zip_open(path, &z, err) != 0) return -1;
    const zentry *hit = NULL;
    int rc;
    if (z.n == 0) {
        zip_close(&z);
        return tfg_error_set(err, "npz file '%s' holds no arrays", path);
    }
    if (!key) {
        if (z.n > 1) {
            zip_close(&z);
            return tfg_error_set(err, "npz file '%s' has several arrays; name one as %s:KEY",
                                 path, path);
        }
        hit = &z.e[0];
    } else {
        char want[512], k[512];
        member_key(key, want, sizeof want);
        for (int i = 0; i < z.n && !hit; i++) {
            member_key(z.e[i].name, k, sizeof k);
            if (strcmp(k, want) == 0) hit = &z.e[i];
        }
        if (!hit) {
            char list[600] = "";
            size_t pos = 0;
            for (int i = 0; i < z.n && pos < sizeof list - 8; i++) {
                member_key(z.e[i].name, k, sizeof k);
                pos += (size_t)snprintf(list + pos, sizeof list - pos, "%s%s", i ? ", " : "", k);
            }
            if (pos >= sizeof list - 8) strcpy(list + sizeof list - 8, ", ...");
            tfg_error_set(err, "npz file '%s' has no array '%s' (it has: %s)", path, want, list);
            zip_close(&z);
            return -1;
        }
    }
    rc = zip_read_member(path, &z, hit, out, err);
    zip_close(&z);
    return rc;
}

/* Reads every array of an .npz (see io.h). */
int tfg_io_read_npz_all(const char *path, char ***names, tfg_tensor ***tensors, int *n,
                        tfg_error *err)
{
    zipfile z;
    *names = NULL;
    *tensors = NULL;
    *n = 0;
    if (zip_open(path, &z, err) != 0) return -1;
    char **nm = calloc((size_t)z.n + 1, sizeof *nm);
    tfg_tensor **ts = calloc((size_t)z.n + 1, sizeof *ts);
    if (!nm || !ts) {
        free(nm);
        free(ts);
        zip_close(&z);
        return tfg_error_set(err, "Out of memory reading '%s'", path);
    }
    int cnt = 0;
    for (int i = 0; i < z.n; i++) {
        char k[512];
        member_key(z.e[i].name, k, sizeof k);
        nm[cnt] = strdup(k);
        if (!nm[cnt]) {
            tfg_io_free_list(nm, ts, cnt);
            zip_close(&z);
            return tfg_error_set(err, "Out of memory reading '%s'", path);
        }
        if (zip_read_member(path, &z, &z.e[i], &ts[cnt], err) != 0) {
            free(nm[cnt]);
            tfg_io_free_list(nm, ts, cnt);
            zip_close(&z);
            return -1;
        }
        cnt++;
    }
    zip_close(&z);
    *names = nm;
    *tensors = ts;
    *n = cnt;
    return 0;
}

/* Frees what tfg_io_read_npz_all returned. */
void tfg_io_free_list(char **names, tfg_tensor **tensors, int n)
{
    for (int i = 0; i < n; i++) {
        if (names) free(names[i]);
        if (tensors) tfg_tensor_unref(tensors[i]);
    }
    free(names);
    free(tensors);
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                      */

/* Reads a CSV of numbers as float64, rank 1 for one row else rank 2. */
int tfg_io_read_csv(const char *path, tfg_tensor **out, tfg_error *err)
{
    FILE *f = open_read(path, err);
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    double *vals = NULL;
    size_t nvals = 0, vcap = 0;
    int64_t ncols = -1, nrows = 0, lineno = 0;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *p = line;
        if (lineno == 1 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
            (unsigned char)p[2] == 0xbf)
            p += 3;   /* UTF-8 byte-order mark */
        if ((size_t)len != strlen(line)) {
            rc = tfg_error_set(err, "%s:%lld: NUL byte in a CSV file (is it binary?)", path,
                               (long long)lineno);
            break;
        }
        char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
        if (*q == '\0') continue;   /* blank line */
        int64_t cols = 0;
        for (;;) {
            char *end;
            while (*p == ' ' || *p == '\t') p++;
            errno = 0;
            double v = strtod(p, &end);
            char *after = end;
            while (*after == ' ' || *after == '\t') after++;
            if (end == p || (*after != ',' && *after != '\n' && *after != '\r' && *after != '\0')) {
                char field[40];
                size_t fl = strcspn(p, ",\r\n");
                snprintf(field, sizeof field, "%.*s%s", fl > 30 ? 30 : (int)fl, p,
                         fl > 30 ? "..." : "");
                rc = tfg_error_set(err, "%s:%lld: field %lld ('%s') is not a number", path,
                                   (long long)lineno, (long long)cols + 1, field);
                break;
            }
            if (nvals == vcap) {
                size_t nc = vcap ? vcap * 2 : 1024;
                double *nv = nc > SIZE_MAX / sizeof *nv ? NULL : realloc(vals, nc * sizeof *nv);
                if (!nv) { rc = tfg_error_set(err, "Out of memory reading '%s'", path); break; }
                vals = nv;
                vcap = nc;
            }
            vals[nvals++] = v;
            cols++;
            p = after;
            if (*p != ',') break;
            p++;
        }
        if (rc) break;
        if (ncols < 0) ncols = cols;
        else if (cols != ncols) {
            rc = tfg_error_set(err, "%s:%lld: row has %lld values but the first row has %lld",
                               path, (long long)lineno, (long long)cols, (long long)ncols);
            break;
        }
        nrows++;
    }
    if (!rc && ferror(f)) rc = tfg_error_set(err, "Cannot read '%s': %s", path, strerror(errno));
    if (!rc && nrows == 0) rc = tfg_error_set(err, "'%s' holds no numbers", path);
    free(line);
    fclose(f);
    if (!rc) {
        int64_t shape[2] = {nrows, ncols};
        tfg_tensor *t = nrows == 1 ? tfg_tensor_new(TFG_FLOAT64, 1, &ncols, err)
                                   : tfg_tensor_new(TFG_FLOAT64, 2, shape, err);
        if (!t) rc = -1;
        else {
            memcpy(t->data, vals, nvals * sizeof *vals);
            *out = t;
        }
    }
    free(vals);
    return rc ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* MNIST idx                                                                */

/* Reads exactly n bytes from a gz stream; returns the count or -1. */
static int64_t gz_read_full(gzFile g, void *buf, size_t n)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < n) {
        unsigned want = n - got > (1u << 30) ? (1u << 30) : (unsigned)(n - got);
        int k = gzread(g, p + got, want);
        if (k < 0) return -1;
        if (k == 0) break;
        got += (size_t)k;
    }
    return (int64_t)got;
}

/* The gz stream's error text without zlib's "PATH: " prefix. */
static const char *gz_why(gzFile g, const char *path)
{
    int e;
    const char *m = gzerror(g, &e);
    if (e == Z_OK || !m || !*m) return "unexpected end of data";
    size_t l = strlen(path);
    if (strncmp(m, path, l) == 0 && m[l] == ':' && m[l + 1] == ' ') m += l + 2;
    return m;
}

/* Reads an MNIST idx file, gzipped or not (see io.h). */
int tfg_io_read_idx(const char *path, tfg_tensor **out, tfg_error *err)
{
    FILE *f = open_read(path, err);
    if (!f) return -1;
    int64_t fsize = file_size(f);
    unsigned char mg[2] = {0, 0};
    size_t mk = fread(mg, 1, 2, f);
    fclose(f);
    if (fsize < 0) return tfg_error_set(err, "Cannot read '%s': not a regular file", path);
    int gz = mk == 2 && mg[0] == 0x1f && mg[1] == 0x8b;
    /* the most data the file can hold */
    uint64_t bound = gz ? (uint64_t)fsize * DEFLATE_MAX_RATIO + 1024 : (uint64_t)fsize;
    gzFile g = gzopen(path, "rb");
    if (!g) return tfg_error_set(err, "Cannot open '%s': %s", path, strerror(errno ? errno : ENOMEM));
    gzbuffer(g, 1 << 17);
    unsigned char hdr[4];
    int64_t k = gz_read_full(g, hdr, 4);
    int rc = 0;
    tfg_tensor *t = NULL;
    if (k < 0) {
        rc = tfg_error_set(err, "'%s' has corrupt gzip data (%s)", path, gz_why(g, path));
        goto done;
    }
    if (k != 4 || hdr[0] != 0 || hdr[1] != 0) {
        rc = tfg_error_set(err, "'%s' is not an MNIST idx file (%s)", path,
                           k == 0 ? "it is empty" : "bad magic bytes");
        goto done;
    }
    int type = hdr[2], rank = hdr[3];
    tfg_dtype dt;
    size_t fesz;
    switch (type) {
    case 0x08: dt = TFG_UINT8; fesz = 1; break;
    case 0x09: dt = TFG_INT32; fesz = 1; break;
    case 0x0B: dt = TFG_INT32; fesz = 2; break;
    case 0x0C: dt = TFG_INT32; fesz = 4; break;
    case 0x0D: dt = TFG_FLOAT32; fesz = 4; break;
    case 0x0E: dt = TFG_FLOAT64; fesz = 8; break;
    default:
        rc = tfg_error_set(err, "'%s' is not an MNIST idx file (unknown element type 0x%02x)",
                           path, type);
        goto done;
    }
    if (rank > TFG_MAX_RANK) {
        rc = tfg_error_set(err, "'%s' has %d dimensions; at most %d are supported", path, rank,
                           TFG_MAX_RANK);
        goto done;
    }
    unsigned char dims[4 * TFG_MAX_RANK];
    k = rank ? gz_read_full(g, dims, (size_t)(4 * rank)) : 0;
    if (k != 4 * rank) {
        rc = tfg_error_set(err, "'%s' is truncated in its header (%s)", path,
                           k < 0 ? gz_why(g, path) : "dimensions missing");
        goto done;
    }
    int64_t shape[TFG_MAX_RANK];
    for (int i = 0; i < rank; i++) shape[i] = be32(dims + 4 * i);
    int64_t count;
    int64_t nbytes = checked_bytes(rank, shape, fesz, &count);
    char shp[256];
    shape_text(rank, shape, shp, sizeof shp);
    uint64_t hbytes = 4 + 4 * (uint64_t)rank;
    if (nbytes < 0 || (uint64_t)nbytes > bound - (bound > hbytes ? hbytes : bound)) {
        rc = tfg_error_set(err, "'%s' is truncated or its header lies: shape %s needs %s%lld "
                                "bytes of data, more than the file can hold", path, shp,
                           nbytes < 0 ? "over " : "", nbytes < 0 ? (long long)INT64_MAX
                                                                 : (long long)nbytes);
        goto done;
    }
    t = tfg_tensor_new(dt, rank, shape, err);
    if (!t) { rc = -1; goto done; }
    if (fesz == tfg_dtype_size(dt)) {
        k = nbytes ? gz_read_full(g, t->data, (size_t)nbytes) : 0;
        if (k != nbytes) goto short_read;
        if (fesz > 1) byteswap(t->data, count, fesz);
    } else {
        /* widen 8/16-bit signed payloads to int32 in chunks */
        unsigned char buf[8192];
        int32_t *dst = t->data;
        int64_t done_n = 0;
        while (done_n < count) {
            int64_t m = count - done_n;
            if (m > (int64_t)(sizeof buf / fesz)) m = (int64_t)(sizeof buf / fesz);
            k = gz_read_full(g, buf, (size_t)m * fesz);
            if (k != m * (int64_t)fesz) goto short_read;
            for (int64_t i = 0; i < m; i++)
                dst[done_n + i] = fesz == 1 ? (int32_t)(int8_t)buf[i]
                                            : (int32_t)(int16_t)(buf[2 * i] << 8 | buf[2 * i + 1]);
            done_n += m;
        }
    }
    *out = t;
    t = NULL;
    goto done;
short_read:
    rc = tfg_error_set(err, "'%s' is truncated: shape %s needs %lld bytes of data (%s)", path, shp,
                       (long long)nbytes, k < 0 ? gz_why(g, path) : "the file ends early");
done:
    tfg_tensor_unref(t);
    gzclose(g);
    return rc ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* dispatch                                                                 */

/* True when s ends with suffix (ASCII case-insensitive). */
static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Loads PATH or PATH.npz:KEY, choosing the reader by name or magic bytes. */
int tfg_io_load(const char *spec, tfg_tensor **out, tfg_error *err)
{
    if (!spec || !*spec) return tfg_error_set(err, "Empty file name");
    /* PATH.npz:KEY */
    const char *npz = NULL;
    for (const char *p = spec; (p = strstr(p, ".npz:")) != NULL; p++) npz = p;
    if (!npz) {
        for (const char *p = spec; (p = strcasestr(p, ".npz:")) != NULL; p++) npz = p;
    }
    if (npz) {
        size_t l = (size_t)(npz - spec) + 4;
        char *path = malloc(l + 1);
        if (!path) return tfg_error_set(err, "Out of memory");
        memcpy(path, spec, l);
        path[l] = '\0';
        int rc = tfg_io_read_npz(path, npz[5] ? npz + 5 : NULL, out, err);
        free(path);
        return rc;
    }
    if (ends_with(spec, ".npy")) return tfg_io_read_npy(spec, out, err);
    if (ends_with(spec, ".npz")) return tfg_io_read_npz(spec, NULL, out, err);
    if (ends_with(spec, ".csv")) return tfg_io_read_csv(spec, out, err);
    const char *base = strrchr(spec, '/');
    base = base ? base + 1 : spec;
    if (strstr(base, "idx") || strstr(base, "IDX")) return tfg_io_read_idx(spec, out, err);
    /* anything else: look at the first bytes */
    FILE *f = open_read(spec, err);
    if (!f) return -1;
    unsigned char m[6] = {0};
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    if (n >= 6 && memcmp(m, "\x93NUMPY", 6) == 0) return tfg_io_read_npy(spec, out, err);
    if (n >= 4 && (memcmp(m, "PK\3\4", 4) == 0 || memcmp(m, "PK\5\6", 4) == 0))
        return tfg_io_read_npz(spec, NULL, out, err);
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return tfg_io_read_idx(spec, out, err);
    if (n >= 4 && m[0] == 0 && m[1] == 0 && m[2] >= 0x08 && m[2] <= 0x0E)
        return tfg_io_read_idx(spec, out, err);
    if (n == 0) return tfg_error_set(err, "'%s' is empty", spec);
    int text = 1;
    for (size_t i = 0; i < n; i++)
        if (m[i] == 0 || (m[i] < 0x20 && !isspace(m[i]))) text = 0;
    if (text) return tfg_io_read_csv(spec, out, err);
    return tfg_error_set(err, "Cannot tell the format of '%s' (expected .npy, .npz, .csv or an "
                              "MNIST idx file)", spec);
}

/* ------------------------------------------------------------------------ */
/* writers                                                                  */

/* Builds numpy's v1.0 .npy header for t into hdr (at least 256 bytes);
 * returns its length (a multiple of 64) or -1. */
static int npy_header_bytes(const tfg_tensor *t, unsigned char *hdr, size_t cap)
{
    const char *descr = descr_of(t->dtype);
    if (!descr || t->rank < 0 || t->rank > TFG_MAX_RANK) return -1;
    char dict[400];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int i = 0; i < t->rank; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%lld", i ? ", " : "",
                      (long long)t->shape[i]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", t->rank == 1 ? "," : "");
    if (t->rank > 0) {
        /* numpy leaves room to grow the first axis in place */
        char d0[32];
        int l0 = snprintf(d0, sizeof d0, "%lld", (long long)t->shape[0]);
        for (int i = l0; i < 21; i++) dict[n++] = ' ';
    }
    int hlen = n + 1;
    int pad = 64 - ((10 + hlen) % 64);
    int total = 10 + hlen + pad;
    if ((size_t)total > cap || hlen + pad > 65535) return -1;
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    put16(hdr + 8, (uint32_t)(hlen + pad));
    memcpy(hdr + 10, dict, (size_t)n);
    memset(hdr + 10 + n, ' ', (size_t)pad);
    hdr[total - 1] = '\n';
    return total;
}

/* The .npy bytes of t in a malloc'd buffer (see io.h). */
int tfg_io_npy_bytes(const tfg_tensor *t, unsigned char **buf, size_t *len, tfg_error *err)
{
    unsigned char hdr[512];
    int hl = npy_header_bytes(t, hdr, sizeof hdr);
    if (hl < 0) return tfg_error_set(err, "Cannot write a .npy header for this tensor");
    size_t nbytes = (size_t)t->size * tfg_dtype_size(t->dtype);
    unsigned char *b = malloc((size_t)hl + nbytes);
    if (!b) return tfg_error_set(err, "Out of memory building .npy bytes");
    memcpy(b, hdr, (size_t)hl);
    if (nbytes) memcpy(b + hl, t->data, nbytes);
    *buf = b;
    *len = (size_t)hl + nbytes;
    return 0;
}

typedef struct {
    int fd;
    char *tmp;
    const char *path;
} atomic_file;

/* Creates PATH.tmp.XXXXXX next to path, with the mode a new file would get. */
static int af_open(atomic_file *a, const char *path, tfg_error *err)
{
    a->path = path;
    a->fd = -1;
    size_t l = strlen(path);
    a->tmp = malloc(l + 12);
    if (!a->tmp) return tfg_error_set(err, "Out of memory writing '%s'", path);
    memcpy(a->tmp, path, l);
    memcpy(a->tmp + l, ".tmp.XXXXXX", 12);
    a->fd = mkstemp(a->tmp);
    if (a->fd < 0) {
        int e = errno;
        free(a->tmp);
        a->tmp = NULL;
        return tfg_error_set(err, "Cannot write '%s': %s", path, strerror(e));
    }
    mode_t um = umask(0);
    umask(um);
    (void)fchmod(a->fd, 0666 & ~um);
    return 0;
}

/* Writes all n bytes to the temporary file. */
static int af_write(atomic_file *a, const void *buf, size_t n, tfg_error *err)
{
    const unsigned char *p = buf;
    while (n > 0) {
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        ssize_t k = write(a->fd, p, chunk);
        if (k < 0) {
            if (errno == EINTR) continue;
            return tfg_error_set(err, "Cannot write '%s': %s", a->path, strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Drops the temporary file. */
static void af_abort(atomic_file *a)
{
    if (a->fd >= 0) close(a->fd);
    if (a->tmp) {
        unlink(a->tmp);
        free(a->tmp);
    }
    a->fd = -1;
    a->tmp = NULL;
}

/* fsyncs, closes and renames the temporary file over the target. */
static int af_commit(atomic_file *a, tfg_error *err)
{
    if (fsync(a->fd) != 0) {
        int e = errno;
        af_abort(a);
        return tfg_error_set(err, "Cannot write '%s': %s", a->path, strerror(e));
    }
    int fd = a->fd;
    a->fd = -1;
    if (close(fd) != 0) {
        int e = errno;
        af_abort(a);
        return tfg_error_set(err, "Cannot write '%s': %s", a->path, strerror(e));
    }
    if (rename(a->tmp, a->path) != 0) {
        int e = errno;
        af_abort(a);
        return tfg_error_set(err, "Cannot write '%s': %s", a->path, strerror(e));
    }
    /* make the rename itself durable */
    char *dir = strdup(a->path);
    if (dir) {
        char *slash = strrchr(dir, '/');
        const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
        int dfd = open(d, O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    free(a->tmp);
    a->tmp = NULL;
    return 0;
}

/* Writes t as a .npy file, atomically. */
int tfg_io_write_npy(const char *path, const tfg_tensor *t, tfg_error *err)
{
    unsigned char hdr[512];
    int hl = npy_header_bytes(t, hdr, sizeof hdr);
    if (hl < 0) return tfg_error_set(err, "Cannot write '%s': unsupported tensor", path);
    atomic_file a;
    if (af_open(&a, path, err) != 0) return -1;
    size_t nbytes = (size_t)t->size * tfg_dtype_size(t->dtype);
    if (af_write(&a, hdr, (size_t)hl, err) != 0 ||
        (nbytes && af_write(&a, t->data, nbytes, err) != 0)) {
        af_abort(&a);
        return -1;
    }
    return af_commit(&a, err);
}

/* Writes a stored .npz of NAME.npy members, atomically. */
int tfg_io_write_npz(const char *path, const char *const *names, const tfg_tensor *const *tensors,
                     int n, tfg_error *err)
{
    if (n < 0 || n > 65535) return tfg_error_set(err, "Cannot write '%s': %d arrays is too many for a zip", path, n);
    unsigned char *cd = NULL;
    size_t cdlen = 0, cdcap = 0;
    uint64_t off = 0;
    atomic_file a;
    for (int i = 0; i < n; i++) {
        if (!names[i] || !names[i][0] || strlen(names[i]) > 60000)
            return tfg_error_set(err, "Cannot write '%s': array %d has no usable name", path, i);
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return tfg_error_set(err, "Cannot write '%s': the name '%s' is used twice", path,
                                     names[i]);
    }
    if (af_open(&a, path, err) != 0) return -1;
    for (int i = 0; i < n; i++) {
        const tfg_tensor *t = tensors[i];
        unsigned char hdr[512];
        int hl = npy_header_bytes(t, hdr, sizeof hdr);
        if (hl < 0) { tfg_error_set(err, "Cannot write '%s': unsupported tensor '%s'", path, names[i]); goto fail; }
        uint64_t nbytes = (uint64_t)t->size * tfg_dtype_size(t->dtype);
        uint64_t msize = (uint64_t)hl + nbytes;
        size_t nlen = strlen(names[i]) + 4;
        if (msize >= 0xffffffffu || off >= 0xffffffffu) {
            tfg_error_set(err, "Cannot write '%s': array '%s' is too large for a zip without "
                               "zip64 (4 GiB)", path, names[i]);
            goto fail;
        }
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32_z(crc, hdr, (size_t)hl);
        if (nbytes) crc = crc32_z(crc, t->data, (size_t)nbytes);
        unsigned char lh[30];
        put32(lh, 0x04034b50u);
        put16(lh + 4, 20);          /* version needed */
        put16(lh + 6, 0);           /* flags */
        put16(lh + 8, 0);           /* stored */
        put16(lh + 10, 0);          /* time 00:00 */
        put16(lh + 12, 0x21);       /* date 1980-01-01 */
        put32(lh + 14, (uint32_t)crc);
        put32(lh + 18, (uint32_t)msize);
        put32(lh + 22, (uint32_t)msize);
        put16(lh + 26, (uint32_t)nlen);
        put16(lh + 28, 0);
        char *mname = malloc(nlen + 1);
        if (!mname) { tfg_error_set(err, "Out of memory writing '%s'", path); goto fail; }
        snprintf(mname, nlen + 1, "%s.npy", names[i]);
        int werr = af_write(&a, lh, 30, err) || af_write(&a, mname, nlen, err) ||
                   af_write(&a, hdr, (size_t)hl, err) ||
                   (nbytes && af_write(&a, t->data, (size_t)nbytes, err));
        if (!werr && cdlen + 46 + nlen > cdcap) {
            size_t nc = (cdcap + 46 + nlen) * 2;
            unsigned char *ncd = realloc(cd, nc);
            if (!ncd) { tfg_error_set(err, "Out of memory writing '%s'", path); werr = 1; }
            else { cd = ncd; cdcap = nc; }
        }
        if (werr) { free(mname); goto fail; }
        unsigned char *c = cd + cdlen;
        put32(c, 0x02014b50u);
        put16(c + 4, 0x0314);       /* made by: unix, 2.0 */
        memcpy(c + 6, lh + 4, 26);  /* version needed .. name length */
        put16(c + 30, 0);           /* extra */
        put16(c + 32, 0);           /* comment */
        put16(c + 34, 0);           /* disk */
        put16(c + 36, 0);           /* internal attributes */
        put32(c + 38, 0644u << 16); /* external attributes: -rw-r--r-- */
        put32(c + 42, (uint32_t)off);
        memcpy(c + 46, mname, nlen);
        cdlen += 46 + nlen;
        free(mname);
        off += 30 + nlen + msize;
    }
    if (off >= 0xffffffffu || cdlen >= 0xffffffffu) {
        tfg_error_set(err, "Cannot write '%s': too large for a zip without zip64 (4 GiB)", path);
        goto fail;
    }
    unsigned char eocd[22];
    put32(eocd, 0x06054b50u);
    put16(eocd + 4, 0);
    put16(eocd + 6, 0);
    put16(eocd + 8, (uint32_t)n);
    put16(eocd + 10, (uint32_t)n);
    put32(eocd + 12, (uint32_t)cdlen);
    put32(eocd + 16, (uint32_t)off);
    put16(eocd + 20, 0);
    if ((cdlen && af_write(&a, cd, cdlen, err) != 0) || af_write(&a, eocd, 22, err) != 0) goto fail;
    free(cd);
    return af_commit(&a, err);
fail:
    free(cd);
    af_abort(&a);
    return -1;
}
