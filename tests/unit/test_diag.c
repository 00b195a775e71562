/* test_diag.c — located error messages (header, source line, caret lined up
 * under tabs and UTF-8), plain messages, sources from strings and files, and
 * the arena allocator the front end builds on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/arena.h"
#include "src/diag.h"

/* Runs tfg_diag_error into a string (malloc'd). */
static char *diag_text(const tfg_source *src, int line, int col, const char *msg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    tfg_loc loc = { line, col, 0 };
    tfg_diag_error(f, src, loc, "%s", msg);
    fclose(f);
    return buf;
}

/* Asserts the text tfg_diag_error prints for a location in text. */
static void check_diag(const char *text, int line, int col, const char *want)
{
    tfg_source *src = tfg_source_from_string("m.tfg", text, strlen(text));
    assert_non_null(src);
    char *got = diag_text(src, line, col, "boom");
    if (strcmp(got, want) != 0)
        print_error("want:\n%s\ngot:\n%s\n", want, got);
    assert_string_equal(got, want);
    free(got);
    tfg_source_free(src);
}

static void test_located_error(void **state)
{
    (void)state;
    check_diag("a = 1\nproduct = tf.matmul(x, y)\n", 2, 11,
               "m.tfg:2:11: error: boom\n"
               "product = tf.matmul(x, y)\n"
               "          ^\n");
    check_diag("x", 1, 1, "m.tfg:1:1: error: boom\nx\n^\n");
    /* the last line without a newline, and a caret just past its end */
    check_diag("a\nbc", 2, 3, "m.tfg:2:3: error: boom\nbc\n  ^\n");
}

static void test_tabs_in_caret(void **state)
{
    (void)state;
    check_diag("if a:\n\tx = \t$\n", 2, 7,
               "m.tfg:2:7: error: boom\n"
               "\tx = \t$\n"
               "\t    \t^\n");
}

static void test_utf8_and_crlf(void **state)
{
    (void)state;
    /* "é" is two bytes but one column on screen: one space in the caret line */
    check_diag("s = 'é' + $\n", 1, 12,
               "m.tfg:1:12: error: boom\n"
               "s = 'é' + $\n"
               "          ^\n");
    check_diag("a = 1\r\nb = $\r\n", 2, 5,
               "m.tfg:2:5: error: boom\n"
               "b = $\n"
               "    ^\n");
}

static void test_no_place(void **state)
{
    (void)state;
    char *got = diag_text(NULL, 3, 1, "no source");
    assert_string_equal(got, "tfg: error: no source\n");
    free(got);
    tfg_source *src = tfg_source_from_string("m.tfg", "x\n", 2);
    got = diag_text(src, 0, 0, "no line");
    assert_string_equal(got, "tfg: error: no line\n");
    free(got);
    /* a line past the end of the file: header only */
    got = diag_text(src, 9, 1, "far");
    assert_string_equal(got, "m.tfg:9:1: error: far\n");
    free(got);
    tfg_source_free(src);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    tfg_diag_plain(f, "unknown flag '%s'", "--bogus");
    fclose(f);
    assert_string_equal(buf, "tfg: error: unknown flag '--bogus'\n");
    free(buf);
}

static void test_sources(void **state)
{
    (void)state;
    tfg_source *s = tfg_source_from_string("a.tfg", "ab\0cd", 5);
    assert_non_null(s);
    assert_string_equal(s->name, "a.tfg");
    assert_int_equal(s->len, 5);
    assert_memory_equal(s->text, "ab\0cd", 6);
    tfg_source_free(s);
    tfg_source_free(NULL);

    char path[] = "/tmp/tfg_test_diag_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x = 1\n", 6), 6);
    close(fd);
    s = tfg_source_read(path);
    assert_non_null(s);
    assert_string_equal(s->text, "x = 1\n");
    assert_int_equal(s->len, 6);
    assert_string_equal(s->name, path);
    tfg_source_free(s);
    unlink(path);

    /* a missing file: NULL (and a message on stderr) */
    assert_null(tfg_source_read("/nonexistent/dir/none.tfg"));
    assert_null(tfg_source_read("/"));
}

static void test_arena(void **state)
{
    (void)state;
    tfg_arena a;
    tfg_arena_init(&a);
    char *p = tfg_arena_alloc(&a, 3);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    for (int i = 0; i < 1000; i++) {
        unsigned char *q = tfg_arena_alloc(&a, (size_t)i * 7 + 1);
        assert_non_null(q);
        assert_int_equal((uintptr_t)q % 16, 0);
        for (int j = 0; j < i * 7 + 1; j++)
            assert_int_equal(q[j], 0);
        memset(q, 0xAB, (size_t)i * 7 + 1);
    }
    unsigned char *big = tfg_arena_alloc(&a, 1 << 20);    /* larger than a block */
    assert_non_null(big);
    assert_int_equal(big[0], 0);
    assert_int_equal(big[(1 << 20) - 1], 0);
    char *after = tfg_arena_alloc(&a, 8);                  /* the head block keeps serving */
    assert_non_null(after);
    assert_non_null(tfg_arena_alloc(&a, 0));
    assert_null(tfg_arena_alloc(&a, SIZE_MAX - 4));
    assert_string_equal(tfg_arena_strdup(&a, "hello"), "hello");
    assert_string_equal(tfg_arena_strndup(&a, "hello", 2), "he");
    assert_true(a.total > (1 << 20));
    tfg_arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
    tfg_arena_free(&a);                                    /* freeing twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_located_error),
        cmocka_unit_test(test_tabs_in_caret),
        cmocka_unit_test(test_utf8_and_crlf),
        cmocka_unit_test(test_no_place),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
