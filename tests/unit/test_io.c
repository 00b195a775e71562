/* test_io.c — .npy/.npz/CSV/idx readers and the atomic writers: round trips,
 * numpy-written fixtures (tests/unit/data, made by gen_io_fixtures.py) and
 * corrupt files that must fail cleanly with a message naming the path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/io.h"
#include "runtime/tensor.h"

static char g_data[1024];    /* fixture folder */
static char g_tmp[256];      /* scratch folder for written files */

/* Finds the fixture folder (repository root or next to this source file). */
static int find_data(void)
{
    const char *env = getenv("TFG_TEST_DATA");
    struct stat st;
    if (env && stat(env, &st) == 0) { snprintf(g_data, sizeof g_data, "%s", env); return 0; }
    if (stat("tests/unit/data/ok.csv", &st) == 0) { snprintf(g_data, sizeof g_data, "tests/unit/data"); return 0; }
    const char *src = __FILE__, *slash = strrchr(src, '/');
    if (slash) {
        snprintf(g_data, sizeof g_data, "%.*s/data", (int)(slash - src), src);
        char p[1100];
        snprintf(p, sizeof p, "%s/ok.csv", g_data);
        if (stat(p, &st) == 0) return 0;
    }
    return -1;
}

/* Path of fixture `name` (static buffer rotation of 4). */
static const char *fx(const char *name)
{
    static char bufs[4][1200];
    static int k;
    char *b = bufs[k++ % 4];
    snprintf(b, 1200, "%s/%s", g_data, name);
    return b;
}

/* Path of scratch file `name`. */
static const char *tmpf(const char *name)
{
    static char bufs[4][600];
    static int k;
    char *b = bufs[k++ % 4];
    snprintf(b, 600, "%s/%s", g_tmp, name);
    return b;
}

/* Group setup: locate fixtures, make a scratch folder. */
static int setup(void **state)
{
    (void)state;
    if (find_data() != 0) { fprintf(stderr, "test_io: fixtures not found\n"); return -1; }
    snprintf(g_tmp, sizeof g_tmp, "/tmp/tfg_test_io_XXXXXX");
    return mkdtemp(g_tmp) ? 0 : -1;
}

/* Group teardown: remove the scratch folder and its files. */
static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(g_tmp);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char p[900];
            snprintf(p, sizeof p, "%s/%s", g_tmp, e->d_name);
            if (remove(p) != 0) rmdir(p);
        }
        closedir(d);
    }
    rmdir(g_tmp);
    return 0;
}

static const int64_t SHAPES[5][4] = {{0}, {5}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}};
static const char *CODES[6] = {"f4", "f8", "i4", "i8", "b1", "u1"};
static const tfg_dtype DTS[6] = {TFG_FLOAT32, TFG_FLOAT64, TFG_INT32, TFG_INT64, TFG_BOOL, TFG_UINT8};

/* The fixture formula for flat index i (see gen_io_fixtures.py). */
static double formula(tfg_dtype dt, int64_t i)
{
    switch (dt) {
    case TFG_FLOAT32:
    case TFG_FLOAT64: return (double)i * 0.5 - 3;
    case TFG_INT32:
    case TFG_INT64: return (double)(i * 7 - 20);
    case TFG_UINT8: return (double)((i * 37) % 256);
    default: return i % 3 == 0;
    }
}

/* Element i as double. */
static double get(const tfg_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case TFG_FLOAT32: return ((const float *)t->data)[i];
    case TFG_FLOAT64: return ((const double *)t->data)[i];
    case TFG_INT32: return ((const int32_t *)t->data)[i];
    case TFG_INT64: return (double)((const int64_t *)t->data)[i];
    default: return ((const uint8_t *)t->data)[i];
    }
}

/* A tensor filled by the formula. */
static tfg_tensor *make_formula(tfg_dtype dt, int rank, const int64_t *shape)
{
    tfg_error err;
    tfg_tensor *t = tfg_tensor_new(dt, rank, shape, &err);
    assert_non_null(t);
    for (int64_t i = 0; i < t->size; i++) {
        double v = formula(dt, i);
        switch (dt) {
        case TFG_FLOAT32: ((float *)t->data)[i] = (float)v; break;
        case TFG_FLOAT64: ((double *)t->data)[i] = v; break;
        case TFG_INT32: ((int32_t *)t->data)[i] = (int32_t)v; break;
        case TFG_INT64: ((int64_t *)t->data)[i] = (int64_t)v; break;
        default: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
        }
    }
    return t;
}

/* Checks dtype, shape and formula contents. */
static void check_formula(const tfg_tensor *t, tfg_dtype dt, int rank, const int64_t *shape)
{
    assert_non_null(t);
    assert_int_equal(t->dtype, dt);
    assert_int_equal(t->rank, rank);
    for (int a = 0; a < rank; a++) assert_int_equal(t->shape[a], shape[a]);
    for (int64_t i = 0; i < t->size; i++) {
        if (get(t, i) != formula(dt, i))
            fail_msg("element %lld is %g, want %g", (long long)i, get(t, i), formula(dt, i));
    }
}

/* Reads a whole file. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Asserts no PATH.tmp.* leftovers in the scratch folder. */
static void assert_no_temp_files(void)
{
    DIR *d = opendir(g_tmp);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp.")) fail_msg("temporary file left behind: %s", e->d_name);
    closedir(d);
}

/* Every dtype and rank: numpy fixtures read right, our writer produces the
 * same bytes as np.save, and write+read round-trips. */
static void test_npy_all_dtypes_ranks(void **state)
{
    (void)state;
    for (int c = 0; c < 6; c++) {
        for (int rank = 0; rank <= 4; rank++) {
            char name[64];
            snprintf(name, sizeof name, "%s_r%d.npy", CODES[c], rank);
            tfg_tensor *t = NULL;
            tfg_error err = {{0}};
            if (tfg_io_read_npy(fx(name), &t, &err) != 0) fail_msg("%s: %s", name, err.msg);
            check_formula(t, DTS[c], rank, SHAPES[rank]);
            tfg_tensor_unref(t);

            tfg_tensor *m = make_formula(DTS[c], rank, SHAPES[rank]);
            unsigned char *bytes;
            size_t blen, flen;
            assert_int_equal(tfg_io_npy_bytes(m, &bytes, &blen, &err), 0);
            unsigned char *file = slurp(fx(name), &flen);
            assert_int_equal(blen, flen);
            assert_memory_equal(bytes, file, flen);
            free(bytes);
            free(file);

            const char *out = tmpf(name);
            assert_int_equal(tfg_io_write_npy(out, m, &err), 0);
            file = slurp(out, &flen);
            assert_int_equal(tfg_io_npy_bytes(m, &bytes, &blen, &err), 0);
            assert_int_equal(blen, flen);
            assert_memory_equal(bytes, file, flen);
            free(bytes);
            free(file);
            t = NULL;
            assert_int_equal(tfg_io_read_npy(out, &t, &err), 0);
            check_formula(t, DTS[c], rank, SHAPES[rank]);
            tfg_tensor_unref(t);
            tfg_tensor_unref(m);
        }
    }
    assert_no_temp_files();
}

/* Fortran order, big-endian, header versions 2 and 3, empty arrays. */
static void test_npy_variants(void **state)
{
    (void)state;
    tfg_error err;
    tfg_tensor *t = NULL;
    int64_t s234[3] = {2, 3, 4}, s23[2] = {2, 3}, s03[2] = {0, 3};
    assert_int_equal(tfg_io_read_npy(fx("f8_fortran.npy"), &t, &err), 0);
    check_formula(t, TFG_FLOAT64, 3, s234);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npy(fx("f4_bigendian.npy"), &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npy(fx("i8_bigendian.npy"), &t, &err), 0);
    check_formula(t, TFG_INT64, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npy(fx("i4_v2.npy"), &t, &err), 0);
    check_formula(t, TFG_INT32, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npy(fx("f8_v3.npy"), &t, &err), 0);
    check_formula(t, TFG_FLOAT64, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npy(fx("f4_empty.npy"), &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s03);
    assert_int_equal(t->size, 0);
    /* and an empty array round-trips through our writer */
    assert_int_equal(tfg_io_write_npy(tmpf("empty.npy"), t, &err), 0);
    tfg_tensor_unref(t);
    t = NULL;
    assert_int_equal(tfg_io_read_npy(tmpf("empty.npy"), &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s03);
    tfg_tensor_unref(t);
}

/* np.savez and np.savez_compressed archives. */
static void test_npz_numpy(void **state)
{
    (void)state;
    tfg_error err;
    tfg_tensor *t = NULL;
    int64_t s23[2] = {2, 3}, s5[1] = {5}, s234[3] = {2, 3, 4};
    assert_int_equal(tfg_io_read_npz(fx("stored.npz"), "a", &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npz(fx("stored.npz"), "b.npy", &t, &err), 0);
    check_formula(t, TFG_INT64, 1, s5);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npz(fx("stored.npz"), "c", &t, &err), 0);
    check_formula(t, TFG_BOOL, 0, NULL);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npz(fx("deflated.npz"), "a", &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npz(fx("deflated.npz"), "b", &t, &err), 0);
    check_formula(t, TFG_UINT8, 3, s234);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_npz(fx("single.npz"), NULL, &t, &err), 0);
    check_formula(t, TFG_FLOAT64, 2, s23);
    tfg_tensor_unref(t);

    t = NULL;
    assert_int_equal(tfg_io_read_npz(fx("stored.npz"), NULL, &t, &err), -1);
    assert_null(t);
    assert_non_null(strstr(err.msg, "has several arrays; name one as"));
    assert_non_null(strstr(err.msg, fx("stored.npz")));
    assert_int_equal(tfg_io_read_npz(fx("stored.npz"), "zz", &t, &err), -1);
    assert_non_null(strstr(err.msg, "no array 'zz'"));
    assert_non_null(strstr(err.msg, "a, b, c"));

    char **names;
    tfg_tensor **ts;
    int n;
    assert_int_equal(tfg_io_read_npz_all(fx("deflated.npz"), &names, &ts, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "b");
    check_formula(ts[0], TFG_FLOAT32, 2, s23);
    check_formula(ts[1], TFG_UINT8, 3, s234);
    tfg_io_free_list(names, ts, n);
}

/* Our npz writer: every dtype and rank in one archive, read back. */
static void test_npz_roundtrip(void **state)
{
    (void)state;
    tfg_error err;
    const char *names[30];
    char nbuf[30][16];
    tfg_tensor *ts[30];
    int n = 0;
    for (int c = 0; c < 6; c++)
        for (int rank = 0; rank <= 4; rank++) {
            snprintf(nbuf[n], sizeof nbuf[n], "%s_r%d", CODES[c], rank);
            names[n] = nbuf[n];
            ts[n] = make_formula(DTS[c], rank, SHAPES[rank]);
            n++;
        }
    const char *out = tmpf("all.npz");
    assert_int_equal(tfg_io_write_npz(out, names, (const tfg_tensor *const *)ts, n, &err), 0);
    char **rn;
    tfg_tensor **rt;
    int m;
    if (tfg_io_read_npz_all(out, &rn, &rt, &m, &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(m, n);
    for (int i = 0; i < n; i++) {
        assert_string_equal(rn[i], names[i]);
        check_formula(rt[i], DTS[i / 5], i % 5, SHAPES[i % 5]);
    }
    tfg_io_free_list(rn, rt, m);
    tfg_tensor *t = NULL;
    char spec[700];
    snprintf(spec, sizeof spec, "%s:i8_r3", out);
    assert_int_equal(tfg_io_load(spec, &t, &err), 0);
    check_formula(t, TFG_INT64, 3, SHAPES[3]);
    tfg_tensor_unref(t);
    /* duplicate names are refused, and leave the old file alone */
    const char *dup[2] = {"x", "x"};
    assert_int_equal(tfg_io_write_npz(out, dup, (const tfg_tensor *const *)ts, 2, &err), -1);
    assert_non_null(strstr(err.msg, out));
    assert_int_equal(tfg_io_read_npz(out, "f4_r0", &t, &err), 0);
    tfg_tensor_unref(t);
    /* zero members is a valid (empty) archive */
    assert_int_equal(tfg_io_write_npz(tmpf("none.npz"), names, (const tfg_tensor *const *)ts, 0, &err), 0);
    assert_int_equal(tfg_io_read_npz(tmpf("none.npz"), NULL, &t, &err), -1);
    assert_non_null(strstr(err.msg, "holds no arrays"));
    for (int i = 0; i < n; i++) tfg_tensor_unref(ts[i]);
    assert_no_temp_files();
}

/* CSV parsing and its errors. */
static void test_csv(void **state)
{
    (void)state;
    tfg_error err;
    tfg_tensor *t = NULL;
    assert_int_equal(tfg_io_read_csv(fx("ok.csv"), &t, &err), 0);
    assert_int_equal(t->dtype, TFG_FLOAT64);
    assert_int_equal(t->rank, 2);
    assert_int_equal(t->shape[0], 3);
    assert_int_equal(t->shape[1], 4);
    const double want[11] = {1, 2, 3.5, -4, 0.5, 6, 7, 8, 9, 10, 11};
    for (int i = 0; i < 11; i++) assert_true(get(t, i) == want[i]);
    assert_true(isnan(get(t, 11)));
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_csv(fx("crlf.csv"), &t, &err), 0);
    assert_int_equal(t->rank, 2);
    assert_int_equal(t->shape[0], 2);
    assert_true(get(t, 3) == 4);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_csv(fx("one_row.csv"), &t, &err), 0);
    assert_int_equal(t->rank, 1);
    assert_int_equal(t->shape[0], 3);
    assert_true(get(t, 2) == 3.5);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_csv(fx("one_col.csv"), &t, &err), 0);
    assert_int_equal(t->rank, 2);
    assert_int_equal(t->shape[0], 3);
    assert_int_equal(t->shape[1], 1);
    tfg_tensor_unref(t);

    t = NULL;
    assert_int_equal(tfg_io_read_csv(fx("ragged.csv"), &t, &err), -1);
    assert_non_null(strstr(err.msg, "ragged.csv:2:"));
    assert_non_null(strstr(err.msg, "row has 2 values but the first row has 3"));
    assert_int_equal(tfg_io_read_csv(fx("bad_field.csv"), &t, &err), -1);
    assert_non_null(strstr(err.msg, "bad_field.csv:2: field 2 ('abc') is not a number"));
    assert_int_equal(tfg_io_read_csv(fx("empty_field.csv"), &t, &err), -1);
    assert_non_null(strstr(err.msg, "empty_field.csv:1: field 2"));
    assert_int_equal(tfg_io_read_csv(fx("empty.csv"), &t, &err), -1);
    assert_non_null(strstr(err.msg, "holds no numbers"));
    assert_int_equal(tfg_io_read_csv(fx("header.csv"), &t, &err), -1);
    assert_non_null(strstr(err.msg, "header.csv:1:"));
    assert_null(t);
}

/* MNIST idx payload types, plain and gzipped. */
static void test_idx(void **state)
{
    (void)state;
    tfg_error err;
    tfg_tensor *t = NULL;
    int64_t s234[3] = {2, 3, 4}, s23[2] = {2, 3}, s5[1] = {5};
    assert_int_equal(tfg_io_read_idx(fx("images-idx3-ubyte"), &t, &err), 0);
    check_formula(t, TFG_UINT8, 3, s234);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_idx(fx("images-idx3-ubyte.gz"), &t, &err), 0);
    check_formula(t, TFG_UINT8, 3, s234);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_idx(fx("labels-idx1-ubyte"), &t, &err), 0);
    assert_int_equal(t->rank, 1);
    assert_int_equal(t->shape[0], 10);
    assert_true(get(t, 9) == 9);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_idx(fx("ints-idx2-int"), &t, &err), 0);
    check_formula(t, TFG_INT32, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_idx(fx("floats-idx2-float"), &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_idx(fx("doubles-idx1-double"), &t, &err), 0);
    check_formula(t, TFG_FLOAT64, 1, s5);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_idx(fx("shorts-idx1-short"), &t, &err), 0);
    assert_int_equal(t->dtype, TFG_INT32);
    const int32_t sh[4] = {-300, -1, 0, 300};
    assert_memory_equal(t->data, sh, sizeof sh);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_read_idx(fx("bytes-idx1-byte"), &t, &err), 0);
    assert_int_equal(t->dtype, TFG_INT32);
    const int32_t by[4] = {-128, -1, 0, 127};
    assert_memory_equal(t->data, by, sizeof by);
    tfg_tensor_unref(t);
}

/* tfg_io_load picks the reader from the name or the magic bytes. */
static void test_load_dispatch(void **state)
{
    (void)state;
    tfg_error err;
    tfg_tensor *t = NULL;
    int64_t s23[2] = {2, 3}, s234[3] = {2, 3, 4};
    char spec[1300];
    snprintf(spec, sizeof spec, "%s:a", fx("stored.npz"));
    assert_int_equal(tfg_io_load(spec, &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s23);
    tfg_tensor_unref(t);
    snprintf(spec, sizeof spec, "%s:b.npy", fx("deflated.npz"));
    assert_int_equal(tfg_io_load(spec, &t, &err), 0);
    check_formula(t, TFG_UINT8, 3, s234);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_load(fx("single.npz"), &t, &err), 0);
    check_formula(t, TFG_FLOAT64, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_load(fx("f4_r2.npy"), &t, &err), 0);
    check_formula(t, TFG_FLOAT32, 2, s23);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_load(fx("ok.csv"), &t, &err), 0);
    assert_int_equal(t->shape[1], 4);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_load(fx("images-idx3-ubyte.gz"), &t, &err), 0);
    check_formula(t, TFG_UINT8, 3, s234);
    tfg_tensor_unref(t);
    assert_int_equal(tfg_io_load(fx("data.unknownext"), &t, &err), 0);
    check_formula(t, TFG_INT32, 2, s23);
    tfg_tensor_unref(t);
    t = NULL;
    assert_int_equal(tfg_io_load(fx("no_such_file.npy"), &t, &err), -1);
    assert_non_null(strstr(err.msg, fx("no_such_file.npy")));
    assert_non_null(strstr(err.msg, "No such file"));
    snprintf(spec, sizeof spec, "%s:a", fx("no_such.npz"));
    assert_int_equal(tfg_io_load(spec, &t, &err), -1);
    assert_non_null(strstr(err.msg, "no_such.npz"));
    assert_int_equal(tfg_io_load(g_data, &t, &err), -1);   /* a directory */
    assert_non_null(strstr(err.msg, g_data));
    assert_null(t);
}

/* Every corrupt fixture fails with a message naming its path. */
static void test_corrupt_inputs(void **state)
{
    (void)state;
    static const char *bad[] = {
        "bad_truncated_data.npy", "bad_truncated_header.npy", "bad_magic.npy", "bad_empty.npy",
        "bad_lying_shape.npy", "bad_overflow_shape.npy", "bad_huge_dim.npy",
        "bad_negative_dim.npy", "bad_dtype_i2.npy", "bad_dtype_c16.npy", "bad_structured.npy",
        "bad_version.npy", "bad_header_len.npy", "bad_header_syntax.npy",
        "bad_header_missing.npy", "bad_rank9.npy", "bad_nul_header.npy",
        "bad_truncated.npz", "bad_notzip.npz", "bad_crc.npz", "bad_deflate.npz",
        "bad_member.npz", "bad_usize.npz", "bad_not_npy.npz",
        "bad_truncated-idx3-ubyte", "bad_magic-idx3-ubyte", "bad_type-idx3-ubyte",
        "bad_huge-idx3-ubyte", "bad_rank-idx9-ubyte", "bad_dims-idx3-ubyte",
        "bad_truncated-idx3-ubyte.gz", "bad_corrupt-idx3-ubyte.gz", "bad_huge-idx3-ubyte.gz",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tfg_tensor *t = NULL;
        tfg_error err = {{0}};
        const char *p = fx(bad[i]);
        char spec[1300];
        /* npz members are named so the "several arrays" rule does not hide the fault */
        snprintf(spec, sizeof spec, "%s%s", p,
                 (strcmp(bad[i], "bad_crc.npz") == 0 || strcmp(bad[i], "bad_deflate.npz") == 0)
                     ? ":a" : "");
        int rc = tfg_io_load(spec, &t, &err);
        if (rc != -1) fail_msg("%s: loaded without error", bad[i]);
        assert_null(t);
        if (!strstr(err.msg, p)) fail_msg("%s: message does not name the path: %s", bad[i], err.msg);
        print_message("  %-30s -> %s\n", bad[i], err.msg);
    }
}

/* Random damage to valid files (bit flips, truncation, byte stores) never
 * crashes: each load either succeeds or fails naming the path. */
static void test_mutations(void **state)
{
    (void)state;
    static const char *seeds[] = {"f8_r3.npy", "stored.npz", "deflated.npz", "images-idx3-ubyte",
                                  "images-idx3-ubyte.gz", "ok.csv", "f8_fortran.npy"};
    uint32_t rng = 12345;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        size_t len;
        unsigned char *orig = slurp(fx(seeds[s]), &len);
        unsigned char *buf = malloc(len);
        assert_non_null(buf);
        char name[128];
        const char *ext = strrchr(seeds[s], '.');
        snprintf(name, sizeof name, "mut-idx%s", strstr(seeds[s], "idx") ? (ext && strcmp(ext, ".gz") == 0 ? "3-ubyte.gz" : "3-ubyte") : ext);
        const char *p = tmpf(name);
        for (int it = 0; it < 400; it++) {
            memcpy(buf, orig, len);
            size_t n = len;
            int edits = 1 + (int)((rng = rng * 1103515245u + 12345u) >> 16) % 4;
            for (int e = 0; e < edits; e++) {
                rng = rng * 1103515245u + 12345u;
                size_t pos = (rng >> 8) % len;
                switch ((rng >> 4) % 4) {
                case 0: buf[pos] ^= (unsigned char)(1u << ((rng >> 12) % 8)); break;
                case 1: buf[pos] = (unsigned char)(rng >> 20); break;
                case 2: buf[pos] = 0xff; break;
                default: if (pos < n) n = pos; break;
                }
            }
            FILE *f = fopen(p, "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(buf, 1, n, f), n);
            fclose(f);
            tfg_tensor *t = NULL;
            tfg_error err = {{0}};
            char spec[700];
            snprintf(spec, sizeof spec, "%s%s", p, strstr(seeds[s], ".npz") ? ":a" : "");
            if (tfg_io_load(spec, &t, &err) == 0) {
                assert_non_null(t);
                tfg_tensor_unref(t);
            } else {
                assert_null(t);
                if (!strstr(err.msg, p)) fail_msg("%s mutation %d: message lacks path: %s", seeds[s], it, err.msg);
            }
        }
        remove(p);
        free(buf);
        free(orig);
    }
}

/* Writers are atomic: failures leave the old file and no temporary behind. */
static void test_atomic_write(void **state)
{
    (void)state;
    tfg_error err;
    int64_t s23[2] = {2, 3};
    tfg_tensor *a = make_formula(TFG_FLOAT32, 2, s23);
    const char *p = tmpf("state.npy");
    assert_int_equal(tfg_io_write_npy(p, a, &err), 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0400, 0400);
    /* overwrite with a different tensor */
    tfg_tensor *b = make_formula(TFG_INT64, 1, (int64_t[]){5});
    assert_int_equal(tfg_io_write_npy(p, b, &err), 0);
    tfg_tensor *t = NULL;
    assert_int_equal(tfg_io_read_npy(p, &t, &err), 0);
    check_formula(t, TFG_INT64, 1, (int64_t[]){5});
    tfg_tensor_unref(t);
    /* target is a directory: rename fails, the temporary goes away */
    const char *dir = tmpf("adir");
    assert_int_equal(mkdir(dir, 0755), 0);
    char inner[700];
    snprintf(inner, sizeof inner, "%s/keep", dir);
    FILE *f = fopen(inner, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(tfg_io_write_npy(dir, a, &err), -1);
    assert_non_null(strstr(err.msg, dir));
    assert_int_equal(tfg_io_write_npz(dir, (const char *[]){"a"}, (const tfg_tensor *const[]){a}, 1, &err), -1);
    assert_non_null(strstr(err.msg, dir));
    remove(inner);
    assert_no_temp_files();
    /* folder that does not exist */
    char missing[700];
    snprintf(missing, sizeof missing, "%s/nope/x.npy", g_tmp);
    assert_int_equal(tfg_io_write_npy(missing, a, &err), -1);
    assert_non_null(strstr(err.msg, missing));
    tfg_tensor_unref(a);
    tfg_tensor_unref(b);
}

/* Runs the io tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy_all_dtypes_ranks),
        cmocka_unit_test(test_npy_variants),
        cmocka_unit_test(test_npz_numpy),
        cmocka_unit_test(test_npz_roundtrip),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_idx),
        cmocka_unit_test(test_load_dispatch),
        cmocka_unit_test(test_corrupt_inputs),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_atomic_write),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
